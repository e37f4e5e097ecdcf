"""Cleaning: strip page furniture and read the metadata a page carries about itself.

Input is a :class:`RawDocument`; output an :class:`Article` whose ``text`` is the article
body only, with ``title``, ``outlet``, ``agency``, ``dateline`` and ``published`` filled in
where the document says so, and an :class:`Evidence` record for every value (the rule that
fired and the text it read) so a user can check why we believe it.

Furniture is removed line by line with rules that each match one known kind of leftover
("Left Menu", photo captions with "Image Credit:", "Topics :", "First Published:", wire
datelines "PTI | Moscow | Updated: ...", syndication notices, related headlines). A line is
removed only when a rule names it, so article sentences survive.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import PurePath
from urllib.parse import urlparse

from newsweave.pieces import text_pieces
from newsweave.records import Article, Evidence, RawDocument

# --------------------------------------------------------------------------- agencies

# Canonical agency name -> the ways bylines and signatures spell it.
AGENCIES: dict[str, tuple[str, ...]] = {
    "ANI": ("ANI", "Asian News International"),
    "PTI": ("PTI", "Press Trust of India"),
    "IANS": ("IANS", "Indo-Asian News Service"),
    "UNI": ("UNI", "United News of India"),
    "Reuters": ("Reuters", "REUTERS", "Thomson Reuters"),
    "AP": ("AP", "Associated Press", "The Associated Press"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "Bloomberg": ("Bloomberg",),
    "Xinhua": ("Xinhua",),
    "TASS": ("TASS",),
    "dpa": ("dpa", "DPA"),
    "EFE": ("EFE",),
    "Kyodo": ("Kyodo",),
    "Yonhap": ("Yonhap",),
}
_AGENCY_LOOKUP = {alias.lower(): name for name, aliases in AGENCIES.items() for alias in aliases}
_AGENCY_ALT = "|".join(
    sorted((re.escape(a) for aliases in AGENCIES.values() for a in aliases), key=len, reverse=True)
)

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))

# --------------------------------------------------------------------------- patterns

HEADER_LINE = re.compile(r"^\ufeff?\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*(.*)$")

# "ANI | Moscow | Updated: 04-09-2020 14:35 IST | Created: 04-09-2020 14:35 IST"
WIRE_DATELINE = re.compile(
    rf"^(?P<agency>{_AGENCY_ALT})\s*\|\s*(?P<city>[^|]{{2,40}}?)\s*\|\s*Updated\s*:\s*"
    r"(?P<updated>\d{1,2}-\d{1,2}-\d{4})(?:[^|]*\|\s*Created\s*:\s*(?P<created>\d{1,2}-\d{1,2}-\d{4}))?",
    re.IGNORECASE,
)
# "Press Trust of India New Delhi" / "Reuters, London" — a byline line naming an agency.
AGENCY_BYLINE = re.compile(
    rf"^(?:By\s+)?(?P<agency>{_AGENCY_ALT})(?:\s*[,|/-]?\s*(?P<city>[A-Z][a-z]+(?:\s[A-Z][a-z]+){{0,2}}))?$"
)
# Body openers: "NEW DELHI:", "MOSCOW (Reuters) -", "Washington, Sept 3 (AP) —"
BODY_DATELINE = re.compile(
    r"^(?P<city>[A-Z][A-Z.'-]+(?:\s[A-Z][A-Z.'-]+){0,3}|[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2})"
    r"(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    rf"\s*(?:\((?P<agency>{_AGENCY_ALT})\))?\s*(?::|\s[-—–]{{1,2}})\s+(?=\S)"
)
SIGNATURE = re.compile(rf"\s*[(\[](?P<agency>{_AGENCY_ALT})[)\]]\s*$")
UPDATED_WORDY = re.compile(
    rf"(?P<kind>First Published|Last Updated|Published|Updated)\s*(?:on)?\s*:?\s*"
    rf"(?P<mon>{_MONTH_ALT})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})",
    re.IGNORECASE,
)
SYNDICATION_NOTICE = re.compile(
    r"^\(?\s*Only the headline and picture of this report may have been reworked by the "
    r"(?P<outlet>.+?) staff.*\)?$",
    re.IGNORECASE,
)
FOLDER_DATE = re.compile(r"(?:^|/)(\d{4}-\d{2}-\d{2})(?:/|$)")
# Timeline17 layout: <topic>_<outlet>/InputDocs/<date>/<n>.htm.txt
# How outlets spell themselves, for the short forms a folder or data set names them by
# (Timeline17's "<topic>_<outlet>" folders): a reader sees "The Guardian", not "guardian".
OUTLET_NAMES: dict[str, str] = {
    "bbc": "BBC",
    "cnn": "CNN",
    "reuters": "Reuters",
    "guardian": "The Guardian",
    "washingtonpost": "The Washington Post",
    "foxnews": "Fox News",
    "nytimes": "The New York Times",
    "latimes": "Los Angeles Times",
    "aljazeera": "Al Jazeera",
    "ap": "AP",
}
FOLDER_OUTLET = re.compile(r"(?:^|/)[A-Za-z]+_(?P<outlet>[A-Za-z]+)/InputDocs/")

# Whole lines that are page furniture, each with the reason recorded in Article.removed.
FURNITURE: list[tuple[str, re.Pattern[str]]] = [
    ("menu", re.compile(r"^(?:left|right|main|top)?\s*menu$", re.I)),
    ("button", re.compile(r"^(?:close|share|share this|tweet|email|print|comments?|save)$", re.I)),
    ("advert", re.compile(r"^(?:advertisement|sponsored|story continues below.*)$", re.I)),
    ("skip link", re.compile(r"^skip to (?:main )?content$", re.I)),
    ("caption", re.compile(r"\b(?:Image|Photo|Picture|Pic)\s*(?:Credit|Courtesy)\s*:", re.I)),
    ("caption", re.compile(r"^(?:Representative|File)\s+(?:image|photo|picture)\b", re.I)),
    ("topics", re.compile(r"^(?:Topics|Tags|Also read|Read more|Related)\s*:", re.I)),
    (
        "timestamp",
        re.compile(r"^(?:First Published|Last Updated|Published|Updated)\s*(?:on)?\s*:", re.I),
    ),
    ("timestamp", re.compile(r"^\d+\s+min(?:ute)?s?\s+read\b", re.I)),
    ("syndication notice", SYNDICATION_NOTICE),
    ("wire dateline", WIRE_DATELINE),
    ("follow us", re.compile(r"^(?:follow us on|download the .* app|subscribe to)\b", re.I)),
    # Comment-section policies that crawls keep below the article.
    (
        "comments policy",
        re.compile(
            r"^(?:\(required, but will not be displayed\)|This discussion is now closed"
            r"|We welcome comments on our articles|Comments are not pre-screened"
            r"|Views expressed in the comments do not represent"
            r"|\w+ welcomes a lively and courteous discussion"
            r"|Editor's Note: \S+ moderators retain editorial control)",
            re.I,
        ),
    ),
    # Sign-up and navigation widgets of news sites ("Search, find and watch the politics
    # that affects you Search Democracy Live …", "By clicking on "sign up" you agree …").
    (
        "widget",
        re.compile(
            r"^(?:Search, find and watch\b|By clicking on \W*sign up\b|Notify me of follow-up"
            r"|Enter your email address to follow|You agree that anything you post may be used"
            r"|Would you like to make this your default edition\?|You've selected the \S+ Edition)",
            re.I,
        ),
    ),
]

# A reader comment opens "At 12:55 pm on 10 Jun 2010, ruffled_feathers wrote:"; comment
# threads sit below the article, so the first one ends the article text.
COMMENT_START = re.compile(
    r"^At \d{1,2}[:.]\d{2}\s*(?:[ap]m\s+)?(?:on\s+)?\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]{2,8}"
    r"\s+\d{4}\s*,\s*.{1,60}?\bwrote\s*:",
    re.I,
)
# In-line widgets and stamps cut out of a line, the rest of the line kept.
# Each entry: (reason, a literal no match can lack — '' for none —, pattern). The literal is
# checked first, so a pattern never scans the long paragraphs that cannot hold it.
INLINE_FURNITURE: list[tuple[str, str, re.Pattern[str]]] = [
    # Reuters' page stamp, with the dateline in front: "ROBERT, Louisiana | Fri May 7, 2010
    # 10:43 am EDT", "NEW YORK, April 30 | Fri Apr 30, 2010 10:43 am EDT"
    (
        "timestamp",
        ":",
        re.compile(
            r"(?:(?:\b[A-Z][A-Z.'\\/ -]*[A-Z](?:\s*,\s*[A-Z][a-z]+\.?(?:\s+\d{1,2})?)?\s*)?\|\s*)?"
            r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+[A-Z][a-z]{2}\s+\d{1,2}\s*,\s*\d{4}\s+"
            r"\d{1,2}:\d{2}\s*[ap]m\s+[A-Z]{2,4}\s*"
        ),
    ),
    # The Guardian's stamp and photo credit: "Monday 19 July 2010 09.18 BST",
    # "Photograph: Saul Loeb/AFP/Getty Images"
    (
        "timestamp",
        "day",
        re.compile(
            r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+\d{1,2}\s+"
            rf"(?i:{_MONTH_ALT})\s+\d{{4}}\s+\d{{1,2}}[.:]\d{{2}}\s+(?:BST|GMT|EDT|EST|CET)\s*"
        ),
    ),
    (
        "photo credit",
        "Photograph",
        re.compile(
            r"\bPhotograph\s*:\s*(?:[\w.'-]+\s+){0,4}?[\w.'-]+"
            r"(?:\s*\\?/\s*(?:[A-Z][\w.'-]*)(?:\s+Images)?)+\s*"
        ),
    ),
    # a photo credit glued after a headline: "Credit: Reuters/Walter Shinn/U."
    (
        "photo credit",
        "Credit",
        re.compile(r"\bCredit\s*:\s*(?:Reuters|AP|AFP|Getty)\S*(?:\s+\S+/\S*)*"),
    ),
    (
        "timestamp",
        "Last updated",
        re.compile(
            rf"\b\d{{1,2}}\s+(?i:{_MONTH_ALT})\s+\d{{4}}\s+Last updated at\s+\d{{1,2}}:\d{{2}}"
            r"(?:\s+(?:GMT|BST|ET|UK))?(?:\s+Help\b)?\s*"
        ),
    ),
    # BBC's "Page last updated at 16:51 GMT, Tuesday, 19 January 2010 08:41 UK"
    (
        "timestamp",
        "Page last updated",
        re.compile(
            r"\bPage last updated at \d{1,2}:\d{2}\s+GMT\s*,\s*[A-Z][a-z]+day\s*,\s*"
            rf"\d{{1,2}}\s+(?i:{_MONTH_ALT})\s+\d{{4}}(?:\s+\d{{1,2}}:\d{{2}}\s+UK)?\s*"
        ),
    ),
    # Reuters' short stamp: "Wed, Dec 15 18:14 PM EST"
    (
        "timestamp",
        "M ",
        re.compile(
            r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s*,\s*[A-Z][a-z]{2}\s+\d{1,2}\s+"
            r"\d{1,2}:\d{2}\s*[AP]M\s+[A-Z]{2,4}\s*"
        ),
    ),
    (
        "slideshow widget",
        "BACK",
        re.compile(r"BACK\s*\{\s*current\s*\}\s*of\s*\{\s*total\s*\}\s*NEXT\s*"),
    ),
    (
        "timestamp",
        "",
        re.compile(
            rf"^\d{{1,2}}:\d{{2}}\s+(?:UK|GMT|BST|ET|EST|EDT)\s+time\s*,\s*[A-Z][a-z]+day\s*,\s*"
            rf"\d{{1,2}}\s+(?:{_MONTH_ALT})\s+\d{{4}}\s*",
            re.I,
        ),
    ),
]

# Bylines, wherever the crawl glued them into the first lines: "By Reeta Chakrabarti
# Political correspondent, BBC News", "By Joe Lynam, BBC business correspondent", "By Finlo
# Rohrer BBC News, Washington", "By Tarek Osman, Special to CNN", "By the CNN Wire Staff",
# "By Terri Rupar | June 15, 2009; 12:12 PM ET". A byline needs a sign that it is one
# (a role, a news organisation, a "|" stamp, a dated line); "By Friday night" is not.
_NOT_NAME = (
    r"(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March"
    r"|April|May|June|July|August|September|October|November|December|The|This|That)\b)"
)
_NAME = _NOT_NAME + r"[A-Z][\w'’-]*[a-z](?:\s[A-Z]\.)?(?:\s[A-Z][\w'’-]*[a-z]){1,2}"
_NAMES = rf"{_NAME}(?:\s*(?:,|and)\s*{_NAME}){{0,3}}"
_ROLE = r"(?i:correspondent|reporter|editor|writer|analyst|producer|presenter)s?"
_MONTH = rf"(?i:{_MONTH_ALT})"
_ORG = r"(?:BBC(?: News(?: website)?)?|CNN|Reuters|The Washington Post|Washington Post|Fox News)"
_PLACE = r"(?:,\s*(?:New |Los |San |Hong |Tel )?[A-Z][a-z]+\b)?"
BYLINE_INLINE = re.compile(
    # CNN also writes "From the CNN Wire Staff", "From Jill Dougherty and Elise Labott, CNN"
    rf"\bFrom\s+(?:the {_ORG} Wires? Staff|{_NAMES}\s*,\s*CNN(?=\s+[A-Z]))\s*"
    r"|\bBy\s+(?:"
    rf"the {_ORG} Wires? Staff"
    rf"|{_NAMES}\s*,\s*Special to {_ORG}"
    rf"|{_NAMES}\s*(?:,\s*)?(?:[A-Z]?[a-z]+\s+){{0,3}}{_ROLE}\s*,?\s*{_ORG}{_PLACE}"
    rf"|{_NAMES}\s*,?\s*{_ORG}(?:'s)?(?:\s+[A-Za-z]+){{0,3}}?\s+{_ROLE}"
    rf"|{_NAMES}\s*(?:,\s*{_ORG}\s*)?\|\s*{_MONTH}\.?\s+\d{{1,2}}\s*,\s*\d{{4}}"
    r"(?:\s*;\s*\d{1,2}:\d{2}\s*[AP]M(?:\s+E[SD]?T)?)?"
    rf"|{_NAMES}\s*,?\s*{_ORG}{_PLACE}"
    rf"|{_NAMES}\s*,?\s*(?i:for)\s+{_ORG}"
    # names, then the wire dateline in capitals ("By Jessica Donati and Emma Farge LONDON,")
    rf"|{_NAMES}(?:\s*,\s*(?:[A-Z][a-z]+\s+){{0,2}}{_ROLE})?(?=\s+[A-Z]{{3,}}\b)"
    rf"|{_NAMES}\s+{_MONTH}\.?\s+\d{{1,2}}\s*,\s*\d{{4}}\s*:\s*\d{{1,2}}:\d{{2}}\s*[AP]M(?:\s+E[SD]?T)?"
    r")\s*",
)
BYLINE_LINES = 3  # bylines sit in the first lines of an article
# A blog post's byline and stamp: "Clare Spencer | 09:51 UK time, Friday, 28 May 2010".
BLOG_BYLINE = re.compile(
    rf"(?:^|(?<=\s)){_NAMES}\s*\|\s*\d{{1,2}}:\d{{2}}\s+(?:UK|GMT|BST|ET)\s+time\s*,\s*"
    rf"[A-Z][a-z]+day\s*,\s*\d{{1,2}}\s+{_MONTH}\s+\d{{4}}\s*"
)
# CNN's "January 25, 2011 | By Amir Ahmed, CNN …": a date stamp, then a byline that may be
# bare names ("| By Bryony Jones Members of …" keeps everything after the names).
STAMPED_BYLINE = re.compile(
    rf"{_MONTH}\.?\s+\d{{1,2}}\s*,\s*\d{{4}}\s*\|\s*(?:By\s+{_NAMES}\b(?:\s*,\s*{_ORG}\b)?\s*)?"
)

# Reader comments of news sites' pages, each closed by its stamp: The Washington Post's
# "… Posted by: minimini | September 26, 2008 1:57 AM | Report abuse", CNN's "… February 3,
# 2011 at 2:59 pm | Reply", an Observer blog's "Posted by David T on April 2, 2005 11:01 PM."
# The thread sits below the article (and crawls keep all of it: three Washington Post pages
# of Timeline17 hold 590-700 kB of comments under 5-7 kB of article), so the first stamp's
# line ends the article text. Each form needs a '|' or starts "Posted by" (checked first).
COMMENT_STAMP = re.compile(
    rf"\bPosted by\s*:\s*[^|]{{1,80}}\|\s*{_MONTH}\.?\s+\d{{1,2}}\s*,\s*\d{{4}}\s+"
    r"\d{1,2}:\d{2}\s*[AP]M\b"
    rf"|\b{_MONTH}\.?\s+\d{{1,2}}\s*,\s*\d{{4}}\s+at\s+\d{{1,2}}:\d{{2}}\s*[ap]m\s*\|"
    rf"|^Posted by\s+[^|]{{1,60}}?\s+on\s+{_MONTH}\.?\s+\d{{1,2}}\s*,\s*\d{{4}}\s+"
    r"\d{1,2}:\d{2}\s*[AP]M\s*\.?$"
)
# A first comment may run over lines before its stamp; where the post visibly ends within
# them, the thread starts there: the Post's blog stamp under a post ("By Web Politics Editor
# | September 24, 2008; 2:58 PM ET", the first comment glued after it), CNN's "Interested to
# know which ones made it on air?" under the Cafferty File's question.
POST_END = re.compile(
    rf"^By\s+[^|]{{1,80}}\|\s*{_MONTH}\.?\s+\d{{1,2}}\s*,\s*\d{{4}}\s*;\s*\d{{1,2}}:\d{{2}}"
    r"\s*[AP]M\s+E[SD]?T\b"
    r"|^Interested to know which ones made it on air\s*\?"
)
COMMENT_LOOKBACK = 40  # lines before the first stamp searched for the post's end


def _comment_thread_start(lines: list[str]) -> int | None:
    """Index of the line where a reader-comment thread starts, if any (see COMMENT_STAMP)."""
    stamped = (
        n
        for n, line in enumerate(lines)
        if ("|" in line or line.startswith("Posted by")) and COMMENT_STAMP.search(line)
    )
    n = next(stamped, None)
    if n is None:
        return None
    content = [i for i in range(n) if lines[i].strip()]
    # the post's end, searched only below the first lines (where a stamp is its byline)
    for i in reversed(content[BYLINE_LINES:][-COMMENT_LOOKBACK:]):
        if POST_END.search(lines[i].strip()):
            return i
    return n


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "with",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "has",
        "have",
        "had",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "his",
        "her",
        "their",
        "our",
        "after",
        "over",
        "into",
        "about",
    ]
)


@dataclass
class _Draft:
    """Mutable state while cleaning one document."""

    path: str
    lines: list[str]
    removed: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    bullets_first: bool = False  # the text opens with key points, not a headline

    def note(self, field_name: str, value: str, rule: str, snippet: str) -> None:
        """Record a metadata value, keeping the first one found (rules run by priority)."""
        if field_name not in self.meta and value:
            self.meta[field_name] = value
            self.evidence.append(Evidence(field_name, value, rule, snippet.strip()[:200]))


# --------------------------------------------------------------------------- helpers


def _iso(day: int, month: int, year: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# A published date outside these years is a placeholder or junk ("0001-01-01"), not a date.
_PLAUSIBLE_YEARS = range(1800, 2200)


def parse_date_field(value: str) -> str | None:
    """An ISO date from a structured field ("2020-09-04T10:00:00Z", "Apr 28 2023", ...).

    Only a full calendar date the field itself states is accepted: never one completed or
    computed from today's clock. Partial dates ("2020", "Monday"), relative ones ("3 days
    ago", "yesterday": a field has no anchor to count from) and junk ("-1") give None.
    """
    value = value.strip()
    try:
        day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        day = None
    if day is None:
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
        if m:
            iso = _iso(int(m[3]), int(m[2]), int(m[1]))
            day = date.fromisoformat(iso) if iso else None
        elif len(value) <= 100 and re.search(r"\d", value):  # no digit: no calendar date
            import dateparser  # costly import; only structured fields with odd dates need it

            parsed = dateparser.parse(
                value,
                languages=["en"],
                settings={
                    "RETURN_AS_TIMEZONE_AWARE": False,
                    # every part stated, nothing taken from today; no "3 days ago"
                    "REQUIRE_PARTS": ["day", "month", "year"],
                    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
                },
            )
            day = parsed.date() if parsed else None
    if day is None or day.year not in _PLAUSIBLE_YEARS:
        return None
    return day.isoformat()


def _dmy(value: str) -> str | None:
    d, m, y = (int(x) for x in value.split("-"))
    return _iso(d, m, y)


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def _normalise(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def canonical_agency(name: str) -> str:
    return _AGENCY_LOOKUP.get(name.lower(), _AGENCY_LOOKUP.get(name.strip().lower(), name))


def _city(name: str) -> str:
    name = " ".join(name.split()).strip(" ,.")
    return name.title() if name.isupper() or name.islower() else name


def outlet_from_url(url: str) -> str | None:
    host = urlparse(url).hostname or ""
    host = host.lower().removeprefix("www.").removeprefix("m.").removeprefix("amp.")
    return host or None


# PTB writes the pound sign "#" ("$ 3.12 bn -LRB- # 2bn -RRB-"): "£" again before a sum
# with a scale or thousands (the sums the claims stage reads as pounds either way)
_PTB_POUND = re.compile(
    r"(?<![^\s(\[])# ?(?=\d[\d,.]*\s?(?:m|bn|million|billion)\b|\d{1,3}(?:,\d{3})+)"
)
#: PTB's tokens undone, each substitution in order, with the substrings one of which every
#: match holds: over a text holding none of them the pattern is not run.
_PTB: list[tuple[re.Pattern[str], str, tuple[str, ...]]] = [
    (re.compile(r"-LRB-"), "(", ("-LRB-",)),
    (re.compile(r"-RRB-"), ")", ("-RRB-",)),
    (re.compile(r"-LSB-"), "[", ("-LSB-",)),
    (re.compile(r"-RSB-"), "]", ("-RSB-",)),
    (re.compile(r"-LCB-"), "{", ("-LCB-",)),
    (re.compile(r"-RCB-"), "}", ("-RCB-",)),
    (re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m|') ", re.I), r"\1 ", ("'",)),
    # a digit group or decimal split off its number (Timeline17: "gallons\\/795 ,000 liters",
    # "magnitude-7 .2", "$US19 .5 bn"): one number
    # (the space first and the digit before it looked at last: a pattern that starts with a
    # literal is searched for that character, not tried at every position)
    (re.compile(r" ([,.])(?=\d)(?<=\d [,.])"), r"\1", (" ,", " .")),
    (
        re.compile(r" ([,.;:?!%])(?=\s|$|[\"'](?:\s|$))"),
        r"\1",
        (" ,", " .", " ;", " :", " ?", " !", " %"),
    ),
    (re.compile(r"([(\[$]) "), r"\1", ("( ", "[ ", "$ ")),
    (_PTB_POUND, "£", ("#",)),
    (re.compile(r" ([)\]])"), r"\1", (" )", " ]")),
]


GUARDIAN_LEAD_BULLET = re.compile(r"(?m)^cents (?=[A-Z`'])")
GUARDIAN_BULLET = re.compile(r"(?m)(?<=[^\W\d] )cents (?=[A-Z`'])(?<!^cents )")
TICKER_BREAK = re.compile(r"(-LRB- [A-Z]{1,5}) ?(\.)[ \t]*\n([A-Z]{1,3} -RRB-)")


def looks_ptb_tokenised(text: str) -> bool:
    """Penn-Treebank tokenised text (Timeline17, many research sets): ' , ' and ' 's '."""
    sample = text[:4000]
    # PTB's opening quotes and bracket tokens occur nowhere else
    if "``" in sample or " ` " in sample or "-LRB-" in sample or "-RRB-" in sample:
        return True
    # sentences that end " ." on their own lines (one sentence a line) need less evidence
    commas = 1 if len(re.findall(r" \. ?\n", sample)) >= 2 else 2
    return ("-LCB-" in sample or " 's " in sample) and sample.count(" , ") >= commas


