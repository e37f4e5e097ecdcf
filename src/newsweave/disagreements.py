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

from newsweave.brief import Published, independent_sources
from newsweave.claim_slots import HUMAN, SLOT_TITLES, SlotContext, slot_values, stated_figure
from newsweave.claims import one_name_each
from newsweave.disjoint_sets import UnionFind
from newsweave.records import (
    Article,
    CitedSentence,
    Claim,
    Contradiction,
    Disagreement,
    DisagreementSide,
    Story,
)
from newsweave.store import ArticleFilter, Store
from newsweave.store import claims as claims_store
from newsweave.store import copies as copies_store

#: a node: (kind, unit, act, thing, side, value) — see :func:`value_node`; side: which side of
#: a size ("long", "wide"), or the named place a distance is from ("from pensacola")
Node = tuple[str, ...]


def read_figure(kind: str, label: str, claim: Claim | None) -> tuple[Node, str, float | None]:
    """The value a side gives, three ways: its node (:func:`value_node`), the words its
    claim's article gives it with (:func:`~newsweave.claim_slots.stated_figure`) and, for a
    figure, its value in its unit's base unit."""
    if kind == "number" and claim is not None:
        for text in (claim.text, *claim.texts):
            same = [q for q in slot_values("number", text, SlotContext()) if q.text == label]
            if same:
                q = same[0]
                # which side of a size it gives (a slick's width is no step of its length);
                # unread when the text gives the label twice as two sides ("20 miles by 20
                # miles"): which of them the pair was about is not known here
                side = q.side if all(x.side == q.side for x in same) else ""
                if q.reference and q.thing != "rig":
                    # how far a moving thing is from one named place is no step of how far
                    # it is from another ("nine miles off Louisiana", "nine miles from
                    # Pensacola"), though the claims stage pairs each with its own
                    side = "from " + " ".join(sorted(q.reference))
                node = (kind, q.unit, q.act, q.thing, side, f"{q.value:.3g}")
                return node, stated_figure(text, label), q.value
    words = re.sub(
        r"^(?:about|around|some|nearly|almost|roughly|approximately|at least|more than|"
        r"over|up to|less than|as many as)\s+",
        "",
        " ".join(label.lower().split()),
    )
    return (kind, "", "", "", "", words.replace(",", "")), label, None


def _with_side(read: tuple[Node, str, float | None], side: str) -> tuple[Node, str, float | None]:
    node, stated, value = read
    return (*node[:4], side, *node[5:]), stated, value


def value_node(kind: str, label: str, claim: Claim | None) -> Node:
    """The normalised value a side gives: (kind, what it measures, value). A number is read
    again from its claim's text to get its unit and base value; anything else (or a number
    not found again) is its words, lower-cased, without approximators."""
    return read_figure(kind, label, claim)[0]


def outlet_name(article: Article) -> str:
    """Who reports it, as the web page names them: the outlet, else the agency, else the id."""
    return article.outlet or article.agency or f"article {article.id[:10]}"


#: A value this many times above or below every other value of its chain is no revision of
#: them: a figure the claims stage read as the same measure though it is another (a $75m
#: statutory limit beside a $3.12bn cost). Each of its pairs is listed as a disagreement of
#: its own (the stray against one value), not chained into the others' revision.
STRAY_FACTOR = 20.0


def group_disagreements(
    contradictions: Sequence[Contradiction],
    claims: Mapping[str, Claim],
    articles: Mapping[str, Article],
    source_groups: Mapping[str, str],
) -> list[Disagreement]:
    """Group contested pairs into disagreements (see the module doc), most supported first:
    by the witnesses of the least-supported of its two best-supported sides, then by all
    their witnesses, then by pairs. Pairs with a claim not in ``claims`` are left out."""
    # per pair: its two sides read (value node, stated words, normalised value)
    items: list[_Pair] = []
    for x in contradictions:
        a, b = claims.get(x.a), claims.get(x.b)
        if a is None or b is None:
            continue
        # pairs sharing a side (one claim's value) share its value node, so they chain
        ra, rb = read_figure(x.kind, x.value_a, a), read_figure(x.kind, x.value_b, b)
        if bool(ra[0][4]) != bool(rb[0][4]):
            # two figures of a pair give one side of a size (the claims stage pairs no width
            # with a length): a figure whose side its words leave unread takes its partner's
            side = ra[0][4] or rb[0][4]
            ra, rb = (_with_side(r, side) for r in (ra, rb))
        items.append((x, ra, rb))
    items = _acts_read_elsewhere(items)
    out = []
    for group, stray in _chains(items):
        out.append(_disagreement(group, claims, articles, source_groups, stray=stray))
    out.sort(key=lambda d: (-support(d), -sum(s.witnesses for s in d.sides), -d.pairs, d.id))
    return out


