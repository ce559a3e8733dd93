"""`events build`: inputs → coded, dated mentions → partitioned Parquet dataset with a manifest.

Layout (hive partitioning, one shard file per input and partition, so that an input's rows can be replaced
without touching anyone else's):

    DIR/mentions/year=YYYY/month=MM/<shard>.parquet    one row per coded event mention
    DIR/documents/year=YYYY/month=MM/<shard>.parquet   one row per document read
    DIR/events/year=YYYY/month=MM/part-0.parquet       mentions aggregated per (date, source, target, code)
    DIR/labels/{event_codes,actor_codes,countries}.parquet   the codebook's lookup tables (events.dataset.labels)
    DIR/rejected.jsonl                                  every input record that could not be used
    DIR/manifest.json                                   inputs, outputs, codebook, versions; no timestamps

A table without rows holds one file without rows (`empty.parquet`), so that loading it never fails. Inputs are
named by their resolved path relative to DIR; the output folder and other datasets are never read as input.

Determinism: documents are coded in batches of a fixed size, results are consumed in input order whatever
the number of workers, every file is written with fixed writer settings, and the manifest lists inputs and
outputs sorted by path.

Incremental builds: building into a folder that holds a dataset reuses it. An input whose path, content hash
and column mapping match the manifest is not read again; a new or changed input is coded, its old shards
are replaced, and only the events partitions whose mentions changed are aggregated again. Inputs in the
manifest that are not named on this run are kept as they are (a dataset is extended day by day; naming
yesterday's files again is not required). A different codebook, behaviour version or table schema requires
`rebuild=True`, which codes the named inputs from scratch.

Concurrency: a build holds the dataset's lock (`events.dataset.lock`, an OS advisory lock on `DIR/.events.lock`) from
start to end, so a second build into the same folder waits for it or stops at once (`wait`), and never writes
beside it.

Robustness: new shards are written to `DIR/.staging/` and moved into place only when every input has been
read, so a crash or a bad input while coding leaves the dataset as it was. The manifest is replaced last; if a
build dies while moving files, `events verify` reports the damage and running the same build again repairs it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from events import DISTRIBUTION, __version__
from events.codebook.records import Codebook
from events.codebook.loader import load_codebook
from events.coding.parse import Parser, load_parser
from events.codebook.compiler import COMPILER_VERSION, CompiledCodebook, compile_codebook
from events.ingest.documents import (DEFAULT_COLUMNS, DEFAULT_MAX_RECORD_BYTES, Columns, Cursor, Document, InputError,
                                     Reject, discover_inputs, file_sha256, input_fingerprint, input_kind, read_documents)
from events.dataset.engines import Engine, LocalEngine
from events.dataset.lock import dataset_lock
from events.dataset.schema import LABELS, TABLES, arrow_schema, table_spec

DATASET_FORMAT = "events.dataset.v2"  # v2: inputs named by their resolved path relative to the dataset folder
BATCH_DOCUMENTS = 64  # documents coded together: their sentences that need a tree are parsed in one batch per round
ROW_GROUP_ROWS = 50_000
PENDING_ROWS = 20_000  # rows a shard writer may hold across all its partitions; beyond, the largest is written
WRITE_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                     data_page_size=1 << 20, version="2.6")
SHARD_TABLES = ("mentions", "documents")
EMPTY = "empty.parquet"  # the one file of a table without rows: loading a dataset never fails for want of files
STAGING = ".staging"
BUILD_NOTES = ".events-builds.jsonl"  # one line per build that coded inputs: the engine (outside the manifest)

Progress = Callable[[int, int, int, int, int, int], None]


@dataclass
class _Tally:
    """What the progress callback is told beyond each batch's counts."""

    rejected: int = 0  # records rejected so far on this run
    done: int = 0  # bytes of the inputs already coded on this run
    total: int = 0  # bytes of all the inputs to code on this run


@dataclass
class InputStats:
    path: str
    kind: str
    sha256: str
    bytes: int
    shard: str
    columns: dict
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    records: int = 0
    documents: int = 0
    rejected: int = 0
    sentences: int = 0
    mentions: int = 0
    sentences_not_coded: int = 0  # over the coder's budget (events.coding.text.sentence_budget)


