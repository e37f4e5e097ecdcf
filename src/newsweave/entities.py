"""Cross-article alias resolution: entity mentions -> entities with a canonical name.

Pure functions over records: :func:`resolve` takes articles and their mentions and returns
entities plus the mentions with ``entity`` set. No model is needed here (mentions may come
from :mod:`newsweave.nlp` or from gold annotations, as in ``bench/entities.py``).

How a mention is read (:func:`analyse`):
  leading determiners/prepositions and possessives go; titles and ranks ("Gen.", "General",
  "Defence Minister", "Lieutenant General") are stripped from person names; the rest is
  classified as a *person* (full name, or a single token), an *acronym* ("SCO", "MoD"), a
  *designation* ("AK-203", "AK203", "AK-47 203" all key to ``AK203``), another *name*, a
  *nominal* or a *pronoun*. The head phrase decides: "Obama team" and "a bank in Athens"
  are nominals (a team, a bank), as are capitalised common nouns ("Robbers" opening a
  sentence: words the corpus mostly writes in lower case); "southern Iran" is Iran.

Resolution happens in two passes:

1. **Inside one article** (cheap, safe evidence): full person names that are compatible
   (same surname, compatible first names) form one person; a single-token name ("Singh",
   "Shoigu", also "Rajnath") joins the one full name in the article that contains it,
   whatever label the model gave it (the small model often calls "Singh" a GPE). Acronyms
   join their expansion only when the article says "Name (ACR)" or the name is a *known*
   expansion: one in :data:`KNOWN_EXPANSIONS` ("MoD" = Ministry of Defence) or one that
   another article of the corpus spells out, unambiguously. Matching initials alone are
   no evidence ("BP" is not "Bolivar Peninsula"). A one-word name joins the one longer
   name it ends ("Colts" -> "Indianapolis Colts"), unless it is a generic word ("House"
   is not the White House) or a place on its own ("America" is not BP America).
2. **Across articles**: clusters sharing a key merge (normalised name, acronym, expansion,
   designation). Full person names merge only when *full-name compatible*: the same surname
   (after transliteration folding, so Sergey/Sergei, Yevgeny/Evgeny) and compatible first
   names (folded equal, an initial, or Jaro-Winkler >= 0.88). A surname left alone in an
   article ("Singh" with no full name there) is the dangerous case: it joins a person from
   another article only if that is the *only* compatible person in articles whose text is
   similar (TF-IDF cosine >= ``related_threshold``); otherwise it stays apart. So two
   different Singhs in unrelated stories are never merged. A one-word name that stood for
   a longer name joins it in other articles only if it stood for that one entity in every
   article ("Gulf" used for two gulfs joins neither). Nominals merge
   by head noun, again only across related articles. Pronouns (only present when a caller
   passes them; spaCy NER yields none) join the nearest preceding person of compatible
   gender, and "who" the mention it follows.

The type is voted by all mentions (a PERSON label among FAC ones does not make the Deepwater
Horizon a person; see :func:`_entity_type`). Before that, the words around a mention can
overrule the model's label for a name everywhere in the corpus: "on Twitter", "via Twitter",
"Twitter users", "sites like Twitter" say a platform or company, not a person, and a name
such words speak of is no PERSON (:data:`CONTEXT_LABELS`, :func:`labels_by_evidence`).
The canonical name is the title-stripped form used by most articles (ties: more mentions,
more tokens, then alphabetical), preferring a full name to a surname and an expansion to its
acronym. Entity ids are content hashes of type and canonical name, so the same input gives
the same ids.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from itertools import repeat
from typing import Literal

import numpy as np
from rapidfuzz.distance import JaroWinkler

from newsweave.disjoint_sets import UnionFind
from newsweave.records import Article, Entity, Mention
from newsweave.stopwords import ENGLISH_STOP_WORDS

Kind = Literal["person", "acronym", "designation", "name", "nominal", "pronoun"]

# --------------------------------------------------------------------------- vocabularies

#: Words around a mention that say what kind of thing it names, whatever label the model
#: gave it: (label, where — "before" the mention, "after" it, or "around" it: the words
#: before, "@" for the mention, the words after —, pattern, what it reads). A person is not
#: posted on, used, followed as a feed or listed among media.
_MEDIA = r"(?:e-?mails?|blogs?|SMS|text messages?|texts|websites?|radio|television|TV|newspapers?)"
CONTEXT_LABELS: tuple[tuple[str, str, re.Pattern[str], str], ...] = (
    (
        "ORG",
        "after",
        re.compile(
            r"^\s+(?:account|accounts|feed|feeds|user|users|page|pages|post|posts|followers"
            r"|activity|site|website|subscribers|platform|app|handle|updates|shares|stock)\b"
        ),
        "a platform's or company's account, feed, users, site or shares",
    ),
    ("ORG", "before", re.compile(r"\b(?:via|using|utili[sz]ing)\s+$"), "reached via, used"),
    (
        "ORG",
        "before",
        re.compile(
            r"\b(?:sites?|websites?|networks?|services?|platforms?|companies|firms|apps?)"
            r",?\s+(?:like|such as|including)\s+$",
            re.I,
        ),
        "named among websites, networks or companies",
    ),
    ("ORG", "before", re.compile(r"\btook to\s+$"), "'took to Twitter'"),
    ("ORG", "around", re.compile(r"\bon\s+@\s*:"), "a post quoted from it: 'on Twitter:'"),
    (
        "ORG",
        "around",
        re.compile(rf"\b{_MEDIA}\s*(?:,|and|or)\s+@|@\s*(?:,|and|or)\s+{_MEDIA}\b"),
        "listed among media: 'blogs, Twitter and e-mails', 'SMS and Twitter'",
    ),
    (
        "ORG",
        "before",
        re.compile(
            r"\b(?:posted|posting|posts|tweeted|tweeting|wrote|written|commented|announced|active"
            r"|blocked|trending|reacting|follow|following|live|news|analysis|comment|comments"
            r"|stories|information|people|updates|campaign)\s+on\s+$",
            re.I,
        ),
        "a medium one posts or follows things on",
    ),
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Title and rank words stripped from the front of person names (compared lower-case, no dots).
TITLE_WORDS: frozenset[str] = _words(
    "gen general lt lieut lieutenant col colonel maj major brig brigadier adm admiral vice "
    "rear marshal field air chief capt captain cmdr commander sgt sergeant cpl corporal pvt "
    "private mr mrs ms miss dr prof professor sir dame lord lady hon honourable honorable "
    "rev reverend president vice-president pm premier minister ministers secretary deputy "
    "under state union defence defense foreign home finance external affairs interior prime "
    "chancellor king queen prince princess sheikh pope cardinal bishop senator sen rep "
    "representative gov governor mayor judge justice ambassador envoy spokesman spokeswoman "
    "spokesperson director ceo chairman chairwoman chairperson coach mp mla counterpart "
    "russian indian chinese american british pakistani uzbek belarusian kyrgyz acting "
    "former late st saint"
)
#: Titles that mark a person even when the model labelled the span ORG or GPE.
PERSON_TITLES: frozenset[str] = _words(
    "gen lt lieut lieutenant col colonel maj brig brigadier adm admiral capt sgt cpl mr mrs "
    "ms dr prof sir president minister"
)
_NATIONALITY_TITLE = _words(
    "russian indian chinese american british pakistani uzbek belarusian kyrgyz"
)
_LEADING_FUNCTION = _words(
    "the a an this that these those its his her their our your my in on at of to from by "
    "for into onto near across inside outside through throughout over under with within "
    "around about during after before between"
)
PRONOUNS: frozenset[str] = _words(
    "i me my mine myself we us our ours ourselves you your yours yourself yourselves he him "
    "his himself she her hers herself it its itself they them their theirs themselves one "
    "who whom whose which that this these those there here where when someone anyone "
    "everyone somebody anybody everybody nobody something anything everything nothing all "
    "both each either neither"
)
_HEAD_STOP = _words(
    "of on in at for from with by to near across through over under into onto , who which "
    "that where when whose"
)
_PLACE_MODIFIERS = _words(
    "northern southern eastern western central downtown north south east west greater upper "
    "lower inner outer rural urban suburban coastal"
)
_STOP_IN_NAMES = _words("of and the for de del la le da di van von on in at & to")
_TOKEN = re.compile(r"[\w][\w'’.&-]*", re.UNICODE)
_DESIGNATION = re.compile(r"^([A-Za-z]{1,5})-?(\d{1,4})([A-Za-z]{0,4})(?:\s+(\d{3}))?$")
_EXPANSION_PATTERN = re.compile(
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:of|for|and|the|de|on|&|[A-Z][\w'’.&-]*))*)\s*\(\s*"
    r"([A-Z][A-Za-z&]{1,9})\s*\)"
)


# --------------------------------------------------------------------------- folding


@lru_cache(maxsize=65536)  # pure, and called for the same few thousand tokens ~1,000x each
def fold(text: str) -> str:
    """Lower-case ASCII skeleton of a name token for transliteration-tolerant comparison.

    Accents go (NFKD), then a few spelling rules that cover common transliteration pairs:
    y/i (Sergey/Sergei), kh/h, ph/f, w/v, ou/u, j/y at the start of a word (Yevgeny/Evgeny is
    handled by dropping an initial "y" before "e"), -ey/-ei endings, doubled letters collapse.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[^a-z0-9]", "", text)
    text = re.sub(r"^ye", "e", text)
    for a, b in (("kh", "h"), ("ph", "f"), ("w", "v"), ("ou", "u"), ("y", "i"), ("ck", "k")):
        text = text.replace(a, b)
    text = re.sub(r"(.)\1+", r"\1", text)
    return text


def _clean_tokens(text: str) -> list[str]:
    text = text.replace("’", "'")
    text = re.sub(r"\s+'s?\b", "", text)  # tokenised possessive "Lohan 's"
    text = re.sub(r"'s?\b", "", text)
    return [t.strip(".,;:'\"-") for t in _TOKEN.findall(text) if t.strip(".,;:'\"-")]


def designation_key(text: str) -> str | None:
    """``AK203`` for "AK-203", "AK203", "ak 203" and "AK-47 203"; None if not a designation.

    A trailing 3-digit model number replaces the family number ("AK-47 203" is the AK-203,
    the 203 variant of the AK-47 family), so the family itself ("AK-47") keeps its own key.
    """
    m = _DESIGNATION.match(text.strip())
    if not m or not any(ch.isupper() for ch in m.group(1)):
        return None
    letters, number, suffix, model = m.groups()
    if "-" not in text and sum(ch.isupper() for ch in letters) < 2:
        return None
    if model:
        number, suffix = model, ""
    return f"{letters.upper()}{number}{suffix.upper()}"