_Read = tuple[Node, str, float | None]


def _acts_read_elsewhere(items: list[_Pair]) -> list[_Pair]:
    """A value whose words leave its happening unread ("the cost of the spill had reached
    $3.12 billion") takes the happening of the one same value read elsewhere ("has so far
    cost BP a total of $3.12 bn"), so the two are one node and the chains they are in are
    one; a value read with two happenings elsewhere stays as it is."""
    acts: dict[Node, set[str]] = {}
    for _, (va, _, _), (vb, _, _) in items:
        for n in (va, vb):
            if n[2]:
                acts.setdefault((*n[:2], *n[3:]), set()).add(n[2])

    def read(r: _Read) -> _Read:
        node = r[0]
        found = acts.get((*node[:2], *node[3:]), set()) if not node[2] else set()
        if len(found) != 1:
            return r
        return (*node[:2], *found, *node[3:]), r[1], r[2]

    return [(x, read(ra), read(rb)) for x, ra, rb in items]


_Pair = tuple[Contradiction, _Read, _Read]


def _chains(items: Sequence[_Pair]) -> list[tuple[list[_Pair], bool]]:
    """Pairs joined where they share a value node, of one measure: two nodes whose
    happenings (or things) are both read and differ never chain through a third that reads
    neither; a stray value (:data:`STRAY_FACTOR`) is split off with its own pairs (each
    such group is marked True)."""
    found: list[tuple[list[_Pair], bool]] = []
    for chain in _connected(items):
        strays = _strays(chain)
        if not strays:
            found.append((chain, False))
            continue
        # a stray's pairs stand apart, one disagreement per two values: listed with the
        # values it was paired with it would read as a revision of them, or they of it
        own: dict[tuple[Node, Node], list[_Pair]] = {}
        rest, apart = [], []
        for item in chain:
            keys = (_side_key(item[1][0]), _side_key(item[2][0]))
            if strays.issuperset(keys):  # two strays: a chain of their own, apart
                apart.append(item)
            elif strays.intersection(keys):
                own.setdefault(tuple(sorted(keys)), []).append(item)  # type: ignore[arg-type]
            else:
                rest.append(item)
        found.extend((group, True) for group in own.values())
        found.extend((group, True) for group in _connected(apart))
        found.extend((group, False) for group in _connected(rest))
    return found


def _side_key(node: Node) -> Node:
    """A side of a disagreement: one normalised value of one unit (whatever of its happening
    and thing each claim's words read)."""
    return (node[1], node[-1])


def _connected(items: Sequence[_Pair]) -> list[list[_Pair]]:
    """Pairs joined through shared value nodes, unless the join would put two read
    happenings (or two read things) into one chain."""
    index: dict[Node, int] = {}
    for _, (va, _, _), (vb, _, _) in items:
        index.setdefault(va, len(index))
        index.setdefault(vb, len(index))
    union = UnionFind(len(index))
    # what each chain's nodes read: happenings, things and sides of a size ("long", "wide")
    measures: list[tuple[set[str], ...]] = [
        ({n[2]} - {""}, {n[3]} - {""}, {n[4]} - {""}) for n in index
    ]
    for _, (va, _, _), (vb, _, _) in sorted(items, key=lambda it: (it[0].a, it[0].b)):
        ra, rb = union.find(index[va]), union.find(index[vb])
        if ra == rb:
            continue
        joined = tuple(x | y for x, y in zip(measures[ra], measures[rb], strict=True))
        if any(len(read) > 1 for read in joined):
            continue  # this pair stands alone, its nodes each in their chain (a slick's
            # lengths and its widths are two chains, though one sentence gives both)
        root = union.union(ra, rb)
        measures[root] = joined
    groups: dict[int, list[_Pair]] = {}
    alone: list[list[_Pair]] = []
    for item in items:
        ra, rb = union.find(index[item[1][0]]), union.find(index[item[2][0]])
        if ra == rb:
            groups.setdefault(ra, []).append(item)
        else:
            alone.append([item])
    return [*groups.values(), *alone]


