"""`events verify DIR`: re-check a dataset against its manifest, so a reader can trust what they load.

Every data file's size, sha256 and row count are recomputed and compared with `manifest.json`; every
Parquet file's schema is compared with `schemas/<table>.schema.json`; files the manifest lists but that are
gone, and data files it does not list, are reported; the manifest's totals are checked against the files.
Every problem is reported (never only the first), as `path: [VFnnn] message`, sorted by path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from events.dataset.manifest import OUTPUT_FIELDS, manifest_problems
from events.problems import CATALOGUE, Problem

# The VF codes are listed with every other problem code in events.problems.CATALOGUE.
VF_CODES: dict[str, str] = {code: name for code, name in CATALOGUE.items() if code.startswith("VF")}


@dataclass
class VerifyReport:
    path: Path
    files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {
            "path": self.path.as_posix(),
            "ok": self.ok,
            "files": self.files,
            "problems": [{**p.to_dict(), "name": VF_CODES.get(p.code, "")} for p in self.problems],
        }

    def summary(self) -> str:
        status = "ok" if self.ok else f"FAILED: {len(self.problems)} problem(s)"
        return f"{self.path}: {self.files} file(s) checked against manifest.json: {status}"


def verify(out: str | Path) -> VerifyReport:
    """Recompute what the manifest of the dataset in `out` says about its files and report every mismatch."""
    from events.dataset.builder import dataset_files

    out = Path(out)
    report = VerifyReport(out)
    problems = report.problems
    manifest = _read_manifest(out, problems)
    if manifest is None:
        return report
    # entries of the wrong shape were reported (VF008) and cannot be checked
    listed = {entry["path"]: entry for entry in manifest["outputs"]
              if isinstance(entry, dict) and all(isinstance(entry.get(k), str if t == "a string" else int)
                                                 for k, t in OUTPUT_FIELDS.items())}
    present = {p.relative_to(out).as_posix(): p for p in dataset_files(out)}
    rows_by_table: dict[str, int] = {}
    for rel in sorted(set(listed) | set(present), key=str):
        where = (out / rel).as_posix()
        if rel not in present:
            problems.append(Problem(where, 0, "VF001", "listed in manifest.json but missing; rebuild the inputs that "
                                    "wrote it (events build … --out) or restore the file"))
            continue
        if rel not in listed:
            problems.append(Problem(where, 0, "VF002", "data file not listed in manifest.json (left by another tool "
                                    "or an interrupted build?); remove it or rebuild"))
            continue
        report.files += 1
        rows = _check_file(out, rel, listed[rel], problems)
        if rows is not None:
            table = listed[rel].get("table", "")
            rows_by_table[table] = rows_by_table.get(table, 0) + rows
    if not any(p.code == "VF008" for p in problems):
        _check_totals(out, manifest, rows_by_table, problems)
    problems.sort()
    return report


def _read_manifest(out: Path, problems: list[Problem]) -> dict | None:
    path = out / "manifest.json"
    where = path.as_posix()
    if not out.is_dir():
        problems.append(Problem(out.as_posix(), 0, "VF008", "no such dataset folder"))
        return None
    if not path.is_file():
        problems.append(Problem(where, 0, "VF008", "missing: this folder holds no dataset built by `events build`"))
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        problems.append(Problem(where, getattr(exc, "lineno", 0), "VF008", f"not valid JSON ({exc}); truncated or edited?"))
        return None
    except OSError as exc:
        problems.append(Problem(where, 0, "VF008", f"cannot read: {exc.strerror or exc}"))
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), list):
        problems.append(Problem(where, 0, "VF008", "expected an object with an 'outputs' list"))
        return None
    problems.extend(Problem(where, 0, "VF008", f"malformed: {p}") for p in manifest_problems(manifest))
    return manifest


def _check_file(out: Path, rel: str, entry: dict, problems: list[Problem]) -> int | None:
    """Compare one file with its manifest entry; return its actual row count (None when unreadable)."""
    from events.ingest.documents import file_sha256

    path = out / rel
    where = path.as_posix()
    size = path.stat().st_size
    if size != entry.get("bytes"):
        problems.append(Problem(where, 0, "VF003", f"{size} bytes, manifest says {entry.get('bytes')} (truncated or rewritten)"))
    elif file_sha256(path) != entry.get("sha256"):
        problems.append(Problem(where, 0, "VF004", f"sha256 differs from the manifest's {str(entry.get('sha256'))[:12]}… "
                                "although the size matches: the content was changed"))
    rows = _parquet_rows(path, rel, problems) if path.suffix == ".parquet" else _jsonl_rows(path, problems)
    if rows is not None and rows != entry.get("rows"):
        problems.append(Problem(where, 0, "VF005", f"{rows} rows, manifest says {entry.get('rows')}"))
    return rows


def _parquet_rows(path: Path, rel: str, problems: list[Problem]) -> int | None:
    import pyarrow.parquet as pq

    from events.dataset.builder import table_of
    from events.dataset.schema import LABELS, TABLES, table_spec, type_name

    where = path.as_posix()
    try:
        parquet = pq.ParquetFile(path)
        schema = parquet.schema_arrow
        rows = parquet.metadata.num_rows
    except Exception as exc:  # pyarrow raises several types for corrupt files; every one means "unreadable"
        problems.append(Problem(where, 0, "VF006", f"not a readable Parquet file ({exc})"))
        return None
    table = table_of(rel)
    if table in TABLES or table in {f"labels/{name}" for name in LABELS}:
        spec = table_spec(table)
        expected = [(c["name"], c["type"], c["nullable"]) for c in spec["columns"]]
        actual = [(f.name, type_name(f.type), f.nullable) for f in schema]
        if actual != expected:
            diff = _schema_diff(expected, actual)
            problems.append(Problem(where, 0, "VF007", f"columns differ from schemas/{table}.schema.json: {diff}"))
        version = (schema.metadata or {}).get(b"events.schema_version", b"").decode()
        if version != spec["version"]:
            problems.append(Problem(where, 0, "VF007", f"schema version {version or 'absent'}, "
                                    f"schemas/{table}.schema.json is {spec['version']}"))
    return rows


def _schema_diff(expected: list[tuple], actual: list[tuple]) -> str:
    """A short account of how two column lists differ.

    >>> _schema_diff([("a", "string", False), ("b", "int8", True)], [("a", "int64", False)])
    "missing ['b']; 'a' is int64 not null, expected string not null"
    """
    want, have = {c[0]: c for c in expected}, {c[0]: c for c in actual}
    parts = []
    if missing := [n for n in want if n not in have]:
        parts.append(f"missing {missing}")
    if extra := [n for n in have if n not in want]:
        parts.append(f"unexpected {extra}")
    for name in want:
        if name in have and want[name] != have[name]:
            def show(c):
                return f"{c[1]} {'null' if c[2] else 'not null'}"
            parts.append(f"{name!r} is {show(have[name])}, expected {show(want[name])}")
    if not parts:
        parts.append("column order differs")
    return "; ".join(parts)


def _jsonl_rows(path: Path, problems: list[Problem]) -> int:
    from events.dataset.schema import table_spec

    keys = {c["name"] for c in table_spec("rejected")["columns"]}
    rows = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            rows += 1
            try:
                record = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                problems.append(Problem(path.as_posix(), number, "VF006", f"not a JSON line ({exc})"))
                continue
            if not isinstance(record, dict) or set(record) != keys:
                problems.append(Problem(path.as_posix(), number, "VF007",
                                        f"expected an object with keys {sorted(keys)} (schemas/rejected.schema.json)"))
    return rows


def _check_totals(out: Path, manifest: dict, rows: dict[str, int], problems: list[Problem]) -> None:
    """The manifest's totals and per-input counts must add up to the rows in the files."""
    where = (out / "manifest.json").as_posix()
    totals = manifest.get("totals") or {}
    inputs = [i for i in manifest.get("inputs", []) if isinstance(i, dict)]
    for table, total_key, input_key in (("documents", "documents", "documents"), ("mentions", "mentions", "mentions"),
                                        ("events", "events", None), ("rejected", "rejected", "rejected")):
        actual = rows.get(table, 0)
        if totals.get(total_key) != actual:
            problems.append(Problem(where, 0, "VF009", f"totals.{total_key} is {totals.get(total_key)}, the files hold {actual} row(s)"))
        if input_key is not None:
            summed = sum(i.get(input_key, 0) for i in inputs)
            if summed != actual:
                problems.append(Problem(where, 0, "VF009", f"the inputs' {input_key} add up to {summed}, the files hold {actual} row(s)"))
