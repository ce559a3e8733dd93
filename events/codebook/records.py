"""Read a codebook folder into plain, immutable records, reporting every problem with its file and line.

`read_codebook(path)` only reads and checks the files' shape (columns, types, duplicates); the semantic
checks that need the whole codebook live in `events.codebook.validate`, turning records into matchers lives
in `events.codebook.compiler`, and `events.codebook.loader.load_codebook` runs both reading and checks. This
module imports neither, so the codebook modules import one way only: records <- compiler <- validate <- loader.
The codebook is data passed explicitly to whoever needs it: nothing here caches or reads files behind a caller's
back.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from events.problems import Problem
from events.problems import did_you_mean
from events.resources import default_codebook_path, schemas_dir

__all__ = ["Codebook", "CodebookError", "read_codebook", "default_codebook_path", "release_codebook",
           "RELEASE_FILE"]

# The release record: the version and content hash a codebook was released with (`events codebook release` writes it).
# It is not part of the content it records, so it is left out of the content hash.
RELEASE_FILE = "release.toml"


@cache
def table_columns(table: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) columns of a codebook table, from `schemas/codebook/<table>.schema.json`."""
    spec = json.loads((schemas_dir() / "codebook" / f"{table}.schema.json").read_text(encoding="utf-8"))
    columns = spec["columns"]
    return tuple(c["name"] for c in columns if c["required"]), tuple(c["name"] for c in columns if not c["required"])


@cache
def toml_keys(table: str = "codebook_toml") -> tuple[frozenset[str], ...]:
    """Allowed keys of a TOML file of the codebook: its top level, then each nested table's (codebook.toml:
    [[sources]], [rules])."""
    spec = json.loads((schemas_dir() / "codebook" / f"{table}.schema.json").read_text(encoding="utf-8"))
    top = {k["name"]: k for k in spec["keys"]}
    return (frozenset(top), *(frozenset(k["name"] for k in key["keys"]) for key in top.values() if "keys" in key))


@dataclass(frozen=True, slots=True)
class EventType:
    code: str
    name: str
    root_code: str
    base_code: str
    quad_class: int
    goldstein: float
    line: int
    gdelt_name: str = ""  # GDELT's lookup label where it differs from the manual's name


@dataclass(frozen=True, slots=True)
class ActorEntry:
    id: str
    code: str
    names: tuple[str, ...]
    valid_from: dt.date | None
    valid_to: dt.date | None
    note: str
    file: str
    line: int

    def applies_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class AgentEntry:
    id: str
    code: str
    names: tuple[str, ...]
    note: str
    file: str
    line: int


@dataclass(slots=True)  # not frozen: sixteen thousand are built at every load
class VerbPattern:
    id: str
    code: str
    pattern: str
    flags: tuple[str, ...]
    note: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Discard:
    id: str
    phrase: str
    scope: str
    note: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    """A row of places.csv: a place the gazetteer adds or overrides, or (kind `none`) names that are never places."""

    id: str
    names: tuple[str, ...]
    kind: str  # country | state | city | region | none
    country: str  # ISO 3166-1 alpha-3 ("" for kind none)
    adm1: str
    lat: float | None
    lon: float | None
    population: int
    geonames_id: int | None
    note: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class Cue:
    id: str
    code: str
    cue: str  # lower-case tokens separated by single spaces
    note: str
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class PloverMapping:
    """A row of plover.csv: the PLOVER event type, mode and contexts of a CAMEO code ("" where none)."""
    code: str
    event: str
    mode: str
    contexts: tuple[str, ...]
    basis: str  # table | amended | ours | none
    note: str
    line: int


PLOVER_BASES = ("table", "amended", "ours", "none")
PLOVER_KINDS = ("event", "mode", "context")


