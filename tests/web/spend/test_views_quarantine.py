"""Correcting quarantined rows in the browser: one row, many rows, the check as you type, the
reconciliation moving, and replacing a file dropping its corrections.

The generated file (tests/web/spend/conftest.py) quarantines two rows: ACME LTD £100.00 on
31/02/2024 (date invalid) and an amount of "n/a" on 01/02/2024 (amount invalid, counts £0).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.spend.models import SpendImport
from tests.web.spend.conftest import SpendFile, import_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(client_for: Any, dataset: Any, spend_file: Any) -> Any:
    import_files(client_for("analyst"), dataset, spend_file)
    dataset.refresh_from_db()
    return dataset


def _token(client: Any, dataset: Any, reason: str) -> str:
    page = client.get(reverse("spend:quarantine", args=[dataset.pk]), {"reason": reason})
    (row,) = page.context["page"].rows
    return str(row["token"])


def _correct_url(dataset: Any) -> str:
    return reverse("spend:quarantine_correct", args=[dataset.pk])


def test_it_prefills_one_row_with_its_values_as_written(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    token = _token(client, imported, "date_invalid")
    response = client.get(_correct_url(imported), {"row": token})
    form = response.context["form"]
    assert (form["payment_date"].value(), form["amount"].value(),
            form["supplier_name"].value()) == ("31/02/2024", "£100.00", "ACME LTD")
    assert "Correct a quarantined row" in response.content.decode()


def test_it_loads_a_corrected_row_and_moves_the_reconciliation(
    client_for: Any, imported: Any, spend_file: SpendFile
) -> None:
    client = client_for("analyst")
    token = _token(client, imported, "date_invalid")
    response = client.post(_correct_url(imported), {
        "row": token, "payment_date": "29/02/2024", "amount": "£100.00",
        "supplier_name": "ACME LTD", "note": "Date from the invoice",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("spend:quarantine", args=[imported.pk])
    imported.refresh_from_db()
    summary = imported.reconciliation
    # 42 read = 41 loaded + 1 quarantined; £100.00 moves from quarantined to loaded.
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_quarantined"]) == (
        42, 41, 1)
    assert summary["amount_loaded"] == str(spend_file.loaded + Decimal("100.00"))
    assert summary["amount_quarantined"] == "0.00"
    assert (summary["rows_corrected"], summary["amount_corrected"]) == (1, "100.00")
    assert summary["quarantined_by_reason"] == {"amount_invalid": 1}
    (report,) = summary["file_reports"]
    assert report["rows_read"] == report["rows_loaded"] + report["rows_quarantined"]
    event = AuditEvent.objects.get(action="spend.rows_corrected")
    assert event.data["rows_corrected"] == 1
    assert "payment_date '29/02/2024'" in event.data["rows"]

    dashboard = client.get(reverse("spend:dashboard", args=[imported.pk]))
    assert dashboard.context["analysis"].total_pence == int(
        (spend_file.loaded + Decimal("100.00")) * 100)
    assert 'data-testid="rows-corrected">1<' in dashboard.content.decode()
    page = client.get(reverse("spend:quarantine", args=[imported.pk]))
    assert page.context["page"].count == 1
    count, corrected = page.context["corrections"]
    assert count == 1
    assert (corrected[0]["payment_date_raw"], corrected[0]["reason"],
            corrected[0]["corrected_by"]) == ("31/02/2024", "date_invalid", "anna")
    rows = client.get(reverse("spend:transactions", args=[imported.pk]),
                      {"supplier": "acme"}).context["page"].rows
    assert [str(r["payment_date"]) for r in rows if r["corrected"]] == ["2024-02-29"]


def test_it_keeps_a_row_that_still_fails_with_the_new_reason(client_for: Any,
                                                             imported: Any) -> None:
    client = client_for("analyst")
    token = _token(client, imported, "date_invalid")
    before = dict(imported.reconciliation)
    response = client.post(_correct_url(imported), {
        "row": token, "payment_date": "30/02/2024", "amount": "£100.00",
        "supplier_name": "ACME LTD",
    })
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["payment_date"][0].code == "date_invalid"
    assert response.content.decode().count("Still fails: date invalid") == 1
    assert "<title>Error: " in response.content.decode()
    imported.refresh_from_db()
    assert imported.reconciliation == before
    assert not AuditEvent.objects.filter(action="spend.rows_corrected").exists()


def test_it_asks_for_a_change(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    token = _token(client, imported, "date_invalid")
    response = client.post(_correct_url(imported), {
        "row": token, "payment_date": "31/02/2024", "amount": "£100.00",
        "supplier_name": "ACME LTD",
    })
    assert response.context["form"].non_field_errors().as_data()[0].code == "nothing_entered"


def test_it_checks_the_values_as_they_are_typed_without_saving(client_for: Any,
                                                               imported: Any) -> None:
    client = client_for("analyst")
    token = _token(client, imported, "amount_invalid")
    response = client.post(_correct_url(imported), {"row": token, "amount": "12.34",
                                                    "payment_date": "01/02/2024",
                                                    "supplier_name": "ACME LTD",
                                                    "check": "1"},
                           headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in text
    assert "Will load" in text
    assert "£12.34" in text
    imported.refresh_from_db()
    assert imported.reconciliation["rows_quarantined"] == 2
    # Without JavaScript the "Check the values" button shows the whole page, still unsaved.
    response = client.post(_correct_url(imported), {"row": token, "amount": "12.34",
                                                    "payment_date": "01/02/2024",
                                                    "supplier_name": "ACME LTD",
                                                    "check": "1"})
    assert "<html" in response.content.decode()
    assert "Will load" in response.content.decode()
    imported.refresh_from_db()
    assert imported.reconciliation["rows_quarantined"] == 2


SEPTEMBER = (
    b"Payment Date,Supplier Name,Amount,Transaction Number\r\n"
    b"31/09/2024,Acme Ltd,10.00,S1\r\n"
    b"31/09/2024,Bolton Bakery,2.50,S2\r\n"
    b"31/09/2024,Chorley Cakes,(1.25),S3\r\n"
    b"01/09/2024,Acme Ltd,4.00,S4\r\n"
)


def test_it_corrects_every_row_with_one_reason_in_one_step(client_for: Any,
                                                           dataset: Any) -> None:
    client = client_for("analyst")
    september = SpendFile(name="september.csv", content=SEPTEMBER, rows=4, loaded_rows=1,
                          loaded=Decimal("4.00"), quarantined=Decimal("11.25"),
                          quarantined_rows=3, by_supplier={})
    import_files(client, dataset, september)
    response = client.get(_correct_url(dataset), {"reason": "date_invalid"})
    assert len(response.context["rows"]) == 3
    assert response.context["form"]["payment_date"].value() in (None, "")
    tokens = response.context["form"]["row"].value()
    response = client.post(_correct_url(dataset), {"row": tokens, "payment_date": "30/09/2024"})
    assert response.status_code == 302
    dataset.refresh_from_db()
    summary = dataset.reconciliation
    # 4 read = 4 loaded; 10.00 + 2.50 - 1.25 + 4.00 = 15.25
    assert (summary["rows_loaded"], summary["rows_quarantined"], summary["rows_corrected"]) == (
        4, 0, 3)
    assert (summary["amount_loaded"], summary["amount_corrected"]) == ("15.25", "11.25")


def test_replacing_a_file_warns_and_drops_its_corrections(
    client_for: Any, imported: Any, spend_file: SpendFile
) -> None:
    client = client_for("analyst")
    token = _token(client, imported, "date_invalid")
    client.post(_correct_url(imported), {"row": token, "payment_date": "29/02/2024",
                                         "amount": "£100.00", "supplier_name": "ACME LTD"})
    upload(client, imported, spend_file, replace=True)
    spend_import = SpendImport.objects.filter(dataset=imported).latest("created_at")
    page = client.get(reverse("spend:import_columns", args=[imported.pk, spend_import.pk]))
    assert page.context["corrections_dropped"] == [(spend_file.name, 1)]
    assert 'data-testid="corrections-dropped"' in page.content.decode()
    client.post(reverse("spend:import_columns", args=[imported.pk, spend_import.pk]),
                {"start": "1"})
    imported.refresh_from_db()
    assert (imported.reconciliation["rows_corrected"],
            imported.reconciliation["rows_quarantined"]) == (0, 2)


def test_it_sends_a_stale_row_back_to_the_quarantine(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    token = _token(client, imported, "date_invalid")
    client.post(_correct_url(imported), {"row": token, "payment_date": "29/02/2024",
                                         "amount": "£100.00", "supplier_name": "ACME LTD"})
    response = client.get(_correct_url(imported), {"row": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("spend:quarantine", args=[imported.pk])
    response = client.get(_correct_url(imported), {"row": "not-a-token"})
    assert response.status_code == 302


# --- the 404/403/405 trio ----------------------------------------------------------------------


def test_it_hides_another_organisations_rows(client_for: Any, imported: Any) -> None:
    assert client_for("other_org").get(_correct_url(imported),
                                       {"reason": "date_invalid"}).status_code == 404


@pytest.mark.parametrize("role", ["officer", "evaluator", "supplier"])
def test_it_lets_only_analysts_and_admins_correct(client_for: Any, imported: Any,
                                                  role: str) -> None:
    assert client_for(role).get(_correct_url(imported),
                                {"reason": "date_invalid"}).status_code == 403
    assert client_for(role).post(_correct_url(imported),
                                 {"reason": "date_invalid"}).status_code == 403


def test_it_offers_correction_only_to_those_who_may(client_for: Any, imported: Any) -> None:
    url = reverse("spend:quarantine", args=[imported.pk])
    assert "Correct the selected rows" not in client_for("officer").get(url).content.decode()
    assert "Correct the selected rows" in client_for("analyst").get(url).content.decode()


def test_it_refuses_other_methods(client_for: Any, imported: Any) -> None:
    assert client_for("analyst").delete(_correct_url(imported)).status_code == 405


def test_it_waits_for_a_running_import(client_for: Any, imported: Any) -> None:
    client = client_for("analyst")
    token = _token(client, imported, "date_invalid")
    (imported.path / ".lock").write_text("1")  # what a running import holds
    response = client.post(_correct_url(imported), {
        "row": token, "payment_date": "29/02/2024", "amount": "£100.00",
        "supplier_name": "ACME LTD",
    })
    assert response.context["form"].non_field_errors().as_data()[0].code == "locked"
    imported.refresh_from_db()
    assert imported.reconciliation["rows_quarantined"] == 2
