"""Order independence of the whole pipeline (issue #14): a store fed in several deliveries,
each followed by every derived step (as ``newsweave ingest`` does), exports exactly what one
ingest of the same articles exports: copies, entities, events, stories, timeline, claims.

Real articles: the first week of Timeline17's LibyaWar_reuters topic (23 Reuters reports,
2011-02-20 to 2011-02-28: wire boilerplate and shared passages, one running story).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import newsweave

from .conftest import SHARED_DATA

TOPIC = SHARED_DATA / "timeline17" / "LibyaWar_reuters" / "InputDocs"


def _files() -> list[str]:
    if not TOPIC.exists():
        pytest.skip("Timeline17 LibyaWar_reuters not available")
    days = sorted(p for p in TOPIC.iterdir() if p.is_dir())[:8]
    return [str(f) for day in days for f in sorted(day.glob("*.txt"))]


def _export(db: Path, deliveries: list[list[str]]) -> dict:
    with newsweave.open(db) as nw:
        for files in deliveries:
            nw.ingest(files)
        data = nw.export()
    # articles are listed in ingest order (the delivery order): compare them as a set
    data["articles"] = sorted(data["articles"], key=lambda a: a["id"])
    return data


def test_deliveries_in_any_order_export_what_one_ingest_exports(tmp_path: Path) -> None:
    files = _files()
    assert len(files) == 23
    once = _export(tmp_path / "once.db", [files])
    assert once["copies"] and once["events"] and once["stories"] and once["claims"]
    by_date = _export(tmp_path / "by_date.db", [files[i : i + 6] for i in range(0, 23, 6)])
    shuffled = files[:]
    random.Random(14).shuffle(shuffled)
    mixed = _export(tmp_path / "mixed.db", [shuffled[i : i + 5] for i in range(0, 23, 5)])
    for name in once:
        assert by_date[name] == once[name], f"{name}: four deliveries by date differ"
        assert mixed[name] == once[name], f"{name}: five shuffled deliveries differ"


def test_twenty_deliveries_keep_exactly_the_claims_of_one_ingest(tmp_path: Path) -> None:
    """The claims stage carries what it found between deliveries (kept pair answers,
    similarities summed for all pairs at once, claims whose mentions did not change
    updated in place): 20 deliveries, shuffled so that earlier articles join events late
    and move the stored claims' positions, store the claims and contradictions one ingest
    stores, and every other section too."""
    from newsweave.store import claims as claims_store

    files = _files()
    once = _export(tmp_path / "once.db", [files])
    shuffled = files[:]
    random.Random(20).shuffle(shuffled)
    parts = [shuffled[k::20] for k in range(20)]
    assert len(parts) == 20 and all(parts)
    with newsweave.open(tmp_path / "twenty.db") as nw:
        positions: dict[str, int] = {}
        moved = 0
        for part in parts:
            nw.ingest(part)
            rows = nw.store.conn.execute("SELECT id, position FROM claims").fetchall()
            moved += sum(1 for cid, pos in rows if positions.get(cid, pos) != pos)
            positions = dict(rows)
        assert moved, "no stored claim moved: the update in place was not exercised"
        assert claims_store.claim_count(nw.store) == len(once["claims"])
        many = nw.export()
    many["articles"] = sorted(many["articles"], key=lambda a: a["id"])
    assert many["claims"] == once["claims"]
    assert many["contradictions"] == once["contradictions"]
    assert many == once


def test_an_article_joining_recomputes_the_claims_of_its_event_only(tmp_path: Path) -> None:
    """Claims are recomputed per event whose inputs changed: after a last article arrives,
    the claims step recomputes only the events it joined or made (not every event of its
    story), and the store exports what one ingest exports."""
    from newsweave import pipeline
    from newsweave.store import claims as claims_store
    from newsweave.store import group as group_store
    from newsweave.store import nlp as nlp_store
    from newsweave.store import time as time_store

    files = _files()
    once = _export(tmp_path / "once.db", [files])
    with newsweave.open(tmp_path / "late.db") as nw:
        nw.ingest(files[:-1])
        known = set(nw.store.article_ids())
        nw.ingest(files[-1:], analyze=False)
        (late,) = set(nw.store.article_ids()) - known
        nw.analyze([s.name for s in pipeline.STEPS if s.name != "claims"])
        events = {e.id: e for e in group_store.load_events(nw.store)}
        before = claims_store.scope_fingerprints(nw.store)
        assert pipeline.run_claims(nw.store) >= 1
        after = claims_store.scope_fingerprints(nw.store)
        redone = {s for s in after if before.get(s) != after[s]}
        story = next(e.story for e in events.values() if late in e.articles)
        siblings = [e for e in events.values() if e.story == story]
        assert redone and redone <= set(events)  # scopes are events
        assert any(late in events[s].articles for s in redone)
        assert len(redone) < len(siblings)  # not every event of the story it joined
        assert pipeline.run_claims(nw.store) == 0  # nothing changed since
        # the scopes' fingerprints kept by their mentions' stamps are those computed afresh,
        # from the articles' mention rows kept by stamp or read again
        pipeline._SCOPE_KEYS.clear()
        assert pipeline.run_claims(nw.store) == 0
        assert claims_store.scope_fingerprints(nw.store) == after
        pipeline._SCOPE_KEYS.clear()
        pipeline._SCOPE_ROWS.clear()
        assert pipeline.run_claims(nw.store) == 0
        assert claims_store.scope_fingerprints(nw.store) == after
        # each figure claim's stored state is what its stored record reads as, and the
        # comparison across events keeps its figure mentions by that state (read once)
        published = nw.store.published_dates()
        rows = claims_store.figure_states(nw.store)
        stored = {c.id: c for c in claims_store.load_claims(nw.store, ids=[c for c, _ in rows])}
        arts = {a for c in stored.values() for a in c.articles}
        names = {a: nlp_store.mentions_of(nw.store, a) for a in arts}
        times = {a: time_store.time_refs(nw.store, a) for a in arts}
        assert rows and all(
            s == claims_store.claim_state(stored[c], published, times, names) for c, s in rows
        )
        assert all((c, s) in pipeline._FIGURES for c, s in rows)
        data = nw.export()
        # and one mention named by another entity gives its scope another fingerprint
        with nw.store.transaction() as conn:
            (start, end) = conn.execute(
                "SELECT start, end FROM mentions WHERE article_id = ? ORDER BY start LIMIT 1",
                (late,),
            ).fetchone()
            conn.execute(
                "UPDATE mentions SET entity_id = 'e_elsewhere'"
                " WHERE article_id = ? AND start = ? AND end = ?",
                (late, start, end),
            )
        # (the mentions kept from the analysis before are not those stored now)
        kept = pipeline._scope_mentions(
            nw.store, [late], group_store.mention_stamps(nw.store, [late])
        )
        assert kept[late] == nlp_store.mentions_of(nw.store, late)
        assert any(m.entity == "e_elsewhere" for m in kept[late])
        pipeline.run_claims(nw.store)
        changed = claims_store.scope_fingerprints(nw.store)
        late_scope = next(s for s in redone if late in events[s].articles)
        assert changed[late_scope] != after[late_scope]
        assert {s for s in changed if changed[s] != after[s]} == {late_scope}
    data["articles"] = sorted(data["articles"], key=lambda a: a["id"])
    assert data == once


def test_figures_read_a_few_claims_at_a_time_compare_as_read_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the comparison across events reads the unread claims' figure mentions in batches
    # (memory: one batch's claims, times and names): the answers are those of one read
    from newsweave import pipeline
    from newsweave.store import claims as claims_store

    files = _files()[:12]
    pipeline._FIGURES.clear()
    whole = _export(tmp_path / "whole.db", [files])
    read_whole = dict(pipeline._FIGURES)
    pipeline._FIGURES.clear()
    monkeypatch.setattr(pipeline, "FIGURE_READ_CLAIMS", 3)
    with newsweave.open(tmp_path / "batched.db") as nw:
        nw.ingest(files)
        assert len(claims_store.figure_states(nw.store)) > 3 * 3  # several batches
        batched = nw.export()
    batched["articles"] = sorted(batched["articles"], key=lambda a: a["id"])
    # the same claims' figure mentions, read alike; the same export
    assert len(read_whole) > 3 * 3 and read_whole == pipeline._FIGURES
    assert batched == whole


def test_the_comparison_across_events_in_small_blocks_finds_what_one_comparison_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory: the pairs an index finds are decided a block of claims at a time. Blocks of
    at most 7 claims or 10 pairs (~210 figure-giving claims of bpoil_bbc's first 30
    reports), read 3 at a time, with the cache too small to hold a block (re-read from the
    store), find the contradictions of one comparison of all claims at once, whichever
    claims changed."""
    from newsweave import pipeline
    from newsweave.claims import cross_event_contradictions
    from newsweave.settings import Settings
    from newsweave.store import claims as claims_store

    topic = SHARED_DATA / "timeline17" / "bpoil_bbc" / "InputDocs"
    if not topic.exists():
        pytest.skip("Timeline17 bpoil_bbc not available")
    days = sorted(p for p in topic.iterdir() if p.is_dir())
    files = [str(f) for day in days for f in sorted(day.glob("*.txt"))][:30]
    options = Settings().claims
    with newsweave.open(tmp_path / "bbc.db") as nw:
        nw.ingest(files)
        store = nw.store
        rows = claims_store.figure_states(store)
        states, ids = dict(rows), [c for c, _ in rows]
        published = store.published_dates()
        mentions = dict(
            zip(ids, pipeline._figure_mentions(store, ids, states, published), strict=True)
        )
        # a read that does not keep (the scan after a block) gives the same mentions and
        # leaves the cache as it was, what it holds and its order, held or not
        held = list(pipeline._FIGURES.items())
        for c in ids[::4]:
            del pipeline._FIGURES[(c, states[c])]
        cached = list(pipeline._FIGURES.items())
        again = pipeline._figure_mentions(store, ids[::-1], states, published, keep=False)
        assert again == [mentions[c] for c in ids[::-1]]
        assert list(pipeline._FIGURES.items()) == cached
        pipeline._FIGURES.clear()
        pipeline._FIGURES.update(held)
        _index_holds_every_pair_the_scan_lets_through(
            [mentions[c] for c in ids], len(ids) // 2, options.max_days
        )
        saved: list = []
        monkeypatch.setattr(claims_store, "save_cross_event", lambda _s, _c, f: saved.append(f))
        found = {}
        for changed in (ids, ids[1::3], ids[-5:]):
            whole = cross_event_contradictions(
                [m for c in ids if c in changed for m in mentions[c]],
                [m for c in ids if c not in changed for m in mentions[c]],
                options,
                pipeline._figure_embedder(options),
            )
            defaults = (
                pipeline.FIGURE_BLOCK_CLAIMS,
                pipeline.FIGURE_READ_CLAIMS,
                12_000,
                pipeline.FIGURE_BLOCK_PAIRS,
            )
            for block, read, cache, pairs in (defaults, (7, 3, 5, 10), (7, 3, 1_000, 50)):
                with monkeypatch.context() as m:
                    m.setattr(pipeline, "FIGURE_BLOCK_CLAIMS", block)
                    m.setattr(pipeline, "FIGURE_BLOCK_PAIRS", pairs)
                    m.setattr(pipeline, "FIGURE_READ_CLAIMS", read)
                    m.setattr(pipeline._FIGURES, "limit", cache)
                    pipeline._claims_across_events(store, set(changed), options)
                assert saved.pop() == whole
            found[len(changed)] = whole
        assert len(found[len(ids)]) > 5 and found[len(ids[1::3])]
    assert len(rows) > 30 * 7


