"""Arrow schemas of the dataset tables, read from the JSON files in `schemas/` (the single source of truth).

The JSON files document every column for people; this module turns them into `pyarrow.Schema`s so the
writer and the tests use exactly what the documentation says.
"""

from __future__ import annotations

import json
from functools import cache

import pyarrow as pa

from events.resources import schemas_dir

TABLES = ("mentions", "events", "documents")
LABELS = ("event_codes", "actor_codes", "countries")  # the codebook's lookup tables: DIR/labels/<name>.parquet

_TYPES = {
    "string": pa.string(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "date32": pa.date32(),
    "bool": pa.bool_(),
    "list<string>": pa.list_(pa.string()),
}


@cache
def table_spec(name: str) -> dict:
    return json.loads((schemas_dir() / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema of table `name`, with the table's schema version in its metadata."""
    spec = table_spec(name)
    fields = [pa.field(c["name"], _TYPES[c["type"]], nullable=c["nullable"]) for c in spec["columns"]]
    return pa.schema(fields, metadata={"events.table": name, "events.schema_version": spec["version"]})


def type_name(arrow_type: pa.DataType) -> str:
    for name, candidate in _TYPES.items():
        if candidate == arrow_type:
            return name
    return str(arrow_type)
