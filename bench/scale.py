"""Scale: the WHOLE pipeline (ingest -> copies -> nlp -> time -> group -> claims) on N
articles, in-process and on a local Dask cluster, with CPU-seconds per article per stage,
peak RSS and a projection to 1M and 100M articles.

Data, two modes:

* generated (default): Timeline17 (``../shared/data/timeline17``) articles turned into a
  syndication corpus by bench/copies.py's generator (``build_set``: sources with 1-4 edited
  syndicated copies, quoters pasting a release, local intros, furniture; see that file's
  docstring). To reach N, rounds of pseudo-originals are generated the way its scale figure
  does (each original with 50 % of its words replaced from the corpus vocabulary by a
  per-round RNG, so rounds are distinct texts with the same duplicate structure). Each
  article gets its original's publication date (copies: +0-2 days), an outlet and a URL,
  and is written as JSONL, 1,000 articles per file, into a temporary directory (generation
  is not timed). Beyond round 0 the texts are word salad to the NER model and the claim
  rules, so use ``--corpus`` for real-news throughput.
* ``--corpus PATH[,PATH...]``: the files under each PATH as they are (e.g. a news-please
  JSONL export or a Timeline17 topic folder): real news, the throughput figure of issue #14.
  One row per corpus and runner, summed up in ``by_corpus`` (articles and input kB per
  CPU-second, peak RSS).

Each (size, runner) runs in a fresh child process: a new store, ``ingest_paths`` through the
runner, then the derived steps named by ``--steps`` (default: every registered step, in
pipeline order), each timed on its own. ``cpu_s`` per stage is the CPU time (user+sys) of the
child's whole process tree across the stage (Dask scheduler-side and worker processes
included, read with psutil at each stage boundary) — robust to a shared, loaded machine,
unlike wall seconds, which are reported too. The parent samples the RSS of the child's
process tree every 0.1 s; ``peak_rss_mb`` is the largest SUM over the processes alive at one
sample (with Dask: the client, the nanny/scheduler side and every worker: what the machine
must hold at once), ``peak_rss_parts_mb`` that sample's processes, the child first.
``peak_rss_self_mb`` is the child's ru_maxrss; Linux carries the high-water mark across
exec, so generation runs in its own process to keep the parent (and that figure) small.
Per stage, in the child: ``rss_high_water_after_stage_mb`` (the high-water so far),
``rss_peak_in_stage_mb`` (the stage's own high-water: Linux's is reset before each stage)
and ``rss_after_stage_mb`` (the RSS it left: what the next stages start from).

The projection takes each stage's measured CPU-s per article at the largest size and its
growth between the smallest and the largest size run (``growth``: the exponent k of
CPU-per-article ~ size**k per stage), and gives the CPU-hours for 1M and 100M articles under
three models: ``flat`` (the per-article cost stays; a linear extrapolation), ``power`` (it
keeps growing as size**k) and ``affine`` (a + b*size through the two sizes: the whole run
quadratic); divided by the cores of this machine and by a 64-core cluster. Run two sizes
(e.g. ``--sizes 1000,10000``) for the growth models to differ from ``flat``.

    python bench/scale.py [--sizes 10000] [--runners local,dask] [--workers 2]
                          [--steps all] [--corpus PATH] [--tmp DIR] [--keep DIR]

Long runs (``--keep DIR``): the generated JSONL, each finished row and the store of the run
under way stay in DIR, and the running stage's CPU-s is written there every 20 s. A run that
is killed gives a row with ``error``, ``partial`` and the figures of its finished stages;
the same command again skips the finished rows and stages and goes on from the store (the
cut stage's CPU-s: the cut attempt's last figure plus the rerun, ``resumed_cpu_s``).
``--report-only`` prints the figures kept in DIR (finished rows, and the finished stages of a
run cut short or still under way) without running anything; growth and projection then use
each stage at the largest size that finished it.

Batch mode (``--batches N --corpus PATH``): the files under PATH (in path order, i.e. by
date for a Timeline17 topic, the way a feed delivers them; ``--order SEED`` shuffles them)
are ingested into one store in one call, and into a second store in N sequential calls,
each followed by every derived step, as ``newsweave ingest`` does after each delivery. It
reports the CPU-s of each (per stage, and per batch for the N-batch store), their ratio
(issue #14: <= 1.2) and whether the two stores' JSON exports are identical, section by
section (articles compared as a set, by id: their ingest order is the delivery order).

    python bench/scale.py --corpus ../shared/data/timeline17/LibyaWar_reuters --batches 20

Long-document mode (``--long-documents 7MB,120000w``): for each size, one document of that
many characters (``MB``: millions) or words (``w``), made of real Timeline17 texts (the
articles under ``--data`` in path order, joined by blank lines, the last one cut at a line),
written as one text file with the first article's date, and run through the whole pipeline
in-process like a corpus. Each row adds ``document`` (characters, words, the parts ingest
read it as); ``peak_rss_mb`` is the figure of issue #14 (<= 1.5 GB for a 7 MB article).

    python bench/scale.py --long-documents 7MB,120000w

The last line of stdout is one JSON object with one row per (size, runner), the growth of
time and memory between sizes, and the projection.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _common import default_data, emit, log  # noqa: E402

PER_FILE = 1000
HEARTBEAT_S = 20.0  # how often a run writes its running stage's CPU-s (--keep)
SEED = 8


def _generator():
    """bench/copies.py as a module (its syndication generator is the one we reuse)."""
    spec = importlib.util.spec_from_file_location("bench_copies", BENCH / "copies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_copies"] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- generation


def load_originals(root: Path) -> tuple[list[list[str]], list[str]]:
    """Timeline17 articles as sentence lists, with their publication dates (folder names).

    Same filtering as bench/copies.py's ``load_originals`` (>= 3-word sentences, first 40,
    at least 8), in a fixed order, keeping the date beside each.
    """
    gen = _generator()
    originals, dates = [], []
    for path in sorted(root.glob("*/InputDocs/*/*.txt")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        sents = [s for s in (gen.detok(line) for line in lines) if len(s.split()) >= 3][:40]
        if len(sents) >= 8:
            originals.append(sents)
            dates.append(path.parent.name)
    if not originals:
        sys.exit(f"bench/scale.py: no Timeline17 articles under {root}")
    return originals, dates


def generate(size: int, root: Path, out: Path) -> dict:
    """Write ``size`` articles as JSONL under ``out``; return what was made."""
    from datetime import date, timedelta

    gen = _generator()
    originals, dates = load_originals(root)
    vocab = sorted({w for s in originals for line in s for w in line.split()})
    rng = random.Random(SEED)
    out.mkdir(parents=True, exist_ok=True)
    written = files = copies = 0
    fh = None
    round_no = 0
    id_re = re.compile(r"_(\d{6})")
    while written < size:
        docs = gen.build_set(
            originals,
            rng,
            perturb=0.5 if round_no else 0.0,  # round 0: the real articles themselves
            vocab=vocab,
            prefix=f"r{round_no}_",
            family_offset=round_no * 1_000_000,
        )
        for d in docs:
            if written >= size:
                break
            if written % PER_FILE == 0:
                if fh:
                    fh.close()
                fh = (out / f"part-{files:05d}.jsonl").open("w", encoding="utf-8")
                files += 1
            n = int(id_re.search(d.id).group(1))
            day = date.fromisoformat(dates[n])
            is_copy = "c" in d.id[d.id.index("_") :]
            if is_copy:
                copies += 1
                day += timedelta(days=rng.randint(0, 2))
            outlet = rng.choice(gen.OUTLETS)
            title = d.paragraphs[0][0][0] if d.paragraphs and d.paragraphs[0] else None
            record = {
                "title": title,
                "text": d.text,
                "published": day.isoformat(),
                "outlet": outlet,
                "url": f"https://{outlet.lower().replace(' ', '')}.example/{d.id}",
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            written += 1
        round_no += 1
        log(f"  generated {written:,}/{size:,}")
    if fh:
        fh.close()
    size_mb = sum(p.stat().st_size for p in out.iterdir()) / 1e6
    return {"articles": written, "files": files, "copies": copies, "jsonl_mb": round(size_mb, 1)}


def _kept_whole(path: Path) -> str | None:
    """The text of a Timeline17 file as cleaning keeps it, if cleaning keeps (nearly) all of
    it: a file whose reader-comment thread or furniture cleaning cuts would cut the long
    document there too (a comment stamp ends the article), so it is left out."""
    from newsweave import pipeline
    from newsweave.ingest import InputFile

    raw = path.read_text(encoding="utf-8", errors="replace").strip()
    articles, _ = pipeline.clean_file(InputFile(path, "text"))
    if len(articles) != 1 or len(articles[0].text) < 0.9 * len(raw):
        return None
    return articles[0].text


def long_document(root: Path, spec: str, out: Path) -> dict:
    """Write one document of ``spec`` ("7MB": 7,000,000 characters, "120000w": words) made of
    Timeline17 texts under ``root`` (path order, each as cleaning keeps it, files that
    cleaning cuts short left out; blank lines between them) to ``out/long.txt``, dated like
    its first text; return its size."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(MB|w)", spec)
    if not match:
        sys.exit(f"bench/scale.py: --long-documents {spec!r}: give e.g. 7MB or 120000w")
    amount = float(match.group(1)) * (1_000_000 if match.group(2) == "MB" else 1)
    paths = sorted(root.glob("*/InputDocs/*/*.txt"))
    if not paths:
        sys.exit(f"bench/scale.py: no Timeline17 articles under {root}")
    parts: list[str] = []
    size = 0
    left_out = 0
    for path in paths:
        text = _kept_whole(path)
        if text is None:
            left_out += 1
            continue
        n = len(text) + 2 if match.group(2) == "MB" else len(text.split())
        if size + n > amount:  # the last text up to the line that reaches the size
            lines, kept = text.splitlines(), []
            for line in lines:
                n = len(line) + 1 if match.group(2) == "MB" else len(line.split())
                if size + n > amount:
                    break
                kept.append(line)
                size += n
            parts.append("\n".join(kept))
            break
        parts.append(text)
        size += n
    text = "\n\n".join(p for p in parts if p)
    out.mkdir(parents=True, exist_ok=True)
    day = paths[0].parent.name
    (out / "long.txt").write_text(f" date {day}\n{text}\n", encoding="utf-8")
    return {
        "spec": spec,
        "chars": len(text),
        "words": len(text.split()),
        "texts": len(parts),
        "texts_left_out": left_out,
    }


