"""What a reader gets from the briefing on Timeline17: length, honest citations, clean titles.

For each Timeline17 topic folder (``<topic>_<outlet>``, one outlet's coverage of one topic),
the articles are ingested into a fresh store with every stage (:meth:`Newsweave.ingest`,
exactly what ``newsweave ingest`` does) and the Markdown briefing is built
(:meth:`Newsweave.brief`, what ``newsweave brief`` prints). From that text:

* ``words`` / ``lines``: how long the briefing is (what a reader has to get through);
* ``citation_precision``: of every ``[n]`` citation on a summary, event, timeline or
  disagreement line, the share whose cited article holds a sentence that says the same as
  the line — by the product's alignment (:func:`newsweave.brief.says_the_same`, computed
  here over the line and the cited article's sentences), and ``citation_precision_lexical``
  by a plain judge independent of it: some sentence of the cited article contains at least
  60 % of the line's content words (names included, Porter-stemmed) and all its numbers.
  Citations hidden behind ``[+k]`` cannot be checked and are not counted;
* ``clutter_titles``: the share of story and event titles that are bylines or page clutter
  (a byline "By Name …correspondent…", a reader comment "… wrote:", a widget "BACK {…}",
  "Search, find and watch", a timestamp "Last updated at", "UK time", a "|" stamp, a photo
  credit); the goal is 0;
* ``cut_titles``: the share of story and event titles that end in "…" — a stand-in sentence
  cut short, never a headline (what an untitled article or a headline glued to its caption
  and first sentence shows);
* ``headline_*`` (no ingest needed): on the hand-labelled sample in
  ``bench/labels/titles/timeline17.tsv`` (README there), each labelled file is read and
  cleaned by the product's reader and clean stage and its displayed title taken as the
  group stage takes it (``Article.title``, else :func:`newsweave.group.headline`'s stand-in).
  Of the files whose page has a headline: ``headline_exact`` — the title is the headline;
  ``headline_extra_words`` — the title starts with the headline and carries more words (a
  standfirst, caption or first sentence glued on: the defect this measures, goal 0);
  ``headline_missed`` — any other title. Of the files whose page has no headline:
  ``caption_as_headline`` — the product claims a headline (``Article.title``) anyway.
  Words are compared lower-cased, letters and digits only, so quote styles do not count;
* ``largest_story_share``: the share of the folder's articles in its largest story, and
  ``stories`` / ``events``.

Overall figures are totals (words, lines, stories) and pooled shares (precision over all
citations, clutter over all titles).

Usage: python bench/brief.py [--data PATH] [--topics bpoil_bbc haiti_bbc ...] [--keep DIR]
       python bench/brief.py --briefs DIR   # score briefs another version wrote there
       python bench/brief.py --titles-only  # only the labelled headline figures (seconds)
Prints progress to stderr and one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import newsweave  # noqa: E402
from _common import default_data, emit, log, peak_rss_mb  # noqa: E402
from newsweave.brief import supported_by  # noqa: E402
from newsweave.clean import clean  # noqa: E402
from newsweave.group import headline  # noqa: E402
from newsweave.ingest import InputFile, read_file  # noqa: E402
from newsweave.sentences import split_sentences  # noqa: E402

CLUTTER = re.compile(
    r"^By (?:the )?[A-Z]"  # a byline as title
    r"|\bBy [A-Z][a-z]+ [A-Z][a-z]+\b.{0,40}\b(?:correspondent|reporter|editor|BBC News|CNN)\b"
    r"|\bwrote\s*:"  # a reader comment
    r"|BACK\s*\{|\{\s*current\s*\}"  # a slideshow widget
    r"|Search, find and watch"
    r"|Last updated at|\bUK time\b|\d{1,2}:\d{2}\s*(?:GMT|BST|[AP]M)\b"
    r"|\|"
    r"|\b(?:Image|Photo|Picture) (?:credit|courtesy)\b|\bHandout\b",
    re.IGNORECASE,
)
LABELS = ROOT / "bench" / "labels" / "titles" / "timeline17.tsv"
_CITE = re.compile(r"\[(\d+)\]")
_SOURCE = re.compile(r"^(\d+)\. .*\(`([0-9a-f]{6,})`\)\s*$")
_WORDS = re.compile(r"[a-z0-9]+")


def _stem(word: str) -> str:
    import snowballstemmer

    stemmer = _stem.__dict__.setdefault("stemmer", snowballstemmer.stemmer("porter"))
    return stemmer.stemWord(word)


def _content(text: str) -> set[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return {_stem(w) for w in _WORDS.findall(text.lower()) if w not in ENGLISH_STOP_WORDS}


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d[\d,.]*\d|\d", text))


def _title_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("…", ""))


def displayed_title(path: Path) -> tuple[str | None, str]:
    """(``Article.title``, the title the product shows) for one file, by the product's
    reader and clean stage, the stand-in taken as the group stage takes it."""
    for raw in read_file(InputFile(path, "text")):
        if isinstance(raw, Exception):
            raise SystemExit(f"{path}: {raw}")
        article = clean(raw)
        return article.title, article.title or headline(article.text) or ""
    raise SystemExit(f"{path}: no document")


def score_title_labels(data: Path, labels: Path, folders: set[str]) -> dict[str, dict]:
    """Per folder: how the displayed titles of the labelled files compare to the headline
    the page shows (see the module docstring)."""
    per: dict[str, dict] = {}
    lines = labels.read_text(encoding="utf-8").splitlines()[1:]
    for row in lines:
        folder, rel, gold = (row.split("\t") + ["", ""])[:3]
        if folder not in folders:
            continue
        c = per.setdefault(
            folder,
            {
                "with_headline": 0,
                "exact": 0,
                "extra": 0,
                "missed": 0,
                "without": 0,
                "caption_as_headline": 0,
                "examples": [],
            },
        )
        title, shown = displayed_title(data / folder / "InputDocs" / rel)
        if not gold:
            c["without"] += 1
            c["caption_as_headline"] += title is not None
            continue
        c["with_headline"] += 1
        want, got = _title_words(gold), _title_words(shown)
        if got == want:
            c["exact"] += 1
            continue
        kind = "extra" if got[: len(want)] == want else "missed"
        c[kind] += 1
        if len(c["examples"]) < 3:
            c["examples"].append(f"{kind}: {shown[:100]}")
    return per


def _title_figures(c: dict) -> dict:
    n, m = max(1, c["with_headline"]), max(1, c["without"])
    return {
        "headline_labelled": c["with_headline"],
        "headline_exact": round(c["exact"] / n, 3),
        "headline_extra_words": round(c["extra"] / n, 3),
        "headline_missed": round(c["missed"] / n, 3),
        "no_headline_labelled": c["without"],
        "caption_as_headline": round(c["caption_as_headline"] / m, 3),
        "headline_examples": c["examples"],
    }


def lexically_supported(line: str, sentences: list[str]) -> bool:
    """The plain judge: a sentence holds ≥ 60 % of the line's content words and its numbers."""
    want = _content(line)
    nums = _numbers(line)
    if not want:
        return False
    for s in sentences:
        if nums <= _numbers(s) and len(want & _content(s)) / len(want) >= 0.6:
            return True
    return False


