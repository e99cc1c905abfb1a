"""Social value scored from the bids' commitments: relative to the best per £, or by open proxy.

The officer chooses per social value criterion; evaluators never score such a criterion (the
engine works it out, like price). Expected points are worked out by hand in each test and the web
totals are compared with a direct call of the engine.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from socialvalue.evaluation import model as engine
from socialvalue.evaluation.scoring import evaluate
from socialvalue.exceptions import TenderError
from socialvalue.web.frameworks.models import Framework, FrameworkVersion
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import Criterion, Tender
from tests.web.tenders.conftest import move_deadline_to_past, score_all, user

pytestmark = pytest.mark.django_db

TOWN_FRAMEWORK = """\
format: socialvalue-framework/1
id: town
name: Town
version: '1'
publisher: Town Council
licence: CC0-1.0
outcomes:
- id: O1
  title: Local economy
  measures:
  - id: M1
    title: Hours of paid work at the Real Living Wage
    unit: hours
    scoring_modes: [proxy]
    proxy: {set: real-living-wage, value: uk-2025}
  - id: M2
    title: Spend with local suppliers
    unit: GBP
    scoring_modes: [quantity]
  - id: M3
    title: Volunteering hours
    unit: hours
    scoring_modes: [proxy]
    proxy: {set: toms, value: NT1}
