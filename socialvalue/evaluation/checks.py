"""Checks that inform the panel without changing scores: abnormally low prices and policy.

Abnormally low prices (``reference/methods.md`` §5.1, Prozorro's rule in ``reference/peers.md``
§3.1): a price is flagged when it is at least 40% below the mean of the *other* compliant bids'
prices, or at least 30% below the next lowest compliant price. Both percentages are settings. A
flag asks the buyer to seek an explanation; it never excludes a bid.

Policy (§4.2-4.3, §0 fact 6): social value should carry at least 10% of the total (of the quality
points under price per quality point); Preston's preset checks 20%, split evenly between Part A
and Part B.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from decimal import Decimal

from socialvalue.evaluation.model import (
    HUNDRED,
    AbnormallyLowRule,
    CriterionKind,
    Tender,
)
from socialvalue.evaluation.results import Flag, PolicyFinding

ZERO = Decimal(0)
PRESTON_SOCIAL_VALUE = Decimal(20)
PRESTON_PART = Decimal(10)


def _percent(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'), rounding='ROUND_HALF_UP')}%"


def abnormally_low_flags(
    prices: Mapping[str, Decimal | None], rule: AbnormallyLowRule
) -> dict[str, list[Flag]]:
    """Flag prices far below the others.

    Parameters
    ----------
    prices
        Compliant bids' prices by bidder; bids without a price are ignored.
    rule
        The two percentages.

    Returns
    -------
    dict
        Bidder to flags (only bidders with a flag appear). Each flag's ``details`` holds the
        exact percentages below the mean of the others and below the next lowest.
    """
    priced = {bidder: price for bidder, price in prices.items() if price is not None}
    flags: dict[str, list[Flag]] = {}
    if len(priced) < 2:
        return flags
    ordered = sorted(priced.values())
    total = sum(ordered, ZERO)
    for bidder, price in priced.items():
        others_mean = (total - price) / (len(priced) - 1)
        below_mean = (others_mean - price) / others_mean * HUNDRED
        position = bisect_right(ordered, price)
        next_lowest = ordered[position] if position < len(ordered) else None
        below_next = (
            (next_lowest - price) / next_lowest * HUNDRED if next_lowest is not None else None
        )
        hits: list[str] = []
        if below_mean >= rule.below_mean_of_others:
            hits.append(
                f"{_percent(below_mean)} below the mean of the other bids "
                f"(the rule is {_percent(rule.below_mean_of_others)})"
            )
        if below_next is not None and below_next >= rule.below_next_lowest:
            hits.append(
                f"{_percent(below_next)} below the next lowest bid "
                f"(the rule is {_percent(rule.below_next_lowest)})"
            )
        if hits:
            flags[bidder] = [
                Flag(
                    "abnormally_low",
                    "The price is abnormally low: "
                    + "; ".join(hits)
                    + ". Ask the bidder to explain it; the bid is not excluded.",
                    {
                        "below_mean_of_others_percent": below_mean,
                        "below_next_lowest_percent": below_next,
                        "mean_of_others": others_mean,
                        "next_lowest": next_lowest,
                    },
                )
            ]
    return flags


def social_value_share(tender: Tender) -> Decimal:
    """Social value's weight as a percentage of the total points (of quality points under PQP)."""
    weights = tender.effective_weights()
    social = sum(
        (
            weights[criterion.id]
            for criterion in tender.criteria
            if criterion.kind is CriterionKind.SOCIAL_VALUE
        ),
        ZERO,
    )
    base = tender.total_points
    if tender.uses_price_per_quality_point():
        base = sum(
            (
                criterion.weight
                for criterion in tender.criteria
                if criterion.kind is not CriterionKind.PRICE
            ),
            ZERO,
        )
    return social / base * HUNDRED if base > ZERO else ZERO


def policy_findings(tender: Tender) -> tuple[PolicyFinding, ...]:
    """Check the weights against the buyer's social value policy.

    A failed finding is reported, not enforced: a buyer may have good reason (local government is
    not bound by the 10% of PPN 002), but the report must say so.
    """
    share = social_value_share(tender)
    minimum = tender.policy.social_value_minimum
    of_what = "of the quality points" if tender.uses_price_per_quality_point() else "of the total"
    findings = [
        PolicyFinding(
            "social_value_minimum",
            share >= minimum,
            f"Social value carries {_percent(share)} {of_what}; the policy minimum is "
            f"{_percent(minimum)}.",
        )
    ]
    if tender.policy.preset == "preston":
        weights = tender.effective_weights()
        parts: dict[str, Decimal] = {"A": ZERO, "B": ZERO}
        for criterion in tender.all_criteria():
            if criterion.kind is CriterionKind.SOCIAL_VALUE and criterion.part.upper() in parts:
                base = tender.total_points
                parts[criterion.part.upper()] += weights[criterion.id] / base * HUNDRED
        findings.append(
            PolicyFinding(
                "preston_social_value_weight",
                share == PRESTON_SOCIAL_VALUE,
                f"Preston's policy gives social value 20% of the score; this tender gives "
                f"{_percent(share)}.",
            )
        )
        findings.append(
            PolicyFinding(
                "preston_parts_split",
                parts["A"] == PRESTON_PART and parts["B"] == PRESTON_PART,
                f"Preston splits social value evenly: Part A (current practice) 10% and Part B "
                f"(commitments) 10%; this tender gives Part A {_percent(parts['A'])} and Part B "
                f"{_percent(parts['B'])}.",
            )
        )
    return tuple(findings)
