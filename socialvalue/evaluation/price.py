"""Price scoring formulas.

Each function returns the *share* of the price criterion's weight a price earns, a
:class:`~decimal.Decimal` from 0 to 1; the points are ``weight x share``. Only compliant bids
(not excluded by a threshold or a pass/fail question) take part, so the lowest and highest
prices are those of compliant bids. Sources are in ``reference/methods.md`` §5.2 and each
method's page under ``docs/evaluation/``.

=======================  ===================================================  ===========
method                   share of the weight                                  source
=======================  ===================================================  ===========
relative_to_lowest       ``P_min / P``                                        P1 (CCS)
linear_deviation         ``max(0, 1 - (P - P_min) / P_min)``                  P2
linear_range             ``(P_max - P) / (P_max - P_min)``; 1 if all equal    P3
benchmark                1 up to the benchmark B, falling linearly to 0 at Z  P5
price_per_quality_point  not a share: ``P / quality points``, lowest wins     P4
=======================  ===================================================  ===========
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from socialvalue.evaluation.model import Criterion, PriceMethod

ZERO = Decimal(0)
ONE = Decimal(1)


def relative_to_lowest(price: Decimal, lowest: Decimal) -> Decimal:
    """Share for ``S = S_max x P_min / P`` (the CCS "cheapest / other" formula).

    Examples
    --------
    >>> relative_to_lowest(Decimal(10_000), Decimal(8_000))
    Decimal('0.8')
    """
    return lowest / price


def linear_deviation(price: Decimal, lowest: Decimal) -> Decimal:
    """Share for ``S = S_max x max(0, 1 - (P - P_min) / P_min)``.

    A price 25% above the lowest loses 25% of the marks; at twice the lowest it scores nothing.

    Examples
    --------
    >>> linear_deviation(Decimal(10_000), Decimal(8_000))
    Decimal('0.75')
    """
    return max(ZERO, ONE - (price - lowest) / lowest)


def linear_range(price: Decimal, lowest: Decimal, highest: Decimal) -> Decimal:
    """Share for ``S = S_max x (P_max - P) / (P_max - P_min)``.

    The lowest price scores full marks and the highest nothing; when every price is the same each
    scores full marks.

    Examples
    --------
    >>> linear_range(Decimal(9_000), Decimal(8_000), Decimal(10_000))
    Decimal('0.5')
    """
    if highest == lowest:
        return ONE
    return (highest - price) / (highest - lowest)


def benchmark(price: Decimal, benchmark_price: Decimal, zero_score_price: Decimal) -> Decimal:
    """Share against a benchmark price set before bids are opened.

    A price at or below the benchmark ``B`` scores full marks; above it the share falls in a
    straight line to nothing at ``Z`` (the zero-score price, twice the benchmark by default):
    ``S = S_max x min(1, max(0, (Z - P) / (Z - B)))``. The score of one bid does not depend on
    the others, so adding or removing a bid can never reverse an order.

    Examples
    --------
    >>> benchmark(Decimal(110), Decimal(100), Decimal(200))
    Decimal('0.9')
    """
    if price <= benchmark_price:
        return ONE
    if price >= zero_score_price:
        return ZERO
    return (zero_score_price - price) / (zero_score_price - benchmark_price)


def price_per_quality_point(price: Decimal, quality_points: Decimal) -> Decimal:
    """Price divided by the quality points a bid earned; the lowest wins.

    Examples
    --------
    >>> price_per_quality_point(Decimal(90_000), Decimal(60))
    Decimal('1500')
    """
    return price / quality_points


def price_shares(criterion: Criterion, prices: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The share of the weight each compliant bid earns on a price criterion.

    Parameters
    ----------
    criterion
        The price criterion, whose ``method`` is not price per quality point.
    prices
        Compliant bids' prices by bidder (all greater than zero).

    Returns
    -------
    dict
        Bidder to share of the weight, from 0 to 1.
    """
    if not prices:
        return {}
    lowest = min(prices.values())
    highest = max(prices.values())
    method = criterion.method or PriceMethod.RELATIVE_TO_LOWEST
    if method is PriceMethod.RELATIVE_TO_LOWEST:
        return {bidder: relative_to_lowest(price, lowest) for bidder, price in prices.items()}
    if method is PriceMethod.LINEAR_DEVIATION:
        return {bidder: linear_deviation(price, lowest) for bidder, price in prices.items()}
    if method is PriceMethod.LINEAR_RANGE:
        return {bidder: linear_range(price, lowest, highest) for bidder, price in prices.items()}
    if method is PriceMethod.BENCHMARK:
        if criterion.benchmark_price is None:
            raise ValueError(
                f"criterion {criterion.id!r} uses benchmark but has no benchmark_price"
            )
        zero_at = zero_score_price_of(criterion)
        return {
            bidder: benchmark(price, criterion.benchmark_price, zero_at)
            for bidder, price in prices.items()
        }
    raise ValueError(f"{method.value} is a tender-level method and gives no per-bid share")


def zero_score_price_of(criterion: Criterion) -> Decimal:
    """The price at which a benchmark-scored bid gets nothing (twice the benchmark by default)."""
    if criterion.zero_score_price is not None:
        return criterion.zero_score_price
    if criterion.benchmark_price is None:
        raise ValueError(f"criterion {criterion.id!r} has no benchmark_price")
    return criterion.benchmark_price * 2


FORMULAS: dict[PriceMethod, str] = {
    PriceMethod.RELATIVE_TO_LOWEST: "weight x lowest price / price",
    PriceMethod.LINEAR_DEVIATION: "weight x max(0, 1 - (price - lowest) / lowest)",
    PriceMethod.LINEAR_RANGE: "weight x (highest - price) / (highest - lowest)",
    PriceMethod.BENCHMARK: (
        "weight x min(1, max(0, (zero-score price - price) / (zero-score price - benchmark)))"
    ),
    PriceMethod.PRICE_PER_QUALITY_POINT: "price / quality points (lowest wins)",
}
"""Each method's formula in plain symbols, for reports and explanations."""
