"""Tests of the time stage: one test per normalisation rule, on the seed articles.

The seed articles are real reports of the 2020-09 and 2023-04 India–Russia defence talks;
the expected values follow from their publication dates (a calendar fact, not a tuned
answer): seed 000/001 were published Friday 2020-09-04, 002/003 Thursday 2020-09-03,
004 Friday 2023-04-28.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsweave.caseless import ODD_FOLDS
from newsweave.clean import clean
from newsweave.ingest import discover, read_file
from newsweave.records import Article, TimeRef
from newsweave.store import Store
from newsweave.store import time as time_store
from newsweave.time import extract_time, find_timexes, value_interval

from .conftest import seed_path


@lru_cache(maxsize=8)
def _seed(prefix: str) -> Article:
    (item,) = [i for i in discover([str(seed_path(prefix))])]
    (doc,) = list(read_file(item))
    return clean(doc)


def _refs(prefix: str) -> list[TimeRef]:
    return extract_time(_seed(prefix))[0]


def _ref(prefix: str, text: str, nth: int = 0) -> TimeRef:
    found = [r for r in _refs(prefix) if r.text == text]
    assert len(found) > nth, (
        f"{text!r} not found in seed {prefix}: {[r.text for r in _refs(prefix)]}"
    )
    return found[nth]


def _one(text: str, dct: str, expr: str):
    """The timex whose text is ``expr`` in ``text`` (a sentence from a seed or a report)."""
    hits = [t for t in find_timexes(text, dct) if t.text == expr]
    assert hits, f"{expr!r} not found: {[t.text for t in find_timexes(text, dct)]}"
    return hits[0]


# --------------------------------------------------------------------------- seeds


def test_seed_publication_dates_are_what_the_rules_resolve_against():
    assert [_seed(p).published for p in ("000", "001", "002", "003", "004")] == [
        "2020-09-04",
        "2020-09-04",
        "2020-09-03",
        "2020-09-03",
        "2023-04-28",
    ]


def test_weekday_past_tense_is_the_previous_one():
    # seed 000, Fri 2020-09-04: "Singh tweeted on Thursday"
    ref = _ref("000", "Thursday")
    assert (ref.value, ref.granularity, ref.relation) == ("2020-09-03", "day", "past")


def test_weekday_past_tense_on_the_same_weekday_is_that_day():
    # seed 002, Thu 2020-09-03: "Rajnath Singh on Thursday held talks"
    assert _ref("002", "Thursday").value == "2020-09-03"


def test_weekday_past_tense_day_before():
    # seed 003, Thu 2020-09-03: "Singh, who arrived here on Wednesday"
    ref = _ref("003", "Wednesday")
    assert (ref.value, ref.relation) == ("2020-09-02", "past")


def test_weekday_future_tense_is_the_next_one():
    # seed 003, Thu 2020-09-03: "Singh will also attend a meeting ... here on Friday"
    ref = _ref("003", "Friday")
    assert (ref.value, ref.relation) == ("2020-09-04", "future")


def test_weekday_future_tense_a_week_ahead_when_needed():
    # the same future sentence as above, read in a Saturday article -> the following Friday
    t = _one("Singh will also attend a meeting here on Friday.", "2020-09-05", "Friday")
    assert t.value == "2020-09-11"


def test_month_next_year():
    # seed 000 (2020): "the forthcoming Aero India Exhibition to be held in February next year"
    ref = _ref("000", "February next year")
    assert (ref.value, ref.granularity, ref.relation) == ("2021-02", "month", "future")


def test_month_alone_takes_the_year_its_tense_implies():
    # seed 001 (2020-09-04): "the forthcoming Aero India Exhibition to be held in February"
    ref = _ref("001", "February")
    assert (ref.value, ref.relation) == ("2021-02", "future")


def test_month_alone_in_the_past():
    # seed 003 (2020-09-03): "It is Singh's second visit to Moscow since June."
    ref = _ref("003", "June")
    assert (ref.value, ref.relation) == ("2020-06", "past")


def test_end_of_this_year_is_the_last_month():
    # seed 000: "expected to be held towards the end of this year" -> 2020-12 (month, documented)
    ref = _ref("000", "the end of this year")
    assert (ref.value, ref.granularity, ref.relation) == ("2020-12", "month", "future")


def test_end_of_a_named_year():
    # seed 003: "scheduled by the end of 2021"
    ref = _ref("003", "the end of 2021")
    assert (ref.value, ref.granularity, ref.relation) == ("2021-12", "month", "future")
    # seed 002: "towards the end of 2020", in a 2020-09-03 article
    assert _ref("002", "the end of 2020").value == "2020-12"


def test_month_day_range():
    # seed 000 (2020-09-04): "is scheduled in the Bay of Bengal from September 4 to 5"
    ref = _ref("000", "September 4 to 5")
    assert (ref.value, ref.range_end, ref.granularity) == ("2020-09-04", "2020-09-05", "range")
    assert ref.relation == "ongoing"


def test_range_splits_into_timeml_parts_for_scoring():
    parts = [
        t
        for t in find_timexes("from September 4 to 5.", "2020-09-04")
        if t.value.startswith("2020-09")
    ]
    assert [(p.text, p.value) for p in parts] == [
        ("September 4", "2020-09-04"),
        ("5", "2020-09-05"),
    ]


def test_over_the_next_two_days_is_a_range_from_publication():
    # seed 001 (2020-09-04) and 002 (2020-09-03)
    r1 = _ref("001", "the next two days")
    assert (r1.value, r1.range_end, r1.granularity) == ("2020-09-04", "2020-09-06", "range")
    r2 = _ref("002", "the next two days")
    assert (r2.value, r2.range_end) == ("2020-09-03", "2020-09-05")


def test_year_alone():
    # seed 003: "India became a member of the SCO in 2017."
    ref = _ref("003", "2017")
    assert (ref.value, ref.granularity, ref.relation) == ("2017", "year", "past")


def test_month_day_without_year_in_the_past():
    # seed 003 (2020-09-03): "the Victory Day Parade in Moscow on June 24"
    ref = _ref("003", "June 24")
    assert (ref.value, ref.relation) == ("2020-06-24", "past")


def test_month_day_year():
    # seed 002: "Victory Day Parade at Red Square on June 24 2020"
    assert _ref("002", "June 24 2020").value == "2020-06-24"
    # seed 004's byline (cleaning removes it from the article): "Last Updated : Apr 28 2023"
    byline = "2 min read Last Updated : Apr 28 2023 | 6:54 PM IST"
    assert _one(byline, "2023-04-28", "Apr 28 2023").value == "2023-04-28"


def test_month_day_in_the_same_week():
    # seed 002 (2020-09-03): "Singh who arrived in Russia's capital Moscow on September 2"
    ref = _ref("002", "September 2")
    assert (ref.value, ref.relation) == ("2020-09-02", "past")


def test_today_is_the_publication_date():
    # seed 000: "Excellent meeting with ... Sergey Shoigu in Moscow today." (published 09-04)
    ref = _ref("000", "today")
    assert (ref.value, ref.granularity) == ("2020-09-04", "day")


def test_friday_in_a_friday_article_with_past_tense():
    # seed 004 (Fri 2023-04-28): "General Sergei Shoigu, vowed on Friday to strengthen ..."
    ref = _ref("004", "Friday")
    assert (ref.value, ref.relation) == ("2023-04-28", "past")


def test_iso_and_numeric_dates():
    # seed 000's byline "Updated: 04-09-2020" is day-month-year (an Indian outlet): the
    # reading nearer the publication date wins over the US month-day one
    assert _one("Updated: 04-09-2020 14:35 IST", "2020-09-04", "04-09-2020").value == "2020-09-04"
    assert _one("published 2020-09-03 by PTI", "2020-09-04", "2020-09-03").value == "2020-09-03"


def test_relative_weeks_months_years():
    dct = "2020-09-04"
    week = _one("Singh arrived in Moscow earlier this week.", dct, "this week")
    assert (week.value, week.mod) == ("2020-W36", "START")
    assert _one("The deal was signed last year.", dct, "last year").value == "2019"
    assert _one("Talks will resume next month.", dct, "next month").value == "2020-10"
    assert _one("Exports fell last month.", dct, "last month").value == "2020-08"


def test_ago_expressions():
    dct = "2020-09-04"
    assert _one("The contract was signed two years ago.", dct, "two years ago").value == "2018"
    assert _one("He arrived three days ago.", dct, "three days ago").value == "2020-09-01"


def test_durations_and_sets_are_not_calendar_refs():
    art = _seed("000")  # "a three-day visit", "The one-hour meeting"
    texts = {r.text for r in extract_time(art)[0]}
    assert "three-day" not in texts and "one-hour" not in texts
    tx = _one("Singh is currently on a three-day visit to Russia.", "2020-09-04", "three-day")
    assert (tx.type, tx.value) == ("DURATION", "P3D")
    assert _one("a biennial exercise held annually.", "2020-09-04", "annually").type == "SET"


def test_counts_are_not_years():
    dct = "2020-09-03"
    # seed 003: "a requirement for around 770,000 AK-47 203 rifles, of which 100,000"
    text = "The Indian Army has a requirement for around 770,000 AK-47 203 rifles."
    assert not [t for t in find_timexes(text, dct) if t.granularity == "year"]
    assert not find_timexes("Some 2000 troops were deployed.", dct)


def test_a_24_hour_clock_time_is_not_a_year():
    # Timeline17 haiti_bbc: "by 1100 (1600 GMT) at least 1,500 bodies were already stacked"
    text = "The director said that by 1100 (1600 GMT) at least 1,500 bodies were stacked."
    assert not [t for t in find_timexes(text, "2010-01-13") if t.granularity == "year"]
    assert not [
        t
        for t in find_timexes("Flights resume at 2000 hrs.", "2010-01-13")
        if t.granularity == "year"
    ]
    # a year is still a year
    assert [t.value for t in find_timexes("It happened in 2004 in Haiti.", "2010-01-13")] == [
        "2004"
    ]


def test_value_interval():
    assert value_interval("2020-Q4")[0].isoformat() == "2020-10-01"
    assert value_interval("2020-W36")[1].isoformat() == "2020-09-06"
    assert value_interval("199X")[1].isoformat() == "1999-12-31"


# --------------------------------------------------------------------------- dated sentences


def test_every_sentence_is_dated_and_anchors_come_from_the_sentence():
    art = _seed("003")
    refs, dated = extract_time(art)
    assert dated and all(d.article == art.id for d in dated)
    by_start = {r.start for r in refs}
    for d in dated:
        inside = [r for r in refs if d.start <= r.start < d.end]
        assert d.anchored == bool(inside), d.text
        if not d.anchored:
            assert d.date in ("2020-09-03",) or d.relation == "past"
    assert by_start  # the article has expressions at all


def test_sentence_date_is_its_expression_not_publication():
    art = _seed("003")
    _, dated = extract_time(art)
    s = next(d for d in dated if "Victory Day Parade in Moscow on June 24" in d.text)
    assert (s.date, s.anchored, s.relation) == ("2020-06-24", True, "past")
    s = next(d for d in dated if "by the end of 2021" in d.text)
    assert (s.date, s.relation) == ("2021-12", "future")


def test_undated_past_sentences_take_the_reported_day():
    # seed 000 (Fri 2020-09-04) reports Thursday's meeting; its first dated past day is
    # "Singh tweeted on Thursday", so the undated past-tense sentences are about that day
    _, dated = extract_time(_seed("000"))
    s = next(d for d in dated if d.text.startswith("Russia made the commitment"))
    assert (s.date, s.anchored, s.relation) == ("2020-09-03", False, "past")
    s = next(d for d in dated if d.text.startswith("Singh is currently on a three-day visit"))
    assert (s.date, s.relation) == ("2020-09-04", "ongoing")


def test_past_perfect_background_continues_the_earlier_date():
    art = Article(
        id="a",
        source_path="report",
        title=None,
        outlet=None,
        agency=None,
        dateline=None,
        published="2020-09-03",
        # sentences of seed 003, the second one written as background in the past perfect
        text=(
            "Defence Minister Rajnath Singh on Thursday said he had an excellent meeting.\n\n"
            "He had represented India at the Victory Day Parade in Moscow on June 24. "
            "The parade had commemorated the 75th anniversary of the Soviet victory."
        ),
    )
    _, dated = extract_time(art)
    assert [(d.date, d.anchored) for d in dated] == [
        ("2020-09-03", True),
        ("2020-06-24", True),
        ("2020-06-24", False),
    ]


def test_sentence_without_expression_reported_now_gets_publication_date():
    art = _seed("004")
    _, dated = extract_time(art)
    s = next(d for d in dated if d.text.startswith("It said Singh and Shoigu discussed"))
    assert (s.date, s.anchored) == ("2023-04-28", False)


# --------------------------------------------------------------------------- store


@pytest.fixture
def store(tmp_path):
    st = Store(tmp_path / "t.db")
    yield st
    st.close()


def test_store_round_trip_and_incremental(store):
    arts = [_seed("000"), _seed("003")]
    with store.transaction() as conn:
        store.insert_articles(conn, arts)
    assert set(time_store.articles_without_time(store)) == {a.id for a in arts}
    results = [(a.id, *extract_time(a)) for a in arts]
    time_store.save_time(store, results[:1])
    assert time_store.articles_without_time(store) == [arts[1].id]
    time_store.save_time(store, results)  # re-saving replaces, never duplicates
    assert time_store.time_refs(store, arts[0].id) == results[0][1]
    assert time_store.dated_sentences(store, arts[1].id) == results[1][2]
    future = time_store.time_refs(store, since="2021-01")
    assert {r.value for r in future} >= {"2021-02", "2021-12"}


def test_quoted_today_does_not_date_the_sentence():
    # seed 000: '"Excellent meeting ... in Moscow today. ...," Singh tweeted on Thursday.'
    _, dated = extract_time(_seed("000"))
    s = next(d for d in dated if "Singh tweeted on Thursday" in d.text)
    assert (s.date, s.anchored) == ("2020-09-03", True)


# --------------------------------------------------------------------------- integration


def test_pipeline_api_export_and_cli(tmp_path, seeds_dir):
    from click.testing import CliRunner

    from newsweave.api import Newsweave
    from newsweave.cli import cli

    db = tmp_path / "news.db"
    with Newsweave(db) as nw:
        nw.ingest([seeds_dir], analyze=False)
        assert "time" in nw.analyze(only=["time"])
        art = next(a for a in nw.articles() if a.published == "2020-09-04" and "Indra" in a.text)
        values = {r.text: r.value for r in nw.time_refs(art.id[:8])}
        assert values["February next year"] == "2021-02"
        assert values["the end of this year"] == "2020-12"
        assert len(nw.dated_sentences(art.id)) > 5
        section = nw.export()["time_refs"]
        assert {"article", "text", "value", "granularity", "relation", "range_end"} <= set(
            section[0]
        )
        before = len(section)
        nw.analyze(only=["time"])  # incremental: nothing new, nothing duplicated
        assert len(nw.export()["time_refs"]) == before
    result = CliRunner().invoke(cli, ["--db", str(db), "dates", art.id[:8], "--json"])
    assert result.exit_code == 0, result.output
    assert "2021-02" in result.output


# --------------------------------------------------------------------------- properties


_WORDS = [
    "on",
    "Thursday",
    "last",
    "next",
    "week",
    "year",
    "month",
    "the",
    "end",
    "of",
    "2021",
    "September",
    "4",
    "to",
    "5",
    "held",
    "will",
    "ago",
    "two",
    "days",
    "over",
    "in",
    "May",
    "early",
    "1990s",
    "Q3",
    "fiscal",
    "1998",
    "a",
    "decade",
    "later",
    "that",
    "day",
    ",",
    ".",
    "said",
    "04-09-2020",
    "10:30",
    "a.m.",
    "tonight",
    "'s",
    "Christmas",
    "-",
    "31",
    "Feb.",
]


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.sampled_from(_WORDS), max_size=30),
    dct=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)) | st.none(),
)
def test_any_text_gives_valid_spans_and_values(words, dct):
    text = " ".join(words)
    for tx in find_timexes(text, dct):
        assert 0 <= tx.start < tx.end <= len(text)
        assert text[tx.start : tx.end] == tx.text
        if tx.granularity in ("day", "week", "month", "quarter", "year", "decade"):
            assert value_interval(tx.value) is not None, tx


def test_a_rule_is_one_table_entry():
    """The grammar is the RULES table: a new rule (pattern + interpreter) registered with
    one ``_rule`` entry is found, beats shorter overlapping candidates, and names itself."""
    from newsweave import time as time_mod

    before = list(time_mod.RULES)

    @time_mod._rule("ides", r"(?i)\bthe\s+ides\s+of\s+March\b", trigger=r"(?i:ides)")
    def _ides(h: time_mod.Hit) -> time_mod.Timex | None:
        if h.dct is None:
            return None
        return h.mk(time_mod._day(date(h.dct.year, 3, 15)), gran="day")

    try:
        text = "Caesar was killed on the ides of March, the senators said."
        (tx,) = find_timexes(text, "2020-09-04")
        assert (tx.text, tx.value, tx.rule) == ("the ides of March", "2020-03-15", "ides")
        assert find_timexes(text, None) == []
        with pytest.raises(ValueError, match="defined twice"):
            time_mod._rule("ides", "x")(_ides)
    finally:
        time_mod.RULES[:] = before
    assert [tx.rule for tx in find_timexes(text, "2020-09-04")] == ["rel-month"]


def test_rule_names_are_unique_and_every_timex_names_its_rule():
    from newsweave.time import RULES

    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    for tx in find_timexes(_seed("000").text, _seed("000").published):
        assert tx.rule in names


def test_a_shift_past_the_calendar_is_no_date():
    """Found by the property test above: "2020 year ago" from a 2000 document gave '-020'."""
    for text in ("2020 years ago", "99999999 days ago"):
        found = find_timexes(text, "2000-01-01")
        assert [tx.rule for tx in found] == ["duration"], found  # a length of time, no date


def test_a_trigger_skipped_for_a_whole_article_occurs_in_none_of_its_sentences():
    """find_timexes searches each context-free trigger once per article and skips it for
    every sentence when the whole text lacks it; a trigger whose match depends on the text
    around it (a word boundary, a lookbehind) is never skipped that way."""
    from newsweave import time as time_mod
    from newsweave.sentences import sentence_spans

    year = next(r.trigger for r in time_mod.RULES if r.name == "year")
    decade = next(r.trigger for r in time_mod.RULES if r.name == "decade")
    weekday = next(r.trigger for r in time_mod.RULES if r.name == "weekday")
    assert not time_mod._context_free(year) and not time_mod._context_free(decade)
    assert time_mod._context_free(weekday)
    for prefix in ("000", "001", "002", "003", "004"):
        text = _seed(prefix).text
        absent = time_mod._absent_triggers(text)
        for s0, s1 in sentence_spans(text):
            assert all(t.search(text[s0:s1]) is None for t in absent)
    # the same timexes as checking every trigger in every sentence
    text = "The talks ended on Tuesday in the 1990s' style, 12 days ago, at 10 p.m."
    assert time_mod._absent_triggers(text) >= {
        next(r.trigger for r in time_mod.RULES if r.name == "season")
    }
    assert [t.text for t in find_timexes(text, "2020-09-04")] == [
        "Tuesday",
        "the 1990s",
        "12 days ago",
        "10 p.m.",
    ]


def test_a_trigger_read_once_per_article_occurs_exactly_where_it_matches_a_sentence():
    """_Trigger (words looked up over the whole article, other parts searched per sentence)
    answers as each trigger's own search of each sentence: on the seeds and on texts with
    case-folding oddities, overlapping words and words cut by a sentence's edge."""
    from newsweave import time as time_mod
    from newsweave.sentences import sentence_spans

    texts = [_seed(p).text for p in ("000", "001", "002", "003", "004")] + [
        "The ſpring offensive. It began on a MONDAY, in Kelvin-year (K) time. Midnight.",
        "İn the winter. The daydream of weeknights; New Year's Day. FY2020 and Q3 were annual.",
        "Today, tonight: yesterday's Thursday. Dec. 5. Sunday. 10 a.m. 12:30, 2/3, the 1990s.",
    ]
    triggers = {r.trigger for r in time_mod.RULES if r.trigger is not None}
    for text in texts:
        lowered = text.lower() if not any(c in text for c in ODD_FOLDS) else None
        spans = sentence_spans(text) + [(0, len(text)), (3, 9), (5, len(text) - 2)]
        for trigger in triggers:
            found = time_mod._Trigger(trigger, text, lowered)
            for s0, s1 in spans:
                chunk = text[s0:s1]
                expected = trigger.search(chunk) is not None
                assert found.occurs(chunk, s0, s1) == expected, (trigger.pattern, chunk)
                if expected:
                    assert not found.absent()


