"""Optional probabilistic backend: match ledger suppliers to registers with splink (DuckDB).

Install with ``uv sync --extra linkage`` (or ``pip install 'socialvalue[linkage]'``). It takes
the same inputs as :func:`socialvalue.suppliers.matching.match_suppliers` and returns the same
:class:`~socialvalue.suppliers.matching.MatchResult` objects, so the store, review decisions,
review queue and spend analysis work unchanged. Everything runs offline in an in-process DuckDB.

How it works (see ``docs/suppliers/matching.md``, "Splink backend"):

1. **Records.** One ledger record per name variant of each supplier (normalised name and trading
   name, from :func:`~socialvalue.suppliers.matching.prepare_supplier`, so numbers are checked
   the same way); one register record per current or previous normalised name.
2. **Blocking** as the core does: equal company number, equal charity number, equal normalised
   name, or a shared *rare* name word (the ledger name's ``keys_per_name`` rarest words, each
   shared by at most ``max_block_size`` register names). Postcode area is compared, not blocked
   on: a ledger rarely has a postcode, and an area alone makes blocks far too large.
3. **Comparisons** (Fellegi–Sunter levels): normalised name (exact, Jaro-Winkler ≥ 0.96,
   Levenshtein ≤ 2, Jaro-Winkler ≥ 0.90, ≥ 0.80, else), the numbers in the name (equal or not:
   "No 10" is not "No 11"), company number, charity number (exact or not), postcode (exact, same
   area, different).
4. **Parameters** are fixed, not estimated by EM (EM on name + postcode converged to useless
   values on toy data, and it is random). Each level's ``m`` (how often a true pair is at that
   level) and ``k`` (how many *other* register names a ledger name is at that level with, on
   average) are in :data:`NAME_LEVELS` and friends; ``u = k / N`` for a register of ``N`` names
   and the prior is ``1 / N``, so the match odds do not depend on the register's size. When
   reviewed decisions are given, accepted and picked pairs are pairwise labels for splink's
   ``estimate_m_from_pairwise_labels``; the trained ``m`` values are blended with the fixed ones
   (``LABEL_PRIOR_WEIGHT`` pseudo-pairs), so a handful of labels cannot zero a level. Rejected
   pairs are not labels (splink's pairwise labels are matches only); ``apply_decisions`` still
   removes them. No step is random, so results are deterministic.
5. **Confidence.** A supplier is one entry at most, so candidates compete: with ``o_i`` the odds
   from splink's match probability, a candidate's confidence is ``o_i / (1 + Σ o_j)`` (an even
   prior that the supplier is on the register at all). Two near-namesakes that both look likely
   therefore both land in review. Status uses the same bands as the core
   (:class:`~socialvalue.suppliers.matching.MatchSettings`): accepted, review or unmatched; a
   valid number found on the register is never left unmatched, a number whose entry's name is
   unlike the ledger's goes to review, and names that normalise to nothing go to review.
"""

# ruff: noqa: S608  (SQL is built from this module's own table names and integer settings)

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from socialvalue.exceptions import LinkageBackendMissingError, SupplierMatchingError
from socialvalue.suppliers.decisions import Decision, DecisionAction
from socialvalue.suppliers.matching import (
    NUMBER_VIA,
    Candidate,
    LedgerSupplier,
    MatchResult,
    MatchSettings,
    PreparedSupplier,
    candidate_from_register,
    match_details,
    match_status,
    name_score,
    prepare_supplier,
    quote_literal,
)
from socialvalue.suppliers.record import normalise_postcode

__all__ = [
    "INSTALL_HINT",
    "IN_REGISTER_PRIOR",
    "LABEL_PRIOR_WEIGHT",
    "NAME_LEVELS",
    "link_suppliers",
    "splink_available",
]

INSTALL_HINT = (
    "the splink backend needs the optional 'linkage' extra: install it with "
    "'uv sync --extra linkage' (or \"pip install 'socialvalue[linkage]'\"), or use the core "
    "matcher ('--backend core')"
)

