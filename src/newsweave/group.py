"""Events and stories: group articles about one happening, then thread events over time.

An **event** is a set of articles about one happening (a meeting on one day, a launch). A
**story** is a thread of events (India–Russia defence ties, 2020 → 2023).

How articles are compared (:func:`article_similarity`):

* ``embedding`` — cosine of MiniLM vectors of headline + lead (the gist of the article);
* ``terms`` — cosine of sublinear TF-IDF over content words and resolved entities (names:
  who and where, which is what separates two similar happenings);
* dates — two articles whose event dates lie more than ``max_event_days`` apart cannot
  report one happening: their similarity drops by 1 (so average linkage almost never joins
  them, while one wrong date in a big cluster is outvoted);
* copies — articles in one copy group are joined before anything else (must-link), so
  syndicated copies always land in the same event.

Events come from average-linkage agglomerative clustering over article pairs; stories from
average linkage over events (their articles' embedding + terms, no date window: a story spans
years). Weights and thresholds were chosen on ECB+ (see docs/events.md and bench/events.py).

Incremental: :func:`group` takes the events and stories already known (with the signals of
their articles) and a batch of new articles. Existing events are kept as fixed clusters that
new articles may join; they never merge with each other or lose articles, so their ids stay
stable. New events get an id from their smallest article id, so the same input in any order
gives the same ids. Within a call, items are sorted before clustering, so the order of the
input never matters; across batches, average linkage makes the result nearly independent of
arrival order (tests/test_group.py checks shuffled orders and batchings).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date as Date
from typing import TYPE_CHECKING

import numpy as np

from newsweave.kept import KeptBy
from newsweave.records import Article, CopyGroup, DatedSentence, Event, Mention, Story

if TYPE_CHECKING:
    from scipy import sparse

# --------------------------------------------------------------------------- signals

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
# A compact English stop list (function words and news furniture); content words remain.
_STOP_WORDS = """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can cannot could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just let me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself said says say told according would also one two new like since many much
    may might must year years day days time week weeks month months today yesterday tomorrow
    monday tuesday wednesday thursday friday saturday sunday mr mrs ms image credit updated
    created read reuters ap afp pti ani ians news report reported reports"""
_STOP = frozenset(_STOP_WORDS.split())
MAX_TERMS = 400  # per article: bounded storage, no visible loss on ECB+


@dataclass(frozen=True, slots=True)
class ArticleSignals:
    """What grouping knows about one article; computed once and stored.

    ``vector`` is the unit MiniLM embedding of headline + lead; ``terms`` are content-word
    and entity counts (``"e:<entity>"``) for TF-IDF; ``date`` is the day the article reports
    on (see :func:`event_date`), ``published`` its publication date.
    """

    id: str
    vector: np.ndarray = field(repr=False)
    terms: Mapping[str, int] = field(repr=False)
    date: str | None
    published: str | None
    title: str | None
    story_vector: np.ndarray | None = field(default=None, repr=False)


def lead_text(article: Article, max_chars: int = 1000) -> str:
    """Headline + first paragraphs: what the embedding should see to know the happening."""
    body = article.text.strip()
    if article.title and body.startswith(article.title):
        body = body[len(article.title) :].lstrip()
    head = f"{article.title}. " if article.title else ""
    return (head + " ".join(body[:max_chars].split()))[: max_chars + 200]


# Entity types that say where, not what: two riots after police shootings (Athens 2008,
# Brooklyn 2013) are one kind of story; an Athens riot and an Athens bank fire are not.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})


def story_lead_text(article: Article, mentions: Iterable[Mention] = ()) -> str:
    """:func:`lead_text` with the place names the nlp stage found (``PLACE_LABELS``) left
    out: what a story's articles are compared by. Events keep the places (two fires on one
    day in two cities are two events); stories leave them out, because a shared city joined
    unrelated stories (the 2008 Athens riots and a 2010 Athens bank fire; a 2013 Brooklyn
    riot and a 2011 Brooklyn murder trial) and kept apart two of one kind."""
    spans = sorted(
        {(m.start, m.end) for m in mentions if m.label in PLACE_LABELS and m.article == article.id},
        reverse=True,
    )
    text = article.text
    names = set()
    ends = [len(text), *(start for start, _ in spans)]
    if all(0 <= s < e <= bound for (s, e), bound in zip(spans, ends, strict=False)):
        # the nlp stage's names never overlap: keep what lies between them, in one join
        # (cutting them out one at a time copied a long page once per place name)
        names.update(text[s:e] for s, e in spans)
        kept = [text[e:bound] for (_, e), bound in zip(spans, ends, strict=False)]
        text = "".join([text[: spans[-1][0]] if spans else text, *reversed(kept)])
    else:
        for start, end in spans:
            if 0 <= start < end <= len(text):
                names.add(text[start:end])
                text = text[:start] + text[end:]
    title = article.title
    if title:
        for name in sorted(names, key=len, reverse=True):
            title = title.replace(name, "")
        title = " ".join(title.split()) or None
    return lead_text(replace(article, text=text, title=title))


def article_terms(article: Article, mentions: Iterable[Mention] = ()) -> dict[str, int]:
    """Content-word counts (lower-cased, stop words dropped) plus resolved entities."""
    counts: Counter[str] = Counter()
    for text in (article.title or "", article.text):
        for w in _WORD.findall(text):
            lw = w.lower().strip("'-")
            if len(lw) >= 3 and lw not in _STOP:
                counts[lw] += 1
    for m in mentions:
        key = m.entity or m.text.lower()
        counts[f"e:{key}"] += 1
    return dict(counts.most_common(MAX_TERMS))


def _day(value: str | None) -> Date | None:
    if not value or len(value) < 10:
        return None
    try:
        return Date.fromisoformat(value[:10])
    except ValueError:
        return None


def event_date(
    article: Article, dated: Sequence[DatedSentence] = (), lead_sentences: int = 4
) -> str | None:
    """The day the article reports on: an anchored day-level past date in its lead that lies
    within a week before publication ("held talks on Thursday" → that Thursday), else the
    publication date. Falls back to the first anchored day-level date when undated."""
    pub = _day(article.published)
    lead = sorted(
        (d for d in dated if d.article == article.id and d.anchored and d.granularity == "day"),
        key=lambda d: d.sentence,
    )
    for d in lead:
        if d.sentence >= lead_sentences:
            break
        day = _day(d.date)
        if day is None:
            continue
        if pub is None:
            return day.isoformat()
        if 0 <= (pub - day).days <= 7 and d.relation in ("past", "ongoing"):
            return day.isoformat()
    return pub.isoformat() if pub else None


# Wire-copy furniture in front of the first sentence: "TRIPOLI | Mon Mar 21, 2011 11:00 pm GMT
# TRIPOLI (Reuters) - ", "By the CNN Wire Staff", "NEW DELHI:".
_DATELINE = re.compile(
    r"^(?:[^|\n]{0,60}\|[^(\n]{0,80}?)?[A-Z][A-Za-z0-9 .,'/\\-]{1,60}?\s*"
    r"\((?:Reuters|AP|AFP|CNN|PTI|ANI|IANS|UPI|Bloomberg|dpa)\)\s*[-\u2013\u2014:]+\s*"
)
_BYLINE = re.compile(r"^By (?:the )?[A-Z][\w.' ]{0,40}?(?:Staff|Writer|Correspondent)s?\b[\s:-]*")
_PLACE_COLON = re.compile(r"^[A-Z][A-Z .'-]{2,30}:\s+")


def headline(text: str, max_words: int = 14) -> str | None:
    """A stand-in title for an untitled article: its first sentence without the wire
    dateline or byline, cut to ``max_words``."""
    first = next((ln.strip() for ln in text.splitlines() if len(ln.split()) >= 3), "")
    for pattern in (_DATELINE, _BYLINE, _PLACE_COLON):
        first = pattern.sub("", first, count=1)
    # a sentence ends after a word, not after "U.S." or a ticker "(BP." or "Mr."
    first = re.split(r"(?<=[a-z]{3}[.!?])\s+(?=[A-Z\"'`])", first, maxsplit=1)[0]
    words = first.split()
    if not words:
        return None
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def article_signals(
    article: Article,
    vector: np.ndarray,
    mentions: Iterable[Mention] = (),
    dated: Sequence[DatedSentence] = (),
    story_vector: np.ndarray | None = None,
) -> ArticleSignals:
    """Bundle the embeddings (from :mod:`newsweave.embed`: of :func:`lead_text` and of
    :func:`story_lead_text`) with terms and dates."""
    return ArticleSignals(
        id=article.id,
        vector=np.asarray(vector, dtype=np.float32),
        terms=article_terms(article, mentions),
        date=event_date(article, dated),
        published=article.published,
        title=article.title or headline(article.text),
        story_vector=None if story_vector is None else np.asarray(story_vector, np.float32),
    )


# --------------------------------------------------------------------------- options


@dataclass(frozen=True, slots=True)
class GroupOptions:
    """Knobs of :func:`group`. Defaults chosen on ECB+ (docs/events.md).

    ``event_threshold``: least average article similarity inside one event (higher →
    smaller, purer events). ``embedding_weight``: share of the embedding cosine in the
    article similarity (the rest is TF-IDF cosine). ``max_event_days``: articles whose event
    dates differ by more cannot report one happening. ``story_threshold`` /
    ``story_embedding_weight``: the same for events within a story.
    ``story_soft_size`` / ``story_size_penalty``: a story bigger than ``story_soft_size``
    articles needs closer events to grow — the least similarity rises by
    ``story_size_penalty`` per doubling beyond it — so a months-long crisis covered by
    hundreds of articles splits into threads (the capping, the politics, the money) instead
    of one story that holds everything.
    ``kin_ratio`` / ``kin_floor``: after that linkage, two stories that are each other's
    closest story *unmistakably* — their average similarity is at least ``kin_floor`` and
    ``kin_ratio`` times what either has with any third story — join as kin: two instances
    of one kind of happening (two celebrities' rehab stays, two film sequels finding a
    director) whose names and words differ too much for the threshold. A ratio test, not a
    threshold: in one crisis's coverage every thread is close to several others, so none
    stands out and threads stay apart. ``kin_ratio`` 0 turns it off.
    ``candidate_floor``: least embedding cosine between a new article and an existing event's
    centroid for the pipeline to compare them at all (lower → more events compared per batch,
    slower).
    """

    event_threshold: float = 0.40
    embedding_weight: float = 0.5
    max_event_days: int = 3
    story_threshold: float = 0.24
    story_embedding_weight: float = 0.5
    story_soft_size: int = 32
    story_size_penalty: float = 0.08
    kin_ratio: float = 1.2
    kin_floor: float = 0.12
    candidate_floor: float = 0.3

    def __post_init__(self) -> None:
        for name in ("event_threshold", "story_threshold", "candidate_floor", "kin_floor"):
            v = getattr(self, name)
            if not -1.0 <= v <= 1.0:
                raise ValueError(f"{name} is a cosine-like similarity in [-1, 1], got {v}")
        for name in ("embedding_weight", "story_embedding_weight"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {v}")
        if self.story_soft_size < 1:
            raise ValueError(f"story_soft_size must be >= 1 article, got {self.story_soft_size}")
        if self.story_size_penalty < 0:
            raise ValueError(f"story_size_penalty must be >= 0, got {self.story_size_penalty}")
        if self.kin_ratio != 0 and self.kin_ratio < 1.0:
            raise ValueError(
                f"kin_ratio must be >= 1 (how much closer kin are than any third story) or 0"
                f" (off), got {self.kin_ratio}"
            )
        if self.max_event_days < 0:
            raise ValueError(f"max_event_days must be >= 0, got {self.max_event_days}")


@dataclass(frozen=True, slots=True)
class Grouping:
    """Every event and story touched or created by one :func:`group` call."""

    events: tuple[Event, ...]
    stories: tuple[Story, ...]


# --------------------------------------------------------------------------- similarity


#: Process-local term ids (an id only names a term here: a pool's columns are its terms in
#: sorted order) and, for each term map handed in, its term ids and counts, kept by the map
#: object: the store hands the same map for an article whose terms did not change, and the
#: open chunk is regrouped on every delivery (pipeline.run_group). Both are cleared when
#: the vocabulary passes ``TERM_IDS_KEPT`` terms; ``TERM_ROWS_KEPT`` maps are kept, least
#: recently used out first.
TERM_IDS_KEPT = 2_000_000
TERM_ROWS_KEPT = 3_000
_TERM_IDS: dict[str, int] = {}
_TERM_NAMES: list[str] = []
#: term map -> (its term ids, its counts)
_TERM_ROWS: KeptBy[tuple[np.ndarray, np.ndarray]] = KeptBy(TERM_ROWS_KEPT)


def _term_row(terms: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(process-local term ids, counts) of one term map, in its order."""
    held = _TERM_ROWS.held_for(terms)
    if held is not None:
        return held
    ids = np.empty(len(terms), dtype=np.int64)
    for k, t in enumerate(terms):
        tid = _TERM_IDS.get(t)
        if tid is None:
            tid = _TERM_IDS[t] = len(_TERM_NAMES)
            _TERM_NAMES.append(t)
        ids[k] = tid
    counts = np.fromiter(terms.values(), dtype=np.int64, count=len(terms))
    return _TERM_ROWS.keep_for(terms, (ids, counts))


