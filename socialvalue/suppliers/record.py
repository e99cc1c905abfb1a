"""The supplier record: who a supplier is, where it is based or branched, what kind of body it is.

The spend analysis reads these records to count a pound as local (by registered office, trading
address or branch: the CLES "based or branched" rule), SME or VCSE, and to break spend down by
sector (SIC 2007).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from socialvalue.suppliers.normalise import legal_form

__all__ = [
    "BusinessType",
    "LocalBasis",
    "SupplierRecord",
    "business_type_from",
    "is_sme_from",
    "normalise_postcode",
    "postcode_area",
]


class BusinessType(StrEnum):
    """What kind of body a supplier is, as the spend analysis reports it."""

    COMPANY = "company"
    CHARITY_VCSE = "charity_vcse"
    COOPERATIVE_MUTUAL = "cooperative_mutual"
    CIC = "cic"
    PUBLIC_BODY = "public_body"
    SOLE_TRADER_INDIVIDUAL = "sole_trader_individual"
    UNKNOWN = "unknown"


class LocalBasis(StrEnum):
    """Which address made a supplier local ("based or branched", CLES)."""

    REGISTERED_OFFICE = "registered_office"
    TRADING_ADDRESS = "trading_address"
    BRANCH = "branch"
    EMPLOYEE_RESIDENCE = "employee_residence"


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_POSTCODE_IN_TEXT = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")


def normalise_postcode(raw: str | None) -> str | None:
    """A UK postcode in its standard form (``"PR1 2RL"``), or ``None`` when it is not one.

    Lower case, missing or doubled spaces are fixed; when ``raw`` is an address, the last
    postcode in it is taken.

    Examples
    --------
    >>> normalise_postcode("pr12rl")
    'PR1 2RL'
    >>> normalise_postcode("Penglais, Ceredigion, sy23 3fl")
    'SY23 3FL'
    """
    if raw is None:
        return None
    text = " ".join(str(raw).upper().split())
    whole = _POSTCODE.match(text.replace(" ", "")) or _POSTCODE.match(text)
    if whole is not None:
        return f"{whole.group(1)} {whole.group(2)}"
    found = _POSTCODE_IN_TEXT.findall(text)
    if found:
        outward, inward = found[-1]
        return f"{outward} {inward}"
    return None


def postcode_area(postcode: str | None) -> str | None:
    """The postcode area, the one or two letters at the start (``"PR"`` for ``"PR1 2RL"``)."""
    normalised = normalise_postcode(postcode)
    if normalised is None:
        return None
    return re.match(r"[A-Z]+", normalised).group(0)  # type: ignore[union-attr]


_PUBLIC_BODY_WORDS = re.compile(
    r"\b(council|borough|nhs|police|constabulary|fire and rescue|ministry of|department for|"
    r"hm revenue|hmrc|county court|crown commercial|combined authority|health board|"
    r"clinical commissioning|police and crime commissioner)\b",
    re.IGNORECASE,
)


def business_type_from(
    *,
    category: str | None = None,
    name: str = "",
    company_number: str | None = None,
    charity_number: str | None = None,
) -> BusinessType:
    """Work out a supplier's business type from what a register says, else from its name.

    Parameters
    ----------
    category
        A register's type for the entry: a Companies House ``CompanyCategory`` ("Community
        Interest Company", "Registered Society", "Charitable Incorporated Organisation" …) or a
        generic register's ``type`` (``company``, ``charity``, ``cic``, ``public body``,
        ``sole trader`` …, or a :class:`BusinessType` value).
    name, company_number, charity_number
        Used when ``category`` says nothing: a charity number makes a charity, a CIC or
        co-operative legal form makes a CIC or co-operative, public-body words make a public body,
        a company number makes a company.

    Returns
    -------
    BusinessType
        :attr:`BusinessType.UNKNOWN` when nothing tells.
    """
    text = (category or "").strip().casefold().replace("-", " ").replace("/", " ")
    if text:
        for member in BusinessType:
            if text == member.value or text == member.value.replace("_", " "):
                return member
        rules: list[tuple[tuple[str, ...], BusinessType]] = [
            (("community interest",), BusinessType.CIC),
            (("cic",), BusinessType.CIC),
            (("charit", "vcse", "voluntary", "trust"), BusinessType.CHARITY_VCSE),
            (
                (
                    "registered society",
                    "industrial and provident",
                    "co operative",
                    "cooperative",
                    "mutual",
                    "credit union",
                    "community benefit",
                ),
                BusinessType.COOPERATIVE_MUTUAL,
            ),
            (
                ("public", "local authority", "government", "council", "nhs"),
                BusinessType.PUBLIC_BODY,
            ),
            (
                ("sole trader", "individual", "person", "partnership"),
                BusinessType.SOLE_TRADER_INDIVIDUAL,
            ),
            (("compan", "ltd", "limited", "plc", "llp"), BusinessType.COMPANY),
        ]
        # "Public Limited Company" is a company, not a public body.
        if "public limited" in text:
            return BusinessType.COMPANY
        for words, business_type in rules:
            if any(word in text for word in words):
                return business_type
    form = legal_form(name) if name else None
    if form == "cic":
        return BusinessType.CIC
    if form in {"cio", "scio"} or charity_number:
        return BusinessType.CHARITY_VCSE
    if form in {"coop", "cbs", "ips"}:
        return BusinessType.COOPERATIVE_MUTUAL
    if name and _PUBLIC_BODY_WORDS.search(name):
        return BusinessType.PUBLIC_BODY
    if form is not None or company_number:
        return BusinessType.COMPANY
    return BusinessType.UNKNOWN


_SMALL_ACCOUNTS = ("MICRO", "SMALL", "TOTAL EXEMPTION", "AUDIT EXEMPTION", "DORMANT", "UNAUDITED")
_LARGE_EMPLOYER = re.compile(r"^\s*(250|500|1000|1,000|5000|5,000|20,000|20000)\b")


def is_sme_from(size: str | None) -> bool | None:
    """Whether a register's size field says SME (fewer than 250 staff), or ``None`` if unknown.

    Understands Companies House ``Accounts.AccountCategory`` (micro, small, total exemption →
    SME; full and group accounts say nothing certain), Gender Pay Gap ``EmployerSize`` bands
    ("250 to 499" … → not SME; "Less than 250" → SME) and plain ``sme`` / ``large``.

    Examples
    --------
    >>> is_sme_from("TOTAL EXEMPTION FULL")
    True
    >>> is_sme_from("1000 to 4999")
    False
    """
    if size is None:
        return None
    text = size.strip().upper()
    if not text or text in {"NO ACCOUNTS FILED", "FULL", "GROUP", "NOT AVAILABLE", "UNKNOWN"}:
        return None
    if text in {"SME", "SMALL", "MICRO", "MEDIUM", "LESS THAN 250"} or text.startswith("LESS THAN"):
        return True
    if text in {"LARGE", "NOT SME"} or _LARGE_EMPLOYER.match(text):
        return False
    if any(word in text for word in _SMALL_ACCOUNTS):
        return True
    return None


@dataclass(frozen=True)
class SupplierRecord:
    """One supplier, resolved: the register entry it matched and what the spend analysis needs.

    Attributes
    ----------
    supplier_key
        The normalised name that groups the supplier's ledger spellings.
    name
        The display name (the register's name when matched, else the most common ledger spelling).
    raw_names
        Every ledger spelling grouped under this supplier, as written.
    register, register_entry_id
        Which register the supplier was matched to and the entry's id there (``None`` unmatched).
    company_number, charity_number
        Validated identifiers, when known.
    registered_office_postcode
        From the register.
    trading_postcodes, branch_postcodes
        Added by an analyst (a register knows only the registered office).
    sic_codes
        SIC 2007 five-digit codes.
    business_type
        See :class:`BusinessType`.
    size
        The register's size text as given ("SMALL", "250 to 499"), when known.
    is_sme
        ``True``/``False`` when the size says so, else ``None``.
    """

    supplier_key: str
    name: str
    raw_names: tuple[str, ...] = ()
    register: str | None = None
    register_entry_id: str | None = None
    company_number: str | None = None
    charity_number: str | None = None
    registered_office_postcode: str | None = None
    trading_postcodes: tuple[str, ...] = ()
    branch_postcodes: tuple[str, ...] = ()
    sic_codes: tuple[str, ...] = ()
    business_type: BusinessType = BusinessType.UNKNOWN
    size: str | None = None
    is_sme: bool | None = None
    notes: tuple[str, ...] = field(default=())

    def postcodes_by_basis(self) -> tuple[tuple[LocalBasis, str], ...]:
        """Every postcode that could make the supplier local, each with its basis.

        The spend analysis tests each against the place and reports the share under each basis
        (registered office only; based or branched).
        """
        pairs: list[tuple[LocalBasis, str]] = []
        if self.registered_office_postcode:
            pairs.append((LocalBasis.REGISTERED_OFFICE, self.registered_office_postcode))
        pairs.extend((LocalBasis.TRADING_ADDRESS, code) for code in self.trading_postcodes)
        pairs.extend((LocalBasis.BRANCH, code) for code in self.branch_postcodes)
        return tuple(pairs)
