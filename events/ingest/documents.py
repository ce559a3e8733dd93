"""Read input documents, one record at a time, turning every bad record into a `Reject` instead of an error.

Input kinds, chosen by name:

* JSONL (`.jsonl`, `.jsonl.gz`; any other explicitly named file is read as JSONL): one document a line;
* CSV (`.csv`, `.csv.gz`, with a header row) and Parquet (`.parquet`) document tables;
* a folder of `.txt` files, one document each, with its metadata in one table beside them (a CSV or JSONL
  file without a text column, matched to the files by id = file name without `.txt`), a front-matter block
  (`---\\ndate: 2024-07-17\\n---`) or a sidecar `name.json`. A folder is such an input when it directly holds
  `.txt` files and no document table (a table with a text column): a stray `notes.txt` beside JSONL
  documents is not a document.

Every kind yields the same records: `id` (unique string), `text`, `date` (publication date: ISO date or
datetime; the calendar date as written, in the publisher's own time zone) and optional `title`, `source`,
`url`. `Columns` maps those names to the input's own field or column names (`--id-col`, `--text-col`,
`--date-col`), for every kind. Folders are searched recursively, in sorted order, so the same inputs always
arrive in the same order; the output folder, and any other events dataset, is never searched.

Limits keep one record from taking the build down: a record (a JSONL line, a CSV record, a text file or its sidecar,
a Parquet row's text) over `max_record_bytes` is rejected (IN009) while it is read, never held whole in memory; JSON
deeper than `MAX_JSON_DEPTH` or with an integer longer than `MAX_INT_DIGITS` digits is rejected (IN010); a string
holding a lone surrogate (an escaped `\\ud800` in JSON) is not text (IN005). A UTF-8 byte order mark is dropped from
every kind of input.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import accumulate
from pathlib import Path

from events.ingest.reading import BOM, CSV_BREAKS, LineReader, csv_records, lines
from events.ingest.reading import Record as RawRecord

INPUT_SUFFIXES = (".jsonl", ".jsonl.gz", ".csv", ".csv.gz", ".parquet")
TXT_SUFFIX = ".txt"
_RAW_LIMIT = 2000
_PARQUET_BATCH = 1024
DEFAULT_MAX_RECORD_BYTES = 4 << 20  # 4 MiB: a long report is 100 KB; raise it with --max-record-size
MAX_JSON_DEPTH = 64  # nesting of arrays and objects in one JSON record (a document needs 1)
MAX_INT_DIGITS = 64  # digits of one JSON integer (an id needs at most 20)
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each document field is found in a record: JSON key or table column."""

    id: str = "id"
    text: str = "text"
    date: str = "date"
    title: str = "title"
    source: str = "source"
    url: str = "url"

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT_COLUMNS = Columns()


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    text: str
    pub_date: dt.date
    title: str | None
    source: str | None
    url: str | None
    input_file: str
    line: int


@dataclass(frozen=True, slots=True)
class Reject:
    file: str
    line: int
    record_id: str | None
    code: str
    reason: str
    raw: str

    def __post_init__(self) -> None:
        # whatever a record held, a reject must be writable as UTF-8: lone surrogates become \\udXXX escapes
        for name in ("file", "record_id", "reason", "raw"):
            value = getattr(self, name)
            if isinstance(value, str) and _SURROGATE.search(value):
                object.__setattr__(self, name, value.encode("utf-8", "backslashreplace").decode("utf-8"))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class Cursor:
    """How far an input has been read, in bytes of its files (compressed bytes for `.gz`; for Parquet, the share of
    rows read): what a progress bar needs for a percentage and an estimate of the time left."""

    bytes: int = 0


class InputError(Exception):
    """An input path that does not exist or holds no readable inputs."""


def input_kind(path: Path) -> str:
    """How an input is read: "jsonl", "csv", "parquet" or "txt" (a folder of text files, or one text file).

    >>> [input_kind(Path(p)) for p in ("a.jsonl.gz", "b.CSV", "c.parquet", "d.txt", "e.json")]
    ['jsonl', 'csv', 'parquet', 'txt', 'jsonl']
    """
    name = path.name.lower()
    if path.is_dir() or name.endswith(TXT_SUFFIX):
        return "txt"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    if name.endswith(".parquet"):
        return "parquet"
    return "jsonl"


