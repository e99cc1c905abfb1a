"""Writes for tenders: set-up, the status transitions, bids, scores, moderation and award.

Every write is a ``<entity>_<action>`` function with keyword-only arguments that records an audit
event in the same transaction. Services that take a ``now`` use it instead of the clock so tests
can move time; views never pass it. Rows that two people may write at once are locked with
``select_for_update()`` and carry a ``version`` that an edit must quote, so a concurrent change
is refused rather than silently overwritten.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from socialvalue.evaluation.fileformat import tender_document
from socialvalue.exceptions import (
    ConcurrentEditError,
    DeadlinePassedError,
    PermissionDeniedError,
    TenderError,
    TenderStateError,
)
from socialvalue.frameworks.counting import Commitment as CountedCommitment
from socialvalue.frameworks.counting import check_commitments
from socialvalue.web.accounts.models import Membership, Organisation, OrganisationKind, Role
from socialvalue.web.audit.services import audit_record
from socialvalue.web.contracts.services import contract_create_from_award
from socialvalue.web.frameworks.models import FrameworkVersion
from socialvalue.web.tenders import selectors
from socialvalue.web.tenders.bank_holidays import is_working_day
from socialvalue.web.tenders.engine import commitment_measures, commitment_scoring_problem
from socialvalue.web.tenders.models import (
    Award,
    Bid,
    BidResponse,
    BidStatus,
    Clarification,
    Commitment,
    Criterion,
    CriterionKind,
    Document,
    EvaluatorAssignment,
    Lot,
    ModeratedScore,
    ModerationRule,
    PriceLine,
    Score,
    SocialValueScoring,
    Tender,
    TenderStatus,
)
from socialvalue.web.tenders.presets import PRESETS, CriterionSpec

STANDSTILL_WORKING_DAYS = 8
"""Procurement Act 2023: the mandatory standstill period is eight working days."""


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _lock_tender(tender: Tender) -> Tender:
    return Tender.objects.select_for_update().get(pk=tender.pk)


def _require_status(tender: Tender, *allowed: str, action: str) -> None:
    if tender.status not in allowed:
        raise TenderStateError(
            f"You cannot {action} a tender that is {tender.get_status_display().lower()}",
            code="wrong_status",
        )


def _transition(
    tender: Tender,
    *,
    to: str,
    actor: Any,
    action: str,
    summary: str,
    data: dict[str, Any] | None = None,
) -> Tender:
    before = tender.status
    tender.status = to
    tender.version += 1
    tender.full_clean()
    tender.save()
    audit_record(
        action=f"tender.{action}",
        summary=summary,
        actor=actor,
        organisation=tender.organisation,
        obj=tender,
        data={"from": before, "to": to, **(data or {})},
    )
    return tender


# --- set-up ------------------------------------------------------------------------------------


def _create_criteria(
    tender: Tender, specs: Sequence[CriterionSpec], parent: Criterion | None, start: int = 0
) -> int:
    position = start
    for spec in specs:
        row = Criterion(
            tender=tender,
            parent=parent,
            key=spec.key,
            name=spec.name,
            kind=spec.kind,
            weight=spec.weight,
            question=spec.question,
            scale_max=spec.scale_max,
            threshold=spec.threshold,
            price_method=spec.price_method,
            part=spec.part,
            position=position,
        )
        row.full_clean()
        row.save()
        position = _create_criteria(tender, spec.children, row, position + 1)
    return position


@transaction.atomic
def tender_create(
    *,
    organisation: Organisation,
    actor: Any,
    title: str,
    reference: str,
    submission_deadline: datetime,
    preset: str,
    description: str = "",
    estimated_value_pence: int | None = None,
    currency: str = "GBP",
    cpv_codes: Sequence[str] = (),
    clarification_deadline: datetime | None = None,
    framework_version: FrameworkVersion | None = None,
    moderation_rule: str = ModerationRule.CONSENSUS,
) -> Tender:
    """Create a draft tender with criteria from a preset (Preston 2023, PPN 002 or custom)."""
    if (
        framework_version is not None
        and framework_version.framework.organisation_id != organisation.pk
    ):
        raise PermissionDeniedError("Choose one of your organisation's frameworks")
    if Tender.objects.filter(organisation=organisation, reference=reference).exists():
        raise TenderError(
            f"A tender with the reference {reference} already exists. Enter a different reference",
            code="duplicate_reference",
        )
    tender = Tender(
        organisation=organisation,
        title=title,
        reference=reference,
        description=description,
        estimated_value_pence=estimated_value_pence,
        currency=currency,
        cpv_codes=list(cpv_codes),
        clarification_deadline=clarification_deadline,
        submission_deadline=submission_deadline,
        framework_version=framework_version,
        preset=preset,
        moderation_rule=moderation_rule,
        created_by=actor,
    )
    tender.full_clean()
    tender.save()
    _create_criteria(tender, PRESETS[preset], None)
    audit_record(
        action="tender.created",
        summary=f"Tender {reference} ({title}) created from the {preset} preset",
        actor=actor,
        organisation=organisation,
        obj=tender,
        data={"preset": preset},
    )
    return tender


EDITABLE_FIELDS = (
    "title",
    "description",
    "estimated_value_pence",
    "currency",
    "cpv_codes",
    "clarification_deadline",
    "submission_deadline",
    "framework_version",
    "moderation_rule",
)


@transaction.atomic
def tender_update(*, tender: Tender, actor: Any, expected_version: int, **changes: Any) -> Tender:
    """Change a draft tender's details; refuses if someone else saved it since it was opened."""
    locked = _lock_tender(tender)
    _require_status(locked, TenderStatus.DRAFT, action="edit")
    if locked.version != expected_version:
        raise ConcurrentEditError(
            "Someone else changed this tender while you were editing it. "
            "Reload the page and make your change again",
            code="stale",
        )
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TenderError(f"Cannot change {', '.join(sorted(unknown))}", code="not_editable")
    fv = changes.get("framework_version")
    if fv is not None and fv.framework.organisation_id != locked.organisation_id:
        raise PermissionDeniedError("Choose one of your organisation's frameworks")
    changed = sorted(k for k, v in changes.items() if getattr(locked, k) != v)
    for key, value in changes.items():
        setattr(locked, key, value)
    locked.version += 1
    locked.full_clean()
    locked.save()
    audit_record(
        action="tender.updated",
        summary=f"Tender {locked.reference} details changed: {', '.join(changed) or 'nothing'}",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        data={"fields": ",".join(changed)},
    )
    return locked


def _criteria_locked(tender: Tender) -> None:
    if tender.status != TenderStatus.DRAFT:
        raise TenderStateError(
            "Criteria cannot change once the tender is published", code="criteria_locked"
        )


@transaction.atomic
def criteria_set_weights(*, tender: Tender, actor: Any, weights: Mapping[int, Decimal]) -> Tender:
    """Set criteria weights (top level in points, parts in percent of the parent)."""
    locked = _lock_tender(tender)
    _criteria_locked(locked)
    rows = {row.pk: row for row in locked.criteria.all()}
    changes = []
    for pk, weight in weights.items():
        row = rows.get(pk)
        if row is None:
            raise TenderError("That criterion is not part of this tender", code="unknown_criterion")
        if row.weight != weight:
            changes.append(f"{row.key} {row.weight.normalize()}→{weight.normalize()}")
            row.weight = weight
            row.full_clean()
            row.save()
    locked.version += 1
    locked.save()
    audit_record(
        action="tender.criteria_changed",
        summary=f"Weights of tender {locked.reference} changed: {'; '.join(changes) or 'none'}",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
    )
    return locked


