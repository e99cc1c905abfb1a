"""Reads for tenders. Sealing and separation are enforced here, in the queries.

* Buyer-side people reach bids only through :func:`opened_bids`, which returns no rows until the
  submission deadline has passed (server time) *and* the tender has been closed.
* Suppliers reach bids only through their own organisation (:func:`supplier_bid`).
* An evaluator reaches only the bids of a tender under evaluation, once they have declared no
  conflict of interest, and never a price; they see other evaluators' scores only after
  submitting their own (:func:`peer_scores`).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from socialvalue.evaluation.fileformat import parse_document
from socialvalue.evaluation.results import BidResult, Evaluation
from socialvalue.evaluation.scoring import evaluate
from socialvalue.evaluation.sensitivity import Sensitivity, analyse
from socialvalue.evaluation.validation import Problem, validate_tender
from socialvalue.web.accounts.models import Organisation
from socialvalue.web.frameworks.models import FrameworkVersion
from socialvalue.web.tenders.engine import (
    CriteriaCheck,
    EngineBid,
    commitment_measures,
    criteria_check,
    engine_tender,
)
from socialvalue.web.tenders.models import (
    OPENED_STATUSES,
    PUBLIC_STATUSES,
    Award,
    Bid,
    BidStatus,
    Clarification,
    Commitment,
    Criterion,
    Document,
    EvaluatorAssignment,
    Lot,
    ModeratedScore,
    Score,
    SocialValueScoring,
    Tender,
    TenderStatus,
)

# --- tenders -----------------------------------------------------------------------------------


def tenders_for_organisation(*, organisation: Organisation) -> QuerySet[Tender]:
    return (
        Tender.objects.filter(organisation=organisation)
        .select_related("framework_version__framework")
        .order_by("-created_at")
    )


def framework_versions_for(*, organisation: Organisation) -> list[FrameworkVersion]:
    """The organisation's framework versions a tender can pin, newest first."""
    return list(
        FrameworkVersion.objects.filter(framework__organisation=organisation)
        .select_related("framework")
        .order_by("framework__name", "-number")
    )


def public_tenders() -> QuerySet[Tender]:
    """Tenders anyone may read about: every status but draft."""
    return Tender.objects.filter(status__in=PUBLIC_STATUSES).select_related("organisation")


def open_opportunities(*, now: datetime | None = None) -> QuerySet[Tender]:
    return (
        public_tenders()
        .filter(status=TenderStatus.PUBLISHED, submission_deadline__gt=now or timezone.now())
        .order_by("submission_deadline")
    )


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    depth: int
    effective_weight: Decimal


def criteria_rows(*, tender: Tender) -> list[CriterionRow]:
    """The criteria tree in order, each with its depth and weight in points of the total."""
    rows = list(tender.criteria.all())
    children: dict[int | None, list[Criterion]] = defaultdict(list)
    for row in rows:
        children[row.parent_id].append(row)
    out: list[CriterionRow] = []

    def visit(node: Criterion, depth: int, points: Decimal) -> None:
        out.append(CriterionRow(node, depth, points))
        for child in children.get(node.pk, []):
            visit(child, depth + 1, points * child.weight / 100)

    for top in children.get(None, []):
        visit(top, 0, top.weight)
    return out


def tender_criteria_check(*, tender: Tender) -> CriteriaCheck:
    return criteria_check(tender, list(tender.criteria.all()))


def scored_criteria(*, tender: Tender) -> list[Criterion]:
    """Leaf criteria that evaluators score (quality, social value, pass/fail)."""
    rows = list(tender.criteria.all())
    parents = {row.parent_id for row in rows}
    return [row for row in rows if row.pk not in parents and row.is_scored_by_evaluators]


def commitment_criteria(*, tender: Tender) -> list[Criterion]:
    """Leaf social value criteria the engine scores from the bids' commitments (per £ or by
    proxy value), which bidders answer with commitments instead of words."""
    rows = list(tender.criteria.all())
    parents = {row.parent_id for row in rows}
    return [row for row in rows if row.pk not in parents and row.scores_commitments]


def response_criteria(*, tender: Tender) -> list[Criterion]:
    """Leaf questions a bidder answers in words."""
    return [c for c in scored_criteria(tender=tender) if c.takes_response]


def framework_measures(*, tender: Tender) -> list[Any]:
    """The measures of the pinned framework version (empty without one)."""
    if tender.framework_version is None:
        return []
    return [measure for _, measure in tender.framework_version.load().iter_measures()]


