"""An analyst uploads a council's spend file, checks its columns, watches it import, reads the
reconciliation and the dashboard, and follows a figure to the rows behind it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.steps import (
    given_i_am_signed_in_as,
    then_the_error_summary_leads_to,
    then_the_page_is_accessible,
)
from tests.web.spend.conftest import make_spend_file


def _file(spend: Any) -> dict[str, Any]:
    return {"name": spend.name, "mimeType": "text/csv", "buffer": spend.content}


def test_it_imports_a_file_and_shows_the_dashboard(page: Any) -> None:
    spend = make_spend_file(name="westgate-2024.csv")
    given_i_am_signed_in_as(page, "analyst")
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Spend").click()
    then_the_page_is_accessible(page)

    page.get_by_role("link", name="Kingsbridge payments over £500").click()  # the demo dataset
    expect(page.locator("[data-testid=local-share]")).to_contain_text("Preston")
    expect(page.locator("[data-testid=local-share]")).to_contain_text("Lancashire-14")
    then_the_page_is_accessible(page)

    page.goto("/spend/")
    page.get_by_role("link", name="Create a spend dataset").click()
    page.get_by_role("button", name="Create dataset").click()
    then_the_error_summary_leads_to(page, "Dataset name")
    then_the_page_is_accessible(page)
    page.get_by_label("Dataset name").fill("Westgate payments 2024")
    page.get_by_label("Publisher").fill("Kingsbridge City Council")
    page.get_by_role("button", name="Create dataset").click()

    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Upload and check columns").click()
    then_the_error_summary_leads_to(page, "Spend files")
    page.get_by_label("Spend files").set_input_files(_file(spend))
    page.get_by_role("button", name="Upload and check columns").click()

    expect(page.locator("h1")).to_have_text("Check the columns")
    expect(page.get_by_text("The header is row 3.")).to_be_visible()
    then_the_page_is_accessible(page)
    page.get_by_role("button", name="Import the files").click()

    expect(page.get_by_text("Import complete")).to_be_visible()
    expect(page.locator("[data-testid=rows-read]")).to_have_text(str(spend.rows))
    expect(page.locator("[data-testid=rows-loaded]")).to_have_text(str(spend.loaded_rows))
    expect(page.locator("[data-testid=amount-loaded]")).to_have_text(f"£{spend.loaded:,.2f}")
    expect(page.locator("[data-testid=amount-quarantined]")).to_have_text(
        f"£{spend.quarantined:,.2f}")
    expect(page.locator("[data-testid=balance]")).to_contain_text("it balances")
    then_the_page_is_accessible(page)

    page.get_by_role("link", name="Go to the dashboard").click()
    expect(page.locator("[data-testid=total]")).to_contain_text(f"£{spend.loaded:,.2f}")
    then_the_page_is_accessible(page)
    page.locator("[data-testid=total]").get_by_role("link").click()
    expect(page.locator("[data-testid=rows-summary]")).to_have_text(
        f"{spend.loaded_rows} rows totalling £{spend.loaded:,.2f}.")
    then_the_page_is_accessible(page)

    page.go_back()
    page.get_by_role("link", name="2 quarantined rows").first.click()
    expect(page.locator("[data-testid=rows-summary]")).to_contain_text("2 rows")
    page.get_by_label("Reason").select_option("date_invalid")  # HTMX swaps the rows in place
    expect(page.locator("[data-testid=rows-summary]")).to_contain_text("1 row ")
    then_the_page_is_accessible(page)

    page.goto(page.url.split("quarantine")[0] + "upload/")
    page.get_by_label("Spend files").set_input_files(_file(spend))
    page.get_by_role("button", name="Upload and check columns").click()
    then_the_error_summary_leads_to(page, "Spend files")  # already imported: refused
