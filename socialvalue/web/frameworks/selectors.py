"""Reads for frameworks: the organisation's own and the built-ins it may adopt."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from socialvalue.frameworks.loader import builtin_framework_ids, load_builtin_framework
from socialvalue.frameworks.model import Framework as FrameworkData
from socialvalue.web.accounts.models import Organisation
from socialvalue.web.frameworks.models import Framework


def frameworks_for_organisation(*, organisation: Organisation) -> QuerySet[Framework]:
    return (
        Framework.objects.filter(organisation=organisation)
        .annotate(version_count=Count("versions"))
        .order_by("name")
    )


@dataclass(frozen=True)
class BuiltinFramework:
    id: str
    data: FrameworkData
    adopted: Framework | None


def builtin_frameworks(*, organisation: Organisation) -> list[BuiltinFramework]:
    adopted = {
        f.based_on: f
        for f in Framework.objects.filter(organisation=organisation).exclude(based_on="")
    }
    return [
        BuiltinFramework(
            id=builtin_id, data=load_builtin_framework(builtin_id), adopted=adopted.get(builtin_id)
        )
        for builtin_id in builtin_framework_ids()
    ]