def sv_scoring_choices(*, tender: Tender) -> list[tuple[str, str]]:
    """How a social value criterion may be scored: by levels or relative to the best per £,
    and by open proxy value only when a measure of the pinned framework version has one."""
    choices = [
        (SocialValueScoring.LEVELS.value, SocialValueScoring.LEVELS.label),
        (SocialValueScoring.RELATIVE_TO_BEST.value, SocialValueScoring.RELATIVE_TO_BEST.label),
    ]
    if any(m.proxy_value is not None for m in commitment_measures(tender).values()):
        choices.append((SocialValueScoring.PROXY_VALUE.value, SocialValueScoring.PROXY_VALUE.label))
    return choices


def clarifications_published(*, tender: Tender) -> QuerySet[Clarification]:
    """Answered questions, shown to everyone without who asked."""
    return tender.clarifications.filter(answered_at__isnull=False).only(
        "question", "answer", "answered_at"
    )


def tender_documents(*, tender: Tender) -> QuerySet[Document]:
    """The tender's own documents (not bid attachments)."""
    return tender.documents.filter(bid__isnull=True)


def public_tender_documents(*, tender_id: int) -> QuerySet[Document]:
    """Documents of tenders the public may read (never a draft's, never a bid's)."""
    return Document.objects.filter(
        tender_id=tender_id, tender__status__in=PUBLIC_STATUSES, bid__isnull=True
    )


# --- bids: sealed ------------------------------------------------------------------------------


def bids_are_open(*, tender: Tender, now: datetime | None = None) -> bool:
    return tender.status in OPENED_STATUSES and tender.deadline_passed(now)


def opened_bids(
    *, tender: Tender, now: datetime | None = None, lot: Lot | None = None
) -> QuerySet[Bid]:
    """Submitted bids, for buyer-side people: none at all while the tender is sealed.

    With ``lot``, that lot's bids only; without, every lot's.
    """
    if not bids_are_open(tender=tender, now=now):
        return Bid.objects.none()
    bids = tender.bids.filter(status=BidStatus.SUBMITTED)
    if lot is not None:
        bids = bids.filter(lot=lot)
    return (
        bids.select_related("supplier", "lot")
        .prefetch_related("responses__criterion", "commitments")
        .order_by("lot__number", "supplier__name")
    )


# --- lots --------------------------------------------------------------------------------------


def tender_lots(*, tender: Tender) -> list[Lot]:
    return list(tender.lots.all())


@dataclass(frozen=True)
class LotRow:
    """A lot with its award (if any) and, once bids are open, how many bids it had."""

    lot: Lot
    award: Award | None
    bids: int | None


def lot_rows(*, tender: Tender) -> list[LotRow]:
    awards = {
        a.lot_id: a
        for a in tender.awards.filter(lot__isnull=False).select_related("winning_bid__supplier")
    }
    counts: dict[int | None, int] = defaultdict(int)
    is_open = bids_are_open(tender=tender)
    if is_open:
        for bid in opened_bids(tender=tender):
            counts[bid.lot_id] += 1
    return [
        LotRow(lot, awards.get(lot.pk), counts[lot.pk] if is_open else None)
        for lot in tender.lots.all()
    ]


def lot_for_tender(*, tender: Tender, lot_id: int | None) -> Lot | None:
    """The tender's lot ``lot_id`` (``None`` for none); raises ``Lot.DoesNotExist`` otherwise."""
    if lot_id is None:
        return None
    return tender.lots.get(pk=lot_id)


def supplier_bids(*, organisation: Organisation) -> QuerySet[Bid]:
    return (
        Bid.objects.filter(supplier=organisation)
        .select_related("tender__organisation", "lot")
        .order_by("-created_at")
    )


def supplier_bid(
    *, organisation: Organisation, tender: Tender, lot: Lot | None = None
) -> Bid | None:
    """The organisation's own bid for the tender (for ``lot`` when the tender has lots)."""
    return (
        Bid.objects.filter(supplier=organisation, tender=tender, lot=lot)
        .prefetch_related("responses", "commitments")
        .first()
    )


def supplier_lot_bids(*, organisation: Organisation, tender: Tender) -> dict[int, Bid]:
    """The organisation's own bids for the tender's lots, by lot id."""
    return {
        bid.lot_id: bid
        for bid in Bid.objects.filter(supplier=organisation, tender=tender, lot__isnull=False)
        if bid.lot_id is not None
    }