def _is_input_file(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(INPUT_SUFFIXES)


def is_dataset(folder: Path) -> bool:
    """Whether `folder` holds a dataset written by `events build` (its manifest names our format)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(manifest, dict) and str(manifest.get("format", "")).startswith("events.dataset")


def discover_inputs(paths: list[str | Path], columns: Columns = DEFAULT_COLUMNS, exclude: Path | None = None,
                    notes: list[str] | None = None) -> list[Path]:
    """Expand files and folders into the list of inputs: files, and folders of `.txt` documents.

    Each named folder is searched recursively and contributes its inputs in sorted order; a folder that
    directly holds `.txt` files is one input unless a document table (a table with the text column) stands
    beside them. `exclude` (the output folder) and any other events dataset are never searched (`notes` gets a
    line for each dataset skipped); naming one is an error. A file named twice, by any path, is one input.
    """
    outside = exclude.resolve() if exclude is not None else None
    found: dict[Path, Path] = {}  # resolved path -> the path as first named
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if outside is not None and path.resolve().is_relative_to(outside):
            raise InputError(f"{path}: inside the output folder {exclude}; a dataset is never read as input (name the "
                             "inputs, or choose an --out outside them)")
        if path.is_dir() and is_dataset(path):
            raise InputError(f"{path}: holds a dataset built by `events build` (manifest.json), not input documents")
        inside: list[Path] = []
        if path.is_dir():
            for folder in _folders(path, outside, notes):
                files = [p for p in sorted(folder.iterdir()) if _is_input_file(p)]
                texts, metadata = _txt_layout(folder, columns)
                inside.extend(p for p in files if p != metadata)
                if texts and (metadata is not None or not files):
                    inside.append(folder)
        else:
            inside.append(path)
        for item in sorted(inside):
            found.setdefault(item.resolve(), item)
    for path in found.values():
        if _SURROGATE.search(str(path)):
            shown = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
            raise InputError(f"{shown}: the file name is not valid UTF-8; rename it (datasets record input names as text)")
    if not found:
        kinds = ", ".join("*" + s for s in INPUT_SUFFIXES)
        raise InputError(f"no input files ({kinds}, or folders of *.txt) in {', '.join(map(str, paths))}")
    return list(found.values())


def _folders(root: Path, outside: Path | None, notes: list[str] | None) -> Iterator[Path]:
    """`root` and the folders below it, minus the output folder and events datasets."""
    yield root
    for sub in sorted(p for p in root.iterdir() if p.is_dir()):
        if outside is not None and sub.resolve().is_relative_to(outside):
            continue
        if is_dataset(sub):
            if notes is not None:
                notes.append(f"{sub}: holds a dataset built by `events build`; not read as input")
            continue
        yield from _folders(sub, outside, notes)


def _txt_layout(folder: Path, columns: Columns) -> tuple[list[Path], Path | None]:
    """The `.txt` files directly in `folder` and, beside them, the one table without a text column that holds
    their metadata (None when there is none). Two such tables are an error: which one is meant?"""
    if not folder.is_dir():
        return ([folder] if folder.name.lower().endswith(TXT_SUFFIX) else []), None
    entries = sorted(folder.iterdir())
    texts = [p for p in entries if p.is_file() and p.name.lower().endswith(TXT_SUFFIX)]
    if not texts:
        return [], None
    tables = [p for p in entries if _is_input_file(p) and not _has_column(p, columns.text)]
    if len(tables) > 1:
        raise InputError(f"{folder}: holds .txt files and several tables without a {columns.text!r} column "
                         f"({', '.join(p.name for p in tables)}); keep one of them there as the texts' metadata")
    return texts, (tables[0] if tables else None)


def _has_column(path: Path, column: str) -> bool:
    """Whether a table's header (CSV, Parquet) or first record (JSONL) has `column`; an unreadable table counts as
    having it, so it is read as documents and its fault reported there. Read within the reader's limits."""
    kind = input_kind(path)
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return column in pq.read_schema(path).names
        with open(path, "rb") as raw, _open_binary(path, raw) as handle:
            if kind == "csv":
                first = next(csv_records(LineReader(handle, DEFAULT_MAX_RECORD_BYTES, CSV_BREAKS)), None)
                header = _csv_row(first.data) if first is not None and not first.oversize else None
                return first is None or header is None or column in header
            first = next(lines(LineReader(handle, DEFAULT_MAX_RECORD_BYTES)), None)
            # an empty table is no one's metadata; an over-long first record is read (and rejected) as documents
            record = None if first is None or first.oversize else load_json(first.data.decode("utf-8"))
            return not isinstance(record, dict) or column in record
    except (OSError, EOFError, UnicodeDecodeError, ValueError, zlib.error):  # (a _JSONLimit is a ValueError)
        return True


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _txt_members(path: Path, columns: Columns) -> list[Path]:
    """The files a text input consists of: its metadata table, each `.txt` file and its sidecar `.json`, sorted."""
    texts, metadata = _txt_layout(path, columns)
    members = [metadata] if metadata is not None else []
    for text in texts:
        members.append(text)
        sidecar = text.with_suffix(".json")
        if sidecar.is_file():
            members.append(sidecar)
    return sorted(members)


def input_fingerprint(path: Path, columns: Columns = DEFAULT_COLUMNS) -> tuple[str, int]:
    """(sha256, bytes) of an input: of the file, or for a folder of text files, of its listing and contents.

    An incremental build recodes an input exactly when this changes.
    """
    if not path.is_dir():
        return file_sha256(path), path.stat().st_size
    digest = hashlib.sha256()
    size = 0
    for member in _txt_members(path, columns):
        digest.update(os.fsencode(member.name) + f"\0{file_sha256(member)}\n".encode())
        size += member.stat().st_size
    return digest.hexdigest(), size


def parse_pub_date(value) -> dt.date:
    """Publication date from an ISO date or datetime string (or a date/datetime value from a table).

    >>> parse_pub_date("2024-07-17"), parse_pub_date("2024-07-17T23:10:00+04:30")
    (datetime.date(2024, 7, 17), datetime.date(2024, 7, 17))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError(f"expected an ISO date (YYYY-MM-DD) or datetime, got {_short(value)}")
    value = value.strip()
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise ValueError(f"{_short(value)} is not a valid ISO date or datetime") from None


def _short(value, limit: int = 80) -> str:
    """repr of a value, cut to `limit` characters (a reason quotes a value, never a whole document).

    >>> _short("x" * 100, 12)
    "'xxxxxxxxxx…"
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _record_id(value) -> str | None:
    """A record's id as text: a string as it is, an integer written out; None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


Record = tuple[int, dict, str]  # (line or row number, fields, the raw record for a reject)


def read_documents(path: Path, seen_ids: set[str], columns: Columns = DEFAULT_COLUMNS,
                   max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES, name: str | None = None,
                   cursor: Cursor | None = None) -> Iterator[Document | Reject]:
    """Yield the documents of one input, and a `Reject` for each record that cannot be used.

    `seen_ids` holds the ids already in the dataset; a repeated id is rejected (IN004) and the first kept. A record
    over `max_record_bytes` is rejected (IN009) without being held in memory. `name` is how documents and rejects
    name the input (default: the path as given). `cursor`, when given, says how far the input has been read whenever
    an item is yielded.
    """
    name = name or path.as_posix()
    cursor = cursor if cursor is not None else Cursor()
    if input_kind(path) == "txt":
        yield from _read_txt(path, name, seen_ids, columns, cursor, max_record_bytes)
        return
    for item in read_records(path, name, columns, ("id", "text", "date"), cursor, max_record_bytes):
        yield item if isinstance(item, Reject) else make_document(item[1], name, item[0], seen_ids, columns, item[2])


def read_records(path: Path, name: str, columns: Columns, required: tuple[str, ...], cursor: Cursor | None = None,
                 max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[Record | Reject]:
    """The records of a table (JSONL, CSV or Parquet) as dicts keyed by its own field names, and a `Reject` for
    each that cannot be read. A CSV or Parquet header that lacks one of the `required` fields (mapped through
    `columns`) is one reject for the whole table; a record over `max_record_bytes` is one reject (IN009)."""
    reader = {"jsonl": _jsonl_records, "csv": _csv_records, "parquet": _parquet_records}[input_kind(path)]
    wanted = [getattr(columns, f) for f in required]
    yield from reader(path, name, columns, wanted, cursor if cursor is not None else Cursor(), max_record_bytes)


def _open_binary(path: Path, raw) -> io.BufferedIOBase:
    """The bytes of a file opened as `raw`, decompressed when its name ends in `.gz`."""
    return gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw


def _advance(cursor: Cursor, raw, handle, reader: LineReader) -> None:
    """Move `cursor` to the end of what `reader` has returned: the bytes it has used, or for a compressed file the
    compressed bytes read so far in that proportion (the reader reads ahead by a block; progress never goes back)."""
    if handle is raw:
        cursor.bytes = reader.consumed
    else:
        cursor.bytes = max(cursor.bytes, raw.tell() * reader.consumed // max(reader.read_bytes, 1))


def _lacks_columns(name: str, line: int, present: list[str], wanted: list[str], raw: str) -> Reject | None:
    missing = [c for c in wanted if c not in present]
    if not missing:
        return None
    return Reject(name, line, None, "IN002", f"{'header' if line else 'table'} lacks column(s) {', '.join(map(repr, missing))} "
                  f"(has: {', '.join(present)}); map them with --id-col/--text-col/--date-col", raw[:_RAW_LIMIT])


def _oversize(name: str, record: RawRecord, limit: int, what: str = "line") -> Reject:
    return Reject(name, record.line, None, "IN009",
                  f"{what} of {record.size:,} bytes is over the limit of {limit:,} bytes (--max-record-size); not read",
                  record.data[:_RAW_LIMIT].decode("utf-8", "replace"))


# -- JSONL ---------------------------------------------------------------------------------------------
def _jsonl_records(path: Path, name: str, columns: Columns, wanted: list[str], cursor: Cursor,
                   limit: int) -> Iterator[Record | Reject]:
    try:
        with open(path, "rb") as raw, _open_binary(path, raw) as handle:
            reader = LineReader(handle, limit)
            for record in lines(reader):
                _advance(cursor, raw, handle, reader)
                yield _oversize(name, record, limit) if record.oversize else _json_line(record.data, name, record.line)
    except (OSError, EOFError, zlib.error) as exc:  # truncated or corrupt gzip, unreadable file: keep what was read, reject the rest
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


class _JSONLimit(ValueError):
    """A JSON record beyond the reader's limits (IN010)."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _JSONLimit(f"an integer of {len(text.lstrip('-')):,} digits; at most {MAX_INT_DIGITS} are read")
    return int(text)


_DECODER = json.JSONDecoder(parse_int=_parse_int)
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.S)
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_NOT_BRACKETS = re.compile(r"[^\[\]{}]++")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets inside strings do not count); linear time.

    >>> json_depth('{"a": [1, {"b": "]]]"}]}'), json_depth('"x"')
    (3, 0)
    """
    if text.count("[") + text.count("{") <= 1:
        return text.count("[") + text.count("{")
    brackets = _NOT_BRACKETS.sub("", _JSON_STRING.sub('""', text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def load_json(text: str):
    """`json.loads` within the reader's limits: `_JSONLimit` for nesting deeper than `MAX_JSON_DEPTH` or an integer
    longer than `MAX_INT_DIGITS` digits, whatever the interpreter's own limits (recursion depth, integer digits)."""
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise _JSONLimit(f"arrays and objects nest {depth:,} deep; at most {MAX_JSON_DEPTH} are read")
    return _DECODER.decode(text)


