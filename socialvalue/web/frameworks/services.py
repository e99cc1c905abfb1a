"""Adopting, uploading and tweaking frameworks. Every saved change is a new version."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django.db import transaction

from socialvalue.exceptions import FrameworkFileError, SocialValueError
from socialvalue.frameworks.documents import FileProblem
from socialvalue.frameworks.export import (
    framework_fingerprint,
    framework_to_document,
    framework_to_yaml,
    plain,
)
from socialvalue.frameworks.loader import (
    check_framework_document,
    framework_from_document,
    load_builtin_framework,
    load_framework,
)
from socialvalue.frameworks.model import Framework as FrameworkData
from socialvalue.web.accounts.models import Organisation
from socialvalue.web.audit.services import audit_record
from socialvalue.web.frameworks.models import Framework, FrameworkVersion


class FrameworkExistsError(SocialValueError):
    """The organisation already has a framework with this id."""


def _create(
    *, organisation: Organisation, data: FrameworkData, based_on: str, note: str, actor: Any
) -> Framework:
    if Framework.objects.filter(organisation=organisation, key=data.id).exists():
        raise FrameworkExistsError(
            f"{organisation.name} already has the framework {data.id!r}: "
            "open it and tweak it instead"
        )
    framework = Framework(organisation=organisation, key=data.id, name=data.name, based_on=based_on)
    framework.full_clean()
    framework.save()
    _save_version(framework=framework, data=data, note=note, actor=actor)
    return framework


@transaction.atomic
def framework_adopt(*, organisation: Organisation, builtin_id: str, actor: Any) -> Framework:
    """Copy a built-in framework into the organisation as version 1."""
    data = load_builtin_framework(builtin_id)
    framework = _create(
        organisation=organisation,
        data=data,
        based_on=builtin_id,
        note=f"Adopted from the built-in {data.name}",
        actor=actor,
    )
    audit_record(
        action="framework.adopted",
        summary=f"{actor.get_username()} adopted the built-in framework {data.name}",
        actor=actor,
        organisation=organisation,
        obj=framework,
        data={"builtin": builtin_id},
    )
    return framework


@transaction.atomic
def framework_upload(
    *, organisation: Organisation, path: Any, file_name: str, actor: Any
) -> Framework:
    """Load an uploaded file (YAML, JSON, CSV or XLSX); every problem is reported at once.

    Raises
    ------
    FrameworkFileError
        Listing every problem with line and field path; nothing is saved.
    """
    data = load_framework(path)
    framework = _create(
        organisation=organisation, data=data, based_on="", note=f"Uploaded {file_name}", actor=actor
    )
    audit_record(
        action="framework.uploaded",
        summary=f"{actor.get_username()} uploaded the framework {data.name} from {file_name}",
        actor=actor,
        organisation=organisation,
        obj=framework,
    )
    return framework


def _save_version(
    *, framework: Framework, data: FrameworkData, note: str, actor: Any
) -> FrameworkVersion | None:
    latest = framework.latest_version()
    fingerprint = framework_fingerprint(data)
    if latest is not None and latest.content_hash == fingerprint:
        return None
    version = FrameworkVersion(
        framework=framework,
        number=(latest.number + 1) if latest else 1,
        document=framework_to_yaml(data),
        content_hash=fingerprint,
        change_note=note[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def framework_edit(
    *,
    framework: Framework,
    change: Callable[[dict[str, Any]], None],
    note: str,
    actor: Any,
) -> FrameworkVersion | None:
    """Apply ``change`` to a copy of the latest version's document and save it as a new version.

    The changed document goes through the same checks as an uploaded file. Returns ``None`` when
    the change left the framework as it was.

    Raises
    ------
    FrameworkFileError
        When the change makes the framework invalid; nothing is saved.
    """
    locked = Framework.objects.select_for_update().get(pk=framework.pk)
    latest = locked.latest_version()
    assert latest is not None
    document = copy.deepcopy(plain(framework_to_document(latest.load())))
    change(document)
    problems = check_framework_document(document, file=f"{framework.key} (edited)")
    if problems:
        raise FrameworkFileError(problems)
    version = _save_version(
        framework=locked, data=framework_from_document(document), note=note, actor=actor
    )
    if version is not None:
        audit_record(
            action="framework.version_saved",
            summary=f"{actor.get_username()} saved {framework.name} v{version.number}: {note}",
            actor=actor,
            organisation=framework.organisation,
            obj=version,
            data={"version": version.number},
        )
    return version


def find_measure(document: dict[str, Any], measure_id: str) -> tuple[list[Any], int]:
    """The list holding the measure ``measure_id`` in a framework document, and its index."""
    stack = list(document.get("outcomes", []))
    while stack:
        outcome = stack.pop()
        measures = outcome.get("measures", [])
        for index, measure in enumerate(measures):
            if measure.get("id") == measure_id:
                return measures, index
        stack.extend(outcome.get("outcomes", []))
    raise FrameworkFileError(
        [FileProblem("framework", None, "", "unknown_measure", f"no measure {measure_id!r}")]
    )


def find_outcome(document: dict[str, Any], outcome_id: str) -> dict[str, Any]:
    stack = list(document.get("outcomes", []))
    while stack:
        outcome = stack.pop()
        if outcome.get("id") == outcome_id:
            return outcome
        stack.extend(outcome.get("outcomes", []))
    raise FrameworkFileError(
        [FileProblem("framework", None, "", "unknown_outcome", f"no outcome {outcome_id!r}")]
    )
