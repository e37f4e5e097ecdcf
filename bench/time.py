"""Benchmark: temporal expressions against TimeML gold (TempEval-3 style scoring).

Reads ``*.tml`` files (TimeML: a DCT and, inside ``<TEXT>``, ``<TIMEX3 value=...>`` gold).
The tags are stripped here with their character offsets kept, the raw text goes through
:func:`newsweave.time.find_timexes` with the DCT, and the predictions are scored:

* span F1, strict (exact extent) and relaxed (any overlap), one-to-one matching;
* value accuracy on relaxed matches, and value F1 — a match that also has the gold value,
  over all predictions (precision) and all gold (recall). This is TempEval-3's "value F1"
  (attribute F1 over relaxed matches) — the figure HeidelTime reports as 77.61 on the
  TempEval-3 platinum news test set. It equals the official scorer's formula
  (``evaluate_entities.py``: exact-string value accuracy on relaxed matches × relaxed F1),
  which is 2·correct / (predicted + gold); ``value_f1_strict`` requires an exact extent too;
* ``value_f1_canonical`` compares values after formatting-only canonicalisation
  ("2000-W7" = "2000-W07", "1968-XX" = "1968", "199X" = "199"), because gold files
  disagree with each other on these paddings;
* expressions per second (extraction only) and peak RSS.

When the folder has a sibling ``Corpus-trial-data_task4_events_timelines`` (SemEval-2015
Task 4 trial data, whose ``.tml`` files carry no in-text TIMEX3), the TIMEX3 annotations of
the CAT XML files are used as gold instead, mapped onto the TML tokens.

Usage: ``python bench/time.py [--data DIR] [--errors N]``; progress on stderr, one JSON
object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newsweave.sentences import sentence_spans  # noqa: E402
from newsweave.time import find_timexes  # noqa: E402

DEFAULT_DATA = (
    ROOT.parent / "shared" / "data" / "semeval2015_trial" / "Corpus-trial-data_task4_TimeML"
)
HEIDELTIME_TE3 = {
    "system": "HeidelTime (TempEval-3 task A, platinum news test set)",
    "source": "UzZaman et al. 2013, SemEval-2013 Task 1 (TempEval-3), Table of task A results",
    "strict_f1": 0.8134,
    "relaxed_f1": 0.9030,
    "value_f1": 0.7761,
}


@dataclass
class Gold:
    start: int
    end: int
    text: str
    value: str
    type: str


@dataclass
class Doc:
    name: str
    dct: str | None
    text: str
    gold: list[Gold]
    gold_source: str = "tml"


_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*?)(/?)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def _unescape(s: str) -> str:
    for k, v in _ENTITIES.items():
        s = s.replace(k, v)
    return s


def strip_timeml(body: str) -> tuple[str, list[Gold]]:
    """Raw text of a TimeML ``<TEXT>`` body and its TIMEX3 spans in that text."""
    out: list[str] = []
    pos = 0
    length = 0
    gold: list[Gold] = []
    open_timex: tuple[int, dict[str, str]] | None = None
    for m in _TAG.finditer(body):
        chunk = _unescape(body[pos : m.start()])
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, tag, attrs = m.group(1), m.group(2), m.group(3)
        if tag == "TIMEX3":
            if not closing:
                open_timex = (length, dict(_ATTR.findall(attrs)))
            elif open_timex is not None:
                st, a = open_timex
                gold.append(Gold(st, length, "", a.get("value", ""), a.get("type", "")))
                open_timex = None
        elif tag == "s" and closing:
            out.append("\n")  # sentence elements carry no whitespace between them
            length += 1
    chunk = _unescape(body[pos:])
    out.append(chunk)
    text = "".join(out)
    for g in gold:
        g.text = text[g.start : g.end]
    return text, gold


def _cat_gold(cat: Path, text: str) -> list[Gold]:
    """TIMEX3s of a CAT XML file, mapped onto the TML text (tokens joined by spaces)."""
    root = ET.parse(cat).getroot()
    tokens = {
        t.get("t_id"): (int(t.get("sentence", "0")), int(t.get("number", "0")), t.text or "")
        for t in root.iter("token")
    }
    # CAT sentence k (k >= 1; 0 is the title) is the TML's k-th <s>, one line of our text
    line_starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            line_starts.append(i + 1)
    offsets: dict[str, tuple[int, int]] = {}
    cursors: dict[int, int] = {}
    for tid, (sent, _, tok) in sorted(tokens.items(), key=lambda kv: kv[1][1]):
        if sent < 1 or sent > len(line_starts):
            continue
        line_end = text.find("\n", line_starts[sent - 1])
        line_end = len(text) if line_end < 0 else line_end
        cur = cursors.get(sent, line_starts[sent - 1])
        i = text.find(tok, cur, line_end)
        if i < 0:
            continue
        offsets[tid] = (i, i + len(tok))
        cursors[sent] = i + len(tok)
    gold = []
    for tx in root.iter("TIMEX3"):
        ids = [a.get("t_id") for a in tx.iter("token_anchor")]
        spans = [offsets[i] for i in ids if i in offsets]
        if not spans:
            continue
        st, en = min(s for s, _ in spans), max(e for _, e in spans)
        gold.append(Gold(st, en, text[st:en], tx.get("value", ""), tx.get("type", "")))
    return gold


def load(folder: Path) -> list[Doc]:
    docs = []
    cat_dir = folder.parent / "Corpus-trial-data_task4_events_timelines"
    for path in sorted(folder.glob("*.tml")):
        raw = path.read_text(encoding="utf-8")
        dct_m = re.search(r"<DCT>.*?value=\"([^\"]+)\"", raw, re.S)
        body_m = re.search(r"<TEXT>(.*)</TEXT>", raw, re.S)
        if not body_m:
            continue
        text, gold = strip_timeml(body_m.group(1))
        source = "tml"
        if not gold and cat_dir.is_dir():
            stem = path.stem.split("_")[0].split("-")[0]
            cats = sorted(cat_dir.glob(f"{stem}[-_]*.xml"))
            if cats:
                gold, source = _cat_gold(cats[0], text), "cat"
        dct = dct_m.group(1)[:10] if dct_m else None
        docs.append(Doc(path.name, dct, text, gold, source))
    return docs


def canonical(value: str) -> str:
    """Formatting-only canonical form of a TIMEX3 value (paddings gold files disagree on)."""
    v = value.strip()
    v = re.sub(r"-W(\d)(?!\d)", r"-W0\1", v)
    v = re.sub(r"(?:-XX)+$", "", v)
    v = re.sub(r"^(\d{3})X$", r"\1", v)
    return v


def _match(pred, gold, strict: bool) -> list[tuple[int, int]]:
    """One-to-one matching of predictions to gold by extent (greedy, largest overlap)."""
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            if strict:
                if p.start == g.start and p.end == g.end:
                    pairs.append((p.end - p.start, i, j))
            else:
                ov = min(p.end, g.end) - max(p.start, g.start)
                if ov > 0:
                    pairs.append((ov, i, j))
    pairs.sort(reverse=True)
    used_p, used_g, out = set(), set(), []
    for _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        out.append((i, j))
    return out


def _f1(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Gold spans sometimes include trailing punctuation/space; compare on trimmed extents."""
    while end > start and text[end - 1] in " \n\t.,;:":
        end -= 1
    while start < end and text[start] in " \n\t":
        start += 1
    return start, end


