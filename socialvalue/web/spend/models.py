"""Spend datasets and their imports.

A dataset's rows live in files the spend engine owns (``settings.VAR_DIR / "spend" /
<organisation id> / <dataset id>``, outside the web root, read only through permission-checked
views). The database keeps who made it, what was imported, each import's progress and its
reconciliation.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

DEFAULT_PLACES = ["Preston", "Lancashire-14"]


def dataset_root(organisation_id: int, dataset_id: int) -> Path:
    return Path(settings.VAR_DIR) / "spend" / str(organisation_id) / str(dataset_id)


class SpendDataset(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="spend_datasets"
    )
    name = models.CharField(max_length=200)
    publisher = models.CharField(
        max_length=200, help_text="Who publishes the files, such as Hyndburn Borough Council."
    )
    directory = models.CharField(
        max_length=500, blank=True, help_text="Where the engine keeps the dataset, under VAR_DIR."
    )
    places = models.JSONField(
        default=list, blank=True, help_text="Places the dashboard shows unless others are chosen."
    )
    reconciliation = models.JSONField(
        default=dict, blank=True, help_text="The whole dataset's reconciliation, after each import."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "spend dataset"

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> Path:
        return Path(settings.VAR_DIR) / self.directory

    @property
    def has_rows(self) -> bool:
        return bool(self.reconciliation.get("files"))


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Waiting for you to check the columns"
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Imported"
    FAILED = "failed", "Failed"


class SpendImport(models.Model):
    """One upload of files into a dataset: the files kept, the column choices, the progress."""

    dataset = models.ForeignKey(SpendDataset, on_delete=models.CASCADE, related_name="imports")
    publisher = models.CharField(max_length=200)
    file_names = models.JSONField(default=list, blank=True)
    replace = models.BooleanField(default=False)
    column_overrides = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    stage = models.CharField(max_length=20, blank=True)
    current_file = models.CharField(max_length=300, blank=True)
    files_done = models.PositiveIntegerField(default=0)
    files_total = models.PositiveIntegerField(default=0)
    rows_read = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    reconciliation = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["rows_read", "bytes_done", "files_done", "stage",
                                                 "current_file"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "spend import"

    def __str__(self) -> str:
        return f"{self.dataset} import {self.pk}"

    @property
    def upload_dir(self) -> Path:
        return self.dataset.path / "uploads" / str(self.pk)

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.bytes_total:
            return 0
        reading = 80 * self.bytes_done // self.bytes_total
        return int(reading + {"cleaning": 5, "writing": 15, "done": 20}.get(self.stage, 0))
