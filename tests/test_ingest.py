import gzip
import json
from pathlib import Path

import pytest

from events.ingest.documents import Document, InputError, Reject, discover_inputs, parse_pub_date, read_documents

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
        # issue 13, finding 2: each of these crashed the whole build and lost every good record
        (b'{"id": ' + b"7" * 5000 + b', "text": "t", "date": "2024-07-17"}', "IN010"),  # ValueError (int digits)
        (b'{"id": "x", "text": "t", "date": "2024-07-17", "meta": ' + b"[" * 100000 + b"]" * 100000 + b"}", "IN010"),
        (b'{"id": "x", "text": "Iran met \\ud800 Russia.", "date": "2024-07-17"}', "IN005"),  # lone surrogate
        (b'{"id": "\\udcff", "text": "t", "date": "2024-07-17"}', "IN005"),
        (b'{"id": "x", "text": "t", "date": "0000-01-01"}', "IN003"),
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


# -- tables and text folders ---------------------------------------------------------------------------
from events.ingest.documents import Columns, input_fingerprint, split_front_matter  # noqa: E402


def _ids_and_rejects(items):
    return [i.id for i in items if isinstance(i, Document)], [(r.code, r.line) for r in items if isinstance(r, Reject)]


def test_ingest_csv_maps_columns_and_reports_the_line_a_bad_row_starts_on(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "doc,body,published,title\n"
        'a,"Iran met Russia.",2024-07-17,T\n'
        'b,"two\nlines",someday,\n'          # starts on line 3, bad date
        ",no id,2024-07-17,\n"                # line 5: missing id
        "c,Iran met Russia.,2024-07-18\n"     # line 6: too few fields
        'd,"Iran, again.",2024-07-19,\n',
        encoding="utf-8",
    )
    items = list(read_documents(path, set(), Columns(id="doc", text="body", date="published")))
    assert _ids_and_rejects(items) == (["a", "d"], [("IN003", 3), ("IN002", 5), ("IN006", 6)])
    assert items[0].title == "T" and items[-1].title is None and items[-1].text == "Iran, again."


def test_ingest_csv_without_the_mapped_columns_is_one_reject(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("doc,body\na,b\n")
    (reject,) = list(read_documents(path, set()))
    assert (reject.code, reject.line) == ("IN002", 1) and "--id-col" in reject.reason


def test_ingest_parquet_table_with_typed_dates_and_row_numbers(tmp_path):
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({
        "key": [1, 2, 3],
        "content": ["Iran met Russia.", None, "Iran met Russia."],
        "day": [dt.date(2024, 7, 17), dt.date(2024, 7, 18), dt.date(2024, 7, 19)],
        "url": ["https://example.org/1", None, None],
    }), path)
    items = list(read_documents(path, set(), Columns(id="key", text="content", date="day")))
    assert _ids_and_rejects(items) == (["1", "3"], [("IN002", 2)])
    assert (str(items[0].pub_date), items[0].url, items[0].line) == ("2024-07-17", "https://example.org/1", 1)


def test_ingest_txt_folder_front_matter_and_sidecar(tmp_path):
    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "a.txt").write_text("---\ndate: 2024-07-17\ntitle: Talks\n---\nIran met Russia.\n")
    (folder / "b.txt").write_text("Iran met Russia.\n")
    (folder / "b.json").write_text(json.dumps({"date": "2024-07-18", "source": "Agency", "id": "b-1"}))
    (folder / "c.txt").write_text("No date anywhere.\n")
    items = list(read_documents(folder, set()))
    assert _ids_and_rejects(items) == (["a", "b-1"], [("IN002", 1)])
    a, b = items[0], items[1]
    assert (a.title, a.text, str(a.pub_date)) == ("Talks", "Iran met Russia.\n", "2024-07-17")
    assert (b.source, str(b.pub_date), b.input_file) == ("Agency", "2024-07-18", (folder / "b.txt").as_posix())


