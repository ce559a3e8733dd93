"""Read input documents, one record at a time, turning every bad record into a `Reject` instead of an error.

Input kinds, chosen by name:

* JSONL (`.jsonl`, `.jsonl.gz`; any other explicitly named file is read as JSONL): one document a line;
* CSV (`.csv`, `.csv.gz`, with a header row) and Parquet (`.parquet`) document tables;
* a folder of `.txt` files, one document each, dated by a sidecar `name.json` or a front-matter block
  (`---\\ndate: 2024-07-17\\n---`). A folder is such an input when it directly holds `.txt` files and no
  other input files (a stray `notes.txt` beside JSONL files is not a document).

Every kind yields the same records: `id` (unique string), `text`, `date` (publication date: ISO date or
datetime; the calendar date as written, in the publisher's own time zone) and optional `title`, `source`,
`url`. `Columns` maps those names to a table's own column names (`--id-col`, `--text-col`, `--date-col`).
Folders are searched recursively, in sorted order, so the same inputs always arrive in the same order.

Limits keep one record from taking the build down: a record (a JSONL line, a CSV record, a text file, a Parquet
row's text) over `max_record_bytes` is rejected (IN008) while it is read, never held whole in memory; JSON deeper
than `MAX_JSON_DEPTH` or with an integer longer than `MAX_INT_DIGITS` digits is rejected (IN009); a string holding a
lone surrogate (an escaped `\\ud800` in JSON) is not text (IN005). A UTF-8 byte order mark is dropped from every
kind of input.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import accumulate
from pathlib import Path

from events.reading import BOM, CSV_BREAKS, LineReader, Record, csv_records, lines

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


def discover_inputs(paths: list[str | Path]) -> list[Path]:
    """Expand files and folders into the list of inputs: files, and folders of `.txt` documents.

    Each named folder is searched recursively and contributes its inputs in sorted order; a folder that
    directly holds `.txt` files and no other input files is one input.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside: list[Path] = []
            for folder in [path, *sorted(p for p in path.rglob("*") if p.is_dir())]:
                entries = sorted(folder.iterdir())
                files = [p for p in entries if _is_input_file(p)]
                inside.extend(files)
                if not files and any(p.is_file() and p.name.lower().endswith(TXT_SUFFIX) for p in entries):
                    inside.append(folder)
            found.extend(sorted(inside))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    unique = list(dict.fromkeys(found))
    for path in unique:
        if _SURROGATE.search(str(path)):
            shown = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
            raise InputError(f"{shown}: the file name is not valid UTF-8; rename it (datasets record input names as text)")
    if not unique:
        kinds = ", ".join("*" + s for s in INPUT_SUFFIXES)
        raise InputError(f"no input files ({kinds}, or folders of *.txt) in {', '.join(map(str, paths))}")
    return unique


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _txt_members(path: Path) -> list[Path]:
    """The files a text input consists of: each `.txt` file and its sidecar `.json`, sorted."""
    texts = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(TXT_SUFFIX)) if path.is_dir() else [path]
    members = []
    for text in texts:
        members.append(text)
        sidecar = text.with_suffix(".json")
        if sidecar.is_file():
            members.append(sidecar)
    return members


def input_fingerprint(path: Path) -> tuple[str, int]:
    """(sha256, bytes) of an input: of the file, or for a folder of text files, of its listing and contents.

    An incremental build recodes an input exactly when this changes.
    """
    if not path.is_dir():
        return file_sha256(path), path.stat().st_size
    digest = hashlib.sha256()
    size = 0
    for member in _txt_members(path):
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


