"""Fuzz every reader (text, html, jsonl, csv) and clean() for a fixed time budget each.

Engine: atheris (coverage-guided libFuzzer, newsweave's modules instrumented) when it is
installed, else hypothesis (random generation, no coverage feedback). Each target runs in its
own child process for ``--seconds``, seeded with real inputs: the seed articles, Timeline17
articles, and JSONL / CSV / HTML renderings of them.

A target feeds the fuzzed bytes to the reader, then cleans every document it yields (so the
readers' output is also clean()'s input); the ``clean`` target builds a RawDocument (text,
format, metadata fields) from the bytes directly. Any exception that is not one of
newsweave.errors' types counts as a failure, as does a hang (libFuzzer ``-timeout``) or a
crash of the child. Failures are listed with a reproducer (the input, repr'd and cut).

    python bench/fuzz.py [--seconds 30] [--targets text,html,jsonl,csv,clean] [--engine atheris]

Whole-run mode (``--whole-run``) goes past single readers: it writes a folder mixing real
articles (every format, UTF-16 without a BOM, mixed UTF-8/cp1252, junk dates) with every
hostile kind of issue #15 (nested JSON, 5,000-digit integers, a 7 MB article, a 50 MB line,
a header-only CSV, binary and empty files, a control character in a file name, a symbolic
link out of the folder, an unreadable folder when not root) and ``--mutants`` mutated real
files, then runs the real ``newsweave ingest`` (batch sizes 1 and 200) and a later
``newsweave analyze``. Every good article must be stored, every hostile file named in one
line, nothing dropped silently, and no traceback printed.

    python bench/fuzz.py --whole-run [--mutants 60] [--seed 15] [--no-analyze]

The last line of stdout is one JSON object: inputs tried and failures per target and total
(whole run: inputs, failures, good_articles_lost).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, default_data, emit, log  # noqa: E402

TARGETS = ("text", "html", "jsonl", "csv", "clean")
SUFFIX = {"text": ".txt", "html": ".html", "jsonl": ".jsonl", "csv": ".csv", "clean": ".txt"}
MAX_LEN = 16384
KEEP_FAILURES = 5  # reproducers kept per target


# --------------------------------------------------------------------------- the targets


def make_target(name: str):
    """The function that runs one input through ``name``; raises only on a real failure."""
    from newsweave.clean import clean
    from newsweave.errors import NewsweaveError
    from newsweave.ingest.readers import read_document_bytes
    from newsweave.records import RawDocument

    path = f"fuzz/input{SUFFIX[name]}"

    def run_reader(data: bytes) -> None:
        for doc in read_document_bytes(path, data, name):
            if not isinstance(doc, NewsweaveError):
                clean(doc)

    def run_clean(data: bytes) -> None:
        # Layout: byte 0 picks the format, then "key=value" lines, a blank line, the text.
        fmt = ("text", "html", "jsonl", "csv")[data[0] % 4] if data else "text"
        head, _, body = data[1:].decode("utf-8", "replace").partition("\n\n")
        fields = tuple(
            (k.strip(), v.strip())
            for k, sep, v in (line.partition("=") for line in head.split("\n"))
            if sep and k.strip()
        )
        clean(RawDocument(source_path=path, text=body or head, format=fmt, fields=fields))

    return run_clean if name == "clean" else run_reader


def is_expected(exc: BaseException) -> bool:
    from newsweave.errors import NewsweaveError

    return isinstance(exc, NewsweaveError)


# --------------------------------------------------------------------------- seed corpus


def write_corpus(name: str, out: Path, data_dir: Path) -> int:
    """Real inputs for the fuzzer to start from (mutations of real articles go deeper)."""
    out.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples/seeds").glob("*"))]
    t17 = sorted(data_dir.glob("*/InputDocs/*/*"))
    t17 = t17[:: max(1, len(t17) // 20)][:20]  # 20 spread over every topic
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in t17]
    samples: list[bytes] = []
    for i, text in enumerate(texts):
        title, _, body = text.strip().partition("\n")
        record = {"title": title, "text": body, "date": "2020-09-04", "source_domain": "x.com"}
        if name in ("text", "clean"):
            meta = b"\x00title=" + title.encode() + b"\noutlet=The Hindu\n\n"
            samples.append(text.encode() if name == "text" else meta + body.encode())
        elif name == "jsonl":
            samples.append((json.dumps(record) + "\n" + json.dumps({"x": i}) + "\n").encode())
        elif name == "csv":
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(record))
            writer.writeheader()
            writer.writerow(record)
            samples.append(buf.getvalue().encode())
        elif name == "html":
            paras = "".join(f"<p>{line}</p>" for line in body.split("\n") if line.strip())
            page = (
                f"<html><head><title>{title}</title><meta property='og:site_name' "
                f"content='Example'></head><body><nav>Home | World</nav><article>"
                f"<h1>{title}</h1>{paras}</article><footer>(c) Example</footer></body></html>"
            )
            samples.append(page.encode())
    for i, sample in enumerate(samples):
        (out / f"seed{i:03d}").write_bytes(sample[:MAX_LEN])
    return len(samples)


# --------------------------------------------------------------------------- child side


class Stats:
    """Counts written to a JSON file as they change: libFuzzer ends the process with exit()."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.inputs = 0
        self.failures = 0
        self.kinds: dict[str, int] = {}
        self.samples: list[dict] = []
        self._last = 0.0

    def record(self, data: bytes, exc: BaseException) -> None:
        self.failures += 1
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        kind = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if self.kinds[kind] == 1 and len(self.samples) < KEEP_FAILURES:
            self.samples.append({"error": f"{kind}: {exc}"[:300], "input": repr(data[:300])})
        self.save(force=True)

    def tick(self) -> None:
        self.inputs += 1
        if time.monotonic() - self._last > 0.5:
            self.save()

    def save(self, force: bool = False) -> None:
        self._last = time.monotonic()
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(
                {
                    "inputs": self.inputs,
                    "failures": self.failures,
                    "kinds": self.kinds,
                    "samples": self.samples,
                }
            )
        )
        os.replace(tmp, self.path)


