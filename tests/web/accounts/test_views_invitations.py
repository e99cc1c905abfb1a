from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from socialvalue.web.accounts.models import Invitation, Membership
from socialvalue.web.accounts.services import invitation_create
from socialvalue.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
GOOD = {
    "first_name": "Ivy",
    "last_name": "Newton",
    "username": "ivy",
    "password": "a-long-unusual-passphrase-42",
}


def _invite(city: Any, role: str = "evaluator") -> str:
    admin = get_user_model().objects.get(username="alice")
    return invitation_create(
        organisation=city, email="Ivy@Example.org", role=role, invited_by=admin
    ).token


def test_it_creates_an_invitation_link_shown_once(client_for: Any) -> None:
    response = client_for("admin").post(
        reverse("accounts:invite"), {"email": "new@example.org", "role": "analyst"}
    )
    assert response.status_code == 200
    link = response.context["link"]
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get()
    assert invitation.email == "new@example.org"
    assert token not in invitation.token_hash  # only the hash is stored
    assert AuditEvent.objects.filter(action="invitation.created").count() == 1


def test_it_shows_every_invite_error_at_once(client_for: Any) -> None:
    response = client_for("admin").post(reverse("accounts:invite"), {"email": "not-an-email"})
    errors = response.context["form"].errors.as_data()
    assert {e.code for e in errors["email"]} == {"invalid"}
    assert {e.code for e in errors["role"]} == {"required"}
    assert "<title>Error: " in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_offers_only_roles_the_organisation_can_have(client_for: Any) -> None:
    response = client_for("admin").post(
        reverse("accounts:invite"), {"email": "new@example.org", "role": "supplier"}
    )
    assert {e.code for e in response.context["form"].errors.as_data()["role"]} == {"invalid_choice"}


def test_it_accepts_an_invitation_once(client: Any, city: Any) -> None:
    token = _invite(city)
    url = reverse("accounts:accept_invitation", args=[token])
    assert client.get(url).status_code == 200
    response = client.post(url, GOOD)
    assert response.status_code == 302
    membership = Membership.objects.get(user__username="ivy")
    assert (membership.organisation, membership.role) == (city, "evaluator")
    assert membership.user.email == "ivy@example.org"
    assert client.get(reverse("accounts:dashboard")).status_code == 200

    client.logout()
    again = client.post(url, {**GOOD, "username": "ivy2"})
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert not get_user_model().objects.filter(username="ivy2").exists()


def test_it_refuses_an_expired_invitation(client: Any, city: Any) -> None:
    token = _invite(city)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(reverse("accounts:accept_invitation", args=[token]), GOOD)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not get_user_model().objects.filter(username="ivy").exists()


def test_it_refuses_an_unknown_token(client: Any, city: Any) -> None:
    response = client.get(reverse("accounts:accept_invitation", args=["not-a-token"]))
    assert response.status_code == 410


def test_it_refuses_a_revoked_invitation(client: Any, client_for: Any, city: Any) -> None:
    token = _invite(city)
    invitation = Invitation.objects.get()
    client_for("admin").post(reverse("accounts:revoke_invitation", args=[invitation.pk]))
    response = client.post(reverse("accounts:accept_invitation", args=[token]), GOOD)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_it_refuses_a_weak_password_and_creates_nothing(client: Any, city: Any) -> None:
    token = _invite(city)
    response = client.post(
        reverse("accounts:accept_invitation", args=[token]), {**GOOD, "password": "password123"}
    )
    assert response.status_code == 200
    codes = {e.code for e in response.context["form"].errors.as_data()["password"]}
    assert "password_too_common" in codes
    assert not get_user_model().objects.filter(username="ivy").exists()
    assert Invitation.objects.get().accepted_at is None


def test_it_refuses_a_taken_username(client: Any, city: Any) -> None:
    token = _invite(city)
    response = client.post(
        reverse("accounts:accept_invitation", args=[token]), {**GOOD, "username": "OLIVIA"}
    )
    assert {e.code for e in response.context["form"].errors.as_data()["username"]} == {
        "username_taken"
    }


def test_it_hides_another_organisations_invitation(client_for: Any, county: Any) -> None:
    carl = get_user_model().objects.get(username="carl")
    invitation_create(organisation=county, email="x@example.org", role="analyst", invited_by=carl)
    other = Invitation.objects.get()
    response = client_for("admin").post(reverse("accounts:revoke_invitation", args=[other.pk]))
    assert response.status_code == 404
    assert Invitation.objects.get().revoked_at is None


def test_it_refuses_invitations_to_non_admins(client_for: Any) -> None:
    assert client_for("officer").post(reverse("accounts:invite"), {}).status_code == 403
