"""Tender fixtures: a city tender moved through its lifecycle by the real services.

Time is moved by changing the tender's deadline in the database (the services read the server
clock), never by patching the clock.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from socialvalue.web.tenders import services
from socialvalue.web.tenders.models import Tender
from tests.factories import MembershipFactory, OrganisationFactory


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


@pytest.fixture
def second_supplier(db: None) -> Any:
    """Another supplier organisation, whose bids Northgate's people must never reach."""
    organisation = OrganisationFactory(name="Ribble Roofing", slug="ribble", kind="supplier")
    MembershipFactory(organisation=organisation, role="supplier", user__username="rita")
    return organisation


@pytest.fixture
def second_evaluator(city: Any) -> Any:
    return MembershipFactory(organisation=city, role="evaluator", user__username="ezra").user


def move_deadline_to_past(tender: Tender) -> Tender:
    Tender.objects.filter(pk=tender.pk).update(
        submission_deadline=timezone.now() - timedelta(minutes=1),
        clarification_deadline=timezone.now() - timedelta(days=1),
    )
    tender.refresh_from_db()
    return tender


@pytest.fixture
def draft(city: Any) -> Tender:
    return services.tender_create(
        organisation=city,
        actor=user("olivia"),
        title="School meals",
        reference="KCC-001",
        submission_deadline=timezone.now() + timedelta(days=14),
        clarification_deadline=timezone.now() + timedelta(days=7),
        preset="preston",
        estimated_value_pence=50_000_000,
    )


@pytest.fixture
def published(draft: Tender) -> Tender:
    return services.tender_publish(tender=draft, actor=user("olivia"))


def submit_bid(tender: Tender, supplier: Any, username: str, price_pence: int) -> Any:
    questions = {
        c.pk: f"Our answer on {c.name}."
        for c in services.selectors.response_criteria(tender=tender)
    }
    services.bid_save(
        tender=tender,
        supplier=supplier,
        actor=user(username),
        price_pence=price_pence,
        responses=questions,
    )
    return services.bid_submit(tender=tender, supplier=supplier, actor=user(username))


@pytest.fixture
def with_bids(published: Tender, supplier_org: Any, second_supplier: Any) -> Tender:
    submit_bid(published, supplier_org, "sam", 40_000_000)
    submit_bid(published, second_supplier, "rita", 45_000_000)
    return published


@pytest.fixture
def evaluating(with_bids: Tender, second_evaluator: Any) -> Tender:
    tender = with_bids
    scored = services.selectors.scored_criteria(tender=tender)
    for evaluator in (user("evan"), second_evaluator):
        services.evaluator_assign(
            tender=tender, actor=user("olivia"), evaluator=evaluator, criteria=scored
        )
    move_deadline_to_past(tender)
    services.tender_close(tender=tender, actor=user("olivia"))
    return services.tender_start_evaluation(tender=tender, actor=user("olivia"))


def score_all(tender: Tender, username: str, values: dict[str, Decimal]) -> Any:
    """Declare no conflict, score every bid on every assigned criterion, submit."""
    assignment = tender.assignments.get(evaluator__username=username)
    services.assignment_declare(assignment=assignment, actor=user(username), has_conflict=False)
    assignment.refresh_from_db()
    for bid in services.selectors.bids_for_evaluator(assignment=assignment):
        for criterion in assignment.criteria.all():
            services.score_save(
                assignment=assignment,
                actor=user(username),
                bid=bid,
                criterion=criterion,
                value=values[bid.supplier.slug],
                reason=f"{username} thinks {bid.supplier.name} earns {values[bid.supplier.slug]}",
            )
    return services.scores_submit(assignment=assignment, actor=user(username))


@pytest.fixture
def scored(evaluating: Tender) -> Tender:
    score_all(evaluating, "evan", {"northgate": Decimal(4), "ribble": Decimal(3)})
    score_all(evaluating, "ezra", {"northgate": Decimal(4), "ribble": Decimal(5)})
    return evaluating


def moderate_all(tender: Tender) -> None:
    for cell in services.selectors.moderation_cells(tender=tender):
        value = cell.mean.quantize(Decimal("0.01")) if cell.mean is not None else Decimal(0)
        services.moderation_save(
            tender=tender,
            actor=user("olivia"),
            bid=cell.bid,
            criterion=cell.criterion,
            value=value,
            rationale="" if cell.agreed else "The panel agreed the mean.",
        )


@pytest.fixture
def awarded(scored: Tender) -> Tender:
    moderate_all(scored)
    services.tender_award(
        tender=scored,
        actor=user("olivia"),
        decision="Award to the best bid.",
        reasons="It is the most advantageous tender.",
    )
    scored.refresh_from_db()
    return scored


@pytest.fixture
def preston_version(city: Any) -> Any:
    """The city's adopted Preston 2023 framework, version 1."""
    from socialvalue.web.frameworks.services import framework_adopt

    framework = framework_adopt(organisation=city, builtin_id="preston-2023", actor=user("alice"))
    return framework.latest_version()