@dataclass
class BuildReport:
    out: Path | str  # a str for a URL
    inputs: list[InputStats] = field(default_factory=list)  # every input in the dataset, sorted by path
    rejects: list[Reject] = field(default_factory=list)  # every reject in the dataset, in input order
    events: int = 0
    manifest: dict = field(default_factory=dict)
    incremental: bool = False  # an existing dataset was extended
    coded: list[str] = field(default_factory=list)  # inputs read and coded on this run
    unchanged: list[str] = field(default_factory=list)  # named on this run, same content: not read again
    kept: list[str] = field(default_factory=list)  # in the dataset, not named on this run: kept as they were
    new_rejects: int = 0  # rejects of the inputs coded on this run
    partitions_aggregated: int = 0
    warnings: list[str] = field(default_factory=list)  # for people: what the build did that they may not expect
    engine: dict = field(default_factory=dict)  # the engine that coded this run's inputs (empty when none were)

    def _total(self, counter: str) -> int:
        return sum(getattr(i, counter) for i in self.inputs)

    # totals over the inputs (coded on this run, unchanged and kept)
    documents = property(lambda self: self._total("documents"))
    sentences = property(lambda self: self._total("sentences"))
    mentions = property(lambda self: self._total("mentions"))
    sentences_not_coded = property(lambda self: self._total("sentences_not_coded"))  # over the coder's budget

    def summary(self) -> str:
        lines = [
            f"dataset written to {self.out}",
            f"  documents: {self.documents:,}  sentences: {self.sentences:,}  mentions: {self.mentions:,}  "
            f"events: {self.events:,}  rejected records: {len(self.rejects):,}"
            + (f" (see {self.out}/rejected.jsonl)" if self.rejects else ""),
        ]
        if self.sentences_not_coded:
            from events.coding.text import MAX_SENTENCE_CHARS, MAX_SENTENCE_TOKENS

            lines.append(f"  sentences not coded: {self.sentences_not_coded:,} (longer than {MAX_SENTENCE_TOKENS} tokens or "
                         f"{MAX_SENTENCE_CHARS:,} characters, or past a document's first sentences: the coder's budget)")
        if self.incremental:
            lines.append(
                f"  incremental: coded {len(self.coded)} new or changed input(s), skipped {len(self.unchanged)} unchanged, "
                f"re-aggregated {self.partitions_aggregated} events partition(s)"
            )
            if self.kept:
                lines.append(f"  kept {len(self.kept)} input(s) from earlier builds that were not named on this run "
                             "(use --rebuild to build from the named inputs only)")
        return "\n".join(lines)


class BuildError(Exception):
    pass


# -- build ---------------------------------------------------------------------------------------------
def build(
    inputs: list[str | Path],
    out: str | Path,
    *,
    codebook: Codebook | None = None,
    parser: Parser | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    columns: Columns = DEFAULT_COLUMNS,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    wait: bool = False,
    on_wait: Callable[[Path], None] | None = None,
    engine: Engine | None = None,
    names: dict[Path, str] | None = None,
) -> BuildReport:
    """Build or extend the dataset in `out` from `inputs` and return a report.

    `progress(documents, sentences, mentions, rejects, done, total)` is called after each batch with the documents,
    sentences and mentions of that batch, the number of records rejected so far on this run, and how many bytes of
    the inputs coded on this run have been read, of how many (for a percentage and an estimate of the time left).
    `codebook` and `parser` default to the ones shipped in the package. A record over `max_record_bytes` is
    rejected (IN009). When another build holds the dataset's lock, `wait` waits for it (calling `on_wait` first),
    else `events.dataset.lock.DatasetLocked` is raised at once. `engine` codes the batches
    (`events.dataset.engines`: `LocalEngine(jobs)` by default, or a `DaskEngine`); it is opened only when there is
    something to code, and closed before this returns. The dataset's bytes do not depend on it.

    `inputs` and `out` may be fsspec URLs (`events.dataset.remote`); `names` (resolved local path of an input or folder
    -> the name the dataset gives it) is how that module names the local copies of URL inputs.
    """
    from events.dataset.remote import build_with_urls, is_url

    if names is None and any(is_url(x) or str(x).startswith("file://") for x in [*inputs, out]):
        return build_with_urls(build, list(inputs), out, codebook=codebook, parser=parser, jobs=jobs, progress=progress,
                               rebuild=rebuild, columns=columns, max_record_bytes=max_record_bytes, wait=wait,
                               on_wait=on_wait, engine=engine)
    codebook = codebook or load_codebook()
    parser = parser or load_parser()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory; --out names the dataset folder")
    if max_record_bytes < 1:
        raise InputError(f"the record size limit must be at least 1 byte, not {max_record_bytes}")
    notes: list[str] = []
    files = discover_inputs(inputs, columns, exclude=out, notes=notes)
    with dataset_lock(out, wait, on_wait):
        return _build_locked(files, out, codebook, parser, engine or LocalEngine(jobs), progress, rebuild, columns,
                             max_record_bytes, notes, names or {})


