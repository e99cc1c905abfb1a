"""How fragile is the ranking? Weight changes, score changes, Monte Carlo and rank reversal.

Four questions, each answered in plain words in the award report:

1. **Smallest weight change.** For each top-level criterion, the smallest change of its weight
   (the other weights scaled to keep the total) that lets another bid draw level with the
   winner. Each bid's total is a straight line in the change ``d``:
   ``total(d) = (w + d) x share + (T - w - d) / (T - w) x rest``, so the crossing point is
   exact (Decimal); under price per quality point the same holds for the cross-multiplied
   comparison ``P_j x Q_w(d) = P_w x Q_j(d)``.
2. **Smallest score change.** For each bid and each criterion scored on a scale, the nearest
   other score on the scale that changes the winner, found by re-evaluating the tender (so
   thresholds and exclusions are taken into account).
3. **Monte Carlo over weights.** Weights drawn from a Dirichlet distribution centred on the chosen
   weights (``alpha = concentration x weight share``), NumPy-vectorised and seeded; each bidder's
   probability of winning is the share of draws it wins. This is an indication, computed in
   binary floating point; the official result is the Decimal evaluation.
4. **Rank reversal.** Whether removing a bid, or adding a new bid at some price, would reverse
   the order of two other bids: the known flaw of relative price scoring.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext

import numpy as np

from socialvalue.evaluation.model import (
    Bid,
    CriterionKind,
    PriceMethod,
    Score,
    SocialValueMode,
    Tender,
)
from socialvalue.evaluation.results import BidResult, Evaluation
from socialvalue.evaluation.scoring import SCORING_CONTEXT, evaluate_unchecked
from socialvalue.evaluation.validation import needs_commitment, needs_score

ZERO = Decimal(0)
RELATIVE_PRICE_METHODS = (
    PriceMethod.RELATIVE_TO_LOWEST,
    PriceMethod.LINEAR_DEVIATION,
    PriceMethod.LINEAR_RANGE,
)
HYPOTHETICAL_BIDDER = "(a new bid)"


@dataclass(frozen=True, slots=True)
class WeightChange:
    """The smallest change of one criterion's weight that lets ``challenger`` draw level.

    ``change`` is in points (negative for a cut); the other weights are scaled to keep the total.
    """

    criterion_id: str
    name: str
    current_weight: Decimal
    new_weight: Decimal
    change: Decimal
    challenger: str


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """The nearest moderated score for one bid on one criterion that changes the winner."""

    bidder: str
    criterion_id: str
    name: str
    current_score: Decimal
    new_score: Decimal
    scale_range: Decimal
    new_winner: str

    @property
    def relative_change(self) -> Decimal:
        """The change as a share of the scale's range (to compare across scales)."""
        return abs(self.new_score - self.current_score) / self.scale_range


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Each bidder's share of the Monte Carlo draws it wins."""

    samples: int
    concentration: Decimal
    seed: int
    criteria: tuple[str, ...]
    win_probability: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class RankReversal:
    """Two bids whose order would reverse if a bid were removed or a new one added.

    ``trigger`` is ``"removed"`` or ``"added"``; for ``"removed"``, ``bidder`` is the bid removed;
    for ``"added"``, ``price`` is the boundary price of a new bid at which the order reverses
    and ``direction`` says whether a new price ``below`` or ``above`` it does so.
    """

    trigger: str
    first: str
    second: str
    bidder: str = ""
    price: Decimal | None = None
    direction: str = ""


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """All sensitivity findings for one evaluation."""

    winner: str | None
    weight_changes: tuple[WeightChange, ...]
    score_changes: tuple[ScoreChange, ...]
    monte_carlo: MonteCarloResult | None
    reversals: tuple[RankReversal, ...]

    @property
    def smallest_weight_change(self) -> WeightChange | None:
        """The weight change smallest in absolute points, or None if no change flips it."""
        return min(self.weight_changes, key=lambda change: abs(change.change), default=None)

    @property
    def smallest_score_change(self) -> ScoreChange | None:
        """The score change smallest as a share of its scale, or None."""
        return min(self.score_changes, key=lambda change: change.relative_change, default=None)


