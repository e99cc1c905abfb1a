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
import shutil
import uuid
from collections.abc import Callable, Mapping, Sequence
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
from socialvalue.spend.fastcsv import stage_csv
from socialvalue.spend.read import (
    InputFile,
    SkippedFile,
    Sniffed,
    SourceTable,
    describe_header,
    input_files,
    is_blank,
    read_tables,
    sniff,
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
    ``"done"``. ``bytes_done``/``bytes_total`` measure reading progress across files.
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
) -> dict[tuple[int, str | None], int]:
    """Write every non-blank row's mapped cells to a staging parquet; return blank-row counts.

    ``fast`` may stage a whole file another way (the DuckDB CSV fast path) and return its
    (rows, blank rows), or ``None`` to have it read here.

    A row in the middle of a table that is itself a header (the layout changes part-way down a
    worksheet) switches the column map for the rows after it; the header row is quarantined as
    ``repeated_header``.
    """
    schema = _staging_schema()
    blanks: dict[tuple[int, str | None], int] = {}
    rows_read = 0
    bytes_total = sum(p.item.size for p in planned)
    bytes_done = 0
    with pq.ParquetWriter(staging_file, schema, compression="zstd") as writer:
        for order, plan in enumerate(planned):
            staged = fast(order, plan) if fast is not None and len(plan.tables) == 1 else None
            if staged is not None:
                rows_read += staged[0]
                blanks[(order, plan.tables[0].table.sheet)] = staged[1]
            for planned_table in plan.tables if staged is None else ():
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
                        progress(IngestProgress("reading", plan.item.name, order, len(planned),
                                                rows_read, bytes_done, bytes_total))
                batch.flush(writer, schema)
                blanks[(order, table.sheet)] = blank
            bytes_done += plan.item.size
            if progress:
                progress(IngestProgress("reading", plan.item.name, order + 1, len(planned),
                                        rows_read, bytes_done, bytes_total))
    return blanks


def _empty_staging(staging: Path) -> Path:
    path = staging / "raw-empty.parquet"
    pq.write_table(_staging_schema().empty_table(), path)
    return path


def _clean_sql(staging: Path, synonyms: SynonymMap) -> str:
    text_columns = ", ".join(f"nullif(trim({name}_raw), '') AS {name}" for name in TEXT_FIELDS)
    return f"""
        SELECT file_order, sheet, source_row, header_repeat,
               payment_date_raw, amount_raw, supplier_name_raw, vat_raw,
               {amount_pence_sql('amount_raw')} AS amount_pence,
               {date_sql('payment_date_raw')} AS payment_date,
               nullif(trim(supplier_name_raw), '') AS supplier_name,
               {payee_class_sql('supplier_name_raw', synonyms)} AS payee_class,
               {amount_pence_sql('vat_raw')} AS vat_pence,
               {text_columns}
        FROM (SELECT * FROM read_parquet('{staging}') UNION ALL SELECT * FROM raw_fast)
    """


def _reason_sql() -> str:
    return """
        CASE
            WHEN header_repeat THEN 'repeated_header'
            WHEN trim(coalesce(amount_raw, '')) = '' THEN 'amount_missing'
            WHEN amount_pence IS NULL THEN 'amount_invalid'
            WHEN trim(coalesce(payment_date_raw, '')) = '' THEN 'date_missing'
            WHEN payment_date IS NULL THEN 'date_invalid'
            WHEN payee_class IS NULL THEN 'supplier_missing'
        END
    """


