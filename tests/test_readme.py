"""The README is a contract: its install commands name our distribution, and its loading snippets run."""

from __future__ import annotations

import re
import tomllib

from events import DISTRIBUTION

from conftest import ROOT

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
