import pytest

from events.text import normalise_for_dedup, split_sentences, tokenize


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
