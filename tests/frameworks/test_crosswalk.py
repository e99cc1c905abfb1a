"""The crosswalk between the built-in frameworks."""

from __future__ import annotations

import textwrap

import pytest

from socialvalue.exceptions import FrameworkFileError
from socialvalue.frameworks.crosswalk import (
    NodeRef,
    Relation,
    load_builtin_crosswalk,
    load_crosswalk,
    uncovered_measures,
)
from socialvalue.frameworks.loader import load_builtin_framework


def test_it_covers_every_preston_2023_measure():
    crosswalk = load_builtin_crosswalk()
    preston = load_builtin_framework("preston-2023")

    assert uncovered_measures(crosswalk, preston) == ()


def test_it_links_every_preston_measure_to_lancashire_and_central_government():
    crosswalk = load_builtin_crosswalk()
    preston = load_builtin_framework("preston-2023")

    for _, measure in preston.iter_measures():
        ref = NodeRef("preston-2023", measure.id)
        assert crosswalk.counterparts(ref, "lancashire-2016"), measure.id
        assert crosswalk.counterparts(ref, "ppn-06-20") or crosswalk.counterparts(ref, "ppn-002"), (
            measure.id
        )


def test_it_maps_preston_theme_4_into_lancashire_outcome_1():
    crosswalk = load_builtin_crosswalk()

    (link,) = crosswalk.counterparts(NodeRef("preston-2023", "T4"), "lancashire-2016")
    assert (str(link.target), link.relation) == ("lancashire-2016:L1", Relation.PART_OF)
    # Read from the other end, the relation turns round.
    back = crosswalk.counterparts(NodeRef("lancashire-2016", "L1"), "preston-2023")
    assert (NodeRef("preston-2023", "T4"), Relation.CONTAINS) in {
        (b.target, b.relation) for b in back
    }


def test_it_reports_links_to_unknown_nodes(write_file):
    path = write_file(
        "walk.yaml",
        textwrap.dedent(
            """\
            format: socialvalue-crosswalk/1
            id: walk
            name: Walk
            licence: MIT
            links:
            - {from: "preston-2023:1.1", to: "lancashire-2016:L9", relation: related}
            - {from: "nowhere:1", to: "lancashire-2016:L1", relation: sideways}
            """
        ),
    )
    frameworks = [load_builtin_framework("preston-2023"), load_builtin_framework("lancashire-2016")]

    with pytest.raises(FrameworkFileError) as caught:
        load_crosswalk(path, frameworks=frameworks)

    assert [(p.line, p.path, p.code) for p in caught.value.problems] == [
        (6, "links[0].to", "unknown_node"),
        (7, "links[1].from", "unknown_framework"),
        (7, "links[1].relation", "invalid_value"),
    ]