_DOUBLE_QUOTES = ("``", "''", '"')
_SINGLE_QUOTES = ("`", "'")


def _pair_quotes(line: str) -> str:
    """Glue PTB's stand-alone quote tokens to the words they enclose. ``` `` ``` and `` ` ``
    always open; ``''``, ``"`` and ``'`` open when the quotation they would start closes
    later on the line (BBC: "captures ' 10,000 barrels ' a day", "the '' static kill ''")
    and otherwise close (or mark a plural possessive: "workers ' safety")."""
    tokens = line.split(" ")
    if not any(t in _DOUBLE_QUOTES or t in _SINGLE_QUOTES for t in tokens):
        return line
    out: list[str] = []
    is_open = {'"': False, "'": False}
    glue = False
    for k, tok in enumerate(tokens):
        kind = '"' if tok in _DOUBLE_QUOTES else "'" if tok in _SINGLE_QUOTES else None
        if kind is None:
            out.append(("" if not glue or not out else out.pop()) + tok)
            glue = False
            continue
        same = _DOUBLE_QUOTES if kind == '"' else _SINGLE_QUOTES
        later = any(t in same for t in tokens[k + 1 :])
        opens = tok in ("``", "`") or (not is_open[kind] and later)
        if opens:
            out.append(kind)
            glue = True
        elif out:
            out[-1] += kind
        else:
            out.append(kind)
        is_open[kind] = opens
    return " ".join(out)


