"""Benchmark: size and time of `events report` on a large synthetic dataset (the report must stay under 10 MB).

    python benchmarks/report_size.py [--events 1000000] [--dataset DIR] [--keep DIR]

Builds the seed dataset (or takes --dataset, a dataset built by `events build`), then tiles its events and mentions
into a dataset of --events events over ten years with a few thousand dyads and one mention each, written as the
builder lays them out (events/ and mentions/ partitioned by year and month, a manifest with the new totals), and
times `events report` and `events info` on it. Prints one JSON line: events, seconds, report bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def synthesize(source: Path, target: Path, n: int) -> None:
    import polars as pl

    events = pl.read_parquet(sorted((source / "events").glob("year=*/month=*/*.parquet")), hive_partitioning=False)
    mentions = pl.read_parquet(sorted((source / "mentions").glob("year=*/month=*/*.parquet")), hive_partitioning=False)
    first = {row["global_event_id"]: row for row in mentions.unique("global_event_id", keep="first").iter_rows(named=True)}
    countries = ["USA", "CHN", "RUS", "IRN", "ISR", "TUR", "IND", "PAK", "GBR", "FRA", "DEU", "UKR", "EGY", "SAU",
                 "SYR", "IRQ", "AFG", "JPN", "KOR", "PRK", "BRA", "MEX", "NGA", "ZAF", "ETH", "SDN", "LBY", "YEM"]
    roles = ["", "GOV", "MIL", "CVL", "OPP", "REB"]
    index = pl.DataFrame({"i": range(n)})
    base = events.with_row_index("k")
    tiled = (index.with_columns((pl.col("i") % base.height).alias("k"))
             .join(base, on="k", how="left").drop("k"))
    day0 = dt.date(2015, 1, 1)
    src = [countries[i % len(countries)] + roles[(i // 7) % len(roles)] for i in range(n)]
    tgt = [countries[(i * 7 + 3) % len(countries)] + roles[(i // 11) % len(roles)] for i in range(n)]
    tiled = tiled.with_columns(
        pl.Series("source_actor", src), pl.Series("target_actor", tgt),
        (pl.lit(day0) + pl.duration(days=pl.col("i") * 3653 // n)).alias("event_date"),
        pl.col("i").map_elements(lambda i: hashlib.sha256(str(i).encode()).hexdigest()[:20], return_dtype=pl.String)
        .alias("new_id"),
        (pl.col("i") % 5 + 1).cast(pl.Int32).alias("num_mentions"),
    )
    template = mentions.head(0)
    mention_rows = tiled.select("new_id", "global_event_id", "event_date", "source_actor", "target_actor")
    sample = pl.DataFrame([first[g] for g in events["global_event_id"]])
    m = (mention_rows.join(sample.drop("event_date", "source_actor", "target_actor"), on="global_event_id", how="left")
         .drop("global_event_id").rename({"new_id": "global_event_id"})
         .with_columns(pl.col("global_event_id").alias("event_id")))
    m = m.select(template.columns).cast(dict(template.schema))
    e = tiled.drop("global_event_id", "i").rename({"new_id": "global_event_id"}).select(events.columns).cast(dict(events.schema))
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    outputs = []
    for table, frame in (("events", e), ("mentions", m)):
        frame = frame.with_columns(pl.col("event_date").dt.year().alias("_y"), pl.col("event_date").dt.month().alias("_m"))
        for (year, month), part in frame.group_by("_y", "_m", maintain_order=True):
            path = target / table / f"year={year}" / f"month={month:02d}" / "part-0.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            part.drop("_y", "_m").write_parquet(path)
            data = path.read_bytes()
            outputs.append({"path": path.relative_to(target).as_posix(), "bytes": len(data),
                            "sha256": hashlib.sha256(data).hexdigest(), "rows": part.height, "table": table})
    manifest["outputs"] = outputs
    manifest["totals"].update({"events": n, "mentions": n, "documents": n // 3, "sentences": n * 10})
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--dataset", type=Path, help="a built dataset to tile (default: the seed dataset)")
    parser.add_argument("--keep", type=Path, help="write the synthetic dataset here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = args.dataset
        if source is None:
            source = tmp / "seed"
            subprocess.run([sys.executable, "-m", "events", "build", str(ROOT / "seeds"), "--out", str(source)],
                           check=True, capture_output=True)
        big = args.keep or tmp / "big"
        started = time.perf_counter()
        synthesize(source, big, args.events)
        made = time.perf_counter() - started
        html = tmp / "report.html"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "events", "report", str(big), "--out", str(html)], check=True)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "events", "info", str(big)], check=True, capture_output=True)
        info_seconds = time.perf_counter() - started
        print(json.dumps({"events": args.events, "synthesize_s": round(made, 1), "report_s": round(seconds, 1),
                          "info_s": round(info_seconds, 1), "report_bytes": html.stat().st_size}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
