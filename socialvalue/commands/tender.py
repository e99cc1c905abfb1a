"""``socialvalue tender``: evaluate a tender from a YAML file or XLSX template.

A thin layer over :mod:`socialvalue.evaluation` and :mod:`socialvalue.reports`: it reads the file,
calls the engine and prints or writes the result. Problems in the file come back as one
:class:`~socialvalue.exceptions.EvaluationFileError` listing every problem, printed by the CLI's
``main`` without a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from socialvalue.evaluation.explain import (
    display_money,
    display_points,
    evaluation_as_dict,
    summary_lines,
)
from socialvalue.evaluation.fileformat import load
from socialvalue.evaluation.results import Evaluation
from socialvalue.evaluation.scoring import evaluate as evaluate_tender
from socialvalue.evaluation.sensitivity import Sensitivity, analyse
from socialvalue.exceptions import ReportFormatError

app = typer.Typer(
    help="Evaluate tenders: price, quality and social value scored transparently.",
    no_args_is_help=True,
)

REPORT_SUFFIXES = (".html", ".pdf", ".xlsx")


def _print_table(evaluation: Evaluation, console: Console) -> None:
    tender = evaluation.tender
    table = Table(title=tender.title or "Tender evaluation")
    table.add_column("Rank", justify="right")
    table.add_column("Bidder")
    table.add_column("Price", justify="right")
    top_ids = [criterion.id for criterion in tender.criteria]
    labels = {criterion.id: criterion.label for criterion in tender.criteria}
    for criterion_id in top_ids:
        table.add_column(labels[criterion_id], justify="right")
    table.add_column("Total", justify="right")
    table.add_column("Notes")
    for bid in evaluation.bids:
        points = bid.points_by_criterion()
        notes = [reason.message for reason in bid.reasons]
        notes += [flag.code.replace("_", " ") for flag in bid.flags]
        table.add_row(
            str(bid.rank) if bid.rank is not None else "excluded",
            bid.bidder,
            display_money(bid.price, tender.currency),
            *(display_points(points[criterion_id]) for criterion_id in top_ids),
            display_points(bid.total),
            "; ".join(notes),
        )
    console.print(table)


def _sensitivity_lines(evaluation: Evaluation, sensitivity: Sensitivity) -> list[str]:
    from socialvalue.reports.words import sensitivity_sentences

    return sensitivity_sentences(evaluation, sensitivity)


@app.command()
def evaluate(
    file: Annotated[
        Path, typer.Argument(help="The tender file: .yaml/.yml or the .xlsx template.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    report: Annotated[
        Path | None,
        typer.Option(help="Write an award report: out.html, out.pdf or out.xlsx."),
    ] = None,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Also analyse how fragile the ranking is.")
    ] = False,
) -> None:
    """Evaluate FILE and print the ranking, or write an award report."""
    if report is not None and report.suffix.lower() not in REPORT_SUFFIXES:
        raise ReportFormatError(
            f"cannot write a report to {report.name}; end the name in .html, .pdf or .xlsx"
        )
    evaluation = evaluate_tender(load(file))
    findings = analyse(evaluation) if sensitivity or report is not None else None
    if as_json:
        data = evaluation_as_dict(evaluation)
        if sensitivity and findings is not None:
            from socialvalue.reports.words import sensitivity_as_dict

            data["sensitivity"] = sensitivity_as_dict(findings)
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        console = Console()
        _print_table(evaluation, console)
        for line in summary_lines(evaluation):
            console.print(line, highlight=False)
        if sensitivity and findings is not None:
            console.print("\n[bold]Sensitivity[/bold]")
            for line in _sensitivity_lines(evaluation, findings):
                console.print(f"- {line}", highlight=False)
    if report is not None:
        from socialvalue.reports.award import write_report

        write_report(evaluation, findings, report)
        if not as_json:
            typer.echo(f"Wrote the award report to {report}")


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="Where to write the XLSX template (.xlsx).")],
    source: Annotated[
        Path | None,
        typer.Option("--from", help="Fill the template from this YAML file, not the example."),
    ] = None,
) -> None:
    """Write the XLSX evaluation template, ready to fill in and evaluate."""
    from socialvalue.evaluation.workbook import example_tender, write_workbook

    if out.suffix.lower() != ".xlsx":
        raise ReportFormatError(f"cannot write the template to {out.name}; end the name in .xlsx")
    tender = load(source) if source is not None else example_tender()
    write_workbook(tender, out)
    typer.echo(f"Wrote the template to {out}")
