"""Shared fixtures: the bundled codebook (loaded and compiled once), the seed dataset, and ../shared."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from events.codebook import load_codebook
from events.compiler import compile_codebook

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


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
def compiled(codebook):
    return compile_codebook(codebook)


@pytest.fixture(scope="session")
def code(compiled):
    """code(text, date="2024-07-17") -> mention rows, with the bundled codebook."""
    from events.pipeline import code_text

    def run(text: str, date: str = "2024-07-17", **kwargs):
        return code_text(text, dt.date.fromisoformat(date), compiled, **kwargs)

    return run


@pytest.fixture(scope="session")
def seed_dataset(tmp_path_factory, codebook):
    from events.build import build

    out = tmp_path_factory.mktemp("seed") / "data"
    report = build([SEEDS], out, codebook=codebook, jobs=1)
    return out, report
