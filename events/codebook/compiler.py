"""Compile a loaded codebook, once, into the matchers the coder runs: a token trie for actor, agent and
discard phrases, an index of verb patterns by head word, and an Aho–Corasick prefilter.

Everything the coder needs at run time is derived here and nowhere else (STYLE.md §3), so a worker
process receives one picklable object and the hot path never touches codebook files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from functools import lru_cache
from typing import TYPE_CHECKING

from events.codebook.records import ActorEntry, AgentEntry, Codebook, CodebookError, Discard, EventType
from events.problems import Problem
from events.coding import grammar as g
from events.coding.grammar import DETERMINERS, PREPOSITIONS, SUBJECT_PRONOUNS
from events.coding.places import LazyGazetteer
from events.coding.text import tokenize

if TYPE_CHECKING:
    from events.coding.parse import Parser

COMPILER_VERSION = "events.compiler.v2"  # v2: cues, reporting verbs, genders

FLAGS = ("ignore", "mutual", "no_target", "noun", "source_slot")
PLACE_ACTOR_FILES = ("actors/countries.csv", "actors/places.csv")  # actor tables whose names are places
GAP = "..."
SLOT = "+"
MAX_GAP = 5


# -- inflection ---------------------------------------------------------------------------------------
_VOWELS = set("aeiou")


def verb_forms(lemma: str, irregular: dict[str, tuple[str, str, str, str]]) -> tuple[str, ...]:
    """All surface forms of a verb lemma: base, third person, past, participle, gerund.

    >>> verb_forms("try", {})
    ('tried', 'tries', 'try', 'trying')
    >>> verb_forms("meet", {"meet": ("meets", "met", "met", "meeting")})
    ('meet', 'meeting', 'meets', 'met')
    """
    if lemma in irregular:
        forms = (lemma, *irregular[lemma])
    else:
        forms = (lemma, _third(lemma), _past(lemma), _past(lemma), _gerund(lemma))
    return tuple(sorted({f for form in forms for f in form.split("|") if f}))


def past_participles(lemma: str, irregular: dict[str, tuple[str, str, str, str]]) -> tuple[str, ...]:
    participle = irregular[lemma][2] if lemma in irregular else _past(lemma)
    return tuple(sorted(f for f in participle.split("|") if f))


def _third(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh", "o")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def _past(word: str) -> str:
    if word.endswith("e"):
        return word + "d"
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return word[:-1] + "ied"
    return word + "ed"


def _gerund(word: str) -> str:
    if word.endswith("ie"):
        return word[:-2] + "ying"
    if word.endswith("e") and not word.endswith(("ee", "ye", "oe")) and len(word) > 2:
        return word[:-1] + "ing"
    return word + "ing"


def plural(phrase: str) -> str:
    """Plural of a noun phrase (its last word).

    >>> plural("foreign minister"), plural("embassy"), plural("ministry of defence")
    ('foreign ministers', 'embassies', 'ministries of defence')
    """
    words = phrase.split(" ")
    if " of " in f" {phrase} ":  # "ministry of defence" pluralises its head
        i = words.index("of") - 1
    else:
        i = len(words) - 1
    word = words[i]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        word += "es"
    elif word.endswith("y") and len(word) > 1 and word[-2].lower() not in _VOWELS:
        word = word[:-1] + "ies"
    elif word[-1:].isalpha():
        word += "s"
    words[i] = word
    return " ".join(words)


# -- compiled records ---------------------------------------------------------------------------------
@dataclass(slots=True)  # not frozen: built thousands of times at load, and frozen __init__ is slow
class PhraseEntry:
    """What a phrase in the trie stands for."""

    kind: str  # "actor" | "agent" | "discard"
    entry_id: str
    code: str
    exact: tuple[str, ...] | None  # token texts that must match exactly (all-capitals names), else None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source_file: str = ""
    is_person: bool = False  # a named person, or a singular agent noun: an individual

    def applies_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass(slots=True)  # not frozen: built once per pattern at load, treated as immutable
class CompiledPattern:
    id: str
    code: str
    head: str  # the lemma or noun as written
    elements: tuple[str, ...]  # after the head: literal tokens, SLOT, GAP
    flags: frozenset[str]
    participles: frozenset[str]  # forms of the head that can be passive participles
    specificity: int  # literal tokens matched; longer patterns win
    needs: frozenset[str] = frozenset()  # literal words besides the head, all required in the sentence

    @property
    def is_noun(self) -> bool:
        return "noun" in self.flags


@dataclass
class CompiledCodebook:
    name: str
    version: str
    content_hash: str
    label: str  # what rows record as codebook_version: name@version, plus +hash8 when the files are not as released
    event_types: dict[str, EventType]
    rules: dict
    country_codes: frozenset[str]
    role_codes: frozenset[str]
    group_codes: frozenset[str]
    trie: dict = field(repr=False)  # token -> child; key "" holds a tuple of PhraseEntry
    verb_index: dict[str, tuple[CompiledPattern, ...]] = field(repr=False)
    first_tokens: frozenset[str] = field(repr=False, default=frozenset())
    # head form -> the sets of literal words its patterns need besides the head (empty set: none needed)
    head_needs: dict[str, tuple[frozenset[str], ...]] = field(repr=False, default_factory=dict)
    refusal_forms: frozenset[str] = field(repr=False, default=frozenset())
    # irregular past forms ("held", "met"): with "-ed" words, what marks a finite verb after "and"
    past_forms: frozenset[str] = field(repr=False, default=frozenset())
    prefilter_words: tuple[str, ...] = field(repr=False, default=())
    # inflected forms of the codebook's reporting verbs, and cue phrases by first word: (words, code, cue id)
    reporting_forms: frozenset[str] = field(repr=False, default=frozenset())
    cues: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]] = field(repr=False, default_factory=dict)
    cue_words: frozenset[str] = field(repr=False, default=frozenset())  # first words of cues (a prefilter)
    # forms of the verbs whose passive the codebook attributes with no agent written ("was arrested": rule
    # `agentless_passive`): a sentence holding one is read even when it names no actor
    agentless_forms: frozenset[str] = field(repr=False, default=frozenset())
    # first words of actor names that are not closed-class words ("the Kremlin" starts with "the")
    name_words: frozenset[str] = field(repr=False, default=frozenset())
    gender: dict[str, str] = field(repr=False, default_factory=dict)  # person id (before "@") -> "f" | "m"
    parser: "Parser | None" = field(repr=False, default=None)  # the tagger + parser the coder reads trees from
    # labels for rows: entry id -> (canonical name, code, is an agent); country code -> ISO 3166-1 alpha-3 (or "")
    entries: dict[str, tuple[str, str, bool]] = field(repr=False, default_factory=dict)
    country_iso3: dict[str, str] = field(repr=False, default_factory=dict)
    # CAMEO code -> (PLOVER event type, mode, contexts joined by ";"), None where the codebook gives none (plover.csv)
    plover: dict[str, tuple[str | None, str | None, str | None]] = field(repr=False, default_factory=dict)
    # the gazetteer (built on first use: events.coding.places), and the actor entries that name places (countries,
    # capitals, cities), whose words may also place an event
    gazetteer: "LazyGazetteer | None" = field(repr=False, default=None)
    place_ids: frozenset[str] = field(repr=False, default=frozenset())

    def event_type(self, code: str) -> EventType:
        return self.event_types[code]

    def plover_of(self, code: str) -> tuple[str | None, str | None, str | None]:
        """(PLOVER event type, mode, contexts joined by ";") of a CAMEO event code; None for each where there is none."""
        return self.plover.get(code, (None, None, None))

    def iso3(self, actor_code: str) -> str | None:
        """ISO 3166-1 alpha-3 code of an actor code's country (its first three letters), None when it has none."""
        return self.country_iso3.get(actor_code[:3]) or None

    def may_match(self, words: set[str]) -> bool:
        """Whether some verb pattern could match a sentence with these words (all its literals are present)."""
        needs = self.head_needs
        superset = words.issuperset
        for word in words:  # (set.intersection(dict) would walk the whole dict)
            if word in needs and any(map(superset, needs[word])):
                return True
        return False


