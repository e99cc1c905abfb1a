"""Exports: load -> export -> load gives the same framework, in every format."""

from __future__ import annotations

import copy
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialvalue.exceptions import FrameworkFileError
from socialvalue.frameworks.documents import format_path
from socialvalue.frameworks.export import (
    EXPORT_FORMATS,
    document_to_yaml,
    export_framework,
    framework_fingerprint,
    framework_to_document,
    framework_to_yaml,
)
from socialvalue.frameworks.loader import (
    builtin_framework_ids,
    load_builtin_framework,
    load_framework,
    load_framework_csv,
    load_framework_text,
)
from socialvalue.frameworks.model import Framework
from socialvalue.frameworks.tabular import framework_document_from_xlsx
from tests.frameworks.strategies import MUTATIONS, frameworks, mutate

KNOWN_CODES = {
    "missing_field",
    "unknown_field",
    "wrong_type",
    "unknown_unit",
    "unknown_scoring_mode",
    "invalid_value",
    "invalid_text",
    "duplicate_id",
    "mode_unit_mismatch",
    "missing_level_descriptors",
    "missing_proxy",
    "out_of_range",
    "empty",
}


def _reload(content: str | bytes, export_format: str, tmp_path) -> Framework:
    path = tmp_path / f"export.{export_format}"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return load_framework(path)


@pytest.mark.parametrize("export_format", EXPORT_FORMATS)
@pytest.mark.parametrize("framework_id", builtin_framework_ids())
def test_it_round_trips_every_builtin(framework_id, export_format, tmp_path):
    framework = load_builtin_framework(framework_id)

    content = export_framework(framework, export_format)
    reloaded = _reload(content, export_format, tmp_path)

    assert reloaded == framework
    assert export_framework(reloaded, export_format) == content or export_format == "xlsx"


def test_it_fingerprints_equal_frameworks_equally():
    framework = load_builtin_framework("preston-2023")
    reloaded = load_framework_text(framework_to_yaml(framework))

    assert framework_fingerprint(reloaded) == framework_fingerprint(framework)
    assert framework_fingerprint(framework) != framework_fingerprint(
        load_builtin_framework("lancashire-2016")
    )


def test_it_writes_exact_decimals_in_json():
    framework = load_framework_text(
        "format: socialvalue-framework/1\nid: t\nname: T\nversion: '1'\npublisher: P\n"
        "licence: MIT\ndefaults:\n  threshold_gbp: 12.60\noutcomes:\n- id: A\n  title: A\n"
    )

    text = export_framework(framework, "json")

    assert '"threshold_gbp": 12.60' in text


def test_it_never_writes_a_formula_into_xlsx():
    framework = load_framework_text(
        "format: socialvalue-framework/1\nid: t\nname: '=SUM(A1:A2)'\nversion: '1'\n"
        "publisher: P\nlicence: MIT\noutcomes:\n- id: A\n  title: A\n"
    )

    content = export_framework(framework, "xlsx")
    assert isinstance(content, bytes)
    document, _, problems = framework_document_from_xlsx(io.BytesIO(content), "t.xlsx")

    assert problems == []
    assert document is not None
    assert document["name"] == "=SUM(A1:A2)"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(framework=frameworks(), export_format=st.sampled_from(EXPORT_FORMATS))
def test_it_round_trips_generated_frameworks(framework, export_format, tmp_path):
    content = export_framework(framework, export_format)

    assert _reload(content, export_format, tmp_path) == framework


@settings(max_examples=80, deadline=None)
@given(
    framework=frameworks(),
    mutation=st.sampled_from(MUTATIONS),
    choice=st.integers(0, 20),
)
def test_it_accepts_or_reports_precisely_a_mutated_framework(framework, mutation, choice):
    document = mutate(copy.deepcopy(framework_to_document(framework)), mutation, choice)
    text = document_to_yaml(document)

    problems = _problems_of(text)
    for problem in problems:
        assert problem.file == "mutated.yaml"
        assert problem.code in KNOWN_CODES, problem
        assert problem.line is not None
        assert 1 <= problem.line <= text.count("\n") + 1, problem
        assert _path_exists(document, problem.path) or problem.code == "unknown_field", problem


def _problems_of(text: str) -> tuple:
    """The problems loading the text reports (none when it loads)."""
    try:
        load_framework_text(text, file="mutated.yaml")
    except FrameworkFileError as error:
        return error.problems
    return ()


def _path_exists(document, path: str) -> bool:
    if not path:
        return True
    value = document
    parts = []
    for token in path.replace("[", ".[").split("."):
        if token.startswith("["):
            parts.append(int(token[1:-1]))
        elif token:
            parts.append(token)
    for part in parts:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return False
    return format_path(parts) == path


def test_it_loads_the_csv_it_writes_with_parent_rows_in_any_order():
    framework = load_builtin_framework("lancashire-2016")
    header, *rows = export_framework(framework, "csv").splitlines(keepends=True)
    framework_rows = [row for row in rows if row.startswith(("framework", "source"))]
    other_rows = [row for row in rows if row not in framework_rows]
    outcome_rows = [row for row in other_rows if row.startswith("outcome")]
    rest = [row for row in other_rows if not row.startswith("outcome")]

    # Measures listed before their outcomes still land under them, in their own order.
    reloaded = load_framework_csv(header + "".join(framework_rows + rest + outcome_rows))

    assert reloaded == framework
