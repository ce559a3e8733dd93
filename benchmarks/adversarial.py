"""Adversarial inputs, timed: every text must code in under 2 s, and every input file must read in linear time.

    python benchmarks/adversarial.py            # texts of 100 KB, files of 1 GiB uncompressed
    python benchmarks/adversarial.py --quick    # files of 64 MiB

Texts go through `events.dataset.pipeline.code_text` with the bundled codebook and parser (loaded once, not timed):
the findings of issue 13 ("." * 100000 + "a" took 178 s, "a." * 50000 + "x" 66 s, a 100 KB news-like sentence
15 s) and more of the same kind. Files go through `events.ingest.documents.read_documents`: a gzip file holding one
1 GiB line, and 1 GiB of blank lines (the first peaked at 2.2 GB, the second did not finish in 300 s); peak
memory is the process's maximum resident set size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NEWS = ("Iran's foreign minister met his Russian counterpart in Moscow on Tuesday, and the United States accused "
        "China of spying, ")


def texts() -> dict[str, str]:
    return {
        '"." * 100000 + "a"': "." * 100_000 + "a",
        '"a." * 50000 + "x"': "a." * 50_000 + "x",
        "100 KB news-like sentence": (NEWS * 1000)[:100_000],
        '"a. " * 33000 (abbreviation-like)': "a. " * 33_000,
        '"U.S. " * 20000': "U.S. " * 20_000,
        '"?!" * 50000': "?!" * 50_000,
        '".)" * 50000': ".)" * 50_000,
        '"a" * 100000 + "n\'t"': "a" * 100_000 + "n't",
        '"A-" * 50000 + "led"': "A-" * 50_000 + "led",
        '"\\n \\t" * 33000': "\n \t" * 33_000 + "x",
        '"on Tuesday " * 9000': "on Tuesday " * 9_000,
        '"MOSCOW " * 14000 (dateline)': "MOSCOW " * 14_000,
        '"“" * 100000 (quotation marks)': "“" * 100_000,
        '"Iran, " * 16000 (names)': "Iran, " * 16_000,
    }


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="files of 64 MiB instead of 1 GiB")
    args = parser.parse_args()

    from events.codebook.loader import load_codebook
    from events.codebook.compiler import compile_codebook
    from events.ingest.documents import DEFAULT_MAX_RECORD_BYTES, read_documents
    from events.coding.parse import load_parser
    from events.dataset.pipeline import code_text

    compiled = compile_codebook(load_codebook(), load_parser())
    code_text("Iran met Russia.", dt.date(2024, 7, 17), compiled)  # warm up the date parser
    worst = 0.0
    print(f"{'text':<45}{'chars':>9}{'events':>8}{'seconds':>9}")
    for name, text in texts().items():
        start = time.perf_counter()
        rows = code_text(text, dt.date(2024, 7, 17), compiled)
        elapsed = time.perf_counter() - start
        worst = max(worst, elapsed)
        print(f"{name:<45}{len(text):>9,}{len(rows):>8}{elapsed:>9.2f}", flush=True)
    print(f"slowest adversarial text: {worst:.2f} s ({'under' if worst < 2 else 'OVER'} the 2 s bound)")
    reference = " ".join(f"Officials in capital number {k} said Iran's foreign minister met his Russian counterpart on Tuesday."
                         for k in range(2000))[:100_000]
    start = time.perf_counter()
    rows = code_text(reference, dt.date(2024, 7, 17), compiled)
    elapsed = time.perf_counter() - start
    print(f"for scale, not adversarial: 100 KB of distinct news sentences ({reference.count('. ') + 1:,} sentences, "
          f"{len(rows):,} events): {elapsed:.2f} s, the coder's ordinary rate\n")

    size = (64 if args.quick else 1024) << 20
    good = json.dumps({"id": "after", "date": "2024-07-17", "text": "Iran met Russia."}).encode() + b"\n"
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("one long line, gzip", lambda h: _long_line(h, size)), ("blank lines", lambda h: _blank(h, size))):
            path = Path(tmp) / "in.jsonl.gz"
            with gzip.open(path, "wb", compresslevel=1) as handle:
                make(handle)
                handle.write(good)
            before = peak_mb()
            start = time.perf_counter()
            items = list(read_documents(path, set()))
            elapsed = time.perf_counter() - start
            kinds = [getattr(i, "code", None) or getattr(i, "id") for i in items]
            print(f"{name:<22} {size >> 20:>5} MiB uncompressed, {path.stat().st_size / 1e6:6.1f} MB gzip: {elapsed:6.1f} s, "
                  f"peak RSS {max(before, peak_mb()):.0f} MB (limit {DEFAULT_MAX_RECORD_BYTES >> 20} MiB), read {kinds}", flush=True)
            path.unlink()
    return 0 if worst < 2 else 1


def _long_line(handle, size: int) -> None:
    handle.write(b'{"id": "big", "date": "2024-07-17", "text": "')
    block = b"Iran met Russia. " * 4096
    for _ in range(size // len(block)):
        handle.write(block)
    handle.write(b'"}\n')


def _blank(handle, size: int) -> None:
    block = b"\n" * (1 << 20)
    for _ in range(size // len(block)):
        handle.write(block)


if __name__ == "__main__":
    sys.exit(main())
