"""Correct quarantined rows and load them: same rules as ingest, nothing lost, every penny traced.

An analyst gives new values for a quarantined row's payment date, amount or payee (a value not
given keeps the row's value as written). The row is checked with the rules ingest used (see
:mod:`socialvalue.spend.clean` and :mod:`socialvalue.spend.ingest`), in the same order:

``repeated_header``
    A header row repeated in the file is not a payment: it cannot be corrected.
``amount_missing`` / ``amount_invalid``, ``date_missing`` / ``date_invalid``, ``supplier_missing``
    :func:`~socialvalue.spend.clean.parse_amount`, :func:`~socialvalue.spend.clean.parse_date`
    and :func:`~socialvalue.spend.clean.payee_class` on the corrected values.
``duplicate_of_loaded``
    The corrected row has the same duplicate key as ingest uses (payment date, pence, folded
    payee, lower-case transaction id, lower-case description) as a row loaded from *another*
    file of the same publisher. Rows of the same file with the same key are all kept, as ingest
    keeps them.
``duplicate_in_batch``
    Two rows corrected together, from different files, come out the same: the first (in the
    dataset's file order, then row order) is loaded.

When every row passes, :func:`apply_corrections` moves the rows from their files' quarantine
partitions to their transactions partitions (with the same columns as ingest writes, the
``supplier_key`` computed the same way) and keeps each row's raw values, the reason it was
quarantined, the values entered, who corrected it and when in the file's corrections partition.
The file's reconciliation moves the rows (and their pence) from quarantined to loaded and counts
them as corrected: ``rows_read = rows_loaded + rows_quarantined`` still holds for every file. When
any row fails, nothing is written and :class:`~socialvalue.exceptions.CorrectionError` names the
rows and their reasons. The change is committed like an import (a staging folder, new partition
files under the file's next revision, one ``os.replace`` of the manifest, under the dataset lock).
"""

# SQL here is built from our own identifiers and the shared key expression, never from input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from socialvalue.exceptions import CorrectionError
from socialvalue.spend.clean import format_pence, parse_amount, parse_date, payee_class
from socialvalue.spend.columns import SynonymMap, builtin_synonym_map
from socialvalue.spend.dataset import (
    Dataset,
    FileReport,
    Reconciliation,
    dataset_lock,
    open_dataset,
    remove_orphans,
    remove_partitions,
    write_manifest,
)
from socialvalue.spend.ingest import DUPLICATE_KEY, duplicate_key_sql

#: The fields an analyst can correct, with the raw column each replaces.
FIELDS = {
    "payment_date": "payment_date_raw",
    "amount": "amount_raw",
    "supplier_name": "supplier_name_raw",
}

#: The reasons a corrected row can still fail, and the field each one is about ("" for the row).
REASON_FIELDS = {
    "repeated_header": "",
    "amount_missing": "amount",
    "amount_invalid": "amount",
    "date_missing": "payment_date",
    "date_invalid": "payment_date",
    "supplier_missing": "supplier_name",
    "duplicate_in_batch": "",
    "duplicate_of_loaded": "",
}


@dataclass(frozen=True)
class RowRef:
    """A row of an imported file: the file's key, the worksheet (``None`` for CSV), the row."""

    file_key: str
    sheet: str | None
    source_row: int

    @property
    def token(self) -> str:
        """A short text form for forms and links: ``<file key>:<row>:<sheet>``."""
        return f"{self.file_key}:{self.source_row}:{self.sheet or ''}"

    @classmethod
    def from_token(cls, token: str) -> RowRef:
        """Parse :attr:`token`.

        Raises
        ------
        CorrectionError
            The text is not a row token.
        """
        parts = token.split(":", 2)
        if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
            raise CorrectionError(f"{token!r} does not name a row of the dataset")
        return cls(file_key=parts[0], sheet=parts[2] or None, source_row=int(parts[1]))


