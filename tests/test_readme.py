"""The README is a contract: its install commands name our distribution, and its loading snippets run."""

from __future__ import annotations

import json
import re
import tomllib

import pytest

from events import DISTRIBUTION

from conftest import ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE_BLOCKS = re.findall(r"^```(\w*)\n(.*?)^```", README, re.S | re.M)  # (language, code) of every fenced block


def test_readme_distribution_name_is_ours_everywhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION != "events"  # "events" on the package index is an unrelated project
    installed = [t for _, code in CODE_BLOCKS for t in re.findall(r"pip install\s+(?:-\S+\s+)*([^\s&|;#]+)", code)]
    assert installed, "the README shows how to install"
    for target in installed:
        name = re.split(r"[\[<>=!~ ]", target.strip("'\""), maxsplit=1)[0]
        assert name in (".", DISTRIBUTION) or name.startswith("git+"), f"README installs {target!r}"


def _loading_snippets() -> list[tuple[str, str]]:
    """The README's loading snippets: the fenced blocks between "Load the result" and the next section."""
    section = README[README.index("Load the result"):README.index("## Command line")]
    return re.findall(r"^```(\w*)\n(.*?)^```", section, re.S | re.M)


@pytest.fixture(scope="module", params=["seeds", "nothing coded"])
def fresh_build(request, tmp_path_factory, codebook):
    """A fresh build where the README's snippets expect it (`data/seeds`): of the seeds, and of a corpus in which
    nothing is coded (every table but documents without rows)."""
    from events.dataset.builder import build

    root = tmp_path_factory.mktemp("readme")
    inputs = [SEEDS]
    if request.param == "nothing coded":
        inputs = [root / "quiet.jsonl"]
        inputs[0].write_text(json.dumps({"id": "q", "date": "2024-05-02", "text": "It rained on Tuesday."}) + "\n")
    build(inputs, root / "data" / "seeds", codebook=codebook, jobs=1)
    return root


def test_readme_loading_snippets_run_against_a_fresh_build(fresh_build, monkeypatch):
    import duckdb
    import pandas  # noqa: F401  (the test extra brings pandas: the README shows it)

    snippets = _loading_snippets()
    assert {language for language, _ in snippets} >= {"python", "sql"}
    assert any("import pandas" in code for _, code in snippets) and any("import polars" in code for _, code in snippets)
    monkeypatch.chdir(fresh_build)
    for language, code in snippets:
        if language == "python":
            namespace: dict = {}
            exec(compile(code, "README.md", "exec"), namespace)
            if "joined" in namespace:  # every mention finds its event
                assert len(namespace["joined"]) == len(namespace["mentions"])
        elif language == "sql":
            rows = duckdb.sql(code).fetchall()
            mentions = duckdb.sql("SELECT count(*) FROM read_parquet('data/seeds/mentions/**/*.parquet')").fetchall()[0][0]
            assert len(rows) == mentions
