"""Crosswalks: links between outcomes and measures of different frameworks.

A crosswalk lets a city compare what it asks for with what another framework asks for (e.g.
Preston 2023 theme 4 "Investing in the local economy" is part of Lancashire 2016 outcome 1
"Promoting employment and economic sustainability"), and lets a network report across members that
use different frameworks. Each link names both ends as ``framework-id:node-id`` and a relation:

``exact``     the two mean the same thing;
``close``     nearly the same, close enough to compare;
``part_of``   the first is a part of the second;
``contains``  the first contains the second;
``related``   they overlap without either containing the other.

The built-in crosswalk (``builtin/crosswalk.yaml``) is the toolkit authors' judgement from the
published titles; no framework owner published it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from socialvalue.exceptions import FrameworkFileError
from socialvalue.frameworks.documents import (
    FileProblem,
    LineIndex,
    ProblemCollector,
    merge_problems,
    parse_yaml,
)
from socialvalue.frameworks.model import Framework
from socialvalue.frameworks.validation import schema_problems

CROSSWALK_FORMAT = "socialvalue-crosswalk/1"

_REF_PATTERN = "^[a-z0-9][a-z0-9-]*:[A-Za-z0-9][A-Za-z0-9._-]*$"
CROSSWALK_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format", "id", "name", "licence", "links"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": CROSSWALK_FORMAT},
        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
        "name": {"type": "string", "minLength": 1},
        "licence": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["from", "to", "relation"],
                "additionalProperties": False,
                "properties": {
                    "from": {"type": "string", "pattern": _REF_PATTERN},
                    "to": {"type": "string", "pattern": _REF_PATTERN},
                    "relation": {"enum": ["exact", "close", "part_of", "contains", "related"]},
                    "note": {"type": "string"},
                },
            },
        },
    },
}


class Relation(StrEnum):
    """How the first end of a link relates to the second."""

    EXACT = "exact"
    CLOSE = "close"
    PART_OF = "part_of"
    CONTAINS = "contains"
    RELATED = "related"

    @property
    def inverse(self) -> Relation:
        """The relation read from the other end."""
        if self is Relation.PART_OF:
            return Relation.CONTAINS
        if self is Relation.CONTAINS:
            return Relation.PART_OF
        return self


@dataclass(frozen=True)
class NodeRef:
    """An outcome or measure in a named framework."""

    framework_id: str
    node_id: str

    @classmethod
    def parse(cls, text: str) -> NodeRef:
        """Read ``framework-id:node-id``."""
        framework_id, _, node_id = text.partition(":")
        return cls(framework_id=framework_id, node_id=node_id)

    def __str__(self) -> str:
        return f"{self.framework_id}:{self.node_id}"


@dataclass(frozen=True)
class CrosswalkLink:
    """One link between two framework nodes."""

    source: NodeRef
    target: NodeRef
    relation: Relation
    note: str = ""


@dataclass(frozen=True)
class Crosswalk:
    """A set of links between frameworks."""

    id: str
    name: str
    licence: str
    links: tuple[CrosswalkLink, ...]
    description: str = ""

    def links_of(self, ref: NodeRef) -> tuple[CrosswalkLink, ...]:
        """Every link touching ``ref``, turned round so that ``ref`` is always the source."""
        found: list[CrosswalkLink] = []
        for link in self.links:
            if link.source == ref:
                found.append(link)
            elif link.target == ref:
                found.append(CrosswalkLink(ref, link.source, link.relation.inverse, link.note))
        return tuple(found)

    def counterparts(self, ref: NodeRef, framework_id: str) -> tuple[CrosswalkLink, ...]:
        """Links from ``ref`` into one other framework."""
        return tuple(
            link for link in self.links_of(ref) if link.target.framework_id == framework_id
        )

    def framework_ids(self) -> frozenset[str]:
        """Every framework the crosswalk mentions."""
        ids = {link.source.framework_id for link in self.links}
        ids.update(link.target.framework_id for link in self.links)
        return frozenset(ids)


def uncovered_measures(crosswalk: Crosswalk, framework: Framework) -> tuple[str, ...]:
    """Ids of the framework's measures that no link touches (empty when all are covered)."""
    linked = {
        ref.node_id
        for link in crosswalk.links
        for ref in (link.source, link.target)
        if ref.framework_id == framework.id
    }
    return tuple(measure.id for _, measure in framework.iter_measures() if measure.id not in linked)