def _strays(chain: Sequence[_Pair]) -> set[Node]:
    """The side keys of a chain of three or more figures whose value is more than
    :data:`STRAY_FACTOR` times from the median of the others' and from every value it is
    paired with. Values are compared normalised, in one unit ("1,000 barrels" and "200,000
    gallons" a day are 159,000 and 757,000 litres), and partners that are far from the median
    themselves do not count. A value with a partner within the factor is a step of a
    revision however far it lies from the median: a leak rate first put at 1,000 barrels a
    day and later at 60,000 is one running figure, its 1,000 no stray."""
    values: dict[Node, float] = {}
    partners: dict[Node, set[Node]] = {}
    for _, (na, _, va), (nb, _, vb) in chain:
        ka, kb = _side_key(na), _side_key(nb)
        for key, value in ((ka, va), (kb, vb)):
            if value is not None and value > 0:
                values[key] = value
        partners.setdefault(ka, set()).add(kb)
        partners.setdefault(kb, set()).add(ka)
    if len(values) < 3:
        return set()
    far = set()
    for key, v in values.items():
        others = sorted(w for k, w in values.items() if k != key)
        mid = len(others) // 2
        med = others[mid] if len(others) % 2 else (others[mid - 1] * others[mid]) ** 0.5
        if _apart(v, med):
            far.add(key)
    # a far value paired with one of the measure's own values within the factor is a step of
    # its revision; one paired only with other far values ("30ft" with "100ft", both among
    # distances in miles) is not rescued by them
    own = {key: [values[p] for p in partners[key] if p in values and p not in far] for key in far}
    out = {key for key in far if all(_apart(values[key], w) for w in own[key])}
    return out if len(out) < len(values) - 1 else set()


def _apart(v: float, w: float) -> bool:
    """Two values more than :data:`STRAY_FACTOR` times apart."""
    return max(v / w, w / v) > STRAY_FACTOR


def support(d: Disagreement) -> int:
    """Witnesses of the weaker of its two best-supported sides."""
    best = sorted((s.witnesses for s in d.sides), reverse=True)
    return best[1] if len(best) > 1 else 0


def origins(
    claims: Iterable[Claim], articles: Mapping[str, Published], source_groups: Mapping[str, str]
) -> int:
    """Independent origins of what ``claims`` say (one value's claims): each named speaker
    once by the fullest name given ("Landry" and "Rear Adm. Mary Landry" are one), however
    many outlets quote them, plus the witnesses (:func:`~newsweave.brief.independent_sources`)
    of the reports that name no speaker."""
    speakers: list[str] = []
    unnamed: list[str] = []
    for claim in claims:
        who = claim.attributions
        if len(who) != len(claim.spans):  # a store written before per-span speakers
            who = (claim.attribution,) * len(claim.spans)
        for span, name in zip(claim.spans, who, strict=True):
            if name:
                speakers.extend(n.strip() for n in name.split(";") if n.strip())
            else:
                unnamed.append(span.article)
    named = len(one_name_each([n.split(" (")[0] for n in dict.fromkeys(speakers)]))
    return named + (independent_sources(unnamed, articles, source_groups) if unnamed else 0)