def child(name: str, engine: str, seconds: float, corpus: Path, stats_path: Path) -> None:
    stats = Stats(stats_path)
    if engine == "atheris":
        import atheris

        with atheris.instrument_imports(include=["newsweave"]):
            target = make_target(name)

        def one_input(data: bytes) -> None:
            stats.tick()
            try:
                target(data)
            except Exception as exc:  # noqa: BLE001 - the fuzzer's whole point
                if not is_expected(exc):
                    stats.record(data, exc)

        stats.save(force=True)
        argv = [sys.argv[0], str(corpus), f"-max_total_time={int(seconds)}"]
        argv += [f"-max_len={MAX_LEN}", "-timeout=20", "-print_final_stats=1", "-rss_limit_mb=4096"]
        atheris.Setup(argv, one_input)
        atheris.Fuzz()
        return
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    target = make_target(name)
    seeds = [p.read_bytes() for p in sorted(corpus.iterdir())]
    deadline = time.monotonic() + seconds

    # Mix pure random bytes, text, and real seeds with random splices.
    spliced = st.tuples(st.sampled_from(seeds), st.binary(max_size=64), st.integers(0, MAX_LEN))
    inputs = st.one_of(
        st.binary(max_size=MAX_LEN),
        st.text(max_size=4000).map(lambda s: s.encode("utf-8", "surrogatepass")),
        spliced.map(lambda t: t[0][: t[2]] + t[1] + t[0][t[2] :]),
    )

    @settings(
        max_examples=10**9,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(inputs)
    def run(data: bytes) -> None:
        if time.monotonic() > deadline:
            raise _Stop
        stats.tick()
        try:
            target(data)
        except Exception as exc:  # noqa: BLE001
            if not is_expected(exc):
                stats.record(data, exc)

    with contextlib.suppress(_Stop):
        run()
    stats.save(force=True)


class _Stop(BaseException):
    """Ends the hypothesis loop when the budget is spent (not an Exception: not a failure)."""


# --------------------------------------------------------------------------- whole runs

WHOLE_RUN_BATCH_SIZES = (1, 200)


@dataclass
class Case:
    """One input file of a whole run: what it is and what newsweave must do with it."""

    name: str  # file name inside the run folder (may hold a newline: hostile names)
    kind: str
    good: int = 0  # articles it holds that must be stored (0: a hostile file)
    refused: bool = False  # must be named in a one-line error
    check: str | None = None  # a text the stored article must contain (encodings)


def _good_texts(data_dir: Path, n: int) -> list[tuple[str, str]]:
    """(title, body) of real articles: the seeds and Timeline17 files spread over topics."""
    paths = sorted((REPO / "examples/seeds").glob("*"))
    t17 = sorted(data_dir.glob("*/InputDocs/*/*"))
    paths += t17[:: max(1, len(t17) // max(1, n))][:n]
    out = []
    for p in paths:
        text = p.read_text(encoding="utf-8", errors="replace").strip()
        title, _, body = text.partition("\n")
        if len(body.split()) >= 60:
            out.append((title.strip()[:200] or p.stem, body.strip()))
    return out


def write_whole_run(folder: Path, data_dir: Path, rng: random.Random, mutants: int) -> list[Case]:
    """A folder mixing real articles in every format and every hostile kind of issue #15;
    returns what each file is. The outside file a symbolic link points at lies beside it."""
    folder.mkdir(parents=True)
    cases: list[Case] = []
    texts = _good_texts(data_dir, 24)

    def put(name: str, data: bytes, kind: str, **kw) -> None:
        (folder / name).write_bytes(data)
        cases.append(Case(name, kind, **kw))

    for i, (title, body) in enumerate(texts[:12]):
        put(f"good{i:02d}.txt", f"{title}\n\n{body}\n".encode(), "good-text", good=1)
    records = [{"title": t, "text": b, "date": "2020-09-04"} for t, b in texts[12:16]]
    put(
        "good.jsonl",
        "".join(json.dumps(r) + "\n" for r in records).encode(),
        "good-jsonl",
        good=len(records),
    )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["title", "text", "date"])
    writer.writeheader()
    writer.writerows({"title": t, "text": b, "date": "2020-09-04"} for t, b in texts[16:19])
    put("good.csv", buf.getvalue().encode(), "good-csv", good=3)
    title, body = texts[19]
    # ASCII-only UTF-16 without a byte-order mark (docs: UTF-16 is read)
    ascii_body = body.encode("ascii", "ignore").decode()
    put(
        "utf16.txt",
        f"{title}\n\n{ascii_body}\n".encode("utf-16-le"),
        "utf16-no-bom",
        good=1,
        check=ascii_body.split(". ")[0][:60],
    )
    # UTF-8 and cp1252 lines in one file
    legacy = "A café owner in Zürich said the “talks” would resume – soon."
    mixed = f"{texts[20][0]}\n\nThe café in Zürich said the “talks” went well.\n{texts[20][1]}\n"
    put(
        "mixed.txt",
        mixed.encode() + (legacy + "\n").encode("cp1252"),
        "mixed-encodings",
        good=1,
        check=legacy,
    )
    junk = [
        {"title": f"Junk date {v}", "text": texts[21 + k % 3][1], "published": v}
        for k, v in enumerate(["-1", "2020", "Monday", "3 days ago"])
    ]
    put(
        "junk-dates.jsonl",
        "".join(json.dumps(r) + "\n" for r in junk).encode(),
        "junk-dates",
        good=4,
    )
    # hostile files: each must be named in one line, none may cost a good article
    put("nested.json", b"[" * 100_000, "nested-json", refused=True)
    put("bigint.jsonl", b'{"text": "x", "n": ' + b"9" * 5000 + b"}\n", "huge-integer", refused=True)
    put(
        "big.txt",
        b"Big\n\n" + b"The quick brown fox jumps over the lazy dog. " * 160_000,
        "7mb-article",
        refused=True,
    )
    put("line.txt", b"x" * 50_000_000, "50mb-line", refused=True)
    put("header-only.csv", b"title,text,date\n", "header-only-csv", refused=True)
    put("no-text-column.csv", b"title,url\nA,http://x\n", "csv-without-text", refused=True)
    put("empty.txt", b"", "empty", refused=True)
    put(
        "image.txt",
        b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000)),
        "binary",
        refused=True,
    )
    put("truncated.jsonl", b'{"text": "unterminated', "truncated-json", refused=True)
    put(
        "nav.html",
        b"<html><body><nav>Home | World</nav></body></html>",
        "html-no-article",
        refused=True,
    )
    put("evil\nname\x1b[31m.json", b"[" * 5000, "control-chars-in-name", refused=True)
    if os.geteuid() != 0:  # root reads any folder: the case needs an ordinary user
        locked = folder / "locked"
        locked.mkdir()
        (locked / "a.txt").write_text(f"{title}\n\n{body}\n")
        locked.chmod(0)
        cases.append(Case("locked", "unreadable-folder", refused=True))
    outside = folder.parent / "outside-secret.txt"
    outside.write_text("Secret\n\n" + "This file lies outside the input folder. " * 20)
    (folder / "escape.txt").symlink_to(outside)
    cases.append(Case("escape.txt", "symlink-outside", refused=True))
    # mutants: real files with bytes flipped, cut and spliced, under every suffix
    seeds = [(folder / c.name).read_bytes() for c in cases if c.good][:8]
    for i in range(mutants):
        data = bytearray(rng.choice(seeds)[:20_000])
        for _ in range(rng.randrange(1, 20)):
            op = rng.randrange(3)
            pos = rng.randrange(len(data) + 1)
            if op == 0 and data:
                data[min(pos, len(data) - 1)] = rng.randrange(256)
            elif op == 1:
                del data[pos : pos + rng.randrange(1, 200)]
            else:
                data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        suffix = rng.choice([".txt", ".jsonl", ".json", ".csv", ".html"])
        put(f"mutant{i:03d}{suffix}", bytes(data), "mutant")
    return cases


