"""Tenders, their criteria, sealed bids with social value commitments, scores, moderation, award.

Money is integer minor units (pence) with the tender's currency; scores and weights are
``Decimal``. Every model keeps its history (django-simple-history) and every change that matters
is written by a service in ``services.py`` together with an audit event.

Who may read what is decided in ``selectors.py``, never in templates: bids stay sealed until the
submission deadline has passed *and* the officer has closed the tender.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class TenderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"
    EVALUATING = "evaluating", "Evaluating"
    AWARDED = "awarded", "Awarded"
    CANCELLED = "cancelled", "Cancelled"


#: Statuses in which bids have been opened (the deadline passed and the officer closed the tender).
OPENED_STATUSES = frozenset({TenderStatus.CLOSED, TenderStatus.EVALUATING, TenderStatus.AWARDED})
#: Statuses a tender is visible to the public in.
PUBLIC_STATUSES = frozenset(
    {
        TenderStatus.PUBLISHED,
        TenderStatus.CLOSED,
        TenderStatus.EVALUATING,
        TenderStatus.AWARDED,
        TenderStatus.CANCELLED,
    }
)


class Preset(models.TextChoices):
    PRESTON = "preston", "Preston 2023: social value 20%, Part A 10% and Part B 10%"
    PPN_002 = "ppn002", "PPN 002: social value at least 10%"
    CUSTOM = "custom", "Custom: start from price and quality and build your own"


class ModerationRule(models.TextChoices):
    CONSENSUS = "consensus", "Consensus: the panel agrees one score, with a rationale"
    AVERAGE = "average", "Average: the mean of the evaluators' scores, agreed in advance"


class Tender(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="tenders"
    )
    title = models.CharField(max_length=200)
    reference = models.CharField(max_length=60)
    description = models.TextField(blank=True)
    estimated_value_pence = models.BigIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(max_length=3, default="GBP")
    cpv_codes = models.JSONField(default=list, blank=True)
    clarification_deadline = models.DateTimeField(null=True, blank=True)
    submission_deadline = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=TenderStatus.choices, default=TenderStatus.DRAFT
    )
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tenders",
    )
    preset = models.CharField(max_length=20, choices=Preset.choices, default=Preset.CUSTOM)
    social_value_minimum = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal(10))
    moderation_rule = models.CharField(
        max_length=20, choices=ModerationRule.choices, default=ModerationRule.CONSENSUS
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="one_tender_reference_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    def clean(self) -> None:
        if (
            self.clarification_deadline is not None
            and self.submission_deadline is not None
            and self.clarification_deadline > self.submission_deadline
        ):
            raise ValidationError(
                {
                    "clarification_deadline": ValidationError(
                        "The clarification deadline must be before the submission deadline",
                        code="clarification_after_submission",
                    )
                }
            )

    @property
    def is_draft(self) -> bool:
        return self.status == TenderStatus.DRAFT

    def deadline_passed(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return bool(self.submission_deadline <= moment)  # type: ignore[operator]

    @property
    def has_lots(self) -> bool:
        return self.lots.exists()

    @property
    def award(self) -> Award | None:
        """The award of a tender without lots (``None`` before it, and for a tender with lots:
        each lot has its own, in ``awards``)."""
        return self.awards.filter(lot__isnull=True).first()


class Lot(models.Model):
    """A part of a tender bid for and awarded on its own. Every lot uses the tender's criteria.

    Lots are set while the tender is a draft and fixed at publication, like the criteria. A lot
    can be cancelled (no suitable bid, say) while the rest go on to award.
    """

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    estimated_value_pence = models.BigIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0)]
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="one_lot_number_per_tender")
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.title}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class CriterionKind(models.TextChoices):
    PRICE = "price", "Price"
    QUALITY = "quality", "Quality"
    SOCIAL_VALUE = "social_value", "Social value"
    PASS_FAIL = "pass_fail", "Pass or fail"


class PriceMethod(models.TextChoices):
    RELATIVE_TO_LOWEST = "relative_to_lowest", "Relative to the lowest price"
    LINEAR_DEVIATION = "linear_deviation", "Linear deviation from the lowest price"
    LINEAR_RANGE = "linear_range", "Linear across the price range"


class SocialValueScoring(models.TextChoices):
    """How a social value criterion is scored (the engine's ``SocialValueMode``)."""

    LEVELS = "levels", "Score by levels (evaluators)"
    RELATIVE_TO_BEST = (
        "relative_to_best",
        "Score commitments relative to the best per £ of contract value",
    )
    PROXY_VALUE = "proxy_value", "Score commitments by open proxy value"


class Criterion(models.Model):
    """A node of the criteria tree. Top-level weights are points of 100; a part's weight is a
    percentage of its parent, as in the evaluation engine."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    key = models.SlugField(max_length=40, help_text="The criterion id the engine uses.")
    name = models.CharField(max_length=200)
    question = models.TextField(blank=True, help_text="What bidders are asked to answer.")
    kind = models.CharField(max_length=20, choices=CriterionKind.choices)
    weight = models.DecimalField(max_digits=7, decimal_places=3, default=Decimal(0))
    scale_max = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(5))
    threshold = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    price_method = models.CharField(max_length=30, choices=PriceMethod.choices, blank=True)
    measure_id = models.CharField(max_length=60, blank=True)
    sv_scoring = models.CharField(
        "Social value scoring",
        max_length=20,
        choices=SocialValueScoring.choices,
        default=SocialValueScoring.LEVELS,
        help_text="Social value only: evaluators score by levels, or the engine scores the bids' "
        "commitments.",
    )
    part = models.CharField(max_length=1, blank=True)
    response_limit = models.PositiveIntegerField(default=2000)
    position = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "key"], name="one_criterion_key_per_tender")
        ]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.name

    @property
    def scores_commitments(self) -> bool:
        """A social value criterion the engine scores from the bids' commitments, like price."""
        return self.kind == CriterionKind.SOCIAL_VALUE and self.sv_scoring in {
            SocialValueScoring.RELATIVE_TO_BEST,
            SocialValueScoring.PROXY_VALUE,
        }

    @property
    def is_scored_by_evaluators(self) -> bool:
        if self.scores_commitments:
            return False
        return self.kind in {
            CriterionKind.QUALITY,
            CriterionKind.SOCIAL_VALUE,
            CriterionKind.PASS_FAIL,
        }

    @property
    def takes_response(self) -> bool:
        if self.scores_commitments:
            return False
        return self.kind in {CriterionKind.QUALITY, CriterionKind.SOCIAL_VALUE}


class BidStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids")
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="bids"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="bids"
    )
    price_pence = models.BigIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    price_breakdown = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=BidStatus.choices, default=BidStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier__name"]
        # Two conditional constraints, because NULLs never collide in a unique index (SQLite
        # and PostgreSQL alike): one bid per supplier for a tender without lots, one per lot.
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "supplier"],
                condition=models.Q(lot__isnull=True),
                name="one_bid_per_supplier",
            ),
            models.UniqueConstraint(
                fields=["tender", "lot", "supplier"],
                condition=models.Q(lot__isnull=False),
                name="one_bid_per_supplier_per_lot",
            ),
        ]

    def __str__(self) -> str:
        lot = f" lot {self.lot.number}" if self.lot_id is not None else ""  # type: ignore[union-attr]
        return f"Bid from {self.supplier} for {self.tender.reference}{lot}"