def test_ingest_txt_folder_is_one_input_and_stray_txt_is_not(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "x.txt").write_text("---\ndate: 2024-07-17\n---\nText.\n")
    (tmp_path / "a.jsonl").write_text("")
    (tmp_path / "notes.txt").write_text("")
    assert [p.relative_to(tmp_path).as_posix() for p in discover_inputs([tmp_path])] == ["a.jsonl", "docs"]


def test_ingest_txt_folder_fingerprint_follows_content(tmp_path):
    (tmp_path / "x.txt").write_text("one")
    first = input_fingerprint(tmp_path)
    (tmp_path / "x.json").write_text('{"date": "2024-07-17"}')
    second = input_fingerprint(tmp_path)
    (tmp_path / "x.txt").write_text("two")
    assert len({first[0], second[0], input_fingerprint(tmp_path)[0]}) == 3


@pytest.mark.parametrize("text, fields", [
    ("---\ndate: 2024-07-17\n---\nbody", {"date": "2024-07-17"}),
    ("---\r\ndate: '2024-07-17'\r\n---\r\nbody", {"date": "2024-07-17"}),
    ("--- not front matter\nbody", {}),
])
def test_ingest_front_matter_forms(text, fields):
    assert split_front_matter(text)[0] == fields


@pytest.mark.parametrize("table", ["metadata.csv", "index.jsonl"])
def test_ingest_txt_folder_metadata_table_beside_the_files(tmp_path, table):
    from events.ingest.documents import Columns

    folder = tmp_path / "txt"
    folder.mkdir()
    (folder / "a.txt").write_text("Iran met Russia.\n")
    (folder / "b.txt").write_text("---\npublished: 2024-07-20\n---\nIran met Russia.\n")  # front matter beats the table
    (folder / "c.txt").write_text("Iran met Russia.\n")
    rows = [{"doc": "a", "published": "2024-07-17", "title": "Talks"}, {"doc": "b.txt", "published": "2024-07-18"},
            {"doc": "gone", "published": "2024-07-19"}]
    if table.endswith(".csv"):
        (folder / table).write_text("doc,published,title\n" + "".join(f"{r['doc']},{r['published']},{r.get('title', '')}\n" for r in rows))
    else:
        (folder / table).write_text("".join(json.dumps(r) + "\n" for r in rows))
    columns = Columns(id="doc", text="body", date="published")
    assert discover_inputs([tmp_path], columns) == [folder]  # one input: the table is the texts' metadata
    items = list(read_documents(folder, set(), columns))
    docs = [(d.id, str(d.pub_date), d.title) for d in items if isinstance(d, Document)]
    assert docs == [("a", "2024-07-17", "Talks"), ("b", "2024-07-20", None)]
    assert [(r.code, r.record_id, r.file) for r in items if isinstance(r, Reject)] == [
        ("IN002", "c", f"{folder.as_posix()}/c.txt"), ("IN008", "gone", f"{folder.as_posix()}/{table}")]
    before = input_fingerprint(folder, columns)
    (folder / table).write_text((folder / table).read_text().replace("2024-07-17", "2024-07-16"))
    assert input_fingerprint(folder, columns) != before  # editing the metadata recodes the folder


def test_ingest_txt_folder_beside_a_document_table_is_stray_and_two_metadata_tables_are_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not a document")
    (tmp_path / "docs.jsonl").write_text(json.dumps(GOOD) + "\n")
    assert discover_inputs([tmp_path]) == [tmp_path / "docs.jsonl"]
    (tmp_path / "meta.csv").write_text("id,date\nnotes,2024-07-17\n")
    assert discover_inputs([tmp_path]) == [tmp_path, tmp_path / "docs.jsonl"]
    (tmp_path / "more.csv").write_text("id,date\nnotes,2024-07-17\n")
    with pytest.raises(InputError, match="meta.csv, more.csv"):
        discover_inputs([tmp_path])


