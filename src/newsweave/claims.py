"""Claims: who says what, how many independent sources back it, and where sources disagree.

Why this shape. No natural-language-inference model ships on PyPI, so agreement and
disagreement are read from *structure*:

1. **Statements.** Every sentence (``newsweave.sentences``) that asserts something becomes a
   :class:`Statement`: the claim text with its attribution stripped off ("..., Russia's
   state-run Sputnik news agency said" -> attribution ``Russia's state-run Sputnik news
   agency``), its hedging ("likely to", "expected to", "there was no official confirmation"),
   its polarity (negation, attributed denial) and its *slots*: places introduced by a
   locative preposition, numbers with the noun they count, calendar dates, and the status of
   a deal or plan ("finalised" vs "advance stage of discussions").
2. **Alignment.** Statements from different articles that say the same thing in other words
   are linked by an IDF-weighted lexical overlap of stems (codes such as "AK-203" and
   "AK203" split alike) and of the resolved entities they name (nlp stage), optionally
   blended with a discounted sentence-embedding cosine. Links are merged
   greedily, strongest first, under *cannot-link* constraints: two statements whose slots
   conflict never end up in the same claim.
3. **Contradiction.** Two statements contradict when they talk about the same slot and fill
   it with incompatible values: different places for the same happening (and the two places
   are never mentioned together, which is how a city and its country would show up), a
   different count of the same thing, a different date, a completed vs an in-progress status
   of the same deal, or the same statement with opposite polarity.
4. **Corroboration** counts *independent sources*: the copies stage's source groups (ten
   copies of one wire story are one source), and within a claim, two unquoted sentences that
   are near-verbatim the same count once (a reused press-release sentence). Quoting the same
   tweet is not copying: each outlet that reports it is a witness.

Status per claim: ``contested`` if it contradicts another claim, else ``corroborated`` with
two or more independent sources, else ``single-source``.

Everything here is a pure function of its inputs: same articles, same claims, same ids.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from newsweave.disjoint_sets import UnionFind
from newsweave.records import (
    Article,
    CitedSentence,
    Claim,
    Contradiction,
    CopyLink,
    Event,
    Mention,
    Span,
)
from newsweave.sentences import split_sentences

Embedder = Callable[[Sequence[str]], np.ndarray]
#: The statuses a claim can have, as ``Claim.status`` holds them.
STATUSES = ("corroborated", "single-source", "contested")

# --------------------------------------------------------------------------- lexicon


def _words_list(text: str) -> list[str]:
    return text.split()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
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
        _words_list(
            "january february march april may june july august september october november december"
        )
    )
}
MONTHS.update({m[:3]: n for m, n in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])

# Spelling variants that a stemmer cannot join; embeddings do this in general, this table only
# covers derivations that suffix stripping leaves apart.
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

HEDGE_RE = re.compile(
    r"\b(likely|unlikely|expected to|expects to|may|might|could|possibly|probably|perhaps|"
    r"reportedly|allegedly|purportedly|apparently|rumou?red|unconfirmed|unverified|"
    r"no (?:official )?confirmation|not (?:been |yet )?confirmed|yet to be confirmed|"
    r"(?:is|are|was|were) said to|believed to|appears? to|seems? to|speculat\w*|"
    r"it is understood|sources close to)\b",
    re.IGNORECASE,
)
_NOCONFIRM_RE = re.compile(
    r"\b(?:no (?:official )?confirmation|not (?:been |yet )?confirmed|yet to be confirmed|"
    r"unconfirmed)\b(?P<rest>.*)$",
    re.IGNORECASE,
)
NEGATION_RE = re.compile(
    r"\b(not|never|no|none|nobody|nothing|no longer|neither|nor|cannot|(?:can|don|won|didn|"
    r"doesn|isn|wasn|aren|weren|hasn|haven|hadn|couldn|wouldn|shouldn)t|"
    r"(?:has|have|had|is|are|was|were) yet to)\b|n ?['’] ?t\b",
    re.IGNORECASE,
)
DENIAL_VERBS = _words("denied denies deny rejected rejects dismissed dismisses refuted refutes ")

_SAY = (
    r"said|says|say|told\s+\w+|added|adds|noted|notes|stated|states|reported|reports|announced|"
    r"announces|claimed|claims|tweeted|tweets|wrote|writes|confirmed|confirms|denied|denies|"
    r"insisted|insists|warned|explained|asserted|alleged|alleges|maintained|quoted\s+\w+(?:\s+\w+)?"
    r"\s+as\s+saying|rejected|dismissed|refuted"
)
_PRONOUNS = frozenset(["it", "he", "she", "they", "this"])
_SRC = r"[^,;:\"“”]{1,90}?"
_END_ATTR = re.compile(
    rf"^\s*(?P<src>{_SRC})\s+(?P<verb>{_SAY})(?P<tail>(?:\s+(?:on|in|at|earlier|later|last|this|"
    rf"late|late on|via|through|during)\b[^,;\"“”]{{0,50}})?)\s*[.!]?\s*$"
)
_END_INVERTED = re.compile(
    rf"^\s*(?P<verb>said|says|added|adds|noted|wrote)\s+(?P<src>{_SRC})\s*[.!]?\s*$"
)
_END_ACCORDING = re.compile(r"^\s*according to (?P<src>[^,;\"“”]{2,100}?)\s*[.!]?\s*$", re.I)
_START_ACCORDING = re.compile(r"^\s*According to (?P<src>[^,;\"“”]{2,100}?),\s*(?P<body>.+)$")
_START_SAY = re.compile(
    r"^\s*(?P<src>(?:[A-Z][\w'’.-]*|the|a|an)(?:\s+[\w'’.-]+){0,6}?)"
    r"(?:\s+(?:on|late on|earlier on)\s+\w+)?\s+(?P<verb>said|says|told\s+\w+|noted|added|"
    r"announced|claimed|claims|insisted|stated|confirmed|denied|denies|warned|tweeted)"
    r"(?:\s+on\s+\w+)?(?:,)?\s+(?:that\s+)?(?P<body>.+)$"
)
_TWEET_RE = re.compile(r"\btweet", re.I)

_QUOTE_OPEN = '"“'
_QUOTE_CLOSE = '"”'
_FURNITURE_RE = re.compile(
    r"(\|\s*Updated:|Image Credit|^First Published|^Topics\s*:|\bmin read\b|Last Updated|"
    r"^Representative image|^Left Menu|^close$)",
    re.I,
)

# Status of a deal / plan, as ordered stages. Verbs of completion count in any form; words of
# progress only as nouns ("talks", "discussions"), since "we talked about ..." names a meeting.
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

GEO_FEATURES = _words(
    "bay bays strait straits sea seas ocean gulf river lake coast coastline island "
    "islands peninsula channel mountains mountain desert valley basin canal harbour "
    "harbor archipelago sound cape "
)

_TOKEN_RE = re.compile(r"[A-Za-z]+|\d+(?:[.,]\d+)*")
_PLACE_RE = re.compile(
    r"\b(?P<prep>in|off|at|near|across|inside|outside)\s+(?:the\s+)?"
    r"(?P<place>[A-Z][\w'’-]*(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'’-]*){0,5})"
)
_NUMBER_RE = re.compile(
    r"(?P<approx>\b(?:around|about|nearly|almost|over|more than|some|approximately|up to|"
    r"at least|roughly|close to|less than|fewer than|under)\s+)?"
    r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>million|billion|thousand|lakh|crore|mn|bn|m)\b)?(?P<pct>\s*(?:%|per ?cent))?"
)
_DATE_RE = re.compile(
    r"\b(?:(?P<day1>\d{1,2})\s+)?(?P<month>January|February|March|April|May|June|July|August|"
    r"September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
    r"(?:\s+(?P<day2>\d{1,2})(?:st|nd|rd|th)?)?(?:,?\s+(?P<year>(?:19|20)\d{2}))?"
    r"(?P<next>\s+next year)?\b"
)
_SCALE = {"million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "thousand": 1e3}
_SCALE["lakh"] = 1e5
_SCALE["crore"] = 1e7
_OCCURRENCE_RE = re.compile(
    r"\b(held|hold|holds|scheduled|conducted|conduct|staged|stage|take place|took place|"
    r"taking place|takes place|located|carried out|began|begin|begins|start|started|starts|"
    r"coincides?|happen\w*|occur\w*|exercises?|drills?)\b",
    re.I,
)


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
    out: list[str] = []
    for tok in _TOKEN_RE.findall(text):
        out.append(tok.replace(",", "") if tok[0].isdigit() else tok)
    return out


def content_stems(text: str) -> list[str]:
    """Stems of the content words of ``text`` (stopwords dropped, numbers kept)."""
    return [stem(t) for t in tokens(text) if t.lower() not in STOPWORDS and len(t) > 1]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Place:
    text: str
    anchors: frozenset[str]  # lowercase content stems right before the locative preposition
    occurrence: bool  # an occurrence verb/noun ("held", "scheduled", "exercise") anchors it
    feature: bool  # a geographic feature ("Bay of Bengal", "Straits of Malacca")


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str  # stem of the counted noun
    approx: bool
    text: str
    context: frozenset[str] = frozenset()  # content stems just before the number
    bound: str = ""  # "min" for "more than / at least / over", "max" for "up to / less than"

    def compatible(self, other: Quantity) -> bool:
        """Whether the two figures can both be true (within rounding, or inside a bound)."""
        tol = 0.1 if (self.approx or other.approx) else 0.01
        if abs(self.value - other.value) <= tol * max(self.value, other.value):
            return True
        for a, b in ((self, other), (other, self)):
            if a.bound == "min" and b.value >= a.value:
                return True
            if a.bound == "max" and b.value <= a.value:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Status:
    stage: str  # "done" | "in-progress" | "off"
    cue: str
    objects: frozenset[str]  # content stems around the cue: what has that status


@dataclass(frozen=True, slots=True)
class Statement:
    """One asserted statement in one article, with its attribution, modality and slots."""

    article: str
    sentence: int
    start: int  # span of the claim text (attribution stripped) in Article.text
    end: int
    text: str
    attribution: str | None
    hedged: bool
    negated: bool
    quoted: bool
    stems: frozenset[str]
    places: tuple[Place, ...] = ()
    quantities: tuple[Quantity, ...] = ()
    dates: tuple[tuple[int | None, int, int | None], ...] = ()  # (year, month, day)
    status: Status | None = None
    lower_stems: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class ClaimOptions:
    """Thresholds of the claims stage.

    ``merge_threshold``: similarity at which two statements are the same claim (IDF-weighted
    Dice of stems, 0..1; with embeddings the mean of that and the rescaled cosine). Higher
    means fewer, tighter claims. ``slot_threshold``: the lower similarity at which two
    statements are about the same thing, so that conflicting slot values count as a
    contradiction. ``max_days``: without events, statements from articles published further
    apart than this are never aligned. ``verbatim_jaccard``: word-4-gram Jaccard at which two
    unquoted sentences count as one (copied) source. ``linkage``: two groups of statements
    merge only if their mean pairwise similarity reaches ``linkage * merge_threshold`` (stops
    chains of loosely related sentences from becoming one claim). ``repeat_threshold``: two
    statements of one article are one claim only at this similarity (the lede repeated).
    """

    merge_threshold: float = 0.42
    slot_threshold: float = 0.12
    max_days: int = 7
    verbatim_jaccard: float = 0.6
    min_words: int = 5
    linkage: float = 0.8
    repeat_threshold: float = 0.8

    def __post_init__(self) -> None:
        for name in ("merge_threshold", "slot_threshold", "verbatim_jaccard", "repeat_threshold"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"ClaimOptions.{name} must be in [0, 1], got {value}")
        if self.slot_threshold > self.merge_threshold:
            raise ValueError("ClaimOptions.slot_threshold must not exceed merge_threshold")
        if self.max_days < 0:
            raise ValueError(f"ClaimOptions.max_days must be >= 0, got {self.max_days}")


# --------------------------------------------------------------------------- attribution


def _clean_src(src: str) -> str:
    src = src.strip().strip("\"“”'’,").strip()
    return re.sub(r"\s+", " ", src)


def _plausible_source(src: str) -> bool:
    """An attribution is a short noun phrase, not a clause."""
    words = src.split()
    if not 1 <= len(words) <= 9:
        return False
    low = src.lower()
    if re.search(r"\b(is|are|was|were|has|have|had|will|would|which|that)\b", low):
        return False
    return words[0].lower() not in {"and", "but", "or", "to", "of", "for", "with"}


def split_attribution(sentence: str) -> tuple[str, str | None, str | None, int, int]:
    """Split a sentence into (claim text, attribution, attribution verb, start, end).

    ``start``/``end`` are offsets of the claim text inside ``sentence``. Handles
    "..., according to sources.", "..., the ministry said.", "“...,” a spokesperson said.",
    "\"...,\" Singh tweeted on Thursday.", "According to X, ...", "X said (that) ...".
    """
    s = sentence.rstrip()
    # Trailing attribution after the last comma or closing quote.
    cut = max(s.rfind(","), s.rfind("”"), s.rfind('"') if s.count('"') % 2 == 0 else -1)
    if cut > 0:
        rest = s[cut + 1 :]
        for pattern in (_END_ACCORDING, _END_ATTR, _END_INVERTED):
            m = pattern.match(rest)
            if m and _plausible_source(_clean_src(m.group("src"))):
                verb = m.groupdict().get("verb") or "according to"
                tail = (m.groupdict().get("tail") or "").strip()
                src = _clean_src(m.group("src"))
                if _TWEET_RE.search(verb + " " + tail):
                    src = f"{src} (on Twitter)"
                a, b = _strip_span(s, 0, cut)
                return (s[a:b], src, verb.split()[0].lower(), a, b)
    m = _START_ACCORDING.match(s)
    if m and _plausible_source(_clean_src(m.group("src"))):
        b0 = m.start("body")
        a, b = _strip_span(s, b0, len(s))
        return (s[a:b], _clean_src(m.group("src")), "according to", a, b)
    m = _START_SAY.match(s)
    if m and len(m.group("body").split()) >= 4 and _plausible_source(m.group("src")):
        src = _clean_src(m.group("src"))
        verb = m.group("verb").split()[0].lower()
        if verb == "tweeted":
            src = f"{src} (on Twitter)"
        a, b = _strip_span(s, m.start("body"), len(s))
        return (s[a:b], src, verb, a, b)
    a, b = _strip_span(s, 0, len(s))
    return (s[a:b], None, None, a, b)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past whitespace, quotes and trailing punctuation."""
    junk = " \t\n\"“”'‘’,;:"
    while start < end and text[start] in junk:
        start += 1
    while end > start and text[end - 1] in junk + ".":
        end -= 1
    return start, end


