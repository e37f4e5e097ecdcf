"""The Dask (distributed) runner: the same pure stage functions, run on a cluster's workers.

Items travel in chunks (one task per chunk, so a 1 ms article does not pay a 1 ms task
overhead), at most ``max_in_flight`` chunks are submitted at a time, and results are yielded
in submission order. Memory on the caller's side is therefore bounded by
``max_in_flight * chunk_size`` items and their results, whatever the corpus size, and the
output order — hence the store and its exports — is the same as in-process.

Only the caller writes the store; workers never see it.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

from newsweave.errors import StageError

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_CHUNK_SIZE = 32


def _apply_chunk(func: Callable[[T], R], chunk: list[T]) -> list[R]:
    """What one Dask task does: the pure function over a chunk of items."""
    return [func(item) for item in chunk]


class DaskRunner:
    """Run :meth:`map` on a Dask cluster.

    ``scheduler``: address of a running scheduler (``tcp://10.0.0.5:8786``). Without it a
    private ``LocalCluster`` is started with ``workers`` single-threaded worker processes
    bound to 127.0.0.1 (no dashboard), and shut down by :meth:`close`.

    ``max_in_flight``: chunks submitted and not yet consumed; default twice the worker
    threads, enough to keep every worker busy while the caller writes a batch.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        workers: int | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_in_flight: int | None = None,
    ) -> None:
        if chunk_size < 1:
            raise StageError(f"chunk_size must be at least 1 (got {chunk_size})")
        if workers is not None and workers < 1:
            raise StageError(f"--workers must be at least 1 (got {workers})")
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is an optional extra
            raise StageError(
                "the dask runner needs dask.distributed: pip install 'newsweave[dask]'"
            ) from exc
        self.chunk_size = chunk_size
        self._cluster: Any = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="10s")
            else:
                self._cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    scheduler_port=0,
                    dashboard_address=None,
                    worker_dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            if self._cluster is not None:
                self._cluster.close()
            where = scheduler or "a local cluster"
            raise StageError(f"cannot start the dask runner on {where}: {exc}") from exc
        threads = sum(self.client.nthreads().values())
        self.workers = max(1, threads)
        self.max_in_flight = max_in_flight or 2 * self.workers
        self.scheduler = self.client.scheduler.address

    def map(
        self, func: Callable[[T], R], items: Iterable[T], *, chunk_size: int | None = None
    ) -> Iterator[R]:
        size = chunk_size or self.chunk_size
        source = iter(items)
        pending: deque[Any] = deque()
        exhausted = False
        try:
            while True:
                while not exhausted and len(pending) < self.max_in_flight:
                    chunk = list(islice(source, size))
                    if not chunk:
                        exhausted = True
                        break
                    # pure=False: two identical chunks are still two tasks (no key clash).
                    pending.append(self.client.submit(_apply_chunk, func, chunk, pure=False))
                if not pending:
                    return
                future = pending.popleft()
                results = future.result()
                future.release()
                yield from results
        finally:
            # The caller stopped early or a task failed: drop what is still queued.
            if pending:
                self.client.cancel(list(pending))

    def close(self) -> None:
        client, self.client = getattr(self, "client", None), None
        if client is not None:
            client.close()
        cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DaskRunner(scheduler={getattr(self, 'scheduler', None)!r}, workers={self.workers})"
