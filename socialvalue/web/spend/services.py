"""Writes for spend datasets: create one, upload files, start an import, run it (the background
task), correct quarantined rows, keep the user's own supplier list. Every import and every
correction is audited with its reconciliation."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction
from django.utils import timezone

from socialvalue.exceptions import (
    DuplicateFileError,
    MissingColumnsError,
    SocialValueError,
    SpendDatasetError,
    SpendFileError,
)
from socialvalue.web.accounts.models import Organisation
from socialvalue.web.audit.services import audit_record
from socialvalue.web.spend.models import (
    DEFAULT_PLACES,
    ImportStatus,
    SpendDataset,
    SpendImport,
    dataset_root,
)

if TYPE_CHECKING:
    from socialvalue.spend.corrections import CorrectionResult, RowCorrection

logger = logging.getLogger(__name__)

SUPPLIER_LIST = "supplier_list.csv"


class UploadedFileLike(Protocol):
    name: str

    def chunks(self) -> Iterable[bytes]: ...


def safe_file_name(name: str) -> str:
    """The base name of an uploaded file with anything odd replaced (no folders, no dots first)."""
    base = Path(name.replace("\\", "/")).name.strip()
    cleaned = "".join(c if c.isalnum() or c in " ._-()&" else "_" for c in base).lstrip(". ")
    return cleaned[:150] or "file"


def uploads_save(*, files: Iterable[UploadedFileLike], folder: Path) -> list[str]:
    """Write uploads into ``folder`` under safe names, never one over another; return the names."""
    folder.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    for upload in files:
        name = safe_file_name(upload.name)
        while name in names:
            name = f"_{name}"
        with (folder / name).open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        names.append(name)
    return names


@transaction.atomic
def spend_dataset_create(
    *, organisation: Organisation, name: str, publisher: str, actor: Any
) -> SpendDataset:
    """Create an empty dataset and its folder."""
    dataset = SpendDataset(
        organisation=organisation,
        name=name,
        publisher=publisher,
        places=list(DEFAULT_PLACES),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    dataset.full_clean(exclude=["directory"])
    dataset.save()
    root = dataset_root(organisation.pk, dataset.pk)
    dataset.directory = str(Path("spend") / str(organisation.pk) / str(dataset.pk))
    dataset.save(update_fields=["directory"])
    if root.exists():
        # Left by an earlier database (a reset, or a test run): never mix its rows in.
        root.rename(root.with_name(f"{root.name}.orphaned-{uuid.uuid4().hex[:8]}"))
    root.mkdir(parents=True)
    audit_record(
        action="spend.dataset_created",
        summary=f"{_who(actor)} created the spend dataset {name}",
        actor=actor,
        organisation=organisation,
        obj=dataset,
    )
    return dataset


def _who(actor: Any) -> str:
    return actor.get_username() if actor is not None else "The system"


@transaction.atomic
def spend_import_create(
    *,
    dataset: SpendDataset,
    publisher: str,
    files: Iterable[UploadedFileLike],
    replace: bool,
    actor: Any,
) -> SpendImport:
    """Keep the uploaded files (outside the web root) for the column check and the import."""
    spend_import = SpendImport(
        dataset=dataset,
        publisher=publisher,
        replace=replace,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    spend_import.full_clean()
    spend_import.save()
    names = uploads_save(files=files, folder=spend_import.upload_dir)
    spend_import.file_names = names
    spend_import.save(update_fields=["file_names"])
    audit_record(
        action="spend.files_uploaded",
        summary=f"{_who(actor)} uploaded {len(names)} file(s) to {dataset.name}: "
        + ", ".join(names),
        actor=actor,
        organisation=dataset.organisation,
        obj=spend_import,
        data={"files": ", ".join(names), "replace": replace},
    )
    return spend_import


@transaction.atomic
def spend_import_again(*, spend_import: SpendImport, actor: Any) -> SpendImport:
    """A new import of the files kept from ``spend_import``, replacing them in the dataset.

    For reading files again after a column-mapping change: the new import waits at the column
    check like an upload, so the analyst can change the columns before anything is imported.
    The kept files are linked (or copied), never moved, so the earlier import keeps its own.

    Raises
    ------
    SpendFileError
        None of the import's files are kept any more.
    """
    paths = [path for path in upload_paths(spend_import) if path.is_file()]
    if not paths:
        raise SpendFileError(
            "The files of this import are no longer kept. Upload them again instead"
        )
    again = SpendImport(
        dataset=spend_import.dataset,
        publisher=spend_import.publisher,
        replace=True,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    again.full_clean()
    again.save()
    again.upload_dir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        target = again.upload_dir / path.name
        try:
            os.link(path, target)
        except OSError:  # another file system, or links not allowed: copy instead
            shutil.copyfile(path, target)
    again.file_names = [path.name for path in paths]
    again.save(update_fields=["file_names"])
    audit_record(
        action="spend.files_reimported",
        summary=f"{_who(actor)} started importing again {len(paths)} file(s) of import "
        f"{spend_import.pk} into {spend_import.dataset.name}",
        actor=actor,
        organisation=spend_import.dataset.organisation,
        obj=again,
        data={"files": ", ".join(again.file_names), "from_import": spend_import.pk},
    )
    return again


def upload_paths(spend_import: SpendImport) -> list[Path]:
    return [spend_import.upload_dir / name for name in spend_import.file_names]


def spend_import_start(
    *, spend_import: SpendImport, column_overrides: Mapping[str, str], actor: Any
) -> SpendImport:
    """Queue the import with the columns as checked; the background task does the work."""
    from socialvalue.web.spend.tasks import run_spend_import

    with transaction.atomic():
        locked = SpendImport.objects.select_for_update().get(pk=spend_import.pk)
        if locked.status != ImportStatus.UPLOADED:
            return locked
        locked.column_overrides = dict(column_overrides)
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["column_overrides", "status"])
        audit_record(
            action="spend.import_started",
            summary=f"{_who(actor)} started importing {len(locked.file_names)} file(s) into "
            f"{locked.dataset.name}",
            actor=actor,
            organisation=locked.dataset.organisation,
            obj=locked,
            data={"overrides": ", ".join(f"{k}={v}" for k, v in column_overrides.items())},
        )
    # After the commit, so a worker never picks up an import it cannot see yet.
    run_spend_import.enqueue(locked.pk)
    locked.refresh_from_db()
    return locked


def _error_code(error: SocialValueError) -> str:
    if isinstance(error, DuplicateFileError):
        return "duplicate"
    if isinstance(error, MissingColumnsError):
        return "missing_columns"
    if isinstance(error, SpendDatasetError):
        return "dataset"
    if isinstance(error, SpendFileError):
        return "file"
    return "invalid"


def spend_import_run(*, import_id: int) -> SpendImport:
    """Run one import (called by the background task): progress saved as it goes, then the
    reconciliation on the import and the dataset, and an audit event either way."""
    from socialvalue.spend.dataset import open_dataset
    from socialvalue.spend.ingest import IngestProgress, ingest

    spend_import = SpendImport.objects.select_related("dataset__organisation").get(pk=import_id)
    if spend_import.status not in {ImportStatus.QUEUED, ImportStatus.RUNNING}:
        return spend_import
    dataset = spend_import.dataset
    rows = SpendImport.objects.filter(pk=import_id)
    rows.update(status=ImportStatus.RUNNING, started_at=timezone.now(), stage="reading")

    def progress(step: IngestProgress) -> None:
        rows.update(
            stage=step.stage,
            current_file=(step.file_name or "")[:300],
            files_done=step.files_done,
            files_total=step.files_total,
            rows_read=max(step.rows_read, 0),
            bytes_done=step.bytes_done,
            bytes_total=step.bytes_total,
        )

    try:
        reconciliation = ingest(
            upload_paths(spend_import),
            publisher=spend_import.publisher,
            out_dir=dataset.path,
            replace_existing=spend_import.replace,
            column_overrides=spend_import.column_overrides,
            progress=progress,
        )
    except SocialValueError as error:
        return _import_failed(spend_import, str(error), _error_code(error))
    except Exception:
        logger.exception("spend import %s failed", import_id)
        _import_failed(
            spend_import,
            "The import stopped because of a fault in the toolkit. Nothing was imported. "
            "Try again, and tell your administrator if it happens again.",
            "fault",
        )
        raise
    summary = reconciliation.as_dict()
    whole = open_dataset(dataset.path).reconciliation.as_dict()
    with transaction.atomic():
        rows.update(
            status=ImportStatus.DONE,
            stage="done",
            reconciliation=summary,
            rows_read=reconciliation.rows_read,
            finished_at=timezone.now(),
        )
        SpendDataset.objects.filter(pk=dataset.pk).update(
            reconciliation=whole, updated_at=timezone.now()
        )
        audit_record(
            action="spend.imported",
            summary=f"Imported {len(reconciliation.files)} file(s) into {dataset.name}: "
            f"{reconciliation.rows_loaded:,} rows loaded (£{summary['amount_loaded']}), "
            f"{reconciliation.rows_quarantined:,} quarantined (£{summary['amount_quarantined']})",
            actor=spend_import.created_by,
            organisation=dataset.organisation,
            obj=spend_import,
            data={
                "rows_read": reconciliation.rows_read,
                "rows_loaded": reconciliation.rows_loaded,
                "rows_quarantined": reconciliation.rows_quarantined,
                "amount_loaded": summary["amount_loaded"],
                "amount_quarantined": summary["amount_quarantined"],
            },
        )
    _after_import(dataset)
    spend_import.refresh_from_db()
    return spend_import


def _after_import(dataset: SpendDataset) -> None:
    """Match the new rows' suppliers again with the registers used before (decisions reapplied)."""
    from socialvalue.web.suppliers.services import supplier_matching_refresh

    try:
        supplier_matching_refresh(dataset=dataset)
    except SocialValueError:
        logger.warning("supplier matching after the import of %s failed", dataset.pk,
                       exc_info=True)