def test_a_resolution_writes_only_the_mentions_whose_entity_it_changes(tmp_path: Path) -> None:
    # entity resolution moves the mentions of the entities it rewrites aside ("~" ids) and
    # back: a mention whose entity keeps its id is not written, so the change stamps of an
    # article whose mentions end as they were (the group and claims steps keep what they
    # made of it by them between deliveries) do not move
    from newsweave import pipeline

    topic = SHARED_DATA / "timeline17" / "EgyptianProtest_cnn" / "InputDocs"
    if not topic.exists():
        pytest.skip("Timeline17 EgyptianProtest_cnn not available")
    days = sorted(p for p in topic.iterdir() if p.is_dir())
    files = [str(f) for day in days for f in sorted(day.glob("*.txt"))][:42]
    steps = [s.name for s in pipeline.STEPS if s.name != "claims"]

    def state(nw: newsweave.Newsweave) -> tuple[dict, dict]:
        stamps = dict(nw.store.conn.execute("SELECT article_id, mentions FROM group_stamps"))
        rows: dict[str, list] = {}
        for r in nw.store.conn.execute(
            "SELECT article_id, start, end, label, entity_id FROM mentions"
            " ORDER BY article_id, start, end"
        ):
            rows.setdefault(r[0], []).append(r[1:])
        return stamps, rows

    with newsweave.open(tmp_path / "news.db") as nw:
        for part in (files[:14], files[14:28], files[28:]):
            before, rows_before = state(nw)
            nw.ingest(part, analyze=False)
            nw.analyze(steps)
            after, rows_after = state(nw)
            same = [a for a in before if rows_before.get(a) == rows_after.get(a)]
            assert all(after[a] == before[a] for a in same)
            assert all(after[a] != before[a] for a in before if a not in same)
    assert len(same) >= 8