def _weighted_top_level(tender: Tender) -> list[str]:
    pqp = tender.uses_price_per_quality_point()
    ids = []
    for criterion in tender.criteria:
        if criterion.kind is CriterionKind.PASS_FAIL or criterion.weight <= ZERO:
            continue
        if pqp and criterion.kind is CriterionKind.PRICE:
            continue
        ids.append(criterion.id)
    return ids


def _line(
    bid: BidResult, criterion_id: str, weight: Decimal, rest_total: Decimal, ids: Sequence[str]
) -> tuple[Decimal, Decimal]:
    """Intercept and slope of a bid's total (or quality points) as the weight of one changes."""
    points = bid.points_by_criterion()
    own = points[criterion_id] or ZERO
    share = own / weight
    rest = sum((points[other] or ZERO for other in ids if other != criterion_id), ZERO)
    # total(d) = (w + d) share + (T - w - d) / (T - w) rest
    intercept = weight * share + rest
    slope = share - rest / rest_total
    return intercept, slope


def weight_changes(evaluation: Evaluation) -> tuple[WeightChange, ...]:
    """For each weighted top-level criterion, the smallest weight change that changes the winner.

    Returns
    -------
    tuple of WeightChange
        One per criterion where some change within 0 to the total flips the winner, sorted by the
        size of the change.
    """
    tender = evaluation.tender
    winner = evaluation.winner
    ranked = evaluation.ranked
    if winner is None or len(ranked) < 2:
        return ()
    ids = _weighted_top_level(tender)
    names = {criterion.id: criterion.label for criterion in tender.criteria}
    weights = {criterion.id: criterion.weight for criterion in tender.criteria}
    total = sum((weights[criterion_id] for criterion_id in ids), ZERO)
    pqp = tender.uses_price_per_quality_point()
    found: list[WeightChange] = []
    with localcontext(SCORING_CONTEXT):
        for criterion_id in ids:
            weight = weights[criterion_id]
            rest_total = total - weight
            if rest_total <= ZERO:
                continue
            a_w, b_w = _line(winner, criterion_id, weight, rest_total, ids)
            best: tuple[Decimal, str] | None = None
            for other in ranked[1:]:
                a_o, b_o = _line(other, criterion_id, weight, rest_total, ids)
                if pqp:
                    # winner ahead while P_o Q_w(d) - P_w Q_o(d) > 0
                    assert winner.price is not None
                    assert other.price is not None
                    intercept = other.price * a_w - winner.price * a_o
                    slope = other.price * b_w - winner.price * b_o
                else:
                    intercept = a_w - a_o
                    slope = b_w - b_o
                if slope == ZERO:
                    continue
                change = -intercept / slope
                if not -weight <= change <= rest_total:
                    continue
                if best is None or abs(change) < abs(best[0]):
                    best = (change, other.bidder)
            if best is not None:
                change, challenger = best
                found.append(
                    WeightChange(
                        criterion_id,
                        names[criterion_id],
                        weight,
                        weight + change,
                        change,
                        challenger,
                    )
                )
    return tuple(sorted(found, key=lambda item: abs(item.change)))


def _with_score(tender: Tender, bidder: str, criterion_id: str, value: Decimal) -> Tender:
    bids = []
    for bid in tender.bids:
        if bid.bidder == bidder:
            old = bid.scores[criterion_id]
            scores = dict(bid.scores)
            scores[criterion_id] = Score(value, old.reason)
            bid = replace(bid, scores=scores)
        bids.append(bid)
    return replace(tender, bids=tuple(bids))


def score_changes(evaluation: Evaluation) -> tuple[ScoreChange, ...]:
    """For each bid and scale-scored criterion, the nearest score that changes the winner.

    Scores are moved one scale step at a time (each level, or each whole number), nearest first,
    upward and downward; the tender is re-evaluated for each, so a score falling below a threshold
    excludes the bid just as it would for real.
    """
    tender = evaluation.tender
    winner = evaluation.winner
    if winner is None:
        return ()
    found: list[ScoreChange] = []
    for criterion in tender.leaves():
        if not needs_score(criterion) or criterion.kind is CriterionKind.PASS_FAIL:
            continue
        scale = criterion.scale
        assert scale is not None
        candidates = scale.candidate_scores()
        for bid in tender.bids:
            current = bid.scores[criterion.id].value
            assert isinstance(current, Decimal)
            for direction in (1, -1):
                steps = sorted(
                    (value for value in candidates if (value - current) * direction > 0),
                    key=lambda value: abs(value - current),
                )
                for value in steps:
                    trial = evaluate_unchecked(_with_score(tender, bid.bidder, criterion.id, value))
                    new_winner = trial.winner
                    if new_winner is None or new_winner.bidder != winner.bidder:
                        found.append(
                            ScoreChange(
                                bid.bidder,
                                criterion.id,
                                criterion.label,
                                current,
                                value,
                                scale.maximum - scale.minimum,
                                new_winner.bidder if new_winner is not None else "",
                            )
                        )
                        break
    return tuple(sorted(found, key=lambda item: (item.relative_change, item.bidder)))


