"""``socialvalue tender``: evaluate files from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from socialvalue.commands import app
from socialvalue.exceptions import EvaluationFileError, ReportFormatError

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "evaluation" / "examples"
NEGOMETRIX = EXAMPLES / "negometrix.yaml"
COMMUNITY_CENTRE = EXAMPLES / "community-centre.yaml"


def test_it_prints_the_result_as_json() -> None:
    result = runner.invoke(app, ["tender", "evaluate", str(NEGOMETRIX), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["winner"] == "A"
    bids = {entry["bidder"]: entry for entry in data["bids"]}
    assert bids["A"]["total"] == "146"
    assert bids["B"]["total"] == "144"
    assert bids["A"]["rank"] == 1
    assert bids["A"]["flags"] == {"abnormally_low": False}
    price = next(c for c in bids["A"]["components"] if c["criterion"] == "price")
    assert (price["raw"], price["share"], price["weight"], price["points"]) == (
        "10000",
        "0.8",
        "70",
        "56",
    )


def test_it_reports_exclusions_and_flags_in_json() -> None:
    result = runner.invoke(app, ["tender", "evaluate", str(COMMUNITY_CENTRE), "--json"])
    assert result.exit_code == 0, result.output
    bids = {entry["bidder"]: entry for entry in json.loads(result.output)["bids"]}
    gamma = bids["Gamma Co-operative"]
    assert gamma["excluded"] is True
    assert gamma["rank"] is None
    assert gamma["total"] is None
    assert [reason["code"] for reason in gamma["reasons"]] == ["below_threshold"]
    assert bids["Delta Services"]["flags"]["abnormally_low"] is True


def test_it_prints_a_table_and_the_sensitivity_findings() -> None:
    result = runner.invoke(
        app, ["tender", "evaluate", str(NEGOMETRIX), "--sensitivity"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "A wins with 146.00 points out of 200." in result.output
    assert "smallest weight change" in result.output


def test_it_adds_sensitivity_to_json() -> None:
    result = runner.invoke(app, ["tender", "evaluate", str(NEGOMETRIX), "--json", "--sensitivity"])
    data = json.loads(result.output)
    assert data["sensitivity"]["weight_changes"][0]["criterion"] == "price"
    assert set(data["sensitivity"]["monte_carlo"]["win_probability"]) == {"A", "B"}


def test_it_refuses_a_bad_file_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "criteria:\n"
        "  - {id: price, kind: price, weight: 50}\n"
        "  - {id: quality, kind: quality, weight: 40, scale: {min: 0, max: 5}}\n"
        "bids:\n"
        "  - {bidder: A, price: '0', scores: {quality: 9}}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["tender", "evaluate", str(bad)])
    assert result.exit_code != 0
    assert isinstance(result.exception, EvaluationFileError)
    paths = {problem.path for problem in result.exception.problems}  # type: ignore[attr-defined]
    assert paths == {"criteria", "bids[0].price", "bids[0].scores.quality"}


def test_it_refuses_an_unknown_report_format(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["tender", "evaluate", str(NEGOMETRIX), "--report", str(tmp_path / "out.doc")]
    )
    assert isinstance(result.exception, ReportFormatError)


def test_it_prints_problems_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("criteria: []\nbids: []\n", encoding="utf-8")
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from socialvalue.commands import main; main()",
            "tender",
            "evaluate",
            str(bad),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "criteria: add at least one criterion" in completed.stderr