@dataclass(frozen=True)
class RowCorrection:
    """New values for one quarantined row; ``None`` keeps the value as written."""

    row: RowRef
    payment_date: str | None = None
    amount: str | None = None
    supplier_name: str | None = None


@dataclass(frozen=True)
class CheckedRow:
    """A quarantined row with its corrected values and what ingest's rules make of them.

    ``reason`` is ``None`` when the row would load; otherwise the first rule it fails.
    """

    row: RowRef
    file_name: str
    publisher: str
    reason_before: str
    payment_date_raw: str | None
    amount_raw: str | None
    supplier_name_raw: str | None
    amount_pence_as_read: int | None
    entered: dict[str, str | None]
    payment_date: dt.date | None
    amount_pence: int | None
    supplier_name: str | None
    payee_class: str | None
    reason: str | None

    @property
    def loads(self) -> bool:
        return self.reason is None

    @property
    def field(self) -> str:
        """The field the failing reason is about ("" for the whole row or when it loads)."""
        return REASON_FIELDS.get(self.reason or "", "")

    def describe(self) -> str:
        where = f"{self.file_name}{f' ({self.row.sheet})' if self.row.sheet else ''}"
        return f"{where} row {self.row.source_row}"


@dataclass(frozen=True)
class CorrectionResult:
    """What :func:`apply_corrections` did: the rows loaded and the dataset's reconciliation."""

    rows: tuple[CheckedRow, ...]
    corrected_by: str
    corrected_at: str
    reconciliation: Reconciliation

    @property
    def pence(self) -> int:
        return sum(r.amount_pence or 0 for r in self.rows)

    @property
    def files(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.file_name] = counts.get(row.file_name, 0) + 1
        return counts


def _strip(value: str | None) -> str | None:
    """Ingest's ``nullif(trim(x), '')``: DuckDB's trim removes spaces only."""
    if value is None:
        return None
    return value.strip(" ") or None


def _quarantined(dataset: Dataset, refs: Sequence[RowRef]) -> dict[RowRef, dict[str, Any]]:
    """The quarantined rows named by ``refs`` with all their stored columns.

    Raises
    ------
    CorrectionError
        A row's file is not in the dataset, or the row is not quarantined (any more).
    """
    found: dict[RowRef, dict[str, Any]] = {}
    wanted: dict[str, set[RowRef]] = {}
    for ref in refs:
        wanted.setdefault(ref.file_key, set()).add(ref)
    for key, in_file in wanted.items():
        report = dataset.file(key)
        if report is None:
            raise CorrectionError(
                f"row {next(iter(in_file)).source_row} of file {key}: the file is no longer in "
                "the dataset (it was replaced); open the quarantined rows again"
            )
        table = pq.read_table(dataset.path / "quarantine" / report.partition("quarantine"))
        by_ref = {
            RowRef(key, row["sheet"], int(row["source_row"])): row for row in table.to_pylist()
        }
        for ref in in_file:
            if ref not in by_ref:
                raise CorrectionError(
                    f"{report.name} row {ref.source_row}"
                    f"{f' ({ref.sheet})' if ref.sheet else ''}: not a quarantined row (it may "
                    "have been corrected already); open the quarantined rows again"
                )
            found[ref] = by_ref[ref]
    return found


def _rules(raw: dict[str, Any], synonyms: SynonymMap) -> tuple[str | None, dict[str, Any]]:
    """Ingest's reason rules on one row's (corrected) raw values, and the cleaned values."""
    date_raw, amount_raw, supplier_raw = (
        raw["payment_date_raw"], raw["amount_raw"], raw["supplier_name_raw"]
    )
    cleaned = {
        "payment_date": parse_date(date_raw),
        "amount_pence": parse_amount(amount_raw),
        "supplier_name": _strip(supplier_raw),
        "payee_class": payee_class(supplier_raw, synonyms),
    }
    reason = None
    if raw["reason"] == "repeated_header":
        reason = "repeated_header"
    elif not (amount_raw or "").strip(" "):
        reason = "amount_missing"
    elif cleaned["amount_pence"] is None:
        reason = "amount_invalid"
    elif not (date_raw or "").strip(" "):
        reason = "date_missing"
    elif cleaned["payment_date"] is None:
        reason = "date_invalid"
    elif cleaned["payee_class"] is None:
        reason = "supplier_missing"
    return reason, cleaned


