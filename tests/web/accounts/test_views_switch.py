from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_it_switches_to_another_organisation_the_user_belongs_to(
    client_for: Any, city: Any, county: Any
) -> None:
    MembershipFactory(user__username="anna", organisation=county, role="analyst")
    client = client_for("analyst")
    assert client.get(reverse("accounts:dashboard")).context["current_org"] in {city, county}
    response = client.post(reverse("accounts:switch_organisation"), {"organisation": county.pk})
    assert response.status_code == 302
    assert client.get(reverse("accounts:dashboard")).context["current_org"] == county
    client.post(reverse("accounts:switch_organisation"), {"organisation": city.pk})
    assert client.get(reverse("accounts:dashboard")).context["current_org"] == city


def test_it_refuses_to_switch_into_an_organisation_the_user_is_not_in(
    client_for: Any, city: Any, county: Any
) -> None:
    client = client_for("analyst")
    client.post(reverse("accounts:switch_organisation"), {"organisation": county.pk})
    assert client.get(reverse("accounts:dashboard")).context["current_org"] == city


def test_it_checks_permissions_in_the_current_organisation(
    client_for: Any, city: Any, county: Any
) -> None:
    # Admin of the county but only an analyst in the city: team page follows the switch.
    MembershipFactory(user__username="anna", organisation=county, role="admin")
    client = client_for("analyst")
    client.post(reverse("accounts:switch_organisation"), {"organisation": city.pk})
    assert client.get(reverse("accounts:team")).status_code == 403
    client.post(reverse("accounts:switch_organisation"), {"organisation": county.pk})
    assert client.get(reverse("accounts:team")).status_code == 200
