"""Claim slots: what a statement says about one facet of a happening, and when two disagree.

A *slot kind* is one small class with four jobs:

- ``extract(text, ctx)``: the values of that slot in a statement's text (normalised on the
  way in: feet and metres to metres, "bn" and "billion" to 1e9, "three" to 3, a weekday
  through the time stage to its calendar day);
- ``compare(a, b, pair)``: whether two statements about the same thing fill the slot with
  incompatible values, returning the two values;
- ``label(value)``: the value as a reader sees it;
- ``relation(a, b, pair, values)``: whether a disagreement between articles published at
  different times is an *update* ("4 injured" on day one, "6 injured" on day two) rather
  than a contradiction.

``SLOT_KINDS`` lists the kinds in the order they are tried; the first that finds a conflict
names it. Adding a kind is one class appended there: the claims stage extracts every kind
into ``Statement.slots`` and compares through this registry only.

Every kind asks the same question first — do the two statements speak of the same thing? —
each in its own terms: a place must anchor the same happening (shared words right before the
preposition), a number must count the same noun after similar words in a statement that is
otherwise alike and name no different person or period, a date must belong to an otherwise
equal statement, a status must concern the same deal. ``PairContext`` carries what they share.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:  # the claims stage imports this module; only type names come back
    from newsweave.claims import ClaimOptions, Statement

from newsweave import caseless
from newsweave.caseless import Caseless
from newsweave.records import TimeRef

# --------------------------------------------------------------------------- shared lexicon


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def word_list(text: str) -> list[str]:
    return text.split()


STOPWORDS = words(
    "a about above after again against all also am an and any are as at be because been "
    "before being below between both but by can did do does doing down during each either "
    "else even ever every few for from further had has have having he her here hers "
    "herself him himself his how i if in into is it its itself just least less let like "
    "many me more most much must my myself neither no nor not now of off on once one only "
    "or other our ours ourselves out over own per same she should since so some such than "
    "that the their theirs them themselves then there these they this those though "
    "through thus to too under until up upon us very was we were what when where whether "
    "which while who whom whose why will with within without would yet you your yours "
    "yourself said says say saying told added according meanwhile also including however "
    "earlier later today yesterday tomorrow monday tuesday wednesday thursday friday "
    "saturday sunday mr ms mrs dr "
)
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        word_list(
            "january february march april may june july august september october november december "
        )
    )
}
MONTHS.update({m[:3]: n for m, n in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = words("monday tuesday wednesday thursday friday saturday sunday")

_SYNONYM_STEMS = {
    "naval": "navi",
    "manufactur": "produc",
    "product": "produc",
    "produc": "produc",
    "finaliz": "finalis",
    "organiz": "organis",
    "militari": "militari",
}
_SUFFIXES = (
    "ational",
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ions",
    "ion",
    "ies",
    "ied",
    "ed",
    "es",
    "s",
)
_TOKEN_RE = re.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A crude, consistent English stem (suffix stripping), so "exercises" meets "exercise".

    Consistency matters more than linguistics here: both sides of a comparison go through
    the same function. Derivations it cannot join are mapped in ``_SYNONYM_STEMS``.
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if w.isdigit() or len(w) <= 3:
        return _SYNONYM_STEMS.get(w, w)
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            w = w[: -len(suf)] + ("i" if suf in ("ies", "ied") else "")
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    if w.endswith("y") and len(w) > 3:
        w = w[:-1] + "i"
    if w.endswith("al") and len(w) > 6:
        w = w[:-2]
    return _SYNONYM_STEMS.get(w, w)


def tokens(text: str) -> list[str]:
    """Word and number tokens; codes like "AK203" split into "AK", "203" so variants meet."""
    return [t.replace(",", "") if t[0].isdigit() else t for t in _TOKEN_RE.findall(text)]


def content_stems(text: str, toks: Sequence[str] | None = None) -> list[str]:
    """Stems of the content words of ``text`` (stopwords dropped, numbers kept); ``toks``:
    its :func:`tokens`, when the caller has them already."""
    return [
        stem(t)
        for t in (tokens(text) if toks is None else toks)
        if t.lower() not in STOPWORDS and len(t) > 1
    ]


def weighted_dice(a: frozenset[str], b: frozenset[str], idf: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    # fsum: exactly rounded, so the same whatever order a set iterates in (string hashes
    # differ from process to process; a plain sum made ties break differently)
    shared = math.fsum(idf.get(t, 1.0) for t in a & b)
    total = math.fsum(idf.get(t, 1.0) for t in a) + math.fsum(idf.get(t, 1.0) for t in b)
    return 2.0 * shared / total if total else 0.0


def wordy(stems: frozenset[str] | set[str]) -> set[str]:
    """Content stems that are words, not numbers, months or entity ids."""
    return {t for t in stems if t.isalpha() and t not in MONTHS and not t.startswith("ent:")}


# --------------------------------------------------------------------------- hedging

HEDGE_RE = re.compile(
    r"\b(likely|unlikely|expected to|expects to|may|might|could|possibly|probably|perhaps|"
    r"reportedly|allegedly|purportedly|apparently|rumou?red|unconfirmed|unverified|"
    r"no (?:official )?confirmation|not (?:been |yet )?confirmed|yet to be confirmed|"
    r"(?:is|are|was|were) said to|believed to|appears? to|seems? to|speculat\w*|"
    r"it is understood|sources close to|I (?:guess|suppose|bet|think|wonder|reckon)|"
    # a correction note quotes the error it corrects: "The original said that ..."
    r"the original (?:said|stated|read|reported|version)|an earlier version of this)\b",
    re.IGNORECASE,
)
# Parts of every HEDGE_RE cue, tested as substrings first (most sentences hold none).
_HEDGE_PARTS = (
    "likely",
    "expect",
    "may",
    "might",
    "could",
    "possibl",
    "probabl",
    "perhaps",
    "reported",
    "alleged",
    "purported",
    "apparent",
    "rumo",
    "unconfirmed",
    "unverified",
    "confirm",
    "said to",
    "believed to",
    "appear",
    "seem",
    "speculat",
    "understood",
    "sources close",
    "i guess",  # a reader's comment under the article: "I guess 42,000 gallons ..."
    "i suppose",
    "i bet",
    "i think",
    "i wonder",
    "i reckon",
    "the original",
    "earlier version",
)


@lru_cache(maxsize=1 << 14)
def hedged_text(text: str) -> bool:
    """Whether ``text`` holds a hedge cue (:data:`HEDGE_RE`)."""
    low = text.lower()
    return any(p in low for p in _HEDGE_PARTS) and bool(HEDGE_RE.search(text))


# Where a hedge cue stops governing a figure: a clause boundary, or a word that opens
# another clause ("in what is believed to be France's biggest theft", "but it could take").
_HEDGE_BOUNDARY = re.compile(
    r"[,;:()]|\s[-–—]+\s|\b(?:and that|but|while|whereas|which|who|in what|although|though)\b",
    re.I,
)


def hedged_figure(st: Statement, q: Quantity) -> bool:
    """Whether the figure ``q`` of ``st`` is hedged: its statement is, by a cue that is not
    outside the figure's clause."""
    return st.hedged and not q.hedge_free


# A modal that heads a list of verbs governs the figure the last of them takes: "could skim,
# suck up or otherwise remove 20 million gallons" (the commas part verbs, not clauses).
_LISTED_VERBS = re.compile(
    r"\b(could|may|might|can|would)\s+(?:[a-z]+\s+){0,2}?[a-z]+"
    r"(?:\s*,\s*(?:[a-z]+\s+){0,2}?[a-z]+)+\s*,?\s+(?:or|and)\s+(?:[a-z]+\s+){0,3}$",
    re.I,
)


def _listed_modal(text: str, start: int) -> str:
    """The modal ("could", "can" ...) heading a list of verbs whose last takes the figure at
    ``start`` (:data:`_LISTED_VERBS`), lower-cased; "" when none."""
    m = _LISTED_VERBS.search(text[max(0, start - 120) : start])
    return m.group(1).lower() if m else ""


# The rest of a figure's aside when the aside closes right before a modal verb: the figure
# describes the subject of that verb ("X, below 6,000 psi, could mean ...").
_ASIDE_BEFORE_MODAL = re.compile(r"[^,;:()\-–—]{0,40}?[,)]\s*(?:could|may|might|would)\b", re.I)


def _hedge_free(text: str, start: int, end: int) -> bool:
    """Whether ``text`` holds hedge cues but none in the clause of the figure at
    ``start:end``: "With the oil now coating 1,800 square miles of water, BP officials
    acknowledge it could take months" hedges the months, not the 1,800 square miles."""
    if not hedged_text(text):
        return False  # hedged by something other than a cue in it (a speech tag, a denial)
    if _listed_modal(text, start) in ("could", "may", "might"):
        return False  # "could skim, suck up or otherwise remove 20 million gallons"
    if _ASIDE_BEFORE_MODAL.match(text, end):
        return False  # "Low pressure, below 6,000 psi or so, could mean more leaks": an aside
        # on the subject of a hedged verb is as hedged as the verb
    before = _HEDGE_BOUNDARY.split(text[:start])[-1]
    after = _HEDGE_BOUNDARY.split(text[end:])[0]
    return not hedged_text(before + text[start:end] + after)


# --------------------------------------------------------------------------- contexts


@dataclass(frozen=True, slots=True)
class SlotContext:
    """What ``extract`` may use besides the text: the article's publication day and the time
    stage's expressions inside the statement (offsets relative to the statement text)."""

    published: date | None = None
    times: tuple[TimeRef, ...] = ()
    offset: int = 0  # where the statement text starts in the article (TimeRef offsets)
    quoted: bool = False  # the statement is a quotation (its "today" is the speaker's day)
    #: the persons the nlp stage found inside the statement, as (offset in the statement
    #: text, name), in text order; and the last person named before it (for "he", "his")
    persons: tuple[tuple[int, str], ...] = ()
    antecedent: str = ""
    #: the names that may own a figure (persons and organisations, same layout); empty:
    #: ``persons``
    names: tuple[tuple[int, str], ...] = ()
    #: the article's text just before the statement (what a pronoun subject points back to:
    #: "Oil from the Deepwater Horizon is not expected ... As of Tuesday, it was about 20
    #: miles offshore")
    before: str = ""


@dataclass(frozen=True, slots=True)
class PairContext:
    """What ``compare`` may use: the pair's similarity, IDF weights, both articles' full
    texts (an article is self-consistent: a value it also names is no conflict), both
    publication days, and the stage's options."""

    sim: float
    idf: Mapping[str, float]
    text_a: str
    text_b: str
    published_a: date | None
    published_b: date | None
    options: ClaimOptions
    #: every figure each article gives, as (unit, value) (an article gives both values: no
    #: conflict — a range, or two sources it reports side by side)
    figures_a: frozenset[tuple[str, float]] = frozenset()
    figures_b: frozenset[tuple[str, float]] = frozenset()
    #: the learned same-thing signal, computed only when asked: the sentence-embedding cosine
    #: of the two statements with their figures masked (``None``: no encoder given)
    cosine: Callable[[], float] | None = None
    #: the cosine at which the encoder must confirm two figures whose words do not say that
    #: they measure one quantity (across events: ``ClaimOptions.cross_event_cosine``); 0: none
    confirm: float = 0.0
    #: the same for two figures whose words say they measure one quantity
    #: (``ClaimOptions.measured_cosine``)
    confirm_measured: float = 0.0
    #: the same for two rates of a flow, the flow read on both sides
    #: (``ClaimOptions.flow_cosine``)
    confirm_flow: float = 0.0
    #: the same for two sizes of a slick, the slick read on both sides
    #: (``ClaimOptions.size_cosine``)
    confirm_size: float = 0.0

    @property
    def days_apart(self) -> int | None:
        if self.published_a is None or self.published_b is None:
            return None
        return (self.published_b - self.published_a).days


class SlotKind:
    """One kind of slot. Subclasses set ``kind`` and ``title`` and implement ``extract`` and
    ``compare``; ``label`` and ``relation`` have defaults."""

    kind: ClassVar[str] = ""
    title: ClassVar[str] = ""  # the question it answers in a brief: "Where", "How many"

    def extract(self, text: str, ctx: SlotContext) -> tuple[Any, ...]:
        raise NotImplementedError

    def compare(self, a: Statement, b: Statement, pair: PairContext) -> tuple[Any, Any] | None:
        raise NotImplementedError

    def label(self, value: Any) -> str:
        return str(value)

    def relation(
        self, a: Statement, b: Statement, pair: PairContext, values: tuple[Any, Any]
    ) -> str:
        """ "update" when the two articles were published on different days (a later report
        may revise an earlier one), else "contradiction"."""
        days = pair.days_apart
        return "update" if days not in (None, 0) else "contradiction"


# --------------------------------------------------------------------------- place

GEO_FEATURES = words(
    "bay bays strait straits sea seas ocean gulf river lake coast coastline island "
    "islands peninsula channel mountains mountain desert valley basin canal harbour "
    "harbor archipelago sound cape "
)
_PLACE_RE = re.compile(
    r"\b(?P<prep>in|off|at|near|across|inside|outside)\s+(?:the\s+)?"
    r"(?P<place>[A-Z][\w'’-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'’-]*){0,5})"
)
_OCCURRENCE_RE = re.compile(
    r"\b(held|hold|holds|scheduled|conducted|conduct|staged|stage|take place|took place|"
    r"taking place|takes place|located|carried out|began|begin|begins|start|started|starts|"
    r"coincides?|happen\w*|occur\w*|exercises?|drills?)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Place:
    text: str
    anchors: frozenset[str]  # lowercase content stems right before the locative preposition
    occurrence: bool  # an occurrence verb/noun ("held", "scheduled", "exercise") anchors it
    feature: bool  # a geographic feature ("Bay of Bengal", "Straits of Malacca")


class PlaceSlot(SlotKind):
    """Where a happening takes place: proper-noun phrases after a locative preposition that
    an occurrence word ("held", "exercise") anchors."""

    kind = "place"
    title = "Where"

    def extract(self, text: str, ctx: SlotContext) -> tuple[Place, ...]:
        out: list[Place] = []
        for m in _PLACE_RE.finditer(text):
            place = re.sub(r"['’]s?$", "", m.group("place").strip())
            ws = place.split()
            if not ws or len(place) < 3:
                continue
            first = ws[0].lower()
            if first in MONTHS or first in WEEKDAYS:
                continue
            if first in {"the", "a", "an", "this", "that", "his", "her", "their"}:
                continue
            before = tokens(text[max(0, m.start() - 120) : m.start()])[-12:]
            anchors = frozenset(
                stem(t) for t in before if t.islower() and t not in STOPWORDS and len(t) > 2
            )
            occurrence = bool(_OCCURRENCE_RE.search(" ".join(before)))
            feature = any(w.lower() in GEO_FEATURES for w in ws)
            out.append(Place(place, anchors, occurrence, feature))
        return tuple(out)

    def compare(self, a: Statement, b: Statement, pair: PairContext) -> tuple[Place, Place] | None:
        for pa in a.slot(self.kind):
            for pb in b.slot(self.kind):
                if not (pa.occurrence and pb.occurrence) or not (pa.anchors & pb.anchors):
                    continue
                la, lb = pa.text.lower(), pb.text.lower()
                if la in lb or lb in la:
                    continue
                if pb.text in pair.text_a or pa.text in pair.text_b:
                    continue
                if (pa.feature and pb.feature) or pair.sim >= pair.options.merge_threshold:
                    return pa, pb
        return None

    def label(self, value: Place) -> str:
        return value.text

    def relation(self, a, b, pair, values) -> str:  # noqa: ANN001
        return "contradiction"  # a place does not move between reports


# --------------------------------------------------------------------------- number

_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        word_list(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty "
        )
    )
}
_WORD_NUMBERS.update(
    {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
)
_WORD_NUMBERS.update({"ninety": 90, "hundred": 100, "dozen": 12, "dozens": 24})
_NUM = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|"
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-)?(?:"
    + "|".join(sorted((w for w in _WORD_NUMBERS if w not in ("zero", "dozens")), key=len)[::-1])
    + r")"
)
# A pound sign lost to "#" in a 7-bit feed (the BBC pages of Timeline17: "# 23m", "# 894,000"):
# only before a sum with a scale or thousands, never "#1".
_HASH_POUND = r"\#(?=\s?\d[\d,.]*\s?(?:m|bn|million|billion)\b|\s?\d{1,3}(?:,\d{3})+)"
_NUMBER_SOURCE = (
    r"(?P<approx>\b(?:around|about|nearly|almost|over|more than|some|approximately|up to|"
    r"at least|roughly|close to|less than|fewer than|under|an estimated|as many as)\s+)?"
    r"(?<![\w.,])(?P<cur>[$£€]|US\$|Rs\.?\s?|\be(?=\d)|" + _HASH_POUND + r")?\s?"
    r"(?:(?<![\w.,])|(?<=\be))(?P<num>" + _NUM + r")(?!\d)(?:(?<=\d)|\b)"
    r"(?:[\s-]*(?P<scale>million|billion|trillion|thousand|lakh|crore|mn|bn|m|k)\b)?"
    r"(?P<pct>\s*(?:%|per ?cent))?"
)
_NUMBER_RE = re.compile(_NUMBER_SOURCE, re.I)
#: :data:`_NUMBER_RE` with its two uppercase words ("US$", "Rs") in lowercase, case-sensitive:
#: over an ASCII text's ``lower()`` it matches where :data:`_NUMBER_RE` matches in the text
#: (the argument of :mod:`newsweave.caseless`), without folding case at every position it is tried
_NUMBER_LOWER = re.compile(_NUMBER_SOURCE.replace("US\\$", "us\\$").replace("Rs\\.", "rs\\."))


def _number_matches(text: str) -> Iterable[re.Match[str]]:
    """``_NUMBER_RE.finditer(text)``, on ASCII text found by :data:`_NUMBER_LOWER` in its
    ``lower()`` (:func:`newsweave.caseless.finditer`)."""
    return caseless.finditer(_NUMBER_RE, text, caseless.lowered(text), with_twin=_NUMBER_LOWER)


