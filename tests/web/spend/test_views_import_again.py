"""Reading an import's kept files again after a column-mapping change, from the browser."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialvalue.spend.dataset import transactions
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.spend.models import ImportStatus, SpendImport
from tests.web.spend.conftest import SpendFile, import_files

pytestmark = pytest.mark.django_db


def _again_url(spend_import: Any) -> str:
    return reverse("spend:import_again", args=[spend_import.dataset_id, spend_import.pk])


def test_it_reads_the_kept_files_again_with_a_changed_column(
    client_for: Any, dataset: Any, spend_file: SpendFile
) -> None:
    client = client_for("analyst")
    first = import_files(client, dataset, spend_file)
    before = transactions(dataset.path).collect().rows(named=True)
    assert {r["service_area"] for r in before} == {"Housing"}

    response = client.post(_again_url(first))
    again = SpendImport.objects.exclude(pk=first.pk).get()
    assert response["Location"] == reverse("spend:import_columns",
                                           args=[dataset.pk, again.pk])
    assert (again.status, again.replace, again.file_names) == (
        ImportStatus.UPLOADED, True, [spend_file.name])
    assert (again.upload_dir / spend_file.name).read_bytes() == spend_file.content
    assert (first.upload_dir / spend_file.name).exists()  # the first import keeps its copy

    page = client.get(reverse("spend:import_columns", args=[dataset.pk, again.pk]))
    headers = [header for header, _ in page.context["form"].headers]
    column = f"column_{headers.index('Service Area')}"
    response = client.post(reverse("spend:import_columns", args=[dataset.pk, again.pk]),
                           {"start": "1", column: "department"})
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == ImportStatus.DONE
    dataset.refresh_from_db()
    summary = dataset.reconciliation
    # The same file, replaced in place: same rows and pence, one file.
    assert (summary["files"], summary["rows_read"], summary["rows_loaded"]) == (
        1, spend_file.rows, spend_file.loaded_rows)
    assert summary["amount_loaded"] == str(spend_file.loaded)
    after = transactions(dataset.path).collect().rows(named=True)
    assert {r["department"] for r in after} == {"Housing"}
    assert {r["service_area"] for r in after} == {None}
    assert AuditEvent.objects.filter(action="spend.files_reimported").count() == 1


def test_it_says_when_the_files_are_gone(client_for: Any, dataset: Any,
                                         spend_file: SpendFile) -> None:
    client = client_for("analyst")
    first = import_files(client, dataset, spend_file)
    (first.upload_dir / spend_file.name).unlink()
    response = client.post(_again_url(first), follow=True)
    assert "no longer kept" in response.content.decode()
    assert SpendImport.objects.count() == 1


def test_it_offers_reading_again_only_to_managers(client_for: Any, dataset: Any,
                                                 spend_file: SpendFile) -> None:
    first = import_files(client_for("analyst"), dataset, spend_file)
    detail = reverse("spend:import_detail", args=[dataset.pk, first.pk])
    assert "Import these files again" in client_for("analyst").get(detail).content.decode()
    assert "Import these files again" not in client_for("officer").get(detail).content.decode()


def test_it_checks_organisation_role_and_method(client_for: Any, dataset: Any,
                                                spend_file: SpendFile) -> None:
    first = import_files(client_for("analyst"), dataset, spend_file)
    assert client_for("other_org").post(_again_url(first)).status_code == 404
    assert client_for("officer").post(_again_url(first)).status_code == 403
    assert client_for("analyst").get(_again_url(first)).status_code == 405