class PriceLine(models.Model):
    """One line of a bid's price: what, how many, and the price of one, in pence.

    Optional; when a bid has lines their totals add up to its price to the penny (checked when
    the bid is saved). Sealed like the price: evaluators never see them.
    """

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="price_lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(
        max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit_price_pence = models.BigIntegerField(validators=[MinValueValidator(0)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.description}"

    @property
    def total_pence(self) -> int:
        # Whole pence by construction: a line that does not come to whole pence is refused.
        return int(self.quantity * self.unit_price_pence)


class BidResponse(models.Model):
    """The bidder's written answer to one quality or social value question."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="responses")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="responses")
    text = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="one_response_per_question")
        ]

    def __str__(self) -> str:
        return f"Response to {self.criterion} in {self.bid}"


class Commitment(models.Model):
    """A quantified social value commitment against one of the framework's measures."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="commitments")
    measure_id = models.CharField(max_length=60)
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    contract_year = models.PositiveSmallIntegerField(default=1)
    place = models.CharField(max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["measure_id", "contract_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["bid", "measure_id", "contract_year"],
                name="one_commitment_per_measure_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} of {self.measure_id} in year {self.contract_year}"


class EvaluatorAssignment(models.Model):
    """An evaluator assigned to some of a tender's criteria, with their conflict declaration.

    The evaluator sees nothing of the bids until they have declared no conflict of interest.
    """

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="assignments")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tender_assignments"
    )
    criteria = models.ManyToManyField(Criterion, related_name="assignments")
    declared_at = models.DateTimeField(null=True, blank=True)
    has_conflict = models.BooleanField(default=False)
    conflict_details = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[criteria])

    class Meta:
        ordering = ["evaluator__last_name", "evaluator__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "evaluator"], name="one_assignment_per_evaluator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluator} on {self.tender.reference}"

    @property
    def cleared(self) -> bool:
        """Declared, with no conflict: may read the bids assigned."""
        return self.declared_at is not None and not self.has_conflict


