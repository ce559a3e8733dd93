"""Event-date resolution: fixture cases from tests/fixtures/dates.txt, plus tables for datelines and the cache."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from events.coding.dates import DATES_VERSION, DateResolution, DateResolver

FIXTURE = Path(__file__).parent / "fixtures" / "dates.txt"
HEADERS = ("title", "pub", "verb", "dateline")


def _load_cases(path: Path) -> tuple[list[dict], list[str]]:
    """Parse the fixture; every malformed block is reported as `file:line: message`, not just the first."""
    cases, problems, block, start = [], [], [], 0
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            start = start or number
            block.append(line)
            continue
        if block and not all(b.startswith("#") for b in block):
            cases.append(_parse_block(block, start, path, problems))
        block, start = [], 0
    titles: dict[str, int] = {}
    for case in cases:
        if case and case["title"] in titles:
            problems.append(f"{path.name}:{case['line']}: duplicate title {case['title']!r} (first at line {titles[case['title']]})")
        elif case:
            titles[case["title"]] = case["line"]
    return [c for c in cases if c], problems


def _parse_block(block: list[str], line: int, path: Path, problems: list[str]) -> dict | None:
    head = {}
    body = []
    for text in block:
        m = re.match(r"# (\w+): (.*)$", text)
        if m and m.group(1) in HEADERS:
            head[m.group(1)] = m.group(2)
        elif text.startswith("#"):
            continue
        else:
            body.append(text)
    where = f"{path.name}:{line}"
    missing = [h for h in ("title", "pub", "verb") if h not in head]
    if missing or len(body) != 2:
        problems.append(f"{where}: expected headers title/pub/verb and exactly a sentence and an expected line; missing {missing}, {len(body)} body lines")
        return None
    sentence, expected = body
    fields = expected.split("\t")
    if len(fields) != 4 or head["verb"] not in sentence:
        problems.append(f"{where}: expected 'date<TAB>precision<TAB>source<TAB>expression' and a verb found in the sentence")
        return None
    start = sentence.index(head["verb"])
    return {
        "line": line,
        "title": head["title"],
        "pub": dt.date.fromisoformat(head["pub"]),
        "dateline": head.get("dateline") == "yes",
        "sentence": sentence,
        "verb_span": (start, start + len(head["verb"])),
        "expected": (dt.date.fromisoformat(fields[0]), fields[1], fields[2], None if fields[3] == "-" else fields[3]),
    }


CASES, PROBLEMS = _load_cases(FIXTURE)
RESOLVER = DateResolver()  # shared on purpose: the cache must never change an answer


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


def test_dates_fixture_is_well_formed():
    assert PROBLEMS == []
    assert len(CASES) >= 120


@pytest.mark.parametrize("case", CASES, ids=[_slug(c["title"]) for c in CASES])
def test_dates_fixture_case(case):
    ref = case["pub"]
    if case["dateline"]:
        line = RESOLVER.dateline(case["sentence"], case["pub"])
        assert line is not None, "expected a dateline"
        ref = line.reference_date(case["pub"])
    got = RESOLVER.resolve(case["sentence"], case["verb_span"], ref)
    assert (got.date, got.precision, got.source, got.text) == case["expected"]
    assert got.date <= case["pub"]
    if got.source == "text":
        assert case["sentence"][got.span[0] : got.span[1]] == got.text
    else:
        assert got.span is None and got.text is None


@pytest.mark.parametrize(
    "text, pub, expected",
    [
        ("MOSCOW, July 3 (Reuters) – Russia said", "2024-07-05", ("MOSCOW", "Reuters", "2024-07-03", "July 3")),
        ("WASHINGTON (AP) — The Senate voted", "2024-07-05", ("WASHINGTON", "AP", None, None)),
        ("KYIV, Ukraine (AP) — Drones struck", "2024-07-05", ("KYIV", "AP", None, None)),
        ("MEHR: In a meeting in New York", "2024-07-17", (None, "MEHR", None, None)),
        ("NEW YORK, 16 July 2024 -- Police", "2024-07-20", ("NEW YORK", None, "2024-07-16", "16 July 2024")),
        ("BEIJING, Jan. 5 (Xinhua) -- China", "2025-01-06", ("BEIJING", "Xinhua", "2025-01-05", "Jan. 5")),
        ("UNITED NATIONS, Dec. 31 (Reuters) - The council", "2025-01-02", ("UNITED NATIONS", "Reuters", "2024-12-31", "Dec. 31")),
        ("TOKYO, July 18 (Kyodo) - Japan", "2024-07-17", ("TOKYO", "Kyodo", "2024-07-18", "July 18")),  # time-zone slack
        ("TOKYO, July 19 (Kyodo) - Japan", "2024-07-17", ("TOKYO", "Kyodo", "2023-07-19", "July 19")),  # beyond slack
        ("Tehran (IRNA) – Iran's envoy", "2024-07-17", ("Tehran", "IRNA", None, None)),
        ("PARIS, 15/07/2024 (AFP) - France", "2024-07-17", ("PARIS", "AFP", "2024-07-15", "15/07/2024")),
    ],
)
def test_dates_dateline_table(text, pub, expected):
    line = DateResolver().dateline(text, dt.date.fromisoformat(pub))
    place, agency, day, date_text = expected
    assert (line.place, line.agency, line.date_text) == (place, agency, date_text)
    assert line.date == (dt.date.fromisoformat(day) if day else None)
    assert text[: line.end].rstrip() == line.text and text[line.end :][:1].isalnum()
    if date_text:
        assert text[line.date_span[0] : line.date_span[1]] == date_text


@pytest.mark.parametrize(
    "text",
    ["NATO said on Tuesday it would", "Iran's foreign minister met", "The UN: a history", "", "US-Iran talks resumed"],
)
def test_dates_dateline_absent(text):
    assert DateResolver().dateline(text, dt.date(2024, 7, 17)) is None


def test_dates_dateline_reference_never_after_publication():
    pub = dt.date(2024, 7, 17)
    line = DateResolver().dateline("TOKYO, July 18 (Kyodo) - Japan protested.", pub)
    assert line.date == dt.date(2024, 7, 18) and line.reference_date(pub) == pub


@pytest.mark.parametrize(
    "expression, ref, direction, expected",
    [
        ("on Friday", "2024-07-17", "future", ("2024-07-19", "day")),
        ("on Wednesday", "2024-07-17", "future", ("2024-07-17", "day")),
        ("next Wednesday", "2024-07-17", "future", ("2024-07-24", "day")),
        ("on July 20", "2024-07-17", "future", ("2024-07-20", "day")),
        ("on July 20", "2024-07-17", "past", ("2023-07-20", "day")),
        ("in March", "2024-07-17", "future", ("2025-03-01", "month")),
        ("next month", "2024-12-17", "future", ("2025-01-01", "month")),
        ("tomorrow", "2024-12-31", "future", ("2025-01-01", "day")),
        ("next week", "2024-07-17", "past", None),  # a plan has no past date
        ("since March", "2024-07-17", "past", None),
    ],
)
def test_dates_parse_expression_table(expression, ref, direction, expected):
    got = DateResolver().parse_expression(expression, dt.date.fromisoformat(ref), direction)
    assert got == (None if expected is None else (dt.date.fromisoformat(expected[0]), expected[1]))


def test_dates_cache_hits_and_same_answers():
    resolver = DateResolver()
    sentence = "Iran's foreign minister met his Russian counterpart in New York on July 16."
    span = (24, 27)
    first = resolver.resolve(sentence, span, dt.date(2024, 7, 17))
    info = resolver.cache_info()
    assert (info.hits, info.misses, info.size) == (0, 1, 1)
    assert resolver.resolve(sentence, span, dt.date(2024, 7, 17)) == first
    assert resolver.cache_info().hits == 1
    # another reference date is another key, and a different answer
    assert resolver.resolve(sentence, span, dt.date(2024, 7, 10)).date == dt.date(2023, 7, 16)
    assert resolver.cache_info().misses == 2
    resolver.cache_clear()
    assert resolver.cache_info() == (0, 0, 0, resolver.cache_info().maxsize)
    assert resolver.resolve(sentence, span, dt.date(2024, 7, 17)) == first


def test_dates_cache_is_bounded():
    resolver = DateResolver(maxsize=3)
    for day in range(1, 10):
        resolver.resolve("Troops withdrew yesterday.", (7, 15), dt.date(2024, 7, day))
    assert resolver.cache_info().size == 3
    assert resolver.resolve("Troops withdrew yesterday.", (7, 15), dt.date(2024, 7, 1)).date == dt.date(2024, 6, 30)


def test_dates_publication_fallback_shape():
    got = DateResolver().resolve("Russia and China vetoed the resolution.", (17, 23), dt.datetime(2024, 7, 17, 23, 5))
    assert got == DateResolution(dt.date(2024, 7, 17), "day", "publication", None, None)


@pytest.mark.parametrize("span", [(5, 3), (-1, 2), (0, 500), (4, 4)])
def test_dates_bad_verb_span_is_reported(span):
    with pytest.raises(ValueError, match=r"\[DT001\]"):
        DateResolver().resolve("Troops withdrew yesterday.", span, dt.date(2024, 7, 17))


def test_dates_version_name():
    assert DATES_VERSION == "events.dates.v4"


def test_dates_import_is_lazy_and_clock_free():
    code = "import sys, events.coding.dates; assert 'dateparser' not in sys.modules, 'dateparser imported eagerly'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
    source = (Path(__file__).parent.parent / "events" / "coding" / "dates.py").read_text(encoding="utf-8")
    assert not re.search(r"\b(?:date|datetime)\.(?:today|now|utcnow)\(", source)


@pytest.mark.parametrize("pub", [dt.date(1, 1, 1), dt.date(1, 1, 3), dt.date(9999, 12, 31)])
@pytest.mark.parametrize("text", ["Iran met Russia two days ago.", "Iran met Russia last year.", "Iran met Russia on December 30.",
                                  "Iran met Russia over the weekend.", "Iran met Russia last week.", "Iran met Russia on Tuesday."])
def test_dates_any_calendar_date_resolves_or_falls_back(pub, text):
    """Issue 13, finding 5: a year-1 publication date with a relative expression crashed (OverflowError). An
    expression that falls outside the calendar is unresolved: the event is dated on publication."""
    verb = text.index("met")
    found = DateResolver().resolve(text, (verb, verb + 3), pub)
    assert dt.date.min <= found.date <= pub
    if pub == dt.date(1, 1, 1):
        assert found.source == "publication"
    line = DateResolver().dateline("MOSCOW, December 31 (Reuters) - " + text, pub)
    assert line is not None and (line.date is None or line.date <= pub + dt.timedelta(days=1 if pub < dt.date.max else 0))


@pytest.mark.parametrize("sentence, verb, expected", [
    # a report fronted by a short adverbial: the date is the report's
    ("On Wednesday, the German government said Navalny was poisoned.", "said", dt.date(2020, 9, 2)),
    ("In a statement on Friday, the ministry said it would respond.", "said", dt.date(2020, 9, 4)),
    # a trailing report ("…, officials said on Tuesday") still does not date the reported act
    ("Israel struck Gaza, officials said on Tuesday.", "struck", dt.date(2020, 9, 5)),
    # a passive infinitive's date is the plan's ("the election to be held on August 9"), not the event's
    ("On Thursday, Tsikhanouskaya, a candidate in the election to be held on August 9, held a rally in Minsk.", "held a rally",
     dt.date(2020, 9, 3)),
    ("The treaty to be signed on Monday was drafted on Thursday.", "drafted", dt.date(2020, 9, 3)),
    ("Protesters demanded on Friday the treaty to be signed on Monday.", "demanded", dt.date(2020, 9, 4)),
])
def test_dates_a_fronted_adverbial_dates_the_report_it_fronts(sentence, verb, expected):
    start = sentence.index(verb)
    assert DateResolver().resolve(sentence, (start, start + len(verb)), dt.date(2020, 9, 5)).date == expected
