"""An organisation's frameworks and their versions.

A version is the framework's canonical YAML text with a content hash. Versions are never changed:
every saved tweak creates the next version, so a tender that pinned a version keeps exactly what it
was evaluated against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from socialvalue.frameworks.model import Framework as FrameworkData


class AppendOnlyVersionError(Exception):
    """Framework versions cannot be changed once saved."""


class Framework(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="frameworks"
    )
    key = models.SlugField(max_length=80, help_text="The framework id inside the file.")
    name = models.CharField(max_length=200)
    based_on = models.CharField(
        max_length=80, blank=True, help_text="The built-in framework this was adopted from."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"], name="one_framework_key_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> FrameworkVersion | None:
        return self.versions.order_by("-number").first()


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.TextField(help_text="The framework as canonical YAML.")
    content_hash = models.CharField(max_length=64)
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyVersionError("framework versions cannot be changed; save a new version")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def load(self) -> FrameworkData:
        """The version as the engine's immutable :class:`socialvalue.frameworks.model.Framework`."""
        from socialvalue.frameworks.loader import load_framework_text

        return load_framework_text(self.document, file=f"{self.framework.key} v{self.number}")