def _json_line(raw: bytes, name: str, number: int) -> Record | Reject:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Reject(name, number, None, "IN005", f"line is not valid UTF-8 ({exc.reason} at byte {exc.start})",
                      raw[:_RAW_LIMIT].decode("utf-8", "replace"))
    snippet = line[:_RAW_LIMIT]
    try:
        record = load_json(line)
    except _JSONLimit as exc:
        return Reject(name, number, None, "IN010", f"JSON beyond the reader's limits: {exc}", snippet)
    except json.JSONDecodeError as exc:
        return Reject(name, number, None, "IN001", f"malformed JSON: {exc.msg} at column {exc.colno}", snippet)
    if not isinstance(record, dict):
        return Reject(name, number, None, "IN006", f"expected a JSON object, got {type(record).__name__}", snippet)
    return number, record, snippet


def make_document(record: dict, name: str, number: int, seen_ids: set[str], columns: Columns = DEFAULT_COLUMNS,
                  snippet: str = "") -> Document | Reject:
    """Check one record (a dict keyed by `columns`) and turn it into a `Document`, or a `Reject` saying why."""
    record_id = _record_id(record.get(columns.id))
    for field_name in ("id", "text", "date", "title", "source", "url"):
        value = record.get(getattr(columns, field_name))
        if isinstance(value, str) and (lone := _SURROGATE.search(value)):
            return Reject(name, number, record_id, "IN005", f"{getattr(columns, field_name)!r} holds a lone surrogate "
                          f"(U+{ord(lone.group()):04X}), which is not text; fix the encoder that wrote it", snippet)
    for field_name in ("id", "text", "date"):
        key = getattr(columns, field_name)
        if record.get(key) in (None, ""):
            hint = "" if key == field_name else f" (mapped from {field_name!r})"
            if key not in record:
                fields = ", ".join(map(repr, record)) or "no fields"
                hint += f"; the record has {fields if len(fields) <= 200 else fields[:199] + '…'}: map them with " \
                        "--id-col/--text-col/--date-col"
            return Reject(name, number, record_id, "IN002", f"missing required field {key!r}{hint}", snippet)
    if record_id is None:
        return Reject(name, number, None, "IN006", f"{columns.id!r} must be a string, got {type(record[columns.id]).__name__}", snippet)
    text = record[columns.text]
    if not isinstance(text, str):
        return Reject(name, number, record_id, "IN006", f"{columns.text!r} must be a string, got {type(text).__name__}", snippet)
    optional = {}
    for field_name in ("title", "source", "url"):
        key = getattr(columns, field_name)
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            return Reject(name, number, record_id, "IN006", f"{key!r} must be a string or null", snippet)
        optional[field_name] = value
    try:
        pub_date = parse_pub_date(record[columns.date])
    except ValueError as exc:
        return Reject(name, number, record_id, "IN003", f"unparseable {columns.date!r}: {exc}", snippet)
    if record_id in seen_ids:
        return Reject(name, number, record_id, "IN004", f"duplicate id {record_id!r}; the first record with it was kept", snippet)
    seen_ids.add(record_id)
    return Document(record_id, text, pub_date, optional["title"], optional["source"], optional["url"], name, number)