def _duplicates(dataset: Dataset, candidates: list[dict[str, Any]]) -> tuple[set[int], set[int]]:
    """Indexes of candidates that duplicate a loaded row of another file of their publisher, and
    of candidates that duplicate an earlier candidate from another file."""
    if not candidates:
        return set(), set()
    order = {f.key: i for i, f in enumerate(dataset.files)}
    table = pa.table({
        "idx": pa.array(range(len(candidates)), pa.int64()),
        "file_key": pa.array([c["file_key"] for c in candidates], pa.string()),
        "file_order": pa.array([order[c["file_key"]] for c in candidates], pa.int64()),
        "source_row": pa.array([c["source_row"] for c in candidates], pa.int64()),
        "publisher": pa.array([c["publisher"] for c in candidates], pa.string()),
        "payment_date": pa.array([c["payment_date"] for c in candidates], pa.date32()),
        "amount_pence": pa.array([c["amount_pence"] for c in candidates], pa.int64()),
        "supplier_name": pa.array([c["supplier_name"] for c in candidates], pa.string()),
        "transaction_id": pa.array([c["transaction_id"] for c in candidates], pa.string()),
        "description": pa.array([c["description"] for c in candidates], pa.string()),
    })
    # Ingest's key, field by field, so both sides are compared as ingest compares them.
    def same_key(left: str, right: str) -> str:
        return " AND ".join(f"{left}.{column} = {right}.{column}" for column in DUPLICATE_KEY)

    con = duckdb.connect()
    try:
        con.register("candidates_raw", table)
        con.execute(
            "CREATE TEMP TABLE candidates AS SELECT idx, file_key, file_order, publisher, "
            f"{duplicate_key_sql()} FROM candidates_raw"
        )
        publishers = {c["publisher"] for c in candidates}
        paths = [
            str(path)
            for f, path in zip(dataset.files, dataset.transaction_paths(), strict=True)
            if f.publisher in publishers and path.exists()
        ]
        of_loaded: set[int] = set()
        if paths:
            rows = con.execute(
                f"""
                SELECT DISTINCT c.idx
                FROM candidates c
                JOIN (SELECT publisher, file_key, {duplicate_key_sql()} FROM read_parquet(?)) t
                  ON {same_key("t", "c")} AND t.publisher = c.publisher
                 AND t.file_key <> c.file_key
                """,
                [paths],
            ).fetchall()
            of_loaded = {int(i) for (i,) in rows}
        rows = con.execute(
            f"""
            SELECT DISTINCT later.idx
            FROM candidates later JOIN candidates earlier
              ON {same_key("earlier", "later")} AND earlier.publisher = later.publisher
             AND earlier.file_key <> later.file_key
             AND earlier.file_order < later.file_order
            """
        ).fetchall()
        in_batch = {int(i) for (i,) in rows} - of_loaded
    finally:
        con.close()
    return of_loaded, in_batch


