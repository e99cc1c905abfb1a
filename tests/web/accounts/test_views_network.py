from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_shows_member_totals_to_the_coordinator(client_for: Any, city: Any, county: Any) -> None:
    network = city.coordinated_networks.get()
    network.members.add(county)
    response = client_for("coordinator").get(reverse("accounts:network"))
    rows = {
        row["organisation"].name: row["people"]
        for row in response.context["networks"][0]["members"]
    }
    assert rows == {"Kingsbridge City Council": 6, "Westshire County Council": 1}