def _disagreement(
    items: list[_Pair],
    claims: Mapping[str, Claim],
    articles: Mapping[str, Article],
    source_groups: Mapping[str, str],
    *,
    stray: bool = False,
) -> Disagreement:
    # a side is one normalised value (its last element) of one measure
    side_claims: dict[Node, dict[str, tuple[str, str, float | None]]] = {}
    for x, (va, sa, na), (vb, sb, nb) in items:
        side_claims.setdefault(_side_key(va), {})[x.a] = (x.value_a, sa, na)
        side_claims.setdefault(_side_key(vb), {})[x.b] = (x.value_b, sb, nb)

    def first_day(claim_id: str) -> str:
        days = [articles[a].published or "9999" for a in claims[claim_id].articles if a in articles]
        return min(days, default="9999")

    sides = []
    for labels in side_claims.values():
        ids = sorted(labels, key=lambda c: (first_day(c), c))  # first reported first
        arts = sorted({a for c in ids for a in claims[c].articles})
        known = [articles[a] for a in arts if a in articles]
        known.sort(key=lambda a: (a.published or "9999", a.id))
        value, stated, normalised = labels[ids[0]]
        witnesses = independent_sources(arts, articles, source_groups)
        sides.append(
            DisagreementSide(
                value=value,
                claims=tuple(ids),
                articles=tuple(arts),
                outlets=tuple(dict.fromkeys(outlet_name(a) for a in known)),
                published=tuple(sorted({a.published[:10] for a in known if a.published})),
                sources=witnesses,
                stated=stated,
                normalised=normalised,
                witnesses=witnesses,
                origins=origins([claims[c] for c in ids], articles, source_groups),
            )
        )
    sides.sort(key=lambda s: (s.published[:1] or ("9999",), -s.witnesses, s.value))
    relation_of = {(x.a, x.b): x.relation for x, _, _ in items}
    pairs = tuple(sorted(relation_of))
    updates = sum(1 for x, _, _ in items if x.relation == "update")
    digest = hashlib.sha1("\n".join(f"{a} {b}" for a, b in pairs).encode()).hexdigest()
    kind = items[0][0].kind
    nodes = [n for _, (va, _, _), (vb, _, _) in items for n in (va, vb)]
    return Disagreement(
        id="dis_" + digest[:12],
        kind=kind,
        relation="update" if 2 * updates > len(items) else "contradiction",
        sides=tuple(sides),
        pairs=len(items),
        updates=updates,
        contradictions=pairs,
        relations=tuple(relation_of[p] for p in pairs),
        quantity=quantity_name(kind, nodes, [s.stated for s in sides]),
        unit=nodes[0][1] if kind == "number" else "",
        stray=stray,
    )


# What a figure measures, named for a reader: the happenings and things of
# claim_slots.measure_of, then the units. A code not here is named by its unit alone.
ACT_WORDS = {
    # volumes
    "flow": "flow",
    "capture": "captured",
    "produce": "produced",
    "hold": "held",
    "disperse": "sprayed",
    # counts
    "kill": "killed",
    "injur": "injured",
    "survive": "rescued or survived",
    "missing": "missing",
    "aboard": "on board",
    "arrest": "arrested",
    "charge": "charged",
    "deploy": "deployed",
    # money
    "cost": "cost",
    "pay": "paid out",
    "fine": "fine",
    "limit": "limit",
    "profit": "profit",
    "fund": "fund",
    "value": "value",
    "dividend": "dividend",
}
THING_WORDS = {
    "oil": "oil",
    "mix": "oil and water",
    "dispersant": "dispersant",
    "mud": "mud",
    "gas": "gas",
    "rig": "the well",
    "slick": "the slick",
    "boom": "boom",
    "pipe": "pipe",
    "coast": "coastline",
}
LENGTH_WORDS = {
    "distance": "distance",
    "between": "distance apart",
    "size": "size",
    "depth": "depth",
    "fall": "fall",
    "remaining": "length left to drill",
    "inland": "distance inland",
}
CURRENCY_WORDS = {
    "USD": "US dollars",
    "EUR": "euros",
    "GBP": "pounds",
    "INR": "rupees",
    "GBX": "pence",
    "USC": "cents",
}
#: counts whose unit is the happening (claim_slots' casualty units)
PEOPLE_UNITS = {"kill": "People killed", "injur": "People injured", "missing": "People missing"}
#: counted units that are people (claim_slots' casualty units and the people nouns): only
#: these make "316 dead" a count of people killed
HUMAN_UNITS = frozenset(PEOPLE_UNITS) | HUMAN | {"dead", "death"}
#: counted words that name the quantity themselves ("316 dead", "35 mph", "70,000 bpd")
COUNT_WORDS = {
    "dead": "People killed",
    "deaths": "People killed",
    "injured": "People injured",
    "mph": "Speed, mph",
    "knots": "Speed, knots",
}


