"""The organisation's audit log, newest first, filterable by kind of action."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from socialvalue.web.audit.selectors import audit_events_for_organisation
from socialvalue.web.http import OrgHttpRequest
from socialvalue.web.permissions import Perm, permission_required

ACTION_FILTERS = [
    ("", "All events"),
    ("auth.", "Sign-ins and sign-outs"),
    ("membership.", "Membership and roles"),
    ("invitation.", "Invitations"),
    ("access.", "Refused access"),
]


@require_GET
@permission_required(Perm.VIEW_AUDIT_LOG)
def audit_log(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    action = request.GET.get("action", "")
    if action not in {value for value, _ in ACTION_FILTERS}:
        action = ""
    events = audit_events_for_organisation(organisation=request.org, action_prefix=action)
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    template = "audit/log.html"
    if request.htmx:
        template += "#events"
    return render(
        request,
        template,
        {"page": page, "action": action, "action_filters": ACTION_FILTERS},
    )