#: what every figure :data:`_NUMBER_RE` reads holds: a digit or a number word (its ``num``);
#: a statement without one (about seven in ten) is not scanned for figures at all
_NUMBER_CUE = Caseless(r"\d|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)))
_SCALE = {
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "thousand": 1e3,
    "k": 1e3,
    "lakh": 1e5,
    "crore": 1e7,
}
# unit words -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    "foot": ("length", 0.3048),
    "feet": ("length", 0.3048),
    "ft": ("length", 0.3048),
    "metre": ("length", 1.0),
    "meter": ("length", 1.0),
    "metres": ("length", 1.0),
    "meters": ("length", 1.0),
    "m": ("length", 1.0),
    "km": ("length", 1000.0),
    "kilometre": ("length", 1000.0),
    "kilometres": ("length", 1000.0),
    "kilometer": ("length", 1000.0),
    "kilometers": ("length", 1000.0),
    "mile": ("length", 1609.34),
    "miles": ("length", 1609.34),
    "yard": ("length", 0.9144),
    "yards": ("length", 0.9144),
    "litre": ("volume", 1.0),
    "litres": ("volume", 1.0),
    "liter": ("volume", 1.0),
    "liters": ("volume", 1.0),
    "gallon": ("volume", 3.78541),
    "gallons": ("volume", 3.78541),
    "barrel": ("volume", 158.987),
    "barrels": ("volume", 158.987),
    "bpd": ("volume", 158.987),
    "tonne": ("mass", 1000.0),
    "tonnes": ("mass", 1000.0),
    "ton": ("mass", 907.185),
    "tons": ("mass", 907.185),
    "kg": ("mass", 1.0),
    "kilograms": ("mass", 1.0),
    "pounds": ("mass", 0.453592),
    "lb": ("mass", 0.453592),
    "lbs": ("mass", 0.453592),
    "psi": ("pressure", 1.0),
}
_CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pence": "GBX",  # a share price in London
    "cents": "USC",
}
_CURRENCY_SIGNS = {
    "$": "USD",
    "us$": "USD",
    "£": "GBP",
    "#": "GBP",
    "€": "EUR",
    "e": "EUR",
    "rs": "INR",
    "rs.": "INR",
}
# Counters of elapsed time: "18 days" on day one is "19 days" on day two.
_ELAPSED = {"day": 1.0, "week": 7.0, "month": 30.4, "year": 365.25}
_DURATION_UNITS = words("hour hr hrs minut min sec second")
#: A span of time a happening lasted, in days: "for almost three hours", "two hours of
#: negotiations", "trapped for 18 days" (one figure, unit "duration"); "two days after",
#: "within seven days", "three years ago" date other things and are not read.
_DURATION_DAYS = {
    "minut": 1 / 1440,
    "min": 1 / 1440,
    "mins": 1 / 1440,
    "hour": 1 / 24,
    "hr": 1 / 24,
    "hrs": 1 / 24,
    "day": 1.0,
    "week": 7.0,
    "month": 30.4,
}
_SPAN_FOR = re.compile(r"\b(?:for|lasted|lasting|spent|spending)\s+$", re.I)
_SPAN_OF = re.compile(r"\s*[a-z]+\s+of\s+(?!(?:the|a|an|his|her|its|their)\b)[a-z]{4,}", re.I)
_SPAN_NOT = re.compile(
    r"\s*[a-z]+\s+(?:after|before|ago|later|earlier|since|from now|old|away|late|early|"
    r"behind|ahead|running|straight|in a row)\b",
    re.I,
)
_AGO_RE = re.compile(r"^\s*(?:hours?|hrs?|mins?|minutes?|days?|weeks?)\s+ago\b", re.I)
_PERIOD_WORDS = words("average annual annually yearly per daily monthly weekly each rate")
# Words that count the same thing: "five people injured", "50 hurt", "wounding 80".
_SAME_COUNT = {
    "hurt": "injur",
    "wound": "injur",
    "injuri": "injur",
    "casualti": "injur",
    "dead": "kill",
    "killed": "kill",
    "injured": "injur",
    "death": "kill",
    "died": "kill",
    "di": "kill",
    "fatal": "kill",
    "fataliti": "kill",
    "person": "peopl",
    "individu": "peopl",
}
# Words around a figure too common to say that two figures count the same thing.
_GENERIC_FRAME = frozenset(["peopl", "kill", "injur", "year", "old", "mil", "said", "say"])
#: Two statements must be this alike (times the merge threshold) for their figures to be
#: compared: a background figure (an earlier quake's toll) sits in another kind of sentence.
_NUMBER_SIM = 0.55
_SMALL = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)\b"
_RANGE_AFTER = re.compile(
    r"\s*(?:[a-z%]+\s+){0,2}?(?:to|or)\s+(?:about\s+|some\s+)?(?:[$£€]?\d|" + _SMALL + ")",
    re.I,
)
_RANGE_BEFORE = Caseless(
    r"(?:\b(?:between|from)\s+(?:about\s+)?[$£€]?"
    r"|\bbetween\s+[$£€]?[\w,.]+(?:\s+[a-z%]+){0,2}\s+and\s+(?:about\s+)?[$£€]?"
    r"|(?:\d[\d,.]*|\b" + _SMALL + r")[\w%]*(?:\s+[a-z%]+){0,2}\s+(?:to|or)\s+(?:about\s+)?[$£€]?)$"
)
_BRACKETS = re.compile(r"\s*\([^()]*\)")
# a bound after the figure's noun: "4,000 barrels a day or more", "50 people or fewer"
_TRAILING_BOUND = re.compile(
    r"(?:[\s-]+[a-z/]+){1,4}?,?\s+or\s+(more|above|less|fewer|below)\b", re.I
)
_CHANGE_AFTER = re.compile(
    r"\s*(?:%|percent|per cent|points?)?\s*(?:drop|fall|rise|gain|decline|increase|jump|slide|"
    r"loss|lower|higher)\b",
    re.I,
)
# A level reached by a change is a level of that moment: "fell $4.78 to close at $52.56".
_LEVEL_AFTER_CHANGE = re.compile(
    r"\b(?:fell|rose|dropped|climbed|gained|lost|slipped|jumped|closed|down|up)\b[^;]{0,30}"
    r"\b(?:to|at)\s+(?:close\s+at\s+)?[$£€]?$",
    re.I,
)
_CHANGE_RE = re.compile(
    r"\b(?:fell|falls?|rose|rises?|up|down|gained|gains?|lost|loses?|dropped|drops?|jumped|"
    r"increased|decreased|climbed|plunged|slipped|slid|surged|soared|tumbled|shed|added)\s+"
    r"(?:by\s+)?(?:about\s+|nearly\s+|some\s+|more than\s+|as much as\s+|as little as\s+)?$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float  # in the dimension's base unit (metres, litres, kg) or as counted
    unit: str  # dimension ("length"), currency ("USD"), "%" or the stem of the counted noun
    approx: bool
    text: str
    context: frozenset[str] = frozenset()  # content stems just before the number
    bound: str = ""  # "min" for "more than / at least / over", "max" for "up to / less than"
    subject: bool = False  # no noun after it: the unit is the head noun before it
    frame: frozenset[str] = frozenset()  # content stems around it (what is counted, doing what)
    change: bool = False  # a change over a period ("fell 7.8 percent"), not a level
    part: bool = False  # a stated part of a whole ("only a fifth of the oil - 800,000 barrels")
    #: what the figure is of, when the sentence says so by an apposition or a relative
    #: clause ("Bandar Abbas, a city of 500,000 people" -> {bandar, abba}; "the island,
    #: which ... is home to 100,000" -> {island}); for an age, the person's name
    owner: frozenset[str] = frozenset()
    #: a name or code between the number and its noun narrows what is counted ("seven
    #: AK-47 assault rifles" are some of the "nine assault rifles"): that word's stem
    qualifier: str = ""
    #: what the figure measures (:func:`measure_of`): the happening ("flow", "capture",
    #: "cost", "rescue"...) and the thing ("oil", "rig", "slick"...), "" when not read
    act: str = ""
    thing: str = ""
    background: bool = False  # of another time than the report ("In 2007, ...", "last month")
    #: the proper names of a happening named beside it ("the Valdez spill of 250,000 barrels")
    named: frozenset[str] = frozenset()
    #: one day's figure: "on Monday", "in 24 hours", "yesterday" in its clause
    day: bool = False
    #: whose figure it is (:func:`_figure_person`): the surname of the named person who owns
    #: it ("Vaughn finished with 16 points", "13 points from McDermott", "he hit" after
    #: Teixeira), "" when no person owns it or the owner cannot be read
    person: str = ""
    #: the statement names two or more persons (whose figure it is must then be read)
    crowd: bool = False
    #: a count of a person's own statistic: a counted noun (not people, money or a measure)
    #: that a name owns ("scored 20 points", "landed 28 of his 68 punches"), or that a
    #: person owns elsewhere in the same article (:func:`personal_units`)
    personal: bool = False
    #: the span words of its clause: one game, a season, a career, a round ...
    span: frozenset[str] = frozenset()
    #: the period words (:data:`_PERIOD`) that bound it: those of its own clause (read
    #: through brackets) and of a sentence-opening phrase ("Since October, ..."); the rig
    #: that "exploded last week" in another clause does not make a leak rate last week's
    periods: frozenset[str] = frozenset()
    #: which side of a size it gives (:func:`_size_side`): "long", "wide" (the longer and
    #: the shorter of "45 miles by 105 miles"), "area" ("covering 400 miles"), "" unread
    side: str = ""
    #: its statement's hedge cues all stand outside its clause (:func:`_hedge_free`): a
    #: hedged statement still reports this figure
    hedge_free: bool = False
    #: its sentence opens with a year other than the publication's ("In 1969, … a Union Oil
    #: well blew out five miles off the coast"): all of it is of that year
    opens_other_year: bool = False
    #: a sum in brackets that converts the sum before it into another currency ("85 million
    #: euros ($108 million)"): the currency of the sum it converts ("EUR"), "" otherwise
    converts: str = ""
    #: the day a one-day figure is of ("today", "yesterday", "on Tuesday" in its clause, read
    #: through brackets, against the publication day), ISO; "" when no day or date is known
    on_day: str = ""
    #: the named place a distance is measured from ("nine miles from Pensacola" -> {pensacola},
    #: "50 miles off Louisiana's coast" -> {louisiana}): stems of its capitalised words
    reference: frozenset[str] = frozenset()
    #: a volume whose verb after it is in the progressive ("5,000 barrels of oil were still
    #: leaking into the Gulf"): what flows at the time, a rate whose period its words leave
    #: out, no total
    ongoing: bool = False

    def compatible(self, other: Quantity, shift: float = 0.0) -> bool:
        """Whether the two figures can both be true (within rounding, inside a bound, or
        apart by the elapsed ``shift`` of a running count of days)."""
        tol = max(_rounding(self), _rounding(other))
        if self.unit.startswith(("length", "volume")):
            tol = max(tol, 0.06)  # converted figures are rounded in the text
        elif self.unit == "mass":
            tol = max(tol, 0.1)  # tons and tonnes
        elif self.unit in ("USD", "EUR", "GBP", "INR"):
            tol = max(tol, 0.05)  # money converted at the day's rate
        elif self.unit == "duration" and (self.approx or other.approx):
            tol = max(tol, 0.25)  # "nearly two days" is said of 36 hours, not of one day
        a, b = self.value, other.value + shift
        if abs(a - b) <= tol * max(abs(a), abs(b)) or abs(a - b) < 1e-9:
            return True
        for x, y in ((self, other), (other, self)):
            if x.bound == "min" and y.value >= x.value:
                return True
            if x.bound == "max" and y.value <= x.value:
                return True
        return False


def _rounding(q: Quantity) -> float:
    """How far a figure may be from the truth, relative: 1 %, or for an approximate round
    figure its rounding ("about 5,000" may be 4,500; "about 1,052" is 1,052), at most 10 %."""
    if not q.approx:
        return 0.01
    digits = (
        re.sub(r"\D", "", q.text.split(".")[0]) if q.text[:1].isdigit() or "," in q.text else ""
    )
    m = re.search(r"\d[\d,]*", q.text)
    if m:
        digits = m.group(0).replace(",", "")
    zeros = len(digits) - len(digits.rstrip("0")) if digits else 0
    scale = 10**zeros / max(float(digits or 1), 1.0) if digits else 0.1
    return min(0.1, max(0.01, scale))


def _parse_number(raw: str) -> float | None:
    low = raw.lower()
    if low[0].isdigit():
        return float(low.replace(",", ""))
    if "-" in low:
        tens, ones = low.split("-", 1)
        if tens in _WORD_NUMBERS and ones in _WORD_NUMBERS:
            return float(_WORD_NUMBERS[tens] + _WORD_NUMBERS[ones])
        return None
    n = _WORD_NUMBERS.get(low)
    return float(n) if n is not None else None


_FALL_BEFORE = re.compile(
    r"\b(?:fall|falls|fell|falling|fallen|plunged|plunging|plummeted|plummeting|tumbled|"
    r"tumbling|slid|sliding)\s+(?:down\s+)?(?:about|some|around|nearly|almost|"
    r"approximately|roughly|more than|over|up to)?\s*$",
    re.I,
)


_SIZE_WORDS = words("long wide deep high tall across below beneath underwater away apart from off")


_BORED = re.compile(
    r"\b(?:penetrated|drilled|bored|dug)\s+(?:down\s+)?(?:another\s+|about\s+|some\s+|"
    r"nearly\s+|almost\s+|more than\s+)?$",
    re.I,
)


# after a length: how far it is from meeting something ("190ft from intersecting", "100ft
# vertically of intersecting", "30ft short of reaching")
_MEETING = re.compile(
    r"\s*(?:[a-z]+\s+){0,2}(?:from|of|short\s+of|away\s+from)\s+(?:intersect|reach|hitt|meet|"
    r"connect|join)\w*",
    re.I,
)
# after a length: what it is drilled to meet ("about 1,000 feet to intersect with the well")
_TO_MEET = re.compile(
    r"\s*(?:[a-z]+\s+){0,2}to\s+(?:intersect|reach|hit|meet|connect|join)\b", re.I
)
# a singular unit that qualifies a noun: "a 40 mile slick", "a 12 foot wall"
_ATTRIBUTIVE_UNIT = re.compile(
    r"\s*(?:mile|foot|ft|metre|meter|kilometre|kilometer|km|yard)\s+(?!(?:off|from|of|away|"
    r"out|offshore|inland|north|south|east|west|to|into|in|at|on|by|long|wide|across|deep|"
    r"high|below|above|under|beneath|down|up|and|or)\b)[a-z]{3,}",
    re.I,
)
# how far something has gone: "had reached 5,450 metres" (a well's progress, no place)
_REACHED = re.compile(
    r"\b(?:reached|reaching|reaches)\s+(?:a\s+|about\s+|some\s+|nearly\s+|almost\s+|"
    r"more than\s+|over\s+|roughly\s+|around\s+)*$",
    re.I,
)
# ... unless the words after say where to: "reached 20 miles off the coast"
_WHERE_TO = re.compile(
    r"\s*(?:[a-z]+\s+)?(?:off|from|of|away|offshore|inland|out|north|south|east|west|"
    r"beyond|past|toward|towards)\b",
    re.I,
)


def _length_role(after: str, before: str = "") -> str:
    """What a length measures: how far offshore or from a place ("50 miles off the coast",
    "40 miles southeast of the mouth"), how far apart two things are ("10 miles away from
    the rig"), how big ("45 miles by 105", "130 miles long") or how deep ("5,000 feet
    below")."""
    # a conversion: "5,000 ft (1,500 m) of water", and the converted figure itself
    after = re.sub(r"\s*\([^()]*\)", "", re.sub(r"^\s*\)", "", after))
    before = _BRACKETS.sub("", before)  # "130 miles (208 km) by 70 miles"
    if _MEETING.match(after):
        return "between"  # "about 190ft from intersecting the blown-out well", "100ft
        # vertically of intersecting": how far one well is from another
    if _TO_MEET.match(after):
        return "remaining"  # "bore down about 1,000 feet to intersect with the well": what
        # is still to drill, no depth reached
    if re.search(r"\b(?:deep|depths?)\b", before, re.I) or _BORED.search(before):
        return "depth"  # "ultra-deep wells, those greater than 5,000 ft"; "penetrated
        # another 18,000 feet" (how far a well goes down)
    words_after = [w.lower() for w in tokens(after)[:4]]
    if re.search(r"\bwithin\s+$", before):
        return "between"  # "wells drilled within three miles of the shoreline": a zone
    if _FALL_BEFORE.search(before):
        return "fall"  # "slipped and fell about 200m down a gully": how far someone fell
    if re.search(r"\d[\w\s]{0,8}\s+by\s+$", before) or re.match(r"-[a-z]", after):
        return "size"  # the second side of "45 miles by 105 miles"; "an 18,000-foot well"
    if re.match(
        r"\s*[a-z]*\s*(?:of|through|under|beneath)\s+(?:sea\s*)?(?:water|rock|ocean|mud)\b", after
    ) or re.search(
        r"\b(?:depths?\s+of|down\s+to|deep\s+as)\s+(?:about\s+|some\s+|nearly\s+|"
        r"(?:more|greater)\s+than\s+|over\s+)?$",
        before,
    ):
        return "depth"  # "5,000 feet of water", "at a depth of 5,000 feet"
    if any(
        w in ("by", "long", "wide", "across", "tall", "high", "length", "width")
        for w in words_after
    ) or re.search(
        r"\b(?:covering|covers|covered|measuring|spanning|stretching|stretched|stretches|"
        r"stretch)\s+(?:across\s+|over\s+|for\s+)?$",
        before,
    ):
        return "size"  # ("a sheen stretched 470 miles": its length, not how far offshore)
    if re.search(r"\b(?:a|an)\s+$", before) and _ATTRIBUTIVE_UNIT.match(after):
        return "size"  # "a 40 mile slick": the unit, singular, qualifies a noun
    if _REACHED.search(before) and not _WHERE_TO.match(after):
        return "depth"  # "the relief well had reached 5,450 metres": how far it has gone
    if any(
        w in ("below", "deep", "underwater", "beneath", "down", "undersea", "depth", "above")
        for w in words_after
    ) or re.match(r"\s*[a-z]*\s*under\s+(?:the\s+)?(?:sea|water|ocean|surface|seabed)\b", after):
        return "depth"  # (how far up or down: "ships on the surface 1.6 km above the well")
    if re.match(r"\s*(?:[a-z]+\s+)?(?:inland\b|from\s+the\s+(?:water|sea)(?:'s\s+edge)?\b)", after):
        return "inland"  # "oil pushed as far as 60 yards from the water": how far inland,
        # no distance offshore
    if re.match(r"\s*(?:[a-z]+\s+){0,2}to\s+(?:be\s+)?(?:drill|bore|dig|go)", after):
        return "remaining"  # what a well has left to drill ("another 30 feet to be drilled
        # down"): no distance offshore, nor the depth a well has reached
    if re.match(
        r"\s*(?:\w+\s+)?(?:away|apart)\b|\s*(?:\w+\s+)?from\s+(?:the\s+)?(?:[A-Z]|"
        r"(?:\w+\s+){0,2}(?:well|rig|site|platform|wellhead|leak|source|slick|spill|"
        r"preventer|valve|riser)\b)|"
        r"\s*(?:\w+\s+)?(?:north|south|east|west)[\w-]*\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,2}"
        r"(?:well|rig|site|platform|wellhead|leak|source|slick|spill|disaster|explosion|blast)\b",
        after,
    ):
        return "between"  # "10 miles away from the Deepwater Horizon", samples "taken 40
        # miles northeast of the well", "about 200 miles east of the Mariner platform": between
        # two things (the well is where it ends)
    return "distance"


def _counted_noun(after: list[str]) -> tuple[str, str]:
    """The head of the noun phrase after a number: the last of its lower-case words before
    a verb or function word ("two speed boats had" -> boat, "seven AK-47 assault rifles" ->
    rifle, "five people injured" -> people), and the name or code that narrows it
    ("AK-47" -> "ak", "" when none). Two nouns counted together are one unit: "420
    passengers and crew" -> "passeng+crew", no rival to "246 passengers"."""
    run: list[str] = []
    qualifier = ""
    k = 0
    for k, t in enumerate(after):
        low = t.lower()
        if not t.isalpha() or not t.islower():
            if run:
                break
            if not qualifier and t[:1].isalpha():
                qualifier = stem(t)
            continue  # codes and names before the noun ("AK-47", "Somali")
        if low in STOPWORDS or len(t) <= 2 or (run and low.endswith(("ed", "ing", "ly"))):
            if run or low not in ("other", "more", "of", "the", "a"):
                break
            continue
        if run and low in _PAST_VERBS:
            break  # "20,000 people took to the streets"
        run.append(t)
        if len(run) == 2:
            k += 1
            break
    else:
        k = len(after)
    if not run:
        return "", qualifier
    unit = stem(run[-1])
    rest = after[k : k + 2]
    if (
        len(rest) == 2
        and rest[0].lower() == "and"
        and rest[1].isalpha()
        and rest[1].islower()
        and rest[1] not in STOPWORDS
        and len(rest[1]) > 2
        and not rest[1].endswith(("ed", "ing", "ly"))
        and rest[1] not in _PAST_VERBS
    ):
        unit += "+" + stem(rest[1])
    return unit, qualifier


# Counted nouns that are people, who may be counted as casualties ("injuring five people",
# "two villagers slightly injured"); "seven villages and killing 10" counts villages.
_HUMAN = words(
    "peopl person individu villager resident worker civilian passenger child children "
    "student soldier men women man woman member staff personnel emploi crew climber tourist "
) | {""}
#: the counted nouns that are people, for the read model's names of counts
HUMAN = _HUMAN
#: what happened to counted people, as one word: "36 members ... confirmed to have died"
#: (kill) is no rival to "188 staff members ... still unaccounted for" (missing)
_CASUALTY = {"injur": "injur", "kill": "kill", "miss": "missing", "unaccount": "missing"}
_PAST_VERBS = words(
    "took made went came fled left fell gave got ran saw held set began lost won had did "
    "were was are is have has remain remained stood spent"
)


_OF_WHOLE = re.compile(
    r"\s+of\s+(?:(?:the|its|their|his|her)\s+)?(?:[A-Z]\w*['’]?s?\s+)?\d[\d,]*\s+([a-z]{3,})"
)
_PARTITIVE = re.compile(r"\s*(?:[a-z]+\s+){0,2}of\s+(?:its|their|his|her|our)\s+([a-z]+)")
_NAME_COMMA = re.compile(r"([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,3}),\s*$")
_NAME_RUN = re.compile(r"\s+((?:[A-Z][\w'’.-]*\s*){1,4})")
# What follows a comma when the words after it describe the noun before it: "Bandar Abbas,
# a city of 500,000 people", "Qeshm island, home to 120,000", "the island, which is ...".
_APPOSITION = re.compile(
    r"^\s*(?:(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:city|town|island|country|village|nation|"
    r"province|region|port|state|capital|district|area)\s+of\b|home\s+to\b|"
    r"(?:which|where)\b|with\s+(?:a\s+)?population\s+of\b)",
    re.I,
)
# A rate: "5,000 barrels a day", "1,000 barrels (a day)", "5,000 barrels, or 200,000 gallons, a
# day", "1,000 barrels -- or 42,000 gallons -- of oil is leaking each day", "bpd", "daily".
_CONVERSION = re.compile(
    r"\s*(?:,|--|—|–|\()?\s*(?:or|about|some|roughly)?\s*[\d,.]+\s*(?:million\s+)?[a-z]+"
    r"(?:\s+of\s+\w+)?\s*(?:,|--|—|–|\))",
    re.I,
)
# between a figure and its conversion: "barrels, or ", "barrels a day -- the equivalent of "
_CONVERTED = re.compile(
    r"\s*[a-z]+(?:\s+(?:a|per)\s+day)?(?:\s+of\s+[a-z]+)?\s*(?:,|--|—|–|\()?\s*"
    r"(?:or|the equivalent of|equivalent to|or about|or roughly|or some)\s*",
    re.I,
)
# a rate of another period than a day, right after its unit: "833,000 barrels an hour" (in
# "20 million barrels a day, or 833,000 barrels an hour" no conversion of the daily rate)
_OTHER_PERIOD = re.compile(
    r"\s*[a-z]+\s+(?:an?|per|each|every)\s+(hour|minute|week|month|year)\b", re.I
)
_PER_DAY = re.compile(
    r"^\s*[a-z]+\b(?P<gap>[^.;:!?\d]{0,70}?)(?:\b(?:a|per|each|every)\s+day\b|\bdaily\b|"
    r"\(\s*(?:a|per)\s+day\s*\))|^\s*(?:bpd|b/d)\b",
    re.I,
)


def _surname(names: Sequence[str]) -> frozenset[str]:
    return frozenset({stem(names[-1])}) if names else frozenset()


# A named subject that does something with the sum: "Germany has released $2.18m", "EU -
# $604m", not a speaker ("the UN said a total of $270m").
_SUBJECT = re.compile(
    r"^\s*(?:[Tt]he\s+)?((?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.'’-]*)\s+(?:[-–:]|"
    r"(?:has|have|had|is|are|was|were|will|would)\s+(?!said|told)[a-z]+|"
    r"(?!said|says|told|tells|estimated|reported)[a-z]+ed)\s"
)


def _subject_owner(text: str, at: int) -> frozenset[str]:
    """Who gives, pays or holds a sum, when its clause opens with a name that does something
    with it: $2.18m that "Germany has released" is no rival to the "EU - $604m" of a list of
    pledges (two budget lines)."""
    cut = max(text.rfind(c, 0, at) for c in ",;:.(")
    m = _SUBJECT.match(text[cut + 1 : at])
    if not m:
        return frozenset()
    return frozenset(stem(t) for t in tokens(m.group(1)) if t.lower() not in STOPWORDS)


def _named_after(text: str) -> frozenset[str]:
    """Whom an age belongs to: the name right after "36-year-old" ("32-year-old Englishman
    Robert Buckley" -> {buckley}), else the noun, marked "~" ("an 11-year-old girl" ->
    {~girl}, "a 36-year-old Australian climber" -> {~climber}): a girl's age is no rival
    to a boy's. Empty when neither follows ("the 36-year-old, who ...")."""
    m = _NAME_RUN.match(text)
    if m and len(m.group(1).split()) >= 2:
        return _surname(m.group(1).split())
    for t in tokens(text)[:3]:
        if t.islower():
            return frozenset() if t in STOPWORDS else frozenset({"~" + stem(t)})
    return frozenset()


def _appositive_owner(text: str, at: int) -> frozenset[str]:
    """What a figure is of when an apposition or relative clause says so: the last words
    before the comma that opens it ("... Bandar Abbas, a city of 500,000" -> {bandar,
    abba})."""
    comma = text.rfind(",", 0, at)
    if comma < 0 or not _APPOSITION.match(text[comma + 1 : at]):
        return frozenset()
    before = tokens(text[max(0, comma - 60) : comma])[-2:]
    return frozenset(stem(t) for t in before if t.isalpha() and t.lower() not in STOPWORDS)


# the earlier value of a rate just given: "5,000 barrels are leaking a day, up from an earlier
# estimate of 1,000 barrels"
_RATE_BEFORE = re.compile(
    r"\b(?:a|per|each)\s+day,?\s+(?:up|down|raised|revised|increased|compared)\s+(?:from|with)"
    r"\s+(?:an?\s+|the\s+)?(?:\w+\s+){0,3}?(?:of\s+)?(?:about\s+|some\s+)?$",
    re.I,
)


def _per_day(after: str) -> bool:
    """Whether the unit that ``after`` starts with is given per day (what follows it, up to
    the next figure: a bracketed or appositive conversion is read through)."""
    if re.match(r"[\s-][a-z]+-(?:a|per)-day\b", after, re.I):
        return True  # "a 1,000-barrel-a-day leak", "the 5,000 barrel-per-day estimate"
    head = re.match(r"\s*[a-z]+", after, re.I)
    if head is None:
        return False
    rest = after[head.end() :]
    conv = _CONVERSION.match(rest)
    if conv:
        rest = " " + rest[conv.end() :]
    rest = re.sub(r"\((?!\s*(?:a|per)\s+day\s*\))[^()]*\)", " ", rest)
    return bool(_PER_DAY.match(head.group(0) + rest))


# What a figure measures, read from the words around it (no parser: the nearest word of a
# small lexicon per kind of unit, inside the clause). Two figures of one unit measure the same
# quantity when they measure the same happening of the same thing ("1,000 barrels a day of
# oil leaking" and "5,000 barrels of oil a day are pouring"), and different quantities when
# the happening or the thing differs ("1,000 barrels a day collected" against "5,000 leaking";
# "126 workers rescued" against "11 workers killed"; the rig's distance offshore against the
# slick's). Used by the number slot (:func:`same_measure`) before the encoder is asked.
_VOLUME_ACTS = {
    **dict.fromkeys(
        words(
            "leak spill gush spew pour flow emanat escap seep bleed discharg releas belch "
            "spurt ooz erupt enter"
        ),
        "flow",
    ),
    **dict.fromkeys(
        words(
            "recover retriev collect captur siphon funnel funnell skim skimm suck burn scoop "
            "keep keepin caught catch"
        ),
        "capture",
    ),
    **dict.fromkeys(words("produc output extract"), "produce"),
    **dict.fromkeys(words("hold capaciti store storag tank reserv accommodat"), "hold"),
    **dict.fromkeys(words("dispersant sprai"), "disperse"),
}
_COUNT_ACTS = {
    **dict.fromkeys(words("kill dead di death die"), "kill"),
    **dict.fromkeys(words("injur hurt wound"), "injur"),
    **dict.fromkeys(words("rescu surviv evacu escap"), "survive"),
    **dict.fromkeys(words("miss unaccount"), "missing"),
    **dict.fromkeys(words("aboard board"), "aboard"),
    **dict.fromkeys(words("hostag ransom kidnap captiv abduct"), "hostage"),
    **dict.fromkeys(words("arrest detain"), "arrest"),
    **dict.fromkeys(words("charg indict"), "charge"),
    **dict.fromkeys(words("deploi work used involv assign help"), "deploy"),
}
_MONEY_ACTS = {
    **dict.fromkeys(words("cost spent spend bill expens"), "cost"),
    **dict.fromkeys(words("paid pai payout compens claim"), "pay"),
    **dict.fromkeys(words("fine penalti"), "fine"),
    **dict.fromkeys(words("limit cap liabil"), "limit"),
    **dict.fromkeys(words("profit earn revenu incom"), "profit"),
    **dict.fromkeys(words("fund escrow pledg donat aid rais"), "fund"),
    # a sum set aside against costs to come ("set aside $39.9bn to cover the costs", "a
    # $32bn charge") is no fund paid into, nor a cost already met
    **dict.fromkeys(words("asid provis provid charg"), "provision"),
    **dict.fromkeys(words("valu wipe worth capitalis capitaliz"), "value"),
    **dict.fromkeys(words("dividend"), "dividend"),
}
_LENGTH_THINGS = {
    # (where a vessel sank is as fixed as where a rig stands: "the Deepwater Horizon ...
    # sank ... about 42 miles off the Louisiana coast")
    **dict.fromkeys(words("rig well platform site wellhead explos blast sank sunk wreck"), "rig"),
    **dict.fromkeys(words("slick sheen spill tar plume"), "slick"),
}
#: what covers an area at sea: the slick (oil spread over water is the slick)
_AREA_THINGS = {**_LENGTH_THINGS, "oil": "slick", "crud": "slick"}
# "1,800 square miles of water" (the sea the slick covers) / "of oiled coastline" (another area)
_AREA_OF = re.compile(
    r"\s*(?:square|sq)\.?\s+[a-z]+\s+of\s+(?:the\s+)?([a-z]+)(?:\s+([a-z]+))?", re.I
)
_OPEN_WATER = words("water sea ocean gulf surfac")
# an area that qualifies the noun after it: "the 630-square-mile lake"
_AREA_NAMED = re.compile(r"-(?:square|sq)\.?-[a-z]+\s+([a-z]{3,})", re.I)
_CLOSED = re.compile(r"\b(?:clos\w*|shut\w*|off-limits|ban\w*)\b[^.;]{0,40}\bfish", re.I)
_LENGTH_OF = {
    **dict.fromkeys(words("boom barrier"), "boom"),
    **dict.fromkeys(words("pipe pip tube riser hose"), "pipe"),  # "pip": piping, pipes
    **dict.fromkeys(words("coastlin coast shorelin shore beach marsh wetland"), "coast"),
}
# a length that names its object right after the unit: "the 5,000 ft riser pipe", "a
# mile-long (1.6 km) tube", "the 4km or so of piping" (the object's length, no distance)
_LENGTH_NAMED = re.compile(
    r"[\s-]*[a-z]+\.?\)?(?:[\s-]+long)?(?:\s*\([^()]*\))?(?:\s+or\s+so)?(?:\s+of(?:\s+the)?)?"
    r"\s+([a-z]+)(?:[\s-]+([a-z]+))?",
    re.I,
)
_VOLUME_THINGS = {
    "oil": "oil",
    "crud": "oil",
    "petroleum": "oil",
    "oili": "mix",
    "mix": "mix",
    "mixtur": "mix",
    "emuls": "mix",
    "dispersant": "dispersant",
    "cocktail": "dispersant",
    "chemic": "dispersant",
    "mud": "mud",
    "ga": "gas",
}
# a sentence about the use of oil: a country's or the world's consumption, demand, imports
_CONSUMPTION = re.compile(
    r"\b(?:consum(?:es|ed|ing|ption|ers?)|(?:oil|energy|biggest|largest)\s+(?:users?|consumers?)|"
    r"demand|imports?|imported|importing)\b",
    re.I,
)
# the oil goes somewhere: "are coming up from the seabed", "being pumped into the Gulf"
_INTO_THE_SEA = re.compile(
    r"[^.;]*?\b(?:(?:coming|welling|bubbling|billowing|boiling)\s+(?:up|out)|"
    r"into\s+the\s+(?:sea|gulf|water|ocean)|out\s+of\s+the\s+(?:well|sea\s*floor|seabed))\b",
    re.I,
)
_MONEY_UNITS = frozenset(("USD", "EUR", "GBP", "INR", "GBX", "USC"))
# a bound on a sum named before it in its clause ("a statutory limit under US law for oil
# spill costs of a mere $75m")
_LIMIT_OF = re.compile(r"\b(?:limit|limits|cap|ceiling|liability)\b", re.I)
# a sum that names its object right after it: "a $20bn compensation fund", "the $75m
# liability cap" (the head of the compound is what the sum is: the fund's size)
_MONEY_NAMED = re.compile(r"(?:\s*(?:bn|m|billion|million|trillion)\b)?\s+([a-z]+)(?:\s+([a-z]+))?")
# the whole a share is of: "25% of the well" (one well), "42 percent of its deepwater Gulf
# wells" (a set of wells): the head noun after "of", as written (a share of one thing is no
# share of many)
_SHARE_OF = re.compile(
    r"\s+of\s+(?:(?:the|its|their|his|her|our|all|a|an|this|that|these|those)\s+)*"
    r"((?:[\w$£€.,'’-]+\s+){0,3}?[A-Za-z]+)(?=\s+(?:of|in|on|at|for|from|by|to|that|which|who|"
    r"was|were|is|are|has|have|had|will|would|going|and|or)\b|\s*[,;:.()]|\s*$)",
)
_SHARE_SKIP = words("nearly about some almost around roughly more than less over up to")


def _share_whole(after: str) -> str:
    """The head noun of the whole a share is of ("of its deepwater Gulf wells" -> "wells"),
    lower-cased as written; "" when no "of" follows."""
    m = _SHARE_OF.match(after)
    if not m:
        return ""
    head = m.group(1).split()[-1].lower()
    return "" if head in STOPWORDS or head in _SHARE_SKIP else head


# a relative clause on the figure's own noun says what it does: "15,000 barrels of oil a day
# that had been captured by the old cap" (though the well "will gush anew" before it)
_OWN_CLAUSE = re.compile(
    r"\s*[a-z]+(?:\s+of\s+[a-z]+)?(?:\s+(?:a|per|each)\s+day)?\s+(?:that|which)\s+"
    r"(?:(?:had|has|have|was|were|is|are|will|would)\s+)?(?:(?:been|being|be)\s+)?([a-z]+)",
    re.I,
)


# the figure is what a noun names: "the spill of 5,000 barrels a day", "the flow of 5,000"
# ("the leak" alone names the affair, but "the leak of N barrels" measures it)
_NAMED_BY = re.compile(
    r"\b(?:the|a|an|its|this)\s+([a-z]+)\s+of\s+(?:about\s+|some\s+|nearly\s+|around\s+|"
    r"more than\s+|at least\s+|up to\s+|as much as\s+)?$",
    re.I,
)


def _nearest(text: str, start: int, end: int, lexicon: Mapping[str, str]) -> str:
    """The value in ``lexicon`` of the stem nearest the figure at ``start:end`` inside its
    clause (90 characters either side, not across a sentence or semicolon), "" if none."""
    lo, hi = max(0, start - 90), min(len(text), end + 90)
    before = re.split(r"(?<![ap]\.m)[.;!?]\s", text[lo:start])[-1]  # ("10:21 a.m. CDT")
    after = re.split(r"[.;!?](?:\s|$)", text[end:hi])[0]
    # what a length measures: the words after the next length are that one's (the well
    # in "12 miles off the delta and more than 50 miles from the leaking well" is where
    # the 50 miles end); a bracketed conversion ("50 miles (80km) off") is no next figure
    nxt = _NEXT_LENGTH.search(re.sub(r"\([^()]*\)", lambda b: " " * len(b.group(0)), after))
    if nxt and lexicon is _LENGTH_THINGS and not _LIST_GAP.fullmatch(after[: nxt.start()]):
        after = after[: nxt.start()]  # (the other side of "a 1-mile-by-5-mile sheen" is one
        # size; "42 miles and 162 miles from the well" share what they measure)
    complement = re.search(r"\bthat\s+(?:[a-z]+\s+){0,2}$", before, re.I)
    things = lexicon is _LENGTH_THINGS or lexicon is _AREA_THINGS
    if complement and not things:  # "estimates released today suggest that about 10,000
        before = before[complement.start() :]  # barrels ... are being caught": a figure
        # opening a clause does what its own verb says (a thing before "that" is still the
        # thing: "the well that is 42 miles out")
    best, best_d = "", 10**6
    base = start - len(before)
    for mt in re.finditer(r"[A-Za-z]+", before):
        got = _verb_of(lexicon, before, mt)
        if got and start - (base + mt.end()) < best_d:
            best, best_d = got, start - (base + mt.end())
    for mt in re.finditer(r"[A-Za-z]+", after):
        got = _verb_of(lexicon, after, mt)
        if got and mt.start() < best_d:
            best, best_d = got, mt.start()
            break
    return best


_DETERMINER = re.compile(r"\b(?:the|a|an|this|that|its|their|his|her|our)\s+$", re.I)
# what stands between two lengths of one list or one size: the unit, "and", "or", "by"
_LIST_GAP = re.compile(
    r"[\s,-]*(?:(?:miles?|km|kilomet(?:re|er)s?|feet|foot|ft|met(?:re|er)s?|m|yards?)\b)?"
    r"[\s,-]*(?:(?:and|or|by|to)\b)?[\s,-]*",
    re.I,
)
# the next length after a length ("and more than 50 miles from the leaking well"): its
# number, with its approximator, and a length unit (a date's "April 20" is no figure)
_NEXT_LENGTH = re.compile(
    r"(?:\b(?:about|some|nearly|almost|around|roughly|more than|less than|over|up to|at least|"
    r"as much as)\s+)?(?:\b\d[\d,.]*|\b(?:two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|fifteen|twenty|thirty|forty|fifty|sixty|hundred))\s*-?\s*(?:miles?|km|"
    r"kilomet(?:re|er)s?|feet|foot|ft|met(?:re|er)s?|m|yards?)\b",
    re.I,
)


def _verb_of(lexicon: Mapping[str, str], text: str, mt: re.Match[str]) -> str:
    """The lexicon's value of the word ``mt`` unless a determiner makes it a noun naming
    the whole affair ("the leak", "the spill", "the collection rate"), no happening."""
    got = lexicon.get(stem(mt.group(0)))
    det = _DETERMINER.search(text[: mt.start()]) if got else None
    if det and det.group(0).split()[0].lower() in ("this", "that") and mt.group(0).endswith("ed"):
        return got  # "this captured only 1,360 barrels": a verb after its subject
    if det and lexicon is not _LENGTH_THINGS and lexicon is not _AREA_THINGS:
        return ""  # (a thing measured is a noun: "the rig", "the slick")
    return got or ""


def measure_of(text: str, start: int, end: int, unit: str) -> tuple[str, str]:
    """(act, thing) of the figure at ``start:end`` with ``unit`` (see :class:`Quantity`)."""
    if unit.startswith("volume"):
        thing = ""
        of = re.match(
            r"\s*[a-z]+(?:\s*(?:,|--|—)?\s*or\s+[\d,.]+\s+[a-z]+\s*(?:,|--|—)?)?\s+of\s+"
            r"(?:an?\s+|the\s+)?(?:heavy\s+|light\s+|thick\s+)?([a-z]+(?:-[a-z]+)*)",
            re.sub(r"\s*\([^()]*\)", "", text[end : end + 100]),
            re.I,
        )
        if of:
            parts = [stem(w) for w in of.group(1).split("-")]
            thing = "mix" if "water" in parts[1:] else _VOLUME_THINGS.get(parts[0], "")
        if not thing:  # "267,000 gallons of chemical dispersant", "of the cocktail"
            near = [stem(w) for w in re.findall(r"[a-z]+", text[end : end + 50].lower())[:6]]
            thing = next((_VOLUME_THINGS[w] for w in near if w in _VOLUME_THINGS), "")
        named_by = _NAMED_BY.search(text[max(0, start - 40) : start])
        act = _VOLUME_ACTS.get(stem(named_by.group(1).lower()), "") if named_by else ""
        own = _OWN_CLAUSE.match(text[end : end + 90])
        if own and not act:  # "the estimated 15,000 barrels of oil a day that had been
            act = _VOLUME_ACTS.get(stem(own.group(1).lower()), "")  # captured by the old cap"
        act = act or _nearest(text, start, end, _VOLUME_ACTS)
        if act != "flow" and _CONSUMPTION.search(text):
            act = "consume"  # "the world's biggest oil user, and burns about 20 million
            # barrels a day": a country's use of oil, no oil burnt off the sea
        if not act and _INTO_THE_SEA.match(text[end : end + 90]):
            act = "flow"  # "1,000 barrels of oil a day being pumped into the Gulf"
        return act, thing
    if unit.startswith("length"):
        of = re.match(
            r"[\s-]*[a-z]+\s+of\s+(?:the\s+)?(?:U\.S\.\s+|US\s+|UK\s+)?([\w'’]+)"
            r"(?:\s+([a-z]+|[\d,]+-[a-z]+\s+[a-z]+))?"
            r"(?:['’]s\s+([a-z]+))?",  # "70 miles of his state's coastline"
            _BRACKETS.sub("", text[end : end + 80]),
            re.I,
        )
        for word in of.groups() if of else ():
            word = (word or "").split()[-1] if word else word  # "Louisiana's 400-mile coast"
            if word and stem(word.lower()) in _LENGTH_OF:
                return "", _LENGTH_OF[stem(word.lower())]  # "feet of boom", "of Cornish coastline"
        named = _LENGTH_NAMED.match(text[end : end + 80])
        for word in named.groups() if named else ():
            if word and stem(word.lower()) in _LENGTH_OF:
                return "", _LENGTH_OF[stem(word.lower())]  # "the 5,000 ft riser pipe"
        return "", _nearest(text, start, end, _LENGTH_THINGS)
    if unit == "area":  # what covers it: "the slick covering 400 miles", "oil coating
        # 1,800 square miles of water"; not an area a noun after it names ("200 square miles
        # of oiled coastline") nor one closed to fishing
        of = _AREA_OF.match(_BRACKETS.sub("", text[end : end + 60]))
        named = [stem(w.lower()) for w in of.groups() if w] if of else []
        for w in named:
            if w in _LENGTH_OF:
                return "", _LENGTH_OF[w]  # "200 square miles of oiled coastline"
        if named and not any(w in _OPEN_WATER or w in _AREA_THINGS for w in named):
            return "", named[0]  # "of farmland"
        compound = _AREA_NAMED.match(text[end : end + 40])
        if compound:
            head = stem(compound.group(1).lower())
            if head not in _OPEN_WATER and head not in _AREA_THINGS and head not in STOPWORDS:
                return "", head  # "the 630-square-mile lake": the lake's area
        if _CLOSED.search(_clause(text, start, end)):
            return "", "closure"
        return "", _nearest(text, start, end, _AREA_THINGS)
    if unit in _MONEY_UNITS:
        named = _MONEY_NAMED.match(_BRACKETS.sub("", text[end : end + 60]))
        for word in reversed(named.groups() if named else ()):
            if word and word.lower() not in STOPWORDS and stem(word.lower()) in _MONEY_ACTS:
                return _MONEY_ACTS[stem(word.lower())], ""  # "a $20bn compensation fund"
        act = _nearest(text, start, end, _MONEY_ACTS)
        if act == "cost" and _LIMIT_OF.search(_CLAUSE_END.split(text[:start])[-1]):
            return "limit", ""  # "a statutory limit ... for oil spill costs of $75m": the
            # limit on a cost is no cost
        return act, ""
    if unit == "%":
        return "", _share_whole(text[end : end + 80])
    if unit and unit != "%" and not unit.startswith(("mass", "area")):
        return _nearest(text, start, end, _COUNT_ACTS), ""
    return "", ""


# "it" as the subject of the figure's clause: "As of Tuesday, it was about 20 miles offshore"
_IT_SUBJECT = re.compile(
    r"(?:^|[,;]\s*|\b(?:and|but|now|when|as)\s+)it\s+(?:is|was|lies|lay|sits|sat|remains|"
    r"remained|stands|stood)\s+(?:now\s+|still\s+|currently\s+)?(?:about|around|roughly|"
    r"some|nearly|almost|only|just|more than|less than|at least)?\s*$",
    re.I,
)
_SENTENCE_CUT = re.compile(r"(?<=[.!?])[\"”’]?\s+")


# a statement whose subject points back at a happening told before it ("The oil is known to
# have affected ...", "That spill ...")
_ANAPHORIC_HAPPENING = re.compile(
    r"^\W*(?:The|That|This|Its)\s+(?:oil|spill|slick|leak|accident|disaster|crude)\b"
)
_A_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _told_of_another_year(text: str, ctx: SlotContext) -> bool:
    """Whether ``text`` points back at a happening ("The oil ...") of the sentence before it,
    and that sentence is of another year than the publication's (it names a year, none the
    publication's): "On April 27, 2003, ... a barge hit an obstacle ... The oil is known to
    have affected an estimated 90 miles of shoreline"."""
    if not ctx.before or ctx.published is None or not _ANAPHORIC_HAPPENING.match(text):
        return False
    parts = [p for p in _SENTENCE_CUT.split(ctx.before.strip()) if p.strip()]
    last = ""
    while parts:  # (a cut before a word in lower case or a digit is no sentence's end:
        last = parts.pop() + " " + last  # "100,000 gallons of No. 6 oil.")
        if last[:1].isupper():
            break
    years = {int(y) for y in _A_YEAR.findall(last)}
    return bool(years) and ctx.published.year not in years


def _pronoun_thing(text: str, start: int, before: str) -> str:
    """What a length whose clause has "it" for subject measures: the thing the subject of
    the sentence before names first (within its first five words), when that is the slick
    or the rig ("Oil from the Deepwater Horizon is not expected to reach the coast ... As of
    Tuesday, it was about 20 miles offshore": the oil, the slick); "" otherwise."""
    if not _IT_SUBJECT.search(text[:start]):
        return ""
    last = [p for p in _SENTENCE_CUT.split(before.strip()) if p.strip()]
    if not last:
        return ""
    for word in re.findall(r"[A-Za-z]+", last[-1])[:5]:
        thing = _AREA_THINGS.get(stem(word.lower()))
        if thing:
            return thing
    return ""


_SIDE_AFTER = re.compile(
    r"[\s-]*(?:[a-z]+[\s-]+)?(?:(long|in length)|(wide|across|in width))\b", re.I
)
_BY_AFTER = re.compile(r"-[a-z]+-by-(\d[\d,.]*)-[a-z]+")
_STRETCHED = re.compile(r"\b(?:stretch|stretches|stretched|stretching)\s+(?:\w+\s+)?$", re.I)
_COVERING = re.compile(r"\b(?:covering|covers|covered|spanning|spans|spanned)\s+(?:\w+\s+)?$", re.I)


_REFERENCE = re.compile(
    r"\s*[a-z]+\.?\)?\s+(?:[a-z-]+\s+)?(?:off|from|of)\s+(?:the\s+)?((?:[\w'’-]+\s+){0,4}[\w'’-]+)"
)


def _reference(text: str, end: int) -> frozenset[str]:
    """The named place a distance ending at ``end`` is measured from: the stems of the
    capitalised words of the phrase after its unit ("nine miles (15km) from Pensacola on the
    Florida panhandle" -> {pensacola, florida}); empty when it names none ("offshore", "off
    the coast", "northwest of the island")."""
    m = _REFERENCE.match(_BRACKETS.sub("", text[end : end + 90]))
    if not m:
        return frozenset()
    names = re.findall(r"\b[A-Z][a-z]+", m.group(1))
    return frozenset(stem(n.lower()) for n in names if n not in _NOT_NAMES)


def _size_side(text: str, start: int, end: int) -> str:
    """Which side of a size the figure at ``start:end`` gives: "long" ("130 miles long",
    "a five-mile long slick"), "wide" ("70 miles wide", "45 miles across"), "area" ("a slick
    covering 400 miles"), "" when the words do not say (the sides of "A by B" are set by
    the caller); "a 1-mile-by-5-mile sheen" gives the shorter side."""
    after = _BRACKETS.sub("", text[end : end + 60])  # "130 miles (200km) long"
    side = _SIDE_AFTER.match(after)
    if side:
        return "long" if side.group(1) else "wide"
    by = _BY_AFTER.match(after)
    if by:
        other = _parse_number(by.group(1))
        value = _parse_number(text[start:end].split()[-1]) if text[start:end].split() else None
        if other is not None and value is not None:
            return "long" if value >= other else "wide"
    if _COVERING.search(text[max(0, start - 30) : start]):
        return "area"
    stretched = _STRETCHED.search(text[max(0, start - 30) : start])
    if stretched and not re.match(r"[\s\w]*\bby\b", after):
        return "long"  # "a sheen stretched 470 miles": how long it is
    return ""


def _same_side(qa: Quantity, qb: Quantity) -> bool:
    """Not two known sides of one size (a width is no length)."""
    return not (qa.side and qb.side and qa.side != qb.side)


def same_measure(qa: Quantity, qb: Quantity) -> bool | None:
    """Whether two figures of one unit measure the same quantity, by what they measure
    (:func:`measure_of`): False when the happenings or the things differ, True when both
    name the same happening (or, for a length, the same thing), None when the words do not
    tell (the encoder may break the tie)."""
    if (qa.act and qb.act and qa.act != qb.act) or (qa.thing and qb.thing and qa.thing != qb.thing):
        return False
    if not _same_side(qa, qb):
        return False  # a slick's width against its length, or against an area
    if qa.act and qa.act == qb.act and qa.unit == "volume/day":
        # a rate names what it measures ("barrels of oil a day leaking"); two totals, two sums
        # spent or two counts of people killed are one quantity only if of one happening and
        # one period, which the words beside them do not say (a day's collection against all
        # collected, quakes of two years, the costs of two wells)
        return True
    if (
        qa.unit == qb.unit
        and qa.unit in ("length/distance", "length/size", "area")
        and qa.thing
        and qa.thing == qb.thing
        and qa.thing != "boom"  # boom laid in all, in one parish, at one site
    ):
        return True  # the rig's or the slick's distance offshore, the slick's size
    return None


_HHMM = re.compile(r"(?:[01]\d|2[0-3])[0-5]\d")
# a national or imperial qualifier before a unit: "95.5 m US gallons", "U.S. gallons"
_UNIT_QUALIFIER = re.compile(r"\s*(?:US|U\.S\.|imperial|Imperial)\s+(?=([A-Za-z]+)\b)")
# a capitalised word right before a number that ends its clause: the number is part of a
# name or a version ("Internet Explorer 7", "Beta 2", "Apollo 11"), not a count
_NAME_BEFORE = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z.-]*\s+$")
_CLOCK_ZONE = re.compile(r"\s*\(?(?:hrs\b|local\s+time\b|(?-i:GMT|UTC|BST|[ECMP][SD]T)\b)")


