"""``csv``: one article per row (lists and objects as JSON text), streamed.

Article text is untrusted, and spreadsheets run a cell that starts with ``=`` as a formula
(``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``, ``@SUM(...)``). The one escaping rule of this
format, :func:`cell`, follows OWASP's CSV-injection guidance: a cell whose first character is
``=``, ``+``, ``-``, ``@``, a tab, a carriage return, a line feed or NUL (or a full-width
``＝ ＋ － ＠``) gets a leading apostrophe, which spreadsheets read as "this is text". Every
cell is quoted as RFC 4180 says when it holds a separator, quote or line break, so no value
can start a cell of its own.
"""

from __future__ import annotations

import csv
import json
from typing import TextIO

from newsweave.export import ARTICLE_KEYS, iter_article_dicts
from newsweave.formats.base import Format
from newsweave.store import Store


def write_csv(store: Store, out: TextIO) -> None:
    writer: csv.DictWriter | None = None
    for row in iter_article_dicts(store):
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({k: cell(v) for k, v in row.items()})
    if writer is None:
        csv.writer(out).writerow(ARTICLE_KEYS)


#: First characters that make a spreadsheet read a cell as a formula (OWASP, ASVS 1.2.10).
FORMULA_START = frozenset("=+-@\t\r\n\0\uff1d\uff0b\uff0d\uff20")


def cell(value: object) -> object:
    """One CSV cell: lists and objects as JSON text; a text that a spreadsheet would run as a
    formula gets a leading apostrophe (see the module docstring)."""
    if isinstance(value, (list, tuple, dict)):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


CSV = Format("csv", write_csv, "text/csv; charset=utf-8", "csv", "one article per row")
