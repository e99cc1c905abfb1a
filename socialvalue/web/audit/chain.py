"""The audit hash chain, independent of Django.

Each event's hash is SHA-256 over a canonical JSON encoding of its fields and the previous
event's hash, so changing, deleting or inserting any event breaks every hash after it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64

#: The fields covered by the hash, in a fixed order. Adding one is a breaking change.
HASHED_FIELDS = (
    "sequence",
    "created_at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "action",
    "object_type",
    "object_id",
    "summary",
    "data",
)


def event_hash(fields: Mapping[str, Any], previous_hash: str) -> str:
    """Return the hex SHA-256 of an event's hashed fields chained to ``previous_hash``.

    Parameters
    ----------
    fields
        A mapping with every name in :data:`HASHED_FIELDS`; ``created_at`` as an ISO 8601
        string in UTC, ``data`` as JSON-compatible values.
    previous_hash
        The hash of the event before, or :data:`GENESIS_HASH` for the first.
    """
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["previous_hash"] = previous_hash
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """The first place the chain does not hold."""

    sequence: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None
    #: The hash of the last intact event: keep it outside the database as an anchor.
    last_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(events: Iterable[tuple[Mapping[str, Any], str, str]]) -> ChainReport:
    """Recompute the chain and report the first tampered, missing or inserted event.

    Parameters
    ----------
    events
        ``(fields, stored_previous_hash, stored_hash)`` in ascending sequence order.
    """
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    for fields, stored_previous, stored_hash in events:
        sequence = int(fields["sequence"])
        if sequence != expected_sequence:
            if sequence > expected_sequence:
                reason = f"event {expected_sequence} is missing (next stored event is {sequence})"
            else:
                reason = f"event {sequence} appears twice or out of order"
            return ChainReport(checked, ChainProblem(expected_sequence, reason), previous_hash)
        if stored_previous != previous_hash:
            return ChainReport(
                checked,
                ChainProblem(sequence, f"event {sequence} does not link to event {sequence - 1}"),
                previous_hash,
            )
        if event_hash(fields, previous_hash) != stored_hash:
            return ChainReport(
                checked,
                ChainProblem(sequence, f"event {sequence} was changed after it was recorded"),
                previous_hash,
            )
        previous_hash = stored_hash
        expected_sequence += 1
        checked += 1
    return ChainReport(checked, None, previous_hash)
