"""Supplier pages: draft, submit twice, withdraw, after the deadline, and nobody else's bid."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import selectors
from socialvalue.web.tenders.models import Bid, Tender
from tests.web.tenders.conftest import move_deadline_to_past, user

pytestmark = pytest.mark.django_db


def _bid_data(tender: Tender, price: str = "12500.50") -> dict[str, str]:
    data = {"price": price, "price_breakdown": "Staff and food"}
    for criterion in selectors.response_criteria(tender=tender):
        data[f"response_{criterion.pk}"] = f"We will do {criterion.name} well."
    return data


def _client(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def test_it_saves_a_draft_then_submits_it_once_from_two_tabs(
    published: Tender, client_for: Any
) -> None:
    supplier = client_for("supplier")
    response = supplier.post(reverse("tenders:bid", args=[published.pk]), _bid_data(published))
    assert response.status_code == 302
    bid = Bid.objects.get()
    assert (bid.status, bid.price_pence) == ("draft", 1_250_050)
    for _ in range(2):  # the second tab, or a retry
        supplier.post(reverse("tenders:bid_submit", args=[published.pk]))
    assert Bid.objects.count() == 1
    assert Bid.objects.get().status == "submitted"
    assert AuditEvent.objects.filter(action="bid.submitted").count() == 1


def test_it_reports_an_answer_over_the_limit(published: Tender, client_for: Any) -> None:
    quality = published.criteria.get(key="quality")
    data = _bid_data(published)
    data[f"response_{quality.pk}"] = "x" * (quality.response_limit + 1)
    response = client_for("supplier").post(reverse("tenders:bid", args=[published.pk]), data)
    assert response.status_code == 200
    assert [
        e.code for e in response.context["form"].errors.as_data()[f"response_{quality.pk}"]
    ] == ["max_length"]
    assert response.content.decode().count("<title>Error: ") == 1
    assert not Bid.objects.exists()


def test_it_requires_a_price(published: Tender, client_for: Any) -> None:
    data = _bid_data(published, price="")
    response = client_for("supplier").post(reverse("tenders:bid", args=[published.pk]), data)
    assert [e.code for e in response.context["form"].errors.as_data()["price"]] == ["required"]


def test_it_withdraws_and_resubmits(published: Tender, client_for: Any) -> None:
    supplier = client_for("supplier")
    supplier.post(reverse("tenders:bid", args=[published.pk]), _bid_data(published))
    supplier.post(reverse("tenders:bid_submit", args=[published.pk]))
    supplier.post(reverse("tenders:bid_withdraw", args=[published.pk]))
    assert Bid.objects.get().status == "withdrawn"
    supplier.post(reverse("tenders:bid", args=[published.pk]), _bid_data(published, "9000"))
    supplier.post(reverse("tenders:bid_submit", args=[published.pk]))
    bid = Bid.objects.get()
    assert (bid.status, bid.price_pence) == ("submitted", 900_000)


def test_it_refuses_a_late_submission_and_records_it(published: Tender, client_for: Any) -> None:
    supplier = client_for("supplier")
    supplier.post(reverse("tenders:bid", args=[published.pk]), _bid_data(published))
    move_deadline_to_past(published)
    response = supplier.post(reverse("tenders:bid_submit", args=[published.pk]), follow=True)
    assert "The deadline for this tender has passed" in response.content.decode()
    assert Bid.objects.get().status == "draft"
    assert AuditEvent.objects.filter(action="bid.refused_after_deadline").count() == 1
    response = supplier.post(reverse("tenders:bid", args=[published.pk]), _bid_data(published))
    assert AuditEvent.objects.filter(action="bid.refused_after_deadline").count() == 2


def test_it_shows_a_supplier_only_its_own_bid(
    with_bids: Tender, client_for: Any, second_supplier: Any
) -> None:
    northgate = client_for("supplier").get(reverse("tenders:bid", args=[with_bids.pk]))
    html = northgate.content.decode()
    assert "£400,000.00" in html  # its own price
    assert "£450,000.00" not in html
    listing = client_for("supplier").get(reverse("tenders:my_bids")).content.decode()
    assert listing.count(reverse("tenders:bid", args=[with_bids.pk])) == 1
    rita = _client("rita").get(reverse("tenders:bid", args=[with_bids.pk])).content.decode()
    assert "£450,000.00" in rita
    assert "£400,000.00" not in rita


def test_it_refuses_buyer_pages_to_suppliers(with_bids: Tender, client_for: Any) -> None:
    bid = with_bids.bids.get(supplier__slug="ribble")
    supplier = client_for("supplier")
    assert supplier.get(reverse("tenders:detail", args=[with_bids.pk])).status_code == 403
    assert (
        supplier.get(reverse("tenders:bid_detail", args=[with_bids.pk, bid.pk])).status_code == 403
    )


def test_it_gives_each_bidder_only_its_own_summary(awarded: Tender, client_for: Any) -> None:
    northgate = client_for("supplier").get(reverse("tenders:bid_summary", args=[awarded.pk]))
    rita = _client("rita").get(reverse("tenders:bid_summary", args=[awarded.pk]))
    assert northgate.context["summary"].bid.bidder == "Northgate Catering"
    assert rita.context["summary"].bid.bidder == "Ribble Roofing"
    assert "rita thinks" not in northgate.content.decode()  # no evaluator wording of others
    download = client_for("supplier").get(
        reverse("tenders:bid_summary", args=[awarded.pk]) + "?download=1"
    )
    assert download["Content-Disposition"].startswith("attachment")


def test_it_has_no_summary_for_a_supplier_that_did_not_bid(
    awarded: Tender, client_for: Any
) -> None:
    from tests.factories import MembershipFactory, OrganisationFactory

    other = OrganisationFactory(name="Pennine Digital", slug="pennine", kind="supplier")
    MembershipFactory(organisation=other, role="supplier", user__username="pat")
    response = _client("pat").get(reverse("tenders:bid_summary", args=[awarded.pk]))
    assert response.status_code == 404
