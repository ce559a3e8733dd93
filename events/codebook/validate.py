"""Semantic checks of a codebook: everything `read_codebook` cannot see one file at a time.

`validate_codebook(path)` returns a report listing every problem, sorted by file and line; the CLI only
renders it. `load_codebook` refuses a codebook with errors, so a typo never silently changes a dataset.
Warnings (a leader still in office after many years, a name two entries share) point at entries worth a
second look but do not stop a build. Nothing here reads the clock: a check that depends on a date counts from the
codebook's own `released` date, so the same files validate the same way forever.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from events.codebook.records import RELEASE_FILE, ActorEntry, Codebook, read_codebook
from events.codebook.compiler import (FLAGS, _literal_tokens, GAP, MAX_GAP, SLOT, CompiledPattern, compile_pattern,
                                      plural, verb_forms)
from events.problems import Problem
from events.problems import did_you_mean as _difflib_hint

SEMVER_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
QUAD_BY_ROOT = {**{f"{r:02d}": 1 for r in range(1, 6)}, **{f"{r:02d}": 2 for r in range(6, 10)},
                **{f"{r:02d}": 3 for r in range(10, 15)}, **{f"{r:02d}": 4 for r in range(15, 21)}}
INTERNATIONAL_TYPES = frozenset(["IGO", "NGO", "IMG", "INT", "MNC", "NGM", "UIS"])
KNOWN_FLAGS = frozenset(FLAGS)
DISCARD_SCOPES = frozenset(["sentence", "document"])
STALE_ROLE_YEARS = 12  # an open-ended role of a person older than this is probably over
CHECKED_RE = re.compile(r"\bchecked:? (\d{4}-\d{2}-\d{2})")  # in an actor's note: role confirmed on that day
CHANGELOG_HEADING_RE = re.compile(r"^##\s*\[?v?([^\s\]]+)\]?(?:\s|$)")


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
    """Check the codebook at `path` (default: the bundled one)."""
    codebook = read_codebook(path)
    problems = list(codebook.problems) + semantic_problems(codebook)
    return ValidationReport(codebook.path.as_posix(), tuple(sorted(set(problems))), codebook.name, codebook.version)


def semantic_problems(cb: Codebook, thorough: bool = True) -> list[Problem]:
    """Problems that need the whole codebook. `thorough=False` (used when loading for a build) skips the
    slow analyses that cannot change coding silently: pattern shadowing and the stale-role warning, which counts
    from the codebook's `released` date; patterns that do not parse are then reported by `compile_codebook`."""
    out: list[Problem] = []
    root = cb.path

    def add(rel: str, line: int, code: str, message: str, severity: str = "error") -> None:
        out.append(Problem((root / rel).as_posix(), line, code, message, severity))

    _check_version(cb, add)
    _check_release(cb, add)
    _check_rules(cb, add)
    _check_event_types(cb, add)
    if thorough:
        _check_countries(cb, add)
    _check_actors(cb, add, cb.released if thorough else None)
    _check_agents(cb, add)
    _check_patterns(cb, add, thorough)
    _check_discards(cb, add)
    _check_cues(cb, add)
    _check_plover(cb, add)
    _check_places(cb, add)
    return out


def did_you_mean(value: str, choices) -> str:
    """A ' Did you mean …?' hint preferring codes one typo away (a swap or a wrong letter), then difflib's guess.

    >>> did_you_mean("GVO", ["GOV", "IGO"]), did_you_mean("GOB", ["IGO", "GOV"]), did_you_mean("0400", ["040", "100"])
    (" Did you mean 'GOV'?", " Did you mean 'GOV'?", " Did you mean '040'?")
    """
    choices = sorted(choices)
    for choice in choices:
        if len(choice) == len(value) and (sorted(choice) == sorted(value) and sum(a != b for a, b in zip(choice, value)) == 2
                                          or sum(a != b for a, b in zip(choice, value)) == 1):
            return f" Did you mean '{choice}'?"
    return _difflib_hint(value, choices)


