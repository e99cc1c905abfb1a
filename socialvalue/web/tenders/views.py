"""Tender pages for officers, evaluators, suppliers and the public.

Views validate, call one service and render. Which rows a person may read is decided in
``selectors.py`` (bids are sealed there, not here).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialvalue.evaluation import model as engine_model
from socialvalue.exceptions import PermissionDeniedError, TenderError
from socialvalue.reports.words import sensitivity_sentences
from socialvalue.web.accounts.middleware import SESSION_KEY
from socialvalue.web.http import OrgHttpRequest
from socialvalue.web.permissions import Perm, permission_required, public
from socialvalue.web.tenancy import get_in_organisation_or_404
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.forms import (
    AnswerForm,
    AssignForm,
    AwardForm,
    BidDocumentForm,
    BidForm,
    CancelForm,
    ClarificationForm,
    CriterionForm,
    DeclarationForm,
    DocumentForm,
    DocumentRemoveForm,
    LotForm,
    ModerationForm,
    ScoreForm,
    ScoringForm,
    SupplierRegistrationForm,
    TenderCreateForm,
    TenderForm,
    WeightsForm,
)
from socialvalue.web.tenders.models import BidStatus, Lot, ModerationRule, Tender, TenderStatus


def _tender(request: OrgHttpRequest, tender_id: int) -> Tender:
    assert request.org is not None
    return get_in_organisation_or_404(
        request, selectors.tenders_for_organisation(organisation=request.org), pk=tender_id
    )


def _lot(tender: Tender, lot_id: int | None) -> Lot | None:
    """The tender's lot from the URL (404 for another tender's), or ``None`` without one."""
    if lot_id is None:
        return None
    return get_object_or_404(tender.lots.all(), pk=lot_id)


def _data(request: OrgHttpRequest) -> Any:
    """The posted data, or None for a GET (an empty POST is still a submitted form)."""
    return request.POST if request.method == "POST" else None


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _framework_versions(request: OrgHttpRequest) -> list[Any]:
    assert request.org is not None
    return selectors.framework_versions_for(organisation=request.org)


# --- officer: set-up ---------------------------------------------------------------------------


@require_GET
@permission_required(Perm.VIEW_TENDERS)
def tender_list(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    tenders = selectors.tenders_for_organisation(organisation=request.org)
    return render(request, "tenders/list.html", {"tenders": tenders})


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def tender_create(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    form = TenderCreateForm(_data(request), versions=_framework_versions(request))
    if request.method == "POST" and form.is_valid():
        try:
            tender = services.tender_create(
                organisation=request.org,
                actor=request.user,
                reference=form.cleaned_data["reference"],
                preset=form.cleaned_data["preset"],
                **form.service_kwargs(),
            )
        except (TenderError, PermissionDeniedError, ValidationError) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, f"Draft tender {tender.reference} created.")
            return redirect("tenders:criteria", tender.pk)
    return render(request, "tenders/form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def tender_edit(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    if not tender.is_draft:
        messages.error(request, "Only a draft tender can be changed.")
        return redirect("tenders:detail", tender.pk)
    form = TenderForm(
        _data(request),
        initial=TenderForm.initial_for(tender),
        versions=_framework_versions(request),
    )
    form.fields["reference"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_update(
                tender=tender,
                actor=request.user,
                expected_version=int(request.POST.get("version") or 0),
                **form.service_kwargs(),
            )
        except (TenderError, PermissionDeniedError, ValidationError) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "Tender details saved.")
            return redirect("tenders:detail", tender.pk)
    return render(request, "tenders/form.html", {"form": form, "tender": tender})


@require_GET
@permission_required(Perm.VIEW_TENDERS)
def tender_detail(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    context = {
        "tender": tender,
        "rows": selectors.criteria_rows(tender=tender),
        "check": selectors.tender_criteria_check(tender=tender),
        "bids_open": selectors.bids_are_open(tender=tender),
        "bids": selectors.opened_bids(tender=tender),
        "assignments": selectors.assignments_for_tender(tender=tender),
        "clarifications": tender.clarifications.all(),
        "answer_form": AnswerForm(),
        "documents": selectors.tender_documents(tender=tender),
        "document_form": DocumentForm(),
        "award": getattr(tender, "award", None),
        "lots": selectors.lot_rows(tender=tender),
        "now": timezone.now(),
    }
    return render(request, "tenders/detail.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def tender_criteria(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    """Weights with the engine's policy check live (HTMX posts here to re-check without saving)."""
    tender = _tender(request, tender_id)
    rows = selectors.criteria_rows(tender=tender)
    form = WeightsForm(_data(request), criteria=rows)
    check = selectors.tender_criteria_check(tender=tender)
    if request.method == "POST" and form.is_valid():
        if request.htmx:
            # Check the weights typed so far, without saving them.
            for row in rows:
                row.criterion.weight = form.weights()[row.criterion.pk]
            check = services_preview_check(tender, [r.criterion for r in rows])
            return render(request, "tenders/criteria.html#policy", {"check": check})
        try:
            services.criteria_set_weights(tender=tender, actor=request.user, weights=form.weights())
        except TenderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Weights saved.")
            return redirect("tenders:criteria", tender.pk)
    elif request.method == "POST" and request.htmx:
        return render(request, "tenders/criteria.html#policy", {"check": check, "form": form})
    parents = _parents(rows)
    choices = selectors.sv_scoring_choices(tender=tender)
    return render(
        request,
        "tenders/criteria.html",
        {
            "tender": tender,
            "rows": rows,
            "form": form,
            "check": check,
            "scoring_choices": choices,
            "criterion_form": CriterionForm(parents=parents, scoring_choices=choices),
            "bound": list(zip(rows, [form[f"weight_{r.criterion.pk}"] for r in rows], strict=True)),
        },
    )