# --------------------------------------------------------------------------- one run (child)


def _read_json(path: Path | None) -> dict:
    if path is None or not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:  # cut while written: the last heartbeat is lost, not the run
        return {}


def _write_json(path: Path, value: dict) -> None:
    """Write ``value`` to ``path`` atomically (a kill never leaves half a file)."""
    part = path.with_suffix(path.suffix + ".part")
    part.write_text(json.dumps(value), encoding="utf-8")
    part.replace(path)


def one_run(
    data: Path,
    db: Path,
    runner_kind: str,
    workers: int,
    steps: list[str],
    progress_path: Path | None = None,
) -> dict:
    """Ingest ``data`` into the store ``db`` and run ``steps``, each timed on its own.

    With ``progress_path``: after each stage its figures are written there, and every
    ``HEARTBEAT_S`` seconds the running stage's CPU-s so far. A run started again on the same
    store and file (``--keep``) skips the stages that finished and goes on with the rest; the
    stage a kill cut short is run again on the store as the kill left it (every stage
    commits per chunk, so what was committed is not redone) and its CPU-s is the sum of the
    cut attempt (last heartbeat) and the rerun (``resumed``)."""
    from newsweave import pipeline
    from newsweave.runners import make_runner
    from newsweave.store import Store

    state = _read_json(progress_path)
    state.setdefault("stage_cpu_s", {})
    state.setdefault("phases_s", {})
    state.setdefault("resumed", {})
    state.setdefault("rss_high_water_mb", {})
    state.setdefault("rss_peak_in_stage_mb", {})
    state.setdefault("rss_after_stage_mb", {})
    state.setdefault("attempts", 0)
    state["attempts"] += 1
    cut = state.pop("current", None)  # the stage the last attempt was killed in
    if cut and cut["stage"] not in state["stage_cpu_s"]:
        name = cut["stage"]
        state["resumed"][name] = round(state["resumed"].get(name, 0.0) + cut["cpu_s"], 2)
    prior_cpu = sum(state["stage_cpu_s"].values()) + sum(state["resumed"].values())
    lock = threading.Lock()
    stop = threading.Event()

    def save(current: dict | None = None) -> None:
        if progress_path is None:
            return
        with lock:
            _write_json(progress_path, {**state, "current": current} if current else state)

    running: dict = {}

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_S):
            # a copy taken under the lock: the stage thread fills and empties `running`
            # key by key, and a read between two keys killed this thread (KeyError)
            with lock:
                now = dict(running)
            if now:
                save(
                    {
                        "stage": now["stage"],
                        "cpu_s": round(tree_cpu() - now["cpu0"], 2),
                        "wall_s": round(time.perf_counter() - now["t0"], 1),
                    }
                )

    beat = threading.Thread(target=heartbeat, daemon=True)
    beat.start()
    phases: dict[str, float] = state["phases_s"]
    cpu_phases: dict[str, float] = state["stage_cpu_s"]
    started = time.perf_counter()
    runner = make_runner(runner_kind, workers=workers if runner_kind == "dask" else None)
    phases["runner_start"] = time.perf_counter() - started
    store = Store(db)
    report = None
    high_water = 0.0  # this process's high-water RSS (MB) over the stages so far
    try:

        def stage(name: str, work: Callable[[], object]) -> object:
            if name in cpu_phases:
                log(f"  {name}: done in an earlier attempt; skipped")
                return None
            nonlocal high_water
            high_water = max(high_water, self_high_water())
            # the stage's own high-water (what it held at most, over what it started with),
            # not only the running one: a stage under an earlier stage's peak shows too
            reset = reset_high_water()
            t, c = time.perf_counter(), tree_cpu()
            with lock:
                running.update(stage=name, t0=t, cpu0=c)
            out = work()
            with lock:
                running.clear()
            phases[name] = round(time.perf_counter() - t, 2)
            cpu_phases[name] = round(tree_cpu() - c + state["resumed"].get(name, 0.0), 2)
            peak = self_high_water()
            high_water = max(high_water, peak)
            # the writer's high-water RSS after each stage: the stage where it jumps is the
            # one that holds the memory (Dask workers are not in it)
            state["rss_high_water_mb"][name] = round(high_water, 1)
            if reset:
                state["rss_peak_in_stage_mb"][name] = round(peak, 1)
            state["rss_after_stage_mb"][name] = round(self_status_mb("VmRSS") or 0.0, 1)
            log(f"  {name}: {phases[name]:.1f} s, {cpu_phases[name]:.1f} CPU-s")
            save()
            return out

        files = 0
        t_ingest = time.perf_counter()

        def progress(n: int) -> None:  # a line per 50 files: partial figures if cut short
            nonlocal files
            files += n
            if files % 50 == 0:
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                log(
                    f"  ingest: {files} files, {time.perf_counter() - t_ingest:.0f} s,"
                    f" self {rss:.0f} MB"
                )

        report = stage(
            "ingest",
            lambda: pipeline.ingest_paths(store, [str(data)], runner=runner, progress=progress),
        )
        if report is not None:
            state["new"], state["skipped"] = report.new, len(report.skipped)
        registered = {step.name for step in pipeline.STEPS}
        for name in steps:
            if name not in registered:
                log(f"  step {name!r} is not registered; skipped")
                continue
            # the product's own path: analyze() with the runner, one step at a time
            stage(name, lambda name=name: pipeline.analyze(store, only=[name], runner=runner))
        articles = store.article_count()
        stored_chars = store.conn.execute("SELECT COALESCE(SUM(LENGTH(text)), 0) FROM articles")
        stored_chars = int(stored_chars.fetchone()[0])
        integrity = store.integrity_check()
    finally:
        stop.set()
        store.close()
        runner.close()
    total = time.perf_counter() - started
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime + prior_cpu
    self_rss = max(high_water, self_high_water())
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    db_mb = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 1e6
    stage_total = sum(cpu_phases.values())
    # resumed: the stages' wall seconds over all attempts (this attempt's setup included)
    seconds = total if state["attempts"] == 1 else sum(phases.values())
    return {
        "articles": articles,
        "stored_chars": stored_chars,
        "new": state.get("new"),
        "skipped": state.get("skipped"),
        "integrity": integrity,
        "attempts": state["attempts"],
        "resumed_cpu_s": state["resumed"],
        "seconds": round(seconds, 1),
        "phases_s": {k: round(v, 2) for k, v in phases.items()},
        "articles_per_s": round(articles / seconds, 1),
        "cpu_s": round(cpu, 1),  # this process + waited-for children (Dask workers)
        "articles_per_cpu_s": round(articles / cpu, 2) if cpu else None,
        "stage_cpu_s": {k: round(v, 2) for k, v in cpu_phases.items()},
        "stage_cpu_ms_per_article": {
            k: round(1000 * v / max(1, articles), 3) for k, v in cpu_phases.items()
        },
        "pipeline_articles_per_cpu_s": round(articles / stage_total, 2) if stage_total else None,
        "ingest_articles_per_s": round(articles / phases["ingest"], 1),
        "peak_rss_self_mb": round(self_rss, 1),
        "rss_high_water_after_stage_mb": state["rss_high_water_mb"],
        "rss_peak_in_stage_mb": state["rss_peak_in_stage_mb"],
        "rss_after_stage_mb": state["rss_after_stage_mb"],
        "peak_rss_largest_child_mb": round(child_rss, 1),
        "store_mb": round(db_mb, 1),
    }


