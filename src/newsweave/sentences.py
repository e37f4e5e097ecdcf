"""Sentence splitting with character offsets into the cleaned article text.

pysbd (rule-based) handles abbreviations such as "U.S.", "Gen." and "Dr."; we split each
paragraph separately so a sentence never spans a blank line, and map every sentence back to
exact ``[start, end)`` offsets in ``Article.text``.

Why it is fast (it was a fifth of the whole pipeline's CPU time):

* **pysbd's processor, not its segmenter.** ``Segmenter.segment`` finds each sentence again in
  the text with a regular expression built from that sentence (``re.escape(sent) + r"\\s*"``):
  one new pattern per sentence, searched from the start of the text. We take the processor's
  sentences and find them with ``str.find`` from a running cursor, keeping the segmenter's
  rule that a sentence not present verbatim in the text is dropped. Same spans (tested on the
  seeds, Timeline17 and ECB+ against ``Segmenter.segment``), about 1.6× less work.
* **pysbd's patterns are compiled once.** pysbd calls ``re.sub``/``re.findall`` with patterns
  formatted per abbreviation; together they are more than ``re``'s 512-entry compile cache,
  so the cache thrashed (tens of thousands of recompiles per few hundred articles). pysbd's
  modules get a ``re`` of their own whose compile cache is large enough (:class:`_CachedRe`);
  nothing else in the process is affected.
* **pysbd's abbreviation loop, cheaper.** Per line it tries each of its ~250 abbreviations;
  :class:`_AbbreviationReplacer` compiles their patterns once, skips a replacement that
  cannot match (11 % less splitting CPU) and does not look for an abbreviation a line never
  writes with its period (24 % less again); the same pieces on all 4,202 Timeline17 and
  ECB+ articles.
* **Once per article.** The pipeline's ``sentences`` step splits each article once and
  stores the spans (``store.nlp.sentence_spans``); copies, time and claims read them from
  there (:func:`sentences_from_spans`, :func:`remember`). Outside the pipeline,
  :func:`article_spans` keeps the spans of recently split texts (bounded, keyed by the text
  itself), so callers in one process share one split of each article.
"""

from __future__ import annotations

import re
import re._constants as _re_constants
import re._parser as _re_parser
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import lru_cache
from threading import Lock
from typing import ClassVar

import pysbd

from newsweave.records import Article, Sentence

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")

#: Enough for every pattern pysbd formats (its abbreviation list times a few templates).
_PYSBD_PATTERN_CACHE = 8192


@lru_cache(maxsize=_PYSBD_PATTERN_CACHE)
def _compiled(
    pattern: str | re.Pattern[str], flags: int = 0
) -> tuple[re.Pattern[str], frozenset[str] | None]:
    """``pattern`` compiled, with the characters one of which every string it matches in
    holds (:func:`required_chars`; None: no such short list)."""
    compiled = re.compile(pattern, flags)
    return compiled, required_chars(compiled)


#: At most this many characters in a :func:`required_chars` answer (each costs a scan).
_REQUIRED_MAX = 8


