"""Check commitments against a measure's counting rules, and the arithmetic those rules use.

A commitment is what a bidder offers (or a supplier reports) against one measure: a quantity in
the measure's unit, optionally the place it happens in, the people it counts, the contract year and
the period it covers. :func:`check_commitments` returns a list of :class:`Finding`, each naming the
measure and the rule broken; an empty list means every rule holds. Nothing is silently corrected.

The rules come from published practice (reference: methods §3.4): FTE is the unit of employment;
a person 50% on the contract is 0.5 FTE; local employment counts for every contract year
(10 full-time + 5 half-time local staff on a 2-year contract = 12.5 FTE x 2 = 25 FTE); a
disadvantaged hire counts only in the first year and under one disadvantaged type only; local
measures count only activity in the buyer's place; part of a year counts pro rata.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from socialvalue.frameworks.model import Framework, Measure, Unit

DAYS_IN_YEAR = 365
"""Pro-rating divides the days covered (inclusive) by this; a leap day is not special-cased."""


class Rule(StrEnum):
    """The counting rule a finding is about."""

    UNKNOWN_MEASURE = "unknown_measure"
    UNIT = "unit"
    RANGE = "range"
    WHOLE_NUMBER = "whole_number"
    YES_NO = "yes_no"
    LEVEL = "level"
    ATTRIBUTION = "attribution"
    LOCAL_ONLY = "local_only"
    FIRST_YEAR_ONLY = "first_year_only"
    PERIOD = "period"
    FTE = "fte"
    EXCLUSIVE = "exclusive"
    DOUBLE_COUNT = "double_count"


@dataclass(frozen=True)
class Commitment:
    """A quantity committed (or reported) against one measure.

    Attributes
    ----------
    measure_id
        The measure committed to.
    quantity
        The amount, in the measure's unit (1 or 0 for yes/no; the level for a level 1 to 5).
    unit
        The unit the bidder stated, when they stated one; it must be the measure's.
    place
        Where the activity happens (a place id or name); needed by local-only measures.
    person_ids
        Anonymous ids of the people counted, so one person is not counted twice.
    contract_year
        1 for the first contract year, 2 for the second …
    period_start, period_end
        The period covered, both days included, when it is part of a year.
    attribution
        The share of the activity due to this contract (0 < attribution <= 1).
    """

    measure_id: str
    quantity: Decimal
    unit: Unit | None = None
    place: str | None = None
    person_ids: tuple[str, ...] = ()
    contract_year: int = 1
    period_start: date | None = None
    period_end: date | None = None
    attribution: Decimal = Decimal(1)


@dataclass(frozen=True)
class Finding:
    """A counting rule a commitment breaks.

    ``commitment_index`` is the position of the commitment in the list checked.
    """

    measure_id: str
    rule: Rule
    message: str
    commitment_index: int | None = None

    def __str__(self) -> str:
        where = (
            f"commitment {self.commitment_index + 1}, " if self.commitment_index is not None else ""
        )
        return f"{where}measure {self.measure_id} [{self.rule}]: {self.message}"


# --- arithmetic ------------------------------------------------------------------------------


def fte_from_hours(hours_per_week: Decimal, full_time_hours_per_week: Decimal) -> Decimal:
    """Full-time equivalent of a person's weekly hours (e.g. 18.75 of 37.5 hours = 0.5 FTE).

    The full-time week is the employer's own; the toolkit does not assume one.
    """
    if full_time_hours_per_week <= 0:
        raise ValueError("the full-time week must be more than 0 hours")
    return hours_per_week / full_time_hours_per_week


def fte_from_staff(full_time_people: int, part_time_fractions: Sequence[Decimal] = ()) -> Decimal:
    """FTE of a team: each full-time person is 1, each part-timer their fraction."""
    return Decimal(full_time_people) + sum(part_time_fractions, Decimal(0))


def fte_over_contract(fte_per_year: Decimal, years: int, *, count_each_year: bool) -> Decimal:
    """FTE counted over a contract: every year, or the first year only."""
    return fte_per_year * years if count_each_year else fte_per_year


def days_covered(period_start: date, period_end: date) -> int:
    """Days in a period, both ends included."""
    return (period_end - period_start).days + 1


def year_fraction(period_start: date, period_end: date) -> Decimal:
    """Share of a year a period covers: inclusive days / 365 (unrounded)."""
    return Decimal(days_covered(period_start, period_end)) / DAYS_IN_YEAR


def pro_rated(annual_quantity: Decimal, period_start: date, period_end: date) -> Decimal:
    """An annual quantity pro-rated to a part of a year (e.g. 1 FTE for 73 days = 0.2 FTE)."""
    return annual_quantity * year_fraction(period_start, period_end)


def attributed(quantity: Decimal, attribution: Decimal) -> Decimal:
    """The part of a quantity due to this contract."""
    return quantity * attribution


# --- checks ----------------------------------------------------------------------------------


def check_commitment(
    commitment: Commitment, measure: Measure, *, index: int | None = None
) -> list[Finding]:
    """Check one commitment against its measure's unit and counting rules."""
    findings: list[Finding] = []

    def add(rule: Rule, message: str) -> None:
        findings.append(Finding(measure.id, rule, message, index))

    quantity = commitment.quantity
    rules = measure.counting
    if commitment.unit is not None and commitment.unit != measure.unit:
        add(Rule.UNIT, f"stated in '{commitment.unit}' but the measure counts '{measure.unit}'")
    if quantity < 0:
        add(Rule.RANGE, f"the quantity {quantity} is negative")
    if measure.unit is Unit.PERCENT and not Decimal(0) <= quantity <= Decimal(100):
        add(Rule.RANGE, f"a percentage must be between 0 and 100, not {quantity}")
    if measure.unit is Unit.YES_NO and quantity not in (Decimal(0), Decimal(1)):
        add(Rule.YES_NO, f"a yes/no measure takes 1 (yes) or 0 (no), not {quantity}")
    if measure.unit is Unit.LEVEL_1_5 and (
        quantity != quantity.to_integral_value() or not Decimal(1) <= quantity <= Decimal(5)
    ):
        add(Rule.LEVEL, f"a level must be a whole number from 1 to 5, not {quantity}")
    if rules.minimum is not None and quantity < rules.minimum:
        add(Rule.RANGE, f"the quantity {quantity} is below the measure's minimum {rules.minimum}")
    if rules.maximum is not None and quantity > rules.maximum:
        add(Rule.RANGE, f"the quantity {quantity} is above the measure's maximum {rules.maximum}")
    if (rules.whole_numbers or measure.unit is Unit.COUNT) and (
        quantity != quantity.to_integral_value()
    ):
        add(Rule.WHOLE_NUMBER, f"the measure counts whole numbers, not {quantity}")
    if not Decimal(0) < commitment.attribution <= Decimal(1):
        add(
            Rule.ATTRIBUTION,
            f"attribution must be more than 0 and at most 1, not {commitment.attribution}",
        )
    if rules.local_only and not (commitment.place or "").strip():
        add(Rule.LOCAL_ONLY, "only local activity counts: name the place it happens in")
    if not rules.count_each_year and commitment.contract_year > 1:
        add(
            Rule.FIRST_YEAR_ONLY,
            f"counts in the first contract year only, not year {commitment.contract_year}",
        )
    findings.extend(_period_findings(commitment, measure, index))
    return findings


