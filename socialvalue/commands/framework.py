"""``socialvalue framework``: list, show, validate, diff and export social value frameworks.

A thin layer over :mod:`socialvalue.frameworks`. ``ID`` arguments take a built-in framework id
(``socialvalue framework list``) or a path to a framework file (.yaml, .json, .csv, .xlsx). A file
with problems raises :class:`~socialvalue.exceptions.FrameworkFileError` listing every problem with
its file, line and field path; the CLI prints them and exits with code 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from socialvalue.frameworks.crosswalk import NodeRef, load_builtin_crosswalk
from socialvalue.frameworks.diff import diff_frameworks, format_diff
from socialvalue.frameworks.export import (
    EXPORT_FORMATS,
    ExportFormat,
    export_framework,
    framework_fingerprint,
    framework_to_json,
)
from socialvalue.frameworks.loader import (
    builtin_framework_ids,
    load_builtin_framework,
    load_framework,
    resolve_framework,
)
from socialvalue.frameworks.model import Framework, Measure, Outcome, Provenance
from socialvalue.frameworks.proxies import (
    ProxyValueSet,
    builtin_proxy_set_ids,
    load_builtin_proxy_set,
    load_builtin_proxy_sets,
    load_deflator_series,
    load_proxy_set,
    uplift_value,
)

app = typer.Typer(
    help="Social value frameworks: list, show, validate, diff and export; open proxy values.",
    no_args_is_help=True,
)
proxies_app = typer.Typer(
    help="Open proxy value sets shipped with the toolkit.", no_args_is_help=True
)
app.add_typer(proxies_app, name="proxies")

FrameworkArgument = Annotated[
    str, typer.Argument(help="A built-in framework id (see 'list') or a framework file path.")
]


def _console() -> Console:
    return Console(highlight=False)


@app.command("list")
def list_frameworks() -> None:
    """List the built-in frameworks."""
    table = Table(title="Built-in social value frameworks")
    for column in ("id", "name", "version", "publisher", "outcomes", "measures"):
        table.add_column(
            column,
            justify="right" if column in {"outcomes", "measures"} else "left",
            no_wrap=column == "id",
            overflow="fold",
        )
    for framework_id in builtin_framework_ids():
        framework = load_builtin_framework(framework_id)
        table.add_row(
            framework.id,
            framework.name,
            framework.version,
            framework.publisher,
            str(sum(1 for _ in framework.iter_outcomes())),
            str(sum(1 for _ in framework.iter_measures())),
        )
    _console().print(table)


@app.command("show")
def show(
    framework_ref: FrameworkArgument,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the canonical JSON instead of a tree.")
    ] = False,
) -> None:
    """Show a framework: its outcomes and measures, defaults and sources."""
    framework = resolve_framework(framework_ref)
    if as_json:
        typer.echo(framework_to_json(framework), nl=False)
        return
    console = _console()
    console.print(
        f"[bold]{escape(framework.name)}[/bold] "
        f"({framework.id}, version {escape(framework.version)})"
    )
    console.print(escape(f"Publisher: {framework.publisher}   Licence: {framework.licence}"))
    defaults = framework.defaults
    facts = []
    if defaults.weight_percent is not None:
        facts.append(f"default weight {defaults.weight_percent}%")
    if defaults.minimum_weight_percent is not None:
        facts.append(f"minimum weight {defaults.minimum_weight_percent}%")
    if defaults.threshold_gbp is not None:
        facts.append(f"threshold £{defaults.threshold_gbp:,}")
    facts.extend(
        f"Part {part.id} {part.weight_percent}%" if part.weight_percent is not None else part.id
        for part in defaults.parts
    )
    if facts:
        console.print(escape("Defaults: " + "; ".join(facts)))
    if framework.level_descriptors:
        console.print(
            escape(
                "Levels: "
                + "; ".join(f"{d.level} {d.descriptor}" for d in framework.level_descriptors)
            )
        )
    tree = Tree(f"{framework.id}")
    for outcome in framework.outcomes:
        _add_outcome(tree, outcome)
    console.print(tree)
    if framework.sources:
        console.print("Sources:")
        for source in framework.sources:
            console.print(escape(f"  [{source.key}] {source.title} {source.url}".rstrip()))
    console.print(
        "Marks: (example) drawn from examples, not published by the owner; "
        "(unknown) name not verified."
    )


def _mark(provenance: Provenance) -> str:
    return "" if provenance is Provenance.PUBLISHED else f" ({provenance})"


def _add_outcome(parent: Tree, outcome: Outcome) -> None:
    branch = parent.add(
        escape(f"{outcome.kind} {outcome.id}: {outcome.title}{_mark(outcome.provenance)}")
    )
    for measure in outcome.measures:
        branch.add(escape(_measure_label(measure)))
    for child in outcome.outcomes:
        _add_outcome(branch, child)


def _measure_label(measure: Measure) -> str:
    modes = ", ".join(measure.scoring_modes)
    rules = []
    if measure.counting.local_only:
        rules.append("local only")
    if not measure.counting.count_each_year:
        rules.append("first year only")
    if measure.counting.exclusive_group:
        rules.append(f"exclusive: {measure.counting.exclusive_group}")
    extra = f"; {', '.join(rules)}" if rules else ""
    return (
        f"measure {measure.id}: {measure.title} [{measure.unit}; {modes}{extra}]"
        f"{_mark(measure.provenance)}"
    )


@app.command("validate")
def validate(
    path: Annotated[Path, typer.Argument(help="Framework file (.yaml, .json, .csv or .xlsx).")],
    proxy_sets: Annotated[
        list[Path] | None,
        typer.Option(
            "--proxy-set",
            help="Proxy value set file(s) that proxy references must resolve against "
            "(the built-in open sets are always included when this is given).",
        ),
    ] = None,
) -> None:
    """Check a framework file and report every problem at once."""
    sets: list[ProxyValueSet] | None = None
    if proxy_sets:
        sets = [*load_builtin_proxy_sets(), *(load_proxy_set(item) for item in proxy_sets)]
    framework = load_framework(path, proxy_sets=sets)
    outcomes = sum(1 for _ in framework.iter_outcomes())
    measures = sum(1 for _ in framework.iter_measures())
    typer.echo(
        f"{path}: valid framework {framework.id} version {framework.version} "
        f"({outcomes} outcomes, {measures} measures); "
        f"fingerprint {framework_fingerprint(framework)}"
    )


@app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="The old framework: built-in id or file path.")],
    new: Annotated[str, typer.Argument(help="The new framework: built-in id or file path.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Show what changed between two frameworks or two versions of one."""
    result = diff_frameworks(resolve_framework(old), resolve_framework(new))
    if not as_json:
        typer.echo(format_diff(result), nl=False)
        return
    payload = {
        "old": result.old_label,
        "new": result.new_label,
        "framework_fields": [
            {"field": change.field, "old": change.old, "new": change.new}
            for change in result.framework_fields
        ],
        "nodes": [
            {
                "type": node.node_type,
                "id": node.id,
                "title": node.title,
                "change": str(node.change),
                "old_parent": node.old_parent,
                "new_parent": node.new_parent,
                "fields": [
                    {"field": change.field, "old": change.old, "new": change.new}
                    for change in node.fields
                ],
            }
            for node in result.nodes
        ],
    }
    typer.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))


