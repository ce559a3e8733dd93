"""The coder: sentences in, coded events out, deterministically, with an explanation of every decision.

Pipeline per sentence (shallow grammar, no statistical parser):
1. tokens → phrase matches from the compiled trie (actors, agents, discards), selected by date;
2. phrase matches → actor mentions (country + agent composition, titles and names, "X of Y"), then
   compound groups ("Iran and Russia", "the US, UK and France");
3. verb patterns matched at their head words; for each match, the subject is the nearest actor group to the
   left in the same clause that is not inside a prepositional phrase (or a pronoun resolved from context),
   the target is the group in the pattern's slot or the first group after it; passive voice swaps the roles,
   negation and the future tense recode or suppress through codebook rules.

`code_document` is a pure function of (document, compiled codebook, date resolver).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from events import grammar as g
from events.compiler import GAP, MAX_GAP, SLOT, CompiledCodebook, CompiledPattern, PhraseEntry
from events.text import Sentence, Token, normalise_for_dedup, split_sentences, token_set, tokenize

CODER_VERSION = "events.coder.v1"


@dataclass(frozen=True, slots=True)
class Actor:
    code: str
    start: int  # char offsets in the sentence
    end: int
    tok_start: int
    tok_end: int  # exclusive
    entry_ids: tuple[str, ...]
    is_person: bool = False
    resolved_from: str = ""  # "pronoun" / "context" when not written in the sentence

    def with_code(self, code: str) -> "Actor":
        return Actor(code, self.start, self.end, self.tok_start, self.tok_end, self.entry_ids, self.is_person, self.resolved_from)


@dataclass(frozen=True, slots=True)
class Group:
    members: tuple[Actor, ...]
    tok_start: int
    tok_end: int
    prep: str | None  # the preposition introducing the group ("in New York"): a modifier, not a subject

    @property
    def in_pp(self) -> bool:
        return self.prep is not None


@dataclass(frozen=True, slots=True)
class Event:
    """One coded event in one sentence (a "mention")."""

    sentence_index: int
    sentence: str
    source: Actor
    target: Actor | None
    code: str
    pattern_id: str
    verb_start: int
    verb_end: int
    modality: str  # "asserted" | "future" | "negated"
    explanation: tuple[str, ...] = field(default=(), compare=False)


@dataclass
class _Match:
    pattern: CompiledPattern
    tok_start: int
    tok_end: int
    slot: Group | None


@dataclass
class DocumentContext:
    """What the coder remembers across sentences of one document, for pronouns and bare agents."""

    last_singular: Actor | None = None
    last_plural: Group | None = None
    last_country: str | None = None
    last_thing: Actor | None = None  # the last country or organisation written as a subject ("the group", "the kingdom")
    individuals: list[Actor] = field(default_factory=list)  # recent individuals, newest first (for "him", "her")
    seen: set[str] = field(default_factory=set)


# -- public API ----------------------------------------------------------------------------------------
def code_sentences(
    text: str, compiled: CompiledCodebook, day: dt.date | None, *, title: str | None = None, explain: bool = False
) -> tuple[list[Sentence], list[Event]]:
    """Split `text` and code every sentence; `day` selects date-bounded dictionary entries (None: an undated
    text, for which each name takes its most recent role)."""
    sentences = split_sentences(text)
    context = DocumentContext()
    if title:
        context.seen.add(normalise_for_dedup(title))
    events: list[Event] = []
    for sentence in sentences:
        key = normalise_for_dedup(sentence.text)
        if not key or key in context.seen:
            continue  # headline echoed as the first line, agency dateline repeating the lead
        context.seen.add(key)
        events.extend(code_sentence(sentence, compiled, day, context, explain=explain))
    return sentences, events


def code_sentence(
    sentence: Sentence, compiled: CompiledCodebook, day: dt.date, context: DocumentContext | None = None, *, explain: bool = False
) -> list[Event]:
    context = context or DocumentContext()
    words = token_set(sentence.text)
    if compiled.first_tokens.isdisjoint(words) or not compiled.may_match(words):
        # no actor word, or no verb pattern whose words are all present: most sentences stop here, before
        # tokenization. Such sentences do not update the pronoun context either (a documented approximation).
        return []
    tokens = tokenize(sentence.text)
    if not tokens or tokens[-1].text == g.QUESTION_MARK:
        return []
    phrases, discarded = _match_phrases(tokens, compiled, day)
    if discarded:
        return []
    actors = _compose_actors(tokens, phrases, compiled, context)
    groups = _group(tokens, actors, compiled)
    referring = groups or not words.isdisjoint(g.SUBJECT_PRONOUNS)
    events = _code_verbs(sentence, tokens, groups, compiled, context, explain, words) if referring else []
    _remember(context, groups, compiled)
    return events


def actors_in(text: str, compiled: CompiledCodebook, day: dt.date) -> list[Actor]:
    """The actors the coder recognises in `text` on `day` (for identity tests and `--explain`)."""
    tokens = tokenize(text)
    phrases, _ = _match_phrases(tokens, compiled, day)
    return _compose_actors(tokens, phrases, compiled, DocumentContext())


# -- phrases -------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Phrase:
    kind: str
    tok_start: int
    tok_end: int
    entries: tuple[PhraseEntry, ...]


def _match_phrases(tokens: list[Token], compiled: CompiledCodebook, day: dt.date) -> tuple[list[_Phrase], bool]:
    """Longest-match walk of the phrase trie; returns non-overlapping phrases and whether a discard fired."""
    trie = compiled.trie
    out: list[_Phrase] = []
    discarded = False
    i = 0
    n = len(tokens)
    while i < n:
        node = trie.get(tokens[i].lower)
        best: tuple[int, tuple[PhraseEntry, ...], str] | None = None
        j = i
        while node is not None:
            j += 1
            payload = node.get("")
            if payload:
                usable = tuple(e for e in payload if e.exact is None or e.exact == tuple(t.text for t in tokens[i:j]))
                if any(e.kind == "discard" for e in usable):
                    discarded = True
                for kind in ("actor", "agent"):
                    chosen = tuple(e for e in usable if e.kind == kind)
                    if chosen:
                        best = (j, chosen, kind)
                        break
            if j >= n:
                break
            node = node.get(tokens[j].lower)
        if best is None:
            i += 1
            continue
        end, entries, kind = best
        if kind == "actor":
            dated = tuple(e for e in entries if e.applies_on(day)) if day is not None else _latest(entries)
            if not dated:  # a known name with no role on this date: consume it, code nothing
                out.append(_Phrase("inactive", i, end, entries))
                i = end
                continue
            entries = dated
        out.append(_Phrase(kind, i, end, entries))
        i = end
    return out, discarded


def _latest(entries: tuple[PhraseEntry, ...]) -> tuple[PhraseEntry, ...]:
    """For an undated text: each name's most recent office, else its most recent role ("Yeltsin" -> RUSGOV,
    not the former-leader ELI period that followed; "Trump" -> his latest term)."""
    offices = tuple(e for e in entries if not e.code.endswith("ELI")) or entries
    newest = max(e.valid_from or dt.date.min for e in offices)
    return tuple(e for e in offices if (e.valid_from or dt.date.min) == newest)


def _country_of(code: str, compiled: CompiledCodebook) -> str | None:
    head = code[:3]
    return head if head in compiled.country_codes else None


def _compose_actors(
    tokens: list[Token], phrases: list[_Phrase], compiled: CompiledCodebook, context: DocumentContext
) -> list[Actor]:
    """Turn phrase matches into actors: "Iran's Acting Foreign Minister Ali Bagheri Kani" is one IRNGOV."""
    actors: list[Actor] = []
    waiting: list[tuple[int, _Phrase, PhraseEntry]] = []  # bare agents that may take a later place's country
    k = 0
    while k < len(phrases):
        phrase = phrases[k]
        if phrase.kind == "inactive":
            k += 1
            continue
        if phrase.kind == "actor":
            entry = phrase.entries[0]
            code, ids, start, end, person = entry.code, [entry.entry_id], phrase.tok_start, phrase.tok_end, entry.is_person
            # country ['s] [modifiers] agent [person]
            nxt = _next_agent(tokens, phrases, k, compiled)
            bare_country = len(code) == 3 and code in compiled.country_codes
            if nxt is not None and not bare_country and phrases[nxt].tok_start != phrase.tok_end:
                nxt = None  # "Hamas militants" joins; "Hamas's top militants" stays apart
            if nxt is not None and not person:
                agent_k = nxt
                agent = phrases[agent_k].entries[0]
                code = code + agent.code if bare_country else code  # "Hamas militants" stay Hamas
                person = agent.is_person
                ids.append(agent.entry_id)
                end = phrases[agent_k].tok_end
                k = agent_k
                if k + 1 < len(phrases) and phrases[k + 1].kind == "actor" and phrases[k + 1].tok_start == end:
                    follower = phrases[k + 1].entries[0]
                    if follower.is_person:
                        code, person = follower.code, True
                        ids.append(follower.entry_id)
                        end = phrases[k + 1].tok_end
                        k += 1
                else:  # "Bulgarian President Todor Zhivkov": a name we do not know is still this actor
                    end = _name_after(tokens, end, phrases[k + 1].tok_start if k + 1 < len(phrases) else len(tokens))
            actors.append(_actor(tokens, code, start, end, ids, person))
            k += 1
            continue
        # an agent: "Foreign Minister Sergey Lavrov", "the foreign minister of Iran", "police"
        agent = phrase.entries[0]
        nxt_phrase = phrases[k + 1] if k + 1 < len(phrases) else None
        if nxt_phrase is not None and nxt_phrase.kind == "actor" and nxt_phrase.tok_start == phrase.tok_end:
            follower = nxt_phrase.entries[0]
            if follower.is_person:
                actors.append(_actor(tokens, follower.code, phrase.tok_start, nxt_phrase.tok_end, [agent.entry_id, follower.entry_id], True))
                k += 2
                continue
        limit = phrases[k + 1].tok_start if k + 1 < len(phrases) else len(tokens)
        if _name_after(tokens, phrase.tok_end, limit) > phrase.tok_end and tokens[phrase.tok_start].text[0].isupper():
            k += 1  # "President Reagan": a named person of a country we cannot tell; not coded
            continue
        owned = phrase.tok_start > 0 and tokens[phrase.tok_start - 1].lower in g.POSSESSIVE_PRONOUNS
        of_members = None if owned else _agent_of(tokens, phrases, k, compiled)  # "its troops from Niger"
        if of_members:
            last_k, countries = of_members
            for n, country_phrase in enumerate(countries):
                entry = country_phrase.entries[0]
                code = entry.code[:3] + agent.code if _country_of(entry.code, compiled) else entry.code
                start = phrase.tok_start if n == 0 else country_phrase.tok_start  # "the top diplomats of Iran"
                actors.append(_actor(tokens, code, start, country_phrase.tok_end, [agent.entry_id, entry.entry_id], agent.is_person))
            k = last_k + 1
            continue
        resolved = _resolve_bare_agent(tokens, phrase, agent, actors, compiled, context)
        if resolved is not None:
            actors.append(resolved)
        elif _could_be_placed(tokens, phrase, compiled):
            waiting.append((len(actors), phrase, agent))
        k += 1
    return _place_waiting(tokens, actors, waiting, compiled)


def _could_be_placed(tokens: list[Token], phrase, compiled: CompiledCodebook) -> bool:
    """A plural bare agent that opens its clause ("Students demonstrated in Jakarta") may take a later place."""
    before = tokens[phrase.tok_start - 1].lower if phrase.tok_start > 0 else ""
    if before == "of" and phrase.tok_start > 1 and tokens[phrase.tok_start - 2].lower in g.QUANTIFIERS:
        before = ""  # "Thousands of students"
    return (before in ("", "the", ",") or before in g.QUANTIFIERS) and not _modifies_next_word(tokens, phrase.tok_end, compiled)


def _place_waiting(tokens, actors: list[Actor], waiting, compiled: CompiledCodebook) -> list[Actor]:
    """Give each waiting bare agent the country of the first place named after it ("in Jakarta", "from Syria")."""
    if not waiting:
        return actors
    out = list(actors)
    for position, phrase, agent in reversed(waiting):
        place = next((a for a in actors if a.tok_start >= phrase.tok_end and _country_of(a.code, compiled)
                      and a.tok_start > 0 and tokens[a.tok_start - 1].lower in g.PLACE_PREPOSITIONS), None)
        if place is None:
            continue
        country = _country_of(place.code, compiled)
        out.insert(position, Actor(country + agent.code, tokens[phrase.tok_start].start, tokens[phrase.tok_end - 1].end,
                                   phrase.tok_start, phrase.tok_end, (agent.entry_id, *place.entry_ids), agent.is_person, "context"))
    return out


def _next_agent(tokens: list[Token], phrases: list[_Phrase], k: int, compiled: CompiledCodebook) -> int | None:
    """Index of an agent phrase that a country phrase at k modifies: "Iran's acting foreign minister"."""
    if k + 1 >= len(phrases) or phrases[k + 1].kind != "agent":
        return None
    gap = tokens[phrases[k].tok_end : phrases[k + 1].tok_start]
    words = [t for t in gap if t.lower != "'s"]
    if len(words) > 2:
        return None
    for t in words:
        if t.lower in g.PREPOSITIONS or t.lower in g.DETERMINERS or t.lower in g.CONJUNCTIONS or not t.text[0].isalpha():
            return None
        if t.lower.endswith("ed") or t.lower in g.AUXILIARIES or t.lower in compiled.past_forms or t.lower in g.ASPECT_VERBS:
            return None  # "China staged military drills", "Turkey began joint military exercises": a verb between
    return k + 1


def _agent_of(tokens: list[Token], phrases: list[_Phrase], k: int, compiled: CompiledCodebook):
    """ "the top diplomats of Iran and the Russian Federation", "police in Nairobi", "refugees from Syria"."""
    end = phrases[k].tok_end
    if end >= len(tokens) or tokens[end].lower not in g.AGENT_OF:
        return None
    members = []
    j = k + 1
    cursor = end + 1
    while j < len(phrases):
        p = phrases[j]
        between = [t.lower for t in tokens[cursor : p.tok_start]]
        if any(w not in g.DETERMINERS and w not in ("and", ",") for w in between):
            break
        if members and not any(w in ("and", ",") for w in between):
            break
        if p.kind != "actor":
            break
        members.append(p)
        cursor = p.tok_end
        j += 1
    return (j - 1, members) if members else None


def _resolve_bare_agent(tokens, phrase, agent, actors, compiled, context) -> Actor | None:
    """An agent with no country beside it: "the minister" → the last fitting actor; "police" → country in context."""
    before = [t.lower for t in tokens[max(0, phrase.tok_start - 3) : phrase.tok_start]]
    if any(w in g.INDEFINITE for w in before):
        return None  # "a reporter", "a multinational police force": nobody in particular
    if _modifies_next_word(tokens, phrase.tok_end, compiled):
        return None  # "joint military exercises", "government bonds": a modifier, not an actor
    if tokens[phrase.tok_end - 1].lower in g.GENERIC_PEOPLE and not (
        before and (before[-1][0].isdigit() or before[-1] in g.NUMBER_WORDS or before[-1] in g.QUANTIFIERS
                    or (before[-1] == "of" and len(before) > 1 and before[-2] in g.QUANTIFIERS))):
        return None  # "people reject ideas": only counted people ("20 people", "thousands of people") are civilians
    span = (tokens[phrase.tok_start].start, tokens[phrase.tok_end - 1].end, phrase.tok_start, phrase.tok_end)
    if before and before[-1] in g.POSSESSIVE_PRONOUNS:
        # "Syria offered its troops": the possessor is the nearest actor before
        owner = next((_country_of(a.code, compiled) for a in reversed(actors)
                      if _country_of(a.code, compiled) and not _after_preposition(tokens, a.tok_start)), None)
        if owner is None:
            return None
        return Actor(owner + agent.code, *span, (agent.entry_id,), agent.is_person, "context")
    definite = phrase.tok_start > 0 and tokens[phrase.tok_start - 1].lower == "the"
    if definite and context.last_singular is not None and context.last_singular.code.endswith(agent.code):
        prev = context.last_singular
        return Actor(prev.code, tokens[phrase.tok_start].start, tokens[phrase.tok_end - 1].end, phrase.tok_start, phrase.tok_end,
                     (agent.entry_id, *prev.entry_ids), prev.is_person, "context")
    country = next((_country_of(a.code, compiled) for a in reversed(actors) if _country_of(a.code, compiled)), None)
    country = country or context.last_country
    if country is None:
        return None
    return Actor(country + agent.code, tokens[phrase.tok_start].start, tokens[phrase.tok_end - 1].end, phrase.tok_start,
                 phrase.tok_end, (agent.entry_id,), agent.is_person, "context")


def _name_after(tokens: list[Token], end: int, limit: int) -> int:
    """End of a personal name of capitalised words starting at `end` ("Todor Zhivkov", "Muammar al-Gaddafi")."""
    k = end
    while k < min(limit, end + 4) and (tokens[k].text[:1].isupper() and tokens[k].text.replace("-", "").isalpha()
                                       or tokens[k].lower in g.NAME_PARTICLES):
        k += 1
    while k > end and tokens[k - 1].lower in g.NAME_PARTICLES:
        k -= 1
    return k


def _after_preposition(tokens: list[Token], start: int) -> bool:
    k = start - 1
    while k >= 0 and tokens[k].lower in g.DETERMINERS:
        k -= 1
    return k >= 0 and tokens[k].lower in g.PREPOSITIONS


def _modifies_next_word(tokens: list[Token], end: int, compiled: CompiledCodebook) -> bool:
    """True when the word after a noun is a lower-case content word it modifies ("military exercises")."""
    if end >= len(tokens):
        return False
    word = tokens[end]
    low = word.lower
    if not word.text.isalpha() or not word.text[0].islower():
        return False
    if low in g.FUNCTION_WORDS or low in compiled.verb_index or low.endswith(("ed", "ing", "ly")) or low in g.ADVERBS:
        return False
    return True


def _actor(tokens: list[Token], code: str, start: int, end: int, ids: list[str], person: bool) -> Actor:
    return Actor(code, tokens[start].start, tokens[end - 1].end, start, end, tuple(ids), person)


def _group(tokens: list[Token], actors: list[Actor], compiled: CompiledCodebook) -> list[Group]:
    """Join actors linked by "and", commas, "as well as" into compound groups."""
    runs: list[list[Actor]] = []
    conjoined: list[bool] = []  # whether a run has a conjunction, not only commas ("Unlike Biden, Trump…")
    for actor in actors:
        if runs and _linked(tokens, runs[-1][-1].tok_end, actor.tok_start):
            conjoined[-1] = conjoined[-1] or any(t.lower != "," for t in tokens[runs[-1][-1].tok_end : actor.tok_start])
            runs[-1].append(actor)
            continue
        runs.append([actor])
        conjoined.append(False)
    groups: list[Group] = []
    for run, joined in zip(runs, conjoined):
        for members in [run] if joined or len(run) == 1 else [[a] for a in run]:
            groups.append(_make_group(tokens, _share_role(members, compiled)))
    return groups


def _share_role(members: list[Actor], compiled: CompiledCodebook) -> list[Actor]:
    """ "Senior Hungarian and Romanian officials": the role of the last member applies to bare countries before it."""
    last = members[-1]
    country, role = last.code[:3], last.code[3:]
    if len(members) < 2 or country not in compiled.country_codes or role not in compiled.role_codes:
        return members
    shared = [m.with_code(m.code + role) if m.code in compiled.country_codes else m for m in members[:-1]]
    return shared + [last]


def _linked(tokens: list[Token], end: int, start: int) -> bool:
    between = tuple(t.lower for t in tokens[end:start])
    words = tuple(w for w in between if w not in g.DETERMINERS)
    return words in g.COMPOUND_LINKS or words == (",", "and")


def _make_group(tokens: list[Token], members: list[Actor]) -> Group:
    start = members[0].tok_start
    k = start - 1
    while k >= 0 and tokens[k].lower in g.DETERMINERS:
        k -= 1
    prep = tokens[k].lower if k >= 0 and tokens[k].lower in g.PREPOSITIONS else None
    if prep == "of" and k > 0 and (tokens[k - 1].lower in g.QUANTIFIERS or tokens[k - 1].lower.isdigit()):
        prep = None  # "thousands of Serbian students demonstrated": the students are the subject
    unique = tuple({m.code: m for m in members}.values())
    return Group(unique, start, members[-1].tok_end, prep)



def _remember(context: DocumentContext, groups: list[Group], compiled: CompiledCodebook) -> None:
    """After a sentence: the referents of later pronouns and the default country of later bare agents.

    "he"/"she" refer to the last individual (a named person or a singular agent: "the foreign minister")
    outside a prepositional phrase; "they" to the last compound group.
    """
    for group in groups:
        for member in group.members:
            country = _country_of(member.code, compiled)
            if country and not member.resolved_from:
                context.last_country = country
        if group.in_pp:
            continue
        if len(group.members) > 1:
            context.last_plural = group
        elif group.members[0].is_person:
            context.last_singular = group.members[0]
            context.individuals = [group.members[0]] + [a for a in context.individuals if a.code != group.members[0].code][:4]
        elif not group.members[0].resolved_from:
            context.last_thing = group.members[0]


# -- verbs ---------------------------------------------------------------------------------------------
def _code_verbs(sentence, tokens, groups, compiled, context, explain, words=None) -> list[Event]:
    lowers = [t.lower for t in tokens]
    group_at = {grp.tok_start: grp for grp in groups}
    inside_actor = set()
    for grp in groups:
        for m in grp.members:
            if not m.resolved_from:
                inside_actor.update(range(m.tok_start, m.tok_end))
    matches: list[_Match] = []
    covered_until = -1
    quoted = _quoted_tokens(tokens)
    for i, low in enumerate(lowers):
        if i in inside_actor or i < covered_until or low not in compiled.verb_index or i in quoted:
            continue  # (words inside quotation marks are someone's speech, not events the report asserts)
        if i > 0 and tokens[i].text[0].isupper() and lowers[i - 1] not in g.SENTENCE_OPENERS:
            continue  # "Roger Stone", "a 'Salute to America'": a capitalised word inside a sentence is a name
        for pattern in compiled.verb_index[low]:
            if words is not None and not pattern.needs <= words:
                continue
            m = _match_pattern(pattern, tokens, i, group_at)
            if m is not None:
                matches.append(m)
                covered_until = m.tok_end
                break
    events: list[Event] = []
    seen: set[tuple] = set()
    for idx, m in enumerate(matches):
        for event in _events_for(m, idx, matches, sentence, tokens, groups, compiled, context, explain):
            key = (event.source.code, event.target.code if event.target else None, event.code)
            if key in seen:
                continue
            seen.add(key)
            events.append(event)
    events.extend(e for e in _obligations(sentence, tokens, groups, compiled, context, explain)
                  if (e.source.code, e.target.code if e.target else None, e.code) not in seen)
    if any(e.target is not None for e in events):
        # "..., the White House said": the reported event is coded, not the act of saying it
        events = [e for e in events if e.target is not None]
    return events


def _obligations(sentence, tokens, groups, compiled, context, explain) -> list[Event]:
    """ "Russia said that Sudan must return the helicopter": a reported obligation is a demand of the speaker
    on the obliged (codebook rule `obligation_code`)."""
    code = compiled.rules.get("obligation_code")
    lowers = [t.lower for t in tokens]
    if code is None or not any(w in g.OBLIGATIONS for w in lowers):
        return []
    out = []
    for k, w in enumerate(lowers):
        if w not in g.OBLIGATIONS or k == 0:
            continue
        obliged = next((grp for grp in groups if grp.tok_end == k and not grp.in_pp), None)
        if obliged is None and lowers[k - 1] in g.SUBJECT_PRONOUNS:
            obliged = _pronoun(lowers[k - 1], k - 1, tokens, [c for c in groups if c.tok_end <= k - 1], context)
        if obliged is None:
            continue
        start = obliged.tok_start
        report = next((r for r in range(start - 1, max(-1, start - 8), -1) if lowers[r] in g.REPORTING_VERBS), None)
        if report is None:
            continue
        speaker = _subject(tokens, lowers, report, groups, context)
        if speaker is None:
            continue
        for source in speaker.members:
            for target in obliged.members:
                if source.code != target.code:
                    why = (f"reported obligation: {tokens[report].text!r} ... {tokens[k].text!r}",) if explain else ()
                    # the reporting verb is the act coded (and dated): "said on Tuesday that … must"
                    out.append(Event(sentence.index, sentence.text, source, target, code, f"{code}.obligation",
                                     tokens[report].start, tokens[report].end, "asserted", why))
    return out


def _quoted_tokens(tokens: list[Token]) -> set[int]:
    """Indexes of tokens between paired quotation marks ("…", “…”)."""
    inside: set[int] = set()
    opened = None
    for k, t in enumerate(tokens):
        if t.text in ('"', "“", "”"):
            if opened is None and t.text != "”":
                opened = k
            elif opened is not None:
                inside.update(range(opened + 1, k))
                opened = None
    return inside


def _match_pattern(pattern: CompiledPattern, tokens: list[Token], i: int, group_at: dict[int, Group]) -> _Match | None:
    j = i + 1
    slot: Group | None = None
    elements = pattern.elements
    e = 0
    while e < len(elements):
        element = elements[e]
        j = _skip_time(tokens, j)  # "demanded Friday that", "met on Tuesday with"
        if element == SLOT:
            grp, after = _group_near(tokens, j, group_at, max_skip=4)
            if grp is None:
                if e == len(elements) - 1:  # a trailing slot may be filled later in the clause
                    break
                return None
            slot, j = grp, after
        elif element == GAP:
            nxt = elements[e + 1]
            for gap in range(MAX_GAP + 1):
                k = j + gap
                if k >= len(tokens) or not tokens[k].text[0].isalnum() and tokens[k].lower not in (nxt, *g.GAP_SYMBOLS):
                    return None  # a gap spans words and hyphens ("a 30-day state of siege"), not punctuation
                if tokens[k].lower == nxt:
                    j = k
                    break
            else:
                return None
        else:
            if j >= len(tokens) or tokens[j].lower != element:
                return None
            j += 1
        e += 1
    return _Match(pattern, i, j, slot)


def _skip_time(tokens: list[Token], j: int) -> int:
    """Index after a time expression starting at j ("Friday", "on Tuesday", "last week", "today"), else j."""
    k = j
    if k + 1 < len(tokens) and (tokens[k].lower, tokens[k + 1].lower) in g.ADVERBIAL_PAIRS:
        return k + 2  # "agreed in principle to"
    if k < len(tokens) and tokens[k].lower in g.PATTERN_ADVERBS:
        return k + 1  # "agreed unanimously to", "met again with"
    if k < len(tokens) and tokens[k].lower in g.TIME_LEADS and k + 1 < len(tokens) and tokens[k + 1].lower in g.TIME_WORDS:
        k += 1
    if k < len(tokens) and tokens[k].lower in g.TIME_WORDS:
        k += 1
        if k < len(tokens) and tokens[k].lower in g.TIME_TAILS:
            k += 1
        return k
    return j


def _group_near(tokens: list[Token], j: int, group_at: dict[int, Group], max_skip: int) -> tuple[Group | None, int]:
    """The group starting at token j after at most `max_skip` determiners or lower-case modifiers."""
    for skip in range(max_skip + 1):
        k = j + skip
        if k in group_at:
            return group_at[k], group_at[k].tok_end
        if k >= len(tokens):
            break
        word = tokens[k]
        if word.text[0].isdigit() or word.lower in ("more", "than", "some", "about", "nearly", "around", "over", "at", "least"):
            continue  # "forced more than 1,000 Palestinian refugees"
        if not (word.lower in g.DETERMINERS or (word.text[0].isalpha() and word.text[0].islower() and word.lower not in g.PREPOSITIONS)):
            break
    return None, j


def _events_for(m: _Match, idx, matches, sentence, tokens, groups, compiled, context, explain) -> list[Event]:
    pattern = m.pattern
    if "ignore" in pattern.flags:
        return []  # a veto pattern: "executed a plan" matches here so that "execute +" cannot
    why: list[str] = [f"pattern {pattern.id} ({pattern.code}) matched {tokens[m.tok_start].start}:{tokens[m.tok_end - 1].end}"]
    lowers = [t.lower for t in tokens]
    h = m.tok_start
    actor_tokens = {k for grp in groups for a in grp.members if not a.resolved_from for k in range(a.tok_start, a.tok_end)}
    if _reads_as_noun(lowers, h, pattern, actor_tokens, compiled.past_forms) or _noun_in_modifier(lowers, h, pattern):
        return []
    # governed infinitive or gerund: "called on Iran to release" / "accused Russia of attacking"
    if h > 0 and lowers[h - 1] in g.GERUND_BLOCKERS and lowers[h].endswith("ing") and not pattern.is_noun:
        return []
    if not pattern.is_noun and lowers[h].endswith("ing") and m.tok_end < len(lowers) and lowers[h + 1] == "of":
        return []  # "the killing of", "the death and wounding of": a noun, not a verb
    if not pattern.is_noun and lowers[h].endswith("ing") and lowers[h] != pattern.head and not _progressive(lowers, h):
        return []  # "one of its gunboats intercepting a ship", "…, saying": a participle, not the clause's verb
    if h > 0 and lowers[h - 1] == "to" and any(o.tok_end <= h for o in matches[:idx]):
        return []  # "urged Serbia on Friday to withdraw": the appeal is the event, not the withdrawal
    if pattern.is_noun and any(not o.pattern.is_noun and o.tok_start < h and ";" not in lowers[o.tok_end : h] for o in matches[:idx]):
        return []  # "the EU condemned the attack by Hamas on Israel": the attack is what is condemned
    denials = compiled.rules.get("denial_codes", ())
    if any(o.pattern.code in denials for o in matches[:idx]):
        return []  # "Iran denied that it had attacked the base": the denial is the event
    modality = _modality(lowers, h, pattern, compiled)
    code = pattern.code
    if modality == "hypothetical":
        return []
    if modality == "future":
        mapped = compiled.rules.get("future_intent", {}).get(code[:2])
        if mapped is None:
            return []
        code = code if mapped == "=" else mapped
    elif modality == "negated":
        mapped = compiled.rules.get("negated", {}).get(code[:2])
        if mapped is None:
            return []
        code = mapped
    passive = _is_passive(lowers, h, pattern)
    if pattern.is_noun:
        left = _noun_owner(lowers, h, groups)
        light = _light_verb_before(lowers, h)
        if left is None and light is not None:  # "Italy announced a suspension of air links with Serbia"
            left = _subject(tokens, lowers, light, groups, context)
    else:
        left = _subject(tokens, lowers, h, groups, context)
    source_group, target_group = left, m.slot
    if "source_slot" in pattern.flags:
        # "an attack by militants on a police station", "repelled an attack by rebels": the slot is the source
        if m.slot is None:
            return []
        after = _first_group_after(lowers, m.tok_end, groups, compiled.rules.get("max_target_distance", 12))
        source_group, target_group = m.slot, after if (after is not None or pattern.is_noun) else left
    elif passive:
        by = _by_agent(lowers, m.tok_end, groups)
        if by is None:
            return []
        source_group, target_group = by, left
        why.append("passive voice: source after 'by', target is the subject")
    elif target_group is None:
        places = pattern.code[:2] not in compiled.rules.get("no_place_target", ())  # venues of talks are not parties
        distance = compiled.rules.get("max_target_distance", 12)
        # "expelled the Libyan ambassador to Greece": the pattern ends inside an actor, which is its object
        target_group = next((grp for grp in groups if h < grp.tok_start < m.tok_end <= grp.tok_end
                             and not any(a.resolved_from for a in grp.members)), None)
        if target_group is None:
            target_group = _first_group_after(lowers, m.tok_end, groups, distance, False, compiled.past_forms)
        if target_group is None:  # "cracked down on protesters": an actor named inside the pattern's own words
            target_group = next((grp for grp in groups if h < grp.tok_start and grp.tok_end <= m.tok_end), None)
        if target_group is None and pattern.code[:2] in compiled.rules.get("proposer_target_roots", ()):
            # "rejected an offer from Afghanistan", "rejected calls by Belarus's rulers": the proposer is the target
            target_group = next((grp for grp in groups if grp.tok_start >= m.tok_end and grp.prep in ("from", "by")
                                 and not _target_break(lowers, m.tok_end, grp.tok_start, compiled.past_forms)), None)
        if target_group is None and pattern.code[:2] in compiled.rules.get("conditional_target_roots", ()):
            # "threatened to stop talks if the United States goes ahead": the party the condition names
            cond = next((k for k in range(m.tok_end, len(lowers)) if lowers[k] in ("if", "unless")), None)
            if cond is not None:
                target_group = next((grp for grp in groups if grp.tok_start > cond and not grp.in_pp), None)
        if target_group is None and places:  # then a place: "aid to refugees in Liberia"
            target_group = _first_group_after(lowers, m.tok_end, groups, distance, True, compiled.past_forms)
        if target_group is None and source_group is not None:
            target_group = _object_pronoun(tokens, lowers, m.tok_end, source_group, context)
    if source_group is None and pattern.is_noun and target_group is not None and len(target_group.members) > 1 and "mutual" in pattern.flags:
        pairs = [(a, b) for a in target_group.members for b in target_group.members if a.code != b.code]
        why.append("noun pattern between two actors: both directions")
    elif source_group is None:
        return []
    elif target_group is None:
        mutual = "mutual" in pattern.flags or code[:2] in compiled.rules.get("compound_mutual_roots", ())
        if mutual and len(source_group.members) > 1:
            pairs = [(a, b) for a in source_group.members for b in source_group.members if a.code != b.code]
            why.append("compound subject with a mutual pattern: both directions")
        elif "no_target" in pattern.flags or code[:2] in compiled.rules.get("target_optional_roots", ()):
            if code[:2] == "01" and _reporting_frame(lowers, source_group):
                return []  # "…, the White House announced": the frame of a report, not an event
            pairs = [(a, None) for a in source_group.members]
        else:
            return []
    else:
        mutual = "mutual" in pattern.flags or code[:2] in compiled.rules.get("compound_mutual_roots", ())
        if mutual and m.slot is None and len(source_group.members) > 1 and not passive:
            # "Ethiopia and Eritrea signed a peace agreement in Riyadh": the parties act on each other
            pairs = [(a, b) for a in source_group.members for b in source_group.members if a.code != b.code]
        else:
            pairs = [(a, b) for a in source_group.members for b in target_group.members if a.code != b.code]
        if not pairs and ("no_target" in pattern.flags or code[:2] in compiled.rules.get("target_optional_roots", ())):
            pairs = [(a, None) for a in source_group.members]  # the only "target" was the source itself
    verb_start, verb_end = tokens[m.tok_start].start, tokens[m.tok_end - 1].end
    if m.slot is not None and m.slot.tok_start < m.tok_end:  # the verb phrase text excludes the slotted actor
        verb_end = tokens[m.slot.tok_start - 1].end if m.slot.tok_start > m.tok_start else verb_end
    out = []
    for source, target in pairs:
        reasons = tuple(why + [f"source {source.code} ({', '.join(source.entry_ids)})", f"target {target.code if target else None}"]) if explain else ()
        out.append(Event(sentence.index, sentence.text, source, target, code, pattern.id, verb_start, verb_end, modality, reasons))
    return out


def _reads_as_noun(lowers: list[str], h: int, pattern: CompiledPattern, actor_tokens=frozenset(), past=frozenset()) -> bool:
    """ "the attack by Hamas", "Israel's attacks on", "crimes and attacks by": a base or -s form after a
    determiner, a possessive, a preposition or a conjunction is a noun, not the verb of a clause."""
    if pattern.is_noun or h == 0:
        return False
    word, before = lowers[h], lowers[h - 1]
    if before in g.DETERMINERS or before in ("'s", "'") or before[0].isdigit() or before in g.NUMBER_WORDS:
        return True  # no verb follows "the", a possessive or a number: "the attack", "24 million pounds"
    if before in g.PREPOSITIONS and before != "to":  # "continued to send" is an infinitive
        return not word.endswith("ing")  # "after attacking" is a verb, "in attacks" is not
    if word == pattern.head and before.endswith("ing") and before not in g.ASPECT_VERBS and len(before) > 4:
        return True  # "providing shell commands": a base form right after a participle is its object noun
    if word == pattern.head or (word.endswith("s") and not word.endswith("ss")):
        # "a knife attack", "the deadly car bomb attacks": modifiers between a determiner and the head
        k = h - 1
        while k >= 0 and h - k <= 2 and lowers[k].isalpha() and lowers[k] not in g.FUNCTION_WORDS:
            k -= 1
        if k >= 0 and k < h - 1 and (lowers[k] in g.DETERMINERS or lowers[k] == "'s"):
            if (h - 1) in actor_tokens and (word != pattern.head or word in past):
                return False  # "The US imposes sanctions", "the EU cut off aid": an actor subject and its verb
            return True
    return word != pattern.head and word.endswith("s") and before in g.CONJUNCTIONS


def _noun_in_modifier(lowers: list[str], h: int, pattern: CompiledPattern) -> bool:
    """ "developments in bilateral cooperation between Iran and Russia": a noun event inside a prepositional
    phrase is background to the sentence, not something reported as happening."""
    if not pattern.is_noun:
        return False
    for k in range(h - 1, max(-1, h - 6), -1):
        w = lowers[k]
        if w in g.PREPOSITIONS:
            return True
        if not w.isalnum() and w != "'s":
            return False
    return False


def _modality(lowers: list[str], h: int, pattern: CompiledPattern, compiled: CompiledCodebook) -> str:
    """asserted / future / negated / hypothetical, from the words just before the head."""
    window = lowers[max(0, h - 4) : h]
    refusal = compiled.refusal_forms
    clause = []
    for w in reversed(window):
        if w in (",", ";", "and", "that") or w in g.CLAUSE_BREAKS:
            break
        clause.append(w)
    if any(w in g.HYPOTHETICAL or w in g.CONDITIONALS for w in clause):
        return "hypothetical"  # "must be ready to mediate": a modal governs the whole verb group
    for k in range(len(window) - 1, -1, -1):
        w = window[k]
        if w in g.NEGATORS:
            return "hypothetical"  # "did not meet", "has never visited": nothing happened
        if w == "to" and k > 0 and window[k - 1] in refusal:
            return "negated"  # "refused to meet": a rejection
        if w in g.FUTURE_MARKERS:
            return "future"
        if w in g.HYPOTHETICAL or w in g.CONDITIONALS:
            return "hypothetical"
        if w == "to" and k > 0 and window[k - 1] in g.FUTURE_LEADS:
            return "future"
        if w in (",", ";", "and", "that") or w in g.CLAUSE_BREAKS:
            break
    return "asserted"


def _progressive(lowers: list[str], h: int) -> bool:
    """ "has been sharing", "are fighting", "resumed shelling": an -ing form after "be" or an aspect verb is a verb."""
    for k in range(h - 1, max(-1, h - 4), -1):
        if lowers[k] in g.BE_FORMS or lowers[k] in g.ASPECT_VERBS:
            return True
        if lowers[k] not in g.ADVERBS and not lowers[k].endswith("ly") and lowers[k] not in g.NEGATORS:
            return False
    return False


def _is_passive(lowers: list[str], h: int, pattern: CompiledPattern) -> bool:
    if pattern.is_noun or lowers[h] not in pattern.participles:
        return False
    if pattern.elements and pattern.elements[0] not in (SLOT, GAP, "by"):
        return False  # "were engaged in ethnic cleansing": the participle takes its own preposition, an active sense
    for k in range(h - 1, max(-1, h - 6), -1):
        if lowers[k] in g.BE_FORMS or lowers[k] in ("got", "get", "gets"):
            return True
        if lowers[k] == "and" and k > 0 and _participle_like(lowers[k - 1]):
            continue  # "was shot and killed": the auxiliary serves both participles
        if _participle_like(lowers[k]) and k + 1 < h and lowers[k + 1] == "and":
            continue
        if lowers[k] not in g.ADVERBS and not lowers[k].endswith("ly"):
            return False
    return False


def _participle_like(word: str) -> bool:
    return word.endswith(("ed", "en", "wn")) or word in g.COMMON_PARTICIPLES


def _by_agent(lowers: list[str], end: int, groups: list[Group]) -> Group | None:
    for k in range(end, min(len(lowers), end + 5)):
        if lowers[k] == "by":
            return next((grp for grp in groups if k < grp.tok_start <= k + 3), None)
        if lowers[k] in g.CLAUSE_BREAKS:
            return None
    return None


def _subject(tokens, lowers, h, groups, context) -> Group | None:
    """Nearest group to the left in the clause that is not inside a prepositional phrase, or a pronoun."""
    candidates = [grp for grp in groups if grp.tok_end <= h]
    k = h - 1
    while k >= 0:
        w = lowers[k]
        grp = next((c for c in candidates if c.tok_end - 1 == k), None)
        if grp is not None:
            if not grp.in_pp:
                return grp
            k = grp.tok_start - 1
            continue
        if w in g.SUBJECT_PRONOUNS:
            return _pronoun(w, k, tokens, [c for c in candidates if c.tok_end <= k], context)
        if w in g.ANAPHORIC_NOUNS and k > 0 and lowers[k - 1] == "the" and context.last_thing is not None:
            # "The group accused Israel…", "the kingdom invited…": the last organisation or country
            a = context.last_thing
            return Group((Actor(a.code, tokens[k - 1].start, tokens[k].end, k - 1, k + 1, a.entry_ids, False, "context"),), k - 1, k + 1, None)
        if w in (";", "said", "says", "told", "but") or (w == "and" and k > 0 and lowers[k - 1] == ","):
            break  # "…, and the second accused him": a new clause with its own subject
        if w == "and" and k + 1 < h and lowers[k + 1] in g.AUXILIARIES:
            # "Pakistan has refused to deploy peacekeepers in Iraq and has urged…": the verbs share a subject
            first = next((c for c in candidates if c.tok_end <= k and not c.in_pp), None)
            return first
        if w in g.RELATIVE_PRONOUNS:
            before = k - 1 if k > 0 and lowers[k - 1] != "," else k - 2
            owner = next((c for c in candidates if c.tok_end - 1 == before), None) if before >= 0 else None
            if owner is None:
                break  # "a resolution that aims to impose…": the subject is the noun, not an actor
            return owner  # "Hamas, which advocates…"
        if w == ",":
            opening = _parenthetical_start(lowers, k)
            if opening is not None:  # "Pakistan, a key U.S. ally, has refused…": skip the apposition
                k = opening - 1
                continue
        k -= 1
    return None


def _light_verb_before(lowers: list[str], h: int) -> int | None:
    """Index of a verb like "announced", "launched", "undertook" whose object is the event noun at h."""
    k = h - 1
    while k >= 0 and h - k <= 4 and (lowers[k] in g.DETERMINERS or (lowers[k].isalpha() and lowers[k] not in g.FUNCTION_WORDS
                                                                  and lowers[k] not in g.LIGHT_VERBS)):
        k -= 1
    return k if k >= 0 and lowers[k] in g.LIGHT_VERBS else None


def _noun_owner(lowers: list[str], h: int, groups: list[Group]) -> Group | None:
    """The actor of an event noun: "Israeli airstrikes on", "Russia's attack on", "the US-led strikes".

    Not the subject of the sentence: in "Netanyahu found the air strike justified" Netanyahu did not strike.
    """
    k = h - 1
    skipped = 0
    while k >= 0 and skipped <= 2 and lowers[k] not in g.DETERMINERS and lowers[k] != "'s" and lowers[k].isalpha():
        grp = next((c for c in groups if c.tok_end - 1 == k), None)
        if grp is not None:
            return grp
        k -= 1
        skipped += 1
    if k >= 0 and lowers[k] == "'s":
        return next((c for c in groups if c.tok_end == k), None)
    return None


def _reporting_frame(lowers: list[str], source: Group) -> bool:
    """ "…, the White House announced Tuesday": a statement verb whose subject follows a comma."""
    k = source.tok_start - 1
    while k >= 0 and lowers[k] in g.DETERMINERS:
        k -= 1
    return k > 0 and lowers[k] == ","


def _parenthetical_start(lowers: list[str], comma: int) -> int | None:
    """Index of the comma opening an apposition or relative clause that ends at `comma`, if there is one."""
    for j in range(comma - 1, max(-1, comma - 16), -1):
        if lowers[j] == ",":
            segment = lowers[j + 1 : comma]
            return j if segment and segment[0] in g.PARENTHETICAL_OPENERS and j > 0 else None
        if lowers[j] in (";", ":", "."):
            return None
    return None


def _object_pronoun(tokens, lowers, end: int, source: Group, context: DocumentContext) -> Group | None:
    """ "Xi praised him": an object pronoun right after the verb is the latest other individual (or group)."""
    if end >= len(lowers) or lowers[end] not in g.OBJECT_PRONOUNS:
        return None
    word = lowers[end]
    own = {a.code for a in source.members}
    if word == "them":
        members = context.last_plural.members if context.last_plural is not None else ()
    else:
        members = next(((a,) for a in context.individuals if a.code not in own), ())
    members = tuple(Actor(a.code, tokens[end].start, tokens[end].end, end, end + 1, a.entry_ids, a.is_person, "pronoun")
                    for a in members if a.code not in own)
    return Group(members, end, end + 1, None) if members else None


def _pronoun(word: str, k: int, tokens: list[Token], before: list[Group], context: DocumentContext) -> Group | None:
    """ "Lavrov said he…" refers within the sentence; "He also…" to the previous sentences' individual."""
    kind = g.SUBJECT_PRONOUNS[word]
    if kind == "thing":  # "Hungary has said it will…": only an actor earlier in the same sentence
        local = [grp for grp in before if not grp.in_pp and len(grp.members) == 1 and not grp.members[0].is_person]
    else:
        local = [grp for grp in before if not grp.in_pp and (len(grp.members) > 1) == (kind == "plural")
                 and (kind == "plural" or grp.members[0].is_person)]
    if local:
        referent = local[-1]
        members = tuple(Actor(a.code, tokens[k].start, tokens[k].end, k, k + 1, a.entry_ids, a.is_person, "pronoun") for a in referent.members)
        return Group(members, k, k + 1, None)
    if kind == "singular" and context.last_singular is not None:
        a = context.last_singular
        return Group((Actor(a.code, tokens[k].start, tokens[k].end, k, k + 1, a.entry_ids, a.is_person, "pronoun"),), k, k + 1, None)
    if kind == "plural" and context.last_plural is not None:
        members = tuple(
            Actor(a.code, tokens[k].start, tokens[k].end, k, k + 1, a.entry_ids, a.is_person, "pronoun") for a in context.last_plural.members
        )
        return Group(members, k, k + 1, None)
    return None


