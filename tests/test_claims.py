"""Claims: attribution, hedging, alignment, corroboration over independent sources, and
contradictions — on the seed articles (real input) and small variants of their sentences."""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsweave.claims import (
    ClaimAnalysis,
    ClaimOptions,
    analyse_claims,
    extract_statements,
    split_attribution,
    stem,
)
from newsweave.records import Article, Claim, Contradiction, CopyLink, Event, Mention, Span

from .conftest import SEEDS


@pytest.fixture(scope="module")
def analysis(seeds: dict[str, Article]) -> ClaimAnalysis:
    return analyse_claims(list(seeds.values()))


def _prefix(seeds: dict[str, Article]) -> dict[str, str]:
    return {a.id: k for k, a in seeds.items()}


def _find(claims, seeds, needle: str) -> list[Claim]:
    """Claims whose mention in some article contains ``needle``."""
    out = []
    for c in claims:
        for sp in c.spans:
            art = next(a for a in seeds.values() if a.id == sp.article)
            if needle in art.text[sp.start : sp.end]:
                out.append(c)
                break
    return out


def _contested_pair(analysis: ClaimAnalysis, seeds, needle_a: str, needle_b: str):
    (a,) = _find(analysis.claims, seeds, needle_a)
    (b,) = _find(analysis.claims, seeds, needle_b)
    return a, b


# --------------------------------------------------------------------------- seed facts


def test_exercise_location_is_contested_with_both_sides_cited(analysis, seeds) -> None:
    p = _prefix(seeds)
    bay, malacca = _contested_pair(analysis, seeds, "Bay of Bengal", "off the Straits of Malacca")
    assert bay.status == malacca.status == "contested"
    assert malacca.id in bay.contradicts and bay.id in malacca.contradicts
    assert {p[a] for a in bay.articles} == {"000"}
    assert {p[a] for a in malacca.articles} == {"001", "002"}
    (x,) = [c for c in analysis.contradictions if {c.a, c.b} == {bay.id, malacca.id}]
    assert x.kind == "place"
    assert {x.value_a, x.value_b} == {"Bay of Bengal", "Straits of Malacca"}
    # each side cites spans that really say its value
    for claim, value in ((bay, "Bay of Bengal"), (malacca, "Straits of Malacca")):
        for sp in claim.spans:
            art = next(a for a in seeds.values() if a.id == sp.article)
            assert value in art.text[sp.start : sp.end]


def test_ak203_deal_status_is_contested(analysis, seeds) -> None:
    p = _prefix(seeds)
    (final,) = _find(analysis.claims, seeds, "finalised a major deal")
    (stage,) = _find(analysis.claims, seeds, "welcomed the advance stage of discussions")
    assert final.status == stage.status == "contested"
    assert stage.id in final.contradicts
    assert {p[a] for a in final.articles} == {"003"}
    assert "Russian media" in (final.attribution or "")
    assert {"000", "001", "002"} <= {p[a] for a in stage.articles}
    # "There was no official confirmation ... on the finalisation of the deal" hedges it
    assert final.hedged
    (x,) = [c for c in analysis.contradictions if {c.a, c.b} == {final.id, stage.id}]
    assert x.kind == "status"


def test_rifle_figure_is_single_source_and_attributed_to_sputnik(analysis, seeds) -> None:
    (c,) = _find(analysis.claims, seeds, "770,000")
    assert c.status == "single-source" and c.independent_sources == 1
    assert "Sputnik" in (c.attribution or "")


def test_no_arms_to_pakistan_has_two_independent_sources(analysis, seeds) -> None:
    p = _prefix(seeds)
    found = _find(analysis.claims, seeds, "no arms supply to Pakistan")
    best = max(found, key=lambda c: c.independent_sources)
    assert best.status == "corroborated"
    assert best.independent_sources == 2
    assert {p[a] for a in best.articles} == {"000", "001"}


def test_conflicting_statements_never_share_a_claim(analysis, seeds) -> None:
    for c in analysis.claims:
        texts = " ".join(
            next(a for a in seeds.values() if a.id == sp.article).text[sp.start : sp.end]
            for sp in c.spans
        )
        assert not ("Bay of Bengal" in texts and "Malacca" in texts)
        assert not ("finalised" in texts and "advance stage" in texts)


def test_every_claim_cites_real_spans(analysis, seeds) -> None:
    by_id = {a.id: a for a in seeds.values()}
    for c in analysis.claims:
        assert c.spans and set(c.articles) == {s.article for s in c.spans}
        for sp in c.spans:
            assert 0 <= sp.start < sp.end <= len(by_id[sp.article].text)
        assert c.status in ("corroborated", "single-source", "contested")
        assert (c.status == "contested") == bool(c.contradicts)
        assert c.independent_sources <= len(c.articles)


# --------------------------------------------------------------------------- attribution


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        (
            "Russia has reiterated its policy of no arms supply to Pakistan following India's "
            "request on the same, according to sources.",
            "sources",
        ),
        (
            "The Indian Army has a requirement for around 770,000 AK-47 203 rifles, of which "
            "100,000 will be imported and the rest will be manufactured in India, Russia's "
            "state-run Sputnik news agency said.",
            "Russia's state-run Sputnik news agency",
        ),
        (
            "Both sides would continue to maintain contacts to ensure the timely delivery, the "
            "statement said.",
            "the statement",
        ),
        (
            "Earlier on Thursday, India and Russia finalised a major deal for manufacturing "
            "AK-47 203 rifles in India, the official Russian media reported.",
            "the official Russian media",
        ),
        (
            '"Excellent meeting with the Russian Defence Minister General Sergey Shoigu in '
            'Moscow today," Singh tweeted on Thursday.',
            "Singh (on Twitter)",
        ),
        (
            "The ministry said Singh and Shoigu discussed wide-ranging issues of bilateral "
            "defence cooperation.",
            "The ministry",
        ),
    ],
)
def test_attribution_is_split_off_the_claim(sentence: str, source: str) -> None:
    text, src, _verb, start, end = split_attribution(sentence)
    assert src == source
    assert sentence[start:end] == text
    assert source.split(" (")[0] not in text
    assert len(text.split()) >= 5


def test_pronoun_takes_the_last_named_source(seeds) -> None:
    sts = extract_statements(seeds["003"])
    (st,) = [s for s in sts if s.text.startswith("The rifles will be manufactured")]
    assert "Sputnik" in (st.attribution or "")


