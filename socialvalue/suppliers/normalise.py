"""Supplier name normalisation: explicit, tested rules that turn ledger spellings into one key.

``normalise_name("ACME (NW) LTD t/a Acme Roofing")`` and ``normalise_name("acme ltd.")`` are both
``"acme"``. The raw name is never changed or thrown away by callers; this module only computes keys.

The rules, applied in this order:

1. Unicode is folded (NFKC, then accents dropped) and case is folded (``str.casefold``).
2. A trading name ("t/a", "t/as", "trading as") is split off: :func:`normalise_name` keeps the part
   before it (the legal entity, which is what registers hold); :func:`name_variants` returns both.
3. Bracketed regions are dropped: ``(NW)``, ``(UK)``, ``(North West)``, ``(Lancashire)`` — any
   bracket whose words are all place words or one short code of up to three letters. Other
   brackets keep their words: ``(Holdings)`` becomes ``holdings``.
4. ``&`` and ``+`` become ``and``; apostrophes are removed (``Smith's`` → ``smiths``); every other
   character that is not a letter or a digit becomes a space.
5. Runs of single letters are joined: ``A.B.C. Ltd`` → ``abc``.
6. Common abbreviations are made one spelling (``company``/``co`` → ``co``, ``intl`` →
   ``international``, ``grp`` → ``group`` …, see :data:`ABBREVIATIONS`).
7. Legal forms at the end are removed, repeatedly (``ltd``, ``limited``, ``plc``, ``llp``, ``cic``,
   ``cio``, ``co-operative``, ``community interest company``, the Welsh ``cyf``, ``cyfyngedig``,
   ``ccc``, ``cbc`` …, see :data:`LEGAL_FORMS`), as is a leading or trailing ``the``.

A name of only punctuation or only legal forms normalises to ``""``; matching sends such names to
review rather than guessing. :func:`normalise_name` is idempotent.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ABBREVIATIONS",
    "LEGAL_FORMS",
    "legal_form",
    "name_variants",
    "normalise_name",
    "split_trading_name",
]

# Legal forms, as normalised token sequences, mapped to the canonical code :func:`legal_form`
# returns. Longer forms are tried first so "community interest company" wins over "company".
LEGAL_FORMS: dict[tuple[str, ...], str] = {
    ("limited",): "ltd",
    ("ltd",): "ltd",
    ("cyfyngedig",): "ltd",
    ("cyf",): "ltd",
    ("public", "limited", "co"): "plc",
    ("plc",): "plc",
    ("cwmni", "cyfyngedig", "cyhoeddus"): "plc",
    ("ccc",): "plc",
    ("limited", "liability", "partnership"): "llp",
    ("llp",): "llp",
    ("partneriaeth", "atebolrwydd", "cyfyngedig"): "llp",
    ("pac",): "llp",
    ("limited", "partnership"): "lp",
    ("lp",): "lp",
    ("community", "interest", "co"): "cic",
    ("cic",): "cic",
    ("cwmni", "buddiant", "cymunedol"): "cic",
    ("cbc",): "cic",
    ("charitable", "incorporated", "organisation"): "cio",
    ("cio",): "cio",
    ("sefydliad", "corfforedig", "elusennol"): "cio",
    ("sce",): "cio",
    ("scottish", "charitable", "incorporated", "organisation"): "scio",
    ("scio",): "scio",
    ("cooperative", "society"): "coop",
    ("cooperative",): "coop",
    ("community", "benefit", "society"): "cbs",
    ("industrial", "and", "provident", "society"): "ips",
    ("ips",): "ips",
    ("incorporated",): "inc",
    ("inc",): "inc",
    ("llc",): "llc",
    ("gmbh",): "gmbh",
}
# The forms ending in each word, longest first: a name is checked only against the forms its
# last word can end (most names end in none), not against every form on every pass.
_LEGAL_FORMS_BY_LAST_WORD: dict[str, tuple[tuple[str, ...], ...]] = {}
for _form in sorted(LEGAL_FORMS, key=len, reverse=True):
    _LEGAL_FORMS_BY_LAST_WORD[_form[-1]] = (*_LEGAL_FORMS_BY_LAST_WORD.get(_form[-1], ()), _form)
del _form

# One spelling for words ledgers abbreviate. Values must map to themselves (idempotence).
ABBREVIATIONS: dict[str, str] = {
    "company": "co",
    "coy": "co",
    "bros": "brothers",
    "intl": "international",
    "int": "international",
    "assoc": "association",
    "assn": "association",
    "assocs": "associates",
    "dept": "department",
    "univ": "university",
    "uni": "university",
    "mgmt": "management",
    "mngt": "management",
    "svcs": "services",
    "servs": "services",
    "grp": "group",
    "hldgs": "holdings",
    "hldg": "holdings",
    "holding": "holdings",
    "engg": "engineering",
    "eng": "engineering",
    "ctr": "centre",
    "cntr": "centre",
    "center": "centre",
    "natl": "national",
    "mfg": "manufacturing",
    "bldrs": "builders",
    "contrs": "contractors",
    "elec": "electrical",
    "maint": "maintenance",
    "props": "properties",
    "sols": "solutions",
    "govt": "government",
    "assocn": "association",
    "centres": "centres",
    "organization": "organisation",
}

# Words that make a bracket a "region" to drop: "(North West)", "(UK)", "(Lancs)".
_PLACE_WORDS = frozenset(
    {
        "uk", "gb", "england", "scotland", "wales", "cymru", "ireland", "britain", "great",
        "north", "south", "east", "west", "northern", "southern", "eastern", "western",
        "central", "mid", "midlands", "nw", "ne", "sw", "se", "ni", "europe", "international",
        "london", "lancashire", "lancs", "yorkshire", "cumbria", "merseyside", "manchester",
        "greater", "preston", "blackburn", "blackpool", "burnley", "and", "the", "of", "region",
        "regional", "division", "branch", "area", "county", "city",
    }
)  # fmt: skip

_TRADING_AS = re.compile(
    r"(?:^|(?<=[\s,(]))(?:t\s*/\s*as?|t\.\s*a\.?|trading\s+as)(?=[\s:,)]|$)", re.IGNORECASE
)
_BRACKET = re.compile(r"[(\[{]([^()\[\]{}]*)[)\]}]")
_COOPERATIVE = re.compile(r"\bco\s*-?\s*op(?:erative)?\b")
_APOSTROPHES = re.compile(r"['’`´]")
# A run of anything that is not a letter or digit: one space per run, then split.
_NOT_WORD = re.compile(r"[\W_]+")


def _fold(raw: str) -> str:
    """Fold unicode compatibility forms, accents and case: ``"Café LTD"`` → ``"cafe ltd"``."""
    if raw.isascii():
        # ASCII has no compatibility forms or accents, and casefold() is lower() on it.
        return raw.lower()
    text = unicodedata.normalize("NFKC", raw).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def split_trading_name(raw: str) -> tuple[str, str | None]:
    """Split ``"ACME LTD t/a Acme Roofing"`` into the legal part and the trading name.

    Parameters
    ----------
    raw
        A supplier name as it appears in a ledger or register.

    Returns
    -------
    tuple[str, str | None]
        The text before "t/a" / "t/as" / "trading as" and the text after it (``None`` when the
        name has no trading name). Both parts are stripped but otherwise as given.
    """
    # Each spelling _TRADING_AS matches has a "/", a "." or "trad" (the regex folds no other
    # character to t, r, a or d); most names have none.
    could_match = "/" in raw or "." in raw or "trad" in raw.lower()
    found = _TRADING_AS.search(raw) if could_match else None
    if found is None:
        return raw.strip(), None
    legal = raw[: found.start()].strip(" ,-(")
    trading = raw[found.end() :].strip(" ,-):")
    return legal, trading or None


def _drop_region_brackets(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        words = _NOT_WORD.sub(" ", match.group(1)).split()
        if not words:
            return " "
        if all(word in _PLACE_WORDS for word in words):
            return " "
        if len(words) == 1 and len(words[0]) <= 3 and words[0].isalpha():
            return " "
        return f" {match.group(1)} "

    if "(" not in text and "[" not in text and "{" not in text:
        return text  # most names: no bracket, nothing to scan twice
    previous = None
    while previous != text:
        previous, text = text, _BRACKET.sub(replace, text)
    return text


def _tokens(folded: str) -> list[str]:
    text = _drop_region_brackets(folded)
    text = text.replace("&", " and ").replace("+", " and ")
    if "op" in text:  # every spelling _COOPERATIVE matches has it
        text = _COOPERATIVE.sub(" cooperative ", text)
    text = _APOSTROPHES.sub("", text)
    text = _NOT_WORD.sub(" ", text)
    return _join_single_letters(text.split())


def _join_single_letters(tokens: list[str]) -> list[str]:
    if not any(len(token) == 1 and token.isalpha() for token in tokens):
        return tokens  # most names: nothing to join
    joined: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            joined.append("".join(run))
            run = []
        if token:
            joined.append(token)
    return joined


def _strip_legal_forms(tokens: list[str]) -> tuple[list[str], str | None]:
    """Remove legal forms (and "the") from the end, and "the" from the start; return the first
    legal form found from the end (the one that says what the entity is)."""
    found: str | None = None
    changed = True
    while changed and tokens:
        changed = False
        if tokens[-1] == "the":
            tokens = tokens[:-1]
            changed = True
            continue
        for form in _LEGAL_FORMS_BY_LAST_WORD.get(tokens[-1], ()):
            size = len(form)
            if len(tokens) >= size and tuple(tokens[-size:]) == form:
                tokens = tokens[:-size]
                if found is None:
                    found = LEGAL_FORMS[form]
                changed = True
                break
        if tokens and tokens[0] == "the":
            tokens = tokens[1:]
            changed = True
    return tokens, found


def _normalise_part(raw: str) -> tuple[str, str | None]:
    tokens = [ABBREVIATIONS.get(token, token) for token in _tokens(_fold(raw))]
    tokens, form = _strip_legal_forms(tokens)
    return " ".join(tokens), form


def normalise_name(raw: str) -> str:
    """Normalise a supplier name to the key used for grouping and matching.

    Parameters
    ----------
    raw
        A supplier name as written in a ledger or a register.

    Returns
    -------
    str
        Lower-case words separated by single spaces, with legal forms, bracketed regions,
        punctuation and any trading name removed; ``""`` when nothing is left (a name of only
        punctuation or legal forms). Idempotent: ``normalise_name(normalise_name(x)) ==
        normalise_name(x)``.

    Examples
    --------
    >>> normalise_name("ACME (NW) LTD t/a Acme Roofing")
    'acme'
    >>> normalise_name("Smith & Sons (Builders) Limited")
    'smith and sons builders'
    """
    legal, _trading = split_trading_name(raw)
    normalised, _form = _normalise_part(legal)
    return normalised


def name_variants(raw: str) -> tuple[str, ...]:
    """Every normalised name a supplier may be known by: the legal name, then its trading name.

    Parameters
    ----------
    raw
        A supplier name, possibly with "t/a" or "trading as".

    Returns
    -------
    tuple[str, ...]
        Distinct, non-empty normalised names, legal name first. Empty when the name has no words.

    Examples
    --------
    >>> name_variants("J Bloggs t/a Bloggs Plumbing")
    ('j bloggs', 'bloggs plumbing')
    """
    legal, trading = split_trading_name(raw)
    variants: list[str] = []
    for part in (legal, trading):
        if part is None:
            continue
        normalised, _form = _normalise_part(part)
        if normalised and normalised not in variants:
            variants.append(normalised)
    return tuple(variants)


def legal_form(raw: str) -> str | None:
    """The legal form a name ends with, as a short code, or ``None`` when it has none.

    Parameters
    ----------
    raw
        A supplier name. A trading name ("t/a …") is ignored: the form is the legal entity's.

    Returns
    -------
    str | None
        One of ``"ltd"`` (Ltd, Limited, Cyf, Cyfyngedig), ``"plc"`` (PLC, CCC), ``"llp"``,
        ``"lp"``, ``"cic"`` (CIC, Community Interest Company, CBC), ``"cio"`` (CIO, SCE),
        ``"scio"``, ``"coop"`` (Co-operative), ``"cbs"`` (community benefit society), ``"ips"``,
        ``"inc"``, ``"llc"``, ``"gmbh"``; ``None`` when the name ends in none of these.

    Examples
    --------
    >>> legal_form("Preston Community Transport CIC")
    'cic'
    >>> legal_form("Cwmni Da Cyf")
    'ltd'
    """
    legal, _trading = split_trading_name(raw)
    _normalised, form = _normalise_part(legal)
    return form