# -- compile ------------------------------------------------------------------------------------------
def rule_for(table: dict, code: str):
    """The value a codebook table keyed by code or code prefix gives `code` (the longest key wins; "17" covers
    "173"), None when no key covers it."""
    for n in range(len(code), 1, -1):
        if code[:n] in table:
            return table[code[:n]]
    return None


def compile_codebook(codebook: Codebook, parser: "Parser | None" = None) -> CompiledCodebook:
    """Build the matchers for `codebook` (which must have loaded without errors), with the loaded `parser`
    (`events.coding.parse.load_parser()`) the coder reads sentence structure from."""
    trie: dict = {}
    for actor in codebook.actors:
        for name in actor.names:
            _insert(trie, name, _actor_entry(actor, name))
    for agent in codebook.agents:
        for name, singular in _agent_names(agent):
            _insert(trie, name, _agent_entry(agent, name, singular))
    for discard in codebook.discards:
        _insert(trie, discard.phrase, _discard_entry(discard, discard.phrase))
    _freeze(trie)

    by_head: dict[str, list[CompiledPattern]] = {}
    forms_of: dict[tuple[str, bool], tuple[str, ...]] = {}
    problems: list[Problem] = []
    for pattern in codebook.patterns:
        try:
            compiled = compile_pattern(pattern.id, pattern.code, pattern.pattern, pattern.flags, codebook.irregular)
        except ValueError as exc:
            problems.append(Problem((codebook.path / pattern.file).as_posix(), pattern.line, "CB007",
                                    f"pattern {pattern.pattern!r} ({pattern.id}) does not parse: {exc}"))
            continue
        key = (compiled.head, compiled.is_noun)
        if key not in forms_of:
            forms_of[key] = (compiled.head, plural(compiled.head)) if compiled.is_noun else verb_forms(compiled.head, codebook.irregular)
        for form in forms_of[key]:
            by_head.setdefault(form, []).append(compiled)
    if problems:
        raise CodebookError(problems)
    verb_index = {
        form: tuple(sorted(patterns, key=lambda p: (-p.specificity, p.id))) for form, patterns in sorted(by_head.items())
    }
    return CompiledCodebook(
        name=codebook.name,
        version=codebook.version,
        content_hash=codebook.content_hash,
        label=codebook.label,
        event_types=dict(codebook.event_types),
        rules=dict(codebook.rules),
        country_codes=frozenset(codebook.countries),
        role_codes=frozenset(codebook.types),
        group_codes=frozenset(codebook.groups),
        trie=trie,
        verb_index=verb_index,
        # words that can start an actor: dictionary phrases, and the pronouns that refer back to one
        first_tokens=_distinctive_words(trie) | frozenset(w for w, kind in SUBJECT_PRONOUNS.items() if kind != "thing"),
        head_needs={form: _needs(patterns) for form, patterns in verb_index.items()},
        refusal_forms=frozenset(f for v in codebook.rules.get("refusal_verbs", ()) for f in verb_forms(v, codebook.irregular)),
        past_forms=frozenset(f for forms in codebook.irregular.values() for cell in forms[1:3] for f in cell.split("|") if f),
        prefilter_words=tuple(sorted(verb_index)),
        reporting_forms=frozenset(f for v in codebook.rules.get("reporting_verbs", ()) for f in verb_forms(v, codebook.irregular)),
        cues=(cues := _cue_index(codebook)),
        cue_words=frozenset(cues),
        agentless_forms=frozenset(form for form, patterns in verb_index.items()
                                  if any(not p.is_noun and rule_for(codebook.rules.get("agentless_passive", {}), p.code) is not None
                                         for p in patterns)),
        name_words=frozenset(k for k in trie if k and k not in DETERMINERS and k not in PREPOSITIONS and k not in SUBJECT_PRONOUNS),
        gender=dict(codebook.gender),
        parser=parser,
        # an actor id wins over an agent id that happens to be the same
        entries={**{a.id: (a.names[0], a.code, True) for a in codebook.agents if a.names},
                 **{a.id: (a.names[0], a.code, False) for a in codebook.actors if a.names}},
        country_iso3={code: iso3 for code, (_, _, iso3) in codebook.countries.items() if iso3},
        plover={code: (m.event or None, m.mode or None, ";".join(m.contexts) or None) for code, m in codebook.plover.items()},
        gazetteer=LazyGazetteer(codebook.places, tuple(
            (name, codebook.countries[a.code][2]) for a in codebook.actors
            if a.file.endswith(PLACE_ACTOR_FILES[0]) and a.code in codebook.countries and codebook.countries[a.code][2]
            for name in a.names),
            int(codebook.rules.get("city_over_state_population", 100_000))),
        place_ids=frozenset(a.id for a in codebook.actors if a.file.endswith(PLACE_ACTOR_FILES)),
    )


