"""Tests of the copies stage on the seed articles (real reports) and edits of their text.

What the seeds contain (read them): 000 (ANI) and 002 both paste long runs of the Indian
defence ministry's statement on the 2020-09-03 Rajnath Singh – Sergey Shoigu meeting, with
light copy edits; 000 and 003 (PTI) both quote the same tweet by Singh; 001 paraphrases a few
lines of the statement; 004 is a 2023 report of a different meeting.
"""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from newsweave import copies
from newsweave.clean import clean
from newsweave.cli import cli
from newsweave.errors import StageError
from newsweave.export import export_json
from newsweave.ingest import discover, read_file
from newsweave.pipeline import ingest_paths, run_copies
from newsweave.records import Article
from newsweave.sentences import sentence_spans
from newsweave.store import Store
from newsweave.store import copies as copies_store

from .conftest import SEEDS, seed_path

TWEET = "Excellent meeting with the Russian Defence Minister General Sergey Shoigu in Moscow today"
STATEMENT = "conveyed appreciation for the steadfast support provided by Russia"


@lru_cache(maxsize=8)
def _seed(prefix: str) -> Article:
    (item,) = list(discover([str(seed_path(prefix))]))
    (doc,) = list(read_file(item))
    return clean(doc)


def _variant(base: Article, suffix: str, text: str) -> Article:
    return dataclasses.replace(base, id=f"{base.id}-{suffix}", text=text)


def _link(results: list[copies.PairResult], a: str, b: str) -> copies.PairResult | None:
    key = tuple(sorted((a, b)))
    found = [r for r in results if (r.link.a, r.link.b) == key]
    return found[0] if found else None


def _is_sentence_run(text: str, start: int, end: int) -> bool:
    spans = sentence_spans(text)
    return start in {s for s, _ in spans} and end in {e for _, e in spans}


@pytest.fixture(scope="module")
def seed_results() -> list[copies.PairResult]:
    return copies.detect_copies([_seed(p) for p in ("000", "001", "002", "003", "004")])


# --------------------------------------------------------------------------- seeds


def test_statement_copies_000_002_are_one_source_with_aligned_sentence_runs(seed_results):
    a, b = _seed("000"), _seed("002")
    res = _link(seed_results, a.id, b.id)
    assert res is not None
    assert res.same_source
    assert max(res.reused_a, res.reused_b) >= 0.6
    texts = {a.id: a.text, b.id: b.text}
    hits = 0
    for pa, pb in res.link.passages:
        for span in (pa, pb):
            assert 0 <= span.start < span.end <= len(texts[span.article])
            assert _is_sentence_run(texts[span.article], span.start, span.end)
        if STATEMENT in texts[pa.article][pa.start : pa.end]:
            assert STATEMENT in texts[pb.article][pb.start : pb.end]
            hits += 1
    assert hits == 1  # the statement's "conveyed appreciation" run, found once, on both sides


def test_statement_passage_spans_are_exact(seed_results):
    """The run in 000 starts at 'Singh conveyed appreciation' and ends with the sentence
    'The Defence Minister briefed ...' block; in 002 it starts at 'Calling the meeting'."""
    a, b = _seed("000"), _seed("002")
    res = _link(seed_results, a.id, b.id)
    assert res is not None
    (pair,) = [p for p in res.link.passages if STATEMENT in a.text[p[0].start : p[0].end]]
    side = {pair[0].article: pair[0], pair[1].article: pair[1]}
    span_a, span_b = side[a.id], side[b.id]
    assert span_a.start == a.text.index("Singh conveyed appreciation")
    assert span_b.start == b.text.index("Calling the meeting 'excellent'")
    # Both runs end after the AK203 / Make-in-India sentences that both copy.
    assert "Aero India Exhibition" in a.text[span_a.start : span_a.end]
    assert "Aero India Exhibition" in b.text[span_b.start : span_b.end]
    assert a.text[span_a.end - 1] in '."' and b.text[span_b.end - 1] in '."'


