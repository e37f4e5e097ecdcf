"""The command-line front end: every command opens the store, calls one method of
:class:`newsweave.api.Newsweave`, and prints. Errors become one line on stderr.

Exit codes: 0 success; 1 some input was skipped (the rest landed); 2 usage or fatal error.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import sys
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newsweave import formats
from newsweave.api import Newsweave
from newsweave.errors import NewsweaveError, one_line
from newsweave.export import article_dict
from newsweave.ingest import InputError, discover
from newsweave.ingest.fetch import FetchPolicy
from newsweave.pipeline import default_db_path
from newsweave.records import DisagreementSide
from newsweave.runners import make_runner
from newsweave.store import store_error
from newsweave.watch import PollReport, Watcher, parse_interval

EXIT_SKIPPED = 1
EXIT_ERROR = 2

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def fail(message: str) -> None:
    """Print one error line and exit with EXIT_ERROR."""
    err.print(f"newsweave: error: {one_line(message)}", markup=False)
    sys.exit(EXIT_ERROR)


def handles_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one-line messages instead of tracebacks: newsweave's own,
    the store's SQLite faults (disk full, read-only, corrupt: one mapping, in the store)
    and the operating system's (an export file that cannot be written). All exit 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except NewsweaveError as exc:
            fail(str(exc))
        except sqlite3.Error as exc:
            ctx = click.get_current_context(silent=True)
            db = ctx.find_root().obj["db"] if ctx and ctx.find_root().obj else "store"
            fail(str(store_error(db, exc)))
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}")
        except KeyboardInterrupt:
            err.print("newsweave: interrupted; committed batches are kept", markup=False)
            sys.exit(130)

    return wrapper


def open_store(ctx: click.Context, *, read_only: bool = False) -> Newsweave:
    overrides = ctx.obj.get("set") or None
    nw = Newsweave(ctx.obj["db"], read_only=read_only, settings=overrides)
    ctx.call_on_close(nw.close)
    if overrides:
        nw.settings  # noqa: B018 - validate --set now: a typo is one error line, not ignored
    return nw


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    default=default_db_path,
    show_default="$NEWSWEAVE_DB or newsweave.db",
    help="The store (an SQLite file, created when missing).",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="STAGE.KEY=VALUE",
    help="Change a stage setting for this command (repeatable); it wins over newsweave.toml "
    "beside the store. List them with: newsweave settings",
)
@click.version_option(package_name="newsweave")
@click.pass_context
def cli(ctx: click.Context, db: str, overrides: tuple[str, ...]) -> None:
    """newsweave: turn news articles from many outlets into a cited picture of what happened.

    Example: newsweave ingest examples/seeds && newsweave brief

    Example: newsweave --set group.event_threshold=0.45 ingest articles/
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    ctx.obj["set"] = overrides


def runner_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--runner / --scheduler / --workers: where the pure stage work runs."""
    func = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes of the local Dask cluster [default: one per CPU].",
    )(func)
    func = click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler to use (tcp://host:8786); without it a local cluster starts.",
    )(func)
    func = click.option(
        "--runner",
        "runner_kind",
        type=click.Choice(["local", "dask"]),
        default="local",
        show_default=True,
        help="Run stages in this process or on Dask.",
    )(func)
    return func


def open_runner(ctx: click.Context, kind: str, scheduler: str | None, workers: int | None):
    """Build the runner the options ask for; it is closed when the command ends."""
    runner = make_runner(kind, scheduler=scheduler, workers=workers)
    ctx.call_on_close(runner.close)
    return runner


def fetch_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--delay / --timeout / --retries: how politely addresses are fetched."""
    func = click.option(
        "--retries",
        type=click.IntRange(min=0, max=10),
        default=2,
        show_default=True,
        help="Retries (with exponential backoff) after a timeout, 429 or 5xx.",
    )(func)
    func = click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=20.0,
        show_default=True,
        help="Seconds to wait for a host to connect or answer.",
    )(func)
    func = click.option(
        "--delay",
        type=click.FloatRange(min=0),
        default=1.0,
        show_default=True,
        help="Seconds between two requests to one host (robots.txt Crawl-delay wins if longer).",
    )(func)
    return func


def fetch_policy(delay: float, timeout: float, retries: int) -> Any:
    return FetchPolicy(delay=delay, timeout=timeout, retries=retries)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--no-analyze", is_flag=True, help="Only store articles; skip the derived stages.")
