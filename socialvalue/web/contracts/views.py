"""Contract pages: the winning bid's commitments carried forward from the award."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from socialvalue.web.permissions import Perm, permission_required


@permission_required(Perm.VIEW_CONTRACTS)
def contract_list(request: HttpRequest) -> HttpResponse:
    return render(request, "contracts/list.html", {"contracts": []})
