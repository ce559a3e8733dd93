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
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

INPUT_SUFFIXES = (".jsonl", ".jsonl.gz", ".csv", ".csv.gz", ".parquet")
TXT_SUFFIX = ".txt"
_RAW_LIMIT = 2000
_PARQUET_BATCH = 1024


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
        digest.update(f"{member.name}\0{file_sha256(member)}\n".encode())
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
        raise ValueError(f"expected an ISO date (YYYY-MM-DD) or datetime, got {value!r}")
    value = value.strip()
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def read_documents(path: Path, seen_ids: set[str], columns: Columns = DEFAULT_COLUMNS) -> Iterator[Document | Reject]:
    """Yield the documents of one input, and a `Reject` for each record that cannot be used.

    `seen_ids` holds the ids already in the dataset; a repeated id is rejected (IN004) and the first kept.
    """
    kind = input_kind(path)
    reader = {"jsonl": _read_jsonl, "csv": _read_csv, "parquet": _read_parquet, "txt": _read_txt}[kind]
    yield from reader(path, seen_ids, columns)


# -- JSONL ---------------------------------------------------------------------------------------------
def _read_jsonl(path: Path, seen_ids: set[str], columns: Columns) -> Iterator[Document | Reject]:
    name = path.as_posix()
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                yield _json_line(raw, name, number, seen_ids, columns)
    except (OSError, EOFError) as exc:  # truncated gzip, unreadable file: keep what was read, reject the rest
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _json_line(raw: bytes, name: str, number: int, seen_ids: set[str], columns: Columns) -> Document | Reject:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Reject(name, number, None, "IN005", f"line is not valid UTF-8 ({exc.reason} at byte {exc.start})",
                      raw[:_RAW_LIMIT].decode("utf-8", "replace"))
    snippet = line.rstrip("\n")[:_RAW_LIMIT]
    try:
        record = json.loads(line)
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
def _read_csv(path: Path, seen_ids: set[str], columns: Columns) -> Iterator[Document | Reject]:
    """Rows of a CSV table with a header; a reject's line is the line where its row starts."""
    name = path.as_posix()
    csv.field_size_limit(1 << 30)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return
            if header and header[0].startswith("\ufeff"):
                header[0] = header[0][1:]
            missing = [getattr(columns, f) for f in ("id", "text", "date") if getattr(columns, f) not in header]
            if missing:
                yield Reject(name, 1, None, "IN002",
                             f"header lacks column(s) {', '.join(map(repr, missing))} (has: {', '.join(header)}); "
                             "map them with --id-col/--text-col/--date-col", ",".join(header)[:_RAW_LIMIT])
                return
            start = reader.line_num + 1
            for row in reader:
                number, start = start, reader.line_num + 1
                if not any(cell.strip() for cell in row):
                    continue
                snippet = ",".join(row)[:_RAW_LIMIT].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                if any(_has_surrogates(cell) for cell in row):
                    yield Reject(name, number, None, "IN005", "row is not valid UTF-8", snippet)
                    continue
                if len(row) != len(header):
                    yield Reject(name, number, None, "IN006", f"row has {len(row)} fields, the header has {len(header)}", snippet)
                    continue
                yield make_document({k: v or None for k, v in zip(header, row)}, name, number, seen_ids, columns, snippet)
    except (OSError, EOFError, csv.Error) as exc:
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


# -- Parquet -------------------------------------------------------------------------------------------
def _read_parquet(path: Path, seen_ids: set[str], columns: Columns) -> Iterator[Document | Reject]:
    """Rows of a Parquet table, read in batches; a reject's line is the 1-based row number."""
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
            for record in batch.to_pylist():
                number += 1
                snippet = json.dumps(record, default=str, ensure_ascii=False)[:_RAW_LIMIT]
                yield make_document(record, name, number, seen_ids, columns, snippet)
    except (OSError, EOFError, ValueError) as exc:  # pyarrow raises ArrowInvalid (a ValueError) on corrupt files
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


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


def _read_txt(path: Path, seen_ids: set[str], columns: Columns) -> Iterator[Document | Reject]:
    """One document per `.txt` file: the id is the file name without `.txt` unless the metadata gives one.

    Metadata comes from front matter and from a sidecar `name.json`; the sidecar wins where both give a field.
    """
    for member in _txt_members(path):
        if not member.name.lower().endswith(TXT_SUFFIX):
            continue
        yield _txt_document(member, seen_ids)


def _txt_document(path: Path, seen_ids: set[str]) -> Document | Reject:
    name = path.as_posix()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        return Reject(name, 1, None, "IN005", f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})",
                      raw[:_RAW_LIMIT].decode("utf-8", "replace"))
    fields, body = split_front_matter(text)
    record = {"id": path.name[: -len(TXT_SUFFIX)], **fields}
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        content = sidecar.read_text(encoding="utf-8", errors="replace")
        try:
            meta = json.loads(content)
        except json.JSONDecodeError as exc:
            return Reject(sidecar.as_posix(), exc.lineno, record["id"], "IN001", f"malformed JSON sidecar: {exc.msg}", content[:_RAW_LIMIT])
        if not isinstance(meta, dict):
            return Reject(sidecar.as_posix(), 1, record["id"], "IN006", "sidecar must hold a JSON object", content[:_RAW_LIMIT])
        record.update(meta)
    record["text"] = body
    snippet = body[:_RAW_LIMIT]
    if record.get("date") in (None, ""):
        return Reject(name, 1, str(record["id"]), "IN002",
                      f"no publication date: add '---\\ndate: YYYY-MM-DD\\n---' at the top or a sidecar {sidecar.name}", snippet)
    return make_document(record, name, 1, seen_ids, DEFAULT_COLUMNS, snippet)

__all__ = ["Columns", "Document", "Reject", "InputError", "discover_inputs", "input_kind", "input_fingerprint",
           "file_sha256", "parse_pub_date", "read_documents", "make_document", "split_front_matter"]
