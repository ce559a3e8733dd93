"""The dataset contract: layout, exact schemas, loaders, manifest, rejects, determinism, seed acceptance."""

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from events.dataset.builder import BuildError, build
from events.dataset.schema import TABLES, table_spec, type_name
from events.dataset.verify import verify

from conftest import ROOT, SEEDS, dataset_bytes, mixed_corpus


def _mentions(out: Path) -> pl.DataFrame:
    return pl.read_parquet(out / "mentions" / "**" / "*.parquet", hive_partitioning=True)


def test_build_layout_is_hive_partitioned(seed_dataset):
    out, report = seed_dataset
    for table in TABLES:
        files = sorted((out / table).glob("year=*/month=*/*.parquet"))
        assert files, table
    assert (out / "manifest.json").is_file() and (out / "rejected.jsonl").is_file()
    assert report.documents == 1 and report.mentions > 0 and report.events > 0


@pytest.mark.parametrize("table", TABLES)
def test_build_parquet_matches_documented_schema_exactly(seed_dataset, table):
    out, _ = seed_dataset
    spec = table_spec(table)
    for path in (out / table).glob("year=*/month=*/*.parquet"):
        schema = pq.read_schema(path)
        assert [(f.name, type_name(f.type), f.nullable) for f in schema] == [
            (c["name"], c["type"], c["nullable"]) for c in spec["columns"]
        ]
        assert schema.metadata[b"events.schema_version"].decode() == spec["version"]
        assert all(c["description"] for c in spec["columns"])


def test_build_loads_in_polars_with_typed_columns(seed_dataset):
    out, _ = seed_dataset
    events = pl.scan_parquet(f"{out}/events/**/*.parquet", hive_partitioning=True).collect()
    assert events.schema["event_date"] == pl.Date
    assert events.schema["quad_class"] == pl.Int8
    assert events.schema["goldstein"] == pl.Float64
    assert events.schema["num_mentions"] == pl.Int32
    assert events.schema["year"].is_integer() and events.schema["month"].is_integer()
    assert (events["num_mentions"] >= events["num_articles"]).all()


def test_build_loads_in_duckdb_with_typed_columns(seed_dataset):
    duckdb = pytest.importorskip("duckdb")
    out, _ = seed_dataset
    con = duckdb.connect()
    rows = con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{out}/mentions/**/*.parquet', hive_partitioning=true)"
    ).fetchall()
    types = {name: kind for name, kind, *_ in rows}
    assert types["event_date"] == "DATE"
    assert types["quad_class"] == "TINYINT"
    assert types["goldstein"] == "DOUBLE"
    assert types["source_entries"] == "VARCHAR[]"
    assert types["year"] in ("BIGINT", "INTEGER")
    count = con.execute(f"SELECT count(*) FROM read_parquet('{out}/events/**/*.parquet', hive_partitioning=true)").fetchone()[0]
    assert count > 0


