"""Load social value frameworks from YAML, JSON, CSV or XLSX, reporting every problem at once.

Loading is all or nothing: a file either gives a complete :class:`~.model.Framework` or raises
:class:`~socialvalue.exceptions.FrameworkFileError` carrying every problem found, each with the
file, line (or spreadsheet row) and field path. The checks run in two passes over plain data: the
published JSON Schema (``schema.json``), then the rules a schema cannot say (duplicate ids, unknown
source keys, a scoring mode the unit cannot take, level descriptors missing, weights that do not add
up, proxy references that do not resolve).

Built-in frameworks live in ``socialvalue/frameworks/builtin/*.yaml`` and are found with
:mod:`importlib.resources`, so they work from a wheel as well as a checkout.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from socialvalue.exceptions import FrameworkFileError, FrameworkNotFoundError
from socialvalue.frameworks.documents import (
    FieldPath,
    FileProblem,
    LineIndex,
    ProblemCollector,
    merge_problems,
    parse_yaml,
)
from socialvalue.frameworks.model import (
    FORMAT,
    MODES_BY_UNIT,
    CountingRules,
    Defaults,
    Direction,
    Framework,
    LevelDescriptor,
    Measure,
    Outcome,
    Part,
    Provenance,
    ProxyReference,
    ScoringMode,
    Source,
    Unit,
)
from socialvalue.frameworks.proxies import ProxyValueSet
from socialvalue.frameworks.validation import schema_problems

BUILTIN_PACKAGE = "socialvalue.frameworks"
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".xlsx": "xlsx"}

_UNIT_BOUNDS: dict[Unit, tuple[Decimal | None, Decimal | None]] = {
    Unit.PERCENT: (Decimal(0), Decimal(100)),
    Unit.YES_NO: (Decimal(0), Decimal(1)),
    Unit.LEVEL_1_5: (Decimal(1), Decimal(5)),
}


@cache
def framework_schema() -> dict[str, Any]:
    """The JSON Schema for framework files (``socialvalue/frameworks/schema.json``)."""
    text = resources.files(BUILTIN_PACKAGE).joinpath("schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


# --- public entry points ---------------------------------------------------------------------


def load_framework(
    path: str | Path | Traversable, *, proxy_sets: Iterable[ProxyValueSet] | None = None
) -> Framework:
    """Load a framework file; the format is chosen by its suffix (.yaml/.yml/.json/.csv/.xlsx).

    Parameters
    ----------
    path
        The file to read.
    proxy_sets
        Proxy value sets that measures' proxy references must resolve against. When omitted,
        references are checked for shape only.

    Raises
    ------
    FrameworkFileError
        With every problem found, when the file is not a valid framework.
    """
    name = str(path)
    suffix = Path(getattr(path, "name", name)).suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is None:
        problem = FileProblem(
            name, None, "", "unknown_format", "use a .yaml, .yml, .json, .csv or .xlsx file"
        )
        raise FrameworkFileError([problem])
    try:
        if kind == "xlsx":
            from socialvalue.frameworks.tabular import framework_document_from_xlsx

            data, lines, problems = framework_document_from_xlsx(_read_bytes(path), name)
            return _finish(data, lines, problems, name, proxy_sets)
        text = (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")
    except OSError as error:
        raise FrameworkFileError(
            [FileProblem(name, None, "", "unreadable", f"cannot read the file: {error.strerror}")]
        ) from error
    except UnicodeDecodeError as error:
        raise FrameworkFileError(
            [FileProblem(name, None, "", "unreadable", "the file is not UTF-8 text")]
        ) from error
    if kind == "csv":
        return load_framework_csv(text, file=name, proxy_sets=proxy_sets)
    return load_framework_text(text, file=name, proxy_sets=proxy_sets)


def load_framework_text(
    text: str, *, file: str = "<text>", proxy_sets: Iterable[ProxyValueSet] | None = None
) -> Framework:
    """Load a framework from YAML or JSON text (e.g. an upload or a stored version).

    Raises
    ------
    FrameworkFileError
        With every problem found.
    """
    data, lines, problems = parse_yaml(text, file)
    return _finish(data, lines, problems, file, proxy_sets)


def load_framework_csv(
    text: str, *, file: str = "<csv>", proxy_sets: Iterable[ProxyValueSet] | None = None
) -> Framework:
    """Load a framework from the one-table CSV layout written by :func:`.export.framework_to_csv`.

    Raises
    ------
    FrameworkFileError
        With every problem found; lines are CSV row numbers.
    """
    from socialvalue.frameworks.tabular import framework_document_from_csv

    data, lines, problems = framework_document_from_csv(text, file)
    return _finish(data, lines, problems, file, proxy_sets)


def check_framework_document(
    data: Any,
    *,
    lines: LineIndex | None = None,
    file: str = "<document>",
    proxy_sets: Iterable[ProxyValueSet] | None = None,
) -> list[FileProblem]:
    """Return every problem in a framework document (plain data); empty when it is valid."""
    collector = ProblemCollector(file, lines or LineIndex())
    schema_problems(data, framework_schema(), collector)
    if isinstance(data, dict):
        _check_rules(data, collector, _index_proxy_sets(proxy_sets))
    return sorted(collector.problems, key=lambda p: (p.line or 0, p.path, p.code))


def framework_from_document(data: Mapping[str, Any]) -> Framework:
    """Build a framework from a document that :func:`check_framework_document` accepted."""
    defaults = data.get("defaults", {})
    return Framework(
        id=data["id"],
        name=data["name"],
        version=str(data["version"]),
        publisher=data["publisher"],
        licence=data["licence"],
        outcomes=tuple(_outcome(item) for item in data["outcomes"]),
        description=data.get("description", ""),
        published=data.get("published", ""),
        licence_note=data.get("licence_note", ""),
        sources=tuple(Source.from_mapping(item) for item in data.get("sources", [])),
        defaults=Defaults(
            weight_percent=_decimal(defaults.get("weight_percent")),
            minimum_weight_percent=_decimal(defaults.get("minimum_weight_percent")),
            threshold_gbp=_decimal(defaults.get("threshold_gbp")),
            threshold_note=defaults.get("threshold_note", ""),
            parts=tuple(
                Part(
                    id=item["id"],
                    title=item["title"],
                    weight_percent=_decimal(item.get("weight_percent")),
                    description=item.get("description", ""),
                )
                for item in defaults.get("parts", [])
            ),
        ),
        level_descriptors=_descriptors(data.get("level_descriptors", [])),
        notes=data.get("notes", ""),
    )


# --- built-in frameworks ---------------------------------------------------------------------


def _builtin_dir() -> Traversable:
    return resources.files(BUILTIN_PACKAGE).joinpath("builtin")


def builtin_framework_ids() -> tuple[str, ...]:
    """Ids of the frameworks shipped with the toolkit, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in _builtin_dir().iterdir()
            if entry.name.endswith(".yaml") and entry.name != "crosswalk.yaml"
        )
    )


