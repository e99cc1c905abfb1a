"""The dataset on disk: manifests from before corrections existed, revisions, orphans."""

from __future__ import annotations

import json
from pathlib import Path

from socialvalue.spend.dataset import FileReport, open_dataset, remove_orphans
from socialvalue.spend.ingest import ingest


def test_it_reads_a_manifest_written_before_corrections(clean_csv: Path,
                                                       dataset_dir: Path) -> None:
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    manifest = json.loads((dataset_dir / "manifest.json").read_text())
    for entry in manifest["files"]:
        for key in ("revision", "rows_corrected", "amount_corrected", "pence_corrected",
                    "pence_corrected_as_read"):
            entry.pop(key)
    (dataset_dir / "manifest.json").write_text(json.dumps(manifest))
    dataset = open_dataset(dataset_dir)
    (report,) = dataset.files
    assert (report.revision, report.rows_corrected) == (0, 0)
    assert dataset.transaction_paths() == [dataset_dir / "transactions" / f"{report.key}.parquet"]
    assert dataset.correction_paths() == []
    assert dataset.reconciliation.as_dict()["rows_corrected"] == 0


def test_partition_names_follow_the_revision() -> None:
    report = FileReport.from_dict({
        "key": "k1", "name": "a.csv", "sha256": "0", "publisher": "p", "imported_at": "",
        "tables": [], "rows_read": 0, "rows_loaded": 0, "rows_quarantined": 0, "rows_blank": 0,
        "pence_loaded": 0, "pence_quarantined": 0, "quarantined_by_reason": {}, "revision": 2,
    })
    assert report.partition("transactions") == "k1.r2.parquet"
    assert report.partition("corrections") == "k1.r2.parquet"
    assert FileReport.from_dict(report.as_dict()) == report


def test_it_removes_partitions_the_manifest_does_not_name(clean_csv: Path,
                                                         dataset_dir: Path) -> None:
    ingest([clean_csv], publisher="Kingsbridge", out_dir=dataset_dir)
    dataset = open_dataset(dataset_dir)
    (report,) = dataset.files
    stray = dataset_dir / "transactions" / f"{report.key}.r9.parquet"
    stray.write_bytes(b"")
    (dataset_dir / "corrections").mkdir()
    stray_correction = dataset_dir / "corrections" / f"{report.key}.r1.parquet"
    stray_correction.write_bytes(b"")
    remove_orphans(dataset)
    assert not stray.exists()
    assert not stray_correction.exists()
    assert dataset.transaction_paths()[0].exists()