# --------------------------------------------------------------------------- slots


def _places(text: str) -> tuple[Place, ...]:
    out: list[Place] = []
    for m in _PLACE_RE.finditer(text):
        place = re.sub(r"['’]s?$", "", m.group("place").strip())
        words = place.split()
        if not words:
            continue
        if words[0].lower() in MONTHS or words[0].lower() in WEEKDAYS or len(place) < 3:
            continue
        if words[0].lower() in {"the", "a", "an", "this", "that", "his", "her", "their"}:
            continue
        before = tokens(text[max(0, m.start() - 120) : m.start()])[-12:]
        anchors = frozenset(
            stem(t) for t in before if t.islower() and t not in STOPWORDS and len(t) > 2
        )
        window = " ".join(before)
        occurrence = bool(_OCCURRENCE_RE.search(window))
        feature = any(w.lower() in GEO_FEATURES for w in words)
        out.append(Place(place, anchors, occurrence, feature))
    return tuple(out)


def _quantities(text: str) -> tuple[Quantity, ...]:
    out: list[Quantity] = []
    for m in _NUMBER_RE.finditer(text):
        raw = m.group("num")
        value = float(raw.replace(",", ""))
        after = text[m.end() : m.end() + 60]
        prev = text[max(0, m.start() - 12) : m.start()]
        # Model codes ("AK-203", "S-400", "AK-47 203", "5.56x45") are names, not counts.
        if re.search(r"[A-Za-z]-?$|[A-Za-z]-?\d+\s$", prev) or re.match(r"[A-Za-z]", after):
            continue
        # Years and day numbers belong to dates, not counts.
        if not m.group("scale") and "," not in raw and 1900 <= value <= 2100:
            continue
        before = text[max(0, m.start() - 12) : m.start()].lower()
        if any(mon in before.split()[-1:] for mon in MONTHS) or re.match(
            r"\s*(?:st|nd|rd|th)\b", after
        ):
            continue
        if m.group("scale"):
            value *= _SCALE[m.group("scale").lower()]
        unit = ""
        if re.match(r"\s*-\s*\d", after) or re.search(r"\d\s*-\s*$", prev):
            continue  # a score or a range ("14-0", "5-10"), not one count
        hyphen = re.match(r"-([a-z]+(?:-[a-z]+)*)", after)
        if m.group("pct"):
            unit = "%"
        elif hyphen:
            unit = stem(hyphen.group(1))
        else:
            for t in tokens(after)[:4]:
                if t.isalpha() and t.islower() and t not in STOPWORDS and len(t) > 2:
                    unit = stem(t)
                    break
        if not unit:
            continue
        context = frozenset(
            stem(t)
            for t in tokens(text[max(0, m.start() - 80) : m.start()])[-6:]
            if t.isalpha() and t.lower() not in STOPWORDS and len(t) > 2
        )
        approx = (m.group("approx") or "").strip().lower()
        bound = (
            "min"
            if approx in {"over", "more than", "at least"}
            else "max"
            if approx in {"up to", "less than", "fewer than", "under"}
            else ""
        )
        out.append(Quantity(value, unit, bool(approx), m.group(0).strip(), context, bound))
    return tuple(out)


