"""Timelines and cited summaries: what a briefing says (rendered by :mod:`newsweave.formats`).

Nothing here invents text: every timeline entry and summary sentence is a sentence taken
from an article, and it carries the articles that support it (the one it was taken from
plus every other article with a near-identical sentence). The briefing numbers those
sources per story and cites them as ``[n]`` → outlet, date.

**Timeline** (:func:`build_timeline`). Input: the :class:`DatedSentence` records of the time
stage (a date per sentence, taken from an expression in the sentence when there is one).
Sentences are pooled per calendar value (``2020-09-03``, ``2021-02``, ``2017``) and kind:

* ``scheduled`` — the sentence talks about its date as future ("will be held in February");
* ``background`` — an anchored past date more than a week before the article appeared
  ("India became a member of the SCO in 2017");
* ``reported`` — what the news reports (the date of the happening, or publication).

A date matters by how many distinct articles talk about it (mentions from articles published
on other days count extra: a date people look back to is a date that mattered). The entry
text is the date's most central sentence (TF-IDF cosine to the date's centroid, with a
mild preference for concise sentences).

**Summaries** (:func:`summarise`): centroid ranking with MMR redundancy removal over the
sentences of an event's articles; a summary sentence cites every article that has a
sentence with cosine ≥ ``support`` to it.
"""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date as Date
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from newsweave.clean import BODY_DATELINE
from newsweave.disjoint_sets import UnionFind
from newsweave.records import (
    Article,
    CitedSentence,
    DatedSentence,
    Event,
    Granularity,
    Published,
    Sentence,
    Span,
    Story,
    StoryBrief,
    TimelineEntry,
    TimelineKind,
    outlet_of,
)
from newsweave.stopwords import ENGLISH_STOP_WORDS

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    TfidfRows = np.ndarray | csr_matrix  # see _vectorise

# A sentence fit for a briefing: not furniture ("ANI | Moscow | Updated ..."), not a fragment.
#: Page furniture anywhere in a sentence (matched without regard to case)...
FURNITURE_MARKS = (
    "|",
    "image credit",
    "updated:",
    "first published",
    "last updated",
    "min read",
    "click here",
    "subscribe",
    "all rights reserved",
    "follow us",
    "read more",
    "advertisement",
)
#: ... or at its start.
_FURNITURE_HEAD = r"topics\s*:"
_FURNITURE = re.compile(
    "|".join([*map(re.escape, FURNITURE_MARKS), "^" + _FURNITURE_HEAD]), re.IGNORECASE
)
_FURNITURE_HEAD_LOWER = re.compile(_FURNITURE_HEAD)
#: Every byte of ASCII but the letters (deleted to count a sentence's letters).
_NOT_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())


def _is_furniture(text: str) -> bool:
    """``_FURNITURE.search(text)``, answered for an ASCII text by substring tests on its
    lower case (the case-blind regex scanned every position for each of its 13 branches:
    0.37 CPU-s over EgyptianProtest_cnn's 27,000 dated sentences). For ASCII, lower case and
    the regex's case-blind match agree letter for letter; other texts take the regex."""
    if not text.isascii():
        return _FURNITURE.search(text) is not None
    low = text.lower()
    return (
        any(mark in low for mark in FURNITURE_MARKS) or _FURNITURE_HEAD_LOWER.match(low) is not None
    )


def _letters(text: str) -> int:
    """How many characters of ``text`` are letters (``str.isalpha``)."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _NOT_LETTERS))
    return sum(map(str.isalpha, text))


MIN_WORDS = 6
MAX_WORDS = 60
BACKGROUND_DAYS = 7
MAX_EVENTS = 12  # events per story in a briefing (the largest ones)


def largest_events(events: Sequence[Event], n: int) -> list[Event]:
    """The ``n`` events with most articles (ties: earlier first)."""
    return sorted(events, key=lambda e: (-len(e.articles), e.date or "", e.id))[:n]


def most_cited(items: Sequence[TimelineEntry], n: int) -> list[int]:
    """Positions of the ``n`` timeline entries most articles speak of, in their order (ties:
    the earlier entry): the key dates a bounded briefing, export or page shows."""
    ranked = sorted(range(len(items)), key=lambda i: (-len(items[i].articles), i))
    return sorted(ranked[:n])


def largest_stories(stories: Sequence[Story]) -> list[Story]:
    """Stories with most articles first (ties: by id)."""
    return sorted(stories, key=lambda s: (-len(s.articles), s.id))


@lru_cache(maxsize=1 << 16)
def usable(text: str) -> bool:
    """True for a sentence a reader can take on its own: 6–60 words, no page furniture."""
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if _is_furniture(text):
        return False
    return _letters(text) >= 0.6 * len(text)


def _tidy(text: str) -> str:
    """One line, without a wire dateline in front ("NEW DELHI: ", "MOSCOW (Reuters) - ")."""
    text = " ".join(text.split())
    m = BODY_DATELINE.match(text)
    if m and (m["agency"] or m["city"].isupper()) and len(text) - m.end() > 20:
        text = text[m.end() :]
    return text


#: A pool's TF-IDF rows are dense while rows x vocabulary stays under this many cells (64 MB
#: of float32: every story of Timeline17 and ECB+), sparse above it. A giant pool (a 7 MB
#: page's sentences of one year, a story of thousands of articles) made dense would take
#: gigabytes (13.5 GB for a 7 MB document); sparse, its memory follows its words.
DENSE_TFIDF_CELLS = 1 << 24


def _vectorise(texts: Sequence[str]) -> TfidfRows:
    """Row-normalised TF-IDF, float32: dense for the usual pools, sparse (CSR) for giant ones
    (:data:`DENSE_TFIDF_CELLS`). Compare rows with :func:`_sims`."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    mat = _tfidf(tuple(texts))
    if mat is None:  # only stop words
        return np.zeros((len(texts), 1), dtype=np.float32)
    if mat.shape[0] * mat.shape[1] > DENSE_TFIDF_CELLS:
        return mat.astype(np.float32).tocsr()
    return mat.toarray().astype(np.float32)


