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
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TextIO

from newsweave import attention, disagreements, export, formats, pipeline, searches
from newsweave.brief import independent_sources as count_independent_sources
from newsweave.brief import largest_stories
from newsweave.claims import STATUSES
from newsweave.copies import singleton_source_group
from newsweave.errors import NewsweaveError
from newsweave.formats import markdown
from newsweave.ingest.fetch import Fetcher, FetchPolicy
from newsweave.pipeline import IngestReport, ProgressCallback
from newsweave.records import (
    Alert,
    Article,
    Claim,
    Contradiction,
    CopyGroup,
    CopyLink,
    DatedSentence,
    DayCount,
    Disagreement,
    Entity,
    Event,
    Mention,
    OutletCoverage,
    SavedSearch,
    Story,
    TimelineEntry,
    TimeRef,
)
from newsweave.runners import Runner
from newsweave.settings import Settings, load_settings
from newsweave.store import ArticleFilter, Store
from newsweave.store import claims as claims_store
from newsweave.store import copies as copies_store
from newsweave.store import group as group_store
from newsweave.store import nlp as nlp_store
from newsweave.store import settings as settings_store
from newsweave.store import sources as sources_store
from newsweave.store import time as time_store
from newsweave.store.settings import StageSettingsUsed
from newsweave.store.sources import Outlet