def detokenise_ptb(text: str) -> str:
    """Undo PTB tokenisation line by line so downstream NLP sees ordinary prose.

    The substitutions run over the whole text, each once, not once per line (200,000 lines
    on Timeline17: the calls cost more than the matching): none of them matches across a
    line break, and where one looks at a line's end (``$``) the whole text has a line break
    (``\\s``) or its end, so each line comes out as it would alone. Only the pound sign's
    (``\\s?`` before "m"/"bn" may reach into the next line) runs line by line, on the few
    texts that hold a "#"; a substitution none of whose substrings is in the text is not
    run."""
    joined = "\n".join(_pair_quotes(line.rstrip()) for line in text.split("\n"))
    for pattern, repl, needs in _PTB:
        if not any(need in joined for need in needs):
            continue
        if pattern is _PTB_POUND:
            joined = "\n".join(pattern.sub(repl, line) for line in joined.split("\n"))
        else:
            joined = pattern.sub(repl, joined)
    return joined


# --------------------------------------------------------------------------- stages


def _header_line(draft: _Draft) -> None:
    """The seed format's first line: ' date 2020-09-04' + optional furniture or text."""
    if not draft.lines:
        return
    m = HEADER_LINE.match(draft.lines[0])
    if not m:
        return
    iso = _iso(*(int(x) for x in reversed(m[1].split("-"))))
    if iso:
        draft.note("published", iso, "header-line", draft.lines[0])
    rest = m[2].strip()
    if rest and not _furniture_reason(rest):
        draft.lines[0] = rest  # the article starts on the header line (seed 002)
    else:
        if rest:
            draft.removed.append(rest)
        draft.lines[0] = ""


