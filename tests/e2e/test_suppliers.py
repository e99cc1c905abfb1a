"""An analyst reviews the demo dataset's uncertain supplier matches with the keyboard."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.steps import (
    given_i_am_signed_in_as,
    then_the_error_summary_leads_to,
    then_the_page_is_accessible,
)


def test_it_reviews_suppliers_with_the_keyboard(page: Any) -> None:
    given_i_am_signed_in_as(page, "analyst")
    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Suppliers").click()
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="Kingsbridge payments over £500").click()
    expect(page.locator("[data-testid=to-review]")).to_have_text("2")
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Match suppliers").click()
    then_the_error_summary_leads_to(page, "Register files")

    page.goto(page.url.split("?")[0])
    page.get_by_role("link", name="Review 2 suppliers").click()
    expect(page.locator("[data-testid=remaining]")).to_contain_text("2 suppliers")
    then_the_page_is_accessible(page)
    first = page.locator("[data-testid=supplier-name]").inner_text()

    page.keyboard.press("a")  # accept the first candidate
    expect(page.locator("[data-testid=saved]")).to_be_visible()
    expect(page.locator("[data-testid=supplier-name]")).not_to_have_text(first)
    expect(page.locator("[data-testid=remaining]")).to_contain_text("1 supplier")
    then_the_page_is_accessible(page)

    second = page.locator("[data-testid=supplier-name]").inner_text()
    page.keyboard.press("r")  # not the first candidate: the same supplier, without it
    expect(page.locator("[data-testid=supplier-name]")).to_have_text(second)
    expect(page.get_by_text("decision:reject")).to_be_visible()
    page.get_by_role("button", name="Pick 1").click()  # plain buttons work too
    expect(page.locator("[data-testid=queue-empty]")).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_role("link", name="See the spend dashboard").click()
    expect(page.locator("[data-testid=local-share]")).to_be_visible()


def test_it_adds_a_branch_address_to_a_supplier(page: Any) -> None:
    given_i_am_signed_in_as(page, "analyst")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Suppliers"
    ).click()
    page.get_by_role("link", name="Kingsbridge payments over £500").click()
    page.get_by_role("link", name="Review 2 suppliers").click()
    page.get_by_role("link", name="Add a trading or branch address").click()
    then_the_page_is_accessible(page)
    page.get_by_label("Branch").check()
    page.get_by_role("button", name="Add address").click()
    then_the_error_summary_leads_to(page, "Postcode")
    page.get_by_label("Branch").check()
    page.get_by_label("Postcode").fill("pr1 2rl")
    page.get_by_role("button", name="Add address").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Address added")
    expect(page.get_by_role("cell", name="PR1 2RL", exact=True)).to_be_visible()
    then_the_page_is_accessible(page)
