"""An analyst uploads a council's spend file, checks its columns, watches it import, reads the
reconciliation and the dashboard, and follows a figure to the rows behind it."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from socialvalue.spend.ingest import ingest
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


def test_it_corrects_a_quarantined_row(page: Any) -> None:
    """The demo file has a payment dated 31/09/2024: the analyst corrects it to 30/09/2024."""
    given_i_am_signed_in_as(page, "analyst")
    page.goto("/spend/")
    page.get_by_role("link", name="Kingsbridge payments over £500").click()
    loaded = int(page.locator("[data-testid=rows-loaded]").inner_text())
    page.get_by_role("link", name="2 quarantined rows").click()
    then_the_page_is_accessible(page)

    row = page.get_by_role("row").filter(has_text="31/09/2024")
    row.get_by_role("link", name="Correct").click()
    expect(page.locator("h1")).to_have_text("Correct a quarantined row")
    expect(page.get_by_label("Payment date", exact=True)).to_have_value("31/09/2024")
    then_the_page_is_accessible(page)

    page.get_by_label("Payment date", exact=True).fill("31/9/2024")
    page.get_by_role("button", name="Load the corrected row").click()
    then_the_error_summary_leads_to(page, "Payment date")
    expect(page.locator("[data-testid=outcome]")).to_contain_text("Still fails: date invalid")
    then_the_page_is_accessible(page)

    page.get_by_label("Payment date", exact=True).fill("30/09/2024")  # HTMX checks as you type
    expect(page.locator("[data-testid=outcome]")).to_contain_text("Will load 30/09/2024, £640.00")
    page.get_by_label("Why you corrected it (optional)").fill("September has 30 days")
    page.get_by_role("button", name="Load the corrected row").click()

    expect(page.get_by_text("1 row corrected and loaded (£640.00)")).to_be_visible()
    expect(page.locator("[data-testid=rows-summary]")).to_contain_text("1 row ")
    expect(page.locator("[data-testid=corrected-rows]")).to_contain_text("September has 30 days")
    then_the_page_is_accessible(page)

    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.locator("[data-testid=rows-loaded]")).to_have_text(str(loaded + 1))
    expect(page.locator("[data-testid=rows-corrected]")).to_have_text("1")
    expect(page.locator("[data-testid=rows-quarantined]")).to_contain_text("1")


def test_it_corrects_several_rows_at_once(page: Any) -> None:
    given_i_am_signed_in_as(page, "analyst")
    page.goto("/spend/")
    page.get_by_role("link", name="Kingsbridge payments over £500").click()
    page.get_by_role("link", name="2 quarantined rows").click()
    page.get_by_label("Select", exact=False).first.check()
    page.get_by_label("Select", exact=False).nth(1).check()
    page.get_by_role("button", name="Correct the selected rows").click()
    expect(page.locator("h1")).to_have_text("Correct 2 quarantined rows")
    then_the_page_is_accessible(page)
    page.get_by_label("Payment date", exact=True).fill("30/09/2024")
    page.get_by_role("button", name="Load the corrected rows").click()
    # One row's amount is "TBC": both stay quarantined until it has one.
    then_the_error_summary_leads_to(page, "Amount")
    expect(page.locator("[data-testid=check-summary]")).to_contain_text("1 of 2 rows will load")


SLOW = 180_000  # milliseconds

LANCASHIRE = [
    # (publisher, folder, rows read, loaded, quarantined), from `socialvalue spend ingest`.
    ("Hyndburn Borough Council", "hyndburn", 35_964, 35_960, 4),
    ("Lancashire Fire", "lancashire_fire", 15_948, 15_947, 1),
    ("Lancashire PCC", "lancashire_pcc", 51_976, 51_976, 0),
]


def _money(amount: str) -> str:
    return f"£{Decimal(amount):,.2f}"


def test_the_lancashire_files_go_in_through_the_browser(
    page: Any, shared_data: Path, tmp_path: Path
) -> None:
    """Hyndburn's 107 monthly CSVs, the Fire and the PCC workbooks, uploaded as they were
    published: each import reconciles exactly as the CLI's does, the dashboard shows Preston and
    Lancashire side by side, and correcting the one row without a payee moves the reconciliation."""
    raw = shared_data / "spend_lancashire_raw"
    if not raw.is_dir():
        pytest.skip(f"{raw} not found")
    # Imports run in the request here (tests run tasks at once), so allow for a slow machine.
    page.set_default_timeout(SLOW)
    given_i_am_signed_in_as(page, "analyst")
    page.goto("/spend/new/")
    page.get_by_label("Dataset name").fill("Lancashire anchors")
    page.get_by_label("Publisher").fill("Hyndburn Borough Council")
    page.get_by_role("button", name="Create dataset").click()

    for publisher, folder, read, loaded, quarantined in LANCASHIRE:
        files = sorted(p for p in (raw / folder).iterdir() if p.is_file())
        cli = ingest(files, publisher=publisher, out_dir=tmp_path / folder).as_dict()
        assert (cli["rows_read"], cli["rows_loaded"], cli["rows_quarantined"]) == (
            read, loaded, quarantined)
        expect(page.locator("h1")).to_have_text("Upload spend files")
        page.get_by_label("Spend files").set_input_files([str(p) for p in files])
        page.get_by_label("Publisher").fill(publisher)
        page.get_by_role("button", name="Upload and check columns").click()
        expect(page.locator("h1")).to_have_text("Check the columns", timeout=SLOW)
        page.get_by_role("button", name="Import the files").click()
        expect(page.get_by_text("Import complete")).to_be_visible(timeout=SLOW)
        expect(page.locator("[data-testid=rows-read]")).to_have_text(str(read))
        expect(page.locator("[data-testid=rows-loaded]")).to_have_text(str(loaded))
        expect(page.locator("[data-testid=amount-loaded]")).to_have_text(
            _money(cli["amount_loaded"]))
        expect(page.locator("[data-testid=amount-quarantined]")).to_have_text(
            _money(cli["amount_quarantined"]))
        expect(page.locator("[data-testid=balance]")).to_contain_text("it balances")
        if folder != "lancashire_pcc":
            page.goto(page.url.split("imports")[0] + "upload/")

    page.get_by_role("link", name="Go to the dashboard").click()
    shares = page.locator("[data-testid=local-share]")
    expect(shares).to_contain_text("Preston", timeout=SLOW)
    expect(shares).to_contain_text("Lancashire-14")
    expect(page.locator("[data-testid=rows-read]")).to_have_text(str(103_888))
    expect(page.locator("[data-testid=rows-quarantined]")).to_contain_text("5")
    then_the_page_is_accessible(page)

    page.get_by_role("link", name="5 quarantined rows").click()
    page.get_by_label("Reason").select_option("supplier_missing")
    expect(page.locator("[data-testid=rows-summary]")).to_have_text("1 row totalling £290.00.")
    page.get_by_role("link", name="Correct November-23-csv.csv row 151").click()
    page.get_by_label("Supplier", exact=True).fill("IRRV Publications")
    page.get_by_role("button", name="Load the corrected row").click()
    expect(page.get_by_text("1 row corrected and loaded (£290.00)")).to_be_visible(timeout=SLOW)
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page.locator("[data-testid=rows-loaded]")).to_have_text(
        str(35_960 + 15_947 + 51_976 + 1))
    expect(page.locator("[data-testid=rows-quarantined]")).to_contain_text("4")
    expect(page.locator("[data-testid=rows-corrected]")).to_have_text("1")
    expect(page.locator("[data-testid=amount-corrected]")).to_have_text("£290.00")