@dataclass(frozen=True)
class Codebook:
    path: Path
    name: str
    version: str
    description: str
    sources: tuple[dict, ...]
    rules: dict
    event_types: dict[str, EventType]
    countries: dict[str, tuple[str, str, str]]  # code -> (label, kind, ISO 3166-1 alpha-3 or "")
    types: dict[str, tuple[str, str]]  # code -> (label, class)
    groups: dict[str, str]
    religions: dict[str, str]
    ethnic: dict[str, str]
    actors: tuple[ActorEntry, ...]
    agents: tuple[AgentEntry, ...]
    patterns: tuple[VerbPattern, ...]
    irregular: dict[str, tuple[str, str, str, str]]
    discards: tuple[Discard, ...]
    files: tuple[tuple[str, str], ...]  # (path relative to the codebook, sha256), sorted
    content_hash: str
    problems: tuple[Problem, ...] = field(default=())
    cues: tuple[Cue, ...] = field(default=())
    places: tuple[PlaceEntry, ...] = field(default=())  # places.csv: the gazetteer's additions and overrides
    gender: dict[str, str] = field(default_factory=dict)  # person id (before "@") -> "f" | "m"
    released: dt.date | None = None  # `released` in codebook.toml: the day this version was released
    release: dict | None = None  # release.toml: {"version", "content_hash"} the version was released with
    plover: dict[str, PloverMapping] = field(default_factory=dict)  # CAMEO code -> its PLOVER mapping (plover.csv)
    # the PLOVER terms (plover_vocabulary.csv): (kind, event, value) -> line
    plover_terms: dict[tuple[str, str, str], int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def unreleased(self) -> str | None:
        """Why these files are not the ones `version` was released with (None when they are)."""
        record = self.release
        if record is None:
            return f"no release record ({RELEASE_FILE})"
        if record.get("version") != self.version:
            return f"{RELEASE_FILE} records version {record.get('version')}, codebook.toml says {self.version}"
        if record.get("content_hash") != self.content_hash:
            return f"the files changed since version {self.version} was released"
        return None

    @property
    def label(self) -> str:
        """`name@version` as every dataset row records it; when the files are not the ones that version was released
        with, the first 8 hex digits of their content hash are appended as semver build metadata (`cameo@2.0.1+d516f7b0`),
        so an edited codebook whose version was not bumped never passes for the released one."""
        if self.unreleased is None:
            return f"{self.name}@{self.version}"
        return f"{self.name}@{self.version}{'.' if '+' in self.version else '+'}{self.content_hash[:8]}"


class CodebookError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        shown = "\n".join(str(p) for p in errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"codebook has {len(errors)} error(s):\n{shown}{more}")


def read_codebook(path: str | Path | None = None) -> Codebook:
    """Read a codebook folder, collecting problems instead of raising (for `events codebook validate`)."""
    root = Path(path) if path is not None else default_codebook_path()
    reader = _Reader(root)
    return reader.read()


_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*(@[a-z0-9_.-]+)?$")
_CODE_RE = re.compile(r"^[0-9]{2,4}$")
_ETHNIC_RE = re.compile(r"^[A-Za-z]{3}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
COUNTRY_KINDS = ("country_or_territory", "region", "subnational")
ESSENTIAL_TABLES = frozenset(("event_codes.csv", "actor_codes/countries.csv", "actor_codes/types.csv"))  # empty: an error
PLACE_KINDS = ("country", "state", "city", "region", "none")
TYPE_CLASSES = ("primary_role", "secondary_role", "tertiary_role", "organization_code", "international_generic")


class _Reader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self._rel: dict[str, str] = {}

    # -- helpers -------------------------------------------------------------------------------------
    def rel(self, path: Path) -> str:
        key = str(path)
        if key not in self._rel:
            try:
                self._rel[key] = path.relative_to(self.root).as_posix()
            except ValueError:
                self._rel[key] = path.as_posix()
        return self._rel[key]

    def problem(self, path: Path, line: int, code: str, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(path.as_posix(), line, code, message, severity))

    def rows(self, path: Path, table: str, required: bool = True):
        """Yield (line, row dict) for a CSV file, checking its header against the table's schema."""
        if not path.is_file():
            if required:
                self.problem(path, 0, "CB015", f"missing file {self.rel(path)!r}; every codebook needs it")
            return
        need, optional = table_columns(table)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.problem(path, 0, "CB009", f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})")
            return
        lines = text.splitlines()
        reader = csv.reader(lines)
        header = None
        entries = 0
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [h.strip() for h in row]
                missing = [c for c in need if c not in header]
                unknown = [c for c in header if c not in need and c not in optional]
                for col in missing:
                    self.problem(path, line, "CB009", f"missing column {col!r}; expected columns {', '.join(need + optional)}")
                for col in unknown:
                    self.problem(path, line, "CB016", f"unknown column {col!r}.{did_you_mean(col, need + optional)}")
                if missing:
                    return
                continue
            entries += 1
            if len(row) != len(header):
                self.problem(path, line, "CB009", f"expected {len(header)} cells, found {len(row)} [{self.rel(path)} -> line {line}]")
                continue
            yield line, {k: v.strip() for k, v in zip(header, row)}
        if entries == 0:
            held = "only its header" if header is not None else "no header and no rows"
            essential = self.rel(path) in ESSENTIAL_TABLES
            self.problem(path, 0, "CB024", f"{self.rel(path)!r} holds {held}: " + (
                "nothing can be coded without its entries" if essential else
                "it gives the coder nothing. Emptied by mistake? Restore its entries"),
                "error" if essential else "warning")

    def date(self, path: Path, line: int, column: str, value: str) -> dt.date | None:
        if not value:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            self.problem(path, line, "CB004", f"malformed date {value!r} in column {column!r}; expected YYYY-MM-DD.{_date_hint(value)}")
            return None

    # -- files ---------------------------------------------------------------------------------------
    def read(self) -> Codebook:
        root = self.root
        if not root.is_dir():
            self.problem(root, 0, "CB015", "codebook folder not found")
        meta = self.read_meta(root / "codebook.toml")
        event_types = self.read_event_types(root / "event_codes.csv")
        codes = root / "actor_codes"
        table = self.read_code_table
        countries = {r["code"]: (r["label"], r["kind"], r.get("iso3", ""))
                     for _, r in table(codes / "countries.csv", "countries", column="kind", allowed=COUNTRY_KINDS)}
        types = {r["code"]: (r["label"], r["class"]) for _, r in table(codes / "types.csv", "types", column="class", allowed=TYPE_CLASSES)}
        groups = {r["code"]: r["label"] for _, r in table(codes / "groups.csv", "code_labels")}
        religions = {r["code"]: r["label"] for _, r in table(codes / "religions.csv", "code_labels", required=False)}
        ethnic = {r["code"]: r["label"] for _, r in table(codes / "ethnic.csv", "code_labels", required=False, code_re=_ETHNIC_RE)}
        actors = self.read_actors(sorted((root / "actors").glob("*.csv")))
        agents = self.read_agents(root / "agents.csv")
        patterns = self.read_patterns(sorted((root / "verbs").glob("[0-9][0-9]_*.csv")))
        self.check_root_files(root / "verbs", event_types)
        irregular = {
            r["lemma"].lower(): (r["third"].lower(), r["past"].lower(), r["participle"].lower(), r["gerund"].lower())
            for _, r in self.unique(root / "verbs" / "irregular.csv", "irregular", "lemma", required=False)
        }
        discards = self.read_discards(root / "discards.csv")
        cues = self.read_cues(root / "cues.csv")
        places = self.read_places(root / "places.csv")
        gender = self.read_gender(root / "gender.csv", {a.id.split("@")[0] for a in actors})
        plover = self.read_plover(root / "plover.csv")
        plover_terms = self.read_plover_terms(root / "plover_vocabulary.csv", required=bool(plover))
        files = self.hash_files()
        content_hash = hashlib.sha256("".join(f"{p}\0{h}\n" for p, h in files).encode()).hexdigest()
        release = self.read_release(root / RELEASE_FILE)
        return Codebook(
            path=root,
            name=str(meta.get("name", "")),
            version=str(meta.get("version", "")),
            description=str(meta.get("description", "")),
            sources=tuple(meta.get("sources", ())),
            rules=dict(meta.get("rules", {})),
            event_types=event_types,
            countries=countries,
            types=types,
            groups=groups,
            religions=religions,
            ethnic=ethnic,
            actors=actors,
            agents=agents,
            patterns=patterns,
            irregular=irregular,
            discards=discards,
            cues=cues,
            places=places,
            gender=gender,
            files=files,
            content_hash=content_hash,
            problems=tuple(sorted(self.problems)),
            released=meta.get("released"),
            release=release,
            plover=plover,
            plover_terms=plover_terms,
        )

    def read_release(self, path: Path) -> dict | None:
        """The release record, or None when the codebook has none (`Codebook.unreleased` says so)."""
        if not path.is_file():
            return None
        try:
            record = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            self.problem(path, 0, "CB022", f"invalid TOML: {exc}; run `events codebook release` to write it again")
            return None
        allowed = toml_keys("release_toml")[0]
        for key in sorted(set(record) - allowed):
            self.problem(path, 0, "CB016", f"unknown key {key!r}; expected one of {', '.join(sorted(allowed))}")
        if not isinstance(record.get("version"), str) or not _SHA256_RE.match(str(record.get("content_hash", ""))):
            self.problem(path, 0, "CB022", "expected version = \"MAJOR.MINOR.PATCH\" and content_hash = 64 hex digits; run "
                         "`events codebook release` to write it again")
            return None
        return {"version": record["version"], "content_hash": record["content_hash"]}

    def unique(self, path: Path, table: str, key: str, required: bool = True):
        seen: dict[str, int] = {}
        out = []
        for line, row in self.rows(path, table, required):
            value = row[key]
            if not value:
                self.problem(path, line, "CB009", f"empty {key!r}")
                continue
            if value in seen:
                self.problem(path, line, "CB001", f"duplicate {key} {value!r}; first defined at line {seen[value]}")
                continue
            seen[value] = line
            out.append((line, row))
        return out

    def read_meta(self, path: Path) -> dict:
        if not path.is_file():
            self.problem(path, 0, "CB015", "missing codebook.toml (name, version, description)")
            return {}
        try:
            meta = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 0
            self.problem(path, line, "CB009", f"invalid TOML: {exc}")
            return {}
        text_lines = path.read_text(encoding="utf-8", errors="replace").splitlines()

        def line_of(key: str) -> int:
            for i, text in enumerate(text_lines, 1):
                if re.match(rf"\s*\[*\s*{re.escape(key)}\b", text):
                    return i
            return 0

        meta_keys, source_keys, rule_keys = toml_keys()
        for key in sorted(set(meta) - meta_keys):
            self.problem(path, line_of(key), "CB016",
                         f"unknown key {key!r}; expected one of {', '.join(sorted(meta_keys))}.{did_you_mean(key, meta_keys)}")
        for key in ("name", "version"):
            if not isinstance(meta.get(key), str) or not meta.get(key):
                self.problem(path, line_of(key), "CB013" if key == "version" else "CB009",
                             f"missing or empty {key!r}; expected a string" + (" MAJOR.MINOR.PATCH" if key == "version" else ""))
        if not isinstance(meta.get("description", ""), str):
            self.problem(path, line_of("description"), "CB009", "[description] must be a string")
        elif not meta.get("description"):
            self.problem(path, 0, "CB009", "no 'description'; say in a sentence what this codebook codes", "warning")
        released = meta.get("released")
        if isinstance(released, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", released.strip()):
            try:
                released = dt.date.fromisoformat(released.strip())
            except ValueError:
                pass
        if released is not None and (not isinstance(released, dt.date) or isinstance(released, dt.datetime)):
            self.problem(path, line_of("released"), "CB022", f"released = {meta['released']!r} is not a date; expected "
                         "released = YYYY-MM-DD, the day this version was released")
            released = None
        meta["released"] = released
        sources = meta.get("sources", [])
        if not isinstance(sources, list):
            self.problem(path, line_of("sources"), "CB009", "[sources] must be an array of tables ([[sources]] blocks)")
            sources = []
        source_lines = [i for i, text in enumerate(text_lines, 1) if re.match(r"\s*\[\[\s*sources\s*\]\]", text)]
        for i, source in enumerate(sources):
            at = source_lines[i] if i < len(source_lines) else line_of("sources")
            if not isinstance(source, dict):
                self.problem(path, at, "CB009", f"[sources -> {i}] must be a table")
                continue
            for key in sorted(set(source) - source_keys):
                self.problem(path, at, "CB016", f"unknown key [sources -> {i} -> {key}]; expected one of "
                             f"{', '.join(sorted(source_keys))}.{did_you_mean(key, source_keys)}")
            if not isinstance(source.get("name"), str) or not source.get("name"):
                self.problem(path, at, "CB009", f"[sources -> {i} -> name] is missing; name the file transcribed")
            label = source.get("name", i)
            digest = source.get("sha256")
            if digest is None:
                self.problem(path, at, "CB020", f"source {label!r} has no sha256; record the hash of the file read (sha256sum FILE)",
                             "warning")
            elif not isinstance(digest, str) or not _SHA256_RE.match(digest):
                self.problem(path, at, "CB020",
                             f"source {label!r} has sha256 {digest!r}; expected 64 lower-case hex digits (sha256sum FILE)")
        rules = meta.get("rules", {})
        if not isinstance(rules, dict):
            self.problem(path, line_of("rules"), "CB009", "[rules] must be a table")
            meta["rules"] = {}
            rules = {}
        for key in sorted(set(rules) - rule_keys):
            self.problem(path, line_of(key) or line_of("rules"), "CB016",
                         f"unknown key [rules -> {key}]; expected one of {', '.join(sorted(rule_keys))}.{did_you_mean(key, rule_keys)}")
        meta["sources"] = [s for s in sources if isinstance(s, dict)]
        return meta

    def read_code_table(self, path: Path, table: str, required: bool = True, column: str = "", allowed: tuple[str, ...] = (),
                        code_re: re.Pattern = re.compile(r"^[A-Z]{3}$")):
        """Rows of an actor_codes table, checking the code's shape and, if given, `column` against `allowed`."""
        out = []
        for line, r in self.unique(path, table, "code", required):
            if not code_re.match(r["code"]):
                self.problem(path, line, "CB009", f"code {r['code']!r} must match {code_re.pattern}")
                continue
            if column and r[column] not in allowed:
                self.problem(path, line, "CB009", f"{column} {r[column]!r} of {r['code']!r}; expected one of "
                             f"{', '.join(allowed)}.{did_you_mean(r[column], allowed)}")
            out.append((line, r))
        return out

    def read_event_types(self, path: Path) -> dict[str, EventType]:
        out: dict[str, EventType] = {}
        for line, r in self.unique(path, "event_codes", "code"):
            code = r["code"]
            if not _CODE_RE.match(code):
                self.problem(path, line, "CB009", f"event code {code!r} must be 2-4 digits")
                continue
            try:
                quad = int(r["quad_class"])
                goldstein = float(r["goldstein"])
            except ValueError:
                self.problem(path, line, "CB009", f"quad_class must be an integer and goldstein a number in {code!r}")
                continue
            out[code] = EventType(code, r["name"], r["root_code"], r["base_code"], quad, goldstein, line, r.get("gdelt_name") or "")
        return out

    def read_actors(self, paths: list[Path]) -> tuple[ActorEntry, ...]:
        if not paths:
            self.problem(self.root / "actors", 0, "CB015", "no actor files (actors/*.csv)")
        out = []
        for path, line, r in self.rows_with_unique_ids(paths, "actors", "actor"):
            entry_id = r["id"]
            names = _split_names(r["names"])
            if not names:
                self.problem(path, line, "CB009", f"actor {entry_id!r} has no names")
            start = self.date(path, line, "valid_from", r.get("valid_from", ""))
            end = self.date(path, line, "valid_to", r.get("valid_to", ""))
            if start and end and start > end:
                self.problem(path, line, "CB005", f"inverted date range {start} > {end} for {entry_id!r}: valid_from is after "
                             "valid_to. Swapped columns?")
            out.append(ActorEntry(entry_id, r["code"], names, start, end, r.get("note", ""), self.rel(path), line))
        return tuple(out)

    def read_agents(self, path: Path) -> tuple[AgentEntry, ...]:
        out = []
        for line, r in self.unique(path, "agents", "id"):
            self.slug(path, line, r["id"])
            names = _split_names(r["names"])
            if not names:
                self.problem(path, line, "CB009", f"agent {r['id']!r} has no names; expected nouns separated by |")
            out.append(AgentEntry(r["id"], r["code"], names, r.get("note", ""), self.rel(path), line))
        return tuple(out)

    def read_discards(self, path: Path) -> tuple[Discard, ...]:
        out = []
        for line, r in self.unique(path, "discards", "id", required=False):
            self.slug(path, line, r["id"])
            if not r["phrase"]:
                self.problem(path, line, "CB009", f"discard {r['id']!r} has an empty phrase")
            out.append(Discard(r["id"], " ".join(r["phrase"].split()), r["scope"], r.get("note", ""), self.rel(path), line))
        return tuple(out)

    def read_cues(self, path: Path) -> tuple[Cue, ...]:
        out = []
        for line, r in self.unique(path, "cues", "id", required=False):
            self.slug(path, line, r["id"])
            cue = " ".join(r["cue"].split())
            if not cue or cue != cue.lower():
                self.problem(path, line, "CB009", f"cue {r['id']!r}: {r['cue']!r} must be non-empty lower-case words")
                continue
            out.append(Cue(r["id"], r["code"], cue, r.get("note", ""), self.rel(path), line))
        return tuple(out)

    def read_places(self, path: Path) -> tuple[PlaceEntry, ...]:
        out = []
        for line, r in self.unique(path, "places", "id", required=False):
            self.slug(path, line, r["id"])
            names = _split_names(r["names"])
            kind, country = r["kind"], r.get("country", "")
            if kind not in PLACE_KINDS:
                self.problem(path, line, "CB009", f"place {r['id']!r}: kind {kind!r}; expected one of {', '.join(PLACE_KINDS)}."
                             f"{did_you_mean(kind, PLACE_KINDS)}")
                continue
            if not names:
                self.problem(path, line, "CB009", f"place {r['id']!r} has no names")
                continue
            if (kind == "none") != (not country):
                self.problem(path, line, "CB009", f"place {r['id']!r}: " + (
                    "a name that is no place (kind none) takes no country" if country else
                    f"a {kind} needs its country (ISO 3166-1 alpha-3)"))
                continue
            numbers = [self.number(path, line, r, column, lo, hi) for column, lo, hi in
                       (("lat", -90, 90), ("lon", -180, 180), ("population", 0, 10**10), ("geonames_id", 1, 10**10))]
            if any(n is False for n in numbers):
                continue
            lat, lon, population, geonames_id = numbers
            if (lat is None) != (lon is None):
                self.problem(path, line, "CB009", f"place {r['id']!r}: give both lat and lon, or neither")
                continue
            out.append(PlaceEntry(r["id"], names, kind, country, r.get("adm1", ""), lat, lon, int(population or 0),
                                  int(geonames_id) if geonames_id is not None else None, r.get("note", ""), self.rel(path), line))
        return tuple(out)

    def number(self, path: Path, line: int, row: dict, column: str, lo: float, hi: float) -> float | None | bool:
        """A numeric cell between lo and hi: its value, None when empty, False (reported) when it is not one."""
        value = row.get(column, "")
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not lo <= number <= hi:
            self.problem(path, line, "CB009", f"{column} {value!r} of {row['id']!r}; expected a number from {lo} to {hi}")
            return False
        return number

    def read_gender(self, path: Path, people: set[str]) -> dict[str, str]:
        out = {}
        for line, r in self.unique(path, "gender", "person", required=False):
            if r["person"] not in people:
                self.problem(path, line, "CB021", f"gender given for {r['person']!r}, who is not an actor id (the part "
                             f"before '@').{did_you_mean(r['person'], sorted(people))}")
            if r["gender"] not in ("f", "m"):
                self.problem(path, line, "CB009", f"gender {r['gender']!r} of {r['person']!r}; expected f or m")
                continue
            out[r["person"]] = r["gender"]
        return out

    def read_plover(self, path: Path) -> dict[str, PloverMapping]:
        out = {}
        for line, r in self.unique(path, "plover", "code", required=False):
            if r["basis"] not in PLOVER_BASES:
                self.problem(path, line, "CB009", f"basis {r['basis']!r} of {r['code']!r}; expected one of "
                             f"{', '.join(PLOVER_BASES)}.{did_you_mean(r['basis'], PLOVER_BASES)}")
                continue
            contexts = tuple(c.strip() for c in r["plover_context"].split(";") if c.strip())
            out[r["code"]] = PloverMapping(r["code"], r["plover_event"], r["plover_mode"], contexts, r["basis"],
                                           r["note"], line)
        return out

    def read_plover_terms(self, path: Path, required: bool) -> dict[tuple[str, str, str], int]:
        out: dict[tuple[str, str, str], int] = {}
        for line, r in self.rows(path, "plover_vocabulary", required=required):
            key = (r["kind"], r["event"], r["value"])
            if r["kind"] not in PLOVER_KINDS:
                self.problem(path, line, "CB009", f"kind {r['kind']!r} of {r['value']!r}; expected one of "
                             f"{', '.join(PLOVER_KINDS)}.{did_you_mean(r['kind'], PLOVER_KINDS)}")
            elif not r["value"] or (r["kind"] != "context" and not r["event"]):
                self.problem(path, line, "CB009", f"a {r['kind']} needs a value" + ("" if r["kind"] == "context" else
                             " and the event type it belongs to"))
            elif key in out:
                self.problem(path, line, "CB001", f"duplicate PLOVER {r['kind']} {r['value']!r}; first at line {out[key]}")
            else:
                out[key] = line
        return out

    def rows_with_unique_ids(self, paths: list[Path], table: str, kind: str):
        """Rows of several files whose ids are unique across all of them; a repeated id is CB001 naming both lines."""
        seen: dict[str, str] = {}
        for path in paths:
            for line, r in self.rows(path, table):
                entry_id = r["id"]
                self.slug(path, line, entry_id)
                if entry_id in seen:
                    self.problem(path, line, "CB001", f"duplicate {kind} id {entry_id!r}; first defined at {seen[entry_id]}")
                    continue
                seen[entry_id] = f"{self.rel(path)}:{line}"
                yield path, line, r

    def slug(self, path: Path, line: int, entry_id: str) -> None:
        if not _ID_RE.match(entry_id):
            self.problem(path, line, "CB009", f"id {entry_id!r} must be a lower-case slug ([a-z0-9_.-], optional @period)")

    def check_root_files(self, verbs: Path, event_types: dict[str, EventType]) -> None:
        """Every root of event_codes.csv has its verb file (`verbs/NN_*.csv`), as the format requires: a deleted file
        would silently take a whole root's patterns away."""
        if not verbs.is_dir():
            return  # (reported once: no verb pattern files)
        present = {p.name[:2] for p in verbs.glob("[0-9][0-9]_*.csv")}
        for root in sorted(c for c in event_types if len(c) == 2):
            if root not in present:
                self.problem(verbs / f"{root}_*.csv", 0, "CB015", f"missing verb file for root {root} "
                             f"({event_types[root].name or 'see event_codes.csv'}): every root of event_codes.csv needs "
                             f"a file verbs/{root}_<name>.csv")

    def read_patterns(self, paths: list[Path]) -> tuple[VerbPattern, ...]:
        if not paths:
            self.problem(self.root / "verbs", 0, "CB015", "no verb pattern files (verbs/NN_*.csv)")
        out = []
        for path, line, r in self.rows_with_unique_ids(paths, "patterns", "pattern"):
            pid = r["id"]
            flags = tuple(sorted(f.strip() for f in r.get("flags", "").split(";") if f.strip()))
            out.append(VerbPattern(pid, r["code"], " ".join(r["pattern"].split()), flags, r.get("note", ""), self.rel(path), line))
        return tuple(out)

    def hash_files(self) -> tuple[tuple[str, str], ...]:
        if not self.root.is_dir():
            return ()
        files = []
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root)
            if rel.as_posix() == RELEASE_FILE:
                continue
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                files.append((path.relative_to(self.root).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()))
        return tuple(files)


def release_codebook(path: str | Path, day: dt.date) -> Codebook:
    """Mark the codebook at `path` as released on `day`: set `released` in codebook.toml and record the version and
    content hash in `release.toml`. Returns the codebook as released. The caller checks it first."""
    root = Path(path)
    toml = root / "codebook.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    stamp = f"released = {day.isoformat()}"
    at = next((i for i, line in enumerate(lines) if re.match(r"\s*released\s*=", line)), None)
    if at is not None:
        lines[at] = stamp
    else:
        version_at = next((i for i, line in enumerate(lines) if re.match(r"\s*version\s*=", line)), -1)
        lines.insert(version_at + 1, stamp)
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return write_release_record(root)


def write_release_record(path: str | Path) -> Codebook:
    """Record the codebook's current version and content hash in `release.toml`; return the codebook."""
    root = Path(path)
    codebook = read_codebook(root)
    (root / RELEASE_FILE).write_text(
        "# Written by `events codebook release`: the content this version was released with. A dataset built from files\n"
        "# that differ labels its rows <version>+<first 8 digits of their content hash>, and `events build` warns.\n"
        f'version = "{codebook.version}"\ncontent_hash = "{codebook.content_hash}"\n', encoding="utf-8")
    return read_codebook(root)


def _split_names(value: str) -> tuple[str, ...]:
    """Split a `|`-separated names cell, dropping empties and duplicates but keeping order.

    >>> _split_names("Iran| Islamic Republic of Iran ||Iran")
    ('Iran', 'Islamic Republic of Iran')
    """
    return tuple(dict.fromkeys(" ".join(n.split()) for n in value.split("|") if n.strip()))


def _date_hint(value: str) -> str:
    """A hint for a year-first date written loosely, or ''.

    >>> _date_hint("2021-8-3"), _date_hint("2021/08/03"), _date_hint("03/08/2021"), _date_hint("2021-02-30")
    (" Did you mean '2021-08-03'?", " Did you mean '2021-08-03'?", '', '')
    """
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", value.strip())
    if not m:
        return ""
    try:
        return f" Did you mean '{dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()}'?"
    except ValueError:
        return ""
