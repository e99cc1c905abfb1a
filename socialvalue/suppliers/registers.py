"""Company and charity registers: read their published formats into one Parquet layout.

Four formats are recognised from the header:

``companies_house``
    The Companies House "BasicCompanyData" free data product (55 columns; several header names
    start with a space, e.g. ``" CompanyNumber"``, which is tolerated). Columns used:
    ``CompanyName``, ``CompanyNumber``, ``RegAddress.PostCode``, ``CompanyCategory``,
    ``CompanyStatus``, ``SICCode.SicText_1``–``_4`` (``"78300 - Human resources …"``),
    ``Accounts.AccountCategory`` and ``PreviousName_1``–``_10.CompanyName``.
``charity_commission``
    The Charity Commission for England and Wales register extract (``publicextract.charity``,
    tab-separated text or CSV): ``registered_charity_number``, ``charity_name``, and when present
    ``linked_charity_number`` (only main charities, ``0``, are kept),
    ``charity_contact_postcode``, ``charity_company_registration_number``,
    ``charity_registration_status``.
``gender_pay_gap``
    GOV.UK Gender Pay Gap employer downloads: ``EmployerName``, ``CompanyNumber``, ``Address``,
    ``PostCode`` (later years), ``SicCodes`` (comma and newline separated; ``1`` = public sector),
    ``EmployerSize``.
``generic``
    Any CSV with a ``name`` column and, optionally, ``company_number``, ``charity_number``,
    ``postcode``, ``sic`` (codes separated by commas, semicolons or spaces), ``type``, ``size``.

Files are read by DuckDB and processed in record batches, so memory stays bounded whatever the
size (the Companies House file is about 5.5M rows). The result is a Parquet file with the columns
in :data:`REGISTER_SCHEMA`; matching reads that file. Every identifier is checked
(:mod:`socialvalue.suppliers.identifiers`): a bad one is kept in ``*_raw`` with its problem, and
not used.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from socialvalue.exceptions import RegisterFormatError
from socialvalue.suppliers.identifiers import check_charity_number, check_company_number
from socialvalue.suppliers.normalise import name_variants, normalise_name
from socialvalue.suppliers.record import (
    business_type_from,
    is_sme_from,
    normalise_postcode,
    postcode_area,
)

__all__ = [
    "REGISTER_FORMATS",
    "REGISTER_SCHEMA",
    "RegisterFormat",
    "RegisterLoad",
    "detect_register_format",
    "load_register",
    "read_header",
    "register_cache_path",
]


@dataclass(frozen=True)
class RegisterFormat:
    """A register format: the header columns it must have and where each field comes from.

    ``fields`` maps our field name to a header name (compared after trimming spaces and, for
    ``generic``, ignoring case); a field may take several columns (SIC codes, previous names).
    """

    key: str
    title: str
    required: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]
    case_insensitive: bool = False


_CH_PREVIOUS_NAMES = tuple(f"PreviousName_{n}.CompanyName" for n in range(1, 11))

REGISTER_FORMATS: tuple[RegisterFormat, ...] = (
    RegisterFormat(
        key="companies_house",
        title="Companies House BasicCompanyData",
        required=("CompanyName", "CompanyNumber", "RegAddress.PostCode", "CompanyCategory"),
        fields={
            "name": ("CompanyName",),
            "company_number": ("CompanyNumber",),
            "postcode": ("RegAddress.PostCode",),
            "category": ("CompanyCategory",),
            "status": ("CompanyStatus",),
            "sic": tuple(f"SICCode.SicText_{n}" for n in range(1, 5)),
            "size": ("Accounts.AccountCategory",),
            "previous_names": _CH_PREVIOUS_NAMES,
        },
    ),
    RegisterFormat(
        key="charity_commission",
        title="Charity Commission register extract",
        required=("registered_charity_number", "charity_name"),
        fields={
            "name": ("charity_name",),
            "charity_number": ("registered_charity_number",),
            "linked_charity_number": ("linked_charity_number",),
            "company_number": ("charity_company_registration_number",),
            "postcode": ("charity_contact_postcode",),
            "status": ("charity_registration_status",),
            "category": ("charity_type",),
        },
    ),
    RegisterFormat(
        key="gender_pay_gap",
        title="Gender Pay Gap employer download",
        required=("EmployerName", "CompanyNumber", "SicCodes"),
        fields={
            "name": ("EmployerName",),
            "company_number": ("CompanyNumber",),
            "postcode": ("PostCode",),
            "address": ("Address",),
            "sic": ("SicCodes",),
            "size": ("EmployerSize",),
            "previous_names": ("CurrentName",),
        },
    ),
    RegisterFormat(
        key="generic",
        title="generic supplier register CSV",
        required=("name",),
        fields={
            "name": ("name",),
            "company_number": ("company_number",),
            "charity_number": ("charity_number",),
            "postcode": ("postcode",),
            "sic": ("sic",),
            "category": ("type",),
            "size": ("size",),
        },
        case_insensitive=True,
    ),
)

REGISTER_SCHEMA = pa.schema(
    [
        ("entry_id", pa.string()),
        ("name", pa.string()),
        ("name_normalised", pa.string()),
        ("other_names_normalised", pa.list_(pa.string())),
        ("company_number", pa.string()),
        ("company_number_raw", pa.string()),
        ("charity_number", pa.string()),
        ("charity_number_raw", pa.string()),
        ("identifier_problem", pa.string()),
        ("postcode", pa.string()),
        ("postcode_area", pa.string()),
        ("sic_codes", pa.list_(pa.string())),
        ("category", pa.string()),
        ("business_type", pa.string()),
        ("status", pa.string()),
        ("size", pa.string()),
        ("is_sme", pa.bool_()),
    ]
)


@dataclass(frozen=True)
class RegisterLoad:
    """What loading a register did.

    Attributes
    ----------
    source, destination
        The file read and the Parquet file written.
    register_format
        The :attr:`RegisterFormat.key` recognised.
    rows_read, rows_written
        Rows in the file; rows kept (Charity Commission linked charities are skipped).
    identifier_problems
        How many numbers failed each check (``"company_number:format"`` → count); they are kept
        in ``*_raw`` and not used.
    problem_examples
        Up to ten messages, for the user.
    """

    source: Path
    destination: Path
    register_format: str
    rows_read: int
    rows_written: int
    identifier_problems: dict[str, int] = field(default_factory=dict)
    problem_examples: tuple[str, ...] = ()


def read_header(path: Path) -> list[str]:
    """The header of a CSV or tab-separated file, as written (spaces kept)."""
    try:
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
            first_line = handle.readline()
    except OSError as error:
        raise RegisterFormatError(f"cannot read register {path}: {error.strerror}") from error
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return next(csv.reader([first_line], delimiter=delimiter), [])


def _key(column: str, case_insensitive: bool) -> str:
    column = column.strip()
    return column.casefold() if case_insensitive else column


def detect_register_format(header: Sequence[str], *, source: str = "register") -> RegisterFormat:
    """The register format whose required columns the header has.

    Raises
    ------
    RegisterFormatError
        Naming each format's required columns and the columns found.
    """
    for register_format in REGISTER_FORMATS:
        present = {_key(column, register_format.case_insensitive) for column in header}
        wanted = {
            _key(column, register_format.case_insensitive) for column in register_format.required
        }
        if wanted <= present:
            return register_format
    expected = "; ".join(
        f"{register_format.title}: {', '.join(register_format.required)}"
        for register_format in REGISTER_FORMATS
    )
    found = ", ".join(repr(column) for column in header[:12]) or "no columns"
    more = f" and {len(header) - 12} more" if len(header) > 12 else ""
    raise RegisterFormatError(
        f"{source} is not a register the toolkit reads. Expected the columns of one of "
        f"({expected}); found {found}{more}. Rename the columns (a generic register needs only "
        "a 'name' column) and try again."
    )


def register_cache_path(source: Path, cache_dir: Path) -> Path:
    """Where the Parquet built from ``source`` is kept: named by the file's name, size and time,
    so a changed file is loaded again."""
    stat = source.stat()
    fingerprint = hashlib.sha256(
        f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
    ).hexdigest()[:12]
    return cache_dir / f"{source.stem}.{fingerprint}.register.parquet"


_SIC_CODE = re.compile(r"\b(\d{4,5})\b")


def _sic_codes(values: Sequence[str | None]) -> list[str]:
    codes: list[str] = []
    for value in values:
        if not value:
            continue
        text = value.split(" - ", 1)[0] if " - " in value else value
        for found in _SIC_CODE.findall(text):
            code = found.zfill(5)
            if code not in codes:
                codes.append(code)
    return codes


def _first(values: Sequence[str | None]) -> str | None:
    for value in values:
        if value is not None and value.strip():
            return value.strip()
    return None


@dataclass
class _Counters:
    problems: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def add(self, key: str, message: str) -> None:
        self.problems[key] += 1
        if len(self.examples) < 10:
            self.examples.append(message)


def _rows_to_batch(
    rows: dict[str, list[list[str | None]]],
    count: int,
    register_format: RegisterFormat,
    first_row_number: int,
    counters: _Counters,
) -> tuple[pa.RecordBatch, int]:
    out: dict[str, list[object]] = {name: [] for name in REGISTER_SCHEMA.names}

    def values(field_name: str, index: int) -> list[str | None]:
        return [column[index] for column in rows.get(field_name, [])]

    kept = 0
    for index in range(count):
        linked = _first(values("linked_charity_number", index))
        if linked not in (None, "0"):
            continue
        name = _first(values("name", index)) or ""
        company_raw = _first(values("company_number", index))
        charity_raw = _first(values("charity_number", index))
        company = check_company_number(company_raw)
        charity = check_charity_number(charity_raw)
        problems = []
        for check in (company, charity):
            if check.problem is not None:
                counters.add(f"{check.kind}:{check.problem}", f"{name!r}: {check.message}")
                problems.append(f"{check.kind}:{check.problem}")
        postcode = normalise_postcode(_first(values("postcode", index)))
        if postcode is None:
            postcode = normalise_postcode(_first(values("address", index)))
        sic_values = values("sic", index)
        sic_codes = _sic_codes(sic_values)
        category = _first(values("category", index))
        if (
            register_format.key == "gender_pay_gap"
            and sic_codes == []
            and any((value or "").strip() == "1" for value in sic_values)
        ):
            category = "public body"
        normalised = normalise_name(name)
        other_names: list[str] = []
        for variant in name_variants(name)[1:]:
            other_names.append(variant)
        for previous in values("previous_names", index):
            if previous and previous.strip():
                previous_normalised = normalise_name(previous)
                if previous_normalised and previous_normalised != normalised:
                    other_names.append(previous_normalised)
        size = _first(values("size", index))
        entry_id = company.value or charity.value or f"row:{first_row_number + index}"
        out["entry_id"].append(entry_id)
        out["name"].append(name)
        out["name_normalised"].append(normalised)
        out["other_names_normalised"].append(sorted(set(other_names)))
        out["company_number"].append(company.value)
        out["company_number_raw"].append(company_raw)
        out["charity_number"].append(charity.value)
        out["charity_number_raw"].append(charity_raw)
        out["identifier_problem"].append(";".join(problems) or None)
        out["postcode"].append(postcode)
        out["postcode_area"].append(postcode_area(postcode))
        out["sic_codes"].append(sic_codes)
        out["category"].append(category)
        out["business_type"].append(
            business_type_from(
                category=category,
                name=name,
                company_number=company.value,
                charity_number=charity.value,
            ).value
        )
        out["status"].append(_first(values("status", index)))
        out["size"].append(size)
        out["is_sme"].append(is_sme_from(size))
        kept += 1
    return pa.RecordBatch.from_pydict(out, schema=REGISTER_SCHEMA), kept


def _column_map(
    header: Sequence[str], duckdb_columns: Sequence[str], register_format: RegisterFormat
) -> dict[str, list[str]]:
    """Our field → the DuckDB column names that carry it (DuckDB may trim header spaces)."""
    by_key = {_key(column, register_format.case_insensitive): column for column in duckdb_columns}
    mapped: dict[str, list[str]] = {}
    for field_name, wanted in register_format.fields.items():
        columns = [
            by_key[_key(column, register_format.case_insensitive)]
            for column in wanted
            if _key(column, register_format.case_insensitive) in by_key
        ]
        if columns:
            mapped[field_name] = columns
    return mapped


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _batches(
    connection: duckdb.DuckDBPyConnection, source: Path, delimiter: str, batch_rows: int
) -> tuple[list[str], Iterator[pa.RecordBatch]]:
    relation = connection.sql(
        "select * from read_csv(?, all_varchar = true, header = true, delim = ?, "
        "quote = '\"', escape = '\"')",
        params=[str(source), delimiter],
    )
    columns = list(relation.columns)
    reader = relation.to_arrow_reader(batch_rows)
    return columns, iter(reader)


def load_register(
    source: Path,
    destination: Path,
    *,
    register_format: str | None = None,
    batch_rows: int = 100_000,
    progress: Callable[[int], None] | None = None,
    memory_limit: str = "1GB",
) -> RegisterLoad:
    """Read a register file into a Parquet file matching can use, in bounded memory.

    Parameters
    ----------
    source
        A register CSV (or tab-separated text), in one of :data:`REGISTER_FORMATS`.
    destination
        The Parquet file to write (its folder is created).
    register_format
        A :attr:`RegisterFormat.key` to insist on; by default it is recognised from the header.
    batch_rows
        Rows processed at a time; memory is proportional to this, not to the file.
    progress
        Called with the number of rows read so far after each batch.
    memory_limit
        DuckDB's memory limit while reading.

    Returns
    -------
    RegisterLoad
        Counts, and the identifier problems found.

    Raises
    ------
    RegisterFormatError
        The file cannot be read or its header is not a register's.
    """
    if not source.is_file():
        raise RegisterFormatError(f"register file {source} does not exist; check the path")
    header = read_header(source)
    if register_format is None:
        chosen = detect_register_format(header, source=str(source))
    else:
        known = {candidate.key: candidate for candidate in REGISTER_FORMATS}
        if register_format not in known:
            raise RegisterFormatError(
                f"unknown register format {register_format!r}; use one of {', '.join(known)}"
            )
        chosen = known[register_format]
        present = {_key(column, chosen.case_insensitive) for column in header}
        missing = [
            column
            for column in chosen.required
            if _key(column, chosen.case_insensitive) not in present
        ]
        if missing:
            raise RegisterFormatError(
                f"{source} is not a {chosen.title}: missing column(s) {', '.join(missing)}; "
                f"found {', '.join(repr(column) for column in header[:12])}"
            )
    with source.open(encoding="utf-8-sig", errors="replace") as handle:
        line = handle.readline()
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    counters = _Counters()
    rows_read = 0
    rows_written = 0
    connection = duckdb.connect()
    try:
        connection.execute(f"set memory_limit = '{memory_limit}'")
        connection.execute("set threads = 2")
        try:
            columns, batches = _batches(connection, source, delimiter, batch_rows)
        except duckdb.Error as error:
            raise RegisterFormatError(f"cannot read register {source}: {error}") from error
        column_map = _column_map(header, columns, chosen)
        with pq.ParquetWriter(partial, REGISTER_SCHEMA, compression="zstd") as writer:
            try:
                for batch in batches:
                    rows = {
                        field_name: [batch.column(column).to_pylist() for column in mapped]
                        for field_name, mapped in column_map.items()
                    }
                    out, kept = _rows_to_batch(
                        rows, batch.num_rows, chosen, rows_read + 2, counters
                    )
                    writer.write_batch(out)
                    rows_read += batch.num_rows
                    rows_written += kept
                    if progress is not None:
                        progress(rows_read)
            except duckdb.Error as error:
                raise RegisterFormatError(
                    f"cannot read register {source} after {rows_read} rows: {error}"
                ) from error
    finally:
        connection.close()
    partial.replace(destination)
    return RegisterLoad(
        source=source,
        destination=destination,
        register_format=chosen.key,
        rows_read=rows_read,
        rows_written=rows_written,
        identifier_problems=dict(counters.problems),
        problem_examples=tuple(counters.examples),
    )
