"""The hash chain on its own, without a database."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from socialvalue.web.audit.chain import GENESIS_HASH, HASHED_FIELDS, event_hash, verify_chain


def _fields(sequence: int, summary: str = "x") -> dict[str, object]:
    return {
        "sequence": sequence,
        "created_at": "2026-11-25T10:00:00.000000+00:00",
        "actor_id": 1,
        "actor_label": "alice",
        "organisation_id": 2,
        "action": "auth.login",
        "object_type": "",
        "object_id": "",
        "summary": summary,
        "data": {"b": 1, "a": "two"},
    }


def _chain(summaries: list[str]) -> list[tuple[dict[str, object], str, str]]:
    events, previous = [], GENESIS_HASH
    for number, summary in enumerate(summaries, start=1):
        fields = _fields(number, summary)
        digest = event_hash(fields, previous)
        events.append((fields, previous, digest))
        previous = digest
    return events


def test_it_hashes_the_canonical_json_with_sha256() -> None:
    fields = _fields(1)
    # Worked independently: sorted keys, compact separators, previous hash included.
    payload = dict(fields, previous_hash=GENESIS_HASH)
    expected = hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    assert event_hash(fields, GENESIS_HASH) == expected
    assert set(HASHED_FIELDS) == set(fields)


def test_it_accepts_an_intact_chain() -> None:
    events = _chain(["a", "b", "c"])
    report = verify_chain(events)
    assert report.ok
    assert report.checked == 3
    assert report.last_hash == events[-1][2]


def test_it_finds_a_changed_event() -> None:
    events = _chain(["a", "b", "c"])
    fields, previous, digest = events[1]
    events[1] = ({**fields, "summary": "forged"}, previous, digest)
    report = verify_chain(events)
    assert report.problem is not None
    assert (report.problem.sequence, report.checked) == (2, 1)
    assert "changed" in report.problem.reason


def test_it_finds_a_missing_event() -> None:
    events = _chain(["a", "b", "c"])
    del events[1]
    report = verify_chain(events)
    assert report.problem is not None
    assert report.problem.sequence == 2
    assert "missing" in report.problem.reason


def test_it_finds_a_rehashed_event_by_its_broken_link() -> None:
    events = _chain(["a", "b", "c"])
    fields, previous, _ = events[1]
    forged = {**fields, "summary": "forged"}
    events[1] = (forged, previous, event_hash(forged, previous))
    report = verify_chain(events)
    assert report.problem is not None
    assert report.problem.sequence == 3
    assert "does not link" in report.problem.reason


@given(st.lists(st.text(max_size=20), min_size=1, max_size=8), st.data())
def test_it_detects_any_single_summary_change(summaries: list[str], data: st.DataObject) -> None:
    events = _chain(summaries)
    index = data.draw(st.integers(0, len(events) - 1))
    new = data.draw(st.text(max_size=20).filter(lambda s: s != summaries[index]))
    fields, previous, digest = events[index]
    events[index] = ({**fields, "summary": new}, previous, digest)
    report = verify_chain(events)
    assert report.problem is not None
    assert report.problem.sequence == index + 1
