"""The one-table layout used to write a framework as CSV or XLSX and read it back.

Each row is a record, named in the ``record`` column:

``framework``
    One row per metadata field: ``id`` holds the field name, ``value`` its value.
``defaults``
    Same, for the tender defaults (``weight_percent``, ``minimum_weight_percent``,
    ``threshold_gbp``, ``threshold_note``).
``part``
    A part of the social value question: ``id``, ``title``, ``weight_percent``, ``description``.
``source``
    A cited source: ``id`` (the key), ``title``, ``url``, ``notes``.
``level``
    A level descriptor: ``level``, ``descriptor``; ``parent`` is blank for the framework's scale
    or a measure id for the measure's own.
``outcome``
    ``id``, ``parent`` (blank at the top, else an outcome id), ``kind``, ``title`` …
``measure``
    ``id``, ``parent`` (its outcome), ``unit``, ``scoring_modes`` … and the counting rule columns.

List cells (``scoring_modes``, ``evidence_required``, ``sources``) hold one item per line. Children
keep the order of their rows. A ``parent`` chain that loops back on itself is reported as a cycle.
Problems are reported with the row number as the line, and the field path the row became.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from socialvalue.frameworks.documents import (
    FieldPath,
    FileProblem,
    LineIndex,
    join_lines,
    read_csv_rows,
    read_xlsx_sheets,
    split_lines,
)

COLUMNS = (
    "record",
    "id",
    "parent",
    "kind",
    "title",
    "description",
    "unit",
    "direction",
    "scoring_modes",
    "level",
    "descriptor",
    "local_only",
    "exclusive_group",
    "count_each_year",
    "minimum",
    "maximum",
    "whole_numbers",
    "pro_rata_partial_year",
    "evidence_required",
    "proxy_set",
    "proxy_value",
    "weight_percent",
    "provenance",
    "sources",
    "url",
    "notes",
    "value",
)
SHEET_NAME = "framework"

_FRAMEWORK_FIELDS = (
    "format",
    "id",
    "name",
    "version",
    "publisher",
    "published",
    "description",
    "licence",
    "licence_note",
    "notes",
)
_DEFAULT_FIELDS = ("weight_percent", "minimum_weight_percent", "threshold_gbp", "threshold_note")
_NUMERIC_DEFAULTS = {"weight_percent", "minimum_weight_percent", "threshold_gbp"}
_COUNTING_BOOLS = ("local_only", "count_each_year", "whole_numbers", "pro_rata_partial_year")
_COUNTING_NUMBERS = ("minimum", "maximum")
_LIST_COLUMNS = ("scoring_modes", "evidence_required", "sources")
_MEASURE_TEXT = ("title", "description", "unit", "direction", "provenance", "notes")
_OUTCOME_TEXT = ("kind", "title", "description", "provenance", "notes")


# --- writing ---------------------------------------------------------------------------------


def document_to_rows(document: dict[str, Any]) -> list[dict[str, str]]:
    """Flatten a canonical framework document into table rows."""
    rows: list[dict[str, str]] = []
    for name in _FRAMEWORK_FIELDS:
        if name in document:
            rows.append({"record": "framework", "id": name, "value": _cell(document[name])})
    defaults = document.get("defaults", {})
    for name in _DEFAULT_FIELDS:
        if name in defaults:
            rows.append({"record": "defaults", "id": name, "value": _cell(defaults[name])})
    for part in defaults.get("parts", []):
        rows.append(
            {
                "record": "part",
                "id": part["id"],
                "title": part["title"],
                "weight_percent": _cell(part.get("weight_percent")),
                "description": part.get("description", ""),
            }
        )
    for source in document.get("sources", []):
        rows.append(
            {
                "record": "source",
                "id": source["key"],
                "title": source["title"],
                "url": source.get("url", ""),
                "notes": source.get("note", ""),
            }
        )
    rows.extend(_level_rows(document.get("level_descriptors", []), parent=""))
    for outcome in document["outcomes"]:
        _outcome_rows(outcome, "", rows)
    return [{column: row.get(column, "") for column in COLUMNS} for row in rows]


def _level_rows(descriptors: Iterable[dict[str, Any]], parent: str) -> list[dict[str, str]]:
    return [
        {
            "record": "level",
            "parent": parent,
            "level": _cell(item["level"]),
            "descriptor": item["descriptor"],
        }
        for item in descriptors
    ]


def _outcome_rows(outcome: dict[str, Any], parent: str, rows: list[dict[str, str]]) -> None:
    row = {"record": "outcome", "id": outcome["id"], "parent": parent}
    for name in _OUTCOME_TEXT:
        row[name] = _cell(outcome.get(name))
    row["sources"] = join_lines(outcome.get("sources", []))
    rows.append(row)
    for measure in outcome.get("measures", []):
        rows.append(_measure_row(measure, outcome["id"]))
        rows.extend(_level_rows(measure.get("level_descriptors", []), parent=measure["id"]))
    for child in outcome.get("outcomes", []):
        _outcome_rows(child, outcome["id"], rows)


def _measure_row(measure: dict[str, Any], parent: str) -> dict[str, str]:
    row = {"record": "measure", "id": measure["id"], "parent": parent}
    for name in _MEASURE_TEXT:
        row[name] = _cell(measure.get(name))
    for name in _LIST_COLUMNS:
        row[name] = join_lines(measure.get(name, []))
    counting = measure.get("counting", {})
    for name in (*_COUNTING_BOOLS, *_COUNTING_NUMBERS, "exclusive_group"):
        row[name] = _cell(counting.get(name))
    proxy = measure.get("proxy") or {}
    row["proxy_set"] = proxy.get("set", "")
    row["proxy_value"] = proxy.get("value", "")
    return row


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def document_to_csv(document: dict[str, Any]) -> str:
    """Write a framework document as CSV text."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(document_to_rows(document))
    return buffer.getvalue()