#: Name levels, first that holds wins: (label, SQL condition, m, k). ``m`` is the share of true
#: pairs at the level (judgement, from how ledgers misspell); ``k`` is the number of *other*
#: register names a name reaches the level with, on average (u = k / N), measured on the Gender
#: Pay Gap 2021/22 register (10,465 names) over pairs sharing a rare word. Below "exact", names
#: whose numbers differ ("No 10" vs "No 11") only reach the last levels.
_SAME_DIGITS = "digits_l = digits_r and "
NAME_LEVELS: tuple[tuple[str, str, float, float], ...] = (
    ("exact", "name_l = name_r", 0.55, 0.009),
    ("one edit", _SAME_DIGITS + "levenshtein(name_l, name_r) <= 1", 0.10, 0.006),
    (
        "truncation",
        _SAME_DIGITS + "length(name_l) >= 10 and starts_with(name_r, name_l)",
        0.08,
        0.02,
    ),
    (
        "jaro-winkler >= 0.96",
        _SAME_DIGITS + "jaro_winkler_similarity(name_l, name_r) >= 0.96",
        0.08,
        0.005,
    ),
    ("two edits", _SAME_DIGITS + "levenshtein(name_l, name_r) <= 2", 0.04, 0.08),
    (
        "jaro-winkler >= 0.90",
        _SAME_DIGITS + "jaro_winkler_similarity(name_l, name_r) >= 0.90",
        0.07,
        0.25,
    ),
    ("jaro-winkler >= 0.80", "jaro_winkler_similarity(name_l, name_r) >= 0.80", 0.05, 4.7),
)
#: m for a true pair whose names are unlike (e.g. a renamed company found by its number).
NAME_ELSE_M = 0.03
#: Prior probability that a ledger supplier is on the register at all (most councils' suppliers
#: are companies or charities); its odds multiply every candidate's odds.
IN_REGISTER_PRIOR = 0.75
#: Company or charity number: m of "equal" (given both present), k of "equal" for another
#: entry (numbers are unique), m of "different".
NUMBER_EQUAL_M, NUMBER_EQUAL_K, NUMBER_DIFFER_M = 0.97, 0.0001, 0.03
#: Postcode: m and u of exact, same area, different (given both present).
POSTCODE_LEVELS: tuple[tuple[str, str, float, float], ...] = (
    ("exact", "postcode_l = postcode_r", 0.55, 0.0005),
    ("same area", "postcode_area_l = postcode_area_r", 0.35, 0.05),
)
POSTCODE_ELSE_M = 0.10
#: Pseudo-pairs given to the fixed m values when blending them with m trained from labels.
LABEL_PRIOR_WEIGHT = 20.0
#: Pairs below this splink match probability are dropped before scoring.
MIN_PAIR_PROBABILITY = 0.0005

_DIGITS = re.compile(r"\d+")


def splink_available() -> bool:
    """Whether the ``linkage`` extra (splink) is installed."""
    try:
        _import_splink()
    except LinkageBackendMissingError:
        return False
    return True


def _import_splink() -> tuple[Any, Any]:
    """splink's ``Linker`` and ``DuckDBAPI``, imported lazily; a clear error when missing."""
    try:
        splink = importlib.import_module("splink")
        duckdb_api = importlib.import_module("splink.backends.duckdb")
    except ImportError as error:
        raise LinkageBackendMissingError(INSTALL_HINT) from error
    return splink.Linker, duckdb_api.DuckDBAPI


