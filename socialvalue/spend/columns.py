"""Map a spend file's own column headers to the toolkit's standard fields.

The synonyms live in a versioned data file, ``socialvalue/spend/data/columns.yaml``; a publisher's
own overrides ("their ``Ref`` column is the supplier id") are saved beside a dataset in
``publishers/<slug>.yaml`` and win over the synonyms. Headers are compared after
:func:`fold_header`, so ``"* Net Amount (£):"``, ``"Net Amount(œ)"`` and ``"net amount"`` are the
same header.

A file with no header row at all is mapped with a *layout*: the header of another file from the same
publisher with the same number of columns, kept in the publisher's profile (see
:class:`PublisherProfile`). The reader checks that a layout fits the data before using it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from socialvalue.exceptions import MissingColumnsError, SpendFileError

IGNORE = "ignore"
"""Override target meaning "this column is not one of the standard fields"."""

_CURRENCY_AND_PUNCTUATION = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class FieldSpec:
    """One standard field: its name, whether a file must have it, and the headers that mean it."""

    name: str
    required: bool
    description: str
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class SynonymMap:
    """The versioned synonym map: standard fields in matching order, and payee classes.

    Attributes
    ----------
    version
        Bumped whenever a synonym changes; recorded with every import.
    fields
        Standard fields, in the order they claim headers.
    payee_classes
        Folded supplier names that are not a named supplier, by class (``redacted``, ``various``).
    """

    version: int
    fields: tuple[FieldSpec, ...]
    payee_classes: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields if spec.required)

    def spec(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


def fold_header(text: object) -> str:
    """Fold a header for comparison: lower case, accents and punctuation gone, spaces single.

    Currency signs (``£``, and ``œ`` — the pound sign of files written in a DOS code page and read
    as cp1252) are dropped along with brackets, asterisks and colons.

    >>> fold_header("* Net Amount (£):")
    'net amount'
    >>> fold_header("Net Amount(œ)")
    'net amount'
    """
    raw = "" if text is None else str(text)
    decomposed = unicodedata.normalize("NFKD", raw.replace("œ", " ").replace("£", " "))
    ascii_only = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    return _CURRENCY_AND_PUNCTUATION.sub(" ", ascii_only).strip()


def _load_map(data: Mapping[str, Any]) -> SynonymMap:
    fields = tuple(
        FieldSpec(
            name=name,
            required=bool(spec.get("required", False)),
            description=str(spec.get("description", "")),
            synonyms=tuple(fold_header(s) for s in spec.get("synonyms", [])),
        )
        for name, spec in data["fields"].items()
    )
    classes = tuple(
        (name, tuple(fold_header(term) for term in terms))
        for name, terms in (data.get("payee_classes") or {}).items()
    )
    return SynonymMap(version=int(data["version"]), fields=fields, payee_classes=classes)


@lru_cache(maxsize=1)
def builtin_synonym_map() -> SynonymMap:
    """The synonym map shipped with the toolkit."""
    text = resources.files("socialvalue.spend").joinpath("data/columns.yaml").read_text("utf-8")
    return _load_map(yaml.safe_load(text))


def load_synonym_map(path: Path) -> SynonymMap:
    """Read a synonym map in the same format as the built-in one (for a city's own version)."""
    try:
        return _load_map(yaml.safe_load(path.read_text("utf-8")))
    except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
        raise SpendFileError(
            f"{path}: cannot read the column synonym map ({error}); copy the built-in "
            "socialvalue/spend/data/columns.yaml and edit it"
        ) from error


@dataclass(frozen=True)
class ColumnMap:
    """Which column of a file holds which standard field.

    Attributes
    ----------
    header
        The file's header cells as written (or the layout used, for a file without one).
    positions
        ``(field, column index)`` pairs, in the synonym map's field order.
    how
        ``"header"``, ``"layout"`` (no header row; a known layout of the publisher was used).
    unmapped
        Header cells that matched no field (empty spacer columns are left out).
    """

    header: tuple[str, ...]
    positions: tuple[tuple[str, int], ...]
    how: str = "header"
    unmapped: tuple[str, ...] = ()

    def index(self, field_name: str) -> int | None:
        for name, position in self.positions:
            if name == field_name:
                return position
        return None

    def as_dict(self) -> dict[str, str]:
        """``{field: header as written}`` for display and the manifest."""
        return {name: self.header[position] for name, position in self.positions}


@dataclass(frozen=True)
class PublisherProfile:
    """What the toolkit remembers about one publisher's files.

    Attributes
    ----------
    publisher
        The publisher's name as given to ``ingest``.
    overrides
        ``(folded header, field or "ignore")`` pairs the user set; they win over the synonyms.
    layouts
        Headers seen in this publisher's files, used for files that have no header row.
    """

    publisher: str
    overrides: tuple[tuple[str, str], ...] = ()
    layouts: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def with_overrides(self, overrides: Mapping[str, str]) -> PublisherProfile:
        merged = dict(self.overrides)
        merged.update({fold_header(header): target for header, target in overrides.items()})
        return PublisherProfile(self.publisher, tuple(sorted(merged.items())), self.layouts)

    def with_layout(self, header: Sequence[str]) -> PublisherProfile:
        layout = tuple(header)
        if layout in self.layouts:
            return self
        return PublisherProfile(self.publisher, self.overrides, (*self.layouts, layout))


def publisher_slug(publisher: str) -> str:
    """A file-name-safe form of a publisher name: ``"Hyndburn BC"`` → ``"hyndburn-bc"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold_header(publisher)).strip("-")
    return slug or "publisher"


def profile_path(dataset_dir: Path, publisher: str) -> Path:
    return dataset_dir / "publishers" / f"{publisher_slug(publisher)}.yaml"


def load_publisher_profile(dataset_dir: Path, publisher: str) -> PublisherProfile:
    """The saved profile of a publisher in a dataset, or an empty one."""
    path = profile_path(dataset_dir, publisher)
    if not path.exists():
        return PublisherProfile(publisher)
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    return PublisherProfile(
        publisher=publisher,
        overrides=tuple(sorted((fold_header(k), str(v)) for k, v in
                               (data.get("overrides") or {}).items())),
        layouts=tuple(tuple(str(cell) for cell in layout) for layout in data.get("layouts") or []),
    )


def dump_publisher_profile(profile: PublisherProfile) -> str:
    """The YAML text of a profile (written by the ingest transaction, not directly)."""
    return yaml.safe_dump(
        {
            "publisher": profile.publisher,
            "overrides": dict(profile.overrides),
            "layouts": [list(layout) for layout in profile.layouts],
        },
        sort_keys=False,
        allow_unicode=True,
    )


def validate_overrides(overrides: Mapping[str, str], synonyms: SynonymMap) -> None:
    """Refuse overrides naming a field that does not exist."""
    allowed = (*synonyms.field_names, IGNORE)
    for header, target in overrides.items():
        if target not in allowed:
            raise SpendFileError(
                f"column override {header!r}={target!r}: {target!r} is not a field; use one of "
                + ", ".join(allowed)
            )


def match_header(
    header: Sequence[object],
    synonyms: SynonymMap,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, int]:
    """Match header cells to fields: overrides first, then each field's synonyms in order.

    Returns ``{field: column index}`` for the fields found. Each column serves one field.
    """
    folded = [fold_header(cell) for cell in header]
    taken: set[int] = set()
    found: dict[str, int] = {}
    for key, target in (overrides or {}).items():
        key = fold_header(key)
        for position, cell in enumerate(folded):
            if cell == key and position not in taken:
                taken.add(position)
                if target != IGNORE and target not in found:
                    found[target] = position
                break
    for spec in synonyms.fields:
        if spec.name in found:
            continue
        for synonym in spec.synonyms:
            match = next(
                (i for i, cell in enumerate(folded) if cell == synonym and i not in taken), None
            )
            if match is not None:
                found[spec.name] = match
                taken.add(match)
                break
    return found


def header_score(row: Sequence[object], synonyms: SynonymMap) -> int:
    """How many distinct standard fields a row's cells name (used to find the header row)."""
    return len(match_header(row, synonyms))


def column_map(
    header: Sequence[object],
    synonyms: SynonymMap,
    overrides: Mapping[str, str] | None = None,
    *,
    source: str,
    how: str = "header",
) -> ColumnMap:
    """Map a header, or raise :class:`MissingColumnsError` naming what was found and tried."""
    cells = tuple("" if cell is None else str(cell) for cell in header)
    found = match_header(cells, synonyms, overrides)
    missing = [name for name in synonyms.required if name not in found]
    if missing:
        raise MissingColumnsError(
            source=source,
            columns_found=[cell for cell in cells if cell.strip()],
            missing={name: synonyms.spec(name).synonyms for name in missing},
        )
    order = {name: i for i, name in enumerate(synonyms.field_names)}
    positions = tuple(sorted(found.items(), key=lambda item: order.get(item[0], 999)))
    used = set(found.values())
    unmapped = tuple(
        cell for i, cell in enumerate(cells) if i not in used and fold_header(cell)
    )
    return ColumnMap(header=cells, positions=positions, how=how, unmapped=unmapped)
