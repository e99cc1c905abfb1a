"""A small business registers its organisation from a public opportunity, or nothing is created."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from socialvalue.web.accounts.models import Membership, Organisation
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import services
from socialvalue.web.tenders.models import Tender

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase-42"


def _data(**changes: str) -> dict[str, str]:
    return {
        "organisation_name": "Preston Pies Ltd",
        "postcode": "pr1 2rl",
        "first_name": "Priya",
        "last_name": "Patel",
        "email": "Priya@PrestonPies.example",
        "username": "priya",
        "password": PASSWORD,
        **changes,
    }


def _url(tender: Tender) -> str:
    return reverse("tenders:supplier_register", args=[tender.pk])


def _counts() -> tuple[int, int, int]:
    return (
        Organisation.objects.count(),
        get_user_model().objects.count(),
        Membership.objects.count(),
    )


def _codes(response: Any) -> dict[str, list[str | None]]:
    return {
        field: [error.code for error in errors]
        for field, errors in response.context["form"].errors.as_data().items()
    }


def test_it_offers_registration_on_the_public_page(published: Tender) -> None:
    response = Client().get(reverse("tenders:opportunity", args=[published.pk]))
    assert _url(published) in response.content.decode()
    page = Client().get(_url(published))
    assert page.status_code == 200
    assert "<title>Register your organisation" in page.content.decode()


def test_it_registers_signs_in_audits_and_returns_to_the_opportunity(published: Tender) -> None:
    client = Client()
    response = client.post(_url(published), _data())
    assert response.status_code == 302
    assert response["Location"] == reverse("tenders:opportunity", args=[published.pk])
    organisation = Organisation.objects.get(name="Preston Pies Ltd")
    assert (organisation.kind, organisation.postcode) == ("supplier", "PR1 2RL")
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user.username, membership.role) == ("priya", "admin")
    assert membership.user.email == "priya@prestonpies.example"
    assert membership.user.check_password(PASSWORD)
    actions = set(
        AuditEvent.objects.filter(organisation=organisation).values_list("action", flat=True)
    )
    assert {"organisation.created", "membership.created", "supplier.registered"} <= actions
    assert AuditEvent.objects.filter(action="user.created", summary__contains="priya").exists()
    # Signed in, working in the new organisation, and able to bid straight away.
    page = client.get(response["Location"])
    assert page.wsgi_request.user.username == "priya"
    assert page.context["can_bid"] is True
    assert reverse("tenders:bid", args=[published.pk]) in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"organisation_name": ""}, "organisation_name", "required"),
        ({"postcode": ""}, "postcode", "required"),
        ({"postcode": "not a postcode"}, "postcode", "postcode_invalid"),
        ({"first_name": ""}, "first_name", "required"),
        ({"email": ""}, "email", "required"),
        ({"email": "priya-at-example"}, "email", "invalid"),
        ({"username": ""}, "username", "required"),
        ({"username": "has spaces"}, "username", "invalid"),
        ({"password": ""}, "password", "required"),
        ({"password": "short"}, "password", "password_too_short"),
        ({"password": "password12345"}, "password", "password_too_common"),
        ({"password": "1234567890123"}, "password", "password_entirely_numeric"),
    ],
)
def test_it_refuses_a_missing_or_bad_field_and_creates_nothing(
    published: Tender, changes: dict[str, str], field: str, code: str
) -> None:
    before = _counts()
    response = Client().post(_url(published), _data(**changes))
    assert response.status_code == 200
    assert code in _codes(response)[field]
    content = response.content.decode()
    assert content.count("<title>Error: ") == 1
    assert "govuk-error-summary" in content
    assert f'href="#id_{field}"' in content
    assert _counts() == before
    assert not AuditEvent.objects.filter(action="supplier.registered").exists()
    assert "_auth_user_id" not in Client().session


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"username": "SAM"}, "username", "username_taken"),  # Northgate's sam
        ({"email": "sam@example.org"}, "email", "email_taken"),
        (
            {"organisation_name": "northgate  catering", "postcode": "PR1 2RL"},
            "organisation_name",
            "organisation_exists",
        ),
    ],
)
def test_it_refuses_a_duplicate_and_creates_nothing(
    published: Tender, supplier_org: Any, changes: dict[str, str], field: str, code: str
) -> None:
    Organisation.objects.filter(pk=supplier_org.pk).update(postcode="PR1 2RL")
    before = _counts()
    response = Client().post(_url(published), _data(**changes))
    assert response.status_code == 200
    assert _codes(response)[field] == [code]
    assert _counts() == before


def test_it_refuses_the_same_business_twice(published: Tender) -> None:
    assert Client().post(_url(published), _data()).status_code == 302
    before = _counts()
    again = Client().post(
        _url(published), _data(username="priya2", email="other@prestonpies.example")
    )
    assert _codes(again) == {"organisation_name": ["organisation_exists"]}
    assert _counts() == before


def test_the_service_refuses_a_duplicate_the_form_did_not_see(published: Tender) -> None:
    """Two tabs: the second submission passed its form before the first was saved."""
    services.supplier_register(tender=published, **{**_data(), "postcode": "PR1 2RL"})
    before = _counts()
    with pytest.raises(services.ValidationError) as raised:
        services.supplier_register(
            tender=published,
            **{**_data(), "postcode": "PR1 2RL", "email": "new@example.org"},
        )
    assert set(raised.value.error_dict) == {"organisation_name", "username"}
    assert _counts() == before


def test_the_service_checks_the_password_and_creates_nothing(published: Tender) -> None:
    before = _counts()
    with pytest.raises(services.ValidationError) as raised:
        services.supplier_register(tender=published, **{**_data(), "password": "priya"})
    assert "password" in raised.value.error_dict
    assert _counts() == before


def test_it_sends_a_signed_in_person_back_to_the_opportunity(
    published: Tender, client_for: Any
) -> None:
    before = _counts()
    response = client_for("supplier").post(_url(published), _data())
    assert response.status_code == 302
    assert _counts() == before


def test_it_is_a_404_for_a_draft_tender(draft: Tender) -> None:
    assert Client().get(_url(draft)).status_code == 404
    assert Client().post(_url(draft), _data()).status_code == 404


def test_it_refuses_other_methods(published: Tender) -> None:
    assert Client().put(_url(published)).status_code == 405
