"""The validator: one small broken copy of `fixtures/codebooks/minimal` per problem code, with the exact report.

Each case changes one line of the minimal codebook (line 0: append; text None: delete the file) and lists every
line `events codebook validate` must print for it, paths relative to the copy. A maintainer adding a check
adds a row here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from events.cli import main
from events.codebook.records import CodebookError, write_release_record
from events.codebook.loader import load_codebook
from events.problems import CATALOGUE
from events.codebook.validate import validate_codebook

from conftest import MINIMAL_CODEBOOK, edited_codebook

CASES = [
    # (case, file, line, replacement, *expected report lines)
    ('CB001-actor-id', 'actors/countries.csv', 0, 'irn,IRN,Persia,,,',
     "cb/actors/countries.csv:6: [CB001] duplicate actor id 'irn'; first defined at actors/countries.csv:2",),
    ('CB001-event-code', 'event_codes.csv', 0, '040,Consult again,04,040,1,1.0',
     "cb/event_codes.csv:12: [CB001] duplicate code '040'; first defined at line 5",),
    ('CB001-pattern', 'verbs/04_consult.csv', 0, '040.meet-with-2,040,Meet  With +,,',
     "cb/verbs/04_consult.csv:6: [CB001] duplicate pattern 'Meet With +' (040.meet-with-2); identical to 040.meet-with at verbs/04_consult.csv:3. Remove one",),
    ('CB001-discard', 'discards.csv', 0, 'football-2,Football  match,sentence,',
     "cb/discards.csv:3: [CB001] duplicate discard phrase 'Football match' (football-2); first defined as 'football' at line 2",),
    ('CB002-pattern', 'verbs/04_consult.csv', 3, '040.meet-with,0400,meet with +,,',
     "cb/verbs/04_consult.csv:3: [CB002] unknown event code '0400' in pattern 'meet with +'; expected a code from event_codes.csv. Did you mean '040'?",
     "cb/verbs/04_consult.csv:3: [CB009] warning: pattern id '040.meet-with' should start with its code '0400.'"),
    ('CB002-rules', 'codebook.toml', 14, 'negated = { "04" = "1100" }',
     "cb/codebook.toml:14: [CB002] [rules -> negated -> 04] maps to unknown event code '1100'; expected a code from event_codes.csv. Did you mean '110'?",),
    ('CB003-actor', 'actors/countries.csv', 3, 'irn-gov,IRNGVO,Tehran,,,',
     "cb/actors/countries.csv:3: [CB003] invalid actor code 'IRNGVO' for 'irn-gov': 'GVO' is not a type, role, group, religion or ethnic code. Did you mean 'GOV'?",),
    ('CB003-agent', 'agents.csv', 2, 'gov-fm,GOB,foreign minister,',
     "cb/agents.csv:2: [CB003] agent 'gov-fm' has code 'GOB', not a type/role code from actor_codes/types.csv. Did you mean 'GOV'?",),
    ('CB004', 'actors/people.csv', 3, 'ebrahim-raisi@2021,IRNGOV,Ebrahim Raisi,2021-8-03,2024-05-19,',
     "cb/actors/people.csv:3: [CB004] malformed date '2021-8-03' in column 'valid_from'; expected YYYY-MM-DD. Did you mean '2021-08-03'?",),
    ('CB005', 'actors/people.csv', 3, 'ebrahim-raisi@2021,IRNGOV,Ebrahim Raisi,2024-05-19,2021-08-03,',
     "cb/actors/people.csv:3: [CB005] inverted date range 2024-05-19 > 2021-08-03 for 'ebrahim-raisi@2021': valid_from is after valid_to. Swapped columns?",),
    ('CB006', 'actors/people.csv', 4, 'donald-trump@2017,USAGOV,Donald Trump|Trump,2017-01-20,2025-06-01,',
     "cb/actors/people.csv:5: [CB006] role 'donald-trump@2025' (from 2025-01-20) overlaps 'donald-trump@2017' (until 2025-06-01, actors/people.csv:4) of the same person 'donald-trump'; end one period before the next starts",),
    ('CB007', 'verbs/04_consult.csv', 4, '042.visit,042,visit + +,,',
     "cb/verbs/04_consult.csv:4: [CB007] pattern 'visit + +' (042.visit) does not parse: '+' twice in a row",),
    ('CB008-identical', 'verbs/04_consult.csv', 0, '043.meet-with,043,meet with +,,',
     "cb/verbs/04_consult.csv:6: [CB008] pattern 'meet with +' (043.meet-with, code 043) can never fire: it is identical to 'meet with +' (040.meet-with, code 040, verbs/04_consult.csv:3), which is tried first. Remove one",),
    ('CB008-shadowed', 'verbs/11_disapprove.csv', 0, '112.criticise,112,criticise,,',
     "cb/verbs/11_disapprove.csv:5: [CB008] pattern 'criticise' (112.criticise, code 112) can never fire: 'criticise +' (110.criticise, code 110, verbs/11_disapprove.csv:4) is tried first and matches wherever it does. Remove one, or add a literal word to this one so it is tried first",),
    ('CB008-redundant', 'verbs/11_disapprove.csv', 0, '110.criticise-2,110,criticise,mutual,',
     "cb/verbs/11_disapprove.csv:5: [CB008] warning: pattern 'criticise' (110.criticise-2) can never fire: 'criticise +' (110.criticise, verbs/11_disapprove.csv:4) is tried first and matches wherever it does; its flags (mutual) never apply. Remove it",),
    ('CB009-column', 'verbs/01_statement.csv', 1, 'id,code,patern,flags,note',
     "cb/verbs/01_statement.csv:1: [CB009] missing column 'pattern'; expected columns id, code, pattern, flags, note",
     "cb/verbs/01_statement.csv:1: [CB016] unknown column 'patern'. Did you mean 'pattern'?"),
    ('CB009-scope', 'discards.csv', 2, 'football,football match,sentense,',
     "cb/discards.csv:2: [CB009] discard 'football' has scope 'sentense'; expected one of document, sentence. Did you mean 'sentence'?",),
    ('CB003-rule-role', 'codebook.toml', 0, 'unnamed_people = { "04" = "GVO" }',
     "cb/codebook.toml:17: [CB003] [rules -> unnamed_people -> 04] = 'GVO' is not a role code from actor_codes/types.csv. Did you mean 'GOV'?",),
    ('CB021', 'gender.csv', 0, 'sergei-lavrov,m,',
     "cb/gender.csv:3: [CB021] gender given for 'sergei-lavrov', who is not an actor id (the part before '@'). Did you mean 'sergey-lavrov'?",),
    ('CB010', 'event_codes.csv', 7, '043,Host a visit,04,043,1,12.0',
     "cb/event_codes.csv:7: [CB010] goldstein 12.0 of '043' is outside [-10, 10]",),
    ('CB011', 'event_codes.csv', 5, '040,"Consult, not specified below",04,040,2,1.0',
     "cb/event_codes.csv:5: [CB011] quad class 2 of '040' is inconsistent with root 04; expected 1",),
    ('CB012', 'event_codes.csv', 0, '0441,Orphan,04,044,1,1.0',
     "cb/event_codes.csv:12: [CB012] code '0441' has no parent '044'; add '044' or fix the code",
     "cb/plover.csv: [CB025] event code '0441' (Orphan) has no PLOVER mapping; add a row '0441,EVENT,mode,context,basis,note' (basis none, with the reason in the note, when PLOVER has no such event)"),
    ('CB013', 'codebook.toml', 3, 'version = "1.1"',
     "cb/CHANGELOG.md: [CB014] no entry '## 1.1' for the current version (the newest entry is '## 1.1.0' at line 3); add one saying what changed",
     "cb/codebook.toml:3: [CB013] version '1.1' is not semantic versioning; expected MAJOR.MINOR.PATCH, e.g. '1.0.0'"),
    ('CB014', 'codebook.toml', 3, 'version = "1.2.0"',
     "cb/CHANGELOG.md: [CB014] no entry '## 1.2.0' for the current version (the newest entry is '## 1.1.0' at line 3); add one saying what changed",),
    ('CB014-newer', 'CHANGELOG.md', 2, '## 1.2.0\n',
     "cb/CHANGELOG.md:2: [CB014] entry '## 1.2.0' is newer than the codebook version '1.1.0' in codebook.toml; bump the version or fix the heading",),
    ('CB015', 'agents.csv', 0, None,
     "cb/agents.csv: [CB015] missing file 'agents.csv'; every codebook needs it",),
    ('CB015-root-verb-file', 'verbs/11_disapprove.csv', 0, None,
     "cb/verbs/11_*.csv: [CB015] missing verb file for root 11 (DISAPPROVE): every root of event_codes.csv needs a file verbs/11_<name>.csv",),
    ('CB024', 'gender.csv', 2, '',
     "cb/gender.csv: [CB024] warning: 'gender.csv' holds only its header: it gives the coder nothing. Emptied by mistake? Restore its entries",),
    ('CB016-key', 'codebook.toml', 6, 'langauge = "en"',
     "cb/codebook.toml:6: [CB016] unknown key 'langauge'; expected one of description, language, name, released, rules, sources, version. Did you mean 'language'?",),
    ('CB016-column', 'agents.csv', 1, 'id,code,names,notes',
     "cb/agents.csv:1: [CB016] unknown column 'notes'. Did you mean 'note'?",),
    ('CB017', 'verbs/04_consult.csv', 2, '040.meet,040,meet,mutal,',
     "cb/verbs/04_consult.csv:2: [CB017] unknown flag(s) mutal in '040.meet'; expected ignore, mutual, no_target, noun, source_slot. Did you mean 'mutual'?",),
    ('CB018', 'actors/organizations.csv', 0, 'iran-un-mission,IRNGOV,Iran,,,',
     "cb/actors/organizations.csv:4: [CB018] warning: name 'Iran' of 'iran-un-mission' (IRNGOV) is also a name of 'irn' (IRN, actors/countries.csv:2) on overlapping dates; the coder would pick one silently. Remove it from one entry or make the dates disjoint",),
    ('CB019', 'actors/people.csv', 2, 'sergey-lavrov@2004,RUSGOV,Sergey Lavrov|Lavrov,2004-03-09,,foreign minister',
     "cb/actors/people.csv:2: [CB019] warning: open-ended role of 'sergey-lavrov@2004' (RUSGOV) started in 2004; still in office? Set valid_to, or write 'checked YYYY-MM-DD' in the note",),
    ('CB020', 'codebook.toml', 10, 'sha256 = "c4ec9137"',
     "cb/codebook.toml:7: [CB020] source 'cameo_event_codes.csv' has sha256 'c4ec9137'; expected 64 lower-case hex digits (sha256sum FILE)",),
    ('CB020-missing', 'codebook.toml', 10, '',
     "cb/codebook.toml:7: [CB020] warning: source 'cameo_event_codes.csv' has no sha256; record the hash of the file read (sha256sum FILE)",),
    ('CB022', 'codebook.toml', 4, 'released = "last spring"',
     "cb/codebook.toml:4: [CB022] released = 'last spring' is not a date; expected released = YYYY-MM-DD, the day this version was released",),
    ('CB022-missing', 'codebook.toml', 4, '',
     "cb/codebook.toml: [CB022] warning: no 'released' date: the stale-role check (CB019) counts from it and is skipped; `events codebook release` sets it",),
    ('CB025', 'plover.csv', 7, '',
     "cb/plover.csv: [CB025] event code '043' (Host a visit) has no PLOVER mapping; add a row '043,EVENT,mode,context,basis,note' (basis none, with the reason in the note, when PLOVER has no such event)",),
    ('CB025-no-reason', 'plover.csv', 2, '01,,,,none,',
     "cb/plover.csv:2: [CB025] '01' has no PLOVER event and no note; say why PLOVER has none",),
    ('CB025-terms-of-none', 'plover.csv', 2, '01,CONSULT,,,none,dropped',
     "cb/plover.csv:2: [CB025] '01' has basis none but names PLOVER terms; empty them or give the basis",),
    ('CB025-no-event', 'plover.csv', 5, '040,,,,table,',
     "cb/plover.csv:5: [CB025] '040' has basis table but no plover_event; name one, or use basis none with the reason",),
    ('CB025-amended-no-note', 'plover.csv', 5, '040,CONSULT,,,amended,',
     "cb/plover.csv:5: [CB025] '040' has basis amended and no note; say what the source wrote, or why",),
    ('CB026', 'plover.csv', 7, '043,CONSULT,vist,,table,',
     "cb/plover.csv:7: [CB026] mode 'vist' of '043' is not a mode of CONSULT; expected one of phone, visit. Did you mean 'visit'?",),
    ('CB026-mode-of-another-event', 'plover.csv', 9, '110,ACCUSE,visit,,table,',
     "cb/plover.csv:9: [CB026] mode 'visit' of '110' is not a mode of ACCUSE; expected one of allege, disapprove.",),
    ('CB026-event', 'plover.csv', 5, '040,CONSUL,,,table,',
     "cb/plover.csv:5: [CB026] 'CONSUL' of '040' is not a PLOVER event type in plover_vocabulary.csv. Did you mean 'CONSULT'?",),
    ('CB026-context', 'plover.csv', 11, '1121,ACCUSE,allege,crime;corupption,table,',
     "cb/plover.csv:11: [CB026] context 'corupption' of '1121' is not a PLOVER context in plover_vocabulary.csv. Did you mean 'corruption'?",),
    ('CB002-plover', 'plover.csv', 0, '044,CONSULT,,,table,',
     "cb/plover.csv:12: [CB002] '044' is not a code in event_codes.csv. Did you mean '040'?",),
    ('CB009-plover-basis', 'plover.csv', 5, '040,CONSULT,,,tabel,',
     "cb/plover.csv: [CB025] event code '040' (Consult, not specified below) has no PLOVER mapping; add a row '040,EVENT,mode,context,basis,note' (basis none, with the reason in the note, when PLOVER has no such event)",
     "cb/plover.csv:5: [CB009] basis 'tabel' of '040'; expected one of table, amended, ours, none. Did you mean 'table'?",),
    ('CB009-plover-kind', 'plover_vocabulary.csv', 0, 'contxt,,peace,',
     "cb/plover_vocabulary.csv:11: [CB009] kind 'contxt' of 'peace'; expected one of event, mode, context. Did you mean 'context'?",),
    ('CB015-plover-vocabulary', 'plover_vocabulary.csv', 0, None,
     "cb/plover_vocabulary.csv: [CB015] missing file 'plover_vocabulary.csv'; every codebook needs it",),
    ('CB023', 'actor_codes/countries.csv', 0, 'XKX,Kosovo,country_or_territory,XKX',
     "cb/actor_codes/countries.csv:7: [CB023] warning: iso3 'XKX' of 'XKX' is not an ISO 3166-1 alpha-3 code in pycountry's copy of the standard; leave it empty where the standard has none",),
]


def broken_copy(tmp_path: Path, monkeypatch, edits) -> Path:
    """Copy the minimal codebook to ./cb inside tmp_path (the cwd, so reported paths are short) and apply edits; the
    edited copy is recorded as released (release.toml), so a report lists only the problem planted."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp_path)
    root = edited_codebook(Path("cb"), edits)
    if (root / "codebook.toml").is_file():
        write_release_record(root)
    return root


