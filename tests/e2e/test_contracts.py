"""The demo's contract manager takes up the awarded canteen contract; the supplier reads it.

The demo awards KCC-2026-042 to Northgate Catering through ``tender_award``, which creates the
contract with Northgate's three commitments as KPIs.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.steps import (
    given_i_am_signed_in_as,
    then_the_error_summary_leads_to,
    then_the_page_is_accessible,
)


def test_it_sets_up_the_awarded_contract_and_shows_it_to_the_supplier(page: Any) -> None:
    given_i_am_signed_in_as(page, "contracts")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Contracts"
    ).click()
    expect(page.get_by_role("heading", name="Contracts", exact=True)).to_be_visible()
    expect(page.locator("#contracts")).to_contain_text("Northgate Catering")
    then_the_page_is_accessible(page)

    page.get_by_label("Show").select_option("active")  # HTMX swaps the table in place
    expect(page.locator("#contracts")).to_contain_text("No contracts are active.")
    page.get_by_label("Show").select_option("")
    page.get_by_role("link", name="Staff canteen at the Kingsbridge depot").click()

    expect(page.get_by_role("heading", name="Social value KPIs")).to_be_visible()
    kpis = page.get_by_role("table", name="Social value targets by contract year")
    expect(kpis.locator("tbody tr")).to_have_count(3)
    expect(kpis.locator("tr[data-measure='5.2'] td").nth(1)).to_have_text("4")
    expect(page.locator(".govuk-summary-list")).to_contain_text("£412,500.00")
    then_the_page_is_accessible(page)

    page.get_by_role("link", name="Change contract details").click()
    then_the_page_is_accessible(page)
    page.get_by_label("Active").check()
    page.get_by_role("button", name="Save contract details").click()
    then_the_error_summary_leads_to(page, "Start date")
    then_the_page_is_accessible(page)

    page.get_by_label("Start date").fill("2026-04-01")
    page.get_by_label("End date").fill("2028-03-31")
    page.get_by_label("Contract manager").select_option(label="Conor Walsh")
    page.get_by_role("button", name="Save contract details").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Contract details saved")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Conor Walsh")
    history = page.get_by_role("table", name="Changes to this contract, newest first")
    expect(history).to_contain_text("Status: Mobilising → Active")
    then_the_page_is_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    given_i_am_signed_in_as(page, "supplier")
    page.goto("/contracts/won/")
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="Staff canteen at the Kingsbridge depot").click()
    expect(
        page.get_by_text("Awarded to your organisation by Kingsbridge City Council")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Change contract details")).to_have_count(0)
    then_the_page_is_accessible(page)
