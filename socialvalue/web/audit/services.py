"""Writing and checking the audit log."""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from socialvalue.web.audit.chain import GENESIS_HASH, ChainReport, event_hash, verify_chain
from socialvalue.web.audit.models import AuditEvent

# Any constant works: it only has to be the same for every writer of the chain.
_POSTGRES_CHAIN_LOCK = 7_274_551


def _lock_chain() -> None:
    """Serialise writers so two events never claim the same previous hash.

    SQLite already holds its write lock (IMMEDIATE transactions, see settings); PostgreSQL
    takes a transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_CHAIN_LOCK])


@transaction.atomic
def audit_record(
    *,
    action: str,
    summary: str,
    actor: Any = None,
    organisation: Any = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain.

    Parameters
    ----------
    action
        A dotted name such as ``auth.login`` or ``membership.role_changed``.
    summary
        One sentence a person reading the log understands.
    actor
        The user who acted, or ``None`` for the system or an anonymous visitor.
    organisation
        The organisation the event belongs to (its admins see it in the audit log page).
    obj
        The object acted on, recorded as ``app_label.model`` and primary key.
    data
        Extra JSON-compatible details (strings, integers, booleans), included in the hash.
    """
    _lock_chain()
    last = AuditEvent.objects.order_by("-sequence").only("sequence", "hash").first()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        sequence=(last.sequence + 1) if last else 1,
        created_at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=actor.get_username() if is_user else "system",
        organisation=organisation,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        data=data or {},
        previous_hash=last.hash if last else GENESIS_HASH,
    )
    event.hash = event_hash(event.hashed_fields(), event.previous_hash)
    event.save()
    return event


def audit_verify() -> ChainReport:
    """Recompute the whole chain from the database, streaming in sequence order."""
    rows = AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)
    return verify_chain((event.hashed_fields(), event.previous_hash, event.hash) for event in rows)