def _build_locked(files, out, codebook, parser, engine, progress, rebuild, columns, max_record_bytes, notes,
                  names) -> BuildReport:
    identity = dataset_identity(codebook, parser)
    previous = None if rebuild else read_previous_manifest(out)
    if previous is not None:
        check_compatible(out, previous, identity)
    compiled = _compile(codebook, parser)
    report = BuildReport(out, incremental=previous is not None, warnings=notes)
    if (reason := codebook.unreleased) is not None:
        report.warnings.append(
            f"codebook {codebook.name} {codebook.version} at {codebook.path}: {reason}, so rows are labelled "
            f"{codebook.label} (version + content hash). Bump the version and run `events codebook release` to label "
            "them with a version of their own")

    old_inputs = {entry["path"]: entry for entry in (previous or {}).get("inputs", [])}
    old_outputs = {entry["path"]: entry for entry in (previous or {}).get("outputs", [])}
    locations = {input_key(path, out, names): path for path in files}  # how the dataset names an input -> where it is read
    old_shard_files: dict[str, list[str]] = {}
    for rel in old_outputs:
        old_shard_files.setdefault(rel.rpartition("/")[2], []).append(rel)
    to_code: list[InputStats] = []
    reused: list[InputStats] = []
    for key, path in locations.items():
        sha256, size = input_fingerprint(path, columns)
        stats = InputStats(key, input_kind(path), sha256, size, shard_name(Path(key)), columns.to_dict(), max_record_bytes)
        old = old_inputs.get(stats.path)
        # reused only when its content is the same and the shard files the manifest lists are still there
        if old is not None and _same_input(old, stats) and all((out / rel).is_file() for rel in old_shard_files.get(old["shard"], [])):
            reused.append(_stats_from_entry(old))
            report.unchanged.append(stats.path)
        else:
            to_code.append(stats)
    kept = [_stats_from_entry(entry) for path, entry in old_inputs.items() if path not in locations]
    report.kept = [stats.path for stats in kept]
    report.coded = [stats.path for stats in to_code]
    report.warnings.extend(_same_content(reused + kept + to_code, locations))

    seen_ids = _existing_ids(out, reused + kept) if previous is not None else set()
    old_rejects = _read_rejects(out) if previous is not None else []
    staging = out / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    new_rejects: dict[str, list[Reject]] = {}
    touched: set[str] = set()  # partitions ("year=YYYY/month=MM") whose mentions change
    try:
        if to_code:
            engine.open(codebook, parser, compiled)
            try:
                _code_inputs(to_code, locations, staging, engine, seen_ids, new_rejects, touched, progress)
                report.engine = engine.describe()
            finally:
                engine.close()
        report.new_rejects = sum(len(r) for r in new_rejects.values())
        if to_code and not any(stats.documents for stats in to_code):
            copies = "".join(f"; {w}" for w in report.warnings if "same content" in w)
            raise BuildError(f"no documents: {_why_no_documents(to_code, new_rejects)}{copies}. Nothing was written: "
                             f"{out} is as it was")
        report.warnings.extend(f"{stats.path}: no documents: {_why_no_documents([stats], new_rejects)}"
                               for stats in to_code if not stats.documents)
        # -- commit: from here on only files move; nothing is read from the inputs
        if previous is None:
            _clear_dataset(out)
        for stats in to_code:
            touched |= _remove_shards(out, stats.shard)
        written = _move_staged(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if previous is None:
        touched |= {p.relative_to(out / "mentions").as_posix() for p in (out / "mentions").glob("year=*/month=*")}
    report.partitions_aggregated = len(touched)
    shards = {s.shard for s in reused + kept + to_code}
    written |= aggregate_events(out, compiled, sorted(touched), shards)
    written |= _fill_empty_tables(out)
    written |= _write_labels(out, codebook)

    report.inputs = sorted(reused + kept + to_code, key=lambda s: s.path)
    rejects_by_input = _group_rejects(old_rejects, [s.path for s in reused + kept])
    rejects_by_input.update(new_rejects)
    report.rejects = [r for stats in report.inputs for r in rejects_by_input.get(stats.path, [])]
    _write_rejects(out, report.rejects)
    written.add("rejected.jsonl")
    report.manifest = write_manifest(out, report, codebook, identity, old_outputs if previous else {}, written)
    report.events = report.manifest["totals"]["events"]
    if report.engine:
        _note_build(out, report)
    return report


def _note_build(out: Path, report: BuildReport) -> None:
    """Append to `DIR/.events-builds.jsonl` which engine coded this run's inputs (`events info` shows it). It stays
    outside the manifest and the data files, which hold no host names and times and are the same bytes whatever
    the engine; a copy of the dataset without this file loses nothing but this note."""
    note = {**report.engine, "inputs_coded": len(report.coded), "events_version": __version__}
    with (out / BUILD_NOTES).open("a", encoding="utf-8", newline="\n") as handle:
        handle.write(json.dumps(note, sort_keys=True) + "\n")


_COMPILED: dict[tuple[str, str, str, str], CompiledCodebook] = {}


def _compile(codebook: Codebook, parser: Parser) -> CompiledCodebook:
    """Compile once per process for repeated builds with the same codebook and parser (hashes identify them)."""
    key = (codebook.name, codebook.version, codebook.content_hash, parser.content_hash)
    if key not in _COMPILED:
        _COMPILED.clear()
        _COMPILED[key] = compile_codebook(codebook, parser)
    return _COMPILED[key]


def _why_no_documents(inputs: list[InputStats], rejects: dict[str, list[Reject]]) -> str:
    """Why inputs that were read yielded no document, for the person who named them."""
    names = ", ".join(s.path for s in inputs[:3]) + (f" and {len(inputs) - 3} more" if len(inputs) > 3 else "")
    records = sum(stats.records for stats in inputs)
    if not records:
        return f"{names} hold(s) no records (empty?)"
    found = [r for stats in inputs for r in rejects.get(stats.path, [])]
    counts: dict[str, int] = {}
    for reject in found:
        counts[reject.code] = counts.get(reject.code, 0) + 1
    shown = "; ".join(f"{r.file}:{r.line}: [{r.code}] {r.reason}" for r in found[:2])
    return (f"all {records:,} record(s) of {names} were rejected ({', '.join(f'{c} ×{n:,}' for c, n in sorted(counts.items()))}): "
            f"{shown}")


def input_key(path: Path, out: Path, names: dict[Path, str] | None = None) -> str:
    """How a dataset names an input: its resolved path relative to the dataset folder. The same file named any way
    (relative or absolute, through a symbolic link, from another working directory) is the same input, and a dataset
    moved together with its inputs still knows them. An input in `names` (a file, or a file in a folder there) takes
    the name given there (a URL input's, `events.dataset.remote`).

    >>> input_key(Path("/tmp/in/2024/a.jsonl"), Path("/tmp/out"), {Path("/tmp/in"): "s3://news"})
    's3://news/2024/a.jsonl'
    """
    target, base = path.resolve(), out.resolve()
    for root, name in (names or {}).items():
        if target == root:
            return name
        if root in target.parents:
            return f"{name}/{target.relative_to(root).as_posix()}"
    try:
        return Path(os.path.relpath(target, base)).as_posix()
    except ValueError:  # another drive (Windows): no relative path
        return target.as_posix()


def _same_content(inputs: list[InputStats], named: dict[str, Path]) -> list[str]:
    """A warning for each set of inputs with the same content under different paths, one of them named now."""
    by_hash: dict[str, list[str]] = {}
    for stats in sorted(inputs, key=lambda s: s.path):
        if stats.bytes:
            by_hash.setdefault(stats.sha256, []).append(stats.path)
    return [f"{', '.join(paths)} have the same content (sha256 {sha[:12]}…): a copy's documents repeat ids already "
            "in the dataset and are rejected (IN004); name one of them only"
            for sha, paths in sorted(by_hash.items()) if len(paths) > 1 and any(p in named for p in paths)]


def shard_name(path: Path) -> str:
    """File name of an input's shards: readable stem plus a hash of the path as given.

    >>> shard_name(Path("corpus/2024/news.jsonl.gz"))
    'news-da5525d623.parquet'
    """
    stem = re.sub(r"\.(jsonl|csv)(\.gz)?$|\.[^.]+$", "", path.name)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem)[:60] or "input"
    return f"{stem}-{hashlib.sha256(path.as_posix().encode()).hexdigest()[:10]}.parquet"


