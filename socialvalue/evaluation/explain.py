"""Show an evaluation to people and programs: display rounding, plain words and JSON.

Display rule (the only place anything is rounded)
-------------------------------------------------
* points and scores: 2 decimal places, halves rounded up (``ROUND_HALF_UP``);
* money: 2 decimal places (pence or cents), halves rounded up, with thousands separators;
* percentages: 1 decimal place, halves rounded up.

Ranks and winners are decided on the unrounded values, so two bids shown with the same rounded
total may still be ranked apart; the report says so when it happens. JSON output carries the
exact values as decimal strings, plus the display strings.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from socialvalue.evaluation.model import CriterionKind, PriceMethod, SocialValueMode
from socialvalue.evaluation.price import zero_score_price_of
from socialvalue.evaluation.results import BidResult, Component, Evaluation

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
TWO_PLACES = Decimal("0.01")
ONE_PLACE = Decimal("0.1")


def exact(value: Decimal | None) -> str | None:
    """``value`` as a plain decimal string without trailing zeros (``146``, ``0.8``)."""
    if value is None:
        return None
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def display_points(value: Decimal | None) -> str:
    """Points or a score for people: 2 decimal places, halves up (``"146.00"``)."""
    if value is None:
        return "n/a"
    return f"{value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP):,}"


def display_number(value: Decimal | None) -> str:
    """A scale score as given (``4``, ``2.5``), without trailing zeros."""
    return exact(value) or "n/a"


def display_money(value: Decimal | None, currency: str = "GBP") -> str:
    """Money for people: 2 decimal places, halves up, with the currency (``"£10,000.00"``)."""
    if value is None:
        return "n/a"
    rounded = value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{rounded:,}" if symbol else f"{rounded:,} {currency}"


def display_percent(value: Decimal | None) -> str:
    """A percentage for people: 1 decimal place, halves up (``"20.0%"``)."""
    if value is None:
        return "n/a"
    return f"{value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)}%"


def _compliant_prices(evaluation: Evaluation) -> list[Decimal]:
    return [bid.price for bid in evaluation.ranked if bid.price is not None]


def explain_component(evaluation: Evaluation, bid: BidResult, component: Component) -> str:
    """One sentence saying how ``component`` was worked out, with the numbers put in."""
    currency = evaluation.tender.currency
    weight = display_number(component.weight)
    points = display_points(component.points)
    criteria = {criterion.id: criterion for criterion in evaluation.tender.all_criteria()}
    criterion = criteria[component.criterion_id]
    if criterion.is_group:
        return f"{component.name}: the sum of its parts, {points} of {weight} points."
    if component.kind is CriterionKind.PASS_FAIL:
        outcome = "passed" if component.raw is True else "failed"
        return f"{component.name}: {outcome} (pass/fail, no points)."
    if component.kind is CriterionKind.PRICE:
        assert isinstance(component.raw, Decimal) or component.raw is None
        price = display_money(component.raw, currency)
        if component.points is None:
            return f"{component.name}: {price}; not scored because the bid was excluded."
        method = criterion.method or PriceMethod.RELATIVE_TO_LOWEST
        prices = _compliant_prices(evaluation)
        lowest = display_money(min(prices), currency)
        if method is PriceMethod.RELATIVE_TO_LOWEST:
            working = f"{weight} x {lowest} / {price}"
        elif method is PriceMethod.LINEAR_DEVIATION:
            working = f"{weight} x max(0, 1 - ({price} - {lowest}) / {lowest})"
        elif method is PriceMethod.LINEAR_RANGE:
            highest = display_money(max(prices), currency)
            working = f"{weight} x ({highest} - {price}) / ({highest} - {lowest})"
        elif method is PriceMethod.BENCHMARK:
            benchmark = display_money(criterion.benchmark_price, currency)
            zero_at = display_money(zero_score_price_of(criterion), currency)
            working = (
                f"{weight} x min(1, max(0, ({zero_at} - {price}) / ({zero_at} - {benchmark})))"
            )
        else:
            per_point = display_money(bid.price_per_quality_point, currency)
            return (
                f"{component.name}: {price} / {display_points(bid.quality_points)} quality "
                f"points = {per_point} per quality point (the lowest wins)."
            )
        return f"{component.name}: {price}; {working} = {points} points."
    if component.kind is CriterionKind.SOCIAL_VALUE and (
        criterion.social_value_mode is not SocialValueMode.LEVELS
    ):
        assert isinstance(component.raw, Decimal)
        value = display_money(component.raw, currency)
        basis = (
            "quantity x proxy value summed over measures"
            if criterion.social_value_mode is SocialValueMode.PROXY_VALUE
            else "as committed"
        )
        if component.points is None:
            return f"{component.name}: {value} committed ({basis}); not scored (excluded)."
        return (
            f"{component.name}: {value} committed ({basis}) per pound of price, relative to the "
            f"best offer: {weight} x {display_points(component.share)} = {points} points."
        )
    scale = criterion.scale
    assert scale is not None
    assert isinstance(component.raw, Decimal)
    descriptor = f' ("{component.descriptor}")' if component.descriptor else ""
    sentence = (
        f"{component.name}: scored {display_number(component.raw)} out of "
        f"{display_number(scale.maximum)}{descriptor}; {weight} x "
        f"{display_number(component.raw)} / {display_number(scale.maximum)} = {points} points."
    )
    if component.reason:
        sentence += f" Reason: {component.reason}"
    return sentence


def _json_value(value: Decimal | bool | None) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    return exact(value)


def _details(details: dict[str, Any]) -> dict[str, Any]:
    return {
        key: exact(value) if isinstance(value, Decimal) else value for key, value in details.items()
    }


def bid_as_dict(evaluation: Evaluation, bid: BidResult) -> dict[str, Any]:
    """One bid's result as JSON-ready data, exact values as decimal strings."""
    return {
        "bidder": bid.bidder,
        "rank": bid.rank,
        "total": exact(bid.total),
        "total_display": display_points(bid.total) if bid.total is not None else None,
        "price": exact(bid.price),
        "quality_points": exact(bid.quality_points),
        "price_per_quality_point": exact(bid.price_per_quality_point),
        "excluded": bid.excluded,
        "reasons": [
            {"code": reason.code, "message": reason.message, "criterion": reason.criterion_id}
            for reason in bid.reasons
        ],
        "flags": {"abnormally_low": any(flag.code == "abnormally_low" for flag in bid.flags)},
        "flag_details": [
            {"code": flag.code, "message": flag.message, "details": _details(flag.details)}
            for flag in bid.flags
        ],
        "tied_with": list(bid.tied_with),
        "tie_break_rule": bid.tie_break_rule or None,
        "components": [
            {
                "criterion": component.criterion_id,
                "name": component.name,
                "kind": component.kind.value,
                "parent": component.parent_id,
                "raw": _json_value(component.raw),
                "share": exact(component.share),
                "weight": exact(component.weight),
                "points": exact(component.points),
                "formula": component.formula,
                "reason": component.reason,
                "explanation": explain_component(evaluation, bid, component),
            }
            for component in bid.components
        ],
    }