def test_build_manifest_describes_inputs_outputs_and_codebook(seed_dataset, codebook):
    out, report = seed_dataset
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["codebook"]["name"] == codebook.name and manifest["codebook"]["version"] == codebook.version
    assert manifest["codebook"]["content_hash"] == codebook.content_hash
    assert manifest["package"]["version"]
    (entry,) = manifest["inputs"]
    seed_file = next(SEEDS.glob("*.jsonl"))
    assert entry["sha256"] == hashlib.sha256(seed_file.read_bytes()).hexdigest()
    assert entry["documents"] == 1 and entry["rejected"] == 0
    for output in manifest["outputs"]:
        path = out / output["path"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == output["sha256"]
        assert path.stat().st_size == output["bytes"]
    assert "time" not in json.dumps(manifest).lower()


def test_build_mentions_are_traceable(seed_dataset):
    out, _ = seed_dataset
    for row in _mentions(out).iter_rows(named=True):
        text = row["sentence_text"]
        assert text[row["source_start"] : row["source_end"]] == row["source_text"]
        assert text[row["verb_start"] : row["verb_end"]] == row["verb_text"]
        if row["target_actor"]:
            assert text[row["target_start"] : row["target_end"]] == row["target_text"]
        # the pattern's code, or a refinement a codebook rule made within its root (a meeting's venue: 040 -> 044)
        assert row["pattern_id"][:2] == row["event_code"][:2] or row["modality"] != "asserted"
        assert row["source_entries"]


def test_build_seed_acceptance(seed_dataset):
    out, _ = seed_dataset
    m = _mentions(out)
    pub = dt.date(2024, 7, 17)
    consult = m.filter((pl.col("source_actor") == "IRNGOV") & (pl.col("target_actor") == "RUSGOV") & pl.col("event_code").str.starts_with("04"))
    assert dt.date(2024, 7, 16) in consult["event_date"].to_list()
    praise = m.filter((pl.col("source_actor") == "IRNGOV") & pl.col("target_actor").str.starts_with("RUS") & pl.col("event_code").str.starts_with("05"))
    assert any("praised" in v for v in praise["verb_text"].to_list())
    cooperative = m.filter(pl.col("source_actor").str.starts_with("RUS") & pl.col("target_actor").str.starts_with("IRN") & (pl.col("quad_class") <= 2))
    assert any(w in " ".join(cooperative["verb_text"].to_list()) for w in ("congratulated", "satisfaction"))
    dates = set(m["event_date"].to_list())
    assert dt.date(2024, 6, 8) not in dates and dt.date(2024, 6, 15) not in dates
    assert max(dates) <= pub


def test_build_is_byte_reproducible(tmp_path, codebook, seed_dataset):
    first, _ = seed_dataset
    second = tmp_path / "again"
    build([SEEDS], second, codebook=codebook, jobs=2)
    assert dataset_bytes(first) == dataset_bytes(second)


def _bad_input(tmp_path):
    good = {"id": "g1", "date": "2024-07-17", "text": "Iran's foreign minister met his Russian counterpart in Moscow on Tuesday."}
    lines = [
        json.dumps(good),
        '{"id": "broken", "text": ',
        json.dumps({"id": "g2", "date": "someday", "text": "x"}),
        json.dumps({"id": "g1", "date": "2024-07-17", "text": "duplicate"}),
        json.dumps({**good, "id": "g3"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_build_bad_records_go_to_rejected_jsonl(tmp_path, codebook):
    report = build([_bad_input(tmp_path)], tmp_path / "out", codebook=codebook, jobs=1)
    rejected = [json.loads(line) for line in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines()]
    assert [(r["line"], r["code"]) for r in rejected] == [(2, "IN001"), (3, "IN003"), (4, "IN004")]
    assert all(r["file"].endswith("in.jsonl") and r["reason"] for r in rejected)
    assert report.documents == 2
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["totals"]["rejected"] == 3 and manifest["inputs"][0]["rejected"] == 3


@pytest.mark.parametrize("strict, status", [(False, 0), (True, 1)])
def test_build_cli_strict_exit_code(tmp_path, strict, status):
    from click.testing import CliRunner

    from events.cli import main

    args = ["build", str(_bad_input(tmp_path)), "--out", str(tmp_path / "out"), "--jobs", "1"] + (["--strict"] if strict else [])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == status, result.output
    assert "rejected records: 3" in result.output


def test_build_cli_summary_names_the_output(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "events", "build", str(SEEDS), "--out", str(tmp_path / "d"), "--jobs", "1"],
        capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "d") in result.stdout and "documents: 1" in result.stdout


def test_build_bytes_do_not_depend_on_jobs_hash_seed_locale_or_time_zone(tmp_path):
    inputs = mixed_corpus(tmp_path)
    runs = []
    for name, jobs, seed, lc, tz in (("d1", "1", "1", "C", "UTC"), ("d2", "2", "4242", "C.UTF-8", "Asia/Tehran")):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed, "LC_ALL": lc, "TZ": tz}
        runs.append(subprocess.Popen([sys.executable, "-m", "events", "build", *inputs, "--out", name, "--jobs", jobs, "-q"],
                                     cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    first = dataset_bytes(tmp_path / "d1")
    assert len([f for f in first if f.startswith("documents/")]) > 3
    assert first == dataset_bytes(tmp_path / "d2")


def test_build_reads_csv_parquet_and_text_folders(tmp_path, codebook):
    import pyarrow as pa

    mixed_corpus(tmp_path)
    pq.write_table(pa.table({"doc": ["p1"], "body": ["Iran met Russia."], "day": [dt.date(2024, 7, 1)]}), tmp_path / "t.parquet")
    from events.ingest.documents import Columns

    (tmp_path / "j.jsonl").write_text(json.dumps({"doc": "j1", "body": "Iran met Russia.", "day": "2024-07-02"}) + "\n")
    (tmp_path / "mapped").mkdir()
    (tmp_path / "mapped" / "m1.txt").write_text("---\nday: 2024-07-03\n---\nIran met Russia.\n")
    report = build([tmp_path / "table.csv", tmp_path / "t.parquet", tmp_path / "j.jsonl", tmp_path / "mapped"],
                   tmp_path / "out", codebook=codebook, jobs=1, columns=Columns(id="doc", text="body", date="day"))
    # the mapping applies to every kind of input: JSONL fields and text files' front matter too
    assert [(i["kind"], i["documents"], i["rejected"]) for i in report.manifest["inputs"]] == [
        ("jsonl", 1, 0), ("txt", 1, 0), ("parquet", 1, 0), ("csv", 1, 1)]
    assert [(r.code, r.line) for r in report.rejects] == [("IN003", 3)]


def test_build_ordered_map_keeps_a_bounded_window():
    import concurrent.futures as cf

    from events.dataset.engines import ordered_map

    consumed = []

    def items():
        for i in range(100):
            consumed.append(i)
            yield i

    with cf.ThreadPoolExecutor(2) as pool:
        results = ordered_map(lambda x: x * 2, items(), pool, 4)
        assert next(results) == 0 and len(consumed) <= 5
        assert list(results) == [2 * i for i in range(1, 100)]


def test_build_small_write_buffers_give_the_same_rows_in_more_row_groups(tmp_path, codebook, monkeypatch):
    import events.dataset.builder as build_module

    inputs = [tmp_path / name for name in mixed_corpus(tmp_path)]
    build(inputs, tmp_path / "big", codebook=codebook, jobs=1)
    monkeypatch.setattr(build_module, "PENDING_ROWS", 5)
    monkeypatch.setattr(build_module, "ROW_GROUP_ROWS", 4)
    build(inputs, tmp_path / "small", codebook=codebook, jobs=2)
    for table in ("mentions", "documents"):
        big = pl.read_parquet(tmp_path / "big" / table / "**" / "*.parquet", hive_partitioning=False)
        small = pl.read_parquet(tmp_path / "small" / table / "**" / "*.parquet", hive_partitioning=False)
        assert big.equals(small), table
    groups = [pq.ParquetFile(p).num_row_groups for p in (tmp_path / "small" / "documents").rglob("*.parquet")]
    assert max(groups) > 1


def test_build_progress_adds_up_to_the_report(tmp_path, codebook):
    calls = []
    report = build([_bad_input(tmp_path)], tmp_path / "out", codebook=codebook, jobs=1, progress=lambda *a: calls.append(a))
    assert sum(c[0] for c in calls) == report.documents and sum(c[1] for c in calls) == report.sentences
    assert sum(c[2] for c in calls) == report.mentions and calls[-1][3] == len(report.rejects) == 3


def test_build_with_an_edited_codebook_labels_rows_with_its_content_hash_and_warns(tmp_path):
    import shutil

    from click.testing import CliRunner

    from events.cli import main
    from events.codebook.loader import load_codebook

    from conftest import MINIMAL_CODEBOOK

    text = {"id": "d1", "date": "2024-07-17", "text": "Iran met with Russia on Tuesday."}
    (tmp_path / "in.jsonl").write_text(json.dumps(text) + "\n")
    released = build([tmp_path / "in.jsonl"], tmp_path / "a", codebook=load_codebook(MINIMAL_CODEBOOK), jobs=1)
    assert set(_mentions(tmp_path / "a")["codebook_version"]) == {"mini@1.1.0"} and released.warnings == []
    copy = tmp_path / "cb"
    shutil.copytree(MINIMAL_CODEBOOK, copy)
    with (copy / "actors" / "countries.csv").open("a") as handle:
        handle.write("usa-gov,USAGOV,Washington,,,\n")  # an edit without a version bump
    edited = load_codebook(copy)
    label = f"mini@1.1.0+{edited.content_hash[:8]}"
    report = build([tmp_path / "in.jsonl"], tmp_path / "b", codebook=edited, jobs=1)
    assert set(_mentions(tmp_path / "b")["codebook_version"]) == {label}
    assert set(pl.read_parquet(tmp_path / "b" / "events" / "**" / "*.parquet")["codebook_version"]) == {label}
    assert report.manifest["codebook"]["label"] == label and label in report.warnings[0]
    result = CliRunner().invoke(main, ["build", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "c"), "--codebook", str(copy), "-j1"])
    assert result.exit_code == 0 and f"warning: codebook mini 1.1.0 at {copy}" in result.stderr


def test_build_output_inside_the_input_folder_is_never_read_back(tmp_path, codebook):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.jsonl").write_text(_bad_input(tmp_path).read_text())
    first = build([corpus], corpus / "data", codebook=codebook, jobs=1)
    second = build([corpus], corpus / "data", codebook=codebook, jobs=1)
    assert [i.path for i in first.inputs] == [i.path for i in second.inputs] == ["../news.jsonl"]
    assert second.coded == [] and second.unchanged == ["../news.jsonl"] and second.new_rejects == 0


def test_build_an_input_is_its_resolved_path_however_it_is_named(tmp_path, codebook, monkeypatch):
    source = _bad_input(tmp_path)
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    first = build([Path("in.jsonl")], Path("out"), codebook=codebook, jobs=1)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    again = build([source.resolve(), Path("../in.jsonl")], Path("../out"), codebook=codebook, jobs=1)
    assert again.coded == [] and again.unchanged == ["../in.jsonl"] and again.manifest["inputs"] == first.manifest["inputs"]
    assert len(again.rejects) == 3  # the copy named by another path is not a new input: no duplicate-id rejects
    (tmp_path / "copy.jsonl").write_bytes(source.read_bytes())
    with pytest.raises(BuildError, match="same content"):  # a real copy is a new input, all of whose ids are taken
        build([Path("../copy.jsonl")], Path("../out"), codebook=codebook, jobs=1)
    assert verify(out).ok


def test_build_cli_inputs_without_documents_fail_and_say_why(tmp_path):
    from click.testing import CliRunner

    from events.cli import main

    path = tmp_path / "other.jsonl"
    path.write_text("".join(json.dumps({"key": f"k{i}", "body": "Iran met Russia.", "day": "2024-07-17"}) + "\n" for i in range(3)))
    result = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path / "out"), "-j1", "-q"])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit)  # an error message, not a traceback
    assert "no documents" in result.output and "IN002 ×3" in result.output and "'key', 'body', 'day'" in result.output
    assert "--id-col" in result.output and not (tmp_path / "out" / "manifest.json").exists()
    mapped = CliRunner().invoke(main, ["build", str(path), "--out", str(tmp_path / "out"), "-j1", "-q",
                                       "--id-col", "key", "--text-col", "body", "--date-col", "day"])
    assert mapped.exit_code == 0, mapped.output
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["totals"]["documents"] == 3