# -- metadata -----------------------------------------------------------------------------------------
def semver(version: str) -> tuple[int, int, int] | None:
    """(major, minor, patch) of a semantic version, or None.

    >>> semver("1.10.0"), semver("1.0"), semver("2.0.0-rc.1")
    ((1, 10, 0), None, (2, 0, 0))
    """
    m = SEMVER_RE.match(version)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _check_version(cb: Codebook, add) -> None:
    if cb.version and not SEMVER_RE.match(cb.version):
        add("codebook.toml", _line_of(cb.path / "codebook.toml", "version"), "CB013",
            f"version {cb.version!r} is not semantic versioning; expected MAJOR.MINOR.PATCH, e.g. '1.0.0'")
    changelog = cb.path / "CHANGELOG.md"
    if not changelog.is_file():
        add("CHANGELOG.md", 0, "CB015", "missing CHANGELOG.md; expected a '## <version>' section per version, newest first")
        return
    raw = changelog.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        add("CHANGELOG.md", 0, "CB009", f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})")
    headings = [(number, m.group(1)) for number, text in enumerate(raw.decode("utf-8", "replace").splitlines(), 1)
                if (m := CHANGELOG_HEADING_RE.match(text))]
    if not cb.version:
        return
    if cb.version not in {v for _, v in headings}:
        newest = f" (the newest entry is '## {headings[0][1]}' at line {headings[0][0]})" if headings else ""
        add("CHANGELOG.md", 0, "CB014", f"no entry '## {cb.version}' for the current version{newest}; "
            "add one saying what changed")
        return
    current = semver(cb.version)
    for number, version in headings:
        if current and (other := semver(version)) and other > current:
            add("CHANGELOG.md", number, "CB014", f"entry '## {version}' is newer than the codebook version {cb.version!r} "
                "in codebook.toml; bump the version or fix the heading")
    seen: dict[str, int] = {}
    for number, version in headings:
        if version in seen:
            add("CHANGELOG.md", number, "CB001", f"duplicate changelog entry '## {version}'; first at line {seen[version]}")
        seen.setdefault(version, number)


def _check_release(cb: Codebook, add) -> None:
    """The release bookkeeping: a `released` date (what date-dependent checks count from) and a release record
    whose content is these files (else datasets label their rows `version+hash`)."""
    if cb.released is None and (cb.path / "codebook.toml").is_file() and not any(p.code == "CB022" for p in cb.problems):
        add("codebook.toml", 0, "CB022", "no 'released' date: the stale-role check (CB019) counts from it and is skipped; "
            "`events codebook release` sets it", "warning")
    reason = cb.unreleased
    if reason is not None and cb.version:
        add(RELEASE_FILE, 0, "CB022", f"{reason}: datasets built with these files label their rows {cb.label!r}. When this "
            f"version is final, bump the version if it was published, add its CHANGELOG entry and run "
            "`events codebook release`", "warning")


def _check_countries(cb: Codebook, add) -> None:
    """Every ISO 3166-1 alpha-3 code the country table gives must exist (pycountry's copy of the standard)."""
    import pycountry

    path = cb.path / "actor_codes" / "countries.csv"
    try:  # (a missing or undecodable table is reported where it is loaded; here it only gives line numbers)
        content = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        content = ""
    lines = {text.split(",", 1)[0]: number for number, text in enumerate(content.splitlines(), 1)}
    for code, (_, _, iso3) in sorted(cb.countries.items()):
        if iso3 and pycountry.countries.get(alpha_3=iso3) is None:
            add("actor_codes/countries.csv", lines.get(code, 0), "CB023",
                f"iso3 {iso3!r} of {code!r} is not an ISO 3166-1 alpha-3 code in pycountry's copy of the standard; "
                "leave it empty where the standard has none", "warning")


def _check_places(cb: Codebook, add) -> None:
    """places.csv: each country an ISO 3166-1 alpha-3 code (CB023); no name in two rows (CB001: which row would win?)."""
    import pycountry

    seen: dict[str, tuple[str, int]] = {}
    for place in cb.places:
        if place.country and pycountry.countries.get(alpha_3=place.country) is None:
            add(place.file, place.line, "CB023", f"place {place.id!r}: country {place.country!r} is not an ISO 3166-1 "
                "alpha-3 code in pycountry's copy of the standard")
        for name in place.names:
            key = " ".join(name.lower().split())
            if key in seen:
                add(place.file, place.line, "CB001", f"place name {name!r} of {place.id!r} is also a name of "
                    f"{seen[key][0]!r} ({place.file}:{seen[key][1]}); a name stands for one place")
            else:
                seen[key] = (place.id, place.line)