def required_chars(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters one of which occurs in every string ``pattern`` finds a match in, or None.

    Read from the parsed pattern: a literal character must occur; an alternation needs one
    of its branches' characters; a group, a repetition of at least once and a lookaround
    (what it looks at is in the string too) need what their content needs; a sequence needs
    what its most selective item needs. Anything else (classes other than a few literals,
    categories, anchors, negative lookarounds, back-references) needs nothing known. Under
    IGNORECASE only characters without case count (a cased one matches its other cases).
    A string holding none of the characters has no match: ``re.sub`` gives it back as is,
    ``search`` None, ``findall`` nothing."""
    try:
        parsed = _re_parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # noqa: BLE001 - bytes, or a pattern this reading does not know
        return None
    flags = parsed.state.flags
    if flags & re.LOCALE:
        return None
    return _needs(parsed, bool(flags & re.IGNORECASE))


def _uncased(c: str) -> bool:
    return c.lower() == c and c.upper() == c


def _needs(items, icase: bool) -> frozenset[str] | None:  # type: ignore[no-untyped-def]
    best: frozenset[str] | None = None
    for op, av in items:
        got = _needs_item(op, av, icase)
        if got is not None and (best is None or len(got) < len(best)):
            best = got
    return best


def _needs_item(op, av, icase: bool) -> frozenset[str] | None:  # type: ignore[no-untyped-def]
    c = _re_constants
    if op is c.LITERAL:
        ch = chr(av)
        return frozenset(ch) if not icase or _uncased(ch) else None
    if op is c.IN:
        chars: set[str] = set()
        for item_op, item_av in av:
            if item_op is c.LITERAL:
                chars.add(chr(item_av))
            elif item_op is c.RANGE and item_av[1] - item_av[0] < _REQUIRED_MAX:
                chars.update(chr(x) for x in range(item_av[0], item_av[1] + 1))
            else:
                return None
        if len(chars) > _REQUIRED_MAX or (icase and not all(map(_uncased, chars))):
            return None
        return frozenset(chars)
    if op is c.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            got = _needs(branch, icase)
            if got is None:
                return None
            union |= got
        return frozenset(union) if len(union) <= _REQUIRED_MAX else None
    if op is c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        sub_icase = (icase or bool(add_flags & re.IGNORECASE)) and not del_flags & re.IGNORECASE
        return _needs(sub, sub_icase)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        return _needs(av[2], icase) if av[0] >= 1 else None
    if op is c.ASSERT:
        return _needs(av[1], icase)
    if op is c.ATOMIC_GROUP:
        return _needs(av, icase)
    return None


def _absent(needs: frozenset[str] | None, string: str) -> bool:
    """True when ``string`` holds none of the ``needs`` characters (so no match)."""
    if needs is None:
        return False
    return all(ch not in string for ch in needs)


class _CachedRe:
    """The part of :mod:`re` pysbd uses, over a compile cache that does not thrash, and
    that skips a pattern over a string holding none of the characters it needs
    (:func:`required_chars`): most of pysbd's ~160 rules run on every line of every
    paragraph, and most lines lack the ``∯``, quote, bracket or period they look for."""

    escape = staticmethod(re.escape)
    IGNORECASE = re.IGNORECASE

    def __getattr__(self, name: str) -> object:  # anything else pysbd may use
        return getattr(re, name)

    @staticmethod
    def sub(pattern, repl, string, count=0, flags=0):  # type: ignore[no-untyped-def]
        compiled, needs = _compiled(pattern, flags)
        if _absent(needs, string):
            return string if type(string) is str else str(string)  # what re.sub returns
        return compiled.sub(repl, string, count)

    @staticmethod
    def findall(pattern, string, flags=0):  # type: ignore[no-untyped-def]
        compiled, needs = _compiled(pattern, flags)
        if _absent(needs, string):
            return []
        if type(pattern) is str and not flags:
            gate = _LIST_GATES.get(pattern)
            if gate is not None and not gate(string):
                return []
            compiled = _LIST_EQUIVALENTS.get(pattern, compiled)
        return compiled.findall(string)

    @staticmethod
    def finditer(pattern, string, flags=0):  # type: ignore[no-untyped-def]
        return _compiled(pattern, flags)[0].finditer(string)

    @staticmethod
    def search(pattern, string, flags=0):  # type: ignore[no-untyped-def]
        compiled, needs = _compiled(pattern, flags)
        if _absent(needs, string):
            return None
        return compiled.search(string)

    @staticmethod
    def match(pattern, string, flags=0):  # type: ignore[no-untyped-def]
        compiled, needs = _compiled(pattern, flags)
        if _absent(needs, string):
            return None
        return compiled.match(string)

    @staticmethod
    def split(pattern, string, maxsplit=0, flags=0):  # type: ignore[no-untyped-def]
        return _compiled(pattern, flags)[0].split(string, maxsplit)


def _list_gates() -> dict[str, Callable[[str], bool]]:
    """For pysbd's list-item patterns, a test that is false only where the pattern has no
    match (so its ``findall`` is ``[]``). pysbd searches every paragraph for numbered and
    lettered lists with patterns of 3 to 12 alternatives, each opening with a lookbehind,
    so they are tried at every position: a quarter of all splitting CPU on Timeline17 and
    ECB+, where 1 paragraph in 8 (numbered) to 1 in 3 (lettered) can hold a match. Each
    test searches for the character every match ends on (a pattern that starts with a
    literal is searched for it) and looks back from there:

    * a numbered item (``NUMBERED_LIST_REGEX_1``) is one or two digits followed by ``.``
      and whitespace or ``)``, after whitespace, ``-``, ``⁃`` or at the text's start;
    * a lettered item with a period (``ALPHABETICAL_LIST_WITH_PERIODS``) is one letter a-z
      followed by ``.``, after whitespace or at the start;
    * a lettered item in parentheses (``ALPHABETICAL_LIST_WITH_PARENS``) is letters a-z
      followed by ``)``.

    Keyed by pysbd's own pattern text: a pattern pysbd changes gets no test."""
    from pysbd.lists_item_replacer import ListItemReplacer as Lists

    numbered = re.compile(r"\.(?=[\s)])(?:(?<=[\s\-⁃]\d\.)|(?<=[\s\-⁃]\d\d\.))")
    numbered_first = re.compile(r"\d{1,2}\.[\s)]")
    lettered = re.compile(r"\.(?<=\s[a-z]\.)")
    lettered_first = re.compile(r"[a-z]\.")
    parens = re.compile(r"\)(?<=[a-z]\))")
    return {
        Lists.NUMBERED_LIST_REGEX_1: lambda text: bool(
            numbered.search(text) or numbered_first.match(text)
        ),
        Lists.ALPHABETICAL_LIST_WITH_PERIODS: lambda text: bool(
            lettered.search(text) or lettered_first.match(text)
        ),
        Lists.ALPHABETICAL_LIST_WITH_PARENS: lambda text: parens.search(text) is not None,
    }


