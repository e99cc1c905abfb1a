"""Supplier records written for the spend analysis, with addresses an analyst added."""

from __future__ import annotations

from pathlib import Path

from socialvalue.spend.supplier_list import read_supplier_records
from socialvalue.suppliers.matching import Candidate, MatchResult, MatchStatus
from socialvalue.suppliers.store import supplier_records, write_results


def _candidate(postcode: str) -> Candidate:
    return Candidate(
        register="generic",
        entry_id="1",
        name="ACME LIMITED",
        name_normalised="acme",
        company_number="01234567",
        charity_number=None,
        postcode=postcode,
        sic_codes=("43910",),
        business_type="company",
        status=None,
        size=None,
        is_sme=None,
        via="name",
        name_score=100.0,
        confidence=0.99,
    )


ACCEPTED = MatchResult(
    "acme", "ACME LTD", MatchStatus.ACCEPTED, 0.99, (_candidate("M1 1AA"),), raw_names=("ACME LTD",)
)
UNMATCHED = MatchResult(
    "jo bloggs plumbing",
    "Jo Bloggs Plumbing",
    MatchStatus.UNMATCHED,
    0.0,
    raw_names=("Jo Bloggs Plumbing",),
)


def test_it_keeps_the_register_office_only_for_accepted_matches() -> None:
    accepted, unmatched = supplier_records([ACCEPTED, UNMATCHED])
    assert accepted.registered_office_postcode == "M1 1AA"
    assert unmatched.registered_office_postcode is None


def test_it_adds_analysts_addresses_by_basis_whatever_the_status() -> None:
    addresses = {
        "acme": [("branch", "PR1 2RL")],
        "jo bloggs plumbing": [("trading_address", "PR2 8AA"), ("branch", "BB1 1AA")],
    }
    accepted, unmatched = supplier_records([ACCEPTED, UNMATCHED], addresses)
    assert (accepted.trading_postcodes, accepted.branch_postcodes) == ((), ("PR1 2RL",))
    assert (unmatched.trading_postcodes, unmatched.branch_postcodes) == (("PR2 8AA",), ("BB1 1AA",))


def test_it_gives_the_spend_analysis_one_row_per_located_address(tmp_path: Path) -> None:
    write_results(
        tmp_path, [ACCEPTED, UNMATCHED], addresses={"jo bloggs plumbing": [("branch", "PR1 1AA")]}
    )
    rows = read_supplier_records(tmp_path / "suppliers.parquet")
    located = sorted((row.name, row.basis, row.postcode) for row in rows)
    assert located == [
        ("ACME LIMITED", "registered_office", "M1 1AA"),
        ("Jo Bloggs Plumbing", "branch", "PR1 1AA"),
    ]
