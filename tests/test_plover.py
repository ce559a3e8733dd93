"""PLOVER alongside CAMEO: the codebook's CAMEO -> PLOVER mapping, the plover_* columns, `events export --format plover`."""

from __future__ import annotations

import csv
import json
import re
import shutil

import polars as pl
import pytest

from events.codebook.diff import diff_codebooks
from events.dataset.export import PLOVER_FIELDS, export

from conftest import MINIMAL_CODEBOOK, shared_path


def _table() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """The CAMEO2PLOVER-2021 table as its lines write it: code -> (event, mode, contexts); the last line of a code wins."""
    out = {}
    for line in shared_path("external", "PLOVER", "CAMEO2PLOVER-2021.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d{2,4}):([^#]*)", line)
        if m:
            cells = [c.strip() for c in m.group(2).split(",")] + ["", ""]
            out[m.group(1)] = (cells[0], cells[1], tuple(c.strip() for c in cells[2].split(";") if c.strip()))
    return out


def test_plover_every_cameo_code_is_mapped_or_says_why_not(codebook):
    assert set(codebook.plover) == set(codebook.event_types)
    for code, m in codebook.plover.items():
        assert bool(m.event) == (m.basis != "none"), code
        assert m.note or m.basis == "table", code
    assert {m.event for m in codebook.plover.values() if m.event} == {
        v for kind, _, v in codebook.plover_terms if kind == "event"}  # every PLOVER type is reached
    assert {code[:2] for code, m in codebook.plover.items() if m.basis == "none"} == {"01", "02"}


def test_plover_mapping_matches_the_transcribed_table(codebook):
    table = _table()
    checked = 0
    for code, m in sorted(codebook.plover.items()):
        if code not in table:
            assert m.basis in ("ours", "none"), f"{code} is not in the 2021 table but has basis {m.basis}"
            continue
        event, mode, contexts = table[code]
        assert m.basis in ("table", "amended"), code
        if m.basis == "table":
            assert (m.event, m.mode, m.contexts) == (event, mode, contexts), code
            checked += 1
        else:  # the note quotes the table's own values before saying what replaced them
            assert m.note.startswith(f"2021 table: {event}|{mode}|{';'.join(contexts)}; "), code
            assert (m.event, m.mode, m.contexts) != (event, mode, contexts), code
    assert checked > 200


def test_plover_vocabulary_matches_the_plover_codebook(codebook):
    path = shared_path("external", "NGEC-2025", "PLOVER_structured_codebook_updated.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {("event", r["event"], r["event"]) for r in rows} | {("mode", r["event"], r["mode"].strip()) for r in rows
                                                              if r["mode"].strip()} \
        == {key for key in codebook.plover_terms if key[0] != "context"}
    assert len({e for kind, e, _ in codebook.plover_terms if kind == "event"}) == 16


def test_plover_columns_follow_the_mapping(seed_dataset, compiled):
    out, _ = seed_dataset
    for table in ("mentions", "events"):
        rows = pl.read_parquet(out / table / "**" / "*.parquet", hive_partitioning=False)
        assert rows.height > 0
        for row in rows.iter_rows(named=True):
            assert (row["plover_event"], row["plover_mode"], row["plover_context"]) == compiled.plover_of(row["event_code"])
    assert compiled.plover_of("040") == ("CONSULT", None, None)
    assert compiled.plover_of("1121") == ("ACCUSE", "allege", "crime;corruption")
    assert compiled.plover_of("010") == (None, None, None)


@pytest.fixture(scope="module")
def plover_records(seed_dataset, tmp_path_factory):
    out, _ = seed_dataset
    target = tmp_path_factory.mktemp("plover") / "events.jsonl"
    report = export(out, target, "plover")
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert report.rows == len(records)
    return out, records


def test_export_plover_iran_russia_consultation(plover_records, compiled):
    _, records = plover_records
    consult = [r for r in records if r["event_type"] == "CONSULT"]
    assert {(r["actor_country"], r["recipient_country"]) for r in consult} == {("IRN", "RUS"), ("RUS", "IRN")}
    for r in consult:
        # a meeting in New York, neither party's country: CAMEO 044 (rule venue_codes), PLOVER mode third-party
        assert r["cameo_event_code"] == "044" and r["event_mode"] == "third-party" == compiled.plover_of("044")[1]
        assert (r["primary_actor_sector"], r["primary_recipient_sector"]) == ("GOV", "GOV")
        assert r["event_date"] == "2024-07-16" and r["publication_date"] == "2024-07-17"
        assert "meeting" in r["event_text"] and r["story_id"] == "mehr-217925" and r["url"].startswith("https://")
        assert r["contexts"] == [] and r["source"] == "Mehr News Agency"


def test_export_plover_fields_and_dropped_codes(plover_records):
    out, records = plover_records
    events = pl.read_parquet(out / "events" / "**" / "*.parquet", hive_partitioning=False)
    kept = events.filter(pl.col("plover_event").is_not_null())
    assert 0 < len(records) == kept.height < events.height  # 01 statements have no PLOVER type
    assert [r["event_id"] for r in records] == kept["global_event_id"].to_list()
    from events.dataset.export import GEO_FIELDS

    for record in records:
        assert list(record) == list(PLOVER_FIELDS) + list(GEO_FIELDS)  # the seed dataset has location columns
        assert record["actor_sectors"][:1] == ([record["primary_actor_sector"]] if record["primary_actor_sector"] else [])


def test_export_plover_refuses_a_header(seed_dataset, tmp_path):
    from click.testing import CliRunner

    from events.cli import main

    out, _ = seed_dataset
    result = CliRunner().invoke(main, ["export", str(out), "--format", "plover", "-o", str(tmp_path / "x"), "--header"])
    assert result.exit_code != 0 and "JSON lines" in result.output


@pytest.mark.parametrize(("line", "bump"), [
    ("043,CONSULT,phone,,table,", "major"),  # datasets' plover_mode changes
    ("043,CONSULT,visit,,amended,checked", "patch"),
])
def test_diff_plover_changes(tmp_path, line, bump):
    new = tmp_path / "new"
    shutil.copytree(MINIMAL_CODEBOOK, new)
    path = new / "plover.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("043,CONSULT,visit,,table,", line), encoding="utf-8")
    report = diff_codebooks(MINIMAL_CODEBOOK, new)
    assert [(c.table, c.key, c.kind, c.bump) for c in report.changes] == [("plover", "043", "changed", bump)]


def test_export_plover_writes_location_only_when_the_table_has_it(seed_dataset):
    from events.dataset.export import GEO_FIELDS, plover_record

    out, _ = seed_dataset
    event = pl.read_parquet(out / "events" / "**" / "*.parquet", hive_partitioning=False).filter(
        pl.col("plover_event") == "CONSULT").row(0, named=True)
    located = plover_record(event, ("Mehr News Agency", None), "text")
    assert located["placename"] == "New York City" and located["country"] == "USA"  # the meeting's place
    assert abs(located["latitude"] - 40.71) < 0.1 and abs(located["longitude"] + 74.01) < 0.1
    old = {k: v for k, v in event.items() if k not in GEO_FIELDS.values()}  # a dataset built before geolocation
    plain = plover_record(old, ("Mehr News Agency", None), "text")
    assert not set(GEO_FIELDS) & set(plain) and {k: v for k, v in located.items() if k in plain} == plain
