"""Bank holidays in England and Wales, for counting the standstill period in working days.

The dates are copied by hand from GOV.UK, https://www.gov.uk/bank-holidays (England and Wales),
for 2025 to 2028, including the substitute days GOV.UK lists when a holiday falls at a weekend.
They are data, not a rule worked out in code: a government can move or add a bank holiday (as it
did for the coronation in 2023), so check the page and add a year here before the last one runs
out. Days past the end of the list (``COVERED_UNTIL``) are counted as ordinary weekdays.

Holidays that apply only in Scotland or Northern Ireland are not listed; a local closure (or one
of those) is handled by changing the standstill end on the award form.
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

#: The last day the list is known to cover.
COVERED_UNTIL = date(2028, 12, 31)


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a bank holiday in England and Wales."""
    return day.weekday() < 5 and day not in ENGLAND_AND_WALES
