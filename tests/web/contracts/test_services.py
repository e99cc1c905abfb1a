"""Contracts from awards: KPIs equal to the winning commitments, frozen, audited, one per award.

Every expected value is worked out by hand from the fixtures in ``conftest.py``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from socialvalue.exceptions import ContractError, PermissionDeniedError
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.contracts import selectors, services
from socialvalue.web.contracts.models import KPI, Contract
from socialvalue.web.tenders.models import Commitment, Tender
from tests.web.contracts.conftest import make_award, user

pytestmark = pytest.mark.django_db


def _kpis(contract: Contract) -> list[tuple[str, int, Decimal, str, str, bool]]:
    return [
        (k.measure_id, k.contract_year, k.quantity, k.unit, k.place, k.count_each_year)
        for k in contract.kpis.order_by("measure_id", "contract_year")
    ]


# --- contract_create_from_award ---------------------------------------------------------------


def test_it_copies_the_award_into_the_contract(contract: Contract, award: Any) -> None:
    assert contract.award == award
    assert contract.buyer.slug == "city"
    assert contract.supplier.slug == "northgate"
    assert contract.reference == "KCC-2026-042"
    assert contract.title == "School meals for Kingsbridge primary schools"
    assert contract.lot_title == ""
    # 41,250,050 pence = £412,500.50 exactly.
    assert contract.value == Decimal("412500.50")
    assert contract.currency == "GBP"
    assert contract.status == "mobilising"
    assert contract.start_date is None
    assert contract.end_date is None
    assert contract.contract_manager is None
    assert contract.framework_version == award.tender.framework_version
    assert contract.created_by == user("olivia")


def test_it_makes_one_kpi_per_winning_commitment(contract: Contract) -> None:
    # Units and the first-year-only rule come from lancashire-2016.yaml: L1.1 FTE each year,
    # L2.1 percent, L4.1 GBP, L5.1 FTE counted in the first year only.
    assert _kpis(contract) == [
        ("L1.1", 1, Decimal("12.500"), "FTE", "Kingsbridge", True),
        ("L1.1", 2, Decimal("12.500"), "FTE", "Kingsbridge", True),
        ("L1.1", 3, Decimal("10.000"), "FTE", "Kingsbridge", True),
        ("L2.1", 1, Decimal("60.000"), "percent", "", True),
        ("L2.1", 2, Decimal("70.000"), "percent", "", True),
        ("L4.1", 1, Decimal("25000.000"), "GBP", "", True),
        ("L5.1", 1, Decimal("3.000"), "FTE", "", False),
    ]
    kpi = contract.kpis.get(measure_id="L1.1", contract_year=1)
    assert kpi.measure_title == "Local people employed on the contract (FTE)"
    assert kpi.evidence_required == [
        "Anonymised list of employees with home postcode district, hours and dates on the contract"
    ]
    assert kpi.framework_version == contract.framework_version
    source = Commitment.objects.get(
        bid=contract.award.winning_bid, measure_id="L1.1", contract_year=1
    )
    assert kpi.source_commitment_id == source.pk


def test_it_keeps_the_contract_when_the_bid_changes_later(contract: Contract) -> None:
    bid = contract.award.winning_bid
    bid.commitments.filter(measure_id="L1.1", contract_year=1).update(quantity=Decimal(99))
    bid.commitments.filter(measure_id="L5.1").delete()
    type(bid).objects.filter(pk=bid.pk).update(price_pence=1)
    contract.refresh_from_db()
    assert contract.value == Decimal("412500.50")
    assert contract.kpis.get(measure_id="L1.1", contract_year=1).quantity == Decimal("12.5")
    assert contract.kpis.get(measure_id="L5.1").quantity == Decimal(3)
    assert contract.kpis.count() == 7


def test_it_keeps_the_measure_titles_when_the_framework_changes_later(
    contract: Contract,
) -> None:
    from socialvalue.web.frameworks.services import find_measure, framework_edit

    def rename(document: dict[str, Any]) -> None:
        measures, index = find_measure(document, "L1.1")
        measures[index]["title"] = "Kingsbridge residents employed"

    framework = contract.framework_version.framework
    newer = framework_edit(framework=framework, change=rename, note="Rename", actor=user("alice"))
    assert newer is not None
    Tender.objects.filter(pk=contract.award.tender_id).update(framework_version=newer)
    kpi = contract.kpis.get(measure_id="L1.1", contract_year=1)
    assert kpi.measure_title == "Local people employed on the contract (FTE)"
    assert kpi.framework_version_id == contract.framework_version_id != newer.pk


def test_it_keeps_the_measure_id_when_the_tender_pinned_no_framework(
    city: Any, supplier_org: Any
) -> None:
    award = make_award(
        buyer=city,
        supplier=supplier_org,
        version=None,
        reference="KCC-2026-050",
        commitments=[("X9", 1, Decimal(4), "")],
    )
    contract = services.contract_create_from_award(award=award, actor=user("olivia"))
    kpi = contract.kpis.get()
    assert (kpi.measure_id, kpi.measure_title, kpi.unit, kpi.quantity) == ("X9", "X9", "", 4)
    assert contract.framework_version is None


def test_it_refuses_a_second_contract_for_one_award(contract: Contract, award: Any) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ContractError) as raised:
        services.contract_create_from_award(award=award, actor=user("olivia"))
    assert raised.value.code == "already_exists"
    assert Contract.objects.count() == 1
    assert KPI.objects.count() == 7
    assert AuditEvent.objects.count() == events


def test_it_refuses_a_winning_bid_without_a_price(award: Any) -> None:
    type(award.winning_bid).objects.filter(pk=award.winning_bid_id).update(price_pence=None)
    award.winning_bid.refresh_from_db()
    with pytest.raises(ContractError) as raised:
        services.contract_create_from_award(award=award, actor=user("olivia"))
    assert raised.value.code == "no_price"
    assert Contract.objects.count() == 0
    assert KPI.objects.count() == 0


def test_it_records_the_contract_in_the_audit_log(contract: Contract) -> None:
    event = AuditEvent.objects.get(action="contract.created")
    assert event.organisation == contract.buyer
    assert event.actor == user("olivia")
    assert (event.object_type, event.object_id) == ("contracts.contract", str(contract.pk))
    assert event.data == {
        "award": contract.award_id,
        "supplier": "Northgate Catering",
        "value": "412500.50",
        "currency": "GBP",
        "kpis": 7,
        "lot": "",
    }
    assert "412,500.50" in event.summary
    assert "7 KPIs" in event.summary


def test_it_keeps_history_for_contracts_and_kpis(contract: Contract) -> None:
    assert contract.history.count() == 1
    assert KPI.history.count() == 7


def test_it_names_the_lot_when_the_award_has_one() -> None:
    with_lot = SimpleNamespace(lot=SimpleNamespace(title="North schools"))
    assert services.lot_title(with_lot) == "North schools"  # type: ignore[arg-type]
    assert services.lot_title(SimpleNamespace(lot=None)) == ""  # type: ignore[arg-type]


def test_it_makes_one_contract_per_lot_award(award: Any) -> None:
    """With lots (tenders' ``Lot``), each lot's award gets its own contract, named by the lot."""
    from socialvalue.web.tenders.models import Award, Lot

    tender = award.tender
    north = Lot.objects.create(tender=tender, number=1, title="North schools")
    south = Lot.objects.create(tender=tender, number=2, title="South schools")
    Award.objects.filter(pk=award.pk).update(lot=north)
    second = Award.objects.create(
        tender=tender,
        lot=south,
        winning_bid=award.winning_bid,
        decision=award.decision,
        reasons=award.reasons,
        standstill_start=award.standstill_start,
        standstill_end=award.standstill_end,
        evaluation_document={},
        decided_by=award.decided_by,
    )
    award.refresh_from_db()
    first = services.contract_create_from_award(award=award, actor=user("olivia"))
    other = services.contract_create_from_award(award=second, actor=user("olivia"))
    assert (first.lot_title, other.lot_title) == ("North schools", "South schools")
    assert (
        str(first) == "KCC-2026-042: School meals for Kingsbridge primary schools (North schools)"
    )
    assert Contract.objects.filter(award__tender=tender).count() == 2
    assert (
        AuditEvent.objects.get(action="contract.created", object_id=str(other.pk)).data["lot"]
        == "South schools"
    )


def test_it_creates_the_demo_contract_through_the_award() -> None:
    """The tenders demo awards KCC-2026-042 through ``tender_award``, which calls the service."""
    from socialvalue.web.demo import demo_load

    demo_load()
    contract = Contract.objects.get(reference="KCC-2026-042")
    assert contract.supplier.slug == "northgate-catering"
    assert contract.value == Decimal("412500.00")  # PRICES in tenders/demo.py: 41,250,000 pence
    # PART_B_COMMITMENTS for Northgate, all in contract year 1, Preston's level measures.
    assert _kpis(contract) == [
        ("1.1", 1, Decimal(5), "level_1_5", "", True),
        ("4.1", 1, Decimal(5), "level_1_5", "", True),
        ("5.2", 1, Decimal(4), "level_1_5", "", True),
    ]
    assert AuditEvent.objects.filter(action="contract.created").count() == 1
    demo_load()
    assert Contract.objects.count() == 1


# --- contract_update --------------------------------------------------------------------------


def _update(contract: Contract, **changes: Any) -> Contract:
    values: dict[str, Any] = {
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "contract_manager": contract.contract_manager,
        "status": contract.status,
        "expected_version": contract.version,
        "actor": user("connie"),
        **changes,
    }
    return services.contract_update(contract=contract, **values)


def test_it_sets_dates_manager_and_status(contract: Contract) -> None:
    updated = _update(
        contract,
        start_date=date(2026, 4, 1),
        end_date=date(2029, 3, 31),
        contract_manager=user("connie"),
        status="active",
    )
    contract.refresh_from_db()
    assert (contract.start_date, contract.end_date) == (date(2026, 4, 1), date(2029, 3, 31))
    assert contract.contract_manager == user("connie")
    assert contract.status == "active"
    assert contract.version == updated.version == 2
    event = AuditEvent.objects.get(action="contract.updated")
    assert event.actor == user("connie")
    assert event.data == {
        "changes": {
            "start_date": {"from": "not set", "to": "2026-04-01"},
            "end_date": {"from": "not set", "to": "2029-03-31"},
            "contract_manager": {"from": "not set", "to": "Connie Tester"},
            "status": {"from": "mobilising", "to": "active"},
        }
    }


def test_it_writes_nothing_when_nothing_changed(contract: Contract) -> None:
    events = AuditEvent.objects.count()
    _update(contract)
    contract.refresh_from_db()
    assert contract.version == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        (
            {"start_date": date(2026, 4, 1), "end_date": date(2026, 3, 31)},
            "end_date",
            "end_before_start",
        ),
        ({"status": "active"}, "start_date", "start_date_required"),
        ({"status": "ended", "start_date": date(2026, 4, 1)}, "end_date", "end_date_required"),
        ({"status": "draft"}, "status", "status_backwards"),
    ],
)
def test_it_refuses_inconsistent_details(
    contract: Contract, changes: dict[str, Any], field: str, code: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        _update(contract, **changes)
    assert [e.code for e in raised.value.error_dict[field]] == [code]
    contract.refresh_from_db()
    assert (contract.version, contract.status, contract.start_date) == (1, "mobilising", None)


def test_it_never_moves_a_contract_back(contract: Contract) -> None:
    active = _update(contract, start_date=date(2026, 4, 1), status="active")
    with pytest.raises(ValidationError) as raised:
        _update(active, status="mobilising")
    assert [e.code for e in raised.value.error_dict["status"]] == ["status_backwards"]


def test_it_refuses_a_manager_who_is_not_a_contract_manager(contract: Contract) -> None:
    with pytest.raises(ValidationError) as raised:
        _update(contract, contract_manager=user("olivia"))  # the city's officer
    assert [e.code for e in raised.value.error_dict["contract_manager"]] == [
        "not_a_contract_manager"
    ]


def test_it_refuses_a_stale_form(contract: Contract) -> None:
    _update(contract, start_date=date(2026, 4, 1))
    with pytest.raises(ContractError) as raised:
        _update(contract, start_date=date(2026, 5, 1), expected_version=1)
    assert raised.value.code == "concurrent_edit"
    contract.refresh_from_db()
    assert contract.start_date == date(2026, 4, 1)


def test_it_lets_only_the_buyers_contract_managers_change_it(
    contract: Contract, county_contract_manager: Any
) -> None:
    for username in ("olivia", "cass"):
        with pytest.raises(PermissionDeniedError):
            _update(contract, start_date=date(2026, 4, 1), actor=user(username))
    contract.refresh_from_db()
    assert contract.start_date is None


# --- selectors --------------------------------------------------------------------------------


def test_it_tabulates_targets_by_year_with_totals(contract: Contract) -> None:
    table = selectors.kpi_table(contract=contract)
    assert table.years == (1, 2, 3)
    rows = {row.measure_id: row for row in table.rows}
    assert list(rows) == ["L1.1", "L2.1", "L4.1", "L5.1"]
    # 12.5 + 12.5 + 10 = 35 FTE over three years.
    assert rows["L1.1"].by_year == (Decimal("12.5"), Decimal("12.5"), Decimal(10))
    assert rows["L1.1"].total == Decimal(35)
    assert rows["L1.1"].places == ("Kingsbridge",)
    # A percentage is held each year: no total.
    assert rows["L2.1"].by_year == (Decimal(60), Decimal(70), None)
    assert rows["L2.1"].total is None
    assert rows["L4.1"].total == Decimal(25000)
    assert rows["L5.1"].by_year == (Decimal(3), None, None)
    assert rows["L5.1"].total == Decimal(3)
    assert rows["L5.1"].count_each_year is False


def test_it_scopes_contracts_to_the_organisation(
    contract: Contract, county_contract: Contract, city: Any, county: Any, supplier_org: Any
) -> None:
    assert list(selectors.contracts_for_buyer(organisation=city)) == [contract]
    assert list(selectors.contracts_for_buyer(organisation=county)) == [county_contract]
    assert set(selectors.contracts_for_supplier(organisation=supplier_org)) == {
        contract,
        county_contract,
    }
    assert list(selectors.contracts_for_buyer(organisation=city, status="active")) == []


def test_it_lists_changes_newest_first(contract: Contract) -> None:
    _update(contract, start_date=date(2026, 4, 1))
    contract.refresh_from_db()
    _update(contract, status="active", contract_manager=user("connie"))
    history = selectors.contract_history(contract=contract)
    assert [entry.created for entry in history] == [False, False, True]
    assert [entry.by for entry in history] == ["Connie Tester", "Connie Tester", "Olivia Tester"]
    assert set(history[0].changes) == {
        ("Contract manager", "Not set", "Connie Tester"),
        ("Status", "Mobilising", "Active"),
    }
    assert history[1].changes == (("Start date", "Not set", "1 Apr 2026"),)
