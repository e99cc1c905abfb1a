"""Supplier web fixtures: a dataset with imported spend and a small generic register."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.web.spend import conftest as spend_fixtures
from tests.web.spend.conftest import import_files

# The spend tests' fixtures, shared: a private var folder, a dataset and a generated spend file.
var_dir = spend_fixtures.var_dir
dataset = spend_fixtures.dataset
spend_file = spend_fixtures.spend_file

# Acme and Preston Roofing match clearly; "Ribble Catering" has two near entries (review);
# Big National matches exactly.
REGISTER = (
    "name,company_number,postcode,sic,type\n"
    "Acme Limited,01234567,PR1 2RL,43910,company\n"
    "Preston Roofing Limited,02345678,PR2 9AA,43910,company\n"
    "Big National PLC,03456789,M1 1AA,70100,company\n"
    "Ribble Catering Services Ltd,04567890,PR5 6AA,56290,company\n"
    "Ribble Catering Supplies Ltd,05678901,BB1 1AA,56290,company\n"
)


def register_upload(text: str = REGISTER, name: str = "register.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def imported(client_for: Any, dataset: Any, spend_file: Any) -> Any:
    import_files(client_for("analyst"), dataset, spend_file)
    dataset.refresh_from_db()
    return dataset