def _tfidf_matrix(term_maps: Sequence[Mapping[str, int]]) -> sparse.csr_matrix:
    """Row-normalised sublinear TF-IDF (sparse), IDF from this pool (smoothed as
    scikit-learn does). Sparse because a batch of thousands of articles has tens of
    thousands of terms; ``(m @ m.T).toarray()`` gives the cosine matrix.

    Columns are the pool's terms in sorted order. The logarithms are taken once per
    distinct document frequency and count (``math.log``) and the products in float64 before
    the cast to float32, as one product per occurrence would give them: the open chunk is
    regrouped on every delivery, so this runs over every open article each time, in array
    operations over each article's kept term ids (:func:`_term_row`).
    """
    from scipy import sparse  # ~0.4 s to import: only when grouping runs

    if len(_TERM_NAMES) > TERM_IDS_KEPT:
        _TERM_IDS.clear()
        _TERM_NAMES.clear()
        _TERM_ROWS.clear()
    n = len(term_maps)
    held = [_term_row(terms) for terms in term_maps]
    ids = np.concatenate([h[0] for h in held] or [np.zeros(0, np.int64)])
    counts = np.concatenate([h[1] for h in held] or [np.zeros(0, np.int64)])
    rows = np.repeat(np.arange(n, dtype=np.int64), [len(h[0]) for h in held])
    # a term occurs once per map: its number of rows is its document frequency
    terms, where, df = np.unique(ids, return_inverse=True, return_counts=True)
    # hapax terms cannot link two articles
    kept = np.flatnonzero(df > 1) if n > 2 else np.arange(len(terms))
    names = [_TERM_NAMES[t] for t in terms[kept].tolist()]
    order = sorted(range(len(names)), key=names.__getitem__)
    column = np.full(len(terms), -1, dtype=np.int64)
    column[kept[order]] = np.arange(len(order), dtype=np.int64)
    cols = column[where]
    inside = cols >= 0
    cols, counts, rows = cols[inside], counts[inside], rows[inside]
    vocab_df = df[kept[order]]
    distinct_df = np.unique(vocab_df)
    idf_of_df = np.array(
        [math.log((1 + n) / (1 + int(d))) + 1.0 for d in distinct_df], dtype=np.float64
    )
    idf = idf_of_df[np.searchsorted(distinct_df, vocab_df)] if len(vocab_df) else vocab_df * 0.0
    distinct = np.unique(counts)
    sublinear = np.array([1.0 + math.log(int(c)) for c in distinct], dtype=np.float64)
    tf = sublinear[np.searchsorted(distinct, counts)] if len(counts) else counts * 0.0
    vals = (tf * idf[cols]).astype(np.float32)
    mat = sparse.csr_matrix((vals, (rows, cols)), shape=(n, max(1, len(order))))
    norms = np.sqrt(np.asarray(mat.multiply(mat).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.maximum(norms, 1e-12)).astype(np.float32) @ mat


#: Rows of the cosine and date matrices computed at once: the sparse product of all rows at
#: once holds nearly n x n entries with their indices (about 430 MB beside the 144 MB result
#: at the 6,000 articles a regrouping may compare); row blocks give the same sums, each
#: row's in the same order.
COSINE_BLOCK_ROWS = 512


def _cosine_blocks(mat: sparse.csr_matrix) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, dense float32 block) of the cosine matrix ``mat @ mat.T``, a block of
    ``COSINE_BLOCK_ROWS`` rows at a time, top to bottom."""
    other = mat.T.tocsr()
    for b in range(0, mat.shape[0], COSINE_BLOCK_ROWS):
        yield b, (mat[b : b + COSINE_BLOCK_ROWS] @ other).toarray()


def _cosines(mat: sparse.csr_matrix) -> np.ndarray:
    n = mat.shape[0]
    out = np.empty((n, n), dtype=np.float32)
    for b, block in _cosine_blocks(mat):
        out[b : b + len(block)] = block
    return out


def _add_cosines(sim: np.ndarray, mat: sparse.csr_matrix, weight: float) -> None:
    """``sim += weight * cosines(mat)`` in place, a block of rows at a time: the same
    float32 values as the whole expression, without its two n x n temporaries (234 MB
    each at the 7,600 articles a regrouping of a 10k store compared)."""
    for b, block in _cosine_blocks(mat):
        block *= weight
        sim[b : b + len(block)] += block


#: Pools of at most this many articles keep their TF-IDF cosine matrix through one
#: :func:`group` call (16 MB at 2,000): the stories compare the same articles by the same
#: terms, in another order (:func:`_group_stories`). A bigger pool computes them twice,
#: as before, rather than hold another n x n matrix beside the similarity (144 MB at the
#: 6,000 articles a regrouping may compare).
TERM_COSINES_KEPT_ROWS = 2_000


def _add_kept_cosines(
    sim: np.ndarray, cosines: np.ndarray, weight: float, rows: np.ndarray | None = None
) -> None:
    """``sim += weight * cosines[rows][:, rows]`` in place, a block of rows at a time (all
    rows, in order, when ``rows`` is None): what :func:`_add_cosines` adds for the pool
    ``cosines`` were computed over, its rows taken in the order ``rows``. The same float32
    values: a cosine of :func:`_cosine_blocks` is a function of its two rows alone (the
    sparse product sums one row's terms, in its column order, for each other row), and the
    TF-IDF rows of a pool do not depend on its order (columns, IDF and each row's
    normalisation are functions of the pool's term maps as a set)."""
    n = len(cosines) if rows is None else len(rows)
    for b in range(0, n, COSINE_BLOCK_ROWS):
        if rows is None:
            block = cosines[b : b + COSINE_BLOCK_ROWS].copy()
        else:
            block = cosines[np.ix_(rows[b : b + COSINE_BLOCK_ROWS], rows)]
        block *= weight
        sim[b : b + len(block)] += block


def _subtract_far_dates(sim: np.ndarray, dates: Sequence[str | None], max_days: int) -> None:
    """``sim -= far`` in place, ``far`` 1.0 where both dates are known and further apart
    than ``max_days``, else 0 (a block of rows at a time, the same float32 values as
    subtracting the whole n x n matrix)."""
    ordinals = np.array([d.toordinal() if d else -1 for d in map(_day, dates)], dtype=np.int64)
    known = ordinals >= 0
    # day numbers fit in 32 bits: the differences of all n x n pairs at once would take
    # 288 MB as int64 at the 6,000 articles a regrouping compares
    days = ordinals.astype(np.int32)
    for b in range(0, len(days), COSINE_BLOCK_ROWS):
        far = np.abs(days[b : b + COSINE_BLOCK_ROWS, None] - days[None, :]) > max_days
        far &= known[b : b + COSINE_BLOCK_ROWS, None]
        far &= known[None, :]
        sim[b : b + COSINE_BLOCK_ROWS] -= far.astype(np.float32)


def article_similarity(
    signals: Sequence[ArticleSignals],
    options: GroupOptions = GroupOptions(),
    *,
    cosines: np.ndarray | None = None,
) -> np.ndarray:
    """Pairwise article similarity: weighted embedding + TF-IDF cosine, minus 1 for pairs
    whose event dates are too far apart to be one happening. ``cosines``: the TF-IDF
    cosines of ``signals``' terms when the caller has them (:func:`_cosines`), else
    computed here."""
    if not signals:
        return np.zeros((0, 0), dtype=np.float32)
    vec = np.stack([s.vector for s in signals]).astype(np.float32)
    w = options.embedding_weight
    # w * (vec @ vec.T) + (1 - w) * cosines - far, computed in place (the same float32
    # values): the one n x n matrix held is the result
    sim = vec @ vec.T
    sim *= w
    if cosines is None:
        _add_cosines(sim, _tfidf_matrix([s.terms for s in signals]), 1.0 - w)
    else:
        _add_kept_cosines(sim, cosines, 1.0 - w)
    _subtract_far_dates(sim, [s.date for s in signals], options.max_event_days)
    return sim


#: Rows up to which :func:`_cluster_sums` takes the whole-matrix products (their float64
#: copy of ``sim`` and clusters x rows product: 2 x 18 MB at 1,500 rows); above, one
#: column at a time. The open chunk is regrouped on every delivery, so this runs on every
#: delivery over every open article.
CLUSTER_SUMS_WHOLE_ROWS = 1_500


def _cluster_sums(sim: np.ndarray, member: sparse.csr_matrix) -> np.ndarray:
    """``member.T @ (member.T @ sim.astype(float64)).T`` (the total similarity between the
    rows of each two clusters; ``member``: rows x clusters, 0/1) with the same float64 sums
    in the same order, one column of ``sim`` at a time: no n x n float64 copy of ``sim``
    and no clusters x n product (288 MB each at the 6,000 articles a regrouping may
    compare). ``member.T @ X`` adds the rows of ``X`` of each cluster in increasing row
    order; so does this. Up to ``CLUSTER_SUMS_WHOLE_ROWS`` rows it is that expression
    itself (the same sums: tests/test_group.py), in a few products instead of one per row."""
    if member.shape[0] <= CLUSTER_SUMS_WHOLE_ROWS:
        return np.asarray(member.T @ (member.T @ sim.astype(np.float64)).T)
    k = member.shape[1]
    by_rows = member.T.tocsc()  # clusters x rows: column i holds the cluster of row i
    sums = np.zeros((k, k))
    for i in range(member.shape[0]):
        of_row = member.indices[member.indptr[i] : member.indptr[i + 1]]
        if not len(of_row):
            continue
        column = by_rows @ sim[:, i].astype(np.float64)  # (member.T @ sim)[:, i]
        for c in of_row:
            sums[c] += column
    return sums


def _average_link(
    sim: np.ndarray,
    clusters: list[list[int]],
    frozen: list[bool],
    threshold: float,
    size_penalty: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[list[int]]:
    """Average-linkage agglomeration starting from ``clusters`` (lists of row indices).

    Two frozen clusters never merge (existing events keep their identity); merging stops
    when the best average similarity falls below ``threshold``. ``size_penalty`` (rows of
    the merged cluster -> amount) is subtracted from the average similarity of a candidate
    merge, so a big cluster needs a closer partner than a small one. Ties go to the lowest
    indices, so the result depends only on the order of ``clusters``.
    """

    def penalty(n: np.ndarray) -> np.ndarray:
        return size_penalty(n) if size_penalty is not None else np.zeros(np.shape(n))

    k = len(clusters)
    if k <= 1:
        return [list(c) for c in clusters]
    rows = np.concatenate([np.asarray(c, dtype=np.int64) for c in clusters])
    cols = np.concatenate([np.full(len(c), ci, dtype=np.int64) for ci, c in enumerate(clusters)])
    from scipy import sparse

    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(sim.shape[0], k))
    # sums[a, b] = total similarity between the rows of clusters a and b
    sums = _cluster_sums(sim, member)
    del sim  # the caller may hand over its only reference: n x n float32 freed here
    sizes = np.asarray(member.sum(axis=0)).ravel()
    frozen_arr = np.array(frozen, dtype=bool)
    alive = np.ones(k, dtype=bool)
    groups = [list(c) for c in clusters]
    # sums / (sizes x sizes) - penalty, in place: each k x k float64 array is 288 MB at the
    # 6,000 clusters a regrouping may hold, and no penalty is no subtraction (x - 0.0 == x)
    avg = np.outer(sizes, sizes)
    np.divide(sums, avg, out=avg)
    if size_penalty is not None:
        avg -= size_penalty(sizes[:, None] + sizes[None, :])
    avg[np.outer(frozen_arr, frozen_arr)] = -np.inf
    np.fill_diagonal(avg, -np.inf)
    # per-row best partner, so each merge costs O(k) instead of a full O(k²) argmax
    best_col = np.argmax(avg, axis=1)
    best_val = avg[np.arange(k), best_col]
    while True:
        i = int(np.argmax(best_val))
        j = int(best_col[i])
        if best_val[i] < threshold:
            break
        if j < i:
            i, j = j, i
        if frozen_arr[j] and not frozen_arr[i]:  # keep the frozen one as the survivor
            i, j = j, i
        # merge j into i; only row/column i of the averages change
        sums[i, :] += sums[j, :]
        sums[:, i] = sums[i, :]
        sizes[i] += sizes[j]
        groups[i].extend(groups[j])
        groups[j] = []
        alive[j] = False
        frozen_arr[i] = frozen_arr[i] or frozen_arr[j]
        row = sums[i, :] / (sizes[i] * sizes) - penalty(sizes[i] + sizes)
        row[~alive] = -np.inf
        if frozen_arr[i]:
            row[frozen_arr] = -np.inf
        row[i] = -np.inf
        avg[i, :] = row
        avg[:, i] = row
        avg[j, :] = -np.inf
        avg[:, j] = -np.inf
        best_val[j] = -np.inf
        stale = np.flatnonzero(((best_col == i) | (best_col == j)) & alive)
        gain = alive & (row > best_val)
        best_col[gain] = i
        best_val[gain] = row[gain]
        for r in np.union1d(stale, [i]):
            c = int(np.argmax(avg[r]))
            best_col[r] = c
            best_val[r] = avg[r, c]
    return [g for g, a in zip(groups, alive, strict=True) if a]


def _kin_pairs(
    sim: np.ndarray,
    clusters: Sequence[Sequence[int]],
    ratio: float,
    floor: float,
    frozen: Sequence[bool] | None = None,
) -> list[tuple[int, int]]:
    """Pairs of clusters that are each other's unmistakable nearest neighbour.

    With ``avg`` the average similarity between the rows of two clusters, ``a`` and ``b``
    pair when each is the other's best partner, ``avg[a, b] >= floor`` and ``avg[a, b] >=
    ratio × max(second best of a, second best of b)`` (a second best below 0 counts as 0).
    A mutual-neighbour ratio test (as in Lowe's matching): it asks whether a pair stands out
    from its neighbourhood, not whether it clears a global threshold, so it links two
    stories of one kind that share few words while leaving a dense neighbourhood (the
    threads of one crisis, the crime reports of one city) alone. Each cluster pairs at most
    once, so nothing chains; two ``frozen`` clusters (existing stories) never pair. Ties go
    to the lowest index.
    """
    k = len(clusters)
    if ratio <= 0 or k < 2:
        return []
    from scipy import sparse

    rows = np.concatenate([np.asarray(c, dtype=np.int64) for c in clusters])
    cols = np.concatenate([np.full(len(c), ci, dtype=np.int64) for ci, c in enumerate(clusters)])
    member = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(sim.shape[0], k))
    sums = _cluster_sums(sim, member)
    sizes = np.asarray(member.sum(axis=0)).ravel()
    avg = np.outer(sizes, sizes)
    np.divide(sums, avg, out=avg)  # sums / (sizes x sizes), in place
    del sums
    np.fill_diagonal(avg, -np.inf)
    best = np.argmax(avg, axis=1)
    ranked = np.sort(avg, axis=1)
    second = np.maximum(ranked[:, -2], 0.0) if k > 2 else np.zeros(k)
    pairs = []
    for a in range(k):
        b = int(best[a])
        if a < b and int(best[b]) == a and not (frozen and frozen[a] and frozen[b]):
            s = float(avg[a, b])
            if s >= floor and s >= ratio * max(float(second[a]), float(second[b])):
                pairs.append((a, b))
    return pairs


# --------------------------------------------------------------------------- ids and titles


def _make_id(prefix: str, members: Iterable[str]) -> str:
    """Content id from the smallest member: independent of arrival order, stable later."""
    return prefix + hashlib.sha1(min(members).encode()).hexdigest()[:12]


def _medoid(signals: Sequence[ArticleSignals]) -> ArticleSignals:
    """The article closest to the group's centroid, preferring ones with a title, and a
    real headline over a first sentence cut short by :func:`headline` (it ends in "…")."""
    vec = np.stack([s.vector for s in signals])
    centre = vec.mean(axis=0)
    scores = vec @ centre
    order = sorted(
        range(len(signals)),
        key=lambda i: (
            signals[i].title is None,
            (signals[i].title or "").endswith(" …"),
            (signals[i].title or "").rstrip().endswith("?"),  # a debate or explainer page
            -round(float(scores[i]), 6),
            signals[i].id,
        ),
    )
    return signals[order[0]]


def _central_event_title(
    events: Sequence[Event], members: Mapping[str, Sequence[ArticleSignals]]
) -> str:
    """A story is titled by its central event: the one most articles report (ties: the one
    nearest the story's centroid, then the earliest), not by whichever article happens to
    sit in the middle of the story (often an explainer or a readers' debate page)."""
    sigs = [s for e in events for s in members.get(e.id, ())]
    centre = centroid(sigs) if sigs else None

    def closeness(e: Event) -> float:
        own = members.get(e.id, ())
        if centre is None or not own:
            return 0.0
        return float(centroid(own) @ centre)

    best = min(
        events,
        key=lambda e: (
            -len(e.articles),
            e.title.endswith("?"),
            -round(closeness(e), 6),
            e.date or "",
            e.id,
        ),
    )
    return best.title


def _title(signals: Sequence[ArticleSignals]) -> str:
    best = _medoid(signals)
    return best.title or f"Article {best.id[:8]}"


def _common_date(signals: Sequence[ArticleSignals]) -> str | None:
    counts = Counter(s.date for s in signals if s.date)
    if not counts:
        return None
    top = max(counts.values())
    return min(d for d, c in counts.items() if c == top)


def centroid(signals: Sequence[ArticleSignals]) -> np.ndarray:
    """Unit mean vector of a group (used by the store to find candidate events)."""
    if not signals:
        return np.zeros(0, dtype=np.float32)
    v = np.stack([s.vector for s in signals]).mean(axis=0)
    return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


# --------------------------------------------------------------------------- grouping


def _copy_components(ids: Sequence[str], copies: Sequence[CopyGroup]) -> dict[str, str]:
    """Union-find over copy groups: article id -> representative (smallest id)."""
    parent = {a: a for a in ids}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for g in copies:
        members = sorted(a for a in g.articles if a in parent)
        for other in members[1:]:
            ra, rb = find(members[0]), find(other)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    return {a: find(a) for a in ids}


def group(
    new: Sequence[ArticleSignals],
    *,
    known: Sequence[ArticleSignals] = (),
    events: Sequence[Event] = (),
    stories: Sequence[Story] = (),
    copies: Sequence[CopyGroup] = (),
    options: GroupOptions = GroupOptions(),
) -> Grouping:
    """Place ``new`` articles into ``events`` (or new events) and events into stories.

    ``known`` holds the signals of every article of the given ``events``; ``stories`` the
    stories those events belong to (pass the candidates only: the store picks existing
    events whose centroid is near the batch). Returns all given and created events and
    stories, updated. Existing events and stories keep their ids and articles.
    """
    known_by_id = {s.id: s for s in known}
    new_sorted = sorted({s.id: s for s in new if s.id not in known_by_id}.values(), key=_sid)
    events_sorted = sorted(events, key=lambda e: e.id)
    for ev in events_sorted:
        if not any(a in known_by_id for a in ev.articles):
            raise ValueError(
                f"event {ev.id}: no signals for any of its articles; pass the signals of the "
                "given events' articles (all, or a sample of each) in known="
            )
    # A large existing event may be represented by a sample of its articles (the store
    # passes at most a few dozen); its other articles stay in it untouched.
    pool: list[ArticleSignals] = [
        known_by_id[a] for ev in events_sorted for a in ev.articles if a in known_by_id
    ]
    pool_index = {s.id: i for i, s in enumerate(pool)}
    event_of_article = {a: ev.id for ev in events_sorted for a in ev.articles}
    offset = len(pool)
    pool.extend(new_sorted)
    for i, s in enumerate(new_sorted):
        pool_index[s.id] = offset + i

    # Initial clusters: one per existing event (frozen), then copy components of new ones.
    rep = _copy_components([s.id for s in pool], copies)
    clusters: list[list[int]] = []
    frozen: list[bool] = []
    cluster_of_event: dict[str, int] = {}
    for ev in events_sorted:
        cluster_of_event[ev.id] = len(clusters)
        clusters.append([pool_index[a] for a in ev.articles if a in pool_index])
        frozen.append(True)
    by_rep: dict[str, list[str]] = {}
    for s in new_sorted:
        by_rep.setdefault(rep[s.id], []).append(s.id)
    comp_of_rep: dict[str, int] = {}
    events_of_rep: dict[str, set[str]] = {}
    for a, ra in rep.items():
        if a in event_of_article:
            events_of_rep.setdefault(ra, set()).add(event_of_article[a])
    for r in sorted(by_rep):
        members = by_rep[r]
        # a copy of an article already in an event joins that event
        linked = sorted(events_of_rep.get(r, ()))
        if linked:
            clusters[cluster_of_event[linked[0]]].extend(pool_index[a] for a in members)
            continue
        comp_of_rep[r] = len(clusters)
        clusters.append([pool_index[a] for a in members])
        frozen.append(False)

    # the stories compare the same articles by the same terms: a small pool's TF-IDF
    # cosines are computed once for both
    cosines = None
    if len(pool) <= TERM_COSINES_KEPT_ROWS and options.embedding_weight < 1.0 and pool:
        cosines = _cosines(_tfidf_matrix([s.terms for s in pool]))
    # the similarity matrix is _average_link's alone: freed once the cluster totals are in
    merged = _average_link(
        article_similarity(pool, options, cosines=cosines),
        clusters,
        frozen,
        options.event_threshold,
    )

    by_event_id = {ev.id: ev for ev in events_sorted}
    out_events: dict[str, tuple[list[ArticleSignals], Event | None]] = {}
    for rows in merged:
        members = [pool[r] for r in rows]
        ids = {m.id for m in members}
        old = sorted({event_of_article[a] for a in ids if a in event_of_article})
        if old:
            ev_id = old[0]
            base: Event | None = by_event_id[ev_id]
        else:
            ev_id = _make_id("ev_", ids)
            base = None
        out_events[ev_id] = (members, base)

    events_out: dict[str, Event] = {}
    for ev_id, (members, base) in out_events.items():
        known_ids = set(base.articles) if base else set()
        joined = [s for s in members if s.id not in known_ids]
        if base is not None and not joined:
            events_out[ev_id] = base  # nothing joined: unchanged
            continue
        ordered = sorted(joined, key=lambda s: (s.published or "9999", s.id))
        events_out[ev_id] = Event(
            id=ev_id,
            title=_title(members),
            date=_common_date(members),
            articles=(base.articles if base else ()) + tuple(s.id for s in ordered),
            story=base.story if base else None,
        )

    stories_out = _group_stories(
        events_out,
        {i: m for i, (m, _) in out_events.items()},
        stories,
        options,
        None if cosines is None else (cosines, pool_index),
    )
    story_of_event = {e: st.id for st in stories_out for e in st.events}
    final_events = tuple(
        Event(
            id=e.id,
            title=e.title,
            date=e.date,
            articles=e.articles,
            story=story_of_event.get(e.id, e.story),
        )
        for e in sorted(events_out.values(), key=lambda e: (e.date or "", e.id))
    )
    return Grouping(events=final_events, stories=stories_out)


def _sid(s: ArticleSignals) -> str:
    return s.id


def _group_stories(
    events: Mapping[str, Event],
    members: Mapping[str, list[ArticleSignals]],
    stories: Sequence[Story],
    options: GroupOptions,
    pool_cosines: tuple[np.ndarray, Mapping[str, int]] | None = None,
) -> tuple[Story, ...]:
    """Average linkage over events, then kin pairs (:func:`_kin_pairs`); existing stories
    are frozen clusters new events may join, and two of them never merge (as events).
    ``pool_cosines``: the TF-IDF cosines of the pool the events were made from and each
    article's row in it (used when the events hold exactly that pool's articles)."""
    stories_sorted = sorted(stories, key=lambda s: s.id)
    ev_ids = sorted(events)
    index = {e: i for i, e in enumerate(ev_ids)}
    placed: set[str] = set()
    clusters: list[list[int]] = []
    frozen: list[bool] = []
    story_ids: list[str | None] = []
    for st in stories_sorted:
        rows = [index[e] for e in st.events if e in index and e not in placed]
        placed.update(e for e in st.events if e in index)
        clusters.append(rows)
        frozen.append(True)
        story_ids.append(st.id)
    for e in ev_ids:
        if e not in placed:
            clusters.append([index[e]])
            frozen.append(False)
            story_ids.append(None)
    if not ev_ids:
        return tuple(stories_sorted)
    # Average linkage over the *articles* of the events (an event is a pre-formed cluster):
    # on ECB+ this beats comparing event centroids (B3 F1 0.90 vs 0.86), because one long
    # event no longer outweighs a short one.
    arts: list[ArticleSignals] = []
    event_of_row: list[int] = []
    rows_of_event: list[list[int]] = []
    for i, e in enumerate(ev_ids):
        rows_of_event.append(list(range(len(arts), len(arts) + len(members[e]))))
        arts.extend(members[e])
        event_of_row.extend([i] * len(members[e]))
    # place-free embeddings (story_lead_text); an article stored without one uses its lead's
    vec = np.stack([a.vector if a.story_vector is None else a.story_vector for a in arts])
    vec = vec.astype(np.float32)
    w = options.story_embedding_weight
    sim = vec @ vec.T
    sim *= w  # in place: the same float32 values as w * (vec @ vec.T)
    if w < 1.0:
        rows = None
        if pool_cosines is not None:
            cosines, row_of = pool_cosines
            rows = np.array([row_of.get(a.id, -1) for a in arts], dtype=np.int64)
            # the events hold every article of the pool once: the same pool of terms
            if len(rows) != len(cosines) or len(np.unique(rows)) != len(rows) or rows.min() < 0:
                rows = None
        if rows is None:
            _add_cosines(sim, _tfidf_matrix([a.terms for a in arts]), 1.0 - w)
        else:
            _add_kept_cosines(sim, cosines, 1.0 - w, rows)
    # Clusters of stories with no event in this call still need a (non-empty) row list.
    keep = [i for i, c in enumerate(clusters) if c]
    merged_rows = _average_link(
        sim,
        [[r for ev in clusters[i] for r in rows_of_event[ev]] for i in keep],
        [frozen[i] for i in keep],
        options.story_threshold,
        size_penalty=lambda n: (
            options.story_size_penalty * np.log2(np.maximum(1.0, n / options.story_soft_size))
        ),
    )
    # stories of one kind whose words differ (two rehab stays, two earthquakes) join as kin
    existing = {ev for i in keep if frozen[i] for ev in clusters[i]}
    holds_existing = [any(event_of_row[r] in existing for r in rows) for rows in merged_rows]
    for a, b in _kin_pairs(sim, merged_rows, options.kin_ratio, options.kin_floor, holds_existing):
        merged_rows[a] = merged_rows[a] + merged_rows[b]
        merged_rows[b] = []
    merged = [sorted({event_of_row[r] for r in rows}) for rows in merged_rows if rows]
    row_to_story = {}
    for i in keep:
        if story_ids[i]:
            for r in clusters[i]:
                row_to_story[r] = story_ids[i]
    by_id = {st.id: st for st in stories_sorted}
    out: dict[str, Story] = {}
    for rows in merged:
        evs = [ev_ids[r] for r in rows]
        old = sorted({row_to_story[r] for r in rows if r in row_to_story})
        arts = {a for e in evs for a in events[e].articles}
        st_id = old[0] if old else _make_id("st_", arts)
        prior = by_id.get(st_id)
        all_events = set(evs) | (set(prior.events) if prior else set())
        all_articles = arts | (set(prior.articles) if prior else set())
        sigs = [s for e in evs for s in members[e]]
        ordered_events = sorted(
            all_events, key=lambda e: ((events[e].date or "") if e in events else "", e)
        )
        out[st_id] = Story(
            id=st_id,
            title=_central_event_title([events[e] for e in evs], members)
            if not prior or len(sigs) >= len(prior.articles)
            else prior.title,
            events=tuple(ordered_events),
            articles=tuple(sorted(all_articles)),
        )
    for st in stories_sorted:  # stories with no event in this call pass through unchanged
        out.setdefault(st.id, st)
    return tuple(sorted(out.values(), key=lambda s: s.id))


__all__ = [
    "ArticleSignals",
    "GroupOptions",
    "Grouping",
    "article_signals",
    "article_similarity",
    "article_terms",
    "centroid",
    "event_date",
    "group",
    "headline",
    "lead_text",
    "story_lead_text",
]
