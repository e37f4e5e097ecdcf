"""The embedding model id is stored with every vector and checked when vectors are read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsweave import pipeline
from newsweave.embed import MODEL_ID, SHIPPED_MODEL_ID
from newsweave.errors import StageError
from newsweave.store import Store
from newsweave.store import group as group_store


def test_vectors_carry_their_model_and_other_models_are_reembedded(
    seeds_dir: Path, db_path: Path
) -> None:
    with Store(db_path) as store:
        pipeline.ingest_paths(store, [str(seeds_dir)])
        pipeline.analyze(store)  # every stage: the nlp stage's places shape story vectors
        rows = store.conn.execute("SELECT article_id, model, vector FROM group_signals").fetchall()
        assert rows and {r[1] for r in rows} == {MODEL_ID}
        before = {r[0]: np.frombuffer(r[2], dtype=np.float32) for r in rows}
        # a store written by an older newsweave: same rows, another model's (stale) vectors
        with store.transaction() as conn:
            conn.execute("UPDATE group_signals SET model = ?", (SHIPPED_MODEL_ID,))
        ids = [r[0] for r in rows]
        assert group_store.signals_of_other_models(store) == sorted(ids)
        with pytest.raises(StageError, match="made by"):
            group_store.load_signals(store, ids)
        pipeline.analyze(store, only=["group"])  # nothing new to group: re-embeds only
        assert group_store.signals_of_other_models(store) == []
        after = {s.id: s.vector for s in group_store.load_signals(store, ids)}
        assert all(np.array_equal(after[i], before[i]) for i in ids)
        # a store from before stories had a place-free vector: re-embedded the same way
        stories = {s.id: s.story_vector for s in group_store.load_signals(store, ids)}
        with store.transaction() as conn:
            conn.execute("UPDATE group_signals SET story_vector = NULL")
        assert group_store.signals_of_other_models(store) == sorted(ids)
        pipeline.analyze(store, only=["group"])
        again = {s.id: s.story_vector for s in group_store.load_signals(store, ids)}
        assert all(np.allclose(again[i], stories[i], atol=1e-6) for i in ids)
        assert not all(np.array_equal(again[i], before[i]) for i in ids)  # places left out


class _CountingRunner:
    """A local runner that records the texts each embedding task was given."""

    name = "counting"
    workers = 1

    def __init__(self) -> None:
        self.texts: list[str] = []

    def map(self, func, items, *, chunk_size=None):  # type: ignore[no-untyped-def]
        for item in items:
            self.texts.extend(item)
            yield func(item)

    def close(self) -> None:
        return None


def test_each_distinct_lead_is_embedded_once() -> None:
    from newsweave.embed import embed
    from newsweave.runners import use_runner

    texts = ["Floods close the port. Ships wait.", "Talks resume in Geneva.", ""]
    texts += [texts[0], texts[1]]  # an article whose lead names no place: both leads alike
    runner = _CountingRunner()
    with use_runner(runner):
        vectors = pipeline._embed_leads(texts)
    assert sorted(runner.texts) == sorted(set(texts))
    # the same vectors as embedding every text: the model embeds each text alone
    np.testing.assert_array_equal(vectors, embed(texts))
    assert pipeline._embed_leads([]).shape == (0, 384)
