"""Components built when asked for: the same figures a total was added up from (issue 7)."""

from __future__ import annotations

from decimal import Context, Decimal, localcontext
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from socialvalue.evaluation.fileformat import load_yaml
from socialvalue.evaluation.model import (
    Bid,
    Criterion,
    CriterionKind,
    PriceMethod,
    Scale,
    ScaleLevel,
    Score,
    SocialValueMode,
    Tender,
)
from socialvalue.evaluation.results import BidResult, Evaluation
from socialvalue.evaluation.scoring import SCORING_CONTEXT, evaluate
from socialvalue.evaluation.validation import validate_tender
from tests.evaluation.builders import D, bid, price, quality, tender

LEVELS = Scale(D(0), D(5), tuple(ScaleLevel(D(value), f"level {value}") for value in (0, 2, 5)))


def _added_up(result: BidResult, *, quality_only: bool = False) -> Decimal:
    """The total (or quality points) added up from the bid's top-level components."""
    with localcontext(SCORING_CONTEXT):
        return sum(
            (
                component.points or Decimal(0)
                for component in result.components
                if component.parent_id is None
                and not (quality_only and component.kind is CriterionKind.PRICE)
            ),
            Decimal(0),
        )


def _assert_totals_come_from_components(evaluation: Evaluation) -> None:
    for result in evaluation.bids:
        if result.total is None:
            continue
        # Exactly the same Decimal, digits and exponent, not just an equal value.
        assert result.total.as_tuple() == _added_up(result).as_tuple()
        assert result.quality_points is not None
        assert result.quality_points.as_tuple() == _added_up(result, quality_only=True).as_tuple()


@st.composite
def grouped_tenders(draw: st.DrawFn) -> Tender:
    method = draw(
        st.sampled_from(
            [PriceMethod.RELATIVE_TO_LOWEST, PriceMethod.LINEAR_RANGE, PriceMethod.BENCHMARK]
        )
    )
    extra = {"benchmark_price": D(150)} if method is PriceMethod.BENCHMARK else {}
    criteria = [
        price(30, method, **extra),
        Criterion(
            "quality",
            CriterionKind.QUALITY,
            D(50),
            "Quality",
            children=(
                quality(
                    "method", weight=70, maximum=10, threshold=draw(st.sampled_from([None, 2]))
                ),
                Criterion("team", CriterionKind.QUALITY, D(30), "Team", scale=LEVELS),
            ),
        ),
        Criterion(
            "social_value",
            CriterionKind.SOCIAL_VALUE,
            D(20),
            "Social value",
            children=(
                Criterion("practice", CriterionKind.SOCIAL_VALUE, D(50), scale=LEVELS),
                Criterion(
                    "commitments",
                    CriterionKind.SOCIAL_VALUE,
                    D(50),
                    social_value_mode=SocialValueMode.RELATIVE_TO_BEST,
                ),
            ),
        ),
        Criterion("insurance", CriterionKind.PASS_FAIL, D(0), "Insurance"),
    ]
    count = draw(st.integers(min_value=1, max_value=8))
    bids = [
        Bid(
            f"Bidder {index}",
            D(draw(st.integers(min_value=50, max_value=300))),
            {
                # "2.50" and "2.5" are the same score: the first one seen is worked out.
                "method": Score(D(draw(st.sampled_from(["0", "2.5", "2.50", "7", "10"])))),
                "team": Score(D(draw(st.sampled_from([0, 2, 5]))), "because"),
                "practice": Score(D(draw(st.sampled_from([0, 2, 5])))),
                "insurance": Score(draw(st.booleans())),
            },
            {"commitments": D(draw(st.integers(min_value=0, max_value=50)))},
        )
        for index in range(count)
    ]
    return tender(criteria, bids)


def test_the_example_totals_are_added_up_from_their_components(
    community_centre_file: Path, negometrix_file: Path
) -> None:
    _assert_totals_come_from_components(evaluate(load_yaml(community_centre_file)))
    _assert_totals_come_from_components(evaluate(load_yaml(negometrix_file)))