@click.option("--batch-size", default=200, show_default=True, help="Files per transaction.")
@fetch_options
@runner_options
@click.pass_context
@handles_errors
def ingest(
    ctx: click.Context,
    paths: tuple[str, ...],
    no_analyze: bool,
    batch_size: int,
    delay: float,
    timeout: float,
    retries: int,
    runner_kind: str,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Read, clean and store articles from files, folders (recursive) and globs, and from
    addresses: an article page, an RSS/Atom feed (every item's page), a (news) sitemap, or a
    sources file with one address a line. Fetching is polite (robots.txt, a delay per host,
    conditional requests); see docs/live-sources.md.

    Formats: seed-style .txt, .html, .jsonl/.json, .csv. Ingesting twice adds nothing.

    Example: newsweave ingest examples/seeds 'exports/*.jsonl'

    Example: newsweave ingest https://example.org/feed.xml sources.txt

    Example (on Dask): newsweave ingest --runner dask --workers 2 big-export/
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    nw = open_store(ctx)
    runner = open_runner(ctx, runner_kind, scheduler, workers)
    # the total is one directory walk ahead of the work; only worth it when someone watches
    total = (
        sum(not isinstance(f, InputError) for f in discover(list(paths)))
        if err.is_terminal
        else None
    )
    with Progress(
        TextColumn("ingesting files"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task("files", total=total)
        report = nw.ingest(
            paths,
            analyze=False,
            batch_size=batch_size,
            progress=lambda n: bar.advance(task, n),
            runner=runner,
            fetch_policy=fetch_policy(delay, timeout, retries),
        )
    for problem in report.skipped:
        err.print(f"newsweave: skipped {problem}", markup=False)
    skipped = list(report.skipped)
    if not no_analyze:
        _analyze_with_status(nw, None, runner, _print_skipped(skipped))
    out.print(report.summary(), markup=False)
    if skipped:
        sys.exit(EXIT_SKIPPED)


def _print_skipped(into: list) -> Callable[[NewsweaveError], None]:
    """An ``on_problem`` callback: one line per article a stage skipped, kept in ``into``."""

    def show(problem: NewsweaveError) -> None:
        into.append(problem)
        err.print(f"newsweave: skipped {problem}", markup=False)

    return show


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--every", default="15m", show_default=True, help="Poll interval: 90s, 15m, 1h ...")
@click.option("--once", is_flag=True, help="Poll once and exit (for cron).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of text.")
@fetch_options
@runner_options
@click.pass_context
@handles_errors
def watch(
    ctx: click.Context,
    sources: tuple[str, ...],
    every: str,
    once: bool,
    as_json: bool,
    delay: float,
    timeout: float,
    retries: int,
    runner_kind: str,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Poll feeds, sitemaps and pages, ingest what is new, analyse it, and print one line
    per new story, new event and newly contested claim (and per new article joining an
    event seen before). Stops cleanly on Ctrl-C / SIGTERM and resumes where it stopped.

    SOURCES are addresses or sources files (one address a line), as for ingest.

    Example: newsweave watch sources.txt --every 15m

    Example (cron, every 15 minutes): newsweave watch --once --json sources.txt
    """
    import signal

    interval = parse_interval(every)
    nw = open_store(ctx)
    runner = open_runner(ctx, runner_kind, scheduler, workers)
    watcher = Watcher(
        nw,
        list(sources),
        interval,
        fetch_policy=fetch_policy(delay, timeout, retries),
        runner=runner,
    )
    skipped = 0

    def on_poll(result: PollReport) -> None:
        nonlocal skipped
        for problem in result.ingest.skipped:
            err.print(f"newsweave: skipped {problem}", markup=False)
        skipped += len(result.ingest.skipped)
        for notice in result.notices:
            if as_json:
                out.print(
                    json.dumps(notice.as_dict(), ensure_ascii=False),
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
            else:
                out.print(notice.line(), markup=False, highlight=False)
        err.print(
            f"newsweave: polled at {result.polled_at}: {result.ingest.summary()}",
            markup=False,
        )

    def on_signal(signum: int, frame: object) -> None:
        err.print("newsweave: stopping after the current fetch", markup=False)
        watcher.stop()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        watcher.run(on_poll, once=once)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if watcher.stopped:
        err.print("newsweave: watch stopped; run it again to resume", markup=False)
    if once and skipped:
        sys.exit(EXIT_SKIPPED)


@cli.command()
@click.option("--only", multiple=True, help="Run just these stages (repeatable).")
@runner_options
@click.pass_context
@handles_errors
def analyze(
    ctx: click.Context,
    only: tuple[str, ...],
    runner_kind: str,
    scheduler: str | None,
    workers: int | None,
) -> None:
    """Run the derived stages over everything stored (incremental).

    Example: newsweave analyze --only copies
    """
    nw = open_store(ctx)
    runner = open_runner(ctx, runner_kind, scheduler, workers)
    skipped: list = []
    ran = _analyze_with_status(nw, only or None, runner, _print_skipped(skipped))
    out.print("ran: " + (", ".join(ran) or "nothing"), markup=False)
    if skipped:
        sys.exit(EXIT_SKIPPED)


#: What each analysis stage is doing, as the progress line says it.
STAGE_LABELS = {
    "sentences": "splitting sentences",
    "copies": "finding copies and reused passages",
    "nlp": "reading names (entities)",
    "time": "dating sentences",
    "group": "grouping events and stories",
    "claims": "comparing claims",
}


def _analyze_with_status(
    nw: Newsweave,
    only: tuple[str, ...] | None,
    runner: Any,
    on_problem: Callable[[NewsweaveError], None] | None = None,
) -> list[str]:
    """Run the analysis with a status line naming the stage and its number (on a terminal);
    ``on_problem`` hears of each article a stage skipped."""
    if not err.is_terminal:
        return nw.analyze(only, runner=runner, on_problem=on_problem)
    with err.status("analysing", spinner="dots") as status:

        def on_step(name: str, number: int, total: int) -> None:
            what = STAGE_LABELS.get(name, name)
            status.update(f"analysing: {what} — stage {number} of {total} ({name})")

        return nw.analyze(only, runner=runner, on_step=on_step, on_problem=on_problem)


@cli.command()
@click.option("--since", help="Published on or after this ISO date.")
@click.option("--until", help="Published on or before this ISO date.")
@click.option("--outlet", help="Only this outlet.")
@click.option("--limit", type=int, default=None, help="At most this many rows.")
@click.pass_context
@handles_errors
def articles(
    ctx: click.Context, since: str | None, until: str | None, outlet: str | None, limit: int | None
) -> None:
    """List stored articles as a table.

    Example: newsweave articles --since 2020-09-01
    """
    rows = open_store(ctx, read_only=_exists(ctx)).articles(
        since=since, until=until, outlet=outlet, limit=limit
    )
    _print_rows(
        ("id", "published", "outlet", "agency", "dateline", "title"),
        [
            (
                a.id[:10],
                a.published or "",
                a.outlet or "",
                a.agency or "",
                a.dateline or "",
                a.title or _first_words(a.text),
            )
            for a in rows
        ],
    )
    out.print(f"{len(rows)} articles", markup=False)


@cli.command()
@click.argument("article_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def show(ctx: click.Context, article_id: str, as_json: bool) -> None:
    """Print one article (id or a unique id prefix), with the evidence for its metadata.

    Example: newsweave show af3e0649
    """
    article = open_store(ctx, read_only=_exists(ctx)).article(article_id)
    if article is None:
        fail(f"no article with id {article_id!r}")
    assert article is not None
    if as_json:
        data = article_dict(article)
        data["evidence"] = [asdict(e) for e in article.evidence]
        data["removed"] = list(article.removed)
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(f"[bold]{article.title or '(untitled)'}[/bold]")
    for label, value in (
        ("id", article.id),
        ("published", article.published),
        ("outlet", article.outlet),
        ("agency", article.agency),
        ("dateline", article.dateline),
        ("url", article.url),
        ("source", article.source_path),
    ):
        if value:
            out.print(f"{label:>10}: {value}", markup=False, highlight=False)
    for ev in article.evidence:
        out.print(
            f"  evidence: {ev.field} = {ev.value!r} ({ev.rule}: {ev.snippet!r})", markup=False
        )
    out.print()
    out.print(article.text, markup=False, highlight=False)


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True)
@click.option("--save", "save_as", metavar="NAME", help="Save the query; `alerts` reports news.")
@click.pass_context
@handles_errors
def search(ctx: click.Context, query: tuple[str, ...], limit: int, save_as: str | None) -> None:
    """Search articles: words and "phrases" over titles and texts (stemmed), filtered by
    entity:NAME (any alias), outlet:NAME (or domain), since:DATE, until:DATE. Without filters
    the best matches come first, with a snippet; with filters, the newest.

    Example: newsweave search AK-203 rifles

    Example: newsweave search 'entity:Shoigu outlet:"The Hindu" since:2020-09' --save shoigu
    """
    from newsweave.query import parse_query

    text = " ".join(query)
    if save_as is not None:
        nw = open_store(ctx)
        saved = nw.save_search(save_as, text)
        out.print(
            f"saved search {saved.name!r}: {saved.query} (alerts report articles stored from now)",
            markup=False,
            highlight=False,
        )
    else:
        nw = open_store(ctx, read_only=_exists(ctx))
    parsed = parse_query(text)
    if parsed.entities or parsed.outlets or parsed.since or parsed.until:
        found = nw.find(text, limit=limit)
        for article in found:
            _article_line(article)
        out.print(f"{len(found)} matches", markup=False)
        return
    hits = nw.search(text, limit=limit)
    for article, snippet in hits:
        _article_line(article)
        out.print("    " + snippet.replace("\n", " "), markup=False, highlight=False)
    out.print(f"{len(hits)} matches", markup=False)


def _article_line(article: Any) -> None:
    out.print(
        f"{article.id[:10]} {article.published or '':10} {article.outlet or '':18.18} "
        f"{article.title or _first_words(article.text)}",
        markup=False,
        highlight=False,
    )


@cli.command()
@click.argument("name", required=False)
@click.option("--peek", is_flag=True, help="Show without marking as seen.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines (one per article).")
@click.pass_context
@handles_errors
def alerts(ctx: click.Context, name: str | None, peek: bool, as_json: bool) -> None:
    """What each saved search (or the one named) matched since the last time you asked.

    Example: newsweave search 'entity:"Rajnath Singh"' --save rajnath && newsweave alerts
    """
    found = open_store(ctx).alerts(name, mark=not peek)
    for alert in found:
        if as_json:
            for article in alert.articles:
                row = {"search": alert.search.name, "query": alert.search.query}
                row |= article_summary(article)
                out.print(json.dumps(row, ensure_ascii=False), markup=False, highlight=False)
            continue
        out.print(
            f"{alert.search.name}: {len(alert.articles)} new ({alert.search.query})",
            markup=False,
            highlight=False,
        )
        for article in alert.articles:
            out.print("  ", end="")
            _article_line(article)
    if not found and not as_json:
        out.print("no saved searches (save one with: newsweave search QUERY --save NAME)")


def article_summary(article: Any) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published,
        "url": article.url,
    }


@cli.command()
@click.option("--story", help="A story (id or unique prefix).")
@click.option("--entity", help="An entity (id, name or any alias).")
@click.option("--outlet", help="An outlet (name).")
@click.option("--search", "saved", metavar="NAME", help="A saved search.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def attention(
    ctx: click.Context,
    story: str | None,
    entity: str | None,
    outlet: str | None,
    saved: str | None,
    as_json: bool,
) -> None:
    """Articles per day for one story, entity, outlet or saved search (zero days included).
    Every series at once: newsweave export --format attention.

    Example: newsweave attention --entity Shoigu
    """
    days = open_store(ctx, read_only=_exists(ctx)).attention(
        story=story, entity=entity, outlet=outlet, search=saved
    )
    if as_json:
        out.print_json(json.dumps([asdict(d) for d in days]))
        return
    peak = max((d.articles for d in days), default=0)
    for day in days:
        bar = "#" * round(40 * day.articles / peak) if peak else ""
        out.print(f"{day.date}  {day.articles:5d}  {bar}", markup=False, highlight=False)
    out.print(f"{sum(d.articles for d in days)} articles over {len(days)} days", markup=False)


@cli.command()
@click.argument("story")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def coverage(ctx: click.Context, story: str, as_json: bool) -> None:
    """Which outlets cover a story, and which report on its main entities elsewhere but
    have nothing in it (blind spots).

    Example: newsweave coverage st_3f2a
    """
    rows = open_store(ctx, read_only=_exists(ctx)).coverage(story)
    if as_json:
        out.print_json(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return
    table = Table(show_lines=False)
    for col in ("outlet", "status", "in story", "on its entities elsewhere", "country", "lang"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            escape(r.outlet),
            r.status,
            str(r.articles),
            str(r.entity_articles),
            r.country or "",
            r.language or "",
        )
    out.print(table)


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def outlets(ctx: click.Context, as_json: bool) -> None:
    """The outlet registry: domain -> outlet name, country, language. newsweave fills it as
    it meets new domains; entries you set win over what pages say.

    Example: newsweave outlets set bbc.co.uk "BBC News" --country GB --language en
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = open_store(ctx, read_only=_exists(ctx)).outlets()
    if as_json:
        out.print_json(json.dumps([asdict(o) for o in rows], ensure_ascii=False))
        return
    table = Table(show_lines=False)
    for col in ("domain", "name", "country", "language", "from"):
        table.add_column(col, overflow="fold")
    for o in rows:
        table.add_row(escape(o.domain), escape(o.name), o.country or "", o.language or "", o.origin)
    out.print(table)


@outlets.command("set")
@click.argument("domain")
@click.argument("name")
@click.option("--country", help="ISO 3166 code (GB, IN, US ...).")
@click.option("--language", help="ISO 639 code (en, hi ...).")
@click.pass_context
@handles_errors
def outlets_set(
    ctx: click.Context, domain: str, name: str, country: str | None, language: str | None
) -> None:
    """Name a domain's outlet (applies to pages ingested from now on).

    Example: newsweave outlets set thehindu.com "The Hindu" --country IN --language en
    """
    entry = open_store(ctx).set_outlet(domain, name, country=country, language=language)
    out.print(f"{entry.domain} = {entry.name}", markup=False, highlight=False)


@outlets.command("remove")
@click.argument("domain")
@click.pass_context
@handles_errors
def outlets_remove(ctx: click.Context, domain: str) -> None:
    """Forget a domain's registry entry.

    Example: newsweave outlets remove example.org
    """
    open_store(ctx).remove_outlet(domain)
    out.print(f"removed {domain}", markup=False, highlight=False)


@cli.command()
@click.argument("name", required=False)
@click.option("--type", "etype", help="Only this type: PERSON, ORG, GPE, LOC, PRODUCT ...")
@click.option("--article", help="Only entities mentioned in this article (id or prefix).")
@click.option("--min-articles", default=1, show_default=True, help="Reported by at least N.")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many.")
@click.option("--all", "show_all", is_flag=True, help="Every entity (no limit).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (with article ids).")
@click.pass_context
@handles_errors
def entities(
    ctx: click.Context,
    name: str | None,
    etype: str | None,
    article: str | None,
    min_articles: int,
    limit: int,
    show_all: bool,
    as_json: bool,
) -> None:
    """List resolved entities with their aliases, mention and article counts, and articles.
    NAME filters by name or alias (substring, any case).

    Example: newsweave entities Shoigu --type PERSON
    """
    wanted = None if show_all else limit
    rows = open_store(ctx, read_only=_exists(ctx)).entities(
        type=etype,
        name=name,
        article=article,
        min_articles=min_articles,
        limit=None if wanted is None else wanted + 1,
    )
    more = wanted is not None and len(rows) > wanted
    rows = rows[:wanted] if more else rows
    if as_json:
        data = [
            {
                "id": e.id,
                "name": e.name,
                "type": e.type,
                "aliases": list(e.aliases),
                "mentions": e.mentions,
                "articles": list(e.articles),
            }
            for e in rows
        ]
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    table_rows = []
    for e in rows:
        shown = ", ".join(a[:10] for a in e.articles[:5])
        if len(e.articles) > 5:
            shown += f" … +{len(e.articles) - 5}"
        table_rows.append(
            (
                e.id[:10],
                e.name,
                e.type,
                str(e.mentions),
                str(len(e.articles)),
                "; ".join(a for a in e.aliases if a != e.name),
                shown,
            )
        )
    _print_rows(
        ("id", "name", "type", "mentions", "articles", "aliases", "in articles"), table_rows
    )
    _print_count(len(rows), "entity", "entities", more)


@cli.command()
@click.argument("article_id")
@click.option("--sentences", is_flag=True, help="Also date every sentence.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def dates(ctx: click.Context, article_id: str, sentences: bool, as_json: bool) -> None:
    """Show an article's time expressions normalised against its publication date
    (TIMEX3 values, granularity, past / ongoing / future).

    Example: newsweave dates af3e0649 --sentences
    """
    nw = open_store(ctx, read_only=_exists(ctx))
    refs = nw.time_refs(article_id)
    dated = nw.dated_sentences(article_id) if sentences else []
    if as_json:
        data: dict[str, Any] = {"time_refs": [_ref_dict(r) for r in refs]}
        if sentences:
            data["sentences"] = [
                {
                    "sentence": d.sentence,
                    "date": d.date,
                    "granularity": d.granularity,
                    "relation": d.relation,
                    "anchored": d.anchored,
                    "text": d.text,
                }
                for d in dated
            ]
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    table = _Listing()
    for col in ("expression", "value", "granularity", "relation"):
        table.add_column(col, overflow="fold")
    for r in refs:
        value = f"{r.value} .. {r.range_end}" if r.range_end else r.value
        table.add_row(r.text, value, r.granularity, r.relation)
    table.show()
    out.print(f"{len(refs)} time expressions", markup=False)
    for d in dated:
        mark = "" if d.anchored else " (inherited)"
        out.print(
            f"{d.date:>10} {d.relation:<7}{mark} {_first_words(d.text, 16)}",
            markup=False,
            highlight=False,
        )


def _ref_dict(r: Any) -> dict:
    return {
        "text": r.text,
        "start": r.start,
        "end": r.end,
        "value": r.value,
        "granularity": r.granularity,
        "relation": r.relation,
        "range_end": r.range_end,
    }


@cli.command()
@click.option("--story", help="Only this story's events (id or unique prefix).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def events(ctx: click.Context, story: str | None, as_json: bool) -> None:
    """List events (articles about one happening) in date order.

    Example: newsweave events --story st_3f2a
    """
    rows = open_store(ctx, read_only=_exists(ctx)).events(story=story)
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "title": e.title,
                        "date": e.date,
                        "articles": list(e.articles),
                        "story": e.story,
                    }
                    for e in rows
                ],
                ensure_ascii=False,
            )
        )
        return
    table = _Listing()
    for col in ("id", "date", "articles", "story", "title"):
        table.add_column(col, overflow="fold")
    for e in rows:
        table.add_row(e.id, e.date or "", str(len(e.articles)), e.story or "", e.title)
    table.show()
    out.print(f"{len(rows)} events", markup=False)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def stories(ctx: click.Context, as_json: bool) -> None:
    """List stories (threads of events over time), largest first.

    Example: newsweave stories
    """
    nw = open_store(ctx, read_only=_exists(ctx))
    rows = nw.stories()
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "id": s.id,
                        "title": s.title,
                        "events": list(s.events),
                        "articles": list(s.articles),
                    }
                    for s in rows
                ],
                ensure_ascii=False,
            )
        )
        return
    dates = {e.id: e.date for e in nw.events()}
    table = _Listing()
    for col in ("id", "events", "articles", "sources", "from", "to", "title"):
        table.add_column(col, overflow="fold")
    for s in rows:
        days = sorted(d for d in (dates.get(e) for e in s.events) if d)
        table.add_row(
            s.id,
            str(len(s.events)),
            str(len(s.articles)),
            str(nw.independent_sources(s.articles)),  # each outlet once, each copy once
            days[0] if days else "",
            days[-1] if days else "",
            s.title,
        )
    table.show()
    out.print(f"{len(rows)} stories", markup=False)


