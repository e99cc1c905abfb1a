"""Role x view table for every tender page that takes arguments, on an awarded tender.

The argument-free pages are in ``tests/web/test_urls.py``'s MATRIX. Here "other_org" is the
county's admin: the city's tender is a 404 for them (another organisation's object), while the
wrong role inside the city is a 403.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.tenders.models import Tender

pytestmark = pytest.mark.django_db

ROLES = ["admin", "officer", "evaluator", "analyst", "supplier", "other_org"]


def _args(tender: Tender, name: str) -> list[int | str]:
    bid = tender.bids.order_by("pk").first()
    assert bid is not None
    assignment = tender.assignments.get(evaluator__username="evan")
    return {
        "bid_detail": [tender.pk, bid.pk],
        "award_report": [tender.pk, "html"],
        "evaluation": [assignment.pk],
    }.get(name, [tender.pk])


# url name -> expected GET status for each role (default 403)
GET_TABLE: dict[str, dict[str, int]] = {
    "detail": {"admin": 200, "officer": 200, "other_org": 404},
    "edit": {"officer": 302, "other_org": 403},  # awarded: sent back to the tender
    "criteria": {"officer": 200, "other_org": 403},
    "evaluators": {"officer": 200, "other_org": 403},
    "moderation": {"officer": 200, "other_org": 403},
    "award": {"officer": 302, "other_org": 403},  # awarded already
    "cancel": {"officer": 200, "other_org": 403},
    "bid_detail": {"admin": 200, "officer": 200, "other_org": 404},
    "award_report": {"admin": 200, "officer": 200, "other_org": 404},
    "evaluation": {"evaluator": 200},  # evan's own assignment
    "opportunity": dict.fromkeys(ROLES, 200),
    "supplier_register": dict.fromkeys(ROLES, 302),  # signed in already: back to the notice
    "bid": {"supplier": 200},
    "bid_summary": {"supplier": 200},
}


@pytest.mark.parametrize(("name", "role"), [(name, role) for name in GET_TABLE for role in ROLES])
def test_it_gives_each_role_the_expected_status(
    awarded: Tender, client_for: Any, name: str, role: str
) -> None:
    expected = GET_TABLE[name].get(role, 403)
    response = client_for(role).get(reverse(f"tenders:{name}", args=_args(awarded, name)))
    assert response.status_code == expected


POST_ONLY = [
    "publish",
    "close",
    "start_evaluation",
    "criterion_add",
    "moderation_average",
    "bid_submit",
    "bid_withdraw",
    "ask",
]


@pytest.mark.parametrize("name", POST_ONLY)
def test_it_refuses_get_on_actions(published: Tender, client_for: Any, name: str) -> None:
    role = "supplier" if name in {"bid_submit", "bid_withdraw", "ask"} else "officer"
    response = client_for(role).get(reverse(f"tenders:{name}", args=[published.pk]))
    assert response.status_code == 405


def test_it_hides_another_evaluators_assignment(evaluating: Tender, client_for: Any) -> None:
    ezra = evaluating.assignments.get(evaluator__username="ezra")
    response = client_for("evaluator").get(reverse("tenders:evaluation", args=[ezra.pk]))
    assert response.status_code == 404


def test_it_refuses_an_officer_posting_to_another_organisations_tender(
    published: Tender, client_for: Any
) -> None:
    from socialvalue.web.audit.models import AuditEvent

    response = client_for("other_org").post(reverse("tenders:publish", args=[published.pk]))
    assert response.status_code == 403  # the county admin may not manage tenders at all
    response = client_for("other_org").get(reverse("tenders:detail", args=[published.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").exists()