def test_shared_tweet_000_003_is_a_shared_passage_between_independent_reports(seed_results):
    a, b = _seed("000"), _seed("003")
    res = _link(seed_results, a.id, b.id)
    assert res is not None
    assert res.link.kind == "shared-passage"
    assert not res.same_source
    texts = {a.id: a.text, b.id: b.text}
    tweet_pairs = [
        (pa, pb)
        for pa, pb in res.link.passages
        if TWEET in texts[pa.article][pa.start : pa.end]
        and TWEET in texts[pb.article][pb.start : pb.end]
    ]
    assert len(tweet_pairs) == 1
    pa, pb = tweet_pairs[0]
    side = {pa.article: pa, pb.article: pb}
    # In 000 the quote opens its sentence; in 003 too (after "Taking to Twitter, ...").
    assert a.text[side[a.id].start :].startswith('"' + TWEET)
    assert b.text[side[b.id].start :].startswith('"' + TWEET)
    assert side[a.id].end == a.text.index("Singh tweeted on Thursday.") + len(
        "Singh tweeted on Thursday."
    )
    assert side[b.id].end == b.text.index("he said in a tweet.", side[b.id].start) + len(
        "he said in a tweet."
    )


def test_unrelated_2023_report_has_no_copy_link(seed_results):
    other = _seed("004").id
    assert all(other not in (r.link.a, r.link.b) for r in seed_results)


def test_paraphrased_statement_lines_keep_001_independent(seed_results):
    a, b = _seed("001"), _seed("002")
    res = _link(seed_results, a.id, b.id)
    assert res is not None and res.link.kind == "shared-passage"
    assert not res.same_source


def test_source_groups_of_the_seeds(seed_results):
    ids = {p: _seed(p).id for p in ("000", "001", "002", "003", "004")}
    groups = copies.source_groups(
        ids.values(), [(r.link.a, r.link.b) for r in seed_results if r.same_source]
    )
    assert groups[ids["000"]] == groups[ids["002"]]
    assert len({groups[ids[p]] for p in ids}) == 4
    assert groups[ids["004"]] == copies.singleton_source_group(ids["004"])
    # deterministic: the id hashes the smallest member, whatever the order of the input
    again = copies.source_groups(
        reversed(list(ids.values())),
        [(r.link.b, r.link.a) for r in reversed(seed_results) if r.same_source],
    )
    assert again == groups