@cli.command()
@click.option("--story", help="Only this story (id or unique prefix).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def timeline(ctx: click.Context, story: str | None, as_json: bool) -> None:
    """Print the dated timeline of each story (reported, scheduled, background).

    Example: newsweave timeline --story st_fa3f
    """
    nw = open_store(ctx, read_only=_exists(ctx))
    entries = nw.timeline(story)
    if as_json:
        out.print_json(
            json.dumps(
                [
                    {
                        "date": t.date,
                        "granularity": t.granularity,
                        "kind": t.kind,
                        "text": t.text,
                        "story": t.story,
                        "articles": list(t.articles),
                    }
                    for t in entries
                ],
                ensure_ascii=False,
            )
        )
        return
    titles = {s.id: s.title for s in nw.stories()}
    current = None
    for t in entries:
        if t.story != current:
            current = t.story
            out.print(f"\n[bold]{titles.get(t.story or '', t.story)}[/bold] ({t.story})")
        kind = "" if t.kind == "reported" else f" ({t.kind})"
        out.print(f"  {t.date:<10}{kind} {t.text} [{len(t.articles)} art.]", markup=False)
    out.print(f"{len(entries)} timeline entries", markup=False)


@cli.command()
@click.option("--story", help="Only this story (id or unique prefix).")
@click.option("--max-stories", type=int, default=None, help="At most this many (largest first).")
@click.option(
    "--detail",
    is_flag=True,
    help="Every story in full: all shown events' summaries, the whole timeline, every dispute.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to a file.")
@click.pass_context
@handles_errors
def brief(
    ctx: click.Context,
    story: str | None,
    max_stories: int | None,
    detail: bool,
    output: str | None,
) -> None:
    """Print the Markdown briefing: stories, events, timeline and cited summaries.

    Bounded for a busy reader: the largest stories in full (lede, key events and dates,
    disputes, sources), the rest one line each; --detail (or --story) for everything.

    Example: newsweave ingest examples/seeds && newsweave brief
    """
    text = open_store(ctx, read_only=_exists(ctx)).brief(
        story, max_stories=max_stories, detail=detail
    )
    if output:
        with click.open_file(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.option(
    "--status",
    type=click.Choice(["corroborated", "single-source", "contested"]),
    help="Only claims with this status; 'contested' lists one row per disagreement.",
)
@click.option("--event", help="Only this event's claims (event id).")
@click.option("--article", help="Only claims made in this article (id or unique prefix).")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many.")
@click.option("--all", "show_all", is_flag=True, help="Every row (no limit).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def claims(
    ctx: click.Context,
    status: str | None,
    event: str | None,
    article: str | None,
    limit: int,
    show_all: bool,
    as_json: bool,
) -> None:
    """List claims: who says what, how many outlets report it (witnesses) and how many
    independent origins it has, and whether another source contradicts it.

    With --status contested, one row per disagreement: the kind of conflict (where, how
    many, when, status, whether; an *update* when the later report may revise the earlier),
    and each side's outlets, value and statement.

    Example: newsweave claims --status contested --limit 20
    """
    nw = open_store(ctx, read_only=_exists(ctx))
    wanted = None if show_all else limit
    if status == "contested":
        _print_disagreements(nw, event=event, article=article, limit=wanted, as_json=as_json)
        return
    rows = nw.claims(
        status=status, event=event, article=article, limit=None if wanted is None else wanted + 1
    )
    more = wanted is not None and len(rows) > wanted
    rows = rows[:wanted] if more else rows
    if as_json:
        out.print_json(json.dumps([asdict(c) for c in rows], ensure_ascii=False))
        return
    _print_rows(
        ("id", "status", "witnesses/origins", "attribution", "claim"),
        [
            (
                c.id,
                c.status,
                f"{c.independent_sources}/{c.origins} ({len(c.articles)} art.)",
                c.attribution or "",
                c.text + (" (hedged)" if c.hedged else ""),
            )
            for c in rows
        ],
    )
    _print_count(len(rows), "claim", "claims", more)
    out.print(
        "witnesses: independent outlets reporting the statement (copies of one story count "
        "once); origins: independent origins of the fact (one speaker quoted by three "
        "outlets is one origin)",
        markup=False,
    )


def _side_dict(nw: Newsweave, side: DisagreementSide) -> dict:
    """One side of a disagreement: the keys of the one-pair listing it replaces (its first
    reported claim's id, text and attribution) plus the side's claims, and the value's
    witnesses and origins over all its claims (``sources``: the same count as
    ``witnesses``), the numbers every front end shows."""
    claim = nw.claim(side.claims[0])
    return {
        "claim": side.claims[0],
        "value": side.value,
        "text": claim.text if claim else "",
        "attribution": claim.attribution if claim else None,
        "hedged": claim.hedged if claim else False,
        "outlets": list(side.outlets),
        "published": list(side.published),
        "witnesses": side.witnesses,
        "origins": side.origins,
        "articles": list(side.articles),
        "claims": list(side.claims),
        "sources": side.sources,
        "stated": side.stated,
        "normalised": side.normalised,
    }


def _print_disagreements(
    nw: Newsweave, *, event: str | None, article: str | None, limit: int | None, as_json: bool
) -> None:
    """One row per disagreement (contested pairs grouped: see newsweave.disagreements): the
    slot kind, contradiction or update, every value with its outlets, the two best-supported
    sides quoted, and how many pairs it groups."""
    from newsweave.claim_slots import SLOT_TITLES
    from newsweave.disagreements import (
        arrow,
        relation_label,
        shown,
        shown_sides,
        top_two,
        witness_words,
    )

    found = nw.disagreements(event=event, article=article)
    more = limit is not None and len(found) > limit
    rows = found[:limit] if more else found
    data = []
    for d in rows:
        a, b = top_two(d)
        data.append(
            {
                "id": d.id,
                "kind": d.kind,
                "question": SLOT_TITLES.get(d.kind, d.kind.title()),
                "quantity": d.quantity,
                "unit": d.unit,
                "relation": d.relation,
                "a": _side_dict(nw, a),
                "b": _side_dict(nw, b),
                "sides": [_side_dict(nw, s) for s in d.sides],
                "pairs": d.pairs,
                "updates": d.updates,
                "contradictions": [list(p) for p in d.contradictions],
                "relations": list(d.relations),
            }
        )
    if as_json:
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    table_rows = []
    for d in rows:
        a, b = top_two(d)
        many = f"{d.pairs} pair{'' if d.pairs == 1 else 's'}"
        kind = f"{d.quantity} ({d.kind}) — {many}, {relation_label(d)}"
        listed = shown_sides(d)
        values = arrow(d).join(
            f"{shown(s)} ({', '.join(s.outlets[:3])}"
            f"{' +' + str(len(s.outlets) - 3) if len(s.outlets) > 3 else ''}"
            f"{', ' + s.published[0] if s.published else ''})"
            for s in listed
        )
        if len(d.sides) > len(listed):
            values += f" (+{len(d.sides) - len(listed)} more values: --json)"
        cells = [kind, values]
        for side in (a, b):
            claim = nw.claim(side.claims[0])
            who = f" — {claim.attribution}" if claim and claim.attribution else ""
            cells.append(
                f"{witness_words(side)}: » {shown(side)} « {claim.text if claim else ''}{who}"
            )
        table_rows.append(tuple(cells))
    _print_rows(
        ("conflict", "values (outlets, first day)", "side A: witnesses · statement", "side B"),
        table_rows,
    )
    _print_count(len(rows), "disagreement", "disagreements", more)
    if rows:
        out.print(
            "witnesses: outlets independently reporting the value (copies of one story count "
            "once); origins: independent origins of it (one speaker quoted by three outlets "
            "is one origin)",
            markup=False,
        )


@cli.command()
@click.option(
    "--kind",
    type=click.Choice(["near-duplicate", "shared-passage"]),
    help="Only groups of this kind.",
)
@click.option("--article", help="Only this article's groups and links (id or unique prefix).")
@click.option("--passages", is_flag=True, help="Also print the shared passages side by side.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON (the export's shape).")
@click.pass_context
@handles_errors
def copies(
    ctx: click.Context, kind: str | None, article: str | None, passages: bool, as_json: bool
) -> None:
    """Show copies: near-duplicate groups (one text republished), groups of articles that
    reuse passages, and how many independent sources each group is.

    Example: newsweave copies --article af3e0649 --passages
    """
    nw = open_store(ctx, read_only=_exists(ctx))
    groups = nw.copy_groups(kind=kind, article=article)
    if as_json:
        out.print_json(json.dumps([asdict(g) for g in groups], ensure_ascii=False))
        return
    table = _Listing()
    for col in ("id", "kind", "articles", "sources", "members"):
        table.add_column(col, overflow="fold")
    for g in groups:
        members = [nw.article(a) for a in g.articles]
        names = ", ".join(
            f"{a.id[:8]} ({a.outlet or a.agency or '?'})" for a in members if a is not None
        )
        n_sources = nw.independent_sources(g.articles)
        table.add_row(g.id, g.kind, str(len(g.articles)), str(n_sources), names)
    table.show()
    out.print(f"{len(groups)} copy groups", markup=False)
    if not passages:
        return
    texts: dict[str, str] = {}

    def snippet(aid: str, start: int, end: int) -> str:
        if aid not in texts:
            found = nw.article(aid)
            texts[aid] = found.text if found else ""
        return _first_words(texts[aid][start:end], 30)

    for link, info in nw.copy_link_details(article, kind=kind):
        verdict = "same source" if info["same_source"] else "independent reports"
        out.print(
            f"\n{link.a[:8]} ↔ {link.b[:8]}  {link.kind}, jaccard {info['jaccard']:.2f}, "
            f"containment {info['containment']:.2f}, reused {info['reused_a']:.0%} / "
            f"{info['reused_b']:.0%} — {verdict}",
            markup=False,
        )
        for pa, pb in link.passages:
            out.print(
                f"  [{pa.start}:{pa.end}] {snippet(pa.article, pa.start, pa.end)}", markup=False
            )
            out.print(
                f"  [{pb.start}:{pb.end}] {snippet(pb.article, pb.start, pb.end)}", markup=False
            )


@cli.command(name="export")
@click.option(
    "--format",
    "fmt",
    default="json",
    show_default=True,
    help=f"{formats.names()}.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to a file.")
@click.pass_context
@handles_errors
def export_cmd(ctx: click.Context, fmt: str, output: str | None) -> None:
    """Export the store in one of the formats listed under --format (docs/exports.md).

    Example: newsweave export --format html -o briefing.html
    """
    nw = open_store(ctx, read_only=_exists(ctx))
    if output:
        busy = err.status(f"exporting {fmt}", spinner="dots") if err.is_terminal else nullcontext()
        with busy, click.open_file(output, "w", encoding="utf-8") as fh:
            nw.write_export(fmt, fh)
    else:
        nw.write_export(fmt, sys.stdout)


@cli.command(name="settings")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
@handles_errors
def settings_cmd(ctx: click.Context, as_json: bool) -> None:
    """Print the stage settings in effect (packaged defaults, then newsweave.toml beside the
    store, then --set) as a newsweave.toml, and the settings each stage's stored results
    were produced with.

    Example: newsweave --set group.event_threshold=0.45 settings
    """
    from newsweave.settings import section_dict, settings_path

    nw = open_store(ctx, read_only=_exists(ctx))
    current = nw.settings
    used = nw.used_settings()
    if as_json:
        data = {
            "settings": current.as_dict(),
            "file": str(settings_path(nw.db)) if settings_path(nw.db) else None,
            "used": [asdict(u) for u in used],
        }
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    path = settings_path(nw.db)
    layers = ["packaged defaults"]
    if path is not None and path.is_file():
        layers.append(str(path))
    if ctx.obj.get("set"):
        layers.append("--set")
    out.print(f"# settings in effect: {' < '.join(layers)}", markup=False)
    out.print(current.to_toml(), markup=False, highlight=False)
    if not used:
        out.print("# no stage has run over this store yet", markup=False)
    for u in used:
        now = section_dict(current.section(u.stage))
        changed = [f"{k}={v!r}" for k, v in u.settings.items() if now.get(k) != v]
        differs = f"; differs from now: {', '.join(changed)}" if changed else ""
        out.print(
            f"# {u.stage}: results from {u.runs} run(s) {u.first_run} .. {u.last_run} "
            f"with settings {u.fingerprint}{differs}",
            markup=False,
            highlight=False,
        )


@cli.command()
@click.option("--db", "db_option", default=None, help="The store (overrides the global --db).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    envvar="NEWSWEAVE_TOKEN",
    default=None,
    help="Token that writes (POST /api/ingest) must send; default $NEWSWEAVE_TOKEN. "
    "Without one, writes are refused.",
)
@click.option("--max-upload-mb", default=32, show_default=True, help="Largest ingest upload.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (each keeps its own in-memory snapshot of the store).",
)
@click.pass_context
@handles_errors
def serve(
    ctx: click.Context,
    db_option: str | None,
    host: str,
    port: int,
    token: str | None,
    max_upload_mb: int,
    workers: int,
) -> None:
    """Serve the HTTP API and the web page (stories, timelines, claims, compare, search).

    Binds to 127.0.0.1 unless told otherwise; open http://127.0.0.1:8000/ in a browser.

    Example: newsweave serve --db news.db --port 8000 --token "$(openssl rand -hex 16)"
    """
    import os

    import uvicorn

    from newsweave.web import app as web_app
    from newsweave.web.security import LOOPBACK_HOSTS

    if ctx.obj.get("set"):
        fail("--set does not reach the server's workers; put the settings in newsweave.toml")
    db = db_option or ctx.obj["db"]
    loopback = host in ("127.0.0.1", "localhost", "::1")
    settings = {
        "db_path": db,
        "max_upload_bytes": max_upload_mb * 1024 * 1024,
        "allowed_hosts": list(LOOPBACK_HOSTS) if loopback else None,
    }
    if not loopback:
        err.print(
            f"newsweave: warning: serving on {host}, reachable from other machines; reads "
            "need no token",
            markup=False,
        )
    writes = "writes need the token" if token else "writes disabled: no --token"
    err.print(f"newsweave: serving {db} on http://{host}:{port}/ ({writes})", markup=False)
    from newsweave.web.serving import uvicorn_settings

    run = {"host": host, "port": port, "log_level": "warning", **uvicorn_settings()}
    if workers == 1:
        app = web_app.create_app(token=token or "", **settings)
        uvicorn.run(app, **run)
        return
    # Worker processes build the app themselves from the environment they inherit.
    os.environ[web_app.SETTINGS_ENV] = json.dumps(settings)
    if token:
        os.environ[web_app.TOKEN_ENV] = token
    else:
        os.environ.pop(web_app.TOKEN_ENV, None)
    uvicorn.run("newsweave.web.app:app_from_environment", factory=True, workers=workers, **run)


def _exists(ctx: click.Context) -> bool:
    """Read commands open an existing store read-only (safe beside a running ingest)."""
    from pathlib import Path

    db = ctx.obj["db"]
    if db == ":memory:" or not Path(db).exists():
        return False
    # A read-only connection cannot run pending migrations: open read-write once if needed.
    return _migrated(db)


@functools.lru_cache(maxsize=8)
def _migrated(db: str) -> bool:
    Newsweave(db).close()  # applies any pending migrations, then reopen read-only
    return True


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _print_rows(columns: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """A table on a terminal; tab-separated lines (header first) when piped, so ids and
    names are never folded into a column one character wide."""
    if not out.is_terminal:
        click.echo("\t".join(columns))  # not rich: it would expand the tabs
        for row in rows:
            click.echo("\t".join(_one_line(c) for c in row))
        return
    table = Table(show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*row)
    out.print(table)


class _Listing:
    """Collects a listing's columns and rows, then prints them with :func:`_print_rows`
    (a table on a terminal, tab-separated lines when piped)."""

    def __init__(self) -> None:
        self.columns: list[str] = []
        self.rows: list[tuple[str, ...]] = []

    def add_column(self, name: str, **_: Any) -> None:
        self.columns.append(name)

    def add_row(self, *cells: str) -> None:
        self.rows.append(tuple(cells))

    def show(self) -> None:
        _print_rows(tuple(self.columns), self.rows)


def _print_count(n: int, one: str, many: str, more: bool) -> None:
    word = one if n == 1 else many
    tail = " shown; more with --all or a higher --limit" if more else ""
    out.print(f"{n} {word}{tail}", markup=False)


def _first_words(text: str, n: int = 12) -> str:
    words = text.split()
    return " ".join(words[:n]) + (" …" if len(words) > n else "")


def main() -> None:
    cli(prog_name="newsweave")


if __name__ == "__main__":
    main()
