"""Sets ``request.org``: the organisation the signed-in user is working in."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from socialvalue.web.accounts.selectors import memberships_for_user

SESSION_KEY = "organisation_id"


class CurrentOrganisationMiddleware:
    """Pick the organisation from the session, or the user's first one.

    A user who belongs to several organisations switches with the organisation switcher,
    which stores the choice in the session. Memberships are loaded once per request and
    cached on the user for the permission predicates.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.org = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = request.user
        if user.is_authenticated:
            memberships = memberships_for_user(user=user)
            user._roles_by_org = {m.organisation_id: m.role for m in memberships}  # type: ignore[attr-defined]
            chosen = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.organisation_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
            request.memberships = memberships  # type: ignore[attr-defined]
            if current is not None:
                request.membership = current  # type: ignore[attr-defined]
                request.org = current.organisation  # type: ignore[attr-defined]
        return self.get_response(request)
