"""Where the bundled codebook and schemas live, installed or in a source checkout.

A wheel carries them as `events/_data/{codebooks,schemas}`; a source checkout (or an editable install) has
them at the repository's top level. Nothing is read here; these functions only return paths.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the bundled folder `name` ("codebooks" or "schemas")."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def default_codebook_path() -> Path:
    return data_dir("codebooks") / "cameo"


def schemas_dir() -> Path:
    return data_dir("schemas")


def default_parser_path() -> Path:
    """The tagger + parser shipped in the package (`events/_model/parser`)."""
    return _PACKAGE_DIR / "_model" / "parser"