@cache
def load_builtin_framework(framework_id: str) -> Framework:
    """Load a built-in framework by id (e.g. ``lancashire-2016``).

    Raises
    ------
    FrameworkNotFoundError
        When no built-in framework has that id.
    """
    if framework_id not in builtin_framework_ids():
        raise FrameworkNotFoundError(
            f"no built-in framework '{framework_id}'; choose one of: "
            + ", ".join(builtin_framework_ids())
        )
    return load_framework(builtin_framework_file(framework_id))


def builtin_framework_file(framework_id: str) -> Traversable:
    """The packaged YAML file of a built-in framework."""
    return _builtin_dir().joinpath(f"{framework_id}.yaml")


def resolve_framework(
    reference: str, *, proxy_sets: Iterable[ProxyValueSet] | None = None
) -> Framework:
    """Load a framework named by a built-in id or by a file path.

    Raises
    ------
    FrameworkNotFoundError
        When ``reference`` is neither a built-in id nor an existing file.
    FrameworkFileError
        When the file is not a valid framework.
    """
    if reference in builtin_framework_ids():
        return load_builtin_framework(reference)
    path = Path(reference)
    if not path.is_file():
        raise FrameworkNotFoundError(
            f"'{reference}' is neither a built-in framework nor a file; built-in ids: "
            + ", ".join(builtin_framework_ids())
        )
    return load_framework(path, proxy_sets=proxy_sets)