def award_for_bid(*, bid: Bid) -> Award | None:
    """The award of the bid's tender, or of its lot (``None`` until it is awarded)."""
    return Award.objects.filter(tender_id=bid.tender_id, lot=bid.lot).first()


# --- evaluation --------------------------------------------------------------------------------


def assignments_for_evaluator(
    *, user: Any, organisation: Organisation
) -> QuerySet[EvaluatorAssignment]:
    return (
        EvaluatorAssignment.objects.filter(evaluator=user, tender__organisation=organisation)
        .select_related("tender")
        .prefetch_related("criteria")
    )


def bids_for_evaluator(*, assignment: EvaluatorAssignment) -> QuerySet[Bid]:
    """The bids an evaluator scores: none until cleared and the tender is under evaluation.

    Prices are deferred: an evaluator never needs one (price is scored by formula).
    """
    if not assignment.cleared or assignment.tender.status not in {
        TenderStatus.EVALUATING,
        TenderStatus.AWARDED,
    }:
        return Bid.objects.none()
    # Bids for a cancelled lot are not scored: nothing will be awarded on them.
    return (
        opened_bids(tender=assignment.tender)
        .exclude(lot__cancelled_at__isnull=False)
        .defer("price_pence", "price_breakdown")
        .prefetch_related("responses", "commitments")
    )


def documents_for_evaluator(*, assignment: EvaluatorAssignment) -> QuerySet[Document]:
    """Files bidders attached to the questions this evaluator scores, on the bids open to them
    (none until they are cleared and evaluation has started, as for the bids themselves)."""
    return Document.objects.filter(
        bid__in=bids_for_evaluator(assignment=assignment),
        criterion__in=assignment.criteria.all(),
    )


def own_scores(*, assignment: EvaluatorAssignment) -> dict[tuple[int, int], Score]:
    return {(s.bid_id, s.criterion_id): s for s in assignment.scores.all()}


def peer_scores(*, assignment: EvaluatorAssignment) -> QuerySet[Score]:
    """Other evaluators' submitted scores on the same criteria, once this one has submitted."""
    if assignment.submitted_at is None or not assignment.cleared:
        return Score.objects.none()
    return (
        Score.objects.filter(
            assignment__tender=assignment.tender,
            criterion__in=assignment.criteria.all(),
            submitted_at__isnull=False,
        )
        .exclude(assignment=assignment)
        .select_related("assignment__evaluator", "bid__supplier", "criterion")
    )


def assignments_for_tender(*, tender: Tender) -> QuerySet[EvaluatorAssignment]:
    return tender.assignments.select_related("evaluator").prefetch_related("criteria")


# --- moderation and the live evaluation ---------------------------------------------------------


@dataclass(frozen=True)
class ModerationCell:
    bid: Bid
    criterion: Criterion
    scores: list[Score]
    moderated: ModeratedScore | None

    @property
    def mean(self) -> Decimal | None:
        if not self.scores:
            return None
        return sum((s.value for s in self.scores), Decimal(0)) / len(self.scores)

    @property
    def agreed(self) -> bool:
        return len({s.value for s in self.scores}) == 1


@dataclass
class LiveEvaluation:
    """The engine's evaluation of the moderated scores so far.

    Where a score is not moderated yet the mean of the evaluators' submitted scores stands in and
    the cell is listed in ``provisional``; ``complete`` is true only when nothing is provisional.
    """

    evaluation: Evaluation | None
    problems: list[Problem]
    provisional: set[tuple[int, int]] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return self.evaluation is not None and not self.provisional


def moderation_cells(*, tender: Tender, lot: Lot | None = None) -> list[ModerationCell]:
    """Every (criterion, bid) to moderate with the evaluators' submitted scores side by side
    (for one lot, or for every lot when ``lot`` is ``None``)."""
    bids = list(opened_bids(tender=tender, lot=lot))
    criteria = scored_criteria(tender=tender)
    scores: dict[tuple[int, int], list[Score]] = defaultdict(list)
    for score in Score.objects.filter(bid__in=bids, submitted_at__isnull=False).select_related(
        "assignment__evaluator"
    ):
        scores[(score.bid_id, score.criterion_id)].append(score)
    moderated = {(m.bid_id, m.criterion_id): m for m in ModeratedScore.objects.filter(bid__in=bids)}
    return [
        ModerationCell(
            bid, criterion, scores[(bid.pk, criterion.pk)], moderated.get((bid.pk, criterion.pk))
        )
        for criterion in criteria
        for bid in bids
    ]


