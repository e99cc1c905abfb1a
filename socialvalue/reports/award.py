"""The award report: how the winner was chosen, in plain words, as HTML, PDF or XLSX.

The HTML is one self-contained file (styles inline, charts embedded as SVG images with text
alternatives and the same figures in tables), written for people who have not seen the
evaluation: the method and weights, every bid's components, moderation notes, flags, the policy
check, the sensitivity findings, and an assessment summary for each bidder putting its scores and
reasons beside the winner's (as the Procurement Act 2023 expects). The PDF is WeasyPrint's
rendering of that HTML; the XLSX holds the same tables for people who want to check the sums.

Numbers are rounded once, for display, by the rule in :mod:`socialvalue.evaluation.explain`.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from socialvalue.evaluation.explain import (
    display_money,
    display_number,
    display_percent,
    display_points,
    exact,
    explain_component,
    summary_lines,
)
from socialvalue.evaluation.model import CriterionKind, PriceMethod, SocialValueMode
from socialvalue.evaluation.price import FORMULAS
from socialvalue.evaluation.results import BidResult, Component, Evaluation
from socialvalue.evaluation.sensitivity import Sensitivity
from socialvalue.exceptions import ReportFormatError
from socialvalue.reports.charts import to_svg, weight_tolerance_spec, win_probability_spec
from socialvalue.reports.words import sensitivity_sentences

ROUNDING_NOTE = (
    "Points are shown to 2 decimal places and money to the penny, halves rounded up. Bids are "
    "ranked on the unrounded figures, so the shown totals may not add up exactly."
)

STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; line-height: 1.45;
       margin: 0 auto; max-width: 60rem; padding: 1.5rem; font-size: 1rem; }
h1 { font-size: 2rem; margin-bottom: .25rem; }
h2 { font-size: 1.5rem; margin-top: 2.25rem; border-top: 2px solid #b1b4b6; padding-top: 1rem; }
h3 { font-size: 1.2rem; margin-top: 1.5rem; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0 1.25rem; font-size: .95rem; }
caption { text-align: left; font-weight: bold; padding-bottom: .4rem; }
th, td { border-bottom: 1px solid #b1b4b6; padding: .4rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f2f1; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
.lead { font-size: 1.2rem; }
.note { color: #505a5f; font-size: .9rem; }
.flag { border-left: 5px solid #f47738; padding: .5rem .75rem; background: #fff7f0; }
.excluded { border-left: 5px solid #d4351c; padding: .5rem .75rem; background: #fdf3f2; }
.passed { color: #00703c; font-weight: bold; }
.failed { color: #d4351c; font-weight: bold; }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; }
               table, figure { break-inside: avoid; } }
@page { size: A4; margin: 18mm 15mm; }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _table(
    caption: str,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Sequence[int] = (),
) -> str:
    head = "".join(
        f'<th scope="col"{" class=number" if index in numeric else ""}>{_e(cell)}</th>'
        for index, cell in enumerate(header)
    )
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            if index == 0:
                cells.append(f'<th scope="row">{cell}</th>')
            else:
                klass = ' class="number"' if index in numeric else ""
                cells.append(f"<td{klass}>{cell}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _how_scored(evaluation: Evaluation, component_id: str) -> str:
    criteria = {criterion.id: criterion for criterion in evaluation.tender.all_criteria()}
    criterion = criteria[component_id]
    if criterion.is_group:
        return "The sum of its parts; each part's weight is a share of this criterion."
    if criterion.kind is CriterionKind.PASS_FAIL:
        return "Pass or fail; a bid that fails is excluded."
    if criterion.kind is CriterionKind.PRICE:
        method = criterion.method or PriceMethod.RELATIVE_TO_LOWEST
        text = f"{method.value.replace('_', ' ').capitalize()}: {FORMULAS[method]}."
        if method is PriceMethod.BENCHMARK:
            benchmark = display_money(criterion.benchmark_price, evaluation.tender.currency)
            text += f" Benchmark {benchmark}."
        return text
    if criterion.kind is CriterionKind.SOCIAL_VALUE and (
        criterion.social_value_mode is not SocialValueMode.LEVELS
    ):
        text = (
            "Committed social value per pound of the bid's price, relative to the best such "
            "offer among compliant bids."
        )
        if criterion.social_value_mode is SocialValueMode.PROXY_VALUE:
            measures = ", ".join(
                f"{measure.id} at {display_money(measure.proxy_value, evaluation.tender.currency)}"
                f" per {measure.unit or 'unit'}"
                + (f" ({measure.source})" if measure.source else "")
                for measure in criterion.measures
            )
            text += f" Value = quantity x proxy value: {measures}."
        return text
    scale = criterion.scale
    assert scale is not None
    text = (
        f"Scored {display_number(scale.minimum)} to {display_number(scale.maximum)}; "
        f"points = weight x score / {display_number(scale.maximum)}."
    )
    if scale.levels:
        text += (
            " Levels: "
            + "; ".join(
                f"{display_number(level.value)} {level.descriptor}".strip()
                for level in scale.levels
            )
            + "."
        )
    if criterion.threshold is not None:
        text += f" Minimum score {display_number(criterion.threshold)}; below it a bid is excluded."
    return text


def _method_section(evaluation: Evaluation) -> str:
    tender = evaluation.tender
    weights = tender.effective_weights()
    parents = tender.parent_ids()
    rows = []
    for criterion in tender.all_criteria():
        depth = 0
        parent = parents[criterion.id]
        while parent is not None:
            depth += 1
            parent = parents[parent]
        indent = "&#8195;" * depth
        parent_name = tender_label(evaluation, parents[criterion.id])
        share = (
            f" ({display_number(criterion.weight)}% of {_e(parent_name)})" if parent_name else ""
        )
        rows.append(
            [
                f"{indent}{_e(criterion.label)}",
                _e(criterion.kind.value.replace("_", " ")),
                f"{display_points(weights[criterion.id])}{share}",
                _e(_how_scored(evaluation, criterion.id)),
            ]
        )
    award = (
        "The contract goes to the compliant bid with the lowest price per quality point."
        if tender.uses_price_per_quality_point()
        else f"The contract goes to the compliant bid with the most points out of "
        f"{display_number(tender.total_points)}."
    )
    rules = ", then ".join(rule.replace("_", " ") for rule in tender.tie_break)
    return (
        '<section aria-labelledby="method"><h2 id="method">How the bids were scored</h2>'
        f"<p>{_e(award)} Bids that fail a pass/fail question or score below a minimum are "
        "excluded first, and take no part in scoring prices against each other.</p>"
        + _table(
            "Criteria and weights",
            ["Criterion", "Kind", "Weight (points)", "How it is scored"],
            rows,
            (2,),
        )
        + f"<p>Ties are broken by: {_e(rules)}; and finally by the order of the bids in the "
        "file.</p>"
        f'<p class="note">{_e(ROUNDING_NOTE)}</p></section>'
    )


def tender_label(evaluation: Evaluation, criterion_id: str | None) -> str:
    """The name of a criterion by id (empty for None)."""
    if criterion_id is None:
        return ""
    for criterion in evaluation.tender.all_criteria():
        if criterion.id == criterion_id:
            return criterion.label
    return criterion_id


def _results_section(evaluation: Evaluation) -> str:
    tender = evaluation.tender
    top = list(tender.criteria)
    pqp = tender.uses_price_per_quality_point()
    header = [
        "Bidder",
        "Rank",
        "Bid price",
        *(f"{criterion.label} (points)" for criterion in top),
        "Total points",
    ]
    if pqp:
        header.append("Price per quality point")
    rows = []
    for bid in evaluation.bids:
        points = bid.points_by_criterion()
        cells = [
            _e(bid.bidder),
            str(bid.rank) if bid.rank is not None else "Excluded",
            display_money(bid.price, tender.currency),
        ]
        for criterion in top:
            component = bid.component(criterion.id)
            if criterion.kind is CriterionKind.PASS_FAIL:
                cells.append("Pass" if component.raw is True else "Fail")
            else:
                cells.append(display_points(points[criterion.id]))
        cells.append(display_points(bid.total))
        if pqp:
            cells.append(display_money(bid.price_per_quality_point, tender.currency))
        rows.append(cells)
    numeric = tuple(range(1, len(header)))
    return (
        '<section aria-labelledby="results"><h2 id="results">Results</h2>'
        + _table("Points for each bid on each criterion", header, rows, numeric)
        + "</section>"
    )


def _component_rows(evaluation: Evaluation, bid: BidResult) -> list[list[str]]:
    rows = []
    for component in bid.components:
        indent = "&#8195;" * component.depth
        rows.append(
            [
                f"{indent}{_e(component.name)}",
                _raw(evaluation, component),
                display_points(component.weight),
                display_points(component.points),
                _e(explain_component(evaluation, bid, component)),
            ]
        )
    return rows


def _raw(evaluation: Evaluation, component: Component) -> str:
    if isinstance(component.raw, bool):
        return "Pass" if component.raw else "Fail"
    if component.raw is None:
        return ""
    if component.kind is CriterionKind.PRICE or (
        component.kind is CriterionKind.SOCIAL_VALUE and component.formula.startswith("weight x (")
    ):
        return display_money(component.raw, evaluation.tender.currency)
    return display_number(component.raw)


def _workings_section(evaluation: Evaluation) -> str:
    parts = ['<section aria-labelledby="workings"><h2 id="workings">How each total was made</h2>']
    for bid in evaluation.bids:
        status = f"ranked {bid.rank}" if bid.rank is not None else "excluded"
        parts.append(f"<h3>{_e(bid.bidder)} ({status})</h3>")
        for reason in bid.reasons:
            parts.append(f'<p class="excluded">Excluded: it {_e(reason.message)}.</p>')
        for flag in bid.flags:
            parts.append(f'<p class="flag">{_e(flag.message)}</p>')
        parts.append(
            _table(
                f"Components of {bid.bidder}'s total ({display_points(bid.total)} points)",
                ["Criterion", "Scored", "Weight", "Points", "Working"],
                _component_rows(evaluation, bid),
                (1, 2, 3),
            )
        )
    parts.append("</section>")
    return "".join(parts)


def _moderation_section(evaluation: Evaluation) -> str:
    rows = [
        [_e(bid.bidder), _e(component.name), _raw(evaluation, component), _e(component.reason)]
        for bid in evaluation.bids
        for component in bid.components
        if component.reason
    ]
    body = (
        _table(
            "Moderation notes recorded with the scores",
            ["Bidder", "Criterion", "Score", "Reason"],
            rows,
        )
        if rows
        else "<p>No moderation notes were recorded with the scores.</p>"
    )
    return (
        '<section aria-labelledby="moderation"><h2 id="moderation">Moderation notes</h2>'
        f"{body}</section>"
    )


def _checks_section(evaluation: Evaluation) -> str:
    flags = [
        f"<li>{_e(bid.bidder)}: {_e(flag.message)}</li>"
        for bid in evaluation.bids
        for flag in bid.flags
    ]
    flag_html = (
        f"<ul>{''.join(flags)}</ul>"
        if flags
        else "<p>No price was abnormally low under the rules set for this tender.</p>"
    )
    rule = evaluation.tender.abnormally_low
    policy = "".join(
        f'<li><span class="{"passed" if finding.passed else "failed"}">'
        f"{'Met' if finding.passed else 'Not met'}:</span> {_e(finding.message)}</li>"
        for finding in evaluation.policy
    )
    return (
        '<section aria-labelledby="checks"><h2 id="checks">Flags and policy checks</h2>'
        f"<p>A price is flagged as abnormally low when it is at least "
        f"{display_percent(rule.below_mean_of_others)} below the mean of the other compliant "
        f"bids, or at least {display_percent(rule.below_next_lowest)} below the next lowest. "
        "A flag asks the buyer to seek an explanation; it never excludes a bid.</p>"
        f"{flag_html}<h3>Social value policy</h3><ul>{policy}</ul></section>"
    )


def _figure(spec: dict[str, Any] | None, caption: str, alt_text: str) -> str:
    if spec is None:
        return ""
    svg = to_svg(spec)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (
        f'<figure><img src="data:image/svg+xml;base64,{data}" alt="{_e(alt_text)}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>"
    )


def _sensitivity_section(evaluation: Evaluation, sensitivity: Sensitivity | None) -> str:
    if sensitivity is None:
        return ""
    sentences = "".join(
        f"<li>{_e(line)}</li>" for line in sensitivity_sentences(evaluation, sensitivity)
    )
    parts = [
        '<section aria-labelledby="sensitivity"><h2 id="sensitivity">How firm is the result?</h2>',
        f"<ul>{sentences}</ul>",
    ]
    carlo = sensitivity.monte_carlo
    if carlo is not None:
        described = ", ".join(
            f"{bidder} {display_percent(probability * 100)}"
            for bidder, probability in carlo.win_probability.items()
        )
        parts.append(
            _figure(
                win_probability_spec(sensitivity),
                f"Each bid's share of {carlo.samples:,} random weightings around the chosen "
                f"weights (seed {carlo.seed}).",
                f"Bar chart of the chance of winning as the weights vary: {described}.",
            )
        )
        parts.append(
            _table(
                "Chance of winning as the weights vary",
                ["Bidder", "Share of draws won"],
                [[_e(bidder), display_percent(probability * 100)]
                 for bidder, probability in carlo.win_probability.items()],
                (1,),
            )
        )  # fmt: skip
    if sensitivity.weight_changes:
        described = "; ".join(
            f"{change.name} {display_points(change.change)} points"
            for change in sensitivity.weight_changes
        )
        parts.append(
            _figure(
                weight_tolerance_spec(sensitivity),
                "How far each weight can move before another bid draws level with the winner.",
                f"Bar chart of the weight change that lets another bid draw level: {described}.",
            )
        )
        parts.append(
            _table(
                "Weight change that lets another bid draw level",
                ["Criterion", "Weight now", "Weight at which they draw level", "Change",
                 "Bid that draws level"],
                [[_e(change.name), display_points(change.current_weight),
                  display_points(change.new_weight), display_points(change.change),
                  _e(change.challenger)] for change in sensitivity.weight_changes],
                (1, 2, 3),
            )
        )  # fmt: skip
    parts.append("</section>")
    return "".join(parts)


def _assessment_summaries(evaluation: Evaluation) -> str:
    winner = evaluation.winner
    parts = [
        '<section aria-labelledby="summaries"><h2 id="summaries">Assessment summary for each '
        "bidder</h2><p>Each bidder's scores and the reasons for them, beside the winning "
        "bid's, so each bidder can see why it did or did not win.</p>"
    ]
    for bid in evaluation.bids:
        if winner is not None and bid.bidder == winner.bidder:
            continue
        parts.append(f"<h3>{_e(bid.bidder)}</h3>")
        if bid.excluded:
            parts.append(
                "<p>"
                + " ".join(f"Your bid was excluded: it {_e(r.message)}." for r in bid.reasons)
                + "</p>"
            )
        elif bid.rank is not None and winner is not None:
            parts.append(
                f"<p>Your bid was ranked {bid.rank} of {len(evaluation.ranked)}, with "
                f"{display_points(bid.total)} points; the winning bid, from "
                f"{_e(winner.bidder)}, had {display_points(winner.total)}.</p>"
            )
        rows = []
        for component in bid.components:
            theirs = winner.component(component.criterion_id) if winner is not None else None
            rows.append(
                [
                    "&#8195;" * component.depth + _e(component.name),
                    f"{_raw(evaluation, component)}; {display_points(component.points)} points",
                    _e(component.reason),
                    (f"{_raw(evaluation, theirs)}; {display_points(theirs.points)} points"
                     if theirs is not None else ""),
                    _e(theirs.reason) if theirs is not None else "",
                ]
            )  # fmt: skip
        parts.append(
            _table(
                f"{bid.bidder} beside the winning bid",
                ["Criterion", "Your score", "Reason for your score", "Winning bid's score",
                 "Reason for the winning bid's score"],
                rows,
            )
        )  # fmt: skip
    parts.append("</section>")
    return "".join(parts)


def award_report_html(evaluation: Evaluation, sensitivity: Sensitivity | None = None) -> str:
    """The award report as one self-contained, accessible HTML document."""
    tender = evaluation.tender
    title = tender.title or "Tender evaluation"
    summary = "".join(f"<li>{_e(line)}</li>" for line in summary_lines(evaluation))
    reference = f"<p>Reference: {_e(tender.reference)}</p>" if tender.reference else ""
    lead = summary_lines(evaluation)[0]
    return (
        '<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Award report: {_e(title)}</title><style>{STYLE}</style></head><body><main>"
        f"<h1>Award report: {_e(title)}</h1>{reference}"
        f'<p class="lead">{_e(lead)}</p>'
        f'<section aria-labelledby="summary"><h2 id="summary">Summary</h2><ul>{summary}</ul>'
        "</section>"
        + _method_section(evaluation)
        + _results_section(evaluation)
        + _workings_section(evaluation)
        + _moderation_section(evaluation)
        + _checks_section(evaluation)
        + _sensitivity_section(evaluation, sensitivity)
        + _assessment_summaries(evaluation)
        + "</main></body></html>"
    )


def award_report_pdf(evaluation: Evaluation, sensitivity: Sensitivity | None = None) -> bytes:
    """The award report as PDF, rendered by WeasyPrint from the HTML."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=award_report_html(evaluation, sensitivity)).write_pdf()
    return pdf