@transaction.atomic
def criterion_add(
    *,
    tender: Tender,
    actor: Any,
    name: str,
    kind: str,
    weight: Decimal,
    parent: Criterion | None = None,
    question: str = "",
    scale_max: Decimal = Decimal(5),
    threshold: Decimal | None = None,
    price_method: str = "",
    measure_id: str = "",
    part: str = "",
    sv_scoring: str = SocialValueScoring.LEVELS,
) -> Criterion:
    locked = _lock_tender(tender)
    _criteria_locked(locked)
    if parent is not None and parent.tender_id != locked.pk:
        raise TenderError("Choose a parent criterion from this tender", code="unknown_criterion")
    if parent is not None and parent.scores_commitments:
        raise TenderError(
            f"{parent.name} scores commitments, so it cannot have parts", code="commitment_parts"
        )
    keys = set(locked.criteria.values_list("key", flat=True))
    base = "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")[:30] or "c"
    key, n = base, 2
    while key in keys:
        key, n = f"{base}_{n}", n + 1
    position = (
        locked.criteria.order_by("-position").values_list("position", flat=True).first() or 0
    ) + 1
    criterion = Criterion(
        tender=locked,
        parent=parent,
        key=key,
        name=name,
        kind=kind,
        weight=weight,
        question=question,
        scale_max=scale_max,
        threshold=threshold,
        price_method=price_method if kind == CriterionKind.PRICE else "",
        measure_id=measure_id,
        sv_scoring=sv_scoring if kind == CriterionKind.SOCIAL_VALUE else SocialValueScoring.LEVELS,
        part=part,
        position=position,
    )
    criterion.full_clean()
    _check_sv_scoring(locked, criterion, has_parts=False)
    criterion.save()
    audit_record(
        action="tender.criterion_added",
        summary=f"Criterion {name} ({kind}, weight {weight.normalize()}) added to "
        f"{locked.reference}",
        actor=actor,
        organisation=locked.organisation,
        obj=criterion,
    )
    return criterion


def _check_sv_scoring(tender: Tender, criterion: Criterion, *, has_parts: bool) -> None:
    """Refuse commitment scoring the pinned framework version cannot feed."""
    if criterion.sv_scoring == SocialValueScoring.LEVELS:
        return
    if criterion.kind != CriterionKind.SOCIAL_VALUE:
        raise TenderError(
            "Only a social value criterion can score commitments", code="not_social_value"
        )
    if has_parts:
        raise TenderError(
            f"{criterion.name} has parts: score the parts instead", code="commitment_parts"
        )
    problem = commitment_scoring_problem(criterion, commitment_measures(tender))
    if problem is not None:
        raise TenderError(problem.message, code="no_commitment_measures")


@transaction.atomic
def criterion_set_scoring(*, criterion: Criterion, actor: Any, sv_scoring: str) -> Criterion:
    """Choose how a social value criterion is scored: by levels, or from the commitments."""
    locked = _lock_tender(criterion.tender)
    _criteria_locked(locked)
    row = Criterion.objects.select_for_update().get(pk=criterion.pk, tender=locked)
    if sv_scoring not in SocialValueScoring.values:
        raise TenderError("Choose how the criterion is scored", code="unknown_scoring")
    before = row.get_sv_scoring_display()
    row.sv_scoring = sv_scoring
    row.full_clean()
    _check_sv_scoring(locked, row, has_parts=row.children.exists())
    row.save()
    locked.version += 1
    locked.save()
    audit_record(
        action="tender.criteria_changed",
        summary=f"Scoring of {row.name} in {locked.reference} changed: {before} → "
        f"{row.get_sv_scoring_display()}",
        actor=actor,
        organisation=locked.organisation,
        obj=row,
    )
    return row


@transaction.atomic
def criterion_delete(*, criterion: Criterion, actor: Any) -> None:
    locked = _lock_tender(criterion.tender)
    _criteria_locked(locked)
    name = criterion.name
    criterion.delete()
    audit_record(
        action="tender.criterion_removed",
        summary=f"Criterion {name} removed from {locked.reference}",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
    )


# --- lots --------------------------------------------------------------------------------------


def _lots_locked(tender: Tender) -> None:
    if tender.status != TenderStatus.DRAFT:
        raise TenderStateError(
            "Lots cannot change once the tender is published", code="lots_locked"
        )


def _lot_words(lot: Lot | None) -> str:
    """ ", lot 2" for audit summaries and messages (nothing for a tender without lots)."""
    return "" if lot is None else f", lot {lot.number}"


def _check_lot_number(tender: Tender, number: int, lot: Lot | None = None) -> None:
    others = tender.lots.filter(number=number)
    if lot is not None:
        others = others.exclude(pk=lot.pk)
    if others.exists():
        raise TenderError(
            f"Lot {number} already exists. Enter a different lot number", code="duplicate_lot"
        )