def _level(
    label: str, condition: str, m: float, u: float, *, null: bool = False
) -> dict[str, object]:
    level: dict[str, object] = {"sql_condition": condition, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    else:
        level["m_probability"] = m
        level["u_probability"] = u
    return level


def _settings(register_names: int, settings: MatchSettings) -> dict[str, object]:
    """The splink settings for a register of ``register_names`` names (fixed m and u)."""
    n = float(max(register_names, 2))

    def u_of(k: float) -> float:
        return min(k / n, 0.2)

    name_levels = [_level("null", "name_l is null or name_r is null", 0, 0, null=True)]
    for label, condition, m, k in NAME_LEVELS:
        name_levels.append(_level(label, condition, m, u_of(k)))
    name_levels.append(
        _level("else", "else", NAME_ELSE_M, max(1.0 - sum(u_of(k) for *_x, k in NAME_LEVELS), 0.1))
    )

    def number(column: str) -> dict[str, object]:
        return {
            "output_column_name": column,
            "comparison_description": f"{column} exact",
            "comparison_levels": [
                _level("null", f"{column}_l is null or {column}_r is null", 0, 0, null=True),
                _level("exact", f"{column}_l = {column}_r", NUMBER_EQUAL_M, u_of(NUMBER_EQUAL_K)),
                _level("else", "else", NUMBER_DIFFER_M, 1 - u_of(NUMBER_EQUAL_K)),
            ],
        }

    postcode = [_level("null", "postcode_l is null or postcode_r is null", 0, 0, null=True)]
    postcode += [_level(label, cond, m, u) for label, cond, m, u in POSTCODE_LEVELS]
    postcode.append(
        _level("else", "else", POSTCODE_ELSE_M, 1 - sum(u for *_x, u in POSTCODE_LEVELS))
    )
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1.0 / n,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": "l.company_number = r.company_number", "sql_dialect": "duckdb"},
            {"blocking_rule": "l.charity_number = r.charity_number", "sql_dialect": "duckdb"},
            {"blocking_rule": "l.name = r.name", "sql_dialect": "duckdb"},
            {
                "blocking_rule": "l.block_keys = r.block_keys",
                "arrays_to_explode": ["block_keys"],
                "sql_dialect": "duckdb",
            },
        ],
        "comparisons": [
            {
                "output_column_name": "name",
                "comparison_description": "normalised name",
                "comparison_levels": name_levels,
            },
            number("company_number"),
            number("charity_number"),
            {
                "output_column_name": "postcode",
                "comparison_description": "postcode",
                "comparison_levels": postcode,
            },
        ],
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": ["idx", "reg_row"],
    }


