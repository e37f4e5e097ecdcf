"""Incremental entity resolution (store/entity_index.py, issue #14): a store resolved batch
by batch, in any order, holds exactly the entities :func:`newsweave.entities.resolve` gives
on all its mentions at once.

Real data with every kind of mention the resolver reads (names, lone surnames, acronyms,
nominals, pronouns): ECB+ gold entity mentions of topics 1-3 (mentions located in their
sentence line, as bench/entities.py does), no NER model needed.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest

from newsweave.entities import resolve, text_facts
from newsweave.records import Article, Mention
from newsweave.store import Store, entity_index
from newsweave.store import nlp as nlp_store

from .conftest import SHARED_DATA

ECB = SHARED_DATA / "ecbplus"
LABEL = {
    "HUMAN_PART_PER": "PERSON",
    "HUMAN_PART_ORG": "ORG",
    "HUMAN_PART_GPE": "GPE",
    "LOC_GEO": "GPE",
    "LOC_FAC": "FAC",
    "HUMAN_PART_VEH": "PRODUCT",
}


def _corpus(topics: set[str]) -> tuple[dict[str, str], list[Mention]]:
    if not ECB.exists():
        pytest.skip("ECB+ not available")
    docs = {}
    for line in (ECB / "docs.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        if str(d["topic"]) in topics:
            docs[d["doc_id"]] = d["text"]
    spans: dict[tuple[str, int, int], Mention] = {}
    for line in (ECB / "mentions.jsonl").open(encoding="utf-8"):
        m = json.loads(line)
        if m["doc_id"] not in docs or not m["tag"].startswith(("HUMAN_PART", "NON_HUMAN", "LOC")):
            continue
        text = docs[m["doc_id"]]
        lines = text.split("\n")
        s = m["sentence"] if m["sentence"] is not None else -1
        base = sum(len(x) + 1 for x in lines[:s]) if 0 <= s < len(lines) else 0
        hit = re.search(re.escape(m["text"]), text[base:])
        if hit is None:
            continue
        start = base + hit.start()
        key = (m["doc_id"], start, start + len(m["text"]))
        spans.setdefault(key, Mention(*key, text=m["text"], label=LABEL.get(m["tag"], "MISC")))
    return docs, sorted(spans.values(), key=lambda m: (m.article, m.start, m.end))


def _store(
    db: Path,
    docs: dict[str, str],
    mentions: list[Mention],
    batches: list[list[str]],
    *,
    check: bool = False,
):
    store = Store(db)
    by_article: dict[str, list[Mention]] = {aid: [] for aid in docs}
    for m in mentions:
        by_article[m.article].append(m)
    for ids in batches:
        with store.transaction() as conn:
            store.insert_articles(
                conn,
                [
                    Article(aid, f"{aid}.txt", None, None, None, None, None, docs[aid])
                    for aid in ids
                ],
            )
        nlp_store.save_mentions(
            store,
            [(aid, by_article[aid]) for aid in ids],
            model="gold",
            facts=[text_facts(aid, docs[aid], by_article[aid]) for aid in ids],
        )
        entity_index.resolve_pending(store, chunk=7)
        if check:  # after every batch: what resolving the articles stored so far gives
            done = {aid for b in batches[: batches.index(ids) + 1] for aid in b}
            part = [m for m in mentions if m.article in done]
            whole = resolve({aid: docs[aid] for aid in done}, part)
            stored = [m for m in nlp_store.all_mentions(store) if m.article in done]
            assert _view(nlp_store.entities(store), stored) == _view(whole.entities, whole.mentions)
    return store


def _view(entities, mentions) -> tuple:
    return (
        sorted(
            (e.id, e.name, e.type, tuple(sorted(e.aliases)), tuple(e.articles), e.mentions)
            for e in entities
        ),
        [(m.article, m.start, m.end, m.entity) for m in mentions],
    )


@pytest.mark.parametrize("seed", [None, 14, 3])
def test_batches_in_any_order_resolve_as_all_at_once(tmp_path: Path, seed: int | None) -> None:
    docs, mentions = _corpus({"1", "2", "3"})
    assert len(docs) > 40 and len(mentions) > 500
    whole = resolve(docs, mentions)
    ids = sorted(docs)
    if seed is not None:
        random.Random(seed).shuffle(ids)
    batches = [ids[i : i + 5] for i in range(0, len(ids), 5)]
    store = _store(tmp_path / "inc.db", docs, mentions, batches, check=seed == 3)
    try:
        got = _view(nlp_store.entities(store), nlp_store.all_mentions(store))
    finally:
        store.close()
    assert got == _view(whole.entities, whole.mentions)
    # the corpus exercises the order-sensitive rules: lone names, nominals and shared names
    assert any(e.type == "PERSON" and len(e.articles) > 1 for e in whole.entities)
    assert len({e.name.lower() for e in whole.entities}) < len(whole.entities)


def test_a_later_batch_rewrites_only_what_it_changes(tmp_path: Path) -> None:
    docs, mentions = _corpus({"1", "2", "3"})
    topic = {aid: aid.split("_")[0] for aid in docs}
    first = sorted(a for a in docs if topic[a] in ("1", "2"))
    later = sorted(a for a in docs if topic[a] == "3")
    store = _store(tmp_path / "inc.db", docs, mentions, [first])
    try:
        rows = "SELECT id, rowid FROM entities"
        before = dict(store.conn.execute(rows).fetchall())
        with store.transaction() as conn:
            store.insert_articles(
                conn,
                [Article(a, f"{a}.txt", None, None, None, None, None, docs[a]) for a in later],
            )
        nlp_store.save_mentions(
            store,
            [(a, [m for m in mentions if m.article == a]) for a in later],
            model="gold",
            facts=[text_facts(a, docs[a], [m for m in mentions if m.article == a]) for a in later],
        )
        entity_index.resolve_pending(store)
        after = dict(store.conn.execute(rows).fetchall())
    finally:
        store.close()
    # another story leaves most entities' rows as they were (a rewritten row has a new rowid)
    kept = [eid for eid, rowid in before.items() if after.get(eid) == rowid]
    assert len(after) > len(before) and len(kept) > 0.8 * len(before)


def _exact_relatedness(terms: dict[str, dict]):
    """The pairwise cosine of entity resolution over these articles' terms alone (no
    corpus counts), the reference the vectorised paths are held to."""
    from newsweave.entities import CorpusStats, _Relatedness

    return _Relatedness(
        CorpusStats(
            size=0,
            case_counts=lambda w: {},
            expansions={},
            doc_freq=lambda t: {},
            terms_of=terms.__getitem__,
        )
    )


def _pairs_at(exact, left: list[str], right: list[str], threshold: float) -> list[tuple[int, int]]:
    """(left position, right position) of every pair whose reference cosine reaches the
    threshold, in the order related_pairs gives them."""
    return [
        (i, j)
        for i, a in enumerate(left)
        for j, b in enumerate(right)
        if exact.cosine(a, b) >= threshold
    ]


def test_vectorised_relatedness_decides_as_the_pairwise_cosine() -> None:
    """related_pairs (one sparse product per block, the path the index takes for big lone
    surname and nominal groups) gives exactly the pairs the pairwise cosine of
    cluster_locals finds, on real texts, around the threshold too."""
    from newsweave.entities import related_pairs

    docs, _ = _corpus({"1", "2", "3", "4"})
    terms = {aid: dict(text_facts(aid, text).terms) for aid, text in docs.items()}
    ids = sorted(docs)
    left, right = ids[::2], ids[1::2] + ids[:3]  # an article on both sides: cosine 1
    assert len(left) * len(right) > 256  # the product path, not the small-group loop
    exact = _exact_relatedness(terms)
    values = sorted(exact.cosine(a, b) for a in left for b in right)
    for threshold in (0.2, values[len(values) // 2], values[-20]):  # the last two: met exactly
        want = _pairs_at(exact, left, right, threshold)
        assert related_pairs(left, right, terms.__getitem__, threshold) == want
        within = [
            (i, j)
            for i, a in enumerate(ids)
            for j, b in enumerate(ids)
            if i < j and exact.cosine(a, b) >= threshold
        ]
        assert related_pairs(ids, None, terms.__getitem__, threshold) == within
    assert 0 < len(want) < len(left) * len(right)


def test_a_small_side_against_many_decides_as_the_pairwise_cosine() -> None:
    """A few articles against many (a new lone surname against every person with its
    token) take the dense small-side path: the pairs are the pairwise cosine's, either side
    small, around the threshold too, and its products are the sparse product's to 1e-12."""
    from newsweave.entities import (
        _SMALL_SIDE,
        _row_arrays,
        _small_side_products,
        _sparse_products,
        related_pairs,
    )

    docs, _ = _corpus({"1", "2", "3", "4"})
    terms = {aid: dict(text_facts(aid, text).terms) for aid, text in docs.items()}
    terms["no terms"] = {}
    ids = sorted(terms)
    exact = _exact_relatedness(terms)
    for few in (ids[:1], ids[3:6], ids[::9][:_SMALL_SIDE]):
        many = ids[1:] + few[:1]  # an article on both sides: cosine 1
        assert len(few) * len(many) > 16 and len(few) <= _SMALL_SIDE < len(many)
        values = sorted(exact.cosine(a, b) for a in few for b in many)
        for threshold in (0.2, values[len(values) // 2], values[-3]):
            for left, right in ((few, many), (many, few)):
                want = _pairs_at(exact, left, right, threshold)
                assert related_pairs(left, right, terms.__getitem__, threshold) == want
        lrows = [_row_arrays(a, terms.__getitem__) for a in few]
        orows = [_row_arrays(a, terms.__getitem__) for a in many]
        dense = {(i, j): v for i, j, v in _small_side_products(lrows, orows, 1e-6)}
        sparse = {(i, j): v for i, j, v in _sparse_products(lrows, orows, 1e-6)}
        assert dense.keys() == sparse.keys()
        assert all(abs(dense[k] - sparse[k]) < 1e-12 for k in dense)


def test_the_small_side_sums_alike_per_row_or_as_one_product(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The small-side path sums a big row's products in entry order either way, by a
    weighted count per small row or by one sparse-by-dense product: the same values to the
    bit, and the pairwise cosine's pairs around the threshold."""
    from newsweave import entities

    docs, _ = _corpus({"1", "2", "3", "4"})
    terms = {aid: dict(text_facts(aid, text).terms) for aid, text in docs.items()}
    terms["no terms"] = {}
    ids = sorted(terms)
    exact = _exact_relatedness(terms)
    rows = {a: entities._row_arrays(a, terms.__getitem__) for a in ids}
    for few in (ids[:1], ids[3:6], ids[::9][: entities._SMALL_SIDE]):
        many = ids[1:] + few[:1]
        got = []
        for bound in (0, 10**12):
            monkeypatch.setattr(entities, "_SMALL_PRODUCT", bound)
            for left, right in ((few, many), (many, few)):
                products = entities._small_side_products(
                    [rows[a] for a in left], [rows[a] for a in right], 1e-6
                )
                got.append(sorted(products))
            values = sorted(exact.cosine(a, b) for a in few for b in many)
            for threshold in (0.2, values[len(values) // 2], values[-3]):
                want = _pairs_at(exact, few, many, threshold)
                assert entities.related_pairs(few, many, terms.__getitem__, threshold) == want
        assert got[:2] == got[2:] and got[0]


def test_columns_numbered_afresh_keep_the_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the process's term columns reach their bound they are numbered afresh with the
    rows kept: every call then numbers its rows anew and finds the same pairs."""
    from newsweave import entities

    docs, _ = _corpus({"1", "2"})
    terms = {aid: dict(text_facts(aid, text).terms) for aid, text in docs.items()}
    ids = sorted(terms)
    few, many = ids[:2], ids[2:]
    want = entities.related_pairs(few, many, terms.__getitem__, 0.2)
    monkeypatch.setattr(entities, "_MAX_COLUMNS", 1)
    for _ in range(2):
        assert entities.related_pairs(few, many, terms.__getitem__, 0.2) == want
        assert entities.related_pairs(many, few, terms.__getitem__, 0.2) == sorted(
            (j, i) for i, j in want
        )
    assert want


def _dict_row(aid: str, terms_of) -> dict[str, float]:
    """The reference TF-IDF row as plain Python computes it (a dict in term order): tf
    ``1 + ln c`` times the background idf, divided by the root of the squares' sum."""
    from newsweave.entities import background_idf

    idf, rare = background_idf()
    weights = {t: (1.0 + math.log(c)) * idf.get(t, rare) for t, c in terms_of(aid).items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: weights[t] / norm for t in sorted(weights)}


def test_pairwise_cosine_from_the_kept_arrays_is_the_dict_sum_bit_for_bit() -> None:
    """The pairwise cosine reads the rows kept as arrays (columns, weights in term order);
    its value is the one the dict rows' sum gave, to the last bit, for every pair of real
    texts (the smaller row first, as before) and for an article without terms (int 0)."""
    from newsweave import entities
    from newsweave.entities import _row_arrays

    docs, _ = _corpus({"1", "2", "3"})
    terms = {aid: dict(text_facts(aid, text).terms) for aid, text in docs.items()}
    terms["no terms"] = {}
    exact = _exact_relatedness(terms)
    ids = sorted(terms)
    for a in ids:  # the kept row is the dict row, term by term, to the last bit
        row, arrays = _dict_row(a, terms.__getitem__), _row_arrays(a, terms.__getitem__)
        assert arrays[0].tolist() == [entities._COLUMNS[hash(t)] for t in row]
        assert [repr(w) for w in arrays[1].tolist()] == [repr(w) for w in row.values()]
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            ra, rb = _dict_row(a, terms.__getitem__), _dict_row(b, terms.__getitem__)
            if len(rb) < len(ra):
                ra, rb = rb, ra
            want = sum(w * rb[t] for t, w in ra.items() if t in rb)
            got = exact.cosine(a, b)
            assert (type(got), repr(got)) == (type(want), repr(want)), (a, b)


def _team_corpus() -> tuple[dict[str, str], list[Mention]]:
    """Short names ("Colts" standing for a longer name in an article): h1 and h2 use it for
    two names, n1 joins those two names (an acronym spelled out for both), o1 has it alone,
    x1 names one of the two only."""
    docs = {
        "h1": "The Indianapolis Colts (IC) won on Sunday. The Colts played well in the cold.",
        "h2": "The Indy Colts lost a game. The Colts were beaten at home.",
        "n1": "The Indy Colts (IC) signed a new coach on Monday.",
        "o1": "Fans said the Colts would be back next season.",
        "x1": "The Indianapolis Colts won again.",
    }
    mentions = []
    for aid, text in docs.items():
        for name in ("Indianapolis Colts", "Indy Colts", "IC", "Colts"):
            for hit in re.finditer(rf"\b{re.escape(name)}\b", text):
                if name == "Colts" and text[: hit.start()].endswith(("Indianapolis ", "Indy ")):
                    continue
                mentions.append(Mention(aid, hit.start(), hit.end(), text=name, label="ORG"))
    return docs, sorted(mentions, key=lambda m: (m.article, m.start, m.end))


@pytest.mark.parametrize(
    "batches",
    [
        # n1 makes h1's and h2's names one: "Colts" now stands for one name, and o1's lone
        # "Colts" (two links away from n1) joins it
        [["h1", "h2", "o1"], ["n1"]],
        # h2 uses "Colts" for another name: o1's "Colts" no longer joins h1's team
        [["h1", "o1"], ["h2"], ["n1"]],
        [["o1"], ["n1"], ["h1"], ["h2"]],
        # x1 touches h1's team only: "Colts" is still h2's too, so o1 stays apart
        [["h1", "h2", "o1"], ["x1"], ["n1"]],
    ],
)
def test_short_names_decided_outside_the_changed_entities(
    tmp_path: Path, batches: list[list[str]]
) -> None:
    """The region of a batch stops one name link from what changed; a short name that
    clusters outside it hold joins nothing there, and the owner of a short name the region
    makes unambiguous is brought in. Each step equals resolving all stored so far."""
    docs, mentions = _team_corpus()
    store = _store(tmp_path / "inc.db", docs, mentions, batches, check=True)
    try:
        stored = {(m.article, m.text): m.entity for m in nlp_store.all_mentions(store)}
    finally:
        store.close()
    assert stored["o1", "Colts"] == stored["h1", "Indianapolis Colts"] == stored["h2", "Indy Colts"]


def test_text_facts_saved_together_give_the_totals_of_one_at_a_time(tmp_path: Path) -> None:
    docs, _ = _corpus({"1", "3"})
    ids = sorted(docs)[:12]
    facts = [text_facts(aid, docs[aid]) for aid in ids]
    tables = ("entity_term_df", "entity_word_case", "entity_case_dirty", "entity_text_facts")

    def saved(parts: list[list]) -> dict[str, list[tuple]]:
        store = Store(tmp_path / f"facts{len(parts)}.db")
        with store.transaction() as conn:
            store.insert_articles(
                conn,
                [Article(a, f"{a}.txt", None, None, None, None, None, docs[a]) for a in ids],
            )
        for part in parts:
            with store.transaction() as conn:
                nlp_store.save_facts(conn, part)
        return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}

    one_at_a_time = saved([[f] for f in facts])
    assert len(one_at_a_time["entity_term_df"]) > 500
    assert any(df > 1 for _, df in one_at_a_time["entity_term_df"])
    # all together, and an article given twice (once again in a later call) counted once
    assert saved([facts[:7] + facts[:2], facts[5:]]) == one_at_a_time


def test_a_common_word_flip_reads_again_only_the_articles_it_reads_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The word "court" turns common when d2 writes it in lower case: d1's lone "Court" now reads as
    a nominal (its first pass is done again), d4's "Court Street" reads as before (kept
    unread). Each step equals resolving all stored so far."""
    docs = {
        "d1": "Officials at Court Street said the Court would sit. The Court is in Cairo.",
        "d4": "Traffic on Court Street in Cairo was slow on Monday.",
        "d2": "In Cairo the court met. Later the court and the court clerk said the court shut.",
    }
    mentions = []
    for aid, text in docs.items():
        for name, label in (("Court Street", "FAC"), ("Court", "ORG"), ("Cairo", "GPE")):
            for hit in re.finditer(rf"\b{re.escape(name)}\b(?! Street)", text):
                mentions.append(Mention(aid, hit.start(), hit.end(), text=name, label=label))
    mentions.sort(key=lambda m: (m.article, m.start, m.end))
    asked: list[tuple[list[str], set[str]]] = []
    read_otherwise = entity_index._Batch._read_otherwise

    def spy(self, ids, flipped):  # the real method, its answers recorded
        out = read_otherwise(self, ids, flipped)
        asked.append((ids, out))
        return out

    monkeypatch.setattr(entity_index._Batch, "_read_otherwise", spy)
    store = _store(tmp_path / "inc.db", docs, mentions, [["d1", "d4"], ["d2"]], check=True)
    try:
        kinds = {
            (aid, json.loads(members)[0][3]): json.loads(members)[0][4]
            for aid, members in store.conn.execute("SELECT article_id, members FROM entity_locals")
        }
    finally:
        store.close()
    assert (["d1", "d4"], {"d1"}) in asked
    assert kinds["d1", "Court"] == "nominal" and kinds["d4", "Court Street"] == "name"