# -- what an existing dataset holds ---------------------------------------------------------------------
def dataset_identity(codebook: Codebook, parser: Parser) -> dict:
    """Everything that must match for an existing dataset to be extended rather than rebuilt."""
    from events.coding.coder import CODER_VERSION
    from events.coding.dates import DATES_VERSION
    from events.coding.places import PLACES_VERSION, packaged_source
    from events.coding.text import TEXT_VERSION

    return {
        "format": DATASET_FORMAT,
        # the gazetteer's packaged data is named with its version: other GeoNames data may place events elsewhere
        "behaviour": {"text": TEXT_VERSION, "compiler": COMPILER_VERSION, "coder": CODER_VERSION, "dates": DATES_VERSION,
                      "places": f"{PLACES_VERSION} ({packaged_source()})"},
        "schemas": {name: table_spec(name)["version"] for name in TABLES},
        "parser": parser.describe(),
        "codebook": {
            "name": codebook.name,
            "version": codebook.version,
            "label": codebook.label,
            "released": codebook.released.isoformat() if codebook.released else None,
            "content_hash": codebook.content_hash,
            "files": [{"path": p, "sha256": h} for p, h in codebook.files],
        },
    }


def read_previous_manifest(out: Path) -> dict | None:
    from events.dataset.manifest import read_manifest

    if not (out / "manifest.json").is_file():
        return None
    try:
        return read_manifest(out)
    except ValueError as exc:
        raise BuildError(f"{exc}; or build again with --rebuild to recode every input") from None


