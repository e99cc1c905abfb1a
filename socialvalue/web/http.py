"""The request type views receive, with the current organisation and htmx details."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails

    from socialvalue.web.accounts.models import Membership, Organisation


class OrgHttpRequest(HttpRequest):
    """A request after ``CurrentOrganisationMiddleware``: ``org`` is ``None`` for non-members."""

    user: User
    org: Organisation | None
    membership: Membership | None
    memberships: list[Membership]
    htmx: HtmxDetails