def _rule_tables(cb: Codebook, rules: tuple[str, ...], shape: str, add):
    """(rule, line, table) for each of `rules` the codebook sets as a table; a rule of another type is CB009."""
    path = cb.path / "codebook.toml"
    for rule in rules:
        table = cb.rules.get(rule)
        if table is None:
            continue
        line = _line_of(path, rule)
        if not isinstance(table, dict):
            add("codebook.toml", line, "CB009", f"[rules -> {rule}] must be a table of {shape}")
            continue
        yield rule, line, table


def _check_rules(cb: Codebook, add) -> None:
    """Rules map roots to codes; every code they name must exist, or a grammar rule silently codes nothing."""
    path = cb.path / "codebook.toml"
    codes = cb.event_types
    roots = sorted(c for c in codes if len(c) == 2)
    for rule, line, table in _rule_tables(cb, ("future_intent", "negated"), "root = code", add):
        for root, code in sorted(table.items()):
            if root not in codes or len(root) != 2:
                add("codebook.toml", line, "CB002", f"[rules -> {rule} -> {root}] names unknown root code {root!r}; "
                    f"expected a two-digit root from event_codes.csv.{did_you_mean(root, roots)}")
            keep_ok = rule == "future_intent" and code == "="
            if not isinstance(code, str) or (not keep_ok and code not in codes):
                keep = " or '=' (keep the pattern's code)" if rule == "future_intent" else ""
                add("codebook.toml", line, "CB002", f"[rules -> {rule} -> {root}] maps to unknown event code {code!r}; "
                    f"expected a code from event_codes.csv{keep}.{did_you_mean(str(code), codes)}")
    for key in ("refusal_verbs", "reporting_verbs"):
        verbs = cb.rules.get(key)
        if verbs is not None and (not isinstance(verbs, list) or not all(isinstance(v, str) and v and " " not in v for v in verbs)):
            add("codebook.toml", _line_of(path, key), "CB009", f"[rules -> {key}] must be a list of single verbs")
    for key in ("place_prepositions", "border_nouns", "border_prepositions"):
        words = cb.rules.get(key)
        if words is not None and (not isinstance(words, list) or not all(isinstance(w, str) and w == w.lower() and w
                                                                          and " " not in w for w in words)):
            add("codebook.toml", _line_of(path, key), "CB009", f"[rules -> {key}] must be a list of single lower-case words")
    roles = sorted(cb.types)
    for rule, line, table in _rule_tables(cb, ("agentless_passive", "unnamed_people", "implied_targets"), "code = role", add):
        for key, role in sorted(table.items()):
            if not any(c.startswith(key) for c in codes):
                add("codebook.toml", line, "CB002", f"[rules -> {rule} -> {key}] is no event code or code prefix."
                    f"{did_you_mean(key, sorted(codes))}")
            if not (role in cb.types or (rule == "implied_targets" and role == "")):
                add("codebook.toml", line, "CB003", f"[rules -> {rule} -> {key}] = {role!r} is not a role code from "
                    f"actor_codes/types.csv.{did_you_mean(str(role), roles)}")
    for rule in ("domestic_roles", "no_context_roles", "audience_roles"):
        for role in cb.rules.get(rule, ()):
            if role not in cb.types:
                add("codebook.toml", _line_of(path, rule), "CB003", f"[rules -> {rule}] names {role!r}, not a role code "
                    f"from actor_codes/types.csv.{did_you_mean(str(role), roles)}")
    for key in ("statement_code", "obligation_code"):
        code = cb.rules.get(key)
        if code is not None and codes and code not in codes:
            add("codebook.toml", _line_of(path, key), "CB002", f"[rules -> {key}] is {code!r}, not a code in event_codes.csv."
                f"{did_you_mean(str(code), codes)}")
    for key in ("max_event_age_days", "role_grace_days"):
        value = cb.rules.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            add("codebook.toml", _line_of(path, key), "CB009", f"[rules -> {key}] is {value!r}; expected a whole number >= 0")


