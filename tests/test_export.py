"""`events export --format gdelt`: GDELT 2.0's 61 tab-separated event columns, filled only where we have data."""

import polars as pl
import pytest

from events.dataset.export import GDELT_COLUMNS, GDELT_MENTION_COLUMNS, export, gdelt_event_id

from conftest import shared_path


@pytest.fixture(scope="module")
def exported(seed_dataset, tmp_path_factory):
    out, _ = seed_dataset
    target = tmp_path_factory.mktemp("export") / "events.tsv"
    report = export(out, target)
    rows = [line.split("\t") for line in target.read_text(encoding="utf-8").split("\n")[:-1]]
    events = pl.read_parquet(out / "events" / "**" / "*.parquet", hive_partitioning=False)
    return report, rows, events


def test_export_gdelt_has_one_row_of_61_fields_per_event(exported):
    report, rows, events = exported
    assert report.rows == len(rows) == events.height > 0
    assert {len(r) for r in rows} == {61} == {len(GDELT_COLUMNS)}


def test_export_gdelt_fields_come_from_the_events_table(exported):
    _, rows, events = exported
    col = {name: i for i, name in enumerate(GDELT_COLUMNS)}
    for row, event in zip(rows, events.iter_rows(named=True)):
        assert int(row[col["GLOBALEVENTID"]]) == gdelt_event_id(event["global_event_id"]) < 2**63
        assert row[col["SQLDATE"]] == event["event_date"].strftime("%Y%m%d")
        assert row[col["MonthYear"]] == row[col["SQLDATE"]][:6] and row[col["Year"]] == row[col["SQLDATE"]][:4]
        assert (row[col["Actor1Code"]], row[col["EventCode"]]) == (event["source_actor"], event["event_code"])
        assert row[col["EventRootCode"]] == event["event_root_code"] and len(row[col["EventRootCode"]]) == 2
        assert int(row[col["NumMentions"]]) == event["num_mentions"]
        assert float(row[col["GoldsteinScale"]]) == event["goldstein"]
        assert row[col["SOURCEURL"]].startswith("http")
        assert row[col["Actor1Name"]] == event["source_name"].upper() and row[col["Actor1Name"]]
        assert row[col["Actor2Name"]] == (event["target_name"] or "").upper()
        assert row[col["IsRootEvent"]] == str(int(event["is_root_event"]))
        assert row[col["DATEADDED"]] == event["first_pub_date"].strftime("%Y%m%d") + "000000"  # from the input, not the clock
        for empty in ("AvgTone", "ActionGeo_ADM2Code", "Actor1Type3Code", "Actor1EthnicCode"):
            assert row[col[empty]] == ""
        lat = event["action_geo_lat"]  # geography: see test_places.py
        assert row[col["ActionGeo_Lat"]] == ("" if lat is None else f"{lat:.10g}")
        assert row[col["ActionGeo_Type"]] == ("" if event["action_geo_type"] is None else str(event["action_geo_type"]))
    assert {r[col["IsRootEvent"]] for r in rows} == {"0", "1"}
    assert len({r[0] for r in rows}) == len(rows)


def test_export_gdelt_column_order_matches_the_reference():
    text = shared_path("reference", "gdelt_event_schema.md").read_text(encoding="utf-8")
    documented = []
    for line in text.split("### 1.1")[0].splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) > 4 and parts[1].isdigit():
            documented.append((int(parts[1]), parts[3].strip("`")))
    assert [name for _, name in sorted(documented)] == list(GDELT_COLUMNS)


def test_export_cli_header_and_stdout(seed_dataset):
    from click.testing import CliRunner

    from events.cli import main

    out, report = seed_dataset
    result = CliRunner().invoke(main, ["export", str(out), "--format", "gdelt", "--out", "-", "--header"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split("\t") == list(GDELT_COLUMNS) and len(lines) == report.events + 1


def test_export_gdelt_mentions_one_row_of_16_fields_per_mention_joining_the_events_export(seed_dataset, exported, tmp_path):
    import json

    from conftest import SEEDS

    out, _ = seed_dataset
    report = export(out, tmp_path / "mentions.tsv", "gdelt-mentions")
    rows = [line.split("\t") for line in (tmp_path / "mentions.tsv").read_text(encoding="utf-8").split("\n")[:-1]]
    mentions = pl.read_parquet(out / "mentions" / "**" / "*.parquet", hive_partitioning=False)
    assert report.rows == len(rows) == mentions.height > 0 and {len(r) for r in rows} == {16} == {len(GDELT_MENTION_COLUMNS)}
    col = {name: i for i, name in enumerate(GDELT_MENTION_COLUMNS)}
    _, event_rows, _ = exported
    added = {r[0]: r[GDELT_COLUMNS.index("DATEADDED")] for r in event_rows}
    assert {r[col["GLOBALEVENTID"]] for r in rows} == set(added)  # every mention joins an exported event
    text = json.loads(next(SEEDS.glob("*.jsonl")).read_text().splitlines()[0])["text"]
    for row, mention in zip(rows, mentions.iter_rows(named=True)):
        assert row[col["EventTimeDate"]] == added[row[col["GLOBALEVENTID"]]]
        assert row[col["MentionTimeDate"]] == "20240717000000" and row[col["MentionType"]] == "1"
        assert row[col["MentionIdentifier"]].startswith("http") and row[col["MentionSourceName"]] == mention["doc_source"]
        assert int(row[col["SentenceID"]]) == mention["sentence_index"] + 1
        action = int(row[col["ActionCharOffset"]])
        assert text[action : action + len(mention["verb_text"])] == mention["verb_text"]
        actor = int(row[col["Actor1CharOffset"]])
        assert text[actor : actor + len(mention["source_text"])] == mention["source_text"]
        assert row[col["Actor2CharOffset"]] == "-1" if mention["target_actor"] is None else int(row[col["Actor2CharOffset"]]) >= 0
        assert row[col["InRawText"]] == ("0" if mention["source_resolution"] else "1")
        assert int(row[col["MentionDocLen"]]) == len(text) and row[col["Confidence"]] == ""


@pytest.mark.parametrize("fmt", ["gdelt", "gdelt-mentions"])
def test_export_of_a_dataset_without_events_is_empty(tmp_path, codebook, fmt):
    import json

    from events.dataset.builder import build

    (tmp_path / "q.jsonl").write_text(json.dumps({"id": "q", "date": "2024-05-02", "text": "It rained on Tuesday."}) + "\n")
    build([tmp_path / "q.jsonl"], tmp_path / "out", codebook=codebook, jobs=1)
    assert export(tmp_path / "out", tmp_path / "x.tsv", fmt).rows == 0 and (tmp_path / "x.tsv").read_text() == ""
