"""The sentence splitter: pysbd's processor with our offsets must give exactly the spans of
pysbd's own segmenter, on the seeds and real Timeline17 / ECB+ articles; the span cache."""

from __future__ import annotations

import re

import pysbd
import pytest

from newsweave import sentences
from newsweave.records import Article
from tests.conftest import SEEDS, SHARED_DATA, load_articles

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*")


def _segmenter_spans(text: str) -> list[tuple[int, int]]:
    """The reference: pysbd's ``Segmenter.segment`` per paragraph, pieces found in order."""
    seg = pysbd.Segmenter(language="en", clean=False, char_span=False)
    spans = []
    for para in _PARAGRAPH.finditer(text):
        chunk, cursor = para.group(), 0
        for piece in seg.segment(chunk):
            piece = piece.strip()
            if not piece:
                continue
            pos = chunk.find(piece, cursor)
            if pos < 0:
                pos = cursor
            end = min(len(chunk), pos + len(piece))
            spans.append((para.start() + pos, para.start() + end))
            cursor = end
    return spans


def _real_articles() -> list[Article]:
    arts = load_articles([str(SEEDS)])
    t17 = SHARED_DATA / "timeline17" / "LibyaWar_reuters" / "InputDocs"
    if t17.is_dir():
        arts += load_articles([str(p) for p in sorted(t17.glob("*/*.txt"))[:40]])
    ecb = SHARED_DATA / "ecbplus" / "docs.jsonl"
    if ecb.is_file():
        arts += load_articles([str(ecb)])[:40]
    return arts


def test_spans_equal_pysbd_segmenter_on_real_articles() -> None:
    arts = _real_articles()
    assert len(arts) >= 5
    for art in arts:
        assert sentences.sentence_spans(art.text) == _segmenter_spans(art.text), art.source_path


def test_abbreviations_do_not_split_and_spans_are_exact() -> None:
    text = "Gen. Smith met Dr. Jones in the U.S. on Monday. They talked.\n\nA new paragraph."
    spans = sentences.sentence_spans(text)
    assert [text[s:e] for s, e in spans] == [
        "Gen. Smith met Dr. Jones in the U.S. on Monday.",
        "They talked.",
        "A new paragraph.",
    ]


def test_article_spans_are_cached_and_remember_primes_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = []
    real = sentences.sentence_spans
    monkeypatch.setattr(sentences, "sentence_spans", lambda t: calls.append(t) or real(t))
    text = "One sentence here. Another one there, unique to this test 81723."
    first = sentences.article_spans(text)
    assert sentences.article_spans(text) == first and len(calls) == 1
    primed = "Primed text 5521. Not split again."
    sentences.remember(primed, [(0, 17), (18, 34)])
    art = Article(
        id="x",
        source_path="p",
        title=None,
        outlet=None,
        agency=None,
        dateline=None,
        published=None,
        url=None,
        text=primed,
    )
    assert [s.text for s in sentences.split_sentences(art)] == [
        "Primed text 5521.",
        "Not split again.",
    ]
    assert len(calls) == 1


def test_span_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentences, "SPAN_CACHE_SIZE", 3)
    for i in range(10):
        sentences.article_spans(f"Text number {i} of the bound test. Second sentence.")
    assert len(sentences._span_cache) <= 3


# --------------------------------------------------------------------------- stored spans


