"""Supplier matching benchmark: quality on corrupted real names, speed on a 5M-row register.

Run: ``uv run python benchmarks/suppliers.py [--rows 5000000] [--ledger 50000] [--no-write]
[--backend splink]``; ``--backend splink`` adds a row for the splink backend to the quality table
(the speed test stays core-only).

Quality: real Gender Pay Gap 2021/22 employers (``../shared/data/companies_sample``) are the
register; a seeded sample of them is corrupted the ways ledgers do (suffix changes,
abbreviations, typos, truncation, "t/a" forms, case and punctuation) and 2019/20 employers absent
from 2021/22 are added as negatives. Precision and recall of accepted matches and the share sent
to review are measured, for the toolkit and for a naive baseline (rapidfuzz ``extractOne`` on
lower-cased raw names, accepted from a score of 90).

Speed: a synthetic register built in DuckDB from real name words (``--rows``), and ``--ledger``
distinct ledger names (half corrupted register names, half new), matched in one process; wall
time and peak memory (ru_maxrss) are reported, with the naive baseline timed on 20 names and
extrapolated. Results go to ``docs/benchmarks.md`` under "## Supplier matching".
"""

# ruff: noqa: S608  (SQL built only from this script's own temporary paths and integers)

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
from rapidfuzz import fuzz, process

from socialvalue.suppliers.matching import (
    LedgerSupplier,
    MatchResult,
    MatchStatus,
    match_suppliers,
)
from socialvalue.suppliers.registers import load_register

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SOCIALVALUE_SHARED_DATA", ROOT.parent / "shared" / "data"))
GPG = SHARED / "companies_sample"

SUFFIXES = {"LIMITED": "LTD", "LTD": "LIMITED", "PLC": "P.L.C.", "LLP": "L.L.P."}
ABBREVIATIONS = [
    ("COMPANY", "CO"),
    (" AND ", " & "),
    (" & ", " AND "),
    ("INTERNATIONAL", "INTL"),
    ("SERVICES", "SVCS"),
    ("HOLDINGS", "HLDGS"),
    ("GROUP", "GRP"),
    ("UNITED KINGDOM", "UK"),
]
TRADING_NAMES = ["Services", "Solutions", "Direct", "Trading", "Supplies", "Care"]


def corrupt(name: str, kind: str, rng: random.Random) -> str:
    """One ledger-style corruption of a register name."""
    if kind == "suffix":
        words = name.split()
        if words and words[-1].upper().strip(".,") in SUFFIXES:
            words[-1] = SUFFIXES[words[-1].upper().strip(".,")]
        else:
            words.append("LTD")
        return " ".join(words)
    if kind == "drop_suffix":
        return re.sub(r"\s+(LIMITED|LTD|PLC|LLP)\.?$", "", name, flags=re.IGNORECASE)
    if kind == "abbreviation":
        for long, short in rng.sample(ABBREVIATIONS, len(ABBREVIATIONS)):
            if long in name.upper():
                return re.sub(re.escape(long), short, name, count=1, flags=re.IGNORECASE)
        return name.upper().replace("LIMITED", "LTD")
    if kind == "typo":
        words = name.split()
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if not long_words:
            return name.lower()
        i = rng.choice(long_words)
        word = words[i]
        j = rng.randrange(1, len(word) - 1)
        operation = rng.choice(["swap", "delete", "replace"])
        if operation == "swap":
            word = word[: j - 1] + word[j] + word[j - 1] + word[j + 1 :]
        elif operation == "delete":
            word = word[:j] + word[j + 1 :]
        else:
            word = word[:j] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[j + 1 :]
        words[i] = word
        return " ".join(words)
    if kind == "truncation":
        return name[: rng.randint(20, 30)] if len(name) > 24 else name.upper()
    if kind == "trading_as":
        return f"{name} t/a {name.split()[0].title()} {rng.choice(TRADING_NAMES)}"
    if kind == "case_punctuation":
        text = name.lower() if rng.random() < 0.5 else name.title()
        return re.sub(r"[.,'\"()]", "", text) + rng.choice(["", ".", " ."])
    raise ValueError(kind)


KINDS = (
    "suffix",
    "drop_suffix",
    "abbreviation",
    "typo",
    "truncation",
    "trading_as",
    "case_punctuation",
)