def _reason(cell: ModerationCell) -> str:
    if cell.moderated is not None and cell.moderated.rationale.strip():
        return cell.moderated.rationale.strip()
    return " / ".join(s.reason.strip() for s in cell.scores if s.reason.strip())


def live_evaluation(
    *, tender: Tender, cells: list[ModerationCell] | None = None, lot: Lot | None = None
) -> LiveEvaluation:
    """Evaluate the tender (or one of its lots: each lot is evaluated on its own) with the engine
    from the moderated (or provisional) scores."""
    if lot is None and tender.has_lots:
        return LiveEvaluation(None, [Problem("lot", "choose a lot to evaluate", "lot_required")])
    cells = moderation_cells(tender=tender, lot=lot) if cells is None else cells
    bids = list(opened_bids(tender=tender, lot=lot))
    if not bids:
        return LiveEvaluation(None, [Problem("bids", "no bids have been opened", "no_bids")])
    provisional: set[tuple[int, int]] = set()
    by_bid: dict[int, dict[str, tuple[Decimal, str]]] = defaultdict(dict)
    for cell in cells:
        key = (cell.bid.pk, cell.criterion.pk)
        if cell.moderated is not None:
            value: Decimal | None = cell.moderated.value
        else:
            value = cell.mean
            provisional.add(key)
        if value is not None:
            by_bid[cell.bid.pk][cell.criterion.key] = (value, _reason(cell))
    committed: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for commitment in Commitment.objects.filter(bid__in=bids):
        quantities = committed[commitment.bid_id]
        quantities[commitment.measure_id] = (
            quantities.get(commitment.measure_id, Decimal(0)) + commitment.quantity
        )
    model = engine_tender(
        tender,
        list(tender.criteria.all()),
        [
            EngineBid(bid.supplier.name, bid.price_pence, by_bid[bid.pk], committed[bid.pk])
            for bid in bids
        ],
        lot=lot,
    )
    problems = validate_tender(model)
    if problems:
        return LiveEvaluation(None, problems, provisional)
    return LiveEvaluation(evaluate(model), [], provisional)


#: Monte Carlo draws for the live view: enough for a steady indication, quick on every save.
#: The award report uses the engine's default (10,000); the seed is the engine's fixed one.
LIVE_SENSITIVITY_SAMPLES = 2_000


def live_sensitivity(
    *, live: LiveEvaluation, samples: int = LIVE_SENSITIVITY_SAMPLES
) -> Sensitivity | None:
    """The engine's sensitivity findings for the live evaluation (None when it cannot evaluate).

    The same engine tender the award is built from, with fewer Monte Carlo draws.
    """
    if live.evaluation is None:
        return None
    model = live.evaluation.tender
    model = replace(model, sensitivity=replace(model.sensitivity, samples=samples))
    return analyse(evaluate(model))


# --- award and reports -------------------------------------------------------------------------


def award_evaluation(*, award: Award) -> Evaluation:
    """The evaluation the award rests on, recomputed by the engine from the stored document."""
    return evaluate(parse_document(award.evaluation_document, source="award"))


def award_report(*, award: Award, fmt: str) -> tuple[bytes, str]:
    """The award report from :mod:`socialvalue.reports` as (content, content type)."""
    from socialvalue.reports.award import award_report_html, award_report_pdf, write_award_workbook

    evaluation = award_evaluation(award=award)
    sensitivity: Sensitivity = analyse(evaluation)
    if fmt == "pdf":
        return award_report_pdf(evaluation, sensitivity), "application/pdf"
    if fmt == "xlsx":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "award.xlsx"
            write_award_workbook(evaluation, sensitivity, path)
            return (
                path.read_bytes(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
    return award_report_html(evaluation, sensitivity).encode(), "text/html; charset=utf-8"


@dataclass(frozen=True)
class BidderSummary:
    evaluation: Evaluation
    bid: BidResult
    winner: BidResult | None
    rows: list[dict[str, Any]]


def bidder_summary(*, award: Award, supplier: Organisation) -> BidderSummary | None:
    """One bidder's scores and reasons beside the winning bid's (the bidder's own only)."""
    evaluation = award_evaluation(award=award)
    try:
        mine = evaluation.bid(supplier.name)
    except KeyError:
        return None
    winner = evaluation.winner
    rows = []
    for component in mine.components:
        theirs = winner.component(component.criterion_id) if winner is not None else None
        rows.append({"mine": component, "winner": theirs})
    return BidderSummary(evaluation, mine, winner, rows)