# Charges counted: "charged with two counts of murder", "faces three charges", "one count of".
_CHARGE_NOUNS = words("count charg felon offens offenc")
_CHARGED_BEFORE = re.compile(
    r"\b(?:charg\w*|indict\w*|fac(?:es|ing|ed)|accused|arraigned|guilty)\b(?:\s+\w+){0,4}\s*$", re.I
)
# "one count of", "two counts of": charges, whatever verb governs them
_ONE_CHARGE = re.compile(r"\s+(?:count|charge)s?\s+of\b", re.I)
#: A count said to be none, with the unit it counts (None: read from the "what" group). Not
#: "no injuries were immediately reported" (a first word, not a count) nor a future ("I don't
#: think any charges will be filed").
_NONE_OF: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (
        re.compile(
            r"\bno\s+(?:criminal\s+|formal\s+)?charges?\s+(?:(?:have|has|had)\s+)?(?:yet\s+)?"
            r"(?:been\s+|were\s+|was\s+)?(?:yet\s+)?(?:filed|brought|laid|pressed)\b",
            re.I,
        ),
        "charge",
    ),
    (
        re.compile(
            r"\b(?:has|have|had|was|were)(?:n't|\s+not)\s+(?:yet\s+)?(?:been\s+)?(?:yet\s+)?"
            r"charged\b",
            re.I,
        ),
        "charge",
    ),
    (
        re.compile(
            r"\b(?:no\s+one|nobody|no-one)\s+(?:was|were|has\s+been|had\s+been|have\s+been|got)"
            r"\s+(?:(?:seriously|badly|fatally|critically)\s+)?(?P<what>hurt|injured|wounded|killed)\b",
            re.I,
        ),
        None,
    ),
    (
        re.compile(
            r"\b(?:there\s+(?:were|have\s+been|had\s+been)\s+)?no\s+(?:reports?\s+of\s+)?"
            r"(?P<what>injuries|casualties|deaths|fatalities)\b"
            r"(?!\s+(?:were|have\s+been|had\s+been)\s+(?:immediately|yet|initially))",
            re.I,
        ),
        None,
    ),
)


