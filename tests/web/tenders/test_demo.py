"""The demo data walk the lifecycle through the real services, and load idempotently."""

from __future__ import annotations

import pytest

from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.demo import demo_load
from socialvalue.web.tenders.models import Tender

pytestmark = pytest.mark.django_db


def test_it_loads_an_open_a_moderation_and_an_awarded_tender_once() -> None:
    first = demo_load()
    again = demo_load()
    assert again.created == 0
    assert first.created > again.created
    statuses = dict(Tender.objects.values_list("reference", "status"))
    assert statuses == {
        "KCC-2026-101": "published",
        "KCC-2026-087": "evaluating",
        "KCC-2026-042": "awarded",
    }
    awarded = Tender.objects.get(reference="KCC-2026-042")
    assert awarded.award.winning_bid.supplier.slug == "northgate-catering"
    assert {"evaluator2", "supplier2"} <= {login[0] for login in first.logins}
    assert AuditEvent.objects.filter(action="tender.awarded").count() == 1
