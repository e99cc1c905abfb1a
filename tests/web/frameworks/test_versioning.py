"""A tender keeps the framework version it pinned, whatever is changed later (issue 4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from socialvalue.frameworks.export import framework_to_yaml
from socialvalue.frameworks.loader import load_builtin_framework
from socialvalue.web.frameworks.models import AppendOnlyVersionError
from socialvalue.web.frameworks.services import find_measure, framework_adopt, framework_edit
from socialvalue.web.tenders.services import tender_create

pytestmark = pytest.mark.django_db


def test_it_leaves_a_tenders_pinned_version_unchanged_when_the_framework_is_edited(
    city: Any,
) -> None:
    admin = get_user_model().objects.get(username="alice")
    framework = framework_adopt(organisation=city, builtin_id="preston-2023", actor=admin)
    pinned = framework.versions.get()
    tender = tender_create(
        organisation=city,
        actor=admin,
        title="School meals",
        reference="KB-2026-001",
        submission_deadline=timezone.now() + timedelta(days=30),
        preset="preston",
        framework_version=pinned,
    )
    measure_id = next(m.id for _, m in pinned.load().iter_measures())

    def retitle(document: dict[str, Any]) -> None:
        measures, index = find_measure(document, measure_id)
        measures[index]["title"] = "Re-worded after the tender was published"

    new = framework_edit(framework=framework, change=retitle, note="Re-word", actor=admin)

    assert new is not None
    assert new.number == 2
    tender.refresh_from_db()
    assert tender.framework_version == pinned
    assert tender.framework_version.document == framework_to_yaml(
        load_builtin_framework("preston-2023")
    )
    assert tender.framework_version.load().measure(measure_id).title != (
        "Re-worded after the tender was published"
    )


def test_it_refuses_to_change_a_saved_version(city: Any) -> None:
    admin = get_user_model().objects.get(username="alice")
    version = framework_adopt(
        organisation=city, builtin_id="preston-2023", actor=admin
    ).versions.get()
    version.document = "id: changed"
    with pytest.raises(AppendOnlyVersionError):
        version.save()