def test_a_trigger_is_cut_at_its_top_level_alternatives_only():
    from newsweave.time import _top_level_parts

    assert _top_level_parts(r"(?i:day|week)|(?i:ly\b|annual)") == [
        "(?i:day|week)",
        r"(?i:ly\b|annual)",
    ]
    assert _top_level_parts(r"FY|Q[1-4]") == ["FY", "Q[1-4]"]
    assert _top_level_parts(r"a[|]b|c\|d|[]|]e") == ["a[|]b", r"c\|d", "[]|]e"]
    assert _top_level_parts(r"(?i)day|week") == [r"(?i)day|week"]  # a global flag: whole
    assert _top_level_parts(r"(a)|\1") == [r"(a)|\1"]  # a back-reference: whole


def test_trigger_sentences_are_the_sentences_it_occurs_in():
    from newsweave import time as time_mod
    from newsweave.sentences import sentence_spans

    triggers = {r.trigger for r in time_mod.RULES if r.trigger is not None}
    for prefix in ("000", "001", "002", "003", "004"):
        text = _seed(prefix).text
        bounds = sentence_spans(text)
        for trigger in triggers:
            found = time_mod._Trigger(trigger, text, text.lower())
            hits = found.sentences(bounds)
            for k, (s0, s1) in enumerate(bounds):
                chunk = text[s0:s1]
                assert (k in hits or found.searched(chunk)) == found.occurs(chunk, s0, s1)


