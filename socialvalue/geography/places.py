"""Places: named sets of local authority districts, against which "local" is measured.

Built in:

* every district, by its code (``E07000123``) or name (``Preston``, when the name is known);
* every county, region and country in the area lookup (by code or name);
* ``Lancashire`` (county, ``E10000017``: the 12 two-tier districts), ``Lancashire-14`` (those
  plus Blackburn with Darwen and Blackpool) and ``Greater Manchester`` (the ten districts) —
  these need no lookup (``socialvalue/geography/data/places.yaml``).

User-defined places come from a YAML file::

    places:
      - name: Preston and South Ribble
        code: preston-south-ribble      # optional; defaults to the name
        districts: [E07000123, South Ribble]

or a CSV with columns ``place`` and ``district`` (one row per district; code or name). A user
place with the name of a built-in one replaces it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from socialvalue.exceptions import PlaceError
from socialvalue.geography.areas import AreaLookup, builtin_places_data


@dataclass(frozen=True)
class Place:
    """A named set of districts.

    Attributes
    ----------
    code
        A short identifier (an ONS code for official areas).
    name
        What people call it.
    kind
        ``district``, ``county``, ``region``, ``country``, ``group`` or ``user``.
    districts
        The district codes it covers.
    """

    code: str
    name: str
    kind: str
    districts: frozenset[str]

    def __contains__(self, district: object) -> bool:
        return district in self.districts


def builtin_places(areas: AreaLookup) -> list[Place]:
    """Districts, counties, regions and countries from the lookup, then the built-in groups."""
    places: list[Place] = []
    group_names: dict[tuple[str, str], str] = {}
    group_districts: dict[tuple[str, str], set[str]] = {}
    for code in areas.codes():
        area = areas.get(code)
        places.append(Place(code, area.name or code, "district", frozenset({code})))
        for kind, group_code, group_name in (
            ("county", area.county_code, area.county_name),
            ("region", area.region_code, area.region_name),
            ("country", area.country_code, area.country_name),
        ):
            if group_code:
                group_names.setdefault((kind, group_code), group_name or group_code)
                group_districts.setdefault((kind, group_code), set()).add(code)
    for (kind, code), name in sorted(group_names.items()):
        places.append(Place(code, name, kind, frozenset(group_districts[(kind, code)])))
    for spec in builtin_places_data()["places"]:
        places = [p for p in places if p.code != spec["code"]]
        places.append(Place(spec["code"], spec["name"], spec["kind"], frozenset(spec["districts"])))
    return places


def _district_code(token: str, areas: AreaLookup, source: str) -> str:
    token = token.strip()
    if token in areas.areas or (len(token) == 9 and token[0] in "EWSNLM" and token[1:].isdigit()):
        return token
    matches = [
        code for code in areas.codes() if (areas.get(code).name or "").lower() == token.lower()
    ]
    if len(matches) == 1:
        return matches[0]
    raise PlaceError(
        f"{source}: district {token!r} is not a district code or a known district name; use the "
        "ONS code (e.g. E07000123) or give an ONS lookup with --areas"
    )


def load_places_file(path: Path, areas: AreaLookup) -> list[Place]:
    """Read user-defined places from YAML (``places:`` list) or CSV (``place,district``)."""
    try:
        text = path.read_text("utf-8-sig")
    except OSError as error:
        raise PlaceError(f"{path}: cannot read ({error})") from error
    places: list[Place] = []
    if path.suffix.lower() == ".csv":
        grouped: dict[str, set[str]] = {}
        reader = csv.DictReader(io.StringIO(text))
        if not {"place", "district"} <= set(reader.fieldnames or []):
            raise PlaceError(f"{path}: needs columns 'place' and 'district'")
        for line, row in enumerate(reader, 2):
            name = (row["place"] or "").strip()
            if not name:
                raise PlaceError(f"{path}, line {line}: the place name is empty")
            grouped.setdefault(name, set()).add(
                _district_code(row["district"] or "", areas, f"{path}, line {line}")
            )
        return [Place(name, name, "user", frozenset(d)) for name, d in grouped.items()]
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise PlaceError(f"{path}: not valid YAML ({error})") from error
    for index, spec in enumerate(data.get("places") or []):
        where = f"{path}, places[{index}]"
        if not isinstance(spec, dict) or not spec.get("name") or not spec.get("districts"):
            raise PlaceError(f"{where}: each place needs a 'name' and a list of 'districts'")
        districts = frozenset(_district_code(str(d), areas, where) for d in spec["districts"])
        places.append(Place(str(spec.get("code") or spec["name"]), str(spec["name"]), "user",
                            districts))
    return places


def all_places(areas: AreaLookup, files: Iterable[Path] = ()) -> list[Place]:
    """Built-in places with those from ``files`` added (a user place wins on a clash)."""
    places = builtin_places(areas)
    for path in files:
        for place in load_places_file(path, areas):
            places = [p for p in places if p.code != place.code and p.name != place.name]
            places.append(place)
    return places


def resolve_place(text: str, places: Sequence[Place]) -> Place:
    """Find a place by code, then by name (case-insensitive); a group beats a district.

    Raises
    ------
    PlaceError
        No place matches; the message suggests names that start the same way.
    """
    wanted = text.strip()
    for place in places:
        if place.code == wanted:
            return place
    named = [p for p in places if p.name.lower() == wanted.lower()]
    if named:
        order = {"user": 0, "group": 1, "county": 2, "region": 3, "country": 4, "district": 5}
        return sorted(named, key=lambda p: order.get(p.kind, 9))[0]
    near = sorted({p.name for p in places if p.name.lower().startswith(wanted.lower()[:3])})[:8]
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    raise PlaceError(
        f"no place called {text!r}: use a district, county or region name or ONS code, "
        f"'Lancashire-14', 'Greater Manchester', or define it in a --places file.{hint}"
    )
