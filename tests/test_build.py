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

from events.builder import build
from events.schema import TABLES, table_spec, type_name

from conftest import ROOT, SEEDS


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
        assert row["pattern_id"].startswith(row["event_code"] + ".") or row["modality"] != "asserted"
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
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


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


def _mixed_corpus(root: Path) -> list[str]:
    """Inputs of every kind, relative to `root`: JSONL over several months (several batches), CSV, a text folder."""
    import shutil

    sentences = [
        "Iran's foreign minister met his Russian counterpart in Moscow on Tuesday.",
        "The Russian president praised Iran's new government.",
        "China accused the United States of interfering in its affairs on Monday.",
        "Turkey and Greece agreed to hold talks on 3 March.",
    ]
    lines = [json.dumps({"id": f"n{i}", "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "source": f"agency{i % 3}",
                         "url": f"https://example.org/{i}", "text": f"{sentences[i % 4]}\n{sentences[(i + 1) % 4]}"})
             for i in range(150)]
    (root / "news.jsonl").write_text("\n".join(lines) + "\n{bad\n")
    (root / "table.csv").write_text("doc,body,day\nc1,\"" + sentences[0] + "\",2024-02-03\nc2,x,never\n")
    (root / "txt").mkdir()
    (root / "txt" / "t1.txt").write_text("---\ndate: 2024-05-06\n---\n" + sentences[2] + "\n")
    shutil.copytree(SEEDS, root / "seeds")
    return ["news.jsonl", "seeds", "txt"]


def test_build_bytes_do_not_depend_on_jobs_hash_seed_locale_or_time_zone(tmp_path):
    inputs = _mixed_corpus(tmp_path)
    runs = []
    for name, jobs, seed, lc, tz in (("d1", "1", "1", "C", "UTC"), ("d2", "2", "4242", "C.UTF-8", "Asia/Tehran")):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed, "LC_ALL": lc, "TZ": tz}
        runs.append(subprocess.Popen([sys.executable, "-m", "events", "build", *inputs, "--out", name, "--jobs", jobs, "-q"],
                                     cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    first, second = tmp_path / "d1", tmp_path / "d2"
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert len([f for f in files if f.parts[0] == "documents"]) > 3
    for rel in files:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_build_reads_csv_parquet_and_text_folders(tmp_path, codebook):
    import pyarrow as pa

    _mixed_corpus(tmp_path)
    pq.write_table(pa.table({"doc": ["p1"], "body": ["Iran met Russia."], "day": [dt.date(2024, 7, 1)]}), tmp_path / "t.parquet")
    from events.ingest import Columns

    report = build([tmp_path / "table.csv", tmp_path / "t.parquet", tmp_path / "txt"], tmp_path / "out", codebook=codebook,
                   jobs=1, columns=Columns(id="doc", text="body", date="day"))
    assert [(i["kind"], i["documents"], i["rejected"]) for i in report.manifest["inputs"]] == [
        ("parquet", 1, 0), ("csv", 1, 1), ("txt", 1, 0)]  # text files keep their own field names
    assert [(r.code, r.line) for r in report.rejects] == [("IN003", 3)]


def test_build_ordered_map_keeps_a_bounded_window():
    import concurrent.futures as cf

    from events.builder import ordered_map

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
    import events.builder as build_module

    inputs = [tmp_path / name for name in _mixed_corpus(tmp_path)]
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


# -- issue 13 -------------------------------------------------------------------------------------------------------
def test_build_public_name_is_the_function_not_a_module():
    """Finding 9: `from events import build; build([...])` failed once the submodule had been imported."""
    import events.builder  # noqa: F401 - importing a submodule must not shadow the function
    from events import build as public_build

    assert callable(public_build) and public_build is events.builder.build
    import events

    assert all(callable(getattr(events, name)) for name in events.__all__ if name != "__version__")


def test_build_second_build_into_a_locked_folder_stops_or_waits(tmp_path, codebook):
    """Finding 1: two builds into one folder corrupted it. While another process holds the lock, a build without
    --wait stops at once and writes nothing; with --wait it waits, then builds."""
    import threading

    from events.lock import DatasetLocked, dataset_lock

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
    from events.verify import verify

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
    from events.verify import verify

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
