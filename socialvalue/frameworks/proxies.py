"""Proxy value sets: dated, licence-tagged £-per-unit values, kept apart from frameworks.

The toolkit ships only **open** values (``builtin/proxies/*.yaml``): the HM Treasury Green Book
WELLBY and the Living Wage Foundation's Real Living Wage rates for the UK and London, each with its
source, price year and licence. Licensed tables (National TOMs, HACT UK Social Value Bank, both
CC BY-NC-ND 4.0) are never shipped: a user loads the set they hold from CSV or XLSX at run time with
:func:`load_proxy_values_table`; the values stay in memory, and :attr:`ProxyValueSet.is_open` tells
the caller whether they may be shared.

Values are moved to another price year with a user-supplied deflator series (e.g. the HM Treasury
GDP deflators) by :func:`uplift_value`: ``value * index[to_year] / index[from_year]``, in
``Decimal``, unrounded, with every component kept.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from socialvalue.exceptions import FrameworkFileError, FrameworkNotFoundError, ProxyValueError
from socialvalue.frameworks.documents import (
    FieldPath,
    FileProblem,
    LineIndex,
    ProblemCollector,
    merge_problems,
    parse_yaml,
    read_csv_rows,
    read_xlsx_sheets,
)
from socialvalue.frameworks.model import Source, Unit
from socialvalue.frameworks.validation import schema_problems

PROXY_SET_FORMAT = "socialvalue-proxy-set/1"

OPEN_LICENCES = frozenset(
    {
        "OGL-UK-3.0",
        "CC0-1.0",
        "CC-BY-4.0",
        "ODC-By-1.0",
        "PDDL-1.0",
        "LicenseRef-facts",
    }
)
"""Licences under which the toolkit may ship and share values.

``LicenseRef-facts`` marks published figures that are facts, not copyright works (e.g. wage rates);
their source is still cited. Anything else, in particular CC BY-NC-ND (National TOMs, HACT), is
treated as restricted: usable by the organisation that holds the licence, never redistributed.
"""

TABLE_COLUMNS = (
    "id",
    "title",
    "value_gbp",
    "per",
    "unit",
    "price_year",
    "licence",
    "low_gbp",
    "high_gbp",
    "region",
    "period",
    "verification",
    "source",
    "notes",
)
"""Columns of a user's proxy value table (CSV or the first sheet of an XLSX); the first four are
required, and ``price_year`` and ``licence`` are required unless given for the whole table."""


@dataclass(frozen=True)
class ProxyValue:
    """One proxy value: £ per unit at a price year, under a licence.

    Attributes
    ----------
    value_gbp
        The central value in £ per unit, in ``price_year`` prices.
    per
        What one unit is, in words (e.g. "hour worked").
    unit
        The measure unit this value prices, when it is one of the toolkit's units.
    low_gbp, high_gbp
        A published range around the central value, when there is one.
    verification
        ``verified`` (read in the primary or a verified source), ``secondary`` (a third party
        reports it) or ``unverified``.
    """

    id: str
    title: str
    value_gbp: Decimal
    per: str
    price_year: int
    licence: str
    unit: Unit | None = None
    low_gbp: Decimal | None = None
    high_gbp: Decimal | None = None
    region: str = ""
    period: str = ""
    verification: str = "verified"
    source: str = ""
    notes: str = ""

    @property
    def is_open(self) -> bool:
        """Whether the value's licence lets it be shipped and shared."""
        return licence_is_open(self.licence)


@dataclass(frozen=True)
class ProxyValueSet:
    """A dated, licence-tagged collection of proxy values."""

    id: str
    name: str
    licence: str
    values: tuple[ProxyValue, ...]
    publisher: str = ""
    as_of: str = ""
    licence_note: str = ""
    description: str = ""
    sources: tuple[Source, ...] = ()

    @property
    def is_open(self) -> bool:
        """Whether every value may be shipped and shared (no restricted licence anywhere)."""
        return licence_is_open(self.licence) and all(value.is_open for value in self.values)

    def find(self, value_id: str) -> ProxyValue | None:
        """The value with this id, or ``None``."""
        return next((value for value in self.values if value.id == value_id), None)

    def value(self, value_id: str) -> ProxyValue:
        """The value with this id.

        Raises
        ------
        ProxyValueError
            When the set has no such value.
        """
        found = self.find(value_id)
        if found is None:
            raise ProxyValueError(f"the proxy value set '{self.id}' has no value '{value_id}'")
        return found


