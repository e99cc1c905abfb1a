"""What every page's layout needs: the navigation for the user's role and the docs link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from socialvalue.web.permissions import Perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    perm: Perm
    # URL prefixes under which the item shows as current.
    section: str


#: The main navigation, in order. Later areas (tenders, contracts, spend …) add their items here.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Dashboard", "accounts:dashboard", Perm.VIEW_DASHBOARD, "/"),
    # Tenders' items go here (socialvalue/web/tenders).
    NavItem("Tenders", "tenders:list", Perm.VIEW_TENDERS, "/tenders/"),
    NavItem("Evaluations", "tenders:evaluations", Perm.EVALUATE_TENDERS, "/tenders/evaluations/"),
    NavItem("Bids", "tenders:my_bids", Perm.MANAGE_BIDS, "/tenders/bids/"),
    NavItem("Contracts", "contracts:list", Perm.VIEW_CONTRACTS, "/contracts/"),
    NavItem("Contracts", "contracts:supplier_list", Perm.MANAGE_BIDS, "/contracts/won/"),
    # Spend and suppliers' items go here (socialvalue/web/spend, socialvalue/web/suppliers).
    NavItem("Spend", "spend:list", Perm.VIEW_SPEND, "/spend/"),
    NavItem("Suppliers", "suppliers:list", Perm.REVIEW_SUPPLIERS, "/suppliers/"),
    NavItem("Frameworks", "frameworks:list", Perm.VIEW_FRAMEWORKS, "/frameworks/"),
    NavItem("Network", "accounts:network", Perm.VIEW_NETWORK, "/network/"),
    NavItem("Team", "accounts:team", Perm.MANAGE_TEAM, "/team/"),
    NavItem("Audit log", "audit:log", Perm.VIEW_AUDIT_LOG, "/audit/"),
)


def navigation_for(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    org = getattr(request, "org", None)
    if not user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        if not user.has_perm(str(item.perm), org):
            continue
        if item.section == "/":
            current = request.path == "/"
        else:
            current = request.path.startswith(item.section)
        items.append({"label": item.label, "href": reverse(item.url_name), "current": current})
    return items


def layout(request: HttpRequest) -> dict[str, Any]:
    return {
        "navigation": navigation_for(request),
        "docs_url": settings.DOCS_URL,
        "current_org": getattr(request, "org", None),
        "current_membership": getattr(request, "membership", None),
        "other_memberships": [
            m
            for m in getattr(request, "memberships", [])
            if m != getattr(request, "membership", None)
        ],
    }
