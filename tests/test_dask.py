"""`events build --engine dask`: the same dataset bytes as a local build, on a LocalCluster of two worker processes,
incremental builds and a worker killed mid-build included; clear one-line errors when Dask cannot run."""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from conftest import SHARED, dataset_bytes, mixed_corpus
from events.cli import EXIT_SYSTEM, main
from events.dataset.builder import BUILD_NOTES, build
from events.dataset.engines import DaskEngine, EngineError

distributed = pytest.importorskip("distributed")
CORPUS_2020 = SHARED / "corpus" / "wikinews_2020_docs.jsonl"


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two single-threaded worker processes, as `--engine dask --jobs 2` starts."""
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as local:
        yield local


def _two_inputs(root: Path) -> tuple[list[Path], list[Path]]:
    """Inputs for a first build and the input an incremental build adds: the 2020 corpus split in two when
    ../shared is there, else the generated corpus (JSONL over several batches and months, a bad line, seeds) and
    its text folder."""
    if CORPUS_2020.is_file():
        lines = CORPUS_2020.read_text(encoding="utf-8").splitlines(keepends=True)
        (root / "first.jsonl").write_text("".join(lines[:80]), encoding="utf-8")
        (root / "added.jsonl").write_text("".join(lines[80:]), encoding="utf-8")
        return [root / "first.jsonl"], [root / "first.jsonl", root / "added.jsonl"]
    names = mixed_corpus(root)
    first = [root / n for n in names if n != "txt"]
    return first, first + [root / "txt"]


def test_dask_build_and_incremental_build_are_byte_identical_to_local_ones(tmp_path, cluster, codebook, parser):
    from click.testing import CliRunner

    first, both = _two_inputs(tmp_path)
    local, dask = tmp_path / "local", tmp_path / "dask"
    build(first, local, codebook=codebook, parser=parser, jobs=1)
    report = build(first, dask, codebook=codebook, parser=parser, engine=DaskEngine(cluster.scheduler_address))
    assert report.engine["engine"] == "dask" and report.engine["workers"] == 2
    assert dataset_bytes(dask) == dataset_bytes(local)
    assert len([f for f in dataset_bytes(dask) if f.startswith("mentions/")]) >= 2

    # the incremental build, through the command line, on a LocalCluster it starts itself
    build(both, local, codebook=codebook, parser=parser, jobs=1)
    result = CliRunner().invoke(main, ["build", *map(str, both), "--out", str(dask), "--engine", "dask", "--jobs", "2", "-q"])
    assert result.exit_code == 0, result.output
    assert dataset_bytes(dask) == dataset_bytes(local)
    manifest = json.loads((dask / "manifest.json").read_text())
    assert len(manifest["inputs"]) == len({p.name for p in both}) and "dask" not in json.dumps(manifest)
    notes = [json.loads(line) for line in (dask / BUILD_NOTES).read_text().splitlines()]
    assert [(n["engine"], n["scheduler"], n["workers"], n["inputs_coded"]) for n in notes] == [
        ("dask", cluster.scheduler_address, 2, len(first)), ("dask", "LocalCluster", 2, 1)]
    shown = CliRunner().invoke(main, ["info", str(dask)])
    assert "  engine:    dask, LocalCluster, 2 workers" in shown.output


class KillOnce(distributed.WorkerPlugin):
    """Kills its worker's process (SIGKILL, as a machine lost) when a batch starts executing there, once per marker."""

    def __init__(self, marker: str):
        self.marker = marker

    def transition(self, key, start, finish, **kwargs):
        name = key if isinstance(key, str) else str(key)
        if finish == "executing" and "_code_on_worker" in name and not os.path.exists(self.marker):
            Path(self.marker).write_text(name)
            os.kill(os.getpid(), signal.SIGKILL)


def test_dask_worker_killed_mid_build_gives_the_same_dataset(tmp_path, cluster, codebook, parser):
    inputs = [tmp_path / n for n in mixed_corpus(tmp_path)]
    build(inputs, tmp_path / "local", codebook=codebook, parser=parser, jobs=1)
    marker = tmp_path / "killed"
    with distributed.Client(cluster.scheduler_address) as client:
        before = set(client.scheduler_info()["workers"])
        client.register_plugin(KillOnce(str(marker)), name="kill-once")
        try:
            build(inputs, tmp_path / "dask", codebook=codebook, parser=parser, engine=DaskEngine(cluster.scheduler_address))
        finally:
            client.unregister_worker_plugin("kill-once")
        client.wait_for_workers(2, timeout=60)
        after = set(client.scheduler_info()["workers"])
    assert marker.read_text().startswith("_code_on_worker")  # a worker died while coding a batch
    assert before != after  # and the Nanny replaced it
    assert dataset_bytes(tmp_path / "dask") == dataset_bytes(tmp_path / "local")


