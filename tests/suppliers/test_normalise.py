"""Tests for supplier name normalisation: each rule, then properties over arbitrary text."""

from __future__ import annotations

import re
import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from socialvalue.suppliers.normalise import (
    _APOSTROPHES,
    _BRACKET,
    _COOPERATIVE,
    _PLACE_WORDS,
    _TRADING_AS,
    ABBREVIATIONS,
    LEGAL_FORMS,
    _fold,
    _strip_legal_forms,
    _tokens,
    legal_form,
    name_variants,
    normalise_name,
    split_trading_name,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ACME LTD", "acme"),
        ("Acme Limited", "acme"),
        ("acme ltd.", "acme"),
        ("  ACME   LIMITED  ", "acme"),
        ("Acme PLC", "acme"),
        ("Acme Public Limited Company", "acme"),
        ("Acme LLP", "acme"),
        ("Acme Limited Liability Partnership", "acme"),
        ("Acme CIC", "acme"),
        ("Acme Community Interest Company", "acme"),
        ("Acme CIO", "acme"),
        ("Acme Charitable Incorporated Organisation", "acme"),
        ("Acme Co-operative", "acme"),
        ("Acme Co-op Limited", "acme"),
        ("Acme Cyf", "acme"),
        ("Acme Cyfyngedig", "acme"),
        ("Acme CCC", "acme"),
        ("Acme Cwmni Buddiant Cymunedol", "acme"),
    ],
)
def test_it_removes_legal_forms(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Smith & Jones Ltd", "smith and jones"),
        ("Smith and Jones Limited", "smith and jones"),
        ("Smith + Jones", "smith and jones"),
        ("O'Brien's Plumbing", "obriens plumbing"),
        ("A.B.C. Ltd", "abc"),
        ("A B C LIMITED", "abc"),
        ("Acme-Roofing (Holdings) Ltd", "acme roofing holdings"),
        ("Café Nero", "cafe nero"),
        ("The Acme Group", "acme group"),
        ("ACME GROUP, THE", "acme group"),
        ('"""RED BAND"" CHEMICAL COMPANY, LIMITED', "red band chemical co"),
    ],
)
def test_it_folds_case_punctuation_and_ampersands(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "ACME (NW) LTD",
        "Acme (North West) Limited",
        "ACME (UK) LTD",
        "Acme Ltd (Lancashire)",
        "Acme",
    ],
)
def test_it_drops_bracketed_regions(raw: str) -> None:
    assert normalise_name(raw) == "acme"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Smith & Co", "smith and co"),
        ("Smith and Company Limited", "smith and co"),
        ("Acme Intl Grp", "acme international group"),
        ("Acme Hldgs", "acme holdings"),
        ("Acme Bros", "acme brothers"),
    ],
)
def test_it_spells_common_abbreviations_one_way(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "legal", "trading"),
    [
        ("ACME (NW) LTD t/a Acme Roofing", "ACME (NW) LTD", "Acme Roofing"),
        ("J Bloggs T/As Bloggs Plumbing", "J Bloggs", "Bloggs Plumbing"),
        ("J Bloggs trading as Bloggs Plumbing", "J Bloggs", "Bloggs Plumbing"),
        ("J Bloggs (t/a Bloggs Plumbing)", "J Bloggs", "Bloggs Plumbing"),
        ("Stata Tata Ltd", "Stata Tata Ltd", None),
    ],
)
def test_it_splits_trading_names(raw: str, legal: str, trading: str | None) -> None:
    assert split_trading_name(raw) == (legal, trading)


def test_it_keeps_the_legal_entity_as_the_key_and_the_trading_name_as_a_variant() -> None:
    assert normalise_name("ACME (NW) LTD t/a Acme Roofing") == "acme"
    assert name_variants("ACME (NW) LTD t/a Acme Roofing") == ("acme", "acme roofing")


@pytest.mark.parametrize("raw", ["", "   ", "!", "!?", "---", "(…)", "LTD", "! LIMITED", "The"])
def test_it_gives_empty_keys_for_names_without_words(raw: str) -> None:
    assert normalise_name(raw) == ""
    assert name_variants(raw) == ()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acme Ltd", "ltd"),
        ("Acme Limited", "ltd"),
        ("Cwmni Da Cyf", "ltd"),
        ("Acme PLC", "plc"),
        ("Acme CCC", "plc"),
        ("Acme LLP", "llp"),
        ("Acme CIC", "cic"),
        ("Acme Community Interest Company", "cic"),
        ("Acme CIO", "cio"),
        ("Midcounties Co-operative", "coop"),
        ("Acme Roofing", None),
        ("J Bloggs t/a Bloggs Ltd", None),
    ],
)
def test_it_reads_the_legal_form(raw: str, expected: str | None) -> None:
    assert legal_form(raw) == expected


@given(st.text())
def test_it_never_raises_and_is_idempotent(raw: str) -> None:
    once = normalise_name(raw)
    assert normalise_name(once) == once
    assert once == once.strip()
    assert "  " not in once


_ascii_words = st.lists(
    st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=8),
    min_size=1,
    max_size=5,
)


@given(_ascii_words)
def test_it_ignores_case(words: list[str]) -> None:
    raw = " ".join(words)
    assert normalise_name(raw.upper()) == normalise_name(raw.lower()) == normalise_name(raw)