@transaction.atomic
def lot_add(
    *,
    tender: Tender,
    actor: Any,
    title: str,
    number: int | None = None,
    description: str = "",
    estimated_value_pence: int | None = None,
) -> Lot:
    """Add a lot to a draft tender (numbered after the last one unless a number is given)."""
    locked = _lock_tender(tender)
    _lots_locked(locked)
    if number is None:
        number = (locked.lots.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    _check_lot_number(locked, number)
    lot = Lot(
        tender=locked,
        number=number,
        title=title,
        description=description,
        estimated_value_pence=estimated_value_pence,
    )
    lot.full_clean()
    lot.save()
    locked.version += 1
    locked.save(update_fields=["version"])
    audit_record(
        action="tender.lot_added",
        summary=f"Lot {number} ({title}) added to {locked.reference}",
        actor=actor,
        organisation=locked.organisation,
        obj=lot,
        data={"estimated_value_pence": str(estimated_value_pence or "")},
    )
    return lot


@transaction.atomic
def lot_update(
    *,
    lot: Lot,
    actor: Any,
    number: int,
    title: str,
    description: str = "",
    estimated_value_pence: int | None = None,
) -> Lot:
    """Change a lot of a draft tender."""
    locked = _lock_tender(lot.tender)
    _lots_locked(locked)
    row = Lot.objects.select_for_update().get(pk=lot.pk, tender=locked)
    _check_lot_number(locked, number, row)
    changes = {
        "number": number,
        "title": title,
        "description": description,
        "estimated_value_pence": estimated_value_pence,
    }
    changed = sorted(k for k, v in changes.items() if getattr(row, k) != v)
    for key, value in changes.items():
        setattr(row, key, value)
    row.full_clean()
    row.save()
    locked.version += 1
    locked.save(update_fields=["version"])
    audit_record(
        action="tender.lot_changed",
        summary=f"Lot {row.number} of {locked.reference} changed: "
        f"{', '.join(changed) or 'nothing'}",
        actor=actor,
        organisation=locked.organisation,
        obj=row,
        data={"fields": ",".join(changed)},
    )
    return row


@transaction.atomic
def lot_delete(*, lot: Lot, actor: Any) -> None:
    """Remove a lot from a draft tender (a draft has no bids, so none are lost)."""
    locked = _lock_tender(lot.tender)
    _lots_locked(locked)
    label = str(lot)
    Lot.objects.filter(pk=lot.pk, tender=locked).delete()
    locked.version += 1
    locked.save(update_fields=["version"])
    audit_record(
        action="tender.lot_removed",
        summary=f"{label} removed from {locked.reference}",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
    )


def _all_lots_decided(tender: Tender) -> bool:
    return not tender.lots.filter(cancelled_at__isnull=True, awards__isnull=True).exists()


@transaction.atomic
def lot_cancel(*, lot: Lot, actor: Any, reason: str, now: datetime | None = None) -> Lot:
    """Cancel one lot of a published tender; the other lots go on.

    When this leaves no lot to award, the tender becomes awarded if any lot was awarded, and
    cancelled if none was.
    """
    locked = _lock_tender(lot.tender)
    _require_status(
        locked,
        TenderStatus.PUBLISHED,
        TenderStatus.CLOSED,
        TenderStatus.EVALUATING,
        action="cancel a lot of",
    )
    row = Lot.objects.select_for_update().get(pk=lot.pk, tender=locked)
    if row.is_cancelled:
        raise TenderStateError(f"Lot {row.number} is already cancelled", code="lot_cancelled")
    if row.awards.exists():
        raise TenderStateError(f"Lot {row.number} is awarded already", code="lot_awarded")
    if not reason.strip():
        raise TenderError("Enter the reason for cancelling the lot", code="reason_required")
    row.cancelled_at = _now(now)
    row.cancel_reason = reason
    row.full_clean()
    row.save()
    audit_record(
        action="tender.lot_cancelled",
        summary=f"Lot {row.number} of {locked.reference} cancelled: {reason[:300]}",
        actor=actor,
        organisation=locked.organisation,
        obj=row,
        data={"reason": reason},
    )
    if _all_lots_decided(locked):
        if locked.awards.exists():
            _transition(
                locked,
                to=TenderStatus.AWARDED,
                actor=actor,
                action="awarded",
                summary=f"Every lot of tender {locked.reference} is awarded or cancelled",
            )
        else:
            _transition(
                locked,
                to=TenderStatus.CANCELLED,
                actor=actor,
                action="cancelled",
                summary=f"Tender {locked.reference} cancelled: every lot is cancelled",
                data={"reason": reason},
            )
    return row


# --- transitions -------------------------------------------------------------------------------


@transaction.atomic
def tender_publish(*, tender: Tender, actor: Any, now: datetime | None = None) -> Tender:
    """Draft → published. Criteria and weights are fixed from here on."""
    locked = _lock_tender(tender)
    _require_status(locked, TenderStatus.DRAFT, action="publish")
    if locked.deadline_passed(_now(now)):
        raise TenderError(
            "The submission deadline has passed. Set a later deadline before publishing",
            code="deadline_in_past",
        )
    check = selectors.tender_criteria_check(tender=locked)
    if not check.ok:
        raise TenderError(
            "Fix the criteria before publishing: " + "; ".join(p.message for p in check.problems),
            code="criteria_invalid",
        )
    locked.published_at = _now(now)
    return _transition(
        locked,
        to=TenderStatus.PUBLISHED,
        actor=actor,
        action="published",
        summary=f"Tender {locked.reference} published; bids due by "
        f"{timezone.localtime(locked.submission_deadline):%d %b %Y %H:%M}",
        data={"policy": " ".join(f.message for f in check.findings)},
    )


@transaction.atomic
def tender_close(*, tender: Tender, actor: Any, now: datetime | None = None) -> Tender:
    """Published → closed, once the deadline has passed: the bids are opened."""
    locked = _lock_tender(tender)
    _require_status(locked, TenderStatus.PUBLISHED, action="close")
    if not locked.deadline_passed(_now(now)):
        raise TenderError(
            "Bids are sealed until the submission deadline. Close the tender after it",
            code="deadline_not_passed",
        )
    locked.closed_at = _now(now)
    count = locked.bids.filter(status=BidStatus.SUBMITTED).count()
    return _transition(
        locked,
        to=TenderStatus.CLOSED,
        actor=actor,
        action="closed",
        summary=f"Tender {locked.reference} closed and {count} bid(s) opened",
        data={"bids": count},
    )


@transaction.atomic
def tender_start_evaluation(*, tender: Tender, actor: Any) -> Tender:
    locked = _lock_tender(tender)
    _require_status(locked, TenderStatus.CLOSED, action="start evaluating")
    if not selectors.opened_bids(tender=locked).exists():
        raise TenderError("No bids were submitted, so there is nothing to evaluate", code="no_bids")
    return _transition(
        locked,
        to=TenderStatus.EVALUATING,
        actor=actor,
        action="evaluation_started",
        summary=f"Evaluation of tender {locked.reference} started",
    )


@transaction.atomic
def tender_cancel(*, tender: Tender, actor: Any, reason: str) -> Tender:
    locked = _lock_tender(tender)
    _require_status(
        locked,
        TenderStatus.DRAFT,
        TenderStatus.PUBLISHED,
        TenderStatus.CLOSED,
        TenderStatus.EVALUATING,
        action="cancel",
    )
    return _transition(
        locked,
        to=TenderStatus.CANCELLED,
        actor=actor,
        action="cancelled",
        summary=f"Tender {locked.reference} cancelled: {reason[:300]}",
        data={"reason": reason},
    )


# --- clarifications ----------------------------------------------------------------------------


@transaction.atomic
def clarification_ask(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    question: str,
    now: datetime | None = None,
) -> Clarification:
    if tender.status != TenderStatus.PUBLISHED:
        raise TenderStateError(
            "Questions can be asked only while the tender is open", code="wrong_status"
        )
    deadline = tender.clarification_deadline or tender.submission_deadline
    if deadline <= _now(now):
        raise DeadlinePassedError(
            "The deadline for questions has passed", code="clarification_closed"
        )
    clarification = Clarification(tender=tender, asked_by=supplier, question=question)
    clarification.full_clean()
    clarification.save()
    audit_record(
        action="clarification.asked",
        summary=f"A question was asked about tender {tender.reference}",
        actor=actor,
        organisation=supplier,
        obj=clarification,
    )
    return clarification


@transaction.atomic
def clarification_answer(
    *, clarification: Clarification, actor: Any, answer: str, now: datetime | None = None
) -> Clarification:
    clarification.answer = answer
    clarification.answered_at = _now(now)
    clarification.full_clean()
    clarification.save()
    audit_record(
        action="clarification.answered",
        summary=f"A question about tender {clarification.tender.reference} was answered and "
        "published",
        actor=actor,
        organisation=clarification.tender.organisation,
        obj=clarification,
    )
    return clarification


# --- bids --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentInput:
    measure_id: str
    quantity: Decimal
    contract_year: int = 1
    place: str = ""


@dataclass(frozen=True)
class PriceLineInput:
    """One line of a structured price: ``quantity`` x ``unit_price_pence``."""

    description: str
    quantity: Decimal
    unit_price_pence: int

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price_pence


def price_lines_problem(lines: Sequence[PriceLineInput], price_pence: int | None) -> str | None:
    """What is wrong with a bid's price lines, in words for the bidder, or ``None``.

    Each line needs a description, a quantity above 0 and a unit price of 0 or more, and must
    come to whole pence; the lines together must come to the price exactly.
    """
    if not lines:
        return None
    total = Decimal(0)
    for n, line in enumerate(lines, start=1):
        if not line.description.strip():
            return f"Line {n} of your price needs a description"
        if line.quantity <= 0 or line.unit_price_pence < 0:
            return f"Line {n} of your price needs a quantity above 0 and a unit price of 0 or more"
        if line.total != line.total.to_integral_value():
            return (
                f"Line {n} of your price comes to part of a penny: change the quantity or the "
                "unit price so it comes to whole pence"
            )
        total += line.total
    if price_pence is None or total != price_pence:
        given = "no price" if price_pence is None else f"£{Decimal(price_pence) / 100:,.2f}"
        return (
            f"Your price lines add up to £{total / 100:,.2f}, but your price is {given}. "
            "Make them the same"
        )
    return None


def _refuse_after_deadline(
    *, tender: Tender, supplier: Organisation, actor: Any, action: str, now: datetime | None
) -> None:
    """Raise (and audit, outside the refused transaction) when the deadline has passed."""
    if tender.status == TenderStatus.PUBLISHED and not tender.deadline_passed(now):
        return
    if tender.status != TenderStatus.PUBLISHED and not tender.deadline_passed(now):
        raise TenderStateError("This tender is not open for bids", code="not_open")
    audit_record(
        action="bid.refused_after_deadline",
        summary=f"{actor.get_username()} of {supplier.name} tried to {action} a bid for "
        f"{tender.reference} after the deadline",
        actor=actor,
        organisation=supplier,
        obj=tender,
        data={"action": action, "at": _now(now).isoformat()},
    )
    raise DeadlinePassedError(
        "The deadline for this tender has passed. Bids can no longer be changed or submitted",
        code="deadline_passed",
    )


def commitment_findings(*, tender: Tender, commitments: Sequence[CommitmentInput]) -> list[str]:
    """The framework's counting rules broken by the commitments, in plain words."""
    if tender.framework_version is None:
        return []
    framework = tender.framework_version.load()
    counted = [
        CountedCommitment(
            measure_id=c.measure_id,
            quantity=c.quantity,
            contract_year=c.contract_year,
            place=c.place or None,
        )
        for c in commitments
    ]
    return [str(f) for f in check_commitments(counted, framework)]


def _check_lot(tender: Tender, lot: Lot | None) -> None:
    """A tender with lots is bid for lot by lot; a tender without lots has no lot to name."""
    if lot is None:
        if tender.has_lots:
            raise TenderError("Choose the lot you are bidding for", code="lot_required")
        return
    if lot.tender_id != tender.pk:
        raise TenderError("That lot is not part of this tender", code="unknown_lot")
    if lot.is_cancelled:
        raise TenderStateError(f"Lot {lot.number} is cancelled", code="lot_cancelled")


def _locked_bid(tender: Tender, supplier: Organisation, lot: Lot | None = None) -> Bid:
    """The supplier's one bid for the tender (or lot), created on first use; never two (unique
    constraint + lock)."""
    Tender.objects.select_for_update().get(pk=tender.pk)
    bid = Bid.objects.select_for_update().filter(tender=tender, supplier=supplier, lot=lot).first()
    if bid is not None:
        return bid
    try:
        with transaction.atomic():
            return Bid.objects.create(tender=tender, supplier=supplier, lot=lot)
    except IntegrityError:  # another request created it between our read and write
        return Bid.objects.select_for_update().get(tender=tender, supplier=supplier, lot=lot)


def bid_save(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    price_pence: int | None,
    price_breakdown: str = "",
    responses: Mapping[int, str] | None = None,
    commitments: Sequence[CommitmentInput] = (),
    expected_version: int | None = None,
    now: datetime | None = None,
    lot: Lot | None = None,
    price_lines: Sequence[PriceLineInput] = (),
) -> Bid:
    """Save the supplier's draft bid (a withdrawn bid becomes a draft again); with lots, the
    bid for ``lot``."""
    _refuse_after_deadline(tender=tender, supplier=supplier, actor=actor, action="save", now=now)
    _check_lot(tender, lot)
    return _bid_save(
        lot=lot,
        price_lines=price_lines,
        tender=tender,
        supplier=supplier,
        actor=actor,
        price_pence=price_pence,
        price_breakdown=price_breakdown,
        responses=responses or {},
        commitments=commitments,
        expected_version=expected_version,
        now=now,
    )


@transaction.atomic
def _bid_save(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    price_pence: int | None,
    price_breakdown: str,
    responses: Mapping[int, str],
    commitments: Sequence[CommitmentInput],
    expected_version: int | None,
    now: datetime | None,
    lot: Lot | None,
    price_lines: Sequence[PriceLineInput],
) -> Bid:
    bid = _locked_bid(tender, supplier, lot)
    if tender.deadline_passed(now):  # checked again under the lock
        raise DeadlinePassedError("The deadline for this tender has passed", code="deadline_passed")
    if bid.status == BidStatus.SUBMITTED:
        raise TenderStateError(
            "Your bid has been submitted. Withdraw it before you change it",
            code="already_submitted",
        )
    if expected_version is not None and bid.version != expected_version:
        raise ConcurrentEditError(
            "Someone else in your organisation saved this bid while you were editing it. "
            "Reload the page and make your change again",
            code="stale",
        )
    questions = {c.pk: c for c in selectors.response_criteria(tender=tender)}
    for pk, text in responses.items():
        criterion = questions.get(pk)
        if criterion is None:
            raise TenderError("That question is not part of this tender", code="unknown_criterion")
        if len(text) > criterion.response_limit:
            raise TenderError(
                f"Your answer to {criterion.name} must be {criterion.response_limit} characters "
                "or fewer",
                code="response_too_long",
            )
    findings = commitment_findings(tender=tender, commitments=commitments)
    if findings:
        raise TenderError("Check your commitments: " + "; ".join(findings), code="commitment_rules")
    problem = price_lines_problem(price_lines, price_pence)
    if problem is not None:
        raise TenderError(problem, code="price_lines")
    bid.price_pence = price_pence
    bid.price_breakdown = price_breakdown
    bid.status = BidStatus.DRAFT
    bid.version += 1
    bid.full_clean()
    bid.save()
    for pk, text in responses.items():
        BidResponse.objects.update_or_create(bid=bid, criterion_id=pk, defaults={"text": text})
    bid.price_lines.all().delete()
    for position, line in enumerate(price_lines):
        price_line = PriceLine(
            bid=bid,
            position=position,
            description=line.description.strip(),
            quantity=line.quantity,
            unit_price_pence=line.unit_price_pence,
        )
        price_line.full_clean()
        price_line.save()
    bid.commitments.all().delete()
    for c in commitments:
        row = Commitment(
            bid=bid,
            measure_id=c.measure_id,
            quantity=c.quantity,
            contract_year=c.contract_year,
            place=c.place,
        )
        row.full_clean()
        row.save()
    audit_record(
        action="bid.saved",
        summary=f"{supplier.name} saved a draft bid for {tender.reference}{_lot_words(lot)}",
        actor=actor,
        organisation=supplier,
        obj=bid,
    )
    return bid


def bid_submit(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    now: datetime | None = None,
    lot: Lot | None = None,
) -> Bid:
    """Submit the supplier's bid. Submitting twice (two tabs, a retry) changes nothing."""
    _refuse_after_deadline(tender=tender, supplier=supplier, actor=actor, action="submit", now=now)
    _check_lot(tender, lot)
    return _bid_submit(tender=tender, supplier=supplier, actor=actor, now=now, lot=lot)


@transaction.atomic
def _bid_submit(
    *, tender: Tender, supplier: Organisation, actor: Any, now: datetime | None, lot: Lot | None
) -> Bid:
    bid = _locked_bid(tender, supplier, lot)
    if tender.deadline_passed(now):
        raise DeadlinePassedError("The deadline for this tender has passed", code="deadline_passed")
    if bid.status == BidStatus.SUBMITTED:
        return bid
    if bid.price_pence is None:
        raise TenderError(
            "Enter your price and save your bid before you submit it", code="no_price"
        )
    answered = {r.criterion_id for r in bid.responses.all() if r.text.strip()}
    missing = [c.name for c in selectors.response_criteria(tender=tender) if c.pk not in answered]
    if missing:
        raise TenderError(
            f"Answer every question before you submit: {', '.join(missing)}",
            code="missing_responses",
        )
    bid.status = BidStatus.SUBMITTED
    bid.submitted_at = _now(now)
    bid.submitted_by = actor
    bid.version += 1
    bid.full_clean()
    bid.save()
    # Recorded against the supplier: the buyer's audit log must not reveal who has bid before
    # the deadline. The price is never written to the log.
    audit_record(
        action="bid.submitted",
        summary=f"{supplier.name} submitted its bid for {tender.reference}{_lot_words(lot)}",
        actor=actor,
        organisation=supplier,
        obj=bid,
        data={"submitted_at": bid.submitted_at.isoformat()},
    )
    return bid


def bid_withdraw(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    now: datetime | None = None,
    lot: Lot | None = None,
) -> Bid:
    _refuse_after_deadline(
        tender=tender, supplier=supplier, actor=actor, action="withdraw", now=now
    )
    _check_lot(tender, lot)
    return _bid_withdraw(tender=tender, supplier=supplier, actor=actor, now=now, lot=lot)


@transaction.atomic
def _bid_withdraw(
    *, tender: Tender, supplier: Organisation, actor: Any, now: datetime | None, lot: Lot | None
) -> Bid:
    bid = _locked_bid(tender, supplier, lot)
    if tender.deadline_passed(now):
        raise DeadlinePassedError("The deadline for this tender has passed", code="deadline_passed")
    if bid.status != BidStatus.SUBMITTED:
        raise TenderStateError("Only a submitted bid can be withdrawn", code="not_submitted")
    bid.status = BidStatus.WITHDRAWN
    bid.submitted_at = None
    bid.version += 1
    bid.save()
    audit_record(
        action="bid.withdrawn",
        summary=f"{supplier.name} withdrew its bid for {tender.reference}{_lot_words(lot)}",
        actor=actor,
        organisation=supplier,
        obj=bid,
    )
    return bid


# --- evaluators --------------------------------------------------------------------------------


@transaction.atomic
def evaluator_assign(
    *, tender: Tender, actor: Any, evaluator: Any, criteria: Sequence[Criterion]
) -> EvaluatorAssignment:
    """Assign an evaluator of the buyer's organisation to scored criteria (never price)."""
    locked = _lock_tender(tender)
    _require_status(
        locked,
        TenderStatus.PUBLISHED,
        TenderStatus.CLOSED,
        TenderStatus.EVALUATING,
        action="assign evaluators to",
    )
    if not locked.organisation.memberships.filter(user=evaluator, role=Role.EVALUATOR).exists():
        raise TenderError("Choose an evaluator from your organisation", code="not_an_evaluator")
    scored = {c.pk for c in selectors.scored_criteria(tender=locked)}
    if not criteria:
        raise TenderError("Select at least one criterion", code="no_criteria")
    if any(c.pk not in scored for c in criteria):
        raise TenderError(
            "Evaluators score quality, social value and pass or fail questions only; price and "
            "social value scored from commitments are worked out by the engine and kept apart",
            code="not_scored",
        )
    assignment, _ = EvaluatorAssignment.objects.get_or_create(
        tender=locked, evaluator=evaluator, defaults={"assigned_by": actor}
    )
    if assignment.submitted_at is not None:
        raise TenderStateError(
            "This evaluator has already submitted their scores", code="submitted"
        )
    assignment.criteria.set(criteria)
    audit_record(
        action="evaluator.assigned",
        summary=f"{evaluator.get_username()} assigned to score "
        f"{', '.join(c.name for c in criteria)} on {locked.reference}",
        actor=actor,
        organisation=locked.organisation,
        obj=assignment,
    )
    return assignment


@transaction.atomic
def evaluator_unassign(*, assignment: EvaluatorAssignment, actor: Any) -> None:
    """Remove an evaluator from a tender before they have submitted their scores (their draft
    scores go with the assignment; submitted scores are part of the record and stay)."""
    locked = _lock_tender(assignment.tender)
    _require_status(
        locked,
        TenderStatus.PUBLISHED,
        TenderStatus.CLOSED,
        TenderStatus.EVALUATING,
        action="remove evaluators from",
    )
    row = (
        EvaluatorAssignment.objects.select_for_update()
        .filter(pk=assignment.pk, tender=locked)
        .first()
    )
    if row is None:
        raise TenderError("That evaluator is not assigned to this tender", code="unknown")
    if row.submitted_at is not None:
        raise TenderStateError(
            f"{row.evaluator.get_username()} has already submitted their scores, so they cannot "
            "be removed: their scores are part of the evaluation record",
            code="submitted",
        )
    username = row.evaluator.get_username()
    drafts = row.scores.count()
    row.delete()
    audit_record(
        action="evaluator.unassigned",
        summary=f"{username} removed from the evaluators of {locked.reference}"
        + (f" ({drafts} draft scores discarded)" if drafts else ""),
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        data={"evaluator": username, "draft_scores": drafts},
    )


@transaction.atomic
def assignment_declare(
    *,
    assignment: EvaluatorAssignment,
    actor: Any,
    has_conflict: bool,
    details: str = "",
    now: datetime | None = None,
) -> EvaluatorAssignment:
    """The evaluator declares whether they have a conflict of interest, before seeing any bid."""
    if assignment.evaluator_id != actor.pk:
        raise PermissionDeniedError("Only the evaluator can make their own declaration")
    if assignment.declared_at is not None:
        raise TenderStateError("You have already made your declaration", code="already_declared")
    if has_conflict and not details.strip():
        raise TenderError("Describe the conflict of interest", code="details_required")
    assignment.declared_at = _now(now)
    assignment.has_conflict = has_conflict
    assignment.conflict_details = details
    assignment.full_clean()
    assignment.save()
    audit_record(
        action="evaluator.declared",
        summary=f"{actor.get_username()} declared "
        f"{'a conflict of interest' if has_conflict else 'no conflict of interest'} on "
        f"{assignment.tender.reference}",
        actor=actor,
        organisation=assignment.tender.organisation,
        obj=assignment,
        data={"conflict": has_conflict},
    )
    return assignment


def _check_value(criterion: Criterion, value: Decimal) -> None:
    if criterion.kind == CriterionKind.PASS_FAIL:
        if value not in (Decimal(0), Decimal(1)):
            raise TenderError("Select pass or fail", code="pass_fail")
    elif not Decimal(0) <= value <= criterion.scale_max:
        raise TenderError(
            f"Enter a score from 0 to {criterion.scale_max.normalize()}", code="out_of_scale"
        )


@transaction.atomic
def score_save(
    *,
    assignment: EvaluatorAssignment,
    actor: Any,
    bid: Bid,
    criterion: Criterion,
    value: Decimal,
    reason: str,
    now: datetime | None = None,
) -> Score:
    """Save (or change) one of the evaluator's own scores, before they submit them."""
    locked = EvaluatorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.evaluator_id != actor.pk:
        raise PermissionDeniedError("You can only score as yourself")
    if not locked.cleared:
        raise PermissionDeniedError("Make your conflict of interest declaration first")
    if locked.submitted_at is not None:
        raise TenderStateError(
            "You have submitted your scores; they can no longer change", code="submitted"
        )
    if locked.tender.status != TenderStatus.EVALUATING:
        raise TenderStateError("The tender is not being evaluated", code="wrong_status")
    if not locked.criteria.filter(pk=criterion.pk).exists():
        raise PermissionDeniedError("You are not assigned to this criterion")
    if not selectors.bids_for_evaluator(assignment=locked).filter(pk=bid.pk).exists():
        raise PermissionDeniedError("That bid is not open to you")
    if not reason.strip():
        raise TenderError("Enter the reason for your score", code="reason_required")
    _check_value(criterion, value)
    score, _ = Score.objects.update_or_create(
        assignment=locked,
        bid=bid,
        criterion=criterion,
        defaults={"value": value, "reason": reason, "saved_at": _now(now)},
    )
    return score


@transaction.atomic
def scores_submit(
    *, assignment: EvaluatorAssignment, actor: Any, now: datetime | None = None
) -> EvaluatorAssignment:
    """Submit all the evaluator's scores at once; each is audited. Then peers' scores show."""
    locked = EvaluatorAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.evaluator_id != actor.pk:
        raise PermissionDeniedError("You can only submit your own scores")
    if locked.submitted_at is not None:
        return locked
    bids = list(selectors.bids_for_evaluator(assignment=locked))
    criteria = list(locked.criteria.all())
    have = selectors.own_scores(assignment=locked)
    missing = [(b, c) for b in bids for c in criteria if (b.pk, c.pk) not in have]
    if missing:
        raise TenderError(
            f"Score every bid on every criterion before you submit ({len(missing)} to go)",
            code="scores_missing",
        )
    moment = _now(now)
    for score in have.values():
        score.submitted_at = moment
        score.save(update_fields=["submitted_at"])
        audit_record(
            action="score.submitted",
            summary=f"{actor.get_username()} scored {score.bid.supplier.name} "
            f"{score.value.normalize()} on {score.criterion.name} ({locked.tender.reference})",
            actor=actor,
            organisation=locked.tender.organisation,
            obj=score,
            data={"value": str(score.value), "reason": score.reason[:500]},
        )
    locked.submitted_at = moment
    locked.save(update_fields=["submitted_at"])
    return locked


# --- moderation and award ----------------------------------------------------------------------


@transaction.atomic
def moderation_save(
    *,
    tender: Tender,
    actor: Any,
    bid: Bid,
    criterion: Criterion,
    value: Decimal,
    rationale: str = "",
    expected_version: int | None = None,
) -> ModeratedScore:
    """Record the panel's score; a rationale is required wherever it differs from an evaluator's.

    ``expected_version`` is the version of the moderated score the moderator's page showed (0 when
    there was none yet): if someone has saved it since, the save is refused rather than silently
    overwriting theirs. ``None`` skips the check (the averaging rule, applied in one go).
    """
    locked = _lock_tender(tender)
    _require_status(locked, TenderStatus.EVALUATING, action="moderate")
    if bid.tender_id != locked.pk or criterion.tender_id != locked.pk:
        raise TenderError("That bid or criterion is not part of this tender", code="unknown")
    if not criterion.is_scored_by_evaluators:
        raise TenderError(
            f"{criterion.name} is worked out by the engine, not moderated", code="not_scored"
        )
    _refuse_decided_lot(bid)
    _check_value(criterion, value)
    # The tender row is locked above, so no other moderation save runs between this read and write.
    moderated = ModeratedScore.objects.filter(bid=bid, criterion=criterion).first()
    current_version = 0 if moderated is None else moderated.version
    if expected_version is not None and expected_version != current_version:
        now_value = "removed" if moderated is None else f"{moderated.value.normalize()}"
        raise ConcurrentEditError(
            f"Someone else saved the moderated score for {bid.supplier.name} on {criterion.name} "
            f"while you were looking at it: it is now {now_value}. Check it, then save again if "
            "you still want to change it",
            code="stale",
        )
    previous = None if moderated is None else moderated.value
    if moderated is None:
        moderated = ModeratedScore(bid=bid, criterion=criterion, moderated_by=actor)
    moderated.value = value
    moderated.rationale = rationale
    moderated.moderated_by = actor
    moderated.moderated_at = timezone.now()
    moderated.version = current_version + 1
    moderated.full_clean()
    moderated.save()
    audit_record(
        action="score.moderated",
        summary=f"Moderated score for {bid.supplier.name} on {criterion.name} "
        f"({locked.reference}) set to {value.normalize()}",
        actor=actor,
        organisation=locked.organisation,
        obj=moderated,
        data={
            "value": str(value),
            "previous": "" if previous is None else str(previous),
            "rationale": rationale[:500],
        },
    )
    return moderated


def _refuse_decided_lot(bid: Bid) -> None:
    """A lot's scores stop changing once it is awarded (its award rests on them) or cancelled."""
    lot = bid.lot
    if lot is None:
        return
    if lot.is_cancelled:
        raise TenderStateError(f"Lot {lot.number} is cancelled", code="lot_cancelled")
    if lot.awards.exists():
        raise TenderStateError(
            f"Lot {lot.number} is awarded, so its scores can no longer change", code="lot_awarded"
        )


def moderation_apply_average(*, tender: Tender, actor: Any) -> int:
    """Under the averaging rule agreed in advance, moderate every cell to the evaluators' mean."""
    if tender.moderation_rule != ModerationRule.AVERAGE:
        raise TenderError("This tender uses consensus moderation", code="not_average")
    count = 0
    decided = set(
        tender.lots.filter(Q(cancelled_at__isnull=False) | Q(awards__isnull=False)).values_list(
            "pk", flat=True
        )
    )
    for cell in selectors.moderation_cells(tender=tender):
        if cell.mean is None or cell.moderated is not None or cell.bid.lot_id in decided:
            continue
        moderation_save(
            tender=tender,
            actor=actor,
            bid=cell.bid,
            criterion=cell.criterion,
            value=cell.mean.quantize(Decimal("0.01")),
            rationale=f"Mean of {len(cell.scores)} evaluators' scores (the rule agreed in advance)",
        )
        count += 1
    return count


def standstill_end(start: date, working_days: int = STANDSTILL_WORKING_DAYS) -> date:
    """The last day of a standstill of ``working_days`` counted from the day after ``start``.

    Working days are Monday to Friday except bank holidays in any part of the United Kingdom
    (the lists in ``bank_holidays.py``, from https://www.gov.uk/bank-holidays). A local closure
    is not known here: the officer sets a later end on the award form.
    """
    day, left = start, working_days
    while left:
        day += timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def _standstill(start: date, override: date | None, reason: str) -> tuple[date, date, str]:
    """The computed end, the end chosen and why; a chosen end before the computed one is refused
    (the law sets the minimum), a later one needs a reason."""
    computed = standstill_end(start)
    if override is None or override == computed:
        return computed, computed, ""
    if override < computed:
        raise TenderError(
            f"The standstill must end on or after {computed.day} {computed:%B %Y}, "
            f"{STANDSTILL_WORKING_DAYS} working days after it starts",
            code="standstill_too_short",
        )
    if not reason.strip():
        raise TenderError(
            "Enter why the standstill ends later, such as a local closure",
            code="standstill_reason_required",
        )
    return computed, override, reason.strip()


@transaction.atomic
def tender_award(
    *,
    tender: Tender,
    actor: Any,
    decision: str,
    reasons: str,
    standstill_start: date | None = None,
    lot: Lot | None = None,
    standstill_end_override: date | None = None,
    standstill_reason: str = "",
) -> Award:
    """Award to the bid the engine ranks first, storing the evaluation it rests on.

    A tender with lots is awarded lot by lot, each with its own decision, reasons, standstill
    and evaluation; it becomes awarded when every lot is awarded or cancelled.

    The standstill ends 8 working days after ``standstill_start``; ``standstill_end_override``
    sets a later end (a local closure, say), with ``standstill_reason``; both ends and the reason
    are in the audit event.
    """
    locked = _lock_tender(tender)
    _require_status(locked, TenderStatus.EVALUATING, action="award")
    if lot is None and locked.has_lots:
        raise TenderError("Choose the lot to award", code="lot_required")
    if lot is not None:
        lot = Lot.objects.select_for_update().get(pk=lot.pk)
        if lot.tender_id != locked.pk:
            raise TenderError("That lot is not part of this tender", code="unknown_lot")
        if lot.is_cancelled:
            raise TenderStateError(f"Lot {lot.number} is cancelled", code="lot_cancelled")
        if lot.awards.exists():
            raise TenderStateError(f"Lot {lot.number} is awarded already", code="lot_awarded")
    live = selectors.live_evaluation(tender=locked, lot=lot)
    if live.evaluation is None or not live.complete:
        raise TenderError(
            "Moderate every score before you award the contract", code="moderation_incomplete"
        )
    winner = live.evaluation.winner
    if winner is None:
        raise TenderError("Every bid was excluded, so there is no winner", code="no_winner")
    winning_bid = selectors.opened_bids(tender=locked, lot=lot).get(supplier__name=winner.bidder)
    start = standstill_start or timezone.localdate()
    computed_end, end, why_later = _standstill(start, standstill_end_override, standstill_reason)
    award = Award(
        tender=locked,
        lot=lot,
        winning_bid=winning_bid,
        decision=decision,
        reasons=reasons,
        standstill_start=start,
        standstill_end=end,
        evaluation_document=tender_document(live.evaluation.tender),
        decided_by=actor,
    )
    award.full_clean()
    award.save()
    data = {
        "winner": winner.bidder,
        "total": str(winner.total),
        "standstill_end": award.standstill_end.isoformat(),
    }
    later = ""
    if why_later:
        data |= {
            "standstill_end_computed": computed_end.isoformat(),
            "standstill_reason": why_later,
        }
        later = f" (set later than {computed_end:%d %b %Y}: {why_later[:200]})"
    if lot is None:
        _transition(
            locked,
            to=TenderStatus.AWARDED,
            actor=actor,
            action="awarded",
            summary=f"Tender {locked.reference} awarded to {winner.bidder}; standstill until "
            f"{award.standstill_end:%d %b %Y}{later}",
            data=data,
        )
    else:
        audit_record(
            action="tender.lot_awarded",
            summary=f"Lot {lot.number} of tender {locked.reference} awarded to {winner.bidder}; "
            f"standstill until {award.standstill_end:%d %b %Y}{later}",
            actor=actor,
            organisation=locked.organisation,
            obj=award,
            data={"lot": str(lot.number), **data},
        )
        if _all_lots_decided(locked):
            _transition(
                locked,
                to=TenderStatus.AWARDED,
                actor=actor,
                action="awarded",
                summary=f"Every lot of tender {locked.reference} is awarded or cancelled",
            )
    # The winning commitments become the contract's KPIs (delivery monitoring builds on it).
    contract_create_from_award(award=award, actor=actor)
    return award


# --- documents ---------------------------------------------------------------------------------

#: File types people may upload, by extension, with the content type they are served with.
UPLOAD_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
UPLOAD_MAX_BYTES = 10 * 1024 * 1024


def _check_upload(upload: Any) -> tuple[str, str]:
    from pathlib import PurePath

    name = PurePath(str(upload.name)).name[:200] or "document"
    suffix = PurePath(name).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        raise TenderError(
            "The selected file must be a PDF, Word, Excel, OpenDocument, CSV, text, PNG or JPEG "
            "file",
            code="file_type",
        )
    if upload.size > UPLOAD_MAX_BYTES:
        raise TenderError("The selected file must be smaller than 10MB", code="file_size")
    if upload.size == 0:
        raise TenderError("The selected file is empty", code="file_empty")
    return name, UPLOAD_TYPES[suffix]


@transaction.atomic
def document_add(*, tender: Tender, actor: Any, upload: Any) -> Document:
    """Attach a document to a draft or published tender (public once the tender is)."""
    locked = _lock_tender(tender)
    _require_status(locked, TenderStatus.DRAFT, TenderStatus.PUBLISHED, action="add documents to")
    name, content_type = _check_upload(upload)
    document = Document(
        tender=locked, title=name, content_type=content_type, size=upload.size, uploaded_by=actor
    )
    document.file.save(name, upload, save=False)
    document.full_clean()
    document.save()
    audit_record(
        action="tender.document_added",
        summary=f"Document {name} added to tender {locked.reference}",
        actor=actor,
        organisation=locked.organisation,
        obj=document,
        data={"size": upload.size},
    )
    return document


def bid_document_add(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    upload: Any,
    now: datetime | None = None,
    lot: Lot | None = None,
    criterion: Criterion | None = None,
) -> Document:
    """Attach a file to the supplier's draft bid, or to one of its answers (``criterion``);
    sealed like the bid itself."""
    _refuse_after_deadline(
        tender=tender, supplier=supplier, actor=actor, action="attach to", now=now
    )
    _check_lot(tender, lot)
    return _bid_document_add(
        tender=tender,
        supplier=supplier,
        actor=actor,
        upload=upload,
        now=now,
        lot=lot,
        criterion=criterion,
    )


@transaction.atomic
def _bid_document_add(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    upload: Any,
    now: datetime | None,
    lot: Lot | None,
    criterion: Criterion | None,
) -> Document:
    bid = _locked_bid(tender, supplier, lot)
    if criterion is not None and criterion.pk not in {
        c.pk for c in selectors.response_criteria(tender=tender)
    }:
        raise TenderError("That question is not part of this tender", code="unknown_criterion")
    if tender.deadline_passed(now):
        raise DeadlinePassedError("The deadline for this tender has passed", code="deadline_passed")
    if bid.status == BidStatus.SUBMITTED:
        raise TenderStateError(
            "Your bid has been submitted. Withdraw it before you change it",
            code="already_submitted",
        )
    name, content_type = _check_upload(upload)
    document = Document(
        tender=tender,
        bid=bid,
        criterion=criterion,
        title=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    document.file.save(name, upload, save=False)
    document.full_clean()
    document.save()
    audit_record(
        action="bid.document_added",
        summary=f"{supplier.name} attached a file to its bid for {tender.reference}"
        f"{_lot_words(lot)}" + (f" (answer to {criterion.name})" if criterion else ""),
        actor=actor,
        organisation=supplier,
        obj=document,
    )
    return document


def _delete_file_after_commit(document: Document) -> None:
    """Delete the stored file only once the row's removal has committed: if the transaction
    rolls back, the row still points at a file that is still there."""
    storage, name = document.file.storage, document.file.name
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def document_remove(
    *, tender: Tender, document: Document, actor: Any, reason: str, now: datetime | None = None
) -> None:
    """Remove a tender document while the tender is a draft, or published before its deadline
    (after that, bidders may have relied on it)."""
    locked = _lock_tender(tender)
    _require_status(
        locked, TenderStatus.DRAFT, TenderStatus.PUBLISHED, action="remove documents from"
    )
    if locked.status == TenderStatus.PUBLISHED and locked.deadline_passed(now):
        raise DeadlinePassedError(
            "The deadline for this tender has passed. Its documents can no longer be removed",
            code="deadline_passed",
        )
    row = (
        Document.objects.select_for_update()
        .filter(pk=document.pk, tender=locked, bid__isnull=True)
        .first()
    )
    if row is None:
        raise TenderError("That document is not part of this tender", code="unknown_document")
    if not reason.strip():
        raise TenderError("Enter why you are removing the document", code="reason_required")
    title, size = row.title, row.size
    _delete_file_after_commit(row)
    row.delete()
    audit_record(
        action="tender.document_removed",
        summary=f"Document {title} removed from tender {locked.reference}: {reason.strip()[:300]}",
        actor=actor,
        organisation=locked.organisation,
        obj=locked,
        data={"document": title, "size": size, "reason": reason.strip()},
    )


def bid_document_remove(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    document: Document,
    now: datetime | None = None,
    lot: Lot | None = None,
) -> None:
    """Remove a file from the supplier's draft bid (or one of its answers) before the deadline."""
    _refuse_after_deadline(
        tender=tender, supplier=supplier, actor=actor, action="remove a file from", now=now
    )
    _check_lot(tender, lot)
    _bid_document_remove(
        tender=tender, supplier=supplier, actor=actor, document=document, now=now, lot=lot
    )


@transaction.atomic
def _bid_document_remove(
    *,
    tender: Tender,
    supplier: Organisation,
    actor: Any,
    document: Document,
    now: datetime | None,
    lot: Lot | None,
) -> None:
    bid = _locked_bid(tender, supplier, lot)
    if tender.deadline_passed(now):  # checked again under the lock
        raise DeadlinePassedError("The deadline for this tender has passed", code="deadline_passed")
    row = Document.objects.select_for_update().filter(pk=document.pk, bid=bid).first()
    if row is None:
        raise TenderError("That file is not attached to your bid", code="unknown_document")
    if bid.status == BidStatus.SUBMITTED:
        raise TenderStateError(
            "Your bid has been submitted. Withdraw it before you change it",
            code="already_submitted",
        )
    title, criterion = row.title, row.criterion
    _delete_file_after_commit(row)
    row.delete()
    # Recorded against the supplier, like every bid event before the deadline.
    audit_record(
        action="bid.document_removed",
        summary=f"{supplier.name} removed the file {title} from its bid for {tender.reference}"
        f"{_lot_words(lot)}" + (f" (answer to {criterion.name})" if criterion else ""),
        actor=actor,
        organisation=supplier,
        obj=bid,
        data={"document": title},
    )


# --- supplier self-registration ----------------------------------------------------------------


def registration_problems(
    *, organisation_name: str, postcode: str, email: str, username: str
) -> dict[str, ValidationError]:
    """What stops this registration, by form field (empty when nothing does).

    A second supplier with the same name and postcode is refused, so one business cannot be
    registered over and over without anyone noticing; its people should be invited instead.
    """
    from django.contrib.auth import get_user_model

    people = get_user_model().objects
    problems: dict[str, ValidationError] = {}
    if (
        organisation_name
        and postcode
        and Organisation.objects.filter(
            kind=OrganisationKind.SUPPLIER, name__iexact=organisation_name, postcode=postcode
        ).exists()
    ):
        problems["organisation_name"] = ValidationError(
            "An organisation with this name and postcode is already registered. "
            "Ask its admin to invite you",
            code="organisation_exists",
        )
    if username and people.filter(username__iexact=username).exists():
        problems["username"] = ValidationError(
            "That username is taken. Choose another one", code="username_taken"
        )
    if email and people.filter(email__iexact=email).exists():
        problems["email"] = ValidationError(
            "An account already uses this email address. Sign in instead, or use another one",
            code="email_taken",
        )
    return problems


def _unique_slug(name: str) -> str:
    base = slugify(name)[:60].strip("-") or "supplier"
    slug = base
    while Organisation.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


@transaction.atomic
def supplier_register(
    *,
    organisation_name: str,
    postcode: str,
    first_name: str,
    last_name: str,
    email: str,
    username: str,
    password: str,
    tender: Tender | None = None,
) -> Membership:
    """Register a supplier organisation and its first person, who becomes its admin.

    Uses the accounts services for the organisation, the user (Django's password validators)
    and the membership, in one transaction: if anything is refused, nothing is created. Raises
    ``ValidationError`` keyed by the registration form's fields.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password

    from socialvalue.web.accounts.services import (
        membership_create,
        organisation_create,
        user_create,
    )

    name = " ".join(organisation_name.split())
    email = email.strip().lower()
    problems = registration_problems(
        organisation_name=name, postcode=postcode, email=email, username=username
    )
    if problems:
        raise ValidationError(problems)
    person = get_user_model()(
        username=username, email=email, first_name=first_name, last_name=last_name
    )
    try:
        validate_password(password, person)
    except ValidationError as error:
        raise ValidationError({"password": error.error_list}) from None
    organisation = organisation_create(
        name=name, slug=_unique_slug(name), kind=OrganisationKind.SUPPLIER, postcode=postcode
    )
    user = user_create(
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    membership = membership_create(
        user=user, organisation=organisation, role=Role.ADMIN, actor=user
    )
    audit_record(
        action="supplier.registered",
        summary=f"{username} registered {name} ({postcode}) as a supplier"
        + (f" from the opportunity {tender.reference}" if tender is not None else ""),
        actor=user,
        organisation=organisation,
        obj=organisation,
        data={"postcode": postcode, "tender": tender.reference if tender is not None else ""},
    )
    return membership
