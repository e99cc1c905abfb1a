"""The DuckDB CSV fast path reads exactly what the Python reader reads, or stands aside."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialvalue.spend import fastcsv
from socialvalue.spend import ingest as ingest_module
from socialvalue.spend.dataset import Reconciliation, open_dataset
from socialvalue.spend.ingest import ingest


def _messy_but_valid(rows: int, seed: int = 7) -> str:
    """A title, a blank line, a BOM-free header, then rows in the usual states."""
    rng = random.Random(seed)
    names = ["Acme Ltd", "ACME LIMITED", "  Bolton Bakery ", "REDACTED", "Café Crème Ltd",
             "Smith, Jones & Co", "", "Personal Data", "Far\u00a0Away plc"]
    amounts = ["1,234.56", "£99.99", "(20.00)", "12.50-", "N/A", "", " 7.00 ", "£1,000,000.00",
               "0.5", "1.005", "GBP 3.20", "12.5 CR"]
    dates = ["01/04/2024", "2024-04-02", "31/02/2024", "", "45322", "3 April 2024",
             "04-Apr-24", " 05/04/2024 "]
    lines = ["Spend over £500, April 2024", "", "Payment Date,Supplier Name,Amount,"
             "Expense Type,Description,Transaction Number,Postcode"]
    for number in range(rows):
        roll = rng.random()
        if roll < 0.03:
            lines.append(",,,,,,")
            continue
        if roll < 0.05:
            lines.append(" ,\u00a0, ,\u3000,,,")
            continue
        amount = rng.choice(amounts)
        name = rng.choice(names)
        cells = [
            rng.choice(dates),
            f'"{name}"' if "," in name or rng.random() < 0.2 else name,
            f'"{amount}"' if "," in amount else amount,
            rng.choice(["Repairs", "Care", "", "IT; licences"]),
            f"Item {number}" if rng.random() < 0.9 else '"Item, with comma"',
            f"T{number % 400}",
            rng.choice(["PR1 2RL", "", "M1 1AE"]),
        ]
        if roll > 0.97:
            cells = cells[: rng.randrange(1, 6)]  # short rows
        lines.append(",".join(cells))
    return "\r\n".join(lines) + "\r\n\r\n"


def _rows(dataset: Path, kind: str) -> list[tuple[Any, ...]]:
    paths = [str(p) for p in (open_dataset(dataset).transaction_paths() if kind == "t"
                              else open_dataset(dataset).quarantine_paths())]
    return duckdb.connect().execute(
        "SELECT * EXCLUDE (file_key) FROM read_parquet(?, union_by_name=true) "
        "ORDER BY file_name, source_row", [paths]
    ).fetchall()


def _ingest_both(
    paths: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Reconciliation, Reconciliation, list[bool]]:
    taken: list[bool] = []
    original = ingest_module.stage_csv

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(ingest_module, "stage_csv", spy)
    monkeypatch.setattr(ingest_module, "CSV_FAST_PATH", True)
    fast = ingest(paths, publisher="Kingsbridge", out_dir=tmp_path / "fast")
    monkeypatch.setattr(ingest_module, "CSV_FAST_PATH", False)
    slow = ingest(paths, publisher="Kingsbridge", out_dir=tmp_path / "slow")
    for kind in ("t", "q"):
        assert _rows(tmp_path / "fast", kind) == _rows(tmp_path / "slow", kind)
    fast_summary, slow_summary = fast.as_dict(), slow.as_dict()
    for summary in (fast_summary, slow_summary):
        for report in summary["file_reports"]:
            report.pop("key"), report.pop("imported_at")
    assert fast_summary == slow_summary
    return fast, slow, taken


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_the_fast_path_reads_a_messy_file_row_for_row_as_the_python_reader(
    encoding: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _messy_but_valid(3000)
    if encoding == "cp1252":
        text = text.replace("\u3000", " ")  # not in cp1252
    path = tmp_path / "april.csv"
    path.write_bytes(text.encode(encoding))
    fast, _, taken = _ingest_both([path], tmp_path, monkeypatch)
    assert taken == [True]
    assert fast.rows_blank > 0
    assert fast.rows_quarantined > 0
    assert fast.rows_loaded > 0
    assert fast.balanced


def _with_line(line: str) -> Any:
    """Put ``line`` among the data rows (after the first 20 lines)."""
    def change(text: str) -> str:
        lines = text.split("\r\n")
        return "\r\n".join([*lines[:20], line, *lines[20:]])
    return change


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("inner quote", _with_line('01/04/2024,Acme Ltd,5.00,Repairs,Pipe 5" wide,T1,')),
        ("doubled quote", _with_line('01/04/2024,Acme Ltd,5.00,Repairs,"Pipe ""5""",T1,')),
        ("space before a quote", _with_line('01/04/2024,Acme Ltd,5.00,Repairs, "Pipe",T1,')),
        ("quoted line break", _with_line('01/04/2024,Acme Ltd,5.00,Repairs,"Pipe\r\n5",T1,')),
        ("empty line mid-file", _with_line("")),
        ("wider row", _with_line("01/04/2024,Acme Ltd,5.00,Repairs,Pipe,T1,,extra")),
        ("repeated header", _with_line("Payment Date,Supplier Name,Amount,Description")),
        ("header in other words", _with_line("Vendor:,* Net Amount (£),Date Paid,Notes")),
        ("header with accents", _with_line("Dáte,Süpplier,Ámount,Notes")),
        ("bare CR", _with_line("01/04/2024,Acme Ltd,5.00,Repairs,Pipe\r5,T1,")),
        ("open quote on the last line", lambda t: t.rstrip() + ',"open\r\n'),
        ("quoted title line break", lambda t: '"Spend\r\nApril"\r\n' + t),
        ("c1 byte in cp1252", _with_line("01/04/2024,Acme Ltd,5.00,Repairs,Pipe \u20ac,T1,")),
    ],
)
def test_the_fast_path_stands_aside_for_odd_files_and_nothing_changes(
    name: str, change: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = change(_messy_but_valid(300, seed=11).replace("\u3000", " "))
    path = tmp_path / "odd.csv"
    path.write_bytes(text.encode("cp1252" if "cp1252" in name else "utf-8"))
    fast, _, taken = _ingest_both([path], tmp_path, monkeypatch)
    assert taken == [False], name
    assert fast.balanced


def test_zips_and_workbooks_are_not_read_by_the_fast_path(
    clean_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    archive = tmp_path / "spend.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(clean_csv, "inner.csv")
    _, _, taken = _ingest_both([archive], tmp_path, monkeypatch)
    assert taken == [False]


def _quotes_by_counting(block: bytes, delimiter: bytes) -> bool:
    """The quote rule worked out a second way: turn delimiters and line ends into ``\\n`` and
    count the quotes that follow or precede one."""
    marked = block.translate(bytes.maketrans(delimiter + b"\r", b"\n\n"))
    quotes = marked.count(b'"')
    if not quotes:
        return True
    opening = marked.count(b'\n"') + marked.startswith(b'"')
    closing = marked.count(b'"\n') + marked.endswith(b'"')
    alone = (marked.count(b'\n"\n') or marked.startswith(b'"\n') or marked.endswith(b'\n"')
             or marked == b'"')
    return not alone and opening + closing == quotes and opening == closing


@settings(max_examples=500, deadline=None)
@given(
    block=st.lists(st.sampled_from([b'"', b",", b";", b"\n", b"\r\n", b"\r", b"a", b"12", b" "]),
                   min_size=1, max_size=40).map(b"".join),
    delimiter=st.sampled_from([b",", b";"]),
)
def test_the_quote_and_line_end_checks_agree_with_counting(block: bytes, delimiter: bytes) -> None:
    array = np.frombuffer(block, np.uint8)
    assert fastcsv._quotes_at_field_edges(array, delimiter[0]) == _quotes_by_counting(
        block, delimiter
    )
    assert fastcsv._bare_cr(array) == (block.count(b"\r") != block.count(b"\r\n"))
    assert fastcsv._trailing_line_ends(block, len(block)) == len(block) - len(
        block.rstrip(b"\r\n"))
    half = len(block) // 2
    assert fastcsv._trailing_line_ends(block + b"x\r", half) == half - len(
        block[:half].rstrip(b"\r\n"))


def test_stage_csv_needs_a_connection_that_keeps_rows_in_order(tmp_path: Path) -> None:
    """Row numbers come from insertion order: stage_csv refuses a connection without it rather
    than number rows wrongly. Ingest turns it off for its cleaning connection only (SET SESSION),
    which leaves the connections reading files with it on."""
    from socialvalue.spend.columns import builtin_synonym_map, column_map
    from socialvalue.spend.read import input_files, read_tables, sniff

    path = tmp_path / "april.csv"
    path.write_text("Payment Date,Supplier Name,Amount\r\n01/04/2024,Acme Ltd,5.00\r\n"
                    "02/04/2024,Bolt Co,7.25\r\n", "utf-8")
    [item], _ = input_files([path])
    synonyms = builtin_synonym_map()
    [table] = read_tables(item, sniff(item), synonyms)
    columns = column_map(table.header, synonyms, {}, source=table.source)
    cleaning = duckdb.connect()
    reading = cleaning.cursor()
    queries: list[str] = []

    def stage(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
        return fastcsv.stage_csv(con, item, table, columns,
                                 ("payment_date", "amount", "supplier_name"), queries.append, 0,
                                 lambda cells: False, ())

    cleaning.execute("SET SESSION preserve_insertion_order = false")
    with pytest.raises(ValueError, match="preserve_insertion_order"):
        stage(cleaning)
    assert stage(reading) == (2, 0)
    query = f"SELECT source_row, supplier_name_raw FROM ({queries[0]}) ORDER BY 1"  # noqa: S608
    assert cleaning.execute(query).fetchall() == [(2, "Acme Ltd"), (3, "Bolt Co")]


@pytest.mark.parametrize(
    "change",
    [lambda text: text, _with_line("01/04/2024,Acme Ltd,5.00,Repairs,Pipe\r5,T1,"),
     _with_line('01/04/2024,Acme Ltd,5.00,Repairs,Pipe 5" wide,T1,'),
     lambda text: text.rstrip() + ',"open\r\n', lambda text: text.rstrip("\r\n")],
    ids=["plain", "bare CR", "inner quote", "open quote at the end", "no final line end"],
)
def test_the_byte_checks_give_the_same_answer_however_the_file_is_cut_into_blocks(
    change: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checks read a file in blocks of fastcsv._CHUNK bytes (16 MB) cut at line ends; small
    blocks put those cuts all through a small file, and one block ending right after the header
    (the data was once taken to be empty then)."""
    from socialvalue.spend.columns import builtin_synonym_map
    from socialvalue.spend.read import input_files, read_tables, sniff

    path = tmp_path / "april.csv"
    path.write_bytes(change(_messy_but_valid(400, seed=3)).encode("utf-8"))
    [item], _ = input_files([path])
    [table] = read_tables(item, sniff(item), builtin_synonym_map())
    whole = fastcsv.plain_check(item, table)
    header_end = len("\r\n".join(_messy_but_valid(0).split("\r\n")[:3]).encode()) + 2
    for chunk in (header_end, header_end + 1, header_end + 7, 257, 1000, 4093):
        monkeypatch.setattr(fastcsv, "_CHUNK", chunk)
        assert fastcsv.plain_check(item, table) == whole, chunk
    monkeypatch.undo()
    if whole is not None:  # the data lines, then the empty lines at the end
        assert whole[0] == header_end
        data = path.read_bytes()[header_end:]
        assert whole[1] - whole[2] == data.rstrip(b"\r\n").count(b"\n") + 1
        assert whole[2] == max(data[len(data.rstrip(b"\r\n")):].count(b"\n") - 1, 0)