def test_the_vague_rule_trigger_is_in_every_expression_the_rule_reads():
    """A rule runs only on sentences its trigger occurs in: each alternative of the vague
    rule holds one of its trigger's words, in any case."""
    from newsweave.time import RULES

    vague = next(r for r in RULES if r.name == "vague")
    inner = vague.pattern.pattern.split(r"\b(", 1)[1].rsplit(r")\b", 1)[0]
    words = [alt.replace(r"\s+", " ") for alt in inner.split("|")]
    assert len(words) > 20
    for word in words:
        for form in (word, word.upper(), word.title()):
            assert vague.pattern.search(form), form
            assert vague.trigger.search(form), form


def _rule(name: str):
    from newsweave.time import RULES

    return next(r for r in RULES if r.name == name)


def _group(pattern: str, before: str, after: str = ")") -> list[str]:
    """The alternatives of the group of ``pattern`` that follows ``before``."""
    inner = pattern.split(before, 1)[1].split(after, 1)[0]
    return [alt.replace(r"\s+", " ") for alt in inner.split("|")]


def test_each_rule_s_required_words_are_in_every_expression_it_reads():
    """A rule with ``requires`` is searched only in sentences holding one of those words:
    every form each of its alternatives takes (read off its pattern; any case; any of the
    whitespace and hyphens the pattern allows) holds one inside the match."""
    from newsweave.time import _UNIT_RE, RULES

    units = _group(_UNIT_RE, "(?:")
    units = [u.replace("s?", "") for u in units] + [u.replace("s?", "s") for u in units]
    ago = _rule("ago")
    directions = _group(ago.pattern.pattern, r"\s+(ago|", ")")
    assert len(directions) == 6  # earlier|later|before|after|hence|from now, with ago
    rel_unit = _rule("rel-unit")
    rel_units = _group(rel_unit.pattern.pattern, r"\s+(week|")
    rels = _group(rel_unit.pattern.pattern, r"?(this|")
    forms = {
        "ago": [f"two {u} {d}" for u in units for d in ["ago", *directions]],
        "duration": [f"two{sep}{u}" for u in units for sep in (" ", "-", "\t", "\n", " - ")],
        "rel-unit": [
            f"{r} {u}".replace(" ", sep)
            for u in ["week", *rel_units]
            for r in ["this", *rels]
            for sep in (" ", "\t", "\n")
        ],
        "long": [f"{u}-long" for u in ("day", "weeks", "month", "years", "decade")],
        "bare-plural": _group(_rule("bare-plural").pattern.pattern, r"\s+)?("),
    }
    assert {r.name for r in RULES if r.requires} == set(forms)
    for name, texts in forms.items():
        rule = _rule(name)
        assert len(texts) > 4, name
        for text in texts:
            for form in (text, text.upper(), text.title()):
                m = rule.pattern.search(form)
                assert m is not None, (name, form)
                assert rule.requires.search(m.group()), (name, form)


