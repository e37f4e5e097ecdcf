"""Headline-body stance: does a body agree with, disagree with, discuss, or ignore a headline?

This is the FNC-1 task, and it is the measurable core of the claims stage: whether a
report backs a claim, disputes it, or only relays it with hedging. The features are the
claims stage's own (``newsweave.claims``): stems and IDF-weighted overlap, the body's
sentences that best match the headline, hedging and attribution cues, negation, refutation
cues ("hoax", "fake", "denied"), numbers; plus sentence-embedding cosines
(``newsweave.embed``) when asked. A small gradient-boosted tree model over those features,
trained on FNC-1 competition-test pairs with body-disjoint cross-validation (see
``bench/stance.py``), ships as plain arrays in ``newsweave/data/stance_gbm.npz`` and is
evaluated here with numpy: no pickles, no scikit-learn at prediction time.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from newsweave.claims import (
    HEDGE_RE,
    content_stems,
    split_attribution,
    tokens,
)
from newsweave.errors import StageError
from newsweave.sentences import sentence_spans

STANCES = ("agree", "disagree", "discuss", "unrelated")
MODEL_FILE = Path(__file__).parent / "data" / "stance_gbm.npz"

# The negation cues the shipped model was trained with (frozen here so that tuning the claims
# stage's NEGATION_RE does not change the features this model sees).
NEGATION_RE = re.compile(r"\b(not|never|no longer|neither|nor|cannot)\b|n't\b", re.IGNORECASE)
REFUTE_RE = re.compile(
    r"\b(fake|fakes|faked|hoax\w*|false|falsely|fraud\w*|debunk\w*|deny|denies|denied|denial|"
    r"refut\w*|reject\w*|dismiss\w*|untrue|not true|no evidence|misleading|myth|rumou?rs?|"
    r"satir\w*|prank\w*|doubt\w*|dispute\w*|contrary|bogus|nonsense|baseless|fabricat\w*|"
    r"retract\w*|wrong|incorrect|never|nothing|no truth|lie|lies|lied|scam)\b",
    re.I,
)
REPORT_RE = re.compile(
    r"\b(report\w*|claim\w*|allegedly|alleged|purported\w*|accord\w* to|sources?|unconfirmed|"
    r"unverified|appears?|suggest\w*|believed|thought to|supposedly|rumou?r\w*|speculat\w*)\b",
    re.I,
)
CONFIRM_RE = re.compile(
    r"\b(confirm\w*|announced|official\w*|verified|proved?|proven|indeed|actually|revealed|"
    r"admitted|acknowledged|statement)\b",
    re.I,
)

FEATURE_NAMES = (
    "head_len",
    "body_sentences",
    "overlap_frac",
    "overlap_idf_frac",
    "overlap_count",
    "bigram_frac",
    "lead_overlap_idf",
    "best_sent_dice",
    "top3_sent_dice",
    "best_sent_cover",
    "best_sent_pos",
    "num_matched_sents",
    "numbers_head",
    "numbers_matched",
    "head_refute",
    "head_hedge",
    "head_report",
    "head_question",
    "head_negated",
    "body_refute_rate",
    "body_hedge_rate",
    "body_report_rate",
    "body_confirm_rate",
    "body_negation_rate",
    "body_attributed_rate",
    "body_quote_rate",
    "top_refute",
    "top_hedge",
    "top_report",
    "top_negated",
    "top_attributed",
    "lead_refute",
    "lead_hedge",
    "lead_report",
    "tfidf_cos",
    "emb_body_cos",
    "emb_best_sent",
    "emb_top3_sent",
    "emb_lead_cos",
    "emb_best_sent_refute",
)


@dataclass(frozen=True, slots=True)
class Body:
    """A body prepared once for many headlines: sentences, their stems and cue counts."""

    sentences: tuple[str, ...]
    stems: tuple[frozenset[str], ...]
    all_stems: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    numbers: frozenset[str]
    refute: np.ndarray  # per sentence: counts of refutation cues
    hedge: np.ndarray
    report: np.ndarray
    confirm: np.ndarray
    negated: np.ndarray
    attributed: np.ndarray
    quoted: np.ndarray


def _bigrams(stems: Sequence[str]) -> frozenset[tuple[str, str]]:
    return frozenset(zip(stems, stems[1:], strict=False))


def _numbers(text: str) -> frozenset[str]:
    return frozenset(t for t in tokens(text) if t[0].isdigit())


def prepare_body(text: str, *, max_sentences: int = 60) -> Body:
    """Split a body into sentences and precompute what every headline comparison needs."""
    spans = sentence_spans(text)[:max_sentences] or [(0, len(text))]
    sents = tuple(text[s:e] for s, e in spans)
    stems = tuple(frozenset(content_stems(s)) for s in sents)
    ordered = content_stems(text)

    def count(pattern: re.Pattern[str]) -> np.ndarray:
        return np.array([len(pattern.findall(s)) for s in sents], dtype=np.float32)

    return Body(
        sentences=sents,
        stems=stems,
        all_stems=frozenset(ordered),
        bigrams=_bigrams(ordered),
        numbers=_numbers(text),
        refute=count(REFUTE_RE),
        hedge=count(HEDGE_RE),
        report=count(REPORT_RE),
        confirm=count(CONFIRM_RE),
        negated=count(NEGATION_RE),
        attributed=np.array(
            [split_attribution(s)[1] is not None or "said" in s for s in sents], dtype=np.float32
        ),
        quoted=np.array([('"' in s or "“" in s) for s in sents], dtype=np.float32),
    )


def document_frequencies(bodies: Sequence[Body]) -> tuple[Counter[str], int]:
    """Stem document frequencies over bodies (for IDF); returns (counts, number of bodies)."""
    df: Counter[str] = Counter()
    for b in bodies:
        df.update(b.all_stems)
    return df, len(bodies)


def _dice(a: frozenset[str], b: frozenset[str], idf: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    shared = sum(idf.get(t, 1.0) for t in a & b)
    return 2 * shared / (sum(idf.get(t, 1.0) for t in a) + sum(idf.get(t, 1.0) for t in b))


def pair_features(
    headline: str,
    body: Body,
    idf: dict[str, float],
    *,
    tfidf_cos: float = 0.0,
    head_vec: np.ndarray | None = None,
    body_vecs: np.ndarray | None = None,
) -> np.ndarray:
    """The feature vector of one headline-body pair, in :data:`FEATURE_NAMES` order.

    ``body_vecs`` holds one unit vector per body sentence (first row: the body's lead); with
    ``head_vec`` they give the embedding features, which are zero otherwise.
    """
    h_list = content_stems(headline)
    h = frozenset(h_list)
    h_idf = sum(idf.get(t, 1.0) for t in h) or 1.0
    shared = h & body.all_stems
    n = len(body.sentences)
    dices = np.array([_dice(h, s, idf) for s in body.stems], dtype=np.float32)
    covers = np.array(
        [sum(idf.get(t, 1.0) for t in h & s) / h_idf for s in body.stems], dtype=np.float32
    )
    order = np.argsort(-dices, kind="stable")
    top = order[:3]
    best = int(order[0])
    matched = covers >= 0.3
    h_numbers = _numbers(headline)
    lead = slice(0, min(3, n))
    emb = [0.0, 0.0, 0.0, 0.0, 0.0]
    if head_vec is not None and body_vecs is not None and len(body_vecs):
        cos = body_vecs @ head_vec
        srt = np.sort(cos)[::-1]
        body_mean = body_vecs.mean(axis=0)
        norm = float(np.linalg.norm(body_mean)) or 1.0
        best_e = int(np.argmax(cos))
        emb = [
            float(body_mean @ head_vec / norm),
            float(srt[0]),
            float(srt[:3].mean()),
            float(cos[0]),
            float(body.refute[best_e] if best_e < n else 0.0),
        ]
    feats = [
        len(h_list),
        n,
        len(shared) / (len(h) or 1),
        sum(idf.get(t, 1.0) for t in shared) / h_idf,
        len(shared),
        len(_bigrams(h_list) & body.bigrams) / max(1, len(h_list) - 1),
        sum(idf.get(t, 1.0) for t in h & frozenset().union(*body.stems[lead])) / h_idf,
        float(dices[best]),
        float(dices[top].mean()),
        float(covers.max()),
        best / max(1, n - 1),
        float(matched.sum()),
        len(h_numbers),
        len(h_numbers & body.numbers),
        len(REFUTE_RE.findall(headline)),
        len(HEDGE_RE.findall(headline)),
        len(REPORT_RE.findall(headline)),
        float("?" in headline),
        float(bool(NEGATION_RE.search(headline))),
        float(body.refute.sum() / n),
        float(body.hedge.sum() / n),
        float(body.report.sum() / n),
        float(body.confirm.sum() / n),
        float(body.negated.sum() / n),
        float(body.attributed.mean()),
        float(body.quoted.mean()),
        float(body.refute[top].sum()),
        float(body.hedge[top].sum()),
        float(body.report[top].sum()),
        float(body.negated[top].sum()),
        float(body.attributed[top].sum()),
        float(body.refute[lead].sum()),
        float(body.hedge[lead].sum()),
        float(body.report[lead].sum()),
        tfidf_cos,
        *emb,
    ]
    return np.asarray(feats, dtype=np.float32)


def featurise(
    headlines: Sequence[str],
    bodies: Sequence[str],
    pairs: Sequence[tuple[int, int]],
    *,
    embeddings: bool = True,
    progress: object | None = None,
) -> np.ndarray:
    """Feature matrix for ``pairs`` of (headline index, body index).

    Each distinct headline and body is processed once, however many pairs it is in.
    IDF and TF-IDF statistics come from ``bodies`` themselves (no labels are used).
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    prepared = [prepare_body(b) for b in bodies]
    df, nb = document_frequencies(prepared)
    idf = {t: math.log((nb + 1) / (c + 1)) + 1.0 for t, c in df.items()}
    vec = TfidfVectorizer(
        analyzer=lambda t: content_stems(t), sublinear_tf=True, min_df=1, dtype=np.float32
    )
    vec.fit(list(bodies) + list(headlines))
    hm = vec.transform(headlines)
    bm = vec.transform(bodies)
    head_vecs = sent_vecs = None
    offsets: list[int] = []
    if embeddings:
        from newsweave.embed import embed

        head_vecs = embed(list(headlines))
        flat: list[str] = []
        for b in prepared:
            offsets.append(len(flat))
            flat.extend(b.sentences)
        offsets.append(len(flat))
        sent_vecs = embed(flat)
    rows = []
    for hi, bi in pairs:
        cos = float(hm[hi].multiply(bm[bi]).sum())
        bv = sent_vecs[offsets[bi] : offsets[bi + 1]] if sent_vecs is not None else None
        hv = head_vecs[hi] if head_vecs is not None else None
        rows.append(
            pair_features(
                headlines[hi], prepared[bi], idf, tfidf_cos=cos, head_vec=hv, body_vecs=bv
            )
        )
    if not rows:
        return np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)
    return np.vstack(rows)


