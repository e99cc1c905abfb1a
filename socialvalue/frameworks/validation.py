"""Turn JSON Schema errors into problems a person can act on.

jsonschema's own messages quote whole sub-documents; these say which field is wrong, what was
expected and how to fix it, with a stable ``code`` for tests and for the web forms.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from socialvalue.frameworks.documents import FieldPath, ProblemCollector

_TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
}


def schema_problems(data: Any, schema: dict[str, Any], collector: ProblemCollector) -> None:
    """Add a precise problem to ``collector`` for every way ``data`` breaks ``schema``."""
    validator = Draft202012Validator(schema)
    for error in validator.iter_errors(data):
        _report_schema_error(error, collector)


def _report_schema_error(error: ValidationError, collector: ProblemCollector) -> None:
    path: FieldPath = tuple(error.absolute_path)
    instance = error.instance
    validator = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(schema.get("properties", {}))
        for key in instance:
            if key not in allowed:
                collector.add(
                    (*path, key),
                    "unknown_field",
                    f"unknown field '{key}'; allowed here: {', '.join(sorted(allowed))}",
                )
        return
    if validator == "required":
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        present = instance if isinstance(instance, dict) else {}
        missing = [name for name in required if name not in present]
        for name in missing:
            collector.add(path, "missing_field", f"the required field '{name}' is missing")
        return
    if validator == "enum":
        field_name = path[-1] if path and isinstance(path[-1], str) else ""
        if field_name == "unit":
            code = "unknown_unit"
        elif len(path) >= 2 and path[-2] == "scoring_modes":
            code = "unknown_scoring_mode"
        else:
            code = "invalid_value"
        options = ", ".join(str(option) for option in error.validator_value)  # type: ignore[union-attr]
        collector.add(path, code, f"'{instance}' is not allowed; use one of: {options}")
        return
    if validator == "type":
        expected = _TYPE_WORDS.get(str(error.validator_value), str(error.validator_value))
        hint = ""
        if (
            expected == "text"
            and isinstance(instance, int | Decimal)
            and not isinstance(instance, bool)
        ):
            hint = ' (put quotes around ids that look like numbers, e.g. "1.1")'
        collector.add(path, "wrong_type", f"expected {expected}, got {_describe(instance)}{hint}")
        return
    if validator == "const":
        collector.add(path, "wrong_format", f"must be '{error.validator_value}'")
        return
    if validator == "pattern":
        collector.add(path, "invalid_text", _pattern_message(path, instance))
        return
    if validator in {"minimum", "maximum"}:
        word = "at least" if validator == "minimum" else "at most"
        collector.add(path, "out_of_range", f"must be {word} {error.validator_value}")
        return
    if validator in {"minItems", "minLength"}:
        collector.add(path, "empty", "must not be empty")
        return
    if validator == "uniqueItems":
        collector.add(path, "duplicate_item", "lists the same item twice")
        return
    collector.add(path, "invalid_value", error.message)


def _pattern_message(path: FieldPath, instance: Any) -> str:
    field_name = next((part for part in reversed(path) if isinstance(part, str)), "")
    if field_name == "id" and len(path) == 1:
        return f"'{instance}' is not a valid framework id: use lower-case letters, digits and '-'"
    if field_name in {"id", "exclusive_group", "key", "value"}:
        return f"'{instance}' is not a valid id: use letters, digits, '.', '_' and '-' only"
    if field_name == "published":
        return f"'{instance}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
    if field_name == "kind":
        return f"'{instance}' is not a valid kind: use lower-case words joined by '_'"
    return f"'{instance}' must be one non-blank line of text"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | Decimal):
        return f"the number {value}"
    return f"'{value}'"
