"""Transcribe the CAMEO -> PLOVER mapping into the codebook: writes codebooks/cameo/plover.csv and
codebooks/cameo/plover_vocabulary.csv.

    python training/plover_mapping.py ../shared/external [codebooks/cameo]

Reads (never copies) two files of ../shared/external:

- PLOVER/CAMEO2PLOVER-2021.txt (openeventdata/PLOVER, "PLOVER manual version Draft 0.8, 17-September-2021",
  Philip Schrodt; CC BY-SA 4.0): one line per CAMEO code, `code: EVENT, mode, context # CAMEO name`.
- NGEC-2025/PLOVER_structured_codebook_updated.csv (ahalterman/NGEC-2025, MIT): the PLOVER event types and the
  modes each type allows, with their definitions.

The contexts are the 37 of the PLOVER manual (2021), the list POLECAT codes: neither file above lists them, so they
are written below with that source.

Where the 2021 table uses a value the current vocabulary does not have (a renamed context, a mode that no longer
exists, a context written in the mode column), the row is `amended`: AMENDMENTS below says what replaces it and
why, and the note in plover.csv names the table's own value. Codes of our codebook the table does not list are
either `none` (PLOVER drops CAMEO's 01 statements and 02 appeals) or `ours` (OURS below: codes of the CAMEO manual
GDELT's file lacks, mapped by us). The script refuses to write when a value is unknown and not amended, so the
files it writes always validate.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sys
from pathlib import Path

TABLE = "PLOVER/CAMEO2PLOVER-2021.txt"
VOCABULARY = "NGEC-2025/PLOVER_structured_codebook_updated.csv"

CONTEXTS = ("military", "intelligence", "executive", "legislative", "election", "political_institutions",
            "pro-democracy", "pro-autocracy", "economic", "legal", "reparations", "human_rights", "rights_freedoms",
            "repression", "human_security", "gender", "lgbt", "religion_ethnicity", "inequality", "diplomatic",
            "territory", "peacekeeping", "health", "asylum", "migration", "disasters", "natural_resources",
            "environment", "technology", "terrorism", "cbrn", "cyber", "misinformation", "crime", "corruption",
            "illegal_drugs", "trafficking")

# context values of the 2021 table renamed in the current list: value -> (replacement, why)
CONTEXT_RENAMES = {
    "pro_autocracy": ("pro-autocracy", "the current list spells it with a hyphen"),
    "democracy": ("pro-democracy", "the current list has pro-democracy, not democracy"),
    "humanitarian": ("human_security", "the current list has no humanitarian context; human_security covers humanitarian needs"),
}
# whole rows the 2021 table writes with values PLOVER no longer has: code -> (event, mode, context, why)
AMENDMENTS = {
    "08": ("CONCEDE", "", "", "the 2021 table heads root 08 twice (CONCEDE for 080-083, RETREAT for 084-087); the root "
           "itself is its generic act 080 Yield: CONCEDE"),
    "085": ("RETREAT", "", "economic", "the table's mode 'ease' is no longer a mode (its own note: 21.09.17)"),
    "1321": ("THREATEN", "rights", "human_rights", "the table's mode 'political' is no THREATEN mode; 'rights' is "
             "'threaten to restrict civil rights such as speech, expression, and assembly'"),
    "1724": ("COERCE", "curfew", "pro-autocracy", "the table's mode 'martial-law' is no COERCE mode; 'curfew' is "
             "'impose state of emergency or martial law'"),
    "1712": ("ASSAULT", "destroy", "human_security", "the table's mode 'seize' is no ASSAULT mode; 'destroy' is "
             "'destroy property, demolish as part of a conflict'"),
    "175": ("ASSAULT", "", "pro-autocracy;military", "the table writes the context pro_autocracy in the mode column"),
}
# codes of our codebook the 2021 table does not list: code -> (event, mode, context, why)
OURS = {
    "155": ("MOBILIZE", "", "cyber", "CAMEO manual code GDELT lacks, not in the 2021 table: cyber-forces mobilised"),
    "176": ("COERCE", "cyber", "cyber", "CAMEO manual code GDELT lacks, not in the 2021 table: PLOVER's COERCE mode "
            "cyber is 'engage in cyber attacks'"),
    "1834": ("ASSAULT", "explosives", "", "CAMEO manual code GDELT lacks, not in the 2021 table: a location bombing "
             "is an attack with explosives"),
    "1951": ("ASSAULT", "aerial", "military", "CAMEO manual code GDELT lacks, not in the 2021 table: PLOVER's ASSAULT "
             "mode aerial is an attack by manned aircraft"),
    "1952": ("ASSAULT", "drone", "military", "CAMEO manual code GDELT lacks, not in the 2021 table: PLOVER's ASSAULT "
             "mode drone is an attack by unmanned aerial vehicles"),
}
UNMAPPED_ROOTS = {
    "01": "PLOVER drops CAMEO's public statements (01): no event type",
    "02": "PLOVER drops CAMEO's appeals (02): no event type",
}
LINE_RE = re.compile(r"^(\d{2,4}):\s*([^#]*?)\s*(?:#.*)?$")


def read_table(path: Path) -> dict[str, tuple[str, str, str]]:
    """code -> (event, mode, context) as the 2021 table writes them (the last line of a code wins, as in the file)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = LINE_RE.match(line.strip())
        if not m:
            continue
        cells = [c.strip() for c in m.group(2).split(",")] + ["", ""]
        contexts = [c.strip() for c in cells[2].split(";") if c.strip()]
        out[m.group(1)] = (cells[0], cells[1], ";".join(contexts))
    return out