def _trimmed(text: str, p):
    """A prediction with the same outer-punctuation trimming as the gold spans."""
    from dataclasses import replace

    start, end = _trim(text, p.start, p.end)
    return p if (start, end) == (p.start, p.end) else replace(p, start=start, end=end)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--errors", type=int, default=0, help="print N value/span errors to stderr")
    args = ap.parse_args()
    docs = load(args.data)
    if not docs:
        raise SystemExit(f"{args.data}: no .tml files with a <TEXT> element")
    print(f"{len(docs)} documents from {args.data}", file=sys.stderr)

    # sentence splitting is the pipeline's job; time it separately from extraction
    t0 = time.perf_counter()
    bounds = [sentence_spans(d.text) for d in docs]
    split_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    preds = [find_timexes(d.text, d.dct, sentences=b) for d, b in zip(docs, bounds, strict=True)]
    extract_s = time.perf_counter() - t0

    n_pred = n_gold = 0
    tp_strict = tp_relaxed = val_ok = val_ok_strict = val_ok_canon = type_ok = 0
    errors: list[str] = []
    missed = Counter()
    spurious = Counter()
    for d, pred in zip(docs, preds, strict=True):
        gold = [Gold(*_trim(d.text, g.start, g.end), g.text, g.value, g.type) for g in d.gold]
        pred = [_trimmed(d.text, p) for p in pred]
        n_pred += len(pred)
        n_gold += len(gold)
        strict_pairs = set(_match(pred, gold, strict=True))
        tp_strict += len(strict_pairs)
        relaxed = _match(pred, gold, strict=False)
        tp_relaxed += len(relaxed)
        matched_p = {i for i, _ in relaxed}
        matched_g = {j for _, j in relaxed}
        for i, j in relaxed:
            p, g = pred[i], gold[j]
            same = p.value == g.value
            val_ok += same
            val_ok_strict += same and (i, j) in strict_pairs
            val_ok_canon += canonical(p.value) == canonical(g.value)
            type_ok += p.type == g.type
            if not same and len(errors) < args.errors:
                errors.append(
                    f"{d.name} dct={d.dct} {g.text!r}: gold {g.value} got {p.value}"
                    f" ({p.text!r}, {p.rule})"
                )
        for j, g in enumerate(gold):
            if j not in matched_g:
                missed[g.text.lower()] += 1
        for i, p in enumerate(pred):
            if i not in matched_p:
                spurious[f"{p.text.lower()} [{p.rule}]"] += 1
    if args.errors:
        for line in errors:
            print("VALUE", line, file=sys.stderr)
        print("MISSED", missed.most_common(args.errors), file=sys.stderr)
        print("SPURIOUS", spurious.most_common(args.errors), file=sys.stderr)

    sp, sr, sf = _f1(tp_strict, n_pred, n_gold)
    rp, rr, rf = _f1(tp_relaxed, n_pred, n_gold)
    vp, vr, vf = _f1(val_ok, n_pred, n_gold)
    _, _, vfs = _f1(val_ok_strict, n_pred, n_gold)
    _, _, vfc = _f1(val_ok_canon, n_pred, n_gold)
    n_chars = sum(len(d.text) for d in docs)
    result = {
        "bench": "time",
        "data": str(args.data),
        "documents": len(docs),
        "gold_timexes": n_gold,
        "predicted_timexes": n_pred,
        "strict_precision": round(sp, 4),
        "strict_recall": round(sr, 4),
        "strict_f1": round(sf, 4),
        "relaxed_precision": round(rp, 4),
        "relaxed_recall": round(rr, 4),
        "relaxed_f1": round(rf, 4),
        "value_accuracy": round(val_ok / tp_relaxed, 4) if tp_relaxed else 0.0,
        "type_accuracy": round(type_ok / tp_relaxed, 4) if tp_relaxed else 0.0,
        "value_precision": round(vp, 4),
        "value_recall": round(vr, 4),
        "value_f1": round(vf, 4),
        "value_f1_strict": round(vfs, 4),
        "value_f1_canonical": round(vfc, 4),
        "expressions_per_s": round(n_pred / extract_s, 1) if extract_s else None,
        "chars_per_s": round(n_chars / extract_s, 1) if extract_s else None,
        "extract_s": round(extract_s, 3),
        "sentence_split_s": round(split_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "anchor": HEIDELTIME_TE3,
    }
    if any(d.gold_source == "cat" for d in docs):
        result["gold_source"] = "CAT XML TIMEX3 (SemEval-2015 trial: only the dateline)"
        result["note"] = (
            "this set annotates only the creation-time dateline of each article in the text,"
            " so precision and F1 here are not meaningful: read recall and value_accuracy;"
            " score precision on a full TimeML set (e.g. TempEval-3 TBAQ) with --data"
        )
    else:
        result["gold_source"] = "TimeML TIMEX3 in <TEXT>"
    if n_gold == 0:
        result["note"] = "no gold TIMEX3 in the text of this data set: only speed is measured"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
