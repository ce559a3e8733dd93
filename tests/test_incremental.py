"""Incremental builds: only new or changed inputs are coded, only the partitions they touch are rewritten."""

import dataclasses
import json
from pathlib import Path

import pytest

from events.dataset.builder import BuildError, build, input_key
from events.dataset.verify import verify

SENTENCES = (
    "Iran's foreign minister met his Russian counterpart in Moscow on Tuesday.",
    "The Russian president praised Iran's new government on Monday.",
    "China accused the United States of interfering in its affairs.",
)


def write_input(path: Path, prefix: str, month: str, n: int = 3, extra: list[str] | None = None) -> Path:
    lines = [json.dumps({"id": f"{prefix}{i}", "date": f"{month}-{10 + i:02d}", "source": f"agency{i % 2}",
                         "text": SENTENCES[i % len(SENTENCES)]}) for i in range(n)]
    path.write_text("\n".join(lines + (extra or [])) + "\n", encoding="utf-8")
    return path


def snapshot(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of a dataset but the build notes (which engine coded it, outside the byte-compared files):
    (content, modification time in ns)."""
    from events.dataset.builder import BUILD_NOTES

    return {p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != BUILD_NOTES}


def shards(snap: dict, input_path: Path, out: Path) -> set[str]:
    from events.dataset.builder import shard_name

    name = shard_name(Path(input_key(input_path, out)))
    return {rel for rel in snap if rel.endswith("/" + name)}


@pytest.fixture
def two_inputs(tmp_path):
    a = write_input(tmp_path / "a.jsonl", "a", "2024-03")
    b = write_input(tmp_path / "b.jsonl", "b", "2024-07")
    return a, b


def test_incremental_new_input_leaves_old_files_untouched_and_equals_a_fresh_build(tmp_path, codebook, two_inputs):
    a, b = two_inputs
    out = tmp_path / "out"
    build([a], out, codebook=codebook, jobs=1)
    before = snapshot(out)
    report = build([a, b], out, codebook=codebook, jobs=1)
    after = snapshot(out)
    assert report.coded == [input_key(b, out)] and report.unchanged == [input_key(a, out)]
    for rel in shards(before, a, out) | {r for r in before if r.startswith("events/year=2024/month=03/")}:
        assert after[rel] == before[rel], rel  # same bytes, not even rewritten
    fresh = tmp_path / "fresh"
    build([a, b], fresh, codebook=codebook, jobs=1)
    assert {k: v[0] for k, v in snapshot(fresh).items()} == {k: v[0] for k, v in after.items()}
    assert verify(out).ok


def test_incremental_changed_input_rewrites_only_its_shards_and_partitions(tmp_path, codebook, two_inputs):
    a, b = two_inputs
    out = tmp_path / "out"
    build([a, b], out, codebook=codebook, jobs=1)
    before = snapshot(out)
    write_input(b, "b", "2024-07", n=4)
    report = build([a, b], out, codebook=codebook, jobs=1)
    after = snapshot(out)
    assert report.coded == [input_key(b, out)] and report.partitions_aggregated == 1
    changed = {rel for rel in set(before) | set(after) if before.get(rel) != after.get(rel)}
    assert changed == shards(after, b, out) | {"events/year=2024/month=07/part-0.parquet", "manifest.json", "rejected.jsonl"}
    assert all(after[rel][0] != before[rel][0] for rel in shards(after, b, out) if "documents/" in rel)
    fresh = tmp_path / "fresh"
    build([a, b], fresh, codebook=codebook, jobs=2)
    assert {k: v[0] for k, v in snapshot(fresh).items()} == {k: v[0] for k, v in after.items()}


def test_incremental_unchanged_inputs_are_not_read_again(tmp_path, codebook, two_inputs):
    out = tmp_path / "out"
    build(list(two_inputs), out, codebook=codebook, jobs=1)
    before = snapshot(out)
    report = build(list(two_inputs), out, codebook=codebook, jobs=1)
    after = snapshot(out)
    assert report.coded == [] and report.partitions_aggregated == 0
    assert {k: v for k, v in after.items() if k.endswith(".parquet")} == {k: v for k, v in before.items() if k.endswith(".parquet")}
    assert after["manifest.json"][0] == before["manifest.json"][0]


def test_incremental_inputs_not_named_again_are_kept(tmp_path, codebook, two_inputs):
    a, b = two_inputs
    out = tmp_path / "out"
    build([a, b], out, codebook=codebook, jobs=1)
    report = build([b], out, codebook=codebook, jobs=1)
    assert report.kept == [input_key(a, out)] and report.documents == 6
    assert "kept 1 input(s)" in report.summary()
    assert [i["path"] for i in report.manifest["inputs"]] == [input_key(a, out), input_key(b, out)]
    rebuilt = build([b], out, codebook=codebook, jobs=1, rebuild=True)
    assert rebuilt.documents == 3 and not shards(snapshot(out), a, out)


def test_incremental_duplicate_ids_see_the_existing_dataset(tmp_path, codebook, two_inputs):
    a, _ = two_inputs
    out = tmp_path / "out"
    build([a], out, codebook=codebook, jobs=1)
    new = json.dumps({"id": "z1", "date": "2024-08-20", "text": SENTENCES[0]})
    late = write_input(tmp_path / "late.jsonl", "a", "2024-08", n=2, extra=[new])  # ids a0, a1 again, and z1
    report = build([late], out, codebook=codebook, jobs=1)
    assert [(r.file, r.code, r.record_id) for r in report.rejects] == [(input_key(late, out), "IN004", "a0"), (input_key(late, out), "IN004", "a1")]
    assert report.documents == 4 and report.new_rejects == 2


def test_incremental_inputs_that_yield_no_documents_stop_the_build_and_change_nothing(tmp_path, codebook, two_inputs):
    a, _ = two_inputs
    out = tmp_path / "out"
    build([a], out, codebook=codebook, jobs=1)
    before = snapshot(out)
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(a.read_bytes())  # the same content under another path: every id is already in the dataset
    with pytest.raises(BuildError) as caught:
        build([copy], out, codebook=codebook, jobs=1)
    message = str(caught.value)
    assert "no documents" in message and "IN004 ×3" in message and "same content" in message and "../a.jsonl" in message
    assert snapshot(out) == before


def test_incremental_rejects_of_unchanged_inputs_stay_in_rejected_jsonl(tmp_path, codebook, two_inputs):
    a, b = two_inputs
    write_input(a, "a", "2024-03", extra=['{"id": "broken", '])
    out = tmp_path / "out"
    build([a], out, codebook=codebook, jobs=1)
    report = build([a, b], out, codebook=codebook, jobs=1)
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text().splitlines()]
    assert [(r["file"], r["code"]) for r in rejected] == [(input_key(a, out), "IN001")]
    assert report.new_rejects == 0 and report.manifest["totals"]["rejected"] == 1


def test_incremental_other_codebook_needs_rebuild(tmp_path, codebook, two_inputs):
    out = tmp_path / "out"
    build(list(two_inputs), out, codebook=codebook, jobs=1)
    newer = dataclasses.replace(codebook, version="99.0.0", content_hash="0" * 64)
    with pytest.raises(BuildError) as caught:
        build(list(two_inputs), out, codebook=newer, jobs=1)
    message = str(caught.value)
    assert codebook.version in message and "99.0.0" in message and "--rebuild" in message
    assert verify(out).ok  # refused before touching anything
    report = build(list(two_inputs), out, codebook=newer, jobs=1, rebuild=True)
    assert report.manifest["codebook"]["version"] == "99.0.0" and len(report.coded) == 2


def test_incremental_failure_while_coding_leaves_the_dataset_as_it_was(tmp_path, codebook, two_inputs, monkeypatch):
    import events.dataset.engines as engines_module

    a, b = two_inputs
    out = tmp_path / "out"
    build([a], out, codebook=codebook, jobs=1)
    before = snapshot(out)

    def explode(batch):
        raise RuntimeError("worker died")

    monkeypatch.setattr(engines_module, "_work", explode)
    write_input(a, "a", "2024-03", n=5)
    with pytest.raises(RuntimeError):
        build([a, b], out, codebook=codebook, jobs=1)
    assert snapshot(out) == before and not (out / ".staging").exists()


def test_incremental_cli_reports_codebook_mismatch(tmp_path, codebook, two_inputs):
    from click.testing import CliRunner

    from events.cli import main

    out = tmp_path / "out"
    build(list(two_inputs), out, codebook=codebook, jobs=1)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["codebook"]["version"] = "0.0.1"
    (out / "manifest.json").write_text(json.dumps(manifest))
    result = CliRunner().invoke(main, ["build", *map(str, two_inputs), "--out", str(out), "--jobs", "1", "-q"])
    assert result.exit_code == 3 and "0.0.1" in result.output and "--rebuild" in result.output


def test_incremental_unchanged_input_with_a_lost_shard_is_coded_again(tmp_path, codebook, two_inputs):
    a, b = two_inputs
    out = tmp_path / "out"
    build([a, b], out, codebook=codebook, jobs=1)
    before = snapshot(out)
    lost = sorted(shards(before, a, out))[0]
    (out / lost).unlink()
    report = build([a, b], out, codebook=codebook, jobs=1)
    assert report.coded == [input_key(a, out)] and (out / lost).read_bytes() == before[lost][0]
    assert verify(out).ok


def test_incremental_stray_files_are_not_adopted(tmp_path, codebook, two_inputs):
    out = tmp_path / "out"
    build(two_inputs, out, codebook=codebook, jobs=1)
    events_file = next((out / "events").rglob("part-0.parquet"))
    (events_file.parent / "copy.parquet").write_bytes(events_file.read_bytes())
    mentions_file = next((out / "mentions").rglob("*.parquet"))
    (mentions_file.parent / "empty.parquet").write_bytes(b"")
    before = json.loads((out / "manifest.json").read_text())["totals"]["events"]
    build(two_inputs, out, codebook=codebook, jobs=1)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["totals"]["events"] == before
    assert not any(o["path"].endswith(("copy.parquet", "empty.parquet")) for o in manifest["outputs"])
    assert {p.code for p in verify(out).problems} == {"VF002"}


def test_incremental_column_mapping_applies_to_every_input_and_is_part_of_its_identity(tmp_path, codebook, two_inputs):
    from events.ingest.documents import Columns

    a, _ = two_inputs
    mapped = tmp_path / "mapped.jsonl"  # JSONL with its own field names: the column flags apply to it too
    mapped.write_text(json.dumps({"key": "j1", "body": "Iran's foreign minister met Lavrov.", "published": "2024-03-06"}) + "\n")
    table = tmp_path / "t.csv"
    table.write_text("key,body,published\nt1,Iran's foreign minister met Lavrov.,2024-03-05\n")
    out = tmp_path / "out"
    build([a], out, codebook=codebook, jobs=1)
    columns = Columns(id="key", text="body", date="published")
    report = build([mapped, table], out, codebook=codebook, jobs=1, columns=columns)
    assert report.coded == [input_key(mapped, out), input_key(table, out)] and report.kept == [input_key(a, out)]
    assert report.new_rejects == 0 and report.documents == 3 + 2
    # named again with another mapping, an input is coded again with it: a's records have no 'key'
    other = tmp_path / "other.csv"
    other.write_text("key,body,published\nt2,Iran's foreign minister met Lavrov.,2024-03-07\n")
    report = build([a, mapped, other], out, codebook=codebook, jobs=1, columns=columns)
    assert report.coded == [input_key(a, out), input_key(other, out)] and report.unchanged == [input_key(mapped, out)]
    assert {r.code for r in report.rejects if r.file == input_key(a, out)} == {"IN002"}
    (warning,) = [w for w in report.warnings if "no documents" in w]
    assert warning.startswith(input_key(a, out)) and "'key'" in warning and "'id', 'date'" in warning
