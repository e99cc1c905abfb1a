"""Whole evaluations worked out by hand (each also written out in ``docs/evaluation``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from socialvalue.evaluation.fileformat import load_yaml
from socialvalue.evaluation.model import (
    Bid,
    Criterion,
    CriterionKind,
    PriceMethod,
    ProxyMeasure,
    Score,
    SocialValueMode,
)
from socialvalue.evaluation.rank import comparison_value
from socialvalue.evaluation.scoring import evaluate
from socialvalue.exceptions import EvaluationFileError
from tests.evaluation.builders import D, bid, price, quality, tender


def test_it_reproduces_the_negometrix_example(negometrix_file: Path) -> None:
    evaluation = evaluate(load_yaml(negometrix_file))
    a, b = evaluation.bid("A"), evaluation.bid("B")
    assert a.total == 146
    assert b.total == 144
    assert evaluation.winner is a
    assert (a.rank, b.rank) == (1, 2)
    assert a.points_by_criterion() == {
        "experience": 40,
        "assurance": 30,
        "completion": 20,
        "price": 56,
    }
    assert b.points_by_criterion() == {
        "experience": 32,
        "assurance": 20,
        "completion": 22,
        "price": 70,
    }


def test_it_keeps_every_component_of_a_total(negometrix_file: Path) -> None:
    a = evaluate(load_yaml(negometrix_file)).bid("A")
    component = a.component("price")
    assert component.raw == 10_000
    assert component.share == D("0.8")
    assert component.weight == 70
    assert component.points == 56
    experience = a.component("experience")
    assert (experience.raw, experience.weight, experience.points) == (40, 60, 40)
    assert sum(c.points for c in a.components if c.points is not None) == a.total


def test_it_works_the_community_centre_example_by_hand(community_centre_file: Path) -> None:
    evaluation = evaluate(load_yaml(community_centre_file))
    alpha = evaluation.bid("Alpha Builders Ltd")
    beta = evaluation.bid("Beta Construction")
    gamma = evaluation.bid("Gamma Co-operative")
    delta = evaluation.bid("Delta Services")
    # Price 40 relative to the lowest compliant price, 55,000 (Gamma's 80,000 is excluded).
    assert alpha.component("price").points == 22
    assert comparison_value(beta.component("price").points or D(0)) == comparison_value(
        D(40) * D(55) / D(90)
    )
    assert delta.component("price").points == 40
    # Quality 40 split 50/50: 20 x score / 5 for each part.
    assert alpha.component("quality").points == 28
    assert beta.component("quality").points == 28
    assert delta.component("quality").points == 24
    # Social value 20: Part A 10 x level / 5; Part B 10 x (value/price) / best (value/price).
    assert alpha.component("sv_current_practice").points == 8
    assert alpha.component("sv_commitments").points == 10  # 15,000/100,000 is the best ratio
    expected_delta_b = D(10) * (D(2_000) / D(55_000)) / (D(15_000) / D(100_000))  # 80/33
    assert comparison_value(delta.component("sv_commitments").points or D(0)) == comparison_value(
        expected_delta_b
    )
    assert alpha.total == 68
    assert comparison_value(delta.total or D(0)) == comparison_value(D(68) + D(80) / D(33))
    assert [b.bidder for b in evaluation.ranked] == [
        "Delta Services",
        "Alpha Builders Ltd",
        "Beta Construction",
    ]
    assert gamma.excluded
    assert gamma.rank is None
    assert [reason.code for reason in gamma.reasons] == ["below_threshold"]
    assert [flag.code for flag in delta.flags] == ["abnormally_low"]
    assert all(finding.passed for finding in evaluation.policy)


def test_it_excludes_a_bid_that_fails_a_pass_fail_question() -> None:
    insurance = Criterion("insurance", CriterionKind.PASS_FAIL, D(0), "Insurance")
    evaluation = evaluate(
        tender(
            [price(50), quality(weight=50), insurance],
            [
                bid("Cheap", 100, quality=3, insurance=False),
                bid("Middle", 200, quality=3, insurance=True),
                bid("Dear", 400, quality=3, insurance=True),
            ],
        )
    )
    cheap = evaluation.bid("Cheap")
    assert cheap.excluded
    assert cheap.rank is None
    assert cheap.total is None
    assert [reason.code for reason in cheap.reasons] == ["failed_pass_fail"]
    # The excluded price takes no part: Middle is now the lowest and gets the full 50.
    assert evaluation.bid("Middle").component("price").points == 50
    assert evaluation.bid("Dear").component("price").points == 25


def test_it_excludes_a_bid_below_a_threshold_and_says_why() -> None:
    evaluation = evaluate(
        tender(
            [price(40), quality(weight=60, threshold=3)],
            [bid("Weak", 100, quality=2), bid("Strong", 150, quality=3)],
        )
    )
    weak = evaluation.bid("Weak")
    assert weak.excluded
    assert weak.reasons[0].criterion_id == "quality"
    assert evaluation.winner is not None
    assert evaluation.winner.bidder == "Strong"
    assert evaluation.bid("Strong").component("price").points == 40


def test_it_has_no_winner_when_every_bid_is_excluded() -> None:
    evaluation = evaluate(
        tender([price(40), quality(weight=60, threshold=3)], [bid("Weak", 100, quality=2)])
    )
    assert evaluation.winner is None
    assert evaluation.ranked == ()


def test_it_scores_sub_criteria_within_their_parent() -> None:
    group = Criterion(
        "quality",
        CriterionKind.QUALITY,
        D(60),
        "Quality",
        children=(quality("method", weight=75, maximum=10), quality("team", weight=25)),
    )
    evaluation = evaluate(tender([price(40), group], [bid("Only", 100, method=8, team=2)]))
    only = evaluation.bid("Only")
    # method: 60 x 75% x 8/10 = 36; team: 60 x 25% x 2/5 = 6.
    assert only.component("method").weight == 45
    assert only.component("method").points == 36
    assert only.component("team").points == 6
    assert only.component("quality").points == 42
    assert only.total == 82


def test_it_awards_on_the_lowest_price_per_quality_point() -> None:
    pqp = Criterion(
        "price", CriterionKind.PRICE, D(0), "Price", method=PriceMethod.PRICE_PER_QUALITY_POINT
    )
    evaluation = evaluate(
        tender(
            [pqp, quality(weight=100, maximum=100)],
            [bid("Dearer", 90_000, quality=60), bid("Cheaper", 80_000, quality=50)],
        )
    )
    dearer = evaluation.bid("Dearer")
    cheaper = evaluation.bid("Cheaper")
    assert dearer.price_per_quality_point == 1500
    assert cheaper.price_per_quality_point == 1600
    assert evaluation.winner is dearer


def test_it_excludes_a_bid_with_no_quality_points_under_price_per_quality_point() -> None:
    pqp = Criterion(
        "price", CriterionKind.PRICE, D(0), "Price", method=PriceMethod.PRICE_PER_QUALITY_POINT
    )
    evaluation = evaluate(
        tender(
            [pqp, quality(weight=100)], [bid("Empty", 10, quality=0), bid("Fine", 20, quality=1)]
        )
    )
    assert [reason.code for reason in evaluation.bid("Empty").reasons] == ["no_quality_points"]
    assert evaluation.bid("Empty").rank is None


def test_it_values_commitments_with_open_proxy_values() -> None:
    social = Criterion(
        "sv",
        CriterionKind.SOCIAL_VALUE,
        D(20),
        "Social value",
        social_value_mode=SocialValueMode.PROXY_VALUE,
        measures=(
            ProxyMeasure("apprentice_weeks", D(100), "week"),
            ProxyMeasure("local_jobs", D(5_000), "job"),
        ),
    )
    bids = [
        Bid(
            "A",
            D(100_000),
            {"quality": Score(D(3))},
            {"sv": {"apprentice_weeks": D(10), "local_jobs": D(1)}},
        ),
        Bid(
            "B",
            D(150_000),
            {"quality": Score(D(3))},
            {"sv": {"apprentice_weeks": D(20), "local_jobs": D(2)}},
        ),
    ]
    evaluation = evaluate(tender([price(40), quality(weight=40), social], bids))
    a, b = evaluation.bid("A"), evaluation.bid("B")
    # A: 10 x 100 + 1 x 5,000 = 6,000 on 100,000 = 0.06; B: 12,000 on 150,000 = 0.08 (best).
    assert a.component("sv").raw == 6_000
    assert b.component("sv").raw == 12_000
    assert a.component("sv").share == D("0.75")
    assert a.component("sv").points == 15
    assert b.component("sv").points == 20


def test_it_refuses_to_evaluate_a_tender_with_problems() -> None:
    with pytest.raises(EvaluationFileError) as raised:
        evaluate(tender([price(40), quality(weight=50)], [bid("A", 0, quality=9)]))
    codes = {problem.code for problem in raised.value.problems}  # type: ignore[attr-defined]
    assert codes == {"weights_sum", "price_not_positive", "score_outside_scale"}


def test_it_returns_decimals_throughout(negometrix_file: Path) -> None:
    evaluation = evaluate(load_yaml(negometrix_file))
    for result in evaluation.bids:
        assert isinstance(result.total, Decimal)
        for component in result.components:
            assert isinstance(component.points, Decimal)
            assert isinstance(component.weight, Decimal)
