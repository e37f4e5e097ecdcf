"""Benchmark: copies stage vs datasketch MinHashLSH on a synthetic syndication set.

There is no public syndication ground truth we can ship, so we build one from real text:
Timeline17 articles (``../shared/data/timeline17``,
``<topic>_<outlet>/InputDocs/<date>/<n>.htm.txt``, PTB-tokenised, one sentence a line; we
detokenise them and group sentences into paragraphs of 1–3). With a fixed seed the originals
are split into four roles:

- **sources** (40 %): each gets 1–4 syndicated copies;
- **quoters** (12 %): untouched originals into which 2–4 consecutive sentences of a source
  ("the release") are pasted as a paragraph after a short new lead-in line;
- **donors** (10 %): never published; their sentences are the "local intro" paragraphs;
- **plain** (the rest): untouched originals — other articles on the same topics, the hard
  negatives.

Each copy applies, each with its own probability (all drawn from the seeded RNG):
new headline (0.8: the first sentence is replaced by a line of its words shuffled and
title-cased), dropped final paragraphs (0.6: keep 55–90 % of paragraphs), outlet furniture
added (0.6: a short line per fake outlet, e.g. "Follow Gulf Courier on Twitter for more updates."),
local intro paragraph (0.4: 1–2 donor sentences), dateline change (0.7: "CITY (Outlet) - "
prefix on the first body sentence), sentence-level copy edits (each sentence 0.15: delete a
word, insert "also", swap a word pair, or replace "said" with "told reporters"), paragraph
reordering (0.3: swap two non-lead paragraphs).

Page furniture kept by the Timeline17 crawl (sentences found verbatim in 3 or more originals)
is dropped first, as the clean stage would. Ground truth comes from provenance: every sentence
carries an origin id (sentences of ≥ 10 words that occur verbatim in two originals get one
shared origin id; such originals sharing 2 or more sentences are dropped as pre-existing
copies). A **document pair** is gold when both come
from the same source family (source + its copies). A **passage** is gold when the two documents
share an origin: the characters of those sentences in both documents. Scores: pairwise P/R/F1
on near-duplicate document pairs; span-level (character) P/R/F1 over all pairs for passages.

datasketch runs in the same process on the same documents: MinHash(128 perms) over 5-word
shingles of the same lower-cased word tokens, MinHashLSH(threshold) with query-then-insert; its
predicted pairs are the LSH results (unverified, as it is normally used). Throughput
``docs_per_s`` is documents per CPU-second of the process (both systems are single-threaded,
so this is per core and robust to a shared machine), after one untimed warm-up run of each
system on the first 200 documents; ``docs_per_s_wall`` is wall-clock. The newsweave
document-level figure uses the near-duplicate-only candidate mode (half of the anchor sample,
estimate ≥ 0.2, every candidate verified exactly); passages use the full sample.
Peak RSS is per phase, measured in a forked child (it includes the parent's memory at fork,
reported as ``rss_base_mb``).

The scale figure (``--scale N``, default 100000, 0 skips) builds N documents the same way from
pseudo-originals (each original with 50 % of its words replaced from the corpus vocabulary by a
per-family RNG, so the families are distinct texts) and times document-level detection only.

Usage: .venv/bin/python bench/copies.py [--data PATH] [--limit N] [--scale N] [--seed 17]
Prints progress on stderr and one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from newsweave.clean import detokenise_ptb

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "timeline17"

_WORD = re.compile(r"\w+")

FURNITURE = [
    "Follow {o} on Twitter for more updates.",
    "Copyright {o}. All rights reserved.",
    "Read more stories like this at {o} online.",
    "Sign up for the {o} morning newsletter.",
    "(Reporting by {o} staff; editing by the {o} desk)",
]
OUTLETS = [
    "Gulf Courier",
    "Daily Ledger",
    "Metro Wire",
    "Coastal Post",
    "Evening Standard Star",
    "Capital Times",
    "Northern Herald",
    "Valley Tribune",
    "Harbor News",
    "Plains Gazette",
    "Atlantic Monitor",
    "River City Press",
]
CITIES = ["NEW YORK", "LONDON", "WASHINGTON", "HOUSTON", "CAIRO", "PARIS", "TORONTO", "SYDNEY"]
LEAD_INS = [
    "In a statement released on the day, officials said:",
    "The full statement read in part:",
    "According to the release:",
]


def detok(line: str) -> str:
    """One Timeline17 line as prose, with the clean stage's own PTB detokeniser."""
    return re.sub(r"\s+", " ", detokenise_ptb(line.strip())).strip()


