"""`events info DIR`: what a dataset holds, at a glance, from its manifest and one pass over a few columns.

Counts per table and year come from the manifest (no data is read); the event roots, PLOVER types, events per month
by quad class and top dyads are summed from a few columns of the events table, the coverage (documents and
sentences with at least one mention) from two columns of the mentions table. `info()` is the one function that
computes these numbers (and the top countries and places where events happened,
from the `action_geo_*` columns): `events info` prints them and `events report` draws them (and embeds them as JSON).
"""

from __future__ import annotations

from pathlib import Path


class InfoError(Exception):
    pass


EVENT_COLUMNS = ["event_date", "source_actor", "target_actor", "source_name", "target_name", "event_root_code",
                 "quad_class", "num_mentions", "plover_event", "action_geo_type", "action_geo_name", "action_geo_country",
                 "action_geo_adm1"]


def info(out: str | Path, root_labels: dict[str, str] | None = None, top: int = 10, dyads: int = 10) -> dict:
    """A summary of the dataset in `out`: codebook, inputs, totals, rows per table and year, coverage, event roots
    (all, and the `top` first), PLOVER types, events per month by quad class, the `dyads` top dyads by month.

    Root labels come from the dataset's own `labels/event_codes.parquet` (the codebook that coded it); `root_labels`
    is the fallback for a dataset without one."""
    import polars as pl

    from events.dataset.manifest import read_manifest

    out = Path(out)
    try:
        manifest = read_manifest(out)
    except ValueError as exc:
        raise InfoError(str(exc)) from None
    years: dict[str, dict[str, int]] = {}
    for entry in manifest.get("outputs", []):
        parts = entry["path"].split("/")
        if len(parts) >= 3 and parts[1].startswith("year="):
            table_years = years.setdefault(entry["table"], {})
            year = parts[1].removeprefix("year=")
            table_years[year] = table_years.get(year, 0) + entry["rows"]
    codes = out / "labels" / "event_codes.parquet"
    if codes.is_file():
        table = pl.read_parquet(codes, columns=["code", "name", "root_code"])
        root_labels = {code: name for code, name, root in table.iter_rows() if code == root}
    events_files = sorted((out / "events").glob("year=*/month=*/*.parquet"))
    events = pl.concat([_read_events(f, out) for f in events_files]) if events_files else pl.DataFrame(
        schema={c: pl.Int64 if c in ("quad_class", "num_mentions", "action_geo_type") else pl.String for c in EVENT_COLUMNS})
    total = events.height or 1

    def counted(by: str, key: str) -> list[dict]:
        frame = (events.group_by(by).agg(pl.len().alias("events"), pl.col("num_mentions").sum().alias("mentions"))
                 .sort(["events", by], descending=[True, False], nulls_last=True))
        return [{key: row[by], "events": row["events"], "mentions": row["mentions"], "share": round(row["events"] / total, 4)}
                for row in frame.iter_rows(named=True)]

    roots = counted("event_root_code", "root")
    for root in roots:
        root["label"] = (root_labels or {}).get(root["root"])
    countries, places = _top_places(events, top) if events.height else ([], [])
    codebook = manifest.get("codebook", {})
    return {
        "engine": _last_engine(out),
        "path": out.as_posix(),
        "codebook": {k: codebook.get(k) for k in ("name", "version", "label", "content_hash")},
        "package": manifest.get("package", {}),
        "behaviour": manifest.get("behaviour", {}),
        "parser": {k: (manifest.get("parser") or {}).get(k) for k in ("name", "version", "content_hash")},
        "inputs": len(manifest.get("inputs", [])),
        "totals": manifest.get("totals", {}),
        "rows_per_year": {table: dict(sorted(counts.items())) for table, counts in sorted(years.items())},
        "coverage": _coverage(out, manifest.get("totals", {})),
        "event_roots": roots,
        "top_event_roots": roots[:top],
        "plover_types": counted("plover_event", "plover_event"),
        "events_per_month": _per_month(events),
        "top_dyads": _top_dyads(events, dyads),
        "top_countries": countries,
        "top_places": places,
    }


def _month():
    """The event's month, "YYYY-MM"."""
    import polars as pl

    return pl.col("event_date").cast(pl.Date).dt.strftime("%Y-%m").alias("month")


def _per_month(events) -> list[dict]:
    """Events per month and quad class, sorted by month then quad class."""
    import polars as pl

    frame = events.group_by(_month(), "quad_class").agg(pl.len().alias("events")).sort(["month", "quad_class"])
    return frame.to_dicts()


