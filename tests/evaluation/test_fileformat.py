"""The YAML file format: every problem reported at once, with its path; round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialvalue.evaluation.fileformat import dump_yaml, load_yaml, parse_document
from socialvalue.evaluation.scoring import evaluate
from socialvalue.exceptions import EvaluationFileError

BAD_FILE = """
currency: GBP
criteria:
  - {id: price, kind: price, weight: 40, method: cheapest_wins}
  - {id: quality, kind: quality, weight: 40, scale: {min: 0, max: 5}, threshold: 7}
  - {id: social_value, kind: social_value, weight: 30, scale: {min: 0, max: 5}}
bids:
  - {bidder: Alpha Ltd, price: "0", scores: {quality: 6, social_value: 3}}
  - {bidder: Beta Ltd, price: "-5", scores: {quality: 4}}
  - {bidder: Gamma Ltd, price: "lots", scores: {quality: 4, social_value: 3}}
"""


def _problems(tmp_path: Path, text: str) -> set[tuple[str, str]]:
    path = tmp_path / "tender.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EvaluationFileError) as raised:
        load_yaml(path)
    return {(p.path, p.code) for p in raised.value.problems}  # type: ignore[attr-defined]


def test_it_reports_every_problem_at_once_with_its_path(tmp_path: Path) -> None:
    assert _problems(tmp_path, BAD_FILE) == {
        ("criteria[0].method", "unknown_value"),
        ("criteria[1].threshold", "threshold_outside_scale"),
        ("criteria", "weights_sum"),
        ("bids[0].price", "price_not_positive"),
        ("bids[0].scores.quality", "score_outside_scale"),
        ("bids[1].price", "price_not_positive"),
        ("bids[1].scores.social_value", "missing_score"),
        ("bids[2].price", "not_a_number"),
    }


def test_it_lists_the_problems_in_its_message(tmp_path: Path) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text(BAD_FILE, encoding="utf-8")
    with pytest.raises(EvaluationFileError) as raised:
        load_yaml(path)
    message = str(raised.value)
    assert message.startswith("8 problems in ")
    assert "bids[1].scores.social_value" in message


def test_it_reports_unknown_keys(tmp_path: Path) -> None:
    text = """
criteria:
  - {id: quality, kind: quality, weight: 100, scale: {min: 0, max: 5}, wieght: 3}
bids:
  - {bidder: A, scores: {quality: 3}}
"""
    assert _problems(tmp_path, text) == {("criteria[0].wieght", "unknown_key")}


def test_it_reports_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "criteria: [\n  - {id: x\n")
    assert {code for _, code in problems} == {"not_yaml"}


def test_it_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EvaluationFileError):
        load_yaml(tmp_path / "nowhere.yaml")


def test_it_reads_the_issue_example() -> None:
    document = {
        "currency": "GBP",
        "criteria": [
            {"id": "price", "kind": "price", "weight": 40, "method": "relative_to_lowest"},
            {
                "id": "quality",
                "kind": "quality",
                "weight": 40,
                "scale": {"min": 0, "max": 5},
                "threshold": 2,
            },
            {
                "id": "social_value",
                "kind": "social_value",
                "weight": 20,
                "scale": {"min": 0, "max": 5},
            },
        ],
        "bids": [
            {"bidder": "Alpha Ltd", "price": "100000", "scores": {"quality": 4, "social_value": 3}}
        ],
    }
    evaluation = evaluate(parse_document(document))
    # 40 + 40 x 4/5 + 20 x 3/5 = 40 + 32 + 12 = 84.
    assert evaluation.bid("Alpha Ltd").total == 84


@pytest.mark.parametrize("name", ["negometrix.yaml", "community-centre.yaml"])
def test_it_round_trips_through_yaml(name: str, negometrix_file: Path, tmp_path: Path) -> None:
    original = load_yaml(negometrix_file.parent / name)
    copy = tmp_path / name
    copy.write_text(dump_yaml(original), encoding="utf-8")
    reread = load_yaml(copy)
    assert reread == original
    assert evaluate(reread) == evaluate(original)