def test_sentences_step_stores_spans_and_later_steps_never_split_again(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsweave.pipeline import analyze, ingest_paths
    from newsweave.store import Store
    from newsweave.store import nlp as nlp_store
    from newsweave.store import time as time_store

    store = Store(tmp_path / "s.db")
    ingest_paths(store, [str(SEEDS)])
    arts = list(store.iter_articles())
    assert nlp_store.articles_without_sentences(store) == [a.id for a in arts]
    assert analyze(store, only=["sentences"]) == ["sentences"]
    assert nlp_store.articles_without_sentences(store) == []
    stored = nlp_store.sentence_spans(store, [a.id for a in arts])
    assert stored == {a.id: tuple(sentences.sentence_spans(a.text)) for a in arts}

    def no_split(text: str) -> list[tuple[int, int]]:
        raise AssertionError("split again: the stored spans were not used")

    monkeypatch.setattr(sentences, "sentence_spans", no_split)
    with sentences._span_lock:  # nothing split earlier in this process may help
        sentences._span_cache.clear()
    problems: list = []
    analyze(store, on_problem=problems.append)
    assert problems == []
    dated = time_store.dated_sentences(store)
    assert {(d.article, d.start, d.end) for d in dated} == {
        (aid, s, e) for aid, spans in stored.items() for s, e in spans
    }
    store.close()


def test_stored_spans_round_trip_and_replace(tmp_path) -> None:
    from newsweave.store import Store
    from newsweave.store import nlp as nlp_store

    store = Store(tmp_path / "r.db")
    arts = load_articles([str(SEEDS)])[:2]
    with store.transaction() as conn:
        store.insert_articles(conn, arts)
    big = [(0, 5), (6, 4_000_000_000)]  # offsets up to uint32
    assert nlp_store.save_sentence_spans(store, [(arts[0].id, big), (arts[1].id, [])]) == 2
    assert nlp_store.sentence_spans(store, [a.id for a in arts] + ["absent"]) == {
        arts[0].id: tuple(big),
        arts[1].id: (),
    }
    nlp_store.save_sentence_spans(store, [(arts[1].id, [(1, 2)])])
    assert nlp_store.sentence_spans(store, [arts[1].id]) == {arts[1].id: ((1, 2),)}
    store.close()


def test_copies_splitter_reads_known_spans_paragraph_by_paragraph() -> None:
    from newsweave.copies import SentenceSplitter

    for art in _real_articles()[:40]:
        known = SentenceSplitter({art.id: sentences.sentence_spans(art.text)})
        fresh = SentenceSplitter()
        assert known(art) == fresh(art)
        mid = len(art.text) // 2
        assert known.near(art)(mid, mid + 200) == fresh.near(art)(mid, mid + 200)


def test_abbreviation_replacer_decides_as_pysbd_does() -> None:
    """The faster abbreviation loop (patterns compiled once, replacements that cannot match
    skipped) gives pysbd's own pieces, on abbreviations of each kind: prepositive ("Gen."),
    before a number ("No.", "p."), others ("approx."), upper- and lower-case, at a line's
    start and end, without their period, with a period that ends the sentence, and in
    lines with characters outside ASCII."""
    seg = sentences._segmenter()
    lines = [
        "Gen. Smith met Dr. Jones and Sen. Brown of the U.S. Army at No. 10 Downing St. today.",
        "GEN. SMITH spoke. gen. smith spoke again (see p. 5 and pp. 6-7) at approx. 5 p.m. on",
        "Jan. 3 he said the Co. KG and Inc. were fine vs. the Corp. He left.",
        "Prof Adams and Mr Lee met St John, Mt. Everest's fans and Lt. Col. Reed in Ft.",
        "Wash. and Calif. voted. The No. 1 seed won, e.g. Fig. 2 shows it etc. Then Jr. left.",
        "“No. 5,” said Gen. Ross — the café of St. Clair — and ſt. Kelvin’s K. ward",
        "no abbreviation written with its period here: Gen Smith, St Paul, Dr Who, No 10",
    ]
    for text in [*lines, "\n".join(lines)]:
        assert sentences._processor(seg, text).process() == seg.processor(text).process()


def _pysbd_rules() -> list[object]:
    """Every pysbd Rule reachable from the English language class."""
    from pysbd.utils import Rule

    found: dict[int, object] = {}
    seen: set[int] = set()

    def walk(obj: object) -> None:
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, Rule):
            found[id(obj)] = obj
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                walk(item)
        elif isinstance(obj, type):
            for name in dir(obj):
                if not name.startswith("__"):
                    walk(getattr(obj, name, None))

    walk(sentences._segmenter().language_module)
    return list(found.values())


