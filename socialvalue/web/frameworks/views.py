"""Browse, adopt, upload, tweak, compare and export social value frameworks."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from socialvalue.exceptions import FrameworkFileError, FrameworkNotFoundError
from socialvalue.frameworks.diff import diff_frameworks
from socialvalue.frameworks.export import export_framework
from socialvalue.frameworks.loader import load_builtin_framework
from socialvalue.frameworks.model import Framework as FrameworkData
from socialvalue.web.frameworks import selectors, services
from socialvalue.web.frameworks.forms import (
    DefaultsForm,
    MeasureAddForm,
    MeasureEditForm,
    UploadForm,
)
from socialvalue.web.frameworks.models import Framework, FrameworkVersion
from socialvalue.web.http import OrgHttpRequest
from socialvalue.web.permissions import Perm, permission_required
from socialvalue.web.tenancy import get_in_organisation_or_404

EXPORT_TYPES = {
    "yaml": "application/yaml",
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _framework(request: OrgHttpRequest, framework_id: int) -> Framework:
    assert request.org is not None
    return get_in_organisation_or_404(
        request, selectors.frameworks_for_organisation(organisation=request.org), pk=framework_id
    )


def _version(framework: Framework, number: str | None) -> FrameworkVersion:
    versions = framework.versions.all()
    version = (
        versions.filter(number=int(number)).first()
        if number and number.isdigit()
        else versions.first()
    )
    if version is None:
        raise Http404("No such version")
    return version


def _problems_to_form(form: Any, error: FrameworkFileError, field: str | None = None) -> None:
    for problem in error.problems:
        where = f"line {problem.line}, " if problem.line else ""
        at = f"{problem.path}: " if problem.path else ""
        form.add_error(field, f"{where}{at}{problem.message}")


@require_GET
@permission_required(Perm.VIEW_FRAMEWORKS)
def framework_list(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    return render(
        request,
        "frameworks/list.html",
        {
            "frameworks": selectors.frameworks_for_organisation(organisation=request.org),
            "builtins": selectors.builtin_frameworks(organisation=request.org),
            "can_manage": request.user.has_perm(str(Perm.MANAGE_FRAMEWORKS), request.org),
        },
    )


@require_POST
@permission_required(Perm.MANAGE_FRAMEWORKS)
def adopt(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    try:
        framework = services.framework_adopt(
            organisation=request.org, builtin_id=request.POST.get("builtin", ""), actor=request.user
        )
    except FrameworkNotFoundError:
        raise Http404("No such built-in framework") from None
    except services.FrameworkExistsError as error:
        messages.error(request, str(error))
        return redirect("frameworks:list")
    messages.success(request, f"{framework.name} adopted. Tweak it for your place below.")
    return redirect("frameworks:detail", framework_id=framework.pk)


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_FRAMEWORKS)
def upload(request: OrgHttpRequest) -> HttpResponse:
    assert request.org is not None
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            # The loader picks the format from the suffix; keep only the base name.
            path = Path(folder) / Path(uploaded.name).name
            path.write_bytes(uploaded.read())
            try:
                framework = services.framework_upload(
                    organisation=request.org, path=path, file_name=path.name, actor=request.user
                )
            except FrameworkFileError as error:
                _problems_to_form(form, error, "file")
            except services.FrameworkExistsError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, f"{framework.name} uploaded.")
                return redirect("frameworks:detail", framework_id=framework.pk)
    return render(request, "frameworks/upload.html", {"form": form})


@require_GET
@permission_required(Perm.VIEW_FRAMEWORKS)
def detail(request: OrgHttpRequest, framework_id: int) -> HttpResponse:
    framework = _framework(request, framework_id)
    version = _version(framework, request.GET.get("version"))
    return render(
        request,
        "frameworks/detail.html",
        {
            "framework": framework,
            "version": version,
            "data": version.load(),
            "versions": framework.versions.select_related("created_by"),
            "can_manage": request.user.has_perm(str(Perm.MANAGE_FRAMEWORKS), request.org),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_FRAMEWORKS)
def measure_edit(request: OrgHttpRequest, framework_id: int, measure_id: str) -> HttpResponse:
    framework = _framework(request, framework_id)
    data = _version(framework, None).load()
    try:
        measure = data.measure(measure_id)
    except KeyError:
        raise Http404("No such measure") from None
    initial = {"title": measure.title, "description": measure.description}
    form = MeasureEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if "remove" in request.POST:

            def change(document: dict[str, Any]) -> None:
                measures, index = services.find_measure(document, measure_id)
                del measures[index]

            note = form.cleaned_data["note"]
        else:

            def change(document: dict[str, Any]) -> None:
                measures, index = services.find_measure(document, measure_id)
                measures[index]["title"] = form.cleaned_data["title"]
                measures[index]["description"] = form.cleaned_data["description"]
                if not measures[index]["description"]:
                    del measures[index]["description"]

            note = form.cleaned_data["note"]
        try:
            version = services.framework_edit(
                framework=framework, change=change, note=note, actor=request.user
            )
        except FrameworkFileError as error:
            _problems_to_form(form, error)
        else:
            _saved_message(request, version)
            return redirect("frameworks:detail", framework_id=framework.pk)
    return render(
        request,
        "frameworks/measure_edit.html",
        {"framework": framework, "measure": measure, "form": form},
    )


def _outcome_choices(data: FrameworkData) -> list[tuple[str, str]]:
    return [
        (outcome.id, ("– " * len(ancestors)) + outcome.title)
        for ancestors, outcome in data.iter_outcomes()
    ]


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_FRAMEWORKS)
def measure_add(request: OrgHttpRequest, framework_id: int) -> HttpResponse:
    framework = _framework(request, framework_id)
    data = _version(framework, None).load()
    form = MeasureAddForm(request.POST or None, outcomes=_outcome_choices(data))
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data

        def change(document: dict[str, Any]) -> None:
            outcome = services.find_outcome(document, values["outcome"])
            measure = {
                "id": values["id"],
                "title": values["title"],
                "unit": values["unit"],
                "scoring_modes": [values["scoring_mode"]],
                "provenance": "local",
                "notes": f"Added by {framework.organisation.name}.",
            }
            if values["description"]:
                measure["description"] = values["description"]
            outcome.setdefault("measures", []).append(measure)

        try:
            version = services.framework_edit(
                framework=framework,
                change=change,
                note=f"Added measure {values['id']}: {values['title']}",
                actor=request.user,
            )
        except FrameworkFileError as error:
            _problems_to_form(form, error)
        else:
            _saved_message(request, version)
            return redirect("frameworks:detail", framework_id=framework.pk)
    return render(request, "frameworks/measure_add.html", {"framework": framework, "form": form})


@require_http_methods(["GET", "POST"])
@permission_required(Perm.MANAGE_FRAMEWORKS)
def defaults_edit(request: OrgHttpRequest, framework_id: int) -> HttpResponse:
    framework = _framework(request, framework_id)
    data = _version(framework, None).load()
    form = DefaultsForm(
        request.POST or None, initial={"weight_percent": data.defaults.weight_percent}
    )
    if request.method == "POST" and form.is_valid():
        weight = form.cleaned_data["weight_percent"]

        def change(document: dict[str, Any]) -> None:
            document.setdefault("defaults", {})["weight_percent"] = weight

        try:
            version = services.framework_edit(
                framework=framework,
                change=change,
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except FrameworkFileError as error:
            _problems_to_form(form, error, "weight_percent")
        else:
            _saved_message(request, version)
            return redirect("frameworks:detail", framework_id=framework.pk)
    return render(request, "frameworks/defaults_edit.html", {"framework": framework, "form": form})


def _saved_message(request: OrgHttpRequest, version: FrameworkVersion | None) -> None:
    if version is None:
        messages.info(request, "Nothing changed, so no new version was saved.")
    else:
        messages.success(request, f"Saved as version {version.number}.")


@require_GET
@permission_required(Perm.VIEW_FRAMEWORKS)
def compare(request: OrgHttpRequest, framework_id: int) -> HttpResponse:
    framework = _framework(request, framework_id)
    versions = list(framework.versions.all())
    options = [(f"v{v.number}", f"Version {v.number}") for v in versions]
    if framework.based_on:
        options.append(("builtin", "The original built-in framework"))
    default_old = "builtin" if framework.based_on else f"v{versions[-1].number}"
    old_key = request.GET.get("old", default_old)
    new_key = request.GET.get("new", f"v{versions[0].number}")

    def resolve(key: str) -> FrameworkData:
        if key == "builtin" and framework.based_on:
            return load_builtin_framework(framework.based_on)
        if key.startswith("v"):
            return (
                _version(framework, key[1:]).load()
                if key[1:].isdigit()
                else _version(framework, "x").load()
            )
        raise Http404("No such version")

    diff = diff_frameworks(resolve(old_key), resolve(new_key))
    template = "frameworks/compare.html"
    if request.htmx:
        template += "#diff"
    labels = dict(options)
    return render(
        request,
        template,
        {
            "framework": framework,
            "options": options,
            "old_key": old_key,
            "new_key": new_key,
            "old_label": labels.get(old_key, old_key),
            "new_label": labels.get(new_key, new_key),
            "diff": diff,
        },
    )


@require_GET
@permission_required(Perm.VIEW_FRAMEWORKS)
def export(request: OrgHttpRequest, framework_id: int) -> HttpResponse:
    framework = _framework(request, framework_id)
    version = _version(framework, request.GET.get("version"))
    export_format = request.GET.get("format", "yaml")
    if export_format not in EXPORT_TYPES:
        raise Http404("Unknown export format")
    content = export_framework(version.load(), export_format)  # type: ignore[arg-type]
    response = HttpResponse(content, content_type=EXPORT_TYPES[export_format])
    filename = f"{framework.key}-v{version.number}.{export_format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
