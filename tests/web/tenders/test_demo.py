"""The demo data walk the lifecycle through the real services, and load idempotently."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from socialvalue.web.accounts.models import Organisation
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.demo import demo_load
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import BidStatus, Lot, Tender

pytestmark = pytest.mark.django_db


def test_it_loads_an_open_a_moderation_and_an_awarded_tender_once() -> None:
    first = demo_load()
    again = demo_load()
    assert again.created == 0
    assert first.created > again.created
    statuses = dict(Tender.objects.values_list("reference", "status"))
    assert statuses == {
        "KCC-2026-101": "published",
        "KCC-2026-118": "published",
        "KCC-2026-087": "evaluating",
        "KCC-2026-042": "awarded",
    }
    awarded = Tender.objects.get(reference="KCC-2026-042")
    assert awarded.award.winning_bid.supplier.slug == "northgate-catering"
    assert {"evaluator2", "supplier2"} <= {login[0] for login in first.logins}
    assert AuditEvent.objects.filter(action="tender.awarded").count() == 1


def test_it_loads_a_published_tender_in_two_lots_once() -> None:
    demo_load()
    demo_load()
    tender = Tender.objects.get(reference="KCC-2026-118")
    assert list(tender.lots.values_list("number", "title", "estimated_value_pence")) == [
        (1, "Schools", 1_050_000_000),
        (2, "Civic buildings", 310_000_000),
    ]
    assert Lot.objects.filter(tender__reference="KCC-2026-118").count() == 2
    # Preston 2023: social value is 20 of the 100 points, Part A and Part B half each.
    weights = {c.key: c.weight for c in tender.criteria.all()}
    assert weights["social_value"] == Decimal(20)
    assert (weights["sv_part_a"], weights["sv_part_b"]) == (Decimal(50), Decimal(50))
    assert tender.estimated_value_pence == 1_360_000_000
    assert not tender.deadline_passed()
    assert tender in selectors.public_tenders()
    assert AuditEvent.objects.filter(action="tender.lot_added").count() == 2


@pytest.mark.parametrize(
    ("username", "slug", "lot_number"),
    [("supplier", "northgate-catering", 1), ("supplier2", "brightwork-fm", 2)],
)
def test_the_demo_suppliers_can_bid_for_a_lot(username: str, slug: str, lot_number: int) -> None:
    demo_load()
    tender = Tender.objects.get(reference="KCC-2026-118")
    lot = tender.lots.get(number=lot_number)
    supplier = Organisation.objects.get(slug=slug)
    actor = get_user_model().objects.get(username=username)
    services.bid_save(
        tender=tender,
        supplier=supplier,
        actor=actor,
        price_pence=30_000_000,
        responses={c.pk: "Our answer." for c in selectors.response_criteria(tender=tender)},
        lot=lot,
    )
    bid = services.bid_submit(tender=tender, supplier=supplier, actor=actor, lot=lot)
    assert (bid.status, bid.lot) == (BidStatus.SUBMITTED, lot)
