"""Shared fixtures: the bundled codebook (loaded and compiled once), the seed dataset, and ../shared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from events.codebook.loader import load_codebook
from events.codebook.compiler import compile_codebook
from events.coding.parse import load_parser

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"
MINIMAL_CODEBOOK = FIXTURES / "codebooks" / "minimal"


def shared_path(*parts: str) -> Path:
    """A file under ../shared, or skip the test: a user's fresh clone has no ../shared."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only beside the developers' checkout)")
    return path


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def parser():
    return load_parser()


@pytest.fixture(scope="session")
def compiled(codebook, parser):
    return compile_codebook(codebook, parser)


@pytest.fixture(scope="session")
def code(compiled):
    """code(text, date="2024-07-17") -> mention rows, with the bundled codebook."""
    from events.dataset.pipeline import code_text

    def run(text: str, date: str = "2024-07-17", **kwargs):
        return code_text(text, dt.date.fromisoformat(date), compiled, **kwargs)

    return run


@pytest.fixture(scope="session")
def seed_dataset(tmp_path_factory, codebook):
    from events.dataset.builder import build

    out = tmp_path_factory.mktemp("seed") / "data"
    report = build([SEEDS], out, codebook=codebook, jobs=1)
    return out, report


def edited_codebook(root: Path, edits) -> Path:
    """Copy the minimal fixture codebook to `root` and apply (file, line, text) edits: a line number replaces that
    line, 0 appends, text None deletes the file."""
    import shutil

    shutil.copytree(MINIMAL_CODEBOOK, root)
    for file, line, text in edits:
        path = root / file
        if text is None:
            path.unlink()
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        if line:
            lines[line - 1] = text
        else:
            lines.append(text)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root
