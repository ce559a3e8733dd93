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
