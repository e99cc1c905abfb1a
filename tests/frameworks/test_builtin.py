"""The built-in frameworks: what each must hold, checked against the sources' figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from socialvalue.frameworks.loader import builtin_framework_ids, load_builtin_framework
from socialvalue.frameworks.model import Provenance, ScoringMode, Unit


def test_it_ships_the_four_frameworks():
    assert builtin_framework_ids() == ("lancashire-2016", "ppn-002", "ppn-06-20", "preston-2023")


@pytest.mark.parametrize("framework_id", builtin_framework_ids())
def test_it_cites_a_source_for_every_published_node(framework_id):
    framework = load_builtin_framework(framework_id)
    keys = {source.key for source in framework.sources}
    nodes = [o for _, o in framework.iter_outcomes()] + [m for _, m in framework.iter_measures()]

    assert framework.sources
    for node in nodes:
        assert set(node.sources) <= keys
        if node.provenance is Provenance.PUBLISHED:
            assert node.sources, node.id


def test_it_has_lancashires_six_outcomes_with_example_measures():
    framework = load_builtin_framework("lancashire-2016")
    measures = [m for _, m in framework.iter_measures()]

    assert [o.id for o in framework.outcomes] == ["L1", "L2", "L3", "L4", "L5", "L6"]
    assert framework.outcomes[3].title == (
        "Building capacity and sustainability of the voluntary and community sector"
    )
    assert all(o.provenance is Provenance.PUBLISHED for o in framework.outcomes)
    assert all(m.provenance is Provenance.EXAMPLE for m in measures)
    assert all(o.measures for o in framework.outcomes)


def test_it_has_prestons_five_themes_and_thirteen_level_measures():
    framework = load_builtin_framework("preston-2023")
    measures = [m for _, m in framework.iter_measures()]

    assert len(framework.outcomes) == 5
    assert [len(o.measures) for o in framework.outcomes] == [3, 3, 3, 2, 2]
    assert len(measures) == 13
    assert {m.unit for m in measures} == {Unit.LEVEL_1_5}
    assert {m.scoring_modes for m in measures} == {(ScoringMode.LEVELS,)}
    defaults = framework.defaults
    assert defaults.weight_percent == Decimal(20)
    assert defaults.threshold_gbp == Decimal(74999)
    assert [(p.id, p.weight_percent) for p in defaults.parts] == [
        ("A", Decimal(10)),
        ("B", Decimal(10)),
    ]
    assert [d.level for d in framework.level_descriptors] == [1, 5]


@pytest.mark.parametrize("framework_id", ["ppn-06-20", "ppn-002"])
def test_it_sets_the_central_government_minimum_of_ten_percent(framework_id):
    framework = load_builtin_framework(framework_id)

    assert framework.defaults.minimum_weight_percent == Decimal(10)


def test_it_has_ppn_06_20s_five_themes_and_eight_policy_outcomes():
    framework = load_builtin_framework("ppn-06-20")
    policy_outcomes = [o for _, o in framework.iter_outcomes() if o.kind == "policy_outcome"]

    assert [o.kind for o in framework.outcomes] == ["theme"] * 5
    assert len(policy_outcomes) == 8


def test_it_has_ppn_002s_five_missions_and_eight_outcomes_with_outcome_5_unknown():
    framework = load_builtin_framework("ppn-002")
    outcomes = [o for _, o in framework.iter_outcomes() if o.kind == "policy_outcome"]

    assert [o.kind for o in framework.outcomes] == ["mission"] * 5
    assert [o.id for o in outcomes] == [f"outcome-{n}" for n in range(1, 9)]
    assert framework.outcome("outcome-5").provenance is Provenance.UNKNOWN
    assert framework.outcome("outcome-1").title == "Fair work"
