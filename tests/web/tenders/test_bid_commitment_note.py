"""The bid page says which social value criterion is scored from the commitments, and how,
instead of asking for a written answer to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from socialvalue.web.tenders import services
from socialvalue.web.tenders.models import Tender
from tests.web.tenders.conftest import user
from tests.web.tenders.test_commitment_scoring import part_b, town_draft, town_version

pytestmark = pytest.mark.django_db
__all__ = ["town_draft", "town_version"]  # fixtures used below


@pytest.mark.parametrize(
    ("scoring", "words"),
    [
        (
            "relative_to_best",
            "Part B: commitments</strong>: the £ you commit to measures counted in £.",
        ),
        (
            "proxy_value",
            "Part B: commitments</strong>: what your commitments are worth at open proxy values.",
        ),
    ],
)
def test_the_bid_page_names_the_commitment_scored_criterion(
    town_draft: Tender, client_for: Any, scoring: str, words: str
) -> None:
    services.criterion_set_scoring(
        criterion=part_b(town_draft), actor=user("olivia"), sv_scoring=scoring
    )
    tender = services.tender_publish(tender=town_draft, actor=user("olivia"))
    page = client_for("supplier").get(reverse("tenders:bid", args=[tender.pk]))
    text = page.content.decode()
    assert "scored from the commitments you enter here, not from a written answer" in text
    assert words in text
    assert 'name="response_' + str(part_b(tender).pk) + '"' not in text  # no box for words


def test_a_tender_scored_by_levels_says_nothing_of_the_kind(
    town_draft: Tender, client_for: Any
) -> None:
    tender = services.tender_publish(tender=town_draft, actor=user("olivia"))
    page = client_for("supplier").get(reverse("tenders:bid", args=[tender.pk]))
    assert 'data-testid="commitment-scoring"' not in page.content.decode()
