"""Reading the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from socialvalue.web.accounts.models import Organisation
from socialvalue.web.audit.models import AuditEvent


def audit_events_for_organisation(
    *, organisation: Organisation, action_prefix: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.for_organisation(organisation).select_related("actor")
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return events.order_by("-sequence")
