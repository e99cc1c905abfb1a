"""Spend pipeline benchmark: the toolkit against hand-written DuckDB SQL and plain pandas.

    uv run python benchmarks/spend.py --rows 1000000 --write docs/benchmarks.md

Generates realistic synthetic spend files (12 monthly CSVs; supplier sizes Zipf-skewed; name
variants such as "ACME LTD" / "Acme Limited"; amounts with £, thousands commas and bracketed
credits; about 0.5% bad amounts or impossible dates and 0.2% blank rows), then runs the same work
three ways, each in its own process so peak memory (max RSS) is measured separately:

toolkit   ``ingest`` (read, map, clean, quarantine, reconcile, write parquet) then
          ``analyse_spend`` (local share for two places, top 300, leakage, breakdowns)
duckdb    one hand-written SQL script: read_csv, the same cleaning with regexes, the same totals
duckdb-stored  the same script, also writing its loaded and rejected rows to Parquet
pandas    read_csv, vectorised str/to_numeric/to_datetime cleaning, groupby

The variants must agree on rows loaded and pence loaded; the run fails otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

FILES = 12
SUPPLIERS = 20_000
LOCAL_FRACTION = 0.3
SEED = 20261125
SECTION = "## Spend analysis"


def supplier_names(count: int, rng: random.Random) -> list[tuple[str, list[str]]]:
    words = ["North", "West", "Red", "Rose", "Ribble", "Pennine", "Fylde", "Bay", "Civic",
             "Mill", "Valley", "Brook", "Oak", "Castle", "Harbour", "Moor", "Lune", "Wyre"]
    trades = ["Builders", "Catering", "Cleaning", "Consulting", "Supplies", "Transport",
              "Care", "IT Services", "Print", "Electrical", "Plumbing", "Security"]
    result = []
    for index in range(count):
        base = f"{rng.choice(words)} {rng.choice(words)} {rng.choice(trades)} {index}"
        variants = [f"{base} Ltd", f"{base.upper()} LIMITED", f"{base} ltd.", f"{base} LTD"]
        result.append((base, variants))
    return result


def generate(folder: Path, rows: int) -> list[Path]:
    """Write the synthetic files; return their paths."""
    rng = random.Random(SEED)
    names = supplier_names(SUPPLIERS, rng)
    weights = [1 / (rank + 1) ** 1.1 for rank in range(SUPPLIERS)]
    expense = ["Repairs", "Agency Staff", "Catering", "IT Licences", "Vehicle Hire", "Grants"]
    start = dt.date(2023, 4, 1)
    paths = []
    per_file = rows // FILES
    picks = rng.choices(range(SUPPLIERS), weights=weights, k=rows)
    row_number = 0
    for month in range(FILES):
        path = folder / f"spend-{month + 1:02d}.csv"
        lines = ["Spend over £500\r\n", "\r\n",
                 "Payment Date,Supplier Name,Net Amount (£),Expense Type,Description,"
                 "Transaction Number\r\n"]
        for _ in range(per_file):
            supplier = picks[row_number]
            row_number += 1
            name = rng.choice(names[supplier][1])
            pence = int(rng.lognormvariate(10.5, 1.3))
            roll = rng.random()
            if roll < 0.02:
                amount = f"({pence // 100}.{pence % 100:02d})"
            elif roll < 0.3:
                amount = f"\"£{pence // 100:,}.{pence % 100:02d}\""
            elif roll < 0.6:
                amount = f"\"{pence // 100:,}.{pence % 100:02d}\""
            elif roll < 0.603:
                amount = "N/A"
            else:
                amount = f"{pence // 100}.{pence % 100:02d}"
            day = start + dt.timedelta(days=month * 30 + rng.randrange(30))
            date = day.strftime("%d/%m/%Y") if rng.random() > 0.002 else "31/02/2024"
            if rng.random() < 0.002:
                lines.append(",,,,,\r\n")
            lines.append(f"{date},{name},{amount},{rng.choice(expense)},Item {row_number},"
                         f"T{row_number}\r\n")
        path.write_text("".join(lines), "utf-8")
        paths.append(path)
    localities = [(base, "PR1 2RL" if rng.random() < LOCAL_FRACTION else "M1 1AE")
                  for base, _ in names]
    supplier_file = folder / "suppliers.csv"
    supplier_file.write_text("name,postcode\n" + "".join(f"{n} Ltd,{p}\n" for n, p in localities))
    return paths


def warm_postcode_cache(folder: Path) -> None:
    """Build the postcode directory's Parquet cache for the benchmark's postcodes, untimed.

    The toolkit builds it from the ONS package on first use and keeps it (the CLI's ``--cache``,
    the web app's ``var/cache``), so a timed run after the first one finds it built.
    """
    from socialvalue.geography.postcodes import PostcodeDirectory

    PostcodeDirectory(folder / "cache").place(["PR1 2RL", "M1 1AE"])


def run_toolkit(folder: Path) -> dict[str, int]:
    from socialvalue.geography.areas import builtin_areas
    from socialvalue.geography.places import all_places, resolve_place
    from socialvalue.geography.postcodes import PostcodeDirectory
    from socialvalue.spend.analyse import analyse_spend
    from socialvalue.spend.dataset import transactions
    from socialvalue.spend.ingest import ingest
    from socialvalue.spend.supplier_list import read_supplier_list, supplier_locations

    out = folder / "dataset"
    result = ingest(sorted(folder.glob("spend-*.csv")), publisher="Bench", out_dir=out)
    places = all_places(builtin_areas())
    chosen = [resolve_place("Preston", places), resolve_place("Lancashire-14", places)]
    rows = read_supplier_list(folder / "suppliers.csv")
    locations = supplier_locations(rows, PostcodeDirectory(folder / "cache"), builtin_areas())
    analysis = analyse_spend(transactions(out), places=chosen, locations=locations, top=300)
    return {"rows_loaded": result.rows_loaded, "pence_loaded": result.pence_loaded,
            "local_pence": analysis.places[0].local_pence,
            "top_pence": analysis.top_suppliers[-1].cumulative_pence}


DUCKDB_SQL = r"""
CREATE TABLE raw AS SELECT * FROM read_csv('{glob}', skip=3, header=false, all_varchar=true,
    columns={{'d': 'VARCHAR', 's': 'VARCHAR', 'a': 'VARCHAR', 'e': 'VARCHAR', 'x': 'VARCHAR',
              't': 'VARCHAR'}}, quote='"', delim=',');
CREATE TABLE cleaned AS
SELECT *,
  CASE WHEN regexp_matches(n, '^-?([0-9]{{1,3}}(,[0-9]{{3}})+|[0-9]+)(\.[0-9]{{1,2}})?$')
       THEN CAST(round(CAST(replace(n, ',', '') AS DECIMAL(18, 2)) * 100) AS BIGINT) END AS pence,
  try_strptime(d, '%d/%m/%Y')::DATE AS day,
  regexp_replace(trim(regexp_replace(lower(s), '[^a-z0-9]+', ' ', 'g')),
       ' (ltd|limited)$', '') AS supplier_key
FROM (SELECT *, CASE WHEN starts_with(b, '(') THEN '-' || b[2:-2] ELSE b END AS n
      FROM (SELECT *, regexp_replace(coalesce(a, ''), '£| ', '', 'g') AS b FROM raw
            WHERE coalesce(d, '') || coalesce(s, '') || coalesce(a, '') <> ''));
CREATE TABLE loaded AS SELECT * FROM cleaned WHERE pence IS NOT NULL AND day IS NOT NULL;
CREATE TABLE local_suppliers AS
SELECT regexp_replace(trim(regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g')),
       ' (ltd|limited)$', '') AS supplier_key
FROM read_csv('{suppliers}') WHERE postcode = 'PR1 2RL';
"""


def run_duckdb(folder: Path, store: bool = False) -> dict[str, int]:
    """The hand-written script; with ``store``, it also writes its loaded and rejected rows to
    Parquet, as the toolkit writes its transactions and quarantine."""
    import duckdb

    con = duckdb.connect()
    con.execute(DUCKDB_SQL.format(glob=folder / "spend-*.csv", suppliers=folder / "suppliers.csv"))
    if store:
        out = folder / "duckdb-stored"
        out.mkdir(exist_ok=True)
        rejected = "SELECT * FROM cleaned WHERE pence IS NULL OR day IS NULL"
        con.execute(f"COPY loaded TO '{out / 'loaded.parquet'}' (FORMAT parquet)")
        con.execute(f"COPY ({rejected}) TO '{out / 'rejected.parquet'}' (FORMAT parquet)")
    rows, pence = con.execute("SELECT count(*), sum(pence) FROM loaded").fetchone()  # type: ignore[misc]
    local = con.execute("SELECT coalesce(sum(pence), 0) FROM loaded JOIN local_suppliers "
                        "USING (supplier_key)").fetchone()
    top = con.execute("SELECT sum(t) FROM (SELECT sum(pence) t FROM loaded GROUP BY supplier_key "
                      "ORDER BY t DESC LIMIT 300)").fetchone()
    con.execute("SELECT year(day), sum(pence) FROM loaded GROUP BY 1").fetchall()
    assert local is not None
    assert top is not None
    return {"rows_loaded": rows, "pence_loaded": int(pence), "local_pence": int(local[0]),
            "top_pence": int(top[0])}


def run_pandas(folder: Path) -> dict[str, int]:
    import pandas as pd

    frames = [pd.read_csv(path, skiprows=3, header=None, dtype=str,
                          names=["d", "s", "a", "e", "x", "t"], skip_blank_lines=True)
              for path in sorted(folder.glob("spend-*.csv"))]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame[frame[["d", "s", "a"]].notna().any(axis=1)]
    text = frame["a"].fillna("").str.replace(r"£| ", "", regex=True)
    negative = text.str.startswith("(")
    text = text.str.strip("()").str.replace(",", "", regex=False)
    valid = text.str.fullmatch(r"[0-9]+(\.[0-9]{1,2})?")
    pounds = pd.to_numeric(text.where(valid), errors="coerce")
    pence = (pounds * 100).round().astype("Int64")
    frame["pence"] = pence.where(~negative, -pence)
    frame["day"] = pd.to_datetime(frame["d"], format="%d/%m/%Y", errors="coerce")
    loaded = frame[frame["pence"].notna() & frame["day"].notna()].copy()
    key = (loaded["s"].str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
           .str.replace(r" (ltd|limited)$", "", regex=True))
    loaded["supplier_key"] = key
    suppliers = pd.read_csv(folder / "suppliers.csv")
    local_keys = set(suppliers.loc[suppliers["postcode"] == "PR1 2RL", "name"].str.lower()
                     .str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()
                     .str.replace(r" (ltd|limited)$", "", regex=True))
    local = int(loaded.loc[loaded["supplier_key"].isin(local_keys), "pence"].sum())
    top = int(loaded.groupby("supplier_key")["pence"].sum().nlargest(300).sum())
    loaded.groupby(loaded["day"].dt.year)["pence"].sum()
    return {"rows_loaded": len(loaded), "pence_loaded": int(loaded["pence"].sum()),
            "local_pence": local, "top_pence": top}


GAP_NOTE = """
**Goals: memory met; within 1.5× of the DuckDB script not met (1.68× at 10M rows, 1.93× at 1M);
at least 5× faster than pandas not met (2.6× at 10M rows, 1.6× at 1M).** Against the same script
when it also writes its loaded and rejected rows to Parquet (*duckdb-stored*), the toolkit takes
1.14× its time at 10M rows and 1.57× at 1M. Peak memory at 10M rows is 1.0 GB (the scripts 4.4
and 5.4 GB, pandas 7.6 GB).

Each variant now runs three times, taking turns, and the table compares best times. This
machine's speed varies a lot from minute to minute: the same DuckDB script took 13.5–19.4 s for
10M rows over this session, and single runs gave the toolkit anywhere from 1.35× to 1.88× its
time. The round before compared single runs and reported the 10M goal met in two runs of three
(1.31–1.53×); best of three is the fairer measure (other jobs on a shared machine only ever add
time), and by it the goal is not met. Peak memory is now read from the process's own high-water
mark (`VmHWM`): `ru_maxrss`, used before, carried the benchmark's own peak (from generating the
files) into each variant, which raised the small variants' figures.

Why the goals are out of reach of this kind of pipeline here: the plain DuckDB script is only
4.4× faster than pandas at 10M rows and 3.1× at 1M, so a toolkit within 1.5× of the script could
be at most 2.9× faster than pandas; both goals can hold together only where the script is at
least 7.5× faster than pandas. The toolkit also does strictly more than the script: it keeps
every row with its raw cells and row number, quarantines with reasons, checks the bytes before
trusting DuckDB's CSV reader, finds duplicates across files, reconciles each file to the penny
and writes it all to Parquet. Writing its rows alone costs the script 6.5 s at 10M rows (20.0 s
against 13.5 s). At 1M rows the toolkit's fixed costs (start-up, supplier list, postcodes,
analysis: about 1 s) are half the plain script's 1.9 s.

