"""Property-based fuzzing of every input kind, of texts and of codebooks (issue 13).

Invariants, for every generated input:
* no exception escapes (a bad record is a reject, a bad codebook a report);
* documents + rejects = records read (every record is accounted for, once);
* good records are never lost: every well-formed record whose id is new is a document, whatever surrounds it;
* after a build, `events verify` finds nothing, and the manifest's totals add up.

Two profiles: `ci` (the default: a few hundred inputs, derandomized, well under a minute) and `long` (over
10,000 inputs; `python benchmarks/fuzz.py`, which prints the figures the README quotes). Select one with
EVENTS_FUZZ=ci|long; EVENTS_FUZZ_STATS=FILE writes the counts as JSON.
"""

from __future__ import annotations

import atexit
import csv
import datetime as dt
import gzip
import io
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from events.ingest.documents import Document, Reject, read_documents  # noqa: E402

from conftest import MINIMAL_CODEBOOK  # noqa: E402

_COMMON = dict(deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("long", **_COMMON)
PROFILE = os.environ.get("EVENTS_FUZZ", "ci")
settings.load_profile(PROFILE)
# examples per test: (ci, long); the long profile adds up to more than 10,000 inputs
SCALE = float(os.environ.get("EVENTS_FUZZ_SCALE", "1"))  # e.g. 0.1 for a quicker long run
EXAMPLES = {"jsonl": (60, 3000), "csv": (50, 2500), "parquet": (30, 1500), "txt": (30, 1500), "text": (25, 1200),
            "codebook": (12, 400), "build": (6, 250)}
LIMIT = 4096  # a small record limit, so records over it are cheap to make

STATS: Counter = Counter()


def _examples(kind: str) -> int:
    return max(1, int(EXAMPLES[kind][PROFILE == "long"] * (SCALE if PROFILE == "long" else 1)))


@atexit.register
def _write_stats() -> None:
    target = os.environ.get("EVENTS_FUZZ_STATS")
    if target and STATS:
        Path(target).write_text(json.dumps(dict(sorted(STATS.items())), indent=2) + "\n")


# -- records ---------------------------------------------------------------------------------------------------
SENTENCES = [
    "Iran's foreign minister met his Russian counterpart in Moscow on Tuesday.",
    "China accused the United States of interfering in its affairs.",
    "Turkey and Greece agreed to hold talks on 3 March.",
    "MOSCOW, July 3 (Reuters) - Russia said it would expel two diplomats yesterday.",
    "The U.N. Security Council condemned the attack two days ago.",
]
texts = st.one_of(st.sampled_from(SENTENCES), st.text(min_size=1, max_size=200).filter(str.strip),
                  st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=4).map("\n".join))
dates = st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(dt.date.isoformat)
ids = st.one_of(st.sampled_from(["a", "b", "c", "d"]), st.text(min_size=1, max_size=12).filter(str.strip))


@st.composite
def good_records(draw) -> dict:
    record = {"id": draw(ids), "text": draw(texts), "date": draw(dates)}
    for key in ("title", "source", "url"):
        if draw(st.booleans()):
            record[key] = draw(st.one_of(st.none(), st.text(max_size=30)))
    return record


