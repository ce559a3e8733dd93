"""The bundled codebook: it loads, it matches the CAMEO reference it was transcribed from, its actors resolve."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from events.codebook.records import read_codebook
from events.codebook.validate import validate_codebook
from events.coding.actors import actors_in

from conftest import FIXTURES, MINIMAL_CODEBOOK, ROOT, shared_path


def test_codebook_bundled_loads_without_problems(codebook):
    assert codebook.name == "cameo"
    assert codebook.ok
    assert len(codebook.event_types) == 316  # GDELT's 311 and the manual's five (155, 176, 1834, 1951, 1952)
    assert {code[:2] for code in codebook.event_types} == {f"{r:02d}" for r in range(1, 21)}


def _quad_class(code: str) -> int:
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


def test_codebook_event_codes_match_reference(codebook):
    """Names are the CAMEO 1.1b3 manual's; GDELT's label is kept where it differs; scores and classes are GDELT's."""
    reference = shared_path("reference", "cameo_event_codes.csv")
    rows = list(csv.DictReader(reference.open(encoding="utf-8")))
    assert len(rows) == len(codebook.event_types)
    for row in rows:
        ours = codebook.event_types[row["code"]]
        assert (ours.name, ours.root_code, ours.base_code) == (row["manual_name"], row["root_code"], row["base_code"]), row["code"]
        assert ours.gdelt_name == (row["name"] if row["name"] != row["manual_name"] else ""), row["code"]
        if row["name"]:  # in GDELT's lookup: its Goldstein score and quad class
            assert (ours.quad_class, ours.goldstein) == (int(row["quad_class"]), float(row["goldstein"])), row["code"]
        else:  # only in the manual: the quad class of its root (GDELT's rule), the Goldstein score of its base act
            base = {"155": "150", "176": "170"}.get(row["code"], row["base_code"])
            assert ours.quad_class == _quad_class(row["code"]), row["code"]
            assert ours.goldstein == codebook.event_types[base].goldstein, row["code"]


def test_codebook_event_code_meanings_that_changed_from_gdelt(codebook):
    """Codebook 2.0: the seven codes whose GDELT label names a different act than the manual's definition."""
    changed = {
        "101": ("Demand material cooperation, not specified below", "Demand information, investigation"),
        "102": ("Demand diplomatic cooperation (such as policy support)", "Demand policy support"),
        "103": ("Demand material aid, not specified below", "Demand aid, protection, or peacekeeping"),
        "105": ("Demand that target yields, not specified below", "Demand mediation"),
        "106": ("Demand meeting, negotiation", "Demand withdrawal"),
        "107": ("Demand settling of dispute", "Demand ceasefire"),
        "108": ("Demand mediation", "Demand meeting, negotiation"),
    }
    for code, (name, gdelt) in changed.items():
        assert (codebook.event_types[code].name, codebook.event_types[code].gdelt_name) == (name, gdelt)
    for code in ("155", "176", "1834", "1951", "1952"):
        assert codebook.event_types[code].gdelt_name == ""


def test_codebook_demand_patterns_follow_the_manual(codebook):
    """No demand pattern is coded by GDELT's labels: withdrawal and ceasefire are 1056, talks 106, mediation 108."""
    by_id = {p.id: p.code for p in codebook.patterns}
    assert by_id["1056.demand-withdrawal-of-troops"] == "1056"
    assert by_id["1056.demand-ceasefire"] == "1056"
    assert by_id["106.demand-talks"] == "106"
    assert by_id["108.demand-mediation"] == "108"
    assert by_id["1053.demand-release-of"] == "1053"
    assert by_id["107.demand-settle-dispute"] == "107"
    assert not [p.id for p in codebook.patterns if p.code == "101" and "information" in p.pattern]


def test_codebook_country_codes_match_reference(codebook):
    reference = shared_path("reference", "cameo_country_codes.csv")
    rows = {r["code"]: r["label"] for r in csv.DictReader(reference.open(encoding="utf-8"))}
    ours = {code: label for code, (label, *_) in codebook.countries.items()}
    assert {code: ours.get(code) for code in rows} == rows
    # countries born after CAMEO 1.1b3, added with their ISO 3166 codes (see CHANGELOG.md)
    assert sorted(set(ours) - set(rows)) == ["SSD", "XKX"]


def test_codebook_every_country_has_an_actor_entry(codebook):
    coded = {a.code[:3] for a in codebook.actors}
    missing = sorted(set(codebook.countries) - coded)
    assert not missing, f"countries without actor names: {missing}"


def test_codebook_content_hash_changes_with_content(tmp_path, codebook):
    import shutil

    copy = tmp_path / "cb"
    shutil.copytree(codebook.path, copy)
    original = read_codebook(copy).content_hash
    other = tmp_path / "elsewhere" / "cameo"
    shutil.copytree(copy, other)
    assert read_codebook(other).content_hash == original  # the hash depends on content only, not on the folder
    with (copy / "CHANGELOG.md").open("a") as handle:
        handle.write("\n")
    assert read_codebook(copy).content_hash != original


def _identity_cases(name):
    path = FIXTURES / name
    if not path.exists():
        return []
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            cases.append(pytest.param(*line.split("\t"), id=f"{name}:{number}"))
    return cases