def test_hedging_cues(seeds) -> None:
    sts = extract_statements(seeds["003"])
    (likely,) = [s for s in sts if "likely to request" in s.text]
    assert likely.hedged
    (noconf,) = [s for s in sts if "no official confirmation" in s.text]
    assert noconf.hedged
    plain = [s for s in extract_statements(seeds["000"]) if "no arms supply" in s.text]
    assert plain and not any(s.hedged for s in plain)


def test_stemmer_joins_spelling_variants() -> None:
    assert stem("exercises") == stem("exercise")
    assert stem("naval") == stem("navies") == stem("Navy")
    assert stem("finalised") == stem("finalisation") == stem("finalized")


# --------------------------------------------------------------------------- corroboration


def test_copies_of_one_source_count_once(seeds) -> None:
    arts = list(seeds.values())
    same = {seeds["000"].id: "src-x", seeds["001"].id: "src-x"}
    claims = analyse_claims(arts, same).claims
    found = _find(claims, seeds, "no arms supply to Pakistan")
    assert max(c.independent_sources for c in found) == 1
    assert all(c.status != "corroborated" for c in found)


def test_a_reused_passage_counts_once(seeds, analysis) -> None:
    (c,) = [
        c
        for c in _find(analysis.claims, seeds, "no arms supply to Pakistan")
        if c.independent_sources == 2
    ]
    a = c.spans[0]
    b = next(s for s in c.spans if s.article != a.article)
    link = CopyLink("shared-passage", a.article, b.article, 0.2, ((a, b),))
    again = analyse_claims(list(seeds.values()), links=[link]).claims
    (same,) = [x for x in again if x.id == c.id]
    assert same.independent_sources == 1


def test_events_limit_alignment(seeds) -> None:
    events = [
        Event("ev-a", "a", None, (seeds["000"].id,)),
        Event("ev-b", "b", None, tuple(seeds[k].id for k in ("001", "002", "003", "004"))),
    ]
    claims = analyse_claims(list(seeds.values()), events=events).claims
    for c in claims:
        assert c.event in ("ev-a", "ev-b")
        assert not (seeds["000"].id in c.articles and len(c.articles) > 1)
    assert not any(c.status == "contested" and seeds["000"].id in c.articles for c in claims)


def test_same_input_in_any_order_gives_same_claims(seeds, analysis) -> None:
    arts = list(seeds.values())
    random.Random(7).shuffle(arts)
    again = analyse_claims(arts)
    assert [(c.id, c.status, c.contradicts) for c in again.claims] == [
        (c.id, c.status, c.contradicts) for c in analysis.claims
    ]


# --------------------------------------------------------------------------- contradiction kinds


def _variant(base: Article, text: str, suffix: str) -> Article:
    return replace(base, id=base.id[:8] + suffix, source_path=base.source_path + suffix, text=text)


def test_attributed_denial_contradicts_the_claim(seeds) -> None:
    denial = _variant(
        seeds["001"],
        "Russia denied that it has reiterated its policy of no arms supply to Pakistan "
        "following India's request, the Russian foreign ministry said on Friday.\n",
        "-denial",
    )
    an = analyse_claims([seeds["000"], denial])
    kinds = {x.kind for x in an.contradictions}
    assert "negation" in kinds
    contested = [c for c in an.claims if c.status == "contested"]
    assert any(denial.id in c.articles for c in contested)
    assert any(seeds["000"].id in c.articles for c in contested)


def test_different_counts_of_the_same_thing_contradict(seeds) -> None:
    other = _variant(
        seeds["001"],
        "The Indian Army has a requirement for around 500,000 AK-203 rifles, most of which "
        "will be manufactured in India, officials said.\n",
        "-count",
    )
    an = analyse_claims([seeds["003"], other])
    (x,) = [x for x in an.contradictions if x.kind == "number"]
    assert {x.value_a, x.value_b} == {"around 770,000", "around 500,000"}


def test_a_place_named_by_both_articles_is_no_contradiction(seeds) -> None:
    # 000 also names the Indian Ocean Region: the exercise sentences of 001/002 that do not
    # conflict with it must not become contested over it.
    an = analyse_claims(list(seeds.values()))
    for x in an.contradictions:
        assert "Indian Ocean Region" not in (x.value_a, x.value_b)


def test_options_validate_with_a_useful_message() -> None:
    with pytest.raises(ValueError, match="merge_threshold"):
        ClaimOptions(merge_threshold=1.5)
    with pytest.raises(ValueError, match="slot_threshold"):
        ClaimOptions(merge_threshold=0.2, slot_threshold=0.3)


# --------------------------------------------------------------------------- integration


