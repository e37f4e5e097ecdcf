"""Benchmark: headline-body stance on FNC-1 (agree / disagree / discuss / unrelated).

Data: ``../shared/data/fnc1`` — ``competition_test_bodies.csv`` (Body ID, articleBody) and
``competition_test_stances.csv`` (Headline, Body ID, Stance). Only these competition-test
labels exist here (``train_bodies.csv`` has bodies without labels), so the learned part is
measured by cross-validation over folds that share **no body** (GroupKFold on Body ID): every
figure is out-of-fold. Headlines do recur across folds (one headline is paired with many
bodies); the features are hand-built comparisons, not words of the headline, so a model
cannot memorise a headline's label.

Figures: the FNC-1 weighted score as a share of its maximum (anchors: winner 82.0 %,
official baseline 79.5 %), per-class F1, macro F1, confusion matrix, and the speed of the
shipped predictor (features + numpy trees) in pairs/s.

``--save`` trains on all pairs and writes ``src/newsweave/data/stance_gbm.npz`` (the model
``newsweave.stance.shipped_model()`` loads).

Usage: ``python bench/stance.py [--data ../shared/data/fnc1] [--folds 5] [--no-embeddings]
[--limit N] [--save]``
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import zlib
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import default_data, emit, log, peak_rss_mb  # noqa: E402
from newsweave.stance import (  # noqa: E402
    FEATURE_NAMES,
    MODEL_FILE,
    STANCES,
    TreeEnsemble,
    featurise,
    fnc_score,
    train,
)


def load(
    data: Path, limit: int | None
) -> tuple[list[str], list[str], list[tuple[int, int]], list[str], list[int]]:
    csv.field_size_limit(10**8)
    with open(data / "competition_test_bodies.csv", encoding="utf-8", newline="") as f:
        body_rows = list(csv.DictReader(f))
    with open(data / "competition_test_stances.csv", encoding="utf-8", newline="") as f:
        pair_rows = list(csv.DictReader(f))
    if limit:
        pair_rows = pair_rows[:limit]
    body_index = {r["Body ID"]: i for i, r in enumerate(body_rows)}
    bodies = [r["articleBody"] for r in body_rows]
    headlines: list[str] = []
    head_index: dict[str, int] = {}
    pairs, labels, groups = [], [], []
    for r in pair_rows:
        h = r["Headline"]
        if h not in head_index:
            head_index[h] = len(headlines)
            headlines.append(h)
        pairs.append((head_index[h], body_index[r["Body ID"]]))
        labels.append(r["Stance"])
        groups.append(int(r["Body ID"]))
    return headlines, bodies, pairs, labels, groups


def f1_table(gold: list[str], pred: list[str]) -> dict[str, float]:
    out = {}
    for c in STANCES:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        out[c] = round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default_data("fnc1"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--no-embeddings", action="store_true", help="lexical features only")
    ap.add_argument("--limit", type=int, default=None, help="first N pairs only (smoke runs)")
    ap.add_argument("--save", action="store_true", help=f"train on all pairs, write {MODEL_FILE}")
    ap.add_argument(
        "--threads",
        type=int,
        default=1,
        help="OpenMP threads for tree training (1 avoids spin-wait thrashing on a busy machine)",
    )
    args = ap.parse_args()
    from sklearn.model_selection import GroupKFold
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=args.threads, user_api="openmp")

    t0 = time.perf_counter()
    headlines, bodies, pairs, labels, groups = load(args.data, args.limit)
    log(f"{len(pairs)} pairs, {len(headlines)} headlines, {len(bodies)} bodies")
    t1 = time.perf_counter()
    x = featurise(headlines, bodies, pairs, embeddings=not args.no_embeddings)
    feat_s = time.perf_counter() - t1
    log(f"features {x.shape} in {feat_s:.1f}s")
    y = np.array(labels)
    oof = np.empty(len(y), dtype=object)
    for k, (tr, te) in enumerate(GroupKFold(n_splits=args.folds).split(x, y, groups)):
        model = train(x[tr], y[tr])
        oof[te] = TreeEnsemble.from_sklearn(model, FEATURE_NAMES).predict(x[te])
        s, m = fnc_score(list(y[te]), list(oof[te]))
        log(f"fold {k + 1}/{args.folds}: FNC {100 * s / m:.2f} %")
    pred = [str(p) for p in oof]
    score, best = fnc_score(labels, pred)
    # Stricter: test pairs whose headline AND body are both unseen in training.
    heads = np.array([h for h, _ in pairs])
    fh = np.array([zlib.crc32(headlines[h].encode()) % args.folds for h in heads])
    fb = np.array([zlib.crc32(str(g).encode()) % args.folds for g in groups])
    strict_gold: list[str] = []
    strict_pred: list[str] = []
    for k in range(args.folds):
        te = (fh == k) & (fb == k)
        tr = (fh != k) & (fb != k)
        if not te.any():
            continue
        model = train(x[tr], y[tr])
        strict_pred += TreeEnsemble.from_sklearn(model, FEATURE_NAMES).predict(x[te])
        strict_gold += list(y[te])
    s_score, s_best = fnc_score(strict_gold, strict_pred) if strict_gold else (0.0, 1.0)
    log(f"headline+body-disjoint: FNC {100 * s_score / s_best:.2f} % on {len(strict_gold)} pairs")
    f1 = f1_table(labels, pred)
    confusion = {g: {p: 0 for p in STANCES} for g in STANCES}
    for g, p in zip(labels, pred, strict=True):
        confusion[g][p] += 1
    # Speed of the shipped path: features for all pairs + tree evaluation.
    full = train(x, y)
    ens = TreeEnsemble.from_sklearn(full, FEATURE_NAMES)
    t2 = time.perf_counter()
    ens.predict(x)
    tree_s = time.perf_counter() - t2
    if args.save:
        MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
        ens.save(MODEL_FILE)
        log(f"saved {MODEL_FILE} ({MODEL_FILE.stat().st_size / 1024:.0f} KiB)")
    emit(
        {
            "bench": "stance",
            "data": str(args.data),
            "pairs": len(pairs),
            "folds": f"{args.folds} body-disjoint (GroupKFold on Body ID), out-of-fold",
            "embeddings": not args.no_embeddings,
            "fnc_score": score,
            "fnc_max": best,
            "fnc_percent": round(100 * score / best, 2),
            "anchors_percent": {"winner": 82.0, "baseline": 79.5, "goal": 85.0},
            "fnc_percent_headline_and_body_disjoint": round(100 * s_score / s_best, 2),
            "pairs_headline_and_body_disjoint": len(strict_gold),
            "f1": f1,
            "macro_f1": round(sum(f1.values()) / 4, 4),
            "related_accuracy": round(
                sum(
                    (g == "unrelated") == (p == "unrelated")
                    for g, p in zip(labels, pred, strict=True)
                )
                / len(labels),
                4,
            ),
            "confusion_gold_to_pred": confusion,
            "pairs_per_s": round(len(pairs) / (feat_s + tree_s), 1),
            "feature_s": round(feat_s, 1),
            "total_s": round(time.perf_counter() - t0, 1),
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
