"""Review decisions as plain data: made once, kept beside the spend dataset, reused on every import.

A decision is keyed by the supplier key (the normalised name), not by a row or a file, so it
applies to every later file, and to other organisations' files when a network shares its
decisions file. Three actions:

``accept``
    The candidate shown (``entry_id`` in ``register``) is the supplier.
``pick``
    Another candidate (or any register entry the analyst found) is the supplier.
``reject``
    The candidate shown is not the supplier; with no ``entry_id`` none of them is. The supplier
    stays unmatched and the rejected entry is never proposed again.

Each accepted or picked decision keeps a snapshot of the entry (name, numbers, postcode, SIC,
business type, size) so it still applies when a later import's candidates differ.

The web app stores :meth:`Decision.to_dict` rows in its database and calls
:func:`apply_decisions`; the CLI keeps them in ``decisions.json``
(:func:`load_decisions` / :func:`save_decisions`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from socialvalue.exceptions import SupplierDecisionError
from socialvalue.suppliers.matching import Candidate, MatchResult, MatchStatus

__all__ = [
    "DECISIONS_FILE_VERSION",
    "Decision",
    "DecisionAction",
    "apply_decisions",
    "decide",
    "load_decisions",
    "save_decisions",
]

DECISIONS_FILE_VERSION = 1


class DecisionAction(StrEnum):
    """What a reviewer decided about a supplier's candidate."""

    ACCEPT = "accept"
    REJECT = "reject"
    PICK = "pick"


