"""Immutable objects for a social value framework.

A framework is a tree: outcomes (themes, missions, policy outcomes … nested as deep as the framework
needs) hold measures. A measure says what a supplier commits to and reports: its unit, which way is
better, how it may be scored, the counting rules that apply, the evidence required and, optionally,
a reference to a proxy value in a separate, licence-tagged proxy value set.

Every object is a frozen dataclass holding tuples, so two loads of the same file compare equal and a
framework can be hashed, cached and shared between threads. Money and percentages are ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

FORMAT = "socialvalue-framework/1"
"""The value of the ``format`` key that every framework file starts with."""


class Unit(StrEnum):
    """What a measure's quantity counts."""

    COUNT = "count"
    FTE = "FTE"
    HOURS = "hours"
    WEEKS = "weeks"
    GBP = "GBP"
    PERCENT = "percent"
    TCO2E = "tCO2e"
    YES_NO = "yes_no"
    LEVEL_1_5 = "level_1_5"


class Direction(StrEnum):
    """Which way a measure's quantity is better."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"


class ScoringMode(StrEnum):
    """How a commitment against a measure may be scored in a tender.

    ``levels``: an evaluator picks a level 1 to 5 against written descriptors.
    ``quantity``: the committed quantity itself is compared (e.g. FTE, weeks, tCO2e).
    ``proxy``: the quantity is multiplied by a proxy value in £ per unit.
    """

    LEVELS = "levels"
    QUANTITY = "quantity"
    PROXY = "proxy"


class Provenance(StrEnum):
    """Where an outcome or measure comes from.

    ``published``: the name is published by the framework's owner (see its sources).
    ``example``: drawn from examples in the sources, or written for the toolkit to illustrate an
    outcome; not a measure the owner published.
    ``unknown``: the framework has an item here but its name or wording could not be verified.
    ``local``: added by the organisation that adopted the framework, not by its owner.
    """

    PUBLISHED = "published"
    EXAMPLE = "example"
    UNKNOWN = "unknown"
    LOCAL = "local"


MODES_BY_UNIT: dict[Unit, frozenset[ScoringMode]] = {
    Unit.COUNT: frozenset({ScoringMode.QUANTITY, ScoringMode.PROXY}),
    Unit.FTE: frozenset({ScoringMode.QUANTITY, ScoringMode.PROXY}),
    Unit.HOURS: frozenset({ScoringMode.QUANTITY, ScoringMode.PROXY}),
    Unit.WEEKS: frozenset({ScoringMode.QUANTITY, ScoringMode.PROXY}),
    Unit.GBP: frozenset({ScoringMode.QUANTITY, ScoringMode.PROXY}),
    Unit.TCO2E: frozenset({ScoringMode.QUANTITY, ScoringMode.PROXY}),
    Unit.PERCENT: frozenset({ScoringMode.QUANTITY}),
    Unit.YES_NO: frozenset({ScoringMode.QUANTITY}),
    Unit.LEVEL_1_5: frozenset({ScoringMode.LEVELS}),
}
"""The scoring modes each unit can take.

