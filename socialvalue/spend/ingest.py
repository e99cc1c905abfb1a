"""Ingest spend files into a dataset: every row loaded or quarantined, every penny reconciled.

A *dataset* is a folder the toolkit owns::

    DIR/manifest.json                 which files are in, their hashes, column maps, reconciliation
    DIR/transactions/<key>.parquet    loaded rows, one file per imported source file
    DIR/quarantine/<key>.parquet      quarantined rows with their raw values and the reason
    DIR/publishers/<slug>.yaml        each publisher's column overrides and known layouts

(see :mod:`socialvalue.spend.dataset`). An import writes everything into a staging folder inside
``DIR`` and commits it in one step, so a crash never leaves a half-imported dataset.

Quarantine reasons (one per row, the first that applies):

``repeated_header``
    The row repeats the header (files pasted together).
``amount_missing`` / ``amount_invalid``
    No amount, or one that is not an amount (see :mod:`socialvalue.spend.clean`).
``date_missing`` / ``date_invalid``
    No payment date, or one that does not exist or is outside 1990–2100.
``supplier_missing``
    No payee name.
``duplicate_in_batch``
    The same transaction (date, amount, payee, reference, description) is in an earlier file of
    this import; the first file keeps it.
``duplicate_of_loaded``
    The same transaction is already loaded from another file in the dataset.

Rows with no value in any cell are not data: they are counted as ``rows_blank`` and not stored.
``rows_read = rows_loaded + rows_quarantined`` and ``amount_read = amount_loaded +
amount_quarantined`` hold for every file and for the import (amounts that are not amounts count as
zero in the sums, and are counted in ``rows_amount_unreadable``).
"""

# SQL here is built from our own identifiers and escaped literals, never from file contents.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import queue
import shutil
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from socialvalue.exceptions import DuplicateFileError, SpendFileError
from socialvalue.spend.clean import (
    amount_pence_sql,
    date_sql,
    fold_payee_sql,
    parse_amount,
    parse_date,
    payee_class_sql,
)
from socialvalue.spend.columns import (
    ColumnMap,
    PublisherProfile,
    SynonymMap,
    builtin_synonym_map,
    column_map,
    dump_publisher_profile,
    load_publisher_profile,
    match_header,
    validate_overrides,
)
from socialvalue.spend.dataset import (
    REASONS,
    Dataset,
    FileReport,
    Reconciliation,
    TableReport,
    commit_import,
    dataset_lock,
    open_dataset,
    remove_orphans,
)
from socialvalue.spend.fastcsv import plain_check, stage_csv
from socialvalue.spend.read import (
    InputFile,
    SkippedFile,
    Sniffed,
    SourceTable,
    describe_header,
    input_files,
    is_blank,
    read_tables,
    sniff_all,
)

BATCH_ROWS = 100_000
# Plain CSV files are read by DuckDB (socialvalue.spend.fastcsv); tests switch it off to compare.
CSV_FAST_PATH = True
# DuckDB's memory for one import; beyond it DuckDB spills to the staging folder.
DUCKDB_MEMORY = "1GB"
PROGRESS_EVERY = 50_000
LAYOUT_FIT = 0.8


# Standard fields kept on every row (raw text), in the order of the synonym map.
TEXT_FIELDS = (
    "supplier_id",
    "supplier_postcode",
    "company_number",
    "transaction_id",
    "expense_type",
    "procurement_category",
    "service_area",
    "department",
    "description",
    "body",
    "sic",
    "business_type",
)


@dataclass(frozen=True)
class IngestProgress:
    """Passed to the progress callback: where the import is.

    ``stage`` is ``"reading"`` (rows so far in ``rows_read``), ``"cleaning"``, ``"writing"`` or
    ``"done"``. ``bytes_done``/``bytes_total`` measure reading progress across files. Each file
    is cleaned and written as it is read, so nearly all the time is in ``"reading"``;
    ``"cleaning"`` and ``"writing"`` follow once the last file is read, before the commit.
    """

    stage: str
    file_name: str | None
    files_done: int
    files_total: int
    rows_read: int
    bytes_done: int = 0
    bytes_total: int = 0


ProgressCallback = Callable[[IngestProgress], None]


@dataclass(frozen=True)
class _PlannedTable:
    table: SourceTable
    columns: ColumnMap


@dataclass(frozen=True)
class _PlannedFile:
    item: InputFile
    sha256: str
    key: str
    tables: tuple[_PlannedTable, ...]
    notes: tuple[str, ...]


def _layout_fits(columns: ColumnMap, sample: Sequence[Sequence[str]]) -> bool:
    date_at, amount_at = columns.index("payment_date"), columns.index("amount")
    if date_at is None or amount_at is None or not sample:
        return False
    fits = 0
    for row in sample:
        date_ok = date_at < len(row) and parse_date(row[date_at]) is not None
        amount_ok = amount_at < len(row) and parse_amount(row[amount_at]) is not None
        fits += date_ok and amount_ok
    return fits >= LAYOUT_FIT * len(sample)


def _plan_tables(
    tables: list[tuple[InputFile, SourceTable]],
    synonyms: SynonymMap,
    profile: PublisherProfile,
) -> tuple[dict[int, ColumnMap], PublisherProfile, dict[int, str]]:
    """Map every table's columns; headerless tables use a layout known for the publisher."""
    maps: dict[int, ColumnMap] = {}
    notes: dict[int, str] = {}
    overrides = dict(profile.overrides)
    for index, (_, table) in enumerate(tables):
        if table.header:
            maps[index] = column_map(table.header, synonyms, overrides, source=table.source)
            profile = profile.with_layout(table.header)
    for index, (_, table) in enumerate(tables):
        if table.header:
            continue
        width = max((len(row) for row in table.sample), default=0)
        for layout in profile.layouts:
            if len(layout) != width:
                continue
            try:
                candidate = column_map(layout, synonyms, overrides, source=table.source,
                                       how="layout")
            except SpendFileError:
                continue
            if _layout_fits(candidate, table.sample):
                maps[index] = candidate
                notes[index] = (
                    f"{table.source}: no header row; read with the publisher's layout "
                    f"({describe_header(layout)})"
                )
                break
        else:
            first = table.sample[0] if table.sample else ()
            raise SpendFileError(
                f"{table.source}: no header row found in the first 30 rows, and no known layout "
                f"of publisher {profile.publisher!r} with {width} columns fits its rows (first "
                f"row: {', '.join(repr(c) for c in first[:8])}). Add a header row, or import a "
                "file from the same publisher that has one in the same command"
            )
    return maps, profile, notes


