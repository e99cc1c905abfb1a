"""Evaluate a tender: exclusions, scores, weighted points, flags, ranking and the policy check.

The order of work is the order a panel follows:

1. **Compliance.** A bid that fails a pass/fail question, or scores below a criterion's
   threshold, is excluded and the reason recorded. Excluded bids take no part in relative price
   or relative social value scoring.
2. **Scores.** Each leaf criterion gives a share of its weight from 0 to 1: ``score / scale max``
   for quality and social value by levels (so the points are ``weight x score / scale max``); the
   price method's share for price; the bid's social value per pound relative to the best for
   ``relative_to_best`` and ``proxy_value``. Points are ``weight x share``; a group's points are
   the sum of its parts and the total is the sum of the top-level points.
3. **Flags.** Abnormally low prices are flagged, never excluded.
4. **Ranking.** Highest total first (lowest price per quality point first under that method),
   ties broken by the tender's rules, in order, ending with file order so the result never
   depends on chance.

All arithmetic is :class:`~decimal.Decimal` in a 34-digit context; nothing is rounded here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Context, Decimal, localcontext

from socialvalue.evaluation.checks import abnormally_low_flags, policy_findings
from socialvalue.evaluation.model import (
    Bid,
    Criterion,
    CriterionKind,
    PriceMethod,
    SocialValueMode,
    Tender,
)
from socialvalue.evaluation.price import FORMULAS, price_per_quality_point, price_shares
from socialvalue.evaluation.rank import rank_bids
from socialvalue.evaluation.results import BidResult, Component, Evaluation, Reason
from socialvalue.evaluation.validation import needs_commitment, needs_score, validate_tender
from socialvalue.exceptions import EvaluationFileError

SCORING_CONTEXT = Context(prec=34)
"""Precision of every calculation (IEEE decimal128); far beyond what any display shows."""

ZERO = Decimal(0)
ONE = Decimal(1)

SCALE_FORMULA = "weight x score / scale max"
RELATIVE_SV_FORMULA = "weight x (value / price) / best (value / price)"
PROXY_SV_FORMULA = (
    "weight x (sum of quantity x proxy / price) / best (sum of quantity x proxy / price)"
)


def evaluate(tender: Tender) -> Evaluation:
    """Evaluate ``tender`` and return every bid's result with its components.

    Raises
    ------
    EvaluationFileError
        When the tender has any problem (see
        :func:`~socialvalue.evaluation.validation.validate_tender`); nothing is evaluated.
    """
    problems = validate_tender(tender)
    if problems:
        raise EvaluationFileError(tuple(problems))
    with localcontext(SCORING_CONTEXT):
        return _evaluate(tender)


def evaluate_unchecked(tender: Tender) -> Evaluation:
    """Evaluate a tender already known to be valid (used by sensitivity analysis in loops)."""
    with localcontext(SCORING_CONTEXT):
        return _evaluate(tender)


def _evaluate(tender: Tender) -> Evaluation:
    leaves = tender.leaves()
    weights = tender.effective_weights()
    reasons = {bid.bidder: _exclusion_reasons(bid, leaves) for bid in tender.bids}
    compliant = [bid for bid in tender.bids if not reasons[bid.bidder]]

    shares: dict[str, dict[str, Decimal]] = {}  # criterion id -> bidder -> share
    raws: dict[str, dict[str, Decimal]] = {}
    for criterion in leaves:
        if criterion.kind is CriterionKind.PRICE:
            if criterion.method is not PriceMethod.PRICE_PER_QUALITY_POINT:
                prices = {bid.bidder: bid.price for bid in compliant if bid.price is not None}
                shares[criterion.id] = price_shares(criterion, prices)
        elif needs_commitment(criterion):
            values = {bid.bidder: committed_value(criterion, bid) for bid in tender.bids}
            raws[criterion.id] = values
            shares[criterion.id] = _relative_to_best(criterion, compliant, values)

    pqp = tender.uses_price_per_quality_point()
    plan = _plan(tender, weights)
    cache: list[dict[Decimal | bool, tuple[Decimal, Decimal, str]]] = [{} for _ in plan]
    results: list[BidResult] = []
    for order, bid in enumerate(tender.bids):
        excluded = bool(reasons[bid.bidder])
        components = _components(plan, bid, shares, raws, excluded=excluded, cache=cache)
        top = [component for component in components if component.parent_id is None]
        bid_reasons = list(reasons[bid.bidder])
        total: Decimal | None = None
        quality: Decimal | None = None
        per_point: Decimal | None = None
        if not excluded:
            total = sum((component.points or ZERO for component in top), ZERO)
            quality = sum(
                (
                    component.points or ZERO
                    for component in top
                    if component.kind is not CriterionKind.PRICE
                ),
                ZERO,
            )
            if pqp and bid.price is not None:
                if quality > ZERO:
                    per_point = price_per_quality_point(bid.price, quality)
                else:
                    bid_reasons.append(
                        Reason(
                            "no_quality_points",
                            "scored no quality points, so it has no price per quality point",
                        )
                    )
                    total = None
        results.append(
            BidResult(
                bidder=bid.bidder,
                file_order=order,
                price=bid.price,
                components=components,
                total=total,
                quality_points=quality,
                price_per_quality_point=per_point,
                excluded=bool(bid_reasons),
                reasons=tuple(bid_reasons),
                flags=(),
                rank=None,
            )
        )

    flags = abnormally_low_flags(
        {result.bidder: result.price for result in results if not result.excluded},
        tender.abnormally_low,
    )
    results = [replace(result, flags=tuple(flags.get(result.bidder, ()))) for result in results]
    ranked = rank_bids(tender, results)
    return Evaluation(tender=tender, bids=ranked, policy=policy_findings(tender))


def _exclusion_reasons(bid: Bid, leaves: tuple[Criterion, ...]) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    for criterion in leaves:
        score = bid.scores.get(criterion.id)
        if score is None:
            continue
        if criterion.kind is CriterionKind.PASS_FAIL and score.value is False:
            reasons.append(
                Reason(
                    "failed_pass_fail",
                    f"failed the pass/fail question {criterion.label}",
                    criterion.id,
                )
            )
        elif (
            criterion.threshold is not None
            and not isinstance(score.value, bool)
            and score.value < criterion.threshold
        ):
            reasons.append(
                Reason(
                    "below_threshold",
                    f"scored {_plain(score.value)} on {criterion.label}, below the minimum of "
                    f"{_plain(criterion.threshold)}",
                    criterion.id,
                )
            )
    return tuple(reasons)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def committed_value(criterion: Criterion, bid: Bid) -> Decimal:
    """The social value a bid commits on a value-for-money criterion, in money.

    ``relative_to_best``: the amount stated. ``proxy_value``: the sum over measures of quantity x
    proxy value.
    """
    commitment = bid.commitments.get(criterion.id)
    if commitment is None:
        return ZERO
    if isinstance(commitment, Decimal):
        return commitment
    proxies = {measure.id: measure.proxy_value for measure in criterion.measures}
    return sum(
        (quantity * proxies.get(measure_id, ZERO) for measure_id, quantity in commitment.items()),
        ZERO,
    )


def _relative_to_best(
    criterion: Criterion, compliant: list[Bid], values: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    ratios = {
        bid.bidder: values[bid.bidder] / bid.price
        for bid in compliant
        if bid.price is not None and bid.price > ZERO
    }
    best = max(ratios.values(), default=ZERO)
    if best == ZERO:
        return dict.fromkeys(ratios, ZERO)
    return {bidder: ratio / best for bidder, ratio in ratios.items()}


@dataclass(frozen=True, slots=True)
class _Step:
    """One criterion in tree order, with what scoring it needs worked out once per tender."""

    criterion: Criterion
    parent: str | None
    depth: int
    weight: Decimal
    children: tuple[int, ...]  # indices of the direct children's steps (groups only)
    on_scale: bool  # scored by evaluators on a scale: the common case, taken on a fast path
    label: str


def _plan(tender: Tender, weights: Mapping[str, Decimal]) -> tuple[_Step, ...]:
    steps: list[_Step] = []

    def visit(criterion: Criterion, parent: str | None, depth: int) -> int:
        index = len(steps)
        steps.append(
            _Step(criterion, parent, depth, weights[criterion.id], (), False, criterion.label)
        )
        children = tuple(visit(child, criterion.id, depth + 1) for child in criterion.children)
        on_scale = (
            not children
            and criterion.scale is not None
            and needs_score(criterion)
            and criterion.kind is not CriterionKind.PASS_FAIL
        )
        steps[index] = replace(steps[index], children=children, on_scale=on_scale)
        return index

    for criterion in tender.criteria:
        visit(criterion, None, 0)
    return tuple(steps)


def _components(
    plan: tuple[_Step, ...],
    bid: Bid,
    shares: Mapping[str, Mapping[str, Decimal]],
    raws: Mapping[str, Mapping[str, Decimal]],
    *,
    excluded: bool,
    cache: list[dict[Decimal | bool, tuple[Decimal, Decimal, str]]],
) -> tuple[Component, ...]:
    """Every component of one bid, in tree order.

    ``cache`` holds, per step, the share, points and descriptor already worked out for each
    score value, so a tender with many bids divides once per distinct score, not once per bid.
    """
    components: list[Component | None] = [None] * len(plan)
    scores = bid.scores
    # Leaves first (any order), then groups from the bottom up, so each group sums its parts.
    for index, step in enumerate(plan):
        if step.children:
            continue
        criterion = step.criterion
        if step.on_scale:
            score = scores[criterion.id]
            value = score.value
            worked = cache[index].get(value)
            if worked is None:
                assert not isinstance(value, bool)
                assert criterion.scale is not None
                share = value / criterion.scale.maximum
                descriptor = criterion.scale.descriptor_for(value)
                worked = cache[index][value] = (share, step.weight * share, descriptor)
            components[index] = Component(
                criterion.id,
                step.label,
                criterion.kind,
                step.parent,
                step.depth,
                value,
                worked[0],
                step.weight,
                worked[1],
                SCALE_FORMULA,
                score.reason,
                worked[2],
            )
        else:
            components[index] = _leaf_component(
                criterion, bid, step.weight, shares, raws, step.parent, step.depth, excluded
            )
    for index in range(len(plan) - 1, -1, -1):
        step = plan[index]
        if not step.children:
            continue
        points: Decimal | None = ZERO
        for child in step.children:
            part = components[child]
            if part is None or part.points is None or points is None:
                points = None
            else:
                points = points + part.points
        group_share = points / step.weight if points is not None and step.weight > ZERO else None
        components[index] = Component(
            step.criterion.id,
            step.criterion.label,
            step.criterion.kind,
            step.parent,
            step.depth,
            None,
            group_share,
            step.weight,
            points,
            "sum of the parts",
        )
    return tuple(component for component in components if component is not None)


def _leaf_component(
    criterion: Criterion,
    bid: Bid,
    weight: Decimal,
    shares: Mapping[str, Mapping[str, Decimal]],
    raws: Mapping[str, Mapping[str, Decimal]],
    parent: str | None,
    depth: int,
    excluded: bool,
) -> Component:
    score = bid.scores.get(criterion.id)
    reason = score.reason if score is not None else ""
    if criterion.kind is CriterionKind.PASS_FAIL:
        passed = score is not None and score.value is True
        return Component(
            criterion.id,
            criterion.label,
            criterion.kind,
            parent,
            depth,
            passed,
            None,
            weight,
            ZERO,
            "pass or fail",
            reason,
        )
    if criterion.kind is CriterionKind.PRICE:
        method = criterion.method or PriceMethod.RELATIVE_TO_LOWEST
        share = shares.get(criterion.id, {}).get(bid.bidder)
        if method is PriceMethod.PRICE_PER_QUALITY_POINT:
            share = None
        points = weight * share if share is not None else None
        if method is PriceMethod.PRICE_PER_QUALITY_POINT and not excluded:
            points = ZERO
        return Component(
            criterion.id,
            criterion.label,
            criterion.kind,
            parent,
            depth,
            bid.price,
            share,
            weight,
            points,
            FORMULAS[method],
            reason,
        )
    if needs_commitment(criterion):
        share = shares.get(criterion.id, {}).get(bid.bidder)
        formula = (
            PROXY_SV_FORMULA
            if criterion.social_value_mode is SocialValueMode.PROXY_VALUE
            else RELATIVE_SV_FORMULA
        )
        return Component(
            criterion.id,
            criterion.label,
            criterion.kind,
            parent,
            depth,
            raws[criterion.id][bid.bidder],
            share,
            weight,
            weight * share if share is not None else None,
            formula,
            reason,
        )
    assert criterion.scale is not None
    assert score is not None
    assert not isinstance(score.value, bool)
    share = score.value / criterion.scale.maximum
    return Component(
        criterion.id,
        criterion.label,
        criterion.kind,
        parent,
        depth,
        score.value,
        share,
        weight,
        weight * share,
        SCALE_FORMULA,
        reason,
        criterion.scale.descriptor_for(score.value),
    )