# every pattern of _NONE_OF holds one of these words (asked first: most statements have none)
_NONE_CUE = Caseless(r"\b(?:no|nobody|not)\b|n't\b")


def _zero(text: str, start: int, end: int, unit: str, ctx: SlotContext) -> Quantity:
    """The count ``unit`` said to be none by the words at ``start:end`` ("no charges have
    been filed"), read around those words as a figure is read around its number."""
    around = (
        frozenset(
            _SAME_COUNT.get(stem(t), stem(t))
            for t in tokens(text[max(0, start - 80) : start])[-6:]
            if t.isalpha() and t.lower() not in STOPWORDS and len(t) > 2
        ),
        frozenset(
            _SAME_COUNT.get(stem(t), stem(t))
            for t in tokens(text[start : end + 80])[:8]
            if t.isalpha() and t.lower() not in STOPWORDS and len(t) > 2
        ),
    )
    year = ctx.published.year if ctx.published else None
    named = {_last_name(n) for at, n in ctx.persons if not _speaker_at(text, at, n)}
    person = _figure_person(text, start, end, ctx, _countable_stat(unit))
    return Quantity(
        0.0,
        unit,
        False,
        text[start:end],
        around[0],
        frame=(around[0] | around[1]) - {unit},
        background=_in_background(text, start, end, year),
        named=_named_happening(text, start, end),
        day=bool(_A_DAY.search(_day_clause(text, start, end))),
        person=person,
        crowd=len(named) >= 2,
        personal=bool(person) and _countable_stat(unit),
        span=_span_of(text, start, end, unit),
        periods=_figure_periods(text, start, end),
        hedge_free=_hedge_free(text, start, end),
        opens_other_year=_opens_other_year(text, year),
        on_day=_day_of(_day_clause(text, start, end), ctx.published),
    )


# between two lengths of one list whose second leaves its verb out: " metres, and the second "
_ELLIPTIC = re.compile(
    r"\s*[a-z]+\.?,?\s+and\s+(?:the\s+)?(?:second|other|third|fourth|latter|smaller|larger)\s+",
    re.I,
)


