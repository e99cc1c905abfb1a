"""Turning tender rows into the evaluation engine's plain data, and nothing more.

All scoring — price formulas, thresholds, totals, ranking, abnormally-low flags, the policy check
and sensitivity — is done by :mod:`socialvalue.evaluation`; this module only translates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from socialvalue.evaluation import model as engine
from socialvalue.evaluation.checks import policy_findings
from socialvalue.evaluation.results import PolicyFinding
from socialvalue.evaluation.validation import Problem, validate_tender
from socialvalue.web.tenders.models import Criterion, CriterionKind, Preset, Tender

PENCE = Decimal(100)


def pounds(pence: int | None) -> Decimal | None:
    """Integer pence as an exact Decimal amount (12345 → 123.45)."""
    return None if pence is None else Decimal(pence) / PENCE


def _criterion(row: Criterion, children: Mapping[int | None, list[Criterion]]) -> engine.Criterion:
    kind = engine.CriterionKind(row.kind)
    kids = tuple(_criterion(child, children) for child in children.get(row.pk, []))
    scale = None
    if kind in (engine.CriterionKind.QUALITY, engine.CriterionKind.SOCIAL_VALUE) and not kids:
        scale = engine.Scale(Decimal(0), row.scale_max)
    return engine.Criterion(
        id=row.key,
        kind=kind,
        weight=row.weight,
        name=row.name,
        scale=scale,
        threshold=row.threshold if not kids else None,
        method=engine.PriceMethod(row.price_method or "relative_to_lowest")
        if kind is engine.CriterionKind.PRICE
        else None,
        part=row.part,
        children=kids,
    )


def engine_criteria(rows: Iterable[Criterion]) -> tuple[engine.Criterion, ...]:
    children: dict[int | None, list[Criterion]] = {}
    for row in sorted(rows, key=lambda r: (r.position, r.pk)):
        children.setdefault(row.parent_id, []).append(row)
    return tuple(_criterion(row, children) for row in children.get(None, []))


def engine_policy(tender: Tender) -> engine.Policy:
    return engine.Policy(
        social_value_minimum=tender.social_value_minimum,
        preset="preston" if tender.preset == Preset.PRESTON else "",
    )


@dataclass(frozen=True)
class EngineBid:
    bidder: str
    price_pence: int | None
    scores: Mapping[str, tuple[Decimal, str]]  # criterion key -> (value, reason)


def engine_tender(
    tender: Tender, criteria: Sequence[Criterion], bids: Sequence[EngineBid] = ()
) -> engine.Tender:
    kinds = {row.key: row.kind for row in criteria}
    engine_bids = []
    for bid in bids:
        scores: dict[str, engine.Score] = {}
        for key, (value, reason) in bid.scores.items():
            scored: Decimal | bool = value
            if kinds.get(key) == CriterionKind.PASS_FAIL:
                scored = value >= 1
            scores[key] = engine.Score(scored, reason)
        engine_bids.append(engine.Bid(bid.bidder, pounds(bid.price_pence), scores))
    return engine.Tender(
        criteria=engine_criteria(criteria),
        bids=tuple(engine_bids),
        currency=tender.currency,
        title=tender.title,
        reference=tender.reference,
        policy=engine_policy(tender),
    )


@dataclass(frozen=True)
class CriteriaCheck:
    """What the engine says about a tender's criteria and weights, before any bid."""

    findings: tuple[PolicyFinding, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def criteria_check(tender: Tender, criteria: Sequence[Criterion]) -> CriteriaCheck:
    """The engine's policy findings and any problem with the criteria (bids are ignored)."""
    model = engine_tender(tender, criteria)
    problems = tuple(p for p in validate_tender(model) if not p.path.startswith("bids"))
    findings = policy_findings(model) if model.criteria else ()
    return CriteriaCheck(findings=tuple(findings), problems=problems)
