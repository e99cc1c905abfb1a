"""The real Lancashire raw files (Hyndburn CSVs, Fire and PCC workbooks) go in untouched and
reconcile. Sums are checked a second way, from the written parquet files."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from socialvalue.spend.dataset import Reconciliation, open_dataset
from socialvalue.spend.ingest import ingest

PUBLISHERS = [
    ("Hyndburn Borough Council", "hyndburn"),
    ("Lancashire Fire", "lancashire_fire"),
    ("Lancashire PCC", "lancashire_pcc"),
]


@pytest.fixture(scope="module")
def lancashire_dataset(shared_data: Path, tmp_path_factory: pytest.TempPathFactory
                       ) -> tuple[Path, list[Reconciliation]]:
    raw = shared_data / "spend_lancashire_raw"
    if not raw.is_dir():
        pytest.skip(f"{raw} not found")
    out = tmp_path_factory.mktemp("lancashire") / "dataset"
    results = [ingest([raw / folder], publisher=publisher, out_dir=out)
               for publisher, folder in PUBLISHERS]
    return out, results


def test_it_ingests_every_file(lancashire_dataset: tuple[Path, list[Reconciliation]]) -> None:
    out, results = lancashire_dataset
    assert [len(r.files) for r in results] == [107, 6, 7]
    assert len(open_dataset(out).files) == 120


def test_it_reconciles_rows_and_pence(
    lancashire_dataset: tuple[Path, list[Reconciliation]]
) -> None:
    out, results = lancashire_dataset
    for result in results:
        assert result.rows_read == result.rows_loaded + result.rows_quarantined
        for report in result.files:
            assert report.rows_read == report.rows_loaded + report.rows_quarantined
    dataset = open_dataset(out)
    con = duckdb.connect()
    loaded = con.execute(
        "SELECT count(*), sum(amount_pence) FROM read_parquet(?)",
        [[str(p) for p in dataset.transaction_paths()]],
    ).fetchone()
    quarantined = con.execute(
        "SELECT count(*), coalesce(sum(amount_pence), 0) FROM read_parquet(?)",
        [[str(p) for p in dataset.quarantine_paths()]],
    ).fetchone()
    assert loaded == (sum(r.rows_loaded for r in results), sum(r.pence_loaded for r in results))
    assert quarantined == (sum(r.rows_quarantined for r in results),
                           sum(r.pence_quarantined for r in results))


def test_it_loads_nearly_all_rows(lancashire_dataset: tuple[Path, list[Reconciliation]]) -> None:
    _, results = lancashire_dataset
    read = sum(r.rows_read for r in results)
    loaded = sum(r.rows_loaded for r in results)
    assert read > 100_000
    assert loaded / read > 0.999


def test_it_reads_the_headerless_and_changing_layouts(
    lancashire_dataset: tuple[Path, list[Reconciliation]]
) -> None:
    _, results = lancashire_dataset
    notes = [note for r in results for f in r.files for note in f.notes]
    assert sum("no header row" in note for note in notes) == 3  # April/March/Sept 2025
    assert any("fire-2022-23.xlsx" in note and "new header" in note for note in notes)
