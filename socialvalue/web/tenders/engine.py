"""Turning tender rows into the evaluation engine's plain data, and nothing more.

All scoring — price formulas, thresholds, totals, ranking, abnormally-low flags, the policy check
and sensitivity — is done by :mod:`socialvalue.evaluation`; this module only translates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from socialvalue.evaluation import model as engine
from socialvalue.evaluation.checks import policy_findings
from socialvalue.evaluation.results import PolicyFinding
from socialvalue.evaluation.validation import Problem, validate_tender
from socialvalue.frameworks.proxies import licence_is_open, load_builtin_proxy_sets
from socialvalue.web.tenders.models import (
    Criterion,
    CriterionKind,
    Lot,
    Preset,
    SocialValueScoring,
    Tender,
)

PENCE = Decimal(100)
ZERO = Decimal(0)


def pounds(pence: int | None) -> Decimal | None:
    """Integer pence as an exact Decimal amount (12345 → 123.45)."""
    return None if pence is None else Decimal(pence) / PENCE


@dataclass(frozen=True)
class CommitmentMeasure:
    """A measure of the pinned framework version as commitment scoring sees it.

    ``proxy_value`` is £ per unit from an *open* proxy value set shipped with the toolkit, or
    ``None`` when the measure has no proxy reference, or one that does not resolve to an open value.
    """

    id: str
    title: str
    unit: str
    proxy_value: Decimal | None = None
    proxy_source: str = ""


def commitment_measures(tender: Tender) -> dict[str, CommitmentMeasure]:
    """The pinned framework version's measures by id (empty without a framework version)."""
    if tender.framework_version is None:
        return {}
    sets = {proxy_set.id: proxy_set for proxy_set in load_builtin_proxy_sets()}
    measures: dict[str, CommitmentMeasure] = {}
    for _, measure in tender.framework_version.load().iter_measures():
        value: Decimal | None = None
        source = ""
        if measure.proxy is not None:
            proxy_set = sets.get(measure.proxy.set_id)
            proxy = proxy_set.find(measure.proxy.value_id) if proxy_set is not None else None
            if (
                proxy_set is not None
                and proxy is not None
                and proxy.is_open
                and licence_is_open(proxy_set.licence)
            ):
                value = proxy.value_gbp
                source = f"{proxy_set.name}: {proxy.title} ({proxy.licence})"
        measures[measure.id] = CommitmentMeasure(
            measure.id, measure.title, str(measure.unit), value, source
        )
    return measures


def scoring_measures(
    row: Criterion, measures: Mapping[str, CommitmentMeasure]
) -> tuple[CommitmentMeasure, ...]:
    """The measures whose commitments a commitment-scored criterion counts.

    The criterion's own measure when it names one, else every measure of the framework version;
    then, relative to the best per £, only measures counted in £ (the committed value is their
    sum); by open proxy value, only measures with an open proxy value (quantity x proxy).
    """
    if not row.scores_commitments:
        return ()
    if row.measure_id:
        found = measures.get(row.measure_id)
        candidates: list[CommitmentMeasure] = [found] if found is not None else []
    else:
        candidates = list(measures.values())
    if row.sv_scoring == SocialValueScoring.RELATIVE_TO_BEST:
        return tuple(m for m in candidates if m.unit == "GBP")
    return tuple(m for m in candidates if m.proxy_value is not None)


def commitment_scoring_problem(
    row: Criterion, measures: Mapping[str, CommitmentMeasure]
) -> Problem | None:
    """Why a commitment-scored criterion has nothing to count, or ``None`` when it has."""
    if not row.scores_commitments or scoring_measures(row, measures):
        return None
    where = f"measure {row.measure_id}" if row.measure_id else "the pinned framework version"
    if row.sv_scoring == SocialValueScoring.RELATIVE_TO_BEST:
        message = (
            f"{row.name} scores commitments per £, but {where} has no measure counted in £: "
            "pin a framework version with one, or score it by levels"
        )
    else:
        message = (
            f"{row.name} scores commitments by open proxy value, but {where} has no measure "
            "with an open proxy value: pin a framework version with one, or score it by levels"
        )
    return Problem(f"criteria.{row.key}.mode", message, "no_commitment_measures")


