"""Tests for grouping spellings of one supplier inside a dataset."""

from __future__ import annotations

from socialvalue.suppliers.cluster import cluster_keys, group_spellings


def test_it_groups_spellings_with_the_same_key() -> None:
    groups = group_spellings(
        ["ACME LTD", "Acme Limited", "acme ltd.", "ACME (NW) LTD t/a Acme Roofing", "ACME LTD"]
    )
    assert len(groups) == 1
    assert groups[0].supplier_key == "acme"
    assert groups[0].name == "ACME LTD"
    assert groups[0].rows == 5


def test_it_merges_long_keys_that_differ_by_a_typo() -> None:
    groups = group_spellings(["Lancashire Roofing Services"] * 3 + ["Lancashire Roofing Servces"])
    assert [(g.supplier_key, g.rows) for g in groups] == [("lancashire roofing services", 4)]
    assert groups[0].merged_keys == ("lancashire roofing servces",)


def test_it_keeps_short_near_keys_apart() -> None:
    assert cluster_keys({"abc group": 1, "abd group": 1}) == {
        "abc group": "abc group",
        "abd group": "abd group",
    }


def test_it_keeps_empty_names_apart() -> None:
    keys = {group.supplier_key for group in group_spellings(["!!", "??", ""])}
    assert keys == {"raw:!!", "raw:??", "raw:"}
