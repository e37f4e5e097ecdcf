"""Copies: syndicated near-duplicates, reused passages and independent source groups.

Why this stage exists: one wire story republished by ten outlets, or one ministry statement
pasted into three articles, must count as *one* source when later stages ask "how many
sources confirm this?". This module is pure (no I/O, no SQL, no printing); the pipeline step
``run_copies`` feeds it stored articles and writes what it returns.

How it works
------------
1. **Fingerprint** (a whole batch at once, a few numpy passes per megabyte). Text is
   lower-cased and cut into words with ``bytes.translate`` (ASCII letters/digits and
   non-punctuation UTF-8 bytes; typographic quotes, dashes and Latin-1 symbols separate words,
   so ``India’s`` and ``India's`` hash alike). A word's hash mixes its length with its first
   and last 8 bytes, read straight out of the buffer; every run of ``shingle`` (5) words
   becomes one mixed 64-bit shingle hash. No per-byte arithmetic, only per-word.
2. **Anchors** (Broder's *mod-m* sketch rather than the *min-s* sketch that MinHash is): a
   shingle is an anchor when its hash is ``0 mod anchor_mod`` (8). Anchors are content-defined,
   so a passage shared by two articles shares the same anchors wherever it sits — that finds a
   trimmed copy, a copy with a local intro (superset) and a two-sentence quote, which a
   whole-document MinHash/Jaccard LSH cannot (their Jaccard is low even though containment is
   high). ``shared anchors / min(anchor counts)`` estimates containment. Two more anchors
   hash the whole text, so identical short texts always meet. Anchors are stored as
   uint32 and capped at ``max_anchors`` (bottom-k of the mod-m sample, still consistent) so the
   persistent index stays under 1 KB per article.
3. **Candidates** come from an in-memory inverted index (one sorted uint64 array
   ``anchor << 32 | row``); a whole batch is looked up with two ``searchsorted`` calls. Pairs
   sharing at least ``min_shared_anchors`` *rare* anchors are candidates; anchors held by more
   than ``rare_anchor_df`` articles (boilerplate, or a story republished very widely) only
   count together with a containment estimate of half the near-duplicate threshold, and at
   most ``max_anchor_df`` postings of one anchor are scanned.
4. **Exact verification**: the exact Jaccard and containment of the two full shingle sets
   (recomputed from the stored text, never estimated) decide whether a pair is a
   near-duplicate. LSH-style sketches alone give false positives; nothing is reported unverified.
5. **Passages**: matching shingle positions are chained along diagonals (reordered paragraphs
   become separate segments), segments are merged across small gaps (copy edits: a changed,
   inserted or dropped word), and each segment is snapped to whole sentences
   (:func:`newsweave.sentences.sentence_spans`): a sentence belongs to a passage when at least
   ``sentence_coverage`` of its characters are inside the aligned run.
6. **Independent sources**: connected components over *copy* links. A pair is a copy (same
   source) when it is a near-duplicate, or when the reused passages cover at least
   ``same_source_fraction`` (0.6) of either article — i.e. one article is mostly the other, or
   both are mostly the same press release. A short shared quote (a tweet, one line of a
   statement) leaves the two articles independent reports: it is stored as a ``shared-passage``
   link (so claim-level corroboration can still discount that passage) but does not merge the
   source groups. Group ids are ``src-`` + a hash of the smallest member id, so they are stable
   whatever order articles arrive in.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from newsweave.errors import StageError
from newsweave.records import Article, CopyGroup, CopyLink, Span

SIGNATURE_VERSION = 3  # bump whenever hashing changes: stored anchors are re-made

_U64 = np.uint64
# Fixed, arbitrary odd constants that weight the words of a shingle by position.
_SHINGLE_WEIGHTS = (
    0x9E3779B97F4A7C15,
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0xD6E8FEB86659FD93,
    0xFF51AFD7ED558CCD,
    0xC4CEB9FE1A85EC53,
    0x27D4EB2F165667C5,
    0x85EBCA77C2B2AE63,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CopiesConfig:
    """Options of the copies stage; defaults are what the benchmark was tuned on.

    - ``shingle``: words per shingle. 5 is the usual trade-off: shorter shingles match
      common phrases between unrelated articles, longer ones break at every copy edit.
    - ``anchor_mod``: keep one shingle in ``anchor_mod`` (expected) as an index anchor. Lower
      finds shorter shared passages but makes the index bigger and candidates noisier.
    - ``max_anchors``: cap per article (bottom-k of the sample) so the stored index stays
      ≤ 4 bytes × ``max_anchors`` per article.
    - ``min_shared_anchors``: anchors two articles must share to be compared at all.
    - ``rare_anchor_df``: anchors held by more articles than this count as boilerplate
      (outlet furniture, disclaimers): they cannot make a shared-passage candidate alone.
    - ``max_anchor_df``: at most this many postings of one anchor are scanned (cost bound).
    - ``near_duplicate_containment`` / ``near_duplicate_jaccard``: exact thresholds for the
      ``near-duplicate`` kind (containment = shared shingles / shingles of the smaller article;
      the Jaccard floor keeps a short text wholly quoted inside a long one a shared passage).
    - ``min_passage_words``: shortest reused passage reported.
    - ``max_gap_words``: copy-edit gap bridged when chaining matches into one passage.
    - ``sentence_coverage``: share of a sentence's characters that must be aligned for the
      sentence to belong to a passage.
    - ``same_source_fraction``: reused share of either article that makes a shared-passage
      pair count as one source.
    """

    shingle: int = 5
    anchor_mod: int = 8
    max_anchors: int = 240
    min_shared_anchors: int = 2
    rare_anchor_df: int = 50
    max_anchor_df: int = 200
    near_duplicate_containment: float = 0.5
    near_duplicate_jaccard: float = 0.2
    min_passage_words: int = 8
    max_gap_words: int = 12
    sentence_coverage: float = 0.5
    same_source_fraction: float = 0.6

    def __post_init__(self) -> None:
        if not 2 <= self.shingle <= len(_SHINGLE_WEIGHTS):
            raise StageError(
                f"copies: shingle={self.shingle} must be between 2 and {len(_SHINGLE_WEIGHTS)}"
            )
        if self.anchor_mod < 1:
            raise StageError(
                f"copies: anchor_mod={self.anchor_mod} must be >= 1 (1 = every shingle)"
            )
        if self.max_anchors < 1 or self.min_shared_anchors < 1 or self.rare_anchor_df < 2:
            raise StageError(
                "copies: max_anchors and min_shared_anchors must be >= 1, rare_anchor_df >= 2"
            )
        if self.max_anchor_df < self.rare_anchor_df:
            raise StageError("copies: max_anchor_df must be >= rare_anchor_df")
        for name in (
            "near_duplicate_containment",
            "near_duplicate_jaccard",
            "sentence_coverage",
            "same_source_fraction",
        ):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise StageError(f"copies: {name}={value} must be between 0 and 1")


# --------------------------------------------------------------------------- fingerprints


@dataclass(slots=True, eq=False)
class Fingerprint:
    """Everything the stage needs about one article's text; recomputable from the text.

    ``shingles`` are by position (shingle ``i`` covers words ``i .. i+shingle-1``). Word
    character offsets are only needed to report passages, so they are computed on first use
    (:attr:`word_starts`, :attr:`word_ends`). Only :attr:`anchors` and ``n_words`` are
    persisted: see :class:`Signature`.
    """

    article: str
    text: str = field(repr=False)
    n_words: int
    shingles: np.ndarray = field(repr=False)
    anchors: np.ndarray = field(repr=False)
    _unique: np.ndarray | None = field(default=None, repr=False)
    _offsets: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    @property
    def unique_shingles(self) -> np.ndarray:
        """Sorted distinct shingle hashes (computed once, on first use)."""
        if self._unique is None:
            ordered = np.sort(self.shingles)
            keep = np.ones(ordered.size, dtype=bool)
            np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
            self._unique = ordered[keep]
        return self._unique

    @property
    def word_starts(self) -> np.ndarray:
        return self._word_offsets()[0]

    @property
    def word_ends(self) -> np.ndarray:
        return self._word_offsets()[1]

    def _word_offsets(self) -> tuple[np.ndarray, np.ndarray]:
        if self._offsets is None:
            self._offsets = word_offsets(self.text)
            if self._offsets[0].size != self.n_words:  # same tokeniser, so never expected
                raise StageError(f"copies: word offsets disagree for article {self.article}")
        return self._offsets

    def signature(self) -> Signature:
        return Signature(article=self.article, n_words=self.n_words, anchors=self.anchors)


@dataclass(frozen=True, slots=True, eq=False)
class Signature:
    """The persisted index entry of one article: its anchors (uint32, sorted) and word count."""

    article: str
    n_words: int
    anchors: np.ndarray

    def anchor_bytes(self) -> bytes:
        return self.anchors.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, article: str, n_words: int, blob: bytes) -> Signature:
        return cls(article=article, n_words=n_words, anchors=np.frombuffer(blob, dtype="<u4"))


def _translation() -> bytes:
    """Byte map: ASCII letters/digits lower-cased, other ASCII to space, UTF-8 bytes kept."""
    table = bytearray(b" " * 256)
    for b in range(256):
        ch = chr(b)
        if ch.isascii() and ch.isalnum():
            table[b] = ord(ch.lower())
        elif b >= 0x80:
            table[b] = b
    return bytes(table)


_TRANSLATION = _translation()
# Unicode punctuation separates words: U+2000..U+207F (E2 80/81 xx: curly quotes, dashes,
# ellipsis, thin spaces), the two other Unicode spaces U+1680 and U+3000 (E1 9A 80, E3 80 80)
# and U+0080..U+00BF (C2 xx: nbsp, «», ©, ·). Replaced byte for byte.
_GENERAL_PUNCT = re.compile(rb"\xe2[\x80\x81][\x80-\xbf]|\xe1\x9a\x80|\xe3\x80\x80")
_LATIN1_PUNCT = re.compile(rb"\xc2[\x80-\xbf]")


def _normalise(data: bytes) -> bytes:
    """Lower-cased bytes with every non-word byte a space (same length as ``data``)."""
    if not data.isascii():
        data = _LATIN1_PUNCT.sub(b"  ", _GENERAL_PUNCT.sub(b"   ", data))
    return data.translate(_TRANSLATION)


_B_LEN = 0x91E10DA5C79E7B1D
_B_TEXT = 0xD1B54A32D192ED03


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads every input bit over the whole word (in place)."""
    x ^= x >> _U64(30)
    x *= _U64(0xBF58476D1CE4E5B9)
    x ^= x >> _U64(27)
    x *= _U64(0x94D049BB133111EB)
    x ^= x >> _U64(31)
    return x