def quantity_name(kind: str, nodes: Sequence[Node], stated: Sequence[str]) -> str:
    """What a disagreement is about, for a reader: for figures the happening and thing
    most of its value nodes read and the unit the articles write ("Oil flow, barrels a
    day", "The slick's distance, miles", "Cost, US dollars", "People killed"); for other
    kinds the slot's question ("Where")."""
    title = SLOT_TITLES.get(kind, kind.title())
    if kind != "number" or not nodes:
        return title
    unit = nodes[0][1]
    act = _most_read(n[2] for n in nodes)
    thing = _most_read(n[3] for n in nodes)
    written = _unit_words(stated)
    dim, _, role = unit.partition("/")
    if unit in PEOPLE_UNITS:
        return PEOPLE_UNITS[unit]
    if unit == "year-old":
        return "Age"
    if unit == "%":
        return "Share, %"
    if unit in CURRENCY_WORDS:
        what = ACT_WORDS.get(act, "sum")
        return f"{what.capitalize()}, {CURRENCY_WORDS[unit]}"
    if dim == "volume":
        what = " ".join(w for w in (THING_WORDS.get(thing, ""), ACT_WORDS.get(act, "")) if w)
        if written == "bpd":  # barrels per day
            role, written = "day", "barrels"
        rate = " a day" if role == "day" else ""
        if not rate and act == "flow":
            what = " ".join(w for w in (THING_WORDS.get(thing, ""), "leaked in all") if w)
        name = what.capitalize() or "Volume"
        return f"{name}, {written or 'volume'}{rate}"
    if dim == "length":
        if thing in ("boom", "pipe", "coast"):
            name = f"Length of {THING_WORDS[thing]}"
        elif thing:
            name = f"{THING_WORDS.get(thing, thing).capitalize()}'s {LENGTH_WORDS.get(role, role)}"
        else:
            name = LENGTH_WORDS.get(role, role or "length").capitalize()
        return f"{name}, {written}" if written else name
    if dim in ("mass", "area", "pressure"):
        name = {"mass": "Weight", "area": "Area", "pressure": "Pressure"}[dim]
        return f"{name}, {written}" if written else name
    if written in COUNT_WORDS and (
        not COUNT_WORDS[written].startswith("People") or unit in HUMAN_UNITS
    ):
        return COUNT_WORDS[written]  # ("316 dead birds" are no people: the noun decides)
    if written in COUNT_WORDS and unit.isalpha():
        written = unit if unit.endswith("s") else unit + "s"  # "Birds killed"
    noun = written or unit
    what = ACT_WORDS.get(act, "")
    return f"{noun.capitalize()} {what}" if what else f"Number of {noun}"


def _most_read(codes: Iterable[str]) -> str:
    """The code most nodes read (ties: the first in order), "" when none reads one."""
    counts: dict[str, int] = {}
    for code in codes:
        if code:
            counts[code] = counts.get(code, 0) + 1
    return max(counts, key=lambda c: counts[c]) if counts else ""


_UNIT_WORD = re.compile(
    r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|hundred|dozens?)\b)[\d,.]*[\s-]*"
    r"(?:(?:m|bn|million|billion|thousand)\b\s*)?((?:sq(?:uare)?\.?[\s-]+)?[A-Za-z]+)",
    re.I,
)


def _unit_words(stated: Sequence[str]) -> str:
    """The unit word the sides write most, after the number and outside brackets
    ("barrels", "miles", "ft"; "nine miles (15km)" gives "miles"; "600 sq miles" gives
    "square miles")."""
    words = []
    for text in stated:
        m = _UNIT_WORD.search(re.sub(r"\s*\([^()]*\)", "", text))
        if m and m.group(1).lower() not in ("a", "an", "of", "and", "or", "to", "per"):
            # an area's unit is two words, its square one word ("sq miles": "square miles")
            words.append(re.sub(r"^sq(?:uare)?\.?[\s-]+", "square ", m.group(1).lower()))
    return _most_read(words)


def top_two(d: Disagreement) -> tuple[DisagreementSide, DisagreementSide]:
    """Its two best-supported sides, in order of first publication (``a`` and ``b`` of the
    one-pair listing it replaces)."""
    best = sorted(d.sides, key=lambda s: (-s.witnesses, -len(s.articles), s.value))[:2]
    best.sort(key=lambda s: d.sides.index(s))
    return best[0], best[1]


#: values a one-line rendering names (the best supported, in order of first report)
MAX_VALUES = 5


