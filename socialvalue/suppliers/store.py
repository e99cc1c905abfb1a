"""Where supplier matching reads ledgers and keeps its results, beside a spend dataset.

Layout, for a spend dataset directory ``SPEND_DIR`` (or ``NAME.suppliers/`` beside a plain
CSV/Parquet file of supplier names)::

    SPEND_DIR/suppliers/
        matches.json        every supplier: status, confidence, ranked candidates with evidence
        suppliers.parquet   one row per supplier: the record the spend analysis reads
        decisions.json      reviewer decisions (see socialvalue.suppliers.decisions)

``suppliers.parquet`` columns: ``supplier_key``, ``name``, ``raw_names`` (list), ``rows``,
``status`` (accepted / review / unmatched), ``confidence``, ``register``, ``entry_id``,
``registered_name``, ``company_number``, ``charity_number``, ``registered_office_postcode``,
``trading_postcodes`` (list), ``branch_postcodes`` (list), ``sic_codes`` (list),
``business_type``, ``size``, ``is_sme``. Register fields are filled for accepted suppliers only.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from socialvalue.exceptions import SupplierMatchingError
from socialvalue.suppliers.cluster import SupplierGroup, group_spellings
from socialvalue.suppliers.matching import LedgerSupplier, MatchResult, MatchStatus
from socialvalue.suppliers.record import BusinessType, SupplierRecord

__all__ = [
    "SUPPLIER_NAME_COLUMNS",
    "output_dir",
    "read_ledger_suppliers",
    "read_matches",
    "supplier_records",
    "write_results",
]

# Columns that may hold the supplier's name, in order of preference.
SUPPLIER_NAME_COLUMNS = ("supplier_name", "supplier", "supplier_name_raw", "payee", "vendor_name")
_NUMBER_COLUMNS = ("company_number", "supplier_company_number", "companies_house_number")
_POSTCODE_COLUMNS = ("postcode", "supplier_postcode")


def output_dir(spend: Path) -> Path:
    """The folder holding supplier results for a spend dataset directory or a names file."""
    if spend.is_dir():
        return spend / "suppliers"
    return spend.with_name(spend.stem + ".suppliers")


def _sources(spend: Path) -> list[Path]:
    if spend.is_file():
        return [spend]
    if not spend.is_dir():
        raise SupplierMatchingError(
            f"{spend} does not exist; give a spend dataset directory (from 'socialvalue spend "
            "ingest') or a CSV/Parquet file with a supplier_name column"
        )
    # A dataset from 'socialvalue spend ingest' keeps loaded rows in transactions/ (quarantined
    # rows, in quarantine/, are not suppliers' spend); any other folder: every Parquet file.
    root = spend / "transactions" if (spend / "transactions").is_dir() else spend
    files = sorted(
        path
        for path in root.rglob("*.parquet")
        if path.relative_to(root).parts[0] not in {"suppliers", "quarantine"}
    )
    if not files:
        raise SupplierMatchingError(
            f"{spend} holds no Parquet files; run 'socialvalue spend ingest' first or give a "
            "CSV/Parquet file with a supplier_name column"
        )
    return files


def read_ledger_suppliers(spend: Path) -> tuple[list[SupplierGroup], list[LedgerSupplier]]:
    """Read supplier spellings from a spend dataset and group them into suppliers.

    Returns
    -------
    tuple[list[SupplierGroup], list[LedgerSupplier]]
        The groups (with row counts) and, in the same order, the suppliers to match (a ledger
        company number or postcode is carried over when every row of the group that has one
        agrees).

    Raises
    ------
    SupplierMatchingError
        No file, or no supplier name column (naming the columns looked for and found).
    """
    connection = duckdb.connect()
    try:
        names: list[str] = []
        numbers: dict[str, Counter[str]] = {}
        postcodes: dict[str, Counter[str]] = {}
        for source in _sources(spend):
            reader = "read_parquet" if source.suffix == ".parquet" else "read_csv"
            options = "" if reader == "read_parquet" else ", all_varchar = true, header = true"
            literal = "'" + str(source).replace("'", "''") + "'"
            try:
                table_sql = f"{reader}({literal}{options})"
                relation = connection.sql(f"select * from {table_sql}")  # noqa: S608
            except duckdb.Error as error:
                raise SupplierMatchingError(f"cannot read {source}: {error}") from error
            columns = {
                column.strip().casefold().replace(" ", "_"): column for column in relation.columns
            }
            name_column = next((columns[c] for c in SUPPLIER_NAME_COLUMNS if c in columns), None)
            if name_column is None:
                if spend.is_dir():
                    continue
                raise SupplierMatchingError(
                    f"{source} has no supplier name column: expected one of "
                    f"{', '.join(SUPPLIER_NAME_COLUMNS)}; found {', '.join(relation.columns)}"
                )
            number_column = next((columns[c] for c in _NUMBER_COLUMNS if c in columns), None)
            postcode_column = next((columns[c] for c in _POSTCODE_COLUMNS if c in columns), None)
            picked = [name_column, number_column, postcode_column]
            select = ", ".join(f'cast("{c}" as varchar)' if c else "null::varchar" for c in picked)
            # Only named payees are suppliers (not "REDACTED", "various" …), when the ingest says.
            where = (
                f"where \"{columns['payee_class']}\" = 'named'" if "payee_class" in columns else ""
            )
            query = f"select {select} from {table_sql} {where}"  # noqa: S608
            rows = connection.execute(query).fetchall()
            for name, number, postcode in rows:
                if name is None:
                    continue
                names.append(name)
                if number:
                    numbers.setdefault(name, Counter())[number] += 1
                if postcode:
                    postcodes.setdefault(name, Counter())[postcode] += 1
        if not names:
            raise SupplierMatchingError(
                f"no supplier names found in {spend}: expected a column named one of "
                f"{', '.join(SUPPLIER_NAME_COLUMNS)}"
            )
    finally:
        connection.close()
    groups = group_spellings(names)
    suppliers = []
    for group in groups:
        suppliers.append(
            LedgerSupplier(
                supplier_key=group.supplier_key,
                name=group.name,
                raw_names=group.raw_names,
                company_number=_agreed(numbers, group.raw_names),
                postcode=_agreed(postcodes, group.raw_names),
            )
        )
    return groups, suppliers


def _agreed(values: dict[str, Counter[str]], spellings: Sequence[str]) -> str | None:
    found: Counter[str] = Counter()
    for spelling in spellings:
        found.update(values.get(spelling, Counter()))
    return next(iter(found)) if len(found) == 1 else None


def supplier_records(
    results: Sequence[MatchResult],
    addresses: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> list[SupplierRecord]:
    """A :class:`SupplierRecord` per supplier; register fields only for accepted matches.

    ``addresses`` maps a supplier key to the ``(basis, postcode)`` pairs an analyst added
    (basis ``trading_address`` or ``branch``); they are kept whatever the match status, so a
    local sole trader no register knows can still count as local.
    """
    records = [_record(result) for result in results]
    if not addresses:
        return records
    added = []
    for record in records:
        pairs = addresses.get(record.supplier_key, ())
        added.append(
            replace(
                record,
                trading_postcodes=tuple(p for basis, p in pairs if basis == "trading_address"),
                branch_postcodes=tuple(p for basis, p in pairs if basis == "branch"),
            )
        )
    return added


def _record(result: MatchResult) -> SupplierRecord:
    best = result.best if result.status is MatchStatus.ACCEPTED else None
    if best is None:
        return SupplierRecord(
            supplier_key=result.supplier_key, name=result.name, raw_names=result.raw_names
        )
    try:
        business_type = BusinessType(best.business_type)
    except ValueError:
        business_type = BusinessType.UNKNOWN
    return SupplierRecord(
        supplier_key=result.supplier_key,
        name=best.name,
        raw_names=result.raw_names,
        register=best.register,
        register_entry_id=best.entry_id,
        company_number=best.company_number,
        charity_number=best.charity_number,
        registered_office_postcode=best.postcode,
        sic_codes=best.sic_codes,
        business_type=business_type,
        size=best.size,
        is_sme=best.is_sme,
    )


def _result_to_dict(result: MatchResult) -> dict[str, object]:
    data = asdict(result)
    data["status"] = result.status.value
    return data


def write_results(
    destination: Path,
    results: Sequence[MatchResult],
    groups: Sequence[SupplierGroup] = (),
    addresses: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> None:
    """Write ``matches.json`` and ``suppliers.parquet`` into ``destination``.

    ``addresses``: trading and branch postcodes an analyst added, by supplier key (see
    :func:`supplier_records`).
    """
    destination.mkdir(parents=True, exist_ok=True)
    (destination / "matches.json").write_text(
        json.dumps([_result_to_dict(r) for r in results], indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    rows_by_key = {group.supplier_key: group.rows for group in groups}
    records = supplier_records(results, addresses)
    table = pa.table(
        {
            "supplier_key": [r.supplier_key for r in records],
            "name": [r.name for r in records],
            "raw_names": [list(r.raw_names) for r in records],
            "rows": pa.array([rows_by_key.get(r.supplier_key) for r in records], pa.int64()),
            "status": [result.status.value for result in results],
            "confidence": [result.confidence for result in results],
            "register": pa.array([r.register for r in records], pa.string()),
            "entry_id": pa.array([r.register_entry_id for r in records], pa.string()),
            "registered_name": pa.array(
                [r.name if r.register else None for r in records], pa.string()
            ),
            "company_number": pa.array([r.company_number for r in records], pa.string()),
            "charity_number": pa.array([r.charity_number for r in records], pa.string()),
            "registered_office_postcode": pa.array(
                [r.registered_office_postcode for r in records], pa.string()
            ),
            "trading_postcodes": pa.array(
                [list(r.trading_postcodes) for r in records], pa.list_(pa.string())
            ),
            "branch_postcodes": pa.array(
                [list(r.branch_postcodes) for r in records], pa.list_(pa.string())
            ),
            "sic_codes": pa.array([list(r.sic_codes) for r in records], pa.list_(pa.string())),
            "business_type": [r.business_type.value for r in records],
            "size": pa.array([r.size for r in records], pa.string()),
            "is_sme": pa.array([r.is_sme for r in records], pa.bool_()),
        }
    )
    pq.write_table(table, destination / "suppliers.parquet")


def read_matches(destination: Path) -> list[MatchResult]:
    """Read ``matches.json`` written by :func:`write_results`.

    Raises
    ------
    SupplierMatchingError
        There is no matches file yet (run ``socialvalue suppliers match`` first).
    """
    from socialvalue.suppliers.matching import Candidate

    path = destination / "matches.json"
    if not path.is_file():
        raise SupplierMatchingError(
            f"no matches in {destination}; run 'socialvalue suppliers match' first"
        )
    results = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        candidates = tuple(
            Candidate(
                **{
                    **candidate,
                    "sic_codes": tuple(candidate["sic_codes"]),
                    "evidence": tuple(candidate["evidence"]),
                }
            )
            for candidate in item["candidates"]
        )
        results.append(
            MatchResult(
                supplier_key=item["supplier_key"],
                name=item["name"],
                status=MatchStatus(item["status"]),
                confidence=item["confidence"],
                candidates=candidates,
                reasons=tuple(item["reasons"]),
                raw_names=tuple(item["raw_names"]),
            )
        )
    return results