"""
"""M1 has an open proxy (Real Living Wage UK 2025/26, £13.45 an hour); M2 is counted in £; M3's
proxy set is not an open one shipped with the toolkit, so it has no usable proxy value."""


@pytest.fixture
def town_version(city: Any) -> FrameworkVersion:
    framework = Framework.objects.create(organisation=city, key="town", name="Town")
    return FrameworkVersion.objects.create(
        framework=framework,
        number=1,
        document=TOWN_FRAMEWORK,
        content_hash=hashlib.sha256(TOWN_FRAMEWORK.encode()).hexdigest(),
    )


@pytest.fixture
def town_draft(draft: Tender, town_version: FrameworkVersion) -> Tender:
    Tender.objects.filter(pk=draft.pk).update(framework_version=town_version)
    draft.refresh_from_db()
    return draft


def part_b(tender: Tender) -> Criterion:
    return tender.criteria.get(key="sv_part_b")


def bid_with(tender: Tender, supplier: Any, username: str, price_pence: int, commits: Any) -> None:
    questions = {c.pk: "Our answer." for c in selectors.response_criteria(tender=tender)}
    services.bid_save(
        tender=tender,
        supplier=supplier,
        actor=user(username),
        price_pence=price_pence,
        responses=questions,
        commitments=[services.CommitmentInput(*c) for c in commits],
    )
    services.bid_submit(tender=tender, supplier=supplier, actor=user(username))


def run_to_moderation(tender: Tender, supplier_org: Any, second_supplier: Any, commits: Any) -> Any:
    """Publish, two bids (£400,000 and £450,000), both evaluators score, moderate everything."""
    tender = services.tender_publish(tender=tender, actor=user("olivia"))
    bid_with(tender, supplier_org, "sam", 40_000_000, commits["northgate"])
    bid_with(tender, second_supplier, "rita", 45_000_000, commits["ribble"])
    scored = selectors.scored_criteria(tender=tender)
    from tests.factories import MembershipFactory

    ezra = MembershipFactory(
        organisation=tender.organisation, role="evaluator", user__username="ezra"
    ).user
    for evaluator in (user("evan"), ezra):
        services.evaluator_assign(
            tender=tender, actor=user("olivia"), evaluator=evaluator, criteria=scored
        )
    move_deadline_to_past(tender)
    services.tender_close(tender=tender, actor=user("olivia"))
    tender = services.tender_start_evaluation(tender=tender, actor=user("olivia"))
    score_all(tender, "evan", {"northgate": Decimal(4), "ribble": Decimal(4)})
    score_all(tender, "ezra", {"northgate": Decimal(4), "ribble": Decimal(4)})
    for cell in selectors.moderation_cells(tender=tender):
        services.moderation_save(
            tender=tender,
            actor=user("olivia"),
            bid=cell.bid,
            criterion=cell.criterion,
            value=Decimal(4),
            rationale="",
        )
    return tender


def component_points(evaluation: Any, bidder: str, criterion_id: str) -> Decimal:
    return evaluation.bid(bidder).component(criterion_id).points


class TestChoosing:
    def test_proxy_value_is_offered_only_when_a_measure_has_an_open_proxy(
        self, draft: Tender, town_version: FrameworkVersion
    ) -> None:
        assert [v for v, _ in selectors.sv_scoring_choices(tender=draft)] == [
            "levels",
            "relative_to_best",
        ]
        Tender.objects.filter(pk=draft.pk).update(framework_version=town_version)
        draft.refresh_from_db()
        assert [v for v, _ in selectors.sv_scoring_choices(tender=draft)] == [
            "levels",
            "relative_to_best",
            "proxy_value",
        ]

    def test_it_refuses_commitment_scoring_with_nothing_to_count(
        self, draft: Tender, town_draft: Tender
    ) -> None:
        # KCC-001 without a framework: no measure counted in £.
        other = Tender.objects.get(pk=draft.pk)
        Tender.objects.filter(pk=other.pk).update(framework_version=None)
        other.refresh_from_db()
        with pytest.raises(TenderError) as error:
            services.criterion_set_scoring(
                criterion=part_b(other), actor=user("olivia"), sv_scoring="relative_to_best"
            )
        assert error.value.code == "no_commitment_measures"
        # M3's proxy set is not open: nothing to price it with.
        Tender.objects.filter(pk=other.pk).update(framework_version=town_draft.framework_version)
        Criterion.objects.filter(pk=part_b(other).pk).update(measure_id="M3")
        with pytest.raises(TenderError) as error:
            services.criterion_set_scoring(
                criterion=part_b(other), actor=user("olivia"), sv_scoring="proxy_value"
            )
        assert error.value.code == "no_commitment_measures"
        assert part_b(other).sv_scoring == "levels"

    def test_only_social_value_can_score_commitments(self, town_draft: Tender) -> None:
        price = town_draft.criteria.get(key="price")
        with pytest.raises(TenderError) as error:
            services.criterion_set_scoring(
                criterion=price, actor=user("olivia"), sv_scoring="relative_to_best"
            )
        assert error.value.code == "not_social_value"

    def test_the_choice_locks_at_publication(self, town_draft: Tender) -> None:
        services.tender_publish(tender=town_draft, actor=user("olivia"))
        with pytest.raises(TenderError) as error:
            services.criterion_set_scoring(
                criterion=part_b(town_draft), actor=user("olivia"), sv_scoring="relative_to_best"
            )
        assert error.value.code == "criteria_locked"

    def test_the_officer_chooses_on_the_criteria_page(
        self, client_for: Any, town_draft: Tender
    ) -> None:
        client = client_for("officer")
        page = client.get(reverse("tenders:criteria", args=[town_draft.pk])).content.decode()
        assert "Score commitments by open proxy value" in page
        response = client.post(
            reverse("tenders:criterion_scoring", args=[town_draft.pk, part_b(town_draft).pk]),
            {"sv_scoring": "relative_to_best"},
        )
        assert response.status_code == 302
        assert part_b(town_draft).sv_scoring == "relative_to_best"
        page = client.get(reverse("tenders:criteria", args=[town_draft.pk])).content.decode()
        assert "worked out from the bids' commitments" in page

    def test_a_new_criterion_can_score_commitments(
        self, client_for: Any, town_draft: Tender
    ) -> None:
        response = client_for("officer").post(
            reverse("tenders:criterion_add", args=[town_draft.pk]),
            {
                "name": "Local spend",
                "kind": "social_value",
                "weight": "5",
                "scale_max": "5",
                "measure_id": "M2",
                "sv_scoring": "relative_to_best",
            },
        )
        assert response.status_code == 302
        added = town_draft.criteria.get(name="Local spend")
        assert added.sv_scoring == "relative_to_best"
        assert not added.is_scored_by_evaluators


class TestRelativeToBest:
    COMMITS = {
        # £20,000 in year 1 and £10,000 in year 2 on £400,000: 0.075 per £.
        "northgate": [("M2", Decimal(20_000), 1), ("M2", Decimal(10_000), 2)],
        # £45,000 on £450,000: 0.10 per £, the best.
        "ribble": [("M2", Decimal(45_000), 1)],
    }

    @pytest.fixture
    def moderated(self, town_draft: Tender, supplier_org: Any, second_supplier: Any) -> Tender:
        services.criterion_set_scoring(
            criterion=part_b(town_draft), actor=user("olivia"), sv_scoring="relative_to_best"
        )
        return run_to_moderation(town_draft, supplier_org, second_supplier, self.COMMITS)

    def test_evaluators_are_not_asked_to_score_it(self, moderated: Tender) -> None:
        keys = {c.key for c in selectors.scored_criteria(tender=moderated)}
        assert "sv_part_b" not in keys
        assert "sv_part_a" in keys
        with pytest.raises(TenderError) as error:
            services.evaluator_assign(
                tender=moderated,
                actor=user("olivia"),
                evaluator=user("evan"),
                criteria=[part_b(moderated)],
            )
        assert error.value.code == "not_scored"
        bid = selectors.opened_bids(tender=moderated).first()
        with pytest.raises(TenderError):
            services.moderation_save(
                tender=moderated,
                actor=user("olivia"),
                bid=bid,
                criterion=part_b(moderated),
                value=Decimal(3),
                rationale="no",
            )

    def test_points_are_relative_to_the_best_per_pound(self, moderated: Tender) -> None:
        live = selectors.live_evaluation(tender=moderated)
        assert live.complete
        evaluation = live.evaluation
        # Part B is 50% of social value's 20 points: 10 points. 10 x 0.075 / 0.10 = 7.5.
        assert component_points(evaluation, "Northgate Catering", "sv_part_b") == Decimal("7.5")
        assert component_points(evaluation, "Ribble Roofing", "sv_part_b") == Decimal(10)

    def test_the_web_total_equals_a_direct_engine_call(self, moderated: Tender) -> None:
        live = selectors.live_evaluation(tender=moderated)
        model = live.evaluation.tender
        direct_bids = tuple(
            engine.Bid(
                bid.bidder,
                bid.price,
                bid.scores,
                {"sv_part_b": Decimal(30_000 if bid.bidder.startswith("North") else 45_000)},
            )
            for bid in model.bids
        )
        part = next(c for c in model.all_criteria() if c.id == "sv_part_b")
        assert part.social_value_mode is engine.SocialValueMode.RELATIVE_TO_BEST
        direct = evaluate(replace(model, bids=direct_bids))
        for result in live.evaluation.bids:
            assert result.total == direct.bid(result.bidder).total

    def test_the_award_and_its_report_use_it(self, moderated: Tender) -> None:
        award = services.tender_award(
            tender=moderated, actor=user("olivia"), decision="Award.", reasons="Best value."
        )
        document = award.evaluation_document
        assert "relative_to_best" in str(document)
        stored = selectors.award_evaluation(award=award)
        assert component_points(stored, "Northgate Catering", "sv_part_b") == Decimal("7.5")
        html, _ = selectors.award_report(award=award, fmt="html")
        assert b"Part B: commitments" in html


class TestProxyValue:
    COMMITS = {
        # 1,000 hours x £13.45 = £13,450 on £400,000.
        "northgate": [("M1", Decimal(1_000), 1)],
        # 2,000 hours x £13.45 = £26,900 on £450,000 (the best per £).
        "ribble": [("M1", Decimal(2_000), 1)],
    }

    def test_points_use_the_open_proxy_value(
        self, town_draft: Tender, supplier_org: Any, second_supplier: Any
    ) -> None:
        services.criterion_set_scoring(
            criterion=part_b(town_draft), actor=user("olivia"), sv_scoring="proxy_value"
        )
        tender = run_to_moderation(town_draft, supplier_org, second_supplier, self.COMMITS)
        live = selectors.live_evaluation(tender=tender)
        assert live.complete
        # 10 x (13,450 / 400,000) / (26,900 / 450,000) = 10 x 0.5 x 1.125 = 5.625.
        points = component_points(live.evaluation, "Northgate Catering", "sv_part_b")
        assert points.quantize(Decimal("0.000001")) == Decimal("5.625000")
        assert component_points(live.evaluation, "Ribble Roofing", "sv_part_b") == Decimal(10)
        part = next(c for c in live.evaluation.tender.all_criteria() if c.id == "sv_part_b")
        assert [(m.id, m.proxy_value) for m in part.measures] == [("M1", Decimal("13.45"))]
        direct_bids = tuple(
            replace(
                bid,
                commitments={
                    "sv_part_b": {"M1": Decimal(1_000 if bid.bidder.startswith("N") else 2_000)}
                },
            )
            for bid in live.evaluation.tender.bids
        )
        direct = evaluate(replace(live.evaluation.tender, bids=direct_bids))
        for result in live.evaluation.bids:
            assert result.total == direct.bid(result.bidder).total