# --------------------------------------------------------------------------- batch parity


def corpus_files(data: Path, order: int | None) -> list[str]:
    """The article files under ``data`` in path order (or shuffled by ``order``)."""
    from newsweave.ingest import discover

    files = sorted(str(f.path) for f in discover([str(data)]) if hasattr(f, "path"))
    if order is not None:
        random.Random(order).shuffle(files)
    return files


def section_digests(data: dict) -> dict[str, str]:
    """sha1 of each export section (articles as a set: sorted by id)."""
    import hashlib

    data = dict(data, articles=sorted(data["articles"], key=lambda a: a["id"]))
    return {
        name: hashlib.sha1(json.dumps(rows, sort_keys=True).encode()).hexdigest()[:16]
        for name, rows in data.items()
    }


def batch_run(data: Path, db: Path, batches: int, order: int | None, steps: list[str]) -> dict:
    """Ingest the files of ``data`` in ``batches`` sequential calls, each followed by the
    derived steps; CPU-s per stage and per batch, and the digests of the export."""
    from newsweave import pipeline
    from newsweave.export import export_json
    from newsweave.store import Store

    files = corpus_files(data, order)
    size = -(-len(files) // batches)
    parts = [files[i : i + size] for i in range(0, len(files), size)]
    stage_cpu: dict[str, float] = {}
    per_batch: list[float] = []
    store = Store(db)
    try:
        for part in parts:
            start = c = tree_cpu()
            pipeline.ingest_paths(store, part)
            stage_cpu["ingest"] = stage_cpu.get("ingest", 0.0) + tree_cpu() - c
            for name in steps:
                c = tree_cpu()
                pipeline.analyze(store, only=[name])
                stage_cpu[name] = stage_cpu.get(name, 0.0) + tree_cpu() - c
            per_batch.append(round(tree_cpu() - start, 2))
            log(f"  batch {len(per_batch)}/{len(parts)}: {per_batch[-1]} CPU-s")
        digests = section_digests(export_json(store))
        articles = store.article_count()
    finally:
        store.close()
    return {
        "batches": len(parts),
        "articles": articles,
        "cpu_s": round(sum(stage_cpu.values()), 2),
        "stage_cpu_s": {k: round(v, 2) for k, v in stage_cpu.items()},
        "batch_cpu_s": per_batch,
        "digests": digests,
    }


def batch_parity(data: Path, batches: int, order: int | None, steps: list[str], tmp: Path) -> dict:
    """One ingest against ``batches`` sequential ones, each in a fresh child process."""
    rows = []
    for n, seed in ((1, None), (batches, order)):
        cmd = [sys.executable, __file__, "--_batches", str(n), "--_one", str(data)]
        cmd += ["--_db", str(tmp / f"store-{n}.db"), "--steps", ",".join(steps)]
        if seed is not None:
            cmd += ["--order", str(seed)]
        log(f"{data}: {n} batch(es)")
        out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    one, many = rows
    differ = sorted(k for k in one["digests"] if one["digests"][k] != many["digests"].get(k))
    return {
        "bench": "scale-batches",
        "data": str(data),
        "articles": one["articles"],
        "batches": many["batches"],
        "order": "shuffled" if order is not None else "path",
        "one_cpu_s": one["cpu_s"],
        "batched_cpu_s": many["cpu_s"],
        "ratio": round(many["cpu_s"] / one["cpu_s"], 3) if one["cpu_s"] else None,
        "identical_exports": not differ,
        "sections_differing": differ,
        "one_stage_cpu_s": one["stage_cpu_s"],
        "batched_stage_cpu_s": many["stage_cpu_s"],
        "batch_cpu_s": many["batch_cpu_s"],
    }


# --------------------------------------------------------------------------- parent


def _bytes_under(path: Path) -> int:
    """Bytes of the files at or under ``path`` (the input size of a corpus row)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def tree_cpu() -> float:
    """CPU seconds (user+sys) of this process and its live descendants (Dask workers), plus
    the children already waited for."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + done.ru_utime + done.ru_stime


def tree_rss(pid: int) -> tuple[float, list[float]]:
    """Resident memory of a process and all its descendants, in MiB: the sum, and each
    process's (the process itself first)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0, []
    each = []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            each.append(p.memory_info().rss / (1024 * 1024))
    return sum(each), each


def self_status_mb(field: str) -> float | None:
    """``VmHWM``/``VmRSS`` of this process in MB from ``/proc/self/status`` (None elsewhere)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return None


def self_high_water() -> float:
    """This process's high-water RSS in MB since it started or since the last
    :func:`reset_high_water`."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_high_water() -> bool:
    """Start this process's high-water RSS again from its RSS now (Linux ``clear_refs``
    5, which ``ru_maxrss`` follows too), so the next reading is one stage's own peak;
    False where the system does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def partial_row(tmp: Path, runner: str, label: str, error: str) -> dict:
    """What a run that did not finish left in ``tmp``: its finished stages' CPU-s and wall
    seconds, the stage it was in with that stage's CPU-s at the last heartbeat (``cut_in``),
    and the peak RSS sampled so far."""
    state = _read_json(tmp / f"progress-{label}.json")
    peak = _read_json(tmp / f"peak-{label}.json")
    return {
        "runner": runner,
        "error": error,
        "partial": True,
        "peak_rss_mb": round(peak.get("peak_rss_mb", 0.0), 1),
        "peak_rss_parts_mb": [round(x, 1) for x in peak.get("parts", [])],
        "attempts": state.get("attempts", 0),
        "stage_cpu_s": state.get("stage_cpu_s", {}),
        "rss_high_water_after_stage_mb": state.get("rss_high_water_mb", {}),
        "rss_peak_in_stage_mb": state.get("rss_peak_in_stage_mb", {}),
        "rss_after_stage_mb": state.get("rss_after_stage_mb", {}),
        "resumed_cpu_s": state.get("resumed", {}),
        "phases_s": {k: round(v, 2) for k, v in state.get("phases_s", {}).items()},
        "cut_in": state.get("current"),
    }


