from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from socialvalue.web.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
NEW = "an-even-longer-unusual-passphrase-7"


def test_it_changes_the_password_and_keeps_the_session(client_for: Any) -> None:
    client = client_for("officer")
    response = client.post(
        reverse("accounts:account"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(username="olivia").check_password(NEW)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.password_changed").count() == 1
    assert NEW not in str(AuditEvent.objects.get(action="auth.password_changed").data)


def test_it_refuses_a_wrong_current_password(client_for: Any) -> None:
    response = client_for("officer").post(
        reverse("accounts:account"),
        {"old_password": "wrong", "new_password1": NEW, "new_password2": NEW},
    )
    codes = {e.code for e in response.context["form"].errors.as_data()["old_password"]}
    assert codes == {"password_incorrect"}
    assert get_user_model().objects.get(username="olivia").check_password(TEST_PASSWORD)


def test_it_refuses_a_weak_new_password(client_for: Any) -> None:
    response = client_for("officer").post(
        reverse("accounts:account"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    codes = {e.code for e in response.context["form"].errors.as_data()["new_password2"]}
    assert {"password_too_short", "password_entirely_numeric"} <= codes


def test_it_refuses_put(client_for: Any) -> None:
    assert client_for("officer").put(reverse("accounts:account")).status_code == 405
