"""Cutting a long text into bounded pieces at natural boundaries.

One function, used wherever a text too long to handle at once is handled in parts: the NER
model reads a long article in pieces (:mod:`newsweave.nlp`), and ingest reads a document
longer than an article can be as consecutive parts (:func:`newsweave.clean.split_document`).
A cut falls on the last paragraph break in the second half of the window, else the last line
break, sentence end or space, else exactly at the limit (a text with no boundary at all, such
as one 5 MB word, is still cut into bounded pieces).
"""

from __future__ import annotations

_CUTS = ("\n\n", "\n", ". ", " ")


def text_pieces(text: str, limit: int) -> list[tuple[int, int]]:
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
