"""Mentions → events: one row per distinct (event_date, source_actor, target_actor, event_code).

Aggregation runs one partition at a time, so memory is bounded by the largest month, not the corpus.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pyarrow as pa

from events.codebook.compiler import CompiledCodebook
from events.dataset.schema import arrow_schema

KEY = ["event_date", "source_actor", "target_actor", "event_code"]
PRECISIONS = ("day", "week", "month", "year")
PRECISION_RANK = {p: k for k, p in enumerate(PRECISIONS)}
# the mention columns aggregation needs: reading only these keeps memory to a fraction of the partition
COLUMNS = KEY + ["date_precision", "pub_date", "doc_id", "sentence_index", "verb_start", "doc_source", "event_base_code",
                 "event_root_code", "quad_class", "goldstein", "codebook_version", "source_name", "target_name",
                 "event_label", "in_lead", "plover_event", "plover_mode", "plover_context"]
GEO_FIELDS = ("type", "name", "country", "adm1", "lat", "lon", "feature_id")
GEO_SETS = {"action": GEO_FIELDS + ("source",), "source": GEO_FIELDS, "target": GEO_FIELDS}
GEO_COLUMNS = [f"{who}_geo_{name}" for who, names in GEO_SETS.items() for name in names]


def global_event_id(event_date: dt.date, source_actor: str, target_actor: str | None, event_code: str) -> str:
    """The events row's id: a hash of its key. Every mention carries the id of the row it is aggregated into.

    >>> global_event_id(dt.date(2024, 7, 16), "IRNGOV", "RUSGOV", "040")
    'aba37a259a51bd2260e8'
    """
    key = "\x1f".join([event_date.isoformat(), source_actor, target_actor or "", event_code])
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def decompose(code: str | None, compiled: CompiledCodebook) -> tuple[str | None, str | None, str | None, str | None]:
    """Split a CAMEO actor code into (country, known group, first type, second type)."""
    if not code:
        return (None, None, None, None)
    chunks = [code[i : i + 3] for i in range(0, len(code), 3)]
    country = chunks[0] if chunks[0] in compiled.country_codes else None
    rest = chunks[1:] if country else chunks
    group = next((c for c in rest if c in compiled.group_codes and c not in compiled.role_codes), None)
    types = [c for c in rest if c in compiled.role_codes]
    return (country, group, types[0] if types else None, types[1] if len(types) > 1 else None)


def most_frequent_places(mentions: pl.DataFrame) -> dict[tuple, dict]:
    """Per event key, the geo columns of the event: for each of action, source and target, the place most of its
    mentions give (ties: the one its first mention gives, in the order of `mentions`); a place is left out of the
    key, so one event mentioned in several places is one row."""
    counts: dict[tuple, dict[str, dict[tuple, list[int]]]] = {}
    for position, row in enumerate(mentions.select(KEY + GEO_COLUMNS).iter_rows(named=True)):
        per_key = counts.setdefault(tuple(row[k] for k in KEY), {})
        for who, names in GEO_SETS.items():
            value = tuple(row[f"{who}_geo_{n}"] for n in names)
            if value[0] is None:
                continue
            seen = per_key.setdefault(who, {}).setdefault(value, [0, position])
            seen[0] += 1
    out = {}
    for key, per_key in counts.items():
        row = {}
        for who, names in GEO_SETS.items():
            options = per_key.get(who)
            best = min(options.items(), key=lambda kv: (-kv[1][0], kv[1][1]))[0] if options else (None,) * len(names)
            row.update({f"{who}_geo_{n}": v for n, v in zip(names, best)})
        out[key] = row
    return out


def aggregate_partition(files: list[Path], compiled: CompiledCodebook) -> pa.Table:
    """The events rows of one partition from its mention shards (any order: rows are sorted before grouping)."""
    mentions = pl.concat([pl.read_parquet(f, columns=COLUMNS + GEO_COLUMNS, hive_partitioning=False) for f in files],
                         how="vertical").sort(["pub_date", "doc_id", "sentence_index", "verb_start"])
    places = most_frequent_places(mentions)
    grouped = (
        mentions.drop(GEO_COLUMNS)
        .group_by(KEY, maintain_order=True)
        .agg(
            pl.col("date_precision").replace_strict(PRECISION_RANK, return_dtype=pl.Int8).min().alias("precision_rank"),
            pl.len().alias("num_mentions"),
            pl.col("doc_id").n_unique().alias("num_articles"),
            pl.col("doc_source").fill_null("\x00unknown").n_unique().alias("num_sources"),
            pl.col("doc_id").first().alias("first_doc_id"),
            pl.col("sentence_index").first().alias("first_sentence_index"),
            pl.col("event_base_code").first(),
            pl.col("event_root_code").first(),
            pl.col("quad_class").first(),
            pl.col("goldstein").first(),
            pl.col("plover_event").first(),
            pl.col("plover_mode").first(),
            pl.col("plover_context").first(),
            pl.col("codebook_version").first(),
            pl.col("source_name").first(),
            pl.col("target_name").first(),
            pl.col("event_label").first(),
            pl.col("pub_date").first().alias("first_pub_date"),
            pl.col("in_lead").first().alias("is_root_event"),
        )
        .sort(KEY, nulls_last=False)
    )
    rows = grouped.to_dicts()
    cache: dict = {}
    out = []
    for row in rows:
        src = cache.setdefault(row["source_actor"], decompose(row["source_actor"], compiled))
        tgt = cache.setdefault(row["target_actor"], decompose(row["target_actor"], compiled))
        out.append(
            {
                "global_event_id": global_event_id(row["event_date"], row["source_actor"], row["target_actor"], row["event_code"]),
                "event_date": row["event_date"],
                "date_precision": PRECISIONS[row["precision_rank"]],
                "source_actor": row["source_actor"],
                "source_name": row["source_name"],
                "source_country": src[0],
                "source_iso3": compiled.country_iso3.get(src[0]) if src[0] else None,
                "source_known_group": src[1],
                "source_type1": src[2],
                "source_type2": src[3],
                "target_actor": row["target_actor"],
                "target_name": row["target_name"],
                "target_country": tgt[0],
                "target_iso3": compiled.country_iso3.get(tgt[0]) if tgt[0] else None,
                "target_known_group": tgt[1],
                "target_type1": tgt[2],
                "target_type2": tgt[3],
                "event_code": row["event_code"],
                "event_label": row["event_label"],
                "event_base_code": row["event_base_code"],
                "event_root_code": row["event_root_code"],
                "quad_class": row["quad_class"],
                "goldstein": row["goldstein"],
                "plover_event": row["plover_event"],
                "plover_mode": row["plover_mode"],
                "plover_context": row["plover_context"],
                "num_mentions": row["num_mentions"],
                "num_articles": row["num_articles"],
                "num_sources": row["num_sources"],
                "first_doc_id": row["first_doc_id"],
                "first_sentence_index": row["first_sentence_index"],
                "first_pub_date": row["first_pub_date"],
                "is_root_event": row["is_root_event"],
                "codebook_version": row["codebook_version"],
                **places[tuple(row[k] for k in KEY)],
            }
        )
    return pa.Table.from_pylist(out, schema=arrow_schema("events"))