def _criterion(
    row: Criterion,
    children: Mapping[int | None, list[Criterion]],
    measures: Mapping[str, CommitmentMeasure],
) -> engine.Criterion:
    kind = engine.CriterionKind(row.kind)
    kids = tuple(_criterion(child, children, measures) for child in children.get(row.pk, []))
    scale = None
    commitments = row.scores_commitments and not kids
    if (
        kind in (engine.CriterionKind.QUALITY, engine.CriterionKind.SOCIAL_VALUE)
        and not kids
        and not commitments
    ):
        scale = engine.Scale(Decimal(0), row.scale_max)
    mode = engine.SocialValueMode(row.sv_scoring) if commitments else engine.SocialValueMode.LEVELS
    proxies: tuple[engine.ProxyMeasure, ...] = ()
    if mode is engine.SocialValueMode.PROXY_VALUE:
        proxies = tuple(
            engine.ProxyMeasure(
                id=m.id,
                proxy_value=m.proxy_value or ZERO,
                unit=m.unit,
                source=m.proxy_source,
            )
            for m in scoring_measures(row, measures)
        )
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
        social_value_mode=mode,
        measures=proxies,
        part=row.part,
        children=kids,
    )


def engine_criteria(
    rows: Iterable[Criterion], measures: Mapping[str, CommitmentMeasure] | None = None
) -> tuple[engine.Criterion, ...]:
    children: dict[int | None, list[Criterion]] = {}
    for row in sorted(rows, key=lambda r: (r.position, r.pk)):
        children.setdefault(row.parent_id, []).append(row)
    return tuple(_criterion(row, children, measures or {}) for row in children.get(None, []))


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
    #: measure id -> quantity committed, summed over the contract years
    commitments: Mapping[str, Decimal] = field(default_factory=dict)


def _commitments(
    bid: EngineBid, rows: Sequence[Criterion], measures: Mapping[str, CommitmentMeasure]
) -> dict[str, Decimal | Mapping[str, Decimal]]:
    """The bid's commitments per commitment-scored criterion, as the engine takes them."""
    out: dict[str, Decimal | Mapping[str, Decimal]] = {}
    for row in rows:
        counted = scoring_measures(row, measures)
        if row.sv_scoring == SocialValueScoring.RELATIVE_TO_BEST:
            out[row.key] = sum((bid.commitments.get(m.id, ZERO) for m in counted), ZERO)
        else:
            out[row.key] = {m.id: bid.commitments.get(m.id, ZERO) for m in counted}
    return out


def engine_tender(
    tender: Tender,
    criteria: Sequence[Criterion],
    bids: Sequence[EngineBid] = (),
    measures: Mapping[str, CommitmentMeasure] | None = None,
    lot: Lot | None = None,
) -> engine.Tender:
    """The engine's tender; for one lot, titled with the lot so its award report says which."""
    kinds = {row.key: row.kind for row in criteria}
    parents = {row.parent_id for row in criteria}
    committed = [row for row in criteria if row.scores_commitments and row.pk not in parents]
    if measures is None:
        measures = commitment_measures(tender) if committed else {}
    engine_bids = []
    for bid in bids:
        scores: dict[str, engine.Score] = {}
        for key, (value, reason) in bid.scores.items():
            scored: Decimal | bool = value
            if kinds.get(key) == CriterionKind.PASS_FAIL:
                scored = value >= 1
            scores[key] = engine.Score(scored, reason)
        engine_bids.append(
            engine.Bid(
                bid.bidder,
                pounds(bid.price_pence),
                scores,
                _commitments(bid, committed, measures),
            )
        )
    return engine.Tender(
        criteria=engine_criteria(criteria, measures),
        bids=tuple(engine_bids),
        currency=tender.currency,
        title=tender.title if lot is None else f"{tender.title}, lot {lot.number}: {lot.title}",
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
    measures = commitment_measures(tender) if any(r.scores_commitments for r in criteria) else {}
    model = engine_tender(tender, criteria, measures=measures)
    problems = tuple(p for p in validate_tender(model) if not p.path.startswith("bids"))
    problems += tuple(
        problem
        for row in criteria
        if (problem := commitment_scoring_problem(row, measures)) is not None
    )
    findings = policy_findings(model) if model.criteria else ()
    return CriteriaCheck(findings=tuple(findings), problems=problems)