def test_pipeline_store_export_cli_and_brief(tmp_path: Path) -> None:
    import newsweave
    from newsweave.cli import cli

    db = tmp_path / "news.db"
    with newsweave.open(db) as nw:
        nw.ingest([SEEDS])
        # the seed facts hold through the whole pipeline (copies, entities, events)
        contested = nw.claims(status="contested")
        assert len(contested) >= 4
        (rifles,) = [c for c in nw.claims() if "770,000" in c.text]
        assert rifles.status == "single-source" and "Sputnik" in (rifles.attribution or "")
        assert "Sputnik" not in " ".join(c.attribution or "" for c in contested)
        (final,) = [c for c in contested if "finalised a major deal" in c.text]
        assert any("advance stage of discussions" in o.text for o in contested)
        assert final.contradicts
        arms = [c for c in nw.claims() if "no arms supply to Pakistan" in c.text]
        assert max(c.independent_sources for c in arms) == 2
        assert any("Bay of Bengal" in c.text for c in contested)
        assert {x.kind for x in nw.contradictions()} >= {"place", "status"}
        one = nw.claim(contested[0].id[:10])
        assert one is not None and one.id == contested[0].id
        data = nw.export()
        keys = {
            "id",
            "text",
            "attribution",
            "hedged",
            "articles",
            "independent_sources",
            "status",
            "contradicts",
        }
        assert data["claims"] and all(keys <= set(c) for c in data["claims"])
        for c in data["claims"]:
            assert {s["article"] for s in c["spans"]} == set(c["articles"])
        assert json.dumps(data["claims"])
        # the export carries every disagreement with its slot kind, both values, the relation
        place = [x for x in data["contradictions"] if x["kind"] == "place"]
        assert place and {place[0]["value_a"], place[0]["value_b"]} == {
            "Bay of Bengal",
            "Straits of Malacca",
        }
        assert all(x["relation"] in ("contradiction", "update") for x in data["contradictions"])
        assert all("origins" in c and "attributions" in c for c in data["claims"])
        before = {c["id"]: c["status"] for c in data["claims"]}
        nw.analyze(["claims"])  # nothing changed: same claims
        assert {c.id: c.status for c in nw.claims()} == before
        brief = nw.brief()
        section = brief.split("### Where sources disagree", 1)[1].split("###", 1)[0]
        assert "Bay of Bengal" in section and "Straits of Malacca" in section
    result = CliRunner().invoke(cli, ["--db", str(db), "claims", "--status", "contested", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    # one row per disagreement: the slot kind, the relation and both sides' values
    assert {r["kind"] for r in rows} == {"place", "status"}
    (place,) = [r for r in rows if r["kind"] == "place"]
    assert {place["a"]["value"], place["b"]["value"]} == {"Bay of Bengal", "Straits of Malacca"}
    assert place["relation"] == "contradiction"
    assert all(r["a"]["outlets"] and r["b"]["outlets"] for r in rows)
    # the seeds name agencies (PTI, ANI), not outlets: a side shows the agency, as the web does
    (deal,) = [r for r in rows if r["kind"] == "status"]
    assert "PTI" in deal["a"]["outlets"] + deal["b"]["outlets"]
    table = CliRunner().invoke(cli, ["--db", str(db), "claims", "--status", "contested"])
    assert table.exit_code == 0 and "Bay of Bengal" in table.output
    assert "2 disagreements" in table.output
    listing = CliRunner().invoke(cli, ["--db", str(db), "claims", "--limit", "2"])
    assert "2 claims shown" in listing.output and "--all" in listing.output
    assert "witnesses" in listing.output and "origins" in listing.output
    every = CliRunner().invoke(cli, ["--db", str(db), "claims", "--all", "--json"])
    claims_json = json.loads(every.output)
    assert len(claims_json) > 2
    assert all({"independent_sources", "origins", "attributions"} <= set(c) for c in claims_json)
    bad = CliRunner().invoke(cli, ["--db", str(db), "claims", "--status", "maybe"])
    assert bad.exit_code != 0


def test_claims_step_runs_with_the_cycle_collector_paused_and_makes_no_cycles(
    tmp_path: Path,
) -> None:
    """The claims step pauses Python's cycle collector (its passes walked the step's many
    records again for nothing) and leaves it as it found it; the pause frees nothing later
    than before because the step makes no reference cycles."""
    import gc

    import newsweave
    from newsweave.pipeline import run_claims
    from newsweave.store import claims as claims_store

    with newsweave.open(tmp_path / "news.db") as nw:
        nw.ingest([SEEDS])
        before = {c.id for c in nw.claims()}
        passes: list[dict] = []

        def seen(phase: str, info: dict) -> None:
            passes.append(info)

        claims_store.drop_scopes(nw.store, list(claims_store.scope_fingerprints(nw.store)))
        gc.collect()
        gc.callbacks.append(seen)
        try:
            assert run_claims(nw.store) > 0
        finally:
            gc.callbacks.remove(seen)
        assert not passes and gc.isenabled()
        assert {c.id for c in nw.claims()} == before
        gc.disable()  # a caller's paused collector stays paused
        try:
            claims_store.drop_scopes(nw.store, list(claims_store.scope_fingerprints(nw.store)))
            gc.collect()
            assert run_claims(nw.store) > 0
            assert not gc.isenabled()
            assert gc.collect() == 0, "the claims step made reference cycles"
        finally:
            gc.enable()


def test_incremental_ingest_gives_the_same_claims_as_one_batch(tmp_path: Path) -> None:
    import newsweave

    first, rest = tmp_path / "first", tmp_path / "rest"
    first.mkdir()
    rest.mkdir()
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy(p, (first if p.name[:3] in ("000", "004") else rest) / p.name)
    with newsweave.open(tmp_path / "a.db") as nw:
        nw.ingest([first])
        nw.ingest([rest])
        stepwise = {(c.text, c.status, c.independent_sources) for c in nw.claims()}
    with newsweave.open(tmp_path / "b.db") as nw:
        nw.ingest([first, rest])
        at_once = {(c.text, c.status, c.independent_sources) for c in nw.claims()}
    assert stepwise == at_once
    assert any(s == "contested" for _, s, _ in at_once)


def test_no_articles_and_furniture_only_give_no_claims(seeds) -> None:
    assert analyse_claims([]).claims == ()
    furniture = _variant(seeds["000"], "ANI | Moscow | Updated: 04-09-2020 14:35 IST\n", "-f")
    assert analyse_claims([furniture]).claims == ()


def test_a_bound_is_no_contradiction(seeds) -> None:
    other = _variant(
        seeds["001"],
        "The Indian Army has a requirement for more than 700,000 AK-203 rifles, most of which "
        "will be manufactured in India, officials said.\n",
        "-bound",
    )
    an = analyse_claims([seeds["003"], other])
    assert not [x for x in an.contradictions if x.kind == "number"]


def _one(aid: str, text: str, published: str) -> Article:
    return Article(aid, f"{aid}.txt", None, aid, None, None, published, text)


def test_a_shared_name_is_no_shared_statement() -> None:
    """Sentences of one topic that share names and words around different predicates stay
    two claims; a restatement in other words is one claim with two witnesses (real
    sentences: Timeline17 bpoil BBC, 1-2 May 2010; ECB+ 12, the Indian navy and pirates)."""
    from newsweave.embed import embed

    katrina = [
        _one(
            "bbc-1",
            "Correspondents say the White House is desperate to avoid the kind of disaster "
            "that Hurricane Katrina brought to the region in 2005.",
            "2010-05-01",
        ),
        _one(
            "bbc-2",
            "One Louisiana resident said the disaster was more serious than Katrina, the "
            "hurricane which devastated the region in 2005.",
            "2010-05-02",
        ),
    ]
    boats = [
        _one(
            "ecb-12",
            "The pirates on two speed boats had surrounded the merchant vessel flying the "
            "Ethiopian flag around noon, when INS Mysore warship intervened and warded off "
            "the attack, a Navy spokesperson said.",
            "2008-12-13",
        ),
        _one(
            "ecb-3",
            "The pirates, in three boats, were attempting to hijack the Ethopian-flagged "
            "merchant vessel around noon today, when the destroyer INS Mysore intervened and "
            "repulsed the attack, a Navy spokesman said.",
            "2008-12-13",
        ),
    ]
    tanker = [
        _one(
            "ecb-11",
            "Somali pirates have become increasingly brazen in recent months, seizing a number "
            "of vessels including a Saudi supertanker loaded with $100 million worth of crude "
            "oil.",
            "2008-12-13",
        ),
        _one(
            "ecb-14",
            "Somali pirates recently seized a Saudi supertanker loaded with $100 million of "
            "crude oil.",
            "2008-12-13",
        ),
    ]
    # a low merge threshold: the word overlap alone would join each pair
    options = ClaimOptions(merge_threshold=0.3)
    for pair, one_claim in ((katrina, False), (boats, False), (tanker, True)):
        checked = analyse_claims(pair, embedder=embed, options=options)
        joined = [c for c in checked.claims if len(c.articles) == 2]
        assert bool(joined) == one_claim, [c.text for c in checked.claims]
        if one_claim:
            assert joined[0].status == "corroborated"
        else:
            assert not any(c.status == "corroborated" for c in checked.claims)


def test_captions_and_credit_lines_are_no_statements() -> None:
    art = _one(
        "fox",
        "Debris and oil from the Deepwater Horizon drilling platform float in the Gulf of "
        "Mexico after the rig sank, off Louisiana April 22, 2010, in this handout photograph.\n"
        "The Associated Press contributed to this report.\n"
        "Crews have had little success stemming the flow from the ruptured well.",
        "2010-05-02",
    )
    assert [s.text for s in extract_statements(art)] == [
        "Crews have had little success stemming the flow from the ruptured well"
    ]


@pytest.mark.parametrize(
    ("sentence", "text", "speaker"),
    [
        (  # Timeline17 bpoil, Fox News 25 Apr 2010: a quoted book title after the tag
            '"This should be a wake-up call ," said David Helvarg, the president of the Blue '
            'Frontier Campaign, and author of "Rescue Warriors: America\'s Forgotten Heroes."',
            "This should be a wake-up call",
            "David Helvarg",
        ),
        (  # Fox News 2 May 2010: a programme's name ends the tag
            '"It is like doing open-heart surgery at 5,000 feet ," BP PLC Chairman Lamar McKay '
            'said on ABC\'s "This Week."',
            "It is like doing open-heart surgery at 5,000 feet",
            "BP PLC Chairman Lamar McKay",
        ),
        (  # ECB+ 20: the tag starts at the closing quote, not at a comma inside it
            '"We have distributed the needed tents and food to survivors, " the governor-general '
            "of Hormouzgan province, Abdolreza Sheikholeslami, told state television.",
            "We have distributed the needed tents and food to survivors",
            "the governor-general of Hormouzgan province Abdolreza Sheikholeslami",
        ),
    ],
)
def test_tags_after_a_closing_quote(sentence: str, text: str, speaker: str) -> None:
    from newsweave.claims import split_statement

    got, src, _verb, _a, _b = split_statement(sentence)
    assert (got, src) == (text, speaker)


@pytest.mark.parametrize(
    ("sentence", "text", "speaker"),
    [
        (  # Timeline17 bpoil, Fox News: a pronoun tag after a leading clause
            "As for Siesta Beach, he said he had looked at currents and sees a very low "
            "probability the oil will get to southwest Florida.",
            "he had looked at currents and sees a very low probability the oil will get to "
            "southwest Florida",
            "he",
        ),
        (  # a tag with a colon
            "Asked about the containment effort, Allen said: I have never said this is going well.",
            "I have never said this is going well",
            "Allen",
        ),
        (  # 'told' and an audience that is no name
            "I understand the seriousness of the situation, he told a House investigations "
            "subcommittee.",
            "I understand the seriousness of the situation",
            "he",
        ),
        (  # ... but 'told X that ...' keeps what follows 'that' as the statement
            "Qeshm's governor, Heidar Alishvandi, told the state television that rescue teams "
            "have been deployed to the affected areas.",
            "rescue teams have been deployed to the affected areas",
            "Heidar Alishvandi",
        ),
        (  # ECB+ 20: an agency's name goes on with what it is ("news agency")
            "The governor of Qeshm island told the AFP news agency four villages had been "
            "destroyed and three people killed.",
            "four villages had been destroyed and three people killed",
            "The governor of Qeshm island",
        ),
        (  # bpoil BBC 23 April: ... also before "that"
            "Coast Guard Rear Adm Mary Landry told Associated Press news agency that there was "
            "no leak at the water's surface.",
            "there was no leak at the water's surface",
            "Coast Guard Rear Adm Mary Landry",
        ),
        (  # bpoil BBC 23 April: a tag that goes on with "that" ends no sentence: the
            # statement is what follows it, not the clause before the speaker
            'Fearing a major spill, BP PLC said on Friday that it had "activated an extensive '
            'oil spill response", which included a 32-vessel clean-up flotilla.',
            'it had "activated an extensive oil spill response", which included a 32-vessel '
            "clean-up flotilla",
            "BP PLC",
        ),
        (  # bpoil Guardian: whoever is told, up to "that"
            "Soon after taking over in 2007, BP's newly appointed chief executive told an "
            "audience of business students at Stanford University that he thought too many "
            "people at the company were trying to save the world.",
            "he thought too many people at the company were trying to save the world",
            "BP's newly appointed chief executive",
        ),
        (  # bpoil Guardian: a long clause before the speaker
            "As alarm spread through US coastal communities most at threat from the giant "
            "spill, White House spokesman Nick Shapiro said on Thursday that the cost of "
            "cleaning up the spill would fall on BP.",
            "the cost of cleaning up the spill would fall on BP",
            "White House spokesman Nick Shapiro",
        ),
    ],
)
def test_more_speech_tags(sentence: str, text: str, speaker: str) -> None:
    from newsweave.claims import split_statement

    got, src, _verb, _a, _b = split_statement(sentence)
    assert (got, src) == (text, speaker)


def test_he_without_a_named_speaker_takes_the_last_person_found() -> None:
    from newsweave.records import Mention

    text = (
        "Coast Guard Petty Officer Ann Lee spoke to crews at the dock on Saturday morning.\n"
        "So far, crews have retrieved about 1,052 barrels of oily water, she said.\n"
    )
    art = _one("fox-1", text, "2010-04-25")
    at = text.index("Ann Lee")
    person = Mention(art.id, at, at + len("Ann Lee"), "Ann Lee", "PERSON")
    (st,) = [s for s in extract_statements(art, mentions=[person]) if "1,052" in s.text]
    assert st.attribution == "Ann Lee"
    (bare,) = [s for s in extract_statements(art) if "1,052" in s.text]
    assert bare.attribution == "she"  # nobody to point back to: the pronoun stays


def test_overlap_weights_do_not_depend_on_the_hash_seed() -> None:
    """IDF weights summed over a set of stems come out the same in every process (a set
    iterates in an order given by string hashes, which differ per process; a plain sum
    rounded differently and one ingest's claims differed from another's)."""
    import os
    import subprocess
    import sys

    code = (
        "from newsweave.claim_slots import weighted_dice\n"
        "from newsweave.claims import Statement, _content_cover\n"
        "a = frozenset(f't{i}' for i in range(40))\n"
        "b = frozenset(f't{i}' for i in range(20, 60))\n"
        "idf = {f't{i}': 1 / (i + 3) for i in range(60)}\n"
        "sa, sb = (Statement('x', 0, 0, 1, 'x', None, False, False, False, s, (), s)"
        " for s in (a, b))\n"
        "print(repr(weighted_dice(a, b, idf)), repr(_content_cover(sa, sb, idf)))\n"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(6)
    }
    assert len(outs) == 1, outs


def test_statements_are_reused_when_a_resolution_renames_an_entity() -> None:
    """The statements of an article are cached without entity ids (a later resolution may
    rename an entity): the same mentions under another id give the same statements, with
    the new id, from the cache."""
    from newsweave import claims as claims_mod
    from newsweave.records import Mention

    text = (
        "Coast Guard Petty Officer Ann Lee spoke to crews at the dock on Saturday morning.\n"
        "So far, crews working for BP have retrieved about 1,052 barrels of oily water, "
        "Ann Lee said.\n"
    )
    art = _one("fox-7", text, "2010-04-25")
    at = text.index("BP")

    def named(entity: str) -> list:
        m = Mention(art.id, at, at + len("BP"), "BP", "ORG", entity)
        return extract_statements(art, mentions=[m])

    first = named("ent-a")
    cached = len(claims_mod._STATEMENTS)
    second = named("ent-b")
    assert len(claims_mod._STATEMENTS) == cached  # a cache hit, not a second extraction
    assert [s.text for s in first] == [s.text for s in second]
    (a,) = [s for s in first if "1,052" in s.text]
    (b,) = [s for s in second if "1,052" in s.text]
    assert "ent:ent-a" in a.stems and "ent:ent-b" in b.stems
    assert a.stems - {"ent:ent-a"} == b.stems - {"ent:ent-b"}


def test_contradictions_across_events_are_stored_and_replaced_with_their_claims(
    tmp_path: Path,
) -> None:
    """The store keeps pairs across events under their own scope, sets both claims
    contested, and drops the pair (restoring each claim's status) when one side's scope is
    recomputed without it; a real SQLite store, claims from real sentences (bpoil)."""
    from newsweave.store import Store
    from newsweave.store import claims as claims_store

    def one(aid: str, day: str, text: str) -> ClaimAnalysis:
        art = Article(aid, f"{aid}.txt", None, aid.split("-")[0], None, None, day, text + "\n")
        return analyse_claims([art], events=[Event(f"e-{aid}", "x", None, (aid,), "s")])

    a = one(
        "fox-1",
        "2010-04-28",
        "About 42,000 gallons of oil a day are leaking into the Gulf "
        "from the blown-out well drilled by the Deepwater Horizon oil rig.",
    )
    b = one(
        "fox-2",
        "2010-05-01",
        "More than 200,000 gallons of oil a day are spewing from the "
        "blown-out well at the site of BP's Deepwater Horizon rig.",
    )
    (ca,), (cb,) = a.claims, b.claims
    with Store(tmp_path / "s.db") as store:
        claims_store.save_scope(store, "s-a", "f", a)
        claims_store.save_scope(store, "s-b", "f", b)
        x = Contradiction(*sorted((ca.id, cb.id)), "number", "x", "y", "update")
        claims_store.save_cross_event(store, {ca.id, cb.id}, [x])
        got = {c.id: (c.status, c.contradicts) for c in claims_store.load_claims(store)}
        assert got == {ca.id: ("contested", (cb.id,)), cb.id: ("contested", (ca.id,))}
        assert claims_store.load_contradictions(store) == [x]
        # side a recomputed, the pair no longer found: both claims lose it
        claims_store.save_scope(store, "s-a", "g", a)
        claims_store.save_cross_event(store, {ca.id}, [])
        assert claims_store.load_contradictions(store) == []
        assert {c.status for c in claims_store.load_claims(store)} == {"single-source"}
        # a scope dropped: its pairs go with it at the next pass
        claims_store.save_cross_event(store, {ca.id, cb.id}, [x])
        claims_store.drop_scopes(store, ["s-b"])
        claims_store.save_cross_event(store, set(), [])
        assert claims_store.load_contradictions(store) == []
        ((status, contradicts),) = [
            (c.status, c.contradicts) for c in claims_store.load_claims(store)
        ]
        assert (status, contradicts) == ("single-source", ())


def test_a_pair_of_claims_across_events_gets_one_answer_whichever_side_changed() -> None:
    """Two claims with several figure mentions each: the contradiction stored for the pair
    (which mentions, which values) is the same whichever claim changed in this run and in
    whatever order they are handed over (a stored pair is kept while neither changes, so an
    answer that depended on that made 20 deliveries differ from one ingest)."""
    from newsweave.claims import cross_event_contradictions, figure_mentions
    from newsweave.records import Claim, Span

    said = (
        "Officials said about {} barrels of oil a day are leaking from the blown-out well in "
        "the Gulf of Mexico."
    )

    def claim(cid: str, event: str, arts: list[str], figs: list[str]) -> Claim:
        texts = tuple(said.format(f) for f in figs)
        return Claim(
            id=cid,
            text=texts[0],
            attribution=None,
            hedged=False,
            articles=tuple(arts),
            spans=tuple(Span(a, 0, len(t)) for a, t in zip(arts, texts, strict=True)),
            independent_sources=2,
            status="corroborated",
            contradicts=(),
            event=event,
            attributions=(None,) * len(arts),
            texts=texts,
            origins=2,
        )

    p = claim("cl_p", "ev_1", ["p1", "p2"], ["5,000", "1,000"])
    q = claim("cl_q", "ev_2", ["q1", "q2"], ["5,000", "12,000"])
    published = {"p1": "2010-04-28", "p2": "2010-04-28", "q1": "2010-05-01", "q2": "2010-05-01"}
    fp, fq = figure_mentions([p], published), figure_mentions([q], published)
    answers = [
        cross_event_contradictions(changed, others)
        for changed, others in ((fp, fq), (fq, fp), (fp + fq, []), (fq + fp, []))
    ]
    assert answers[0] and all(a == answers[0] for a in answers), answers


def test_claims_compared_across_events_in_blocks_read_every_blocks_figures() -> None:
    """The comparison across events made a block at a time (memory): a block is compared
    with itself, then with each later block (``within=False``), every call given the
    figures of all blocks' articles. An article that gives the other report's figure in a
    mention of another block still makes the pair agree (each article also gives the
    other's figure), as in one call."""
    from newsweave.claims import cross_event_contradictions, figure_mentions, figures_by_article
    from newsweave.records import Claim, Span

    said = "Officials said {} barrels of oil a day are leaking from the well in the Gulf."

    def claim(cid: str, event: str, art: str, fig: str) -> Claim:
        text = said.format(fig)
        return Claim(
            id=cid,
            text=text,
            attribution=None,
            hedged=False,
            articles=(art,),
            spans=(Span(art, 0, len(text)),),
            independent_sources=1,
            status="single-source",
            contradicts=(),
            event=event,
            attributions=(None,),
            texts=(text,),
            origins=1,
        )

    published = {"p1": "2010-04-28", "q1": "2010-05-01"}
    fp = figure_mentions([claim("cl_p", "ev_1", "p1", "5,000")], published)
    fq = figure_mentions([claim("cl_q", "ev_2", "q1", "1,000")], published)
    fr = figure_mentions([claim("cl_r", "ev_1", "p1", "1,000")], published)
    (found,) = cross_event_contradictions(fp, fq)
    assert (found.a, found.b) == ("cl_p", "cl_q")
    # p1 gives 1,000 too (claim r): no rival, in one call or in blocks [p], [q], [r]
    assert cross_event_contradictions(fp + fq + fr) == []
    figures = figures_by_article(fp + fq + fr)
    blocks = [fp, fq, fr]
    assert [
        x
        for i, left in enumerate(blocks)
        for right in [(), *blocks[i + 1 :]]
        for x in cross_event_contradictions(left, right, figures=figures, within=not right)
    ] == []
    # a block is compared with itself only when asked (within)
    assert cross_event_contradictions(fp + fq, within=False) == []
    assert cross_event_contradictions(fp + fq) == [found]


def test_a_speaker_is_named_once_by_the_fullest_name() -> None:
    from newsweave.claims import one_name_each

    # the BBC's two names for one speaker on one claim (bpoil_bbc, June 2010)
    assert one_name_each(["US Coast Guard chief Adm Thad Allen", "Adm Allen"]) == [
        "US Coast Guard chief Adm Thad Allen"
    ]
    assert one_name_each(["Mr Hayward", "Tony Hayward", "BP", "BP"]) == ["Tony Hayward", "BP"]
    # a surname two people share is not taken for either
    both = ["President Barack Obama", "Mr Obama", "Michelle Obama"]
    assert one_name_each(both) == both


def _record_slot_rule_pairs(monkeypatch) -> list[set[str]]:
    """A list that gets the two articles of every pair the slot rules are asked about
    (``claims.find_conflict``), which still answers as before."""
    from newsweave import claims as claims_mod

    asked: list[set[str]] = []
    rules = claims_mod.find_conflict
    monkeypatch.setattr(
        claims_mod,
        "find_conflict",
        lambda a, b, pair: asked.append({a.article, b.article}) or rules(a, b, pair),
    )
    return asked


def test_an_event_growing_an_article_at_a_time_keeps_exactly_the_one_run_claims(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue #14: an event's claims are recomputed when an article joins it, its pairs kept
    in the group memos; with the entities renamed on every run (a later resolution may
    rename them) a statement naming one is another statement, whose pairs are asked again,
    and the claims are exactly what a process that never saw the smaller event gives; the
    pairs of statements that name none are taken from the memo."""
    import re

    from newsweave import claims as claims_mod
    from newsweave.embed import embed_cached
    from newsweave.records import Mention

    from .conftest import timeline17_raw

    articles = timeline17_raw("EgyptianProtest_cnn", "cnn", 14)
    names = re.compile(r"\b(?:Egypt|Cairo|Mubarak|Tahrir|Suleiman|Obama|ElBaradei)\b")

    def mentions(prefix: str) -> dict[str, list[Mention]]:
        """Entity mentions whose ids another resolution would name otherwise (``prefix``)."""
        return {
            a.id: [
                Mention(a.id, m.start(), m.end(), m[0], "GPE", f"{prefix}:{m[0].lower()}")
                for m in names.finditer(a.text)
            ]
            for a in articles
        }

    asked = _record_slot_rule_pairs(monkeypatch)
    carried: dict = {}
    for size in range(8, len(articles) + 1):
        part = articles[:size]
        event = Event(id="ev", title="t", date=None, articles=tuple(a.id for a in part))
        named = mentions("x" if size % 2 else "y")  # renamed on every run

        def analyse(part: list[Article] = part, event: Event = event, named: dict = named):
            return analyse_claims(
                part, events=[event], mentions=named, figure_embedder=embed_cached
            )

        claims_mod._GROUP_MEMOS.clear()  # (the memo would answer the pairs kept)
        asked.clear()
        fresh = analyse()
        newest = part[-1].id
        old_pairs = sum(newest not in pair for pair in asked)
        if carried:  # the memos kept from the run before, an article fewer
            claims_mod._GROUP_MEMOS.clear()
            claims_mod._GROUP_MEMOS.update(carried)
            asked.clear()
            again = analyse()
            assert again == fresh, f"{size} articles: the memos changed the claims"
            # pairs of statements the event held before are asked again only where a
            # statement names a renamed entity
            assert 0 < sum(newest not in pair for pair in asked) < old_pairs
        carried = {k: v.copy() for k, v in claims_mod._GROUP_MEMOS.items()}


def test_a_clock_times_am_ends_no_sentence_before_its_time_zone() -> None:
    # Timeline17 bpoil_reuters: "... sank below the surface at 10:21 a.m. CDT (1521 GMT), about
    # 42 miles off the Louisiana coast." was cut after "a.m." into a claim "CDT (1521 GMT), ..."
    from newsweave.claims import extract_statements

    text = (
        "The fire went out as the rig sank below the surface at 10:21 a.m. CDT (1521 GMT), "
        "about 42 miles off the Louisiana coast. Crews searched for the missing workers.\n"
    )
    art = Article(
        id="r-1", source_path="r.txt", title=None, outlet="Reuters", agency=None,
        dateline=None, published="2010-04-22", text=text,
    )  # fmt: skip
    got = [s.text for s in extract_statements(art)]
    assert got[0].endswith("about 42 miles off the Louisiana coast") and got[0].startswith("The")
    assert got[1] == "Crews searched for the missing workers"


def test_names_in_a_span_by_binary_search_are_those_of_a_pass() -> None:
    """``_named_in`` / ``_last_named_before`` give what a pass over every name gives,
    names sharing an offset included."""
    import random

    from newsweave.claims import _last_named_before, _named_in

    rng = random.Random(7)
    persons = tuple(sorted((rng.randrange(0, 300), rng.choice("ABCDE")) for _ in range(80)))
    for _ in range(500):
        start = rng.randrange(-5, 310)
        end = start + rng.randrange(0, 60)
        assert list(_named_in(persons, start, end)) == [
            (at, n) for at, n in persons if start <= at < end
        ]
        before = [n for at, n in persons if at < start]
        assert _last_named_before(persons, start) == (before[-1] if before else None)
    assert _last_named_before((), 10) is None and list(_named_in((), 0, 10)) == []


def test_title_and_suffix_ends_are_found_in_the_last_eight_characters() -> None:
    """``_join_abbreviations`` looks for a title ("Sen.") or suffix ("Jr.") ending a
    sentence in its last 8 characters: the same answer as over the whole text, short texts
    (where ``^`` is the text's start) included."""
    import random

    from newsweave.claims import _SUFFIX_END, _TITLE_END

    rng = random.Random(3)
    pieces = ["Sen.", "Supt.", "U.S.", "Jr.", "Corp.", "III.", "A.", "x", " ", "\n", "Dr", "."]
    tails = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 7))) for _ in range(3000)]
    tails += ["Sen.", "Jr.", " Sen.", "Mr. Smith met Gov.", "said Sr."]
    for tail in tails:
        tail = tail.rstrip()
        last = max(0, len(tail) - 8)
        for pattern in (_TITLE_END, _SUFFIX_END):
            assert bool(pattern.search(tail, last)) == bool(pattern.search(tail)), tail