def load_crosswalk(
    path: str | Path | Traversable, *, frameworks: Iterable[Framework] | None = None
) -> Crosswalk:
    """Load a crosswalk file (YAML or JSON).

    Parameters
    ----------
    frameworks
        When given, every end of every link must name a node of one of these frameworks (links to
        frameworks not given are reported too).

    Raises
    ------
    FrameworkFileError
        With every problem found.
    """
    file = str(path)
    try:
        text = (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")
    except OSError as error:
        raise FrameworkFileError(
            [FileProblem(file, None, "", "unreadable", f"cannot read the file: {error.strerror}")]
        ) from error
    data, lines, problems = parse_yaml(text, file)
    if data is None:
        raise FrameworkFileError(problems)
    problems = merge_problems(
        problems, check_crosswalk_document(data, lines=lines, file=file, frameworks=frameworks)
    )
    if problems:
        raise FrameworkFileError(problems)
    return crosswalk_from_document(data)


def check_crosswalk_document(
    data: Any,
    *,
    lines: LineIndex | None = None,
    file: str = "<document>",
    frameworks: Iterable[Framework] | None = None,
) -> list[FileProblem]:
    """Return every problem in a crosswalk document; empty when it is valid."""
    collector = ProblemCollector(file, lines or LineIndex())
    schema_problems(data, CROSSWALK_SCHEMA, collector)
    if frameworks is not None and isinstance(data, dict):
        _check_refs(data, collector, {framework.id: framework for framework in frameworks})
    return sorted(collector.problems, key=lambda p: (p.line or 0, p.path, p.code))


def _check_refs(
    data: dict[str, Any], collector: ProblemCollector, frameworks: Mapping[str, Framework]
) -> None:
    node_ids = {framework_id: fw.node_ids() for framework_id, fw in frameworks.items()}
    links = data.get("links")
    seen: set[tuple[str, str]] = set()
    for index, link in enumerate(links if isinstance(links, list) else []):
        if not isinstance(link, dict):
            continue
        for end in ("from", "to"):
            text = link.get(end)
            if not isinstance(text, str) or ":" not in text:
                continue
            ref = NodeRef.parse(text)
            if ref.framework_id not in node_ids:
                collector.add(
                    ("links", index, end),
                    "unknown_framework",
                    f"no framework '{ref.framework_id}' is loaded; loaded: "
                    + ", ".join(sorted(node_ids)),
                )
            elif ref.node_id not in node_ids[ref.framework_id]:
                collector.add(
                    ("links", index, end),
                    "unknown_node",
                    f"the framework '{ref.framework_id}' has no outcome or measure '{ref.node_id}'",
                )
        pair = (str(link.get("from")), str(link.get("to")))
        if pair in seen:
            collector.add(("links", index), "duplicate_link", "this link is listed twice")
        seen.add(pair)


def crosswalk_from_document(data: Mapping[str, Any]) -> Crosswalk:
    """Build a crosswalk from a document :func:`check_crosswalk_document` accepted."""
    return Crosswalk(
        id=data["id"],
        name=data["name"],
        licence=data["licence"],
        description=data.get("description", ""),
        links=tuple(
            CrosswalkLink(
                source=NodeRef.parse(link["from"]),
                target=NodeRef.parse(link["to"]),
                relation=Relation(link["relation"]),
                note=link.get("note", ""),
            )
            for link in data["links"]
        ),
    )


def builtin_crosswalk_file() -> Traversable:
    """The packaged crosswalk between the built-in frameworks."""
    return resources.files("socialvalue.frameworks").joinpath("builtin", "crosswalk.yaml")


def load_builtin_crosswalk() -> Crosswalk:
    """Load the crosswalk between the built-in frameworks, checked against them."""
    from socialvalue.frameworks.loader import builtin_framework_ids, load_builtin_framework

    frameworks = [load_builtin_framework(framework_id) for framework_id in builtin_framework_ids()]
    return load_crosswalk(builtin_crosswalk_file(), frameworks=frameworks)
