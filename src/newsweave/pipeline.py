"""Wiring: files -> ingest -> clean -> store, then the derived stages over the store.

Stages are pure functions over records (see ``records.py``); this module reads their inputs
from the store, calls them, and writes their outputs back, one transaction per batch. A
runner decides where the pure work executes: in-process by default.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gc
import hashlib
import itertools
import os
import pickle
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from newsweave.claims import ClaimOptions
from newsweave.clean import clean, split_document
from newsweave.copies import AnchorIndex, CopiesConfig
from newsweave.errors import InputError, StageError
from newsweave.group import GroupOptions
from newsweave.ingest import MAX_ARTICLE_CHARS, InputFile, discover, read_file
from newsweave.ingest.fetch import Fetcher, canonical_url
from newsweave.ingest.live import ListingDone, Payload, Unchanged, Unreadable
from newsweave.kept import Kept
from newsweave.records import Article
from newsweave.runners import Runner, current_runner, use_runner
from newsweave.settings import Settings, section_dict
from newsweave.store import ArticleFilter, Store, entity_index
from newsweave.store import claims as claims_store
from newsweave.store import copies as copies_store
from newsweave.store import group as group_store
from newsweave.store import nlp as nlp_store
from newsweave.store import settings as settings_store
from newsweave.store import time as time_store
from newsweave.store.sources import Outlet

if TYPE_CHECKING:
    from newsweave.entities import TextFacts

DEFAULT_BATCH_SIZE = 200


@dataclass
class IngestReport:
    """What one ingest did. ``skipped`` holds one error per file or record not stored."""

    files: int = 0
    new: int = 0
    existing: int = 0
    unchanged_files: int = 0
    skipped: list[InputError] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.new} new, {self.existing} already stored"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        return text


ProgressCallback = Callable[[int], None]


def _fingerprint(item: InputFile) -> str | None:
    try:
        st = item.path.stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def read_and_clean(item: InputFile | Payload) -> Iterator[Article | InputError]:
    """The pure part of ingest for one file (or one fetched page / archived record): read
    its documents and clean each (a document longer than :data:`MAX_ARTICLE_CHARS` comes
    out as consecutive parts, :func:`~newsweave.clean.split_document`)."""
    if isinstance(item, Payload):
        from newsweave.ingest.live import read_payload

        docs = read_payload(item)
    else:
        docs = read_file(item)
    for doc in docs:
        if isinstance(doc, InputError):
            yield doc
            continue
        where = doc.source_path + (f":{doc.record_no}" if doc.record_no else "")
        try:
            article = clean(doc)
        except Exception as exc:  # noqa: BLE001 - one document never ends the run
            yield InputError(where, f"could not be cleaned ({type(exc).__name__}); skipped")
            continue
        if len(article.text.split()) < 5:
            yield InputError(where, "no article text left after cleaning; skipped")
            continue
        yield from split_document(article, MAX_ARTICLE_CHARS)


def clean_file(item: InputFile | Payload) -> tuple[list[Article], list[InputError]]:
    """:func:`read_and_clean` for one file as plain picklable lists, for a runner to ship."""
    articles: list[Article] = []
    errors: list[InputError] = []
    for result in read_and_clean(item):
        if isinstance(result, InputError):
            errors.append(result)
        else:
            articles.append(result)
    return articles, errors


def clean_files(
    items: list[InputFile | Payload],
) -> list[tuple[list[Article], list[InputError]]]:
    """:func:`clean_file` over a group of files: the unit of work a runner ships."""
    return [clean_file(item) for item in items]


# A runner task reads files up to this many bytes (or files): small article files share a
# task (a Dask task costs ~1 ms), and a 60 MB export travels alone, so what is in flight
# stays bounded in bytes, not in file counts.
TASK_BYTES = 4 * 1024 * 1024
TASK_FILES = 64


Work = InputFile | Payload


def _file_groups(items: Iterable[tuple[Work, int]]) -> Iterator[list[Work]]:
    group: list[Work] = []
    size = 0
    for item, nbytes in items:
        if group and (size + nbytes > TASK_BYTES or len(group) >= TASK_FILES):
            yield group
            group, size = [], 0
        group.append(item)
        size += nbytes
    if group:
        yield group


def ingest_paths(
    store: Store,
    paths: Iterable[str],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: ProgressCallback | None = None,
    runner: Runner | None = None,
    fetcher: Fetcher | None = None,
    stop: Callable[[], bool] | None = None,
) -> IngestReport:
    """Read, clean and store every article under ``paths``.

    ``paths`` are files, folders and globs, and addresses: an ``http(s)://`` page, feed or
    sitemap, or a sources file of one address a line (fetched politely by ``fetcher``, a
    default :class:`~newsweave.ingest.fetch.Fetcher` when None). Fetched pages go through
    the same reader, cleaning, ids and idempotence as files.

    Each batch of files commits as one transaction together with the record of which files
    (and fetched pages) it finished, so an interrupted ingest resumes where it stopped and a
    repeated ingest adds nothing ("0 new, N already stored"). ``stop`` is asked between
    fetches: when it returns True no more addresses are fetched and what was read is stored.

    Reading and cleaning (pure, per file) go through ``runner`` (default: the current runner,
    in-process unless :func:`~newsweave.runners.use_runner` says otherwise); files stream
    through it in order with a bounded number in flight, and this process alone writes the
    store, so memory does not grow with the corpus and every runner stores the same thing.
    """
    from newsweave.ingest.live import collect, domain_of, split_inputs
    from newsweave.store import sources as sources_store

    runner = runner or current_runner()
    stop = stop or (lambda: False)
    report = IngestReport()
    batch: list[tuple[Work, str | None, list[Article]]] = []
    pending_articles = 0
    inputs = split_inputs(list(paths))
    archive_articles: dict[str, int] = {}  # archive path -> articles it gave
    archives_done: list[tuple[str, str]] = []  # (archive path, fingerprint) read to the end

    def flush() -> None:
        nonlocal batch, pending_articles
        if not batch:
            return
        articles: dict[str, Article] = {}
        for _, _, arts in batch:
            for art in arts:
                articles.setdefault(art.id, art)
        already = store.existing_ids(articles)
        with store.transaction() as conn:
            added = store.insert_articles(
                conn, (a for a in articles.values() if a.id not in already)
            )
            for item, fingerprint, arts in batch:
                if isinstance(item, Payload):
                    if item.archive is not None:
                        archive_articles[item.archive] = archive_articles.get(
                            item.archive, 0
                        ) + len(arts)
                    if item.page is not None:
                        sources_store.record_page(conn, item.page, [a.id for a in arts])
                    for art in arts:
                        sources_store.learn_outlet(conn, _outlet_entry(item, art, domain_of))
                elif fingerprint is not None:
                    store.record_file(conn, str(item.path), fingerprint, len(arts))
        report.new += added
        report.existing += sum(len(arts) for _, _, arts in batch) - added
        report.new_ids.extend(a for a in articles if a not in already)
        batch, pending_articles = [], 0

    # Work handed to the runner and not yet back, in order (the runner keeps input order).
    sent: deque[tuple[Work, str | None]] = deque()
    listings: list[ListingDone] = []
    unreadable: list[str] = []  # listed pages that failed for good

    def unchanged(name: str, fingerprint: str | None) -> bool:
        """Whether a file (or archive) is unchanged since a committed batch, its articles
        stored already; counted as such."""
        stored = store.ingested_file(name)
        if fingerprint is None or stored is None or stored[0] != fingerprint:
            return False
        report.unchanged_files += 1
        report.existing += stored[1]
        if progress:
            progress(1)
        return True

    def to_read() -> Iterator[tuple[Work, int]]:
        """Discovered files not ingested yet and fetched pages, with their sizes (runs
        ahead of the writes by the runner's window)."""
        for item in discover(inputs.files) if inputs.files else ():
            if isinstance(item, InputError):
                report.skipped.append(item)
                continue
            report.files += 1
            fingerprint = _fingerprint(item)
            if unchanged(str(item.path), fingerprint):
                continue
            sent.append((item, fingerprint))
            yield item, int(fingerprint.split(":")[0]) if fingerprint else 0
        for archive in inputs.archives:
            yield from archive_payloads(archive)
        if not inputs.addresses:
            return
        found = collect(
            inputs.addresses,
            fetcher or Fetcher(),
            sources_store.StoredPages(store),
            stop=stop,
        )
        for thing in found:
            if isinstance(thing, InputError):
                report.skipped.append(thing)
            elif isinstance(thing, Unchanged):
                report.unchanged_files += 1
                report.existing += thing.articles
            elif isinstance(thing, ListingDone):
                listings.append(thing)
            elif isinstance(thing, Unreadable):
                unreadable.append(thing.address)
            else:
                report.files += 1
                sent.append((thing, None))
                yield thing, len(thing.data)
            if progress:
                progress(1)

    def archive_payloads(archive: Path) -> Iterator[tuple[Work, int]]:
        """The HTML responses of one WARC/ARC file, streamed (an unchanged archive whose
        every record is stored is skipped like an unchanged file)."""
        from newsweave.ingest.warc import iter_archive

        report.files += 1
        name = str(archive)
        fingerprint = _fingerprint(InputFile(archive, "warc"))
        if unchanged(name, fingerprint):
            return
        archive_articles[name] = 0
        for found in iter_archive(archive):
            if isinstance(found, InputError):
                report.skipped.append(found)
                continue
            sent.append((found, None))
            yield found, len(found.data)
            if progress:
                progress(1)
        if fingerprint is not None:
            archives_done.append((name, fingerprint))

    results = runner.map(clean_files, _file_groups(to_read()), chunk_size=1)
    for arts, errors in (one for group in results for one in group):
        item, fingerprint = sent.popleft()
        report.skipped.extend(errors)
        batch.append((item, fingerprint, arts))
        pending_articles += len(arts)
        if progress and not isinstance(item, Payload):
            progress(1)
        if len(batch) >= batch_size or pending_articles >= batch_size:
            flush()
    flush()
    if archives_done:
        # Recorded once every record of the archive is stored: an interrupted archive is
        # read again next time (its stored pages are recognised by their ids).
        with store.transaction() as conn:
            for name, fingerprint in archives_done:
                store.record_file(conn, name, fingerprint, archive_articles.get(name, 0))
    if listings or unreadable:
        # Only now, with every listed page stored: a crash before here re-reads the
        # listing next time instead of trusting a 304 for pages never stored.
        with store.transaction() as conn:
            for address in unreadable:
                sources_store.record_unreadable(conn, canonical_url(address))
            for done in listings:
                sources_store.record_listing(conn, canonical_url(done.address), done.validators)
    return report


def _outlet_entry(item: Payload, article: Article, domain_of: Callable[[str], str]) -> Outlet:
    """The registry entry a fetched page suggests for its domain (kept only when the
    domain is new to the registry)."""
    domain = domain_of(article.url or item.path)
    rule = next((e.rule for e in article.evidence if e.field == "outlet"), "url-host")
    origin = {"html-meta": "page"}.get(
        rule, "domain" if rule in ("url-host", "html-host") else "feed"
    )
    return Outlet(
        domain=domain,
        name=article.outlet or domain,
        country=country_of(domain),
        language=item.language,
        origin=origin,
    )


# Country-code top-level domains whose sites are mostly of that country (a default the
# registry's user can edit; generic TLDs give no country).
def country_of(domain: str) -> str | None:
    """ISO 3166 country from a ccTLD (``bbc.co.uk`` -> GB, ``thehindu.in`` -> IN)."""
    tld = domain.rsplit(".", 1)[-1].lower()
    if len(tld) != 2 or not tld.isalpha():
        return None
    return {"uk": "GB"}.get(tld, tld.upper())


# --------------------------------------------------------------------------- derived steps

# Derived stages, run by analyze() after ingest in the order of STEPS. Each step reads what
# it needs from the store, runs its pure stage, and writes its output in its own
# transaction(s). A step declares what it ``requires`` (facts an earlier step, or ingest,
# stores) and what it ``assigns``; check_order() verifies the order before anything runs,
# as spaCy does for its pipeline components. Register a step with register_step().

INGESTED = ("articles",)  # what ingest stores before any derived step runs
StepFunction = Callable[[Store, Settings], int | None]


@dataclass(frozen=True, slots=True)
class Step:
    """One derived stage as the pipeline runs it: ``run(store, settings)`` returns how many
    items (articles, scopes) it produced results for.

    ``settings`` names the section of :class:`~newsweave.settings.Settings` the step reads
    (None when it has none); the pipeline records that section with the step's results.
    """

    name: str
    run: StepFunction
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()
    settings: str | None = None


STEPS: list[Step] = []


def check_order(steps: Iterable[Step]) -> None:
    """Every requirement of a step is assigned by ingest or an earlier step; names are
    unique. Raises :class:`StageError` naming the step and what it lacks."""
    available = set(INGESTED)
    seen: set[str] = set()
    for step in steps:
        if step.name in seen:
            raise StageError(f"pipeline: step {step.name!r} is registered twice")
        missing = [r for r in step.requires if r not in available]
        if missing:
            raise StageError(
                f"pipeline: step {step.name!r} requires {', '.join(missing)}, which no earlier "
                "step assigns; register it after the step that does"
            )
        seen.add(step.name)
        available.update(step.assigns)


def register_step(
    name: str,
    run: StepFunction,
    *,
    requires: tuple[str, ...] = (),
    assigns: tuple[str, ...] = (),
    settings: str | None = None,
) -> Step:
    """Append a step to :data:`STEPS` after checking that the order still holds."""
    step = Step(name, run, requires, assigns, settings)
    check_order([*STEPS, step])
    STEPS.append(step)
    return step


ProblemCallback = Callable[[InputError], None]
_on_problem: contextvars.ContextVar[ProblemCallback | None] = contextvars.ContextVar(
    "newsweave_on_problem", default=None
)


def report_problem(problem: InputError) -> None:
    """Tell the caller of :func:`analyze` about an article a step skipped (one line each)."""
    callback = _on_problem.get()
    if callback is not None:
        callback(problem)


def analysis_refusal(article: Article) -> str | None:
    """Why a per-article step must not process ``article`` (None when it may): the longest
    article ingest makes (longer documents are stored as parts), applied again so that an
    article stored before documents were split cannot hold a stage for minutes."""
    if len(article.text) > MAX_ARTICLE_CHARS:
        return f"text too long ({len(article.text):,} characters > {MAX_ARTICLE_CHARS:,} limit)"
    return None


def _skipped(article_id: str, source: str, step: str, reason: str) -> InputError:
    return InputError(f"{source} (article {article_id[:10]})", f"{step}: {reason}; skipped")


StepCallback = Callable[[str, int, int], None]


def analyze(
    store: Store,
    *,
    only: Iterable[str] | None = None,
    runner: Runner | None = None,
    on_step: StepCallback | None = None,
    on_problem: ProblemCallback | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """Run the derived steps (all, or the named ones) over the store; return those run.

    ``runner`` becomes :func:`~newsweave.runners.current_runner` while the steps run, so a
    step can map its pure per-article work through it (see ``newsweave/runners``).
    ``on_step(name, number, total)`` is called as each step starts (for progress displays).
    A per-article step that cannot process one article (too long, or its stage failed on
    it) stores nothing for it, marks it done and calls ``on_problem`` with one
    :class:`InputError`: one article never stops the analysis of the others, now or later.
    ``settings`` (default: the packaged defaults) are handed to every step, and each step's
    section is recorded in the store when it produced results.
    """
    settings = settings or Settings()
    check_order(STEPS)
    names = [step.name for step in STEPS]
    wanted = set(only) if only is not None else None
    unknown = sorted(wanted - set(names)) if wanted is not None else []
    if unknown:
        raise StageError(
            f"unknown stage {', '.join(map(repr, unknown))}; stages: {', '.join(names)}"
        )
    todo = [step for step in STEPS if wanted is None or step.name in wanted]
    ran = []
    token = _on_problem.set(on_problem)
    try:
        with use_runner(runner), _older_objects_frozen():
            for number, step in enumerate(todo, 1):
                if on_step:
                    on_step(step.name, number, len(todo))
                produced = step.run(store, settings)
                if produced and step.settings is not None:
                    settings_store.record_run(
                        store,
                        step.name,
                        settings.fingerprint(step.settings),
                        settings.as_dict()[step.settings],
                    )
                ran.append(step.name)
    finally:
        _on_problem.reset(token)
    return ran


@contextlib.contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """The objects that exist when an analysis starts (the loaded models, the per-process
    caches the steps keep between deliveries) are left out of the cycle collector's passes
    while it runs (``gc.freeze``), and given back to it after (``gc.unfreeze``).

    A full collection walks every tracked object, and the caches that spare a delivery
    re-reading what earlier ones read grow with the store: over 20 deliveries of
    LibyaWar_reuters the collector's passes cost 4.3 CPU-s against 1.7 in one ingest, most
    of it walking objects no delivery had made. Garbage a delivery makes is collected as
    before; an older object that becomes cyclic garbage meanwhile is collected after it.
    A freeze inside another (a nested analysis) leaves the outer one's objects frozen."""
    if gc.get_freeze_count():  # nested, or someone else froze: leave it as it is
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def default_db_path() -> str:
    return os.environ.get("NEWSWEAVE_DB", "newsweave.db")


# --------------------------------------------------------------------------- sentences step

SENTENCE_CHUNK = 32  # articles per runner task


def _spans_of_articles(articles: list[Article]) -> list[tuple[str, list, str | None]]:
    """Pure work of the sentences step for a few articles (picklable for distributed
    runners): ``(article id, sentence spans, why it was skipped or None)``."""
    from newsweave.sentences import sentence_spans

    out: list[tuple[str, list, str | None]] = []
    for article in articles:
        why = analysis_refusal(article)
        spans: list = []
        if why is None:
            try:
                spans = sentence_spans(article.text)
            except Exception as exc:  # noqa: BLE001 - one article never stops the step
                why = f"failed ({type(exc).__name__}: {exc})"[:300]
        out.append((article.id, spans, why))
    return out


def run_sentences(
    store: Store, settings: Settings | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Split each article not split yet into sentences, once, and store the spans.

    Copies, time and claims read the stored spans (``store.nlp.sentence_spans``) instead of
    splitting again. Incremental: only articles without stored spans are read; each batch
    commits together. An article the step refuses (too long) or fails on gets no sentences.
    """
    runner = current_runner()
    done = 0
    while ids := nlp_store.articles_without_sentences(store, limit=batch_size):
        articles = store.articles(ArticleFilter(ids=tuple(ids)))
        sources = {a.id: a.source_path for a in articles}
        chunks = [articles[i : i + SENTENCE_CHUNK] for i in range(0, len(articles), SENTENCE_CHUNK)]
        results = []
        for chunk in runner.map(_spans_of_articles, chunks):
            for article_id, spans, why in chunk:
                if why:
                    report_problem(_skipped(article_id, sources[article_id], "sentences", why))
                results.append((article_id, spans))
        done += nlp_store.save_sentence_spans(store, results)
    return done


register_step("sentences", run_sentences, requires=("articles",), assigns=("sentence_spans",))


def _stored_sentences(store: Store, articles: Iterable[Article]) -> dict[str, list]:
    """The stored spans of ``articles`` (an article split before this step existed, or run
    with ``--only``, is split now and its spans stored, so it is split once all the same)."""
    articles = list(articles)
    spans = nlp_store.sentence_spans(store, [a.id for a in articles])
    missing = [a for a in articles if a.id not in spans]
    if missing:
        found = [(aid, sp) for aid, sp, _ in _spans_of_articles(missing)]
        nlp_store.save_sentence_spans(store, found)
        spans.update((aid, tuple(map(tuple, sp))) for aid, sp in found)
    return {aid: list(sp) for aid, sp in spans.items()}


# --------------------------------------------------------------------------- copies step

COPIES_BATCH = 2000  # new articles fingerprinted, compared and committed per transaction


def run_copies(
    store: Store, settings: Settings | None = None, *, batch_size: int = COPIES_BATCH
) -> int:
    """Near-duplicates, reused passages and independent source groups (``newsweave.copies``).

    Incremental: the anchor index is rebuilt in memory from the stored signatures (no old
    text is re-read); each batch of new articles is fingerprinted, checked against it and
    against itself, and only the candidate pairs' texts are read back to verify them
    exactly. Signatures and links of a batch commit together. Copy groups and source
    groups are then rebuilt from the stored links (no text involved) for the linked region
    around the batch's articles only (:func:`_regroup_pending`).
    """
    from newsweave import copies

    config = (settings or Settings()).copies
    ids = copies_store.unsigned_article_ids(store)
    grouped = copies_store.has_groups(store)
    if not ids and grouped and not copies_store.pending_groups(store):
        return 0
    if ids and copies_store.signature_bytes(store)[0]:
        _check_signature_settings(store, config)
    index = copies.AnchorIndex(config)
    index.add(copies_store.iter_signatures(store))
    recent: tuple[dict, dict] = ({}, {})  # the previous batch's articles and fingerprints
    for b in range(0, len(ids), batch_size):
        articles = store.articles(ArticleFilter(ids=tuple(ids[b : b + batch_size])))
        fingerprints = copies.fingerprint_articles(articles, config)
        values = np.unique(np.concatenate([f.anchors for f in fingerprints] or [np.zeros(0)]))
        before = index.df(values)
        index.add(fingerprints)
        after = index.df(values)
        # anchors this batch made boilerplate (held by more than rare_anchor_df articles)
        crossed = values[(before <= config.rare_anchor_df) & (after > config.rare_anchor_df)]
        candidates = index.candidates(fingerprints)
        by_id = {**recent[0], **{a.id: a for a in articles}}
        fp_by_id = {**recent[1], **{f.article: f for f in fingerprints}}
        recent = ({a.id: a for a in articles}, {f.article: f for f in fingerprints})
        others = sorted({x for c in candidates for x in (c.a, c.b)} - by_id.keys())
        for i in range(0, len(others), 500):
            old = store.articles(ArticleFilter(ids=tuple(others[i : i + 500])))
            by_id.update((a.id, a) for a in old)
            fp_by_id.update((f.article, f) for f in copies.fingerprint_articles(old, config))
        # exact verification of the candidate pairs goes through the runner, with the
        # stored sentence spans of their articles
        wanted = {x: by_id[x] for c in candidates for x in (c.a, c.b)}
        spans = _stored_sentences(store, wanted.values())
        tasks = (
            (
                config,
                {x: by_id[x] for c in part for x in (c.a, c.b)},
                {x: fp_by_id[x] for c in part for x in (c.a, c.b)},
                {x: spans[x] for c in part for x in (c.a, c.b) if x in spans},
                [(c.a, c.b) for c in part],
            )
            for part in (
                candidates[i : i + COPIES_TASK_PAIRS]
                for i in range(0, len(candidates), COPIES_TASK_PAIRS)
            )
        )
        results = [r for part in current_runner().map(_verify_pairs, tasks) for r in part]
        stale = _stale_links(store, index, crossed)
        copies_store.save_batch(store, [f.signature() for f in fingerprints], results, stale)
    if grouped:
        _regroup_pending(store)
    else:
        groups = copies.copy_groups(copies_store.copy_links(store))
        sources = copies.source_groups(index.ids, copies_store.same_source_pairs(store))
        copies_store.save_groups(store, groups, sources)
    return len(ids)


def _regroup_pending(store: Store) -> None:
    """Rebuild the copy and source groups of the linked region around the pending articles
    (new ones, both ends of links found or removed): the components of the link graph
    that hold one. Groups never reach across components, so the region's groups from its
    own links are those a rebuild from every link gives, and the groups elsewhere stand."""
    from newsweave import copies

    pending = set(copies_store.pending_groups(store))
    if not pending:
        return
    components = copies.link_components(pending, copies_store.link_pairs(store))
    region = {a for comp in components if pending.intersection(comp) for a in comp}
    sources = copies.source_groups(
        sorted(region), copies_store.same_source_pairs_among(store, region)
    )
    groups = copies.copy_groups(copies_store.links_among(store, region))
    copies_store.save_region_groups(store, region, groups, sources)


COPIES_TASK_PAIRS = 512  # candidate pairs verified per runner task (sorted: an article's
# pairs travel together)


def _verify_pairs(task: tuple) -> list:
    """Pure work of the copies step for some candidate pairs (picklable for distributed
    runners): the verified :class:`~newsweave.copies.PairResult` of each pair that is a
    copy, in pair order."""
    from newsweave import copies

    config, articles, fingerprints, spans, pairs = task
    split = copies.SentenceSplitter(spans)
    out = []
    for a, b in pairs:
        res = copies.compare(
            articles[a], articles[b], fingerprints[a], fingerprints[b], config, sentences=split
        )
        if res is not None:
            out.append(res)
    return out


def _stale_links(store: Store, index: AnchorIndex, crossed: np.ndarray) -> list[tuple[str, str]]:
    """Stored links whose pair is no longer a candidate now that the anchors ``crossed`` are
    held by more than ``rare_anchor_df`` articles. Removed in the batch's transaction, they
    leave exactly the links one run over the same articles finds, whatever order and
    batches the articles came in (a pair verified while an anchor was still rare would
    otherwise outlive its candidacy)."""
    if not crossed.size:
        return []
    holders = index.holders(crossed)
    pairs = [(a, b) for a, b in copies_store.link_pairs(store) if a in holders and b in holders]
    sigs = copies_store.signatures_of(store, {x for pair in pairs for x in pair})
    return [(a, b) for a, b in pairs if not index.is_candidate(sigs[a], sigs[b])]


# Settings that shape an article's fingerprint: anchors made with other values cannot be
# compared with the stored ones, so they may not change while a store holds signatures.
COPIES_SIGNATURE_KEYS = ("shingle", "anchor_mod")


def _check_signature_settings(store: Store, config: CopiesConfig) -> None:
    """Refuse to fingerprint new articles with other signature settings than the stored
    signatures were made with (a store without a record was made with the defaults)."""
    made_with = [u.settings for u in settings_store.used_settings(store) if u.stage == "copies"]
    for values in made_with or [section_dict(CopiesConfig())]:
        differ = [k for k in COPIES_SIGNATURE_KEYS if values.get(k) != getattr(config, k)]
        if differ:
            stored = ", ".join(f"copies.{k}={values.get(k)}" for k in differ)
            raise StageError(
                f"{store.path}: its copy fingerprints were made with {stored}; new articles "
                "fingerprinted otherwise could not be matched with them. Keep those values, "
                "or ingest into a new store"
            )


register_step(
    "copies",
    run_copies,
    requires=("articles", "sentence_spans"),
    assigns=("copy_links", "copy_groups", "source_groups"),
    settings="copies",
)


# --------------------------------------------------------------------------- nlp step

NLP_CHUNK = 16  # articles per nlp.pipe call (and per task on a distributed runner)


def _mentions_of_articles(
    articles: list[Article],
) -> list[tuple[str, list, str | None, TextFacts]]:
    """Pure work of the nlp step for a few articles (picklable for distributed runners):
    ``(article id, mentions, why it was skipped or None, the text facts resolution needs)``.
    An article the model fails on is retried alone, so it costs only itself."""
    from newsweave.entities import text_facts
    from newsweave.nlp import iter_mentions

    refused = {a.id: why for a in articles if (why := analysis_refusal(a))}
    todo = [a for a in articles if a.id not in refused]
    try:
        found = {article.id: mentions for article, mentions in iter_mentions(todo)}
    except Exception:  # noqa: BLE001 - find the article that failed, keep the others
        found = {}
        for article in todo:
            try:
                found.update((a.id, m) for a, m in iter_mentions([article]))
            except Exception as exc:  # noqa: BLE001
                refused[article.id] = f"failed ({type(exc).__name__}: {exc})"[:300]
    out = []
    for a in articles:
        mentions = found.get(a.id, [])
        out.append((a.id, mentions, refused.get(a.id), text_facts(a.id, a.text, mentions)))
    return out


def _facts_of_articles(items: list[tuple[Article, list]]) -> list[TextFacts]:
    """Text facts of articles (with their stored mentions) the nlp step read before facts
    were kept (older stores)."""
    from newsweave.entities import text_facts

    return [text_facts(a.id, a.text, mentions) for a, mentions in items]


def run_nlp(
    store: Store, settings: Settings | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Entity mentions for articles not read yet, then alias resolution over all mentions.

    Incremental: mentions are computed once per article (``nlp_done``), together with the
    facts resolution needs from its text (:class:`~newsweave.entities.TextFacts`: word case
    counts, spelled-out acronyms, TF-IDF terms), both through the runner; each batch commits
    its mentions, facts and done-marks together, and the store sums the facts over the
    corpus. Resolution is incremental (``newsweave.store.entity_index``): each chunk of newly
    read articles adds its share of the corpus evidence, and only the entities its mentions
    can change are clustered again, from the kept facts (no text is read again), one
    transaction per chunk; the result is what resolving all mentions at once gives.
    """
    from newsweave.nlp import model_name

    runner = current_runner()
    added = 0
    while ids := nlp_store.articles_without_mentions(store, limit=batch_size):
        articles = store.articles(ArticleFilter(ids=tuple(ids)))
        chunks = [articles[i : i + NLP_CHUNK] for i in range(0, len(articles), NLP_CHUNK)]
        results = []
        sources = {a.id: a.source_path for a in articles}
        facts = []
        for chunk in runner.map(_mentions_of_articles, chunks):
            for article_id, mentions, why, article_facts in chunk:
                if why:
                    report_problem(_skipped(article_id, sources[article_id], "entities", why))
                results.append((article_id, mentions))
                facts.append(article_facts)
        nlp_store.save_mentions(store, results, model=model_name(), facts=facts)
        added += len(results)
    while ids := nlp_store.articles_without_facts(store, limit=batch_size):
        items = [
            (a, nlp_store.mentions_of(store, a.id))
            for a in store.articles(ArticleFilter(ids=tuple(ids)))
        ]
        chunks = [items[i : i + NLP_CHUNK] for i in range(0, len(items), NLP_CHUNK)]
        with store.transaction() as conn:
            for part in runner.map(_facts_of_articles, chunks):
                nlp_store.save_facts(conn, part)
    # resolution: incremental, a chunk of newly read articles at a time
    entity_index.resolve_pending(store)
    return added


register_step("nlp", run_nlp, requires=("articles",), assigns=("mentions", "entities"))


# --------------------------------------------------------------------------- time step


def _time_of_article(item: tuple[Article, list]) -> tuple[str, list, list, str | None]:
    """Pure per-article work of the time step (picklable for distributed runners) over an
    article and its stored sentence spans: ``(article id, refs, dated sentences, why it was
    skipped or None)``."""
    from newsweave.sentences import sentences_from_spans
    from newsweave.time import extract_time

    article, spans = item
    why = analysis_refusal(article)
    if why:
        return article.id, [], [], why
    try:
        refs, dated = extract_time(article, sentences_from_spans(article, spans))
    except Exception as exc:  # noqa: BLE001 - one article never stops the step
        return article.id, [], [], f"failed ({type(exc).__name__}: {exc})"[:300]
    return article.id, refs, dated, None


def run_time(
    store: Store, settings: Settings | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> int:
    """Normalise the temporal expressions and date the sentences of articles not done yet.

    Incremental: only articles without a ``time_done`` row are read; each batch commits
    its rows and its done-marks together.
    """
    runner = current_runner()
    done = 0
    while ids := time_store.articles_without_time(store, limit=batch_size):
        articles = store.articles(ArticleFilter(ids=tuple(ids)))
        sources = {a.id: a.source_path for a in articles}
        spans = _stored_sentences(store, articles)
        items = [(a, spans.get(a.id, [])) for a in articles]
        results = []
        for article_id, refs, dated, why in runner.map(_time_of_article, items):
            if why:
                report_problem(_skipped(article_id, sources[article_id], "time", why))
            results.append((article_id, refs, dated))
        done += time_store.save_time(store, results)
    return done


register_step(
    "time",
    run_time,
    requires=("articles", "sentence_spans"),
    assigns=("time_refs", "dated_sentences"),
)


# --------------------------------------------------------------------------- group step

GROUP_BATCH = 2000  # articles embedded and placed per transaction
GROUP_CANDIDATES_PER_ARTICLE = 30
EMBED_CHUNK = 256  # texts per runner task
GROUP_EVENT_SAMPLE = 64  # articles of an existing event compared with a new batch


GROUP_KNOWN_BUDGET = 4000  # existing articles compared with one batch, all events together
#: Least articles an existing event takes part with; so at most ``GROUP_KNOWN_BUDGET //
#: GROUP_EVENT_FLOOR`` events found by their centroids are compared with one batch (the
#: nearest, by their best cosine to any of its articles): without this bound a large store
#: compares a batch with every event among any article's nearest centroids, and the
#: batch's similarity matrices grow with the store (2,253 events, n = 7,646 at 10k
#: generated articles; past 10 GB for one matrix at 100k).
GROUP_EVENT_FLOOR = 4


def _event_sample(articles: tuple[str, ...], size: int = GROUP_EVENT_SAMPLE) -> tuple[str, ...]:
    """The first and last articles of a large event (its start and its latest state)."""
    if len(articles) <= size:
        return articles
    half = max(1, size // 2)
    return articles[:half] + articles[-half:]


def _embed_texts(texts: list[str]) -> object:
    """Pure, picklable embedding of one chunk (the model loads once per worker)."""
    from newsweave.embed import embed

    return embed(texts)


def _embed_leads(texts: list[str]) -> np.ndarray:
    """Vectors of ``texts`` (in order), each distinct text embedded once, through the runner.

    An article's lead and its lead without place names are the same text when the lead
    names no place (a fifth of Finan_washingtonpost's articles), and syndicated copies share
    leads. The model embeds each text alone (see :func:`newsweave.embed.embed`), so a
    repeated text's vector is the one a second embedding would give."""
    distinct = list(dict.fromkeys(texts))
    chunks = [distinct[i : i + EMBED_CHUNK] for i in range(0, len(distinct), EMBED_CHUNK)]
    parts = list(current_runner().map(_embed_texts, chunks, chunk_size=1))
    vectors = np.concatenate(parts) if parts else np.zeros((0, 384), dtype=np.float32)
    row = {text: i for i, text in enumerate(distinct)}
    return vectors[[row[t] for t in texts]] if texts else vectors


def _canonical(rows: Iterable[tuple[str, str | None]]) -> list[str]:
    """Article ids in the canonical order of grouping: publication date, then id (undated
    last), so that chunks do not depend on the order articles arrived in."""
    return [aid for aid, _ in sorted(rows, key=lambda r: (r[1] is None, r[1] or "", r[0]))]


def run_group(store: Store, settings: Settings | None = None) -> int:
    """Place articles not grouped yet into events and stories; rebuild touched timelines.

    Grouping is a function of the set of articles, not of the order or the batches they
    arrived in. Articles are grouped in chunks of ``GROUP_BATCH`` in canonical order
    (publication date, then id). The last chunk stays *open*: each run undoes its grouping
    and places all its articles again in one :func:`newsweave.group.group` call, on top of
    the closed chunks' events (new articles join them or form new events); once
    ``GROUP_BATCH`` articles are open, the first ``GROUP_BATCH`` of them close for good.
    So a topic delivered in 20 batches is grouped exactly as in one ingest, and a run costs
    at most one chunk's grouping, never the whole store. Only new articles are embedded
    (through the runner); entity terms are those of the current resolution. An article
    arriving after its chunk closed (dated before it) joins the open chunk.
    """
    _reembed_other_models(store)
    options = (settings or Settings()).group
    ids = group_store.ungrouped_article_ids(store)
    for b in range(0, len(ids), GROUP_BATCH):
        articles = store.articles(ArticleFilter(ids=tuple(ids[b : b + GROUP_BATCH])))
        _save_new_signals(store, articles)
    if not ids and not group_store.open_unplaced(store):
        return 0
    while opened := _canonical(group_store.open_articles(store)):
        chunk = opened[:GROUP_BATCH]
        with store.transaction() as conn:
            before = group_store.open_stories(store)
            restored = group_store.roll_back_open(conn)
            _place_chunk(store, conn, chunk, {*restored, *before}, before, options)
            if len(opened) >= GROUP_BATCH:
                group_store.close_chunk(conn, chunk)
        if len(opened) <= GROUP_BATCH:
            break
    return len(ids)


def _save_new_signals(store: Store, articles: list[Article]) -> None:
    """Embed new articles (through the runner) and store their signals, word terms only
    (entity terms are added from the current resolution when signals are loaded); they
    join the open chunk in the same transaction."""

    from newsweave import group as grouping

    dated = {art.id: _stored_dated(store, art) for art in articles}
    # each lead twice: as written (events) and without the nlp stage's place names (stories)
    texts = [grouping.lead_text(a) for a in articles] + [
        grouping.story_lead_text(a, nlp_store.mentions_of(store, a.id)) for a in articles
    ]
    both = _embed_leads(texts)
    vectors, story_vectors = both[: len(articles)], both[len(articles) :]
    signals = [
        grouping.article_signals(a, v, (), dated.get(a.id, ()), sv)
        for a, v, sv in zip(articles, vectors, story_vectors, strict=True)
    ]
    with store.transaction() as conn:
        group_store.save_signals(conn, signals)


def _candidate_events(sims: np.ndarray, event_ids: list[str], floor: float, most: int) -> set[str]:
    """The stored events a batch is compared with: each article's
    ``GROUP_CANDIDATES_PER_ARTICLE`` nearest centroids at cosine ``floor`` or more
    (``sims``: articles x events), at most ``most`` of them, those with the best cosine to
    any article of the batch first (ties by event id)."""
    candidates: set[int] = set()
    for row in sims:
        top = np.argsort(-row, kind="stable")[:GROUP_CANDIDATES_PER_ARTICLE]
        candidates.update(int(i) for i in top if row[i] >= floor)
    if len(candidates) > most:
        best = sims.max(axis=0)
        candidates = set(sorted(candidates, key=lambda i: (-best[i], event_ids[i]))[:most])
    return {event_ids[i] for i in candidates}


def _place_chunk(
    store: Store,
    conn: sqlite3.Connection,
    ids: list[str],
    touched: set[str],
    before: Mapping[str, tuple[str, ...]],
    options: GroupOptions,
) -> None:
    """Group the articles ``ids`` (none of them in an event) on top of the stored events,
    remembering the state of every stored event and story the result changes. The
    timeline of a story (a function of its articles) is rebuilt when its articles are not
    those it had ``before`` (the stories ``touched`` are checked too)."""
    from newsweave import group as grouping
    from newsweave.brief import timeline_of_candidates

    signals = group_store.load_signals(store, ids)
    wanted = set(ids)
    # near-duplicates only: a shared quote or boilerplate paragraph (shared-passage) can join
    # reports of different happenings
    copies = [
        g
        for g in copies_store.copy_groups(store, kind="near-duplicate")
        if wanted & set(g.articles)
    ]
    vectors = np.stack([s.vector for s in signals]) if signals else np.zeros((0, 384), np.float32)
    event_ids, centroids = group_store.event_centroids(store)
    candidates: set[str] = set()
    if event_ids and len(signals):
        candidates = _candidate_events(
            vectors @ centroids.T,
            event_ids,
            options.candidate_floor,
            GROUP_KNOWN_BUDGET // GROUP_EVENT_FLOOR,
        )
    # the events of a batch article's near-duplicates always take part (the copies join them)
    copy_members = [a for g in copies for a in g.articles]
    candidates.update(group_store.events_of_articles(store, copy_members).values())
    events = group_store.load_events(store, sorted(candidates))
    # a big event takes part through a sample of its articles (bounded work per batch)
    per_event = max(
        GROUP_EVENT_FLOOR, min(GROUP_EVENT_SAMPLE, GROUP_KNOWN_BUDGET // max(1, len(events)))
    )
    known = group_store.load_signals(
        store, [a for e in events for a in _event_sample(e.articles, per_event)]
    )
    stories = group_store.load_stories(store, sorted({e.story for e in events if e.story}))
    result = grouping.group(
        signals, known=known, events=events, stories=stories, copies=copies, options=options
    )
    by_id = {s.id: s for s in [*known, *signals]}
    cents = {
        e.id: grouping.centroid([by_id[a] for a in e.articles if a in by_id]) for e in result.events
    }
    before_events = {e.id: e for e in events}
    before_stories = {s.id: s for s in stories}
    group_store.remember(
        conn,
        [before_events[e.id] for e in result.events if e.id in before_events],
        [before_stories[s.id] for s in result.stories if s.id in before_stories],
    )
    group_store.save_grouping(conn, result.events, result.stories, cents)
    story_ids = sorted({s.id for s in result.stories} | touched)
    for st in group_store.load_stories(store, story_ids):
        if before.get(st.id) == st.articles:
            continue
        # a timeline reads its articles' sentence dates and publication dates only: the
        # articles' texts are read where their candidates are made (_timeline_candidates)
        published = store.published_dates(st.articles)
        group_store.save_timeline(
            conn,
            st.id,
            timeline_of_candidates(_timeline_candidates(store, published), published, story=st.id),
        )
    group_store.drop_orphan_timelines(conn)


def _reembed_other_models(store: Store) -> None:
    """Vectors another embedding model made (an older newsweave) are re-embedded, and the
    centroids of their events recomputed, before anything is compared with them."""
    from newsweave import group as grouping
    from newsweave.embed import MODEL_ID

    stale = group_store.signals_of_other_models(store, MODEL_ID)
    for b in range(0, len(stale), GROUP_BATCH):
        articles = store.articles(ArticleFilter(ids=tuple(stale[b : b + GROUP_BATCH])))
        texts = [grouping.lead_text(a) for a in articles] + [
            grouping.story_lead_text(a, nlp_store.mentions_of(store, a.id)) for a in articles
        ]
        vectors = _embed_leads(texts)
        n = len(articles)
        with store.transaction() as conn:
            group_store.save_vectors(
                conn,
                {a.id: v for a, v in zip(articles, vectors[:n], strict=True)},
                story_vectors={a.id: v for a, v in zip(articles, vectors[n:], strict=True)},
            )
    if stale:
        events = group_store.load_events(
            store, sorted(set(group_store.events_of_articles(store, stale).values()))
        )
        with store.transaction() as conn:
            group_store.save_centroids(
                conn,
                {
                    e.id: grouping.centroid(group_store.load_signals(store, e.articles))
                    for e in events
                },
            )


#: Each story member's timeline candidates, kept per process by article id with what they
#: were made from (most recently used last): a story's timeline is rebuilt whenever an
#: article joins it, and its other articles' candidates are those they had. What they were
#: made from is known by the stored rows' change stamp (``group_store.dated_stamps``: the
#: rows are read only for an article whose stamp moved) and the publication date; for an
#: article with no rows, by a digest of its text. The candidates hold the usable sentences.
TIMELINE_ARTICLES_KEPT = 3_000
_TIMELINE_KEPT: Kept[str, tuple[tuple, tuple]] = Kept(TIMELINE_ARTICLES_KEPT)


def _made_from(rows: tuple, article: Article) -> tuple:
    """What the candidates of an article with no stamp are a function of: its stored rows
    (a 128-bit digest of them; rows pickled otherwise never share a digest), its
    publication date, and, where it has no rows, its text (``extract_time`` reads it then)."""
    digest = hashlib.blake2b(pickle.dumps(rows, protocol=5), digest_size=16).digest()
    text = None if rows else hashlib.blake2b(article.text.encode(), digest_size=16).digest()
    return (digest, article.published, text)


def _timeline_candidates(store: Store, published: Mapping[str, str | None]) -> dict[str, tuple]:
    """``brief.timeline_candidates`` of each article of ``published`` (id -> publication
    date) from its stored sentence dates (as :func:`_stored_dated` reads them), made again
    only where what they are made from differs from what they were last made from: an
    article whose rows' change stamp and publication date are those its kept candidates
    were made from is not read at all."""
    from newsweave.brief import timeline_candidates

    stamps = group_store.dated_stamps(store, list(published))
    out: dict[str, tuple] = {}
    stale: list[str] = []
    for aid, pub in published.items():
        held = _TIMELINE_KEPT.held(aid)
        stamp = stamps.get(aid)
        if held is not None and stamp is not None and held[0] == ("stamp", stamp, pub):
            out[aid] = held[1]
        else:
            stale.append(aid)
    rows = time_store.dated_rows(store, stale) if stale else {}
    # an article with no rows: its candidates come from its text (_stored_dated)
    unread = [aid for aid in stale if aid not in rows or aid not in stamps]
    articles = {a.id: a for a in store.articles(ArticleFilter(ids=tuple(unread)))} if unread else {}
    for aid in stale:
        mine = rows.get(aid, ())
        if mine and aid in stamps:
            source: tuple = ("stamp", stamps[aid], published[aid])
        else:
            source = _made_from(mine, articles[aid])
        held = _TIMELINE_KEPT.get(aid)
        if held is None or held[0] != source:
            dated = (
                [time_store.dated_sentence(r) for r in mine]
                if mine
                else _stored_dated(store, articles[aid])
            )
            held = (source, timeline_candidates(dated, published[aid]))
        out[aid] = _TIMELINE_KEPT.keep(aid, held)[1]
    return {aid: out[aid] for aid in published}


def _stored_dated(store: Store, article: Article) -> list:
    from newsweave.time import extract_time

    rows = time_store.dated_sentences(store, article.id)
    return rows or ([] if analysis_refusal(article) else extract_time(article)[1])


register_step(
    "group",
    run_group,
    requires=("articles", "dated_sentences", "mentions", "copy_groups"),
    assigns=("events", "stories", "timelines"),
    settings="group",
)


# --------------------------------------------------------------------------- claims step


def _claims_of_scope(task: tuple) -> tuple[str, str, object]:
    """Pure claims work of one scope (picklable for distributed runners): its analysis, or
    None where the statements name entities as when its claims were computed (the stored
    ``shape``) and every other input is as then (``base``): the analysis would be the same.
    The fingerprint returned is the scope's and the statements' (``"<scope> <shape>"``)."""
    from newsweave.claims import analyse_claims, entity_shape
    from newsweave.embed import embed_cached
    from newsweave.sentences import remember

    scope, fingerprint, base, held, articles, source_of, events, mentions, links, times = task[:10]
    options, spans = task[10:]
    for article in articles:  # the stored sentences: the claims stage does not split again
        remember(article.text, spans.get(article.id, ()))
    shape = hashlib.sha1(
        f"{base}|{entity_shape(articles, mentions, times, options)}".encode()
    ).hexdigest()
    fingerprint = f"{fingerprint} {shape}"
    if shape == held:
        return scope, fingerprint, None
    analysis = analyse_claims(
        articles,
        source_of,
        events=events,
        mentions=mentions,
        links=links,
        times=times,
        embedder=embed_cached,
        figure_embedder=_figure_embedder(options),
        options=options,
    )
    return scope, fingerprint, analysis


def _figure_embedder(options: ClaimOptions) -> Callable | None:
    """The claims stage's learned same-thing signal (the MiniLM encoder), unless
    ``claims.figure_cosine`` is 1.0 (off)."""
    if options.figure_cosine >= 1.0:
        return None
    from newsweave.embed import embed_cached

    return embed_cached


def _local_labels(values: Iterable[str | None]) -> list[str]:
    """``values`` renamed by order of first appearance ("0", "1", …; None stays "-"): two
    lists that group their positions alike give the same labels, whatever the names."""
    seen: dict[str, str] = {}
    return ["-" if v is None else seen.setdefault(v, str(len(seen))) for v in values]


def _cycle_collector_paused(step: Callable[..., int]) -> Callable[..., int]:
    """``step`` with Python's cycle collector paused while it runs (``gc.disable``; enabled
    again after, if it was). The claims step allocates many small records and makes no
    reference cycles (a collection right after it finds no unreachable object on
    bench/labels/claims): each pass the collector made during it walked those records, and
    the rest of the heap, again for nothing (about 7 % of the step's CPU). Reference counting
    frees its garbage as before; a cycle it made would be collected after it."""

    @functools.wraps(step)
    def run(*args: object, **kwargs: object) -> int:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return step(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return run


@_cycle_collector_paused
def run_claims(store: Store, settings: Settings | None = None) -> int:
    """Claims, corroboration and contradictions, recomputed per event when its inputs changed.

    A scope is one event (statements align only within an event, so a story's claims are
    its events' claims together); articles outside any event
    form the scope ``"*"``. With ``claims.cross_event`` the figures of the claims that
    changed are then compared with those of every other event (:func:`_claims_across_events`).
    A scope is recomputed only when its articles, the way its articles fall into source
    groups, the copy links between them, the way its mentions fall into entities or the
    claims rules (``claims.ALGORITHM``) changed (a fingerprint per scope; group and entity
    ids enter it only as a partition, since the stage compares them for equality only:
    a later resolution that renames an entity recomputes nothing). Each scope is replaced
    in one transaction. The scopes to recompute go through the runner (read lazily, in
    order; the writing stays here). Statements and sentence vectors of articles already
    seen come from per-process caches, and an event's pairs from its group memo
    (``claims._GROUP_MEMOS``), so an event an article joins costs little more than the new
    article's statements and pairs.
    """
    from newsweave.claims import ALGORITHM

    options = (settings or Settings()).claims
    source_of = copies_store.source_groups(store)
    events = group_store.load_events(store)
    scope_events: dict[str, list] = {e.id: [e] for e in sorted(events, key=lambda e: e.id)}
    scopes: dict[str, tuple[str, ...]] = {
        scope: tuple(sorted({a for e in evs for a in e.articles}))
        for scope, evs in scope_events.items()
    }
    in_events = {a for ids in scopes.values() for a in ids}
    loose = tuple(sorted(a for a in store.article_ids() if a not in in_events))
    if loose:
        scopes["*"] = loose
    done = claims_store.scope_fingerprints(store)
    dropped = [s for s in done if s not in scopes]
    claims_store.drop_scopes(store, dropped)
    recomputed = 0

    def tasks() -> Iterator[tuple]:
        for scope, ids in scopes.items():
            # the copy links between the scope's articles, read per scope (the store's
            # links with their passages grow with it: ~6 MB at 3,000 generated articles)
            wanted = set(ids)
            scope_links = [lk for lk in copies_store.links_among(store, ids) if lk.b in wanted]
            evs = scope_events.get(scope, [])
            source_labels = _local_labels(source_of.get(a, a) for a in ids)
            head = (
                ALGORITHM
                + "|"
                + "|".join(f"{e.id}:{','.join(sorted(e.articles))}" for e in evs)
                + "|"
                + "|".join(f"{a}:{g}" for a, g in zip(ids, source_labels, strict=True))
                + "|"
                + "|".join(f"{lk.a}-{lk.b}:{len(lk.passages)}" for lk in scope_links)
                + "|"
            )
            # statements carry the entities of their mentions: a scope whose articles'
            # mentions fall into entities otherwise since (a later article merged two
            # entities) is recomputed, so the claims are those one run over the same
            # articles gives. Every scope is checked on each delivery, so its mentions are
            # read only when their change stamps moved since this process last computed
            # its fingerprint (an article without a stamp is read each time)
            stamps = group_store.mention_stamps(store, ids)
            marks = [stamps.get(a) for a in ids]
            inputs = hashlib.blake2b(head.encode(), digest_size=16)
            inputs.update(b"".join(m or b"" for m in marks))
            digest = inputs.digest()
            held = _SCOPE_KEYS.held(scope)
            if held is not None and held[0] == digest and None not in marks:
                fingerprint, base = held[1], held[2]
            else:
                fingerprint, base = _scope_keys(store, ids, head, stamps)
                if None not in marks:
                    _SCOPE_KEYS.keep(scope, (digest, fingerprint, base))
            stored = done.get(scope, "").split(" ")
            if stored[0] == fingerprint:
                continue
            # an article the per-article steps refused (too long) has no sentences to offer
            articles = [
                a for a in store.articles(ArticleFilter(ids=ids)) if not analysis_refusal(a)
            ]
            mentions = _scope_mentions(store, ids, stamps)
            times = {a: time_store.time_refs(store, a) for a in ids}
            read_of[scope] = (times, mentions)  # what each claim's state digests
            yield (
                scope,
                fingerprint,
                base,
                stored[1] if len(stored) > 1 else None,
                articles,
                {a: source_of[a] for a in ids if a in source_of},
                evs or None,
                mentions,
                scope_links,
                times,
                options,
                _stored_sentences(store, articles),
            )

    changed: set[str] = set()
    # scope -> the time expressions and mentions its claims were computed from, kept from
    # its task until its claims are saved (a claim's state digests what its figures read)
    read_of: dict[str, tuple[dict, dict]] = {}
    for scope, fingerprint, analysis in current_runner().map(_claims_of_scope, tasks()):
        times, mentions = read_of.pop(scope)
        if analysis is None:  # the claims it has stored are those an analysis would give
            claims_store.save_fingerprint(store, scope, fingerprint)
            continue
        before = claims_store.scope_states(store, scope)
        states = claims_store.save_scope(store, scope, fingerprint, analysis, times, mentions)
        changed.update(c for c, state in states.items() if before.get(c) != state)
        recomputed += 1
    if recomputed or dropped:
        _claims_across_events(store, changed, options)
    return recomputed


#: Per scope, a digest of what its fingerprint is computed from besides the mentions (its
#: head) with its articles' mention stamps (``group_store.mention_stamps``), and the
#: fingerprint and its ``base``, kept per process (~150 B a scope): each delivery checks
#: every scope, and reading every mention of the store to find most scopes unchanged cost
#: ~2 CPU-s over 20 deliveries of EgyptianProtest_cnn (0.2 in one ingest).
SCOPE_KEYS_KEPT = 50_000
_SCOPE_KEYS: Kept[str, tuple[bytes, str, str]] = Kept(SCOPE_KEYS_KEPT)
#: The mentions of the articles of recomputed scopes, kept per process by article with
#: their change stamp (most recently used last; ~40 kB an article): an event an article
#: joins reads its other articles' mentions again. 512 hold a Timeline17 topic.
MENTIONS_KEPT_ARTICLES = 512
_MENTIONS_KEPT: Kept[str, tuple[bytes | None, list]] = Kept(MENTIONS_KEPT_ARTICLES)


#: What a scope's fingerprint reads of each article's mentions (``"<article>:<start>-<end>:
#: <label>"`` of each, and the entity id each names), kept per process by article with its
#: mention stamp (most recently used last; ~60 B a mention): a scope whose stamps or head
#: moved reads only its articles whose stamps moved (EgyptianProtest_cnn: 448 scope
#: fingerprints computed over 20 deliveries against 151 in one ingest, most of each big
#: event's articles unchanged).
SCOPE_ROWS_KEPT_ARTICLES = 3_000
_SCOPE_ROWS: Kept[str, tuple[bytes | None, tuple[str, ...], tuple[str | None, ...]]] = Kept(
    SCOPE_ROWS_KEPT_ARTICLES
)


def _scope_keys(
    store: Store, ids: Sequence[str], head: str, stamps: Mapping[str, bytes] | None = None
) -> tuple[str, str]:
    """(fingerprint, base) of a scope: ``head`` (its articles, events, source groups and
    links) with its mentions and the way they fall into entities (read per scope: memory
    holds one scope's, not the store's), and without the partition into entities
    (``base``: the task compares how its statements name entities with the stored shape).
    An article's mentions are read only where its mention stamp (``stamps``, read just
    before) is not the one they were kept with."""
    stamps = stamps or {}
    per: dict[str, tuple] = {}
    unread: list[str] = []
    for a in ids:
        held = _SCOPE_ROWS.held(a)
        if held is not None and held[0] == stamps.get(a):
            per[a] = held
        else:
            unread.append(a)
    entities = nlp_store.mention_entities(store, unread) if unread else {}
    for a in unread:
        ms = entities.get(a, ())
        per[a] = held = (
            stamps.get(a),
            tuple(f"{a}:{s}-{e}:{label}" for s, e, label, _ in ms),
            tuple(m[3] for m in ms),
        )
        if held[0] is not None:
            _SCOPE_ROWS.keep(a, held)
    rows = [r for a in ids for r in per[a][1]]
    entity_labels = _local_labels(e for a in ids for e in per[a][2])
    key = head + "|".join(f"{r}:{g}" for r, g in zip(rows, entity_labels, strict=True))
    fingerprint = hashlib.sha1(key.encode()).hexdigest()
    base = hashlib.sha1((head + "|".join(rows)).encode()).hexdigest()
    return fingerprint, base


def _scope_mentions(
    store: Store, ids: Sequence[str], stamps: Mapping[str, bytes]
) -> dict[str, list]:
    """article id -> its stored mentions, for ``ids``: those kept from an earlier read where
    the article's mention stamp (``stamps``, read just before) is the one they were read
    with."""
    out: dict[str, list] = {}
    for a in ids:
        stamp = stamps.get(a)
        held = _MENTIONS_KEPT.held(a)
        if held is None or stamp is None or held[0] != stamp:
            held = (stamp, nlp_store.mentions_of(store, a))
            if stamp is not None:
                _MENTIONS_KEPT.keep(a, held)
        out[a] = held[1]
    return out


#: Figure mentions of stored claims kept per process (by what they are read from), so the
#: comparison across events does not re-read every stored claim's figures on each run.
#: About 5.4 kB a claim (12,165 held 66 MB over 3,000 generated articles): 12,000 hold
#: every figure-giving claim of a Timeline17 topic (LibyaWar_reuters: 2,351) in ~65 MB.
FIGURE_CACHE_CLAIMS = 12_000
#: Unread claims whose figure mentions are read at once (with their articles' time
#: expressions and names).
FIGURE_READ_CLAIMS = 2_000
#: Claims whose figure mentions the comparison across events holds at once to decide the
#: pairs an index found: a block of changed claims with every claim they are paired with,
#: as many changed claims as keep that within the bound (one changed claim's partners may
#: pass it). Claims with partners give ~1.8 figure mentions each: over the 10k store
#: 12,000 reached 589 MB alone, 4,000 501 MB for 10 % more CPU (partners read again).
FIGURE_BLOCK_CLAIMS = 4_000
#: Pairs of mentions decided in one call at most (unless one changed claim has more): the
#: call holds a few Python objects per pair (~0.3 kB: its candidates, their places), so
#: memory holds ~30 MB of them, not every pair of a block (~700,000 over the 10k store).
FIGURE_BLOCK_PAIRS = 100_000
_FIGURES: Kept[tuple, tuple] = Kept(FIGURE_CACHE_CLAIMS)


def _claims_across_events(store: Store, changed: set[str], options: ClaimOptions) -> None:
    """Figures compared across events and stories (``claims.cross_event``): the claims that
    changed (new, or read otherwise: another event, other mentions) against every stored
    claim; pairs of unchanged claims keep their stored answer (a pair's answer depends on
    the two claims and their articles alone). With ``cross_event`` off, every such
    contradiction is dropped.

    Each figure claim is read once (``FIGURE_READ_CLAIMS`` at a time): its mentions' keys go
    into a :class:`newsweave.claims.FigureIndex` (arrays) and the figures each article gives
    are gathered; the index then gives the pairs of mentions worth comparing (words, days,
    units, claims, articles, events), and only the claims of those pairs are read again, a
    block of changed claims with their partners at a time (``FIGURE_BLOCK_CLAIMS``), to be
    decided. A pair of claims is decided in one call with all its candidate mentions, in the
    order one comparison of all claims at once gives them: the same answers, with memory of
    the arrays and a block, and work per changed claim that follows its candidates, not the
    store's claims."""
    from newsweave.claims import FigureIndex, cross_event_contradictions, figures_by_article

    if not options.cross_event:
        claims_store.save_cross_event(store, [c.id for c in claims_store.load_claims(store)], [])
        return
    # only claims with a mention that may give a figure take part (figure_mentions)
    rows = claims_store.figure_states(store)
    states = dict(rows)
    ids = [cid for cid, _state in rows if cid in changed]  # changed first, as compared
    n_changed = len(ids)
    ids += [cid for cid, _state in rows if cid not in changed]
    found: list = []
    if n_changed:
        published = store.published_dates()
        index = FigureIndex()
        # the figures each article gives, over every claim, before any pair is decided
        figures: dict[str, frozenset[tuple[str, float]]] = {}
        starts = [0]  # claim k's mentions are index.claim[starts[k]:starts[k + 1]]
        # kept in the cache only if all fit: else this pass would leave it holding its last
        # claims, which the blocks below mostly do not ask for, beside a block they read
        keep = len(ids) <= _FIGURES.limit
        for b in range(0, len(ids), FIGURE_READ_CLAIMS):
            part = ids[b : b + FIGURE_READ_CLAIMS]
            got = _figure_mentions(store, part, states, published, keep=keep)
            for k, mentions in enumerate(got, start=b):
                index.add(k, mentions)
                figures_by_article(mentions, figures)
                starts.append(len(index))
        pairs = index.pairs(starts[n_changed], options.max_days)
        embedder = _figure_embedder(options)
        claim = np.frombuffer(index.claim, dtype=np.int32)
        for block, block_pairs in _figure_blocks(claim, pairs):
            read = _figure_mentions(store, [ids[k] for k in block], states, published)
            pool: list = []
            at = np.empty(len(block), dtype=np.int64)  # claim's shift: index -> pool
            for i, (k, mentions) in enumerate(zip(block, read, strict=True)):
                at[i] = len(pool) - starts[k]
                pool.extend(mentions)
            local = block_pairs + at[np.searchsorted(block, claim[block_pairs])]
            found += cross_event_contradictions(
                pool, (), options, embedder, figures=figures, pairs=local.tolist()
            )
        found.sort(key=lambda x: (x.a, x.b))
    claims_store.save_cross_event(store, changed, found)


def _figure_blocks(claim: np.ndarray, pairs: np.ndarray) -> Iterator[tuple[list[int], np.ndarray]]:
    """``pairs`` of mentions (sorted, as :meth:`newsweave.claims.FigureIndex.pairs` gives
    them; ``claim``: each mention's claim number) cut where the claims of their first
    mentions change, into blocks of consecutive pairs whose claims on either side number at
    most ``FIGURE_BLOCK_CLAIMS`` and that number at most ``FIGURE_BLOCK_PAIRS`` (or one
    first claim's, if more): each block's claims (sorted) and pairs. All pairs of one pair
    of claims share their first claim (a claim's mentions are numbered together), so they
    fall in one block."""
    if not len(pairs):
        return
    cx, cy = claim[pairs[:, 0]], claim[pairs[:, 1]]
    bounds = [0, *(np.flatnonzero(np.diff(cx)) + 1).tolist(), len(pairs)]
    held: set[int] = set()
    first = 0
    for lo, hi in itertools.pairwise(bounds):
        claims = {int(cx[lo]), *cy[lo:hi].tolist()}
        new = claims - held
        if held and (len(held) + len(new) > FIGURE_BLOCK_CLAIMS or hi - first > FIGURE_BLOCK_PAIRS):
            yield sorted(held), pairs[first:lo]  # held: the claims of pairs[first:lo]
            held, first, new = set(), lo, claims
        held |= new
    yield sorted(held), pairs[first:]


def _figure_mentions(
    store: Store,
    ids: Sequence[str],
    states: Mapping[str, str | None],
    published: Mapping,
    *,
    keep: bool = True,
) -> list[tuple]:
    """The figure mentions of the claims ``ids`` (in that order; a claim not stored gives
    none): from the per-process cache by the claim's stored state, else read from the store
    ``FIGURE_READ_CLAIMS`` at a time (a claim's figure mentions are read from it and its own
    articles alone: memory holds one batch's claims, time expressions, names and texts) and
    kept, least recently used out first; with ``keep`` false the cache is read but not
    changed (neither what it holds nor its order)."""
    from newsweave.claims import IndexedMentions, figure_mentions

    unread = [cid for cid in ids if states[cid] is None or (cid, states[cid]) not in _FIGURES]
    read: dict[str, tuple] = {}
    for b in range(0, len(unread), FIGURE_READ_CLAIMS):
        claims = claims_store.load_claims_in_order(store, unread[b : b + FIGURE_READ_CLAIMS])
        # the time expressions of every article an unread claim cites
        arts = sorted({a for c in claims for a in c.articles})
        times = {a: time_store.time_refs(store, a) for a in arts}
        # the nlp stage's names in those articles: whose figure each is
        names = IndexedMentions({a: nlp_store.mentions_of(store, a) for a in arts})
        # and their texts: the words before a mention say what its "it" is
        texts = {a: art.text for a in arts if (art := store.article(a)) is not None}
        read.update(
            (c.id, tuple(figure_mentions([c], published, times, names, texts))) for c in claims
        )
    out: list[tuple] = []
    for cid in ids:
        key = (cid, states[cid])
        if cid in read:
            out.append(read[cid])
            if keep and key[1] is not None:
                # set without trimming until all are answered: a claim found held above
                # must still be held when its turn comes
                _FIGURES[key] = read[cid]
        elif key in _FIGURES:
            out.append(_FIGURES.held(key) if keep else _FIGURES[key])
    _FIGURES.trim()
    return out


register_step(
    "claims",
    run_claims,
    requires=("articles", "sentence_spans", "source_groups", "copy_links", "mentions", "events"),
    assigns=("claims", "contradictions"),
    settings="claims",
)
