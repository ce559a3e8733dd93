"""Compare two codebooks entry by entry and say which semantic-version bump the difference requires.

Entries are matched by identity (event and actor-code tables by code; actors, agents, patterns, discards and
places by id; irregular verbs by lemma; rules by key), never by line, so moving or reordering rows is no change.
A change's bump follows the changelog's rule: removing an entry or changing what it codes is *major*,
adding an entry or a name (the coder finds more) is *minor*, text that does not change coding (labels,
notes, descriptions) is a *patch*. `DiffReport.check_bump()` compares that with the two versions, so CI can
refuse a release whose version is too small.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from events.codebook.records import Codebook, read_codebook
from events.codebook.compiler import compile_pattern
from events.codebook.validate import semver

BUMPS = ("none", "patch", "minor", "major")
TABLES = ("metadata", "rules", "event_codes", "countries", "types", "groups", "religions", "ethnic",
          "actors", "agents", "patterns", "irregular", "discards", "plover", "places")


@dataclass(frozen=True, slots=True)
class Change:
    table: str
    key: str
    kind: str  # "added" | "removed" | "changed"
    bump: str  # "patch" | "minor" | "major"
    detail: str
    where: str  # file[:line] in NEW, or in OLD for a removed entry

    def __str__(self) -> str:
        return f"{self.bump:<5}  {self.kind:<7}  {self.table} {self.key}: {self.detail} ({self.where})"


def required(bumps) -> str:
    """The largest of some bumps.

    >>> required(["patch", "major", "minor"]), required([])
    ('major', 'none')
    """
    return max(bumps, key=BUMPS.index, default="none")


def next_version(version: str, bump: str) -> str:
    """The smallest version after `version` that makes a `bump`.

    >>> next_version("1.4.2", "major"), next_version("1.4.2", "minor"), next_version("1.4.2", "patch")
    ('2.0.0', '1.5.0', '1.4.3')
    """
    major, minor, patch = semver(version) or (0, 0, 0)
    return {"major": f"{major + 1}.0.0", "minor": f"{major}.{minor + 1}.0", "patch": f"{major}.{minor}.{patch + 1}"}.get(bump, version)


@dataclass(frozen=True)
class DiffReport:
    old_path: str
    new_path: str
    old_name: str
    new_name: str
    old_version: str
    new_version: str
    changes: tuple[Change, ...]
    unreadable: tuple[str, ...] = ()  # problems that make a comparison meaningless (a missing folder or file)

    @property
    def required_bump(self) -> str:
        return required(c.bump for c in self.changes)

    @property
    def minimum_version(self) -> str:
        return next_version(self.old_version, self.required_bump)

    def check_bump(self) -> bool:
        """True when NEW's version is at least OLD's bumped as the changes require (equal when nothing changed)."""
        old, new = semver(self.old_version), semver(self.new_version)
        if old is None or new is None:
            return False
        return new >= semver(self.minimum_version)

    def ok(self, check_bump: bool = False) -> bool:
        return not self.unreadable and (not check_bump or self.check_bump())

    def counts(self) -> dict[str, int]:
        return {kind: sum(c.kind == kind for c in self.changes) for kind in ("added", "removed", "changed")}

    def summary(self) -> str:
        counts = ", ".join(f"{n} {kind}" for kind, n in self.counts().items())
        verdict = "ok" if self.check_bump() else "too small"
        need = f"requires a {self.required_bump} bump" if self.changes else "no changes"
        names = f"{self.old_name} {self.old_version} -> {self.new_version}" if self.old_name == self.new_name else \
            f"{self.old_name} {self.old_version} -> {self.new_name} {self.new_version}"
        return (f"{names}: {counts}; {need} "
                f"(at least {self.minimum_version}); {self.new_version or 'no version'} is {verdict}")

    def to_dict(self) -> dict:
        return {"old": {"path": self.old_path, "name": self.old_name, "version": self.old_version},
                "new": {"path": self.new_path, "name": self.new_name, "version": self.new_version},
                "required_bump": self.required_bump, "minimum_version": self.minimum_version,
                "bump_ok": self.check_bump(), "counts": self.counts(), "unreadable": list(self.unreadable),
                "changes": [asdict(c) for c in self.changes]}


def diff_codebooks(old_path: str | Path, new_path: str | Path) -> DiffReport:
    """Compare the codebook folders OLD and NEW (neither needs to validate, both must be readable)."""
    old, new = read_codebook(old_path), read_codebook(new_path)
    unreadable = tuple(str(p) for cb in (old, new) for p in cb.problems if p.code == "CB015" and p.severity == "error")
    changes: list[Change] = []
    for table in TABLES:
        changes.extend(_DIFFERS[table](old, new))
    order = {t: i for i, t in enumerate(TABLES)}
    changes.sort(key=lambda c: (order[c.table], c.key, c.kind, c.detail))
    return DiffReport(old.path.as_posix(), new.path.as_posix(), old.name, new.name, old.version, new.version,
                      tuple(changes), unreadable)


# -- per table ------------------------------------------------------------------------------------------
def _keyed(table: str, old: dict, new: dict, where, compare) -> list[Change]:
    """Added, removed and changed entries of two {key: entry} maps; `compare(a, b)` -> [(bump, detail)]."""
    out = []
    for key in sorted(set(old) | set(new)):
        if key not in new:
            out.append(Change(table, key, "removed", "major", "removed", where(old[key], key)))
        elif key not in old:
            out.append(Change(table, key, "added", "minor", "added", where(new[key], key)))
        else:
            found = compare(old[key], new[key])
            if found:
                out.append(Change(table, key, "changed", required(b for b, _ in found), "; ".join(d for _, d in found), where(new[key], key)))
    return out


def _field(name: str, a, b, bump: str) -> list[tuple[str, str]]:
    return [(bump, f"{name} {a!r} -> {b!r}")] if a != b else []


def _names(a: tuple[str, ...], b: tuple[str, ...]) -> list[tuple[str, str]]:
    """Removing a name loses matches (major); adding one finds more (minor); reordering is nothing.

    >>> _names(("Iran", "Persia"), ("Iran", "Iranian"))
    [('major', "names removed 'Persia'"), ('minor', "names added 'Iranian'")]
    """
    gone, added = [n for n in a if n not in b], [n for n in b if n not in a]
    out = []
    if gone:
        out.append(("major", "names removed " + ", ".join(map(repr, gone))))
    if added:
        out.append(("minor", "names added " + ", ".join(map(repr, added))))
    return out


def _dates(a_from, a_to, b_from, b_to) -> list[tuple[str, str]]:
    """Widening an entry's dates codes more (minor); narrowing or shifting them changes what was coded (major).

    >>> _dates(None, None, dt.date(2020, 1, 1), None)
    [('major', 'dates open..open -> 2020-01-01..open (narrowed)')]
    >>> _dates(dt.date(2020, 1, 1), dt.date(2021, 1, 1), dt.date(2020, 1, 1), None)
    [('minor', 'dates 2020-01-01..2021-01-01 -> 2020-01-01..open (widened)')]
    """
    if (a_from, a_to) == (b_from, b_to):
        return []
    lo, hi = dt.date.min, dt.date.max
    widened = (b_from or lo) <= (a_from or lo) and (b_to or hi) >= (a_to or hi)
    text = f"dates {a_from or 'open'}..{a_to or 'open'} -> {b_from or 'open'}..{b_to or 'open'}"
    return [("minor", f"{text} (widened)")] if widened else [("major", f"{text} ({'narrowed' if _within(a_from, a_to, b_from, b_to) else 'shifted'})")]


def _within(a_from, a_to, b_from, b_to) -> bool:
    lo, hi = dt.date.min, dt.date.max
    return (b_from or lo) >= (a_from or lo) and (b_to or hi) <= (a_to or hi)


def _moved(a_file: str, b_file: str) -> list[tuple[str, str]]:
    if a_file == b_file:
        return []
    people = a_file.endswith("people.csv") != b_file.endswith("people.csv")  # the coder treats people differently
    return [("major" if people else "patch", f"moved {a_file} -> {b_file}")]


def _diff_metadata(old: Codebook, new: Codebook) -> list[Change]:
    out = []
    where = "codebook.toml"
    if old.name != new.name:
        out.append(Change("metadata", "name", "changed", "major", f"name {old.name!r} -> {new.name!r}", where))
    if old.description != new.description:
        out.append(Change("metadata", "description", "changed", "patch", "description edited", where))
    if old.released != new.released:
        out.append(Change("metadata", "released", "changed", "patch", f"released {old.released} -> {new.released}", where))
    old_sources = {str(s.get("name", i)): s for i, s in enumerate(old.sources)}
    new_sources = {str(s.get("name", i)): s for i, s in enumerate(new.sources)}
    for change in _keyed("metadata", old_sources, new_sources, lambda e, k: where,
                         lambda a, b: [("patch", f"{k} edited") for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]):
        out.append(Change("metadata", f"sources.{change.key}", change.kind, "patch", change.detail, where))
    return out


def _diff_rules(old: Codebook, new: Codebook) -> list[Change]:
    out = []
    where = "codebook.toml"
    for key in sorted(set(old.rules) | set(new.rules)):
        a, b = old.rules.get(key), new.rules.get(key)
        if a == b:
            continue
        if isinstance(a or {}, dict) and isinstance(b or {}, dict):
            out.extend(Change("rules", f"{key}.{c.key}", c.kind, c.bump, c.detail, where)
                       for c in _keyed("rules", a or {}, b or {}, lambda e, k: where, lambda x, y: _field("maps to", x, y, "major")))
        elif isinstance(a or [], list) and isinstance(b or [], list):
            gone, added = [v for v in a or [] if v not in (b or [])], [v for v in b or [] if v not in (a or [])]
            out.extend(Change("rules", f"{key}.{v}", "removed", "major", "removed", where) for v in gone)
            out.extend(Change("rules", f"{key}.{v}", "added", "minor", "added", where) for v in added)
        else:
            kind = "added" if a is None else "removed" if b is None else "changed"
            out.append(Change("rules", key, kind, "major", f"{a!r} -> {b!r}", where))
    return out


_NAME_FILLER = frozenset("a an and as of or the to with such not specified below".split())


def _name_words(name: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z]+", name.lower()) if w not in _NAME_FILLER)


def _renamed(a: str, b: str) -> list[tuple[str, str]]:
    """An event code's new name: a reworded label is a *patch*; a name for another act is *major*.

    Two names name the same act when the words of one contain the other's or they share at least half of their
    content words (case, punctuation, "not specified below" and small words aside): otherwise the code's meaning,
    and every dataset coded with it, changes.

    >>> _renamed("Appeal to yield", "Appeal to yield, not specified below")
    [('patch', "name 'Appeal to yield' -> 'Appeal to yield, not specified below'")]
    >>> _renamed("Demand withdrawal", "Demand meeting, negotiation")[0][0]
    'major'
    """
    if a == b:
        return []
    wa, wb = _name_words(a), _name_words(b)
    same_act = bool(wa and wb) and (wa <= wb or wb <= wa or len(wa & wb) * 2 >= len(wa | wb))
    return [("patch" if same_act else "major", f"name {a!r} -> {b!r}" + ("" if same_act else " (another act: the code's meaning changed)"))]


def _diff_event_codes(old: Codebook, new: Codebook) -> list[Change]:
    def compare(a, b):
        return (_renamed(a.name, b.name) + _field("gdelt_name", a.gdelt_name, b.gdelt_name, "patch") + _field("root_code", a.root_code, b.root_code, "major")
                + _field("base_code", a.base_code, b.base_code, "major") + _field("quad_class", a.quad_class, b.quad_class, "major")
                + _field("goldstein", a.goldstein, b.goldstein, "major"))

    return _keyed("event_codes", old.event_types, new.event_types, lambda e, k: f"event_codes.csv:{e.line}", compare)


def _code_table(table: str, file: str, second: str | None):
    def differ(old: Codebook, new: Codebook) -> list[Change]:
        def compare(a, b):
            if second is None:
                return _field("label", a, b, "patch")
            iso = _field("iso3", a[2], b[2], "patch") if len(a) > 2 else []  # ISO codes label rows; they do not code
            return _field("label", a[0], b[0], "patch") + _field(second, a[1], b[1], "major") + iso

        return _keyed(table, getattr(old, table), getattr(new, table), lambda e, k: f"actor_codes/{file}", compare)

    return differ


def _diff_actors(old: Codebook, new: Codebook) -> list[Change]:
    def compare(a, b):
        return (_field("code", a.code, b.code, "major") + _names(a.names, b.names)
                + _dates(a.valid_from, a.valid_to, b.valid_from, b.valid_to) + _field("note", a.note, b.note, "patch")
                + _moved(a.file, b.file))

    return _keyed("actors", {a.id: a for a in old.actors}, {a.id: a for a in new.actors}, lambda e, k: f"{e.file}:{e.line}", compare)


def _diff_agents(old: Codebook, new: Codebook) -> list[Change]:
    def compare(a, b):
        return _field("code", a.code, b.code, "major") + _names(a.names, b.names) + _field("note", a.note, b.note, "patch")

    return _keyed("agents", {a.id: a for a in old.agents}, {a.id: a for a in new.agents}, lambda e, k: f"{e.file}:{e.line}", compare)


def _parsed(pattern, irregular) -> tuple | str:
    try:
        c = compile_pattern(pattern.id, pattern.code, pattern.pattern, pattern.flags, irregular)
        return (c.head, c.elements)
    except ValueError:
        return pattern.pattern


def _diff_patterns(old: Codebook, new: Codebook) -> list[Change]:
    def compare(a, b):
        out = _field("code", a.code, b.code, "major")
        if a.pattern != b.pattern:  # a case or spacing edit parses the same: it codes the same
            same = _parsed(a, old.irregular) == _parsed(b, new.irregular)
            out += _field("pattern", a.pattern, b.pattern, "patch" if same else "major")
        return out + _field("flags", ";".join(a.flags), ";".join(b.flags), "major") + _field("note", a.note, b.note, "patch") + _moved(a.file, b.file)

    return _keyed("patterns", {p.id: p for p in old.patterns}, {p.id: p for p in new.patterns}, lambda e, k: f"{e.file}:{e.line}", compare)


def _diff_irregular(old: Codebook, new: Codebook) -> list[Change]:
    return _keyed("irregular", old.irregular, new.irregular, lambda e, k: "verbs/irregular.csv",
                  lambda a, b: _field("forms", "|".join(a), "|".join(b), "major"))


def _diff_discards(old: Codebook, new: Codebook) -> list[Change]:
    def compare(a, b):
        return (_field("phrase", a.phrase, b.phrase, "major") + _field("scope", a.scope, b.scope, "major")
                + _field("note", a.note, b.note, "patch"))

    return _keyed("discards", {d.id: d for d in old.discards}, {d.id: d for d in new.discards}, lambda e, k: f"{e.file}:{e.line}", compare)


def _diff_plover(old: Codebook, new: Codebook) -> list[Change]:
    """A changed PLOVER event, mode or context changes the plover_* columns of datasets (major); notes are a patch."""
    def compare(a, b):
        return (_field("plover_event", a.event, b.event, "major") + _field("plover_mode", a.mode, b.mode, "major")
                + _field("plover_context", ";".join(a.contexts), ";".join(b.contexts), "major")
                + _field("basis", a.basis, b.basis, "patch") + _field("note", a.note, b.note, "patch"))

    return _keyed("plover", old.plover, new.plover, lambda e, k: f"plover.csv:{e.line}", compare)


def _diff_places(old: Codebook, new: Codebook) -> list[Change]:
    def compare(a, b):
        out = _field("kind", a.kind, b.kind, "major") + _field("country", a.country, b.country, "major") + _names(a.names, b.names)
        for name in ("adm1", "lat", "lon", "population", "geonames_id"):  # where a place is, or which wins a name
            out += _field(name, getattr(a, name), getattr(b, name), "major")
        return out + _field("note", a.note, b.note, "patch")

    return _keyed("places", {p.id: p for p in old.places}, {p.id: p for p in new.places}, lambda e, k: f"{e.file}:{e.line}", compare)


_DIFFERS = {
    "metadata": _diff_metadata,
    "rules": _diff_rules,
    "event_codes": _diff_event_codes,
    "countries": _code_table("countries", "countries.csv", "kind"),
    "types": _code_table("types", "types.csv", "class"),
    "groups": _code_table("groups", "groups.csv", None),
    "religions": _code_table("religions", "religions.csv", None),
    "ethnic": _code_table("ethnic", "ethnic.csv", None),
    "actors": _diff_actors,
    "agents": _diff_agents,
    "patterns": _diff_patterns,
    "irregular": _diff_irregular,
    "discards": _diff_discards,
    "plover": _diff_plover,
    "places": _diff_places,
}