def evaluation_as_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The whole evaluation as JSON-ready data, as ``socialvalue tender evaluate --json`` prints."""
    tender = evaluation.tender
    winner = evaluation.winner
    return {
        "title": tender.title,
        "reference": tender.reference,
        "currency": tender.currency,
        "total_points": exact(tender.total_points),
        "award_method": (
            "price_per_quality_point" if tender.uses_price_per_quality_point() else "weighted_total"
        ),
        "winner": winner.bidder if winner is not None else None,
        "policy": [
            {"code": finding.code, "passed": finding.passed, "message": finding.message}
            for finding in evaluation.policy
        ],
        "bids": [bid_as_dict(evaluation, bid) for bid in evaluation.bids],
    }


def summary_lines(evaluation: Evaluation) -> list[str]:
    """A few plain sentences: who won, by how much, who was excluded and why, what was flagged."""
    tender = evaluation.tender
    lines: list[str] = []
    winner = evaluation.winner
    ranked = evaluation.ranked
    pqp = tender.uses_price_per_quality_point()
    if winner is None:
        lines.append("Every bid was excluded, so there is no winner.")
    elif pqp:
        lines.append(
            f"{winner.bidder} wins with the lowest price per quality point, "
            f"{display_money(winner.price_per_quality_point, tender.currency)}."
        )
    else:
        lines.append(
            f"{winner.bidder} wins with {display_points(winner.total)} points out of "
            f"{display_number(tender.total_points)}."
        )
        if len(ranked) > 1 and ranked[1].total is not None and winner.total is not None:
            gap = winner.total - ranked[1].total
            lines.append(
                f"{ranked[1].bidder} is second with {display_points(ranked[1].total)}, "
                f"{display_points(gap)} points behind."
            )
    for bid in ranked:
        if bid.tied_with and bid.tie_break_rule:
            lines.append(
                f"{bid.bidder} tied with {', '.join(bid.tied_with)}; the tie was broken by "
                f"the rule {bid.tie_break_rule}."
            )
    for bid in evaluation.bids:
        for reason in bid.reasons:
            lines.append(f"{bid.bidder} was excluded: it {reason.message}.")
        for flag in bid.flags:
            lines.append(f"{bid.bidder}: {flag.message}")
    for finding in evaluation.policy:
        if not finding.passed:
            lines.append(f"Policy check not met: {finding.message}")
    return lines
