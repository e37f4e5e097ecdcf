"""Tests of alias resolution (``newsweave.entities``) and of the coreference metrics that
``bench/entities.py`` implements.

Resolution on the seeds uses the real spaCy mentions of the real seed articles. The
"different people, same surname" cases use short articles written for the test, because
the property under test (no merge across unrelated stories) needs a controlled pair.
The metric tests use examples small enough to score by hand; the arithmetic is in comments.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from newsweave.clean import clean
from newsweave.entities import (
    Resolution,
    analyse,
    designation_key,
    first_names_compatible,
    fold,
    form_terms,
    reads_otherwise,
    resolve,
)
from newsweave.ingest import discover, read_file
from newsweave.nlp import extract_mentions
from newsweave.records import Article, Entity, Mention

from .conftest import REPO, seed_path

# --------------------------------------------------------------------------- helpers


@lru_cache(maxsize=8)
def _seed(prefix: str) -> Article:
    (item,) = list(discover([str(seed_path(prefix))]))
    (doc,) = list(read_file(item))
    return clean(doc)


@lru_cache(maxsize=1)
def _seed_resolution() -> Resolution:
    articles = [_seed(p) for p in ("000", "001", "002", "003", "004")]
    mentions = [m for a in articles for m in extract_mentions(a)]
    return resolve(articles, mentions)


def _owner(res: Resolution, alias: str) -> set[str]:
    return {e.id for e in res.entities if alias in e.aliases}


def _article(aid: str, text: str) -> Article:
    return Article(
        id=aid,
        source_path=f"{aid}.txt",
        title=None,
        outlet=None,
        agency=None,
        dateline=None,
        published=None,
        text=text,
    )


def _mentions_of(article: Article, spans: list[tuple[str, str]]) -> list[Mention]:
    """Mentions for (surface text, label) pairs, located in order in the article text."""
    out, cursor = [], 0
    for text, label in spans:
        start = article.text.index(text, cursor)
        out.append(Mention(article.id, start, start + len(text), text, label))
        cursor = start + len(text)
    return out


def _entity_of(res: Resolution, article: str, text: str) -> Entity:
    (mention,) = [m for m in res.mentions if m.article == article and m.text == text][:1]
    (entity,) = [e for e in res.entities if e.id == mention.entity]
    return entity


# --------------------------------------------------------------------------- reading names


def test_fold_covers_transliteration_pairs() -> None:
    assert fold("Sergey") == fold("Sergei")
    assert fold("Yevgeny") == fold("Evgeny")
    assert fold("Mikhail") == fold("Mihail")
    assert fold("Shoigu") == fold("Shoygu")
    assert fold("Gen.") == fold("gen")
    assert fold("Rajnath") != fold("Narendra")


def test_first_name_compatibility() -> None:
    assert first_names_compatible(["Sergey"], ["Sergei"])
    assert first_names_compatible(["S"], ["Subrahmanyam"])
    assert first_names_compatible([], ["Rajnath"])
    assert not first_names_compatible(["Rajnath"], ["Manmohan"])
    assert not first_names_compatible(["S"], ["Manmohan"])


@pytest.mark.parametrize(
    "text, key",
    [("AK-203", "AK203"), ("AK203", "AK203"), ("AK-47 203", "AK203"), ("S-400", "S400")],
)
def test_designation_keys_agree(text: str, key: str) -> None:
    assert designation_key(text) == key


def test_designation_family_is_not_its_variant() -> None:
    assert designation_key("AK-47") == "AK47" != designation_key("AK-47 203")
    assert designation_key("Moscow") is None
    assert designation_key("G20") is None


@pytest.mark.parametrize(
    "text, label, form",
    [
        ("Gen Sergey Shoigu", "PERSON", "Sergey Shoigu"),
        ("Gen. Shoigu", "PERSON", "Shoigu"),
        ("Defence Minister Rajnath Singh", "PERSON", "Rajnath Singh"),
        ("Lieutenant General Bekbolotov B Asankalievich", "ORG", "Bekbolotov B Asankalievich"),
        ("Russian Defence Minister General Sergey Shoigu", "PERSON", "Sergey Shoigu"),
    ],
)
def test_titles_and_ranks_are_stripped(text: str, label: str, form: str) -> None:
    name = analyse(text, label)
    assert name.kind == "person"
    assert name.form == form


def test_title_words_inside_organisation_names_stay() -> None:
    name = analyse("General Motors", "ORG")
    assert (name.kind, name.form) == ("name", "General Motors")


def test_mention_kinds() -> None:
    assert analyse("SCO", "ORG").kind == "acronym"
    assert analyse("MoD", "ORG").kind == "acronym"
    assert analyse("AK-47 203", "PRODUCT").kind == "designation"
    assert analyse("the rifles", "PRODUCT").kind == "nominal"
    assert analyse("she", "PERSON").kind == "pronoun"
    assert analyse("US", "GPE").kind == "acronym"  # not the pronoun "us"
    assert analyse("in Los Angeles", "GPE").form == "Los Angeles"


def test_word_order_variants_share_a_key() -> None:
    assert analyse("Defence Ministry", "ORG").key == analyse("Ministry of Defence", "ORG").key
    assert (
        analyse("Russian Ministry of Defence", "ORG").key != analyse("Defence Ministry", "ORG").key
    )


def test_acronym_from_word_prefixes_only_when_the_text_pairs_them() -> None:
    text = "replace the Indian Small Arms System (INSAS) rifle; INSAS rifles jam"
    article = _article("insas", text)
    mentions = _mentions_of(
        article, [("Indian Small Arms System", "ORG"), ("INSAS", "ORG"), ("INSAS", "ORG")]
    )
    res = resolve([article], mentions)
    assert len({m.entity for m in res.mentions}) == 1
    # without the "(INSAS)" pairing, IN-dian is too loose to trust
    other = _article("insas2", "the Indian Small Arms System and INSAS")
    res = resolve(
        [other], _mentions_of(other, [("Indian Small Arms System", "ORG"), ("INSAS", "ORG")])
    )
    assert len({m.entity for m in res.mentions}) == 2


# --------------------------------------------------------------------------- the seeds


def test_seed_transliterations_merge() -> None:
    res = _seed_resolution()
    owners = _owner(res, "Sergey Shoigu") | _owner(res, "Sergei Shoigu") | _owner(res, "Shoigu")
    assert len(owners) == 1
    (shoigu,) = [e for e in res.entities if e.id in owners]
    assert shoigu.name in ("Sergey Shoigu", "Sergei Shoigu")
    assert shoigu.type == "PERSON"
    assert len(shoigu.articles) == 5
    assert not any(a.startswith(("Gen", "General")) for a in shoigu.aliases)


def test_seed_surname_resolves_inside_article() -> None:
    res = _seed_resolution()
    assert len(_owner(res, "Rajnath Singh") | _owner(res, "Singh")) == 1
    # the small model calls "Singh" a GPE in places; the person still takes it
    singh = _entity_of(res, _seed("002").id, "Singh")
    assert singh.name == "Rajnath Singh" and singh.type == "PERSON"


def test_seed_acronyms_join_expansions() -> None:
    res = _seed_resolution()
    assert len(_owner(res, "SCO") | _owner(res, "Shanghai Cooperation Organisation")) == 1
    sco = _entity_of(res, _seed("003").id, "SCO")
    assert sco.name == "Shanghai Cooperation Organisation"
    assert len(_owner(res, "MoD") | _owner(res, "Ministry of Defence")) == 1
    assert len(_owner(res, "IRRPL") | _owner(res, "Indo-Russia Rifles Private Limited")) == 1


def test_seed_designations_merge_but_family_stays_apart() -> None:
    res = _seed_resolution()
    assert len(_owner(res, "AK-203") | _owner(res, "AK203") | _owner(res, "AK-47 203")) == 1
    assert _owner(res, "AK-47").isdisjoint(_owner(res, "AK203"))
    ak = _entity_of(res, _seed("001").id, "AK-203")
    assert ak.type == "PRODUCT" and len(ak.articles) == 4


def test_every_mention_gets_an_entity_that_lists_it() -> None:
    res = _seed_resolution()
    by_id = {e.id: e for e in res.entities}
    assert len(by_id) == len(res.entities)  # ids unique
    for m in res.mentions:
        assert m.entity in by_id
        assert m.article in by_id[m.entity].articles
    assert sum(e.mentions for e in res.entities) == len(res.mentions)


def test_resolution_does_not_depend_on_input_order() -> None:
    articles = [_seed(p) for p in ("000", "001", "002", "003", "004")]
    mentions = [m for a in articles for m in extract_mentions(a)]
    first = resolve(articles, mentions)
    rng = random.Random(7)
    shuffled_mentions = mentions[:]
    rng.shuffle(shuffled_mentions)
    shuffled_articles = articles[::-1]
    second = resolve(shuffled_articles, shuffled_mentions)
    assert sorted(first.entities, key=lambda e: e.id) == sorted(second.entities, key=lambda e: e.id)
    assert {(m.article, m.start, m.entity) for m in first.mentions} == {
        (m.article, m.start, m.entity) for m in second.mentions
    }


# --------------------------------------------------------------------------- same surname

DEFENCE = _article(
    "defence",
    "Defence Minister Rajnath Singh met his Russian counterpart in Moscow on Thursday to "
    "discuss rifles, missiles and the Shanghai Cooperation Organisation. Singh said the talks "
    "on the AK-203 rifle factory and the S-400 missile deliveries went well.",
)
ECONOMY = _article(
    "economy",
    "Former prime minister Manmohan Singh warned that the economy faces a long slowdown as "
    "consumer demand and bank lending weaken. Singh urged the central bank to cut interest "
    "rates and asked the government to support small businesses and farm incomes.",
)
BANKING = _article(
    "banking",
    "Singh told a banking conference in Mumbai that consumer demand, bank lending and small "
    "business credit remain weak, and urged the central bank to cut interest rates again.",
)
CRICKET = _article(
    "cricket",
    "Singh bowled superbly as the visitors won the third test by six wickets at Lord's, "
    "taking five wickets in the final session in front of a packed crowd.",
)


def _resolve(*articles: Article) -> Resolution:
    spans = {
        "defence": [("Rajnath Singh", "PERSON"), ("Moscow", "GPE"), ("Singh", "PERSON")],
        "economy": [("Manmohan Singh", "PERSON"), ("Singh", "PERSON")],
        "banking": [("Singh", "PERSON"), ("Mumbai", "GPE")],
        "cricket": [("Singh", "PERSON"), ("Lord's", "FAC")],
    }
    mentions = [m for a in articles for m in _mentions_of(a, spans[a.id])]
    return resolve(articles, mentions)


def test_two_full_names_sharing_a_surname_stay_apart() -> None:
    res = _resolve(DEFENCE, ECONOMY)
    rajnath = _entity_of(res, "defence", "Rajnath Singh")
    manmohan = _entity_of(res, "economy", "Manmohan Singh")
    assert rajnath.id != manmohan.id
    # each article's bare "Singh" goes to its own article's full name
    assert _entity_of(res, "defence", "Singh").id == rajnath.id
    assert _entity_of(res, "economy", "Singh").id == manmohan.id


def test_lone_surname_in_unrelated_story_is_not_merged() -> None:
    res = _resolve(DEFENCE, ECONOMY, CRICKET)
    cricketer = _entity_of(res, "cricket", "Singh")
    assert cricketer.id not in {
        _entity_of(res, "defence", "Rajnath Singh").id,
        _entity_of(res, "economy", "Manmohan Singh").id,
    }
    assert cricketer.articles == ("cricket",)


def test_mislabelled_lone_surnames_of_unrelated_stories_stay_apart() -> None:
    # the small model tags "Singh" as GPE; orphans must not merge as one "place" by name
    weather = _article(
        "weather",
        "Heavy monsoon rain flooded low-lying streets and delayed trains on Tuesday. Singh, "
        "a shopkeeper, said the water reached his counter before dawn.",
    )
    spans = {
        "defence": [("Rajnath Singh", "PERSON"), ("Singh", "GPE")],
        "cricket": [("Singh", "GPE"), ("Lord's", "FAC")],
        "weather": [("Singh", "GPE")],
    }
    articles = [DEFENCE, CRICKET, weather]
    mentions = [m for a in articles for m in _mentions_of(a, spans[a.id])]
    res = resolve(articles, mentions)
    owners = {_entity_of(res, a, "Singh").id for a in ("defence", "cricket", "weather")}
    assert len(owners) == 3
    assert _entity_of(res, "defence", "Singh").name == "Rajnath Singh"


def test_lone_surname_joins_the_one_person_of_a_related_story() -> None:
    res = _resolve(DEFENCE, ECONOMY, BANKING)
    assert _entity_of(res, "banking", "Singh").id == _entity_of(res, "economy", "Manmohan Singh").id


def test_empty_inputs_and_textless_articles() -> None:
    assert resolve([], []) == Resolution(entities=(), mentions=())
    # no text: nothing says the two articles are one story, so the surnames stay apart
    res = resolve(
        {"a": "", "b": ""},
        [Mention("a", 0, 5, "Singh", "PERSON"), Mention("b", 0, 5, "Singh", "PERSON")],
    )
    assert len(res.entities) == 2
    assert len({m.entity for m in res.mentions}) == 2


def test_threshold_is_validated() -> None:
    with pytest.raises(ValueError, match="related_threshold"):
        resolve([DEFENCE], [], related_threshold=1.5)


# --------------------------------------------------------------------------- metrics


def _bench():
    path = REPO / "bench" / "entities.py"
    spec = importlib.util.spec_from_file_location("bench_entities", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_entities"] = module
    spec.loader.exec_module(module)
    return module


KEY = [frozenset("abc"), frozenset("de")]
RESPONSE = [frozenset("ab"), frozenset("cde")]


def test_muc_by_hand() -> None:
    # recall: K1 {a,b,c} cut into {a,b},{c}: 3-2=1; K2 {d,e} whole: 2-1=1 -> 2/(2+1)
    # precision: R1 {a,b} whole: 1; R2 {c,d,e} cut into {c},{d,e}: 1 -> 2/(1+2)
    p, r, f = _bench().muc(KEY, RESPONSE)
    assert (p, r, f) == pytest.approx((2 / 3, 2 / 3, 2 / 3))


def test_b_cubed_by_hand() -> None:
    # recall a,b: 2/3 each, c: 1/3, d,e: 1 -> (11/3)/5; precision a,b: 1, c: 1/3, d,e: 2/3
    p, r, f = _bench().b_cubed(KEY, RESPONSE)
    assert (p, r, f) == pytest.approx((11 / 15, 11 / 15, 11 / 15))


def test_ceaf_e_by_hand() -> None:
    # phi4(K1,R1) = 2*2/5 = 0.8, phi4(K2,R2) = 2*2/5 = 0.8 is the best alignment: 1.6 / 2
    p, r, f = _bench().ceaf_e(KEY, RESPONSE)
    assert (p, r, f) == pytest.approx((0.8, 0.8, 0.8))


def test_conll_is_the_mean_of_the_three() -> None:
    scores = _bench().score_all(KEY, RESPONSE)
    assert scores["conll_f1"] == pytest.approx(round((2 / 3 + 11 / 15 + 0.8) / 3, 4), abs=1e-4)


def test_metrics_perfect_and_degenerate() -> None:
    bench = _bench()
    assert bench.score_all(KEY, KEY)["conll_f1"] == 1.0
    singletons = [frozenset([m]) for m in "abcde"]
    # all singletons against all singletons: no links (MUC 0 by convention), B3 and CEAF 1
    s = bench.score_all(singletons, singletons)
    assert (s["muc_f1"], s["b3_f1"], s["ceafe_f1"]) == (0.0, 1.0, 1.0)
    # one big cluster: B3 precision of the response is |K_m|/5 averaged = (3*3/5+2*2/5)/5
    p, r, _ = bench.b_cubed(KEY, [frozenset("abcde")])
    assert (p, r) == pytest.approx((13 / 25, 1.0))


def test_ceaf_e_picks_the_optimal_alignment_not_the_greedy_one() -> None:
    bench = _bench()
    key = [frozenset("abcd"), frozenset("e")]
    response = [frozenset("abce"), frozenset("d")]
    # phi(K1,R1) = 2*3/8 = 0.75, phi(K2,R2) = 0, phi(K1,R2) = 2*1/5 = 0.4, phi(K2,R1) = 2/5 = 0.4
    # greedy takes the best pair K1-R1 (0.75) and is left with K2-R2 (0): 0.75;
    # the optimal one-to-one alignment is K1-R2 + K2-R1 = 0.8 -> P = R = 0.8 / 2
    p, r, _ = bench.ceaf_e(key, response)
    assert (p, r) == pytest.approx((0.4, 0.4))


def test_restrict_keeps_only_chosen_mentions() -> None:
    assert _bench().restrict(KEY, set("ade")) == [frozenset("a"), frozenset("de")]


def test_bench_data_default_points_at_shared() -> None:
    bench = _bench()
    assert Path(REPO).parent / "shared" / "data" / "ecbplus" == bench.DEFAULT_DATA


# --------------------------------------------------------------------------- precision first


def _resolve_spans(texts: dict[str, str], spans: dict[str, list[tuple[str, str]]]) -> Resolution:
    articles = [_article(aid, text) for aid, text in texts.items()]
    mentions = [m for a in articles for m in _mentions_of(a, spans[a.id])]
    return resolve(articles, mentions)


def test_acronym_does_not_join_a_name_that_only_shares_its_initials() -> None:
    texts = {
        "spill": "BP said the well was capped. Crews on the Bolivar Peninsula cleaned beaches "
        "while BP paid claims.",
        "blog": "Critics call BP British Pollution, and BP shares fell again on Monday.",
    }
    spans = {
        "spill": [("BP", "ORG"), ("Bolivar Peninsula", "LOC"), ("BP", "ORG")],
        "blog": [("BP", "ORG"), ("British Pollution", "ORG"), ("BP", "ORG")],
    }
    res = _resolve_spans(texts, spans)
    bp = _entity_of(res, "spill", "BP").id
    assert _entity_of(res, "spill", "Bolivar Peninsula").id != bp
    assert _entity_of(res, "blog", "British Pollution").id != bp
    assert _entity_of(res, "blog", "BP").id == bp


def test_acronym_joins_its_spelled_out_or_known_expansion() -> None:
    texts = {
        "a": "The International Energy Watch (IEW) said output rose. IEW data show more.",
        "b": "IEW figures were revised. The Ministry of Defence said the MoD had no comment.",
    }
    spans = {
        "a": [("International Energy Watch", "ORG"), ("IEW", "ORG"), ("IEW", "ORG")],
        "b": [("IEW", "ORG"), ("Ministry of Defence", "ORG"), ("MoD", "ORG")],
    }
    res = _resolve_spans(texts, spans)
    assert _entity_of(res, "b", "IEW").id == _entity_of(res, "a", "International Energy Watch").id
    assert _entity_of(res, "b", "MoD").id == _entity_of(res, "b", "Ministry of Defence").id


def test_a_name_never_merges_into_a_generic_word_or_a_place() -> None:
    texts = {
        "a": "The White House said the House would vote. BP America said America needs oil.",
        "b": "The House passed the bill on Tuesday after a long debate about the budget.",
    }
    spans = {
        "a": [("White House", "ORG"), ("House", "ORG"), ("BP America", "ORG"), ("America", "GPE")],
        "b": [("House", "ORG")],
    }
    res = _resolve_spans(texts, spans)
    assert _entity_of(res, "a", "House").id != _entity_of(res, "a", "White House").id
    assert _entity_of(res, "b", "House").id != _entity_of(res, "a", "White House").id
    assert _entity_of(res, "a", "America").id != _entity_of(res, "a", "BP America").id


def test_a_short_name_used_for_two_longer_names_joins_neither() -> None:
    texts = {
        "a": "Fishing in the Mexican Waters stopped; the Waters were closed.",
        "b": "Tankers crossed the Persian Waters. The Waters were calm, officials said.",
        "c": "The Waters will reopen next week, officials in Louisiana said.",
    }
    # ORG labels, so the place-label rule does not decide it: the ambiguity does
    spans = {
        "a": [("Mexican Waters", "ORG"), ("Waters", "ORG")],
        "b": [("Persian Waters", "ORG"), ("Waters", "ORG")],
        "c": [("Waters", "ORG")],
    }
    res = _resolve_spans(texts, spans)
    assert _entity_of(res, "a", "Mexican Waters").id != _entity_of(res, "b", "Persian Waters").id
    assert _entity_of(res, "a", "Waters").id == _entity_of(res, "a", "Mexican Waters").id
    assert _entity_of(res, "c", "Waters").id not in {
        _entity_of(res, "a", "Mexican Waters").id,
        _entity_of(res, "b", "Persian Waters").id,
    }


def test_type_is_decided_by_the_evidence_of_all_mentions() -> None:
    texts = {
        "a": "The Deepwater Horizon sank on April 22. Workers had left the Deepwater Horizon.",
        "b": "Deepwater Horizon was leased by BP. Mr Tony Hayward spoke on Twitter about it.",
        "c": "Twitter users mocked the statement; Twitter said it would act.",
    }
    spans = {
        "a": [("Deepwater Horizon", "FAC"), ("Deepwater Horizon", "FAC")],
        "b": [("Deepwater Horizon", "PERSON"), ("Tony Hayward", "PERSON"), ("Twitter", "PERSON")],
        "c": [("Twitter", "ORG"), ("Twitter", "ORG")],
    }
    res = _resolve_spans(texts, spans)
    rig = _entity_of(res, "b", "Deepwater Horizon")
    assert rig.id == _entity_of(res, "a", "Deepwater Horizon").id
    assert rig.type == "FAC"
    assert _entity_of(res, "c", "Twitter").type == "ORG"
    assert _entity_of(res, "b", "Tony Hayward").type == "PERSON"


def test_a_name_the_model_calls_person_is_not_one_when_its_short_form_is_a_place() -> None:
    # spaCy labels "Deepwater Horizon" PERSON most of the time, but "Horizon" LOC or ORG
    texts = {
        "a": "Deepwater Horizon sank. Horizon had 126 crew. Horizon burned for days.",
        "b": "Deepwater Horizon was leased by BP. Horizon was built in 2001.",
    }
    spans = {
        "a": [("Deepwater Horizon", "PERSON"), ("Horizon", "LOC"), ("Horizon", "ORG")],
        "b": [("Deepwater Horizon", "PERSON"), ("Horizon", "LOC")],
    }
    res = _resolve_spans(texts, spans)
    rig = _entity_of(res, "a", "Deepwater Horizon")
    assert rig.id == _entity_of(res, "b", "Deepwater Horizon").id
    assert rig.type != "PERSON"


def test_words_around_a_name_overrule_a_person_label_everywhere() -> None:
    # the model labels "Twitter" PERSON in every mention here; the words around two of them
    # say it is posted on and used, so it is no person, in article "c" too
    texts = {
        "a": "Protesters shared the news on Twitter and Facebook within minutes.",
        "b": "Celebrities took to Twitter. Pressure on Obama grew as Obama spoke.",
        "c": "Twitter said the service had been blocked in Egypt for two days.",
    }
    spans = {
        "a": [("Twitter", "PERSON"), ("Facebook", "ORG")],
        "b": [("Twitter", "PERSON"), ("Obama", "PERSON"), ("Obama", "PERSON")],
        "c": [("Twitter", "PERSON"), ("Egypt", "GPE")],
    }
    res = _resolve_spans(texts, spans)
    twitter = _entity_of(res, "a", "Twitter")
    assert twitter.type == "ORG"
    assert twitter.id == _entity_of(res, "b", "Twitter").id == _entity_of(res, "c", "Twitter").id
    # "pressure on Obama" is no evidence: a person stays a person
    assert _entity_of(res, "b", "Obama").type == "PERSON"
    # the mentions keep the label the model gave them (provenance); the entity is voted
    assert {m.label for m in res.mentions if m.text == "Twitter"} == {"PERSON"}


def test_a_name_listed_among_media_or_quoted_from_is_no_person() -> None:
    texts = {
        "a": "The latest from the blogs, Twitter and e-mails from our readers follows.",
        "b": "It was summed up by Arbolioto on Twitter: the board must go.",
    }
    spans = {"a": [("Twitter", "PERSON")], "b": [("Arbolioto", "PERSON"), ("Twitter", "PERSON")]}
    res = _resolve_spans(texts, spans)
    assert _entity_of(res, "a", "Twitter").type == "ORG"
    assert _entity_of(res, "b", "Twitter").type == "ORG"
    assert _entity_of(res, "b", "Arbolioto").type == "PERSON"


def test_text_facts_counts_words_as_the_scan_it_replaced() -> None:
    """Word case counts by two patterns equal a scan of every ``_WORD`` match that reads
    the three characters before a capitalised word (``[a-z,]\\s$``), and TF-IDF terms keep
    their order of first use without stop words."""
    import re
    from collections import Counter

    from newsweave import entities as ents

    mid_sentence = re.compile(r"[a-z,]\s$")

    def scanned(text: str) -> tuple[Counter[str], Counter[str]]:
        lower: Counter[str] = Counter()
        capital: Counter[str] = Counter()
        for m in ents._WORD.finditer(text):
            word = m.group(1)
            if word[0].islower():
                lower[word] += 1
            elif mid_sentence.search(text[max(0, m.start() - 3) : m.start()]):
                capital[word.lower()] += 1
        return lower, capital

    texts = [seed_path(f"{i:03d}").read_text(encoding="utf-8") for i in range(5)] + [
        "a Bc, De\nFg x\nHi y,\n\nJk l \nMn o\u2003Pq r\t\nSt ’Uv -Wx Yz's AbC Ab1 ab2 ab",
        "Ab",
        "a Ab",
        ",\nAb",
        "x,\n\nAb and\n Cd",
    ]
    for text in texts:
        lower, capital = scanned(text)
        facts = ents.text_facts("a", text)
        expected = {w: (lower[w], capital[w]) for w in sorted(lower.keys() | capital.keys())}
        assert facts.case == expected
        words = ents._TFIDF_TOKEN.findall(text.lower())
        kept = [t for t in words if t not in ents.ENGLISH_STOP_WORDS]
        assert list(facts.terms) == list(dict.fromkeys(kept))
        assert facts.terms == Counter(kept)


def test_form_terms_ask_the_surname_status_of_one_word_names_only() -> None:
    """A one-word name ("Singh" labelled GPE) becomes a person when the corpus uses it as a
    surname; a one-word person, an acronym or a nominal reads the same either way."""
    forms = [
        analyse("Singh", "GPE"),
        analyse("Obama", "PERSON"),
        analyse("NATO", "ORG"),
        analyse("Barack Obama", "PERSON"),
        analyse("Officials", "ORG", frozenset({"officials"})),
    ]
    assert form_terms(forms) == ({"singh"}, {"NATO"})


def test_reads_otherwise_when_a_flipped_common_word_changes_the_reading() -> None:
    court = frozenset({"court"})
    assert analyse("Court", "ORG", court).kind != analyse("Court", "ORG").kind
    assert reads_otherwise("Court", "ORG", court, {"court"})  # now a nominal
    assert reads_otherwise("Court", "ORG", frozenset(), {"court"})  # a name again
    # "street" is not common: still a name; a mention without the word is not asked
    assert analyse("Court Street", "FAC", court) == analyse("Court Street", "FAC")
    assert not reads_otherwise("Court Street", "FAC", court, {"court"})
    assert not reads_otherwise("Cairo", "GPE", court, {"court"})
