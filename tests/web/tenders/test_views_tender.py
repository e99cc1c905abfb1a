"""Officer pages: create, criteria with the live policy check, publish, the sealed detail."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders.models import Tender

pytestmark = pytest.mark.django_db


def _when(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_it_creates_a_draft_from_the_preston_preset(client_for: Any) -> None:
    response = client_for("officer").post(
        reverse("tenders:create"),
        {
            "title": "Community transport",
            "reference": "KCC-T-9",
            "estimated_value": "£120,000.50",
            "cpv_codes": "60100000-9",
            "submission_deadline": _when(20),
            "clarification_deadline": _when(10),
            "preset": "preston",
            "moderation_rule": "consensus",
        },
    )
    tender = Tender.objects.get(reference="KCC-T-9")
    assert response.status_code == 302
    assert response["Location"] == reverse("tenders:criteria", args=[tender.pk])
    assert tender.estimated_value_pence == 12_000_050
    assert tender.cpv_codes == ["60100000-9"]
    assert tender.criteria.count() == 5


def test_it_shows_gov_uk_errors_with_codes(client_for: Any) -> None:
    response = client_for("officer").post(
        reverse("tenders:create"),
        {
            "estimated_value": "lots",
            "cpv_codes": "food",
            "submission_deadline": _when(1),
            "clarification_deadline": _when(2),
        },
    )
    form = response.context["form"]
    codes = {field: [e.code for e in errors] for field, errors in form.errors.as_data().items()}
    assert codes == {
        "title": ["required"],
        "reference": ["required"],
        "estimated_value": ["invalid"],
        "cpv_codes": ["invalid_cpv"],
        "preset": ["required"],
        "moderation_rule": ["required"],
        "clarification_deadline": ["clarification_after_submission"],
    }
    html = response.content.decode()
    assert "<title>Error: Create a tender" in html
    assert 'href="#id_title"' in html
    assert "There is a problem" in html


def test_it_checks_weights_live_without_saving(draft: Tender, client_for: Any) -> None:
    sv = draft.criteria.get(key="social_value")
    data = {f"weight_{c.pk}": str(c.weight) for c in draft.criteria.all()}
    data[f"weight_{sv.pk}"] = "10"
    response = client_for("officer").post(
        reverse("tenders:criteria", args=[draft.pk]), data, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.strip().startswith('<div id="policy-check"')
    assert "this tender gives 10.0%" in html
    assert "add up to 90" in html
    sv.refresh_from_db()
    assert sv.weight == 20


def test_it_saves_weights_and_audits(draft: Tender, client_for: Any) -> None:
    price = draft.criteria.get(key="price")
    quality = draft.criteria.get(key="quality")
    data = {f"weight_{c.pk}": str(c.weight) for c in draft.criteria.all()}
    data[f"weight_{price.pk}"] = "40"
    data[f"weight_{quality.pk}"] = "40"
    response = client_for("officer").post(reverse("tenders:criteria", args=[draft.pk]), data)
    assert response.status_code == 302
    price.refresh_from_db()
    assert price.weight == 40
    assert AuditEvent.objects.filter(action="tender.criteria_changed").exists()


def test_it_publishes_and_then_locks_the_criteria(draft: Tender, client_for: Any) -> None:
    officer = client_for("officer")
    assert officer.post(reverse("tenders:publish", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"
    html = officer.get(reverse("tenders:criteria", args=[draft.pk])).content.decode()
    assert "can no longer change" in html
    price = draft.criteria.get(key="price")
    officer.post(reverse("tenders:criterion_delete", args=[draft.pk, price.pk]))
    assert draft.criteria.filter(key="price").exists()


def test_it_shows_no_bidder_or_price_before_the_bids_are_opened(
    with_bids: Tender, client_for: Any
) -> None:
    for role in ("officer", "admin"):
        html = client_for(role).get(reverse("tenders:detail", args=[with_bids.pk])).content
        assert b'data-testid="sealed"' in html
        assert b"Northgate" not in html
        assert b"Ribble" not in html
        assert b"400,000" not in html
    bid = with_bids.bids.first()
    assert bid is not None
    response = client_for("officer").get(reverse("tenders:bid_detail", args=[with_bids.pk, bid.pk]))
    assert response.status_code == 404


def test_it_keeps_a_draft_off_the_public_pages(draft: Tender, client: Any) -> None:
    assert client.get(reverse("tenders:opportunity", args=[draft.pk])).status_code == 404
    assert b"School meals" not in client.get(reverse("tenders:opportunities")).content


def test_it_shows_a_published_tender_to_anyone(published: Tender, client: Any) -> None:
    html = client.get(reverse("tenders:opportunity", args=[published.pk])).content.decode()
    assert "School meals" in html
    assert "Sign in to bid" in html
    assert "School meals" in client.get(reverse("tenders:opportunities")).content.decode()


def test_it_publishes_answers_without_who_asked(
    published: Tender, client_for: Any, client: Any
) -> None:
    client_for("supplier").post(
        reverse("tenders:ask", args=[published.pk]), {"question": "Is halal food needed?"}
    )
    clarification = published.clarifications.get()
    client_for("officer").post(
        reverse("tenders:clarification_answer", args=[published.pk, clarification.pk]),
        {"answer": "Yes, on request."},
    )
    html = client.get(reverse("tenders:opportunity", args=[published.pk])).content.decode()
    assert "Is halal food needed?" in html
    assert "Yes, on request." in html
    assert "Northgate" not in html
