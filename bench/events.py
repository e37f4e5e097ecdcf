"""Event and story grouping on ECB+: B³ precision/recall/F1 and ARI, documents per second.

Every ECB+ document is embedded (headline-less: the first lines of the text), and again
without the place names the nlp stage finds (what stories compare), and grouped with
:func:`newsweave.group.group` as the pipeline does (one call; ECB+ documents carry no
publication dates, so only text decides; the terms leave the entity mentions out, as
before). Stories are scored against ECB+ ``topic`` and events against ``subtopic``.

``--batches N`` feeds the documents in N shuffled batches through the incremental path
instead (arrival-order robustness); ``--seed`` picks the shuffle. ``--topics 1-17`` keeps
only those topics' documents (the grouping sees nothing else); ``--set kin_ratio=0`` changes
a :class:`~newsweave.group.GroupOptions` field. The figures are also given per topic range
(``by_topics``: the same grouping scored on topics 1–17 and 18–35 apart).

``--pipeline`` measures the whole product instead: the documents are written as JSONL
(text only, as ECB+ gives them; one file per batch) and ingested with
:meth:`newsweave.Newsweave.ingest` into a fresh store, every stage included (entity terms
from the nlp stage, event dates the time stage reads from the text, copies), and the
stored events and stories are scored. Slower (the nlp stage), and the figures differ from
the group-stage ones because the signals do.

``--holdout`` checks that the story constants generalise: the kin constants
(``kin_ratio`` × ``kin_floor``, see docs/events.md) are chosen on the documents of topics
1–17 alone and scored on topics 18–35 alone, and the other way round (ties go to the most
conservative choice: kin off, else the highest ratio and floor).

Usage: python bench/events.py [--data PATH] [--batches N] [--topics A-B] [--set K=V] [--holdout]
       python bench/events.py --pipeline [--batches N]
Prints progress to stderr and one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from newsweave.embed import embed  # noqa: E402
from newsweave.group import (  # noqa: E402
    ArticleSignals,
    Grouping,
    GroupOptions,
    article_signals,
    group,
    lead_text,
    story_lead_text,
)
from newsweave.nlp import iter_mentions  # noqa: E402
from newsweave.records import Article  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ecbplus"


def b_cubed(pred: Sequence[object], gold: Sequence[object]) -> dict[str, float]:
    """B³ (Bagga & Baldwin 1998): per-item precision/recall of its cluster, averaged."""
    pc: dict[object, set[int]] = defaultdict(set)
    gc: dict[object, set[int]] = defaultdict(set)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        pc[p].add(i)
        gc[g].add(i)
    n = len(pred)
    prec = sum(len(pc[p] & gc[g]) / len(pc[p]) for p, g in zip(pred, gold, strict=True)) / n
    rec = sum(len(pc[p] & gc[g]) / len(gc[g]) for p, g in zip(pred, gold, strict=True)) / n
    f1 = 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)
    return {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)}


HALVES = ((1, 17), (18, 35))
KIN_GRID = [(r, f) for r in (0.0, 1.1, 1.15, 1.2, 1.25, 1.3, 1.4) for f in (0.08, 0.12, 0.16)]


def run_grouping(
    signals: Sequence[ArticleSignals], options: GroupOptions, batches: int, seed: int
) -> Grouping:
    """One call over everything, or ``batches`` shuffled calls that pass back what is
    known (events, stories, signals)."""
    if batches <= 1:
        return group(signals, options=options)
    order = list(signals)
    random.Random(seed).shuffle(order)
    size = -(-len(order) // batches)
    events: dict = {}
    stories: dict = {}
    known: list = []
    for i in range(0, len(order), size):
        batch = order[i : i + size]
        g = group(
            batch,
            known=known,
            events=list(events.values()),
            stories=list(stories.values()),
            options=options,
        )
        events.update({e.id: e for e in g.events})
        stories.update({s.id: s for s in g.stories})
        known.extend(batch)
    return Grouping(events=tuple(events.values()), stories=tuple(stories.values()))


def scores(result: Grouping, docs: Sequence[dict]) -> dict:
    event_of = {a: e.id for e in result.events for a in e.articles}
    story_of = {a: e.story for e in result.events for a in e.articles}
    pred_ev = [event_of[d["doc_id"]] for d in docs]
    pred_st = [story_of[d["doc_id"]] for d in docs]
    gold_topic = [d["topic"] for d in docs]
    gold_sub = [d["subtopic"] for d in docs]
    return {
        "stories": {
            "clusters": len(set(pred_st)),
            "gold": len(set(gold_topic)),
            "b3": b_cubed(pred_st, gold_topic),
            "ari": round(adjusted_rand_score(gold_topic, pred_st), 4),
        },
        "events": {
            "clusters": len(set(pred_ev)),
            "gold": len(set(gold_sub)),
            "b3": b_cubed(pred_ev, gold_sub),
            "ari": round(adjusted_rand_score(gold_sub, pred_ev), 4),
        },
    }


def in_range(docs: Sequence[dict], lo: int, hi: int) -> list[dict]:
    return [d for d in docs if lo <= int(d["topic"]) <= hi]


def holdout(signals: Sequence[ArticleSignals], docs: Sequence[dict], base: GroupOptions) -> dict:
    """Choose the kin constants on one half of the topics, score them on the other."""
    by_id = {s.id: s for s in signals}
    out = {}
    for (lo, hi), (tlo, thi) in ((HALVES[0], HALVES[1]), (HALVES[1], HALVES[0])):
        tune, test = in_range(docs, lo, hi), in_range(docs, tlo, thi)

        def f1(part: list[dict], ratio: float, floor: float) -> float:
            opts = replace(base, kin_ratio=ratio, kin_floor=floor)
            result = group([by_id[d["doc_id"]] for d in part], options=opts)
            return scores(result, part)["stories"]["b3"]["f1"]

        # ties go to the most conservative choice: off, else the highest ratio and floor
        best = max(KIN_GRID, key=lambda rf: (f1(tune, *rf), rf[0] == 0, rf[0], rf[1]))
        out[f"chosen_on_{lo}-{hi}"] = {
            "kin_ratio": best[0],
            "kin_floor": best[1],
            f"stories_f1_{lo}-{hi}": f1(tune, *best),
            f"stories_f1_{tlo}-{thi}": f1(test, *best),
            f"stories_f1_{tlo}-{thi}_kin_off": f1(test, 0.0, best[1]),
        }
    return out


def pipeline_grouping(docs: Sequence[dict], batches: int, seed: int) -> Grouping:
    """Ingest the documents (shuffled into ``batches`` JSONL files, ingested one after the
    other) into a fresh store with every stage, and read back its events and stories."""
    import newsweave

    order = list(docs)
    if batches > 1:
        random.Random(seed).shuffle(order)
    size = -(-len(order) // max(1, batches))
    with tempfile.TemporaryDirectory() as tmp, newsweave.open(Path(tmp) / "news.db") as nw:
        for n, i in enumerate(range(0, len(order), size)):
            path = Path(tmp) / f"batch{n:03d}.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for d in order[i : i + size]:
                    out.write(json.dumps({"text": d["text"]}) + "\n")
            nw.ingest([path])
            print(f"ingested batch {n + 1}", file=sys.stderr)
        # articles come back in ingest order, which is the order written
        stored = [a.id for a in nw.store.iter_articles()]
        if len(stored) != len(order):
            sys.exit(f"{len(order)} documents but {len(stored)} articles stored (duplicates?)")
        doc_of = {a: d["doc_id"] for a, d in zip(stored, order, strict=True)}
        events = [replace(e, articles=tuple(doc_of[a] for a in e.articles)) for e in nw.events()]
        return Grouping(events=tuple(events), stories=tuple(nw.stories()))


def parse_set(items: Sequence[str]) -> GroupOptions:
    known = {f.name: f.type for f in fields(GroupOptions)}
    values: dict[str, float | int] = {}
    for item in items:
        key, _, value = item.partition("=")
        if key not in known or not value:
            sys.exit(f"--set {item}: expected KEY=VALUE with KEY one of {', '.join(known)}")
        values[key] = int(value) if known[key] in (int, "int") else float(value)
    return GroupOptions(**values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--batches", type=int, default=1, help="incremental batches (shuffled)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--topics", default=None, help="A-B: only these topics' documents")
    ap.add_argument("--set", dest="settings", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--holdout", action="store_true", help="kin constants chosen per half")
    ap.add_argument("--pipeline", action="store_true", help="ingest through every stage")
    args = ap.parse_args()
    options = parse_set(args.settings)
    path = args.data / "docs.jsonl"
    if not path.is_file():
        sys.exit(f"{path}: not found (expected ECB+ docs.jsonl)")
    docs = [json.loads(line) for line in path.open(encoding="utf-8")]
    if args.topics:
        lo, _, hi = args.topics.partition("-")
        docs = in_range(docs, int(lo), int(hi or lo))
    arts = [
        Article(
            id=d["doc_id"],
            source_path=d["doc_id"],
            title=None,
            outlet=None,
            agency=None,
            dateline=None,
            published=None,
            text=d["text"],
            url=d.get("url"),
        )
        for d in docs
    ]
    print(f"{len(arts)} documents", file=sys.stderr)
    if args.pipeline:
        if args.settings or args.holdout:
            sys.exit("--pipeline runs the product's own settings; drop --set/--holdout")
        t0 = time.perf_counter()
        result = pipeline_grouping(docs, args.batches, args.seed)
        total = time.perf_counter() - t0
        print(
            json.dumps(
                {
                    "dataset": str(args.data),
                    "documents": len(docs),
                    "batches": max(1, args.batches),
                    "pipeline": True,
                    **scores(result, docs),
                    "seconds": {"total": round(total, 2)},
                    "docs_per_s": round(len(docs) / total, 1),
                    "peak_rss_mb": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                }
            )
        )
        return
    t0 = time.perf_counter()
    # the nlp stage's place names, left out of the leads stories compare (story_lead_text)
    mentions = {a.id: found for a, found in iter_mentions(arts)}
    t_nlp = time.perf_counter() - t0
    texts = [lead_text(a) for a in arts] + [story_lead_text(a, mentions[a.id]) for a in arts]
    both = embed(texts)  # as the pipeline step does
    vectors, story_vectors = both[: len(arts)], both[len(arts) :]
    t_embed = time.perf_counter() - t0 - t_nlp
    signals = [
        article_signals(a, v, story_vector=sv)
        for a, v, sv in zip(arts, vectors, story_vectors, strict=True)
    ]
    print(f"nlp in {t_nlp:.1f}s, embedded in {t_embed:.1f}s", file=sys.stderr)
    t1 = time.perf_counter()
    result = run_grouping(signals, options, args.batches, args.seed)
    t_group = time.perf_counter() - t1
    total = time.perf_counter() - t0
    out = {
        "dataset": str(args.data),
        "documents": len(docs),
        "batches": max(1, args.batches),
        **scores(result, docs),
        "by_topics": {
            f"{lo}-{hi}": {k: v["b3"]["f1"] for k, v in scores(result, part).items()}
            for lo, hi in HALVES
            if (part := in_range(docs, lo, hi))
        },
        "seconds": {
            "nlp": round(t_nlp, 2),
            "embed": round(t_embed, 2),
            "group": round(t_group, 2),
            "total": round(total, 2),
        },
        "docs_per_s": round(len(docs) / total, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.settings:
        out["settings"] = dict(item.partition("=")[::2] for item in args.settings)
    if args.holdout:
        out["holdout"] = holdout(signals, docs, options)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