# --- internals: reading ----------------------------------------------------------------------


def _read_bytes(path: str | Path | Traversable) -> Any:
    import io

    return io.BytesIO(path.read_bytes() if not isinstance(path, str) else Path(path).read_bytes())


def _finish(
    data: Any,
    lines: LineIndex,
    problems: list[FileProblem],
    file: str,
    proxy_sets: Iterable[ProxyValueSet] | None,
) -> Framework:
    if data is None:
        raise FrameworkFileError(problems)
    problems = merge_problems(
        problems, check_framework_document(data, lines=lines, file=file, proxy_sets=proxy_sets)
    )
    if problems:
        raise FrameworkFileError(problems)
    return framework_from_document(data)


def _index_proxy_sets(
    proxy_sets: Iterable[ProxyValueSet] | None,
) -> dict[str, ProxyValueSet] | None:
    if proxy_sets is None:
        return None
    return {proxy_set.id: proxy_set for proxy_set in proxy_sets}


# --- internals: rules beyond the schema ------------------------------------------------------


def _check_rules(
    data: dict[str, Any],
    collector: ProblemCollector,
    proxy_sets: dict[str, ProxyValueSet] | None,
) -> None:
    source_keys = _check_sources(data.get("sources"), collector)
    framework_has_levels = bool(_list(data.get("level_descriptors")))
    _check_descriptors(data.get("level_descriptors"), ("level_descriptors",), collector)
    _check_defaults(data.get("defaults"), collector)
    seen_ids: dict[str, str] = {}
    for index, outcome in enumerate(_list(data.get("outcomes"))):
        _check_outcome(
            outcome,
            ("outcomes", index),
            collector,
            seen_ids,
            source_keys,
            framework_has_levels,
            proxy_sets,
        )


def _check_sources(sources: Any, collector: ProblemCollector) -> set[str] | None:
    if not isinstance(sources, list):
        return set() if sources is None else None
    keys: set[str] = set()
    for index, source in enumerate(sources):
        key = source.get("key") if isinstance(source, dict) else None
        if not isinstance(key, str):
            continue
        if key in keys:
            collector.add(
                ("sources", index, "key"), "duplicate_id", f"the source key '{key}' is used twice"
            )
        keys.add(key)
    return keys


def _check_descriptors(descriptors: Any, path: FieldPath, collector: ProblemCollector) -> None:
    seen: set[int] = set()
    for index, item in enumerate(_list(descriptors)):
        level = item.get("level") if isinstance(item, dict) else None
        if not isinstance(level, int) or isinstance(level, bool):
            continue
        if level in seen:
            collector.add(
                (*path, index, "level"), "duplicate_id", f"level {level} is described twice"
            )
        seen.add(level)


def _check_defaults(defaults: Any, collector: ProblemCollector) -> None:
    if not isinstance(defaults, dict):
        return
    weight = _number(defaults.get("weight_percent"))
    minimum = _number(defaults.get("minimum_weight_percent"))
    if weight is not None and minimum is not None and weight < minimum:
        collector.add(
            ("defaults", "weight_percent"),
            "weight_below_minimum",
            f"the default weight {weight}% is below the framework's minimum {minimum}%",
        )
    parts = _list(defaults.get("parts"))
    part_ids: set[str] = set()
    part_weights: list[Decimal] = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            continue
        part_id = part.get("id")
        if isinstance(part_id, str):
            if part_id in part_ids:
                collector.add(
                    ("defaults", "parts", index, "id"),
                    "duplicate_id",
                    f"the part id '{part_id}' is used twice",
                )
            part_ids.add(part_id)
        part_weight = _number(part.get("weight_percent"))
        if part_weight is not None:
            part_weights.append(part_weight)
    if weight is not None and parts and len(part_weights) == len(parts):
        total = sum(part_weights, Decimal(0))
        if total != weight:
            collector.add(
                ("defaults", "parts"),
                "parts_weight_mismatch",
                f"the parts' weights add up to {total}%, not the default weight {weight}%",
            )