def _staging_schema() -> pa.Schema:
    fields = [
        pa.field("file_order", pa.int32()),
        pa.field("sheet", pa.string()),
        pa.field("source_row", pa.int64()),
        pa.field("header_repeat", pa.bool_()),
        pa.field("payment_date_raw", pa.string()),
        pa.field("amount_raw", pa.string()),
        pa.field("supplier_name_raw", pa.string()),
        pa.field("vat_raw", pa.string()),
    ]
    fields += [pa.field(f"{name}_raw", pa.string()) for name in TEXT_FIELDS]
    return pa.schema(fields)


_RAW_FIELDS = ("payment_date", "amount", "supplier_name", "vat", *TEXT_FIELDS)
# Every staged row carries these (the cleaning and the quarantine reasons read them).
REQUIRED_RAW_FIELDS = ("payment_date", "amount", "supplier_name")
# Small files are cleaned together up to this many rows: one query over several files runs on
# both cores (DuckDB splits work by row group, about 120,000 rows) and costs its overhead once.
CLEAN_BATCH_ROWS = 1_000_000
# Plain CSV files of at most READ_AHEAD_BYTES are read into DuckDB up to READ_AHEAD files
# ahead, on connections of their own (each holds its rows in memory until cleaned): DuckDB reads
# a small file on one core, so two are read side by side, and while a batch is cleaned. Larger
# files keep both cores busy reading and cleaning, and are read when their turn comes (reading
# them ahead took 22.5 s instead of 20.8 s for 10M rows in 12 files).
READ_AHEAD = 2
READ_AHEAD_BYTES = 32 << 20


@dataclass(frozen=True)
class _Staged:
    """A file's staged rows waiting to be cleaned: the query giving them, the raw fields they
    carry, and what to call once they have been read."""

    order: int
    rows: str
    fields: tuple[str, ...]
    release: Callable[[], None] | None


class _Batch:
    """Rows of one table waiting to be written to the staging parquet.

    Only the mapped fields are buffered; the others are written as null columns.
    """

    def __init__(self, order: int, sheet: str | None, mapped: Sequence[int]) -> None:
        self.order, self.sheet = order, sheet
        self.mapped = list(mapped)
        self.buffers: list[list[str | None]] = [[] for _ in self.mapped]
        self.source_rows: list[int] = []
        self.repeats: list[bool] = []

    def add(self, number: int, is_header: bool, values: list[str | None]) -> None:
        for buffer, value in zip(self.buffers, values, strict=True):
            buffer.append(value)
        self.source_rows.append(number)
        self.repeats.append(is_header)

    def flush(self, writer: pq.ParquetWriter, schema: pa.Schema) -> None:
        count = len(self.source_rows)
        if not count:
            return
        columns: list[pa.Array] = [pa.nulls(count, pa.string()) for _ in _RAW_FIELDS]
        for field_index, buffer in zip(self.mapped, self.buffers, strict=True):
            columns[field_index] = pa.array(buffer, pa.string())
        arrays = [
            pa.array([self.order] * count, pa.int32()),
            pa.array([self.sheet] * count, pa.string()),
            pa.array(self.source_rows, pa.int64()),
            pa.array(self.repeats, pa.bool_()),
            *columns,
        ]
        writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
        self.buffers = [[] for _ in self.mapped]
        self.source_rows, self.repeats = [], []


_AMOUNT_START = frozenset("0123456789-+.(£ ")


def _looks_like_header(cells: Sequence[str], synonyms: SynonymMap) -> bool:
    found = match_header(cells, synonyms)
    return len(set(synonyms.required) & set(found)) >= 2


def _stage_rows(
    planned: Sequence[_PlannedFile],
    staging_file: Path,
    synonyms: SynonymMap,
    overrides: Mapping[str, str],
    header_changes: list[str],
    progress: ProgressCallback | None,
    fast: Callable[[int, _PlannedFile], tuple[int, int] | None] | None = None,
    done: Callable[[int, Path, int], None] | None = None,
) -> dict[tuple[int, str | None], int]:
    """Write every non-blank row's mapped cells to a staging parquet per file (``staging_file``
    with the file's number added); return blank-row counts.

    ``fast`` may stage a whole file another way (the DuckDB CSV fast path) and return its
    (rows, blank rows), or ``None`` to have it read here. ``done`` is called with the number,
    staging parquet and row count of each file read here, once it is written.

    A row in the middle of a table that is itself a header (the layout changes part-way down a
    worksheet) switches the column map for the rows after it; the header row is quarantined as
    ``repeated_header``.
    """
    schema = _staging_schema()
    blanks: dict[tuple[int, str | None], int] = {}
    rows_read = 0
    bytes_total = sum(p.item.size for p in planned)
    bytes_done = 0
    for order, plan in enumerate(planned):
        staged = fast(order, plan) if fast is not None and len(plan.tables) == 1 else None
        if staged is not None:
            rows_read += staged[0]
            blanks[(order, plan.tables[0].table.sheet)] = staged[1]
        else:
            path = staging_file.with_name(f"{staging_file.stem}-{order}.parquet")
            before = rows_read
            with pq.ParquetWriter(path, schema, compression="zstd") as writer:
                rows_read = _read_file(order, plan, writer, schema, synonyms, overrides,
                                       header_changes, progress, blanks, rows_read,
                                       len(planned), bytes_done, bytes_total)
            if done is not None:
                done(order, path, rows_read - before)
        bytes_done += plan.item.size
        if progress:
            progress(IngestProgress("reading", plan.item.name, order + 1, len(planned),
                                    rows_read, bytes_done, bytes_total))
    return blanks


