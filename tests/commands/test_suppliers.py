"""Tests for the ``socialvalue suppliers`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from socialvalue.commands import app

REGISTER = """name,company_number,postcode,sic,type
Acme Roofing Limited,01234567,PR1 2RL,43910,company
Northern Widgets Manufacturing Limited,04444444,BB1 1AA,25990,company
Northern Widgets Marketing Limited,05555555,LS1 1AA,73110,company
"""

LEDGER = """supplier_name,amount
ACME ROOFING LTD,100.00
Acme Roofing Limited,50.00
Northern Widgets,20.00
!!!,5.00
Zyxwv Quux,1.00
"""


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    monkeypatch.setenv("SOCIALVALUE_VAR_DIR", str(tmp_path / "var"))
    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    ledger = tmp_path / "ledger.csv"
    ledger.write_text(LEDGER, encoding="utf-8")
    return register, ledger


def test_it_matches_and_prints_json(files: tuple[Path, Path]) -> None:
    register, ledger = files
    result = CliRunner().invoke(
        app, ["suppliers", "match", str(ledger), "--register", str(register), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    statuses = {item["supplier_key"]: item["status"] for item in payload["results"]}
    assert statuses["acme roofing"] == "accepted"
    assert statuses["raw:!!!"] == "review"
    assert statuses["zyxwv quux"] == "unmatched"
    table = pq.read_table(ledger.with_name("ledger.suppliers") / "suppliers.parquet")
    assert "registered_office_postcode" in table.column_names


def test_it_exports_records_as_csv(files: tuple[Path, Path], tmp_path: Path) -> None:
    register, ledger = files
    runner = CliRunner()
    runner.invoke(app, ["suppliers", "match", str(ledger), "--register", str(register)])
    output = tmp_path / "out.csv"
    result = runner.invoke(app, ["suppliers", "export", str(ledger), "-o", str(output)])
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert "acme roofing,ACME ROOFING LTD,accepted" in text
    assert "PR1 2RL" in text


def test_it_reviews_with_key_presses_and_remembers_decisions(files: tuple[Path, Path]) -> None:
    register, ledger = files
    runner = CliRunner()
    runner.invoke(app, ["suppliers", "match", str(ledger), "--register", str(register)])
    result = runner.invoke(app, ["suppliers", "review", str(ledger)], input="2\nq\n")
    assert result.exit_code == 0, result.output
    decisions = json.loads(
        (ledger.with_name("ledger.suppliers") / "decisions.json").read_text(encoding="utf-8")
    )
    assert decisions["decisions"][0]["action"] == "pick"
    again = runner.invoke(
        app, ["suppliers", "match", str(ledger), "--register", str(register), "--json"]
    )
    statuses = {
        item["supplier_key"]: item["status"] for item in json.loads(again.output)["results"]
    }
    assert statuses["northern widgets"] == "accepted"


def test_it_explains_a_ledger_without_a_supplier_column(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    register, _ledger = files
    ledger = tmp_path / "bad.csv"
    ledger.write_text("payee_id,amount\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["suppliers", "match", str(ledger), "--register", str(register)]
    )
    assert result.exit_code != 0
    assert "supplier_name" in str(result.exception)


def test_it_reads_a_spend_dataset_directory_skipping_quarantine_and_unnamed_payees(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    import pyarrow as pa

    register, _ledger = files
    dataset = tmp_path / "dataset"
    (dataset / "transactions").mkdir(parents=True)
    (dataset / "quarantine").mkdir()
    pq.write_table(
        pa.table(
            {
                "supplier_name": ["ACME ROOFING LTD", "REDACTED"],
                "payee_class": ["named", "redacted"],
            }
        ),
        dataset / "transactions" / "a.parquet",
    )
    pq.write_table(
        pa.table({"supplier_name": ["Quarantined Name"]}), dataset / "quarantine" / "a.parquet"
    )
    result = CliRunner().invoke(
        app, ["suppliers", "match", str(dataset), "--register", str(register), "--json"]
    )
    assert result.exit_code == 0, result.output
    keys = [item["supplier_key"] for item in json.loads(result.output)["results"]]
    assert keys == ["acme roofing"]
    assert (dataset / "suppliers" / "suppliers.parquet").is_file()


def test_it_matches_with_the_splink_backend(files: tuple[Path, Path]) -> None:
    pytest.importorskip("splink", reason="the splink backend needs the 'linkage' extra")
    register, ledger = files
    result = CliRunner().invoke(
        app,
        [
            "suppliers",
            "match",
            str(ledger),
            "--register",
            str(register),
            "--backend",
            "splink",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    statuses = {item["supplier_key"]: item["status"] for item in payload["results"]}
    assert statuses["acme roofing"] == "accepted"
    assert statuses["raw:!!!"] == "review"
    assert statuses["zyxwv quux"] == "unmatched"
    assert statuses["northern widgets"] != "accepted"
    assert (ledger.with_name("ledger.suppliers") / "suppliers.parquet").is_file()


def test_it_says_how_to_install_the_splink_extra(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "splink", None)
    register, ledger = files
    result = CliRunner().invoke(
        app, ["suppliers", "match", str(ledger), "--register", str(register), "--backend", "splink"]
    )
    assert result.exit_code != 0
    assert "uv sync --extra linkage" in str(result.exception)