def word_offsets(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Character ``[start, end)`` offsets of the words the fingerprint hashes, in order."""
    data = text.encode("utf-8", "surrogatepass")
    norm = np.frombuffer(_normalise(data), dtype=np.uint8)
    word = (norm != 0x20).view(np.int8)
    edges = np.flatnonzero(np.diff(word, prepend=np.int8(0), append=np.int8(0)))
    starts, ends = edges[0::2], edges[1::2]
    if not text.isascii():
        arr = np.frombuffer(data, dtype=np.uint8)
        char_index = np.concatenate(([0], np.cumsum((arr & 0xC0) != 0x80)))
        starts, ends = char_index[starts], char_index[ends]
    return starts.astype(np.int32), ends.astype(np.int32)


_CHUNK_BYTES = 1 << 20  # text per numpy pass: temporaries stay in cache


def fingerprint_texts(
    ids: Sequence[str], texts: Sequence[str], config: CopiesConfig | None = None
) -> list[Fingerprint]:
    """Fingerprint many texts; the hot path of the stage, a few numpy passes per ~1 MB."""
    config = config or CopiesConfig()
    if len(ids) != len(texts):
        raise StageError("copies: fingerprint_texts needs one id per text")
    out: list[Fingerprint] = []
    encoded: list[bytes] = []
    size = first = 0
    for d, text in enumerate(texts):
        data = text.encode("utf-8", "surrogatepass")
        encoded.append(data)
        size += len(data) + 1
        if size >= _CHUNK_BYTES:
            out.extend(
                _fingerprint_chunk(ids[first : d + 1], texts[first : d + 1], encoded, config)
            )
            encoded, size, first = [], 0, d + 1
    if encoded:
        out.extend(_fingerprint_chunk(ids[first:], texts[first:], encoded, config))
    return out


def _fingerprint_chunk(
    ids: Sequence[str], texts: Sequence[str], encoded: list[bytes], config: CopiesConfig
) -> list[Fingerprint]:
    """Shingle hashes for a chunk of articles, all at once.

    A word's hash mixes its length with its first and last 8 bytes (read as little-endian
    uint64 straight out of the normalised buffer, masked to the word): every word of up to 16
    bytes is hashed in full, longer words by both ends — collisions need two words of the
    same length that agree on both ends, which is harmless here. A shingle's hash is a
    position-weighted sum of its ``shingle`` word hashes, mixed. No per-byte arithmetic,
    only per-word, which is what makes the stage fast.
    """
    n_docs = len(encoded)
    k = config.shingle
    lengths = np.fromiter((len(e) + 1 for e in encoded), dtype=np.int64, count=n_docs)
    doc_start = np.zeros(n_docs, dtype=np.int64)
    np.cumsum(lengths[:-1], out=doc_start[1:])
    norm = _normalise(b" ".join(encoded) + b" " * 9)
    raw = np.frombuffer(norm, dtype=np.uint8)
    is_word = raw != 0x20
    edges = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1
    if is_word[0]:
        edges = np.concatenate(([0], edges))
    starts, ends = edges[0::2], edges[1::2]
    nw = int(starts.size)
    # bounds[d] .. bounds[d+1]: the words of document d (few needles into many: cheap)
    bounds = np.searchsorted(starts, np.append(doc_start, raw.size))
    bounds_list = bounds.tolist()
    if nw >= k:
        window = np.ndarray(shape=(raw.size - 7,), dtype="<u8", buffer=norm, strides=(1,))
        lens = (ends - starts).astype(np.uint64)
        m8 = np.minimum(lens, _U64(8))
        head = window[starts]
        head &= (_U64(1) << (m8 << _U64(3))) - _U64(1)  # first min(len, 8) bytes (<< 64 is 0)
        tail = window[np.maximum(ends - 8, 0)]
        tail &= _U64(0) - (m8 >> _U64(3))  # last 8 bytes, only for words of 8 bytes or more
        head *= _U64(0x9FB21C651E98DF25)
        tail *= _U64(0xC13FA9A902A6328F)
        head += tail
        lens += _U64(1)
        lens *= _U64(_B_LEN)
        head += lens
        word_hash = _mix64(head)
        acc = word_hash[: nw - k + 1] * _U64(_SHINGLE_WEIGHTS[0])
        for j in range(1, k):
            acc += word_hash[j : nw - k + 1 + j] * _U64(_SHINGLE_WEIGHTS[j])
        shingle_all = _mix64(acc)
        # A shingle is valid when its k words lie in one document: the last k-1 word
        # positions before each document end start an invalid one.
        valid = np.ones(nw - k + 1, dtype=bool)
        tail_pos = (bounds[1:, None] - np.arange(1, k)[None, :]).ravel()
        valid[tail_pos[(tail_pos >= 0) & (tail_pos < nw - k + 1)]] = False
    else:
        shingle_all = np.zeros(0, dtype=np.uint64)
        valid = np.zeros(0, dtype=bool)

    # Anchors for the whole chunk: select, dedupe per document, cap per document (bottom-k).
    mod = config.anchor_mod
    if mod & (mod - 1) == 0:  # power of two: a mask is much cheaper than a 64-bit modulo
        picked = (shingle_all & _U64(mod - 1)) == 0
    else:
        picked = (shingle_all % _U64(mod)) == 0
    sel = np.flatnonzero(valid & picked)
    sel_doc = np.searchsorted(bounds, sel, side="right") - 1
    keyed = (sel_doc.astype(np.uint64) << _U64(32)) | (shingle_all[sel] >> _U64(32))
    if shingle_all.size:
        # Two whole-text anchors from the sum of each article's shingle hashes: identical
        # texts too short to carry two sampled anchors (a 30-word flash) still meet.
        summed = np.zeros(shingle_all.size + 1, dtype=np.uint64)
        np.cumsum(np.where(valid, shingle_all, _U64(0)), out=summed[1:])
        w0 = bounds[:-1]
        w1 = np.maximum(bounds[1:] - k + 1, w0)
        has = np.flatnonzero(w1 > w0)
        text_hash = _mix64(
            summed[w1[has]] - summed[w0[has]] + (w1 - w0)[has].astype(np.uint64) * _U64(_B_LEN)
        )
        second = _mix64(text_hash ^ _U64(_B_TEXT))
        rows = has.astype(np.uint64) << _U64(32)
        keyed = np.concatenate((keyed, rows | (text_hash >> _U64(32)), rows | (second >> _U64(32))))
    keyed = np.sort(keyed)
    if keyed.size:
        keyed = keyed[np.concatenate(([True], keyed[1:] != keyed[:-1]))]
    anchor_doc = (keyed >> _U64(32)).astype(np.int64)
    anchor_val = (keyed & _U64(0xFFFFFFFF)).astype(np.uint32)
    anchor_bounds = np.searchsorted(anchor_doc, np.arange(n_docs + 1)).tolist()

    cap = config.max_anchors
    out: list[Fingerprint] = []
    for d in range(n_docs):
        w0, w1 = bounds_list[d], bounds_list[d + 1]
        a0, a1 = anchor_bounds[d], anchor_bounds[d + 1]
        out.append(
            Fingerprint(
                article=ids[d],
                text=texts[d],
                n_words=w1 - w0,
                shingles=shingle_all[w0 : max(w0, w1 - k + 1)],
                anchors=anchor_val[a0 : min(a1, a0 + cap)],
            )
        )
    return out


def fingerprint_articles(
    articles: Sequence[Article], config: CopiesConfig | None = None
) -> list[Fingerprint]:
    """:func:`fingerprint_texts` over articles."""
    return fingerprint_texts([a.id for a in articles], [a.text for a in articles], config)


# --------------------------------------------------------------------------- candidate index


@dataclass(frozen=True, slots=True)
class Candidate:
    """Two articles that share enough anchors to be compared exactly."""

    a: str
    b: str
    shared: int
    estimate: float  # shared anchors / anchors of the smaller article (containment estimate)


class AnchorIndex:
    """In-memory inverted index over anchors, rebuilt from stored signatures.

    Memory: one uint64 per stored anchor plus one int per article, i.e. ~8 bytes × anchors
    (≈ 0.7 KB per average news article, capped at 8 × ``max_anchors``).
    """

    def __init__(self, config: CopiesConfig | None = None) -> None:
        self.config = config or CopiesConfig()
        self.ids: list[str] = []
        self._row: dict[str, int] = {}
        self._counts: list[int] = []
        self._even_counts: list[int] = []
        self._keys = np.zeros(0, dtype=np.uint64)
        self._pending: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, article: str) -> bool:
        return article in self._row

    @property
    def nbytes(self) -> int:
        self._flush()
        return int(self._keys.nbytes) + 8 * len(self.ids)

    def add(self, signatures: Iterable[Signature | Fingerprint]) -> None:
        """Add articles (already-indexed ids are ignored); any iterable, consumed in slices."""
        batch: list[Signature | Fingerprint] = []
        for sig in signatures:
            if sig.article in self._row:
                continue
            self._row[sig.article] = len(self.ids)
            self.ids.append(sig.article)
            batch.append(sig)
            if len(batch) >= 10_000:
                self._add_rows(batch)
                batch = []
        if batch:
            self._add_rows(batch)

    def _add_rows(self, batch: list[Signature | Fingerprint]) -> None:
        first_row = len(self.ids) - len(batch)
        sizes = np.fromiter((s.anchors.size for s in batch), dtype=np.int64, count=len(batch))
        if not sizes.sum():
            self._counts.extend([0] * len(batch))
            self._even_counts.extend([0] * len(batch))
            return
        vals = np.concatenate([s.anchors for s in batch]).astype(np.uint64)
        local = np.repeat(np.arange(len(batch), dtype=np.int64), sizes)
        self._counts.extend(sizes.tolist())
        even = np.bincount(local, weights=(vals & _U64(1)) == 0, minlength=len(batch))
        self._even_counts.extend(even.astype(np.int64).tolist())
        self._pending.append((vals << _U64(32)) | (local + first_row).astype(np.uint64))

    def _flush(self) -> None:
        if self._pending:
            # Stable sort of an already-sorted array plus new runs is a cheap merge (timsort).
            self._keys = np.sort(
                np.concatenate([self._keys, *[np.sort(p) for p in self._pending]]), kind="stable"
            )
            self._pending.clear()

    def df(self, values: np.ndarray) -> np.ndarray:
        """How many indexed articles hold each anchor value (its document frequency)."""
        self._flush()
        v = np.asarray(values, dtype=np.uint64)
        lo = np.searchsorted(self._keys, v << _U64(32), side="left")
        hi = np.searchsorted(self._keys, (v << _U64(32)) | _U64(0xFFFFFFFF), side="right")
        return (hi - lo).astype(np.int64)

    def holders(self, values: np.ndarray) -> set[str]:
        """Ids of the indexed articles holding any of the anchor ``values``."""
        self._flush()
        v = np.unique(np.asarray(values, dtype=np.uint64))
        lo = np.searchsorted(self._keys, v << _U64(32), side="left")
        hi = np.searchsorted(self._keys, (v << _U64(32)) | _U64(0xFFFFFFFF), side="right")
        rows = {int(r) & 0xFFFFFFFF for a, b in zip(lo, hi, strict=True) for r in self._keys[a:b]}
        return {self.ids[r] for r in rows}

    def is_candidate(self, a: Signature | Fingerprint, b: Signature | Fingerprint) -> bool:
        """Whether :meth:`candidates` pairs ``a`` and ``b`` with the index as it is now.

        Rarity is judged by the anchors' document frequency in the whole index, so a pair
        that was a candidate while an anchor was rare stops being one once that anchor has
        become boilerplate. (The posting-list cap ``max_anchor_df`` is not applied here: it
        bounds the cost of a lookup, not which pairs belong together.)
        """
        cfg = self.config
        shared = np.intersect1d(a.anchors, b.anchors, assume_unique=True)
        if shared.size < cfg.min_shared_anchors:
            return False
        rare = int((self.df(shared) <= cfg.rare_anchor_df).sum())
        smaller = max(1, min(a.anchors.size, b.anchors.size))
        return rare >= cfg.min_shared_anchors or (
            shared.size / smaller >= cfg.near_duplicate_containment / 2
        )

    def candidates(
        self,
        queries: Sequence[Signature | Fingerprint],
        *,
        min_estimate: float = 0.0,
        half_sample: bool = False,
    ) -> list[Candidate]:
        """Indexed articles that share enough anchors with each query to be compared.

        A pair is a candidate when it shares ``min_shared_anchors`` *rare* anchors (held by
        at most ``rare_anchor_df`` articles), or that many anchors of any frequency with a
        containment estimate of at least half ``near_duplicate_containment`` — so boilerplate
        alone never pairs two articles, but a story republished a hundred times still does.
        An anchor's posting list is scanned up to ``max_anchor_df`` entries (the earliest
        indexed articles), which bounds the cost of boilerplate. ``min_estimate`` drops pairs
        whose containment estimate is lower (use it when only near-duplicates matter).
        ``half_sample`` looks up only the anchors with an even value (a consistent half of
        the sample): half the cost, a noisier estimate — for near-duplicates only, with a
        ``min_estimate`` well below the containment threshold.

        Pairs are reported once, ordered ``a < b`` by article id, never an article with
        itself; queries may or may not be in the index already.
        """
        self._flush()
        cfg = self.config
        n_rows = len(self.ids)
        if not queries or self._keys.size == 0:
            return []
        q_sizes = np.fromiter((q.anchors.size for q in queries), dtype=np.int64, count=len(queries))
        q_vals = np.concatenate([q.anchors for q in queries]).astype(np.uint64)
        q_idx = np.repeat(np.arange(len(queries), dtype=np.int64), q_sizes)
        counts = np.asarray(self._counts, dtype=np.int64)
        if half_sample:
            even = (q_vals & _U64(1)) == 0
            q_vals, q_idx = q_vals[even], q_idx[even]
            q_sizes = np.bincount(q_idx, minlength=len(queries))
            counts = np.asarray(self._even_counts, dtype=np.int64)
        order = np.argsort(q_vals)  # sorted needles make searchsorted cache-friendly (~6x)
        q_vals, q_idx = q_vals[order], q_idx[order]
        lo = np.searchsorted(self._keys, q_vals << _U64(32), side="left")
        hi = np.searchsorted(self._keys, (q_vals << _U64(32)) | _U64(0xFFFFFFFF), side="right")
        df = hi - lo
        scan = np.minimum(df, cfg.max_anchor_df)
        q_rows = np.fromiter(
            (self._row.get(q.article, -1) for q in queries), dtype=np.int64, count=len(queries)
        )
        # An indexed query finds itself under each of its anchors: an anchor nobody else
        # holds (most of them) is dropped before the postings are expanded.
        keep = scan > (q_rows[q_idx] >= 0)
        lo, df, scan, q_idx = lo[keep], df[keep], scan[keep], q_idx[keep]
        total = int(scan.sum())
        if total == 0:
            return []
        starts = np.zeros(scan.size, dtype=np.int64)
        np.cumsum(scan[:-1], out=starts[1:])
        offsets = np.repeat(lo - starts, scan) + np.arange(total, dtype=np.int64)
        hit_rows = (self._keys[offsets] & _U64(0xFFFFFFFF)).astype(np.int64)
        hit_q = np.repeat(q_idx, scan)
        hit_rare = np.repeat(df <= cfg.rare_anchor_df, scan)
        own = q_rows[hit_q]
        # Each unordered pair once: a pair of two indexed queries is kept from its lower row.
        is_query = np.zeros(n_rows, dtype=bool)
        is_query[q_rows[q_rows >= 0]] = True
        keep = (hit_rows != own) & ((own < 0) | ~is_query[hit_rows] | (own < hit_rows))
        hit_rows, hit_q, hit_rare, own = hit_rows[keep], hit_q[keep], hit_rare[keep], own[keep]
        first = np.where(own >= 0, np.minimum(own, hit_rows), n_rows + hit_q)
        second = np.where(own >= 0, np.maximum(own, hit_rows), hit_rows)
        # Sort (pair, rare-flag) keys: runs give the shared count, odd keys the rare count.
        keys = np.sort((first * (n_rows + 1) + second) * 2 + hit_rare)
        if keys.size == 0:
            return []
        pair_of = keys >> 1
        run_start = np.flatnonzero(np.concatenate(([True], pair_of[1:] != pair_of[:-1])))
        shared = np.diff(np.append(run_start, keys.size))
        rare = np.add.reduceat(keys & 1, run_start)
        pair_key = pair_of[run_start]
        first_u, other = pair_key // (n_rows + 1), pair_key % (n_rows + 1)
        first_row = np.where(first_u < n_rows, first_u, 0)
        first_size = np.where(
            first_u < n_rows, counts[first_row], q_sizes[np.maximum(first_u - n_rows, 0)]
        )
        smaller = np.maximum(1, np.minimum(first_size, counts[other]))
        estimate = shared / smaller
        good = (rare >= cfg.min_shared_anchors) | (
            (shared >= cfg.min_shared_anchors) & (estimate >= cfg.near_duplicate_containment / 2)
        )
        good &= estimate >= min_estimate
        out: list[Candidate] = []
        for f, row, n_shared, est in zip(
            first_u[good].tolist(),
            other[good].tolist(),
            shared[good].tolist(),
            estimate[good].tolist(),
            strict=True,
        ):
            x = self.ids[f] if f < n_rows else queries[f - n_rows].article
            y = self.ids[row]
            a, b = (x, y) if x < y else (y, x)
            out.append(Candidate(a=a, b=b, shared=n_shared, estimate=est))
        out.sort(key=lambda c: (c.a, c.b))
        return out


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class PairScore:
    """Exact overlap of two articles' shingle sets."""

    shared: int
    jaccard: float
    containment: float  # shared / shingles of the smaller article


