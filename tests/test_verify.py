"""`events verify`: every kind of damage to a dataset is reported with its code, and a clean dataset passes."""

import json
import shutil

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from events.dataset.builder import output_entry
from events.dataset.verify import verify


@pytest.fixture
def dataset(tmp_path, seed_dataset):
    out = tmp_path / "data"
    shutil.copytree(seed_dataset[0], out)
    return out


def _first(out, table):
    return sorted((out / table).glob("year=*/month=*/*.parquet"))[0]


def _edit_manifest(out, change):
    manifest = json.loads((out / "manifest.json").read_text())
    change(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest))


def _truncate(out):
    path = _first(out, "mentions")
    path.write_bytes(path.read_bytes()[:-100])


def _flip_byte(out):
    path = _first(out, "events")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _extra_file(out):
    shutil.copy(_first(out, "documents"), _first(out, "documents").with_name("stray.parquet"))


def _wrong_rows(out):
    _edit_manifest(out, lambda m: m["outputs"][0].update(rows=m["outputs"][0]["rows"] + 1))


def _other_schema(out):
    """A file that is consistent with the manifest but not with schemas/: only the schema check can see it."""
    path = _first(out, "events")
    table = pq.read_table(path).append_column("extra", pa.array([1] * pq.read_metadata(path).num_rows))
    pq.write_table(table, path)
    entry = output_entry(out, path)
    _edit_manifest(out, lambda m: [o.update(entry) for o in m["outputs"] if o["path"] == entry["path"]])


def _label_with_integer_codes(out):
    """A label table whose codes were read as integers (leading zeros lost), consistent with the manifest."""
    path = out / "labels" / "event_codes.parquet"
    table = pq.read_table(path)
    table = table.set_column(0, "code", pa.array([int(c) for c in table.column("code").to_pylist()]))
    pq.write_table(table, path)
    entry = output_entry(out, path)
    _edit_manifest(out, lambda m: [o.update(entry) for o in m["outputs"] if o["path"] == entry["path"]])


def _bad_reject_line(out):
    (out / "rejected.jsonl").write_text("{not json\n")


@pytest.mark.parametrize("damage, codes", [
    (_truncate, {"VF003", "VF006"}),
    (_flip_byte, {"VF004"}),
    (lambda out: _first(out, "documents").unlink(), {"VF001"}),
    (_extra_file, {"VF002"}),
    (_wrong_rows, {"VF005"}),
    (_other_schema, {"VF007"}),
    (_label_with_integer_codes, {"VF007"}),
    (lambda out: (out / "labels" / "countries.parquet").unlink(), {"VF001"}),
    (_bad_reject_line, {"VF003", "VF006"}),
    (lambda out: (out / "manifest.json").unlink(), {"VF008"}),
    (lambda out: _edit_manifest(out, lambda m: m["totals"].update(events=10**6)), {"VF009"}),
])
def test_verify_reports_damage_by_code(dataset, damage, codes):
    assert verify(dataset).ok
    damage(dataset)
    report = verify(dataset)
    assert not report.ok
    found = {p.code for p in report.problems}
    assert codes <= found and found <= codes | {"VF004", "VF005", "VF006", "VF009"}, report.problems


def test_verify_cli_lines_and_exit_code(dataset):
    from click.testing import CliRunner

    from events.cli import main

    result = CliRunner().invoke(main, ["verify", str(dataset)])
    assert result.exit_code == 0 and "ok" in result.output
    _first(dataset, "mentions").unlink()
    result = CliRunner().invoke(main, ["verify", str(dataset)])
    assert result.exit_code == 3
    assert any(line.startswith(str(dataset)) and ": [VF001] " in line for line in result.output.splitlines())
    result = CliRunner().invoke(main, ["verify", str(dataset), "--json"])
    assert "missing-file" in {p["name"] for p in json.loads(result.output)["problems"]}


def test_verify_a_shard_name_that_is_not_a_file_name_is_a_manifest_problem():
    """A hand-edited shard such as '*' would make a later build delete every input's files; it is refused."""
    from events.dataset.manifest import manifest_problems

    manifest = {"format": "f", "codebook": {}, "behaviour": {}, "schemas": {}, "parser": {}, "outputs": [],
                "totals": {k: 0 for k in ("documents", "sentences", "mentions", "events", "rejected")},
                "inputs": [{"path": "a", "kind": "jsonl", "sha256": "0", "bytes": 1, "shard": "*", "columns": {},
                            "records": 0, "documents": 0, "rejected": 0, "sentences": 0, "mentions": 0}]}
    assert [p for p in manifest_problems(manifest) if "shard" in p]
    manifest["inputs"][0]["shard"] = "news-da5525d623.parquet"
    assert manifest_problems(manifest) == []