@dataclass(frozen=True)
class Decision:
    """One reviewer decision (plain data; see the module docstring)."""

    supplier_key: str
    action: DecisionAction
    register: str | None = None
    entry_id: str | None = None
    entry: Mapping[str, object] = field(default_factory=dict)
    decided_by: str = ""
    decided_at: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (for a file or a database JSON field)."""
        data = asdict(self)
        data["action"] = self.action.value
        data["entry"] = dict(self.entry)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Decision:
        """Read a decision written by :meth:`to_dict`.

        Raises
        ------
        SupplierDecisionError
            A field is missing or the action is unknown.
        """
        try:
            action = DecisionAction(str(data["action"]))
            supplier_key = str(data["supplier_key"])
        except (KeyError, ValueError) as error:
            raise SupplierDecisionError(
                f"decision {dict(data)!r} needs a supplier_key and an action "
                f"({', '.join(a.value for a in DecisionAction)})"
            ) from error
        entry = data.get("entry") or {}
        return cls(
            supplier_key=supplier_key,
            action=action,
            register=_optional_text(data.get("register")),
            entry_id=_optional_text(data.get("entry_id")),
            entry=dict(entry) if isinstance(entry, Mapping) else {},
            decided_by=str(data.get("decided_by") or ""),
            decided_at=str(data.get("decided_at") or ""),
            note=str(data.get("note") or ""),
        )


def _optional_text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _snapshot(candidate: Candidate) -> dict[str, object]:
    return {
        "name": candidate.name,
        "name_normalised": candidate.name_normalised,
        "company_number": candidate.company_number,
        "charity_number": candidate.charity_number,
        "postcode": candidate.postcode,
        "sic_codes": list(candidate.sic_codes),
        "business_type": candidate.business_type,
        "status": candidate.status,
        "size": candidate.size,
        "is_sme": candidate.is_sme,
    }


def decide(
    result: MatchResult,
    action: DecisionAction | str,
    *,
    candidate_index: int = 0,
    candidate: Candidate | None = None,
    decided_by: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Decision:
    """Make a decision about a match result (what a review screen calls on a key press).

    Parameters
    ----------
    result
        The supplier being reviewed.
    action
        ``accept`` (the candidate at ``candidate_index``, the first by default), ``pick`` (the
        candidate at ``candidate_index``, or ``candidate`` for one found elsewhere) or
        ``reject`` (the candidate at ``candidate_index``; when there are no candidates, none).
    candidate_index
        Which of ``result.candidates``.
    candidate
        For ``pick``: an entry not among the candidates.
    decided_by, note
        Who decided and why (kept for the audit trail).
    now
        The decision time (defaults to the current UTC time).

    Raises
    ------
    SupplierDecisionError
        The action is unknown or the candidate index is out of range.
    """
    try:
        action = DecisionAction(action)
    except ValueError as error:
        raise SupplierDecisionError(
            f"unknown decision {action!r}; use accept, reject or pick"
        ) from error
    chosen = candidate
    if chosen is None and result.candidates:
        if not 0 <= candidate_index < len(result.candidates):
            raise SupplierDecisionError(
                f"{result.name!r} has {len(result.candidates)} candidate(s); "
                f"there is no candidate {candidate_index + 1}"
            )
        chosen = result.candidates[candidate_index]
    if chosen is None and action is not DecisionAction.REJECT:
        raise SupplierDecisionError(
            f"{result.name!r} has no candidate to {action.value}; reject it or pick an entry"
        )
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return Decision(
        supplier_key=result.supplier_key,
        action=action,
        register=chosen.register if chosen else None,
        entry_id=chosen.entry_id if chosen else None,
        entry=_snapshot(chosen) if chosen and action is not DecisionAction.REJECT else {},
        decided_by=decided_by,
        decided_at=stamp,
        note=note,
    )


def _candidate_from_snapshot(decision: Decision) -> Candidate:
    entry = decision.entry
    sic = entry.get("sic_codes") or []
    is_sme = entry.get("is_sme")
    return Candidate(
        register=decision.register or "",
        entry_id=decision.entry_id or "",
        name=str(entry.get("name") or ""),
        name_normalised=str(entry.get("name_normalised") or ""),
        company_number=_optional_text(entry.get("company_number")),
        charity_number=_optional_text(entry.get("charity_number")),
        postcode=_optional_text(entry.get("postcode")),
        sic_codes=tuple(str(code) for code in sic) if isinstance(sic, list) else (),
        business_type=str(entry.get("business_type") or "unknown"),
        status=_optional_text(entry.get("status")),
        size=_optional_text(entry.get("size")),
        is_sme=is_sme if isinstance(is_sme, bool) else None,
        via="decision",
        name_score=0.0,
        confidence=1.0,
        evidence=("reviewer decision",),
    )


def apply_decisions(
    results: Sequence[MatchResult], decisions: Iterable[Decision]
) -> list[MatchResult]:
    """Apply reviewer decisions to fresh match results (the latest decision per supplier wins;
    several rejections of different entries all hold).

    Accepted or picked suppliers become ``accepted`` with confidence 1 and the chosen entry first
    (from the snapshot when this import did not propose it); rejected entries are removed, and a
    supplier with a rejection and no acceptance becomes ``unmatched`` unless another candidate is
    itself above the accept threshold (it is then sent to ``review``, never auto-accepted).
    """
    latest: dict[str, Decision] = {}
    rejected: dict[str, set[tuple[str | None, str | None]]] = {}
    for made in sorted(decisions, key=lambda d: d.decided_at):
        if made.action is DecisionAction.REJECT:
            rejected.setdefault(made.supplier_key, set()).add((made.register, made.entry_id))
            if made.entry_id is None:
                latest[made.supplier_key] = made
            continue
        latest[made.supplier_key] = made
    applied: list[MatchResult] = []
    for result in results:
        decision = latest.get(result.supplier_key)
        refused = rejected.get(result.supplier_key, set())
        candidates = tuple(c for c in result.candidates if (c.register, c.entry_id) not in refused)
        reasons = result.reasons
        if decision is not None and decision.action is not DecisionAction.REJECT:
            chosen = next(
                (
                    replace(c, via="decision", confidence=1.0)
                    for c in candidates
                    if c.entry_id == decision.entry_id and c.register == decision.register
                ),
                None,
            ) or _candidate_from_snapshot(decision)
            others = tuple(c for c in candidates if c.entry_id != chosen.entry_id)
            applied.append(
                replace(
                    result,
                    status=MatchStatus.ACCEPTED,
                    confidence=1.0,
                    candidates=(chosen, *others),
                    reasons=(*reasons, f"decision:{decision.action.value}"),
                )
            )
        elif refused:
            status = MatchStatus.UNMATCHED
            if candidates and not (decision is not None and decision.entry_id is None):
                status = MatchStatus.REVIEW
            applied.append(
                replace(
                    result,
                    status=status,
                    confidence=candidates[0].confidence if candidates else 0.0,
                    candidates=candidates,
                    reasons=(*reasons, "decision:reject"),
                )
            )
        else:
            applied.append(result)
    return applied


def load_decisions(path: Path) -> list[Decision]:
    """Read a decisions file; a missing file means no decisions yet.

    Raises
    ------
    SupplierDecisionError
        The file is not a decisions file.
    """
    if not path.exists():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SupplierDecisionError(
            f"cannot read decisions file {path}: {error}; fix or remove it"
        ) from error
    if not isinstance(data, dict) or not isinstance(data.get("decisions"), list):
        raise SupplierDecisionError(
            f"{path} is not a supplier decisions file (expected an object with 'decisions')"
        )
    return [Decision.from_dict(item) for item in data["decisions"]]


def save_decisions(path: Path, decisions: Iterable[Decision]) -> None:
    """Write decisions to ``path`` (JSON, written to a temporary file then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": DECISIONS_FILE_VERSION,
        "decisions": [decision.to_dict() for decision in decisions],
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)