# --------------------------------------------------------------------------- the model


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """FNC-1 weighted score and its maximum: +0.25 for the right related/unrelated call,
    +0.75 more for the right agree/disagree/discuss on a related pair."""
    score = best = 0.0
    for g, p in zip(gold, pred, strict=True):
        best += 0.25 if g == "unrelated" else 1.0
        if g == p:
            score += 0.25
            if g != "unrelated":
                score += 0.5
        if g != "unrelated" and p != "unrelated":
            score += 0.25
    return score, best


@dataclass(frozen=True)
class TreeEnsemble:
    """Gradient-boosted trees as flat arrays, evaluated with numpy.

    ``trees[k]`` for iteration ``i`` and class ``c`` is tree ``i * n_classes + c``; each tree's
    nodes are rows of ``feature``, ``threshold``, ``left``, ``right``, ``leaf``, ``value``,
    ``missing_left`` starting at ``offsets[k]``. Raw score = ``baseline`` + sum of leaf
    values; probabilities are its softmax.
    """

    classes: tuple[str, ...]
    baseline: np.ndarray
    offsets: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray
    missing_left: np.ndarray
    feature_names: tuple[str, ...]

    @classmethod
    def from_sklearn(cls, model: object, feature_names: Sequence[str]) -> TreeEnsemble:
        """Flatten a fitted ``HistGradientBoostingClassifier`` (numeric features only)."""
        predictors = model._predictors  # type: ignore[attr-defined]
        nodes = [tree.nodes for it in predictors for tree in it]
        offsets = np.cumsum([0] + [len(n) for n in nodes[:-1]]).astype(np.int64)
        cat = np.concatenate(nodes)
        if cat["is_categorical"].any():
            raise StageError("categorical splits are not supported by TreeEnsemble")
        baseline = np.asarray(model._baseline_prediction, dtype=np.float64).ravel()  # type: ignore[attr-defined]
        return cls(
            classes=tuple(str(c) for c in model.classes_),  # type: ignore[attr-defined]
            baseline=baseline,
            offsets=offsets,
            feature=cat["feature_idx"].astype(np.int64),
            threshold=cat["num_threshold"].astype(np.float64),
            left=cat["left"].astype(np.int64),
            right=cat["right"].astype(np.int64),
            leaf=cat["is_leaf"].astype(bool),
            value=cat["value"].astype(np.float64),
            missing_left=cat["missing_go_to_left"].astype(bool),
            feature_names=tuple(feature_names),
        )

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            classes=np.array(self.classes),
            baseline=self.baseline,
            offsets=self.offsets,
            feature=self.feature.astype(np.int16),
            threshold=self.threshold,
            left=self.left.astype(np.int32),
            right=self.right.astype(np.int32),
            leaf=self.leaf,
            value=self.value.astype(np.float32),
            missing_left=self.missing_left,
            feature_names=np.array(self.feature_names),
        )

    @classmethod
    def load(cls, path: Path) -> TreeEnsemble:
        if not path.is_file():
            raise StageError(f"{path}: stance model file is missing from the package")
        with np.load(path, allow_pickle=False) as z:
            return cls(
                classes=tuple(str(c) for c in z["classes"]),
                baseline=z["baseline"].astype(np.float64),
                offsets=z["offsets"].astype(np.int64),
                feature=z["feature"].astype(np.int64),
                threshold=z["threshold"].astype(np.float64),
                left=z["left"].astype(np.int64),
                right=z["right"].astype(np.int64),
                leaf=z["leaf"].astype(bool),
                value=z["value"].astype(np.float64),
                missing_left=z["missing_left"].astype(bool),
                feature_names=tuple(str(c) for c in z["feature_names"]),
            )

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Raw class scores, shape ``(len(x), n_classes)``; all rows walk each tree together."""
        x = np.asarray(x, dtype=np.float64)
        k = len(self.classes)
        out = np.tile(self.baseline, (len(x), 1))
        rows = np.arange(len(x))
        for t, off in enumerate(self.offsets):
            node = np.full(len(x), off, dtype=np.int64)
            active = ~self.leaf[node]
            while active.any():
                idx = node[active]
                val = x[rows[active], self.feature[idx]]
                go_left = np.where(
                    np.isnan(val), self.missing_left[idx], val <= self.threshold[idx]
                )
                node[active] = off + np.where(go_left, self.left[idx], self.right[idx])
                active = ~self.leaf[node]
            out[:, t % k] += self.value[node]
        return out

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        raw = self.raw(x)
        raw -= raw.max(axis=1, keepdims=True)
        e = np.exp(raw)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, x: np.ndarray) -> list[str]:
        return [self.classes[i] for i in self.predict_proba(x).argmax(axis=1)]


@lru_cache(maxsize=1)
def shipped_model() -> TreeEnsemble:
    """The stance model that ships with newsweave (trained by ``bench/stance.py --save``)."""
    model = TreeEnsemble.load(MODEL_FILE)
    if model.feature_names != FEATURE_NAMES:
        raise StageError(
            f"{MODEL_FILE}: trained on other features than this version computes; "
            "retrain with bench/stance.py --save"
        )
    return model


def train(x: np.ndarray, y: Sequence[str], *, seed: int = 0, **params: object) -> object:
    """Fit the gradient-boosted trees (scikit-learn) on a feature matrix and labels."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    settings = {
        "max_iter": 300,
        "learning_rate": 0.08,
        "max_leaf_nodes": 31,
        "min_samples_leaf": 20,
        "l2_regularization": 1.0,
        "random_state": seed,
    }
    settings.update(params)
    model = HistGradientBoostingClassifier(**settings)
    model.fit(x, list(y))
    return model


def predict_stances(
    pairs: Sequence[tuple[str, str]], *, embeddings: bool = True, model: TreeEnsemble | None = None
) -> list[str]:
    """Stance of each (headline, body) pair with the shipped model."""
    if not pairs:
        return []
    heads = list(dict.fromkeys(h for h, _ in pairs))
    bodies = list(dict.fromkeys(b for _, b in pairs))
    hi = {h: i for i, h in enumerate(heads)}
    bi = {b: i for i, b in enumerate(bodies)}
    x = featurise(heads, bodies, [(hi[h], bi[b]) for h, b in pairs], embeddings=embeddings)
    return (model or shipped_model()).predict(x)


__all__ = [
    "FEATURE_NAMES",
    "STANCES",
    "Body",
    "TreeEnsemble",
    "featurise",
    "fnc_score",
    "pair_features",
    "predict_stances",
    "prepare_body",
    "shipped_model",
    "train",
]
