"""Spend datasets: create, upload with a column check, watch the import, see the dashboard and
the rows behind every figure, download the report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialvalue.exceptions import CorrectionError, PlaceError, SpendDatasetError, SpendFileError
from socialvalue.spend.clean import pence_to_pounds
from socialvalue.spend.dataset import REASONS
from socialvalue.web.http import OrgHttpRequest
from socialvalue.web.permissions import Perm, permission_required
from socialvalue.web.spend import selectors, services
from socialvalue.web.spend.forms import (
    ColumnsForm,
    CorrectionForm,
    DatasetForm,
    PlacesForm,
    SupplierListForm,
    UploadForm,
)
from socialvalue.web.spend.models import ImportStatus, SpendDataset, SpendImport
from socialvalue.web.tenancy import get_in_organisation_or_404

REPORT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _bound(request: OrgHttpRequest) -> tuple[Any, Any]:
    """Form data and files on a POST (even an empty one, so its errors show), else unbound."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _dataset(request: OrgHttpRequest, dataset_id: int) -> SpendDataset:
    assert request.org is not None
    return get_in_organisation_or_404(
        request, selectors.datasets_for_organisation(organisation=request.org), pk=dataset_id
    )


def _import(request: OrgHttpRequest, dataset_id: int, import_id: int) -> SpendImport:
    assert request.org is not None
    return get_in_organisation_or_404(
        request,
        selectors.imports_for_organisation(organisation=request.org).filter(dataset_id=dataset_id),
        pk=import_id,
    )


def _can_manage(request: OrgHttpRequest) -> bool:
    return request.user.has_perm(str(Perm.MANAGE_SPEND), request.org)


