"""The tender evaluation model: criteria, scales, bids and the rules the buyer chose.

Everything here is plain data: frozen dataclasses holding :class:`~decimal.Decimal` values. The
model is built by :mod:`socialvalue.evaluation.fileformat` from a YAML file or an XLSX template, or
directly from Python, and is checked by :func:`socialvalue.evaluation.validation.validate_tender`.

Weights
-------
Top-level criteria carry weights in *points*; they add up to ``Tender.total_points`` (100 unless
stated, 200 in the Negometrix example). Sub-criteria carry weights *within their parent* as
percentages adding up to 100, so a social value criterion of 20 points with parts A and B at 50
each gives each part 10 points.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

HUNDRED = Decimal(100)


class CriterionKind(StrEnum):
    """What a criterion measures, which decides how a bid is scored on it."""

    PRICE = "price"
    QUALITY = "quality"
    SOCIAL_VALUE = "social_value"
    PASS_FAIL = "pass_fail"  # noqa: S105 (a criterion kind, not a password)


class PriceMethod(StrEnum):
    """How a price becomes a score; see ``docs/evaluation/price-*.md`` for each formula."""

    RELATIVE_TO_LOWEST = "relative_to_lowest"
    LINEAR_DEVIATION = "linear_deviation"
    LINEAR_RANGE = "linear_range"
    BENCHMARK = "benchmark"
    PRICE_PER_QUALITY_POINT = "price_per_quality_point"


class SocialValueMode(StrEnum):
    """How a social value criterion is scored.

    ``levels``: evaluators score the answer on the criterion's scale, like quality (Preston Part A,
    and Part B when commitments are judged by levels 1-5).
    ``relative_to_best``: the bid's committed social value in money per pound of its price,
    relative to the best such ratio among compliant bids.
    ``proxy_value``: as ``relative_to_best``, with the committed value worked out as
    quantity x open proxy value for each measure.
    """

    LEVELS = "levels"
    RELATIVE_TO_BEST = "relative_to_best"
    PROXY_VALUE = "proxy_value"


class TieBreakRule(StrEnum):
    """Rules applied in order when two compliant bids have the same total."""

    LOWEST_PRICE = "lowest_price"
    HIGHEST_QUALITY = "highest_quality"
    HIGHEST_POINTS = "highest_points"  # written ``highest_points:<criterion id>``
    BIDDER_NAME = "bidder_name"
    FILE_ORDER = "file_order"


DEFAULT_TIE_BREAK: tuple[str, ...] = (
    TieBreakRule.LOWEST_PRICE.value,
    TieBreakRule.HIGHEST_QUALITY.value,
    TieBreakRule.FILE_ORDER.value,
)
"""Lowest price first, then most quality points, then the order bids appear in the file."""


@dataclass(frozen=True, slots=True)
class ScaleLevel:
    """One allowed score on a scale and what it means (e.g. 5, "comprehensive, detailed")."""

    value: Decimal
    descriptor: str = ""


@dataclass(frozen=True, slots=True)
class Scale:
    """The scores an evaluator may give on a criterion.

    When ``levels`` is not empty only those values are allowed (e.g. 0/2/5/8/10); otherwise any
    value from ``minimum`` to ``maximum``.
    """

    minimum: Decimal
    maximum: Decimal
    levels: tuple[ScaleLevel, ...] = ()

    def allows(self, score: Decimal) -> bool:
        """Whether ``score`` is a score this scale permits."""
        if self.levels:
            return any(level.value == score for level in self.levels)
        return self.minimum <= score <= self.maximum

    def descriptor_for(self, score: Decimal) -> str:
        """The descriptor of the level equal to ``score``, or an empty string."""
        for level in self.levels:
            if level.value == score:
                return level.descriptor
        return ""

    def candidate_scores(self) -> tuple[Decimal, ...]:
        """The scores an evaluator could give: the levels, or each whole number in range."""
        if self.levels:
            return tuple(sorted(level.value for level in self.levels))
        low = int(self.minimum.to_integral_value(rounding="ROUND_CEILING"))
        high = int(self.maximum.to_integral_value(rounding="ROUND_FLOOR"))
        whole = [Decimal(value) for value in range(low, high + 1)]
        return tuple(sorted({self.minimum, *whole, self.maximum}))


@dataclass(frozen=True, slots=True)
class ProxyMeasure:
    """A social value measure with an open proxy value (money per unit) for ``proxy_value`` mode."""

    id: str
    proxy_value: Decimal
    unit: str = ""
    source: str = ""


@dataclass(frozen=True, slots=True)
class Criterion:
    """A node of the criteria tree.

    A criterion with ``children`` is a group: its points are the sum of its children's points and
    the children's ``weight`` values are percentages of it. A leaf is scored according to ``kind``.
    """

    id: str
    kind: CriterionKind
    weight: Decimal
    name: str = ""
    scale: Scale | None = None
    threshold: Decimal | None = None
    method: PriceMethod | None = None
    benchmark_price: Decimal | None = None
    zero_score_price: Decimal | None = None
    social_value_mode: SocialValueMode = SocialValueMode.LEVELS
    measures: tuple[ProxyMeasure, ...] = ()
    part: str = ""
    children: tuple[Criterion, ...] = ()

    @property
    def label(self) -> str:
        """The name to show people: ``name`` if given, else the id."""
        return self.name or self.id

    @property
    def is_group(self) -> bool:
        """Whether this criterion is scored through its sub-criteria."""
        return bool(self.children)

    def walk(self) -> Iterator[Criterion]:
        """This criterion and every criterion below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True, slots=True)
