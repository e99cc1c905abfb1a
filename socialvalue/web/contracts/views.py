"""Contract pages: the winning bid's commitments carried forward from the award.

Buyers' contract managers, officers and admins read their organisation's contracts; contract
managers change the dates, manager and status. Suppliers' people read the contracts their
organisation won, on pages of their own, read-only. Views validate, call one service and
render; which rows each may read is decided in ``selectors.py``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from socialvalue.exceptions import ContractError, PermissionDeniedError
from socialvalue.web.contracts import selectors, services
from socialvalue.web.contracts.forms import ContractForm
from socialvalue.web.contracts.models import Contract, ContractStatus
from socialvalue.web.http import OrgHttpRequest
from socialvalue.web.permissions import Perm, permission_required
from socialvalue.web.tenancy import get_in_organisation_or_404


def _buyer_contract(request: OrgHttpRequest, contract_id: int) -> Contract:
    assert request.org is not None
    return get_in_organisation_or_404(
        request, selectors.contracts_for_buyer(organisation=request.org), pk=contract_id
    )


def _detail_context(request: OrgHttpRequest, contract: Contract) -> dict[str, Any]:
    kpis = selectors.kpi_table(contract=contract)
    return {
        "contract": contract,
        "kpis": kpis,
        "evidence": [row for row in kpis.rows if row.evidence_required],
        "history": selectors.contract_history(contract=contract),
        "can_manage": request.user.has_perm(str(Perm.MANAGE_CONTRACTS), request.org),
        # Measures link to the buyer's framework page, which only the buyer's people may open.
        "link_measures": request.user.has_perm(str(Perm.VIEW_FRAMEWORKS), request.org)
        and contract.buyer_id == getattr(request.org, "pk", None),
    }


@require_GET
@permission_required(Perm.VIEW_CONTRACTS)
def contract_list(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    status = request.GET.get("status") or ""
    contracts = selectors.contracts_for_buyer(organisation=request.org, status=status)
    template = "contracts/list.html"
    if request.htmx:
        template += "#contract-table"
    return render(
        request,
        template,
        {
            "contracts": contracts,
            "status": status if status in ContractStatus.values else "",
            "statuses": ContractStatus.choices,
        },
    )


@require_GET
@permission_required(Perm.VIEW_CONTRACTS)
def contract_detail(request: OrgHttpRequest, contract_id: int) -> HttpResponse:
    contract = _buyer_contract(request, contract_id)
    return render(request, "contracts/detail.html", _detail_context(request, contract))


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_CONTRACTS)
def contract_edit(request: OrgHttpRequest, contract_id: int) -> HttpResponse:
    assert request.org is not None
    contract = _buyer_contract(request, contract_id)
    form = ContractForm(
        request.POST if request.method == "POST" else None,
        initial=ContractForm.initial_for(contract),
        managers=selectors.contract_managers_for(organisation=request.org),
        contract=contract,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_update(
                contract=contract,
                actor=request.user,
                expected_version=int(request.POST.get("version") or 0),
                **form.cleaned_data,
            )
        except ValidationError as error:
            # Field errors land on their fields, so the summary links to each one.
            form.add_error(None, error)
        except (ContractError, PermissionDeniedError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Contract details saved.")
            return redirect("contracts:detail", contract.pk)
    return render(request, "contracts/edit.html", {"contract": contract, "form": form})


# --- suppliers: the contracts their organisation won, read-only --------------------------------


@require_GET
@permission_required(Perm.MANAGE_BIDS)
def supplier_contract_list(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    contracts = selectors.contracts_for_supplier(organisation=request.org)
    return render(request, "contracts/supplier_list.html", {"contracts": contracts})


@require_GET
@permission_required(Perm.MANAGE_BIDS)
def supplier_contract_detail(request: OrgHttpRequest, contract_id: int) -> HttpResponse:
    assert request.org is not None
    contract = get_in_organisation_or_404(
        request, selectors.contracts_for_supplier(organisation=request.org), pk=contract_id
    )
    context = _detail_context(request, contract)
    context["supplier_view"] = True
    return render(request, "contracts/detail.html", context)