class Newsweave:
    """A newsweave store and everything you can ask of it."""

    def __init__(
        self,
        db: str | Path | None = None,
        *,
        read_only: bool = False,
        settings: Settings | Iterable[str] | Mapping[str, Mapping[str, object]] | None = None,
    ) -> None:
        """Open (or create) the store ``db``.

        ``settings``: the stage settings to run with — a :class:`~newsweave.settings.Settings`,
        or overrides (``"stage.key=value"`` strings or ``{stage: {key: value}}``) applied on
        top of the packaged defaults and ``newsweave.toml`` beside the store. Validated when
        first needed (:attr:`settings`); a bad value is a one-line ``StageError``.
        """
        self.db = str(db) if db is not None else pipeline.default_db_path()
        self.store = Store(self.db, read_only=read_only)
        self._settings = settings

    @property
    def settings(self) -> Settings:
        """The stage settings in effect (defaults, ``newsweave.toml``, then overrides)."""
        if not isinstance(self._settings, Settings):
            self._settings = load_settings(self.db, self._settings or ())
        return self._settings

    def used_settings(self) -> list[StageSettingsUsed]:
        """The settings each stage ran with over this store (what produced its results)."""
        return settings_store.used_settings(self.store)

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
        fetch_policy: FetchPolicy | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> IngestReport:
        """Read, clean and store articles from files, folders and globs, and from addresses
        (``http(s)://`` pages, RSS/Atom feeds, sitemaps, or a sources file of one address a
        line); then (by default) run the derived stages over the store. Idempotent and
        resumable.

        ``runner`` (see :func:`newsweave.runners.make_runner`) runs the pure work elsewhere,
        e.g. on a Dask cluster; the store is still written by this process alone.
        ``fetch_policy`` says how politely to fetch addresses (delay, timeout, retries ...);
        ``stop`` is asked between fetches and ends the fetching early when it returns True."""
        report = pipeline.ingest_paths(
            self.store,
            [str(p) for p in paths],
            batch_size=batch_size,
            progress=progress,
            runner=runner,
            fetcher=Fetcher(fetch_policy),
            stop=stop,
        )
        if analyze:
            self.analyze(runner=runner)
        return report

    def analyze(
        self,
        only: Iterable[str] | None = None,
        *,
        runner: Runner | None = None,
        on_step: pipeline.StepCallback | None = None,
        on_problem: pipeline.ProblemCallback | None = None,
    ) -> list[str]:
        """Run the derived stages (copies, entities, time, events, claims) incrementally,
        with :attr:`settings`; ``on_step(name, number, total)`` hears as each stage starts;
        ``on_problem`` hears of each article a stage skipped (one InputError each)."""
        return pipeline.analyze(
            self.store,
            only=only,
            runner=runner,
            on_step=on_step,
            on_problem=on_problem,
            settings=self.settings,
        )

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

    def iter_articles(self) -> Iterator[Article]:
        """Every article in ingest order, streamed (memory does not grow with the store)."""
        return self.store.iter_articles()

    def article(self, article_id: str) -> Article | None:
        """One article by id or unique id prefix."""
        return self.store.article(article_id)

    def search(self, query: str, limit: int = 20) -> list[tuple[Article, str]]:
        """Full-text search over titles and texts: (article, snippet) best first."""
        return self.store.search(query, limit=limit)

    def count(self) -> int:
        return self.store.article_count()

    # ------------------------------------------------------------------ time

    def time_refs(
        self,
        article_id: str | None = None,
        *,
        since: str | None = None,
        until: str | None = None,
    ) -> list[TimeRef]:
        """Normalised time expressions (TIMEX3 values), of one article (id or unique
        prefix) or all, optionally only those whose value falls in ``since``..``until``."""

        if article_id is not None:
            article_id = self._article_id(article_id)
        return time_store.time_refs(self.store, article_id, since=since, until=until)

    def dated_sentences(
        self, article_id: str | None = None, *, anchored_only: bool = False
    ) -> list[DatedSentence]:
        """Each sentence with the date it talks about (``anchored`` when the date is
        written in the sentence itself)."""

        if article_id is not None:
            article_id = self._article_id(article_id)
        return time_store.dated_sentences(self.store, article_id, anchored_only=anchored_only)

    # ------------------------------------------------------------------ entities

    def entities(
        self,
        *,
        type: str | None = None,  # noqa: A002 - the record's field name
        name: str | None = None,
        article: str | None = None,
        min_articles: int = 1,
        limit: int | None = None,
    ) -> list[Entity]:
        """Resolved entities (people, organisations, places, products ...), most widely
        reported first. ``name`` matches the name or any alias (substring, any case);
        ``article`` (id or unique prefix) keeps those mentioned in that article."""

        if article is not None:
            article = self._article_id(article)
        return nlp_store.entities(
            self.store,
            type=type,
            name=name,
            article=article,
            min_articles=min_articles,
            limit=limit,
        )

    def entity(self, entity_id: str) -> Entity | None:
        """One entity by id (or unique id prefix)."""

        return nlp_store.entity(self.store, entity_id)

    def mentions(
        self, article_id: str | None = None, *, entity_id: str | None = None
    ) -> list[Mention]:
        """Entity mentions with offsets into ``Article.text``: of one article (id or unique
        prefix), or of one entity (its provenance)."""

        if entity_id is not None:
            found = nlp_store.entity(self.store, entity_id)
            if found is None:
                raise NewsweaveError(f"no entity with id or unique id prefix {entity_id!r}")
            return nlp_store.entity_mentions(self.store, found.id)
        if article_id is None:
            return nlp_store.all_mentions(self.store)
        return nlp_store.mentions_of(self.store, self._article_id(article_id))

    def _article_id(self, article_id: str) -> str:
        article = self.store.article(article_id)
        if article is None:
            raise NewsweaveError(f"no article with id or unique id prefix {article_id!r}")
        return article.id

    # ------------------------------------------------------------------ events and stories

    def events(self, *, story: str | None = None) -> list[Event]:
        """Events (articles about one happening) in date order; only one story's if given."""

        events = group_store.load_events(self.store)
        if story is not None:
            sid = self._story_id(story)
            events = [e for e in events if e.story == sid]
        return events

    def stories(self) -> list[Story]:
        """Stories (threads of events over time), largest first."""

        return largest_stories(group_store.load_stories(self.store))

    def timeline(self, story: str | None = None) -> list[TimelineEntry]:
        """Dated timeline entries (reported / scheduled / background), per story by date."""

        return group_store.load_timeline(
            self.store, self._story_id(story) if story is not None else None
        )

    def brief(
        self, story: str | None = None, *, max_stories: int | None = None, detail: bool = False
    ) -> str:
        """The Markdown briefing: stories -> events -> timeline -> summary, with numbered
        citations to outlet and date. Every sentence in it is quoted from an article.
        Bounded for a busy reader unless ``detail`` (or one ``story`` is asked for)."""
        sid = self._story_id(story) if story is not None else None
        return markdown.brief(self.store, sid, max_stories=max_stories, detail=detail)

    # ------------------------------------------------------------------ claims

    def claims(
        self,
        *,
        status: str | None = None,
        event: str | None = None,
        article: str | None = None,
        limit: int | None = None,
    ) -> list[Claim]:
        """Claims (who says what), each with its attribution, hedging, articles, number of
        independent sources and status (``corroborated`` / ``single-source`` /
        ``contested``); filter by status, event, or article (id or unique prefix)."""

        if status is not None and status not in STATUSES:
            raise NewsweaveError(
                f"unknown claim status {status!r}; use one of: {', '.join(STATUSES)}"
            )
        if article is not None:
            article = self._article_id(article)
        return claims_store.load_claims(
            self.store, status=status, event=event, article=article, limit=limit
        )

    def claim(self, claim_id: str) -> Claim | None:
        """One claim by id (or unique id prefix)."""

        found = claims_store.load_claims(self.store, ids=[claim_id])
        if not found and len(claim_id) >= 4:
            found = [c for c in claims_store.load_claims(self.store) if c.id.startswith(claim_id)]
        return found[0] if len(found) == 1 else None

    def contradictions(self, *, event: str | None = None) -> list[Contradiction]:
        """Pairs of claims that fill one slot (place, number, date, status, polarity) with
        incompatible values, each with both values."""

        return claims_store.load_contradictions(self.store, event=event)

    def disagreements(
        self, *, event: str | None = None, article: str | None = None, limit: int | None = None
    ) -> list[Disagreement]:
        """Contested pairs grouped into disagreements (one revised figure once, not once per
        pair of articles), most supported first: each with its slot kind, contradiction or
        update, its sides (value, claims, articles, outlets, days, witnesses and origins)
        and the number of pairs behind it. Filter by article (id or unique prefix), or ask
        for one event's: the pairs with a claim in that event, grouped among themselves (its
        page's "Where sources disagree"; :func:`newsweave.disagreements.by_event`)."""

        if article is not None:
            article = self._article_id(article)
        found = disagreements.read_disagreements(self.store, event=event, article=article)
        return found if limit is None else found[:limit]

    def event_disagreements(self) -> dict[str, list[Disagreement]]:
        """Every event's disagreements by event id: for each event, what
        :meth:`disagreements` gives with ``event`` (events without any are left out)."""

        return disagreements.read_by_event(self.store)

    def _story_id(self, story: str) -> str:

        ids = [s.id for s in group_store.load_stories(self.store)]
        matches = [i for i in ids if i == story or i.startswith(story)]
        if len(matches) != 1:
            raise NewsweaveError(f"no story with id or unique id prefix {story!r}")
        return matches[0]

    # ------------------------------------------------------------------ copies

    def copy_groups(
        self, *, kind: str | None = None, article: str | None = None
    ) -> list[CopyGroup]:
        """Groups of copies: ``near-duplicate`` (one text republished) and ``shared-passage``
        (different reports reusing passages), with the passage spans of each member;
        only those of one ``kind`` or holding one ``article`` (id or unique prefix)."""

        if article is not None:
            article = self._article_id(article)
        return copies_store.copy_groups(self.store, kind=kind, article=article)

    def copy_links(self, article: str | None = None, *, kind: str | None = None) -> list[CopyLink]:
        """Verified pairwise copy links with aligned passages (``a``-side, ``b``-side spans),
        all or those of one article (id or unique prefix)."""

        if article is not None:
            article = self._article_id(article)
        return copies_store.copy_links(self.store, article=article, kind=kind)

    def copy_link_details(
        self, article: str | None = None, *, kind: str | None = None
    ) -> list[tuple[CopyLink, dict]]:
        """:meth:`copy_links` with their evidence: exact ``jaccard`` and ``containment`` of
        the shingle sets, ``reused_a``/``reused_b`` (share of each text inside the passages)
        and ``same_source`` (whether the pair counts as one source)."""

        if article is not None:
            article = self._article_id(article)
        return copies_store.link_rows(self.store, article=article, kind=kind)

    def source_group(self, article_id: str) -> str:
        """The independent source group of an article (id or unique prefix)."""

        aid = self._article_id(article_id)
        return copies_store.source_group_of(self.store, aid) or singleton_source_group(aid)

    def source_groups(self) -> dict[str, str]:
        """article id -> independent source group, for every analysed article."""

        return copies_store.source_groups(self.store)

    def independent_sources(self, article_ids: Iterable[str]) -> int:
        """How many independent sources these articles (ids or unique prefixes) are: the
        articles of one outlet count once, and so do copies of one text across outlets
        (:func:`newsweave.brief.independent_sources`, the count every front end shows)."""
        ids = list(dict.fromkeys(self._article_id(a) for a in article_ids))
        articles = {a.id: a for a in self.articles(ids=ids)}
        return count_independent_sources(ids, articles, self.source_groups())

    # ------------------------------------------------------------------ searches and alerts

    def find(self, query: str, *, limit: int | None = None) -> list[Article]:
        """Articles matching a query, newest first. Words and "phrases" are full-text terms;
        ``entity:NAME`` (any alias), ``outlet:NAME`` (or a domain), ``since:``/``until:``
        (ISO dates) filter. Example: ``'arms entity:Shoigu outlet:"The Hindu" since:2020'``."""
        return searches.find(self.store, query, limit=limit)

    def save_search(self, name: str, query: str) -> SavedSearch:
        """Save (or replace) a named search; :meth:`alerts` then reports what it matches
        among articles stored from now on."""
        return searches.save(self.store, name, query)

    def saved_searches(self) -> list[SavedSearch]:
        return sources_store.saved_searches(self.store)

    def delete_search(self, name: str) -> None:
        searches.saved(self.store, name)
        sources_store.delete_search(self.store, name)

    def alerts(self, name: str | None = None, *, mark: bool = True) -> list[Alert]:
        """What each saved search (or the named one) matched since its last check; with
        ``mark`` (default) the next call reports only what arrives after this one."""
        return searches.alerts(self.store, name, mark=mark)

    # ------------------------------------------------------------------ attention and coverage

    def attention(
        self,
        *,
        story: str | None = None,
        entity: str | None = None,
        outlet: str | None = None,
        search: str | None = None,
    ) -> list[DayCount]:
        """Articles per publication day for one story (id or prefix), entity (id, name or
        any alias), outlet (name) or saved search (name); zero days included."""
        return attention.per_day(
            self.store, story=story, entity=entity, outlet=outlet, search=search
        )

    def coverage(self, story: str) -> list[OutletCoverage]:
        """Per story: the outlets covering it (``covers``) and those that report on its main
        entities elsewhere but not in it (``blind-spot``)."""
        return attention.coverage(self.store, story)

    # ------------------------------------------------------------------ outlet registry

    def outlets(self) -> list[Outlet]:
        """The outlet registry: domain -> name, country, language (and where it came from)."""
        return sources_store.outlets(self.store)

    def set_outlet(
        self,
        domain: str,
        name: str,
        *,
        country: str | None = None,
        language: str | None = None,
    ) -> Outlet:
        """Name a domain's outlet yourself; pages from it ingested afterwards carry it."""
        domain = domain.strip().lower().removeprefix("www.")
        if not domain or "/" in domain or " " in domain:
            raise NewsweaveError(f"bad domain {domain!r}: give a host name like bbc.co.uk")
        if not name.strip():
            raise NewsweaveError("an outlet needs a name")
        sources_store.set_outlet(
            self.store,
            Outlet(domain, name.strip(), country.upper() if country else None, language),
        )
        found = sources_store.outlet(self.store, domain)
        assert found is not None
        return found

    def remove_outlet(self, domain: str) -> None:
        if not sources_store.remove_outlet(self.store, domain.strip().lower()):
            raise NewsweaveError(f"no outlet registered for domain {domain!r}")

    # ------------------------------------------------------------------ exports

    def export(self) -> dict:
        """The store as one JSON-able object (the ``export --format json`` contract)."""
        return export.export_json(self.store)

    def export_section(self, name: str) -> list[dict] | None:
        """One section of :meth:`export` (``None`` when there is no such section)."""
        return export.section(self.store, name) if name in export.SECTIONS else None

    def export_text(self, fmt: str) -> str:
        """The store in one of :data:`newsweave.formats.FORMATS`, as text."""
        out = io.StringIO()
        self.write_export(fmt, out)
        return out.getvalue()

    def write_export(self, fmt: str, out: TextIO) -> None:
        """Stream an export to ``out`` (jsonl and csv stay in bounded memory)."""
        formats.get(fmt).write(self.store, out)


def open(db: str | Path | None = None, *, read_only: bool = False) -> Newsweave:  # noqa: A001
    """Open (or create) a newsweave store. ``db`` defaults to $NEWSWEAVE_DB or newsweave.db."""
    return Newsweave(db, read_only=read_only)
