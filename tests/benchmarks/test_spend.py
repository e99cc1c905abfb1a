"""The spend benchmark's variants: they must do the same work to be compared at all."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from socialvalue.spend.columns import builtin_synonym_map
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_spend",
                                                  REPO_ROOT / "benchmarks" / "spend.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench")
    bench.generate(folder, 24_000)
    bench.warm_postcode_cache(folder)
    return folder


def _data_lines(folder: Path) -> tuple[int, int]:
    """Counted from the files themselves: (rows after the three title/header lines that are
    not blank, the blank ones)."""
    rows = blanks = 0
    for path in sorted(folder.glob("spend-*.csv")):
        lines = path.read_text("utf-8").splitlines()[3:]
        blanks += sum(1 for line in lines if not line.strip(","))
        rows += sum(1 for line in lines if line.strip(","))
    return rows, blanks


def test_the_variants_agree_with_the_toolkit_on_every_figure(
    bench: ModuleType, generated: Path
) -> None:
    runs = [{"variant": variant, **bench.VARIANTS[variant](generated)}
            for variant in ("toolkit", "duckdb", "duckdb-stored", "pandas")]
    assert bench.disagreements(runs) == []
    toolkit = runs[0]
    rows, blanks = _data_lines(generated)
    assert (rows, blanks > 0) == (24_000, True)
    assert toolkit["rows_loaded"] + toolkit["rows_quarantined"] == rows
    # 2,000 rows a file; each of the 11 files after the first repeats 2,000 // 1,000 of the
    # previous file's payments.
    assert toolkit["rows_duplicate"] == 11 * 2
    assert 0 < toolkit["local_pence"] < toolkit["pence_loaded"]


def test_the_minimal_variants_do_less_and_are_not_held_to_the_toolkits_figures(
    bench: ModuleType, generated: Path
) -> None:
    minimal = bench.VARIANTS["duckdb-minimal"](generated)
    full = bench.VARIANTS["duckdb"](generated)
    # The repeated payments are loaded by the minimal script, quarantined by the full one.
    assert minimal["rows_loaded"] == full["rows_loaded"] + full["rows_duplicate"]
    runs = [{"variant": "toolkit", **full}, {"variant": "duckdb-minimal", **minimal},
            {"variant": "pandas", **full, "top_pence": full["top_pence"] + 1}]
    assert bench.disagreements(runs) == [
        f"pandas top_pence {full['top_pence'] + 1} != toolkit {full['top_pence']}"
    ]


def test_the_scripts_payee_classes_are_the_toolkits(bench: ModuleType) -> None:
    classes = dict(builtin_synonym_map().payee_classes)
    assert set(bench.REDACTED) == set(classes["redacted"])
    assert set(bench.VARIOUS) == set(classes["various"])