def _distinctive_words(trie: dict) -> frozenset[str]:
    """Words whose presence means a sentence may name an actor: the first word of every name, or, for names that
    open with a determiner or a preposition ("the Kremlin", "of Iran"), their second word."""
    out: set[str] = set()
    todo = [trie]
    while todo:
        node = todo.pop()
        for word, child in node.items():
            if not word:
                continue
            if word in DETERMINERS or word in PREPOSITIONS:
                todo.append(child)  # "the Kremlin", "the Palestinian Authority": look one word further
            else:
                out.add(word)
    return frozenset(out)


def _cue_index(codebook: Codebook) -> dict[str, tuple[tuple[tuple[str, ...], str, str], ...]]:
    """Cue phrases by first token, longest first (then by id), as tokens the coder compares with its own."""
    by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    for cue in codebook.cues:
        words = tuple(t.lower for t in tokenize(cue.cue))
        if words:
            by_first.setdefault(words[0], []).append((words, cue.code, cue.id))
    return {k: tuple(sorted(v, key=lambda c: (-len(c[0]), c[2]))) for k, v in sorted(by_first.items())}


def compile_pattern(pattern_id: str, code: str, text: str, flags, irregular) -> CompiledPattern:
    """Parse one pattern's text; raise ValueError with the reason when it does not parse.

    >>> compile_pattern("112.accuse", "112", "accuse + of", (), {}).elements
    ('+', 'of')
    """
    words = text.split(" ")
    if not words or not words[0] or words[0] in (SLOT, GAP):
        raise ValueError("a pattern must start with its head word")
    head = words[0].lower()
    elements: list[str] = []
    for word in words[1:]:
        if word in (SLOT, GAP):
            if elements and elements[-1] == word:
                raise ValueError(f"'{word}' twice in a row")
            if word == SLOT and elements and elements[-1] == GAP:
                raise ValueError("'...' directly before '+': the slot already skips determiners and modifiers")
            elements.append(word)
        else:
            elements.extend(_literal_tokens(word))
    if elements.count(SLOT) > 1:
        raise ValueError("more than one target slot '+'")
    if elements and elements[-1] == GAP:
        raise ValueError("a pattern cannot end with a gap '...'")
    flag_set = frozenset(flags)
    if not flag_set <= _FLAG_SET:
        unknown = ", ".join(sorted(flag_set - _FLAG_SET))
        raise ValueError(f"unknown flag(s) {unknown}; expected {', '.join(FLAGS)}")
    if "source_slot" in flag_set and SLOT not in elements:
        raise ValueError("flag source_slot needs a '+' slot")
    participles = frozenset() if "noun" in flag_set else _participles(head, irregular)
    literals = [e for e in elements if e != SLOT and e != GAP]
    return CompiledPattern(pattern_id, code, head, tuple(elements), flag_set, participles, 1 + len(literals), frozenset(literals))


