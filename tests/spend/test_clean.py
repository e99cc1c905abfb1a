"""Amount, date and payee rules: worked cases, then the SQL and Python forms fuzzed together."""

# ruff: noqa: S608 - the SQL is the module's own expressions

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from socialvalue.spend.clean import (
    amount_pence_sql,
    date_sql,
    format_pence,
    parse_amount,
    parse_date,
    payee_class,
    payee_class_sql,
)
from socialvalue.spend.columns import builtin_synonym_map


@pytest.mark.parametrize(
    ("raw", "pence"),
    [
        ("1234.56", 123456),
        ("£1,234.56", 123456),
        ("1 234.56", 123456),
        ("  42 ", 4200),
        ("(12.50)", -1250),
        ("12.50-", -1250),
        ("-12.50", -1250),
        ("£-12.50", -1250),
        ("12.50 CR", -1250),
        ("CR 12.50", -1250),
        ("œ322.50", 32250),
        ("1263.6100000000001", 126361),
        ("0.005", 1),
        ("-0.005", -1),
        (".5", 50),
        ("0", 0),
    ],
)
def test_it_parses_amounts_to_pence(raw: str, pence: int) -> None:
    assert parse_amount(raw) == pence


@pytest.mark.parametrize("raw", ["", "N/A", "1.234,56", "12,34", "--3", "1e5", "£", "12.3.4",
                                 "123456789012"])
def test_it_refuses_what_is_not_an_amount(raw: str) -> None:
    assert parse_amount(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31/01/2024", dt.date(2024, 1, 31)),
        ("31-01-24", dt.date(2024, 1, 31)),
        ("1.2.2024", dt.date(2024, 2, 1)),
        ("2024-01-31", dt.date(2024, 1, 31)),
        ("2024-01-31 00:00:00", dt.date(2024, 1, 31)),
        ("13 October 2023", dt.date(2023, 10, 13)),
        ("27-Mar-23", dt.date(2023, 3, 27)),
        ("5 Sept 2023", dt.date(2023, 9, 5)),
        ("43658", dt.date(2019, 7, 12)),  # Excel serial: 1899-12-30 + 43658 days
        ("01/01/95", dt.date(1995, 1, 1)),  # 70–99 → 1900s
    ],
)
def test_it_parses_uk_iso_named_and_excel_dates(raw: str, expected: dt.date) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2024", "01/31/2024", "2024-13-01", "1/1/1989",
                                 "Sept 2023", "99999", "", "today"])
def test_it_refuses_impossible_or_ambiguous_dates(raw: str) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("REDACTED", "redacted"), (" Personal Data ", "redacted"), ("various", "various"),
     ("Various Sites Ltd", "named"), ("THIRD PARTY", "redacted"), ("", None), (" - ", None)],
)
def test_it_classes_payees(name: str, expected: str | None) -> None:
    assert payee_class(name, builtin_synonym_map()) == expected


def test_it_formats_pence_as_pounds() -> None:
    assert format_pence(-123456) == "-1234.56"
    assert format_pence(5) == "0.05"


_AMOUNT_ALPHABET = st.sampled_from(list("0123456789.,-() £CRGBPœ\u00a0\tx"))
# A number with signs, brackets and "CR" around it, in any order on either side.
_AMOUNT_MARKS = st.lists(st.sampled_from(["(", ")", "CR", "cr", "-", "£", "GBP", " ", "x"]),
                         max_size=2).map("".join)
_marked_amount = st.builds(
    lambda before, number, after: before + number + after,
    _AMOUNT_MARKS, st.sampled_from(["1", "12.5", "1,234.005", "0.994", "", ".5", "1.2,3"]),
    _AMOUNT_MARKS,
)
_amount_text = st.one_of(
    st.text(_AMOUNT_ALPHABET, max_size=16),
    _marked_amount,
    st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False).map(str),
    st.builds(lambda n, d: f"£{n:,}.{d:02d}", st.integers(0, 10**9), st.integers(0, 99)),
)
_date_text = st.one_of(
    st.text(st.sampled_from(list("0123456789/-. :TOctSepJanMay")), max_size=20),
    st.dates(dt.date(1980, 1, 1), dt.date(2110, 1, 1)).map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates(dt.date(1980, 1, 1), dt.date(2110, 1, 1)).map(lambda d: d.strftime("%d %B %Y")),
    st.dates(dt.date(1980, 1, 1), dt.date(2110, 1, 1)).map(lambda d: d.strftime("%d-%b-%y")),
    st.integers(0, 100000).map(str),
)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _sql_values(con: duckdb.DuckDBPyConnection, expression: str, values: list[str]) -> list:
    rows = con.execute(
        f"SELECT i, {expression} FROM (SELECT unnest(?::VARCHAR[]) AS x, "
        "generate_subscripts(?::VARCHAR[], 1) AS i) ORDER BY i",
        [values, values],
    ).fetchall()
    return [row[1] for row in rows]


@settings(max_examples=150, deadline=None)
@given(raws=st.lists(_amount_text, min_size=1, max_size=60))
@example(raws=["-1-", "CR1CR", "(CR1)", "CR-1", "-CR1", "1-CR", "(1", "()", "-(1)", "(1)CR"])
def test_it_parses_amounts_the_same_in_sql_and_python(con: duckdb.DuckDBPyConnection,
                                                      raws: list[str]) -> None:
    assert _sql_values(con, amount_pence_sql("x"), raws) == [parse_amount(r) for r in raws]


@settings(max_examples=150, deadline=None)
@given(raws=st.lists(_date_text, min_size=1, max_size=60))
def test_it_parses_dates_the_same_in_sql_and_python(con: duckdb.DuckDBPyConnection,
                                                    raws: list[str]) -> None:
    assert _sql_values(con, date_sql("x"), raws) == [parse_date(r) for r in raws]


@settings(max_examples=100, deadline=None)
@given(names=st.lists(st.text(st.characters(max_codepoint=127), max_size=30), min_size=1,
                      max_size=40))
def test_it_classes_payees_the_same_in_sql_and_python(con: duckdb.DuckDBPyConnection,
                                                      names: list[str]) -> None:
    synonyms = builtin_synonym_map()
    assert _sql_values(con, payee_class_sql("x", synonyms), names) == [
        payee_class(n, synonyms) for n in names
    ]


@given(pence=st.integers(-(10**13) + 1, 10**13 - 1))  # up to 11 digits of pounds
def test_it_reads_back_every_formatted_amount(pence: int) -> None:
    assert parse_amount(format_pence(pence)) == pence