_LIST_GATES: dict[str, Callable[[str], bool]] = {}


def _list_equivalents() -> dict[str, re.Pattern[str]]:
    """pysbd's lettered-list patterns written with one branch: each of their branches
    matches the same letters (``[a-z]+`` before ``)``, ``[a-z]`` before ``.``) and they
    differ only in what may stand before them (``(``, whitespace, the text's start: ``^``
    and ``\\A`` are the same without MULTILINE), which one negative lookbehind says. So
    the same start positions match the same text and ``findall`` finds the same strings,
    about 2.5 times faster (one lookbehind tried per position instead of three or four)."""
    from pysbd.lists_item_replacer import ListItemReplacer as Lists

    return {
        Lists.ALPHABETICAL_LIST_WITH_PARENS: re.compile(r"(?<![^\s(])[a-z]+(?=\))"),
        Lists.ALPHABETICAL_LIST_WITH_PERIODS: re.compile(r"(?<!\S)[a-z](?=\.)"),
    }


_LIST_EQUIVALENTS: dict[str, re.Pattern[str]] = {}


_PYSBD_MODULES = (
    "pysbd.abbreviation_replacer",
    "pysbd.between_punctuation",
    "pysbd.exclamation_words",
    "pysbd.lists_item_replacer",
    "pysbd.processor",
    "pysbd.punctuation_replacer",
    "pysbd.utils",
)


_LITERAL = re.compile(r"[A-Za-z0-9]+")