def _index_holds_every_pair_the_scan_lets_through(
    claims: list, n_changed: int, max_days: int
) -> None:
    """The pairs a FigureIndex gives (claims' mentions, the first ``n_changed`` claims
    changed) are every pair of mentions the scan of ``cross_event_contradictions`` passes
    its filters on units, days, claims, articles, events and shared words, and no pair
    twice or of two unchanged mentions. An index built again from the same mentions holds
    the same arrays and gives the same pairs."""
    from newsweave.claim_slots import wordy
    from newsweave.claims import FigureIndex, _figure_units, _parse_day

    index, pool = FigureIndex(), []
    for k, mentions in enumerate(claims):
        index.add(k, mentions)
        pool += mentions
    changed = sum(len(m) for m in claims[:n_changed])
    again = FigureIndex()
    for k, mentions in enumerate(claims):
        again.add(k, mentions)
    for name in ("claim", "article", "event", "day", "unit_bits", "_indptr", "_indices"):
        assert getattr(again, name) == getattr(index, name)
    assert again.pairs(changed, max_days).tolist() == index.pairs(changed, max_days).tolist()
    got = {tuple(p) for p in index.pairs(changed, max_days).tolist()}
    want = set()
    for x, fa in enumerate(pool[:changed]):
        for y in range(x + 1, len(pool)):
            fb, a, b = pool[y], fa.statement, pool[y].statement
            da, db = _parse_day(a.published), _parse_day(b.published)
            if (
                set(_figure_units(a)) & set(_figure_units(b))
                and fa.claim != fb.claim
                and a.article != b.article
                and (fa.event is None or fa.event != fb.event)
                and (da is None) == (db is None)
                and (da is None or abs((da - db).days) <= max_days)
                and len(wordy(a.stems & b.stems)) >= 2
            ):
                want.add((x, y))
    assert want and want <= got and all(x < changed and x < y for x, y in got)
    assert len(got) == len(index.pairs(changed, max_days))  # no pair twice