def _top_dyads(events, n: int) -> list[dict]:
    """The `n` (source, target) pairs with most events (ties by the codes), each with its events per month."""
    import polars as pl

    pairs = events.filter(pl.col("target_actor").is_not_null())
    top = (pairs.group_by("source_actor", "target_actor")
           .agg(pl.len().alias("events"), pl.col("num_mentions").sum().alias("mentions"),
                pl.col("source_name").drop_nulls().first(), pl.col("target_name").drop_nulls().first())
           .sort(["events", "source_actor", "target_actor"], descending=[True, False, False]).head(n))
    months = (pairs.join(top.select("source_actor", "target_actor"), on=["source_actor", "target_actor"])
              .group_by("source_actor", "target_actor", _month()).agg(pl.len().alias("events")).sort("month"))
    by_pair: dict[tuple, dict] = {}
    for row in months.iter_rows(named=True):
        by_pair.setdefault((row["source_actor"], row["target_actor"]), {})[row["month"]] = row["events"]
    return [{"source": row["source_actor"], "target": row["target_actor"], "source_name": row["source_name"],
             "target_name": row["target_name"], "events": row["events"], "mentions": row["mentions"],
             "per_month": by_pair.get((row["source_actor"], row["target_actor"]), {})} for row in top.iter_rows(named=True)]


def _coverage(out: Path, totals: dict) -> dict:
    """Documents and sentences in the dataset, how many of them hold at least one mention, and the shares."""
    import polars as pl

    files = sorted((out / "mentions").glob("year=*/month=*/*.parquet"))
    coded = (pl.scan_parquet(files, hive_partitioning=False).select("doc_id", "sentence_index")
             .select(pl.col("doc_id").n_unique().alias("documents"),
                     pl.struct("doc_id", "sentence_index").n_unique().alias("sentences")).collect().row(0)) \
        if files else (0, 0)
    documents, sentences = totals.get("documents", 0), totals.get("sentences", 0)
    return {"documents": documents, "documents_coded": coded[0], "sentences": sentences, "sentences_coded": coded[1],
            "sentences_not_coded": totals.get("sentences_not_coded", 0),
            "share_documents_coded": round(coded[0] / documents, 4) if documents else 0.0,
            "share_sentences_coded": round(coded[1] / sentences, 4) if sentences else 0.0}


def _top_places(events, top: int) -> tuple[list[dict], list[dict]]:
    """The countries and the places below country level (cities, provinces) where most events happened
    (action_geo_*), with their share of the events that have a place."""
    import polars as pl

    located = events.filter(pl.col("action_geo_country").is_not_null())
    total = located.height or 1
    by_country = (located.group_by("action_geo_country").agg(pl.len().alias("events"))
                  .sort(["events", "action_geo_country"], descending=[True, False]).head(top))
    below = located.filter(pl.col("action_geo_type") > 1)
    by_place = (below.group_by("action_geo_name", "action_geo_country", "action_geo_adm1").agg(pl.len().alias("events"))
                .sort(["events", "action_geo_country", "action_geo_name"], descending=[True, False, False], nulls_last=True)
                .head(top))
    countries = [{"country": r["action_geo_country"], "events": r["events"], "share": round(r["events"] / total, 4)}
                 for r in by_country.iter_rows(named=True)]
    places = [{"place": r["action_geo_name"], "country": r["action_geo_country"], "adm1": r["action_geo_adm1"],
               "events": r["events"], "share": round(r["events"] / total, 4)} for r in by_place.iter_rows(named=True)]
    return countries, places


def _last_engine(out: Path) -> dict | None:
    """The engine of the latest build that coded inputs, from `.events-builds.jsonl` (outside the manifest, so the
    data files and the manifest are the same bytes whatever the engine); None when the note is absent or unreadable."""
    import json

    from events.dataset.builder import BUILD_NOTES

    try:
        lines = (out / BUILD_NOTES).read_text(encoding="utf-8").splitlines()
        note = json.loads(lines[-1]) if lines else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return note if isinstance(note, dict) else None


