"""Claims on real multi-outlet coverage: the pipeline's claims stage against hand labels.

What it runs: the product. The labelled documents are ingested into a temporary store with
the ordinary ``Newsweave.ingest`` (every derived stage up to events), then the ``claims``
step runs alone and is timed; its stored claims, contradictions and per-mention attributions
are scored against the labels.

Labels (``bench/labels/claims/*.jsonl``, see the README there) reference documents by a key:
a path relative to ``--data`` (``timeline17/bpoil_bbc/InputDocs/2010-04-30/3.htm.txt``), an
ECB+ document as ``ecbplus:<doc_id>`` (read from ``<data>/ecbplus/docs.jsonl`` and handed to
the pipeline as a news-please JSONL record), or the article's ``url`` (any folder of
news-please JSONL: when no key resolves to a file, the whole ``--data`` folder is ingested
and articles are matched by url). Spans are character offsets in the stored (cleaned) text
with a short quote; the quote re-anchors a span if cleaning moved it.

Figures:
- ``contested_precision``: product contradictions (pairs of claims) that the labels call a
  contradiction or an update; an unlabelled product pair counts as wrong.
- ``contested_recall``: labelled contradictions/updates the product flags (either claim order).
  ``contested_recall_by_labels``: the same per labels file; ``pairs.jsonl`` (found by hand,
  not from the product's listing) is the unbiased one.
- ``update_accuracy``: among flagged labelled pairs, the product's relation (contradiction vs
  update) equals the label's.
- ``corroboration_precision``: corroborated claims (two or more independent sources) whose
  labelled mention pairs all state one fact (``same-statement``, or ``compatible`` marked
  ``same_fact``: the same length in feet and metres); over labelled claims, unlabelled
  counted in ``corroboration_precision_strict``. ``corroboration_by_labels``: the same per
  labels file, from that file's pairs only (the sample read before and after a change).
- ``statements``: of labelled statements, the share the product extracts well formed (token
  F1 >= 0.9 with the labelled claim text: no speech tag left in, not cut short) and the share
  with the right speaker; ``wellformed_and_attributed`` needs both.
- ``claims_per_s``: claims the claims step stored per second of its wall time;
  ``claims_per_cpu_s`` the same per CPU second of this process (the fairer figure on a busy
  machine: the step runs in this process, one ONNX thread).

Usage: python bench/claims.py [--data PATH] [--labels FILE_OR_DIR] [--store DB]
Prints progress to stderr and one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _common import default_data, emit, log, peak_rss_mb  # noqa: E402
from newsweave.api import Newsweave  # noqa: E402
from newsweave.clean import detokenise_ptb  # noqa: E402
from newsweave.records import Article  # noqa: E402
from newsweave.store import claims as claims_store  # noqa: E402

DEFAULT_LABELS = ROOT / "bench" / "labels" / "claims"
GOOD_PAIRS = ("contradiction", "update")
PAIR_LABELS = ("contradiction", "update", "compatible", "same-statement")


@dataclass(frozen=True)
class Ref:
    """A labelled span: document key, offsets in the stored text, a short quote."""

    doc: str
    start: int
    end: int
    quote: str


def load_labels(path: Path) -> list[dict]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        sys.exit(f"{path}: no labels file (*.jsonl)")
    out = []
    for f in files:
        for n, line in enumerate(f.open(encoding="utf-8"), 1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                sys.exit(f"{f}:{n}: not JSON ({exc.msg})")
            if rec.get("kind") == "pair" and rec.get("label") not in PAIR_LABELS:
                sys.exit(f"{f}:{n}: pair label must be one of {', '.join(PAIR_LABELS)}")
            rec["_file"] = f.name
            rec["_line"] = n
            out.append(rec)
    return out


def _refs(rec: dict) -> Iterable[dict]:
    if rec.get("kind") == "pair":
        yield rec["a"]
        yield rec["b"]
    elif rec.get("kind") in ("statement", "doc"):
        yield rec


def label_docs(labels: Sequence[dict]) -> list[str]:
    return sorted({r["doc"] for rec in labels for r in _refs(rec)})


# --------------------------------------------------------------------------- input


def prepare_inputs(data: Path, docs: Sequence[str], work: Path) -> tuple[list[Path], bool]:
    """Paths to ingest for the labelled documents; (paths, by_url). ECB+ keys become one
    news-please JSONL file; file keys are ingested as they are; when no key resolves, the
    whole folder is ingested and matched by url."""
    paths: list[Path] = []
    ecb_wanted = {d.split(":", 1)[1] for d in docs if d.startswith("ecbplus:")}
    for d in docs:
        if not d.startswith("ecbplus:") and (data / d).is_file():
            paths.append(data / d)
    if ecb_wanted:
        src = next(
            (p for p in (data / "ecbplus" / "docs.jsonl", data / "docs.jsonl") if p.is_file()),
            None,
        )
        if src is not None:
            out = work / "ecbplus-newsplease.jsonl"
            with out.open("w", encoding="utf-8") as fh:
                for line in src.open(encoding="utf-8"):
                    rec = json.loads(line)
                    if rec["doc_id"] in ecb_wanted:
                        fh.write(
                            json.dumps(
                                {
                                    "url": f"ecbplus:{rec['doc_id']}",
                                    "title": None,
                                    "maintext": untokenise(rec["text"]),
                                    "source_domain": f"ecbplus-{rec['doc_id']}",
                                    "date_publish": None,
                                }
                            )
                            + "\n"
                        )
            paths.append(out)
    if paths:
        return paths, False
    if not data.exists():
        sys.exit(f"{data}: not found")
    return [data], True


_JOINS = [
    (re.compile(r"(\d) ?([.:]) (\d)"), r"\1\2\3"),  # "6 . 1" -> "6.1", "02 : 24" -> "02:24"
    (re.compile(r"(\d) ?, (\d{3})(?!\d)(?!,? \d{4})"), r"\1,\2"),  # "120 , 000", "2, 000ft"
    (re.compile(r"(\w) - (?=\w)"), r"\1-"),  # "36 - year - old" -> "36-year-old"
    (re.compile(r"([$£€]) (?=\d)"), r"\1"),
    (re.compile(r" ([’'])(s|S)\b"), r"\1\2"),
    (re.compile(r"\( "), "("),
    (re.compile(r" \)"), ")"),
]


def untokenise(text: str) -> str:
    """ECB+ texts come tokenised (PTB quotes, and "6 . 1", "120 , 000", "36 - year - old"
    in its newer half); hand the pipeline ordinary prose, as a news feed would."""
    text = detokenise_ptb(text)
    lines = []
    for line in text.split("\n"):
        line = re.sub(r" ([,.;:?!%])(?=\s|$)", r"\1", line)
        for pattern, repl in _JOINS:
            line = pattern.sub(repl, line)
        lines.append(line)
    return "\n".join(lines)


def doc_key(article: Article, data: Path) -> str:
    if article.url:
        return article.url
    try:
        return str(Path(article.source_path).resolve().relative_to(data.resolve()))
    except ValueError:
        return article.source_path


def anchor(text: str, ref: dict) -> tuple[int, int] | None:
    """The labelled span in ``text``: at its offsets when the quote is there, else at the
    quote's nearest occurrence."""
    start, end, quote = ref["start"], ref["end"], ref.get("quote", "")
    if not quote or text[start : start + len(quote)] == quote:
        return (start, end) if end <= len(text) else None
    hits = [m.start() for m in re.finditer(re.escape(quote), text)]
    if not hits:
        return None
    best = min(hits, key=lambda h: abs(h - start))
    return best, best + (end - start)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def covers(span: tuple[int, int], gold: tuple[int, int]) -> bool:
    """A product span stands for a labelled one when they overlap by half of the shorter."""
    ov = _overlap(span, gold)
    return ov > 0 and ov >= 0.5 * min(span[1] - span[0], gold[1] - gold[0])


