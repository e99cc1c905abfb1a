"""An admin adopts Lancashire's framework, tweaks it for their city, compares and exports it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.steps import (
    given_i_am_signed_in_as,
    then_the_error_summary_leads_to,
    then_the_page_is_accessible,
)


def test_it_adopts_tweaks_and_compares_a_framework(page: Any) -> None:
    given_i_am_signed_in_as(page, "admin")
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Frameworks"
    ).click()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Adopt Lancashire").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("adopted")
    then_the_page_is_accessible(page)

    page.get_by_role("link", name="Change").nth(1).click()  # the first measure (0 is the weight)
    then_the_page_is_accessible(page)
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save as a new version").click()
    then_the_error_summary_leads_to(page, "Title")
    page.get_by_label("Title").fill("Kingsbridge residents employed on the contract")
    page.get_by_label("What changed and why").fill("Name our city")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Saved as version 2")
    expect(
        page.locator("strong", has_text="Kingsbridge residents employed on the contract")
    ).to_be_visible()

    page.get_by_role("link", name="Compare versions").click()
    expect(page.locator("#diff")).to_contain_text("Kingsbridge residents employed on the contract")
    expect(page.locator("#diff")).to_contain_text("Changed")
    then_the_page_is_accessible(page)
    page.get_by_label("From").select_option("v2")  # HTMX swaps the diff in place
    expect(page.locator("#diff")).to_contain_text("No differences")

    page.goto(page.url.split("compare")[0])
    with page.expect_download() as download:
        page.get_by_role("link", name="YAML").click()
    assert download.value.suggested_filename.endswith("-v2.yaml")