def measure(data: Path, runner: str, workers: int, steps: list[str], tmp: Path, label: str) -> dict:
    """One run in a fresh child process, its process tree's RSS sampled every 0.1 s.

    ``peak_rss_mb`` is the largest SUM of the resident memory of the child and all its
    descendants at one sample (with Dask: the client process, the scheduler-side nanny and
    every worker; what the machine must hold at once), ``peak_rss_parts_mb`` that sample's
    processes. The run's progress file (``progress-LABEL.json`` in ``tmp``) and its
    store survive a kill: run the bench again with the same ``--keep`` folder and it goes on
    from the last finished stage. A child that fails gives a row with ``error`` and the
    figures of the stages it finished (``partial``)."""
    db = tmp / f"store-{label}.db"
    progress = tmp / f"progress-{label}.json"
    peak_path = tmp / f"peak-{label}.json"
    cmd = [sys.executable, __file__, "--_one", str(data), "--_db", str(db), "--runners", runner]
    cmd += ["--workers", str(workers), "--steps", ",".join(steps), "--_progress", str(progress)]
    kept = _read_json(peak_path)  # the peak of earlier attempts
    peak = float(kept.get("peak_rss_mb", 0.0))
    parts: list[float] = kept.get("parts", [])
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, parts
        while not done.is_set():
            total, each = tree_rss(proc.pid)
            if total > peak:
                if total > 1.02 * peak:
                    _write_json(peak_path, {"peak_rss_mb": total, "parts": each})
                peak, parts = total, each
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    done.set()
    sampler.join()
    _write_json(peak_path, {"peak_rss_mb": peak, "parts": parts})
    peak_row = {
        "peak_rss_mb": round(peak, 1),
        "peak_rss_parts_mb": [round(x, 1) for x in parts],
    }
    if proc.returncode != 0:
        return partial_row(tmp, runner, label, f"exit {proc.returncode}")
    for path in [*tmp.glob(db.name + "*"), progress, peak_path]:
        path.unlink(missing_ok=True)
    row = json.loads(out.strip().splitlines()[-1])
    return {"runner": runner, **peak_row, **row}


