"""LM3 against the worked numbers in methods.md §2.1 and by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialvalue.exceptions import LM3InputError
from socialvalue.spend.lm3 import (
    AVERAGED,
    PER_RESPONDENT,
    Recipient,
    lm3,
    lm3_from_survey,
    mean_share,
    round3,
)

STAFF_SHARES = [Decimal("0.421"), Decimal("0.505"), Decimal("0.631"), Decimal("0.378"),
                Decimal("0.336")]


def test_it_matches_the_formula_by_hand() -> None:
    # (100 + 50 + 25) / 100 = 1.75 = 1 + f2 + f2·f3 with f2 = 0.5, f3 = 0.5
    result = lm3(Decimal(100), Decimal(50), Decimal(25))
    assert result.score == Decimal("1.75")
    assert result.score == 1 + result.f2 + result.f2 * result.f3


def test_it_averages_the_plugging_the_leaks_staff_shares() -> None:
    # 42.1 + 50.5 + 63.1 + 37.8 + 33.6 = 227.1; / 5 = 45.42%
    assert mean_share(STAFF_SHARES) == Decimal("0.4542")


def test_it_applies_an_average_share_to_the_wage_bill() -> None:
    # "40% × £200,000 = £80,000"
    staff = [Recipient(Decimal(200000), Decimal("0.40"), "staff")]
    r3, means = round3(staff, AVERAGED)
    assert r3 == Decimal(80000)
    assert means == (("staff", Decimal("0.40")),)


def test_it_applies_each_respondents_share_with_few_surveys() -> None:
    staff = [Recipient(Decimal(1000), s, "staff") for s in STAFF_SHARES]
    r3, _ = round3(staff, PER_RESPONDENT)
    assert r3 == Decimal("2271.000")


def test_it_lets_unsurveyed_recipients_take_the_average() -> None:
    recipients = [Recipient(Decimal(100), Decimal("0.5")), Recipient(Decimal(100), None)]
    result = lm3_from_survey(Decimal(400), recipients, AVERAGED)
    assert (result.r2, result.r3, result.score) == (Decimal(200), Decimal(100), Decimal("1.75"))
    with pytest.raises(LM3InputError):
        lm3_from_survey(Decimal(400), recipients, PER_RESPONDENT)


@pytest.mark.parametrize(
    ("r1", "r2", "r3"),
    [(0, 0, 0), (100, 150, 0), (100, 50, 60), (100, -1, 0)],
)
def test_it_refuses_impossible_rounds(r1: int, r2: int, r3: int) -> None:
    with pytest.raises(LM3InputError):
        lm3(Decimal(r1), Decimal(r2), Decimal(r3))


def test_it_refuses_a_share_given_as_a_percentage() -> None:
    with pytest.raises(LM3InputError):
        round3([Recipient(Decimal(1), Decimal(45))])


@given(r1=st.decimals(1, 10**9, places=2), f2=st.decimals(0, 1, places=4),
       f3=st.decimals(0, 1, places=4))
def test_it_stays_between_one_and_three(r1: Decimal, f2: Decimal, f3: Decimal) -> None:
    r2 = r1 * f2
    result = lm3(r1, r2, r2 * f3)
    assert Decimal(1) <= result.score <= Decimal(3)
