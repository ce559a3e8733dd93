"""Event dates: which day an event mention happened, from the words around its verb and the publication date.

Behaviour name ``events.dates.v1`` (recorded in dataset manifests; a change of output gets ``v2``).

How a date is chosen, and why
-----------------------------
1. **Candidates.** One compiled regex finds every date-like expression in the sentence: month-day forms
   ("July 16", "16 July 2024", "the 16th of July", "Tuesday, July 16"), months ("in March", "March 2023"),
   years ("in 2019"), numeric dates ("16/07/2024", "2024-07-16"), weekdays ("on Tuesday", "last Tuesday",
   "Sunday night"), relative words ("yesterday", "last night", "earlier this week", "two days ago") and
   future markers ("tomorrow", "next week"). The regex runs only at word starts just before trigger words
   (month/weekday stems, digits, "day", "week", "ago"…) found by an Aho-Corasick automaton, so a sentence
   without one costs a few microseconds; only candidates are ever parsed.
2. **Clause.** The event owns only dates in its own clause. The sentence is cut at ``;``, spaced dashes,
   ``: ``, parentheses, subordinators (which/who/whom/whose/where/when/while/that/because/although/if…),
   trailing reporting clauses (", officials said"), "according to", zero-"that" complements of
   "said", coordinated verbs ("… and will …" always; "arrived on Monday and met …" only when the first verb
   has its own date, so "met and held talks … on Tuesday" shares it) and intention complements ("agreed to
   …", "urged Israel to …"). A subordinate clause opened after a comma closes at the next comma. The date
   nearest the verb within the verb's clause wins (ties go to the one after the verb). Dates right after since/until/by/before/after/
   from/to, possessives ("Tuesday's talks") and attributive dates ("the July 13 attack") never date an event.
3. **Tense.** A clause whose verb is preceded by will/shall/would/'ll/is to/is expected to/plans to…, or
   whose nearest date is a future marker ("next week"), is a statement of intent: it is dated on the
   publication date with source "publication". No event is ever dated after its publication date; an
   explicit date that lies after it is treated the same way.
4. **Resolution** (past direction, relative to the reference date ``ref``):
   month-day without year is the most recent such day on or before ``ref`` ("December 30" in a 2 January
   article is last year; "February 29" goes back to the last leap year), unless a stated weekday only fits
   the next one ("Tuesday, January 21" in a 15 January 2020 article is a plan); a stated impossible date
   ("29 February 2025", "31/02/2024") is rejected, never guessed. Numeric dates are day-first unless that is
   impossible ("07/16/2024" is 16 July), ISO ``YYYY-MM-DD`` is year-month-day, two-digit years are 20xx
   unless that lies after ``ref``. Weekdays are the most recent such day on or before ``ref`` (the same
   day when published that day); "last Tuesday" is strictly before. Precision "week" dates are the Monday
   of the ISO week, "month" the first of the month, "year" 1 January.
5. **dateparser** turns textual calendar expressions into fields. It is slow (about 2 ms a call) and costs
   0.15–0.3 s to import, so it is imported lazily and only called for a candidate that is not already in
   the cache. It is configured so nothing depends on the clock, locale or time zone: a fixed
   ``RELATIVE_BASE`` of 2000-12-31 (a leap year, so "February 29" parses), ``PREFER_DATES_FROM="past"``,
   ``DATE_ORDER="DMY"`` with the locale order disabled, English only, absolute parsers only, UTC. The year
   of a year-less expression is then chosen by our rule above, so a parse depends only on the expression
   and is reused across documents.

Time zones
----------
We only have publication *dates*, never times or zones. Relative words are read in the publisher's
calendar ("yesterday" is ``pub_date - 1``). A dateline states the local date at the place of filing, which
may be a day ahead of the publication stamp (Asia filed, Americas stamped) or behind it; `DateResolver.dateline`
accepts a stated date up to one day after ``pub_date`` and `Dateline.reference_date` clamps it so events are
never dated after publication.

Typical use by the coder::

    resolver = DateResolver()                       # one per worker
    line = resolver.dateline(document_text, pub_date)
    ref = line.reference_date(pub_date) if line else pub_date
    res = resolver.resolve(sentence, verb_span, ref)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["DATES_VERSION", "PRECISIONS", "DateResolution", "Dateline", "DateResolver", "CacheInfo"]

DATELINE_WINDOW = 1_000  # a dateline ends within 120 characters; only this much of a document is searched for one
DATES_VERSION = "events.dates.v4"  # v4: a passive infinitive's date ("the election to be held on August 9") is not the event's
FRONTED_WORDS = 5  # at most this many words before the comma of "…, X said" make a fronted adverbial, not a clause
PRECISIONS = ("day", "week", "month", "year")


@dataclass(frozen=True, slots=True)
class DateResolution:
    date: dt.date
    precision: str  # "day" | "week" | "month" | "year"
    source: str  # "text" | "publication"
    text: str | None  # expression as written in the sentence; None when source == "publication"
    span: tuple[int, int] | None  # character span of `text` in the sentence


@dataclass(frozen=True, slots=True)
class Dateline:
    """A news dateline at the very start of a document ("MOSCOW, July 3 (Reuters) –", "MEHR: ").

    `end` is where the body starts, so the coder can skip the dateline; `date` is the date it states (None
    for "WASHINGTON (AP) —"), resolved against the publication date with one day of time-zone slack.
    """

    text: str
    end: int
    place: str | None
    agency: str | None
    date: dt.date | None
    date_text: str | None
    date_span: tuple[int, int] | None

    def reference_date(self, pub_date: dt.date) -> dt.date:
        """The date relative expressions in this document are read against: the dateline's, never later than publication.

        >>> Dateline("X", 0, None, None, dt.date(2024, 7, 3), "July 3", (0, 6)).reference_date(dt.date(2024, 7, 5))
        datetime.date(2024, 7, 3)
        >>> Dateline("X", 0, None, None, dt.date(2024, 7, 6), "July 6", (0, 6)).reference_date(dt.date(2024, 7, 5))
        datetime.date(2024, 7, 5)
        """
        return pub_date if self.date is None else min(self.date, pub_date)


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    size: int
    maxsize: int


# ---------------------------------------------------------------------------------------------------------
# Vocabulary. Month and weekday names must be capitalised ("may" and "march" are verbs); other words match in
# any case.

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)(?![A-Za-z])"
)
_DAY = r"(?:3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![0-9A-Za-z])"
_YEAR = r"(?:1[89][0-9]{2}|20[0-9]{2})(?![0-9])"
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PART = r"(?:morning|afternoon|evening|night)"
_NUM = r"(?:[0-9]{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_PREP = r"(?:in|during|since|until|till|by|from|before|after|through)"

# Alternatives are tried in this order at each position; the first that matches wins, so longer explicit forms
# come first and a bare month only matches when no day or year follows it.
_CANDIDATE_RE = re.compile(
    rf"""
    (?P<md>\b(?:{_WD},?\s+)?{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?)
   |(?P<dm>\b(?:{_WD},?\s+)?(?:(?i:the)\s+)?{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?)
   |(?P<my>\b(?:(?i:early|mid|late)[-\s]+)?{_MONTH},?\s+{_YEAR})
   |(?P<num>(?<![0-9/.\-])(?:[0-9]{{1,2}}(?P<sep>[/.\-])[0-9]{{1,2}}(?P=sep)(?:[0-9]{{4}}|[0-9]{{2}})|(?:19|20)[0-9]{{2}}-[0-9]{{2}}-[0-9]{{2}})(?![0-9/\-]|\.[0-9]))
   |(?P<mon>\b(?i:{_PREP}|early|mid|late)[-\s]+(?:(?i:early|mid|late)[-\s]+)?{_MONTH}(?![.,]?\s*[0-9]))
   |(?P<yr>\b(?i:{_PREP}|early|mid|late|earlier\s+in|later\s+in|in\s+early|in\s+mid|in\s+late)[-\s]+{_YEAR}(?![-–/s]))
   |(?P<fut>(?i:
        \b(?:the\s+day\s+after\s+)?tomorrow\b
       |\bnext\s+(?:week|month|year|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday
                  |january|february|march|april|may|june|july|august|september|october|november|december)\b
       |\bcoming\s+(?:week|month|year|weekend|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b
       |\blater\s+(?:today|tonight|this\s+(?:morning|afternoon|evening|week|month|year))\b
       |\b(?:in\s+)?the\s+(?:coming|next)\s+(?:few\s+)?(?:days|weeks|months|years)\b
       |\bin\s+{_NUM}\s+(?:day|week|month|year)s?['’]?\s+time\b
    ))
   |(?P<rel>(?i:
        \bthe\s+day\s+before\s+yesterday\b
       |\byesterday(?:\s+(?:morning|afternoon|evening))?\b
       |\b(?:earlier\s+)?today\b
       |\btonight\b
       |\b(?:(?:early|late)\s+)?last\s+night\b
       |\b(?:(?:early|earlier)\s+)?this\s+(?:morning|afternoon|evening)\b
       |\b(?:earlier\s+)?this\s+(?:week|month|year)\b
       |\bearlier\s+in\s+the\s+(?:week|month|year)\b
       |\blast\s+(?:week|month|year|weekend)\b
       |\b(?:over|at|during)\s+the\s+weekend\b
       |\bthis\s+(?:past\s+)?weekend\b
       |\b{_NUM}\s+(?:day|week|month|year)s?\s+ago\b
    ))
   |(?P<wd>\b(?:(?i:last|this\s+past|this|early|late)\s+)?{_WD}(?:\s+{_PART})?\b)
    """,
    re.X,
)
_KINDS = ("md", "dm", "my", "num", "mon", "yr", "fut", "rel", "wd")

# Every alternative above contains one of these words within 24 characters of its start, so the (slow, ~1.5 µs
# a position) candidate regex only runs in small windows around trigger hits found by an Aho-Corasick automaton.
_TRIGGERS = (
    "0 1 2 3 4 5 6 7 8 9 jan feb mar apr may jun jul aug sep oct nov dec mon tue wed thu fri sat sun "
    "day yesterday tonight tomorrow night morning afternoon evening week month year ago"
).split()
_TRIGGER_BACK, _TRIGGER_AHEAD = 24, 56
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_AUTOMATON = None


def _fold(sentence: str) -> str:
    """The sentence lowercased without changing any offset.

    >>> _fold("On Tuesday, İstanbul")
    'on tuesday, İstanbul'
    """
    low = sentence.lower()
    return low if len(low) == len(sentence) else sentence.translate(_ASCII_LOWER)


def _trigger_starts(low: str) -> list[int]:
    global _AUTOMATON
    if _AUTOMATON is None:
        import ahocorasick  # C extension, cheap; built on first use so importing this module stays free

        automaton = ahocorasick.Automaton()
        for word in _TRIGGERS:
            automaton.add_word(word, len(word))
        automaton.make_automaton()
        _AUTOMATON = automaton
    return sorted({end - size + 1 for end, size in _AUTOMATON.iter(low)})


def _scan(sentence: str, low: str | None = None):
    """The matches `_CANDIDATE_RE.finditer(sentence)` would give, found only near trigger words.

    >>> s = "Talks resumed on Tuesday, July 16, and again in 2019 and last week."
    >>> [m.group() for m in _scan(s)] == [m.group() for m in _CANDIDATE_RE.finditer(s)]
    True
    """
    pos, n = 0, len(sentence)
    for start in _trigger_starts(_fold(sentence) if low is None else low):
        if start < pos:
            continue
        endpos = min(n, start + _TRIGGER_AHEAD)
        for p in range(max(pos, start - _TRIGGER_BACK), start + 1):
            if not sentence[p].isalnum() or (p and sentence[p - 1].isalnum()):
                continue  # every alternative starts at the start of a word or number
            m = _CANDIDATE_RE.match(sentence, p, endpos)
            if m is not None:
                yield m
                pos = m.end()
                break

_LEAD_IN_RE = re.compile(r"(?i)(?:\b(?:early|late|earlier|later)\s+)?\b(?:on|in|during)\s+\Z")
_BLOCKED_BEFORE_RE = re.compile(
    r"(?i)\b(?:since|until|till|by|from|before|after|through|to|between|than|unlike|ahead\s+of|as\s+of|prior\s+to|starting|beginning)\s+\Z"
)
_LEADING_WORD_RE = re.compile(r"(?i)(in|during|since|until|till|by|from|before|after|through)[-\s]+")
_BLOCKED_WORDS = frozenset(("since", "until", "till", "by", "from", "before", "after", "through"))
_ATTRIBUTIVE_RE = re.compile(r"(?i)\b(?:the|a|an|its|his|her|their|this|that|last)\s+\Z")
_HOLIDAY_BEFORE_RE = re.compile(r"\b(?:Good|Super|Bloody|Black|Cyber|Holy|Palm|Easter|Ash|Maundy|Shrove)\s+\Z")
_TITLE_AFTER_RE = re.compile(r"\s+(?:Times|Telegraph|Express|Mirror|Post|Agreement|Accords?|Prayers?|Sermon|Group)\b")

# ---------------------------------------------------------------------------------------------------------
# Clause structure.

# Clause regexes run on the ASCII-lowercased sentence (same offsets) where case does not matter: case-insensitive
# patterns are several times slower in `re`. Hard boundaries: ; and — always, spaced – - --, and ": ".
_HARD_CHAR_RE = re.compile(r"[;:—–-]")
_PAREN_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_TIME_NOUN = r"(?:day|night|morning|afternoon|evening|week|weekend|month|year|time|date)"
_SUBORDINATE_RE = re.compile(
    rf"\b(?:which|who|whom|whose|where|when|while|whereas|because|although|though|unless|whether|if"
    rf"|that(?!\s+{_TIME_NOUN}\b))\b"
)
_TRAILING_REPORT_RE = re.compile(
    r",[\"”’']?\s+(?:[^,;\"“”]{0,60}?\s)?(?:said|says|told|added|stated|noted|reported|announced|according\s+to)\b"
)
_ACCORDING_RE = re.compile(r"\baccording\s+to\b")
_SAID_RE = re.compile(r"\b(?:said|says|say)\b(?=\s+(?P<next>[\w'’]+))")
_SAID_KEEPS = frozenset(
    "in at on to during after before late early earlier later last this yesterday today tonight that "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_IRREGULAR_PAST = (
    "met|held|made|took|gave|went|came|left|said|told|sent|spoke|saw|began|fled|fought|struck|shot|won|lost|"
    "brought|bought|built|caught|drew|drove|fell|found|got|hit|kept|knew|led|paid|put|ran|rose|sat|set|sold|"
    "stood|became|broke|chose|froze|hid|laid|sought|spent|stuck|swept|taught|thought|tore|withdrew|wrote|"
    "overtook|undertook|underwent|upheld|withheld|swore|threw|forbade|rang|sang|bore"
)
_AUXILIARY = "will|would|shall|should|could|can|may|might|must|has|have|had|is|are|was|were|did|does"
_COORDINATION_RE = re.compile(  # on the original text: "United" after "and" is a name, "united" a verb
    rf"\b(?:and|but)\s+(?:(?:also|then|later|subsequently|eventually|again|not)\s+)*"
    rf"(?:(?P<aux>{_AUXILIARY}|['’]ll)|(?={_IRREGULAR_PAST}\b|[a-z]{{3,}}ed\b))"
)
# a passive infinitive after a noun names what is yet to happen to it ("the election to be held on August 9", "the
# treaty to be signed in May"); its date is the plan's, not the sentence's event's
_PROSPECTIVE_RE = re.compile(r"\bto be (?:[a-z]+ed|held|made|set|taken|given|sworn|seen|chosen|done|begun|run)\b")
_INTENT_RE = re.compile(
    r"\b(?:agree[sd]?|decide[sd]?|plan(?:s|ned)?|vow(?:s|ed)?|promise[sd]?|pledge[sd]?|offer(?:s|ed)?"
    r"|threaten(?:s|ed)?|hope[sd]?|want(?:s|ed)?|aim(?:s|ed)?|intend(?:s|ed)?|expect(?:s|ed)?|seek(?:s)?|sought"
    r"|tr(?:y|ies|ied)|refuse[sd]?|fail(?:s|ed)?|prepare[sd]?|due|scheduled|slated|poised|going|invite[sd]?"
    r"|urge[sd]?|ask(?:s|ed)?|call(?:s|ed)\s+on)(?:\s+[A-Z][\w'’.-]*){0,3}\s+(?P<to>to)\s+(?=[a-z]+\b)"
)
_FUTURE_AUX_RE = re.compile(
    r"\b(?:will|shall|would|won['’]t|wo\s+n['’]t)\b|['’]ll\b"
    r"|\b(?:is|are|am|was|were)\s+(?:(?:due|expected|scheduled|set|slated|poised|going|planning|preparing)\s+)?to\b"
    r"|\b(?:plans?|intends?|aims?|hopes?|wants?|seeks?|vows?|pledges?|promises?|threatens?)\s+to\b"
)


class _Candidate(NamedTuple):
    start: int  # start of the expression as reported (with "on"/"in" lead-in)
    core: int  # start of the date words themselves
    end: int
    kind: str
    key: str  # normalised core text: the cache key
    blocked: bool  # after since/until/by/…: never dates an event


def _find_candidates(sentence: str, low: str | None = None) -> list[_Candidate]:
    """Every date-like expression in `sentence`, left to right, with filters for non-dating uses.

    >>> [(c.kind, c.key) for c in _find_candidates("They met on Tuesday, not since March 2023.")]
    [('wd', 'tuesday'), ('my', 'march 2023')]
    """
    found: list[_Candidate] = []
    for m in _scan(sentence, low):
        kind = next(k for k in _KINDS if m.start(k) >= 0)
        core, end = m.start(), m.end()
        after = sentence[end : end + 2]
        if after in ("'s", "’s"):
            continue  # "Tuesday's talks", "last year's election": a noun, not the time of this event
        before = sentence[max(0, core - 24) : core]
        blocked = False
        if kind in ("mon", "yr"):
            lead = _LEADING_WORD_RE.match(sentence, core)
            if lead:
                blocked = lead.group(1).lower() in _BLOCKED_WORDS
                core = lead.end() if not blocked else core
        if kind in ("md", "dm") and _ATTRIBUTIVE_RE.search(before) and not sentence[core:end].lower().startswith("the"):
            continue  # "the July 13 attack"
        if kind == "wd" and (_HOLIDAY_BEFORE_RE.search(before) or _TITLE_AFTER_RE.match(sentence, end)):
            continue  # "Good Friday", "the Sunday Times"
        start = core
        lead_in = _LEAD_IN_RE.search(before)
        if lead_in and kind not in ("mon", "yr"):
            start = max(0, core - 24) + lead_in.start()
        elif kind in ("mon", "yr") and not blocked:
            start = m.start()
        if _BLOCKED_BEFORE_RE.search(sentence[max(0, start - 24) : start]):
            blocked = True
        key = " ".join(sentence[core:end].split()).lower()
        found.append(_Candidate(start, core, end, kind, key, blocked))
    return found


def _clause_ids(
    sentence: str, verb_span: tuple[int, int], dated: tuple[int, ...] = (), low: str | None = None
) -> tuple[list[int], frozenset[int]]:
    """A clause id for every character, and the ids of intention complements ("agreed to meet …").

    The verb owns the dates whose first character shares its id; a verb inside an intention complement
    describes something not yet done. `dated` holds the end offsets of date candidates: coordinated past
    verbs share a date ("met and held talks … on Tuesday") unless the first conjunct carries its own, with no
    comma between it and the "and" ("arrived on Monday and met Lavrov on Tuesday"); an auxiliary after the
    "and" ("… and will return") always starts a new clause.

    >>> s = "Lavrov congratulated Iran on the elections which were held on June 8."
    >>> ids, _ = _clause_ids(s, (7, 20))
    >>> ids[7] == ids[s.index("on the")], ids[7] == ids[s.index("June")]
    (True, False)
    """
    n = len(sentence)
    low = _fold(sentence) if low is None else low
    ids = [0] * n
    next_id = 1
    hard = [m.start() for m in _HARD_CHAR_RE.finditer(sentence) if _is_hard(sentence, m.start())]
    for pos in hard:
        ids[pos:] = [next_id] * (n - pos)
        next_id += 1
    hard_after = hard + [n]

    def chunk_end(pos: int) -> int:
        return next(h for h in hard_after if h > pos) if pos < n else n

    def chunk_start(pos: int) -> int:
        return max((h for h in hard if h <= pos), default=0)

    vs, ve = verb_span
    soft: list[tuple[int, int, int]] = []  # (start, end, order) of regions that become their own clause
    for m in _SUBORDINATE_RE.finditer(low):
        word_start = m.start()
        if vs < word_start < ve:
            continue
        start = len(sentence[:word_start].rstrip())
        comma = start > 0 and sentence[start - 1] == ","
        start = start - 1 if comma else word_start
        head = sentence[chunk_start(start) : start].strip(" \t\"“'‘:—–-;")
        if comma or not head:
            stop = sentence.find(",", word_start + 1)
            end = stop if 0 <= stop < chunk_end(word_start) else chunk_end(word_start)
        else:
            end = chunk_end(word_start)
        soft.append((start, end, 0))
    for m in _TRAILING_REPORT_RE.finditer(low):
        if m.start() <= vs < m.end() and len(sentence[chunk_start(m.start()) : m.start()].split()) <= FRONTED_WORDS:
            continue  # "On Wednesday, the government said …": a fronted adverbial, and the report is the event
        soft.append((m.start(), chunk_end(m.start()), 1))
    for m in _ACCORDING_RE.finditer(low):
        stop = sentence.find(",", m.end())
        soft.append((m.start(), stop if 0 <= stop < chunk_end(m.start()) else chunk_end(m.start()), 1))
    for m in _SAID_RE.finditer(low):
        if m.group("next") not in _SAID_KEEPS and not (vs < m.end() < ve):
            soft.append((m.end(), chunk_end(m.end()), 2))
    for m in _COORDINATION_RE.finditer(sentence):
        if vs < m.start() < ve or vs < m.end() <= ve:
            continue
        left = chunk_start(m.start())
        own_date = any(left <= end <= m.start() and "," not in sentence[end : m.start()] for end in dated)
        if m.group("aux") or own_date:
            soft.append((m.start(), chunk_end(m.start()), 3))
    for m in _INTENT_RE.finditer(sentence):
        soft.append((m.start("to"), chunk_end(m.start("to")), 4))
    for m in _PROSPECTIVE_RE.finditer(low):
        if not (m.start() <= vs < m.end()):
            # "the election to be held on August 9, held a rally": a plan, up to its comma or its own date
            stop = sentence.find(",", m.end())
            ends = [stop] if 0 <= stop < chunk_end(m.start()) else [chunk_end(m.start())]
            soft.append((m.start(), min(ends + [end for end in dated if end > m.end()]), 4))
    intent: list[int] = []
    for start, end, order in sorted(soft):
        if start >= n:
            continue
        old = ids[start]
        ids[start:end] = [next_id if x == old else x for x in ids[start:end]]
        if order == 4:
            intent.append(next_id)
        next_id += 1
    for m in _PAREN_RE.finditer(sentence):
        ids[m.start() : m.end()] = [next_id] * (m.end() - m.start())
        next_id += 1
    return ids, frozenset(intent)


def _is_hard(sentence: str, i: int) -> bool:
    char = sentence[i]
    after = sentence[i + 1 : i + 2]
    if char in ";—":
        return True
    if char == ":":
        return after.isspace()
    spaced_before = i > 0 and sentence[i - 1].isspace()
    if char == "–":
        return spaced_before and after.isspace()
    return spaced_before and (after.isspace() or after == "-" and sentence[i + 2 : i + 3].isspace())


def _is_future_clause(low: str, ids: list[int], intent: frozenset[int], verb_span: tuple[int, int]) -> bool:
    """Whether the verb's clause is a plan: a future marker before the verb, or an intention complement.

    >>> s = "they will meet on friday, and agreed to talk on sunday."
    >>> ids, intent = _clause_ids(s, (10, 14))
    >>> _is_future_clause(s, ids, intent, (10, 14)), _is_future_clause(s, ids, intent, (40, 44))
    (True, True)
    """
    verb_id = ids[verb_span[0]]
    if verb_id in intent:
        return True
    return any(ids[m.start()] == verb_id for m in _FUTURE_AUX_RE.finditer(low, 0, verb_span[1]))


# ---------------------------------------------------------------------------------------------------------
# Calendar arithmetic: pure functions of (fields, reference date, direction).


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) moved by `delta` months.

    >>> _add_months(2024, 1, -1)
    (2023, 12)
    """
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _month_day(month: int, day: int, ref: dt.date, direction: str) -> dt.date | None:
    """The most recent (past) or next (future) `month`/`day` on or from `ref`; Feb 29 only in leap years.

    >>> _month_day(12, 30, dt.date(2025, 1, 2), "past")
    datetime.date(2024, 12, 30)
    >>> _month_day(2, 29, dt.date(2027, 3, 1), "past")
    datetime.date(2024, 2, 29)
    """
    step = -1 if direction == "past" else 1
    year = ref.year
    if (month, day) > (ref.month, ref.day) and step < 0 or (month, day) < (ref.month, ref.day) and step > 0:
        year += step
    for _ in range(8):  # a leap day is at most 8 years away (1896 → 1904)
        if month != 2 or day != 29 or _is_leap(year):
            try:
                return dt.date(year, month, day)
            except ValueError:
                return None
        year += step
    return None


def _weekday(weekday: int, ref: dt.date, direction: str, strict: bool = False) -> dt.date:
    """The most recent (past) or next (future) `weekday` (Monday=0) on or from `ref`; `strict` skips `ref`.

    >>> _weekday(1, dt.date(2024, 7, 17), "past")
    datetime.date(2024, 7, 16)
    >>> _weekday(2, dt.date(2024, 7, 17), "past", strict=True)
    datetime.date(2024, 7, 10)
    """
    if direction == "past":
        delta = (ref.weekday() - weekday) % 7 or (7 if strict else 0)
        return ref - dt.timedelta(days=delta)
    delta = (weekday - ref.weekday()) % 7 or (7 if strict else 0)
    return ref + dt.timedelta(days=delta)


def _numeric(text: str, ref: dt.date) -> dt.date | None:
    """A numeric date: ISO is year-month-day; otherwise day-first unless that is impossible.

    >>> _numeric("05/07/2024", dt.date(2024, 8, 1)), _numeric("07/16/2024", dt.date(2024, 8, 1))
    (datetime.date(2024, 7, 5), datetime.date(2024, 7, 16))
    >>> _numeric("31/02/2024", dt.date(2024, 8, 1)) is None
    True
    """
    parts = [int(p) for p in re.split(r"[/.\-]", text)]
    if len(str(text.split("-")[0])) == 4 and text.count("-") == 2:
        year, month, day = parts
    else:
        first, second, year = parts
        if year < 100:
            year += 2000 if 2000 + year <= ref.year else 1900
        day, month = (first, second) if second <= 12 else (second, first)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _relative(key: str, ref: dt.date, direction: str) -> tuple[dt.date, str] | None:
    """Relative words against `ref`; week dates are Mondays, month dates the 1st, year dates 1 January.

    >>> _relative("earlier this week", dt.date(2024, 7, 17), "past")
    (datetime.date(2024, 7, 15), 'week')
    >>> _relative("two days ago", dt.date(2024, 7, 17), "past")
    (datetime.date(2024, 7, 15), 'day')
    """
    words = key.split()
    if key == "the day before yesterday":
        return ref - dt.timedelta(days=2), "day"
    if words[0] == "yesterday" or key.endswith("last night"):
        return ref - dt.timedelta(days=1), "day"
    if words[-1] in ("today", "tonight") or words[-1] in ("morning", "afternoon", "evening"):
        return ref, "day"
    if words[-1] == "ago":
        n, unit = _count(words[0]), words[1].rstrip("s")
        if unit == "day":
            return ref - dt.timedelta(days=n), "day"
        if unit == "week":
            return _monday(ref - dt.timedelta(weeks=n)), "week"
        if unit == "month":
            return dt.date(*_add_months(ref.year, ref.month, -n), 1), "month"
        return dt.date(ref.year - n, 1, 1), "year"
    if words[-1] == "weekend":
        saturday = _weekday(5, ref, "past") if ref.weekday() != 6 else ref - dt.timedelta(days=1)
        return _monday(saturday), "week"
    unit = words[-1]
    back = 1 if words[0] == "last" else 0
    if unit == "week":
        return _monday(ref) - dt.timedelta(weeks=back), "week"
    if unit == "month":
        return dt.date(*_add_months(ref.year, ref.month, -back), 1), "month"
    if unit == "year":
        return dt.date(ref.year - back, 1, 1), "year"
    return None


def _future(key: str, ref: dt.date) -> tuple[dt.date, str] | None:
    """The date a future marker points at (only used when the caller asks for the intended date).

    >>> _future("next tuesday", dt.date(2024, 7, 16))
    (datetime.date(2024, 7, 23), 'day')
    """
    words = key.split()
    if words[-1] == "tomorrow":
        return ref + dt.timedelta(days=2 if words[0] == "the" else 1), "day"
    if words[0] in ("next", "coming") and len(words) == 2:
        unit = words[1]
        if unit in _WEEKDAYS:
            return _weekday(_WEEKDAYS.index(unit), ref, "future", strict=True), "day"
        if unit[:3] in _MONTHS and unit not in ("week", "weekend"):
            month = _MONTHS.index(unit[:3]) + 1
            return dt.date(ref.year + (1 if month <= ref.month else 0), month, 1), "month"
        if unit in ("week", "weekend"):
            return _monday(ref) + dt.timedelta(weeks=1), "week"
        if unit == "month":
            return dt.date(*_add_months(ref.year, ref.month, 1), 1), "month"
        return dt.date(ref.year + 1, 1, 1), "year"
    if words[0] == "later" and len(words) >= 2 and words[1] in ("today", "tonight"):
        return ref, "day"
    return None


# ---------------------------------------------------------------------------------------------------------
# dateparser, configured once and imported only when a textual calendar expression needs it.

_PARSER = None
_DATEPARSER_SETTINGS = {
    "RELATIVE_BASE": dt.datetime(2000, 12, 31, 12, 0),  # a leap year: "February 29" parses; year is ours
    "PREFER_DATES_FROM": "past",
    "DATE_ORDER": "DMY",
    "PREFER_LOCALE_DATE_ORDER": False,
    "PREFER_DAY_OF_MONTH": "first",
    "PARSERS": ["custom-formats", "absolute-time"],
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": False,
}
_WEEKDAY_PREFIX_RE = re.compile(rf"(?i)^{_WD},?\s+")
_MODIFIER_RE = re.compile(r"(?i)^(?:early|mid|late)[-\s]+")
_YEAR_RE = re.compile(_YEAR)


def _dateparser():
    global _PARSER
    if _PARSER is None:
        from dateparser.date import DateDataParser  # ~0.2 s import: only when first needed

        _PARSER = DateDataParser(languages=["en"], settings=_DATEPARSER_SETTINGS)
    return _PARSER


def warm_up() -> None:
    """Load dateparser and its English data now (about a second, once per process).

    A build with worker processes calls this before forking, so each worker inherits the loaded parser instead of
    paying the cost again. Parsing a fixed expression leaves no state that changes later results.
    """
    _calendar_fields("16 july 2024")


def _calendar_fields(key: str) -> tuple[int | None, int, int | None] | None:
    """(year or None, month, day or None) of a textual calendar expression, via dateparser."""
    text = _MODIFIER_RE.sub("", _WEEKDAY_PREFIX_RE.sub("", key))
    data = _dateparser().get_date_data(text)
    if data.date_obj is None:
        return None  # includes impossible dates such as "29 february 2025"
    year = data.date_obj.year if _YEAR_RE.search(text) else None
    day = data.date_obj.day if data.period == "day" else None
    return year, data.date_obj.month, day


# ---------------------------------------------------------------------------------------------------------


class DateResolver:
    """One per worker; caches parses per (normalised expression, reference date, direction).

    The caches are bounded and evict oldest-first; results never depend on cache state.
    """

    def __init__(self, maxsize: int = 65536) -> None:
        self._maxsize = maxsize
        self._values: dict[tuple[str, str, dt.date, str], tuple[dt.date, str] | None] = {}
        self._fields: dict[str, tuple[int | None, int, int | None] | None] = {}
        self._hits = 0
        self._misses = 0

    def cache_info(self) -> CacheInfo:
        return CacheInfo(self._hits, self._misses, len(self._values), self._maxsize)

    def cache_clear(self) -> None:
        self._values.clear()
        self._fields.clear()
        self._hits = self._misses = 0

    # -- public API ---------------------------------------------------------------------------------------

    def resolve(self, sentence: str, verb_span: tuple[int, int], pub_date: dt.date,
                outside: tuple[tuple[int, int], ...] = ()) -> DateResolution:
        """The date of the event whose verb phrase is `sentence[verb_span[0]:verb_span[1]]`; date expressions
        inside the `outside` character spans (other clauses, as the parse draws them) are not the event's."""
        vs, ve = verb_span
        if not (0 <= vs < ve <= len(sentence)):
            raise ValueError(
                f"[DT001] verb_span {verb_span!r} is not a span of the sentence (length {len(sentence)}); "
                f"expected 0 <= start < end <= {len(sentence)}"
            )
        if isinstance(pub_date, dt.datetime):
            pub_date = pub_date.date()
        fallback = DateResolution(pub_date, "day", "publication", None, None)
        low = _fold(sentence)
        candidates = [c for c in _find_candidates(sentence, low) if not any(a <= c.start and c.end <= b for a, b in outside)]
        if not candidates:
            return fallback
        ids, intent = _clause_ids(sentence, verb_span, tuple(c.end for c in candidates if not c.blocked), low)
        verb_id = ids[vs]
        eligible = [c for c in candidates if ids[c.core] == verb_id and not c.blocked]
        if not eligible or _is_future_clause(low, ids, intent, verb_span):
            return fallback

        def distance(c: _Candidate) -> tuple[int, int]:
            if c.end <= vs:
                return vs - c.end, 1
            return max(0, c.start - ve), 0

        for cand in sorted(eligible, key=lambda c: (*distance(c), c.start)):
            if cand.kind == "fut":
                return fallback  # "meets … next week": intent stated on the publication date
            value = self._value(cand.kind, cand.key, pub_date, "past")
            if value is None:
                continue  # not a real date ("29 February 2025"): rejected, the next nearest may still date it
            day, precision = value
            if day > pub_date:
                return fallback  # an explicit date after publication is a plan, not an event
            return DateResolution(day, precision, "text", sentence[cand.start : cand.end], (cand.start, cand.end))
        return fallback

    def parse_expression(self, text: str, ref: dt.date, direction: str = "past") -> tuple[dt.date, str] | None:
        """(date, precision) of the first date expression in `text`, read in `direction` from `ref`.

        Clause and tense rules do not apply here; this is the cached expression parser `resolve` uses, exposed
        so the coder can record the announced date of an intention ("will meet on Friday") if it wants to.

        >>> r = DateResolver()
        >>> r.parse_expression("on Friday", dt.date(2024, 7, 17), "future")
        (datetime.date(2024, 7, 19), 'day')
        >>> r.parse_expression("in March", dt.date(2024, 1, 10))
        (datetime.date(2023, 3, 1), 'month')
        """
        if direction not in ("past", "future"):
            raise ValueError(f"[DT002] direction {direction!r}; expected 'past' or 'future'")
        for cand in _find_candidates(text):
            if not cand.blocked:
                return self._value(cand.kind, cand.key, ref, direction)
        return None

    def dateline(self, text: str, pub_date: dt.date) -> Dateline | None:
        """The dateline at the very start of a document, or None.

        Recognised: an all-caps place with optional region, date and agency, then a dash or colon
        ("MOSCOW, July 3 (Reuters) –", "KYIV, Ukraine (AP) —", "NEW YORK, 16 July 2024 --"), a title-case place
        with an agency ("Tehran (IRNA) –") and a bare agency tag ("MEHR: "; a single all-caps word before a
        colon is taken as an agency, as Iranian wires write it). A year-less date is the most recent one on
        or before the day after `pub_date` (one day of time-zone slack).

        >>> line = DateResolver().dateline("MOSCOW, July 3 (Reuters) - Russia said ...", dt.date(2024, 7, 4))
        >>> line.place, line.agency, line.date, line.text
        ('MOSCOW', 'Reuters', datetime.date(2024, 7, 3), 'MOSCOW, July 3 (Reuters) -')
        """
        text = text[:DATELINE_WINDOW]
        m = _DATELINE_RE.match(text) or _DATELINE_TITLE_RE.match(text)
        if m is None or m.end("sep") > 120:
            return None
        place, agency = m.group("place"), m.group("agency")
        if m.group("sep") == ":" and not agency and not m.group("date") and " " not in place:
            place, agency = None, place
        if isinstance(pub_date, dt.datetime):
            pub_date = pub_date.date()
        day = date_text = date_span = None
        if m.group("date"):
            date_span = m.span("date")
            date_text = m.group("date")
            kind = "num" if date_text[0].isdigit() and not re.search(r"[A-Za-z]", date_text) else "md"
            latest = pub_date if pub_date == dt.date.max else pub_date + dt.timedelta(days=1)
            value = self._value(kind, " ".join(date_text.split()).lower(), latest, "past")
            day = value[0] if value else None
        return Dateline(text[: m.end("sep")], m.end(), place, agency, day, date_text, date_span)

    # -- internals ----------------------------------------------------------------------------------------

    def _value(self, kind: str, key: str, ref: dt.date, direction: str) -> tuple[dt.date, str] | None:
        cache_key = (kind, key, ref, direction)
        try:
            value = self._values[cache_key]
        except KeyError:
            self._misses += 1
            try:
                value = self._compute(kind, key, ref, direction)
            except (OverflowError, ValueError):  # "two days ago" in year 1, "next year" in 9999: not a calendar date
                value = None
            if len(self._values) >= self._maxsize:
                del self._values[next(iter(self._values))]
            self._values[cache_key] = value
            return value
        self._hits += 1
        return value

    def _compute(self, kind: str, key: str, ref: dt.date, direction: str) -> tuple[dt.date, str] | None:
        if kind == "num":
            day = _numeric(key, ref)
            return (day, "day") if day else None
        if kind == "rel":
            return _relative(key, ref, direction)
        if kind == "fut":
            return _future(key, ref) if direction == "future" else None
        if kind == "wd":
            words = key.split()
            weekday = next(i for i, name in enumerate(_WEEKDAYS) if name in words)
            strict = words[0] in ("last", "past") or words[:2] == ["this", "past"]
            return _weekday(weekday, ref, direction, strict=strict), "day"
        if kind == "yr":
            return dt.date(int(_YEAR_RE.search(key).group()), 1, 1), "year"
        fields = self._fields.get(key, ...)
        if fields is ...:
            fields = _calendar_fields(key)
            if len(self._fields) >= self._maxsize:
                del self._fields[next(iter(self._fields))]
            self._fields[key] = fields
        if fields is None:
            return None
        year, month, day = fields
        if day is None:  # a month: "in March", "March 2023", "mid-July"
            if year is None:
                year = ref.year
                if direction == "past" and month > ref.month:
                    year -= 1
                elif direction == "future" and month < ref.month:
                    year += 1
            return dt.date(year, month, 1), "month"
        if year is None:
            resolved = _month_day(month, day, ref, direction)
            stated = _WEEKDAY_PREFIX_RE.match(key)
            if resolved and stated and resolved.weekday() != _WEEKDAYS.index(stated.group().strip(" ,").lower()):
                # "Tuesday, January 21" read in a 15 January article: the weekday says which year is meant
                other = _month_day(month, day, ref, "future" if direction == "past" else "past")
                if other and other.weekday() == _WEEKDAYS.index(stated.group().strip(" ,").lower()):
                    resolved = other
            return (resolved, "day") if resolved else None
        return dt.date(year, month, day), "day"


_DL_DATE = rf"(?:{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?|{_DAY}\s+{_MONTH}(?:,?\s+{_YEAR})?|[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}})"
_DL_TAIL = rf"(?:,\s*(?P<date>{_DL_DATE}))?(?:\s*\((?P<agency>[^()\n]{{1,40}})\))?\s*(?P<sep>—|–|-{{1,2}}|:)(?=\s)\s*"
_DATELINE_RE = re.compile(
    rf"\A\s*(?P<place>[A-Z][A-Z.'’\-]+(?:\s+[A-Z][A-Z.'’\-]+)*)(?![a-z])"
    rf"(?:,\s*(?!{_MONTH}\s)(?P<region>[A-Z][A-Za-z.'’\-]+(?:\s+[A-Z][A-Za-z.'’\-]+)*))?" + _DL_TAIL
)
_DATELINE_TITLE_RE = re.compile(
    rf"\A\s*(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)(?:,\s*(?P<date>{_DL_DATE}))?\s*\((?P<agency>[^()\n]{{1,40}})\)"
    rf"\s*(?P<sep>—|–|-{{1,2}}|:)(?=\s)\s*"
)