def check_compatible(out: Path, previous: dict, identity: dict) -> None:
    """Refuse to mix rows coded under different codebooks, behaviour versions or schemas in one dataset."""
    differences = []
    old_cb, new_cb = previous.get("codebook") or {}, identity["codebook"]
    if any(old_cb.get(k) != new_cb[k] for k in ("name", "version", "content_hash")):
        differences.append(
            f"codebook {old_cb.get('name')} {old_cb.get('version')} (content {str(old_cb.get('content_hash'))[:12]}) "
            f"in the dataset, {new_cb['name']} {new_cb['version']} (content {new_cb['content_hash'][:12]}) now"
            + (" (same version number, different files)" if old_cb.get("version") == new_cb["version"] else "")
        )
    if previous.get("format") != identity["format"]:
        differences.append(f"dataset format {previous.get('format')} in the dataset, {identity['format']} now")
    for group in ("behaviour", "schemas", "parser"):
        old, new = previous.get(group) or {}, identity[group]
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                differences.append(f"{group} {key}: {old.get(key)} in the dataset, {new.get(key)} now")
    if differences:
        raise BuildError(
            f"{out}: the existing dataset was coded differently: " + "; ".join(differences)
            + ". Mixing them would give rows that disagree; build again with --rebuild to recode the named inputs "
            "(inputs only in the old dataset are then dropped), or choose another --out."
        )


def _stats_from_entry(entry: dict) -> InputStats:
    known = {name: entry[name] for name in InputStats.__dataclass_fields__ if name in entry}
    try:
        return InputStats(**known)
    except TypeError as exc:
        raise BuildError(f"manifest input entry {entry.get('path')!r} is incomplete ({exc}); build with --rebuild") from exc


def _same_input(old: dict, new: InputStats) -> bool:
    """Read again unless content, kind, column mapping, shard and record size limit are all the same (a larger limit
    can let a rejected record in)."""
    return (old.get("sha256"), old.get("kind"), old.get("columns"), old.get("shard"), old.get("max_record_bytes")) == (
        new.sha256, new.kind, new.columns, new.shard, new.max_record_bytes)


