"""The XLSX template gives the same tender, and the same result, as its YAML twin."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from socialvalue.evaluation.explain import evaluation_as_dict
from socialvalue.evaluation.fileformat import load, load_yaml
from socialvalue.evaluation.scoring import evaluate
from socialvalue.evaluation.workbook import example_tender, read_workbook, write_workbook
from socialvalue.exceptions import EvaluationFileError


@pytest.mark.parametrize("name", ["negometrix.yaml", "community-centre.yaml"])
def test_it_round_trips_to_the_same_result_as_yaml(
    name: str, negometrix_file: Path, tmp_path: Path
) -> None:
    from_yaml = load_yaml(negometrix_file.parent / name)
    workbook = tmp_path / "tender.xlsx"
    write_workbook(from_yaml, workbook)
    from_xlsx = load(workbook)
    assert from_xlsx == from_yaml
    assert evaluation_as_dict(evaluate(from_xlsx)) == evaluation_as_dict(evaluate(from_yaml))


def test_it_writes_a_template_that_evaluates(tmp_path: Path) -> None:
    workbook = tmp_path / "template.xlsx"
    write_workbook(example_tender(), workbook)
    evaluation = evaluate(read_workbook(workbook))
    # Alpha: 40 x 90/100 + 40 x 4/5 + 20 x 3/5 = 36 + 32 + 12 = 80.
    assert evaluation.bid("Alpha Ltd").total == 80


def test_it_names_the_sheet_and_row_of_each_problem(tmp_path: Path, negometrix_file: Path) -> None:
    workbook = tmp_path / "tender.xlsx"
    write_workbook(load_yaml(negometrix_file), workbook)
    book = openpyxl.load_workbook(workbook)
    book["Bids"]["B2"] = 0  # A's price
    book["Bids"]["C3"] = 99  # B's experience score, on a 0-60 scale
    book["Criteria"]["E2"] = 61  # experience weight: the weights no longer add up
    book.save(workbook)
    with pytest.raises(EvaluationFileError) as raised:
        read_workbook(workbook)
    paths = {problem.path for problem in raised.value.problems}  # type: ignore[attr-defined]
    assert paths == {
        "criteria",
        "Bids sheet, row 2, price",
        "Bids sheet, row 3, scores.experience",
    }
