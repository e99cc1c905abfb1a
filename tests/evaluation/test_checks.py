"""Abnormally low flags (never exclusions) and the social value policy check."""

from __future__ import annotations

from socialvalue.evaluation.checks import abnormally_low_flags, social_value_share
from socialvalue.evaluation.model import AbnormallyLowRule, Criterion, CriterionKind, Policy
from socialvalue.evaluation.scoring import evaluate
from tests.evaluation.builders import D, bid, price, quality, tender


def test_it_flags_a_price_40_percent_below_the_mean_of_the_others() -> None:
    # Others' mean = (100 + 100) / 2 = 100; 60 is exactly 40% below it, and 40% below the next.
    flags = abnormally_low_flags({"A": D(60), "B": D(100), "C": D(100)}, AbnormallyLowRule())
    assert list(flags) == ["A"]
    details = flags["A"][0].details
    assert details["below_mean_of_others_percent"] == 40
    assert details["below_next_lowest_percent"] == 40


def test_it_flags_a_price_30_percent_below_the_next_lowest() -> None:
    # 70 vs next 100: 30% below the next; others' mean (100 + 200) / 2 = 150: 53% below.
    flags = abnormally_low_flags({"A": D(70), "B": D(100), "C": D(200)}, AbnormallyLowRule())
    assert "A" in flags
    # B at 100 is 33.3% below the mean of 70 and 200 (135), which is under 40%, and
    # 50% below 200: flagged by the second rule.
    assert "B" in flags


def test_it_does_not_flag_close_prices() -> None:
    assert abnormally_low_flags({"A": D(90), "B": D(100), "C": D(110)}, AbnormallyLowRule()) == {}


def test_it_uses_the_configured_percentages() -> None:
    rule = AbnormallyLowRule(below_mean_of_others=D(5), below_next_lowest=D(5))
    assert list(abnormally_low_flags({"A": D(90), "B": D(100)}, rule)) == ["A"]


def test_it_flags_but_never_excludes() -> None:
    evaluation = evaluate(
        tender(
            [price(50), quality(weight=50)],
            [bid("Low", 10, quality=3), bid("Fair", 100, quality=5)],
        )
    )
    low = evaluation.bid("Low")
    assert [flag.code for flag in low.flags] == ["abnormally_low"]
    assert not low.excluded
    assert low.rank == 1


def test_it_reports_social_value_below_the_10_percent_minimum() -> None:
    social = quality("social_value", weight=5, kind=CriterionKind.SOCIAL_VALUE)
    evaluation = evaluate(
        tender([price(45), quality(weight=50), social], [bid("A", 1, quality=1, social_value=1)])
    )
    finding = evaluation.policy[0]
    assert finding.code == "social_value_minimum"
    assert not finding.passed


def test_it_measures_social_value_against_quality_under_price_per_quality_point() -> None:
    from socialvalue.evaluation.model import PriceMethod

    pqp = Criterion("price", CriterionKind.PRICE, D(0), method=PriceMethod.PRICE_PER_QUALITY_POINT)
    social = quality("social_value", weight=10, kind=CriterionKind.SOCIAL_VALUE)
    built = tender([pqp, quality(weight=90), social], [bid("A", 5, quality=1, social_value=1)])
    assert social_value_share(built) == 10


def test_it_checks_the_preston_split() -> None:
    part_a = Criterion("a", CriterionKind.SOCIAL_VALUE, D(50), part="A", scale=quality().scale)
    part_b = Criterion("b", CriterionKind.SOCIAL_VALUE, D(50), part="B", scale=quality().scale)
    social = Criterion("sv", CriterionKind.SOCIAL_VALUE, D(20), children=(part_a, part_b))
    built = tender(
        [price(40), quality(weight=40), social],
        [bid("A", 1, quality=1, a=1, b=1)],
        policy=Policy(preset="preston"),
    )
    codes = {finding.code: finding.passed for finding in evaluate(built).policy}
    assert codes == {
        "social_value_minimum": True,
        "preston_social_value_weight": True,
        "preston_parts_split": True,
    }
    lopsided = tender(
        [price(50), quality(weight=40), quality("sv", weight=10, kind=CriterionKind.SOCIAL_VALUE)],
        [bid("A", 1, quality=1, sv=1)],
        policy=Policy(preset="preston"),
    )
    codes = {finding.code: finding.passed for finding in evaluate(lopsided).policy}
    assert codes["preston_social_value_weight"] is False
    assert codes["preston_parts_split"] is False
