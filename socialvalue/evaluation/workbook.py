"""The XLSX evaluation template: the same tender as the YAML file, in a spreadsheet.

Sheets (the first row of each holds the column names):

``Tender``
    ``setting`` / ``value`` rows: title, reference, currency, total_points, tie_break (rules
    separated by commas), abnormally_low.below_mean_of_others, abnormally_low.below_next_lowest,
    policy.social_value_minimum, policy.preset, sensitivity.samples,
    sensitivity.concentration, sensitivity.seed.
``Criteria``
    One row per criterion: id, parent (blank at the top level), name, kind, weight, method,
    scale_min, scale_max, levels (``1=Poor; 2=Weak; …``), threshold, benchmark_price,
    zero_score_price, mode, part.
``Measures``
    criterion, measure, proxy_value, unit, source (for ``proxy_value`` social value).
``Bids``
    bidder, price, then one column per criterion scored by evaluators, headed by its id; a
    pass/fail cell holds ``pass`` or ``fail``.
``Reasons``
    bidder, criterion, reason: the moderation notes behind the scores.
``Commitments``
    bidder, criterion, measure (blank for an amount of money), value.

:func:`read_workbook` turns the sheets into the YAML document and runs the same checks, so a
template gives exactly the evaluation its YAML twin gives. Problems name the sheet and row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from socialvalue.evaluation.fileformat import parse_document, tender_document
from socialvalue.evaluation.model import (
    Bid,
    Criterion,
    CriterionKind,
    PriceMethod,
    Scale,
    Score,
    Tender,
)
from socialvalue.evaluation.validation import Problem, needs_score
from socialvalue.exceptions import EvaluationFileError

CRITERIA_COLUMNS = (
    "id", "parent", "name", "kind", "weight", "method", "scale_min", "scale_max", "levels",
    "threshold", "benchmark_price", "zero_score_price", "mode", "part",
)  # fmt: skip
SETTINGS = (
    "title", "reference", "currency", "total_points", "tie_break",
    "abnormally_low.below_mean_of_others", "abnormally_low.below_next_lowest",
    "policy.social_value_minimum", "policy.preset",
    "sensitivity.samples", "sensitivity.concentration", "sensitivity.seed",
)  # fmt: skip


def _cell(value: Any) -> Any:
    """A value as written to a cell: numbers stay numbers, Decimals become exact text."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _flatten(criteria: list[dict[str, Any]], parent: str = "") -> Iterator[dict[str, Any]]:
    for criterion in criteria:
        row = dict(criterion)
        row["parent"] = parent
        yield row
        yield from _flatten(criterion.get("children", []), criterion["id"])


def write_workbook(tender: Tender, path: Path) -> None:
    """Write ``tender`` as the XLSX template (which :func:`read_workbook` reads back)."""
    import xlsxwriter

    document = tender_document(tender)
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1})
    text = book.add_format({"num_format": "@"})

    def sheet(name: str, header: tuple[str, ...] | list[str], widths: int = 16) -> Any:
        worksheet = book.add_worksheet(name)
        worksheet.write_row(0, 0, header, bold)
        worksheet.set_column(0, len(header) - 1, widths)
        worksheet.freeze_panes(1, 0)
        return worksheet

    settings = sheet("Tender", ("setting", "value"), 36)
    values: dict[str, Any] = {
        "title": document.get("title", ""),
        "reference": document.get("reference", ""),
        "currency": document["currency"],
        "total_points": document["total_points"],
        "tie_break": ", ".join(document["tie_break"]),
    }
    for section in ("abnormally_low", "policy", "sensitivity"):
        for key, value in document[section].items():
            values[f"{section}.{key}"] = value
    for row, key in enumerate(SETTINGS, start=1):
        settings.write_string(row, 0, key)
        value = values.get(key, "")
        if isinstance(value, str):
            settings.write_string(row, 1, value, text)
        else:
            settings.write(row, 1, value)

    criteria_sheet = sheet("Criteria", CRITERIA_COLUMNS)
    measures_sheet = sheet("Measures", ("criterion", "measure", "proxy_value", "unit", "source"))
    measure_row = 1
    for row, criterion in enumerate(_flatten(document["criteria"]), start=1):
        scale = criterion.get("scale", {})
        cells = {
            **criterion,
            "scale_min": scale.get("min"),
            "scale_max": scale.get("max"),
            "levels": "; ".join(
                f"{level['value']}={level['descriptor']}" for level in scale.get("levels", [])
            ),
        }
        for column, key in enumerate(CRITERIA_COLUMNS):
            value = cells.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                criteria_sheet.write_string(row, column, value, text)
            else:
                criteria_sheet.write(row, column, value)
        for measure in criterion.get("measures", []):
            measures_sheet.write_row(
                measure_row,
                0,
                [criterion["id"], measure["id"], measure["proxy_value"], measure["unit"],
                 measure["source"]],
            )  # fmt: skip
            measure_row += 1

    scored = [criterion.id for criterion in tender.leaves() if needs_score(criterion)]
    bids_sheet = sheet("Bids", ["bidder", "price", *scored])
    reasons_sheet = sheet("Reasons", ("bidder", "criterion", "reason"), 30)
    commitments_sheet = sheet("Commitments", ("bidder", "criterion", "measure", "value"))
    reason_row = commitment_row = 1
    for row, bid in enumerate(tender.bids, start=1):
        bids_sheet.write_string(row, 0, bid.bidder)
        if bid.price is not None:
            bids_sheet.write_number(row, 1, float(bid.price))
        for column, criterion_id in enumerate(scored, start=2):
            score = bid.scores.get(criterion_id)
            if score is None:
                continue
            if isinstance(score.value, bool):
                bids_sheet.write_string(row, column, "pass" if score.value else "fail")
            else:
                bids_sheet.write_number(row, column, float(score.value))
            if score.reason:
                reasons_sheet.write_row(reason_row, 0, [bid.bidder, criterion_id, score.reason])
                reason_row += 1
        for criterion_id, commitment in bid.commitments.items():
            if isinstance(commitment, Decimal):
                commitments_sheet.write_row(
                    commitment_row, 0, [bid.bidder, criterion_id, "", float(commitment)]
                )
                commitment_row += 1
            else:
                for measure_id, quantity in commitment.items():
                    commitments_sheet.write_row(
                        commitment_row, 0, [bid.bidder, criterion_id, measure_id, float(quantity)]
                    )
                    commitment_row += 1
    book.close()