def _dates(text: str, published: str | None) -> tuple[tuple[int | None, int, int | None], ...]:
    pub_year = int(published[:4]) if published and published[:4].isdigit() else None
    out = []
    for m in _DATE_RE.finditer(text):
        if m.group("month") == "May" and not (
            m.group("day1") or m.group("day2") or m.group("year")
        ):
            continue  # the modal verb
        name = m.group("month").lower()
        month = MONTHS.get(name, MONTHS.get(name[:3], 0))
        day = m.group("day1") or m.group("day2")
        year = int(m.group("year")) if m.group("year") else None
        if year is None and m.group("next") and pub_year:
            year = pub_year + 1
        out.append((year, month, int(day) if day else None))
    return tuple(out)


def _status(text: str) -> Status | None:
    """The stage a deal or plan is at, with the content stems around the cue (its object)."""
    if _NOCONFIRM_RE.search(text):
        return None  # a statement about confirmation, not about the stage itself
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
        return None
    pos, stage, cue = best
    words_before = tokens(text[:pos])[-6:]
    words_after = tokens(text[pos + len(cue) :])[:20]
    cue_stems = {stem(w) for w in tokens(cue)}
    objects = frozenset(
        stem(w)
        for w in words_before + words_after
        if w.lower() not in STOPWORDS and len(w) > 1 and stem(w) not in cue_stems
    )
    return Status(stage, cue, objects)


