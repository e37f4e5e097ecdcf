"""Long documents are read by the NER model in bounded pieces, with the same mentions."""

from __future__ import annotations

import dataclasses

import pytest

from newsweave import nlp
from newsweave.records import Article
from tests.conftest import SEEDS, load_articles


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