def _rows(book: Any, name: str, problems: list[Problem]) -> list[dict[str, Any]]:
    if name not in book.sheetnames:
        problems.append(Problem(f"{name} sheet", "the sheet is missing", "missing"))
        return []
    rows = list(book[name].iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    result = []
    for number, values in enumerate(rows[1:], start=2):
        if all(value is None or value == "" for value in values):
            continue
        row = {
            key: (value.strip() if isinstance(value, str) else value)
            for key, value in zip(header, values, strict=False)
            if key and value is not None and value != ""
        }
        row["_row"] = number
        result.append(row)
    return result


def _levels(text: Any) -> list[dict[str, Any]]:
    levels = []
    for part in str(text).split(";"):
        if not part.strip():
            continue
        value, _, descriptor = part.partition("=")
        levels.append({"value": value.strip(), "descriptor": descriptor.strip()})
    return levels


def _number_text(value: Any) -> Any:
    """Cell numbers as exact text (floats by their shortest repr) so Decimal reads them exactly."""
    if isinstance(value, float):
        return repr(value)
    return value


def read_workbook(path: Path) -> Tender:
    """Read the XLSX template into a checked :class:`Tender`.

    Raises
    ------
    EvaluationFileError
        Listing every problem, each with the sheet and row it is on.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as error:
        raise EvaluationFileError(
            (Problem("", f"cannot read the workbook: {error}", "unreadable"),), str(path)
        ) from error
    problems: list[Problem] = []
    settings = {
        str(row.get("setting")): row.get("value") for row in _rows(book, "Tender", problems)
    }
    criteria_rows = _rows(book, "Criteria", problems)
    measure_rows = _rows(book, "Measures", problems) if "Measures" in book.sheetnames else []
    bid_rows = _rows(book, "Bids", problems)
    reason_rows = _rows(book, "Reasons", problems) if "Reasons" in book.sheetnames else []
    commitment_rows = (
        _rows(book, "Commitments", problems) if "Commitments" in book.sheetnames else []
    )
    book.close()
    if problems:
        raise EvaluationFileError(tuple(problems), str(path))

    locations: dict[str, str] = {}
    nodes: dict[str, dict[str, Any]] = {}
    top: list[dict[str, Any]] = []
    children: dict[str, list[dict[str, Any]]] = {}
    for row in criteria_rows:
        node: dict[str, Any] = {
            key: _number_text(row[key])
            for key in ("id", "name", "kind", "weight", "method", "threshold", "benchmark_price",
                        "zero_score_price", "mode", "part")
            if key in row
        }  # fmt: skip
        if "scale_min" in row or "scale_max" in row or "levels" in row:
            scale: dict[str, Any] = {}
            if "scale_min" in row:
                scale["min"] = _number_text(row["scale_min"])
            if "scale_max" in row:
                scale["max"] = _number_text(row["scale_max"])
            if "levels" in row:
                scale["levels"] = _levels(row["levels"])
            node["scale"] = scale
        node["_row"] = row["_row"]
        nodes[str(row.get("id", ""))] = node
        parent = str(row.get("parent", "") or "")
        if parent:
            children.setdefault(parent, []).append(node)
        else:
            top.append(node)
    for measure in measure_rows:
        owner = nodes.get(str(measure.get("criterion", "")))
        if owner is None:
            problems.append(
                Problem(
                    f"Measures sheet, row {measure['_row']}",
                    f"no criterion {measure.get('criterion')!r}",
                )
            )
            continue
        owner.setdefault("measures", []).append(
            {
                "id": measure.get("measure"),
                "proxy_value": _number_text(measure.get("proxy_value")),
                "unit": measure.get("unit"),
                "source": measure.get("source"),
            }
        )
    for parent, kids in children.items():
        if parent not in nodes:
            for kid in kids:
                problems.append(
                    Problem(f"Criteria sheet, row {kid['_row']}", f"no parent {parent!r}")
                )
            continue
        nodes[parent]["children"] = kids

    def place(items: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
        placed = []
        for index, item in enumerate(items):
            path = f"{prefix}[{index}]"
            locations[path] = f"Criteria sheet, row {item.pop('_row')}"
            if "children" in item:
                item["children"] = place(item["children"], f"{path}.children")
            placed.append(item)
        return placed

    criteria = place(top, "criteria")
    reasons: dict[tuple[str, str], str] = {
        (str(row.get("bidder")), str(row.get("criterion"))): str(row.get("reason", ""))
        for row in reason_rows
    }
    bids = []
    for index, row in enumerate(bid_rows):
        locations[f"bids[{index}]"] = f"Bids sheet, row {row['_row']}"
        bidder = str(row.get("bidder", ""))
        scores: dict[str, Any] = {}
        for key, value in row.items():
            if key in ("bidder", "price", "_row"):
                continue
            reason = reasons.get((bidder, key), "")
            scores[key] = (
                {"score": _number_text(value), "reason": reason}
                if reason
                else (_number_text(value))
            )
        entry: dict[str, Any] = {"bidder": row.get("bidder"), "scores": scores}
        if "price" in row:
            entry["price"] = _number_text(row["price"])
        commitments: dict[str, Any] = {}
        for commitment in commitment_rows:
            if str(commitment.get("bidder")) != bidder:
                continue
            criterion_id = str(commitment.get("criterion"))
            value = _number_text(commitment.get("value"))
            if commitment.get("measure"):
                commitments.setdefault(criterion_id, {})[str(commitment["measure"])] = value
            else:
                commitments[criterion_id] = value
        if commitments:
            entry["commitments"] = commitments
        bids.append(entry)

    document: dict[str, Any] = {"criteria": criteria, "bids": bids}
    for key in ("title", "reference", "currency", "total_points"):
        if settings.get(key) not in (None, ""):
            document[key] = _number_text(settings[key])
    if settings.get("tie_break"):
        document["tie_break"] = [
            rule.strip() for rule in str(settings["tie_break"]).split(",") if rule.strip()
        ]
    for section in ("abnormally_low", "policy", "sensitivity"):
        values = {
            key.split(".", 1)[1]: _number_text(value)
            for key, value in settings.items()
            if key.startswith(section + ".") and value not in (None, "")
        }
        if values:
            document[section] = values
    if problems:
        raise EvaluationFileError(tuple(problems), str(path))
    try:
        return parse_document(document, str(path))
    except EvaluationFileError as error:
        located = tuple(_locate(problem, locations) for problem in error.problems)
        raise EvaluationFileError(located, str(path)) from error


_INDEXED = re.compile(r"^((?:criteria|bids)\[\d+\](?:\.children\[\d+\])*)(.*)$")


def _locate(problem: object, locations: dict[str, str]) -> object:
    if not isinstance(problem, Problem):
        return problem
    match = _INDEXED.match(problem.path)
    if match is None:
        return problem
    base, rest = match.groups()
    if base not in locations:
        return problem
    field = rest.lstrip(".")
    where = f"{locations[base]}" + (f", {field}" if field else "")
    return Problem(where, problem.message, problem.code)


def example_tender() -> Tender:
    """A small filled-in example for ``socialvalue tender template``: three bids, three criteria."""
    scale = Scale(Decimal(0), Decimal(5))
    criteria = (
        Criterion(
            "price", CriterionKind.PRICE, Decimal(40), "Price",
            method=PriceMethod.RELATIVE_TO_LOWEST,
        ),
        Criterion(
            "quality", CriterionKind.QUALITY, Decimal(40), "Quality", scale=scale,
            threshold=Decimal(2),
        ),
        Criterion("social_value", CriterionKind.SOCIAL_VALUE, Decimal(20), "Social value",
                  scale=scale),
    )  # fmt: skip
    bids = (
        Bid("Alpha Ltd", Decimal(100_000), {"quality": Score(Decimal(4), "Strong method."),
                                            "social_value": Score(Decimal(3))}),
        Bid("Beta Ltd", Decimal(90_000), {"quality": Score(Decimal(3)),
                                          "social_value": Score(Decimal(4))}),
        Bid("Gamma Ltd", Decimal(120_000), {"quality": Score(Decimal(5)),
                                            "social_value": Score(Decimal(5))}),
    )  # fmt: skip
    return Tender(criteria, bids, title="Example tender")