def _check_outcome(
    outcome: Any,
    path: FieldPath,
    collector: ProblemCollector,
    seen_ids: dict[str, str],
    source_keys: set[str] | None,
    framework_has_levels: bool,
    proxy_sets: dict[str, ProxyValueSet] | None,
) -> None:
    if not isinstance(outcome, dict):
        return
    _check_node_id(outcome.get("id"), path, collector, seen_ids)
    _check_source_refs(outcome.get("sources"), path, collector, source_keys)
    for index, child in enumerate(_list(outcome.get("outcomes"))):
        _check_outcome(
            child,
            (*path, "outcomes", index),
            collector,
            seen_ids,
            source_keys,
            framework_has_levels,
            proxy_sets,
        )
    for index, measure in enumerate(_list(outcome.get("measures"))):
        measure_path = (*path, "measures", index)
        if not isinstance(measure, dict):
            continue
        _check_node_id(measure.get("id"), measure_path, collector, seen_ids)
        _check_source_refs(measure.get("sources"), measure_path, collector, source_keys)
        _check_measure(measure, measure_path, collector, framework_has_levels, proxy_sets)


def _check_node_id(
    node_id: Any, path: FieldPath, collector: ProblemCollector, seen_ids: dict[str, str]
) -> None:
    if not isinstance(node_id, str):
        return
    where = _path_text(path)
    if node_id in seen_ids:
        collector.add(
            (*path, "id"),
            "duplicate_id",
            f"the id '{node_id}' is already used at {seen_ids[node_id]}; outcome and measure "
            "ids must be unique in a framework",
        )
        return
    seen_ids[node_id] = where


def _check_source_refs(
    refs: Any, path: FieldPath, collector: ProblemCollector, source_keys: set[str] | None
) -> None:
    if source_keys is None:
        return
    for index, key in enumerate(_list(refs)):
        if isinstance(key, str) and key not in source_keys:
            collector.add(
                (*path, "sources", index),
                "unknown_source",
                f"no source with key '{key}' in the framework's sources",
            )


def _check_measure(
    measure: dict[str, Any],
    path: FieldPath,
    collector: ProblemCollector,
    framework_has_levels: bool,
    proxy_sets: dict[str, ProxyValueSet] | None,
) -> None:
    unit = _enum(Unit, measure.get("unit"))
    modes = [_enum(ScoringMode, mode) for mode in _list(measure.get("scoring_modes"))]
    _check_descriptors(measure.get("level_descriptors"), (*path, "level_descriptors"), collector)
    if unit is not None:
        for index, mode in enumerate(modes):
            if mode is not None and mode not in MODES_BY_UNIT[unit]:
                allowed = ", ".join(sorted(MODES_BY_UNIT[unit]))
                collector.add(
                    (*path, "scoring_modes", index),
                    "mode_unit_mismatch",
                    f"a measure in '{unit}' cannot be scored by '{mode}'; it can take: {allowed}",
                )
    has_levels = bool(_list(measure.get("level_descriptors"))) or framework_has_levels
    if ScoringMode.LEVELS in modes and not has_levels:
        collector.add(
            (*path, "scoring_modes"),
            "missing_level_descriptors",
            "scored by levels but no level descriptors are given, for the measure or the framework",
        )
    proxy = measure.get("proxy")
    if ScoringMode.PROXY in modes and proxy is None:
        collector.add(
            (*path, "scoring_modes"),
            "missing_proxy",
            "scored by proxy £ but has no proxy value reference ('proxy: {set: …, value: …}')",
        )
    if isinstance(proxy, dict) and proxy_sets is not None:
        _check_proxy_reference(proxy, unit, (*path, "proxy"), collector, proxy_sets)
    counting = measure.get("counting")
    if isinstance(counting, dict):
        _check_counting(counting, unit, (*path, "counting"), collector)


