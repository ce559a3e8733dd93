"""Part-of-speech tags and a dependency tree for each sentence the coder reads, from the parser we train.

The model (`events/_model/parser`, reproduced by `training/parser/train.py` from the UD English treebanks) is a
spaCy pipeline with a tagger (Penn Treebank tags) and a parser (Universal Dependencies relations). It parses our
own tokens (`events.coding.text.tokenize`), so every dictionary match, pattern and offset keeps referring to the same
tokens, and only the sentences that can yield an event are parsed, in batches.

`load_parser()` reads the model once; the loaded `Parser` is passed in with the compiled codebook, and nothing
here reads a file afterwards.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Sequence

from events.resources import default_parser_path
from events.coding.text import Token

PARSE_VERSION = "events.parse.v1"


class Parse(NamedTuple):
    """The tree of one tokenized sentence: per token its tag, the index of its head (itself for the root) and
    its relation to the head."""

    tags: tuple[str, ...]
    heads: tuple[int, ...]
    deps: tuple[str, ...]


class ParserError(Exception):
    """The parser model is missing or cannot be loaded."""


@dataclass
class Parser:
    """A loaded tagger + parser; `parse` is deterministic for the same tokens and model."""

    path: Path
    name: str
    version: str
    content_hash: str
    nlp: object = field(repr=False)
    batch_size: int = 256

    def parse(self, sentences: Sequence[Sequence[Token]], texts: Sequence[str]) -> list[Parse]:
        """Parse tokenized sentences (tokens with offsets into the matching `texts`)."""
        # Words met while parsing are transient: in a memory zone spaCy forgets them afterwards, so the vocabulary
        # (and memory) does not grow with the corpus.
        with self.nlp.memory_zone():
            return self._parse(sentences, texts)

    def _parse(self, sentences: Sequence[Sequence[Token]], texts: Sequence[str]) -> list[Parse]:
        from spacy.attrs import DEP, HEAD, TAG
        from spacy.tokens import Doc

        vocab = self.nlp.vocab
        docs = []
        for tokens, text in zip(sentences, texts):
            words = [t.text for t in tokens]
            spaces = [tokens[k].end < tokens[k + 1].start for k in range(len(tokens) - 1)] + [False] if tokens else []
            # one sentence, one tree: the parser may not split what the sentence splitter joined
            docs.append(Doc(vocab, words=words, spaces=spaces, sent_starts=[True] + [False] * (len(words) - 1)))
        strings = vocab.strings
        names: dict[int, str] = {}  # tag and relation names by hash (permanent strings of the model)
        out = []
        for doc in self.nlp.pipe(docs, batch_size=self.batch_size):
            array = doc.to_array([TAG, HEAD, DEP])
            tags = tuple(names.get(x) or names.setdefault(x, strings[x]) for x in array[:, 0].tolist())
            deps = tuple(names.get(x) or names.setdefault(x, strings[x]) for x in array[:, 2].tolist())
            # HEAD is the head's offset from the token, stored unsigned
            heads = tuple(k + off for k, off in enumerate(array[:, 1].astype("int64").tolist()))
            out.append(Parse(tags, heads, deps))
        return out

    def describe(self) -> dict:
        return {"name": self.name, "version": self.version, "content_hash": self.content_hash, "behaviour": PARSE_VERSION}


def model_hash(path: Path) -> str:
    """sha256 over the model's files (relative path and bytes, sorted by path): the model's identity."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()


def load_parser(path: str | Path | None = None) -> Parser:
    """Load the tagger + parser at `path` (default: the model shipped in the package)."""
    path = Path(path) if path is not None else default_parser_path()
    if not (path / "meta.json").is_file():
        raise ParserError(f"{path}: no parser model here (expected meta.json); reinstall the package or run "
                          "training/parser/train.py")
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a core dependency
        raise ParserError(f"spaCy is not installed ({exc}); `pip install .` installs it") from exc
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    try:
        nlp = spacy.load(path, exclude=["senter", "ner", "lemmatizer", "attribute_ruler"])
    except Exception as exc:  # a damaged model: say which and where
        raise ParserError(f"{path}: cannot load the parser model: {exc}") from exc
    return Parser(path, str(meta.get("name", path.name)), str(meta.get("version", "")), model_hash(path), nlp)


__all__ = ["PARSE_VERSION", "Parse", "Parser", "ParserError", "load_parser", "model_hash"]
