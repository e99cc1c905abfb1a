"""Diffs between frameworks and versions."""

from __future__ import annotations

from dataclasses import replace

from socialvalue.frameworks.diff import ChangeKind, FieldChange, diff_frameworks, format_diff
from socialvalue.frameworks.export import framework_to_yaml
from socialvalue.frameworks.loader import load_builtin_framework, load_framework_text
from socialvalue.frameworks.model import CountingRules, Measure, ScoringMode, Unit


def _tweaked_lancashire():
    """Lancashire with L3.1 removed, L1.3 added, L1.1 re-worded and not local, L5.2 moved to L2."""
    original = load_builtin_framework("lancashire-2016")
    l1, l2, l3, l4, l5, l6 = original.outcomes
    l1_1 = replace(
        l1.measures[0], title="Residents employed on the contract (FTE)", counting=CountingRules()
    )
    l1_3 = Measure(
        id="L1.3", title="Apprentices", unit=Unit.COUNT, scoring_modes=(ScoringMode.QUANTITY,)
    )
    return replace(
        original,
        version="2026",
        outcomes=(
            replace(l1, measures=(l1_1, l1.measures[1], l1_3)),
            replace(l2, measures=(*l2.measures, l5.measures[1])),
            replace(l3, measures=()),
            l4,
            replace(l5, measures=(l5.measures[0],)),
            l6,
        ),
    )


def test_it_finds_no_difference_between_equal_frameworks():
    framework = load_builtin_framework("preston-2023")

    diff = diff_frameworks(framework, load_framework_text(framework_to_yaml(framework)))

    assert diff.is_empty
    assert "No differences" in format_diff(diff)


def test_it_lists_added_removed_changed_and_moved_nodes():
    diff = diff_frameworks(load_builtin_framework("lancashire-2016"), _tweaked_lancashire())

    assert diff.framework_fields == (FieldChange("version", "2016", "2026"),)
    assert [n.id for n in diff.of_kind(ChangeKind.ADDED)] == ["L1.3"]
    assert [n.id for n in diff.of_kind(ChangeKind.REMOVED)] == ["L3.1"]
    changed = {n.id: n for n in diff.of_kind(ChangeKind.CHANGED)}
    assert set(changed) == {"L1.1", "L5.2"}
    assert changed["L5.2"].moved
    assert (changed["L5.2"].old_parent, changed["L5.2"].new_parent) == ("L5", "L2")
    assert changed["L1.1"].fields == (
        FieldChange(
            "title",
            "Local people employed on the contract (FTE)",
            "Residents employed on the contract (FTE)",
        ),
        FieldChange("counting.local_only", True, False),
        FieldChange("counting.minimum", 0, None),
        FieldChange("counting.pro_rata_partial_year", True, False),
    )


def test_it_writes_a_readable_diff():
    text = format_diff(
        diff_frameworks(load_builtin_framework("lancashire-2016"), _tweaked_lancashire())
    )

    assert "+ measure L1.3 'Apprentices' under L1" in text
    assert "- measure L3.1" in text
    assert "    moved: L5 -> L2" in text
