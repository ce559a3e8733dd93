import pytest

from events.coding.text import normalise_for_dedup, split_sentences, tokenize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Iran met Russia. Then China spoke.", ["Iran met Russia.", "Then China spoke."]),
        ("Mr. Putin met Dr. Smith on Jan. 5 in the U.S. capital.", ["Mr. Putin met Dr. Smith on Jan. 5 in the U.S. capital."]),
        ("Officials from the U.S. Treasury met. They left.", ["Officials from the U.S. Treasury met.", "They left."]),
        ("Headline without stop\nFirst sentence here.", ["Headline without stop", "First sentence here."]),
        ("He said: \"We will win.\" Then he left.", ["He said: \"We will win.\"", "Then he left."]),
        ("George W. Bush met Tony Blair.", ["George W. Bush met Tony Blair."]),
        ("Para one.\n\n\nPara two!", ["Para one.", "Para two!"]),
        ("", []),
    ],
)
def test_text_split_sentences(text, expected):
    assert [s.text for s in split_sentences(text)] == expected


def test_text_sentence_offsets_point_into_document():
    text = "  First one.  Second one.\nThird"
    for sentence in split_sentences(text):
        assert text[sentence.start : sentence.start + len(sentence.text)] == sentence.text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Iran's FM", ["iran", "'s", "fm"]),
        ("didn't", ["did", "n't"]),
        ("U.S.-led forces", ["u.s.", "-", "led", "forces"]),
        ("cease-fire on 16/07/2024", ["cease-fire", "on", "16/07/2024"]),
        ("July 16th", ["july", "16th"]),
        ("Russia’s envoy", ["russia", "'s", "envoy"]),
    ],
)
def test_text_tokenize(text, expected):
    assert [t.lower for t in tokenize(text)] == expected


def test_text_token_offsets():
    text = "Iran's Acting Foreign Minister"
    for token in tokenize(text):
        assert text[token.start : token.end] == token.text


def test_text_dedup_key_ignores_agency_dateline():
    assert normalise_for_dedup("MEHR: In a meeting in New York.") == normalise_for_dedup("In a meeting in New York.")
    assert normalise_for_dedup("Iran met Russia.") != normalise_for_dedup("Russia met Iran.")


# -- issue 13, finding 3: quadratic expressions stalled coding ("." * 100000 + "a" took 178 s) ---------------------
ADVERSARIAL = {
    "dots": lambda n: "." * n + "a",
    "letter-dots": lambda n: "a." * (n // 2) + "x",
    "dot-parens": lambda n: ".)" * (n // 2) + "a",
    "abbreviations": lambda n: "a. " * (n // 3),
    "question-runs": lambda n: "?!" * (n // 2) + "x",
    "long-word": lambda n: "a" * n + "n't",
    "capital-hyphens": lambda n: "A-" * (n // 2) + "led",
    "initialisms": lambda n: "U.S. " * (n // 5),
    "blank-paragraphs": lambda n: "\n \t" * (n // 3) + "x",
}


def _work(function, text: str) -> float:
    import time

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        function(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_text_work_grows_linearly_on_adversarial_text(name):
    """Structural, not a speed test: 16 times the text must cost far less than the 256 times a quadratic expression
    would (best of three runs, so a busy machine does not decide). Absolute times are in benchmarks/adversarial.py."""
    make = ADVERSARIAL[name]
    for function in (split_sentences, tokenize):
        small, large = _work(function, make(4_000)), _work(function, make(64_000))
        assert large < 64 * max(small, 1e-4), (function.__name__, small, large)


def test_text_sentence_budget_keeps_a_run_on_sentence_from_the_parser(compiled):
    """A 100 KB news-like 'sentence' (15 s through the coder before) is counted as not coded, never parsed."""
    import datetime as dt

    from events.coding.coder import code_texts
    from events.coding.text import MAX_SENTENCE_TOKENS, Sentence, sentence_budget

    unit = "Iran's foreign minister met his Russian counterpart in Moscow on Tuesday, and Russia accused China of spying, "
    text = "Iran accused Russia of spying.\n" + (unit * 1000)[:100_000] + "\nRussia accused Iran of spying."
    calls = []
    original = compiled.parser.parse
    try:
        compiled.parser.parse = lambda sentences, texts: calls.append(max(map(len, sentences))) or original(sentences, texts)
        ((sentences, events, over_budget),) = code_texts([(text, dt.date(2024, 7, 17), None)], compiled)
    finally:
        compiled.parser.parse = original
    assert (len(sentences), over_budget) == (3, 1)
    assert calls and max(calls) <= MAX_SENTENCE_TOKENS
    assert {e.sentence_index for e in events} == {0, 2}
    assert sentence_budget(Sentence(0, 0, "word " * 300), tokenize("word " * 300)) == f"longer than {MAX_SENTENCE_TOKENS} tokens"


def test_text_document_budget_stops_coding_once_spent(compiled, monkeypatch):
    """One document cannot take a build's time: past its token budget, no later sentence is coded (and each counts)."""
    import datetime as dt

    import events.coding.coder as coder
    from events.coding.text import Budget, Sentence

    budget = Budget(10)
    checks = [budget.check(Sentence(i, 0, "Iran met Russia again."), tokenize("Iran met Russia again.")) for i in range(4)]
    assert checks[:2] == [None, None] and checks[2] == checks[3] == "past the document's budget of 10 tokens"
    monkeypatch.setattr(coder, "Budget", lambda: Budget(25))
    text = "\n".join(f"Iran accused Russia of spying on the {k}th day." for k in range(1, 8))
    ((sentences, events, over_budget),) = coder.code_texts([(text, dt.date(2024, 7, 17), None)], compiled)
    assert len(sentences) == 7 and over_budget == 5 and {e.sentence_index for e in events} <= {0, 1}
