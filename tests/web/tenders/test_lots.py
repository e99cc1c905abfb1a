"""Lots: set up in draft, bid for lot by lot, scored, moderated and awarded lot by lot.

The two-lot tender uses the custom preset: price 60 points relative to the lowest price in the
lot, quality 40 points on a 0-5 scale (points = 40 x score / 5). Worked by hand:

* Lot 1 (meals): Northgate £100,000 scored 5; Ribble £80,000 scored 3.
  Northgate 60 x 80,000 / 100,000 = 48 + 40 = 88; Ribble 60 + 24 = 84. Northgate wins.
  (Were lot 2's £50,000 bid in the same ranking, Ribble's price points would be 37.5, not 60.)
* Lot 2 (transport): Northgate alone, £50,000 scored 4: 60 + 32 = 92.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from socialvalue.exceptions import TenderError, TenderStateError
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import Bid, Lot, Tender, TenderStatus
from tests.web.tenders.conftest import move_deadline_to_past, user

pytestmark = pytest.mark.django_db

PRICES = {  # (supplier slug, lot number) -> price in pence
    ("northgate", 1): 10_000_000,
    ("ribble", 1): 8_000_000,
    ("northgate", 2): 5_000_000,
}
SCORES = {("northgate", 1): Decimal(5), ("ribble", 1): Decimal(3), ("northgate", 2): Decimal(4)}
USERS = {"northgate": "sam", "ribble": "rita"}


@pytest.fixture
def lotted_draft(city: Any) -> Tender:
    tender = services.tender_create(
        organisation=city,
        actor=user("olivia"),
        title="School services",
        reference="KCC-LOTS",
        submission_deadline=timezone.now() + timedelta(days=14),
        preset="custom",
    )
    services.lot_add(
        tender=tender,
        actor=user("olivia"),
        title="Meals",
        estimated_value_pence=9_000_000,
    )
    services.lot_add(tender=tender, actor=user("olivia"), title="Transport")
    return tender


def lot(tender: Tender, number: int) -> Lot:
    return tender.lots.get(number=number)


def bid_for(tender: Tender, supplier: Any, number: int) -> Bid:
    slug = supplier.slug
    questions = {c.pk: "Our answer." for c in selectors.response_criteria(tender=tender)}
    services.bid_save(
        tender=tender,
        supplier=supplier,
        actor=user(USERS[slug]),
        price_pence=PRICES[(slug, number)],
        responses=questions,
        lot=lot(tender, number),
    )
    return services.bid_submit(
        tender=tender, supplier=supplier, actor=user(USERS[slug]), lot=lot(tender, number)
    )


@pytest.fixture
def lotted_bids(lotted_draft: Tender, supplier_org: Any, second_supplier: Any) -> Tender:
    tender = services.tender_publish(tender=lotted_draft, actor=user("olivia"))
    bid_for(tender, supplier_org, 1)
    bid_for(tender, second_supplier, 1)
    bid_for(tender, supplier_org, 2)
    return tender


@pytest.fixture
def lotted_scored(lotted_bids: Tender, second_evaluator: Any) -> Tender:
    tender = lotted_bids
    scored = selectors.scored_criteria(tender=tender)
    for evaluator in (user("evan"), second_evaluator):
        services.evaluator_assign(
            tender=tender, actor=user("olivia"), evaluator=evaluator, criteria=scored
        )
    move_deadline_to_past(tender)
    services.tender_close(tender=tender, actor=user("olivia"))
    services.tender_start_evaluation(tender=tender, actor=user("olivia"))
    for username in ("evan", "ezra"):
        assignment = tender.assignments.get(evaluator__username=username)
        services.assignment_declare(assignment=assignment, actor=user(username), has_conflict=False)
        assignment.refresh_from_db()
        for bid in selectors.bids_for_evaluator(assignment=assignment):
            for criterion in assignment.criteria.all():
                services.score_save(
                    assignment=assignment,
                    actor=user(username),
                    bid=bid,
                    criterion=criterion,
                    value=SCORES[(bid.supplier.slug, bid.lot.number)],  # type: ignore[union-attr]
                    reason="Agreed by both.",
                )
        services.scores_submit(assignment=assignment, actor=user(username))
    tender.refresh_from_db()
    for cell in selectors.moderation_cells(tender=tender):
        services.moderation_save(
            tender=tender,
            actor=user("olivia"),
            bid=cell.bid,
            criterion=cell.criterion,
            value=cell.scores[0].value,
        )
    tender.refresh_from_db()
    return tender


def award_lot(tender: Tender, number: int) -> Any:
    return services.tender_award(
        tender=tender,
        actor=user("olivia"),
        decision=f"Award lot {number}.",
        reasons=f"The best bid for lot {number}.",
        lot=lot(tender, number),
    )


def totals(tender: Tender, number: int) -> dict[str, Decimal]:
    live = selectors.live_evaluation(tender=tender, lot=lot(tender, number))
    assert live.evaluation is not None
    assert live.complete
    return {b.bidder: b.total for b in live.evaluation.bids}


class TestSetUp:
    def test_it_numbers_lots_in_order_and_audits_them(self, lotted_draft: Tender) -> None:
        assert [(x.number, x.title, x.estimated_value_pence) for x in lotted_draft.lots.all()] == [
            (1, "Meals", 9_000_000),
            (2, "Transport", None),
        ]
        assert AuditEvent.objects.filter(action="tender.lot_added").count() == 2

    def test_it_refuses_a_lot_number_twice(self, lotted_draft: Tender) -> None:
        with pytest.raises(TenderError) as error:
            services.lot_add(tender=lotted_draft, actor=user("olivia"), title="X", number=2)
        assert error.value.code == "duplicate_lot"

    def test_it_changes_and_removes_lots_in_draft(self, lotted_draft: Tender) -> None:
        services.lot_update(
            lot=lot(lotted_draft, 2),
            actor=user("olivia"),
            number=3,
            title="Home to school transport",
            estimated_value_pence=1_000,
        )
        services.lot_delete(lot=lot(lotted_draft, 1), actor=user("olivia"))
        assert [(x.number, x.title) for x in lotted_draft.lots.all()] == [
            (3, "Home to school transport")
        ]
        changed = AuditEvent.objects.get(action="tender.lot_changed")
        assert changed.summary == (
            "Lot 3 of KCC-LOTS changed: estimated_value_pence, number, title"
        )
        assert AuditEvent.objects.filter(action="tender.lot_removed").count() == 1

    def test_it_locks_lots_at_publication(self, lotted_draft: Tender) -> None:
        services.tender_publish(tender=lotted_draft, actor=user("olivia"))
        for attempt in (
            lambda: services.lot_add(tender=lotted_draft, actor=user("olivia"), title="Late"),
            lambda: services.lot_delete(lot=lot(lotted_draft, 1), actor=user("olivia")),
            lambda: services.lot_update(
                lot=lot(lotted_draft, 1), actor=user("olivia"), number=1, title="Changed"
            ),
        ):
            with pytest.raises(TenderStateError) as error:
                attempt()
            assert error.value.code == "lots_locked"


class TestBids:
    def test_a_tender_with_lots_takes_bids_only_for_a_lot(
        self, lotted_draft: Tender, supplier_org: Any
    ) -> None:
        tender = services.tender_publish(tender=lotted_draft, actor=user("olivia"))
        with pytest.raises(TenderError) as error:
            services.bid_save(
                tender=tender, supplier=supplier_org, actor=user("sam"), price_pence=100
            )
        assert error.value.code == "lot_required"

    def test_a_lot_of_another_tender_is_refused(
        self, lotted_draft: Tender, published: Tender, supplier_org: Any
    ) -> None:
        with pytest.raises(TenderError) as error:
            services.bid_save(
                tender=published,
                supplier=supplier_org,
                actor=user("sam"),
                price_pence=100,
                lot=lot(lotted_draft, 1),
            )
        assert error.value.code == "unknown_lot"

    def test_one_bid_per_supplier_per_lot(self, lotted_bids: Tender, supplier_org: Any) -> None:
        services.bid_withdraw(
            tender=lotted_bids, supplier=supplier_org, actor=user("sam"), lot=lot(lotted_bids, 1)
        )
        bid_for(lotted_bids, supplier_org, 1)  # resubmitted: still the same bid
        mine = Bid.objects.filter(tender=lotted_bids, supplier=supplier_org)
        assert sorted((b.lot.number, b.price_pence) for b in mine) == [  # type: ignore[union-attr]
            (1, 10_000_000),
            (2, 5_000_000),
        ]
        with pytest.raises(IntegrityError), transaction.atomic():
            Bid.objects.create(tender=lotted_bids, supplier=supplier_org, lot=lot(lotted_bids, 2))

    def test_lot_bids_stay_sealed_until_the_tender_is_closed(self, lotted_bids: Tender) -> None:
        assert not selectors.opened_bids(tender=lotted_bids, lot=lot(lotted_bids, 1)).exists()
        move_deadline_to_past(lotted_bids)
        assert not selectors.opened_bids(tender=lotted_bids, lot=lot(lotted_bids, 1)).exists()
        closed = services.tender_close(tender=lotted_bids, actor=user("olivia"))
        opened = selectors.opened_bids(tender=closed, lot=lot(closed, 1))
        assert [b.supplier.slug for b in opened] == ["northgate", "ribble"]

    def test_the_audit_says_which_lot(self, lotted_bids: Tender) -> None:
        summaries = set(
            AuditEvent.objects.filter(action="bid.submitted").values_list("summary", flat=True)
        )
        assert summaries == {
            "Northgate Catering submitted its bid for KCC-LOTS, lot 1",
            "Ribble Roofing submitted its bid for KCC-LOTS, lot 1",
            "Northgate Catering submitted its bid for KCC-LOTS, lot 2",
        }


class TestEvaluationAndAward:
    def test_each_lot_is_ranked_on_its_own_bids(self, lotted_scored: Tender) -> None:
        assert totals(lotted_scored, 1) == {
            "Northgate Catering": Decimal(88),
            "Ribble Roofing": Decimal(84),
        }
        assert totals(lotted_scored, 2) == {"Northgate Catering": Decimal(92)}

    def test_the_tender_needs_a_lot_to_award(self, lotted_scored: Tender) -> None:
        with pytest.raises(TenderError) as error:
            services.tender_award(
                tender=lotted_scored, actor=user("olivia"), decision="d", reasons="r"
            )
        assert error.value.code == "lot_required"

    def test_each_lot_is_awarded_and_then_the_tender(self, lotted_scored: Tender) -> None:
        first = award_lot(lotted_scored, 1)
        lotted_scored.refresh_from_db()
        assert first.winning_bid.supplier.slug == "northgate"
        assert first.lot == lot(lotted_scored, 1)
        assert lotted_scored.status == TenderStatus.EVALUATING  # lot 2 is still open
        evaluation = selectors.award_evaluation(award=first)
        assert {b.bidder: b.total for b in evaluation.bids} == {
            "Northgate Catering": Decimal(88),
            "Ribble Roofing": Decimal(84),
        }
        assert evaluation.tender.title == "School services, lot 1: Meals"
        second = award_lot(lotted_scored, 2)
        lotted_scored.refresh_from_db()
        assert lotted_scored.status == TenderStatus.AWARDED
        assert selectors.award_evaluation(award=second).winner.total == Decimal(92)  # type: ignore[union-attr]
        assert lotted_scored.award is None  # no whole-tender award: one per lot
        assert AuditEvent.objects.filter(action="tender.lot_awarded").count() == 2
        assert AuditEvent.objects.filter(action="tender.awarded").count() == 1

    def test_a_lot_is_awarded_once_and_its_scores_then_stay(self, lotted_scored: Tender) -> None:
        award_lot(lotted_scored, 1)
        with pytest.raises(TenderStateError) as error:
            award_lot(lotted_scored, 1)
        assert error.value.code == "lot_awarded"
        cell = selectors.moderation_cells(tender=lotted_scored, lot=lot(lotted_scored, 1))[0]
        with pytest.raises(TenderStateError) as error:
            services.moderation_save(
                tender=lotted_scored,
                actor=user("olivia"),
                bid=cell.bid,
                criterion=cell.criterion,
                value=Decimal(1),
                rationale="Changed after the award.",
            )
        assert error.value.code == "lot_awarded"

    def test_each_bidder_has_a_summary_per_lot(
        self, lotted_scored: Tender, second_supplier: Any
    ) -> None:
        first = award_lot(lotted_scored, 1)
        summary = selectors.bidder_summary(award=first, supplier=second_supplier)
        assert summary is not None
        assert (summary.bid.rank, summary.bid.total) == (2, Decimal(84))
        second = award_lot(lotted_scored, 2)
        assert selectors.bidder_summary(award=second, supplier=second_supplier) is None

    def test_cancelling_the_last_open_lot_awards_the_tender(self, lotted_scored: Tender) -> None:
        award_lot(lotted_scored, 1)
        services.lot_cancel(lot=lot(lotted_scored, 2), actor=user("olivia"), reason="No budget")
        lotted_scored.refresh_from_db()
        assert lotted_scored.status == TenderStatus.AWARDED
        assert AuditEvent.objects.filter(action="tender.lot_cancelled").count() == 1

    def test_cancelling_every_lot_cancels_the_tender(self, lotted_bids: Tender) -> None:
        for number in (1, 2):
            services.lot_cancel(
                lot=lot(lotted_bids, number), actor=user("olivia"), reason="Not needed"
            )
        lotted_bids.refresh_from_db()
        assert lotted_bids.status == TenderStatus.CANCELLED

    def test_a_cancelled_lot_takes_no_bids_and_is_not_scored(
        self, lotted_bids: Tender, supplier_org: Any, second_evaluator: Any
    ) -> None:
        services.lot_cancel(lot=lot(lotted_bids, 2), actor=user("olivia"), reason="Not needed")
        with pytest.raises(TenderStateError) as error:
            services.bid_withdraw(
                tender=lotted_bids,
                supplier=supplier_org,
                actor=user("sam"),
                lot=lot(lotted_bids, 2),
            )
        assert error.value.code == "lot_cancelled"
        services.evaluator_assign(
            tender=lotted_bids,
            actor=user("olivia"),
            evaluator=second_evaluator,
            criteria=selectors.scored_criteria(tender=lotted_bids),
        )
        move_deadline_to_past(lotted_bids)
        services.tender_close(tender=lotted_bids, actor=user("olivia"))
        services.tender_start_evaluation(tender=lotted_bids, actor=user("olivia"))
        assignment = lotted_bids.assignments.get()
        services.assignment_declare(
            assignment=assignment, actor=second_evaluator, has_conflict=False
        )
        assignment.refresh_from_db()
        bids = selectors.bids_for_evaluator(assignment=assignment)
        assert sorted((b.supplier.slug, b.lot.number) for b in bids) == [  # type: ignore[union-attr]
            ("northgate", 1),
            ("ribble", 1),
        ]


class TestViews:
    def test_the_officer_adds_a_lot_on_the_lots_page(
        self, lotted_draft: Tender, client_for: Any
    ) -> None:
        url = reverse("tenders:lots", args=[lotted_draft.pk])
        response = client_for("officer").post(
            url, {"title": "Cleaning", "estimated_value": "12,500.50", "description": ""}
        )
        assert response.status_code == 302
        added = lot(lotted_draft, 3)
        assert (added.title, added.estimated_value_pence) == ("Cleaning", 1_250_050)
        response = client_for("officer").post(url, {"title": "Again", "number": "1"})
        assert response.status_code == 200
        assert response.context["form"].errors["number"] == [
            "Lot 1 already exists. Enter a different lot number"
        ]

    @pytest.mark.parametrize(
        ("role", "status"),
        [("officer", 200), ("evaluator", 403), ("supplier", 403), ("other_org", 403)],
    )
    def test_only_officers_manage_lots(
        self, lotted_draft: Tender, client_for: Any, role: str, status: int
    ) -> None:
        response = client_for(role).get(reverse("tenders:lots", args=[lotted_draft.pk]))
        assert response.status_code == status

    def test_the_opportunity_lists_the_lots_and_one_set_of_criteria(
        self, lotted_bids: Tender, client_for: Any
    ) -> None:
        response = client_for("supplier").get(reverse("tenders:opportunity", args=[lotted_bids.pk]))
        text = response.content.decode()
        assert "Lot 1: Meals" in text
        assert "Lot 2: Transport" in text
        assert "These criteria and weights apply to every lot." in text
        assert [bid.lot.number for _, bid in response.context["lots"]] == [1, 2]  # type: ignore[union-attr]

    def test_the_supplier_saves_a_bid_for_a_lot(
        self, lotted_draft: Tender, client_for: Any, supplier_org: Any
    ) -> None:
        tender = services.tender_publish(tender=lotted_draft, actor=user("olivia"))
        client = client_for("supplier")
        assert client.get(reverse("tenders:bid", args=[tender.pk])).status_code == 302
        url = reverse("tenders:lot_bid", args=[tender.pk, lot(tender, 2).pk])
        response = client.post(url, {"price": "1,234.56"})
        assert response.status_code == 302
        saved = Bid.objects.get(tender=tender, supplier=supplier_org)
        assert (saved.lot.number, saved.price_pence) == (2, 123_456)  # type: ignore[union-attr]
        assert "Lot 2: Transport" in client.get(url).content.decode()

    def test_buyers_cannot_read_a_lot_bid_before_the_tender_is_closed(
        self, lotted_bids: Tender, client_for: Any
    ) -> None:
        bid = lotted_bids.bids.first()
        assert bid is not None
        response = client_for("officer").get(
            reverse("tenders:bid_detail", args=[lotted_bids.pk, bid.pk])
        )
        assert response.status_code == 404

    def test_a_supplier_cannot_reach_another_suppliers_lot_bid(
        self, lotted_bids: Tender, client_for: Any, second_supplier: Any
    ) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        theirs = services.bid_withdraw(
            tender=lotted_bids,
            supplier=second_supplier,
            actor=user("rita"),
            lot=lot(lotted_bids, 1),
        )
        document = services.bid_document_add(
            tender=lotted_bids,
            supplier=second_supplier,
            actor=user("rita"),
            upload=SimpleUploadedFile("plan.txt", b"Ribble's plan"),
            lot=lot(lotted_bids, 1),
        )
        assert document.bid == theirs
        response = client_for("supplier").get(
            reverse("tenders:lot_bid_document", args=[lotted_bids.pk, theirs.lot_id, document.pk])
        )
        assert response.status_code == 404

    def test_lot_moderation_award_report_and_summary(
        self, lotted_scored: Tender, client_for: Any
    ) -> None:
        officer = client_for("officer")
        first = lot(lotted_scored, 1)
        moderation = officer.get(reverse("tenders:moderation", args=[lotted_scored.pk]))
        assert moderation.status_code == 302
        assert moderation["Location"] == reverse(
            "tenders:lot_moderation", args=[lotted_scored.pk, first.pk]
        )
        page = officer.get(moderation["Location"])
        assert [b.bidder for b in page.context["live"].evaluation.bids] == [
            "Northgate Catering",
            "Ribble Roofing",
        ]
        assert client_for("evaluator").get(moderation["Location"]).status_code == 403
        assert officer.get(reverse("tenders:award", args=[lotted_scored.pk])).status_code == 302
        response = officer.post(
            reverse("tenders:lot_award", args=[lotted_scored.pk, first.pk]),
            {"decision": "Award lot 1.", "reasons": "Best.", "standstill_start": "2026-11-27"},
        )
        assert response.status_code == 302
        assert str(first.awards.get().standstill_end) == "2026-12-10"
        report = reverse("tenders:lot_award_report", args=[lotted_scored.pk, first.pk, "html"])
        assert officer.get(report).status_code == 200
        assert client_for("other_org").get(report).status_code == 404
        summary = client_for("supplier").get(
            reverse("tenders:lot_bid_summary", args=[lotted_scored.pk, first.pk])
        )
        assert summary.status_code == 200
        assert summary.context["summary"].bid.total == Decimal(88)
        second = lot(lotted_scored, 2)
        not_yet = client_for("supplier").get(
            reverse("tenders:lot_bid_summary", args=[lotted_scored.pk, second.pk])
        )
        assert not_yet.status_code == 404