# -- CSV -----------------------------------------------------------------------------------------------
def _csv_records(path: Path, name: str, columns: Columns, wanted: list[str], cursor: Cursor,
                 limit: int) -> Iterator[Record | Reject]:
    """Rows of a CSV table with a header; a row's number is the line where it starts.

    Records are split as the csv module splits them (a quoted field may span lines) and parsed one at a time, so
    a record over the limit or a malformed one is rejected alone.
    """
    csv.field_size_limit(max(csv.field_size_limit(), limit))  # a field may be as large as a record
    try:
        with open(path, "rb") as raw, _open_binary(path, raw) as handle:
            reader = LineReader(handle, limit, CSV_BREAKS)
            records = csv_records(reader)
            first = next(records, None)
            if first is None:
                return
            header = _csv_row(first.data) if not first.oversize else None
            if header is None or any(_has_surrogates(cell) for cell in header):
                yield Reject(name, first.line, None, "IN002", "unreadable header row (over the size limit, malformed or "
                             "not UTF-8); no row of this table can be read", _csv_snippet(first.data))
                return
            if (lacking := _lacks_columns(name, first.line, header, wanted, ",".join(header))) is not None:
                yield lacking
                return
            for record in records:
                _advance(cursor, raw, handle, reader)
                if record.oversize:
                    yield _oversize(name, record, limit, "record")
                elif (item := _csv_record(record, header, name)) is not None:
                    yield item
    except (OSError, EOFError, zlib.error) as exc:
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _csv_row(data: bytes) -> list[str] | None:
    try:
        return next(csv.reader([data.decode("utf-8", "surrogateescape")]), [])
    except csv.Error:
        return None


