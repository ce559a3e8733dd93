import gzip
import json

import pytest

from events.ingest import Document, InputError, Reject, discover_inputs, parse_pub_date, read_documents

GOOD = {"id": "a", "text": "Iran met Russia.", "date": "2024-07-17"}


def _write(path, lines: list[bytes]):
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def _read(path):
    return list(read_documents(path, set()))


@pytest.mark.parametrize(
    "line, code",
    [
        (b'{"id": "x", "text": "t", "date": "2024-07-17"', "IN001"),
        (b'{"text": "t", "date": "2024-07-17"}', "IN002"),
        (b'{"id": "x", "date": "2024-07-17"}', "IN002"),
        (b'{"id": "x", "text": "t"}', "IN002"),
        (b'{"id": "x", "text": "t", "date": "17 July"}', "IN003"),
        (b'{"id": "x", "text": "t", "date": "2024-02-30"}', "IN003"),
        (b'{"id": "x", "text": "t\xff", "date": "2024-07-17"}', "IN005"),
        (b'["not", "an", "object"]', "IN006"),
        (b'{"id": ["x"], "text": "t", "date": "2024-07-17"}', "IN006"),
        (b'{"id": "x", "text": 5, "date": "2024-07-17"}', "IN006"),
    ],
)
def test_ingest_bad_record_is_rejected_and_good_ones_kept(tmp_path, line, code):
    path = _write(tmp_path / "in.jsonl", [json.dumps(GOOD).encode(), line, json.dumps({**GOOD, "id": "b"}).encode()])
    items = _read(path)
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [d.id for d in docs] == ["a", "b"]
    assert [(r.code, r.line, r.file) for r in rejects] == [(code, 2, path.as_posix())]
    assert rejects[0].reason


def test_ingest_duplicate_id_keeps_first(tmp_path):
    path = _write(tmp_path / "in.jsonl", [json.dumps(GOOD).encode(), json.dumps({**GOOD, "text": "other"}).encode()])
    items = _read(path)
    assert isinstance(items[0], Document) and items[0].text == GOOD["text"]
    assert isinstance(items[1], Reject) and items[1].code == "IN004" and items[1].record_id == "a"


def test_ingest_optional_fields_and_gzip(tmp_path):
    record = {**GOOD, "title": "T", "source": "Agency", "url": "https://example.org/1", "date": "2024-07-17T23:59:00+04:30"}
    path = tmp_path / "in.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(record).encode() + b"\n\n"))
    (doc,) = _read(path)
    assert (doc.title, doc.source, doc.url, str(doc.pub_date), doc.line) == ("T", "Agency", "https://example.org/1", "2024-07-17", 1)


def test_ingest_truncated_gzip_keeps_what_was_read(tmp_path):
    data = gzip.compress(b"".join(json.dumps({**GOOD, "id": str(i)}).encode() + b"\n" for i in range(200)))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items = _read(path)
    assert isinstance(items[-1], Reject) and items[-1].code == "IN007"
    assert all(isinstance(i, Document) for i in items[:-1])


def test_ingest_discover_sorted_and_recursive(tmp_path):
    for name in ("b.jsonl", "a.jsonl", "sub/c.jsonl.gz", "notes.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    assert [p.relative_to(tmp_path).as_posix() for p in discover_inputs([tmp_path])] == ["a.jsonl", "b.jsonl", "sub/c.jsonl.gz"]
    with pytest.raises(InputError):
        discover_inputs([tmp_path / "missing"])


@pytest.mark.parametrize("value", ["2024-07-17", "2024-07-17T10:00:00Z", "2024-07-17 10:00:00"])
def test_ingest_pub_date_forms(value):
    assert str(parse_pub_date(value)) == "2024-07-17"