class _AbbreviationReplacer:
    """pysbd's English abbreviation replacer with its per-line loop made cheaper, every
    decision and every replacement as pysbd makes them (mixed into the language's own class
    by :func:`_abbreviation_replacer`):

    * its two patterns per abbreviation are compiled once, and each abbreviation is
      stripped once, not on every line;
    * a replacement that cannot match is not run: each of pysbd's three replacements
      (``replace_period_of_abbr``, ``replace_prepositive_abbr``,
      ``replace_pre_number_abbr``) puts ``∯`` for a ``.`` that immediately follows the
      abbreviation as written, so without that text followed by ``.`` in the line the
      ``re.sub`` returns the line unchanged. It is skipped only where the abbreviation
      reads as literal text in pysbd's pattern (escaped, or letters and digits), else
      pysbd's own code runs. On Timeline17, 99 % of these calls changed nothing;
    * for the same reason an abbreviation of letters and digits is not looked for at all
      (pysbd's two ``findall`` per abbreviation and line) in an ASCII line that never
      writes it followed by ``.``: each match, lower-cased, is the abbreviation, and
      replacements only turn ``.`` into ``∯``, so none could change the line. Those
      abbreviations are found from the line's periods (the few letters before each), not
      by trying each of the ~190 in turn.
    """

    lang: type
    _table: tuple[
        tuple[str, bool, re.Pattern[str], re.Pattern[str], frozenset[str] | None], ...
    ] = ()

    #: Where each letters-and-digits abbreviation stands in :attr:`_table`, the longest
    #: of them, and the positions of the others (looked for in every line).
    _literal_at: ClassVar[dict[str, tuple[int, ...]]] = {}
    _literal_max: ClassVar[int] = 0
    _others_at: ClassVar[frozenset[int]] = frozenset()

    def _candidates(self, lowered: str) -> list[tuple]:  # type: ignore[type-arg]
        """The rows of :attr:`_table` an ASCII line can need, in table order: a
        letters-and-digits abbreviation only where the line writes it followed by ``.``
        (the text right before one of its periods), every other one as before."""
        rows = set(self._others_at)
        literal_at = self._literal_at
        longest = self._literal_max
        period = lowered.find(".")
        while period >= 0:
            for size in range(1, min(longest, period) + 1):
                at = literal_at.get(lowered[period - size : period])
                if at is not None:
                    rows.update(at)
            period = lowered.find(".", period + 1)
        table = self._table
        return [table[i] for i in sorted(rows)]

    def search_for_abbreviations_in_string(self, text: str) -> str:
        lowered = text.lower()
        ascii_line = text.isascii()
        rows = self._candidates(lowered) if ascii_line else self._table
        for stripped, literal, anywhere, next_word_start, next_needs in rows:
            if stripped not in lowered:
                continue
            if literal and ascii_line and stripped + "." not in lowered:
                continue
            abbrev_match = anywhere.findall(text)
            if not abbrev_match:
                continue
            char_array = [] if _absent(next_needs, text) else next_word_start.findall(text)
            for ind, match in enumerate(abbrev_match):
                text = self.scan_for_replacements(text, match, ind, char_array)
        return text

    def scan_for_replacements(self, txt: str, am: str, ind: int, char_array: list[str]) -> str:
        stripped = am.strip()
        if stripped + "." not in txt:
            low = stripped.lower()
            abbreviation = self.lang.Abbreviation
            if (
                low not in abbreviation.PREPOSITIVE_ABBREVIATIONS
                and low not in abbreviation.NUMBER_ABBREVIATIONS
            ) or _LITERAL.fullmatch(stripped):
                return txt
        return super().scan_for_replacements(txt, am, ind, char_array)  # type: ignore[misc]


@lru_cache(maxsize=4)
def _abbreviation_replacer(base: type, lang: type) -> type:
    """``base`` (the language's AbbreviationReplacer) with :class:`_AbbreviationReplacer`'s
    faster loop, its patterns compiled for ``lang``'s abbreviations."""
    table = []
    for abbr in lang.Abbreviation.ABBREVIATIONS:
        stripped = abbr.strip()
        next_word_start = re.compile(r"(?<={" + str(re.escape(stripped)) + "} ).{1}")
        table.append(
            (
                stripped,
                _LITERAL.fullmatch(stripped) is not None,
                re.compile(rf"(?:^|\s|\r|\n){stripped}", re.IGNORECASE),
                next_word_start,
                required_chars(next_word_start),
            )
        )
    literal_at: dict[str, tuple[int, ...]] = {}
    for i, row in enumerate(table):
        if row[1]:
            literal_at[row[0]] = (*literal_at.get(row[0], ()), i)
    others_at = frozenset(i for i, row in enumerate(table) if not row[1])
    attributes = {
        "_table": tuple(table),
        "_literal_at": literal_at,
        "_literal_max": max(map(len, literal_at), default=0),
        "_others_at": others_at,
    }
    return type("AbbreviationReplacer", (_AbbreviationReplacer, base), attributes)


def _processor(seg: pysbd.Segmenter, text: str):  # -> pysbd.processor.Processor
    """pysbd's processor for ``text`` with :class:`_AbbreviationReplacer`."""
    processor = seg.processor(text)
    lang = processor.lang
    base = getattr(lang, "AbbreviationReplacer", None)
    if base is not None:
        replacer = _abbreviation_replacer(base, lang)
        processor.abbreviations_replacer = lambda: replacer(processor.text, lang)
    return processor


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    import importlib

    cached = _CachedRe()
    for name in _PYSBD_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "re", None) is re:
            module.re = cached  # type: ignore[attr-defined]
    from pysbd.utils import Text

    Text.apply = _apply_rules  # type: ignore[method-assign]
    _LIST_GATES.update(_list_gates())
    _LIST_EQUIVALENTS.update(_list_equivalents())
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


