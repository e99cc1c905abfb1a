"""Spend analysis reports: a self-contained HTML page or an XLSX workbook.

Charts are Altair (Vega-Lite) specifications rendered to SVG by vl-convert, so no browser or
network is needed. Both formats carry the same content: local share by place (and by financial
year), the top suppliers, leakage by region, the sector breakdown, the reconciliation, and the
method and data-quality notes. Pounds are shown to the penny, shares to one decimal place of a
percent (rounded half up, once, here).
"""

from __future__ import annotations

import html
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import altair as alt

from socialvalue.exceptions import ReportFormatError
from socialvalue.spend.analyse import RULES, SpendAnalysis
from socialvalue.spend.clean import format_pence, pence_to_pounds
from socialvalue.spend.dataset import Reconciliation

BAR = "#1d70b8"
METHOD_NOTES = (
    "Local share = spend with suppliers based or branched in the place ÷ all spend analysed "
    "(CLES method). Suppliers with no known location count as not local.",
    "Rules: 'registered office' counts only registered offices; 'based' adds trading addresses "
    "and addresses in the spend file; 'based or branched' adds branches and user confirmations.",
    "Suppliers are grouped on the normalised name (case, punctuation, Ltd/Limited removed).",
    "Top-N coverage = spend with the N largest named suppliers ÷ all spend.",
    "Leakage = spend not local to the place, by the region of the supplier's main location.",
    "Money is summed in whole pence; shares are exact fractions rounded for display only.",
)


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _bar_chart(rows: list[dict[str, Any]], x: str, y: str, title: str, x_title: str) -> str:
    import vl_convert

    chart = (
        alt.Chart(alt.Data(values=rows), title=title)
        .mark_bar(color=BAR)
        .encode(x=alt.X(f"{x}:Q", title=x_title), y=alt.Y(f"{y}:N", sort="-x", title=None))
        .properties(width=520)
    )
    svg: str = vl_convert.vegalite_to_svg(chart.to_dict())
    return svg


def charts(analysis: SpendAnalysis) -> dict[str, str]:
    """SVG charts by name: local share by year and place, top suppliers, leakage, sectors."""
    result = {}
    by_year = [
        {"label": f"{s.place_name} {s.period}", "share": float(s.local_share * 100)}
        for s in analysis.places_by_year
    ]
    if by_year:
        result["local_share_by_year"] = _bar_chart(
            by_year, "share", "label", "Local share by place and financial year", "Local share (%)"
        )
    top = [{"name": s.name, "pounds": float(pence_to_pounds(s.total_pence))}
           for s in analysis.top_suppliers[:20]]
    if top:
        result["top_suppliers"] = _bar_chart(top, "pounds", "name", "Top 20 suppliers", "£")
    leakage = [{"region": f"{place}: {region}", "pounds": float(pence_to_pounds(pence))}
               for place, region, pence in analysis.leakage[:20]]
    if leakage:
        result["leakage"] = _bar_chart(leakage, "pounds", "region", "Leakage by region", "£")
    sectors = [{"sector": label, "pounds": float(pence_to_pounds(pence))}
               for label, pence, _ in analysis.breakdowns.get("sector", ())[:20]]
    if sectors:
        result["sectors"] = _bar_chart(sectors, "pounds", "sector", "Spend by sector", "£")
    return result


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _reconciliation_rows(reconciliation: Reconciliation) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Read", reconciliation.rows_read,
         format_pence(reconciliation.pence_loaded + reconciliation.pence_quarantined)],
        ["Loaded", reconciliation.rows_loaded, format_pence(reconciliation.pence_loaded)],
        ["  of which corrected after the import", reconciliation.rows_corrected,
         format_pence(reconciliation.pence_corrected)],
        ["Quarantined", reconciliation.rows_quarantined,
         format_pence(reconciliation.pence_quarantined)],
    ]
    rows += [[f"  {reason}", count, ""]
             for reason, count in reconciliation.quarantined_by_reason.items()]
    rows.append(["Blank rows (not data)", reconciliation.rows_blank, ""])
    if reconciliation.pence_changed_by_corrections:
        # Read = loaded + quarantined counts corrected rows at their corrected amounts.
        rows.append(["Amount changed by corrections", "",
                     format_pence(reconciliation.pence_changed_by_corrections)])
    return rows