def _read_file(
    order: int,
    plan: _PlannedFile,
    writer: pq.ParquetWriter,
    schema: pa.Schema,
    synonyms: SynonymMap,
    overrides: Mapping[str, str],
    header_changes: list[str],
    progress: ProgressCallback | None,
    blanks: dict[tuple[int, str | None], int],
    rows_read: int,
    files_total: int,
    bytes_done: int,
    bytes_total: int,
) -> int:
    """Read one file's tables row by row in Python into ``writer``; return rows read so far."""
    for planned_table in plan.tables:
        table, columns = planned_table.table, planned_table.columns
        blank = 0
        positions = [columns.index(name) for name in _RAW_FIELDS]
        mapped = [i for i, position in enumerate(positions) if position is not None]
        batch = _Batch(order, table.sheet, mapped)
        wanted = [positions[i] for i in mapped]
        max_wanted = max((p for p in wanted if p is not None), default=-1) + 1
        amount_at = columns.index("amount")
        for number, cells in table.rows():
            if is_blank(cells):
                blank += 1
                continue
            width = len(cells)
            amount_cell = (
                cells[amount_at] if amount_at is not None and amount_at < width else ""
            )
            is_header = False
            if not amount_cell[:1] or amount_cell[:1] not in _AMOUNT_START:
                is_header = _looks_like_header(cells, synonyms)
                if is_header:
                    try:
                        columns = column_map(cells, synonyms, overrides,
                                             source=table.source)
                    except SpendFileError:
                        pass
                    else:
                        positions = [columns.index(name) for name in _RAW_FIELDS]
                        batch.flush(writer, schema)
                        mapped = [i for i, p in enumerate(positions) if p is not None]
                        batch = _Batch(order, table.sheet, mapped)
                        wanted = [positions[i] for i in mapped]
                        max_wanted = max(
                            (p for p in wanted if p is not None), default=-1
                        ) + 1
                        amount_at = columns.index("amount")
                        header_changes.append(
                            f"{table.source}: a new header at row {number} "
                            f"({describe_header(cells)}); the rows after it are read "
                            "with it"
                        )
            if width >= max_wanted:
                values: list[str | None] = [cells[i] for i in wanted]  # type: ignore[index]
            else:
                values = [cells[i] if i < width else None  # type: ignore[operator,index]
                          for i in wanted]
            batch.add(number, is_header, values)
            rows_read += 1
            if len(batch.source_rows) >= BATCH_ROWS:
                batch.flush(writer, schema)
            if progress and rows_read % PROGRESS_EVERY == 0:
                progress(IngestProgress("reading", plan.item.name, order, files_total,
                                        rows_read, bytes_done, bytes_total))
        batch.flush(writer, schema)
        blanks[(order, table.sheet)] = blank
    return rows_read


def _raw_sql(name: str, fields: Collection[str]) -> str:
    """The raw column of field ``name``, or a typed NULL when the rows do not carry it."""
    return f"{name}_raw" if name in fields else "NULL::VARCHAR"


def _cleaned_select(rows: str, fields: Sequence[str]) -> str:
    """Clean staged rows (``rows``, a relation with the staging columns, of the raw fields only
    ``fields``) once the lookups hold their dates and payees.

    Kept per row: the raw cells (quarantined rows keep them), amount and VAT in pence, the date,
    the payee (an id into ``payees``), the quarantine reason, and for the rows not otherwise
    quarantined a hash of the duplicate key's date, pence and folded payee. (Rows with the same
    hash are only candidates, whose full keys are then compared; leaving the reference and
    description out of the hash spares lower-casing two strings per row, 0.2 s of CPU per
    million rows, and rows that differ only in those are rare.)
    """
    raw = ", ".join(f"r.{name}_raw" for name in fields)
    vat = amount_pence_sql("r.vat_raw") if "vat" in fields else "NULL::BIGINT"
    return f"""
        SELECT file_order, sheet, source_row, {", ".join(f"{n}_raw" for n in fields)},
               amount_pence, payment_date, payee_id, vat_pence, reason,
               CASE WHEN reason IS NULL
                    THEN hash(payment_date, amount_pence, folded_hash) END AS dup_hash
        FROM (
            SELECT *, {_reason_sql()} AS reason
            FROM (
                SELECT r.file_order, r.sheet, r.source_row, r.header_repeat, {raw},
                       {amount_pence_sql('r.amount_raw')} AS amount_pence,
                       d.payment_date, p.payee_id, p.has_payee, p.folded_hash,
                       {vat} AS vat_pence
                FROM {rows} r
                     LEFT JOIN dates d ON d.raw = r.payment_date_raw
                     LEFT JOIN payees p ON p.raw = r.supplier_name_raw
            )
        )
    """


