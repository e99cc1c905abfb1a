"""Demo spend for Kingsbridge City Council: a year of believable, generated payments over £500
(with the mess real files have), imported and matched against a small generated register, so the
demo analyst sees a dashboard and a short review queue. All names and figures are fictional."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass

from socialvalue.web.accounts.models import Organisation
from socialvalue.web.spend.models import ImportStatus, SpendDataset, SpendImport

DATASET_NAME = "Kingsbridge payments over £500, 2024/25"
PUBLISHER = "Kingsbridge City Council"

# (spellings in the ledger, register name, postcode, SIC, type, typical payment in pounds)
SUPPLIERS = [
    (["Northgate Catering Co-operative Ltd", "NORTHGATE CATERING CO-OP"],
     "Northgate Catering Co-operative Limited", "PR1 3NG", "56290", "cooperative", 4_000),
    (["Ribble Valley Roofing Ltd", "Ribble Valley Roofing Limited"],
     "Ribble Valley Roofing Limited", "BB7 2RR", "43910", "company", 9_000),
    (["Greenway Community Transport CIC"], "Greenway Community Transport CIC", "PR2 1GT",
     "49390", "cic", 2_500),
    (["Brightwork Facilities Management plc", "BRIGHTWORK FM PLC"],
     "Brightwork Facilities Management PLC", "M1 4BF", "81100", "company", 30_000),
    (["Pennine Digital Ltd"], "Pennine Digital Limited", "LS1 5PD", "62020", "company", 6_000),
    (["Preston Print & Design"], "Preston Print and Design Ltd", "PR1 2HE", "18129", "company",
     1_200),
    (["Lancashire Mind"], "Lancashire Mind", "PR7 1AF", "88990", "charity", 3_000),
    (["Kingsbridge Building Supplies"], "Kingsbridge Building Supplies (North) Ltd", "PR5 6AB",
     "46730", "company", 2_000),
    (["Kingsbridge Building Supplies"], "Kingsbridge Building Supplies (South) Ltd", "WN1 1XX",
     "46730", "company", 0),
    (["National Energy Supply plc"], "National Energy Supply PLC", "B1 1NE", "35140", "company",
     45_000),
]
EXPENSES = ["Catering", "Building repairs", "Transport", "Facilities", "IT services", "Printing",
            "Grants", "Materials", "Utilities"]


@dataclass
class _Upload:
    name: str
    content: bytes

    def chunks(self) -> Iterator[bytes]:
        yield self.content


def demo_spend_file(seed: int = 2024) -> bytes:
    """A year of payments as a council publishes them: a title line, £ signs, credits in
    brackets, a redacted payee, and two rows the import must quarantine."""
    rng = random.Random(seed)  # noqa: S311 - made-up demo figures, not secrets
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{PUBLISHER}: payments over £500, April 2024 to March 2025"])
    writer.writerow([])
    writer.writerow(["Body Name", "Payment Date", "Supplier Name", "Amount (£)", "Expense Type",
                     "Service Area", "Transaction Number"])
    number = 1000
    for month in range(12):
        year, month_number = (2024, month + 4) if month < 9 else (2025, month - 8)
        for (spellings, _, _, _, _, typical), expense in zip(SUPPLIERS, EXPENSES, strict=False):
            if not typical:
                continue
            for _ in range(rng.randint(1, 3)):
                number += 1
                pence = int(typical * 100 * rng.uniform(0.4, 1.8))
                amount = f"£{pence / 100:,.2f}"
                if rng.random() < 0.04:
                    amount = f"({pence / 100:,.2f})"
                writer.writerow([PUBLISHER, f"{rng.randint(1, 28):02d}/{month_number:02d}/{year}",
                                 rng.choice(spellings), amount, expense, "Corporate",
                                 f"KCC{number}"])
        writer.writerow([PUBLISHER, f"15/{month_number:02d}/{year}", "REDACTED",
                         f"£{rng.randint(600, 2000)}.00", "Care payments", "Adult Social Care",
                         f"KCC{number}R"])
    writer.writerow([PUBLISHER, "31/09/2024", "Preston Print & Design", "£640.00", "Printing",
                     "Corporate", "KCC9998"])
    writer.writerow([PUBLISHER, "12/11/2024", "Pennine Digital Ltd", "TBC", "IT services",
                     "Corporate", "KCC9999"])
    return out.getvalue().encode("utf-8")


def demo_register() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "company_number", "postcode", "sic", "type"])
    for index, (_, name, postcode, sic, kind, _) in enumerate(SUPPLIERS):
        writer.writerow([name, f"{9_100_000 + index * 7:08d}" if kind != "charity" else "",
                         postcode, sic, kind])
    return out.getvalue().encode("utf-8")


def spend_demo_load() -> int:
    """Create and import the demo dataset for Kingsbridge City Council unless it exists.

    Runs the import and the matching now, not in the worker, so the demo is ready at once.
    Returns how many datasets were created (0 or 1).
    """
    from django.contrib.auth import get_user_model

    from socialvalue.web.spend.services import (
        spend_dataset_create,
        spend_import_create,
        spend_import_run,
    )
    from socialvalue.web.suppliers.models import SupplierMatchRun
    from socialvalue.web.suppliers.services import supplier_match_run

    organisation = Organisation.objects.filter(slug="kingsbridge-city").first()
    if organisation is None or SpendDataset.objects.filter(organisation=organisation,
                                                           name=DATASET_NAME).exists():
        return 0
    analyst = get_user_model().objects.filter(username="analyst").first()
    dataset = spend_dataset_create(organisation=organisation, name=DATASET_NAME,
                                   publisher=PUBLISHER, actor=analyst)
    spend_import = spend_import_create(
        dataset=dataset, publisher=PUBLISHER, replace=False, actor=analyst,
        files=[_Upload("kingsbridge-payments-2024-25.csv", demo_spend_file())],
    )
    SpendImport.objects.filter(pk=spend_import.pk).update(status=ImportStatus.QUEUED)
    spend_import_run(import_id=spend_import.pk)
    run = SupplierMatchRun.objects.create(dataset=dataset, created_by=analyst,
                                          register_files=["kingsbridge-suppliers.csv"])
    run.register_dir.mkdir(parents=True, exist_ok=True)
    (run.register_dir / "kingsbridge-suppliers.csv").write_bytes(demo_register())
    supplier_match_run(run_id=run.pk)
    return 1
