"""Postcodes, areas and places: real ONS postcodes from the shipped directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialvalue.exceptions import PlaceError
from socialvalue.geography.areas import builtin_areas, load_area_lookups
from socialvalue.geography.places import all_places, load_places_file, resolve_place
from socialvalue.geography.postcodes import PostcodeDirectory, normalise_postcode


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> PostcodeDirectory:
    return PostcodeDirectory(tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize(("raw", "expected"), [
    ("pr12rl", "PR1 2RL"), (" PR1  2RL ", "PR1 2RL"), ("B1  1AA", "B1 1AA"),
    ("EC1A 1BB", "EC1A 1BB"), ("PR1", None), ("12345", None), ("", None),
])
def test_it_normalises_postcodes(raw: str, expected: str | None) -> None:
    assert normalise_postcode(raw) == expected


def test_it_places_postcodes_in_districts(directory: PostcodeDirectory) -> None:
    placed = directory.place(["pr1 2rl", "PR1 0AA", "BB5 1LA", "M1 1AE", "nonsense"])
    assert placed["pr1 2rl"].lad_code == "E07000123"  # Preston
    assert placed["PR1 0AA"].lad_code == "E07000126"  # PR1 straddles: this one is South Ribble
    assert placed["BB5 1LA"].lad_code == "E07000120"  # Hyndburn
    assert placed["M1 1AE"].lad_code == "E08000003"  # Manchester
    assert placed["nonsense"].match == "unmatched"


def test_it_places_an_unknown_postcode_by_its_sector_only_when_unambiguous(
    directory: PostcodeDirectory,
) -> None:
    # Neither postcode is in the directory. Every PR1 2 postcode is in Preston; PR1 0 is split
    # between three districts and PR1 between four, so that one is not guessed.
    placed = directory.place(["PR1 2ZZ", "PR1 0ZZ"])
    assert (placed["PR1 2ZZ"].lad_code, placed["PR1 2ZZ"].match) == ("E07000123", "sector")
    assert (placed["PR1 0ZZ"].lad_code, placed["PR1 0ZZ"].match) == (None, "unmatched")


def test_it_builds_the_cache_once(directory: PostcodeDirectory) -> None:
    first = directory.letter_file("P")
    assert first.exists()
    assert directory.letter_file("P").stat().st_mtime == first.stat().st_mtime


def test_it_has_the_builtin_lancashire_and_greater_manchester_places() -> None:
    places = all_places(builtin_areas())
    assert len(resolve_place("Lancashire-14", places).districts) == 14
    assert len(resolve_place("Greater Manchester", places).districts) == 10
    assert len(resolve_place("Lancashire", places).districts) == 12
    assert resolve_place("Preston", places).districts == frozenset({"E07000123"})


def test_it_explains_an_unknown_place() -> None:
    with pytest.raises(PlaceError, match="Did you mean"):
        resolve_place("Prest", all_places(builtin_areas()))


def test_it_reads_user_places_from_yaml_and_csv(tmp_path: Path) -> None:
    areas = builtin_areas()
    yaml_file = tmp_path / "places.yaml"
    yaml_file.write_text("places:\n  - name: Central Lancs\n    districts: [Preston, E07000126]\n")
    csv_file = tmp_path / "places.csv"
    csv_file.write_text("place,district\nCoast,Blackpool\nCoast,E07000119\n")
    (central,) = load_places_file(yaml_file, areas)
    (coast,) = load_places_file(csv_file, areas)
    assert central.districts == frozenset({"E07000123", "E07000126"})
    assert coast.districts == frozenset({"E06000009", "E07000119"})
    assert resolve_place("Coast", all_places(areas, [csv_file])) == coast


def test_it_agrees_with_the_ons_lookup_on_the_builtin_places(shared_data: Path) -> None:
    lookups = shared_data / "geo_ons_lookups"
    areas = load_area_lookups([lookups / "LAD25_name_region_country_NUTS_DERIVED.csv",
                               lookups / "LAD20_to_CTY20_England_Apr2020.csv"])
    places = all_places(areas)
    county = {c for c in areas.codes() if areas.get(c).county_code == "E10000017"}
    assert county == resolve_place("E10000017", places).districts
    builtin = builtin_areas()
    for code in builtin.codes():
        assert areas.get(code).name == builtin.get(code).name
    assert len(resolve_place("North West", places).districts) == 35