def test_required_words_change_no_expression_found(monkeypatch):
    """The seeds give the same expressions with and without the rules' required words."""
    from dataclasses import replace

    from newsweave import time as time_mod

    seeds = Path(__file__).resolve().parent.parent / "examples" / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    texts.append("Two days later, 3\tweeks-long talks ended; in the past\nyear, five years ago.")
    with_words = [time_mod.find_timexes(t, "2020-09-03") for t in texts]
    assert sum(len(found) for found in with_words) > 50
    for rule in time_mod.RULES:
        if rule.requires is not None:
            for text in texts:
                for m in rule.pattern.finditer(text):
                    assert rule.requires.search(m.group()), (rule.name, m.group())
    bare = [replace(r, requires=None) for r in time_mod.RULES]
    monkeypatch.setattr(time_mod, "RULES", bare)
    assert [time_mod.find_timexes(t, "2020-09-03") for t in texts] == with_words


def test_sentence_tense_takes_the_earlier_of_the_first_past_and_present_word():
    """One search for the first past or present word gives what two searches gave: the
    word lists share no word that starts another, so they never match at one place."""
    from newsweave import time as time_mod

    def expand(words: str) -> set[str]:
        out = set()
        for w in words.split("|"):
            out |= {w[:-2], w[:-1]} if w.endswith("s?") else {w}
        return out

    past, present = expand(time_mod._MAIN_PAST_WORDS), expand(time_mod._MAIN_PRESENT_WORDS)
    assert not [(p, q) for p in past for q in present if p.startswith(q) or q.startswith(p)]
    past_re = re.compile(rf"(?i)\b(?:{time_mod._MAIN_PAST_WORDS})\b")
    present_re = re.compile(rf"(?i)\b(?:{time_mod._MAIN_PRESENT_WORDS})\b")

    def two_searches(text: str) -> str:
        if time_mod._MAIN_FUTURE.search(text):
            return "future"
        p, q = past_re.search(text), present_re.search(text)
        if p and (not q or p.start() < q.start()):
            return "past"
        if q:
            return "present"
        return "past" if time_mod._MAIN_PAST_WEAK.search(text) else "present"

    from newsweave.sentences import split_sentences

    texts = [s.text for p in ("000", "001", "002", "003", "004") for s in split_sentences(_seed(p))]
    texts += ["He is said to remain.", "It seems she had left.", "Remains were found.", "IS HAS"]
    for text in texts:
        assert time_mod._sentence_tense(text) == two_searches(text), text


