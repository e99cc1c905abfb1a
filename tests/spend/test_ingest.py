"""Ingest: every row loaded or quarantined, sums reconciled to the penny, nothing half-imported."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialvalue.exceptions import DuplicateFileError, MissingColumnsError, SpendFileError
from socialvalue.spend.dataset import open_dataset, quarantined_rows, transactions
from socialvalue.spend.ingest import IngestProgress, ingest


def _sum_loaded(dataset: Path) -> int:
    """The loaded pence counted a second way: straight from the parquet files."""
    paths = [str(p) for p in open_dataset(dataset).transaction_paths()]
    row = (
        duckdb.connect()
        .execute("SELECT coalesce(sum(amount_pence), 0) FROM read_parquet(?)", [paths])
        .fetchone()
    )
    assert row is not None
    return int(row[0])


def test_it_loads_a_clean_file_and_reconciles(clean_csv: Path, dataset_dir: Path) -> None:
    result = ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 4, 0)
    assert result.as_dict()["amount_loaded"] == "1564.55"  # worked by hand in conftest
    assert _sum_loaded(dataset_dir) == 156455


def test_it_keeps_credits_negative_and_redacted_payees_as_their_own_class(
    clean_csv: Path, dataset_dir: Path
) -> None:
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    rows = transactions(dataset_dir).collect().rows(named=True)
    by_name = {row["supplier_name"]: row for row in rows}
    assert by_name["Acme Limited"]["amount_pence"] == -2000
    assert by_name["REDACTED"]["payee_class"] == "redacted"


def test_it_quarantines_each_bad_row_with_a_reason(messy_csv: Path, dataset_dir: Path) -> None:
    result = ingest([messy_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    assert result.rows_read == result.rows_loaded + result.rows_quarantined == 6
    assert result.quarantined_by_reason == {
        "repeated_header": 1,
        "amount_invalid": 1,
        "date_invalid": 1,
        "supplier_missing": 1,
    }
    assert result.rows_blank == 1
    summary = result.as_dict()
    assert (summary["amount_loaded"], summary["amount_quarantined"]) == ("15.50", "10.00")
    assert summary["amount_read"] == "25.50"
    table = result.files[0].tables[0]
    assert (table.encoding, table.header_row) == ("cp1252", 4)


def test_it_keeps_the_raw_values_of_quarantined_rows(messy_csv: Path, dataset_dir: Path) -> None:
    ingest([messy_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    rows = quarantined_rows(dataset_dir).collect().rows(named=True)
    invalid = next(row for row in rows if row["reason"] == "amount_invalid")
    assert (invalid["amount_raw"], invalid["source_row"]) == ("N/A", 7)


def test_it_refuses_the_same_file_twice_and_changes_nothing(
    clean_csv: Path, dataset_dir: Path
) -> None:
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    manifest = (dataset_dir / "manifest.json").read_text()
    copy = clean_csv.with_name("renamed.csv")
    copy.write_bytes(clean_csv.read_bytes())
    with pytest.raises(DuplicateFileError):
        ingest([copy], publisher="Kingsbridge", out_dir=dataset_dir)
    assert (dataset_dir / "manifest.json").read_text() == manifest


def test_it_replaces_a_file_when_asked(clean_csv: Path, dataset_dir: Path) -> None:
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir, replace_existing=True)
    dataset = open_dataset(dataset_dir)
    assert len(dataset.files) == 1
    assert _sum_loaded(dataset_dir) == 156455
    assert len(list((dataset_dir / "transactions").glob("*.parquet"))) == 1


def test_it_quarantines_transactions_repeated_in_another_file(
    clean_csv: Path, dataset_dir: Path, tmp_path: Path
) -> None:
    later = tmp_path / "later.csv"
    later.write_text(clean_csv.read_text() + "05/04/2024,Zed Ltd,1.00,Other\r\n", "utf-8")
    result = ingest([clean_csv, later], publisher="Kingsbridge", out_dir=dataset_dir)
    assert result.quarantined_by_reason == {"duplicate_in_batch": 4}
    assert result.rows_loaded == 5


def test_a_repeated_transaction_goes_to_the_quarantine_with_its_raw_cells(
    clean_csv: Path, dataset_dir: Path, tmp_path: Path
) -> None:
    # Acme's 1,234.56 of 1 April again, spelt differently (same folded payee, same pence), and
    # one payment written twice in the same file, which is not a duplicate (only other files
    # count). Loaded: 4 + 2 rows; quarantined: the repeat, 1,234.56.
    later = tmp_path / "later.csv"
    later.write_text(
        "Payment Date,Supplier Name,Amount,Expense Type\r\n"
        "01/04/2024,ACME LTD.,£1234.56,Repairs\r\n"
        "06/04/2024,New Co,2.00,Other\r\n"
        "06/04/2024,New Co,2.00,Other\r\n",
        "utf-8",
    )
    result = ingest([clean_csv, later], publisher="Kingsbridge", out_dir=dataset_dir)
    assert result.quarantined_by_reason == {"duplicate_in_batch": 1}
    assert (result.rows_loaded, result.as_dict()["amount_quarantined"]) == (6, "1234.56")
    [report] = [r for r in result.files if r.name == "later.csv"]
    assert (report.rows_loaded, report.pence_loaded, report.pence_quarantined) == (2, 400, 123456)
    [row] = quarantined_rows(dataset_dir).collect().rows(named=True)
    assert (row["file_name"], row["source_row"], row["payment_date_raw"], row["amount_raw"],
            row["supplier_name_raw"], row["expense_type"]) == (
        "later.csv", 2, "01/04/2024", "£1234.56", "ACME LTD.", "Repairs")
    loaded = transactions(dataset_dir).collect().rows(named=True)
    assert sorted(r["supplier_name"] for r in loaded if r["file_name"] == "later.csv") == [
        "New Co", "New Co"]


def test_only_the_same_reference_and_description_make_a_duplicate(
    dataset_dir: Path, tmp_path: Path
) -> None:
    # The same date, pence and payee in every row: only the reference and description (compared
    # without case or outer spaces) tell a repeat from another payment. In the second file only
    # the first row repeats the first file's; in the third, loaded on its own, the first two
    # rows repeat loaded ones (the first file's, and the second file's INV-2).
    header = "Payment Date,Supplier Name,Amount,Transaction Number,Description\r\n"
    first, second, third = (tmp_path / f"{name}.csv" for name in ("apr", "apr-b", "apr-c"))
    first.write_text(header + "01/04/2024,Acme Ltd,100.00,INV-1,Boiler\r\n", "utf-8")
    second.write_text(
        header + "01/04/2024,ACME LTD.,100.00, inv-1 ,BOILER\r\n"
        "01/04/2024,Acme Ltd,100.00,INV-2,Boiler\r\n"
        "01/04/2024,Acme Ltd,100.00,INV-1,Roof\r\n",
        "utf-8",
    )
    result = ingest([first, second], publisher="Kingsbridge", out_dir=dataset_dir)
    assert result.quarantined_by_reason == {"duplicate_in_batch": 1}
    [row] = quarantined_rows(dataset_dir).collect().rows(named=True)
    assert (row["file_name"], row["source_row"]) == ("apr-b.csv", 2)
    third.write_text(
        header + "01/04/2024,Acme Ltd,100.00,INV-1,boiler\r\n"
        "01/04/2024,Acme Ltd,100.00,inv-2,Boiler \r\n"
        "01/04/2024,Acme Ltd,100.00,INV-3,Boiler\r\n",
        "utf-8",
    )
    result = ingest([third], publisher="Kingsbridge", out_dir=dataset_dir)
    assert result.quarantined_by_reason == {"duplicate_of_loaded": 2}
    assert result.rows_loaded == 1


def test_it_quarantines_transactions_already_loaded(
    clean_csv: Path, dataset_dir: Path, tmp_path: Path
) -> None:
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    again = tmp_path / "april-again.csv"
    again.write_text(clean_csv.read_text() + "05/04/2024,Zed Ltd,1.00,Other\r\n", "utf-8")
    result = ingest([again], publisher="Kingsbridge", out_dir=dataset_dir)
    assert result.quarantined_by_reason == {"duplicate_of_loaded": 4}


def test_a_transaction_already_loaded_and_repeated_in_a_later_file_is_a_batch_duplicate_there(
    clean_csv: Path, dataset_dir: Path, tmp_path: Path
) -> None:
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    row = ("Payment Date,Supplier Name,Amount,Expense Type\r\n"
           "01/04/2024,Acme Ltd,1234.56,Repairs\r\n")
    first, second = tmp_path / "may-a.csv", tmp_path / "may-b.csv"
    first.write_text(row, "utf-8")
    second.write_text(row + "02/05/2024,New Co,2.00,Other\r\n", "utf-8")
    result = ingest([first, second], publisher="Kingsbridge", out_dir=dataset_dir)
    reasons = {r.name: r.quarantined_by_reason for r in result.files}
    assert reasons == {"may-a.csv": {"duplicate_of_loaded": 1},
                       "may-b.csv": {"duplicate_in_batch": 1}}
    assert result.rows_loaded == 1


def test_it_names_found_columns_and_synonyms_when_one_is_missing(
    tmp_path: Path, dataset_dir: Path
) -> None:
    path = tmp_path / "nodate.csv"
    path.write_text("Supplier,Amount,When\nAcme,1.00,x\n", "utf-8")
    with pytest.raises(MissingColumnsError) as caught:
        ingest([path], publisher="Kingsbridge", out_dir=dataset_dir)
    assert "payment_date" in caught.value.missing
    assert "'When'" in str(caught.value)
    assert "payment date" in str(caught.value)
    assert not (dataset_dir / "manifest.json").exists()


def test_it_uses_and_saves_a_column_override(tmp_path: Path, dataset_dir: Path) -> None:
    path = tmp_path / "when.csv"
    path.write_text("Supplier,Amount,When\nAcme,1.00,01/04/2024\n", "utf-8")
    result = ingest(
        [path],
        publisher="Kingsbridge",
        out_dir=dataset_dir,
        column_overrides={"When": "payment_date"},
    )
    assert result.rows_loaded == 1
    assert "when: payment_date" in (dataset_dir / "publishers" / "kingsbridge.yaml").read_text()


def test_it_reads_a_headerless_file_with_the_publishers_layout(
    clean_csv: Path, tmp_path: Path, dataset_dir: Path
) -> None:
    headerless = tmp_path / "may.csv"
    headerless.write_text("01/05/2024,Acme Ltd,12.00,Repairs\r\n02/05/2024,Bee Ltd,3.00,Care\r\n")
    result = ingest([headerless, clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    assert result.rows_loaded == 6
    assert any("no header row" in note for f in result.files for note in f.notes)


def test_it_refuses_an_empty_file(tmp_path: Path, dataset_dir: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(SpendFileError, match="empty"):
        ingest([path], publisher="Kingsbridge", out_dir=dataset_dir)


def test_it_reads_a_zip_of_mixed_files_and_lists_what_it_skipped(
    tmp_path: Path, dataset_dir: Path
) -> None:
    from tests.spend.conftest import CLEAN_CSV, MESSY_CSV

    archive = tmp_path / "spend.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("april/clean.csv", CLEAN_CSV)
        zipped.writestr("april/messy.csv", MESSY_CSV)
        zipped.writestr("readme.pdf", b"%PDF-1.4")
    result = ingest([archive], publisher="Kingsbridge", out_dir=dataset_dir)
    assert result.rows_read == 10
    assert [s.name for s in result.skipped] == ["spend.zip/readme.pdf"]


def test_it_reads_xlsx_worksheets(tmp_path: Path, dataset_dir: Path) -> None:
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Apr 24"
    sheet.append(["Spend over £500"])
    sheet.append([])
    sheet.append(["* Date", "* SUPPLIER FINAL", "TOTAL"])
    sheet.append([dt.datetime(2024, 4, 1), "Acme", 1263.6100000000001])
    sheet.append([45383, "Bee", -5])  # an Excel serial date (2024-04-01) and a credit
    second = book.create_sheet("May 24")
    second.append(["Date", "Supplier", "Amount"])
    second.append(["02/05/2024", "Cee", "10"])
    path = tmp_path / "book.xlsx"
    book.save(path)
    result = ingest([path], publisher="PCC", out_dir=dataset_dir)
    assert (result.rows_loaded, result.as_dict()["amount_loaded"]) == (3, "1268.61")


def test_it_reports_progress(clean_csv: Path, dataset_dir: Path) -> None:
    seen: list[IngestProgress] = []
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir, progress=seen.append)
    assert seen[-1].stage == "done"
    assert {"reading", "cleaning", "writing"} <= {p.stage for p in seen}


def test_it_refuses_a_second_import_while_one_runs(clean_csv: Path, dataset_dir: Path) -> None:
    dataset_dir.mkdir()
    (dataset_dir / ".lock").write_text("123")
    with pytest.raises(SpendFileError, match="another import"):
        ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)


def test_it_leaves_no_trace_when_a_file_fails(
    clean_csv: Path, tmp_path: Path, dataset_dir: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Foo,Bar\n1,2\n")
    with pytest.raises(SpendFileError):
        ingest([clean_csv, bad], publisher="Kingsbridge", out_dir=dataset_dir)
    assert sorted(p.name for p in dataset_dir.iterdir()) == []


_cell = st.text(st.sampled_from(list('ab £,.-()0123456789/"\r\n')), max_size=10)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.lists(_cell, min_size=0, max_size=5), max_size=12),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_it_accounts_for_every_row_of_an_odd_csv(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], encoding: str, newline: str
) -> None:
    import csv

    folder = tmp_path_factory.mktemp("odd")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(["Date", "Supplier", "Amount", "Notes"])
    writer.writerows(rows)
    path = folder / "odd.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    result = ingest([path], publisher="Fuzz", out_dir=folder / "out")
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    # Counted a second way: the csv module reading the same text (a writer with a bare-CR line
    # end leaves a field with "\n" unquoted, which is then two records).
    records = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))[1:]
    non_blank = sum(1 for row in records if any(cell.strip() for cell in row))
    assert result.rows_read == non_blank
    summary = json.loads(json.dumps(result.as_dict()))
    assert _sum_loaded(folder / "out") == round(float(summary["amount_loaded"]) * 100)


def test_it_stores_each_rows_supplier_key_and_the_analysis_uses_it(
    clean_csv: Path, dataset_dir: Path
) -> None:
    from socialvalue.spend.analyse import with_supplier_keys

    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    stored = {
        r["supplier_name"]: r["supplier_key"]
        for r in transactions(dataset_dir).collect().rows(named=True)
    }
    assert stored == {
        "Acme Ltd": "acme",
        "Acme Limited": "acme",
        "REDACTED": "(redacted)",
        "Bolton Bakery": "bolton bakery",
    }
    keyed = with_supplier_keys(transactions(dataset_dir)).collect().rows(named=True)
    assert {r["supplier_name"]: r["supplier_key"] for r in keyed} == stored


def test_rows_written_without_a_stored_key_get_one_when_analysed(
    clean_csv: Path, dataset_dir: Path
) -> None:
    import pyarrow.parquet as pq

    from socialvalue.spend.analyse import with_supplier_keys

    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    path = open_dataset(dataset_dir).transaction_paths()[0]
    pq.write_table(pq.read_table(path).drop_columns(["supplier_key"]), path)  # an older dataset
    keyed = with_supplier_keys(transactions(dataset_dir)).collect().rows(named=True)
    assert {r["supplier_name"]: r["supplier_key"] for r in keyed} == {
        "Acme Ltd": "acme",
        "Acme Limited": "acme",
        "REDACTED": "(redacted)",
        "Bolton Bakery": "bolton bakery",
    }


def _overlapping_files(folder: Path, seed: int) -> list[Path]:
    """Five small files drawing rows from one pool, so transactions repeat within a file,
    across files and against what an earlier import loaded; some rows are bad, one file has no
    description column and one is a workbook (read by the Python reader)."""
    import random

    from openpyxl import Workbook

    rng = random.Random(seed)
    pool = [
        (f"0{rng.randrange(1, 4)}/04/2024", rng.choice(["Acme Ltd", "ACME LIMITED", "Bolt Co"]),
         rng.choice(["5.00", "£5.00", "(5.00)", "7.25", "N/A"]), rng.choice(["", "Pipes"]))
        for _ in range(12)
    ]
    paths = []
    for number in range(5):
        rows = [rng.choice(pool) for _ in range(rng.randrange(3, 9))]
        if number == 3:
            workbook = Workbook()
            sheet = workbook.active
            assert sheet is not None
            sheet.append(["Payment Date", "Supplier Name", "Amount", "Description"])
            for row in rows:
                sheet.append(list(row))
            path = folder / f"file-{number}.xlsx"
            workbook.save(path)
        else:
            with_description = number != 2
            header = "Payment Date,Supplier Name,Amount" + (",Description" if with_description
                                                            else "")
            lines = [header] + [",".join(row if with_description else row[:3]) for row in rows]
            path = folder / f"file-{number}.csv"
            path.write_text("\r\n".join(lines) + "\r\n", "utf-8")
        paths.append(path)
    return paths


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_cleaning_small_files_together_gives_what_cleaning_them_one_by_one_gives(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from socialvalue.spend import ingest as ingest_module

    paths = _overlapping_files(tmp_path, seed)
    results = {}
    batches: list[int] = []
    clean_pending = ingest_module._Cleaner._clean_pending

    def counted(cleaner: Any) -> None:
        if cleaner.pending:
            batches.append(len(cleaner.pending))
        clean_pending(cleaner)

    monkeypatch.setattr(ingest_module._Cleaner, "_clean_pending", counted)
    for batch_rows in (1, 1_000_000):  # one file per batch (as for large files), or all at once
        monkeypatch.setattr(ingest_module, "CLEAN_BATCH_ROWS", batch_rows)
        out = tmp_path / f"dataset-{batch_rows}"
        ingest(paths[:1], publisher="Kingsbridge", out_dir=out)  # loaded before
        batches.clear()
        result = ingest(paths[1:], publisher="Kingsbridge", out_dir=out)
        # The workbook, read in Python, is batched with the CSV files read by DuckDB.
        assert batches == ([1, 1, 1, 1] if batch_rows == 1 else [4])
        con = duckdb.connect()
        rows = {
            kind: con.execute(
                "SELECT * EXCLUDE (file_key) FROM read_parquet(?, union_by_name=true) "
                "ORDER BY file_name, sheet, source_row",
                [[str(p) for p in paths_of]],
            ).fetchall()
            for kind, paths_of in (("t", open_dataset(out).transaction_paths()),
                                   ("q", open_dataset(out).quarantine_paths()))
        }
        summary = result.as_dict()
        for report in summary["file_reports"]:
            report.pop("key"), report.pop("imported_at")
        results[batch_rows] = (rows, summary)
    assert results[1] == results[1_000_000]
    summary = results[1][1]
    assert summary["rows_read"] == summary["rows_loaded"] + summary["rows_quarantined"]
