"""Event and story grouping on ECB+: B³ precision/recall/F1 and ARI, documents per second.

Every ECB+ document is embedded (headline-less: the first lines of the text) and grouped
with :func:`newsweave.group.group` exactly as the pipeline does (one call; ECB+ documents
carry no publication dates, so only text decides). Stories are scored against ECB+
``topic`` and events against ``subtopic``.

``--batches N`` feeds the documents in N shuffled batches through the incremental path
instead (arrival-order robustness); ``--seed`` picks the shuffle.

Usage: python bench/events.py [--data PATH] [--batches N]
Prints progress to stderr and one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sklearn.metrics import adjusted_rand_score  # noqa: E402

from newsweave.embed import embed  # noqa: E402
from newsweave.group import Grouping, article_signals, group, lead_text  # noqa: E402
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--batches", type=int, default=1, help="incremental batches (shuffled)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    path = args.data / "docs.jsonl"
    if not path.is_file():
        sys.exit(f"{path}: not found (expected ECB+ docs.jsonl)")
    docs = [json.loads(line) for line in path.open(encoding="utf-8")]
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
    t0 = time.perf_counter()
    vectors = embed([lead_text(a) for a in arts])  # as the pipeline step does
    t_embed = time.perf_counter() - t0
    signals = [article_signals(a, v) for a, v in zip(arts, vectors, strict=True)]
    print(f"embedded in {t_embed:.1f}s", file=sys.stderr)
    t1 = time.perf_counter()
    if args.batches <= 1:
        result = group(signals)
    else:
        order = signals[:]
        random.Random(args.seed).shuffle(order)
        size = -(-len(order) // args.batches)
        events: dict = {}
        stories: dict = {}
        known: list = []
        for i in range(0, len(order), size):
            batch = order[i : i + size]
            g = group(
                batch, known=known, events=list(events.values()), stories=list(stories.values())
            )
            events.update({e.id: e for e in g.events})
            stories.update({s.id: s for s in g.stories})
            known.extend(batch)
        result = Grouping(events=tuple(events.values()), stories=tuple(stories.values()))
    t_group = time.perf_counter() - t1
    event_of = {a: e.id for e in result.events for a in e.articles}
    story_of = {a: e.story for e in result.events for a in e.articles}
    pred_ev = [event_of[d["doc_id"]] for d in docs]
    pred_st = [story_of[d["doc_id"]] for d in docs]
    gold_topic = [d["topic"] for d in docs]
    gold_sub = [d["subtopic"] for d in docs]
    total = time.perf_counter() - t0
    out = {
        "dataset": str(args.data),
        "documents": len(docs),
        "batches": max(1, args.batches),
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
        "seconds": {
            "embed": round(t_embed, 2),
            "group": round(t_group, 2),
            "total": round(total, 2),
        },
        "docs_per_s": round(len(docs) / total, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