@app.command("export")
def export(
    framework_ref: FrameworkArgument,
    export_format: Annotated[
        str, typer.Option("--format", "-f", help="One of: yaml, json, csv, xlsx.")
    ] = "yaml",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here instead of to standard output.")
    ] = None,
) -> None:
    """Export a framework as YAML, JSON, CSV or XLSX; loading the export gives it back unchanged."""
    if export_format not in EXPORT_FORMATS:
        raise typer.BadParameter(
            f"'{export_format}' is not a format; use one of: {', '.join(EXPORT_FORMATS)}",
            param_hint="--format",
        )
    chosen: ExportFormat = export_format  # type: ignore[assignment]
    if chosen == "xlsx" and out is None:
        raise typer.BadParameter("XLSX is binary: give a file with --out", param_hint="--out")
    framework = resolve_framework(framework_ref)
    content = export_framework(framework, chosen)
    if out is None:
        typer.echo(content, nl=False)
        return
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content, encoding="utf-8")
    typer.echo(f"Wrote {framework.id} version {framework.version} as {chosen} to {out}")


@app.command("crosswalk")
def crosswalk(
    framework_id: Annotated[str, typer.Argument(help="A built-in framework id.")],
    to: Annotated[
        str | None, typer.Option("--to", help="Only links into this built-in framework.")
    ] = None,
) -> None:
    """Show how a built-in framework's outcomes and measures map to the others."""
    framework = load_builtin_framework(framework_id)
    links = load_builtin_crosswalk()
    table = Table(title=f"Crosswalk from {framework.id}")
    for column in ("node", "relation", "to", "title"):
        table.add_column(column, no_wrap=column != "title", overflow="fold")
    others = {other: load_builtin_framework(other) for other in builtin_framework_ids()}
    node_ids = [outcome.id for _, outcome in framework.iter_outcomes()]
    node_ids += [measure.id for _, measure in framework.iter_measures()]
    for node_id in node_ids:
        ref = NodeRef(framework.id, node_id)
        found = links.counterparts(ref, to) if to else links.links_of(ref)
        for link in found:
            target = others[link.target.framework_id]
            title = _node_title(target, link.target.node_id)
            table.add_row(node_id, str(link.relation), str(link.target), title)
    _console().print(table)


