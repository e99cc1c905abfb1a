"""Tests for matching: numbers, exact and fuzzy names, confidence bands, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialvalue.suppliers.matching import (
    LedgerSupplier,
    MatchStatus,
    confidence,
    match_suppliers,
    name_score,
)


def _match(register: Path, *suppliers: LedgerSupplier) -> dict[str, object]:
    return {result.supplier_key: result for result in match_suppliers(suppliers, [register])}


def test_it_accepts_an_exact_normalised_name(generic_register: Path) -> None:
    result = match_suppliers([LedgerSupplier("a", "ACME ROOFING LTD.")], [generic_register])[0]
    assert result.status is MatchStatus.ACCEPTED
    assert result.best is not None
    assert result.best.entry_id == "01234567"
    assert result.best.via == "exact_name"


def test_it_accepts_a_company_number_when_the_names_agree(generic_register: Path) -> None:
    supplier = LedgerSupplier("a", "Acme Roofng", company_number="1234567")
    result = match_suppliers([supplier], [generic_register])[0]
    assert result.status is MatchStatus.ACCEPTED
    assert result.best is not None
    assert result.best.via == "company_number"


def test_it_sends_a_number_with_an_unlike_name_to_review(generic_register: Path) -> None:
    supplier = LedgerSupplier("a", "Totally Different Trading", company_number="01234567")
    result = match_suppliers([supplier], [generic_register])[0]
    assert result.status is MatchStatus.REVIEW


def test_it_reports_a_bad_number_and_matches_on_the_name(generic_register: Path) -> None:
    supplier = LedgerSupplier("a", "Acme Roofing Ltd", company_number="XY999999")
    result = match_suppliers([supplier], [generic_register])[0]
    assert "company_number:prefix" in result.reasons
    assert result.status is MatchStatus.ACCEPTED


@pytest.mark.parametrize("name", ["", "   ", "!!!", "LTD", "---"])
def test_it_sends_names_without_words_to_review_never_a_match(
    generic_register: Path, name: str
) -> None:
    result = match_suppliers([LedgerSupplier("raw", name)], [generic_register])[0]
    assert result.status is MatchStatus.REVIEW
    assert result.candidates == ()
    assert "empty_name" in result.reasons


def test_it_finds_a_typo_by_fuzzy_name(generic_register: Path) -> None:
    result = match_suppliers(
        [LedgerSupplier("p", "Preston Comunity Transport")], [generic_register]
    )[0]
    assert result.best is not None
    assert result.best.entry_id == "09876543"
    assert result.best.via == "fuzzy_name"


def test_it_does_not_accept_between_near_namesakes(generic_register: Path) -> None:
    result = match_suppliers([LedgerSupplier("n", "Northern Widgets M Ltd")], [generic_register])[0]
    assert result.status is not MatchStatus.ACCEPTED


def test_it_leaves_unknown_suppliers_unmatched(generic_register: Path) -> None:
    result = match_suppliers([LedgerSupplier("x", "Zyxwv Quux")], [generic_register])[0]
    assert result.status is MatchStatus.UNMATCHED


def test_it_matches_real_gender_pay_gap_names(gpg_2021_register: Path) -> None:
    results = match_suppliers(
        [
            LedgerSupplier("r", '"Red Band" Chemical Co Ltd'),
            LedgerSupplier("t", "TESCO STORES LTD."),
        ],
        [gpg_2021_register],
    )
    assert [r.best.company_number if r.best else None for r in results] == [
        "SC016876",
        "00519500",
    ]
    assert all(r.status is MatchStatus.ACCEPTED for r in results)


def test_it_scores_truncations_and_identical_names() -> None:
    assert name_score("acme", "acme") == (100.0, False)
    score, is_prefix = name_score("northern rail infra", "northern rail infrastructure")
    assert is_prefix
    assert score >= 92


def test_it_raises_confidence_with_score_margin_and_postcode() -> None:
    low = confidence(score=90, margin=2, is_prefix=False, name_length=20, postcode_agreement=0)
    high = confidence(score=100, margin=30, is_prefix=False, name_length=20, postcode_agreement=0)
    local = confidence(score=90, margin=2, is_prefix=False, name_length=20, postcode_agreement=1)
    assert low < local < 1
    assert low < high
