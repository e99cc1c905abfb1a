"""Charts render to SVG without a browser."""

from __future__ import annotations

from pathlib import Path

from socialvalue.evaluation.fileformat import load_yaml
from socialvalue.evaluation.scoring import evaluate
from socialvalue.evaluation.sensitivity import analyse
from socialvalue.reports.charts import to_svg, weight_tolerance_spec, win_probability_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "evaluation" / "examples"


def test_it_draws_each_bidders_chance_of_winning() -> None:
    sensitivity = analyse(evaluate(load_yaml(EXAMPLES / "negometrix.yaml")))
    spec = win_probability_spec(sensitivity)
    assert spec is not None
    datasets = spec.get("datasets") or {}
    values = next(iter(datasets.values())) if datasets else spec["data"]["values"]
    assert {row["bidder"] for row in values} == {"A", "B"}
    svg = to_svg(spec)
    assert svg.startswith("<svg")
    assert "Chance of winning" in svg


def test_it_draws_the_weight_changes() -> None:
    sensitivity = analyse(evaluate(load_yaml(EXAMPLES / "negometrix.yaml")))
    spec = weight_tolerance_spec(sensitivity)
    assert spec is not None
    assert to_svg(spec).startswith("<svg")