def shown_sides(d: Disagreement, most: int = MAX_VALUES) -> list[DisagreementSide]:
    """At most ``most`` sides: the best supported (the two of :func:`top_two` first), in
    order of first report."""
    keep = list(top_two(d))
    rest = sorted(
        (s for s in d.sides if s not in keep), key=lambda s: (-s.witnesses, -len(s.articles))
    )
    keep += rest[: max(0, most - 2)]
    return sorted(keep, key=d.sides.index)


def read_disagreements(
    store: Store, *, event: str | None = None, article: str | None = None
) -> list[Disagreement]:
    """The store's disagreements, most supported first; with a side in ``article`` (a full
    id). With ``event``, that event's own (:func:`by_event`): the pairs with a claim in it,
    grouped among themselves."""
    contradictions, claims, articles, groups = _read_pairs(store, event)
    found = group_disagreements(contradictions, claims, articles, groups)
    if article is not None:
        found = [d for d in found if any(article in s.articles for s in d.sides)]
    return found


def read_by_event(store: Store) -> dict[str, list[Disagreement]]:
    """Every event's disagreements (:func:`by_event`), by event id: for each, what
    :func:`read_disagreements` gives with ``event``."""
    return by_event(*_read_pairs(store, None))


def _read_pairs(
    store: Store, event: str | None
) -> tuple[list[Contradiction], dict[str, Claim], dict[str, Article], dict[str, str]]:
    """The contested pairs (those with a claim in ``event``, when given), their claims, the
    claims' articles and the copies stage's source groups."""
    contradictions = claims_store.load_contradictions(store, event=event)
    ids = sorted({i for x in contradictions for i in (x.a, x.b)})
    claims = {c.id: c for c in claims_store.load_claims_in_order(store, ids)}
    art_ids = tuple(sorted({a for c in claims.values() for a in c.articles}))
    articles = {a.id: a for a in store.articles(ArticleFilter(ids=art_ids))} if art_ids else {}
    return contradictions, claims, articles, copies_store.source_groups(store)


def by_event(
    contradictions: Sequence[Contradiction],
    claims: Mapping[str, Claim],
    articles: Mapping[str, Article],
    source_groups: Mapping[str, str],
) -> dict[str, list[Disagreement]]:
    """Each event's disagreements, as its page shows them: the pairs with a claim in the
    event (a claim's ``event``), grouped among themselves (:func:`group_disagreements`), so
    a chain holds only values this event's claims were paired with, and its pair count is
    the event's. A pair across two events is in both; the event's own sides are those with a
    claim whose ``event`` it is (:func:`in_event`)."""
    pairs: dict[str, list[Contradiction]] = {}
    for x in contradictions:
        events = {claims[c].event for c in (x.a, x.b) if c in claims}
        for event in sorted(e for e in events if e is not None):
            pairs.setdefault(event, []).append(x)
    return {
        event: group_disagreements(xs, claims, articles, source_groups)
        for event, xs in pairs.items()
    }


def in_event(side: DisagreementSide, claims: Mapping[str, Claim], event: str) -> bool:
    """Whether a side has a claim of ``event`` (else it is a value reported elsewhere that
    the event's claims were paired with)."""
    return any(c in claims and claims[c].event == event for c in side.claims)


def in_articles(found: Iterable[Disagreement], articles: Iterable[str]) -> list[Disagreement]:
    """Those with a side in one of ``articles`` (a story's), in the order given."""
    wanted = set(articles)
    return [d for d in found if any(wanted.intersection(s.articles) for s in d.sides)]


def shown(side: DisagreementSide) -> str:
    """A side's value for a reader: as its article words it (with its unit), else its
    label."""
    return side.stated or side.value


def witness_words(side: DisagreementSide) -> str:
    """A value's witnesses and origins in words ("5 witnesses, 8 origins"), as the CLI, the
    exports and the brief write them (the web page shows the same two numbers)."""
    w, o = side.witnesses, side.origins
    return f"{w} witness{'' if w == 1 else 'es'}, {o} origin{'' if o == 1 else 's'}"


def arrow(d: Disagreement) -> str:
    """What joins its values in a one-line rendering: "→" for an update, "vs" otherwise."""
    return " → " if d.relation == "update" else " vs "


def side_of(d: Disagreement, claim: str) -> DisagreementSide | None:
    """The side a claim is on."""
    return next((s for s in d.sides if claim in s.claims), None)