What changed in this round (each commit gives its own before and after), aimed at imports of many
small files, as councils publish them: files read by the Python reader (workbooks, CSV files the
fast path stands aside for) are batched with the others instead of each being cleaned alone
(Hyndburn's 107 monthly files: `spend ingest` 9.7 s to 2.3 s, the same reconciliation); a batch's
files are written two at a time on two connections (12 files of 83,000 rows: 0.8 s to 0.46 s; a
partitioned `COPY` took 0.8 s); small CSV files are read up to two ahead, each on a connection of
its own; and `preserve_insertion_order` is set per connection (`SET SESSION`): off for cleaning
and writing, on only where CSV files are read, whose row numbers depend on it (the cleaning query
over a batch of 12 files: 1.3 s to 0.7 s). Files over 32 MB are not read ahead: with the 66 MB
files of the 10M-row run the cores are busy already. At 1M rows the toolkit went from 2.3–2.9×
the plain script's time (single runs, the round before) to 1.93× (best of three); at 10M rows
its time is unchanged within the noise (run in turn with the round's starting code: 23.1–24.0 s
against 24.4–27.2 s).

Where the time goes at 1M rows: start-up 0.3 s; ingest about 2.9 s (sniffing and hashing 0.15 s;
the 12 files read two at a time, 0.5–0.7 s; cleaning the one batch 1.6 s, while payee names are
normalised in a thread; writing 0.6–0.9 s); the supplier list 0.3 s, postcodes 0.15 s and the
analysis 0.45 s. At 10M rows (the round before, with DuckDB on one thread): the cleaning table
12 s of CPU, writing the transactions Parquet 10 s, reading the CSV files 4.8 s, the byte checks
2.2 s, supplier keys 1.5 s, the header check 1.3 s, look-ups 1.1 s; in all 35–38 s of CPU on the
two cores.

Measured and left: pyarrow imports pandas (0.4 s of CPU) the first time it converts a Python
list when pandas is installed, as it is here for the pandas variant; that happens in the thread
normalising payee names, and hiding pandas from the toolkit changed its time by less than the
noise (3.7–4.6 s against 3.9–4.2 s at 1M rows). Normalising the 60,000 distinct payee spellings
of the 1M-row run costs about 0.2 s of wall time (ingest with keys faked: 2.3–2.6 s against
2.5–2.9 s). Hashing and checking the encoding of the 10M-row files takes 1.1 s before reading
starts (UTF-8 decoding holds the GIL).

Tried and dropped: one partitioned `COPY` per batch (slower than two connections, and a third
slower than a plain `COPY` for a batch of one large file); reading files with lines ended by CR
alone (34 of Hyndburn's files) on the fast path: those files end in one CR LF, which DuckDB's
strict mode refuses, so nothing was gained. Earlier rounds: joining the raw cells back when
writing; Parquet options (compression, bloom filters, dictionary limits, row group size); 3 or 4
DuckDB threads; smaller row groups for small files.
"""


def run_duckdb_stored(folder: Path) -> dict[str, int]:
    return run_duckdb(folder, store=True)


VARIANTS: dict[str, Callable[[Path], dict[str, int]]] = {
    "toolkit": run_toolkit,
    "duckdb": run_duckdb,
    "duckdb-stored": run_duckdb_stored,
    "pandas": run_pandas,
}


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: VmHWM where Linux gives it (ru_maxrss carries
    the parent's peak over fork and exec, so a small variant would show the parent's)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
    return int(kilobytes) / 1024


def measure(variant: str, folder: Path) -> dict[str, object]:
    """Run one variant in a fresh process; return its seconds, peak RSS, answers, and the
    machine's load average (1 minute) when it started (other jobs share the machine)."""
    for output_folder in ("dataset", "duckdb-stored"):  # what an earlier run wrote
        shutil.rmtree(folder / output_folder, ignore_errors=True)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    output = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--variant", variant, "--folder", str(folder)],
        check=True, capture_output=True, text=True,
    ).stdout
    seconds = time.perf_counter() - started
    result = json.loads(output.strip().splitlines()[-1])
    return {"variant": variant, "seconds": seconds, "load": load, **result}


def machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout  # noqa: S607
        model = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                      if line.startswith("Model name")), "")
        cpus = next((line.split(":", 1)[1].strip() for line in lscpu.splitlines()
                     if line.startswith("CPU(s)")), "")
    except OSError:
        model, cpus = "", ""
    import duckdb
    import pandas as pd

    return (f"{model}, {cpus} CPUs; {platform.platform()}; Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}, pandas {pd.__version__}")


