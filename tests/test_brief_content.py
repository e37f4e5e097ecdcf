"""What a brief says on the seeds: a lede that stands on its own, citations only where the
cited article says the same thing, and every fact the brief carried before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsweave.brief import (
    build_timeline,
    predicate_words,
    says_the_same,
    self_contained,
    story_brief,
)
from newsweave.formats.markdown import render as render_brief
from newsweave.records import Article, Event, Story
from newsweave.sentences import split_sentences
from newsweave.time import extract_time

from .conftest import SEEDS, load_articles

# ANI (seed 000) says this; PTI (seed 003) shares its names, not what it says.
COMMITMENT = (
    "Russia made the commitment during the meeting between Defence Minister Rajnath Singh and "
    "his Russian counterpart Gen Sergey Shoigu in Moscow, sources said."
)
PTI_MEETING = (
    'Defence Minister Rajnath Singh on Thursday said he had an "excellent meeting" with his '
    "Russian counterpart Gen. Sergey Shoigu here and discussed a wide range of issues, "
    "especially how to deepen defence and strategic cooperation."
)


@pytest.fixture(scope="module")
def by_prefix() -> dict[str, Article]:
    return {a.source_path.rsplit("/", 1)[-1][:3]: a for a in load_articles([str(SEEDS)])}


@pytest.fixture(scope="module")
def seed_brief(by_prefix):
    arts = {a.id: a for a in by_prefix.values()}
    ids = sorted(arts, key=lambda a: (arts[a].published or "", a))
    moscow = tuple(by_prefix[p].id for p in ("000", "001", "002", "003"))
    ev1 = Event("ev1", arts[by_prefix["000"].id].title or "", "2020-09-03", moscow, "st1")
    ev2 = Event("ev2", "Talks in Delhi", "2023-04-28", (by_prefix["004"].id,), "st1")
    story = Story("st1", ev1.title, ("ev1", "ev2"), tuple(ids))
    sentences = {a: split_sentences(arts[a]) for a in ids}
    dated = [d for a in arts.values() for d in extract_time(a)[1]]
    timeline = build_timeline(dated, arts, story="st1")
    b = story_brief(story, [ev1, ev2], arts, sentences, timeline)
    return b, render_brief([b], arts), by_prefix


@pytest.mark.parametrize(
    ("text", "alone"),
    [
        (COMMITMENT, False),  # which commitment? it is in the sentence before
        ("He said the talks went well and both sides would meet again soon.", False),
        ("However, the ministry did not confirm the deal on Thursday evening.", False),
        (PTI_MEETING, True),
        (
            "Russia has reiterated its policy of no arms supply to Pakistan following India's "
            "request on the same, according to sources.",
            True,
        ),
        ("The meeting between the two ministers lasted an hour in Moscow.", True),
    ],
)
def test_self_contained(text: str, alone: bool) -> None:
    assert self_contained(text) is alone


def test_names_alone_do_not_make_two_sentences_say_the_same() -> None:
    assert "commitment" in predicate_words(COMMITMENT)
    assert "Shoigu" not in " ".join(predicate_words(COMMITMENT))
    assert not says_the_same(COMMITMENT, PTI_MEETING, cosine=0.51)
    exercises_ani = (
        "The Defence Minister noted that these exercises demonstrated the common interests of "
        "both countries in maritime security in the Indian Ocean Region, according to a "
        "statement by India's Defence Ministry."
    )
    exercises_001 = (
        "Singh said that the exercises demonstrated the “common interests of both countries in "
        "maritime security in the Indian Ocean Region,” according to a statement issued by the "
        "Indian Defence Ministry."
    )
    assert says_the_same(exercises_ani, exercises_001, cosine=0.76)
    # a number the claim states must be in the other sentence too
    assert not says_the_same(
        "BP said 5,000 barrels a day leak", "BP said 1,000 barrels a day leak", 0.9
    )


def test_seed_lede_stands_on_its_own_and_cites_only_support(seed_brief) -> None:
    b, md, by_prefix = seed_brief
    assert 2 <= len(b.summary) <= 3
    assert self_contained(b.summary[0].text)
    assert not b.summary[0].text.startswith("Russia made the commitment")
    summary_block = md.split("### Summary")[1].split("###")[0]
    assert "Russia made the commitment" not in summary_block.strip().splitlines()[0]
    # the commitment is ANI's alone: PTI (003), which never mentions it, is not cited
    lines = [c for cs in b.event_summaries.values() for c in cs if c.text == COMMITMENT]
    for c in lines:
        assert by_prefix["003"].id not in c.articles
        assert c.articles == (by_prefix["000"].id,)


# Every fact the seeds' brief stated before this change (its summary and event lines).
FACTS = (
    COMMITMENT,
    "Excellent meeting with the Russian Defence Minister General Sergey Shoigu in Moscow today.",
    "these exercises demonstrated the common interests of both countries in maritime security",
    "vowed on Friday to strengthen the India-Russia military partnership",
    "The ministry said Singh and Shoigu discussed wide-ranging issues of bilateral defence",
    "the Russian defence industry's participation in the 'Make in India' initiative",
)


def test_seed_brief_keeps_every_fact(seed_brief) -> None:
    _, md, _ = seed_brief
    flat = " ".join(md.split())
    for fact in FACTS:
        assert fact in flat, fact
    assert re.search(r"\[\d+\]", md)


def test_independent_sources_count_outlets_and_copies_once(by_prefix) -> None:
    from dataclasses import replace

    from newsweave.brief import independent_sources

    arts = {a.id: a for a in by_prefix.values()}
    ids = list(arts)
    # five seed articles from ANI, PTI, Business Standard and two unnamed files
    assert independent_sources(ids, arts, {}) == 5
    # one outlet's articles are one source, however many it publishes
    one_outlet = {a: replace(art, outlet="bbc", agency=None) for a, art in arts.items()}
    assert independent_sources(ids, one_outlet, {}) == 1
    # copies of one text (one source group) count once across outlets
    groups = {by_prefix["000"].id: "src-x", by_prefix["002"].id: "src-x"}
    assert independent_sources(ids, arts, groups) == 4


def test_lines_one_outlet_repeats_in_many_articles_are_furniture() -> None:
    from newsweave.brief import recurring_lines

    ticker = "2 men charged in death of Chicago teen who performed in inauguration event."
    quote = "The protesters gathered again in Tahrir Square on Friday after prayers."
    arts, sents = {}, {}
    for i in range(6):
        body = f"Report number {i} on the protests in Cairo, with its own details. {ticker}"
        if i < 4:
            body += " " + quote
        art = Article(f"a{i}", f"a{i}.txt", None, "cnn", None, None, "2011-02-01", body)
        arts[art.id] = art
        sents[art.id] = split_sentences(art)
    found = recurring_lines(sents, arts)
    assert " ".join(re.findall(r"[a-z0-9]+", ticker.lower())) in found
    assert len(found) == 1  # four articles quoting one line is still content
    # another outlet's articles do not add up with these
    other = {a: replace_outlet(art, "bbc") if a in ("a0", "a1") else art for a, art in arts.items()}
    assert not recurring_lines(sents, other)


def replace_outlet(article: Article, outlet: str) -> Article:
    from dataclasses import replace

    return replace(article, outlet=outlet)


def test_a_big_story_is_bounded_and_detail_shows_the_rest(by_prefix) -> None:
    from dataclasses import replace

    from newsweave.formats import markdown

    base = list(by_prefix.values())
    arts = {}
    for i in range(20):  # twenty articles: copies of the seeds under new ids
        a = base[i % len(base)]
        arts[f"x{i:02d}{a.id[4:]}"] = replace(a, id=f"x{i:02d}{a.id[4:]}")
    ids = sorted(arts)
    events = [
        Event(f"ev{i}", f"Event {i}", f"2020-09-{i + 1:02d}", tuple(ids[2 * i : 2 * i + 2]), "st1")
        for i in range(10)
    ]
    story = Story("st1", "A long story", tuple(e.id for e in events), tuple(ids))
    sentences = {a: split_sentences(arts[a]) for a in ids}
    dated = [d for a in arts.values() for d in extract_time(a)[1]]
    timeline = build_timeline(dated, arts, story="st1")
    b = story_brief(story, events, arts, sentences, timeline)
    others = [
        story_brief(
            Story(f"st{k}", f"Story {k}", ("ev0",), ids[:2]), events[:1], arts, sentences, []
        )
        for k in range(2, 8)
    ]
    short = markdown.render([b, *others], arts)
    full = markdown.render([b, *others], arts, detail=True)
    first = short.split("\n## ")[1]
    assert first.count("\n#### ") == markdown.KEY_EVENTS
    assert first.split("### Timeline")[1].split("###")[0].count("\n- ") <= markdown.KEY_DATES
    assert "Not shown: 5 smaller events" in first and "--detail --story st1" in first
    # every shown event keeps one cited sentence
    for block in first.split("\n#### ")[1:]:
        assert block.split("###")[0].count("\n- ") == 1
    # stories beyond the first few are one line each; detail shows every story whole
    assert f"## {1 + len(others) - markdown.FULL_STORIES} more stories" in short
    assert full.count("\n## ") == 1 + len(others) and "more stories" not in full
    assert len(short.split()) < len(full.split())


def test_timeline_entries_cite_only_articles_that_say_the_same(by_prefix) -> None:
    from newsweave.brief import supported_entries
    from newsweave.records import TimelineEntry

    ani, pti = by_prefix["000"], by_prefix["003"]
    sentences = {a.id: split_sentences(a) for a in (ani, pti)}
    entry = TimelineEntry("2020-09-03", "day", "reported", COMMITMENT, "st1", (pti.id, ani.id))
    (kept,) = supported_entries([entry], sentences)
    assert kept.articles == (ani.id,)
    # an entry no article at hand supports is dropped
    assert supported_entries([entry], {pti.id: sentences[pti.id]}) == []


def test_a_file_name_is_never_an_outlet(seed_brief) -> None:
    """Seed 002 names no outlet: its source line says so instead of printing its file name."""
    _, md, by_prefix = seed_brief
    sources = md.split("### Sources")[1]
    assert Path(by_prefix["002"].source_path).name not in sources
    line = next(s for s in sources.splitlines() if by_prefix["002"].id[:10] in s)
    assert "unknown outlet, 2020-09-03" in line


def test_one_count_of_independent_sources_in_the_api(tmp_path: Path) -> None:
    """Newsweave.independent_sources is the briefing's count (each outlet once, each copied
    text once), not a count of copy groups alone."""
    from newsweave.api import Newsweave
    from newsweave.brief import independent_sources

    with Newsweave(tmp_path / "n.db") as nw:
        nw.ingest([str(SEEDS)], analyze=False)
        nw.analyze(["copies"])
        arts = {a.id: a for a in nw.iter_articles()}
        ids = sorted(arts)
        assert nw.independent_sources(ids) == independent_sources(ids, arts, nw.source_groups())
        # two articles of one outlet are one source, though no copy group joins them
        outlets: dict[str, list[str]] = {}
        for a in arts.values():
            if a.outlet or a.agency:
                outlets.setdefault((a.outlet or a.agency or "").lower(), []).append(a.id)
        for same in outlets.values():
            assert nw.independent_sources(same) == 1
        assert nw.independent_sources([i[:8] for i in ids]) == nw.independent_sources(ids)
