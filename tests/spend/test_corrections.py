"""Correcting quarantined rows: checked with ingest's rules, loaded all or none, reconciled.

The messy file (tests/spend/conftest.py) loads 15.50 in 2 rows and quarantines 4 rows worth
10.00: ``N/A`` (amount invalid, counts 0), Chorley Cakes 7.00 on 31/02/2024 (date invalid), 3.00
with no payee (supplier missing) and a repeated header. Every expected figure below is worked
from those rows by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from socialvalue.exceptions import CorrectionError
from socialvalue.spend.corrections import (
    RowCorrection,
    RowRef,
    apply_corrections,
    check_corrections,
    corrected_rows,
)
from socialvalue.spend.dataset import open_dataset, quarantined_rows, transactions
from socialvalue.spend.ingest import ingest

PUBLISHER = "Kingsbridge"


def _ingest(path: Path, dataset_dir: Path, **kwargs: object) -> None:
    ingest([path], publisher=PUBLISHER, out_dir=dataset_dir, **kwargs)  # type: ignore[arg-type]


def _row(dataset_dir: Path, reason: str, file_name: str | None = None) -> RowRef:
    rows = quarantined_rows(dataset_dir).to_native().fetchall()
    columns = quarantined_rows(dataset_dir).columns
    for values in rows:
        row = dict(zip(columns, values, strict=True))
        if row["reason"] == reason and file_name in (None, row["file_name"]):
            return RowRef(row["file_key"], row["sheet"], row["source_row"])
    raise AssertionError(f"no quarantined row for {reason}")


def _loaded(dataset_dir: Path) -> tuple[int, int]:
    """Rows and pence counted straight from the transactions partitions."""
    paths = [str(p) for p in open_dataset(dataset_dir).transaction_paths()]
    row = duckdb.connect().execute(
        "SELECT count(*), coalesce(sum(amount_pence), 0) FROM read_parquet(?)", [paths]
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_it_loads_a_corrected_date_and_moves_the_reconciliation(
    messy_csv: Path, dataset_dir: Path
) -> None:
    _ingest(messy_csv, dataset_dir)
    row = _row(dataset_dir, "date_invalid")
    result = apply_corrections(dataset_dir, [RowCorrection(row, payment_date="28/02/2024")],
                               corrected_by="anna", note="February has 28 days in the invoice")
    summary = result.reconciliation.as_dict()
    # 6 read = 3 loaded (15.50 + 7.00) + 3 quarantined (0 + 3.00 + header)
    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_quarantined"]) == (6, 3, 3)
    assert (summary["amount_loaded"], summary["amount_quarantined"]) == ("22.50", "3.00")
    assert (summary["rows_corrected"], summary["amount_corrected"]) == (1, "7.00")
    assert summary["amount_changed_by_corrections"] == "0.00"
    assert summary["quarantined_by_reason"] == {
        "repeated_header": 1, "amount_invalid": 1, "supplier_missing": 1}
    (report,) = open_dataset(dataset_dir).files
    assert report.rows_read == report.rows_loaded + report.rows_quarantined
    assert _loaded(dataset_dir) == (3, 2250)
    loaded = {r["supplier_name"]: r for r in transactions(dataset_dir).collect().rows(named=True)}
    assert str(loaded["Chorley Cakes"]["payment_date"]) == "2024-02-28"
    assert loaded["Chorley Cakes"]["supplier_key"] == "chorley cakes"
    assert loaded["Chorley Cakes"]["description"] == "Catering"
    assert loaded["Chorley Cakes"]["source_row"] == row.source_row
    reasons = quarantined_rows(dataset_dir).select("reason").collect()["reason"].to_list()
    assert sorted(reasons) == ["amount_invalid", "repeated_header", "supplier_missing"]
    (kept,) = corrected_rows(dataset_dir).to_pylist()
    assert (kept["payment_date_raw"], kept["reason"], kept["payment_date_entered"]) == (
        "31/02/2024", "date_invalid", "28/02/2024")
    assert (kept["corrected_by"], kept["note"]) == ("anna", "February has 28 days in the invoice")
    assert kept["amount_pence"] == kept["amount_pence_as_read"] == 700


def test_it_counts_an_amount_that_was_not_an_amount_as_a_change(
    messy_csv: Path, dataset_dir: Path
) -> None:
    _ingest(messy_csv, dataset_dir)
    row = _row(dataset_dir, "amount_invalid")
    result = apply_corrections(dataset_dir, [RowCorrection(row, amount="£4.25")],
                               corrected_by="anna")
    summary = result.reconciliation.as_dict()
    # "N/A" counted 0 in the quarantined 10.00, so that stays; loaded 15.50 + 4.25.
    assert (summary["amount_loaded"], summary["amount_quarantined"]) == ("19.75", "10.00")
    assert summary["amount_changed_by_corrections"] == "4.25"
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_quarantined"] == 6


def test_it_keeps_a_row_that_still_fails_and_changes_nothing(
    messy_csv: Path, dataset_dir: Path
) -> None:
    _ingest(messy_csv, dataset_dir)
    row = _row(dataset_dir, "date_invalid")
    manifest = (dataset_dir / "manifest.json").read_bytes()
    (checked,) = check_corrections(dataset_dir, [RowCorrection(row, payment_date="31/09/2024")])
    assert (checked.reason, checked.field, checked.reason_before) == (
        "date_invalid", "payment_date", "date_invalid")
    with pytest.raises(CorrectionError, match="date_invalid"):
        apply_corrections(dataset_dir, [RowCorrection(row, payment_date="31/09/2024")],
                          corrected_by="anna")
    assert (dataset_dir / "manifest.json").read_bytes() == manifest
    assert not (dataset_dir / "corrections").exists()
    assert _loaded(dataset_dir) == (2, 1550)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"amount": ""}, "amount_missing"),
        ({"amount": "1.234,56"}, "amount_invalid"),
        ({"payment_date": " "}, "date_missing"),
        ({"payment_date": "01/31/2024"}, "date_invalid"),
        ({"supplier_name": "   "}, "supplier_missing"),
    ],
)
def test_it_applies_ingest_rules_in_order(messy_csv: Path, dataset_dir: Path,
                                          values: dict[str, str], reason: str) -> None:
    _ingest(messy_csv, dataset_dir)
    row = _row(dataset_dir, "date_invalid")
    fixed = {"payment_date": "28/02/2024", **values}
    (checked,) = check_corrections(dataset_dir, [RowCorrection(row, **fixed)])
    assert checked.reason == reason


def test_it_keeps_the_payee_class_of_a_redacted_name(messy_csv: Path, dataset_dir: Path) -> None:
    _ingest(messy_csv, dataset_dir)
    row = _row(dataset_dir, "supplier_missing")
    apply_corrections(dataset_dir, [RowCorrection(row, supplier_name="REDACTED")],
                      corrected_by="anna")
    loaded = {r["supplier_name"]: r for r in transactions(dataset_dir).collect().rows(named=True)}
    assert loaded["REDACTED"]["payee_class"] == "redacted"
    assert loaded["REDACTED"]["supplier_key"] == "(redacted)"


def test_it_refuses_to_load_a_repeated_header(messy_csv: Path, dataset_dir: Path) -> None:
    _ingest(messy_csv, dataset_dir)
    row = _row(dataset_dir, "repeated_header")
    (checked,) = check_corrections(
        dataset_dir, [RowCorrection(row, payment_date="01/04/2024", amount="1.00",
                                    supplier_name="Acme")])
    assert checked.reason == "repeated_header"


def test_it_refuses_a_row_that_is_not_quarantined(messy_csv: Path, dataset_dir: Path) -> None:
    _ingest(messy_csv, dataset_dir)
    row = _row(dataset_dir, "date_invalid")
    apply_corrections(dataset_dir, [RowCorrection(row, payment_date="28/02/2024")],
                      corrected_by="anna")
    with pytest.raises(CorrectionError, match="not a quarantined row"):
        check_corrections(dataset_dir, [RowCorrection(row, payment_date="29/02/2024")])
    with pytest.raises(CorrectionError, match="no longer in the dataset"):
        check_corrections(dataset_dir, [RowCorrection(RowRef("gone", None, 1))])


def _second_file(tmp_path: Path, name: str, lines: str) -> Path:
    path = tmp_path / name
    path.write_text("Payment Date,Supplier Name,Amount,Description\r\n" + lines, "utf-8")
    return path


def test_it_refuses_a_duplicate_of_a_row_loaded_from_another_file(
    messy_csv: Path, dataset_dir: Path, tmp_path: Path
) -> None:
    _ingest(messy_csv, dataset_dir)
    other = _second_file(tmp_path, "may.csv", "31/09/2024,Preston Printing,10.00,Leaflets\r\n")
    _ingest(other, dataset_dir)
    row = _row(dataset_dir, "date_invalid", "may.csv")
    # The messy file loaded "£10.00, Preston Printing, 05/04/2024, Leaflets".
    (checked,) = check_corrections(dataset_dir, [RowCorrection(row, payment_date="5/4/2024")])
    assert checked.reason == "duplicate_of_loaded"
    (checked,) = check_corrections(dataset_dir, [RowCorrection(row, payment_date="30/09/2024")])
    assert checked.loads


def test_it_keeps_identical_rows_of_one_file_as_ingest_does(
    dataset_dir: Path, tmp_path: Path
) -> None:
    path = _second_file(tmp_path, "june.csv", "01/06/2024,Acme,5.00,Paper\r\n"
                                              "31/06/2024,Acme,5.00,Paper\r\n")
    _ingest(path, dataset_dir)
    row = _row(dataset_dir, "date_invalid")
    (checked,) = check_corrections(dataset_dir, [RowCorrection(row, payment_date="01/06/2024")])
    assert checked.loads


def test_it_corrects_rows_of_several_files_in_one_step(dataset_dir: Path, tmp_path: Path) -> None:
    first = _second_file(tmp_path, "sept-a.csv", "31/09/2024,Acme,12.00,Paper\r\n"
                                                  "01/09/2024,Acme,1.00,Paper\r\n")
    second = _second_file(tmp_path, "sept-b.csv", "31/09/2024,Bolton Bakery,3.50,Buns\r\n"
                                                   "31/09/2024,Acme,12.00,Paper\r\n")
    ingest([first, second], publisher=PUBLISHER, out_dir=dataset_dir)
    rows = quarantined_rows(dataset_dir).to_native().fetchall()
    columns = quarantined_rows(dataset_dir).columns
    refs = [RowRef(r["file_key"], r["sheet"], r["source_row"])
            for r in (dict(zip(columns, v, strict=True)) for v in rows)]
    assert len(refs) == 3
    corrections = [RowCorrection(ref, payment_date="30/09/2024") for ref in refs]
    checked = check_corrections(dataset_dir, corrections)
    # Acme 12.00 on 30/09 in both files: the later file's row is the duplicate in this batch.
    assert sorted(c.reason or "" for c in checked) == ["", "", "duplicate_in_batch"]
    with pytest.raises(CorrectionError, match=r"sept-b\.csv row 3 still fails"):
        apply_corrections(dataset_dir, corrections, corrected_by="anna")
    keep = [c for c, r in zip(corrections, checked, strict=True) if r.loads]
    result = apply_corrections(dataset_dir, keep, corrected_by="anna")
    assert result.pence == 1200 + 350
    assert result.files == {"sept-a.csv": 1, "sept-b.csv": 1}
    assert result.reconciliation.rows_corrected == 2
    assert _loaded(dataset_dir) == (3, 100 + 1200 + 350)
    assert {f.name: f.revision for f in open_dataset(dataset_dir).files} == {
        "sept-a.csv": 1, "sept-b.csv": 1}


def test_a_later_import_sees_a_corrected_row_as_loaded(
    messy_csv: Path, dataset_dir: Path, tmp_path: Path
) -> None:
    _ingest(messy_csv, dataset_dir)
    apply_corrections(dataset_dir, [RowCorrection(_row(dataset_dir, "date_invalid"),
                                                  payment_date="28/02/2024")],
                      corrected_by="anna")
    again = _second_file(tmp_path, "again.csv", "28/02/2024,Chorley Cakes,7.00,Catering\r\n")
    result = ingest([again], publisher=PUBLISHER, out_dir=dataset_dir)
    assert result.quarantined_by_reason == {"duplicate_of_loaded": 1}
    # The import also cleared orphans: the corrected row's partitions are kept.
    assert _loaded(dataset_dir) == (3, 2250)


def test_replacing_a_file_drops_its_corrections(messy_csv: Path, dataset_dir: Path) -> None:
    _ingest(messy_csv, dataset_dir)
    apply_corrections(dataset_dir, [RowCorrection(_row(dataset_dir, "date_invalid"),
                                                  payment_date="28/02/2024")],
                      corrected_by="anna")
    _ingest(messy_csv, dataset_dir, replace_existing=True)
    dataset = open_dataset(dataset_dir)
    assert dataset.reconciliation.rows_corrected == 0
    assert dataset.corrections == ()
    assert "corrections" not in json.loads((dataset_dir / "manifest.json").read_text())
    assert list((dataset_dir / "corrections").glob("*.parquet")) == []
    assert _loaded(dataset_dir) == (2, 1550)
    assert corrected_rows(dataset_dir).num_rows == 0


def test_the_polars_backend_reads_corrected_partitions(messy_csv: Path,
                                                       dataset_dir: Path) -> None:
    _ingest(messy_csv, dataset_dir)
    apply_corrections(dataset_dir, [RowCorrection(_row(dataset_dir, "date_invalid"),
                                                  payment_date="28/02/2024")],
                      corrected_by="anna")
    frame = transactions(dataset_dir, backend="polars").collect()
    assert sorted(frame["amount_pence"].to_list()) == [550, 700, 1000]


def test_row_tokens_round_trip() -> None:
    ref = RowRef("abc-123", "Sheet: 1", 42)
    assert RowRef.from_token(ref.token) == ref
    assert RowRef.from_token(RowRef("abc", None, 7).token) == RowRef("abc", None, 7)
    with pytest.raises(CorrectionError):
        RowRef.from_token("abc:x:")


def test_the_cli_lists_checks_and_corrects_rows(messy_csv: Path, dataset_dir: Path) -> None:
    from typer.testing import CliRunner

    from socialvalue.commands import app

    runner = CliRunner()
    _ingest(messy_csv, dataset_dir)
    listed = runner.invoke(app, ["spend", "quarantine", str(dataset_dir), "--reason",
                                 "date_invalid", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.output)
    assert (row["payment_date_raw"], row["amount_raw"]) == ("31/02/2024", "7.00")
    command = ["spend", "correct", str(dataset_dir), row["row"], "--by", "anna"]
    refused = runner.invoke(app, [*command, "--date", "30/02/2024", "--check"])
    assert refused.exit_code == 1
    assert "still fails (date_invalid)" in refused.output
    done = runner.invoke(app, [*command, "--date", "28/02/2024", "--json"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output)
    assert (summary["rows_loaded"], summary["rows_corrected"], summary["amount_loaded"]) == (
        3, 1, "22.50")


def test_it_shows_corrections_in_the_report(messy_csv: Path, dataset_dir: Path) -> None:
    from socialvalue.geography.areas import builtin_areas
    from socialvalue.geography.places import builtin_places
    from socialvalue.spend.analyse import analyse_spend
    from socialvalue.spend.report import html_report

    _ingest(messy_csv, dataset_dir)
    row = _row(dataset_dir, "amount_invalid")
    apply_corrections(dataset_dir, [RowCorrection(row, amount="£4.25")], corrected_by="anna")
    preston = next(p for p in builtin_places(builtin_areas()) if p.name == "Preston")
    analysis = analyse_spend(transactions(dataset_dir), places=[preston])
    page = html_report(analysis, open_dataset(dataset_dir).reconciliation)
    # One row corrected, loaded at £4.25 where "N/A" had counted £0.00 as read.
    assert "<td>  of which corrected after the import</td><td>1</td><td>4.25</td>" in page
    assert "<td>Amount changed by corrections</td><td></td><td>4.25</td>" in page


def test_a_bar_in_a_reference_does_not_make_a_duplicate(dataset_dir: Path, tmp_path: Path) -> None:
    header = "Payment Date,Supplier Name,Amount,Description,Transaction Number\r\n"
    first = tmp_path / "june-a.csv"
    first.write_text(header + "01/06/2024,Acme,5.00,C,A|B\r\n", "utf-8")
    second = tmp_path / "june-b.csv"
    second.write_text(header + "31/06/2024,Acme,5.00,B|C,A\r\n", "utf-8")
    _ingest(first, dataset_dir)
    _ingest(second, dataset_dir)
    row = _row(dataset_dir, "date_invalid", "june-b.csv")
    # Joined with "|", reference and description read "a|b|c" on both rows; the fields differ.
    (checked,) = check_corrections(dataset_dir, [RowCorrection(row, payment_date="01/06/2024")])
    assert checked.loads
    # The same fields are still a duplicate.
    third = tmp_path / "june-c.csv"
    third.write_text(header + "31/06/2024,ACME,5.00,c,a|b\r\n", "utf-8")
    _ingest(third, dataset_dir)
    row = _row(dataset_dir, "date_invalid", "june-c.csv")
    (checked,) = check_corrections(dataset_dir, [RowCorrection(row, payment_date="01/06/2024")])
    assert checked.reason == "duplicate_of_loaded"
