"""Headline-body stance: features, the numpy tree evaluator, the shipped model, FNC scoring."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from newsweave.ingest import discover
from newsweave.pipeline import read_and_clean
from newsweave.records import Article
from newsweave.stance import (
    FEATURE_NAMES,
    TreeEnsemble,
    featurise,
    fnc_score,
    predict_stances,
    shipped_model,
    train,
)

from .conftest import SEEDS, SHARED_DATA

FNC = SHARED_DATA / "fnc1"


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    arts = []
    for item in discover([str(SEEDS)]):
        arts.extend(a for a in read_and_clean(item) if isinstance(a, Article))
    return {Path(a.source_path).name[:3]: a for a in arts}


@pytest.fixture(scope="module")
def fnc_sample() -> tuple[list[str], list[str], list[tuple[int, int]], list[str]]:
    """The first 800 FNC-1 competition-test pairs (skip when the data set is absent)."""
    if not (FNC / "competition_test_stances.csv").exists():
        pytest.skip("FNC-1 not available")
    csv.field_size_limit(10**8)
    with open(FNC / "competition_test_bodies.csv", encoding="utf-8", newline="") as f:
        bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(f)}
    with open(FNC / "competition_test_stances.csv", encoding="utf-8", newline="") as f:
        rows = [r for _, r in zip(range(800), csv.DictReader(f), strict=False)]
    heads = list(dict.fromkeys(r["Headline"] for r in rows))
    body_ids = list(dict.fromkeys(r["Body ID"] for r in rows))
    hi = {h: i for i, h in enumerate(heads)}
    bi = {b: i for i, b in enumerate(body_ids)}
    pairs = [(hi[r["Headline"]], bi[r["Body ID"]]) for r in rows]
    return heads, [bodies[b] for b in body_ids], pairs, [r["Stance"] for r in rows]


@pytest.fixture(scope="module")
def fnc_features(fnc_sample) -> np.ndarray:
    heads, bodies, pairs, _ = fnc_sample
    return featurise(heads, bodies, pairs, embeddings=False)


def test_fnc_score_follows_the_official_weights() -> None:
    gold = ["unrelated", "agree", "discuss", "disagree"]
    assert fnc_score(gold, gold) == (3.25, 3.25)
    # related but wrong class: 0.25; unrelated called related: 0; related called unrelated: 0
    assert fnc_score(gold, ["agree", "discuss", "unrelated", "disagree"]) == (1.25, 3.25)


def test_tree_ensemble_reproduces_scikit_learn(fnc_sample, fnc_features, tmp_path: Path) -> None:
    _, _, pairs, labels = fnc_sample
    x = fnc_features
    assert x.shape == (len(pairs), len(FEATURE_NAMES))
    assert np.isfinite(x).all()
    model = train(x, labels, max_iter=25)
    ens = TreeEnsemble.from_sklearn(model, FEATURE_NAMES)
    np.testing.assert_allclose(ens.predict_proba(x), model.predict_proba(x), atol=1e-5)
    path = tmp_path / "m.npz"
    ens.save(path)
    again = TreeEnsemble.load(path)
    assert again.classes == ens.classes
    np.testing.assert_allclose(again.predict_proba(x), ens.predict_proba(x), atol=1e-5)


def test_overlap_features_separate_related_from_unrelated(fnc_sample, fnc_features) -> None:
    labels = fnc_sample[3]
    x = fnc_features
    col = FEATURE_NAMES.index("overlap_idf_frac")
    y = np.array(labels)
    assert x[y != "unrelated", col].mean() > 2 * x[y == "unrelated", col].mean()


def test_shipped_model_matches_this_feature_set() -> None:
    model = shipped_model()
    assert model.feature_names == FEATURE_NAMES
    assert set(model.classes) == {"agree", "disagree", "discuss", "unrelated"}


def test_shipped_model_on_the_seeds(seeds) -> None:
    def body(k: str) -> str:
        return seeds[k].text

    pairs = [
        # a 2023 headline against a 2020 report on another topic of the same ministers
        (
            "Amit Shah chairs SCO meet on prevention, elimination of emergency situation",
            body("000"),
        ),
        # 000's own headline against 001's report of the same assurance
        (seeds["000"].title or "", body("001")),
    ]
    unrelated, related = predict_stances(pairs)
    assert unrelated == "unrelated"
    assert related != "unrelated"


def test_missing_model_file_is_a_clear_error(tmp_path: Path) -> None:
    from newsweave.errors import StageError

    with pytest.raises(StageError, match="missing"):
        TreeEnsemble.load(tmp_path / "none.npz")