def services_preview_check(tender: Tender, criteria: list[Any]) -> Any:
    """The engine's check of unsaved weights (nothing is written)."""
    from socialvalue.web.tenders.engine import criteria_check

    return criteria_check(tender, criteria)


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def criterion_add(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    rows = selectors.criteria_rows(tender=tender)
    choices = selectors.sv_scoring_choices(tender=tender)
    form = CriterionForm(request.POST, parents=_parents(rows), scoring_choices=choices)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.criterion_add(
                tender=tender,
                actor=request.user,
                name=data["name"],
                kind=data["kind"],
                weight=data["weight"],
                parent=data["parent"],
                question=data["question"],
                scale_max=data["scale_max"],
                threshold=data["threshold"],
                price_method=data["price_method"],
                measure_id=data["measure_id"],
                sv_scoring=data["sv_scoring"],
            )
        except (TenderError, ValidationError) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, f"Criterion {data['name']} added.")
            return redirect("tenders:criteria", tender.pk)
    weights = WeightsForm(criteria=rows)
    return render(
        request,
        "tenders/criteria.html",
        {
            "tender": tender,
            "rows": rows,
            "form": form,
            "criterion_form": form,
            "scoring_choices": choices,
            "check": selectors.tender_criteria_check(tender=tender),
            "bound": list(
                zip(rows, [weights[f"weight_{r.criterion.pk}"] for r in rows], strict=True)
            ),
        },
    )