def test_ingest_discover_never_reads_the_output_folder_or_another_dataset(tmp_path):
    (tmp_path / "a.jsonl").write_text(json.dumps(GOOD) + "\n")
    out = tmp_path / "data"
    (out / "events" / "year=2024" / "month=07").mkdir(parents=True)
    (out / "events" / "year=2024" / "month=07" / "part-0.parquet").write_bytes(b"PAR1")
    other = tmp_path / "old"
    other.mkdir()
    (other / "manifest.json").write_text(json.dumps({"format": "events.dataset.v1"}))
    (other / "x.jsonl").write_text(json.dumps(GOOD) + "\n")
    notes = []
    assert discover_inputs([tmp_path], exclude=out, notes=notes) == [tmp_path / "a.jsonl"]
    assert len(notes) == 1 and "old" in notes[0]
    for inside in (out / "events", other):
        with pytest.raises(InputError):
            discover_inputs([inside], exclude=out)


def test_ingest_discover_names_a_file_once_whatever_the_path(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jsonl").write_text(json.dumps(GOOD) + "\n")
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "sub" / "a.jsonl")
    monkeypatch.chdir(tmp_path)
    found = discover_inputs(["sub/a.jsonl", tmp_path / "sub" / "a.jsonl", "sub/../sub/a.jsonl", "link.jsonl"])
    assert found == [Path("sub/a.jsonl")]


def test_ingest_json_limits_do_not_depend_on_the_interpreter():
    from events.ingest.documents import MAX_JSON_DEPTH, load_json

    assert load_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) is not None
    assert load_json('{"a": "' + "[" * 1000 + '"}') == {"a": "[" * 1000}  # brackets inside strings do not nest
    with pytest.raises(ValueError):
        load_json("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))


def test_ingest_rejects_are_writable_whatever_the_record_held(tmp_path):
    """A lone surrogate in an id that is rejected for another reason must not break rejected.jsonl (finding 2)."""
    path = _write(tmp_path / "in.jsonl", [b'{"id": "\\ud800", "text": "t"}'])
    (reject,) = _read(path)
    assert reject.code == "IN005"
    json.dumps(reject.to_dict(), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("kind", ["jsonl", "jsonl.gz", "csv", "txt"])
def test_ingest_bom_is_dropped_on_every_input_kind(tmp_path, kind):
    """Finding 4: a BOM rejected the first, valid JSONL record, and a later duplicate of its id was kept instead."""
    bom = b"\xef\xbb\xbf"
    if kind.startswith("jsonl"):
        data = bom + b"\n".join(json.dumps({**GOOD, "text": t}).encode() for t in ("first", "second")) + b"\n"
        path = tmp_path / f"in.{kind}"
        path.write_bytes(gzip.compress(data) if kind.endswith(".gz") else data)
    elif kind == "csv":
        path = tmp_path / "in.csv"
        path.write_bytes(bom + b"id,text,date\na,first,2024-07-17\na,second,2024-07-17\n")
    else:
        path = tmp_path / "docs"
        path.mkdir()
        (path / "a.txt").write_bytes(bom + b"---\ndate: 2024-07-17\n---\nfirst")
        (path / "a.json").write_bytes(bom + b'{"source": "Agency"}')
    items = _read(path)
    assert isinstance(items[0], Document) and (items[0].id, items[0].text) == ("a", "first")
    assert all(i.code == "IN004" for i in items[1:] if isinstance(i, Reject))


def test_ingest_deep_json_sidecar_is_a_reject(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("---\ndate: 2024-07-17\n---\nIran met Russia.")
    (folder / "a.json").write_text("[" * 100000 + "]" * 100000)
    (folder / "b.txt").write_text("---\ndate: 2024-07-17\n---\nIran met Russia.")
    items = _read(folder)
    assert [(type(i).__name__, getattr(i, "code", None)) for i in items] == [("Reject", "IN010"), ("Document", None)]


@pytest.mark.parametrize("kind", ["jsonl.gz", "csv", "txt", "parquet"])
def test_ingest_a_record_over_the_limit_is_rejected_while_reading(tmp_path, kind):
    """Finding 6: a 4.5 MB gzip file holding one 1 GiB line took 2.2 GB before being rejected. Here a 16 MiB line read
    with a 64 KiB limit is rejected (IN009) with bounded memory, and the records around it are kept."""
    import tracemalloc

    big = "Iran met Russia. " * (1 << 20)  # 17 MiB
    records = [{**GOOD, "id": "a"}, {**GOOD, "id": "big", "text": big}, {**GOOD, "id": "c"}]
    if kind == "jsonl.gz":
        path = tmp_path / "in.jsonl.gz"
        path.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in records).encode()))
    elif kind == "csv":
        path = tmp_path / "in.csv"
        path.write_text("id,text,date\n" + "".join(f'{r["id"]},"{r["text"]}",{r["date"]}\n' for r in records))
    elif kind == "txt":
        path = tmp_path / "docs"
        path.mkdir()
        for r in records:
            (path / f'{r["id"]}.txt').write_text(f'---\ndate: {r["date"]}\n---\n{r["text"]}')
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = tmp_path / "in.parquet"
        pq.write_table(pa.Table.from_pylist(records), path)
    del big, records
    tracemalloc.start()
    items = list(read_documents(path, set(), max_record_bytes=64 << 10))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [getattr(i, "id", None) or i.code for i in items] == ["a", "IN009", "c"]
    if kind != "parquet":  # (a Parquet row is decoded by pyarrow before it can be measured)
        assert peak < 8 << 20, peak