def _duplicate_key_sql() -> str:
    return (
        f"concat_ws('|', CAST(payment_date AS VARCHAR), CAST(amount_pence AS VARCHAR), "
        f"{fold_payee_sql('supplier_name')}, coalesce(lower(transaction_id), ''), "
        f"coalesce(lower(description), ''))"
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
    for item in items:
        sniffed = sniff(item)
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
    try:
        con.execute(f"SET memory_limit = '{DUCKDB_MEMORY}'")
        con.execute(f"SET temp_directory = {_sql_literal(str(staging / 'spill'))}")
        con.execute("SET preserve_insertion_order = false")
        con.execute(f"CREATE TEMP TABLE raw_fast AS SELECT * FROM "
                    f"read_parquet({_sql_literal(str(_empty_staging(staging)))})")

        def fast(order: int, plan: _PlannedFile) -> tuple[int, int] | None:
            if not CSV_FAST_PATH:
                return None
            only = plan.tables[0]
            return stage_csv(
                con, plan.item, only.table, only.columns, _RAW_FIELDS, "raw_fast", order,
                lambda cells: _looks_like_header(cells, synonyms),
            )

        blanks = _stage_rows(planned, raw_file, synonyms, overrides, header_changes, progress,
                             fast)
        if progress:
            progress(IngestProgress("cleaning", None, len(planned), len(planned), 0))
        con.execute(f"CREATE TEMP TABLE cleaned AS {_clean_sql(raw_file, synonyms)}")
        con.execute("DROP TABLE raw_fast")
        con.execute("ALTER TABLE cleaned ADD COLUMN reason VARCHAR")
        con.execute(f"UPDATE cleaned SET reason = {_reason_sql()}")
        key = _duplicate_key_sql()
        con.execute(
            f"""
            UPDATE cleaned SET reason = 'duplicate_in_batch'
            FROM (
                SELECT file_order, sheet, source_row FROM (
                    SELECT file_order, sheet, source_row,
                           min(file_order) OVER (PARTITION BY {key}) AS first_file
                    FROM cleaned WHERE reason IS NULL
                ) WHERE file_order > first_file
            ) AS d
            WHERE cleaned.file_order = d.file_order AND cleaned.source_row = d.source_row
              AND cleaned.sheet IS NOT DISTINCT FROM d.sheet
            """
        )
        replaced_keys = {f.key for f in replaced}
        existing = [
            str(path)
            for f, path in zip(dataset.files, dataset.transaction_paths(), strict=True)
            if f.key not in replaced_keys and f.publisher == publisher and path.exists()
        ]
        if existing:
            con.execute(
                f"""
                CREATE TEMP TABLE loaded_keys AS
                SELECT DISTINCT {key} AS k FROM read_parquet({existing!r})
                """
            )
            con.execute(
                f"""
                UPDATE cleaned SET reason = 'duplicate_of_loaded'
                WHERE reason IS NULL AND {key} IN (SELECT k FROM loaded_keys)
                """
            )
        if progress:
            progress(IngestProgress("writing", None, len(planned), len(planned), 0))
        (staging / "transactions").mkdir()
        (staging / "quarantine").mkdir()
        order_to_file = pa.table(
            {
                "file_order": pa.array(range(len(planned)), pa.int32()),
                "file_key": pa.array([p.key for p in planned], pa.string()),
                "file_name": pa.array([p.item.name for p in planned], pa.string()),
            }
        )
        con.register("files", order_to_file)
        con.register("supplier_keys", _supplier_keys(con))
        text = ", ".join(f"c.{name}" for name in TEXT_FIELDS)
        con.execute(
            f"""
            COPY (
                SELECT {_sql_literal(publisher)} AS publisher, f.file_key, f.file_name, c.sheet,
                       c.source_row, c.payment_date, c.amount_pence, c.supplier_name,
                       c.payee_class, c.vat_pence, {text},
                       CASE WHEN c.payee_class = 'named' THEN k.supplier_key
                            ELSE '(' || c.payee_class || ')' END AS supplier_key
                FROM cleaned c JOIN files f USING (file_order)
                     LEFT JOIN supplier_keys k ON k.supplier_name = c.supplier_name
                WHERE c.reason IS NULL
            ) TO '{staging / "transactions"}' (FORMAT parquet, PARTITION_BY (file_key),
                                              WRITE_PARTITION_COLUMNS true)
            """
        )
        con.execute(
            f"""
            COPY (
                SELECT {_sql_literal(publisher)} AS publisher, f.file_key, f.file_name, c.sheet,
                       c.source_row, c.reason, c.amount_pence, c.payment_date_raw, c.amount_raw,
                       c.supplier_name_raw, c.vat_raw, {text}
                FROM cleaned c JOIN files f USING (file_order)
                WHERE c.reason IS NOT NULL
            ) TO '{staging / "quarantine"}' (FORMAT parquet, PARTITION_BY (file_key),
                                             WRITE_PARTITION_COLUMNS true)
            """
        )
        totals = con.execute(
            """
            SELECT file_order, coalesce(reason, '') AS reason, count(*) AS n,
                   coalesce(sum(amount_pence), 0) AS pence
            FROM cleaned GROUP BY ALL
            """
        ).fetchall()
    finally:
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
    _write_empty_partitions(staging, reports)
    return reports


def _supplier_keys(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Each distinct named payee of the loaded rows, normalised once, with its supplier key
    (stored with the rows, so analyses do not normalise names again)."""
    from socialvalue.spend.analyse import supplier_key_table

    names = con.execute(
        "SELECT DISTINCT supplier_name FROM cleaned "
        "WHERE reason IS NULL AND payee_class = 'named'"
    ).fetchall()
    return supplier_key_table([name for (name,) in names])


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _write_empty_partitions(staging: Path, reports: Sequence[FileReport]) -> None:
    """Flatten DuckDB's ``file_key=…/`` partitions to ``<key>.parquet``; fill in empty ones."""
    for kind in ("transactions", "quarantine"):
        folder = staging / kind
        schema = None
        for report in reports:
            partition = folder / f"file_key={report.key}"
            target = folder / f"{report.key}.parquet"
            parts = sorted(partition.glob("*.parquet")) if partition.exists() else []
            if parts:
                tables = [pq.read_table(p) for p in parts]
                table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
                if len(parts) == 1:
                    parts[0].rename(target)
                else:
                    pq.write_table(table, target, compression="zstd")
                schema = table.schema
                shutil.rmtree(partition)
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
