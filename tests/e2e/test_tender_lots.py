"""A tender in two lots, in the browser: the officer divides it, suppliers bid lot by lot, each
lot is moderated and awarded on its own, and each bidder reads a summary per lot.

Custom preset: price 60 points relative to the lowest price *in the lot*, quality 40 points on
0-5. Worked by hand:

* Lot 1: Northgate £40,000 scored 4 → 60 x 36,000 / 40,000 = 54 + 32 = 86;
  Brightwork £36,000 scored 3 → 60 + 24 = 84. Northgate wins lot 1.
* Lot 2: Northgate alone, £20,000 scored 5 → 60 + 40 = 100.

Evaluators score through the services here (the lifecycle test walks scoring in the browser).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from socialvalue.evaluation.explain import display_points
from tests.e2e.steps import (
    given_i_am_signed_in_as,
    then_the_error_summary_leads_to,
    then_the_page_is_accessible,
)

NORTHGATE = "Northgate Catering Co-operative Ltd"
BRIGHTWORK = "Brightwork Facilities Management plc"
TITLE = "Parks maintenance"
# (bidder, lot) -> (price, moderated quality score)
BIDS = {
    (NORTHGATE, 1): ("40000", 4),
    (BRIGHTWORK, 1): ("36000", 3),
    (NORTHGATE, 2): ("20000", 5),
}
TOTALS = {(NORTHGATE, 1): Decimal(86), (BRIGHTWORK, 1): Decimal(84), (NORTHGATE, 2): Decimal(100)}


@pytest.fixture
def browsers(browser: Any, live_server: Any, demo: Any) -> Iterator[dict[str, Any]]:
    contexts = []
    pages = {}
    for username in ("officer", "supplier", "supplier2"):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        pages[username] = context.new_page()
        given_i_am_signed_in_as(pages[username], username)
    yield pages
    for context in contexts:
        context.close()


def _banner(page: Any, text: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def _officer_divides_and_publishes(page: Any) -> str:
    page.goto("/tenders/new/")
    page.get_by_label("Title", exact=True).fill(TITLE)
    page.get_by_label("Reference", exact=True).fill("KCC-LOTS-1")
    deadline = timezone.localtime() + timedelta(days=1)
    page.get_by_label("Submission deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Custom: start from price and quality and build your own").check()
    page.get_by_label("Consensus: the panel agrees one score, with a rationale").check()
    page.get_by_role("button", name="Create draft tender").click()
    expect(page.locator("h1")).to_have_text("Criteria and weights")
    page.get_by_role("link", name="Back to the tender").click()
    tender_url = page.url
    page.get_by_role("link", name="Divide into lots").click()
    expect(page.locator("[data-testid=no-lots]")).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Add lot").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    then_the_error_summary_leads_to(page, "Lot title")
    then_the_page_is_accessible(page)
    for title, value in (("Grass cutting", "45000"), ("Tree surgery", "25000")):
        page.get_by_label("Lot title").fill(title)
        page.get_by_label("Estimated value of the lot (£)").fill(value)
        page.get_by_role("button", name="Add lot").click()
        _banner(page, f"{title} added")
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="Change lot 2").click()
    expect(page.locator("h1")).to_have_text("Change lot 2")
    then_the_page_is_accessible(page)
    page.get_by_label("Lot title").fill("Tree surgery and planting")
    page.get_by_role("button", name="Save lot").click()
    _banner(page, "Lot 2 saved")
    page.goto(tender_url)
    page.get_by_role("button", name="Publish tender").click()
    _banner(page, "The tender is published")
    expect(page.locator("[data-testid=lots]")).to_contain_text("Lot 2: Tree surgery and planting")
    then_the_page_is_accessible(page)
    return tender_url


def _supplier_bids_for(page: Any, opportunity_url: str, bidder: str, lot: int) -> None:
    page.goto(opportunity_url)
    expect(page.locator("[data-testid=same-criteria]")).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_role("link", name=f"Bid for lot {lot}").click()
    expect(page.locator("[data-testid=bid-lot]")).to_contain_text(f"Lot {lot}:")
    then_the_page_is_accessible(page)
    price, _ = BIDS[(bidder, lot)]
    page.get_by_label("Your price (£)").fill(price)
    page.get_by_label("Quality", exact=True).fill(f"How {bidder} will look after lot {lot}.")
    page.get_by_role("button", name="Save draft").click()
    _banner(page, "draft bid is saved")
    page.get_by_role("button", name="Submit bid").click()
    expect(page.locator("[data-testid=bid-status]")).to_contain_text("Submitted")
    then_the_page_is_accessible(page)


def _panel_scores_and_moderates(tender: Any) -> None:
    """Two evaluators score each lot's bids alone; the panel agrees their (equal) scores."""
    from django.contrib.auth import get_user_model

    from socialvalue.web.tenders import selectors, services

    people = get_user_model().objects
    officer = people.get(username="officer")
    criteria = selectors.scored_criteria(tender=tender)
    for username in ("evaluator", "evaluator2"):
        evaluator = people.get(username=username)
        assignment = services.evaluator_assign(
            tender=tender, actor=officer, evaluator=evaluator, criteria=criteria
        )
        services.assignment_declare(assignment=assignment, actor=evaluator, has_conflict=False)
        assignment.refresh_from_db()
        for bid in selectors.bids_for_evaluator(assignment=assignment):
            for criterion in criteria:
                services.score_save(
                    assignment=assignment,
                    actor=evaluator,
                    bid=bid,
                    criterion=criterion,
                    value=Decimal(BIDS[(bid.supplier.name, bid.lot.number)][1]),
                    reason="The answer meets this level.",
                )
        services.scores_submit(assignment=assignment, actor=evaluator)
    for cell in selectors.moderation_cells(tender=tender):
        services.moderation_save(
            tender=tender,
            actor=officer,
            bid=cell.bid,
            criterion=cell.criterion,
            value=cell.scores[0].value,
        )


