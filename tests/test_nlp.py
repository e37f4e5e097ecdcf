"""Tests of the nlp stage: model loading, entity mentions on the seeds, span repair, and the
``nlp`` pipeline step with its store tables, export section, API and CLI command.

The mentions come from the real spaCy model over the real seed articles; the span-repair
rules are also tested on their own (they are pure functions over offsets).
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache

import pytest
from click.testing import CliRunner

from newsweave.api import Newsweave
from newsweave.clean import clean
from newsweave.cli import cli
from newsweave.ingest import discover, read_file
from newsweave.nlp import (
    DESIGNATION,
    ENTITY_LABELS,
    extract_mentions,
    iter_mentions,
    load_model,
    repair_spans,
)
from newsweave.records import Article, Mention
from newsweave.store import nlp as nlp_store

from .conftest import SEEDS, seed_path


@lru_cache(maxsize=8)
def _seed(prefix: str) -> Article:
    (item,) = list(discover([str(seed_path(prefix))]))
    (doc,) = list(read_file(item))
    return clean(doc)


@lru_cache(maxsize=8)
def _mentions(prefix: str) -> tuple[Mention, ...]:
    return tuple(extract_mentions(_seed(prefix)))


# --------------------------------------------------------------------------- model


def test_model_loads_once_with_only_what_ner_needs() -> None:
    nlp = load_model()
    assert nlp is load_model()  # cached: one load per process
    assert "ner" in nlp.pipe_names
    assert not {"parser", "tagger", "lemmatizer", "attribute_ruler"} & set(nlp.pipe_names)


# --------------------------------------------------------------------------- mentions


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_mention_offsets_point_into_article_text(prefix: str) -> None:
    article = _seed(prefix)
    mentions = _mentions(prefix)
    assert mentions
    for m in mentions:
        assert article.text[m.start : m.end] == m.text
        assert m.text == m.text.strip() and "\n" not in m.text
        assert m.label in ENTITY_LABELS
        assert not m.text.startswith(("the ", "The "))
        assert m.article == article.id


def test_glued_acronym_is_split_from_its_expansion() -> None:
    texts = [(m.text, m.label) for m in _mentions("002")]
    assert ("Shanghai Cooperation Organisation", "ORG") in texts
    assert ("SCO", "ORG") in texts
    assert not any("(" in t for t, _ in texts)


def test_designations_become_products() -> None:
    found = {m.text for m in _mentions("003") if m.label == "PRODUCT"}
    assert {"AK-47 203", "S-400", "AK-47"} <= found
    assert any(m.text == "AK203" and m.label == "PRODUCT" for m in _mentions("000"))
    assert any(m.text == "AK-203" and m.label == "PRODUCT" for m in _mentions("001"))


def test_people_found_with_titles_in_span() -> None:
    people = {m.text for m in _mentions("000") if m.label == "PERSON"}
    assert "Rajnath Singh" in people
    assert any("Sergey Shoigu" in p for p in people)


def test_batched_equals_one_by_one() -> None:
    articles = [_seed(p) for p in ("000", "003")]
    batched = {a.id: tuple(ms) for a, ms in iter_mentions(articles, batch_size=2)}
    for a in articles:
        assert batched[a.id] == tuple(extract_mentions(a))


# --------------------------------------------------------------------------- span repair


def test_repair_splits_name_and_acronym_and_closes_parenthesis() -> None:
    text = "members of the Shanghai Cooperation Organisation (SCO) met"
    start = text.index("the Shanghai")
    end = text.index(")")  # the model leaves the ")" out
    spans = repair_spans(text, [(start, end, "ORG")])
    assert [text[s:e] for s, e, _ in spans] == ["Shanghai Cooperation Organisation", "SCO"]


def test_repair_trims_determiner_possessive_and_line_break() -> None:
    text = "The Narendra Modi's plan\n\nTopics"
    spans = repair_spans(text, [(0, len("The Narendra Modi's"), "PERSON"), (0, len(text), "ORG")])
    got = sorted(text[s:e] for s, e, _ in spans)
    assert got == ["Narendra Modi", "Narendra Modi's plan"]


def test_repair_splits_comma_lists_of_organisations() -> None:
    text = "engage with Ministry of Defence, Government of India to ensure"
    s = text.index("Ministry")
    e = text.index(" to ensure")
    spans = repair_spans(text, [(s, e, "ORG")])
    assert [text[a:b] for a, b, _ in spans] == ["Ministry of Defence", "Government of India"]


def test_repair_drops_office_words_read_as_organisations() -> None:
    text = "the Russian Defence Minister met External Affairs Minister S Jaishankar"
    d = text.index("Defence")
    x = text.index("External")
    spans = repair_spans(text, [(d, d + 7, "ORG"), (x, x + 16, "ORG")])
    assert spans == []


def test_repair_drops_dates_and_numbers() -> None:
    text = "on September 4 to 5 about 770,000 rifles"
    assert repair_spans(text, [(3, 19, "DATE"), (26, 33, "CARDINAL")]) == []


def test_designation_replaces_overlapping_model_span() -> None:
    text = "production of AK203 assault rifles"
    s = text.index("AK203")
    spans = repair_spans(text, [(s, s + 5, "ORG")])
    assert spans == [(s, s + 5, "PRODUCT")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the AK-203 rifle", "AK-203"),
        ("the AK203 rifle", "AK203"),
        ("770,000 AK-47 203 rifles", "AK-47 203"),
        ("the S-400 system", "S-400"),
        ("Su-30MKI jets", "Su-30MKI"),
        ("MiG-29 fighters", "MiG-29"),
    ],
)
def test_designation_matcher_finds(text: str, expected: str) -> None:
    assert [m.group() for m in DESIGNATION.finditer(text)] == [expected]


@pytest.mark.parametrize(
    "text", ["the G20 summit", "on 04-09-2020 at 14:35", "A4 paper", "Covid19", "in 2021"]
)
def test_designation_matcher_ignores(text: str) -> None:
    assert [m.group() for m in DESIGNATION.finditer(text)] == []


# --------------------------------------------------------------------------- pipeline step


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("nlp") / "news.db"
    with Newsweave(db) as nw:
        nw.ingest([str(SEEDS)], analyze=False)
        nw.analyze(only=["nlp"])
    return db


def test_step_stores_mentions_and_entities(seeded) -> None:
    with Newsweave(seeded) as nw:
        assert nlp_store.articles_without_mentions(nw.store) == []
        assert nlp_store.mention_count(nw.store) > 100
        shoigu = nw.entities(name="Shoigu")
        assert len(shoigu) == 1
        assert shoigu[0].type == "PERSON"
        assert {"Sergey Shoigu", "Sergei Shoigu", "Shoigu"} <= set(shoigu[0].aliases)
        assert len(shoigu[0].articles) == 5
        provenance = nw.mentions(entity_id=shoigu[0].id)
        assert len(provenance) == shoigu[0].mentions
        for m in provenance:
            assert nw.article(m.article).text[m.start : m.end] == m.text
        assert nw.entity(shoigu[0].id[:8]) == shoigu[0]


def test_step_is_incremental_and_stable(seeded) -> None:
    with Newsweave(seeded) as nw:
        before = [(e.id, e.name, e.aliases, e.articles) for e in nw.entities()]
        mentions_before = nw.mentions()
        nw.analyze(only=["nlp"])
        assert [(e.id, e.name, e.aliases, e.articles) for e in nw.entities()] == before
        assert nw.mentions() == mentions_before


def test_mention_entities_of_some_articles_are_theirs_in_the_whole_read(seeded) -> None:
    # the claims stage reads a scope's mentions only (memory: one scope's, not the store's)
    with Newsweave(seeded) as nw:
        every = nlp_store.mention_entities(nw.store)
        ids = sorted(every)[1::2]
        assert len(ids) >= 2 and sum(len(every[a]) for a in ids) > 10
        assert nlp_store.mention_entities(nw.store, ids) == {a: every[a] for a in ids}
        assert nlp_store.mention_entities(nw.store, []) == {}


def test_resolution_from_kept_facts_equals_resolution_from_texts(seeded) -> None:
    """The step resolves from the text facts the store keeps per article (no text read);
    the result is what resolving from the texts themselves gives (issue #14)."""
    from newsweave.entities import resolve

    with Newsweave(seeded) as nw:
        mentions = [replace(m, entity=None) for m in nlp_store.all_mentions(nw.store)]
        texts = {a.id: a.text for a in nw.articles()}
        from_texts = resolve(texts, mentions)
        from_store = resolve({}, mentions, corpus=nlp_store.stored_corpus(nw.store))
        assert from_store == from_texts
        assert [e.id for e in from_store.entities] == [e.id for e in nw.entities()]


def test_new_articles_get_mentions_and_update_entities(tmp_path) -> None:
    with Newsweave(tmp_path / "inc.db") as nw:
        nw.ingest([str(seed_path(p)) for p in ("000", "001")], analyze=False)
        nw.analyze(only=["nlp"])
        first = {a.id: nw.mentions(a.id) for a in nw.articles()}
        (shoigu,) = nw.entities(name="Shoigu")
        assert len(shoigu.articles) == 2 and "Sergei Shoigu" not in shoigu.aliases
        nw.ingest([str(seed_path("004"))], analyze=False)
        assert len(nlp_store.articles_without_mentions(nw.store)) == 1
        nw.analyze(only=["nlp"])
        assert nlp_store.articles_without_mentions(nw.store) == []
        # earlier articles were not re-read: same mention spans and texts
        for aid, mentions in first.items():
            again = nw.mentions(aid)
            assert [(m.start, m.end, m.text) for m in again] == [
                (m.start, m.end, m.text) for m in mentions
            ]
        (shoigu,) = nw.entities(name="Shoigu")
        assert len(shoigu.articles) == 3 and "Sergei Shoigu" in shoigu.aliases


def test_export_has_entities_section(seeded) -> None:
    with Newsweave(seeded) as nw:
        data = nw.export()
    assert data["entities"]
    for row in data["entities"]:
        # the contract's keys (stages may add keys, e.g. ``mentions``, never remove one)
        assert set(row) >= {"id", "name", "type", "aliases", "articles"}
        assert row["mentions"] >= len(row["articles"])
        assert isinstance(row["aliases"], list) and isinstance(row["articles"], list)
    names = {row["name"] for row in data["entities"]}
    assert {"Rajnath Singh", "Shanghai Cooperation Organisation"} <= names


def test_cli_entities_lists_counts_and_filters(seeded) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(seeded), "entities", "--type", "PRODUCT"])
    assert result.exit_code == 0, result.output
    assert "AK203" in result.output or "AK-203" in result.output
    result = runner.invoke(cli, ["--db", str(seeded), "entities", "singh", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["name"] == "Rajnath Singh"
    assert rows[0]["mentions"] > 10 and len(rows[0]["articles"]) == 5
