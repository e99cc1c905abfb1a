"""A spend dataset on disk: its manifest, its parquet partitions and its reconciliation.

A *dataset* is a folder the toolkit owns::

    DIR/manifest.json                 which files are in, their hashes, column maps, reconciliation
    DIR/transactions/<key>.parquet    loaded rows, one file per imported source file
    DIR/quarantine/<key>.parquet      quarantined rows with their raw values and the reason
    DIR/corrections/<key>.r<n>.parquet  quarantined rows an analyst corrected (see below)
    DIR/publishers/<slug>.yaml        each publisher's column overrides and known layouts

Only files listed in the manifest count. Writers (:mod:`socialvalue.spend.ingest`) prepare
everything in a staging folder inside ``DIR``, then :func:`commit_import` moves the new parquet
files into place under new names and replaces the manifest in one ``os.replace``; a crash before
that leaves unreferenced files that :func:`remove_orphans` deletes, never a half-written dataset.
:func:`dataset_lock` stops two writers working on one folder at once.

Corrections (:mod:`socialvalue.spend.corrections`) move quarantined rows to the loaded rows of
their file. They never change a partition in place: they write the file's three partitions again
under the next *revision* (``<key>.r1.parquet``, ``<key>.r2.parquet`` …), recorded in the file's
manifest entry, and commit the same way. Re-importing a file with replace drops its corrections
with its partitions.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from socialvalue.exceptions import SpendDatasetError
from socialvalue.spend.clean import format_pence
from socialvalue.spend.columns import profile_path
from socialvalue.spend.read import SkippedFile

MANIFEST = "manifest.json"
DATASET_FORMAT = "socialvalue-spend-dataset/1"

#: Kinds of partition, one file each per imported source file (corrections only once corrected).
PARTITIONS = ("transactions", "quarantine", "corrections")

#: Quarantine reasons, in the order they are tested (see :mod:`socialvalue.spend.ingest`).
REASONS = (
    "repeated_header",
    "amount_missing",
    "amount_invalid",
    "date_missing",
    "date_invalid",
    "supplier_missing",
    "duplicate_in_batch",
    "duplicate_of_loaded",
)


@dataclass(frozen=True)
class TableReport:
    """How one table (CSV file or worksheet) was read and mapped."""

    sheet: str | None
    encoding: str | None
    delimiter: str | None
    header_row: int | None
    columns: dict[str, str]
    mapped_by: str
    unmapped: tuple[str, ...]
    rows_blank: int


@dataclass(frozen=True)
class FileReport:
    """The reconciliation of one source file."""

    key: str
    name: str
    sha256: str
    publisher: str
    imported_at: str
    tables: tuple[TableReport, ...]
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_blank: int
    pence_loaded: int
    pence_quarantined: int
    quarantined_by_reason: dict[str, int]
    notes: tuple[str, ...] = ()
    # Corrections made after the import (see socialvalue.spend.corrections). The corrected rows
    # are counted in rows_loaded/pence_loaded at their corrected amounts; pence_corrected_as_read
    # is what they came to as read (amounts that were not amounts count as zero).
    revision: int = 0
    rows_corrected: int = 0
    pence_corrected: int = 0
    pence_corrected_as_read: int = 0

    def partition(self, kind: str) -> str:
        """The file name of this file's ``kind`` partition at its current revision."""
        if kind not in PARTITIONS:
            raise ValueError(f"unknown partition kind {kind!r}")
        if self.revision == 0:
            return f"{self.key}.parquet"
        return f"{self.key}.r{self.revision}.parquet"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "sha256": self.sha256,
            "publisher": self.publisher,
            "imported_at": self.imported_at,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_blank": self.rows_blank,
            "amount_loaded": format_pence(self.pence_loaded),
            "amount_quarantined": format_pence(self.pence_quarantined),
            "pence_loaded": self.pence_loaded,
            "pence_quarantined": self.pence_quarantined,
            "quarantined_by_reason": self.quarantined_by_reason,
            "notes": list(self.notes),
            "revision": self.revision,
            "rows_corrected": self.rows_corrected,
            "amount_corrected": format_pence(self.pence_corrected),
            "pence_corrected": self.pence_corrected,
            "pence_corrected_as_read": self.pence_corrected_as_read,
            "tables": [
                {
                    "sheet": t.sheet,
                    "encoding": t.encoding,
                    "delimiter": t.delimiter,
                    "header_row": t.header_row,
                    "columns": t.columns,
                    "mapped_by": t.mapped_by,
                    "unmapped": list(t.unmapped),
                    "rows_blank": t.rows_blank,
                }
                for t in self.tables
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FileReport:
        return cls(
            key=data["key"],
            name=data["name"],
            sha256=data["sha256"],
            publisher=data["publisher"],
            imported_at=data["imported_at"],
            tables=tuple(
                TableReport(
                    sheet=t["sheet"],
                    encoding=t["encoding"],
                    delimiter=t["delimiter"],
                    header_row=t["header_row"],
                    columns=dict(t["columns"]),
                    mapped_by=t["mapped_by"],
                    unmapped=tuple(t["unmapped"]),
                    rows_blank=t["rows_blank"],
                )
                for t in data["tables"]
            ),
            rows_read=data["rows_read"],
            rows_loaded=data["rows_loaded"],
            rows_quarantined=data["rows_quarantined"],
            rows_blank=data["rows_blank"],
            pence_loaded=data["pence_loaded"],
            pence_quarantined=data["pence_quarantined"],
            quarantined_by_reason=dict(data["quarantined_by_reason"]),
            notes=tuple(data.get("notes", ())),
            revision=int(data.get("revision", 0)),
            rows_corrected=int(data.get("rows_corrected", 0)),
            pence_corrected=int(data.get("pence_corrected", 0)),
            pence_corrected_as_read=int(data.get("pence_corrected_as_read", 0)),
        )


@dataclass(frozen=True)
class Reconciliation:
    """Rows and money in, loaded and quarantined, for an import (or a whole dataset).

    Money is integer pence; :meth:`as_dict` gives pounds as decimal strings.
    """

    files: tuple[FileReport, ...]
    skipped: tuple[SkippedFile, ...] = ()
    replaced: tuple[str, ...] = ()
    synonym_map_version: int | None = None
    rows_amount_unreadable: int = 0

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def rows_blank(self) -> int:
        return sum(f.rows_blank for f in self.files)

    @property
    def pence_loaded(self) -> int:
        return sum(f.pence_loaded for f in self.files)

    @property
    def pence_quarantined(self) -> int:
        return sum(f.pence_quarantined for f in self.files)

    @property
    def rows_corrected(self) -> int:
        return sum(f.rows_corrected for f in self.files)

    @property
    def pence_corrected(self) -> int:
        return sum(f.pence_corrected for f in self.files)

    @property
    def pence_changed_by_corrections(self) -> int:
        """How much corrected amounts moved the total (corrected minus as read)."""
        return sum(f.pence_corrected - f.pence_corrected_as_read for f in self.files)

    @property
    def quarantined_by_reason(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for report in self.files:
            total.update(report.quarantined_by_reason)
        return {reason: total[reason] for reason in REASONS if total[reason]}

    @property
    def balanced(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined

    def as_dict(self) -> dict[str, Any]:
        """The JSON form printed by ``socialvalue spend ingest --json``."""
        return {
            "files": len(self.files),
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "rows_blank": self.rows_blank,
            "rows_amount_unreadable": self.rows_amount_unreadable,
            "amount_read": format_pence(self.pence_loaded + self.pence_quarantined),
            "amount_loaded": format_pence(self.pence_loaded),
            "amount_quarantined": format_pence(self.pence_quarantined),
            "quarantined_by_reason": self.quarantined_by_reason,
            "rows_corrected": self.rows_corrected,
            "amount_corrected": format_pence(self.pence_corrected),
            "amount_changed_by_corrections": format_pence(self.pence_changed_by_corrections),
            "synonym_map_version": self.synonym_map_version,
            "replaced": list(self.replaced),
            "skipped": [{"name": s.name, "reason": s.reason} for s in self.skipped],
            "file_reports": [f.as_dict() for f in self.files],
        }


@dataclass(frozen=True)
class Dataset:
    """A dataset folder as its manifest describes it."""

    path: Path
    files: tuple[FileReport, ...] = ()
    imports: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    corrections: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def transaction_paths(self) -> list[Path]:
        """One path per file, in manifest order (the file's current revision)."""
        return [self.path / "transactions" / f.partition("transactions") for f in self.files]

    def quarantine_paths(self) -> list[Path]:
        """One path per file, in manifest order (the file's current revision)."""
        return [self.path / "quarantine" / f.partition("quarantine") for f in self.files]

    def correction_paths(self) -> list[Path]:
        """The corrections partitions of the files that have corrected rows."""
        return [
            self.path / "corrections" / f.partition("corrections")
            for f in self.files
            if f.rows_corrected
        ]

    def file(self, key: str) -> FileReport | None:
        return next((f for f in self.files if f.key == key), None)

    @property
    def reconciliation(self) -> Reconciliation:
        return Reconciliation(files=self.files)


def open_dataset(path: Path) -> Dataset:
    """Read a dataset's manifest (an empty dataset when the folder has none yet)."""
    manifest = path / MANIFEST
    if not manifest.exists():
        return Dataset(path=path)
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise SpendDatasetError(
            f"{manifest}: cannot read the dataset manifest ({error}); restore it or use a new --out"
        ) from error
    if data.get("format") != DATASET_FORMAT:
        raise SpendDatasetError(f"{path}: not a spend dataset folder; choose another --out")
    return Dataset(
        path=path,
        files=tuple(FileReport.from_dict(f) for f in data["files"]),
        imports=tuple(data.get("imports", ())),
        corrections=tuple(data.get("corrections", ())),
    )


@contextlib.contextmanager
def dataset_lock(path: Path) -> Iterator[None]:
    lock = path / ".lock"
    try:
        handle = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError as error:
        raise SpendDatasetError(
            f"{path}: another import is running (lock file {lock}); wait for it, or delete the "
            "lock file if no import is running"
        ) from error
    try:
        os.write(handle, str(os.getpid()).encode())
        os.close(handle)
        yield
    finally:
        lock.unlink(missing_ok=True)


def commit_import(
    dataset: Dataset,
    staging: Path,
    reports: Sequence[FileReport],
    replaced: Sequence[FileReport],
    publisher: str,
) -> None:
    """Move the new files into place, then switch the manifest in one atomic replace.

    Replaced files go with all their partitions, corrections included, and their entries in the
    manifest's corrections log.
    """
    root = dataset.path
    for kind in ("transactions", "quarantine"):
        (root / kind).mkdir(exist_ok=True)
        for report in reports:
            name = report.partition(kind)
            os.replace(staging / kind / name, root / kind / name)
    profile_target = profile_path(root, publisher)
    profile_target.parent.mkdir(exist_ok=True)
    os.replace(staging / "profile.yaml", profile_target)
    replaced_keys = {f.key for f in replaced}
    files = [f for f in dataset.files if f.key not in replaced_keys] + list(reports)
    imports = [
        *dataset.imports,
        {
            "at": reports[0].imported_at if reports else "",
            "publisher": publisher,
            "files": [r.key for r in reports],
            "replaced": [f.key for f in replaced],
        },
    ]
    write_manifest(root, staging, files, imports, _without_files(dataset.corrections,
                                                                 replaced_keys))
    for old in replaced:
        remove_partitions(root, old)


def write_manifest(
    root: Path,
    staging: Path,
    files: Sequence[FileReport],
    imports: Sequence[Mapping[str, Any]],
    corrections: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Write the manifest in ``staging`` and move it over the dataset's in one ``os.replace``
    (the commit point of every change to a dataset)."""
    manifest: dict[str, Any] = {
        "format": DATASET_FORMAT,
        "files": [f.as_dict() for f in files],
        "imports": list(imports),
    }
    if corrections:
        manifest["corrections"] = list(corrections)
    temporary = staging / MANIFEST
    temporary.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), "utf-8")
    os.replace(temporary, root / MANIFEST)


def remove_partitions(root: Path, report: FileReport) -> None:
    """Delete a file's partitions at its revision (after a commit no longer lists them)."""
    for kind in PARTITIONS:
        (root / kind / report.partition(kind)).unlink(missing_ok=True)


def _without_files(corrections: Sequence[Mapping[str, Any]],
                   keys: set[str]) -> list[dict[str, Any]]:
    """The corrections log with the given files' entries taken out (their rows are gone)."""
    kept = []
    for entry in corrections:
        files = {k: n for k, n in dict(entry.get("files", {})).items() if k not in keys}
        if files:
            kept.append({**entry, "files": files, "rows": sum(files.values())})
    return kept


def remove_orphans(dataset: Dataset) -> None:
    """Delete files an interrupted import or correction left behind (not in the manifest)."""
    for kind in PARTITIONS:
        keep = {f.partition(kind) for f in dataset.files}
        folder = dataset.path / kind
        if not folder.exists():
            continue
        for path in folder.glob("*.parquet"):
            if path.name not in keep:
                path.unlink()
    for stale in dataset.path.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


_THREAD = threading.local()


def analysis_connection() -> duckdb.DuckDBPyConnection:
    """This thread's DuckDB connection for analysis frames.

    DuckDB relations join only within one connection, and a connection must not be shared
    between threads; so every lazy frame of an analysis is made on this one.
    """
    con = getattr(_THREAD, "connection", None)
    if con is None:
        con = duckdb.connect()
        _THREAD.connection = con
    return con


def quarantined_rows(dataset_dir: Path) -> Any:
    """All quarantined rows of a dataset as a Narwhals LazyFrame over DuckDB (for review pages)."""
    import narwhals as nw

    dataset = open_dataset(dataset_dir)
    paths = [str(p) for p in dataset.quarantine_paths()]
    if not paths:
        raise SpendDatasetError(f"{dataset_dir}: the dataset has no files yet; import some first")
    return nw.from_native(analysis_connection().read_parquet(paths, union_by_name=True))


def transactions(dataset_dir: Path, backend: str = "duckdb") -> Any:
    """All loaded transactions as a Narwhals LazyFrame on ``duckdb`` (default) or ``polars``."""
    import narwhals as nw

    dataset = open_dataset(dataset_dir)
    paths = [str(p) for p in dataset.transaction_paths()]
    if not paths:
        raise SpendDatasetError(
            f"{dataset_dir}: no transactions; import files with 'socialvalue spend ingest' first"
        )
    if backend == "polars":
        import polars as pl

        return nw.from_native(pl.scan_parquet(paths))
    return nw.from_native(analysis_connection().read_parquet(paths, union_by_name=True))


__all__ = [
    "DATASET_FORMAT",
    "MANIFEST",
    "PARTITIONS",
    "REASONS",
    "Dataset",
    "FileReport",
    "Reconciliation",
    "TableReport",
    "analysis_connection",
    "commit_import",
    "dataset_lock",
    "open_dataset",
    "quarantined_rows",
    "remove_orphans",
    "remove_partitions",
    "transactions",
    "write_manifest",
]