def test_new_claims_rules_give_every_stored_claim_a_new_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the comparison across events keeps the stored answers of claims whose state did not
    # change: after the rules change, a claim whose rows come out the same must not keep
    # answers the old rules found (bpoil: a 1969 well stayed in a chain of distances)
    from newsweave.records import Claim, Span
    from newsweave.store import claims as claims_store

    claim = Claim(
        id="cl_1",
        text="The well is 50 miles offshore",
        attribution=None,
        hedged=False,
        articles=("a1",),
        spans=(Span("a1", 0, 29),),
        independent_sources=1,
        status="single-source",
    )
    before = claims_store.claim_state(claim, {"a1": "2010-05-01"})
    assert claims_store.claim_state(claim, {"a1": "2010-05-01"}) == before
    monkeypatch.setattr(claims_store, "ALGORITHM", claims_store.ALGORITHM + "-next")
    assert claims_store.claim_state(claim, {"a1": "2010-05-01"}) != before


def test_kept_claim_states_are_the_states_claim_state_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # save_scope takes a claim's state from a per-process cache while everything the state
    # digests is as it was; a change of any of it (the article's names, its publication
    # date, the rules) must give the state claim_state gives, never the kept one
    from newsweave.records import Claim, Mention, Span
    from newsweave.store import claims as claims_store

    text = "Mubarak said 300 people were killed in Cairo"
    claim = Claim(
        id="cl_1",
        text=text,
        attribution=None,
        hedged=False,
        articles=("a1",),
        spans=(Span("a1", 10, 10 + len(text)),),
        independent_sources=1,
        status="single-source",
        texts=(text,),
    )
    person = [Mention("a1", 10, 17, "Mubarak", "PERSON", "e1")]
    org = [Mention("a1", 10, 17, "Mubarak", "ORG", "e1")]

    def states(published: dict, names: dict) -> tuple[str, str]:
        kept = claims_store._claim_states([claim], published, None, names)["cl_1"]
        return kept, claims_store.claim_state(claim, published, None, names)

    first, fresh = states({"a1": "2011-01-28"}, {"a1": person})
    assert first == fresh
    assert states({"a1": "2011-01-28"}, {"a1": list(person)}) == (first, first)
    renamed = [Mention("a1", 10, 17, "Mubarak", "PERSON", "e2")]  # no figure reads an id
    assert states({"a1": "2011-01-28"}, {"a1": renamed}) == (first, first)
    relabelled, fresh = states({"a1": "2011-01-28"}, {"a1": org})
    assert relabelled == fresh != first
    redated, fresh = states({"a1": "2011-01-29"}, {"a1": person})
    assert redated == fresh != first
    monkeypatch.setattr(claims_store, "ALGORITHM", claims_store.ALGORITHM + "-next")
    new_rules, fresh = states({"a1": "2011-01-28"}, {"a1": person})
    assert new_rules == fresh != first


