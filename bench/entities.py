"""Cross-document entity resolution on ECB+ (Cybulska & Vossen 2014), topics 1-35.

Takes the gold entity mentions (tags starting HUMAN_PART, NON_HUMAN_PART, LOC), locates
each in its document's text, clusters them with :func:`newsweave.entities.resolve` and scores
the clusters against the gold ``chain`` ids (a mention without a chain is a singleton):
MUC, B-cubed, CEAF-e and CoNLL F1 (mean of the three F1s), all implemented below. The
document topic is never used; the only context is the documents' text (TF-IDF relatedness).
Two baselines run on the same mentions: exact lower-case string match and head-lemma match.
Scores are given on all entity mentions and on the *named* subset (mentions with a
capitalised word, pronouns excluded: what spaCy NER feeds the resolver in newsweave) and on
the *chained* subset (mentions with a gold chain; see main() for why), and on *named_chained*
(named mentions with a gold chain: the named view with singletons removed, the usual ECB+
protocol, because ECB+ leaves every mention of an entity outside the annotated events as a
gold singleton, so "Mr. LaRue" merged with the chained "LaRue" of the same article counts
as an error in the named view).

Not flattering the resolver: the gold ECB+ tag gives it a perfect PERSON/ORG/place label
that newsweave never has, so the resolver is also scored with the label spaCy gives the
overlapping span (``resolver_spacy_labels``); ``named_gain_over_exact`` gives both gains.

Also resolves the five seed articles with the real NER model and reports whether the
aliases the issue names came out merged.

Prints progress to stderr and one JSON object on the last line of stdout.

    .venv/bin/python bench/entities.py [--data ../shared/data/ecbplus] [--seeds examples/seeds]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ecbplus"
DEFAULT_SEEDS = ROOT / "examples" / "seeds"

ENTITY_TAG_PREFIXES = ("HUMAN_PART", "NON_HUMAN_PART", "LOC")
#: ECB+ tag -> the spaCy-style label the resolver expects (the tag is part of the gold
#: *mention*, like spaCy's label; chains are never looked at until scoring).
TAG_LABEL = {
    "HUMAN_PART_PER": "PERSON",
    "HUMAN_PART": "PERSON",
    "HUMAN_PART_GENERIC": "PERSON",
    "HUMAN_PART_ORG": "ORG",
    "HUMAN_PART_GPE": "GPE",
    "HUMAN_PART_MET": "ORG",
    "HUMAN_PART_FAC": "FAC",
    "HUMAN_PART_VEH": "PRODUCT",
    "LOC_GEO": "GPE",
    "LOC_FAC": "FAC",
    "LOC_OTHER": "LOC",
    "NON_HUMAN_PART": "PRODUCT",
    "NON_HUMAN_PART_GENERIC": "PRODUCT",
}

Cluster = frozenset
Clusters = list[frozenset]


# --------------------------------------------------------------------------- metrics


def _index(clusters: Iterable[Iterable[Hashable]]) -> dict[Hashable, int]:
    where: dict[Hashable, int] = {}
    for n, cluster in enumerate(clusters):
        for m in cluster:
            where[m] = n
    return where


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def muc(key: Sequence[Cluster], response: Sequence[Cluster]) -> tuple[float, float, float]:
    """MUC (Vilain et al. 1995): links. R = sum(|K| - |p(K)|) / sum(|K| - 1), p(K) the parts
    of K cut by the response (mentions the response lacks count as one part each); P is the
    same with key and response swapped. 0 when there are no links (all singletons)."""

    def score(a: Sequence[Cluster], b: Sequence[Cluster]) -> float:
        where = _index(b)
        num = den = 0
        for cluster in a:
            parts = {where.get(m, ("missing", m)) for m in cluster}
            num += len(cluster) - len(parts)
            den += len(cluster) - 1
        return num / den if den else 0.0

    r, p = score(key, response), score(response, key)
    return p, r, _f1(p, r)


def b_cubed(key: Sequence[Cluster], response: Sequence[Cluster]) -> tuple[float, float, float]:
    """B-cubed (Bagga & Baldwin 1998): per-mention overlap of its key and response clusters,
    averaged over mentions; precision divides by the response cluster, recall by the key."""
    kwhere, rwhere = _index(key), _index(response)
    mentions = set(kwhere) | set(rwhere)
    p_sum = r_sum = 0.0
    for m in mentions:
        k = key[kwhere[m]] if m in kwhere else frozenset([m])
        r = response[rwhere[m]] if m in rwhere else frozenset([m])
        overlap = len(k & r)
        p_sum += overlap / len(r)
        r_sum += overlap / len(k)
    n = len(mentions) or 1
    p, r = p_sum / n, r_sum / n
    return p, r, _f1(p, r)


def ceaf_e(key: Sequence[Cluster], response: Sequence[Cluster]) -> tuple[float, float, float]:
    """Entity-based CEAF (Luo 2005) with phi4 = 2|K & R| / (|K| + |R|) and the optimal
    one-to-one alignment (Hungarian algorithm, run per connected component of overlapping
    clusters so memory stays small). R = total / |key|, P = total / |response|."""
    rwhere = _index(response)
    # connected components of the key/response overlap graph
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    pairs: dict[tuple[int, int], int] = defaultdict(int)
    for ki, cluster in enumerate(key):
        find(("k", ki))
        for m in cluster:
            if m in rwhere:
                pairs[(ki, rwhere[m])] += 1
                a, b = find(("k", ki)), find(("r", rwhere[m]))
                if a != b:
                    parent[a] = b
    components: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for ki in range(len(key)):
        components[find(("k", ki))][0].append(ki)
    for ri in range(len(response)):
        if ("r", ri) in parent:
            components[find(("r", ri))][1].append(ri)
    by_key: dict[int, dict[int, int]] = defaultdict(dict)
    for (ki, ri), n in pairs.items():
        by_key[ki][ri] = n
    total = 0.0
    for kis, ris in components.values():
        if not kis or not ris:
            continue
        col = {ri: j for j, ri in enumerate(ris)}
        sim = np.zeros((len(kis), len(ris)))
        for i, ki in enumerate(kis):
            for ri, n in by_key[ki].items():
                sim[i, col[ri]] = 2 * n / (len(key[ki]) + len(response[ri]))
        rows, cols = linear_sum_assignment(sim, maximize=True)
        total += float(sim[rows, cols].sum())
    r = total / len(key) if key else 0.0
    p = total / len(response) if response else 0.0
    return p, r, _f1(p, r)


def score_all(key: Sequence[Cluster], response: Sequence[Cluster]) -> dict[str, float]:
    """MUC, B3, CEAF-e (P/R/F1) and CoNLL F1 = mean of their F1s, rounded to 4 places."""
    out: dict[str, float] = {}
    f1s = []
    for name, fn in (("muc", muc), ("b3", b_cubed), ("ceafe", ceaf_e)):
        p, r, f = fn(key, response)
        out[f"{name}_p"], out[f"{name}_r"], out[f"{name}_f1"] = (
            round(p, 4),
            round(r, 4),
            round(f, 4),
        )
        f1s.append(f)
    out["conll_f1"] = round(sum(f1s) / 3, 4)
    return out


def restrict(clusters: Iterable[Cluster], keep: set) -> Clusters:
    """Clusters with only the mentions in ``keep`` (empty ones dropped)."""
    out = [frozenset(m for m in c if m in keep) for c in clusters]
    return [c for c in out if c]


# --------------------------------------------------------------------------- data


def load(data: Path) -> tuple[dict[str, str], list[dict]]:
    docs = {}
    with open(data / "docs.jsonl", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            docs[d["doc_id"]] = d["text"]
    mentions = []
    with open(data / "mentions.jsonl", encoding="utf-8") as fh:
        for line in fh:
            m = json.loads(line)
            if m["tag"].startswith(ENTITY_TAG_PREFIXES) and m["doc_id"] in docs:
                mentions.append(m)
    return docs, mentions


def locate(docs: dict[str, str], gold: list[dict]) -> list:
    """Mention records with char offsets: the mention text found in its sentence line."""
    from newsweave.records import Mention

    line_starts: dict[str, list[int]] = {}
    for doc_id, text in docs.items():
        starts, pos = [], 0
        for line in text.split("\n"):
            starts.append(pos)
            pos += len(line) + 1
        line_starts[doc_id] = starts
    used: dict[tuple[str, int], set[int]] = defaultdict(set)
    out = []

    def order(m: dict) -> tuple:
        sentence = m["sentence"] if m["sentence"] is not None else -1
        return (m["doc_id"], sentence, int(m["m_id"]) if m["m_id"].isdigit() else 0)

    for m in sorted(gold, key=order):
        text = docs[m["doc_id"]]
        starts = line_starts[m["doc_id"]]
        s_no = m["sentence"]
        if s_no is not None and 0 <= s_no < len(starts):
            base = starts[s_no]
            line_end = starts[s_no + 1] - 1 if s_no + 1 < len(starts) else len(text)
        else:  # no sentence number: search the whole document
            s_no, base, line_end = -1, 0, len(text)
        found = -1
        for hit in re.finditer(re.escape(m["text"]), text[base:line_end]):
            if hit.start() not in used[(m["doc_id"], s_no)]:
                found = hit.start()
                break
        if found < 0:
            found = max(0, text.find(m["text"]) - base) if m["text"] in text else 0
        used[(m["doc_id"], s_no)].add(found)
        start = base + found
        out.append(
            (
                (m["doc_id"], m["m_id"]),
                Mention(
                    article=m["doc_id"],
                    start=start,
                    end=start + len(m["text"]),
                    text=m["text"],
                    label=TAG_LABEL.get(m["tag"], "MISC"),
                ),
                m,
            )
        )
    return out


def gold_clusters(rows: list) -> Clusters:
    chains: dict[str, set] = defaultdict(set)
    for mid, _, m in rows:
        chains[m["chain"] or f"singleton:{mid}"].add(mid)
    return [frozenset(c) for c in chains.values()]


def clusters_by(rows: list, key_of) -> Clusters:
    groups: dict[Hashable, set] = defaultdict(set)
    for mid, mention, _ in rows:
        groups[key_of(mention)].add(mid)
    return [frozenset(c) for c in groups.values()]


_PRONOUN_WORDS = (
    "i me my we us our you your he him his she her hers it its they them their who whom"
    " whose which that this these those one"
)
_PRONOUNS = set(_PRONOUN_WORDS.split())
_HEAD_BREAK = {"of", "in", "on", "at", "for", "from", "with", "by", "to", ",", "who", "that"}


def head_lemmas(rows: list) -> dict[str, str]:
    """Lemma of each distinct mention text's head (last token before a preposition)."""
    import importlib

    from newsweave.nlp import MODEL_PACKAGES

    nlp = None
    for name in MODEL_PACKAGES:
        try:
            nlp = importlib.import_module(name).load(exclude=["parser", "ner"])
            break
        except ModuleNotFoundError:
            continue
    if nlp is None:
        raise SystemExit("no spaCy English model installed")
    texts = sorted({mention.text for _, mention, _ in rows})
    out = {}
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=256), strict=True):
        head = None
        for tok in doc:
            if tok.lower_ in _HEAD_BREAK:
                break
            if not tok.is_punct:
                head = tok
        out[text] = (head.lemma_ if head is not None else text).lower()
    return out


