"""Load run of the HTTP API on loopback against a store of the Timeline17 articles.

Starts ``newsweave serve`` in its own process (as users run it), then drives it with N
concurrent closed-loop clients (asyncio, one keep-alive connection each) for a fixed time with a
seeded mix of reads and searches: article pages, filtered lists, full-text searches, stories,
events with their claims, entities, timeline, claims. Stops by itself and prints requests/s,
p50/p90/p99 latency, error and 5xx counts (also per endpoint) and the server's peak RSS as one
JSON object on the last line of stdout.

Usage: .venv/bin/python bench/serve.py [--data PATH] [--store PATH] [--duration 60]
       [--clients 50] [--no-analyze]

The store is built on first use (ingest + every analysis stage unless --no-analyze) at
``--store`` (default bench/out/timeline17.db, ignored by git) and reused afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "timeline17"
DEFAULT_STORE = REPO / "bench" / "out" / "timeline17.db"

# endpoint name -> weight in the mix
MIX = {
    "article": 22,
    "search": 20,
    "articles_filtered": 12,
    "stories": 6,
    "story": 8,
    "event": 10,
    "entities": 8,
    "timeline": 4,
    "claims": 5,
    "meta": 5,
}


def log(message: str) -> None:
    print(f"[serve-bench] {message}", file=sys.stderr, flush=True)


def build_store(data: Path, store: Path, analyze: bool) -> None:
    sys.path.insert(0, str(REPO / "src"))
    from newsweave.api import Newsweave

    store.parent.mkdir(parents=True, exist_ok=True)
    with Newsweave(store) as nw:
        if nw.count() > 0:
            return  # built by an earlier run
        t0 = time.perf_counter()
        report = nw.ingest([data], analyze=False)
        log(f"ingested {report.summary()} in {time.perf_counter() - t0:.1f} s")
        if analyze:
            t0 = time.perf_counter()
            ran = nw.analyze()
            log(f"analysed ({', '.join(ran)}) in {time.perf_counter() - t0:.1f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_tree(pid: int) -> list[int]:
    """The server and its worker processes (``serve --workers N`` forks them)."""
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            pids.append(int(entry.name))
    return pids


def peak_rss_mb(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"VmHWM:\s+(\d+) kB", text)
    return round(int(m.group(1)) / 1024, 1) if m else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


class Workload:
    """Seeded request generator over what the store really holds."""

    def __init__(self, catalogue: dict, seed: int) -> None:
        self.rng = random.Random(seed)
        self.c = catalogue
        self.names = list(MIX)
        self.weights = [MIX[n] for n in self.names]

    def next(self) -> tuple[str, str, dict]:
        rng, c = self.rng, self.c
        name = rng.choices(self.names, self.weights)[0]
        if name == "article":
            return name, f"/api/articles/{rng.choice(c['articles'])}", {}
        if name == "search":
            words = rng.sample(c["words"], k=rng.choice((1, 1, 2)))
            return name, "/api/search", {"q": " ".join(words), "limit": 20}
        if name == "articles_filtered":
            params: dict = {"limit": 30, "offset": rng.choice((0, 0, 30, 60))}
            pick = rng.random()
            if pick < 0.4 and c["outlets"]:
                params["outlet"] = rng.choice(c["outlets"])
            elif pick < 0.7 and c["dates"]:
                day = rng.choice(c["dates"])
                params["since"], params["until"] = day[:7] + "-01", day
            elif c["entities"]:
                params["entity"] = rng.choice(c["entities"])
            return name, "/api/articles", params
        if name == "stories":
            return name, "/api/stories", {}
        if name == "story" and c["stories"]:
            return name, f"/api/stories/{rng.choice(c['stories'])}", {}
        if name == "event" and c["events"]:
            return name, f"/api/events/{rng.choice(c['events'])}", {}
        if name == "entities":
            q = rng.choice(c["entity_prefixes"]) if c["entity_prefixes"] else None
            return name, "/api/entities", {"q": q, "limit": 50} if q else {"limit": 50}
        if name == "timeline" and c["stories"]:
            return name, "/api/timeline", {"story": rng.choice(c["stories"])}
        if name == "claims":
            status = rng.choice(("contested", "corroborated", "single-source"))
            return name, "/api/claims", {"status": status, "limit": 50}
        return "meta", "/api/meta", {}


def catalogue(base: str) -> dict:
    """What to ask for: ids and words taken from the served store itself."""
    with httpx.Client(base_url=base, timeout=120) as c:
        articles = []
        offset = 0
        while True:
            page = c.get("/api/articles", params={"limit": 500, "offset": offset}).json()
            articles += page["items"]
            offset += 500
            if offset >= page["total"]:
                break
        stories = c.get("/api/stories", params={"limit": 500}).json()["items"]
        events = c.get("/api/events", params={"limit": 500}).json()["items"]
        entities = c.get("/api/entities", params={"limit": 300}).json()["items"]
    words: set[str] = set()
    for a in articles:
        for w in re.findall(r"[A-Za-z]{5,}", a.get("title") or a.get("lead") or ""):
            words.add(w.lower())
    return {
        "articles": [a["id"] for a in articles],
        "outlets": sorted({a["outlet"] for a in articles if a.get("outlet")}),
        "dates": sorted({a["published"] for a in articles if a.get("published")}),
        "words": sorted(words)[:3000] or ["news"],
        "stories": [s["id"] for s in stories],
        "events": [e["id"] for e in events],
        "entities": [e["name"] for e in entities[:200]],
        "entity_prefixes": sorted({e["name"][:4] for e in entities if len(e["name"]) >= 4}),
    }


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams. httpx costs several times
    more CPU per request than the server does; on a 2-core machine it would measure itself."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        request = f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n"
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" not in headers:
            raise ConnectionError("response without Content-Length")
        body = await self.reader.readexactly(int(headers["content-length"]))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def drive(host: str, port: int, clients: int, duration: float, seed: int, cat: dict) -> dict:
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[int, int] = defaultdict(int)
    errors: list[str] = []
    deadline = time.perf_counter() + duration
    done = 0

    async def client(i: int) -> None:
        nonlocal done
        work = Workload(cat, seed * 1000 + i)
        http = RawClient(host, port)
        try:
            while time.perf_counter() < deadline:
                name, path, params = work.next()
                target = path + ("?" + urlencode(params) if params else "")
                t0 = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(http.get(target), timeout=30)
                    statuses[status] += 1
                    if status >= 400:
                        errors.append(f"{status} {target}")
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ConnectionError) as exc:
                    errors.append(f"{type(exc).__name__} {target}")
                    statuses[0] += 1
                    await http.close()
                latencies[name].append((time.perf_counter() - t0) * 1000)
                done += 1
        finally:
            await http.close()

    async def progress() -> None:
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            await asyncio.sleep(10)
            elapsed = time.perf_counter() - start
            log(f"{elapsed:4.0f} s: {done} requests ({done / elapsed:.0f}/s)")

    started = time.perf_counter()
    ticker = asyncio.create_task(progress())
    await asyncio.gather(*(client(i) for i in range(clients)))
    ticker.cancel()
    elapsed = time.perf_counter() - started
    return {"latencies": latencies, "statuses": statuses, "errors": errors, "elapsed": elapsed}


def run_loop(coro):  # noqa: ANN001, ANN201
    """asyncio.run on uvloop when installed (less client CPU on a shared 2-core machine)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--store", type=Path, default=DEFAULT_STORE)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--workers", type=int, default=1, help="server processes (serve --workers)")
    ap.add_argument("--no-analyze", action="store_true", help="store articles only")
    args = ap.parse_args()

    build_store(args.data, args.store, analyze=not args.no_analyze)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("NEWSWEAVE_TOKEN", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsweave.cli",
            "serve",
            "--db",
            str(args.store),
            "--port",
            str(port),
            "--workers",
            str(args.workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        t0 = time.perf_counter()
        while True:
            if server.poll() is not None:
                raise SystemExit(f"server exited: {server.stderr.read() if server.stderr else ''}")
            try:
                if httpx.get(base + "/api/meta", timeout=120).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        warmup = time.perf_counter() - t0
        log(f"server up on {base}; first answer (snapshot built) after {warmup:.1f} s")
        cat = catalogue(base)
        log(
            f"{len(cat['articles'])} articles, {len(cat['stories'])} stories, "
            f"{len(cat['events'])} events; {args.clients} clients for {args.duration:.0f} s"
        )
        load_before = os.getloadavg()[0]
        tree = process_tree(server.pid)
        cpu_before = sum(cpu_seconds(p) or 0.0 for p in tree)
        run = run_loop(drive("127.0.0.1", port, args.clients, args.duration, args.seed, cat))
        rss = sum(peak_rss_mb(p) or 0.0 for p in tree)
        cpu_after = sum(cpu_seconds(p) or 0.0 for p in tree)
        server_cpu = (
            cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

    all_lat = [v for vals in run["latencies"].values() for v in vals]
    total = len(all_lat)
    statuses = run["statuses"]
    per_endpoint = {
        name: {
            "requests": len(vals),
            "p50_ms": round(percentile(vals, 0.50), 2),
            "p99_ms": round(percentile(vals, 0.99), 2),
        }
        for name, vals in sorted(run["latencies"].items())
    }
    if run["errors"]:
        log("first errors: " + "; ".join(run["errors"][:5]))
    result = {
        "bench": "serve",
        "data": str(args.data),
        "store": str(args.store),
        "articles": len(cat["articles"]),
        "stories": len(cat["stories"]),
        "events": len(cat["events"]),
        "clients": args.clients,
        "server_workers": args.workers,
        "duration_s": round(run["elapsed"], 1),
        "requests": total,
        "requests_per_s": round(total / run["elapsed"], 1),
        "p50_ms": round(percentile(all_lat, 0.50), 2),
        "p90_ms": round(percentile(all_lat, 0.90), 2),
        "p99_ms": round(percentile(all_lat, 0.99), 2),
        "max_ms": round(max(all_lat, default=0.0), 2),
        "errors": len(run["errors"]),
        "status_5xx": sum(n for code, n in statuses.items() if code >= 500),
        "transport_errors": statuses.get(0, 0),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "first_answer_s": round(warmup, 2),
        "server_cpu_s": round(server_cpu, 1) if server_cpu is not None else None,
        "server_cpu_ms_per_request": (
            round(1000 * server_cpu / total, 3) if server_cpu is not None and total else None
        ),
        "loadavg_1min_before": round(load_before, 2),
        "server_peak_rss_mb": rss,
        "bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
        "by_endpoint": per_endpoint,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