def _n(row: dict) -> int:
    """A row's article count (a run cut short: the size it was run at)."""
    return int(row.get("articles") or row.get("size") or 0)


def _comparable(rows: list[dict], finished: bool = True) -> dict[tuple[str, str], list[dict]]:
    """Rows of more than one article by (runner, steps), smallest first: finished rows, or
    (``finished=False``) also runs cut short with the stages they finished."""
    out: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        if _n(r) < 2 or ("error" in r and (finished or not r.get("stage_cpu_s"))):
            continue
        out.setdefault((r["runner"], "+".join(r["steps"])), []).append(r)
    return {k: sorted(v, key=_n) for k, v in out.items()}


def _exponent(small: float, big: float, n_small: int, n_big: int) -> float | None:
    """k in cost_per_article ~ size**k between two sizes (None when a cost is 0)."""
    import math

    if small <= 0 or big <= 0 or n_big == n_small:
        return None
    return math.log(big / small) / math.log(n_big / n_small)


def _stage_pair(mine: list[dict], name: str) -> tuple[dict | None, dict]:
    """The smallest and largest runs that finished stage ``name`` (small None: one size)."""
    have = [r for r in mine if name in r["stage_cpu_s"]]
    small, big = have[0], have[-1]
    return (small if _n(small) < _n(big) else None), big


