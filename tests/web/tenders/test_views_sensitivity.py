"""The moderation page shows the engine's sensitivity findings live, as a direct call gives them."""

from __future__ import annotations

import html
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from socialvalue.evaluation.scoring import evaluate
from socialvalue.evaluation.sensitivity import Sensitivity, analyse
from socialvalue.reports.words import sensitivity_sentences
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.engine import EngineBid, engine_tender
from socialvalue.web.tenders.models import ModeratedScore, Tender
from tests.web.tenders.conftest import user

pytestmark = pytest.mark.django_db


def _moderate(tender: Tender, values: dict[str, Decimal]) -> None:
    for cell in selectors.moderation_cells(tender=tender):
        services.moderation_save(
            tender=tender,
            actor=user("olivia"),
            bid=cell.bid,
            criterion=cell.criterion,
            value=values[cell.bid.supplier.slug],
            rationale="Agreed at the panel meeting.",
        )


def _direct(tender: Tender) -> tuple[Any, Sensitivity]:
    """The engine called directly on the moderated scores, built here from the stored rows."""
    by_bid: dict[int, dict[str, tuple[Decimal, str]]] = {}
    for row in ModeratedScore.objects.filter(bid__tender=tender).select_related("criterion"):
        by_bid.setdefault(row.bid_id, {})[row.criterion.key] = (row.value, row.rationale)
    bids = [
        EngineBid(bid.supplier.name, bid.price_pence, by_bid[bid.pk])
        for bid in tender.bids.filter(status="submitted").select_related("supplier")
    ]
    model = engine_tender(tender, list(tender.criteria.all()), bids)
    model = replace(
        model,
        sensitivity=replace(model.sensitivity, samples=selectors.LIVE_SENSITIVITY_SAMPLES),
    )
    evaluation = evaluate(model)
    return evaluation, analyse(evaluation)


def _findings(page: str) -> str:
    return html.unescape(page.split('data-testid="sensitivity"', 1)[1])


def test_it_shows_the_findings_a_direct_engine_call_gives(scored: Tender, client_for: Any) -> None:
    _moderate(scored, {"northgate": Decimal(3), "ribble": Decimal(5)})
    response = client_for("officer").get(reverse("tenders:moderation", args=[scored.pk]))
    evaluation, expected = _direct(scored)
    shown: Sensitivity = response.context["sensitivity"]
    assert shown == expected
    assert expected.monte_carlo is not None
    assert expected.monte_carlo.samples == selectors.LIVE_SENSITIVITY_SAMPLES
    assert expected.smallest_weight_change is not None  # a contest close enough to test
    page = _findings(response.content.decode())
    sentences = sensitivity_sentences(evaluation, expected)
    assert len(sentences) >= 4
    for sentence in sentences:
        assert sentence in page
    for bidder, chance in expected.monte_carlo.win_probability.items():
        assert f"{(chance * 100).quantize(Decimal('0.1'))}%" in page, bidder


def test_it_rests_on_the_same_engine_tender_as_the_award(scored: Tender, client_for: Any) -> None:
    _moderate(scored, {"northgate": Decimal(3), "ribble": Decimal(5)})
    shown = client_for("officer").get(reverse("tenders:moderation", args=[scored.pk]))
    services.tender_award(
        tender=scored, actor=user("olivia"), decision="Award", reasons="Highest total"
    )
    scored.refresh_from_db()
    awarded = selectors.award_evaluation(award=scored.award).tender
    again = analyse(
        evaluate(
            replace(
                awarded,
                sensitivity=replace(
                    awarded.sensitivity, samples=selectors.LIVE_SENSITIVITY_SAMPLES
                ),
            )
        )
    )
    assert shown.context["sensitivity"] == again


def test_it_recomputes_the_findings_when_a_moderated_score_is_saved(
    scored: Tender, client_for: Any
) -> None:
    _moderate(scored, {"northgate": Decimal(4), "ribble": Decimal(4)})
    officer = client_for("officer")
    before = officer.get(reverse("tenders:moderation", args=[scored.pk])).context["sensitivity"]
    cell = next(
        c for c in selectors.moderation_cells(tender=scored) if c.bid.supplier.slug == "ribble"
    )
    prefix = f"m{cell.bid.pk}-{cell.criterion.pk}"
    response = officer.post(
        reverse("tenders:moderate", args=[scored.pk, cell.bid.pk, cell.criterion.pk]),
        {f"{prefix}-value": "5", f"{prefix}-rationale": "The evidence is outstanding."},
        headers={"HX-Request": "true"},
    )
    partial = response.content.decode()
    assert partial.strip().startswith('<div id="moderation-body">')
    after = response.context["sensitivity"]
    evaluation, expected = _direct(scored)
    assert after == expected
    assert after != before
    for sentence in sensitivity_sentences(evaluation, expected):
        assert sentence in _findings(partial)


def test_it_says_nothing_while_the_engine_cannot_evaluate(
    evaluating: Tender, client_for: Any
) -> None:
    response = client_for("officer").get(reverse("tenders:moderation", args=[evaluating.pk]))
    assert response.context["live"].evaluation is None
    assert response.context["sensitivity"] is None
    assert 'data-testid="sensitivity"' not in response.content.decode()
