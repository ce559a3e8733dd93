"""The long fuzz profile: more than 10,000 generated inputs (JSONL, CSV, Parquet, text folders, texts through the
coder, mutated codebooks, whole builds) checked against the invariants of tests/test_fuzz.py.

    python benchmarks/fuzz.py               # the long profile (about 6 minutes on 2 shared cores)
    python benchmarks/fuzz.py --scale 0.1   # a tenth of it
    python benchmarks/fuzz.py --profile ci  # what CI runs

Prints inputs, records, documents, rejects, failures (crashes or lost records: any is a failing invariant) and time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=["ci", "long"], default="long")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the long profile's examples by this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stats_path = Path(tmp) / "stats.json"
        env = {**os.environ, "EVENTS_FUZZ": args.profile, "EVENTS_FUZZ_SCALE": str(args.scale),
               "EVENTS_FUZZ_STATS": str(stats_path), "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py"],
                             cwd=ROOT, env=env)
        elapsed = time.perf_counter() - start
        stats = json.loads(stats_path.read_text()) if stats_path.is_file() else {}
    print()
    print(f"profile {args.profile} (scale {args.scale}): {stats.get('inputs', 0):,} inputs in {elapsed:,.0f} s")
    for key, value in stats.items():
        print(f"  {key:<16} {value:>10,}")
    verdict = "0 crashes, 0 lost good records, verify clean after every build" if run.returncode == 0 else \
        "FAILED: see the pytest report above (hypothesis prints the smallest failing input)"
    print(f"  {verdict}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