# --------------------------------------------------------------------------- edits of a seed


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def test_trimmed_copy_with_new_headline_is_a_near_duplicate():
    base = _seed("002")
    paras = _paragraphs(base.text)
    copy_text = "\n\n".join(["Rajnath, Shoigu hold talks in Moscow", *paras[: len(paras) * 2 // 3]])
    copy = _variant(base, "trim", copy_text)
    (res,) = copies.detect_copies([base, copy])
    assert res.link.kind == "near-duplicate"
    assert res.containment >= 0.95
    assert res.same_source
    copied = copy.text.index(paras[0])
    assert any(p.start == copied for p in (x for pair in res.link.passages for x in pair))


def test_superset_with_local_intro_and_reordered_paragraphs():
    base = _seed("002")
    paras = _paragraphs(base.text)
    intro = _paragraphs(_seed("004").text)[3]  # unrelated local paragraph
    moved = [intro, paras[0], paras[4], paras[3], paras[1], paras[2], *paras[5:]]
    copy = _variant(base, "super", "\n\n".join(moved))
    (res,) = copies.detect_copies([base, copy])
    assert res.link.kind == "near-duplicate"
    spans_in_copy = [
        pair[0] if pair[0].article == copy.id else pair[1] for pair in res.link.passages
    ]
    covered = [copy.text[s.start : s.end] for s in spans_in_copy]
    assert not any(intro[:60] in c for c in covered)  # the local paragraph is not "copied"
    for moved_para in (paras[4], paras[3]):
        assert any(moved_para[:80] in c for c in covered)


def test_light_copy_edits_keep_the_whole_sentence_in_the_passage():
    base = _seed("000")
    sentence = (
        "Both sides welcomed the advance stage of discussions for the establishment in India "
        "of an India-Russian Joint Venture for the production of AK203 assault rifles"
    )
    assert sentence in base.text
    edited = base.text.replace(sentence, sentence.replace("advance stage", "advanced stage"))
    edited = edited.replace(
        "Russia has reiterated its policy", "Russia has also reiterated its policy"
    )
    copy = _variant(base, "edit", edited)
    (res,) = copies.detect_copies([base, copy])
    assert res.link.kind == "near-duplicate"
    start = copy.text.index("Both sides welcomed the advanced stage")
    assert any(
        s.article == copy.id and s.start <= start < s.end
        for pair in res.link.passages
        for s in pair
    )


def test_typographic_quotes_hash_like_straight_ones():
    plain = "India's \"excellent\" meeting -- with Russia's minister, said the ministry today."
    curly = "India’s “excellent” meeting — with Russia’s minister, said the ministry today."
    fa, fb = copies.fingerprint_texts(["a", "b"], [plain, curly])
    assert fa.n_words == fb.n_words == 12
    assert np.array_equal(fa.shingles, fb.shingles)
    starts, ends = copies.word_offsets(curly)
    words = [curly[s:e] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    assert words[:4] == ["India", "s", "excellent", "meeting"]


# --------------------------------------------------------------------------- index


def test_index_is_under_one_kilobyte_per_article():
    long_text = "\n\n".join(_seed(p).text for p in ("000", "001", "002", "003", "004"))
    fps = copies.fingerprint_texts(["long"], [long_text * 3])
    sig = fps[0].signature()
    assert len(sig.anchor_bytes()) <= 1024
    assert sig.anchors.size == copies.CopiesConfig().max_anchors
    back = copies.Signature.from_bytes("long", sig.n_words, sig.anchor_bytes())
    assert np.array_equal(back.anchors, sig.anchors)


def test_boilerplate_alone_never_makes_a_candidate():
    """Many unrelated paragraphs that share only a long furniture line."""
    furniture = (
        "Copyright Example News Agency. All rights reserved. This material may not be "
        "published, broadcast, rewritten or redistributed in any form without permission. "
        "Follow Example News Agency on social media for the latest updates, breaking news "
        "alerts, videos and analysis from our correspondents around the world, and sign up "
        "for our daily newsletter delivered to your inbox every morning."
    )
    texts, block = [], []
    for prefix in ("001", "003", "004"):
        for para in _paragraphs(_seed(prefix).text):  # blocks of >= 200 different words
            block.append(para)
            if sum(len(p.split()) for p in block) >= 200:
                texts.append("\n\n".join([*block, furniture]))
                block = []
    assert len(texts) >= 4
    cfg = copies.CopiesConfig(rare_anchor_df=4, max_anchor_df=8)
    fps = copies.fingerprint_texts([f"d{i}" for i in range(len(texts))], texts, cfg)
    index = copies.AnchorIndex(cfg)
    index.add(fps)
    assert index.candidates(fps) == []
    # with boilerplate treated as rare, the shared line does pair them
    loose = copies.CopiesConfig(rare_anchor_df=50)
    fps = copies.fingerprint_texts([f"d{i}" for i in range(len(texts))], texts, loose)
    index = copies.AnchorIndex(loose)
    index.add(fps)
    assert len(index.candidates(fps)) > 0


def test_config_errors_say_how_to_fix_the_call():
    with pytest.raises(StageError, match="shingle"):
        copies.CopiesConfig(shingle=1)
    with pytest.raises(StageError, match="same_source_fraction"):
        copies.CopiesConfig(same_source_fraction=1.5)
    with pytest.raises(StageError, match="max_anchor_df"):
        copies.CopiesConfig(rare_anchor_df=100, max_anchor_df=10)


# --------------------------------------------------------------------------- pipeline


def _by_prefix(store: Store) -> dict[str, str]:
    return {Path(a.source_path).name[:3]: a.id for a in store.iter_articles()}


def _snapshot(store: Store) -> tuple:
    links = sorted(
        (lk.a, lk.b, lk.kind, lk.similarity, lk.passages) for lk in copies_store.copy_links(store)
    )
    return links, copies_store.source_groups(store), copies_store.copy_groups(store)


def test_incremental_run_matches_a_full_run(tmp_path: Path):
    full = Store(tmp_path / "full.db")
    ingest_paths(full, [str(SEEDS)])
    run_copies(full)

    inc = Store(tmp_path / "inc.db")
    ingest_paths(inc, [str(seed_path(p)) for p in ("000", "001", "004")])
    run_copies(inc)
    before = dict(inc.conn.execute("SELECT article_id, anchors FROM copy_signatures").fetchall())
    ingest_paths(inc, [str(seed_path(p)) for p in ("002", "003")])
    run_copies(inc)
    after = dict(inc.conn.execute("SELECT article_id, anchors FROM copy_signatures").fetchall())
    assert {k: after[k] for k in before} == before  # old signatures untouched
    assert len(after) == 5
    assert _snapshot(inc) == _snapshot(full)

    ids = _by_prefix(full)
    groups = copies_store.source_groups(full)
    assert groups[ids["000"]] == groups[ids["002"]]
    assert groups[ids["000"]] != groups[ids["003"]]
    n, size = copies_store.signature_bytes(full)
    assert n == 5 and size / n <= 1024
    full.close()
    inc.close()


def test_a_delivery_regroups_only_the_linked_region_around_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copy and source groups are rebuilt only for the components of the link graph that
    hold a new article or an end of a link found or removed (#14: rebuilding them from every
    link cost each delivery the whole store), and come out as a full rebuild's; a run that
    stopped between a batch and its regrouping regroups on the next run."""
    full = Store(tmp_path / "full.db")
    ingest_paths(full, [str(SEEDS)])
    run_copies(full)

    inc = Store(tmp_path / "inc.db")
    ingest_paths(inc, [str(seed_path(p)) for p in ("000", "001", "002", "003")])
    run_copies(inc)
    seen: list[list] = []
    real = copies.copy_groups

    def spy(links):
        links = list(links)
        seen.append(links)
        return real(links)

    monkeypatch.setattr(copies, "copy_groups", spy)
    ingest_paths(inc, [str(seed_path("004"))])
    # the batch is saved, then the run stops before regrouping
    monkeypatch.setattr(copies_store, "save_region_groups", _raise_stop)
    with pytest.raises(_Stop):
        run_copies(inc)
    assert copies_store.pending_groups(inc)
    monkeypatch.undo()
    monkeypatch.setattr(copies, "copy_groups", spy)
    run_copies(inc)
    assert not copies_store.pending_groups(inc)
    # 004 copies nobody: the linked component of 000-003 was not regrouped
    assert seen and all(links == [] for links in seen)
    assert _snapshot(inc) == _snapshot(full)
    full.close()
    inc.close()


class _Stop(Exception):
    pass


def _raise_stop(*args: object, **kwargs: object) -> None:
    raise _Stop


def test_export_has_copies_section_and_source_group(tmp_path: Path):
    store = Store(tmp_path / "x.db")
    ingest_paths(store, [str(SEEDS)])
    run_copies(store)
    data = export_json(store)
    ids = _by_prefix(store)
    assert data["copies"], "no copy groups exported"
    for group in data["copies"]:
        assert set(group) == {"id", "kind", "articles", "passages"}
        assert group["kind"] in ("near-duplicate", "shared-passage")
        for p in group["passages"]:
            assert set(p) == {"article", "start", "end"} and p["article"] in group["articles"]
    by_id = {a["id"]: a for a in data["articles"]}
    assert by_id[ids["000"]]["source_group"] == by_id[ids["002"]]["source_group"]
    assert by_id[ids["003"]]["source_group"] != by_id[ids["000"]]["source_group"]
    tweet_groups = [
        g for g in data["copies"] if ids["000"] in g["articles"] and ids["003"] in g["articles"]
    ]
    assert [g["kind"] for g in tweet_groups] == ["shared-passage"]
    store.close()


def test_cli_copies_lists_groups_and_passages(tmp_path: Path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "ingest", str(SEEDS)]).exit_code == 0
    assert runner.invoke(cli, ["--db", db, "analyze", "--only", "copies"]).exit_code == 0
    res = runner.invoke(cli, ["--db", db, "copies", "--passages"])
    assert res.exit_code == 0, res.output
    assert "near-duplicate" in res.output and "shared-passage" in res.output
    assert "Excellent meeting with the Russian Defence Minister" in res.output
    res = runner.invoke(cli, ["--db", db, "copies", "--json", "--kind", "near-duplicate"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert rows and all(r["kind"] == "near-duplicate" for r in rows)


# --------------------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ab Zé’“”—…\u00a0\n,.'-9")) | st.characters(),
        max_size=120,
    )
)
def test_word_offsets_match_the_fingerprint_for_any_text(text: str):
    (fp,) = copies.fingerprint_texts(["x"], [text])
    starts, ends = copies.word_offsets(text)
    assert starts.size == fp.n_words
    assert fp.shingles.size == max(0, fp.n_words - copies.CopiesConfig().shingle + 1)
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        word = text[s:e]
        assert word and not any(ch.isspace() for ch in word)


def test_batching_does_not_change_fingerprints():
    """More than one numpy chunk (> 1 MB of text): every article hashes as it does alone."""
    base = [_seed(p).text for p in ("000", "001", "002", "003", "004")]
    texts = [f"Copy {i}.\n\n{base[i % 5]}" for i in range(400)]
    assert sum(len(t.encode()) for t in texts) > 1 << 20
    together = copies.fingerprint_texts([str(i) for i in range(400)], texts)
    for i in (0, 1, 137, 270, 399):
        (alone,) = copies.fingerprint_texts([str(i)], [texts[i]])
        assert np.array_equal(alone.shingles, together[i].shingles)
        assert np.array_equal(alone.anchors, together[i].anchors)


def test_half_sample_mode_still_finds_the_near_duplicate():
    base = _seed("003")
    paras = _paragraphs(base.text)
    copy = _variant(base, "trim", "\n\n".join(paras[: len(paras) * 3 // 4]))
    others = [_seed(p) for p in ("000", "001", "002", "004")]
    fps = copies.fingerprint_articles([base, copy, *others])
    index = copies.AnchorIndex()
    index.add(fps)
    full = {(c.a, c.b) for c in index.candidates(fps)}
    half = {(c.a, c.b) for c in index.candidates(fps, min_estimate=0.2, half_sample=True)}
    pair = tuple(sorted((base.id, copy.id)))
    assert pair in half and half <= full
    assert len(half) < len(full)  # the shared-passage pairs (tweet, statement) drop out


def test_identical_short_flashes_always_meet():
    """A seed sentence republished alone carries at most one sampled anchor; the two
    whole-text anchors still bring identical copies together."""
    sentences = [
        text[s:e]
        for text in (_seed(p).text for p in ("000", "003", "004"))
        for s, e in sentence_spans(text)
    ]
    flash = next(
        t
        for t in sentences
        if len(t.split()) >= 12 and copies.fingerprint_texts(["x"], [t])[0].anchors.size <= 3
    )
    arts = [_variant(_seed("003"), f"flash{i}", flash) for i in range(3)]
    results = copies.detect_copies(arts)
    assert len(results) == 3
    assert all(r.link.kind == "near-duplicate" and r.jaccard == 1.0 for r in results)


def test_sentence_splitter_gives_the_spans_of_the_whole_text():
    splitter = copies.SentenceSplitter()
    for prefix in ("000", "001", "002", "003", "004"):
        article = _seed(prefix)
        whole = sentence_spans(article.text)
        assert list(splitter(article)) == whole
        start = article.text.index("\n\n", len(article.text) // 2)
        near = splitter.near(article)(start, start + 50)
        assert near and set(near) <= set(whole)
        assert any(s <= start + 2 < e or start < s < start + 50 for s, e in near)


def test_shared_passage_groups_are_per_passage_not_components() -> None:
    """A furniture line shared by many pages must not chain their other copy relations."""
    from newsweave.copies import copy_groups
    from newsweave.records import CopyLink, Span

    def sp(a: str, b: str, spans: list[tuple[tuple[int, int], tuple[int, int]]]) -> CopyLink:
        pairs = tuple((Span(a, *x), Span(b, *y)) for x, y in spans)
        return CopyLink("shared-passage", a, b, 0.1, pairs)

    ticker = (900, 980)  # the same furniture line at the end of pages p1..p4
    links = [
        sp("p1", "p2", [(ticker, ticker)]),
        sp("p2", "p3", [(ticker, ticker)]),
        sp("p3", "p4", [(ticker, ticker), ((0, 200), (100, 300))]),  # p3/p4 also quote a text
        sp("p4", "p5", [((110, 290), (50, 230))]),  # p5 quotes the same text as p3 and p4
        sp("p1", "p6", [((300, 400), (10, 110)), ((500, 600), (700, 800))]),
    ]
    groups = {g.articles: g for g in copy_groups(links)}
    assert set(groups) == {("p1", "p2", "p3", "p4"), ("p3", "p4", "p5"), ("p1", "p6")}
    # the two passages p1 and p6 share form one group holding both
    assert len([p for p in groups[("p1", "p6")].passages if p.article == "p1"]) == 2
    assert len({g.id for g in groups.values()}) == 3
    assert all(g.kind == "shared-passage" for g in groups.values())


def test_every_unicode_space_separates_words():
    """Found by the property test above: U+1680 and U+3000 are spaces, not word characters."""
    for space in ("\u1680", "\u3000", "\u2009", "\u00a0"):
        starts, ends = copies.word_offsets(f"ab{space}cd")
        assert (starts.tolist(), ends.tolist()) == ([0, 3], [2, 5]), repr(space)


FURNITURE = (
    "About this site: our newsroom publishes reports from correspondents and partner agencies "
    "around the clock, and readers can write to the desk with corrections, tips and requests "
    "for permission to reproduce any article, photograph or video that appears on these pages."
)


def test_links_do_not_depend_on_arrival_order_or_batches(tmp_path: Path):
    """A paragraph of site furniture is rare while two articles hold it (they are linked)
    and boilerplate once five do (no link): the links, groups and source groups after three
    deliveries are those one run over all five finds (issue #14)."""
    from newsweave.settings import Settings

    src = tmp_path / "in"
    src.mkdir()
    for p in sorted(SEEDS.glob("*.txt")):
        (src / p.name).write_text(p.read_text(encoding="utf-8") + "\n\n" + FURNITURE + "\n")
    settings = Settings().with_overrides({"copies": {"rare_anchor_df": 2, "max_anchor_df": 2}})
    files = sorted(str(p) for p in src.glob("*.txt"))
    full = Store(tmp_path / "full.db")
    ingest_paths(full, files)
    run_copies(full, settings)
    snapshots = []
    for order in ([0, 1, 2, 3, 4], [4, 2, 0, 3, 1]):
        inc = Store(tmp_path / f"inc{order[0]}.db")
        for part in (order[:2], order[2:3], order[3:]):
            ingest_paths(inc, [files[i] for i in part])
            run_copies(inc, settings)
        snapshots.append(_snapshot(inc))
        inc.close()
    assert snapshots[0] == _snapshot(full)
    assert snapshots[1] == _snapshot(full)
    full.close()


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("ab \n\t\u00a0\u2003\u3000\x1c\u200bé")),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=4),
)
def test_reused_fraction_counts_non_blank_characters(text: str, raw: list) -> None:
    spans = [(min(a, b), max(a, b)) for a, b in raw]
    total = sum(not ch.isspace() for ch in text)
    covered = sum(sum(not ch.isspace() for ch in text[s:e]) for s, e in copies._merge_spans(spans))
    expected = 0.0 if total == 0 else min(1.0, covered / total)
    assert copies.reused_fraction(text, spans) == expected