class NumberSlot(SlotKind):
    """How many or how much: a number with what it counts (the noun after it, or — when the
    number ends its clause — the head noun before it), in normalised units."""

    kind = "number"
    title = "How many"

    def extract(self, text: str, ctx: SlotContext) -> tuple[Quantity, ...]:
        out: list[Quantity] = []
        sizes: list[tuple[int, int, int]] = []  # (index in out, start, end) of sizes
        places: list[tuple[int, int]] = []  # (start, end) of each figure in out
        for m in _number_matches(text) if _NUMBER_CUE.found(text) else ():
            raw = m.group("num")
            value = _parse_number(raw)
            if value is None:
                continue
            worded = not raw[0].isdigit()
            after = text[m.end() : m.end() + 60]
            qualified = _UNIT_QUALIFIER.match(after)
            if qualified and qualified.group(1).lower() in _UNITS:
                after = " " + after[qualified.end() :]  # "95.5 m US gallons": gallons
            prev = text[max(0, m.start("num") - 12) : m.start("num")]
            if worded and raw.lower() == "one" and not _ONE_CHARGE.match(after):
                continue  # "one of the ..." is rarely a count ("one count of murder" is)
            # Model codes ("AK-203", "S-400", "5.56x45") are names, not counts.
            unit_word = re.match(r"([A-Za-z]+)\b", after)
            attached_unit = unit_word is not None and unit_word.group(1).lower() in _UNITS
            if (not m.group("cur") and re.search(r"[A-Za-z]-?$|[A-Za-z]-?\d+\s$", prev)) or (
                re.match(r"[A-Za-z]", after) and not attached_unit
            ):
                continue
            if not m.group("scale") and not worded and "," not in raw and 1900 <= value <= 2100:
                continue  # a year
            before = text[max(0, m.start() - 12) : m.start()].lower()
            if any(mon in before.split()[-1:] for mon in MONTHS) or re.match(
                r"\s*(?:st|nd|rd|th)\b", after
            ):
                continue
            if re.match(r",\d{1,2}(?!\d)", after):
                continue  # a decimal comma ("$3,5 bn") or a list ("3,5 and 7"): not read
            if re.match(r"\s*[-–]\s*\d", after) or re.search(r"\d\s*[-–]\s*$", prev):
                continue  # a score or a range ("14-0", "5-10"), not one count
            if (
                _RANGE_AFTER.match(after)
                or _RANGE_BEFORE.found(text[: m.start("num")])
                or _RANGE_AFTER.match(_BRACKETS.sub("", text[m.end() : m.end() + 120]))
                or _RANGE_BEFORE.found(
                    _BRACKETS.sub("", text[max(0, m.start("num") - 120) : m.start("num")])
                )
            ):
                continue  # one end of a range ("between 1,000 and 5,000", "six to eight",
                # "12,000 barrels (504,000 gallons) to 25,000 barrels")
            if re.match(r"\s+[A-Z]\w+\s+and\s+\d", after) or re.search(
                r"\d\s+[A-Z]\w+\s+and\s+$", text[: m.start("num")]
            ):
                continue  # a breakdown ("12 Somali and 11 Yemeni"), parts of a whole
            if re.match(r"\s*(?::|\.\d|/\d)", after) or re.match(
                r"\s*(?:a\.m|p\.m|am|pm)\b", after
            ):
                continue  # a clock time or a fraction
            if re.search(r"\d[:/]$", text[max(0, m.start("num") - 2) : m.start("num")]):
                continue  # the minutes of a clock time ("3:47 PM")
            if _HHMM.fullmatch(raw) and (
                _CLOCK_ZONE.match(after)
                or (not text[: m.start("num")].strip() and re.match(r"\s+[A-Z]", after))
            ):
                continue  # a 24-hour clock: "1600 GMT", a live page's "0908 Aid charities…"
            if _AGO_RE.match(after):
                continue  # a ticker's "1 hr ago"
            if (
                not m.group("cur")
                and re.search(r"(?:\bNo\.|\bnumber|#)\s*$", text[max(0, m.start() - 8) : m.start()])
            ) or re.match(r"\s+seeds?\b", after):
                continue  # a rank ("the No. 5 seed", "#1"), not a count
            scale = (m.group("scale") or "").lower()
            cur = (m.group("cur") or "").strip().lower()
            # "1,500 m" is a length, "$3m" and "1m euros" money, "6m litres" six million
            counted = re.match(r"\s*([a-z]+)\b", after)
            metres = (
                scale == "m"
                and not cur
                and not re.match(r"\s*(?:euros?|dollars?|pounds?|yen|rupees?)\b", after, re.I)
                and not (
                    counted
                    and (
                        _UNITS.get(counted.group(1), ("length",))[0] != "length"
                        or counted.group(1) in _CURRENCY_WORDS
                        or stem(counted.group(1)) in _HUMAN
                        or (counted.group(1).endswith("s") and counted.group(1) != "across")
                    )
                )
            )
            if scale and not metres:
                value *= _SCALE[scale]
            unit, subject = "", False
            owner: frozenset[str] = frozenset()
            qualifier = ""
            prev_long = text[max(0, m.start("num") - 40) : m.start("num")]
            nxt = tokens(re.split(r"[,.;:()]|\s[-–—]+\s", after, maxsplit=1)[0])[:4]
            first = "m" if metres else (nxt[0].lower() if nxt else "")
            if m.group("pct"):
                unit = "%"
            elif cur:
                unit = _CURRENCY_SIGNS.get(cur, _CURRENCY_SIGNS.get(cur.rstrip("."), "USD"))
            elif first in ("pound", "pounds") and scale:
                unit = "GBP"  # "74 million pounds" is money, "200 pounds" a weight
            elif (
                first in ("square", "sq")
                and len(nxt) > 1
                and _UNITS.get(nxt[1].lower(), ("",))[0] == "length"
            ):
                unit, value = "area", value * _UNITS[nxt[1].lower()][1] ** 2  # "1,800 square
                # miles", "4,660 sq km": square metres
            elif first in ("pound", "pounds", "lb", "lbs") and [w.lower() for w in nxt[1:4]] == [
                "per",
                "square",
                "inch",
            ]:
                unit = "pressure"  # "6,700 pounds per square inch" is no weight
            elif first in _UNITS:
                dim, factor = _UNITS[first]
                unit, value = dim, value * factor
                other_period = _OTHER_PERIOD.match(after)
                if other_period:
                    unit += "/" + other_period.group(1).lower()  # "833,000 barrels an hour"
                elif _per_day(text[m.end() : m.end() + 140]) or _RATE_BEFORE.search(
                    text[max(0, m.start() - 80) : m.start()]
                ):
                    unit += "/day"  # a rate: "5,000 barrels a day"
            elif first in _CURRENCY_WORDS:
                unit = _CURRENCY_WORDS[first]
            else:
                hyphen = re.match(r"-([a-z]+(?:-[a-z]+)*)", after)
                if hyphen and hyphen.group(1) in ("year-old", "years-old"):
                    unit, owner = "year-old", _named_after(after[hyphen.end() :])
                elif hyphen:
                    unit = stem(hyphen.group(1))
                elif re.match(r"\s*(?:[-–]\s|,)", after) and (
                    named := _NAME_COMMA.search(prev_long)
                ):
                    # "Ena Zizi, 69 - rescued after seven days": a person's age
                    unit, owner = "year-old", _surname(named.group(1).split())
                else:
                    unit, qualifier = _counted_noun(nxt)
                    of_whole = _OF_WHOLE.match(after)
                    if not unit and of_whole:
                        unit = stem(of_whole.group(1))  # "10 of the Saints' 16 games": games
                    partitive = _PARTITIVE.match(after)
                    if partitive and not qualifier:
                        qualifier = stem(partitive.group(1))
            verb_before = re.search(
                r"\b([a-z]+(?:ing|ed))\s+(?:about\s+|some\s+|another\s+|other\s+|at least\s+|"
                r"more than\s+|nearly\s+|almost\s+|around\s+|over\s+)?$",
                text[max(0, m.start("num") - 30) : m.start("num")].rstrip() + " ",
            )
            if not unit and verb_before and re.match(r"\s*(?:[.;,)]|and\b|$)", after):
                unit = stem(verb_before.group(1))  # "injuring 80", "wounding other 70"
            if (
                not unit
                and re.match(r"\s*(?:[.;,]|$)", after)
                and not _NAME_BEFORE.search(text[: m.start("num")])
            ):
                # the number ends its clause: "the death toll rose to 11." (not a name's
                # number: "Internet Explorer 7,", "Windows IE 8 Beta 2,")
                clause = re.split(r"[,;:]", text[max(0, m.start() - 80) : m.start()])[-1]
                # the subject before its verb, without the phrases hanging off it:
                # "The death toll from the quake rose to 11" -> "toll"
                clause = re.split(
                    r"\b(?:rose|risen|rises|climbed|reached|stood|stands|totall?ed|totals|"
                    r"is|was|were|are|increased|fell|dropped|jumped|grew|hit)\b",
                    clause,
                )[0]
                clause = re.split(r"\b(?:from|of|in|on|at|after|since|by|for)\b", clause)[0]
                head = [
                    t
                    for t in tokens(clause)
                    if t.isalpha() and t.islower() and t not in STOPWORDS and len(t) > 2
                ]
                if head:
                    unit, subject = stem(head[-1]), True
            if unit != "year-old" and "-" in unit and unit.split("-")[0] in _ELAPSED:
                continue  # an age in time ("the 56-day-old crisis") counts days, not things
            if unit in _DURATION_DAYS and not subject:
                if _SPAN_NOT.match(after) or not (
                    _SPAN_FOR.search(text[max(0, m.start() - 12) : m.start()])
                    or _SPAN_OF.match(after)
                ):
                    continue  # "two days after", "within seven days": dates' job
                unit, value = "duration", value * _DURATION_DAYS[unit]
            if not unit or unit in _DURATION_UNITS or unit in _ELAPSED:
                continue  # other spans of time ("for years") are not read
            unit = _SAME_COUNT.get(unit, unit)
            if unit in _CHARGE_NOUNS and (
                _CHARGED_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
                or _ONE_CHARGE.match(after)
            ):
                unit = "charge"  # "charged with two counts of murder", "faces three charges"
            if unit in _HUMAN:
                # people counted as casualties: "injuring five people", "ten people killed",
                # "two villagers slightly injured"
                near = [verb_before.group(1)] if verb_before else []
                clause = re.split(r"[,;:.()]|\b(?:and|while|but|who|which)\b", after, maxsplit=1)[0]
                near += [t for t in tokens(clause)[:12] if t.islower()]
                for w in near:
                    c = _CASUALTY.get(_SAME_COUNT.get(stem(w), stem(w)))
                    if c:
                        unit = c
                        break
            context = frozenset(
                _SAME_COUNT.get(stem(t), stem(t))
                for t in tokens(text[max(0, m.start() - 80) : m.start()])[-6:]
                if t.isalpha()
                and (t.lower() not in STOPWORDS or t.lower() in _REVISION_WORDS)
                and len(t) > 2
            )  # (a stopword that says the figure is an earlier value is kept: "earlier")
            frame = context | frozenset(
                _SAME_COUNT.get(stem(t), stem(t))
                for t in tokens(text[m.end() : m.end() + 80])[:6]
                if t.isalpha() and t.lower() not in STOPWORDS and len(t) > 2
            )
            change = bool(
                _CHANGE_RE.search(text[max(0, m.start() - 40) : m.start()])
                or _CHANGE_AFTER.match(after)
                or _LEVEL_AFTER_CHANGE.search(text[max(0, m.start() - 60) : m.start()])
            )
            head = text[: m.start()]
            opened = head.rfind("(")
            bracketed = (
                opened > head.rfind(")")
                and re.search(r"[\d%][^()]{0,30}$", head[max(0, opened - 30) : opened])
            ) or re.search(r"[\d%]\s*(?:[a-z]+\s*){0,2}\($", head[-30:])
            converts = ""
            if bracketed and (
                m.group("cur")
                or attached_unit
                or (nxt and nxt[0].lower() in (*_UNITS, *_CURRENCY_WORDS, "square", "sq"))
            ):
                # a conversion in brackets ("110 billion euros ($158 billion)"); one of money
                # into another currency gives the sum in that currency too, to compare with a
                # report that gives it only so ("$102 million" / "85 million euros ($108
                # million)"); units of one dimension compare already
                converts = out[-1].unit if out and not out[-1].converts else ""
                if (
                    not (cur or first in _CURRENCY_WORDS)
                    or converts not in _MONEY_UNITS
                    or converts == unit
                ):
                    continue
            if not owner:
                owner = _appositive_owner(text, m.start())
            if not owner and (cur or unit in _CURRENCY_WORDS.values()):
                owner = _subject_owner(text, m.start())
            approx = (m.group("approx") or "").strip().lower()
            bound = (
                "min"
                if approx in {"over", "more than", "at least"}
                else "max"
                if approx in {"up to", "less than", "fewer than", "under"}
                else ""
            )
            trailing = _TRAILING_BOUND.match(after)
            if trailing and not bound:  # "4,000 barrels a day or more"
                bound = "min" if trailing.group(1).lower() in ("more", "above") else "max"
            approx_flag = bool(approx) or (worded and raw.lower().startswith("dozen"))
            compound = re.match(r"-[a-z]+\s+([a-z]+)", after)
            if unit == "length" and compound and compound.group(1) not in _SIZE_WORDS:
                unit += "/" + stem(compound.group(1))  # "a 7-yard line", "a 45-yard field goal"
            elif unit == "length":
                # (read to 120 characters: a bracketed conversion before "from the well"
                # or "south-east of the mouth" takes up the first 60)
                role_after = text[m.end() : m.end() + 120]
                unit += "/" + _length_role(role_after, text[max(0, m.start() - 40) : m.start()])
            # only a share or a price moves ("fell 7.8 percent"); "fell 60 metres" is a fall
            change = change and unit in ("%", "USD", "EUR", "GBP", "INR", "GBX", "USC")
            act, thing = measure_of(text, m.start(), m.end(), unit)
            if not thing and unit.startswith("length") and ctx.before:
                thing = _pronoun_thing(text, m.start(), ctx.before)
            side = _size_side(text, m.start(), m.end()) if unit == "length/size" else ""
            if side == "area" and first in _UNITS:
                # "a slick covering 400 miles": an area in square miles, written short
                unit, value, side = "area", value * _UNITS[first][1], ""
            person = _figure_person(text, m.start(), m.end(), ctx, _countable_stat(unit))
            named = {_last_name(n) for at, n in ctx.persons if not _speaker_at(text, at, n)}
            out.append(
                Quantity(
                    value,
                    unit,
                    approx_flag,
                    m.group(0).strip(),
                    context,
                    bound,
                    subject,
                    frame - {unit},
                    change,
                    bool(
                        _PART_BEFORE.search(text[max(0, m.start() - 50) : m.start()])
                        or _MORE_AFTER.match(after)
                    ),
                    owner,
                    qualifier,
                    act,
                    thing,
                    _in_background(
                        text, m.start(), m.end(), ctx.published.year if ctx.published else None
                    ),
                    _named_happening(text, m.start(), m.end()),
                    bool(_A_DAY.search(_day_clause(text, m.start(), m.end()))),
                    person,
                    len(named) >= 2,
                    bool(person) and _countable_stat(unit),
                    _span_of(text, m.start(), m.end(), unit),
                    _figure_periods(text, m.start(), m.end()),
                    side,
                    _hedge_free(text, m.start(), m.end()),
                    _opens_other_year(text, ctx.published.year if ctx.published else None),
                    converts,
                    _day_of(_day_clause(text, m.start(), m.end()), ctx.published),
                    _reference(text, m.end()) if unit == "length/distance" else frozenset(),
                    unit == "volume" and _ongoing(text, m.end()),
                )
            )
            places.append((m.start(), m.end()))
            if unit == "length/size":
                sizes.append((len(out) - 1, m.start(), m.end()))
        # a count said to be none ("no charges have been filed", "no one was hurt") is the
        # value zero of that count: no rival to a report of none, a rival to "charged with
        # two counts", "two villagers slightly injured"
        for pattern, fixed in _NONE_OF if _NONE_CUE.found(text) else ():
            for mz in pattern.finditer(text):
                said = stem(mz.group("what").lower()) if not fixed else ""
                what = fixed or _SAME_COUNT.get(said, said)
                if what in ("charge", "injur", "kill") and not any(q.unit == what for q in out):
                    out.append(_zero(text, mz.start(), mz.end(), what, ctx))
                    places.append((mz.start(), mz.end()))
        # a conversion measures what the figure it converts does: "about 5,000 barrels, or
        # 200,000 gallons, a day", "5,000 barrels a day -- the equivalent of 210,000 gallons"
        for k in range(1, len(out)):
            first, conv = out[k - 1], out[k]
            dim = first.unit.split("/")[0]
            if (
                dim in ("volume", "length", "mass")
                and conv.unit.split("/")[0] == dim
                and (conv.unit == dim or conv.unit == first.unit)  # (not "an hour" of "a day")
                and _CONVERTED.fullmatch(text[places[k - 1][1] : places[k][0]])
            ):
                out[k] = replace(
                    conv,
                    unit=first.unit,
                    act=conv.act or first.act,
                    thing=conv.thing or first.thing,
                )
        # "the first well had reached 5,450 metres, and the second 4,840 metres": a length
        # that the words after "and the second" leave bare measures what the one before does
        for k in range(1, len(out)):
            first, then = out[k - 1], out[k]
            if (
                first.unit.startswith("length/")
                and then.unit.startswith("length/")
                and then.unit != first.unit
                and _ELLIPTIC.fullmatch(text[places[k - 1][1] : places[k][0]])
            ):
                out[k] = replace(then, unit=first.unit)
        # "45 miles by 105 miles": the longer side is the length, the shorter the width
        for (i, _s0, e0), (j, s1, _e1) in zip(sizes, sizes[1:], strict=False):
            if re.fullmatch(r"\s*[a-z]*\s*by\s*", _BRACKETS.sub("", text[e0:s1])) and j == i + 1:
                long_first = out[i].value >= out[j].value
                out[i] = replace(out[i], side="long" if long_first else "wide")
                out[j] = replace(out[j], side="wide" if long_first else "long")
        if out and _told_of_another_year(text, ctx):
            # "On April 27, 2003, ... the Bouchard Barge B-120 hit an obstacle ... The oil is
            # known to have affected an estimated 90 miles of shoreline": that year's oil
            out = [replace(q, background=True) for q in out]
        return tuple(out)

    def compare(
        self, a: Statement, b: Statement, pair: PairContext
    ) -> tuple[Quantity, Quantity] | None:
        """Two figures of one unit that cannot both be true, in statements about the same
        thing. The values are checked first (rounding, bounds, a running count of days,
        parts of a total, a figure the other article also gives); sameness second: by the
        rules (statements alike, the same people, shared words around both figures) or, where
        the rules do not see it, by the learned signal (``PairContext.cosine`` at least
        ``ClaimOptions.figure_cosine``)."""
        if not a.slot(self.kind) or not b.slot(self.kind):
            return None  # a side without a figure (most pairs: asked first, it costs least)
        if len(wordy(a.stems & b.stems)) < 2:
            return None
        if not _same_period(a, b):
            return None
        if (
            a.people
            and b.people
            and not a.people & b.people
            and not any(
                qa.unit == qb.unit and same_measure(qa, qb)
                for qa in a.slot(self.kind)
                for qb in b.slot(self.kind)
            )
        ):
            return None  # figures of other people: "Manning threw for 364 yards" / "Luck ... 205"
            # (not two figures whose words say they measure one quantity of the happening:
            # the oil flowing a day, where the rig lies, the slick's size are nobody's own)
        # statements that are not alike, or name other people, speak of other things
        merge = pair.options.merge_threshold
        alike = pair.sim >= _NUMBER_SIM * merge and _same_people(a, b)
        learned: float | None = None
        qa_all, qb_all = a.slot(self.kind), b.slot(self.kind)
        for qa in qa_all:
            for qb in qb_all:
                if qa.unit != qb.unit:
                    continue
                if (qa.converts and qb.converts) or any(
                    q.unit == x.converts for x, other in ((qa, qb_all), (qb, qa_all)) for q in other
                ):
                    continue  # two conversions (at two rates), or one whose original the
                    # other statement gives: those sums compare, not their conversions
                if hedged_figure(a, qa) or hedged_figure(b, qb):
                    continue  # a conditional or hedged figure ("could climb to") is no report
                fixed = _fixed_place(qa) and _fixed_place(qb)
                if (qa.background or qb.background) and not fixed:
                    continue  # a figure from another time ("In 2007, the gang ...")
                if not _same_happening(qa, b) or not _same_happening(qb, a):
                    continue  # "the Valdez spill of 250,000 barrels" against this leak
                if qa.unit in _PERSONAL and not qa.owner & qb.owner:
                    continue  # one person's age against another's (or a list of ages)
                if (
                    qa.unit in _PERSONAL
                    and any(o[:1] == "~" for o in qa.owner & qb.owner)
                    and (pair.cosine is None or pair.cosine() < pair.options.cross_event_cosine)
                ):
                    continue  # "an 11-year-old girl" / "a 14-year-old girl was also found":
                    # one girl only when the encoder finds the statements near-restatements
                if not _same_owner(qa, qb, measured=same_measure(qa, qb) is True):
                    continue  # one person's statistic against another's, a game's against a
                    # season's, or a figure in a sentence of many people whose owner is unread
                if _other_owners(qa.owner, qb.owner):
                    continue  # of two things: "Qeshm, home to 120,000" / "Bandar Abbas, 500,000"
                if _narrower(qa, qb) or _narrower(qb, qa):
                    continue  # "seven AK-47 assault rifles" are some of "nine assault rifles"
                if _period_words(qa) != _period_words(qb):
                    continue  # an annual average against one year's figure
                if not (fixed or _same_span(qa.periods, qb.periods)):
                    continue  # "arrested three times since October" / "arrested four times"
                if (qa.change or qb.change) and not (
                    qa.change
                    and qb.change
                    and not pair.days_apart
                    and pair.sim >= merge
                    and qa.day == qb.day
                ):
                    continue  # a move ("shares fell 7.8 percent") depends on market and
                    # moment: only the same day's move in otherwise alike statements compares
                    # (a move "on Tuesday" against one of no named day, which an article of
                    # Tuesday may repeat from Monday's, compares no day)
                if qa.part != qb.part:
                    continue  # a stated part of a total against a whole
                if qa.unit == "volume" and qa.ongoing != qb.ongoing:
                    continue  # "5,000 barrels were still leaking" (a rate, its period left
                    # out) against "Nearly 4 million gallons have spilled" (a total)
                if qa.unit == "volume" and qa.day != qb.day:
                    continue  # "collected 256,200 gallons on Monday" / "924,000 gallons" in all
                if (
                    qa.reference
                    and qb.reference
                    and not qa.reference & qb.reference
                    and "rig" not in (qa.thing, qb.thing)
                ):
                    continue  # how far a moving thing is from one place and from another
                    # ("nine miles off Louisiana" / "seven miles from Pensacola")
                if _place_owned_elsewhere(qa, a, b) or _place_owned_elsewhere(qb, b, a):
                    continue  # "the Yellow Sea, where the slick covers 170 square miles"
                if qa.on_day and qb.on_day and qa.on_day != qb.on_day and not fixed:
                    continue  # one day's figure against another day's ("wiping another
                    # £14bn off its value today" in two reports a day apart)
                if not fixed and {_running_total(a), _running_total(b)} == {True, False}:
                    continue  # "so far, 364,500 barrels" against "25,000 on Thursday" (where
                    # a rig lies sums nothing: "The oil has been flowing since April 22, when
                    # a drilling rig ... sank 50 miles out" / "40 miles offshore")
                if qa.unit == "%" and (
                    sum(q.unit == "%" for q in qa_all) > 1 or sum(q.unit == "%" for q in qb_all) > 1
                ):
                    continue  # a breakdown of shares (poll groups, owners) is no single figure
                if qa.unit == "duration" and pair.days_apart is None and qb.value >= 1.0:
                    continue  # a span of days may still run ("for four days, Greece has ..."
                    # / "after 8 days of riots"): without both reports' days, no rival
                shift = _elapsed_shift(qa, pair)
                if qa.compatible(qb, shift) or (shift and qa.compatible(qb)):
                    continue  # (a span of time may have ended before the earlier report)
                if any(
                    _also_given(q, qb, _elapsed_shift(q, pair)) for q in qa_all if _same_side(q, qb)
                ) or any(
                    _also_given(q, qa, -_elapsed_shift(q, pair))
                    for q in qb_all
                    if _same_side(q, qa)
                ):
                    continue  # the other statement gives this figure too (of the same side)
                if _gives(pair.figures_a, qb) or _gives(pair.figures_b, qa):
                    continue  # each article also gives the other's figure
                if _sums_to(qa_all, qb) or _sums_to(qb_all, qa):
                    continue  # "seven AK-47s and two other rifles" are "nine rifles"
                measured = same_measure(qa, qb)
                same = _same_slot(qa, qb) if measured is None else measured
                # the rules decide; across events the encoder confirms what they found, less
                # strictly when the words say the two figures measure one quantity
                by_rules = same and (alike or (measured and _same_people(a, b)))
                if by_rules and (not pair.confirm or pair.cosine is None):
                    return qa, qb
                if by_rules and measured:
                    if learned is None:
                        learned = pair.cosine()
                    flows = qa.unit.endswith("/day") and qa.act == qb.act == "flow"
                    sizes = qa.unit in ("length/size", "area") and qa.thing == qb.thing == "slick"
                    if learned >= (
                        pair.confirm_flow
                        if flows
                        else pair.confirm_size
                        if sizes
                        else pair.confirm_measured
                    ):
                        return qa, qb
                if by_rules and pair.confirm and pair.sim >= merge:
                    # across events, two statements whose words make them one claim (the
                    # flotilla "Seventy vessels - oil skimmers, tugboats barges and special
                    # recovery boats ..." / "49 vessels -- oil skimmers, ...") need the
                    # encoder only as much as within an event
                    if learned is None:
                        learned = pair.cosine()
                    if learned >= pair.options.figure_cosine:
                        return qa, qb
                if _same_people(a, b) and _anchored(qa, qb, qa_all, qb_all):
                    if not pair.confirm or pair.cosine is None:
                        return qa, qb
                    if learned is None:
                        learned = pair.cosine()
                    if learned >= pair.confirm:
                        return qa, qb
                if same is False or pair.cosine is None:
                    continue
                if learned is None:
                    learned = pair.cosine()
                if learned >= max(pair.options.figure_cosine, pair.confirm):
                    return qa, qb
        return None

    def label(self, value: Quantity) -> str:
        return value.text

    def relation(self, a, b, pair, values) -> str:  # noqa: ANN001
        """Where a fixed thing lies (the rig, the well, a wreck) is no running figure: two
        places for it are a contradiction whatever days apart they were told."""
        qa, qb = values
        if _fixed_place(qa) and _fixed_place(qb) and min(qa.value, qb.value) >= 1000.0:
            return "contradiction"  # (miles offshore; feet to drill are no place)
        return super().relation(a, b, pair, values)


