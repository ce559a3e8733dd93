"""Hand-check sample of event locations: code a corpus, take 100 located mentions deterministically, print each
sentence with the place it was given, for a person to read and tally (README "Where events happened").

    python benchmarks/places_sample.py [--corpus FILE] [--n 100] [--seed geo-2020]

The sample is the located mentions with the lowest sha256(seed + event_id): the same corpus, codebook and code give
the same sample. Prints one block per mention: number, document, how it was placed, the place (type, country,
ADM1, coordinates), the words that placed it, and the sentence.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews_2020_docs.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", default="geo-2020")
    args = ap.parse_args()

    from events.codebook.compiler import compile_codebook
    from events.codebook.loader import load_codebook
    from events.coding.parse import load_parser
    from events.dataset.pipeline import code_batch
    from events.ingest.documents import Document

    compiled = compile_codebook(load_codebook(), load_parser())
    docs = []
    for n, line in enumerate(args.corpus.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            r = json.loads(line)
            docs.append(Document(r["id"], r["text"], dt.date.fromisoformat(r["date"]), r.get("title"), r.get("url"),
                                 r.get("source"), args.corpus.name, n))
    mentions = code_batch(docs, compiled).mentions.to_pylist()
    located = [m for m in mentions if m["action_geo_type"] is not None]
    print(f"{len(mentions)} mentions, {len(located)} located "
          f"({', '.join(f'{k} {v}' for k, v in sorted(Counter(m['action_geo_source'] for m in located).items()))})")
    sample = sorted(located, key=lambda m: hashlib.sha256((args.seed + m["event_id"]).encode()).hexdigest())[: args.n]
    for k, m in enumerate(sorted(sample, key=lambda m: (m["doc_id"], m["sentence_index"], m["verb_start"])), 1):
        coords = f"{m['action_geo_lat']:.2f},{m['action_geo_lon']:.2f}" if m["action_geo_lat"] is not None else "-"
        print(f"\n[{k}] {m['doc_id']} s{m['sentence_index']} {m['source_actor']}>{m['target_actor'] or '*'} "
              f"{m['event_code']}  placed by {m['action_geo_source']} {m['action_geo_text']!r}")
        print(f"    -> {m['action_geo_name']} (type {m['action_geo_type']}, {m['action_geo_country']}, "
              f"{m['action_geo_adm1'] or '-'}, {coords})")
        print(f"    {m['sentence_text']}")


if __name__ == "__main__":
    main()