def test_build_every_mention_joins_its_events_row_on_global_event_id(tmp_path, codebook):
    duckdb = pytest.importorskip("duckdb")
    inputs = [tmp_path / name for name in mixed_corpus(tmp_path)]
    build(inputs, tmp_path / "out", codebook=codebook, jobs=1)
    out = tmp_path / "out"
    mentions, events = _mentions(out), pl.read_parquet(out / "events" / "**" / "*.parquet")
    assert mentions["target_actor"].null_count() > 0  # where a join on the four key columns loses rows (NULL != NULL)
    joined = mentions.join(events, on="global_event_id", how="inner")
    assert joined.height == mentions.height
    assert (joined["event_date"] == joined["event_date_right"]).all() and (joined["event_code"] == joined["event_code_right"]).all()
    counts = mentions.group_by("global_event_id").len()
    assert dict(zip(counts["global_event_id"], counts["len"])) == dict(zip(events["global_event_id"], events["num_mentions"]))
    sql = ("SELECT count(*) FROM read_parquet('{0}/mentions/**/*.parquet') m "
           "JOIN read_parquet('{0}/events/**/*.parquet') e USING (global_event_id)").format(out)
    assert duckdb.sql(sql).fetchall()[0][0] == mentions.height


def test_build_rows_carry_readable_labels_that_agree_with_the_label_tables(seed_dataset):
    import pycountry

    out, _ = seed_dataset
    mentions, events = _mentions(out), pl.read_parquet(out / "events" / "**" / "*.parquet")
    codes = pl.read_parquet(out / "labels" / "event_codes.parquet")
    countries = pl.read_parquet(out / "labels" / "countries.parquet")
    actor_codes = pl.read_parquet(out / "labels" / "actor_codes.parquet")
    assert codes.schema["code"] == pl.String and "010" in codes["code"].to_list()  # codes stay text: leading zeros kept
    assert countries["code"].is_unique().all() and actor_codes.select("kind", "code").is_unique().all()
    names = dict(zip(codes["code"], codes["name"]))
    assert all(names[c] == label for c, label in zip(mentions["event_code"], mentions["event_label"]))
    assert all(names[c] == label for c, label in zip(events["event_code"], events["event_label"]))
    iso = dict(zip(countries["code"], countries["iso_alpha3"]))
    for row in events.iter_rows(named=True):
        assert row["source_iso3"] == iso.get(row["source_country"]) and row["target_iso3"] == iso.get(row["target_country"])
    for row in countries.filter(pl.col("iso_alpha3").is_not_null()).iter_rows(named=True):
        standard = pycountry.countries.get(alpha_3=row["iso_alpha3"])
        assert (row["iso_alpha2"], row["iso_numeric"], row["iso_name"]) == (standard.alpha_2, standard.numeric, standard.name)
    assert mentions["source_name"].null_count() == 0
    people = mentions.filter(pl.col("source_text") == "Lavrov")
    assert people["source_name"].to_list() == ["Sergey Lavrov"]  # the entry's canonical name, not the words matched
    assert set(mentions.filter(pl.col("source_actor") == "RUSGOV", pl.col("source_text") == "Russian foreign minister")["source_name"]) == {"Russia"}