def _officer_awards_lot(page: Any, tender_url: str, lot: int) -> None:
    page.goto(tender_url)
    page.get_by_role("link", name=f"Moderate lot {lot}").click()
    expect(page.locator("[data-testid=moderation-lot]")).to_contain_text(f"Lot {lot}:")
    results = page.locator("[data-testid=results]")
    expect(results).not_to_contain_text("provisional")
    for (bidder, number), total in TOTALS.items():
        if number == lot:
            expect(results).to_contain_text(bidder)
            expect(results).to_contain_text(display_points(total))
    then_the_page_is_accessible(page)
    page.get_by_role("link", name=f"Award lot {lot}").click()
    expect(page.locator("h1")).to_contain_text(f"Award lot {lot}")
    then_the_page_is_accessible(page)
    page.get_by_label("Decision", exact=True).fill("")
    page.get_by_role("button", name=f"Award lot {lot}").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    then_the_error_summary_leads_to(page, "Decision")
    page.get_by_label("Decision", exact=True).fill(f"Award lot {lot} to {NORTHGATE}.")
    page.get_by_label("Reasons for the decision").fill(f"Highest total on lot {lot}.")
    page.get_by_role("button", name=f"Award lot {lot}").click()
    _banner(page, f"Lot {lot} is awarded")
    expect(page.locator(f"[data-testid=lot-outcome-{lot}]")).to_contain_text(
        f"Awarded to {NORTHGATE}"
    )
    then_the_page_is_accessible(page)


def test_it_runs_a_tender_in_two_lots(browsers: dict[str, Any]) -> None:
    from socialvalue.web.audit.models import AuditEvent
    from socialvalue.web.tenders.models import Tender

    officer = browsers["officer"]
    tender_url = _officer_divides_and_publishes(officer)
    tender = Tender.objects.get(reference="KCC-LOTS-1")
    opportunity_url = f"/tenders/opportunities/{tender.pk}/"
    _supplier_bids_for(browsers["supplier"], opportunity_url, NORTHGATE, 1)
    _supplier_bids_for(browsers["supplier"], opportunity_url, NORTHGATE, 2)
    _supplier_bids_for(browsers["supplier2"], opportunity_url, BRIGHTWORK, 1)

    officer.goto(tender_url)
    expect(officer.locator("[data-testid=sealed]")).to_be_visible()
    Tender.objects.filter(pk=tender.pk).update(
        submission_deadline=timezone.now() - timedelta(seconds=1)
    )
    officer.reload()
    officer.get_by_role("button", name="Close and open bids").click()
    officer.get_by_role("button", name="Start evaluation").click()
    _banner(officer, "Evaluation has started")
    tender.refresh_from_db()
    _panel_scores_and_moderates(tender)

    _officer_awards_lot(officer, tender_url, 1)
    expect(officer.locator("p.govuk-body").first).to_contain_text("Evaluating")
    _officer_awards_lot(officer, tender_url, 2)
    expect(officer.locator("p.govuk-body").first).to_contain_text("Awarded")
    officer.get_by_role("link", name="HTML for lot 1").click()
    expect(officer.locator("body")).to_contain_text(BRIGHTWORK)
    then_the_page_is_accessible(officer)

    for username, bidder, lot in (
        ("supplier2", BRIGHTWORK, 1),
        ("supplier", NORTHGATE, 1),
        ("supplier", NORTHGATE, 2),
    ):
        page = browsers[username]
        page.goto("/tenders/bids/")
        page.get_by_role("link", name=f"Your assessment summary for {TITLE}, lot {lot}").click()
        expect(page.locator("[data-testid=my-total]")).to_have_text(
            display_points(TOTALS[(bidder, lot)])
        )
        then_the_page_is_accessible(page)

    # This tender's own lot events (the demo's tender in lots has its own).
    mine = AuditEvent.objects.filter(summary__contains="KCC-LOTS-1")
    assert mine.filter(action="tender.lot_added").count() == 2
    assert mine.filter(action="tender.lot_changed").count() == 1
    assert AuditEvent.objects.filter(action="tender.lot_awarded").count() == 2
    assert AuditEvent.objects.filter(action="tender.awarded", object_id=str(tender.pk)).exists()