# -- event types ----------------------------------------------------------------------------------------
def _check_event_types(cb: Codebook, add) -> None:
    for code, et in cb.event_types.items():
        if not et.name:
            add("event_codes.csv", et.line, "CB009", f"event code {code!r} has an empty name")
        if not -10.0 <= et.goldstein <= 10.0:
            add("event_codes.csv", et.line, "CB010", f"goldstein {et.goldstein} of {code!r} is outside [-10, 10]")
        if et.root_code != code[:2] or et.base_code != code[:3]:
            add("event_codes.csv", et.line, "CB009",
                f"{code!r} has root {et.root_code!r} and base {et.base_code!r}; expected {code[:2]!r} and {code[:3]!r}")
        expected = QUAD_BY_ROOT.get(code[:2])
        if expected is None:
            add("event_codes.csv", et.line, "CB002", f"{code!r} has root {code[:2]!r}; CAMEO roots are 01-20")
        elif et.quad_class != expected:
            add("event_codes.csv", et.line, "CB011",
                f"quad class {et.quad_class} of {code!r} is inconsistent with root {code[:2]}; expected {expected}")
        parent = code[:-1] if len(code) > 2 else None
        if parent and parent not in cb.event_types:
            add("event_codes.csv", et.line, "CB012", f"code {code!r} has no parent {parent!r}; add {parent!r} or fix the code")


# -- actors ---------------------------------------------------------------------------------------------
def valid_actor_code(code: str, cb: Codebook) -> str | None:
    """None when `code` is a valid CAMEO actor code sequence, else the reason (with a hint)."""
    if not code or len(code) % 3 or not re.fullmatch(r"[A-Za-z]+", code):
        return "must be a sequence of 3-letter codes"
    chunks = [code[i : i + 3] for i in range(0, len(code), 3)]
    first, rest = chunks[0], chunks[1:]
    if first not in cb.countries and first not in cb.types and first not in cb.groups:
        return (f"{first!r} is not a country, region, type or group code"
                f".{did_you_mean(first, set(cb.countries) | set(cb.types) | set(cb.groups))}")
    for chunk in rest:
        if chunk not in cb.types and chunk not in cb.groups and chunk not in cb.religions and chunk not in cb.ethnic:
            known = set(cb.types) | set(cb.groups) | set(cb.religions) | set(cb.ethnic)
            return f"{chunk!r} is not a type, role, group, religion or ethnic code.{did_you_mean(chunk, known)}"
    return None


def _is_person(actor: ActorEntry) -> bool:
    return "@" in actor.id or actor.file.endswith("people.csv")


def _overlaps(a: ActorEntry, b: ActorEntry) -> bool:
    return ((a.valid_from or dt.date.min) <= (b.valid_to or dt.date.max)
            and (b.valid_from or dt.date.min) <= (a.valid_to or dt.date.max))


def _name_key(name: str) -> tuple[str, ...]:
    """The trie path a name is matched by: its lower-case tokens.

    >>> _name_key("Islamic  Republic of IRAN")
    ('islamic', 'republic', 'of', 'iran')
    """
    return tuple(t for word in name.split() for t in _literal_tokens(word))  # the compiler's own split


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _check_actors(cb: Codebook, add, today: dt.date | None) -> None:
    periods: dict[str, list[ActorEntry]] = {}
    by_name: dict[tuple[str, ...], list[tuple[ActorEntry, str]]] = {}
    for a in cb.actors:
        reason = valid_actor_code(a.code, cb)
        if reason:
            add(a.file, a.line, "CB003", f"invalid actor code {a.code!r} for {a.id!r}: {reason}")
        if "@" in a.id:
            periods.setdefault(a.id.split("@")[0], []).append(a)
        if today is not None and _is_person(a) and a.valid_from and not a.valid_to:
            checked = max([a.valid_from, *(dt.date.fromisoformat(d) for d in CHECKED_RE.findall(a.note) if _is_date(d))])
            if (today - checked).days > STALE_ROLE_YEARS * 365.25:
                add(a.file, a.line, "CB019", f"open-ended role of {a.id!r} ({a.code}) started in {a.valid_from.year}; still in "
                    "office? Set valid_to, or write 'checked YYYY-MM-DD' in the note", "warning")
        for name in a.names:
            by_name.setdefault(_name_key(name), []).append((a, name))
    for person, entries in sorted(periods.items()):
        ordered = sorted(entries, key=lambda e: (e.valid_from or dt.date.min, e.line))
        for prev, cur in zip(ordered, ordered[1:]):
            if prev.valid_to is None or cur.valid_from is None or cur.valid_from <= prev.valid_to:
                until = prev.valid_to.isoformat() if prev.valid_to else "open end"
                add(cur.file, cur.line, "CB006", f"role {cur.id!r} (from {cur.valid_from or 'open start'}) overlaps {prev.id!r} "
                    f"(until {until}, {prev.file}:{prev.line}) of the same person {person!r}; end one period before the next starts")
    for key, uses in sorted(by_name.items()):
        for i, (a, name) in enumerate(uses):
            clash = next((b for b, _ in uses[:i] if b.code != a.code and _overlaps(a, b)), None)
            if clash is not None:
                add(a.file, a.line, "CB018", f"name {name!r} of {a.id!r} ({a.code}) is also a name of {clash.id!r} ({clash.code}, "
                    f"{clash.file}:{clash.line}) on overlapping dates; the coder would pick one silently. "
                    "Remove it from one entry or make the dates disjoint", "warning")