class _Cleaner:
    """Cleans the files' staged rows and writes each file's transactions and quarantine.

    Files are staged (read by DuckDB, :mod:`socialvalue.spend.fastcsv`, or in Python) and handed
    over in order, and cleaned in batches of up to :data:`CLEAN_BATCH_ROWS` rows — one large
    file, or several small ones together — into one table, from which each file's rows are
    written to ``transactions/<key>.parquet`` and ``quarantine/<key>.parquet`` in the staging
    folder, two files at a time. So
    DuckDB holds about a batch of rows, never the whole import (a 10M-row table spills to disk
    and runs several times slower).

    Each distinct raw date and payee name is cleaned once, in the ``dates`` and ``payees``
    tables (a million rows hold a few hundred dates and tens of thousands of payee spellings);
    amounts, nearly all distinct, are cleaned row by row. New payee names are normalised to
    supplier keys in a Python thread while DuckDB, which releases the GIL, cleans the file's
    rows.

    Duplicates are found as each batch comes: when there can be any (more than one file, or rows
    already loaded) each row's key hash is kept, and a batch's rows are checked against the
    hashes of the earlier batches, of the earlier files of the same batch and of the rows
    already loaded; only the few rows whose hash matches have their full key compared, so a hash
    collision cannot make a row a duplicate. The result is the same as cleaning the files one
    by one (a test compares the two).
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        staging: Path,
        synonyms: SynonymMap,
        normaliser: ThreadPoolExecutor,
        writer: ThreadPoolExecutor,
        planned: Sequence[_PlannedFile],
        publisher: str,
        existing: Sequence[str],
    ) -> None:
        self.con, self.staging, self.synonyms = con, staging, synonyms
        self.normaliser = normaliser
        self.planned, self.publisher = planned, publisher
        self.check_duplicates = len(planned) > 1 or bool(existing)
        self.written: set[int] = set()
        self.totals: dict[tuple[int, str], list[int]] = {}
        self.names_seen: set[str] = set()
        self.last_payee = self.last_keyed = 0
        self.part = ""
        self.part_fields: tuple[str, ...] = _RAW_FIELDS
        self.writer = writer
        self.writer_cons = [con.cursor(), con.cursor()]
        for cursor in self.writer_cons:  # the rows of a parquet file need no order
            cursor.execute("SET SESSION preserve_insertion_order = false")
        self.writing: Future[None] | None = None
        self.pending: list[_Staged] = []
        self.pending_rows = 0
        (staging / "transactions").mkdir()
        (staging / "quarantine").mkdir()
        con.execute("CREATE TEMP TABLE dates (raw VARCHAR, payment_date DATE)")
        con.execute(
            # has_payee and folded_hash stand in for payee_class and folded in the cleaning
            # query, which joins every row to its payee: a boolean and an integer are cheaper to
            # carry than two strings.
            "CREATE TEMP TABLE payees (raw VARCHAR, payee_id INTEGER, supplier_name VARCHAR, "
            "payee_class VARCHAR, folded VARCHAR, has_payee BOOLEAN, folded_hash UBIGINT)"
        )
        con.execute("CREATE TEMP TABLE supplier_keys (supplier_name VARCHAR, supplier_key VARCHAR)")
        con.execute(
            "CREATE TABLE payee_keys (payee_id INTEGER, supplier_name VARCHAR, "
            "payee_class VARCHAR, supplier_key VARCHAR)"
        )
        con.execute(
            "CREATE TEMP TABLE hashes (file_order INTEGER, sheet VARCHAR, source_row BIGINT, "
            "payment_date DATE, dup_hash UBIGINT)"
        )
        key = "payment_date DATE, amount_pence BIGINT, folded VARCHAR, tid VARCHAR, descr VARCHAR"
        # Keys of rows of this import quarantined as duplicate_of_loaded (they still count as
        # earlier occurrences for the files after theirs).
        con.execute(f"CREATE TEMP TABLE loaded_duplicate_keys ({key})")
        con.execute(f"CREATE TEMP TABLE loaded_keys ({key}, h UBIGINT)")
        if existing:
            con.execute(
                f"""
                INSERT INTO loaded_keys
                SELECT *, hash(payment_date, amount_pence, hash(folded)) FROM (
                    SELECT DISTINCT {duplicate_key_sql()}
                    FROM read_parquet({list(existing)!r})
                )
                """
            )

    def _path(self, kind: str, order: int) -> Path:
        return self.staging / kind / f"{self.planned[order].key}.parquet"

    def add(
        self,
        rows: str,
        order: int,
        fields: Sequence[str] = _RAW_FIELDS,
        row_count: int | None = None,
        release: Callable[[], None] | None = None,
    ) -> None:
        """Clean file ``order``'s staged rows, given by the query ``rows`` (staging columns,
        of the raw fields ``fields`` only), and write them.

        Files are cleaned in batches: small files wait (their query must keep giving the same
        rows until ``release`` is called) and are cleaned together once the batch would pass
        :data:`CLEAN_BATCH_ROWS` rows, or at :meth:`finish`; a file of unknown ``row_count``
        goes on its own. The fast path passes only the fields the file has: unmapped ones are
        written as constant NULLs.
        """
        missing = set(REQUIRED_RAW_FIELDS) - set(fields)
        assert not missing, f"rows without {missing}"
        size = CLEAN_BATCH_ROWS if row_count is None else row_count
        if self.pending and self.pending_rows + size > CLEAN_BATCH_ROWS:
            self._clean_pending()
        self.pending.append(_Staged(order, rows, tuple(fields), release))
        self.pending_rows += size

    def _clean_pending(self) -> None:
        """Clean the waiting files' rows in one table and write each file's parquet files."""
        batch, self.pending, self.pending_rows = self.pending, [], 0
        if not batch:
            return
        fields = tuple(name for name in _RAW_FIELDS
                       if any(name in staged.fields for staged in batch))
        # BY NAME: files of a batch may carry different fields; the missing ones are NULL.
        rows = " UNION ALL BY NAME ".join(f"({staged.rows})" for staged in batch)
        con = self.con
        con.execute(f"CREATE OR REPLACE TEMP VIEW rows AS {rows}")
        con.execute(
            f"""
            INSERT INTO dates
            SELECT raw, {date_sql('raw')}
            FROM (SELECT DISTINCT payment_date_raw AS raw FROM rows
                  WHERE payment_date_raw IS NOT NULL) ANTI JOIN dates USING (raw)
            """
        )
        con.execute(
            f"""
            INSERT INTO payees
            SELECT *, payee_class IS NOT NULL, hash(folded) FROM (
                SELECT raw, {self.last_payee} + row_number() OVER () AS payee_id,
                       nullif(trim(raw), '') AS supplier_name,
                       {payee_class_sql('raw', self.synonyms)} AS payee_class,
                       {fold_payee_sql("nullif(trim(raw), '')")} AS folded
                FROM (SELECT DISTINCT supplier_name_raw AS raw FROM rows
                      WHERE supplier_name_raw IS NOT NULL) ANTI JOIN payees USING (raw)
            )
            """
        )
        keys = self._normalise_new_names()
        self._finish_writing()
        part = self.part = f"part_{batch[0].order}"
        self.part_fields = fields
        con.execute(f"CREATE TABLE {part} AS {_cleaned_select('rows', fields)}")
        con.execute("DROP VIEW rows")
        for staged in batch:
            if staged.release is not None:
                staged.release()
        if self.check_duplicates:
            self._mark_duplicates(several_files=len(batch) > 1)
        totals = con.execute(
            "SELECT file_order, coalesce(reason, ''), count(*), coalesce(sum(amount_pence), 0) "
            f"FROM {part} GROUP BY ALL"
        ).fetchall()
        if not totals:
            con.execute(f"DROP TABLE {part}")
            return
        for order, reason, count, pence in totals:
            self.totals[(int(order), reason)] = [int(count), int(pence)]
        orders = sorted({int(order) for order, *_ in totals})
        self.written.update(orders)
        text = ", ".join(
            f"nullif(trim({name}_raw), '') AS {name}" if name in fields
            else f"NULL::VARCHAR AS {name}"
            for name in TEXT_FIELDS
        )
        quarantined = sorted({int(order) for order, reason, *_ in totals if reason})
        # The writer connections are idle here: the last batch was written before this table.
        _copy_each(
            [self.con, self.writer_cons[0]],
            [
                f"""
                COPY (
                    {self._columns_start(order)}, reason, amount_pence, payment_date_raw,
                    amount_raw, supplier_name_raw, {_raw_sql("vat", fields)} AS vat_raw, {text}
                    FROM {part} WHERE file_order = {order} AND reason IS NOT NULL
                ) TO {_sql_literal(str(self._path("quarantine", order)))} (FORMAT parquet)
                """
                for order in quarantined
            ],
        )
        if self.check_duplicates:
            con.execute(
                f"INSERT INTO hashes SELECT file_order, sheet, source_row, payment_date, dup_hash "
                f"FROM {part} "
                "WHERE dup_hash IS NOT NULL"
            )
        self._key_payees(keys)
        # The transactions files are written on other connections while this one reads the
        # next files (it waits for them before making the next table).
        copies = [
            f"""
            COPY (
                {self._columns_start(order)}, payment_date, amount_pence, p.supplier_name,
                p.payee_class, vat_pence, {text}, p.supplier_key
                FROM {part} JOIN payee_keys p USING (payee_id)
                WHERE file_order = {order} AND reason IS NULL
            ) TO {_sql_literal(str(self._path("transactions", order)))} (FORMAT parquet)
            """
            for order in orders
        ]
        self.writing = self.writer.submit(_copy_each, self.writer_cons, copies)

    def _finish_writing(self) -> None:
        """Wait for the transactions file being written, then drop its table."""
        if self.writing is not None:
            writing, self.writing = self.writing, None
            writing.result()
            self.con.execute(f"DROP TABLE {self.part}")

    def finish(self) -> None:
        """Clean the files still waiting and wait for the last file to be written."""
        self._clean_pending()
        self._finish_writing()

    def _columns_start(self, order: int) -> str:
        plan = self.planned[order]

        def constant(value: str) -> str:
            # A one-value ENUM: the Parquet writer takes it as already dictionary-encoded, where
            # a text constant is hashed row by row (a third of the CPU time for 1M rows); the
            # file holds the same plain, non-null string column either way.
            return f"CAST({_sql_literal(value)} AS ENUM({_sql_literal(value)}))"

        return (f"SELECT {constant(self.publisher)} AS publisher, "
                f"{constant(plan.key)} AS file_key, "
                f"{constant(plan.item.name)} AS file_name, sheet, source_row")

    def _normalise_new_names(self) -> Future[pa.Table] | None:
        names = [
            name for (name,) in self.con.execute(
                "SELECT DISTINCT supplier_name FROM payees "
                "WHERE payee_id > ? AND payee_class = 'named'", [self.last_payee]
            ).fetchall()
            if name not in self.names_seen
        ]
        [(last,)] = self.con.execute("SELECT coalesce(max(payee_id), 0) FROM payees").fetchall()
        self.last_payee = int(last)
        self.names_seen.update(names)
        return self.normaliser.submit(_supplier_key_table, names) if names else None

    def _key_payees(self, keys: Future[pa.Table] | None) -> None:
        """Give the payees added since the last call their supplier keys."""
        if keys is not None:
            self.con.register("new_keys", keys.result())
            self.con.execute("INSERT INTO supplier_keys SELECT * FROM new_keys")
            self.con.unregister("new_keys")
        self.con.execute(
            f"""
            INSERT INTO payee_keys
            SELECT p.payee_id, p.supplier_name, p.payee_class,
                   CASE WHEN p.payee_class = 'named' THEN k.supplier_key
                        ELSE '(' || p.payee_class || ')' END
            FROM payees p LEFT JOIN supplier_keys k ON k.supplier_name = p.supplier_name
            WHERE p.payee_id > {self.last_keyed} AND p.payee_class IS NOT NULL
            """
        )
        self.last_keyed = self.last_payee

    def _mark_duplicates(self, several_files: bool) -> None:
        """Quarantine the rows of ``part`` (the files being cleaned) that repeat a transaction:
        ``duplicate_in_batch`` when an earlier file of this import has it (the first file keeps
        it), else ``duplicate_of_loaded`` when it is already loaded.

        An earlier file's row counts however it ended (loaded, or itself a duplicate): its key
        is then the key of a loaded row or of a row found already loaded."""
        con, part = self.con, self.part

        def keys(unmarked_only: bool) -> str:
            """The full keys of the rows of ``part`` whose hash is in ``candidates``."""
            unmarked = "part.reason IS NULL AND " if unmarked_only else ""
            return f"""
                SELECT part.file_order, part.sheet, part.source_row, part.payment_date,
                       part.amount_pence, p.folded,
                       lower(trim(coalesce({_raw_sql("transaction_id", self.part_fields)}, '')))
                           AS tid,
                       lower(trim(coalesce({_raw_sql("description", self.part_fields)}, '')))
                           AS descr
                FROM {part} part JOIN payees p USING (payee_id)
                WHERE {unmarked}part.dup_hash IN (SELECT h FROM candidates)
            """

        part_key = keys(unmarked_only=True)
        [(first, last)] = con.execute(
            f"SELECT min(payment_date), max(payment_date) FROM {part} WHERE dup_hash IS NOT NULL"
        ).fetchall()
        if first is None:
            return
        # A duplicate has the same date, so only earlier rows dated within this file's range
        # can be one; with monthly files the date filter skips whole row groups of hashes.
        dated = f"payment_date BETWEEN DATE '{first.isoformat()}' AND DATE '{last.isoformat()}'"
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE candidates AS
            SELECT DISTINCT dup_hash AS h FROM hashes
            WHERE {dated}
              AND dup_hash IN (SELECT dup_hash FROM {part} WHERE dup_hash IS NOT NULL)
            """
        )
        if _count(con, "candidates"):
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE found AS
                SELECT k.file_order, k.sheet, k.source_row FROM ({part_key}) k
                SEMI JOIN ({self._earlier_keys(dated)}) e
                    USING (payment_date, amount_pence, folded, tid, descr)
                """
            )
            self._set_reason("duplicate_in_batch")
        if several_files:
            # Earlier files of the same batch: every row with a key hash, marked or not. (A hash
            # in more than one file: min <> max needs no set of files per hash, as count
            # DISTINCT does.)
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE candidates AS
                SELECT dup_hash AS h FROM {part} WHERE dup_hash IS NOT NULL
                GROUP BY dup_hash HAVING min(file_order) <> max(file_order)
                """
            )
            if _count(con, "candidates"):
                con.execute(
                    f"""
                    CREATE OR REPLACE TEMP TABLE found AS
                    SELECT k.file_order, k.sheet, k.source_row FROM ({part_key}) k
                    SEMI JOIN ({keys(unmarked_only=False)}) e
                        ON e.file_order < k.file_order AND e.payment_date = k.payment_date
                       AND e.amount_pence = k.amount_pence AND e.folded = k.folded
                       AND e.tid = k.tid AND e.descr = k.descr
                    """
                )
                self._set_reason("duplicate_in_batch")
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE candidates AS
            SELECT DISTINCT h FROM loaded_keys
            WHERE {dated} AND h IN (SELECT dup_hash FROM {part} WHERE reason IS NULL)
            """
        )
        if _count(con, "candidates"):
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE found AS
                SELECT k.* FROM ({part_key}) k
                SEMI JOIN loaded_keys USING (payment_date, amount_pence, folded, tid, descr)
                """
            )
            con.execute(
                "INSERT INTO loaded_duplicate_keys "
                "SELECT payment_date, amount_pence, folded, tid, descr FROM found"
            )
            self._set_reason("duplicate_of_loaded")

    def _set_reason(self, reason: str) -> None:
        """Give the rows of ``part`` listed in ``found`` (file_order, sheet, source_row) the
        reason."""
        if not _count(self.con, "found"):
            return
        self.con.execute(
            f"""
            UPDATE {self.part} AS part SET reason = {_sql_literal(reason)}
            FROM found f
            WHERE part.file_order = f.file_order AND part.source_row = f.source_row
              AND part.sheet IS NOT DISTINCT FROM f.sheet
            """
        ).fetchall()

    def _earlier_keys(self, dated: str) -> str:
        """The full keys of the earlier files' rows whose hash is in ``candidates`` and whose
        date meets the condition ``dated``: loaded rows read back from their transactions
        files, and rows found already loaded."""
        rows = (
            "SELECT file_order, sheet, source_row FROM hashes "
            f"WHERE {dated} AND dup_hash IN (SELECT h FROM candidates)"
        )
        orders = [order for (order,) in self.con.execute(
            f"SELECT DISTINCT file_order FROM ({rows})"
        ).fetchall()]
        loaded = " UNION ALL ".join(
            f"SELECT {order}::INTEGER AS file_order, sheet, source_row, payment_date, "
            f"amount_pence, supplier_name, transaction_id, description "
            f"FROM read_parquet({_sql_literal(str(self._path('transactions', order)))})"
            for order in orders
        )
        return f"""
            SELECT {duplicate_key_sql('t')}
            FROM ({loaded}) t SEMI JOIN ({rows}) c
              ON c.file_order = t.file_order AND c.source_row = t.source_row
             AND c.sheet IS NOT DISTINCT FROM t.sheet
            UNION ALL
            SELECT * FROM loaded_duplicate_keys
        """