def test_build_mentions_say_where_they_are_and_events_whether_their_first_mention_is_in_the_lead(seed_dataset):
    out, _ = seed_dataset
    text = json.loads(next(SEEDS.glob("*.jsonl")).read_text().splitlines()[0])["text"]
    mentions, events = _mentions(out), pl.read_parquet(out / "events" / "**" / "*.parquet")
    for row in mentions.iter_rows(named=True):
        start = row["sentence_start"]
        assert text[start : start + len(row["sentence_text"])] == row["sentence_text"]
    lead = mentions.filter("in_lead")["sentence_index"].unique().to_list()
    assert lead == [1]  # sentence 0 is the headline
    first = mentions.sort("pub_date", "doc_id", "sentence_index", "verb_start").group_by("global_event_id", maintain_order=True).first()
    expected = dict(zip(first["global_event_id"], first["in_lead"]))
    assert dict(zip(events["global_event_id"], events["is_root_event"])) == expected and any(expected.values())
    assert set(events["first_pub_date"]) == {dt.date(2024, 7, 17)}


def _no_event_input(path: Path) -> Path:
    path.write_text(json.dumps({"id": "quiet", "date": "2024-05-02", "text": "The weather was mild on Tuesday."}) + "\n")
    return path


def test_build_tables_without_rows_are_still_written_and_load_everywhere(tmp_path, codebook):
    import pandas as pd

    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "out"
    report = build([_no_event_input(tmp_path / "quiet.jsonl")], out, codebook=codebook, jobs=1)
    assert report.documents == 1 and report.mentions == 0 and report.events == 0
    for table in TABLES:
        frame = pl.scan_parquet(f"{out}/{table}/**/*.parquet", hive_partitioning=True).collect()
        assert frame.columns[: len(table_spec(table)["columns"])] == [c["name"] for c in table_spec(table)["columns"]]
        assert frame.height == (1 if table == "documents" else 0)
        assert len(pd.read_parquet(out / table)) == frame.height
        sql = (f"SELECT count(*) FROM read_parquet('{out}/{table}/**/*.parquet', hive_partitioning = true, "
               "hive_types = {'year': INTEGER, 'month': INTEGER})")
        assert duckdb.sql(sql).fetchall()[0][0] == frame.height
    assert verify(out).ok
    # once the table has rows, the file without rows goes
    build([tmp_path / "quiet.jsonl", _bad_input(tmp_path)], out, codebook=codebook, jobs=1)
    assert not list(out.rglob("empty.parquet")) and verify(out).ok


