"""Tests for the optional splink backend: same results type, bands and labels as the core.

Skipped with a reason on a core-only install (no ``linkage`` extra), except the test of our own
missing-extra error, which simulates the missing import.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from socialvalue.exceptions import LinkageBackendMissingError, SupplierMatchingError
from socialvalue.suppliers.decisions import apply_decisions, decide
from socialvalue.suppliers.linkage import link_suppliers
from socialvalue.suppliers.matching import LedgerSupplier, MatchResult, MatchStatus

# The toy labelled set of tests/suppliers/test_matching.py, against the generic register of
# conftest.py: (supplier, the entry it is, or None when it is none of them).
LABELLED: tuple[tuple[LedgerSupplier, str | None], ...] = (
    (LedgerSupplier("a", "ACME ROOFING LTD."), "01234567"),
    (LedgerSupplier("b", "Acme Roofng", company_number="1234567"), "01234567"),
    (LedgerSupplier("d", "Acme Roofing Ltd", company_number="XY999999"), "01234567"),
    (LedgerSupplier("p", "Preston Comunity Transport"), "09876543"),
    (LedgerSupplier("h", "Acme Holdings P.L.C."), "07654321"),
    (LedgerSupplier("w", "Lancashire Wildlife Trust"), None),  # entry has no number: see below
    (LedgerSupplier("n", "Northern Widgets M Ltd"), None),
    (LedgerSupplier("x", "Zyxwv Quux"), None),
    (LedgerSupplier("c", "Totally Different Trading", company_number="01234567"), None),
)


def _splink() -> None:
    pytest.importorskip("splink", reason="the splink backend needs the 'linkage' extra")


def _by_key(results: list[MatchResult]) -> dict[str, MatchResult]:
    return {result.supplier_key: result for result in results}


def test_its_accepted_matches_on_the_toy_set_are_all_right(generic_register: Path) -> None:
    _splink()
    results = link_suppliers([s for s, _t in LABELLED], [generic_register])
    assert all(isinstance(result, MatchResult) for result in results)
    truths = {s.supplier_key: truth for s, truth in LABELLED}
    truths["w"] = "Lancashire Wildlife Trust"  # an entry without a number is keyed by its name
    accepted = [r for r in results if r.status is MatchStatus.ACCEPTED]
    correct = [
        r
        for r in accepted
        if r.best is not None and truths[r.supplier_key] in {r.best.entry_id, r.best.name}
    ]
    positives = sum(1 for truth in truths.values() if truth is not None)
    # Precision 1.0; recall 6 of 6 positives on this set (the core: also 6 of 6).
    assert len(correct) == len(accepted)
    assert len(correct) == positives == 6


def test_it_keeps_the_cores_bands_for_numbers_namesakes_and_empty_names(
    generic_register: Path,
) -> None:
    _splink()
    results = _by_key(
        link_suppliers(
            [
                LedgerSupplier("b", "Acme Roofng", company_number="1234567"),
                LedgerSupplier("c", "Totally Different Trading", company_number="01234567"),
                LedgerSupplier("n", "Northern Widgets M Ltd"),
                LedgerSupplier("e", "!!!"),
                LedgerSupplier("x", "Zyxwv Quux"),
            ],
            [generic_register],
        )
    )
    assert results["b"].status is MatchStatus.ACCEPTED
    assert results["b"].best is not None
    assert results["b"].best.via == "company_number"
    assert results["c"].status is MatchStatus.REVIEW  # number right, name unlike: a person looks
    assert "number matches but the names differ" in results["c"].candidates[0].evidence
    assert results["n"].status is not MatchStatus.ACCEPTED
    assert results["e"].status is MatchStatus.REVIEW
    assert results["e"].candidates == ()
    assert "empty_name" in results["e"].reasons
    assert results["x"].status is MatchStatus.UNMATCHED
    best = results["b"].best
    assert best.register == "generic"
    assert any(text.startswith("splink match probability") for text in best.evidence)


def test_it_is_deterministic(generic_register: Path) -> None:
    _splink()
    suppliers = [s for s, _t in LABELLED]
    assert link_suppliers(suppliers, [generic_register]) == link_suppliers(
        suppliers, [generic_register]
    )


def test_reviewed_pairs_train_m_and_decisions_still_apply(generic_register: Path) -> None:
    _splink()
    supplier = LedgerSupplier("p", "Preston Comunity Transport")
    first = link_suppliers([supplier], [generic_register])[0]
    assert first.best is not None
    accepted = decide(first, "accept", decided_by="test")
    rejected = decide(
        link_suppliers([LedgerSupplier("n", "Northern Widgets M Ltd")], [generic_register])[0],
        "reject",
    )
    # The decided supplier need not be in this ledger: its key (a normalised name) is a record.
    results = link_suppliers(
        [
            LedgerSupplier("q", "Preston Comunity Transprt"),
            LedgerSupplier("n", "Northern Widgets M Ltd"),
        ],
        [generic_register],
        decisions=[accepted, rejected],
    )
    trained = results[0].best
    assert trained is not None
    assert any("trained from 1 reviewed pair" in text for text in trained.evidence)
    applied = apply_decisions(results, [accepted, rejected])
    assert rejected.entry_id not in {c.entry_id for c in applied[1].candidates}
    assert applied[1].status is not MatchStatus.ACCEPTED


def test_a_missing_register_is_a_matching_error(tmp_path: Path) -> None:
    _splink()
    with pytest.raises(SupplierMatchingError, match="does not exist"):
        link_suppliers([LedgerSupplier("a", "Acme")], [tmp_path / "missing.register.parquet"])


def test_a_missing_extra_says_how_to_install_it(
    generic_register: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulate a core-only install: importing splink fails. This tests our error, not splink.
    monkeypatch.setitem(sys.modules, "splink", None)
    with pytest.raises(LinkageBackendMissingError) as raised:
        link_suppliers([LedgerSupplier("a", "Acme")], [generic_register])
    assert isinstance(raised.value, SupplierMatchingError)
    assert "uv sync --extra linkage" in str(raised.value)
    assert "socialvalue[linkage]" in str(raised.value)