def test_validate_minimal_codebook_is_clean():
    assert validate_codebook(MINIMAL_CODEBOOK).problems == ()


@pytest.mark.parametrize(("case", "file", "line", "text", "expected"), [(c[0], c[1], c[2], c[3], c[4:]) for c in CASES],
                         ids=[c[0] for c in CASES])
def test_validate_reports_each_problem_exactly(tmp_path, monkeypatch, case, file, line, text, expected):
    report = validate_codebook(broken_copy(tmp_path, monkeypatch, [(file, line, text)]))
    assert [str(p) for p in report.problems] == list(expected)
    assert case.split("-")[0] in {p.code for p in report.problems}


def test_validate_every_codebook_code_has_a_case():
    covered = {c[0].split("-")[0] for c in CASES}
    assert {code for code in CATALOGUE if code.startswith("CB")} <= covered


def test_validate_reports_every_problem_sorted_by_file_and_line(tmp_path, monkeypatch):
    edits = [(c[1], c[2], c[3]) for c in CASES if c[0] in ("CB017", "CB010", "CB004", "CB012", "CB003-agent")]
    report = validate_codebook(broken_copy(tmp_path, monkeypatch, edits))
    assert [p.code for p in report.problems] == ["CB004", "CB003", "CB010", "CB012", "CB025", "CB017"]
    assert list(report.problems) == sorted(report.problems)


