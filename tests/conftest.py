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


def mixed_corpus(root: Path) -> list[str]:
    """Inputs of every kind, relative to `root`: JSONL over several months (several batches), CSV, a text folder."""
    import json
    import shutil

    sentences = [
        "Iran's foreign minister met his Russian counterpart in Moscow on Tuesday.",
        "The Russian president praised Iran's new government.",
        "China accused the United States of interfering in its affairs on Monday.",
        "Turkey and Greece agreed to hold talks on 3 March.",
    ]
    lines = [json.dumps({"id": f"n{i}", "date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", "source": f"agency{i % 3}",
                         "url": f"https://example.org/{i}", "text": f"{sentences[i % 4]}\n{sentences[(i + 1) % 4]}"})
             for i in range(150)]
    (root / "news.jsonl").write_text("\n".join(lines) + "\n{bad\n")
    (root / "table.csv").write_text("doc,body,day\nc1,\"" + sentences[0] + "\",2024-02-03\nc2,x,never\n")
    (root / "txt").mkdir()
    (root / "txt" / "t1.txt").write_text("---\ndate: 2024-05-06\n---\n" + sentences[2] + "\n")
    shutil.copytree(SEEDS, root / "seeds")
    return ["news.jsonl", "seeds", "txt"]


def dataset_bytes(out: Path) -> dict[str, bytes]:
    """Every file of a dataset folder and its bytes, but the build notes (`.events-builds.jsonl`: which engine and how
    many workers coded it, kept outside the byte-compared files on purpose)."""
    from events.dataset.builder import BUILD_NOTES

    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and p.name != BUILD_NOTES}


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