_rule_patterns: dict[object, tuple[re.Pattern[str], frozenset[str] | None, object]] = {}


def _apply_rules(self: str, *rules: object) -> str:
    """pysbd's ``Text.apply`` (``re.sub`` of each rule in turn) with each rule's pattern
    and :func:`required_chars` looked up once per rule object, and a rule skipped over a
    text holding none of its characters. pysbd calls it thousands of times per article,
    mostly with rules that cannot match."""
    text = self
    for rule in rules:
        known = _rule_patterns.get(rule)
        if known is None:
            compiled, needs = _compiled(rule.pattern)  # type: ignore[attr-defined]
            known = _rule_patterns[rule] = (compiled, needs, rule.replacement)  # type: ignore[attr-defined]
        compiled, needs, replacement = known
        if needs is not None:
            for ch in needs:
                if ch in text:
                    break
            else:
                continue
        text = compiled.sub(replacement, text)  # type: ignore[arg-type]
    if rules and type(text) is not str:
        text = str(text)  # re.sub gives a str, whatever the subclass it was handed
    return text


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` offsets of the sentences of ``text``, stripped of outer whitespace."""
    spans: list[tuple[int, int]] = []
    seg = _segmenter()
    for para in _PARAGRAPH.finditer(text):
        base = para.start()
        chunk = para.group()
        cursor = 0
        for piece in _processor(seg, chunk).process():
            piece_stripped = piece.strip()
            if not piece_stripped:
                continue
            pos = chunk.find(piece_stripped, cursor)
            if pos < 0:  # pysbd normalised something (its segmenter drops these too)
                continue
            end = pos + len(piece_stripped)
            spans.append((base + pos, base + end))
            cursor = end
    return spans


#: Texts whose spans :func:`article_spans` remembers (a pipeline batch is a few hundred),
#: and the most characters of text the cache may hold (its memory stays bounded).
SPAN_CACHE_SIZE = 1024
SPAN_CACHE_CHARS = 32_000_000
_span_cache: OrderedDict[str, tuple[tuple[int, int], ...]] = OrderedDict()
_span_chars = 0
_span_lock = Lock()


def remember(text: str, spans: Sequence[tuple[int, int]]) -> None:
    """Put spans computed earlier (e.g. stored by the sentences step) in the cache."""
    global _span_chars
    with _span_lock:
        if text in _span_cache:
            _span_cache.move_to_end(text)
            return
        _span_cache[text] = tuple((int(s), int(e)) for s, e in spans)
        _span_chars += len(text)
        while len(_span_cache) > SPAN_CACHE_SIZE or (
            _span_chars > SPAN_CACHE_CHARS and len(_span_cache) > 1
        ):
            old, _ = _span_cache.popitem(last=False)
            _span_chars -= len(old)


def article_spans(text: str) -> tuple[tuple[int, int], ...]:
    """:func:`sentence_spans` of ``text``, split once per process for recently seen texts.

    Every stage that needs an article's sentences calls this (directly or through
    :func:`split_sentences`), so an article read by time, claims and copies in one process is
    split once. The cache holds :data:`SPAN_CACHE_SIZE` texts, least recently used out.
    """
    with _span_lock:
        hit = _span_cache.get(text)
        if hit is not None:
            _span_cache.move_to_end(text)
            return hit
    spans = tuple(sentence_spans(text))
    remember(text, spans)
    return spans


def sentences_from_spans(article: Article, spans: Sequence[tuple[int, int]]) -> list[Sentence]:
    """:class:`Sentence` records of ``article`` from its ``[start, end)`` spans (e.g. the
    spans the pipeline stored when it split the article)."""
    text = article.text
    return [
        Sentence(article=article.id, index=i, start=s, end=e, text=text[s:e])
        for i, (s, e) in enumerate(spans)
    ]


def split_sentences(article: Article) -> list[Sentence]:
    """The article's sentences, in order, with offsets into ``article.text``."""
    return sentences_from_spans(article, article_spans(article.text))