def test_validate_load_refuses_errors_but_not_warnings(tmp_path, monkeypatch):
    warned = broken_copy(tmp_path / "w", monkeypatch, [c[1:4] for c in CASES if c[0] == "CB008-redundant"])
    assert load_codebook(tmp_path / "w" / warned).name == "mini"
    broken = broken_copy(tmp_path / "e", monkeypatch, [c[1:4] for c in CASES if c[0] == "CB010"])
    with pytest.raises(CodebookError, match=r"\[CB010\]"):
        load_codebook(tmp_path / "e" / broken)
    # shadowing is a whole-codebook analysis that `events codebook validate` runs; loading for a build skips it
    shadowed = broken_copy(tmp_path / "s", monkeypatch, [c[1:4] for c in CASES if c[0] == "CB008-shadowed"])
    assert load_codebook(tmp_path / "s" / shadowed).name == "mini"
    assert any(p.code == "CB008" and p.severity == "error" for p in validate_codebook(tmp_path / "s" / shadowed).problems)


@pytest.mark.parametrize(
    ("case", "args", "exit_code"),
    [
        (None, [], 0),
        (None, ["--strict"], 0),
        ("CB019", [], 0),  # a warning passes...
        ("CB019", ["--strict"], 3),  # ...unless --strict
        ("CB010", [], 3),  # codebook problems exit 3 (README, exit codes)
    ],
)
def test_validate_cli_exit_codes(tmp_path, monkeypatch, case, args, exit_code):
    edits = [c[1:4] for c in CASES if c[0] == case]
    root = broken_copy(tmp_path, monkeypatch, edits)
    if case == "CB019":  # a role twelve years older than the release date of the copy, 2025-06-01
        path = root / "actors" / "people.csv"
        path.write_text(path.read_text(encoding="utf-8").replace("2004-03-09", "1904-03-09"), encoding="utf-8")
        write_release_record(root)
    result = CliRunner().invoke(main, ["codebook", "validate", str(root), *args])
    assert result.exit_code == exit_code, result.output
    assert result.output.rstrip().endswith("ok" if exit_code == 0 else "FAILED")