BAD_JSON_LINES = st.one_of(
    st.just(b'{"id": "x", "text": "t", "date": '),  # malformed
    st.builds(lambda n: b'{"id": ' + b"9" * n + b', "text": "t", "date": "2024-07-17"}', st.integers(65, 6000)),
    st.builds(lambda n: b'{"id": "x", "text": "t", "date": "2024-07-17", "m": ' + b"[" * n + b"]" * n + b"}", st.integers(65, 3000)),
    st.builds(lambda s: b'{"id": "x", "text": "' + s.encode() + b'", "date": "2024-07-17"}', st.sampled_from(["\\ud800", "a\\udfff", "\\udc80b"])),
    st.just(b'{"id": "x\xff\xfe", "text": "t", "date": "2024-07-17"}'),  # not UTF-8
    st.sampled_from([b"[1, 2]", b'"s"', b"null", b"3", b"{}", b'{"id": 1.5, "text": "t", "date": "2024-07-17"}',
                     b'{"id": ["x"], "text": "t", "date": "2024-07-17"}', b'{"id": "x", "text": 5, "date": "2024-07-17"}',
                     b'{"id": "x", "text": "t", "date": "2024-02-30"}', b'{"id": "x", "text": "t", "date": "0000-01-01"}',
                     b'{"id": "x", "text": "t", "date": "17 July"}', b'{"id": "x", "text": "", "date": "2024-07-17"}',
                     b'{"id": "x", "text": "t", "date": "2024-07-17", "title": 3}', b'{"id": true, "text": "t", "date": "2024-07-17"}']),
    st.builds(lambda n: json.dumps({"id": "big", "text": "x" * n, "date": "2024-07-17"}).encode(), st.integers(LIMIT, 3 * LIMIT)),
    st.binary(max_size=60).filter(lambda b: b"\n" not in b and b.strip() and not b.lstrip().startswith(b"{")),
)


def _expected(good: list[tuple[int, dict]]) -> list[str]:
    """Ids of the documents a reader must produce: the first good record of each id, in order."""
    seen, out = set(), []
    for _, record in good:
        if record["id"] not in seen:
            seen.add(record["id"])
            out.append(record["id"])
    return out


def _check(items: list, records: int | None, expected: list[str], kind: str) -> None:
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert len(docs) + len(rejects) == len(items)
    for reject in rejects:
        json.dumps(reject.to_dict(), ensure_ascii=False).encode("utf-8")  # always writable
        assert reject.code.startswith("IN") and reject.reason
    if records is not None:
        assert len(items) == records, (len(items), records)
    assert [d.id for d in docs] == expected  # nothing lost, nothing invented
    STATS[f"{kind}_inputs"] += 1
    STATS["inputs"] += 1
    STATS["records"] += len(items)
    STATS["documents"] += len(docs)
    STATS["rejects"] += len(rejects)


