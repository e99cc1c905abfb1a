"""Loading framework files: every problem reported at once, with file, line and field path."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from socialvalue.exceptions import FrameworkFileError, FrameworkNotFoundError
from socialvalue.frameworks.loader import (
    load_builtin_framework,
    load_framework,
    load_framework_csv,
    load_framework_text,
    resolve_framework,
)
from socialvalue.frameworks.model import ScoringMode, Unit
from socialvalue.frameworks.proxies import load_builtin_proxy_sets


def _problems(text: str, **kwargs) -> list[tuple[int | None, str, str]]:
    with pytest.raises(FrameworkFileError) as caught:
        load_framework_text(textwrap.dedent(text), file="bad.yaml", **kwargs)
    return [(p.line, p.path, p.code) for p in caught.value.problems]


def test_it_loads_a_valid_file(minimal_framework_text):
    framework = load_framework_text(minimal_framework_text)

    assert framework.id == "town-2025"
    assert [m.id for _, m in framework.iter_measures()] == ["M1", "M2", "M3"]
    assert framework.measure("M1").unit is Unit.FTE
    assert framework.measure("M1").counting.local_only is True
    assert framework.measure("M2").counting.count_each_year is False


def test_it_reports_every_problem_with_line_and_path():
    problems = _problems(
        """\
        format: socialvalue-framework/1
        id: town
        name: Town
        version: '1'
        publisher: Town Council
        licence: CC0-1.0
        outcomes:
        - id: O1
          title: Jobs
          sources: [nowhere]
          measures:
          - id: M1
            title: Local jobs
            unit: metres
            scoring_modes: [quantity]
          - id: M2
            title: Wage share
            unit: percent
            scoring_modes: [proxy]
          - id: M1
            title: Judged quality
            unit: level_1_5
            scoring_modes: [levels]
        """
    )

    assert problems == [
        (10, "outcomes[0].sources[0]", "unknown_source"),
        (14, "outcomes[0].measures[0].unit", "unknown_unit"),
        (19, "outcomes[0].measures[1].scoring_modes", "missing_proxy"),
        (19, "outcomes[0].measures[1].scoring_modes[0]", "mode_unit_mismatch"),
        (20, "outcomes[0].measures[2].id", "duplicate_id"),
        (23, "outcomes[0].measures[2].scoring_modes", "missing_level_descriptors"),
    ]


def test_it_reports_missing_and_unknown_fields():
    problems = _problems(
        """\
        format: socialvalue-framework/1
        id: town
        name: Town
        version: '1'
        licence: CC0-1.0
        colour: green
        outcomes:
        - id: O1
          title: Jobs
        """
    )

    assert problems == [(1, "", "missing_field"), (6, "colour", "unknown_field")]


def test_it_reports_a_duplicate_key():
    problems = _problems(
        """\
        format: socialvalue-framework/1
        id: town
        id: town-2
        name: Town
        version: '1'
        publisher: Town Council
        licence: CC0-1.0
        outcomes:
        - id: O1
          title: Jobs
        """
    )

    assert problems == [(3, "id", "duplicate_key")]


def test_it_reports_a_cycle_made_with_an_alias():
    problems = _problems(
        """\
        format: socialvalue-framework/1
        id: town
        name: Town
        version: '1'
        publisher: Town Council
        licence: CC0-1.0
        outcomes:
        - &top
          id: O1
          title: Jobs
          outcomes:
          - *top
        """
    )

    assert (12, "outcomes[0].outcomes[0]", "cycle") in problems


def test_it_reports_a_syntax_error_with_its_line():
    problems = _problems("format: x\nid: [unclosed\nname: y\n")

    assert len(problems) == 1
    assert problems[0][2] == "syntax"
    assert problems[0][0] is not None


def test_it_hints_at_quoting_a_numeric_id():
    with pytest.raises(FrameworkFileError) as caught:
        load_framework_text(
            "format: socialvalue-framework/1\nid: t\nname: T\nversion: '1'\npublisher: P\n"
            "licence: MIT\noutcomes:\n- id: 1.1\n  title: A\n"
        )

    (problem,) = caught.value.problems
    assert (problem.line, problem.path, problem.code) == (8, "outcomes[0].id", "wrong_type")
    assert '"1.1"' in problem.message


def test_it_checks_default_weights_add_up():
    problems = _problems(
        """\
        format: socialvalue-framework/1
        id: town
        name: Town
        version: '1'
        publisher: Town Council
        licence: CC0-1.0
        defaults:
          weight_percent: 5
          minimum_weight_percent: 10
          parts:
          - {id: A, title: Qualitative, weight_percent: 3}
          - {id: B, title: Quantitative, weight_percent: 3}
        outcomes:
        - id: O1
          title: Jobs
        """
    )

    assert problems == [
        (8, "defaults.weight_percent", "weight_below_minimum"),
        (10, "defaults.parts", "parts_weight_mismatch"),
    ]


def test_it_checks_proxy_references_against_loaded_sets():
    text = """\
        format: socialvalue-framework/1
        id: town
        name: Town
        version: '1'
        publisher: Town Council
        licence: CC0-1.0
        outcomes:
        - id: O1
          title: Wellbeing
          measures:
          - id: M1
            title: Hours of paid work
            unit: hours
            scoring_modes: [proxy]
            proxy: {set: real-living-wage, value: uk-2025}
          - id: M2
            title: Volunteering hours
            unit: hours
            scoring_modes: [proxy]
            proxy: {set: toms, value: NT1}
        """
    sets = load_builtin_proxy_sets()

    assert _problems(text, proxy_sets=sets) == [
        (20, "outcomes[0].measures[1].proxy.set", "unknown_proxy")
    ]
    # Without sets, references are only checked for shape.
    assert load_framework_text(textwrap.dedent(text)).measure("M2").proxy is not None


def test_it_reads_fractions_as_exact_decimals():
    framework = load_framework_text(
        "format: socialvalue-framework/1\nid: t\nname: T\nversion: '1'\npublisher: P\n"
        "licence: MIT\ndefaults:\n  threshold_gbp: 74999.99\noutcomes:\n- id: A\n  title: A\n"
    )

    assert framework.defaults.threshold_gbp == Decimal("74999.99")


def test_it_reports_csv_cycles_and_unknown_parents():
    csv_text = textwrap.dedent(
        """\
        record,id,parent,title,unit,scoring_modes,value
        framework,format,,,,,socialvalue-framework/1
        framework,id,,,,,town
        framework,name,,,,,Town
        framework,version,,,,,1
        framework,publisher,,,,,Town Council
        framework,licence,,,,,MIT
        outcome,O1,,Top,,,
        outcome,A,B,Loop A,,,
        outcome,B,A,Loop B,,,
        measure,M1,O9,Orphan,count,quantity,
        """
    )

    with pytest.raises(FrameworkFileError) as caught:
        load_framework_csv(csv_text, file="town.csv")

    found = {(p.line, p.path, p.code) for p in caught.value.problems}
    assert found == {
        (9, "parent", "cycle"),
        (10, "parent", "cycle"),
        (11, "parent", "unknown_parent"),
    }
    assert all(p.file == "town.csv" for p in caught.value.problems)


def test_it_refuses_an_unknown_suffix(write_file):
    path = write_file("framework.txt", "x")

    with pytest.raises(FrameworkFileError) as caught:
        load_framework(path)

    assert caught.value.problems[0].code == "unknown_format"


def test_it_resolves_builtin_ids_and_paths(write_file, minimal_framework_text):
    path = write_file("town.yaml", minimal_framework_text)

    assert resolve_framework("preston-2023").id == "preston-2023"
    assert resolve_framework(str(path)).id == "town-2025"
    with pytest.raises(FrameworkNotFoundError):
        resolve_framework("no-such-framework")


def test_it_offers_every_scoring_mode_only_where_the_unit_allows():
    preston = load_builtin_framework("preston-2023")

    assert {m.scoring_modes for _, m in preston.iter_measures()} == {(ScoringMode.LEVELS,)}
