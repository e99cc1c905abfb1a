"""Match ledger suppliers to register entries: numbers first, then names, with a confidence.

For each supplier (one per normalised name, see :mod:`socialvalue.suppliers.cluster`):

1. **Number.** A company or charity number that passes its check
   (:mod:`socialvalue.suppliers.identifiers`) and equals a register entry's is a candidate with
   name score 100 when the names also agree; a number whose entry's name is unlike the ledger's
   goes to review (a mistyped number is more likely than a renamed company). A number that fails
   its check is reported in ``reasons`` and not used.
2. **Exact name.** The normalised ledger name (and its trading name) equal to an entry's
   normalised current or previous name.
3. **Fuzzy name.** Blocking: the ledger name's rarest words (up to ``keys_per_name``, each shared
   by at most ``max_block_size`` register names) pick the register names to compare; those sharing
   the most and rarest words are scored with rapidfuzz (``token_sort_ratio``, ``token_set_ratio``,
   ``ratio``, and a prefix rule for names truncated by a ledger's field length).
4. **Confidence.** A logistic function of the best score, its margin over the next entry, whether
   the name is a truncation, its length and postcode-area agreement (when the ledger has a
   postcode): :func:`confidence`. Its coefficients were fitted on the labelled evaluation set in
   ``benchmarks/suppliers.py`` (Gender Pay Gap names corrupted the ways ledgers do), so a
   confidence of 0.99 means about 99 in 100 such matches are right on that set.
5. **Status.** ``accepted`` at ``accept_confidence`` or above; ``review`` from
   ``review_confidence``; else ``unmatched``. Names that normalise to nothing (empty, only
   punctuation or only a legal form) always go to ``review``, with no name candidate.

Everything heavy runs in DuckDB over the register Parquet files written by
:func:`socialvalue.suppliers.registers.load_register`, so a 5M-row register is matched in bounded
memory.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from rapidfuzz import fuzz

from socialvalue.exceptions import SupplierMatchingError
from socialvalue.suppliers.identifiers import check_charity_number, check_company_number
from socialvalue.suppliers.normalise import name_variants, normalise_name
from socialvalue.suppliers.record import normalise_postcode, postcode_area

__all__ = [
    "Candidate",
    "LedgerSupplier",
    "MatchResult",
    "MatchSettings",
    "MatchStatus",
    "confidence",
    "match_suppliers",
    "name_score",
]


class MatchStatus(StrEnum):
    """Where a supplier stands after matching."""

    ACCEPTED = "accepted"
    REVIEW = "review"
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class MatchSettings:
    """Thresholds and blocking limits. The defaults meet the benchmark's goals (see
    ``docs/benchmarks.md``): precision ≥ 0.99 on accepted matches, recall ≥ 0.90."""

    accept_confidence: float = 0.95
    review_confidence: float = 0.30
    candidates_kept: int = 5
    keys_per_name: int = 3
    max_block_size: int = 20_000
    compared_per_name: int = 60
    min_name_score: float = 60.0


@dataclass(frozen=True)
class LedgerSupplier:
    """One supplier as a ledger knows it: the input to matching.

    Attributes
    ----------
    supplier_key
        Identifies the supplier across imports (normally the normalised name).
    name
        The spelling shown to a reviewer (the most common one).
    raw_names
        Every spelling grouped under the supplier.
    company_number, charity_number, postcode
        As the ledger gives them, unchecked; ``None`` when absent.
    """

    supplier_key: str
    name: str
    raw_names: tuple[str, ...] = ()
    company_number: str | None = None
    charity_number: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A register entry that may be the supplier, with the evidence for it."""

    register: str
    entry_id: str
    name: str
    name_normalised: str
    company_number: str | None
    charity_number: str | None
    postcode: str | None
    sic_codes: tuple[str, ...]
    business_type: str
    status: str | None
    size: str | None
    is_sme: bool | None
    via: str
    name_score: float
    confidence: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    """The outcome for one supplier: status, confidence and ranked candidates (best first)."""

    supplier_key: str
    name: str
    status: MatchStatus
    confidence: float
    candidates: tuple[Candidate, ...] = ()
    reasons: tuple[str, ...] = ()
    raw_names: tuple[str, ...] = field(default=())

    @property
    def best(self) -> Candidate | None:
        """The leading candidate, or ``None``."""
        return self.candidates[0] if self.candidates else None


