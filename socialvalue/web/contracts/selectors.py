"""Reads for contracts, always scoped to the organisation asking.

* A buyer's people reach contracts only through :func:`contracts_for_buyer`.
* A supplier's people reach only the contracts their organisation won
  (:func:`contracts_for_supplier`), read-only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from socialvalue.frameworks.model import Unit
from socialvalue.web.accounts.models import Organisation, Role
from socialvalue.web.contracts.models import Contract, ContractStatus

#: Units whose yearly targets add up to a contract total. A percentage, a yes/no or a level is
#: a state to hold each year, not an amount: its total would mean nothing, so none is shown.
SUMMABLE_UNITS = frozenset({Unit.COUNT, Unit.FTE, Unit.HOURS, Unit.WEEKS, Unit.GBP, Unit.TCO2E})


def _contracts() -> QuerySet[Contract]:
    return Contract.objects.select_related(
        "buyer", "supplier", "contract_manager", "framework_version__framework"
    )


def contracts_for_buyer(
    *, organisation: Organisation, status: str | None = None
) -> QuerySet[Contract]:
    """The buyer's contracts, newest first, optionally only those in one status."""
    contracts = _contracts().filter(buyer=organisation)
    if status in ContractStatus.values:
        contracts = contracts.filter(status=status)
    return contracts


def contracts_for_supplier(*, organisation: Organisation) -> QuerySet[Contract]:
    """The contracts a supplier organisation won, newest first."""
    return _contracts().filter(supplier=organisation)


def contract_managers_for(*, organisation: Organisation) -> QuerySet[Any]:
    """The buyer's people who hold the contract manager role, by name."""
    return (
        get_user_model()
        .objects.filter(
            memberships__organisation=organisation,
            memberships__role=Role.CONTRACT_MANAGER,
        )
        .order_by("first_name", "last_name", "username")
    )


@dataclass(frozen=True)
class KPIRow:
    """One measure's targets across the contract years, for the KPI table."""

    measure_id: str
    title: str
    unit: str
    by_year: tuple[Decimal | None, ...]
    total: Decimal | None
    count_each_year: bool
    evidence_required: tuple[str, ...]
    places: tuple[str, ...]


@dataclass(frozen=True)
class KPITable:
    years: tuple[int, ...]
    rows: tuple[KPIRow, ...] = field(default_factory=tuple)


def kpi_table(*, contract: Contract) -> KPITable:
    """The contract's KPIs as one row per measure and one column per contract year.

    A measure's total is the sum of its yearly targets, given only for units that add up
    (:data:`SUMMABLE_UNITS`). A year with no target for that measure shows as ``None``.
    """
    kpis = list(contract.kpis.all())
    years = tuple(sorted({kpi.contract_year for kpi in kpis}))
    grouped: dict[str, list[Any]] = defaultdict(list)
    for kpi in kpis:
        grouped[kpi.measure_id].append(kpi)
    rows = []
    for measure_id in sorted(grouped):
        items = grouped[measure_id]
        first = items[0]
        quantities = {kpi.contract_year: kpi.quantity for kpi in items}
        summable = first.unit in SUMMABLE_UNITS
        rows.append(
            KPIRow(
                measure_id=measure_id,
                title=first.measure_title,
                unit=first.unit,
                by_year=tuple(quantities.get(year) for year in years),
                total=sum(quantities.values(), Decimal(0)) if summable else None,
                count_each_year=first.count_each_year,
                evidence_required=tuple(first.evidence_required),
                places=tuple(sorted({kpi.place for kpi in items if kpi.place})),
            )
        )
    return KPITable(years=years, rows=tuple(rows))


@dataclass(frozen=True)
class HistoryEntry:
    """One saved change to a contract: when, by whom, and each field's old and new value."""

    at: datetime
    by: str
    changes: tuple[tuple[str, str, str], ...]
    created: bool = False


def _shown(contract: Contract, name: str, value: Any) -> str:
    if value in (None, ""):
        return "Not set"
    if name == "status":
        return str(ContractStatus(value).label)
    if name == "contract_manager":
        user = get_user_model().objects.filter(pk=value).first()
        return (user.get_full_name() or user.get_username()) if user else "A removed user"
    if hasattr(value, "strftime"):
        return value.strftime("%-d %b %Y")
    return str(value)


#: The fields people change, with how the history names them.
HISTORY_FIELDS = {
    "start_date": "Start date",
    "end_date": "End date",
    "contract_manager": "Contract manager",
    "status": "Status",
}


def contract_history(*, contract: Contract) -> list[HistoryEntry]:
    """The contract's saved versions, newest first, with what each one changed.

    Only the fields people change are listed; the rest is copied at award and never changes.
    """
    records = list(contract.history.select_related("history_user").order_by("history_date"))
    entries = []
    previous = None
    for record in records:
        who = record.history_user
        by = (who.get_full_name() or who.get_username()) if who is not None else "System"
        if previous is None:
            entries.append(HistoryEntry(at=record.history_date, by=by, changes=(), created=True))
        else:
            delta = record.diff_against(previous, included_fields=list(HISTORY_FIELDS))
            changes = tuple(
                (
                    HISTORY_FIELDS[change.field],
                    _shown(contract, change.field, change.old),
                    _shown(contract, change.field, change.new),
                )
                for change in delta.changes
            )
            if changes:
                entries.append(HistoryEntry(at=record.history_date, by=by, changes=changes))
        previous = record
    entries.reverse()
    return entries