_TOKEN = re.compile(r"\w+")


def token_f1(a: str, b: str) -> float:
    ta, tb = _TOKEN.findall(a.lower()), _TOKEN.findall(b.lower())
    if not ta or not tb:
        return 0.0
    common = defaultdict(int)
    for t in ta:
        common[t] += 1
    hit = 0
    for t in tb:
        if common[t] > 0:
            common[t] -= 1
            hit += 1
    if not hit:
        return 0.0
    p, r = hit / len(tb), hit / len(ta)
    return 2 * p * r / (p + r)


def _norm_name(s: str | None) -> str:
    if not s:
        return ""
    s = re.sub(r"\s*\((?:on Twitter|per [^)]*)\)", "", s)
    return " ".join(_TOKEN.findall(s.lower()))


def same_speaker(product: str | None, gold: str | None) -> bool:
    """Speakers match when both are absent, or the labelled name's words all occur in the
    product attribution (or the reverse): "BP spokesman Andrew Gowers" matches "Gowers" only
    if the label says "Gowers"; a label lists alternatives with " | "."""
    if not gold:
        return not product
    p = set(_norm_name(product).split())
    if not p:
        return False
    for alt in gold.split(" | "):
        g = set(_norm_name(alt).split())
        if g and (g <= p or p <= g):
            return True
    return False


