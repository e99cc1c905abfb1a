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

Speed (issue 7: 10,000 bids x 50 criteria well under a second). Each criterion's share and points
are worked out once per distinct score, and a bid's total is added up from those, in tree order,
without building its :class:`~socialvalue.evaluation.results.Component` records. Each
:class:`~socialvalue.evaluation.results.BidResult` keeps what its components are built from and
builds them, in the same context and from the same worked-out scores, the first time they are
asked for (by a report, an explanation or JSON): exactly the figures its total was added up from.
The tender must not be changed after it is evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Context, Decimal, localcontext
from operator import attrgetter, getitem, itemgetter
from typing import Any

from socialvalue.evaluation.checks import abnormally_low_flags, policy_findings
from socialvalue.evaluation.model import (
    Bid,
    Criterion,
    CriterionKind,
    PriceMethod,
    Score,
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
    # Only pass/fail questions and thresholds can exclude a bid, so only they are looked at.
    gates = tuple(
        criterion
        for criterion in leaves
        if criterion.kind is CriterionKind.PASS_FAIL or criterion.threshold is not None
    )
    reasons = {bid.bidder: _exclusion_reasons(bid, gates) for bid in tender.bids}
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
    scoring = _Scoring(plan, shares, raws, [{} for _ in plan], [{} for _ in plan])
    layout = _layout(scoring)
    # One list per figure rather than one record per bid: fewer objects for the garbage
    # collector to track while a large tender is evaluated.
    totals: list[Decimal | None] = []
    qualities: list[Decimal | None] = []
    per_points: list[Decimal | None] = []
    bids_reasons: list[tuple[Reason, ...]] = []
    for bid in tender.bids:
        bid_reasons = reasons[bid.bidder]
        excluded = bool(bid_reasons)
        # Worked out for every bid, excluded or not, so the components built later find every
        # score already worked out, in the same order as when they were built up front.
        tops, quality_tops = layout.top_points(bid, excluded)
        total: Decimal | None = None
        quality: Decimal | None = None
        per_point: Decimal | None = None
        if not excluded:
            total = sum(tops, ZERO)
            quality = sum(quality_tops, ZERO)
            if pqp and bid.price is not None:
                if quality > ZERO:
                    per_point = price_per_quality_point(bid.price, quality)
                else:
                    bid_reasons = (
                        *bid_reasons,
                        Reason(
                            "no_quality_points",
                            "scored no quality points, so it has no price per quality point",
                        ),
                    )
                    total = None
        totals.append(total)
        qualities.append(quality)
        per_points.append(per_point)
        bids_reasons.append(bid_reasons)

    flags = abnormally_low_flags(
        {
            bid.bidder: bid.price
            for bid, bid_reasons in zip(tender.bids, bids_reasons, strict=True)
            if not bid_reasons
        },
        tender.abnormally_low,
    )
    results = [
        BidResult(
            bid.bidder,
            order,
            bid.price,
            _LazyComponents(scoring, bid, bool(reasons[bid.bidder])),
            total,
            quality,
            per_point,
            bool(bid_reasons),
            bid_reasons,
            tuple(flags.get(bid.bidder, ())),
            None,
        )
        for order, (bid, total, quality, per_point, bid_reasons) in enumerate(
            zip(tender.bids, totals, qualities, per_points, bids_reasons, strict=True)
        )
    ]
    ranked = rank_bids(tender, results)
    return Evaluation(tender=tender, bids=ranked, policy=policy_findings(tender))


def _exclusion_reasons(bid: Bid, gates: tuple[Criterion, ...]) -> tuple[Reason, ...]:
    """Why ``bid`` is excluded, checking the leaves ``gates`` in order (empty when compliant)."""
    reasons: list[Reason] = []
    for criterion in gates:
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


_Worked = tuple[Decimal, Decimal, str]
"""A score worked out on one criterion: the share, the points and the level's descriptor."""


@dataclass(frozen=True, slots=True)
class _Scoring:
    """What an evaluation worked out once for all bids, kept to build each bid's components."""

    plan: tuple[_Step, ...]
    shares: Mapping[str, Mapping[str, Decimal]]
    raws: Mapping[str, Mapping[str, Decimal]]
    worked: list[dict[Decimal | bool, _Worked]]  # per step: score value -> share, points, words
    shared: list[dict[Decimal, Component]]  # per step: score value -> a component with no reason


class _LazyComponents:
    """Builds one bid's components the first time they are asked for, then keeps them.

    The components are built by :func:`_components` from the same inputs, in the same
    34-digit context and from the same worked-out scores the bid's total was added up from,
    so they are exactly those an evaluation building every component up front would keep.
    """

    __slots__ = ("_bid", "_built", "_excluded", "_scoring")

    def __init__(self, scoring: _Scoring, bid: Bid, excluded: bool) -> None:
        self._scoring = scoring
        self._bid = bid
        self._excluded = excluded
        self._built: tuple[Component, ...] | None = None

    def __call__(self) -> tuple[Component, ...]:
        built = self._built
        if built is None:
            scoring = self._scoring
            with localcontext(SCORING_CONTEXT):
                built = _components(
                    scoring.plan,
                    self._bid,
                    scoring.shares,
                    scoring.raws,
                    excluded=self._excluded,
                    cache=scoring.worked,
                    shared=scoring.shared,
                )
            self._built = built
        return built


class _ScaleTable(dict[Decimal, Decimal]):
    """One scale criterion's points for each score value, worked out the first time it is seen.

    A missing value is worked out as :func:`_components` would (share, points, descriptor), kept
    in ``worked`` for the components, and its points kept here: ``points or 0`` for a top-level
    criterion, as the total adds them up.
    """

    __slots__ = ("_step", "_top", "_worked")

    def __init__(self, step: _Step, worked: dict[Decimal | bool, _Worked]) -> None:
        super().__init__()
        self._step = step
        self._worked = worked
        self._top = step.parent is None

    def __missing__(self, value: Decimal) -> Decimal:
        step = self._step
        scale = step.criterion.scale
        assert not isinstance(value, bool)
        assert scale is not None
        worked = self._worked.get(value)
        if worked is None:
            share = value / scale.maximum
            worked = self._worked[value] = (
                share,
                step.weight * share,
                scale.descriptor_for(value),
            )
        points = (worked[1] or ZERO) if self._top else worked[1]
        self[value] = points
        return points


_SCORE_VALUE = attrgetter("value")


def _getter(keys: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """A function picking ``keys`` out of a list or mapping, always as a tuple (in C)."""
    if not keys:
        return lambda values: ()
    if len(keys) == 1:
        only = keys[0]
        return lambda values: (values[only],)
    return itemgetter(*keys)


@dataclass(frozen=True, slots=True)
class _Layout:
    """How a bid's top-level points are added up without building its components.

    A bid's points go into a list of slots: first the scale criteria's points (looked up per
    distinct score in :class:`_ScaleTable`, one C-level pass over the bid's scores), then the
    other leaves' (price, commitments, pass/fail), then the groups' (each the sum of its parts,
    from the bottom up). Top-level slots hold ``points or 0``, as the total adds them up.
    """

    scoring: _Scoring
    scale_scores: Callable[[Mapping[str, Score]], tuple[Score, ...]]  # a bid's scale scores
    tables: tuple[_ScaleTable, ...]
    others: tuple[int, ...]  # plan indices of the other leaves
    groups: tuple[tuple[tuple[int, ...], bool], ...]  # (slots of the parts, top level?)
    tops: Callable[[list[Decimal | None]], tuple[Decimal, ...]]  # top-level points
    quality: Callable[[list[Decimal | None]], tuple[Decimal, ...]]  # those not price

    def top_points(
        self, bid: Bid, excluded: bool
    ) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]]:
        """The top-level points of ``bid`` (``None`` as 0), all and those that are not price.

        The total is their sum from 0 in tree order, as in :func:`_evaluate`; the quality
        points the sum of the second.
        """
        values: list[Decimal | None] = list(
            map(getitem, self.tables, map(_SCORE_VALUE, self.scale_scores(bid.scores)))
        )
        plan = self.scoring.plan
        for index in self.others:
            step = plan[index]
            _, points = _share_and_points(
                step.criterion, bid, step.weight, self.scoring.shares, excluded
            )
            values.append((points or ZERO) if step.parent is None else points)
        for parts, top in self.groups:
            total: Decimal | None = ZERO  # the sum of the parts, as in _components
            for slot in parts:
                part = values[slot]
                total = None if part is None or total is None else total + part
            values.append((total or ZERO) if top else total)
        return self.tops(values), self.quality(values)


