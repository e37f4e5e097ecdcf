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

import bisect
import hashlib
import math
import re
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np

from newsweave import claim_slots
from newsweave.caseless import Caseless
from newsweave.claim_slots import (
    MONTHS,
    NEGATION,
    NOCONFIRM,
    NOCONFIRM_RE,
    STOPWORDS,
    WEEKDAYS,
    NumberSlot,
    PairContext,
    SlotContext,
    article_figures,
    content_stems,
    entity_kind,
    extract_slots,
    find_conflict,
    hedged_figure,
    may_conflict,
    personal_units,
    same_measure,
    slot_values,
    stem,
    tokens,
    weighted_dice,
    words,
    wordy,
)
from newsweave.disjoint_sets import UnionFind
from newsweave.kept import Kept
from newsweave.records import (
    Article,
    Claim,
    Contradiction,
    CopyLink,
    Event,
    Mention,
    Sentence,
    Span,
    TimeRef,
    outlet_of,
)
from newsweave.sentences import split_sentences

Embedder = Callable[[Sequence[str]], np.ndarray]


class _MaskedCosine:
    """The encoder's cosine of two statements with their figures masked, asked lazily.

    Calling it gives a thunk (or None without an encoder): the rules ask only for the few
    pairs they cannot decide, so only those statements are embedded, each once.
    """

    def __init__(self, text_of: Callable[[int], str], embedder: Embedder | None) -> None:
        self._text_of = text_of
        self._embedder = embedder
        self._vectors: dict[int, np.ndarray] = {}

    def __call__(self, i: int, j: int) -> Callable[[], float] | None:
        embedder = self._embedder
        if embedder is None:
            return None

        def compute() -> float:
            missing = [k for k in (i, j) if k not in self._vectors]
            if missing:
                got = embedder([_masked(self._text_of(k)) for k in missing])
                for k, v in zip(missing, got, strict=True):
                    self._vectors[k] = np.asarray(v, dtype=np.float32)
            return float(self._vectors[i] @ self._vectors[j])

        return compute


#: How much of an article before a statement its slots may read (``SlotContext.before``).
_BEFORE_CHARS = 300

#: Names the rules that made a store's claims: stored claims computed under another value are
#: recomputed by the pipeline (part of each scope's fingerprint).
ALGORITHM = "claims-51"
#: The statuses a claim can have, as ``Claim.status`` holds them.
STATUSES = ("corroborated", "single-source", "contested")

# --------------------------------------------------------------------------- lexicon

# The shared lexicon lives with the slot kinds (``newsweave.claim_slots``); these names are
# re-exported because callers and tests read them from here.
__all__ = ["MONTHS", "STOPWORDS", "WEEKDAYS", "content_stems", "stem", "tokens"]

# The hedge cues live with the slot kinds (a figure is hedged by a cue in its own clause).
HEDGE_RE = claim_slots.HEDGE_RE
_hedged = claim_slots.hedged_text


DENIAL_VERBS = words("denied denies deny rejected rejects dismissed dismisses refuted refutes")

# "told Fox News", "told the Post", "told reporters": the addressee is part of the verb.
# Whoever is told, up to "that" ("told an audience of business students at Stanford
# University that ..."); else a name, which may go on with what it is ("told the AFP news
# agency four villages ...", "told Associated Press news agency").
_TOLD = (
    r"told\s+(?:[^,;:\"“”]{1,70}?(?=\s+that\b)"
    r"|(?:the\s+)?[A-Z][\w.'’&-]*(?:\s+[A-Z][\w.'’&-]*){0,3}"
    r"(?:\s+(?:news\s+)?(?:agency|newspaper|television|TV|radio|channel|broadcaster|"
    r"website|magazine|network))?"
    r"|(?:[\w-]+\s+){0,2}(?:television|TV|radio|reporters|journalists|agency|newspaper|"
    r"website|channel|broadcaster)\b|\w+)"
)
_SAY = (
    rf"said|says|say|{_TOLD}|added|adds|noted|notes|stated|states|reported|reports|announced|"
    r"announces|claimed|claims|tweeted|tweets|wrote|writes|confirmed|confirms|denied|denies|"
    r"insisted|insists|warned|explained|explains|asserted|alleged|alleges|maintained|continued|"
    r"acknowledged|admitted|argued|estimated|predicted|testified|stressed|emphasi[sz]ed|"
    r"quoted\s+\w+(?:\s+\w+)?\s+as\s+saying|rejected|dismissed|refuted"
)
_INV_VERBS = (
    r"said|says|added|adds|noted|notes|wrote|writes|explained|explains|continued|continues|"
    r"asked|insisted|stated|warned|argued|recalled"
)
_PRONOUNS = words("it he she they this we ")
# Attributions that point back to the last named source ("the statement continued").
_BACK_REFERENCES = frozenset(
    [
        "the statement",
        "the release",
        "the report",
        "the letter",
        "the spokesman",
        "the spokeswoman",
        "the spokesperson",
        "the source",
        "the official",
    ]
)
_SRC = r"[^,;:\"“”]{1,90}?"
_TAIL = (
    r"(?:\s+(?:here|there|yesterday|today|tonight|Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)(?:\s+(?:night|morning|afternoon|evening))?)?"
    r"(?:\s+(?:on|in|at|to|earlier|later|last|this|late|late on|via|through|during|as|while|"
    r"after|before|when)\b(?:(?!\bthat\b)[^,;\"“”]){0,90})?"
)  # (no "that" in it: "BP said on Friday that it had ..." goes on with what was said)
_AGE = re.compile(r",\s*\d{1,3}\s*,(?=\s+(?:said|says|told|added)\b)")
# a quoted title may end the tag: '... said on ABC's "This Week."'
_TITLE_END = r"(?:\s*[\"“][^\"“”]{1,60}[\"”]?)?"
_END_ATTR = re.compile(
    rf"^\s*(?P<src>{_SRC})\s+(?P<verb>{_SAY}|told(?:\s+(?!that\b)[^\s,;\"“”]+){{1,5}}?)(?P<tail>{_TAIL}){_TITLE_END}"
    r"\s*[.!]?\s*[\"”]?\s*$"
)
_END_INVERTED = re.compile(
    rf"^\s*(?P<verb>{_INV_VERBS})\s+(?P<src>[^,;:\"“”]{{1,90}}?)(?P<tail>\s+(?:to|in|on|at)\b"
    rf"[^,;\"“”]{{0,50}})?\s*[.!]?\s*$"
)
# A speech tag between two parts of one quotation: “A,” X said, “B.” / “A,” said X. “B.”
_MID_TAG = re.compile(
    rf"(?P<close>[,!?]?\s*[\"”])\s*(?:(?P<src1>{_SRC})\s+(?P<verb1>{_SAY})|"
    rf"(?P<verb2>{_INV_VERBS})\s+(?P<src2>{_SRC}))(?P<tail>{_TAIL})\s*[,.:]\s*(?P<open>[\"“])"
)
_END_ACCORDING = re.compile(r"^\s*according to (?P<src>[^,;\"“”]{2,100}?)\s*[.!]?\s*$", re.I)
_START_ACCORDING = re.compile(r"^\s*According to (?P<src>[^,;\"“”]{2,100}?),\s*(?P<body>.+)$")
_START_SAY = re.compile(
    r"^\s*(?:(?:But|And|However|Meanwhile|Still|Yet)\s+|[^,\"“”]{3,120},\s+(?=[A-Z]|(?:he|she|they)\s))?"
    r"(?P<src>(?:[A-Z][\w'’.-]*|the|a|an|he|she|it|they|we)(?:\s+[\w'’.-]+){0,6}?)"
    r"(?:,\s*(?P<appos>[^;\"“”]{1,120}?),)?"
    rf"(?:\s+(?:on|late on|earlier on)\s+\w+)?\s+(?P<verb>said|says|{_TOLD}|noted|added|"
    r"announced|claimed|claims|insisted|stated|confirmed|denied|denies|warned|tweeted|"
    r"explained|acknowledged|admitted|argued|estimated|predicted|testified)"
    r"(?:\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"yesterday|today|last\s+\w+|this\s+week|earlier|later))?[,:]?\s+(?:that\s+)?(?P<body>.+)$"
)
# Words that trail a speaker's name in a tag but are no part of it: "Mr. Trump also said".
_TRAILING_ADVERBS = words(
    "also later earlier previously then again further repeatedly separately once "
    "still recently today yesterday first finally "
)
_TWEET_RE = re.compile(r"\btweet", re.I)
# A quotation's closing mark before a speech tag: ',”' / ',"' / '?"' then a space.
_CLOSING_QUOTE = re.compile(r"(?:(?<=[,!?])|(?<=[,!?] ))[\"”](?=\s)")
# Every speech-tag pattern above needs one of these words; a sentence without any has no tag
# (checked once instead of trying each pattern at each cut).
# Parts of those words: a sentence holding none of them cannot match (plain substring tests,
# far cheaper than the pattern on the many sentences without any tag).
_TAG_PARTS = (
    "sa",
    "told",
    "add",
    "not",
    "stat",
    "report",
    "announc",
    "claim",
    "tweet",
    "wr",
    "confirm",
    "deni",
    "insist",
    "warn",
    "explain",
    "assert",
    "alleg",
    "maintain",
    "continu",
    "acknowledg",
    "admit",
    "argu",
    "estimat",
    "predict",
    "testif",
    "stress",
    "emphasi",
    "quot",
    "reject",
    "dismiss",
    "refut",
    "ask",
    "recall",
    "accord",
)
_TAG_WORD = Caseless(
    r"\b(?:said|says|say|told|added|adds|noted|notes|stated|states|reported|reports|announced|"
    r"announces|claimed|claims|tweeted|tweets|wrote|writes|confirmed|confirms|denied|denies|"
    r"insisted|insists|warned|explained|explains|asserted|alleged|alleges|maintained|continued|"
    r"continues|acknowledged|admitted|argued|estimated|predicted|testified|stressed|emphasi[sz]ed|"
    r"quoted|rejected|dismissed|refuted|asked|recalled|according)\b"
)

_QUOTE_OPEN = '"“'
_QUOTE_CLOSE = '"”'
_FURNITURE_RE = Caseless(
    r"(\|\s*updated:|image credit|^first published|^topics\s*:|\bmin read\b|last updated|"
    r"^representative image|^left menu|^close$|contributed to this report|"
    r"\bhandout (?:photo|photograph|picture|image)\b|"
    r"\bin this (?:\w+ )?(?:photo|photograph|image)\b)",
    # (one of these words is in every match)
    cues=(
        "updated",
        "image",
        "published",
        "topics",
        "min read",
        "menu",
        "close",
        "contributed",
        "handout",
        "photo",
    ),
)

