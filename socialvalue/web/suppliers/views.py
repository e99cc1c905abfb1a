"""Supplier matching for a spend dataset and the review queue."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialvalue.exceptions import SupplierMatchingError
from socialvalue.web.http import OrgHttpRequest
from socialvalue.web.permissions import Perm, permission_required
from socialvalue.web.spend.models import SpendDataset
from socialvalue.web.spend.selectors import datasets_for_organisation
from socialvalue.web.suppliers import selectors, services
from socialvalue.web.suppliers.forms import AddressForm, DecisionForm, MatchForm
from socialvalue.web.tenancy import get_in_organisation_or_404


def _bound(request: OrgHttpRequest) -> tuple[Any, Any]:
    """Form data and files on a POST (even an empty one, so its errors show), else unbound."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _dataset(request: OrgHttpRequest, dataset_id: int) -> SpendDataset:
    assert request.org is not None
    return get_in_organisation_or_404(
        request, datasets_for_organisation(organisation=request.org), pk=dataset_id
    )


@require_GET
@permission_required(Perm.REVIEW_SUPPLIERS)
def supplier_list(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    datasets = [
        (dataset, selectors.latest_run(dataset=dataset))
        for dataset in datasets_for_organisation(organisation=request.org)
    ]
    return render(request, "suppliers/list.html", {"datasets": datasets})


@require_http_methods(["GET", "POST"])
@permission_required(Perm.REVIEW_SUPPLIERS)
def dataset(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    assert request.org is not None
    spend = _dataset(request, dataset_id)
    form = MatchForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        if not spend.has_rows:
            form.add_error("registers", "Import spend files into this dataset before matching")
        else:
            services.supplier_match_start(
                dataset=spend, files=form.cleaned_data["registers"], actor=request.user
            )
            return redirect("suppliers:dataset", dataset_id=spend.pk)
    run = selectors.latest_run(dataset=spend)
    template = "suppliers/dataset.html"
    if request.htmx and request.method == "GET":
        template += "#run"
    summary = None
    if run is not None and run.status == "done":
        summary = selectors.summary(dataset=spend, organisation=request.org)
    return render(
        request, template, {"dataset": spend, "form": form, "run": run, "summary": summary}
    )


def _review_context(request: OrgHttpRequest, spend: SpendDataset, key: str = "") -> dict:
    assert request.org is not None
    queue = selectors.review_queue(dataset=spend, organisation=request.org)
    item = next((q for q in queue if q.result.supplier_key == key), None) if key else None
    if item is None and queue:
        item = queue[0]
    return {"dataset": spend, "item": item, "remaining": len(queue)}


@require_GET
@permission_required(Perm.REVIEW_SUPPLIERS)
def review(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    spend = _dataset(request, dataset_id)
    if selectors.latest_done_run(dataset=spend) is None:
        raise Http404("The suppliers of this dataset have not been matched yet")
    context = _review_context(request, spend, request.GET.get("supplier", ""))
    context["form"] = DecisionForm()
    return render(request, "suppliers/review.html", context)


@require_POST
@permission_required(Perm.REVIEW_SUPPLIERS)
def decide(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    assert request.org is not None
    spend = _dataset(request, dataset_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose accept, reject or a candidate")
    action, index = form.action()
    try:
        services.supplier_decide(
            organisation=request.org,
            dataset=spend,
            supplier_key=form.cleaned_data["supplier_key"],
            action=action,
            candidate_index=index,
            shared=not form.cleaned_data["private"],
            actor=request.user,
        )
    except SupplierMatchingError as error:
        if request.htmx:
            context = _review_context(request, spend, form.cleaned_data["supplier_key"])
            context.update(form=form, problem=str(error))
            return render(request, "suppliers/review.html#card", context, status=400)
        messages.error(request, str(error))
        return redirect("suppliers:review", dataset_id=spend.pk)
    if request.htmx:
        context = _review_context(request, spend)
        context.update(form=DecisionForm(), saved=True)
        return render(request, "suppliers/review.html#card", context)
    messages.success(request, "Decision saved.")
    return redirect(reverse("suppliers:review", args=[spend.pk]))


@require_http_methods(["GET", "POST"])
@permission_required(Perm.REVIEW_SUPPLIERS)
def record(request: OrgHttpRequest, dataset_id: int) -> HttpResponse:
    """One supplier's record: its match, and the trading and branch addresses analysts added."""
    assert request.org is not None
    spend = _dataset(request, dataset_id)
    key = request.GET.get("supplier", "") or request.POST.get("supplier", "")
    results = selectors.raw_results(dataset=spend)
    # By key, or typed as it is spelt in the spend: the supplier that groups that spelling.
    typed = key.strip().casefold()
    found = next((r for r in results if r.supplier_key == key), None) or next(
        (r for r in results if any(n.casefold() == typed for n in r.raw_names)), None
    )
    if found is None:
        raise Http404("No such supplier in this dataset")
    result = found
    key = result.supplier_key
    form = AddressForm(*_bound(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            services.supplier_address_add(
                organisation=request.org,
                dataset=spend,
                supplier_key=result.supplier_key,
                basis=form.cleaned_data["basis"],
                postcode=form.cleaned_data["postcode"],
                actor=request.user,
            )
        except ValidationError:
            form.add_error("postcode", "This supplier already has that address")
        else:
            messages.success(request, f"Address added to {result.name}.")
            return redirect(
                f"{reverse('suppliers:record', args=[spend.pk])}?{urlencode({'supplier': key})}"
            )
    applied = selectors.find_result(
        selectors.applied_results(dataset=spend, organisation=request.org), result.supplier_key
    )
    return render(
        request,
        "suppliers/record.html",
        {
            "dataset": spend,
            "result": applied,
            "addresses": selectors.supplier_addresses(
                organisation=request.org, supplier_key=result.supplier_key
            ),
            "form": form,
        },
    )


@require_POST
@permission_required(Perm.REVIEW_SUPPLIERS)
def remove_address(request: OrgHttpRequest, dataset_id: int, address_id: int) -> HttpResponse:
    assert request.org is not None
    spend = _dataset(request, dataset_id)
    address = get_in_organisation_or_404(
        request, selectors.organisation_addresses(organisation=request.org), pk=address_id
    )
    services.supplier_address_remove(address=address, dataset=spend, actor=request.user)
    messages.success(request, f"Address {address.postcode} removed.")
    query = urlencode({"supplier": address.supplier_key})
    return redirect(f"{reverse('suppliers:record', args=[spend.pk])}?{query}")
