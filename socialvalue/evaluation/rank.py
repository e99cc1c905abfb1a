"""Rank compliant bids deterministically, recording how every tie was broken.

The primary order is the highest total (or, under price per quality point, the lowest price per
quality point). Totals are compared at :data:`COMPARISON_PLACES` decimal places, far below any
displayed precision, so two totals equal in exact arithmetic tie even when a 34-digit division
left them differing in the last digit. Ties are broken by the tender's ``tie_break`` rules in
order; file order always comes last, so ranks are unique and never depend on chance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import groupby
from typing import Any

from socialvalue.evaluation.model import Tender, TieBreakRule
from socialvalue.evaluation.results import BidResult

COMPARISON_PLACES = 18
_QUANTUM = Decimal(1).scaleb(-COMPARISON_PLACES)
_INFINITY = Decimal("Infinity")


def comparison_value(value: Decimal) -> Decimal:
    """``value`` at the precision used to compare totals (18 decimal places)."""
    return value.quantize(_QUANTUM)


def primary_key(tender: Tender, bid: BidResult) -> Decimal:
    """The value ranked on: minus the total, or the price per quality point (smaller is better)."""
    return _primary_key(tender.uses_price_per_quality_point(), bid)


def _primary_key(per_quality_point: bool, bid: BidResult) -> Decimal:
    if per_quality_point:
        value = bid.price_per_quality_point
        return comparison_value(value) if value is not None else _INFINITY
    return -comparison_value(bid.total) if bid.total is not None else _INFINITY


def _rule_key(rule: str) -> Callable[[BidResult], Any]:
    name, _, argument = rule.partition(":")
    if name == TieBreakRule.LOWEST_PRICE.value:
        return lambda bid: bid.price if bid.price is not None else _INFINITY
    if name == TieBreakRule.HIGHEST_QUALITY.value:
        return lambda bid: -comparison_value(bid.quality_points or Decimal(0))
    if name == TieBreakRule.HIGHEST_POINTS.value:

        def points(bid: BidResult) -> Any:
            value = bid.points_by_criterion().get(argument)
            return -comparison_value(value) if value is not None else _INFINITY

        return points
    if name == TieBreakRule.BIDDER_NAME.value:
        return lambda bid: bid.bidder.casefold()
    return lambda bid: bid.file_order


def tie_break_rules(tender: Tender) -> tuple[str, ...]:
    """The tender's tie-break rules with file order added as the last resort."""
    rules = tuple(tender.tie_break)
    if TieBreakRule.FILE_ORDER.value not in rules:
        rules += (TieBreakRule.FILE_ORDER.value,)
    return rules


def deciding_rule(rules: Sequence[str], first: BidResult, second: BidResult) -> str:
    """The first rule that tells two tied bids apart."""
    for rule in rules:
        key = _rule_key(rule)
        if key(first) != key(second):
            return rule
    return TieBreakRule.FILE_ORDER.value


def rank_bids(tender: Tender, results: Sequence[BidResult]) -> tuple[BidResult, ...]:
    """Give compliant bids ranks 1, 2, 3 … and put excluded bids last in file order.

    Returns
    -------
    tuple of BidResult
        The same results with ``rank``, ``tied_with`` and ``tie_break_rule`` filled in.
    """
    rules = tie_break_rules(tender)
    keys = [_rule_key(rule) for rule in rules]
    compliant = [bid for bid in results if not bid.excluded]
    per_quality_point = tender.uses_price_per_quality_point()
    primary = {id(bid): _primary_key(per_quality_point, bid) for bid in compliant}
    compliant.sort(key=lambda bid: (primary[id(bid)], *[key(bid) for key in keys]))
    # Bids with the same primary key are next to each other once sorted.
    ranked: list[BidResult] = []
    for _, run in groupby(compliant, key=lambda bid: primary[id(bid)]):
        group = list(run)
        if len(group) == 1:
            ranked.append(group[0].ranked(len(ranked) + 1, (), ""))
            continue
        for place, bid in enumerate(group):
            tied = tuple(other.bidder for other in group if other is not bid)
            neighbour = group[place - 1] if place > 0 else group[1]
            rule = deciding_rule(rules, neighbour, bid)
            ranked.append(bid.ranked(len(ranked) + 1, tied, rule))
    excluded = tuple(bid for bid in results if bid.excluded)
    return tuple(ranked) + excluded