DEMO_LOTS = "Catering for schools and civic buildings"  # KCC-2026-118, open, in two lots


def test_it_removes_files_and_an_evaluator_on_the_demo_tender_in_lots(
    browsers: dict[str, Any],
) -> None:
    """The officer removes a tender document (a reason is required) and an evaluator who has
    not scored; a supplier removes a file from its draft bid for lot 1. Every page passes axe."""
    officer = browsers["officer"]
    officer.goto("/tenders/")
    officer.get_by_role("link", name=DEMO_LOTS).click()
    expect(officer.locator("[data-testid=lots]")).to_contain_text("Lot 2: Civic buildings")
    then_the_page_is_accessible(officer)
    tender_url = officer.url
    officer.get_by_label("Upload a file").set_input_files(
        {"name": "menu-standards.txt", "mimeType": "text/plain", "buffer": b"Menu standards"}
    )
    officer.get_by_role("button", name="Upload file").click()
    _banner(officer, "Document added")
    officer.get_by_role("link", name="Remove menu-standards.txt").click()
    expect(officer.locator("h1")).to_have_text("Remove menu-standards.txt")
    then_the_page_is_accessible(officer)
    officer.get_by_role("button", name="Remove document").click()
    then_the_error_summary_leads_to(officer, "Why are you removing this document?")
    then_the_page_is_accessible(officer)
    officer.get_by_label("Why are you removing this document?").fill("Uploaded by mistake.")
    officer.get_by_role("button", name="Remove document").click()
    _banner(officer, "Document menu-standards.txt removed")
    expect(officer.get_by_role("link", name="menu-standards.txt")).to_have_count(0)

    officer.goto(tender_url)
    officer.get_by_role("link", name="Assign evaluators").click()
    officer.get_by_label("Evaluator", exact=True).select_option(label="Ewan Brooks")
    officer.get_by_label("Quality", exact=True).check()
    officer.get_by_role("button", name="Assign evaluator").click()
    _banner(officer, "Evaluator assigned")
    then_the_page_is_accessible(officer)
    officer.get_by_role("button", name="Remove Ewan Brooks").click()
    _banner(officer, "Ewan Brooks is no longer an evaluator on this tender")
    then_the_page_is_accessible(officer)

    supplier = browsers["supplier"]
    supplier.goto("/tenders/opportunities/")
    supplier.get_by_role("link", name=DEMO_LOTS).click()
    supplier.get_by_role("link", name="Bid for lot 1").click()
    supplier.get_by_label("Upload a file").set_input_files(
        {"name": "kitchen-plan.txt", "mimeType": "text/plain", "buffer": b"Our kitchen plan"}
    )
    supplier.get_by_role("button", name="Upload file").click()
    _banner(supplier, "File attached to your draft bid")
    then_the_page_is_accessible(supplier)
    supplier.get_by_role("button", name="Remove kitchen-plan.txt").click()
    _banner(supplier, "kitchen-plan.txt removed from your draft bid")
    expect(supplier.get_by_role("link", name="kitchen-plan.txt")).to_have_count(0)
    then_the_page_is_accessible(supplier)
