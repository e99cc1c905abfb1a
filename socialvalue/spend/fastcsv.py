"""The fast path for plain CSV files: DuckDB's ``read_csv`` instead of the per-row Python reader.

Ingest reads most council files, which are plain CSV, this way; it reads the same rows as the
Python reader (:mod:`socialvalue.spend.read`) with the same row numbers and raw text, so the
staged rows are identical. It is used only when that can be checked, and :func:`stage_csv`
returns ``None`` (ingest then reads the file the usual way) for anything else:

* the file is on disk (not inside a zip), is CSV, and has a header row the reader found;
* it is UTF-8 (with or without BOM), or Windows-1252 with no byte in 0x80–0x9F (where it reads
  the same as Latin-1, which DuckDB decodes itself);
* the lines before the header are one record each (no quoted line breaks in titles);
* no NUL bytes and no bare CR line ends;
* every quote is at the start or end of a field (no quotes inside a field, no doubled quotes,
  no space before an opening quote), and the last line's quotes are balanced;
* DuckDB reads it with ``strict_mode`` (no row wider than the header) and finds exactly one
  record per physical line (so no quoted line breaks and no empty lines, except empty lines at
  the very end, which are counted as blank as the Python reader does);
* no row after the header looks like a header (a repeated header or a layout change part-way
  down the file goes through the Python reader, which switches the column map there).
"""

# SQL here is built from our own identifiers and escaped literals, never from file contents.
# ruff: noqa: S608

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Sequence

import duckdb
import numpy as np

from socialvalue.spend.columns import ColumnMap
from socialvalue.spend.read import InputFile, SourceTable

_CHUNK = 16 << 20
_NULL = "\x01socialvalue-null\x01"
# Python's str.isspace() characters: a cell is blank when, stripped of these at both ends,
# only byte-order marks are left (read.is_blank).
_SPACE = (
    r"\x{9}\x{a}\x{b}\x{c}\x{d}\x{1c}\x{1d}\x{1e}\x{1f}\x{20}\x{85}\x{a0}\x{1680}"
    r"\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
)
_BLANK_CELL = f"[{_SPACE}]*\\x{{feff}}*[{_SPACE}]*"
_BLANKISH = f"[{_SPACE}\\x{{feff}}]*"
_AMOUNT_START = "0123456789-+.(£ "
_QUOTE, _LF, _CR = ord('"'), ord("\n"), ord("\r")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _data_offset(head: bytes, lines: int) -> int | None:
    """Byte offset just after the first ``lines`` physical lines, or ``None``."""
    offset = 0
    for _ in range(lines):
        end = head.find(b"\n", offset)
        if end < 0:
            return None
        offset = end + 1
    return offset


def _quotes_at_field_edges(block: np.ndarray, delimiter: int) -> bool:
    """Whether every quote in ``block`` (the bytes of whole lines) opens or closes a field, in
    pairs, and none is a field on its own (``,",``). A quote opens a field when the byte before
    it is a delimiter or line end, and closes one when the byte after it is; the block's start
    and end count as field edges."""
    at = np.flatnonzero(block == _QUOTE)
    if not at.size:
        return True
    last = block.size - 1
    before = block[np.maximum(at - 1, 0)]
    after = block[np.minimum(at + 1, last)]
    opens = (before == delimiter) | (before == _LF) | (before == _CR) | (at == 0)
    closes = (after == delimiter) | (after == _LF) | (after == _CR) | (at == last)
    if (opens & closes).any() or not (opens | closes).all():
        return False
    return 2 * int(np.count_nonzero(opens)) == at.size


def _bare_cr(block: np.ndarray) -> bool:
    """Whether a CR in ``block`` is not followed by LF (a CR at the very end counts as bare)."""
    at = np.flatnonzero(block == _CR)
    if not at.size:
        return False
    if at[-1] == block.size - 1:
        return True
    return not bool((block[at + 1] == _LF).all())


def _trailing_line_ends(data: bytes, size: int) -> int:
    """How many bytes at the end of ``data[:size]`` are CR or LF (without copying ``data``)."""
    end = size
    while end and data[end - 1] in b"\r\n":
        end -= 1
    return size - end


