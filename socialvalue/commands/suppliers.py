"""``socialvalue suppliers``: match a spend dataset's suppliers to registers, review, export.

A thin layer over :mod:`socialvalue.suppliers`. Results live beside the spend dataset (see
:mod:`socialvalue.suppliers.store`), so ``socialvalue spend analyse`` finds them without flags.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.prompt import Prompt
from rich.table import Table

from socialvalue.exceptions import (
    LinkageBackendMissingError,
    SupplierDecisionError,
    SupplierMatchingError,
)
from socialvalue.suppliers.decisions import (
    DecisionAction,
    apply_decisions,
    decide,
    load_decisions,
    save_decisions,
)
from socialvalue.suppliers.linkage import INSTALL_HINT, link_suppliers, splink_available
from socialvalue.suppliers.matching import MatchResult, MatchSettings, MatchStatus, match_suppliers
from socialvalue.suppliers.registers import load_register, register_cache_path
from socialvalue.suppliers.store import (
    output_dir,
    read_ledger_suppliers,
    read_matches,
    supplier_records,
    write_results,
)

app = typer.Typer(
    help="Supplier matching: group ledger spellings, match them to company and charity "
    "registers, review the uncertain ones, export the records.",
    no_args_is_help=True,
)
console = Console()

SpendArgument = Annotated[
    Path,
    typer.Argument(
        help="A spend dataset directory (from 'socialvalue spend ingest'), or a CSV/Parquet "
        "file with a supplier_name column."
    ),
]


def _cache_dir() -> Path:
    return Path(os.environ.get("SOCIALVALUE_VAR_DIR", "var")) / "registers"


def _prepare_register(path: Path, quiet: bool) -> Path:
    if path.suffix == ".parquet":
        return path
    destination = register_cache_path(path, _cache_dir())
    if destination.is_file():
        return destination
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=quiet,
    ) as progress:
        task = progress.add_task(f"Loading register {path.name}", total=None)
        loaded = load_register(
            path, destination, progress=lambda rows: progress.update(task, completed=rows)
        )
    if not quiet:
        problems = sum(loaded.identifier_problems.values())
        console.print(
            f"Loaded {loaded.rows_written:,} entries from {escape(path.name)} "
            f"({loaded.register_format}); {problems:,} number(s) failed their check and are "
            "not used."
        )
    return destination


class Backend(StrEnum):
    """Which matcher ``suppliers match`` uses."""

    CORE = "core"
    SPLINK = "splink"


def _summary(results: list[MatchResult]) -> dict[str, int]:
    counts = {status.value: 0 for status in MatchStatus}
    for result in results:
        counts[result.status.value] += 1
    return counts


@app.command("match")
def match(
    spend: SpendArgument,
    register: Annotated[
        list[Path],
        typer.Option(
            "--register",
            help="A register file: Companies House BasicCompanyData CSV, Charity Commission "
            "extract, Gender Pay Gap download, a generic CSV (name, company_number, postcode, "
            "sic, type) or a .parquet built earlier. Repeat for several.",
        ),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    accept: Annotated[
        float, typer.Option(help="Confidence from which a match is accepted.")
    ] = MatchSettings.accept_confidence,
    review: Annotated[
        float, typer.Option(help="Confidence from which a match is sent to review.")
    ] = MatchSettings.review_confidence,
    backend: Annotated[
        Backend,
        typer.Option(
            help="core: numbers, exact and fuzzy names (rapidfuzz). splink: probabilistic "
            "linkage (needs the 'linkage' extra: uv sync --extra linkage); reviewed decisions "
            "train its m values.",
        ),
    ] = Backend.CORE,
) -> None:
    """Match the suppliers of SPEND_DIR to registers; earlier review decisions are reapplied."""
    if not 0 <= review <= accept <= 1:
        raise SupplierMatchingError("thresholds must satisfy 0 ≤ --review ≤ --accept ≤ 1")
    if backend is Backend.SPLINK and not splink_available():
        raise LinkageBackendMissingError(INSTALL_HINT)
    registers = [_prepare_register(path, as_json) for path in register]
    groups, suppliers = read_ledger_suppliers(spend)
    destination = output_dir(spend)
    decisions = load_decisions(destination / "decisions.json")
    settings = MatchSettings(accept_confidence=accept, review_confidence=review)
    with console.status("Matching suppliers…", spinner="dots") if not as_json else _null():
        if backend is Backend.SPLINK:
            results = link_suppliers(suppliers, registers, settings=settings, decisions=decisions)
        else:
            results = match_suppliers(suppliers, registers, settings=settings)
    results = apply_decisions(results, decisions)
    write_results(destination, results, groups)
    counts = _summary(results)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "output": str(destination),
                    "suppliers": len(results),
                    "counts": counts,
                    "results": [
                        {**asdict(result), "status": result.status.value} for result in results
                    ],
                },
                indent=1,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=f"{len(results):,} suppliers from {spend.name}")
    table.add_column("status")
    table.add_column("suppliers", justify="right")
    for status, count in counts.items():
        table.add_row(status, f"{count:,}")
    console.print(table)
    console.print(
        f"Results in {escape(str(destination))}. Next: 'socialvalue suppliers review "
        f"{escape(str(spend))}'."
    )


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def _show(result: MatchResult, position: int, total: int) -> None:
    console.rule(f"{position}/{total}  {escape(result.name)}")
    if len(result.raw_names) > 1:
        console.print("Also spelt: " + escape("; ".join(result.raw_names[1:6])))
    if result.reasons:
        console.print("Notes: " + escape(", ".join(result.reasons)))
    table = Table(show_header=True)
    for column in ("#", "register name", "number", "postcode", "SIC", "confidence", "evidence"):
        table.add_column(column)
    for index, candidate in enumerate(result.candidates, start=1):
        table.add_row(
            str(index),
            escape(candidate.name),
            candidate.company_number or candidate.charity_number or "",
            candidate.postcode or "",
            ", ".join(candidate.sic_codes[:3]),
            f"{candidate.confidence:.2f}",
            escape("; ".join(candidate.evidence)),
        )
    console.print(table)


@app.command("review")
def review(
    spend: SpendArgument,
    reviewer: Annotated[str, typer.Option(help="Your name, kept with each decision.")] = "",
    include_unmatched: Annotated[
        bool, typer.Option(help="Also review unmatched suppliers that have candidates.")
    ] = False,
) -> None:
    """Review uncertain matches in the terminal: a accept, r reject, 1–9 pick, s skip, q quit."""
    destination = output_dir(spend)
    decisions_path = destination / "decisions.json"
    decisions = load_decisions(decisions_path)
    results = apply_decisions(read_matches(destination), decisions)
    wanted = {MatchStatus.REVIEW} | ({MatchStatus.UNMATCHED} if include_unmatched else set())
    queue = [r for r in results if r.status in wanted and (r.candidates or r.reasons)]
    if not queue:
        console.print("Nothing to review.")
        return
    made = 0
    for position, result in enumerate(queue, start=1):
        _show(result, position, len(queue))
        choices = ["a", "r", "s", "q"] + [str(i) for i in range(1, len(result.candidates) + 1)]
        answer = Prompt.ask(
            "[a]ccept 1, [r]eject, pick [1-9], [s]kip, [q]uit", choices=choices, default="s"
        )
        if answer == "q":
            break
        if answer == "s":
            continue
        try:
            if answer == "a":
                decision = decide(result, DecisionAction.ACCEPT, decided_by=reviewer)
            elif answer == "r":
                decision = decide(result, DecisionAction.REJECT, decided_by=reviewer)
            else:
                decision = decide(
                    result,
                    DecisionAction.PICK,
                    candidate_index=int(answer) - 1,
                    decided_by=reviewer,
                )
        except SupplierDecisionError as error:
            console.print(f"[red]{escape(str(error))}[/red]")
            continue
        decisions.append(decision)
        save_decisions(decisions_path, decisions)
        made += 1
    results = apply_decisions(read_matches(destination), decisions)
    write_results(destination, results)
    console.print(f"{made} decision(s) saved to {escape(str(decisions_path))}.")


@app.command("export")
def export(
    spend: SpendArgument,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write here (.csv or .json); default: print CSV."),
    ] = None,
) -> None:
    """Export one supplier record per supplier (status, register entry, postcode, SIC, type)."""
    destination = output_dir(spend)
    results = apply_decisions(
        read_matches(destination), load_decisions(destination / "decisions.json")
    )
    records = supplier_records(results)
    rows = []
    for result, record in zip(results, records, strict=True):
        rows.append(
            {
                "supplier_key": record.supplier_key,
                "ledger_name": result.name,
                "status": result.status.value,
                "confidence": result.confidence,
                "register": record.register or "",
                "entry_id": record.register_entry_id or "",
                "registered_name": record.name if record.register else "",
                "company_number": record.company_number or "",
                "charity_number": record.charity_number or "",
                "registered_office_postcode": record.registered_office_postcode or "",
                "sic_codes": ";".join(record.sic_codes),
                "business_type": record.business_type.value,
                "is_sme": "" if record.is_sme is None else str(record.is_sme).lower(),
                "spellings": ";".join(record.raw_names),
            }
        )
    if output is not None and output.suffix == ".json":
        output.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"Wrote {len(rows):,} suppliers to {escape(str(output))}.")
        return
    fieldnames = list(rows[0]) if rows else ["supplier_key"]
    if output is None:
        writer = csv.DictWriter(typer.get_text_stream("stdout"), fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
        return
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    console.print(f"Wrote {len(rows):,} suppliers to {escape(str(output))}.")
