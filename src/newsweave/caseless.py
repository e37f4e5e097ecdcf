"""Case-insensitive patterns run case-sensitively over a text's ``lower()``.

Python's :mod:`re` folds case letter by letter at every position a case-insensitive pattern
is tried; on the rules of the time and claims stages that is about a third of their regex
CPU. For a pattern whose letters are all lowercase the same pattern compiled
case-sensitively (its *twin*) matches in an ASCII text's ``lower()`` exactly where the
pattern matches in the text, with the same spans and the same groups' spans: ASCII
lowering changes only A-Z and keeps every offset (``\\b``, ``^``, ``$`` and lookarounds see
the same characters), and case-insensitive matching folds an ASCII letter only to its other
ASCII case. Text with any other character goes to the pattern itself: there
:data:`ODD_FOLDS` match ASCII letters.

One way to use it everywhere: :func:`finditer` and :func:`search` (each match taken again
from the text itself, so groups read the original) and :class:`Caseless` for a pattern
asked only *whether* it occurs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

#: The characters other than ASCII letters that an ASCII letter matches case-insensitively
#: (``İ ı ſ K``; tests/test_caseless.py checks the list against :mod:`re`).
ODD_FOLDS = "\u0130\u0131\u017f\u212a"

#: Escapes that may stand for an uppercase letter (``\x41``) or a group's text (``\1``).
_RISKY_ESCAPE = re.compile(r"\\(?:[xuUN]|\d)")


def _ranges_lowercase(src: str) -> bool:
    """Whether every range in a character class of ``src`` runs between two lowercase
    letters or two digits (a range such as ``[0-_]`` holds uppercase letters unwritten)."""
    in_class = False
    i = 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if not in_class:
            in_class = c == "["
            if in_class and src.startswith("^", i + 1):
                i += 1
            if in_class and src.startswith("]", i + 1):
                i += 1
        elif c == "]":
            in_class = False
        elif c == "-" and src[i - 1] != "[" and src[i + 1 : i + 2] not in ("]", ""):
            lo, hi = src[i - 1], src[i + 1]
            if src[i - 2 : i - 1] == "\\" or not (
                (lo.islower() and hi.islower() and lo.isascii() and hi.isascii())
                or (lo.isdigit() and hi.isdigit())
            ):
                return False
        i += 1
    return True


def _twin_source(src: str) -> bool:
    """Whether a case-insensitive pattern written as ``src`` (without a leading ``(?i)``)
    may run as a case-sensitive twin: no uppercase letter, written or in a range or code,
    no letter that folds onto an ASCII one (ſ matches s and S), no part turning case
    back on or off."""
    return not (
        "-i" in src
        or "(?i)" in src
        or re.search(r"[A-Z]", re.sub(r"\\.|\(\?P[<=]", "", src))  # escapes (\\S) aside
        or _RISKY_ESCAPE.search(src)
        or not _ranges_lowercase(src)
        or any(c in src for c in ODD_FOLDS)
    )


@lru_cache(maxsize=512)
def twin(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """The case-sensitive twin of a case-insensitive ``pattern`` whose letters are all
    lowercase, or None for any other pattern (case-sensitive, or one where case matters
    otherwise: the conditions of :func:`_twin_source`)."""
    if not pattern.flags & re.IGNORECASE:
        return None
    src = pattern.pattern
    if src.startswith("(?i)"):
        src = src[4:]
    if not _twin_source(src):
        return None
    found = re.compile(src, pattern.flags & ~re.IGNORECASE)
    return None if found.flags & re.IGNORECASE else found


def lowered(text: str) -> str | None:
    """``text.lower()`` where a twin may search it (ASCII text), else None."""
    return text.lower() if text.isascii() else None


def finditer(
    pattern: re.Pattern[str],
    text: str,
    low: str | None,
    *,
    with_twin: re.Pattern[str] | None = None,
) -> Iterable[re.Match[str]]:
    """``pattern.finditer(text)``, found by its twin (``with_twin``, else :func:`twin`) in
    ``low`` (:func:`lowered` of ``text``) where there is one. Each of the twin's matches is
    taken again from ``text`` by ``pattern.match`` at its start (one attempt), so the groups
    read the original text; a match that would not give the same span (never, by the
    argument of the module) sends the whole text to ``pattern.finditer``."""
    found = None if low is None else (with_twin or twin(pattern))
    if found is None:
        return pattern.finditer(text)
    out: list[re.Match[str]] = []
    for m_low in found.finditer(low):
        m = pattern.match(text, m_low.start())
        if m is None or m.end() != m_low.end():
            return pattern.finditer(text)
        out.append(m)
    return out


def search(pattern: re.Pattern[str], text: str, low: str | None) -> re.Match[str] | None:
    """``pattern.search(text)``, found by its twin in ``low`` (:func:`lowered` of ``text``)
    where there is one and taken again from ``text`` at the twin's start."""
    found = None if low is None else twin(pattern)
    if found is None:
        return pattern.search(text)
    m_low = found.search(low)
    if m_low is None:
        return None
    m = pattern.match(text, m_low.start())
    if m is None or m.end() != m_low.end():
        return pattern.search(text)
    return m


class Caseless:
    """A case-insensitive pattern asked only *whether* it occurs: on ASCII text its twin is
    searched in ``text.lower()``, on any other text the pattern itself (about a third of
    the CPU on the claims rules' statements, EgyptianProtest_cnn)."""

    __slots__ = ("pattern", "_lowered", "_cues")

    def __init__(self, source: str, cues: Sequence[str] = ()) -> None:
        """``cues``: lowercase words one of which every match of the pattern holds, when
        there are such (the lowered text is searched only when one is in it; a plain
        substring test costs far less than trying the pattern at every position)."""
        if any(c != c.lower() or not c for c in cues):
            raise ValueError(f"Caseless cues are non-empty lowercase words, not {cues!r}")
        self.pattern = re.compile(source, re.IGNORECASE)
        found = twin(self.pattern)
        if found is None:
            raise ValueError(
                "Caseless takes a pattern whose letters are all lowercase (escapes such as "
                f"\\S aside) and whose case matters nowhere else, not {source[:60]!r}"
            )
        self._lowered = found
        self._cues = tuple(cues)

    def found(self, text: str) -> bool:
        """Whether ``self.pattern.search(text)`` finds a match."""
        if text.isascii():
            low = text.lower()
            if self._cues and not any(c in low for c in self._cues):
                return False
            return self._lowered.search(low) is not None
        return self.pattern.search(text) is not None


__all__ = ["ODD_FOLDS", "Caseless", "finditer", "lowered", "search", "twin"]