def _plain_bytes(
    item: InputFile, encoding: str, delimiter: str, header_lines: int,
    first_rows: Sequence[Sequence[str]],
) -> tuple[int, int, int] | None:
    """Check the bytes; return (data offset, physical data lines, empty lines at the end)."""
    assert item.path is not None
    delim = ord(delimiter)
    lines = trailing_empty = 0
    offset: int | None = None
    carry = b""
    last_line = b""
    with item.path.open("rb") as handle:
        head = handle.read(_CHUNK)
        offset = _data_offset(head, header_lines)
        if offset is None:
            return None
        errors = "socialvalue-latin1" if encoding == "cp1252" else "strict"
        text = head[:offset].decode(encoding, errors)
        titles = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        if titles:
            titles[0] = [cell.lstrip("\ufeff") for cell in titles[0]]
        if titles != [list(row) for row in first_rows[:header_lines]]:
            return None
        block = head[offset:]
        while True:
            data = carry + block
            more = handle.read(_CHUNK)  # b"" at the end (and after a header filling the head)
            # The whole lines are data[:size], scanned through a view rather than copied
            # (copying 16 MB took as long as a scan).
            size = data.rfind(b"\n") + 1 if more else len(data)
            carry = data[size:] if more else b""
            if size:
                # NumPy scans the block without holding the GIL, so the thread running this
                # does not hold up the one driving DuckDB.
                array = np.frombuffer(memoryview(data)[:size], np.uint8)
                if bool((array < 2).any()):
                    return None  # a NUL, or the byte _NULL is made of
                if encoding == "cp1252" and bool(((array - 0x80) < 0x20).any()):
                    return None  # a byte in 0x80-0x9F reads differently in cp1252 and Latin-1
                if _bare_cr(array) or not _quotes_at_field_edges(array, delim):
                    return None
                lines += int(np.count_nonzero(array == _LF))
                ends = _trailing_line_ends(data, size)
                if ends < size:
                    trailing_empty = max(data.count(b"\n", size - ends, size) - 1, 0)
                    start = data.rfind(b"\n", 0, size - ends) + 1
                    last_line = data[start:size - ends]
                else:
                    trailing_empty += data.count(b"\n", 0, size)
                if not more and not data.endswith(b"\n", 0, size):
                    lines += 1
            if not more:
                break
            block = more
    if last_line.count(b'"') % 2:
        return None
    return offset, lines, trailing_empty


def plain_check(item: InputFile, table: SourceTable) -> tuple[int, int, int] | None:
    """The checks of a file's bytes (see the module notes): ``(data offset, physical data
    lines, empty lines at the end)``, or ``None`` when the fast path cannot read it.

    Pure Python over the bytes, so ingest runs it for the next files in a thread while DuckDB
    reads the current one.
    """
    if (
        item.path is None
        or table.sheet is not None
        or table.header_row is None
        or not table.header
        or table.delimiter is None
        or table.encoding not in ("utf-8", "utf-8-sig", "cp1252")
        or len(table.head_rows) < table.header_row
    ):
        return None
    return _plain_bytes(item, table.encoding, table.delimiter, table.header_row,
                        table.head_rows)


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    item: InputFile,
    table: SourceTable,
    columns: ColumnMap,
    raw_fields: Sequence[str],
    insert: Callable[[str], None],
    file_order: int,
    looks_like_header: Callable[[Sequence[str]], bool],
    header_words: Collection[str],
    checked: Callable[[], tuple[int, int, int] | None] | None = None,
    table_name: str = "csv_rows",
) -> tuple[int, int] | None:
    """Stage one CSV table's rows; return ``(rows, blank rows)``.

    The rows are read into the DuckDB table ``table_name`` (in the main schema, so other
    connections to the database see it), and ``insert`` is called with a
    query giving the non-blank rows in the staging columns (``file_order, sheet, source_row,
    header_repeat``, then ``<field>_raw`` for each of ``raw_fields``). The table is left for
    the caller to drop once it is done with the query, which it may use after this returns.
    ``None`` when the file is not plain enough to be sure (nothing is staged then, and no table
    is left).

    ``looks_like_header`` tells a header row; ``header_words`` are the folded synonyms of the
    required fields, which every header row has at least two of (rows without are not passed to
    ``looks_like_header``). ``checked`` gives the result of :func:`plain_check` when it was run
    beforehand.

    Row numbers come from the order DuckDB inserts the rows in, so ``con`` must have
    ``preserve_insertion_order`` on (DuckDB's default). This does not change it: other
    connections to the database may have it off (``SET SESSION``) while this one reads.
    """
    [(preserved,)] = con.execute(
        "SELECT current_setting('preserve_insertion_order')"
    ).fetchall()
    if not preserved:
        raise ValueError("stage_csv needs a connection with preserve_insertion_order on")
    checked_bytes = checked() if checked is not None else plain_check(item, table)
    if checked_bytes is None:
        return None
    # plain_check passed, so these are known.
    assert table.delimiter is not None
    assert table.encoding is not None
    assert table.header_row is not None
    encoding = table.encoding
    header_lines = table.header_row
    _, data_lines, trailing_empty = checked_bytes
    width = len(table.header)
    names = [f"c{i}" for i in range(width)]
    spec = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in names) + "}"
    duck_encoding = "latin-1" if encoding == "cp1252" else "utf-8"
    per_cell = " AND ".join(
        f"regexp_full_match(coalesce({name}, ''), '{_BLANK_CELL}')" for name in names
    )
    # A row is blank when every cell is; the cheap test on all cells at once comes first.
    blank = (
        f"(CASE WHEN regexp_full_match(concat({', '.join(names)}), '{_BLANKISH}') "
        f"THEN {per_cell} ELSE false END)"
    )
    con.execute(f"DROP TABLE IF EXISTS {table_name}")
    try:
        con.execute(
            f"""
            CREATE TABLE {table_name} AS
            SELECT *, {blank} AS blank
            FROM read_csv({_sql_text(str(item.path))}, delim={_sql_text(table.delimiter)},
                quote='"', escape='"', header=false, skip={header_lines}, columns={spec},
                null_padding=true, strict_mode=true, nullstr={_sql_text(_NULL)},
                auto_detect=false, encoding={_sql_text(duck_encoding)})
            """
        )
    except duckdb.Error:
        return None
    staged = None
    try:
        staged = _stage_rows(con, table_name, names, columns, raw_fields, insert, file_order,
                             header_lines, data_lines - trailing_empty, trailing_empty,
                             looks_like_header, header_words)
        return staged
    finally:
        if staged is None:
            con.execute(f"DROP TABLE IF EXISTS {table_name}")