def _layout(scoring: _Scoring) -> _Layout:
    plan = scoring.plan
    scale = [index for index, step in enumerate(plan) if step.on_scale]
    others = [index for index, step in enumerate(plan) if not step.children and not step.on_scale]
    groups = [index for index in range(len(plan) - 1, -1, -1) if plan[index].children]
    slot_of = {index: slot for slot, index in enumerate([*scale, *others, *groups])}
    tops = [index for index, step in enumerate(plan) if step.parent is None]
    return _Layout(
        scoring,
        _getter([plan[index].criterion.id for index in scale]),
        tuple(_ScaleTable(plan[index], scoring.worked[index]) for index in scale),
        tuple(others),
        tuple(
            (tuple(slot_of[child] for child in plan[index].children), plan[index].parent is None)
            for index in groups
        ),
        _getter([slot_of[index] for index in tops]),
        _getter(
            [
                slot_of[index]
                for index in tops
                if plan[index].criterion.kind is not CriterionKind.PRICE
            ]
        ),
    )


def _components(
    plan: tuple[_Step, ...],
    bid: Bid,
    shares: Mapping[str, Mapping[str, Decimal]],
    raws: Mapping[str, Mapping[str, Decimal]],
    *,
    excluded: bool,
    cache: list[dict[Decimal | bool, _Worked]],
    shared: list[dict[Decimal, Component]] | None = None,
) -> tuple[Component, ...]:
    """Every component of one bid, in tree order.

    ``cache`` holds, per step, the share, points and descriptor already worked out for each
    score value, so a tender with many bids divides once per distinct score, not once per bid.
    ``shared`` holds, per step, a component already built for a score value with no reason:
    another bid with the same score, written the same way (same digits and exponent), and no
    reason gets that same immutable component rather than a new one, which saves building
    (and the garbage collector tracking) one object per bid per criterion.
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
            reuse: dict[Decimal, Component] | None = None
            if shared is not None and not score.reason and type(value) is Decimal:
                same = shared[index].get(value)
                if same is None:
                    reuse = shared[index]  # the first component for this score is shared
                elif _written_alike(value, same.raw):
                    components[index] = same
                    continue
            component = components[index] = Component(
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
            if reuse is not None:
                assert isinstance(value, Decimal)
                reuse[value] = component
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


def _share_and_points(
    criterion: Criterion,
    bid: Bid,
    weight: Decimal,
    shares: Mapping[str, Mapping[str, Decimal]],
    excluded: bool,
) -> tuple[Decimal | None, Decimal | None]:
    """The share and points of a leaf not scored on a scale: pass/fail, price or commitment.

    Pass/fail earns no points (0). Price and commitments earn ``weight x share`` from the
    shares worked out over the compliant bids, or ``None`` when the bid has no share (excluded);
    under price per quality point the price has no share and earns 0 points for a compliant bid.
    """
    kind = criterion.kind
    if kind is CriterionKind.PASS_FAIL:
        return None, ZERO
    if kind is CriterionKind.PRICE or needs_commitment(criterion):
        if kind is CriterionKind.PRICE and criterion.method is PriceMethod.PRICE_PER_QUALITY_POINT:
            return None, None if excluded else ZERO
        share = shares.get(criterion.id, {}).get(bid.bidder)
        return share, weight * share if share is not None else None
    # A leaf scored on a scale, normally worked out through _ScaleTable.
    score = bid.scores.get(criterion.id)
    assert criterion.scale is not None
    assert score is not None
    assert not isinstance(score.value, bool)
    share = score.value / criterion.scale.maximum
    return share, weight * share


def _written_alike(value: Decimal, other: Decimal | bool | None) -> bool:
    """Whether two scores are the same Decimal written the same way (``2.5`` is not ``2.50``)."""
    return type(other) is Decimal and not value.compare_total(other)


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
        share, points = _share_and_points(criterion, bid, weight, shares, excluded)
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
        share, points = _share_and_points(criterion, bid, weight, shares, excluded)
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
            points,
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
