"""Writing contracts: every change goes through here and is audited in the same transaction.

The award creates the contract (:func:`contract_create_from_award`, called by
``tenders.services.tender_award`` inside its transaction); the buyer's contract managers then set
its dates, its manager and its status (:func:`contract_update`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from socialvalue.exceptions import ContractError, PermissionDeniedError
from socialvalue.web.accounts.models import Membership, Role
from socialvalue.web.audit.services import audit_record
from socialvalue.web.contracts.models import KPI, STATUS_FLOW, Contract

if TYPE_CHECKING:
    from socialvalue.frameworks.model import Framework as FrameworkData
    from socialvalue.web.tenders.models import Award

PENCE = Decimal(100)
CENT = Decimal("0.01")


def lot_title(award: Award) -> str:
    """The title of the lot an award is for, or ``""`` when the tender is not in lots."""
    return award.lot.title if award.lot is not None else ""


@dataclass(frozen=True)
class _MeasureCopy:
    title: str
    unit: str
    count_each_year: bool
    evidence_required: tuple[str, ...]


def _measure_copy(framework: FrameworkData | None, measure_id: str) -> _MeasureCopy:
    """What the pinned framework says about a measure; its id alone if it says nothing.

    A commitment's measure is checked against the framework when the bid is saved, so a miss
    here means the tender had no framework pinned: the KPI keeps the id rather than failing the
    award.
    """
    if framework is not None:
        try:
            measure = framework.measure(measure_id)
        except KeyError:
            pass
        else:
            return _MeasureCopy(
                title=measure.title,
                unit=str(measure.unit),
                count_each_year=measure.counting.count_each_year,
                evidence_required=tuple(measure.evidence_required),
            )
    return _MeasureCopy(title=measure_id, unit="", count_each_year=True, evidence_required=())


def _pounds(pence: int) -> Decimal:
    # Exact: integer pence over 100 has at most two decimal places.
    return (Decimal(pence) / PENCE).quantize(CENT)


@transaction.atomic
def contract_create_from_award(*, award: Award, actor: Any) -> Contract:
    """Carry an award's winning bid and its commitments forward to a contract record.

    Called by ``tenders.services.tender_award`` inside the award's transaction, so a failure
    here undoes the award too. The contract starts *mobilising* with no dates and no contract
    manager; one KPI is made per winning commitment, with the measure's title, unit, counting
    rule and evidence copied from the framework version the tender pinned.

    Raises
    ------
    ContractError
        ``already_exists`` when the award already has a contract; ``no_price`` when the
        winning bid has no price.
    """
    if Contract.objects.filter(award_id=award.pk).exists():
        raise ContractError(
            "This award already has a contract; open it from the contracts list",
            code="already_exists",
        )
    tender = award.tender
    bid = award.winning_bid
    if bid.price_pence is None:
        raise ContractError(
            "The winning bid has no price, so the contract has no value", code="no_price"
        )
    version = tender.framework_version
    framework = version.load() if version is not None else None
    lot = lot_title(award)
    contract = Contract(
        award=award,
        buyer=tender.organisation,
        supplier=bid.supplier,
        reference=tender.reference,
        title=tender.title,
        lot_title=lot,
        currency=getattr(tender, "currency", "GBP") or "GBP",
        value=_pounds(bid.price_pence),
        framework_version=version,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    contract.full_clean()
    # The history names who made each version even when no request is about (demo, CLI).
    contract._history_user = contract.created_by  # type: ignore[attr-defined]
    contract.save()
    kpis = []
    for commitment in bid.commitments.order_by("measure_id", "contract_year"):
        measure = _measure_copy(framework, commitment.measure_id)
        kpi = KPI(
            contract=contract,
            measure_id=commitment.measure_id,
            measure_title=measure.title[:300],
            unit=measure.unit,
            contract_year=commitment.contract_year,
            quantity=commitment.quantity,
            place=commitment.place,
            count_each_year=measure.count_each_year,
            evidence_required=list(measure.evidence_required),
            framework_version=version,
            source_commitment_id=commitment.pk,
        )
        kpi.full_clean()
        kpis.append(kpi)
    for kpi in kpis:
        kpi.save()  # one by one, not bulk_create: simple-history records each row
    where = f", lot {lot}" if lot else ""
    audit_record(
        action="contract.created",
        summary=f"Contract {contract.reference}{where} created from the award to "
        f"{bid.supplier.name}, {contract.currency} {contract.value:,} with {len(kpis)} "
        f"KPI{'' if len(kpis) == 1 else 's'}",
        actor=actor,
        organisation=contract.buyer,
        obj=contract,
        data={
            "award": award.pk,
            "supplier": bid.supplier.name,
            "value": str(contract.value),
            "currency": contract.currency,
            "kpis": len(kpis),
            "lot": lot,
        },
    )
    return contract


def _is_contract_manager(user: Any, organisation: Any) -> bool:
    if getattr(user, "pk", None) is None:
        return False
    return Membership.objects.filter(
        user_id=user.pk, organisation=organisation, role=Role.CONTRACT_MANAGER
    ).exists()


def _describe(value: Any) -> str:
    if value is None or value == "":
        return "not set"
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "get_username"):
        return str(value.get_full_name() or value.get_username())
    return str(value)


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    actor: Any,
    expected_version: int,
    start_date: date | None,
    end_date: date | None,
    contract_manager: Any,
    status: str,
) -> Contract:
    """Set a contract's dates, contract manager and status.

    Parameters
    ----------
    expected_version
        The ``version`` the person's form was opened at; a different current version means
        someone else saved in between, and the change is refused rather than overwriting theirs.

    Raises
    ------
    PermissionDeniedError
        The actor is not a contract manager of the buyer.
    ContractError
        ``concurrent_edit`` when the contract changed since the form was opened.
    ValidationError
        Per field: a status that goes backwards, a manager who is not one of the buyer's
        contract managers, an end before the start, a missing date the status needs.
    """
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if not _is_contract_manager(actor, locked.buyer):
        raise PermissionDeniedError("Only the buyer's contract managers can change a contract")
    if locked.version != expected_version:
        raise ContractError(
            "Someone else changed this contract since you opened it; reload the page and make "
            "your change again",
            code="concurrent_edit",
        )
    errors: dict[str, ValidationError] = {}
    if status not in STATUS_FLOW.get(locked.status, frozenset()):
        errors["status"] = ValidationError(
            f"A contract that is {locked.get_status_display().lower()} cannot go back to {status}",
            code="status_backwards",
        )
    if contract_manager is not None and not _is_contract_manager(contract_manager, locked.buyer):
        errors["contract_manager"] = ValidationError(
            "Select one of your organisation's contract managers", code="not_a_contract_manager"
        )
    if errors:
        raise ValidationError(errors)
    before = {
        "start_date": locked.start_date,
        "end_date": locked.end_date,
        "contract_manager": locked.contract_manager,
        "status": locked.status,
    }
    locked.start_date = start_date
    locked.end_date = end_date
    locked.contract_manager = contract_manager
    locked.status = status
    after = {
        "start_date": start_date,
        "end_date": end_date,
        "contract_manager": contract_manager,
        "status": status,
    }
    changes = {
        name: {"from": _describe(before[name]), "to": _describe(after[name])}
        for name in before
        if before[name] != after[name]
    }
    if not changes:
        return locked
    locked.full_clean()
    locked.version += 1
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    audit_record(
        action="contract.updated",
        summary=f"Contract {locked.reference} changed: "
        + "; ".join(
            f"{name.replace('_', ' ')} {change['from']} → {change['to']}"
            for name, change in changes.items()
        ),
        actor=actor,
        organisation=locked.buyer,
        obj=locked,
        data={"changes": changes},
    )
    return locked