# -- JSONL -------------------------------------------------------------------------------------------------------
@settings(max_examples=_examples("jsonl"))
@given(st.data())
def test_fuzz_jsonl(data):
    entries = data.draw(st.lists(st.one_of(good_records().map(lambda r: ("good", r)), BAD_JSON_LINES.map(lambda b: ("bad", b)),
                                           st.sampled_from([b"", b"   ", b"\t\r"]).map(lambda b: ("blank", b))), max_size=25))
    ending = data.draw(st.sampled_from([b"\n", b"\r\n"]))
    bom, gz, truncate = data.draw(st.booleans()), data.draw(st.booleans()), data.draw(st.booleans())
    lines, good, records = [], [], 0
    for kind, value in entries:
        line = json.dumps(value, ensure_ascii=data.draw(st.booleans())).encode() if kind == "good" else value
        lines.append(line)
        if kind == "good":
            good.append((len(lines), value))
        records += kind != "blank"
    raw = (b"\xef\xbb\xbf" if bom else b"") + ending.join(lines) + (ending if data.draw(st.booleans()) else b"")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("in.jsonl.gz" if gz else "in.jsonl")
        payload = gzip.compress(raw, mtime=0) if gz else raw
        if gz and truncate and len(payload) > 20:
            payload = payload[: len(payload) // 2]  # a truncated download: what was read is kept, the rest is IN007
        path.write_bytes(payload)
        items = list(read_documents(path, set(), max_record_bytes=LIMIT))
    if gz and truncate and len(gzip.compress(raw, mtime=0)) > 20:
        assert isinstance(items[-1], Reject) and items[-1].code == "IN007"
        docs = [i.id for i in items if isinstance(i, Document)]
        assert docs == _expected(good)[: len(docs)]
        STATS["jsonl_inputs"] += 1
        STATS["inputs"] += 1
        return
    _check(items, records, _expected(good), "jsonl")


# -- CSV ---------------------------------------------------------------------------------------------------------
def _csv_valid(row: list[str]) -> bool:
    from events.ingest.documents import parse_pub_date

    if len(row) != 3 or not all(row) or len(",".join(row).encode()) >= LIMIT:
        return False
    try:
        parse_pub_date(row[2])
    except ValueError:
        return False
    return True


def _csv_good(record: dict) -> bool:
    return "\r" not in record["text"] and not any(c in record["id"] for c in "\r") and record["text"].strip() == record["text"]


@settings(max_examples=_examples("csv"))
@given(st.data())
def test_fuzz_csv(data):
    rows = data.draw(st.lists(st.one_of(
        good_records().filter(_csv_good).map(lambda r: ("good", [r["id"], r["text"], r["date"]])),
        st.lists(st.text(max_size=12), min_size=0, max_size=5).map(lambda cells: ("bad", cells)),
        st.sampled_from(['x"y', '"unclosed', "a,b", ",,,", '""']).map(lambda line: ("raw", line)),
        st.integers(LIMIT, 2 * LIMIT).map(lambda n: ("bad", ["big", "x" * n, "2024-07-17"])),
    ), max_size=20))
    terminator = data.draw(st.sampled_from(["\r\n", "\n", "\r"]))
    quoting = data.draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=terminator, quoting=quoting)
    writer.writerow(["id", "text", "date"])
    for kind, cells in rows:
        if kind == "raw":
            buffer.write(cells + terminator)
        else:
            writer.writerow(cells)
    text = buffer.getvalue()
    raw = (b"\xef\xbb\xbf" if data.draw(st.booleans()) else b"") + text.encode("utf-8", "surrogatepass")
    # the oracle: Python's csv module on the same text; each of its rows that is a valid record must be a document
    # (a generated good row, or rows an unclosed quote joined into one valid record, as the csv module joins them)
    parsed = [r for r in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in r)][1:]
    good = [(0, {"id": r[0]}) for r in parsed if _csv_valid(r)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.csv"
        path.write_bytes(raw)
        items = list(read_documents(path, set(), max_record_bytes=LIMIT))
    _check(items, len(parsed), _expected(good), "csv")


# -- Parquet -----------------------------------------------------------------------------------------------------
@settings(max_examples=_examples("parquet"))
@given(st.data())
def test_fuzz_parquet(data):
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = data.draw(st.integers(0, 30))
    good_rows = data.draw(st.lists(good_records(), min_size=n, max_size=n))
    id_type = data.draw(st.sampled_from(["string", "int", "mixed"]))
    date_type = data.draw(st.sampled_from(["string", "date", "timestamp", "int"]))
    broken = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    id_values, text_values, date_values, good = [], [], [], []
    for k, (record, bad) in enumerate(zip(good_rows, broken)):
        record_id = record["id"] if id_type == "string" else (str(k) if id_type == "int" else record["id"])
        text = record["text"] if not bad else data.draw(st.sampled_from([None, "", "x" * (LIMIT + 1)]))
        id_values.append(int(record_id) if id_type == "int" else record_id)
        text_values.append(text)
        day = dt.date.fromisoformat(record["date"])
        date_values.append({"string": record["date"], "date": day, "int": k,
                            "timestamp": dt.datetime.combine(day, dt.time(12))}[date_type])
        if not bad and date_type != "int":
            good.append((k, {"id": str(record_id)}))
    table = pa.table({"id": pa.array(id_values, pa.int64() if id_type == "int" else pa.string()),
                      "text": pa.array(text_values, pa.string()),
                      "date": pa.array(date_values, {"string": pa.string(), "date": pa.date32(), "int": pa.int64(),
                                                     "timestamp": pa.timestamp("s")}[date_type])})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.parquet"
        pq.write_table(table, path, row_group_size=data.draw(st.integers(1, 40)))
        items = list(read_documents(path, set(), max_record_bytes=LIMIT))
    _check(items, n, _expected(good), "parquet")


# -- folders of text files ---------------------------------------------------------------------------------------
@settings(max_examples=_examples("txt"))
@given(st.data())
def test_fuzz_text_folder(data):
    files = data.draw(st.lists(st.tuples(good_records(), st.sampled_from(
        ["front", "sidecar", "both", "none", "bad-date", "bad-utf8", "deep-sidecar", "broken-sidecar", "list-sidecar",
         "surrogate-sidecar", "too-big", "empty"])), max_size=12))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        good = []
        for k, (record, variant) in enumerate(files):
            name = f"{k:03d}"
            bom = b"\xef\xbb\xbf" if data.draw(st.booleans()) else b""
            front = f"---\ndate: {record['date']}\n---\n" if variant in ("front", "both") else ""
            if variant == "bad-date":
                front = "---\ndate: 2024-13-45\n---\n"
            body = (front + record["text"]).encode()
            if variant == "bad-utf8":
                body += b"\xff"
            if variant == "too-big":
                body += b"x" * LIMIT
            (folder / f"{name}.txt").write_bytes(b"" if variant == "empty" else bom + body)
            sidecar = {"sidecar": json.dumps({"date": record["date"]}).encode(), "both": json.dumps({"date": record["date"]}).encode(),
                       "deep-sidecar": b"[" * 500 + b"]" * 500, "broken-sidecar": b'{"date": ', "list-sidecar": b"[1]",
                       "surrogate-sidecar": b'{"date": "2024-07-17", "title": "\\ud800"}'}.get(variant)
            if sidecar is not None:
                (folder / f"{name}.json").write_bytes(bom + sidecar)
            if variant in ("front", "sidecar", "both"):
                good.append((k, {"id": name}))
        items = list(read_documents(folder, set(), max_record_bytes=LIMIT)) if files else []
    _check(items, len(files), _expected(good), "txt")


# -- texts through the coder -------------------------------------------------------------------------------------
ADVERSARIAL = st.one_of(
    st.builds(lambda c, n: c * n, st.sampled_from([".", "a.", ".)", "?!", "a. ", "U.S. ", "\n", " \t", "—", "“", "'s "]),
              st.integers(1, 40_000)),
    st.builds(lambda n: "Iran accused Russia of spying, " * n, st.integers(1, 3000)),
    st.text(max_size=2000),
    st.lists(st.sampled_from(SENTENCES), max_size=30).map(" ".join),
)


@settings(max_examples=_examples("text"))
@given(text=ADVERSARIAL, day=st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
def test_fuzz_text_codes_without_error(compiled, text, day):
    from events.dataset.pipeline import code_text

    for row in code_text(text, day, compiled):
        assert dt.date.min <= row["event_date"] <= day
    STATS["text_inputs"] += 1
    STATS["inputs"] += 1


# -- codebooks ---------------------------------------------------------------------------------------------------
MUTATIONS = st.sampled_from(["delete", "empty", "header-only", "garbage", "drop-line", "duplicate-line", "truncate",
                             "bad-utf8", "swap-cells"])


@settings(max_examples=_examples("codebook"))
@given(st.data())
def test_fuzz_codebook_mutations(parser, data):
    """A mutated codebook is a report or a `CodebookError`, never a crash; one that loads also compiles and codes."""
    from events.codebook.records import CodebookError
    from events.codebook.loader import load_codebook
    from events.codebook.compiler import compile_codebook
    from events.dataset.pipeline import code_text
    from events.codebook.validate import validate_codebook

    files = sorted(p.relative_to(MINIMAL_CODEBOOK).as_posix() for p in MINIMAL_CODEBOOK.rglob("*") if p.is_file())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "cb"
        shutil.copytree(MINIMAL_CODEBOOK, root)
        for _ in range(data.draw(st.integers(1, 3))):
            target = root / data.draw(st.sampled_from(files))
            mutation = data.draw(MUTATIONS)
            if not target.exists():
                continue
            lines = target.read_bytes().split(b"\n")
            if mutation == "delete":
                target.unlink()
                continue
            new = {"empty": lambda: b"", "header-only": lambda: lines[0] + b"\n",
                   "garbage": lambda: data.draw(st.binary(max_size=80)),
                   "drop-line": lambda: b"\n".join(lines[:1] + lines[2:]),
                   "duplicate-line": lambda: b"\n".join(lines + lines[-2:]),
                   "truncate": lambda: b"\n".join(lines)[: data.draw(st.integers(0, max(0, len(b"\n".join(lines)) - 1)))],
                   "bad-utf8": lambda: b"\n".join(lines) + b"\xff\xfe",
                   "swap-cells": lambda: b"\n".join(b",".join(reversed(line.split(b","))) if i == 1 else line
                                                   for i, line in enumerate(lines))}[mutation]()
            target.write_bytes(new)
        report = validate_codebook(root)
        assert all(p.code.startswith("CB") for p in report.problems)
        try:
            codebook = load_codebook(root)
            compiled = compile_codebook(codebook, parser)
        except CodebookError as exc:
            assert exc.problems
        else:
            code_text("Iran's foreign minister met his Russian counterpart on Tuesday.", dt.date(2024, 7, 17), compiled)
    STATS["codebook_inputs"] += 1
    STATS["inputs"] += 1


# -- whole builds ------------------------------------------------------------------------------------------------
@settings(max_examples=_examples("build"))
@given(st.data())
def test_fuzz_build_accounts_for_every_record_and_verifies(codebook, parser, data):
    """A build over fuzzed JSONL, CSV, Parquet and text inputs: totals add up, verify is clean, every good id is a
    document."""
    import polars as pl
    import pyarrow as pa
    import pyarrow.parquet as pq

    from events.dataset.builder import BuildError, build
    from events.dataset.verify import verify

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        good_ids = []
        lines = []
        for k, entry in enumerate(data.draw(st.lists(st.one_of(good_records().map(lambda r: ("good", r)),
                                                                  BAD_JSON_LINES.map(lambda b: ("bad", b))), max_size=12))):
            kind, value = entry
            if kind == "good":
                value = {**value, "id": f"j{k}"}
                good_ids.append(value["id"])
                lines.append(json.dumps(value).encode())
            else:
                lines.append(value)
        (tmp / "a.jsonl").write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n")
        rows = data.draw(st.lists(good_records().filter(_csv_good), max_size=6))
        with (tmp / "b.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text", "date"])
            for k, record in enumerate(rows):
                writer.writerow([f"c{k}", record["text"], record["date"]])
                good_ids.append(f"c{k}")
            handle.write('c-bad,"never closed\n')
        table = data.draw(st.lists(good_records(), max_size=6))
        pq.write_table(pa.table({"id": [f"p{k}" for k in range(len(table))] + ["p-bad"],
                                 "text": [r["text"] for r in table] + ["x" * (LIMIT + 1)],
                                 "date": [r["date"] for r in table] + ["2024-07-17"]}), tmp / "c.parquet")
        good_ids += [f"p{k}" for k in range(len(table))]
        (tmp / "docs").mkdir()
        for k, record in enumerate(data.draw(st.lists(good_records(), max_size=4))):
            (tmp / "docs" / f"t{k}.txt").write_text(f"---\ndate: {record['date']}\n---\n{record['text']}", encoding="utf-8")
            good_ids.append(f"t{k}")
        (tmp / "docs" / "undated.txt").write_text("Iran met Russia.", encoding="utf-8")
        out = tmp / "out"
        inputs = [tmp / "a.jsonl", tmp / "b.csv", tmp / "c.parquet", tmp / "docs"]
        STATS["build_inputs"] += 4
        STATS["inputs"] += 4
        if not good_ids:  # every record rejected: the build says why and writes nothing
            with pytest.raises(BuildError, match="no documents"):
                build(inputs, out, codebook=codebook, parser=parser, jobs=1, max_record_bytes=LIMIT)
            assert not (out / "manifest.json").exists()
            return
        report = build(inputs, out, codebook=codebook, parser=parser, jobs=1, max_record_bytes=LIMIT)
        totals = report.manifest["totals"]
        records = sum(i["records"] for i in report.manifest["inputs"])
        assert totals["documents"] + totals["rejected"] == records
        assert verify(out).ok, verify(out).problems
        documents = pl.read_parquet(out / "documents" / "**" / "*.parquet", hive_partitioning=False)
        assert sorted(documents["doc_id"].to_list()) == sorted(good_ids)
        STATS["build_records"] += records