def _check(dataset: Dataset, corrections: Sequence[RowCorrection],
           synonyms: SynonymMap) -> tuple[list[CheckedRow], list[dict[str, Any]]]:
    if not corrections:
        raise CorrectionError("no rows to correct; choose at least one quarantined row")
    refs = [c.row for c in corrections]
    if len(set(refs)) != len(refs):
        raise CorrectionError("a row is given twice; correct each row once")
    stored = _quarantined(dataset, refs)
    checked: list[CheckedRow] = []
    candidates: list[dict[str, Any]] = []
    for correction in corrections:
        original = stored[correction.row]
        entered = {name: getattr(correction, name) for name in FIELDS}
        raw = dict(original)
        for name, column in FIELDS.items():
            if entered[name] is not None:
                raw[column] = entered[name]
        reason, cleaned = _rules(raw, synonyms)
        candidates.append({**raw, **cleaned})
        checked.append(
            CheckedRow(
                row=correction.row,
                file_name=original["file_name"],
                publisher=original["publisher"],
                reason_before=original["reason"],
                payment_date_raw=original["payment_date_raw"],
                amount_raw=original["amount_raw"],
                supplier_name_raw=original["supplier_name_raw"],
                amount_pence_as_read=original["amount_pence"],
                entered=entered,
                payment_date=cleaned["payment_date"],
                amount_pence=cleaned["amount_pence"],
                supplier_name=cleaned["supplier_name"],
                payee_class=cleaned["payee_class"],
                reason=reason,
            )
        )
    passing = [i for i, row in enumerate(checked) if row.loads]
    of_loaded, in_batch = _duplicates(dataset, [candidates[i] for i in passing])
    for position, index in enumerate(passing):
        if position in of_loaded:
            checked[index] = replace(checked[index], reason="duplicate_of_loaded")
        elif position in in_batch:
            checked[index] = replace(checked[index], reason="duplicate_in_batch")
    return checked, [{**stored[c.row], **candidates[i]} for i, c in enumerate(corrections)]


def check_corrections(
    dataset_dir: Path,
    corrections: Sequence[RowCorrection],
    *,
    synonyms: SynonymMap | None = None,
) -> tuple[CheckedRow, ...]:
    """What ingest's rules make of the corrected rows, without changing anything.

    Parameters
    ----------
    dataset_dir
        The dataset folder.
    corrections
        The rows and their new values.
    synonyms
        The synonym map whose payee classes apply (the built-in one by default).

    Returns
    -------
    tuple of CheckedRow
        One per correction, in order; ``reason`` is ``None`` for rows that would load.

    Raises
    ------
    CorrectionError
        A row is not quarantined in the dataset, or is given twice.
    """
    checked, _ = _check(open_dataset(dataset_dir), corrections,
                        synonyms or builtin_synonym_map())
    return tuple(checked)


def apply_corrections(
    dataset_dir: Path,
    corrections: Sequence[RowCorrection],
    *,
    corrected_by: str,
    note: str = "",
    synonyms: SynonymMap | None = None,
    now: dt.datetime | None = None,
) -> CorrectionResult:
    """Load corrected quarantined rows, all or none, and return the dataset's reconciliation.

    Parameters
    ----------
    dataset_dir
        The dataset folder.
    corrections
        The rows and their new values.
    corrected_by
        Who corrected them (kept with each row).
    note
        Why, in the analyst's words (kept with each row).
    synonyms
        The synonym map whose payee classes apply (the built-in one by default).
    now
        When (default: the current time, UTC).

    Raises
    ------
    CorrectionError
        A row is not quarantined, or a corrected row still fails a rule (the message names each
        failing row and its reason); nothing is changed.
    SpendDatasetError
        Another import or correction holds the dataset's lock.
    """
    synonyms = synonyms or builtin_synonym_map()
    at = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    with dataset_lock(dataset_dir):
        dataset = open_dataset(dataset_dir)
        remove_orphans(dataset)
        checked, values = _check(dataset, corrections, synonyms)
        failing = [row for row in checked if not row.loads]
        if failing:
            raise CorrectionError(
                "nothing was corrected: "
                + "; ".join(f"{row.describe()} still fails ({row.reason})" for row in failing)
            )
        _commit(dataset, checked, values, corrected_by, note, at)
        reconciliation = open_dataset(dataset_dir).reconciliation
    return CorrectionResult(rows=tuple(checked), corrected_by=corrected_by, corrected_at=at,
                            reconciliation=reconciliation)