def html_report(analysis: SpendAnalysis, reconciliation: Reconciliation) -> str:
    """The report as one HTML page with inline SVG charts."""
    svgs = charts(analysis)
    places = _table(
        ["Place", "Total (£)", *[f"Local: {r.replace('_', ' ')} (£)" for r in RULES], "Share"],
        [[p.place_name, format_pence(p.total_pence),
          *[format_pence(p.local_pence_by_rule[r]) for r in RULES], _percent(p.local_share)]
         for p in analysis.places],
    )
    top = _table(
        ["Rank", "Supplier", "Total (£)", "Transactions", "Local to"],
        [[s.rank, s.name, format_pence(s.total_pence), s.transactions, ", ".join(s.local_places)]
         for s in analysis.top_suppliers],
    )
    leakage = _table(["Place", "Region", "Leakage (£)"],
                     [[p, r, format_pence(x)] for p, r, x in analysis.leakage])
    quality = [*analysis.notes,
               f"{analysis.suppliers_located} of {analysis.suppliers_total} suppliers have a "
               "known location."]
    for report in reconciliation.files:
        quality += list(report.notes)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Spend analysis</title><style>body{font-family:sans-serif;max-width:60rem;"
        "margin:2rem auto}table{border-collapse:collapse}td,th{border:1px solid #b1b4b6;"
        "padding:.25rem .5rem;text-align:left}</style></head><body>",
        "<h1>Spend analysis</h1>",
        f"<p>Total analysed: £{format_pence(analysis.total_pence)} in "
        f"{analysis.transactions:,} transactions. Top {len(analysis.top_suppliers)} suppliers "
        f"cover {_percent(analysis.top_coverage)}.</p>",
        "<h2>Local share</h2>", places, svgs.get("local_share_by_year", ""),
        "<h2>Top suppliers</h2>", svgs.get("top_suppliers", ""), top,
        "<h2>Leakage by region</h2>", svgs.get("leakage", ""), leakage,
        "<h2>Spend by sector</h2>", svgs.get("sectors", ""),
        "<h2>Reconciliation</h2>",
        _table(["", "Rows", "Amount (£)"], _reconciliation_rows(reconciliation)),
        "<h2>Method</h2><ul>", *(f"<li>{html.escape(n)}</li>" for n in METHOD_NOTES), "</ul>",
        "<h2>Data quality</h2><ul>", *(f"<li>{html.escape(n)}</li>" for n in quality), "</ul>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_xlsx(path: Path, analysis: SpendAnalysis, reconciliation: Reconciliation) -> None:
    """The report as a workbook: one sheet per table, amounts as numbers to the penny."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    money = book.add_format({"num_format": "#,##0.00"})
    percent = book.add_format({"num_format": "0.0%"})
    bold = book.add_format({"bold": True})

    def sheet(name: str, headers: list[str], rows: list[list[Any]],
              formats: dict[int, Any] | None = None) -> Any:
        worksheet = book.add_worksheet(name)
        worksheet.write_row(0, 0, headers, bold)
        for r, row in enumerate(rows, 1):
            for c, value in enumerate(row):
                fmt = (formats or {}).get(c)
                if isinstance(value, Decimal):
                    worksheet.write_number(r, c, float(value), fmt)
                else:
                    worksheet.write(r, c, value, fmt)
        worksheet.set_column(0, len(headers), 18)
        return worksheet

    sheet("Local share", ["Place", "Period", "Total (£)", "Local (£)", "Share"],
          [[s.place_name, s.period or "all", pence_to_pounds(s.total_pence),
            pence_to_pounds(s.local_pence), s.local_share]
           for s in (*analysis.places, *analysis.places_by_year)],
          {2: money, 3: money, 4: percent})
    top = sheet("Top suppliers", ["Rank", "Supplier", "Total (£)", "Transactions"],
                [[s.rank, s.name, pence_to_pounds(s.total_pence), s.transactions]
                 for s in analysis.top_suppliers], {2: money})
    if analysis.top_suppliers:
        chart = book.add_chart({"type": "bar"})
        count = min(20, len(analysis.top_suppliers))
        chart.add_series({"categories": ["Top suppliers", 1, 1, count, 1],
                          "values": ["Top suppliers", 1, 2, count, 2], "name": "£"})
        chart.set_title({"name": "Top suppliers"})
        top.insert_chart("F2", chart)
    sheet("Leakage", ["Place", "Region", "Leakage (£)"],
          [[p, r, pence_to_pounds(x)] for p, r, x in analysis.leakage], {2: money})
    for name, rows in analysis.breakdowns.items():
        sheet(f"By {name}"[:31], [name, "Total (£)", "Transactions"],
              [[label, pence_to_pounds(p), n] for label, p, n in rows], {1: money})
    sheet("Reconciliation", ["", "Rows", "Amount (£)"], _reconciliation_rows(reconciliation))
    sheet("Notes", ["Method and data quality"],
          [[n] for n in (*METHOD_NOTES, *analysis.notes)])
    book.close()


def write_report(path: Path, analysis: SpendAnalysis, reconciliation: Reconciliation) -> None:
    """Write ``path`` as HTML or XLSX, by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".html":
        path.write_text(html_report(analysis, reconciliation), "utf-8")
    elif suffix == ".xlsx":
        write_xlsx(path, analysis, reconciliation)
    else:
        raise ReportFormatError(f"{path}: the report must end in .html or .xlsx")
