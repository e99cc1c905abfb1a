"""Writes for supplier matching: start a matching run (a background task), run it, refresh it
after a new import, and record a reviewer's decision. Decisions live in the database and are
applied to the dataset's supplier records, which the spend dashboard reads."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from socialvalue.exceptions import RegisterFormatError, SocialValueError, SupplierMatchingError
from socialvalue.suppliers.decisions import DecisionAction, decide
from socialvalue.suppliers.matching import MatchResult
from socialvalue.web.accounts.models import Organisation
from socialvalue.web.audit.services import audit_record
from socialvalue.web.spend.models import SpendDataset
from socialvalue.web.spend.services import UploadedFileLike, uploads_save
from socialvalue.web.suppliers import selectors
from socialvalue.web.suppliers.models import (
    RunStatus,
    SupplierAddress,
    SupplierDecision,
    SupplierMatchRun,
)

logger = logging.getLogger(__name__)


def _who(actor: Any) -> str:
    return actor.get_username() if actor is not None else "The system"


def supplier_match_start(
    *, dataset: SpendDataset, files: Iterable[UploadedFileLike], actor: Any
) -> SupplierMatchRun:
    """Keep the register files and queue matching; the background task does the work."""
    from socialvalue.web.suppliers.tasks import run_supplier_matching

    with transaction.atomic():
        run = SupplierMatchRun(
            dataset=dataset,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        run.full_clean()
        run.save()
        names = uploads_save(files=files, folder=run.register_dir)
        run.register_files = names
        run.save(update_fields=["register_files"])
        audit_record(
            action="suppliers.matching_started",
            summary=f"{_who(actor)} started matching the suppliers of {dataset.name} against "
            + ", ".join(names),
            actor=actor,
            organisation=dataset.organisation,
            obj=run,
        )
    run_supplier_matching.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _register_parquets(run: SupplierMatchRun) -> list[Path]:
    from socialvalue.suppliers.registers import load_register

    paths = []
    for name in run.register_files:
        source = run.register_dir / name
        if source.suffix == ".parquet":
            paths.append(source)
            continue
        # The stem names the register in each candidate: keep the file's own name.
        target = run.register_dir / "parquet" / f"{Path(name).stem}.parquet"
        if not target.exists():
            SupplierMatchRun.objects.filter(pk=run.pk).update(stage=f"Loading {name}")
            load_register(source, target)
        paths.append(target)
    return paths


def _match(dataset: SpendDataset, run: SupplierMatchRun) -> dict[str, int]:
    """Match, keep the raw results, then write the decided ones where the analysis reads them."""
    from socialvalue.suppliers.matching import match_suppliers
    from socialvalue.suppliers.store import read_ledger_suppliers, write_results

    registers = _register_parquets(run)
    SupplierMatchRun.objects.filter(pk=run.pk).update(stage="Grouping supplier names")
    groups, suppliers = read_ledger_suppliers(dataset.path)
    SupplierMatchRun.objects.filter(pk=run.pk).update(
        stage=f"Matching {len(suppliers):,} suppliers"
    )
    results = match_suppliers(suppliers, registers)
    write_results(selectors.raw_results_dir(dataset), results, groups)
    return _write_applied(dataset, results, groups)


def _write_applied(
    dataset: SpendDataset, results: list[MatchResult], groups: Any = ()
) -> dict[str, int]:
    from socialvalue.suppliers.decisions import apply_decisions
    from socialvalue.suppliers.store import write_results

    applied = apply_decisions(results, selectors.decisions_for(organisation=dataset.organisation))
    if not groups:
        groups = _groups(dataset)
    write_results(
        selectors.results_dir(dataset),
        applied,
        groups,
        addresses=selectors.addresses_for(organisation=dataset.organisation),
    )
    counts: dict[str, int] = {"accepted": 0, "review": 0, "unmatched": 0}
    for result in applied:
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    return counts


def _groups(dataset: SpendDataset) -> list[Any]:
    """Row counts per supplier, read back from the raw results (kept in ``suppliers.parquet``)."""
    import pyarrow.parquet as pq

    from socialvalue.suppliers.cluster import SupplierGroup

    path = selectors.raw_results_dir(dataset) / "suppliers.parquet"
    if not path.exists():
        return []
    rows = pq.read_table(path, columns=["supplier_key", "name", "raw_names", "rows"]).to_pylist()
    return [
        SupplierGroup(r["supplier_key"], r["name"], tuple(r["raw_names"] or ()), r["rows"] or 0)
        for r in rows
    ]


def supplier_match_run(*, run_id: int) -> SupplierMatchRun:
    """Run one matching (called by the background task)."""
    run = SupplierMatchRun.objects.select_related("dataset__organisation").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run
    rows = SupplierMatchRun.objects.filter(pk=run_id)
    rows.update(status=RunStatus.RUNNING, stage="Starting")
    dataset = run.dataset
    try:
        counts = _match(dataset, run)
    except SocialValueError as error:
        code = "register_format" if isinstance(error, RegisterFormatError) else "matching"
        message = str(error)
        for name in run.register_files:
            message = message.replace(str(run.register_dir / name), name)
        rows.update(
            status=RunStatus.FAILED, error=message, error_code=code, finished_at=timezone.now()
        )
        audit_record(
            action="suppliers.matching_failed",
            summary=f"Matching the suppliers of {dataset.name} failed ({code})",
            actor=run.created_by,
            organisation=dataset.organisation,
            obj=run,
        )
        run.refresh_from_db()
        return run
    except Exception:
        logger.exception("supplier matching %s failed", run_id)
        rows.update(
            status=RunStatus.FAILED,
            error_code="fault",
            finished_at=timezone.now(),
            error="Matching stopped because of a fault in the toolkit. Try again.",
        )
        raise
    rows.update(status=RunStatus.DONE, stage="", counts=counts, finished_at=timezone.now())
    audit_record(
        action="suppliers.matched",
        summary=f"Matched the suppliers of {dataset.name}: {counts['accepted']} accepted, "
        f"{counts['review']} to review, {counts['unmatched']} unmatched",
        actor=run.created_by,
        organisation=dataset.organisation,
        obj=run,
        data=counts,
    )
    run.refresh_from_db()
    return run


def supplier_matching_refresh(*, dataset: SpendDataset) -> dict[str, int] | None:
    """After a new import: match again with the registers of the last run (decisions reapplied).

    Returns the new counts, or ``None`` when the dataset was never matched.
    """
    run = selectors.latest_done_run(dataset=dataset)
    if run is None:
        return None
    counts = _match(dataset, run)
    SupplierMatchRun.objects.filter(pk=run.pk).update(counts=counts)
    return counts


@transaction.atomic
def supplier_decide(
    *,
    organisation: Organisation,
    dataset: SpendDataset,
    supplier_key: str,
    action: str,
    candidate_index: int,
    shared: bool = True,
    actor: Any,
) -> SupplierDecision:
    """Record a reviewer's decision and apply every decision to the dataset's supplier records.

    Raises
    ------
    SupplierDecisionError
        The action is unknown or the candidate does not exist.
    SupplierMatchingError
        The supplier is not in this dataset's matches.
    """
    results = selectors.applied_results(dataset=dataset, organisation=organisation)
    result = selectors.find_result(results, supplier_key)
    made = decide(
        result,
        DecisionAction(action) if action in {a.value for a in DecisionAction} else action,
        candidate_index=candidate_index,
        decided_by=actor.get_username() if actor is not None else "",
    )
    row = SupplierDecision(
        organisation=organisation,
        supplier_key=made.supplier_key,
        action=made.action.value,
        decision=made.to_dict(),
        shared=shared,
        decided_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.full_clean()
    row.save()
    chosen = made.entry.get("name") if made.entry else None
    audit_record(
        action="suppliers.decided",
        summary=f"{_who(actor)} {made.action.value}ed "
        f"{'the match to ' + str(chosen) if chosen else 'the candidates'} for {result.name}",
        actor=actor,
        organisation=organisation,
        obj=row,
        data={
            "supplier_key": made.supplier_key,
            "action": made.action.value,
            "entry_id": made.entry_id or "",
        },
    )
    _write_applied(dataset, selectors.raw_results(dataset=dataset))
    return row


UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(text: str) -> str:
    """``"pr12rl"`` → ``"PR1 2RL"``; :class:`SupplierMatchingError` when it is not a UK postcode."""
    found = UK_POSTCODE.match(re.sub(r"\s+", "", text.upper()))
    if found is None:
        raise SupplierMatchingError("Enter a full UK postcode, like PR1 2RL")
    return f"{found.group(1)} {found.group(2)}"


@transaction.atomic
def supplier_address_add(
    *,
    organisation: Organisation,
    dataset: SpendDataset,
    supplier_key: str,
    basis: str,
    postcode: str,
    actor: Any,
) -> SupplierAddress:
    """Add a trading or branch postcode to a supplier and re-write the dataset's records.

    Raises
    ------
    SupplierMatchingError
        The supplier is not in this dataset's matches, or the postcode is not a UK postcode.
    """
    result = selectors.find_result(selectors.raw_results(dataset=dataset), supplier_key)
    address = SupplierAddress(
        organisation=organisation,
        supplier_key=result.supplier_key,
        basis=basis,
        postcode=normalise_postcode(postcode),
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    address.full_clean()
    address.save()
    audit_record(
        action="suppliers.address_added",
        summary=f"{_who(actor)} added {address.get_basis_display().lower()} "
        f"{address.postcode} to {result.name}",
        actor=actor,
        organisation=organisation,
        obj=address,
        data={"supplier_key": result.supplier_key, "basis": basis, "postcode": address.postcode},
    )
    _write_applied(dataset, selectors.raw_results(dataset=dataset))
    return address


@transaction.atomic
def supplier_address_remove(*, address: SupplierAddress, dataset: SpendDataset, actor: Any) -> None:
    audit_record(
        action="suppliers.address_removed",
        summary=f"{_who(actor)} removed {address.get_basis_display().lower()} "
        f"{address.postcode} from {address.supplier_key}",
        actor=actor,
        organisation=address.organisation,
        obj=address,
    )
    address.delete()
    _write_applied(dataset, selectors.raw_results(dataset=dataset))
