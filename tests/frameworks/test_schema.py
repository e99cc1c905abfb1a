"""The published JSON Schema: every built-in validates, and the docs copy matches the package."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from socialvalue.frameworks.export import framework_to_json
from socialvalue.frameworks.loader import (
    builtin_framework_ids,
    framework_schema,
    load_builtin_framework,
)

DOCS_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "frameworks" / "schema.json"


def test_it_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(framework_schema())


@pytest.mark.parametrize("framework_id", builtin_framework_ids())
def test_it_accepts_every_builtin_export(framework_id):
    document = json.loads(framework_to_json(load_builtin_framework(framework_id)))

    assert list(Draft202012Validator(framework_schema()).iter_errors(document)) == []


def test_it_publishes_the_same_schema_in_the_docs():
    assert json.loads(DOCS_SCHEMA.read_text(encoding="utf-8")) == framework_schema()
