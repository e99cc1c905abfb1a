"""Spend web fixtures: a private var folder and a generated, messy spend file whose totals are
known independently of the engine."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

SUPPLIERS = [
    "ACME LTD",
    "Acme Limited",
    "Preston Roofing Ltd",
    "Ribble Catering Co-operative Ltd",
    "BIG NATIONAL PLC",
    "REDACTED",
]


@dataclass(frozen=True)
class SpendFile:
    name: str
    content: bytes
    rows: int
    loaded_rows: int
    loaded: Decimal
    quarantined: Decimal
    quarantined_rows: int
    by_supplier: dict[str, Decimal]

    def upload(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.content, content_type="text/csv")


def make_spend_file(name: str = "kingsbridge-2024-q1.csv", count: int = 40,
                    seed: int = 0) -> SpendFile:
    """A council-style CSV: a title line, a blank line, then rows with £ signs, thousands
    separators and bracketed credits; one impossible date and one amount that is not one."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Kingsbridge City Council payments over £500"])
    writer.writerow([])
    writer.writerow(["Body", "Payment Date", "Supplier Name", "Net Amount (£)", "Expense Type",
                     "Service Area", "Transaction Number"])
    loaded = Decimal(0)
    by_supplier: dict[str, Decimal] = {}
    for i in range(count):
        pence = 50_000 + (i * 7_919 + seed * 13) % 2_500_000
        amount = Decimal(pence) / 100
        if i % 9 == 4:
            amount = -amount
            text = f"({-amount:,.2f})"
        else:
            text = f"£{amount:,.2f}"
        loaded += amount
        supplier = SUPPLIERS[i % len(SUPPLIERS)]
        by_supplier[supplier] = by_supplier.get(supplier, Decimal(0)) + amount
        writer.writerow(["Kingsbridge City Council", f"{i % 28 + 1:02d}/{i % 3 + 1:02d}/2024",
                         SUPPLIERS[i % len(SUPPLIERS)], text, "Repairs" if i % 2 else "Catering",
                         "Housing", f"T{seed}-{i}"])
    writer.writerow(["Kingsbridge City Council", "31/02/2024", "ACME LTD", "£100.00", "Repairs",
                     "Housing", f"T{seed}-bad-date"])
    writer.writerow(["Kingsbridge City Council", "01/02/2024", "ACME LTD", "n/a", "Repairs",
                     "Housing", f"T{seed}-bad-amount"])
    return SpendFile(
        name=name,
        content=out.getvalue().encode("utf-8"),
        rows=count + 2,
        loaded_rows=count,
        loaded=loaded,
        quarantined=Decimal("100.00"),
        quarantined_rows=2,
        by_supplier=by_supplier,
    )


@pytest.fixture(autouse=True)
def var_dir(settings: Any, tmp_path: Any) -> Any:
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def spend_file() -> SpendFile:
    return make_spend_file()


@pytest.fixture
def dataset(city: Any) -> Any:
    from django.contrib.auth import get_user_model

    from socialvalue.web.spend.services import spend_dataset_create

    return spend_dataset_create(
        organisation=city,
        name="Kingsbridge payments 2024",
        publisher="Kingsbridge City Council",
        actor=get_user_model().objects.get(username="anna"),
    )


def upload(client: Any, dataset: Any, *files: SpendFile, replace: bool = False) -> Any:
    data: dict[str, Any] = {"uploads": [f.upload() for f in files],
                            "publisher": dataset.publisher}
    if replace:
        data["replace"] = "on"
    return client.post(reverse("spend:upload", args=[dataset.pk]), data)


def import_files(client: Any, dataset: Any, *files: SpendFile, replace: bool = False,
                 columns: dict[str, str] | None = None) -> Any:
    """Upload, accept the columns, and return the finished import (tasks run at once in tests)."""
    from socialvalue.web.spend.models import SpendImport

    response = upload(client, dataset, *files, replace=replace)
    assert response.status_code == 302, response.context["form"].errors
    spend_import = SpendImport.objects.filter(dataset=dataset).latest("created_at")
    response = client.post(
        reverse("spend:import_columns", args=[dataset.pk, spend_import.pk]),
        {"start": "1", **(columns or {})},
    )
    assert response.status_code == 302
    spend_import.refresh_from_db()
    return spend_import