# A figure given as a share of something ("only a fifth of the leaking oil - around 800,000
# barrels - was captured") is a part, no rival to the whole.
_PART_BEFORE = re.compile(
    r"(?:\b(?:(?:half|third|quarter|fifth|tenth|fraction|portion|part|share)s? of\b[^.;:]{0,35}|"
    r"\ban additional|\b(?:his|her|its|their|the) (?:first|last|final|opening)|"
    # the whole a part is of: "missing 10 of the Saints' 16 games", "28 of 41 passes"
    r"\d+\s+of(?:\s+(?:the|its|their|his|her))?(?:\s+[A-Z]\w*['’]?s?)?))\s*$",
    re.I,
)


# an increment, no level: "at least 100,000 gallons more a day"
_MORE_AFTER = re.compile(r"\s*[a-z]+\s+more\b(?!\s+than)", re.I)


_CUMULATIVE = re.compile(
    r"\b(?:so far|to date|in total|altogether|in all|since (?:the|an|it|April|May|June|July|"
    r"August|September|\d))\b",
    re.I,
)
_ONE_DAY = re.compile(
    r"(?<!as of )(?<!by )\b(?:on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|in the (?:previous|past|last) 24 hours|over 24 hours|yesterday|a day|per day|each day"
    r"|every day|daily)\b",
    re.I,
)


def _narrower(x: Quantity, y: Quantity) -> bool:
    """``x`` counts a named kind of what ``y`` counts, and no more of them: "seven AK-47
    rifles" among "nine rifles", "36 UN staff" among "150,000 people"."""
    return bool(x.qualifier) and x.qualifier != y.qualifier and x.value <= y.value


#: Units that say who took part: reports that agree on one of them (the same 36-year-old,
#: the same toll) speak of the same happening.
_PARTICIPANT_UNITS = frozenset(["year-old", "kill", "injur"])


def _anchored(
    qa: Quantity, qb: Quantity, qa_all: Sequence[Quantity], qb_all: Sequence[Quantity]
) -> bool:
    """Two figures count the same thing because the statements agree on who took part:
    another figure of theirs that is the same in both — the person's age ("36-year-old ...
    fell about 60m" / "The 36-year-old ... fell 200 metres") or the toll of one happening
    ("killing 10 persons and wounding 70" / "killing 10 people and injuring 80"). An
    anchor on the toll binds only the other casualty figures."""
    for x in qa_all:
        if x is qa or x.unit not in _PARTICIPANT_UNITS:
            continue
        if x.unit != "year-old" and qa.unit not in _PARTICIPANT_UNITS:
            continue
        for y in qb_all:
            if y is qb or y.unit != x.unit or _other_owners(x.owner, y.owner):
                continue
            if x.value == y.value and not (x.bound or y.bound):
                return True
    return False


_SPEAKER_AFTER = re.compile(
    r"^[\W]{0,3}(?:[\w'’.-]+\s+){0,3}?(?:said|says|told|tells|added|adds|announced|noted|"
    r"explained|stated|wrote|reported|insisted|warned|according)\b"
)
# a name that is the object of a preposition ("against Duke", "with the Angels") owns nothing
_OBJECT_BEFORE = re.compile(
    r"\b(?:with|against|to|from|of|at|in|on|over|for|by|into|than|vs|versus|and)\.?\s+"
    r"(?:the\s+)?$",
    re.I,
)
_PRONOUN_OWNER = re.compile(r"\b(?:he|she|his|her|him)\b", re.I)
# a figure owned by a name after it: "13 points from McDermott", "a season for Teixeira"
_OWNER_AFTER = re.compile(r"^[^.;:!?]{0,40}?\b(?:from|by|for)\s+(?:the\s+)?$")
# Counted nouns that are no person's own statistic: people (a toll), time, money, measures.
_NOT_STAT = frozenset({"year-old", "ag", "%", *_ELAPSED}) | _HUMAN | frozenset(_CASUALTY.values())
# Words that say which span a person's figure covers: one game, a half, a season, a career.
_SPAN_WORDS = words(
    "career careers season seasons game games night half quarter round rounds fight bout "
    "match tournament playoffs postseason series term tenure lifetime all-time record total "
    "tonight minute minutes inning innings lap laps stretch combined overall"
)


_SPAN_STEMS = frozenset(stem(w) for w in _SPAN_WORDS)
# a conjunction opens another clause: "missed nine games before coming back for three"
_SPAN_CUT = re.compile(r"\b(?:before|after|when|while|until|then|but|because|since)\b", re.I)
_THIS_SPAN = re.compile(r"\b(?:this|the current)\s+\w+", re.I)


def _last_name(name: str) -> str:
    parts = name.split()
    return re.sub(r"['’]s?$", "", parts[-1]).lower() if parts else ""


def _speaker_at(text: str, at: int, name: str) -> bool:
    return bool(_SPEAKER_AFTER.match(text[at + len(name) : at + len(name) + 40]))


def _figure_person(text: str, start: int, end: int, ctx: SlotContext, stat: bool) -> str:
    """Whose figure the number at ``start:end`` is: the person named right after it as its
    owner ("13 points from McDermott"), else the nearest person named before it in the
    statement who is not a speaker ("Vaughn finished with 16 points and nine rebounds"),
    else, for a count that may be a person's statistic (``stat``), the first person named
    after it in its sentence, else, when a pronoun stands in the sentence ("In 54 games
    ... he hit"), the last person named before the statement; "" when none."""
    names = ctx.names or ctx.persons
    for at, name in names:
        if at >= end and _OWNER_AFTER.match(text[end:at]):
            return _last_name(name)
    before = [
        (at, name)
        for at, name in names
        if at + len(name) <= start
        and not _speaker_at(text, at, name)
        and not _OBJECT_BEFORE.search(text[max(0, at - 12) : at])
    ]
    if before:
        return _last_name(before[-1][1])
    if stat:  # a fronted phrase: "Playing in 157 games with the Braves, Teixeira had ..."
        stop = _sentence_end(text, end)
        for at, name in names:
            if (
                end <= at < stop
                and re.search(r",\s*$", text[end:at])
                and not _speaker_at(text, at, name)
            ):
                return _last_name(name)
    if ctx.antecedent and _PRONOUN_OWNER.search(text[: _sentence_end(text, end)]):
        return _last_name(ctx.antecedent)
    return ""


_SENTENCE_END = re.compile(r"[;.!?](?:\s|$)")


def _sentence_end(text: str, end: int) -> int:
    m = _SENTENCE_END.search(text, end)
    return m.start() if m else len(text)


def _countable_stat(unit: str) -> bool:
    """A counted noun that can be a person's own statistic: not people, time, money or a
    measure ("points", "yards", "punches", "games", "home runs")."""
    return (
        unit.replace("+", "").isalpha()
        and unit not in _NOT_STAT
        and unit not in _CURRENCY_WORDS.values()
        and unit not in {d for d, _f in _UNITS.values()}
        and unit not in ("area", "duration")  # (measures read from two words: "square
        # miles", "for three days"; "BP officials acknowledge ... 1,800 square miles")
    )


def _span_of(text: str, start: int, end: int, unit: str) -> frozenset[str]:
    """The span words of the figure's clause (up to a conjunction; at most eight words
    after it) other than its own counted noun."""
    before = _SPAN_CUT.split(_CLAUSE_END.split(text[:start])[-1])[-1]
    after = " ".join(tokens(_SPAN_CUT.split(_CLAUSE_END.split(text[end:])[0])[0])[:8])
    clause = _THIS_SPAN.sub(" ", before + " " + after)  # "this season": the default span
    found = {stem(w.lower()) for w in tokens(clause)} & _SPAN_STEMS
    return frozenset(w for w in found if w != unit and stem(w + "s") != unit)


def _same_owner(qa: Quantity, qb: Quantity, measured: bool = False) -> bool:
    """Whether two figures may be one person's one statistic: a person's own count (or any
    figure in a sentence naming several persons) compares only with a figure the same
    person owns, of the same span (a game's points are no rival to a career's); when the
    owner of either cannot be read, they are no rival. Figures whose words say they measure
    one quantity of the happening (``measured``: the oil flowing a day) are nobody's own,
    however many persons the sentence names."""
    crowd = (qa.crowd or qb.crowd) and not measured
    if qa.personal or qb.personal or crowd:
        if not (qa.person and qb.person) or qa.person != qb.person:
            return False
        if (qa.personal or qb.personal) and qa.span != qb.span:
            return False
    return True


_Slots = tuple[tuple[str, tuple[Any, ...]], ...]


def personal_units(
    slots: Sequence[tuple[_Slots, frozenset[str]]],
) -> Callable[[_Slots], _Slots]:
    """Given the slots of every statement of one article with the surnames of the persons it
    is about, a function that marks as a person's statistic each figure of a unit one of
    those persons owns somewhere in the article ("The undrafted rookie ... 716 yards" where
    "Thomas had 793 yards"): whose it is must then be read before it compares."""
    units = {
        q.unit
        for sl, people in slots
        for k, vs in sl
        if k == "number"
        for q in vs
        if q.personal and q.person in people
    }

    def mark(sl: _Slots) -> _Slots:
        if not any(k == "number" and any(q.unit in units for q in vs) for k, vs in sl):
            return sl  # nothing to mark: the same slots
        return tuple(
            (k, tuple(replace(q, personal=True) if q.unit in units else q for q in vs))
            if k == "number"
            else (k, vs)
            for k, vs in sl
        )

    return mark


