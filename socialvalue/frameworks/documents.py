"""Read YAML, JSON, CSV and XLSX into plain data while remembering where every value came from.

The framework and proxy value loaders validate plain Python data (dicts, lists, strings, ints,
``Decimal``, booleans, ``None``) and report each problem with the file, the line and the field path.
This module produces that data and a :class:`LineIndex` mapping each field path to its line (or
spreadsheet row), and the :class:`FileProblem` they report.

YAML is parsed with PyYAML's composer, which keeps a mark on every node; JSON is read the same way
(JSON is YAML's flow style). Numbers with a fraction become ``Decimal`` from their written text,
never ``float``; dates stay the strings they were written as; duplicate keys and recursive
aliases are reported rather than silently resolved.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

PathPart = str | int
FieldPath = tuple[PathPart, ...]

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class FileProblem:
    """One problem found in a file.

    Attributes
    ----------
    file
        The file name as given to the loader.
    line
        1-based line (YAML/JSON) or row (CSV/XLSX) where the problem is, when known.
    path
        Field path inside the document, e.g. ``outcomes[0].measures[2].unit`` ("" for the whole
        file).
    code
        Stable machine-readable code, e.g. ``duplicate_id``; assert on this, not the wording.
    message
        What is wrong and how to fix it.
    """

    file: str
    line: int | None
    path: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message} [{self.code}]"


def format_path(path: Sequence[PathPart]) -> str:
    """Write a field path as ``outcomes[0].measures[2].unit``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class LineIndex:
    """Lines (or spreadsheet rows) of the values in a document, by field path."""

    def __init__(self, lines: Mapping[FieldPath, int] | None = None) -> None:
        self._lines: dict[FieldPath, int] = dict(lines or {})

    def set(self, path: FieldPath, line: int) -> None:
        """Record the line of the value at ``path``."""
        self._lines[path] = line

    def line_of(self, path: Sequence[PathPart]) -> int | None:
        """The line of the value at ``path``, or of its nearest ancestor that has one."""
        key = tuple(path)
        while True:
            if key in self._lines:
                return self._lines[key]
            if not key:
                return None
            key = key[:-1]


class ProblemCollector:
    """Collects problems for one file, filling in the file name and lines."""

    def __init__(self, file: str, lines: LineIndex) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[FileProblem] = []

    def add(self, path: Sequence[PathPart], code: str, message: str) -> None:
        """Record a problem at a field path."""
        self.problems.append(
            FileProblem(
                file=self.file,
                line=self.lines.line_of(path),
                path=format_path(path),
                code=code,
                message=message,
            )
        )


def merge_problems(
    parse_problems: list[FileProblem], check_problems: list[FileProblem]
) -> list[FileProblem]:
    """Combine problems from reading and from checking, sorted by line.

    A value that could not be read (a cycle, a duplicate key) is not reported again by the checks.
    """
    unreadable = {problem.path for problem in parse_problems}

    def repeated(problem: FileProblem) -> bool:
        return any(
            problem.path == path or problem.path.startswith((f"{path}.", f"{path}["))
            for path in unreadable
        )

    combined = parse_problems + [p for p in check_problems if not repeated(p)]
    return sorted(combined, key=lambda problem: (problem.line or 0, problem.path, problem.code))


