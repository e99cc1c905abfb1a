"""Company, charity and VAT numbers: normalise, check, and say what is wrong with a bad one.

A number that fails its check is *reported*, never used for matching: matching then falls back to
the name. python-stdnum validates what has a published check: UK VAT numbers
(:mod:`stdnum.gb.vat`, mod-97 checksum). Companies House and Charity Commission numbers have no
check digit (and python-stdnum has no validator for them, as of 2.x: ``stdnum.gb`` holds ``nhs``,
``sedol``, ``upn``, ``utr`` and ``vat``), so they are checked for format: Companies House numbers
are eight characters, eight digits or a known two-letter prefix (``SC`` Scottish company, ``NI``
Northern Ireland, ``OC`` LLP, ``LP`` limited partnership, ``IP`` industrial and provident …, see
:data:`COMPANY_NUMBER_PREFIXES`) and six digits.

Ledgers and spreadsheets drop leading zeros (``4104101`` for ``04104101``); an all-digit number of
one to seven digits is padded back to eight. Placeholders (``0``, ``0.0``, ``N/A``, ``-``) are
treated as no number rather than as a bad one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from stdnum import exceptions as stdnum_exceptions
from stdnum.gb import vat as gb_vat

__all__ = [
    "COMPANY_NUMBER_PREFIXES",
    "IdentifierCheck",
    "IdentifierKind",
    "check_charity_number",
    "check_company_number",
    "check_vat_number",
    "company_number_type",
]

IdentifierKind = Literal["company_number", "charity_number", "vat_number"]

# Companies House number prefixes and what they register. From Companies House's published
# list (CoNamePrefix), plus RS (registered societies), CE/CS (CIOs), BR (UK establishments of
# overseas companies) seen in Gender Pay Gap returns.
COMPANY_NUMBER_PREFIXES: dict[str, str] = {
    "AC": "Assurance company (England and Wales)",
    "ZC": "Unregistered company (England and Wales)",
    "FC": "Overseas company",
    "GE": "European Economic Interest Grouping (England and Wales)",
    "LP": "Limited partnership (England and Wales)",
    "OC": "Limited liability partnership (England and Wales)",
    "SE": "European company (England and Wales)",
    "SA": "Assurance company (Scotland)",
    "SZ": "Unregistered company (Scotland)",
    "SF": "Overseas company registered in Scotland",
    "GS": "European Economic Interest Grouping (Scotland)",
    "SL": "Limited partnership (Scotland)",
    "SO": "Limited liability partnership (Scotland)",
    "SC": "Scottish company",
    "ES": "European company (Scotland)",
    "NA": "Assurance company (Northern Ireland)",
    "NZ": "Unregistered company (Northern Ireland)",
    "NF": "Overseas company registered in Northern Ireland",
    "GN": "European Economic Interest Grouping (Northern Ireland)",
    "NL": "Limited partnership (Northern Ireland)",
    "NC": "Limited liability partnership (Northern Ireland)",
    "R0": "Northern Ireland company (pre partition)",
    "NI": "Northern Ireland company",
    "EN": "European company (Northern Ireland)",
    "IP": "Industrial and provident society",
    "SP": "Scottish industrial and provident society",
    "IC": "Investment company with variable capital",
    "SI": "Scottish investment company with variable capital",
    "NP": "Northern Ireland industrial and provident society or credit union",
    "NV": "Northern Ireland investment company with variable capital",
    "RC": "Royal charter company (England and Wales)",
    "SR": "Scottish royal charter company",
    "NR": "Northern Ireland royal charter company",
    "NO": "Northern Ireland credit union or industrial and provident society",
    "RS": "Registered society",
    "CE": "Charitable incorporated organisation (England and Wales)",
    "CS": "Charitable incorporated organisation (Scotland)",
    "BR": "UK establishment of an overseas company",
}

_PLACEHOLDERS = frozenset(
    {"", "0", "00", "0.0", "NA", "N/A", "NONE", "NULL", "NAN", "-", "--", "TBC"}
)
_EIGHT_DIGITS = re.compile(r"\d{8}")
_PREFIX_AND_SIX = re.compile(r"([A-Z][A-Z0-9])(\d{6})")
# Mutual societies registered with the FCA, as Companies House shows them: IP28985R, SP2345RS.
_SOCIETY = re.compile(r"(IP|SP|NP|NO)(\d{4,5})(R|RS)")
_CHARITY_EW = re.compile(r"([1-9]\d{5,6})(?:-(\d{1,3}))?")
_CHARITY_SCOTLAND = re.compile(r"SC0\d{5}")
_CHARITY_NI = re.compile(r"NIC\d{6}")
_CHARITY_HMRC = re.compile(r"X[A-Z]\d{5}")


@dataclass(frozen=True)
class IdentifierCheck:
    """The outcome of checking one identifier.

    Attributes
    ----------
    kind
        What the number was checked as.
    raw
        The text as given.
    value
        The normalised number when it passed (use this one); ``None`` when absent or failed.
    problem
        ``None`` when the number passed or was absent; otherwise a code: ``"format"`` (not the
        shape this kind of number has), ``"prefix"`` (an unknown Companies House prefix),
        ``"checksum"`` (a check digit that does not add up).
    message
        A sentence for the user saying what is wrong and what to do (empty when all is well).
    """

    kind: IdentifierKind
    raw: str
    value: str | None
    problem: str | None = None
    message: str = ""

    @property
    def is_valid(self) -> bool:
        """Whether the number passed and can be used for an exact match."""
        return self.value is not None

    @property
    def is_absent(self) -> bool:
        """Whether there was no number at all (blank or a placeholder such as ``0``)."""
        return self.value is None and self.problem is None


def check_company_number(raw: object) -> IdentifierCheck:
    """Check a Companies House company number.

    Parameters
    ----------
    raw
        The number as written (any case, spaces allowed, leading zeros possibly dropped).

    Returns
    -------
    IdentifierCheck
        With ``value`` the eight-character number (``"04104101"``, ``"SC016876"``) when it has a
        valid format; absent for blanks and placeholders; ``problem`` ``"format"`` or
        ``"prefix"`` otherwise.

    Examples
    --------
    >>> check_company_number("4104101").value
    '04104101'
    >>> check_company_number("sc 016876").value
    'SC016876'
    >>> check_company_number("XY123456").problem
    'prefix'
    """
    text = "" if raw is None else str(raw).strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    number = re.sub(r"[\s\-/]", "", text.upper())
    if number in _PLACEHOLDERS or re.fullmatch(r"0+", number):
        return IdentifierCheck("company_number", text, None)
    if number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    if _EIGHT_DIGITS.fullmatch(number) or _SOCIETY.fullmatch(number):
        return IdentifierCheck("company_number", text, number)
    prefixed = _PREFIX_AND_SIX.fullmatch(number)
    if prefixed is not None:
        if prefixed.group(1) in COMPANY_NUMBER_PREFIXES:
            return IdentifierCheck("company_number", text, number)
        return IdentifierCheck(
            "company_number",
            text,
            None,
            "prefix",
            f"company number {text!r} starts with {prefixed.group(1)!r}, which is not a "
            "Companies House prefix; check the number (it is ignored and the name is used)",
        )
    return IdentifierCheck(
        "company_number",
        text,
        None,
        "format",
        f"company number {text!r} is not eight digits or a two-letter prefix and six digits; "
        "check the number (it is ignored and the name is used)",
    )


def company_number_type(number: str) -> str | None:
    """What a valid company number's prefix says the entity is, or ``None`` for plain digits.

    Examples
    --------
    >>> company_number_type("OC301234")
    'Limited liability partnership (England and Wales)'
    """
    if not number or number[:2].isdigit():
        return None
    return COMPANY_NUMBER_PREFIXES.get(number[:2])


def check_charity_number(raw: object) -> IdentifierCheck:
    """Check a registered charity number (England and Wales, Scotland or Northern Ireland).

    Parameters
    ----------
    raw
        ``"1234567"`` or ``"220949"`` (Charity Commission; a ``-1`` linked-charity suffix is
        dropped), ``"SC012345"`` (OSCR), ``"NIC100002"`` (Charity Commission for Northern
        Ireland) or ``"XN12345"`` (an HMRC charity reference).

    Returns
    -------
    IdentifierCheck
        With ``value`` the normalised number, or ``problem`` ``"format"``.

    Examples
    --------
    >>> check_charity_number("1097940-1").value
    '1097940'
    """
    text = "" if raw is None else str(raw).strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    number = re.sub(r"\s", "", text.upper())
    if number in _PLACEHOLDERS or re.fullmatch(r"0+", number):
        return IdentifierCheck("charity_number", text, None)
    england_wales = _CHARITY_EW.fullmatch(number)
    if england_wales is not None:
        return IdentifierCheck("charity_number", text, england_wales.group(1))
    for pattern in (_CHARITY_SCOTLAND, _CHARITY_NI, _CHARITY_HMRC):
        if pattern.fullmatch(number):
            return IdentifierCheck("charity_number", text, number)
    return IdentifierCheck(
        "charity_number",
        text,
        None,
        "format",
        f"charity number {text!r} is not a Charity Commission (6–7 digits), OSCR (SC0 and five "
        "digits) or Northern Ireland (NIC and six digits) number; it is ignored",
    )


def check_vat_number(raw: object) -> IdentifierCheck:
    """Check a UK VAT registration number with python-stdnum (format and mod-97 checksum).

    Examples
    --------
    >>> check_vat_number("GB 980 7806 84").value
    '980780684'
    >>> check_vat_number("GB980780685").problem
    'checksum'
    """
    text = "" if raw is None else str(raw).strip()
    if text.upper() in _PLACEHOLDERS:
        return IdentifierCheck("vat_number", text, None)
    try:
        return IdentifierCheck("vat_number", text, gb_vat.validate(text))
    except stdnum_exceptions.InvalidChecksum:
        problem = "checksum"
    except stdnum_exceptions.ValidationError:
        problem = "format"
    return IdentifierCheck(
        "vat_number",
        text,
        None,
        problem,
        f"VAT number {text!r} fails its {problem} check; check the number (it is ignored)",
    )
