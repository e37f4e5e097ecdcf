"""Timeline summarisation on Timeline17: alignment-based ROUGE and date F1.

For each topic (all outlets of one topic merged into one collection), and for each gold
timeline of that topic, we generate a timeline with as many dates as the gold one and as
many sentences per date as its average (rounded), restricted to the gold timeline's first
and last date (the news-tls protocol), with :func:`newsweave.brief.select_timeline` over
the :class:`DatedSentence` records of :mod:`newsweave.time`.

Metrics — our own implementation of the tilse evaluation (Martschat & Markert 2017) used
by news-tls (Gholipour Ghalandari & Ifrim 2020), documented in docs/events.md:

* AR1-F / AR2-F: ROUGE-1 / ROUGE-2 F1 under the "align+ m:1" alignment
  (``evaluate_align_date_content_costs_many_to_one``): every predicted date is mapped to the
  reference date of least cost ``(1 - 1/(|Δdays|+1)) * (1 - ROUGE-1 approximation)`` (and
  every reference date to a predicted one for recall); n-gram hits of an aligned pair count
  ``1/(|Δdays|+1)``; unaligned dates add their n-grams to the denominators.
* Date F1: F1 of the predicted vs the gold set of dates.

ROUGE counts follow ROUGE-1.5.5 as tilse calls it (``stem=True, ignore_stopwords=True``):
lower-case, non-alphanumerics to spaces, stop words removed (scikit-learn's English list
stands in for ROUGE's SMART list), Porter stems (snowballstemmer), clipped n-gram hits.

Published anchors (all 9 topics, leave-one-out) are in ../shared/data/README.md; this copy
holds 6 topics, so compare orders of magnitude, not third decimals.

The JSON gives figures per topic and per timeline, and names the weakest topic, so a topic
the method does badly on is visible rather than averaged away. Nothing in the method is
set per topic: the generator sees only the dated sentences, publication dates, the gold
timeline's length, sentences per date and first/last date (the protocol).

Usage: python bench/timeline.py [--data PATH] [--topics bpoil haiti ...]
Prints progress to stderr and one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date as Date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsweave.brief import select_timeline  # noqa: E402
from newsweave.records import Article, DatedSentence, Sentence  # noqa: E402
from newsweave.time import extract_time  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "timeline17"

Timeline = Mapping[Date, Sequence[str]]

# --------------------------------------------------------------------------- ROUGE (tilse)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


_STOP = _stop_words()
_STEM_CACHE: dict[str, str] = {}


def _stem(word: str) -> str:
    s = _STEM_CACHE.get(word)
    if s is None:
        import snowballstemmer

        stemmer = _stem.__dict__.setdefault("stemmer", snowballstemmer.stemmer("porter"))
        s = stemmer.stemWord(word)
        _STEM_CACHE[word] = s
    return s


def rouge_tokens(sentences: Sequence[str]) -> list[str]:
    """ROUGE-1.5.5-style tokens of a summary: lower-case, alphanumeric, no stop words, stems."""
    out: list[str] = []
    for sent in sentences:
        for tok in _NON_ALNUM.sub(" ", sent.lower()).split():
            if tok not in _STOP:
                out.append(_stem(tok))
    return out


def ngram_counts(tokens: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def rouge_counts(pred: Sequence[str], ref: Sequence[str], n: int) -> tuple[int, int, int]:
    """(hits, predicted n-grams, reference n-grams) for summaries given as sentence lists."""
    p = ngram_counts(rouge_tokens(pred), n)
    r = ngram_counts(rouge_tokens(ref), n)
    hits = sum(min(c, r[g]) for g, c in p.items())
    return hits, sum(p.values()), sum(r.values())


def rouge_approximation(pred: Sequence[str], ref: Sequence[str]) -> float:
    """tilse's quick ROUGE-1 F1 on whitespace tokens (used only to build alignment costs)."""
    pc = Counter(t for s in pred for t in s.split())
    rc = Counter(t for s in ref for t in s.split())
    match = sum(min(c, rc[t]) for t, c in pc.items())
    prec = match / sum(pc.values()) if pc else 0.0
    rec = match / sum(rc.values()) if rc else 0.0
    return 0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec)


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def align_m1_rouge(pred: Timeline, ref: Timeline, n: int) -> dict[str, float]:
    """ROUGE-n P/R/F under tilse's "align+ m:1" (date-content costs, many-to-one)."""
    pdates, rdates = sorted(pred), sorted(ref)
    if not pdates or not rdates:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}

    def cost(pd: Date, rd: Date) -> float:
        date_factor = 1 - 1 / (abs(pd.toordinal() - rd.toordinal()) + 1)
        return date_factor * (1 - rouge_approximation(pred[pd], ref[rd]))

    costs = np.array([[cost(pd, rd) for rd in rdates] for pd in pdates])
    p_num = p_den = r_num = r_den = 0.0
    for i, pd in enumerate(pdates):  # precision: each predicted date to its cheapest ref date
        rd = rdates[int(costs[i].argmin())]
        hits, pc, _ = rouge_counts(pred[pd], ref[rd], n)
        p_num += hits / (abs(pd.toordinal() - rd.toordinal()) + 1)
        p_den += pc
    for j, rd in enumerate(rdates):  # recall: each reference date to its cheapest pred date
        pd = pdates[int(costs[:, j].argmin())]
        hits, _, rc = rouge_counts(pred[pd], ref[rd], n)
        r_num += hits / (abs(pd.toordinal() - rd.toordinal()) + 1)
        r_den += rc
    p = p_num / p_den if p_den else 0.0
    r = r_num / r_den if r_den else 0.0
    return {"precision": p, "recall": r, "f1": _f1(p, r)}