def test_ingest_blank_line_flood_is_read_block_by_block(tmp_path):
    """Finding 6: 1 GiB of blank lines did not finish in 300 s. Blank runs are skipped by byte searches, one per block
    read, not by a Python step per line (benchmarks/adversarial.py times 1 GiB)."""
    from events.ingest.reading import BLOCK, LineReader, lines

    data = b"\n" * (8 * BLOCK) + json.dumps(GOOD).encode() + b"\n" + b" \r\n" * BLOCK

    class Counting:
        def __init__(self, data):
            self.data, self.pos, self.reads = data, 0, 0

        def read(self, size):
            self.reads += 1
            chunk = self.data[self.pos : self.pos + size]
            self.pos += len(chunk)
            return chunk

    handle = Counting(data)
    found = [(r.line, r.data) for r in lines(LineReader(handle, 1 << 16))]
    assert found == [(8 * BLOCK + 1, json.dumps(GOOD).encode())]
    assert handle.reads <= len(data) // BLOCK + 2


def test_ingest_csv_records_split_as_the_csv_module_does(tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b'id,text,date\r\na,"Iran met\r\nRussia, ""again""",2024-07-17\r\n\r\nb,x"y,2024-07-17\rc,t,2024-07-17')
    items = _read(path)
    assert [(d.id, d.text, d.line) for d in items] == [("a", 'Iran met\r\nRussia, "again"', 2), ("b", 'x"y', 5), ("c", "t", 6)]


def test_ingest_parquet_value_python_cannot_hold_is_one_reject(tmp_path):
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    days = pa.array([dt.date(2024, 7, 17).toordinal() - 719163, 3_000_000, 0], pa.int32()).cast(pa.date32())  # year > 9999
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": ["t"] * 3, "date": days}), path)
    items = _read(path)
    assert [getattr(i, "id", None) or (i.code, i.line) for i in items] == ["a", ("IN006", 2), "c"]


def test_ingest_a_gzip_file_corrupted_in_the_middle_keeps_what_was_read(tmp_path):
    import gzip as gz

    lines = "".join(json.dumps({"id": f"d{i}", "text": "Iran met Russia. " * 50, "date": "2024-07-17"}) + "\n"
                    for i in range(2000)).encode()
    data = bytearray(gz.compress(lines))
    data[len(data) // 2 : len(data) // 2 + 40] = b"\x00" * 40  # zlib.error, not a truncated stream
    path = tmp_path / "news.jsonl.gz"
    path.write_bytes(bytes(data))
    items = list(read_documents(path, set()))
    assert [i.code for i in items if isinstance(i, Reject)] == ["IN007"]
    assert 0 < sum(isinstance(i, Document) for i in items) < 2000