#: scikit-learn's word tokens (``CountVectorizer``'s default ``token_pattern``).
_SKLEARN_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def _pool_terms(text: str) -> tuple[str, ...]:
    """The words ``TfidfVectorizer(stop_words="english")`` reads in ``text``, in order:
    lowercased ``token_pattern`` matches that are not English stop words."""
    return tuple(w for w in _SKLEARN_TOKEN.findall(text.lower()) if w not in ENGLISH_STOP_WORDS)


#: Process-local word ids (an id only names a word here) of the pools' words, cleared with
#: the texts' ids (:func:`_pool_word_ids`) when the vocabulary passes this many words.
POOL_WORDS_KEPT = 500_000
_POOL_WORD_IDS: dict[str, int] = {}
_POOL_WORDS: list[str] = []


@lru_cache(maxsize=1 << 17)
def _pool_word_ids(text: str) -> np.ndarray:
    """The ids of :func:`_pool_terms` of ``text``, in order. Kept per process: a sentence is
    read once, however many pools (its date's, the story's topic) and rebuilds of its
    story's timeline take it."""
    ids = []
    for word in _pool_terms(text):
        i = _POOL_WORD_IDS.get(word)
        if i is None:
            i = _POOL_WORD_IDS[word] = len(_POOL_WORDS)
            _POOL_WORDS.append(word)
        ids.append(i)
    return np.array(ids, dtype=np.int32)