def norm_key(sentence: str) -> str:
    return " ".join(_WORD.findall(sentence.lower()))


@dataclass
class Doc:
    id: str
    family: int | None  # index of the source original, for syndicated families
    paragraphs: list[list[tuple[str, int]]]  # (sentence text, origin id)
    text: str = ""
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # (start, end, origin)

    def render(self) -> None:
        parts: list[str] = []
        pos = 0
        self.spans = []
        for p, para in enumerate(self.paragraphs):
            if p:
                parts.append("\n\n")
                pos += 2
            for s, (sent, origin) in enumerate(para):
                if s:
                    parts.append(" ")
                    pos += 1
                parts.append(sent)
                self.spans.append((pos, pos + len(sent), origin))
                pos += len(sent)
        self.text = "".join(parts)


class Origins:
    """Origin ids: long sentences with the same words share one id, all others are unique."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        self.next = 0

    def fresh(self) -> int:
        self.next += 1
        return self.next

    def of(self, sentence: str) -> tuple[int, bool]:
        key = norm_key(sentence)
        if len(key.split()) < 10:
            return self.fresh(), False
        if key in self.by_key:
            return self.by_key[key], True
        self.by_key[key] = self.fresh()
        return self.by_key[key], False


def load_originals(root: Path, limit: int | None, rng: random.Random) -> list[list[str]]:
    files = sorted(root.glob("*/InputDocs/*/*.txt"))
    if not files:
        sys.exit(f"bench/copies.py: no Timeline17 files under {root}")
    rng.shuffle(files)
    docs: list[list[str]] = []
    for path in files:
        sents = [
            detok(line) for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
        ]
        sents = [s for s in sents if len(s.split()) >= 3][:40]
        if len(sents) >= 8:
            docs.append(sents)
        if limit and len(docs) >= limit:
            break
    # Page furniture the Timeline17 crawl kept ("Views expressed in the comments do not
    # represent those of Reuters.") repeats verbatim across many articles; like the clean
    # stage, drop sentences found in 3 or more originals.
    seen = Counter(k for sents in docs for k in {norm_key(s) for s in sents})
    docs = [[s for s in sents if seen[norm_key(s)] < 3] for sents in docs]
    return [sents for sents in docs if len(sents) >= 8]


def paragraphs_of(sents: list[tuple[str, int]], rng: random.Random) -> list[list[tuple[str, int]]]:
    paras, i = [], 0
    while i < len(sents):
        n = rng.choice((1, 2, 2, 3))
        paras.append(sents[i : i + n])
        i += n
    return paras


def copy_edit(sentence: str, rng: random.Random) -> str:
    words = sentence.split(" ")
    if len(words) < 6:
        return sentence
    op = rng.randrange(4)
    i = rng.randrange(1, len(words) - 1)
    if op == 0:
        del words[i]
    elif op == 1:
        words.insert(i, "also")
    elif op == 2:
        words[i], words[i + 1] = words[i + 1], words[i]
    elif "said" in words:
        words[words.index("said")] = "told reporters"
    else:
        del words[i]
    return " ".join(words)


def make_copy(
    src: Doc, cid: str, rng: random.Random, donors: list[tuple[str, int]], origins: Origins
) -> Doc:
    paras = [list(p) for p in src.paragraphs]
    outlet = rng.choice(OUTLETS)
    if rng.random() < 0.8:  # new headline, on its own line, instead of the first sentence
        words = paras[0][0][0].split()
        rng.shuffle(words)
        head = " ".join(w.capitalize() for w in words[: rng.randint(6, 11)])
        rest = paras[0][1:]
        paras[0] = [(head, origins.fresh())]
        if rest:
            paras.insert(1, rest)
    if rng.random() < 0.3 and len(paras) > 4:  # paragraph reordering
        i = rng.randrange(1, len(paras) - 2)
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
    if rng.random() < 0.6 and len(paras) > 3:  # dropped final paragraphs
        keep = max(2, round(len(paras) * rng.uniform(0.55, 0.9)))
        paras = paras[:keep]
    paras = [
        [(copy_edit(s, rng) if rng.random() < 0.15 else s, o) for s, o in para] for para in paras
    ]
    if rng.random() < 0.7 and len(paras) > 1:  # dateline change
        s, o = paras[1][0]
        paras[1][0] = (f"{rng.choice(CITIES)} ({outlet}) - {s}", o)
    if rng.random() < 0.4 and donors:  # local intro paragraph
        intro = [donors.pop() for _ in range(min(len(donors), rng.randint(1, 2)))]
        paras.insert(1, intro)
    if rng.random() < 0.6:  # outlet furniture
        paras.append([(rng.choice(FURNITURE).format(o=outlet), origins.fresh())])
    return Doc(id=cid, family=src.family, paragraphs=paras)


def build_set(
    originals: list[list[str]],
    rng: random.Random,
    *,
    perturb: float = 0.0,
    vocab: list[str] | None = None,
    prefix: str = "d",
    family_offset: int = 0,
) -> list[Doc]:
    """The synthetic syndication set (see the module docstring for roles and transforms)."""
    origins = Origins()
    base: list[Doc] = []
    seen_long: set[int] = set()
    for n, sents in enumerate(originals):
        if perturb and vocab:
            frng = random.Random(rng.random())
            sents = [
                " ".join(frng.choice(vocab) if frng.random() < perturb else w for w in s.split())
                for s in sents
            ]
        tagged, dup = [], 0
        for s in sents:
            oid, shared = origins.of(s)
            dup += shared and oid in seen_long
            tagged.append((s, oid))
        if dup >= 2:  # a pre-existing copy of an earlier original: not a clean negative
            continue
        seen_long.update(o for _, o in tagged)
        base.append(Doc(id=f"{prefix}{n:06d}", family=None, paragraphs=paragraphs_of(tagged, rng)))
    rng.shuffle(base)
    n = len(base)
    n_src, n_quote, n_donor = int(0.40 * n), int(0.12 * n), int(0.10 * n)
    sources = base[:n_src]
    quoters = base[n_src : n_src + n_quote]
    donor_docs = base[n_src + n_quote : n_src + n_quote + n_donor]
    plain = base[n_src + n_quote + n_donor :]
    donors = [s for d in donor_docs for p in d.paragraphs for s in p]
    rng.shuffle(donors)
    docs: list[Doc] = []
    for f, src in enumerate(sources):
        src.family = family_offset + f
        docs.append(src)
        for c in range(rng.randint(1, 4)):
            docs.append(make_copy(src, f"{src.id}c{c}", rng, donors, origins))
    for q in quoters:
        release = rng.choice(sources)
        flat = [s for p in release.paragraphs[1:] for s in p]
        if len(flat) < 4:
            continue
        k = rng.randint(2, 4)
        i = rng.randrange(0, len(flat) - k)
        at = rng.randrange(1, max(2, len(q.paragraphs)))
        q.paragraphs.insert(at, flat[i : i + k])
        q.paragraphs.insert(at, [(rng.choice(LEAD_INS), origins.fresh())])
        docs.append(q)
    docs.extend(plain)
    rng.shuffle(docs)
    for d in docs:
        d.render()
    return docs


# --------------------------------------------------------------------------- gold + scoring


def gold_doc_pairs(docs: list[Doc]) -> set[tuple[str, str]]:
    fam: dict[int, list[str]] = defaultdict(list)
    for d in docs:
        if d.family is not None:
            fam[d.family].append(d.id)
    return {
        tuple(sorted((a, b)))  # type: ignore[misc]
        for ids in fam.values()
        for i, a in enumerate(ids)
        for b in ids[i + 1 :]
    }


def gold_passages(docs: list[Doc]) -> dict[tuple[str, str], tuple[list, list]]:
    """(a, b) -> (char spans in a, char spans in b) of sentences sharing an origin."""
    by_origin: dict[int, list[tuple[str, int, int]]] = defaultdict(list)
    for d in docs:
        for s, e, o in d.spans:
            by_origin[o].append((d.id, s, e))
    out: dict[tuple[str, str], tuple[list, list]] = {}
    for occ in by_origin.values():
        if len(occ) < 2 or len(occ) > 50:
            continue
        for i, (da, sa, ea) in enumerate(occ):
            for db, sb, eb in occ[i + 1 :]:
                if da == db:
                    continue
                if da > db:
                    da2, sa2, ea2, db2, sb2, eb2 = db, sb, eb, da, sa, ea
                else:
                    da2, sa2, ea2, db2, sb2, eb2 = da, sa, ea, db, sb, eb
                entry = out.setdefault((da2, db2), ([], []))
                entry[0].append((sa2, ea2))
                entry[1].append((sb2, eb2))
    return out


def prf(tp: float, n_pred: float, n_gold: float) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _length(spans: list[tuple[int, int]]) -> int:
    return sum(e - s for s, e in _merge(spans))


def _overlap(x: list[tuple[int, int]], y: list[tuple[int, int]]) -> int:
    x, y = _merge(x), _merge(y)
    i = j = tot = 0
    while i < len(x) and j < len(y):
        lo, hi = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        tot += max(0, hi - lo)
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return tot


def score_passages(pred: dict, gold: dict) -> dict[str, float]:
    tp = n_pred = n_gold = 0
    for key in set(pred) | set(gold):
        pa, pb = pred.get(key, ([], []))
        ga, gb = gold.get(key, ([], []))
        tp += _overlap(pa, ga) + _overlap(pb, gb)
        n_pred += _length(pa) + _length(pb)
        n_gold += _length(ga) + _length(gb)
    return prf(tp, n_pred, n_gold)


# --------------------------------------------------------------------------- the two systems


WARM_UP_DOCS = 200  # each system first runs once, untimed, on this many documents


def run_newsweave(docs: list[Doc], passages: bool, warm_up: bool = True) -> dict:
    from newsweave.copies import (
        AnchorIndex,
        CopiesConfig,
        SentenceSplitter,
        compare,
        fingerprint_texts,
        is_near_duplicate,
        verify_pair,
    )
    from newsweave.records import Article

    if warm_up:  # steady-state throughput: first calls fault in memory and caches
        run_newsweave(docs[:WARM_UP_DOCS], False, warm_up=False)
    cfg = CopiesConfig()
    t0, c0 = time.perf_counter(), time.process_time()
    index = AnchorIndex(cfg)
    text_of = {d.id: d.text for d in docs}
    near: set[tuple[str, str]] = set()
    n_cand = 0
    batch = 5000
    # Like the pipeline: only this batch's and the previous batch's fingerprints are kept; a
    # candidate partner from an earlier batch is re-fingerprinted from its text (the store
    # keeps texts, not shingles).
    previous: dict = {}
    for i in range(0, len(docs), batch):
        chunk = docs[i : i + batch]
        new = fingerprint_texts([d.id for d in chunk], [d.text for d in chunk], cfg)
        fps = {**previous, **{f.article: f for f in new}}
        previous = {f.article: f for f in new}
        index.add(new)
        # Near-duplicates only: half the anchor sample, a low estimate floor (0.2 for a 0.5
        # containment threshold), then exact verification of every candidate.
        cands = index.candidates(new, min_estimate=0.2, half_sample=True)
        old = sorted({x for c in cands for x in (c.a, c.b)} - fps.keys())
        fps.update((f.article, f) for f in fingerprint_texts(old, [text_of[x] for x in old], cfg))
        for c in cands:
            n_cand += 1
            if is_near_duplicate(verify_pair(fps[c.a], fps[c.b]), cfg):
                near.add((c.a, c.b))
    out = {
        "near_pairs": near,
        "doc_seconds": time.perf_counter() - t0,
        "doc_cpu_seconds": time.process_time() - c0,
        "candidates": n_cand,
        "index_bytes_per_article": index.nbytes / max(1, len(docs)),
    }
    if passages:
        t1 = time.perf_counter()
        by_id = {d.id: d for d in docs}
        sents = SentenceSplitter()  # pysbd, only on the paragraphs passages touch

        def art(d: Doc) -> Article:
            return Article(
                id=d.id,
                source_path="",
                title=None,
                outlet=None,
                agency=None,
                dateline=None,
                published=None,
                text=d.text,
            )

        fps = {
            f.article: f
            for f in fingerprint_texts([d.id for d in docs], [d.text for d in docs], cfg)
        }
        pred: dict[tuple[str, str], tuple[list, list]] = {}
        pairs_near: set[tuple[str, str]] = set()
        for cand in index.candidates(list(fps.values())):
            a, b = cand.a, cand.b
            res = compare(art(by_id[a]), art(by_id[b]), fps[a], fps[b], cfg, sentences=sents)
            if res is None:
                continue
            if res.link.kind == "near-duplicate":
                pairs_near.add((a, b))
            pred[(a, b)] = (
                [(p[0].start, p[0].end) for p in res.link.passages],
                [(p[1].start, p[1].end) for p in res.link.passages],
            )
        out["passages"] = pred
        out["passage_seconds"] = time.perf_counter() - t1
        out["near_pairs_full"] = pairs_near
    return out


def run_datasketch(docs: list[Doc], threshold: float, warm_up: bool = True) -> dict:
    from datasketch import MinHash, MinHashLSH

    if warm_up:
        run_datasketch(docs[:WARM_UP_DOCS], threshold, warm_up=False)
    t0, c0 = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    pairs: set[tuple[str, str]] = set()
    for d in docs:
        w = _WORD.findall(d.text.lower())
        shingles = {" ".join(w[j : j + 5]).encode("utf-8") for j in range(max(1, len(w) - 4))}
        m = MinHash(num_perm=128)
        m.update_batch(list(shingles))
        for other in lsh.query(m):
            pairs.add(tuple(sorted((d.id, other))))  # type: ignore[arg-type]
        lsh.insert(d.id, m)
    return {
        "near_pairs": pairs,
        "doc_seconds": time.perf_counter() - t0,
        "doc_cpu_seconds": time.process_time() - c0,
    }


def _child(target, args, queue) -> None:  # runs in a forked process: its own peak RSS
    result = target(*args)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def in_child(target, *args) -> dict:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(target, args, queue))
    proc.start()
    while True:
        try:
            result = queue.get(timeout=1.0)
            break
        except Exception:  # queue.Empty: keep waiting while the child lives
            if not proc.is_alive():
                sys.exit(f"bench/copies.py: {target.__name__} failed (exit {proc.exitcode})")
    proc.join()
    return result


def log(msg: str) -> None:
    print(f"[copies bench] {msg}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=1500, help="originals to read (0 = all)")
    ap.add_argument(
        "--scale", type=int, default=100_000, help="documents for the scale run (0 skips)"
    )
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--threshold", type=float, default=0.5)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    originals = load_originals(args.data, args.limit or None, rng)
    docs = build_set(originals, rng)
    gold_pairs = gold_doc_pairs(docs)
    gold_pass = gold_passages(docs)
    rss_base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log(f"{len(originals)} originals -> {len(docs)} documents, {len(gold_pairs)} gold pairs")

    ours = in_child(run_newsweave, docs, True)
    log(f"newsweave: docs {ours['doc_seconds']:.2f}s, passages {ours['passage_seconds']:.1f}s")
    theirs = in_child(run_datasketch, docs, args.threshold)
    log(f"datasketch: {theirs['doc_seconds']:.1f}s")

    def doc_scores(pred: set) -> dict:
        return prf(len(pred & gold_pairs), len(pred), len(gold_pairs))

    ours_doc = doc_scores(ours["near_pairs"])
    theirs_doc = doc_scores(theirs["near_pairs"])
    ours_dps = len(docs) / ours["doc_cpu_seconds"]
    theirs_dps = len(docs) / theirs["doc_cpu_seconds"]
    result = {
        "data": str(args.data),
        "seed": args.seed,
        "threshold": args.threshold,
        "originals": len(originals),
        "documents": len(docs),
        "gold_doc_pairs": len(gold_pairs),
        "gold_passage_pairs": len(gold_pass),
        "rss_base_mb": round(rss_base, 1),
        "newsweave": {
            "doc": ours_doc,
            "passage": score_passages(ours["passages"], gold_pass),
            "docs_per_s": round(ours_dps, 1),
            "docs_per_s_wall": round(len(docs) / ours["doc_seconds"], 1),
            "passage_docs_per_s": round(len(docs) / ours["passage_seconds"], 1),
            "candidate_pairs": ours["candidates"],
            "index_bytes_per_article": round(ours["index_bytes_per_article"], 1),
            "peak_rss_mb": round(ours["peak_rss_mb"], 1),
        },
        "datasketch": {
            "doc": theirs_doc,
            "docs_per_s": round(theirs_dps, 1),
            "docs_per_s_wall": round(len(docs) / theirs["doc_seconds"], 1),
            "peak_rss_mb": round(theirs["peak_rss_mb"], 1),
        },
        "ratio_docs_per_s": round(ours_dps / theirs_dps, 2),
        "ratio_doc_f1": round(ours_doc["f1"] / theirs_doc["f1"], 3) if theirs_doc["f1"] else None,
    }
    if args.scale:
        log(f"scale: building {args.scale} documents")
        vocab = sorted({w for s in originals for line in s for w in line.split()})
        all_originals = load_originals(args.data, None, random.Random(args.seed))
        srng = random.Random(args.seed + 1)
        scale_docs: list[Doc] = []
        round_no = 0
        while len(scale_docs) < args.scale:
            made = build_set(
                all_originals,
                srng,
                perturb=0.5,
                vocab=vocab,
                prefix=f"s{round_no}_",
                family_offset=round_no * 1_000_000,
            )
            for d in made:  # only texts and families are needed from here on
                d.paragraphs, d.spans = [], []
            scale_docs.extend(made)
            round_no += 1
            log(f"scale: {len(scale_docs)} documents")
        scale_docs = scale_docs[: args.scale]
        sgold = gold_doc_pairs(scale_docs)
        scale_base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        big = in_child(run_newsweave, scale_docs, False)
        result["scale"] = {
            "documents": len(scale_docs),
            "doc": prf(len(big["near_pairs"] & sgold), len(big["near_pairs"]), len(sgold)),
            "docs_per_s": round(len(scale_docs) / big["doc_cpu_seconds"], 1),
            "docs_per_s_wall": round(len(scale_docs) / big["doc_seconds"], 1),
            "seconds": round(big["doc_seconds"], 1),
            "candidate_pairs": big["candidates"],
            "index_bytes_per_article": round(big["index_bytes_per_article"], 1),
            "peak_rss_mb": round(big["peak_rss_mb"], 1),
            "rss_base_mb": round(scale_base, 1),  # the generated texts, held by the parent
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