def test_a_case_twin_matches_in_the_lowered_text_exactly_where_its_pattern_matches():
    """Every case-insensitive pattern the time stage runs through a twin (rules, trigger
    parts, tense cues) finds the same matches, groups included, through caseless.finditer
    and caseless.search as by itself, on the seeds, Timeline17 text and texts in odd cases;
    a pattern with an uppercase letter or case-insensitivity turned off has none."""
    from newsweave import caseless
    from newsweave import time as time_mod

    from .conftest import timeline17_raw

    patterns = {r.pattern for r in time_mod.RULES}
    patterns |= {r.trigger for r in time_mod.RULES if r.trigger is not None}
    patterns |= {r.requires for r in time_mod.RULES if r.requires is not None}
    patterns |= {
        part
        for p in set(patterns)
        for part in time_mod._trigger_parts(p)
        if isinstance(part, re.Pattern)
    }
    patterns |= {
        time_mod._FUTURE_CUE,
        time_mod._PAST_CUE,
        time_mod._PRESENT_CUE,
        time_mod._UNTIL_VERB,
        time_mod._MAIN_FUTURE,
        time_mod._MAIN_PAST_OR_PRESENT,
    }
    twinned = {p for p in patterns if caseless.twin(p) is not None}
    assert {"duration", "set", "vague", "ago", "anaphor"} <= {
        r.name for r in time_mod.RULES if r.pattern in twinned
    }
    assert caseless.twin(re.compile(r"(?i)\b(?-i:GMT)\b")) is None
    assert caseless.twin(re.compile(r"(?i)Monday")) is None
    assert caseless.twin(re.compile(r"monday")) is None
    texts = [_seed(p).text for p in ("000", "001", "002", "003", "004")]
    texts += [a.text[:4000] for a in timeline17_raw("EgyptianProtest_cnn", "cnn", 6)]
    texts += [
        "FOR THE PAST TWO WEEKS, Every Day And Twice A Year: the Next Morning, 5 Years Ago.",
        "It Was Planned, it WILL be, He Had Already Met them; Postponed Until MONDAY.",
    ]
    for text in texts:
        for chunk in {text, text.upper(), text.title(), text.swapcase()}:
            low = caseless.lowered(chunk)
            for p in twinned:
                want = [(m.span(), m.groups(), m.re) for m in p.finditer(chunk)]
                got = [(m.span(), m.groups(), m.re) for m in caseless.finditer(p, chunk, low)]
                assert got == want, p.pattern
                found, want_first = caseless.search(p, chunk, low), p.search(chunk)
                assert (found and (found.span(), found.groups())) == (
                    want_first and (want_first.span(), want_first.groups())
                )
