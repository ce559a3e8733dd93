"""Read input documents, one record at a time, turning every bad record into a `Reject` instead of an error.

The input contract: JSONL (optionally gzip-compressed), one document a line, with `id` (unique string),
`text`, `date` (publication date: ISO date or datetime) and optional `title`, `source`, `url`. A datetime's
calendar date is taken as written, in the publisher's own time zone; no conversion is made.
Directories are searched recursively for inputs, in sorted order, so the same inputs always arrive in the
same order.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

INPUT_SUFFIXES = (".jsonl", ".jsonl.gz")
_RAW_LIMIT = 2000


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


def discover_inputs(paths: list[str | Path]) -> list[Path]:
    """Expand files and directories into the sorted list of input files."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(INPUT_SUFFIXES)))
        elif path.is_file():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    unique = list(dict.fromkeys(found))
    if not unique:
        raise InputError(f"no input files ({', '.join('*' + s for s in INPUT_SUFFIXES)}) in {', '.join(map(str, paths))}")
    return unique


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def parse_pub_date(value) -> dt.date:
    """Publication date from an ISO date or datetime string.

    >>> parse_pub_date("2024-07-17"), parse_pub_date("2024-07-17T23:10:00+04:30")
    (datetime.date(2024, 7, 17), datetime.date(2024, 7, 17))
    """
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError(f"expected an ISO date (YYYY-MM-DD) or datetime, got {value!r}")
    value = value.strip()
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def read_documents(path: Path, seen_ids: set[str]) -> Iterator[Document | Reject]:
    """Yield the documents of one JSONL file, and a `Reject` for each line that cannot be used."""
    name = path.as_posix()
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if not raw.strip():
                    continue
                yield _document(raw, name, number, seen_ids)
    except (OSError, EOFError) as exc:  # truncated gzip, unreadable file: keep what was read, reject the rest
        yield Reject(name, 0, None, "IN007", f"cannot read input: {exc}", "")


def _document(raw: bytes, name: str, number: int, seen_ids: set[str]) -> Document | Reject:
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
    record_id = record.get("id")
    if isinstance(record_id, int) and not isinstance(record_id, bool):
        record_id = str(record_id)
    shown_id = record_id if isinstance(record_id, str) else None
    for key in ("id", "text", "date"):
        if record.get(key) in (None, ""):
            return Reject(name, number, shown_id, "IN002", f"missing required field {key!r}", snippet)
    if not isinstance(record_id, str):
        return Reject(name, number, None, "IN006", f"'id' must be a string, got {type(record['id']).__name__}", snippet)
    if not isinstance(record["text"], str):
        return Reject(name, number, record_id, "IN006", f"'text' must be a string, got {type(record['text']).__name__}", snippet)
    for key in ("title", "source", "url"):
        if record.get(key) is not None and not isinstance(record[key], str):
            return Reject(name, number, record_id, "IN006", f"{key!r} must be a string or null", snippet)
    try:
        pub_date = parse_pub_date(record["date"])
    except ValueError as exc:
        return Reject(name, number, record_id, "IN003", f"unparseable 'date': {exc}", snippet)
    if record_id in seen_ids:
        return Reject(name, number, record_id, "IN004", f"duplicate id {record_id!r}; the first record with it was kept", snippet)
    seen_ids.add(record_id)
    return Document(record_id, record["text"], pub_date, record.get("title"), record.get("source"), record.get("url"), name, number)