def growth(rows: list[dict]) -> dict:
    """How CPU per article (per stage), wall time and peak memory change with size, per
    runner and step list (sizes run with different steps are not compared). Per stage:
    between the smallest and the largest size that finished it (a run cut short counts for
    the stages it finished). ``exponent``: k in CPU-per-article ~ size**k (0: each article
    costs the same whatever the corpus; 1: each costs in proportion to the corpus, so the
    whole run grows with its square)."""
    out: dict[str, dict] = {}
    for (runner, steps), mine in sorted(_comparable(rows, finished=False).items()):
        if _n(mine[0]) == _n(mine[-1]):
            continue
        stages = {}
        for name in dict.fromkeys(n for r in mine for n in r["stage_cpu_s"]):
            small, big = _stage_pair(mine, name)
            if small is None:
                continue
            ms_small = small["stage_cpu_ms_per_article"][name]
            ms_big = big["stage_cpu_ms_per_article"][name]
            k = _exponent(ms_small, ms_big, _n(small), _n(big))
            stages[name] = {
                "sizes": [_n(small), _n(big)],
                "ms_per_article": [ms_small, ms_big],
                "exponent": None if k is None else round(k, 3),
            }
        entry: dict[str, object] = {"from": _n(mine[0]), "to": _n(mine[-1]), "by_stage": stages}
        done = [r for r in mine if "error" not in r]
        if len(done) >= 2 and _n(done[0]) < _n(done[-1]):  # whole runs at two sizes
            small, big = done[0], done[-1]
            cpu_small = sum(small["stage_cpu_s"].values()) / _n(small)
            cpu_big = sum(big["stage_cpu_s"].values()) / _n(big)
            k = _exponent(cpu_small, cpu_big, _n(small), _n(big))
            entry["whole_runs"] = {
                "from": _n(small),
                "to": _n(big),
                "time_ratio": round(big["seconds"] / small["seconds"], 2),
                "cpu_ms_per_article": [round(1000 * cpu_small, 2), round(1000 * cpu_big, 2)],
                "exponent": None if k is None else round(k, 3),
                "rss_ratio": round(big["peak_rss_mb"] / small["peak_rss_mb"], 2),
                "rss_kb_per_extra_article": round(
                    (big["peak_rss_mb"] - small["peak_rss_mb"]) * 1024 / (_n(big) - _n(small)),
                    3,
                ),
            }
        out[f"{runner}:{steps}"] = entry
    return out


CLUSTER_CORES = 64
# CPU-s figures move by up to 10 % between runs on a loaded machine: a stage whose cost per
# article grew by less between the two sizes is projected flat
NOISE = 1.10