def spacy_labelled(rows: list, predicted: list) -> list:
    """The gold mentions with the label of the spaCy mention that overlaps each most
    (``MISC`` when spaCy found nothing there)."""
    from dataclasses import replace

    by_doc: dict[str, list] = defaultdict(list)
    for m in predicted:
        by_doc[m.article].append(m)
    out = []
    for _, mention, _ in rows:
        best, overlap = "MISC", 0
        for p in by_doc.get(mention.article, ()):
            o = min(p.end, mention.end) - max(p.start, mention.start)
            if o > overlap:
                best, overlap = p.label, o
        out.append(replace(mention, label=best))
    return out


def ner_speed(docs: dict[str, str], found: list | None = None) -> dict[str, float]:
    """What newsweave itself does: spaCy mentions for every document, then resolution.
    The spaCy mentions are appended to ``found`` when given."""
    from newsweave.entities import resolve
    from newsweave.nlp import iter_mentions, load_model
    from newsweave.records import Article

    load_model()  # loading is a one-off cost, not throughput
    articles = [
        Article(
            id=doc_id,
            source_path=doc_id,
            title=None,
            outlet=None,
            agency=None,
            dateline=None,
            published=None,
            text=text,
        )
        for doc_id, text in docs.items()
    ]
    t0 = time.perf_counter()
    mentions = [m for _, ms in iter_mentions(articles) for m in ms]
    t1 = time.perf_counter()
    res = resolve(articles, mentions)
    t2 = time.perf_counter()
    if found is not None:
        found.extend(mentions)
    words = sum(len(t.split()) for t in docs.values())
    return {
        "articles_per_s": round(len(articles) / (t1 - t0), 1),
        "words_per_s": round(words / (t1 - t0), 0),
        "mentions": len(mentions),
        "resolve_mentions_per_s": round(len(mentions) / (t2 - t1), 1),
        "entities": len(res.entities),
    }


