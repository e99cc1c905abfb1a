"""A bid's price in lines (description | quantity | unit price), adding up to the price exactly.

Worked by hand: Cook 200 x £180.00 = £36,000.00; Vans 12 x £1,250.50 = £15,006.00; together
£51,006.00 = 5,100,600 pence.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from socialvalue.exceptions import TenderError
from socialvalue.web.tenders import selectors, services
from socialvalue.web.tenders.models import Bid, Tender
from tests.web.tenders.conftest import user

pytestmark = pytest.mark.django_db

LINES = "Cook | 200 | 180.00\nVans | 12 | 1,250.50\n"


def _data(tender: Tender, price: str, lines: str) -> dict[str, str]:
    data = {"price": price, "price_lines": lines}
    for criterion in selectors.response_criteria(tender=tender):
        data[f"response_{criterion.pk}"] = "Our answer."
    return data


def _post(tender: Tender, client_for: Any, price: str, lines: str) -> Any:
    return client_for("supplier").post(
        reverse("tenders:bid", args=[tender.pk]), _data(tender, price, lines)
    )


def test_it_keeps_lines_that_add_up_to_the_price(published: Tender, client_for: Any) -> None:
    response = _post(published, client_for, "51,006.00", LINES)
    assert response.status_code == 302
    bid = Bid.objects.get()
    assert bid.price_pence == 5_100_600
    assert [
        (x.description, x.quantity, x.unit_price_pence, x.total_pence)
        for x in bid.price_lines.all()
    ] == [
        ("Cook", Decimal(200), 18_000, 3_600_000),
        ("Vans", Decimal(12), 125_050, 1_500_600),
    ]
    page = client_for("supplier").get(reverse("tenders:bid", args=[published.pk]))
    assert page.context["form"].initial["price_lines"] == "Cook | 200 | 180.00\nVans | 12 | 1250.50"


@pytest.mark.parametrize(
    ("price", "lines", "message"),
    [
        (
            "51,000.00",
            LINES,
            "Your price lines add up to £51,006.00, but your price is £51,000.00. "
            "Make them the same",
        ),
        (
            "100",
            "Cook 200 180.00",
            "Line 1 of your price must be a description, a quantity and a unit price, "
            "separated by |",
        ),
        (
            "100",
            "Cook | 1 | 100.00\nVans | two | 5",
            "The quantity on line 2 must be a number above 0 with up to 3 decimal places",
        ),
        (
            "100",
            "Cook | 1 | £1.234",
            "The unit price on line 1 must be an amount in pounds and pence, like 180.00",
        ),
        (
            "0.01",
            "Stamps | 0.5 | 0.01",
            "Line 1 of your price comes to part of a penny: change the quantity or the unit "
            "price so it comes to whole pence",
        ),
    ],
)
def test_it_refuses_lines_beside_the_field(
    published: Tender, client_for: Any, price: str, lines: str, message: str
) -> None:
    response = _post(published, client_for, price, lines)
    assert response.status_code == 200
    assert response.context["form"].errors["price_lines"] == [message]
    assert not Bid.objects.exists()


def test_the_service_refuses_lines_that_do_not_add_up(published: Tender, supplier_org: Any) -> None:
    with pytest.raises(TenderError) as error:
        services.bid_save(
            tender=published,
            supplier=supplier_org,
            actor=user("sam"),
            price_pence=100,
            price_lines=[services.PriceLineInput("Cook", Decimal("0.5"), 199)],
        )
    assert error.value.code == "price_lines"
    assert str(error.value).startswith("Line 1 of your price comes to part of a penny")


def test_buyers_see_the_lines_once_bids_are_open_and_evaluators_never(
    evaluating: Tender, client_for: Any
) -> None:
    # The fixture's bids have no lines: give Northgate's some, as if saved before the deadline.
    bid = evaluating.bids.get(supplier__slug="northgate")
    bid.price_lines.create(description="Hot meals", quantity=1, unit_price_pence=bid.price_pence)
    page = client_for("officer").get(reverse("tenders:bid_detail", args=[evaluating.pk, bid.pk]))
    assert "Hot meals" in page.content.decode()
    assignment = evaluating.assignments.get(evaluator__username="evan")
    services.assignment_declare(assignment=assignment, actor=user("evan"), has_conflict=False)
    evaluator_page = client_for("evaluator").get(
        reverse("tenders:evaluation", args=[assignment.pk])
    )
    assert "Northgate" in evaluator_page.content.decode()
    assert "Hot meals" not in evaluator_page.content.decode()