# --------------------------------------------------------------------------- records


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
    slots: tuple[tuple[str, tuple[Any, ...]], ...] = ()  # (slot kind, its values) per kind
    lower_stems: frozenset[str] = field(default_factory=frozenset)
    published: str | None = None  # the article's publication date
    denied: bool = False  # reported as denied ("X denied that ...", "..., X denied")
    #: the people it is about, by surname: persons named in it who are not its speakers,
    #: and for "He ..."/"She ..." the last person named before it ("He had 793 yards" after
    #: "Thomas came into 2010 ..." is Thomas's figure)
    people: frozenset[str] = frozenset()
    #: the kinds of the entities named in it with resolved ids, as "<kind>:<id>" (kind:
    #: ``person``, ``org``, ``place`` or the nlp label in lower case): two statements that
    #: name only entities of different kinds do not speak of different people
    entity_kinds: frozenset[str] = frozenset()

    def slot(self, kind: str) -> tuple[Any, ...]:
        """The values of one slot kind (``newsweave.claim_slots``) in this statement."""
        for k, values in self.slots:
            if k == kind:
                return values
        return ()


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

    merge_threshold: float = 0.45
    slot_threshold: float = 0.12
    max_days: int = 7
    verbatim_jaccard: float = 0.6
    min_words: int = 5
    linkage: float = 0.8
    repeat_threshold: float = 0.8
    #: also compare figures across events and stories (a count revised a few days later
    #: sits in another event, often in another thread of the same story): claims of
    #: different events, published at most ``max_days`` apart (see
    #: :func:`cross_event_contradictions`).
    cross_event: bool = True
    #: the learned same-thing signal: two statements whose figures conflict speak of the
    #: same thing when the rules say so or when the cosine of their sentence embeddings
    #: (figures masked) reaches this. 1.0 turns the signal off.
    figure_cosine: float = 0.65
    #: across events (other days, other threads) two figures are compared only when the
    #: sentence encoder also finds the two statements this alike (figures masked), whatever
    #: the rules say: a story's many figures of one unit are otherwise easily confused.
    cross_event_cosine: float = 0.8
    #: the same confirmation for two figures whose words say they measure one quantity (the
    #: oil flowing per day, the slick's size): reports of one figure revised between threads
    #: are worded differently, so the encoder is asked for less
    measured_cosine: float = 0.5
    #: the same for two rates of oil (or gas, water...) flowing a day, the flow read on both
    #: sides: the leak rate is one running figure however its reports are worded ("the
    #: 42,000 gallons of oil a day being pumped into the Gulf" / "Some 5,000 barrels of oil a
    #: day are now pouring"), so the encoder only has to find the two statements not unlike
    flow_cosine: float = 0.3
    #: the same for two sizes of a slick (its length, width or area) read on both sides: a
    #: running figure every report measures anew, worded differently by each (slick sizes
    #: of two threads sit at masked cosines of 0.45-0.5)
    size_cosine: float = 0.45

    def __post_init__(self) -> None:
        for name in (
            "merge_threshold",
            "slot_threshold",
            "verbatim_jaccard",
            "repeat_threshold",
            "figure_cosine",
            "cross_event_cosine",
            "measured_cosine",
            "flow_cosine",
            "size_cosine",
        ):
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
    src = re.sub(r"\s+", " ", src)
    ws = src.split()
    while len(ws) > 1 and ws[-1].lower() in _TRAILING_ADVERBS:
        ws.pop()  # "Mr. Trump also" -> "Mr. Trump"
    return " ".join(ws)


def _plausible_source(src: str) -> bool:
    """An attribution is a short noun phrase, not a clause."""
    words = src.split()
    if not 1 <= len(words) <= 9:
        return False
    low = src.lower()
    if re.search(r"\b(is|are|was|were|has|have|had|will|would|which|that|it's|there)\b", low):
        return False
    if not any(w[:1].isalpha() for w in words):
        return False
    if src[:1].isdigit() or src.count(")") > src.count("("):
        return False  # the end of a figure or a bracket: "000 liters) BP" is nobody
    return words[0].lower() not in {"and", "but", "or", "to", "of", "for", "with", "as", "if"}


def _verb_of(raw: str) -> str:
    return raw.split()[0].lower()


def _tweeted(verb: str, tail: str) -> bool:
    return bool(_TWEET_RE.search(verb + " " + tail))


def split_attribution(sentence: str) -> tuple[str, str | None, str | None, int, int]:
    """Split a sentence into (claim text, attribution, attribution verb, start, end).

    ``start``/``end`` are offsets of the claim text inside ``sentence``. Handles
    "..., according to sources.", "..., the ministry said.", "“...,” a spokesperson said.",
    "\"...,\" Singh tweeted on Thursday.", "According to X, ...", "X said (that) ...",
    "..., explained Boehner to the Post.", "..., X told Fox News." A tag in the middle of a
    quotation (“A,” X said, “B.”) is handled by :func:`split_statement`.
    """
    s = sentence.rstrip()
    low = s.lower()
    if not any(w in low for w in _TAG_PARTS) or not _TAG_WORD.found(s):
        a, b = _strip_span(s, 0, len(s))
        return (s[a:b], None, None, a, b)
    # Trailing attribution after the last comma or the last closing quote ("...," said Sen.
    # Mary Landrieu, Louisiana Democrat: the tag starts at the quote, not the last comma).
    close = max(s.rfind("”"), s.rfind('"') if s.count('"') % 2 == 0 else -1)
    dangling = s.rfind('"') if s.count('"') % 2 else -1  # a quote closed, its opening lost
    commas = [i for i, ch in enumerate(s) if ch == ","][-3:]
    # every closing quote too: the tag may be followed by a quoted title ("...," said David
    # Helvarg, author of "Rescue Warriors.")
    # A closing quote right after a clause's end is where a tag starts, ahead of any comma
    # inside the tag ("...,” the governor of Hormozgan province, X, told state television).
    quotes = sorted((m.start() for m in _CLOSING_QUOTE.finditer(s)), reverse=True)[:3]
    rest_cuts = sorted({c for c in (*commas, close, dangling) if c > 0}, reverse=True)
    cuts = list(dict.fromkeys([*quotes, *rest_cuts]))
    for cut in cuts:
        whole = _AGE.sub("", s[cut + 1 :])  # "Bonnie Bethel, 66, said" -> "Bonnie Bethel said"
        variants = [whole]
        if "," in whole:
            # "said Adrian Rose, vice president of Transocean": the tag, then an apposition
            variants.append(re.sub(r"^(\s*,?\s*[^,]*?),.*$", r"\1", whole))
            # "the governor of Qeshm, Mehdi Irannejad, told ISNA": a name set off by commas
            variants.append(whole.replace(",", ""))
        for rest, pattern in (
            (r, p) for r in variants for p in (_END_ACCORDING, _END_ATTR, _END_INVERTED)
        ):
            m = pattern.match(rest)
            if m and _plausible_source(_clean_src(m.group("src"))):
                verb = m.groupdict().get("verb") or "according to"
                tail = (m.groupdict().get("tail") or "").strip()
                src = _clean_src(m.group("src"))
                if _tweeted(verb, tail):
                    src = f"{src} (on Twitter)"
                a, b = _strip_span(s, 0, cut)
                return (s[a:b], src, _verb_of(verb), a, b)
    m = _START_ACCORDING.match(s)
    if m and _plausible_source(_clean_src(m.group("src"))):
        b0 = m.start("body")
        a, b = _strip_span(s, b0, len(s))
        return (s[a:b], _clean_src(m.group("src")), "according to", a, b)
    m = _START_SAY.match(s)
    if m and len(m.group("body").split()) >= 4 and _plausible_source(_clean_src(m.group("src"))):
        src = _clean_src(m.group("src"))
        appos = _clean_src(m.group("appos") or "")
        if appos and 2 <= len(appos.split()) <= 4 and _person_like(appos) and not _person_like(src):
            src = appos  # "Qeshm's governor, Heidar Alishvandi, told ..." -> the name
        verb = _verb_of(m.group("verb"))
        if verb == "tweeted":
            src = f"{src} (on Twitter)"
        a, b = _strip_span(s, m.start("body"), len(s))
        return (s[a:b], src, verb, a, b)
    a, b = _strip_span(s, 0, len(s))
    return (s[a:b], None, None, a, b)


def split_statement(sentence: str) -> tuple[str, str | None, str | None, int, int]:
    """:func:`split_attribution`, plus a speech tag in the middle of a quotation:
    “We will not stop,” Smith said, “until it is sealed.” gives the text “We will not stop
    until it is sealed” (the tag cut out; offsets span both parts) said by Smith."""
    # the tag sits between a closing and an opening quotation mark: none, no tag
    quotes = '"' in sentence or "”" in sentence
    for m in _MID_TAG.finditer(sentence) if quotes else ():
        src = m.group("src1") or m.group("src2")
        verb = m.group("verb1") or m.group("verb2")
        if not src or not _plausible_source(_clean_src(src)):
            continue
        low = src.strip().lower()
        common = src.strip()[:1].islower() and not low.startswith(("the ", "a ", "an "))
        if common and low not in _PRONOUNS:
            continue
        head = sentence[: m.start("close")]
        tail_start = m.end("open")
        if len(head.split()) < 2:
            continue
        a, _ = _strip_span(sentence, 0, len(head))
        _, b = _strip_span(sentence, tail_start, len(sentence))
        first = sentence[a : len(head)].rstrip(" ,")
        second = sentence[tail_start:b].lstrip()
        text = _repair_quotes(f"{first} {second}")
        src = _clean_src(src)
        if _tweeted(verb, m.group("tail") or ""):
            src = f"{src} (on Twitter)"
        return (text, src, _verb_of(verb), a, b)
    text, src, verb, a, b = split_attribution(sentence)
    return (_repair_quotes(text), src, verb, a, b)


