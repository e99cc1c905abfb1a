"""Checks that a tender can be evaluated, reporting every problem with its place in the file.

Paths follow the YAML file: ``criteria[1].scale.max``, ``criteria[2].children[0].weight``,
``bids[0].scores.quality``. The same checks run whether the tender came from YAML, from the XLSX
template or from Python, so :func:`socialvalue.evaluation.scoring.evaluate` never works on a
tender with a problem.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter, getitem

from socialvalue.evaluation.model import (
    HUNDRED,
    Criterion,
    CriterionKind,
    PriceMethod,
    Score,
    SocialValueMode,
    Tender,
    TieBreakRule,
)

ZERO = Decimal(0)
PRESETS = ("", "preston")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an evaluation file: where it is and what to do."""

    path: str
    message: str
    code: str = "invalid"

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _format(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return text


def criterion_paths(tender: Tender) -> dict[str, str]:
    """Each criterion id mapped to its path in the file (``criteria[0].children[1]``)."""
    paths: dict[str, str] = {}

    def visit(criterion: Criterion, path: str) -> None:
        paths.setdefault(criterion.id, path)
        for index, child in enumerate(criterion.children):
            visit(child, f"{path}.children[{index}]")

    for index, criterion in enumerate(tender.criteria):
        visit(criterion, f"criteria[{index}]")
    return paths


def needs_score(criterion: Criterion) -> bool:
    """Whether each bid must carry a moderated score for this (leaf) criterion."""
    if criterion.is_group:
        return False
    if criterion.kind in (CriterionKind.QUALITY, CriterionKind.PASS_FAIL):
        return True
    return (
        criterion.kind is CriterionKind.SOCIAL_VALUE
        and criterion.social_value_mode is SocialValueMode.LEVELS
    )


def needs_commitment(criterion: Criterion) -> bool:
    """Whether each bid must state a social value commitment for this (leaf) criterion."""
    return (
        not criterion.is_group
        and criterion.kind is CriterionKind.SOCIAL_VALUE
        and criterion.social_value_mode is not SocialValueMode.LEVELS
    )


def needs_price(tender: Tender) -> bool:
    """Whether every bid must have a price (a price criterion or value-for-money social value)."""
    return tender.price_criterion() is not None or any(
        needs_commitment(criterion) for criterion in tender.leaves()
    )


def _check_criterion(
    criterion: Criterion, path: str, *, top_level: bool, tender: Tender
) -> list[Problem]:
    problems: list[Problem] = []
    if not criterion.id:
        problems.append(Problem(f"{path}.id", "give the criterion an id", "missing"))
    if criterion.weight < ZERO:
        problems.append(Problem(f"{path}.weight", "a weight cannot be negative", "negative_weight"))
    if criterion.kind is CriterionKind.PASS_FAIL:
        if criterion.weight != ZERO:
            problems.append(
                Problem(f"{path}.weight", "a pass/fail criterion carries no weight; set it to 0")
            )
    elif criterion.kind is CriterionKind.PRICE:
        problems.extend(_check_price(criterion, path, top_level=top_level))
    elif criterion.weight == ZERO:
        problems.append(Problem(f"{path}.weight", "give the criterion a weight above 0"))

    if criterion.is_group:
        if criterion.kind in (CriterionKind.PRICE, CriterionKind.PASS_FAIL):
            problems.append(
                Problem(f"{path}.children", f"a {criterion.kind.value} criterion has no parts")
            )
        share = sum((child.weight for child in criterion.children), ZERO)
        if share != HUNDRED:
            problems.append(
                Problem(
                    f"{path}.children",
                    f"sub-criteria weights are percentages of their parent and must add up to "
                    f"100; they add up to {_format(share)}",
                    "weights_sum",
                )
            )
        for index, child in enumerate(criterion.children):
            if child.kind is not criterion.kind:
                problems.append(
                    Problem(
                        f"{path}.children[{index}].kind",
                        f"a part of a {criterion.kind.value} criterion must also be "
                        f"{criterion.kind.value}",
                    )
                )
            problems.extend(
                _check_criterion(child, f"{path}.children[{index}]", top_level=False, tender=tender)
            )
        if criterion.threshold is not None:
            problems.append(
                Problem(f"{path}.threshold", "set thresholds on the sub-criteria, not the group")
            )
        return problems

    if needs_score(criterion) and criterion.kind is not CriterionKind.PASS_FAIL:
        problems.extend(_check_scale(criterion, path))
    elif criterion.threshold is not None:
        problems.append(
            Problem(
                f"{path}.threshold",
                "only criteria scored on a scale (quality, social value by levels) take a "
                "threshold",
            )
        )
    if needs_commitment(criterion) and criterion.social_value_mode is SocialValueMode.PROXY_VALUE:
        if not criterion.measures:
            problems.append(
                Problem(f"{path}.measures", "list the measures and their proxy values", "missing")
            )
        ids = Counter(measure.id for measure in criterion.measures)
        for index, measure in enumerate(criterion.measures):
            if ids[measure.id] > 1:
                problems.append(
                    Problem(f"{path}.measures[{index}].id", f"measure {measure.id!r} is repeated")
                )
            if measure.proxy_value < ZERO:
                problems.append(
                    Problem(
                        f"{path}.measures[{index}].proxy_value", "a proxy value cannot be negative"
                    )
                )
    return problems


def _check_price(criterion: Criterion, path: str, *, top_level: bool) -> list[Problem]:
    problems: list[Problem] = []
    if not top_level:
        problems.append(Problem(path, "put the price criterion at the top level"))
    method = criterion.method or PriceMethod.RELATIVE_TO_LOWEST
    if method is PriceMethod.PRICE_PER_QUALITY_POINT:
        if criterion.weight != ZERO:
            problems.append(
                Problem(
                    f"{path}.weight",
                    "under price per quality point the price carries no weight; set it to 0 "
                    "and weight the other criteria",
                )
            )
    elif criterion.weight == ZERO:
        problems.append(Problem(f"{path}.weight", "give the price criterion a weight above 0"))
    if method is PriceMethod.BENCHMARK:
        if criterion.benchmark_price is None:
            problems.append(
                Problem(f"{path}.benchmark_price", "give the benchmark price", "missing")
            )
        elif criterion.benchmark_price <= ZERO:
            problems.append(Problem(f"{path}.benchmark_price", "must be more than 0"))
        elif (
            criterion.zero_score_price is not None
            and criterion.zero_score_price <= criterion.benchmark_price
        ):
            problems.append(
                Problem(f"{path}.zero_score_price", "must be more than the benchmark price")
            )
    if criterion.threshold is not None:
        problems.append(Problem(f"{path}.threshold", "a price criterion takes no threshold"))
    return problems


def _check_scale(criterion: Criterion, path: str) -> list[Problem]:
    scale = criterion.scale
    if scale is None:
        return [Problem(f"{path}.scale", "give the scale, e.g. {min: 0, max: 5}", "missing")]
    problems: list[Problem] = []
    if scale.maximum <= scale.minimum:
        problems.append(Problem(f"{path}.scale.max", "must be more than the scale's min"))
    if scale.maximum <= ZERO:
        problems.append(Problem(f"{path}.scale.max", "must be more than 0"))
    if scale.minimum < ZERO:
        problems.append(Problem(f"{path}.scale.min", "cannot be negative"))
    for index, level in enumerate(scale.levels):
        if not scale.minimum <= level.value <= scale.maximum:
            problems.append(
                Problem(
                    f"{path}.scale.levels[{index}]",
                    f"level {_format(level.value)} is outside the scale "
                    f"{_format(scale.minimum)} to {_format(scale.maximum)}",
                )
            )
    threshold = criterion.threshold
    if threshold is not None and not scale.minimum <= threshold <= scale.maximum:
        problems.append(
            Problem(
                f"{path}.threshold",
                f"threshold {_format(threshold)} is outside the scale "
                f"{_format(scale.minimum)} to {_format(scale.maximum)}",
                "threshold_outside_scale",
            )
        )
    return problems


class _Allowed(dict[Decimal, bool]):
    """Whether each score value (never pass/fail) is allowed on a criterion, decided once."""

    __slots__ = ("_scale",)

    def __init__(self, criterion: Criterion) -> None:
        super().__init__()
        self._scale = criterion.scale

    def __missing__(self, value: Decimal) -> bool:
        allowed = self._scale is None or self._scale.allows(value)
        self[value] = allowed
        return allowed


_SCORE_VALUE = attrgetter("value")


class _CleanScores:
    """A quick test that a bid's scores have no problem at all, for the common case.

    A bid passes when it scores exactly the scored criteria, each number is allowed on its scale
    (each distinct value checked once per criterion) and each pass/fail answer is pass or fail.
    A bid that does not pass is checked criterion by criterion, which finds its problems.
    """

    def __init__(self, scored: list[Criterion]) -> None:
        self.ids = {criterion.id for criterion in scored}
        numbers = [
            criterion for criterion in scored if criterion.kind is not CriterionKind.PASS_FAIL
        ]
        self.number_ids = tuple(criterion.id for criterion in numbers)
        self.allowed = tuple(_Allowed(criterion) for criterion in numbers)
        self.answer_ids = tuple(
            criterion.id for criterion in scored if criterion.kind is CriterionKind.PASS_FAIL
        )

    def __call__(self, scores: Mapping[str, Score]) -> bool:
        if scores.keys() != self.ids:
            return False
        try:
            numbers = list(map(_SCORE_VALUE, map(scores.__getitem__, self.number_ids)))
            if bool in set(map(type, numbers)) or not all(map(getitem, self.allowed, numbers)):
                return False
            answers = map(_SCORE_VALUE, map(scores.__getitem__, self.answer_ids))
            return set(map(type, answers)) <= {bool}
        except TypeError:  # e.g. a value that cannot be hashed: checked one by one
            return False


def _check_bids(tender: Tender) -> list[Problem]:
    problems: list[Problem] = []
    if not tender.bids:
        problems.append(Problem("bids", "add at least one bid", "missing"))
    names = Counter(bid.bidder for bid in tender.bids)
    leaves = tender.leaves()
    price_needed = needs_price(tender)
    scored = [criterion for criterion in leaves if needs_score(criterion)]
    committed = [criterion for criterion in leaves if needs_commitment(criterion)]
    scored_ids = {criterion.id for criterion in scored}
    committed_ids = {criterion.id for criterion in committed}
    clean_scores = _CleanScores(scored)
    for index, bid in enumerate(tender.bids):
        path = f"bids[{index}]"
        if not bid.bidder:
            problems.append(Problem(f"{path}.bidder", "give the bidder's name", "missing"))
        elif names[bid.bidder] > 1:
            problems.append(
                Problem(f"{path}.bidder", f"{bid.bidder!r} appears more than once", "duplicate")
            )
        if bid.price is None:
            if price_needed:
                problems.append(Problem(f"{path}.price", "give the bid's price", "missing"))
        elif bid.price <= ZERO:
            problems.append(
                Problem(f"{path}.price", "a price must be more than 0", "price_not_positive")
            )
        clean = clean_scores(bid.scores)
        for criterion in () if clean else scored:
            score = bid.scores.get(criterion.id)
            if score is None:
                problems.append(
                    Problem(
                        f"{path}.scores.{criterion.id}",
                        f"give a score for {criterion.label}",
                        "missing_score",
                    )
                )
            elif criterion.scale is not None and not isinstance(score.value, bool):
                if not criterion.scale.allows(score.value):
                    problems.extend(
                        _check_score(criterion, score.value, f"{path}.scores.{criterion.id}")
                    )
            else:
                problems.extend(
                    _check_score(criterion, score.value, f"{path}.scores.{criterion.id}")
                )
        for criterion in committed:
            problems.extend(
                _check_commitment(
                    criterion, bid.commitments.get(criterion.id), f"{path}.commitments"
                )
            )
        for criterion_id in () if clean else bid.scores:
            if criterion_id not in scored_ids:
                problems.append(
                    Problem(
                        f"{path}.scores.{criterion_id}",
                        f"no criterion {criterion_id!r} is scored by evaluators",
                        "unknown_criterion",
                    )
                )
        for criterion_id in bid.commitments:
            if criterion_id not in committed_ids:
                problems.append(
                    Problem(
                        f"{path}.commitments.{criterion_id}",
                        f"no criterion {criterion_id!r} takes commitments",
                        "unknown_criterion",
                    )
                )
    return problems


def _check_score(criterion: Criterion, value: Decimal | bool, path: str) -> list[Problem]:
    if criterion.kind is CriterionKind.PASS_FAIL:
        if not isinstance(value, bool):
            return [Problem(path, "a pass/fail score is pass or fail", "score_outside_scale")]
        return []
    if isinstance(value, bool):
        return [Problem(path, "give a number on the scale, not pass/fail", "score_outside_scale")]
    scale = criterion.scale
    if scale is None or scale.allows(value):
        return []
    if scale.levels:
        allowed = ", ".join(_format(level.value) for level in scale.levels)
        return [
            Problem(
                path,
                f"score {_format(value)} is not one of the scale's levels ({allowed})",
                "score_outside_scale",
            )
        ]
    return [
        Problem(
            path,
            f"score {_format(value)} is outside the scale {_format(scale.minimum)} to "
            f"{_format(scale.maximum)}",
            "score_outside_scale",
        )
    ]


def _check_commitment(
    criterion: Criterion, commitment: Decimal | object | None, path: str
) -> list[Problem]:
    here = f"{path}.{criterion.id}"
    if commitment is None:
        return [Problem(here, f"give the commitment for {criterion.label}", "missing_commitment")]
    if criterion.social_value_mode is SocialValueMode.RELATIVE_TO_BEST:
        if not isinstance(commitment, Decimal):
            return [Problem(here, "give the committed social value as an amount of money")]
        if commitment < ZERO:
            return [Problem(here, "a commitment cannot be negative")]
        return []
    if not isinstance(commitment, dict):
        return [Problem(here, "give the quantity committed for each measure")]
    measures = {measure.id for measure in criterion.measures}
    problems: list[Problem] = []
    for measure_id, quantity in commitment.items():
        if measure_id not in measures:
            problems.append(
                Problem(f"{here}.{measure_id}", f"criterion {criterion.id!r} has no such measure")
            )
        elif quantity < ZERO:
            problems.append(Problem(f"{here}.{measure_id}", "a quantity cannot be negative"))
    return problems


def _check_settings(tender: Tender, ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    if tender.total_points <= ZERO:
        problems.append(Problem("total_points", "must be more than 0"))
    for index, rule in enumerate(tender.tie_break):
        name, _, argument = rule.partition(":")
        if name not in {member.value for member in TieBreakRule}:
            allowed = ", ".join(member.value for member in TieBreakRule)
            problems.append(
                Problem(f"tie_break[{index}]", f"unknown rule {rule!r}; use one of {allowed}")
            )
        elif name == TieBreakRule.HIGHEST_POINTS.value and argument not in ids:
            problems.append(
                Problem(
                    f"tie_break[{index}]",
                    "write highest_points:<criterion id> with an id from criteria",
                )
            )
    low = tender.abnormally_low
    for name, value in (
        ("below_mean_of_others", low.below_mean_of_others),
        ("below_next_lowest", low.below_next_lowest),
    ):
        if not ZERO < value <= HUNDRED:
            problems.append(
                Problem(f"abnormally_low.{name}", "give a percentage above 0 and up to 100")
            )
    if not ZERO <= tender.policy.social_value_minimum <= HUNDRED:
        problems.append(Problem("policy.social_value_minimum", "give a percentage from 0 to 100"))
    if tender.policy.preset not in PRESETS:
        problems.append(Problem("policy.preset", "the only preset is preston"))
    if tender.sensitivity.samples < 1:
        problems.append(Problem("sensitivity.samples", "must be at least 1"))
    if tender.sensitivity.concentration <= ZERO:
        problems.append(Problem("sensitivity.concentration", "must be more than 0"))
    return problems


def validate_tender(tender: Tender) -> list[Problem]:
    """Every problem that stops ``tender`` being evaluated, in file order.

    Returns
    -------
    list of Problem
        Empty when the tender can be evaluated.
    """
    problems: list[Problem] = []
    if not tender.criteria:
        problems.append(Problem("criteria", "add at least one criterion", "missing"))
    all_criteria = list(tender.all_criteria())
    id_counts = Counter(criterion.id for criterion in all_criteria)
    paths = criterion_paths(tender)
    for criterion_id, count in id_counts.items():
        if count > 1 and criterion_id:
            problems.append(
                Problem(
                    f"{paths[criterion_id]}.id",
                    f"criterion id {criterion_id!r} is used {count} times",
                    "duplicate",
                )
            )
    prices = [criterion for criterion in all_criteria if criterion.kind is CriterionKind.PRICE]
    if len(prices) > 1:
        problems.append(Problem("criteria", "a tender has at most one price criterion"))
    for index, criterion in enumerate(tender.criteria):
        problems.extend(
            _check_criterion(criterion, f"criteria[{index}]", top_level=True, tender=tender)
        )
    total = sum((criterion.weight for criterion in tender.criteria), ZERO)
    if tender.criteria and total != tender.total_points:
        problems.append(
            Problem(
                "criteria",
                f"the weights add up to {_format(total)}, not {_format(tender.total_points)}; "
                f"make them add up to total_points",
                "weights_sum",
            )
        )
    if tender.uses_price_per_quality_point() and not any(
        criterion.weight > ZERO
        for criterion in tender.criteria
        if criterion.kind not in (CriterionKind.PRICE, CriterionKind.PASS_FAIL)
    ):
        problems.append(
            Problem("criteria", "price per quality point needs at least one weighted criterion")
        )
    problems.extend(_check_bids(tender))
    problems.extend(_check_settings(tender, set(id_counts)))
    return problems