def test_dask_engine_reports_the_cluster_size_for_the_progress_bar(cluster, codebook, parser, compiled):
    engine = DaskEngine(cluster.scheduler_address)
    engine.open(codebook, parser, compiled)
    try:
        assert engine.status() == "2 workers"
        assert engine.describe() == {"engine": "dask", "scheduler": cluster.scheduler_address, "workers": 2, "threads": 2}
    finally:
        engine.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_unreachable_scheduler_is_one_line_and_leaves_no_dataset(tmp_path):
    import dask
    from click.testing import CliRunner

    address = f"tcp://127.0.0.1:{_closed_port()}"
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "date": "2024-07-17", "text": "Iran met Russia."}) + "\n")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        result = CliRunner().invoke(main, ["build", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "d"),
                                           "--engine", "dask", "--scheduler", address])
    assert result.exit_code == EXIT_SYSTEM
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot reach the Dask scheduler at {address}"), result.output
    assert not (tmp_path / "d" / "manifest.json").exists() and not (tmp_path / "d" / ".staging").exists()


def test_dask_scheduler_without_the_dask_engine_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["build", str(tmp_path), "--out", str(tmp_path / "d"), "--scheduler", "tcp://x:1"])
    assert result.exit_code == 2 and "--scheduler is for the dask engine" in result.output


def test_dask_missing_says_how_to_install_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError, as when not installed
    (tmp_path / "in.jsonl").write_text(json.dumps({"id": "a", "date": "2024-07-17", "text": "Iran met Russia."}) + "\n")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "d"), "--engine", "dask"])
    assert result.exit_code == EXIT_SYSTEM
    assert result.output.strip() == "Error: the dask engine needs Dask and fsspec: pip install 'events-coder[dask]'"


def test_dask_worker_with_another_codebook_parser_or_version_refuses_to_code(tmp_path, codebook, parser):
    from events.dataset.engines import _compiled_on_worker, versions

    with pytest.raises(EngineError, match="different codebook .* every worker needs the same codebook folder"):
        _compiled_on_worker(str(codebook.path), "0" * 64, parser.content_hash, versions())
    with pytest.raises(EngineError, match="another parser model"):
        _compiled_on_worker(str(codebook.path), codebook.content_hash, "0" * 64, versions())
    mine = dict(versions())["coder"]
    other = tuple((name, value + "-other" if name == "coder" else value) for name, value in versions())
    with pytest.raises(EngineError) as error:
        _compiled_on_worker(str(codebook.path), codebook.content_hash, parser.content_hash, other)
    assert str(error.value) == (f"a Dask worker runs another events (coder {mine} here, {mine}-other on the client): "
                                "install the same version on every worker")


def _to_memory(root: Path, names: list[str], url: str) -> list[str]:
    """Copy the inputs `names` under `root` to the memory filesystem under `url`; their URLs."""
    import fsspec

    fs = fsspec.filesystem("memory")
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.relative_to(root).parts[0] in names:
            fs.pipe_file(f"{url}/{path.relative_to(root).as_posix()}", path.read_bytes())
    return [f"{url}/{name}" for name in names]


def _memory_bytes(url: str) -> dict[str, bytes]:
    import fsspec

    fs, root = fsspec.core.url_to_fs(url)
    return {path[len(root) + 1:]: fs.cat_file(path) for path in sorted(fs.find(root))}


def test_dask_urls_in_and_out_give_the_dataset_a_local_folder_gets(tmp_path, cluster, codebook, parser):
    """Inputs and output on fsspec's memory filesystem, coded on the cluster: the same files as the same URL inputs
    built into a local folder with the local engine, incremental build (one input added) included."""
    names = mixed_corpus(tmp_path)
    urls = _to_memory(tmp_path, names, "memory://corpus")
    remote, folder = "memory://datasets/news", tmp_path / "local"
    first, both = [u for u in urls if not u.endswith("/txt")], urls
    for inputs in (first, both):
        report = build(inputs, remote, codebook=codebook, parser=parser, engine=DaskEngine(cluster.scheduler_address))
        build(inputs, folder, codebook=codebook, parser=parser, jobs=1)
        assert report.out == remote and report.engine["engine"] == "dask"
        uploaded = _memory_bytes(remote)
        assert {k: v for k, v in uploaded.items() if k != BUILD_NOTES} == {
            k: v for k, v in dataset_bytes(folder).items() if k != ".events.lock"}
    manifest = json.loads(uploaded["manifest.json"])
    assert sorted(i["path"] for i in manifest["inputs"]) == sorted(
        ["memory://corpus/news.jsonl", "memory://corpus/seeds/mehr_2024-07-17.jsonl", "memory://corpus/txt"])
    assert all(not k.startswith(".staging") for k in uploaded)


def test_dask_file_urls_are_local_paths(tmp_path, codebook, parser):
    names = mixed_corpus(tmp_path)
    build([tmp_path / n for n in names], tmp_path / "paths", codebook=codebook, parser=parser, jobs=1)
    build([(tmp_path / n).as_uri() for n in names], (tmp_path / "urls").as_uri(), codebook=codebook, parser=parser, jobs=1)
    assert dataset_bytes(tmp_path / "urls") == dataset_bytes(tmp_path / "paths")


def test_dask_url_input_that_does_not_exist_is_one_line(tmp_path):
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["build", "memory://nowhere/news.jsonl", "--out", str(tmp_path / "d")])
    assert result.exit_code == 2 and result.output.strip() == "Error: memory://nowhere/news.jsonl: no such file or folder"