def _check_proxy_reference(
    proxy: dict[str, Any],
    unit: Unit | None,
    path: FieldPath,
    collector: ProblemCollector,
    proxy_sets: dict[str, ProxyValueSet],
) -> None:
    set_id, value_id = proxy.get("set"), proxy.get("value")
    if not isinstance(set_id, str) or not isinstance(value_id, str):
        return
    proxy_set = proxy_sets.get(set_id)
    if proxy_set is None:
        collector.add(
            (*path, "set"),
            "unknown_proxy",
            f"no proxy value set '{set_id}' is loaded; loaded: {', '.join(sorted(proxy_sets))}",
        )
        return
    value = proxy_set.find(value_id)
    if value is None:
        collector.add(
            (*path, "value"), "unknown_proxy", f"the set '{set_id}' has no value '{value_id}'"
        )
        return
    if unit is not None and value.unit is not None and value.unit != unit:
        collector.add(
            path,
            "proxy_unit_mismatch",
            f"the proxy value is £ per '{value.unit}' but the measure counts '{unit}'",
        )


def _check_counting(
    counting: dict[str, Any], unit: Unit | None, path: FieldPath, collector: ProblemCollector
) -> None:
    minimum = _number(counting.get("minimum"))
    maximum = _number(counting.get("maximum"))
    if minimum is not None and maximum is not None and minimum > maximum:
        collector.add(
            (*path, "minimum"), "invalid_range", f"minimum {minimum} is above maximum {maximum}"
        )
    if unit is None or unit not in _UNIT_BOUNDS:
        return
    low, high = _UNIT_BOUNDS[unit]
    for name, bound in (("minimum", minimum), ("maximum", maximum)):
        if bound is not None and low is not None and high is not None and not low <= bound <= high:
            collector.add(
                (*path, name),
                "invalid_range",
                f"{name} {bound} is outside what '{unit}' can take ({low} to {high})",
            )


# --- internals: building objects -------------------------------------------------------------


def _outcome(data: Mapping[str, Any]) -> Outcome:
    return Outcome(
        id=data["id"],
        title=data["title"],
        kind=data.get("kind", "outcome"),
        description=data.get("description", ""),
        outcomes=tuple(_outcome(item) for item in data.get("outcomes", [])),
        measures=tuple(_measure(item) for item in data.get("measures", [])),
        provenance=Provenance(data.get("provenance", Provenance.PUBLISHED)),
        sources=tuple(data.get("sources", [])),
        notes=data.get("notes", ""),
    )


def _measure(data: Mapping[str, Any]) -> Measure:
    counting = data.get("counting", {})
    proxy = data.get("proxy")
    return Measure(
        id=data["id"],
        title=data["title"],
        unit=Unit(data["unit"]),
        scoring_modes=tuple(ScoringMode(mode) for mode in data["scoring_modes"]),
        direction=Direction(data.get("direction", Direction.HIGHER_IS_BETTER)),
        description=data.get("description", ""),
        level_descriptors=_descriptors(data.get("level_descriptors", [])),
        counting=CountingRules(
            local_only=counting.get("local_only", False),
            exclusive_group=counting.get("exclusive_group"),
            count_each_year=counting.get("count_each_year", True),
            minimum=_decimal(counting.get("minimum")),
            maximum=_decimal(counting.get("maximum")),
            whole_numbers=counting.get("whole_numbers", False),
            pro_rata_partial_year=counting.get("pro_rata_partial_year", False),
        ),
        evidence_required=tuple(data.get("evidence_required", [])),
        proxy=ProxyReference(set_id=proxy["set"], value_id=proxy["value"]) if proxy else None,
        provenance=Provenance(data.get("provenance", Provenance.PUBLISHED)),
        sources=tuple(data.get("sources", [])),
        notes=data.get("notes", ""),
    )


def _descriptors(items: Sequence[Mapping[str, Any]]) -> tuple[LevelDescriptor, ...]:
    return tuple(
        LevelDescriptor(level=item["level"], descriptor=item["descriptor"])
        for item in sorted(items, key=lambda item: item["level"])
    )


# --- small helpers ---------------------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _enum(kind: type[Unit] | type[ScoringMode], value: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        return None


def _path_text(path: FieldPath) -> str:
    from socialvalue.frameworks.documents import format_path

    return format_path(path)


__all__ = [
    "FORMAT",
    "builtin_framework_file",
    "builtin_framework_ids",
    "check_framework_document",
    "framework_from_document",
    "framework_schema",
    "load_builtin_framework",
    "load_framework",
    "load_framework_csv",
    "load_framework_text",
    "resolve_framework",
]