def verify_pair(fa: Fingerprint, fb: Fingerprint) -> PairScore:
    """Exact Jaccard and containment of the two full shingle sets (64-bit hashes)."""
    ua, ub = fa.unique_shingles, fb.unique_shingles
    if ua.size == 0 or ub.size == 0:
        return PairScore(0, 0.0, 0.0)
    # Two sorted sets: a stable sort of their concatenation is one merge (timsort finds the
    # two runs), and every shared hash shows up as two equal neighbours.
    merged = np.concatenate((ua, ub))
    merged.sort(kind="stable")
    shared = int(np.count_nonzero(merged[1:] == merged[:-1]))
    return PairScore(
        shared=shared,
        jaccard=shared / (ua.size + ub.size - shared),
        containment=shared / min(ua.size, ub.size),
    )


def is_near_duplicate(score: PairScore, config: CopiesConfig | None = None) -> bool:
    config = config or CopiesConfig()
    return (
        score.containment >= config.near_duplicate_containment
        and score.jaccard >= config.near_duplicate_jaccard
    )


# --------------------------------------------------------------------------- passages


def _matches(fa: Fingerprint, fb: Fingerprint, max_repeat: int = 4) -> np.ndarray:
    """(i, j) shingle positions with equal hashes; hashes repeated > max_repeat are skipped."""
    sa, sb = fa.shingles, fb.shingles
    if sa.size == 0 or sb.size == 0:
        return np.zeros((0, 2), dtype=np.int64)
    order_b = np.argsort(sb, kind="stable")
    sorted_b = sb[order_b]
    lo = np.searchsorted(sorted_b, sa, side="left")
    hi = np.searchsorted(sorted_b, sa, side="right")
    cnt = hi - lo
    ok = (cnt > 0) & (cnt <= max_repeat)
    ia = np.flatnonzero(ok)
    cnt = cnt[ok]
    lo = lo[ok]
    total = int(cnt.sum())
    if total == 0:
        return np.zeros((0, 2), dtype=np.int64)
    offs = np.repeat(lo - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt) + np.arange(total)
    return np.stack([np.repeat(ia, cnt), order_b[offs]], axis=1).astype(np.int64)


