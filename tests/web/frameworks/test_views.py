from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from socialvalue.frameworks.export import framework_to_yaml
from socialvalue.frameworks.loader import builtin_framework_ids, load_builtin_framework
from socialvalue.web.audit.models import AuditEvent
from socialvalue.web.frameworks.models import Framework, FrameworkVersion

pytestmark = pytest.mark.django_db
LANCASHIRE = "lancashire-2016"


def _adopt(client: Any, builtin: str = LANCASHIRE) -> Framework:
    response = client.post(reverse("frameworks:adopt"), {"builtin": builtin})
    assert response.status_code == 302
    return Framework.objects.get(based_on=builtin)


def _first_measure_id(framework: Framework) -> str:
    latest = framework.latest_version()
    assert latest is not None
    return next(measure.id for _, measure in latest.load().iter_measures())


def test_it_offers_every_builtin(client_for: Any) -> None:
    response = client_for("officer").get(reverse("frameworks:list"))
    assert [b.id for b in response.context["builtins"]] == list(builtin_framework_ids())
    assert LANCASHIRE in builtin_framework_ids()


def test_it_adopts_a_builtin_as_version_one(client_for: Any, city: Any) -> None:
    framework = _adopt(client_for("admin"))
    assert framework.organisation == city
    version = framework.versions.get()
    assert version.number == 1
    assert version.document == framework_to_yaml(load_builtin_framework(LANCASHIRE))
    assert AuditEvent.objects.filter(action="framework.adopted").count() == 1


def test_it_refuses_to_adopt_twice(client_for: Any) -> None:
    client = client_for("admin")
    _adopt(client)
    client.post(reverse("frameworks:adopt"), {"builtin": LANCASHIRE})
    assert Framework.objects.count() == 1


def test_it_gives_404_for_an_unknown_builtin(client_for: Any) -> None:
    response = client_for("admin").post(reverse("frameworks:adopt"), {"builtin": "no-such"})
    assert response.status_code == 404


def test_it_saves_a_tweak_as_a_new_version_and_keeps_the_old(client_for: Any) -> None:
    client = client_for("admin")
    framework = _adopt(client)
    measure_id = _first_measure_id(framework)
    response = client.post(
        reverse("frameworks:measure_edit", args=[framework.pk, measure_id]),
        {"title": "Local people hired", "description": "", "note": "Plainer words"},
    )
    assert response.status_code == 302
    v1, v2 = framework.versions.order_by("number")
    assert v1.load().measure(measure_id).title != "Local people hired"
    assert v2.load().measure(measure_id).title == "Local people hired"
    assert v2.change_note == "Plainer words"


def test_it_saves_no_version_when_nothing_changed(client_for: Any) -> None:
    client = client_for("admin")
    framework = _adopt(client)
    measure_id = _first_measure_id(framework)
    measure = framework.versions.get().load().measure(measure_id)
    client.post(
        reverse("frameworks:measure_edit", args=[framework.pk, measure_id]),
        {"title": measure.title, "description": measure.description, "note": "no change"},
    )
    assert framework.versions.count() == 1


def test_it_removes_and_adds_measures_and_shows_the_diff(client_for: Any) -> None:
    client = client_for("admin")
    framework = _adopt(client)
    removed = _first_measure_id(framework)
    client.post(
        reverse("frameworks:measure_edit", args=[framework.pk, removed]),
        {"title": "x", "note": "Not used in Kingsbridge", "remove": "1"},
    )
    outcome_id = framework.latest_version().load().outcomes[0].id  # type: ignore[union-attr]
    client.post(
        reverse("frameworks:measure_add", args=[framework.pk]),
        {
            "outcome": outcome_id,
            "id": "kb-apprentices",
            "title": "Kingsbridge apprentices",
            "unit": "count",
            "scoring_mode": "quantity",
        },
    )
    assert framework.versions.count() == 3
    response = client.get(
        reverse("frameworks:compare", args=[framework.pk]), {"old": "builtin", "new": "v3"}
    )
    changes = {(node.change.value, node.id) for node in response.context["diff"].nodes}
    assert changes == {("removed", removed), ("added", "kb-apprentices")}
    added = framework.latest_version().load().measure("kb-apprentices")  # type: ignore[union-attr]
    assert added.provenance == "local"


def test_it_refuses_an_invalid_tweak_and_saves_nothing(client_for: Any) -> None:
    client = client_for("admin")
    framework = _adopt(client)
    outcome_id = framework.latest_version().load().outcomes[0].id  # type: ignore[union-attr]
    existing = _first_measure_id(framework)
    response = client.post(
        reverse("frameworks:measure_add", args=[framework.pk]),
        {
            "outcome": outcome_id,
            "id": existing,
            "title": "Duplicate",
            "unit": "count",
            "scoring_mode": "quantity",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert framework.versions.count() == 1


def test_it_reports_every_problem_in_an_upload(client_for: Any, tmp_path: Path) -> None:
    bad = (
        "id: bad\nname: Bad\nversion: '1'\npublisher: x\nlicence: x\noutcomes:\n"
        "  - id: a\n    title: A\n    measures:\n"
        "      - {id: m, title: M, unit: furlongs, scoring_modes: [quantity]}\n"
        "      - {id: m, title: M2, unit: count, scoring_modes: [quantity]}\n"
    )
    response = client_for("admin").post(
        reverse("frameworks:upload"), {"file": SimpleUploadedFile("bad.yaml", bad.encode())}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert len(errors) >= 2
    assert any("line" in error for error in errors)
    assert not Framework.objects.exists()


def test_it_uploads_an_exported_framework(client_for: Any) -> None:
    text = framework_to_yaml(load_builtin_framework("preston-2023"))
    response = client_for("admin").post(
        reverse("frameworks:upload"), {"file": SimpleUploadedFile("preston.yaml", text.encode())}
    )
    assert response.status_code == 302
    assert FrameworkVersion.objects.get().document == text


@pytest.mark.parametrize("export_format", ["yaml", "json", "csv", "xlsx"])
def test_it_exports_each_format(client_for: Any, export_format: str) -> None:
    client = client_for("admin")
    framework = _adopt(client)
    response = client.get(
        reverse("frameworks:export", args=[framework.pk]), {"format": export_format}
    )
    assert response.status_code == 200
    assert f"lancashire-2016-v1.{export_format}" in response["Content-Disposition"]


def test_it_hides_another_organisations_framework(client_for: Any) -> None:
    framework = _adopt(client_for("other_org"))
    response = client_for("admin").get(reverse("frameworks:detail", args=[framework.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() == 1


def test_it_lets_officers_read_but_not_change(client_for: Any) -> None:
    framework = _adopt(client_for("admin"))
    officer = client_for("officer")
    assert officer.get(reverse("frameworks:detail", args=[framework.pk])).status_code == 200
    measure_id = _first_measure_id(framework)
    response = officer.post(
        reverse("frameworks:measure_edit", args=[framework.pk, measure_id]),
        {"title": "x", "note": "x"},
    )
    assert response.status_code == 403


def test_it_refuses_get_on_adopt(client_for: Any) -> None:
    assert client_for("admin").get(reverse("frameworks:adopt")).status_code == 405
