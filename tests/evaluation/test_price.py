"""Price formulas against published and hand-worked figures (``docs/evaluation/price-*.md``)."""

from __future__ import annotations

from decimal import Decimal

from socialvalue.evaluation.price import (
    benchmark,
    linear_deviation,
    linear_range,
    price_per_quality_point,
    relative_to_lowest,
)
from tests.evaluation.builders import D


def test_it_gives_the_negometrix_price_points() -> None:
    # [Negometrix-LowBid]: 8,000 / 10,000 x 70 = 56 and 8,000 / 8,000 x 70 = 70.
    assert 70 * relative_to_lowest(D(10_000), D(8_000)) == 56
    assert 70 * relative_to_lowest(D(8_000), D(8_000)) == 70


def test_it_reproduces_the_ccs_cheapest_over_other_example() -> None:
    # [SHMA-Price] quoting CCS: quotes 15,000, 10,000 and 30,000 score 0.667, 1 and 0.333.
    lowest = D(10_000)
    assert relative_to_lowest(D(15_000), lowest).quantize(D("0.001")) == D("0.667")
    assert relative_to_lowest(D(10_000), lowest) == 1
    assert relative_to_lowest(D(30_000), lowest).quantize(D("0.001")) == D("0.333")


def test_it_reproduces_the_council_example_of_40_points() -> None:
    # [ImpactBids-Quality]: 40 x 100 / 105 = 38 (to the nearest point).
    assert (40 * relative_to_lowest(D(105), D(100))).quantize(D(1)) == 38


def test_it_takes_a_quarter_off_for_a_price_a_quarter_above_the_lowest() -> None:
    assert linear_deviation(D(10_000), D(8_000)) == D("0.75")
    assert linear_deviation(D(8_000), D(8_000)) == 1


def test_it_gives_nothing_at_or_beyond_twice_the_lowest_under_linear_deviation() -> None:
    assert linear_deviation(D(16_000), D(8_000)) == 0
    assert linear_deviation(D(20_000), D(8_000)) == 0


def test_it_scores_linearly_across_the_range() -> None:
    assert linear_range(D(9_000), D(8_000), D(10_000)) == D("0.5")
    assert linear_range(D(10_000), D(8_000), D(10_000)) == 0
    assert linear_range(D(8_000), D(8_000), D(10_000)) == 1


def test_it_gives_full_marks_to_everyone_when_all_prices_are_equal() -> None:
    assert linear_range(D(500), D(500), D(500)) == 1


def test_it_scores_against_a_benchmark_price() -> None:
    assert benchmark(D(80), D(100), D(200)) == 1
    assert benchmark(D(100), D(100), D(200)) == 1
    assert benchmark(D(150), D(100), D(200)) == D("0.5")
    assert benchmark(D(250), D(100), D(200)) == 0


def test_it_divides_price_by_quality_points() -> None:
    assert price_per_quality_point(D(90_000), D(60)) == 1500
    assert price_per_quality_point(D(80_000), D(50)) == 1600
    assert isinstance(price_per_quality_point(D(1), D(3)), Decimal)
