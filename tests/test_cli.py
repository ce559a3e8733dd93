"""The command line's single error handler: one line per known failure, the documented exit codes, no traceback.

Issue 13, finding 7: a codebook pattern error under build/code --codebook, a full disk or read-only output and a
manifest with a value of the wrong type each printed a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from events.cli import EXIT_DATASET, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_SYSTEM, EXIT_USAGE, main

from conftest import MINIMAL_CODEBOOK, ROOT, SEEDS

GOOD = {"id": "a", "date": "2024-07-17", "text": "Iran's foreign minister met his Russian counterpart."}


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "events", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def _one_line_error(result) -> str:
    stderr = result.stderr if hasattr(result, "stderr") and isinstance(result.stderr, str) else result.output
    assert "Traceback" not in stderr and "Traceback" not in (result.stdout or "")
    errors = [line for line in stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, stderr
    return errors[0]


def _input(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(GOOD) + "\n")
    return path


@pytest.mark.parametrize("command", ["build", "code"])
def test_cli_codebook_pattern_error_is_a_message(tmp_path, command):
    codebook = tmp_path / "cb"
    shutil.copytree(MINIMAL_CODEBOOK, codebook)
    with (codebook / "verbs" / "04_consult.csv").open("a", encoding="utf-8") as handle:
        handle.write("042.visit-twice,042,visit + +,,\n")
    args = ["build", str(_input(tmp_path)), "--out", "d", "-q"] if command == "build" else ["code", "Iran met Russia.", "--date", "2024-07-17"]
    result = _run(*args, "--codebook", str(codebook), cwd=tmp_path)
    assert result.returncode == EXIT_DATASET
    assert "[CB007]" in result.stderr and "Traceback" not in result.stderr


def test_cli_unwritable_out_is_a_message(tmp_path):
    result = _run("build", str(_input(tmp_path)), "--out", "/sys/events-cannot-write-here", "-q", cwd=tmp_path)
    assert result.returncode == EXIT_SYSTEM
    assert "events-cannot-write-here" in _one_line_error(result)


def test_cli_full_disk_is_a_message(tmp_path, monkeypatch):
    import events.dataset.builder as builder

    def full(out, rejects):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out / "rejected.jsonl"))

    monkeypatch.setattr(builder, "_write_rejects", full)
    result = CliRunner().invoke(main, ["build", str(_input(tmp_path)), "--out", str(tmp_path / "d"), "-q", "--jobs", "1"])
    assert result.exit_code == EXIT_SYSTEM and isinstance(result.exception, (SystemExit, type(None)))
    assert "No space left on device" in result.output and "free some space" in result.output


@pytest.fixture(scope="module")
def seed_copy(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "d"
    CliRunner().invoke(main, ["build", str(SEEDS), "--out", str(out), "-q", "--jobs", "1"])
    return out


@pytest.mark.parametrize("edit", [
    lambda m: m["totals"].__setitem__("documents", "1"),
    lambda m: m["inputs"][0].__setitem__("documents", "one"),
    lambda m: m["outputs"][0].__setitem__("rows", None),
    lambda m: m.__setitem__("inputs", {"a": 1}),
    lambda m: m["outputs"].append("x"),
])
def test_cli_manifest_of_the_wrong_shape_is_reported(tmp_path, seed_copy, edit):
    out = tmp_path / "d"
    shutil.copytree(seed_copy, out)
    manifest = json.loads((out / "manifest.json").read_text())
    edit(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest))
    verify = CliRunner().invoke(main, ["verify", str(out)])
    assert verify.exit_code == EXIT_DATASET and "[VF008]" in verify.output
    assert isinstance(verify.exception, (SystemExit, type(None)))
    for args in (["info", str(out)], ["build", str(SEEDS), "--out", str(out), "-q", "--jobs", "1"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == EXIT_DATASET, result.output
        assert "manifest.json" in result.output and not isinstance(result.exception, (TypeError, KeyError, AttributeError))


def test_cli_info_on_a_damaged_events_file(tmp_path, seed_copy):
    out = tmp_path / "d"
    shutil.copytree(seed_copy, out)
    next((out / "events").rglob("*.parquet")).write_bytes(b"not parquet")
    result = CliRunner().invoke(main, ["info", str(out)])
    assert result.exit_code == EXIT_DATASET and "events verify" in result.output


def test_cli_usage_errors_exit_2(tmp_path):
    assert CliRunner().invoke(main, ["build", str(tmp_path / "missing.jsonl"), "--out", str(tmp_path / "d")]).exit_code == EXIT_USAGE
    (tmp_path / "file").write_text("")
    result = CliRunner().invoke(main, ["build", str(_input(tmp_path)), "--out", str(tmp_path / "file")])
    assert result.exit_code == EXIT_USAGE and "is a file" in result.output
    assert CliRunner().invoke(main, ["build", str(_input(tmp_path)), "--out", "d", "--max-record-size", "lots"]).exit_code == EXIT_USAGE


def test_cli_locked_dataset_exits_5(tmp_path):
    from events.dataset.lock import dataset_lock

    with dataset_lock(tmp_path / "d"):
        result = CliRunner().invoke(main, ["build", str(_input(tmp_path)), "--out", str(tmp_path / "d"), "-q"])
    assert result.exit_code == EXIT_LOCKED and "--wait" in result.output


def test_cli_unexpected_error_is_one_line_and_exit_70(tmp_path, monkeypatch):
    import events.dataset.builder as builder

    def bug(*args, **kwargs):
        raise RuntimeError("something impossible")

    monkeypatch.setattr(builder, "build", bug)
    monkeypatch.delenv("EVENTS_DEBUG", raising=False)
    result = CliRunner().invoke(main, ["build", str(_input(tmp_path)), "--out", str(tmp_path / "d"), "-q"])
    assert result.exit_code == EXIT_INTERNAL and "EVENTS_DEBUG=1" in result.output


def test_cli_ctrl_c_exits_130_with_one_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps({**GOOD, "id": f"d{i}"}) for i in range(20_000)) + "\n")
    run = subprocess.Popen([sys.executable, "-m", "events", "build", str(path), "--out", "d", "--jobs", "2", "-q"], cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (tmp_path / "d" / ".staging").exists() and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    run.send_signal(signal.SIGINT)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr and stderr.count("interrupted") == 1
    assert not (tmp_path / "d" / "manifest.json").exists() and not (tmp_path / "d" / ".staging").exists()


def test_cli_export_of_a_damaged_dataset_is_a_message(tmp_path, seed_copy):
    out = tmp_path / "d"
    shutil.copytree(seed_copy, out)
    next((out / "events").rglob("*.parquet")).write_bytes(b"PAR1 damaged PAR1")
    result = CliRunner().invoke(main, ["export", str(out), "--out", str(tmp_path / "e.tsv")])
    assert result.exit_code == EXIT_DATASET and "events verify" in result.output, result.output


def test_cli_a_wrapped_known_error_keeps_its_exit_code(tmp_path, monkeypatch):
    """A command that wraps a known error in a ClickException (exit 1 by default) still exits with that error's code."""
    import click

    import events.dataset.info as info
    from events.dataset.info import InfoError

    def wrapped(*args, **kwargs):
        try:
            raise InfoError("damaged")
        except InfoError as exc:
            raise click.ClickException(str(exc)) from exc

    monkeypatch.setattr(info, "info", wrapped)
    assert CliRunner().invoke(main, ["info", str(tmp_path)]).exit_code == EXIT_DATASET