def _target_break(lowers: list[str], start: int, stop: int, past: frozenset[str] = frozenset()) -> bool:
    """A clause boundary between a verb and a candidate target; "and" only when a new verb follows it
    ("met and held talks with" stops, "tear gas and live ammunition against protesters" does not)."""
    for k in range(start, stop):
        w = lowers[k]
        if w == "and":
            nxt = lowers[k + 1] if k + 1 < len(lowers) else ""
            if nxt.endswith("ed") or nxt in past or nxt in g.AUXILIARIES or nxt in g.SUBJECT_PRONOUNS:
                return True
        elif w in g.TARGET_BREAKS:
            return True
    return False


def _first_group_after(lowers: list[str], end: int, groups: list[Group], limit: int, places: bool = False,
                       past: frozenset[str] = frozenset()) -> Group | None:
    """The first group after the verb in its clause that can be an object: not the agent of a "by" phrase
    ("brokered by China"), and a place ("aid to refugees in Liberia") only when `places` and nothing else fits."""
    fallback = None
    for grp in groups:
        if grp.tok_start < end:
            continue
        if grp.tok_start - end > limit or _target_break(lowers, end, grp.tok_start, past):
            break
        if grp.prep in g.NON_TARGET_PREPOSITIONS:
            if places and fallback is None and grp.prep in g.PLACE_PREPOSITIONS:
                fallback = grp
            continue
        return grp
    return fallback


def event_id(doc_id: str, event: Event) -> str:
    """Stable id of a mention: the same document, sentence, verb and tuple always give the same id."""
    key = "\x1f".join(
        [doc_id, str(event.sentence_index), str(event.verb_start), event.source.code, event.target.code if event.target else "", event.code]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:20]
