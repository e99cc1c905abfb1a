"""Small builders for tenders in tests, so each test states only what it is about."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from socialvalue.evaluation.model import (
    Bid,
    Criterion,
    CriterionKind,
    PriceMethod,
    Scale,
    Score,
    Tender,
)


def D(value: object) -> Decimal:
    """A Decimal from an int or a string."""
    return Decimal(str(value))


def price(
    weight: object = 40, method: PriceMethod = PriceMethod.RELATIVE_TO_LOWEST, **extra: object
) -> Criterion:
    """A price criterion."""
    return Criterion("price", CriterionKind.PRICE, D(weight), "Price", method=method, **extra)  # type: ignore[arg-type]


def quality(
    criterion_id: str = "quality",
    weight: object = 60,
    maximum: object = 5,
    threshold: object | None = None,
    kind: CriterionKind = CriterionKind.QUALITY,
) -> Criterion:
    """A criterion scored on a 0-to-maximum scale."""
    return Criterion(
        criterion_id,
        kind,
        D(weight),
        criterion_id.replace("_", " ").capitalize(),
        scale=Scale(D(0), D(maximum)),
        threshold=D(threshold) if threshold is not None else None,
    )


def bid(bidder: str, bid_price: object, **scores: object) -> Bid:
    """A bid with its price and moderated scores (numbers, or True/False for pass/fail)."""
    return Bid(
        bidder,
        D(bid_price) if bid_price is not None else None,
        {
            key: Score(value if isinstance(value, bool) else D(value))
            for key, value in scores.items()
        },
    )


def tender(
    criteria: Sequence[Criterion], bids: Sequence[Bid], total_points: object = 100, **extra: object
) -> Tender:
    """A tender from criteria and bids."""
    return Tender(tuple(criteria), tuple(bids), total_points=D(total_points), **extra)  # type: ignore[arg-type]
