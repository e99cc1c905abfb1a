"""Charts for award reports: Altair specifications rendered to SVG by vl-convert (no browser)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import altair as alt

from socialvalue.evaluation.sensitivity import Sensitivity

BAR_COLOUR = "#1d70b8"  # GOV.UK blue: 5.2:1 contrast on white
WINNER_COLOUR = "#00703c"  # GOV.UK green: 5.7:1 contrast on white


def win_probability_spec(sensitivity: Sensitivity) -> dict[str, Any] | None:
    """A bar chart of each bidder's chance of winning as weights vary, as a Vega-Lite spec."""
    carlo = sensitivity.monte_carlo
    if carlo is None:
        return None
    rows = [
        {
            "bidder": bidder,
            "percent": float((probability * 100).quantize(Decimal("0.1"))),
            "status": "chosen winner" if bidder == sensitivity.winner else "other bid",
        }
        for bidder, probability in carlo.win_probability.items()
    ]
    chart = (
        alt.Chart(alt.Data(values=rows), title="Chance of winning as the weights vary")
        .mark_bar()
        .encode(
            x=alt.X("percent:Q", title="Share of weight draws won (%)",
                    scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("bidder:N", title=None, sort="-x"),
            color=alt.Color(
                "status:N",
                scale=alt.Scale(domain=["chosen winner", "other bid"],
                                range=[WINNER_COLOUR, BAR_COLOUR]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=["bidder:N", "percent:Q"],
        )
        .properties(width=420, height=max(60, 28 * len(rows)))
    )  # fmt: skip
    text = chart.mark_text(align="left", dx=4, color="#0b0c0c").encode(
        text=alt.Text("percent:Q", format=".1f"), color=alt.value("#0b0c0c")
    )
    spec: dict[str, Any] = (chart + text).to_dict()
    return spec


def weight_tolerance_spec(sensitivity: Sensitivity) -> dict[str, Any] | None:
    """A bar chart of how far each weight can move before the winner changes."""
    if not sensitivity.weight_changes:
        return None
    rows = [
        {
            "criterion": change.name,
            "change": float(change.change.quantize(Decimal("0.01"))),
            "challenger": change.challenger,
        }
        for change in sensitivity.weight_changes
    ]
    chart = (
        alt.Chart(alt.Data(values=rows), title="Weight change that lets another bid draw level")
        .mark_bar(color=BAR_COLOUR)
        .encode(
            x=alt.X("change:Q", title="Change in weight (points; others scaled to keep the total)"),
            y=alt.Y("criterion:N", title=None),
            tooltip=["criterion:N", "change:Q", "challenger:N"],
        )
        .properties(width=420, height=max(60, 28 * len(rows)))
    )  # fmt: skip
    spec: dict[str, Any] = chart.to_dict()
    return spec


def to_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite specification to an SVG document."""
    import vl_convert

    svg: str = vl_convert.vegalite_to_svg(spec)
    return svg
