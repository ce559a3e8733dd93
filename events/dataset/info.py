"""`events info DIR`: what a dataset holds, at a glance, from its manifest and one pass over the events table.

Counts per table and year come from the manifest (no data is read); the top event roots are summed from the
events table's `event_root_code` and `num_mentions` columns only.
"""

from __future__ import annotations

from pathlib import Path


class InfoError(Exception):
    pass


def info(out: str | Path, root_labels: dict[str, str] | None = None, top: int = 10) -> dict:
    """A summary of the dataset in `out`: codebook, inputs, totals, rows per table and year, top event roots.

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
    roots: list[dict] = []
    events_files = sorted((out / "events").glob("year=*/month=*/*.parquet"))
    if events_files:
        frame = (
            pl.concat([_read_events(f, out) for f in events_files])
            .group_by("event_root_code")
            .agg(pl.len().alias("events"), pl.col("num_mentions").sum().alias("mentions"))
            .sort(["events", "event_root_code"], descending=[True, False])
            .head(top)
        )
        total = sum(o["rows"] for o in manifest.get("outputs", []) if o.get("table") == "events") or 1
        for row in frame.iter_rows(named=True):
            roots.append({
                "root": row["event_root_code"],
                "label": (root_labels or {}).get(row["event_root_code"]),
                "events": row["events"],
                "mentions": row["mentions"],
                "share": round(row["events"] / total, 4),
            })
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
        "top_event_roots": roots,
    }


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
        return pl.read_parquet(path, columns=["event_root_code", "num_mentions"])
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
    return "\n".join(lines)
