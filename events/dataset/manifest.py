"""The shape of `manifest.json`: what every reader of a dataset may rely on before it uses a value.

A manifest is written by `events.dataset.builder.write_manifest`; one edited by hand, truncated or written by another tool
may hold anything. `manifest_problems` lists every place where it departs from the expected shape (a path and what
was expected), so `events verify` reports it (VF008), and `events build` and `events info` refuse it with a message,
instead of failing on the first value of the wrong type.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_INT, _STR, _DICT, _LIST = "a whole number", "a string", "an object", "a list"
INPUT_FIELDS = {"path": _STR, "kind": _STR, "sha256": _STR, "bytes": _INT, "shard": _STR, "columns": _DICT,
                "records": _INT, "documents": _INT, "rejected": _INT, "sentences": _INT, "mentions": _INT}
OUTPUT_FIELDS = {"path": _STR, "bytes": _INT, "sha256": _STR, "rows": _INT, "table": _STR}
TOTAL_FIELDS = ("documents", "sentences", "mentions", "events", "rejected")
GROUPS = ("codebook", "behaviour", "schemas", "parser")
SHARD_RE = re.compile(r"[A-Za-z0-9_.-]+-[0-9a-f]{10}\.parquet")  # as `builder.shard_name` writes it: a plain file name


def _is(value, kind: str) -> bool:
    if kind == _INT:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return isinstance(value, {_STR: str, _DICT: dict, _LIST: list}[kind])


def manifest_problems(manifest) -> list[str]:
    """Every departure of `manifest` (parsed JSON) from the shape `events build` writes; [] when it is sound.

    >>> manifest_problems({"format": "events.dataset.v1", "inputs": [], "outputs": [{"path": "x", "bytes": "9"}],
    ...                    "totals": {}, "codebook": {}, "behaviour": {}, "schemas": {}, "parser": {}})[:2]
    ["outputs -> 0 -> bytes: expected a whole number, got '9'", 'outputs -> 0 -> sha256: missing']
    """
    if not isinstance(manifest, dict):
        return [f"expected an object, got {type(manifest).__name__}"]
    problems = []
    if not isinstance(manifest.get("format"), str):
        problems.append("format: missing or not a string")
    for group in GROUPS:
        if not isinstance(manifest.get(group), dict):
            problems.append(f"{group}: expected an object")
    for key, fields in (("inputs", INPUT_FIELDS), ("outputs", OUTPUT_FIELDS)):
        entries = manifest.get(key)
        if not isinstance(entries, list):
            problems.append(f"{key}: expected a list")
            continue
        for index, entry in enumerate(entries):
            problems.extend(f"{key} -> {index} -> {p}" for p in _entry_problems(entry, fields))
            shard = entry.get("shard") if key == "inputs" and isinstance(entry, dict) else None
            if isinstance(shard, str) and not SHARD_RE.fullmatch(shard):
                problems.append(f"{key} -> {index} -> shard: {_show(shard)} is not a shard file name (name-0123456789.parquet)")
    totals = manifest.get("totals")
    if not isinstance(totals, dict):
        problems.append("totals: expected an object")
    else:
        for name in TOTAL_FIELDS:
            if not _is(totals.get(name), _INT):
                problems.append(f"totals -> {name}: expected a whole number, got {_show(totals.get(name))}")
    return problems


def _entry_problems(entry, fields: dict[str, str]) -> list[str]:
    if not isinstance(entry, dict):
        return [f"expected an object, got {type(entry).__name__}"]
    out = []
    for name, kind in fields.items():
        if name not in entry:
            out.append(f"{name}: missing")
        elif not _is(entry[name], kind):
            out.append(f"{name}: expected {kind}, got {_show(entry[name])}")
    return out


def _show(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def read_manifest(out: Path) -> dict:
    """The manifest of the dataset in `out`, checked; `ValueError` saying what is wrong (one line) otherwise."""
    path = out / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: missing; is {out} a dataset built by `events build`?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: unreadable ({exc}); run `events verify {out}`") from None
    problems = manifest_problems(manifest)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValueError(f"{path}: damaged: {problems[0]}{more}; run `events verify {out}`, or rebuild the dataset")
    return manifest


__all__ = ["manifest_problems", "read_manifest"]