def _existing_ids(out: Path, inputs: list[InputStats]) -> set[str]:
    """Document ids already in the dataset, so that a new input cannot repeat them (IN004)."""
    seen: set[str] = set()
    for stats in inputs:
        for path in sorted((out / "documents").glob(f"year=*/month=*/{stats.shard}")):
            seen.update(pq.read_table(path, columns=["doc_id"]).column("doc_id").to_pylist())
    return seen


def _read_rejects(out: Path) -> list[Reject]:
    path = out / "rejected.jsonl"
    if not path.is_file():
        return []
    rejects = []
    fields = {f.name for f in dataclasses.fields(Reject)}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise BuildError(f"{path}:{number}: damaged: not JSON ({exc.msg}); run `events verify {out}` "
                                     "or build with --rebuild") from exc
                if not isinstance(record, dict) or set(record) != fields:
                    raise BuildError(f"{path}:{number}: damaged: expected the keys {', '.join(sorted(fields))}; "
                                     f"run `events verify {out}` or build with --rebuild")
                rejects.append(Reject(**record))
    return rejects


def _group_rejects(rejects: list[Reject], inputs: list[str]) -> dict[str, list[Reject]]:
    """Old rejects of the inputs that are kept; a folder input owns the rejects of the files inside it."""
    grouped: dict[str, list[Reject]] = {}
    owners = set(inputs)
    for reject in rejects:
        owner = reject.file if reject.file in owners else reject.file.rpartition("/")[0]
        if owner in owners:
            grouped.setdefault(owner, []).append(reject)
    return grouped


# -- coding --------------------------------------------------------------------------------------------
def _code_inputs(to_code, locations, staging, engine, seen_ids, rejects, touched, progress) -> None:
    tally = _Tally(total=sum(stats.bytes for stats in to_code))
    for stats in to_code:
        input_rejects = rejects.setdefault(stats.path, [])
        _code_input(stats, locations[stats.path], staging, engine, seen_ids, input_rejects, touched, progress, tally)


def _batches(stats: InputStats, location: Path, seen_ids: set[str], rejects: list[Reject], tally: _Tally,
             positions: deque[int]) -> Iterator[list[Document]]:
    """Batches of documents; `positions` gets, for each, how far the input had been read when it was complete."""
    batch: list[Document] = []
    cursor = Cursor()
    for item in read_documents(location, seen_ids, Columns(**stats.columns), stats.max_record_bytes, name=stats.path,
                               cursor=cursor):
        stats.records += 1
        if isinstance(item, Reject):
            stats.rejected += 1
            tally.rejected += 1
            rejects.append(item)
            continue
        batch.append(item)
        if len(batch) >= BATCH_DOCUMENTS:
            positions.append(min(cursor.bytes, stats.bytes))
            yield batch
            batch = []
    if batch:
        positions.append(stats.bytes)
        yield batch


def _code_input(stats, location, staging, engine, seen_ids, rejects, touched, progress, tally) -> None:
    mention_writer = _PartitionWriter(staging / "mentions", stats.shard, arrow_schema("mentions"), "event_date")
    document_writer = _PartitionWriter(staging / "documents", stats.shard, arrow_schema("documents"), "pub_date")
    positions: deque[int] = deque()
    batches = _batches(stats, location, seen_ids, rejects, tally, positions)
    try:
        for result in engine.map(batches):
            mention_writer.write(result.mentions)
            document_writer.write(result.documents)
            stats.documents += result.documents.num_rows
            stats.sentences += result.sentences
            stats.sentences_not_coded += result.over_budget
            stats.mentions += result.mentions.num_rows
            read = tally.done + positions.popleft()  # results arrive in input order, as their batches did
            if progress is not None:
                progress(result.documents.num_rows, result.sentences, result.mentions.num_rows, tally.rejected, read, tally.total)
    finally:
        mention_writer.close()
        document_writer.close()
    tally.done += stats.bytes
    if progress is not None:
        progress(0, 0, 0, tally.rejected, tally.done, tally.total)
    touched.update(f"year={y:04d}/month={m:02d}" for y, m in mention_writer.writers)


class _PartitionWriter:
    """Appends rows to one Parquet file per (year, month) partition, in arrival order.

    Rows wait in memory until a partition has a full row group, or until all partitions together hold more
    than `PENDING_ROWS`, when the largest is written. Both depend only on the input (never on timing or
    worker count), so the files are reproducible, and memory does not grow with the corpus.
    """

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
        while sum(self.pending_rows.values()) > PENDING_ROWS:
            self._flush(max(sorted(self.pending_rows), key=self.pending_rows.__getitem__))

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