# Fitted by benchmarks/suppliers.py (logistic regression on the labelled evaluation set).
CONFIDENCE_COEFFICIENTS: dict[str, float] = {
    "intercept": -14.0,
    "score": 0.16,
    "margin": 0.12,
    "prefix": 1.5,
    "short": -1.5,
    "postcode_same_area": 1.0,
    "postcode_other_area": -2.0,
    "number": 6.0,
}


_DIGITS = re.compile(r"\d+")


def name_score(ledger_name: str, register_name: str) -> tuple[float, bool]:
    """Similarity of two normalised names, 0–100, and whether one is a truncation of the other.

    The score is the largest of rapidfuzz ``token_sort_ratio`` (word order), ``ratio`` (typos)
    and ``token_set_ratio`` scaled by 0.85 (extra words on one side: a subset name is often a
    different company of the same group, so it alone never reaches acceptance). A ledger name of
    at least ten characters that the register name starts with (a field cut short) scores at
    least 92; names whose numbers differ score at most 80.
    """
    if not ledger_name or not register_name:
        return 0.0, False
    if ledger_name == register_name:
        return 100.0, False
    score = max(
        fuzz.token_sort_ratio(ledger_name, register_name),
        fuzz.ratio(ledger_name, register_name),
        0.85 * fuzz.token_set_ratio(ledger_name, register_name),
    )
    is_prefix = len(ledger_name) >= 10 and register_name.startswith(ledger_name)
    if is_prefix:
        score = max(score, 92.0)
    if _DIGITS.findall(ledger_name) != _DIGITS.findall(register_name) and not is_prefix:
        # "Four Seasons (No 11)" is not "Four Seasons (No 10)"; "Everest" is not "Everest 2020".
        score = min(score, 80.0)
    return float(score), is_prefix


def confidence(
    *,
    score: float,
    margin: float,
    is_prefix: bool,
    name_length: int,
    postcode_agreement: int,
    number_match: bool = False,
    coefficients: dict[str, float] | None = None,
) -> float:
    """The probability that a candidate is right, from its evidence (a logistic function).

    Parameters
    ----------
    score
        :func:`name_score` of the best ledger variant against the entry's best name.
    margin
        ``score`` minus the next different entry's score (capped at 30; 30 when there is none).
    is_prefix
        One name is a truncation of the other.
    name_length
        Characters in the normalised ledger name (names under six characters are weak evidence).
    postcode_agreement
        ``1`` same postcode area, ``-1`` different areas, ``0`` unknown.
    number_match
        The entry has the ledger's (valid) company or charity number.
    """
    weights = coefficients or CONFIDENCE_COEFFICIENTS
    z = (
        weights["intercept"]
        + weights["score"] * score
        + weights["margin"] * min(margin, 30.0)
        + weights["prefix"] * is_prefix
        + weights["short"] * (name_length < 6)
        + weights["postcode_same_area"] * (postcode_agreement > 0)
        + weights["postcode_other_area"] * (postcode_agreement < 0)
        + weights["number"] * number_match
    )
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class PreparedSupplier:
    supplier: LedgerSupplier
    variants: tuple[str, ...]
    company_number: str | None
    charity_number: str | None
    postcode_area: str | None
    reasons: tuple[str, ...]


def prepare_supplier(supplier: LedgerSupplier) -> PreparedSupplier:
    reasons: list[str] = []
    variants = name_variants(supplier.name)
    for raw in supplier.raw_names:
        for variant in name_variants(raw):
            if variant not in variants:
                variants = (*variants, variant)
    if not variants:
        reasons.append("empty_name")
    company = check_company_number(supplier.company_number)
    charity = check_charity_number(supplier.charity_number)
    for check in (company, charity):
        if check.problem is not None:
            reasons.append(f"{check.kind}:{check.problem}")
    return PreparedSupplier(
        supplier=supplier,
        variants=variants,
        company_number=company.value,
        charity_number=charity.value,
        postcode_area=postcode_area(normalise_postcode(supplier.postcode)),
        reasons=tuple(reasons),
    )


@dataclass
class _Scored:
    register_index: int
    reg_row: int
    name_score: float
    is_prefix: bool
    via: str
    matched_name: str