_ODD_LINES = [
    "Gen. Smith met Dr. Jones... in the U.S. on Monday?! “Yes,” he said (twice) [sic].",
    "He said 'no' -- and ‘yes’ -- at 5 p.m. on Jan. 3, 2020!!! See No. 5 (iv) Fig. 2.",
    "A ∯ B ȸ C &ᓴ& D ♨ E ☝ F ✂ G ⎋ H ᓷ I; e.g. x.y@z.com, file.txt and Yahoo! Inc.",
    "",
    "plain words only and nothing else at all",
]


def test_required_chars_reads_what_every_match_needs() -> None:
    need = sentences.required_chars
    assert need(re.compile("a|b")) == {"a", "b"}
    assert need(re.compile(r"(?i)a\.b")) == {"."}
    assert need(re.compile(r"(?i)abc")) is None  # cased letters match their other cases
    assert need(re.compile(r"x*y?")) is None
    assert need(re.compile(r"(?=∯)\s")) == {"∯"}  # what a lookahead looks at is there too
    assert need(re.compile(r"(?!a)b")) == {"b"}
    assert need(re.compile(r"[^a]")) is None
    assert need(re.compile(r"[0-3]x?")) == {"0", "1", "2", "3"}
    assert need(re.compile(r"\d+|∯")) is None  # one branch needs nothing known


def test_rules_skipped_by_their_characters_give_what_re_sub_gives() -> None:
    """pysbd's Text.apply as newsweave runs it: each of pysbd's English rules, on real
    lines and on lines full of pysbd's own placeholder characters, gives exactly what
    re.sub gives (same text, a plain str), and a text without a rule's characters has no
    match of it."""
    from pysbd.utils import Text

    rules = _pysbd_rules()
    assert len(rules) > 50
    lines = _ODD_LINES + [
        line for art in load_articles([str(SEEDS)]) for line in art.text.split("\n")
    ]
    for line in lines:
        for rule in rules:
            compiled = re.compile(rule.pattern)
            expected = compiled.sub(rule.replacement, line)
            got = sentences._apply_rules(Text(line), rule)
            assert got == expected and type(got) is str, (rule.pattern, line)
            if sentences._absent(sentences.required_chars(compiled), line):
                assert compiled.search(line) is None


def test_list_gates_are_false_only_where_pysbds_list_patterns_find_nothing() -> None:
    """pysbd's numbered and lettered list patterns are not searched where their gate says
    no match can be: on lists, near misses and real paragraphs, a gate that says no means
    ``findall`` finds nothing, and ``findall`` through the gate (and the one-branch
    equivalents of the lettered-list patterns) gives what ``re`` gives."""
    sentences._segmenter()
    gates = sentences._LIST_GATES
    assert len(gates) == 3
    assert set(sentences._LIST_EQUIVALENTS) <= set(gates)
    texts = _ODD_LINES + [
        "1. First item 2. Second item",
        "12. Twelve\n13) thirteen -4. dash ⁃5. bullet s-6.) typo",
        "in 2011. The year ended. Item 7.5 percent",
        "a. one b. two c) three (d) four",
        "x. y.",
        "(pictured) and (CNN) then ab) cd",
        "9. x",
        "z.",
        "A. B) 10.)",
        "\u00a0a) b)\tc. (ab)cd) é) (x)) a.b. e.g. i) ii) iii.",
    ]
    texts += [para for art in _real_articles() for para in art.text.split("\n")]
    for pattern, gate in gates.items():
        compiled = re.compile(pattern)
        for text in texts:
            found = compiled.findall(text)
            if not gate(text):
                assert found == [], (pattern, text)
            assert sentences._CachedRe.findall(pattern, text) == found