def _check_agents(cb: Codebook, add) -> None:
    roles = sorted(cb.types)
    by_name: dict[tuple[str, ...], tuple] = {}
    for agent in cb.agents:
        if agent.code not in cb.types:
            add(agent.file, agent.line, "CB003",
                f"agent {agent.id!r} has code {agent.code!r}, not a type/role code from actor_codes/types.csv.{did_you_mean(agent.code, roles)}")
        for name in agent.names:
            key = _name_key(name)
            if key in by_name and by_name[key][0].code != agent.code:
                other, _ = by_name[key]
                add(agent.file, agent.line, "CB018", f"agent name {name!r} of {agent.id!r} ({agent.code}) is also a name of "
                    f"{other.id!r} ({other.code}, {other.file}:{other.line}); the coder would pick one silently", "warning")
            by_name.setdefault(key, (agent, name))


def _check_discards(cb: Codebook, add) -> None:
    seen: dict[tuple[str, ...], object] = {}
    for d in cb.discards:
        if d.scope not in DISCARD_SCOPES:
            add(d.file, d.line, "CB009", f"discard {d.id!r} has scope {d.scope!r}; expected one of "
                f"{', '.join(sorted(DISCARD_SCOPES))}.{did_you_mean(d.scope, DISCARD_SCOPES)}")
        key = _name_key(d.phrase)
        if key in seen:
            first = seen[key]
            add(d.file, d.line, "CB001", f"duplicate discard phrase {d.phrase!r} ({d.id}); first defined as {first.id!r} at line {first.line}")
        else:
            seen[key] = d


# -- verb patterns ----------------------------------------------------------------------------------------
def subsumes(general: tuple[str, ...], specific: tuple[str, ...]) -> bool:
    """True when a pattern with elements `general` matches at a head token wherever one with `specific` does.

    Mirrors `coder._match_pattern`: literals must be equal; a trailing slot always matches (the target may
    come later in the clause); a gap takes 0-5 word tokens up to the first occurrence of the next literal.
    Conservative: when unsure (a slot inside a gap), the answer is False, so no pattern is wrongly reported.

    >>> subsumes((), ("with", "+"))
    True
    >>> subsumes(("+",), ("+", "of")), subsumes(("+", "of"), ("+",))
    (True, False)
    >>> subsumes(("...", "sanctions", "on"), ("new", "economic", "sanctions", "on", "+"))
    True
    >>> subsumes(("...", "on"), ("+", "on"))
    False
    """
    if not general:
        return True
    first, rest = general[0], general[1:]
    if first == SLOT:
        if not rest:
            return True
        return bool(specific) and specific[0] == SLOT and subsumes(rest, specific[1:])
    if first == GAP:
        target = rest[0]
        if specific and specific[0] == GAP:
            return len(specific) > 1 and specific[1] == target and subsumes(rest[1:], specific[2:])
        for skip in range(MAX_GAP + 1):
            if skip >= len(specific):
                return False
            token = specific[skip]
            if token == target:
                return subsumes(rest[1:], specific[skip + 1 :])
            if token in (SLOT, GAP) or not token[0].isalnum():
                return False
        return False
    return bool(specific) and specific[0] == first and subsumes(rest, specific[1:])


