"""Fixtures for supplier matching tests: small registers written by the tests themselves, and
the real Gender Pay Gap files (read in place through ``shared_data``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialvalue.suppliers.registers import load_register

GENERIC_REGISTER = """name,company_number,postcode,sic,type
Acme Roofing Limited,01234567,PR1 2RL,43910,company
Acme Holdings PLC,07654321,M1 1AA,70100,company
Preston Community Transport CIC,09876543,PR2 2AA,49390,cic
Bloggs & Sons (Builders) Ltd,SC123456,EH6 8NU,41202,company
Riverside Food Co-operative Limited,IP12345R,LA1 1AA,47110,co-operative
Lancashire Wildlife Trust,,PR5 6AU,,charity
Northern Widgets Manufacturing Limited,04444444,BB1 1AA,25990,company
Northern Widgets Marketing Limited,05555555,LS1 1AA,73110,company
"""


@pytest.fixture
def generic_register_csv(tmp_path: Path) -> Path:
    """A generic register CSV with eight entries, two of them near-namesakes."""
    path = tmp_path / "register.csv"
    path.write_text(GENERIC_REGISTER, encoding="utf-8")
    return path


@pytest.fixture
def generic_register(tmp_path: Path, generic_register_csv: Path) -> Path:
    """The generic register loaded to Parquet."""
    destination = tmp_path / "generic.register.parquet"
    load_register(generic_register_csv, destination)
    return destination


@pytest.fixture(scope="session")
def gpg_2021(shared_data: Path) -> Path:
    """The real 2021/22 Gender Pay Gap employer file (skipped when absent)."""
    path = shared_data / "companies_sample" / "gender_pay_gap_employers_2021_to_2022.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="session")
def gpg_2021_register(gpg_2021: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2021/22 Gender Pay Gap file loaded as a register."""
    destination = tmp_path_factory.mktemp("registers") / "gpg2021.register.parquet"
    load_register(gpg_2021, destination)
    return destination
