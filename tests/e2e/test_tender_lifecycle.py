"""The whole tender lifecycle in five browsers: officer, two evaluators and two suppliers.

The officer publishes a Preston tender (social value 20%, Part A and Part B), two suppliers bid,
two evaluators score alone, the officer moderates and awards, and the award report's totals are
checked against the evaluation engine run on the same numbers. Every page reached gets an axe
check and every form an error-summary check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from socialvalue.evaluation import model as engine
from socialvalue.evaluation.explain import display_points
from socialvalue.evaluation.scoring import evaluate
from tests.e2e.steps import (
    given_i_am_signed_in_as,
    then_the_error_summary_leads_to,
    then_the_page_is_accessible,
)

NORTHGATE = "Northgate Catering Co-operative Ltd"
BRIGHTWORK = "Brightwork Facilities Management plc"
CRITERIA = ("Quality", "Part A: current practice", "Part B: commitments")
# evaluator -> bidder -> scores on CRITERIA
SCORES = {
    "evaluator": {NORTHGATE: (4, 5, 4), BRIGHTWORK: (3, 2, 3)},
    "evaluator2": {NORTHGATE: (4, 4, 4), BRIGHTWORK: (4, 2, 3)},
}
MODERATED = {NORTHGATE: (4, 5, 4), BRIGHTWORK: (3, 2, 3)}
PRICES = {NORTHGATE: Decimal("98500.00"), BRIGHTWORK: Decimal("86000.00")}


@pytest.fixture
def browsers(browser: Any, live_server: Any, demo: Any) -> Iterator[dict[str, Any]]:
    contexts = []
    pages = {}
    for username in ("officer", "evaluator", "evaluator2", "supplier", "supplier2"):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        pages[username] = context.new_page()
        given_i_am_signed_in_as(pages[username], username)
    yield pages
    for context in contexts:
        context.close()


def _then_the_errors_lead_to(page: Any, label: str) -> None:
    """Wait for the re-rendered form (the click does not wait for it), then check the summary."""
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    then_the_error_summary_leads_to(page, label)


def _nav(page: Any, label: str) -> None:
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=label).click()
    then_the_page_is_accessible(page)


def _officer_creates_and_publishes(page: Any) -> str:
    _nav(page, "Tenders")
    page.get_by_role("button", name="Create a tender").click()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Create draft tender").click()
    _then_the_errors_lead_to(page, "Title")
    then_the_page_is_accessible(page)
    page.get_by_label("Title", exact=True).fill("Meals on wheels")
    page.get_by_label("Reference", exact=True).fill("KCC-E2E-1")
    page.get_by_label("Description").fill("Hot meals delivered to 400 residents a day.")
    page.get_by_label("Estimated value (£)").fill("100000")
    page.get_by_label("CPV codes").fill("55521100-9")
    deadline = timezone.localtime() + timedelta(days=1)
    page.get_by_label("Submission deadline").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Social value framework").select_option(
        label="Preston Social Value Procurement Framework v1"
    )
    page.get_by_label("Preston 2023: social value 20%, Part A 10% and Part B 10%").check()
    page.get_by_label("Consensus: the panel agrees one score, with a rationale").check()
    page.get_by_role("button", name="Create draft tender").click()
    expect(page.locator("h1")).to_have_text("Criteria and weights")
    then_the_page_is_accessible(page)

    # The engine's policy check follows the weights as they are typed (HTMX).
    social = page.get_by_label("Social value (points of 100)")
    social.fill("10")
    expect(page.locator("#policy-check")).to_contain_text("this tender gives 10.0%")
    social.fill("20")
    expect(page.locator("#policy-check")).to_contain_text("this tender gives 20.0%")
    expect(page.locator("#policy-check .govuk-tag--red")).to_have_count(0)
    page.get_by_role("link", name="Back to the tender").click()
    then_the_page_is_accessible(page)
    page.get_by_label("Upload a file").set_input_files(
        {"name": "specification.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 spec"}
    )
    page.get_by_role("button", name="Upload file").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Document added")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Publish tender").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The tender is published")
    then_the_page_is_accessible(page)
    tender_url = page.url

    page.get_by_role("link", name="Assign evaluators").click()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Assign evaluator").click()
    _then_the_errors_lead_to(page, "Evaluator")
    for name in ("Eleanor Shah", "Ewan Brooks"):
        page.get_by_label("Evaluator", exact=True).select_option(label=name)
        for criterion in CRITERIA:
            page.get_by_label(criterion, exact=True).check()
        page.get_by_role("button", name="Assign evaluator").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Evaluator assigned")
    then_the_page_is_accessible(page)
    return tender_url


def _supplier_bids(page: Any, price: Decimal, part_b: str) -> None:
    _nav(page, "Bids")
    page.get_by_role("link", name="Meals on wheels").click()
    then_the_page_is_accessible(page)
    expect(page.get_by_role("link", name="specification.pdf")).to_be_visible()
    page.get_by_role("link", name="Prepare your bid").click()
    then_the_page_is_accessible(page)
    page.get_by_label("Quality", exact=True).fill("x" * 2001)
    page.get_by_role("button", name="Save draft").click()
    _then_the_errors_lead_to(page, "Your price (£)")
    then_the_page_is_accessible(page)
    page.get_by_label("Your price (£)").fill(str(price))
    page.get_by_label("Price breakdown").fill("Staff, food and vans.")
    page.get_by_label("Quality", exact=True).fill("Fresh meals, cooked locally, on time.")
    page.get_by_label("Part A: current practice").fill("We pay the Real Living Wage.")
    page.get_by_label("Part B: commitments").fill("See our commitments.")
    page.get_by_label(re.compile(r"^1\.1 ")).fill(part_b)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("draft bid is saved")
    page.get_by_role("button", name="Submit bid").click()
    expect(page.locator("[data-testid=bid-status]")).to_contain_text("Submitted")
    then_the_page_is_accessible(page)


def _evaluator_scores(page: Any, username: str) -> None:
    _nav(page, "Evaluations")
    page.get_by_role("link", name=re.compile("Meals on wheels")).click()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Make declaration").click()
    _then_the_errors_lead_to(page, "No")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Make declaration").click()
    expect(page.locator("h1")).to_have_text("Score the bids")
    then_the_page_is_accessible(page)
    for bidder, values in SCORES[username].items():
        for criterion, value in zip(CRITERIA, values, strict=True):
            where = f"for {bidder} on {criterion}"
            page.get_by_label(f"Score from 0 to 5 {where}").fill(str(value))
            page.get_by_label(f"Reason for the score {where}").fill(
                f"{username}: {value} because the answer shows it."
            )
            page.get_by_role("button", name=f"Save score {where}").click()
            cell = page.locator("div[id^=cell-]").filter(
                has=page.get_by_role("button", name=f"Save score {where}")
            )
            expect(cell.get_by_role("status")).to_have_text("Saved")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Submit your scores").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("scores are submitted")
    then_the_page_is_accessible(page)


def _officer_moderates_and_awards(page: Any, tender_url: str) -> None:
    page.goto(tender_url)
    page.get_by_role("link", name="Moderate scores").click()
    then_the_page_is_accessible(page)
    for bidder, values in MODERATED.items():
        for criterion, value in zip(CRITERIA, values, strict=True):
            where = f"for {bidder} on {criterion}"
            page.get_by_label(f"Score {where}", exact=True).fill(str(value))
            page.get_by_label(f"Rationale {where}").fill(
                "Agreed at the panel meeting: the evidence meets this level."
            )
            page.get_by_role("button", name=f"Save moderated score {where}").click()
            row = page.locator("tr").filter(
                has=page.get_by_role("button", name=f"Save moderated score {where}")
            )
            expect(row).to_contain_text(f"Moderated: {value}")
    expect(page.locator("[data-testid=results]")).not_to_contain_text("provisional")
    findings = page.locator("[data-testid=sensitivity-findings]")
    expect(findings).to_contain_text("The smallest moderated score change that alters the result")
    expect(page.locator("[data-testid=sensitivity]")).not_to_contain_text("provisional")
    then_the_page_is_accessible(page)
    page.goto(tender_url)
    page.get_by_role("link", name="Award the contract").click()
    then_the_page_is_accessible(page)
    page.get_by_label("Decision", exact=True).fill("")
    page.get_by_role("button", name="Award the contract").click()
    _then_the_errors_lead_to(page, "Decision")
    page.get_by_label("Decision", exact=True).fill("Award to the most advantageous tender.")
    page.get_by_label("Reasons for the decision").fill("Highest total score.")
    page.get_by_role("button", name="Award the contract").click()
    expect(page.locator("[data-testid=winner]")).to_have_text(NORTHGATE)
    then_the_page_is_accessible(page)


def _engine_totals() -> dict[str, Decimal]:
    """The engine on the same numbers, built here by hand: Preston 50/30/20 (A 50%, B 50%)."""
    scale = engine.Scale(Decimal(0), Decimal(5))
    criteria = (
        engine.Criterion(
            "price",
            engine.CriterionKind.PRICE,
            Decimal(50),
            method=engine.PriceMethod.RELATIVE_TO_LOWEST,
        ),
        engine.Criterion(
            "quality", engine.CriterionKind.QUALITY, Decimal(30), scale=scale, threshold=Decimal(2)
        ),
        engine.Criterion(
            "social_value",
            engine.CriterionKind.SOCIAL_VALUE,
            Decimal(20),
            children=(
                engine.Criterion("a", engine.CriterionKind.SOCIAL_VALUE, Decimal(50), scale=scale),
                engine.Criterion("b", engine.CriterionKind.SOCIAL_VALUE, Decimal(50), scale=scale),
            ),
        ),
    )
    bids = tuple(
        engine.Bid(
            bidder,
            PRICES[bidder],
            {
                key: engine.Score(Decimal(v))
                for key, v in zip(("quality", "a", "b"), MODERATED[bidder], strict=True)
            },
        )
        for bidder in MODERATED
    )
    evaluation = evaluate(engine.Tender(criteria, bids))
    return {bid.bidder: bid.total for bid in evaluation.bids if bid.total is not None}


def test_it_walks_the_whole_lifecycle(browsers: dict[str, Any]) -> None:
    from socialvalue.web.audit.models import AuditEvent
    from socialvalue.web.tenders.models import Tender

    officer = browsers["officer"]
    tender_url = _officer_creates_and_publishes(officer)
    _supplier_bids(browsers["supplier"], PRICES[NORTHGATE], "5")
    _supplier_bids(browsers["supplier2"], PRICES[BRIGHTWORK], "3")

    officer.goto(tender_url)
    expect(officer.locator("[data-testid=sealed]")).to_be_visible()
    expect(officer.locator("main")).not_to_contain_text("Northgate")
    Tender.objects.filter(reference="KCC-E2E-1").update(
        submission_deadline=timezone.now() - timedelta(seconds=1)
    )
    officer.reload()
    officer.get_by_role("button", name="Close and open bids").click()
    expect(officer.locator("main")).to_contain_text(NORTHGATE)
    then_the_page_is_accessible(officer)
    officer.get_by_role("button", name="Start evaluation").click()
    expect(officer.locator(".govuk-notification-banner")).to_contain_text("Evaluation has started")

    _evaluator_scores(browsers["evaluator"], "evaluator")
    evaluator = browsers["evaluator"]
    expect(evaluator.locator("main")).not_to_contain_text("evaluator2:")  # not yet submitted
    _evaluator_scores(browsers["evaluator2"], "evaluator2")
    evaluator.reload()
    expect(evaluator.locator("main")).to_contain_text("evaluator2: 4 because")

    _officer_moderates_and_awards(officer, tender_url)

    expected = _engine_totals()
    report = officer.request.get(tender_url + "award/report.html")
    assert report.ok
    text = report.text()
    for bidder, total in expected.items():
        assert re.search(rf"{re.escape(bidder)}.*?{re.escape(display_points(total))}", text, re.S)
    officer.goto(tender_url + "award/report.html")
    then_the_page_is_accessible(officer)
    for fmt, magic in (("pdf", b"%PDF"), ("xlsx", b"PK")):
        download = officer.request.get(tender_url + f"award/report.{fmt}")
        assert download.ok
        assert download.body().startswith(magic)

    for username, bidder in (("supplier", NORTHGATE), ("supplier2", BRIGHTWORK)):
        page = browsers[username]
        _nav(page, "Bids")
        page.get_by_role("link", name="Your assessment summary for Meals on wheels").click()
        expect(page.locator("[data-testid=my-total]")).to_have_text(
            display_points(expected[bidder])
        )
        then_the_page_is_accessible(page)

    actions = set(
        AuditEvent.objects.filter(
            action__in=[
                "tender.created",
                "tender.published",
                "evaluator.assigned",
                "bid.saved",
                "bid.submitted",
                "tender.closed",
                "tender.evaluation_started",
                "evaluator.declared",
                "score.submitted",
                "score.moderated",
                "tender.awarded",
            ]
        ).values_list("action", flat=True)
    )
    assert len(actions) == 11


def test_it_makes_every_demo_tender_page_accessible(browsers: dict[str, Any], page: Any) -> None:
    """The demo's open, moderation and awarded tenders, as each person sees them, pass axe."""
    officer = browsers["officer"]
    _nav(officer, "Tenders")
    for title in (
        "School meals for Kingsbridge primary schools",
        "Catering for council events and the civic centre café",
        "Staff canteen at the Kingsbridge depot",
    ):
        officer.get_by_role("link", name=title).click()
        then_the_page_is_accessible(officer)
        officer.go_back()
    officer.get_by_role(
        "link", name="Catering for council events and the civic centre café"
    ).click()
    officer.get_by_role("link", name=NORTHGATE).click()
    expect(officer.locator("main")).to_contain_text("£412,500.00")
    then_the_page_is_accessible(officer)
    officer.go_back()
    for link in ("Moderate scores", "Award the contract", "Assign evaluators", "Cancel tender"):
        officer.get_by_role("link", name=link).click()
        then_the_page_is_accessible(officer)
        officer.go_back()
    officer.get_by_role("link", name="Cancel tender").click()
    officer.get_by_role("button", name="Cancel tender").click()
    _then_the_errors_lead_to(officer, "Why are you cancelling this tender?")

    evaluator = browsers["evaluator"]
    _nav(evaluator, "Evaluations")
    evaluator.get_by_role("link", name=re.compile("Catering for council events")).click()
    expect(evaluator.locator("main")).to_contain_text("Ewan Brooks")  # a peer, after submission
    then_the_page_is_accessible(evaluator)

    supplier = browsers["supplier"]
    _nav(supplier, "Bids")
    supplier.get_by_role(
        "link", name="Your assessment summary for Staff canteen at the Kingsbridge depot"
    ).click()
    expect(supplier.locator("h1")).to_have_text("Your assessment summary")
    then_the_page_is_accessible(supplier)

    page.goto("/tenders/opportunities/")  # signed out
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="School meals for Kingsbridge primary schools").click()
    expect(page.get_by_role("link", name="Sign in to bid")).to_be_visible()
    then_the_page_is_accessible(page)