# -- commit --------------------------------------------------------------------------------------------
def _clear_dataset(out: Path) -> None:
    for name in (*TABLES, "labels"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in ("manifest.json", "rejected.jsonl"):
        (out / name).unlink(missing_ok=True)


def _remove_shards(out: Path, shard: str) -> set[str]:
    """Delete an input's shard files; return the mentions partitions they were in."""
    partitions = set()
    for table in SHARD_TABLES:
        for path in sorted((out / table).glob(f"year=*/month=*/{shard}")):
            path.unlink()
            if table == "mentions":
                partitions.add(path.parent.relative_to(out / table).as_posix())
            _remove_empty_dirs(path.parent, out / table)
    return partitions


def _remove_empty_dirs(directory: Path, stop: Path) -> None:
    while directory != stop and directory.is_dir() and not any(directory.iterdir()):
        directory.rmdir()
        directory = directory.parent


def _move_staged(staging: Path, out: Path) -> set[str]:
    moved = set()
    for path in sorted(staging.rglob("*.parquet")):
        rel = path.relative_to(staging)
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
        moved.add(rel.as_posix())
    return moved


# -- events table --------------------------------------------------------------------------------------
def aggregate_events(out: Path, compiled: CompiledCodebook, partitions: list[str] | None = None,
                     shards: set[str] | None = None) -> set[str]:
    """Aggregate mentions into the events table, one partition at a time (bounded memory).

    Only `partitions` ("year=YYYY/month=MM"; all when None) are aggregated again; a partition left without
    mentions loses its events file. Returns the events files written, relative to `out`.
    """
    from events.dataset.aggregate import aggregate_partition

    if partitions is None:
        shutil.rmtree(out / "events", ignore_errors=True)
        partitions = sorted(p.relative_to(out / "mentions").as_posix() for p in (out / "mentions").glob("year=*/month=*"))
    written = set()
    for partition in partitions:
        target = out / "events" / partition / "part-0.parquet"
        # only the dataset's own shards: a file another tool left there is not aggregated (verify reports it)
        files = sorted(p for p in (out / "mentions" / partition).glob("*.parquet") if shards is None or p.name in shards)
        table = aggregate_partition(files, compiled) if files else None
        if table is None or table.num_rows == 0:
            if target.exists():
                target.unlink()
                _remove_empty_dirs(target.parent, out / "events")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, target, row_group_size=ROW_GROUP_ROWS, **WRITE_OPTIONS)
        written.add(target.relative_to(out).as_posix())
    return written


def _fill_empty_tables(out: Path) -> set[str]:
    """A table without rows gets one file without rows (`empty.parquet`, its schema and no rows) in the partition
    of the earliest document, so loading it with polars, pandas or DuckDB (hive types included) gives an empty
    table rather than an error; the file goes as soon as the table has rows. Returns the files written."""
    written = set()
    partitions = sorted(p.relative_to(out / "documents").as_posix() for p in (out / "documents").glob("year=*/month=*"))
    home = partitions[0] if partitions else "year=1970/month=01"
    for table in TABLES:
        target = out / table / home / EMPTY
        has_rows = any(p.name != EMPTY for p in (out / table).glob("year=*/month=*/*.parquet"))
        for placeholder in sorted((out / table).glob(f"year=*/month=*/{EMPTY}")):
            if has_rows or placeholder != target:
                placeholder.unlink()
                _remove_empty_dirs(placeholder.parent, out / table)
        if not has_rows and _write_if_changed(target, arrow_schema(table).empty_table()):
            written.add(target.relative_to(out).as_posix())
    return written


def _write_labels(out: Path, codebook: Codebook) -> set[str]:
    """The codebook's lookup tables (`events.dataset.labels`), rewritten only when their bytes change."""
    from events.dataset.labels import label_tables

    targets = {out / "labels" / f"{name}.parquet": table for name, table in label_tables(codebook).items()}
    return {path.relative_to(out).as_posix() for path, table in targets.items() if _write_if_changed(path, table)}