def write_award_workbook(
    evaluation: Evaluation, sensitivity: Sensitivity | None, path: Path
) -> None:
    """The award report's tables as an XLSX workbook (display-rounded numbers, exact as text)."""
    import xlsxwriter

    tender = evaluation.tender
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1, "text_wrap": True})
    points_format = book.add_format({"num_format": "0.00"})
    money_format = book.add_format({"num_format": "#,##0.00"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})

    def number(value: Any) -> float | str:
        return float(display_points(value).replace(",", "")) if value is not None else ""

    def money(value: Any) -> float | str:
        return (
            float(display_money(value, "XXX").split()[0].replace(",", ""))
            if value is not None
            else ""
        )

    summary = book.add_worksheet("Summary")
    summary.set_column(0, 0, 110, wrap)
    summary.write(0, 0, f"Award report: {tender.title or 'Tender evaluation'}", bold)
    lines = [*summary_lines(evaluation), ROUNDING_NOTE]
    if sensitivity is not None:
        lines += ["", "How firm is the result?", *sensitivity_sentences(evaluation, sensitivity)]
    for row, line in enumerate(lines, start=1):
        summary.write_string(row, 0, line)

    results = book.add_worksheet("Results")
    top = list(tender.criteria)
    header = (
        ["Rank", "Bidder", "Price"]
        + [c.label for c in top]
        + ["Total", "Total (exact)", "Excluded", "Reasons", "Flags"]
    )
    results.write_row(0, 0, header, bold)
    results.set_column(0, len(header) - 1, 16)
    results.freeze_panes(1, 2)
    for row, bid in enumerate(evaluation.bids, start=1):
        points = bid.points_by_criterion()
        results.write(row, 0, bid.rank if bid.rank is not None else "excluded")
        results.write_string(row, 1, bid.bidder)
        results.write(row, 2, money(bid.price), money_format)
        for column, criterion in enumerate(top, start=3):
            results.write(row, column, number(points[criterion.id]), points_format)
        base = 3 + len(top)
        results.write(row, base, number(bid.total), points_format)
        results.write_string(row, base + 1, exact(bid.total) or "")
        results.write(row, base + 2, "yes" if bid.excluded else "no")
        results.write_string(row, base + 3, "; ".join(reason.message for reason in bid.reasons))
        results.write_string(row, base + 4, " ".join(flag.message for flag in bid.flags))

    components = book.add_worksheet("Components")
    header = ["Bidder", "Criterion", "Parent", "Scored", "Share", "Weight", "Points",
              "Points (exact)", "Working", "Reason"]  # fmt: skip
    components.write_row(0, 0, header, bold)
    components.set_column(0, 7, 14)
    components.set_column(8, 9, 60, wrap)
    components.freeze_panes(1, 2)
    row = 1
    for bid in evaluation.bids:
        for component in bid.components:
            components.write_string(row, 0, bid.bidder)
            components.write_string(row, 1, component.name)
            components.write_string(row, 2, tender_label(evaluation, component.parent_id))
            components.write_string(row, 3, _raw(evaluation, component))
            components.write_string(row, 4, exact(component.share) or "")
            components.write(row, 5, number(component.weight), points_format)
            components.write(row, 6, number(component.points), points_format)
            components.write_string(row, 7, exact(component.points) or "")
            components.write_string(row, 8, explain_component(evaluation, bid, component))
            components.write_string(row, 9, component.reason)
            row += 1

    if sensitivity is not None:
        sheet = book.add_worksheet("Sensitivity")
        sheet.set_column(0, 4, 22)
        sheet.write_row(0, 0, ["Criterion", "Weight now", "Draw-level weight", "Change",
                               "Bid that draws level"], bold)  # fmt: skip
        row = 1
        for change in sensitivity.weight_changes:
            sheet.write_row(row, 0, [change.name, number(change.current_weight),
                                     number(change.new_weight), number(change.change),
                                     change.challenger])  # fmt: skip
            row += 1
        row += 1
        if sensitivity.monte_carlo is not None:
            sheet.write_row(row, 0, ["Bidder", "Share of weight draws won (%)"], bold)
            row += 1
            for bidder, probability in sensitivity.monte_carlo.win_probability.items():
                sheet.write_row(row, 0, [bidder, float(display_percent(probability * 100)[:-1])])
                row += 1
    book.close()


def write_report(evaluation: Evaluation, sensitivity: Sensitivity | None, path: Path) -> None:
    """Write the award report to ``path``; the format follows the suffix (.html, .pdf, .xlsx)."""
    suffix = path.suffix.lower()
    if suffix == ".html":
        path.write_text(award_report_html(evaluation, sensitivity), encoding="utf-8")
    elif suffix == ".pdf":
        path.write_bytes(award_report_pdf(evaluation, sensitivity))
    elif suffix == ".xlsx":
        write_award_workbook(evaluation, sensitivity, path)
    else:
        raise ReportFormatError(
            f"cannot write a report to {path.name}; end the name in .html, .pdf or .xlsx"
        )