def _line_text(line: str, section: str = "") -> str:
    """The quoted sentence of a cited line: without bullets, dates, labels and citations
    (a line under "Where sources disagree" quotes its claim between “ ”)."""
    text = re.sub(r"^\s*-\s*", "", line)
    text = re.sub(r"^\*\*[^*]+\*\*\s*(?:\*\([a-z]+\)\*\s*)?", "", text)  # timeline date/kind
    text = re.sub(r"(?:\[\d+\]|\[\+\d+\])+\s*$", "", text).strip()
    m = re.search(r"[“\"](.+)[”\"]", text)
    if section.startswith("Where sources disagree") and m:
        text = m.group(1)
    return text.replace("\\[", "[").replace("\\]", "]").replace("&lt;", "<").strip()


def score_brief(md: str, nw: newsweave.Newsweave) -> dict:
    """Citations and titles of one Markdown briefing (stories are separated by '## ')."""
    cites = supported = lexical = 0
    titles = clutter = cut = 0
    examples: list[str] = []
    cache: dict[str, list[str]] = {}
    for block in md.split("\n## ")[1:]:
        lines = block.splitlines()
        titles += 1
        clutter += bool(CLUTTER.search(lines[0]))
        cut += lines[0].rstrip().endswith("…")
        if CLUTTER.search(lines[0]) and len(examples) < 5:
            examples.append(lines[0][:120])
        number: dict[int, str] = {}
        for ln in lines:
            m = _SOURCE.match(ln)
            if m:
                number[int(m.group(1))] = m.group(2)
            if ln.startswith("#### "):
                titles += 1
                title = ln.split(" — ", 1)[-1]
                clutter += bool(CLUTTER.search(title))
                cut += title.rstrip().endswith("…")
                if CLUTTER.search(title) and len(examples) < 5:
                    examples.append(title[:120])
        section = ""
        for ln in lines:
            if ln.startswith("### "):
                section = ln[4:]
            if _SOURCE.match(ln) or ln.startswith("#") or not _CITE.search(ln):
                continue
            text = _line_text(ln, section)
            for n in map(int, _CITE.findall(ln)):
                prefix = number.get(n)
                if prefix is None:
                    continue
                if prefix not in cache:
                    art = nw.article(prefix)
                    cache[prefix] = [s.text for s in split_sentences(art)] if art else []
                cites += 1
                supported += supported_by(text, cache[prefix])
                lexical += lexically_supported(text, cache[prefix])
    return {
        "citations": cites,
        "supported": supported,
        "supported_lexical": lexical,
        "titles": titles,
        "clutter": clutter,
        "cut": cut,
        "clutter_examples": examples,
    }


