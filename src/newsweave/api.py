"""The public Python API. The CLI, the HTTP API and the web page are thin layers over it.

Example::

    import newsweave

    with newsweave.open("news.db") as nw:
        report = nw.ingest(["examples/seeds"])
        print(report.summary())
        for article in nw.articles():
            print(article.published, article.title)
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from newsweave import export, pipeline
from newsweave.errors import NewsweaveError
from newsweave.pipeline import IngestReport, ProgressCallback
from newsweave.records import Article
from newsweave.runners import Runner
from newsweave.store import ArticleFilter, Store


class Newsweave:
    """A newsweave store and everything you can ask of it."""

    def __init__(self, db: str | Path | None = None, *, read_only: bool = False) -> None:
        self.db = str(db) if db is not None else pipeline.default_db_path()
        self.store = Store(self.db, read_only=read_only)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Newsweave:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        analyze: bool = True,
        batch_size: int = pipeline.DEFAULT_BATCH_SIZE,
        progress: ProgressCallback | None = None,
        runner: Runner | None = None,
    ) -> IngestReport:
        """Read, clean and store articles from files, folders and globs; then (by default)
        run the derived stages over the store. Idempotent and resumable.

        ``runner`` (see :func:`newsweave.runners.make_runner`) runs the pure work elsewhere,
        e.g. on a Dask cluster; the store is still written by this process alone."""
        report = pipeline.ingest_paths(
            self.store,
            [str(p) for p in paths],
            batch_size=batch_size,
            progress=progress,
            runner=runner,
        )
        if analyze:
            self.analyze(runner=runner)
        return report

    def analyze(
        self, only: Iterable[str] | None = None, *, runner: Runner | None = None
    ) -> list[str]:
        """Run the derived stages (copies, entities, time, events, claims) incrementally."""
        return pipeline.analyze(self.store, only=only, runner=runner)

    # ------------------------------------------------------------------ reading

    def articles(
        self,
        *,
        since: str | None = None,
        until: str | None = None,
        outlet: str | None = None,
        agency: str | None = None,
        ids: Iterable[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Article]:
        return self.store.articles(
            ArticleFilter(
                since=since,
                until=until,
                outlet=outlet,
                agency=agency,
                ids=tuple(ids) if ids is not None else None,
                limit=limit,
                offset=offset,
            )
        )

    def article(self, article_id: str) -> Article | None:
        """One article by id or unique id prefix."""
        return self.store.article(article_id)

    def search(self, query: str, limit: int = 20) -> list[tuple[Article, str]]:
        """Full-text search over titles and texts: (article, snippet) best first."""
        return self.store.search(query, limit=limit)

    def count(self) -> int:
        return self.store.article_count()

    # ------------------------------------------------------------------ exports

    def export(self) -> dict:
        """The store as one JSON-able object (the ``export --format json`` contract)."""
        return export.export_json(self.store)

    def export_text(self, fmt: str) -> str:
        """The store in one of :data:`export.WRITERS`' formats, as text."""
        out = io.StringIO()
        self.write_export(fmt, out)
        return out.getvalue()

    def write_export(self, fmt: str, out: io.TextIOBase) -> None:
        """Stream an export to ``out`` (jsonl and csv stay in bounded memory)."""
        _writer(fmt)(self.store, out)


def _writer(fmt: str) -> export.WriterFunction:
    writer = export.WRITERS.get(fmt)
    if writer is None:
        known = ", ".join(sorted(export.WRITERS))
        raise NewsweaveError(f"unknown export format {fmt!r} (choose one of: {known})")
    return writer


def open(db: str | Path | None = None, *, read_only: bool = False) -> Newsweave:  # noqa: A001
    """Open (or create) a newsweave store. ``db`` defaults to $NEWSWEAVE_DB or newsweave.db."""
    return Newsweave(db, read_only=read_only)