def share_matrix(evaluation: Evaluation, criterion_ids: Sequence[str]) -> np.ndarray:
    """Compliant bids' shares (0 to 1) of each criterion's weight, in rank order, as floats."""
    weights = {criterion.id: criterion.weight for criterion in evaluation.tender.criteria}
    rows = []
    for bid in evaluation.ranked:
        points = bid.points_by_criterion()
        rows.append(
            [
                float((points[criterion_id] or ZERO) / weights[criterion_id])
                for criterion_id in criterion_ids
            ]
        )
    return np.array(rows, dtype=float).reshape(len(rows), len(criterion_ids))


def dirichlet_winners(
    shares: np.ndarray,
    weights: np.ndarray,
    *,
    samples: int,
    concentration: float,
    seed: int,
    prices: np.ndarray | None = None,
) -> np.ndarray:
    """Count, for each bid, how many weight draws it wins (vectorised).

    Parameters
    ----------
    shares
        Bids x criteria shares of weight, bids in official rank order (so exact ties go to the
        bid ranked higher, as the tie-break did).
    weights
        The chosen weights of those criteria (any positive scale).
    samples, concentration, seed
        Number of draws, Dirichlet concentration, random seed.
    prices
        When given, rank by lowest price per quality point instead of highest total.

    Returns
    -------
    numpy.ndarray
        Wins per bid (integers summing to ``samples``).
    """
    generator = np.random.default_rng(seed)
    alpha = concentration * weights / weights.sum()
    draws = generator.dirichlet(alpha, size=samples)
    totals = draws @ shares.T
    if prices is None:
        winners = np.argmax(totals, axis=1)
    else:
        with np.errstate(divide="ignore"):
            per_point = np.where(totals > 0, prices[np.newaxis, :] / totals, np.inf)
        winners = np.argmin(per_point, axis=1)
    return np.bincount(winners, minlength=shares.shape[0])


def monte_carlo(evaluation: Evaluation) -> MonteCarloResult | None:
    """Each compliant bidder's chance of winning when the weights vary around the chosen ones."""
    tender = evaluation.tender
    ranked = evaluation.ranked
    ids = _weighted_top_level(tender)
    if not ranked or len(ids) < 2:
        return None
    settings = tender.sensitivity
    weights = np.array(
        [float(criterion.weight) for criterion in tender.criteria if criterion.id in ids]
    )
    prices = None
    if tender.uses_price_per_quality_point():
        prices = np.array([float(bid.price or 0) for bid in ranked])
    wins = dirichlet_winners(
        share_matrix(evaluation, ids),
        weights,
        samples=settings.samples,
        concentration=float(settings.concentration),
        seed=settings.seed,
        prices=prices,
    )
    return MonteCarloResult(
        samples=settings.samples,
        concentration=settings.concentration,
        seed=settings.seed,
        criteria=tuple(ids),
        win_probability={
            bid.bidder: Decimal(int(count)) / Decimal(settings.samples)
            for bid, count in zip(ranked, wins, strict=True)
        },
    )


def _order(evaluation: Evaluation) -> dict[str, int]:
    return {bid.bidder: bid.rank for bid in evaluation.ranked if bid.rank is not None}


def _reversed_pairs(before: dict[str, int], after: dict[str, int]) -> list[tuple[str, str]]:
    common = sorted((bidder for bidder in before if bidder in after), key=before.__getitem__)
    pairs = []
    for index, first in enumerate(common):
        for second in common[index + 1 :]:
            if after[first] > after[second]:
                pairs.append((first, second))
    return pairs


def _is_relative(tender: Tender) -> bool:
    price = tender.price_criterion()
    relative_price = price is not None and price.method in RELATIVE_PRICE_METHODS
    relative_social = any(needs_commitment(criterion) for criterion in tender.leaves())
    return relative_price or relative_social