# --------------------------------------------------------------------------- statements


def _is_assertion(text: str, min_words: int) -> bool:
    if _FURNITURE_RE.search(text):
        return False
    words = [t for t in tokens(text) if t.isalpha()]
    if len(words) < min_words:
        return False
    if sum(1 for w in words if w.islower() and w not in STOPWORDS) < 2:
        return False
    return not text.rstrip().endswith("?")


def _person_like(src: str) -> bool:
    """A named person: capitalised words only ("Defence Minister Rajnath Singh"), no
    collective nouns ("Officials", "Sources")."""
    words = src.split()
    return all(w[:1].isupper() for w in words) and words[-1].lower() not in {
        "officials",
        "sources",
        "media",
        "ministry",
        "agency",
        "government",
        "statement",
        "spokesperson",
    }


def _quote_balance(text: str) -> int:
    return text.count("“") - text.count("”") + (text.count('"') % 2)


def extract_statements(
    article: Article,
    *,
    mentions: Sequence[Mention] | None = None,
    options: ClaimOptions | None = None,
) -> list[Statement]:
    """The article's asserted statements, in text order.

    Attribution: a trailing or leading speech verb or "according to"; a pronoun ("it said",
    "he said in a tweet") takes the most recent named source of the article; a quotation that
    runs over several sentences takes the attribution of the sentence that closes it.
    Hedging: modal cues in the sentence, plus "no official confirmation ... of the X" marks
    the article's other statements about X hedged. ``mentions`` (from the nlp stage) with
    resolved entity ids add one ``ent:<id>`` token per entity named in a statement, so
    "Sergei Shoigu" and "Sergey Shoigu", or "MoD" and "Ministry of Defence", align. (Places
    stay the locative phrases of the text: the NER model misses some, e.g. "Straits of
    Malacca".)
    """
    opts = options or ClaimOptions()
    linked = sorted(
        (m.start, m.end, m.entity) for m in mentions or () if m.article == article.id and m.entity
    )
    sentences = split_sentences(article)
    parsed = [split_attribution(s.text) for s in sentences]

    # Multi-sentence quotations: a sentence opening a quote without closing it takes the
    # attribution of the sentence (within the next three) that closes it.
    inherited: dict[int, tuple[str, str]] = {}
    for i, s in enumerate(sentences):
        if s.text[:1] in _QUOTE_OPEN and _quote_balance(s.text) > 0 and parsed[i][1] is None:
            for j in range(i + 1, min(i + 4, len(sentences))):
                if parsed[j][1] is not None and _quote_balance(sentences[j].text) < 0:
                    inherited[i] = (parsed[j][1], parsed[j][2] or "said")
                    break

    statements: list[Statement] = []
    last_named: str | None = None
    last_person: str | None = None
    noconfirm: list[frozenset[str]] = []
    for i, s in enumerate(sentences):
        text, src, verb, a, b = parsed[i]
        if src is None and i in inherited:
            src, verb = inherited[i]
        denied = verb in DENIAL_VERBS
        inner = _START_SAY.match(text)
        if inner and inner.group("verb") in DENIAL_VERBS and src is not None:
            # "X denied that Y, the ministry said": Y is the claim, denied by X.
            denier = _clean_src(inner.group("src"))
            a, b = a + inner.start("body"), b
            text = s.text[a:b]
            src, denied = f"{denier} (per {src})", True
        if src is not None:
            base = src.replace(" (on Twitter)", "")
            low = base.lower()
            if low in _PRONOUNS:
                antecedent = last_person if low in {"he", "she"} else last_named
                if antecedent:
                    src = antecedent + (" (on Twitter)" if src.endswith("(on Twitter)") else "")
            else:
                last_named = base
                if _person_like(base):
                    last_person = base
        if not _is_assertion(text, opts.min_words):
            continue
        start, end = s.start + a, s.start + b
        claim_text = article.text[start:end]
        quoted = s.text.lstrip()[:1] in _QUOTE_OPEN
        nc = _NOCONFIRM_RE.search(claim_text)
        if nc:
            noconfirm.append(frozenset(content_stems(nc.group("rest"))))
        negated = bool(NEGATION_RE.search(claim_text)) != denied
        stems = frozenset(content_stems(claim_text)) | frozenset(
            f"ent:{eid}" for x, y, eid in linked if start <= x and y <= end
        )
        statements.append(
            Statement(
                article=article.id,
                sentence=s.index,
                start=start,
                end=end,
                text=claim_text,
                attribution=src,
                hedged=bool(HEDGE_RE.search(s.text)),
                negated=negated,
                quoted=quoted,
                stems=stems,
                places=_places(claim_text),
                quantities=_quantities(claim_text),
                dates=_dates(claim_text, article.published),
                status=_status(claim_text),
                lower_stems=frozenset(
                    stem(t) for t in tokens(claim_text) if t.islower() and t not in STOPWORDS
                ),
            )
        )
    if noconfirm:
        from dataclasses import replace

        hedged_out = []
        for st in statements:
            if not st.hedged and any(
                len(st.stems & nc) >= min(2, len(nc)) for nc in noconfirm if nc
            ):
                st = replace(st, hedged=True)
            hedged_out.append(st)
        statements = hedged_out
    return statements