def _loaded_row(value: dict[str, Any], schema: pa.Schema) -> dict[str, Any]:
    """The corrected row as ingest writes a loaded row (same columns, same supplier key)."""
    from socialvalue.spend.analyse import supplier_key_table

    if value["payee_class"] == "named":
        supplier_key = supplier_key_table([value["supplier_name"]])["supplier_key"][0].as_py()
    else:
        supplier_key = f"({value['payee_class']})"
    computed = {
        "payment_date": value["payment_date"],
        "amount_pence": value["amount_pence"],
        "supplier_name": value["supplier_name"],
        "payee_class": value["payee_class"],
        "vat_pence": parse_amount(value.get("vat_raw")),
        "supplier_key": supplier_key,
    }
    return {name: computed[name] if name in computed else value.get(name)
            for name in schema.names}


def _correction_record(row: CheckedRow, value: dict[str, Any], by: str, note: str,
                       at: str) -> dict[str, Any]:
    """What is kept about a corrected row: everything quarantine kept, plus the correction."""
    return {
        **{name: value.get(name) for name in _QUARANTINE_KEPT},
        "payment_date_raw": row.payment_date_raw,
        "amount_raw": row.amount_raw,
        "supplier_name_raw": row.supplier_name_raw,
        "reason": row.reason_before,
        "amount_pence_as_read": row.amount_pence_as_read,
        "payment_date_entered": row.entered["payment_date"],
        "amount_entered": row.entered["amount"],
        "supplier_name_entered": row.entered["supplier_name"],
        "payment_date": row.payment_date,
        "amount_pence": row.amount_pence,
        "supplier_name": row.supplier_name,
        "payee_class": row.payee_class,
        "corrected_by": by,
        "corrected_at": at,
        "note": note or None,
    }


_QUARANTINE_KEPT = (
    "publisher", "file_key", "file_name", "sheet", "source_row", "vat_raw", "supplier_id",
    "supplier_postcode", "company_number", "transaction_id", "expense_type",
    "procurement_category", "service_area", "department", "description", "body", "sic",
    "business_type",
)

CORRECTIONS_SCHEMA = pa.schema(
    [pa.field(name, pa.int64() if name == "source_row" else pa.string())
     for name in _QUARANTINE_KEPT]
    + [
        pa.field("payment_date_raw", pa.string()),
        pa.field("amount_raw", pa.string()),
        pa.field("supplier_name_raw", pa.string()),
        pa.field("reason", pa.string()),
        pa.field("amount_pence_as_read", pa.int64()),
        pa.field("payment_date_entered", pa.string()),
        pa.field("amount_entered", pa.string()),
        pa.field("supplier_name_entered", pa.string()),
        pa.field("payment_date", pa.date32()),
        pa.field("amount_pence", pa.int64()),
        pa.field("supplier_name", pa.string()),
        pa.field("payee_class", pa.string()),
        pa.field("corrected_by", pa.string()),
        pa.field("corrected_at", pa.string()),
        pa.field("note", pa.string()),
    ]
)


def _commit(dataset: Dataset, checked: Sequence[CheckedRow], values: Sequence[dict[str, Any]],
            by: str, note: str, at: str) -> None:
    root = dataset.path
    staging = root / f".staging-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        by_file: dict[str, list[int]] = {}
        for index, row in enumerate(checked):
            by_file.setdefault(row.row.file_key, []).append(index)
        updated: dict[str, FileReport] = {}
        for key, indexes in by_file.items():
            old = dataset.file(key)
            assert old is not None  # checked by _quarantined
            new = _corrected_report(old, [checked[i] for i in indexes])
            _write_partitions(root, staging, old, new, [checked[i] for i in indexes],
                              [values[i] for i in indexes], by, note, at)
            updated[key] = new
        files = [updated.get(f.key, f) for f in dataset.files]
        entry = {
            "at": at,
            "by": by,
            "note": note,
            "rows": len(checked),
            "files": {key: len(indexes) for key, indexes in by_file.items()},
        }
        write_manifest(root, staging, files, dataset.imports, [*dataset.corrections, entry])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for key in by_file:
        old = dataset.file(key)
        assert old is not None
        remove_partitions(root, old)


