"""What placing events costs: the gazetteer's one-off build (time, peak RSS) and the coder's time with and without
placing, on the same documents in one process, alternating runs so that machine load hits both alike.

    python benchmarks/places_cost.py [--corpus FILE] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews_2020_docs.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    import events.coding.coder as coder
    from events.codebook.compiler import compile_codebook
    from events.codebook.loader import load_codebook
    from events.coding.parse import load_parser

    start = time.perf_counter()
    compiled = compile_codebook(load_codebook(), load_parser())
    print(f"codebook load + compile, parser load included: {time.perf_counter() - start:.2f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    gaz = compiled.gazetteer.get()
    print(f"gazetteer build: {time.perf_counter() - start:.2f} s, {len(gaz.index):,} names, peak RSS "
          f"+{(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024:.0f} MB "
          f"(now {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    texts = [(r["text"], dt.date.fromisoformat(r["date"]), r.get("title"))
             for r in map(json.loads, args.corpus.read_text(encoding="utf-8").splitlines()) if r]
    placing = coder.place_events
    parses: dict = {}
    parse = compiled.parser.parse

    def cached_parse(sentences, texts_):  # parse once, so that both runs time the coder, not the parser
        key = tuple(texts_)
        if key not in parses:
            parses[key] = parse(sentences, texts_)
        return parses[key]

    compiled.parser.parse = cached_parse
    coder.code_texts(texts, compiled)  # warm: fills the parse cache
    totals = {"with places": 0.0, "without": 0.0}
    for _ in range(args.rounds):
        for label in totals:
            coder.place_events = placing if label == "with places" else (lambda events, *a: events)
            start = time.perf_counter()
            coder.code_texts(texts, compiled)
            totals[label] += time.perf_counter() - start
    coder.place_events = placing
    with_, without = (totals[k] / args.rounds for k in ("with places", "without"))
    print(f"coder on {len(texts)} documents, parses cached, mean of {args.rounds}: {without:.2f} s without placing, "
          f"{with_:.2f} s with ({100 * (with_ - without) / without:+.1f} %)")


if __name__ == "__main__":
    main()
