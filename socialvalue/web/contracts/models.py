"""Contracts carried forward from an award, and the KPIs the winning commitments become.

Everything a contract shows is *copied* at award time — the supplier, the value, each
commitment's measure title, unit and quantity — so editing the bid or the framework afterwards
never changes a signed contract. The award, the framework version and the source commitment are
kept as references only so each figure can be traced back to where it came from.

Money is ``Decimal`` pounds and pence with the tender's currency (the bid's integer pence divided
by 100, exactly). Every model keeps its history (django-simple-history) and every change is
written by a service in ``services.py`` together with an audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ContractStatus(models.TextChoices):
    MOBILISING = "mobilising", "Mobilising"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


#: Where a contract may go from each status. A contract only moves forward: an ended contract
#: stays ended, so delivery returns are never reopened by a slip of the status field.
STATUS_FLOW: dict[str, frozenset[str]] = {
    ContractStatus.MOBILISING: frozenset(
        {ContractStatus.MOBILISING, ContractStatus.ACTIVE, ContractStatus.ENDED}
    ),
    ContractStatus.ACTIVE: frozenset({ContractStatus.ACTIVE, ContractStatus.ENDED}),
    ContractStatus.ENDED: frozenset({ContractStatus.ENDED}),
}


class Contract(models.Model):
    """The contract record an award creates: one per award (one per lot once tenders have lots)."""

    award = models.OneToOneField("tenders.Award", on_delete=models.PROTECT, related_name="contract")
    buyer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="contracts_bought"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="contracts_won"
    )
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    lot_title = models.CharField(max_length=200, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    value = models.DecimalField(
        max_digits=15, decimal_places=2, help_text="The winning bid's price at award."
    )
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        help_text="The framework version the tender pinned; the KPIs' measures come from it.",
    )
    start_date = models.DateField("Start date", null=True, blank=True)
    end_date = models.DateField("End date", null=True, blank=True)
    contract_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Contract manager",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_contracts",
    )
    status = models.CharField(
        max_length=20, choices=ContractStatus.choices, default=ContractStatus.MOBILISING
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        lot = f" ({self.lot_title})" if self.lot_title else ""
        return f"{self.reference}: {self.title}{lot}"

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = ValidationError(
                "The end date must be the same as or after the start date",
                code="end_before_start",
            )
        if self.status in {ContractStatus.ACTIVE, ContractStatus.ENDED} and not self.start_date:
            errors["start_date"] = ValidationError(
                "Enter the start date: an active or ended contract has one",
                code="start_date_required",
            )
        if self.status == ContractStatus.ENDED and not self.end_date:
            errors["end_date"] = ValidationError(
                "Enter the end date: an ended contract has one", code="end_date_required"
            )
        if errors:
            raise ValidationError(errors)


class KPI(models.Model):
    """One winning commitment as a contract target: a measure, a contract year and a quantity.

    The measure's title, unit, counting rule and evidence are copied from the framework version
    the tender pinned, so the target reads the same whatever later versions of it say.
    """

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="kpis")
    measure_id = models.CharField(max_length=60)
    measure_title = models.CharField(max_length=300)
    unit = models.CharField(max_length=20, blank=True)
    contract_year = models.PositiveSmallIntegerField()
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    place = models.CharField(max_length=100, blank=True)
    count_each_year = models.BooleanField(
        default=True, help_text="Copied from the measure's counting rules."
    )
    evidence_required = models.JSONField(default=list, blank=True)
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A plain number, not a foreign key: the bid's rows may change or go; the KPI stays.
    source_commitment_id = models.PositiveBigIntegerField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "KPI"
        ordering = ["measure_id", "contract_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "measure_id", "contract_year"],
                name="one_kpi_per_measure_year",
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} {self.unit} of {self.measure_id} in year {self.contract_year}"
