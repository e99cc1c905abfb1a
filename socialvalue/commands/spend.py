"""``socialvalue spend``: import council spend files and analyse where the money goes.

A thin layer over :mod:`socialvalue.spend`: ``ingest`` reads files into a dataset folder and
prints the reconciliation; ``quarantine`` lists the rows it could not load and ``correct`` loads
them with corrected values; ``analyse`` computes local shares, top suppliers and leakage.
"""

from __future__ import annotations

import json
from decimal import Decimal
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
    if reconciliation.rows_corrected:
        table.add_row("  of which corrected after the import",
                      f"{reconciliation.rows_corrected:,}",
                      format_pence(reconciliation.pence_corrected))
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
        typer.Option("--map", help="HEADER=field, e.g. 'Payee=supplier_name' (saved)."),
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


@app.command()
def quarantine(
    dataset: Annotated[Path, typer.Argument(help="The dataset folder.")],
    reason: Annotated[str, typer.Option(help="Only rows quarantined for this reason.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """List quarantined rows with their values as written and the ROW id 'spend correct' takes."""
    from socialvalue.spend.corrections import RowRef
    from socialvalue.spend.dataset import quarantined_rows

    frame = quarantined_rows(dataset)
    columns = ["file_key", "file_name", "sheet", "source_row", "reason", "payment_date_raw",
               "amount_raw", "supplier_name_raw"]
    relation = frame.select(*columns).to_native()
    rows = [dict(zip(columns, values, strict=True)) for values in relation.fetchall()]
    rows = [r for r in rows if not reason or r["reason"] == reason]
    rows.sort(key=lambda r: (r["file_name"], r["sheet"] or "", r["source_row"]))
    for row in rows:
        row["row"] = RowRef(row["file_key"], row["sheet"], row["source_row"]).token
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} quarantined rows")
    for header in ("ROW", "File and row", "Reason", "Date", "Amount", "Supplier"):
        table.add_column(header)
    for row in rows:
        sheet = f" ({row['sheet']})" if row["sheet"] else ""
        where = f"{row['file_name']}{sheet}"
        table.add_row(row["row"], f"{where} row {row['source_row']}", row["reason"],
                      row["payment_date_raw"] or "", row["amount_raw"] or "",
                      row["supplier_name_raw"] or "")
    Console().print(table)


@app.command()
def correct(
    dataset: Annotated[Path, typer.Argument(help="The dataset folder.")],
    rows: Annotated[list[str], typer.Argument(help="ROW ids from 'spend quarantine'.")],
    by: Annotated[str, typer.Option(help="Who is correcting the rows (kept with them).")],
    date: Annotated[str | None, typer.Option(help="The payment date, e.g. 30/09/2024.")] = None,
    amount: Annotated[str | None, typer.Option(help="The amount, e.g. 1,234.56.")] = None,
    supplier: Annotated[str | None, typer.Option(help="The supplier (payee) name.")] = None,
    note: Annotated[str, typer.Option(help="Why (kept with the rows).")] = "",
    check: Annotated[
        bool, typer.Option("--check", help="Only say what would happen; change nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the reconciliation as one JSON object.")
    ] = False,
) -> None:
    """Load quarantined rows with corrected values (all or none), checked like an import.

    A value not given keeps each row's value as written. Exits with 1, changing nothing, when
    a row still fails.
    """
    from socialvalue.spend.corrections import (
        RowCorrection,
        RowRef,
        apply_corrections,
        check_corrections,
    )

    corrections = [RowCorrection(RowRef.from_token(token), payment_date=date, amount=amount,
                                 supplier_name=supplier) for token in rows]
    if check:
        checked = check_corrections(dataset, corrections)
        for row in checked:
            outcome = "would load" if row.loads else f"still fails ({row.reason})"
            typer.echo(f"{row.describe()}: {outcome}")
        if not all(row.loads for row in checked):
            raise typer.Exit(1)
        return
    result = apply_corrections(dataset, corrections, corrected_by=by, note=note)
    if as_json:
        typer.echo(json.dumps(result.reconciliation.as_dict(), ensure_ascii=False))
        return
    print_reconciliation(result.reconciliation, Console())


def _pounds(pence: int) -> str:
    from socialvalue.spend.clean import format_pence

    return format_pence(pence)


def analysis_as_dict(analysis: Any, reconciliation: Any) -> dict[str, Any]:
    """The JSON form of an analysis: pounds and shares as decimal strings."""
    from socialvalue.spend.analyse import year_on_year

    return {
        "total": _pounds(analysis.total_pence),
        "transactions": analysis.transactions,
        "places": [
            {
                "code": place.place_code,
                "name": place.place_name,
                "total": _pounds(place.total_pence),
                "local_total": _pounds(place.local_pence),
                "local_share": str(place.local_share),
                "rule": "based_or_branched",
                "local_total_by_rule": {r: _pounds(p) for r, p in
                                        place.local_pence_by_rule.items()},
                "local_share_by_rule": {r: str(s) for r, s in place.share_by_rule().items()},
            }
            for place in analysis.places
        ],
        "by_year": [
            {"code": s.place_code, "period": s.period, "total": _pounds(s.total_pence),
             "local_total": _pounds(s.local_pence), "local_share": str(s.local_share)}
            for s in analysis.places_by_year
        ],
        "year_on_year": [
            {**row, "local_share": str(row["local_share"]),
             "change_points": None if row["change_points"] is None
             else str(row["change_points"].quantize(Decimal("0.01")))}
            for row in year_on_year(analysis)
        ],
        "top_n": analysis.top_n,
        "top_coverage": str(analysis.top_coverage),
        "top_suppliers": [
            {"rank": s.rank, "name": s.name, "key": s.supplier_key,
             "total": _pounds(s.total_pence), "transactions": s.transactions,
             "local_to": list(s.local_places)}
            for s in analysis.top_suppliers
        ],
        "leakage": [
            {"place": place, "region": region, "amount": _pounds(pence)}
            for place, region, pence in analysis.leakage
        ],
        "breakdowns": {
            name: [{"label": label, "amount": _pounds(pence), "transactions": count}
                   for label, pence, count in rows]
            for name, rows in analysis.breakdowns.items()
        },
        "payee_classes": [
            {"class": label, "amount": _pounds(pence), "transactions": count}
            for label, pence, count in analysis.payee_classes
        ],
        "suppliers_located": analysis.suppliers_located,
        "suppliers_total": analysis.suppliers_total,
        "notes": list(analysis.notes),
        "reconciliation": {
            key: value for key, value in reconciliation.as_dict().items() if key != "file_reports"
        },
    }


@app.command()
def analyse(
    dataset: Annotated[Path, typer.Argument(help="A dataset folder made by 'spend ingest'.")],
    place: Annotated[
        list[str],
        typer.Option(help="A place: district/county/region name or ONS code, 'Lancashire-14' …"),
    ],
    suppliers: Annotated[
        Path | None,
        typer.Option(help="Your supplier list CSV: name, postcode [, company_number, sic, type, "
                     "basis]."),
    ] = None,
    top: Annotated[int, typer.Option(help="How many top suppliers to list.")] = 300,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    report: Annotated[
        Path | None, typer.Option(help="Write a report: out.html or out.xlsx.")
    ] = None,
    areas: Annotated[
        list[Path] | None,
        typer.Option(help="ONS lookup CSVs naming districts, counties and regions (remembered)."),
    ] = None,
    places_file: Annotated[
        Path | None, typer.Option("--places", help="Your own places (YAML or CSV).")
    ] = None,
) -> None:
    """Local share per place, top suppliers with coverage, leakage by region, breakdowns."""
    from socialvalue.config import get_settings
    from socialvalue.geography.areas import (
        load_area_lookups,
        read_saved_area_lookup,
        save_area_lookup,
    )
    from socialvalue.geography.places import all_places, resolve_place
    from socialvalue.geography.postcodes import PostcodeDirectory
    from socialvalue.spend.analyse import analyse_spend
    from socialvalue.spend.dataset import open_dataset, transactions
    from socialvalue.spend.supplier_list import (
        read_supplier_list,
        read_supplier_records,
        supplier_attributes,
        supplier_locations,
    )
    from socialvalue.suppliers.store import output_dir

    if report is not None and report.suffix.lower() not in REPORT_SUFFIXES:
        raise ReportFormatError(f"{report}: the report must end in .html or .xlsx")
    cache = get_settings().var_dir / "cache"
    saved = cache / "areas.json"
    if areas:
        lookup = load_area_lookups(areas)
        save_area_lookup(lookup, saved)
    else:
        lookup = read_saved_area_lookup(saved)
    known_places = all_places(lookup, [places_file] if places_file else [])
    chosen = [resolve_place(text, known_places) for text in place]
    locations = []
    attributes = None
    # Accepted matches from `socialvalue suppliers match DATASET` are used without a flag.
    records = output_dir(dataset) / "suppliers.parquet"
    rows = read_supplier_records(records) if records.exists() else []
    if suppliers is not None:
        rows += read_supplier_list(suppliers)
    if rows:
        locations = supplier_locations(rows, PostcodeDirectory(cache), lookup)
        attributes = supplier_attributes(rows)
    data = open_dataset(dataset)
    analysis = analyse_spend(
        transactions(dataset), places=chosen, locations=locations, attributes=attributes, top=top
    )
    result = analysis_as_dict(analysis, data.reconciliation)
    if report is not None:
        from socialvalue.spend.report import write_report

        write_report(report, analysis, data.reconciliation)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    console = Console()
    table = Table(title="Local share of spend (based or branched)")
    for column in ("Place", "Total (£)", "Local (£)", "Share"):
        table.add_column(column, justify="left" if column == "Place" else "right")
    for entry in result["places"]:
        table.add_row(entry["name"], entry["total"], entry["local_total"],
                      f"{Decimal(entry['local_share']) * 100:.1f}%")
    console.print(table)
    console.print(f"Top {len(result['top_suppliers'])} suppliers cover "
                  f"{Decimal(result['top_coverage']) * 100:.1f}% of spend.")
    for note in result["notes"]:
        console.print(f"Note: {note}")
    if report is not None:
        console.print(f"Report written to {report}")