A percentage or a yes/no has no meaningful "£ per unit", and a level 1 to 5 is an evaluator's
judgement, not a quantity, so it is scored only by levels; levels mode in turn needs a level unit.
"""


@dataclass(frozen=True)
class Source:
    """A document a framework cites, referred to by ``key`` from outcomes and measures."""

    key: str
    title: str
    url: str = ""
    note: str = ""

    @classmethod
    def from_mapping(cls, item: Mapping[str, Any]) -> Source:
        """A source from its document form (``key``, ``title``, optional ``url`` and ``note``)."""
        return cls(
            key=item["key"], title=item["title"], url=item.get("url", ""), note=item.get("note", "")
        )


@dataclass(frozen=True)
class LevelDescriptor:
    """What a level on a 1 to 5 scale means."""

    level: int
    descriptor: str


@dataclass(frozen=True)
class ProxyReference:
    """Points a measure at a value in a proxy value set (see :mod:`.proxies`)."""

    set_id: str
    value_id: str


@dataclass(frozen=True)
class CountingRules:
    """Rules that a commitment against a measure must respect.

    Attributes
    ----------
    local_only
        Only activity in the buyer's place counts, so a commitment must name the place.
    exclusive_group
        Measures sharing a group name cannot count the same person twice (e.g. two kinds of
        disadvantaged employment).
    count_each_year
        ``True``: the quantity counts again for every contract year (e.g. local employment).
        ``False``: it counts only in the first contract year (e.g. a disadvantaged hire).
    minimum, maximum
        Inclusive bounds on a committed quantity, on top of those implied by the unit.
    whole_numbers
        The quantity must be a whole number (people, sessions …).
    pro_rata_partial_year
        A commitment for part of a year is pro-rated by the days it covers.
    """

    local_only: bool = False
    exclusive_group: str | None = None
    count_each_year: bool = True
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    whole_numbers: bool = False
    pro_rata_partial_year: bool = False


@dataclass(frozen=True)
class Measure:
    """Something a supplier commits to and reports against."""

    id: str
    title: str
    unit: Unit
    scoring_modes: tuple[ScoringMode, ...]
    direction: Direction = Direction.HIGHER_IS_BETTER
    description: str = ""
    level_descriptors: tuple[LevelDescriptor, ...] = ()
    counting: CountingRules = field(default_factory=CountingRules)
    evidence_required: tuple[str, ...] = ()
    proxy: ProxyReference | None = None
    provenance: Provenance = Provenance.PUBLISHED
    sources: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Outcome:
    """A node of the framework tree: a theme, mission, outcome or award criterion.

    ``kind`` is the framework's own word for the level ("theme", "mission", "policy_outcome" …).
    """

    id: str
    title: str
    kind: str = "outcome"
    description: str = ""
    outcomes: tuple[Outcome, ...] = ()
    measures: tuple[Measure, ...] = ()
    provenance: Provenance = Provenance.PUBLISHED
    sources: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Part:
    """A part of the social value question and its share of the weight (e.g. Preston's Part A)."""

    id: str
    title: str
    weight_percent: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class Defaults:
    """Defaults a tender starts from; a buyer may change them per tender.

    Attributes
    ----------
    weight_percent
        Default weight of social value in the total score.
    minimum_weight_percent
        The minimum weight the framework's owner requires (e.g. 10% under PPN 06/20 and PPN 002).
    threshold_gbp
        Contract value above which the framework applies.
    threshold_note
        How the threshold is applied, in words.
    parts
        Parts of the social value question and their weights.
    """

    weight_percent: Decimal | None = None
    minimum_weight_percent: Decimal | None = None
    threshold_gbp: Decimal | None = None
    threshold_note: str = ""
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Framework:
    """A versioned social value framework."""

    id: str
    name: str
    version: str
    publisher: str
    licence: str
    outcomes: tuple[Outcome, ...]
    description: str = ""
    published: str = ""
    licence_note: str = ""
    sources: tuple[Source, ...] = ()
    defaults: Defaults = field(default_factory=Defaults)
    level_descriptors: tuple[LevelDescriptor, ...] = ()
    notes: str = ""

    def iter_outcomes(self) -> Iterator[tuple[tuple[str, ...], Outcome]]:
        """Yield every outcome, depth first, with the ids of its ancestors."""
        yield from _walk_outcomes(self.outcomes, ())

    def iter_measures(self) -> Iterator[tuple[tuple[str, ...], Measure]]:
        """Yield every measure, depth first, with the ids of the outcomes above it."""
        for ancestors, outcome in self.iter_outcomes():
            for measure in outcome.measures:
                yield (*ancestors, outcome.id), measure

    def measure(self, measure_id: str) -> Measure:
        """Return the measure with this id.

        Raises
        ------
        KeyError
            When the framework has no such measure.
        """
        for _, measure in self.iter_measures():
            if measure.id == measure_id:
                return measure
        raise KeyError(measure_id)

    def outcome(self, outcome_id: str) -> Outcome:
        """Return the outcome with this id.

        Raises
        ------
        KeyError
            When the framework has no such outcome.
        """
        for _, outcome in self.iter_outcomes():
            if outcome.id == outcome_id:
                return outcome
        raise KeyError(outcome_id)

    def node_ids(self) -> frozenset[str]:
        """Ids of every outcome and measure (they share one namespace)."""
        ids = {outcome.id for _, outcome in self.iter_outcomes()}
        ids.update(measure.id for _, measure in self.iter_measures())
        return frozenset(ids)

    def source(self, key: str) -> Source:
        """Return the cited source with this key.

        Raises
        ------
        KeyError
            When the framework cites no such source.
        """
        for source in self.sources:
            if source.key == key:
                return source
        raise KeyError(key)

    def descriptors_for(self, measure: Measure) -> tuple[LevelDescriptor, ...]:
        """The level descriptors that apply to a measure: its own, else the framework's."""
        return measure.level_descriptors or self.level_descriptors


def _walk_outcomes(
    outcomes: tuple[Outcome, ...], ancestors: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Outcome]]:
    for outcome in outcomes:
        yield ancestors, outcome
        yield from _walk_outcomes(outcome.outcomes, (*ancestors, outcome.id))