def _ledger_tables(prepared: Sequence[PreparedSupplier]) -> tuple[pa.Table, pa.Table]:
    ledger = pa.table(
        {
            "idx": pa.array(range(len(prepared)), pa.int64()),
            "company_number": [item.company_number for item in prepared],
            "charity_number": [item.charity_number for item in prepared],
        }
    )
    names_idx: list[int] = []
    names: list[str] = []
    for index, item in enumerate(prepared):
        for variant in item.variants:
            names_idx.append(index)
            names.append(variant)
    ledger_names = pa.table(
        {"idx": pa.array(names_idx, pa.int64()), "name": pa.array(names, pa.string())}
    )
    return ledger, ledger_names


def _register_candidates(
    connection: duckdb.DuckDBPyConnection,
    register_path: Path,
    settings: MatchSettings,
) -> list[tuple[int, int, str, str]]:
    """(ledger idx, register row, via, register name) for one register."""
    source = f"read_parquet({quote_literal(str(register_path))}, file_row_number = true)"
    connection.execute(
        f"create or replace temp view reg as select file_row_number as reg_row, * from {source}"  # noqa: S608
    )
    found: list[tuple[int, int, str, str]] = []
    for column in ("company_number", "charity_number"):
        rows = connection.execute(
            f"select l.idx, r.reg_row, r.name_normalised from ledger l join reg r "  # noqa: S608
            f"on l.{column} = r.{column} where l.{column} is not null"
        ).fetchall()
        found.extend((idx, reg_row, column, name) for idx, reg_row, name in rows)
    connection.execute(
        "create or replace temp table reg_names as "
        "select row_number() over () as name_id, reg_row, name from ("
        "select reg_row, name_normalised as name from reg where name_normalised <> '' "
        "union all select reg_row, unnest(other_names_normalised) as name from reg)"
    )
    exact = connection.execute(
        "select n.idx, r.reg_row, r.name from ledger_names n join reg_names r on n.name = r.name"
    ).fetchall()
    found.extend((idx, reg_row, "exact_name", name) for idx, reg_row, name in exact)
    connection.execute(
        "create or replace temp table reg_tokens as "
        "select name_id, unnest(string_split(name, ' ')) as token from reg_names"
    )
    connection.execute(
        "create or replace temp table token_freq as "
        "select token, count(*) as n from reg_tokens group by token"
    )
    fuzzy = connection.execute(
        f"""
        with exact_idx as (
            select distinct n.idx from ledger_names n join reg_names r on n.name = r.name
        ),
        ledger_tokens as (
            select distinct idx, unnest(string_split(name, ' ')) as token
            from ledger_names where idx not in (select idx from exact_idx)
        ),
        ledger_keys as (
            select t.idx, t.token, f.n from ledger_tokens t join token_freq f using (token)
            where f.n <= {int(settings.max_block_size)} and length(t.token) >= 2
            qualify row_number() over (partition by t.idx order by f.n, t.token)
                <= {int(settings.keys_per_name)}
        ),
        shared as (
            select k.idx, rt.name_id, count(*) as keys_shared, sum(1.0 / ln(1 + k.n)) as weight
            from ledger_keys k join reg_tokens rt using (token)
            group by k.idx, rt.name_id
            qualify row_number() over (partition by k.idx order by keys_shared desc,
                weight desc, rt.name_id) <= {int(settings.compared_per_name)}
        )
        select s.idx, r.reg_row, r.name from shared s join reg_names r using (name_id)
        """  # noqa: S608 (int limits only)
    ).fetchall()
    found.extend((idx, reg_row, "fuzzy_name", name) for idx, reg_row, name in fuzzy)
    return found


_DETAIL_COLUMNS = (
    "entry_id",
    "name",
    "name_normalised",
    "company_number",
    "charity_number",
    "postcode",
    "postcode_area",
    "sic_codes",
    "business_type",
    "status",
    "size",
    "is_sme",
)


def match_details(
    connection: duckdb.DuckDBPyConnection, register_path: Path, rows: set[int]
) -> dict[int, dict[str, object]]:
    if not rows:
        return {}
    connection.register("wanted_rows", pa.table({"reg_row": pa.array(sorted(rows), pa.int64())}))
    source = f"read_parquet({quote_literal(str(register_path))}, file_row_number = true)"
    columns = ", ".join(_DETAIL_COLUMNS)
    table = connection.sql(
        f"select file_row_number as reg_row, {columns} from {source} "  # noqa: S608
        "where file_row_number in (select reg_row from wanted_rows)"
    ).to_arrow_table()
    connection.unregister("wanted_rows")
    return {row["reg_row"]: row for row in table.to_pylist()}