def read_vocabulary(path: Path) -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """(event -> definition, (event, mode) -> definitions joined by '; ')."""
    events: dict[str, str] = {}
    modes: dict[tuple[str, str], list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            events.setdefault(row["event"], " ".join(row["event_def"].split()))
            if row["mode"].strip():
                modes.setdefault((row["event"], row["mode"].strip()), []).append(" ".join(row["mode_def"].split()))
    return events, {k: "; ".join(dict.fromkeys(v)) for k, v in modes.items()}


def transcribe(external: Path, codebook: Path) -> tuple[str, str]:
    table = read_table(external / TABLE)
    events, modes = read_vocabulary(external / VOCABULARY)
    with (codebook / "event_codes.csv").open(encoding="utf-8", newline="") as handle:
        codes = [r["code"] for r in csv.DictReader(line for line in handle if not line.startswith("#"))]
    rows = []
    for code in codes:
        if code in AMENDMENTS:
            event, mode, context, why = AMENDMENTS[code]
            was = table[code]
            rows.append((code, event, mode, context, "amended", f"2021 table: {'|'.join(was)}; {why}"))
        elif code in table:
            event, mode, context = table[code]
            renamed = [CONTEXT_RENAMES[c] for c in context.split(";") if c in CONTEXT_RENAMES]
            if renamed:
                new = ";".join(CONTEXT_RENAMES.get(c, (c,))[0] for c in context.split(";"))
                why = "; ".join(f"context {r[0]}: {r[1]}" for r in renamed)
                rows.append((code, event, mode, new, "amended", f"2021 table: {'|'.join(table[code])}; {why}"))
            else:
                rows.append((code, event, mode, context, "table", ""))
        elif code in OURS:
            event, mode, context, why = OURS[code]
            rows.append((code, event, mode, context, "ours", why))
        elif code[:2] in UNMAPPED_ROOTS:
            rows.append((code, "", "", "", "none", UNMAPPED_ROOTS[code[:2]]))
        else:
            raise SystemExit(f"{code}: not in the 2021 table and not mapped here; add it to OURS")
    for code, event, mode, context, _, _ in rows:
        bad = ([event] if event and event not in events else []) + ([mode] if mode and (event, mode) not in modes else []) \
            + [c for c in context.split(";") if c and c not in CONTEXTS]
        if bad:
            raise SystemExit(f"{code}: {', '.join(bad)} not in the PLOVER vocabulary; amend the row")
    digest = {name: hashlib.sha256((external / name).read_bytes()).hexdigest() for name in (TABLE, VOCABULARY)}
    mapping = io.StringIO()
    mapping.write(f"# CAMEO -> PLOVER, transcribed by training/plover_mapping.py from {TABLE} (openeventdata/PLOVER, PLOVER\n"
                  f"# manual Draft 0.8, 17 September 2021; CC BY-SA 4.0; sha256 {digest[TABLE]}). basis: table = as the\n"
                  "# table writes it; amended = the table's values put in the current vocabulary (the note says how);\n"
                  "# ours = a code the table lacks; none = no PLOVER event (the note says why). See FORMAT.md.\n")
    writer = csv.writer(mapping, lineterminator="\n")
    writer.writerow(["code", "plover_event", "plover_mode", "plover_context", "basis", "note"])
    writer.writerows(rows)
    vocabulary = io.StringIO()
    vocabulary.write(f"# PLOVER event types and modes from {VOCABULARY} (ahalterman/NGEC-2025, MIT; sha256\n"
                     f"# {digest[VOCABULARY]}); contexts: the 37 of the PLOVER manual (2021) that POLECAT codes.\n"
                     "# Transcribed by training/plover_mapping.py. See FORMAT.md.\n")
    writer = csv.writer(vocabulary, lineterminator="\n")
    writer.writerow(["kind", "event", "value", "definition"])
    writer.writerows(("event", event, event, definition) for event, definition in events.items())
    writer.writerows(("mode", event, mode, definition) for (event, mode), definition in modes.items())
    writer.writerows(("context", "", context, "") for context in CONTEXTS)
    return mapping.getvalue(), vocabulary.getvalue()


def main(argv: list[str]) -> int:
    external = Path(argv[1]) if len(argv) > 1 else Path("../shared/external")
    codebook = Path(argv[2]) if len(argv) > 2 else Path("codebooks/cameo")
    mapping, vocabulary = transcribe(external, codebook)
    (codebook / "plover.csv").write_text(mapping, encoding="utf-8")
    (codebook / "plover_vocabulary.csv").write_text(vocabulary, encoding="utf-8")
    print(f"wrote {codebook / 'plover.csv'} ({mapping.count(chr(10)) - 5} codes) and {codebook / 'plover_vocabulary.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
