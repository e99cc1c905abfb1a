"""Evaluator, moderation and award pages, and the award report downloads."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import selectors
from socialvalue.web.tenders.models import Tender
from tests.web.tenders.conftest import moderate_all, score_all, user

pytestmark = pytest.mark.django_db


def _client(username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


def test_it_asks_for_the_declaration_before_showing_bids(
    evaluating: Tender, client_for: Any
) -> None:
    assignment = evaluating.assignments.get(evaluator__username="evan")
    url = reverse("tenders:evaluation", args=[assignment.pk])
    page = client_for("evaluator").get(url).content.decode()
    assert "Declare conflicts of interest" in page
    assert "Northgate" not in page
    response = client_for("evaluator").post(url, {"has_conflict": "yes", "details": ""})
    codes = [e.code for e in response.context["form"].errors.as_data()["details"]]
    assert codes == ["details_required"]
    client_for("evaluator").post(url, {"has_conflict": "no"})
    page = client_for("evaluator").get(url).content.decode()
    assert "Northgate Catering" in page
    assert "£400,000" not in page  # never a price


def test_it_saves_a_score_by_htmx_and_hides_peers_until_submission(
    evaluating: Tender, client_for: Any
) -> None:
    score_all(evaluating, "ezra", {"northgate": Decimal(4), "ribble": Decimal(5)})
    assignment = evaluating.assignments.get(evaluator__username="evan")
    evan = client_for("evaluator")
    evan.post(reverse("tenders:evaluation", args=[assignment.pk]), {"has_conflict": "no"})
    page = evan.get(reverse("tenders:evaluation", args=[assignment.pk])).content.decode()
    assert "ezra thinks" not in page
    bid = evaluating.bids.get(supplier__slug="northgate")
    quality = evaluating.criteria.get(key="quality")
    prefix = f"s{bid.pk}-{quality.pk}"
    response = evan.post(
        reverse("tenders:score", args=[assignment.pk, bid.pk, quality.pk]),
        {f"{prefix}-value": "9", f"{prefix}-reason": "Great"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.strip().startswith(f'<div class="govuk-!-margin-bottom-6" id="cell-{bid.pk}-')
    assert "The score must be 5 or less" in html
    response = evan.post(
        reverse("tenders:score", args=[assignment.pk, bid.pk, quality.pk]),
        {f"{prefix}-value": "4", f"{prefix}-reason": "Clear method"},
        headers={"HX-Request": "true"},
    )
    assert "Saved" in response.content.decode()
    assert assignment.scores.get().value == 4


def test_it_shows_peers_after_submission(scored: Tender, client_for: Any) -> None:
    assignment = scored.assignments.get(evaluator__username="evan")
    page = client_for("evaluator").get(reverse("tenders:evaluation", args=[assignment.pk]))
    assert "ezra thinks Ribble Roofing earns 5" in page.content.decode()


def test_it_refuses_a_score_on_a_criterion_not_assigned(
    evaluating: Tender, client_for: Any
) -> None:
    price = evaluating.criteria.get(key="price")
    assignment = evaluating.assignments.get(evaluator__username="evan")
    bid = evaluating.bids.first()
    assert bid is not None
    response = client_for("evaluator").post(
        reverse("tenders:score", args=[assignment.pk, bid.pk, price.pk]), {}
    )
    assert response.status_code == 404


def test_it_moderates_by_htmx_with_the_engine_totals_live(scored: Tender, client_for: Any) -> None:
    officer = client_for("officer")
    page = officer.get(reverse("tenders:moderation", args=[scored.pk]))
    live = page.context["live"]
    assert live.evaluation is not None
    assert live.provisional
    cell = next(c for c in selectors.moderation_cells(tender=scored) if not c.agreed)
    prefix = f"m{cell.bid.pk}-{cell.criterion.pk}"
    url = reverse("tenders:moderate", args=[scored.pk, cell.bid.pk, cell.criterion.pk])
    response = officer.post(url, {f"{prefix}-value": "4"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.strip().startswith('<div id="moderation-body">')
    assert "Enter a rationale" in html
    response = officer.post(
        url,
        {f"{prefix}-value": "4", f"{prefix}-rationale": "Agreed at the panel"},
        headers={"HX-Request": "true"},
    )
    assert "Moderated: 4" in response.content.decode()
    assert AuditEvent.objects.filter(action="score.moderated").count() == 1


def test_it_awards_and_serves_the_reports(scored: Tender, client_for: Any) -> None:
    moderate_all(scored)
    officer = client_for("officer")
    response = officer.post(
        reverse("tenders:award", args=[scored.pk]),
        {
            "decision": "Award to the winner",
            "reasons": "Best value",
            "standstill_start": "2026-11-27",
        },
    )
    assert response.status_code == 302
    scored.refresh_from_db()
    assert scored.status == "awarded"
    assert str(scored.award.standstill_end) == "2026-12-10"
    expected = selectors.award_evaluation(award=scored.award)
    html = officer.get(reverse("tenders:award_report", args=[scored.pk, "html"])).content.decode()
    assert "Award report: School meals" in html
    assert expected.winner is not None
    assert expected.winner.bidder in html
    xlsx = officer.get(reverse("tenders:award_report", args=[scored.pk, "xlsx"]))
    from openpyxl import load_workbook

    book = load_workbook(BytesIO(xlsx.content))
    total_column = 3 + len(expected.tender.criteria)
    totals = {
        row[1]: row[total_column] for row in book["Results"].iter_rows(min_row=2, values_only=True)
    }
    for bid in expected.bids:
        assert bid.total is not None
        shown = Decimal(str(totals[bid.bidder])).quantize(Decimal("0.01"))
        assert shown == bid.total.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    pdf = officer.get(reverse("tenders:award_report", args=[scored.pk, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment")
    assert officer.get(reverse("tenders:award_report", args=[scored.pk, "doc"])).status_code == 404


def test_it_shows_award_errors(scored: Tender, client_for: Any) -> None:
    response = client_for("officer").post(reverse("tenders:award", args=[scored.pk]), {})
    codes = {
        f: [e.code for e in errs] for f, errs in response.context["form"].errors.as_data().items()
    }
    assert codes == {
        "decision": ["required"],
        "reasons": ["required"],
        "standstill_start": ["required"],
    }
    response = client_for("officer").post(
        reverse("tenders:award", args=[scored.pk]),
        {"decision": "d", "reasons": "r", "standstill_start": "2026-11-27"},
    )
    assert "Moderate every score before you award" in response.content.decode()