def parse_yaml(text: str, file: str) -> tuple[Any, LineIndex, list[FileProblem]]:
    """Parse YAML or JSON text into plain data, a line index and any problems.

    Parameters
    ----------
    text
        The file's content.
    file
        The file name to report problems against.

    Returns
    -------
    tuple
        ``(data, lines, problems)``; ``data`` is ``None`` when the text could not be parsed.
    """
    lines = LineIndex()
    try:
        node = yaml.compose(text, Loader=_MarkedAliasLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"not valid YAML/JSON: {error.problem or error}"
        return None, lines, [FileProblem(file, line, "", "syntax", message)]
    except yaml.YAMLError as error:
        return None, lines, [FileProblem(file, None, "", "syntax", f"not valid YAML/JSON: {error}")]
    if node is None:
        return None, lines, [FileProblem(file, 1, "", "empty", "the file is empty")]
    collector = ProblemCollector(file, lines)
    data = _node_to_data(node, (), lines, collector, active=set())
    return data, lines, collector.problems


class _AliasNode(yaml.Node):
    """Stands for an alias where it is used, so problems point at the alias, not the anchor."""

    def __init__(self, target: yaml.Node, start_mark: Any, end_mark: Any) -> None:
        super().__init__(target.tag, target, start_mark, end_mark)
        self.target = target


class _MarkedAliasLoader(yaml.SafeLoader):
    """A safe loader whose composer keeps the position of every alias."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = super().compose_node(parent, index)
            if target is None:  # pragma: no cover - an alias always resolves or raises
                return None
            return _AliasNode(target, event.start_mark, event.end_mark)
        return super().compose_node(parent, index)


def _node_to_data(
    node: yaml.Node,
    path: FieldPath,
    lines: LineIndex,
    collector: ProblemCollector,
    active: set[int],
) -> Any:
    lines.set(path, node.start_mark.line + 1)
    if isinstance(node, _AliasNode):
        node = node.target
        if id(node) in active:
            collector.add(path, "cycle", "an alias refers to one of its own ancestors (a cycle)")
            return None
        data = _node_to_data(node, path, lines, collector, active)
        lines.set(path, node.start_mark.line + 1)
        return data
    if id(node) in active:
        collector.add(path, "cycle", "an alias refers to one of its own ancestors (a cycle)")
        return None
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    active = active | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        return [
            _node_to_data(item, (*path, index), lines, collector, active)
            for index, item in enumerate(node.value)
        ]
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                lines.set(path, key_node.start_mark.line + 1)
                collector.add(path, "invalid_key", "mapping keys must be plain text")
                continue
            key = str(key_node.value)
            if key == "<<":
                collector.add(path, "merge_key", "YAML merge keys (<<) are not supported")
                continue
            if key in mapping:
                lines.set((*path, key), key_node.start_mark.line + 1)
                collector.add(
                    (*path, key), "duplicate_key", f"the key '{key}' appears twice; keep one"
                )
                continue
            mapping[key] = _node_to_data(value_node, (*path, key), lines, collector, active)
            lines.set((*path, key), key_node.start_mark.line + 1)
        return mapping
    return None  # pragma: no cover - PyYAML has only the three node kinds


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style is not None and node.style in "'\"":
        return value
    if node.tag == _NULL_TAG:
        return None
    if node.tag == _BOOL_TAG:
        return value.lower() in {"true", "yes", "on", "y"}
    if node.tag == _INT_TAG:
        try:
            return int(value.replace("_", ""))
        except ValueError:
            return value
    if node.tag == _FLOAT_TAG:
        try:
            number = Decimal(value.replace("_", ""))
        except InvalidOperation:
            return value
        return number if number.is_finite() else value
    return value


def read_csv_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """Read CSV text into ``(row number, {header: cell})`` pairs; row 1 is the header.

    Blank rows are skipped. Header names are stripped; cells are kept exactly as written.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    for record in reader:
        row_number = reader.line_num
        if header is None:
            header = [cell.strip() for cell in record]
            continue
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: (record[i] if i < len(record) else "") for i, name in enumerate(header)}
        rows.append((row_number, cells))
    return rows


def read_xlsx_sheets(path: Path | io.BytesIO) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """Read every sheet of a workbook into ``(row number, {header: cell})`` pairs.

    Every cell is read as text; numbers written by a spreadsheet are turned into their shortest
    decimal text (so 12.6 stays "12.6", never "12.599999…").
    """
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    sheets: dict[str, list[tuple[int, dict[str, str]]]] = {}
    try:
        for sheet in workbook.worksheets:
            rows: list[tuple[int, dict[str, str]]] = []
            header: list[str] | None = None
            for row_number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_cell_text(value) for value in values]
                if header is None:
                    header = [cell.strip() for cell in cells]
                    continue
                if not any(cell.strip() for cell in cells):
                    continue
                rows.append(
                    (
                        row_number,
                        {
                            name: (cells[i] if i < len(cells) else "")
                            for i, name in enumerate(header)
                            if name
                        },
                    )
                )
            sheets[sheet.title] = rows
    finally:
        workbook.close()
    return sheets


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    return str(value)


def split_lines(cell: str) -> list[str]:
    """Split a spreadsheet cell holding one list item per line."""
    return [line.strip() for line in cell.splitlines() if line.strip()]


def join_lines(items: Iterable[str]) -> str:
    """Write list items one per line, for a spreadsheet cell."""
    return "\n".join(items)
