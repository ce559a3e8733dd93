"""Actors in a sentence: dictionary phrases → actors (countries with titles, people, groups) → compound groups.

The first half of the coder's work, kept apart from verbs and roles (`events.coding.coder`): it reads the compiled trie,
composes "Iran's Acting Foreign Minister Ali Bagheri Kani" into one IRNGOV, resolves bare agents ("police",
"the minister") from the document context, and joins "the US, UK and France" into one compound group.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from events.coding import grammar as g
from events.codebook.compiler import CompiledCodebook, PhraseEntry
from events.coding.text import Token, tokenize


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


@dataclass
class DocumentContext:
    """What the coder remembers across sentences of one document, for pronouns and bare agents."""

    last_singular: Actor | None = None
    last_plural: Group | None = None
    last_country: str | None = None
    home: str | None = None  # the article's country: most of its actors belong to it (see `home_country`)
    last_thing: Actor | None = None  # the last country or organisation written as a subject ("the group", "the kingdom")
    individuals: list[Actor] = field(default_factory=list)  # recent individuals, newest first (for "him", "her")
    seen: set[str] = field(default_factory=set)
    speaker: Group | None = None  # who speaks the quotation being read ("we", "I" inside it)
    quote_open: bool = False  # a quotation runs on past the end of the last sentence read
    genders: dict[str, str] = field(default_factory=dict)  # the codebook's gender.csv (person id -> f/m)
    acts: list[tuple[str, Actor]] = field(default_factory=list)  # (root, agent) of the events coded so far, newest first


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


def _match_phrases(tokens: list[Token], compiled: CompiledCodebook, day: dt.date | None,
                   grace: int = 0) -> tuple[list[_Phrase], bool]:
    """Longest-match walk of the phrase trie; returns non-overlapping phrases and whether a discard fired.

    Entries are selected by `day` (None: each name's latest role). With `grace` > 0, `day` is a publication date
    standing in for the event's: a name whose last role ended at most `grace` days before keeps it."""
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
            if not dated and day is not None and grace > 0:
                dated = _just_ended(entries, day, grace)
            if not dated:  # a known name with no role on this date: consume it, code nothing
                out.append(_Phrase("inactive", i, end, entries))
                i = end
                continue
            entries = dated
        out.append(_Phrase(kind, i, end, entries))
        i = end
    return out, discarded


def _just_ended(entries: tuple[PhraseEntry, ...], day: dt.date, window: int) -> tuple[PhraseEntry, ...]:
    """A name whose last role ended shortly before `day` and was followed by none: the story is about what
    they did in that role ("Soleimani", killed two days before the article; a minister who resigned last
    week). Only when no entry starts after it, and within the codebook's `role_grace_days`."""
    ended = [e for e in entries if e.valid_to is not None and e.valid_to < day and (day - e.valid_to).days <= window]
    if not ended or any(e.valid_from is not None and e.valid_from > day for e in entries):
        return ()
    last = max(e.valid_to for e in ended)
    if any(e.valid_from is not None and e.valid_from > last for e in entries):
        return ()
    return tuple(e for e in ended if e.valid_to == last)


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
        name_end = _name_after(tokens, phrase.tok_end, limit)
        if name_end > phrase.tok_end and tokens[phrase.tok_start].text[0].isupper():
            # "President Salome Zourabichvili", "Court Commissioner Loren Keating": a titled person the dictionaries
            # do not know is of the article's country; with no article country, of a country we cannot tell
            if context.home is not None:
                actors.append(Actor(context.home + agent.code, tokens[phrase.tok_start].start, tokens[name_end - 1].end,
                                    phrase.tok_start, name_end, (agent.entry_id,), True, "context"))
            k += 1
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
        placeable = _could_be_placed(tokens, phrase, compiled)
        if resolved is not None and (resolved.code or not placeable):
            actors.append(resolved if resolved.code else _at_home(resolved, agent, context))
        elif placeable:  # (resolved with no code: nothing placed it so far, the article's country may)
            waiting.append((len(actors), phrase, agent, resolved is not None))
        k += 1
    return [a for a in _place_waiting(tokens, actors, waiting, compiled, context) if a.code]


def _at_home(actor: Actor, agent: PhraseEntry, context: DocumentContext) -> Actor:
    """A bare agent its sentence does not place ("Authorities arrested twelve people", "the department"): of the
    country the story last named, else of the article's (code "" — dropped — when it has neither)."""
    country = context.last_country or context.home
    return actor.with_code(country + agent.code if country is not None else "")


def _could_be_placed(tokens: list[Token], phrase, compiled: CompiledCodebook) -> bool:
    """A plural bare agent that opens its clause ("Students demonstrated in Jakarta") may take a later place."""
    before = tokens[phrase.tok_start - 1].lower if phrase.tok_start > 0 else ""
    if before == "of" and phrase.tok_start > 1 and tokens[phrase.tok_start - 2].lower in g.QUANTIFIERS:
        before = ""  # "Thousands of students"
    return (before in ("", "the", ",") or _counts(before)) and not _modifies_next_word(tokens, phrase.tok_end, compiled)


def _counts(word: str) -> bool:
    """Whether a word before a noun counts it: "20", "thousand", "several", "thousands" (of)."""
    return word[:1].isdigit() or word in g.NUMBER_WORDS or word in g.QUANTIFIERS


def _place_waiting(tokens, actors: list[Actor], waiting, compiled: CompiledCodebook, context: DocumentContext) -> list[Actor]:
    """Give each waiting bare agent the country of the first place named after it ("in Jakarta", "from Syria"),
    else, when only the lack of a place left it unresolved, the article's country (`_at_home`)."""
    if not waiting:
        return actors
    out = list(actors)
    for position, phrase, agent, homeable in reversed(waiting):
        place = next((a for a in actors if a.tok_start >= phrase.tok_end and _country_of(a.code, compiled)
                      and a.tok_start > 0 and tokens[a.tok_start - 1].lower in g.PLACE_PREPOSITIONS), None)
        span = (tokens[phrase.tok_start].start, tokens[phrase.tok_end - 1].end, phrase.tok_start, phrase.tok_end)
        if place is None:
            if homeable:
                out.insert(position, _at_home(Actor("", *span, (agent.entry_id,), agent.is_person, "context"), agent, context))
            continue
        country = _country_of(place.code, compiled)
        out.insert(position, Actor(country + agent.code, *span, (agent.entry_id, *place.entry_ids), agent.is_person, "context"))
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
    start = phrases[k].tok_start
    if tokens[end].lower in g.AGENT_FOR and not (start == 0 or tokens[start - 1].lower in g.DETERMINERS):
        return None  # "a spokesman for the ministry" is the ministry's; "US Special Representative for Iran" is not Iran's
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


def home_country(phrase_lists: list[list[_Phrase]], compiled: CompiledCodebook) -> str | None:
    """The article's country: the country most of the actors it names belong to (ties: the first named), for
    bare domestic roles ("police", "the government") that name none. None when it names no country."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for phrases in phrase_lists:
        for p in phrases:
            if p.kind != "actor":
                continue
            country = _country_of(p.entries[0].code, compiled)
            if country:
                counts[country] = counts.get(country, 0) + 1
                first.setdefault(country, len(first))
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], first[c]))


def _resolve_bare_agent(tokens, phrase, agent, actors, compiled, context) -> Actor | None:
    """An agent with no country beside it: "the minister" → the last fitting actor; "police" → country in context."""
    before = [t.lower for t in tokens[max(0, phrase.tok_start - 3) : phrase.tok_start]]
    if any(w in g.INDEFINITE for w in before):
        return None  # "a reporter", "a multinational police force": nobody in particular
    if _modifies_next_word(tokens, phrase.tok_end, compiled):
        return None  # "joint military exercises", "government bonds": a modifier, not an actor
    if tokens[phrase.tok_end - 1].lower in g.GENERIC_PEOPLE and not (
        before and (_counts(before[-1]) or (before[-1] == "of" and len(before) > 1 and before[-2] in g.QUANTIFIERS))):
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
    if agent.code in compiled.rules.get("no_context_roles", ()):
        return None  # "militants who fired rockets at Israel": armed groups are often the other side of the story
    if agent.code in compiled.rules.get("domestic_roles", ()) and context.home is not None:
        # "police", "the court", "protesters": the article's country, not an actor that shares the sentence
        country = context.home
    else:
        country = next((_country_of(a.code, compiled) for a in reversed(actors) if _country_of(a.code, compiled)), None)
    if country is None:  # no country before it: a later place may place it, else the context's (`_at_home`)
        return Actor("", *span, (agent.entry_id,), agent.is_person, "context")
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
    finite = low.endswith(("ed", "s")) or low in compiled.past_forms  # "police arrested", "troops withdrew"
    if low in g.FUNCTION_WORDS or (low in compiled.verb_index and finite) or low.endswith(("ed", "ing", "ly")) or low in g.ADVERBS:
        return False  # (a base form after a bare noun is its head: "military aid", "police station")
    return True


def _actor(tokens: list[Token], code: str, start: int, end: int, ids: list[str], person: bool) -> Actor:
    return Actor(code, tokens[start].start, tokens[end - 1].end, start, end, tuple(ids), person)


def _group(tokens: list[Token], actors: list[Actor], compiled: CompiledCodebook) -> list[Group]:
    """Join actors linked by "and", commas, "as well as" into compound groups."""
    runs: list[list[Actor]] = []
    conjoined: list[bool] = []  # whether a run has a conjunction, not only commas ("Unlike Biden, Trump…")
    for actor in actors:
        if runs and _linked(tokens, runs[-1][-1].tok_end, actor.tok_start):
            conjoined[-1] = conjoined[-1] or any(t.lower in g.JOINING_WORDS for t in tokens[runs[-1][-1].tok_end : actor.tok_start])
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
