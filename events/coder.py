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
from events.actors import (
    Actor,
    DocumentContext,
    Group,
    _compose_actors,
    _group,
    _match_phrases,
    _remember,
)
from events.compiler import GAP, MAX_GAP, SLOT, CompiledCodebook, CompiledPattern
from events.text import Sentence, Token, normalise_for_dedup, split_sentences, token_set, tokenize

CODER_VERSION = "events.coder.v1"


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
    if opened is not None:  # a quotation that runs on past the sentence ("…tweeted: "Thank you to all…")
        inside.update(range(opened + 1, len(tokens)))
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
        if word.lower == "that":
            break  # "warned that Europe would…": a clause follows, not the target
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
    modality = "hypothetical" if lowers[0] in g.CONDITIONALS else _modality(lowers, h, pattern, compiled)
    # ("If Iran attacks American bases, the United States will defend its troops": nothing has happened)
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
            target_group = next((grp for grp in groups if h < grp.tok_start and grp.tok_end <= m.tok_end
                                 and not any(a.resolved_from for a in grp.members)), None)
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
        mutual = "mutual" in pattern.flags or code.startswith(tuple(compiled.rules.get("compound_mutual_codes", ())))
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
        mutual = "mutual" in pattern.flags or code.startswith(tuple(compiled.rules.get("compound_mutual_codes", ())))
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
    city_roots = compiled.rules.get("capital_target_roots", ())
    for source, target in pairs:
        if target is not None and code[:2] in city_roots and target.entry_ids[-1:] and target.entry_ids[-1].endswith("-gov"):
            # "Russian missiles struck Kyiv": an attacked capital is the country, not its government
            target = target.with_code(target.code[:3])
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
        while k >= 0 and h - k <= 2 and lowers[k].replace("-", "").isalpha() and lowers[k] not in g.FUNCTION_WORDS:
            k -= 1
        if k >= 0 and k < h - 1 and (lowers[k] in g.DETERMINERS or lowers[k] == "'s" or lowers[k] in g.PREPOSITIONS):
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
        if k > 1 and lowers[k - 1] == "two" and lowers[k - 2] == "the":
            pair = _the_two(tokens, k, [c for c in candidates if c.tok_end <= k - 2], context)
            if pair is not None:
                return pair  # "the two leaders signed…": the last two parties named
        if w in g.ANAPHORIC_NOUNS and k > 0 and lowers[k - 1] == "the" and context.last_thing is not None:
            # "The group accused Israel…", "the kingdom invited…": the last organisation or country
            a = context.last_thing
            return Group((Actor(a.code, tokens[k - 1].start, tokens[k].end, k - 1, k + 1, a.entry_ids, False, "context"),), k - 1, k + 1, None)
        if w in (";", "said", "says", "told", "but") or (w == "and" and k > 0 and lowers[k - 1] == ","):
            break  # "…, and the second accused him": a new clause with its own subject
        if w == "and" and (k + 1 == h or (k + 1 < h and lowers[k + 1] in g.AUXILIARIES)):
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


def _the_two(tokens, k: int, before: list[Group], context: DocumentContext) -> Group | None:
    """The last two distinct parties named before "the two <noun>", in this sentence or the previous ones."""
    seen: dict[str, Actor] = {}
    for grp in reversed(before):
        for a in reversed(grp.members):
            seen.setdefault(a.code, a)
    for a in context.individuals:
        seen.setdefault(a.code, a)
    if len(seen) < 2:
        return None
    members = tuple(Actor(a.code, tokens[k - 2].start, tokens[k].end, k - 2, k + 1, a.entry_ids, a.is_person, "pronoun")
                    for a in list(seen.values())[:2])
    return Group(members, k - 2, k + 1, None)


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
        if w == "," and k + 1 < stop and lowers[k + 1] == "and":
            return True  # "…, and police detained…": a new clause
        if w == "," and any(x in g.REPORTING_VERBS for x in lowers[k + 1 : k + 9]):
            return True  # "…, U.S. President Donald Trump said": the reporter is not the target
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
