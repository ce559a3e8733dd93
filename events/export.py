"""`events export DIR --format gdelt`: the events table in GDELT 2.0's 61-column event-table layout.

Tab-separated, one event a line, no header (as GDELT's `*.export.CSV` files), UTF-8, in the events table's
order (partition, then event_date, source, target, code). Only fields we produce are filled; the others
(names, ethnic and religion codes, Type3, IsRootEvent, AvgTone, all geography, DATEADDED) are left empty
rather than invented. Column order and meanings: `../shared/reference/gdelt_event_schema.md` (GDELT Event
Codebook V2.0).

GLOBALEVENTID must be an integer for GDELT tooling; ours is a hex digest of the event key, so the export
uses its first 16 hex digits as a 63-bit integer (`int(global_event_id[:16], 16) >> 1`): stable across
builds, the same for the same event in any dataset. Collisions are unlikely but not impossible (birthday
bound n²/2⁶⁴: about 5e-8 for a million events, 5% for a billion); `global_event_id` stays the exact key.
SOURCEURL is the URL of the event's first document, when the input gave one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

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
FORMATS = ("gdelt",)


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
        "GoldsteinScale": _number(event["goldstein"]),
        "SOURCEURL": _clean(url),
    })
    for column, ours in _FROM_EVENTS.items():
        fields[column] = _clean(event[ours])
    return [fields[c] for c in GDELT_COLUMNS]


def export(out: str | Path, target: str | Path, fmt: str = "gdelt", header: bool = False) -> ExportReport:
    """Write the events table of the dataset in `out` to `target` ("-" for standard output) in format `fmt`.

    Reads one events partition at a time, and of the documents table only `doc_id` and `url`.
    """
    import polars as pl

    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = Path(out)
    if not (out / "manifest.json").is_file():
        raise ExportError(f"{out}: no manifest.json; is it a dataset built by `events build`?")
    partitions = sorted((out / "events").glob("year=*/month=*/*.parquet"))
    document_files = sorted((out / "documents").glob("year=*/month=*/*.parquet"))
    handle = sys.stdout if str(target) == "-" else open(target, "w", encoding="utf-8", newline="\n")
    rows = 0
    try:
        if header:
            handle.write("\t".join(GDELT_COLUMNS) + "\n")
        for path in partitions:
            events = pl.read_parquet(path, hive_partitioning=False)
            urls: dict[str, str] = {}
            if document_files:
                wanted = events["first_doc_id"].unique()
                found = (pl.scan_parquet(document_files, hive_partitioning=False).select("doc_id", "url")
                         .filter(pl.col("doc_id").is_in(wanted.implode())).collect())
                urls = {d: u for d, u in found.iter_rows() if u}
            for event in events.iter_rows(named=True):
                handle.write("\t".join(gdelt_row(event, urls.get(event["first_doc_id"]))) + "\n")
                rows += 1
    finally:
        if handle is not sys.stdout:
            handle.close()
    return ExportReport(str(target), rows)