def _repair_quotes(text: str) -> str:
    """Drop quotation marks left unbalanced by cutting a sentence out of a longer quote."""
    if text.count("“") != text.count("”"):
        text = text.replace("“", "").replace("”", "")
    if text.count('"') % 2:
        text = text.replace('"', "")
    return text.strip()


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past whitespace, quotes and trailing punctuation."""
    junk = " \t\n\"“”'‘’,;:"
    while start < end and text[start] in junk:
        start += 1
    while end > start and text[end - 1] in junk + ".":
        end -= 1
    return start, end


# --------------------------------------------------------------------------- statements


_CAPTION_RE = re.compile(r"^(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})\s*:")


def _is_assertion(text: str, min_words: int, toks: Sequence[str] | None = None) -> bool:
    """Whether ``text`` asserts something (``toks``: its :func:`tokens`, when at hand)."""
    if _FURNITURE_RE.found(text) or _CAPTION_RE.match(text):
        return False  # page furniture, a photo caption ("April 21: ...")
    words = [t for t in (tokens(text) if toks is None else toks) if t.isalpha()]
    if len(words) < min_words - (1 if re.search(r"\d", text) else 0):
        return False  # a short sentence with a figure ("Another 126 workers were rescued")
    if sum(1 for w in words if w.islower() and w not in STOPWORDS) < 2:
        return False
    return not text.rstrip().endswith("?")


_COLLECTIVE = words(
    "officials sources media ministry agency government statement spokesperson "
    "police company department office authorities committee council commission "
)
_MALE_TITLES = words("mr mr. sir lord king prince")
_FEMALE_TITLES = words("mrs mrs. ms ms. miss madam lady queen princess")


def _person_like(src: str) -> bool:
    """A named person: capitalised words only ("Defence Minister Rajnath Singh"), no
    collective nouns ("Officials", "Sources")."""
    words = src.split()
    return all(w[:1].isupper() for w in words) and words[-1].lower() not in _COLLECTIVE


def _quote_balance(text: str) -> int:
    return text.count("“") - text.count("”") + (text.count('"') % 2)


# A title or suffix never ends a sentence: "Sen." / "Gov." join the next one always, "Jr." /
# "Inc." when the next one goes on in lower case or with a speech verb.
_TITLE_END = re.compile(
    r"(?:^|\s)(?:Sen|Gov|Rep|Gen|Lt|Col|Sgt|Capt|Maj|Cmdr|Adm|Dr|Mr|Mrs|Ms|Prof|Rev|St|Pres|"
    r"Supt|Insp|Det|Atty|Gov|U\.S|Ft|Mt|No|Nos|Vol|[A-Z])\.$"
)
_SUFFIX_END = re.compile(r"(?:^|\s)(?:Jr|Sr|Inc|Co|Corp|Ltd|Bros|II|III|IV)\.$")
# "at 10:21 a.m. CDT (1521 GMT), about 42 miles off the coast": a clock time's "a.m."
# ends no sentence when a time zone or the sentence's own words follow it
_CLOCK_END = re.compile(r"\d\s*[ap]\.m\.$", re.I)
_CLOCK_GOES_ON = re.compile(
    r"^\s*(?:(?-i:[ECMP][SD]?T|GMT|UTC|BST)\b|local time\b|[a-z(,;]|(?:on|in|at)\b)", re.I
)
_CONTINUES = re.compile(r"^\s*(?:[a-z(,;]|(?:said|says|told|added|and|who)\b)")


def _join_abbreviations(sentences: Sequence[Sentence], text: str) -> list[Sentence]:
    """Undo sentence splits after titles and name suffixes (the splitter's, not ours)."""
    out: list[Sentence] = []
    for s in sentences:
        if out:
            prev = out[-1]
            tail = prev.text.rstrip()
            # a title or suffix match is at most 6 characters long and ends the text: it is
            # looked for in the last 8 only (``^`` still means the text's start); a clock
            # time ends in ".m." (``re.I`` folds "m" only to "M")
            last = max(0, len(tail) - 8)
            if (
                _TITLE_END.search(tail, last)
                or (_SUFFIX_END.search(tail, last) and _CONTINUES.match(s.text))
                or (
                    tail.endswith((".m.", ".M."))
                    and _CLOCK_END.search(tail)
                    and _CLOCK_GOES_ON.match(s.text)
                )
            ):
                out[-1] = Sentence(
                    prev.article, prev.index, prev.start, s.end, text[prev.start : s.end]
                )
                continue
        out.append(s)
    return out


def _gender(src: str, sentence: str) -> str:
    """'m' / 'f' / '' for a named speaker, from a title before the name."""
    first = src.split()[0].lower() if src else ""
    if first in _MALE_TITLES:
        return "m"
    if first in _FEMALE_TITLES:
        return "f"
    surname = src.split()[-1]
    # "Mr Smith" / "Mrs. Smith" (a fixed pattern, then the name: a pattern built per name
    # was compiled anew for each speaker)
    for m in _TITLE_BEFORE.finditer(sentence):
        if sentence.startswith(surname, m.end()):
            return "m" if m.group(1) == "Mr" else "f"
    return ""


_TITLE_BEFORE = re.compile(r"\b(Mr|Mrs|Ms|Miss)\.?\s+")


class _Speakers:
    """The named speakers seen so far in one article, to resolve "he said" / "she added" /
    "it said" / "the statement continued" to the last one that fits."""

    def __init__(self) -> None:
        self.last_named: str | None = None
        self.people: list[tuple[str, str]] = []  # (name, gender), most recent last
        self.groups: list[str] = []

    def see(self, src: str, sentence: str) -> None:
        self.last_named = src
        if _person_like(src):
            self.people.append((src, _gender(src, sentence)))
        else:
            self.groups.append(src)

    def resolve(self, pronoun: str) -> str | None:
        if pronoun in ("he", "she"):
            want = "m" if pronoun == "he" else "f"
            for name, g in reversed(self.people):
                if g == want:
                    return name  # the last one known to be of that gender
            for name, g in reversed(self.people):
                if g == "":
                    return name
            return None
        if pronoun in ("it", "they", "we"):
            return self.groups[-1] if self.groups else self.last_named
        return self.last_named


def extract_statements(
    article: Article,
    *,
    mentions: Sequence[Mention] | None = None,
    times: Sequence[TimeRef] | None = None,
    options: ClaimOptions | None = None,
) -> list[Statement]:
    """The article's asserted statements, in text order.

    Attribution: a trailing, leading or mid-quotation speech tag or "according to"; a
    pronoun ("it said", "he said in a tweet", "she added") takes the most recent named
    source that fits (a person for he/she, of that gender when a title says it, else the
    last person the nlp stage found before it; an organisation for it/they), and "the
    statement continued" the last named source; a
    quotation that runs over several sentences takes the attribution of the sentence that
    closes it. Hedging: modal cues in the sentence, plus "no official confirmation ... of
    the X" marks the article's other statements about X hedged. ``mentions`` (from the nlp
    stage) with resolved entity ids add one ``ent:<id>`` token per entity named in a
    statement, so "Sergei Shoigu" and "Sergey Shoigu" align. ``times`` (the time stage's
    expressions of this article) date relative expressions ("on Tuesday") for the date slot.
    """
    opts = options or ClaimOptions()
    linked = tuple(
        sorted(
            (m.start, m.end, m.entity, m.label)
            for m in mentions or ()
            if m.article == article.id and m.entity
        )
    )
    persons = tuple(
        sorted(
            (m.start, m.text)
            for m in mentions or ()
            if m.article == article.id and m.label == "PERSON"
        )
    )
    # names that may own a figure: the small model reads many players' names as ORG
    names = tuple(
        sorted(
            (m.start, m.text)
            for m in mentions or ()
            if m.article == article.id and m.label in ("PERSON", "ORG")
        )
    )
    refs = tuple(sorted((t for t in times or () if t.article == article.id), key=lambda t: t.start))
    # An event's claims are recomputed when an article joins it: the statements of its
    # other articles are taken from a bounded per-process cache, keyed by everything they
    # are made from but the entity ids, which a later resolution may rename (issue #14: a
    # feed's deliveries cost about what one ingest costs); the ids are added after.
    # The entity ids are kept with them too (the last ``linked`` each article was read
    # with): an event's statements are then the same objects from run to run, which lets
    # ``analyse_claims`` find them in its group memos by identity (:class:`_GroupMemo`).
    key = (article, persons, names, refs, opts)
    held = _STATEMENTS.held(key)
    if held is None:
        found = tuple(_extract_statements(article, persons, refs, opts, names))
        held = _STATEMENTS.keep(key, [found, (), found])
    if held[1] != linked:
        held[1], held[2] = linked, tuple(_with_entities(held[0], linked))
    return list(held[2])


def _with_entities(
    found: Sequence[Statement], linked: Sequence[tuple[int, int, str | None, str]]
) -> Iterable[Statement]:
    """Each of ``found`` with one ``ent:<id>`` stem per resolved entity named inside its
    span (``linked``: sorted (start, end, entity id, label) of the article's mentions), and
    that entity's kind in ``entity_kinds``."""
    starts = [x for x, _, _, _ in linked]
    for st in found:
        first = bisect.bisect_left(starts, st.start)
        last = bisect.bisect_right(starts, st.end)
        inside = [(eid, label) for _, y, eid, label in linked[first:last] if y <= st.end]
        if not inside:
            yield st
            continue
        yield replace(
            st,
            stems=st.stems | frozenset(f"ent:{eid}" for eid, _label in inside),
            entity_kinds=frozenset(f"{entity_kind(label)}:{eid}" for eid, label in inside),
        )


def entity_shape(
    articles: Sequence[Article],
    mentions: Mapping[str, Sequence[Mention]] | None = None,
    times: Mapping[str, Sequence[TimeRef]] | None = None,
    options: ClaimOptions | None = None,
) -> str:
    """A digest of how the statements of ``articles`` name entities: for each statement
    (its article and span), the kind of each entity it names and the entity's label, the
    entity ids replaced by labels in order of first appearance (mentions in each article's
    order of start and end). :func:`analyse_claims` reads entity ids only through the
    ``ent:`` stems and kinds of statements and compares them for equality only, so two
    calls whose other inputs are the same and whose statements give one digest give the
    same analysis, whatever else of the mentions' partition into entities changed (an
    entity named outside every statement, renamed or merged). The statements come from
    the per-process cache :func:`analyse_claims` reads."""
    opts = options or ClaimOptions()
    labels: dict[str, int] = {}
    shape = []
    for art in articles:
        ms = mentions.get(art.id) if mentions is not None else None
        ts = times.get(art.id) if times is not None else None
        linked = sorted(
            (m.start, m.end, m.entity, m.label)
            for m in ms or ()
            if m.article == art.id and m.entity
        )
        starts = [x for x, _, _, _ in linked]
        for st in extract_statements(art, mentions=ms, times=ts, options=opts):
            first = bisect.bisect_left(starts, st.start)
            last = bisect.bisect_right(starts, st.end)
            named = [
                (entity_kind(label), labels.setdefault(eid, len(labels)))
                for _, y, eid, label in linked[first:last]
                if y <= st.end
            ]
            shape.append((art.id, st.start, st.end, named))
    return hashlib.sha1(repr(shape).encode()).hexdigest()


#: ~128 kB an article with its statements in the variants kept (measured over 3,000
#: generated articles: 1,024 articles held 131 MB); 512 still hold a 300-article topic.
STATEMENT_CACHE_ARTICLES = 512
#: (statements, the ``linked`` they were last given, those with their entity ids)
_STATEMENTS: Kept[tuple, list] = Kept(STATEMENT_CACHE_ARTICLES)


_SPEAKS_AFTER = re.compile(
    r"^[\W]{0,3}(?:[\w'’.-]+\s+){0,3}?(?:said|says|told|tells|added|adds|estimated|announced|"
    r"noted|explained|stated|wrote|tweeted|reported|insisted|warned)\b"
)
_PRONOUN_SUBJECT = re.compile(r"^\W*(?:(?:But|And|Yet|So|Still|Now)\s+)?(?:[Hh]e|[Ss]he|His|Her)\b")


def _named_in(
    persons: Sequence[tuple[int, str]], start: int, end: int
) -> Sequence[tuple[int, str]]:
    """The (offset, name) pairs of ``persons`` (sorted) at offsets in ``[start, end)``, in
    their order (two binary searches instead of a pass over every name of the article)."""
    return persons[bisect.bisect_left(persons, (start,)) : bisect.bisect_left(persons, (end,))]


def _last_named_before(persons: Sequence[tuple[int, str]], start: int) -> str | None:
    """The name of the last of ``persons`` (sorted) at an offset before ``start``."""
    k = bisect.bisect_left(persons, (start,))
    return persons[k - 1][1] if k else None


def _people_of(
    text: str, start: int, end: int, claim_text: str, persons: Sequence[tuple[int, str]]
) -> frozenset[str]:
    """Surnames of the people a statement is about (see ``Statement.people``)."""
    out = set()
    for at, name in _named_in(persons, start, end):
        if not _SPEAKS_AFTER.match(text[at + len(name) : at + len(name) + 40]):
            out.add(name.split()[-1].lower())
    if not out and _PRONOUN_SUBJECT.match(claim_text):
        before = _last_named_before(persons, start)
        if before is not None:
            out.add(before.split()[-1].lower())
    return frozenset(out)


def _persons_in(
    text: str, start: int, end: int, claim_text: str, persons: Sequence[tuple[int, str]]
) -> tuple[tuple[int, str], ...]:
    """The persons named inside a statement, at their offsets in its text (found by name
    when the statement text was rebuilt and offsets in the article do not carry over)."""
    inside = _named_in(persons, start, end)
    if claim_text == text[start:end]:
        return tuple((at - start, name) for at, name in inside)
    found: list[tuple[int, str]] = []
    for _at, name in inside:
        k = claim_text.find(name)
        if k >= 0:
            found.append((k, name))
    return tuple(sorted(set(found)))


def _extract_statements(
    article: Article,
    persons: Sequence[tuple[int, str]],
    refs: Sequence[TimeRef],
    opts: ClaimOptions,
    names: Sequence[tuple[int, str]] = (),
) -> list[Statement]:
    published = _parse_day(article.published)
    sentences = _join_abbreviations(split_sentences(article), article.text)
    parsed = [split_statement(s.text) for s in sentences]

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
    ref_starts = [t.start for t in refs]  # refs are in start order
    speakers = _Speakers()
    noconfirm: list[frozenset[str]] = []
    for i, s in enumerate(sentences):
        text, src, verb, a, b = parsed[i]
        if src is None and i in inherited:
            src, verb = inherited[i]
        denied = verb in DENIAL_VERBS
        # the inner tag counts only with an attribution and the verb "denied" or "denies"
        # (the only DENIAL_VERBS among _START_SAY's verbs, matched in lower case): the
        # pattern (a clause, then a speaker and a verb) is not tried where it cannot count
        inner = _START_SAY.match(text) if src is not None and "denie" in text else None
        if inner and _verb_of(inner.group("verb")) in DENIAL_VERBS:
            # "X denied that Y, the ministry said": Y is the claim, denied by X.
            denier = _clean_src(inner.group("src"))
            a, b = a + inner.start("body"), b
            text = s.text[a:b]
            src, denied = f"{denier} (per {src})", True
        if src is not None:
            twitter = " (on Twitter)" if src.endswith("(on Twitter)") else ""
            base = src.replace(" (on Twitter)", "")
            low = base.lower()
            if low in _PRONOUNS or low in _BACK_REFERENCES:
                antecedent = speakers.resolve(low)
                if antecedent is None and low in ("he", "she"):
                    # no speaker named yet: the last person the nlp stage found before it
                    antecedent = _last_named_before(persons, s.start)
                if antecedent:
                    src = antecedent + twitter
            elif " (per " not in base:
                speakers.see(base, s.text)
        toks = tokens(text)  # the claim text's words (claim_text below is equal to text)
        if not _is_assertion(text, opts.min_words, toks):
            continue
        start, end = s.start + a, s.start + b
        claim_text = text if text != article.text[start:end] else article.text[start:end]
        quoted = s.text.lstrip()[:1] in _QUOTE_OPEN
        nc = NOCONFIRM_RE.search(claim_text) if NOCONFIRM.found(claim_text) else None
        if nc:
            noconfirm.append(frozenset(content_stems(nc.group("rest"))))
        negated = NEGATION.found(claim_text) != denied
        stems = frozenset(content_stems(claim_text, toks))
        ctx = SlotContext(
            published=published,
            times=tuple(
                t
                for t in refs[
                    bisect.bisect_left(ref_starts, start) : bisect.bisect_right(ref_starts, end)
                ]
                if t.end <= end
            ),
            offset=start,
            quoted=quoted or '"' in s.text or "“" in s.text,
            persons=_persons_in(article.text, start, end, claim_text, persons),
            names=_persons_in(article.text, start, end, claim_text, names or persons),
            antecedent=_last_named_before(persons, start) or "",
            before=article.text[max(0, start - _BEFORE_CHARS) : start],
        )
        statements.append(
            Statement(
                article=article.id,
                sentence=s.index,
                start=start,
                end=end,
                text=claim_text,
                attribution=src,
                hedged=_hedged(s.text),
                negated=negated,
                quoted=quoted,
                stems=stems,
                slots=extract_slots(claim_text, ctx),
                lower_stems=frozenset(stem(t) for t in toks if t.islower() and t not in STOPWORDS),
                published=article.published,
                denied=denied,
                people=_people_of(article.text, start, end, claim_text, persons),
            )
        )
    mark = personal_units([(st.slots, st.people) for st in statements])
    statements = [
        st if (sl := mark(st.slots)) is st.slots else replace(st, slots=sl) for st in statements
    ]
    if noconfirm:
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


#: The weight of an ``ent:<id>`` stem (a resolved entity named in a statement): entity
#: ids are the store's own, so no background frequency exists for them; about the weight
#: of a word in one article in twenty of the background (its name's words carry their
#: own background weights beside it).
ENTITY_WEIGHT = 3.0


@lru_cache(maxsize=1)
def _background_stems() -> tuple[dict[str, float], float]:
    """``({stem: weight}, the weight of a stem the background lacks)``: entity
    resolution's background document frequencies (:func:`newsweave.entities.background_df`,
    3,449 Timeline17 articles) by stem, a stem taking its most frequent word's frequency,
    weighed ``ln((1 + n) / (1 + df)) + 1`` (at least 1.0)."""
    from newsweave.entities import background_df

    n, df = background_df()
    by_stem: dict[str, int] = {}
    for w, d in df.items():
        k = stem(w)
        if d > by_stem.get(k, 0):
            by_stem[k] = d
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in by_stem.items()}
    return idf, math.log((1 + n) / 2) + 1.0