# --------------------------------------------------------------------------- scoring


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=default_data(""))
    ap.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    ap.add_argument("--store", type=Path, help="keep the store here (default: a temp dir)")
    ap.add_argument("--errors", action="store_true", help="list misses and false alarms")
    ap.add_argument(
        "--dump-contested",
        type=Path,
        help="write the product's unlabelled contested pairs here (JSONL, label 'TODO'), to label",
    )
    args = ap.parse_args()
    labels = load_labels(args.labels)
    docs = label_docs(labels)
    with tempfile.TemporaryDirectory(prefix="nw-claims-bench-") as tmp:
        work = Path(tmp)
        paths, by_url = prepare_inputs(args.data, docs, work)
        db = args.store or work / "bench.db"
        t0 = time.perf_counter()
        with Newsweave(db) as nw:
            nw.ingest([str(p) for p in paths], analyze=False)
            ran = [s for s in _steps() if s != "claims"]
            nw.analyze(ran)
            t_pipe = time.perf_counter() - t0
            log(f"ingested and analysed {nw.count()} articles in {t_pipe:.1f} s")
            # time the claims step over everything (a kept store would otherwise be current)
            claims_store.drop_scopes(nw.store, list(claims_store.scope_fingerprints(nw.store)))
            t1, c1 = time.perf_counter(), time.process_time()
            nw.analyze(["claims"])
            t_claims, cpu_claims = time.perf_counter() - t1, time.process_time() - c1
            figures = score(nw, labels, args.data, t_claims, args.errors, args.dump_contested)
            figures["claims_cpu_s"] = round(cpu_claims, 2)
            figures["claims_per_cpu_s"] = round(figures["claims"] / cpu_claims, 1)
    figures["pipeline_s"] = round(t_pipe, 1)
    figures["matched_by"] = "url" if by_url else "path"
    figures["peak_rss_mb"] = peak_rss_mb()
    emit(figures)


def _steps() -> list[str]:
    from newsweave.pipeline import STEPS

    return [step.name for step in STEPS]


