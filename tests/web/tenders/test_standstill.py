"""The standstill: 8 working days, skipping weekends and bank holidays in England and Wales
(https://www.gov.uk/bank-holidays), and a later end the officer may set with a reason.

Every expected date is counted by hand from the day after the standstill starts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from socialvalue.exceptions import TenderError
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.tenders import services
from socialvalue.web.tenders.bank_holidays import (
    ANY_PART_OF_THE_UK,
    ENGLAND_AND_WALES,
    NORTHERN_IRELAND_ONLY,
    SCOTLAND_ONLY,
)
from socialvalue.web.tenders.models import Award, Tender
from tests.web.tenders.conftest import moderate_all, user


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # An ordinary fortnight: Tue 10 .. Fri 13 (4), Mon 16 .. Thu 19 Nov (8).
        (date(2026, 11, 9), date(2026, 11, 19)),
        # Thu 17 Dec 2026: Fri 18, Mon 21 .. Thu 24 (5); Fri 25 Christmas, Mon 28 Boxing Day
        # (substitute for Sat 26); Tue 29, Wed 30, Thu 31 Dec (8).
        (date(2026, 12, 17), date(2026, 12, 31)),
        # Tue 22 Dec 2026: Wed 23, Thu 24 (2); 25 and 28 off; Tue 29 .. Thu 31 (5); Fri 1 Jan
        # 2027 New Year's Day; Mon 4 Jan (Scotland's 2 January, a Saturday, moved); Tue 5,
        # Wed 6, Thu 7 Jan 2027 (8).
        (date(2026, 12, 22), date(2027, 1, 7)),
        # Thu 25 Mar 2027: Fri 26 Good Friday, Mon 29 Easter Monday; Tue 30, Wed 31, Thu 1,
        # Fri 2 (4); Mon 5 .. Thu 8 Apr 2027 (8).
        (date(2027, 3, 25), date(2027, 4, 8)),
        # Wed 22 Dec 2027: Thu 23, Fri 24 (2); Mon 27 and Tue 28 (substitutes for Christmas and
        # Boxing Day at the weekend); Wed 29 .. Fri 31 (5); Mon 3 Jan 2028 (substitute for New
        # Year's Day, a Saturday); Tue 4 (Scotland's 2 January, a Sunday, moved after it);
        # Wed 5, Thu 6, Fri 7 Jan 2028 (8).
        (date(2027, 12, 22), date(2028, 1, 7)),
        # Mon 10 Jul 2028: Tue 11 (1); Wed 12 Battle of the Boyne (Northern Ireland); Thu 13,
        # Fri 14 (3); Mon 17 .. Fri 21 Jul 2028 (8).
        (date(2028, 7, 10), date(2028, 7, 21)),
        # Fri 27 Nov 2026: Mon 30 St Andrew's Day (Scotland); Tue 1 .. Fri 4 (4); Mon 7 .. Thu
        # 10 Dec 2026 (8).
        (date(2026, 11, 27), date(2026, 12, 10)),
        # Thu 1 May 2025: Fri 2 (1); Mon 5 early May bank holiday; Tue 6 .. Fri 9 (5);
        # Mon 12 .. Wed 14 May 2025 (8).
        (date(2025, 5, 1), date(2025, 5, 14)),
    ],
)
def test_it_counts_eight_working_days_skipping_bank_holidays(start: date, end: date) -> None:
    assert services.standstill_end(start) == end


def test_the_list_has_the_substitute_days_govuk_gives() -> None:
    """Substitute days from the GOV.UK page, and the weekend days they replace left out."""
    substitutes = {date(2026, 12, 28), date(2027, 12, 27), date(2027, 12, 28), date(2028, 1, 3)}
    assert substitutes <= ENGLAND_AND_WALES
    assert not {date(2026, 12, 26), date(2027, 12, 25), date(2028, 1, 1)} & ENGLAND_AND_WALES
    # Eight bank holidays a year in England and Wales, 2025 to 2028.
    for year in (2025, 2026, 2027, 2028):
        assert len({d for d in ENGLAND_AND_WALES if d.year == year}) == 8
    assert all(d.weekday() < 5 for d in ANY_PART_OF_THE_UK)
    # Scotland: 2 January, first Monday in August, St Andrew's Day; Northern Ireland: St
    # Patrick's Day and the Boyne — three and two a year beyond England and Wales's eight.
    for year in (2025, 2026, 2027, 2028):
        assert len({d for d in SCOTLAND_ONLY if d.year == year}) == 3
        assert len({d for d in NORTHERN_IRELAND_ONLY if d.year == year}) == 2
    assert not (SCOTLAND_ONLY | NORTHERN_IRELAND_ONLY) & ENGLAND_AND_WALES


def _award(tender: Tender, **standstill: Any) -> Award:
    return services.tender_award(
        tender=tender,
        actor=user("olivia"),
        decision="Award to the best bid.",
        reasons="It is the most advantageous tender.",
        standstill_start=date(2026, 12, 17),
        **standstill,
    )


@pytest.mark.django_db
def test_the_award_counts_the_standstill_over_christmas(scored: Tender) -> None:
    moderate_all(scored)
    award = _award(scored)
    assert (award.standstill_start, award.standstill_end) == (
        date(2026, 12, 17),
        date(2026, 12, 31),
    )
    event = AuditEvent.objects.get(action="tender.awarded")
    assert event.data["standstill_end"] == "2026-12-31"
    assert "standstill_reason" not in event.data


@pytest.mark.django_db
def test_the_officer_sets_a_later_end_with_a_reason(scored: Tender) -> None:
    moderate_all(scored)
    award = _award(
        scored,
        standstill_end_override=date(2027, 1, 5),
        standstill_reason="The council offices are closed from 24 December to 4 January.",
    )
    assert award.standstill_end == date(2027, 1, 5)
    event = AuditEvent.objects.get(action="tender.awarded")
    assert event.data["standstill_end"] == "2027-01-05"
    assert event.data["standstill_end_computed"] == "2026-12-31"
    assert event.data["standstill_reason"] == (
        "The council offices are closed from 24 December to 4 January."
    )
    assert "set later than 31 Dec 2026" in event.summary


@pytest.mark.django_db
def test_it_refuses_an_end_before_the_computed_one(scored: Tender) -> None:
    moderate_all(scored)
    with pytest.raises(TenderError) as error:
        _award(scored, standstill_end_override=date(2026, 12, 30), standstill_reason="Short.")
    assert error.value.code == "standstill_too_short"
    assert str(error.value) == (
        "The standstill must end on or after 31 December 2026, 8 working days after it starts"
    )
    assert not Award.objects.exists()


@pytest.mark.django_db
def test_it_asks_why_the_end_is_later(scored: Tender) -> None:
    moderate_all(scored)
    with pytest.raises(TenderError) as error:
        _award(scored, standstill_end_override=date(2027, 1, 8))
    assert error.value.code == "standstill_reason_required"
    assert not Award.objects.exists()
    # The computed end itself needs no reason: it is not a change.
    award = _award(scored, standstill_end_override=date(2026, 12, 31))
    assert award.standstill_end == date(2026, 12, 31)


@pytest.mark.django_db
def test_the_award_form_shows_a_short_end_beside_the_field(scored: Tender, client_for: Any) -> None:
    moderate_all(scored)
    url = reverse("tenders:award", args=[scored.pk])
    client = client_for("officer")
    form = {
        "decision": "Award to the best bid.",
        "reasons": "It is the most advantageous tender.",
        "standstill_start": "2026-12-17",
        "standstill_end": "2026-12-29",
        "standstill_reason": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert (
        response.context["form"]
        .errors["standstill_end"][0]
        .startswith("The standstill must end on or after 31 December 2026")
    )
    assert 'href="#id_standstill_end"' in response.content.decode()
    response = client.post(url, form | {"standstill_end": "2027-01-04"})
    assert response.context["form"].errors["standstill_reason"] == [
        "Enter why the standstill ends later, such as a local closure"
    ]
    response = client.post(
        url, form | {"standstill_end": "2027-01-04", "standstill_reason": "Offices closed."}
    )
    assert response.status_code == 302
    assert Award.objects.get().standstill_end == date(2027, 1, 4)
    page = client.get(response.headers["Location"]).content.decode()
    assert "ends on 4 January 2027" in page