def _copy_each(cons: Sequence[duckdb.DuckDBPyConnection], copies: Sequence[str]) -> None:
    """Run the COPY statements ``copies``, shared out over the connections ``cons`` in threads.

    DuckDB writes a parquet file's row groups on one core (and a small file is one row group),
    so a batch's files are written side by side: 12 files of 83,000 rows took 0.8 s one by one
    and 0.46 s on two connections. (A partitioned COPY of them took 0.8 s.)
    """
    if len(copies) <= 1 or len(cons) == 1:
        for copy in copies:
            cons[0].execute(copy)
        return

    def run(index: int) -> None:
        for copy in copies[index::len(cons)]:
            cons[index].execute(copy)

    with ThreadPoolExecutor(max_workers=len(cons)) as pool:
        list(pool.map(run, range(len(cons))))


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    [(count,)] = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(count)


def _reason_sql() -> str:
    # The first branch settles the rows that load, nearly all of them, without the blank tests
    # (a parsed amount or date is never blank): 0.09 s less per million rows.
    return """
        CASE
            WHEN amount_pence IS NOT NULL AND payment_date IS NOT NULL AND has_payee
                 AND NOT header_repeat THEN NULL
            WHEN header_repeat THEN 'repeated_header'
            WHEN trim(coalesce(amount_raw, '')) = '' THEN 'amount_missing'
            WHEN amount_pence IS NULL THEN 'amount_invalid'
            WHEN trim(coalesce(payment_date_raw, '')) = '' THEN 'date_missing'
            WHEN payment_date IS NULL THEN 'date_invalid'
            WHEN has_payee IS NOT TRUE THEN 'supplier_missing'
        END
    """


