"""Reaching objects through the current organisation: another organisation's object is a 404.

A miss on an object that exists in another organisation is recorded as an ``access.denied``
audit event, because it usually means someone edited a URL.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

from socialvalue.web.audit.services import audit_record

ModelT = TypeVar("ModelT", bound=models.Model)


def get_in_organisation_or_404(
    request: Any, queryset: models.QuerySet[ModelT], **lookup: Any
) -> ModelT:
    """Return the object from ``queryset`` (already scoped to ``request.org``) or raise 404."""
    try:
        return queryset.get(**lookup)
    except ObjectDoesNotExist:
        if queryset.model._default_manager.filter(**lookup).exists():
            audit_record(
                action="access.denied",
                summary=(
                    f"{request.user.get_username()} asked for {queryset.model._meta.verbose_name} "
                    f"{lookup} of another organisation at {request.path}"
                ),
                actor=request.user,
                organisation=request.org,
                data={"path": request.path, "model": queryset.model._meta.label_lower},
            )
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from None