@pytest.mark.parametrize("phrase, expected, date", _identity_cases("actors_identity.txt"))
def test_codebook_actor_identity(compiled, phrase, expected, date):
    found = actors_in(phrase, compiled, dt.date.fromisoformat(date))
    assert [a.code for a in found][:1] == [expected]


@pytest.mark.parametrize("phrase", [p.values[0] for p in _identity_cases("actors_invalid.txt")])
def test_codebook_actor_invalid(compiled, phrase):
    assert actors_in(phrase, compiled, dt.date(2024, 7, 17)) == []


@pytest.mark.parametrize("name, date, expected", _identity_cases("people_dated.txt"))
def test_codebook_people_dated_roles(compiled, name, date, expected):
    found = [a.code for a in actors_in(name, compiled, dt.date.fromisoformat(date))]
    assert found == ([] if expected == "-" else [expected])


def test_codebook_iso_codes_agree_with_pycountry(codebook):
    """Our CAMEO → ISO 3166-1 mapping (actor_codes/countries.csv, column iso3) against pycountry's copy of the standard."""
    import pycountry

    for code, (label, kind, iso3) in sorted(codebook.countries.items()):
        by_code = pycountry.countries.get(alpha_3=code)
        if iso3:
            assert pycountry.countries.get(alpha_3=iso3) is not None, f"{code}: {iso3!r} is not an ISO 3166-1 code"
        if by_code is not None and kind == "country_or_territory":
            assert iso3 == code, f"{code} ({label}) is itself ISO 3166-1 {by_code.name}, mapped to {iso3!r}"
        if kind == "region":
            assert not iso3, f"region {code} ({label}) cannot have a country code"
        if not iso3 and kind == "country_or_territory":  # "where one exists": none by its code, none by its name
            assert by_code is None
            with pytest.raises(LookupError):
                pycountry.countries.lookup(label)
    # legacy CAMEO codes that are not ISO codes map to the standard's code for the same country
    assert {c: codebook.countries[c][2] for c in ("ROM", "TMP", "IMY")} == {"ROM": "ROU", "TMP": "TLS", "IMY": "IMN"}


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst)
    return dst


def test_codebook_edited_without_a_version_bump_is_labelled_with_its_content_hash(tmp_path, codebook):
    assert codebook.unreleased is None and codebook.label == f"cameo@{codebook.version}"  # the bundled one is released
    copy = _copy(codebook.path, tmp_path / "cb")
    people = copy / "actors" / "people.csv"
    people.write_text(people.read_text(encoding="utf-8") + "jane-doe@2024,USAGOV,Jane Doe,2024-01-01,,invented\n", encoding="utf-8")
    edited = read_codebook(copy)
    assert edited.version == codebook.version and edited.content_hash != codebook.content_hash
    assert edited.label == f"cameo@{codebook.version}+{edited.content_hash[:8]}"
    assert "changed since version" in edited.unreleased
    (copy / "release.toml").unlink()
    assert read_codebook(copy).label == edited.label and "no release record" in read_codebook(copy).unreleased


def test_codebook_release_command_records_the_content_and_refuses_a_second_release_of_a_version(tmp_path):
    from click.testing import CliRunner

    from events.cli import main

    copy = _copy(MINIMAL_CODEBOOK, tmp_path / "cb")
    (copy / "discards.csv").write_text((copy / "discards.csv").read_text() + "concert,concert,sentence,\n")
    assert read_codebook(copy).label.startswith("mini@1.1.0+")
    result = CliRunner().invoke(main, ["codebook", "release", str(copy), "--date", "2026-01-15"])
    assert result.exit_code == 1 and "already released" in result.output  # 1.1.0 shipped with other files
    toml = copy / "codebook.toml"
    toml.write_text(toml.read_text().replace('version = "1.1.0"', 'version = "1.2.0"'))
    (copy / "CHANGELOG.md").write_text((copy / "CHANGELOG.md").read_text().replace("## 1.1.0", "## 1.2.0\n- Concerts.\n\n## 1.1.0"))
    result = CliRunner().invoke(main, ["codebook", "release", str(copy), "--date", "2026-01-15"])
    assert result.exit_code == 0, result.output
    released = read_codebook(copy)
    assert (released.label, released.released, released.unreleased) == ("mini@1.2.0", dt.date(2026, 1, 15), None)
    assert validate_codebook(copy).problems == ()


_CLOCK_AHEAD = """
import datetime, sys, time
years = 10 * 365 * 86400
class Date(datetime.date):
    @classmethod
    def today(cls):
        return datetime.date.fromtimestamp(time.time())
class DateTime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.fromtimestamp(time.time(), tz)
_real_time = time.time
time.time = lambda: _real_time() + years
datetime.date, datetime.datetime = Date, DateTime
assert datetime.date.today().year >= 2035
from events.cli import main
sys.exit(main())
"""


@pytest.mark.parametrize("ahead", [False, True])
def test_codebook_bundled_passes_strict_validation_whatever_the_clock(ahead):
    """Date-dependent warnings count from the codebook's `released` date: ten years on, it validates the same way."""
    import os
    import subprocess
    import sys

    code = _CLOCK_AHEAD if ahead else "import sys; from events.cli import main; sys.exit(main())"
    result = subprocess.run([sys.executable, "-c", code, "codebook", "validate", "--strict"], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith(": 0 error(s), 0 warning(s): ok")