def match_suppliers(
    suppliers: Sequence[LedgerSupplier],
    registers: Sequence[Path],
    *,
    settings: MatchSettings | None = None,
    memory_limit: str = "3GB",
    progress: Callable[[str], None] | None = None,
) -> list[MatchResult]:
    """Match suppliers to one or more registers.

    Parameters
    ----------
    suppliers
        The suppliers to match (one per supplier key; group spellings first).
    registers
        Register Parquet files written by :func:`~socialvalue.suppliers.registers.load_register`.
        Their stems name the register in each :class:`Candidate`.
    settings
        Thresholds and blocking limits; :class:`MatchSettings` defaults when omitted.
    memory_limit
        DuckDB's memory limit (it spills to disk beyond it).
    progress
        Called with a short description of each step.

    Returns
    -------
    list[MatchResult]
        One per supplier, in the order given.

    Raises
    ------
    SupplierMatchingError
        A register file is missing or not a register Parquet file.
    """
    settings = settings or MatchSettings()
    prepared = [prepare_supplier(supplier) for supplier in suppliers]
    scored: dict[int, list[_Scored]] = defaultdict(list)
    details_by_register: list[dict[int, dict[str, object]]] = []
    connection = duckdb.connect()
    try:
        connection.execute(f"set memory_limit = {quote_literal(memory_limit)}")
        ledger, ledger_names = _ledger_tables(prepared)
        connection.register("ledger", ledger)
        connection.register("ledger_names", ledger_names)
        for register_index, register_path in enumerate(registers):
            if not register_path.is_file():
                raise SupplierMatchingError(
                    f"register {register_path} does not exist; load it with "
                    "'socialvalue suppliers match … --register FILE'"
                )
            if progress is not None:
                progress(f"comparing with {register_path.name}")
            try:
                found = _register_candidates(connection, register_path, settings)
            except duckdb.Error as error:
                raise SupplierMatchingError(
                    f"{register_path} is not a register file the toolkit wrote: {error}"
                ) from error
            best_by_pair: dict[tuple[int, int], _Scored] = {}
            for idx, reg_row, via, register_name in found:
                item = prepared[idx]
                score, is_prefix = max(
                    (name_score(variant, register_name) for variant in item.variants),
                    default=(0.0, False),
                )
                key = (idx, reg_row)
                current = best_by_pair.get(key)
                number_via = via in {"company_number", "charity_number"}
                if current is not None:
                    if number_via:
                        current.via = via
                    if score > current.name_score:
                        current.name_score, current.is_prefix = score, is_prefix
                        current.matched_name = register_name
                    continue
                if not number_via and score < settings.min_name_score:
                    continue
                best_by_pair[key] = _Scored(
                    register_index, reg_row, score, is_prefix, via, register_name
                )
            for (idx, _reg_row), item_scored in best_by_pair.items():
                scored[idx].append(item_scored)
            # Keep only the best few per supplier before fetching details.
            wanted: set[int] = set()
            for items in scored.values():
                items.sort(
                    key=lambda s: (s.via in {"company_number", "charity_number"}, s.name_score),
                    reverse=True,
                )
                del items[settings.candidates_kept + 1 :]
                wanted.update(s.reg_row for s in items if s.register_index == register_index)
            details_by_register.append(match_details(connection, register_path, wanted))
    finally:
        connection.close()
    if progress is not None:
        progress("scoring")
    return [
        _result(item, scored.get(index, []), details_by_register, registers, settings)
        for index, item in enumerate(prepared)
    ]


NUMBER_VIA = frozenset({"company_number", "charity_number"})


def match_status(
    best: float,
    candidates: Sequence[Candidate],
    reasons: Sequence[str],
    settings: MatchSettings,
) -> MatchStatus:
    """The band a supplier falls in, the same rule for every backend.

    Empty names always go to review; so does a valid number found on the register whose name
    does not score high enough (someone looks rather than leaving it unmatched).
    """
    if "empty_name" in reasons:
        return MatchStatus.REVIEW
    if best < settings.accept_confidence and any(c.via in NUMBER_VIA for c in candidates):
        return MatchStatus.REVIEW
    if best >= settings.accept_confidence:
        return MatchStatus.ACCEPTED
    if best >= settings.review_confidence:
        return MatchStatus.REVIEW
    return MatchStatus.UNMATCHED