class Score:
    """An evaluator panel's moderated score for one bid on one criterion, with its reason."""

    value: Decimal | bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Bid:
    """A bid: the bidder, its price, its moderated scores and its social value commitments.

    ``commitments`` maps a social value criterion id either to a committed value in money
    (``relative_to_best``) or to a mapping of measure id to quantity (``proxy_value``).
    """

    bidder: str
    price: Decimal | None
    scores: Mapping[str, Score] = field(default_factory=dict)
    commitments: Mapping[str, Decimal | Mapping[str, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AbnormallyLowRule:
    """When a price is flagged as abnormally low (percent below; flags never exclude).

    The defaults follow Prozorro: at least 40% below the mean of the other bids, or at least 30%
    below the next lowest bid.
    """

    below_mean_of_others: Decimal = Decimal(40)
    below_next_lowest: Decimal = Decimal(30)


@dataclass(frozen=True, slots=True)
class Policy:
    """The buyer's policy on the weight given to social value.

    ``social_value_minimum`` is a percentage of the total points (of the quality points under
    price per quality point); 10 by default, as in PPN 06/20 and PPN 002. ``preset="preston"``
    also checks Preston's rule: social value worth 20%, split evenly between Part A (current
    practice) and Part B (commitments).
    """

    social_value_minimum: Decimal = Decimal(10)
    preset: str = ""


@dataclass(frozen=True, slots=True)
class SensitivitySettings:
    """Settings for the Monte Carlo weight analysis.

    ``concentration`` is the Dirichlet concentration: the sampled weights are centred on the
    chosen weights and spread less the larger it is (standard deviation of a weight share w is
    sqrt(w(1-w)/(concentration+1))).
    """

    samples: int = 10_000
    concentration: Decimal = Decimal(100)
    seed: int = 20_240_601


@dataclass(frozen=True, slots=True)
class Tender:
    """Everything needed to evaluate a tender."""

    criteria: tuple[Criterion, ...]
    bids: tuple[Bid, ...]
    currency: str = "GBP"
    title: str = ""
    reference: str = ""
    total_points: Decimal = HUNDRED
    tie_break: tuple[str, ...] = DEFAULT_TIE_BREAK
    abnormally_low: AbnormallyLowRule = AbnormallyLowRule()
    policy: Policy = Policy()
    sensitivity: SensitivitySettings = SensitivitySettings()

    def all_criteria(self) -> Iterator[Criterion]:
        """Every criterion in the tree, parents first, in file order."""
        for criterion in self.criteria:
            yield from criterion.walk()

    def leaves(self) -> tuple[Criterion, ...]:
        """The criteria that are scored directly (no sub-criteria)."""
        return tuple(criterion for criterion in self.all_criteria() if not criterion.is_group)

    def price_criterion(self) -> Criterion | None:
        """The price criterion, if the tender has one."""
        for criterion in self.all_criteria():
            if criterion.kind is CriterionKind.PRICE:
                return criterion
        return None

    def uses_price_per_quality_point(self) -> bool:
        """Whether the award goes to the lowest price per quality point."""
        price = self.price_criterion()
        return price is not None and price.method is PriceMethod.PRICE_PER_QUALITY_POINT

    def effective_weights(self) -> dict[str, Decimal]:
        """Each criterion's weight in points of the total, after applying parents' shares."""
        weights: dict[str, Decimal] = {}

        def visit(criterion: Criterion, points: Decimal) -> None:
            weights[criterion.id] = points
            for child in criterion.children:
                visit(child, points * child.weight / HUNDRED)

        for criterion in self.criteria:
            visit(criterion, criterion.weight)
        return weights

    def parent_ids(self) -> dict[str, str | None]:
        """Each criterion id mapped to its parent's id (None at the top level)."""
        parents: dict[str, str | None] = {}

        def visit(criterion: Criterion, parent: str | None) -> None:
            parents[criterion.id] = parent
            for child in criterion.children:
                visit(child, criterion.id)

        for criterion in self.criteria:
            visit(criterion, None)
        return parents

    def top_level_of(self) -> dict[str, str]:
        """Each criterion id mapped to the id of the top-level criterion it belongs to."""
        tops: dict[str, str] = {}
        for top in self.criteria:
            for criterion in top.walk():
                tops[criterion.id] = top.id
        return tops
