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
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
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
    except (OSError, UnicodeDecodeError, ValueError):
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
    having it, so it is read as documents and its fault reported there."""
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            import pyarrow.parquet as pq

            return column in pq.read_schema(path).names
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            if name.endswith((".csv", ".csv.gz")):
                header = next(csv.reader(handle), None)
                return header is None or column in [h.lstrip("\ufeff") for h in header]
            first = next((line for line in handle if line.strip()), None)
            record = json.loads(first) if first is not None else None  # an empty table is no one's metadata
            return not isinstance(record, dict) or column in record
    except (OSError, EOFError, UnicodeDecodeError, ValueError, csv.Error):
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


Record = tuple[int, dict, str]  # (line or row number, fields, the raw record for a reject)


def read_documents(path: Path, seen_ids: set[str], columns: Columns = DEFAULT_COLUMNS, name: str | None = None,
                   cursor: Cursor | None = None) -> Iterator[Document | Reject]:
    """Yield the documents of one input, and a `Reject` for each record that cannot be used.

    `seen_ids` holds the ids already in the dataset; a repeated id is rejected (IN004) and the first kept.
    `name` is how documents and rejects name the input (default: the path as given). `cursor`, when given, says
    how far the input has been read whenever an item is yielded.
    """
    name = name or path.as_posix()
    cursor = cursor if cursor is not None else Cursor()
    kind = input_kind(path)
    if kind == "txt":
        yield from _read_txt(path, name, seen_ids, columns, cursor)
        return
    for item in read_records(path, name, columns, ("id", "text", "date"), cursor):
        yield item if isinstance(item, Reject) else make_document(item[1], name, item[0], seen_ids, columns, item[2])


def read_records(path: Path, name: str, columns: Columns, required: tuple[str, ...],
                 cursor: Cursor | None = None) -> Iterator[Record | Reject]:
    """The records of a table (JSONL, CSV or Parquet) as dicts keyed by its own field names, and a `Reject` for
    each that cannot be read. A CSV or Parquet header that lacks one of the `required` fields (mapped through
    `columns`) is one reject for the whole table."""
    reader = {"jsonl": _jsonl_records, "csv": _csv_records, "parquet": _parquet_records}[input_kind(path)]
    yield from reader(path, name, columns, [getattr(columns, f) for f in required], cursor if cursor is not None else Cursor())


def _open_binary(path: Path, raw) -> io.BufferedIOBase:
    """The bytes of a file opened as `raw`, decompressed when its name ends in `.gz`."""
    return gzip.GzipFile(fileobj=raw, mode="rb") if path.name.lower().endswith(".gz") else raw


def _lacks_columns(name: str, line: int, present: list[str], wanted: list[str], raw: str) -> Reject | None:
    missing = [c for c in wanted if c not in present]
    if not missing:
        return None
    return Reject(name, line, None, "IN002", f"{'header' if line else 'table'} lacks column(s) {', '.join(map(repr, missing))} "
                  f"(has: {', '.join(present)}); map them with --id-col/--text-col/--date-col", raw[:_RAW_LIMIT])


# -- JSONL ---------------------------------------------------------------------------------------------
def _jsonl_records(path: Path, name: str, columns: Columns, wanted: list[str], cursor: Cursor) -> Iterator[Record | Reject]:
    try:
        with open(path, "rb") as raw, _open_binary(path, raw) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                cursor.bytes = raw.tell()
                yield _json_line(line, name, number)
    except (OSError, EOFError) as exc:  # truncated gzip, unreadable file: keep what was read, reject the rest
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _json_line(raw: bytes, name: str, number: int) -> Record | Reject:
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
    return number, record, snippet


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
            if key not in record:
                hint += f"; the record has {', '.join(map(repr, record)) or 'no fields'}: map them with --id-col/--text-col/--date-col"
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
def _csv_records(path: Path, name: str, columns: Columns, wanted: list[str], cursor: Cursor) -> Iterator[Record | Reject]:
    """Rows of a CSV table with a header; a row's number is the line where it starts."""
    csv.field_size_limit(1 << 30)
    try:
        with open(path, "rb") as raw, io.TextIOWrapper(_open_binary(path, raw), encoding="utf-8", errors="surrogateescape",
                                                        newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                return
            if header and header[0].startswith("\ufeff"):
                header[0] = header[0][1:]
            if (lacking := _lacks_columns(name, 1, header, wanted, ",".join(header))) is not None:
                yield lacking
                return
            start = reader.line_num + 1
            for row in reader:
                number, start = start, reader.line_num + 1
                cursor.bytes = raw.tell()
                if not any(cell.strip() for cell in row):
                    continue
                snippet = ",".join(row)[:_RAW_LIMIT].encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                if any(_has_surrogates(cell) for cell in row):
                    yield Reject(name, number, None, "IN005", "row is not valid UTF-8", snippet)
                    continue
                if len(row) != len(header):
                    yield Reject(name, number, None, "IN006", f"row has {len(row)} fields, the header has {len(header)}", snippet)
                    continue
                yield number, {k: v or None for k, v in zip(header, row)}, snippet
    except (OSError, EOFError, csv.Error) as exc:
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


# -- Parquet -------------------------------------------------------------------------------------------
def _parquet_records(path: Path, name: str, columns: Columns, wanted: list[str], cursor: Cursor) -> Iterator[Record | Reject]:
    """Rows of a Parquet table, read in batches; a row's number is its 1-based position."""
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path)
        names = table.schema_arrow.names
        if (lacking := _lacks_columns(name, 0, names, wanted, "")) is not None:
            yield lacking
            return
        read = [c for c in dict.fromkeys(columns.to_dict().values()) if c in names]
        number, rows, size = 0, max(table.metadata.num_rows, 1), path.stat().st_size
        for batch in table.iter_batches(batch_size=_PARQUET_BATCH, columns=read):
            for record in batch.to_pylist():
                number += 1
                cursor.bytes = size * number // rows
                yield number, record, json.dumps(record, default=str, ensure_ascii=False)[:_RAW_LIMIT]
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