def _result(
    item: PreparedSupplier,
    scored: list[_Scored],
    details_by_register: list[dict[int, dict[str, object]]],
    registers: Sequence[Path],
    settings: MatchSettings,
) -> MatchResult:
    supplier = item.supplier
    # Merge candidates from different registers that share a company or charity number.
    merged: dict[str, tuple[_Scored, dict[str, object]]] = {}
    for candidate in scored:
        detail = details_by_register[candidate.register_index].get(candidate.reg_row)
        if detail is None:
            continue
        identity = str(
            detail.get("company_number")
            or detail.get("charity_number")
            or f"{candidate.register_index}:{candidate.reg_row}"
        )
        existing = merged.get(identity)
        if existing is None or (candidate.name_score, candidate.via != "fuzzy_name") > (
            existing[0].name_score,
            existing[0].via != "fuzzy_name",
        ):
            merged[identity] = (candidate, detail)
    ranked = sorted(
        merged.values(),
        key=lambda pair: (pair[0].via in {"company_number", "charity_number"}, pair[0].name_score),
        reverse=True,
    )
    candidates: list[Candidate] = []
    name_length = len(item.variants[0]) if item.variants else 0
    for position, (candidate, detail) in enumerate(ranked[: settings.candidates_kept]):
        others = [other.name_score for j, (other, _d) in enumerate(ranked) if j != position]
        margin = candidate.name_score - max(others) if others else 30.0
        entry_area = detail.get("postcode_area")
        agreement = 0
        if item.postcode_area and entry_area:
            agreement = 1 if item.postcode_area == entry_area else -1
        number_match = candidate.via in {"company_number", "charity_number"}
        evidence = [f"{candidate.via.replace('_', ' ')}", f"name score {candidate.name_score:.0f}"]
        if candidate.is_prefix:
            evidence.append("ledger name is a truncation")
        if agreement:
            evidence.append("same postcode area" if agreement > 0 else "different postcode area")
        if number_match and candidate.name_score < settings.min_name_score:
            evidence.append("number matches but the names differ")
        value = confidence(
            score=candidate.name_score,
            margin=margin,
            is_prefix=candidate.is_prefix,
            name_length=name_length,
            postcode_agreement=agreement,
            number_match=number_match and candidate.name_score >= settings.min_name_score,
        )
        candidates.append(
            candidate_from_register(
                detail,
                register=registers[candidate.register_index],
                via=candidate.via,
                name_score=candidate.name_score,
                confidence=value,
                evidence=evidence,
            )
        )
    candidates.sort(key=lambda c: c.confidence, reverse=True)
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


def candidate_from_register(
    detail: Mapping[str, Any],
    *,
    register: Path,
    via: str,
    name_score: float,
    confidence: float,
    evidence: Sequence[str],
) -> Candidate:
    """A :class:`Candidate` from a register row's details (shared with the splink backend)."""
    sic = detail.get("sic_codes") or []
    return Candidate(
        register=register.name.split(".")[0],
        entry_id=str(detail["entry_id"]),
        name=str(detail["name"]),
        name_normalised=str(detail["name_normalised"]),
        company_number=optional_text(detail.get("company_number")),
        charity_number=optional_text(detail.get("charity_number")),
        postcode=optional_text(detail.get("postcode")),
        sic_codes=tuple(str(code) for code in sic) if isinstance(sic, list) else (),
        business_type=str(detail.get("business_type") or "unknown"),
        status=optional_text(detail.get("status")),
        size=optional_text(detail.get("size")),
        is_sme=optional_bool(detail.get("is_sme")),
        via=via,
        name_score=round(name_score, 1),
        confidence=round(confidence, 4),
        evidence=tuple(evidence),
    )


def optional_bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def with_status(result: MatchResult, status: MatchStatus) -> MatchResult:
    """A copy of ``result`` with another status (used when applying review decisions)."""
    return replace(result, status=status)


def supplier_key_for(name: str) -> str:
    """The supplier key for a ledger spelling: its normalised name, or the stripped raw name
    (prefixed ``raw:``) when it normalises to nothing, so empty names are not lumped together."""
    normalised = normalise_name(name)
    return normalised or f"raw:{name.strip()}"
