"""Upload → column check → background import → reconciliation, duplicates and column fixes."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.spend.models import ImportStatus, SpendDataset, SpendImport
from tests.web.spend.conftest import import_files, make_spend_file, upload

pytestmark = pytest.mark.django_db


def test_it_creates_a_dataset_with_its_folder(client_for: Any, city: Any, var_dir: Any) -> None:
    response = client_for("analyst").post(
        reverse("spend:create"), {"name": "Payments 2024", "publisher": "Kingsbridge"}
    )
    dataset = SpendDataset.objects.get()
    assert response["Location"] == reverse("spend:upload", args=[dataset.pk])
    assert dataset.organisation == city
    assert dataset.path == var_dir / "spend" / str(city.pk) / str(dataset.pk)
    assert dataset.path.is_dir()
    assert AuditEvent.objects.filter(action="spend.dataset_created").count() == 1


def test_it_reports_missing_fields_with_codes(client_for: Any, city: Any) -> None:
    response = client_for("analyst").post(reverse("spend:create"), {"name": "", "publisher": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["name"][0].code == "required"
    assert response.context["form"].errors.as_data()["publisher"][0].code == "required"
    assert b"Error: " in response.content


def test_it_imports_and_reconciles_to_the_penny(client_for: Any, dataset: Any,
                                                spend_file: Any) -> None:
    client = client_for("analyst")
    spend_import = import_files(client, dataset, spend_file)
    assert spend_import.status == ImportStatus.DONE
    summary = spend_import.reconciliation
    assert summary["rows_read"] == spend_file.rows
    assert summary["rows_loaded"] == spend_file.loaded_rows
    assert summary["rows_quarantined"] == spend_file.quarantined_rows
    assert summary["amount_loaded"] == str(spend_file.loaded)
    assert summary["amount_quarantined"] == str(spend_file.quarantined)
    assert summary["quarantined_by_reason"] == {"amount_invalid": 1, "date_invalid": 1}
    dataset.refresh_from_db()
    assert dataset.reconciliation["amount_loaded"] == str(spend_file.loaded)
    page = client.get(reverse("spend:import_detail", args=[dataset.pk, spend_import.pk]))
    assert page.status_code == 200
    assert "it balances" in page.content.decode()
    assert AuditEvent.objects.filter(action="spend.imported").count() == 1
    # The uploaded file is kept outside the web root, beside the dataset.
    assert (spend_import.upload_dir / spend_file.name).read_bytes() == spend_file.content


def test_it_shows_the_columns_before_importing(client_for: Any, dataset: Any,
                                               spend_file: Any) -> None:
    client = client_for("analyst")
    upload(client, dataset, spend_file)
    spend_import = SpendImport.objects.get()
    assert spend_import.status == ImportStatus.UPLOADED
    response = client.get(reverse("spend:import_columns", args=[dataset.pk, spend_import.pk]))
    preview = response.context["preview"]
    (table,) = preview.tables
    assert table.header_row == 3  # counted from 1, after a title and a blank line
    fields = {c.header: c.field for c in table.columns}
    assert fields["Net Amount (£)"] == "amount"
    assert fields["Supplier Name"] == "supplier_name"
    assert table.missing == ()


def test_it_lets_the_analyst_fix_a_column_and_remembers_it(client_for: Any, dataset: Any) -> None:
    client = client_for("analyst")
    odd = make_spend_file(name="odd.csv")
    odd = type(odd)(**{**vars(odd), "content": odd.content.replace(b"Supplier Name",
                                                                   b"Beneficiary Org")})
    upload(client, dataset, odd)
    spend_import = SpendImport.objects.get()
    url = reverse("spend:import_columns", args=[dataset.pk, spend_import.pk])
    preview = client.get(url).context["preview"]
    assert preview.tables[0].missing == ("supplier_name",)
    headers = [header for header, _ in preview.headers]
    data = {f"column_{i}": auto for i, (_, auto) in enumerate(preview.headers)}
    data[f"column_{headers.index('Beneficiary Org')}"] = "supplier_name"
    response = client.post(url, {**data, "start": "1"})
    assert response.status_code == 302
    spend_import.refresh_from_db()
    assert spend_import.column_overrides == {"Beneficiary Org": "supplier_name"}
    assert spend_import.status == ImportStatus.DONE
    assert spend_import.reconciliation["rows_loaded"] == odd.loaded_rows


def test_it_refuses_a_file_already_imported(client_for: Any, dataset: Any,
                                            spend_file: Any) -> None:
    client = client_for("analyst")
    import_files(client, dataset, spend_file)
    response = upload(client, dataset, spend_file)
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["uploads"][0].code == "duplicate"
    assert SpendImport.objects.count() == 1


def test_it_replaces_a_file_when_asked(client_for: Any, dataset: Any, spend_file: Any) -> None:
    client = client_for("analyst")
    import_files(client, dataset, spend_file)
    again = import_files(client, dataset, spend_file, replace=True)
    assert again.status == ImportStatus.DONE
    dataset.refresh_from_db()
    assert dataset.reconciliation["rows_loaded"] == spend_file.loaded_rows
    assert dataset.reconciliation["amount_loaded"] == str(spend_file.loaded)


def test_it_adds_a_second_file_to_the_totals(client_for: Any, dataset: Any,
                                             spend_file: Any) -> None:
    client = client_for("analyst")
    second = make_spend_file(name="kingsbridge-2024-q2.csv", count=10, seed=7)
    import_files(client, dataset, spend_file, second)
    dataset.refresh_from_db()
    assert dataset.reconciliation["files"] == 2
    assert dataset.reconciliation["amount_loaded"] == str(spend_file.loaded + second.loaded)


def test_it_shows_progress_as_a_fragment_to_htmx(client_for: Any, dataset: Any,
                                                 spend_file: Any) -> None:
    client = client_for("analyst")
    spend_import = import_files(client, dataset, spend_file)
    SpendImport.objects.filter(pk=spend_import.pk).update(
        status=ImportStatus.RUNNING, stage="reading", rows_read=1234, bytes_done=50,
        bytes_total=100)
    response = client.get(reverse("spend:import_detail", args=[dataset.pk, spend_import.pk]),
                          HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="progress"')
    assert 'hx-trigger="every 2s"' in text
    assert "1234 rows read" in text


def test_it_fails_cleanly_on_a_file_it_cannot_read(client_for: Any, dataset: Any) -> None:
    client = client_for("analyst")
    empty = make_spend_file(name="empty.csv")
    empty = type(empty)(**{**vars(empty), "content": b"just,some\nwords,here\n"})
    spend_import = import_files(client, dataset, empty)
    assert spend_import.status == ImportStatus.FAILED
    assert spend_import.error_code == "file"  # no header row and no saved layout
    assert AuditEvent.objects.filter(action="spend.import_failed").count() == 1


def test_it_lists_quarantined_rows_with_reasons(client_for: Any, dataset: Any,
                                               spend_file: Any) -> None:
    client = client_for("analyst")
    import_files(client, dataset, spend_file)
    response = client.get(reverse("spend:quarantine", args=[dataset.pk]))
    page = response.context["page"]
    assert page.count == 2
    assert {row["reason"] for row in page.rows} == {"amount_invalid", "date_invalid"}
    response = client.get(reverse("spend:quarantine", args=[dataset.pk]),
                          {"reason": "date_invalid"}, HTTP_HX_REQUEST="true")
    assert response.context["page"].count == 1
    assert response.content.decode().lstrip().startswith('<div id="rows"')


# --- the 404/403/405 trio ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["spend:dashboard", "spend:upload", "spend:quarantine",
                                  "spend:supplier_list"])
def test_it_hides_another_organisations_dataset(client_for: Any, dataset: Any, name: str) -> None:
    response = client_for("other_org").get(reverse(name, args=[dataset.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_it_hides_another_organisations_import(client_for: Any, dataset: Any,
                                               spend_file: Any) -> None:
    spend_import = import_files(client_for("analyst"), dataset, spend_file)
    for name in ("spend:import_detail", "spend:import_columns"):
        response = client_for("other_org").get(reverse(name, args=[dataset.pk, spend_import.pk]))
        assert response.status_code == 404


@pytest.mark.parametrize("role", ["officer", "evaluator", "supplier"])
def test_it_refuses_uploads_to_other_roles(client_for: Any, dataset: Any, role: str) -> None:
    response = client_for(role).get(reverse("spend:upload", args=[dataset.pk]))
    assert response.status_code == 403


def test_it_refuses_the_wrong_method(client_for: Any, dataset: Any) -> None:
    client = client_for("analyst")
    assert client.post(reverse("spend:dashboard", args=[dataset.pk])).status_code == 405
    assert client.post(reverse("spend:quarantine", args=[dataset.pk])).status_code == 405
    assert client.delete(reverse("spend:upload", args=[dataset.pk])).status_code == 405


def test_it_asks_for_a_file(client_for: Any, dataset: Any) -> None:
    response = client_for("analyst").post(reverse("spend:upload", args=[dataset.pk]),
                                          {"publisher": "Kingsbridge"})
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["uploads"][0].code == "required"
    assert b"Error: " in response.content


def test_it_never_reuses_a_folder_left_by_an_earlier_database(city: Any, var_dir: Any) -> None:
    from socialvalue.web.spend.services import spend_dataset_create

    stale = var_dir / "spend" / str(city.pk) / "1"
    stale.mkdir(parents=True)
    (stale / "manifest.json").write_text("{}")
    dataset = spend_dataset_create(organisation=city, name="New", publisher="K", actor=None)
    assert not (dataset.path / "manifest.json").exists()
    assert len(list(stale.parent.glob("*.orphaned-*"))) <= 1
