from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.accounts.models import Membership
from socialvalue.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _membership(username: str) -> Membership:
    return Membership.objects.get(user__username=username)


def test_it_lists_the_organisation_members_only(client_for: Any) -> None:
    html = client_for("admin").get(reverse("accounts:team")).content.decode()
    assert "olivia@example.org" in html
    assert "carl@example.org" not in html


def test_it_changes_a_role_and_records_it(client_for: Any) -> None:
    member = _membership("evan")
    response = client_for("admin").post(
        reverse("accounts:change_role", args=[member.pk]), {f"m{member.pk}-role": "analyst"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "analyst"
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.data == {"from": "evaluator", "to": "analyst"}
    assert member.history.count() == 2  # created, then changed


def test_it_returns_the_row_for_htmx(client_for: Any) -> None:
    member = _membership("evan")
    response = client_for("admin").post(
        reverse("accounts:change_role", args=[member.pk]),
        {f"m{member.pk}-role": "officer"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.strip().startswith(f'<tr class="govuk-table__row" id="member-{member.pk}">')
    assert "Saved" in html
    assert "<html" not in html


def test_it_keeps_the_last_admin(client_for: Any) -> None:
    admin = _membership("alice")
    client_for("admin").post(
        reverse("accounts:change_role", args=[admin.pk]), {f"m{admin.pk}-role": "officer"}
    )
    admin.refresh_from_db()
    assert admin.role == "admin"
    assert not AuditEvent.objects.filter(action="membership.role_changed").exists()


def test_it_refuses_a_role_the_organisation_kind_cannot_have(client_for: Any) -> None:
    member = _membership("evan")
    response = client_for("admin").post(
        reverse("accounts:change_role", args=[member.pk]), {f"m{member.pk}-role": "supplier"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "evaluator"


def test_it_hides_another_organisations_member_and_records_the_attempt(client_for: Any) -> None:
    other = _membership("carl")
    response = client_for("admin").post(
        reverse("accounts:change_role", args=[other.pk]), {f"m{other.pk}-role": "officer"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.role == "admin"
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor.username == "alice"
    assert event.data["model"] == "accounts.membership"


def test_it_gives_404_without_an_audit_event_for_a_missing_object(client_for: Any) -> None:
    response = client_for("admin").post(reverse("accounts:change_role", args=[999_999]), {})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_it_refuses_the_wrong_role(client_for: Any) -> None:
    member = _membership("evan")
    response = client_for("officer").post(
        reverse("accounts:change_role", args=[member.pk]), {f"m{member.pk}-role": "admin"}
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.role == "evaluator"


def test_it_refuses_get_on_change_role(client_for: Any) -> None:
    member = _membership("evan")
    assert (
        client_for("admin").get(reverse("accounts:change_role", args=[member.pk])).status_code
        == 405
    )