@settings(max_examples=100, deadline=None)
@given(grouped_tenders())
def test_every_total_is_added_up_from_its_components(built: Tender) -> None:
    _assert_totals_come_from_components(evaluate(built))


def test_the_components_are_built_once_and_kept(community_centre_file: Path) -> None:
    evaluation = evaluate(load_yaml(community_centre_file))
    for result in evaluation.bids:
        assert result.components is result.components
        assert result.components[0].criterion_id == "price"


def test_the_components_are_worked_out_at_full_precision_whenever_they_are_asked_for(
    community_centre_file: Path,
) -> None:
    first = evaluate(load_yaml(community_centre_file))
    second = evaluate(load_yaml(community_centre_file))
    with localcontext(Context(prec=3)):
        late = [result.components for result in second.bids]
    assert late == [result.components for result in first.bids]
    # A group's share is points / weight, a division: still 34 digits.
    shares = [component.share for components in late for component in components]
    assert any(share is not None and len(share.as_tuple().digits) > 3 for share in shares)


def test_a_bid_result_compares_and_prints_with_its_components(negometrix_file: Path) -> None:
    evaluated = evaluate(load_yaml(negometrix_file)).bids[0]
    components = evaluated.components
    kept = BidResult(
        evaluated.bidder,
        evaluated.file_order,
        evaluated.price,
        components,
        evaluated.total,
        evaluated.quality_points,
        evaluated.price_per_quality_point,
        evaluated.excluded,
        evaluated.reasons,
        evaluated.flags,
        evaluated.rank,
        evaluated.tied_with,
        evaluated.tie_break_rule,
    )
    assert kept == evaluated
    assert repr(kept) == repr(evaluated)
    assert f"components={components!r}" in repr(evaluated)
    assert kept != kept.ranked(2, (), "")


def test_it_finds_each_bad_score_among_many_good_ones() -> None:
    insurance = Criterion("insurance", CriterionKind.PASS_FAIL, D(0), "Insurance")
    levels = Criterion("team", CriterionKind.QUALITY, D(20), "Team", scale=LEVELS)
    good = [
        bid(f"Good {index}", 100, quality=index % 6, team=2, insurance=True) for index in range(40)
    ]
    bad = [
        bid("On/off quality", 100, quality=True, team=2, insurance=True),
        bid("Numeric insurance", 100, quality=3, team=2, insurance=1),
        bid("Missing team", 100, quality=3, insurance=True),
        bid("Off the levels", 100, quality=3, team=3, insurance=True),
        bid("Above the scale", 100, quality=6, team=5, insurance=True),
        bid("Unknown", 100, quality=3, team=2, insurance=True, colour=1),
    ]
    bids = [*good[:20], *bad, *good[20:]]
    problems = validate_tender(tender([price(40), quality(weight=40), levels, insurance], bids))
    assert [(problem.path, problem.code) for problem in problems] == [
        ("bids[20].scores.quality", "score_outside_scale"),
        ("bids[21].scores.insurance", "score_outside_scale"),
        ("bids[22].scores.team", "missing_score"),
        ("bids[23].scores.team", "score_outside_scale"),
        ("bids[24].scores.quality", "score_outside_scale"),
        ("bids[25].scores.colour", "unknown_criterion"),
    ]


def test_bids_with_the_same_score_share_a_component_only_when_written_alike() -> None:
    scores = ["2.5", "2.50", "2.5", "2.5"]
    reasons = ["", "", "", "Good examples."]
    evaluation = evaluate(
        tender(
            [price(40), quality(weight=60)],
            [
                Bid(f"Bidder {index}", D(100 + index), {"quality": Score(D(score), reason)})
                for index, (score, reason) in enumerate(zip(scores, reasons, strict=True))
            ],
        )
    )
    built = [evaluation.bid(f"Bidder {index}").component("quality") for index in range(4)]
    assert [str(component.raw) for component in built] == scores
    assert [component.reason for component in built] == reasons
    assert built[2] is built[0]
    assert built[1] is not built[0]
    assert built[3] is not built[0]
    assert all(component.points == D(30) for component in built)
