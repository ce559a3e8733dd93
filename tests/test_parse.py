"""The tagger + parser shipped in the package: it loads offline, parses our tokens into one tree a sentence,
deterministically, and its recorded accuracy meets the floors (tag >= 93 %, UAS >= 83 % on UD EWT test)."""

from __future__ import annotations

import json

import pytest

from events.coding.parse import ParserError, load_parser, model_hash
from events.resources import default_parser_path
from events.coding.text import tokenize

SENTENCES = [
    "Iran's foreign minister met his Russian counterpart in New York on Tuesday.",
    "The base was attacked by militants, the army said.",
    "NATO urged Serbia to withdraw its troops from Kosovo",
]


def _parse(parser, texts):
    return parser.parse([tokenize(t) for t in texts], texts)


def test_parse_one_tree_per_sentence(parser):
    for text, tree in zip(SENTENCES, _parse(parser, SENTENCES)):
        n = len(tokenize(text))
        assert len(tree.tags) == len(tree.heads) == len(tree.deps) == n
        roots = [k for k, h in enumerate(tree.heads) if h == k]
        assert len(roots) == 1, (text, tree)  # the parser may not split a sentence
        assert all(0 <= h < n for h in tree.heads)


def test_parse_reads_verbs_and_subjects(parser):
    tree = _parse(parser, [SENTENCES[0]])[0]
    words = [t.text for t in tokenize(SENTENCES[0])]
    met = words.index("met")
    assert tree.tags[met] == "VBD"
    assert tree.deps[words.index("minister")] == "nsubj" and tree.heads[words.index("minister")] == met


def test_parse_is_deterministic_and_batch_independent(parser):
    alone = [_parse(parser, [s])[0] for s in SENTENCES]
    together = _parse(parser, SENTENCES)
    assert alone == together == _parse(parser, SENTENCES)


def test_parse_model_identity_and_accuracy_floors(parser):
    path = default_parser_path()
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert meta["pipeline"] == ["tok2vec", "tagger", "parser"]
    assert "Universal Dependencies English Web Treebank" in (path / "ATTRIBUTION.txt").read_text(encoding="utf-8")
    scores = json.loads((path / "accuracy.json").read_text(encoding="utf-8"))
    assert scores["ewt_test"]["tag_acc"] >= 0.93
    assert scores["ewt_test"]["dep_uas"] >= 0.83
    assert parser.content_hash == model_hash(path) and len(parser.content_hash) == 64
    assert parser.describe()["content_hash"] == parser.content_hash


def test_parse_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ParserError, match="no parser model here"):
        load_parser(tmp_path)