def document_to_xlsx(document: dict[str, Any]) -> bytes:
    """Write a framework document as an XLSX workbook (every cell text, so numbers stay exact)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_NAME
    sheet.append(list(COLUMNS))
    for row_number, row in enumerate(document_to_rows(document), start=2):
        for column_number, column in enumerate(COLUMNS, start=1):
            text = row[column]
            if text:
                cell = sheet.cell(row=row_number, column=column_number)
                cell.value = text
                cell.data_type = "s"  # never a formula, even when the text starts with "="
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- reading ---------------------------------------------------------------------------------


def framework_document_from_csv(
    text: str, file: str
) -> tuple[dict[str, Any] | None, LineIndex, list[FileProblem]]:
    """Rebuild a framework document from CSV text, with row numbers as lines."""
    try:
        rows = read_csv_rows(text)
    except csv.Error as error:
        return None, LineIndex(), [FileProblem(file, None, "", "syntax", f"not valid CSV: {error}")]
    return rows_to_document(rows, file)


def framework_document_from_xlsx(
    data: io.BytesIO, file: str
) -> tuple[dict[str, Any] | None, LineIndex, list[FileProblem]]:
    """Rebuild a framework document from the first sheet of a workbook."""
    try:
        sheets = read_xlsx_sheets(data)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        return (
            None,
            LineIndex(),
            [FileProblem(file, None, "", "syntax", f"not a readable XLSX workbook: {error}")],
        )
    rows = sheets.get(SHEET_NAME) or next(iter(sheets.values()), [])
    return rows_to_document(rows, file)


def rows_to_document(
    rows: list[tuple[int, dict[str, str]]], file: str
) -> tuple[dict[str, Any] | None, LineIndex, list[FileProblem]]:
    """Rebuild a framework document from ``(row number, cells)`` pairs."""
    problems: list[FileProblem] = []
    lines = LineIndex()
    if not rows:
        return None, lines, [FileProblem(file, 1, "", "empty", "the table has no rows")]
    document: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    parts: list[dict[str, Any]] = []
    sources: list[dict[str, Any]] = []
    levels: list[tuple[int, str, dict[str, Any]]] = []
    outcomes: list[tuple[int, dict[str, Any], str]] = []
    measures: list[tuple[int, dict[str, Any], str]] = []
    row_of: dict[int, int] = {}

    for row_number, cells in rows:
        record = cells.get("record", "").strip()
        key = cells.get("id", "").strip()
        if record == "framework":
            if key not in _FRAMEWORK_FIELDS:
                problems.append(
                    _problem(
                        file, row_number, key, "unknown_field", f"unknown framework field '{key}'"
                    )
                )
                continue
            document[key] = cells.get("value", "")
            lines.set((key,), row_number)
        elif record == "defaults":
            if key not in _DEFAULT_FIELDS:
                problems.append(
                    _problem(
                        file,
                        row_number,
                        f"defaults.{key}",
                        "unknown_field",
                        f"unknown default '{key}'",
                    )
                )
                continue
            value = cells.get("value", "")
            defaults[key] = _number(value) if key in _NUMERIC_DEFAULTS else value
            lines.set(("defaults", key), row_number)
        elif record == "part":
            part = _some(
                {
                    "id": key,
                    "title": cells.get("title", ""),
                    "weight_percent": _number(cells.get("weight_percent", "")),
                    "description": cells.get("description", ""),
                }
            )
            lines.set(("defaults", "parts", len(parts)), row_number)
            parts.append(part)
        elif record == "source":
            lines.set(("sources", len(sources)), row_number)
            sources.append(
                _some(
                    {
                        "key": key,
                        "title": cells.get("title", ""),
                        "url": cells.get("url", ""),
                        "note": cells.get("notes", ""),
                    }
                )
            )
        elif record == "level":
            item = {
                "level": _number(cells.get("level", "")),
                "descriptor": cells.get("descriptor", ""),
            }
            levels.append((row_number, cells.get("parent", "").strip(), _some(item)))
        elif record == "outcome":
            outcome = _some({"id": key, **{name: cells.get(name, "") for name in _OUTCOME_TEXT}})
            _put_list(outcome, "sources", cells)
            row_of[id(outcome)] = row_number
            outcomes.append((row_number, outcome, cells.get("parent", "").strip()))
        elif record == "measure":
            measure = _measure_from_cells(key, cells)
            row_of[id(measure)] = row_number
            measures.append((row_number, measure, cells.get("parent", "").strip()))
        else:
            problems.append(
                _problem(
                    file,
                    row_number,
                    "record",
                    "unknown_record",
                    f"unknown record type '{record}'; use framework, defaults, part, source, "
                    "level, outcome or measure",
                )
            )

    if parts:
        defaults["parts"] = parts
    if defaults:
        document["defaults"] = defaults
    if sources:
        document["sources"] = sources

    outcome_by_id: dict[str, dict[str, Any]] = {}
    for _, outcome, _ in outcomes:
        if outcome.get("id") and outcome["id"] not in outcome_by_id:
            outcome_by_id[outcome["id"]] = outcome
    measure_by_id = {measure["id"]: measure for _, measure, _ in measures if measure.get("id")}

    top: list[dict[str, Any]] = []
    parent_of = {outcome["id"]: parent for _, outcome, parent in outcomes if outcome.get("id")}
    in_cycle = _cycle_members(parent_of)
    for row_number, outcome, parent in outcomes:
        if outcome.get("id") in in_cycle:
            problems.append(
                _problem(
                    file,
                    row_number,
                    "parent",
                    "cycle",
                    f"the outcome '{outcome['id']}' is its own ancestor through 'parent' (a cycle)",
                )
            )
        elif not parent:
            top.append(outcome)
        elif parent in outcome_by_id:
            outcome_by_id[parent].setdefault("outcomes", []).append(outcome)
        else:
            problems.append(
                _problem(
                    file, row_number, "parent", "unknown_parent", f"no outcome with id '{parent}'"
                )
            )
    for row_number, measure, parent in measures:
        if parent in outcome_by_id:
            outcome_by_id[parent].setdefault("measures", []).append(measure)
        elif not parent:
            problems.append(
                _problem(
                    file,
                    row_number,
                    "parent",
                    "missing_parent",
                    "a measure needs its outcome's id in 'parent'",
                )
            )
        else:
            problems.append(
                _problem(
                    file, row_number, "parent", "unknown_parent", f"no outcome with id '{parent}'"
                )
            )
    for row_number, parent, item in levels:
        if not parent:
            target = document.setdefault("level_descriptors", [])
        elif parent in measure_by_id:
            target = measure_by_id[parent].setdefault("level_descriptors", [])
        else:
            problems.append(
                _problem(
                    file, row_number, "parent", "unknown_parent", f"no measure with id '{parent}'"
                )
            )
            continue
        row_of[id(item)] = row_number
        target.append(item)
    if "level_descriptors" in document:
        for index, item in enumerate(document["level_descriptors"]):
            lines.set(("level_descriptors", index), row_of[id(item)])
    document["outcomes"] = top
    _record_lines(top, ("outcomes",), lines, row_of)
    return document, lines, problems


def _measure_from_cells(key: str, cells: dict[str, str]) -> dict[str, Any]:
    measure = _some({"id": key, **{name: cells.get(name, "") for name in _MEASURE_TEXT}})
    for name in ("scoring_modes", "evidence_required", "sources"):
        _put_list(measure, name, cells)
    counting: dict[str, Any] = {}
    for name in _COUNTING_BOOLS:
        if cells.get(name, "").strip():
            counting[name] = _boolean(cells[name])
    for name in _COUNTING_NUMBERS:
        if cells.get(name, "").strip():
            counting[name] = _number(cells[name])
    if cells.get("exclusive_group", "").strip():
        counting["exclusive_group"] = cells["exclusive_group"].strip()
    if counting:
        measure["counting"] = counting
    proxy_set = cells.get("proxy_set", "").strip()
    proxy_value = cells.get("proxy_value", "").strip()
    if proxy_set or proxy_value:
        measure["proxy"] = _some({"set": proxy_set, "value": proxy_value})
    return measure


def _record_lines(
    outcomes: list[dict[str, Any]], path: FieldPath, lines: LineIndex, row_of: dict[int, int]
) -> None:
    for index, outcome in enumerate(outcomes):
        outcome_path = (*path, index)
        lines.set(outcome_path, row_of[id(outcome)])
        for measure_index, measure in enumerate(outcome.get("measures", [])):
            measure_path = (*outcome_path, "measures", measure_index)
            lines.set(measure_path, row_of[id(measure)])
            for level_index, level in enumerate(measure.get("level_descriptors", [])):
                lines.set((*measure_path, "level_descriptors", level_index), row_of[id(level)])
        _record_lines(outcome.get("outcomes", []), (*outcome_path, "outcomes"), lines, row_of)


def _cycle_members(parent_of: dict[str, str]) -> set[str]:
    members: set[str] = set()
    for start in parent_of:
        seen: list[str] = []
        node = start
        while node in parent_of and node not in seen:
            seen.append(node)
            node = parent_of[node]
        if node in seen:
            members.update(seen[seen.index(node) :])
    return members


def _problem(file: str, row: int, column: str, code: str, message: str) -> FileProblem:
    return FileProblem(file=file, line=row, path=column, code=code, message=message)


def _some(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None and value != ""}


def _put_list(target: dict[str, Any], name: str, cells: dict[str, str]) -> None:
    items = split_lines(cells.get(name, ""))
    if items:
        target[name] = items


def _number(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text  # the schema reports "expected a number"
    return number if number.is_finite() else text


def _boolean(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in {"true", "yes", "1"}:
        return True
    if lowered in {"false", "no", "0"}:
        return False
    return text