def _stage_ms(small: dict | None, big: dict, name: str, n: int) -> dict[str, float]:
    """A stage's CPU ms per article at corpus size ``n`` under three models: ``flat`` (what
    it cost at the largest size measured), ``power`` (its per-article cost keeps growing as
    size**k, k measured between the two sizes, never below 0) and ``affine`` (per-article
    cost a + b*size through the two sizes, b never below 0: each article compares against a
    share of the corpus, so the run grows with its square). A stage whose cost per article
    grew by less than ``NOISE`` between the sizes is flat in all three."""
    ms_big = big["stage_cpu_ms_per_article"][name]
    out = {"flat": ms_big, "power": ms_big, "affine": ms_big}
    if small is None:
        return out
    ms_small = small["stage_cpu_ms_per_article"][name]
    if ms_big < NOISE * ms_small:  # within the noise of a loaded machine: no growth
        return out
    n_small, n_big = _n(small), _n(big)
    k = _exponent(ms_small, ms_big, n_small, n_big)
    if k is not None and k > 0:
        out["power"] = ms_big * (n / n_big) ** k
    slope = (ms_big - ms_small) / (n_big - n_small)
    if slope > 0:
        out["affine"] = ms_big + slope * (n - n_big)
    return out


def projection(rows: list[dict]) -> dict:
    """CPU-hours for 1M and 100M articles from each stage's measured CPU per article at the
    largest size that finished it AND its growth from the smallest such size (see
    :func:`_stage_ms`; ``flat`` is the linear extrapolation, which holds only for stages
    whose per-article cost does not grow with the corpus). ``stage_sizes`` says which sizes
    each stage's figures come from (a stage the largest run did not finish comes from a
    smaller one, and its growth is unknown)."""
    out: dict[str, dict] = {}
    for (runner, _steps), mine in sorted(_comparable(rows, finished=False).items()):
        if runner in out and out[runner]["from_articles"] >= _n(mine[-1]):
            continue
        names = list(dict.fromkeys(n for r in mine for n in r["stage_cpu_s"]))
        pairs = {name: _stage_pair(mine, name) for name in names}
        per_article = sum(b["stage_cpu_ms_per_article"][k] for k, (_, b) in pairs.items())
        biggest = mine[-1]
        entry: dict[str, object] = {
            "from_articles": _n(biggest),
            "largest_run_finished": "error" not in biggest,
            "stage_sizes": {k: [_n(s) if s else None, _n(b)] for k, (s, b) in pairs.items()},
            "cpu_ms_per_article": round(per_article, 2),
            "peak_rss_mb_measured": max(r["peak_rss_mb"] for r in mine),
        }
        for label, n in (("1M", 1_000_000), ("100M", 100_000_000)):
            stages = {k: _stage_ms(s, b, k, n) for k, (s, b) in pairs.items()}
            models: dict[str, object] = {}
            for model in ("flat", "power", "affine"):
                cpu_h = sum(ms[model] for ms in stages.values()) * n / 3.6e6
                models[model] = {
                    "cpu_hours": round(cpu_h, 1),
                    "hours_on_this_machine": round(cpu_h / (os.cpu_count() or 1), 1),
                    f"hours_on_{CLUSTER_CORES}_cores": round(cpu_h / CLUSTER_CORES, 1),
                }
            models["by_stage_cpu_hours"] = {
                name: {m: round(v * n / 3.6e6, 1) for m, v in ms.items()}
                for name, ms in stages.items()
            }
            entry[label] = models
        out[runner] = entry
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=default_data("timeline17"))
    parser.add_argument("--sizes", default="10000", help="comma-separated article counts")
    parser.add_argument("--runners", default="local,dask")
    parser.add_argument("--workers", type=int, default=2, help="local Dask cluster workers")
    parser.add_argument(
        "--steps", default="all", help="derived steps after ingest (comma-separated, or all)"
    )
    parser.add_argument(
        "--corpus",
        default=None,
        help="real articles to run as they are, no sizes (comma-separated: one row each)",
    )
    parser.add_argument("--tmp", type=Path, default=None, help="where the JSONL and stores go")
    parser.add_argument(
        "--long-documents",
        default=None,
        help="one-document runs instead of sizes, e.g. 7MB,120000w (characters or words)",
    )
    parser.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="a folder kept between runs: the generated JSONL, each finished row, and the"
        " store and progress of a run that was cut short; the same command again resumes",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="with --keep: print the figures kept there (finished rows, and the finished"
        " stages of a run cut short or still under way) without running anything",
    )
    parser.add_argument("--_progress", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--batches", type=int, default=None, help="with --corpus: 1 vs N sequential ingests"
    )
    parser.add_argument("--order", type=int, default=None, help="batch mode: shuffle seed")
    parser.add_argument("--_generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--_batches", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.steps == "all":
        from newsweave.pipeline import STEPS

        steps = [step.name for step in STEPS]
    else:
        steps = [s for s in args.steps.split(",") if s]
    if args._generate:
        print(json.dumps(generate(args._generate, args.data, args._db)))
        return
    if args._batches:
        row = batch_run(args._one, args._db, args._batches, args.order, steps)
        print(json.dumps(row))
        return
    if args._one:
        row = one_run(args._one, args._db, args.runners, args.workers, steps, args._progress)
        print(json.dumps(row))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    runners = [r for r in args.runners.split(",") if r]
    rows: list[dict] = []
    if args.report_only and args.keep is None:
        sys.exit("bench/scale.py: --report-only reads a --keep folder; give one")
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        base = args.keep.resolve()
    else:
        if args.tmp is not None:
            args.tmp.mkdir(parents=True, exist_ok=True)
        base = Path(tempfile.mkdtemp(prefix="newsweave-scale-", dir=args.tmp))

    def run_row(data: Path, runner: str, label: str, run_steps: list[str]) -> dict:
        """A finished row kept from an earlier call (--keep), or a new measurement."""
        saved = base / f"row-{label}.json"
        if args.keep is not None and saved.exists():
            log(f"  {label}: finished in an earlier call; row kept")
            return _read_json(saved)
        if args.report_only:
            return partial_row(base, runner, label, "not finished")
        row = measure(data, runner, args.workers, run_steps, base, label)
        if args.keep is not None and "error" not in row:
            _write_json(saved, row)
        return row

    corpora = [Path(c) for c in (args.corpus or "").split(",") if c]
    for corpus in corpora:
        if not corpus.exists():
            sys.exit(f"bench/scale.py: {corpus}: no such file or folder")
    if args.batches:
        if len(corpora) != 1:
            sys.exit("bench/scale.py: --batches needs --corpus PATH (one existing folder)")
        try:
            emit(batch_parity(corpora[0], args.batches, args.order, steps, base))
        finally:
            shutil.rmtree(base, ignore_errors=True)
        return
    try:
        if args.long_documents:
            sizes = []
            for spec in [x for x in args.long_documents.split(",") if x]:
                folder = base / f"long-{spec}"
                made = long_document(args.data, spec, folder)
                log(f"one document: {made}")
                row = run_row(folder, "local", f"long-{spec}", steps)
                row.update(size=row.get("articles"), steps=["ingest", *steps], document=made)
                rows.append(row)
                log(f"  {json.dumps(row)}")
                shutil.rmtree(folder)
        for corpus in corpora:
            sizes = []
            for runner in runners:
                log(f"{corpus}, runner {runner}, steps ingest+{'+'.join(steps)}")
                row = run_row(corpus, runner, f"{corpus.name}-{runner}", steps)
                row.update(size=row.get("articles"), steps=["ingest", *steps])
                row.update(corpus=str(corpus), input_mb=round(_bytes_under(corpus) / 1e6, 2))
                rows.append(row)
                log(f"  {json.dumps(row)}")
        for size in sizes:
            data = base / f"jsonl-{size}"
            made = _read_json(base / f"made-{size}.json")
            if not made and args.report_only:
                continue
            if not made:
                log(f"generating {size:,} articles")
                t = time.perf_counter()
                shutil.rmtree(data, ignore_errors=True)
                gen = [sys.executable, __file__, "--_generate", str(size), "--_db", str(data)]
                gen += ["--data", str(args.data)]
                made = json.loads(
                    subprocess.run(
                        gen, check=True, stdout=subprocess.PIPE, text=True
                    ).stdout.splitlines()[-1]
                )
                _write_json(base / f"made-{size}.json", made)
                log(f"  {made} in {time.perf_counter() - t:.0f} s")
            size_steps = steps
            for runner in runners:
                log(f"{size:,} articles, runner {runner}, steps ingest+{'+'.join(size_steps)}")
                row = run_row(data, runner, f"{size}-{runner}", size_steps)
                if row.get("partial"):  # the finished stages' cost per article
                    row["stage_cpu_ms_per_article"] = {
                        k: round(1000 * v / size, 3) for k, v in row["stage_cpu_s"].items()
                    }
                row.update(size=size, steps=["ingest", *size_steps], corpus=made)
                rows.append(row)
                log(f"  {json.dumps(row)}")
            if args.keep is None:
                shutil.rmtree(data)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    emit(
        {
            "bench": "scale",
            "data": args.corpus or str(args.data),
            "mode": "long-documents"
            if args.long_documents
            else ("corpus" if args.corpus else "generated"),
            "cpus": os.cpu_count(),
            "dask_workers": args.workers,
            "runs": rows,
            "by_corpus": {
                f"{Path(r['corpus']).name}:{r['runner']}": {
                    "articles": r["articles"],
                    "articles_per_cpu_s": r["articles_per_cpu_s"],
                    "input_kb_per_cpu_s": round(1000 * r["input_mb"] / r["cpu_s"], 1),
                    "peak_rss_mb": r["peak_rss_mb"],
                }
                for r in rows
                if "input_mb" in r and "error" not in r  # --corpus rows (generated: a dict)
            },
            # one long document per row: no corpus size to grow or project from
            "growth": growth(rows) if not corpora and not args.long_documents else {},
            "projection": projection(rows) if not args.long_documents else {},
        }
    )


if __name__ == "__main__":
    main()