def _period_findings(commitment: Commitment, measure: Measure, index: int | None) -> list[Finding]:
    start, end = commitment.period_start, commitment.period_end
    if (start is None) != (end is None):
        return [
            Finding(measure.id, Rule.PERIOD, "give both the start and the end of the period", index)
        ]
    if start is not None and end is not None and end < start:
        return [
            Finding(
                measure.id,
                Rule.PERIOD,
                f"the period ends ({end}) before it starts ({start})",
                index,
            )
        ]
    if measure.unit is not Unit.FTE or not commitment.person_ids:
        return []
    people = Decimal(len(set(commitment.person_ids)))
    cap = people
    basis = f"{people} people x 1 FTE"
    if measure.counting.pro_rata_partial_year and start is not None and end is not None:
        days = days_covered(start, end)
        if days < DAYS_IN_YEAR:
            cap = people * year_fraction(start, end)
            basis = f"{people} people x {days}/{DAYS_IN_YEAR} of a year"
    cap = attributed(cap, commitment.attribution)
    if commitment.quantity > cap:
        return [
            Finding(
                measure.id,
                Rule.FTE,
                f"{commitment.quantity} FTE is more than the people counted can give "
                f"({basis} x attribution {commitment.attribution} = {cap.normalize()} FTE)",
                index,
            )
        ]
    return []


def check_commitments(commitments: Iterable[Commitment], framework: Framework) -> list[Finding]:
    """Check a bid's (or a return's) commitments against a framework.

    Besides each commitment's own checks (:func:`check_commitment`), this finds a person counted
    under two measures of the same exclusive group, and a person counted twice under one measure
    in the same contract year.
    """
    measures = {measure.id: measure for _, measure in framework.iter_measures()}
    findings: list[Finding] = []
    seen_in_group: dict[tuple[str, str], tuple[str, int]] = {}
    seen_in_measure: dict[tuple[str, int, str], int] = {}
    for index, commitment in enumerate(commitments):
        measure = measures.get(commitment.measure_id)
        if measure is None:
            findings.append(
                Finding(
                    commitment.measure_id,
                    Rule.UNKNOWN_MEASURE,
                    f"the framework {framework.id} has no measure '{commitment.measure_id}'",
                    index,
                )
            )
            continue
        findings.extend(check_commitment(commitment, measure, index=index))
        group = measure.counting.exclusive_group
        for person in dict.fromkeys(commitment.person_ids):
            key = (measure.id, commitment.contract_year, person)
            if key in seen_in_measure:
                findings.append(
                    Finding(
                        measure.id,
                        Rule.DOUBLE_COUNT,
                        f"person '{person}' is already counted under this measure in year "
                        f"{commitment.contract_year} (commitment {seen_in_measure[key] + 1})",
                        index,
                    )
                )
            else:
                seen_in_measure[key] = index
            if group is None:
                continue
            earlier = seen_in_group.get((group, person))
            if earlier is not None and earlier[0] != measure.id:
                findings.append(
                    Finding(
                        measure.id,
                        Rule.EXCLUSIVE,
                        f"person '{person}' is already counted under measure {earlier[0]}; "
                        f"measures in the group '{group}' cannot count the same person twice",
                        index,
                    )
                )
            elif earlier is None:
                seen_in_group[(group, person)] = (measure.id, index)
    return findings


def group_findings_by_measure(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Findings keyed by measure id, in the order found."""
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.measure_id].append(finding)
    return dict(grouped)