def _other_owners(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both owners known, of one kind (names, or "~" nouns), and none shared."""
    if not a or not b or a & b:
        return False
    return any(x.startswith("~") for x in a) == any(x.startswith("~") for x in b)


def _running_total(st: Statement) -> bool | None:
    """True for a figure summed up to now ("so far", "to date", "since the blast"), False
    for one day's ("on Thursday", "in the previous 24 hours", "a day"), None when the
    statement says neither or both."""
    return _running_total_of(st.text)


@lru_cache(maxsize=1 << 14)
def _running_total_of(text: str) -> bool | None:
    total, day = bool(_CUMULATIVE.search(text)), bool(_ONE_DAY.search(text))
    return None if total == day else total


def _same_slot(qa: Quantity, qb: Quantity) -> bool | None:
    """The rules' test that two figures of one unit count the same thing: True when words
    around both are shared (not only "people", "killed", "year"), and for a length, mass,
    volume or sum of money shared words both before the figure and after it; False when
    the words before the two figures share none ("Fort Jackson, 70 miles ..." and "Eve ...
    70 miles ..." measure two things); None when the words there are too few to tell."""
    if not (qa.frame & qb.frame) - _GENERIC_FRAME:
        return False
    if not qa.unit.startswith(("length", "mass", "volume", "USD", "EUR", "GBP")):
        return True
    before_a, before_b = qa.context - _GENERIC_FRAME, qb.context - _GENERIC_FRAME
    after_a = qa.frame - qa.context - _GENERIC_FRAME
    after_b = qb.frame - qb.context - _GENERIC_FRAME
    if before_a & before_b:
        return True if after_a & after_b else None
    return False if before_a and before_b else None


def _elapsed_shift(q: Quantity, pair: PairContext) -> float:
    """Days elapsed between the two reports, in the unit of a running count of time."""
    days = pair.days_apart
    if days and q.unit == "duration":
        return -float(days)
    if not days or q.unit not in _ELAPSED:
        return 0.0
    return -days / _ELAPSED[q.unit]


def _period_words(q: Quantity) -> frozenset[str]:
    return frozenset(stem(w) for w in _PERIOD_WORDS) & q.context


def _sums_to(parts: Sequence[Quantity], whole: Quantity) -> bool:
    same = [q.value for q in parts if q.unit == whole.unit]
    tol = max(0.01, _decimal_precision(whole))
    return len(same) >= 2 and abs(sum(same) - whole.value) <= tol * max(whole.value, 1e-9)


def _decimal_precision(q: Quantity) -> float:
    """The relative precision a decimal figure states: "1.8 m" is 1.75-1.85 m (2.8 %)."""
    m = re.search(r"\d+\.\d+", q.text)
    if not m:
        return 0.0
    digits = int(m.group(0).replace(".", "").lstrip("0") or "1")
    return 0.5 / digits


def figure_key(q: Quantity) -> tuple[str, float]:
    """What an article's list of figures keeps of ``q`` (``PairContext.figures_a``): its
    unit, with the side of a size ("length/size|wide"), and its value."""
    return (f"{q.unit}|{q.side}" if q.side else q.unit, q.value)


def article_figures(qs: Sequence[Quantity]) -> frozenset[tuple[str, float]]:
    """The figures of one statement that its article gives as its own report (its keys,
    :func:`figure_key`): not those given only as an earlier or planned value ("the previous
    estimate of 1,000 barrels a day"), which the article revises rather than gives."""
    return frozenset(figure_key(q) for q in qs if not _revised(q))


_REVISION_WORDS = frozenset(
    ("previous", "previously", "earlier", "initial", "initially", "original")
)
_REVISION_STEMS = frozenset(stem(w) for w in _REVISION_WORDS)


def _revised(q: Quantity) -> bool:
    """A figure given as the earlier value its statement revises: "the previous estimate of
    1,000", "up from an earlier estimate of 1,000" (not any figure of another time)."""
    return q.background and bool(q.context & _REVISION_STEMS)


def _gives(figures: frozenset[tuple[str, float]], q: Quantity) -> bool:
    """Whether an article gives ``q`` (of its unit, and of its side when both are read)."""
    return any(
        u.split("|")[0] == q.unit
        and ("|" not in u or not q.side or u.endswith("|" + q.side))
        and abs(v - q.value) <= 0.01 * max(abs(v), 1e-9)
        for u, v in figures
    )


def _mentions_value(q: Quantity, text: str) -> bool:
    return len(q.text) >= 2 and bool(
        re.search(r"(?<![\w.,])" + re.escape(q.text) + r"(?!\w)", text)
    )


_PERSONAL = frozenset(["year-old", "ag"])
# Sentences about another time than the reported happening.
_BACKGROUND = re.compile(
    r"\b(?:in (?:early |late |mid-?|the )?(?:19|20)\d\d|since (?:19|20)\d\d|"
    r"last (?:month|year)|earlier this year|"
    r"(?:two|three|several) decades|decades? (?:ago|later)|years? (?:ago|later)|in the end|"
    r"the (?:last|previous) (?:major )?\w+ (?:to|in|was)|last season|a year ago|previously|"
    r"formerly|used to)\b",
    re.I,
)
# Words that bound the period a figure covers: two figures of one thing over other spans
# ("since October", "this season", "in the first half", "on the last drive") are no rivals.
_PERIOD = re.compile(
    r"\b(?:since (?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|week \d+|"
    r"(?:19|20)\d\d)|(?:this|last|next) (?:season|year|month|week)|in the (?:first|second|"
    r"third|fourth|final) (?:half|quarter|period|round)|on the (?:last|final|first|opening) "
    r"(?:drive|play|day)|in (?:his|her|their|its) (?:last|first) \w+ (?:games|matches|days))\b",
    re.I,
)


@lru_cache(maxsize=1 << 14)
def _background(text: str) -> bool:
    """Whether a statement speaks of another time than the reported happening (asked of
    each statement once per pair: cached)."""
    return bool(_BACKGROUND.search(text))


@lru_cache(maxsize=1 << 14)
def _periods(text: str) -> frozenset[str]:
    return frozenset(m.group(0).lower() for m in _PERIOD.finditer(text))


def _also_given(q: Quantity, other: Quantity, shift: float) -> bool:
    """Whether the figure ``q`` of one statement gives ``other`` too: compatible with it in
    one unit; in another unit (a noun read otherwise: "seven AK-47s" / "seven AK-47
    rifles") only the same value, since a bound of one unit says nothing of another ("up to
    5,000 barrels a day" is no bound on "about 40 miles"). A figure given only as an earlier
    or planned value ("far more than the previous estimate of 1,000 barrels a day") is not
    given: the statement revises it."""
    if _revised(q):
        return False
    if q.unit == other.unit:
        return q.compatible(other, shift)
    return replace(q, bound="").compatible(replace(other, bound=""), shift)


_OPENING_YEAR = re.compile(r"\W*(?:in|back\s+in)\s+((?:19|20)\d\d)\b", re.I)


def _opens_other_year(text: str, year: int | None) -> bool:
    """Whether ``text`` opens with a year other than ``year`` ("In 1969, …")."""
    opening = _OPENING_YEAR.match(text)
    return year is not None and opening is not None and int(opening.group(1)) != year


def _fixed_place(q: Quantity) -> bool:
    """A distance to where a fixed thing lies (the rig, the well, the blast site): the same
    whenever it is told ("the rig that sank last week about 40 miles offshore"; "a well
    about 50 miles out, ... the Valdez spill in 1989"), so the time words of its sentence do
    not make it a figure of another time."""
    return q.unit == "length/distance" and q.thing == "rig" and not q.opens_other_year


# A subordinate clause inside a figure's clause has its own time: "1,000 barrels a day have
# been gushing since a drilling rig exploded ... last week" (the rig's week, not the rate's).
_SUBCLAUSE = re.compile(
    r"\b(?:before|after|when|while|until|because|since\s+(?:a|an|the|it|its|he|she|they|we|then))\b",
    re.I,
)


# an aside between dashes: "lost 30,000 barrels a day -- one of its bases -- in the third
# quarter" (the quarter is the figure's)
_DASHED = re.compile(r"\s[-–—]+\s[^-–—]{1,80}?\s[-–—]+\s")


def _figure_periods(text: str, start: int, end: int) -> frozenset[str]:
    """The period words bounding the figure at ``start:end``: in its clause (brackets read
    through: "1,000 barrels (42,000 gallons) of oil a day since April") and in a phrase that
    opens the sentence ("Since October, he has been arrested three times")."""
    before = _SUBCLAUSE.split(_CLAUSE_END.split(text[:start])[-1])[-1]
    after = _DASHED.sub(" ", _BRACKETS.sub("", text[end:]))
    after = _SUBCLAUSE.split(_CLAUSE_END.split(after)[0])[0]
    opening = _PERIOD.match(text.lstrip())
    found = _periods(before + " " + after)
    return found | {opening.group(0).lower()} if opening else found


def _same_span(pa: frozenset[str], pb: frozenset[str]) -> bool:
    """Whether two figures cover one span of time, by their period words
    (:func:`_figure_periods`): the same ones, or none on one side where the other names only
    the current season or year (the default span: "missed nine games this season" / "missed
    10 games"); a narrower span on one side only ("since October", "in the first half") is
    another span."""
    if pa == pb:
        return True
    if pa and pb:
        return False
    return all(p.startswith("this ") for p in pa | pb)


# "last week" in a running story is mostly the story's own start ("the rig that exploded last
# week"): it makes background only of the figures in its own clause.
_LAST_WEEK = re.compile(r"\blast week\b", re.I)
_CLAUSE_END = re.compile(r"[,;:()]|\s[-–—]+\s")


# A figure of a scenario, not of what happened: "at the worst-case figure of 336,000 gallons".
# A figure of a scenario, a plan or a capacity, or an earlier value now revised, is no report
# of the present: "at the worst-case figure of", "assuming the well has flowed", "plans to be
# able to handle 80,000 barrels", "skimming capacity of", "initially alleged 1,000 barrels",
# "up from an earlier estimate"; one end of a stated range ("ranges from 12,000 ... to").
_SCENARIO = re.compile(
    r"\b(?:if|would|capacity|capable|able to|abilit(?:y|ies)|plans? to|planned|planning|"
    r"aims? to|hop\w*|(?:is|are|was|were|it's)\s+(?:quite\s+|entirely\s+)?possible|"
    r"(?:does|did|do)\s+not\s+(?:indicate|mean|show|suggest|reflect)|"
    r"intend\w*|in the event|expect\w*|"
    r"target\w*|initial(?:ly)?|earlier|at first|at one point|maximum|can|for every|for each|"
    r"previous(?:ly)?|original(?:ly)?|rang(?:e|es|ing)|between)\b",
    re.I,
)
# ... and in the whole sentence: "researchers used the following assumptions: ..."
_SCENARIO_SENTENCE = re.compile(
    r"\b(?:(?:worst|best)[- ]case|worst possible|scenario|assum\w*|suppos\w*|let's say|"
    r"for argument'?s? sake|in theory)\b",
    re.I,
)
_A_DAY = re.compile(
    r"\b(?:on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|yesterday|today|"
    r"this (?:morning|afternoon|evening)|tonight|last night|"
    r"(?:in|over) (?:the )?(?:past |last |previous )?24 hours|24-hour)\b",
    re.I,
)
# a figure of part of a day: "in the 12-hour stretch", "in the first 12 hours of Monday"
_HOURS = re.compile(r"\b(\d+)[- ]hours?\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _clause(text: str, start: int, end: int) -> str:
    return _CLAUSE_END.split(text[:start])[-1] + " " + _CLAUSE_END.split(text[end:])[0]


# after a volume, in its clause: a verb in the progressive ("of oil were still leaking")
_PROGRESSIVE = re.compile(
    r"(?:\s+[\w()/,.-]+){0,6}?\s+(?:is|are|was|were)\s+(?:still\s+|now\s+)?[a-z]+ing\b"
)


def _ongoing(text: str, end: int) -> bool:
    """Whether the volume ending at ``end`` is the subject of a verb in the progressive
    ("5,000 barrels of oil were still leaking into the Gulf"): what flows at the time."""
    return bool(_PROGRESSIVE.match(_CLAUSE_END.split(text[end:])[0]))


def _day_clause(text: str, start: int, end: int) -> str:
    """The clause of the figure at ``start:end`` read through brackets: "collected 15,000
    barrels of oil (630,000 gallons) from the well on Tuesday" is Tuesday's."""
    before = _CLAUSE_END.split(_BRACKETS.sub("", text[:start]))[-1]
    return before + " " + _CLAUSE_END.split(_BRACKETS.sub("", text[end:]))[0]


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_NUMBER = {d: k for k, d in enumerate(_WEEKDAYS)}


def _day_of(clause: str, published: date | None) -> str:
    """The day (ISO) the first day word of ``clause`` (:data:`_A_DAY`) names, counted from
    ``published``: "today" and "in the past 24 hours" that day, "yesterday" the day before,
    "on Tuesday" the last Tuesday on or before it; "" when neither is known."""
    m = _A_DAY.search(clause) if published is not None else None
    if m is None or published is None:
        return ""
    word = m.group(0).lower()
    if word in ("yesterday", "last night"):
        return (published - timedelta(days=1)).isoformat()
    if word.startswith("on "):
        back = (published.weekday() - _WEEKDAY_NUMBER[word[3:]]) % 7
        return (published - timedelta(days=back)).isoformat()
    return published.isoformat()


# The earlier-value words of _SCENARIO: after a figure and before another one they are the
# other's ("5,000 barrels a day ... far more than the previous estimate of 1,000").
_EARLIER = re.compile(
    r"\b(?:initial(?:ly)?|earlier|at first|at one point|previous(?:ly)?|original(?:ly)?)\b", re.I
)
# A definite description just before a figure names what is there now, whatever plan or hope
# governs the clause: "hoping to stem the flow of 5,000 barrels of oil a day" (the flow is a
# report; "plans to collect 10,000 barrels" or "the capacity of" stays a plan).
_DESCRIBED = re.compile(
    r"\bthe\s+(?!(?:equivalent|total|sum|amount|rest|remainder|bulk|majority|most|half)\b)"
    r"(?:[a-z]+\s+){1,2}of\s+(?:about\s+|some\s+|nearly\s+|around\s+|more than\s+|"
    r"at least\s+|up to\s+|as much as\s+)?[$£€]?$",
    re.I,
)


_ANOTHER_THAT = re.compile(r"\b(?:and|but)\s+that\b", re.I)


def _scenario_clause(text: str, start: int, end: int) -> bool:
    """Whether the clause of the figure at ``start:end`` makes it a scenario, a plan or an
    earlier value (:data:`_SCENARIO`), read as it bears on this figure: before it, only a
    definite description right before it when there is one (:data:`_DESCRIBED`); after it,
    the earlier-value words that precede another figure are that figure's."""
    if _listed_modal(text, start) in ("can", "would"):
        return True  # "can skim, burn or remove 20,000 barrels a day": an ability
    before = _CLAUSE_END.split(text[:start])[-1]
    # (another reported clause opens at "and that": "told AFP that a total of 10 people had
    # been killed and that the death toll was not expected to rise" expects no 10)
    after = _ANOTHER_THAT.split(_CLAUSE_END.split(text[end:])[0], maxsplit=1)[0]
    described = _DESCRIBED.search(before)
    if described:
        before = described.group(0)
    last_digit = max((m.start() for m in re.finditer(r"\d", after)), default=-1)
    after = _EARLIER.sub(lambda m: m.group(0) if m.start() > last_digit else " ", after)
    return bool(_SCENARIO.search(before + " " + after))


# A sentence that opens with a condition is a scenario as a whole: "If this attempt fails,
# it is possible that up to 19,000 barrels ... a day will leak" (the condition's clause is
# not the figure's, but it governs it); an attribute ("100-ton domes") is no scenario.
_CONDITION_OPENING = re.compile(r"^\W*(?:If|Unless|Should)\b[^.;:]{1,160}?,")


# A sentence that opens on a time told before it ("By then, 19,500 barrels had escaped") or on
# a point of comparison ("By contrast, recent production is 1.6 million barrels a day") speaks
# of another moment or another thing than the report's.
_OTHER_OPENING = re.compile(
    r"^\W*(?:By then|By that (?:time|point)|At that (?:time|point)|Until then|Back then|"
    r"At one point|At first|By contrast|In contrast|By comparison|In comparison)\b",
    re.I,
)


def _in_background(text: str, start: int, end: int, year: int | None = None) -> bool:
    """Whether the figure at ``start:end`` of ``text`` is of another time or of a scenario
    (see _BACKGROUND): also a figure whose own clause names a year other than ``year`` (the
    publication's: "the 2005 Texas City refinery explosion that killed 15")."""
    if _BACKGROUND.search(text) or _SCENARIO_SENTENCE.search(text) or _OTHER_OPENING.match(text):
        return True
    opening = _CONDITION_OPENING.match(text)
    if opening and start >= opening.end() and not re.match(r"-[a-z]", text[end : end + 2]):
        return True  # (what a thing is stays so: "BP will try to lower 100-ton domes")
    clause = _clause(text, start, end)
    if _LAST_WEEK.search(clause) or _scenario_clause(text, start, end):
        return True
    if any(h != "24" for h in _HOURS.findall(clause)):
        return True
    wide = re.split(r"[,;:()]", text[:start])[-1] + " " + re.split(r"[,;:()]", text[end:])[0]
    return year is not None and any(int(y) != year for y in _YEAR.findall(wide))


# A happening named by a proper name in a figure's clause ("the Valdez spill of 250,000
# barrels", "the Ixtoc I blowout"): the figure is of that happening.
_HAPPENING = (
    r"(?:oil\s+)?(?:spill|spills|explosion|disaster|blast|accident|blowout|leak|"
    r"quake|earthquake|hurricane|tanker|refinery|fire|crash|attack)"
)
_NAMED_HAPPENING = re.compile(
    r"\b((?:[A-Z][\w'’.-]+\s+){1,3})"
    + _HAPPENING
    + r"\b|\b(?:"
    + _HAPPENING
    + r"\s+(?:in\s+(?:19|20)\d\d\s+)?(?:of|at|in|on)|(?:spilled|leaked|released)\s+(?:from|by))"
    r"\s+(?:the\s+)?((?:[A-Z][\w'’.-]+\s*){1,3})"
)
_HAPPENING_AT = re.compile(
    r"\b"
    + _HAPPENING
    + r"\s+(?:in\s+(?:19|20)\d\d\s+)?(?:of|at|in|on)\s+(?:the\s+)?((?:[A-Z][\w'’.-]+\s*){1,3})"
)
_NOT_NAMES = frozenset(("The", "A", "An", "This", "That", "Its", "His", "Her", "Their", "Our"))
# a statement that opens on a happening pointed at ("That leak", "Those spills") speaks of one
# told of before it, which its words do not name: no rival to a figure of this one unless the
# other statement points at it alike
_TOLD_BEFORE = re.compile(r"^\W*(That|Those)\s+(" + _HAPPENING + r")\b")
# ... and one that opens on a happening picked out of several ("A third leak is ...", "The
# largest and most worrisome leak ...") speaks of that one: no rival to a figure of another
_ONE_OF_SEVERAL = re.compile(
    r"^\W*(?:A|An|The)\s+(first|second|third|fourth|fifth|largest|biggest|smaller|smallest|"
    r"larger|main|other)\s+(?:(?:and\s+)?(?:most\s+)?[a-z]+\s+){0,3}?(" + _HAPPENING + r")\b"
)


def _named_happening(text: str, start: int, end: int) -> frozenset[str]:
    """The proper names of the happenings named before the figure at ``start:end`` or in
    its clause (empty when none is named)."""
    out: set[str] = set()
    hi = end + len(_CLAUSE_END.split(text[end:])[0])
    told = _TOLD_BEFORE.match(text)
    if told:  # "That leak soiled 162 miles of US beaches": the happening of a sentence before
        out.add(" ".join(told.group(1, 2)))
    picked = _ONE_OF_SEVERAL.match(text)
    if picked:  # "A third leak is ... 810 feet from the blowout preventer"
        out.add(" ".join(picked.group(1, 2)))
    # (the names after a happening are read on their own too: "An explosion in 1979 at the
    # Ixtoc I platform" names Ixtoc though "An explosion" matched first)
    for m in (*_NAMED_HAPPENING.finditer(text), *_HAPPENING_AT.finditer(text)):
        if m.start() >= hi:
            continue  # named in a later clause ("a well about 50 miles out ..., and it could
            # soon eclipse ... the infamous Exxon Valdez spill in 1989"); one before the
            # figure may be its subject ("The Valdez spill, caused by a tanker, spilled ...")
        names = next((g for g in m.groups() if g), "").split()
        out.update(n.strip("'’.") for n in names if n not in _NOT_NAMES and n[:1].isupper())
    return frozenset(n for n in out if n)


def _place_owned_elsewhere(q: Quantity, own: Statement, other: Statement) -> bool:
    """A figure that an apposition or relative clause gives to a named place ("oil into the
    Yellow Sea, where the slick now covers up to 170 square miles") is that place's: no
    rival to a figure of a statement that names neither that place nor an owner of its own
    (sums and ages have their own owner rules; "The oil, which has formed a slick ..." names
    no place)."""
    if not q.owner or q.unit in _PERSONAL or q.unit in _MONEY_UNITS or q.converts:
        return False
    if any(o.startswith("~") for o in q.owner) or q.thing == "rig":
        return False  # (where a rig lies: "the Deepwater Horizon, which was drilling 50 miles
        # off the Louisiana coast" names the rig itself, no place)
    names = {stem(w.lower()) for w in _PROPER.findall(own.text)}
    if not q.owner <= names:
        return False
    if q.owner <= {stem(w.lower()) for w in _PROPER.findall(other.text)}:
        return False  # the other statement names it too
    # (a statement that names a place of its own may name it otherwise: "Salonika" for
    # "Thessaloniki, where 20,000 marched"; only one that names nothing is of no place)
    return not _PLACE_NAMED.search(other.text) and not any(
        x.owner for x in other.slot("number") if x.unit == q.unit
    )


#: a capitalised word that does not open a sentence: a name
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)(?<!^\W)\b[A-Z][a-z]+")
#: a name a place word introduces ("in Salonika", "off the Louisiana coast", "into the Gulf"):
#: a capitalised word no such word leads to ("... 1.82m gallons applied Letters for
#: publication", a fact box run into the next line) names no place
_PLACE_NAMED = re.compile(
    r"\b(?:in|into|at|off|near|from|of|to|across|around|along|outside|inside|on|over)\s+"
    r"(?:the\s+)?(?:[a-z]+\s+)?[A-Z][a-z]+"
)


def _same_happening(q: Quantity, other: Statement) -> bool:
    """A figure of a named happening is comparable only with a statement naming it too."""
    return not q.named or any(n in other.text for n in q.named)


def _share_someone(a: Statement, b: Statement) -> bool:
    ea = {t for t in a.stems if t.startswith("ent:")}
    return bool(ea & b.stems)


_PLACE_LABELS = frozenset(("GPE", "LOC", "FAC"))


def entity_kind(label: str) -> str:
    """The kind of a named entity for :func:`_same_people`: ``person``, ``org``, ``place``
    (a country, a region, a building alike) or the nlp label in lower case."""
    if label in _PLACE_LABELS:
        return "place"
    return {"PERSON": "person", "ORG": "org"}.get(label, label.lower())


def _same_people(a: Statement, b: Statement) -> bool:
    """Two statements that name people (entity ids) speak of the same ones only if they
    share at least one; a figure about one person is no rival to another's. Names of
    different kinds say nothing of that ("Duncan Raite ... fell about 60 metres" / "A
    36-year-old Australian man ... fell 150 meters ... in Aoraki / Mt. Cook National
    Park"): disjoint names part two statements only when both name one kind (two people,
    two organisations, two places)."""
    ea = {t for t in a.stems if t.startswith("ent:")}
    eb = {t for t in b.stems if t.startswith("ent:")}
    if not (ea and eb) or ea & eb:
        return True
    ka = {k.split(":", 1)[0] for k in a.entity_kinds}
    kb = {k.split(":", 1)[0] for k in b.entity_kinds}
    return bool(ka and kb) and not ka & kb


def _same_period(a: Statement, b: Statement) -> bool:
    """Statements dated to different years or days speak of different periods; a statement
    dated to another year than its article ("In early 2009 the oil price fell below $33")
    is background, no rival to one that is not."""
    da = {d.key for d in a.slot("date")}
    db = {d.key for d in b.slot("date")}
    if da and db:
        return bool(da & db)
    for st, keys in ((a, da), (b, db)):
        year = int(st.published[:4]) if st.published and st.published[:4].isdigit() else None
        if year is not None and any(y is not None and y != year for y, _m, _d in keys):
            return False
    return True


# --------------------------------------------------------------------------- date


_DATE_MONTHS = (
    "January|February|March|April|May|June|July|August|"
    "September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_DATE_RE = re.compile(
    r"\b(?:(?P<day1>\d{1,2})\s+)?(?P<month>" + _DATE_MONTHS + r")\.?"
    r"(?:\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?)?(?:,?\s+(?P<year>(?:19|20)\d{2}))?"
    r"(?P<next>\s+next year)?\b"
)
#: what every date :data:`_DATE_RE` reads holds: the first three letters of its month's name
#: (a literal search, much cheaper than the date pattern tried at every word)
_DATE_CUE = re.compile("|".join(sorted({m[:3] for m in _DATE_MONTHS.split("|")})))
_DEICTIC = re.compile(
    r"^(?:today|tonight|yesterday|tomorrow|this (?:morning|afternoon|evening|week)|now)$", re.I
)
_DAY_VALUE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True, slots=True)
class Day:
    """A calendar day or month a statement names, with the words around it (what happens
    then: "held talks on Thursday" -> {held, talk})."""

    year: int | None
    month: int
    day: int | None
    anchors: frozenset[str] = frozenset()
    text: str = ""  # the expression as written ("Sunday", "April 27")
    #: the time of a running figure ("As of Wednesday, 92 million gallons ..."), not of a
    #: happening: it dates the figure but is no rival to another day's
    as_of: bool = False
    #: days from the article's publication day (a weekday, "yesterday", "next Monday" read
    #: by the time stage lie near it), None when the article is undated
    offset: int | None = None

    @property
    def key(self) -> tuple[int | None, int, int | None]:
        return (self.year, self.month, self.day)


def _anchors(text: str, start: int, end: int) -> frozenset[str]:
    around = tokens(text[max(0, start - 60) : start])[-5:] + tokens(text[end : end + 60])[:5]
    return frozenset(
        stem(t) for t in around if t.isalpha() and t.islower() and t not in STOPWORDS and len(t) > 2
    )


_AS_OF = re.compile(r"\b(?:as of|as at|by)\s+$", re.I)
#: Across publication days two dates compare only when both lie this near their own
#: article's day (a weekday, "yesterday", "next Monday": what a running story schedules)
_NEAR_DAYS = 7
#: With the sentence encoder given, two statements dating one happening differently must be
#: at least this alike (figures masked): dates of two happenings in similar sentences are
#: the date slot's commonest false alarm.
_DATE_COSINE = 0.8


class DateSlot(SlotKind):
    """When: calendar days and months in the statement, each with the words around it. With
    the time stage's expressions (``SlotContext.times``) relative ones count too — "on
    Tuesday" in an article of Thursday 2010-04-22 is 2010-04-20; without them the
    statement's own month names are read. Two dates conflict only when the words around
    them overlap (the same happening), in statements that are otherwise alike."""

    kind = "date"
    title = "When"

    def extract(self, text: str, ctx: SlotContext) -> tuple[Day, ...]:
        out: dict[tuple[int | None, int, int | None], Day] = {}
        if ctx.times:
            for t in ctx.times:
                if ctx.quoted and _DEICTIC.match(t.text):
                    continue  # a quoted "today" is the day it was said, not the report's
                m = _DAY_VALUE.match(t.value)
                if m and t.granularity in ("day", "month"):
                    y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
                    s0, s1 = t.start - ctx.offset, t.end - ctx.offset
                    if (
                        re.match(r"\s*[A-Z][a-z]+\.? \d{1,2}\s*:", text[max(0, s0 - 1) : s1 + 2])
                        and s0 <= 1
                    ):
                        continue  # a photo caption's "April 27:" dates the photo
                    as_of = bool(_AS_OF.search(text[max(0, s0 - 12) : s0]))
                    offset = None
                    if d and ctx.published:
                        offset = (date(y, mo, int(d)) - ctx.published).days
                    day = Day(
                        y, mo, int(d) if d else None, _anchors(text, s0, s1), t.text, as_of, offset
                    )
                    out.setdefault(day.key, day)
            return tuple(out.values())
        pub_year = ctx.published.year if ctx.published else None
        for m in _DATE_RE.finditer(text) if _DATE_CUE.search(text) else ():
            if m.group("month") == "May" and not (
                m.group("day1") or m.group("day2") or m.group("year")
            ):
                continue  # the modal verb
            name = m.group("month").lower()
            month = MONTHS.get(name, MONTHS.get(name[:3], 0))
            dd = m.group("day1") or m.group("day2")
            year = int(m.group("year")) if m.group("year") else None
            if year is None and m.group("next") and pub_year:
                year = pub_year + 1
            elif year is None and pub_year:
                year = pub_year
            day = Day(
                year, month, int(dd) if dd else None, _anchors(text, m.start(), m.end()), m.group(0)
            )
            out.setdefault(day.key, day)
        return tuple(out.values())

    def compare(self, a: Statement, b: Statement, pair: PairContext) -> tuple[Day, Day] | None:
        da, db = a.slot(self.kind), b.slot(self.kind)
        if not (da and db) or pair.sim < pair.options.merge_threshold:
            return None
        across = bool(pair.days_apart)  # reports of other days date other things (rolling
        # summaries, datelines) unless both name a day near their own, read by the time stage
        # against each one's publication day: a scheduled day one confirms, another moves
        if across and pair.cosine is None:
            return None
        if "|" in a.text or "|" in b.text:
            return None  # a dateline or page stamp glued to the lede
        if len(wordy(a.stems & b.stems)) < 3 or not _same_people(a, b):
            return None
        keys_a, keys_b = {d.key for d in da}, {d.key for d in db}
        for x in da:
            for y in db:
                if (x.day is None) != (y.day is None) or (x.year is None) != (y.year is None):
                    continue
                if x.key == y.key or x.key in keys_b or y.key in keys_a:
                    continue
                if x.as_of or y.as_of:
                    continue  # the dates of two running totals, not of one happening
                if across and not (
                    x.offset is not None
                    and y.offset is not None
                    and 0 < x.offset <= _NEAR_DAYS
                    and 0 < y.offset <= _NEAR_DAYS
                ):
                    continue  # across days only days each report schedules (ahead of it,
                    # within a week): what happened "on Friday" and "on Saturday" in two
                    # days' reports (rolling summaries, each day's work) is no rival
                if not (x.anchors & y.anchors):
                    continue  # dates of different happenings ("arrived on 2", "meet on 4")
                if x.text and x.text.lower().split()[-1:] == y.text.lower().split()[-1:]:
                    continue  # one "Friday" read against two publication dates or tenses
                if pair.cosine is not None and pair.cosine() < _DATE_COSINE:
                    return None  # similar words, other happenings ("the board meets on
                    # Monday" / "results are due on Tuesday"): the encoder must agree
                return x, y
        return None

    def label(self, value: Day) -> str:
        y, m, d = value.key
        return "-".join(
            f"{v:02d}" if i else str(v) for i, v in enumerate((y, m, d)) if v is not None
        )


# --------------------------------------------------------------------------- status

STATUS_CUES: dict[str, re.Pattern[str]] = {
    "done": re.compile(
        r"\b(finali[sz](?:ed|es|e|ing|ation)|signed|signing|inked|sealed|clinched|concluded|"
        r"completed|struck)\b"
    ),
    "in-progress": re.compile(
        r"\b(advanced? stage|discussions?|talks|negotiations?|negotiating|under (?:consideration|"
        r"negotiation|discussion)|proposed|pending|exploring)\b"
    ),
    "off": re.compile(
        r"\b(cancell?ed|scrapped|called off|collapsed|shelved|suspended|stalled|terminated)\b"
    ),
}
NOCONFIRM_RE = re.compile(
    r"\b(?:no (?:official )?confirmation|not (?:been |yet )?confirmed|yet to be confirmed|"
    r"unconfirmed)\b(?P<rest>.*)$",
    re.IGNORECASE,
)
#: whether :data:`NOCONFIRM_RE` matches, asked faster (most statements have no such words)
NOCONFIRM = Caseless(NOCONFIRM_RE.pattern, cues=("confirm",))
_STAGE_ORDER = {"in-progress": 0, "done": 1, "off": 1}
#: What has a stage: a status cue speaks of a deal or plan only near one of these.
_DEAL_NOUNS = frozenset(
    stem(w)
    for w in word_list(
        "deal deals agreement contract pact accord treaty talks discussions negotiations "
        "negotiation plan bid merger acquisition sale purchase project proposal order "
        "partnership venture programme program scheme bill ceasefire truce"
    )
)


@dataclass(frozen=True, slots=True)
class Status:
    stage: str  # "done" | "in-progress" | "off"
    cue: str
    objects: frozenset[str]  # content stems around the cue: what has that status


class StatusSlot(SlotKind):
    """The stage of a deal or plan: done ("finalised", "signed"), in progress ("advanced
    stage of discussions") or off ("cancelled")."""

    kind = "status"
    title = "Status"

    def extract(self, text: str, ctx: SlotContext) -> tuple[Status, ...]:
        if NOCONFIRM.found(text):
            return ()  # a statement about confirmation, not about the stage itself
        low = text.lower()
        best: tuple[int, str, str] | None = None
        for stage, pattern in STATUS_CUES.items():
            for m in pattern.finditer(low):
                before = low[: m.start()].split()
                if m.group(1) == "talks" and before[-1:] in (["held"], ["hold"], ["holds"]):
                    continue  # "held talks with X" is a meeting
                if best is None or m.start() < best[0]:
                    best = (m.start(), stage, m.group(1))
                break
        if best is None:
            return ()
        pos, stage, cue = best
        around = tokens(text[:pos])[-6:] + tokens(text[pos + len(cue) :])[:20]
        cue_stems = {stem(w) for w in tokens(cue)}
        objects = frozenset(
            stem(w)
            for w in around
            if w.lower() not in STOPWORDS and len(w) > 1 and stem(w) not in cue_stems
        )
        if not (objects | cue_stems) & _DEAL_NOUNS:
            return ()  # "the quake struck", "buildings collapsed": no deal or plan
        return (Status(stage, cue, objects),)

    def compare(
        self, a: Statement, b: Statement, pair: PairContext
    ) -> tuple[Status, Status] | None:
        for sa in a.slot(self.kind):
            for sb in b.slot(self.kind):
                if sa.stage == sb.stage:
                    continue
                obj = weighted_dice(sa.objects, sb.objects, pair.idf)
                if obj >= 0.3 and len(sa.objects & sb.objects) >= 3:
                    return sa, sb
        return None

    def label(self, value: Status) -> str:
        return value.cue

    def relation(self, a, b, pair, values) -> str:  # noqa: ANN001
        """An update only when the later report is further along (talks, then a deal)."""
        days = pair.days_apart
        if not days:
            return "contradiction"
        early, late = (values[0], values[1]) if days > 0 else (values[1], values[0])
        forward = _STAGE_ORDER[late.stage] > _STAGE_ORDER[early.stage]
        return "update" if forward else "contradiction"


# --------------------------------------------------------------------------- polarity

NEGATION_RE = re.compile(
    r"\b(not|never|no(?!\.\s*\d)|none|nobody|nothing|no longer|neither|nor|cannot|"
    r"(?:can|don|won|didn|doesn|isn|wasn|aren|weren|hasn|haven|hadn|couldn|wouldn|shouldn)t|"
    r"(?:has|have|had|is|are|was|were) yet to)\b|n ?['’] ?t\b|\b(?:is|was|are|were|do|does|did|"
    r"could|would|should|won|can|don|didn|doesn|isn|wasn|aren|weren|hasn|haven|hadn|couldn|"
    r"wouldn|shouldn)n? t\b",
    re.IGNORECASE,
)
#: whether a text holds a negation at all (:data:`NEGATION_RE`), asked faster
NEGATION = Caseless(NEGATION_RE.pattern)
_AUXILIARIES = words(
    "be been being is are was were have has had do does did will would shall should can could "
    "may might must also yet even immediately ever formally currently really say"
)


def negated_predicate(text: str) -> frozenset[str]:
    """Stems of the first content word after a negation cue (what is negated); empty when
    the negation sits in a conditional or temporal clause ("not ... until", "unless")."""
    m = NEGATION_RE.search(text)
    if m is None:
        return frozenset(content_stems(text)[:3])  # a denial verb negates the whole statement
    if re.search(r"\b(?:if|unless|whether)\b[^,;]*$", text[: m.start()], re.I):
        return frozenset()  # "if it's not, there are other approaches": a condition
    rest = text[m.end() :]
    if re.search(r"\b(until|unless|before|if)\b", rest[:80], re.I):
        return frozenset()
    for t in tokens(rest)[:4]:
        low = t.lower()
        if low in _AUXILIARIES or low in STOPWORDS or not t.isalpha():
            continue
        return frozenset({stem(t)})
    return frozenset()


# Where the clause of a negation starts: "While Ross wasn't signed", "Unlike the stars, Ross
# is not signed".
_SUBJECT_START = re.compile(
    r"[,;:()\"“”]|\s[-–—]+\s|\b(?:while|whereas|although|though|unlike|but|and|because|as|"
    r"that|if|when)\b",
    re.I,
)


def negated_subject(text: str) -> frozenset[str]:
    """Stems of the words before the negation cue in its clause (its subject: "Ross" in
    "While Ross wasn't signed on"); empty when the cue opens its clause ("No charges have
    been filed") or the statement is denied by a speech verb rather than negated."""
    m = NEGATION_RE.search(text)
    if m is None:
        return frozenset()
    clause = _SUBJECT_START.split(text[: m.start()])[-1]
    return frozenset(
        stem(t)
        for t in tokens(clause)
        if t.isalpha() and t.lower() not in STOPWORDS and t.lower() not in _AUXILIARIES
    )


_NOT_A_DENIAL = re.compile(
    r"\b(?:whether or not|not only|if not|far from|nothing (?:less|short) than|no less than|"
    r"none other than)\b",
    re.I,
)
# "there is little sign of X" says much what "there is no sign of X" says
_NEGATIVE_QUANTIFIER = re.compile(r"\b(?:little|few|hardly|scarcely|barely|seldom|rarely)\b", re.I)


class PolaritySlot(SlotKind):
    """Whether: the same statement asserted by one side and negated (or denied) by the
    other — "charged with three crimes" against "no charges have been filed"."""

    kind = "negation"
    title = "Whether"

    def extract(self, text: str, ctx: SlotContext) -> tuple[()]:
        return ()  # polarity is the statement's own ``negated`` flag

    def compare(self, a: Statement, b: Statement, pair: PairContext) -> tuple[str, str] | None:
        if a.negated == b.negated or pair.sim < max(pair.options.merge_threshold, 0.6):
            return None
        if a.hedged or b.hedged:
            return None  # "many people speculated that ..." asserts nothing to deny
        if _background(a.text) or _background(b.text):
            return None  # "previously, agencies were required to ..." / "the rule doesn't require"
        if min(len(a.text.split()), len(b.text.split())) < 8:
            return None  # too short to tell what is negated ("We're not small people")
        if any(_NOT_A_DENIAL.search(st.text) for st in (a, b)):
            return None
        neg, pos = (a, b) if a.negated else (b, a)
        if _NEGATIVE_QUANTIFIER.search(pos.text):
            return None
        subject = negated_subject(neg.text)
        if subject and not subject & pos.stems:
            return None  # "Ross is not signed" against "the stars are all signed on"
        if negated_predicate(neg.text) & pos.stems:
            return (
                "denied" if a.negated else "asserted",
                "denied" if b.negated else "asserted",
            )
        return None

    def relation(self, a, b, pair, values) -> str:  # noqa: ANN001
        return "contradiction"


#: The slot kinds, in the order they are tried. A new kind is one class added here.
SLOT_KINDS: tuple[SlotKind, ...] = (
    PlaceSlot(),
    NumberSlot(),
    DateSlot(),
    StatusSlot(),
    PolaritySlot(),
)
SLOT_TITLES = {k.kind: k.title for k in SLOT_KINDS}


def extract_slots(text: str, ctx: SlotContext) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """Every kind's values in one statement text, as ``Statement.slots`` holds them."""
    return tuple(
        (k.kind, slot_values(k.kind, text, ctx) if k.kind in _REREAD else k.extract(text, ctx))
        for k in SLOT_KINDS
    )


#: The kinds the comparison across events reads again from stored claims (figure mentions).
_REREAD = ("number", "date")
_KIND_OF = {k.kind: k for k in SLOT_KINDS}


@lru_cache(maxsize=1 << 14)
def slot_values(kind: str, text: str, ctx: SlotContext) -> tuple[Any, ...]:
    """The values of the slot kind named ``kind`` in ``text``: its ``extract``, kept per
    process by (kind, text, context) — a pure function of the three. The comparison across
    events re-reads the figures of stored claims that the same run has just extracted (about
    a tenth of the claims step on bench/labels/claims)."""
    return _KIND_OF[kind].extract(text, ctx)


def find_conflict(
    a: Statement, b: Statement, pair: PairContext, kinds: Sequence[SlotKind] | None = None
) -> tuple[str, str, str, str] | None:
    """(kind, value in a, value in b, relation) of the first slot on which ``a`` and ``b``
    disagree, or None."""
    if pair.sim < pair.options.slot_threshold:
        return None
    for k in SLOT_KINDS if kinds is None else kinds:
        found = k.compare(a, b, pair)
        if found is not None:
            va, vb = found
            return (k.kind, k.label(va), k.label(vb), k.relation(a, b, pair, found))
    return None


def may_conflict(a: Statement, b: Statement) -> bool:
    """False when :func:`find_conflict` finds nothing for ``a`` and ``b`` whatever the
    pair's context: every kind compares values of its own, which both must have, but
    polarity, which compares the two statements' negation. Most pairs of an event have no
    kind in common and then need no context built (the claims stage's pair loop asks this
    first; a kind that compares otherwise must be added here)."""
    if a.negated != b.negated:
        return True
    return any(values and b.slot(kind) for kind, values in a.slots)


# --------------------------------------------------------------------------- read side
# How a figure reads in its sentence, for listings (read-only: the slots never use it).
_STATED_UNIT = re.compile(r"[\s-]*(?:(?:square|sq|cubic)\s+)?([A-Za-z]+)\b\.?")
_STATED_OF = re.compile(
    r"\s+of\s+(?:(?:floating|oily|heavy|light|crude|containment|absorbent)\s+)?"
    r"(?:oil|crude|water|dispersants?|booms?|barriers?|coastline|pipe|tubing)\b",
    re.I,
)
_STATED_RATE = re.compile(r"\s+(?:a|per|each|every)\s+day\b", re.I)
_STATED_BRACKET = re.compile(r"\s*\([^()]{1,40}\)")


def stated_figure(text: str, label: str) -> str:
    """The figure labelled ``label`` (:attr:`Quantity.text`) as ``text`` words it, for a
    reader: with its unit, what it is of and its rate ("1,000 barrels of oil a day"), and
    with the other figure of a conversion ("nine miles (15km)", "$3.12 bn (£2bn)") — so a
    figure read from a bracket is never shown without the one the article gave. ``label``
    itself when it is not found."""
    for m in _NUMBER_RE.finditer(text):
        if m.group(0).strip() != label:
            continue
        start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        end = m.start() + len(m.group(0).rstrip())
        unit = _STATED_UNIT.match(text, end)
        word = unit.group(1).lower() if unit else ""
        if unit and (
            word in _UNITS
            or word in _CURRENCY_WORDS
            or (word.isalpha() and not text[unit.start(1)].isupper() and word not in STOPWORDS)
        ):
            end = unit.end(1)
        for pattern in (_STATED_OF, _STATED_RATE):
            more = pattern.match(text, end)
            if more:
                end = more.end()
        opened = text.rfind("(", 0, start)
        inside = (
            opened >= 0
            and text.rfind(")", 0, start) < opened
            and not text[opened + 1 : start].strip()
        )
        outer = None
        if inside:  # a conversion: start at the figure the article gave before the bracket
            before = list(_NUMBER_RE.finditer(text[max(0, opened - 40) : opened]))
            outer = before[-1] if before else None
        if outer is not None:
            start = (
                max(0, opened - 40)
                + outer.start()
                + len(outer.group(0))
                - len(outer.group(0).lstrip())
            )
            close = text.find(")", end)
            if 0 <= close - end <= 20:
                end = close + 1
        else:
            bracket = _STATED_BRACKET.match(text, end)
            if bracket and re.search(r"\d", bracket.group(0)):
                end = bracket.end()  # "2.5 miles (4km)": as the article wrote it
                rate = _STATED_RATE.match(text, end)
                end = rate.end() if rate else end
        return " ".join(text[start:end].split())
    return label