def _csv_snippet(data: bytes) -> str:
    return data[:_RAW_LIMIT].decode("utf-8", "replace")


def _csv_record(record: RawRecord, header: list[str], name: str) -> Record | Reject | None:
    """The fields of one CSV record, a `Reject`, or None for a row of empty cells."""
    number, snippet = record.line, _csv_snippet(record.data)
    row = _csv_row(record.data)
    if row is None:
        return Reject(name, number, None, "IN006", "malformed CSV record", snippet)
    if not any(cell.strip() for cell in row):
        return None
    if any(_has_surrogates(cell) for cell in row):
        return Reject(name, number, None, "IN005", "row is not valid UTF-8", snippet)
    if len(row) != len(header):
        return Reject(name, number, None, "IN006", f"row has {len(row)} fields, the header has {len(header)}", snippet)
    return number, {k: v or None for k, v in zip(header, row)}, snippet


def _has_surrogates(value: str) -> bool:
    return _SURROGATE.search(value) is not None


# -- Parquet -------------------------------------------------------------------------------------------
def _parquet_records(path: Path, name: str, columns: Columns, wanted: list[str], cursor: Cursor,
                     limit: int) -> Iterator[Record | Reject]:
    """Rows of a Parquet table, read in batches; a row's number is its 1-based position."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        names = table.schema_arrow.names
        if (lacking := _lacks_columns(name, 0, names, wanted, "")) is not None:
            yield lacking
            return
        read = [c for c in dict.fromkeys(columns.to_dict().values()) if c in names]
        number, total, size = 0, max(table.metadata.num_rows, 1), path.stat().st_size
        for batch in table.iter_batches(batch_size=_PARQUET_BATCH, columns=read):
            try:
                rows = batch.to_pylist()
            except (ValueError, OverflowError, pa.ArrowException):  # a value Python cannot hold (a date in year 10000)
                rows = None
            for index in range(batch.num_rows):
                number += 1
                cursor.bytes = size * number // total
                yield _parquet_row(batch, index, rows, name, number, columns.text, limit)
    except (OSError, EOFError, ValueError, pa.ArrowException) as exc:  # corrupt files raise ArrowInvalid (a ValueError)
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _parquet_row(batch, index: int, rows: list[dict] | None, name: str, number: int, text_column: str,
                 limit: int) -> Record | Reject:
    import pyarrow as pa

    if rows is not None:
        record = rows[index]
    else:
        record = {}
        for column in batch.schema.names:
            try:
                record[column] = batch.column(column)[index].as_py()
            except (ValueError, OverflowError, pa.ArrowException) as exc:
                return Reject(name, number, None, "IN006", f"column {column!r} holds a value that cannot be read: {exc}", "")
    text = record.get(text_column)
    if isinstance(text, str) and len(text) > limit // 4 and len(text.encode("utf-8", "surrogatepass")) > limit:
        size = len(text.encode("utf-8", "surrogatepass"))
        return Reject(name, number, None, "IN009", f"text of {size:,} bytes is over the limit of {limit:,} bytes "
                      "(--max-record-size)", text[:_RAW_LIMIT])
    return number, record, json.dumps(record, default=str, ensure_ascii=False)[:_RAW_LIMIT]


# -- folders of text files -----------------------------------------------------------------------------
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    """(fields, body) of a text that may start with a `---` block of `key: value` lines.

    >>> split_front_matter("---\\ndate: 2024-07-17\\ntitle: Talks\\n---\\nIran met Russia.")
    ({'date': '2024-07-17', 'title': 'Talks'}, 'Iran met Russia.')
    >>> split_front_matter("No header.")
    ({}, 'No header.')
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    fields = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            fields[key.strip()] = value.strip().strip("'\"")
    return fields, text[match.end():]


