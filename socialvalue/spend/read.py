"""Read council spend files as they come: CSV or XLSX, loose or zipped, in any of the usual states.

For each file the reader finds:

* the **encoding**: UTF-8 (with or without a byte-order mark), else Windows-1252 (cp1252, which
  most council finance systems still write); the five bytes cp1252 leaves undefined are read as
  Latin-1 rather than failing;
* the **delimiter** (comma, semicolon, tab or pipe) from the first lines, outside quotes;
* the **header row**, which need not be the first: titles, blank lines and rows of empty cells come
  first in many files. The header is the first of the first 30 rows that names at least two of the
  required fields (payment date, amount, supplier name) by their synonyms. A file where no row
  does is *headerless*; ingest then maps it with a known layout of the same publisher;
* **line endings**: CRLF, LF and bare CR are all read as line ends; quoted fields may span lines.

XLSX workbooks are read with openpyxl (values, not formulas); every worksheet is its own table.
Date cells become ISO dates, numbers keep their exact decimal text. A zip may hold CSV and XLSX
files and further zips; anything else in it is listed as skipped, with the reason.

Nothing here parses amounts or dates: :mod:`socialvalue.spend.clean` does.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO

from socialvalue.exceptions import SpendFileError
from socialvalue.spend.columns import SynonymMap, fold_header, match_header

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm"})
ZIP_SUFFIXES = frozenset({".zip"})
HEADER_SEARCH_ROWS = 30
SNIFF_BYTES = 64 * 1024
_DELIMITERS = (",", ";", "\t", "|")
_CHUNK = 1 << 20


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read a byte cp1252 leaves undefined as its Latin-1 character."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("latin-1"), error.end


codecs.register_error("socialvalue-latin1", _latin1_fallback)

csv.field_size_limit(1 << 24)


@dataclass(frozen=True)
class InputFile:
    """One physical file to read: a path on disk or a member of a zip.

    Attributes
    ----------
    name
        How the user knows it: the file name, or ``archive.zip/inner.csv``.
    opener
        Opens the bytes for reading (called again for each pass).
    size
        Size in bytes.
    path
        The file on disk, when it is one (not a zip member).
    """

    name: str
    opener: Callable[[], IO[bytes]]
    size: int
    path: Path | None = None

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.name).suffix.lower()

    def read_bytes(self) -> bytes:
        with self.opener() as handle:
            return handle.read()


@dataclass(frozen=True)
class SkippedFile:
    """A file that was given (or found in a zip) but holds no spend rows, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class Sniffed:
    """What one pass over a file's bytes found: content hash, encoding, line-ending style."""

    sha256: str
    encoding: str
    size: int


@dataclass(frozen=True)
class SourceTable:
    """One table of rows: a CSV file or one worksheet.

    Attributes
    ----------
    file_name
        The :attr:`InputFile.name` it came from.
    sheet
        Worksheet name, for XLSX.
    encoding, delimiter
        As detected, for CSV.
    header_row
        1-based row (record) number of the header, or ``None`` when the table has none.
    header
        Header cells as written; empty when there is no header row.
    sample
        Up to 30 data rows after the header, for checking a layout and for previews.
    rows
        Returns an iterator of ``(row number, cells)`` for every row after the header, blank
        rows included (ingest counts them). Row numbers are 1-based records for CSV (a quoted
        field spanning lines is one record) and sheet row numbers for XLSX.
    """

    file_name: str
    sheet: str | None
    encoding: str | None
    delimiter: str | None
    header_row: int | None
    header: tuple[str, ...]
    sample: tuple[tuple[str, ...], ...]
    rows: Callable[[], Iterator[tuple[int, list[str]]]]
    head_rows: tuple[tuple[str, ...], ...] = ()

    @property
    def source(self) -> str:
        """``file.csv`` or ``book.xlsx [Sheet]`` for messages."""
        return f"{self.file_name} [{self.sheet}]" if self.sheet else self.file_name