def _furniture_reason(line: str) -> str | None:
    for reason, pattern in FURNITURE:
        if pattern.search(line):
            return reason
    return None


# A slideshow's photo caption above the article (Fox News): "April 30: Workers spread oil
# booms along a railroad trestle …", "Aug. 21, 2009: Convicted Lockerbie bomber …". Only as
# the first line: inside an article the same shape is a timeline entry.
DATED_CAPTION = re.compile(
    rf"^(?:{_MONTH_ALT})\.?\s+\d{{1,2}}(?:\s*,\s*\d{{4}})?\s*:\s+[A-Z]", re.I
)


# The credit of such a photo, at the start of the next line: "AP", "Coast Guard via AP".
PHOTO_CREDIT_LEAD = re.compile(
    r"^(?:\(?(?:AP|Reuters|AFP)\)?|Getty Images|[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*){0,3} via AP)"
    r"\s+(?=[A-Z])"
)


def _strip_furniture(draft: _Draft) -> None:
    thread = _comment_thread_start(draft.lines)
    if thread is not None:
        rest = [ln.strip() for ln in draft.lines[thread:] if ln.strip()]
        draft.removed.append(f"comment thread ({len(rest)} lines): {rest[0][:120]}")
        draft.lines = draft.lines[:thread]
    kept: list[str] = []
    content_lines = 0
    after_caption = False
    for n, line in enumerate(draft.lines):
        stripped = line.strip()
        if not stripped:
            kept.append("")
            continue
        if COMMENT_START.match(stripped):
            rest = [ln.strip() for ln in draft.lines[n:] if ln.strip()]
            draft.removed.append(f"comment thread ({len(rest)} lines): {stripped[:120]}")
            break
        stripped = _strip_inline(draft, stripped, byline=content_lines < BYLINE_LINES)
        if not stripped:
            continue
        if content_lines == 0 and len(draft.lines) > n + 1:
            if after_caption:  # the credit of the photo above glued to this line
                credit = PHOTO_CREDIT_LEAD.match(stripped)
                if credit:
                    draft.removed.append(f"photo credit: {credit.group().strip()}")
                    stripped = stripped[credit.end() :]
            if DATED_CAPTION.match(stripped):
                draft.removed.append(f"photo caption: {stripped[:120]}")
                after_caption = True
                continue
        line = stripped
        content_lines += 1
        reason = _furniture_reason(stripped)
        if reason is None:
            m = AGENCY_BYLINE.match(stripped)
            if m:
                draft.note("agency", canonical_agency(m["agency"]), "byline", stripped)
                if m["city"]:
                    draft.note("dateline", _city(m["city"]), "byline", stripped)
                reason = "byline"
        if reason is None:
            kept.append(line)
            continue
        draft.removed.append(stripped)
        _read_furniture(draft, reason, stripped)
    draft.lines = kept


