"""Invariants that hold for every tender (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from socialvalue.evaluation.model import PriceMethod, Tender
from socialvalue.evaluation.scoring import evaluate
from tests.evaluation.builders import D, bid, price, quality, tender

METHODS = [PriceMethod.RELATIVE_TO_LOWEST, PriceMethod.LINEAR_DEVIATION, PriceMethod.LINEAR_RANGE]
prices = st.integers(min_value=1, max_value=10**9).map(lambda pence: Decimal(pence) / 100)


@st.composite
def tenders(draw: st.DrawFn, method: PriceMethod | None = None) -> Tender:
    price_weight = draw(st.integers(min_value=1, max_value=98))
    quality_weight = draw(st.integers(min_value=1, max_value=99 - price_weight))
    social_weight = 100 - price_weight - quality_weight
    threshold = draw(st.none() | st.integers(min_value=0, max_value=5))
    chosen = method or draw(st.sampled_from(METHODS))
    count = draw(st.integers(min_value=1, max_value=6))
    bids = [
        bid(
            f"Bidder {index}",
            draw(prices),
            quality=draw(st.integers(min_value=0, max_value=5)),
            social_value=draw(st.integers(min_value=0, max_value=10)),
        )
        for index in range(count)
    ]
    return tender(
        [
            price(price_weight, chosen),
            quality(weight=quality_weight, threshold=threshold),
            quality("social_value", weight=social_weight, maximum=10),
        ],
        bids,
    )


@settings(max_examples=150, deadline=None)
@given(tenders())
def test_it_keeps_every_share_within_its_scale_and_every_total_within_the_weights(
    built: Tender,
) -> None:
    evaluation = evaluate(built)
    for result in evaluation.bids:
        for component in result.components:
            if component.share is not None:
                assert 0 <= component.share <= 1
            if component.points is not None:
                assert 0 <= component.points <= component.weight
        if result.total is not None:
            assert 0 <= result.total <= built.total_points


@settings(max_examples=150, deadline=None)
@given(tenders(PriceMethod.RELATIVE_TO_LOWEST))
def test_it_gives_the_lowest_compliant_price_full_marks(built: Tender) -> None:
    evaluation = evaluate(built)
    compliant = evaluation.ranked
    if compliant:
        lowest = min(result.price for result in compliant if result.price is not None)
        for result in compliant:
            if result.price == lowest:
                assert result.component("price").share == 1


@settings(max_examples=150, deadline=None)
@given(tenders(PriceMethod.RELATIVE_TO_LOWEST), st.integers(min_value=2, max_value=10**6))
def test_it_ignores_a_common_scale_of_all_prices(built: Tender, factor: int) -> None:
    from dataclasses import replace

    scaled = replace(
        built,
        bids=tuple(
            replace(b, price=b.price * factor if b.price is not None else None) for b in built.bids
        ),
    )
    before = evaluate(built)
    after = evaluate(scaled)
    for original, changed in zip(before.bids, after.bids, strict=True):
        assert original.bidder == changed.bidder
        assert original.component("price").share == changed.component("price").share
        assert original.rank == changed.rank


@settings(max_examples=150, deadline=None)
@given(tenders())
def test_it_never_ranks_an_excluded_bid(built: Tender) -> None:
    evaluation = evaluate(built)
    ranks = [result.rank for result in evaluation.bids if not result.excluded]
    assert sorted(rank for rank in ranks if rank is not None) == list(range(1, len(ranks) + 1))
    for result in evaluation.bids:
        if result.excluded:
            assert result.rank is None
            assert result.total is None
            assert result.reasons
    threshold = built.criteria[1].threshold
    for result in evaluation.bids:
        score = result.component("quality").raw
        assert isinstance(score, Decimal)
        assert result.excluded == (threshold is not None and score < threshold)


@settings(max_examples=50, deadline=None)
@given(tenders())
def test_it_ranks_by_total(built: Tender) -> None:
    ranked = evaluate(built).ranked
    totals = [result.total for result in ranked]
    assert totals == sorted(totals, reverse=True)  # type: ignore[type-var]
    assert D(0) <= (totals[0] or D(0)) if totals else True
