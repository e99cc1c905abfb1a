"""Permission names and the decorators every view must carry.

A view either declares the permission it needs with :func:`permission_required` (checked
against the user's current organisation with ``rules``) or is explicitly public with
:func:`public`. ``tests/web/test_urls.py`` walks every URL pattern and fails on a view that
does neither.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest
from rules.contrib.views import permission_required as rules_permission_required

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


class Perm(StrEnum):
    """Every permission a view can require; predicates are in each app's ``rules.py``."""

    VIEW_DASHBOARD = "accounts.view_dashboard"
    SWITCH_ORGANISATION = "accounts.switch_organisation"
    MANAGE_TEAM = "accounts.manage_team"
    VIEW_NETWORK = "accounts.view_network"
    VIEW_AUDIT_LOG = "audit.view_log"
    VIEW_FRAMEWORKS = "frameworks.view"
    MANAGE_FRAMEWORKS = "frameworks.manage"
    # Spend and suppliers (socialvalue/web/spend, socialvalue/web/suppliers) add theirs here.
    VIEW_SPEND = "spend.view"
    MANAGE_SPEND = "spend.manage"
    REVIEW_SUPPLIERS = "suppliers.review"
    # Tenders (socialvalue/web/tenders/rules.py) add theirs below.
    VIEW_TENDERS = "tenders.view"
    MANAGE_TENDERS = "tenders.manage"
    EVALUATE_TENDERS = "tenders.evaluate"
    MANAGE_BIDS = "tenders.manage_bids"
    # Contracts (socialvalue/web/contracts/rules.py).
    VIEW_CONTRACTS = "contracts.view"
    MANAGE_CONTRACTS = "contracts.manage"


def _current_organisation(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
    return getattr(request, "org", None)


def permission_required(perm: Perm) -> Callable[[ViewFunc], ViewFunc]:
    """Require ``perm`` in the user's current organisation; 403 otherwise."""

    def decorator(view: ViewFunc) -> ViewFunc:
        wrapped = rules_permission_required(
            str(perm), fn=_current_organisation, raise_exception=True
        )(view)
        wrapped.required_permission = perm
        return wrapped

    return decorator


def public(view: ViewFunc) -> ViewFunc:
    """Mark a view as reachable without signing in (login page, invitations, health check)."""
    wrapped = login_not_required(view)
    wrapped.is_public = True  # type: ignore[attr-defined]
    return wrapped
