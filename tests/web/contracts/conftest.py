"""Contract fixtures: an awarded city tender built row by row, then carried to a contract.

The tender, bid, commitments and award are written directly (the tenders tests walk the
lifecycle through the services); the contract itself is always made by
``contract_create_from_award``, the function the award calls.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from socialvalue.web.contracts.models import Contract
from socialvalue.web.contracts.services import contract_create_from_award
from socialvalue.web.tenders.models import Award, Bid, Commitment, Tender
from tests.factories import MembershipFactory, OrganisationFactory

#: The winning bid's commitments: (measure, contract year, quantity, place).
COMMITMENTS = [
    ("L1.1", 1, Decimal("12.5"), "Kingsbridge"),
    ("L1.1", 2, Decimal("12.5"), "Kingsbridge"),
    ("L1.1", 3, Decimal("10"), "Kingsbridge"),
    ("L2.1", 1, Decimal("60"), ""),
    ("L2.1", 2, Decimal("70"), ""),
    ("L4.1", 1, Decimal("25000"), ""),
    ("L5.1", 1, Decimal("3"), ""),
]
PRICE_PENCE = 41_250_050  # £412,500.50


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


@pytest.fixture
def lancashire_version(city: Any) -> Any:
    """The city's adopted Lancashire 2016 framework, version 1 (FTE, £, % and yes/no measures)."""
    from socialvalue.web.frameworks.services import framework_adopt

    framework = framework_adopt(
        organisation=city, builtin_id="lancashire-2016", actor=user("alice")
    )
    return framework.latest_version()


def make_award(
    *,
    buyer: Any,
    supplier: Any,
    version: Any,
    reference: str,
    price_pence: int = PRICE_PENCE,
    commitments: list[tuple[str, int, Decimal, str]] | None = None,
    decided_by: Any = None,
) -> Award:
    """An awarded tender with one submitted bid from ``supplier`` and its commitments."""
    tender = Tender.objects.create(
        organisation=buyer,
        title="School meals for Kingsbridge primary schools",
        reference=reference,
        submission_deadline=timezone.now() - timedelta(days=30),
        status="awarded",
        framework_version=version,
    )
    bid = Bid.objects.create(
        tender=tender,
        supplier=supplier,
        price_pence=price_pence,
        status="submitted",
        submitted_at=timezone.now() - timedelta(days=31),
    )
    for measure_id, year, quantity, place in COMMITMENTS if commitments is None else commitments:
        Commitment.objects.create(
            bid=bid, measure_id=measure_id, contract_year=year, quantity=quantity, place=place
        )
    officer = decided_by or buyer.memberships.get(role="officer").user
    return Award.objects.create(
        tender=tender,
        winning_bid=bid,
        decision="Award to the most advantageous tender.",
        reasons="It scored highest overall.",
        standstill_start=date(2026, 3, 2),
        standstill_end=date(2026, 3, 12),
        evaluation_document={},
        decided_by=officer,
    )


@pytest.fixture
def award(city: Any, supplier_org: Any, lancashire_version: Any) -> Award:
    return make_award(
        buyer=city, supplier=supplier_org, version=lancashire_version, reference="KCC-2026-042"
    )


@pytest.fixture
def contract(award: Award) -> Contract:
    return contract_create_from_award(award=award, actor=user("olivia"))


@pytest.fixture
def county_contract_manager(county: Any) -> Any:
    """A contract manager of another buyer: the city's contracts must be a 404 to them."""
    return MembershipFactory(organisation=county, role="contract_manager", user__username="cass")


@pytest.fixture
def rival_supplier(db: None) -> Any:
    """A supplier that lost: the winner's contract must be a 404 to its people."""
    organisation = OrganisationFactory(name="Ribble Roofing", slug="ribble", kind="supplier")
    MembershipFactory(organisation=organisation, role="supplier", user__username="rita")
    return organisation


@pytest.fixture
def county_contract(county: Any, supplier_org: Any) -> Contract:
    """A contract of the county's, won by the same supplier."""
    MembershipFactory(organisation=county, role="officer", user__username="otto")
    award = make_award(
        buyer=county,
        supplier=supplier_org,
        version=None,
        reference="WCC-2026-007",
        price_pence=10_000_00,
        commitments=[("L1.1", 1, Decimal("2"), "Westshire")],
    )
    return contract_create_from_award(award=award, actor=user("otto"))