def write_section(path: Path, text: str) -> None:
    existing = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _: text, existing)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    path.write_text(updated)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path)
    parser.add_argument("--variant")
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()
    if args.variant:
        answers = VARIANTS[args.variant](args.folder)
        print(json.dumps({**answers, "peak_mb": round(peak_rss_mb())}))
        return
    lines = [SECTION, "",
             f"Run with `uv run python benchmarks/spend.py --rows "
             f"{' '.join(map(str, args.rows))} --repeat {args.repeat} --write docs/benchmarks.md` "
             f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC) on {machine()}.", "",
             f"Each variant runs in its own process, {args.repeat} times, taking turns with the "
             "others; the table gives the best time (other jobs on a shared machine only ever "
             "add time), every time, and the highest peak memory (the process's max RSS). Times "
             "include start-up and imports. *toolkit* is the full pipeline: ingest with "
             "reading, column mapping, cleaning, quarantine, duplicate checks, reconciliation "
             "and parquet writing, then the analysis (local share for two places under three "
             "rules, top 300, leakage, breakdowns). *duckdb* is a hand-written SQL script doing "
             "the same cleaning and the headline aggregations; *duckdb-stored* the same script "
             "also writing its loaded and rejected rows to Parquet, as the toolkit does; *pandas* "
             "the same in vectorised pandas. All variants agree on rows and pence loaded. The "
             "toolkit's postcode directory cache is built before timing, as it is after its "
             "first use; packages are installed with compiled bytecode (`make setup`).", "",
             "| rows | variant | best seconds | every run | peak MB | best vs toolkit's best "
             "| load at starts |",
             "|---|---|---|---|---|---|---|"]
    mismatches = []
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch)
            generate(folder, rows)
            warm_postcode_cache(folder)
            runs = [measure(variant, folder) for _ in range(args.repeat) for variant in VARIANTS]
        for run in runs:
            print(run, file=sys.stderr)
            for key in ("rows_loaded", "pence_loaded", "local_pence", "top_pence"):
                if run[key] != runs[0][key]:
                    mismatches.append(f"{rows:,} rows: {run['variant']} {key} {run[key]} "
                                      f"!= toolkit {runs[0][key]}")
        by_variant = {variant: [run for run in runs if run["variant"] == variant]
                      for variant in VARIANTS}
        best = {variant: min(float(run["seconds"]) for run in of)  # type: ignore[arg-type]
                for variant, of in by_variant.items()}
        for variant, of in by_variant.items():
            every = ", ".join(f"{float(run['seconds']):.1f}" for run in of)  # type: ignore[arg-type]
            peak = max(int(run["peak_mb"]) for run in of)  # type: ignore[call-overload]
            loads = ", ".join(f"{float(run['load']):.1f}" for run in of)  # type: ignore[arg-type]
            lines.append(f"| {rows:,} | {variant} | {best[variant]:.1f} | {every} | {peak} | "
                         f"{best[variant] / best['toolkit']:.2f}× | {loads} |")
    if mismatches:
        sys.exit("the variants disagree, nothing written: " + "; ".join(mismatches))
    text = "\n".join(lines) + "\n" + GAP_NOTE
    print(text)
    if args.write:
        write_section(args.write, text)


if __name__ == "__main__":
    main()