def _parents(rows: list[Any]) -> list[Any]:
    """Criteria a new criterion may be a part of (not price, pass/fail or commitment-scored)."""
    return [
        r.criterion
        for r in rows
        if r.criterion.kind not in {"price", "pass_fail"} and not r.criterion.scores_commitments
    ]


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def criterion_scoring(request: OrgHttpRequest, tender_id: int, criterion_id: int) -> HttpResponse:
    """Choose how a social value criterion is scored (draft only)."""
    tender = _tender(request, tender_id)
    criterion = get_in_organisation_or_404(request, tender.criteria.all(), pk=criterion_id)
    form = ScoringForm(request.POST, scoring_choices=selectors.sv_scoring_choices(tender=tender))
    if not form.is_valid():
        messages.error(request, "Choose how the criterion is scored.")
        return redirect("tenders:criteria", tender.pk)
    try:
        services.criterion_set_scoring(
            criterion=criterion, actor=request.user, sv_scoring=form.cleaned_data["sv_scoring"]
        )
    except (TenderError, ValidationError) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, f"Scoring of {criterion.name} saved.")
    return redirect("tenders:criteria", tender.pk)


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def criterion_delete(request: OrgHttpRequest, tender_id: int, criterion_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    criterion = get_in_organisation_or_404(request, tender.criteria.all(), pk=criterion_id)
    try:
        services.criterion_delete(criterion=criterion, actor=request.user)
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Criterion {criterion.name} removed.")
    return redirect("tenders:criteria", tender.pk)


# --- officer: lots ------------------------------------------------------------------------------


def _lot_error(form: LotForm, error: Exception) -> None:
    """A duplicate number goes on the number field; anything else above the form."""
    if isinstance(error, ValidationError):
        _add_errors(form, error)
    elif getattr(error, "code", "") == "duplicate_lot":
        form.add_error("number", str(error))
    else:
        form.add_error(None, str(error))


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def lots(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    """The tender's lots; while it is a draft, add one here."""
    tender = _tender(request, tender_id)
    form = LotForm(_data(request))
    if request.method == "POST" and not tender.is_draft:
        messages.error(request, "Lots cannot change once the tender is published.")
        return redirect("tenders:lots", tender.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lot = services.lot_add(
                tender=tender,
                actor=request.user,
                number=data["number"],
                title=data["title"],
                description=data["description"],
                estimated_value_pence=data["estimated_value"],
            )
        except (TenderError, ValidationError) as error:
            _lot_error(form, error)
        else:
            messages.success(request, f"{lot} added.")
            return redirect("tenders:lots", tender.pk)
    return render(
        request,
        "tenders/lots.html",
        {"tender": tender, "lots": selectors.lot_rows(tender=tender), "form": form},
    )


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def lot_edit(request: OrgHttpRequest, tender_id: int, lot_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    lot = _lot(tender, lot_id)
    assert lot is not None
    if not tender.is_draft:
        messages.error(request, "Lots cannot change once the tender is published.")
        return redirect("tenders:lots", tender.pk)
    initial = {
        "number": lot.number,
        "title": lot.title,
        "description": lot.description,
        "estimated_value": ""
        if lot.estimated_value_pence is None
        else f"{Decimal(lot.estimated_value_pence) / 100:.2f}",
    }
    form = LotForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.lot_update(
                lot=lot,
                actor=request.user,
                number=data["number"] or lot.number,
                title=data["title"],
                description=data["description"],
                estimated_value_pence=data["estimated_value"],
            )
        except (TenderError, ValidationError) as error:
            _lot_error(form, error)
        else:
            messages.success(request, f"Lot {data['number'] or lot.number} saved.")
            return redirect("tenders:lots", tender.pk)
    return render(request, "tenders/lot_form.html", {"tender": tender, "lot": lot, "form": form})


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def lot_delete(request: OrgHttpRequest, tender_id: int, lot_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    lot = _lot(tender, lot_id)
    assert lot is not None
    try:
        services.lot_delete(lot=lot, actor=request.user)
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{lot} removed.")
    return redirect("tenders:lots", tender.pk)


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def lot_cancel(request: OrgHttpRequest, tender_id: int, lot_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    lot = _lot(tender, lot_id)
    assert lot is not None
    form = CancelForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.lot_cancel(lot=lot, actor=request.user, reason=form.cleaned_data["reason"])
        except TenderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Lot {lot.number} is cancelled.")
            return redirect("tenders:detail", tender.pk)
    return render(request, "tenders/cancel.html", {"tender": tender, "lot": lot, "form": form})


def _transition_view(request: OrgHttpRequest, tender_id: int, action: str) -> HttpResponse:
    tender = _tender(request, tender_id)
    try:
        if action == "publish":
            services.tender_publish(tender=tender, actor=request.user)
            done = "The tender is published."
        elif action == "close":
            services.tender_close(tender=tender, actor=request.user)
            done = "The tender is closed and the bids are open."
        else:
            services.tender_start_evaluation(tender=tender, actor=request.user)
            done = "Evaluation has started."
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("tenders:detail", tender.pk)


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def tender_publish(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    return _transition_view(request, tender_id, "publish")


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def tender_close(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    return _transition_view(request, tender_id, "close")


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def tender_start_evaluation(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    return _transition_view(request, tender_id, "evaluate")


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def tender_cancel(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    form = CancelForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.tender_cancel(
                tender=tender, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except TenderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The tender is cancelled.")
            return redirect("tenders:detail", tender.pk)
    return render(request, "tenders/cancel.html", {"tender": tender, "form": form})


@require_GET
@permission_required(Perm.VIEW_TENDERS)
def bid_detail(request: OrgHttpRequest, tender_id: int, bid_id: int) -> HttpResponse:
    """A buyer reads one opened bid; before the bids are opened this is a 404 for every bid."""
    tender = _tender(request, tender_id)
    bid = get_object_or_404(selectors.opened_bids(tender=tender), pk=bid_id)
    return render(request, "tenders/bid_detail.html", {"tender": tender, "bid": bid})


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def clarification_answer(
    request: OrgHttpRequest, tender_id: int, clarification_id: int
) -> HttpResponse:
    tender = _tender(request, tender_id)
    clarification = get_in_organisation_or_404(
        request, tender.clarifications.all(), pk=clarification_id
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        services.clarification_answer(
            clarification=clarification, actor=request.user, answer=form.cleaned_data["answer"]
        )
        messages.success(request, "The answer is published to every bidder.")
    else:
        messages.error(request, "Enter the answer")
    return redirect("tenders:detail", tender.pk)


# --- officer: evaluators, moderation, award ----------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def evaluators(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    assert request.org is not None
    people = [
        m.user for m in request.org.memberships.filter(role="evaluator").select_related("user")
    ]
    criteria = selectors.scored_criteria(tender=tender)
    form = AssignForm(_data(request), evaluators=people, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluator_assign(
                tender=tender,
                actor=request.user,
                evaluator=form.cleaned_data["evaluator"],
                criteria=form.cleaned_data["criteria"],
            )
        except (TenderError, PermissionDeniedError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Evaluator assigned.")
            return redirect("tenders:evaluators", tender.pk)
    return render(
        request,
        "tenders/evaluators.html",
        {
            "tender": tender,
            "form": form,
            "assignments": selectors.assignments_for_tender(tender=tender),
        },
    )


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def evaluator_remove(request: OrgHttpRequest, tender_id: int, assignment_id: int) -> HttpResponse:
    """Take an evaluator off the tender, before they submit their scores."""
    tender = _tender(request, tender_id)
    assignment = get_object_or_404(
        selectors.assignments_for_tender(tender=tender), pk=assignment_id
    )
    name = assignment.evaluator.get_full_name() or assignment.evaluator.get_username()
    try:
        services.evaluator_unassign(assignment=assignment, actor=request.user)
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{name} is no longer an evaluator on this tender.")
    return redirect("tenders:evaluators", tender.pk)


def _moderation_context(
    tender: Tender, errors: dict[tuple[int, int], str] | None = None, lot: Lot | None = None
) -> dict[str, Any]:
    cells = selectors.moderation_cells(tender=tender, lot=lot)
    live = selectors.live_evaluation(tender=tender, cells=cells, lot=lot)
    sensitivity = selectors.live_sensitivity(live=live)
    lot_rows = selectors.lot_rows(tender=tender)
    decided = lot is not None and (
        lot.is_cancelled or any(r.award is not None for r in lot_rows if r.lot.pk == lot.pk)
    )
    return {
        "tender": tender,
        "lot": lot,
        "lots": lot_rows,
        # Scores of an awarded or cancelled lot are read-only, as a whole awarded tender's are.
        "editable": tender.status == TenderStatus.EVALUATING and not decided,
        "cells": [
            (
                cell,
                ModerationForm(
                    prefix=f"m{cell.bid.pk}-{cell.criterion.pk}",
                    initial={
                        "value": cell.moderated.value
                        if cell.moderated
                        else (cell.scores[0].value if cell.agreed and cell.scores else None),
                        "rationale": cell.moderated.rationale if cell.moderated else "",
                    },
                ),
                (errors or {}).get((cell.bid.pk, cell.criterion.pk), ""),
            )
            for cell in cells
        ],
        "live": live,
        "sensitivity": sensitivity,
        "sensitivity_sentences": sensitivity_sentences(live.evaluation, sensitivity)
        if live.evaluation is not None and sensitivity is not None
        else [],
        "full_samples": f"{engine_model.SensitivitySettings().samples:,}",
        "live_samples": f"{selectors.LIVE_SENSITIVITY_SAMPLES:,}",
        "average_rule": tender.moderation_rule == ModerationRule.AVERAGE,
    }


@require_GET
@permission_required(Perm.MANAGE_TENDERS)
def moderation(request: OrgHttpRequest, tender_id: int, lot_id: int | None = None) -> HttpResponse:
    """Moderation of a tender, or of one lot (each lot is ranked and awarded on its own)."""
    tender = _tender(request, tender_id)
    lot = _lot(tender, lot_id)
    if tender.status not in {TenderStatus.EVALUATING, TenderStatus.AWARDED}:
        messages.error(request, "Moderation opens once evaluation has started.")
        return redirect("tenders:detail", tender.pk)
    if lot is None:
        first = tender.lots.first()
        if first is not None:
            return redirect("tenders:lot_moderation", tender.pk, first.pk)
    return render(request, "tenders/moderation.html", _moderation_context(tender, lot=lot))


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def moderate(
    request: OrgHttpRequest, tender_id: int, bid_id: int, criterion_id: int
) -> HttpResponse:
    tender = _tender(request, tender_id)
    bid = get_object_or_404(selectors.opened_bids(tender=tender), pk=bid_id)
    criterion = get_in_organisation_or_404(request, tender.criteria.all(), pk=criterion_id)
    form = ModerationForm(request.POST, prefix=f"m{bid.pk}-{criterion.pk}")
    error = ""
    if form.is_valid():
        try:
            services.moderation_save(
                tender=tender,
                actor=request.user,
                bid=bid,
                criterion=criterion,
                value=form.cleaned_data["value"],
                rationale=form.cleaned_data["rationale"],
                expected_version=form.cleaned_data["version"],
            )
        except (TenderError, ValidationError) as exc:
            error = _error_text(exc)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx:
        context = _moderation_context(
            tender, {(bid.pk, criterion.pk): error} if error else None, lot=bid.lot
        )
        return render(request, "tenders/moderation.html#moderation-body", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, f"Moderated score saved for {bid.supplier.name} on {criterion.name}."
        )
    if bid.lot_id is not None:
        return redirect("tenders:lot_moderation", tender.pk, bid.lot_id)
    return redirect("tenders:moderation", tender.pk)


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def moderation_average(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    try:
        count = services.moderation_apply_average(tender=tender, actor=request.user)
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{count} scores set to the evaluators' mean.")
    return redirect("tenders:moderation", tender.pk)


#: Award refusals shown beside the field they are about (the rest above the form).
AWARD_ERROR_FIELDS = {
    "standstill_too_short": "standstill_end",
    "standstill_reason_required": "standstill_reason",
}


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def award(request: OrgHttpRequest, tender_id: int, lot_id: int | None = None) -> HttpResponse:
    """Award the tender, or one of its lots, to the bid the engine ranks first."""
    tender = _tender(request, tender_id)
    lot = _lot(tender, lot_id)
    if tender.status != TenderStatus.EVALUATING:
        messages.error(request, "A tender can be awarded only while it is being evaluated.")
        return redirect("tenders:detail", tender.pk)
    if lot is None and tender.has_lots:
        messages.error(request, "Award each lot on its own: choose the lot below.")
        return redirect("tenders:detail", tender.pk)
    if lot is not None and (lot.is_cancelled or lot.awards.exists()):
        messages.error(request, f"Lot {lot.number} is already awarded or cancelled.")
        return redirect("tenders:detail", tender.pk)
    live = selectors.live_evaluation(tender=tender, lot=lot)
    winner = live.evaluation.winner if live.evaluation is not None else None
    form = AwardForm(
        _data(request),
        initial={
            "standstill_start": timezone.localdate(),
            "decision": f"Award the contract to {winner.bidder}, the most advantageous tender."
            if winner
            else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            award_row = services.tender_award(
                tender=tender,
                actor=request.user,
                lot=lot,
                decision=data["decision"],
                reasons=data["reasons"],
                standstill_start=data["standstill_start"],
                standstill_end_override=data["standstill_end"],
                standstill_reason=data["standstill_reason"],
            )
        except (TenderError, ValidationError) as error:
            field = AWARD_ERROR_FIELDS.get(getattr(error, "code", "") or "")
            form.add_error(field, _error_text(error))
        else:
            what = "The contract is" if lot is None else f"Lot {lot.number} is"
            end = award_row.standstill_end
            messages.success(
                request,
                f"{what} awarded. The standstill period has started and ends on "
                f"{end.day} {end:%B %Y}.",
            )
            return redirect("tenders:detail", tender.pk)
    action = (
        reverse("tenders:award", args=[tender.pk])
        if lot is None
        else reverse("tenders:lot_award", args=[tender.pk, lot.pk])
    )
    return render(
        request,
        "tenders/award.html",
        {"tender": tender, "lot": lot, "form": form, "live": live, "action": action},
    )


REPORT_FORMATS = {"html", "pdf", "xlsx"}


@require_GET
@permission_required(Perm.VIEW_TENDERS)
def award_report(
    request: OrgHttpRequest, tender_id: int, fmt: str, lot_id: int | None = None
) -> HttpResponse:
    tender = _tender(request, tender_id)
    lot = _lot(tender, lot_id)
    award_row = tender.award if lot is None else lot.awards.first()
    if award_row is None or fmt not in REPORT_FORMATS:
        raise Http404("No award report")
    content, content_type = selectors.award_report(award=award_row, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if fmt == "html" else "attachment"
    name = tender.reference if lot is None else f"{tender.reference}-lot-{lot.number}"
    response["Content-Disposition"] = f'{disposition}; filename="award-{name}.{fmt}"'
    return response


# --- evaluators --------------------------------------------------------------------------------


@require_GET
@permission_required(Perm.EVALUATE_TENDERS)
def evaluations(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    assignments = selectors.assignments_for_evaluator(user=request.user, organisation=request.org)
    return render(request, "tenders/evaluations.html", {"assignments": assignments})


def _assignment(request: OrgHttpRequest, assignment_id: int) -> Any:
    assert request.org is not None
    return get_in_organisation_or_404(
        request,
        selectors.assignments_for_evaluator(user=request.user, organisation=request.org),
        pk=assignment_id,
    )


def _scoring_context(
    assignment: Any, errors: dict[tuple[int, int], Any] | None = None
) -> dict[str, Any]:
    bids = list(selectors.bids_for_evaluator(assignment=assignment))
    own = selectors.own_scores(assignment=assignment)
    criteria = list(assignment.criteria.all())
    peers: dict[tuple[int, int], list[Any]] = {}
    for score in selectors.peer_scores(assignment=assignment):
        peers.setdefault((score.bid_id, score.criterion_id), []).append(score)
    files: dict[tuple[int | None, int | None], list[Any]] = {}
    for document in selectors.documents_for_evaluator(assignment=assignment):
        files.setdefault((document.bid_id, document.criterion_id), []).append(document)
    items = []
    for bid in bids:
        responses = {r.criterion_id: r.text for r in bid.responses.all()}
        cells = []
        for criterion in criteria:
            key = (bid.pk, criterion.pk)
            existing = own.get(key)
            form = (errors or {}).get(key) or ScoreForm(
                prefix=f"s{bid.pk}-{criterion.pk}",
                criterion=criterion,
                initial={
                    "value": existing.value if existing else None,
                    "reason": existing.reason if existing else "",
                },
            )
            cells.append(
                {
                    "criterion": criterion,
                    "form": form,
                    "score": existing,
                    "response": responses.get(criterion.pk, ""),
                    "peers": peers.get(key, []),
                    "documents": files.get(key, []),
                }
            )
        items.append({"bid": bid, "cells": cells, "commitments": list(bid.commitments.all())})
    total = len(bids) * len(criteria)
    return {
        "assignment": assignment,
        "tender": assignment.tender,
        "items": items,
        "scored": len(own),
        "total": total,
    }


@require_http_methods(["GET", "POST"])
@permission_required(Perm.EVALUATE_TENDERS)
def evaluation(request: OrgHttpRequest, assignment_id: int) -> HttpResponse:
    """Declare conflicts of interest first; then score the assigned criteria, alone."""
    assignment = _assignment(request, assignment_id)
    if assignment.declared_at is None:
        form = DeclarationForm(_data(request))
        if request.method == "POST" and form.is_valid():
            try:
                services.assignment_declare(
                    assignment=assignment,
                    actor=request.user,
                    has_conflict=form.cleaned_data["has_conflict"] == "yes",
                    details=form.cleaned_data["details"],
                )
            except (TenderError, PermissionDeniedError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Declaration recorded.")
                return redirect("tenders:evaluation", assignment.pk)
        return render(request, "tenders/declare.html", {"assignment": assignment, "form": form})
    if request.method == "POST":
        return redirect("tenders:evaluation", assignment.pk)
    return render(request, "tenders/evaluation.html", _scoring_context(assignment))


@require_POST
@permission_required(Perm.EVALUATE_TENDERS)
def score(
    request: OrgHttpRequest, assignment_id: int, bid_id: int, criterion_id: int
) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    bid = get_object_or_404(selectors.bids_for_evaluator(assignment=assignment), pk=bid_id)
    criterion = get_object_or_404(assignment.criteria.all(), pk=criterion_id)
    form = ScoreForm(request.POST, prefix=f"s{bid.pk}-{criterion.pk}", criterion=criterion)
    errors: dict[tuple[int, int], Any] = {}
    if form.is_valid():
        try:
            services.score_save(
                assignment=assignment,
                actor=request.user,
                bid=bid,
                criterion=criterion,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except (TenderError, PermissionDeniedError) as error:
            form.add_error(None, str(error))
    if form.errors:
        errors[(bid.pk, criterion.pk)] = form
    context = _scoring_context(assignment, errors)
    if request.htmx:
        cell = next(
            c
            for item in context["items"]
            if item["bid"].pk == bid.pk
            for c in item["cells"]
            if c["criterion"].pk == criterion.pk
        )
        context.update({"item": {"bid": bid}, "cell": cell, "saved": not form.errors})
        return render(request, "tenders/evaluation.html#score-cell", context)
    if form.errors:
        context["form"] = form
        return render(request, "tenders/evaluation.html", context, status=200)
    messages.success(request, f"Score saved for {bid.supplier.name} on {criterion.name}.")
    return redirect(reverse("tenders:evaluation", args=[assignment.pk]) + f"#bid-{bid.pk}")


@require_GET
@permission_required(Perm.EVALUATE_TENDERS)
def evaluation_document(
    request: OrgHttpRequest, assignment_id: int, document_id: int
) -> FileResponse:
    """A file a bidder attached to a question this evaluator scores (404 for any other, and for
    every file until the evaluator may read the bids)."""
    assignment = _assignment(request, assignment_id)
    return _serve(
        get_object_or_404(selectors.documents_for_evaluator(assignment=assignment), pk=document_id)
    )


@require_POST
@permission_required(Perm.EVALUATE_TENDERS)
def scores_submit(request: OrgHttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    try:
        services.scores_submit(assignment=assignment, actor=request.user)
    except (TenderError, PermissionDeniedError) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Your scores are submitted. You can now see the other evaluators' scores."
        )
    return redirect("tenders:evaluation", assignment.pk)


# --- public and suppliers ----------------------------------------------------------------------


@public
@require_GET
def opportunities(request: OrgHttpRequest) -> HttpResponse:
    return render(
        request, "tenders/opportunities.html", {"tenders": selectors.open_opportunities()}
    )


@public
@require_GET
def opportunity(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    tender = get_object_or_404(selectors.public_tenders(), pk=tender_id)
    can_bid = request.user.is_authenticated and request.user.has_perm(
        str(Perm.MANAGE_BIDS), getattr(request, "org", None)
    )
    mine = (
        selectors.supplier_lot_bids(organisation=request.org, tender=tender)
        if can_bid and request.org is not None
        else {}
    )
    return render(
        request,
        "tenders/opportunity.html",
        {
            "tender": tender,
            "lots": [(lot, mine.get(lot.pk)) for lot in selectors.tender_lots(tender=tender)],
            "rows": selectors.criteria_rows(tender=tender),
            "clarifications": selectors.clarifications_published(tender=tender),
            "documents": selectors.tender_documents(tender=tender),
            "can_bid": can_bid,
            "open": tender.status == TenderStatus.PUBLISHED and not tender.deadline_passed(),
            "question_form": ClarificationForm() if can_bid else None,
        },
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def supplier_register(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    """A small business registers its organisation and first user, then returns to the notice."""
    tender = get_object_or_404(selectors.public_tenders(), pk=tender_id)
    if request.user.is_authenticated:
        messages.info(request, "You are already signed in.")
        return redirect("tenders:opportunity", tender.pk)
    form = SupplierRegistrationForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.supplier_register(tender=tender, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[SESSION_KEY] = membership.organisation_id
            messages.success(
                request,
                f"{membership.organisation.name} is registered and you are signed in. "
                "You can now ask questions and bid.",
            )
            return redirect("tenders:opportunity", tender.pk)
    return render(request, "tenders/register.html", {"tender": tender, "form": form})


def _add_errors(form: Any, error: ValidationError) -> None:
    """Put a service's errors on the form's fields where they name one, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_GET
@permission_required(Perm.MANAGE_BIDS)
def my_bids(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    return render(
        request,
        "tenders/my_bids.html",
        {
            "bids": selectors.supplier_bids(organisation=request.org),
            "opportunities": selectors.open_opportunities(),
        },
    )


def _public_tender(tender_id: int) -> Tender:
    return get_object_or_404(selectors.public_tenders(), pk=tender_id)


def _bid_urls(tender: Tender, lot: Lot | None) -> dict[str, str]:
    """Where the bid page's forms and links go: per lot when the tender has lots."""
    prefix, args = ("", [tender.pk]) if lot is None else ("lot_", [tender.pk, lot.pk])
    return {
        key: reverse(f"tenders:{prefix}{name}", args=args)
        for key, name in {
            "save": "bid",
            "submit": "bid_submit",
            "withdraw": "bid_withdraw",
            "document_add": "bid_document_add",
            "summary": "bid_summary",
        }.items()
    }


def _bid_redirect(tender: Tender, lot: Lot | None) -> HttpResponse:
    if lot is None:
        return redirect("tenders:bid", tender.pk)
    return redirect("tenders:lot_bid", tender.pk, lot.pk)


def _bid_lot(request: OrgHttpRequest, tender: Tender, lot_id: int | None) -> Lot | None:
    """The lot bid for, from the URL. A tender with lots has no bid page without one."""
    lot = _lot(tender, lot_id)
    if lot is None and tender.has_lots:
        raise Http404("Choose a lot")
    return lot


def _bid_form(request: OrgHttpRequest, tender: Tender, bid: Any, data: Any = None) -> BidForm:
    initial: dict[str, Any] = {}
    if bid is not None:
        initial["price"] = (
            "" if bid.price_pence is None else f"{Decimal(bid.price_pence) / 100:.2f}"
        )
        initial["price_breakdown"] = bid.price_breakdown
        initial["price_lines"] = "\n".join(
            f"{line.description} | {line.quantity.normalize():f} | "
            f"{Decimal(line.unit_price_pence) / 100:.2f}"
            for line in bid.price_lines.all()
        )
        for response in bid.responses.all():
            initial[f"response_{response.criterion_id}"] = response.text
        for commitment in bid.commitments.all():
            initial[f"commit_{commitment.measure_id}"] = commitment.quantity.normalize()
    return BidForm(
        data,
        initial=initial,
        questions=selectors.response_criteria(tender=tender),
        measures=selectors.framework_measures(tender=tender),
    )


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_BIDS)
def bid(request: OrgHttpRequest, tender_id: int, lot_id: int | None = None) -> HttpResponse:
    """The supplier's own bid (for one lot, when the tender has lots): save a draft, then submit
    (or withdraw and change it)."""
    assert request.org is not None
    tender = _public_tender(tender_id)
    lot = _lot(tender, lot_id)
    if lot is None and tender.has_lots:
        messages.info(request, "This tender is divided into lots. Choose the lot to bid for.")
        return redirect("tenders:opportunity", tender.pk)
    mine = selectors.supplier_bid(organisation=request.org, tender=tender, lot=lot)
    form = _bid_form(request, tender, mine, _data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.bid_save(
                tender=tender,
                supplier=request.org,
                actor=request.user,
                price_pence=form.cleaned_data["price"],
                price_breakdown=form.cleaned_data["price_breakdown"],
                responses=form.responses(),
                commitments=[services.CommitmentInput(m, q) for m, q in form.commitments()],
                expected_version=int(request.POST.get("version") or 0) or None,
                lot=lot,
                price_lines=form.cleaned_data["price_lines"],
            )
        except (TenderError, ValidationError) as error:
            field = "price_lines" if getattr(error, "code", "") == "price_lines" else None
            form.add_error(field, _error_text(error))
        else:
            messages.success(request, "Your draft bid is saved. It is not submitted yet.")
            return _bid_redirect(tender, lot)
    return render(
        request,
        "tenders/bid.html",
        {
            "tender": tender,
            "lot": lot,
            "urls": _bid_urls(tender, lot),
            "commitment_criteria": selectors.commitment_criteria(tender=tender),
            "award": None if mine is None else selectors.award_for_bid(bid=mine),
            "bid": mine,
            "form": form,
            "document_form": BidDocumentForm(questions=selectors.response_criteria(tender=tender)),
            "open": tender.status == TenderStatus.PUBLISHED and not tender.deadline_passed(),
            "submitted": mine is not None and mine.status == BidStatus.SUBMITTED,
        },
    )


@require_POST
@permission_required(Perm.MANAGE_BIDS)
def bid_submit(request: OrgHttpRequest, tender_id: int, lot_id: int | None = None) -> HttpResponse:
    assert request.org is not None
    tender = _public_tender(tender_id)
    lot = _bid_lot(request, tender, lot_id)
    try:
        services.bid_submit(tender=tender, supplier=request.org, actor=request.user, lot=lot)
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Your bid is submitted. You can withdraw it and change it until the deadline."
        )
    return _bid_redirect(tender, lot)


@require_POST
@permission_required(Perm.MANAGE_BIDS)
def bid_withdraw(
    request: OrgHttpRequest, tender_id: int, lot_id: int | None = None
) -> HttpResponse:
    assert request.org is not None
    tender = _public_tender(tender_id)
    lot = _bid_lot(request, tender, lot_id)
    try:
        services.bid_withdraw(tender=tender, supplier=request.org, actor=request.user, lot=lot)
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, "Your bid is withdrawn. Change it and submit it again before the deadline."
        )
    return _bid_redirect(tender, lot)


@require_POST
@permission_required(Perm.MANAGE_BIDS)
def clarification_ask(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    assert request.org is not None
    tender = _public_tender(tender_id)
    form = ClarificationForm(request.POST)
    if form.is_valid():
        try:
            services.clarification_ask(
                tender=tender,
                supplier=request.org,
                actor=request.user,
                question=form.cleaned_data["question"],
            )
        except TenderError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Your question is sent. The answer will be published here.")
            return redirect("tenders:opportunity", tender.pk)
    else:
        messages.error(request, "Enter your question")
    return redirect("tenders:opportunity", tender.pk)


@require_GET
@permission_required(Perm.MANAGE_BIDS)
def bid_summary(request: OrgHttpRequest, tender_id: int, lot_id: int | None = None) -> HttpResponse:
    """The bidder's own assessment summary, after award (of the lot, when the tender has lots);
    nobody else's can be reached here."""
    assert request.org is not None
    tender = _public_tender(tender_id)
    lot = _bid_lot(request, tender, lot_id)
    mine = selectors.supplier_bid(organisation=request.org, tender=tender, lot=lot)
    award_row = tender.award if lot is None else lot.awards.first()
    if mine is None or award_row is None:
        raise Http404("No assessment summary")
    summary = selectors.bidder_summary(award=award_row, supplier=request.org)
    if summary is None:
        raise Http404("No assessment summary")
    response = render(
        request,
        "tenders/summary.html",
        {
            "tender": tender,
            "lot": lot,
            "summary": summary,
            "award": award_row,
            "urls": _bid_urls(tender, lot),
        },
    )
    if request.GET.get("download"):
        name = tender.reference if lot is None else f"{tender.reference}-lot-{lot.number}"
        response["Content-Disposition"] = f'attachment; filename="assessment-{name}.html"'
    return response


# --- documents ---------------------------------------------------------------------------------


def _serve(document: Any) -> FileResponse:
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.title,
        content_type=document.content_type,
    )


@require_POST
@permission_required(Perm.MANAGE_TENDERS)
def document_add(request: OrgHttpRequest, tender_id: int) -> HttpResponse:
    tender = _tender(request, tender_id)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(
                tender=tender, actor=request.user, upload=form.cleaned_data["document"]
            )
        except TenderError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Document added.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("document", [])))
    return redirect("tenders:detail", tender.pk)


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_TENDERS)
def document_remove(request: OrgHttpRequest, tender_id: int, document_id: int) -> HttpResponse:
    """Remove a tender document, with a reason, while the tender is a draft or open for bids."""
    tender = _tender(request, tender_id)
    document = get_object_or_404(selectors.tender_documents(tender=tender), pk=document_id)
    form = DocumentRemoveForm(_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.document_remove(
                tender=tender,
                document=document,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except TenderError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Document {document.title} removed.")
            return redirect("tenders:detail", tender.pk)
    return render(
        request,
        "tenders/document_remove.html",
        {"tender": tender, "document": document, "form": form},
    )


@require_GET
@permission_required(Perm.VIEW_TENDERS)
def tender_document(request: OrgHttpRequest, tender_id: int, document_id: int) -> FileResponse:
    tender = _tender(request, tender_id)
    document = get_object_or_404(selectors.tender_documents(tender=tender), pk=document_id)
    return _serve(document)


@require_GET
@permission_required(Perm.VIEW_TENDERS)
def bid_document_for_buyer(
    request: OrgHttpRequest, tender_id: int, bid_id: int, document_id: int
) -> FileResponse:
    """A bid's attachment, for the buyer: only once the bids are opened (404 before)."""
    tender = _tender(request, tender_id)
    bid_row = get_object_or_404(selectors.opened_bids(tender=tender), pk=bid_id)
    return _serve(get_object_or_404(bid_row.documents.all(), pk=document_id))


@public
@require_GET
def public_document(request: OrgHttpRequest, tender_id: int, document_id: int) -> FileResponse:
    document = get_object_or_404(
        selectors.public_tender_documents(tender_id=tender_id), pk=document_id
    )
    return _serve(document)


@require_POST
@permission_required(Perm.MANAGE_BIDS)
def bid_document_add(
    request: OrgHttpRequest, tender_id: int, lot_id: int | None = None
) -> HttpResponse:
    assert request.org is not None
    tender = _public_tender(tender_id)
    lot = _bid_lot(request, tender, lot_id)
    questions = selectors.response_criteria(tender=tender)
    form = BidDocumentForm(request.POST, request.FILES, questions=questions)
    if form.is_valid():
        try:
            services.bid_document_add(
                tender=tender,
                supplier=request.org,
                actor=request.user,
                upload=form.cleaned_data["document"],
                lot=lot,
                criterion=next(
                    (c for c in questions if c.pk == form.cleaned_data["question"]), None
                ),
            )
        except TenderError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "File attached to your draft bid.")
    else:
        messages.error(request, " ".join(str(e) for e in form.errors.get("document", [])))
    return _bid_redirect(tender, lot)


@require_POST
@permission_required(Perm.MANAGE_BIDS)
def bid_document_remove(
    request: OrgHttpRequest, tender_id: int, document_id: int, lot_id: int | None = None
) -> HttpResponse:
    """Remove one of the supplier's own files from its draft bid (another's is a 404)."""
    assert request.org is not None
    tender = _public_tender(tender_id)
    lot = _bid_lot(request, tender, lot_id)
    mine = selectors.supplier_bid(organisation=request.org, tender=tender, lot=lot)
    if mine is None:
        raise Http404("No bid")
    document = get_object_or_404(mine.documents.all(), pk=document_id)
    try:
        services.bid_document_remove(
            tender=tender, supplier=request.org, actor=request.user, document=document, lot=lot
        )
    except TenderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{document.title} removed from your draft bid.")
    return _bid_redirect(tender, lot)


@require_GET
@permission_required(Perm.MANAGE_BIDS)
def bid_document(
    request: OrgHttpRequest, tender_id: int, document_id: int, lot_id: int | None = None
) -> FileResponse:
    """The supplier's own attachment; another supplier's is a 404."""
    assert request.org is not None
    tender = _public_tender(tender_id)
    lot = _bid_lot(request, tender, lot_id)
    mine = selectors.supplier_bid(organisation=request.org, tender=tender, lot=lot)
    if mine is None:
        raise Http404("No bid")
    return _serve(get_object_or_404(mine.documents.all(), pk=document_id))