def tfidf_rows(texts: Sequence[str]) -> csr_matrix | None:
    """``TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)``,
    value for value (same floats, same index order), without the estimator's per-call
    validation and in array operations over each text's word ids, read once per process
    (:func:`_pool_word_ids`); None when the texts hold only stop words (where the
    vectorizer raises).

    The steps are scikit-learn's own (1.x): counts in vocabulary order of first appearance
    (so a row's values are stored in the order its words first appear in the pool), those
    columns renamed to the sorted vocabulary, every column kept (``_limit_features``), then
    ``TfidfTransformer``: smoothed IDF ``ln((1+n)/(1+df)) + 1``, ``1 + ln(tf)``, and the rows
    scaled to unit length by scikit-learn's own in-place kernel (the order of a row's sum of
    squares decides the last bit). tests/test_brief.py checks it against the vectorizer
    itself."""
    from scipy import sparse

    if len(_POOL_WORDS) > POOL_WORDS_KEPT:
        _POOL_WORD_IDS.clear()
        _POOL_WORDS.clear()
        _pool_word_ids.cache_clear()
    n = len(texts)
    arrays = [_pool_word_ids(t) for t in texts]
    lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=n)
    if not lengths.any():
        return None
    words, first, where = np.unique(np.concatenate(arrays), return_index=True, return_inverse=True)
    k = len(words)
    # the vectorizer's vocabulary: words numbered in order of first appearance
    appear = np.argsort(first, kind="stable")
    column = np.empty(k, dtype=np.int64)
    column[appear] = np.arange(k, dtype=np.int64)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    # (row, column) pairs counted, sorted by row then column: the counts' CSR order
    cells, values = np.unique(rows * k + column[where], return_counts=True)
    names = [_POOL_WORDS[w] for w in words[appear].tolist()]
    rename = np.empty(k, dtype=np.int32)
    rename[sorted(range(k), key=names.__getitem__)] = np.arange(k, dtype=np.int32)
    indices = rename[cells % k]
    indptr = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.bincount(cells // k, minlength=n), out=indptr[1:])
    data = values.astype(np.float64)  # the vectorizer's counts are float64 from the start
    df = np.bincount(indices, minlength=k).astype(np.float64)
    df += 1.0
    idf = np.full_like(df, fill_value=n + 1, dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    np.log(data, data)
    data += 1.0
    data *= idf[indices]
    _normalize_rows_l2(data, indptr)
    return sparse.csr_matrix((data, indices, indptr), shape=(n, k))


def _normalize_rows_l2(data: np.ndarray, indptr: np.ndarray) -> None:
    """Scale each CSR row to unit length in place, bit for bit what scikit-learn's
    ``inplace_csr_row_normalize_l2`` does: a row's squares summed one after another in
    float64, in index order (so the last bit is the same), the square root, each value
    divided by it; an all-zero row left alone. Vectorised across rows: step ``k`` adds the
    ``k``-th square of every row that has one (no reassociation within a row). Importing
    scikit-learn for this kernel cost 0.7-1 CPU-s per process."""
    lengths = np.diff(indptr)
    if not len(lengths) or not lengths.max(initial=0):
        return
    starts = indptr[:-1].astype(np.int64)
    squares = data * data
    sums = np.zeros(len(lengths), dtype=np.float64)
    for k in range(int(lengths.max())):
        rows = np.flatnonzero(lengths > k)
        sums[rows] += squares[starts[rows] + k]
    norms = np.sqrt(sums)
    norms[sums == 0.0] = 1.0  # left alone
    data /= np.repeat(norms, lengths)


class _PoolCache:
    """The sparse TF-IDF rows of pools of texts, kept per process up to ``budget`` bytes in
    all, the pool's texts (the key) counted with its rows (least recently used out first;
    a pool bigger than a tenth of that is not kept): a story's timeline is rebuilt when an
    article joins it, and most of its dates' pools are those it had before."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.held = 0
        self.hits = self.misses = 0
        self._rows: dict[tuple[str, ...], tuple[csr_matrix | None, int]] = {}

    def __call__(self, texts: tuple[str, ...]) -> csr_matrix | None:
        if texts in self._rows:
            self.hits += 1
            kept = self._rows[texts] = self._rows.pop(texts)  # most recently used last
            return kept[0]
        self.misses += 1
        mat = tfidf_rows(texts)
        size = _held_bytes(texts, mat)
        if size <= self.budget // 10:
            self._rows[texts] = (mat, size)
            self.held += size
            while self.held > self.budget:
                self.held -= self._rows.pop(next(iter(self._rows)))[1]
        return mat

    def clear(self) -> None:
        self._rows.clear()
        self.held = self.hits = self.misses = 0


def _held_bytes(texts: tuple[str, ...], mat: csr_matrix | None) -> int:
    """What keeping ``mat`` under the key ``texts`` holds: the strings and the tuple, and
    the matrix's three arrays (at 10k generated articles the texts were three quarters of
    it: 150 MB held for 4M stored values counted as 48 MB)."""
    size = sys.getsizeof(texts) + sum(sys.getsizeof(t) for t in texts)
    if mat is not None:
        size += mat.data.nbytes + mat.indices.nbytes + mat.indptr.nbytes
    return size


#: Bytes the per-process pool cache keeps (texts and rows together).
TFIDF_CACHE_BYTES = 48_000_000
_tfidf = _PoolCache(TFIDF_CACHE_BYTES)


def _sims(vec: TfidfRows, rows: int | Sequence[int]) -> np.ndarray:
    """Cosines of every row of ``vec`` (:func:`_vectorise`) to row ``rows`` (1-d), or to each
    of the rows ``rows`` (one column each)."""
    if isinstance(vec, np.ndarray):
        return vec @ vec[rows].T
    out = (vec @ vec[rows].T).toarray()
    return out.ravel() if isinstance(rows, (int, np.integer)) else out


def _day(value: str | None) -> Date | None:
    if not value or len(value) < 10:
        return None
    try:
        return Date.fromisoformat(value[:10])
    except ValueError:
        return None


# --------------------------------------------------------------------------- timeline


def sentence_kind(ds: DatedSentence, published: str | None) -> TimelineKind:
    """scheduled / background / reported for one dated sentence (see module docstring)."""
    if ds.relation == "future":
        return "scheduled"
    if ds.anchored and ds.relation == "past":
        pub = _day(published)
        start = _date_start(ds.date)
        if pub and start and (pub - start).days > BACKGROUND_DAYS:
            return "background"
    return "reported"


def _date_start(value: str) -> Date | None:
    """First day of a TIMEX3-style calendar value ("2021-02" → 2021-02-01), if any."""
    m = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
    try:
        return Date(y, mo, d)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class TimelineCandidate:
    """A dated sentence that may enter a timeline (:func:`timeline_candidates`): its kind,
    its article's publication date and its text as an entry shows it (:func:`_tidy`)."""

    ds: DatedSentence
    kind: TimelineKind
    published: str | None
    text: str


def timeline_candidates(
    dated: Iterable[DatedSentence], published: str | None
) -> tuple[TimelineCandidate, ...]:
    """The sentences of one article (published ``published``) a timeline may take: usable
    (:func:`usable`), dated by a calendar value, and not a plan without a date of its own.
    A function of that article alone, so a caller that rebuilds a story's timeline as the
    story grows may keep each article's candidates (:func:`timeline_of_candidates`)."""
    out = []
    for ds in dated:
        if not usable(ds.text) or not _CALENDAR_VALUE.match(ds.date):
            continue
        if ds.relation == "future" and not ds.anchored:
            continue  # "will be imported" with no date: not a dated plan
        out.append(TimelineCandidate(ds, sentence_kind(ds, published), published, _tidy(ds.text)))
    return tuple(out)


def _central(texts: Sequence[str]) -> tuple[TfidfRows, np.ndarray]:
    """TF-IDF rows and each row's cosine to the pool centroid."""
    vec = _vectorise(texts)
    centre = np.asarray(vec.mean(axis=0), dtype=np.float32).ravel()
    norm = float(np.linalg.norm(centre))
    scores = vec @ (centre / norm) if norm > 0 else np.zeros(len(texts), dtype=np.float32)
    return vec, scores


def _word_counts(texts: Sequence[str]) -> np.ndarray:
    return np.array([len(t.split()) for t in texts], dtype=np.float32)


def _scored(central: np.ndarray, lengths: np.ndarray, prior: np.ndarray | None) -> np.ndarray:
    """A sentence's score for a pick: its centrality, plus ``prior``, less a mild length
    preference (concise sentences read better in a timeline: ~25 words best)."""
    scores = central if prior is None else central + prior
    return scores - 0.004 * np.abs(lengths - 25)


def _pick(
    texts: Sequence[str], k: int, lam: float = 0.7, prior: np.ndarray | None = None
) -> tuple[list[int], TfidfRows]:
    """Indices of ``k`` central, mutually different sentences (MMR), and the TF-IDF rows;
    ``prior`` adds a per-sentence bonus to the centrality score."""
    vec, central = _central(texts)
    scores = _scored(central, _word_counts(texts), prior)
    chosen: list[int] = []
    while len(chosen) < min(k, len(texts)):
        if chosen:
            red = _sims(vec, chosen).max(axis=1)
            mmr = lam * scores - (1 - lam) * red
        else:
            mmr = scores.copy()
        mmr[chosen] = -np.inf
        best = int(np.argmax(mmr))
        if chosen and red[best] > 0.8:  # nothing new left
            break
        chosen.append(best)
    return chosen, vec


class _CentralKept:
    """What a timeline entry's choice keeps of a date's pool, per process, by the pool's
    texts: each sentence's centrality (:func:`_central`) and length in words, and for each
    sentence chosen the cosines of all to it (:func:`_sims`): a story's timeline is rebuilt
    whenever an article joins the story, and most of its dates' pools are the ones it had.
    At most ``budget`` bytes in all, the pool's texts (the key) counted (least recently
    used pools out first)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.held = 0
        # texts -> [centrality, lengths, {chosen: cosines}, bytes held]
        self._pools: dict[tuple[str, ...], list] = {}

    def pick(self, texts: tuple[str, ...], prior: np.ndarray) -> tuple[int, np.ndarray]:
        """``_pick(texts, 1, prior=prior)``'s sentence and ``_sims`` of it, value for value."""
        vec = None
        entry = self._pools.pop(texts, None)
        if entry is None:
            vec, central = _central(texts)
            lengths = _word_counts(texts)
            entry = [central, lengths, {}, _held_bytes(texts, None) + 2 * lengths.nbytes]
            self.held += entry[3]
        self._pools[texts] = entry  # most recently used last
        central, lengths, chosen, _ = entry
        best = int(np.argmax(_scored(central, lengths, prior)))  # _pick's first choice
        sims = chosen.get(best)
        if sims is None:
            sims = chosen[best] = _sims(_vectorise(texts) if vec is None else vec, best)
            entry[3] += sims.nbytes
            self.held += sims.nbytes
        while self.held > self.budget and self._pools:
            self.held -= self._pools.pop(next(iter(self._pools)))[3]
        return best, sims

    def clear(self) -> None:
        self._pools.clear()
        self.held = 0


#: Bytes the per-process cache of timeline pools' choices keeps (texts counted).
CENTRAL_KEPT_BYTES = 32_000_000
_central_kept = _CentralKept(CENTRAL_KEPT_BYTES)


def _central_pick(texts: tuple[str, ...], prior: np.ndarray) -> tuple[int, np.ndarray]:
    """The most central sentence of ``texts`` after ``prior`` and the length preference (what
    ``_pick(texts, 1, prior=prior)`` chooses), and every sentence's cosine to it."""
    return _central_kept.pick(texts, prior)


#: Date ranking is normalised by how much was published around the date: a day's count of
#: mentioning articles is divided by (1 + articles published within ±VOLUME_WINDOW days)
#: ** VOLUME_ALPHA. Coverage of a long crisis is front-heavy (the first weeks of a war have
#: most of the articles); without this the dates of the busy weeks crowd out the later
#: turning points. Chosen on Timeline17 (6 topics) among 0–1.5 × 3/7/14 days: 0.75 × 7 is
#: the middle of the good region and no topic loses more than 0.02 date F1 (docs/events.md).
VOLUME_WINDOW = 7
VOLUME_ALPHA = 0.75
#: Weight of a sentence's TF-IDF cosine to the whole collection when choosing a date's
#: sentences (on topic beats merely central among the day's sentences).
TOPIC_PRIOR = 0.3
#: The period is cut into this many equal spans; the best date of each span with any is
#: taken first, so a timeline reaches the end of the coverage.
COVERAGE_SPANS = 5
_CALENDAR_VALUE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def volume_normalised(
    scores: Mapping[str, float],
    published: Iterable[str | None],
    *,
    window: int = VOLUME_WINDOW,
    alpha: float = VOLUME_ALPHA,
) -> dict[str, float]:
    """``scores`` of day values divided by (1 + articles published within ±``window``
    days) ** ``alpha``; other values (months, years) are returned unchanged."""
    per_day = Counter(d.toordinal() for d in (_day(p) for p in published) if d is not None)
    if not per_day or alpha == 0:
        return dict(scores)
    ordinals = np.array(sorted(per_day), dtype=np.int64)
    cumulative = np.cumsum([per_day[o] for o in ordinals])
    out: dict[str, float] = {}
    for value, score in scores.items():
        day = _day(value) if len(value) == 10 else None
        if day is None:
            out[value] = score
            continue
        o = day.toordinal()
        hi = int(np.searchsorted(ordinals, o + window, side="right"))
        lo = int(np.searchsorted(ordinals, o - window, side="left"))
        volume = int(cumulative[hi - 1]) - (int(cumulative[lo - 1]) if lo > 0 else 0) if hi else 0
        out[value] = score / (1 + volume) ** alpha
    return out


def cover_period(
    ranked: Sequence[str], n: int, start: str | None, end: str | None, spans: int = COVERAGE_SPANS
) -> list[str]:
    """The first ``n`` of ``ranked`` (best first) after giving each of ``spans`` equal
    spans of ``start``..``end`` its best value, so the pick reaches across the period.
    Values outside the period (or undated) only compete on rank."""
    first, last = _date_start(start or ""), _date_start(end or "")
    if not ranked or n <= 0 or first is None or last is None or last <= first or spans < 2:
        return list(ranked[:n])
    width = (last.toordinal() - first.toordinal() + 1) / spans
    taken: list[str] = []
    filled: set[int] = set()
    for value in ranked:
        day = _date_start(value)
        if day is None or not first <= day <= last:
            continue
        span = min(spans - 1, int((day.toordinal() - first.toordinal()) / width))
        if span not in filled:
            filled.add(span)
            taken.append(value)
        if len(filled) == spans:
            break
    taken = taken[:n]
    chosen = set(taken)
    return taken + [v for v in ranked if v not in chosen][: n - len(taken)]


def _topic_prior(texts: Sequence[str]) -> dict[str, float]:
    """TOPIC_PRIOR × each text's TF-IDF cosine to the centroid of all of them."""
    if not texts:
        return {}
    mat = _tfidf(tuple(texts))  # sparse: a topic's pool can hold thousands of sentences
    if mat is None:  # only stop words
        return dict.fromkeys(texts, 0.0)
    centre = np.asarray(mat.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centre))
    scores = mat @ (centre / norm) if norm > 0 else np.zeros(len(texts))
    return {t: TOPIC_PRIOR * float(x) for t, x in zip(texts, scores, strict=True)}


