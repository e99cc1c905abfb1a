"""Reads for spend: datasets, imports, the column preview, the analysis, and the rows behind
every figure (transactions and quarantine, filtered and paginated in DuckDB)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import narwhals as nw
import pyarrow as pa
from django.conf import settings
from django.db.models import QuerySet

from socialvalue.exceptions import MissingColumnsError, SocialValueError, SpendFileError
from socialvalue.geography.places import Place
from socialvalue.spend.analyse import SpendAnalysis, SupplierLocation
from socialvalue.web.accounts.models import Organisation
from socialvalue.web.spend.models import DEFAULT_PLACES, SpendDataset, SpendImport

PAGE_SIZE = 50
BREAKDOWNS = ("sector", "business_type", "financial_year", "publisher", "payee_class")


def datasets_for_organisation(*, organisation: Organisation) -> QuerySet[SpendDataset]:
    return SpendDataset.objects.filter(organisation=organisation).select_related("created_by")


def imports_for_organisation(*, organisation: Organisation) -> QuerySet[SpendImport]:
    return SpendImport.objects.filter(dataset__organisation=organisation).select_related(
        "dataset", "created_by"
    )


def latest_imports(*, dataset: SpendDataset, limit: int = 10) -> list[SpendImport]:
    return list(dataset.imports.select_related("created_by")[:limit])


def known_hashes(*, dataset: SpendDataset) -> dict[str, dict[str, Any]]:
    """``sha256 → file report`` for every file already in the dataset."""
    return {f["sha256"]: f for f in dataset.reconciliation.get("file_reports", [])}


# --- column preview -------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewColumn:
    index: int
    header: str
    field: str  # the field the synonyms (and saved overrides) give it, or ""


@dataclass(frozen=True)
class PreviewTable:
    source: str
    columns: tuple[PreviewColumn, ...]
    sample: tuple[tuple[str, ...], ...]
    missing: tuple[str, ...]
    header_row: int | None
    problem: str = ""


@dataclass(frozen=True)
class ImportPreview:
    tables: tuple[PreviewTable, ...]
    duplicates: tuple[tuple[str, str, str], ...]  # (file, earlier name, imported on)
    skipped: tuple[tuple[str, str], ...]
    problems: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    required: tuple[str, ...] = ()

    @property
    def headers(self) -> list[tuple[str, str]]:
        """Distinct headers across the tables with their automatic field, in first-seen order."""
        seen: dict[str, str] = {}
        for table in self.tables:
            for column in table.columns:
                if column.header.strip() and column.header not in seen:
                    seen[column.header] = column.field
        return list(seen.items())


def import_preview(
    *, spend_import: SpendImport, overrides: Mapping[str, str] | None = None
) -> ImportPreview:
    """How the engine will read each uploaded file: header row, field per column, a sample, and
    files already in the dataset. Uses the publisher's saved overrides plus ``overrides``."""
    from socialvalue.spend.columns import (
        builtin_synonym_map,
        load_publisher_profile,
        match_header,
    )
    from socialvalue.spend.read import input_files, read_tables, sniff
    from socialvalue.web.spend.services import upload_paths

    synonyms = builtin_synonym_map()
    dataset = spend_import.dataset
    profile = load_publisher_profile(dataset.path, spend_import.publisher)
    merged = dict(profile.with_overrides(overrides or {}).overrides)
    hashes = known_hashes(dataset=dataset)
    items, skipped = input_files(upload_paths(spend_import))
    tables: list[PreviewTable] = []
    duplicates: list[tuple[str, str, str]] = []
    problems: list[str] = []
    for item in items:
        try:
            sniffed = sniff(item)
            earlier = hashes.get(sniffed.sha256)
            if earlier is not None:
                duplicates.append((item.name, earlier["name"], earlier["imported_at"][:10]))
            found = read_tables(item, sniffed, synonyms)
        except SpendFileError as error:
            problems.append(str(error))
            continue
        for table in found:
            header = table.header or (table.sample[0] if table.sample else ())
            positions = match_header(header, synonyms, merged) if table.header else {}
            by_index = {index: name for name, index in positions.items()}
            missing = tuple(name for name in synonyms.required if name not in positions)
            problem = ""
            if not table.header:
                problem = (
                    "No header row found: the import will use a layout saved for this publisher "
                    "if one fits"
                )
            tables.append(
                PreviewTable(
                    source=table.source,
                    columns=tuple(
                        PreviewColumn(i, str(cell), by_index.get(i, ""))
                        for i, cell in enumerate(header)
                    ),
                    sample=tuple(tuple(row) for row in table.sample[:5]),
                    missing=missing if table.header else (),
                    header_row=table.header_row,
                    problem=problem,
                )
            )
    return ImportPreview(
        tables=tuple(tables),
        duplicates=tuple(duplicates),
        skipped=tuple((s.name, s.reason) for s in skipped),
        problems=tuple(problems),
        fields=synonyms.field_names,
        required=synonyms.required,
    )


