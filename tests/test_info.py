"""`events info`: codebook, totals, rows per table and year and top event roots, from manifest and events table."""

import json

from events.dataset.info import info, render_info


def test_info_counts_agree_with_the_manifest(seed_dataset, codebook):
    out, report = seed_dataset
    summary = info(out, {"04": "CONSULT"})
    assert summary["codebook"]["version"] == codebook.version and summary["inputs"] == 1
    for table, total in (("documents", report.documents), ("mentions", report.mentions), ("events", report.events)):
        assert sum(summary["rows_per_year"][table].values()) == total
    roots = summary["top_event_roots"]
    assert roots and sum(r["events"] for r in roots) <= report.events
    assert [r["events"] for r in roots] == sorted((r["events"] for r in roots), reverse=True)
    text = render_info(summary)
    assert codebook.name in text and "2024" in text


def test_info_cli(seed_dataset, tmp_path):
    from click.testing import CliRunner

    from events.cli import main

    out, report = seed_dataset
    result = CliRunner().invoke(main, ["info", str(out), "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["totals"]["documents"] == report.documents
    result = CliRunner().invoke(main, ["info", str(tmp_path)])
    assert result.exit_code == 3 and "manifest" in result.output


def test_info_labels_roots_with_the_datasets_own_codebook(seed_dataset, codebook):
    out, _ = seed_dataset
    summary = info(out, {"04": "a label from elsewhere"})
    names = {code: t.name for code, t in codebook.event_types.items()}
    assert all(root["label"] == names[root["root"]] for root in summary["top_event_roots"])
    assert f"codebook:  cameo@{codebook.version}" in render_info(summary)


def test_info_coverage_plover_months_and_dyads(seed_dataset, compiled):
    import polars as pl

    out, report = seed_dataset
    summary = info(out)
    mentions = pl.read_parquet(out / "mentions" / "**" / "*.parquet", hive_partitioning=False)
    events = pl.read_parquet(out / "events" / "**" / "*.parquet", hive_partitioning=False)
    coverage = summary["coverage"]
    assert (coverage["documents"], coverage["sentences"]) == (report.documents, report.sentences)
    assert coverage["sentences_coded"] == mentions.select("doc_id", "sentence_index").unique().height < report.sentences
    assert coverage["share_sentences_coded"] == round(coverage["sentences_coded"] / report.sentences, 4)
    types = {p["plover_event"]: p["events"] for p in summary["plover_types"]}
    assert types == {k: v for k, v in events.group_by("plover_event").len().iter_rows()}
    assert types["CONSULT"] == 2 and types[None] == events.filter(pl.col("event_root_code") == "01").height
    assert summary["events_per_month"] == [{"month": "2024-07", "quad_class": q, "events": n} for q, n in sorted(
        events.group_by("quad_class").len().iter_rows())]
    dyads = summary["top_dyads"]
    assert [d["events"] for d in dyads] == sorted((d["events"] for d in dyads), reverse=True)
    assert all(d["target"] for d in dyads) and dyads[0] == {
        "source": "RUSGOV", "target": "IRNGOV", "source_name": "Russia", "target_name": dyads[0]["target_name"],
        "events": 2, "mentions": 3, "per_month": {"2024-07": 2}}
    text = render_info(summary)
    assert "PLOVER types" in text and "RUSGOV -> IRNGOV" in text and "coded:" in text
