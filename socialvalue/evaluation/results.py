"""What an evaluation returns: every component of every total, with reasons and flags.

Values are unrounded :class:`~decimal.Decimal`; rounding for people happens once, in
:func:`socialvalue.evaluation.explain.display_points` and friends.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from socialvalue.evaluation.model import CriterionKind, Tender


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a bid was excluded: a stable ``code`` for programs and plain words for people."""

    code: str
    message: str
    criterion_id: str = ""


@dataclass(frozen=True, slots=True)
class Flag:
    """Something the panel must look at, which never excludes a bid by itself."""

    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


class Component(NamedTuple):
    """How one criterion contributed to one bid's total.

    An immutable record like the others, but a named tuple: a full report builds one per bid per
    criterion (500,000 for 10,000 bids on 50 criteria) and a named tuple is built several times
    faster than a frozen dataclass. An evaluation builds a bid's components only when they are
    asked for (see :class:`BidResult`), and bids with the same score written the same way and no
    reason may share one component.

    Attributes
    ----------
    raw
        What was scored: the moderated score, the price, or the committed social value in money;
        ``True``/``False`` for pass/fail; ``None`` for a group.
    share
        The share of the weight earned, from 0 to 1 (``None`` when not scored, e.g. an excluded
        bid's price).
    weight
        The criterion's weight in points of the total, after applying its parents' shares.
    points
        ``weight x share``; for a group, the sum of its parts.
    """

    criterion_id: str
    name: str
    kind: CriterionKind
    parent_id: str | None
    depth: int
    raw: Decimal | bool | None
    share: Decimal | None
    weight: Decimal
    points: Decimal | None
    formula: str
    reason: str = ""
    descriptor: str = ""


ComponentSource = tuple[Component, ...] | Callable[[], tuple[Component, ...]]
"""A bid's components, or a function that builds them (called each time they are needed)."""


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class BidResult:
    """One bid's evaluation.

    The components are kept as ``component_source``: either the tuple itself or a function that
    builds it from the evaluation's inputs. :func:`~socialvalue.evaluation.scoring.evaluate` gives
    a function that builds a bid's components the first time they are asked for and keeps them,
    so a tender with many bids does not build every component up front; the components are
    exactly those the total was added up from. Equality and ``repr`` use the components, as if
    they were a field.
    """

    bidder: str
    file_order: int
    price: Decimal | None
    component_source: ComponentSource
    total: Decimal | None
    quality_points: Decimal | None
    price_per_quality_point: Decimal | None
    excluded: bool
    reasons: tuple[Reason, ...]
    flags: tuple[Flag, ...]
    rank: int | None
    tied_with: tuple[str, ...] = ()
    tie_break_rule: str = ""

    @property
    def components(self) -> tuple[Component, ...]:
        """How each criterion contributed to the total, in tree order (parents first)."""
        source = self.component_source
        return source if isinstance(source, tuple) else source()

    def component(self, criterion_id: str) -> Component:
        """The component for ``criterion_id``."""
        for component in self.components:
            if component.criterion_id == criterion_id:
                return component
        raise KeyError(criterion_id)

    def points_by_criterion(self) -> dict[str, Decimal | None]:
        """Each criterion id mapped to the points this bid earned on it."""
        return {component.criterion_id: component.points for component in self.components}

    def ranked(self, rank: int, tied_with: tuple[str, ...], tie_break_rule: str) -> BidResult:
        """This result with its place in the ranking (a cheaper ``dataclasses.replace``)."""
        return BidResult(
            self.bidder,
            self.file_order,
            self.price,
            self.component_source,
            self.total,
            self.quality_points,
            self.price_per_quality_point,
            self.excluded,
            self.reasons,
            self.flags,
            rank,
            tied_with,
            tie_break_rule,
        )

    def _values(self) -> tuple[Any, ...]:
        return (
            self.bidder,
            self.file_order,
            self.price,
            self.components,
            self.total,
            self.quality_points,
            self.price_per_quality_point,
            self.excluded,
            self.reasons,
            self.flags,
            self.rank,
            self.tied_with,
            self.tie_break_rule,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, BidResult)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        names = (
            "bidder",
            "file_order",
            "price",
            "components",
            "total",
            "quality_points",
            "price_per_quality_point",
            "excluded",
            "reasons",
            "flags",
            "rank",
            "tied_with",
            "tie_break_rule",
        )
        fields = ", ".join(
            f"{name}={value!r}" for name, value in zip(names, self._values(), strict=True)
        )
        return f"BidResult({fields})"


@dataclass(frozen=True, slots=True)
class PolicyFinding:
    """The outcome of one policy check on the weights (e.g. social value at least 10%)."""

    code: str
    passed: bool
    message: str


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The evaluated tender: bids in ranked order (excluded bids last, in file order)."""

    tender: Tender
    bids: tuple[BidResult, ...]
    policy: tuple[PolicyFinding, ...]

    @property
    def winner(self) -> BidResult | None:
        """The bid ranked first, or ``None`` when every bid was excluded."""
        for bid in self.bids:
            if bid.rank == 1:
                return bid
        return None

    @property
    def ranked(self) -> tuple[BidResult, ...]:
        """Compliant bids in rank order."""
        return tuple(bid for bid in self.bids if bid.rank is not None)

    def bid(self, bidder: str) -> BidResult:
        """The result for ``bidder``."""
        for bid in self.bids:
            if bid.bidder == bidder:
                return bid
        raise KeyError(bidder)
