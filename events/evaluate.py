"""Measure the coder against reference codings: precision, recall and F1 at three levels, per root code, and dates.

Why a module of its own: accuracy is the number every codebook change is judged by, so how it is counted must
be written down once, tested, and shared by the CLI (`events evaluate`) and the test suite.

Inputs
------
* Gold JSONL (`../shared/gold/README.md`): one record a line, `{"id", "text", "pub_date", "events": [{"source",
  "target", "code", "date"?}]}`. `events: []` means "no event". A `null` `pub_date` is coded as an undated
  text (each dictionary name takes its most recent role; relative dates are read against `DEFAULT_DATE`) and its
  events are not scored for dates.
* Our plain-text fixtures (`tests/fixtures/gold/*.txt`, STYLE.md §1): a block per case, opened by a
  `# title: ...` line, with an optional `# date: YYYY-MM-DD` (publication) line, then the text (one or more
  lines), then one expected tuple a line, `SOURCE<TAB>TARGET<TAB>CODE[<TAB>YYYY-MM-DD]` (`-` for a missing actor),
  or a lone `-` for "no event". The first line that holds a tab (or is a lone `-`) ends the text. `#` lines
  outside a block and blank lines are comments and separators.
* A directory is read as all of its `*.jsonl` and `*.txt` files, in sorted order.

Reference actor codes in JSONL whose first three letters are an ISO code or a known typo where CAMEO has
another code (`REFERENCE_COUNTRY_ALIASES`: `ROU` -> `ROM`, `JAP` -> `JPN`, ...) are rewritten to the CAMEO code
when read, so that a reference's spelling is not scored as the coder's error.

Matching, per document
----------------------
Each record's text is coded with `events.dataset.pipeline.code_text(text, pub_date, compiled)`; every returned mention
row is one predicted event (a repeated prediction counts twice). Each predicted and reference event is reduced
to a key at three levels:

* ``root``: the root code (`event_root_code`; a reference code's first two digits);
* ``dyad``: (source root actor, target root actor, root code), where a root actor is the first three letters
  of the actor code (`IRNGOV` -> `IRN`);
* ``full``: (source actor, target actor, base code) with the actor codes in full (`IRNGOV`) and the base code
  (the three-digit parent of a four-digit code, `0871` -> `087`).

A reference `source` or `target` of `null` (`-` in fixtures) is a wildcard that matches any predicted actor,
including none. A reference event with `code: null` is left out of every level (nothing to compare), and so is one
prediction whose source and target root actors match it (it can be neither right nor wrong). At each
level, predicted and reference events are paired by a maximum bipartite matching in which a pair is allowed when
the keys are equal, wildcards aside (so each event is used at most once: multiset matching); paired references
are true positives, unpaired predictions false positives, unpaired references false negatives. Without
wildcards this equals the multiset intersection of the two key lists.

Scores are micro-averaged: true and false positives and false negatives are summed over documents before
precision = TP / (TP + FP), recall = TP / (TP + FN) and F1 = 2PR / (P + R). A ratio whose denominator is zero is
1.0 when nothing was expected or claimed on either side (an empty set predicted for an empty reference) and 0.0
otherwise. The per-root breakdown applies the same counts to the ``root`` level, grouped by root code.

Dates: among the ``full``-level pairs whose reference event gives a date (and whose record has a publication
date), the share whose predicted `event_date` equals it. Pairs with equal dates are preferred when matching.

No-event documents (`events: []`): every prediction on them is a false positive at every level; the report
also counts them, the predictions made on them, and how many of them received any prediction.

>>> from events.evaluate import score_document
>>> counts = score_document([("IRNGOV", "RUSGOV", "040", None)], [(None, "RUS", "040", None)])
>>> counts["dyad"], counts["full"]
((1, 0, 0), (0, 1, 1))
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from events.problems import Problem

EVALUATE_VERSION = "events.evaluate.v1"
DEFAULT_DATE = dt.date(2000, 1, 1)
LEVELS = ("root", "dyad", "full")
GOLD_SUFFIXES = (".jsonl", ".txt")

# A tuple at the finest grain: (source, target, code, date); the levels are projections of it.
# ISO 3166 codes and typos found in reference sets, where CAMEO's country code differs.
REFERENCE_COUNTRY_ALIASES = {"ROU": "ROM", "MNE": "MTN", "TLS": "TMP", "JAP": "JPN", "ITL": "ITA", "VTN": "VNM"}

Tuple4 = tuple[str | None, str | None, str | None, dt.date | None]


# ---------------------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class GoldEvent:
    source: str | None
    target: str | None
    code: str | None
    date: dt.date | None = None

    def as_tuple(self) -> Tuple4:
        return (self.source, self.target, self.code, self.date)


@dataclass(frozen=True, slots=True)
class GoldRecord:
    id: str
    text: str
    pub_date: dt.date | None
    events: tuple[GoldEvent, ...]
    origin: str  # "path:line", for messages
    title: str | None = None

    @property
    def no_event(self) -> bool:
        return not self.events


class GoldFormatError(Exception):
    """A gold file that cannot be read; carries every problem found, sorted by file and line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def read_gold(paths: Iterable[str | Path]) -> list[GoldRecord]:
    """All records of the given gold files and directories, in order; raise `GoldFormatError` listing every fault."""
    records: list[GoldRecord] = []
    problems: list[Problem] = []
    for path in _discover(paths, problems):
        text = path.read_text(encoding="utf-8")
        reader = parse_jsonl if path.suffix == ".jsonl" else parse_fixtures
        found, faults = reader(text, str(path))
        records.extend(found)
        problems.extend(faults)
    seen: dict[str, str] = {}
    for record in records:
        if record.id in seen:
            path, _, line = record.origin.rpartition(":")
            problems.append(Problem(path, int(line), "IN004", f"duplicate record id {record.id!r}; first at {seen[record.id]}"))
        else:
            seen[record.id] = record.origin
    if problems:
        raise GoldFormatError(problems)
    return records