_FLAG_SET = frozenset(FLAGS)
_PARTICIPLES: dict[tuple[str, tuple | None], frozenset[str]] = {}


def _participles(head: str, irregular) -> frozenset[str]:
    """Past participles of a head, memoised per (head, its irregular forms): thousands of patterns share heads."""
    key = (head, irregular.get(head))
    if key not in _PARTICIPLES:
        _PARTICIPLES[key] = frozenset(past_participles(head, irregular))
    return _PARTICIPLES[key]


def _needs(patterns: tuple[CompiledPattern, ...]) -> tuple[frozenset[str], ...]:
    needs = {p.needs for p in patterns}
    if frozenset() in needs:
        return (frozenset(),)
    return tuple(sorted(needs, key=sorted))


@lru_cache(maxsize=None)
def _literal_tokens(word: str) -> tuple[str, ...]:
    """The tokens of a pattern word or name, exactly as the tokenizer would split them in a sentence.

    >>> _literal_tokens("Iran's"), _literal_tokens("meet"), _literal_tokens("U.S.-led")
    (('iran', "'s"), ('meet',), ('u.s.', '-', 'led'))
    """
    if word.isalpha() and word.isascii():
        return (word.lower(),)  # the common case, without the regular expression (load time)
    return tuple(t.lower for t in tokenize(word))


