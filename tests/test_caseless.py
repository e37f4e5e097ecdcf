"""newsweave.caseless: case-insensitive patterns as case-sensitive twins over lower()."""

from __future__ import annotations

import re

import pytest

from newsweave.caseless import ODD_FOLDS, Caseless, finditer, lowered, search, twin


def test_the_caseless_odd_characters_are_those_re_matches_with_an_ascii_letter():
    """A twin (and time's _Trigger, which looks up (?i:...) words in the text's lower()) is
    exact only where no other character matches an ASCII letter case-insensitively than
    the ones listed."""
    every = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000)
    letters = "abcdefghijklmnopqrstuvwxyz"
    found = {ch for letter in letters for ch in re.findall(f"(?i){letter}", every)}
    assert found == set(ODD_FOLDS)
    # and lower() maps no other character onto an ASCII letter
    assert not [ch for ch in every if ch not in found and any(c.isascii() for c in ch.lower())]


def test_a_pattern_whose_case_matters_otherwise_has_no_twin():
    for source in (r"[0-_]x", r"\x41b", r"(a)\1", r"ſun", r"[^-z]", r"[A-Z]day"):
        assert twin(re.compile(source, re.I)) is None, source
    assert twin(re.compile(r"[a-z0-9]+ days?[\s-]", re.I)) is not None


def test_caseless_refuses_a_pattern_without_a_twin() -> None:
    with pytest.raises(ValueError, match="lowercase"):
        Caseless(r"\bUpdated\b")
    with pytest.raises(ValueError, match="lowercase"):
        Caseless(r"\bupdated\b", cues=("Updated",))
    with pytest.raises(ValueError, match="lowercase"):
        Caseless(r"[0-_]x")
    assert Caseless(r"(?P<rest>\S+)\s\b").found("A B")  # escapes and group names are fine


def test_a_twin_finds_the_pattern_s_own_matches_and_falls_back_off_ascii() -> None:
    """finditer and search give the pattern's matches (groups read the text itself) on
    ASCII text in any case, and go to the pattern itself on text a twin may not read
    (lowered() is None there); an explicit twin is used as given."""
    pattern = re.compile(r"\b(?P<n>\d+) (?P<unit>days?|weeks?) (ago|later)\b", re.I)
    assert twin(pattern) is not None
    texts = ["3 Days AGO and 2 weeks later", "1 DAY Later; 10 weeks ago.", "ſ 4 days ago", "none"]
    for text in texts:
        low = lowered(text)
        assert (low is None) == (not text.isascii())
        want = [(m.span(), m.groups(), m.string) for m in pattern.finditer(text)]
        assert [(m.span(), m.groups(), m.string) for m in finditer(pattern, text, low)] == want
        first = search(pattern, text, low)
        assert (first and first.span()) == (want[0][0] if want else None)
    # a hand-written twin for a pattern with uppercase letters ("US$")
    money = re.compile(r"(?:US\$|\$)\s?(?P<n>\d+)", re.I)
    assert twin(money) is None
    given = re.compile(r"(?:us\$|\$)\s?(?P<n>\d+)")
    for text in ("US$ 5 and $6, us$7", "Us$ 8"):
        want = [(m.span(), m.group("n")) for m in money.finditer(text)]
        got = finditer(money, text, lowered(text), with_twin=given)
        assert [(m.span(), m.group("n")) for m in got] == want