def _read_events(path: Path, out: Path):
    import polars as pl

    try:
        frame = pl.read_parquet(path, hive_partitioning=False)
        for column in EVENT_COLUMNS:  # a dataset built before events 1.3.0 has no PLOVER nor place columns
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(None, pl.Int64 if column == "action_geo_type" else pl.String).alias(column))
        return frame.select(EVENT_COLUMNS)
    except Exception as exc:  # polars and the file system raise many types for a damaged file; each means unreadable
        raise InfoError(f"{path}: unreadable ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                        f"run `events verify {out}`") from None


def _engine_line(engine: dict | None) -> list[str]:
    """'  engine:    dask (LocalCluster, 2 workers)', when the dataset's build note says."""
    if not engine or not isinstance(engine.get("engine"), str):
        return []
    where = ", ".join(str(x) for x in (engine.get("scheduler"), f"{engine.get('workers')} workers" if engine.get("workers") else None) if x)
    return [f"  engine:    {engine['engine']}" + (f", {where}" if where else "") + " (the latest build that coded inputs)"]


def render_info(summary: dict) -> str:
    """The summary as text for people."""
    cb = summary["codebook"]
    totals = summary["totals"]
    lines = [
        f"{summary['path']}",
        f"  codebook:  {cb.get('label') or cb['name'] + ' ' + cb['version']} (content {str(cb['content_hash'])[:12]})",
        f"  parser:    {summary['parser']['name']} {summary['parser']['version']} "
        f"(content {str(summary['parser']['content_hash'])[:12]})",
        f"  built by:  events {summary['package'].get('version', '?')}  "
        + "  ".join(f"{v}" for v in summary["behaviour"].values()),
        f"  inputs:    {summary['inputs']:,}",
        *_engine_line(summary.get("engine")),
        "  totals:    " + "  ".join(f"{k}: {totals.get(k, 0):,}" for k in ("documents", "sentences", "mentions", "events", "rejected")),
    ]
    coverage = summary["coverage"]
    lines.append(f"  coded:     documents {coverage['documents_coded']:,} of {coverage['documents']:,} "
                 f"({coverage['share_documents_coded']:.1%}), sentences {coverage['sentences_coded']:,} of "
                 f"{coverage['sentences']:,} ({coverage['share_sentences_coded']:.1%})")
    if totals.get("rejected_by_code"):
        lines.append("  rejected:  " + "  ".join(f"{code}: {n:,}" for code, n in totals["rejected_by_code"].items()))
    all_years = sorted({y for counts in summary["rows_per_year"].values() for y in counts})
    if all_years:
        tables = [t for t in ("documents", "mentions", "events") if t in summary["rows_per_year"]]
        lines.append("")
        lines.append("  year  " + "".join(f"{t:>12}" for t in tables))
        for year in all_years:
            lines.append(f"  {year}  " + "".join(f"{summary['rows_per_year'][t].get(year, 0):>12,}" for t in tables))
    if summary["top_event_roots"]:
        lines.append("")
        lines.append(f"  {'top event roots':<40}{'events':>9}{'mentions':>11}{'share':>8}")
        for root in summary["top_event_roots"]:
            label = (root["label"] or "").lower()[:36]
            lines.append(f"  {root['root']:<4}{label:<36}{root['events']:>9,}{root['mentions']:>11,}{root['share']:>8.1%}")
    if any(p["plover_event"] for p in summary["plover_types"]):
        lines.append("")
        lines.append(f"  {'PLOVER types':<40}{'events':>9}{'mentions':>11}{'share':>8}")
        for p in summary["plover_types"]:
            lines.append(f"  {p['plover_event'] or '(none: CAMEO 01, 02)':<40}{p['events']:>9,}{p['mentions']:>11,}{p['share']:>8.1%}")
    if summary["top_dyads"]:
        lines.append("")
        lines.append(f"  {'top dyads':<40}{'events':>9}{'mentions':>11}")
        for d in summary["top_dyads"]:
            lines.append(f"  {d['source'] + ' -> ' + d['target']:<40}{d['events']:>9,}{d['mentions']:>11,}")
    if summary.get("top_countries"):
        lines.append("")
        lines.append(f"  {'top countries (where events happened)':<49}{'events':>9}{'share':>8}")
        for row in summary["top_countries"]:
            lines.append(f"  {row['country']:<49}{row['events']:>9,}{row['share']:>8.1%}")
    if summary.get("top_places"):
        lines.append("")
        lines.append(f"  {'top places':<49}{'events':>9}{'share':>8}")
        for row in summary["top_places"]:
            name = f"{row['place']}, {row['country']}"[:47]
            lines.append(f"  {name:<49}{row['events']:>9,}{row['share']:>8.1%}")
    return "\n".join(lines)