def _idf(statements: Sequence[Statement]) -> dict[str, float]:
    """The weight of every stem of ``statements``: a fixed IDF, the same in every event
    and delivery (background frequencies; :data:`ENTITY_WEIGHT` for entities). An event's
    own IDF moved with every statement that joined it, and with it every pair's similarity,
    the slot rules' answers and the merge order: a delivery re-analysed each event an
    article joined whole (issue #14). With weights of its own, a pair's similarity and
    what the rules find for it depend on its two statements only (:class:`_GroupMemo`)."""
    weights, unseen = _background_stems()
    out: dict[str, float] = {}
    for st in statements:
        for t in st.stems:
            if t not in out:
                out[t] = ENTITY_WEIGHT if t.startswith("ent:") else weights.get(t, unseen)
    return out


#: Candidate pairs whose shared weight is summed in one array operation (memory: the
#: stems of that many pairs, a few MB).
PAIR_CHUNK = 1 << 16
#: IDF weights are at least 1.0 (``_idf``: log of a ratio >= 1, plus 1), so each is a
#: whole multiple of 2**-52: as an integer of that unit it is exact, and a sum of them is
#: exact in int64 while it stays below 2**62 (a weight of 1,024).
_UNIT = 2.0**52
_EXACT_WEIGHT = 1000.0


