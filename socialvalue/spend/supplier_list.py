"""The user's own supplier list: where suppliers are, on what basis, and what kind they are.

A CSV with at least ``name`` and ``postcode``; optional ``company_number``, ``sic``, ``type``
(SME, VCSE, public body, individual …) and ``basis`` (``registered_office``, ``trading_address``,
``branch`` or ``user_confirmed``; ``trading_address`` when absent). A supplier may have several
rows, one per location. Rows join the spend on the normalised supplier name
(:func:`socialvalue.suppliers.normalise.normalise_name`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from socialvalue.exceptions import SpendFileError
from socialvalue.geography.areas import AreaLookup
from socialvalue.geography.postcodes import PostcodeDirectory
from socialvalue.spend.analyse import BASES, SupplierLocation, supplier_key_table


@dataclass(frozen=True)
class SupplierRow:
    name: str
    supplier_key: str
    postcode: str | None
    basis: str
    company_number: str | None
    sic: str | None
    business_type: str | None


def read_supplier_list(path: Path) -> list[SupplierRow]:
    """Read the CSV; problems name the line and the column."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("cp1252", errors="replace")
    except OSError as error:
        raise SpendFileError(f"{path}: cannot read ({error})") from error
    reader = csv.DictReader(io.StringIO(text))
    fields = {name.strip().lower(): name for name in reader.fieldnames or []}
    missing = [column for column in ("name", "postcode") if column not in fields]
    if missing:
        raise SpendFileError(
            f"{path}: the supplier list needs columns {', '.join(missing)}; found: "
            f"{', '.join(reader.fieldnames or []) or 'none'}"
        )

    def value(row: dict[str, str], column: str) -> str | None:
        source = fields.get(column)
        text = (row.get(source) or "").strip() if source else ""
        return text or None

    parsed = []
    for line, row in enumerate(reader, 2):
        name = value(row, "name")
        if not name:
            raise SpendFileError(
                f"{path}, line {line}, column 'name': empty; fill it or remove the row"
            )
        basis = (value(row, "basis") or "trading_address").lower().replace(" ", "_")
        if basis not in BASES:
            raise SpendFileError(
                f"{path}, line {line}, column 'basis': {basis!r} is not one of "
                f"{', '.join(b for b in BASES if b != 'payment_address')}"
            )
        parsed.append((name, basis, row))
    # The same keys as the spend's: each distinct (case-folded ASCII) spelling normalised once.
    table = supplier_key_table([name for name, _basis, _row in parsed])
    keys = dict(zip(*table.to_pydict().values(), strict=True))
    return [
        SupplierRow(
            name=name,
            supplier_key=keys[name],
            postcode=value(row, "postcode"),
            basis=basis,
            company_number=value(row, "company_number"),
            sic=value(row, "sic"),
            business_type=value(row, "type"),
        )
        for name, basis, row in parsed
    ]


def read_supplier_records(path: Path) -> list[SupplierRow]:
    """Rows from the supplier records ``socialvalue suppliers match`` wrote.

    ``path`` is the ``suppliers.parquet`` in a dataset's ``suppliers/`` folder. Each record is
    joined on its ledger spellings (``raw_names``), each mapped to the analysis's own key: the
    matcher may merge near-identical keys, so its ``supplier_key`` can differ from the one the
    analysis computes. One row per spelling and located address (registered office, trading
    addresses, branches), so the local share can be reported under each basis.
    """
    import pyarrow.parquet as pq

    from socialvalue.spend.analyse import supplier_key_table

    try:
        records = pq.read_table(path).to_pylist()
    except (OSError, pa.ArrowInvalid) as error:
        raise SpendFileError(
            f"{path}: cannot read the supplier records ({error}); run `socialvalue suppliers "
            "match` on the dataset again"
        ) from error
    spellings = sorted({name for record in records for name in (record["raw_names"] or [])})
    keys = dict(zip(*supplier_key_table(spellings).to_pydict().values(), strict=True))
    rows: list[SupplierRow] = []
    for record in records:
        # A register's office counts only for an accepted match; trading and branch postcodes
        # an analyst added count whatever the match status.
        accepted = record["status"] == "accepted"
        analysis_keys = {keys[name] for name in record["raw_names"] or [] if name in keys}
        addresses = [
            ("registered_office", record["registered_office_postcode"] if accepted else None)
        ]
        addresses += [("trading_address", p) for p in record["trading_postcodes"] or []]
        addresses += [("branch", p) for p in record["branch_postcodes"] or []]
        sic = (record["sic_codes"] or [None])[0] if accepted else None
        kind = (
            record["business_type"] if accepted and record["business_type"] != "unknown" else None
        )
        for key in sorted(analysis_keys):
            for basis, postcode in addresses:
                if postcode:
                    rows.append(
                        SupplierRow(
                            name=record["name"],
                            supplier_key=key,
                            postcode=postcode,
                            basis=basis,
                            company_number=record["company_number"],
                            sic=sic,
                            business_type=kind,
                        )
                    )
    return rows


def supplier_locations(
    rows: Iterable[SupplierRow], directory: PostcodeDirectory, areas: AreaLookup
) -> list[SupplierLocation]:
    """Place each row's postcode in a district and region."""
    rows = list(rows)
    placed = directory.place(row.postcode for row in rows)
    regions: dict[str, str | None] = {}  # by district: thousands of suppliers, a few districts
    locations = []
    for row in rows:
        placement = placed.get(row.postcode) if row.postcode else None
        lad = placement.lad_code if placement else None
        region = None
        if lad:
            if lad not in regions:
                area = areas.get(lad)
                regions[lad] = area.region_name or area.country_name
            region = regions[lad]
        locations.append(SupplierLocation(row.supplier_key, row.basis, row.postcode, lad, region))
    return locations


def supplier_attributes(rows: Iterable[SupplierRow]) -> pa.Table:
    """``supplier_key, supplier_sic, supplier_type`` (first value given for each key)."""
    chosen: dict[str, tuple[str | None, str | None]] = {}
    for row in rows:
        sic, kind = chosen.get(row.supplier_key, (None, None))
        chosen[row.supplier_key] = (sic or row.sic, kind or row.business_type)
    return pa.table(
        {
            "supplier_key": pa.array(list(chosen), pa.string()),
            "supplier_sic": pa.array([v[0] for v in chosen.values()], pa.string()),
            "supplier_type": pa.array([v[1] for v in chosen.values()], pa.string()),
        }
    )
