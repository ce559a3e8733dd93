"""Semantic checks of a codebook: everything `read_codebook` cannot see one file at a time.

`validate_codebook(path)` returns a report listing every problem, sorted by file and line; the CLI only
renders it. `load_codebook` refuses a codebook with errors, so a typo never silently changes a dataset.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from events.codebook import Codebook, read_codebook
from events.compiler import compile_pattern
from events.problems import Problem, did_you_mean

SEMVER_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
QUAD_BY_ROOT = {**{f"{r:02d}": 1 for r in range(1, 6)}, **{f"{r:02d}": 2 for r in range(6, 10)},
                **{f"{r:02d}": 3 for r in range(10, 15)}, **{f"{r:02d}": 4 for r in range(15, 21)}}
INTERNATIONAL_TYPES = frozenset(["IGO", "NGO", "IMG", "INT", "MNC", "NGM", "UIS"])
KNOWN_FLAGS = frozenset(["noun", "mutual", "no_target"])
DISCARD_SCOPES = frozenset(["sentence", "document"])


@dataclass(frozen=True)
class ValidationReport:
    path: str
    problems: tuple[Problem, ...]
    name: str = ""
    version: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def to_dict(self) -> dict:
        return {"path": self.path, "name": self.name, "version": self.version, "ok": self.ok(),
                "errors": len(self.errors), "warnings": len(self.warnings), "problems": [p.to_dict() for p in self.problems]}


def validate_codebook(path: str | Path | None = None) -> ValidationReport:
    codebook = read_codebook(path)
    problems = list(codebook.problems) + semantic_problems(codebook)
    return ValidationReport(codebook.path.as_posix(), tuple(sorted(set(problems))), codebook.name, codebook.version)


def semantic_problems(cb: Codebook) -> list[Problem]:
    out: list[Problem] = []
    root = cb.path

    def add(rel: str, line: int, code: str, message: str, severity: str = "error") -> None:
        out.append(Problem((root / rel).as_posix(), line, code, message, severity))

    _check_version(cb, add)
    _check_event_types(cb, add)
    _check_actors(cb, add)
    _check_patterns(cb, add)
    for d in cb.discards:
        if d.scope not in DISCARD_SCOPES:
            add(d.file, d.line, "CB009", f"discard {d.id!r} has scope {d.scope!r}; expected one of {', '.join(sorted(DISCARD_SCOPES))}")
    return out


def _check_version(cb: Codebook, add) -> None:
    if cb.version and not SEMVER_RE.match(cb.version):
        add("codebook.toml", _line_of(cb.path / "codebook.toml", "version"), "CB013",
            f"version {cb.version!r} is not semantic versioning (MAJOR.MINOR.PATCH)")
    changelog = cb.path / "CHANGELOG.md"
    if not changelog.is_file():
        add("CHANGELOG.md", 0, "CB015", "missing CHANGELOG.md with an entry per version")
    elif cb.version and not re.search(rf"^##\s*\[?v?{re.escape(cb.version)}\]?(\s|$)", changelog.read_text(encoding="utf-8"), re.M):
        add("CHANGELOG.md", 0, "CB014", f"no entry '## {cb.version}' for the current version")


def _check_event_types(cb: Codebook, add) -> None:
    for code, et in cb.event_types.items():
        if not -10.0 <= et.goldstein <= 10.0:
            add("event_codes.csv", et.line, "CB010", f"goldstein {et.goldstein} of {code!r} is outside [-10, 10]")
        if et.root_code != code[:2] or et.base_code != code[:3]:
            add("event_codes.csv", et.line, "CB009", f"{code!r} has root {et.root_code!r} and base {et.base_code!r}; expected {code[:2]!r} and {code[:3]!r}")
        expected = QUAD_BY_ROOT.get(code[:2])
        if expected is not None and et.quad_class != expected:
            add("event_codes.csv", et.line, "CB011", f"quad class {et.quad_class} of {code!r} is inconsistent with root {code[:2]}; expected {expected}")
        parent = code[:-1] if len(code) > 2 else None
        if parent and parent not in cb.event_types:
            add("event_codes.csv", et.line, "CB012", f"code {code!r} has no parent {parent!r}")


def valid_actor_code(code: str, cb: Codebook) -> str | None:
    """None when `code` is a valid CAMEO actor code sequence, else the reason."""
    if not code or len(code) % 3 or not re.fullmatch(r"[A-Za-z]+", code):
        return "must be a sequence of 3-letter codes"
    chunks = [code[i : i + 3] for i in range(0, len(code), 3)]
    first, rest = chunks[0], chunks[1:]
    if first not in cb.countries and first not in cb.types and first not in cb.groups:
        return f"{first!r} is not a country, region, type or group code"
    for chunk in rest:
        if chunk not in cb.types and chunk not in cb.groups and chunk not in cb.religions and chunk not in cb.ethnic:
            return f"{chunk!r} is not a type, role, group, religion or ethnic code"
    return None


def _check_actors(cb: Codebook, add) -> None:
    all_codes = sorted(set(cb.countries) | set(cb.types) | set(cb.groups))
    periods: dict[str, list] = {}
    for a in cb.actors:
        reason = valid_actor_code(a.code, cb)
        if reason:
            add(a.file, a.line, "CB003", f"invalid actor code {a.code!r} for {a.id!r}: {reason}.{did_you_mean(a.code[:3], all_codes)}")
        if "@" in a.id:
            periods.setdefault(a.id.split("@")[0], []).append(a)
    for person, entries in sorted(periods.items()):
        ordered = sorted(entries, key=lambda e: (e.valid_from or __import__("datetime").date.min, e.line))
        for prev, cur in zip(ordered, ordered[1:]):
            prev_end = prev.valid_to
            if prev_end is None or (cur.valid_from is None) or cur.valid_from <= prev_end:
                add(cur.file, cur.line, "CB006", f"role {cur.id!r} overlaps {prev.id!r} ({prev.file}:{prev.line}) of the same person {person!r}")
    for agent in cb.agents:
        if agent.code not in cb.types:
            add(agent.file, agent.line, "CB003", f"agent {agent.id!r} has code {agent.code!r}, not a role code.{did_you_mean(agent.code, cb.types)}")


def _check_patterns(cb: Codebook, add) -> None:
    seen: dict[tuple, str] = {}
    for p in cb.patterns:
        if p.code not in cb.event_types:
            add(p.file, p.line, "CB002", f"unknown event code {p.code!r} in pattern {p.pattern!r}; expected a code from event_codes.csv.{did_you_mean(p.code, cb.event_types)}")
        bad = sorted(set(p.flags) - KNOWN_FLAGS)
        if bad:
            add(p.file, p.line, "CB017", f"unknown flag(s) {', '.join(bad)} in {p.id!r}; expected {', '.join(sorted(KNOWN_FLAGS))}")
            continue
        try:
            compiled = compile_pattern(p.id, p.code, p.pattern, p.flags, cb.irregular)
        except ValueError as exc:
            add(p.file, p.line, "CB007", f"pattern {p.pattern!r} ({p.id}) does not parse: {exc}")
            continue
        if not p.id.startswith(p.code + "."):
            add(p.file, p.line, "CB009", f"pattern id {p.id!r} should start with its code '{p.code}.'", "warning")
        key = (compiled.head, compiled.elements, "noun" in p.flags)
        if key in seen:
            add(p.file, p.line, "CB008", f"pattern {p.pattern!r} ({p.id}) is shadowed by {seen[key]}: it can never fire")
        else:
            seen[key] = f"{p.id} ({p.file}:{p.line})"


def _line_of(path: Path, key: str) -> int:
    if not path.is_file():
        return 0
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", text):
            return number
    return 0