def _import_failed(spend_import: SpendImport, message: str, code: str) -> SpendImport:
    with transaction.atomic():
        SpendImport.objects.filter(pk=spend_import.pk).update(
            status=ImportStatus.FAILED, error=message, error_code=code, finished_at=timezone.now()
        )
        audit_record(
            action="spend.import_failed",
            summary=f"Importing into {spend_import.dataset.name} failed ({code}); nothing was "
            "imported",
            actor=spend_import.created_by,
            organisation=spend_import.dataset.organisation,
            obj=spend_import,
            data={"code": code},
        )
    spend_import.refresh_from_db()
    return spend_import


def spend_rows_correct(
    *, dataset: SpendDataset, corrections: Sequence[RowCorrection], note: str, actor: Any
) -> CorrectionResult:
    """Load corrected quarantined rows (all or none), then keep the dataset's reconciliation and
    audit who corrected which rows, from what to what.

    Raises
    ------
    CorrectionError
        A row is not quarantined any more, or still fails a rule; nothing was changed.
    SpendDatasetError
        An import or another correction is running on the dataset.
    """
    from socialvalue.spend.clean import format_pence
    from socialvalue.spend.corrections import apply_corrections, describe

    result = apply_corrections(dataset.path, corrections, corrected_by=_who(actor), note=note)
    whole = result.reconciliation.as_dict()
    rows = "; ".join(
        f"{row.describe()} ({row.reason_before}): "
        + ", ".join(f"{name} {value!r}" for name, value in row.entered.items()
                    if value is not None)
        for row in result.rows
    )
    with transaction.atomic():
        SpendDataset.objects.filter(pk=dataset.pk).update(
            reconciliation=whole, updated_at=timezone.now()
        )
        audit_record(
            action="spend.rows_corrected",
            summary=f"{_who(actor)} corrected quarantined rows of {dataset.name}: "
            f"{describe(result)}",
            actor=actor,
            organisation=dataset.organisation,
            obj=dataset,
            data={
                "rows_corrected": len(result.rows),
                "amount_corrected": format_pence(result.pence),
                "rows": rows[:4000],
                "note": note,
                "rows_loaded": whole["rows_loaded"],
                "rows_quarantined": whole["rows_quarantined"],
            },
        )
    dataset.refresh_from_db()
    _after_import(dataset)
    return result


