"""Role x view table for every contract page that takes arguments.

The argument-free pages are in ``tests/web/test_urls.py``'s MATRIX. "other_org" is the county's
admin and "county_cm" the county's contract manager: the city's contract is a 404 for them
(another organisation's object), while the wrong role inside the right organisation is a 403.
"rival" is a supplier that did not win: the winner's contract is a 404 for its people.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.contracts.models import Contract
from tests.web.contracts.conftest import user

pytestmark = pytest.mark.django_db

ROLES = [
    "admin",
    "officer",
    "evaluator",
    "contract_manager",
    "analyst",
    "coordinator",
    "supplier",
    "rival",
    "other_org",
    "county_cm",
]

# url name -> expected GET status for each role (default 403)
GET_TABLE: dict[str, dict[str, int]] = {
    "detail": {
        "admin": 200,
        "officer": 200,
        "contract_manager": 200,
        "other_org": 404,
        "county_cm": 404,
    },
    "edit": {"contract_manager": 200, "county_cm": 404},
    "supplier_detail": {"supplier": 200, "rival": 404},
}


@pytest.fixture
def client_as(client_for: Any, county_contract_manager: Any, rival_supplier: Any) -> Any:
    def make(role: str) -> Any:
        if role in {"rival", "county_cm"}:
            from django.test import Client

            client = Client()
            client.force_login(user({"rival": "rita", "county_cm": "cass"}[role]))
            return client
        return client_for(role)

    return make


@pytest.mark.parametrize(("name", "role"), [(name, role) for name in GET_TABLE for role in ROLES])
def test_it_gives_each_role_the_expected_status(
    contract: Contract, client_as: Any, name: str, role: str
) -> None:
    expected = GET_TABLE[name].get(role, 403)
    response = client_as(role).get(reverse(f"contracts:{name}", args=[contract.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("name", "method", "role"),
    [
        ("detail", "post", "contract_manager"),
        ("supplier_detail", "post", "supplier"),
        ("edit", "put", "contract_manager"),
        ("list", "post", "contract_manager"),
        ("supplier_list", "post", "supplier"),
    ],
)
def test_it_refuses_the_wrong_method(
    contract: Contract, client_as: Any, name: str, method: str, role: str
) -> None:
    args = [] if name.endswith("list") else [contract.pk]
    response = getattr(client_as(role), method)(reverse(f"contracts:{name}", args=args))
    assert response.status_code == 405


def test_it_records_an_attempt_on_another_organisations_contract(
    contract: Contract, client_as: Any
) -> None:
    from socialvalue.web.audit.models import AuditEvent

    client_as("county_cm").get(reverse("contracts:detail", args=[contract.pk]))
    event = AuditEvent.objects.get(action="access.denied")
    assert event.data["model"] == "contracts.contract"