def _read_txt(path: Path, name: str, seen_ids: set[str], columns: Columns, cursor: Cursor) -> Iterator[Document | Reject]:
    """One document per `.txt` file: the id is the file name without `.txt` unless the metadata gives one.

    Metadata comes from the folder's metadata table, then front matter, then a sidecar `name.json`: the more
    specific source wins where several give a field. A metadata row for a file that is not there is IN008.
    """
    texts, metadata = _txt_layout(path, columns)
    by_stem: dict[str, Record] = {}
    table_name = f"{name}/{metadata.name}" if metadata is not None else ""
    if metadata is not None:
        cursor.bytes = metadata.stat().st_size
        for item in read_records(metadata, table_name, columns, ("id",)):
            if isinstance(item, Reject):
                yield item
                continue
            number, record, snippet = item
            key = record.get(columns.id)
            if isinstance(key, int) and not isinstance(key, bool):
                key = str(key)
            if not isinstance(key, str) or not key:
                yield Reject(table_name, number, None, "IN002" if key in (None, "") else "IN006",
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
        yield _txt_document(text, member, seen_ids, columns, by_stem.get(stem, (0, {}, ""))[1])
    for stem, (number, _, snippet) in by_stem.items():
        if stem not in stems:
            yield Reject(table_name, number, stem, "IN008", f"metadata for {stem}{TXT_SUFFIX}, which is not in the folder", snippet)


def _txt_document(path: Path, name: str, seen_ids: set[str], columns: Columns, metadata: dict) -> Document | Reject:
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
    record = {columns.id: path.name[: -len(TXT_SUFFIX)], **{k: v for k, v in metadata.items() if v is not None}, **fields}
    sidecar = path.with_suffix(".json")
    if sidecar.is_file():
        content = sidecar.read_text(encoding="utf-8", errors="replace")
        sidecar_name = name.rpartition("/")[0] + "/" + sidecar.name if "/" in name else sidecar.name
        try:
            meta = json.loads(content)
        except json.JSONDecodeError as exc:
            return Reject(sidecar_name, exc.lineno, str(record[columns.id]), "IN001", f"malformed JSON sidecar: {exc.msg}",
                          content[:_RAW_LIMIT])
        if not isinstance(meta, dict):
            return Reject(sidecar_name, 1, str(record[columns.id]), "IN006", "sidecar must hold a JSON object", content[:_RAW_LIMIT])
        record.update(meta)
    record[columns.text] = body
    snippet = body[:_RAW_LIMIT]
    if record.get(columns.date) in (None, ""):
        return Reject(name, 1, str(record[columns.id]), "IN002",
                      f"no publication date: add '---\\n{columns.date}: YYYY-MM-DD\\n---' at the top, a sidecar "
                      f"{sidecar.name}, or a {columns.date!r} column in a metadata table beside the files", snippet)
    return make_document(record, name, 1, seen_ids, columns, snippet)

__all__ = ["Columns", "Cursor", "Document", "Reject", "InputError", "discover_inputs", "input_kind", "input_fingerprint",
           "file_sha256", "parse_pub_date", "read_documents", "read_records", "make_document", "split_front_matter",
           "is_dataset"]
