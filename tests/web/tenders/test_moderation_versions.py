"""Two moderators saving the same consensus score from stale pages: the second is refused with
a clear message and shown the value now saved, never silently overwriting the first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socialvalue.exceptions import ConcurrentEditError
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import ModeratedScore, Tender
from tests.factories import MembershipFactory
from tests.web.tenders.conftest import user

pytestmark = pytest.mark.django_db


def _agreed_cell(tender: Tender) -> Any:
    # Northgate: both evaluators scored 4, so no rationale is needed for 4.
    return next(c for c in selectors.moderation_cells(tender=tender) if c.agreed)


class TestService:
    def test_the_second_stale_save_is_refused(self, scored: Tender) -> None:
        cell = _agreed_cell(scored)
        first = services.moderation_save(
            tender=scored,
            actor=user("olivia"),
            bid=cell.bid,
            criterion=cell.criterion,
            value=Decimal(4),
            expected_version=0,  # the page showed no moderated score yet
        )
        assert first.version == 1
        with pytest.raises(ConcurrentEditError) as error:
            services.moderation_save(
                tender=scored,
                actor=user("olivia"),
                bid=cell.bid,
                criterion=cell.criterion,
                value=Decimal(2),
                rationale="From a page opened before the first save.",
                expected_version=0,
            )
        assert error.value.code == "stale"
        assert "it is now 4" in str(error.value)
        assert ModeratedScore.objects.get(pk=first.pk).value == Decimal(4)

    def test_a_save_quoting_the_current_version_goes_through(self, scored: Tender) -> None:
        cell = _agreed_cell(scored)
        kwargs = {"tender": scored, "actor": user("olivia"), "bid": cell.bid}
        services.moderation_save(**kwargs, criterion=cell.criterion, value=Decimal(4))
        second = services.moderation_save(
            **kwargs,
            criterion=cell.criterion,
            value=Decimal(3),
            rationale="The panel looked again.",
            expected_version=1,
        )
        assert (second.value, second.version) == (Decimal(3), 2)


class TestView:
    def test_the_second_moderator_sees_the_current_value(
        self, scored: Tender, client_for: Any, city: Any
    ) -> None:
        MembershipFactory(organisation=city, role="officer", user__username="omar")
        cell = _agreed_cell(scored)
        url = reverse("tenders:moderate", args=[scored.pk, cell.bid.pk, cell.criterion.pk])
        prefix = f"m{cell.bid.pk}-{cell.criterion.pk}"
        # Both pages were opened before either save: both quote version 0.
        first = client_for("officer").post(
            url, {f"{prefix}-value": "4", f"{prefix}-version": "0"}, HTTP_HX_REQUEST="true"
        )
        assert first.status_code == 200
        omar = Client()
        omar.force_login(user("omar"))
        second = omar.post(
            url,
            {
                f"{prefix}-value": "2",
                f"{prefix}-rationale": "Lower, I think.",
                f"{prefix}-version": "0",
            },
            HTTP_HX_REQUEST="true",
        )
        text = second.content.decode()
        assert "Someone else saved the moderated score" in text
        assert "it is now 4" in text
        assert ModeratedScore.objects.get(bid=cell.bid, criterion=cell.criterion).value == 4
        # The re-rendered cell carries the current value and version, so saving again works.
        assert f'name="{prefix}-version" value="1"' in text
        assert f'name="{prefix}-value" type="text" inputmode="decimal" value="4' in text