@transaction.atomic
def spend_supplier_list_upload(*, dataset: SpendDataset, upload: UploadedFileLike,
                               actor: Any) -> int:
    """Keep the user's own supplier list (name, postcode, …) beside the dataset.

    Raises
    ------
    SpendFileError
        The list is not one the spend analysis reads; the old list (if any) is kept.
    """
    from socialvalue.spend.supplier_list import read_supplier_list

    target = dataset.path / SUPPLIER_LIST
    temporary = target.with_suffix(".new")
    target.parent.mkdir(parents=True, exist_ok=True)
    with temporary.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        rows = read_supplier_list(temporary)
    except SpendFileError as error:
        temporary.unlink(missing_ok=True)
        raise SpendFileError(str(error).replace(str(temporary), upload.name)) from error
    temporary.replace(target)
    audit_record(
        action="spend.supplier_list_uploaded",
        summary=f"{_who(actor)} uploaded a supplier list of {len(rows)} rows to {dataset.name}",
        actor=actor,
        organisation=dataset.organisation,
        obj=dataset,
    )
    return len(rows)


def spend_import_discard_uploads(*, spend_import: SpendImport) -> None:
    """Remove an import's kept files (used when a dataset is deleted)."""
    shutil.rmtree(spend_import.upload_dir, ignore_errors=True)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