def score_results(
    labelled: list[tuple[str, str | None, str]], results: list[MatchResult]
) -> dict[str, Any]:
    """Precision and recall of accepted matches, review share, and counts per corruption."""
    by_kind: dict[str, list[int]] = {}
    accepted = correct = review = positives_total = 0
    for (_name, truth, kind), result in zip(labelled, results, strict=True):
        is_accepted = result.status is MatchStatus.ACCEPTED
        is_correct = is_accepted and result.best is not None and result.best.entry_id == truth
        accepted += is_accepted
        correct += is_correct
        review += result.status is MatchStatus.REVIEW
        positives_total += truth is not None
        stats = by_kind.setdefault(kind, [0, 0, 0, 0])  # n, accepted, correct, review
        stats[0] += 1
        stats[1] += is_accepted
        stats[2] += is_correct
        stats[3] += result.status is MatchStatus.REVIEW
    return {
        "positives": positives_total,
        "precision": correct / accepted if accepted else 1.0,
        "recall": correct / positives_total if positives_total else 0.0,
        "review_share": review / len(labelled) if labelled else 0.0,
        "by_kind": by_kind,
    }


def quality(sample: int, seed: int, with_splink: bool = False) -> dict[str, object]:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="sv-bench-"))
    register = work / "gpg2021.register.parquet"
    started = time.perf_counter()
    loaded = load_register(GPG / "gender_pay_gap_employers_2021_to_2022.csv", register)
    load_seconds = time.perf_counter() - started
    entries = pq.read_table(register, columns=["entry_id", "name", "company_number"]).to_pylist()
    numbers = {e["company_number"] for e in entries if e["company_number"]}
    positives = rng.sample([e for e in entries if e["name"]], sample)
    labelled: list[tuple[str, str | None, str]] = []
    for index, entry in enumerate(positives):
        kind = KINDS[index % len(KINDS)]
        labelled.append((corrupt(entry["name"], kind, rng), entry["entry_id"], kind))
    older = load_register(
        GPG / "gender_pay_gap_employers_2019_to_2020.csv", work / "gpg2019.register.parquet"
    )
    old_entries = pq.read_table(older.destination, columns=["name", "company_number"]).to_pylist()
    register_names = {e["name"].casefold() for e in entries}
    negatives = [
        e["name"]
        for e in old_entries
        if e["company_number"]
        and e["company_number"] not in numbers
        and e["name"].casefold() not in register_names
    ]
    for name in rng.sample(negatives, min(len(negatives), sample // 4)):
        labelled.append((name, None, "not_in_register"))
    # The same ledger spelling may appear twice; keep the first label.
    seen: dict[str, tuple[str, str | None, str]] = {}
    for item in labelled:
        seen.setdefault(item[0], item)
    labelled = list(seen.values())
    suppliers = [LedgerSupplier(f"s{i}", name) for i, (name, _t, _k) in enumerate(labelled)]
    started = time.perf_counter()
    results = match_suppliers(suppliers, [register])
    match_seconds = time.perf_counter() - started
    core = score_results(labelled, results)
    splink_row: dict[str, object] | None = None
    if with_splink:
        from socialvalue.suppliers.linkage import link_suppliers, splink_available

        if splink_available():
            started = time.perf_counter()
            linked = link_suppliers(suppliers, [register])
            splink_row = {
                **score_results(labelled, linked),
                "seconds": time.perf_counter() - started,
            }
        else:
            print("splink not installed (uv sync --extra linkage); skipping the splink row")
    # Naive baseline: extractOne over lower-cased raw names, accept from 90.
    choices = [e["name"].lower() for e in entries]
    naive_accepted = naive_correct = 0
    started = time.perf_counter()
    for name, truth, _kind in labelled:
        found = process.extractOne(name.lower(), choices, scorer=fuzz.WRatio, score_cutoff=90)
        if found is not None:
            naive_accepted += 1
            naive_correct += entries[found[2]]["entry_id"] == truth
    naive_seconds = time.perf_counter() - started
    return {
        "register_rows": loaded.rows_written,
        "register_load_seconds": load_seconds,
        "labelled": len(labelled),
        "positives": core["positives"],
        "precision": core["precision"],
        "recall": core["recall"],
        "review_share": core["review_share"],
        "match_seconds": match_seconds,
        "by_kind": core["by_kind"],
        "splink": splink_row,
        "naive_precision": naive_correct / naive_accepted if naive_accepted else 1.0,
        "naive_recall": naive_correct / core["positives"],
        "naive_seconds": naive_seconds,
    }


def synthetic_register(path: Path, rows: int, seed: int) -> float:
    """A register Parquet file of ``rows`` names built from real GPG name words, in DuckDB."""
    started = time.perf_counter()
    source = str(GPG / "gender_pay_gap_employers_2021_to_2022.csv").replace("'", "''")
    connection = duckdb.connect()
    connection.execute("set memory_limit = '2GB'")
    connection.execute(f"select setseed({(seed % 1000) / 1000})")
    connection.execute(
        "create table words as select distinct word from (select unnest(string_split("
        "regexp_replace(lower(EmployerName), '[^a-z0-9 ]', ' ', 'g'), ' ')) as word "
        f"from read_csv('{source}', all_varchar = true)) where length(word) >= 3 "
        "and word not in ('limited', 'ltd', 'plc', 'llp', 'the', 'and')"
    )
    connection.execute(
        "create table words_numbered as select row_number() over (order by word) - 1 as i, "
        "word from words"
    )
    count = connection.execute("select count(*) from words_numbered").fetchone()[0]  # type: ignore[index]
    connection.execute(
        f"""
        copy (
            with r as (
                select i as n,
                    hash(i, 1) % {count} as a, hash(i, 2) % {count} as b,
                    hash(i, 3) % {count} as c, hash(i, 4) % 3 as extra
                from range({rows}) t(i)
            )
            select lpad(cast(n as varchar), 8, '0') as entry_id,
                upper(w1.word || ' ' || w2.word || case when extra = 0 then ' ' || w3.word
                    else '' end) || ' LIMITED' as name,
                w1.word || ' ' || w2.word || case when extra = 0 then ' ' || w3.word
                    else '' end as name_normalised,
                []::varchar[] as other_names_normalised,
                lpad(cast(n as varchar), 8, '0') as company_number,
                null::varchar as company_number_raw, null::varchar as charity_number,
                null::varchar as charity_number_raw, null::varchar as identifier_problem,
                null::varchar as postcode, null::varchar as postcode_area,
                []::varchar[] as sic_codes, 'Private Limited Company' as category,
                'company' as business_type, 'Active' as status, null::varchar as size,
                null::boolean as is_sme
            from r
            join words_numbered w1 on w1.i = r.a
            join words_numbered w2 on w2.i = r.b
            join words_numbered w3 on w3.i = r.c
        ) to '{str(path).replace("'", "''")}' (format parquet, compression zstd)
        """
    )
    connection.close()
    return time.perf_counter() - started


def speed(rows: int, ledger_size: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="sv-bench-big-"))
    register = work / "synthetic.register.parquet"
    build_seconds = synthetic_register(register, rows, seed)
    sample = duckdb.sql(
        f"select name from read_parquet('{register}') using sample {ledger_size} rows"
    ).fetchall()
    names: set[str] = set()
    for (name,) in sample[: ledger_size // 2]:
        names.add(corrupt(name, rng.choice(KINDS), rng))
    words = [name.split()[0] for (name,) in sample]
    while len(names) < ledger_size:
        names.add(f"{rng.choice(words)} {rng.choice(words)} {rng.choice(TRADING_NAMES)}".title())
    suppliers = [LedgerSupplier(f"s{i}", name) for i, name in enumerate(sorted(names))]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    results = match_suppliers(suppliers, [register])
    match_seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts = {status.value: 0 for status in MatchStatus}
    for result in results:
        counts[result.status.value] += 1
    # Naive baseline: extractOne of 20 names over all register names, extrapolated.
    choices = [
        row[0] for row in duckdb.sql(f"select name from read_parquet('{register}')").fetchall()
    ]
    started = time.perf_counter()
    for supplier in suppliers[:20]:
        process.extractOne(supplier.name, choices, scorer=fuzz.WRatio, score_cutoff=90)
    naive_per_name = (time.perf_counter() - started) / 20
    return {
        "rows": rows,
        "ledger": len(suppliers),
        "build_seconds": build_seconds,
        "match_seconds": match_seconds,
        "peak_rss_mb": peak_kb / 1024,
        "rss_before_mb": before / 1024,
        "counts": counts,
        "naive_hours": naive_per_name * len(suppliers) / 3600,
    }


def machine() -> str:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout  # noqa: S607
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in lscpu.splitlines()
            if line.startswith("Model name")
        ),
        platform.processor(),
    )
    return f"{model}; {os.cpu_count()} CPUs; {platform.uname().system} {platform.uname().release}"


