"""An officer takes an evaluator off a tender until that evaluator has submitted their scores."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from socialvalue.exceptions import TenderStateError
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import EvaluatorAssignment, Score, Tender
from tests.web.tenders.conftest import score_all, user

pytestmark = pytest.mark.django_db


def test_it_removes_an_evaluator_who_has_not_submitted(evaluating: Tender) -> None:
    assignment = evaluating.assignments.get(evaluator__username="ezra")
    services.assignment_declare(assignment=assignment, actor=user("ezra"), has_conflict=False)
    bid = selectors.bids_for_evaluator(assignment=assignment)[0]
    criterion = assignment.criteria.first()
    services.score_save(
        assignment=assignment,
        actor=user("ezra"),
        bid=bid,
        criterion=criterion,
        value=Decimal(3),
        reason="A first view.",
    )
    services.evaluator_unassign(assignment=assignment, actor=user("olivia"))
    assert list(evaluating.assignments.values_list("evaluator__username", flat=True)) == ["evan"]
    assert not Score.objects.filter(assignment_id=assignment.pk).exists()
    event = AuditEvent.objects.get(action="evaluator.unassigned")
    assert event.summary == "ezra removed from the evaluators of KCC-001 (1 draft scores discarded)"
    assert event.organisation == evaluating.organisation


def test_it_refuses_once_the_evaluator_has_submitted(evaluating: Tender, client_for: Any) -> None:
    score_all(evaluating, "evan", {"northgate": Decimal(4), "ribble": Decimal(3)})
    assignment = evaluating.assignments.get(evaluator__username="evan")
    with pytest.raises(TenderStateError) as error:
        services.evaluator_unassign(assignment=assignment, actor=user("olivia"))
    assert error.value.code == "submitted"
    response = client_for("officer").post(
        reverse("tenders:evaluator_remove", args=[evaluating.pk, assignment.pk]), follow=True
    )
    assert "has already submitted their scores, so they cannot be removed" in (
        response.content.decode()
    )
    assert EvaluatorAssignment.objects.filter(pk=assignment.pk).exists()
    # 2 bids x 3 scored criteria (quality, social value Part A and Part B): all kept.
    assert Score.objects.filter(assignment=assignment, submitted_at__isnull=False).count() == 6
    assert not AuditEvent.objects.filter(action="evaluator.unassigned").exists()


def test_the_officer_removes_an_evaluator_from_the_evaluators_page(
    evaluating: Tender, client_for: Any
) -> None:
    score_all(evaluating, "evan", {"northgate": Decimal(4), "ribble": Decimal(3)})
    ezra = evaluating.assignments.get(evaluator__username="ezra")
    evan = evaluating.assignments.get(evaluator__username="evan")
    client = client_for("officer")
    page = client.get(reverse("tenders:evaluators", args=[evaluating.pk])).content.decode()
    assert reverse("tenders:evaluator_remove", args=[evaluating.pk, ezra.pk]) in page
    # Submitted scores are part of the record: no button for evan.
    assert reverse("tenders:evaluator_remove", args=[evaluating.pk, evan.pk]) not in page
    response = client.post(
        reverse("tenders:evaluator_remove", args=[evaluating.pk, ezra.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("tenders:evaluators", args=[evaluating.pk])
    assert "is no longer an evaluator on this tender" in response.content.decode()
    assert not EvaluatorAssignment.objects.filter(pk=ezra.pk).exists()


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [("evaluator", "post", 403), ("supplier", "post", 403), ("officer", "get", 405)],
)
def test_evaluator_removal_checks_role_and_method(
    evaluating: Tender, client_for: Any, who: str, method: str, status: int
) -> None:
    assignment = evaluating.assignments.get(evaluator__username="ezra")
    url = reverse("tenders:evaluator_remove", args=[evaluating.pk, assignment.pk])
    assert getattr(client_for(who), method)(url).status_code == status
    assert EvaluatorAssignment.objects.filter(pk=assignment.pk).exists()


def test_another_organisations_officer_gets_a_404(evaluating: Tender, county: Any) -> None:
    from django.test import Client

    from tests.factories import MembershipFactory

    MembershipFactory(organisation=county, role="officer", user__username="oscar")
    client = Client()
    client.force_login(user("oscar"))
    assignment = evaluating.assignments.get(evaluator__username="ezra")
    url = reverse("tenders:evaluator_remove", args=[evaluating.pk, assignment.pk])
    assert client.post(url).status_code == 404
    assert EvaluatorAssignment.objects.filter(pk=assignment.pk).exists()