def _read_txt(path: Path, name: str, seen_ids: set[str], columns: Columns, cursor: Cursor,
              limit: int) -> Iterator[Document | Reject]:
    """One document per `.txt` file: the id is the file name without `.txt` unless the metadata gives one.

    Metadata comes from the folder's metadata table, then front matter, then a sidecar `name.json`: the more
    specific source wins where several give a field. A metadata row for a file that is not there is IN008.
    """
    texts, metadata = _txt_layout(path, columns)
    by_stem: dict[str, Record] = {}
    table_name = f"{name}/{metadata.name}" if metadata is not None else ""
    if metadata is not None:
        cursor.bytes = metadata.stat().st_size
        for item in read_records(metadata, table_name, columns, ("id",), max_record_bytes=limit):
            if isinstance(item, Reject):
                yield item
                continue
            number, record, snippet = item
            key = _record_id(record.get(columns.id))
            if not key:
                yield Reject(table_name, number, None, "IN002" if record.get(columns.id) in (None, "") else "IN006",
                             f"metadata row without a string {columns.id!r}: it names no .txt file", snippet)
                continue
            stem = key[: -len(TXT_SUFFIX)] if key.lower().endswith(TXT_SUFFIX) else key
            if stem in by_stem:
                yield Reject(table_name, number, stem, "IN004", f"second metadata row for {stem!r}; the first "
                             f"(line {by_stem[stem][0]}) is used", snippet)
                continue
            by_stem[stem] = (number, {**record, columns.id: stem}, snippet)
    stems = set()
    for text in texts:
        stem = text.name[: -len(TXT_SUFFIX)]
        stems.add(stem)
        member = f"{name}/{text.name}" if path.is_dir() else name
        sidecar = text.with_suffix(".json")
        cursor.bytes += text.stat().st_size + (sidecar.stat().st_size if sidecar.is_file() else 0)
        yield _txt_document(text, member, seen_ids, columns, by_stem.get(stem, (0, {}, ""))[1], limit)
    for stem, (number, _, snippet) in by_stem.items():
        if stem not in stems:
            yield Reject(table_name, number, stem, "IN008", f"metadata for {stem}{TXT_SUFFIX}, which is not in the folder", snippet)


