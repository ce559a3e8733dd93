"""`events info DIR`: what a dataset holds, at a glance, from its manifest and one pass over the events table.

Counts per table and year come from the manifest (no data is read); the top event roots are summed from the
events table's `event_root_code` and `num_mentions` columns only, the top countries and places (where events
happened) from its `action_geo_*` columns.
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
    countries: list[dict] = []
    places: list[dict] = []
    events_files = sorted((out / "events").glob("year=*/month=*/*.parquet"))
    if events_files:
        events = pl.concat([_read_events(f, out) for f in events_files])
        countries, places = _top_places(events, top)
        frame = (
            events
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
        "path": out.as_posix(),
        "codebook": {k: codebook.get(k) for k in ("name", "version", "label", "content_hash")},
        "package": manifest.get("package", {}),
        "behaviour": manifest.get("behaviour", {}),
        "parser": {k: (manifest.get("parser") or {}).get(k) for k in ("name", "version", "content_hash")},
        "inputs": len(manifest.get("inputs", [])),
        "totals": manifest.get("totals", {}),
        "rows_per_year": {table: dict(sorted(counts.items())) for table, counts in sorted(years.items())},
        "top_event_roots": roots,
        "top_countries": countries,
        "top_places": places,
    }


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


def _read_events(path: Path, out: Path):
    import polars as pl

    try:
        return pl.read_parquet(path, columns=["event_root_code", "num_mentions", "action_geo_type", "action_geo_name",
                                              "action_geo_country", "action_geo_adm1"])
    except Exception as exc:  # polars and the file system raise many types for a damaged file; each means unreadable
        raise InfoError(f"{path}: unreadable ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}); "
                        f"run `events verify {out}`") from None


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