def head_forms(p: CompiledPattern, irregular) -> tuple[str, ...]:
    """The surface forms a pattern is indexed under, exactly as `compiler.compile_codebook` does."""
    return (p.head, plural(p.head)) if p.is_noun else verb_forms(p.head, irregular)


def _check_cues(cb: Codebook, add) -> None:
    codes = sorted(cb.event_types)
    seen: dict[str, str] = {}
    for c in cb.cues:
        if cb.event_types and c.code not in cb.event_types:
            add(c.file, c.line, "CB002", f"unknown event code {c.code!r} in cue {c.cue!r}; expected a code from "
                f"event_codes.csv.{did_you_mean(c.code, codes)}")
        if not c.id.startswith(c.code + "."):
            add(c.file, c.line, "CB009", f"cue id {c.id!r} should start with its code '{c.code}.'", "warning")
        if c.cue in seen:
            add(c.file, c.line, "CB008", f"cue {c.cue!r} ({c.id}) can never fire: {seen[c.cue]} has the same words")
        seen.setdefault(c.cue, f"{c.id} ({c.file}:{c.line})")


def _check_plover(cb: Codebook, add) -> None:
    """plover.csv, when the codebook has one: every event code mapped to PLOVER terms that exist, or to none with a
    reason (CB025); every term in plover_vocabulary.csv (CB026)."""
    if not cb.plover:
        return
    rel = "plover.csv"
    for code, et in sorted(cb.event_types.items()):
        if code not in cb.plover:
            add(rel, 0, "CB025", f"event code {code!r} ({et.name}) has no PLOVER mapping; add a row '{code},EVENT,mode,"
                "context,basis,note' (basis none, with the reason in the note, when PLOVER has no such event)")
    terms = cb.plover_terms
    if not terms:
        return  # (no plover_vocabulary.csv: CB015 says it once)
    events = sorted(e for kind, e, _ in terms if kind == "event")
    contexts = sorted(v for kind, _, v in terms if kind == "context")
    for code, m in sorted(cb.plover.items()):
        if cb.event_types and code not in cb.event_types:
            add(rel, m.line, "CB002", f"{code!r} is not a code in event_codes.csv.{did_you_mean(code, cb.event_types)}")
        if m.basis == "none":
            if m.event or m.mode or m.contexts:
                add(rel, m.line, "CB025", f"{code!r} has basis none but names PLOVER terms; empty them or give the basis")
            if not m.note:
                add(rel, m.line, "CB025", f"{code!r} has no PLOVER event and no note; say why PLOVER has none")
            continue
        if not m.event:
            add(rel, m.line, "CB025", f"{code!r} has basis {m.basis} but no plover_event; name one, or use basis none "
                "with the reason")
        elif ("event", m.event, m.event) not in terms:
            add(rel, m.line, "CB026", f"{m.event!r} of {code!r} is not a PLOVER event type in plover_vocabulary.csv."
                f"{did_you_mean(m.event, events)}")
        elif m.mode and ("mode", m.event, m.mode) not in terms:
            modes = sorted(v for kind, e, v in terms if kind == "mode" and e == m.event)
            add(rel, m.line, "CB026", f"mode {m.mode!r} of {code!r} is not a mode of {m.event}; expected one of "
                f"{', '.join(modes) or '(none: leave it empty)'}.{did_you_mean(m.mode, modes)}")
        for context in m.contexts:
            if ("context", "", context) not in terms:
                add(rel, m.line, "CB026", f"context {context!r} of {code!r} is not a PLOVER context in "
                    f"plover_vocabulary.csv.{did_you_mean(context, contexts)}")
        if m.basis != "table" and not m.note:
            add(rel, m.line, "CB025", f"{code!r} has basis {m.basis} and no note; say what the source wrote, or why")


