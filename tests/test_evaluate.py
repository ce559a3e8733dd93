"""Scoring is tested without the coder (hand-made predictions); then the readers, and the CLI end to end."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from events.cli import main
from events.evaluate import (
    GoldEvent,
    GoldFormatError,
    GoldRecord,
    evaluate_predictions,
    match,
    parse_fixtures,
    parse_jsonl,
    project,
    read_gold,
    score_document,
)

D = dt.date(2024, 7, 16)


def ev(source, target, code, date=None):
    return (source, target, code, date)


@pytest.mark.parametrize(
    "predicted, reference, expected",
    [
        # exact agreement at every level
        ([ev("IRNGOV", "RUSGOV", "040")], [ev("IRNGOV", "RUSGOV", "040")], {"root": (1, 0, 0), "dyad": (1, 0, 0), "full": (1, 0, 0)}),
        # deeper code: the same base and root
        ([ev("IRNGOV", "RUSGOV", "0431")], [ev("IRNGOV", "RUSGOV", "043")], {"root": (1, 0, 0), "dyad": (1, 0, 0), "full": (1, 0, 0)}),
        # sector differs: dyad matches on root actors, full does not
        ([ev("IRN", "RUSGOV", "040")], [ev("IRNGOV", "RUSGOV", "040")], {"root": (1, 0, 0), "dyad": (1, 0, 0), "full": (0, 1, 1)}),
        # swapped roles: right code, wrong direction
        ([ev("RUSGOV", "IRNGOV", "040")], [ev("IRNGOV", "RUSGOV", "040")], {"root": (1, 0, 0), "dyad": (0, 1, 1), "full": (0, 1, 1)}),
        # another base code in the same root
        ([ev("USA", "IRN", "190")], [ev("USA", "IRN", "195")], {"root": (1, 0, 0), "dyad": (1, 0, 0), "full": (0, 1, 1)}),
        # a missing predicted target does not match a reference target
        ([ev("USA", None, "111")], [ev("USA", "IRN", "111")], {"root": (1, 0, 0), "dyad": (0, 1, 1), "full": (0, 1, 1)}),
        # null reference actors are wildcards, even for a missing predicted target
        ([ev("USA", None, "111")], [ev(None, None, "111")], {"root": (1, 0, 0), "dyad": (1, 0, 0), "full": (1, 0, 0)}),
        ([ev("USAGOV", "IRN", "111")], [ev("USAGOV", None, "111")], {"root": (1, 0, 0), "dyad": (1, 0, 0), "full": (1, 0, 0)}),
        # multiset: a repeated prediction counts once as TP and once as FP
        ([ev("USA", "IRN", "190")] * 2, [ev("USA", "IRN", "190")], {"root": (1, 1, 0), "dyad": (1, 1, 0), "full": (1, 1, 0)}),
        # multiset: two references need two predictions
        ([ev("USA", "IRN", "190")], [ev("USA", "IRN", "190")] * 2, {"root": (1, 0, 1), "dyad": (1, 0, 1), "full": (1, 0, 1)}),
        # no-event reference: every prediction is a false positive
        ([ev("USA", "IRN", "190"), ev("IRN", "USA", "190")], [], {"root": (0, 2, 0), "dyad": (0, 2, 0), "full": (0, 2, 0)}),
        # no prediction for a reference: a false negative
        ([], [ev("USA", "IRN", "190")], {"root": (0, 0, 1), "dyad": (0, 0, 1), "full": (0, 0, 1)}),
        # a reference without a code is left out
        ([], [ev("USA", "IRN", None)], {"root": (0, 0, 0), "dyad": (0, 0, 0), "full": (0, 0, 0)}),
        # both directions of a mutual act
        ([ev("IRN", "RUS", "040"), ev("RUS", "IRN", "040")], [ev("RUS", "IRN", "040"), ev("IRN", "RUS", "040")],
         {"root": (2, 0, 0), "dyad": (2, 0, 0), "full": (2, 0, 0)}),
    ],
)
def test_evaluate_score_document_levels(predicted, reference, expected):
    counts = score_document(predicted, reference)
    assert {level: counts[level] for level in expected} == expected


def test_evaluate_match_is_a_maximum_matching_with_wildcards():
    # greedy in reference order would give the first reference the only prediction the second can take
    predicted = [("IRN", "USA"), ("IRN", "RUS")]
    reference = [("IRN", None), (None, "USA")]
    assert len(match(predicted, reference)) == 2


def test_evaluate_match_is_deterministic_and_prefers_equal_dates():
    predicted = [ev("A", "B", "040", dt.date(2024, 7, 17)), ev("A", "B", "040", D)]
    counts = score_document(predicted, [ev("A", "B", "040", D)])
    assert counts["full"] == (1, 1, 0) and counts["dates"] == (1, 1)


@pytest.mark.parametrize(
    "event, level, key",
    [
        (ev("IRNGOV", "RUSGOV", "0431"), "root", ("04",)),
        (ev("IRNGOV", "RUSGOV", "0431"), "dyad", ("IRN", "RUS", "04")),
        (ev("IRNGOV", "RUSGOV", "0431"), "full", ("IRNGOV", "RUSGOV", "043")),
        (ev("IGOUNOWHO", None, "111"), "dyad", ("IGO", None, "11")),
    ],
)
def test_evaluate_project(event, level, key):
    assert project(event, level) == key


def _record(events, pub=D, rid="r"):
    return GoldRecord(rid, "text", pub, tuple(GoldEvent(*e) for e in events), f"x.txt:{rid}")


def test_evaluate_predictions_micro_average_by_root_and_no_event_counts():
    records = [
        _record([("USA", "IRN", "190", D)], rid="1"),
        _record([("IRN", "USA", "111", D)], rid="2"),
        _record([], rid="3"),
        _record([], rid="4"),
    ]
    predictions = [
        [ev("USA", "IRN", "190", D)],
        [ev("IRN", "USA", "112", dt.date(2024, 7, 1))],  # right root, wrong date
        [ev("USA", "IRN", "190", D), ev("USA", "IRN", "190", D)],
        [],
    ]
    report = evaluate_predictions(records, predictions)
    root = report.levels["root"]
    assert (root.tp, root.fp, root.fn) == (2, 2, 0)
    assert root.precision == pytest.approx(0.5) and root.recall == 1.0 and root.f1 == pytest.approx(2 / 3)
    assert (report.levels["full"].tp, report.levels["full"].fn) == (1, 1)
    assert (report.by_root["19"].tp, report.by_root["19"].fp) == (1, 2)
    assert (report.by_root["11"].tp, report.by_root["11"].fp, report.by_root["11"].fn) == (1, 0, 0)
    assert (report.no_event_documents, report.no_event_predictions, report.no_event_documents_with_predictions) == (2, 2, 1)
    assert (report.dated_pairs, report.dates_correct) == (1, 1)
    out = report.to_dict()
    assert out["levels"]["root"]["f1"] == pytest.approx(0.6667, abs=1e-4)
    assert list(out["by_root"]) == ["11", "19"]
    assert json.loads(json.dumps(out)) == out
    text = report.render("dyad")
    assert "no-event documents: 2 false positive(s) on 1 of 2" in text and "x.txt:3" in text


def test_evaluate_undated_record_is_not_scored_for_dates():
    report = evaluate_predictions([_record([("A", "B", "040", D)], pub=None)], [[ev("A", "B", "040", dt.date(2000, 1, 1))]])
    assert report.dated_pairs == 0 and report.date_accuracy is None and report.levels["full"].tp == 1


def test_evaluate_empty_scores_are_perfect_only_when_nothing_was_expected():
    assert evaluate_predictions([_record([])], [[]]).f1("dyad") == 1.0
    assert evaluate_predictions([_record([("A", "B", "040")])], [[]]).f1("dyad") == 0.0


FIXTURE = (
    "# header comment\n"
    "\n"
    "# title: two events with dates\n"
    "# date: 2024-07-17\n"
    "Iran and Russia met.\n"
    "IRN\tRUS\t040\t2024-07-16\n"
    "RUS\tIRN\t040\n"
    "\n"
    "# title: multi-line text and a wildcard\n"
    "# date: 2024-07-17\n"
    "Putin arrived.\n"
    "He met Xi.\n"
    "-\tCHNGOV\t040\n"
    "\n"
    "# title: nothing\n"
    "Spain beat France.\n"
    "-\n"
)


def test_evaluate_parse_fixtures():
    records, problems = parse_fixtures(FIXTURE, "t/cases.txt")
    assert problems == []
    assert [r.id for r in records] == ["cases.txt:3", "cases.txt:9", "cases.txt:15"]
    first, second, third = records
    assert first.pub_date == dt.date(2024, 7, 17) and first.title == "two events with dates"
    assert first.events == (GoldEvent("IRN", "RUS", "040", D), GoldEvent("RUS", "IRN", "040", None))
    assert second.text == "Putin arrived.\nHe met Xi." and second.events == (GoldEvent(None, "CHNGOV", "040"),)
    assert third.no_event and third.pub_date is None


@pytest.mark.parametrize(
    "text, code, line",
    [
        ("# title: t\nIran met Russia.\nIRN\tRUS\n", "IN006", 3),               # too few cells
        ("# title: t\nIran met Russia.\nIRN\tRUS\tmeet\n", "IN006", 3),         # code not digits
        ("# title: t\nIran met Russia.\nIRN\tRUS\t040\t16/07/2024\n", "IN003", 3),
        ("# title: t\n# date: July\nIran met Russia.\n-\n", "IN003", 1),
        ("# title: t\n# dtae: 2024-07-17\nIran met Russia.\n-\n", "IN006", 2),  # unknown header
        ("# title: t\nIran met Russia.\n\n", "IN002", 1),                       # no expected line
        ("# title: t\nIRN\tRUS\t040\n", "IN002", 1),                             # no text
        ("Iran met Russia.\n", "IN002", 1),                                      # text outside a case
        ("# title: t\nIran met Russia.\nIRN\tRUS\t040\n-\n", "IN006", 1),        # tuples and no-event
    ],
)
def test_evaluate_parse_fixtures_reports_problems(text, code, line):
    _, problems = parse_fixtures(text, "bad.txt")
    assert [(p.code, p.line) for p in problems] == [(code, line)]


def test_evaluate_parse_jsonl_wildcards_aliases_and_problems():
    lines = [
        json.dumps({"id": "a", "text": "t", "pub_date": None,
                    "events": [{"source": "ROUGOV", "target": None, "code": "030", "plover_event": "AGREE"}]}),
        "not json",
        json.dumps({"id": "b", "text": "t"}),
        json.dumps({"id": "c", "text": "t", "pub_date": "yesterday", "events": []}),
        "",
        json.dumps({"id": "d", "text": "t", "pub_date": "2024-07-17", "events": [{"source": "USA", "target": "IRN", "code": "190", "date": "2024-07-16"}]}),
    ]
    records, problems = parse_jsonl("\n".join(lines), "g.jsonl")
    assert [(p.code, p.line) for p in problems] == [("IN001", 2), ("IN002", 3), ("IN003", 4)]
    assert records[0].events == (GoldEvent("ROMGOV", None, "030"),) and records[0].pub_date is None
    assert records[-1].events[0].date == D and records[-1].origin == "g.jsonl:6"


def test_evaluate_read_gold_folder_and_duplicate_ids(tmp_path):
    (tmp_path / "a.txt").write_text(FIXTURE)
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "x", "text": "t", "pub_date": None, "events": []}) + "\n")
    (tmp_path / "notes.md").write_text("ignored")
    assert [r.id for r in read_gold([tmp_path])] == ["a.txt:3", "a.txt:9", "a.txt:15", "x"]
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "x", "text": "t", "pub_date": None, "events": []}) + "\n")
    with pytest.raises(GoldFormatError) as err:
        read_gold([tmp_path, tmp_path / "missing.jsonl"])
    assert sorted(p.code for p in err.value.problems) == ["IN004", "IN007"]


CLI_CASES = (
    "# title: meeting\n# date: 2024-07-17\nIran's foreign minister met his Russian counterpart in New York on Tuesday.\n"
    "IRNGOV\tRUSGOV\t040\t2024-07-16\n\n"
    "# title: sports\n# date: 2024-07-10\nSpain beat France 2-1 in the semi-final.\n-\n"
)


def test_evaluate_cli_text_json_and_min_f1(tmp_path):
    gold = tmp_path / "cases.txt"
    gold.write_text(CLI_CASES)
    runner = CliRunner()
    result = runner.invoke(main, ["evaluate", str(gold)])
    assert result.exit_code == 0, result.output
    assert "2 documents (1 without events)" in result.output and "dyad" in result.output
    result = runner.invoke(main, ["evaluate", str(gold), "--json"])
    out = json.loads(result.output)
    assert out["documents"] == 2 and set(out["levels"]) == {"root", "dyad", "full"} and len(out["results"]) == 2
    f1 = out["levels"]["full"]["f1"]
    assert runner.invoke(main, ["evaluate", str(gold), "--level", "full", "--min-f1", str(max(0.0, f1 - 0.01))]).exit_code == 0
    failed = runner.invoke(main, ["evaluate", str(gold), "--level", "full", "--min-f1", "1.01"])
    assert failed.exit_code != 0


def test_evaluate_cli_reports_every_gold_problem(tmp_path):
    gold = tmp_path / "bad.txt"
    gold.write_text("# title: t\nIran met Russia.\nIRN\tRUS\n\n# title: u\nText.\n\n")
    result = CliRunner().invoke(main, ["evaluate", str(gold)])
    assert result.exit_code != 0
    assert "bad.txt:3: [IN006]" in result.output and "bad.txt:5: [IN002]" in result.output