def run_folder(folder: Path, workdir: Path, *, saved: bool = False) -> dict:
    """Ingest and brief one folder (or, with ``saved``, score ``<folder>.md`` made earlier
    from ``<folder>.db`` in ``workdir`` — how the figures of another version are taken)."""
    t0 = time.perf_counter()
    with newsweave.open(workdir / f"{folder.name}.db") as nw:
        if saved:
            md = (workdir / f"{folder.name}.md").read_text(encoding="utf-8")
        else:
            nw.ingest([str(folder / "InputDocs")])
            md = nw.brief()
            (workdir / f"{folder.name}.md").write_text(md, encoding="utf-8")
        stories = nw.stories()
        n_articles = nw.count()
        largest = max((len(s.articles) for s in stories), default=0)
        n_events = len(nw.events())
        scored = score_brief(md, nw)
    words = len(md.split())
    out = {
        "articles": n_articles,
        "stories": len(stories),
        "events": n_events,
        "largest_story_share": round(largest / max(1, n_articles), 3),
        "words": words,
        "lines": md.count("\n"),
        "citations": scored["citations"],
        "citation_precision": round(scored["supported"] / max(1, scored["citations"]), 3),
        "citation_precision_lexical": round(
            scored["supported_lexical"] / max(1, scored["citations"]), 3
        ),
        "titles": scored["titles"],
        "clutter_titles": round(scored["clutter"] / max(1, scored["titles"]), 3),
        "clutter_examples": scored["clutter_examples"],
        "cut_titles": round(scored["cut"] / max(1, scored["titles"]), 3),
        "seconds": round(time.perf_counter() - t0, 1),
        "_raw": scored,
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=default_data("timeline17"))
    ap.add_argument("--topics", nargs="*", help="topic folders (default: all)")
    ap.add_argument("--keep", type=Path, help="keep the stores and briefs in this folder")
    ap.add_argument(
        "--briefs",
        type=Path,
        help="score <folder>.md + <folder>.db already made here (e.g. by another version)",
    )
    ap.add_argument("--labels", type=Path, default=LABELS, help="headline labels (TSV)")
    ap.add_argument("--titles-only", action="store_true", help="only the labelled headline figures")
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: not a folder (expected Timeline17: <topic>_<outlet>/InputDocs)")
    if not args.labels.is_file():
        sys.exit(f"{args.labels}: no such labels file")
    folders = sorted(p for p in args.data.iterdir() if (p / "InputDocs").is_dir())
    if args.topics:
        folders = [p for p in folders if p.name in set(args.topics)]
    if not folders:
        sys.exit(f"{args.data}: no <topic>_<outlet>/InputDocs folders (or none of --topics)")
    labelled = score_title_labels(args.data, args.labels, {p.name for p in folders})
    per: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.briefs or args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for folder in folders if not args.titles_only else []:
            if args.briefs and not (work / f"{folder.name}.md").is_file():
                log(f"{folder.name}: no {folder.name}.md in {work}; skipped")
                continue
            log(f"{folder.name}: {'scoring' if args.briefs else 'ingesting and briefing'}")
            per[folder.name] = run_folder(folder, work, saved=args.briefs is not None)
            log(f"{folder.name}: { ({k: v for k, v in per[folder.name].items() if k != '_raw'}) }")
    for name, counts in labelled.items():
        per.setdefault(name, {}).update(_title_figures(counts))
    raw = [p.pop("_raw") for p in per.values() if "_raw" in p]
    cites = sum(r["citations"] for r in raw)
    titles = sum(r["titles"] for r in raw)
    pooled = {
        key: sum(c[key] for c in labelled.values())
        for key in ("with_headline", "exact", "extra", "missed", "without", "caption_as_headline")
    }
    overall = {"folders": len(per)}
    if raw:
        briefed = [p for p in per.values() if "words" in p]
        overall |= {
            "articles": sum(p["articles"] for p in briefed),
            "stories": sum(p["stories"] for p in briefed),
            "words": sum(p["words"] for p in briefed),
            "words_per_folder": round(sum(p["words"] for p in briefed) / len(briefed), 1),
            "citations": cites,
            "citation_precision": round(sum(r["supported"] for r in raw) / max(1, cites), 3),
            "citation_precision_lexical": round(
                sum(r["supported_lexical"] for r in raw) / max(1, cites), 3
            ),
            "titles": titles,
            "clutter_titles": round(sum(r["clutter"] for r in raw) / max(1, titles), 3),
            "cut_titles": round(sum(r["cut"] for r in raw) / max(1, titles), 3),
            "largest_story_share_max": max(p["largest_story_share"] for p in briefed),
        }
    overall |= {
        k: v
        for k, v in _title_figures(pooled | {"examples": []}).items()
        if k != "headline_examples"
    }
    emit(
        {
            "dataset": str(args.data),
            "labels": str(args.labels),
            "overall": overall,
            "per_folder": per,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