def licence_is_open(licence: str) -> bool:
    """Whether values under ``licence`` may be shipped and shared (see :data:`OPEN_LICENCES`)."""
    return licence.strip() in OPEN_LICENCES


# --- loading ---------------------------------------------------------------------------------


@cache
def proxy_set_schema() -> dict[str, Any]:
    """The JSON Schema for proxy value set files (``proxy_set_schema.json``)."""
    text = (
        resources.files("socialvalue.frameworks")
        .joinpath("proxy_set_schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_proxy_set(path: str | Path | Traversable) -> ProxyValueSet:
    """Load a proxy value set from a YAML or JSON file.

    Raises
    ------
    FrameworkFileError
        With every problem found (each value needs a price year and a licence, its own or the
        set's).
    """
    name = str(path)
    try:
        text = (Path(path) if isinstance(path, str) else path).read_text(encoding="utf-8")
    except OSError as error:
        raise FrameworkFileError(
            [FileProblem(name, None, "", "unreadable", f"cannot read the file: {error.strerror}")]
        ) from error
    return load_proxy_set_text(text, file=name)


def load_proxy_set_text(text: str, *, file: str = "<text>") -> ProxyValueSet:
    """Load a proxy value set from YAML or JSON text.

    Raises
    ------
    FrameworkFileError
        With every problem found.
    """
    data, lines, problems = parse_yaml(text, file)
    return _finish(data, lines, problems, file)


def load_proxy_values_table(
    path: str | Path,
    *,
    set_id: str,
    name: str,
    licence: str | None = None,
    price_year: int | None = None,
    publisher: str = "",
    as_of: str = "",
) -> ProxyValueSet:
    """Load a user's own proxy values from a CSV or XLSX table, in memory only.

    Use this for a licensed table the organisation holds (e.g. National TOMs): nothing is copied
    into the toolkit or the repository. Columns are :data:`TABLE_COLUMNS`.

    Parameters
    ----------
    path
        A ``.csv`` file, or an ``.xlsx`` file whose first sheet holds the table.
    set_id, name
        Id and name to give the set.
    licence, price_year
        Defaults for rows whose cells are blank; a row with neither is a problem.

    Raises
    ------
    FrameworkFileError
        With every problem found, lines being table rows.
    """
    file = str(path)
    suffix = Path(file).suffix.lower()
    try:
        if suffix == ".csv":
            rows = read_csv_rows(Path(file).read_text(encoding="utf-8"))
        elif suffix == ".xlsx":
            sheets = read_xlsx_sheets(io.BytesIO(Path(file).read_bytes()))
            rows = next(iter(sheets.values()), [])
        else:
            raise FrameworkFileError(
                [FileProblem(file, None, "", "unknown_format", "use a .csv or .xlsx file")]
            )
    except OSError as error:
        raise FrameworkFileError(
            [FileProblem(file, None, "", "unreadable", f"cannot read the file: {error.strerror}")]
        ) from error
    document: dict[str, Any] = {"format": PROXY_SET_FORMAT, "id": set_id, "name": name}
    if licence:
        document["licence"] = licence
    if price_year is not None:
        document["price_year"] = price_year
    if publisher:
        document["publisher"] = publisher
    if as_of:
        document["as_of"] = as_of
    lines = LineIndex()
    values: list[dict[str, Any]] = []
    for index, (row_number, cells) in enumerate(rows):
        lines.set(("values", index), row_number)
        value: dict[str, Any] = {}
        for column, cell in cells.items():
            if column not in TABLE_COLUMNS:
                value[column] = cell  # reported as an unknown field by the schema
            elif cell.strip():
                value[column] = _typed_cell(column, cell.strip())
        values.append(value)
    document["values"] = values
    return _finish(document, lines, [], file)


def _typed_cell(column: str, cell: str) -> Any:
    if column in {"value_gbp", "low_gbp", "high_gbp"}:
        try:
            return Decimal(cell.replace(",", "").removeprefix("£"))
        except InvalidOperation:
            return cell
    if column == "price_year":
        try:
            return int(cell)
        except ValueError:
            return cell
    return cell


def check_proxy_set_document(
    data: Any, *, lines: LineIndex | None = None, file: str = "<document>"
) -> list[FileProblem]:
    """Return every problem in a proxy value set document; empty when it is valid."""
    collector = ProblemCollector(file, lines or LineIndex())
    schema_problems(data, proxy_set_schema(), collector)
    if isinstance(data, dict):
        _check_values(data, collector)
    return sorted(collector.problems, key=lambda p: (p.line or 0, p.path, p.code))


def _check_values(data: dict[str, Any], collector: ProblemCollector) -> None:
    set_price_year = data.get("price_year")
    set_licence = data.get("licence")
    seen: set[str] = set()
    values = data.get("values")
    for index, value in enumerate(values if isinstance(values, list) else []):
        if not isinstance(value, dict):
            continue
        path: FieldPath = ("values", index)
        value_id = value.get("id")
        if isinstance(value_id, str):
            if value_id in seen:
                collector.add((*path, "id"), "duplicate_id", f"the id '{value_id}' is used twice")
            seen.add(value_id)
        if value.get("price_year") is None and set_price_year is None:
            collector.add(
                path,
                "missing_price_year",
                "the value has no price year; give 'price_year' for the value or the whole set",
            )
        if value.get("licence") is None and set_licence is None:
            collector.add(
                path,
                "missing_licence",
                "the value has no licence; give 'licence' for the value or the whole set",
            )
        low, central, high = (
            _amount(value.get(key)) for key in ("low_gbp", "value_gbp", "high_gbp")
        )
        if low is not None and central is not None and low > central:
            collector.add((*path, "low_gbp"), "invalid_range", "low_gbp is above value_gbp")
        if high is not None and central is not None and central > high:
            collector.add((*path, "high_gbp"), "invalid_range", "high_gbp is below value_gbp")


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def proxy_set_from_document(data: Mapping[str, Any]) -> ProxyValueSet:
    """Build a proxy value set from a document :func:`check_proxy_set_document` accepted."""
    set_licence = data.get("licence", "")
    set_price_year = data.get("price_year")
    values = tuple(
        ProxyValue(
            id=item["id"],
            title=item["title"],
            value_gbp=Decimal(item["value_gbp"]),
            per=item["per"],
            price_year=int(item.get("price_year", set_price_year)),
            licence=item.get("licence", set_licence),
            unit=Unit(item["unit"]) if "unit" in item else None,
            low_gbp=Decimal(item["low_gbp"]) if "low_gbp" in item else None,
            high_gbp=Decimal(item["high_gbp"]) if "high_gbp" in item else None,
            region=item.get("region", ""),
            period=item.get("period", ""),
            verification=item.get("verification", "verified"),
            source=item.get("source", ""),
            notes=item.get("notes", ""),
        )
        for item in data["values"]
    )
    return ProxyValueSet(
        id=data["id"],
        name=data["name"],
        licence=set_licence or _common_licence(values),
        values=values,
        publisher=data.get("publisher", ""),
        as_of=data.get("as_of", ""),
        licence_note=data.get("licence_note", ""),
        description=data.get("description", ""),
        sources=tuple(Source.from_mapping(item) for item in data.get("sources", [])),
    )


def _common_licence(values: Iterable[ProxyValue]) -> str:
    licences = sorted({value.licence for value in values})
    return licences[0] if len(licences) == 1 else "mixed: " + ", ".join(licences)


def _finish(data: Any, lines: LineIndex, problems: list[FileProblem], file: str) -> ProxyValueSet:
    if data is None:
        raise FrameworkFileError(problems)
    problems = merge_problems(problems, check_proxy_set_document(data, lines=lines, file=file))
    if problems:
        raise FrameworkFileError(problems)
    return proxy_set_from_document(data)


# --- built-in open sets ----------------------------------------------------------------------


def _builtin_proxies_dir() -> Traversable:
    return resources.files("socialvalue.frameworks").joinpath("builtin", "proxies")


def builtin_proxy_set_ids() -> tuple[str, ...]:
    """Ids of the open proxy value sets shipped with the toolkit, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".yaml")
            for entry in _builtin_proxies_dir().iterdir()
            if entry.name.endswith(".yaml")
        )
    )


@cache
def load_builtin_proxy_set(set_id: str) -> ProxyValueSet:
    """Load a shipped proxy value set by id (``green-book-wellby``, ``real-living-wage``).

    Raises
    ------
    FrameworkNotFoundError
        When no shipped set has that id.
    """
    if set_id not in builtin_proxy_set_ids():
        raise FrameworkNotFoundError(
            f"no built-in proxy value set '{set_id}'; choose one of: "
            + ", ".join(builtin_proxy_set_ids())
        )
    return load_proxy_set(_builtin_proxies_dir().joinpath(f"{set_id}.yaml"))


def load_builtin_proxy_sets() -> tuple[ProxyValueSet, ...]:
    """Every shipped proxy value set."""
    return tuple(load_builtin_proxy_set(set_id) for set_id in builtin_proxy_set_ids())


# --- uplift to a price year ------------------------------------------------------------------


@dataclass(frozen=True)
class DeflatorSeries:
    """A price index by year (e.g. GDP deflators), supplied by the user with its source."""

    name: str
    index_by_year: tuple[tuple[int, Decimal], ...]
    source: str = ""

    def index(self, year: int) -> Decimal:
        """The index for a year.

        Raises
        ------
        ProxyValueError
            When the series has no value for that year.
        """
        for series_year, value in self.index_by_year:
            if series_year == year:
                return value
        years = [year for year, _ in self.index_by_year]
        span = f"{min(years)} to {max(years)}" if years else "no years"
        raise ProxyValueError(
            f"the deflator series '{self.name}' has no index for {year} (it covers {span}); "
            "add that year to the series"
        )


def deflator_series(
    name: str, index_by_year: Mapping[int, Decimal | int | str], *, source: str = ""
) -> DeflatorSeries:
    """Make a deflator series from a mapping of year to index.

    Raises
    ------
    ProxyValueError
        When an index is not a positive number.
    """
    pairs: list[tuple[int, Decimal]] = []
    for year, raw in sorted(index_by_year.items()):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            value = Decimal(0)
        if not value.is_finite() or value <= 0:
            raise ProxyValueError(f"the deflator index for {year} must be a positive number")
        pairs.append((int(year), value))
    return DeflatorSeries(name=name, index_by_year=tuple(pairs), source=source)


def load_deflator_series(path: str | Path, *, name: str | None = None) -> DeflatorSeries:
    """Read a deflator series from a CSV with columns ``year`` and ``index``.

    Raises
    ------
    FrameworkFileError
        With every bad row.
    """
    file = str(path)
    rows = read_csv_rows(Path(file).read_text(encoding="utf-8"))
    problems: list[FileProblem] = []
    pairs: dict[int, Decimal] = {}
    for row_number, cells in rows:
        try:
            year = int(cells.get("year", ""))
            index = Decimal(cells.get("index", ""))
        except (ValueError, InvalidOperation):
            problems.append(
                FileProblem(
                    file,
                    row_number,
                    "",
                    "invalid_value",
                    "needs a whole 'year' and a numeric 'index'",
                )
            )
            continue
        if not index.is_finite() or index <= 0:
            problems.append(
                FileProblem(file, row_number, "index", "out_of_range", "must be a positive number")
            )
        elif year in pairs:
            problems.append(
                FileProblem(file, row_number, "year", "duplicate_id", f"{year} appears twice")
            )
        else:
            pairs[year] = index
    if not rows:
        problems.append(FileProblem(file, 1, "", "empty", "needs columns 'year' and 'index'"))
    if problems:
        raise FrameworkFileError(problems)
    return deflator_series(name or Path(file).stem, pairs, source=file)


@dataclass(frozen=True)
class UpliftedValue:
    """A £ amount moved from one price year to another, with every component kept.

    ``value_gbp = original_gbp * to_index / from_index`` (unrounded); ``factor = to_index /
    from_index``.
    """

    original_gbp: Decimal
    from_year: int
    to_year: int
    from_index: Decimal
    to_index: Decimal
    factor: Decimal
    value_gbp: Decimal
    series: str

    def rounded(self, places: int = 2) -> Decimal:
        """The uplifted value rounded half up to ``places`` decimal places (for display)."""
        return self.value_gbp.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def uplift_amount(
    amount_gbp: Decimal, *, from_year: int, to_year: int, deflators: DeflatorSeries
) -> UpliftedValue:
    """Move a £ amount from ``from_year`` prices to ``to_year`` prices.

    Raises
    ------
    ProxyValueError
        When the series lacks either year.
    """
    from_index = deflators.index(from_year)
    to_index = deflators.index(to_year)
    return UpliftedValue(
        original_gbp=amount_gbp,
        from_year=from_year,
        to_year=to_year,
        from_index=from_index,
        to_index=to_index,
        factor=to_index / from_index,
        value_gbp=amount_gbp * to_index / from_index,
        series=deflators.name,
    )


def uplift_value(value: ProxyValue, *, to_year: int, deflators: DeflatorSeries) -> UpliftedValue:
    """Move a proxy value from its price year to ``to_year`` prices.

    Raises
    ------
    ProxyValueError
        When the series lacks either year.
    """
    return uplift_amount(
        value.value_gbp, from_year=value.price_year, to_year=to_year, deflators=deflators
    )
