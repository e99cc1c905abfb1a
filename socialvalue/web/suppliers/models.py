"""Supplier matching runs for a spend dataset, and reviewers' decisions.

Decisions are keyed by the supplier key (the normalised name), not by dataset, so one decision
holds for every later import and, when ``shared``, for the other organisations in the deciding
organisation's networks.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Matching"
    DONE = "done", "Matched"
    FAILED = "failed", "Failed"


class SupplierMatchRun(models.Model):
    dataset = models.ForeignKey(
        "spend.SpendDataset", on_delete=models.CASCADE, related_name="match_runs"
    )
    register_files = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED)
    stage = models.CharField(max_length=200, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["stage"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "supplier matching run"

    def __str__(self) -> str:
        return f"Matching {self.dataset} ({self.pk})"

    @property
    def register_dir(self) -> Path:
        return self.dataset.path / "registers" / str(self.pk)

    @property
    def finished(self) -> bool:
        return self.status in {RunStatus.DONE, RunStatus.FAILED}


class SupplierDecision(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="supplier_decisions"
    )
    supplier_key = models.CharField(max_length=300, db_index=True)
    action = models.CharField(max_length=10)
    decision = models.JSONField(help_text="Decision.to_dict() from socialvalue.suppliers.")
    shared = models.BooleanField(
        default=True, help_text="Other organisations in this organisation's networks may use it."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = "supplier decision"

    def __str__(self) -> str:
        return f"{self.action} {self.supplier_key}"


class AddressBasis(models.TextChoices):
    TRADING_ADDRESS = "trading_address", "Trading address"
    BRANCH = "branch", "Branch"


class SupplierAddress(models.Model):
    """A trading or branch address an analyst added: a register knows only the registered office.

    Kept per organisation and supplier key, like decisions, so it applies to every dataset and
    later import; the spend analysis reports the local share under each basis.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="supplier_addresses"
    )
    supplier_key = models.CharField(max_length=300, db_index=True)
    basis = models.CharField(max_length=20, choices=AddressBasis.choices)
    postcode = models.CharField(max_length=10)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["supplier_key", "basis", "postcode"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "supplier_key", "basis", "postcode"],
                name="one_supplier_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} {self.postcode} for {self.supplier_key}"
