"""Fixtures for the spend engine: small spend files written by hand, in the states councils
publish them (titles before the header, cp1252 pound signs, credits in brackets …)."""

from __future__ import annotations

from pathlib import Path

import pytest

# Three payments and one credit; totals worked out by hand:
# 1,234.56 + 250.00 + 99.99 − 20.00 = 1,564.55
CLEAN_CSV = (
    "Payment Date,Supplier Name,Amount,Expense Type\r\n"
    "01/04/2024,Acme Ltd,\"1,234.56\",Repairs\r\n"
    "02/04/2024,REDACTED,250.00,Care\r\n"
    "03/04/2024,Bolton Bakery,99.99,Catering\r\n"
    "04/04/2024,Acme Limited,(20.00),Repairs\r\n"
)

# A title, a blank line and a row of empty cells before the header; cp1252 "£"; one row with an
# amount that is not an amount, one with an impossible date, one without a supplier, a blank
# row and a repeated header. Loaded: 10.00 + 5.50 = 15.50; quarantined with an amount: 7.00
# (impossible date) + 3.00 (no supplier) = 10.00; read = 25.50.
MESSY_CSV = (
    "Spend over £500 - April 2024\r\n"
    "\r\n"
    ",,,\r\n"
    "Net Amount (£),Name:  ,Payment date,Description\r\n"
    "£10.00,Preston Printing,05/04/2024,Leaflets\r\n"
    "5.50,Lancaster Logs,2024-04-06,Fuel\r\n"
    "N/A,Lancaster Logs,07/04/2024,Fuel\r\n"
    "7.00,Chorley Cakes,31/02/2024,Catering\r\n"
    "3.00,,08/04/2024,Unknown\r\n"
    ",,,\r\n"
    "Net Amount (£),Name:  ,Payment date,Description\r\n"
).encode("cp1252")


@pytest.fixture
def clean_csv(tmp_path: Path) -> Path:
    path = tmp_path / "clean.csv"
    path.write_text(CLEAN_CSV, "utf-8")
    return path


@pytest.fixture
def messy_csv(tmp_path: Path) -> Path:
    path = tmp_path / "messy.csv"
    path.write_bytes(MESSY_CSV)
    return path


@pytest.fixture
def dataset_dir(tmp_path: Path) -> Path:
    return tmp_path / "dataset"


@pytest.fixture
def lancashire_raw(shared_data: Path) -> Path:
    path = shared_data / "spend_lancashire_raw"
    if not path.is_dir():
        pytest.skip(f"{path} not found")
    return path
