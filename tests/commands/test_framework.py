"""``socialvalue framework``: the framework commands, through the root CLI app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from typer.testing import CliRunner

from socialvalue.commands import app
from socialvalue.exceptions import FrameworkFileError, FrameworkNotFoundError
from socialvalue.frameworks.export import framework_to_yaml
from socialvalue.frameworks.loader import load_builtin_framework, load_framework

runner = CliRunner()

BAD_FRAMEWORK = textwrap.dedent(
    """\
    format: socialvalue-framework/1
    id: town
    name: Town
    version: '1'
    publisher: Town Council
    licence: MIT
    outcomes:
    - id: O1
      title: Jobs
      measures:
      - id: M1
        title: Local jobs
        unit: metres
        scoring_modes: [quantity]
      - id: M1
        title: Wage share
        unit: percent
        scoring_modes: [proxy]
    """
)


def test_it_lists_the_builtin_frameworks():
    result = runner.invoke(app, ["framework", "list"])

    assert result.exit_code == 0, result.output
    for framework_id in ("lancashire-2016", "preston-2023", "ppn-06-20", "ppn-002"):
        assert framework_id in result.output


def test_it_shows_a_framework_tree_with_defaults():
    result = runner.invoke(app, ["framework", "show", "preston-2023"])

    assert result.exit_code == 0, result.output
    assert "threshold £74,999" in result.output
    assert "Part A 10%" in result.output
    assert "measure 4.1: Increase spend in the local economy [level_1_5; levels]" in result.output


def test_it_shows_canonical_json():
    result = runner.invoke(app, ["framework", "show", "lancashire-2016", "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [outcome["id"] for outcome in document["outcomes"]] == [
        "L1",
        "L2",
        "L3",
        "L4",
        "L5",
        "L6",
    ]


def test_it_validates_a_good_file(tmp_path):
    path = tmp_path / "preston.yaml"
    path.write_text(framework_to_yaml(load_builtin_framework("preston-2023")), encoding="utf-8")

    result = runner.invoke(app, ["framework", "validate", str(path)])

    assert result.exit_code == 0, result.output
    assert "valid framework preston-2023" in result.output
    assert "(5 outcomes, 13 measures)" in result.output


def test_it_reports_every_problem_in_a_bad_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FRAMEWORK, encoding="utf-8")

    result = runner.invoke(app, ["framework", "validate", str(path)])

    assert result.exit_code == 1
    assert isinstance(result.exception, FrameworkFileError)
    assert [(p.line, p.code) for p in result.exception.problems] == [
        (13, "unknown_unit"),
        (15, "duplicate_id"),
        (18, "missing_proxy"),
        (18, "mode_unit_mismatch"),
    ]


def test_it_prints_problems_without_a_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_FRAMEWORK, encoding="utf-8")

    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from socialvalue.commands import main; main()",
            "framework",
            "validate",
            str(path),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", "test")},
        check=False,
    )

    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert f"{path}:13: outcomes[0].measures[0].unit:" in completed.stderr
    assert f"{path}:15: outcomes[0].measures[1].id:" in completed.stderr


def test_it_diffs_a_builtin_against_a_tweaked_file(tmp_path):
    text = framework_to_yaml(load_builtin_framework("lancashire-2016"))
    tweaked = text.replace("version: '2016'", "version: '2026'").replace(
        "title: Share of materials from sustainable sources",
        "title: Share of recycled or certified materials",
    )
    path = tmp_path / "ours.yaml"
    path.write_text(tweaked, encoding="utf-8")

    result = runner.invoke(app, ["framework", "diff", "lancashire-2016", str(path)])

    assert result.exit_code == 0, result.output
    assert "~ framework version: '2016' -> '2026'" in result.output
    assert "~ measure L6.2 'Share of recycled or certified materials'" in result.output


def test_it_diffs_as_json():
    result = runner.invoke(app, ["framework", "diff", "preston-2023", "preston-2023", "--json"])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["nodes"] == []


def test_it_exports_csv_to_stdout_and_xlsx_to_a_file(tmp_path):
    csv_result = runner.invoke(app, ["framework", "export", "preston-2023", "--format", "csv"])
    out = tmp_path / "preston.xlsx"
    xlsx_result = runner.invoke(
        app, ["framework", "export", "preston-2023", "--format", "xlsx", "--out", str(out)]
    )

    assert csv_result.exit_code == 0, csv_result.output
    assert csv_result.output.startswith("record,id,parent,")
    assert xlsx_result.exit_code == 0, xlsx_result.output
    assert load_framework(out) == load_builtin_framework("preston-2023")


def test_it_refuses_xlsx_to_stdout_and_unknown_formats():
    assert runner.invoke(app, ["framework", "export", "preston-2023", "-f", "xlsx"]).exit_code == 2
    assert runner.invoke(app, ["framework", "export", "preston-2023", "-f", "pdf"]).exit_code == 2


def test_it_names_the_builtins_for_an_unknown_framework():
    result = runner.invoke(app, ["framework", "show", "nowhere-2020"])

    assert result.exit_code == 1
    assert isinstance(result.exception, FrameworkNotFoundError)
    assert "preston-2023" in str(result.exception)


def test_it_shows_the_crosswalk():
    result = runner.invoke(
        app, ["framework", "crosswalk", "preston-2023", "--to", "lancashire-2016"]
    )

    assert result.exit_code == 0, result.output
    assert "lancashire-2016:L1" in result.output


def test_it_lists_shows_and_uplifts_proxy_values(tmp_path):
    deflators = tmp_path / "gdp.csv"
    deflators.write_text("year,index\n2019,100\n2023,117.5\n", encoding="utf-8")

    listed = runner.invoke(app, ["framework", "proxies", "list"])
    shown = runner.invoke(app, ["framework", "proxies", "show", "real-living-wage"])
    uplifted = runner.invoke(
        app,
        [
            "framework",
            "proxies",
            "uplift",
            "green-book-wellby",
            "wellby",
            "--to-year",
            "2023",
            "--deflators",
            str(deflators),
        ],
    )

    assert listed.exit_code == 0, listed.output
    assert "OGL-UK-3.0" in listed.output
    assert shown.exit_code == 0, shown.output
    assert "14.80" in shown.output
    assert uplifted.exit_code == 0, uplifted.output
    assert "= £15275.00 (2023 prices" in uplifted.output
