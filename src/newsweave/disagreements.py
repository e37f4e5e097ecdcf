"""The disagreements read model: contested claim pairs grouped into disagreements.

The claims stage stores one :class:`~newsweave.records.Contradiction` per pair of claims
that fill one slot with incompatible values. One revised figure ("1,000 barrels a day" in
April, "5,000" a week later) is reported by dozens of articles, so it makes dozens of pairs.
A reader wants it once: this module groups the pairs into :class:`Disagreement` records, and
every listing (``newsweave claims --status contested``, :meth:`Newsweave.disagreements`, the
``disagreements`` export section and HTTP endpoint, the brief's "Where sources disagree")
reads them from here.

How pairs are grouped: each side of a pair is a value node — its slot kind, what the value
measures (for a number: its unit and, where the words say, the happening and thing measured)
and the value normalised (``about 5,000`` and ``some 5,000`` are one value, ``$3.12 bn`` is
3.12e9 USD; other kinds compare their words). A pair joins its two nodes, so pairs with the
same two values, and pairs that share a side (a claim contested by several others), chain
into one disagreement. Its sides are its distinct values, in order of first publication.
Pure functions over records plus one reader over the store's loaders; no SQL here.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence

from newsweave.claim_slots import SLOT_TITLES, NumberSlot, SlotContext
from newsweave.copies import singleton_source_group
from newsweave.disjoint_sets import UnionFind
from newsweave.records import (
    Article,
    CitedSentence,
    Claim,
    Contradiction,
    Disagreement,
    DisagreementSide,
)
from newsweave.store import ArticleFilter, Store
from newsweave.store import claims as claims_store
from newsweave.store import copies as copies_store

_NUMBER = NumberSlot()


def value_node(kind: str, label: str, claim: Claim | None) -> tuple[str, ...]:
    """The normalised value a side gives: (kind, what it measures, value). A number is read
    again from its claim's text to get its unit and base value; anything else (or a number
    not found again) is its words, lower-cased, without approximators."""
    if kind == "number" and claim is not None:
        for text in (claim.text, *claim.texts):
            for q in _NUMBER.extract(text, SlotContext()):
                if q.text == label:
                    return (kind, q.unit, q.act, q.thing, f"{q.value:.3g}")
    words = re.sub(
        r"^(?:about|around|some|nearly|almost|roughly|approximately|at least|more than|"
        r"over|up to|less than|as many as)\s+",
        "",
        " ".join(label.lower().split()),
    )
    return (kind, "", "", "", words.replace(",", ""))


def outlet_name(article: Article) -> str:
    """Who reports it, as the web page names them: the outlet, else the agency, else the id."""
    return article.outlet or article.agency or f"article {article.id[:10]}"


def group_disagreements(
    contradictions: Sequence[Contradiction],
    claims: Mapping[str, Claim],
    articles: Mapping[str, Article],
    source_groups: Mapping[str, str],
) -> list[Disagreement]:
    """Group contested pairs into disagreements (see the module doc), most supported first:
    by the independent sources of the least-supported of its two best-supported sides, then
    by all its sources, then by pairs. Pairs with a claim not in ``claims`` are left out."""
    # per pair: its two value nodes
    nodes: list[tuple[Contradiction, tuple, tuple]] = []
    for x in contradictions:
        a, b = claims.get(x.a), claims.get(x.b)
        if a is None or b is None:
            continue
        # pairs sharing a side (one claim's value) share its value node, so they chain
        nodes.append((x, value_node(x.kind, x.value_a, a), value_node(x.kind, x.value_b, b)))
    index: dict[tuple, int] = {}
    for _, va, vb in nodes:
        index.setdefault(va, len(index))
        index.setdefault(vb, len(index))
    union = UnionFind(len(index))
    for _, va, vb in nodes:
        union.union(index[va], index[vb])
    groups: dict[int, list[tuple[Contradiction, tuple, tuple]]] = {}
    for item in nodes:
        groups.setdefault(union.find(index[item[1]]), []).append(item)
    out = [_disagreement(items, claims, articles, source_groups) for items in groups.values()]
    out.sort(key=lambda d: (-support(d), -sum(s.sources for s in d.sides), -d.pairs, d.id))
    return out


def support(d: Disagreement) -> int:
    """Independent sources on the weaker of its two best-supported sides."""
    best = sorted((s.sources for s in d.sides), reverse=True)
    return best[1] if len(best) > 1 else 0


def _disagreement(
    items: list[tuple[Contradiction, tuple, tuple]],
    claims: Mapping[str, Claim],
    articles: Mapping[str, Article],
    source_groups: Mapping[str, str],
) -> Disagreement:
    # a side is one normalised value (its last element) of one measure
    side_claims: dict[tuple, dict[str, str]] = {}  # (unit, value) -> claim id -> label
    for x, va, vb in items:
        side_claims.setdefault((va[1], va[-1]), {})[x.a] = x.value_a
        side_claims.setdefault((vb[1], vb[-1]), {})[x.b] = x.value_b

    def first_day(claim_id: str) -> str:
        days = [articles[a].published or "9999" for a in claims[claim_id].articles if a in articles]
        return min(days, default="9999")

    sides = []
    for labels in side_claims.values():
        ids = sorted(labels, key=lambda c: (first_day(c), c))  # first reported first
        arts = sorted({a for c in ids for a in claims[c].articles})
        known = [articles[a] for a in arts if a in articles]
        known.sort(key=lambda a: (a.published or "9999", a.id))
        sides.append(
            DisagreementSide(
                value=labels[ids[0]],
                claims=tuple(ids),
                articles=tuple(arts),
                outlets=tuple(dict.fromkeys(outlet_name(a) for a in known)),
                published=tuple(sorted({a.published[:10] for a in known if a.published})),
                sources=len({source_groups.get(a) or singleton_source_group(a) for a in arts}),
            )
        )
    sides.sort(key=lambda s: (s.published[:1] or ("9999",), -s.sources, s.value))
    pairs = tuple(sorted({(x.a, x.b) for x, _, _ in items}))
    updates = sum(1 for x, _, _ in items if x.relation == "update")
    digest = hashlib.sha1("\n".join(f"{a} {b}" for a, b in pairs).encode()).hexdigest()
    return Disagreement(
        id="dis_" + digest[:12],
        kind=items[0][0].kind,
        relation="update" if 2 * updates > len(items) else "contradiction",
        sides=tuple(sides),
        pairs=len(items),
        updates=updates,
        contradictions=pairs,
    )


def top_two(d: Disagreement) -> tuple[DisagreementSide, DisagreementSide]:
    """Its two best-supported sides, in order of first publication (``a`` and ``b`` of the
    one-pair listing it replaces)."""
    best = sorted(d.sides, key=lambda s: (-s.sources, -len(s.articles), s.value))[:2]
    best.sort(key=lambda s: d.sides.index(s))
    return best[0], best[1]


#: values a one-line rendering names (the best supported, in order of first report)
MAX_VALUES = 5


def shown_sides(d: Disagreement, most: int = MAX_VALUES) -> list[DisagreementSide]:
    """At most ``most`` sides: the best supported (the two of :func:`top_two` first), in
    order of first report."""
    keep = list(top_two(d))
    rest = sorted(
        (s for s in d.sides if s not in keep), key=lambda s: (-s.sources, -len(s.articles))
    )
    keep += rest[: max(0, most - 2)]
    return sorted(keep, key=d.sides.index)


def read_disagreements(
    store: Store, *, event: str | None = None, article: str | None = None
) -> list[Disagreement]:
    """The store's disagreements (of ``event``'s claims; with a side in ``article``, a full
    id), most supported first."""
    contradictions = claims_store.load_contradictions(store, event=event)
    ids = sorted({i for x in contradictions for i in (x.a, x.b)})
    claims = {c.id: c for c in claims_store.load_claims_in_order(store, ids)}
    art_ids = tuple(sorted({a for c in claims.values() for a in c.articles}))
    articles = {a.id: a for a in store.articles(ArticleFilter(ids=art_ids))} if art_ids else {}
    found = group_disagreements(contradictions, claims, articles, copies_store.source_groups(store))
    if article is not None:
        found = [d for d in found if any(article in s.articles for s in d.sides)]
    return found


def in_articles(found: Iterable[Disagreement], articles: Iterable[str]) -> list[Disagreement]:
    """Those with a side in one of ``articles`` (a story's), in the order given."""
    wanted = set(articles)
    return [d for d in found if any(wanted.intersection(s.articles) for s in d.sides)]


def brief_lines(d: Disagreement, claims: Mapping[str, Claim]) -> list[CitedSentence]:
    """Two cited lines for a brief: the question with its kind and each value in order, then
    the two best-supported sides quoted, each citing its side's articles."""
    a, b = top_two(d)
    label = SLOT_TITLES.get(d.kind, d.kind.title())
    label += " (updated in later reports)" if d.relation == "update" else ""
    values = (" → " if d.relation == "update" else " vs ").join(s.value for s in shown_sides(d))
    if len(d.sides) > MAX_VALUES:
        values += f" (+{len(d.sides) - MAX_VALUES} more values)"
    many = f"; {d.pairs} contested pairs" if d.pairs > 1 else ""
    lines = []
    for i, side in enumerate((a, b)):
        claim = claims.get(side.claims[0])
        quote = _quote(claim, side) if claim is not None else f"*{side.value}*"
        head = f"**{label}** — {values}{many}. " if i == 0 else "… versus "
        spans = tuple(claim.spans) if claim is not None else ()
        lines.append(CitedSentence(head + quote, side.articles, spans))
    return lines


def _quote(claim: Claim, side: DisagreementSide) -> str:
    who = f" — {claim.attribution}" if claim.attribution else ""
    hedge = " *(hedged)*" if claim.hedged else ""
    return f"*{side.value}*: “{claim.text}”{who}{hedge}"