def _segments(matches: np.ndarray, k: int, max_gap: int) -> list[list[int]]:
    """Chain shingle matches into aligned word ranges ``[a0, a1, b0, b1)``.

    Exact runs lie on one diagonal (j - i constant). Runs are then merged greedily in
    A order when both the A gap and the B gap are small and B moves forward — a copy edit
    (substituted, inserted or dropped word) breaks a run for about ``k`` shingles and
    shifts the diagonal by at most a few words.
    """
    if matches.size == 0:
        return []
    diag = matches[:, 1] - matches[:, 0]
    order = np.lexsort((matches[:, 0], diag))
    m = matches[order]
    d = diag[order]
    brk = np.flatnonzero((np.diff(d) != 0) | (np.diff(m[:, 0]) > 1)) + 1
    bounds = np.concatenate(([0], brk, [m.shape[0]]))
    runs = [
        [int(m[s, 0]), int(m[e - 1, 0]) + k, int(m[s, 1]), int(m[e - 1, 1]) + k]
        for s, e in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    ]
    runs.sort(key=lambda r: (r[0], r[2]))
    merged: list[list[int]] = []
    for run in runs:
        best = None
        for seg in reversed(merged[-8:]):
            gap_a = run[0] - seg[1]
            gap_b = run[2] - seg[3]
            if run[0] >= seg[0] and -k <= gap_a <= max_gap and -k <= gap_b <= max_gap:
                best = seg
                break
        if best is None:
            merged.append(list(run))
        else:
            best[1] = max(best[1], run[1])
            best[3] = max(best[3], run[3])
    return merged