def _stage_rows(
    con: duckdb.DuckDBPyConnection,
    table_name: str,
    names: Sequence[str],
    columns: ColumnMap,
    raw_fields: Sequence[str],
    insert: Callable[[str], None],
    file_order: int,
    header_lines: int,
    expected_rows: int,
    trailing_empty: int,
    looks_like_header: Callable[[Sequence[str]], bool],
    header_words: Collection[str],
) -> tuple[int, int] | None:
    count = con.execute(f"SELECT count(*) FROM {table_name}").fetchone()
    if count is None or count[0] != expected_rows:
        return None
    amount_at = columns.index("amount")
    amount = f"coalesce(c{amount_at}, '')" if amount_at is not None else "''"
    # The first character's code point (0 for an empty cell): cheaper than a one-character
    # substring per row.
    starts = ", ".join(str(ord(char)) for char in _AMOUNT_START)
    # A header names at least two required fields, each in its own cell; a cell can only do
    # that if it folds (as columns.fold_header does for ASCII text) to one of their synonyms,
    # or is not ASCII (folded in Python). Rows with fewer such cells cannot be headers.
    words = ", ".join(_sql_text(word) for word in sorted(header_words))
    maybe = " + ".join(
        f"(CASE WHEN strlen({name}) <> length({name}) "
        f"OR trim(regexp_replace(lower({name}), '[^a-z0-9]+', ' ', 'g')) IN ({words}) "
        "THEN 1 ELSE 0 END)"
        for name in names
    ) if words else "0"
    candidates = con.execute(
        f"SELECT {', '.join(names)} FROM {table_name} "
        f"WHERE NOT blank AND ascii({amount}) NOT IN ({starts}) AND {maybe} >= 2"
    ).fetchall()
    for row in candidates:
        if looks_like_header([cell for cell in row if cell is not None]):
            return None
    values = []
    for name in raw_fields:
        position = columns.index(name)
        values.append(f"c{position}" if position is not None else "NULL::VARCHAR")
    columns_out = [f"{value} AS {name}_raw" for value, name in zip(values, raw_fields,
                                                                     strict=True)]
    blanks = con.execute(f"SELECT count(*) FROM {table_name} WHERE blank").fetchone()
    assert blanks is not None
    insert(
        f"SELECT {file_order}::INTEGER AS file_order, NULL::VARCHAR AS sheet, "
        f"{header_lines} + rowid + 1 AS source_row, false AS header_repeat, "
        f"{', '.join(columns_out)} FROM {table_name} WHERE NOT blank"
    )
    blank_rows = int(blanks[0]) + trailing_empty
    return expected_rows - int(blanks[0]), blank_rows
