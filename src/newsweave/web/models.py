"""Response and request shapes, for the OpenAPI schema and for validating ingest input.

Read responses are documented with these models but not re-validated per request (the data
comes from our own export sections; validating it again would only cost latency). Models
allow extra keys because later stages may add fields to their sections.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from newsweave.ingest import MAX_ARTICLE_CHARS


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorEnvelope(BaseModel):
    """Every failure, whatever its cause: 400, 401, 403, 404, 405, 413, 422, 500."""

    ok: Literal[False] = False
    error: str = Field(description="What went wrong, in one line.")
    status: int = Field(description="The HTTP status code, repeated for clients that lose it.")


class ArticleSummary(Open):
    id: str
    source_path: str
    title: str | None
    outlet: str | None
    agency: str | None
    dateline: str | None
    published: str | None = Field(description="ISO date or null")
    url: str | None
    words: int
    lead: str = Field(description="The first ~220 characters of the text.")
    snippet: str | None = Field(
        default=None, description="Search hits only: the match, terms wrapped in [ ]."
    )


class Highlight(BaseModel):
    start: int
    end: int
    group: str | None = None
    kind: str | None = None


class ArticleDetail(ArticleSummary):
    text: str
    evidence: list[dict]
    removed: list[str]
    highlights: list[Highlight] = Field(description="Reused passages in this text.")
    copies: list[dict]
    events: list[dict]
    entities: list[dict]


class Page(Open):
    ok: Literal[True] = True
    total: int
    limit: int
    offset: int
    items: list[dict]


class ArticlePage(Page):
    items: list[ArticleSummary]  # type: ignore[assignment]


class Item(Open):
    ok: Literal[True] = True
    item: dict


class ArticleItem(Item):
    item: ArticleDetail  # type: ignore[assignment]


class CompareResult(Open):
    ok: Literal[True] = True
    a: ArticleDetail
    b: ArticleDetail
    shared: list[dict] = Field(description="Copy groups holding both articles.")


class Meta(Open):
    ok: Literal[True] = True
    name: str
    version: str
    articles: int
    sections: dict[str, int]
    problems: dict[str, str]
    outlets: list[dict]
    writes_enabled: bool
    other_sections: list[str] = Field(
        default_factory=list, description="Export sections served raw at /api/sections/{name}."
    )
    export_formats: list[str] = Field(
        default_factory=list, description="Formats /api/export serves (the format registry)."
    )


class IngestArticle(BaseModel):
    """One article posted as JSON (news-please field names are accepted by the file reader;
    here the canonical names are used)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_ARTICLE_CHARS)  # one article (no parts)
    title: str | None = Field(default=None, max_length=2_000)
    url: str | None = Field(default=None, max_length=4_000)
    published: str | None = Field(default=None, max_length=64, description="ISO date")
    outlet: str | None = Field(default=None, max_length=200)
    agency: str | None = Field(default=None, max_length=200)
    dateline: str | None = Field(default=None, max_length=200)


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[IngestArticle] = Field(min_length=1, max_length=5_000)


class IngestResult(BaseModel):
    ok: Literal[True] = True
    files: int
    new: int
    existing: int
    skipped: list[str]
    ids: list[str] = Field(description="Ids of the articles this request added.")
    analyzed: list[str] = Field(description="Derived stages run afterwards.")