def _discover(paths: Iterable[str | Path], problems: list[Problem]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in GOLD_SUFFIXES)
            if not inside:
                problems.append(Problem(str(path), 0, "IN007", "folder holds no *.jsonl or *.txt gold files"))
            found.extend(inside)
        elif not path.is_file():
            problems.append(Problem(str(path), 0, "IN007", "no such gold file or folder"))
        elif path.suffix not in GOLD_SUFFIXES:
            problems.append(Problem(str(path), 0, "IN007", "expected a *.jsonl (gold records) or *.txt (fixtures) file"))
        else:
            found.append(path)
    return found


def _date(value, problems: list[Problem], path: str, line: int, what: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(Problem(path, line, "IN003", f"{what} {value!r} is not a date; expected YYYY-MM-DD"))
    return None


def _cameo_actor(code: str | None) -> str | None:
    """A reference actor code with CAMEO's country code in front.

    >>> _cameo_actor("ROUGOV"), _cameo_actor("IRN"), _cameo_actor(None)
    ('ROMGOV', 'IRN', None)
    """
    if not code:
        return None
    return REFERENCE_COUNTRY_ALIASES.get(code[:3], code[:3]) + code[3:]


def parse_jsonl(text: str, path: str = "<gold>") -> tuple[list[GoldRecord], list[Problem]]:
    """Gold JSONL records, and the problems of the lines that could not be read.

    >>> records, problems = parse_jsonl('{"id": "a", "text": "Iran met Russia.", "pub_date": null, '
    ...                                 '"events": [{"source": "IRN", "target": null, "code": "040"}]}')
    >>> records[0].events[0], problems
    (GoldEvent(source='IRN', target=None, code='040', date=None), [])
    """
    records: list[GoldRecord] = []
    problems: list[Problem] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(path, n, "IN001", f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(raw, dict):
            problems.append(Problem(path, n, "IN006", "a gold record must be a JSON object"))
            continue
        missing = [k for k in ("id", "text", "events") if k not in raw]
        if missing:
            problems.append(Problem(path, n, "IN002", f"record lacks {', '.join(missing)}; expected id, text, pub_date, events"))
            continue
        if not isinstance(raw["text"], str) or not isinstance(raw["events"], list):
            problems.append(Problem(path, n, "IN006", "'text' must be a string and 'events' a list"))
            continue
        events = []
        for k, ev in enumerate(raw["events"]):
            if not isinstance(ev, dict) or not all(isinstance(ev.get(f), (str, type(None))) for f in ("source", "target", "code")):
                problems.append(Problem(path, n, "IN006", f"events[{k}] must be an object with string or null source, target, code"))
                continue
            when = _date(ev.get("date"), problems, path, n, f"events[{k}].date")
            source, target = (_cameo_actor(ev.get(k)) for k in ("source", "target"))
            events.append(GoldEvent(source, target, ev.get("code") or None, when))
        pub = _date(raw.get("pub_date"), problems, path, n, "pub_date")
        records.append(GoldRecord(str(raw["id"]), raw["text"], pub, tuple(events), f"{path}:{n}", raw.get("title")))
    return records, problems


def parse_fixtures(text: str, path: str = "<fixtures>") -> tuple[list[GoldRecord], list[Problem]]:
    """Cases of our plain-text fixture format (see the module docstring), and the problems of malformed blocks.

    >>> records, _ = parse_fixtures("# title: t\\n# date: 2024-07-17\\nIran met Russia.\\nIRN\\tRUS\\t040\\n", "x.txt")
    >>> records[0].id, records[0].text, records[0].events[0].code
    ('x.txt:1', 'Iran met Russia.', '040')
    """
    records: list[GoldRecord] = []
    problems: list[Problem] = []
    name = Path(path).name
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("# title:"):
            if lines[i].strip() and not lines[i].startswith("#"):
                problems.append(Problem(path, i + 1, "IN002", "text outside a case; expected a '# title:' line to open one"))
            i += 1
            continue
        start = i
        title = lines[i][len("# title:") :].strip()
        headers: dict[str, str] = {}
        i += 1
        while i < len(lines) and lines[i].startswith("# "):
            key, sep, value = lines[i][2:].partition(":")
            if not sep or key.strip() not in ("date",):
                problems.append(Problem(path, i + 1, "IN006", f"unknown header line {lines[i]!r}; expected '# date: YYYY-MM-DD'"))
            else:
                headers[key.strip()] = value.strip()
            i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() and "\t" not in lines[i] and lines[i].strip() != "-":
            body.append(lines[i].strip())
            i += 1
        events: list[GoldEvent] = []
        no_event = bad = False
        while i < len(lines) and lines[i].strip():
            row = lines[i].rstrip()
            if row.strip() == "-":
                no_event = True
            else:
                cells = row.split("\t")
                if len(cells) not in (3, 4) or not cells[2].isdigit() or not cells[0].strip():
                    bad = True
                    problems.append(Problem(path, i + 1, "IN006",
                                            f"bad expected tuple {row!r}; expected SOURCE<TAB>TARGET<TAB>CODE[<TAB>YYYY-MM-DD] or '-'"))
                else:
                    when = _date(cells[3].strip(), problems, path, i + 1, "event date") if len(cells) == 4 else None
                    s, t = (None if c.strip() == "-" else c.strip() for c in cells[:2])
                    events.append(GoldEvent(s, t, cells[2].strip(), when))
            i += 1
        if not body:
            problems.append(Problem(path, start + 1, "IN002", f"case {title!r} has no text"))
            continue
        if not events and not no_event:
            if bad:
                continue  # already reported
            problems.append(Problem(path, start + 1, "IN002", f"case {title!r} has no expected line; expected tuples or '-' for no event"))
            continue
        if events and no_event:
            problems.append(Problem(path, start + 1, "IN006", f"case {title!r} has both tuples and '-' (no event)"))
            continue
        pub = _date(headers["date"], problems, path, start + 1, "date") if "date" in headers else None
        records.append(GoldRecord(f"{name}:{start + 1}", "\n".join(body), pub, tuple(events), f"{path}:{start + 1}", title))
    return records, problems


# ---------------------------------------------------------------------------------------------- scoring


def _root(code: str | None) -> str | None:
    return code[:2] if code else None


def _base(code: str | None) -> str | None:
    return code[:3] if code else None


def _actor_root(actor: str | None) -> str | None:
    return actor[:3] if actor else None


def project(event: Tuple4, level: str) -> tuple:
    """The key of an event at a level; `None` in a reference key is a wildcard.

    >>> project(("IRNGOV", "RUSGOV", "0431", None), "dyad"), project(("IRNGOV", "RUSGOV", "0431", None), "full")
    (('IRN', 'RUS', '04'), ('IRNGOV', 'RUSGOV', '043'))
    """
    s, t, code, _ = event
    if level == "root":
        return (_root(code),)
    if level == "dyad":
        return (_actor_root(s), _actor_root(t), _root(code))
    if level == "full":
        return (s, t, _base(code))
    raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")


def _fits(ref_key: tuple, pred_key: tuple) -> bool:
    return all(r is None or r == p for r, p in zip(ref_key, pred_key))


def match(predicted: Sequence[tuple], reference: Sequence[tuple], prefer=None) -> list[tuple[int, int]]:
    """A maximum matching of reference keys to predicted keys (`None` in a reference key is a wildcard).

    Returns sorted (reference index, predicted index) pairs. Candidates are tried in index order, those for which
    `prefer(ref_index, pred_index)` is true first, so the result is deterministic.

    >>> match([("040",), ("040",), ("190",)], [("040",), ("190",), ("190",)])
    [(0, 0), (1, 2)]
    >>> match([("IRN", "USA"), ("IRN", "RUS")], [("IRN", None), (None, "USA")])
    [(0, 1), (1, 0)]
    """
    candidates = []
    for r, ref in enumerate(reference):
        fit = [p for p, pred in enumerate(predicted) if _fits(ref, pred)]
        if prefer is not None:
            fit.sort(key=lambda p, r=r: not prefer(r, p))
        candidates.append(fit)
    owner: dict[int, int] = {}  # predicted index -> reference index

    def augment(r: int, seen: set[int]) -> bool:
        for p in candidates[r]:
            if p in seen:
                continue
            seen.add(p)
            if p not in owner or augment(owner[p], seen):
                owner[p] = r
                return True
        return False

    # references with fewer candidates first: exact keys settle before wildcards take their pick
    for r in sorted(range(len(reference)), key=lambda r: (len(candidates[r]), r)):
        augment(r, set())
    return sorted((r, p) for p, r in owner.items())


def _drop_unjudgeable(predicted: Sequence[Tuple4], unknown: Sequence[Tuple4]) -> list[Tuple4]:
    """Leave out one prediction per reference event whose code is unknown and whose actors it matches (dyad actors).

    The reference says an event happened between those actors but not which: a prediction for it can be
    neither right nor wrong, so it is not counted at all.

    >>> _drop_unjudgeable([("FRAGOV", "ROMGOV", "040", None), ("FRA", "USA", "111", None)], [("FRAGOV", "ROMGOV", None, None)])
    [('FRA', 'USA', '111', None)]
    """
    keep = list(predicted)
    for ref in unknown:
        key = (_root_actor(ref[0]), _root_actor(ref[1]))
        for i, pred in enumerate(keep):
            if all(k is None or k == v for k, v in zip(key, (_root_actor(pred[0]), _root_actor(pred[1])))):
                del keep[i]
                break
    return keep


def _root_actor(code: str | None) -> str | None:
    return code[:3] if code else None


def score_document(predicted: Sequence[Tuple4], reference: Sequence[Tuple4]) -> dict:
    """True positives, false positives and false negatives of one document at each level, and its dates.

    Returns `{level: (tp, fp, fn)}` for each level, plus `"by_root"`: `{root: [tp, fp, fn]}` and `"dates"`:
    `(pairs whose reference has a date, of which equal)`. Reference events without a code are dropped first.

    >>> score_document([("USA", "IRN", "190", None), ("USA", "IRN", "190", None)], [("USA", None, "193", None)])["root"]
    (1, 1, 0)
    """
    unknown = [r for r in reference if r[2] is None]
    reference = [r for r in reference if r[2] is not None]
    predicted = _drop_unjudgeable(predicted, unknown)
    out: dict = {}
    for level in LEVELS:
        pk = [project(p, level) for p in predicted]
        rk = [project(r, level) for r in reference]
        def same_date(r: int, p: int) -> bool:
            return reference[r][3] is not None and reference[r][3] == predicted[p][3]

        pairs = match(pk, rk, same_date if level == "full" else None)
        tp = len(pairs)
        out[level] = (tp, len(pk) - tp, len(rk) - tp)
        if level == "root":
            by_root: dict[str, list[int]] = {}
            matched_p = {p for _, p in pairs}
            matched_r = {r for r, _ in pairs}
            for r, key in enumerate(rk):
                by_root.setdefault(key[0], [0, 0, 0])[0 if r in matched_r else 2] += 1
            for p, key in enumerate(pk):
                if p not in matched_p:
                    by_root.setdefault(key[0], [0, 0, 0])[1] += 1
            out["by_root"] = by_root
        if level == "full":
            dated = [(r, p) for r, p in pairs if reference[r][3] is not None]
            out["dates"] = (len(dated), sum(1 for r, p in dated if reference[r][3] == predicted[p][3]))
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @staticmethod
    def _ratio(num: int, den: int, other: int) -> float:
        if den:
            return num / den
        return 1.0 if other == 0 else 0.0

    @property
    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp, self.fn)

    @property
    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn, self.fp)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp += tp
        self.fp += fp
        self.fn += fn

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class DocumentResult:
    id: str
    origin: str
    text: str
    predicted: list[Tuple4]
    reference: list[Tuple4]
    counts: dict[str, tuple[int, int, int]]

    def ok(self, level: str) -> bool:
        _, fp, fn = self.counts[level]
        return fp == 0 and fn == 0

    def to_dict(self) -> dict:
        def rows(tuples):
            return [{"source": s, "target": t, "code": c, "date": d.isoformat() if d else None} for s, t, c, d in tuples]

        return {"id": self.id, "origin": self.origin, "predicted": rows(self.predicted), "reference": rows(self.reference),
                **{level: dict(zip(("tp", "fp", "fn"), self.counts[level])) for level in LEVELS}}