def _shown(name: str) -> str:
    from newsweave.errors import one_line

    return one_line(name)


def whole_run(data_dir: Path, mutants: int, seed: int, analyze: bool) -> dict:
    """Run the real ``newsweave ingest`` (+ analyze) over a hostile folder, at batch sizes 1
    and 200; count failures (a traceback, an exit other than 1, a hostile file not named in
    one line, a file silently dropped, a link followed out of the folder, a good article
    lost or mis-decoded) and good articles lost."""
    from newsweave.api import Newsweave

    rng = random.Random(seed)
    failures: list[str] = []
    lost = 0
    runs = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsweave-wholerun-") as tmp:
        folder = Path(tmp) / "in"
        cases = write_whole_run(folder, data_dir, rng, mutants)
        cleanup = contextlib.ExitStack()
        if (folder / "locked").exists():
            cleanup.callback((folder / "locked").chmod, 0o755)
        env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
        for batch in WHOLE_RUN_BATCH_SIZES:
            db = Path(tmp) / f"run{batch}.db"
            args = ["ingest", "--batch-size", str(batch), str(folder)]
            if not analyze:
                args.insert(1, "--no-analyze")
            cmd = [sys.executable, "-c", "from newsweave.cli import main; main()", "--db", str(db)]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd + args, capture_output=True, text=True, env=env, timeout=1800)
            again = subprocess.run(
                cmd + ["analyze"], capture_output=True, text=True, env=env, timeout=1800
            )
            runs.append(
                {
                    "batch_size": batch,
                    "exit": proc.returncode,
                    "seconds": round(time.perf_counter() - t0, 1),
                }
            )
            lines = proc.stderr.splitlines()
            if "Traceback" in proc.stderr + again.stderr:
                failures.append(f"batch {batch}: traceback: {proc.stderr[-300:]}")
            if proc.returncode != 1:
                failures.append(f"batch {batch}: ingest exit {proc.returncode}, expected 1")
            if again.returncode not in (0, 1):
                failures.append(f"batch {batch}: later analyze exit {again.returncode}")
            stray = [x for x in lines if not x.startswith("newsweave: ")]
            if stray:
                failures.append(f"batch {batch}: stderr lines not one-line errors: {stray[:3]}")
            with Newsweave(db, read_only=True) as nw:
                stored = nw.articles()
            by_file: dict[str, list] = {}
            for art in stored:
                by_file.setdefault(Path(art.source_path).name, []).append(art)
            for case in cases:
                named = any(_shown(case.name) + ":" in x for x in lines)
                got = by_file.get(case.name, [])
                if case.good:
                    if len(got) < case.good:
                        lost += case.good - len(got)
                        failures.append(f"{case.kind}: {case.good - len(got)} good articles lost")
                    if case.check and not any(case.check in a.text for a in got):
                        failures.append(f"{case.kind}: text not decoded as written")
                    if case.kind == "junk-dates" and any(a.published for a in got):
                        failures.append("junk-dates: a date was invented")
                elif case.refused:
                    if not named:
                        failures.append(f"{case.kind}: not named in a one-line error")
                    if got:
                        failures.append(f"{case.kind}: stored although refused")
                elif not got and not named:  # a mutant: stored, or named; never silent
                    failures.append(f"{case.kind} {case.name}: dropped without a word")
            if any("outside the input folder" in a.text for a in stored):
                failures.append("symlink-outside: the outside file was stored")
        cleanup.close()
    return {
        "inputs": len(cases) * len(WHOLE_RUN_BATCH_SIZES),
        "files": len(cases),
        "hostile_kinds": sorted({c.kind for c in cases if c.refused}),
        "good_articles": sum(c.good for c in cases),
        "failures": len(failures),
        "good_articles_lost": lost,
        "runs": runs,
        "seconds": round(time.perf_counter() - start, 1),
        **({"failure_samples": failures[:10]} if failures else {}),
    }


