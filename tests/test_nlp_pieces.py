"""Long documents are read by the NER model in bounded pieces, with the same mentions."""

from __future__ import annotations

import dataclasses
import json

import pytest

from newsweave import nlp
from newsweave.records import Article
from tests.conftest import SEEDS, SHARED_DATA, load_articles


def test_pieces_cover_the_text_and_cut_at_boundaries() -> None:
    text = ("One paragraph with a few words. Another sentence here.\n\n" * 50).strip()
    pieces = nlp.text_pieces(text, limit=300)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:], strict=False))
    assert all(0 < e - s <= 300 for s, e in pieces)
    assert all(text[s - 2 : s] == "\n\n" for s, _ in pieces[1:])  # paragraph cuts
    # no boundary at all: hard cuts, still bounded
    assert all(e - s <= 10 for s, e in nlp.text_pieces("x" * 95, limit=10))
    assert nlp.text_pieces("", limit=10) == [(0, 0)]
    with pytest.raises(ValueError, match="limit"):
        nlp.text_pieces("abc", limit=1)


def test_long_document_in_pieces_gives_the_mentions_of_the_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    arts = load_articles([str(SEEDS)])
    long = Article(
        **{
            **dataclasses.asdict(arts[0]),
            "id": "long",
            "evidence": (),
            "removed": (),
            "text": "\n\n".join(a.text for a in arts),
        }
    )
    whole = nlp.extract_mentions(long)
    monkeypatch.setattr(nlp, "NER_CHUNK_CHARS", 1500)
    monkeypatch.setattr(nlp, "NER_BATCH_CHARS", 3000)
    assert len(nlp.text_pieces(long.text, nlp.NER_CHUNK_CHARS)) > 5
    pieces = [m for _, ms in nlp.iter_mentions([arts[1], long, arts[2]]) for m in ms]
    assert [m for m in pieces if m.article == "long"] == whole
    assert [m for m in pieces if m.article == arts[1].id] == nlp.extract_mentions(arts[1])


# --------------------------------------------------------------------------- decoder


def _spacy_spans(texts: list[str]) -> list[list[tuple[int, int, str]]]:
    """spaCy's own parse loop over the same model: the reference the decoder must match."""
    model = nlp.load_model()
    return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in model.pipe(texts)]


def _real_texts() -> list[str]:
    """The seeds, 60 ECB+ documents and 30 Timeline17 articles (when shared/data is there)."""
    texts = [a.text for a in load_articles([str(SEEDS)])]
    ecb = SHARED_DATA / "ecbplus" / "docs.jsonl"
    if ecb.is_file():
        with ecb.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for _, line in zip(range(60), fh, strict=False)]
    topic = SHARED_DATA / "timeline17" / "bpoil_bbc" / "InputDocs"
    if topic.is_dir():
        texts += [a.text for a in load_articles([str(topic)])[:30]]
    return texts


def test_decoder_gives_spacys_entities_on_real_news() -> None:
    assert nlp.GreedyNerDecoder.for_model(nlp.load_model()) is not None
    texts = _real_texts()
    expected = _spacy_spans(texts)
    assert sum(map(len, expected)) > 500
    for i in range(0, len(texts), 16):  # batched the way iter_mentions batches
        assert nlp.entity_spans(texts[i : i + 16]) == expected[i : i + 16]


@pytest.mark.parametrize(
    "text",
    ["", " ", "\n\n", "Obama", "Barack Obama", "  New York  ", "He met Obama\n\nin Paris"],
)
def test_decoder_on_edge_texts(text: str) -> None:
    assert nlp.entity_spans([text, "Angela Merkel visited Paris."]) == _spacy_spans(
        [text, "Angela Merkel visited Paris."]
    )


def test_decoder_refuses_other_model_shapes() -> None:
    import spacy

    blank = spacy.blank("en")
    assert nlp.GreedyNerDecoder.for_model(blank) is None  # no ner: the caller uses nlp.pipe


