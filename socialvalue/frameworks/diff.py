"""Compare two frameworks (or two versions of one): what was added, removed, changed or moved.

Outcomes and measures are matched by id. For a node present in both, every field that differs is
listed with its old and new value (nested fields as dotted names, e.g. ``counting.local_only``); a
node whose parent outcome changed is reported as moved. Framework-level fields (name, version,
defaults, sources, level descriptors …) are compared the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from socialvalue.frameworks.export import framework_to_document, plain
from socialvalue.frameworks.model import Framework


class ChangeKind(StrEnum):
    """What happened to a node between the old and the new framework."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    """One field whose value differs; values are plain data (text, numbers, lists)."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class NodeChange:
    """An outcome or measure that was added, removed or changed.

    Attributes
    ----------
    node_type
        ``outcome`` or ``measure``.
    old_parent, new_parent
        Id of the outcome above the node ("" at the top), before and after; they differ when the
        node moved.
    fields
        For a changed node, the fields that differ.
    """

    node_type: str
    id: str
    title: str
    change: ChangeKind
    old_parent: str | None = None
    new_parent: str | None = None
    fields: tuple[FieldChange, ...] = ()

    @property
    def moved(self) -> bool:
        """Whether the node sits under a different outcome."""
        return self.change is ChangeKind.CHANGED and self.old_parent != self.new_parent


@dataclass(frozen=True)
class FrameworkDiff:
    """Every difference between two frameworks."""

    old_label: str
    new_label: str
    framework_fields: tuple[FieldChange, ...]
    nodes: tuple[NodeChange, ...]

    @property
    def is_empty(self) -> bool:
        """Whether the two frameworks are the same."""
        return not self.framework_fields and not self.nodes

    def of_kind(self, change: ChangeKind) -> tuple[NodeChange, ...]:
        """Node changes of one kind."""
        return tuple(node for node in self.nodes if node.change is change)


def diff_frameworks(old: Framework, new: Framework) -> FrameworkDiff:
    """Compare two frameworks node by node and field by field."""
    old_document = framework_to_document(old)
    new_document = framework_to_document(new)
    framework_fields = _field_changes(
        _without(old_document, "outcomes"), _without(new_document, "outcomes")
    )
    old_nodes = dict(_nodes(old_document["outcomes"], ""))
    new_nodes = dict(_nodes(new_document["outcomes"], ""))
    changes: list[NodeChange] = []
    for key, (parent, node) in old_nodes.items():
        node_type, node_id = key
        if key not in new_nodes:
            changes.append(
                NodeChange(node_type, node_id, node["title"], ChangeKind.REMOVED, old_parent=parent)
            )
            continue
        new_parent, new_node = new_nodes[key]
        fields = _field_changes(_own_fields(node), _own_fields(new_node))
        if fields or parent != new_parent:
            changes.append(
                NodeChange(
                    node_type,
                    node_id,
                    new_node["title"],
                    ChangeKind.CHANGED,
                    old_parent=parent,
                    new_parent=new_parent,
                    fields=fields,
                )
            )
    for key, (parent, node) in new_nodes.items():
        if key not in old_nodes:
            node_type, node_id = key
            changes.append(
                NodeChange(node_type, node_id, node["title"], ChangeKind.ADDED, new_parent=parent)
            )
    return FrameworkDiff(
        old_label=f"{old.id} {old.version}",
        new_label=f"{new.id} {new.version}",
        framework_fields=framework_fields,
        nodes=tuple(changes),
    )


def _nodes(
    outcomes: list[dict[str, Any]], parent: str
) -> Iterator[tuple[tuple[str, str], tuple[str, dict[str, Any]]]]:
    for outcome in outcomes:
        yield ("outcome", outcome["id"]), (parent, outcome)
        for measure in outcome.get("measures", []):
            yield ("measure", measure["id"]), (outcome["id"], measure)
        yield from _nodes(outcome.get("outcomes", []), outcome["id"])


_MEASURE_DEFAULTS: dict[str, Any] = {
    "direction": "higher_is_better",
    "provenance": "published",
    "counting": {
        "local_only": False,
        "exclusive_group": None,
        "count_each_year": True,
        "minimum": None,
        "maximum": None,
        "whole_numbers": False,
        "pro_rata_partial_year": False,
    },
}
_OUTCOME_DEFAULTS: dict[str, Any] = {"kind": "outcome", "provenance": "published"}


def _own_fields(node: Mapping[str, Any]) -> dict[str, Any]:
    """A node's fields without its children, with defaults filled in so resets show plainly."""
    fields = {key: value for key, value in node.items() if key not in {"outcomes", "measures"}}
    defaults = _MEASURE_DEFAULTS if "unit" in node else _OUTCOME_DEFAULTS
    for key, default in defaults.items():
        if isinstance(default, dict):
            fields[key] = {**default, **fields.get(key, {})}
        else:
            fields.setdefault(key, default)
    return fields


def _without(document: Mapping[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in document.items() if name != key}


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = plain(value)
    return flat


def _field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    old_flat = _flatten(old)
    new_flat = _flatten(new)
    names = list(old_flat) + [name for name in new_flat if name not in old_flat]
    return tuple(
        FieldChange(name, old_flat.get(name), new_flat.get(name))
        for name in names
        if old_flat.get(name) != new_flat.get(name)
    )


def format_diff(diff: FrameworkDiff) -> str:
    """The diff as plain text, one change a line (``+`` added, ``-`` removed, ``~`` changed)."""
    if diff.is_empty:
        return f"No differences between {diff.old_label} and {diff.new_label}.\n"
    lines = [f"--- {diff.old_label}", f"+++ {diff.new_label}"]
    for change in diff.framework_fields:
        lines.append(f"~ framework {change.field}: {_show(change.old)} -> {_show(change.new)}")
    for node in diff.nodes:
        if node.change is ChangeKind.ADDED:
            lines.append(
                f"+ {node.node_type} {node.id} {node.title!r} under {node.new_parent or 'top'}"
            )
        elif node.change is ChangeKind.REMOVED:
            lines.append(f"- {node.node_type} {node.id} {node.title!r}")
        else:
            lines.append(f"~ {node.node_type} {node.id} {node.title!r}")
            if node.moved:
                lines.append(f"    moved: {node.old_parent or 'top'} -> {node.new_parent or 'top'}")
            for change in node.fields:
                lines.append(f"    {change.field}: {_show(change.old)} -> {_show(change.new)}")
    return "\n".join(lines) + "\n"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in value.items()) + "}"
    return repr(value) if isinstance(value, str) else str(value)
