"""Sensitivity findings in plain words and as JSON-ready data."""

from __future__ import annotations

from typing import Any

from socialvalue.evaluation.explain import (
    display_money,
    display_number,
    display_percent,
    display_points,
    exact,
)
from socialvalue.evaluation.results import Evaluation
from socialvalue.evaluation.sensitivity import Sensitivity

HUNDRED = 100


def sensitivity_sentences(evaluation: Evaluation, sensitivity: Sensitivity) -> list[str]:
    """Sentences for the award report and the terminal, most telling first."""
    tender = evaluation.tender
    currency = tender.currency
    winner = sensitivity.winner
    if winner is None:
        return ["There is no winner, so there is nothing to test."]
    lines: list[str] = []
    smallest = sensitivity.smallest_weight_change
    if smallest is None:
        lines.append(f"No change to any single weight would let another bid catch {winner}.")
    else:
        verb = "rose" if smallest.change > 0 else "fell"
        lines.append(
            f"The smallest weight change that alters the result: if the weight of "
            f"{smallest.name} {verb} from {display_points(smallest.current_weight)} to "
            f"{display_points(smallest.new_weight)} points (the other weights scaled to keep "
            f"the total), {smallest.challenger} would draw level with {winner}; any further "
            f"and {smallest.challenger} would win."
        )
    score = sensitivity.smallest_score_change
    if score is None:
        lines.append(
            f"No change to a single moderated score would change the winner from {winner}."
        )
    else:
        new_winner = score.new_winner or "no bid"
        lines.append(
            f"The smallest moderated score change that alters the result: if {score.bidder}'s "
            f"score on {score.name} were {display_number(score.new_score)} instead of "
            f"{display_number(score.current_score)}, {new_winner} would win."
        )
    carlo = sensitivity.monte_carlo
    if carlo is not None:
        chances = sorted(carlo.win_probability.items(), key=lambda item: -item[1])
        described = ", ".join(
            f"{bidder} {display_percent(probability * HUNDRED)}"
            for bidder, probability in chances
            if probability > 0
        )
        lines.append(
            f"When the weights were varied at random around the chosen weights "
            f"({carlo.samples:,} draws, concentration {display_number(carlo.concentration)}), "
            f"each bid won this share of the time: {described}."
        )
    removed = [reversal for reversal in sensitivity.reversals if reversal.trigger == "removed"]
    added = [reversal for reversal in sensitivity.reversals if reversal.trigger == "added"]
    for reversal in removed:
        lines.append(
            f"Rank reversal: without {reversal.bidder}'s bid, {reversal.second} would move "
            f"ahead of {reversal.first}, although neither bid changed. This is the known flaw "
            f"of scoring price relative to other bids."
        )
    for reversal in added:
        lines.append(
            f"Rank reversal: a new compliant bid priced {reversal.direction} "
            f"{display_money(reversal.price, currency)} would put {reversal.second} ahead of "
            f"{reversal.first}, although neither bid changed."
        )
    if not sensitivity.reversals:
        lines.append(
            "No removal of a bid, and no new bid at any price tried, would reverse the order of "
            "two other bids."
        )
    return lines


def sensitivity_as_dict(sensitivity: Sensitivity) -> dict[str, Any]:
    """Sensitivity findings as JSON-ready data, exact values as decimal strings."""
    carlo = sensitivity.monte_carlo
    return {
        "winner": sensitivity.winner,
        "weight_changes": [
            {
                "criterion": change.criterion_id,
                "current_weight": exact(change.current_weight),
                "new_weight": exact(change.new_weight),
                "change": exact(change.change),
                "challenger": change.challenger,
            }
            for change in sensitivity.weight_changes
        ],
        "score_changes": [
            {
                "bidder": change.bidder,
                "criterion": change.criterion_id,
                "current_score": exact(change.current_score),
                "new_score": exact(change.new_score),
                "new_winner": change.new_winner or None,
            }
            for change in sensitivity.score_changes
        ],
        "monte_carlo": None
        if carlo is None
        else {
            "samples": carlo.samples,
            "concentration": exact(carlo.concentration),
            "seed": carlo.seed,
            "criteria": list(carlo.criteria),
            "win_probability": {
                bidder: exact(probability) for bidder, probability in carlo.win_probability.items()
            },
        },
        "rank_reversals": [
            {
                "trigger": reversal.trigger,
                "first": reversal.first,
                "second": reversal.second,
                "removed_bidder": reversal.bidder or None,
                "new_bid_price": exact(reversal.price),
                "direction": reversal.direction or None,
            }
            for reversal in sensitivity.reversals
        ],
    }
