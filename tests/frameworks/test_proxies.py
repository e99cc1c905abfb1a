"""Proxy value sets: open values shipped, user sets loaded at run time, uplift by hand."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

from socialvalue.exceptions import FrameworkFileError, ProxyValueError
from socialvalue.frameworks.proxies import (
    builtin_proxy_set_ids,
    deflator_series,
    licence_is_open,
    load_builtin_proxy_set,
    load_builtin_proxy_sets,
    load_deflator_series,
    load_proxy_set_text,
    load_proxy_values_table,
    uplift_amount,
    uplift_value,
)

D = Decimal


def test_it_ships_only_open_sets():
    assert builtin_proxy_set_ids() == ("green-book-wellby", "real-living-wage")
    for proxy_set in load_builtin_proxy_sets():
        assert proxy_set.is_open
        keys = {source.key for source in proxy_set.sources}
        for value in proxy_set.values:
            assert value.price_year
            assert value.source in keys
            assert "NC" not in value.licence
            assert "ND" not in value.licence


def test_it_ships_the_green_book_wellby():
    wellby = load_builtin_proxy_set("green-book-wellby").value("wellby")

    assert (wellby.value_gbp, wellby.low_gbp, wellby.high_gbp) == (D(13000), D(10000), D(16000))
    assert wellby.price_year == 2019
    assert wellby.licence == "OGL-UK-3.0"


@pytest.mark.parametrize(
    ("value_id", "rate"),
    [
        ("uk-2023", "12.00"),
        ("london-2023", "13.15"),
        ("uk-2024", "12.60"),
        ("london-2024", "13.85"),
        ("uk-2025", "13.45"),
        ("london-2025", "14.80"),
        ("uk-2017", "8.75"),
        ("london-2017", "10.20"),
    ],
)
def test_it_ships_verified_real_living_wage_rates(value_id, rate):
    value = load_builtin_proxy_set("real-living-wage").value(value_id)

    assert value.value_gbp == D(rate)
    assert value.verification == "verified"


def test_it_leaves_out_rates_that_were_only_recalled():
    rlw = load_builtin_proxy_set("real-living-wage")

    for value_id in ("uk-2011", "london-2011", "london-2016", "london-2018", "london-2021"):
        assert rlw.find(value_id) is None


def test_it_uplifts_the_wellby_by_hand():
    # £13,000 (2019 prices) x 117.5 / 100 = £15,275 (2023 prices).
    series = deflator_series("test", {2019: 100, 2023: "117.5"})
    wellby = load_builtin_proxy_set("green-book-wellby").value("wellby")

    result = uplift_value(wellby, to_year=2023, deflators=series)

    assert result.value_gbp == D(15275)
    assert result.factor == D("1.175")
    assert (result.from_index, result.to_index) == (D(100), D("117.5"))


def test_it_rounds_half_up_only_for_display():
    # £12.00 x 103.3 / 100 = £12.396, shown as £12.40.
    result = uplift_amount(
        D("12.00"),
        from_year=2023,
        to_year=2025,
        deflators=deflator_series("t", {2023: 100, 2025: "103.3"}),
    )

    assert result.value_gbp == D("12.396")
    assert result.rounded() == D("12.40")


def test_it_refuses_a_year_the_series_lacks():
    with pytest.raises(ProxyValueError, match="2030"):
        uplift_amount(
            D(1), from_year=2019, to_year=2030, deflators=deflator_series("t", {2019: 100})
        )


def test_it_reads_a_deflator_csv_and_reports_bad_rows(write_file):
    good = load_deflator_series(write_file("gdp.csv", "year,index\n2019,100\n2023,117.5\n"))
    assert good.index(2023) == D("117.5")

    with pytest.raises(FrameworkFileError) as caught:
        load_deflator_series(
            write_file("bad.csv", "year,index\n2019,100\n2020,x\n2019,101\n2021,-1\n")
        )

    assert [(p.line, p.code) for p in caught.value.problems] == [
        (3, "invalid_value"),
        (4, "duplicate_id"),
        (5, "out_of_range"),
    ]


def test_it_loads_a_users_licensed_table_without_marking_it_open(write_file):
    path = write_file(
        "my-toms.csv",
        "id,title,value_gbp,per,unit,price_year,licence\n"
        'local-fte,Local employment,"12,000.50",FTE year,FTE,2023,CC-BY-NC-ND-4.0\n',
    )

    proxy_set = load_proxy_values_table(path, set_id="my-toms", name="My licensed values")

    assert proxy_set.value("local-fte").value_gbp == D("12000.50")
    assert not proxy_set.is_open
    assert not licence_is_open("CC-BY-NC-ND-4.0")


def test_it_reports_every_row_without_a_price_year_or_licence(write_file):
    path = write_file(
        "mine.csv",
        "id,title,value_gbp,per,price_year,licence\n"
        "a,A,10,hour,,\n"
        "b,B,ten,hour,2023,MIT\n"
        "c,C,5,hour,2023,\n",
    )

    with pytest.raises(FrameworkFileError) as caught:
        load_proxy_values_table(path, set_id="mine", name="Mine")

    assert [(p.line, p.path, p.code) for p in caught.value.problems] == [
        (2, "values[0]", "missing_licence"),
        (2, "values[0]", "missing_price_year"),
        (3, "values[1].value_gbp", "wrong_type"),
        (4, "values[2]", "missing_licence"),
    ]


def test_it_takes_table_wide_defaults(write_file):
    path = write_file("mine.csv", "id,title,value_gbp,per\na,A,10,hour\n")

    proxy_set = load_proxy_values_table(
        path, set_id="mine", name="Mine", licence="CC0-1.0", price_year=2024
    )

    assert proxy_set.value("a").price_year == 2024
    assert proxy_set.is_open


def test_it_reports_a_set_file_without_price_year_or_licence():
    text = textwrap.dedent(
        """\
        format: socialvalue-proxy-set/1
        id: mine
        name: Mine
        values:
        - id: a
          title: A
          value_gbp: 10
          per: hour
        """
    )

    with pytest.raises(FrameworkFileError) as caught:
        load_proxy_set_text(text, file="mine.yaml")

    assert [(p.line, p.path, p.code) for p in caught.value.problems] == [
        (5, "values[0]", "missing_licence"),
        (5, "values[0]", "missing_price_year"),
    ]
