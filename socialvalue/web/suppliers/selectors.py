"""Reads for supplier matching: runs, the decisions an organisation may use, the results with
those decisions applied, and the review queue ordered by spend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
from django.db.models import Q, QuerySet

from socialvalue.exceptions import SupplierMatchingError
from socialvalue.suppliers.decisions import Decision, apply_decisions
from socialvalue.suppliers.matching import MatchResult, MatchStatus
from socialvalue.web.accounts.models import Organisation
from socialvalue.web.spend.models import SpendDataset
from socialvalue.web.suppliers.models import (
    RunStatus,
    SupplierAddress,
    SupplierDecision,
    SupplierMatchRun,
)


def results_dir(dataset: SpendDataset) -> Path:
    """Where the applied results live: the spend analysis reads ``suppliers.parquet`` here."""
    from socialvalue.suppliers.store import output_dir

    return output_dir(dataset.path)


def raw_results_dir(dataset: SpendDataset) -> Path:
    """The matcher's own results, before any decision (decisions are applied on each read)."""
    return results_dir(dataset) / "raw"


def runs_for_organisation(*, organisation: Organisation) -> QuerySet[SupplierMatchRun]:
    return SupplierMatchRun.objects.filter(dataset__organisation=organisation).select_related(
        "dataset", "created_by"
    )


def latest_run(*, dataset: SpendDataset) -> SupplierMatchRun | None:
    return dataset.match_runs.first()


def latest_done_run(*, dataset: SpendDataset) -> SupplierMatchRun | None:
    return dataset.match_runs.filter(status=RunStatus.DONE).first()


def decision_rows(*, organisation: Organisation) -> QuerySet[SupplierDecision]:
    """The organisation's own decisions and those shared by organisations in its networks."""
    partners = Organisation.objects.filter(networks__members=organisation).exclude(
        pk=organisation.pk
    )
    return SupplierDecision.objects.filter(
        Q(organisation=organisation) | Q(organisation__in=partners, shared=True)
    ).select_related("organisation", "decided_by")


def decisions_for(*, organisation: Organisation) -> list[Decision]:
    """Decisions to apply: the organisation's own win; a partner's count only for suppliers the
    organisation has not decided itself."""
    rows = list(decision_rows(organisation=organisation))
    own_keys = {row.supplier_key for row in rows if row.organisation_id == organisation.pk}
    return [
        Decision.from_dict(row.decision)
        for row in rows
        if row.organisation_id == organisation.pk or row.supplier_key not in own_keys
    ]


def raw_results(*, dataset: SpendDataset) -> list[MatchResult]:
    from socialvalue.suppliers.store import read_matches

    folder = raw_results_dir(dataset)
    if not (folder / "matches.json").exists():
        return []
    return read_matches(folder)


def applied_results(*, dataset: SpendDataset, organisation: Organisation) -> list[MatchResult]:
    return apply_decisions(raw_results(dataset=dataset), decisions_for(organisation=organisation))


def supplier_spend(*, dataset: SpendDataset, results: list[MatchResult]) -> dict[str, int]:
    """Pence paid to each supplier (over all its spellings), from the loaded transactions."""
    from socialvalue.spend.dataset import open_dataset

    paths = [str(p) for p in open_dataset(dataset.path).transaction_paths() if p.exists()]
    if not paths:
        return {}
    connection = duckdb.connect()
    try:
        rows = (
            connection.read_parquet(paths, union_by_name=True)
            .aggregate("supplier_name, sum(amount_pence)", "supplier_name")
            .fetchall()
        )
    finally:
        connection.close()
    by_name = {name: int(pence or 0) for name, pence in rows}
    return {
        result.supplier_key: sum(by_name.get(name, 0) for name in result.raw_names)
        for result in results
    }


@dataclass(frozen=True)
class QueueItem:
    result: MatchResult
    spend_pence: int
    position: int
    remaining: int


@dataclass(frozen=True)
class Summary:
    accepted: int
    review: int
    unmatched: int
    decided: int


def review_queue(*, dataset: SpendDataset, organisation: Organisation) -> list[QueueItem]:
    """Suppliers to review, largest spend first."""
    results = applied_results(dataset=dataset, organisation=organisation)
    spend = supplier_spend(dataset=dataset, results=results)
    waiting = sorted(
        (r for r in results if r.status is MatchStatus.REVIEW),
        key=lambda r: (-spend.get(r.supplier_key, 0), r.supplier_key),
    )
    return [
        QueueItem(
            result=r, spend_pence=spend.get(r.supplier_key, 0), position=i, remaining=len(waiting)
        )
        for i, r in enumerate(waiting, 1)
    ]


def summary(*, dataset: SpendDataset, organisation: Organisation) -> Summary:
    results = applied_results(dataset=dataset, organisation=organisation)
    counts = {status: 0 for status in MatchStatus}
    for result in results:
        counts[result.status] += 1
    decided = sum(1 for r in results if any(x.startswith("decision:") for x in r.reasons))
    return Summary(
        counts[MatchStatus.ACCEPTED],
        counts[MatchStatus.REVIEW],
        counts[MatchStatus.UNMATCHED],
        decided,
    )


def find_result(results: list[MatchResult], supplier_key: str) -> MatchResult:
    for result in results:
        if result.supplier_key == supplier_key:
            return result
    raise SupplierMatchingError(f"no supplier {supplier_key!r} in this dataset's matches")


def addresses_for(*, organisation: Organisation) -> dict[str, list[tuple[str, str]]]:
    """The trading and branch postcodes the organisation's analysts added, by supplier key."""
    found: dict[str, list[tuple[str, str]]] = {}
    for address in SupplierAddress.objects.filter(organisation=organisation):
        found.setdefault(address.supplier_key, []).append((address.basis, address.postcode))
    return found


def supplier_addresses(
    *, organisation: Organisation, supplier_key: str
) -> QuerySet[SupplierAddress]:
    return SupplierAddress.objects.filter(organisation=organisation, supplier_key=supplier_key)


def organisation_addresses(*, organisation: Organisation) -> QuerySet[SupplierAddress]:
    return SupplierAddress.objects.filter(organisation=organisation)
