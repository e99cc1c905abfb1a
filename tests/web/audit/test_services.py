from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from socialvalue.web.audit.chain import GENESIS_HASH
from socialvalue.web.audit.models import AppendOnlyError, AuditEvent
from socialvalue.web.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def _three_events() -> list[AuditEvent]:
    return [audit_record(action="test.event", summary=f"event {n}") for n in range(3)]


def test_it_chains_events_in_sequence() -> None:
    first, second, third = _three_events()
    assert [first.sequence, second.sequence, third.sequence] == [1, 2, 3]
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert audit_verify().ok


def test_it_verifies_what_was_read_back_from_the_database(city: Any) -> None:
    audit_record(action="test.event", summary="naïve café – £5", organisation=city, data={"n": 1})
    report = audit_verify()
    assert report.ok
    assert report.checked == AuditEvent.objects.count()


def test_it_refuses_updates_and_deletes_through_the_app() -> None:
    event = _three_events()[0]
    event.summary = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "event 0"


def test_it_detects_a_row_changed_directly_in_the_database() -> None:
    _three_events()
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET summary = %s WHERE sequence = %s", ["forged", 2])  # noqa: S608
    report = audit_verify()
    assert report.problem is not None
    assert report.problem.sequence == 2


def test_it_detects_a_row_deleted_directly_in_the_database() -> None:
    _three_events()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE sequence = 2")  # noqa: S608
    report = audit_verify()
    assert report.problem is not None
    assert report.problem.sequence == 2
    assert "missing" in report.problem.reason


def test_it_records_history_for_domain_models(city: Any) -> None:
    city.name = "Kingsbridge City Council (renamed)"
    city.save()
    assert [h.name for h in city.history.all()] == [
        "Kingsbridge City Council (renamed)",
        "Kingsbridge City Council",
    ]
