"""Tests for review decisions: making, saving, loading and reapplying them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialvalue.exceptions import SupplierDecisionError
from socialvalue.suppliers.decisions import (
    DecisionAction,
    apply_decisions,
    decide,
    load_decisions,
    save_decisions,
)
from socialvalue.suppliers.matching import Candidate, MatchResult, MatchStatus

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def _candidate(entry_id: str, name: str, confidence: float) -> Candidate:
    return Candidate(
        register="reg",
        entry_id=entry_id,
        name=name,
        name_normalised=name.lower(),
        company_number=entry_id,
        charity_number=None,
        postcode="PR1 2RL",
        sic_codes=("43910",),
        business_type="company",
        status=None,
        size=None,
        is_sme=None,
        via="fuzzy_name",
        name_score=90.0,
        confidence=confidence,
    )


RESULT = MatchResult(
    supplier_key="northern widgets",
    name="Northern Widgets",
    status=MatchStatus.REVIEW,
    confidence=0.6,
    candidates=(
        _candidate("04444444", "Northern Widgets Manufacturing", 0.6),
        _candidate("05555555", "Northern Widgets Marketing", 0.5),
    ),
)


def test_it_accepts_the_first_candidate() -> None:
    decision = decide(RESULT, "accept", decided_by="anna", now=NOW)
    [applied] = apply_decisions([RESULT], [decision])
    assert applied.status is MatchStatus.ACCEPTED
    assert applied.best is not None
    assert applied.best.entry_id == "04444444"
    assert applied.confidence == 1.0


def test_it_picks_another_candidate() -> None:
    decision = decide(RESULT, DecisionAction.PICK, candidate_index=1, now=NOW)
    [applied] = apply_decisions([RESULT], [decision])
    assert applied.best is not None
    assert applied.best.entry_id == "05555555"


def test_it_removes_a_rejected_candidate_and_keeps_the_supplier_in_review() -> None:
    decision = decide(RESULT, "reject", now=NOW)
    [applied] = apply_decisions([RESULT], [decision])
    assert [c.entry_id for c in applied.candidates] == ["05555555"]
    assert applied.status is MatchStatus.REVIEW


def test_it_reapplies_an_accepted_entry_missing_from_a_later_import() -> None:
    decision = decide(RESULT, "accept", now=NOW)
    later = MatchResult("northern widgets", "Northern Widgets", MatchStatus.UNMATCHED, 0.0)
    [applied] = apply_decisions([later], [decision])
    assert applied.status is MatchStatus.ACCEPTED
    assert applied.best is not None
    assert (applied.best.entry_id, applied.best.postcode) == ("04444444", "PR1 2RL")


def test_it_round_trips_decisions_through_a_file(tmp_path: Path) -> None:
    path = tmp_path / "suppliers" / "decisions.json"
    decisions = [decide(RESULT, "accept", decided_by="anna", now=NOW)]
    save_decisions(path, decisions)
    assert load_decisions(path) == decisions
    assert load_decisions(tmp_path / "missing.json") == []


def test_it_refuses_an_unknown_action_or_candidate() -> None:
    with pytest.raises(SupplierDecisionError):
        decide(RESULT, "maybe")
    with pytest.raises(SupplierDecisionError):
        decide(RESULT, "pick", candidate_index=5)


def test_it_refuses_a_file_that_is_not_a_decisions_file(tmp_path: Path) -> None:
    path = tmp_path / "decisions.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SupplierDecisionError):
        load_decisions(path)
