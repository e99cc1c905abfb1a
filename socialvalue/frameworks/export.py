"""Write frameworks as YAML, JSON, CSV or XLSX, and fingerprint them.

Every writer starts from one canonical document (:func:`framework_to_document`): fields in schema
order, defaults left out, numbers as written (``Decimal`` never passes through ``float``). Loading
any export gives back an equal :class:`~.model.Framework` (load → export → load is identical), and
exporting that again gives the same text.

For storage (e.g. a ``FrameworkVersion`` row in the web app) keep :func:`framework_to_yaml` as the
text and :func:`framework_fingerprint` as its content hash: two versions with the same fingerprint
hold the same framework.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import fields
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

import yaml

from socialvalue.frameworks.model import (
    FORMAT,
    CountingRules,
    Defaults,
    Direction,
    Framework,
    LevelDescriptor,
    Measure,
    Outcome,
    Provenance,
)

ExportFormat = Literal["yaml", "json", "csv", "xlsx"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("yaml", "json", "csv", "xlsx")


def framework_to_document(framework: Framework) -> dict[str, Any]:
    """The canonical plain-data form of a framework, as the schema describes it."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "id": framework.id,
        "name": framework.name,
        "version": framework.version,
        "publisher": framework.publisher,
    }
    _put(document, "published", framework.published)
    _put(document, "description", framework.description)
    document["licence"] = framework.licence
    _put(document, "licence_note", framework.licence_note)
    _put(document, "notes", framework.notes)
    if framework.sources:
        document["sources"] = [
            _without_empty({"key": s.key, "title": s.title, "url": s.url, "note": s.note})
            for s in framework.sources
        ]
    defaults = _defaults(framework.defaults)
    if defaults:
        document["defaults"] = defaults
    if framework.level_descriptors:
        document["level_descriptors"] = _descriptors(framework.level_descriptors)
    document["outcomes"] = [_outcome(outcome) for outcome in framework.outcomes]
    return document


def _defaults(defaults: Defaults) -> dict[str, Any]:
    document: dict[str, Any] = {}
    _put(document, "weight_percent", defaults.weight_percent)
    _put(document, "minimum_weight_percent", defaults.minimum_weight_percent)
    _put(document, "threshold_gbp", defaults.threshold_gbp)
    _put(document, "threshold_note", defaults.threshold_note)
    if defaults.parts:
        document["parts"] = [
            _without_empty(
                {
                    "id": part.id,
                    "title": part.title,
                    "weight_percent": part.weight_percent,
                    "description": part.description,
                }
            )
            for part in defaults.parts
        ]
    return document


def _descriptors(descriptors: tuple[LevelDescriptor, ...]) -> list[dict[str, Any]]:
    return [{"level": d.level, "descriptor": d.descriptor} for d in descriptors]


def _outcome(outcome: Outcome) -> dict[str, Any]:
    document: dict[str, Any] = {"id": outcome.id, "title": outcome.title}
    if outcome.kind != "outcome":
        document["kind"] = outcome.kind
    _put(document, "description", outcome.description)
    if outcome.provenance != Provenance.PUBLISHED:
        document["provenance"] = outcome.provenance
    if outcome.sources:
        document["sources"] = list(outcome.sources)
    _put(document, "notes", outcome.notes)
    if outcome.measures:
        document["measures"] = [_measure(measure) for measure in outcome.measures]
    if outcome.outcomes:
        document["outcomes"] = [_outcome(child) for child in outcome.outcomes]
    return document