def _figure_reads_by_scan(
    sp: Span, text: str, mentions: dict[str, list[Mention]]
) -> tuple[tuple[tuple[int, str, str], ...], str]:
    """The names and antecedent of a figure mention by a pass over all of its article's
    mentions (what figure_reads did before its per-article index)."""
    inside: list[tuple[int, str, str]] = []
    antecedent: tuple[int, str] | None = None
    stop = sp.start + len(text)
    for m in mentions.get(sp.article, ()):
        if m.label not in ("PERSON", "ORG"):
            continue
        if sp.start <= m.start < stop:
            inside.append((m.start, m.text, m.label))
        if (
            m.label == "PERSON"
            and m.start < sp.start
            and (antecedent is None or (m.start, m.text) > antecedent)
        ):
            antecedent = (m.start, m.text)
    return tuple(inside), antecedent[1] if antecedent else ""


@pytest.mark.parametrize("shuffled", [False, True])
def test_figure_reads_index_matches_a_scan_of_every_mention(shuffled: bool) -> None:
    # figure_reads finds an article's names by binary search in a per-article index: the
    # same names in the same (stored) order and the same antecedent as a pass over every
    # mention, with ties at one offset, other labels, and mentions out of offset order
    from newsweave.claims import IndexedMentions, figure_reads

    rng = random.Random(7)
    mentions: dict[str, list[Mention]] = {}
    for art in ("a", "b"):
        ms = []
        for _ in range(60):
            at = rng.randrange(0, 300)
            ms.append(
                Mention(
                    art,
                    at,
                    at + 4,
                    rng.choice(["Ann", "Bob", "Cy", "Dee"]),
                    rng.choice(["PERSON", "ORG", "GPE", "PERSON"]),
                )
            )
        ms.sort(key=lambda m: (m.start, m.end))
        if shuffled:
            rng.shuffle(ms)
        mentions[art] = ms
    indexed = IndexedMentions(mentions)
    checked = 0
    for _ in range(400):
        art = rng.choice(["a", "b", "c"])  # "c": an article without mentions
        start = rng.randrange(-5, 310)
        text = "x" * rng.randrange(0, 40)
        sp = Span(art, start, start + len(text))
        want = _figure_reads_by_scan(sp, text, mentions)
        for given in (mentions, indexed):
            refs, inside, antecedent = figure_reads(sp, text, None, given)
            assert (refs, inside, antecedent) == ((), *want)
        checked += bool(want[0]) and bool(want[1])
    assert checked > 50  # most draws have names inside and a PERSON before


