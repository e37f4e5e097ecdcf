"""Runners decide where the pure stage work executes; the pipeline decides what it is.

A stage is a pure function over records, so the same function can run in this process or on
a Dask cluster. A :class:`Runner` offers one operation, :meth:`Runner.map`: apply a
module-level function to every item of an iterable and yield the results **in input order**,
lazily, with a bounded number of items in flight. Because results come back in order and
the store is written by the calling process alone, both runners produce identical stores
and exports.

Using a runner from a derived step (``pipeline.STEPS``): the step keeps its signature
``run_<stage>(store, settings)`` and asks for the active runner::

    from newsweave.runners import current_runner

    def run_entities(store: Store, settings: Settings) -> int:
        for mentions in current_runner().map(extract_mentions, store.iter_articles()):
            ...  # write in batches, in this process

``extract_mentions`` must be a module-level function (so it can be pickled by reference),
must not touch the store, files or global state, and its arguments and results must pickle.
:func:`newsweave.pipeline.analyze` installs the runner the user chose with
:func:`use_runner`; outside it, :func:`current_runner` is the in-process runner.

Choosing a runner: :func:`make_runner` (``"local"`` or ``"dask"``), which is what the CLI's
``--runner``/``--scheduler``/``--workers`` options call.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar, runtime_checkable

from newsweave.errors import StageError

T = TypeVar("T")
R = TypeVar("R")

RUNNER_KINDS = ("local", "dask")


@runtime_checkable
class Runner(Protocol):
    """Where pure work runs. Implementations: :class:`LocalRunner`, ``DaskRunner``."""

    name: str
    workers: int

    def map(
        self, func: Callable[[T], R], items: Iterable[T], *, chunk_size: int | None = None
    ) -> Iterator[R]:
        """Yield ``func(item)`` for each item, in input order, lazily (bounded memory).

        ``chunk_size`` is how many items travel together to a worker (ignored in-process).
        An exception raised by ``func`` is re-raised here, in the caller.
        """
        ...

    def close(self) -> None:
        """Release workers and connections. Safe to call twice."""
        ...


class LocalRunner:
    """The default: run each item in this process, one at a time, as the caller iterates.

    Memory is what one item and its result need; nothing is read ahead.
    """

    name = "local"
    workers = 1

    def map(
        self, func: Callable[[T], R], items: Iterable[T], *, chunk_size: int | None = None
    ) -> Iterator[R]:
        for item in items:
            yield func(item)

    def close(self) -> None:
        return None

    def __enter__(self) -> LocalRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "LocalRunner()"


_LOCAL = LocalRunner()
_CURRENT: contextvars.ContextVar[Runner] = contextvars.ContextVar(
    "newsweave_runner", default=_LOCAL
)


def current_runner() -> Runner:
    """The runner derived steps should map their per-article work through."""
    return _CURRENT.get()


@contextlib.contextmanager
def use_runner(runner: Runner | None) -> Iterator[Runner]:
    """Make ``runner`` the :func:`current_runner` inside the block (None: keep the current)."""
    if runner is None:
        yield _CURRENT.get()
        return
    token = _CURRENT.set(runner)
    try:
        yield runner
    finally:
        _CURRENT.reset(token)


def make_runner(
    kind: str = "local", *, scheduler: str | None = None, workers: int | None = None
) -> Runner:
    """Build a runner by name.

    ``"local"``: in-process. ``"dask"``: connect to ``scheduler`` (``tcp://host:8786``) if
    given, else start a private local cluster of ``workers`` processes (default: one per
    CPU) listening on 127.0.0.1 only. Workers of an external cluster must have newsweave
    installed and see input files at the same paths (a shared filesystem).
    """
    if kind == "local":
        if scheduler is not None:
            raise StageError("--scheduler needs --runner dask (the local runner has no cluster)")
        return LocalRunner()
    if kind == "dask":
        from newsweave.runners.dask_runner import DaskRunner

        return DaskRunner(scheduler=scheduler, workers=workers)
    known = ", ".join(RUNNER_KINDS)
    raise StageError(f"unknown runner {kind!r} (choose one of: {known})")


__all__ = [
    "RUNNER_KINDS",
    "LocalRunner",
    "Runner",
    "current_runner",
    "make_runner",
    "use_runner",
]
