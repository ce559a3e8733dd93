"""`events export --format gdelt`: GDELT 2.0's 61 tab-separated event columns, filled only where we have data."""

import polars as pl
import pytest

from events.export import GDELT_COLUMNS, export, gdelt_event_id

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
        for empty in ("Actor1Name", "IsRootEvent", "AvgTone", "ActionGeo_Lat", "DATEADDED", "Actor1Type3Code"):
            assert row[col[empty]] == ""
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
