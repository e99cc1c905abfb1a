"""Sealing and separation are enforced in the queries, whatever a page might try to show."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import Tender
from tests.web.tenders.conftest import move_deadline_to_past, score_all, user

pytestmark = pytest.mark.django_db


class TestSealedBids:
    def test_it_returns_no_bid_before_the_deadline(self, with_bids: Tender) -> None:
        assert with_bids.bids.count() == 2
        assert list(selectors.opened_bids(tender=with_bids)) == []

    def test_it_returns_no_bid_before_the_deadline_even_if_the_status_says_closed(
        self, with_bids: Tender
    ) -> None:
        Tender.objects.filter(pk=with_bids.pk).update(status="closed")
        with_bids.refresh_from_db()
        assert list(selectors.opened_bids(tender=with_bids)) == []

    def test_it_returns_no_bid_after_the_deadline_until_the_tender_is_closed(
        self, with_bids: Tender
    ) -> None:
        move_deadline_to_past(with_bids)
        assert list(selectors.opened_bids(tender=with_bids)) == []
        closed = services.tender_close(tender=with_bids, actor=user("olivia"))
        assert selectors.opened_bids(tender=closed).count() == 2

    def test_it_takes_the_server_time_given(self, with_bids: Tender) -> None:
        Tender.objects.filter(pk=with_bids.pk).update(status="closed")
        with_bids.refresh_from_db()
        before = with_bids.submission_deadline - timedelta(seconds=1)
        after = with_bids.submission_deadline + timedelta(seconds=1)
        assert not selectors.opened_bids(tender=with_bids, now=before).exists()
        assert selectors.opened_bids(tender=with_bids, now=after).count() == 2

    def test_it_never_opens_a_draft_or_withdrawn_bid(
        self, published: Tender, supplier_org: Any
    ) -> None:
        services.bid_save(
            tender=published, supplier=supplier_org, actor=user("sam"), price_pence=100
        )
        move_deadline_to_past(published)
        closed = services.tender_close(tender=published, actor=user("olivia"))
        assert closed.status == "closed"
        assert list(selectors.opened_bids(tender=closed)) == []

    def test_it_gives_a_supplier_only_its_own_bid(
        self,
        with_bids: Tender,
        supplier_org: Any,
        second_supplier: Any,
    ) -> None:
        names = {b.supplier.name for b in selectors.supplier_bids(organisation=supplier_org)}
        assert names == {"Northgate Catering"}


class TestEvaluatorSeparation:
    def test_it_hides_peers_scores_until_the_evaluator_has_submitted(
        self, evaluating: Tender
    ) -> None:
        score_all(evaluating, "ezra", {"northgate": Decimal(4), "ribble": Decimal(5)})
        evan = evaluating.assignments.get(evaluator__username="evan")
        services.assignment_declare(assignment=evan, actor=user("evan"), has_conflict=False)
        evan.refresh_from_db()
        assert list(selectors.peer_scores(assignment=evan)) == []
        score_all_after_declaring(evaluating)
        evan.refresh_from_db()
        peers = selectors.peer_scores(assignment=evan)
        assert {s.assignment.evaluator.username for s in peers} == {"ezra"}
        assert peers.count() == 6

    def test_it_never_gives_an_evaluator_a_price(self, evaluating: Tender) -> None:
        evan = evaluating.assignments.get(evaluator__username="evan")
        services.assignment_declare(assignment=evan, actor=user("evan"), has_conflict=False)
        bids = selectors.bids_for_evaluator(assignment=evan)
        assert all("price_pence" in bid.get_deferred_fields() for bid in bids)

    def test_it_shows_an_evaluator_nothing_before_evaluation_starts(
        self,
        with_bids: Tender,
        second_evaluator: Any,
    ) -> None:
        quality = with_bids.criteria.get(key="quality")
        assignment = services.evaluator_assign(
            tender=with_bids, actor=user("olivia"), evaluator=user("evan"), criteria=[quality]
        )
        services.assignment_declare(assignment=assignment, actor=user("evan"), has_conflict=False)
        move_deadline_to_past(with_bids)
        services.tender_close(tender=with_bids, actor=user("olivia"))
        assignment.refresh_from_db()
        assert list(selectors.bids_for_evaluator(assignment=assignment)) == []


def score_all_after_declaring(tender: Tender) -> None:
    assignment = tender.assignments.get(evaluator__username="evan")
    for bid in selectors.bids_for_evaluator(assignment=assignment):
        for criterion in assignment.criteria.all():
            services.score_save(
                assignment=assignment,
                actor=user("evan"),
                bid=bid,
                criterion=criterion,
                value=Decimal(3),
                reason="Sound.",
            )
    services.scores_submit(assignment=assignment, actor=user("evan"), now=timezone.now())