def build_timeline(
    dated: Sequence[DatedSentence],
    articles: Mapping[str, Article],
    *,
    story: str | None = None,
    max_entries: int = 15,
    min_articles: int = 1,
    support: float = 0.35,
) -> list[TimelineEntry]:
    """One entry per date that matters, in date order, each citing its articles.

    ``max_entries`` keeps the dates mentioned by most articles (relative to how much was
    published around them, :func:`volume_normalised`), after the best date of each part of
    the story's period (:func:`cover_period`), so the timeline runs to the end of the
    coverage; ``min_articles`` drops dates fewer articles speak of; ``support`` is the least
    TF-IDF cosine for another article's sentence to count as saying the same thing as the
    entry. Only calendar values (day, month, year) become entries: a week or a weekend
    ("2010-W23-WE") is no date a reader can place. Sentences of articles not in
    ``articles`` are left out.
    """
    by_article: dict[str, list[DatedSentence]] = defaultdict(list)
    for ds in dated:
        if ds.article in articles:
            by_article[ds.article].append(ds)
    candidates = {
        aid: timeline_candidates(rows, articles[aid].published) for aid, rows in by_article.items()
    }
    return timeline_of_candidates(
        candidates,
        {aid: a.published for aid, a in articles.items()},
        story=story,
        max_entries=max_entries,
        min_articles=min_articles,
        support=support,
    )