# a slash: a photo credit ("Reuters/Lee Celano") or a path, never a headline here ("\/" in
# the raw text is a slash again by now: see clean())
_NOT_HEADLINE = re.compile(
    r"[|*/]|^\(|\b(?:photo|handout|credit|getty|AP Photo|Image by|via Flickr)\b| -- "
    r"|\((?:Reuters|AP|AFP|CNN)\)"
    rf"|^(?:{_MONTH_ALT})\.? \d{{1,2}}, \d{{4}}",
    re.I,
)


def _plausible_headline(text: str) -> bool:
    """Words before a byline make a title only when they read as one: 3–25 words, no photo
    credit, bullet list, stamp or path."""
    return (
        _is_headline(text)
        and (text[:1].isupper() or text[:1].isdigit() or text[:1] in _QUOTE_OPEN)
        and 3 <= len(text.split()) <= 25
        and not _NOT_HEADLINE.search(text)
        and sum(c.isalpha() for c in text) >= 0.6 * len(text)
    )


def _byline_span(line: str) -> tuple[int, int] | None:
    """Where a byline (with a CNN-style date stamp in front, if any) sits in ``line``."""
    # Both stamped forms need a '|': checking for it first skips their scans of every long
    # paragraph (the stamp pattern was most of the cleaning time of a web archive).
    piped = "|" in line
    blog = BLOG_BYLINE.search(line) if piped else None
    if blog:
        return blog.start(), blog.end()
    stamp = STAMPED_BYLINE.search(line) if piped else None
    if stamp:
        by = line.find("By ", stamp.start())
        longer = BYLINE_INLINE.match(line, by) if 0 <= by < stamp.end() else None
        return stamp.start(), max(stamp.end(), longer.end() if longer else 0)
    m = BYLINE_INLINE.search(line)
    return (m.start(), m.end()) if m else None


def _strip_inline(draft: _Draft, line: str, *, byline: bool) -> str:
    """Cut widgets, stamps and (in the first lines) a byline out of one line. Words before
    a byline or stamp on its line are the headline the crawl glued to it ("UK industry frets
    about 'anti-British' BP backlash By Russell Hotten Business reporter, BBC News …")."""
    for reason, needs, pattern in INLINE_FURNITURE:
        m = pattern.search(line) if needs in line else None
        if m:
            draft.removed.append(f"{reason}: {m.group().strip()}")
            line = line[: m.start()] + "\x00" + line[m.end() :]
    span = _byline_span(line) if byline else None
    if span:
        draft.removed.append(line[span[0] : span[1]].replace("\x00", " ").strip())
        line = line[: span[0]] + "\x00" + line[span[1] :]
    if byline and "\x00" in line:
        before, _, after = line.partition("\x00")
        before = before.strip()
        # a standfirst may follow the headline before the stamp (The Guardian)
        split = split_glued_headline(before, after, known_headline=True) if before else None
        if split or (before and _plausible_headline(before)):
            draft.note("title", split[0] if split else before, "headline-before-byline", before)
            draft.removed.append(before)
            line = after
    return " ".join(line.replace("\x00", " ").split())


def _read_furniture(draft: _Draft, reason: str, line: str) -> None:
    """Metadata that removed furniture carries: agency, dateline, dates, outlet."""
    if reason == "wire dateline":
        m = WIRE_DATELINE.match(line)
        assert m is not None
        draft.note("agency", canonical_agency(m["agency"]), "wire-dateline", line)
        draft.note("dateline", _city(m["city"]), "wire-dateline", line)
        stamp = m["created"] or m["updated"]
        iso = _dmy(stamp)
        if iso:
            rule = "created-line" if m["created"] else "updated-line"
            draft.note("published", iso, rule, line)
    elif reason == "timestamp":
        m = UPDATED_WORDY.search(line)
        if m:
            iso = _iso(int(m["day"]), MONTHS[m["mon"].lower()], int(m["year"]))
            if iso:
                draft.note("published", iso, m["kind"].lower().replace(" ", "-") + "-line", line)
    elif reason == "syndication notice":
        m = SYNDICATION_NOTICE.match(line)
        assert m is not None
        draft.note("outlet", m["outlet"].strip(), "syndication-notice", line)