def _write_if_changed(target: Path, table: pa.Table) -> bool:
    """Write `table` to `target` (atomically) unless the file already holds exactly those bytes."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=ROW_GROUP_ROWS, **WRITE_OPTIONS)
    data = sink.getvalue().to_pybytes()
    if target.is_file() and target.read_bytes() == data:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    return True


# -- rejects and manifest ------------------------------------------------------------------------------
def _write_rejects(out: Path, rejects: list[Reject]) -> None:
    temporary = out / "rejected.jsonl.tmp"
    with temporary.open("w", encoding="utf-8", newline="\n") as handle:
        for reject in rejects:
            handle.write(json.dumps(reject.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(temporary, out / "rejected.jsonl")


def output_entry(out: Path, path: Path) -> dict:
    """What the manifest records for one output file (and what `events verify` recomputes)."""
    entry = {"path": path.relative_to(out).as_posix(), "bytes": path.stat().st_size, "sha256": file_sha256(path)}
    if path.suffix == ".parquet":
        entry["rows"] = pq.ParquetFile(path).metadata.num_rows
        entry["table"] = table_of(path.relative_to(out).as_posix())
    else:
        with path.open("rb") as handle:
            entry["rows"] = sum(1 for _ in handle)
        entry["table"] = "rejected"
    return entry


def dataset_files(out: Path, shards: set[str] | None = None) -> list[Path]:
    """The data files of a dataset: the three tables' Parquet files, the label tables and rejected.jsonl, sorted.

    With `shards` (the inputs' shard names), only the files the dataset owns: its inputs' mention and document
    shards, the events partitions' `part-0.parquet`, the `empty.parquet` of a table without rows and the label
    tables, so a stray file is never adopted into the manifest.
    """
    files = [p for table in TABLES for p in (out / table).rglob("*.parquet") if p.is_file()]
    if shards is not None:
        files = [p for p in files if p.name == EMPTY
                 or (p.name == "part-0.parquet" if p.relative_to(out).parts[0] == "events" else p.name in shards)]
    files.extend(path for name in LABELS if (path := out / "labels" / f"{name}.parquet").is_file())
    if (out / "rejected.jsonl").is_file():
        files.append(out / "rejected.jsonl")
    return sorted(files, key=lambda p: p.relative_to(out).as_posix())


def table_of(rel: str) -> str:
    """The table a dataset file belongs to: `events`, `labels/countries`, … (`rel` is relative to the dataset).

    >>> table_of("events/year=2024/month=07/part-0.parquet"), table_of("labels/countries.parquet")
    ('events', 'labels/countries')
    """
    return rel.removesuffix(".parquet") if rel.startswith("labels/") else rel.split("/", 1)[0]


def write_manifest(out: Path, report: BuildReport, codebook: Codebook, identity: dict,
                   old_outputs: dict | None = None, written: set[str] | None = None) -> dict:
    """Write `manifest.json`; files not written on this run keep the entry the old manifest has for them."""
    from events.dataset.labels import iso_source

    old_outputs = old_outputs or {}
    outputs = []
    for path in dataset_files(out, {s.shard for s in report.inputs}):
        rel = path.relative_to(out).as_posix()
        reuse = old_outputs.get(rel) if written is not None and rel not in written else None
        outputs.append(reuse if reuse is not None else output_entry(out, path))
    reject_counts: dict[str, int] = {}
    for reject in report.rejects:
        reject_counts[reject.code] = reject_counts.get(reject.code, 0) + 1
    manifest = {
        "format": identity["format"],
        "package": {"name": DISTRIBUTION, "version": __version__},
        "behaviour": identity["behaviour"],
        "schemas": identity["schemas"],
        "codebook": identity["codebook"],
        "parser": identity["parser"],
        "labels": {"tables": [f"labels/{name}.parquet" for name in LABELS], "iso3166": iso_source()},
        "inputs": [vars(i) for i in sorted(report.inputs, key=lambda s: s.path)],
        "outputs": outputs,
        "totals": {
            "documents": report.documents,
            "sentences": report.sentences,
            "sentences_not_coded": report.sentences_not_coded,
            "mentions": report.mentions,
            "events": sum(o["rows"] for o in outputs if o["table"] == "events"),
            "rejected": len(report.rejects),
            "rejected_by_code": dict(sorted(reject_counts.items())),
        },
    }
    temporary = out / "manifest.json.tmp"
    temporary.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, out / "manifest.json")
    return manifest
