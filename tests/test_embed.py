"""MiniLM embeddings: shape, normalisation, batching invariance, semantics, shipped tokenizer."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from newsweave import embed as embed_mod
from newsweave.embed import DIM, embed, embed_one

SENTENCES = [
    "Defence Minister Rajnath Singh held talks with his Russian counterpart in Moscow.",
    "India's defence minister met the Russian defence minister in the Russian capital.",
    "BP says the leaking oil well in the Gulf of Mexico has finally been sealed.",
    "Short.",
    "A considerably longer sentence about the Shanghai Cooperation Organisation meeting of "
    "defence ministers, which was attended by delegations from eight member states and "
    "discussed terrorism, extremism and regional security at some length.",
]


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return embed(SENTENCES)


def test_shape_dtype_and_unit_length(vectors: np.ndarray) -> None:
    assert vectors.shape == (len(SENTENCES), DIM)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrase_is_closer_than_unrelated_text(vectors: np.ndarray) -> None:
    sims = vectors @ vectors.T
    assert sims[0, 1] > 0.6
    assert sims[0, 1] > sims[0, 2] + 0.3


def test_batching_and_padding_do_not_change_vectors(vectors: np.ndarray) -> None:
    # each text alone (no padding) equals its vector from the mixed-length batch
    for i, text in enumerate(SENTENCES):
        assert np.allclose(embed_one(text), vectors[i], atol=2e-3)
    # input order is kept although batches are sorted by length
    rev = embed(SENTENCES[::-1], batch_size=2)
    assert np.allclose(rev[::-1], vectors, atol=2e-3)


def test_empty_inputs() -> None:
    assert embed([]).shape == (0, DIM)
    v = embed(["", "   "])
    assert v.shape == (2, DIM) and np.isfinite(v).all()


def test_bad_arguments_say_how_to_fix() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        embed(["x"], batch_size=0)
    with pytest.raises(ValueError, match="max_tokens"):
        embed(["x"], max_tokens=4)


def test_long_text_is_truncated_not_rejected() -> None:
    long = " ".join(["defence cooperation between India and Russia"] * 200)
    assert embed([long], max_tokens=64).shape == (1, DIM)


def test_shipped_tokenizer_matches_its_provenance_note() -> None:
    path = Path(embed_mod.__file__).parent / "data" / "minilm-l6-v2-tokenizer.json"
    note = (path.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest in note


def test_dynamic_model_is_close_to_the_shipped_one_and_batch_independent() -> None:
    fast = embed(SENTENCES, model=embed_mod.DYNAMIC_MODEL_ID)
    shipped = embed(SENTENCES, model=embed_mod.SHIPPED_MODEL_ID)
    assert ((fast * shipped).sum(axis=1) > 0.97).all()
    # each text is its own batch: a vector never depends on the texts beside it
    for i, text in enumerate(SENTENCES):
        assert np.array_equal(embed_one(text, model=embed_mod.DYNAMIC_MODEL_ID), fast[i])


def test_dynamic_model_is_built_locally_into_the_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWEAVE_CACHE_DIR", str(tmp_path))
    path = embed_mod.model_file(embed_mod.DYNAMIC_MODEL_ID)
    assert path.parent == tmp_path and path.stat().st_size > 1_000_000
    assert embed_mod.model_file(embed_mod.SHIPPED_MODEL_ID) != path
    with pytest.raises(ValueError, match="unknown embedding model"):
        embed_mod.model_file("no-such-model")


def test_cached_vectors_are_those_a_fresh_call_gives() -> None:
    """embed_cached keeps vectors by text: a text asked again (alone or among new ones)
    comes back exactly as embed gives it, and is not embedded again."""
    from newsweave.embed import embed_cached

    first = embed_cached(SENTENCES[:3])
    assert np.array_equal(first, embed(SENTENCES[:3]))
    kept = embed_mod._VECTORS[(SENTENCES[1], embed_mod.DEFAULT_MAX_TOKENS, embed_mod.MODEL_ID)]
    again = embed_cached([SENTENCES[3], SENTENCES[1], SENTENCES[3]])
    assert np.array_equal(again, embed([SENTENCES[3], SENTENCES[1], SENTENCES[3]]))
    key = (SENTENCES[1], embed_mod.DEFAULT_MAX_TOKENS, embed_mod.MODEL_ID)
    assert embed_mod._VECTORS[key] is kept  # served from the cache, not recomputed


def test_dynamic_model_without_nan_guards_gives_the_same_bits(tmp_path: Path) -> None:
    """The built model has no softmax NaN guard (IsNaN/Where) left, and its vectors are the
    bits the quantised graph with its guards gives (real texts of every length)."""
    import onnx
    import onnxruntime as ort

    built = embed_mod.model_file(embed_mod.DYNAMIC_MODEL_ID)
    ops = {node.op_type for node in onnx.load(str(built)).graph.node}
    assert "IsNaN" not in ops and "Softmax" in ops
    guarded = tmp_path / "guarded.onnx"
    embed_mod._build_dynamic(embed_mod._shipped_model(), guarded, guards=True)
    assert "IsNaN" in {node.op_type for node in onnx.load(str(guarded)).graph.node}
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    reference = ort.InferenceSession(
        str(guarded),
        opts,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=list(embed_mod.DYNAMIC_DISABLED_OPTIMIZERS),
    )
    tok = embed_mod._tokenizer(embed_mod.DEFAULT_MAX_TOKENS)
    session = embed_mod._session(embed_mod.DYNAMIC_MODEL_ID)
    texts = SENTENCES + [" ".join(SENTENCES * 12), "x", "[UNK]"]
    for text in texts:
        ids = np.array([tok.encode(text).ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        feed["token_type_ids"] = np.zeros_like(ids)
        want = reference.run(None, feed)[0]
        got = session.run(None, feed)[0]
        assert np.array_equal(got.view(np.uint32), want.view(np.uint32))


def test_dynamic_session_runs_layer_norms_unfused(tmp_path: Path) -> None:
    """The dynamic model's session leaves the residual add and the layer norm apart (the
    fused SkipLayerNormalization kernel cost a quarter of an embedding), and fuses the rest
    as before; the shipped model's session keeps every fusion."""
    import onnx
    import onnxruntime as ort

    def optimised_ops(model: str) -> set[str]:
        opts = embed_mod._session_options(model)
        opts.optimized_model_filepath = str(tmp_path / f"{len(model)}.onnx")
        ort.InferenceSession(
            str(embed_mod.model_file(model)),
            sess_options=opts,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=embed_mod._disabled_optimizers(model),
        )
        return {n.op_type for n in onnx.load(opts.optimized_model_filepath).graph.node}

    dynamic = optimised_ops(embed_mod.DYNAMIC_MODEL_ID)
    assert "SkipLayerNormalization" not in dynamic
    assert {"LayerNormalization", "DynamicQuantizeMatMul"} <= dynamic
    assert "SkipLayerNormalization" in optimised_ops(embed_mod.SHIPPED_MODEL_ID)
