"""Text → sentences → tokens, with character offsets kept everywhere.

Deliberately rule-based: news English is regular enough that a splitter aware of abbreviations and
initials, and a tokenizer that keeps possessives and negation clitics apart, give the coder what it needs;
the parser (`events.coding.parse`) then reads these same tokens, so dictionary matches and offsets never move.
Offsets always refer to the original string so every coded event can point back at the characters that
produced it.

Every regular expression here runs in time linear in the text, whatever the text: a run of punctuation is tried
as a sentence end only from its first character, an initialism is at most ten letters, and the other patterns
have no nested or overlapping repetition (`tests/test_text.py` checks the growth on adversarial texts;
`benchmarks/adversarial.py` times them). The coder's budget (`Budget`) keeps a sentence the splitter could not
cut from reaching the parser, and one document from taking a build's time: a sentence longer than
`MAX_SENTENCE_CHARS` characters or `MAX_SENTENCE_TOKENS` tokens, after the first `MAX_DOCUMENT_SENTENCES` of its
document, or after its document's first `MAX_DOCUMENT_TOKENS` tokens coded, is not coded, and builds count it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

TEXT_VERSION = "events.text.v2"  # v2: budgets (sentences over the limits below are not coded); initialisms of <= 10 letters

MAX_SENTENCE_CHARS = 2_500  # the longest sentence in 8,874 of Wikinews has 1,824; longer ones are splitter failures
MAX_SENTENCE_TOKENS = 200  # 99.9 % of news sentences have fewer than 200 tokens; longer ones are lists, tables, run-ons
MAX_DOCUMENT_SENTENCES = 5_000  # a long article has a few hundred sentences
MAX_DOCUMENT_TOKENS = 60_000  # tokens of the sentences coded in one document (about 2,000 news sentences, ~10 s)

# Word-like tokens; order matters: initialisms before words, clitics before words.
_TOKEN_RE = re.compile(
    r"""
    (?:[A-Za-z]\.){2,10}(?![A-Za-z])   # initialisms: U.S. U.N. U.S.A. (bounded: "a.a.a.…" stays linear)
  | \w+(?=n['’]t\b)                    # do|n't  (split before the clitic)
  | n['’]t\b                           # n't
  | ['’]s\b                            # possessive 's
  | \d+(?:[.,:/]\d+)*(?:st|nd|rd|th)?  # numbers, times, numeric dates, ordinals
  | [A-Z]\w*(?=[-‐](?:led|backed|brokered|sponsored|supported|funded|allied|aligned|controlled|run|held)\b)
                                       # "Saudi-led", "Iranian-backed": the name stands apart
  | \w+(?:[-‐]\w+)*                    # words, hyphenated compounds
  | [^\w\s]                            # any other single character
    """,
    re.VERBOSE,
)

# Abbreviations after which a period does not end a sentence (lower-cased, without the period).
_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep rev hon pres
    jan feb mar apr jun jul aug sep sept oct nov dec no nos vol fig inc corp ltd co bros vs etc approx est
    mt ft ave blvd dept univ assn u.s u.k u.n e.u""".split()
)

_INITIALISM_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_AGENCY_PREFIX_RE = re.compile(r"^[A-Z][A-Z .,'-]{1,40}(?:\([^)]*\))?\s*[:–—-]\s+")
_NON_WORD_RE = re.compile(r"\W+")
_NEXT_WORD_RE = re.compile(r"\s*(\S{0,2})")
_LAST_WORD_RE = re.compile(r"(?<![\w.])([\w.]++)$")
# a run of punctuation is tried from its first character only, and never given back: "." * 100000 is one attempt
_SENTENCE_END_RE = re.compile(r"""(?<![.!?])[.!?]++['"’”)\]]*+(?=\s|$)""")
_PARAGRAPH_RE = re.compile(r"\n\s*\n|\r\n\s*\r\n|\n")


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int  # offset of the sentence in the document text
    text: str


class Token(NamedTuple):
    """A token with its offsets in the sentence (a tuple: cheap to create on the hot path)."""

    text: str
    lower: str
    start: int  # offset in the sentence
    end: int


def tokenize(text: str) -> list[Token]:
    """Split a sentence into tokens with offsets.

    >>> [t.text for t in tokenize("Iran's FM didn't meet U.S. envoys.")]
    ['Iran', "'s", 'FM', 'did', "n't", 'meet', 'U.S.', 'envoys', '.']
    >>> [t.text for t in tokenize("the Saudi-led coalition and Guinea-Bissau")]
    ['the', 'Saudi', '-', 'led', 'coalition', 'and', 'Guinea-Bissau']
    """
    lowered = text.lower().replace("’", "'")
    if len(lowered) != len(text):  # a rare character whose lower case is longer ("İ"): lower token by token
        return [Token(m.group(), m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    spans = [m.span() for m in _TOKEN_RE.finditer(text)]
    return [Token(text[a:b], lowered[a:b], a, b) for a, b in spans]


def token_set(text: str) -> set[str]:
    """The lower-cased tokens of `text`, without offsets: a C-speed prefilter before full tokenization.

    >>> sorted(token_set("Iran's FM met U.S. envoys"))
    ["'s", 'envoys', 'fm', 'iran', 'met', 'u.s.']
    """
    return set(_TOKEN_RE.findall(text.lower().replace("’", "'")))


def _ends_sentence(text: str, end: int, match_start: int) -> bool:
    """Decide whether the punctuation ending at `end` closes a sentence."""
    if text[match_start] != ".":
        return True
    word_match = _LAST_WORD_RE.search(text[max(0, match_start - 40) : match_start])  # (a word starts only once)
    word = word_match.group(1) if word_match else ""
    if word.lower().rstrip(".") in _ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isupper():  # an initial: "George W. Bush"
        return False
    nxt = _NEXT_WORD_RE.match(text, end)  # (not text[end:], which would copy the rest of the document)
    following = nxt.group(1) if nxt else ""
    if _INITIALISM_RE.fullmatch(word):  # "U.S." before a lower-case word
        return bool(following) and following[0].isupper() and not following.startswith(("S.", "N."))
    if following and following[0].islower():  # "approx. five", elliptic abbreviations
        return False
    return True


def split_sentences(text: str) -> list[Sentence]:
    """Split a document into sentences; line breaks always end a sentence (news paragraphs and headlines).

    >>> [s.text for s in split_sentences("Mr. Smith met Gen. Lee in the U.S. on Monday. They talked.\\nNext line")]
    ['Mr. Smith met Gen. Lee in the U.S. on Monday.', 'They talked.', 'Next line']
    """
    sentences: list[Sentence] = []
    for start, stop in _paragraph_spans(text):
        cursor = start
        for m in _SENTENCE_END_RE.finditer(text, start, stop):
            if _ends_sentence(text, m.end(), m.start()):
                _append(sentences, text, cursor, m.end())
                cursor = m.end()
        _append(sentences, text, cursor, stop)
    return sentences


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    cursor = 0
    for m in _PARAGRAPH_RE.finditer(text):
        spans.append((cursor, m.start()))
        cursor = m.end()
    spans.append((cursor, len(text)))
    return spans


def _append(sentences: list[Sentence], text: str, start: int, stop: int) -> None:
    chunk = text[start:stop]
    stripped = chunk.strip()
    if not stripped:
        return
    offset = start + (len(chunk) - len(chunk.lstrip()))
    sentences.append(Sentence(len(sentences), offset, stripped))


def sentence_budget(sentence: Sentence, tokens: list[Token] | None = None) -> str | None:
    """Why the coder does not code `sentence` (too long, or too far into its document), or None when it does.

    >>> sentence_budget(Sentence(0, 0, "Iran met Russia.")) is None
    True
    >>> sentence_budget(Sentence(0, 0, "x" * 3000))
    'longer than 2,500 characters'
    """
    if sentence.index >= MAX_DOCUMENT_SENTENCES:
        return f"after the first {MAX_DOCUMENT_SENTENCES:,} sentences of the document"
    if len(sentence.text) > MAX_SENTENCE_CHARS:
        return f"longer than {MAX_SENTENCE_CHARS:,} characters"
    if tokens is not None and len(tokens) > MAX_SENTENCE_TOKENS:
        return f"longer than {MAX_SENTENCE_TOKENS:,} tokens"
    return None


class Budget:
    """The coder's budget for one document: `check` says why a sentence is not coded, or None when it is; the tokens
    of the sentences it lets through count against the document's `MAX_DOCUMENT_TOKENS`.

    >>> budget = Budget()
    >>> budget.check(Sentence(0, 0, "Iran met Russia."), tokenize("Iran met Russia.")) is None
    True
    >>> budget.used
    4
    """

    def __init__(self, tokens: int = MAX_DOCUMENT_TOKENS):
        self.limit = tokens
        self.used = 0

    def check(self, sentence: Sentence, tokens: list[Token] | None = None) -> str | None:
        reason = sentence_budget(sentence, tokens)
        if reason is None and tokens is not None:
            if self.used + len(tokens) > self.limit:
                self.used = self.limit  # spent: no later sentence of the document is coded either
                return f"past the document's budget of {self.limit:,} tokens"
            self.used += len(tokens)
        return reason


def normalise_for_dedup(text: str) -> str:
    """Key used to spot repeated sentences (headline echoed as first line, agency dateline repeats).

    >>> normalise_for_dedup("MEHR: In a meeting  in New York.") == normalise_for_dedup("In a meeting in New York")
    True
    """
    text = _AGENCY_PREFIX_RE.sub("", text)
    return _NON_WORD_RE.sub(" ", text).strip().lower()