# Sentence offsets of one article: all of them, or a function giving (at least) those that
# overlap a character range — so only the paragraphs a passage touches need splitting.
Sentences = Sequence[tuple[int, int]] | Callable[[int, int], Sequence[tuple[int, int]]]


def _sentences_near(sentences: Sentences, c0: int, c1: int) -> Sequence[tuple[int, int]]:
    return sentences(c0, c1) if callable(sentences) else sentences


def _snap(
    c0: int, c1: int, sents: Sequence[tuple[int, int]], coverage: float
) -> tuple[int, int] | None:
    """Widen/narrow a character range to the whole sentences it mostly covers."""
    first = last = None
    for s, e in sents:
        if e <= c0:
            continue
        if s >= c1:
            break
        overlap = min(e, c1) - max(s, c0)
        if overlap >= coverage * (e - s):
            if first is None:
                first = s
            last = e
    if first is None or last is None:
        return None
    return first, last


def _merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def align_passages(
    fa: Fingerprint,
    fb: Fingerprint,
    sentences_a: Sentences,
    sentences_b: Sentences,
    config: CopiesConfig | None = None,
) -> tuple[tuple[Span, Span], ...]:
    """Reused passages of two articles as aligned runs of whole sentences.

    ``sentences_*`` are ``[start, end)`` sentence offsets (:func:`sentence_spans`). Each
    returned pair is (span in A, span in B); pairs are ordered by A position, then B.
    """
    config = config or CopiesConfig()
    k = config.shingle
    segments = _segments(_matches(fa, fb), k, config.max_gap_words)
    found: set[tuple[int, int, int, int]] = set()
    for a0, a1, b0, b1 in segments:
        if min(a1 - a0, b1 - b0) < config.min_passage_words:
            continue
        ca0, ca1 = int(fa.word_starts[a0]), int(fa.word_ends[a1 - 1])
        cb0, cb1 = int(fb.word_starts[b0]), int(fb.word_ends[b1 - 1])
        sa = _snap(ca0, ca1, _sentences_near(sentences_a, ca0, ca1), config.sentence_coverage)
        sb = _snap(cb0, cb1, _sentences_near(sentences_b, cb0, cb1), config.sentence_coverage)
        if sa is None or sb is None:
            continue
        found.add((sa[0], sa[1], sb[0], sb[1]))
    # Merge aligned runs that touch on both sides (neighbouring sentences of one passage).
    merged: list[list[int]] = []
    for a0, a1, b0, b1 in sorted(found):
        if merged:
            last = merged[-1]
            if a0 <= last[1] + 2 and b0 <= last[3] + 2 and b0 >= last[2] and a0 >= last[0]:
                last[1], last[3] = max(last[1], a1), max(last[3], b1)
                continue
        merged.append([a0, a1, b0, b1])
    return tuple((Span(fa.article, a0, a1), Span(fb.article, b0, b1)) for a0, a1, b0, b1 in merged)


