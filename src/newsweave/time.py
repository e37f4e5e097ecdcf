"""Temporal expressions, normalised against the article's publication date.

Why a rule grammar and not dateparser alone: news text dates events relative to the day it
was written ("on Thursday", "February next year", "towards the end of this year", "over the
next two days"), and which Thursday or which February depends on the tense of the sentence.
dateparser returns nothing for several of these and has no notion of tense, so this module
finds expressions with a small regex grammar (HeidelTime-style: one pattern family per
kind of expression), resolves them against the *document creation time* (DCT, the
publication date) and picks the direction for underspecified ones (weekdays, months, dates
without a year) from tense cues near the expression. dateparser (``languages=['en']``,
``RELATIVE_BASE`` = DCT, ``PREFER_DATES_FROM`` from the tense) is the fallback for absolute
dates whose shape the grammar recognises but cannot take apart itself.

The grammar is the table :data:`RULES`: each rule is one ``@_rule(name, pattern, ...)``
entry whose pattern stands right above the function that interprets its matches (see the
"rules" section below). Adding a rule is adding one such entry.

Two layers:

* :func:`find_timexes` returns :class:`Timex` records — every expression TimeML would
  annotate (dates, times, durations, sets), with TIMEX3 values ("2020-09-03", "2021-02",
  "2020-Q4", "199X", "P3Y", "PRESENT_REF"). The benchmark scores this layer.
* :func:`extract_time` turns the anchored ones into :class:`~newsweave.records.TimeRef`
  records (a calendar value, a granularity, and past/ongoing/future relative to
  publication) and dates every sentence (:class:`~newsweave.records.DatedSentence`).

Conventions (documented in docs/time.md): "the end of <year>" folds into the last month
("by the end of 2021" → ``2021-12``, granularity month; "the beginning of" → ``-01``);
"mid-2021" keeps the year. Decades are ``199X``; ISO weeks ``2020-W36``; seasons
``2020-SU``; quarters ``2020-Q4``; fiscal years ``FY1998``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from newsweave import caseless
from newsweave.caseless import ODD_FOLDS
from newsweave.records import (
    Article,
    DatedSentence,
    Granularity,
    Sentence,
    TemporalRelation,
    TimeRef,
)
from newsweave.sentences import split_sentences

TimexType = Literal["DATE", "TIME", "DURATION", "SET"]
Tense = Literal["past", "future", "present"] | None


@dataclass(frozen=True, slots=True)
class Timex:
    """One temporal expression with its TIMEX3 normalisation.

    ``value`` follows TIMEX3 (TimeML 1.2): calendar values for DATE/TIME, ``P..`` for
    DURATION and SET, ``PRESENT_REF``/``PAST_REF``/``FUTURE_REF`` for vague references.
    ``granularity`` is set for values that denote a calendar interval. ``mod`` is the
    TIMEX3 modifier (START, MID, END, APPROX ...). A range ("September 4 to 5", "over the
    next two days") keeps its last value in ``range_end``. ``rule`` names the grammar rule
    that fired, so a wrong value can be traced to its rule.
    """

    start: int
    end: int
    text: str
    type: TimexType
    value: str
    granularity: Granularity | None = None
    mod: str | None = None
    range_end: str | None = None
    rule: str = ""
    parts: tuple[tuple[int, int, str], ...] = ()  # a range's ends: (start, end, value) each


# --------------------------------------------------------------------------- vocabulary

_MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "a couple of": 2,
    "couple of": 2,
    "a dozen": 12,
    "dozen": 12,
}
_VAGUE_NUMBERS = ("several", "a few", "few", "many", "some", "a number of", "numerous")
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "final": 4,
    "last": 4,
}
_UNITS = {
    "second": "S",
    "minute": "M",
    "hour": "H",
    "day": "D",
    "week": "W",
    "fortnight": "W",
    "month": "M",
    "quarter": "Q",
    "year": "Y",
    "decade": "DE",
    "century": "CE",
    "centurie": "CE",
}
_SEASONS = {
    "spring": "SP",
    "summer": "SU",
    "fall": "FA",
    "autumn": "FA",
    "winter": "WI",
}
_PARTS_OF_DAY = {
    "morning": "TMO",
    "afternoon": "TAF",
    "evening": "TEV",
    "night": "TNI",
    "overnight": "TNI",
}

# --------------------------------------------------------------------------- grammar pieces

_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept\.?|Sep\.?|Oct\.?|"
    r"Nov\.?|Dec\.?)"
)
_WEEKDAY_RE = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon\.|Tues?\.|Wed\.|"
    r"Thu(?:rs?)?\.|Fri\.|Sat\.|Sun\.)"
)
_DAY_RE = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?"
_YEAR_RE = r"(?:1[5-9]\d\d|20\d\d)"
_NUM_WORDS = "|".join(
    sorted((re.escape(k) for k in _NUMBERS if k not in ("a", "an")), key=len, reverse=True)
)
_NUM_RE = (
    r"(?:\d+(?:\.\d+)?(?:\s+1/2)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    rf"[- ](?:one|two|three|four|five|six|seven|eight|nine)|{_NUM_WORDS}|an?)"
)
_VAGUE_RE = r"(?:several|a few|few|many|some|a number of|numerous|recent|coming|the coming)"
_UNIT_RE = (
    r"(?:seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|quarters?|years?|decades?|"
    r"century|centuries)"
)
_APPROX_RE = (
    r"(?:about|around|nearly|almost|approximately|roughly|some|over|more than|less than|"
    r"at least|at most|up to|just over|just under|under|close to|barely|only|just)"
)
_POD_RE = r"(?:morning|afternoon|evening|night|overnight)"
_EDGE_RE = (
    r"(?:early|earlier|late|later|mid|the end of|the beginning of|the start of|"
    r"the middle of|the turn of|the first half of|the second half of|end|end-)"
)
_REL_RE = r"(?:last|next|this|coming|past|previous|following|current|the same)"

# Triggers shared by several rules (see :class:`Rule`).
_UNIT_TRIGGER = (
    r"(?i:second|minute|hour|day|week|fortnight|month|quarter|year|decade|centur|morning|"
    r"afternoon|evening|night)"
)
_MONTH_TRIGGER = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"

# Words a 4-digit number is counted in, not a year ("2000 people", "1500 troops").
_NOT_YEAR_AFTER = re.compile(
    r"\s*(?:[a-z]+s\b(?<!\bis)(?<!\bwas)(?<!\bhas)(?<!\bthis)|people|percent|per\b|miles?|"
    r"km|feet|metres?|meters?|tons?|troops|rifles|soldiers|cc|mm|hp|kg|pounds|dollars|euros|"
    r"rupees|crore|lakh|million|billion|hectares?|acres?|points?|units?|members?)",
)
#: The time zones news gives with a clock time ("10 a.m. EST", "16:00 GMT", "1600 IST").
_ZONE_RE = r"(?-i:IST|GMT|UTC|BST|CET|CEST|MSK|[ECMP][SD]T)"
#: What follows a 24-hour clock time: "hrs" or a zone.
_CLOCK24_SUFFIX_RE = rf"(?:hrs\b|hours\b|h\b|{_ZONE_RE}\b)"
# A four-digit number before a time zone or "hrs" is a 24-hour clock time (BBC: "1600 GMT").
_CLOCK_ZONE_AFTER = re.compile(rf"\s*(?:local\s+time\b|{_CLOCK24_SUFFIX_RE})")
_YEAR_CONTEXT = re.compile(
    r"(?i)(?:\b(?:in|since|by|until|till|of|from|during|before|after|between|early|late|mid|"
    r"year|and|to|through|summer|winter|spring|fall|autumn|season|fiscal|the|circa|c\.|"
    r"around|for|'s|until|at)\s*|[(,]\s*|^\s*)$"
)

# --------------------------------------------------------------------------- tense cues

_FUTURE_CUE = re.compile(
    r"(?i)\b(?:will|shall|won't|wo\s+n't|'ll|going\s+to|to\s+be\s+\w+|is\s+to|are\s+to|"
    r"(?:is|are|was|were|been)\s+(?:scheduled|expected|set|due|slated|planned|likely|poised|"
    r"going|supposed)|scheduled|expected|slated|planned|plans?|planning|intends?|"
    r"forthcoming|upcoming|would|may|might|should|must|hopes?\s+to|aims?\s+to|"
    r"as\s+soon\s+as|ahead\s+of)\b"
)
_PAST_CUE = re.compile(
    r"(?i)\b(?:was|were|had|did|has|have|said|told|held|met|made|took|gave|went|came|began|"
    r"left|won|lost|sent|spoke|saw|became|got|led|paid|sold|bought|brought|fell|rose|hit|"
    r"struck|built|ran|wrote|ago|last|earlier|previous|previously|former|since|"
    r"[a-z]{2,}[^e\W]ed|[a-z]{2,}ied|[a-z]+[^aeiou\W]ed)\b"
)
_PRESENT_CUE = re.compile(r"(?i)\b(?:is|are|am|begins|starts|opens|meets|arrives|takes)\b")
_CLAUSE_BREAK = re.compile(
    r"[,;:()\"“”]|--|\b(?:and|but|or|when|while|as|after|before|because|which|who|that|where|"
    r"since|if|although|though)\b"
)
_NOT_PAST_WORDS = frozenset(
    {"indeed", "need", "speed", "seed", "hundred", "embed", "united", "red", "bed", "shed"}
)


def _tense_near(sentence: str, start: int, end: int) -> Tense:
    """Tense of the clause around ``sentence[start:end]``, from the nearest cue word.

    Why nearest: a news sentence often mixes a reporting verb ("officials said") with the
    verb the date belongs to ("will meet on Friday"); the cue closest to the expression is
    the one it modifies far more often than not. Cues inside the expression itself ("next
    month") are resolved by the rule, not here.
    """
    cues, until_cue = _tense_cues(sentence)
    if until_cue and _UNTIL_BEFORE.search(sentence, 0, start):
        return "future"  # "postponed until Tuesday": the day lies ahead of the event
    for strict in (True, False):
        best: tuple[int, Tense] | None = None
        for m_start, m_end, tense in cues:
            if m_start < end and m_end > start:
                continue
            if strict and m_start >= end and _CLAUSE_BREAK.search(sentence[end:m_start]):
                continue  # a verb in the next clause does not govern this expression
            if m_end <= start and ";" in sentence[m_end:start]:
                continue
            dist = start - m_end if m_end <= start else m_start - end
            # prefer cues before the expression slightly (verb precedes its adjunct)
            if m_start >= end:
                dist += 4
            if best is None or dist < best[0]:
                best = (dist, tense)
        if best is not None:
            return best[1]
        # nothing in the clause: a fronted adverbial ("On Tuesday, the league will ...")
        # takes the verb of the clause that follows it
    return None


@lru_cache(maxsize=256)
def _tense_cues(sentence: str) -> tuple[tuple[tuple[int, int, Tense], ...], bool]:
    """The tense cues of ``sentence`` (start, end, tense), in the order :func:`_tense_near`
    weighs them (future, past, present cues, each in text order; not-past words left out),
    and whether it has a verb :data:`_UNTIL_BEFORE` starts with. A sentence with several
    expressions asks for its tense several times: its cues are found once (each pattern
    runs over the whole sentence, whatever the expression)."""
    cues: list[tuple[int, int, Tense]] = []
    low = caseless.lowered(sentence)
    for pattern, tense in (
        (_FUTURE_CUE, "future"),
        (_PAST_CUE, "past"),
        (_PRESENT_CUE, "present"),
    ):
        for m in caseless.finditer(pattern, sentence, low):
            if tense == "past" and m.group().lower() in _NOT_PAST_WORDS:
                continue
            cues.append((m.start(), m.end(), tense))
    return tuple(cues), caseless.search(_UNTIL_VERB, sentence, low) is not None


_UNTIL_BEFORE = re.compile(
    r"(?i)\b(?:postponed|delayed|adjourned|put\s+off|extended)\s+(?:\w+\s+){0,4}?"
    r"(?:until|till|to)\s+$"
)
#: What every match of :data:`_UNTIL_BEFORE` starts with: a sentence without it has none.
_UNTIL_VERB = re.compile(r"(?i)\b(?:postponed|delayed|adjourned|put\s+off|extended)\s")


# --------------------------------------------------------------------------- value helpers


def _day(d: date) -> str:
    return d.isoformat()


def _month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def _add_months(y: int, m: int, delta: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + delta
    return idx // 12, idx % 12 + 1


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _num(word: str) -> float | None:
    w = re.sub(r"\s+", " ", word.lower().strip())
    if w in _NUMBERS:
        return float(_NUMBERS[w])
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?: 1/2)?", w)
    if m:
        return float(m.group(1)) + (0.5 if "1/2" in w else 0)
    m = re.fullmatch(r"(\w+)[- ](\w+)", w)
    if m and m.group(1) in _NUMBERS and m.group(2) in _NUMBERS:
        return float(_NUMBERS[m.group(1)] + _NUMBERS[m.group(2)])
    return None


def _fmt_num(n: float | None) -> str:
    if n is None:
        return "X"
    return str(int(n)) if float(n).is_integer() else str(n)


def _unit_code(unit: str) -> str:
    u = unit.lower().rstrip("s")
    if u == "centurie":
        u = "century"
    return _UNITS.get(u, "X")


def _duration_value(n: float | None, unit: str) -> str:
    code = _unit_code(unit)
    u = unit.lower()
    if code == "DE":
        return f"P{_fmt_num(n * 10)}Y" if n is not None else "PXDE"
    if code == "CE":
        return f"P{_fmt_num(n * 100)}Y" if n is not None else "PXCE"
    if code == "W" and u.startswith("fortnight"):
        return f"P{_fmt_num(n * 2)}W" if n is not None else "PXW"
    if u.startswith(("hour", "minute", "second")):
        if n is not None and not float(n).is_integer() and code == "H":
            return f"PT{int(n)}H{int(round((n % 1) * 60))}M"
        return f"PT{_fmt_num(n)}{code}"
    return f"P{_fmt_num(n)}{code}"


def _unit_name(unit: str) -> str:
    u = unit.lower().rstrip("s")
    return "day" if u in ("hour", "minute", "second") else u


def _shift(dct: date, n: int, unit: str) -> tuple[str, Granularity]:
    """DCT moved by ``n`` units, expressed at that unit's granularity."""
    code = _unit_code(unit)
    u = unit.lower()
    if u.startswith(("hour", "minute", "second")):
        return _day(dct), "day"
    if code == "D":
        return _day(dct + timedelta(days=n)), "day"
    if code == "W":
        return _week(dct + timedelta(weeks=n * (2 if u.startswith("fortnight") else 1))), "week"
    if code == "M":
        y, m = _add_months(dct.year, dct.month, n)
        return _month(y, m), "month"
    if code == "Q":
        y, m = _add_months(dct.year, dct.month, 3 * n)
        return f"{y:04d}-Q{(m - 1) // 3 + 1}", "quarter"
    if code == "Y":
        return f"{dct.year + n:04d}", "year"
    if code == "DE":
        return f"{(dct.year + 10 * n) // 10:03d}X", "decade"
    if code == "CE":
        return f"{(dct.year + 100 * n) // 100:02d}", "decade"
    return _day(dct), "day"


def _resolve_month(dct: date, month: int, tense: Tense) -> int:
    """Year of a month named without one: the nearest, unless the tense contradicts it by
    more than a season ("to be held in February" in a September article → next year)."""
    best = _resolve_month_day(dct, month, 15, tense)
    return best.year if best is not None else dct.year


def _resolve_month_day(dct: date, month: int, day: int, tense: Tense) -> date | None:
    """A month-day without a year: the occurrence nearest the publication date.

    Tense only overrides nearness when the nearest reading is more than ~3 months on the
    wrong side ("had represented India on June 24" in a September article is June, the
    same year, either way; "will be held on March 3" in a November article is next year).
    """
    options = [
        d for y in (dct.year - 1, dct.year, dct.year + 1) if (d := _safe_date(y, month, day))
    ]
    if not options:
        return _safe_date(dct.year, month, min(day, 28))
    best = min(options, key=lambda d: abs((d - dct).days))
    if tense == "past" and (best - dct).days > 90:
        best = _safe_date(best.year - 1, month, day) or best
    elif tense == "future" and (dct - best).days > 90:
        best = _safe_date(best.year + 1, month, day) or best
    return best


def _resolve_weekday(dct: date, weekday: int, tense: Tense, modifier: str | None) -> date:
    """The weekday meant: the past one for past tense (today included), else the next one.

    Why today counts: "Singh on Thursday held talks" in a Thursday article is that day.
    Without a cue news mostly reports what has happened, so default to the past one —
    except present tense ("the vote is on Tuesday"), which is the scheduled one.
    """
    mod = (modifier or "").lower()
    back = (dct.weekday() - weekday) % 7
    fwd = (weekday - dct.weekday()) % 7
    if mod == "last":
        return dct - timedelta(days=back or 7)
    if mod in ("next", "coming"):
        return dct + timedelta(days=fwd or 7)
    if mod == "this":
        return dct + timedelta(days=fwd) if tense == "future" else dct - timedelta(days=back)
    if tense in ("future", "present"):
        return dct + timedelta(days=fwd)
    return dct - timedelta(days=back)


def _dateparser_day(text: str, dct: date, tense: Tense) -> date | None:
    """dateparser as the fallback for absolute dates the grammar matched but could not split."""
    parsed = _dateparser_parse(text, dct.isoformat(), "future" if tense == "future" else "past")
    return parsed


@lru_cache(maxsize=4096)
def _dateparser_parse(text: str, dct_iso: str, prefer: str) -> date | None:
    import dateparser  # heavy import (~0.1 s); only paid when a fallback is needed

    base = datetime.fromisoformat(dct_iso)
    got = dateparser.parse(
        text,
        languages=["en"],
        settings={
            "RELATIVE_BASE": base,
            "PREFER_DATES_FROM": prefer,
            "REQUIRE_PARTS": ["day", "month"],
        },
    )
    return got.date() if got else None


def _fold_edge(edge: str | None) -> str | None:
    """TIMEX3 ``mod`` for an edge word ("early" → START)."""
    if not edge:
        return None
    e = re.sub(r"\s+", " ", edge.lower()).strip(" -")
    if e in ("early", "the beginning of", "the start of", "earlier"):
        return "START"
    if e in ("late", "the end of", "end of", "end", "later", "the turn of"):
        return "END"
    if e in ("mid", "the middle of"):
        return "MID"
    if e == "the first half of":
        return "START"
    if e == "the second half of":
        return "END"
    return None


# --------------------------------------------------------------------------- matching


@dataclass(slots=True)
class _Ctx:
    text: str
    dct: date | None
    sent_start: int
    sent_end: int
    # the last explicit calendar date before this point: what "that day", "the following
    # year" and "two days later" count from in a narrative (HeidelTime's reference time)
    ref: date | None = None
    ref_gran: str | None = None

    def anchor(self, unit: str = "year") -> date | None:
        """The reference time for an anaphoric expression counted in ``unit``: the last
        explicit date when it is at least that fine ("the next morning" needs a day),
        else the publication date."""
        fine_enough = {
            "day": ("day",),
            "week": ("day", "week"),
            "month": ("day", "week", "month"),
        }.get(unit, ("day", "week", "month", "quarter", "year"))
        if self.ref is not None and self.ref_gran in fine_enough:
            return self.ref
        return self.dct

    def tense(self, start: int, end: int) -> Tense:
        s = self.text[self.sent_start : self.sent_end]
        return _tense_near(s, start - self.sent_start, end - self.sent_start)

    def before(self, start: int, n: int = 30) -> str:
        return self.text[max(self.sent_start, start - n) : start]

    def after(self, end: int, n: int = 30) -> str:
        return self.text[end : min(self.sent_end, end + n)]


def _year2(y: str) -> int:
    v = int(y)
    if len(y) == 2:
        return 2000 + v if v < 50 else 1900 + v
    return v


class Hit:
    """One match of a rule, as the rule's interpreter sees it.

    ``g`` are the pattern's groups, ``s``..``e`` the match's span in the whole text (the
    pattern runs on one sentence at a time), ``text`` the matched text, ``ctx`` the
    sentence context (publication date, tense cues, the narrative's reference time).
    """

    __slots__ = ("rule", "ctx", "g", "s", "e", "text", "_m", "_off")

    def __init__(
        self,
        rule: str,
        m: re.Match[str],
        off: int,
        ctx: _Ctx,
        groups: tuple[str | None, ...] | None = None,
    ) -> None:
        self.rule = rule
        self.ctx = ctx
        self._m = m
        self._off = off
        self.g = m.groups() if groups is None else groups
        self.s = m.start() + off
        self.e = m.end() + off
        self.text = m.group()

    @property
    def dct(self) -> date | None:
        return self.ctx.dct

    def start(self, group: int) -> int:
        """Where ``group`` starts in the whole text."""
        return self._m.start(group) + self._off

    def tense(self) -> Tense:
        """Tense of the clause around the match."""
        return self.ctx.tense(self.s, self.e)

    def before(self, n: int = 30) -> str:
        """Up to ``n`` characters of the sentence before the match."""
        return self.ctx.before(self.s, n)

    def after(self, n: int = 30) -> str:
        """Up to ``n`` characters of the sentence after the match."""
        return self.ctx.after(self.e, n)

    def with_groups(self, groups: tuple[str | None, ...]) -> Hit:
        """The same match with other group values (a rule re-reading its own match)."""
        return Hit(self.rule, self._m, self._off, self.ctx, groups)

    def mk(
        self,
        value: str,
        typ: TimexType = "DATE",
        gran: Granularity | None = None,
        mod: str | None = None,
        range_end: str | None = None,
        start: int | None = None,
    ) -> Timex:
        """The Timex of this match (from ``start`` when the extent drops a leading word)."""
        st = self.s if start is None else start
        return Timex(
            st, self.e, self.ctx.text[st : self.e], typ, value, gran, mod, range_end, self.rule
        )


Interpreter = Callable[[Hit], "Timex | None"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the grammar: a pattern and the function that interprets its matches.

    ``trigger``: a cheap pre-check; the rule runs on a sentence only when it occurs there
    (the full patterns open with optional modifiers, which makes the regex engine try them
    at every word, and most sentences contain no unit word, month or weekday at all).
    ``requires``: words one of which every match of ``pattern`` holds (a strict necessary
    condition read off the pattern; tests/test_time.py checks it), so the pattern is searched
    only in sentences holding one of them as well as the trigger (``None``: no such words).
    ``explicit``: its dates set the narrative's reference time ("that day", "two days
    later" count from the last explicit date). ``anaphoric``: its values count from that
    reference time, so its matches are interpreted again once the reference is known.
    """

    name: str
    pattern: re.Pattern[str]
    interpret: Interpreter
    trigger: re.Pattern[str] | None = None
    explicit: bool = False
    anaphoric: bool = False
    requires: re.Pattern[str] | None = None


# The grammar, in priority order: overlapping candidates are resolved longest span first;
# the order below only breaks ties between spans of the same length.
RULES: list[Rule] = []


def _rule(
    name: str,
    pattern: str,
    *,
    trigger: str | None = None,
    requires: str | None = None,
    explicit: bool = False,
    anaphoric: bool = False,
) -> Callable[[Interpreter], Interpreter]:
    """Add the decorated interpreter with its pattern to :data:`RULES` (a new time rule is
    one such entry)."""

    def add(interpret: Interpreter) -> Interpreter:
        if any(r.name == name for r in RULES):
            raise ValueError(f"time rule {name!r} is defined twice")
        RULES.append(
            Rule(
                name,
                re.compile(pattern),
                interpret,
                re.compile(trigger) if trigger is not None else None,
                explicit,
                anaphoric,
                re.compile(requires) if requires is not None else None,
            )
        )
        return interpret

    return add


def _with_parts(tx: Timex, parts: tuple[tuple[int, int, str], ...]) -> Timex:
    return replace(tx, parts=parts)


def _shift_exact(dct: date, n: float, unit: str) -> tuple[date, str]:
    """DCT moved by ``n`` units as an exact day (for ranges "over the next two days")."""
    code = _unit_code(unit)
    u = unit.lower()
    if u.startswith(("hour", "minute", "second")):
        return dct, "day"
    if code == "D":
        return dct + timedelta(days=round(n)), "day"
    if code == "W":
        return dct + timedelta(weeks=n * (2 if u.startswith("fortnight") else 1)), "day"
    months = {"M": 1, "Q": 3, "Y": 12, "DE": 120, "CE": 1200}.get(code, 0)
    y, mo = _add_months(dct.year, dct.month, int(round(n * months)))
    return _safe_date(y, mo, min(dct.day, 28)) or dct, "day"


# --------------------------------------------------------------------------- rules


@_rule(
    "iso",
    r"\b(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2})?)?(?![\d-])",
    trigger=r"\d[/.-]\d",
    explicit=True,
)
def _iso(h: Hit) -> Timex | None:
    g = h.g
    d = _safe_date(int(g[0]), int(g[1]), int(g[2]))
    if d is None:
        return None
    if g[3]:
        return h.mk(f"{d.isoformat()}T{g[3]}:{g[4]}", "TIME", "time")
    return h.mk(_day(d), gran="day")


@_rule(
    "numeric",
    r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-]|\.\d)",
    trigger=r"\d[/.-]\d",
)
def _numeric(h: Hit) -> Timex | None:
    dct = h.dct
    g = h.g
    a, b, y = int(g[0]), int(g[2]), _year2(g[3])
    if g[1] == "." and len(g[3]) == 2:
        return None  # "1.5.20" is too often a version or a score
    options = []
    for mm, dd in ((a, b), (b, a)):  # m/d (US) first, then d/m
        d = _safe_date(y, mm, dd) if 1 <= mm <= 12 else None
        if d:
            options.append(d)
    if not options:
        return None
    if dct is not None and len(options) == 2:
        # the reading nearer the publication date (Indian and European outlets write d-m-y)
        options.sort(key=lambda d: abs((d - dct).days))
    elif g[1] in ".-" and len(options) == 2:
        options.reverse()
    return h.mk(_day(options[0]), gran="day")


@_rule(
    "month-day-range",
    rf"\b(?:{_WEEKDAY_RE},?\s+)?({_MONTH_RE})\s+({_DAY_RE})\s*(?:-|–|to|through|and|until)\s*"
    rf"(?:({_MONTH_RE})\s+)?({_DAY_RE})(?:\s*,?\s+({_YEAR_RE}))?\b",
    trigger=_MONTH_TRIGGER,
    explicit=True,
)
def _month_day_range(h: Hit) -> Timex | None:
    dct = h.dct
    g = h.g
    s, e = h.s, h.e
    m1 = _MONTHS[g[0].lower().rstrip(".")]
    m2 = _MONTHS[g[2].lower().rstrip(".")] if g[2] else m1
    d1, d2 = int(re.sub(r"\D", "", g[1])), int(re.sub(r"\D", "", g[3]))
    if not g[2] and d2 <= d1:
        return None
    tense = h.tense()
    if g[4]:
        y = int(g[4])
        a, b = _safe_date(y, m1, d1), _safe_date(y, m2, d2)
    elif dct is not None:
        a = _resolve_month_day(dct, m1, d1, tense)
        b = _safe_date(a.year + (1 if m2 < m1 else 0), m2, d2) if a else None
    else:
        return None
    if not a or not b or b < a:
        return None
    tx = h.mk(_day(a), gran="range", range_end=_day(b))
    parts = (
        (s, h.start(2) + len(g[1]), _day(a)),
        (h.start(4) if not g[2] else h.start(3), e, _day(b)),
    )
    return _with_parts(tx, parts)


@_rule(
    "day-month-range",
    rf"\b({_DAY_RE})\s*(?:-|–|to|and|until)\s*({_DAY_RE})\s+({_MONTH_RE})(?:,?\s+({_YEAR_RE}))?\b",
    trigger=_MONTH_TRIGGER,
    explicit=True,
)
def _day_month_range(h: Hit) -> Timex | None:
    dct = h.dct
    g = h.g
    d1, d2 = int(re.sub(r"\D", "", g[0])), int(re.sub(r"\D", "", g[1]))
    mo = _MONTHS[g[2].lower().rstrip(".")]
    if d2 <= d1:
        return None
    if g[3]:
        y = int(g[3])
    elif dct is not None:
        a = _resolve_month_day(dct, mo, d1, h.tense())
        y = a.year if a else dct.year
    else:
        return None
    a, b = _safe_date(y, mo, d1), _safe_date(y, mo, d2)
    if not a or not b:
        return None
    return h.mk(_day(a), gran="range", range_end=_day(b))


def _calendar_day(h: Hit, mon: str, dy: str, yr: str | None) -> Timex | None:
    """A day named by month and day, with or without its year (month-day and day-month)."""
    dct = h.dct
    mo = _MONTHS[mon.lower().rstrip(".")]
    dnum = int(re.sub(r"\D", "", dy))
    if yr:
        d = _safe_date(int(yr), mo, dnum)
    elif dct is not None:
        d = _resolve_month_day(dct, mo, dnum, h.tense())
    else:
        return None
    if d is None:
        d = _dateparser_day(h.text, dct, h.tense()) if dct else None
        if d is None:
            return None
    return h.mk(_day(d), gran="day")


@_rule(
    "month-day",
    rf"\b(?:({_WEEKDAY_RE}),?\s+)?({_MONTH_RE})\s+({_DAY_RE})\b(?!\s*%|:\d)"
    rf"(?:\s*,?\s+({_YEAR_RE})\b)?",
    trigger=_MONTH_TRIGGER,
    explicit=True,
)
def _month_day(h: Hit) -> Timex | None:
    _weekday, month, day, year = h.g
    return _calendar_day(h, month, day, year)


@_rule(
    "day-month",
    rf"\b(?:({_WEEKDAY_RE}),?\s+)?(?:the\s+)?({_DAY_RE})(?:\s+of)?\s+({_MONTH_RE})"
    rf"(?:,?\s+({_YEAR_RE})\b)?",
    trigger=_MONTH_TRIGGER,
    explicit=True,
)
def _day_month(h: Hit) -> Timex | None:
    _weekday, day, month, year = h.g
    return _calendar_day(h, month, day, year)


@_rule(
    "month-year",
    rf"\b(?:({_EDGE_RE})[\s-]+)?({_MONTH_RE})(?:,?\s+|\s+of\s+)({_YEAR_RE})\b",
    trigger=_MONTH_TRIGGER,
    explicit=True,
)
def _month_year(h: Hit) -> Timex | None:
    edge, mon, yr = h.g
    mo = _MONTHS[mon.lower().rstrip(".")]
    return h.mk(_month(int(yr), mo), gran="month", mod=_fold_edge(edge))


@_rule(
    "month-rel-year",
    rf"\b({_MONTH_RE})\s+(next|last|this|of\s+next|of\s+last|of\s+this)\s+year\b",
    trigger=_MONTH_TRIGGER,
)
def _month_rel_year(h: Hit) -> Timex | None:
    dct = h.dct
    g = h.g
    if dct is None:
        return None
    mo = _MONTHS[g[0].lower().rstrip(".")]
    rel = g[1].split()[-1].lower()
    y = dct.year + {"next": 1, "last": -1, "this": 0}[rel]
    return h.mk(_month(y, mo), gran="month")


@_rule(
    "rel-month",
    rf"\b(?:({_EDGE_RE})[\s-]+)?(?:({_REL_RE}|(?i:last|next|this))\s+)?({_MONTH_RE})(?![\w-]|\s*\d)",
    trigger=_MONTH_TRIGGER,
)
def _rel_month(h: Hit) -> Timex | None:
    dct = h.dct
    edge, rel, mon = h.g
    key = mon.lower().rstrip(".")
    if mon.endswith(".") is False and len(key) <= 3 and key not in ("may",):
        return None  # bare "Jan" / "Mar" without a dot: too ambiguous
    if mon in ("May", "March") and not (rel or edge):
        prev = h.before(12).lower()
        if not re.search(
            r"\b(?:in|of|since|until|till|by|from|during|early|late|mid|the)\s*$", prev
        ):
            return None
    if dct is None:
        return None
    mo = _MONTHS[key]
    r = (rel or "").lower()
    if r in ("last", "past", "previous"):
        y = dct.year - 1 if mo >= dct.month else dct.year
    elif r in ("next", "coming", "following"):
        y = dct.year + 1 if mo <= dct.month else dct.year
    elif r in ("this", "current"):
        y = dct.year
    else:
        y = _resolve_month(dct, mo, h.tense())
    return h.mk(_month(y, mo), gran="month", mod=_fold_edge(edge))


@_rule(
    "year",
    rf"(?<![\w$€£#.,/-])(?:((?i:{_EDGE_RE}|fiscal|the\s+year|calendar|FY|mid-|post-|pre-))[\s-]*)?"
    rf"({_YEAR_RE})(?:(?:-|–|/|\s+to\s+)((?:19|20)?\d\d))?(?![\w%-]|,\d|\.\d)",
    trigger=r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)",
    explicit=True,
)
def _year(h: Hit) -> Timex | None:
    g = h.g
    s, e = h.s, h.e
    edge, yr, yr2 = g
    y = int(yr)
    after = h.after(25)
    before = h.before(25)
    if edge is None and _CLOCK_ZONE_AFTER.match(after):
        return None  # "by 1100 (1600 GMT)": a 24-hour clock time, not the year 1600
    if (
        edge is None
        and _NOT_YEAR_AFTER.match(after)
        and not re.search(r"(?i)\b(?:the|in|since|during|until|by|from)\s*$|'s\s*$", before)
    ):
        return None  # "2000 troops" is a count; "the 1992 protests" is a year
    # a bare number mid-phrase ("1500 km") is only a year when it looks like one
    if (
        edge is None
        and not _YEAR_CONTEXT.search(before)
        and (not (1900 <= y <= 2100) or re.match(r"\s*\d", after))
    ):
        return None
    if re.search(r"(?:No\.|#|\$|€|£|Rs\.?)\s*$", before):
        return None
    if yr2:
        y2 = int(yr2) if len(yr2) == 4 else (y // 100) * 100 + int(yr2)
        if y2 <= y or y2 - y > 10:
            return None
        if edge and re.match(r"(?i)fiscal|FY", edge):
            return h.mk(f"FY{y2:04d}", gran="year")
        tx = h.mk(f"{y:04d}", gran="range", range_end=f"{y2:04d}")
        if len(yr2) == 4 and not edge:
            tx = _with_parts(tx, ((s, h.start(2) + 4, f"{y:04d}"), (h.start(3), e, f"{y2:04d}")))
        return tx
    ed = (edge or "").lower()
    if ed.startswith(("fiscal", "fy")):
        return h.mk(f"FY{y:04d}", gran="year")
    if ed.startswith("the year") or ed.startswith("calendar"):
        return h.mk(f"{y:04d}", gran="year")
    return h.mk(f"{y:04d}", gran="year", mod=_fold_edge(edge))


@_rule(
    "fy-short",
    r"\bFY\s?'?(\d\d)\b",
    trigger=r"FY|Q[1-4]",
)
def _fy_short(h: Hit) -> Timex | None:
    return h.mk(f"FY{_year2(h.g[0]):04d}", gran="year")


@_rule(
    "decade",
    rf"(?i:\b(?:the\s+)?(?:({_EDGE_RE})[\s-]+)?)(?:(1[5-9]\d|20\d)0|'(\d)0)\s?'?s\b",
    trigger=r"0\s?'?s\b",
)
def _decade(h: Hit) -> Timex | None:
    dct = h.dct
    edge, full, short = h.g
    if full:
        val = f"{full}X"
    else:
        base = (dct.year // 100) if dct else 19
        if dct and int(short) * 10 > dct.year % 100:
            base -= 1
        val = f"{base:02d}{short}X"
    return h.mk(val, gran="decade", mod=_fold_edge(edge))


@_rule(
    "century",
    r"(?i)\b(?:the\s+)?(?:(early|late|mid)[\s-]+)?(\d{1,2})(?:st|nd|rd|th)[\s-]century\b",
    trigger=r"(?i:century)",
)
def _century(h: Hit) -> Timex | None:
    edge, n = h.g
    return h.mk(f"{int(n) - 1:02d}", gran="decade", mod=_fold_edge(edge))


def _part_of_year(
    h: Hit, code: str, n: int, yr: str | None, rel: str | None, *, fiscal: bool = False
) -> Timex | None:
    """Quarter (``code`` Q) or half (H) ``n`` of the year named, or of the year the
    context implies (a past-tense "the third quarter" in May is last year's)."""
    dct = h.dct
    year = None
    if yr:
        year = int(yr)
    elif dct is not None:
        r = (rel or "").lower()
        if r == "last":
            year = dct.year - 1
        elif r == "next":
            year = dct.year + 1
        else:
            year = dct.year
            cur = (dct.month - 1) // 3 + 1 if code == "Q" else (dct.month - 1) // 6 + 1
            if h.tense() == "past" and n > cur and not rel:
                year -= 1
    if year is None:
        return None
    prefix = "FY" if fiscal else ""
    return h.mk(f"{prefix}{year:04d}-{code}{n}", gran="quarter")


@_rule(
    "quarter",
    r"(?i)\b(?:the\s+)?(first|second|third|fourth|final|last|1st|2nd|3rd|4th)[\s-]quarter"
    rf"(?:\s+of\s+(?:(fiscal\s+)?({_YEAR_RE})|(this|last|next|the)\s+year))?"
    rf"(?:\s+({_YEAR_RE}))?\b",
    trigger=r"(?i:quarter|half)",
)
def _quarter(h: Hit) -> Timex | None:
    ordw, fiscal, yr, rel, yr_after = h.g
    dct = h.dct
    if not (yr or yr_after or rel) and dct is not None and ordw.lower() in ("last", "final"):
        # "the last quarter" = the most recently completed one
        y, mo = _add_months(dct.year, dct.month, -3)
        return h.mk(f"{y:04d}-Q{(mo - 1) // 3 + 1}", gran="quarter")
    q = _ORDINALS.get(ordw.lower(), 4)
    return _part_of_year(h, "Q", q, yr or yr_after, rel, fiscal=bool(fiscal))


@_rule(
    "q-short",
    rf"\b(Q[1-4])(?:\s*,?\s*({_YEAR_RE})|\s*'(\d\d)|\s+FY\s*({_YEAR_RE}))?\b",
    trigger=r"FY|Q[1-4]",
)
def _q_short(h: Hit) -> Timex | None:
    dct = h.dct
    q, yr, yr2, fy = h.g
    if yr or yr2 or fy:
        y = int(yr) if yr else (_year2(yr2) if yr2 else int(fy))
    elif dct is not None:
        y = dct.year
    else:
        return None
    return h.mk(f"{y:04d}-{q}", gran="quarter")


@_rule(
    "half",
    r"(?i)\b(?:the\s+)?(first|second|latter)[\s-]half"
    rf"(?:\s+of\s+(?:({_YEAR_RE})|(this|last|next|the)\s+year))?\b",
    trigger=r"(?i:quarter|half)",
)
def _half(h: Hit) -> Timex | None:
    ordw, yr, rel = h.g
    return _part_of_year(h, "H", 1 if ordw.lower() == "first" else 2, yr, rel)


@_rule(
    "season",
    r"(?i)\b(?:(early|late|mid)[\s-]+)?(?:(this|last|next|the\s+coming|the\s+past|the)\s+)?"
    r"(spring|summer|fall|autumn|winter)"
    rf"(?:\s+(?:of\s+)?({_YEAR_RE}))?\b",
    trigger=r"(?i:spring|summer|fall|autumn|winter)",
)
def _season(h: Hit) -> Timex | None:
    dct = h.dct
    edge, rel, season, yr = h.g
    code = _SEASONS[season.lower()]
    if season.lower() == "fall" and not (rel or yr):
        return None  # "fall" is far more often the verb
    if (
        season.lower() == "spring"
        and not (rel or yr)
        and not h.before(8).lower().rstrip().endswith(("in", "this", "by"))
    ):
        return None
    if yr:
        y = int(yr)
    elif dct is None:
        return None
    else:
        r = (rel or "").lower()
        y = dct.year
        season_start = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
        if r in ("last", "the past"):
            y = dct.year - 1 if season_start >= dct.month else dct.year
        elif r in ("next", "the coming"):
            y = dct.year + 1 if season_start <= dct.month else dct.year
        elif not r or r == "the":
            t = h.tense()
            if t == "past" and season_start > dct.month:
                y -= 1
            elif t == "future" and season_start + 2 < dct.month:
                y += 1
    return h.mk(f"{y:04d}-{code}", gran="quarter", mod=_fold_edge(edge))


@_rule(
    "rel-unit",
    r"(?i)\b(?:(early|earlier|late|later|mid|the\s+end\s+of|the\s+beginning\s+of|"
    r"the\s+start\s+of|the\s+middle\s+of|the\s+rest\s+of|end\s+of)[\s-]+)?"
    r"(this|last|next|the\s+past|the\s+previous|the\s+coming|the\s+current|the\s+following|"
    r"the\s+next|the\s+last|the|that|the\s+same|past|previous|coming|current|following)\s+"
    r"(week|weekend|month|year|quarter|decade|century|day|morning|afternoon|evening|night)"
    r"(?![\w-])",
    trigger=_UNIT_TRIGGER,
    requires=r"(?i)\s(?:week|month|year|quarter|decade|century|day|morning|afternoon|evening|night)",
)
def _rel_unit(h: Hit) -> Timex | None:
    dct = h.dct
    edge, rel, unit = h.g
    if dct is None:
        return None
    r = re.sub(r"\s+", " ", rel.lower())
    u = unit.lower()
    if r in ("that", "the same", "the following", "following", "the previous", "previous"):
        return None  # anaphoric: the "anaphor" rule counts from the reference time
    if r == "the next" and u in ("day", "morning", "afternoon", "evening", "night"):
        return None
    if u == "weekend":
        return None
    if r in ("the", "that", "the same") and u not in ("year", "week", "month"):
        return None
    if r == "the" and not edge:
        return None  # "the year" alone is anaphoric; "the end of the year" is this year
    mod = _fold_edge(edge)
    if r in ("the past", "the last", "past", "the previous", "previous"):
        off = -1
        if u in ("week", "month", "year", "decade") and r.startswith("the "):
            # "the past year" names a period ending now: a duration
            return h.mk(_duration_value(1, u), "DURATION")
    elif r in ("last",):
        off = -1
    elif r in ("next", "the next", "the coming", "coming", "the following", "following"):
        off = 1
        if r in ("the next", "the coming") and u in ("week", "month", "year", "decade"):
            return h.mk(_duration_value(1, u), "DURATION")
    else:
        off = 0
    if u in ("morning", "afternoon", "evening", "night"):
        if r not in ("this",):
            return None
        return h.mk(f"{_day(dct)}{_PARTS_OF_DAY[u]}", "TIME", "time")
    if u == "day":
        if r in ("the next", "next", "the following", "following"):
            return h.mk(_day(dct + timedelta(days=1)), gran="day")
        if r in ("the previous", "previous"):
            return h.mk(_day(dct - timedelta(days=1)), gran="day")
        return h.mk(_day(dct), gran="day")
    value, gran = _shift(dct, off, u)
    return h.mk(value, gran=gran, mod=mod)


@_rule(
    "rel-year-edge",
    r"(?i)\b(early|late|mid)[\s-]+(this|last|next)\s+(year|month|week)\b",
    trigger=r"(?i:week|month|year)",
)
def _rel_year_edge(h: Hit) -> Timex | None:
    return _rel_unit(h)  # the same groups: (edge, rel, unit)


@_rule(
    "anaphor",
    r"(?i)\b(?:(earlier|later|early|late)\s+)?(that|the\s+same|that\s+same|the\s+next|"
    r"the\s+following|the\s+previous|the\s+preceding|the\s+prior)\s+"
    r"(day|morning|afternoon|evening|night|week|month|year)(?![\w-])"
    r"|\bthe\s+(day|week|month|year)\s+(before|after)(?=\s+(?:his|her|its|their|the|a)\b)",
    trigger=_UNIT_TRIGGER,
    anaphoric=True,
)
def _anaphor(h: Hit) -> Timex | None:
    edge, rel, unit, unit2, direction = h.g
    u0 = (unit or unit2).lower()
    base = h.ctx.anchor("day" if u0 in ("morning", "afternoon", "evening", "night") else u0)
    if base is None:
        return None
    if unit2:
        u, off = unit2.lower(), (-1 if direction.lower() == "before" else 1)
    else:
        u = unit.lower()
        r = re.sub(r"\s+", " ", rel.lower())
        off = (
            1
            if r in ("the next", "the following")
            else (-1 if r in ("the previous", "the preceding", "the prior") else 0)
        )
    if u in ("morning", "afternoon", "evening", "night"):
        d = base + timedelta(days=off)
        return h.mk(f"{_day(d)}{_PARTS_OF_DAY[u]}", "TIME", "time")
    value, gran = _shift(base, off, u)
    return h.mk(value, gran=gran, mod=_fold_edge(edge))


@_rule(
    "weekend",
    r"(?i)\b(this|last|next|the\s+past|the\s+coming|the)\s+weekend\b",
    trigger=r"(?i:week|month|year)",
)
def _weekend(h: Hit) -> Timex | None:
    dct = h.dct
    g = h.g
    rel = re.sub(r"\s+", " ", g[0].lower())
    if dct is None:
        return None
    tense = h.tense()
    if rel in ("last", "the past") or (rel == "the" and tense != "future"):
        sat = dct - timedelta(days=(dct.weekday() - 5) % 7 or 7)
    elif rel in ("next", "the coming") or rel == "the":
        sat = dct + timedelta(days=(5 - dct.weekday()) % 7 or 7)
    else:  # this weekend
        sat = dct + timedelta(days=(5 - dct.weekday()) % 7)
        if tense == "past" and dct.weekday() < 5:
            sat -= timedelta(days=7)
    return h.mk(f"{_week(sat)}-WE", gran="week")


@_rule(
    "deictic",
    r"(?i)\b(?:(early|late|earlier|later)\s+)?(today|tonight|yesterday|tomorrow|"
    r"the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow|"
    r"this\s+(?:morning|afternoon|evening)|last\s+night)"
    rf"(?:\s+({_POD_RE}))?(?:'s)?\b",
    trigger=r"(?i:today|tonight|yesterday|tomorrow|morning|afternoon|evening|night)",
)
def _deictic(h: Hit) -> Timex | None:
    dct = h.dct
    edge, word, pod = h.g
    if dct is None:
        return None
    w = re.sub(r"\s+", " ", word.lower())
    if w in ("today", "tonight"):
        d = dct
    elif w == "yesterday":
        d = dct - timedelta(days=1)
    elif w == "tomorrow":
        d = dct + timedelta(days=1)
    elif w == "the day before yesterday":
        d = dct - timedelta(days=2)
    elif w == "the day after tomorrow":
        d = dct + timedelta(days=2)
    elif w == "last night":
        d = dct - timedelta(days=1)
    else:  # this morning / afternoon / evening
        d = dct
    return h.mk(_day(d), gran="day", mod=_fold_edge(edge))


@_rule(
    "weekday",
    rf"(?:\b((?i:last|next|this|coming|past|early|late|earlier|later))\s+)?\b({_WEEKDAY_RE})"
    rf"(?:'s)?(?:\s+({_POD_RE}))?(?![\w])",
    trigger=r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)",
)
def _weekday(h: Hit) -> Timex | None:
    dct = h.dct
    s = h.s
    text = h.text
    rel, wd, pod = h.g
    key = wd.lower().rstrip(".")
    if key in ("sun", "sat") and not wd.endswith("."):
        return None
    if dct is None:
        return None
    rel_l = (rel or "").lower()
    edge = rel_l if rel_l in ("early", "late", "earlier", "later") else None
    start = s
    if edge in ("earlier", "later"):
        # "early Monday" keeps the word; "later Monday" is not standard TimeML: drop it
        start = h.start(2)
    tense = h.tense()
    if text.endswith("'s") and not rel_l:
        tense = "past"  # "Thursday's meeting": a possessive names a day already known
    d = _resolve_weekday(dct, _WEEKDAYS[key], tense, rel_l or None)
    # "Friday night": annotated news (TimeBank/AQUAINT) mostly gives the day itself
    return h.mk(_day(d), gran="day", start=start)


@_rule(
    "ago",
    rf"(?i)\b(?:{_APPROX_RE}\s+)?({_NUM_RE}|{_VAGUE_RE})[\s-]+(?:(?:and\s+a\s+half|more)\s+)?"
    rf"({_UNIT_RE})\s+(ago|earlier|later|before|after|hence|from\s+now)\b",
    trigger=_UNIT_TRIGGER,
    requires=r"(?i:ago|earlier|later|before|after|hence|from)",
    anaphoric=True,
)
def _ago(h: Hit) -> Timex | None:
    dct = h.dct
    text = h.text
    numw, unit, direction = h.g
    n = _num(numw)
    d = direction.lower()
    sign = -1 if d in ("ago", "earlier", "before") else 1
    if d in ("before", "after"):
        return None  # "two days after the vote": anchored to an event, not to the DCT
    base = h.ctx.anchor(_unit_name(unit)) if d in ("earlier", "later") else dct
    if base is None:
        return None
    if n is None:
        return h.mk("PAST_REF" if sign < 0 else "FUTURE_REF")
    if unit.lower().startswith(("hour", "minute", "second")):
        return h.mk(_day(base), gran="day")
    try:
        value, gran = _shift(base, sign * int(n), unit)
    except (OverflowError, ValueError):  # "99999999 days ago": past the calendar
        return None
    if value_interval(value) is None:  # "2020 years ago" from 2000: before year 1
        return None
    return h.mk(value, gran=gran, mod="APPROX" if re.match(rf"(?i){_APPROX_RE}\b", text) else None)


@_rule(
    "duration",
    rf"(?i)\b(?:(the\s+(?:past|last|next|coming|previous|first|following|final|latter)|"
    rf"(?:past|last|next|coming|previous|first|following|final))\s+)?"
    rf"(?:({_APPROX_RE})\s+)?({_NUM_RE}|{_VAGUE_RE})(?:\s+(?:more|additional|full|straight|"
    rf"consecutive|long))?[\s-]+({_UNIT_RE})(?:\s+and\s+a\s+half)?(?:[\s-]+(old|long))?\b",
    trigger=_UNIT_TRIGGER,
    requires=r"(?i)[\s-](?:second|minute|hour|day|week|fortnight|month|quarter|year|decade|centur)",
)
def _duration(h: Hit) -> Timex | None:
    dct = h.dct
    lead, approx, numw, unit, tail = h.g
    n = None if re.fullmatch(_VAGUE_RE, numw.lower()) else _num(numw)
    if numw.lower() in ("a", "an") and not lead:
        # "a year" alone: a duration only with a preposition that measures time
        prev = h.before(14).lower()
        if not re.search(
            r"\b(?:for|in|within|over|about|nearly|almost|than|of|past|last)\s*$", prev
        ):
            return None
    if (
        numw.lower() in ("recent", "coming", "the coming")
        and not lead
        and unit.lower().endswith("s")
    ):
        code = _unit_code(unit)
        if unit.lower().startswith(("hour", "minute", "second")):
            return h.mk(f"PTX{code}", "DURATION")
        return h.mk(f"PX{'Y' if code == 'DE' else code}", "DURATION")
    if (tail or "").lower() == "old" or re.match(r"-old\b", h.after(5)):
        return None  # ages ("a 47-year-old") are not annotated as time in TimeML news
    # measures of time: "16-hour", "three-year"
    value = _duration_value(n, unit)
    if value.startswith("PT") and n is None:
        value = "PTX" + _unit_code(unit)
    if n is None and not value.startswith("PT"):
        value = "PX" + (_unit_code(unit) if _unit_code(unit) not in ("DE", "CE") else "Y")
    mod = (
        "APPROX"
        if approx
        and approx.lower()
        in (
            "about",
            "around",
            "nearly",
            "almost",
            "approximately",
            "roughly",
            "some",
            "close to",
        )
        else None
    )
    if approx and approx.lower() in ("more than", "over", "at least", "just over"):
        mod = "MORE_THAN" if approx.lower() != "at least" else "EQUAL_OR_MORE"
    if approx and approx.lower() in ("less than", "under", "at most", "up to", "just under"):
        mod = "LESS_THAN"
    typ: TimexType = "DURATION"
    rng = None
    gran: Granularity | None = None
    start_val = value
    ld = re.sub(r"\s+", " ", (lead or "").lower())
    if dct is not None and n is not None and ld:
        if ld.endswith(("past", "last", "previous")):
            back, _ = _shift_exact(dct, -n, unit)
            rng, start_val, gran = _day(dct), _day(back), "range"
        elif ld.endswith(("next", "coming", "following")):
            fwd, _ = _shift_exact(dct, n, unit)
            rng, start_val, gran = _day(fwd), _day(dct), "range"
    if rng is not None:
        # keep the TIMEX3 value a duration; the calendar span lives in range_end/start
        return h.mk(value, typ, gran, mod, f"{start_val}/{rng}")
    return h.mk(value, typ, None, mod)


@_rule(
    "long",
    r"(?i)\b(day|week|month|year|decade)(s?)-long\b",
    trigger=_UNIT_TRIGGER,
    requires=r"(?i:long)",
)
def _long(h: Hit) -> Timex | None:
    unit, plural = h.g
    code = _unit_code(unit)
    if code == "DE":
        return h.mk("P10Y" if not plural else "PXY", "DURATION")
    return h.mk(f"P{'X' if plural else '1'}{code}", "DURATION")


@_rule(
    "bare-plural",
    r"(?i)\b(?:(the\s+(?:past|last|next|coming)|recent|coming|past)\s+)?"
    r"(days|weeks|months|years|decades|hours|minutes)(?:[\s-]long)?\b",
    trigger=_UNIT_TRIGGER,
    requires=r"(?i:days|weeks|months|years|decades|hours|minutes)",
)
def _bare_plural(h: Hit) -> Timex | None:
    lead, unit = h.g
    u = unit.lower()
    prev = h.before(16).lower()
    if not lead and not re.search(
        r"\b(?:for|in|within|over|than|take|takes|took|last|lasted|of)\s*$", prev
    ):
        return None
    code = _unit_code(u)
    if u.startswith(("hour", "minute")):
        return h.mk(f"PTX{code}", "DURATION")
    if code in ("DE", "CE"):
        code = "Y" if code == "DE" else "CE"
    return h.mk(f"PX{code}", "DURATION")


@_rule(
    "vague",
    r"(?i)\b(now|nowadays|currently|current|recently|the\s+past|the\s+future|"
    r"the\s+present|these\s+days|at\s+present|in\s+the\s+past|soon|former|formerly|"
    r"once|future|previously|earlier|ever|any\s+time|anytime|lately|then)\b",
    # a word each alternative holds (tests/test_time.py checks it)
    trigger=r"(?i:now|current|recent|past|future|present|days|soon|former|once|previous|"
    r"earlier|ever|any|lately|then)",
)
def _vague(h: Hit) -> Timex | None:
    g = h.g
    s = h.s
    w = re.sub(r"\s+", " ", g[0].lower())
    prev = h.before(6).lower()
    after = h.after(12).lower()
    if w in ("now", "nowadays", "at present", "these days", "the present"):
        if w == "now" and re.match(r"\s*(?:that|defunct)\b", after):
            return None
        return h.mk("PRESENT_REF")
    if w in ("current",) and re.match(r"\s+(?:year|month|week|quarter)", after):
        return None
    if w == "current":
        return None
    if w == "currently":
        return h.mk("PRESENT_REF")
    if w in ("recently", "lately"):
        return h.mk("PAST_REF")
    if w in ("the past", "in the past"):
        if re.match(
            r"\s+(?:\d|few|several|two|three|four|five|six|seven|eight|nine|ten|year|month|week|day|decade)",
            after,
        ):
            return None
        return h.mk("PAST_REF", start=s + (3 if w.startswith("in ") else 0))
    if w in ("the future",):
        return h.mk("FUTURE_REF")
    if w == "future" and re.search(r"\b(?:near|distant|foreseeable)\s*$", prev + " "):
        return h.mk("FUTURE_REF")
    if w == "soon":
        return None
    return None


@_rule(
    "clock",
    r"(?i)\b(\d{1,2})(?::(\d\d))?\s*(a\.?m\.?|p\.?m\.?|o'clock)(?=\W|$)"
    rf"(?:\s+\(?({_ZONE_RE})\)?)?"
    rf"(?:\s+((?:{_WEEKDAY_RE[3:-1]})|today|tomorrow|yesterday|tonight))?",
    trigger=r"(?i:\d\s*(?:a\.?m|p\.?m|o'clock))",
)
def _clock(h: Hit) -> Timex | None:
    dct = h.dct
    hh, mm, ampm, _tz, day_word = h.g
    hour = int(hh)
    if hour > 12 and ampm.lower().startswith(("a", "p")):
        return None
    if ampm.lower().startswith("p") and hour < 12:
        hour += 12
    if ampm.lower().startswith("a") and hour == 12:
        hour = 0
    if dct is None:
        return None
    d = dct
    if day_word:
        k = day_word.lower().rstrip(".")
        if k in _WEEKDAYS:
            d = _resolve_weekday(dct, _WEEKDAYS[k], h.tense(), None)
        elif k == "tomorrow":
            d = dct + timedelta(days=1)
        elif k == "yesterday":
            d = dct - timedelta(days=1)
    return h.mk(f"{_day(d)}T{hour:02d}:{mm or '00'}", "TIME", "time")


@_rule(
    "clock24",
    r"(?<![\d:.])([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?\s*" + _CLOCK24_SUFFIX_RE,
    trigger=r"\d:\d",
)
def _clock24(h: Hit) -> Timex | None:
    dct = h.dct
    if dct is None:
        return None
    return h.mk(f"{_day(dct)}T{int(h.g[0]):02d}:{h.g[1]}", "TIME", "time")


@_rule(
    "noon",
    r"(?i)\b(noon|midnight|midday)\b",
    trigger=r"(?i:noon|midnight|midday)",
)
def _noon(h: Hit) -> Timex | None:
    dct = h.dct
    g = h.g
    if dct is None:
        return None
    w = g[0].lower()
    hh = "24:00" if w == "midnight" else "12:00"
    return h.mk(f"{_day(dct)}T{hh}", "TIME", "time")


@_rule(
    "set",
    r"(?i)\b(daily|weekly|monthly|annually|yearly|quarterly|nightly|hourly|biennial|"
    r"every\s+(?:day|week|month|year|quarter|morning|night|evening|other\s+\w+|"
    r"(?:\w+\s+)?(?:days|weeks|months|years))|each\s+(?:day|week|month|year|morning|night)|"
    r"(?:once|twice|three\s+times)\s+a\s+(?:day|week|month|year)|"
    r"a\s+(?:day|week|month|year)(?=\s*[,.;]|\s+(?:for|in|on|at|to|and)\b)|"
    r"per\s+(?:day|week|month|year)|annual|biannual|semiannual)\b",
    trigger=_UNIT_TRIGGER + r"|(?i:ly\b|annual)",
)
def _set(h: Hit) -> Timex | None:
    g = h.g
    w = re.sub(r"\s+", " ", g[0].lower())
    table = {
        "daily": "P1D",
        "nightly": "P1D",
        "weekly": "P1W",
        "monthly": "P1M",
        "annually": "P1Y",
        "yearly": "P1Y",
        "annual": "P1Y",
        "quarterly": "P3M",
        "hourly": "PT1H",
        "biennial": "P2Y",
        "biannual": "P6M",
        "semiannual": "P6M",
    }
    if w in ("annual", "biannual", "semiannual", "biennial"):
        nxt = h.after(20).lower()
        if not re.match(r"\s+(?:meeting|summit|report|conference|review|event)", nxt):
            return None
    if w in table:
        return h.mk(table[w], "SET")
    unit = re.search(r"(day|week|month|year|quarter|morning|night|evening)s?\b", w)
    if not unit:
        return None
    u = unit.group(1)
    if u in ("morning", "night", "evening"):
        u = "day"
    nm = re.search(r"every\s+(\w+)\s+(?:days|weeks|months|years)", w)
    n = _num(nm.group(1)) if nm else (2 if "other" in w else 1)
    return h.mk(_duration_value(n, u), "SET")


@_rule(
    "holiday",
    rf"\b(?:(last|next|this)\s+)?(Christmas(?:\s+Day|\s+Eve)?|New\s+Year's\s+(?:Day|Eve)|"
    rf"Thanksgiving(?:\s+Day)?|Independence\s+Day|Halloween|Valentine's\s+Day|"
    rf"Boxing\s+Day|May\s+Day|Labor\s+Day|Memorial\s+Day|Election\s+Day)"
    rf"(?:,?\s+({_YEAR_RE}))?\b",
    trigger=r"Christmas|New Year|Thanksgiving|Halloween|Valentine| Day",
)
def _holiday(h: Hit) -> Timex | None:
    dct = h.dct
    rel, hol, yr = h.g
    name = re.sub(r"\s+", " ", hol.lower())
    if dct is None and not yr:
        return None
    y = int(yr) if yr else dct.year
    fixed = {
        "christmas": (12, 25),
        "christmas day": (12, 25),
        "christmas eve": (12, 24),
        "new year's day": (1, 1),
        "new year's eve": (12, 31),
        "independence day": (7, 4),
        "halloween": (10, 31),
        "valentine's day": (2, 14),
        "boxing day": (12, 26),
        "may day": (5, 1),
    }
    if name in fixed:
        mo, dd = fixed[name]
    elif name.startswith("thanksgiving"):
        first = date(y, 11, 1)
        dd = 1 + (3 - first.weekday()) % 7 + 21
        mo = 11
    elif name == "labor day":
        first = date(y, 9, 1)
        mo, dd = 9, 1 + (0 - first.weekday()) % 7
    elif name == "memorial day":
        last = date(y, 5, 31)
        mo, dd = 5, 31 - (last.weekday() - 0) % 7
    elif name == "election day":
        first = date(y, 11, 2)
        mo, dd = 11, 2 + (1 - first.weekday()) % 7
    else:
        return None
    if not yr and dct is not None:
        d0 = date(y, mo, dd)
        r = (rel or "").lower()
        t = h.tense()
        if (r == "last" or (not r and t == "past")) and d0 > dct:
            y -= 1
        elif (r == "next" or (not r and t == "future")) and d0 < dct:
            y += 1
        if y != d0.year:
            return _holiday(h.with_groups((None, hol, str(y))))  # once: the year is set now
    return h.mk(_day(date(y, mo, dd)), gran="day")


# --------------------------------------------------------------------------- public API


def _sentence_bounds(text: str) -> list[tuple[int, int]]:
    from newsweave.sentences import sentence_spans

    spans = sentence_spans(text)
    return spans or [(0, len(text))]


def find_timexes(
    text: str,
    dct: date | str | None,
    *,
    sentences: list[tuple[int, int]] | None = None,
    split_ranges: bool = True,
) -> list[Timex]:
    """Every temporal expression in ``text``, normalised against ``dct``.

    ``dct`` is the document creation time (publication date). Without it only absolute
    expressions ("June 24 2020", "in 2017") get values. ``sentences`` are ``[start, end)``
    offsets that bound the tense context; by default the text is split with pysbd.
    Overlapping candidates are resolved longest-first, so "February next year" wins over
    "February" and "the end of this year" over "this year".
    """
    if isinstance(dct, str):
        dct = date.fromisoformat(dct[:10]) if dct else None
    bounds = sentences if sentences is not None else _sentence_bounds(text)
    out: list[Timex] = []
    ref: tuple[date, str | None] | None = None
    groups = _triggered_rules(text)
    # where each trigger's words occur, as sentence numbers (sentences in text order)
    in_order = all(a[0] <= a[1] <= b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    word_hits = [
        trigger.sentences(bounds) if trigger is not None and in_order else None
        for trigger, _ in groups
    ]
    # the same for each rule's required words (:attr:`Rule.requires`); None: none occur
    needs = _required_words(text, groups, bounds if in_order else None)
    for k, (s0, s1) in enumerate(bounds):
        ctx = _Ctx(text, dct, s0, s1)
        chunk = text[s0:s1]
        # the chunk's lowercase for the case-insensitive patterns' twins (newsweave.caseless)
        low = caseless.lowered(chunk)
        cands: list[tuple[int, int, int, Timex, Rule, Hit]] = []
        for (trigger, rules), hits in zip(groups, word_hits, strict=True):
            if trigger is not None:
                if hits is None:
                    if not trigger.occurs(chunk, s0, s1):
                        continue
                elif k not in hits and not trigger.searched(chunk, low):
                    continue
            for prio, rule in rules:
                if rule.requires is not None:
                    need = needs[rule.requires]
                    if need is None:
                        continue
                    found, need_hits = need
                    if need_hits is None:
                        if not found.occurs(chunk, s0, s1):
                            continue
                    elif k not in need_hits and not found.searched(chunk, low):
                        continue
                for m in caseless.finditer(rule.pattern, chunk, low):
                    if m.end() == m.start():
                        continue
                    hit = Hit(rule.name, m, s0, ctx)
                    tx = rule.interpret(hit)
                    if tx is not None and tx.end > tx.start:
                        cands.append((tx.start, tx.end, prio, tx, rule, hit))
        # longest span first, then rule order; keep non-overlapping
        cands.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
        taken: list[tuple[int, int]] = []
        chosen: list[tuple[Timex, Rule, Hit]] = []
        for st, en, _, tx, rule, hit in cands:
            if any(st < b and en > a for a, b in taken):
                continue
            taken.append((st, en))
            chosen.append((tx, rule, hit))
        for tx, rule, hit in sorted(chosen, key=lambda c: c[0].start):
            tx = _trim_span(tx, text)
            if rule.anaphoric and ref is not None:
                ctx.ref, ctx.ref_gran = ref
                tx = _trim_span(rule.interpret(hit) or tx, text)
                ctx.ref = ctx.ref_gran = None
            if rule.explicit and tx.type == "DATE" and tx.granularity != "range":
                first = value_interval(tx.value)
                if first is not None:
                    ref = (first[0], tx.granularity)
            if split_ranges and tx.parts:
                # TimeML annotates each end of a range as its own expression
                for a, b, v in tx.parts:
                    out.append(
                        Timex(a, b, text[a:b], tx.type, v, _value_gran(v), None, None, tx.rule)
                    )
            else:
                out.append(tx)
    return out


#: What makes a pattern's match depend on the text around it: anchors, word boundaries,
#: lookarounds (conservatively: any ``^`` or ``$``, escaped or in a class too).
_CONTEXT_SYNTAX = re.compile(r"\\[bBAZ]|[$^]|\(\?<?[=!]")


@lru_cache(maxsize=256)
def _context_free(pattern: re.Pattern[str]) -> bool:
    """True when ``pattern`` matches in a piece of text only where it matches in any text
    containing that piece (no anchors, word boundaries or lookarounds)."""
    return _CONTEXT_SYNTAX.search(pattern.pattern) is None


def _absent_triggers(text: str, *, word_triggers: bool = True) -> set[re.Pattern[str]]:
    """The rule triggers that cannot occur in any sentence of ``text``: context-free ones
    found nowhere in the whole text (one search per article instead of one per sentence;
    most articles name no weekday, season or holiday). ``word_triggers=False`` leaves out
    triggers of plain words (:class:`_Trigger` finds those itself)."""
    triggers = {r.trigger for r in RULES if r.trigger is not None}
    return {
        t
        for t in triggers
        if _context_free(t)
        and (word_triggers or _WORDS.fullmatch(t.pattern) is None)
        and t.search(text) is None
    }


def _rules_by_trigger(
    text: str, *, word_triggers: bool = True
) -> list[tuple[re.Pattern[str] | None, list[tuple[int, Rule]]]]:
    """:data:`RULES` with their priorities, grouped by trigger (None: no trigger) in order
    of first use, without the groups whose trigger :func:`_absent_triggers` rules out: a
    sentence searches each trigger once (33 rules share 17), and only where it can occur.
    Candidates are ordered by span and priority afterwards, so the grouping changes no
    result (a rule's own matches stay in text order)."""
    absent = _absent_triggers(text, word_triggers=word_triggers)
    groups: dict[re.Pattern[str] | None, list[tuple[int, Rule]]] = {}
    for prio, rule in enumerate(RULES):
        groups.setdefault(rule.trigger, []).append((prio, rule))
    return [(t, rules) for t, rules in groups.items() if t not in absent]


#: A trigger (or a part of one) written as plain words: ``Jan|Feb``, ``(?:Mon|Tue)``,
#: ``(?i:day|week)``: it occurs where one of its words does (case-insensitively after ``i``).
_WORDS = re.compile(r"\(\?(i?):([A-Za-z ]+(?:\|[A-Za-z ]+)*)\)|([A-Za-z ]+(?:\|[A-Za-z ]+)*)")


def _top_level_parts(pattern: str) -> list[str]:
    """``pattern`` cut at its top-level ``|`` (one part when that is not plainly safe: a
    global inline flag or a back-reference would change meaning when parts stand alone)."""
    if re.match(r"\(\?[aiLmsux]+\)", pattern) or re.search(r"\\\d|\(\?P=", pattern):
        return [pattern]
    parts: list[str] = []
    depth = start = i = 0
    in_class = False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            if pattern.startswith("^", i + 1):
                i += 1
            if pattern.startswith("]", i + 1):  # "[]" and "[^]": the "]" is a member
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


@lru_cache(maxsize=256)
def _trigger_parts(
    pattern: re.Pattern[str],
) -> tuple[tuple[tuple[str, ...], bool] | re.Pattern[str], ...]:
    """The top-level alternatives of a trigger: ``(words, caseless)`` for one written as
    plain words (:data:`_WORDS`), else the alternative as a pattern."""
    if pattern.flags & ~re.UNICODE:
        return (pattern,)
    parts: list[tuple[tuple[str, ...], bool] | re.Pattern[str]] = []
    for part in _top_level_parts(pattern.pattern):
        m = _WORDS.fullmatch(part)
        if m is None:
            parts.append(pattern if part == pattern.pattern else re.compile(part, pattern.flags))
        elif m.group(1):
            parts.append((tuple(w.lower() for w in m.group(2).split("|")), True))
        else:
            parts.append((tuple((m.group(2) or m.group(3)).split("|")), False))
    return tuple(parts)


class _Trigger:
    """One rule trigger over one article: where it can occur, found once per article.

    The trigger is cut into its top-level alternatives; an alternative of plain words is
    looked up with ``str.find`` over the whole article (every occurrence, overlapping ones
    too), so a sentence contains it exactly when one occurrence lies inside the sentence; any
    other alternative is searched in the sentence as before. ``(?i:...)`` words are looked
    up in the article's ``lower()`` (exact unless the article has a :data:`ODD_FOLDS`
    character; then they are searched as a pattern)."""

    __slots__ = ("_spans", "_patterns")

    def __init__(self, pattern: re.Pattern[str], text: str, lowered: str | None) -> None:
        starts_ends: list[tuple[int, int]] = []
        patterns: list[re.Pattern[str]] = []
        for part in _trigger_parts(pattern):
            if isinstance(part, re.Pattern):
                patterns.append(part)
                continue
            words, caseless = part
            if caseless and lowered is None:
                patterns.append(re.compile("(?i:" + "|".join(words) + ")"))
                continue
            hay = lowered if caseless else text
            for word in words:
                at = hay.find(word)
                while at >= 0:
                    starts_ends.append((at, at + len(word)))
                    at = hay.find(word, at + 1)
        starts_ends.sort()
        self._spans = ([a for a, _ in starts_ends], [b for _, b in starts_ends])
        self._patterns = tuple(patterns)

    def absent(self) -> bool:
        """True when no sentence can contain the trigger: none of its words occur and it
        has no other part, or it is context-free and not found in the whole text."""
        return not self._spans[0] and not self._patterns

    def occurs(self, chunk: str, s0: int, s1: int) -> bool:
        """Whether the trigger matches in ``chunk`` (``text[s0:s1]``)."""
        starts, ends = self._spans
        i = bisect_left(starts, s0)
        while i < len(starts) and starts[i] < s1:
            if ends[i] <= s1:
                return True
            i += 1
        return self.searched(chunk)

    def searched(self, chunk: str, lowered: str | None = None) -> bool:
        """Whether an alternative that is not plain words matches in ``chunk``
        (``lowered``: its ``lower()`` when ASCII, for :func:`_search_in`)."""
        return any(caseless.search(p, chunk, lowered) is not None for p in self._patterns)

    def sentences(self, bounds: list[tuple[int, int]]) -> set[int]:
        """The numbers of the sentences (``bounds``: in text order, none overlapping) one of
        the trigger's words occurs in: :meth:`occurs` for all of them at once, from the
        word occurrences (a word lies in a sentence only if in the last one starting at or
        before it)."""
        firsts = [s0 for s0, _ in bounds]
        found: set[int] = set()
        for start, end in zip(*self._spans, strict=True):
            k = bisect_right(firsts, start) - 1
            if k >= 0 and end <= bounds[k][1]:
                found.add(k)
        return found


def _triggered_rules(
    text: str,
) -> list[tuple[_Trigger | None, list[tuple[int, Rule]]]]:
    """:func:`_rules_by_trigger` for ``text`` with each trigger read once over the whole
    article (:class:`_Trigger`)."""
    lowered = None
    if text.isascii() or not any(c in text for c in ODD_FOLDS):
        lowered = text.lower()
    out: list[tuple[_Trigger | None, list[tuple[int, Rule]]]] = []
    for trigger, rules in _rules_by_trigger(text, word_triggers=False):
        if trigger is None:
            out.append((None, rules))
            continue
        found = _Trigger(trigger, text, lowered)
        if not found.absent():
            out.append((found, rules))
    return out


def _required_words(
    text: str,
    groups: list[tuple[_Trigger | None, list[tuple[int, Rule]]]],
    bounds: list[tuple[int, int]] | None,
) -> dict[re.Pattern[str], tuple[_Trigger, set[int] | None] | None]:
    """Each :attr:`Rule.requires` of the rules in ``groups``, read once over ``text`` as a
    :class:`_Trigger`, with the sentences it occurs in when ``bounds`` (in text order) are
    given; None for one that occurs nowhere (its rule cannot match in this article)."""
    odd = not text.isascii() and any(c in text for c in ODD_FOLDS)
    lowered = None if odd else text.lower()
    needs: dict[re.Pattern[str], tuple[_Trigger, set[int] | None] | None] = {}
    for _, rules in groups:
        for _, rule in rules:
            req = rule.requires
            if req is None or req in needs:
                continue
            found = _Trigger(req, text, lowered)
            if found.absent():
                needs[req] = None
            else:
                needs[req] = (found, found.sentences(bounds) if bounds is not None else None)
    return needs


_LEAD_TRIM = re.compile(
    r"(?i)(?:earlier|later|about|nearly|almost|only|just|roughly|approximately|around|some)\s+"
)


def _trim_span(tx: Timex, text: str) -> Timex:
    """TimeML extents: no possessive "'s", no leading "earlier"/"later" or approximators
    ("about five hours" is ``five hours`` with mod APPROX). The value is unchanged.

    Articles stay ("the past 20 years"): AQUAINT leaves them out, TimeBank keeps them, and
    keeping them scored better on the corpus not used for tuning."""
    start, end = tx.start, tx.end
    span = text[start:end]
    if span.endswith(("'s", "’s")):
        end -= 2
    while (m := _LEAD_TRIM.match(text, start, end)) and m.end() < end:
        start = m.end()
    if (start, end) == (tx.start, tx.end):
        return tx
    return replace(tx, start=start, end=end, text=text[start:end])


def _value_gran(value: str) -> Granularity | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "day"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return "month"
    if re.fullmatch(r"\d{4}", value):
        return "year"
    return None


# --------------------------------------------------------------------------- TimeRefs


_GRAN_RANK = {
    "time": 0,
    "day": 1,
    "range": 2,
    "week": 3,
    "month": 4,
    "quarter": 5,
    "year": 6,
    "decade": 7,
}


def value_interval(value: str) -> tuple[date, date] | None:
    """First and last day a TIMEX3 calendar value covers ("2020-Q4" → Oct 1 .. Dec 31)."""
    v = value.split("T")[0]
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            d = date.fromisoformat(v)
            return d, d
        if m := re.fullmatch(r"(\d{4})-(\d{2})", v):
            y, mo = int(m.group(1)), int(m.group(2))
            ny, nm = _add_months(y, mo, 1)
            return date(y, mo, 1), date(ny, nm, 1) - timedelta(days=1)
        if m := re.fullmatch(r"(\d{4})-W(\d{2})(?:-WE)?", v):
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
            if v.endswith("WE"):
                return monday + timedelta(days=5), monday + timedelta(days=6)
            return monday, monday + timedelta(days=6)
        if m := re.fullmatch(r"(?:FY)?(\d{4})-([QH])(\d)", v):
            y, k, n = int(m.group(1)), m.group(2), int(m.group(3))
            span = 3 if k == "Q" else 6
            mo = (n - 1) * span + 1
            ny, nm = _add_months(y, mo, span)
            return date(y, mo, 1), date(ny, nm, 1) - timedelta(days=1)
        if m := re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", v):
            y = int(m.group(1))
            a, b = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}[m.group(2)]
            ey, em = _add_months(y, b, 1)
            return date(y, a, 1), date(ey, em, 1) - timedelta(days=1)
        if m := re.fullmatch(r"(?:FY)?(\d{4})", v):
            y = int(m.group(1))
            return date(y, 1, 1), date(y, 12, 31)
        if m := re.fullmatch(r"(\d{3})X?", v):
            y = int(m.group(1)) * 10
            return date(y, 1, 1), date(y + 9, 12, 31)
        if m := re.fullmatch(r"(\d{2})", v):
            y = int(m.group(1)) * 100
            return date(max(y, 1), 1, 1), date(y + 99, 12, 31)
    except ValueError:
        return None
    return None


def _calendar_value(tx: Timex) -> tuple[str, Granularity, str | None] | None:
    """(value, granularity, range_end) for a TimeRef, or None when not a calendar date.

    The TIMEX3 modifier is folded into the calendar value where a finer unit says it
    better: "the end of this year" → the year's last month ("2020-12"), "early 2021" →
    "2021-01". This is the documented choice for the issue's "towards the end of this
    year" (month, not quarter), because event timelines sort and group by month.
    """
    if tx.type == "DURATION" and tx.range_end and "/" in tx.range_end:
        a, b = tx.range_end.split("/")
        return a, "range", b
    if tx.type not in ("DATE", "TIME"):
        return None
    if tx.value.endswith("_REF"):
        return None
    if tx.granularity == "range":
        return tx.value, "range", tx.range_end
    gran = tx.granularity
    if gran is None:
        return None
    value = tx.value
    if gran == "year" and tx.mod in ("END", "START") and re.fullmatch(r"\d{4}", value):
        return f"{value}-{'12' if tx.mod == 'END' else '01'}", "month", None
    if gran == "time":
        return value, "time", None
    return value, gran, None


def _relation(
    value: str, range_end: str | None, dct: date | None, tense: Tense
) -> TemporalRelation:
    """Past / ongoing / future of a calendar value relative to the publication date.

    When the value's interval contains the publication day (today, this week, this year),
    the tense of its sentence decides: "earlier this year ... was" is past, "will ... this
    year" is future; otherwise the reference is ongoing.
    """
    first = value_interval(value)
    last = value_interval(range_end) if range_end else first
    if first is None or last is None or dct is None:
        return "past" if tense == "past" else ("future" if tense == "future" else "ongoing")
    lo, hi = first[0], last[1]
    if hi < dct:
        return "past"
    if lo > dct:
        return "future"
    if range_end is not None:
        return "ongoing"  # a span that has begun ("from September 4 to 5" on the 4th)
    if tense == "past":
        return "past"
    if tense == "future":
        return "future"
    return "ongoing"


def extract_time(
    article: Article, sentences: list[Sentence] | None = None
) -> tuple[list[TimeRef], list[DatedSentence]]:
    """TimeRefs (anchored expressions) and a DatedSentence per sentence of ``article``.

    A sentence is dated by its most specific expression (a day beats a month beats a
    year; the first wins a tie) with ``anchored=True``. A sentence with none inherits: the
    previous sentence's date when it continues a past narrative in the same paragraph,
    otherwise the publication date (``anchored=False``) — what a news report without a
    date in it usually talks about. Articles without a publication date get relative
    expressions left out and undated sentences skipped.
    """
    dct = date.fromisoformat(article.published[:10]) if article.published else None
    sents = sentences if sentences is not None else split_sentences(article)
    bounds = [(s.start, s.end) for s in sents]
    timexes = (
        find_timexes(article.text, dct, sentences=bounds, split_ranges=False) if bounds else []
    )
    refs: list[TimeRef] = []
    by_sentence: dict[int, list[tuple[TimeRef, Timex]]] = {}
    si = 0
    for tx in timexes:
        cal = _calendar_value(tx)
        if cal is None:
            continue
        value, gran, rend = cal
        while si < len(sents) and sents[si].end <= tx.start:
            si += 1
        sent = sents[si] if si < len(sents) else None
        tense = _tense_near(sent.text, tx.start - sent.start, tx.end - sent.start) if sent else None
        ref = TimeRef(
            article=article.id,
            start=tx.start,
            end=tx.end,
            text=tx.text,
            value=value,
            granularity=gran,
            relation=_relation(value, rend, dct, tense),
            range_end=rend,
        )
        refs.append(ref)
        if sent is not None:
            by_sentence.setdefault(sent.index, []).append((ref, tx))
    # first pass: the date each sentence states itself
    own: dict[int, TimeRef] = {}
    for sent in sents:
        cands = by_sentence.get(sent.index, [])
        if cands:
            own[sent.index] = min(
                cands,
                key=lambda c: (
                    _inside_quotes(article.text, sent.start, c[0].start),
                    _GRAN_RANK.get(c[0].granularity, 9),
                    c[0].start,
                ),
            )[0]
    main = _main_event_day(own.values(), dct)

    def dated_as(sent: Sentence, date_: str, gran: Granularity, rel, anchored: bool):
        return DatedSentence(
            article=article.id,
            sentence=sent.index,
            start=sent.start,
            end=sent.end,
            text=sent.text,
            date=date_,
            granularity=gran,
            relation=rel,
            anchored=anchored,
        )

    dated: list[DatedSentence] = []
    prev: DatedSentence | None = None
    for sent in sents:
        ref = own.get(sent.index)
        tense = _sentence_tense(sent.text)
        if ref is not None:
            ds = dated_as(sent, ref.value, ref.granularity, ref.relation, True)
        elif (
            tense == "past"
            and prev is not None
            and _PAST_PERFECT.search(sent.text)
            and "\n" not in article.text[prev.end : sent.start]
            and main is not None
            and prev.date < main
        ):
            # "He had represented India at the parade on June 24. It had ...": background
            # narrative in the past perfect continues the earlier date
            ds = dated_as(sent, prev.date, prev.granularity, "past", False)
        elif tense == "past" and main is not None:
            ds = dated_as(sent, main, "day", "past", False)
        elif dct is not None:
            rel: TemporalRelation = (
                "future" if tense == "future" else ("past" if tense == "past" else "ongoing")
            )
            ds = dated_as(sent, dct.isoformat(), "day", rel, False)
        else:
            prev = None
            continue
        dated.append(ds)
        prev = ds
    return refs, dated


_PAST_PERFECT = re.compile(
    r"(?i)\bhad\s+(?:(?:not|never|already|also|just|been|recently)\s+)*"
    r"[a-z]+(?:ed|en|wn|ne|t)\b"
)


def _main_event_day(refs: Iterable[TimeRef], dct: date | None) -> str | None:
    """The day the article reports on: its first past day-level date within a week before
    publication ("Singh on Thursday held talks" in a Friday report), else the publication
    day. Undated past-tense sentences of a news report are about that day far more often
    than about the background dates mentioned in passing."""
    if dct is None:
        return None
    for ref in refs:
        if ref.granularity != "day" or ref.relation != "past":
            continue
        try:
            day = date.fromisoformat(ref.value)
        except ValueError:
            continue
        if dct - timedelta(days=7) <= day <= dct:
            return ref.value
    return dct.isoformat()


_QUOTES = re.compile(r'["“”]')


def _inside_quotes(text: str, sent_start: int, pos: int) -> bool:
    """Whether ``pos`` sits inside a quotation of its sentence (odd number of quote marks
    before it). A quoted "today" is the speaker's day, so the sentence is better dated by
    an expression of the reporting frame ("..., Singh tweeted on Thursday")."""
    return len(_QUOTES.findall(text, sent_start, pos)) % 2 == 1


_MAIN_FUTURE = re.compile(
    r"(?i)\b(?:will|shall|'ll|to be held|is to|are to|(?:is|are) (?:scheduled|expected|set|due|"
    r"slated|likely|going) to)\b"
)
_MAIN_PAST_WORDS = "was|were|had|did|has|have|said|told|held|met|took|gave|went|came|left|made"
_MAIN_PAST_WEAK = re.compile(r"\b(?:[a-z]{3,}[^e\W]ed)\b")
_MAIN_PRESENT_WORDS = "is|are|am|remains?|seems?"
#: The first past ("was", "said") or present ("is") auxiliary or verb, in one search (group
#: 1: past). No word of one list starts where a word of the other does, so the first match
#: is the earlier of the two lists' first matches.
_MAIN_PAST_OR_PRESENT = re.compile(rf"(?i)\b(?:({_MAIN_PAST_WORDS})|({_MAIN_PRESENT_WORDS}))\b")


def _sentence_tense(text: str) -> Tense:
    """Rough tense of a whole sentence: a future marker anywhere wins; otherwise the first
    auxiliary or common past verb ("Singh is currently on a visit ... combined meeting" is
    present); a regular past form ("-ed") only when there is neither."""
    low = caseless.lowered(text)
    if caseless.search(_MAIN_FUTURE, text, low) is not None:
        return "future"
    first = caseless.search(_MAIN_PAST_OR_PRESENT, text, low)
    if first is not None:
        return "past" if first.group(1) is not None else "present"
    if _MAIN_PAST_WEAK.search(text):
        return "past"
    return "present"


__all__ = [
    "Timex",
    "extract_time",
    "find_timexes",
    "value_interval",
]