# --------------------------------------------------------------------------- glued headlines
# Crawled pages that lost their layout (Timeline17's one-sentence-a-line files) run the
# headline, a photo caption or standfirst and the first sentence together on one line:
# "Gulf oil spill: BP says 'top kill' plug going to plan BP Chief Operating Officer Doug
# Suttles: "We have the best people …" BP says its operation …". A headline in sentence case
# ends where a word after a lower-case word is capitalised for a reason other than being a
# name; :func:`_headline_end` names each such reason (its return value), with the evidence
# it reads, and the title's evidence records the rule `glued-headline`.


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words after which a headline does not end ("… spill in Gulf", "… talks with BP").
_HEAD_JOINS = _word_set(
    "a an the of to in on at for from by with as and or but over after before into than "
    "via amid against about under near off up out is are was were be its his her their "
    "our & vs says said where who which that when how what why whose v - -- – —"
)
# Words that start a sentence or caption and are capitalised only there (or are titles).
_UNIT_STARTERS = _word_set(
    "the a an this these those it he she they there we i his her its their many more most "
    "some several hundreds thousands dozens millions almost nearly at in on after before "
    "when while as if despite following since during from with for to mr mrs ms dr"
)
_CLAUSE_VERBS = _word_set(
    "says said has have had is are was were will would could may might can told warned"
)
# A caption or standfirst, not a headline: a clause with a copula or a reporting verb in the
# past ("BP is trying to funnel …", "Tony Hayward said there was …"), a video caption
# ("John Curry, from BP, explains how …"), or one that opens with an article.
_CAPTION_WORDS = _word_set(
    "is are was were has had have been being will said told warned explains speaks looks"
)
_QUOTE_CLOSE = ("'", '"', "’", "”")
_QUOTE_OPEN = ("'", '"', "‘", "“")
# "two Democratic lawmakers": after these an adjective is capitalised inside a phrase
_QUANTIFIERS = _word_set(
    "two three four five six seven eight nine ten many some all both most other new "
    "former top senior several few"
)
# Nouns a name follows in apposition: "CNBC correspondent Charlie Gasparino says …"
_ROLE_NOUNS = _word_set(
    "correspondent reporter editor spokesman spokeswoman spokesperson secretary minister "
    "president chairman chairwoman chief executive director analyst official leader "
    "governor senator commander admiral general colonel captain officer boss founder worker "
    "resident"
)
_WEEKDAYS = frozenset(
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
)


# 'Doug Suttles of BP: "We have been unable to overcome the flow" The latest attempt …': a
# speaker, a colon and a quotation without a full stop after it, then a capital — a caption;
# no first sentence reads like that.
SPEAKER_CAPTION = re.compile(
    r"^[A-Z][^:\n\"“]{2,80}:\s*[\"“][^\"”\n]{3,300}[\"”](?:\s+(?=[A-Z\"“])|\s*$)"
)


def _capitalised(word: str) -> bool:
    bare = word.lstrip("'\"‘“(")
    return bool(bare) and bare[0].isupper()


def _closes_quote(word: str) -> bool:
    """'planned'  or  ban"  closes a quotation; don't (an apostrophe inside) does not."""
    if len(word) < 2 or word[-1] not in _QUOTE_CLOSE:
        return False
    return word[-1] in "’”" or word.count(word[-1]) % 2 == 1 or word[0] in _QUOTE_OPEN


_MID_SENTENCE_WORD = re.compile(r"(?<=[a-z,;] )([A-Za-z][a-z-]+)")


@lru_cache(maxsize=16)
def _lower_counts(body: str) -> tuple[dict[str, int], dict[str, int], str]:
    """How often each word is written in lower case, and capitalised mid-sentence, in the
    body (a word the body writes in lower case is a common word, not a name), and the body
    in lower case between two spaces (" the body's words "). Read-only: the answer for a
    body is kept (a cleaning may try several lines against one body), each distinct word
    counted once."""
    lower: dict[str, int] = {}
    upper: dict[str, int] = {}
    for w, n in Counter(_MID_SENTENCE_WORD.findall(body)).items():
        table = upper if w[0].isupper() else lower
        key = w.lower()
        table[key] = table.get(key, 0) + n
    return lower, upper, f" {' '.join(body.lower().split())} "


def _headline_end(
    words: list[str], i: int, body_case: tuple[dict[str, int], dict[str, int], str]
) -> str | None:
    """The reason a headline ends before ``words[i]``, or None."""
    prev, cur = words[i - 1], words[i]
    nxt = words[i + 1] if i + 1 < len(words) else ""
    bare = cur.strip("'\"‘“")
    starter = bare.lower() in _UNIT_STARTERS and bare == cur  # a quoted 'A Whale' is a name
    if not _capitalised(cur) or prev[-1] in ":,;-–—":
        return None
    if bare.rstrip(",.").lower() in MONTHS:  # "… since 20 April", "… in May"
        return None
    joined = prev.lower() in _HEAD_JOINS
    # "… to plan The US …", "… declared over A 23-year-old …", "… oil spill Mr Huhne …"
    # (but "… edition of The Washington Post" is a name)
    if starter and not (joined and bare == "The"):
        return "sentence-starter"
    if cur.endswith(":") and cur[:-1].isupper() and len(cur) > 3:
        return "marker"  # CNN's "NEW:"
    if joined:
        return None
    if cur in _WEEKDAYS:
        return "stamp"  # "… Your stories Friday 15 January Up to …"
    if _closes_quote(prev):  # "… plug 'going as planned' The oil company …"
        return "quote-then-capital"
    dash = i >= 4 and words[i - 2] in ("-", "–", "—")
    if dash and _capitalised(prev) and words[i - 3][:1].islower():
        return "attribution-dash"  # "… disaster - Obama President Obama said …"
    dated = prev.lower() in MONTHS and i >= 2 and words[i - 2].isdigit()  # "since 20 April"
    if not (prev[0].islower() or prev[0].isdigit() or prev[0] in "$£#€" or dated):
        return None  # after a name: "… Gulf Tony Hayward" reads either way
    if cur == words[0] and i >= 4:
        return "subject-repeated"  # "Leona and JLS on Haiti single Leona Lewis and JLS …"
    # a speaker caption: "… going to plan BP Chief Operating Officer Doug Suttles: "We …"
    j = i
    while j < min(len(words), i + 8) and not words[j].endswith(":"):
        if not (_capitalised(words[j]) or words[j] in ("of", "from", "for", "at", "the", "and")):
            break
        j += 1
    speaker = j < len(words) - 1 and words[j].endswith(":") and _capitalised(words[j])
    if speaker and words[j + 1][:1] in _QUOTE_OPEN:
        return "speaker-caption"
    lower, upper, _ = body_case
    key = bare.lower()
    # "… to stop Gulf oil spill …": the body's "gulf oil spill" says the phrase goes on
    # (three words: a standfirst's "Oil worker told …" is not in the body word for word)
    phrase = " ".join(w.lower() for w in words[i : i + 3])
    if nxt[:1].islower() and len(words) > i + 2 and f" {phrase} " in body_case[2]:
        return None
    # clearly more often lower case: "gulf" now and then lower case is still the Gulf
    common = lower.get(key, 0) > 2 * upper.get(key, 0)
    # a capitalised word followed by another is a name in the making ("Prime Minister")
    if bare.isalpha() and not bare.isupper() and common and not _capitalised(nxt):
        return "common-word-capitalised"  # "… the Gulf Stemming the flow …"
    if (
        bare.isalpha()
        and not bare.isupper()
        and not upper.get(key)
        and nxt[:1].islower()
        and prev.lower() not in _QUANTIFIERS
    ):
        return "capitalised-only-here"  # "… stop flow Forecasters predict …"
    run = i + 1  # a name of a few capitalised words, then a verb: a clause starts here
    while run < min(len(words), i + 5) and _capitalised(words[run]):
        run += 1
    appositive = prev.lower() in _ROLE_NOUNS  # "… CNBC correspondent Charlie Gasparino says"
    if run < len(words) and words[run].lower() in _CLAUSE_VERBS and not appositive:
        return "name-then-verb"  # "… delayed BP says …", "… costs US President Barack Obama is …"
    return None