def initials(words: Sequence[str], *, content_only: bool) -> str:
    """Upper-case initials of ``words``; ``content_only`` skips "of", "and", "the" ..."""
    return "".join(
        w[0].upper()
        for w in words
        if w and w[0].isalpha() and not (content_only and w.lower() in _STOP_IN_NAMES)
    )


def _acronym_matches(acronym: str, words: Sequence[str]) -> bool:
    """True when ``acronym`` is the initials of ``words`` (all words or content words)."""
    acr = acronym.upper().replace("&", "")
    if len(acr) < 2 or len(words) < 2:
        return False
    if acr in (initials(words, content_only=True), initials(words, content_only=False)):
        return True
    # hyphenated words may contribute one letter per part ("Inter-Governmental" -> IG)
    parts = [p for w in words if w.lower() not in _STOP_IN_NAMES for p in w.split("-") if p]
    return acr == "".join(p[0].upper() for p in parts)


def _prefix_acronym(acronym: str, words: Sequence[str]) -> bool:
    """True when each content word gives a leading piece of ``acronym``, in order:
    "INSAS" = IN-dian S-mall A-rms S-ystem. Used only where the text itself pairs the two
    ("Name (ACR)"), because it is looser than plain initials."""
    acr = acronym.upper().replace("&", "")
    parts = [p.upper() for w in words if w.lower() not in _STOP_IN_NAMES for p in w.split("-")]
    parts = [p for p in parts if p]
    if len(acr) < 2 or len(parts) < 2 or len(acr) > 3 * len(parts):
        return False

    @cache
    def fits(i: int, j: int) -> bool:  # acr[i:] from parts[j:]
        if j == len(parts):
            return i == len(acr)
        word = parts[j]
        return any(
            acr[i : i + k] == word[:k] and fits(i + k, j + 1)
            for k in range(1, min(len(word), len(acr) - i) + 1)
        )

    return fits(0, 0)


_ORDER_VARIANT = re.compile(r"^(?P<what>[A-Z][\w-]*) (?P<kind>Ministry|Department|Office)$")

#: Acronyms whose expansion is common knowledge. An acronym joins a name only when the name
#: is its expansion here, or the text itself pairs them ("Name (ACR)"): initials alone are
#: not evidence (BP is not "Bolivar Peninsula").
KNOWN_EXPANSIONS: Mapping[str, tuple[str, ...]] = {
    "AU": ("African Union",),
    "BBC": ("British Broadcasting Corporation",),
    "BP": ("British Petroleum",),
    "CIA": ("Central Intelligence Agency",),
    "EU": ("European Union",),
    "FBI": ("Federal Bureau of Investigation",),
    "IAEA": ("International Atomic Energy Agency",),
    "ICC": ("International Criminal Court",),
    "IMF": ("International Monetary Fund",),
    "MOD": ("Ministry of Defence", "Ministry of Defense"),
    "NASA": ("National Aeronautics and Space Administration",),
    "NATO": ("North Atlantic Treaty Organization", "North Atlantic Treaty Organisation"),
    "OPEC": ("Organization of the Petroleum Exporting Countries",),
    "SCO": ("Shanghai Cooperation Organisation", "Shanghai Cooperation Organization"),
    "UAE": ("United Arab Emirates",),
    "UK": ("United Kingdom",),
    "UN": ("United Nations",),
    "UNSC": ("United Nations Security Council",),
    "US": ("United States",),
    "USA": ("United States of America", "United States"),
    "WHO": ("World Health Organization", "World Health Organisation"),
    "WTO": ("World Trade Organization", "World Trade Organisation"),
}

#: Words that name a kind of thing: a one-word name made of one of these ("House",
#: "Ministry", "Party") never stands for the longer name it ends ("White House").
_GENERIC_NAMES = _words(
    "house senate congress parliament assembly council committee commission court "
    "ministry department office agency bureau authority government administration "
    "party union league association federation organisation organization institute "
    "university college school hospital bank company corporation group team club "
    "army navy force forces police guard service services station airport port bay gulf "
    "sea ocean river lake island islands peninsula mountain valley coast city county "
    "state states province region republic kingdom empire square street road bridge "
    "tower center centre hall museum church mosque temple palace embassy times post "
    "news journal daily herald press network channel fund foundation trust exchange "
    "market reserve board america africa asia europe east west north south"
)