def test_build_progress_reports_bytes_read_for_a_percentage_and_a_bar_within_80_columns(tmp_path, codebook):
    import io

    from events.dataset.progress import ProgressBar

    inputs = [tmp_path / name for name in mixed_corpus(tmp_path)]
    calls = []
    build(inputs, tmp_path / "out", codebook=codebook, jobs=2, progress=lambda *a: calls.append(a))
    total = calls[0][5]
    assert total == sum(i["bytes"] for i in json.loads((tmp_path / "out" / "manifest.json").read_text())["inputs"]) > 0
    done = [c[4] for c in calls]
    assert done == sorted(done) and done[-1] == total and len(set(done)) > 3  # the 150-line JSONL moves it batch by batch
    ticks = iter(range(0, 1000, 7))
    stream = io.StringIO()
    bar = ProgressBar(stream, clock=lambda: float(next(ticks)))
    for call in calls:
        bar(*call)
    bar.close()
    lines = [line for line in stream.getvalue().replace("\n", "\r").split("\r") if line.strip()]
    assert lines and all(len(line.rstrip()) <= 80 for line in lines)
    assert "100%" in lines[-1] and "ETA 0:00" in lines[-1] and all("%" in line and "ETA" in line for line in lines)
    assert f"{sum(c[0] for c in calls)} docs" in lines[-1]


