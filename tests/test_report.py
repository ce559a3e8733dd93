"""`events report`: one self-contained HTML page whose numbers are `events info`'s; it opens in headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import zlib

import pytest
from click.testing import CliRunner

from events.cli import main

from conftest import SHARED

pytest.importorskip("plotly", reason="events report needs the report extra (plotly)")


@pytest.fixture(scope="module")
def report_dataset(tmp_path_factory, seed_dataset, codebook):
    """The 2020 corpus built (../shared/corpus), or the seed dataset where ../shared is absent."""
    corpus = SHARED / "corpus" / "wikinews_2020_docs.jsonl"
    if not corpus.is_file():
        return seed_dataset[0]
    from events.dataset.builder import build

    out = tmp_path_factory.mktemp("corpus2020") / "data"
    build([corpus], out, codebook=codebook, jobs=1)
    return out


@pytest.fixture(scope="module")
def page(report_dataset, tmp_path_factory):
    target = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(main, ["report", str(report_dataset), "--out", str(target)])
    assert result.exit_code == 0, result.output
    return target, target.read_text(encoding="utf-8")


def _summary(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="summary">(.*?)</script>', text, re.S)
    assert m, "no summary block"
    return json.loads(m.group(1))


def test_report_numbers_are_those_of_events_info(report_dataset, page):
    _, text = page
    result = CliRunner().invoke(main, ["info", str(report_dataset), "--json"])
    assert result.exit_code == 0
    info = json.loads(result.output)
    summary = _summary(text)
    assert summary == info
    totals = info["totals"]
    assert totals["events"] > 0
    assert sum(r["events"] for r in info["events_per_month"]) == totals["events"]
    assert sum(r["events"] for r in info["event_roots"]) == totals["events"] == sum(p["events"] for p in info["plover_types"])
    for dyad in info["top_dyads"]:
        assert sum(dyad["per_month"].values()) == dyad["events"]
    for label, value in (("events", totals["events"]), ("mentions", totals["mentions"]), ("documents", totals["documents"])):
        assert re.search(rf"<th>{label}</th><td>{value:,}\b", text), label


def test_report_is_self_contained(page):
    _, text = page
    assert text.count("<script") - text.count('<script type="application/json"') >= 4  # plotly.js + one per figure
    assert len(re.findall(r"Plotly\.newPlot\(", text)) == 4 and text.count('"fig-') >= 4
    assert not re.search(r'<script[^>]+src=|<link[^>]+href="http', text)  # nothing fetched when opened
    assert text.count("plotly.js v") == 1  # the library inlined once


def test_report_lists_events_with_their_highlighted_sentences(report_dataset, page):
    _, text = page
    info = _summary(text)
    listed = re.findall(r'<tr id="e-([0-9a-f]{20})">', text)
    assert len(listed) == min(200, info["totals"]["events"]) and len(set(listed)) == len(listed)
    assert text.count('<mark class="verb">') >= len(listed)
    first = text.split(f'<tr id="e-{listed[0]}">')[1].split("</tr>")[0]
    assert '<mark class="src">' in first and f'href="#e-{listed[0]}"' in first


def test_report_caps_the_event_table(report_dataset, tmp_path):
    target = tmp_path / "r.html"
    assert CliRunner().invoke(main, ["report", str(report_dataset), "--out", str(target), "--events", "3"]).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert len(re.findall(r'<tr id="e-', text)) == 3
    total = _summary(text)["totals"]["events"]
    assert html.escape(f"The 3 events with most mentions of {total:,}") in text


def test_report_cli_without_a_dataset(tmp_path):
    result = CliRunner().invoke(main, ["report", str(tmp_path), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 3 and "manifest" in result.output


def _png_pixel_bytes(path) -> bytes:
    """The decompressed image data of a PNG (filter bytes included): enough to tell a blank image from a drawn one."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            chunks.append(data[at + 8:at + 8 + length])
        at += 12 + length
    return zlib.decompress(b"".join(chunks))


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (Debian: apt-get install chromium)")
def test_report_opens_in_headless_chromium(page, tmp_path):
    target, _ = page
    common = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
              "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]
    dom = subprocess.run(common + ["--dump-dom", target.as_uri()], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert console == []  # the page writes nothing to the console: no error, no warning
    for figure in ("per-month", "dyads", "roots", "plover"):  # Plotly drew each chart (its SVG is in the live DOM)
        drawn = dom.stdout.split(f'id="fig-{figure}"')[1].split('id="fig-')[0]
        assert 'class="main-svg"' in drawn and ("<rect" in drawn or "<path" in drawn), figure
    shot = tmp_path / "shot.png"
    run = subprocess.run(common + ["--window-size=1200,1600", f"--screenshot={shot}", target.as_uri()],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    pixels = _png_pixel_bytes(shot)
    assert len(set(pixels)) > 64  # charts in colour, not a blank page (a white page has a few distinct bytes)


def test_report_is_the_same_bytes_every_time(seed_dataset, tmp_path, monkeypatch):
    from events.dataset.report import report

    out, _ = seed_dataset
    report(out, tmp_path / "a.html")
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    report(out, tmp_path / "b.html", max_events=200)
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_report_of_a_dataset_where_nothing_was_coded(tmp_path, codebook):
    from events.dataset.builder import build

    source = tmp_path / "quiet.jsonl"
    source.write_text(json.dumps({"id": "q", "date": "2024-05-02", "text": "It rained on Tuesday."}) + "\n")
    build([source], tmp_path / "data", codebook=codebook, jobs=1)
    result = CliRunner().invoke(main, ["report", str(tmp_path / "data"), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    summary = _summary(text)
    assert summary["totals"]["events"] == 0 and summary["coverage"]["documents"] == 1
    assert summary["events_per_month"] == [] and summary["top_dyads"] == [] and "All 0 events" in text


def test_report_without_plotly_says_how_to_install_it(seed_dataset, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "plotly", None)  # import plotly now raises ImportError
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    result = CliRunner().invoke(main, ["report", str(seed_dataset[0]), "--out", str(tmp_path / "r.html")])
    assert result.exit_code == 4 and "events-coder[report]" in result.output and not (tmp_path / "r.html").exists()