def _hypothetical_bid(tender: Tender, price: Decimal) -> Bid:
    scores: dict[str, Score] = {}
    commitments: dict[str, Decimal | dict[str, Decimal]] = {}
    for criterion in tender.leaves():
        if criterion.kind is CriterionKind.PASS_FAIL:
            scores[criterion.id] = Score(True)
        elif needs_score(criterion):
            assert criterion.scale is not None
            scores[criterion.id] = Score(criterion.scale.maximum)
        elif needs_commitment(criterion):
            commitments[criterion.id] = (
                {} if criterion.social_value_mode is SocialValueMode.PROXY_VALUE else ZERO
            )
    return Bid(HYPOTHETICAL_BIDDER, price, scores, commitments)


def rank_reversals(evaluation: Evaluation, *, grid_points: int = 60) -> tuple[RankReversal, ...]:
    """Pairs of bids whose order reverses when another bid is removed or a new one added.

    Removal is tried for every compliant bid. Addition is tried for a new compliant bid (full
    marks on every scored criterion, no social value commitment) at prices on a geometric grid
    from a twentieth of the lowest price to three times the highest; each boundary is then found
    to a penny by bisection. Only methods that compare bids with each other can reverse an order,
    so benchmark price scoring with scale-scored criteria reports none.
    """
    tender = evaluation.tender
    if not _is_relative(tender):
        return ()
    before = _order(evaluation)
    found: list[RankReversal] = []
    for bid in evaluation.ranked:
        if len(before) < 3:
            break
        remaining = tuple(other for other in tender.bids if other.bidder != bid.bidder)
        after = _order(evaluate_unchecked(replace(tender, bids=remaining)))
        found.extend(
            RankReversal("removed", first, second, bidder=bid.bidder)
            for first, second in _reversed_pairs(before, after)
        )
    prices = [bid.price for bid in evaluation.ranked if bid.price is not None]
    if len(before) < 2 or not prices:
        return tuple(found)

    def pairs_at(price: Decimal) -> set[tuple[str, str]]:
        trial = replace(tender, bids=(*tender.bids, _hypothetical_bid(tender, price)))
        after = _order(evaluate_unchecked(trial))
        after.pop(HYPOTHETICAL_BIDDER, None)
        return set(_reversed_pairs(before, after))

    low = min(prices) / 20
    high = max(prices) * 3
    with localcontext(SCORING_CONTEXT):
        ratio = (high / low) ** (Decimal(1) / (grid_points - 1))
        grid = [(low * ratio**step).quantize(Decimal("0.01")) for step in range(grid_points)]
    grid = sorted({*grid, *prices})
    observed = [pairs_at(price) for price in grid]
    reported: set[tuple[str, str, str]] = set()
    for index in range(1, len(grid)):
        changed = observed[index] ^ observed[index - 1]
        for pair in sorted(changed):
            inside_low = pair in observed[index - 1]
            boundary = _bisect(pairs_at, pair, grid[index - 1], grid[index], inside_low)
            # the reversal holds on the side where the pair is observed reversed
            direction = "below" if inside_low else "above"
            key = (pair[0], pair[1], direction)
            if key in reported:
                continue
            reported.add(key)
            found.append(
                RankReversal("added", pair[0], pair[1], price=boundary, direction=direction)
            )
    return tuple(found)


def _bisect(
    pairs_at: Callable[[Decimal], set[tuple[str, str]]],
    pair: tuple[str, str],
    low: Decimal,
    high: Decimal,
    inside_low: bool,
) -> Decimal:
    penny = Decimal("0.01")
    while high - low > penny:
        middle = ((low + high) / 2).quantize(penny)
        if middle in (low, high):
            break
        if (pair in pairs_at(middle)) == inside_low:
            low = middle
        else:
            high = middle
    return low if inside_low else high


def analyse(evaluation: Evaluation) -> Sensitivity:
    """Run every sensitivity analysis on an evaluation."""
    winner = evaluation.winner
    return Sensitivity(
        winner=winner.bidder if winner is not None else None,
        weight_changes=weight_changes(evaluation),
        score_changes=score_changes(evaluation),
        monte_carlo=monte_carlo(evaluation),
        reversals=rank_reversals(evaluation),
    )