# --------------------------------------------------------------------------- parent side


def run_target(name: str, engine: str, seconds: float, data_dir: Path, tmp: Path) -> dict:
    corpus = tmp / f"corpus-{name}"
    seeds = write_corpus(name, corpus, data_dir)
    stats_path = tmp / f"stats-{name}.json"
    cmd = [sys.executable, __file__, "--_child", name, "--engine", engine]
    cmd += ["--seconds", str(seconds), "--_corpus", str(corpus), "--_stats", str(stats_path)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 300)
    elapsed = time.perf_counter() - start
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    inputs = stats.get("inputs", 0)
    done = re.search(r"Done (\d+) runs", proc.stderr)
    if done:  # libFuzzer's own count includes the inputs after our last save
        inputs = max(inputs, int(done.group(1)))
    failures = stats.get("failures", 0)
    kinds = dict(stats.get("kinds", {}))
    samples = list(stats.get("samples", []))
    # A clean end is exit 0; a hang, an out-of-memory or a native crash ends it otherwise.
    if proc.returncode != 0:
        failures += 1
        reason = "timeout" if "Timeout" in proc.stderr else f"child exit {proc.returncode}"
        kinds[reason] = kinds.get(reason, 0) + 1
        samples.append({"error": reason, "log": proc.stderr[-600:]})
    figures = {
        "inputs": inputs,
        "failures": failures,
        "seeds": seeds,
        "seconds": round(elapsed, 1),
        "inputs_per_s": round(inputs / elapsed, 1) if elapsed else 0,
        "kinds": kinds,
    }
    if samples:
        figures["samples"] = samples
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data("timeline17"))
    parser.add_argument("--seconds", type=float, default=30, help="budget per target")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--engine", choices=("atheris", "hypothesis"), default=None)
    parser.add_argument("--_child", help=argparse.SUPPRESS)
    parser.add_argument("--_corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_stats", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--whole-run",
        action="store_true",
        help="run the real `newsweave ingest` + `analyze` over a folder mixing good and"
        " hostile files instead of fuzzing single readers",
    )
    parser.add_argument("--mutants", type=int, default=60, help="whole run: mutated files")
    parser.add_argument("--seed", type=int, default=15, help="whole run: random seed")
    parser.add_argument("--no-analyze", action="store_true", help="whole run: ingest only")
    args = parser.parse_args()
    if args._child:
        child(args._child, args.engine, args.seconds, args._corpus, args._stats)
        return
    if args.whole_run:
        log(f"whole run: {args.mutants} mutants, seed {args.seed}, data {args.data}")
        figures = whole_run(args.data, args.mutants, args.seed, not args.no_analyze)
        emit({"bench": "fuzz", "mode": "whole-run", "data": str(args.data), **figures})
        return
    engine = args.engine
    if engine is None:
        try:
            import atheris  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    targets = [t for t in args.targets.split(",") if t]
    unknown = set(targets) - set(TARGETS)
    if unknown:
        sys.exit(f"bench/fuzz.py: unknown targets {sorted(unknown)}; known: {TARGETS}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="newsweave-fuzz-") as tmp:
        for name in targets:
            log(f"fuzzing {name} with {engine} for {args.seconds:.0f} s")
            results[name] = run_target(name, engine, args.seconds, args.data, Path(tmp))
            log(f"  {name}: {results[name]['inputs']} inputs, {results[name]['failures']} failures")
    emit(
        {
            "bench": "fuzz",
            "engine": engine,
            "seconds_per_target": args.seconds,
            "inputs": sum(r["inputs"] for r in results.values()),
            "failures": sum(r["failures"] for r in results.values()),
            "targets": results,
        }
    )


if __name__ == "__main__":
    main()