def _check_patterns(cb: Codebook, add, thorough: bool = True) -> None:
    codes = sorted(cb.event_types)
    compiled: list[tuple[CompiledPattern, object]] = []
    for p in cb.patterns:
        if cb.event_types and p.code not in cb.event_types:  # (without event_codes.csv, CB015 says it once)
            add(p.file, p.line, "CB002", f"unknown event code {p.code!r} in pattern {p.pattern!r}; "
                f"expected a code from event_codes.csv.{did_you_mean(p.code, codes)}")
        bad = sorted(set(p.flags) - KNOWN_FLAGS)
        if bad:
            hints = "".join(did_you_mean(f, KNOWN_FLAGS) for f in bad)
            add(p.file, p.line, "CB017", f"unknown flag(s) {', '.join(bad)} in {p.id!r}; expected {', '.join(sorted(KNOWN_FLAGS))}.{hints}")
            continue
        if not thorough:
            continue
        try:
            c = compile_pattern(p.id, p.code, p.pattern, p.flags, cb.irregular)
        except ValueError as exc:
            add(p.file, p.line, "CB007", f"pattern {p.pattern!r} ({p.id}) does not parse: {exc}")
            continue
        if not p.id.startswith(p.code + "."):
            add(p.file, p.line, "CB009", f"pattern id {p.id!r} should start with its code '{p.code}.'", "warning")
        compiled.append((c, p))
    if thorough:
        _check_shadowing(compiled, cb.irregular, add)


def _check_shadowing(compiled: list[tuple[CompiledPattern, object]], irregular, add) -> None:
    """A pattern can never fire when, at every form of its head, an earlier-tried pattern matches wherever it does.

    The coder tries `verb_index[form]` in (-specificity, id) order and keeps the first match, so this is exact
    for the order and conservative (via `subsumes`) for the matching.
    """
    by_form: dict[str, list[tuple[CompiledPattern, object]]] = {}
    forms_of: dict[str, tuple[str, ...]] = {}
    for c, p in compiled:
        forms_of[c.id] = head_forms(c, irregular)
        for form in forms_of[c.id]:
            by_form.setdefault(form, []).append((c, p))
    for entries in by_form.values():
        entries.sort(key=lambda e: (-e[0].specificity, e[0].id))
    for c, p in compiled:
        winners = []
        for form in sorted(forms_of[c.id], key=lambda f: f != c.head):  # the head's own form first, for the message
            winner = None
            for other, q in by_form[form]:
                if other.id == c.id:
                    break
                if subsumes(other.elements, c.elements):
                    winner = (other, q)
                    break
            if winner is None:
                break
            winners.append(winner)
        else:
            other, q = winners[0]
            if (other.head, other.elements, other.flags, other.code) == (c.head, c.elements, c.flags, c.code):
                add(p.file, p.line, "CB001", f"duplicate pattern {p.pattern!r} ({p.id}); identical to {q.id} at {q.file}:{q.line}. Remove one")
            elif (other.head, other.elements) == (c.head, c.elements):
                add(p.file, p.line, "CB008", f"pattern {p.pattern!r} ({p.id}, code {p.code}) can never fire: it is identical to "
                    f"{q.pattern!r} ({q.id}, code {q.code}, {q.file}:{q.line}), which is tried first. Remove one")
            elif other.code != c.code:
                add(p.file, p.line, "CB008", f"pattern {p.pattern!r} ({p.id}, code {p.code}) can never fire: {q.pattern!r} ({q.id}, "
                    f"code {q.code}, {q.file}:{q.line}) is tried first and matches wherever it does. Remove one, or add a "
                    "literal word to this one so it is tried first")
            else:  # same code: nothing is lost but the entry, and any flags it differs in
                lost = f"; its flags ({', '.join(sorted(c.flags)) or 'none'}) never apply" if other.flags != c.flags else ""
                add(p.file, p.line, "CB008", f"pattern {p.pattern!r} ({p.id}) can never fire: {q.pattern!r} ({q.id}, {q.file}:{q.line}) "
                    f"is tried first and matches wherever it does{lost}. Remove it", "warning")


def _line_of(path: Path, key: str) -> int:
    if not path.is_file():
        return 0
    for number, text in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if re.match(rf"\s*{re.escape(key)}\s*=", text):
            return number
    return 0