def _read_bounded(path: Path, name: str, limit: int) -> bytes | Reject:
    """The bytes of a file of at most `limit` bytes (without a byte order mark), else an IN007 or IN009 reject."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
            if len(raw) > limit:
                size = len(raw) + sum(len(block) for block in iter(lambda: handle.read(1 << 20), b""))
                return Reject(name, 1, None, "IN009", f"file of {size:,} bytes is over the limit of {limit:,} bytes "
                              "(--max-record-size); not read", raw[:_RAW_LIMIT].decode("utf-8", "replace"))
    except OSError as exc:
        return Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")
    return raw[len(BOM):] if raw.startswith(BOM) else raw


def _txt_document(path: Path, name: str, seen_ids: set[str], columns: Columns, metadata: dict,
                  limit: int) -> Document | Reject:
    if _SURROGATE.search(path.name):
        return Reject(name, 0, None, "IN005", "the file name is not valid UTF-8; rename it", "")
    raw = _read_bounded(path, name, limit)
    if isinstance(raw, Reject):
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Reject(name, 1, None, "IN005", f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})",
                      raw[:_RAW_LIMIT].decode("utf-8", "replace"))
    fields, body = split_front_matter(text)
    record = {columns.id: path.name[: -len(TXT_SUFFIX)], **{k: v for k, v in metadata.items() if v is not None}, **fields}
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        sidecar_name = name.rpartition("/")[0] + "/" + sidecar.name if "/" in name else sidecar.name
        meta = _sidecar(sidecar, sidecar_name, _record_id(record[columns.id]), limit)
        if isinstance(meta, Reject):
            return meta
        record.update(meta)
    record[columns.text] = body
    snippet = body[:_RAW_LIMIT]
    if record.get(columns.date) in (None, ""):
        return Reject(name, 1, _record_id(record.get(columns.id)), "IN002",
                      f"no publication date: add '---\\n{columns.date}: YYYY-MM-DD\\n---' at the top, a sidecar "
                      f"{sidecar.name}, or a {columns.date!r} column in a metadata table beside the files", snippet)
    return make_document(record, name, 1, seen_ids, columns, snippet)


def _sidecar(path: Path, name: str, record_id: str | None, limit: int) -> dict | Reject:
    """The metadata object of a sidecar `name.json`, or a reject saying why it cannot be used."""
    raw = _read_bounded(path, name, limit)
    if isinstance(raw, Reject):
        return raw
    content = raw.decode("utf-8", errors="replace")
    try:
        meta = load_json(content)
    except _JSONLimit as exc:
        return Reject(name, 1, record_id, "IN010", f"JSON sidecar beyond the reader's limits: {exc}", content[:_RAW_LIMIT])
    except json.JSONDecodeError as exc:
        return Reject(name, exc.lineno, record_id, "IN001", f"malformed JSON sidecar: {exc.msg}", content[:_RAW_LIMIT])
    if not isinstance(meta, dict):
        return Reject(name, 1, record_id, "IN006", "sidecar must hold a JSON object", content[:_RAW_LIMIT])
    return meta


__all__ = ["Columns", "Cursor", "Document", "Reject", "InputError", "discover_inputs", "input_kind", "input_fingerprint",
           "file_sha256", "parse_pub_date", "read_documents", "read_records", "make_document", "split_front_matter",
           "is_dataset", "load_json", "DEFAULT_MAX_RECORD_BYTES", "MAX_JSON_DEPTH", "MAX_INT_DIGITS"]