DUPLICATE_KEY = ("payment_date", "amount_pence", "folded", "tid", "descr")


def duplicate_key_sql(table: str = "") -> str:
    """The duplicate key of loaded rows, as a SQL select list of the :data:`DUPLICATE_KEY` columns.

    Two rows of one publisher from different files are the same transaction when all five
    match: payment date, pence, folded payee, and the lower-case reference and description
    (missing ones as ``''``). The fields are compared one by one, never joined into one string
    (a ``|`` in a reference would make different fields compare equal).

    Parameters
    ----------
    table
        The alias of the relation with the transactions columns (``supplier_name``,
        ``transaction_id`` …), or ``""`` for unqualified names.

    Returns
    -------
    str
        ``payment_date, amount_pence, … AS folded, … AS tid, … AS descr``.
    """
    t = f"{table}." if table else ""
    return (
        f"{t}payment_date, {t}amount_pence, {fold_payee_sql(f'{t}supplier_name')} AS folded, "
        f"coalesce(lower({t}transaction_id), '') AS tid, "
        f"coalesce(lower({t}description), '') AS descr"
    )


def ingest(
    paths: Sequence[Path],
    *,
    publisher: str,
    out_dir: Path,
    replace_existing: bool = False,
    column_overrides: Mapping[str, str] | None = None,
    synonyms: SynonymMap | None = None,
    progress: ProgressCallback | None = None,
) -> Reconciliation:
    """Import spend files into the dataset at ``out_dir`` and return the reconciliation.

    Parameters
    ----------
    paths
        CSV, XLSX or zip files, or folders of them.
    publisher
        Who published the files (the council, fire authority …); their column overrides and
        layouts are saved under this name.
    out_dir
        The dataset folder; created when missing.
    replace_existing
        Re-import files whose content, or whose name, is already in the dataset, replacing their
        rows. Without it such a file is refused with :class:`DuplicateFileError`.
    column_overrides
        ``{header as written: field or "ignore"}``; saved for the publisher.
    synonyms
        A synonym map other than the built-in one.
    progress
        Called with an :class:`IngestProgress` as files are read and written.

    Raises
    ------
    SpendFileError
        A file cannot be read or mapped (nothing is imported).
    DuplicateFileError
        A file is already in the dataset and ``replace_existing`` is false.
    """
    synonyms = synonyms or builtin_synonym_map()
    overrides = dict(column_overrides or {})
    validate_overrides(overrides, synonyms)
    out_dir.mkdir(parents=True, exist_ok=True)
    with dataset_lock(out_dir):
        return _ingest_locked(paths, publisher, out_dir, replace_existing, overrides, synonyms,
                              progress)


