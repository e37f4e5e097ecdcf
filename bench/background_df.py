"""Build ``src/newsweave/data/background-df.json.gz``: the document frequencies entity
resolution weighs article words with (its TF-IDF relatedness, :mod:`newsweave.entities`).

A fixed background, not the store's own corpus: relatedness of two articles then depends on
those two articles only, so resolution can run incrementally and give the same entities
whatever order or batches the articles arrive in (issue #14).

Made from Timeline17's six topics in ``../shared/data/timeline17`` (3,449 real news articles:
the BP oil spill, the Egyptian protests, the financial crisis, the Haiti earthquake, the Iraq
and Libya wars): each text lower-cased, tokenised and stop-worded exactly as
``newsweave.entities.text_facts`` does, and each term's document frequency kept when it is at
least 2 (rarer terms weigh as df 1). Only counts are kept, no text.

    .venv/bin/python bench/background_df.py [--data ../shared/data/timeline17] [--out PATH]

Prints one JSON object (documents, terms, bytes, sha256) on its last line.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
from collections import Counter
from pathlib import Path

from _common import default_data, emit
from newsweave.entities import _TFIDF_TOKEN, _stop_words

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "newsweave" / "data" / "background-df.json.gz"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=default_data("timeline17"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    stop = _stop_words()
    df: Counter[str] = Counter()
    n = 0
    for path in sorted(args.data.glob("*/InputDocs/*/*.txt")):
        n += 1
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        df.update({t for t in _TFIDF_TOKEN.findall(text) if t not in stop})
    kept = {t: c for t, c in sorted(df.items()) if c >= 2}
    blob = json.dumps({"documents": n, "df": kept}, separators=(",", ":")).encode()
    data = gzip.compress(blob, compresslevel=9, mtime=0)
    args.out.write_bytes(data)
    emit(
        {
            "documents": n,
            "terms": len(kept),
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    )


if __name__ == "__main__":
    main()