def _node_title(framework: Framework, node_id: str) -> str:
    try:
        return framework.measure(node_id).title
    except KeyError:
        return framework.outcome(node_id).title


@proxies_app.command("list")
def proxies_list() -> None:
    """List the open proxy value sets shipped with the toolkit."""
    table = Table(title="Open proxy value sets")
    for column in ("id", "name", "licence", "as of", "values"):
        table.add_column(column, no_wrap=column in {"id", "licence"}, overflow="fold")
    for set_id in builtin_proxy_set_ids():
        proxy_set = load_builtin_proxy_set(set_id)
        table.add_row(
            proxy_set.id,
            proxy_set.name,
            proxy_set.licence,
            proxy_set.as_of,
            str(len(proxy_set.values)),
        )
    _console().print(table)


@proxies_app.command("show")
def proxies_show(
    set_id: Annotated[str, typer.Argument(help="A shipped set id, or a proxy set file path.")],
) -> None:
    """Show the values of a proxy value set, with price year, licence and source."""
    proxy_set = (
        load_builtin_proxy_set(set_id)
        if set_id in builtin_proxy_set_ids()
        else load_proxy_set(Path(set_id))
    )
    table = Table(title=f"{proxy_set.name} ({proxy_set.licence})")
    for column in ("id", "£ per unit", "per", "price year", "verification", "source"):
        table.add_column(
            column,
            justify="right" if column == "£ per unit" else "left",
            no_wrap=column in {"id", "£ per unit"},
            overflow="fold",
        )
    for value in proxy_set.values:
        table.add_row(
            value.id,
            f"{value.value_gbp}",
            value.per,
            str(value.price_year),
            value.verification,
            value.source,
        )
    _console().print(table)


@proxies_app.command("uplift")
def proxies_uplift(
    set_id: Annotated[str, typer.Argument(help="A shipped set id, or a proxy set file path.")],
    value_id: Annotated[str, typer.Argument(help="The value's id within the set.")],
    to_year: Annotated[int, typer.Option("--to-year", help="The price year to move to.")],
    deflators: Annotated[
        Path, typer.Option("--deflators", help="CSV with columns 'year' and 'index'.")
    ],
) -> None:
    """Move a proxy value to another price year with your deflator series."""
    proxy_set = (
        load_builtin_proxy_set(set_id)
        if set_id in builtin_proxy_set_ids()
        else load_proxy_set(Path(set_id))
    )
    value = proxy_set.value(value_id)
    result = uplift_value(value, to_year=to_year, deflators=load_deflator_series(deflators))
    typer.echo(
        f"{value.title}: £{result.original_gbp} ({result.from_year} prices) x "
        f"{result.to_index} / {result.from_index} = £{result.rounded()} ({result.to_year} prices, "
        "rounded half up to the penny)"
    )