# --- places and supplier locations ------------------------------------------------------------


def _cache_dir() -> Path:
    return Path(settings.VAR_DIR) / "cache"


def known_places() -> list[Place]:
    from socialvalue.geography.areas import read_saved_area_lookup
    from socialvalue.geography.places import all_places

    return all_places(read_saved_area_lookup(_cache_dir() / "areas.json"))


def place_choices() -> list[tuple[str, str]]:
    """Groups, counties and regions first, then districts, each once by name."""
    order = {"group": 0, "user": 0, "county": 1, "region": 2, "country": 3, "district": 4}
    seen: set[str] = set()
    choices = []
    for place in sorted(known_places(), key=lambda p: (order.get(p.kind, 9), p.name)):
        if place.name in seen:
            continue
        seen.add(place.name)
        choices.append((place.name, place.name))
    return choices


def resolve_places(names: Sequence[str]) -> list[Place]:
    from socialvalue.geography.places import resolve_place

    places = known_places()
    chosen: list[Place] = []
    for name in names:
        place = resolve_place(name, places)
        if place not in chosen:
            chosen.append(place)
    return chosen


def dataset_places(dataset: SpendDataset) -> list[str]:
    return list(dataset.places or DEFAULT_PLACES)


@dataclass(frozen=True)
class SupplierInputs:
    """What the analysis knows about suppliers, keyed by the analysis's own supplier key."""

    locations: tuple[SupplierLocation, ...] = ()
    attributes: pa.Table | None = None
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


def supplier_records_path(dataset: SpendDataset) -> Path:
    return dataset.path / "suppliers" / "suppliers.parquet"


def supplier_inputs(dataset: SpendDataset) -> SupplierInputs:
    """Locations and attributes from the matched supplier records and the user's own list.

    Supplier records are joined by :func:`socialvalue.spend.supplier_list.read_supplier_records`,
    as in ``socialvalue spend analyse``.
    """
    from socialvalue.geography.areas import read_saved_area_lookup
    from socialvalue.geography.postcodes import PostcodeDirectory
    from socialvalue.spend.supplier_list import (
        SupplierRow,
        read_supplier_list,
        read_supplier_records,
        supplier_attributes,
        supplier_locations,
    )
    from socialvalue.web.spend.services import SUPPLIER_LIST

    rows: list[SupplierRow] = []
    sources: list[str] = []
    records = supplier_records_path(dataset)
    if records.exists():
        rows.extend(read_supplier_records(records))
        sources.append("matched supplier records")
    own = dataset.path / SUPPLIER_LIST
    if own.exists():
        rows.extend(read_supplier_list(own))
        sources.append("your supplier list")
    if not rows:
        return SupplierInputs(sources=tuple(sources))
    lookup = read_saved_area_lookup(_cache_dir() / "areas.json")
    locations = supplier_locations(rows, PostcodeDirectory(_cache_dir()), lookup)
    return SupplierInputs(
        locations=tuple(locations), attributes=supplier_attributes(rows), sources=tuple(sources)
    )