def _pairwise_sims(statements, idxs, idf, weight, days=None, max_days=7) -> dict:
    """The candidate pairs and similarities of one group as the stage first computed them,
    one pair at a time: pairs sharing at least two stems that at most ``cap`` statements
    hold, ``2 * fsum(shared IDF) / (weight_i + weight_j)``, in lexicographic order."""
    import math
    from collections import Counter

    cap = max(50, min(200, len(idxs) // 5))
    holders: dict[str, list[int]] = {}
    for i in idxs:
        for t in statements[i].stems:
            holders.setdefault(t, []).append(i)
    rare = {t for t, p in holders.items() if len(p) <= cap}
    where = {i: k for k, i in enumerate(idxs)}
    out = {}
    for i in idxs:
        shared = Counter(j for t in statements[i].stems & rare for j in holders[t] if j > i)
        for j in sorted(j for j, c in shared.items() if c >= 2):
            if days is not None:
                da, db = days[where[i]], days[where[j]]
                if da is not None and db is not None and abs((da - db).days) > max_days:
                    continue
            both = math.fsum(idf[t] for t in statements[i].stems & statements[j].stems)
            total = weight[i] + weight[j]
            out[(i, j)] = 2.0 * both / total if total else 0.0
    return out


def _candidate_sims(statements, idxs, idf, weight, days=None, max_days=0) -> list:
    """The stage's candidate pairs (i, j) of one group and their similarities, in its
    (lexicographic) order, as ``claims._Candidates`` finds and sums them."""
    from newsweave.claims import _Candidates

    cand = _Candidates(statements, idxs, idf, weight, days, max_days)
    pairs = zip(cand.glob[cand.rows].tolist(), cand.glob[cand.others].tolist(), strict=True)
    return list(zip(pairs, cand.sims().tolist(), strict=True))


def test_candidate_pairs_and_similarities_are_those_of_a_pair_by_pair_sum() -> None:
    """The similarities of an event's candidate pairs, summed for all pairs at once as
    integers of 2**-52 (every IDF weight is at least 1.0), are bit for bit those of
    ``math.fsum`` pair by pair, in the same order; with dates (unevented articles), pairs
    further apart than ``max_days`` are left out; a pair too heavy for int64 is summed by
    fsum. Real statements: 30 EgyptianProtest_cnn articles as one group."""
    import math
    from datetime import date, timedelta

    from newsweave.claims import _idf

    from .conftest import timeline17_raw

    statements = [
        st for a in timeline17_raw("EgyptianProtest_cnn", "cnn", 30) for st in extract_statements(a)
    ]
    idxs = list(range(len(statements)))
    idf = _idf(statements)
    weight = [math.fsum(idf[t] for t in st.stems) for st in statements]
    found = _candidate_sims(statements, idxs, idf, weight)
    assert len(found) > 1000
    assert found == list(_pairwise_sims(statements, idxs, idf, weight).items())
    # a part of the group, with dates 0-20 days apart
    part = idxs[::3]
    days = [date(2011, 1, 25) + timedelta(days=k % 21) if k % 7 else None for k in part]
    dated = _candidate_sims(statements, part, idf, weight, days, 7)
    assert dated == list(_pairwise_sims(statements, part, idf, weight, days, 7).items())
    assert 0 < len(dated) < len([p for p in found if p[0][0] in part and p[0][1] in part])
    # weights too heavy to sum exactly in int64 are summed by fsum (same answer): some
    # pairs (x100), every pair (x300: a weight beyond 2**11)
    for scale in (100.0, 300.0):
        heavy = {t: w * scale for t, w in idf.items()}
        heavy_weight = [math.fsum(heavy[t] for t in st.stems) for st in statements]
        assert _candidate_sims(statements, idxs, heavy, heavy_weight) == list(
            _pairwise_sims(statements, idxs, heavy, heavy_weight).items()
        )


def test_the_entity_shape_of_statements_sees_only_entities_they_name() -> None:
    """A scope whose mentions fall into entities otherwise keeps its claims when its
    statements name entities alike (``entity_shape``): renaming every entity, or merging
    two entities of which one is named outside every statement, gives the same shape and
    the same analysis; merging two entities that statements name changes the shape."""
    from newsweave.claims import entity_shape

    text = (
        "Coast Guard Petty Officer Ann Lee spoke to crews at the dock on Saturday morning.\n"
        "So far, crews working for BP have retrieved about 1,052 barrels of oily water, "
        "Ann Lee said.\n"
        "Officials at Transocean said the rig had sunk in 5,000 feet of water, Reuters "
        "reported.\n"
    )
    art = _one("fox-8", text, "2010-04-25")
    first = text.index("Ann Lee")
    named = [
        ("Ann Lee", "PERSON", first),
        ("BP", "ORG", text.index("BP")),
        ("Ann Lee", "PERSON", text.index("Ann Lee", first + 1)),
        ("Transocean", "ORG", text.index("Transocean")),
    ]

    def mentions(*ids: str) -> dict[str, list[Mention]]:
        return {
            art.id: [
                Mention(art.id, at, at + len(name), name, label, eid)
                for (name, label, at), eid in zip(named, ids, strict=True)
            ]
        }

    statements = extract_statements(art)
    inside = [
        k for k, (name, _, at) in enumerate(named) if any(s.start <= at < s.end for s in statements)
    ]
    outside = [k for k in range(len(named)) if k not in inside]
    assert inside and outside, (inside, outside)  # a speech tag is no part of its statement
    base = ["e0", "e1", "e2", "e3"]
    renamed = ["x9", "x8", "x7", "x6"]
    shape = entity_shape([art], mentions(*base))
    assert entity_shape([art], mentions(*renamed)) == shape
    # an entity named outside every statement merged into one a statement names
    merged_outside = list(base)
    merged_outside[outside[0]] = base[inside[0]]
    assert entity_shape([art], mentions(*merged_outside)) == shape
    assert analyse_claims([art], mentions=mentions(*merged_outside)).claims == (
        analyse_claims([art], mentions=mentions(*base)).claims
    )
    # two entities that statements name merged into one
    merged_inside = list(base)
    merged_inside[inside[1]] = base[inside[0]]
    assert entity_shape([art], mentions(*merged_inside)) != shape


@pytest.mark.parametrize("earlier", [False, True])
def test_a_group_memo_computes_only_the_pairs_of_new_statements(
    monkeypatch: pytest.MonkeyPatch, earlier: bool
) -> None:
    """Issue #14: with the fixed IDF a pair's similarity and the slot rules' answer depend
    on its two statements alone, so an event an article joins takes its earlier pairs from
    the group memo and asks the rules only about pairs with a statement of the new article;
    the claims are exactly those of a process that never saw the smaller event."""
    from newsweave import claims as claims_mod
    from newsweave.embed import embed_cached

    from .conftest import timeline17_raw

    articles = timeline17_raw("EgyptianProtest_cnn", "cnn", 12)
    asked = _record_slot_rule_pairs(monkeypatch)
    carried: dict = {}
    new_pairs = 0
    for size in range(8, len(articles) + 1):
        # earlier: the article that joins was published first, so the statements kept
        # move to later positions
        part = articles[len(articles) - size :] if earlier else articles[:size]
        newest = part[0].id if earlier else part[-1].id
        event = Event(id="ev", title="t", date=None, articles=tuple(a.id for a in part))

        def analyse(part: list[Article] = part, event: Event = event):
            return analyse_claims(part, events=[event], figure_embedder=embed_cached)

        claims_mod._GROUP_MEMOS.clear()
        fresh = analyse()
        if carried:
            claims_mod._GROUP_MEMOS.clear()
            claims_mod._GROUP_MEMOS.update(carried)
            asked.clear()
            again = analyse()
            assert again == fresh, f"{size} articles: the memo changed the claims"
            assert all(newest in pair for pair in asked)
            new_pairs += len(asked)
        carried = {k: v.copy() for k, v in claims_mod._GROUP_MEMOS.items()}
    assert new_pairs > 0
