"""`load_codebook`: read a codebook folder and run the checks that need the whole codebook, raising on errors.

It sits above the reader (`events.codebook.records`) and the semantic checks (`events.codebook.validate`), so
neither has to import the other back: the codebook modules import one way only.
"""

from __future__ import annotations

from pathlib import Path

from events.codebook.records import Codebook, CodebookError, read_codebook
from events.codebook.validate import semantic_problems
from events.resources import default_codebook_path

__all__ = ["load_codebook", "default_codebook_path"]


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read a codebook folder and raise `CodebookError` listing every error, if any."""
    codebook = read_codebook(path)
    problems = sorted(set(codebook.problems) | set(semantic_problems(codebook, thorough=False)))
    if any(p.severity == "error" for p in problems):
        raise CodebookError(problems)
    return codebook
