"""`events build`: inputs → coded, dated mentions → partitioned Parquet dataset with a manifest.

Layout (hive partitioning, one shard file per input file and partition, so that an input's rows can be
replaced without touching anyone else's):

    DIR/mentions/year=YYYY/month=MM/<shard>.parquet    one row per coded event mention
    DIR/documents/year=YYYY/month=MM/<shard>.parquet   one row per document read
    DIR/events/year=YYYY/month=MM/part-0.parquet       mentions aggregated per (date, source, target, code)
    DIR/rejected.jsonl                                  every input record that could not be used
    DIR/manifest.json                                   inputs, outputs, codebook, versions; no timestamps

Determinism: documents are coded in batches of a fixed size, results are consumed in input order whatever
the number of workers, and every file is written with fixed writer settings.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from events import __version__
from events.codebook import Codebook, load_codebook
from events.compiler import COMPILER_VERSION, CompiledCodebook, compile_codebook
from events.ingest import Document, Reject, discover_inputs, file_sha256, read_documents
from events.schema import arrow_schema

DATASET_FORMAT = "events.dataset.v1"
BATCH_DOCUMENTS = 64
ROW_GROUP_ROWS = 50_000
WRITE_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                     data_page_size=1 << 20, version="2.6")


@dataclass
class InputStats:
    path: str
    sha256: str
    bytes: int
    shard: str
    records: int = 0
    documents: int = 0
    rejected: int = 0
    sentences: int = 0
    mentions: int = 0


@dataclass
class BuildReport:
    out: Path
    inputs: list[InputStats] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    events: int = 0
    manifest: dict = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return sum(i.documents for i in self.inputs)

    @property
    def sentences(self) -> int:
        return sum(i.sentences for i in self.inputs)

    @property
    def mentions(self) -> int:
        return sum(i.mentions for i in self.inputs)

    def summary(self) -> str:
        return (
            f"dataset written to {self.out}\n"
            f"  documents: {self.documents:,}  sentences: {self.sentences:,}  mentions: {self.mentions:,}  "
            f"events: {self.events:,}  rejected records: {len(self.rejects):,}"
            + (f" (see {self.out / 'rejected.jsonl'})" if self.rejects else "")
        )


class BuildError(Exception):
    pass


# -- worker side ---------------------------------------------------------------------------------------
_WORKER_CODEBOOK: CompiledCodebook | None = None


def _init_worker(compiled: CompiledCodebook) -> None:
    global _WORKER_CODEBOOK
    _WORKER_CODEBOOK = compiled


def _work(batch: list[Document]):
    from events.pipeline import code_batch

    assert _WORKER_CODEBOOK is not None
    return code_batch(batch, _WORKER_CODEBOOK)


# -- build ---------------------------------------------------------------------------------------------
def build(
    inputs: list[str | Path],
    out: str | Path,
    *,
    codebook: Codebook | None = None,
    jobs: int | None = None,
    progress: Callable[[int, int, int, int], None] | None = None,
) -> BuildReport:
    """Build a dataset from `inputs` into `out` (replacing a dataset there) and return a report."""
    codebook = codebook or load_codebook()
    compiled = compile_codebook(codebook)
    out = Path(out)
    files = discover_inputs(inputs)
    _prepare_output(out)
    report = BuildReport(out)
    seen_ids: set[str] = set()
    jobs = max(1, jobs or os.cpu_count() or 1)
    executor = cf.ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(compiled,)) if jobs > 1 else None
    if executor is None:
        _init_worker(compiled)
    try:
        for path in files:
            stats = InputStats(path.as_posix(), file_sha256(path), path.stat().st_size, shard_name(path))
            report.inputs.append(stats)
            _build_input(path, stats, out, seen_ids, report, executor, progress)
    finally:
        if executor is not None:
            executor.shutdown()
    report.events = aggregate_events(out, compiled)
    _write_rejects(out, report.rejects)
    report.manifest = write_manifest(out, report, codebook)
    return report


def shard_name(path: Path) -> str:
    """File name of an input's shards: readable stem plus a hash of the path as given.

    >>> shard_name(Path("corpus/2024/news.jsonl.gz"))
    'news-6b1a2b0bf2.parquet'
    """
    stem = re.sub(r"\.jsonl(\.gz)?$|\.[^.]+$", "", path.name)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:60] or "input"
    return f"{stem}-{hashlib.sha256(path.as_posix().encode()).hexdigest()[:10]}.parquet"


def _prepare_output(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out}: exists and is not a directory")
    for name in ("mentions", "events", "documents"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("manifest.json", "rejected.jsonl"):
        (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def _batches(path: Path, stats: InputStats, seen_ids: set[str], rejects: list[Reject]) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for item in read_documents(path, seen_ids):
        stats.records += 1
        if isinstance(item, Reject):
            stats.rejected += 1
            rejects.append(item)
            continue
        batch.append(item)
        if len(batch) >= BATCH_DOCUMENTS:
            yield batch
            batch = []
    if batch:
        yield batch


def _build_input(path, stats, out, seen_ids, report, executor, progress) -> None:
    mention_writer = _PartitionWriter(out / "mentions", stats.shard, arrow_schema("mentions"), "event_date")
    document_writer = _PartitionWriter(out / "documents", stats.shard, arrow_schema("documents"), "pub_date")
    batches = _batches(path, stats, seen_ids, report.rejects)
    results = executor.map(_work, batches) if executor is not None else map(_work, batches)
    try:
        for result in results:
            mention_writer.write(result.mentions)
            document_writer.write(result.documents)
            stats.documents += result.documents.num_rows
            stats.sentences += result.sentences
            stats.mentions += result.mentions.num_rows
            if progress is not None:
                progress(result.documents.num_rows, result.sentences, result.mentions.num_rows, len(report.rejects))
    finally:
        mention_writer.close()
        document_writer.close()


class _PartitionWriter:
    """Appends rows to one Parquet file per (year, month) partition, in arrival order."""

    def __init__(self, root: Path, shard: str, schema: pa.Schema, date_column: str):
        self.root, self.shard, self.schema, self.date_column = root, shard, schema, date_column
        self.writers: dict[tuple[int, int], pq.ParquetWriter] = {}
        self.pending: dict[tuple[int, int], list[pa.Table]] = {}
        self.pending_rows: dict[tuple[int, int], int] = {}

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        dates = table.column(self.date_column)
        years = pc.year(dates).to_pylist()
        months = pc.month(dates).to_pylist()
        keys = sorted(set(zip(years, months)))
        for key in keys:
            mask = pa.array([(y, m) == key for y, m in zip(years, months)])
            part = table.filter(mask) if len(keys) > 1 else table
            self.pending.setdefault(key, []).append(part)
            self.pending_rows[key] = self.pending_rows.get(key, 0) + part.num_rows
            if self.pending_rows[key] >= ROW_GROUP_ROWS:
                self._flush(key)

    def _flush(self, key: tuple[int, int]) -> None:
        parts = self.pending.pop(key, [])
        self.pending_rows.pop(key, None)
        if not parts:
            return
        table = pa.concat_tables(parts)
        writer = self.writers.get(key)
        if writer is None:
            directory = self.root / f"year={key[0]:04d}" / f"month={key[1]:02d}"
            directory.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(directory / self.shard, self.schema, **WRITE_OPTIONS)
            self.writers[key] = writer
        writer.write_table(table, row_group_size=ROW_GROUP_ROWS)

    def close(self) -> None:
        for key in sorted(self.pending):
            self._flush(key)
        for key in sorted(self.writers):
            self.writers[key].close()


# -- events table --------------------------------------------------------------------------------------
def aggregate_events(out: Path, compiled: CompiledCodebook) -> int:
    """Aggregate mentions into the events table, one partition at a time (bounded memory)."""
    from events.aggregate import aggregate_partition

    shutil.rmtree(out / "events", ignore_errors=True)
    total = 0
    for partition in sorted((out / "mentions").glob("year=*/month=*")):
        files = sorted(partition.glob("*.parquet"))
        if not files:
            continue
        table = aggregate_partition(files, compiled)
        if table.num_rows == 0:
            continue
        target = out / "events" / partition.relative_to(out / "mentions")
        target.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target / "part-0.parquet", row_group_size=ROW_GROUP_ROWS, **WRITE_OPTIONS)
        total += table.num_rows
    return total


# -- rejects and manifest ------------------------------------------------------------------------------
def _write_rejects(out: Path, rejects: list[Reject]) -> None:
    with (out / "rejected.jsonl").open("w", encoding="utf-8", newline="\n") as handle:
        for reject in rejects:
            handle.write(json.dumps(reject.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")


def _file_entry(out: Path, path: Path) -> dict:
    entry = {"path": path.relative_to(out).as_posix(), "bytes": path.stat().st_size, "sha256": file_sha256(path)}
    if path.suffix == ".parquet":
        entry["rows"] = pq.ParquetFile(path).metadata.num_rows
        entry["table"] = path.relative_to(out).parts[0]
    else:
        entry["rows"] = sum(1 for _ in path.open("rb"))
        entry["table"] = "rejected"
    return entry


def write_manifest(out: Path, report: BuildReport, codebook: Codebook) -> dict:
    from events.coder import CODER_VERSION
    from events.dates import DATES_VERSION
    from events.text import TEXT_VERSION

    outputs = [
        _file_entry(out, p)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.json" and (p.suffix == ".parquet" or p.name == "rejected.jsonl")
    ]
    reject_counts: dict[str, int] = {}
    for reject in report.rejects:
        reject_counts[reject.code] = reject_counts.get(reject.code, 0) + 1
    manifest = {
        "format": DATASET_FORMAT,
        "package": {"name": "events", "version": __version__},
        "behaviour": {"text": TEXT_VERSION, "compiler": COMPILER_VERSION, "coder": CODER_VERSION, "dates": DATES_VERSION},
        "codebook": {
            "name": codebook.name,
            "version": codebook.version,
            "content_hash": codebook.content_hash,
            "files": [{"path": p, "sha256": h} for p, h in codebook.files],
        },
        "inputs": [vars(i) for i in report.inputs],
        "outputs": outputs,
        "totals": {
            "documents": report.documents,
            "sentences": report.sentences,
            "mentions": report.mentions,
            "events": report.events,
            "rejected": len(report.rejects),
            "rejected_by_code": dict(sorted(reject_counts.items())),
        },
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()