def test_stored_id_lists_are_the_json_of_the_ids() -> None:
    # save_scope writes a claim's articles and contradicted claims without json.dumps where
    # the ids need no escaping: the text must be json.dumps's, byte for byte, either way
    import json

    from newsweave.store import claims as claims_store

    for ids in [
        (),
        ("a1",),
        ("a_1f", "cl_2-b", "x.y:z"),
        ('a"b',),
        ("a\\b", "c"),
        ("é",),
        ("a\nb",),
        ("del\x7f",),
        ("ok", "line\u2028sep"),
    ]:
        assert claims_store._json_ids(ids) == json.dumps(list(ids))


def test_claim_rows_kept_by_claim_object_are_those_a_cold_save_writes(tmp_path: Path) -> None:
    # save_scope keeps what it writes of a claim (id lists, figure flag, mention rows) by the
    # claim object: the same objects saved again at other positions, in another scope, must
    # leave the tables a save with nothing kept leaves
    from newsweave.claims import analyse_claims
    from newsweave.records import Article, Event
    from newsweave.store import Store
    from newsweave.store import claims as claims_store

    text = (
        "About 42,000 gallons of oil a day are leaking into the Gulf. "
        "Officials said the spill was growing. The company denied any delay.\n"
    )
    art = Article("fox-1", "fox-1.txt", None, "fox", None, None, "2010-04-28", text)
    analysis = analyse_claims([art], events=[Event("e-1", "x", None, ("fox-1",), "s")])
    assert len(analysis.claims) >= 2
    moved = type(analysis)(analysis.claims[::-1], analysis.contradictions, analysis.statements)

    def tables(store: Store) -> list:
        return [
            store.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall()
            for t in ("claims", "claim_mentions")
        ]

    # saved, moved within its scope (positions only), then into another scope
    saves = [("s-a", analysis), ("s-a", moved), ("s-b", moved)]
    with Store(tmp_path / "kept.db") as kept, Store(tmp_path / "cold.db") as cold:
        for scope, what in saves:
            claims_store.save_scope(kept, scope, "f", what)  # rows kept from the save before
            held = dict(claims_store._ROWS_OF_CLAIM)
            claims_store._ROWS_OF_CLAIM.clear()
            claims_store.save_scope(cold, scope, "f", what)
            claims_store._ROWS_OF_CLAIM.clear()
            claims_store._ROWS_OF_CLAIM.update(held)
            assert tables(kept) == tables(cold)
            if what is moved and scope == "s-a":  # as saving the moved claims alone
                with Store(tmp_path / "alone.db") as alone:
                    claims_store.save_scope(alone, scope, "f", what)
                    assert tables(alone) == tables(kept)
        assert all(id(c) in claims_store._ROWS_OF_CLAIM for c in analysis.claims)


