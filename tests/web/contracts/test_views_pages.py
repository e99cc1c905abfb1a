"""What the contract pages show, and the contract manager's form."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.contracts.models import Contract
from tests.web.contracts.conftest import user

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return response.content.decode()


# --- list ------------------------------------------------------------------------------------


def test_it_lists_only_the_organisations_contracts(
    contract: Contract, county_contract: Contract, client_for: Any
) -> None:
    page = _text(client_for("contract_manager").get(reverse("contracts:list")))
    assert "KCC-2026-042" in page
    assert "£412,500.50" in page
    assert "Northgate Catering" in page
    assert "WCC-2026-007" not in page


def test_it_filters_the_list_by_status_in_place(contract: Contract, client_for: Any) -> None:
    client = client_for("officer")
    response = client.get(reverse("contracts:list"), {"status": "active"}, HTTP_HX_REQUEST="true")
    page = _text(response)
    assert page.lstrip().startswith('<div id="contracts">')  # the table fragment only
    assert "No contracts are active." in page
    response = client.get(reverse("contracts:list"), {"status": "mobilising"})
    assert "KCC-2026-042" in _text(response)
    assert "<h1" in _text(response)


# --- detail ----------------------------------------------------------------------------------


def test_it_shows_targets_by_year_and_totals(contract: Contract, client_for: Any) -> None:
    response = client_for("contract_manager").get(reverse("contracts:detail", args=[contract.pk]))
    kpis = response.context["kpis"]
    assert kpis.years == (1, 2, 3)
    page = _text(response)
    assert "Year 3" in page
    # L1.1: 12.5, 12.5 and 10 FTE; total 35. L4.1: £25,000 in year 1.
    row = page.split('data-measure="L1.1"')[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0] for cell in row.split('--numeric">')[1:]]
    assert cells == ["12.5", "12.5", "10", "35"]
    row = page.split('data-measure="L4.1"')[1].split("</tr>")[0]
    assert "25,000" in row
    assert "counts in the first year only" in page.split('data-measure="L5.1"')[1]
    framework = contract.framework_version
    assert framework is not None
    link = f"/frameworks/{framework.framework_id}/?version={framework.number}"
    assert link in page
    # Each measure links to its own row of the pinned version's page, which has that anchor.
    assert f'{link}#measure-L1.1"' in page
    framework_page = _text(client_for("contract_manager").get(link))
    assert 'id="measure-L1.1"' in framework_page
    assert "Change contract details" in page


def test_it_shows_no_change_links_to_officers(contract: Contract, client_for: Any) -> None:
    page = _text(client_for("officer").get(reverse("contracts:detail", args=[contract.pk])))
    assert "Change contract details" not in page
    assert reverse("contracts:edit", args=[contract.pk]) not in page


def test_it_shows_the_supplier_its_contract_read_only(contract: Contract, client_for: Any) -> None:
    response = client_for("supplier").get(reverse("contracts:supplier_detail", args=[contract.pk]))
    page = _text(response)
    assert "Awarded to your organisation by Kingsbridge City Council" in page
    assert 'data-measure="L1.1"' in page
    assert "Change" not in page
    assert "/frameworks/" not in page  # the buyer's framework page is not theirs to open
    listing = _text(client_for("supplier").get(reverse("contracts:supplier_list")))
    assert reverse("contracts:supplier_detail", args=[contract.pk]) in listing


def test_it_lists_for_a_supplier_only_the_contracts_it_won(
    contract: Contract, client_for: Any, rival_supplier: Any
) -> None:
    from django.test import Client

    rival = Client()
    rival.force_login(user("rita"))
    page = _text(rival.get(reverse("contracts:supplier_list")))
    assert "KCC-2026-042" not in page
    assert "has not won a contract yet" in page


# --- edit ------------------------------------------------------------------------------------


def _post(client: Any, contract: Contract, **fields: str) -> Any:
    data = {
        "version": str(contract.version),
        "start_date": "",
        "end_date": "",
        "contract_manager": "",
        "status": contract.status,
        **fields,
    }
    return client.post(reverse("contracts:edit", args=[contract.pk]), data)


def test_it_saves_the_contract_managers_changes(contract: Contract, client_for: Any) -> None:
    client = client_for("contract_manager")
    response = _post(
        client,
        contract,
        start_date="2026-04-01",
        end_date="2029-03-31",
        contract_manager=str(user("connie").pk),
        status="active",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:detail", args=[contract.pk])
    contract.refresh_from_db()
    assert (contract.start_date, contract.end_date) == (date(2026, 4, 1), date(2029, 3, 31))
    assert contract.contract_manager == user("connie")
    assert contract.status == "active"
    page = _text(client.get(response["Location"]))
    assert "Contract details saved." in page
    assert "Status: Mobilising → Active" in page


def test_it_puts_service_errors_on_their_fields(contract: Contract, client_for: Any) -> None:
    response = _post(client_for("contract_manager"), contract, status="active")
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["start_date"]] == ["start_date_required"]
    page = _text(response)
    assert "<title>Error: " in page
    assert 'href="#id_start_date"' in page
    contract.refresh_from_db()
    assert contract.status == "mobilising"


def test_it_refuses_a_date_that_is_not_real(contract: Contract, client_for: Any) -> None:
    response = _post(client_for("contract_manager"), contract, end_date="2026-02-30")
    assert [e.code for e in response.context["form"].errors.as_data()["end_date"]] == ["invalid"]


def test_it_offers_only_the_buyers_contract_managers(contract: Contract, client_for: Any) -> None:
    response = _post(
        client_for("contract_manager"), contract, contract_manager=str(user("olivia").pk)
    )
    errors = response.context["form"].errors.as_data()["contract_manager"]
    assert [e.code for e in errors] == ["invalid_choice"]
    contract.refresh_from_db()
    assert contract.contract_manager is None


def test_it_offers_only_statuses_the_contract_can_move_to(
    contract: Contract, client_for: Any
) -> None:
    client = client_for("contract_manager")
    _post(client, contract, start_date="2026-04-01", end_date="2027-03-31", status="ended")
    contract.refresh_from_db()
    response = _post(
        client, contract, start_date="2026-04-01", end_date="2027-03-31", status="active"
    )
    assert [e.code for e in response.context["form"].errors.as_data()["status"]] == [
        "invalid_choice"
    ]
    contract.refresh_from_db()
    assert contract.status == "ended"


def test_it_refuses_a_form_opened_before_someone_elses_save(
    contract: Contract, client_for: Any
) -> None:
    client = client_for("contract_manager")
    _post(client, contract, start_date="2026-04-01")
    response = _post(client, contract, start_date="2026-05-01")  # still quotes version 1
    assert response.status_code == 200
    assert "Someone else changed this contract" in _text(response)
    contract.refresh_from_db()
    assert contract.start_date == date(2026, 4, 1)


def test_it_links_the_awarded_tender_to_its_contract(contract: Contract, client_for: Any) -> None:
    page = _text(
        client_for("officer").get(reverse("tenders:detail", args=[contract.award.tender.pk]))
    )
    link = reverse("contracts:detail", args=[contract.pk])
    assert f'href="{link}"' in page
    assert f"{contract.kpis.count()} social value KPIs from the winning bid" in page