def date_f1(pred: Timeline, ref: Timeline) -> float:
    hits = len(set(pred) & set(ref))
    p = hits / len(pred) if pred else 0.0
    r = hits / len(ref) if ref else 0.0
    return _f1(p, r)


# --------------------------------------------------------------------------- data


def read_gold(path: Path) -> dict[Date, list[str]]:
    """A Timeline17 timeline file: date line, sentences, a line of dashes, repeated."""
    out: dict[Date, list[str]] = defaultdict(list)
    current: Date | None = None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        if set(line) == {"-"}:
            current = None
            continue
        if current is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", line):
            current = Date.fromisoformat(line)
            continue
        if current is not None:
            out[current].append(line)
    return dict(out)


def detokenise(s: str) -> str:
    """Undo PTB tokenisation enough for the date grammar ("April 20 , 2010" → "April 20, 2010")."""
    s = s.replace("`` ", '"').replace(" ''", '"').replace("-LRB- ", "(").replace(" -RRB-", ")")
    s = re.sub(r" ([,.;:!?%])", r"\1", s)
    return re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", s)


def load_topic(dirs: Sequence[Path]) -> tuple[list[DatedSentence], dict[str, str], int]:
    """Dated sentences of every article of a topic (all outlets), publication dates, #docs."""
    dated: list[DatedSentence] = []
    published: dict[str, str] = {}
    seen_texts: set[int] = set()
    n_docs = 0
    for d in dirs:
        for f in sorted((d / "InputDocs").glob("*/*.txt")):
            pub = f.parent.name
            lines = [
                detokenise(ln.strip())
                for ln in f.read_text(encoding="utf-8", errors="replace").splitlines()
                if ln.strip()
            ]
            text = "\n".join(lines)
            key = hash(text)
            if not lines or key in seen_texts:  # the same story filed by two outlets
                continue
            seen_texts.add(key)
            aid = f"{d.name}/{pub}/{f.name}"
            sents, pos = [], 0
            for i, ln in enumerate(lines):
                sents.append(Sentence(aid, i, pos, pos + len(ln), ln))
                pos += len(ln) + 1
            art = Article(
                id=aid,
                source_path=str(f),
                title=None,
                outlet=d.name.split("_", 1)[-1],
                agency=None,
                dateline=None,
                published=pub,
                text=text,
            )
            dated.extend(extract_time(art, sents)[1])
            published[aid] = pub
            n_docs += 1
    return dated, published, n_docs


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--topics", nargs="*", help="only these topics (e.g. bpoil haiti)")
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: not a Timeline17 folder")
    by_topic: dict[str, list[Path]] = defaultdict(list)
    for d in sorted(p for p in args.data.iterdir() if p.is_dir()):
        by_topic[d.name.split("_", 1)[0]].append(d)
    topics = [t for t in sorted(by_topic) if not args.topics or t in args.topics]
    per_topic: dict[str, dict] = {}
    all_scores: list[dict[str, float]] = []
    t_all = time.perf_counter()
    for topic in topics:
        t0 = time.perf_counter()
        dated, published, n_docs = load_topic(by_topic[topic])
        prep = time.perf_counter() - t0
        scores = []
        gen_total = 0.0
        for d in by_topic[topic]:
            for gold_path in sorted((d / "timelines").glob("*.txt")):
                gold = read_gold(gold_path)
                if not gold:
                    continue
                dates = sorted(gold)
                per_date = max(1, round(sum(len(v) for v in gold.values()) / len(gold)))
                t1 = time.perf_counter()
                made = select_timeline(
                    dated,
                    published,
                    n_dates=len(gold),
                    per_date=per_date,
                    start=dates[0].isoformat(),
                    end=dates[-1].isoformat(),
                )
                gen_total += time.perf_counter() - t1
                pred = {Date.fromisoformat(day): sents for day, sents in made}
                s = {
                    "timeline": f"{d.name}/{gold_path.name}",
                    "ar1_f": round(align_m1_rouge(pred, gold, 1)["f1"], 4),
                    "ar2_f": round(align_m1_rouge(pred, gold, 2)["f1"], 4),
                    "date_f1": round(date_f1(pred, gold), 4),
                    "dates": len(gold),
                    "predicted_dates": len(pred),
                }
                scores.append(s)
                all_scores.append(s)
        if not scores:
            continue
        per_topic[topic] = {
            "docs": n_docs,
            "timelines": len(scores),
            "ar1_f": round(float(np.mean([s["ar1_f"] for s in scores])), 4),
            "ar2_f": round(float(np.mean([s["ar2_f"] for s in scores])), 4),
            "date_f1": round(float(np.mean([s["date_f1"] for s in scores])), 4),
            "per_timeline": scores,
            "prep_s": round(prep, 2),
            "generate_s_per_timeline": round(gen_total / len(scores), 3),
        }
        print(f"{topic}: {per_topic[topic]}", file=sys.stderr)
    n_topics = max(1, len(per_topic))
    result = {
        "dataset": str(args.data),
        "topics": per_topic,
        "mean_over_timelines": {
            k: round(float(np.mean([s[k] for s in all_scores])), 4) if all_scores else None
            for k in ("ar1_f", "ar2_f", "date_f1")
        },
        "mean_over_topics": {
            k: round(float(np.mean([v[k] for v in per_topic.values()])), 4) if per_topic else None
            for k in ("ar1_f", "ar2_f", "date_f1")
        },
        "weakest_topic": min(per_topic, key=lambda t: per_topic[t]["ar1_f"]) if per_topic else None,
        "seconds_per_topic_total": round((time.perf_counter() - t_all) / n_topics, 2),
        "seconds_per_topic_generate": round(
            sum(v["generate_s_per_timeline"] * v["timelines"] for v in per_topic.values())
            / n_topics,
            3,
        ),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "metric": "own tilse re-implementation: align+ m:1 ROUGE-1/2 F1, date F1",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
