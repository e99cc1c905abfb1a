"""``socialvalue lm3 calculate``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from socialvalue.commands import app
from socialvalue.exceptions import LM3InputError

runner = CliRunner()


def test_it_computes_lm3_from_the_three_rounds() -> None:
    result = runner.invoke(app, ["lm3", "calculate", "--r1", "100", "--r2", "50", "--r3", "25"])
    assert result.exit_code == 0, result.output
    assert "= 1.75" in result.output


def test_it_computes_lm3_from_a_survey_with_the_averaged_rule(tmp_path: Path) -> None:
    survey = tmp_path / "survey.csv"
    rows = "".join(f"staff,40000,{share}%\n" for share in ("42.1", "50.5", "63.1", "37.8", "33.6"))
    survey.write_text("kind,paid,local_share\n" + rows)
    result = runner.invoke(app, ["lm3", "calculate", "--r1", "1000000", "--survey", str(survey),
                                 "--rule", "averaged", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # mean 45.42% × £200,000 = £90,840; (1,000,000 + 200,000 + 90,840) / 1,000,000 = 1.29084
    assert (data["r2"], data["lm3_exact"], data["mean_shares"]) == (
        "200000", "1.29084", {"staff": "0.4542"})


def test_it_refuses_r2_above_r1() -> None:
    result = runner.invoke(app, ["lm3", "calculate", "--r1", "100", "--r2", "150", "--r3", "0"])
    assert isinstance(result.exception, LM3InputError)
