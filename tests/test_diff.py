"""`events codebook diff`: one edit to a copy of the minimal codebook per row, with the change and bump it must report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from events.cli import main
from events.codebook.diff import diff_codebooks

from conftest import edited_codebook


EDITS = [
    # (case, file, line (0: append), replacement, expected change line)
    ("note", "actors/people.csv", 3, "ebrahim-raisi@2021,IRNGOV,Ebrahim Raisi|Raisi,2021-08-03,2024-05-19,president of Iran",
     "patch  changed  actors ebrahim-raisi@2021: note 'president' -> 'president of Iran' (actors/people.csv:3)"),
    ("label", "actor_codes/types.csv", 3, "MIL,Armed forces,primary_role",
     "patch  changed  types MIL: label 'Military' -> 'Armed forces' (actor_codes/types.csv)"),
    ("event-name", "event_codes.csv", 6, "042,Make a visit abroad,04,042,1,1.9",
     "patch  changed  event_codes 042: name 'Make a visit' -> 'Make a visit abroad' (event_codes.csv:6)"),
    ("pattern-spacing", "verbs/04_consult.csv", 3, "040.meet-with,040,Meet  with +,,",
     "patch  changed  patterns 040.meet-with: pattern 'meet with +' -> 'Meet with +' (verbs/04_consult.csv:3)"),
    ("actor-added", "actors/countries.csv", 0, "rus-gov,RUSGOV,Kremlin|the Kremlin,,,",
     "minor  added    actors rus-gov: added (actors/countries.csv:6)"),
    ("name-added", "agents.csv", 3, "mil-army,MIL,army|soldier|troops,",
     "minor  changed  agents mil-army: names added 'troops' (agents.csv:3)"),
    ("dates-widened", "actors/people.csv", 3, "ebrahim-raisi@2021,IRNGOV,Ebrahim Raisi|Raisi,2021-08-03,,president",
     "minor  changed  actors ebrahim-raisi@2021: dates 2021-08-03..2024-05-19 -> 2021-08-03..open (widened) (actors/people.csv:3)"),
    ("rule-added", "codebook.toml", 14, 'negated = { "04" = "110", "01" = "110" }',
     "minor  added    rules negated.01: added (codebook.toml)"),
    ("name-removed", "actors/countries.csv", 2, "irn,IRN,Iran|Iranian,,,",
     "major  changed  actors irn: names removed 'Iranians' (actors/countries.csv:2)"),
    ("dates-narrowed", "actors/people.csv", 5, "donald-trump@2025,USAGOV,Donald Trump|Trump,2025-01-20,2029-01-20,president",
     "major  changed  actors donald-trump@2025: dates 2025-01-20..open -> 2025-01-20..2029-01-20 (narrowed) (actors/people.csv:5)"),
    ("code", "actors/countries.csv", 3, "irn-gov,IRNMIL,Tehran,,,seat of government",
     "major  changed  actors irn-gov: code 'IRNGOV' -> 'IRNMIL' (actors/countries.csv:3)"),
    ("pattern", "verbs/04_consult.csv", 3, "040.meet-with,040,meet + with,,",
     "major  changed  patterns 040.meet-with: pattern 'meet with +' -> 'meet + with' (verbs/04_consult.csv:3)"),
    ("flags", "verbs/04_consult.csv", 2, "040.meet,040,meet,,",
     "major  changed  patterns 040.meet: flags 'mutual' -> '' (verbs/04_consult.csv:2)"),
    ("event-meaning", "event_codes.csv", 6, "042,Host a delegation,04,042,1,1.9",
     "major  changed  event_codes 042: name 'Make a visit' -> 'Host a delegation' (another act: the code's meaning changed) (event_codes.csv:6)"),
    ("goldstein", "event_codes.csv", 7, "043,Host a visit,04,043,1,2.0",
     "major  changed  event_codes 043: goldstein 2.8 -> 2.0 (event_codes.csv:7)"),
    ("removed", "discards.csv", 2, "",
     "major  removed  discards football: removed (discards.csv:2)"),
    ("class", "actor_codes/types.csv", 4, "REB,Rebels,secondary_role",
     "major  changed  types REB: class 'primary_role' -> 'secondary_role' (actor_codes/types.csv)"),
]


def copy(tmp_path: Path, name: str, edits=(), version: str | None = None) -> Path:
    root = edited_codebook(tmp_path / name, edits)
    if version:
        toml = root / "codebook.toml"
        toml.write_text(toml.read_text(encoding="utf-8").replace('version = "1.1.0"', f'version = "{version}"'), encoding="utf-8")
    return root


@pytest.mark.parametrize(("case", "file", "line", "text", "expected"), EDITS, ids=[e[0] for e in EDITS])
def test_diff_reports_each_change_and_its_bump(tmp_path, case, file, line, text, expected):
    report = diff_codebooks(copy(tmp_path, "old"), copy(tmp_path, "new", [(file, line, text)]))
    assert [str(c) for c in report.changes] == [expected]
    assert report.required_bump == expected.split()[0]


def test_diff_identical_codebooks_need_no_bump(tmp_path):
    report = diff_codebooks(copy(tmp_path, "old"), copy(tmp_path, "new"))
    assert (report.changes, report.required_bump, report.check_bump()) == ((), "none", True)


def test_diff_moving_rows_is_no_change(tmp_path):
    new = copy(tmp_path, "new")
    path = new / "verbs" / "04_consult.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *reversed(rows)]) + "\n", encoding="utf-8")
    assert diff_codebooks(copy(tmp_path, "old"), new).changes == ()


def test_diff_required_bump_is_the_largest(tmp_path):
    edits = [e[1:4] for e in EDITS if e[0] in ("note", "actor-added", "flags")]
    report = diff_codebooks(copy(tmp_path, "old"), copy(tmp_path, "new", edits))
    assert [c.bump for c in report.changes] == ["patch", "minor", "major"]
    assert (report.required_bump, report.minimum_version) == ("major", "2.0.0")


@pytest.mark.parametrize(
    ("case", "version", "ok"),
    [
        ("note", "1.1.0", False),  # a change needs some bump
        ("note", "1.1.1", True),
        ("actor-added", "1.1.1", False),
        ("actor-added", "1.2.0", True),
        ("actor-added", "2.0.0", True),  # a larger bump than needed is allowed
        ("name-removed", "1.9.0", False),
        ("name-removed", "2.0.0", True),
        ("name-removed", "1.0.0", False),
        ("note", "1.2", False),  # not semver
    ],
)
def test_diff_check_bump(tmp_path, case, version, ok):
    edits = [e[1:4] for e in EDITS if e[0] == case]
    assert diff_codebooks(copy(tmp_path, "old"), copy(tmp_path, "new", edits, version)).check_bump() is ok


@pytest.mark.parametrize(("version", "args", "exit_code"), [("1.1.0", [], 0), ("1.1.0", ["--check-bump"], 1), ("1.2.0", ["--check-bump"], 0)])
def test_diff_cli_exit_codes(tmp_path, version, args, exit_code):
    edits = [e[1:4] for e in EDITS if e[0] == "actor-added"]
    old, new = copy(tmp_path, "old"), copy(tmp_path, "new", edits, version)
    result = CliRunner().invoke(main, ["codebook", "diff", str(old), str(new), *args])
    assert result.exit_code == exit_code, result.output
    assert "minor  added    actors rus-gov: added (actors/countries.csv:6)" in result.output
    assert ("is ok" if version == "1.2.0" else "is too small") in result.output


def test_diff_cli_json(tmp_path):
    edits = [e[1:4] for e in EDITS if e[0] == "name-removed"]
    result = CliRunner().invoke(main, ["codebook", "diff", str(copy(tmp_path, "old")), str(copy(tmp_path, "new", edits)), "--json", "--check-bump"])
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert (report["required_bump"], report["minimum_version"], report["bump_ok"]) == ("major", "2.0.0", False)
    assert report["changes"] == [{"table": "actors", "key": "irn", "kind": "changed", "bump": "major",
                                  "detail": "names removed 'Iranians'", "where": "actors/countries.csv:2"}]


def test_diff_missing_folder_is_not_ok(tmp_path):
    report = diff_codebooks(copy(tmp_path, "old"), tmp_path / "absent")
    assert report.unreadable and not report.ok()