def _run(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run a statement and finish its result (DuckDB 2 refuses new work on an unfinished one)."""
    connection.execute(sql).fetchall()


def _digits(name: str) -> str:
    return " ".join(_DIGITS.findall(name))


def _ledger_table(prepared: Sequence[PreparedSupplier], extra_names: Sequence[str]) -> pa.Table:
    """One row per (supplier, name variant); ``extra_names`` are label-only suppliers."""
    rows: dict[str, list[object]] = {
        key: []
        for key in (
            "unique_id",
            "idx",
            "reg_row",
            "name",
            "digits",
            "company_number",
            "charity_number",
            "postcode",
            "postcode_area",
        )
    }

    def add(idx: int, name: str, item: PreparedSupplier | None) -> None:
        rows["unique_id"].append(len(rows["unique_id"]))
        rows["idx"].append(idx)
        rows["reg_row"].append(None)
        rows["name"].append(name)
        rows["digits"].append(_digits(name))
        rows["company_number"].append(item.company_number if item else None)
        rows["charity_number"].append(item.charity_number if item else None)
        rows["postcode"].append(normalise_postcode(item.supplier.postcode) if item else None)
        rows["postcode_area"].append(item.postcode_area if item else None)

    for index, item in enumerate(prepared):
        if not item.variants and (item.company_number or item.charity_number):
            add(index, "", item)
        for variant in item.variants:
            add(index, variant, item)
    for offset, name in enumerate(extra_names):
        add(len(prepared) + offset, name, None)
    return pa.table(
        {
            "unique_id": pa.array(rows["unique_id"], pa.int64()),
            "idx": pa.array(rows["idx"], pa.int64()),
            "reg_row": pa.array(rows["reg_row"], pa.int64()),
            **{
                key: pa.array(rows[key], pa.string())
                for key in (
                    "name",
                    "digits",
                    "company_number",
                    "charity_number",
                    "postcode",
                    "postcode_area",
                )
            },
        }
    )


def _prepare_tables(
    connection: duckdb.DuckDBPyConnection, register_path: Path, settings: MatchSettings
) -> int:
    """Build ``reg_input`` and ``ledger_input`` (with block keys) in DuckDB; the register's
    number of names."""
    source = f"read_parquet({quote_literal(str(register_path))}, file_row_number = true)"
    _run(
        connection,
        "create or replace temp table reg_base as select file_row_number as reg_row, "
        "name_normalised, other_names_normalised, company_number, charity_number, "
        f"postcode, postcode_area from {source}",
    )
    _run(
        connection,
        "create or replace temp table reg_names as "
        "select reg_row, name from ("
        "select reg_row, name_normalised as name from reg_base where name_normalised <> '' "
        "union all select reg_row, unnest(other_names_normalised) as name from reg_base) "
        "where name is not null and name <> ''",
    )
    _run(
        connection,
        "create or replace temp table token_freq as select token, count(*) as n from ("
        "select distinct reg_row, unnest(string_split(name, ' ')) as token from reg_names) "
        "group by token",
    )
    limit = int(settings.max_block_size)
    _run(
        connection,
        f"""
        create or replace temp table reg_input as
        with names as (
            select row_number() over (order by reg_row, name) - 1 as unique_id, reg_row, name
            from (select distinct reg_row, name from reg_names)
        ),
        keys as (
            select n.unique_id, list(distinct t.token order by t.token) as block_keys
            from names n, unnest(string_split(n.name, ' ')) as u(token)
            join token_freq t on t.token = u.token
            where t.n <= {limit} and length(t.token) >= 2
            group by n.unique_id
        )
        select n.unique_id, cast(null as bigint) as idx, n.reg_row, n.name,
            array_to_string(regexp_extract_all(n.name, '\\d+'), ' ') as digits,
            b.company_number, b.charity_number,
            replace(b.postcode, ' ', '') as postcode, b.postcode_area,
            coalesce(k.block_keys, []::varchar[]) as block_keys
        from names n join reg_base b using (reg_row) left join keys k using (unique_id)
        order by n.unique_id
        """,
    )
    _run(
        connection,
        f"""
        create or replace temp table ledger_input as
        with tokens as (
            select l.unique_id, u.token, t.n
            from ledger_raw l, unnest(string_split(l.name, ' ')) as u(token)
            join token_freq t on t.token = u.token
            where t.n <= {limit} and length(u.token) >= 2
            qualify row_number() over (partition by l.unique_id order by t.n, u.token)
                <= {int(settings.keys_per_name)}
        ),
        keys as (
            select unique_id, list(distinct token order by token) as block_keys
            from tokens group by unique_id
        )
        select l.unique_id, l.idx, l.reg_row, nullif(l.name, '') as name, l.digits,
            l.company_number, l.charity_number, replace(l.postcode, ' ', '') as postcode,
            l.postcode_area, coalesce(k.block_keys, []::varchar[]) as block_keys
        from ledger_raw l left join keys k using (unique_id)
        order by l.unique_id
        """,
    )
    rows = connection.execute("select count(*) from reg_input").fetchall()
    return int(rows[0][0]) if rows else 0


def _labels(
    connection: duckdb.DuckDBPyConnection,
    decisions: Sequence[Decision],
    key_to_idx: Mapping[str, int],
    register_path: Path,
) -> pa.Table:
    """Pairwise labels (ledger record, register record) from accepted and picked decisions."""
    wanted_idx: list[int] = []
    wanted_entry: list[str] = []
    for decision in decisions:
        if decision.action not in {DecisionAction.ACCEPT, DecisionAction.PICK}:
            continue
        if decision.register != register_path.name.split(".")[0] or not decision.entry_id:
            continue
        idx = key_to_idx.get(decision.supplier_key)
        if idx is None:
            continue
        wanted_idx.append(idx)
        wanted_entry.append(decision.entry_id)
    if not wanted_idx:
        return pa.table({"unique_id_l": pa.array([], pa.int64())})
    connection.register(
        "label_wanted",
        pa.table({"idx": pa.array(wanted_idx, pa.int64()), "entry_id": wanted_entry}),
    )
    try:
        return connection.sql(
            f"""
            with entries as (
                select file_row_number as reg_row, entry_id
                from read_parquet({quote_literal(str(register_path))},
                    file_row_number = true)
            ),
            pairs as (
                select l.unique_id as unique_id_l, r.unique_id as unique_id_r,
                    row_number() over (partition by l.idx order by
                        (l.name = r.name) desc, l.unique_id, r.unique_id) as rank
                from label_wanted w
                join entries e using (entry_id)
                join ledger_input l on l.idx = w.idx
                join reg_input r on r.reg_row = e.reg_row
            )
            select 'ledger' as source_dataset_l, unique_id_l,
                'register' as source_dataset_r, unique_id_r
            from pairs where rank = 1 order by unique_id_l
            """
        ).to_arrow_table()
    finally:
        connection.unregister("label_wanted")


def _blend_m(
    settings_dict: dict[str, Any], trained: Mapping[str, Any], labels: int
) -> dict[str, Any]:
    """Fixed m values blended with those trained from ``labels`` labelled pairs."""
    trained_levels = {
        comparison["output_column_name"]: comparison["comparison_levels"]
        for comparison in trained.get("comparisons", [])
    }
    for comparison in settings_dict["comparisons"]:
        levels = trained_levels.get(comparison["output_column_name"])
        if not levels:
            continue
        fixed = [level for level in comparison["comparison_levels"] if "m_probability" in level]
        learnt = [level for level in levels if not level.get("is_null_level")]
        if len(fixed) != len(learnt):
            continue
        observed = [level.get("m_probability") for level in learnt]
        if not any(isinstance(value, int | float) and value > 0 for value in observed):
            continue  # no labelled pair had this comparison (e.g. no numbers in the ledger)
        for level, value in zip(fixed, observed, strict=True):
            m_trained = float(value) if isinstance(value, int | float) else 0.0
            level["m_probability"] = max(
                (labels * m_trained + LABEL_PRIOR_WEIGHT * float(level["m_probability"]))
                / (labels + LABEL_PRIOR_WEIGHT),
                1e-6,
            )
    return settings_dict


@dataclass
class _Pair:
    idx: int
    reg_row: int
    probability: float
    variant: str
    register_name: str
    gamma_name: int
    gamma_company: int
    gamma_charity: int
    gamma_postcode: int


def _link_register(
    connection: duckdb.DuckDBPyConnection,
    register_path: Path,
    ledger_raw: pa.Table,
    settings: MatchSettings,
    decisions: Sequence[Decision],
    key_to_idx: Mapping[str, int],
) -> tuple[list[_Pair], int]:
    """Scored pairs for one register, and the number of labels used."""
    linker_class, duckdb_api_class = _import_splink()
    connection.register("ledger_raw_arrow", ledger_raw)
    _run(connection, "create or replace temp table ledger_raw as select * from ledger_raw_arrow")
    connection.unregister("ledger_raw_arrow")
    register_names = _prepare_tables(connection, register_path, settings)
    settings_dict = _settings(register_names, settings)
    labels = _labels(connection, decisions, key_to_idx, register_path)
    db_api = duckdb_api_class(connection=connection)
    ledger_sdf = db_api.register("ledger_input", dataset_display_name="ledger")
    register_sdf = db_api.register("reg_input", dataset_display_name="register")
    used = 0
    if labels.num_rows:
        linker = linker_class([ledger_sdf, register_sdf], settings_dict, log_level=None)
        connection.register("splink_labels_arrow", labels)
        _run(
            connection,
            "create or replace temp table splink_labels as select * from splink_labels_arrow",
        )
        connection.unregister("splink_labels_arrow")
        linker.training.estimate_m_from_pairwise_labels("splink_labels")
        trained = linker.misc.save_model_to_json()
        settings_dict = _blend_m(settings_dict, trained, labels.num_rows)
        used = labels.num_rows
        db_api = duckdb_api_class(connection=connection)
        ledger_sdf = db_api.register("ledger_input", dataset_display_name="ledger")
        register_sdf = db_api.register("reg_input", dataset_display_name="register")
    linker = linker_class([ledger_sdf, register_sdf], settings_dict, log_level=None)
    predictions = linker.inference.predict(
        threshold_match_probability=MIN_PAIR_PROBABILITY, warning_mode="never"
    )
    relation = predictions.as_duckdbpyrelation()
    columns = set(relation.columns)
    ledger_side = "idx_l" if "idx_l" in columns else "idx_r"
    flip = ledger_side == "idx_r"
    side_l, side_r = ("r", "l") if flip else ("l", "r")
    rows = relation.select(
        f"idx_{side_l}, reg_row_{side_r}, match_probability, name_{side_l}, name_{side_r}, "
        "gamma_name, gamma_company_number, gamma_charity_number, gamma_postcode"
    ).fetchall()
    predictions.drop_table_from_database_and_remove_from_cache()
    pairs = [
        _Pair(
            idx=int(row[0]),
            reg_row=int(row[1]),
            probability=float(row[2]),
            variant=row[3] or "",
            register_name=row[4] or "",
            gamma_name=int(row[5]),
            gamma_company=int(row[6]),
            gamma_charity=int(row[7]),
            gamma_postcode=int(row[8]),
        )
        for row in rows
    ]
    return pairs, used


def link_suppliers(
    suppliers: Sequence[LedgerSupplier],
    registers: Sequence[Path],
    *,
    settings: MatchSettings | None = None,
    decisions: Sequence[Decision] = (),
    memory_limit: str = "3GB",
    progress: Callable[[str], None] | None = None,
) -> list[MatchResult]:
    """Match suppliers to registers with splink; same inputs and outputs as ``match_suppliers``.

    Parameters
    ----------
    suppliers, registers, settings, memory_limit, progress
        As for :func:`socialvalue.suppliers.matching.match_suppliers`.
    decisions
        Reviewed decisions; accepted and picked ones train the ``m`` values (pairwise labels).

    Raises
    ------
    LinkageBackendMissingError
        splink (the ``linkage`` extra) is not installed.
    SupplierMatchingError
        A register file is missing or not a register Parquet file.
    """
    _import_splink()
    settings = settings or MatchSettings()
    prepared = [prepare_supplier(supplier) for supplier in suppliers]
    key_to_idx = {item.supplier.supplier_key: index for index, item in enumerate(prepared)}
    # Decided suppliers absent from this ledger still give labels: their key is a normalised name.
    extra = sorted(
        {
            d.supplier_key
            for d in decisions
            if d.action in {DecisionAction.ACCEPT, DecisionAction.PICK}
            and d.supplier_key not in key_to_idx
            and not d.supplier_key.startswith("raw:")
        }
    )
    for offset, key in enumerate(extra):
        key_to_idx[key] = len(prepared) + offset
    ledger_raw = _ledger_table(prepared, extra)
    pairs_by_register: list[list[_Pair]] = []
    details_by_register: list[dict[int, dict[str, object]]] = []
    labels_used = 0
    splink_logger = logging.getLogger("splink")
    level = splink_logger.level
    splink_logger.setLevel(logging.WARNING)
    connection = duckdb.connect()
    try:
        _run(connection, f"set memory_limit = {quote_literal(memory_limit)}")
        _run(connection, "set threads = 2")
        for register_path in registers:
            if not register_path.is_file():
                raise SupplierMatchingError(
                    f"register {register_path} does not exist; load it with "
                    "'socialvalue suppliers match … --register FILE'"
                )
            if progress is not None:
                progress(f"linking with {register_path.name} (splink)")
            try:
                pairs, used = _link_register(
                    connection, register_path, ledger_raw, settings, decisions, key_to_idx
                )
            except duckdb.Error as error:
                raise SupplierMatchingError(
                    f"{register_path} is not a register file the toolkit wrote: {error}"
                ) from error
            labels_used += used
            pairs = [pair for pair in pairs if pair.idx < len(prepared)]
            pairs_by_register.append(pairs)
            details_by_register.append(
                match_details(connection, register_path, {pair.reg_row for pair in pairs})
            )
    finally:
        connection.close()
        splink_logger.setLevel(level)
    if progress is not None:
        progress("scoring")
    grouped: dict[int, list[tuple[int, _Pair]]] = {}
    for register_index, pairs in enumerate(pairs_by_register):
        for pair in pairs:
            grouped.setdefault(pair.idx, []).append((register_index, pair))
    return [
        _result(
            item,
            grouped.get(index, []),
            details_by_register,
            registers,
            settings,
            labels_used,
        )
        for index, item in enumerate(prepared)
    ]


def _odds(probability: float) -> float:
    probability = min(max(probability, 0.0), 1.0 - 1e-12)
    return probability / (1.0 - probability)


def _result(
    item: PreparedSupplier,
    pairs: list[tuple[int, _Pair]],
    details_by_register: list[dict[int, dict[str, object]]],
    registers: Sequence[Path],
    settings: MatchSettings,
    labels_used: int,
) -> MatchResult:
    supplier = item.supplier
    # One candidate per entity: the best pair per register entry, entries merged across
    # registers by company or charity number (as the core does).
    merged: dict[str, tuple[int, _Pair, dict[str, object]]] = {}
    for register_index, pair in pairs:
        detail = details_by_register[register_index].get(pair.reg_row)
        if detail is None:
            continue
        identity = str(
            detail.get("company_number")
            or detail.get("charity_number")
            or f"{register_index}:{pair.reg_row}"
        )
        existing = merged.get(identity)
        if existing is None or pair.probability > existing[1].probability:
            merged[identity] = (register_index, pair, detail)
    prior_odds = IN_REGISTER_PRIOR / (1.0 - IN_REGISTER_PRIOR)
    total_odds = prior_odds * sum(_odds(pair.probability) for _r, pair, _d in merged.values())
    ranked = sorted(merged.values(), key=lambda entry: entry[1].probability, reverse=True)
    candidates: list[Candidate] = []
    for register_index, pair, detail in ranked[: settings.candidates_kept]:
        number_via = next(
            (
                via
                for via, gamma in (
                    ("company_number", pair.gamma_company),
                    ("charity_number", pair.gamma_charity),
                )
                if gamma == 1
            ),
            None,
        )
        score, is_prefix = max(
            (name_score(variant, pair.register_name) for variant in item.variants),
            default=(0.0, False),
        )
        if number_via is not None:
            via = number_via
        elif pair.variant and pair.variant == pair.register_name:
            via = "exact_name"
        else:
            via = "splink"
        value = prior_odds * _odds(pair.probability) / (1.0 + total_odds)
        evidence = [
            f"splink match probability {pair.probability:.3f}",
            f"name level: {_name_label(pair.gamma_name)}",
            f"name score {score:.0f}",
        ]
        if number_via is not None:
            evidence.append(f"{number_via.replace('_', ' ')} matches")
        if pair.gamma_postcode == 2:
            evidence.append("same postcode")
        elif pair.gamma_postcode == 1:
            evidence.append("same postcode area")
        elif pair.gamma_postcode == 0:
            evidence.append("different postcode area")
        if is_prefix:
            evidence.append("ledger name is a truncation")
        if labels_used:
            evidence.append(f"m trained from {labels_used} reviewed pair(s)")
        if number_via is not None and score < settings.min_name_score:
            evidence.append("number matches but the names differ")
            # A mistyped number is likelier than a renamed company: a person looks.
            value = min(value, settings.accept_confidence - 0.01)
        candidates.append(
            candidate_from_register(
                detail,
                register=registers[register_index],
                via=via,
                name_score=score,
                confidence=value,
                evidence=evidence,
            )
        )
    candidates.sort(key=lambda c: c.confidence, reverse=True)
    best = candidates[0].confidence if candidates else 0.0
    if "empty_name" in item.reasons:
        # Only a number can link a name that is empty after normalisation.
        candidates = [c for c in candidates if c.via in NUMBER_VIA]
        best = candidates[0].confidence if candidates else 0.0
    status = match_status(best, candidates, item.reasons, settings)
    return MatchResult(
        supplier_key=supplier.supplier_key,
        name=supplier.name,
        status=status,
        confidence=round(best, 4),
        candidates=tuple(candidates),
        reasons=item.reasons,
        raw_names=supplier.raw_names or (supplier.name,),
    )


def _name_label(gamma: int) -> str:
    """The label of a name comparison level (splink numbers them from the else level, 0)."""
    labels = [label for label, *_rest in NAME_LEVELS]
    if gamma < 0:
        return "null"
    if gamma == 0:
        return "else"
    position = len(labels) - gamma
    return labels[position] if 0 <= position < len(labels) else str(gamma)