def input_files(paths: Sequence[Path]) -> tuple[list[InputFile], list[SkippedFile]]:
    """Expand paths (files, zips, folders) into readable files and files skipped with a reason.

    Raises
    ------
    SpendFileError
        A path does not exist.
    """
    found: list[InputFile] = []
    skipped: list[SkippedFile] = []
    for path in paths:
        if not path.exists():
            raise SpendFileError(f"{path}: no such file or folder; check the path")
        if path.is_dir():
            children = sorted(p for p in path.rglob("*") if p.is_file())
            sub_found, sub_skipped = input_files(children)
            found.extend(sub_found)
            skipped.extend(sub_skipped)
            continue
        item = InputFile(
            name=path.name,
            opener=lambda p=path: p.open("rb"),  # type: ignore[misc]
            size=path.stat().st_size,
            path=path,
        )
        _expand(item, found, skipped)
    return found, skipped


def _expand(item: InputFile, found: list[InputFile], skipped: list[SkippedFile]) -> None:
    if item.suffix in ZIP_SUFFIXES:
        data = item.read_bytes()
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            skipped.append(SkippedFile(item.name, "not a valid zip archive"))
            return
        for info in archive.infolist():
            inner = PurePosixPath(info.filename)
            if info.is_dir():
                continue
            if inner.name.startswith(".") or "__MACOSX" in inner.parts:
                skipped.append(SkippedFile(f"{item.name}/{info.filename}", "system file"))
                continue
            member = InputFile(
                name=f"{item.name}/{info.filename}",
                opener=lambda a=archive, i=info: a.open(i),  # type: ignore[misc]
                size=info.file_size,
            )
            _expand(member, found, skipped)
        return
    if item.suffix in CSV_SUFFIXES or item.suffix in SPREADSHEET_SUFFIXES:
        found.append(item)
        return
    if item.suffix == ".xls":
        skipped.append(
            SkippedFile(item.name, "old Excel .xls format: open it and save it as .xlsx or .csv")
        )
        return
    skipped.append(SkippedFile(item.name, f"not a CSV or XLSX file ({item.suffix or 'no suffix'})"))


def sniff(item: InputFile) -> Sniffed:
    """Hash the bytes and find the encoding in one streaming pass.

    Raises
    ------
    SpendFileError
        The file is empty.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    size = 0
    first = b""
    with item.opener() as handle:
        while chunk := handle.read(_CHUNK):
            if not first:
                first = chunk[:4]
            size += len(chunk)
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
    if size == 0:
        raise SpendFileError(f"{item.name}: the file is empty; remove it or export it again")
    if first.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif utf8:
        encoding = "utf-8"
    else:
        encoding = "cp1252"
    return Sniffed(sha256=digest.hexdigest(), encoding=encoding, size=size)


def sniff_all(items: Sequence[InputFile]) -> list[Sniffed]:
    """:func:`sniff` each file, in order; files on disk two at a time.

    Hashing releases the GIL, so two threads take about 0.6 times as long on large files.
    Zip members are sniffed one by one in this thread: they share their archive's file.

    Raises
    ------
    SpendFileError
        The first of ``items`` that is empty.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        on_disk = {index: pool.submit(sniff, item)
                   for index, item in enumerate(items) if item.path is not None}
        return [on_disk[index].result() if index in on_disk else sniff(item)
                for index, item in enumerate(items)]


def _text_stream(item: InputFile, encoding: str) -> IO[str]:
    errors = "socialvalue-latin1" if encoding == "cp1252" else "strict"
    return io.TextIOWrapper(item.opener(), encoding=encoding, errors=errors, newline="")


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first lines most often and most evenly, outside quotes."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        counts = []
        for line in lines:
            in_quotes = False
            count = 0
            for char in line:
                if char == '"':
                    in_quotes = not in_quotes
                elif char == delimiter and not in_quotes:
                    count += 1
            counts.append(count)
        if not counts or max(counts) == 0:
            continue
        common = max(set(counts), key=counts.count)
        score = common + counts.count(common) / len(counts)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def is_blank(cells: Sequence[str]) -> bool:
    return all(not cell.strip().strip("\ufeff") for cell in cells)


def find_header(rows: Sequence[Sequence[str]], synonyms: SynonymMap) -> int | None:
    """Index (0-based) of the header row among the first rows, or ``None`` when there is none.

    The header is the first row naming at least two required fields; failing that, the first row
    naming at least three fields of any kind (its missing required field is then reported).
    """
    required = set(synonyms.required)
    fallback = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = match_header(row, synonyms)
        if len(required & set(found)) >= 2:
            return index
        if fallback is None and len(found) >= 3:
            fallback = index
    return fallback


