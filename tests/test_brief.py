"""Timelines, cited summaries and the briefing on the seeds; the Timeline17 metric on tiny
hand-checked examples."""

from __future__ import annotations

import importlib.util
import re
from datetime import date as Date
from pathlib import Path

import numpy as np
import pytest

from newsweave.brief import (
    build_timeline,
    select_timeline,
    sentence_kind,
    story_brief,
    summarise,
    tfidf_rows,
    usable,
)
from newsweave.formats.markdown import render as render_brief
from newsweave.ingest import discover
from newsweave.pipeline import read_and_clean
from newsweave.records import Article, CitedSentence, DatedSentence, Event, Story
from newsweave.sentences import split_sentences
from newsweave.time import extract_time

from .conftest import REPO, SEEDS


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    arts: list[Article] = []
    for item in discover([str(SEEDS)]):
        arts.extend(a for a in read_and_clean(item) if isinstance(a, Article))
    return {a.id: a for a in arts}


@pytest.fixture(scope="module")
def dated(seeds) -> list[DatedSentence]:
    return [d for a in seeds.values() for d in extract_time(a)[1]]


def test_usable_rejects_page_furniture_and_fragments() -> None:
    assert not usable("ANI | Moscow | Updated: 04-09-2020 14:35 IST | Created: 04-09-2020")
    assert not usable("2 min read Last Updated : Apr 28 2023 | 6:54 PM IST")
    assert not usable("Topics : India Russia")
    assert usable(
        "Singh and Shoigu discussed wide-ranging issues of bilateral defence cooperation."
    )


def test_furniture_and_letter_counts_agree_with_the_case_blind_regex(seeds) -> None:
    """The ASCII fast path of usable (substrings of the lower case, letters counted by byte
    deletion) answers what the case-blind regex and ``str.isalpha`` answer, on every
    window of the seeds and on texts where case folding, the head anchor or non-ASCII
    letters could part them."""
    from newsweave.brief import _FURNITURE, _is_furniture, _letters

    texts = [a.text[i : i + 160] for a in seeds.values() for i in range(0, len(a.text), 40)]
    texts += [
        "Topics : India Russia",
        "TOPICS:\tdefence",
        " Topics: not at the start",
        "India and Russia; topics: later",
        "Image CREDIT: Reuters",
        "\u0130mage credit: Reuters",  # dotted capital I: the regex folds it to i
        "Click\u2009here",
        "Sub\u017fcribe now",  # long s: the regex folds it to s
        "Ünïcödé wörds, ärë här",
        "a | b",
        "Read More",
        "",
    ]
    for text in texts:
        assert _is_furniture(text) == (_FURNITURE.search(text) is not None), text
        assert _letters(text) == sum(c.isalpha() for c in text), text
    assert _is_furniture("\u0130mage credit: Reuters") and _is_furniture("Sub\u017fcribe now")


def test_timeline_entries_are_dated_sourced_and_quoted(seeds, dated) -> None:
    entries = build_timeline(dated, seeds, story="st")
    assert entries
    keys = [(e.date[:4], e.date) for e in entries]
    assert keys == sorted(keys, key=lambda k: k[1][:10])  # chronological
    for e in entries:
        assert e.story == "st" and e.articles
        assert e.kind in ("reported", "scheduled", "background")
        # the text is a sentence of one of the cited articles (whitespace-normalised)
        assert any(e.text in " ".join(seeds[a].text.split()) for a in e.articles)
    kinds = {e.kind for e in entries}
    assert {"reported", "scheduled", "background"} <= kinds
    # dates mentioned inside articles, not only publication dates, make it into the timeline
    published = {a.published for a in seeds.values()}
    assert any(e.date not in published for e in entries)
    # scheduled entries lie after the publication of an article that cites them
    for e in entries:
        if e.kind == "scheduled":
            assert any(e.date[:7] >= (seeds[a].published or "")[:7] for a in e.articles)
        if e.kind == "background":
            assert all(e.date < (seeds[a].published or "9999") for a in e.articles)


