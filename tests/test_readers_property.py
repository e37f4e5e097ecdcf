"""Property-based: random bytes and random text thrown at every reader and at cleaning.
Nothing may escape but newsweave's own typed errors (which readers yield, not raise)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsweave.clean import clean
from newsweave.errors import NewsweaveError
from newsweave.ingest.readers import READERS
from newsweave.records import RawDocument

FORMATS = sorted(READERS)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text shaped like our inputs: header lines, furniture, separators, JSON and CSV punctuation.
PIECES = st.sampled_from(
    [
        " date 2020-09-04 ",
        "Left Menu",
        "\n",
        "\n\n",
        "PTI | Moscow | Updated: 03-09-2020 21:24 IST | Created: 03-09-2020 21:09 IST",
        "Image Credit: ANI",
        "Topics : India",
        "2 min read Last Updated : Apr 28 2023 | 6:54 PM IST",
        "NEW DELHI: ",
        "(ANI)",
        '{"text": "',
        '"}',
        ",",
        '"',
        "<p>",
        "</p>",
        "<html>",
        "-LRB-",
        " , ",
        "``",
        "\ufeff",
        "\x00",
    ]
)
TEXTISH = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=30).map("".join)


def _run_reader(fmt: str, data: bytes) -> None:
    for item in READERS[fmt](f"fuzz.{fmt}", data):
        if isinstance(item, RawDocument):
            clean(item)
        else:
            assert isinstance(item, NewsweaveError)


@SETTINGS
@given(fmt=st.sampled_from(FORMATS), data=st.binary(max_size=2000))
def test_random_bytes(fmt: str, data: bytes) -> None:
    with contextlib.suppress(NewsweaveError):
        _run_reader(fmt, data)


@SETTINGS
@given(fmt=st.sampled_from(FORMATS), text=TEXTISH, encoding=st.sampled_from(["utf-8", "utf-16"]))
def test_random_text(fmt: str, text: str, encoding: str) -> None:
    with contextlib.suppress(NewsweaveError):
        _run_reader(fmt, text.encode(encoding, errors="surrogatepass"))


@SETTINGS
@given(text=TEXTISH, path=st.sampled_from(["a.txt", "x/bpoil_bbc/InputDocs/2010-05-24/1.htm.txt"]))
def test_clean_is_total(text: str, path: str) -> None:
    article = clean(RawDocument(source_path=path, text=text, format="text"))
    assert isinstance(article.text, str) and len(article.id) == 16
    assert Path(article.source_path).name == Path(path).name