# --- analysis ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardData:
    analysis: SpendAnalysis
    places: tuple[Place, ...]
    inputs: SupplierInputs


_ANALYSIS_CACHE: dict[tuple[Any, ...], DashboardData] = {}


def _fingerprint(dataset: SpendDataset) -> tuple[Any, ...]:
    parts: list[Any] = [str(dataset.path)]
    for name in ("manifest.json", "suppliers/suppliers.parquet", "supplier_list.csv"):
        path = dataset.path / name
        parts.append(path.stat().st_mtime_ns if path.exists() else None)
    return tuple(parts)


def dashboard(*, dataset: SpendDataset, places: Sequence[Place], top: int) -> DashboardData:
    """The analysis for the dashboard (kept in memory until the dataset or suppliers change)."""
    from socialvalue.spend.analyse import analyse_spend
    from socialvalue.spend.dataset import transactions

    key = (*_fingerprint(dataset), tuple(p.code for p in places), top)
    cached = _ANALYSIS_CACHE.get(key)
    if cached is not None:
        return cached
    inputs = supplier_inputs(dataset)
    analysis = analyse_spend(
        transactions(dataset.path),
        places=list(places),
        locations=inputs.locations,
        attributes=inputs.attributes,
        top=top,
    )
    data = DashboardData(analysis=analysis, places=tuple(places), inputs=inputs)
    if len(_ANALYSIS_CACHE) > 32:
        _ANALYSIS_CACHE.clear()
    _ANALYSIS_CACHE[key] = data
    return data


def report_bytes(*, dataset: SpendDataset, places: Sequence[Place], top: int, kind: str) -> bytes:
    """The engine's HTML or XLSX report."""
    from socialvalue.spend.dataset import open_dataset
    from socialvalue.spend.report import write_report

    data = dashboard(dataset=dataset, places=places, top=top)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"report.{kind}"
        write_report(target, data.analysis, open_dataset(dataset.path).reconciliation)
        return target.read_bytes()


# --- rows behind the figures ------------------------------------------------------------------


@dataclass(frozen=True)
class RowFilter:
    """Which rows a figure stands for; every field optional."""

    supplier: str = ""
    place: str = ""  # a place code
    local: str = ""  # "yes" / "no" for the place
    region: str = ""  # with place: leakage to this region
    breakdown: str = ""
    label: str = ""

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}

    def describe(self, place_names: Mapping[str, str]) -> str:
        parts = []
        if self.supplier:
            parts.append(f"supplier {self.supplier}")
        if self.place and self.local:
            where = place_names.get(self.place, self.place)
            parts.append(f"{'local to' if self.local == 'yes' else 'not local to'} {where}")
        if self.region:
            parts.append(f"suppliers in {self.region}")
        if self.breakdown:
            parts.append(f"{self.breakdown.replace('_', ' ')} {self.label}")
        return ", ".join(parts) or "all transactions"


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    number: int
    count: int
    total_pence: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _enriched(dataset: SpendDataset, places: Sequence[Place]) -> nw.LazyFrame[Any]:
    from socialvalue.spend.analyse import (
        HEADLINE_RULE,
        lazy_from_arrow,
        locality_table,
        supplier_region_table,
        with_periods,
        with_supplier_attributes,
        with_supplier_keys,
    )
    from socialvalue.spend.dataset import transactions

    inputs = supplier_inputs(dataset)
    keyed = with_periods(with_supplier_keys(transactions(dataset.path)))
    attributes = inputs.attributes
    if attributes is None:
        attributes = pa.table({"supplier_key": pa.array([], pa.string()),
                               "supplier_sic": pa.array([], pa.string()),
                               "supplier_type": pa.array([], pa.string())})
    keyed = with_supplier_attributes(keyed, lazy_from_arrow(keyed, attributes))
    regions = lazy_from_arrow(keyed, supplier_region_table(inputs.locations))
    keyed = keyed.join(regions, on="supplier_key", how="left").with_columns(
        nw.col("region").fill_null("Unknown location")
    )
    for place in places:
        flags = lazy_from_arrow(keyed, locality_table(inputs.locations, [place]))
        column = f"local_{place.code}"
        flags = flags.select("supplier_key", nw.col(f"local_{HEADLINE_RULE}").alias(column))
        keyed = keyed.join(flags, on="supplier_key", how="left").with_columns(
            nw.col(column).fill_null(False)
        )
    return keyed