def timeline_of_candidates(
    candidates: Mapping[str, Sequence[TimelineCandidate]],
    published: Mapping[str, str | None],
    *,
    story: str | None = None,
    max_entries: int = 15,
    min_articles: int = 1,
    support: float = 0.35,
) -> list[TimelineEntry]:
    """:func:`build_timeline` from each article's :func:`timeline_candidates` (by article
    id) and the publication date of every article of the story (``published``, by article
    id: all a timeline reads of its articles besides their sentence dates)."""
    pools: dict[tuple[str, TimelineKind], list[TimelineCandidate]] = defaultdict(list)
    for cands in candidates.values():
        for c in cands:
            pools[(c.ds.date, c.kind)].append(c)
    scored = []
    years = {p[:4] for p in published.values() if p}
    for key, cands in pools.items():
        arts = {c.ds.article for c in cands}
        if len(arts) < min_articles:
            continue
        if len(key[0]) == 4 and key[0] in years:
            continue  # "this year" in a story of that year places nothing
        if not any(c.ds.anchored or c.published == key[0] for c in cands):
            continue  # only inherited from a neighbouring sentence: not a date of its own
        looked_back = {c.ds.article for c in cands if c.ds.anchored and c.published != key[0]}
        anchored = sum(c.ds.anchored for c in cands)
        score = len(arts) + 0.5 * len(looked_back) + 0.01 * anchored
        if granularity_of(key[0]) != "day":
            score *= 0.5  # "last month" says less than a day does
        scored.append((score, key))
    weight = volume_normalised({v: 1.0 for _, (v, _k) in scored}, published.values())
    scored = [(score * weight[v], (v, k)) for score, (v, k) in scored]
    scored.sort(key=lambda x: (-x[0], x[1]))
    # background (recalled past) is context: at most a quarter of the entries, so the
    # timeline is mostly what happened in the story and what is planned
    budget = {"background": max(2, max_entries // 4)}
    eligible: list[tuple[str, TimelineKind]] = []
    for _, key in scored:
        if key[1] in budget:
            if budget[key[1]] <= 0:
                continue
            budget[key[1]] -= 1
        eligible.append(key)
    # each part of the story's period first (by its best date), then the rest by rank
    days = sorted(p for p in published.values() if p)
    values = list(dict.fromkeys(v for v, _ in eligible))
    first, last = (days[0], days[-1]) if days else (None, None)
    order = {v: i for i, v in enumerate(cover_period(values, len(values), first, last))}
    rank = {key: i for i, key in enumerate(eligible)}
    picked = sorted(eligible, key=lambda key: (order[key[0]], rank[key]))[:max_entries]
    story_texts = sorted({c.text for key in picked for c in pools[key]})
    topic = _topic_prior(story_texts)
    entries = []
    for value, kind in picked:
        cands = sorted(pools[(value, kind)], key=lambda c: (c.ds.article, c.ds.sentence))
        texts = tuple(c.text for c in cands)
        gran = Counter(c.ds.granularity for c in cands).most_common(1)[0][0]
        # a sentence that names the date itself, on the story's topic, is the better entry
        prior = np.array(
            [
                (0.1 if c.ds.anchored else 0.0) + topic.get(t, 0.0)
                for c, t in zip(cands, texts, strict=True)
            ],
            dtype=np.float32,
        )
        best, sims = _central_pick(texts, prior)
        support_arts = sorted(
            {c.ds.article for c, s in zip(cands, sims, strict=True) if s >= support}
            | {cands[best].ds.article}
        )
        entries.append(
            TimelineEntry(
                date=value,
                granularity=gran,
                kind=kind,
                text=texts[best],
                story=story,
                articles=_by_date(support_arts, published),
            )
        )
    entries.sort(key=lambda e: (_date_start(e.date) or Date.max, e.date, e.kind))
    return entries


def _by_date(ids: Sequence[str], published: Mapping[str, str | None]) -> tuple[str, ...]:
    return tuple(sorted(ids, key=lambda a: (published[a] or "9999", a)))


def select_timeline(
    dated: Sequence[DatedSentence],
    published: Mapping[str, str],
    *,
    n_dates: int,
    per_date: int,
    start: str | None = None,
    end: str | None = None,
    lead_sentences: int = 5,
) -> list[tuple[str, list[str]]]:
    """Timeline summarisation for a large collection (day dates, no story structure).

    Date ranking (after DATEWISE's mention counts, Gholipour Ghalandari & Ifrim 2020): each
    article that mentions a day counts 1 (anchored mention from an article published
    another day) and each article published that day whose lead talks about it counts
    0.5; the count is normalised by the publication volume around the day
    (:func:`volume_normalised`), and the best day of each part of ``start``..``end``
    comes first (:func:`cover_period`); the ``n_dates`` best days win. Per date,
    ``per_date`` sentences by centroid + MMR among the sentences dated to that day, with a
    prior for sentences on the collection's topic (``TOPIC_PRIOR``). Used by
    bench/timeline.py; no parameter depends on the topic.
    """
    mention: dict[str, set[str]] = defaultdict(set)
    pubday: dict[str, set[str]] = defaultdict(set)
    by_day: dict[str, list[str]] = defaultdict(list)
    seen: dict[str, set[str]] = defaultdict(set)
    for ds in dated:
        if ds.granularity != "day" or len(ds.date) != 10:
            continue
        if (start and ds.date < start) or (end and ds.date > end):
            continue
        pub = published.get(ds.article)
        if ds.anchored and pub != ds.date:
            if ds.relation == "future":
                continue
            mention[ds.date].add(ds.article)
        elif ds.sentence < lead_sentences:
            pubday[ds.date].add(ds.article)
        else:
            continue
        if not usable(ds.text):
            continue
        text = _tidy(ds.text)
        if text not in seen[ds.date]:
            seen[ds.date].add(text)
            by_day[ds.date].append(text)
    score = {d: len(mention[d]) + 0.5 * len(pubday[d]) for d in set(mention) | set(pubday)}
    score = volume_normalised(score, published.values())
    days = [d for d, _ in sorted(score.items(), key=lambda x: (-x[1], x[0])) if by_day[d]]
    first, last = (start or min(days), end or max(days)) if days else (None, None)
    picked = cover_period(days, n_dates, first, last)
    topic = _topic_prior([t for d in picked for t in by_day[d]])
    out = []
    for d in sorted(picked):
        texts = by_day[d]
        prior = np.array([topic[t] for t in texts], dtype=np.float32)
        chosen, _ = _pick(texts, per_date, prior=prior)
        out.append((d, [texts[i] for i in chosen]))
    return out


# --------------------------------------------------------------------------- summaries


# A reader can take a sentence on its own unless it leans on the one before: an opening
# pronoun or connective ("He said…", "However, …"), or a bare definite that points back
# ("Russia made the commitment during the meeting…": which commitment?).
_LEANING_OPEN = re.compile(
    r"^[\"“‘']?(?:He|She|It|They|We|I|This|That|These|Those|His|Her|Its|Their|Such|There|Here"
    r"|But|And|Or|Also|However|Meanwhile|Moreover|Furthermore|Still|Yet|So|Then|Thus|Instead"
    r"|Nevertheless|Earlier|Later|Separately|In addition|In turn|As a result|Both sides)\b",
)
_POINTING_BACK = re.compile(
    r"\b(?:the|this|that|these|those|such)\s+(?:(?:commitment|move|decision|announcement"
    r"|remarks?|comments?|pledge|promise|step|development|assurance|request|demand|offer"
    r"|incident|matter|issue|news|statement|proposal|idea|plan|deal|agreement|claim|claims"
    r"|allegations?|measures?|efforts?|case|situation|talks|meeting|visit|report)s?\b"
    r"(?!\s+(?:of|to|that|which|who|by|for|on|from|between|with|in|at|over|about|under|"
    r"between|among|against|into|,\s*which)\b))",
    re.IGNORECASE,
)


def self_contained(text: str) -> bool:
    """True when a sentence does not lean on the one before it: no opening pronoun or
    connective, no bare "the commitment" / "this move" pointing back to an earlier line."""
    text = text.strip()
    if _LEANING_OPEN.match(text):
        return False
    return not _POINTING_BACK.search(text)


_CONTENT = re.compile(r"(?<![\w'’\-])(?:[a-z][a-z'’\-]*[a-z]|\d[\d,.]*)(?![\w'’])")
_ALIGN_WORDS = """a an the of to in on for and or with by at from as is are was were be been
    being has have had it its this that these those he she they we his her their our
    who which what when where
    said says say told also would could will can may might not no but than then there here
    into over about after before during while since up out more most other some such"""
_ALIGN_STOP = frozenset(_ALIGN_WORDS.split())


def _stem(word: str) -> str:
    for suffix in ("ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def predicate_words(text: str) -> set[str]:
    """What a sentence says beyond the names it mentions: its lower-case content words
    (stemmed) and its numbers. Names are shared by every article of an event, so they cannot
    tell "Russia made the commitment…" from "Singh met Shoigu…"; these words can."""
    out = set()
    for w in _CONTENT.findall(text):
        if w[0].isdigit():
            out.add(w.rstrip(".,"))
        elif w not in _ALIGN_STOP:
            out.add(_stem(w))
    return out


SUPPORT_COSINE = 0.5
SUPPORT_COVERAGE = 0.65


def says_the_same(
    claim: str, other: str, cosine: float, *, coverage: float = SUPPORT_COVERAGE
) -> bool:
    """Does ``other`` say what ``claim`` says? ``cosine`` is their TF-IDF cosine (computed
    by the caller over its pool); beyond that, ``other`` must carry at least ``coverage``
    of the claim's lower-case content words and every number the claim states."""
    if cosine < SUPPORT_COSINE:
        return False
    words = predicate_words(claim)
    if not words:
        return cosine >= 0.8
    theirs = predicate_words(other)
    numbers = {w for w in words if w[0].isdigit()}
    if not numbers <= theirs:
        return False
    return len(words & theirs) / len(words) >= coverage


def supported_by(text: str, sentences: Sequence[str]) -> bool:
    """Does any of ``sentences`` (an article's) say the same as ``text``
    (:func:`says_the_same`, with TF-IDF fitted on them)?"""
    if not sentences:
        return False
    vec = _vectorise([text, *sentences])
    sims = _sims(vec, 0)[1:]
    return any(says_the_same(text, s, float(c)) for s, c in zip(sentences, sims, strict=True))


def summarise(
    sentences: Sequence[Sentence],
    *,
    max_sentences: int = 3,
    support: float = SUPPORT_COSINE,
    order: Callable[[Sentence], tuple] | None = None,
) -> list[CitedSentence]:
    """A cited extractive summary of a group of articles.

    Picks central, non-redundant sentences (MMR over TF-IDF); each cites its own article and
    every other article with a sentence that says the same thing (:func:`says_the_same`:
    TF-IDF cosine ≥ ``support`` and the same content words and numbers — sharing the names
    of the people involved is not enough). Output follows ``order`` (default: article
    order, then position in the article).
    """
    pool = [s for s in sentences if usable(s.text)]
    if not pool:
        pool = [s for s in sentences if len(s.text.split()) >= 3]
    if not pool:
        return []
    texts = [_tidy(s.text) for s in pool]
    chosen, vec = _pick(texts, max_sentences)
    out = [(pool[i], _cited(i, pool, texts, vec, support)) for i in chosen]
    key = order or (lambda s: (s.article, s.index))
    out.sort(key=lambda p: key(p[0]))
    return [c for _, c in out]


def _cited(
    i: int, pool: Sequence[Sentence], texts: Sequence[str], vec: TfidfRows, support: float
) -> CitedSentence:
    """Sentence ``i`` of the pool with its own article and every article that supports it."""
    sims = _sims(vec, i)
    arts = [pool[i].article]
    spans = [Span(pool[i].article, pool[i].start, pool[i].end)]
    for j in np.argsort(-sims, kind="stable"):
        j = int(j)
        if sims[j] < support:
            break
        if pool[j].article in arts:
            continue
        if says_the_same(texts[i], texts[j], float(sims[j])):
            arts.append(pool[j].article)
            spans.append(Span(pool[j].article, pool[j].start, pool[j].end))
    return CitedSentence(text=texts[i], articles=tuple(arts), spans=tuple(spans))


def lede(
    events: Sequence[Event],
    sentences: Mapping[str, Sequence[Sentence]],
    published: Mapping[str, str],
    *,
    titles: Mapping[str, str | None] | None = None,
    max_sentences: int = 3,
    lead_sentences: int = 3,
) -> list[CitedSentence]:
    """What happened, in 2–3 sentences a reader can take without the article around them.

    The first sentence is the lead of the story's central event (the one most articles
    report): among the first ``lead_sentences`` sentences of its articles, the most central
    one that is :func:`self_contained`, preferring the lead of the article whose headline
    titles the event (``titles``: article -> headline), so title and lede tell one story.
    The next ones add what is new: the lead of the latest other event, then a further
    central sentence of the central event (a sentence that leans on the one before is taken
    only right after that sentence of its article). The first line of an article whose
    headline was not found is left out: crawls glue headline, photo caption and lead into
    it ("Gulf oil spill: BP says 'top kill' plug going to plan BP Chief Operating Officer
    Doug Suttles: …").
    Every sentence cites the articles that say the same thing.
    """
    if not events:
        return []
    central = largest_events(events, 1)[0]
    others = sorted(
        (e for e in events if e.id != central.id), key=lambda e: (e.date or "", e.id), reverse=True
    )
    out: list[CitedSentence] = []
    taken: list[Sentence] = []

    def add_from(event: Event, *, lead_only: bool) -> bool:
        pool = [
            s
            for a in event.articles
            for s in sentences.get(a, ())
            if usable(s.text)
            and (not lead_only or s.index < lead_sentences)
            and not (s.index == 0 and titles is not None and not titles.get(s.article))
        ]
        if not pool:
            return False
        texts = [_tidy(s.text) for s in pool]
        # a lead sentence is the news; later ones earn less
        prior = np.array(
            [
                (0.15 if s.index == 0 else 0.0)
                + (0.2 if titles and titles.get(s.article) == event.title else 0.0)
                for s in pool
            ],
            dtype=np.float32,
        )
        order, vec = _pick(texts, len(texts), prior=prior)
        taken_text = [_tidy(t.text) for t in taken]
        for i in order:
            s = pool[i]
            follows = any(t.article == s.article and t.index == s.index - 1 for t in taken)
            if not (self_contained(texts[i]) or follows):
                continue
            if texts[i] in taken_text:
                continue
            if taken_text and _too_close(texts[i], taken_text):
                continue
            out.append(_cited(i, pool, texts, vec, SUPPORT_COSINE))
            taken.append(s)
            return True
        return False

    add_from(central, lead_only=True) or add_from(central, lead_only=False)
    for ev in others[:1]:
        if len(out) < max_sentences:
            add_from(ev, lead_only=True) or add_from(ev, lead_only=False)
    while len(out) < min(max_sentences, 3 if others else 2):
        if not add_from(central, lead_only=False):
            break
    # in the order of events, so the lede reads as a story
    when = {s.article: published.get(s.article, "9999") for s in taken}
    pairs = sorted(zip(taken, out, strict=True), key=lambda p: (when[p[0].article], p[0].index))
    return [c for _, c in pairs]


def _too_close(text: str, taken: Sequence[str], limit: float = 0.5) -> bool:
    vec = _vectorise([text, *taken])
    return bool(_sims(vec, 0)[1:].max() > limit)


# --------------------------------------------------------------------------- briefing


def source_label(article: Article) -> str:
    """Outlet (or agency, web host) and date, as a citation shows it. A file name is never
    an outlet: an article that names none says so (its id beside the label finds the file)."""
    name = article.outlet or article.agency
    if not name and article.url:
        m = re.match(r"^[a-z]+://(?:www\.)?([^/]+)", article.url)
        name = m.group(1) if m else None
    return f"{name or 'unknown outlet'}, {article.published or 'undated'}"


def independent_sources(
    ids: Iterable[str], articles: Mapping[str, Published], source_groups: Mapping[str, str]
) -> int:
    """How many independent sources stand behind ``ids``: articles of one outlet are one
    source (a newsroom does not corroborate itself), and so are copies of one text across
    outlets (one source group of the copies stage). Counts the groups joined by either.

    The one count of independent sources behind a set of articles: the API
    (:meth:`Newsweave.independent_sources`), the briefing, the CLI, the web page and the
    exports all call this. An article without a known outlet counts by its copy group alone.
    (A claim's ``independent_sources`` — its witnesses — is the claims stage's own count over
    the articles that state it; see docs/claims.md.)"""
    ids = list(dict.fromkeys(ids))
    keys: dict[str, int] = {a: i for i, a in enumerate(ids)}
    links: list[tuple[int, str]] = []
    for i, a in enumerate(ids):
        art = articles.get(a)
        outlet = outlet_of(art) if art else None
        if outlet:
            links.append((i, "outlet:" + outlet))
        if a in source_groups:
            links.append((i, "group:" + source_groups[a]))
    for _, key in links:
        keys.setdefault(key, len(keys))
    uf = UnionFind(len(keys))
    for i, key in links:
        uf.union(i, keys[key])
    return len({uf.find(i) for i in range(len(ids))})


RECURRING_ARTICLES = 5


def _line_key(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def recurring_lines(
    sentences: Mapping[str, Sequence[Sentence]],
    articles: Mapping[str, Article],
    *,
    min_articles: int = RECURRING_ARTICLES,
) -> frozenset[str]:
    """Corpus-level furniture: sentences (as :func:`_line_key`) that one outlet repeats in
    at least ``min_articles`` of the given articles — a crawl's ticker, an explainer box
    pasted under every report, a newsletter plug. Content is not copied word for word into
    five articles of one newsroom; furniture is."""
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for aid, ss in sentences.items():
        art = articles.get(aid)
        outlet = (outlet_of(art) if art else None) or ""
        for s in ss:
            key = _line_key(s.text)
            if len(key) >= 20:
                holders[(outlet, key)].add(aid)
    return frozenset(k for (_, k), arts in holders.items() if len(arts) >= min_articles)


def supported_entries(
    entries: Sequence[TimelineEntry], sentences: Mapping[str, Sequence[Sentence]]
) -> list[TimelineEntry]:
    """Timeline entries citing only the articles that say the same thing as the entry
    (:func:`supported_by`); an article whose sentences are not at hand is left out, and an
    entry no article supports any more is dropped."""
    out = []
    for t in entries:
        keep = tuple(
            a for a in t.articles if supported_by(t.text, [s.text for s in sentences.get(a, ())])
        )
        if keep:
            out.append(replace(t, articles=keep))
    return out


def story_brief(
    story: Story,
    events: Sequence[Event],
    articles: Mapping[str, Article],
    sentences: Mapping[str, Sequence[Sentence]],
    timeline: Sequence[TimelineEntry],
    *,
    disagreements: Sequence[CitedSentence] = (),
    event_sentences: int = 3,
    story_sentences: int = 3,
    max_events: int | None = None,
) -> StoryBrief:
    """Summaries for a story and its events (sentences per article come from the caller).

    Sentences that one outlet repeats across many articles (:func:`recurring_lines`: a
    ticker, an explainer box, a sign-off) are furniture and never summarise anything."""
    pub = {a: (articles[a].published or "9999") for a in articles}
    furniture = recurring_lines(sentences, articles)
    if furniture:
        sentences = {
            a: [s for s in ss if _line_key(s.text) not in furniture] for a, ss in sentences.items()
        }
    ev_summaries: dict[str, tuple[CitedSentence, ...]] = {}
    limit = MAX_EVENTS if max_events is None else max_events
    for ev in largest_events(events, limit):
        pool = [s for a in ev.articles for s in sentences.get(a, ())]
        ev_summaries[ev.id] = tuple(
            summarise(
                pool,
                max_sentences=event_sentences,
                order=lambda s: (pub.get(s.article, "9999"), s.article, s.index),
            )
        )
    # the story summary is its lede: what happened, in sentences that stand on their own
    story_summary = lede(
        events,
        sentences,
        pub,
        titles={a: art.title for a, art in articles.items()},
        max_sentences=story_sentences,
    )
    return StoryBrief(
        story=story,
        events=tuple(events),
        summary=tuple(story_summary),
        event_summaries=ev_summaries,
        timeline=tuple(supported_entries(timeline, sentences)),
        disagreements=tuple(disagreements),
    )


def granularity_of(value: str) -> Granularity:
    """Granularity of a TIMEX3-style value (for callers that only have the value)."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "day"
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return "month"
    if re.fullmatch(r"\d{4}-Q\d", value):
        return "quarter"
    if re.fullmatch(r"\d{4}-W\d{2}", value):
        return "week"
    if re.fullmatch(r"\d{4}", value):
        return "year"
    return "range"


__all__ = [
    "StoryBrief",
    "TimelineCandidate",
    "build_timeline",
    "granularity_of",
    "independent_sources",
    "lede",
    "outlet_of",
    "predicate_words",
    "recurring_lines",
    "says_the_same",
    "self_contained",
    "largest_events",
    "largest_stories",
    "select_timeline",
    "sentence_kind",
    "source_label",
    "story_brief",
    "summarise",
    "supported_by",
    "supported_entries",
    "timeline_candidates",
    "timeline_of_candidates",
    "usable",
]