def relation_label(d: Disagreement, most: int = 2) -> str:
    """Whether its values are an update or a contradiction, said so: "update (revised in
    later reports)" or "contradiction"; where its pairs are of both
    kinds, which values are the other kind ("; 1 of 4 pairs a contradiction: 5,000
    barrels a day vs about 3,000 barrels a day"), at most ``most`` named."""
    label = "update: revised in later reports" if d.relation == "update" else "contradiction"
    if d.stray:
        far = f"over {STRAY_FACTOR:g} times off the other values of this measure"
        label += f"; one value {far}: perhaps another quantity"
    relations = d.relations or (
        ("update",) * d.updates + ("contradiction",) * (d.pairs - d.updates)
    )
    other = "contradiction" if d.relation == "update" else "update"
    odd = [p for p, r in zip(d.contradictions, relations, strict=False) if r == other]
    if not odd:
        return label
    one = ("an " if other == "update" else "a ") if len(odd) == 1 else ""
    label += f"; {len(odd)} of {d.pairs} pairs {one}{other}"
    label += "" if len(odd) == 1 else "s"
    named = []
    for a, b in odd:
        sa, sb = side_of(d, a), side_of(d, b)
        if sa is None or sb is None:
            continue
        if d.sides.index(sb) < d.sides.index(sa):
            sa, sb = sb, sa
        text = f"{shown(sa)}{' → ' if other == 'update' else ' vs '}{shown(sb)}"
        if text not in named:
            named.append(text)
    if named:
        label += ": " + "; ".join(named[:most]) + (" …" if len(named) > most else "")
    return label


def brief_lines(d: Disagreement, claims: Mapping[str, Claim]) -> list[CitedSentence]:
    """Two cited lines for a brief: what is disputed, update or contradiction, and each
    value as written in order, then the two best-supported sides quoted with their
    witnesses and origins, each citing the articles of the sentence it quotes (the side's
    other articles are counted in its witnesses, not cited)."""
    a, b = top_two(d)
    label = d.quantity or SLOT_TITLES.get(d.kind, d.kind.title())
    values = arrow(d).join(shown(s) for s in shown_sides(d))
    if len(d.sides) > MAX_VALUES:
        values += f" (+{len(d.sides) - MAX_VALUES} more values)"
    many = f"; {d.pairs} contested pairs" if d.pairs > 1 else ""
    lines = []
    for i, side in enumerate((a, b)):
        claim = claims.get(side.claims[0])
        quote = _quote(claim, side) if claim is not None else f"*{shown(side)}*"
        head = f"**{label}** ({relation_label(d)}) — {values}{many}. " if i == 0 else "… versus "
        spans = tuple(claim.spans) if claim is not None else ()
        quoted = tuple(x for x in claim.articles if x in side.articles) if claim else ()
        lines.append(CitedSentence(head + quote, quoted or side.articles, spans))
    return lines


def _quote(claim: Claim, side: DisagreementSide) -> str:
    who = f" — {claim.attribution}" if claim.attribution else ""
    hedge = " *(hedged)*" if claim.hedged else ""
    return f"*{shown(side)}* ({witness_words(side)}): “{claim.text}”{who}{hedge}"


def by_story(
    found: Sequence[Disagreement], stories: Sequence[Story], *, first: int = 0
) -> dict[str, list[Disagreement]]:
    """Each disagreement under the one story it belongs to most, so a brief shows it once:
    the story holding most of its articles (ties: the first of ``stories``, the largest
    first in a brief) — among the ``first`` stories (those a bounded brief shows in full)
    when one of them holds any, so a dispute that runs through many small stories of one
    topic (a leak rate revised over weeks) is not filed under one the brief folds away.
    Story id -> its disagreements, in the order of ``found`` but strays ("perhaps another
    quantity") after the others; one with no article in any story is left out."""
    holds = [set(st.articles) for st in stories]
    out: dict[str, list[Disagreement]] = {}
    for d in found:
        arts = {a for s in d.sides for a in s.articles}
        counts = [len(arts & h) for h in holds]
        if not counts or max(counts) == 0:
            continue
        if max(counts[:first], default=0) > 0:
            counts = counts[:first]
        out.setdefault(stories[counts.index(max(counts))].id, []).append(d)
    return {story: sorted(ds, key=lambda d: d.stray) for story, ds in out.items()}
