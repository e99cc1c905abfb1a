"""Hypothesis strategies that build valid frameworks, and mutations that may break them."""

from __future__ import annotations

import string
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from socialvalue.frameworks.model import (
    MODES_BY_UNIT,
    CountingRules,
    Defaults,
    Direction,
    Framework,
    LevelDescriptor,
    Measure,
    Outcome,
    Part,
    Provenance,
    ProxyReference,
    ScoringMode,
    Source,
    Unit,
)

_LINE_ALPHABET = string.ascii_letters + string.digits + " .,:;'\"#&()/%£é-–"
lines = st.text(_LINE_ALPHABET, min_size=1, max_size=30).map(str.strip).filter(bool)
paragraphs = st.lists(lines, min_size=0, max_size=3).map("\n".join)
node_ids = st.text(string.ascii_letters + string.digits + "._-", min_size=1, max_size=8).filter(
    lambda text: text[0].isalnum()
)
decimals = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)
descriptors = st.lists(
    st.builds(LevelDescriptor, level=st.integers(1, 5), descriptor=lines),
    min_size=1,
    max_size=5,
    unique_by=lambda d: d.level,
).map(lambda items: tuple(sorted(items, key=lambda d: d.level)))


@st.composite
def measures(draw: Any, measure_id: str) -> Measure:
    unit = draw(st.sampled_from(list(Unit)))
    modes = draw(st.lists(st.sampled_from(sorted(MODES_BY_UNIT[unit])), min_size=1, unique=True))
    proxy = None
    if ScoringMode.PROXY in modes or draw(st.booleans()):
        proxy = ProxyReference(set_id="my-set", value_id=draw(node_ids))
    unbounded = unit not in {Unit.PERCENT, Unit.YES_NO, Unit.LEVEL_1_5}
    minimum = draw(st.none() | decimals) if unbounded else None
    counting = CountingRules(
        local_only=draw(st.booleans()),
        exclusive_group=draw(st.none() | node_ids),
        count_each_year=draw(st.booleans()),
        minimum=minimum,
        maximum=None,
        whole_numbers=draw(st.booleans()),
        pro_rata_partial_year=draw(st.booleans()),
    )
    return Measure(
        id=measure_id,
        title=draw(lines),
        unit=unit,
        scoring_modes=tuple(modes),
        direction=draw(st.sampled_from(list(Direction))),
        description=draw(paragraphs),
        level_descriptors=draw(descriptors) if ScoringMode.LEVELS in modes else (),
        counting=counting,
        evidence_required=tuple(draw(st.lists(lines, max_size=2))),
        proxy=proxy,
        provenance=draw(st.sampled_from(list(Provenance))),
        sources=tuple(draw(st.lists(st.just("src"), max_size=1))),
        notes=draw(paragraphs),
    )


@st.composite
def frameworks(draw: Any) -> Framework:
    ids = iter(draw(st.lists(node_ids, min_size=16, max_size=16, unique=True)))

    def outcome(depth: int) -> Outcome:
        children = (
            tuple(outcome(depth + 1) for _ in range(draw(st.integers(0, 2)))) if depth < 2 else ()
        )
        outcome_id = next(ids)
        return Outcome(
            id=outcome_id,
            title=draw(lines),
            kind=draw(st.sampled_from(["outcome", "theme", "mission", "award_criterion"])),
            description=draw(paragraphs),
            outcomes=children,
            measures=tuple(draw(measures(next(ids))) for _ in range(draw(st.integers(0, 1)))),
            provenance=draw(st.sampled_from(list(Provenance))),
            sources=("src",) if draw(st.booleans()) else (),
            notes=draw(paragraphs),
        )

    part_weights = draw(st.lists(decimals.map(lambda d: d % 50), max_size=2))
    parts = tuple(
        Part(id=f"P{index}", title=draw(lines), weight_percent=weight)
        for index, weight in enumerate(part_weights)
    )
    weight = (
        sum(part_weights, Decimal(0))
        if parts
        else draw(st.none() | decimals.map(lambda d: d % 100))
    )
    return Framework(
        id=draw(st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True)),
        name=draw(lines),
        version=draw(lines),
        publisher=draw(lines),
        licence=draw(st.sampled_from(["MIT", "CC0-1.0", "OGL-UK-3.0"])),
        outcomes=(outcome(0),),
        description=draw(paragraphs),
        published=draw(st.sampled_from(["", "2023", "2023-07", "2023-07-01"])),
        sources=(Source(key="src", title=draw(lines), url="https://example.org/x"),),
        defaults=Defaults(
            weight_percent=weight,
            threshold_gbp=draw(st.none() | decimals),
            parts=parts,
        ),
        level_descriptors=draw(st.just(()) | descriptors),
    )


MUTATIONS = ("delete", "wrong_type", "unknown_unit", "unknown_field", "duplicate_id", "bad_mode")


def mutate(document: dict[str, Any], mutation: str, choice: int) -> dict[str, Any]:
    """Break a framework document in one way; ``choice`` picks which node to break."""
    nodes: list[dict[str, Any]] = []
    measures_found: list[dict[str, Any]] = []

    def walk(outcomes: list[dict[str, Any]]) -> None:
        for outcome in outcomes:
            nodes.append(outcome)
            measures_found.extend(outcome.get("measures", []))
            walk(outcome.get("outcomes", []))

    walk(document["outcomes"])
    targets = measures_found or nodes
    target = targets[choice % len(targets)]
    if mutation == "delete":
        target.pop("title")
    elif mutation == "wrong_type":
        target["title"] = 12
    elif mutation == "unknown_unit":
        target["unit"] = "metres"
    elif mutation == "unknown_field":
        target["colour"] = "green"
    elif mutation == "duplicate_id":
        target["id"] = nodes[0]["id"] if target is not nodes[0] else "x"
        if target is nodes[0] and len(nodes) > 1:
            nodes[1]["id"] = nodes[0]["id"]
    elif mutation == "bad_mode":
        target["scoring_modes"] = ["levels", "proxy"]
    return document