@given(_ascii_words, st.sampled_from([",", ".", ";", "!", "?", '"', "*", "/", ":"]))
def test_it_ignores_punctuation_between_and_around_words(words: list[str], mark: str) -> None:
    plain = " ".join(words)
    punctuated = " ".join(f"{mark}{word}{mark}" for word in words)
    assert normalise_name(punctuated) == normalise_name(plain)


# --- the indexed legal-form stripping and the ASCII fold against the plain implementations ---


def _reference_strip_legal_forms(tokens: list[str]) -> tuple[list[str], str | None]:
    """The implementation before forms were indexed by last word: every form on every pass."""
    longest_first = sorted(LEGAL_FORMS, key=len, reverse=True)
    found: str | None = None
    changed = True
    while changed and tokens:
        changed = False
        if tokens[-1] == "the":
            tokens = tokens[:-1]
            changed = True
            continue
        for form in longest_first:
            if len(tokens) >= len(form) and tuple(tokens[-len(form) :]) == form:
                tokens = tokens[: -len(form)]
                if found is None:
                    found = LEGAL_FORMS[form]
                changed = True
                break
        if tokens and tokens[0] == "the":
            tokens = tokens[1:]
            changed = True
    return tokens, found


def _reference_fold(raw: str) -> str:
    """The fold without the ASCII shortcut."""
    text = unicodedata.normalize("NFKC", raw).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Words from the legal forms (so names end in whole forms, parts of forms and mixtures), "the",
# and ordinary words.
_form_words = sorted({word for form in LEGAL_FORMS for word in form})
_token_lists = st.lists(
    st.one_of(
        st.sampled_from([*_form_words, "the", "acme", "co", "society", "partnership"]),
        st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=6),
    ),
    max_size=10,
)


@given(_token_lists)
def test_strip_legal_forms_matches_the_reference(tokens: list[str]) -> None:
    assert _strip_legal_forms(list(tokens)) == _reference_strip_legal_forms(list(tokens))


@given(_token_lists.map(" ".join), st.sampled_from(["", " LTD", " Limited", "(NW) Co-op", "."]))
def test_normalise_name_matches_the_reference_on_legal_form_names(name: str, tail: str) -> None:
    tokens = [ABBREVIATIONS.get(token, token) for token in _tokens(_reference_fold(name + tail))]
    expected, form = _reference_strip_legal_forms(tokens)
    assert normalise_name(name + tail) == " ".join(expected)
    assert legal_form(name + tail) == form


@given(st.one_of(st.text(), st.text(alphabet=string.printable)))
def test_fold_matches_the_reference(raw: str) -> None:
    assert _fold(raw) == _reference_fold(raw)


def _reference_tokens(folded: str) -> list[str]:
    """The words of a folded name without the shortcuts (every regex run on every name, one
    space per non-word character, the single-letter loop always walked)."""
    previous, text = None, folded
    while previous != text:
        previous, text = text, _BRACKET.sub(_region_bracket_replacement, text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _COOPERATIVE.sub(" cooperative ", text)
    text = re.sub(r"[^\w]|_", " ", _APOSTROPHES.sub("", text))
    joined: list[str] = []
    run: list[str] = []
    for token in [*text.split(), ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            joined.append("".join(run))
            run = []
        if token:
            joined.append(token)
    return joined


def _region_bracket_replacement(match: re.Match[str]) -> str:
    words = re.sub(r"[^\w]|_", " ", match.group(1)).split()
    if not words or all(word in _PLACE_WORDS for word in words):
        return " "
    if len(words) == 1 and len(words[0]) <= 3 and words[0].isalpha():
        return " "
    return f" {match.group(1)} "


# Pieces that reach every shortcut: brackets, co-op spellings, apostrophes, single letters, and
# each spelling of "trading as" (including the dotted and dotless i the regex folds to "i").
_name_pieces = st.lists(
    st.sampled_from([
        "acme", "A", "b", "C.", "co", "op", "Co-Op", "co operative", "(NW)", "[uk]", "{x}",
        "(Holdings)", "(", ")", "&", "+", "'", "’", "`", "´", "_", "-", "/", ".", " ", "t/a",
        "T / AS", "t.a.", "trading as", "TRADİNG AS", "tradıng as", "ltd", "é", "ß", "ǅ",
    ]),
    max_size=10,
)


@given(st.one_of(_name_pieces.map("".join), _name_pieces.map(" ".join), st.text(max_size=30)))
def test_the_shortcuts_give_the_reference_words_and_trading_names(raw: str) -> None:
    assert _tokens(_fold(raw)) == _reference_tokens(_fold(raw))
    found = _TRADING_AS.search(raw)
    expected = (raw.strip(), None) if found is None else (
        raw[: found.start()].strip(" ,-("), raw[found.end() :].strip(" ,-):") or None
    )
    assert split_trading_name(raw) == expected


@pytest.mark.parametrize("raw", ["J Bloggs TRADİNG AS Foo", "J Bloggs tradıng as Foo"])
def test_it_splits_trading_as_written_with_a_dotted_or_dotless_i(raw: str) -> None:
    assert name_variants(raw) == ("j bloggs", "foo")
