"""Deterministic, configurable tie-breaks."""

from __future__ import annotations

import pytest

from socialvalue.evaluation.scoring import evaluate
from tests.evaluation.builders import bid, price, quality, tender

# A: 50 x 100/100 + 50 x 5/10 = 75; B: 50 x 100/200 + 50 x 10/10 = 75. A tie.
CRITERIA = [price(50), quality(weight=50, maximum=10)]
BIDS = [bid("Zeta", 200, quality=10), bid("Alpha", 100, quality=5)]


@pytest.mark.parametrize(
    ("rules", "first", "rule_used"),
    [
        (("lowest_price",), "Alpha", "lowest_price"),
        (("highest_points:quality",), "Zeta", "highest_points:quality"),
        (("highest_quality",), "Zeta", "highest_quality"),
        (("bidder_name",), "Alpha", "bidder_name"),
        (("file_order",), "Zeta", "file_order"),
        ((), "Zeta", "file_order"),
    ],
)
def test_it_breaks_a_tie_by_the_configured_rule(
    rules: tuple[str, ...], first: str, rule_used: str
) -> None:
    evaluation = evaluate(tender(CRITERIA, BIDS, tie_break=rules))
    assert evaluation.bid("Zeta").total == evaluation.bid("Alpha").total == 75
    assert evaluation.winner is not None
    assert evaluation.winner.bidder == first
    assert evaluation.winner.tie_break_rule == rule_used
    assert evaluation.winner.tied_with == (("Alpha",) if first == "Zeta" else ("Zeta",))


def test_it_gives_the_same_ranks_every_time() -> None:
    first = evaluate(tender(CRITERIA, BIDS))
    second = evaluate(tender(CRITERIA, BIDS))
    assert [b.bidder for b in first.bids] == [b.bidder for b in second.bids]


def test_it_falls_back_to_file_order_when_the_rules_cannot_tell_bids_apart() -> None:
    same = [bid("Second", 100, quality=5), bid("First", 100, quality=5)]
    evaluation = evaluate(tender(CRITERIA, same, tie_break=("lowest_price",)))
    assert [b.bidder for b in evaluation.ranked] == ["Second", "First"]
    assert evaluation.bid("First").tie_break_rule == "file_order"


def test_it_ties_totals_equal_in_exact_arithmetic() -> None:
    # 30 x 100/300 = 10 exactly, but 30 x (100/300) carries a 34-digit 0.333... share.
    criteria = [price(30), quality(weight=70, maximum=7)]
    bids = [bid("Thirds", 300, quality=6), bid("Whole", 100, quality=4)]
    # Thirds: 10 + 60 = 70; Whole: 30 + 40 = 70.
    evaluation = evaluate(tender(criteria, bids, tie_break=("bidder_name",)))
    assert evaluation.bid("Thirds").tied_with == ("Whole",)
    assert evaluation.winner is not None
    assert evaluation.winner.bidder == "Thirds"
