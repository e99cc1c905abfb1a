"""``socialvalue spend``: import council spend files and analyse where the money goes.

A thin layer over :mod:`socialvalue.spend`: ``ingest`` reads files into a dataset folder and
prints the reconciliation; ``analyse`` computes local shares, top suppliers and leakage from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from socialvalue.exceptions import ReportFormatError, SpendFileError

app = typer.Typer(
    help="Spend analysis: import spend files with every penny reconciled; local share, "
    "top suppliers, leakage.",
    no_args_is_help=True,
)

REPORT_SUFFIXES = (".html", ".xlsx")


def _parse_maps(values: list[str]) -> dict[str, str]:
    overrides = {}
    for value in values:
        header, separator, target = value.rpartition("=")
        if not separator or not header.strip():
            raise SpendFileError(
                f"--map {value!r}: write it as \"HEADER=field\", e.g. --map \"Payee=supplier_name\""
            )
        overrides[header] = target.strip()
    return overrides


def print_reconciliation(reconciliation: Any, console: Console) -> None:
    """The reconciliation as a table: rows and pounds read, loaded, quarantined by reason."""
    from socialvalue.spend.clean import format_pence

    table = Table(title="Reconciliation", show_lines=False)
    table.add_column("")
    table.add_column("Rows", justify="right")
    table.add_column("Amount (£)", justify="right")
    read_pence = reconciliation.pence_loaded + reconciliation.pence_quarantined
    table.add_row("Read", f"{reconciliation.rows_read:,}", format_pence(read_pence))
    table.add_row("Loaded", f"{reconciliation.rows_loaded:,}",
                  format_pence(reconciliation.pence_loaded))
    table.add_row("Quarantined", f"{reconciliation.rows_quarantined:,}",
                  format_pence(reconciliation.pence_quarantined))
    by_amount: dict[str, int] = {}
    for report in reconciliation.files:
        for reason in report.quarantined_by_reason:
            by_amount.setdefault(reason, 0)
    for reason, count in reconciliation.quarantined_by_reason.items():
        table.add_row(f"  {reason.replace('_', ' ')}", f"{count:,}", "")
    table.add_row("Blank rows (not data)", f"{reconciliation.rows_blank:,}", "")
    console.print(table)
    balanced = "balances" if reconciliation.balanced else "DOES NOT BALANCE"
    console.print(
        f"{len(reconciliation.files)} files; read = loaded + quarantined: {balanced}."
    )
    for skipped in reconciliation.skipped:
        console.print(f"Skipped {skipped.name}: {skipped.reason}")
    for report in reconciliation.files:
        for note in report.notes:
            console.print(f"Note: {note}")


@app.command()
def ingest(
    files: Annotated[list[Path], typer.Argument(help="CSV, XLSX or zip files, or folders.")],
    publisher: Annotated[str, typer.Option(help="Who published the files, e.g. 'Hyndburn BC'.")],
    out: Annotated[Path, typer.Option(help="The dataset folder (created if missing).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the reconciliation as one JSON object.")
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(help="Re-import files already in the dataset (same content or name)."),
    ] = False,
    column_map: Annotated[
        list[str] | None,
        typer.Option("--map", help="HEADER=field, e.g. 'Payee=supplier_name'; saved per publisher."),
    ] = None,
) -> None:
    """Import spend files: every row loaded or quarantined with a reason, totals reconciled."""
    from socialvalue.spend.ingest import IngestProgress
    from socialvalue.spend.ingest import ingest as run_ingest

    overrides = _parse_maps(column_map or [])
    console = Console(stderr=as_json)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:>10,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json or not console.is_terminal,
    ) as bar:
        task = bar.add_task("Reading", total=None, rows=0)

        def show(progress: IngestProgress) -> None:
            description = progress.stage.capitalize()
            if progress.file_name:
                description += f" {progress.file_name}"
            bar.update(
                task,
                description=description,
                total=progress.bytes_total or None,
                completed=progress.bytes_done,
                rows=progress.rows_read,
            )

        reconciliation = run_ingest(
            files,
            publisher=publisher,
            out_dir=out,
            replace_existing=replace,
            column_overrides=overrides,
            progress=show,
        )
    if as_json:
        typer.echo(json.dumps(reconciliation.as_dict(), ensure_ascii=False))
        return
    print_reconciliation(reconciliation, Console())
