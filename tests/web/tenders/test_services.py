"""Tender services: transitions, locking of criteria, bids, scoring, moderation and award."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialvalue.evaluation.scoring import evaluate
from socialvalue.exceptions import (
    ConcurrentEditError,
    DeadlinePassedError,
    PermissionDeniedError,
    TenderError,
    TenderStateError,
)
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import Bid, BidStatus, Tender, TenderStatus
from tests.web.tenders.conftest import move_deadline_to_past, submit_bid, user

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))


class TestTenderCreate:
    def test_it_builds_the_preston_criteria_and_passes_the_policy(self, draft: Tender) -> None:
        keys = list(draft.criteria.values_list("key", flat=True))
        assert keys == ["price", "quality", "social_value", "sv_part_a", "sv_part_b"]
        check = selectors.tender_criteria_check(tender=draft)
        assert check.ok
        assert {f.code: f.passed for f in check.findings} == {
            "social_value_minimum": True,
            "preston_social_value_weight": True,
            "preston_parts_split": True,
        }
        assert "tender.created" in actions()

    def test_it_refuses_a_duplicate_reference(self, draft: Tender) -> None:
        with pytest.raises(TenderError) as error:
            services.tender_create(
                organisation=draft.organisation,
                actor=user("olivia"),
                title="Again",
                reference="KCC-001",
                submission_deadline=draft.submission_deadline,
                preset="custom",
            )
        assert error.value.code == "duplicate_reference"

    def test_it_flags_a_custom_tender_without_social_value(self, city: Any) -> None:
        tender = services.tender_create(
            organisation=city,
            actor=user("olivia"),
            title="Paper",
            reference="P-1",
            submission_deadline=timezone.now() + timedelta(days=3),
            preset="custom",
        )
        check = selectors.tender_criteria_check(tender=tender)
        assert [f.passed for f in check.findings] == [False]


class TestCriteria:
    def test_it_reports_weights_that_do_not_add_up(self, draft: Tender) -> None:
        price = draft.criteria.get(key="price")
        services.criteria_set_weights(
            tender=draft, actor=user("olivia"), weights={price.pk: Decimal(60)}
        )
        check = selectors.tender_criteria_check(tender=draft)
        assert [p.code for p in check.problems] == ["weights_sum"]
        with pytest.raises(TenderError) as error:
            services.tender_publish(tender=draft, actor=user("olivia"))
        assert error.value.code == "criteria_invalid"

    def test_it_locks_criteria_once_published(self, published: Tender) -> None:
        price = published.criteria.get(key="price")
        with pytest.raises(TenderStateError) as error:
            services.criteria_set_weights(
                tender=published, actor=user("olivia"), weights={price.pk: Decimal(40)}
            )
        assert error.value.code == "criteria_locked"
        with pytest.raises(TenderStateError):
            services.criterion_add(
                tender=published,
                actor=user("olivia"),
                name="New",
                kind="quality",
                weight=Decimal(5),
            )
        with pytest.raises(TenderStateError):
            services.criterion_delete(criterion=price, actor=user("olivia"))
        price.refresh_from_db()
        assert price.weight == Decimal(50)

    def test_it_refuses_a_stale_edit(self, draft: Tender) -> None:
        services.tender_update(
            tender=draft, actor=user("olivia"), expected_version=draft.version, title="New title"
        )
        with pytest.raises(ConcurrentEditError) as error:
            services.tender_update(
                tender=draft, actor=user("olivia"), expected_version=draft.version, title="Lost"
            )
        assert error.value.code == "stale"
        draft.refresh_from_db()
        assert draft.title == "New title"


class TestTransitions:
    def test_it_audits_every_transition_through_to_award(self, awarded: Tender) -> None:
        recorded = actions()
        for action in (
            "tender.created",
            "tender.published",
            "tender.closed",
            "tender.evaluation_started",
            "tender.awarded",
        ):
            assert action in recorded
        assert recorded.count("bid.submitted") == 2
        assert recorded.count("score.submitted") == 2 * 2 * 3  # 2 evaluators x 2 bids x 3
        assert recorded.count("score.moderated") == 2 * 3
        assert awarded.status == TenderStatus.AWARDED
        assert awarded.history.count() >= 5

    def test_it_refuses_to_close_before_the_deadline(self, with_bids: Tender) -> None:
        with pytest.raises(TenderError) as error:
            services.tender_close(tender=with_bids, actor=user("olivia"))
        assert error.value.code == "deadline_not_passed"

    def test_it_refuses_to_publish_twice(self, published: Tender) -> None:
        with pytest.raises(TenderStateError) as error:
            services.tender_publish(tender=published, actor=user("olivia"))
        assert error.value.code == "wrong_status"

    def test_it_cancels_with_a_reason(self, published: Tender) -> None:
        services.tender_cancel(tender=published, actor=user("olivia"), reason="Budget withdrawn")
        published.refresh_from_db()
        assert published.status == TenderStatus.CANCELLED
        assert AuditEvent.objects.get(action="tender.cancelled").data["reason"] == (
            "Budget withdrawn"
        )


class TestBids:
    def test_it_never_creates_two_bids_for_a_double_submission(
        self, published: Tender, supplier_org: Any
    ) -> None:
        first = submit_bid(published, supplier_org, "sam", 1_000_000)
        again = services.bid_submit(tender=published, supplier=supplier_org, actor=user("sam"))
        assert first.pk == again.pk
        assert Bid.objects.filter(tender=published, supplier=supplier_org).count() == 1
        assert actions().count("bid.submitted") == 1

    def test_it_refuses_a_submission_after_the_deadline_and_records_it(
        self, published: Tender, supplier_org: Any
    ) -> None:
        services.bid_save(
            tender=published, supplier=supplier_org, actor=user("sam"), price_pence=100
        )
        move_deadline_to_past(published)
        with pytest.raises(DeadlinePassedError) as error:
            services.bid_submit(tender=published, supplier=supplier_org, actor=user("sam"))
        assert error.value.code == "deadline_passed"
        assert Bid.objects.get(tender=published).status == BidStatus.DRAFT
        event = AuditEvent.objects.get(action="bid.refused_after_deadline")
        assert event.organisation == supplier_org
        assert event.data["action"] == "submit"

    def test_it_refuses_a_save_just_after_the_deadline_given_as_now(
        self, published: Tender, supplier_org: Any
    ) -> None:
        later = published.submission_deadline + timedelta(seconds=1)
        with pytest.raises(DeadlinePassedError):
            services.bid_save(
                tender=published,
                supplier=supplier_org,
                actor=user("sam"),
                price_pence=100,
                now=later,
            )
        assert not Bid.objects.exists()

    def test_it_withdraws_and_resubmits(self, published: Tender, supplier_org: Any) -> None:
        submit_bid(published, supplier_org, "sam", 1_000_000)
        with pytest.raises(TenderStateError) as error:
            services.bid_save(
                tender=published, supplier=supplier_org, actor=user("sam"), price_pence=900_000
            )
        assert error.value.code == "already_submitted"
        services.bid_withdraw(tender=published, supplier=supplier_org, actor=user("sam"))
        bid = submit_bid(published, supplier_org, "sam", 900_000)
        assert (bid.status, bid.price_pence) == (BidStatus.SUBMITTED, 900_000)
        assert "bid.withdrawn" in actions()

    def test_it_requires_every_answer_before_submission(
        self, published: Tender, supplier_org: Any
    ) -> None:
        services.bid_save(
            tender=published, supplier=supplier_org, actor=user("sam"), price_pence=100
        )
        with pytest.raises(TenderError) as error:
            services.bid_submit(tender=published, supplier=supplier_org, actor=user("sam"))
        assert error.value.code == "missing_responses"

    def test_it_refuses_a_stale_bid_edit(self, published: Tender, supplier_org: Any) -> None:
        bid = services.bid_save(
            tender=published, supplier=supplier_org, actor=user("sam"), price_pence=100
        )
        services.bid_save(
            tender=published,
            supplier=supplier_org,
            actor=user("sam"),
            price_pence=200,
            expected_version=bid.version,
        )
        with pytest.raises(ConcurrentEditError):
            services.bid_save(
                tender=published,
                supplier=supplier_org,
                actor=user("sam"),
                price_pence=300,
                expected_version=bid.version,
            )
        assert Bid.objects.get().price_pence == 200

    def test_it_keeps_the_price_out_of_the_audit_log(self, with_bids: Tender) -> None:
        for event in AuditEvent.objects.filter(action__startswith="bid."):
            assert "40000000" not in str(event.data) + event.summary
            assert event.organisation.kind == "supplier"


class TestCommitments:
    def test_it_checks_commitments_with_the_framework_counting_rules(
        self, published: Tender, supplier_org: Any, preston_version: Any
    ) -> None:
        Tender.objects.filter(pk=published.pk).update(framework_version=preston_version)
        published.refresh_from_db()
        with pytest.raises(TenderError) as error:
            services.bid_save(
                tender=published,
                supplier=supplier_org,
                actor=user("sam"),
                price_pence=100,
                commitments=[services.CommitmentInput("1.1", Decimal(7))],
            )
        assert error.value.code == "commitment_rules"
        bid = services.bid_save(
            tender=published,
            supplier=supplier_org,
            actor=user("sam"),
            price_pence=100,
            commitments=[services.CommitmentInput("1.1", Decimal(4))],
        )
        assert [(c.measure_id, c.quantity) for c in bid.commitments.all()] == [("1.1", 4)]


class TestEvaluation:
    def test_it_keeps_price_away_from_evaluators(self, evaluating: Tender) -> None:
        price = evaluating.criteria.get(key="price")
        with pytest.raises(TenderError) as error:
            services.evaluator_assign(
                tender=evaluating, actor=user("olivia"), evaluator=user("evan"), criteria=[price]
            )
        assert error.value.code == "not_scored"

    def test_it_refuses_an_evaluator_who_is_not_one(self, evaluating: Tender) -> None:
        quality = evaluating.criteria.get(key="quality")
        with pytest.raises(TenderError) as error:
            services.evaluator_assign(
                tender=evaluating,
                actor=user("olivia"),
                evaluator=user("anna"),
                criteria=[quality],
            )
        assert error.value.code == "not_an_evaluator"

    def test_it_shows_no_bid_before_the_declaration(self, evaluating: Tender) -> None:
        assignment = evaluating.assignments.get(evaluator__username="evan")
        assert list(selectors.bids_for_evaluator(assignment=assignment)) == []
        services.assignment_declare(assignment=assignment, actor=user("evan"), has_conflict=False)
        assert selectors.bids_for_evaluator(assignment=assignment).count() == 2

    def test_it_shows_no_bid_to_a_conflicted_evaluator(self, evaluating: Tender) -> None:
        assignment = evaluating.assignments.get(evaluator__username="evan")
        services.assignment_declare(
            assignment=assignment,
            actor=user("evan"),
            has_conflict=True,
            details="My brother runs Ribble Roofing",
        )
        assert list(selectors.bids_for_evaluator(assignment=assignment)) == []
        bid = evaluating.bids.first()
        assert bid is not None
        with pytest.raises(PermissionDeniedError):
            services.score_save(
                assignment=assignment,
                actor=user("evan"),
                bid=bid,
                criterion=assignment.criteria.first(),
                value=Decimal(3),
                reason="x",
            )

    def test_it_refuses_a_score_outside_the_scale_or_without_a_reason(
        self, evaluating: Tender
    ) -> None:
        assignment = evaluating.assignments.get(evaluator__username="evan")
        services.assignment_declare(assignment=assignment, actor=user("evan"), has_conflict=False)
        bid = selectors.bids_for_evaluator(assignment=assignment).first()
        criterion = assignment.criteria.get(key="quality")
        with pytest.raises(TenderError) as error:
            services.score_save(
                assignment=assignment,
                actor=user("evan"),
                bid=bid,
                criterion=criterion,
                value=Decimal(6),
                reason="Too generous",
            )
        assert error.value.code == "out_of_scale"
        with pytest.raises(TenderError) as error:
            services.score_save(
                assignment=assignment,
                actor=user("evan"),
                bid=bid,
                criterion=criterion,
                value=Decimal(3),
                reason=" ",
            )
        assert error.value.code == "reason_required"

    def test_it_refuses_to_submit_incomplete_scores(self, evaluating: Tender) -> None:
        assignment = evaluating.assignments.get(evaluator__username="evan")
        services.assignment_declare(assignment=assignment, actor=user("evan"), has_conflict=False)
        with pytest.raises(TenderError) as error:
            services.scores_submit(assignment=assignment, actor=user("evan"))
        assert error.value.code == "scores_missing"


class TestModerationAndAward:
    def test_it_requires_a_rationale_where_the_panel_differs(self, scored: Tender) -> None:
        cell = next(c for c in selectors.moderation_cells(tender=scored) if not c.agreed)
        with pytest.raises(ValidationError) as error:
            services.moderation_save(
                tender=scored,
                actor=user("olivia"),
                bid=cell.bid,
                criterion=cell.criterion,
                value=Decimal(4),
            )
        assert error.value.error_dict["rationale"][0].code == "rationale_required"

    def test_it_needs_no_rationale_where_every_evaluator_agreed(self, scored: Tender) -> None:
        cell = next(c for c in selectors.moderation_cells(tender=scored) if c.agreed)
        moderated = services.moderation_save(
            tender=scored,
            actor=user("olivia"),
            bid=cell.bid,
            criterion=cell.criterion,
            value=cell.scores[0].value,
        )
        assert moderated.rationale == ""

    def test_it_refuses_to_award_before_moderation_is_complete(self, scored: Tender) -> None:
        with pytest.raises(TenderError) as error:
            services.tender_award(tender=scored, actor=user("olivia"), decision="d", reasons="r")
        assert error.value.code == "moderation_incomplete"

    def test_it_awards_to_the_bid_the_engine_ranks_first(self, awarded: Tender) -> None:
        award = awarded.award
        evaluation = evaluate(selectors.live_evaluation(tender=awarded).evaluation.tender)  # type: ignore[union-attr]
        assert evaluation.winner is not None
        assert award.winning_bid.supplier.name == evaluation.winner.bidder
        assert selectors.award_evaluation(award=award).winner == evaluation.winner

    def test_it_applies_the_averaging_rule_agreed_in_advance(self, scored: Tender) -> None:
        Tender.objects.filter(pk=scored.pk).update(moderation_rule="average")
        scored.refresh_from_db()
        assert services.moderation_apply_average(tender=scored, actor=user("olivia")) == 6
        assert selectors.live_evaluation(tender=scored).complete

    def test_it_counts_eight_working_days_of_standstill(self) -> None:
        # Fri 27 Nov 2026: Mon 30 is St Andrew's Day (a bank holiday in Scotland, so not a
        # working day under the Procurement Act); Tue 1 .. Fri 4, Mon 7 .. Thu 10 Dec (8).
        assert services.standstill_end(date(2026, 11, 27)) == date(2026, 12, 10)