def _measure(measure: Measure) -> dict[str, Any]:
    document: dict[str, Any] = {"id": measure.id, "title": measure.title}
    _put(document, "description", measure.description)
    document["unit"] = measure.unit
    if measure.direction != Direction.HIGHER_IS_BETTER:
        document["direction"] = measure.direction
    document["scoring_modes"] = list(measure.scoring_modes)
    if measure.level_descriptors:
        document["level_descriptors"] = _descriptors(measure.level_descriptors)
    counting = _counting(measure.counting)
    if counting:
        document["counting"] = counting
    if measure.evidence_required:
        document["evidence_required"] = list(measure.evidence_required)
    if measure.proxy is not None:
        document["proxy"] = {"set": measure.proxy.set_id, "value": measure.proxy.value_id}
    if measure.provenance != Provenance.PUBLISHED:
        document["provenance"] = measure.provenance
    if measure.sources:
        document["sources"] = list(measure.sources)
    _put(document, "notes", measure.notes)
    return document


def _counting(counting: CountingRules) -> dict[str, Any]:
    default = CountingRules()
    return {
        item.name: getattr(counting, item.name)
        for item in fields(CountingRules)
        if getattr(counting, item.name) != getattr(default, item.name)
    }


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "":
        document[key] = value


def _without_empty(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None and value != ""}


# --- plain values ----------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """Turn enums into their text and ``Decimal`` into ``int`` when it has no fraction digits."""
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, Decimal):
        return int(value) if value.as_tuple().exponent == 0 or _is_whole_int(value) else value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _is_whole_int(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent > 0


def decimal_text(value: Decimal) -> str:
    """Write a Decimal as plain positional text, keeping its written fraction digits."""
    return format(value, "f")


# --- YAML and JSON ---------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:float", decimal_text(value))


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and value == value.strip() and "\t" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(str, _represent_str)


def document_to_yaml(document: Mapping[str, Any]) -> str:
    """Dump a plain document as block YAML, keys in document order."""
    return yaml.dump(
        plain(dict(document)),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def document_to_json(document: Mapping[str, Any]) -> str:
    """Dump a plain document as indented JSON, writing ``Decimal`` digits exactly."""
    return _json(plain(dict(document)), 0) + "\n"


def _json(value: Any, depth: int) -> str:
    indent = "  " * (depth + 1)
    closing = "  " * depth
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{indent}{json.dumps(key)}: {_json(item, depth + 1)}" for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + closing + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return (
            "[\n"
            + ",\n".join(f"{indent}{_json(item, depth + 1)}" for item in value)
            + ("\n" + closing + "]")
        )
    if isinstance(value, Decimal):
        return decimal_text(value)
    return json.dumps(value, ensure_ascii=False)


def framework_to_yaml(framework: Framework) -> str:
    """The framework as canonical YAML text."""
    return document_to_yaml(framework_to_document(framework))


def framework_to_json(framework: Framework) -> str:
    """The framework as canonical JSON text."""
    return document_to_json(framework_to_document(framework))


def framework_fingerprint(framework: Framework) -> str:
    """A SHA-256 hex digest of the canonical JSON; equal frameworks have equal fingerprints."""
    return hashlib.sha256(framework_to_json(framework).encode("utf-8")).hexdigest()


# --- CSV and XLSX ----------------------------------------------------------------------------


def framework_to_csv(framework: Framework) -> str:
    """The framework as one CSV table (see :mod:`.tabular` for the layout)."""
    from socialvalue.frameworks.tabular import document_to_csv

    return document_to_csv(plain(framework_to_document(framework)))


def framework_to_xlsx(framework: Framework) -> bytes:
    """The framework as an XLSX workbook with the same table as the CSV on one sheet."""
    from socialvalue.frameworks.tabular import document_to_xlsx

    return document_to_xlsx(plain(framework_to_document(framework)))


def export_framework(framework: Framework, export_format: ExportFormat) -> str | bytes:
    """Export in one of :data:`EXPORT_FORMATS`; XLSX is ``bytes``, the others text.

    Raises
    ------
    ValueError
        For an unknown format (the CLI restricts the choice before calling).
    """
    if export_format == "yaml":
        return framework_to_yaml(framework)
    if export_format == "json":
        return framework_to_json(framework)
    if export_format == "csv":
        return framework_to_csv(framework)
    if export_format == "xlsx":
        return framework_to_xlsx(framework)
    raise ValueError(f"unknown export format {export_format!r}")