def test_a_rerun_of_nlp_that_changes_whose_figure_it_is_changes_the_claim_state(
    tmp_path: Path,
) -> None:
    # the comparison across events keeps the stored answers (and the per-process figure
    # mentions) of claims whose state did not change; the names the nlp stage found inside
    # a figure's mention say whose figure it is (figure_mentions reads them), so a re-run of
    # nlp that reads a name otherwise must change the state of the claims that contain it
    from newsweave import pipeline
    from newsweave.claims import figure_reads, gives_figure
    from newsweave.records import Mention
    from newsweave.store import claims as claims_store
    from newsweave.store import nlp as nlp_store
    from newsweave.store import time as time_store

    with newsweave.open(tmp_path / "news.db") as nw:
        nw.ingest(_files()[:12])
        published = nw.store.published_dates()
        rows = dict(claims_store.figure_states(nw.store))
        stored = claims_store.load_claims(nw.store, ids=list(rows))
        # a figure claim with a person named inside one of its figure mentions
        picked = None
        for c in stored:
            for sp, text in zip(c.spans, c.texts or (c.text,) * len(c.spans), strict=True):
                names = {sp.article: nlp_store.mentions_of(nw.store, sp.article)}
                _refs, inside, _ = figure_reads(sp, text, None, names)
                person = [n for n in inside if n[2] == "PERSON"]
                if gives_figure(text) and person:
                    picked = (c, sp.article, person[0][0])
                    break
            if picked:
                break
        assert picked is not None
        claim, article, at = picked
        # the nlp stage is re-run and reads that name as an organisation
        (model,) = nw.store.conn.execute(
            "SELECT model FROM nlp_done WHERE article_id = ?", (article,)
        ).fetchone()
        mentions = nlp_store.mentions_of(nw.store, article)
        relabelled = [
            Mention(m.article, m.start, m.end, m.text, "ORG", m.entity)
            if m.start == at and m.label == "PERSON"
            else m
            for m in mentions
        ]
        nlp_store.save_mentions(nw.store, [(article, relabelled)], model=model)
        assert pipeline.run_claims(nw.store) >= 1
        after = dict(claims_store.figure_states(nw.store))
        assert after[claim.id] != rows[claim.id]  # same text and spans, a new state
        # the new state is what the stored claim reads as with the new names, and the
        # comparison across events read its figures again under it
        (again,) = claims_store.load_claims(nw.store, ids=[claim.id])
        arts = list(again.articles)
        names = {a: nlp_store.mentions_of(nw.store, a) for a in arts}
        times = {a: time_store.time_refs(nw.store, a) for a in arts}
        assert after[claim.id] == claims_store.claim_state(again, published, times, names)
        assert (claim.id, after[claim.id]) in pipeline._FIGURES


def test_an_analysis_keeps_older_objects_out_of_the_cycle_collector_and_gives_them_back(
    tmp_path: Path,
) -> None:
    """What exists when an analysis starts (models, the caches kept between deliveries) is
    frozen while the steps run, so the collector's passes walk only what the delivery made;
    after it, everything is the collector's again: cyclic garbage older than the analysis
    is still collected, and nothing stays frozen."""
    import gc
    import weakref

    from newsweave import pipeline
    from newsweave.store import Store

    class Node:
        pass

    store = Store(tmp_path / "s.db")
    pipeline.ingest_paths(store, _files()[:2])
    node = Node()
    node.loop = node  # type: ignore[attr-defined]
    gone = weakref.ref(node)
    del node
    frozen: list[int] = []
    pipeline.analyze(
        store, only=["sentences"], on_step=lambda *_: frozen.append(gc.get_freeze_count())
    )
    store.close()
    assert frozen and frozen[0] > 0
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None