# --------------------------------------------------------------------------- alignment


@dataclass(frozen=True, slots=True)
class ClaimAnalysis:
    """What the claims stage found: claims, the contradictions between them, and the
    statements they were built from (for explanations and the brief)."""

    claims: tuple[Claim, ...]
    contradictions: tuple[Contradiction, ...]
    statements: tuple[Statement, ...]


def _idf(statements: Sequence[Statement]) -> dict[str, float]:
    df: dict[str, int] = defaultdict(int)
    for st in statements:
        for t in st.stems:
            df[t] += 1
    n = len(statements)
    return {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}


def _weighted_dice(a: frozenset[str], b: frozenset[str], idf: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    shared = sum(idf.get(t, 1.0) for t in a & b)
    total = sum(idf.get(t, 1.0) for t in a) + sum(idf.get(t, 1.0) for t in b)
    return 2.0 * shared / total if total else 0.0


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _conflict(
    a: Statement,
    b: Statement,
    sim: float,
    idf: Mapping[str, float],
    texts: Mapping[str, str],
    opts: ClaimOptions,
) -> tuple[str, str, str] | None:
    """The slot on which two statements from different articles disagree, if any.

    Returns (kind, value in a, value in b). An article is taken to be self-consistent: a value
    that the other statement's article also mentions is no conflict (that is how "Moscow"
    and "Russia", or a range and its end, show up).
    """
    text_a, text_b = texts[a.article], texts[b.article]
    if sim < opts.slot_threshold:
        return None
    # Places where the same happening takes place.
    for pa in a.places:
        for pb in b.places:
            if not (pa.occurrence and pb.occurrence):
                continue
            if not (pa.anchors & pb.anchors):
                continue
            la, lb = pa.text.lower(), pb.text.lower()
            if la in lb or lb in la:
                continue
            if pb.text in text_a or pa.text in text_b:
                continue
            if (pa.feature and pb.feature) or sim >= opts.merge_threshold:
                return ("place", pa.text, pb.text)
    # Counts of the same thing.
    for qa in a.quantities:
        for qb in b.quantities:
            # The same noun counted in the same words, in statements that are otherwise alike.
            if qa.unit != qb.unit or len(a.stems & b.stems) < 3:
                continue
            if sim < 0.8 * opts.merge_threshold or len(qa.context & qb.context) < 2:
                continue
            if qa.compatible(qb):
                continue
            if any(q.compatible(qb) for q in a.quantities) or any(
                q.compatible(qa) for q in b.quantities
            ):
                continue
            return ("number", qa.text, qb.text)
    # Dates of a statement that is otherwise the same, compared at the same granularity.
    if a.dates and b.dates and sim >= opts.merge_threshold and len(_wordy(a.stems & b.stems)) >= 3:
        for ya, ma, da in a.dates:
            for yb, mb, db in b.dates:
                if (da is None) != (db is None) or (ya is None) != (yb is None):
                    continue
                if (ya, ma, da) == (yb, mb, db):
                    continue
                if (ya, ma, da) in b.dates or (yb, mb, db) in a.dates:
                    continue
                return ("date", _fmt_date(ya, ma, da), _fmt_date(yb, mb, db))
    # The stage of the same deal or plan.
    if a.status and b.status and a.status.stage != b.status.stage:
        obj = _weighted_dice(a.status.objects, b.status.objects, idf)
        shared = a.status.objects & b.status.objects
        if obj >= 0.3 and len(shared) >= 3:
            return ("status", a.status.cue, b.status.cue)
    # The same statement, asserted and negated (including an attributed denial).
    if a.negated != b.negated and sim >= max(opts.merge_threshold, 0.6):
        neg, pos = (a, b) if a.negated else (b, a)
        if _negated_predicate(neg.text) & pos.stems:
            return (
                "negation",
                "denied" if a.negated else "asserted",
                "denied" if b.negated else "asserted",
            )
    return None


_AUXILIARIES = _words(
    "be been being is are was were have has had do does did will would shall should can could "
    "may might must also yet even immediately ever formally currently really say"
)


def _negated_predicate(text: str) -> frozenset[str]:
    """Stems of the first two content words after a negation cue (what is negated); empty
    when the negation sits in a conditional or temporal clause ("not ... until", "unless")."""
    m = NEGATION_RE.search(text)
    if m is None:
        # a denial verb negates the whole reported statement
        return frozenset(content_stems(text)[:3])
    rest = text[m.end() :]
    if re.search(r"\b(until|unless|before|if)\b", rest[:80], re.I):
        return frozenset()
    for t in tokens(rest)[:4]:
        low = t.lower()
        if low in _AUXILIARIES or low in STOPWORDS or not t.isalpha():
            continue
        return frozenset({stem(t)})  # the negated verb (or noun after "no")
    return frozenset()


def _wordy(stems: Iterable[str]) -> set[str]:
    """Content stems that are words, not numbers, months or entity ids."""
    return {t for t in stems if t.isalpha() and t not in MONTHS and not t.startswith("ent:")}


def _fmt_date(y: int | None, m: int, d: int | None) -> str:
    return "-".join(f"{v:02d}" if i else str(v) for i, v in enumerate((y, m, d)) if v is not None)


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = [t.lower() for t in tokens(text)]
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def _claim_id(mentions: Iterable[Statement]) -> str:
    key = "|".join(sorted(f"{m.article}:{m.start}:{m.end}" for m in mentions))
    return "cl_" + hashlib.sha1(key.encode()).hexdigest()[:16]


def analyse_claims(
    articles: Sequence[Article],
    source_of: Mapping[str, str] | None = None,
    *,
    events: Sequence[Event] | None = None,
    mentions: Mapping[str, Sequence[Mention]] | None = None,
    links: Sequence[CopyLink] | None = None,
    embedder: Embedder | None = None,
    options: ClaimOptions | None = None,
) -> ClaimAnalysis:
    """Claims over ``articles`` with corroboration and contradictions.

    ``source_of`` maps article id -> independent source group (the copies stage); an article
    missing from it is its own source. ``events`` (the events stage), when given, limits
    alignment to statements of the same event and sets ``Claim.event``; without them,
    statements align only between articles published at most ``options.max_days`` apart.
    ``mentions`` (article id -> entity mentions with resolved ids) let entity aliases align.
    ``links`` (the copies stage's copy links with aligned passages): two statements that sit
    in the two sides of one reused passage count as one source even when the articles are
    otherwise independent.
    ``embedder`` (e.g. :func:`newsweave.embed.embed`) adds a discounted sentence-embedding
    cosine to the lexical similarity.
    """
    opts = options or ClaimOptions()
    source_of = source_of or {}
    order = sorted(articles, key=lambda a: (a.published or "", a.id))
    rank = {a.id: i for i, a in enumerate(order)}
    texts = {a.id: a.text for a in order}
    published = {a.id: _parse_day(a.published) for a in order}
    event_of: dict[str, str] = {}
    for ev in sorted(events or (), key=lambda e: e.id):
        for aid in ev.articles:
            event_of.setdefault(aid, ev.id)

    statements: list[Statement] = []
    for art in order:
        ms = mentions.get(art.id) if mentions is not None else None
        statements.extend(extract_statements(art, mentions=ms, options=opts))
    n = len(statements)
    if n == 0:
        return ClaimAnalysis((), (), ())
    idf = _idf(statements)

    vectors: np.ndarray | None = None
    if embedder is not None:
        vectors = np.asarray(embedder([st.text for st in statements]), dtype=np.float32)

    def comparable(i: int, j: int) -> bool:
        a, b = statements[i], statements[j]
        ea, eb = event_of.get(a.article), event_of.get(b.article)
        if ea is not None or eb is not None:
            return ea == eb
        da, db = published[a.article], published[b.article]
        return da is None or db is None or abs((da - db).days) <= opts.max_days

    # Candidate pairs share at least two stems that are not everywhere.
    index: dict[str, list[int]] = defaultdict(list)
    cap = max(50, min(200, n // 5))  # a stem in more statements is no evidence of sameness
    for i, st in enumerate(statements):
        for t in st.stems:
            index[t].append(i)
    shared_count: dict[tuple[int, int], int] = defaultdict(int)
    for posting in index.values():
        if len(posting) > cap:
            continue
        for x in range(len(posting)):
            for y in range(x + 1, len(posting)):
                shared_count[(posting[x], posting[y])] += 1

    sims: dict[tuple[int, int], float] = {}
    for (i, j), count in shared_count.items():
        if count < 2 or not comparable(i, j):
            continue
        lex = _weighted_dice(statements[i].stems, statements[j].stems, idf)
        if vectors is not None:
            cos = float(vectors[i] @ vectors[j])
            # Lexical evidence leads; a paraphrase (high cosine) can lift a pair, but one
            # topic's sentences are all near in embedding space, so the cosine is discounted.
            sim = 0.7 * lex + 0.3 * min(1.0, max(0.0, (cos - 0.6) / 0.35))
        else:
            sim = lex
        sims[(i, j)] = sim

    conflicts: dict[tuple[int, int], tuple[str, str, str]] = {}
    for (i, j), sim in sims.items():
        a, b = statements[i], statements[j]
        if a.article == b.article:
            continue
        found = _conflict(a, b, sim, idf, texts, opts)
        if found:
            conflicts[(i, j)] = found

    # Greedy merge, strongest link first, never across a conflict.
    uf = UnionFind(n)
    blocked: dict[int, set[int]] = defaultdict(set)  # root -> members it must not join
    members: dict[int, set[int]] = {i: {i} for i in range(n)}
    for (i, j), _ in conflicts.items():
        blocked[i].add(j)
        blocked[j].add(i)
    for (i, j), sim in sorted(sims.items(), key=lambda kv: (-kv[1], kv[0])):
        if sim < opts.merge_threshold:
            break
        if statements[i].article == statements[j].article and sim < opts.repeat_threshold:
            continue  # within one article only a restatement (a lede repeated) is one claim
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj or blocked[ri] & members[rj] or blocked[rj] & members[ri]:
            continue
        # Average linkage: the two groups must be alike as wholes, not through one chain link.
        cross = [
            sims.get((x, y) if x < y else (y, x), 0.0) for x in members[ri] for y in members[rj]
        ]
        if sum(cross) / len(cross) < opts.linkage * opts.merge_threshold:
            continue
        root = uf.union(ri, rj)
        other = rj if root == ri else ri
        members[root] |= members.pop(other)
        blocked[root] |= blocked.pop(other, set())

    clusters: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        clusters[uf.find(i)].append(i)

    passages: dict[tuple[str, str], list[tuple[Span, Span]]] = defaultdict(list)
    for link in links or ():
        for sa, sb in link.passages:
            passages[(sa.article, sb.article)].append((sa, sb))
            passages[(sb.article, sa.article)].append((sb, sa))

    claim_of: dict[int, str] = {}
    built: dict[str, dict] = {}
    for idxs in clusters.values():
        ms = sorted((statements[i] for i in idxs), key=lambda s: (rank[s.article], s.start))
        cid = _claim_id(ms)
        for i in idxs:
            claim_of[i] = cid
        built[cid] = {"mentions": ms, "contradicts": set()}

    contradictions: dict[tuple[str, str], Contradiction] = {}
    for (i, j), (kind, va, vb) in sorted(conflicts.items()):
        ca, cb = claim_of[i], claim_of[j]
        if ca == cb:
            continue
        built[ca]["contradicts"].add(cb)
        built[cb]["contradicts"].add(ca)
        key = (ca, cb) if ca < cb else (cb, ca)
        if key not in contradictions:
            if ca < cb:
                contradictions[key] = Contradiction(ca, cb, kind, va, vb)
            else:
                contradictions[key] = Contradiction(cb, ca, kind, vb, va)

    claims: list[Claim] = []
    for cid, info in built.items():
        ms: list[Statement] = info["mentions"]
        rep = ms[0]
        arts = tuple(dict.fromkeys(m.article for m in ms))
        attributions = list(dict.fromkeys(m.attribution for m in ms if m.attribution))
        named = [a for a in attributions if a.split(" (")[0].lower() not in _PRONOUNS]
        attributions = named or attributions
        sources = _independent_sources(ms, source_of, opts, passages)
        contradicts = tuple(sorted(info["contradicts"]))
        if contradicts:
            status = "contested"
        elif sources >= 2:
            status = "corroborated"
        else:
            status = "single-source"
        claims.append(
            Claim(
                id=cid,
                text=rep.text,
                attribution="; ".join(attributions[:4]) or None,
                hedged=all(m.hedged for m in ms),
                articles=arts,
                spans=tuple(Span(m.article, m.start, m.end) for m in ms),
                independent_sources=sources,
                status=status,  # type: ignore[arg-type]
                contradicts=contradicts,
                event=event_of.get(rep.article),
            )
        )
    claims.sort(key=lambda c: (c.event or "", rank[c.articles[0]], c.spans[0].start, c.id))
    return ClaimAnalysis(
        tuple(claims),
        tuple(sorted(contradictions.values(), key=lambda c: (c.a, c.b))),
        tuple(statements),
    )


def _inside(st: Statement, span: Span) -> bool:
    """At least half of the statement lies inside the passage span."""
    overlap = min(st.end, span.end) - max(st.start, span.start)
    return overlap >= 0.5 * max(1, st.end - st.start)


def _independent_sources(
    mentions: Sequence[Statement],
    source_of: Mapping[str, str],
    opts: ClaimOptions,
    passages: Mapping[tuple[str, str], Sequence[tuple[Span, Span]]] | None = None,
) -> int:
    """Distinct source groups behind a claim.

    Two mentions count once when their articles are one source group (the copies stage), when
    both sit in the two sides of one reused passage, or when they are unquoted near-verbatim
    sentences (a pasted press-release line the copies stage did not see).
    """
    groups = sorted({source_of.get(m.article, m.article) for m in mentions})
    if len(groups) < 2:
        return len(groups)
    idx = {g: k for k, g in enumerate(groups)}
    uf = UnionFind(len(groups))
    passages = passages or {}
    for x in range(len(mentions)):
        for y in range(x + 1, len(mentions)):
            mx, my = mentions[x], mentions[y]
            gx = source_of.get(mx.article, mx.article)
            gy = source_of.get(my.article, my.article)
            if gx == gy or uf.find(idx[gx]) == uf.find(idx[gy]):
                continue
            if any(
                _inside(mx, sa) and _inside(my, sb)
                for sa, sb in passages.get((mx.article, my.article), ())
            ):
                uf.union(idx[gx], idx[gy])
    plain = [m for m in mentions if not m.quoted and len(tokens(m.text)) >= 8]
    shingles = [_shingles(m.text) for m in plain]
    for x in range(len(plain)):
        for y in range(x + 1, len(plain)):
            gx = source_of.get(plain[x].article, plain[x].article)
            gy = source_of.get(plain[y].article, plain[y].article)
            if gx == gy:
                continue
            inter = len(shingles[x] & shingles[y])
            union = len(shingles[x] | shingles[y])
            if union and inter / union >= opts.verbatim_jaccard:
                uf.union(idx[gx], idx[gy])
    return len({uf.find(k) for k in range(len(groups))})


def build_claims(
    articles: Sequence[Article],
    source_of: Mapping[str, str] | None = None,
    **kwargs: object,
) -> list[Claim]:
    """The claims of :func:`analyse_claims`, without the explanation records."""
    return list(analyse_claims(articles, source_of, **kwargs).claims)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- brief

_KIND_LABEL = {
    "place": "Where",
    "number": "How many",
    "date": "When",
    "status": "Status",
    "negation": "Whether",
}


def _side(claim: Claim, value: str) -> str:
    who = f" — {claim.attribution}" if claim.attribution else ""
    hedge = " *(hedged)*" if claim.hedged else ""
    return f"*{value}*: “{claim.text}”{who}{hedge}"


def disagreements(
    claims: Sequence[Claim],
    contradictions: Sequence[Contradiction],
    articles: Iterable[str] | None = None,
) -> list[CitedSentence]:
    """The "Where sources disagree" lines of a brief: for each contradiction touching
    ``articles`` (all when None), one cited line per side, the first naming the slot.

    Every line quotes the claim as an article wrote it, with its attribution, and cites that
    side's articles only, so a reader sees who says what.
    """
    by_id = {c.id: c for c in claims}
    wanted = set(articles) if articles is not None else None
    lines: list[CitedSentence] = []
    for x in contradictions:
        a, b = by_id.get(x.a), by_id.get(x.b)
        if a is None or b is None:
            continue
        if wanted is not None and not (wanted & (set(a.articles) | set(b.articles))):
            continue
        label = _KIND_LABEL.get(x.kind, x.kind.title())
        lines.append(
            CitedSentence(f"**{label}** — {_side(a, x.value_a)}", a.articles, tuple(a.spans))
        )
        lines.append(CitedSentence(f"… versus {_side(b, x.value_b)}", b.articles, tuple(b.spans)))
    return lines
