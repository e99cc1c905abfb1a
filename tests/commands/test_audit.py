from __future__ import annotations

import pytest
from django.db import connection
from typer.testing import CliRunner

from socialvalue.commands import app
from socialvalue.exceptions import AuditChainError
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.audit.services import audit_record

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_it_reports_an_intact_trail() -> None:
    for n in range(4):
        audit_record(action="test.event", summary=f"event {n}")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0
    assert "4 events verified" in result.output


def test_it_finds_an_event_tampered_with_in_the_database() -> None:
    for n in range(4):
        audit_record(action="test.event", summary=f"event {n}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET actor_label = %s WHERE sequence = 3",  # noqa: S608
            ["mallory"],
        )
    result = runner.invoke(app, ["audit", "verify"])
    assert isinstance(result.exception, AuditChainError)
    assert "event 3" in str(result.exception)
    assert "2 events before it are intact" in str(result.exception)
