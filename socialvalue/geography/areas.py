"""Local authority districts and the areas above them: county, region, country.

The postcode directory gives only district codes. Names, counties and regions come from an ONS
lookup CSV the user gives (``--areas FILE``: any ONS "LAD to region", "LAD to county", "ward to
LAD to county to region to country" or "LTLA to UTLA" file; the columns are found by their ONS
names, ``LAD25CD``/``LAD18NM``/``RGN18CD``/``GOR10NM``/``CTY20CD``/``UTLA21NM`` …). Several
files can be combined; later files fill gaps, they do not overwrite. Without any, each district
still has its country (from the first letter of its code: E England, W Wales, S Scotland,
N Northern Ireland) and London boroughs (``E09``) their region; districts of the built-in places
have their names.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from socialvalue.exceptions import PlaceError

COUNTRIES = {
    "E": ("E92000001", "England"),
    "W": ("W92000004", "Wales"),
    "S": ("S92000003", "Scotland"),
    "N": ("N92000002", "Northern Ireland"),
    "L": ("L93000001", "Channel Islands"),
    "M": ("M83000003", "Isle of Man"),
}
LONDON = ("E12000007", "London")


@dataclass(frozen=True)
class Area:
    """One local authority district and what it belongs to (``None`` when not known)."""

    code: str
    name: str | None = None
    county_code: str | None = None
    county_name: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    country_code: str | None = None
    country_name: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


@dataclass(frozen=True)
class AreaLookup:
    """Districts by code, with their county, region and country where known."""

    areas: Mapping[str, Area]

    def get(self, code: str) -> Area:
        """The district's area record, filling country (and London) from the code alone."""
        known = self.areas.get(code) or Area(code=code)
        return _with_code_facts(known)

    def codes(self) -> list[str]:
        return sorted(self.areas)

    def merged(self, other: AreaLookup) -> AreaLookup:
        """This lookup with ``other`` filling the gaps (this one wins)."""
        combined = dict(other.areas)
        for code, area in self.areas.items():
            base = combined.get(code)
            if base is None:
                combined[code] = area
                continue
            combined[code] = Area(
                code=code,
                **{
                    name: getattr(area, name) or getattr(base, name)
                    for name in (
                        "name", "county_code", "county_name", "region_code", "region_name",
                        "country_code", "country_name",
                    )
                },
            )
        return AreaLookup(combined)

    def as_rows(self) -> list[dict[str, Any]]:
        return [vars(self.get(code)) for code in self.codes()]


def _with_code_facts(area: Area) -> Area:
    country = COUNTRIES.get(area.code[:1])
    if country and not area.country_code:
        area = replace(area, country_code=country[0], country_name=country[1])
    if area.code.startswith("E09") and not area.region_code:
        area = replace(area, region_code=LONDON[0], region_name=LONDON[1])
    return area


@lru_cache(maxsize=1)
def builtin_places_data() -> dict[str, Any]:
    text = resources.files("socialvalue.geography").joinpath("data/places.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def builtin_areas() -> AreaLookup:
    """Names of the districts in the built-in places (and the county of Lancashire's twelve)."""
    data = builtin_places_data()
    lancashire = next(p for p in data["places"] if p["code"] == "E10000017")
    areas = {}
    for code, name in data["districts"].items():
        in_county = code in lancashire["districts"]
        areas[code] = Area(
            code=code,
            name=name,
            county_code="E10000017" if in_county else None,
            county_name="Lancashire" if in_county else None,
            region_code="E12000002",
            region_name="North West",
        )
    return AreaLookup(areas)


_COLUMN_PATTERNS = {
    "code": (r"^LAD\d{2}CD$", r"^LTLA\d{2}CD$", r"^LAU1\d{2}CD$", r"^LAD\d{2}CD$"),
    "name": (r"^LAD\d{2}NM$", r"^LAD_NM$", r"^LTLA\d{2}NM$", r"^LAU1\d{2}NM$"),
    "county_code": (r"^CTY\d{2}CD$", r"^UTLA\d{2}CD$"),
    "county_name": (r"^CTY\d{2}NM$", r"^UTLA\d{2}NM$"),
    "region_code": (r"^RGN\d{2}CD$", r"^GOR\d{2}CD$", r"^RGN_CD$"),
    "region_name": (r"^RGN\d{2}NM$", r"^GOR\d{2}NM$", r"^RGN_NM$"),
    "country_code": (r"^CTRY\d{2}CD$", r"^CTRY_CD$"),
    "country_name": (r"^CTRY\d{2}NM$", r"^CTRY_NM$"),
}


def _find_columns(header: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    cleaned = {column.strip().lstrip("\ufeff"): column for column in header}
    for target, patterns in _COLUMN_PATTERNS.items():
        for pattern in patterns:
            match = next((c for c in cleaned if re.match(pattern, c, re.IGNORECASE)), None)
            if match:
                found[target] = cleaned[match]
                break
    return found


def load_area_lookup(path: Path) -> AreaLookup:
    """Read an ONS lookup CSV into districts. Ward-level files collapse to one row a district.

    A county that is really a unitary authority's own code (UTLA = LTLA) is not a county.

    Raises
    ------
    PlaceError
        The file has no district code column.
    """
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as error:
        raise PlaceError(f"{path}: cannot read ({error})") from error
    reader = csv.DictReader(io.StringIO(text))
    columns = _find_columns(list(reader.fieldnames or []))
    if "code" not in columns:
        raise PlaceError(
            f"{path}: no district code column (looked for LADyyCD, LTLAyyCD); give an ONS lookup "
            f"with one. Columns found: {', '.join(reader.fieldnames or [])}"
        )
    areas: dict[str, Area] = {}
    for row in reader:
        values = {target: (row.get(column) or "").strip() or None
                  for target, column in columns.items()}
        code = values.pop("code")
        if not code or code in areas:
            continue
        if values.get("county_code") == code:
            values["county_code"] = values["county_name"] = None
        areas[code] = Area(code=code, **values)
    return AreaLookup(areas)


def load_area_lookups(paths: Iterable[Path]) -> AreaLookup:
    """Built-in names, then each file in turn filling the gaps."""
    lookup = AreaLookup({})
    for path in paths:
        lookup = lookup.merged(load_area_lookup(path))
    return lookup.merged(builtin_areas())


def save_area_lookup(lookup: AreaLookup, path: Path) -> None:
    """Keep a combined lookup (the CLI remembers ``--areas`` in the var folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([vars(a) for a in lookup.areas.values()], indent=0), "utf-8")


def read_saved_area_lookup(path: Path) -> AreaLookup:
    if not path.exists():
        return builtin_areas()
    rows = json.loads(path.read_text("utf-8"))
    return AreaLookup({row["code"]: Area(**row) for row in rows}).merged(builtin_areas())