def reused_fraction(text: str, spans: Iterable[tuple[int, int]]) -> float:
    """Share of the article's non-blank characters inside the given spans."""
    total = _non_blank(text)
    if total <= 0:
        return 0.0
    covered = sum(_non_blank(text[s:e]) for s, e in _merge_spans(spans))
    return min(1.0, covered / total)


def _non_blank(text: str) -> int:
    """Characters of ``text`` that are not whitespace (``str.split`` splits on exactly the
    characters ``str.isspace`` is true for, in C rather than one Python call a character:
    this ran for every candidate pair over both whole texts)."""
    return sum(map(len, text.split()))


# --------------------------------------------------------------------------- links


@dataclass(frozen=True, slots=True)
class PairResult:
    """A verified link plus the evidence kept in the store."""

    link: CopyLink
    jaccard: float
    containment: float
    reused_a: float
    reused_b: float
    same_source: bool


def compare(
    art_a: Article,
    art_b: Article,
    fa: Fingerprint,
    fb: Fingerprint,
    config: CopiesConfig | None = None,
    *,
    sentences: SentenceSplitter | Callable[[Article], Sequence[tuple[int, int]]] | None = None,
) -> PairResult | None:
    """Verify one candidate pair exactly; None when it is neither kind of copy.

    ``sentences`` splits articles into sentences: a :class:`SentenceSplitter` (the default;
    share one across calls so each paragraph is split once) or any function returning an
    article's ``[start, end)`` sentence spans.

    The pair is put in canonical order (smaller id first) so the result does not depend on
    which article arrived first.
    """
    config = config or CopiesConfig()
    if art_a.id > art_b.id:
        art_a, art_b, fa, fb = art_b, art_a, fb, fa
    score = verify_pair(fa, fb)
    near = is_near_duplicate(score, config)
    if not near and score.shared < config.min_passage_words - config.shingle + 1:
        return None
    if sentences is None or isinstance(sentences, SentenceSplitter):
        splitter = sentences or SentenceSplitter()
        sents_a: Sentences = splitter.near(art_a)
        sents_b: Sentences = splitter.near(art_b)
    else:
        sents_a, sents_b = sentences(art_a), sentences(art_b)
    passages = align_passages(fa, fb, sents_a, sents_b, config)
    if not near and not passages:
        return None
    reused_a = reused_fraction(art_a.text, [(p[0].start, p[0].end) for p in passages])
    reused_b = reused_fraction(art_b.text, [(p[1].start, p[1].end) for p in passages])
    same = near or max(reused_a, reused_b) >= config.same_source_fraction
    kind = "near-duplicate" if near else "shared-passage"
    similarity = score.jaccard if near else score.containment
    link = CopyLink(
        kind=kind, a=art_a.id, b=art_b.id, similarity=round(similarity, 4), passages=passages
    )
    return PairResult(
        link=link,
        jaccard=round(score.jaccard, 4),
        containment=round(score.containment, 4),
        reused_a=round(reused_a, 4),
        reused_b=round(reused_b, 4),
        same_source=same,
    )


