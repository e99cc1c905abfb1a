"""UK bank holidays, for counting the standstill period in working days.

The Procurement Act 2023 counts working days without bank holidays in *any* part of the United
Kingdom, so the standstill skips the holidays of England and Wales, Scotland and Northern Ireland
alike (skipping more can only lengthen a standstill, never shorten it below the minimum).

The dates for 2025 to 2028 follow the holidays and substitute-day rules GOV.UK publishes at
https://www.gov.uk/bank-holidays (the page could not be fetched when they were written, so they
were worked out from those rules and Easter dates and should be checked against it). They are
data, not a rule worked out in code: a government can move or add a bank holiday (as it did for
the coronation in 2023), so check the page and add a year here before the last one runs out.
Days past the end of the list (``COVERED_UNTIL``) are counted as ordinary weekdays. A local
closure is handled by changing the standstill end on the award form.
"""

from __future__ import annotations

from datetime import date

#: Source: https://www.gov.uk/bank-holidays, England and Wales.
ENGLAND_AND_WALES: frozenset[date] = frozenset(
    {
        # 2025
        date(2025, 1, 1),  # New Year's Day
        date(2025, 4, 18),  # Good Friday
        date(2025, 4, 21),  # Easter Monday
        date(2025, 5, 5),  # Early May bank holiday
        date(2025, 5, 26),  # Spring bank holiday
        date(2025, 8, 25),  # Summer bank holiday
        date(2025, 12, 25),  # Christmas Day
        date(2025, 12, 26),  # Boxing Day
        # 2026
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # Early May bank holiday
        date(2026, 5, 25),  # Spring bank holiday
        date(2026, 8, 31),  # Summer bank holiday
        date(2026, 12, 25),  # Christmas Day
        date(2026, 12, 28),  # Boxing Day (substitute day: 26 December is a Saturday)
        # 2027
        date(2027, 1, 1),  # New Year's Day
        date(2027, 3, 26),  # Good Friday
        date(2027, 3, 29),  # Easter Monday
        date(2027, 5, 3),  # Early May bank holiday
        date(2027, 5, 31),  # Spring bank holiday
        date(2027, 8, 30),  # Summer bank holiday
        date(2027, 12, 27),  # Christmas Day (substitute day: 25 December is a Saturday)
        date(2027, 12, 28),  # Boxing Day (substitute day: 26 December is a Sunday)
        # 2028
        date(2028, 1, 3),  # New Year's Day (substitute day: 1 January is a Saturday)
        date(2028, 4, 14),  # Good Friday
        date(2028, 4, 17),  # Easter Monday
        date(2028, 5, 1),  # Early May bank holiday
        date(2028, 5, 29),  # Spring bank holiday
        date(2028, 8, 28),  # Summer bank holiday
        date(2028, 12, 25),  # Christmas Day
        date(2028, 12, 26),  # Boxing Day
    }
)

#: Holidays in Scotland that England and Wales do not have: 2 January, the first Monday in August
#: and St Andrew's Day (30 November), each moved to the next weekday when it falls at a weekend.
SCOTLAND_ONLY: frozenset[date] = frozenset(
    {
        date(2025, 1, 2),
        date(2025, 8, 4),
        date(2025, 12, 1),  # St Andrew's Day (substitute day: 30 November is a Sunday)
        date(2026, 1, 2),
        date(2026, 8, 3),
        date(2026, 11, 30),
        date(2027, 1, 4),  # 2 January (substitute day: a Saturday)
        date(2027, 8, 2),
        date(2027, 11, 30),
        date(2028, 1, 4),  # 2 January (substitute day: a Sunday, after 3 January's substitute)
        date(2028, 8, 7),
        date(2028, 11, 30),
    }
)

#: Holidays in Northern Ireland that England and Wales do not have: St Patrick's Day (17 March)
#: and the Battle of the Boyne (12 July), moved to the next weekday when at a weekend.
NORTHERN_IRELAND_ONLY: frozenset[date] = frozenset(
    {
        date(2025, 3, 17),
        date(2025, 7, 14),  # Battle of the Boyne (substitute day: 12 July is a Saturday)
        date(2026, 3, 17),
        date(2026, 7, 13),  # Battle of the Boyne (substitute day: 12 July is a Sunday)
        date(2027, 3, 17),
        date(2027, 7, 12),
        date(2028, 3, 17),
        date(2028, 7, 12),
    }
)

#: Every day that is a bank holiday somewhere in the United Kingdom.
ANY_PART_OF_THE_UK: frozenset[date] = ENGLAND_AND_WALES | SCOTLAND_ONLY | NORTHERN_IRELAND_ONLY

#: The last day the list is known to cover.
COVERED_UNTIL = date(2028, 12, 31)


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday in any part of the United Kingdom."""
    return day.weekday() < 5 and day not in ANY_PART_OF_THE_UK