@dataclass
class EvaluationReport:
    levels: dict[str, Score] = field(default_factory=lambda: {level: Score() for level in LEVELS})
    by_root: dict[str, Score] = field(default_factory=dict)
    dated_pairs: int = 0
    dates_correct: int = 0
    documents: list[DocumentResult] = field(default_factory=list)
    no_event_documents: int = 0
    no_event_predictions: int = 0  # predicted events on no-event documents: all false positives
    no_event_documents_with_predictions: int = 0
    codebook: str = ""

    @property
    def date_accuracy(self) -> float | None:
        return self.dates_correct / self.dated_pairs if self.dated_pairs else None

    def f1(self, level: str = "dyad") -> float:
        return self.levels[level].f1

    def to_dict(self, documents: bool = True) -> dict:
        out = {
            "version": EVALUATE_VERSION,
            "codebook": self.codebook,
            "documents": len(self.documents),
            "no_event_documents": self.no_event_documents,
            "no_event_predictions": self.no_event_predictions,
            "no_event_documents_with_predictions": self.no_event_documents_with_predictions,
            "levels": {level: self.levels[level].to_dict() for level in LEVELS},
            "by_root": {root: self.by_root[root].to_dict() for root in sorted(self.by_root)},
            "dates": {"pairs": self.dated_pairs, "correct": self.dates_correct,
                      "accuracy": None if self.date_accuracy is None else round(self.date_accuracy, 4)},
        }
        if documents:
            out["results"] = [d.to_dict() for d in self.documents]
        return out

    def render(self, level: str = "dyad", failures: int = 25) -> str:
        """A readable summary; then up to `failures` documents that are wrong at `level`, as path:line lines."""
        lines = [f"{len(self.documents)} documents ({self.no_event_documents} without events), codebook {self.codebook}",
                 f"{'level':<6} {'P':>6} {'R':>6} {'F1':>6} {'TP':>6} {'FP':>6} {'FN':>6}"]
        for name in LEVELS:
            s = self.levels[name]
            lines.append(f"{name:<6} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:6d} {s.fp:6d} {s.fn:6d}")
        lines.append("by root code (level root):")
        for root in sorted(self.by_root):
            s = self.by_root[root]
            lines.append(f"  {root}   {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:6d} {s.fp:6d} {s.fn:6d}")
        acc = "n/a (no dated references)" if self.date_accuracy is None else f"{self.date_accuracy:.3f}"
        lines.append(f"dates: {acc} ({self.dates_correct} of {self.dated_pairs} matched dated events)")
        lines.append(f"no-event documents: {self.no_event_predictions} false positive(s) on "
                     f"{self.no_event_documents_with_predictions} of {self.no_event_documents}")
        wrong = [d for d in self.documents if not d.ok(level)]
        if wrong and failures:
            lines.append(f"{len(wrong)} document(s) wrong at level {level}:")
            for d in wrong[:failures]:
                label = "" if d.origin.endswith(d.id) else f" [{d.id}]"
                lines.append(f"{d.origin}:{label} expected {_show(d.reference)}, got {_show(d.predicted)}")
            if len(wrong) > failures:
                lines.append(f"... {len(wrong) - failures} more (--json lists all)")
        return "\n".join(lines)


