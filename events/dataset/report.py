"""`events report DIR --out report.html`: one self-contained HTML page to look at a dataset before querying it.

The numbers are `events.dataset.info.info()`'s, the same `events info` prints; they are embedded as JSON
(`<script type="application/json" id="summary">`) and drawn with Plotly (an optional dependency: the `report`
extra), whose JavaScript is inlined once, with the first figure, so the file opens offline. Charts: events per
month by quad class, the top dyads' events per month, events by CAMEO root and by PLOVER type; tables: totals,
coverage and rejects, and the `events` events with most mentions (at most `MAX_EVENTS`, a note says how many were
left out), each linking to its mentions (at most `MAX_MENTIONS` each) with the sentence and the source, target and
verb spans highlighted. Everything drawn is an aggregate or capped, so the page stays a few megabytes whatever
the size of the dataset (plotly.js itself is about 4.6 MB).

The page is deterministic: figure ids are fixed, rows are sorted with ties broken by id, and nothing reads the clock.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from events.dataset.info import info

MAX_EVENTS = 200  # events listed in the table
MAX_MENTIONS = 5  # mentions shown per listed event
QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}


class ReportError(Exception):
    pass


def _plotly():
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise ReportError("events report needs Plotly: pip install 'events-coder[report]' (or pip install plotly)") from None
    return go


def report(out: str | Path, target: str | Path, root_labels: dict[str, str] | None = None,
           max_events: int = MAX_EVENTS) -> dict:
    """Write the report of the dataset in `out` to `target`; return the summary it shows (`info()`'s)."""
    go = _plotly()
    out = Path(out)
    summary = info(out, root_labels)
    figures = [("per-month", "Events per month by quad class", _per_month(go, summary)),
               ("dyads", "Top dyads: events per month", _dyads(go, summary)),
               ("roots", "Events by CAMEO root", _roots(go, summary)),
               ("plover", "Events by PLOVER type", _plover(go, summary))]
    parts = []
    for i, (div_id, title, figure) in enumerate(figures):
        figure.update_layout(title=title, height=380, margin={"t": 50, "b": 40, "l": 50, "r": 20}, template="plotly_white")
        parts.append(figure.to_html(full_html=False, include_plotlyjs=i == 0, div_id=f"fig-{div_id}",
                                    config={"displaylogo": False, "responsive": True}))
    events, listed_of = _top_events(out, max_events)
    page = _PAGE.format(
        title=html.escape(f"events report: {out.name or out.as_posix()}"),
        heading=html.escape(out.as_posix()),
        facts=_facts(summary),
        figures="\n".join(f'<section class="figure">{part}</section>' for part in parts),
        events=_events_table(events, listed_of, summary),
        summary=json.dumps(summary, ensure_ascii=False, sort_keys=True).replace("</", "<\\/"),
    )
    Path(target).write_text(page, encoding="utf-8")
    return summary


def months_between(months) -> list[str]:
    """Every month from the first to the last of `months` ("YYYY-MM"), so that a chart shows the gaps.

    >>> months_between(["2020-11", "2021-02", "2020-12"])
    ['2020-11', '2020-12', '2021-01', '2021-02']
    """
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:])
    out = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        out.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _per_month(go, summary):
    rows = summary["events_per_month"]
    months = months_between([r["month"] for r in rows])
    figure = go.Figure()
    for quad, name in QUAD_NAMES.items():
        counts = {r["month"]: r["events"] for r in rows if r["quad_class"] == quad}
        figure.add_trace(go.Bar(name=f"{quad} {name}", x=months, y=[counts.get(m, 0) for m in months]))
    figure.update_layout(barmode="stack", xaxis={"type": "category"}, yaxis_title="events")
    return figure


def _dyads(go, summary):
    dyads = summary["top_dyads"]
    months = months_between([r["month"] for r in summary["events_per_month"]])
    figure = go.Figure()
    for d in dyads:
        figure.add_trace(go.Scatter(name=f"{d['source']} → {d['target']}", x=months, mode="lines+markers",
                                    y=[d["per_month"].get(m, 0) for m in months]))
    figure.update_layout(xaxis={"type": "category"}, yaxis_title="events")
    return figure


def _roots(go, summary):
    roots = sorted(summary["event_roots"], key=lambda r: r["root"] or "")
    return go.Figure(go.Bar(x=[f"{r['root']} {(r['label'] or '').lower()}" for r in roots], y=[r["events"] for r in roots]))


def _plover(go, summary):
    types = summary["plover_types"]
    return go.Figure(go.Bar(x=[t["plover_event"] or "(none)" for t in types], y=[t["events"] for t in types]))


def _facts(summary: dict) -> str:
    totals, coverage, cb = summary["totals"], summary["coverage"], summary["codebook"]
    rows = [
        ("codebook", cb.get("label") or f"{cb.get('name')} {cb.get('version')}"),
        ("documents", f"{totals.get('documents', 0):,} ({coverage['documents_coded']:,} with an event: "
                      f"{coverage['share_documents_coded']:.1%})"),
        ("sentences", f"{totals.get('sentences', 0):,} ({coverage['sentences_coded']:,} with an event: "
                      f"{coverage['share_sentences_coded']:.1%}; {coverage['sentences_not_coded']:,} over the coder's budget)"),
        ("mentions", f"{totals.get('mentions', 0):,}"),
        ("events", f"{totals.get('events', 0):,}"),
        ("rejected records", f"{totals.get('rejected', 0):,}" + "".join(
            f"; {code}: {n:,}" for code, n in sorted((totals.get("rejected_by_code") or {}).items()))),
    ]
    return "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)