def score(
    nw: Newsweave,
    labels: Sequence[dict],
    data: Path,
    t_claims: float,
    show: bool,
    dump: Path | None = None,
) -> dict:
    articles = nw.articles()
    by_key = {doc_key(a, data): a for a in articles}
    text_of = {a.id: a.text for a in articles}
    outlet_of = {a.id: a.outlet or a.id[:8] for a in articles}
    missing: set[str] = set()

    def resolve(ref: dict) -> tuple[str, tuple[int, int]] | None:
        art = by_key.get(ref["doc"])
        if art is None:
            missing.add(ref["doc"])
            return None
        span = anchor(art.text, ref)
        if span is None:
            missing.add(f"{ref['doc']} (quote {ref.get('quote', '')[:30]!r} not found)")
            return None
        return art.id, span

    claims = nw.claims()
    claim_by_id = {c.id: c for c in claims}
    contradictions = nw.contradictions()

    gold_pairs = []
    for rec in labels:
        if rec.get("kind") != "pair":
            continue
        ra, rb = resolve(rec["a"]), resolve(rec["b"])
        if ra and rb:
            gold_pairs.append((ra, rb, rec))

    def hits(claim, ref: tuple[str, tuple[int, int]]) -> bool:
        aid, span = ref
        return any(sp.article == aid and covers((sp.start, sp.end), span) for sp in claim.spans)

    def pair_labels(ca, cb) -> list[dict]:
        out = []
        for ra, rb, rec in gold_pairs:
            if (hits(ca, ra) and hits(cb, rb)) or (hits(ca, rb) and hits(cb, ra)):
                out.append(rec)
        return out

    # contested precision / recall
    tp = fp_labelled = fp_unlabelled = 0
    relation_right = relation_n = 0
    false_alarms, found = [], set()
    key_of_article = {a.id: doc_key(a, data) for a in articles}
    per_part: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # part -> [right, flagged]
    for x in contradictions:
        ca, cb = claim_by_id.get(x.a), claim_by_id.get(x.b)
        if ca is None or cb is None:
            continue
        recs = pair_labels(ca, cb)
        good = [r for r in recs if r["label"] in GOOD_PAIRS]
        tally = per_part[part_of(key_of_article[ca.articles[0]])]
        tally[0] += bool(good)
        tally[1] += 1
        if good:
            tp += 1
            for r in good:
                found.add(id(r))
            relation = getattr(x, "relation", "contradiction")
            relation_n += 1
            relation_right += int(relation == good[0]["label"])
        else:
            if recs:
                fp_labelled += 1
            else:
                fp_unlabelled += 1
            false_alarms.append((x, ca, cb, recs[0]["label"] if recs else "unlabelled"))
    n_pred = tp + fp_labelled + fp_unlabelled
    gold_good = [g for g in gold_pairs if g[2]["label"] in GOOD_PAIRS]
    recall_hits = sum(1 for g in gold_good if id(g[2]) in found)
    recall_part: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # part -> [found, labelled]
    recall_file: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # labels file -> same
    for g in gold_good:
        for tally in (recall_part[part_of(g[2]["a"]["doc"])], recall_file[g[2]["_file"]]):
            tally[0] += id(g[2]) in found
            tally[1] += 1

    # corroboration precision: a corroborated claim is right when every labelled pair of its
    # mentions states one fact (same-statement, or compatible figures of one fact: same_fact)
    def one_fact(rec: dict) -> bool:
        return rec["label"] == "same-statement" or (
            rec["label"] == "compatible" and bool(rec.get("same_fact"))
        )

    corr_ok = corr_bad = corr_unlabelled = 0
    by_file: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in claims:
        if c.status != "corroborated":
            continue
        recs = []
        for i, sa in enumerate(c.spans):
            for sb in c.spans[i + 1 :]:
                if sa.article == sb.article:
                    continue
                for ra, rb, rec in gold_pairs:
                    pa, pb = (sa.article, (sa.start, sa.end)), (sb.article, (sb.start, sb.end))
                    if (
                        (ra[0] == pa[0] and covers(pa[1], ra[1]))
                        and (rb[0] == pb[0] and covers(pb[1], rb[1]))
                    ) or (
                        (rb[0] == pa[0] and covers(pa[1], rb[1]))
                        and (ra[0] == pb[0] and covers(pb[1], ra[1]))
                    ):
                        recs.append(rec)
        if not recs:
            corr_unlabelled += 1
        elif all(one_fact(r) for r in recs):
            corr_ok += 1
        else:
            corr_bad += 1
            if show:
                log(f"WRONG CORROBORATION {c.id}: {c.text[:100]!r}")
        for name in {r["_file"] for r in recs}:  # per label file, that file's pairs only
            mine = [r for r in recs if r["_file"] == name]
            by_file[name][0 if all(one_fact(r) for r in mine) else 1] += 1

    # statements: well formed + attribution
    mention_of: dict[str, list[tuple[tuple[int, int], str, str | None]]] = defaultdict(list)
    for c in claims:
        attrs = getattr(c, "attributions", ()) or ()
        for k, sp in enumerate(c.spans):
            who = attrs[k] if k < len(attrs) else c.attribution
            mention_of[sp.article].append(((sp.start, sp.end), c.id, who))
    st_n = st_found = st_form = st_attr = st_both = 0
    for rec in labels:
        if rec.get("kind") != "statement":
            continue
        r = resolve(rec)
        if r is None:
            continue
        st_n += 1
        aid, span = r
        gold_text = text_of[aid][span[0] : span[1]]
        for t0, t1 in rec.get("drop", ()):  # a speech tag inside the labelled span
            gold_text = gold_text.replace(text_of[aid][t0:t1], " ")
        cands = [m for m in mention_of.get(aid, ()) if covers(m[0], span)]
        if not cands:
            if show:
                log(f"STATEMENT NOT EXTRACTED {rec['doc']}: {rec.get('quote')!r}")
            continue
        st_found += 1
        (ps, pe), cid, who = max(cands, key=lambda m: _overlap(m[0], span))
        ptext = claim_text(claim_by_id[cid], aid, ps, pe, text_of[aid])
        formed = token_f1(ptext, gold_text) >= 0.9
        attributed = same_speaker(who, rec.get("speaker"))
        st_form += formed
        st_attr += attributed
        st_both += formed and attributed
        if show and not (formed and attributed):
            log(
                f"STATEMENT {rec['doc']} form={formed} attr={attributed} "
                f"product={who!r} gold={rec.get('speaker')!r}\n   product: {ptext[:160]!r}"
                f"\n   gold:    {gold_text[:160]!r}"
            )

    if show:
        for x, ca, cb, lab in false_alarms:
            log(
                f"FALSE ALARM [{lab}] {x.kind}: {x.value_a!r} vs {x.value_b!r}\n"
                f"   A {outlet_of[ca.articles[0]]}: {ca.text[:150]!r}\n"
                f"   B {outlet_of[cb.articles[0]]}: {cb.text[:150]!r}"
            )
        for ra, rb, rec in gold_good:
            if id(rec) not in found:
                log(
                    f"MISSED {rec['_file']}:{rec['_line']} {rec['label']} ({rec.get('slot')}): "
                    f"{text_of[ra[0]][ra[1][0] : ra[1][1]][:120]!r} || "
                    f"{text_of[rb[0]][rb[1][0] : rb[1][1]][:120]!r}"
                )
    if dump is not None:
        key_of = {a.id: doc_key(a, data) for a in articles}

        def ref(claim, other, value: str) -> dict:  # noqa: ANN001
            """The mention that gives the disputed value (else the first one outside the
            other side's articles): the sentence a labeller must read."""
            texts = claim.texts if len(claim.texts) == len(claim.spans) else ()
            own = [k for k, x in enumerate(claim.spans) if x.article not in other.articles]
            giving = [k for k in own if texts and value in texts[k]]
            sp = claim.spans[(giving or own or [0])[0]]
            t = text_of[sp.article]
            return {
                "doc": key_of[sp.article],
                "start": sp.start,
                "end": sp.end,
                "quote": t[sp.start : sp.start + 60],
            }

        with dump.open("w", encoding="utf-8") as fh:
            for x, ca, cb, lab in false_alarms:
                if lab != "unlabelled":
                    continue
                rec = {
                    "kind": "pair",
                    "a": ref(ca, cb, x.value_a),
                    "b": ref(cb, ca, x.value_b),
                    "label": "TODO",
                    "slot": x.kind,
                    "note": f"{x.value_a} vs {x.value_b} ({x.relation})",
                    "by": "claims helper (read the product's contested pair)",
                }
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if missing:
        log(f"{len(missing)} labelled documents/spans not found: {sorted(missing)[:5]}")

    def ratio(a: int, b: int) -> float | None:
        return round(a / b, 4) if b else None

    n_corr = corr_ok + corr_bad
    return {
        "bench": "claims",
        "articles": len(articles),
        "claims": len(claims),
        "labels": {
            "pairs": len(gold_pairs),
            "contradiction_or_update": len(gold_good),
            "statements": st_n,
            "unresolved": len(missing),
        },
        "contested_pairs": n_pred,
        "contested_precision": ratio(tp, n_pred),
        "contested_false_labelled": fp_labelled,
        "contested_unlabelled": fp_unlabelled,
        "contested_recall": ratio(recall_hits, len(gold_good)),
        # the same two figures per part of the set (e.g. ECB+ vs Timeline17 bpoil), to see
        # whether what was tuned on one part holds on the other
        "contested_by_part": {
            part: {
                "precision": ratio(*per_part[part]),
                "recall": ratio(*recall_part[part]),
                "flagged": per_part[part][1],
                "labelled": recall_part[part][1],
            }
            for part in sorted(set(per_part) | set(recall_part))
        },
        # recall per labels file: only pairs found by hand (pairs.jsonl) were labelled without
        # looking at what the product lists; a pairs_product* file holds pairs the product once
        # listed, so its recall says how many of them later code still finds
        "contested_recall_by_labels": {
            name: {"recall": ratio(*tally), "labelled": tally[1]}
            for name, tally in sorted(recall_file.items())
        },
        "update_accuracy": ratio(relation_right, relation_n),
        "corroborated_claims": sum(1 for c in claims if c.status == "corroborated"),
        "corroboration_precision": ratio(corr_ok, n_corr),
        "corroboration_labelled": n_corr,
        "corroboration_precision_strict": ratio(corr_ok, n_corr + corr_unlabelled),
        "corroboration_by_labels": {
            name: {"precision": ratio(ok, ok + bad), "claims": ok + bad}
            for name, (ok, bad) in sorted(by_file.items())
        },
        "statements_extracted": ratio(st_found, st_n),
        "statements_well_formed": ratio(st_form, st_n),
        "attribution_accuracy": ratio(st_attr, st_n),
        "wellformed_and_attributed": ratio(st_both, st_n),
        "claims_s": round(t_claims, 2),
        "claims_per_s": round(len(claims) / t_claims, 1) if t_claims else None,
        "articles_per_s_claims": round(len(articles) / t_claims, 1) if t_claims else None,
    }


def part_of(key: str) -> str:
    """The part of the labelled set a document belongs to: ``ecbplus``, a Timeline17 topic
    (``bpoil``), else ``other``."""
    if key.startswith("ecbplus:"):
        return "ecbplus"
    if key.startswith("timeline17/"):
        return key.split("/")[1].split("_")[0]
    return "other"


def claim_text(claim, article: str, start: int, end: int, text: str) -> str:
    """The text the product gives for one mention: the stored statement text when the
    claim's representative mention is this one, else the span (minus a dropped tag)."""
    texts = getattr(claim, "mention_texts", ()) or ()
    for sp, t in zip(claim.spans, texts, strict=False):
        if sp.article == article and (sp.start, sp.end) == (start, end):
            return t
    if claim.spans and (claim.spans[0].article, claim.spans[0].start) == (article, start):
        return claim.text
    return text[start:end]


if __name__ == "__main__":
    main()
