"""The bundled codebook: it loads, it matches the CAMEO reference it was transcribed from, its actors resolve."""

import csv
import datetime as dt

import pytest

from events.codebook import read_codebook
from events.actors import actors_in

from conftest import FIXTURES, shared_path


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
    ours = {code: label for code, (label, _) in codebook.countries.items()}
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