def _csv_records(item: InputFile, encoding: str, delimiter: str) -> Iterator[list[str]]:
    with _text_stream(item, encoding) as stream:
        yield from csv.reader(stream, delimiter=delimiter)


def read_csv_table(item: InputFile, sniffed: Sniffed, synonyms: SynonymMap) -> SourceTable:
    """Read a CSV file's shape: delimiter, header row and a sample. Rows stream on demand."""
    with _text_stream(item, sniffed.encoding) as stream:
        head = stream.read(SNIFF_BYTES)
    delimiter = detect_delimiter(head)
    first_rows: list[list[str]] = []
    for record in _csv_records(item, sniffed.encoding, delimiter):
        first_rows.append([cell.lstrip("\ufeff") if not first_rows else cell for cell in record])
        if len(first_rows) >= HEADER_SEARCH_ROWS * 2:
            break
    if not any(not is_blank(row) for row in first_rows):
        raise SpendFileError(
            f"{item.name}: no rows with any values; remove it or export it again"
        )
    header_index = find_header(first_rows, synonyms)
    start = 0 if header_index is None else header_index + 1
    header = tuple(first_rows[header_index]) if header_index is not None else ()
    sample = tuple(tuple(row) for row in first_rows[start:] if not is_blank(row))[:30]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, record in enumerate(_csv_records(item, sniffed.encoding, delimiter), 1):
            if number > start:
                yield number, record

    return SourceTable(
        file_name=item.name,
        sheet=None,
        encoding=sniffed.encoding,
        delimiter=delimiter,
        header_row=None if header_index is None else header_index + 1,
        header=header,
        sample=sample,
        rows=rows,
        head_rows=tuple(tuple(row) for row in first_rows[:start]),
    )


def cell_text(value: object) -> str:
    """A spreadsheet cell as text: dates as ISO, numbers in exact decimal notation.

    >>> cell_text(1263.6100000000001)
    '1263.6100000000001'
    >>> cell_text(dt.datetime(2023, 6, 1, 1, 0))
    '2023-06-01'
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def read_xlsx_tables(item: InputFile, synonyms: SynonymMap) -> list[SourceTable]:
    """Read every worksheet of a workbook that has any values, as its own table."""
    import openpyxl

    data = item.read_bytes()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a broken file
        raise SpendFileError(
            f"{item.name}: cannot open as an Excel workbook ({error}); save it again as .xlsx"
        ) from error
    tables = []
    for sheet in book.worksheets:
        first_rows = []
        for row in sheet.iter_rows(values_only=True, max_row=HEADER_SEARCH_ROWS * 2):
            first_rows.append([cell_text(value) for value in row])
        if not any(not is_blank(row) for row in first_rows):
            continue
        header_index = find_header(first_rows, synonyms)
        start = 0 if header_index is None else header_index + 1
        sample = tuple(tuple(row) for row in first_rows[start:] if not is_blank(row))[:30]
        title = sheet.title

        def rows(title: str = title, start: int = start) -> Iterator[tuple[int, list[str]]]:
            reopened = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for number, row in enumerate(
                    reopened[title].iter_rows(values_only=True, min_row=start + 1), start + 1
                ):
                    yield number, [cell_text(value) for value in row]
            finally:
                reopened.close()

        tables.append(
            SourceTable(
                file_name=item.name,
                sheet=title,
                encoding=None,
                delimiter=None,
                header_row=None if header_index is None else header_index + 1,
                header=tuple(first_rows[header_index]) if header_index is not None else (),
                sample=sample,
                rows=rows,
            )
        )
    book.close()
    if not tables:
        raise SpendFileError(f"{item.name}: no worksheet has any values; check the workbook")
    return tables


def read_tables(item: InputFile, sniffed: Sniffed, synonyms: SynonymMap) -> list[SourceTable]:
    """The tables of one file: one for a CSV, one per non-empty worksheet for XLSX."""
    if item.suffix in SPREADSHEET_SUFFIXES:
        return read_xlsx_tables(item, synonyms)
    return [read_csv_table(item, sniffed, synonyms)]


def describe_header(header: Sequence[str]) -> str:
    """Header cells for messages, spacer columns left out."""
    return ", ".join(repr(cell) for cell in header if fold_header(cell))
