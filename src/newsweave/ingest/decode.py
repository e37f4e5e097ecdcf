"""Bytes -> text, for whatever encoding a scraper or archive produced.

Order: byte-order marks (UTF-8, UTF-16/32), then UTF-16 without a BOM (detected by its zero
bytes; ASCII-only UTF-16 is valid UTF-8 too, so this comes first), then strict UTF-8, then a
file mixing UTF-8 and cp1252/latin-1 lines (concatenated exports) decoded line by line, then
cp1252 for Western text, then charset-normalizer's best guess, then cp1252 with replacement so
decoding never fails. Binary files are refused before guessing.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from newsweave.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Control characters that never appear in text files (tab, LF, CR, FF excluded).
_CONTROL = bytes(range(0, 32)).translate(None, b"\t\n\r\x0c")


def _looks_utf16(sample: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII-range text has a zero in every other byte."""
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_zero = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_zero > 0.3 and even_zero < 0.05:
        return "utf-16-le"
    if even_zero > 0.3 and odd_zero < 0.05:
        return "utf-16-be"
    return None


# What non-ASCII text in English news written in cp1252/latin-1 looks like: Latin-1 letters
# and the typographic punctuation cp1252 adds (curly quotes, dashes, ellipsis, euro ...).
_WESTERN_EXTRA = frozenset("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ") | frozenset(map(chr, range(0xA0, 0x100)))


def _western(data: bytes) -> str | None:
    """cp1252 when it decodes cleanly into plausible Western text. Statistical detectors
    misjudge short English texts with a few accented letters (café -> cafť in cp1250)."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    high = [ch for ch in text if ord(ch) > 127]
    if any(ch not in _WESTERN_EXTRA for ch in high):
        return None
    # Mostly-accented text is more likely another single-byte code page (cp1251 Cyrillic
    # decodes "cleanly" as Latin-1 letters): leave it to the statistical detector.
    letters = sum(1 for ch in text if ch.isalpha())
    return text if len(high) <= 0.2 * max(letters, 1) else None


def _mixed_utf8(data: bytes) -> str | None:
    """A file whose lines are partly UTF-8 (with non-ASCII text) and partly cp1252/latin-1,
    as when exports from two systems are concatenated: each line is decoded on its own, UTF-8
    where it is valid, else cp1252, so neither half becomes mojibake. None when no line holds
    non-ASCII UTF-8, or a legacy line does not read as Western text (not this case)."""
    out: list[str] = []
    utf8_lines = 0
    for line in data.splitlines(keepends=True):
        try:
            out.append(line.decode("utf-8"))
            utf8_lines += not line.isascii()
            continue
        except UnicodeDecodeError:
            pass
        try:
            legacy = line.decode("cp1252")
        except UnicodeDecodeError:  # one of the five bytes cp1252 leaves undefined
            return None
        if any(ord(ch) > 127 and ch not in _WESTERN_EXTRA for ch in legacy):
            return None
        out.append(legacy)
    return "".join(out) if utf8_lines else None


def decode_bytes(data: bytes, path: str) -> str:
    """Decode a document's bytes; raise InputError('PATH: binary file ...') for non-text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    sample = data[:65536]
    # Before UTF-8: ASCII-only UTF-16 (zero bytes between the letters) is valid UTF-8 too.
    utf16 = _looks_utf16(sample) if 0 in sample else None
    if utf16:
        return data.decode(utf16, errors="replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    controls = sum(sample.count(c) for c in _CONTROL)
    if sample and controls / len(sample) > 0.01:
        raise InputError(path, "binary file (not text); skipped")
    if text is not None:
        return text
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed
    western = _western(data)
    if western is not None:
        return western
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
    return data.decode("cp1252", errors="replace")