def _first_end(words: list[str], body: str, max_words: int) -> tuple[int, str] | None:
    """Where the first unit of a glued line ends (see :func:`_headline_end`), and why."""
    alpha = [w for w in words[:12] if w[:1].isalpha()]
    if sum(_capitalised(w) for w in alpha) >= 0.7 * max(1, len(alpha)):
        return None  # Title Case: capitals say nothing about where the headline ends
    body_case = _lower_counts(body)
    for i in range(4, min(len(words) - 2, max_words + 1)):
        reason = _headline_end(words, i, body_case)
        if reason is None:
            continue
        if reason == "capitalised-only-here":  # weak: a word the body lacks may be a name
            later = (
                j
                for j in range(i + 1, min(i + 5, len(words) - 2))
                if _headline_end(words, j, body_case) not in (None, "capitalised-only-here")
            )
            i = next(later, i)  # "… to stop Gulf oil spill 'Top kill' process …"
        return i, reason
    return None


def _reads_as_caption(head: list[str]) -> bool:
    return head[0] in ("The", "A", "An") or bool({w.lower() for w in head} & _CAPTION_WORDS)


def split_glued_headline(
    line: str, body: str = "", max_words: int = 20, *, known_headline: bool = False
) -> tuple[str, str] | None:
    """``(headline, rest)`` when ``line`` starts with a sentence-case headline glued to a
    caption, standfirst or first sentence; None when no headline ending is evident or the
    words before it read as a caption rather than a headline (precision first: an article
    without a title gets a stand-in, which is better than a caption shown as a headline).
    ``known_headline``: the line is known to open with the headline (it stood before a
    byline or stamp), so words before the ending are not checked for being a caption."""
    words = line.split()
    found = _first_end(words, body, max_words) if len(words) >= 6 else None
    if found is None:
        return None
    i, reason = found
    head = words[:i]
    # before a highlights marker or a stamp stands the headline ("ElBaradei: Egypt is
    # not stable NEW: …"), whatever its verbs
    if _reads_as_caption(head) and not known_headline and reason not in ("marker", "stamp"):
        return None
    if not _plausible_headline(" ".join(head)):
        return None
    return " ".join(head), " ".join(words[i:])


def split_leading_caption(line: str, body: str = "") -> tuple[str, str] | None:
    """``(caption, rest)`` when a line without a headline opens with a photo caption glued
    to the first sentence ("Transocean is the world's largest offshore drilling contractor
    Offshore drilling firm Transocean has seen …"): the words before the first end read as
    a caption (:func:`_reads_as_caption`), at least 5 of them, and 8 or more follow."""
    words = line.split()
    found = _first_end(words, body, 20) if len(words) >= 13 else None
    if found is None or found[1] in ("marker", "stamp"):
        return None
    i = found[0]
    head = words[:i]
    if i < 5 or len(words) - i < 8 or not _reads_as_caption(head):
        return None
    if not _is_headline(" ".join(head)):  # a caption has no full stop, like a headline
        return None
    return " ".join(head), " ".join(words[i:])


def _paragraphs(lines: list[str]) -> list[str]:
    paras, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            paras.append("\n".join(current))
            current = []
    if current:
        paras.append("\n".join(current))
    return paras


def _is_headline(para: str) -> bool:
    words = para.split()
    return (
        "\n" not in para
        and 2 <= len(words) <= 30
        and not para.rstrip().endswith((".", '"', "”", "?", "!", ":", ";", ","))
    )


def _title_and_header(draft: _Draft, paras: list[str]) -> list[str]:
    """Take the headline off the top and drop header-zone lines that are not the article:
    a standfirst that the body repeats, and related headlines of other stories."""
    if len(paras) >= 2 and _is_headline(paras[0]):
        draft.note("title", paras[0], "first-line-headline", paras[0])
        paras = paras[1:]
    elif paras and "title" not in draft.meta:
        first, nl, rest = paras[0].partition("\n")
        split = split_glued_headline(first, rest + "\n" + "\n".join(paras[1:]))
        if split:
            draft.note("title", split[0], "glued-headline", first[:200])
            draft.removed.append(split[0])
            first = split[1]
            # a photo caption may sit between the headline and the first sentence: it ends
            # where a headline would, and goes on a line of its own ("… leaking from the
            # seabed\nThe US government has demanded …"); nothing is cut
            caption = split_glued_headline(first, rest, known_headline=True)
            if caption and len(caption[0].split()) >= 6 and len(caption[1].split()) >= 8:
                first = caption[0] + "\n" + caption[1]
        elif rest and _plausible_headline(first) and len(first.split()) <= 16:
            # a headline on a line of its own (a first key point is no headline)
            if not _reads_as_caption(first.split()) and not draft.bullets_first:
                draft.note("title", first, "first-line-headline", first)
                draft.removed.append(first)
                first = ""
        else:  # no headline: a photo caption before the first sentence gets its own line
            caption = split_leading_caption(first, rest)
            if caption:
                first = caption[0] + "\n" + caption[1]
        # a video or photo caption quoting its speaker, glued before the first sentence
        caption = SPEAKER_CAPTION.match(first)
        # a caption that is the whole line goes only after a headline: then the line was glued
        if caption and (len(first) > caption.end() + 20 or (split and caption.end() == len(first))):
            draft.removed.append(f"caption: {caption.group().strip()}")
            first = first[caption.end() :]
        paras = [first + nl + rest if first.strip() else rest, *paras[1:]]
        paras = [p for p in paras if p.strip()]
    body_start = next(
        (i for i, p in enumerate(paras) if len(p.split()) >= 25 or "\n" in p), len(paras)
    )
    kept = []
    for i, para in enumerate(paras):
        rest = " ".join(paras[i + 1 :])
        in_header = i < max(body_start, 1) or i < 2
        if in_header and i + 1 < len(paras):
            norm = _normalise(para)
            if norm and norm in _normalise(rest):
                draft.removed.append(para)  # standfirst repeated verbatim in the body
                continue
            if _is_headline(para) and i < body_start:
                words = set(_content_words(para))
                body_words = set(_content_words(rest))
                if words and len(words & body_words) / len(words) < 0.5:
                    draft.removed.append(para)  # a related headline of another story
                    continue
        kept.append(para)
    return kept