def read_documents(path: Path, seen_ids: set[str], columns: Columns = DEFAULT_COLUMNS,
                   max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[Document | Reject]:
    """Yield the documents of one input, and a `Reject` for each record that cannot be used.

    `seen_ids` holds the ids already in the dataset; a repeated id is rejected (IN004) and the first kept. A record
    over `max_record_bytes` is rejected (IN008) without being held in memory.
    """
    kind = input_kind(path)
    reader = {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet, "txt": _read_txt}[kind]
    yield from reader(path, seen_ids, columns, max_record_bytes)


def _oversize(name: str, record: Record, limit: int, what: str = "line") -> Reject:
    return Reject(name, record.line, None, "IN008",
                  f"{what} of {record.size:,} bytes is over the limit of {limit:,} bytes (--max-record-size); not read",
                  record.data[:_RAW_LIMIT].decode("utf-8", "replace"))


# -- JSONL ---------------------------------------------------------------------------------------------
def _read_jsonl(path: Path, seen_ids: set[str], columns: Columns, limit: int) -> Iterator[Document | Reject]:
    name = path.as_posix()
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            for record in lines(LineReader(handle, limit)):
                if record.oversize:
                    yield _oversize(name, record, limit)
                else:
                    yield _json_line(record.data, name, record.line, seen_ids, columns)
    except (OSError, EOFError) as exc:  # truncated gzip, unreadable file: keep what was read, reject the rest
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


class _JSONLimit(ValueError):
    """A JSON record beyond the reader's limits (IN009)."""


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


def _json_line(raw: bytes, name: str, number: int, seen_ids: set[str], columns: Columns) -> Document | Reject:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Reject(name, number, None, "IN005", f"line is not valid UTF-8 ({exc.reason} at byte {exc.start})",
                      raw[:_RAW_LIMIT].decode("utf-8", "replace"))
    snippet = line[:_RAW_LIMIT]
    try:
        record = load_json(line)
    except _JSONLimit as exc:
        return Reject(name, number, None, "IN009", f"JSON beyond the reader's limits: {exc}", snippet)
    except json.JSONDecodeError as exc:
        return Reject(name, number, None, "IN001", f"malformed JSON: {exc.msg} at column {exc.colno}", snippet)
    if not isinstance(record, dict):
        return Reject(name, number, None, "IN006", f"expected a JSON object, got {type(record).__name__}", snippet)
    return make_document(record, name, number, seen_ids, columns, snippet)


def make_document(record: dict, name: str, number: int, seen_ids: set[str], columns: Columns = DEFAULT_COLUMNS,
                  snippet: str = "") -> Document | Reject:
    """Check one record (a dict keyed by `columns`) and turn it into a `Document`, or a `Reject` saying why."""
    record_id = record.get(columns.id)
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        record_id = str(record_id)
    shown_id = record_id if isinstance(record_id, str) else None
    for field_name in ("id", "text", "date", "title", "source", "url"):
        value = record.get(getattr(columns, field_name))
        if isinstance(value, str) and _SURROGATE.search(value):
            return Reject(name, number, shown_id, "IN005", f"{getattr(columns, field_name)!r} holds a lone surrogate "
                          f"(U+{ord(_SURROGATE.search(value).group()):04X}), which is not text; fix the encoder that wrote it",
                          snippet)
    for field_name in ("id", "text", "date"):
        key = getattr(columns, field_name)
        if record.get(key) in (None, ""):
            hint = "" if key == field_name else f" (mapped from {field_name!r})"
            return Reject(name, number, shown_id, "IN002", f"missing required field {key!r}{hint}", snippet)
    if not isinstance(record_id, str):
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
def _read_csv(path: Path, seen_ids: set[str], columns: Columns, limit: int) -> Iterator[Document | Reject]:
    """Rows of a CSV table with a header; a reject's line is the line where its row starts.

    Records are split as the csv module splits them (a quoted field may span lines) and parsed one at a time, so
    a record over the limit or a malformed one is rejected alone.
    """
    name = path.as_posix()
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    csv.field_size_limit(max(csv.field_size_limit(), limit))  # a field may be as large as a record
    try:
        with opener(path, "rb") as handle:
            records = csv_records(LineReader(handle, limit, CSV_BREAKS))
            first = next(records, None)
            if first is None:
                return
            header = _csv_row(first.data) if not first.oversize else None
            if header is None or any(_has_surrogates(cell) for cell in header):
                yield Reject(name, first.line, None, "IN002", "unreadable header row (over the size limit, malformed or "
                             "not UTF-8); no row of this table can be read", _csv_snippet(first.data))
                return
            missing = [getattr(columns, f) for f in ("id", "text", "date") if getattr(columns, f) not in header]
            if missing:
                yield Reject(name, first.line, None, "IN002",
                             f"header lacks column(s) {', '.join(map(repr, missing))} (has: {', '.join(header)}); "
                             "map them with --id-col/--text-col/--date-col", ",".join(header)[:_RAW_LIMIT])
                return
            for record in records:
                if record.oversize:
                    yield _oversize(name, record, limit, "record")
                    continue
                item = _csv_document(record, header, name, seen_ids, columns)
                if item is not None:
                    yield item
    except (OSError, EOFError) as exc:
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _csv_row(data: bytes) -> list[str] | None:
    try:
        return next(csv.reader([data.decode("utf-8", "surrogateescape")]), [])
    except csv.Error:
        return None


def _csv_snippet(data: bytes) -> str:
    return data[:_RAW_LIMIT].decode("utf-8", "replace")


def _csv_document(record: Record, header: list[str], name: str, seen_ids: set[str], columns: Columns) -> Document | Reject | None:
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
    return make_document({k: v or None for k, v in zip(header, row)}, name, number, seen_ids, columns, snippet)


def _has_surrogates(value: str) -> bool:
    return _SURROGATE.search(value) is not None


# -- Parquet -------------------------------------------------------------------------------------------
def _read_parquet(path: Path, seen_ids: set[str], columns: Columns, limit: int) -> Iterator[Document | Reject]:
    """Rows of a Parquet table, read in batches; a reject's line is the 1-based row number."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = path.as_posix()
    try:
        table = pq.ParquetFile(path)
        names = table.schema_arrow.names
        missing = [getattr(columns, f) for f in ("id", "text", "date") if getattr(columns, f) not in names]
        if missing:
            yield Reject(name, 0, None, "IN002",
                         f"table lacks column(s) {', '.join(map(repr, missing))} (has: {', '.join(names)}); "
                         "map them with --id-col/--text-col/--date-col", "")
            return
        wanted = [c for c in dict.fromkeys(columns.to_dict().values()) if c in names]
        number = 0
        for batch in table.iter_batches(batch_size=_PARQUET_BATCH, columns=wanted):
            try:
                rows = batch.to_pylist()
            except (ValueError, OverflowError, pa.ArrowException):  # a value Python cannot hold (a date in year 10000)
                rows = None
            for index in range(batch.num_rows):
                number += 1
                yield _parquet_row(batch, index, rows, name, number, seen_ids, columns, limit)
    except (OSError, EOFError, ValueError, pa.ArrowException) as exc:  # corrupt files raise ArrowInvalid (a ValueError)
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _parquet_row(batch, index: int, rows: list[dict] | None, name: str, number: int, seen_ids: set[str],
                 columns: Columns, limit: int) -> Document | Reject:
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
    text = record.get(columns.text)
    if isinstance(text, str) and len(text) > limit // 4 and len(text.encode("utf-8", "surrogatepass")) > limit:
        size = len(text.encode("utf-8", "surrogatepass"))
        return Reject(name, number, None, "IN008", f"text of {size:,} bytes is over the limit of {limit:,} bytes "
                      "(--max-record-size)", text[:_RAW_LIMIT])
    snippet = json.dumps(record, default=str, ensure_ascii=False)[:_RAW_LIMIT]
    return make_document(record, name, number, seen_ids, columns, snippet)


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


def _read_txt(path: Path, seen_ids: set[str], columns: Columns, limit: int) -> Iterator[Document | Reject]:
    """One document per `.txt` file: the id is the file name without `.txt` unless the metadata gives one.

    Metadata comes from front matter and from a sidecar `name.json`; the sidecar wins where both give a field.
    """
    for member in _txt_members(path):
        if not member.name.lower().endswith(TXT_SUFFIX):
            continue
        yield _txt_document(member, seen_ids, limit)


def _read_bounded(path: Path, limit: int) -> bytes | Reject:
    """The bytes of a file of at most `limit` bytes (without a byte order mark), else an IN007 or IN008 reject."""
    name = path.as_posix()
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
            if len(raw) > limit:
                size = len(raw) + sum(len(block) for block in iter(lambda: handle.read(1 << 20), b""))
                return Reject(name, 1, None, "IN008", f"file of {size:,} bytes is over the limit of {limit:,} bytes "
                              "(--max-record-size); not read", raw[:_RAW_LIMIT].decode("utf-8", "replace"))
    except OSError as exc:
        return Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")
    return raw[len(BOM):] if raw.startswith(BOM) else raw


def _txt_document(path: Path, seen_ids: set[str], limit: int) -> Document | Reject:
    name = path.as_posix()
    if _SURROGATE.search(path.name):
        return Reject(name, 0, None, "IN005", "the file name is not valid UTF-8; rename it", "")
    raw = _read_bounded(path, limit)
    if isinstance(raw, Reject):
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Reject(name, 1, None, "IN005", f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})",
                      raw[:_RAW_LIMIT].decode("utf-8", "replace"))
    fields, body = split_front_matter(text)
    record = {"id": path.name[: -len(TXT_SUFFIX)], **fields}
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        meta = _sidecar(sidecar, record["id"], limit)
        if isinstance(meta, Reject):
            return meta
        record.update(meta)
    record["text"] = body
    snippet = body[:_RAW_LIMIT]
    if record.get("date") in (None, ""):
        return Reject(name, 1, _text_or_none(record["id"]), "IN002",
                      f"no publication date: add '---\\ndate: YYYY-MM-DD\\n---' at the top or a sidecar {sidecar.name}", snippet)
    return make_document(record, name, 1, seen_ids, DEFAULT_COLUMNS, snippet)


def _text_or_none(value) -> str | None:
    return value if isinstance(value, str) else None


def _sidecar(path: Path, record_id: str, limit: int) -> dict | Reject:
    """The metadata object of a sidecar `name.json`, or a reject saying why it cannot be used."""
    name = path.as_posix()
    raw = _read_bounded(path, limit)
    if isinstance(raw, Reject):
        return raw
    content = raw.decode("utf-8", errors="replace")
    try:
        meta = load_json(content)
    except _JSONLimit as exc:
        return Reject(name, 1, record_id, "IN009", f"JSON sidecar beyond the reader's limits: {exc}", content[:_RAW_LIMIT])
    except json.JSONDecodeError as exc:
        return Reject(name, exc.lineno, record_id, "IN001", f"malformed JSON sidecar: {exc.msg}", content[:_RAW_LIMIT])
    if not isinstance(meta, dict):
        return Reject(name, 1, record_id, "IN006", "sidecar must hold a JSON object", content[:_RAW_LIMIT])
    return meta

__all__ = ["Columns", "Document", "Reject", "InputError", "discover_inputs", "input_kind", "input_fingerprint",
           "file_sha256", "parse_pub_date", "read_documents", "make_document", "split_front_matter", "load_json",
           "DEFAULT_MAX_RECORD_BYTES", "MAX_JSON_DEPTH", "MAX_INT_DIGITS"]