def test_validate_cli_json(tmp_path, monkeypatch):
    root = broken_copy(tmp_path, monkeypatch, [c[1:4] for c in CASES if c[0] == "CB010"])
    result = CliRunner().invoke(main, ["codebook", "validate", str(root), "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 3
    assert (report["ok"], report["errors"], report["warnings"]) == (False, 1, 0)
    assert report["problems"] == [{"path": "cb/event_codes.csv", "line": 7, "code": "CB010", "severity": "error",
                                   "name": "goldstein-out-of-range", "message": "goldstein 12.0 of '043' is outside [-10, 10]"}]


def test_validate_bundled_codebook_has_no_errors():
    report = validate_codebook()
    assert report.errors == [], "\n".join(map(str, report.errors))



@pytest.mark.parametrize(("file", "content", "severity"), [
    ("verbs/04_consult.csv", "id,code,pattern,flags,note\n", "warning"),  # a root's patterns all gone
    ("actors/people.csv", "", "warning"),
    ("event_codes.csv", "code,name,gdelt_name,root_code,base_code,quad_class,goldstein\n", "error"),  # nothing codes
])
def test_validate_notices_an_emptied_file(tmp_path, monkeypatch, file, content, severity):
    root = broken_copy(tmp_path, monkeypatch, [])
    (root / file).write_text(content, encoding="utf-8")
    empty = [p for p in validate_codebook(root).problems if p.code == "CB024"]
    assert [(p.path, p.severity) for p in empty] == [(f"cb/{file}", severity)]
    strict = CliRunner().invoke(main, ["codebook", "validate", str(root), "--strict"])
    assert strict.exit_code == 3 and "[CB024]" in strict.output