# -- issue 13 -------------------------------------------------------------------------------------------------------
def test_build_public_name_is_the_function_not_a_module():
    """Finding 9: `from events import build; build([...])` failed once the submodule had been imported."""
    import events.dataset.builder  # noqa: F401 - importing a submodule must not shadow the function
    from events import build as public_build

    assert callable(public_build) and public_build is events.dataset.builder.build
    import events

    assert all(callable(getattr(events, name)) for name in events.__all__ if name not in ("__version__", "DISTRIBUTION"))


def test_build_second_build_into_a_locked_folder_stops_or_waits(tmp_path, codebook):
    """Finding 1: two builds into one folder corrupted it. While another process holds the lock, a build without
    --wait stops at once and writes nothing; with --wait it waits, then builds."""
    import threading

    from events.dataset.lock import DatasetLocked, dataset_lock

    out = tmp_path / "out"
    source = _bad_input(tmp_path)
    with dataset_lock(out):
        with pytest.raises(DatasetLocked):
            build([source], out, codebook=codebook, jobs=1)
        assert sorted(p.name for p in out.iterdir()) == [".events.lock"]
        waited = []
        worker = threading.Thread(target=lambda: waited.append(build([source], out, codebook=codebook, jobs=1,
                                                                      wait=True, on_wait=waited.append)))
        worker.start()
        worker.join(timeout=2)
        assert worker.is_alive() and waited == [out / ".events.lock"]  # waiting, not writing
        assert not (out / "manifest.json").exists()
    worker.join(timeout=120)
    assert waited[-1].documents == 2 and (out / "manifest.json").is_file()


def test_build_two_concurrent_builds_leave_a_dataset_verify_accepts(tmp_path):
    """Finding 1, end to end: two `events build --wait` processes into one folder, at the same time, with different
    inputs; both succeed, one after the other, and the dataset holds both and verifies."""
    from events.dataset.verify import verify

    inputs = []
    for k in range(2):
        lines = [json.dumps({"id": f"d{k}-{i}", "date": "2024-07-17", "text": "Iran's foreign minister met his Russian counterpart."})
                 for i in range(40)]
        inputs.append(tmp_path / f"in{k}.jsonl")
        inputs[-1].write_text("\n".join(lines) + "\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, "-m", "events", "build", str(path), "--out", "d", "--jobs", "1", "-q", "--wait"],
                             cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for path in inputs]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    assert verify(tmp_path / "d").ok
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert len(manifest["inputs"]) == 2 and manifest["totals"]["documents"] == 80


def test_build_year_one_publication_dates(tmp_path, codebook):
    """Finding 5: year-1 publication dates with relative expressions crashed the build (OverflowError)."""
    from events.dataset.verify import verify

    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"x{i}", "date": day, "text": text}) for i, (day, text) in enumerate([
        ("0001-01-01", "Iran's foreign minister met his Russian counterpart two days ago."),
        ("0001-01-02", "China accused the United States of spying last week."),
        ("9999-12-31", "Turkey and Greece agreed to hold talks next year."),
    ])) + "\n")
    report = build([path], tmp_path / "out", codebook=codebook, jobs=1)
    assert report.documents == 3 and not report.rejects and verify(tmp_path / "out").ok
    assert (tmp_path / "out" / "documents" / "year=0001" / "month=01").is_dir()


def test_build_counts_sentences_over_the_budget(tmp_path, codebook):
    path = tmp_path / "in.jsonl"
    text = "Iran accused Russia of spying.\n" + "word " * 20_000
    path.write_text(json.dumps({"id": "a", "date": "2024-07-17", "text": text}) + "\n")
    report = build([path], tmp_path / "out", codebook=codebook, jobs=1)
    assert report.sentences_not_coded == 1 and report.manifest["totals"]["sentences_not_coded"] == 1
    assert report.mentions == 1 and "sentences not coded: 1" in report.summary()