def _top_events(out: Path, limit: int):
    """The `limit` events with most mentions (ties: date, then id), and their first mentions by event id."""
    import polars as pl

    files = sorted((out / "events").glob("year=*/month=*/*.parquet"))
    if not files:
        return [], {}
    columns = ["global_event_id", "event_date", "source_actor", "source_name", "target_actor", "target_name",
               "event_code", "event_label", "num_mentions"]
    plover = "plover_event" in pl.read_parquet_schema(files[0])
    events = (pl.scan_parquet(files, hive_partitioning=False).select(columns + (["plover_event"] if plover else []))
              .sort(["num_mentions", "event_date", "global_event_id"], descending=[True, False, False])
              .head(limit).collect())
    ids = events["global_event_id"].implode()
    mention_files = sorted((out / "mentions").glob("year=*/month=*/*.parquet"))
    mentions = (pl.scan_parquet(mention_files, hive_partitioning=False)
                .filter(pl.col("global_event_id").is_in(ids))
                .select("global_event_id", "event_id", "doc_id", "sentence_index", "pub_date", "sentence_text",
                        "source_start", "source_end", "target_start", "target_end", "verb_start", "verb_end")
                .sort(["global_event_id", "pub_date", "doc_id", "sentence_index", "event_id"])
                .collect()) if mention_files else None
    listed: dict[str, list[dict]] = {}
    for row in (mentions.iter_rows(named=True) if mentions is not None else ()):
        shown = listed.setdefault(row["global_event_id"], [])
        if len(shown) < MAX_MENTIONS:
            shown.append(row)
    return events.to_dicts(), listed


def highlight(text: str, spans: list[tuple[int | None, int | None, str]]) -> str:
    """`text` as HTML with each (start, end, class) span in a <mark>; where spans overlap, the earlier-listed wins.

    >>> highlight("Iran met Russia", [(0, 4, "src"), (9, 15, "tgt"), (5, 8, "verb")])
    '<mark class="src">Iran</mark> <mark class="verb">met</mark> <mark class="tgt">Russia</mark>'
    """
    owner: list[str | None] = [None] * len(text)
    for start, end, cls in spans:
        if start is None or end is None:
            continue
        for i in range(max(start, 0), min(end, len(text))):
            if owner[i] is None:
                owner[i] = cls
    out, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and owner[j] == owner[i]:
            j += 1
        piece = html.escape(text[i:j])
        out.append(f'<mark class="{owner[i]}">{piece}</mark>' if owner[i] else piece)
        i = j
    return "".join(out)


def _events_table(events: list[dict], listed: dict[str, list[dict]], summary: dict) -> str:
    total = summary["totals"].get("events", 0)
    note = (f"The {len(events):,} events with most mentions of {total:,}" if total > len(events) else f"All {total:,} events") \
        + f"; up to {MAX_MENTIONS} mentions each, with the source, target and verb highlighted."
    rows = []
    for e in events:
        gid = html.escape(e["global_event_id"])
        mentions = listed.get(e["global_event_id"], [])
        items = "".join(
            f'<li id="m-{html.escape(m["event_id"])}"><span class="doc">{html.escape(m["doc_id"])} '
            f'#{m["sentence_index"] + 1} ({m["pub_date"]})</span> '
            + highlight(m["sentence_text"], [(m["source_start"], m["source_end"], "src"),
                                             (m["target_start"], m["target_end"], "tgt"),
                                             (m["verb_start"], m["verb_end"], "verb")]) + "</li>"
            for m in mentions)
        more = e["num_mentions"] - len(mentions)
        items += f"<li class='more'>… and {more:,} more</li>" if more > 0 else ""
        rows.append(
            f'<tr id="e-{gid}"><td>{e["event_date"]}</td><td>{html.escape(e["source_actor"])}<br>'
            f'<small>{html.escape(e["source_name"] or "")}</small></td>'
            f'<td>{html.escape(e["target_actor"] or "")}<br><small>{html.escape(e["target_name"] or "")}</small></td>'
            f'<td>{html.escape(e["event_code"])} <small>{html.escape(e["event_label"] or "")}</small></td>'
            f'<td>{html.escape(e.get("plover_event") or "")}</td><td class="n">{e["num_mentions"]:,}</td>'
            f'<td><details><summary><a href="#e-{gid}">mentions</a></summary><ol>{items}</ol></details></td></tr>')
    return (f'<p class="note">{html.escape(note)}</p><table class="events"><thead><tr><th>date</th><th>source</th>'
            '<th>target</th><th>CAMEO</th><th>PLOVER</th><th>mentions</th><th>sentences</th></tr></thead><tbody>'
            + "\n".join(rows) + "</tbody></table>")


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 1200px; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
th, td {{ text-align: left; padding: 0.25em 0.6em; border-bottom: 1px solid #ddd; vertical-align: top; }}
td.n {{ text-align: right; }}
.figure {{ margin: 1em 0; }}
.note {{ color: #555; }}
mark.src {{ background: #cfe3ff; }}
mark.tgt {{ background: #ffd9c2; }}
mark.verb {{ background: #d4f5c9; font-weight: bold; }}
.doc {{ color: #777; font-size: 0.85em; }}
ol {{ margin: 0.3em 0; padding-left: 1.4em; }}
</style>
</head>
<body>
<h1>{heading}</h1>
<table class="facts">
{facts}
</table>
<p class="note">Highlights: <mark class="src">source</mark> <mark class="tgt">target</mark> <mark class="verb">verb</mark>.
Numbers as <code>events info</code> gives them; the JSON in the element with id "summary" holds them all.</p>
{figures}
<h2>Events</h2>
{events}
<script type="application/json" id="summary">{summary}</script>
</body>
</html>
"""