def _ingest_locked(
    paths: Sequence[Path],
    publisher: str,
    out_dir: Path,
    replace_existing: bool,
    overrides: dict[str, str],
    synonyms: SynonymMap,
    progress: ProgressCallback | None,
) -> Reconciliation:
    dataset = open_dataset(out_dir)
    remove_orphans(dataset)
    profile = load_publisher_profile(out_dir, publisher).with_overrides(overrides)
    items, skipped = input_files(paths)
    if not items:
        reasons = "; ".join(f"{s.name}: {s.reason}" for s in skipped) or "no files given"
        raise SpendFileError(f"no CSV or XLSX files to import ({reasons})")

    batch = uuid.uuid4().hex[:8]
    seen: dict[str, str] = {}
    replaced: list[FileReport] = []
    accepted: list[tuple[InputFile, Sniffed]] = []
    existing_by_hash = {f.sha256: f for f in dataset.files}
    existing_by_name = {f.name: f for f in dataset.files}
    for item, sniffed in zip(items, sniff_all(items), strict=True):
        if sniffed.sha256 in seen:
            skipped.append(SkippedFile(item.name, f"same content as {seen[sniffed.sha256]}"))
            continue
        seen[sniffed.sha256] = item.name
        earlier = existing_by_hash.get(sniffed.sha256)
        if earlier is not None and not replace_existing:
            raise DuplicateFileError(
                f"{item.name}: already imported (as {earlier.name!r} on "
                f"{earlier.imported_at[:10]}, same content); nothing was imported. Use --replace "
                "to import it again in place of the earlier copy"
            )
        same_name = existing_by_name.get(item.name)
        if replace_existing:
            replaced += [f for f in (earlier, same_name) if f is not None and f not in replaced]
        accepted.append((item, sniffed))

    tables: list[tuple[InputFile, SourceTable]] = []
    table_file: list[int] = []
    for position, (item, sniffed) in enumerate(accepted):
        for table in read_tables(item, sniffed, synonyms):
            tables.append((item, table))
            table_file.append(position)
    maps, profile, table_notes = _plan_tables(tables, synonyms, profile)

    planned: list[_PlannedFile] = []
    for position, (item, sniffed) in enumerate(accepted):
        sha256 = sniffed.sha256
        indices = [i for i, owner in enumerate(table_file) if owner == position]
        planned.append(
            _PlannedFile(
                item=item,
                sha256=sha256,
                key=f"{sha256[:16]}-{batch}",
                tables=tuple(_PlannedTable(tables[i][1], maps[i]) for i in indices),
                notes=tuple(table_notes[i] for i in indices if i in table_notes),
            )
        )

    staging = out_dir / f".staging-{batch}"
    staging.mkdir()
    try:
        reports = _stage_clean_write(
            planned, staging, dataset, replaced, publisher, synonyms, dict(profile.overrides),
            progress,
        )
        (staging / "profile.yaml").write_text(dump_publisher_profile(profile), "utf-8")
        commit_import(dataset, staging, reports, replaced, publisher)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    reconciliation = Reconciliation(
        files=tuple(reports),
        skipped=tuple(skipped),
        replaced=tuple(f.name for f in replaced),
        synonym_map_version=synonyms.version,
        rows_amount_unreadable=sum(
            r.quarantined_by_reason.get("amount_invalid", 0) for r in reports
        ),
    )
    if progress:
        progress(IngestProgress("done", None, len(planned), len(planned),
                                reconciliation.rows_read))
    return reconciliation


