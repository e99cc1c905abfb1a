"""Tests for register loading: formats, header quirks, identifiers and bad headers."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from socialvalue.exceptions import RegisterFormatError
from socialvalue.suppliers.registers import detect_register_format, load_register


def test_it_loads_a_generic_register(generic_register: Path) -> None:
    rows = pq.read_table(generic_register).to_pylist()
    assert len(rows) == 8
    acme = rows[0]
    assert acme["entry_id"] == "01234567"
    assert acme["name_normalised"] == "acme roofing"
    assert acme["postcode"] == "PR1 2RL"
    assert acme["postcode_area"] == "PR"
    assert acme["sic_codes"] == ["43910"]
    assert [row["business_type"] for row in rows[2:6]] == [
        "cic",
        "company",
        "cooperative_mutual",
        "charity_vcse",
    ]


def test_it_needs_only_a_name_column(tmp_path: Path) -> None:
    source = tmp_path / "names.csv"
    source.write_text("Name\nAcme Ltd\n", encoding="utf-8")
    loaded = load_register(source, tmp_path / "out.parquet")
    assert loaded.register_format == "generic"
    assert pq.read_table(loaded.destination).column("entry_id").to_pylist() == ["row:2"]


def test_it_names_expected_and_found_columns_for_an_unknown_header(tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("supplier,number\nAcme,1\n", encoding="utf-8")
    with pytest.raises(RegisterFormatError, match="found 'supplier', 'number'") as caught:
        load_register(source, tmp_path / "out.parquet")
    assert "CompanyName" in str(caught.value)
    assert "'name'" in str(caught.value)


def test_it_names_missing_columns_when_a_format_is_insisted_on(tmp_path: Path) -> None:
    source = tmp_path / "ch.csv"
    source.write_text("CompanyName, CompanyNumber\nAcme,01234567\n", encoding="utf-8")
    with pytest.raises(RegisterFormatError, match=r"RegAddress\.PostCode"):
        load_register(source, tmp_path / "out.parquet", register_format="companies_house")


def test_it_reports_bad_numbers_and_keeps_them_out(tmp_path: Path) -> None:
    source = tmp_path / "register.csv"
    source.write_text("name,company_number\nAcme Ltd,XY123456\nBeta Ltd,1234\n", encoding="utf-8")
    loaded = load_register(source, tmp_path / "out.parquet")
    assert loaded.identifier_problems == {"company_number:prefix": 1}
    rows = pq.read_table(loaded.destination).to_pylist()
    assert rows[0]["company_number"] is None
    assert rows[0]["company_number_raw"] == "XY123456"
    assert rows[1]["company_number"] == "00001234"


def test_it_reads_the_companies_house_header_with_leading_spaces(shared_data: Path) -> None:
    path = (
        shared_data / "companies_sample" / "companies_house_basiccompanydata_header_and_3_rows.csv"
    )
    if not path.is_file():
        pytest.skip(f"{path} not found")
    from socialvalue.suppliers.registers import read_header

    header = read_header(path)
    assert " CompanyNumber" in header
    assert detect_register_format(header).key == "companies_house"


def test_it_loads_companies_house_rows(shared_data: Path, tmp_path: Path) -> None:
    path = (
        shared_data / "companies_sample" / "companies_house_basiccompanydata_header_and_3_rows.csv"
    )
    if not path.is_file():
        pytest.skip(f"{path} not found")
    loaded = load_register(path, tmp_path / "ch.parquet", batch_rows=2)
    rows = pq.read_table(loaded.destination).to_pylist()
    assert [row["company_number"] for row in rows] == ["12778855", "08209948", "11399177"]
    assert [row["postcode"] for row in rows] == ["S35 2PH", "LS10 2RU", "SK6 3DY"]
    assert rows[0]["sic_codes"] == ["78300"]
    assert rows[1]["is_sme"] is True  # dormant accounts
    assert rows[0]["name_normalised"] == ""  # "! LIMITED" has no words


def test_it_loads_gender_pay_gap_files_with_multiline_sic_codes(gpg_2021_register: Path) -> None:
    table = pq.read_table(gpg_2021_register)
    assert table.num_rows == 10465
    rows = {row["company_number"]: row for row in table.to_pylist() if row["company_number"]}
    red_band = rows["SC016876"]
    assert red_band["name_normalised"] == "red band chemical co"
    assert red_band["postcode"] == "EH6 8NU"
    assert red_band["is_sme"] is False


def test_it_skips_linked_charities_in_a_charity_commission_extract(tmp_path: Path) -> None:
    source = tmp_path / "publicextract.charity.txt"
    source.write_text(
        "organisation_number\tregistered_charity_number\tlinked_charity_number\tcharity_name\t"
        "charity_contact_postcode\n"
        "1\t1097940\t0\tLancashire Wildlife Trust\tPR5 6AU\n"
        "2\t1097940\t1\tLancashire Wildlife Trust Trading\tPR5 6AU\n",
        encoding="utf-8",
    )
    loaded = load_register(source, tmp_path / "cc.parquet")
    assert loaded.register_format == "charity_commission"
    assert (loaded.rows_read, loaded.rows_written) == (2, 1)
    row = pq.read_table(loaded.destination).to_pylist()[0]
    assert (row["charity_number"], row["business_type"]) == ("1097940", "charity_vcse")