def _agent_names(agent: AgentEntry) -> list[tuple[str, bool]]:
    """(name, singular) pairs: the listed names and their generated plurals. A name listed in the plural or a
    collective noun ("people", "gunmen", "security forces", "police") is no individual for "he" or "she"."""
    names = {name: not _plural_form(name) for name in agent.names}
    for name in agent.names:
        names.setdefault(name + "s" if name.isupper() else plural(name), False)  # "MP" -> "MPs"
    return list(names.items())


def _plural_form(name: str) -> bool:
    """Whether a listed noun phrase is already plural or collective: its head (the last word, or the word before
    "of") ends like an English plural ("forces", "gunmen") or is a collective noun ("people", "police")."""
    words = name.lower().split(" ")
    head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
    if head in g.COLLECTIVE_NOUNS or head.endswith("men"):
        return True
    return head.endswith("s") and not head.endswith(("ss", "us", "is", "ys")) and "'" not in head


def _exact(name: str) -> tuple[str, ...] | None:
    letters = [c for c in name if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return tuple(t.text for t in tokenize(name))
    return None


def _actor_entry(actor: ActorEntry, name: str) -> PhraseEntry:
    return PhraseEntry(
        "actor", actor.id, actor.code, _exact(name), actor.valid_from, actor.valid_to, actor.file, actor.file.endswith("people.csv")
    )


def _agent_entry(agent: AgentEntry, name: str, singular: bool) -> PhraseEntry:
    # a singular agent ("the foreign minister") is an individual that "he" or "she" can refer back to
    return PhraseEntry("agent", agent.id, agent.code, _exact(name), source_file=agent.file, is_person=singular)


def _discard_entry(discard: Discard, name: str) -> PhraseEntry:
    return PhraseEntry("discard", discard.id, discard.scope, _exact(name), source_file=discard.file)


def _insert(trie: dict, name: str, entry: PhraseEntry) -> None:
    node = trie
    tokens = [t for word in name.split(" ") for t in _literal_tokens(word)]
    if not tokens:
        return
    for token in tokens:
        node = node.setdefault(token, {})
    node.setdefault("", []).append(entry)


def _freeze(node: dict) -> None:
    """Sort payloads so that matching never depends on file order beyond the explicit sort key."""
    for key, child in node.items():
        if key == "":
            node[key] = tuple(sorted(child, key=lambda e: (e.kind, e.entry_id, e.code, e.exact or ())))
        else:
            _freeze(child)