# The paragraph rule of newsweave.sentences: sentences never cross a blank line, so one
# paragraph split alone gives exactly the spans the whole text would.
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")


class SentenceSplitter:
    """Sentence spans (:func:`newsweave.sentences.sentence_spans`, pysbd) of articles, split
    paragraph by paragraph on demand and remembered: a passage only needs the sentences of
    the paragraphs it touches, and an article compared with many others is split once.

    ``known`` maps article ids to spans already split (the pipeline's stored spans); those
    articles are not split again. Sentences never cross a blank line, so a paragraph's
    sentences are exactly the known spans inside it.
    """

    def __init__(self, known: Mapping[str, Sequence[tuple[int, int]]] | None = None) -> None:
        from newsweave.sentences import sentence_spans  # pysbd: loaded only when needed

        self._split = sentence_spans
        self._known = known or {}
        self._paragraphs: dict[str, tuple[str, list[int], list[int]]] = {}
        self._done: dict[tuple[str, int], list[tuple[int, int]]] = {}

    def __call__(self, article: Article) -> Sequence[tuple[int, int]]:
        """All sentence spans of ``article``."""
        return self.near(article)(0, len(article.text))

    def near(self, article: Article) -> Callable[[int, int], Sequence[tuple[int, int]]]:
        """A function ``(start, end) -> spans`` of the sentences in the paragraphs that
        overlap ``[start, end)`` of ``article``, in order."""
        if article.id not in self._paragraphs:
            found = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(article.text)]
            self._paragraphs[article.id] = (
                article.text,
                [p[0] for p in found],
                [p[1] for p in found],
            )
        text, starts, ends = self._paragraphs[article.id]
        known = self._known.get(article.id)
        known_starts = [s for s, _ in known] if known is not None else []

        def between(c0: int, c1: int) -> Sequence[tuple[int, int]]:
            out: list[tuple[int, int]] = []
            i = max(0, bisect.bisect_right(starts, c0) - 1)
            while i < len(starts) and starts[i] < c1:
                if ends[i] > c0:
                    key = (article.id, i)
                    if key not in self._done:
                        base = starts[i]
                        if known is not None:
                            lo = bisect.bisect_left(known_starts, base)
                            hi = bisect.bisect_left(known_starts, ends[i])
                            self._done[key] = list(known[lo:hi])
                        else:
                            self._done[key] = [
                                (base + a, base + b) for a, b in self._split(text[base : ends[i]])
                            ]
                    out.extend(self._done[key])
                i += 1
            return out

        return between


def cached_sentence_spans() -> SentenceSplitter:
    """A :class:`SentenceSplitter` (kept for callers that want a plain function)."""
    return SentenceSplitter()