@require_GET
@permission_required(Perm.VIEW_SPEND)
def dataset_list(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    return render(
        request,
        "spend/list.html",
        {
            "datasets": selectors.datasets_for_organisation(organisation=request.org),
            "can_manage": _can_manage(request),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_SPEND)
def dataset_create(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    form = DatasetForm(
        _bound(request)[0], initial={"publisher": request.org.name})
    if request.method == "POST" and form.is_valid():
        dataset = services.spend_dataset_create(
            organisation=request.org,
            name=form.cleaned_data["name"],
            publisher=form.cleaned_data["publisher"],
            actor=request.user,
        )
        messages.success(request, f"{dataset.name} created. Now upload its spend files.")
        return redirect("spend:upload", dataset_id=dataset.pk)
    return render(request, "spend/create.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_SPEND)
def upload(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    form = UploadForm(
        *_bound(request),
        initial={"publisher": dataset.publisher, "replace": request.GET.get("replace") == "1"},
        known=selectors.known_hashes(dataset=dataset),
    )
    if request.method == "POST" and form.is_valid():
        spend_import = services.spend_import_create(
            dataset=dataset,
            publisher=form.cleaned_data["publisher"],
            files=form.cleaned_data["uploads"],
            replace=form.cleaned_data["replace"],
            actor=request.user,
        )
        return redirect("spend:import_columns", dataset_id=dataset.pk, import_id=spend_import.pk)
    return render(request, "spend/upload.html", {"dataset": dataset, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_SPEND)
def import_columns(request: OrgHttpRequest, dataset_id: int, import_id: int) -> HttpResponse:
    spend_import = _import(request, dataset_id, import_id)
    if spend_import.status != ImportStatus.UPLOADED:
        return redirect("spend:import_detail", dataset_id=dataset_id, import_id=import_id)
    preview = selectors.import_preview(spend_import=spend_import)
    form = ColumnsForm(
        _bound(request)[0], headers=preview.headers, fields=preview.fields)
    blocked = bool(preview.duplicates) and not spend_import.replace
    if request.method == "POST" and form.is_valid():
        overrides = form.overrides()
        if "check" in request.POST:
            preview = selectors.import_preview(spend_import=spend_import, overrides=overrides)
        elif blocked:
            form.add_error(None, "A file is already in this dataset: upload it again and choose "
                           "“Replace files already imported”")
        else:
            services.spend_import_start(
                spend_import=spend_import, column_overrides=overrides, actor=request.user
            )
            return redirect("spend:import_detail", dataset_id=dataset_id, import_id=import_id)
    return render(
        request,
        "spend/import_columns.html",
        {
            "dataset": spend_import.dataset,
            "spend_import": spend_import,
            "preview": preview,
            "form": form,
            "blocked": blocked,
            "corrections_dropped": selectors.corrections_replaced(spend_import=spend_import),
        },
    )


def _reconciliation_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"reason": reason.replace("_", " "), "count": count}
        for reason, count in (summary.get("quarantined_by_reason") or {}).items()
    ]


@require_GET
@permission_required(Perm.VIEW_SPEND)
def import_detail(request: OrgHttpRequest, dataset_id: int, import_id: int) -> HttpResponse:
    spend_import = _import(request, dataset_id, import_id)
    template = "spend/import_detail.html"
    if request.htmx:
        template += "#progress"
    return render(
        request,
        template,
        {
            "dataset": spend_import.dataset,
            "spend_import": spend_import,
            "summary": spend_import.reconciliation,
            "reasons": _reconciliation_rows(spend_import.reconciliation),
            "can_manage": _can_manage(request),
        },
    )


@require_POST
@permission_required(Perm.MANAGE_SPEND)
def import_again(request: OrgHttpRequest, dataset_id: int, import_id: int) -> HttpResponse:
    """Read an import's kept files again, through the column check (after a mapping change)."""
    spend_import = _import(request, dataset_id, import_id)
    if not spend_import.finished:
        return redirect("spend:import_detail", dataset_id=dataset_id, import_id=import_id)
    try:
        again = services.spend_import_again(spend_import=spend_import, actor=request.user)
    except SpendFileError as error:
        messages.error(request, str(error))
        return redirect("spend:import_detail", dataset_id=dataset_id, import_id=import_id)
    return redirect("spend:import_columns", dataset_id=dataset_id, import_id=again.pk)


def _places_form(request: OrgHttpRequest, dataset: SpendDataset) -> tuple[PlacesForm, list[Any],
                                                                             int]:
    choices = selectors.place_choices()
    data = request.GET if ("place" in request.GET or "top" in request.GET) else None
    form = PlacesForm(
        data, choices=choices, initial={"place": selectors.dataset_places(dataset), "top": 300}
    )
    names = selectors.dataset_places(dataset)
    top = 300
    if data is not None and form.is_valid():
        names = form.cleaned_data["place"] or names
        top = form.cleaned_data["top"] or 300
    try:
        places = selectors.resolve_places(names)
    except PlaceError:
        places = []
    return form, places, top


@require_GET
@permission_required(Perm.VIEW_SPEND)
def dashboard(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    form, places, top = _places_form(request, dataset)
    context: dict[str, Any] = {
        "dataset": dataset,
        "form": form,
        "imports": selectors.latest_imports(dataset=dataset, limit=5),
        "can_manage": _can_manage(request),
        "summary": dataset.reconciliation,
        "reasons": _reconciliation_rows(dataset.reconciliation),
        "place_query": "&".join(f"place={p.name}" for p in places) + f"&top={top}",
    }
    if dataset.has_rows:
        data = selectors.dashboard(dataset=dataset, places=places, top=top)
        analysis = data.analysis
        context.update(
            analysis=analysis,
            places=data.places,
            place_names={p.code: p.name for p in data.places},
            inputs=data.inputs,
        )
    return render(request, "spend/dashboard.html", context)


def _row_filter(request: OrgHttpRequest) -> selectors.RowFilter:
    get = request.GET
    return selectors.RowFilter(
        supplier=get.get("supplier", "")[:300],
        place=get.get("in", "")[:40],
        local=get.get("local", "")[:3],
        region=get.get("region", "")[:100],
        breakdown=get.get("breakdown", "")[:40],
        label=get.get("label", "")[:300],
    )


def _page_number(request: OrgHttpRequest) -> int:
    text = request.GET.get("page", "1")
    return int(text) if text.isdigit() else 1


@require_GET
@permission_required(Perm.VIEW_SPEND)
def transactions(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    if not dataset.has_rows:
        raise Http404("The dataset has no rows yet")
    _, places, _ = _places_form(request, dataset)
    rows = _row_filter(request)
    page = selectors.transactions_page(
        dataset=dataset, places=places, rows=rows, number=_page_number(request)
    )
    query = request.GET.copy()
    query.pop("page", None)
    template = "spend/transactions.html"
    if request.htmx:
        template += "#rows"
    return render(
        request,
        template,
        {
            "dataset": dataset,
            "page": page,
            "description": rows.describe({p.code: p.name for p in places}),
            "query": query.urlencode(),
            "total": pence_to_pounds(page.total_pence),
        },
    )


@require_GET
@permission_required(Perm.VIEW_SPEND)
def quarantine(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    reason = request.GET.get("reason", "")
    if reason not in REASONS:
        reason = ""
    page = selectors.quarantine_page(
        dataset=dataset, reason=reason, number=_page_number(request)
    )
    template = "spend/quarantine.html"
    if request.htmx:
        template += "#rows"
    return render(
        request,
        template,
        {
            "dataset": dataset,
            "page": page,
            "reason": reason,
            "reasons": selectors.quarantine_reasons(dataset=dataset),
            "query": f"reason={reason}" if reason else "",
            "total": pence_to_pounds(page.total_pence),
            "can_manage": _can_manage(request),
            "corrections": selectors.corrections_list(dataset=dataset),
            "max_rows": selectors.MAX_CORRECTION_ROWS,
        },
    )


def _correction_tokens(request: OrgHttpRequest, dataset: SpendDataset) -> list[str]:
    """The rows to correct: ``row`` tokens, or every row with ``reason`` (up to the limit)."""
    source = request.POST if request.method == "POST" else request.GET
    tokens = list(dict.fromkeys(source.getlist("row")))[: selectors.MAX_CORRECTION_ROWS]
    reason = source.get("reason", "")
    if not tokens and reason in REASONS:
        tokens = selectors.quarantine_tokens(dataset=dataset, reason=reason)
    return tokens


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_SPEND)
def quarantine_correct(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    """Correct one or many quarantined rows; HTMX checks the values as they are typed."""
    from socialvalue.spend.corrections import RowCorrection, RowRef

    dataset = _dataset(request, dataset_id)
    tokens = _correction_tokens(request, dataset)
    try:
        refs = [RowRef.from_token(token) for token in tokens]
        rows = selectors.correction_check(
            dataset=dataset, corrections=[RowCorrection(ref) for ref in refs])
    except CorrectionError as error:
        messages.error(request, f"{error}.")
        return redirect("spend:quarantine", dataset_id=dataset.pk)
    if not rows:
        messages.error(request, "Select at least one quarantined row to correct.")
        return redirect("spend:quarantine", dataset_id=dataset.pk)
    single = rows[0] if len(rows) == 1 else None
    raw = None
    if single is not None:
        raw = {"payment_date": single.payment_date_raw or "", "amount": single.amount_raw or "",
               "supplier_name": single.supplier_name_raw or ""}
    form = CorrectionForm(
        _bound(request)[0], tokens=tokens, raw=raw,
        initial={"row": tokens, **(raw or {})},
    )
    checked = None
    if request.method == "POST" and form.is_valid():
        entered = form.entered()
        corrections = [RowCorrection(ref, **entered) for ref in refs]
        try:
            checked = selectors.correction_check(dataset=dataset, corrections=corrections)
        except CorrectionError as error:
            form.add_error(None, f"{error}")
        else:
            form.add_outcomes(checked)
        if form.is_valid() and "check" not in request.POST:
            try:
                result = services.spend_rows_correct(
                    dataset=dataset, corrections=corrections,
                    note=form.cleaned_data["note"], actor=request.user,
                )
            except CorrectionError as error:
                form.add_error(None, f"{error}")
            except SpendDatasetError:
                form.add_error(None, forms.ValidationError(
                    "An import is running on this dataset. Try again when it has finished",
                    code="locked"))
            else:
                count = len(result.rows)
                messages.success(
                    request,
                    f"{count} row{'s' if count != 1 else ''} corrected and loaded "
                    f"(£{pence_to_pounds(result.pence):,}). The reconciliation now shows "
                    f"{result.reconciliation.rows_loaded:,} rows loaded and "
                    f"{result.reconciliation.rows_quarantined:,} quarantined.",
                )
                return redirect("spend:quarantine", dataset_id=dataset.pk)
    template = "spend/quarantine_correct.html"
    if request.htmx and "check" in request.POST:
        template += "#check"
    outcomes = list(zip(rows, checked, strict=True)) if checked else [(r, None) for r in rows]
    return render(
        request,
        template,
        {
            "dataset": dataset,
            "form": form,
            "rows": outcomes,
            "single": single,
            "checked": checked is not None,
            "loads": sum(1 for c in checked or () if c.loads),
        },
    )


@require_GET
@permission_required(Perm.VIEW_SPEND)
def report(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    kind = request.GET.get("format", "html")
    if kind not in REPORT_TYPES or not dataset.has_rows:
        raise Http404("No such report")
    _, places, top = _places_form(request, dataset)
    content = selectors.report_bytes(dataset=dataset, places=places, top=top, kind=kind)
    response = HttpResponse(content, content_type=REPORT_TYPES[kind])
    slug = "".join(c if c.isalnum() else "-" for c in dataset.name.lower()).strip("-")[:60]
    response["Content-Disposition"] = f'attachment; filename="{slug or "spend"}-report.{kind}"'
    return response


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_SPEND)
def supplier_list(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset(request, dataset_id)
    form = SupplierListForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            count = services.spend_supplier_list_upload(
                dataset=dataset, upload=form.cleaned_data["file"], actor=request.user
            )
        except SpendFileError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, f"Supplier list saved: {count} rows.")
            return redirect(reverse("spend:dashboard", args=[dataset.pk]))
    return render(request, "spend/supplier_list.html", {"dataset": dataset, "form": form})
