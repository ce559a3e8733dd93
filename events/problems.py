"""Problems found in user files, with stable codes, locations and hints.

Every validator in the package returns `Problem`s rather than raising on the first fault, so a user sees
every fault at once, sorted by file and line (STYLE.md §4–6). The catalogue below is the public list of
codes; tests assert on codes, never on wording.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass

CATALOGUE: dict[str, str] = {
    # codebook
    "CB001": "duplicate-entry",
    "CB002": "unknown-event-code",
    "CB003": "invalid-actor-code",
    "CB004": "malformed-date",
    "CB005": "inverted-date-range",
    "CB006": "overlapping-roles",
    "CB007": "bad-pattern",
    "CB008": "shadowed-pattern",
    "CB009": "schema-violation",
    "CB010": "goldstein-out-of-range",
    "CB011": "quad-class-inconsistent",
    "CB012": "missing-parent-code",
    "CB013": "bad-version",
    "CB014": "changelog-missing-version",
    "CB015": "missing-file",
    "CB016": "unknown-key",
    "CB017": "bad-flag",
    "CB018": "ambiguous-name",
    "CB019": "stale-open-role",
    "CB020": "bad-source-hash",
    "CB021": "unknown-person",
    "CB022": "release-record",
    "CB023": "not-an-iso-country",
    "CB024": "empty-file",
    "CB025": "plover-unmapped",
    "CB026": "unknown-plover-term",
    # input records
    "IN001": "malformed-json",
    "IN002": "missing-field",
    "IN003": "bad-date",
    "IN004": "duplicate-id",
    "IN005": "undecodable-bytes",
    "IN006": "wrong-type",
    "IN007": "unreadable-input",
    "IN008": "orphan-metadata",
    "IN009": "record-too-large",
    "IN010": "json-beyond-limits",
    # datasets (events verify; the checks live in events.dataset.verify)
    "VF001": "missing-file",
    "VF002": "unlisted-file",
    "VF003": "size-mismatch",
    "VF004": "hash-mismatch",
    "VF005": "row-count-mismatch",
    "VF006": "unreadable-file",
    "VF007": "schema-mismatch",
    "VF008": "bad-manifest",
    "VF009": "totals-mismatch",
}


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    path: str
    line: int
    code: str
    message: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        prefix = "" if self.severity == "error" else "warning: "
        return f"{where}: [{self.code}] {prefix}{self.message}"

    def to_dict(self) -> dict:
        return {**asdict(self), "name": CATALOGUE.get(self.code, "")}


def did_you_mean(value: str, choices) -> str:
    """A ' Did you mean …?' hint, or ''.

    >>> did_you_mean("0400", ["040", "041", "100"])
    " Did you mean '040'?"
    """
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""