def _apply(frame: nw.LazyFrame[Any], rows: RowFilter, places: Sequence[Place]) -> nw.LazyFrame[Any]:
    if rows.supplier:
        frame = frame.filter(nw.col("supplier_key") == rows.supplier)
    codes = {p.code for p in places}
    if rows.place in codes and rows.local in {"yes", "no"}:
        flag = nw.col(f"local_{rows.place}")
        frame = frame.filter(flag if rows.local == "yes" else ~flag)
    if rows.region:
        frame = frame.filter(nw.col("region") == rows.region)
    if rows.breakdown in BREAKDOWNS:
        column = rows.breakdown
        if rows.label == "(not given)":
            frame = frame.filter(nw.col(column).is_null())
        elif column == "financial_year":
            year = rows.label.split("/")[0]
            frame = frame.filter(nw.col(column) == (int(year) if year.isdigit() else -1))
        else:
            frame = frame.filter(nw.col(column).cast(nw.String) == rows.label)
    return frame


TRANSACTION_COLUMNS = (
    "payment_date", "supplier_name", "amount_pence", "expense_type", "service_area",
    "transaction_id", "file_name", "source_row", "payee_class", "supplier_key", "file_key",
    "sheet",
)


def transactions_page(
    *, dataset: SpendDataset, places: Sequence[Place], rows: RowFilter, number: int
) -> Page:
    """One page of the loaded rows a figure stands for, with their count and total."""
    frame = _apply(_enriched(dataset, places), rows, places)
    relation = frame.select(*TRANSACTION_COLUMNS).to_native()
    assert isinstance(relation, duckdb.DuckDBPyRelation)
    count, total = relation.aggregate("count(*), coalesce(sum(amount_pence), 0)").fetchall()[0]
    pages = max(1, -(-int(count) // PAGE_SIZE))
    number = min(max(number, 1), pages)
    window = relation.order("payment_date, file_name, source_row").limit(
        PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
    )
    names = window.columns
    found = [dict(zip(names, row, strict=True)) for row in window.fetchall()]
    corrected = _corrected_keys(dataset)
    for row in found:
        row["corrected"] = (row["file_key"], row["sheet"], row["source_row"]) in corrected
    return Page(rows=found, number=number, count=int(count), total_pence=int(total))


def _corrected_keys(dataset: SpendDataset) -> set[tuple[str, str | None, int]]:
    """Which loaded rows were corrected after the import (to mark them in row lists)."""
    if not dataset.reconciliation.get("rows_corrected"):
        return set()
    from socialvalue.spend.corrections import corrected_rows

    table = corrected_rows(dataset.path).select(["file_key", "sheet", "source_row"])
    return {(r["file_key"], r["sheet"], r["source_row"]) for r in table.to_pylist()}


def quarantine_page(*, dataset: SpendDataset, reason: str, number: int) -> Page:
    """One page of quarantined rows, with their raw values and reason."""
    from socialvalue.spend.dataset import open_dataset

    paths = [str(p) for p in open_dataset(dataset.path).quarantine_paths() if p.exists()]
    if not paths:
        return Page(rows=[], number=1, count=0, total_pence=0)
    connection = duckdb.connect()
    try:
        relation = connection.read_parquet(paths, union_by_name=True)
        if reason:
            relation = relation.filter(duckdb.ColumnExpression("reason") ==
                                       duckdb.ConstantExpression(reason))
        count, total = relation.aggregate(
            "count(*), coalesce(sum(amount_pence), 0)").fetchall()[0]
        pages = max(1, -(-int(count) // PAGE_SIZE))
        number = min(max(number, 1), pages)
        window = relation.select(
            "file_key", "file_name", "sheet", "source_row", "reason", "payment_date_raw",
            "amount_raw", "supplier_name_raw", "description", "transaction_id",
        ).order("file_name, sheet, source_row").limit(PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
        names = window.columns
        rows = [dict(zip(names, row, strict=True)) for row in window.fetchall()]
    finally:
        connection.close()
    for row in rows:
        row["token"] = _token(row)
    return Page(rows=rows, number=number, count=int(count), total_pence=int(total))


def _token(row: Mapping[str, Any]) -> str:
    from socialvalue.spend.corrections import RowRef

    return RowRef(row["file_key"], row["sheet"], int(row["source_row"])).token


#: The most rows one correction takes (a bulk correction of every row with one reason).
MAX_CORRECTION_ROWS = 500


def quarantine_tokens(*, dataset: SpendDataset, reason: str,
                      limit: int = MAX_CORRECTION_ROWS) -> list[str]:
    """Tokens of the quarantined rows with ``reason`` (all when blank), in page order."""
    from socialvalue.spend.dataset import open_dataset

    paths = [str(p) for p in open_dataset(dataset.path).quarantine_paths() if p.exists()]
    if not paths:
        return []
    connection = duckdb.connect()
    try:
        relation = connection.read_parquet(paths, union_by_name=True)
        if reason:
            relation = relation.filter(duckdb.ColumnExpression("reason") ==
                                       duckdb.ConstantExpression(reason))
        window = relation.order("file_name, sheet, source_row").limit(limit).select(
            "file_key", "sheet", "source_row")
        names = window.columns
        return [_token(dict(zip(names, row, strict=True))) for row in window.fetchall()]
    finally:
        connection.close()


def correction_check(*, dataset: SpendDataset, corrections: Sequence[Any]) -> tuple[Any, ...]:
    """What ingest's rules make of the corrected rows (nothing is changed); see
    :func:`socialvalue.spend.corrections.check_corrections`."""
    from socialvalue.spend.corrections import check_corrections

    return check_corrections(dataset.path, corrections)


def corrections_list(*, dataset: SpendDataset, limit: int = 50) -> tuple[int, list[dict[str, Any]]]:
    """How many rows were corrected, and the latest ``limit`` with what was kept about them."""
    from socialvalue.spend.corrections import corrected_rows

    table = corrected_rows(dataset.path)
    rows = sorted(table.to_pylist(), key=lambda r: (r["corrected_at"], r["file_name"],
                                                    r["source_row"]), reverse=True)
    return table.num_rows, rows[:limit]


def corrections_replaced(*, spend_import: SpendImport) -> list[tuple[str, int]]:
    """Files in the dataset this import would replace that have corrected rows (their
    corrections go with them): ``(file name, rows corrected)``."""
    if not spend_import.replace:
        return []
    from socialvalue.spend.read import input_files, sniff
    from socialvalue.web.spend.services import upload_paths

    files = [f for f in spend_import.dataset.reconciliation.get("file_reports", [])
             if f.get("rows_corrected")]
    if not files:
        return []
    items, _ = input_files(upload_paths(spend_import))
    names = {item.name for item in items}
    hashes = set()
    for item in items:
        try:
            hashes.add(sniff(item).sha256)
        except SpendFileError:
            continue
    return [(f["name"], int(f["rows_corrected"])) for f in files
            if f["name"] in names or f["sha256"] in hashes]


def quarantine_reasons(*, dataset: SpendDataset) -> dict[str, int]:
    return dict(dataset.reconciliation.get("quarantined_by_reason") or {})


def preview_error_message(error: SocialValueError) -> str:
    if isinstance(error, MissingColumnsError):
        return str(error).split(" Name the column with")[0]
    return str(error)