def _corrected_report(old: FileReport, rows: Sequence[CheckedRow]) -> FileReport:
    by_reason = dict(old.quarantined_by_reason)
    for row in rows:
        by_reason[row.reason_before] -= 1
    pence_now = sum(row.amount_pence or 0 for row in rows)
    # What the rows counted for in the quarantined total: their amounts as read at import.
    pence_before = sum(row.amount_pence_as_read or 0 for row in rows)
    return replace(
        old,
        rows_loaded=old.rows_loaded + len(rows),
        rows_quarantined=old.rows_quarantined - len(rows),
        pence_loaded=old.pence_loaded + pence_now,
        pence_quarantined=old.pence_quarantined - pence_before,
        quarantined_by_reason={r: n for r, n in by_reason.items() if n},
        revision=old.revision + 1,
        rows_corrected=old.rows_corrected + len(rows),
        pence_corrected=old.pence_corrected + pence_now,
        pence_corrected_as_read=old.pence_corrected_as_read + pence_before,
    )


def _write_partitions(root: Path, staging: Path, old: FileReport, new: FileReport,
                      rows: Sequence[CheckedRow], values: Sequence[dict[str, Any]], by: str,
                      note: str, at: str) -> None:
    """Write the file's partitions at its new revision and move them into place (they count
    only once the manifest names them)."""
    moved = {(row.row.sheet, row.row.source_row) for row in rows}
    loaded = pq.read_table(root / "transactions" / old.partition("transactions"))
    additions = pa.Table.from_pylist([_loaded_row(v, loaded.schema) for v in values],
                                     schema=loaded.schema)
    quarantine = pq.read_table(root / "quarantine" / old.partition("quarantine"))
    keep = pa.array([
        (sheet, int(source_row)) not in moved
        for sheet, source_row in zip(quarantine["sheet"].to_pylist(),
                                     quarantine["source_row"].to_pylist(), strict=True)
    ])
    records = pa.Table.from_pylist(
        [_correction_record(row, value, by, note, at)
         for row, value in zip(rows, values, strict=True)],
        schema=CORRECTIONS_SCHEMA,
    )
    if old.rows_corrected:
        earlier = pq.read_table(root / "corrections" / old.partition("corrections"))
        records = pa.concat_tables([earlier.cast(CORRECTIONS_SCHEMA), records])
    tables = {
        "transactions": pa.concat_tables([loaded, additions]),
        "quarantine": quarantine.filter(keep),
        "corrections": records,
    }
    for kind, table in tables.items():
        (staging / kind).mkdir(exist_ok=True)
        (root / kind).mkdir(exist_ok=True)
        pq.write_table(table, staging / kind / new.partition(kind), compression="zstd")
        # A new name, so the partitions the manifest names now are untouched until it switches.
        (staging / kind / new.partition(kind)).replace(root / kind / new.partition(kind))


def corrected_rows(dataset_dir: Path) -> pa.Table:
    """Every corrected row of a dataset with what was kept about it (empty when none)."""
    dataset = open_dataset(dataset_dir)
    paths = [p for p in dataset.correction_paths() if p.exists()]
    if not paths:
        return CORRECTIONS_SCHEMA.empty_table()
    return pa.concat_tables([pq.read_table(p).cast(CORRECTIONS_SCHEMA) for p in paths])


def describe(result: CorrectionResult) -> str:
    """One line for logs and audit: how many rows, how much, from which files."""
    files = ", ".join(f"{name} ({n})" for name, n in result.files.items())
    return (f"{len(result.rows)} row(s) corrected and loaded, £{format_pence(result.pence)}, "
            f"from {files}")


__all__ = [
    "CORRECTIONS_SCHEMA",
    "FIELDS",
    "REASON_FIELDS",
    "CheckedRow",
    "CorrectionResult",
    "RowCorrection",
    "RowRef",
    "apply_corrections",
    "check_corrections",
    "corrected_rows",
    "describe",
]