def _show(tuples: Sequence[Tuple4]) -> str:
    if not tuples:
        return "no event"
    return "; ".join(f"{s or '*'}>{t or '*'} {c or '?'}" + (f" {d.isoformat()}" if d else "") for s, t, c, d in tuples)


def predicted_tuples(rows: Iterable[dict]) -> list[Tuple4]:
    """Mention rows of `code_text` as (source, target, code, date) tuples."""
    return [(r["source_actor"], r["target_actor"], r["event_code"], r["event_date"]) for r in rows]


def evaluate_predictions(records: Sequence[GoldRecord], predictions: Sequence[Sequence[Tuple4]], codebook: str = "") -> EvaluationReport:
    """Score given predictions (one list of tuples per record) against the records: the coder-free half."""
    report = EvaluationReport(codebook=codebook)
    for record, predicted in zip(records, predictions, strict=True):
        predicted = list(predicted)
        reference = [e.as_tuple() for e in record.events]
        if record.pub_date is None:  # undated record: dates are not scored
            reference = [(s, t, c, None) for s, t, c, _ in reference]
        counts = score_document(predicted, reference)
        for level in LEVELS:
            report.levels[level].add(*counts[level])
        for root, (tp, fp, fn) in counts["by_root"].items():
            report.by_root.setdefault(root, Score()).add(tp, fp, fn)
        report.dated_pairs += counts["dates"][0]
        report.dates_correct += counts["dates"][1]
        if record.no_event:
            report.no_event_documents += 1
            report.no_event_predictions += len(predicted)
            report.no_event_documents_with_predictions += bool(predicted)
        report.documents.append(DocumentResult(record.id, record.origin, record.text, predicted, reference,
                                               {level: counts[level] for level in LEVELS}))
    return report


def evaluate(records: Sequence[GoldRecord], compiled) -> EvaluationReport:
    """Code each record's text with the compiled codebook and score the events against the record's."""
    from events.dataset.pipeline import code_text

    predictions = [predicted_tuples(code_text(r.text, r.pub_date or DEFAULT_DATE, compiled, dated=r.pub_date is not None))
                   for r in records]
    return evaluate_predictions(records, predictions, compiled.label)


def evaluate_file(path: str | Path | Sequence[str | Path], compiled) -> EvaluationReport:
    """`evaluate` on the records of a gold file, fixture file or folder (or a list of them)."""
    paths = [path] if isinstance(path, (str, Path)) else list(path)
    return evaluate(read_gold(paths), compiled)


__all__ = ["DEFAULT_DATE", "EVALUATE_VERSION", "LEVELS", "REFERENCE_COUNTRY_ALIASES", "EvaluationReport", "GoldEvent", "GoldFormatError", "GoldRecord",
           "Score", "evaluate", "evaluate_file", "evaluate_predictions", "match", "parse_fixtures", "parse_jsonl",
           "project", "read_gold", "score_document"]
