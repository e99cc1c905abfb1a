"""What an evaluation returns: every component of every total, with reasons and flags.

Values are unrounded :class:`~decimal.Decimal`; rounding for people happens once, in
:func:`socialvalue.evaluation.explain.display_points` and friends.
"""

from __future__ import annotations

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

    An immutable record like the others, but a named tuple: an evaluation builds one per bid per
    criterion (500,000 for 10,000 bids on 50 criteria) and a named tuple is built several times
    faster than a frozen dataclass.

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


@dataclass(frozen=True, slots=True)
class BidResult:
    """One bid's evaluation."""

    bidder: str
    file_order: int
    price: Decimal | None
    components: tuple[Component, ...]
    total: Decimal | None
    quality_points: Decimal | None
    price_per_quality_point: Decimal | None
    excluded: bool
    reasons: tuple[Reason, ...]
    flags: tuple[Flag, ...]
    rank: int | None
    tied_with: tuple[str, ...] = ()
    tie_break_rule: str = ""

    def component(self, criterion_id: str) -> Component:
        """The component for ``criterion_id``."""
        for component in self.components:
            if component.criterion_id == criterion_id:
                return component
        raise KeyError(criterion_id)

    def points_by_criterion(self) -> dict[str, Decimal | None]:
        """Each criterion id mapped to the points this bid earned on it."""
        return {component.criterion_id: component.points for component in self.components}


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