def expansion_keys(acronym: str, extra: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Folded name keys that are known expansions of ``acronym`` (table + corpus)."""
    acr = acronym.upper().replace("&", "")
    known = {" ".join(fold(t) for t in e.split()) for e in KNOWN_EXPANSIONS.get(acr, ())}
    return frozenset(known) | extra.get(acr, frozenset())


def corpus_expansions(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    """Acronyms that the corpus itself spells out ("Name (ACR)") with one expansion only.

    An acronym given two different expansions in the corpus is ambiguous and left out.
    """
    return _unambiguous(_pattern_expansions(text) for text in texts)


def _unambiguous(per_article: Iterable[Mapping[str, str]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for expansions in per_article:
        for acr, key in expansions.items():
            found[acr].add(key)
    return {acr: frozenset(keys) for acr, keys in found.items() if len(keys) == 1}


def _pattern_expansions(text: str) -> dict[str, str]:
    """``ACR -> folded expansion`` for each "Name (ACR)" in ``text``."""
    expansions: dict[str, str] = {}
    for m in _EXPANSION_PATTERN.finditer(text):
        words = m.group(1).split()
        acr = m.group(2).upper()
        # the shortest tail of the preceding words whose initials give the acronym
        for cut in range(len(words) - 1, -1, -1):
            tail = words[cut:]
            if tail[0].lower() in _STOP_IN_NAMES:
                continue
            if _acronym_matches(acr, tail) or _prefix_acronym(acr, tail):
                expansions[acr] = " ".join(fold(t) for t in tail)
                break
    return expansions


# --------------------------------------------------------------------------- analysis


@dataclass(frozen=True, slots=True)
class NameForm:
    """How one mention reads: its cleaned form, kind and the keys it can merge on."""

    form: str  # cleaned surface form (titles, determiners, possessive removed)
    kind: Kind
    tokens: tuple[str, ...]
    key: str  # primary merge key (folded full name, acronym, designation, head noun)
    person_hint: bool = False  # a title or the PERSON label says this is a person
    capitalised: bool = False  # a nominal written with capitals ("Robbers", "Crime Boss")


def analyse(text: str, label: str, common: frozenset[str] = frozenset()) -> NameForm:
    """Read one mention's surface text (see the module docstring for the rules).

    ``common`` holds lower-case words the corpus mostly writes in lower case: a mention made
    only of such words is a capitalised common noun ("Robbers" opening a sentence, "Crime
    Boss" in a headline), read as a nominal.

    The reading depends on ``common`` only through which of the mention's own words it
    holds, so it is kept per process by (text, label, those words): the entity index reads
    an article's mentions again whenever a status they depend on flips, and most of them
    read as before.
    """
    words = _lower_words(text)
    return _read_form(text, label, frozenset(w for w in words if w in common))


def reads_otherwise(
    text: str, label: str, common: frozenset[str], flipped: Collection[str]
) -> bool:
    """Whether a mention reads otherwise (:func:`analyse`), or is a one-word name that is
    itself a flipped word (``_link_short_names`` asks whether it is common), under
    ``common`` than under ``common`` with the words ``flipped`` toggled."""
    words = _lower_words(text)
    toggled = frozenset(w for w in words if w in flipped)
    if not toggled:
        return False
    now = frozenset(w for w in words if w in common)
    form = _read_form(text, label, now)
    if form.kind == "name" and form.form.lower() in flipped:
        return True
    return form != _read_form(text, label, now ^ toggled)


@lru_cache(maxsize=65536)
def _lower_words(text: str) -> tuple[str, ...]:
    """The lower-cased words of a mention :func:`analyse` can look up in ``common``."""
    return tuple(dict.fromkeys(t.lower() for t in _clean_tokens(text)))


@lru_cache(maxsize=1 << 17)
def _read_form(text: str, label: str, common: frozenset[str]) -> NameForm:
    """:func:`analyse` with ``common`` cut to the mention's own words."""
    tokens = _clean_tokens(text)
    while len(tokens) > 1 and tokens[0].lower() in _LEADING_FUNCTION:
        tokens = tokens[1:]
    if not tokens:
        return NameForm(form=text.strip(), kind="nominal", tokens=(), key=text.strip().lower())
    # the head phrase ends before a preposition that follows a common word: "a bank in
    # Athens" is a bank, "the scene in Queens" a scene; "Gulf of Aden" stays whole
    for k in range(1, len(tokens)):
        if tokens[k].lower() in _HEAD_STOP and tokens[k - 1][0].islower():
            tokens = tokens[:k]
            break
    raw = " ".join(tokens)
    if len(tokens) == 1 and tokens[0].lower() in PRONOUNS and not tokens[0][1:].isupper():
        return NameForm(form=raw, kind="pronoun", tokens=tuple(tokens), key=raw.lower())
    dkey = designation_key(raw)
    if dkey:
        return NameForm(form=raw, kind="designation", tokens=tuple(tokens), key=dkey)
    capitalised = [t for t in tokens if t[0].isupper() or t[0].isdigit()]
    common_noun = bool(capitalised) and all(
        t.lower() in common or t.lower() in _HEAD_STOP for t in tokens
    )
    if common_noun and label in ("ORG", "GPE", "LOC", "FAC") and len(tokens) > 1:
        common_noun = False  # "White House", "Red Square" are names
    # a phrase whose last word is a common noun is that thing, not the name modifying it:
    # "Obama team", "Bush administration", "IE flaw", "Internet service providers"
    head_is_common = tokens[-1][0].islower() and label != "PERSON"
    if not capitalised or common_noun or head_is_common:
        head = tokens[0]
        for t in tokens:
            if t.lower() in _HEAD_STOP:
                break
            head = t
        return NameForm(
            form=raw,
            kind="nominal",
            tokens=tuple(tokens),
            key=_singular(head),
            capitalised=common_noun and not head_is_common,
        )
    # strip titles and ranks from the front of what may be a person's name
    person_hint = label == "PERSON"
    stripped = list(tokens)
    while len(stripped) > 1 and stripped[0].lower().rstrip(".") in TITLE_WORDS:
        word = stripped[0].lower().rstrip(".")
        if word in PERSON_TITLES:
            person_hint = True
        elif word not in _NATIONALITY_TITLE and not person_hint:
            break  # "General Motors", "Foreign Office": only person labels lose such words
        stripped = stripped[1:]
    if not person_hint:
        stripped = list(tokens)
        # "southern Iran", "central Paris", "Downtown Paris" -> the place itself
        while len(stripped) > 1 and (
            not stripped[0][0].isupper() or stripped[0].lower() in _PLACE_MODIFIERS
        ):
            if stripped[0].lower() in _STOP_IN_NAMES and stripped[0][0].isupper():
                break
            stripped = stripped[1:]
    # drop lower-case words left at the front ("party girl Tara Reid" -> "Tara Reid")
    if person_hint:
        while len(stripped) > 1 and not stripped[0][0].isupper():
            stripped = stripped[1:]
    form = " ".join(stripped)
    if (
        len(stripped) == 1
        and 2 <= len(form) <= 10
        and form[0].isupper()
        and sum(ch.isupper() for ch in form) >= 2
        and form.replace("&", "").isalpha()
        and (form.isupper() or sum(ch.isupper() for ch in form) >= len(form) - 2)
    ):
        return NameForm(form=form, kind="acronym", tokens=(form,), key=form.upper())

    if person_hint:
        key = " ".join(fold(t) for t in stripped)
        return NameForm(form=form, kind="person", tokens=tuple(stripped), key=key, person_hint=True)
    # "Defence Ministry" and "Ministry of Defence" are one name
    variant = _ORDER_VARIANT.match(form)
    if variant:
        stripped = [variant["kind"], "of", variant["what"]]
    key = " ".join(fold(t) for t in stripped if t.lower() not in ("the",))
    return NameForm(form=form, kind="name", tokens=tuple(stripped), key=key)


def _singular(word: str) -> str:
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith(("ses", "xes", "ches", "shes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


def first_names_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """Given names of two full names with the same surname: may they be one person?

    Compatible when either side has none, one is the initial of the other ("S" / "Subrahmanyam"),
    their folded forms are equal (Sergey / Sergei) or Jaro-Winkler similarity >= 0.88.
    """
    if not a or not b:
        return True
    x, y = fold(a[0]), fold(b[0])
    if not x or not y:
        return True
    if len(x) == 1 or len(y) == 1:
        return x[0] == y[0]
    return x == y or JaroWinkler.similarity(x, y) >= 0.88


# --------------------------------------------------------------------------- clusters


@dataclass(slots=True)
class _Local:
    """Mentions of one article believed to be one entity (first pass)."""

    article: str
    kind: Kind
    members: list[int] = field(default_factory=list)  # indexes into the mention list
    keys: set[str] = field(default_factory=set)  # cross-article merge keys
    surname: str | None = None  # folded, persons with a full name
    given: tuple[str, ...] = ()  # given names of the fullest person form
    partial: str | None = None  # folded single token, persons without a full name here
    shorts: set[str] = field(default_factory=set)  # one-word names that stood for it here


def _article_clusters(
    article_id: str,
    spelled: Mapping[str, str],
    idx: list[int],
    forms: list[NameForm],
    mentions: Sequence[Mention],
    surnames: frozenset[str],
    common: frozenset[str] = frozenset(),
    known: Mapping[str, frozenset[str]] | None = None,
) -> list[_Local]:
    """First pass: cluster the mentions of one article.

    ``surnames`` are folded tokens used mostly as surnames across the corpus: a lone
    "Singh" the model labelled GPE is still treated as (part of) a person's name.
    ``common`` are words the corpus writes in lower case; ``known`` acronym expansions
    the corpus spells out (see :func:`corpus_expansions`); ``spelled`` the "Name (ACR)"
    expansions of this article's text (:func:`_pattern_expansions`).
    """
    locals_: list[_Local] = []
    persons: list[_Local] = []
    by_key: dict[tuple[str, str], _Local] = {}
    singles: list[int] = []
    # full person names
    for i in idx:
        f = forms[i]
        if f.kind == "person" and len(f.tokens) >= 2:
            surname, given = fold(f.tokens[-1]), f.tokens[:-1]
            target = next(
                (
                    p
                    for p in persons
                    if p.surname == surname and first_names_compatible(p.given, given)
                ),
                None,
            )
            if target is None:
                target = _Local(article_id, "person", surname=surname, given=tuple(given))
                persons.append(target)
                locals_.append(target)
            elif len(given) > len(target.given):
                target.given = tuple(given)
            target.members.append(i)
        elif len(f.tokens) == 1 and (
            f.kind in ("person", "name", "acronym") or (f.kind == "nominal" and f.capitalised)
        ):
            singles.append(i)
    # single tokens that are part of a full name in this article ("Singh", "SHOIGU", "Luck")
    consumed: set[int] = set()
    given_of = [{fold(g) for g in p.given} for p in persons]  # fixed from here on
    for i in singles:
        tok = fold(forms[i].tokens[0])
        hits = [p for p in persons if p.surname == tok] or [
            p for p, given in zip(persons, given_of, strict=True) if tok in given
        ]
        if hits:
            before = [
                p for p in hits if any(mentions[j].start <= mentions[i].start for j in p.members)
            ]
            chosen = (before or hits)[-1] if len(hits) > 1 else hits[0]
            chosen.members.append(i)
            consumed.add(i)
            continue
        f = forms[i]
        if f.kind in ("acronym", "nominal"):
            continue
        consumed.add(i)
        if f.person_hint or tok in surnames:
            k = ("partial", tok)
            local = by_key.get(k)
            if local is None:
                local = _Local(article_id, "person", partial=tok)
                by_key[k] = local
                locals_.append(local)
            local.members.append(i)
        else:
            _add_named(article_id, i, f, by_key, locals_)
    for i in idx:
        f = forms[i]
        if i in consumed:
            continue
        if f.kind in ("acronym", "designation") or (f.kind == "name" and len(f.tokens) >= 2):
            _add_named(article_id, i, f, by_key, locals_)
        elif f.kind == "nominal":
            k = ("nominal", f.key)
            local = by_key.get(k)
            if local is None:
                local = _Local(article_id, "nominal", keys={"nominal:" + f.key})
                by_key[k] = local
                locals_.append(local)
            local.members.append(i)
        elif f.kind == "pronoun":
            locals_.append(_Local(article_id, "pronoun", members=[i]))
    _link_short_names(by_key, forms, mentions, common)
    _link_pronouns(idx, forms, mentions, locals_)
    for p in persons:
        full = " ".join([*(fold(g) for g in p.given), p.surname or ""])
        # the same full name labelled ORG or FAC elsewhere is the same thing; its type is
        # decided by the evidence of all mentions (see _entity_type)
        p.keys |= {"person:" + full, "name:" + full}
    _link_acronyms(spelled, by_key, forms, persons, known or {})
    return locals_


def _link_short_names(
    by_key: dict[tuple[str, str], _Local],
    forms: list[NameForm],
    mentions: Sequence[Mention],
    common: frozenset[str] = frozenset(),
) -> None:
    """A one-word name that ends exactly one longer name of the same label in the article
    joins it: "Colts" -> "Indianapolis Colts", "76ers" -> "Philadelphia 76ers". The first
    word never does ("Philadelphia" is not the team), nor a generic word ("House" is not
    the White House, "Gulf" not the Persian Gulf) or a place on its own ("America" is not
    BP America). The short form is remembered in ``shorts``, not made a key: it stands for
    the longer name elsewhere only if it stands for that one name everywhere (see
    :func:`resolve`)."""
    longer: dict[str, list[_Local]] = defaultdict(list)
    for (kind, key), loc in by_key.items():
        if kind == "name" and " " in key and loc.members:
            longer[key.rsplit(" ", 1)[1]].append(loc)
    for (kind, key), loc in list(by_key.items()):
        if kind != "name" or " " in key or not loc.members:
            continue
        first = mentions[loc.members[0]]
        word = forms[loc.members[0]].form.lower()
        if word in _GENERIC_NAMES or word in common or first.label in _PLACE_LABELS:
            continue
        label = first.label
        hits = [
            t for t in longer.get(key, []) if t is not loc and mentions[t.members[0]].label == label
        ]
        if len(hits) == 1:
            target = hits[0]
            target.members.extend(loc.members)
            target.shorts |= loc.keys
            loc.members.clear()


_PLACE_LABELS = frozenset({"GPE", "LOC", "NORP"})


_PERSONAL = _words("he him his himself she her hers herself")
_RELATIVE = _words("who whom whose")
_FEMININE = _words("she her hers herself")


def _link_pronouns(
    idx: list[int], forms: list[NameForm], mentions: Sequence[Mention], locals_: list[_Local]
) -> None:
    """Attach he/she pronouns to the nearest preceding person, "who" to the mention it follows.

    Deliberately shallow (no parser, no gender): it only runs on mentions a caller chose to
    pass in. spaCy NER never yields pronouns, so in newsweave this matters for gold-mention
    benchmarks only.
    """
    owner: dict[int, _Local] = {}
    for loc in locals_:
        for i in loc.members:
            owner[i] = loc
    order = sorted(idx, key=lambda i: (mentions[i].start, mentions[i].end))
    recent: list[tuple[_Local, int]] = []  # persons seen, with the end of their last mention
    gender: dict[int, str] = {}  # id(local) -> "m" / "f", learnt from the pronouns it took
    previous: int | None = None
    for i in order:
        word = forms[i].form.lower()
        loc = owner.get(i)
        if forms[i].kind == "pronoun" and loc is not None and len(loc.members) == 1:
            target = None
            if word in _RELATIVE and previous is not None:
                if 0 <= mentions[i].start - mentions[previous].end <= 3:
                    target = owner.get(previous)
            elif word in _PERSONAL:
                want = "f" if word in _FEMININE else "m"
                for person, end in reversed(recent):
                    if mentions[i].start - end > 600:
                        break
                    if gender.get(id(person), want) == want:
                        target = person
                        gender[id(person)] = want
                        break
            if target is not None and target is not loc:
                target.members.append(i)
                loc.members.clear()
                owner[i] = target
        current = owner.get(i)
        if current is not None and current.kind == "person":
            recent = [(p, e) for p, e in recent if p is not current]
            recent.append((current, mentions[i].end))
        previous = i


def _add_named(
    article_id: str,
    i: int,
    f: NameForm,
    by_key: dict[tuple[str, str], _Local],
    locals_: list[_Local],
) -> None:
    k = (f.kind, f.key)
    local = by_key.get(k)
    if local is None:
        local = _Local(article_id, f.kind, keys={f"{f.kind}:{f.key}"})
        if f.kind == "acronym":  # "COLTS" in a headline is the Colts
            local.keys.add("name:" + fold(f.form))
        by_key[k] = local
        locals_.append(local)
    local.members.append(i)


def _link_acronyms(
    expansions: Mapping[str, str],
    by_key: dict[tuple[str, str], _Local],
    forms: list[NameForm],
    persons: list[_Local],
    known: Mapping[str, frozenset[str]],
) -> None:
    """Join each acronym cluster with its expansion in the same article (moves members).

    The expansion is what the article spells out ("Name (ACR)") or a known expansion
    (:data:`KNOWN_EXPANSIONS`, or one the corpus spells out elsewhere) that the article
    names; a name that merely has the acronym's initials is not enough.
    """
    acronyms = {k[1]: loc for k, loc in by_key.items() if k[0] == "acronym" and loc.members}
    if not acronyms:
        return
    names = {k[1]: loc for k, loc in by_key.items() if k[0] == "name" and loc.members}
    for acr, aloc in acronyms.items():
        target_key = expansions.get(acr)
        if target_key is not None:
            aloc.keys.add("name:" + target_key)
            target = names.get(target_key)
        else:
            target = None
            for key in sorted(expansion_keys(acr, known)):
                aloc.keys.add("name:" + key)
                if target is None and key in names:
                    target = names[key]
        if target is not None and target is not aloc:
            target.members.extend(aloc.members)
            target.keys |= aloc.keys
            aloc.members.clear()
            aloc.keys = set(target.keys)
            aloc.kind = "name"
    del persons  # persons never take acronyms (initials of people are too ambiguous)


# --------------------------------------------------------------------------- relatedness


class _Relatedness:
    """TF-IDF cosine between article texts, computed lazily for candidate pairs only.

    The weights are scikit-learn's ``TfidfVectorizer(stop_words="english",
    sublinear_tf=True)`` ones (tf ``1 + ln c``, smoothed idf ``ln((1 + n) / (1 + df)) + 1``,
    L2-normalised rows), computed from each article's stored term counts. The document
    frequencies are a fixed background (:func:`background_df`: 3,449 real news articles),
    not the corpus being resolved: the cosine of two articles depends on those two articles
    only, so adding articles never changes how related two earlier ones are, and resolution
    can run incrementally with the same result whatever order the articles arrive in.
    """

    def __init__(self, corpus: CorpusStats) -> None:
        self.corpus = corpus
        self._cache: dict[tuple[str, str], float] = {}

    def cosine(self, a: str, b: str) -> float:
        """Cosine of the two articles' L2-normalised TF-IDF vectors (cached per pair)."""
        if a == b:
            return 1.0
        pair = (a, b) if a < b else (b, a)
        value = self._cache.get(pair)
        if value is None:
            value = _COSINES.get(pair)
        if value is None:
            # from the rows as arrays (kept for 20,000 articles: the 2,000 rows kept as
            # dicts before were cycled through by a 10k store's lone surnames), the same
            # products summed in the same order as ``sum(w * rb[t] for t, w in ra.items()
            # if t in rb)``
            ra = _row_arrays(pair[0], self.corpus.terms_of)
            rb = _row_arrays(pair[1], self.corpus.terms_of)
            if len(rb[0]) < len(ra[0]):
                ra, rb = rb, ra
            value = _ordered_dot(ra, rb)
            _remember(_COSINES, pair, value)
        self._cache[pair] = value
        return value


#: An article's TF-IDF row as arrays (see :func:`_row_arrays`).
_Row = tuple[np.ndarray, np.ndarray, np.ndarray]


def _row_arrays(aid: str, terms_of: Callable[[str], Mapping[str, int]]) -> _Row:
    """An article's L2-normalised TF-IDF row (see :class:`_Relatedness`) as arrays (the
    terms' columns, their weights in term order, the columns' sorting order), not as a
    dict (~10x the memory per article), for vectorised products, kept (up to a bound)
    across calls in this process. A term is its string hash's column here
    (:data:`_COLUMNS`, numbered in this process: a product finds one row's terms among
    another's by indexing, not by searching, and a column takes 4 bytes where the hash
    took 8); two different terms of one hash (64 bits)
    would add their products, a chance of about 2^-64 per pair of terms, which is accepted.
    The order is kept with the row: a pairwise cosine looks the other row's terms up
    through it, and sorting it per pair was ~5 % of a 3k delivery's resolution."""
    got = _ARRAYS.get(aid)
    if got is None:
        terms, weights = _row_weights(terms_of(aid))
        number = _COLUMNS.setdefault
        columns = np.fromiter((number(hash(t), len(_COLUMNS)) for t in terms), np.int32, len(terms))
        # the order as int32 too: 4 bytes a term
        got = (columns, weights, np.argsort(columns, kind="stable").astype(np.int32))
        _remember(_ARRAYS, aid, got)
    return got


def _row_weights(counts: Mapping[str, int]) -> tuple[list[str], np.ndarray]:
    """An article's TF-IDF row from its term ``counts`` as (terms, weights), in term order
    (so a cosine sums its products in one order whatever is cached), with the bits of
    the plain Python computation (``(1 + ln c) * idf`` per term, divided by the square
    root of the squares' sum): each weight is the same float64 product, the squares are summed
    one by one in the counts' order by ``sum``, and each weight is divided by the same
    norm (numpy's float64 ``*`` and ``/`` are IEEE's, as Python's are). ``1 + ln c`` is
    kept per count; the idf look-ups are one ``map``. A 10k store's delivery builds ~10,000
    rows (every person with a new lone name's token), a dict of each first."""
    idf, rare = background_idf()
    terms = list(counts)
    weights = np.fromiter(map(_tf, counts.values()), np.float64, len(terms))
    weights *= np.fromiter(map(idf.get, terms, repeat(rare)), np.float64, len(terms))
    norm = math.sqrt(sum((weights * weights).tolist())) or 1.0
    order = sorted(range(len(terms)), key=terms.__getitem__)
    return [terms[i] for i in order], weights[order] / norm


@lru_cache(maxsize=4096)
def _tf(count: int) -> float:
    """Sublinear tf, ``1 + ln count``."""
    return 1.0 + math.log(count)


def _ordered_dot(ra: _Row, rb: _Row) -> float:
    """``sum(w * rb[t] for t, w in ra.items() if t in rb)`` over two :func:`_row_arrays`:
    the shared terms' products in ``ra``'s order (float64 products are Python's), added one
    by one by ``sum`` as the generator's were, so the bits are the dict version's."""
    (ha, wa, _), (hb, wb, order) = ra, rb
    if not len(ha) or not len(hb):
        return sum([])  # the empty generator's sum: int 0, as before
    pos = np.searchsorted(hb, ha, sorter=order)
    pos[pos == len(hb)] = 0
    at = order[pos]
    hit = hb[at] == ha
    return sum((wa[hit] * wb[at[hit]]).tolist())


#: Products at most this far from the threshold are summed again in :class:`_Relatedness`'s
#: order, so a vectorised product decides exactly as the pairwise cosine does.
_EXACT_MARGIN = 1e-9
#: Row block of a vectorised product: bounds its memory (block x right-hand articles).
_BLOCK = 512


def related_pairs(
    left: Sequence[str],
    right: Sequence[str] | None,
    terms_of: Callable[[str], Mapping[str, int]],
    threshold: float,
) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)`` of ``left`` x ``right`` articles whose TF-IDF cosine (as
    :meth:`_Relatedness.cosine` computes it) is at least ``threshold``; with ``right``
    None, the pairs ``i < j`` of ``left`` with itself. Equal articles count as related
    (cosine 1). One sparse product per block of rows (or, with one side of at most
    :data:`_SMALL_SIDE` rows, :func:`_small_side_products`), so a group of thousands of
    articles costs one vectorised pass, not a Python loop per pair; values within
    :data:`_EXACT_MARGIN` of the threshold are decided by the pairwise sum."""
    other = left if right is None else right
    if not left or not other:
        return []
    exact = _Relatedness(
        CorpusStats(
            size=0,
            case_counts=lambda words: {},
            expansions={},
            doc_freq=lambda terms: {},
            terms_of=terms_of,
        )
    )
    if len(left) * len(other) <= 16:  # too few for a product to pay off: pair by pair
        # the pairwise sum itself (kept per pair in this process): what a product decides
        return [
            (i, j)
            for i, a in enumerate(left)
            for j, b in enumerate(other)
            if (right is not None or i < j) and exact.cosine(a, b) >= threshold
        ]
    if len(_COLUMNS) >= _MAX_COLUMNS:  # numbered afresh, with the rows numbered by them
        _COLUMNS.clear()
        _ARRAYS.clear()
    lrows = [_row_arrays(aid, terms_of) for aid in left]
    orows = lrows if right is None else [_row_arrays(aid, terms_of) for aid in other]
    if min(len(lrows), len(orows)) <= _SMALL_SIDE and threshold > _EXACT_MARGIN:
        found = _small_side_products(lrows, orows, threshold - _EXACT_MARGIN)
    else:
        found = _sparse_products(lrows, orows, threshold - _EXACT_MARGIN)
    out: set[tuple[int, int]] = set()
    for i, j, v in found:
        if right is None and i >= j:
            continue
        if v < threshold + _EXACT_MARGIN and exact.cosine(left[i], other[j]) < threshold:
            continue
        out.add((i, j))
    # the same article on both sides: cosine 1, even for an article without terms
    where: dict[str, list[int]] = defaultdict(list)
    for i, aid in enumerate(left):
        where[aid].append(i)
    out.update(
        (i, j)
        for j, aid in enumerate(other)
        for i in where.get(aid, ())
        if right is not None or i < j
    )
    return sorted(out)


#: At most this many rows on one side: :func:`_small_side_products` (a dense row per row of
#: that side, one weighted count over the other side's entries each), not a sparse product.
_SMALL_SIDE = 32


def _sparse_products(
    lrows: Sequence[_Row],
    orows: Sequence[_Row],
    floor: float,
) -> list[tuple[int, int, float]]:
    """``(i, j, product)`` of the row pairs whose product is at least ``floor``: one sparse
    product per block of :data:`_BLOCK` left rows, over columns numbered for both sides."""
    from scipy.sparse import csr_matrix

    ends = np.cumsum([0] + [len(r[0]) for r in lrows] + [len(r[0]) for r in orows])
    terms, columns = np.unique(
        np.concatenate([r[0] for r in lrows] + [r[0] for r in orows] + [np.zeros(0, np.int32)]),
        return_inverse=True,
    )
    split = ends[len(lrows)]
    lm = csr_matrix(
        (np.concatenate([r[1] for r in lrows]), columns[:split], ends[: len(lrows) + 1]),
        shape=(len(lrows), len(terms)),
    )
    om_t = csr_matrix(
        (
            np.concatenate([r[1] for r in orows]),
            columns[split:],
            ends[len(lrows) :] - split,
        ),
        shape=(len(orows), len(terms)),
    ).T.tocsr()
    out: list[tuple[int, int, float]] = []
    for start in range(0, len(lrows), _BLOCK):
        block = (lm[start : start + _BLOCK] @ om_t).tocoo()
        keep = block.data >= floor
        out.extend(
            zip(
                (block.row[keep] + start).tolist(),
                block.col[keep].tolist(),
                block.data[keep].tolist(),
                strict=True,
            )
        )
    return out


def _small_side_products(
    lrows: Sequence[_Row],
    orows: Sequence[_Row],
    floor: float,
) -> list[tuple[int, int, float]]:
    """What :func:`_sparse_products` finds, for a side of at most :data:`_SMALL_SIDE` rows
    (a new lone surname against every person with its token): that side's rows dense over
    their own terms, the other side's entries looked up among those terms and summed per
    row by one weighted count each. The products are summed in another order than the
    sparse product's, a difference of a few units in the 16th digit: ``floor`` is
    :data:`_EXACT_MARGIN` below the threshold and everything within it is summed again
    pairwise, so the pairs are the same. No numbering of every term of the big side and no
    sparse matrices: their construction was most of such a call (~1 ms), and a chunk of a
    10k store makes ~10,000 such calls. ``floor`` must be positive (a pair without a shared
    term is never found)."""
    swap = len(lrows) > len(orows)
    small, big = (orows, lrows) if swap else (lrows, orows)
    if not small or not big:
        return []
    lengths = [len(r[0]) for r in small]
    terms, columns = np.unique(
        np.concatenate([r[0] for r in small] + [np.zeros(0, np.int32)]), return_inverse=True
    )
    if not len(terms):
        return []
    dense = np.zeros((len(small), len(terms)))
    # np.add.at, not assignment: two terms of one hash in a row add, as in the sparse product
    np.add.at(
        dense,
        (np.repeat(np.arange(len(small)), lengths), columns),
        np.concatenate([r[1] for r in small]),
    )
    # the big side's terms found among the small side's by their column: a look-up in a
    # table of every column (1 + the small side's place, 0 where it has none), reset after
    global _PLACES
    if len(_PLACES) < len(_COLUMNS):
        _PLACES = np.zeros(2 * len(_COLUMNS), np.int32)
    _PLACES[terms] = np.arange(1, len(terms) + 1, dtype=np.int32)
    big_columns = [r[0] for r in big]
    try:
        at = _PLACES[np.concatenate(big_columns)]
    finally:
        _PLACES[terms] = 0
    # only the entries that hit are gathered, and each big row's share of them is counted
    # from the rows' ends (the hits are in row order): no owner per entry of the big side,
    # which was most of a call with a big side (a new lone "Obama" against 1,500 persons)
    (hit,) = np.nonzero(at)
    at = at[hit] - 1
    weights = np.concatenate([r[1] for r in big])[hit]
    ends = np.cumsum(np.fromiter(map(len, big_columns), np.int64, len(big_columns)))
    starts = np.concatenate(([0], np.searchsorted(hit, ends)))
    out: list[tuple[int, int, float]] = []
    if len(small) * len(hit) <= _SMALL_PRODUCT:  # a weighted count per small row
        owner = np.repeat(np.arange(len(big)), np.diff(starts))
        for s in range(len(small)):
            sums = np.bincount(owner, weights=dense[s, at] * weights, minlength=len(big))
            (found,) = np.nonzero(sums >= floor)
            for b, v in zip(found.tolist(), sums[found].tolist(), strict=True):
                out.append((b, s, v) if swap else (s, b, v))
        return out
    # every small row at once: the hits as a sparse matrix over the small side's terms
    # times its dense rows (each big row's products summed in entry order, as by a count)
    from scipy.sparse import csr_matrix

    table = csr_matrix((weights, at, starts), shape=(len(big), len(terms))) @ dense.T
    bs, ss = np.nonzero(table >= floor)
    for b, s, v in zip(bs.tolist(), ss.tolist(), table[bs, ss].tolist(), strict=True):
        out.append((b, s, v) if swap else (s, b, v))
    return out


#: Above this many (small row, hit) products, :func:`_small_side_products` sums them as one
#: sparse-by-dense product (its construction, ~0.1 ms, then pays off) instead of a
#: weighted count per small row.
_SMALL_PRODUCT = 20_000


# An article's id hashes its text, so its TF-IDF row and its cosine with another article
# never change: kept (up to a bound) across resolutions in this process.
_COSINES: dict[tuple[str, str], float] = {}
_ARRAYS: dict[str, _Row] = {}
#: Column numbers of term hashes in this process (:func:`_row_arrays`), and per column the
#: place a product's small side gives it (:func:`_small_side_products`; zero between calls).
_COLUMNS: dict[int, int] = {}
_MAX_COLUMNS = 4_000_000
_PLACES = np.zeros(0, np.int32)
_MEMO_LIMITS = {id(_COSINES): 200_000, id(_ARRAYS): 20_000}


def _remember(memo: dict, key: object, value: object) -> None:
    if len(memo) >= _MEMO_LIMITS[id(memo)]:
        memo.clear()
    memo[key] = value


@cache
def background_idf() -> tuple[dict[str, float], float]:
    """``({term: smoothed idf}, the idf of a term the background lacks)`` from
    :func:`background_df`: ``ln((1 + n) / (1 + df)) + 1``, a term it lacks counting df 1."""
    n, df = background_df()
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    return idf, math.log((1 + n) / 2) + 1.0


@cache
def background_df() -> tuple[int, Mapping[str, int]]:
    """``(documents, {term: document frequency})`` of the packaged background corpus
    (``data/background-df.json.gz``, made by ``bench/background_df.py`` from Timeline17's
    six topics; see ``data/PROVENANCE.md``). Terms it lacks weigh as document frequency 1."""
    import gzip
    import json
    from importlib.resources import files

    blob = files("newsweave").joinpath("data", "background-df.json.gz").read_bytes()
    data = json.loads(gzip.decompress(blob))
    return int(data["documents"]), data["df"]


# --------------------------------------------------------------------------- text facts

_TFIDF_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def _stop_words() -> frozenset[str]:
    return ENGLISH_STOP_WORDS


@dataclass(frozen=True, slots=True)
class TextFacts:
    """What resolution needs from one article's text, computed once per article (pure, so
    the nlp step computes it beside the mentions, through the runner).

    ``case``: word -> (uses in lower case, capitalised uses mid-sentence), for the words
    :data:`_WORD` finds (see :func:`_common_words`); ``expansions``: the "Name (ACR)"
    expansions the text spells out; ``terms``: TF-IDF token counts (lower-cased, English
    stop words dropped) for article relatedness.
    """

    article: str
    case: Mapping[str, tuple[int, int]]
    expansions: Mapping[str, str]
    terms: Mapping[str, int]
    contexts: tuple[tuple[int, int, str], ...] = ()  # (start, end, label) of mentions


def text_facts(article_id: str, text: str, mentions: Iterable[Mention] = ()) -> TextFacts:
    """The :class:`TextFacts` of one article (``contexts``: the :func:`context_label` of
    each of its ``mentions`` that the words around it give one)."""
    lower = Counter(_LOWER_WORD.findall(text))
    capital = Counter(w.lower() for w in _MID_SENTENCE_CAPITAL.findall(text))
    terms = Counter(_TFIDF_TOKEN.findall(text.lower()))
    for word in _stop_words() & terms.keys():
        del terms[word]  # (the others keep their order of first use)
    return TextFacts(
        article=article_id,
        case={w: (lower[w], capital[w]) for w in sorted(lower.keys() | capital.keys())},
        expansions=_pattern_expansions(text),
        terms=dict(terms),
        contexts=tuple(
            sorted(
                (m.start, m.end, label)
                for m in mentions
                if m.article == article_id and (label := _context(text, m))
            )
        ),
    )


@dataclass(frozen=True, slots=True)
class CorpusStats:
    """The corpus as resolution sees it, without its texts: how many articles, the case
    counts of words, the expansions each article spells out, document frequencies of
    TF-IDF terms and each article's term counts. Built from texts
    (:meth:`from_texts`) or from what the store keeps per article
    (``newsweave.store.nlp.stored_corpus``): the same numbers either way, so resolution
    is the same whether it reads texts or the store."""

    size: int
    case_counts: Callable[[Collection[str]], Mapping[str, tuple[int, int]]]
    expansions: Mapping[str, Mapping[str, str]]  # article -> ACR -> folded expansion
    doc_freq: Callable[[Collection[str]], Mapping[str, int]]
    terms_of: Callable[[str], Mapping[str, int]]
    contexts: Mapping[tuple[str, int, int], str] = field(default_factory=dict)

    @classmethod
    def from_facts(cls, facts: Iterable[TextFacts]) -> CorpusStats:
        facts = list(facts)
        case: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        df: Counter[str] = Counter()
        for f in facts:
            for w, (lo, cap) in f.case.items():
                case[w][0] += lo
                case[w][1] += cap
            df.update(f.terms.keys())
        terms = {f.article: f.terms for f in facts}
        totals = {w: (v[0], v[1]) for w, v in case.items()}
        return cls(
            size=len(facts),
            case_counts=lambda words: {w: totals[w] for w in words if w in totals},
            expansions={f.article: f.expansions for f in facts if f.expansions},
            doc_freq=lambda ts: {t: df[t] for t in ts if t in df},
            terms_of=lambda aid: terms.get(aid, {}),
            contexts={(f.article, s, e): label for f in facts for s, e, label in f.contexts},
        )

    @classmethod
    def from_texts(cls, texts: Mapping[str, str], mentions: Sequence[Mention] = ()) -> CorpusStats:
        by_article: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            by_article[m.article].append(m)
        return cls.from_facts(
            text_facts(aid, text, by_article.get(aid, ())) for aid, text in texts.items()
        )


# --------------------------------------------------------------------------- resolution


@dataclass(frozen=True, slots=True)
class Resolution:
    """Entities and the input mentions with ``entity`` filled in (same order as given)."""

    entities: tuple[Entity, ...]
    mentions: tuple[Mention, ...]


def resolve(
    articles: Iterable[Article] | Mapping[str, str],
    mentions: Sequence[Mention],
    *,
    corpus: CorpusStats | None = None,
    related_threshold: float = 0.2,
    merge_nominals: bool = True,
) -> Resolution:
    """Resolve ``mentions`` (of ``articles``) into cross-article entities.

    ``articles`` may be Article records or a mapping ``id -> text``; texts are used for the
    "Name (ACR)" pattern and for article relatedness. ``related_threshold`` is the TF-IDF
    cosine above which two articles count as the same story for the risky merges (lone
    surnames, nominals); 0.2 keeps unrelated stories apart on ECB+ (see docs/entities.md).
    """
    if not 0.0 <= related_threshold <= 1.0:
        raise ValueError(f"related_threshold must be within [0, 1], got {related_threshold}")
    if corpus is None:
        texts: dict[str, str] = (
            dict(articles) if isinstance(articles, Mapping) else {a.id: a.text for a in articles}
        )
        for m in mentions:
            texts.setdefault(m.article, "")
        corpus = CorpusStats.from_texts(texts, mentions)
    original = mentions
    mentions = _labels_by_votes(mentions, [corpus.contexts.get(_span(m)) for m in mentions])
    common = _common_words(corpus, mentions)
    forms = [analyse(m.text, m.label, common) for m in mentions]
    by_article: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        by_article[m.article].append(i)
    surnames = _surname_tokens(forms, mentions)
    known = _unambiguous(corpus.expansions.values())
    locals_: list[_Local] = []
    for aid in sorted(by_article):
        idx = sorted(by_article[aid], key=lambda i: (mentions[i].start, mentions[i].end))
        spelled = corpus.expansions.get(aid, {})
        locals_.extend(
            _article_clusters(aid, spelled, idx, forms, mentions, surnames, common, known)
        )
    clusters = cluster_locals(
        [loc for loc in locals_ if loc.members],
        _Relatedness(corpus),
        related_threshold=related_threshold,
        merge_nominals=merge_nominals,
    )
    built = [_build_entity(ids, mentions, forms) for ids in clusters]
    firsts = [_first_mention(ids, mentions) for ids in clusters]
    entities: list[Entity] = []
    assignment: dict[int, str] = {}
    for entity, ids in zip(distinct_ids(built, firsts), clusters, strict=True):
        entities.append(entity)
        for i in ids:
            assignment[i] = entity.id
    entities.sort(key=lambda e: (-len(e.articles), -e.mentions, e.name.lower(), e.id))
    resolved = tuple(replace(m, entity=assignment.get(i)) for i, m in enumerate(original))
    return Resolution(entities=tuple(entities), mentions=resolved)


def distinct_ids(
    entities: Sequence[Entity], firsts: Sequence[tuple[str, int, int]]
) -> list[Entity]:
    """Entity ids hash type + canonical name (``_build_entity``); entities sharing one (two
    "Singh"s of unrelated stories) keep it for the one with most mentions and hash their
    first mention (``firsts``: (article, start, end)) into it for the others. Takes every
    entity with that hash, so the ids are the same whichever part of a store is resolved."""
    out = list(entities)
    by_id: dict[str, list[int]] = defaultdict(list)
    for n, entity in enumerate(out):
        by_id[entity.id].append(n)
    for group in by_id.values():
        if len(group) == 1:
            continue
        group.sort(key=lambda n: (-out[n].mentions, firsts[n]))
        for n in group[1:]:
            salt = "|".join(map(str, firsts[n]))
            new_id = hashlib.sha1(f"{out[n].id}|{salt}".encode()).hexdigest()[:16]
            out[n] = replace(out[n], id=new_id)
    return out


def cluster_locals(
    locals_: Sequence[_Local],
    related: _Relatedness,
    *,
    related_threshold: float,
    merge_nominals: bool = True,
    blocked: frozenset[str] = frozenset(),
) -> list[list[int]]:
    """The second pass over the per-article clusters of :func:`article_clusters`: which of
    them are one entity (see the module docstring). Returns the mention indexes of each
    entity, sorted. A function of the set of ``locals_`` (not their order), and only locals
    that share a key, a surname, a name token or a head noun interact, so a part of a
    corpus closed under those links clusters as it does inside the whole corpus.
    ``blocked``: short names that also stand for a name outside ``locals_``, in another
    cluster of keys (so they join nothing, pass 2a')."""
    uf = UnionFind(len(locals_))
    # pass 2a: shared keys (names, acronyms, expansions, designations, full person names)
    owner: dict[str, int] = {}
    for n, loc in enumerate(locals_):
        if loc.kind in ("nominal", "pronoun") or loc.partial is not None:
            continue
        for key in sorted(loc.keys):
            if key in owner:
                uf.union(owner[key], n)
            else:
                owner[key] = n
    # pass 2a': a one-word name that stood for a longer name in some article ("Colts" for
    # "Indianapolis Colts") joins it elsewhere only if it stood for that one entity
    # everywhere; "Gulf" used for the Persian Gulf and for the Mexican Gulf joins neither
    stood_for: dict[str, set[int]] = defaultdict(set)
    for n, loc in enumerate(locals_):
        for key in loc.shorts:
            stood_for[key].add(uf.find(n))
    for key, roots in stood_for.items():
        if len(roots) == 1 and key in owner and key not in blocked:
            uf.union(owner[key], roots.pop())
    # pass 2b: compatible full person names (transliterations, initials)
    by_surname: dict[str, list[int]] = defaultdict(list)
    for n, loc in enumerate(locals_):
        if loc.kind == "person" and loc.surname is not None:
            by_surname[loc.surname].append(n)
    for group in by_surname.values():
        for x, a in enumerate(group):
            for b in group[x + 1 :]:
                if uf.find(a) != uf.find(b) and first_names_compatible(
                    locals_[a].given, locals_[b].given
                ):
                    uf.union(a, b)
    # (acronyms took their known expansions as keys in the first pass: "MoD" -> "Ministry
    # of Defence"; matching initials alone never merge across articles)
    # pass 2c: lone surnames -> the single compatible person in related articles
    token_index: dict[str, list[int]] = defaultdict(list)
    for n, loc in enumerate(locals_):
        if loc.kind == "person" and loc.surname is not None:
            token_index[loc.surname].append(n)
            for g in loc.given:
                token_index[fold(g)].append(n)
    lone: dict[str, list[int]] = defaultdict(list)
    attached: set[int] = set()
    for n, loc in enumerate(locals_):
        if loc.partial is None:
            continue
        lone[loc.partial].append(n)
        # the roots of the related persons with that token: one asks for a root's related
        # members only until one is found, and stops at a second root
        candidates: set[int] = set()
        for c in token_index.get(loc.partial, []):
            root = uf.find(c)
            if root in candidates:
                continue
            if related.cosine(loc.article, locals_[c].article) >= related_threshold:
                candidates.add(root)
                if len(candidates) > 1:
                    break
        if len(candidates) == 1:
            uf.union(n, candidates.pop())
            attached.add(n)
    for group in lone.values():  # still-lone surnames of one story: one person
        group = [n for n in group if n not in attached]
        _merge_related(group, locals_, uf, related, related_threshold)
    # pass 2d: nominals by head noun inside one story
    if merge_nominals:
        heads: dict[str, list[int]] = defaultdict(list)
        for n, loc in enumerate(locals_):
            if loc.kind == "nominal":
                heads[next(iter(loc.keys))].append(n)
        for group in heads.values():
            _merge_related(group, locals_, uf, related, related_threshold)

    clusters: dict[int, list[int]] = defaultdict(list)
    for n in range(len(locals_)):
        clusters[uf.find(n)].append(n)
    return [sorted(i for n in members for i in locals_[n].members) for members in clusters.values()]


def context_label(text: str, mention: Mention) -> str | None:
    """The label the words around ``mention`` give it (:data:`CONTEXT_LABELS`), if any."""
    before = text[max(0, mention.start - 40) : mention.start]
    after = text[mention.end : mention.end + 30]
    around = f"{before}@{after}"
    for label, where, pattern, _ in CONTEXT_LABELS:
        window = before if where == "before" else after if where == "after" else around
        if pattern.search(window):
            return label
    return None


def labels_by_evidence(mentions: Sequence[Mention], texts: Mapping[str, str]) -> Sequence[Mention]:
    """The model's labels, except for names the context speaks against: each name (folded)
    that the words around some mention give a label (:func:`context_label`) is voted over
    all its mentions in the corpus — the model's label one vote, the context's two — and
    when that vote is not PERSON, its PERSON-labelled mentions take the winning label. A
    name no context speaks of keeps the model's labels (the entity vote then decides)."""
    return _labels_by_votes(mentions, [_context(texts.get(m.article, ""), m) for m in mentions])


def _context(text: str, mention: Mention) -> str | None:
    """:func:`context_label` of a capitalised mention (None for others)."""
    return context_label(text, mention) if mention.text[:1].isupper() else None


def _span(m: Mention) -> tuple[str, int, int]:
    return (m.article, m.start, m.end)


def _labels_by_votes(
    mentions: Sequence[Mention], contexts: Sequence[str | None]
) -> Sequence[Mention]:
    """:func:`labels_by_evidence` given each mention's :func:`_context` label."""
    evidence: dict[str, Counter[str]] = {}
    for m, found in zip(mentions, contexts, strict=True):
        if found:
            evidence.setdefault(fold(m.text), Counter())
    if not evidence:
        return mentions
    for m, found in zip(mentions, contexts, strict=True):
        votes = evidence.get(fold(m.text))
        if votes is not None:
            votes[m.label] += 1
            if found:
                votes[found] += 2
    winners = {
        key: max(votes, key=lambda lab: (votes[lab], lab != "PERSON", lab))
        for key, votes in evidence.items()
    }
    out = []
    for m in mentions:
        win = winners.get(fold(m.text))
        if win and win != "PERSON" and m.label == "PERSON":
            m = replace(m, label=win)
        out.append(m)
    return out


_WORD = re.compile(r"(?<![\w'’-])([A-Za-z][a-z]+)\b")
#: The :data:`_WORD` matches in lower case, and those capitalised mid-sentence: after a
#: lower-case letter or a comma and a whitespace character, or those and a line break (what
#: ``[a-z,]\s$`` finds in the three characters before the word: ``$`` also matches before a
#: last line break). Each finds exactly the matches of :data:`_WORD` it keeps: where
#: ``_WORD`` cannot match, neither can they (the same word pattern), and no match of either
#: starts inside another's, after a word character.
_LOWER_WORD = re.compile(r"(?<![\w'’-])([a-z][a-z]+)\b")
_MID_SENTENCE_CAPITAL = re.compile(r"(?:(?<=[a-z,]\s)|(?<=[a-z,]\s\n))(?<![\w'’-])([A-Z][a-z]+)\b")


def _common_words(corpus: CorpusStats, mentions: Sequence[Mention]) -> frozenset[str]:
    """Capitalised mention words that the corpus writes in lower case at least as often as
    capitalised mid-sentence: "Robbers", "Police" (common nouns) but not "Luck", "Page"."""
    wanted = {
        t.lower()
        for m in mentions
        for t in _TOKEN.findall(m.text)
        if t[0].isupper() and t[1:].islower()
    }
    if not wanted:
        return frozenset()
    counts = corpus.case_counts(wanted)
    return frozenset(w for w, (lower, capital) in counts.items() if lower >= 2 and lower >= capital)


def _first_mention(ids: list[int], mentions: Sequence[Mention]) -> tuple[str, int, int]:
    return min((mentions[i].article, mentions[i].start, mentions[i].end) for i in ids)


def _surname_tokens(forms: Sequence[NameForm], mentions: Sequence[Mention]) -> frozenset[str]:
    """Folded tokens used as surnames at least half as often as as stand-alone non-person
    names. A lone "Singh" in an article that also names "Rajnath Singh" counts as a surname
    use whatever its label, so the model's habit of tagging "Singh" GPE does not turn every
    orphan "Singh" into a place that merges across unrelated stories."""
    in_article: dict[str, set[str]] = defaultdict(set)
    for f, m in zip(forms, mentions, strict=True):
        if f.kind == "person" and len(f.tokens) >= 2:
            in_article[m.article].add(fold(f.tokens[-1]))
    as_surname: Counter[str] = Counter()
    as_other: Counter[str] = Counter()
    for f, m in zip(forms, mentions, strict=True):
        if f.kind == "person" and len(f.tokens) >= 2:
            as_surname[fold(f.tokens[-1])] += 1
        elif f.kind == "name" and len(f.tokens) == 1:
            tok = fold(f.tokens[0])
            if tok in in_article[m.article]:
                as_surname[tok] += 1
            else:
                as_other[tok] += 1
    return frozenset(t for t, n in as_surname.items() if n >= as_other[t] / 2)


def _merge_related(
    group: list[int],
    locals_: list[_Local],
    uf: UnionFind,
    related: _Relatedness,
    threshold: float,
) -> None:
    for x, a in enumerate(group):
        for b in group[x + 1 :]:
            if locals_[a].article == locals_[b].article or uf.find(a) == uf.find(b):
                continue
            if related.cosine(locals_[a].article, locals_[b].article) >= threshold:
                uf.union(a, b)


_TYPE_PRIORITY = {"PERSON": 0, "ORG": 1, "GPE": 2, "LOC": 3, "FAC": 4, "PRODUCT": 5}


#: Labels the small model gives a lone surname ("Singh" as GPE).
_SURNAME_LABELS = frozenset({"PERSON", "GPE", "NORP"})


def _entity_type(pool: Sequence[int], mentions: Sequence[Mention], forms: list[NameForm]) -> str:
    """The type the evidence of all mentions supports.

    Each mention votes its label; a title ("Mr", "Gen.") votes PERSON twice whatever the
    label, and a lone word that is part of a full person name of the entity ("Singh" of
    "Rajnath Singh", which the small model often labels GPE) votes PERSON; a designation
    ("AK-203") makes a PRODUCT. PERSON needs more than half of the votes: one PERSON label
    among ORG and FAC ones does not make a person. A lone word of a full person name votes
    PERSON only when the model called it a person or a place-name (GPE, NORP: its habit
    with surnames); "Horizon" labelled LOC or ORG votes so, and outvotes the PERSON labels
    the model gives "Deepwater Horizon". Ties go to the label ranked first in
    ``_TYPE_PRIORITY``.
    """
    if any(forms[i].kind == "designation" for i in pool):
        return "PRODUCT"
    name_parts = {
        fold(t)
        for i in pool
        if forms[i].kind == "person" and len(forms[i].tokens) >= 2
        for t in forms[i].tokens
    }
    votes: Counter[str] = Counter()
    for i in pool:
        titled = forms[i].person_hint and mentions[i].label != "PERSON"
        part = (
            len(forms[i].tokens) == 1
            and mentions[i].label in _SURNAME_LABELS
            and fold(forms[i].tokens[0]) in name_parts
        )
        votes["PERSON" if titled or part else mentions[i].label] += 2 if titled else 1
    if votes["PERSON"] * 2 > sum(votes.values()):
        return "PERSON"
    if len(votes) > 1:
        votes.pop("PERSON", None)
    return min(votes, key=lambda lab: (-votes[lab], _TYPE_PRIORITY.get(lab, 9), lab))


def _canonical_name(
    article_count: Mapping[str, set[str]],
    mention_count: Mapping[str, int],
    kind_of: Callable[[str], str],
) -> str:
    """An entity's name: full names and expansions first, then the form most articles use,
    then the most mentioned, the longest, and alphabetical order to break ties. One rule for
    the global pass and the stored index, so both name an entity alike."""

    def rank(form_text: str) -> tuple:
        kind = kind_of(form_text)
        multi = len(form_text.split()) >= 2 and kind not in ("acronym", "designation")
        if kind == "nominal":
            tier = 3
        elif kind == "designation":
            tier = 0
        else:
            tier = 0 if multi else (1 if kind == "acronym" else 2)
        return (
            tier,
            -len(article_count[form_text]),
            -mention_count[form_text],
            -len(form_text.split()),
            form_text.lower(),
            form_text,
        )

    return min(article_count, key=rank)


def _build_entity(
    mention_ids: list[int], mentions: Sequence[Mention], forms: list[NameForm]
) -> Entity:
    named = [i for i in mention_ids if forms[i].kind not in ("pronoun",)]
    pool = named or mention_ids
    etype = _entity_type(pool, mentions, forms)
    # canonical name: the form most articles use; prefer full names / expansions
    article_count: dict[str, set[str]] = defaultdict(set)
    mention_count: Counter[str] = Counter()
    for i in pool:
        article_count[forms[i].form].add(mentions[i].article)
        mention_count[forms[i].form] += 1

    name = _canonical_name(
        article_count,
        mention_count,
        lambda form: next(forms[i].kind for i in pool if forms[i].form == form),
    )
    aliases = tuple(sorted({forms[i].form for i in pool}, key=lambda s: (s.lower(), s)))
    articles = tuple(sorted({mentions[i].article for i in mention_ids}))
    digest = hashlib.sha1(f"{etype}|{name.lower()}".encode()).hexdigest()[:16]
    return Entity(
        id=digest,
        name=name,
        type=etype,
        aliases=aliases,
        articles=articles,
        mentions=len(mention_ids),
    )


__all__ = [
    "CorpusStats",
    "NameForm",
    "Resolution",
    "analyse",
    "designation_key",
    "first_names_compatible",
    "fold",
    "initials",
    "resolve",
    "text_facts",
    "TextFacts",
]


# --------------------------------------------------------------------------- incremental
#
# The pieces :func:`resolve` is made of, exposed per article so a store can keep them and
# resolve incrementally (``newsweave.store.entity_index``): what each article contributes
# to the corpus-wide evidence (label votes, surname uses, spelled-out acronyms), the words
# whose corpus-wide status its first pass read, and its first-pass clusters. Resolving a
# store batch by batch with these gives exactly what :func:`resolve` gives on all of it.


def name_votes(
    mentions: Sequence[Mention], contexts: Mapping[tuple[str, int, int], str]
) -> tuple[Counter[tuple[str, str]], set[str]]:
    """One article's share of :func:`_labels_by_votes`: ``(votes per (folded name, label),
    folded names some context speaks of)``."""
    votes: Counter[tuple[str, str]] = Counter()
    evidence: set[str] = set()
    for m in mentions:
        key = fold(m.text)
        votes[key, m.label] += 1
        found = contexts.get(_span(m))
        if found:
            votes[key, found] += 2
            evidence.add(key)
    return votes, evidence


def vote_winner(votes: Mapping[str, int]) -> str:
    """The label a folded name's votes give it (ties as in :func:`labels_by_evidence`)."""
    return max(votes, key=lambda lab: (votes[lab], lab != "PERSON", lab))


def relabel(mentions: Sequence[Mention], winners: Mapping[str, str]) -> list[Mention]:
    """PERSON mentions of a name whose vote (``winners``: folded name -> label, for names
    some context speaks of) is not PERSON take the winning label."""
    out = []
    for m in mentions:
        win = winners.get(fold(m.text)) if m.label == "PERSON" else None
        out.append(replace(m, label=win) if win and win != "PERSON" else m)
    return out


def mention_words(mentions: Iterable[Mention]) -> tuple[set[str], set[str]]:
    """``(the lower-cased words :func:`analyse` reads in the mentions, the capitalised ones
    that :func:`_common_words` asks the corpus about)``: a change in whether a word is
    common changes the reading of the mentions that contain it."""
    tokens: set[str] = set()
    wanted: set[str] = set()
    for m in mentions:
        text_tokens, text_wanted = text_words(m.text)
        tokens.update(text_tokens)
        wanted.update(text_wanted)
    return tokens, wanted


@lru_cache(maxsize=1 << 16)
def text_words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """:func:`mention_words` of one mention text, kept per process: the entity index reads
    an article's words again each time a status they depend on flips, and the same names
    recur across articles."""
    wanted = frozenset(
        t.lower() for t in _TOKEN.findall(text) if t[0].isupper() and t[1:].islower()
    )
    return frozenset(t.lower() for t in _clean_tokens(text)), wanted


def is_common(lower: int, capital: int) -> bool:
    """Whether a word the corpus writes ``lower`` times in lower case and ``capital`` times
    capitalised mid-sentence counts as a common noun (see :func:`_common_words`)."""
    return lower >= 2 and lower >= capital


def surname_uses(forms: Sequence[NameForm]) -> dict[str, list[int]]:
    """One article's share of :func:`_surname_tokens`: folded token -> [uses as a surname,
    uses as a stand-alone other name]."""
    in_article = {fold(f.tokens[-1]) for f in forms if f.kind == "person" and len(f.tokens) >= 2}
    uses: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in forms:
        if f.kind == "person" and len(f.tokens) >= 2:
            uses[fold(f.tokens[-1])][0] += 1
        elif f.kind == "name" and len(f.tokens) == 1:
            tok = fold(f.tokens[0])
            uses[tok][0 if tok in in_article else 1] += 1
    return dict(uses)


def is_surname(as_surname: int, as_other: int) -> bool:
    """Whether a token used so is a surname across the corpus (:func:`_surname_tokens`)."""
    return as_surname > 0 and as_surname >= as_other / 2


def form_terms(forms: Sequence[NameForm]) -> tuple[set[str], set[str]]:
    """``(folded single tokens whose surname status the first pass reads, acronyms whose
    known expansion it reads)`` for one article's forms. The first pass reads a token's
    surname status only for a one-word name (:func:`_article_clusters`: a lone name that
    no full name of the article takes is a person if the corpus uses it as a surname; a
    one-word person form is one already, acronyms and nominals never are)."""
    singles = {fold(f.tokens[0]) for f in forms if f.kind == "name" and len(f.tokens) == 1}
    acronyms = {f.key.upper().replace("&", "") for f in forms if f.kind == "acronym"}
    return singles, acronyms


@dataclass(frozen=True, slots=True)
class LocalCluster:
    """One first-pass cluster of one article, as a store keeps it: what the second pass
    (:func:`cluster_locals`) needs, and each member mention with how it reads
    (``(start, end, voted label, form, kind, person hint, tokens)``)."""

    article: str
    kind: str
    keys: tuple[str, ...]
    surname: str | None
    given: tuple[str, ...]
    partial: str | None
    shorts: tuple[str, ...]
    members: tuple[tuple[int, int, str, str, str, bool, tuple[str, ...]], ...]

    def links(self) -> set[str]:
        """The links through which this cluster meets clusters of other articles (see
        :func:`region_links`): ``k:`` keys, ``s:`` short names, ``sn:`` surname, ``g:``
        given names and ``p:`` a lone surname."""
        out = {f"k:{k}" for k in self.keys} | {f"s:{k}" for k in self.shorts}
        if self.kind == "person" and self.surname is not None:
            out.add(f"sn:{self.surname}")
            out.update(f"g:{fold(g)}" for g in self.given)
        if self.partial is not None:
            out.add(f"p:{self.partial}")
        return out


def region_links(link: str) -> tuple[str, ...]:
    """The links whose clusters a cluster with ``link`` can merge with or whose merging
    changes its own: a key and the short names that stand for it, a surname and the lone
    surnames and other full names with it, a given name and lone names equal to it."""
    kind, _, value = link.partition(":")
    if kind in ("k", "s"):
        return (f"k:{value}", f"s:{value}")
    if kind == "sn":
        return (f"sn:{value}", f"p:{value}")
    if kind == "g":
        return (f"p:{value}",)
    return (f"p:{value}", f"sn:{value}", f"g:{value}")


def first_pass(
    article: str,
    mentions: Sequence[Mention],
    *,
    common: frozenset[str],
    surnames: frozenset[str],
    known: Mapping[str, frozenset[str]],
    spelled: Mapping[str, str],
    forms: Sequence[NameForm] | None = None,
) -> list[LocalCluster]:
    """The first-pass clusters of one article's ``mentions`` (labels already voted, in text
    order; ``forms``: their :func:`analyse` under ``common``, computed when not given), given
    the corpus-wide word statuses it reads."""
    if forms is None:
        forms = [analyse(m.text, m.label, common) for m in mentions]
    forms = list(forms)
    idx = list(range(len(mentions)))
    locals_ = _article_clusters(article, spelled, idx, forms, mentions, surnames, common, known)
    out = []
    for loc in locals_:
        if not loc.members:
            continue
        members = tuple(
            (
                mentions[i].start,
                mentions[i].end,
                mentions[i].label,
                forms[i].form,
                forms[i].kind,
                forms[i].person_hint,
                forms[i].tokens,
            )
            for i in sorted(loc.members, key=lambda i: (mentions[i].start, mentions[i].end))
        )
        out.append(
            LocalCluster(
                article=article,
                kind=loc.kind,
                keys=tuple(sorted(loc.keys)),
                surname=loc.surname,
                given=loc.given,
                partial=loc.partial,
                shorts=tuple(sorted(loc.shorts)),
                members=members,
            )
        )
    return out


def cluster_region(
    clusters: Sequence[LocalCluster],
    terms_of: Callable[[str], Mapping[str, int]],
    *,
    related_threshold: float = 0.2,
    merge_nominals: bool = True,
    blocked: frozenset[str] = frozenset(),
) -> list[list[int]]:
    """The second pass (:func:`cluster_locals`) over a region of first-pass clusters closed
    under :func:`region_links` and whole entities; returns the indexes into ``clusters`` of
    each entity. Members are not read (they may be left out). ``blocked``: short names that
    clusters outside the region also have (see :func:`cluster_locals`)."""
    locals_ = [
        _Local(
            article=c.article,
            kind=c.kind,  # type: ignore[arg-type]
            members=[n],
            keys=set(c.keys),
            surname=c.surname,
            given=tuple(c.given),
            partial=c.partial,
            shorts=set(c.shorts),
        )
        for n, c in enumerate(clusters)
    ]
    corpus = CorpusStats(
        size=0,
        case_counts=lambda words: {},
        expansions={},
        doc_freq=lambda terms: {},
        terms_of=terms_of,
    )
    return cluster_locals(
        locals_,
        _Relatedness(corpus),
        related_threshold=related_threshold,
        merge_nominals=merge_nominals,
        blocked=blocked,
    )


#: How a group of an entity's mentions reads: (form, kind, voted label, person hint, tokens).
FormKey = tuple[str, str, str, bool, tuple[str, ...]]


@dataclass(slots=True)
class FormRow:
    """The mentions of an entity that read alike (:data:`FormKey`): how many, the first,
    and their articles — all :func:`entity_from_rows` needs, and additive, so a store can
    keep it per entity and add a new article's mentions without reading the old ones."""

    count: int
    first: tuple[str, int, int]
    articles: set[str]


def entity_rows(clusters: Iterable[LocalCluster]) -> dict[FormKey, FormRow]:
    """The :class:`FormRow` of the members of first-pass ``clusters``."""
    rows: dict[FormKey, FormRow] = {}
    for c in clusters:
        for start, end, label, form, kind, hint, tokens in c.members:
            key = (form, kind, label, bool(hint), tuple(tokens))
            pos = (c.article, start, end)
            row = rows.get(key)
            if row is None:
                rows[key] = FormRow(1, pos, {c.article})
            else:
                row.count += 1
                row.first = min(row.first, pos)
                row.articles.add(c.article)
    return rows


def add_rows(into: dict[FormKey, FormRow], other: Mapping[FormKey, FormRow]) -> None:
    """Add ``other``'s rows to ``into`` (the mentions of both)."""
    for key, row in other.items():
        mine = into.get(key)
        if mine is None:
            into[key] = FormRow(row.count, row.first, set(row.articles))
        else:
            mine.count += row.count
            mine.first = min(mine.first, row.first)
            mine.articles |= row.articles


def entity_from_rows(rows: Mapping[FormKey, FormRow]) -> tuple[Entity, tuple[str, int, int]]:
    """What :func:`_build_entity` makes of the mentions the ``rows`` sum up: ``(entity with
    its type/name hash as id, its first mention)``."""
    named = {k: r for k, r in rows.items() if k[1] != "pronoun"}
    pool = named or dict(rows)
    if any(k[1] == "designation" for k in pool):
        etype = "PRODUCT"
    else:
        name_parts = {fold(t) for k in pool if k[1] == "person" and len(k[4]) >= 2 for t in k[4]}
        votes: Counter[str] = Counter()
        for (_, _, label, hint, tokens), row in pool.items():
            titled = hint and label != "PERSON"
            part = len(tokens) == 1 and label in _SURNAME_LABELS and fold(tokens[0]) in name_parts
            votes["PERSON" if titled or part else label] += (2 if titled else 1) * row.count
        if votes["PERSON"] * 2 > sum(votes.values()):
            etype = "PERSON"
        else:
            if len(votes) > 1:
                votes.pop("PERSON", None)
            etype = min(votes, key=lambda lab: (-votes[lab], _TYPE_PRIORITY.get(lab, 9), lab))
    article_count: dict[str, set[str]] = defaultdict(set)
    mention_count: Counter[str] = Counter()
    first_kind: dict[str, tuple[tuple[str, int, int], str]] = {}
    for (form, kind, _, _, _), row in pool.items():
        article_count[form] |= row.articles
        mention_count[form] += row.count
        if form not in first_kind or row.first < first_kind[form][0]:
            first_kind[form] = (row.first, kind)

    name = _canonical_name(article_count, mention_count, lambda form: first_kind[form][1])
    digest = hashlib.sha1(f"{etype}|{name.lower()}".encode()).hexdigest()[:16]
    entity = Entity(
        id=digest,
        name=name,
        type=etype,
        aliases=tuple(sorted({k[0] for k in pool}, key=lambda s: (s.lower(), s))),
        articles=tuple(sorted(set().union(*(r.articles for r in rows.values())))),
        mentions=sum(r.count for r in rows.values()),
    )
    return entity, min(r.first for r in rows.values())