class Score(models.Model):
    """One evaluator's score for one bid on one criterion, with the reason for it."""

    assignment = models.ForeignKey(
        EvaluatorAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(max_digits=6, decimal_places=2)
    reason = models.TextField()
    saved_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["bid__supplier__name", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "bid", "criterion"], name="one_score_per_evaluator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.value} for {self.bid.supplier} on {self.criterion}"


class ModeratedScore(models.Model):
    """The panel's agreed score for one bid on one criterion (what the engine evaluates)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderated_scores")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="moderated_scores"
    )
    value = models.DecimalField(max_digits=6, decimal_places=2)
    rationale = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    moderated_at = models.DateTimeField(default=timezone.now)
    #: Raised on every save; a moderator's save quotes the version their page showed, so two
    #: moderators working from stale pages cannot overwrite each other silently.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "criterion"], name="one_moderated_score")
        ]

    def __str__(self) -> str:
        return f"Moderated {self.value} for {self.bid.supplier} on {self.criterion}"

    def clean(self) -> None:
        evaluator_values = set(
            Score.objects.filter(
                bid_id=self.bid_id, criterion_id=self.criterion_id, submitted_at__isnull=False
            ).values_list("value", flat=True)
        )
        differs = any(value != self.value for value in evaluator_values)
        if differs and not self.rationale.strip():
            raise ValidationError(
                {
                    "rationale": ValidationError(
                        "Enter a rationale: the moderated score differs from an evaluator's score",
                        code="rationale_required",
                    )
                }
            )


class Award(models.Model):
    """The award decision, with reasons, standstill dates and the evaluation it rests on.

    One per tender without lots (``lot`` empty), or one per lot.
    """

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="awards")
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="awards"
    )
    winning_bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="+")
    decision = models.TextField()
    reasons = models.TextField()
    standstill_start = models.DateField()
    standstill_end = models.DateField()
    evaluation_document = models.JSONField(
        help_text="The evaluation engine's tender (criteria, bids, moderated scores) at award."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tender"],
                condition=models.Q(lot__isnull=True),
                name="one_award_per_tender",
            ),
            models.UniqueConstraint(
                fields=["tender", "lot"],
                condition=models.Q(lot__isnull=False),
                name="one_award_per_lot",
            ),
        ]

    def __str__(self) -> str:
        lot = f" lot {self.lot.number}" if self.lot_id is not None else ""  # type: ignore[union-attr]
        return f"Award of {self.tender.reference}{lot} to {self.winning_bid.supplier}"


class Clarification(models.Model):
    """A bidder's question; the answer is published to everyone without saying who asked."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField()
    answer = models.TextField(blank=True)
    asked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["asked_at"]

    def __str__(self) -> str:
        return f"Clarification on {self.tender.reference}"


class UploadStorage(FileSystemStorage):
    """Files under ``VAR_DIR/uploads``, outside the web root. There is no URL: only views that
    check permissions serve them. The folder is read from the settings on each use."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        return str(Path(settings.VAR_DIR) / "uploads")

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def upload_storage() -> FileSystemStorage:
    return UploadStorage()


def _upload_path(instance: Any, filename: str) -> str:
    # A random name: the person's file name is kept in ``title`` and never used as a path.
    suffix = Path(filename).suffix.lower()[:10]
    return f"tenders/{instance.tender_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """A tender document (``bid`` empty; public once the tender is) or a bid's attachment
    (sealed like the bid)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="documents")
    bid = models.ForeignKey(
        Bid, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    #: For a bid's attachment: the quality or social value question it supports (empty: the
    #: bid as a whole). Evaluators of that question can read it once they may read the bid.
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=_upload_path, storage=upload_storage, max_length=300)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title
