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

The last line of stdout is one JSON object: inputs tried and failures per target and total.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
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
    args = parser.parse_args()
    if args._child:
        child(args._child, args.engine, args.seconds, args._corpus, args._stats)
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