def test_numpy_tok2vec_gives_thincs_floats_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    model = nlp.load_model()
    tok2vec = nlp.GreedyNerDecoder.for_model(model).tok2vec
    sample = [model.make_doc(nlp.SAMPLE_TEXT), model.make_doc("Obama met Merkel in Paris.")]
    forward = nlp.Tok2VecForward.for_model(tok2vec, sample)
    if forward is None:
        # The check at load refused the numpy forward. That is right only where this CPU's
        # BLAS kernel gives a row other bits with other rows beside it (seen on an AMD EPYC
        # with OpenBLAS 0.3.31: thinc's own predict then depends on the batch), so the
        # kept first-layer rows cannot match: the decoder runs thinc's tok2vec instead.
        direct = nlp.Tok2VecForward(tok2vec)
        assert not all(
            np.array_equal(direct(docs), tok2vec.predict(docs)) for docs in (sample, sample[-1:])
        )
        pytest.skip("this CPU's BLAS is not row-independent: the numpy tok2vec is off here")
    docs = [model.make_doc(t) for t in _real_texts()[:40]] + [model.make_doc("")]
    batches = [docs[i : i + 5] for i in range(0, len(docs), 5)]
    for batch in batches:  # rows of the first layer computed, then kept
        assert np.array_equal(forward(batch), tok2vec.predict(batch))
    kept = len(forward._index)
    assert kept > 1000
    for batch in batches:  # all kept now: the same floats
        assert np.array_equal(forward(batch), tok2vec.predict(batch))
    assert len(forward._index) == kept
    monkeypatch.setattr(nlp.Tok2VecForward, "CACHE_ROWS", 300)  # emptied on the way
    for batch in batches[:3]:
        assert np.array_equal(forward(batch), tok2vec.predict(batch))
        assert len(forward._index) <= max(300, len(forward._rows))


def test_numpy_tok2vec_refuses_other_shapes() -> None:
    from thinc.api import Linear, chain

    model = nlp.load_model()
    # (not initialised: that would reset the shared model's weights)
    other = chain(nlp.GreedyNerDecoder.for_model(model).tok2vec, Linear(8, 64))
    assert nlp.Tok2VecForward.for_model(other, [model.make_doc(nlp.SAMPLE_TEXT)]) is None


def test_decoder_reads_long_entities_past_the_rows_it_computed_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _real_texts()[:30]
    expected = _spacy_spans(texts)
    assert any(
        len(t[s:e].split()) > 2 for t, sp in zip(texts, expected, strict=True) for s, e, _ in sp
    )
    monkeypatch.setattr(nlp.GreedyNerDecoder, "OPEN_ROWS", 1)  # every later token on demand
    assert nlp.entity_spans(texts) == expected


def test_tokenizer_cache_gives_spacys_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np
    from spacy.attrs import IDX, IS_SPACE, LENGTH, NORM, ORTH, PREFIX, SHAPE, SPACY, SUFFIX
    from spacy.tokenizer import Tokenizer

    model = nlp.load_model()
    fresh = Tokenizer(model.vocab).from_bytes(model.tokenizer.to_bytes())  # its own cache
    cache = nlp.TokenizerCache(model)
    assert cache.active
    columns = [ORTH, NORM, PREFIX, SUFFIX, SHAPE, IDX, LENGTH, IS_SPACE, SPACY]
    texts = _real_texts()[:40] + ["", "  U.S. don't\n\nMr. Smith's (UN)-backed plan.  "]
    for _ in range(2):  # pieces met first, then pieces kept
        for text in texts:
            got, expected = cache(text), fresh(text)
            assert [t.text for t in got] == [t.text for t in expected]
            assert np.array_equal(got.to_array(columns), expected.to_array(columns))
        assert len(cache.seen) > 1000
    monkeypatch.setattr(nlp.TokenizerCache, "MAX_PIECES", 500)  # emptied on the way
    for text in texts[:5]:
        assert np.array_equal(cache(text).to_array(columns), fresh(text).to_array(columns))
        assert len(cache.seen) <= max(500, len(set(text.split())))


def test_decoder_without_its_shortcuts_gives_the_same_entities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where OpenBLAS's kernels round a row by the product's shape (Haswell's), the decoder
    runs thinc's tok2vec and every lower feature: the same entities."""
    texts = _real_texts()[:20]
    expected = _spacy_spans(texts)
    decoder = nlp._decoder()
    assert decoder is not None
    monkeypatch.setattr(decoder, "forward", None)
    monkeypatch.setattr(decoder, "partial_lower", False)
    assert nlp.entity_spans(texts) == expected