def report(q: dict[str, object], s: dict[str, object] | None) -> str:
    lines = [
        "## Supplier matching",
        "",
        f"Run {dt.date.today().isoformat()} on {machine()}, Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}. Script: `benchmarks/suppliers.py`.",
        "",
        "### Quality (real Gender Pay Gap names, corrupted as ledgers do)",
        "",
        f"Register: GPG 2021/22, {q['register_rows']:,} employers (loaded in "
        f"{q['register_load_seconds']:.1f} s). Labelled ledger names: {q['labelled']:,} "
        f"({q['positives']:,} corrupted register names, the rest 2019/20 employers not in "
        "the register).",
        "",
        "| method | precision (accepted) | recall | sent to review | time |",
        "|---|---|---|---|---|",
        f"| toolkit (accept ≥ 0.95) | {q['precision']:.3f} | {q['recall']:.3f} | "
        f"{q['review_share']:.1%} | {q['match_seconds']:.1f} s |",
        f"| naive: rapidfuzz WRatio extractOne ≥ 90 | {q['naive_precision']:.3f} | "
        f"{q['naive_recall']:.3f} | — | {q['naive_seconds']:.1f} s |",
    ]
    sp: dict[str, Any] | None = q.get("splink")  # type: ignore[assignment]
    if sp is not None:
        lines.insert(
            -1,
            f"| `--backend splink` (accept ≥ 0.95, fixed m/u, no labels) | "
            f"{sp['precision']:.3f} | {sp['recall']:.3f} | {sp['review_share']:.1%} | "
            f"{sp['seconds']:.1f} s |",
        )
    lines += [
        "",
        "| corruption | names | accepted | correct | review |"
        + (" splink accepted | splink correct | splink review |" if sp else ""),
        "|---|---|---|---|---|" + ("---|---|---|" if sp else ""),
    ]
    for kind, (n, acc, ok, rev) in q["by_kind"].items():  # type: ignore[attr-defined]
        row = f"| {kind} | {n} | {acc} | {ok} | {rev} |"
        if sp is not None:
            _n, s_acc, s_ok, s_rev = sp["by_kind"][kind]
            row += f" {s_acc} | {s_ok} | {s_rev} |"
        lines.append(row)
    if s is not None:
        lines += [
            "",
            "### Speed",
            "",
            f"{s['ledger']:,} distinct ledger names against a synthetic {s['rows']:,}-row "
            f"register (built from real GPG name words in {s['build_seconds']:.0f} s): "
            f"**{s['match_seconds']:.0f} s**, peak resident memory **{s['peak_rss_mb']:,.0f} MB** "
            f"(process, including the Python interpreter). Outcome: {s['counts']}.",
            f"Naive baseline (extractOne over all register names, no blocking): about "
            f"{s['naive_hours']:.1f} hours for the same ledger, extrapolated from 20 names.",
        ]
    return "\n".join(lines) + "\n"


def write_section(section: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## Supplier matching\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sample", type=int, default=2100)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--ledger", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--backend",
        choices=["core", "splink"],
        default="core",
        help="splink: also score the splink backend on the labelled set (needs the extra)",
    )
    args = parser.parse_args()
    if not GPG.is_dir():
        sys.exit(f"shared data not found at {GPG} (set SOCIALVALUE_SHARED_DATA)")
    q = quality(args.sample, args.seed, with_splink=args.backend == "splink")
    print({k: v for k, v in q.items()})
    s = None if args.skip_speed else speed(args.rows, args.ledger, args.seed)
    print(s)
    section = report(q, s)
    print(section)
    if not args.no_write:
        write_section(section)


if __name__ == "__main__":
    main()