class _Candidates:
    """The candidate pairs of one group of statements (``idxs``, ascending), as arrays of
    positions in the group (``rows`` < ``others``, in lexicographic order), with their
    IDF-weighted Dice computed only for the pairs asked (:meth:`sims`).

    A candidate pair shares at least two stems held by at most ``cap`` of the group's
    statements (a stem that common is no sign of sameness), counted in one sparse product.
    Its similarity is ``2 * shared / (weight[i] + weight[j])`` with ``shared`` the sum of
    the IDF of every stem the two share, the value :func:`math.fsum` gives (the correctly
    rounded sum): the weights are summed exactly as integers of 2**-52 and rounded once
    (:data:`_UNIT`), so the similarities are those of a pair-by-pair ``fsum``, bit for
    bit; a pair whose sum could leave int64 is summed by ``fsum``. With ``days`` (the
    unevented articles), a pair is a candidate only if the two were published at most
    ``max_days`` apart (or either is undated). The candidates are found afresh each time
    (``cap`` and which stems are rare move with the group), in arrays; the similarities
    of pairs a group memo holds need not be summed again (the weights are fixed)."""

    def __init__(
        self,
        statements: Sequence[Statement],
        idxs: Sequence[int],
        idf: Mapping[str, float],
        weight: Sequence[float],
        days: Sequence[date | None] | None = None,
        max_days: int = 0,
    ) -> None:
        from scipy import sparse

        self._statements, self._idxs, self._idf = statements, idxs, idf
        self.glob = np.asarray(idxs, dtype=np.int64)
        self.rows = self.others = np.zeros(0, dtype=np.int64)
        n = len(idxs)
        if n < 2:
            return
        cap = max(50, min(200, n // 5))
        stem_id = {t: k for k, t in enumerate(idf)}  # every stem of the group has its IDF
        cols: list[int] = []
        ptr = [0]
        for i in idxs:
            cols.extend(map(stem_id.__getitem__, statements[i].stems))
            ptr.append(len(cols))
        if not cols:
            return
        col = np.asarray(cols, dtype=np.int64)
        indptr = np.asarray(ptr, dtype=np.int64)
        shape = (n, len(stem_id))
        df = np.bincount(col, minlength=shape[1])
        rare = (df[col] <= cap).astype(np.int32)
        incidence = sparse.csr_matrix((rare, col, indptr), shape=shape)
        incidence.eliminate_zeros()
        counts = (incidence @ incidence.T).tocoo()
        keep = (counts.data >= 2) & (counts.row < counts.col)
        order = np.argsort(counts.row[keep].astype(np.int64) * n + counts.col[keep])
        rows = counts.row[keep].astype(np.int64)[order]
        others = counts.col[keep].astype(np.int64)[order]
        if days is not None:
            stamp = np.array([d.toordinal() if d is not None else -1 for d in days], dtype=np.int64)
            da, db = stamp[rows], stamp[others]
            near = (da < 0) | (db < 0) | (np.abs(da - db) <= max_days)
            rows, others = rows[near], others[near]
        self.rows, self.others = rows, others
        self._col, self._indptr, self._shape = col, indptr, shape
        self._w = np.asarray(weight, dtype=np.float64)[self.glob]

    def sims(self, chosen: np.ndarray | None = None) -> np.ndarray:
        """The similarities of the candidate pairs ``chosen`` (indices into ``rows``;
        None: every pair), in that order."""
        from scipy import sparse

        rows, others = self.rows, self.others
        if chosen is not None:
            rows, others = rows[chosen], others[chosen]
        sims = np.empty(len(rows), dtype=np.float64)
        if not len(rows):
            return sims
        idf, col, indptr, shape = self._idf, self._col, self._indptr, self._shape
        weights = np.fromiter(idf.values(), dtype=np.float64, count=len(idf))
        w = self._w
        exact = bool(weights.min() >= 1.0) and bool(weights.max() < 2.0**11)
        if exact:
            units = (weights * _UNIT).astype(np.int64)
            valued = sparse.csr_matrix((units[col], col, indptr), shape=shape)
            ones = sparse.csr_matrix((np.ones(len(col), dtype=np.int64), col, indptr), shape=shape)
            # what two statements share weighs at most the lighter one's whole weight
            bounded = np.minimum(w[rows], w[others]) < _EXACT_WEIGHT
            for b in range(0, len(rows), PAIR_CHUNK):
                r, o = rows[b : b + PAIR_CHUNK], others[b : b + PAIR_CHUNK]
                both = valued[r].multiply(ones[o])
                shared = np.asarray(both.sum(axis=1), dtype=np.int64).ravel()
                sims[b : b + PAIR_CHUNK] = shared.astype(np.float64) / _UNIT
        else:
            bounded = np.zeros(len(rows), dtype=bool)
        statements, idxs = self._statements, self._idxs
        for k in np.flatnonzero(~bounded).tolist():
            i, j = idxs[rows[k]], idxs[others[k]]
            sims[k] = math.fsum(map(idf.__getitem__, statements[i].stems & statements[j].stems))
        total = w[rows] + w[others]
        return np.divide(2.0 * sims, total, out=np.zeros_like(sims), where=total != 0)


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _verbatim_part(sa: Set[tuple[str, ...]], sb: Set[tuple[str, ...]]) -> bool:
    """One statement is a near-verbatim part of the other (the same quotation cut at another
    place): most of the shorter one's word trigrams (``sa``, ``sb``) occur in the longer."""
    small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    return len(small) >= 5 and len(small & big) >= 0.85 * len(small)


def _shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = [t.lower() for t in tokens(text)]
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


@lru_cache(maxsize=1 << 13)
def _trigrams(text: str) -> frozenset[tuple[str, ...]]:
    """A statement's word trigrams (:func:`_verbatim_part`), kept per process by text (8,192
    statements, a few kB each): an event's statements are compared again each time an
    article joins it."""
    return frozenset(_shingles(text, 3))


def _verbatim_texts(text_a: str, text_b: str) -> bool:
    """:func:`_verbatim_part` of two statement texts (each one's trigrams kept; a pair's
    outcome is kept in the group memos, as its similarity raised or its conflict)."""
    return _verbatim_part(_trigrams(text_a), _trigrams(text_b))


@dataclass(slots=True)
class _GroupMemo:
    """One group's pairs as the last analysis left them, in arrays: its statements (in
    analysis order) with each one's article figures (what the number rules read of the
    article around a statement), and every candidate pair by positions in ``statements``
    as one sorted key ``p << 32 | q`` (p < q), with its similarity after the pair loop
    (``sims``: a verbatim pair raised to the merge threshold) and what the slot rules
    found (``found``: an index into ``conflicts``, -1 for nothing) and what the merge
    found of a strong pair (``same``). A delivery finds the
    pairs it holds by a binary search over the keys, so no kept pair is touched in Python.
    """

    statements: tuple[Statement, ...]
    figures: tuple[frozenset[tuple[str, float]], ...]
    pairs: np.ndarray
    sims: np.ndarray
    found: np.ndarray
    conflicts: tuple[tuple[str, str, str, str], ...]
    #: whether the merge found the pair's two statements to say the same thing
    #: (:class:`_SameStatement`; -1: not asked)
    same: np.ndarray
    #: each statement's claim when it was alone in one (:func:`_lone_claim`; None if not):
    #: most statements are, and the same statement in the same event gives the same claim
    lone: tuple[Claim | None, ...]
    where: dict[tuple[str, int, int], int] = field(init=False)
    #: how many of its statements no later memo holds (:class:`_Memos`)
    owned: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.where = {(st.article, st.start, st.end): k for k, st in enumerate(self.statements)}

    def positions(
        self,
        current: Sequence[Statement],
        figures: Mapping[str, frozenset[tuple[str, float]]],
    ) -> np.ndarray | None:
        """For each of ``current``, its position in the memo (-1: new, or changed: another
        statement or other figures of its article); None when the statements kept are not
        in the memo's order (their pairs' sides would swap)."""
        old = np.full(len(current), -1, dtype=np.int64)
        last = -1
        where, held, held_figures = self.where, self.statements, self.figures
        for p, st in enumerate(current):
            k = where.get((st.article, st.start, st.end), -1)
            if k < 0:
                continue
            kept = held[k]
            if not (kept is st or kept == st) or held_figures[k] != figures[st.article]:
                continue
            if k < last:
                return None
            last = old[p] = k
        return old

    def take(self, cand: _Candidates, old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``cand``'s pairs the memo holds (both statements kept), and for each
        pair where it sits in the memo's arrays (meaningful where held)."""
        oa, ob = old[cand.rows], old[cand.others]
        key = (oa << 32) | ob
        at = np.minimum(np.searchsorted(self.pairs, key), max(len(self.pairs) - 1, 0))
        held = (oa >= 0) & (ob >= 0)
        if len(self.pairs):
            held &= self.pairs[at] == key
        else:
            held[:] = False
        return held, at


#: Pairs held in the group memos, the least recently analysed group out first: 21 bytes
#: a pair in arrays (key, similarity, conflict index, merge answer), besides the
#: statements, which the statement cache holds too. EgyptianProtest_cnn's events hold
#: ~290,000 candidate pairs in all at one ingest.
GROUP_MEMO_PAIRS = 2_000_000
#: Statements held in the group memos (about 1 kB each, most shared with the statement
#: cache while their articles are recent): a bound on what memos of many small events hold.
GROUP_MEMO_STATEMENTS = 60_000
_NOWHERE = object()


@dataclass(slots=True)
class _Memos:
    """The group memos of one set of options, the least recently analysed first, and for
    each statement (by where it is) the group whose memo last held it. A group is often
    new to the memos while its statements are not: two events merge (the merged one keeps
    one id), the unevented articles form an event; its pairs are then found in the memos
    of the groups its statements come from (a pair across two of them is new)."""

    groups: dict[str | None, _GroupMemo] = field(default_factory=dict)
    owner: dict[tuple[str, int, int], str | None] = field(default_factory=dict)

    def sources(self, places: Iterable[tuple[str, int, int]]) -> list[_GroupMemo]:
        """The memos that last held any of ``places``, in the order first met."""
        owner, seen = self.owner, {}
        for place in places:
            g = owner.get(place, _NOWHERE)
            if g is not _NOWHERE:
                seen[g] = None
        return [self.groups[g] for g in seen if g in self.groups]

    def keep(self, g: str | None, memo: _GroupMemo) -> None:
        """``memo`` is group ``g``'s now (most recently analysed last): it holds its
        statements, and a memo left holding none that a later one lacks is dropped."""
        owner, groups = self.owner, self.groups
        self._drop(g)
        for place in memo.where:
            h = owner.get(place, _NOWHERE)
            if h is not _NOWHERE:
                other = groups.get(h)
                if other is not None:
                    other.owned -= 1
                    if other.owned <= 0:
                        self._drop(h)
            owner[place] = g
        memo.owned = len(memo.where)
        groups[g] = memo
        pairs = sum(len(m.pairs) for m in groups.values())
        held = sum(len(m.statements) for m in groups.values())
        while groups and (pairs > GROUP_MEMO_PAIRS or held > GROUP_MEMO_STATEMENTS):
            gone = next(iter(groups))
            pairs -= len(groups[gone].pairs)
            held -= len(groups[gone].statements)
            self._drop(gone)

    def _drop(self, g: str | None) -> None:
        gone = self.groups.pop(g, None)
        if gone is None:
            return
        owner = self.owner
        for place in gone.where:
            if place in owner and owner[place] == g:
                del owner[place]

    def copy(self) -> _Memos:
        """A copy that analyses may change without changing this one."""
        out = _Memos({}, dict(self.owner))
        for g, memo in self.groups.items():
            out.groups[g] = replace(memo)
            out.groups[g].owned = memo.owned
        return out


_GROUP_MEMOS: Kept[tuple, _Memos] = Kept(4)


def _group_memos(
    opts: ClaimOptions, embedder: Embedder | None, figure_embedder: Embedder | None
) -> _Memos:
    """The group memos for one set of options and encoders (a few sets at most)."""
    key = (opts, embedder, figure_embedder)
    memos = _GROUP_MEMOS.held(key)
    return memos if memos is not None else _GROUP_MEMOS.keep(key, _Memos())


def _lone_claim(cid: str, st: Statement, event: str | None) -> Claim:
    """The claim of one statement that contradicts no other, as the general case builds it:
    one source group (one independent source), one origin (its speaker or its outlet's
    own report), its attribution the statement's."""
    return Claim(
        id=cid,
        text=st.text,
        attribution=st.attribution or None,
        hedged=st.hedged,
        articles=(st.article,),
        spans=(Span(st.article, st.start, st.end),),
        independent_sources=1,
        status="single-source",
        contradicts=(),
        event=event,
        attributions=(st.attribution,),
        texts=(st.text,),
        origins=1,
    )


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
    times: Mapping[str, Sequence[TimeRef]] | None = None,
    embedder: Embedder | None = None,
    figure_embedder: Embedder | None = None,
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
    ``times`` (article id -> the time stage's expressions) date relative expressions
    ("on Tuesday") against each article's publication date for the date slot.
    ``embedder`` (e.g. :func:`newsweave.embed.embed`): the sentence embedding that decides
    whether two statements whose content words only partly cover each other say the same
    thing (:class:`_SameStatement`); without it such links are taken on words alone.
    ``figure_embedder`` (the same encoder) is the learned same-thing signal of the number
    slot: it embeds, only when two figures conflict and the rules cannot tell whether they
    count the same thing, the two statements with their figures masked
    (``ClaimOptions.figure_cosine``).
    """
    opts = options or ClaimOptions()
    source_of = source_of or {}
    order = sorted(articles, key=lambda a: (a.published or "", a.id))
    rank = {a.id: i for i, a in enumerate(order)}
    texts = {a.id: a.text for a in order}
    outlet = {a.id: o for a in order if (o := outlet_of(a))}
    published = {a.id: _parse_day(a.published) for a in order}
    event_of: dict[str, str] = {}
    for ev in sorted(events or (), key=lambda e: e.id):
        for aid in ev.articles:
            event_of.setdefault(aid, ev.id)

    statements: list[Statement] = []
    for art in order:
        ms = mentions.get(art.id) if mentions is not None else None
        ts = times.get(art.id) if times is not None else None
        statements.extend(extract_statements(art, mentions=ms, times=ts, options=opts))
    n = len(statements)
    if n == 0:
        return ClaimAnalysis((), (), ())
    # Statements align within one event (the group stage's), weighed by the fixed IDF
    # (``_idf``: the same in every event). Articles outside any event form one group.
    group_of = [event_of.get(st.article) for st in statements]
    members_of: dict[str | None, list[int]] = defaultdict(list)
    for i, g in enumerate(group_of):
        members_of[g].append(i)
    idf_of = {g: _idf([statements[i] for i in idxs]) for g, idxs in members_of.items()}

    # IDF-weighted Dice of stems (``weighted_dice``), each statement's weight summed once
    # (every stem of a group's statements has its IDF: _idf counts them all)
    weight = [
        math.fsum(map(idf_of[group_of[i]].__getitem__, st.stems)) for i, st in enumerate(statements)
    ]
    # Candidate pairs (within one group) share at least two stems that are not everywhere;
    # two statements of one event are always comparable (a group is one event, or the
    # unevented articles, which compare by date). In lexicographic order per group.
    figures: dict[str, frozenset[tuple[str, float]]] = defaultdict(frozenset)
    for st in statements:
        figures[st.article] |= article_figures(st.slot("number"))

    # With the fixed IDF a pair's similarity and what the slot rules find for it depend on
    # the two statements (and their articles) alone: the pairs of a group analysed before
    # are taken from its memo by a binary search over sorted pair keys, and only the pairs
    # with a statement new to it are summed and go through the rules (a delivery costs
    # about what its new statements' pairs cost; issue #14). Every candidate pair ends in
    # three arrays (positions i < j, final similarity), no kept pair touched in Python.
    conflicts: dict[tuple[int, int], tuple[str, str, str, str]] = {}

    figure_cosine = _MaskedCosine(lambda k: statements[k].text, figure_embedder)

    def pair_context(i: int, j: int, sim: float, idf: Mapping[str, float]) -> PairContext:
        a, b = statements[i], statements[j]
        return PairContext(
            sim=sim,
            idf=idf,
            text_a=texts[a.article],
            text_b=texts[b.article],
            published_a=published[a.article],
            published_b=published[b.article],
            options=opts,
            figures_a=figures[a.article],
            figures_b=figures[b.article],
            cosine=figure_cosine(i, j),
        )

    merge_threshold = opts.merge_threshold
    slot_threshold = opts.slot_threshold

    def ask(i: int, j: int, sim: float) -> tuple[float, tuple[str, str, str, str] | None]:
        """The pair loop for one pair new to its group's memos: its final similarity and
        what the slot rules found (None: nothing)."""
        a, b = statements[i], statements[j]
        if a.article == b.article:
            return sim, None
        found = None  # (find_conflict compares no pair below the slot threshold)
        if sim >= slot_threshold and may_conflict(a, b):
            found = find_conflict(a, b, pair_context(i, j, sim, idf_of[group_of[i]]))
        if (
            found
            and found[0] == "negation"
            and not (a.denied or b.denied)
            and _verbatim_texts(a.text, b.text)
        ):
            found = None  # one quotes the other and negates something else around it
        if found:
            return sim, found
        if sim < merge_threshold and a.negated == b.negated and _verbatim_texts(a.text, b.text):
            return merge_threshold, None  # the same statement, cut elsewhere
        return sim, None

    memos = _group_memos(opts, embedder, figure_embedder)
    pair_i: list[np.ndarray] = []
    pair_j: list[np.ndarray] = []
    pair_sim: list[np.ndarray] = []
    pair_same: list[np.ndarray] = []
    kept_groups: list[tuple[str | None, list[int], np.ndarray, np.ndarray, tuple]] = []
    kept_lone: dict[int, Claim] = {}  # statement -> its lone claim of an earlier analysis
    for g, idxs in members_of.items():
        days = None
        if g is None:
            days = [published[statements[i].article] for i in idxs]
        cand = _Candidates(statements, idxs, idf_of[g], weight, days, opts.max_days)
        glob = cand.glob
        m = len(cand.rows)
        final = np.empty(m, dtype=np.float64)
        found_at = np.full(m, -1, dtype=np.int32)
        found_list: list[tuple[str, str, str, str]] = []
        same = np.full(m, -1, dtype=np.int8)
        group_statements = [statements[i] for i in idxs]
        places = [(st.article, st.start, st.end) for st in group_statements]
        held = np.zeros(m, dtype=bool)
        sources = memos.sources(places)
        for memo in sources:
            old = memo.positions(group_statements, figures)
            if old is None:
                continue
            kept = np.flatnonzero(old >= 0)
            for p, o in zip(kept.tolist(), old[kept].tolist(), strict=True):
                if memo.lone[o] is not None and idxs[p] not in kept_lone:
                    kept_lone[idxs[p]] = memo.lone[o]
            if not m:
                continue
            there, at = memo.take(cand, old)
            there &= ~held
            held |= there
            final[there] = memo.sims[at[there]]
            same[there] = memo.same[at[there]]
            was = memo.found[at[there]]
            found_at[there] = np.where(was >= 0, was + len(found_list), -1)
            found_list.extend(memo.conflicts)
        new = np.flatnonzero(~held)
        if len(new):
            final[new] = cand.sims(new)
            gi, gj = glob[cand.rows[new]].tolist(), glob[cand.others[new]].tolist()
            for k, i, j, sim in zip(new.tolist(), gi, gj, final[new].tolist(), strict=True):
                value, found = ask(i, j, sim)
                if value != sim:
                    final[k] = value
                if found is not None:
                    found_at[k] = len(found_list)
                    found_list.append(found)
        found_pairs = np.flatnonzero(found_at >= 0)
        kept_conflicts = []
        if len(found_pairs):
            seen = found_at[found_pairs]
            gi = glob[cand.rows[found_pairs]].tolist()
            gj = glob[cand.others[found_pairs]].tolist()
            for i, j, f in zip(gi, gj, seen.tolist(), strict=True):
                conflicts[(i, j)] = found_list[f]
            # the memo keeps only the conflicts of its pairs, renumbered in pair order
            kept_conflicts = [found_list[f] for f in seen.tolist()]
            found_at[found_pairs] = np.arange(len(found_pairs), dtype=np.int32)
        kept_groups.append(
            (g, idxs, (cand.rows << 32) | cand.others, found_at, tuple(kept_conflicts))
        )
        pair_i.append(glob[cand.rows])
        pair_j.append(glob[cand.others])
        pair_sim.append(final)
        pair_same.append(same)

    same_statement = _SameStatement(statements, group_of, idf_of, embedder)
    numbered = {i for i, st in enumerate(statements) if st.slot("number")}
    # Greedy merge, strongest link first, never across a conflict: a claim never holds a
    # statement of an article that one of its statements contradicts (so the two sides of a
    # disagreement never share an article).
    uf = UnionFind(n)
    all_i = np.concatenate(pair_i) if pair_i else np.zeros(0, dtype=np.int64)
    all_j = np.concatenate(pair_j) if pair_j else np.zeros(0, dtype=np.int64)
    all_sim = np.concatenate(pair_sim) if pair_sim else np.zeros(0, dtype=np.float64)
    all_same = np.concatenate(pair_same) if pair_same else np.zeros(0, dtype=np.int8)
    strong_at = np.flatnonzero(all_sim >= merge_threshold)
    strong_at = strong_at[np.lexsort((all_j[strong_at], all_i[strong_at], -all_sim[strong_at]))]
    strong = zip(
        strong_at.tolist(),
        all_i[strong_at].tolist(),
        all_j[strong_at].tolist(),
        all_sim[strong_at].tolist(),
        strict=True,
    )
    # every pair's similarity by key i * n + j, sorted, for the linkage of two groups
    link_keys = all_i * n + all_j
    by_key = np.argsort(link_keys)
    link_keys, link_sims = link_keys[by_key], all_sim[by_key]
    last_key = max(len(link_keys) - 1, 0)

    def linkage(xs: set[int], ys: set[int]) -> float:
        """The mean similarity over every pair of ``xs`` and ``ys`` (a pair that is no
        candidate adds 0), summed exactly (the same in any order)."""
        a = np.fromiter(xs, dtype=np.int64, count=len(xs))
        b = np.fromiter(ys, dtype=np.int64, count=len(ys))
        key = (np.minimum.outer(a, b) * n + np.maximum.outer(a, b)).ravel()
        at = np.minimum(np.searchsorted(link_keys, key), last_key)
        values = np.where(link_keys[at] == key, link_sims[at], 0.0)
        return math.fsum(values.tolist()) / len(key)

    arts: dict[int, set[str]] = {i: {statements[i].article} for i in range(n)}
    rivals: dict[int, set[str]] = defaultdict(set)  # root -> articles it must not take in
    members: dict[int, set[int]] = {i: {i} for i in range(n)}
    for i, j in conflicts:
        rivals[i].add(statements[j].article)
        rivals[j].add(statements[i].article)
    least = opts.linkage * merge_threshold
    for k, i, j, sim in strong:
        if statements[i].article == statements[j].article and sim < opts.repeat_threshold:
            continue  # within one article only a restatement (a lede repeated) is one claim
        ri, rj = uf.find(i), uf.find(j)
        if ri == rj or rivals[ri] & arts[rj] or rivals[rj] & arts[ri]:
            continue
        # Average linkage: the two groups must be alike as wholes, not through one chain
        # link (two lone statements: the link itself)
        xs, ys = members[ri], members[rj]
        if (sim if len(xs) == 1 and len(ys) == 1 else linkage(xs, ys)) < least:
            continue
        said = all_same[k]
        if said < 0:  # (kept with the pair: it depends on the two statements alone)
            said = all_same[k] = same_statement(i, j)
        if not said:
            continue  # a shared name is no shared statement
        if not all(
            _figures_agree(statements[x], statements[y])
            for x in members[ri] & numbered
            for y in members[rj] & numbered
        ):
            continue  # no chain of links joins two figures of one unit that disagree
        root = uf.union(ri, rj)
        other = rj if root == ri else ri
        members[root] |= members.pop(other)
        arts[root] |= arts.pop(other)
        rivals[root] |= rivals.pop(other, set())

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
        if len(idxs) == 1:
            i = idxs[0]
            ms = [statements[i]]
            lone = kept_lone.get(i)
            cid = lone.id if lone is not None else _claim_id(ms)  # (the same place)
            claim_of[i] = cid
            built[cid] = {"mentions": ms, "contradicts": set(), "lone": i}
            continue
        ms = sorted((statements[i] for i in idxs), key=lambda s: (rank[s.article], s.start))
        cid = _claim_id(ms)
        for i in idxs:
            claim_of[i] = cid
        built[cid] = {"mentions": ms, "contradicts": set()}

    contradictions: dict[tuple[str, str], Contradiction] = {}
    for (i, j), (kind, va, vb, relation) in sorted(conflicts.items()):
        ca, cb = claim_of[i], claim_of[j]
        if ca == cb:
            continue
        arts_a = {m.article for m in built[ca]["mentions"]}
        if arts_a & {m.article for m in built[cb]["mentions"]}:
            continue  # one article is taken to agree with itself: never on both sides
        key = (ca, cb) if ca < cb else (cb, ca)
        if key not in contradictions:
            built[ca]["contradicts"].add(cb)
            built[cb]["contradicts"].add(ca)
            if ca < cb:
                contradictions[key] = Contradiction(ca, cb, kind, va, vb, relation)
            else:
                contradictions[key] = Contradiction(cb, ca, kind, vb, va, relation)

    claims: list[Claim] = []
    lone_now: dict[int, Claim] = {}
    for cid, info in built.items():
        ms: list[Statement] = info["mentions"]
        rep = ms[0]
        if len(ms) == 1 and not info["contradicts"]:
            event = event_of.get(rep.article)
            claim = kept_lone.get(info["lone"])
            if claim is None or claim.event != event:
                claim = _lone_claim(cid, rep, event)
            claims.append(claim)
            lone_now[info["lone"]] = claim
            continue
        arts = tuple(dict.fromkeys(m.article for m in ms))
        attributions = list(dict.fromkeys(m.attribution for m in ms if m.attribution))
        named = [a for a in attributions if a.split(" (")[0].lower() not in _PRONOUNS]
        attributions = named or attributions
        sources = _independent_sources(ms, source_of, opts, passages, outlet)
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
                attribution="; ".join(one_name_each(attributions)[:4]) or None,
                hedged=all(m.hedged for m in ms),
                articles=arts,
                spans=tuple(Span(m.article, m.start, m.end) for m in ms),
                independent_sources=sources,
                status=status,  # type: ignore[arg-type]
                contradicts=contradicts,
                event=event_of.get(rep.article),
                attributions=tuple(m.attribution for m in ms),
                texts=tuple(m.text for m in ms),
                origins=_origins(ms, source_of),
            )
        )
    claims.sort(key=lambda c: (c.event or "", rank[c.articles[0]], c.spans[0].start, c.id))
    # each group's pairs kept for the next analysis of its statements
    start = 0
    for (g, idxs, keys, found_at, kept_conflicts), sims in zip(kept_groups, pair_sim, strict=True):
        stop = start + len(keys)
        memos.keep(
            g,
            _GroupMemo(
                tuple(statements[i] for i in idxs),
                tuple(figures[statements[i].article] for i in idxs),
                keys,
                sims,
                found_at,
                kept_conflicts,
                all_same[start:stop].copy(),
                tuple(lone_now.get(i) for i in idxs),
            ),
        )
        start = stop

    return ClaimAnalysis(
        tuple(claims),
        tuple(sorted(contradictions.values(), key=lambda c: (c.a, c.b))),
        tuple(statements),
    )


# --------------------------------------------------------------------------- across events


@dataclass(frozen=True, slots=True)
class FigureMention:
    """One mention of a stored claim that gives a figure, as the comparison across events
    sees it: the claim, its event and the mention re-read as a :class:`Statement` (number
    slot only) from the stored text."""

    claim: str
    event: str | None
    statement: Statement


_NUMBER_KIND = NumberSlot()


class IndexedMentions(Mapping[str, Sequence[Mention]]):
    """Article id -> the nlp stage's mentions of that article (the wrapped mapping, read as
    it is), with each article's PERSON and ORG mentions indexed by offset the first time
    :func:`figure_reads` asks, so that each of an article's figure mentions costs two
    binary searches instead of a pass over the article's mentions. The wrapped sequences
    must not change while the index is in use."""

    __slots__ = ("_mentions", "_index")

    def __init__(self, mentions: Mapping[str, Sequence[Mention]] | None) -> None:
        self._mentions: Mapping[str, Sequence[Mention]] = mentions or {}
        self._index: dict[str, _ArticleNames] = {}

    def __getitem__(self, article: str) -> Sequence[Mention]:
        return self._mentions[article]

    def __iter__(self) -> Iterator[str]:
        return iter(self._mentions)

    def __len__(self) -> int:
        return len(self._mentions)

    def names(self, article: str) -> _ArticleNames:
        """The index of ``article``'s PERSON and ORG mentions."""
        held = self._index.get(article)
        if held is None:
            held = self._index[article] = _ArticleNames(self._mentions.get(article, ()))
        return held


class _ArticleNames:
    """One article's PERSON and ORG mentions sorted by offset (ties in the article's order),
    with, at each place, the greatest (offset, text) of a PERSON up to it."""

    __slots__ = ("starts", "names", "in_order", "last_person")

    def __init__(self, mentions: Sequence[Mention]) -> None:
        kept = [
            (m.start, i, m.text, m.label)
            for i, m in enumerate(mentions)
            if m.label in ("PERSON", "ORG")
        ]
        # in the article's order already (the nlp stage stores mentions by offset)?
        self.in_order = all(a[0] <= b[0] for a, b in zip(kept, kept[1:], strict=False))
        kept.sort(key=lambda k: (k[0], k[1]))
        self.starts = [k[0] for k in kept]
        self.names = kept
        best: tuple[int, str] | None = None
        last: list[tuple[int, str] | None] = []
        for start, _i, text, label in kept:
            if label == "PERSON" and (best is None or (start, text) > best):
                best = (start, text)
            last.append(best)
        self.last_person = last

    def read(self, start: int, stop: int) -> tuple[tuple[tuple[int, str, str], ...], str]:
        """The names with an offset in ``[start, stop)`` (offset, text, label), in the
        article's order, and the text of the last PERSON before ``start`` ("" if none)."""
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_left(self.starts, stop, lo)
        found = self.names[lo:hi]
        if not self.in_order:
            found.sort(key=lambda k: k[1])
        before = self.last_person[lo - 1] if lo else None
        return tuple((at, text, label) for at, _i, text, label in found), (
            before[1] if before else ""
        )


def figure_reads(
    sp: Span,
    text: str,
    times: Mapping[str, Sequence[TimeRef]] | None = None,
    mentions: Mapping[str, Sequence[Mention]] | None = None,
) -> tuple[tuple[TimeRef, ...], tuple[tuple[int, str, str], ...], str]:
    """What :func:`figure_mentions` reads of its article's other stages for one mention
    (``sp`` with its stored ``text``): the time expressions inside it, the nlp stage's
    PERSON and ORG names inside it (article offset, name, label; in the article's order)
    and the last PERSON named before it (the antecedent of a "he"; of two at one offset,
    the greater name). The stored claim state
    (:func:`newsweave.store.claims.claim_state`) digests the same, so a re-run of time or
    nlp that changes whose figure it is changes the state. ``mentions`` is best an
    :class:`IndexedMentions` when one article is read for many mentions."""
    refs = tuple(
        t for t in (times or {}).get(sp.article, ()) if sp.start <= t.start and t.end <= sp.end
    )
    if isinstance(mentions, IndexedMentions):
        names = mentions.names(sp.article)
    else:
        names = _ArticleNames((mentions or {}).get(sp.article, ()))
    inside, antecedent = names.read(sp.start, sp.start + len(text))
    return refs, inside, antecedent


def figure_mentions(
    claims: Iterable[Claim],
    published: Mapping[str, str | None],
    times: Mapping[str, Sequence[TimeRef]] | None = None,
    mentions: Mapping[str, Sequence[Mention]] | None = None,
    article_texts: Mapping[str, str] | None = None,
) -> list[FigureMention]:
    """The mentions of ``claims`` that give a figure (``published``: article id -> its
    publication date; ``times``: article id -> the time stage's expressions, which date a
    figure "on Thursday" so that it is no rival to another day's; ``mentions``: article id ->
    the nlp stage's entity mentions, which say whose figure it is; ``article_texts``: id ->
    its text, whose words before a mention say what its "it" is). Read from each mention's
    stored text and its article's own data alone (:func:`figure_reads`), so the same claims
    give the same mentions whichever scope was recomputed."""
    out: list[FigureMention] = []
    if not isinstance(mentions, IndexedMentions):
        mentions = IndexedMentions(mentions)
    for c in claims:
        texts = c.texts if len(c.texts) == len(c.spans) else (c.text,) * len(c.spans)
        said = c.attributions if len(c.attributions) == len(c.spans) else (None,) * len(c.spans)
        for sp, text, who in zip(c.spans, texts, said, strict=True):
            if not gives_figure(text):
                continue
            pub = published.get(sp.article)
            refs, named, antecedent = figure_reads(sp, text, times, mentions)
            persons = _span_names(
                text, sp.start, [(at, n) for at, n, lb in named if lb == "PERSON"]
            )
            ctx = SlotContext(
                published=_parse_day(pub),
                times=refs,
                offset=sp.start,
                persons=persons,
                names=_span_names(text, sp.start, [(at, n) for at, n, _lb in named]),
                antecedent=antecedent,
                before=(article_texts or {}).get(sp.article, "")[
                    max(0, sp.start - _BEFORE_CHARS) : max(0, sp.start)
                ],
            )
            qs = slot_values("number", text, ctx)
            if not qs:
                continue
            st = Statement(
                article=sp.article,
                sentence=0,
                start=sp.start,
                end=sp.end,
                text=text,
                attribution=who,
                hedged=c.hedged or _hedged(text),
                negated=NEGATION.found(text),
                quoted=False,
                stems=frozenset(content_stems(text)),
                slots=(("number", qs), ("date", slot_values("date", text, ctx))),
                published=pub,
                people=frozenset(
                    n.split()[-1].lower()
                    for at, n in persons
                    if not _SPEAKS_AFTER.match(text[at + len(n) : at + len(n) + 40])
                ),
            )
            out.append(FigureMention(c.id, c.event, st))
    return out


def _span_names(
    text: str, start: int, names: Sequence[tuple[int, str]]
) -> tuple[tuple[int, str], ...]:
    """The names inside a stored mention's ``text`` (which starts at ``start`` of its
    article), at their offsets in the text: by article offset, else found by name."""
    out: set[tuple[int, str]] = set()
    for at, name in names:
        k = at - start
        if not text.startswith(name, max(k, 0)) and start <= at < start + len(text):
            k = text.find(name)  # the stored text was rebuilt: found by name
        if 0 <= k < len(text) and text.startswith(name, k):
            out.add((k, name))
    return tuple(sorted(out))


#: Number words that make a mention a figure (besides digits).
FIGURE_WORDS = (
    "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "forty", "fifty", "hundred", "dozen",
)  # fmt: skip
_WORDED_FIGURE = re.compile(rf"\b(?:{'|'.join(FIGURE_WORDS)})\b", re.I)


@lru_cache(maxsize=1 << 16)
def gives_figure(text: str | None) -> bool:
    """Whether a mention's text may give a figure (a digit or a worded number): only those
    take part in the comparison across events. Kept per process by text: a claim's
    mentions are asked again each time its event is saved."""
    return bool(text) and bool(re.search(r"\d", text) or _WORDED_FIGURE.search(text))


def figures_by_article(
    mentions: Iterable[FigureMention],
    into: dict[str, frozenset[tuple[str, float]]] | None = None,
) -> dict[str, frozenset[tuple[str, float]]]:
    """article id -> the figures its mentions among ``mentions`` give as its own report
    (:func:`newsweave.claim_slots.article_figures`), added to ``into`` when given: a
    comparison made a block at a time is given those of every block at once."""
    figures = {} if into is None else into
    for fm in mentions:
        article = fm.statement.article
        figures[article] = figures.get(article, frozenset()) | article_figures(
            fm.statement.slot("number")
        )
    return figures


class FigureIndex:
    """What the comparison across events filters pairs of figure mentions by, held as
    arrays (~20 bytes a mention and 4 a content word, not the ~5 kB of a claim's mention
    objects), so that the pairs worth comparing are found over a whole store at once: a
    sparse product counts the words two mentions share, and only pairs that share two,
    were published at most ``max_days`` apart (or are both undated), share a unit bit and
    belong to other claims, articles and events go to :func:`cross_event_contradictions`.
    Every pair the scan there would let through its filters is among them.

    Mentions are numbered in the order they are added, a claim's together (``add`` takes
    one claim's mentions); the changed claims come first, as that function's pool has them.
    """

    __slots__ = (
        "_words", "_names", "claim", "article", "event", "day", "unit_bits", "_indptr",
        "_indices",
    )  # fmt: skip

    def __init__(self) -> None:
        self._words: dict[str, int] = {}
        self._names: dict[str | None, int] = {None: -1}  # articles and events, one numbering
        self.claim = array("i")  # per mention: its claim's number (order of add)
        self.article = array("i")
        self.event = array("i")  # -1: no event
        self.day = array("i")  # the publication day's ordinal, -1: undated
        # the mention's (unhedged) units as bits (a unit's crc32 mod 64): two mentions
        # that share a unit share a bit; those that do not are dropped here or by the scan
        self.unit_bits = array("Q")
        # the mention's content words (claim_slots.wordy) by number, mention after mention
        self._indptr = array("q", [0])
        self._indices = array("i")

    def __len__(self) -> int:
        return len(self.claim)

    def _name(self, value: str | None) -> int:
        return self._names.setdefault(value, len(self._names) - 1)

    def add(self, claim: int, mentions: Iterable[FigureMention]) -> None:
        """Add the figure mentions of the claim numbered ``claim`` (numbers increasing)."""
        for fm in mentions:
            st = fm.statement
            day = _parse_day(st.published)
            bits = 0
            for unit in _figure_units(st):
                bits |= 1 << (zlib.crc32(unit.encode()) & 63)
            self.claim.append(claim)
            self.article.append(self._name(st.article))
            self.event.append(self._name(fm.event))
            self.day.append(day.toordinal() if day is not None else -1)
            self.unit_bits.append(bits)
            words = self._words
            self._indices.extend(sorted({words.setdefault(t, len(words)) for t in wordy(st.stems)}))
            self._indptr.append(len(self._indices))

    def pairs(self, n_changed: int, max_days: int, rows: int = 256) -> np.ndarray:
        """The pairs of mentions ``(x, y)``, ``x < y``, ``x`` of the first ``n_changed``
        (the changed claims'), that may conflict across events, sorted; ``rows`` mentions
        are multiplied at a time with those of their days (memory of ``rows`` times the
        mentions of ~2 ``max_days``)."""
        from scipy import sparse

        n = len(self.claim)
        if n == 0 or n_changed == 0:
            return np.zeros((0, 2), dtype=np.int64)
        words = sparse.csr_matrix(
            (
                np.ones(len(self._indices), dtype=np.int32),
                np.frombuffer(self._indices, dtype=np.int32),
                np.frombuffer(self._indptr, dtype=np.int64),
            ),
            shape=(n, max(1, len(self._words))),
        )
        claim = np.frombuffer(self.claim, dtype=np.int32)
        article = np.frombuffer(self.article, dtype=np.int32)
        event = np.frombuffer(self.event, dtype=np.int32)
        day = np.frombuffer(self.day, dtype=np.int32)
        bits = np.frombuffer(self.unit_bits, dtype=np.uint64)
        found: list[np.ndarray] = []
        for dated in (True, False):
            # the mentions that take part (a unhedged unit), dated ones by day
            part = np.flatnonzero((bits != 0) & ((day >= 0) if dated else (day < 0)))
            part = part[np.argsort(day[part], kind="stable")]
            days = day[part]
            left = part[part < n_changed]
            for r in range(0, len(left), rows):
                x = left[r : r + rows]
                if dated:
                    lo = np.searchsorted(days, day[x].min() - max_days, "left")
                    hi = np.searchsorted(days, day[x].max() + max_days, "right")
                    y = part[lo:hi]
                else:
                    y = part
                shared = (words[x] @ words[y].T).tocoo()
                two = shared.data >= 2
                i, j = x[shared.row[two]], y[shared.col[two]]
                keep = (
                    ((j >= n_changed) | (j > i))  # a pair of changed mentions once
                    & (claim[i] != claim[j])
                    & (article[i] != article[j])
                    & ((event[i] < 0) | (event[i] != event[j]))
                    & ((bits[i] & bits[j]) != 0)
                )
                if dated:
                    keep &= np.abs(day[i] - day[j]) <= max_days
                found.append(np.stack([i[keep], j[keep]], axis=1).astype(np.int64))
        out = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
        return out[np.lexsort((out[:, 1], out[:, 0]))]


def cross_event_contradictions(
    changed: Sequence[FigureMention],
    others: Sequence[FigureMention] = (),
    options: ClaimOptions | None = None,
    embedder: Embedder | None = None,
    *,
    figures: Mapping[str, frozenset[tuple[str, float]]] | None = None,
    within: bool = True,
    pairs: Iterable[tuple[int, int]] | None = None,
) -> list[Contradiction]:
    """Figures of the same thing reported in different events: a count revised on day
    three sits in another event (often another thread of the story) than day one's.

    Compares every mention of ``changed`` with every other mention of ``changed`` and
    ``others`` that belongs to another event and another article, was published at most
    ``max_days`` apart (two undated mentions only when nearly the same sentence, an undated
    and a dated one never), is unhedged and shares at least two content words; the number
    slot decides (values first, then sameness: the rules or the learned signal), and the
    encoder must confirm (``cross_event_cosine``). Each pair's answer depends on the two
    mentions and their articles' figures only, so pairs between unchanged claims keep their
    stored answer. Returns one :class:`Contradiction` per pair of claims.

    Made a block at a time (memory of two blocks, not of the store): ``figures``, the
    articles' figures over every block (:func:`figures_by_article`; default: those of
    ``changed`` and ``others``), and ``within=False`` to compare ``changed`` with ``others``
    only. A pair of claims then has all its candidate mentions in the one call that holds
    both claims (a claim's mentions stay in one block), which keeps its first conflict in
    the canonical order below; with the blocks in the order a whole call would put them
    (``changed`` first), each call orders a pair's mentions as that call would.

    ``pairs``: the pairs of mentions (indices into ``changed`` then ``others``, smaller
    first) to compare instead of every pair the scan over units and days visits (then
    ``within`` is not read): a :class:`FigureIndex` gives every pair that scan would let
    through its filters, and only a few others, so the answers are the scan's.
    """
    opts = options or ClaimOptions()
    pool = list(changed) + list(others)
    n_changed = len(changed)
    if figures is None:
        figures = figures_by_article(pool)
    units = [_figure_units(fm.statement) for fm in pool]
    cosine = _MaskedCosine(lambda k: pool[k].statement.text, embedder)

    days = [_parse_day(fm.statement.published) for fm in pool]
    ordinals = [d.toordinal() if d is not None else None for d in days]

    def partners(idxs: list[int]) -> Callable[[int], list[int]]:
        """The mentions of one unit that ``x`` may be compared with: those published at most
        ``max_days`` from it (found by bisection over the dated ones), or for an undated
        one the other undated ones; in index order, so the first conflict of a pair of
        claims is found as a full scan would."""
        undated = [k for k in idxs if ordinals[k] is None]
        dated = sorted((ordinals[k], k) for k in idxs if ordinals[k] is not None)
        keys = [o for o, _k in dated]

        def of(x: int) -> list[int]:
            o = ordinals[x]
            if o is None:
                return undated
            lo = bisect.bisect_left(keys, o - opts.max_days)
            hi = bisect.bisect_right(keys, o + opts.max_days)
            return sorted(k for _o, k in dated[lo:hi])

        return of

    # Candidate mention pairs per pair of claims, each with the mention of the claim of the
    # smaller id first; then each pair of claims takes the first conflict in a canonical order
    # (unit, then the two mentions' places), so its answer is the same whichever of its claims
    # changed in this run and whatever else was compared with them.
    candidates: dict[tuple[str, str], list[tuple]] = defaultdict(list)

    def consider(unit: str, x0: int, y0: int) -> None:
        """Add the pair of mentions ``x0``, ``y0`` (one unit they share) to its claims'
        candidates if it passes the filters."""
        x, y = (x0, y0) if pool[x0].claim <= pool[y0].claim else (y0, x0)
        fa, a = pool[x], pool[x].statement
        fb, b = pool[y], pool[y].statement
        if fa.claim == fb.claim or a.article == b.article:
            return
        if fa.event is not None and fa.event == fb.event:
            return  # within an event the claims stage compared them already
        da, db = days[x], days[y]
        dated = da is not None and db is not None
        if (da is None) != (db is None):
            return  # an undated report may be of any day: no rival to a dated one
        if dated and abs((da - db).days) > opts.max_days:
            return
        if len(wordy(a.stems & b.stems)) < 2:
            return
        sim = weighted_dice(a.stems, b.stems, {})
        # undated events may be other happenings altogether: only near-restatements;
        # two figures whose words say they measure one quantity need no more shared
        # words than the two asked above (their units': "square miles"), the
        # encoder confirming ("oil now coating 1,800 square miles of water" / "the
        # spill grew to cover 1,900 square miles on Monday")
        if sim < (opts.slot_threshold * 2 if dated else opts.merge_threshold) and not (
            dated and _one_quantity(a, b)
        ):
            return
        place = ((a.article, a.start, a.end), (b.article, b.start, b.end))
        candidates[(fa.claim, fb.claim)].append((unit, place, x, y, sim))

    if pairs is not None:
        # the pairs an index found (a superset of those the scan below passes to the
        # filters): visited unit by unit, each unit's in the scan's order (x0, then y0)
        by_unit_pairs: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for x0, y0 in sorted(pairs):
            for unit in set(units[x0]).intersection(units[y0]):
                by_unit_pairs[unit].append((x0, y0))
        for unit in sorted(by_unit_pairs):
            for x0, y0 in by_unit_pairs[unit]:
                consider(unit, x0, y0)
    else:
        by_unit: dict[str, list[int]] = defaultdict(list)
        for k, ks in enumerate(units):
            for unit in ks:
                by_unit[unit].append(k)
        for unit in sorted(by_unit):
            idxs = by_unit[unit]
            near = partners(idxs)
            for x0 in idxs:
                if x0 >= n_changed:
                    break  # indices are increasing: the rest are unchanged
                for y0 in near(x0):
                    if y0 < n_changed and (y0 <= x0 or not within):
                        continue
                    consider(unit, x0, y0)

    found: dict[tuple[str, str], Contradiction] = {}
    for key in sorted(candidates):
        for _unit, _place, x, y, sim in sorted(candidates[key], key=lambda c: c[:2]):
            a, b = pool[x].statement, pool[y].statement
            pair = PairContext(
                # (a pair let through on what its figures measure, below the similarity
                # floor of find_conflict, is compared at that floor: the encoder confirms)
                sim=max(sim, opts.slot_threshold),
                idf={},
                text_a="",
                text_b="",
                published_a=days[x],
                published_b=days[y],
                options=opts,
                figures_a=figures[a.article],
                figures_b=figures[b.article],
                cosine=cosine(x, y),
                # across events the encoder must confirm what the rules found (less
                # strictly when the words say the two figures measure one quantity)
                confirm=opts.cross_event_cosine,
                confirm_measured=opts.measured_cosine,
                confirm_flow=opts.flow_cosine,
                confirm_size=opts.size_cosine,
            )
            hit = find_conflict(a, b, pair, (_NUMBER_KIND,))
            if hit is not None:
                found[key] = Contradiction(key[0], key[1], *hit)
                break
    return [found[k] for k in sorted(found)]


def _figure_units(st: Statement) -> tuple[str, ...]:
    """The units of ``st``'s figures that are not hedged, sorted: a mention is compared
    across events with the mentions that share one of them."""
    return tuple(sorted({q.unit for q in st.slot("number") if not hedged_figure(st, q)}))


def _one_quantity(a: Statement, b: Statement) -> bool:
    """Some figure of ``a`` and some of ``b`` measure one quantity by their words
    (:func:`newsweave.claim_slots.same_measure`)."""
    return any(
        qa.unit == qb.unit and same_measure(qa, qb)
        for qa in a.slot("number")
        for qb in b.slot("number")
    )


def _masked(text: str) -> str:
    """A statement with its figures replaced by one token, for the same-thing signal (two
    reports of one count differ in the count, not in what it counts)."""
    return _FIGURE_RE.sub("N", text)


_FIGURE_RE = re.compile(r"[$£€]?\d[\d,.]*(?:\s*(?:million|billion|bn|m|per ?cent|%))?", re.I)


def _content(st: Statement) -> frozenset[str]:
    """What a statement says beyond whom it names: its lower-case content words (verbs,
    common nouns) and its numbers."""
    return st.lower_stems | {t for t in st.stems if t[:1].isdigit()}


def _content_cover(a: Statement, b: Statement, idf: Mapping[str, float]) -> float | None:
    """How much of what each statement says the other says too: the smaller of the two
    IDF-weighted shares of :func:`_content` that the statements have in common (0..1). One
    statement inside the other ("a rig exploded and sank" / "1,000 barrels a day have gushed
    since a rig exploded and sank") covers the short one fully but the long one only in part.
    None when one says nothing in lower case (a headline in title case)."""
    ca, cb = _content(a), _content(b)
    if not a.lower_stems or not b.lower_stems:
        return None
    shared = ca & cb
    if len(shared) < 2:
        return 0.0
    w_shared = math.fsum(idf.get(t, 1.0) for t in shared)
    w_a = math.fsum(idf.get(t, 1.0) for t in ca)
    w_b = math.fsum(idf.get(t, 1.0) for t in cb)
    return min(w_shared / w_a, w_shared / w_b)


def _figures_agree(a: Statement, b: Statement) -> bool:
    """No figure of one statement disagrees with every figure the other gives for the same
    unit (parts count as their total): "pirates on two speed boats" and "pirates in three
    boats" are not one statement (whether they are a disagreement is the slots' business)."""
    qa, qb = a.slot("number"), b.slot("number")
    if not qa or not qb:
        return True
    for unit in {q.unit for q in qa} & {q.unit for q in qb}:
        xs = [q for q in qa if q.unit == unit]
        ys = [q for q in qb if q.unit == unit]
        if any(x.compatible(y) for x in xs for y in ys):
            continue
        # parts of a total: "seven AK-47 rifles, two other rifles" are "nine rifles"
        if len(xs) > 1 and any(
            replace(xs[0], value=sum(x.value for x in xs)).compatible(y) for y in ys
        ):
            continue
        if len(ys) > 1 and any(
            replace(ys[0], value=sum(y.value for y in ys)).compatible(x) for x in xs
        ):
            continue
        return False
    return True


#: Content cover (:func:`_content_cover`) below which two statements are not one claim, and
#: at or above which they are without asking the embedder.
CONTENT_MIN = 0.4
CONTENT_SURE = 0.5
#: Sentence-embedding cosine two statements in doubt need to be one claim.
COSINE_MIN = 0.8


class _SameStatement:
    """Whether a link between two statements joins statements that say the same thing.

    A shared name is no shared statement ("Officer Darren Wilson … would testify" and
    "Michael Brown, who was shot by … Darren Wilson"): the figures they give for one unit
    must agree (:func:`_figures_agree`) and their lower-case content words must overlap
    (:data:`CONTENT_MIN`). Near-restatements (:data:`CONTENT_SURE`) pass on words alone; in
    between, and for title-case headlines without lower-case words, the MiniLM cosine of the
    two sentences decides (:data:`COSINE_MIN`) when an embedder is given — one topic's
    sentences share many words around different predicates ("the White House is desperate
    to avoid a disaster like Katrina" / "the disaster was more serious than Katrina").
    A statement is embedded only when a link in doubt is about to merge it (the merge asks
    strongest link first, and most links in doubt join statements already merged)."""

    def __init__(
        self,
        statements: Sequence[Statement],
        group_of: Sequence[str | None],
        idf_of: Mapping[str | None, Mapping[str, float]],
        embedder: Embedder | None,
    ) -> None:
        self.statements = statements
        self.group_of = group_of
        self.idf_of = idf_of
        self.embedder = embedder
        self.vectors: dict[int, np.ndarray] = {}

    def __call__(self, i: int, j: int) -> bool:
        a, b = self.statements[i], self.statements[j]
        if not _figures_agree(a, b):
            return False
        overlap = _content_cover(a, b, self.idf_of[self.group_of[i]])
        if overlap is not None and overlap < CONTENT_MIN:
            return False
        if self.embedder is None or (overlap is not None and overlap >= CONTENT_SURE):
            return True
        need = [k for k in (i, j) if k not in self.vectors]
        if need:
            vecs = np.asarray(
                self.embedder([self.statements[k].text for k in need]), dtype=np.float32
            )
            self.vectors.update(zip(need, vecs, strict=True))
        return float(self.vectors[i] @ self.vectors[j]) >= COSINE_MIN


def _origins(mentions: Sequence[Statement], source_of: Mapping[str, str]) -> int:
    """Independent origins of a claim: each named speaker once, however many outlets quote
    them; an unattributed mention is its outlet's own report (one origin per source group)."""
    speakers = set()
    own = set()
    for m in mentions:
        if m.attribution:
            speakers.add(m.attribution.split(" (")[0].lower())
        else:
            own.add(source_of.get(m.article, m.article))
    return len(speakers) + len(own)


def _inside(st: Statement, span: Span) -> bool:
    """At least half of the statement lies inside the passage span."""
    overlap = min(st.end, span.end) - max(st.start, span.start)
    return overlap >= 0.5 * max(1, st.end - st.start)


def _independent_sources(
    mentions: Sequence[Statement],
    source_of: Mapping[str, str],
    opts: ClaimOptions,
    passages: Mapping[tuple[str, str], Sequence[tuple[Span, Span]]] | None = None,
    outlet: Mapping[str, str] | None = None,
) -> int:
    """Distinct source groups behind a claim: its witnesses.

    Two mentions count once when their articles are one source group (the copies stage), when
    they come from one outlet (``outlet``: article id -> :func:`outlet_of`; a newsroom does not
    corroborate itself, as :func:`newsweave.brief.independent_sources` counts), when both sit
    in the two sides of one reused passage, or when they are unquoted near-verbatim sentences
    (a pasted press-release line the copies stage did not see).
    """
    groups = sorted({source_of.get(m.article, m.article) for m in mentions})
    if len(groups) < 2:
        return len(groups)
    idx = {g: k for k, g in enumerate(groups)}
    uf = UnionFind(len(groups))
    passages = passages or {}
    first_of_outlet: dict[str, int] = {}
    for m in mentions:
        name = (outlet or {}).get(m.article)
        if name is not None:
            k = idx[source_of.get(m.article, m.article)]
            uf.union(first_of_outlet.setdefault(name, k), k)
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


# --------------------------------------------------------------------------- speakers

_HONORIFICS = frozenset(["mr", "mrs", "ms", "miss", "dr", "sir", "the"])


def _name_words(name: str) -> list[str]:
    words = re.findall(r"[a-z][a-z'’.-]*", name.split(" (")[0].lower())
    return [w.removesuffix("'s").removesuffix("’s").rstrip(".") for w in words]


def one_name_each(names: Sequence[str]) -> list[str]:
    """Each speaker once, by the fullest name given: a name whose words (titles such as
    "Mr" aside) are all in a longer name with the same last word gives way to it ("Adm
    Allen" and "Mr Allen" to "US Coast Guard chief Adm Thad Allen"), unless two such names
    are of two people ("Mr Obama" beside "Barack Obama" and "Michelle Obama" stays). In
    order of first mention of the names kept."""
    words = [set(_name_words(n)) - _HONORIFICS for n in names]
    last = [_name_words(n)[-1:] for n in names]

    def fuller(j: int, i: int) -> bool:  # names[j] names the speaker of names[i], more fully
        if j == i or not last[i] or last[i] != last[j]:
            return False
        return words[i] < words[j] or (words[i] == words[j] and j < i)

    kept = []
    for i, name in enumerate(names):
        wider = [j for j in range(len(names)) if fuller(j, i)]
        widest = {frozenset(words[j]) for j in wider if not any(fuller(k, j) for k in wider)}
        if len(widest) != 1:
            kept.append(name)
    return kept
