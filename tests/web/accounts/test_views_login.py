from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.accounts.models import LoginFailure
from socialvalue.web.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client: Any, username: str, password: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_signs_in_and_records_the_event(client: Any, city: Any) -> None:
    response = _sign_in(client, "olivia", TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor.username == "olivia"
    assert event.organisation == city


def test_it_refuses_a_wrong_password_with_an_error_summary(client: Any, city: Any) -> None:
    response = _sign_in(client, "olivia", "wrong")
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["__all__"][0].code == "invalid_login"
    html = response.content.decode()
    assert "<title>Error: Sign in" in html
    assert "There is a problem" in html
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 1


def test_it_throttles_after_repeated_failures_even_with_the_right_password(
    client: Any, city: Any, settings: Any
) -> None:
    limit = settings.SOCIALVALUE["LOGIN_FAILURE_LIMIT"]
    for _ in range(limit):
        _sign_in(client, "olivia", "wrong")
    response = _sign_in(client, "olivia", TEST_PASSWORD)
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["__all__"][0].code == "throttled"
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="auth.login_throttled").count() == 1


def test_it_throttles_by_username_case_insensitively(client: Any, city: Any, settings: Any) -> None:
    for _ in range(settings.SOCIALVALUE["LOGIN_FAILURE_LIMIT"]):
        _sign_in(client, "OLIVIA", "wrong")
    response = _sign_in(client, "olivia", TEST_PASSWORD)
    assert response.context["form"].errors.as_data()["__all__"][0].code == "throttled"


def test_it_forgets_failures_after_a_successful_sign_in(client: Any, city: Any) -> None:
    _sign_in(client, "olivia", "wrong")
    _sign_in(client, "olivia", TEST_PASSWORD)
    assert LoginFailure.objects.filter(username="olivia").count() == 0


def test_it_signs_out_only_by_post(client_for: Any) -> None:
    client = client_for("officer")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout").count() == 1


def test_it_requires_csrf_on_sign_in(city: Any) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("accounts:login"), {"username": "olivia", "password": TEST_PASSWORD}
    )
    assert response.status_code == 403