def _stage_clean_write(
    planned: Sequence[_PlannedFile],
    staging: Path,
    dataset: Dataset,
    replaced: Sequence[FileReport],
    publisher: str,
    synonyms: SynonymMap,
    overrides: Mapping[str, str],
    progress: ProgressCallback | None,
) -> list[FileReport]:
    raw_file = staging / "raw.parquet"
    header_changes: list[str] = []
    con = duckdb.connect()
    normaliser = ThreadPoolExecutor(max_workers=1)
    checker = ThreadPoolExecutor(max_workers=1)
    writer = ThreadPoolExecutor(max_workers=1)
    readers = ThreadPoolExecutor(max_workers=READ_AHEAD)
    try:
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        con.execute(f"SET temp_directory = {_sql_literal(str(staging / 'spill'))}")
        # Off for cleaning, which needs no row order (it cleans a million rows in 0.7 s instead
        # of 1.3 s); on, as by default, on the connections reading CSV files, whose row numbers
        # come from the order DuckDB inserts the rows in. A SESSION setting is the connection's.
        con.execute("SET SESSION preserve_insertion_order = false")
        replaced_keys = {f.key for f in replaced}
        existing = [
            str(path)
            for f, path in zip(dataset.files, dataset.transaction_paths(), strict=True)
            if f.key not in replaced_keys and f.publisher == publisher and path.exists()
        ]
        cleaner = _Cleaner(con, staging, synonyms, normaliser, writer, planned, publisher,
                           existing)
        header_words = {word for spec in synonyms.fields if spec.required
                        for word in spec.synonyms}

        # The fast path's checks of each file's bytes run ahead, in a thread, while DuckDB
        # (which releases the GIL) reads the file before.
        checks = {
            order: checker.submit(plain_check, plan.item, plan.tables[0].table)
            for order, plan in enumerate(planned)
            if CSV_FAST_PATH and len(plan.tables) == 1
        }

        # Small plain CSV files are read ahead on reader connections (see READ_AHEAD).
        cursors: queue.SimpleQueue[duckdb.DuckDBPyConnection] = queue.SimpleQueue()
        for _ in range(READ_AHEAD):
            cursor = con.cursor()
            cursor.execute("SET SESSION preserve_insertion_order = true")
            cursors.put(cursor)
        fast_orders = list(checks)
        reading: dict[int, Future[tuple[tuple[int, int] | None, tuple[str, ...], str]]] = {}

        def stage(
            order: int, on: duckdb.DuckDBPyConnection | None = None
        ) -> tuple[tuple[int, int] | None, tuple[str, ...], str]:
            """Stage file ``order`` on the connection ``on``, or on a reader connection."""
            only = planned[order].tables[0]
            fields = tuple(
                name for name in _RAW_FIELDS
                if name in REQUIRED_RAW_FIELDS or only.columns.index(name) is not None
            )
            queries: list[str] = []
            cursor = cursors.get() if on is None else on
            try:
                staged = stage_csv(
                    cursor, planned[order].item, only.table, only.columns, fields,
                    queries.append, order, lambda cells: _looks_like_header(cells, synonyms),
                    header_words, checks[order].result, f"csv_rows_{order}",
                )
            finally:
                if on is None:
                    cursors.put(cursor)
            return staged, fields, queries[0] if queries else ""

        def fast(order: int, plan: _PlannedFile) -> tuple[int, int] | None:
            if not CSV_FAST_PATH:
                return None
            position = fast_orders.index(order)
            for ahead in fast_orders[position + 1:position + 1 + READ_AHEAD]:
                if ahead not in reading and planned[ahead].item.size <= READ_AHEAD_BYTES:
                    reading[ahead] = readers.submit(stage, ahead)
            if order in reading:
                staged, fields, query = reading.pop(order).result()
            else:
                # Read here, on this connection, with its row order kept for the read. (A
                # large file read on a reader connection made the import of 10M rows in 12
                # files 1-2 s slower, for reasons not found.)
                con.execute("SET SESSION preserve_insertion_order = true")
                try:
                    staged, fields, query = stage(order, con)
                finally:
                    con.execute("SET SESSION preserve_insertion_order = false")
            if staged is not None:

                def release() -> None:
                    con.execute(f"DROP TABLE IF EXISTS csv_rows_{order}")

                cleaner.add(query, order, fields, staged[0], release)
            return staged

        def read(order: int, path: Path, rows: int) -> None:
            cleaner.add(f"SELECT * FROM read_parquet({_sql_literal(str(path))})", order,
                        row_count=rows, release=path.unlink)

        blanks = _stage_rows(planned, raw_file, synonyms, overrides, header_changes, progress,
                             fast, read)
        cleaner.finish()
        if progress:
            progress(IngestProgress("cleaning", None, len(planned), len(planned), 0))
            progress(IngestProgress("writing", None, len(planned), len(planned), 0))
        totals = [(order, reason, count, pence)
                  for (order, reason), (count, pence) in cleaner.totals.items()]
    finally:
        readers.shutdown(cancel_futures=True)
        checker.shutdown(cancel_futures=True)
        normaliser.shutdown(cancel_futures=True)
        writer.shutdown()
        con.close()

    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    reports = []
    for order, plan in enumerate(planned):
        by_reason = {r: 0 for r in REASONS}
        loaded_rows = loaded_pence = quarantined_pence = 0
        for file_order, reason, count, pence in totals:
            if file_order != order:
                continue
            if reason:
                by_reason[reason] += int(count)
                quarantined_pence += int(pence)
            else:
                loaded_rows, loaded_pence = int(count), int(pence)
        quarantined = sum(by_reason.values())
        table_reports = tuple(
            TableReport(
                sheet=t.table.sheet,
                encoding=t.table.encoding,
                delimiter=t.table.delimiter,
                header_row=t.table.header_row,
                columns=t.columns.as_dict(),
                mapped_by=t.columns.how,
                unmapped=t.columns.unmapped,
                rows_blank=blanks.get((order, t.table.sheet), 0),
            )
            for t in plan.tables
        )
        reports.append(
            FileReport(
                key=plan.key,
                name=plan.item.name,
                sha256=plan.sha256,
                publisher=publisher,
                imported_at=now,
                tables=table_reports,
                rows_read=loaded_rows + quarantined,
                rows_loaded=loaded_rows,
                rows_quarantined=quarantined,
                rows_blank=sum(t.rows_blank for t in table_reports),
                pence_loaded=loaded_pence,
                pence_quarantined=quarantined_pence,
                quarantined_by_reason={r: n for r, n in by_reason.items() if n},
                notes=plan.notes + tuple(
                    note for note in header_changes
                    if note.startswith(tuple(t.table.source + ":" for t in plan.tables))
                ),
            )
        )
    _write_empty_files(staging, reports)
    return reports


def _supplier_key_table(names: list[str]) -> pa.Table:
    """Each distinct named payee normalised once, with its supplier key (stored with the rows,
    so analyses do not normalise names again)."""
    from socialvalue.spend.analyse import supplier_key_table

    return supplier_key_table(names)


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _write_empty_files(staging: Path, reports: Sequence[FileReport]) -> None:
    """Write an empty ``<key>.parquet`` for each file that has no rows of its own."""
    for kind in ("transactions", "quarantine"):
        folder = staging / kind
        written = sorted(folder.glob("*.parquet"))
        schema = pq.read_schema(written[0]) if written else None
        for report in reports:
            target = folder / f"{report.key}.parquet"
            if not target.exists():
                if schema is None:
                    schema = _empty_schema(kind)
                pq.write_table(schema.empty_table(), target)


def _empty_schema(kind: str) -> pa.Schema:
    con = duckdb.connect()
    try:
        text = ", ".join(f"NULL::VARCHAR AS {name}" for name in TEXT_FIELDS)
        if kind == "transactions":
            query = (
                "SELECT ''::VARCHAR publisher, ''::VARCHAR file_key, ''::VARCHAR file_name, "
                "NULL::VARCHAR sheet, 0::BIGINT source_row, NULL::DATE payment_date, "
                "0::BIGINT amount_pence, ''::VARCHAR supplier_name, ''::VARCHAR payee_class, "
                f"NULL::BIGINT vat_pence, {text}, ''::VARCHAR supplier_key LIMIT 0"
            )
        else:
            query = (
                "SELECT ''::VARCHAR publisher, ''::VARCHAR file_key, ''::VARCHAR file_name, "
                "NULL::VARCHAR sheet, 0::BIGINT source_row, ''::VARCHAR reason, "
                "NULL::BIGINT amount_pence, NULL::VARCHAR payment_date_raw, "
                "NULL::VARCHAR amount_raw, NULL::VARCHAR supplier_name_raw, "
                f"NULL::VARCHAR vat_raw, {text} LIMIT 0"
            )
        return con.sql(query).to_arrow_table().schema
    finally:
        con.close()


__all__ = ["IngestProgress", "ingest"]