def test_giant_pools_are_sparse_with_the_same_timeline_and_summary(
    seeds, dated, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pool too big for a dense TF-IDF matrix (a 7 MB page's sentences) is kept sparse:
    what is picked and cited is what the dense rows give."""
    from newsweave import brief

    sentences = [s for a in seeds.values() for s in split_sentences(a)]
    dense = (build_timeline(dated, seeds, story="st"), summarise(sentences))
    assert isinstance(brief._vectorise([s.text for s in sentences]), np.ndarray)
    monkeypatch.setattr(brief, "DENSE_TFIDF_CELLS", 0)
    brief._central_kept.clear()  # what dense rows gave is kept by pool: choose again
    vec = brief._vectorise([s.text for s in sentences])
    assert not isinstance(vec, np.ndarray) and vec.dtype == np.float32
    assert (build_timeline(dated, seeds, story="st"), summarise(sentences)) == dense


def test_a_timeline_rebuilt_with_one_more_article_reuses_the_unchanged_pools(seeds, dated) -> None:
    """A story's timeline is rebuilt when an article joins it: the choice of each date's
    pool that the new article does not add to comes from the per-process cache, and the
    entries are those a cold rebuild gives."""
    from newsweave import brief as brief_mod

    ids = sorted(seeds)
    older = {a: seeds[a] for a in ids[:-1]}
    brief_mod._tfidf.clear()
    brief_mod._central_kept.clear()
    build_timeline([d for d in dated if d.article in older], older, story="st")
    kept = dict(brief_mod._central_kept._pools)
    warm = build_timeline(dated, seeds, story="st")
    # the pools the new one left alone: their choice is the kept one, not made again
    assert any(brief_mod._central_kept._pools.get(t) is v for t, v in kept.items())
    brief_mod._tfidf.clear()
    brief_mod._central_kept.clear()
    assert warm == build_timeline(dated, seeds, story="st")


def test_a_kept_pool_choice_is_picks_value_for_value(seeds, dated) -> None:
    """An entry's sentence and the cosines of its pool to it, kept per pool, are what
    ``_pick`` and ``_sims`` give for any prior: cold, warm, and from a cache bounded so
    tightly that it keeps next to nothing."""
    import random

    from newsweave import brief as brief_mod

    by_date: dict[str, list[str]] = {}
    for d in dated:
        by_date.setdefault(d.date, []).append(" ".join(d.text.split()))
    pools = [tuple(t) for t in by_date.values()] + [("the and of it", "it is the one")]
    rng = random.Random(3)
    brief_mod._central_kept.clear()
    for rounds in range(2):
        for texts in pools:
            prior = np.array([rng.random() * 0.3 for _ in texts], dtype=np.float32)
            chosen, vec = brief_mod._pick(list(texts), 1, prior=prior)
            want = brief_mod._sims(vec, chosen[0])
            best, sims = brief_mod._central_pick(texts, prior)
            assert best == chosen[0]
            assert sims.dtype == want.dtype
            assert np.array_equal(sims.view(np.uint32), want.view(np.uint32))
        assert rounds or len(brief_mod._central_kept._pools) == len(set(pools))
    for budget in (10, 20_000):  # bounded: what it holds stays within its bytes
        small = brief_mod._CentralKept(budget)
        for texts in pools:
            prior = np.zeros(len(texts), dtype=np.float32)
            want = brief_mod._pick(list(texts), 1, prior=prior)[0][0]
            assert small.pick(texts, prior)[0] == want
            assert small.held == sum(e[3] for e in small._pools.values()) <= budget
        assert bool(small._pools) == (budget > 10)


@pytest.mark.parametrize("words_kept", [500_000, 0])
def test_tfidf_rows_are_the_vectorizers_value_for_value(
    seeds, words_kept: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timeline's TF-IDF (its own counting, no per-call validation) gives exactly what
    scikit-learn's TfidfVectorizer gives: same floats bit for bit, same index order (the
    order a row's length is summed in), same type; None where the vectorizer refuses. So it
    does when the per-process word ids are dropped before every pool."""
    import random

    from sklearn.feature_extraction.text import TfidfVectorizer

    from newsweave import brief as brief_mod

    monkeypatch.setattr(brief_mod, "POOL_WORDS_KEPT", words_kept)

    texts = [s.text for a in seeds.values() for s in split_sentences(a)]
    rng = random.Random(7)
    pools = [rng.sample(texts, min(len(texts), k)) for k in (1, 2, 3, 8, 40, 10_000)]
    pools += [texts + texts[:5], ["the and of it"], ["", "Hello world", "hello  WORLD world"]]
    pools += [["Ünïcode café naïve ½ 2010 10 a1 Ça", "CAFÉ ça 2010"]]
    for pool in pools:
        try:
            want = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(pool)
        except ValueError:
            assert tfidf_rows(pool) is None
            continue
        got = tfidf_rows(pool)
        assert type(got) is type(want) and got.shape == want.shape
        assert got.indices.dtype == want.indices.dtype and got.dtype == want.dtype
        assert np.array_equal(got.indptr, want.indptr)
        assert np.array_equal(got.indices, want.indices)
        assert np.array_equal(got.data.view(np.uint64), want.data.view(np.uint64))
        assert got.has_sorted_indices == want.has_sorted_indices
    assert tfidf_rows(["the and of it"]) is None
    assert words_kept or len(brief_mod._POOL_WORDS) < 10  # dropped before the last pool


def test_sentence_kind_rules() -> None:
    base = DatedSentence("a", 0, 0, 10, "x", "2021-02", "month", "future", True)
    assert sentence_kind(base, "2020-09-03") == "scheduled"
    past = DatedSentence("a", 0, 0, 10, "x", "2017", "year", "past", True)
    assert sentence_kind(past, "2020-09-03") == "background"
    recent = DatedSentence("a", 0, 0, 10, "x", "2020-09-02", "day", "past", True)
    assert sentence_kind(recent, "2020-09-03") == "reported"


def test_summary_sentences_cite_every_article_that_says_them(seeds) -> None:
    sents = [s for a in seeds.values() for s in split_sentences(a)]
    summary = summarise(sents, max_sentences=3)
    assert 1 <= len(summary) <= 3
    for c in summary:
        assert c.articles and len(c.spans) == len(c.articles)
        first = c.spans[0]
        assert " ".join(seeds[first.article].text[first.start : first.end].split()) == c.text
    # the tweet quoted by several outlets is corroborated by more than one article
    assert max(len(c.articles) for c in summary) >= 2


def test_brief_numbers_every_citation_and_lists_its_source(seeds, dated) -> None:
    ids = sorted(seeds, key=lambda a: seeds[a].published or "")
    ev1 = Event("ev1", "Talks in Moscow", "2020-09-03", tuple(ids[:4]), "st1")
    ev2 = Event("ev2", "Talks in Delhi", "2023-04-28", tuple(ids[4:]), "st1")
    story = Story("st1", "India–Russia defence ties", ("ev1", "ev2"), tuple(ids))
    sentences = {a: split_sentences(seeds[a]) for a in ids}
    timeline = build_timeline(dated, seeds, story="st1")
    disagreement = CitedSentence("Outlets differ on where the naval exercise takes place.", ids[:2])
    b = story_brief(story, [ev1, ev2], seeds, sentences, timeline, disagreements=[disagreement])
    md = render_brief([b], seeds)
    for heading in ("## India–Russia defence ties", "### Summary", "### Events", "### Timeline"):
        assert heading in md
    assert md.index("#### 2020-09-03") < md.index("#### 2023-04-28")
    assert "### Where sources disagree" in md
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", md)}
    listed = {int(n) for n in re.findall(r"^(\d+)\. ", md, re.M)}
    assert cited and cited == listed
    # every bullet and summary line carries at least one citation
    body = md.split("### Sources")[0]
    for line in body.splitlines():
        if line.startswith("- "):
            assert re.search(r"\[\d+\]", line), line
    # no disagreements section when the claims stage has nothing to say
    plain = render_brief([story_brief(story, [ev1, ev2], seeds, sentences, timeline)], seeds)
    assert "Where sources disagree" not in plain


def test_select_timeline_ranks_days_by_how_many_articles_mention_them() -> None:
    def ds(article: str, i: int, text: str, day: str, anchored: bool) -> DatedSentence:
        return DatedSentence(article, i, 0, len(text), text, day, "day", "past", anchored)

    rows = [
        ds(
            f"a{n}",
            0,
            f"The well exploded on April 20 killing eleven workers number {n}.",
            "2010-04-20",
            True,
        )
        for n in range(3)
    ] + [
        ds(
            "b",
            0,
            "Officials met on May 2 to discuss the response to the oil spill.",
            "2010-05-02",
            True,
        ),
        ds(
            "c",
            0,
            "BP announced a new containment dome for the leaking well today.",
            "2010-05-07",
            False,
        ),
    ]
    published = {
        "a0": "2010-05-01",
        "a1": "2010-05-03",
        "a2": "2010-06-01",
        "b": "2010-05-05",
        "c": "2010-05-07",
    }
    out = select_timeline(rows, published, n_dates=2, per_date=1)
    assert [d for d, _ in out] == ["2010-04-20", "2010-05-02"]
    assert all(len(s) == 1 for _, s in out)
    assert select_timeline(rows, published, n_dates=5, per_date=2, end="2010-04-30")[0][0] == (
        "2010-04-20"
    )


# --------------------------------------------------------------------------- the metric


def _bench():
    spec = importlib.util.spec_from_file_location("bench_timeline", REPO / "bench" / "timeline.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def test_metric_perfect_and_disjoint_timelines() -> None:
    m = _bench()
    gold = {
        Date(2010, 4, 20): ["The rig exploded and sank."],
        Date(2010, 7, 15): ["The well was capped."],
    }
    assert m.align_m1_rouge(gold, gold, 1)["f1"] == pytest.approx(1.0)
    assert m.align_m1_rouge(gold, gold, 2)["f1"] == pytest.approx(1.0)
    assert m.date_f1(gold, gold) == 1.0
    other = {Date(2010, 4, 20): ["Markets rallied on Tuesday."]}
    assert m.align_m1_rouge(other, gold, 1)["f1"] == 0.0
    assert m.date_f1(other, gold) == pytest.approx(2 * 1 * 0.5 / 1.5)


def test_metric_discounts_content_on_a_nearby_date() -> None:
    m = _bench()
    gold = {Date(2010, 4, 20): ["The rig exploded"]}
    pred = {Date(2010, 4, 21): ["The rig exploded"]}  # one day off: hits count 1/2
    r = m.align_m1_rouge(pred, gold, 1)
    # tokens after stop-word removal and stemming: rig, explod -> 2 hits * 1/2 over 2
    assert r["precision"] == pytest.approx(0.5) and r["recall"] == pytest.approx(0.5)
    assert m.date_f1(pred, gold) == 0.0


def test_metric_many_to_one_alignment_and_stemming() -> None:
    m = _bench()
    gold = {Date(2011, 2, 11): ["Mubarak resigns as president"]}
    pred = {
        Date(2011, 2, 11): ["President Mubarak resigned"],
        Date(2011, 2, 12): ["Crowds celebrate in Tahrir"],
    }
    r = m.align_m1_rouge(pred, gold, 1)
    # both predicted dates map to the single gold date (many-to-one); stems match
    # "resigns"/"resigned"; precision: 3 hits of 3 + 0 of 3 (day-2 sentence) over 6 tokens
    assert r["precision"] == pytest.approx(3 / 6)
    assert r["recall"] == pytest.approx(3 / 3)
    assert m.rouge_tokens(["The protesters were protesting"]) == ["protest", "protest"]


def test_gold_reader_parses_the_timeline17_layout(tmp_path: Path) -> None:
    m = _bench()
    p = tmp_path / "tl.txt"
    p.write_text(
        "2010-09-19\nThe well is sealed .\n--------------------------------\n"
        "2010-09-17\nBP pumps cement .\nIt works .\n-------\n"
    )
    gold = m.read_gold(p)
    assert gold == {
        Date(2010, 9, 19): ["The well is sealed ."],
        Date(2010, 9, 17): ["BP pumps cement .", "It works ."],
    }


def test_an_empty_briefing_says_what_to_do() -> None:
    md = render_brief([], {})
    assert md.startswith("# News briefing") and "newsweave analyze" in md


def test_cli_events_stories_timeline_and_brief(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from newsweave.cli import cli

    db = str(tmp_path / "news.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "ingest", str(SEEDS)]).exit_code == 0
    events = json.loads(runner.invoke(cli, ["--db", db, "events", "--json"]).output)
    stories = json.loads(runner.invoke(cli, ["--db", db, "stories", "--json"]).output)
    assert len(events) == 2 and len(stories) == 1
    assert {e["story"] for e in events} == {stories[0]["id"]}
    entries = json.loads(runner.invoke(cli, ["--db", db, "timeline", "--json"]).output)
    assert entries and all(e["articles"] and e["story"] == stories[0]["id"] for e in entries)
    listed = runner.invoke(cli, ["--db", db, "stories"]).output.splitlines()
    header = listed[0].split("\t")  # piped: tab-separated with a header
    row = dict(zip(header, listed[1].split("\t"), strict=False))
    from newsweave.api import Newsweave

    with Newsweave(db, read_only=True) as nw:
        assert row["sources"] == str(nw.independent_sources(stories[0]["articles"]))
    story_events = runner.invoke(cli, ["--db", db, "events", "--story", stories[0]["id"][:7]])
    assert story_events.exit_code == 0 and "2 events" in story_events.output
    out = tmp_path / "brief.md"
    result = runner.invoke(cli, ["--db", db, "brief", "-o", str(out)])
    assert result.exit_code == 0
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# News briefing") and stories[0]["title"] in md
    bad = runner.invoke(cli, ["--db", db, "brief", "--story", "nope"])
    assert bad.exit_code == 2 and "no story" in bad.output


# --------------------------------------------------------------------------- date ranking


def test_volume_normalised_discounts_days_in_busy_weeks() -> None:
    from newsweave.brief import volume_normalised

    published = ["2011-03-01"] * 30 + ["2011-09-01"] * 2
    out = volume_normalised(
        {"2011-03-02": 6.0, "2011-09-02": 2.0, "2011-03": 4.0}, published, window=7, alpha=1.0
    )
    assert out["2011-03-02"] == pytest.approx(6 / 31)
    assert out["2011-09-02"] == pytest.approx(2 / 3)
    assert out["2011-03-02"] < out["2011-09-02"]  # the quiet month's turning point wins
    assert out["2011-03"] == 4.0  # a month is left as it is
    assert volume_normalised({"2011-03-02": 6.0}, [], alpha=1.0) == {"2011-03-02": 6.0}


def test_cover_period_takes_the_best_of_each_span_first() -> None:
    from newsweave.brief import cover_period

    ranked = ["2011-02-20", "2011-02-21", "2011-02-22", "2011-03-01", "2011-10-10", "2010-01-01"]
    out = cover_period(ranked, 3, "2011-02-15", "2011-10-20", spans=2)
    assert out == ["2011-02-20", "2011-10-10", "2011-02-21"]
    assert cover_period(ranked, 2, None, None) == ranked[:2]
    assert cover_period([], 3, "2011-01-01", "2011-12-31") == []


def _row(article: str, i: int, text: str, day: str, gran: str = "day") -> DatedSentence:
    return DatedSentence(article, i, 0, len(text), text, day, gran, "past", True)


def _art(aid: str, published: str) -> Article:
    return Article(aid, f"{aid}.txt", None, "bbc", None, None, published, "text")


def test_story_timeline_reaches_the_end_of_the_coverage_and_prints_real_dates() -> None:
    arts: dict[str, Article] = {}
    rows: list[DatedSentence] = []
    # a busy first month: twenty articles recall the same few days
    for n in range(20):
        aid = f"may{n}"
        arts[aid] = _art(aid, f"2010-05-{10 + n % 10:02d}")
        for k, day in enumerate(("2010-04-20", "2010-04-22", "2010-05-02")):
            rows.append(
                _row(aid, k, f"On {day} the rig exploded and oil leaked badly {n} {k}.", day)
            )
        rows.append(
            _row(
                aid,
                9,
                "That weekend crews fought the leak along the coast of it.",
                "2010-W19-WE",
                "week",
            )
        )
    # a quiet end: one article in September reports the well sealed
    arts["sep"] = _art("sep", "2010-09-19")
    rows.append(
        _row(
            "sep",
            0,
            "The well was declared sealed for good on 19 September by officials.",
            "2010-09-19",
        )
    )
    entries = build_timeline(rows, arts, max_entries=3)
    dates = [e.date for e in entries]
    assert "2010-09-19" in dates  # the end of the coverage is reached
    assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", d) for d in dates)


def test_row_normaliser_is_scikit_learns_bit_for_bit() -> None:
    """brief's L2 row normaliser gives the bits of scikit-learn's in-place kernel on rows of
    every length (sums of 0 to 300 squares, empty rows, an all-zero row)."""
    from scipy import sparse
    from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

    from newsweave.brief import _normalize_rows_l2

    rng = np.random.default_rng(3)
    lengths = [0, 1, 2, 7, 8, 9, 16, 127, 128, 129, 300, 0, 3]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    data = rng.lognormal(size=int(indptr[-1])) * rng.choice([1e-3, 1.0, 1e3], size=int(indptr[-1]))
    data[indptr[-3] : indptr[-2]] = 0.0  # an all-zero row stays as it is
    indices = np.concatenate([np.arange(n) for n in lengths]).astype(np.int32)
    want = sparse.csr_array((data.copy(), indices, indptr), shape=(len(lengths), 300))
    inplace_csr_row_normalize_l2(want)
    got = data.copy()
    _normalize_rows_l2(got, indptr)
    assert np.array_equal(got.view(np.uint64), want.data.view(np.uint64))


def test_the_pool_cache_is_bounded_in_bytes_counting_its_texts(seeds) -> None:
    """The pool cache's bound counts the pools' texts (its keys) with their rows: long
    sentences with few distinct words cannot fill memory past it, and a pool over a
    tenth of the bound is computed but not kept."""
    from newsweave.brief import _held_bytes, _PoolCache, tfidf_rows

    words = [s.text for a in seeds.values() for s in split_sentences(a)]
    cache = _PoolCache(150_000)
    for i in range(0, len(words) - 3, 3):
        pool = tuple(t * 20 for t in words[i : i + 3])  # long texts, rows of few values
        got = cache(pool)
        want = tfidf_rows(pool)
        assert (got is None) == (want is None)
        if got is not None:
            assert (got != want).nnz == 0
        assert cache.held <= 150_000
        assert cache.held == sum(_held_bytes(k, m) for k, (m, _) in cache._rows.items())
    assert cache.misses > 10 and len(cache._rows) < cache.misses  # some were let go
    big = tuple(words * 3)
    assert _held_bytes(big, tfidf_rows(big)) > 15_000
    cache(big)
    assert big not in cache._rows