def test_it_lets_a_small_business_register_from_the_public_page(page: Any) -> None:
    """Signed out, a new supplier registers its organisation and comes back able to bid."""
    from socialvalue.web.accounts.models import Membership

    page.goto("/tenders/opportunities/")
    page.get_by_role("link", name="School meals for Kingsbridge primary schools").click()
    opportunity_url = page.url
    page.get_by_role("link", name="Register your organisation").click()
    expect(page.locator("h1")).to_have_text("Register your organisation")
    then_the_page_is_accessible(page)

    page.get_by_role("button", name="Register and sign in").click()
    _then_the_errors_lead_to(page, "Organisation name")
    then_the_page_is_accessible(page)

    page.get_by_label("Organisation name").fill("Ribbleton Bakery CIC")
    page.get_by_label("Postcode").fill("pr2 6jb")
    page.get_by_label("First name").fill("Bea")
    page.get_by_label("Last name").fill("Oduya")
    page.get_by_label("Email address").fill("bea@ribbleton-bakery.example")
    page.get_by_label("Username").fill("bea")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Register and sign in").click()
    _then_the_errors_lead_to(page, "Password")
    page.get_by_label("Password").fill("warm-loaves-every-morning-7")
    page.get_by_role("button", name="Register and sign in").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Ribbleton Bakery CIC is registered and you are signed in"
    )
    assert page.url == opportunity_url
    expect(page.locator("[data-testid=current-organisation]")).to_contain_text(
        "Ribbleton Bakery CIC"
    )
    page.get_by_role("link", name="Prepare your bid").click()
    expect(page.get_by_label("Your price (£)")).to_be_visible()
    then_the_page_is_accessible(page)
    membership = Membership.objects.get(user__username="bea")
    assert (membership.organisation.postcode, membership.role) == ("PR2 6JB", "admin")