def detect_copies(
    articles: Sequence[Article],
    config: CopiesConfig | None = None,
    *,
    sentences: Callable[[Article], Sequence[tuple[int, int]]] | None = None,
) -> list[PairResult]:
    """All verified copy links among ``articles`` (a one-shot, in-memory run)."""
    config = config or CopiesConfig()
    sentences = sentences or cached_sentence_spans()
    fps = fingerprint_articles(articles, config)
    index = AnchorIndex(config)
    index.add(fps)
    by_id = {a.id: a for a in articles}
    fp_by_id = {f.article: f for f in fps}
    results = []
    for cand in index.candidates(fps):
        res = compare(
            by_id[cand.a],
            by_id[cand.b],
            fp_by_id[cand.a],
            fp_by_id[cand.b],
            config,
            sentences=sentences,
        )
        if res is not None:
            results.append(res)
    return results


# --------------------------------------------------------------------------- groups


def _group_id(prefix: str, members: Iterable[str]) -> str:
    return f"{prefix}-" + hashlib.sha256(min(members).encode("utf-8")).hexdigest()[:16]


def _components(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    parent: dict[str, str] = {n: n for n in nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comps: dict[str, list[str]] = {}
    for n in parent:
        comps.setdefault(find(n), []).append(n)
    return sorted((sorted(c) for c in comps.values()), key=lambda c: c[0])


def link_components(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Connected components (each sorted, by first member) of ``nodes`` and the articles
    of ``edges``: the regions copy and source groups never reach across."""
    return _components(nodes, edges)


def singleton_source_group(article_id: str) -> str:
    """The source group of an article that copies nobody (and that nobody copies)."""
    return _group_id("src", [article_id])


def source_groups(
    article_ids: Iterable[str], same_source_pairs: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """article id -> independent source group id (``src-`` + hash of the smallest member).

    Every article gets a group; an article copied from nobody is its own source.
    """
    out: dict[str, str] = {}
    for comp in _components(article_ids, same_source_pairs):
        gid = _group_id("src", comp)
        for aid in comp:
            out[aid] = gid
    return out


def copy_groups(links: Iterable[CopyLink]) -> list[CopyGroup]:
    """Copy groups with the merged passages of each article.

    A **near-duplicate** group is a connected component of near-duplicate links: the
    articles that are copies of one text. A **shared-passage** group is one reused passage:
    the articles holding it, joined through the aligned spans of the links (a span of one
    article that overlaps another span of the same article is the same passage). So a ticker
    line that crawl furniture repeated on 1,221 pages is one group of its own and does not
    chain every article that shares anything else with one of those pages into it; articles
    sharing two different passages form one group with both (groups with the same articles
    are merged).
    """
    links = list(links)
    groups: list[CopyGroup] = []
    near = [lk for lk in links if lk.kind == "near-duplicate"]
    for comp in _components([], [(lk.a, lk.b) for lk in near]):
        members = set(comp)
        spans: dict[str, list[tuple[int, int]]] = {}
        for lk in near:
            if lk.a in members:
                for sa, sb in lk.passages:
                    spans.setdefault(sa.article, []).append((sa.start, sa.end))
                    spans.setdefault(sb.article, []).append((sb.start, sb.end))
        passages = tuple(
            Span(aid, s, e) for aid in sorted(spans) for s, e in _merge_spans(spans[aid])
        )
        groups.append(
            CopyGroup(
                id=_group_id("nd", comp),
                kind="near-duplicate",
                articles=tuple(comp),
                passages=passages,
            )
        )
    groups.extend(_passage_groups([lk for lk in links if lk.kind == "shared-passage"]))
    return groups


def _passage_groups(links: Sequence[CopyLink]) -> list[CopyGroup]:
    """One group per reused passage (see :func:`copy_groups`)."""

    def key(span: Span) -> str:
        return f"{span.article}:{span.start:09d}:{span.end:09d}"

    edges: list[tuple[str, str]] = []
    by_article: dict[str, set[tuple[int, int]]] = {}
    for lk in links:
        for sa, sb in lk.passages:
            edges.append((key(sa), key(sb)))
            by_article.setdefault(sa.article, set()).add((sa.start, sa.end))
            by_article.setdefault(sb.article, set()).add((sb.start, sb.end))
    # overlapping spans of one article are one passage occurrence
    for aid, spans in by_article.items():
        ordered = sorted(spans)
        run_end, run_key = -1, ""
        for s, e in ordered:
            k = key(Span(aid, s, e))
            if s < run_end:
                edges.append((run_key, k))
            else:
                run_key = k
            if e > run_end:
                run_end = e
    found: dict[tuple[str, ...], list[Span]] = {}
    for comp in _components([], edges):
        spans = []
        for k in comp:
            aid, s, e = k.rsplit(":", 2)
            spans.append(Span(aid, int(s), int(e)))
        members = tuple(sorted({sp.article for sp in spans}))
        if len(members) >= 2:
            found.setdefault(members, []).extend(spans)
    out = []
    for members, spans in sorted(found.items()):
        per: dict[str, list[tuple[int, int]]] = {}
        for sp in spans:
            per.setdefault(sp.article, []).append((sp.start, sp.end))
        passages = tuple(Span(a, s, e) for a in sorted(per) for s, e in _merge_spans(per[a]))
        out.append(
            CopyGroup(
                id=_group_id("sp", [f"{p.article}:{p.start}" for p in passages]),
                kind="shared-passage",
                articles=members,
                passages=passages,
            )
        )
    return out


__all__ = [
    "AnchorIndex",
    "Candidate",
    "CopiesConfig",
    "Fingerprint",
    "PairResult",
    "PairScore",
    "SentenceSplitter",
    "Signature",
    "align_passages",
    "cached_sentence_spans",
    "compare",
    "copy_groups",
    "detect_copies",
    "fingerprint_articles",
    "fingerprint_texts",
    "is_near_duplicate",
    "link_components",
    "reused_fraction",
    "singleton_source_group",
    "source_groups",
    "verify_pair",
]
