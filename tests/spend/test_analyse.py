"""Indicators on a small hand-made ledger, with DuckDB and Polars giving the same answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import narwhals as nw
import pyarrow as pa
import pytest

from socialvalue.geography.places import Place
from socialvalue.spend import analyse as spend
from socialvalue.spend.analyse import SupplierLocation, analyse_spend

PRESTON = Place("E07000123", "Preston", "district", frozenset({"E07000123"}))
LANCS = Place("Lancashire-14", "Lancashire-14", "group",
              frozenset({"E07000123", "E07000120", "E06000009"}))

# Hand-worked ledger (pence):
#   Acme Ltd (Preston registered office)     10,000 + 5,000 (as "ACME LIMITED") = 15,000
#   Bolton Bakery (Blackpool branch only)     3,000
#   Far Away plc (London)                     2,000 − 500 credit            =  1,500
#   REDACTED                                  500
# total 20,000. Preston local (any rule): 15,000 = 75%.
# Lancashire-14 based_or_branched: 15,000 + 3,000 = 18,000 = 90%; based: 15,000 = 75%.
LEDGER = [
    ("2023-04-03", 10000, "Acme Ltd", "named", "Repairs"),
    ("2024-05-01", 5000, "ACME LIMITED", "named", "Repairs"),
    ("2023-06-01", 3000, "Bolton Bakery", "named", "Catering"),
    ("2024-01-10", 2000, "Far Away plc", "named", None),
    ("2024-02-10", -500, "Far Away PLC", "named", None),
    ("2023-07-01", 500, "REDACTED", "redacted", "Care"),
]
LOCATIONS = [
    SupplierLocation("acme", "registered_office", "PR1 2RL", "E07000123", "North West"),
    SupplierLocation("bolton bakery", "branch", "FY1 1AA", "E06000009", "North West"),
    SupplierLocation("far away", "registered_office", "EC1A 1BB", "E09000001", "London"),
]


def _arrow() -> pa.Table:
    return pa.table({
        "publisher": ["Kingsbridge"] * len(LEDGER),
        "payment_date": pa.array([dt.date.fromisoformat(r[0]) for r in LEDGER]),
        "amount_pence": pa.array([r[1] for r in LEDGER], pa.int64()),
        "supplier_name": [r[2] for r in LEDGER],
        "payee_class": [r[3] for r in LEDGER],
        "expense_type": pa.array([r[4] for r in LEDGER], pa.string()),
    })


@pytest.fixture(params=["duckdb", "polars"])
def ledger(request: pytest.FixtureRequest) -> nw.LazyFrame[Any]:
    if request.param == "polars":
        pl = pytest.importorskip("polars")
        return nw.from_native(pl.from_arrow(_arrow()).lazy())  # type: ignore[union-attr]
    from socialvalue.spend.dataset import analysis_connection

    return nw.from_native(analysis_connection().from_arrow(_arrow()))


def test_it_computes_local_share_under_each_rule(ledger: nw.LazyFrame[Any]) -> None:
    result = analyse_spend(ledger, places=[PRESTON, LANCS], locations=LOCATIONS, top=2)
    assert result.total_pence == 20000
    preston, lancs = result.places
    assert preston.local_pence_by_rule == {"registered_office": 15000, "based": 15000,
                                           "based_or_branched": 15000}
    assert preston.local_share == Decimal("0.75")
    assert lancs.local_pence_by_rule["based"] == 15000
    assert lancs.local_pence == 18000
    assert lancs.local_share == Decimal("0.9")


def test_it_ranks_top_suppliers_on_normalised_names_with_coverage(
    ledger: nw.LazyFrame[Any]
) -> None:
    result = analyse_spend(ledger, places=[PRESTON], locations=LOCATIONS, top=2)
    assert [(s.supplier_key, s.total_pence) for s in result.top_suppliers] == [
        ("acme", 15000), ("bolton bakery", 3000)]
    assert result.top_coverage == Decimal("0.9")  # 18,000 / 20,000
    assert result.top_suppliers[0].local_places == ("E07000123",)


def test_it_reports_leakage_by_region(ledger: nw.LazyFrame[Any]) -> None:
    result = analyse_spend(ledger, places=[PRESTON], locations=LOCATIONS)
    assert set(result.leakage) == {
        ("E07000123", "North West", 3000),
        ("E07000123", "London", 1500),
        ("E07000123", "Unknown location", 500),
    }


def test_it_breaks_spend_down_by_year_sector_and_business_type(
    ledger: nw.LazyFrame[Any]
) -> None:
    result = analyse_spend(ledger, places=[PRESTON], locations=LOCATIONS)
    assert result.breakdowns["financial_year"] == (("2023/24", 15000, 5), ("2024/25", 5000, 1))
    assert dict((label, p) for label, p, _ in result.breakdowns["sector"]) == {
        "Repairs": 15000, "Catering": 3000, "(not given)": 1500, "Care": 500}
    assert dict((label, p) for label, p, _ in result.breakdowns["business_type"]) == {
        "unknown": 19500, "individual": 500}


def test_it_compares_years_with_a_baseline(ledger: nw.LazyFrame[Any]) -> None:
    result = analyse_spend(ledger, places=[PRESTON], locations=LOCATIONS)
    by_year = {s.period: s for s in result.places_by_year}
    # 2023/24: local 10,000 of 15,000; 2024/25: 5,000 of 5,000.
    assert by_year["2023/24"].local_pence == 10000
    assert by_year["2024/25"].local_share == Decimal(1)
    changes = {row["period"]: row["change_points"] for row in spend.year_on_year(result)}
    assert changes["2024/25"] == (Decimal(1) - Decimal("0.666667")) * 100


def test_it_notes_when_no_supplier_has_a_location(ledger: nw.LazyFrame[Any]) -> None:
    result = analyse_spend(ledger, places=[PRESTON])
    assert result.places[0].local_pence == 0
    assert result.notes


def test_each_indicator_is_a_lazy_frame_function(ledger: nw.LazyFrame[Any]) -> None:
    keyed = spend.with_supplier_keys(ledger)
    for frame in (spend.total_spend(keyed), spend.top_suppliers(keyed, 3),
                  spend.breakdown(keyed, "expense_type")):
        assert isinstance(frame, nw.LazyFrame)


def test_it_runs_on_pyspark_when_installed() -> None:
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    session = SparkSession.builder.master("local[1]").getOrCreate()
    frame = nw.from_native(session.createDataFrame(_arrow().to_pandas()))
    result = analyse_spend(frame, places=[PRESTON], locations=LOCATIONS)
    assert result.places[0].local_pence == 15000


def test_supplier_keys_are_the_normalised_names_whatever_the_case() -> None:
    names = ["ACME LTD", "Acme Ltd", "acme ltd.", "Smith & Sons (NW) Limited",
             "SMITH & SONS (NW) LIMITED", "Straße GmbH", "STRASSE GMBH", "LTD", "ltd"]
    table = spend.supplier_key_table(names).to_pydict()
    assert dict(zip(table["supplier_name"], table["supplier_key"], strict=True)) == {
        "ACME LTD": "acme", "Acme Ltd": "acme", "acme ltd.": "acme",
        "Smith & Sons (NW) Limited": "smith and sons",
        "SMITH & SONS (NW) LIMITED": "smith and sons",
        "Straße GmbH": "strasse", "STRASSE GMBH": "strasse",
        "LTD": "ltd", "ltd": "ltd",
    }