def _body_dateline_and_signature(draft: _Draft, paras: list[str]) -> list[str]:
    if paras:
        m = BODY_DATELINE.match(paras[0])
        if m and (m["agency"] or m["city"].isupper()):
            draft.note("dateline", _city(m["city"]), "body-dateline", paras[0][: m.end()])
            if m["agency"]:
                draft.note("agency", canonical_agency(m["agency"]), "body-dateline", m.group())
    if paras:
        m = SIGNATURE.search(paras[-1])
        if m:
            draft.note("agency", canonical_agency(m["agency"]), "signature", m.group())
            draft.removed.append(m.group().strip())
            last = paras[-1][: m.start()].rstrip()
            paras = paras[:-1] + ([last] if last else [])
    return paras


def _from_fields(draft: _Draft, raw: RawDocument) -> None:
    """Structured metadata (JSONL/CSV fields, HTML meta) ranks first: the publisher said it."""
    rule = {"html": "html-meta", "jsonl": "export-field", "csv": "export-field"}.get(
        raw.format, "field"
    )
    for key, value in raw.fields:
        value = scrub_surrogates(value)
        if key == "published":
            iso = parse_date_field(value)
            if iso:
                draft.note("published", iso, rule, value)
            elif "published" not in draft.meta:
                # say why the field gave no date (the value stays empty: none was invented)
                draft.evidence.append(
                    Evidence(
                        "published", "", "date-refused", f"not a full calendar date: {value}"[:200]
                    )
                )
        elif key == "url":
            draft.note("url", value, rule, value)
        elif key == "title":
            draft.note("title", " ".join(value.split()), rule, value)
        elif key == "agency":
            draft.note("agency", canonical_agency(value), rule, value)
        elif key in ("outlet", "dateline"):
            draft.note(key, value, rule, value)
    url = draft.meta.get("url")
    if url and outlet_from_url(url):
        draft.note("outlet", outlet_from_url(url) or "", "url-host", url)
    host = raw.field("outlet_host")
    if host:
        draft.note("outlet", host.removeprefix("www."), "html-host", host)


def _from_path(draft: _Draft, path: str) -> None:
    posix = PurePath(path).as_posix()
    m = FOLDER_DATE.search(posix)
    if m:
        iso = _iso(*(int(x) for x in reversed(m[1].split("-"))))
        if iso:
            draft.note("published", iso, "folder-name", m[1])
    m = FOLDER_OUTLET.search(posix)
    if m:
        name = OUTLET_NAMES.get(m["outlet"].lower(), m["outlet"])
        draft.note("outlet", name, "folder-name", m.group().strip("/"))


# An outlet naming itself: "As ET had reported, the joint venture ..." (past perfect: what
# this outlet reported before; "as Reuters reported" cites someone else and is not matched)
SELF_REFERENCE = re.compile(
    r"\b[Aa]s (?P<outlet>[A-Z][\w&.'-]*(?: [A-Z][\w&.'-]*){0,3}) had "
    r"(?:earlier |first |previously |exclusively |already )?reported\b"
)


def _outlet_self_reference(draft: _Draft, body: str) -> None:
    """Lowest-priority outlet: the name the text uses for its own earlier reporting."""
    if "outlet" in draft.meta:
        return
    m = SELF_REFERENCE.search(body)
    if m and m["outlet"].lower() not in {"it", "we", "the", "this", "they"}:
        draft.note("outlet", m["outlet"], "self-reference", m.group())


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub_surrogates(text: str) -> str:
    """Replace lone UTF-16 surrogates, which JSON escapes can produce, with U+FFFD."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def article_id(source: str, text: str) -> str:
    """Content hash of the cleaned text plus its source: stable across runs and machines."""
    digest = hashlib.sha256(f"{source}\x00{text}".encode()).hexdigest()
    return digest[:16]


def source_key(raw: RawDocument, url: str | None) -> str:
    """What identifies a document's origin for its id: its URL, else its file name (and
    record number inside an export), so re-ingesting from another folder adds nothing."""
    if url:
        return url
    name = PurePath(raw.source_path).name
    return f"{name}#{raw.record_no}" if raw.record_no is not None else name


def clean(raw: RawDocument) -> Article:
    """Clean one document into an Article (pure: no I/O)."""
    # Lone surrogates (JSON "\\ud800" escapes) cannot be stored as UTF-8: replace them.
    text = scrub_surrogates(raw.text)
    # "\/" is an escaped slash (PTB tokenisers and JSON writers write "/" so): a reader
    # never means the backslash ("oil\/water", "P\/L"), and every output would show it
    text = text.replace("\\/", "/")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = text.lstrip("\ufeff")
    if looks_ptb_tokenised(text):  # before the furniture rules, which read ordinary prose
        # a sentence splitter broke Reuters' tickers: "BP Plc -LRB- BP.\nL -RRB- failed to …"
        text = TICKER_BREAK.sub(r"\1\2\3", text)
        # The Guardian's key points under a headline, their bullets decoded as "cents":
        # "Deepwater Horizon oil spill : City slashes … value cents Cost of rescue … cents …"
        text = GUARDIAN_BULLET.sub("\n", text)
        # key points with no headline above them: the first is no headline either
        bullets_first = text.startswith("cents ")
        text = GUARDIAN_LEAD_BULLET.sub("", text)
        text = detokenise_ptb(text)
    else:
        bullets_first = False
    draft = _Draft(path=raw.source_path, lines=text.split("\n"), bullets_first=bullets_first)
    _from_fields(draft, raw)
    _header_line(draft)
    _strip_furniture(draft)
    paras = _paragraphs(draft.lines)
    if raw.format == "text":
        paras = _title_and_header(draft, paras)
    paras = _body_dateline_and_signature(draft, paras)
    _from_path(draft, raw.source_path)
    body = "\n\n".join(paras)
    _outlet_self_reference(draft, body)
    url = draft.meta.get("url")
    return Article(
        id=article_id(source_key(raw, url), body),
        source_path=raw.source_path,
        title=draft.meta.get("title"),
        outlet=draft.meta.get("outlet"),
        agency=draft.meta.get("agency"),
        dateline=draft.meta.get("dateline"),
        published=draft.meta.get("published"),
        text=body,
        url=url,
        removed=tuple(draft.removed),
        evidence=tuple(draft.evidence),
    )


def split_document(article: Article, limit: int) -> list[Article]:
    """``article`` as consecutive parts of at most ``limit`` characters each, cut at paragraph
    (else line, sentence, word) boundaries (:func:`newsweave.pieces.text_pieces`); an article
    within the limit is returned as it is.

    Each part is an article of its own through every stage (so no stage ever holds more than
    ``limit`` characters of one document), with the document's metadata, "(part k of n)"
    after its title, and an id hashed from the document's id, the part number and the part's
    text (stable across runs). The furniture cleaning removed is kept with the first part.
    """
    if len(article.text) <= limit:
        return [article]
    pieces = [(s, e) for s, e in text_pieces(article.text, limit) if article.text[s:e].strip()]
    parts = []
    for k, (start, end) in enumerate(pieces, 1):
        text = article.text[start:end].strip()
        label = f"part {k} of {len(pieces)}"
        parts.append(
            replace(
                article,
                id=article_id(f"{article.id}#{k}", text),
                title=f"{article.title} ({label})" if article.title else label.capitalize(),
                text=text,
                removed=article.removed if k == 1 else (),
            )
        )
    return parts
