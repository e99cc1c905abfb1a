"""Tests for company, charity and VAT number checks."""

from __future__ import annotations

import pytest

from socialvalue.suppliers.identifiers import (
    check_charity_number,
    check_company_number,
    check_vat_number,
    company_number_type,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("04104101", "04104101"),
        ("4104101", "04104101"),
        ("4104101.0", "04104101"),
        (" sc016876 ", "SC016876"),
        ("SC 016876", "SC016876"),
        ("OC301234", "OC301234"),
        ("NI012345", "NI012345"),
        ("R0000123", "R0000123"),
        ("IP28985R", "IP28985R"),
        ("RC000641", "RC000641"),
    ],
)
def test_it_normalises_valid_company_numbers(raw: str, expected: str) -> None:
    assert check_company_number(raw).value == expected


@pytest.mark.parametrize("raw", [None, "", "0", "0.0", "00000000", "N/A", "-"])
def test_it_treats_placeholders_as_absent(raw: str | None) -> None:
    check = check_company_number(raw)
    assert check.is_absent
    assert not check.is_valid


@pytest.mark.parametrize(
    ("raw", "problem"),
    [("XY123456", "prefix"), ("MUT0148B", "format"), ("123456789", "format"), ("SC12", "format")],
)
def test_it_reports_bad_company_numbers_without_using_them(raw: str, problem: str) -> None:
    check = check_company_number(raw)
    assert check.value is None
    assert check.problem == problem
    assert raw in check.message


def test_it_names_the_prefix_type() -> None:
    assert company_number_type("SC016876") == "Scottish company"
    assert company_number_type("04104101") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1097940", "1097940"),
        ("220949", "220949"),
        ("1097940-1", "1097940"),
        ("SC012345", "SC012345"),
        ("NIC100002", "NIC100002"),
    ],
)
def test_it_checks_charity_numbers(raw: str, expected: str) -> None:
    assert check_charity_number(raw).value == expected


def test_it_rejects_a_malformed_charity_number() -> None:
    assert check_charity_number("12AB").problem == "format"


def test_it_validates_vat_numbers_with_their_checksum() -> None:
    assert check_vat_number("GB 980 7806 84").value == "980780684"
    assert check_vat_number("GB980780685").problem == "checksum"
    assert check_vat_number("GB12").problem == "format"
