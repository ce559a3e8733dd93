"""The codebook's lookup tables, written into every dataset as typed Parquet (`DIR/labels/*.parquet`).

A dataset carries codes (`IRNGOV`, `040`, `IRN`); these tables say what they mean, so a reader needs nothing but the
dataset to label them, and codes stay text (leading zeros kept) whatever reads them:

    labels/event_codes.parquet   the codebook's event codes: name, GDELT's label, root, base, quad class, Goldstein
    labels/actor_codes.parquet   every three-letter actor code: country, type, known group, religion, ethnic
    labels/countries.parquet     CAMEO country codes with their ISO 3166-1 alpha-3, alpha-2, numeric code and name

The CAMEO → ISO mapping is the codebook's (`actor_codes/countries.csv`, column `iso3`); the rest of the ISO data
comes from pycountry's copy of ISO 3166-1 (the maintained library the validator checks the mapping against), whose
version the manifest records. The columns are documented in `schemas/labels/`.
"""

from __future__ import annotations

import pyarrow as pa

from events.codebook.records import Codebook
from events.dataset.schema import LABELS, arrow_schema

ACTOR_CODE_KINDS = ("country", "type", "known_group", "religion", "ethnic")


def iso_source() -> str:
    """Where the ISO 3166 data comes from, with its version (recorded in the manifest)."""
    from importlib.metadata import version

    return f"pycountry {version('pycountry')}"


def label_tables(codebook: Codebook) -> dict[str, pa.Table]:
    """The lookup tables of `codebook`, by name (`LABELS`), rows sorted by their key."""
    import pycountry

    events = [{"code": t.code, "name": t.name, "gdelt_name": t.gdelt_name or None, "root_code": t.root_code,
               "base_code": t.base_code, "quad_class": t.quad_class, "goldstein": t.goldstein}
              for _, t in sorted(codebook.event_types.items())]
    pieces = {
        "country": {code: (label, kind) for code, (label, kind, _) in codebook.countries.items()},
        "type": codebook.types,
        "known_group": {code: (label, None) for code, label in codebook.groups.items()},
        "religion": {code: (label, None) for code, label in codebook.religions.items()},
        "ethnic": {code: (label, None) for code, label in codebook.ethnic.items()},
    }
    actor_codes = [{"code": code, "kind": kind, "label": label, "class": cls}
                   for kind in ACTOR_CODE_KINDS for code, (label, cls) in sorted(pieces[kind].items())]
    countries = []
    for code, (label, kind, iso3) in sorted(codebook.countries.items()):
        iso = pycountry.countries.get(alpha_3=iso3) if iso3 else None
        countries.append({"code": code, "label": label, "kind": kind, "iso_alpha3": iso3 or None,
                          "iso_alpha2": iso.alpha_2 if iso else None, "iso_numeric": iso.numeric if iso else None,
                          "iso_name": iso.name if iso else None})
    rows = {"event_codes": events, "actor_codes": actor_codes, "countries": countries}
    return {name: pa.Table.from_pylist(rows[name], schema=arrow_schema(f"labels/{name}")) for name in LABELS}
