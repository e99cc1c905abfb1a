"""``socialvalue spend``: ingest and analyse from the command line."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from socialvalue.commands import app
from socialvalue.exceptions import DuplicateFileError, MissingColumnsError, ReportFormatError
from tests.spend.conftest import CLEAN_CSV, MESSY_CSV

runner = CliRunner()


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    clean = tmp_path / "clean.csv"
    clean.write_text(CLEAN_CSV, "utf-8")
    messy = tmp_path / "messy.csv"
    messy.write_bytes(MESSY_CSV)
    return [clean, messy]


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from socialvalue.config import get_settings

    monkeypatch.setenv("SOCIALVALUE_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def _ingest(files: list[Path], out: Path, *extra: str) -> dict:
    result = runner.invoke(app, ["spend", "ingest", *map(str, files), "--publisher",
                                 "Kingsbridge", "--out", str(out), "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_it_prints_one_reconciled_json_object(files: list[Path], tmp_path: Path) -> None:
    data = _ingest(files, tmp_path / "out")
    assert data["rows_read"] == data["rows_loaded"] + data["rows_quarantined"] == 10
    loaded, quarantined = Decimal(data["amount_loaded"]), Decimal(data["amount_quarantined"])
    assert loaded == Decimal("1564.55") + Decimal("15.50")
    assert quarantined == Decimal("10.00")
    assert data["quarantined_by_reason"]["amount_invalid"] == 1


def test_it_prints_the_reconciliation_table(files: list[Path], tmp_path: Path) -> None:
    result = runner.invoke(app, ["spend", "ingest", *map(str, files), "--publisher", "K",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Reconciliation" in result.output
    assert "balances" in result.output


def test_it_refuses_a_second_import_of_the_same_file(files: list[Path], tmp_path: Path) -> None:
    _ingest(files[:1], tmp_path / "out")
    result = runner.invoke(app, ["spend", "ingest", str(files[0]), "--publisher", "K",
                                 "--out", str(tmp_path / "out")])
    assert isinstance(result.exception, DuplicateFileError)
    assert _ingest(files[:1], tmp_path / "out", "--replace")["rows_loaded"] == 4


def test_it_takes_column_overrides(tmp_path: Path) -> None:
    path = tmp_path / "when.csv"
    path.write_text("Supplier,Amount,When\nAcme,1.00,01/04/2024\n", "utf-8")
    result = runner.invoke(app, ["spend", "ingest", str(path), "--publisher", "K",
                                 "--out", str(tmp_path / "out")])
    assert isinstance(result.exception, MissingColumnsError)
    data = _ingest([path], tmp_path / "out2", "--map", "When=payment_date")
    assert data["rows_loaded"] == 1


def test_it_analyses_local_share_with_a_supplier_list(
    files: list[Path], tmp_path: Path, var_dir: Path
) -> None:
    out = tmp_path / "out"
    _ingest(files, out)
    suppliers = tmp_path / "suppliers.csv"
    # Acme (1,214.56 net of its credit) in Preston; Bolton Bakery (99.99) in Blackpool.
    suppliers.write_text("name,postcode,type\nACME LTD,PR1 2RL,SME\nBolton Bakery,FY1 1AA,SME\n")
    result = runner.invoke(app, ["spend", "analyse", str(out), "--place", "Preston",
                                 "--place", "Lancashire-14", "--suppliers", str(suppliers),
                                 "--top", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == "1580.05"  # 1,564.55 + 15.50
    preston, lancs = data["places"]
    assert preston["local_total"] == "1214.56"
    assert lancs["local_total"] == "1314.55"
    assert Decimal(preston["local_share"]) == (Decimal("1214.56") / Decimal("1580.05")).quantize(
        Decimal("0.000001"))
    assert [s["name"] for s in data["top_suppliers"]] == ["Acme Ltd", "Bolton Bakery"]
    assert data["reconciliation"]["rows_read"] == 10


@pytest.mark.parametrize("suffix", [".html", ".xlsx"])
def test_it_writes_a_report(files: list[Path], tmp_path: Path, var_dir: Path,
                            suffix: str) -> None:
    out = tmp_path / "out"
    _ingest(files, out)
    report = tmp_path / f"report{suffix}"
    result = runner.invoke(app, ["spend", "analyse", str(out), "--place", "Preston",
                                 "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert report.stat().st_size > 1000
    if suffix == ".html":
        text = report.read_text()
        assert "Reconciliation" in text
        assert "<svg" in text


def test_it_refuses_an_unknown_report_format(files: list[Path], tmp_path: Path,
                                             var_dir: Path) -> None:
    out = tmp_path / "out"
    _ingest(files, out)
    result = runner.invoke(app, ["spend", "analyse", str(out), "--place", "Preston",
                                 "--report", str(tmp_path / "r.pdf")])
    assert isinstance(result.exception, ReportFormatError)


def test_it_uses_accepted_supplier_matches_without_a_flag(
    files: list[Path], tmp_path: Path, var_dir: Path
) -> None:
    out = tmp_path / "out"
    _ingest(files, out)
    # A register that names Acme with a Preston registered office: `suppliers match` accepts
    # it, and `spend analyse` then places Acme's 1,214.56 in Preston with no --suppliers flag.
    register = tmp_path / "register.csv"
    register.write_text("name,company_number,postcode\nACME LIMITED,01234567,PR1 2RL\n")
    analyse = ["spend", "analyse", str(out), "--place", "Preston", "--json"]
    before = json.loads(runner.invoke(app, analyse).stdout)["places"][0]
    assert Decimal(before["local_total"]) == 0
    matched = runner.invoke(
        app, ["suppliers", "match", str(out), "--register", str(register), "--json"]
    )
    assert matched.exit_code == 0, matched.output
    result = runner.invoke(app, analyse)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["places"][0]["local_total"] == "1214.56"