# --------------------------------------------------------------------------- seeds


def seed_checks(seeds: Path) -> dict[str, bool]:
    from newsweave.entities import resolve
    from newsweave.nlp import iter_mentions
    from newsweave.records import Article

    articles = [
        Article(
            id=p.stem,
            source_path=str(p),
            title=None,
            outlet=None,
            agency=None,
            dateline=None,
            published=None,
            text=p.read_text(encoding="utf-8"),
        )
        for p in sorted(seeds.glob("*.txt"))
    ]
    mentions = [m for _, ms in iter_mentions(articles) for m in ms]
    res = resolve(articles, mentions)

    def together(*forms: str) -> bool:
        owners = {e.id for e in res.entities for f in forms if f in e.aliases}
        covered = all(any(f in e.aliases for e in res.entities) for f in forms)
        return covered and len(owners) == 1

    return {
        "sergey_sergei_shoigu": together("Sergey Shoigu", "Sergei Shoigu", "Shoigu"),
        "rajnath_singh_singh": together("Rajnath Singh", "Singh"),
        "sco_expansion": together("SCO", "Shanghai Cooperation Organisation"),
        "ak203_variants": together("AK-203", "AK203", "AK-47 203"),
        "mod_expansion": together("MoD", "Ministry of Defence"),
        "ak47_kept_apart": not together("AK-47", "AK203"),
    }


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--threshold", type=float, default=None, help="related_threshold override")
    ap.add_argument("--sweep", action="store_true", help="also score several thresholds")
    args = ap.parse_args(argv)

    from newsweave.entities import resolve

    print(f"loading {args.data}", file=sys.stderr)
    docs, gold = load(args.data)
    rows = locate(docs, gold)
    mids = {mid for mid, _, _ in rows}
    named = {
        mid
        for mid, mention, _ in rows
        if any(ch.isupper() for ch in mention.text)
        and re.sub(r"\W|'s$", "", mention.text.lower()) not in _PRONOUNS
    }
    # ECB+ annotates only entities taking part in the annotated events: every other mention
    # is a gold singleton even when it names a chained entity ("Microsoft" outside the
    # event). "chained" scores only mentions with a gold chain, which removes that artefact.
    chained = {mid for mid, _, m in rows if m["chain"]}
    key = gold_clusters(rows)
    print(
        f"{len(docs)} documents, {len(rows)} entity mentions, {len(key)} gold entities",
        file=sys.stderr,
    )

    def evaluate(response: Clusters) -> dict:
        return {
            "all": score_all(key, response),
            "named": score_all(restrict(key, named), restrict(response, named)),
            "chained": score_all(restrict(key, chained), restrict(response, chained)),
            "named_chained": score_all(
                restrict(key, named & chained), restrict(response, named & chained)
            ),
        }

    results: dict[str, dict] = {}
    print("baseline: exact lower-case string", file=sys.stderr)
    results["baseline_exact"] = evaluate(clusters_by(rows, lambda m: m.text.lower()))
    print("baseline: head lemma", file=sys.stderr)
    lemmas = head_lemmas(rows)
    results["baseline_head_lemma"] = evaluate(clusters_by(rows, lambda m: lemmas[m.text]))

    mentions = [mention for _, mention, _ in rows]
    kwargs = {} if args.threshold is None else {"related_threshold": args.threshold}
    print("resolver", file=sys.stderr)
    t0 = time.perf_counter()
    res = resolve(docs, mentions, **kwargs)
    elapsed = time.perf_counter() - t0
    by_entity: dict[str, set] = defaultdict(set)
    for (mid, _, _), resolved in zip(rows, res.mentions, strict=True):
        by_entity[resolved.entity or f"none:{mid}"].add(mid)
    results["resolver"] = evaluate([frozenset(c) for c in by_entity.values()])
    results["resolver"]["entities"] = len(by_entity)
    results["resolver"]["mentions_per_s"] = round(len(mentions) / elapsed, 1)
    results["resolver"]["seconds"] = round(elapsed, 2)

    if args.sweep:
        sweep = {}
        for thr in (0.1, 0.15, 0.2, 0.3, 0.4, 1.0):
            r = resolve(docs, mentions, related_threshold=thr)
            groups: dict[str, set] = defaultdict(set)
            for (mid, _, _), resolved in zip(rows, r.mentions, strict=True):
                groups[resolved.entity or f"none:{mid}"].add(mid)
            s = evaluate([frozenset(c) for c in groups.values()])
            sweep[str(thr)] = {"b3_f1": s["all"]["b3_f1"], "conll_f1": s["all"]["conll_f1"]}
            print(f"threshold {thr}: {sweep[str(thr)]}", file=sys.stderr)
        results["threshold_sweep"] = sweep

    for name in ("baseline_exact", "baseline_head_lemma", "resolver"):
        a = results[name]["all"]
        print(
            f"{name:22s} B3 P/R/F1 {a['b3_p']:.3f}/{a['b3_r']:.3f}/{a['b3_f1']:.3f}"
            f"  CoNLL F1 {a['conll_f1']:.3f}"
            f"  (named: {results[name]['named']['conll_f1']:.3f},"
            f" chained: {results[name]['chained']['conll_f1']:.3f})",
            file=sys.stderr,
        )
    print("spaCy NER + resolution over the document texts", file=sys.stderr)
    spacy_mentions: list = []
    results["ner_pipeline"] = ner_speed(docs, spacy_mentions)
    # Not flattering the resolver: the same gold spans, but each labelled as spaCy labels
    # the overlapping span it finds (what newsweave really has), not by the gold ECB+ tag.
    print("resolver with spaCy's labels", file=sys.stderr)
    relabelled = spacy_labelled(rows, spacy_mentions)
    res2 = resolve(docs, relabelled, **kwargs)
    by2: dict[str, set] = defaultdict(set)
    for (mid, _, _), resolved in zip(rows, res2.mentions, strict=True):
        by2[resolved.entity or f"none:{mid}"].add(mid)
    results["resolver_spacy_labels"] = evaluate([frozenset(c) for c in by2.values()])
    results["named_gain_over_exact"] = {
        view: {
            name: round(
                results[name][view]["conll_f1"] - results["baseline_exact"][view]["conll_f1"], 4
            )
            for name in ("resolver", "resolver_spacy_labels")
        }
        for view in ("named", "named_chained")
    }
    print(f"named CoNLL gain over exact: {results['named_gain_over_exact']}", file=sys.stderr)
    seeds = seed_checks(args.seeds) if args.seeds.exists() else {}
    print(f"seed checks: {seeds}", file=sys.stderr)
    figures = {
        "dataset": str(args.data),
        "documents": len(docs),
        "mentions": len(mids),
        "named_mentions": len(named),
        "named_chained_mentions": len(named & chained),
        "chained_mentions": len(chained),
        "gold_entities": len(key),
        **results,
        "seeds": seeds,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
