"""Counting rules, with hand-worked figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from socialvalue.frameworks.counting import (
    Commitment,
    Rule,
    check_commitments,
    fte_from_hours,
    fte_from_staff,
    fte_over_contract,
    pro_rated,
    year_fraction,
)
from socialvalue.frameworks.loader import load_builtin_framework, load_framework_text
from socialvalue.frameworks.model import Unit

D = Decimal


@pytest.fixture
def town(minimal_framework_text):
    return load_framework_text(minimal_framework_text)


def _rules(findings):
    return [(f.commitment_index, f.measure_id, f.rule) for f in findings]


def test_it_counts_torbays_local_employment_example():
    # 10 full-time + 5 half-time local staff = 12.5 FTE; counted every year of a 2-year contract.
    per_year = fte_from_staff(10, [D("0.5")] * 5)

    assert per_year == D("12.5")
    assert fte_over_contract(per_year, 2, count_each_year=True) == D(25)
    assert fte_over_contract(per_year, 2, count_each_year=False) == D("12.5")


def test_it_turns_weekly_hours_into_fte():
    assert fte_from_hours(D("18.75"), D("37.5")) == D("0.5")
    with pytest.raises(ValueError, match="full-time week"):
        fte_from_hours(D(10), D(0))


def test_it_pro_rates_part_of_a_year():
    # 1 January to 14 March 2025 is 31 + 28 + 14 = 73 days, 73/365 = 0.2 of a year.
    start, end = date(2025, 1, 1), date(2025, 3, 14)

    assert year_fraction(start, end) == D("0.2")
    assert pro_rated(D(1), start, end) == D("0.2")


def test_it_accepts_commitments_that_keep_the_rules(town):
    commitments = [
        Commitment(
            "M1",
            D("0.4"),
            unit=Unit.FTE,
            place="Preston",
            person_ids=("p1", "p2"),
            period_start=date(2025, 1, 1),
            period_end=date(2025, 3, 14),
        ),
        Commitment("M2", D(1), person_ids=("p1",)),
        Commitment("M3", D(1), person_ids=("p3",)),
    ]

    assert check_commitments(commitments, town) == []


def test_it_caps_fte_at_the_people_and_days_counted(town):
    # Two people for 73 days can give at most 2 x 0.2 = 0.4 FTE.
    commitment = Commitment(
        "M1",
        D("0.5"),
        place="Preston",
        person_ids=("p1", "p2"),
        period_start=date(2025, 1, 1),
        period_end=date(2025, 3, 14),
    )

    (finding,) = check_commitments([commitment], town)

    assert (finding.measure_id, finding.rule) == ("M1", Rule.FTE)
    assert "0.4 FTE" in finding.message


def test_it_caps_fte_by_attribution(town):
    # One person half on this contract gives at most 0.5 FTE.
    commitment = Commitment("M2", D("0.6"), person_ids=("p1",), attribution=D("0.5"))

    assert _rules(check_commitments([commitment], town)) == [(0, "M2", Rule.FTE)]


def test_it_needs_a_place_for_local_only_measures(town):
    findings = check_commitments([Commitment("M1", D(1))], town)

    assert _rules(findings) == [(0, "M1", Rule.LOCAL_ONLY)]


def test_it_refuses_one_person_under_two_exclusive_measures(town):
    commitments = [
        Commitment("M2", D(1), person_ids=("p1",)),
        Commitment("M3", D(1), person_ids=("p1",)),
    ]

    findings = check_commitments(commitments, town)

    assert _rules(findings) == [(1, "M3", Rule.EXCLUSIVE)]
    assert "M2" in findings[0].message


def test_it_refuses_one_person_twice_under_one_measure_in_a_year(town):
    commitments = [
        Commitment("M1", D(1), place="Preston", person_ids=("p1",)),
        Commitment("M1", D(1), place="Preston", person_ids=("p1",)),
        Commitment("M1", D(1), place="Preston", person_ids=("p1",), contract_year=2),
    ]

    assert _rules(check_commitments(commitments, town)) == [(1, "M1", Rule.DOUBLE_COUNT)]


def test_it_counts_first_year_only_measures_once(town):
    findings = check_commitments([Commitment("M2", D(1), contract_year=2)], town)

    assert _rules(findings) == [(0, "M2", Rule.FIRST_YEAR_ONLY)]


def test_it_checks_the_unit_and_the_period(town):
    commitment = Commitment(
        "M2", D(1), unit=Unit.HOURS, period_start=date(2025, 3, 1), period_end=date(2025, 2, 1)
    )

    assert _rules(check_commitments([commitment], town)) == [
        (0, "M2", Rule.UNIT),
        (0, "M2", Rule.PERIOD),
    ]


def test_it_checks_ranges_that_the_unit_implies():
    lancashire = load_builtin_framework("lancashire-2016")
    preston = load_builtin_framework("preston-2023")

    assert {f.rule for f in check_commitments([Commitment("L2.1", D(120))], lancashire)} == {
        Rule.RANGE
    }
    assert _rules(check_commitments([Commitment("L2.2", D(2))], lancashire)) == [
        (0, "L2.2", Rule.YES_NO)
    ]
    assert _rules(check_commitments([Commitment("1.1", D("2.5"))], preston)) == [
        (0, "1.1", Rule.LEVEL)
    ]
    assert _rules(check_commitments([Commitment("1.1", D(6))], preston)) == [(0, "1.1", Rule.LEVEL)]
    assert check_commitments([Commitment("1.1", D(4))], preston) == []


def test_it_reports_negative_quantities_and_bad_attribution(town):
    findings = check_commitments([Commitment("M2", D(-1), attribution=D("1.5"))], town)

    assert {f.rule for f in findings} == {Rule.RANGE, Rule.ATTRIBUTION}


def test_it_names_an_unknown_measure(town):
    assert _rules(check_commitments([Commitment("M9", D(1))], town)) == [
        (0, "M9", Rule.UNKNOWN_MEASURE)
    ]


def test_it_requires_whole_numbers_for_counts():
    ppn = load_builtin_framework("ppn-06-20")

    assert _rules(check_commitments([Commitment("srm-apprenticeships", D("1.5"))], ppn)) == [
        (0, "srm-apprenticeships", Rule.WHOLE_NUMBER)
    ]
