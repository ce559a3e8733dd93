"""The coder: sentences in, coded events out, deterministically, with an explanation of every decision.

Pipeline per document:
1. sentences that hold an actor word (or a pronoun, or a quotation) are tokenized; documents are then read side
   by side, and a sentence is parsed by the tagger + dependency parser (`events.coding.parse`) only when, in its
   document's context, it gives a source and some verb pattern matches its words in order (or reported speech
   may be an act); the sentences of a round are parsed together, in one batch;
2. per sentence, in order: tokens → phrase matches from the compiled trie (actors, agents, discards), selected
   by date → actor mentions and compound groups (`events.coding.actors`), with the document context that resolves
   pronouns and bare agents, updated on every sentence read;
3. verb patterns matched at their head words; the tree (`events.coding.syntax`) says whether the head is a verb (or
   the noun a noun pattern needs), who its subject, object, passive agent and prepositional objects are, and
   whether it is asserted, future, negated, hypothetical or framed by another event ("urged X to withdraw",
   "denied that it attacked"); codebook rules recode the future and refusals.

`code_sentences` is a pure function of (text, compiled codebook with its parser, date).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace

from events.coding import grammar as g
from events.coding.actors import (
    Actor,
    DocumentContext,
    Group,
    _compose_actors,
    _group,
    _match_phrases,
    _remember,
    home_country,
)
from events.codebook.compiler import GAP, MAX_GAP, SLOT, CompiledCodebook, CompiledPattern, rule_for
from events.coding.parse import Parse
from events.coding.places import place_events
from events.coding.syntax import PASSIVE_SUBJECTS, SUBJECTS, Tree
from events.coding.text import (Budget, Sentence, Token, normalise_for_dedup, sentence_budget, split_sentences,
                                token_set, tokenize)

CODER_VERSION = "events.coder.v2"  # v2: roles and modality read from the dependency tree
MAX_REMEMBERED_ACTS = 12  # events of the document a definite event noun ("the attack") may refer back to


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
    # character spans of the sentence's other clauses: a date there is not this event's ("held a rally on Thursday,
    # ahead of the election to be held on August 9")
    other_clauses: tuple[tuple[int, int], ...] = field(default=(), compare=False)
    # where the text places the event, its source and its target (events.coding.places.Located or None each)
    places: tuple = field(default=(None, None, None), compare=False)


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
    sentences, events, _ = code_texts([(text, day, title)], compiled, explain=explain)[0]
    return sentences, events


def code_texts(texts: list[tuple[str, dt.date | None, str | None]], compiled: CompiledCodebook, *,
               explain: bool = False) -> list[tuple[list[Sentence], list[Event], int]]:
    """Code several (text, day, title) documents, each with its own context. The documents are read side by side,
    a sentence of each per round: the sentences of a round that need a tree are parsed together, in one batch
    (much faster than one at a time), and whether a sentence needs one is decided with its document's context
    (who "he" can be, who speaks a quotation) as it stands when the sentence is read.

    Returns (sentences, events, sentences not coded because they are over the coder's budget, `text.Budget`)."""
    plans = [_plan(text, compiled, day, title) for text, day, title in texts]
    readers = [_read_document(plan, day, compiled, explain) for plan, (_, day, _) in zip(plans, texts)]
    results: list[list[Event] | None] = [None] * len(readers)
    waiting = {n: _advance(reader, None, results, n) for n, reader in enumerate(readers)}
    while waiting:
        asks = [(n, ask) for n, ask in waiting.items() if ask is not None]
        parses = _parse(compiled, [ask for _, ask in asks])
        waiting = {n: _advance(readers[n], parse, results, n) for (n, _), parse in zip(asks, parses)}
    return [(plan.sentences, events or [], plan.over_budget) for plan, events in zip(plans, results)]


def _advance(reader, parse: Parse | None, results: list, n: int) -> tuple[Sentence, list[Token]] | None:
    """Run a document's reader to its next sentence that needs a tree (returned), or to its end (None; its
    events are stored in `results[n]`)."""
    try:
        return reader.send(parse) if parse is not None else next(reader)
    except StopIteration as done:
        results[n] = done.value
        return None


def _read_document(plan: _Plan, day: dt.date | None, compiled: CompiledCodebook, explain: bool):
    """Code a document's sentences in order; yields (sentence, tokens) for each sentence that needs a tree and
    is sent its parse; returns the document's events."""
    context = DocumentContext(home=plan.home, genders=compiled.gender)
    events: list[Event] = []
    for item in plan.items:
        reading = _Reading.of(item.tokens, item.phrases, compiled, context)
        parse = None
        if item.candidate and _needs_tree(item.tokens, reading, compiled, context):
            parse = yield item.sentence, item.tokens
        events.extend(_code_tokens(item.sentence, item.tokens, parse, compiled, context, explain, reading))
    return same_meeting(events, compiled, explain)


def same_meeting(events: list[Event], compiled: CompiledCodebook, explain: bool = False) -> list[Event]:
    """A document's mentions of a meeting its text does not place ("During the meeting, the two ministers
    discussed …") take the code its placed mention of the same parties got ("In a meeting in New York, … discussed":
    044): one meeting told twice is one event (rule venue_codes)."""
    table = compiled.rules.get("venue_codes", {})
    if not table:
        return events
    refined = {code for codes in table.values() for code in codes}
    placed: dict[tuple[str, str], str] = {}
    for e in events:
        if e.target is not None and e.code in refined:
            placed.setdefault((e.source.code, e.target.code), e.code)
    if not placed:
        return events
    out = []
    for e in events:
        code = None
        if e.code in table and e.target is not None:
            code = placed.get((e.source.code, e.target.code))
            back = placed.get((e.target.code, e.source.code))
            if code is None and back in table[e.code]:  # the other side of it: a host's guest visits, and back
                third, host, visit = table[e.code]
                code = {third: third, host: visit, visit: host}[back]
        if code is None or code == e.code:
            out.append(e)
            continue
        why = e.explanation + (f"the meeting of {e.source.code} and {e.target.code} the document places: {code} "
                               f"(rule venue_codes)",) if explain else e.explanation
        out.append(replace(e, code=code, explanation=why))
    return out


@dataclass
class _Item:
    sentence: Sentence
    tokens: list[Token]
    candidate: bool  # parsed and coded; else only read for the context (actors, quotations)
    phrases: tuple  # (phrase matches, whether a discard fired)


@dataclass
class _Plan:
    sentences: list[Sentence]
    items: list[_Item]
    home: str | None
    over_budget: int = 0  # sentences not coded: too long, or too far into the document


def _plan(text: str, compiled: CompiledCodebook, day: dt.date | None, title: str | None) -> _Plan:
    """Which sentences of a document to read, which of them to parse, and the article's country."""
    sentences = split_sentences(text)
    seen: set[str] = set()
    if title:
        seen.add(normalise_for_dedup(title))
    items: list[_Item] = []
    quote_open = False
    over_budget = 0
    budget = Budget()
    for sentence in sentences:
        if budget.check(sentence) is not None:
            over_budget += 1  # (checked before any other work: a 100 KB "sentence" costs nothing more)
            continue
        key = normalise_for_dedup(sentence.text)
        if not key or key in seen:
            continue  # headline echoed as the first line, agency dateline repeating the lead
        seen.add(key)
        words, read, speech = _reading(sentence.text, compiled, quote_open)
        if not read:
            continue  # no actor word, no pronoun, no quotation: nothing to code and nothing to remember
        tokens = tokenize(sentence.text)
        if budget.check(sentence, tokens) is not None:
            over_budget += 1
            continue
        if tokens:
            candidate = _may_code(tokens, words, compiled, speech)
            items.append(_Item(sentence, tokens, candidate, _phrases(tokens, compiled, day)))
            quote_open = _quote_open_after(tokens, quote_open)
    return _Plan(sentences, items, home_country([item.phrases[0] for item in items], compiled), over_budget)


def plan_home(text: str, compiled: CompiledCodebook, day: dt.date | None, title: str | None = None) -> str | None:
    """The article's country the coder finds for `text` before reading its first sentence (`home_country`)."""
    return _plan(text, compiled, day, title).home


def code_sentence(
    sentence: Sentence, compiled: CompiledCodebook, day: dt.date | None, context: DocumentContext | None = None, *,
    explain: bool = False, trace: list[str] | None = None, parse: Parse | None = None
) -> list[Event]:
    """Code one sentence in `context`, which it updates, reading it as `code_texts` would; `parse` is its tree
    when the caller has it (`parse_if_coded`), else it is parsed here; `trace` collects why matched patterns were
    not coded."""
    context = context if context is not None else DocumentContext(genders=compiled.gender)
    if sentence_budget(sentence) is not None:
        return []
    _, read, _ = _reading(sentence.text, compiled, context.quote_open)
    tokens = tokenize(sentence.text)
    if not read or not tokens or sentence_budget(sentence, tokens) is not None:
        return []
    reading = _Reading.of(tokens, _phrases(tokens, compiled, day), compiled, context)
    if parse is None:
        parse = _tree_if_coded(sentence, tokens, reading, compiled, context)
    return _code_tokens(sentence, tokens, parse, compiled, context, explain, reading, trace)


def parse_if_coded(sentence: Sentence, tokens: list[Token], compiled: CompiledCodebook, day: dt.date | None,
                   context: DocumentContext) -> Parse | None:
    """The tree the coder reads for one tokenized sentence in `context`, or None when the coder would not parse
    it (the same criteria as `code_texts`; for `--explain`)."""
    return _tree_if_coded(sentence, tokens, _Reading.of(tokens, _phrases(tokens, compiled, day), compiled, context),
                          compiled, context)


def _tree_if_coded(sentence: Sentence, tokens: list[Token], reading: "_Reading", compiled: CompiledCodebook,
                   context: DocumentContext) -> Parse | None:
    words, read, speech = _reading(sentence.text, compiled, context.quote_open)
    if not (tokens and read and _may_code(tokens, words, compiled, speech) and _needs_tree(tokens, reading, compiled, context)):
        return None
    return _parse(compiled, [(sentence, tokens)])[0]


def _phrases(tokens: list[Token], compiled: CompiledCodebook, day: dt.date | None) -> tuple:
    """Phrase matches of a sentence selected by `day`, as every path of the coder reads them."""
    return _match_phrases(tokens, compiled, day, compiled.rules.get("role_grace_days", 0))


def _reading(text: str, compiled: CompiledCodebook, quote_open: bool) -> tuple[set[str], bool, bool]:
    """(words, whether the sentence is read at all, whether it is speech): a sentence is read when it holds a
    distinctive word of a name or a pronoun, belongs to a quotation (whose speaker may be named elsewhere), or
    holds a verb whose agentless passive the codebook attributes ("a man was arrested": the article's police)."""
    words = token_set(text)
    speech = quote_open or any(q in text for q in g.QUOTE_MARKS)
    return words, speech or not compiled.first_tokens.isdisjoint(words) or not compiled.agentless_forms.isdisjoint(words), speech


def _may_code(tokens: list[Token], words: set[str], compiled: CompiledCodebook, speech: bool = False) -> bool:
    """Whether a sentence can yield an event, whatever its context: no question, and some verb pattern has all
    its words here, or reported speech may be an act (see `_speech_may_code`)."""
    if tokens[-1].text == g.QUESTION_MARK:
        return False
    return compiled.may_match(words) or _speech_may_code(words, compiled, speech)


def _speech_may_code(words: set[str], compiled: CompiledCodebook, speech: bool) -> bool:
    """A reporting verb or a quotation, with a cue phrase or two actors to be about."""
    if not (speech or not compiled.reporting_forms.isdisjoint(words)):
        return False
    return not compiled.cue_words.isdisjoint(words) or len(compiled.name_words & words) >= 2


def _parse(compiled: CompiledCodebook, items: list[tuple[Sentence, list[Token]]]) -> list[Parse]:
    if not items:
        return []
    if compiled.parser is None:
        raise ValueError("the compiled codebook has no parser: compile_codebook(codebook, load_parser())")
    return compiled.parser.parse([t for _, t in items], [s.text for s, _ in items])


@dataclass
class _Reading:
    """What a sentence holds before its tree is read: phrase matches, whether a discard fired, and the actor
    groups they make in the document's context."""

    phrases: list
    discarded: bool
    groups: list[Group]

    @classmethod
    def of(cls, tokens: list[Token], phrases: tuple, compiled: CompiledCodebook, context: DocumentContext) -> "_Reading":
        found, discarded = phrases
        return cls(found, discarded, _group(tokens, _compose_actors(tokens, found, compiled, context), compiled))


def _needs_tree(tokens: list[Token], reading: _Reading, compiled: CompiledCodebook, context: DocumentContext) -> bool:
    """Whether a candidate sentence (see `_may_code`) can yield an event in this context, so is worth parsing:
    it must give a source — an actor named in it, a word that refers back to one the context holds, the speaker
    of an open quotation, or an agentless passive the codebook attributes — and some verb pattern must match its
    words in order, or reported speech may be an act (see `_may_code`)."""
    if reading.discarded:
        return False
    words = {t.lower for t in tokens}
    remembered = (context.last_singular, context.last_plural, context.last_thing, context.individuals, context.speaker)
    refers = (bool(reading.groups) or (context.quote_open and context.speaker is not None)
              or (any(remembered) and not g.REFERRING_WORDS.isdisjoint(words)))
    matches = _verb_matches(tokens, words, {grp.tok_start: grp for grp in reading.groups}, compiled)
    if not refers:
        agentless = compiled.rules.get("agentless_passive", {})
        return context.home is not None and any(rule_for(agentless, m.pattern.code) is not None for m in matches)
    return bool(matches) or _speech_may_code(words, compiled, context.quote_open or any(t.text in g.QUOTE_MARKS for t in tokens))


def _verb_matches(tokens: list[Token], words: set[str], group_at: dict[int, Group], compiled: CompiledCodebook,
                  tree: Tree | None = None, skip: set[int] = frozenset(), trace: list[str] | None = None) -> list[_Match]:
    """Verb patterns matched in order at their head words (not inside an actor's name, `skip`), one per head;
    with the `tree`, a head must be the verb (or the noun) its pattern needs."""
    matches: list[_Match] = []
    covered_until = -1
    for i, t in enumerate(tokens):
        low = t.lower
        if i in skip or i < covered_until or low not in compiled.verb_index:
            continue
        if tree is not None and tree.tag(i) in ("NNP", "NNPS"):
            continue  # "Roger Stone", "a 'Salute to America'": a proper name, not a verb
        for pattern in compiled.verb_index[low]:
            if not pattern.needs <= words:
                continue
            m = _match_pattern(pattern, tokens, i, group_at)
            if m is None:
                continue
            if tree is not None and not _fits_tree(m, tree):
                if trace is not None:
                    want = "a noun" if pattern.is_noun else "a verb"
                    trace.append(f"pattern {pattern.id} ({pattern.code}) at token {i}: not coded: {t.text!r} is "
                                 f"tagged {tree.tag(i)}, not {want}")
                continue
            matches.append(m)
            covered_until = m.tok_end
            break
    return matches


def _code_tokens(sentence, tokens, parse, compiled, context, explain, reading: _Reading,
                 trace: list[str] | None = None) -> list[Event]:
    if reading.discarded:
        return []  # films, sports, idioms the codebook lists: neither events nor referents
    groups = reading.groups
    events: list[Event] = []
    if parse is not None:
        tree = Tree(parse, tuple(t.lower for t in tokens), tuple(groups))
        events = _code_verbs(sentence, tokens, tree, compiled, context, explain, trace)
        events = _by_venue(place_events(events, tokens, tree, compiled, context, context.quote_open, g.QUOTE_MARKS),
                           tokens, compiled, explain)
        # what "the attack", "the agreement" in a later sentence may refer back to
        context.acts[:0] = [(e.code[:2], e.source) for e in reversed(events)]
        del context.acts[MAX_REMEMBERED_ACTS:]
    _remember(context, groups, compiled)
    _track_quotes(tokens, context)
    return events


def _quote_open_after(tokens: list[Token], opened: bool) -> bool:
    """Whether a quotation is still open after this sentence (its next sentences are the same speaker's)."""
    for t in tokens:
        if t.text in g.QUOTE_MARKS:
            opened = (t.text == "“") if t.text != '"' else not opened
    return opened


def _track_quotes(tokens: list[Token], context: DocumentContext) -> None:
    """After a sentence: is a quotation still open? A sentence with no quotation ends its speaker's turn."""
    has_marks = any(t.text in g.QUOTE_MARKS for t in tokens)
    context.quote_open = _quote_open_after(tokens, context.quote_open)
    if not context.quote_open and not has_marks:
        context.speaker = None


# -- verbs ---------------------------------------------------------------------------------------------
def _code_verbs(sentence, tokens, tree: Tree, compiled, context, explain, trace: list[str] | None = None) -> list[Event]:
    lowers = tree.lowers
    words = set(lowers)
    groups = list(tree.groups)
    group_at = {grp.tok_start: grp for grp in groups}
    inside_actor = set()
    for grp in groups:
        for m in grp.members:
            if not m.resolved_from:
                inside_actor.update(range(m.tok_start, m.tok_end))
    quoted = _quoted_tokens(tokens, context.quote_open)
    speaker = _quote_speaker(tokens, tree, compiled, context, quoted) if quoted else None
    context.speaker = speaker
    # (words inside a quotation nobody is said to speak are not events the report asserts)
    skip = inside_actor | quoted if speaker is None else inside_actor
    matches = _verb_matches(tokens, words, group_at, compiled, tree, skip, trace)
    heads = {m.tok_start: m for m in matches}
    events: list[Event] = []
    seen: set[tuple] = set()
    for m in matches:
        for event in _events_for(m, heads, sentence, tokens, tree, compiled, context, explain, trace):
            key = (event.source.code, event.target.code if event.target else None, event.code)
            if key in seen:
                continue
            seen.add(key)
            events.append(event)
    obligations = _obligations(sentence, tokens, tree, compiled, context, explain)
    # tokens whose event is coded: pattern heads, and the reporting verbs of obligations
    coded = {k for k, t in enumerate(tokens) if any(e.verb_start == t.start for e in events + obligations)}
    for extra in (obligations,
                  _statements(sentence, tokens, tree, compiled, context, explain, coded, quoted, trace),
                  _quoted_cues(sentence, tokens, tree, compiled, context, explain, coded, quoted, speaker)):
        for e in extra:
            key = (e.source.code, e.target.code if e.target else None, e.code)
            if key not in seen:
                seen.add(key)
                events.append(e)
    if any(e.target is not None for e in events):
        # "..., the White House said": the reported event is coded, not the act of saying it
        events = [e for e in events if e.target is not None]
    return events


def _fits_tree(m: _Match, tree: Tree) -> bool:
    """A verb pattern needs a verb at its head, a noun pattern a noun: "the attack by Hamas" is no verb,
    "Israel's attacks on" no clause, "providing shell commands" no shelling."""
    h = m.tok_start
    if m.pattern.is_noun:
        return tree.is_noun(h)
    if tree.is_verb(h):
        return True
    # a mistagged verb that the parser still reads as a predicate: it heads a clause or has a subject or object
    # ("to disperse/NN demonstrators": xcomp with an object), never a noun in a noun phrase
    return tree.tag(h) in ("NN", "NNS", "JJ") and (
        tree.dep(h) in ("ROOT", "xcomp", "ccomp", "advcl", "parataxis") and bool(tree.children(h, "nsubj", "obj", "mark")))


def _statements(sentence, tokens, tree: Tree, compiled, context, explain, coded_heads: set[int], quoted,
                trace) -> list[Event]:
    """What actors are reported to say: "X said Y's decision was a disgrace" is X's criticism of Y (the cue
    phrases of cues.csv give the code); "X called the deal null and void", "described Y as a terrorist" too.

    The content is the clause the reporting verb introduces (or, for "…, X said", the clause it comments on),
    or the object and predicate of "call"/"describe … as"; with no cue, a statement about an actor the content
    names is coded `statement_code`; content that names no other actor and holds no cue is a report of facts,
    not an event. A content clause whose own verb was coded as an event ("X said Y attacked Z") adds nothing.
    """
    plain = compiled.rules.get("statement_code")
    lowers = tree.lowers
    out: list[Event] = []
    for r in _reporting_verbs(tree, compiled, quoted):
        if r in coded_heads:
            continue
        if tree.modality(r, compiled.refusal_forms) != "asserted":
            continue
        speaker = _actor_at(_speaker_token(r, tree), tokens, tree, context, quoted=frozenset())
        if speaker is None:
            continue
        content = _content(r, tree)
        if quoted and not quoted & set(content):
            content = sorted(quoted)  # "He added, "…"": the parse hangs the frame on the quotation, or apart
        if not content or coded_heads & set(content):
            continue
        cue = _find_cue(content, lowers, compiled)
        own = {a.code for a in speaker.members}
        # not the speaker, nor the speaker's own state ("Rouhani said Iran regrets …" is about nobody else)
        targets = [grp for grp in tree.groups if grp.tok_start in content
                   and not all(_same_state(a.code, own) for a in grp.members)]
        about = _content_target(r, tree, targets, strict=cue is None)
        if about is None and cue is not None:
            # "called the charges bogus", "said the attack was a crime": the agent of the act it judges
            judged = tree.children(r, "obj") + [s for k in tree.children(r, "ccomp") for s in tree.children(k, *SUBJECTS)]
            about = _agent_of_act_named(judged, tokens, tree, compiled, context, speaker)
        if cue is None and coded_heads:
            about = None  # a sentence with an event of its own reports that event, not a comment
        if cue is None and (plain is None or about is None):
            if trace is not None:
                trace.append(f"reporting verb {tokens[r].text!r} at token {r}: no event: its content holds no cue and "
                             + ("names no other actor" if about is None else "the codebook has no statement_code"))
            continue
        code, cue_id = cue if cue is not None else (plain, "")
        why = [f"reporting verb {tokens[r].text!r} ({tree.dep(r)}); content tokens {content[0]}-{content[-1]}",
               f"cue {cue_id}" if cue_id else "no cue: a statement about another actor"] if explain else []
        pattern_id = cue_id or f"{plain}.statement"
        for source in speaker.members:
            for target in (about.members if about is not None else (None,)):
                if target is not None and _same_state(target.code, own):
                    continue  # "between Greece and Turkey", said the Greek minister: about Turkey
                reasons = tuple(why + [f"source {source.code}", f"target {target.code if target else None}"]) if explain else ()
                out.append(Event(sentence.index, sentence.text, source, target, code, pattern_id,
                                 tokens[r].start, tokens[r].end, "asserted", reasons))
    return out


def _reporting_verbs(tree: Tree, compiled, quoted: set[int]) -> list[int]:
    """Reporting verbs of the sentence (codebook rule `reporting_verbs`) that are verbs in its parse and stand
    outside any quotation: the frames of its reported speech."""
    forms = compiled.reporting_forms
    return [r for r, w in enumerate(tree.lowers) if w in forms and r not in quoted and tree.is_verb(r)]


def _speaker_token(r: int, tree: Tree) -> int | None:
    """The subject of reporting verb r; after a fronted quotation ("…," said X) the name after the verb,
    which parsers often take for an object."""
    subj = tree.subject(r)
    if subj is not None:
        return subj
    if any(k < r for k in tree.children(r, "ccomp", "parataxis")):
        after = [k for k in tree.children(r, "obj", "obl", "nsubj:pass") if k > r]
        return after[0] if after else None
    return None


def _quote_speaker(tokens, tree: Tree, compiled, context: DocumentContext, quoted: set[int]) -> Group | None:
    """Who speaks the quotation in this sentence: the subject of a reporting verb outside it ("X said, "…"",
    ""…," he added"), else, for a sentence that continues a quotation, its speaker so far."""
    for r in _reporting_verbs(tree, compiled, quoted):
        found = _actor_at(_speaker_token(r, tree), tokens, tree, context, quoted=frozenset())
        if found is not None:
            return found
    if context.quote_open or (quoted and min(quoted) <= 1):
        return context.speaker
    return None


def _quoted_cues(sentence, tokens, tree: Tree, compiled, context, explain, coded_heads: set[int], quoted,
                 speaker) -> list[Event]:
    """A quotation with no reporting verb in its sentence ("…it is a propaganda stunt," continuing what X
    said): its cue phrases are acts of its speaker, about the other actor it names, if any."""
    if speaker is None or not quoted:
        return []
    lowers = tree.lowers
    if _reporting_verbs(tree, compiled, quoted):
        return []  # a reporting verb in the sentence: _statements reads its content
    content = sorted(quoted)
    if coded_heads & set(content):
        return []
    cue = _find_cue(content, lowers, compiled)
    if cue is None:
        return []
    code, cue_id = cue
    own = {a.code for a in speaker.members}
    about = next((grp for grp in tree.groups if grp.tok_start in quoted
                  and not any(_same_state(a.code, own) for a in grp.members)), None)
    out = []
    for source in speaker.members:
        for target in (about.members if about is not None else (None,)):
            why = (f"quotation spoken by {source.code}", f"cue {cue_id}") if explain else ()
            out.append(Event(sentence.index, sentence.text, source, target, code, cue_id,
                             tokens[content[0]].start, tokens[content[-1]].end, "asserted", why))
    return out


def _same_state(code: str, own: set[str]) -> bool:
    """Whether an actor is a speaker or the speaker's own state or government ("the United States called its
    actions defensive", "Rouhani said Iran regrets"): what a speaker says of them is not about another actor.

    >>> _same_state("IRN", {"IRNGOV"}), _same_state("USAGOV", {"USA"}), _same_state("RUS", {"IRNGOV"})
    (True, True, False)
    """
    return any(code.startswith(o) or o.startswith(code) for o in own)


_CONTENT_RELATIONS = ("ccomp", "xcomp", "obj", "obl", "advcl")


def _content(r: int, tree: Tree) -> list[int]:
    """Token indexes of what reporting verb r reports: its clausal complement ("said that …"), the object and
    predicate of "call X Y" / "describe X as Y", or, for a comment clause ("…, he said"), the clause it comments on."""
    if tree.dep(r) == "parataxis" and tree.head(r) != r:
        main = tree.head(r)
        return tree.subtree(main, stop=frozenset([r]))
    out: list[int] = []
    for k in tree.children(r, *_CONTENT_RELATIONS):
        out.extend(tree.subtree(k))
    for k in tree.children(r, "parataxis"):
        out.extend(tree.subtree(k))
    return sorted(set(out))


def _content_target(r: int, tree: Tree, targets: list[Group], strict: bool = False) -> Group | None:
    """The actor the reported words are about: the object of "call"/"describe", the subject of the reported
    clause, else (unless `strict`: a plain statement must be about its subject or object) the first actor it
    names."""
    if not targets:
        return None
    for k in tree.children(r, "obj", "iobj"):
        grp = tree.group_for(k)
        if grp is not None and grp in targets:
            return grp
    # "…, he added": the clause the comment is attached to is what was said
    clauses = tree.children(r, "ccomp", "xcomp") + ([tree.head(r)] if tree.dep(r) == "parataxis" and tree.head(r) != r else [])
    for k in clauses:
        # the reported clause's own subjects, active or passive ("said Navalny was poisoned", "said the crash was
        # Iran's doing"); an xcomp without one shares the speaker's, who is no target
        for subj in tree.children(k, *SUBJECTS, *PASSIVE_SUBJECTS):
            grp = tree.group_for(subj)
            if grp is not None and grp in targets:
                return grp
    return None if strict else targets[0]


def _find_cue(content: list[int], lowers, compiled) -> tuple[str, str] | None:
    """The first cue phrase (longest at a position) in the content: (code, cue id)."""
    cues = compiled.cues
    inside = set(content)
    for k in content:
        for words, code, cue_id in cues.get(lowers[k], ()):
            end = k + len(words)
            if all(j in inside for j in range(k, end)) and tuple(lowers[k:end]) == words:
                return code, cue_id
    return None


def _obligations(sentence, tokens, tree: Tree, compiled, context, explain) -> list[Event]:
    """ "Russia said that Sudan must return the helicopter": a reported obligation is a demand of the speaker
    on the obliged (codebook rule `obligation_code`)."""
    code = compiled.rules.get("obligation_code")
    lowers = tree.lowers
    if code is None or not any(w in g.OBLIGATIONS for w in lowers):
        return []
    out = []
    for k, w in enumerate(lowers):
        if w not in g.OBLIGATIONS or tree.dep(k) != "aux":
            continue
        verb = tree.head(k)
        if tree.dep(verb) != "ccomp" or lowers[tree.head(verb)] not in compiled.reporting_forms:
            continue
        report = tree.head(verb)
        obliged = _actor_at(tree.subject(verb), tokens, tree, context)
        speaker = _actor_at(tree.subject(report), tokens, tree, context)
        if obliged is None or speaker is None:
            continue
        for source in speaker.members:
            for target in obliged.members:
                if _distinct(source, target):
                    why = (f"reported obligation: {tokens[report].text!r} ... {tokens[k].text!r}",) if explain else ()
                    # the reporting verb is the act coded (and dated): "said on Tuesday that … must"
                    out.append(Event(sentence.index, sentence.text, source, target, code, f"{code}.obligation",
                                     tokens[report].start, tokens[report].end, "asserted", why))
    return out


def _quoted_tokens(tokens: list[Token], open_before: bool = False) -> set[int]:
    """Indexes of tokens between paired quotation marks ("…", “…”); with `open_before`, the sentence starts
    inside a quotation that an earlier sentence opened."""
    inside: set[int] = set()
    opened = None
    if open_before:
        close = next((k for k, t in enumerate(tokens) if t.text in ('"', "”")), None)
        if close is None:
            return set(range(len(tokens)))
        inside.update(range(0, close))
        tokens = tokens[:]
        tokens[: close + 1] = [Token("", "", t.start, t.end) for t in tokens[: close + 1]]
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


def _events_for(m: _Match, heads: dict[int, _Match], sentence, tokens, tree: Tree, compiled, context, explain,
                trace: list[str] | None = None) -> list[Event]:
    pattern = m.pattern
    if "ignore" in pattern.flags:
        return _no(trace, m, "a veto pattern (flag ignore)")  # "executed a plan" matches here so that "execute +" cannot
    h = m.tok_start
    lowers = tree.lowers
    why: list[str] = [f"pattern {pattern.id} ({pattern.code}) matched {tokens[h].start}:{tokens[m.tok_end - 1].end}",
                      f"head {tokens[h].text!r}: {tree.tag(h)} {tree.dep(h)} of {tokens[tree.head(h)].text!r}"]
    frame = _framed_by(m, heads, tree, compiled)
    if frame is not None:
        return _no(trace, m, f"framed by {tokens[frame].text!r}: the event that governs it is coded instead")
    modality = tree.modality(h, compiled.refusal_forms)
    code = pattern.code
    if modality == "hypothetical":
        return _no(trace, m, "hypothetical (a modal, a negation or a condition): nothing happened")
    if modality == "future":
        mapped = compiled.rules.get("future_intent", {}).get(code[:2])
        if mapped is None:
            return _no(trace, m, "future tense, and rule future_intent has no code for this root")
        code = code if mapped == "=" else mapped
    elif modality == "negated":
        mapped = compiled.rules.get("negated", {}).get(code[:2])
        if mapped is None:
            return _no(trace, m, "refused, and rule negated has no code for this root")
        code = mapped
    passive = not pattern.is_noun and tree.is_passive(h)
    if pattern.is_noun:
        left = _noun_owner(h, tokens, tree, context)
        if left is None and tree.dep(h) == "obj" and lowers[tree.head(h)] in g.LIGHT_VERBS:
            light = tree.head(h)  # "Italy announced a suspension of air links with Serbia"
            left = _actor_at(tree.subject(light), tokens, tree, context)
        elif (left is None and tree.dep(h) == "obl" and lowers[tree.head(h)] in compiled.reporting_forms
              and any(lowers[c] in g.SETTING_PREPOSITIONS for c in tree.children(h, "case"))):
            # "Zelensky said in a meeting with Honcharuk", "told reporters at talks with Xi": who speaks there took part
            left = _actor_at(tree.subject(tree.head(h)), tokens, tree, context)
    else:
        left = _actor_at(tree.subject(h), tokens, tree, context)
        if left is None and tree.subject(h) is None and _finite(h, tree):
            left = _subject_by_order(h, tree)  # the parse gave the verb no subject at all
            if left is not None:
                why.append("subject by word order: the parse gave the verb none")
    source_group, target_group = left, m.slot
    places = pattern.code[:2] not in compiled.rules.get("no_place_target", ())  # venues of talks are not parties
    judged = pattern.code[:2] in compiled.rules.get("act_agent_roots", ())  # criticising an act is criticising its agent
    if "source_slot" in pattern.flags:
        # "an attack by militants on a police station", "repelled an attack by rebels": the slot is the source
        if m.slot is None:
            return _no(trace, m, "no actor in the source slot")
        after = _object_group(h, m, tokens, tree, context, places, exclude=m.slot, agents_of_acts=judged)
        source_group, target_group = m.slot, after if (after is not None or pattern.is_noun) else left
    elif passive:
        agent = tree.agent(h)
        by = tree.group_for(agent) if agent is not None else None
        patient = tree.passive_subject(h)
        if by is None and agent is None and tree.dep(h) not in ("acl:relcl", "acl", "advcl"):
            # "71 people were arrested": an arrest or a charge with no agent is the article's police or courts
            # (not in a relative or adverbial clause: "her husband, who was arrested in May" is background)
            by = _implied_agent(code, h, tokens, compiled, context)
        if by is None:
            return _no(trace, m, "passive voice without an actor as its 'by' agent")
        target_group = _actor_at(patient, tokens, tree, context) if patient is not None else None
        if patient is not None and (target_group is None or tree.lowers[patient] in compiled.rules.get("people_nouns", ())):
            target_group = _unnamed_people(patient, code, tokens, tree, compiled, context, by, target_group) or target_group
        source_group = by
        why.append("passive voice: source is the 'by' agent (or the article's agency), target the subject")
    elif target_group is None:
        people = compiled.rules.get("people_nouns", ())
        target_group = _object_group(h, m, tokens, tree, context, places, exclude=source_group, agents_of_acts=judged)
        if target_group is None and not tree.objects(h) and not tree.children(h, "xcomp", "ccomp"):
            target_group = _object_by_order(m, tree, exclude=source_group)  # the parse gave the verb no object
            if target_group is not None:
                why.append("target by word order: the parse gave the verb no object")
        if target_group is None and pattern.code[:2] in compiled.rules.get("conditional_target_roots", ()):
            # "threatened to stop talks if the United States goes ahead": the party the condition names
            target_group = _condition_subject(h, tokens, tree, context)
        if target_group is None and source_group is not None:
            target_group = _object_pronoun(tokens, lowers, m.tok_end, source_group, context)
        if target_group is None and source_group is not None and judged:
            target_group = _agent_of_act_named(tree.children(h, "obj"), tokens, tree, compiled, context, source_group)
        if target_group is None and source_group is not None and code in compiled.rules.get("denial_codes", ()):
            # "Iran denied that it had attacked the US base": a denial is about the party its clause names
            own = {a.code for a in source_group.members}
            inside = {k for c in tree.children(h, "ccomp") for k in tree.subtree(c)}
            target_group = next((grp for grp in tree.groups if grp.tok_start in inside
                                 and not any(a.code in own for a in grp.members)), None)
        obj = next(iter(tree.children(h, "obj")), None)
        if source_group is not None and obj is not None and (target_group is None or tree.lowers[obj] in people):
            # "arrested a man", "detained twelve people": unnamed people, coded by the codebook's role for them
            # (before any place the verb names: "arrested a man in Kerala")
            target_group = _unnamed_people(obj, code, tokens, tree, compiled, context, source_group, target_group) or target_group
    audience = compiled.rules.get("audience_roles", ())
    if (target_group is not None and audience and code[:2] == str(compiled.rules.get("statement_code", ""))[:2]
            and all(a.code.endswith(tuple(audience)) for a in target_group.members)):
        # "told reporters", "told Serbian television": who hears a statement is no party to it; what was said
        # is read as reported speech instead
        return _no(trace, m, f"said to an audience ({target_group.members[0].code}), not to a party: the content is read")
    if source_group is None and pattern.is_noun and target_group is not None and len(target_group.members) > 1 and "mutual" in pattern.flags:
        pairs = [(a, b) for a in target_group.members for b in target_group.members if _distinct(a, b)]
        why.append("noun pattern between two actors: both directions")
    elif source_group is None:
        return _no(trace, m, "no actor as subject" + (f" (subject {tokens[tree.subject(h)].text!r})" if tree.subject(h) is not None else ""))
    elif target_group is None:
        mutual = "mutual" in pattern.flags or code.startswith(tuple(compiled.rules.get("compound_mutual_codes", ())))
        if mutual and len(source_group.members) > 1:
            pairs = [(a, b) for a in source_group.members for b in source_group.members if _distinct(a, b)]
            why.append("compound subject with a mutual pattern: both directions")
        elif "no_target" in pattern.flags or code[:2] in compiled.rules.get("target_optional_roots", ()):
            if code[:2] == "01" and tree.dep(h) == "parataxis":
                return _no(trace, m, "the frame of a report (parataxis), not a statement")  # "…, the White House announced"
            pairs = [(a, _implied_target(a, code, compiled, context)) for a in source_group.members]
        else:
            return _no(trace, m, "no actor as object or prepositional object, and this root needs a target")
    else:
        mutual = "mutual" in pattern.flags or code.startswith(tuple(compiled.rules.get("compound_mutual_codes", ())))
        if mutual and m.slot is None and len(source_group.members) > 1 and not passive:
            # "Ethiopia and Eritrea signed a peace agreement in Riyadh": the parties act on each other
            pairs = [(a, b) for a in source_group.members for b in source_group.members if _distinct(a, b)]
        else:
            pairs = [(a, b) for a in source_group.members for b in target_group.members if _distinct(a, b)]
        if not pairs and ("no_target" in pattern.flags or code[:2] in compiled.rules.get("target_optional_roots", ())):
            pairs = [(a, None) for a in source_group.members]  # the only "target" was the source itself
    verb_start, verb_end = tokens[m.tok_start].start, tokens[m.tok_end - 1].end
    if m.slot is not None and m.slot.tok_start < m.tok_end:  # the verb phrase text excludes the slotted actor
        verb_end = tokens[m.slot.tok_start - 1].end if m.slot.tok_start > m.tok_start else verb_end
    out = []
    city_roots = compiled.rules.get("capital_target_roots", ())
    venue_codes = compiled.rules.get("venue_codes", {}).get(code)
    venue = _venue(h, tree, compiled, (source_group, target_group)) if venue_codes else None
    for source, target in pairs:
        pair_code = code
        if venue is not None and target is not None:
            # "met his Russian counterpart in New York" (044), "gathered in Cairo" (Egypt hosts 043, Greece visits 042)
            pair_code = _venue_code(venue_codes, venue, source.code[:3], target.code[:3])
            if explain:
                why.append(f"venue in {venue}: {pair_code} for {source.code} -> {target.code} (rule venue_codes)")
        if target is not None and code[:2] in city_roots and target.entry_ids[-1:] and target.entry_ids[-1].endswith("-gov"):
            # "Russian missiles struck Kyiv": an attacked capital is the country, not its government
            target = target.with_code(target.code[:3])
        reasons = tuple(why + [f"modality {modality}",
                               f"source {source.code} ({', '.join(source.entry_ids)}) {_filled_by(source, tokens, tree)}",
                               f"target {target.code} ({', '.join(target.entry_ids)}) {_filled_by(target, tokens, tree)}"
                               if target is not None else "target none"]) if explain else ()
        out.append(Event(sentence.index, sentence.text, source, target, pair_code, pattern.id, verb_start, verb_end, modality,
                         reasons, _other_clauses(h, tokens, tree)))
    return out


def _by_venue(events: list[Event], tokens, compiled, explain: bool) -> list[Event]:
    """Meetings the sentence places in a city no dictionary names as an actor ("a meeting in New York"): recoded by
    the place's country as `_venue` does for a named one (rule venue_codes), when the place phrase follows the verb,
    a party or a noun of meeting ("talks in Geneva"), not a topic ("discussed the war in Gaza")."""
    table = compiled.rules.get("venue_codes", {})
    out = []
    for e in events:
        action = e.places[0]
        if (e.code not in table or e.target is None or action is None or action.source != "text"
                or not _venue_phrase(e, action.text, tokens, compiled)):
            out.append(e)
            continue
        where = action.place.country
        code = _venue_code(table[e.code], where, compiled.iso3(e.source.code), compiled.iso3(e.target.code))
        why = e.explanation + (f"venue {action.place.name} ({where}): {code} (rule venue_codes)",) if explain else e.explanation
        out.append(replace(e, code=code, explanation=why))
    return out


def _venue_code(codes, venue: str, source: str | None, target: str | None) -> str:
    """The code rule venue_codes gives a meeting at `venue` between parties of countries `source` and `target` (all
    in one coding: CAMEO codes or ISO alpha-3): hosted by the source, a visit to the target, else a third location."""
    third, host, visit = codes
    return host if venue == source else visit if venue == target else third


def _venue_phrase(e: Event, words: str, tokens, compiled) -> bool:
    """Whether the place `words` of event `e` is named by "in/at X" right after its verb, one of its parties or a
    noun of the same root ("a meeting in New York")."""
    first = words.split()[0] if words else ""
    for k in range(2, len(tokens)):
        if tokens[k].text != first or tokens[k - 1].lower not in g.VENUE_PREPOSITIONS:
            continue
        before = k - 2
        if tokens[before].start == e.verb_start or any(
                a is not None and a.tok_start <= before < a.tok_end for a in (e.source, e.target)):
            return True
        if any(p.is_noun and p.code[:2] == e.code[:2] for p in compiled.verb_index.get(tokens[before].lower, ())):
            return True
    return False


def _venue(h: int, tree: Tree, compiled, parties: tuple[Group | None, ...]) -> str | None:
    """The country of the place where the act at h happened, when the sentence names one as its venue ("met … in
    Cairo", "gathered in Moscow to discuss …", "met his counterpart in Paris"): a place phrase of the verb (or of
    the verb its clause depends on, or of a party) that follows the verb or a party, not a topic ("discussed the
    war in Gaza" is no venue)."""
    verbs = (h, tree.head(h)) if tree.dep(h) in ("advcl", "xcomp", "conj") else (h,)
    heads = set(verbs) | {k for grp in parties if grp is not None for k in range(grp.tok_start, grp.tok_end)}
    for k in sorted(c for head in heads for c in tree.children(head, "obl", "nmod")):
        case = next(iter(tree.children(k, "case")), None)
        if case is None or tree.lowers[case] not in g.VENUE_PREPOSITIONS or case == 0:
            continue
        before = case - 1
        if not (before in verbs or any(grp is not None and grp.tok_start <= before < grp.tok_end for grp in parties)):
            continue
        grp = tree.group_for(k)
        if grp is not None and len(grp.members) == 1 and grp.members[0].code[:3] in compiled.country_codes:
            return grp.members[0].code[:3]
    return None


def _filled_by(actor: Actor, tokens, tree: Tree) -> str:
    """Which dependent an actor filled, for `--explain`: "from 'Lavrov' [3], nsubj of 'met'"."""
    span = range(actor.tok_start, actor.tok_end)
    head = next((k for k in span if tree.head(k) not in span or tree.head(k) == k), actor.tok_start)
    how = f" ({actor.resolved_from})" if actor.resolved_from else ""
    return (f"from {tokens[head].text!r} [{head}]{how}, {tree.dep(head)} of {tokens[tree.head(head)].text!r} "
            f"[{tree.head(head)}]")


_CLAUSES = frozenset(["acl", "acl:relcl", "advcl", "ccomp", "csubj", "parataxis", "xcomp"])


def _other_clauses(h: int, tokens, tree: Tree) -> tuple[tuple[int, int], ...]:
    """Character spans of the clauses of the sentence that do not contain token h (relative, adverbial,
    complement and conjoined verb clauses): what they date is not the event at h."""
    spans = []
    for k in range(len(tokens)):
        if k == h or not (tree.dep(k) in _CLAUSES or (tree.dep(k) == "conj" and tree.is_verb(k))):
            continue
        sub = tree.subtree(k)
        if h in sub:
            continue
        spans.append((tokens[sub[0]].start, tokens[sub[-1]].end))
    return tuple(sorted(set(spans)))


def _no(trace: list[str] | None, m: _Match, reason: str) -> list[Event]:
    """No event from match `m`; the reason goes to the trace when one is kept (`--explain`)."""
    if trace is not None:
        trace.append(f"pattern {m.pattern.id} ({m.pattern.code}) at token {m.tok_start}: not coded: {reason}")
    return []


def _framed_by(m: _Match, heads: dict[int, _Match], tree: Tree, compiled) -> int | None:
    """Whether another matched event frames this one: "urged Serbia to withdraw" (the appeal is the event),
    "denied that it had attacked the base" (the denial is), "condemned the attack by Hamas" (the condemnation is)."""
    denials = compiled.rules.get("denial_codes", ())
    h = m.tok_start
    node = h
    for rel, gov in tree.governors(h):
        if gov == h:
            break
        other = heads.get(gov)
        if other is not None and other is not m:
            if other.pattern.code in denials or "ignore" in other.pattern.flags:
                return gov
            if rel in ("xcomp", "obj", "obl", "nmod", "compound", "amod") or (m.pattern.is_noun and not rel.startswith("nsubj")):
                return gov  # (an event noun as the subject is an event of its own: "Israeli airstrikes killed 20")
            if rel in ("advcl", "acl") and _nonfinite(node, tree):
                return gov  # "accused X of killing …", "urged X, to repatriate …": what the event is about
            consequences = compiled.rules.get("consequence_roots", ())
            if (rel == "advcl" and tree.tag(node) == "VBG" and not tree.children(node, "nsubj")
                    and m.pattern.code[:2] in consequences and other.pattern.code[:2] in consequences):
                return gov  # "shelled the city, killing 20": the killing is what the shelling did
            return None  # a finite clausal complement or adverbial clause: its own event ("said Iran attacked …")
        if rel in ("ccomp", "advcl", "parataxis", "conj", "acl:relcl", "root"):
            break  # a new clause: nothing above frames it
        node = gov
    return None


def _nonfinite(k: int, tree: Tree) -> bool:
    """A clause with no subject and no tense of its own, introduced by a preposition or "to" ("of killing",
    "to repatriate"): it names what another act is about, not an act of its own."""
    if tree.children(k, "nsubj", "nsubj:pass", "aux", "aux:pass"):
        return False
    return tree.tag(k) in ("VB", "VBG") and any(tree.lowers[c] in ("to", "of", "for", "from", "by", "in", "into", "against")
                                                  for c in tree.children(k, "mark"))


def _actor_at(k: int | None, tokens, tree: Tree, context: DocumentContext,
              quoted: frozenset[int] | None = None) -> Group | None:
    """The actor group a subject or object token stands for, resolving pronouns, relative pronouns,
    "the group" and "the two leaders" from the sentence and the document context, and "I"/"we" inside a
    quotation to its speaker."""
    if k is None:
        return None
    lowers = tree.lowers
    w = lowers[k]
    if w in g.FIRST_PERSON and context.speaker is not None and (quoted is None or k in quoted):
        grp = context.speaker
        return Group(tuple(Actor(a.code, tokens[k].start, tokens[k].end, k, k + 1, a.entry_ids, a.is_person, "speaker")
                           for a in grp.members), k, k + 1, None)
    if w in g.RELATIVE_PRONOUNS and tree.dep(tree.head(k)) == "acl:relcl":
        k = tree.head(tree.head(k))  # "Hamas, which advocates …": the noun the clause modifies
        w = lowers[k]
    found = tree.group_for(k)
    if found is not None:
        return found
    before = [grp for grp in tree.groups if grp.tok_end <= k]
    if w in g.SUBJECT_PRONOUNS:
        return _pronoun(w, k, tokens, before, context)
    if w in g.OBJECT_PRONOUNS:
        return None
    det = tree.children(k, "det")
    if det and lowers[det[0]] == "the":
        if any(lowers[n] == "two" for n in tree.children(k, "nummod")):
            pair = _the_two(tokens, k, [c for c in before if c.tok_end <= det[0]], context)
            if pair is not None:
                return pair  # "the two leaders signed…": the last two parties named
        if w in g.ANAPHORIC_NOUNS and context.last_thing is not None:
            # "The group accused Israel…", "the kingdom invited…": the last organisation or country
            a = context.last_thing
            return Group((Actor(a.code, tokens[det[0]].start, tokens[k].end, det[0], k + 1, a.entry_ids, False, "context"),),
                         det[0], k + 1, None)
    for c in tree.children(k, "conj"):
        found = tree.group_for(c)
        if found is not None:
            return found  # "Both the council and the government called for …": the conjunct the dictionaries name
    return None


def _object_group(h: int, m: _Match, tokens, tree: Tree, context, places: bool, exclude: Group | None,
                  agents_of_acts: bool = False) -> Group | None:
    """The verb's target: the nearest actor among its objects and prepositional objects (a place only when the
    codebook allows places as targets of this root), searched breadth first down the verb's arguments: the
    pattern's own words first ("promised military aid to Mozambique", "offered to hand over to Britain"), then
    what they govern ("threatened to impose restrictions against German goods"). With `agents_of_acts`, an
    object that names an act leads to its agent ("criticised the tariffs the United States has imposed")."""
    span = range(h, m.tok_end)
    for k in range(h + 1, m.tok_end):  # "expelled the Libyan ambassador": a word of the pattern is the actor
        grp = tree.group_at.get(k)
        if grp is not None and grp is not exclude and not any(a.resolved_from for a in grp.members):
            return grp
    frontier = [k for k in range(m.tok_end - 1, h, -1) if tree.is_verb(k) or tree.is_noun(k)] + [h]
    seen = set(frontier)
    for _ in range(4):
        nxt: list[int] = []
        for node in frontier:
            if tree.is_verb(node) or node == h:
                # its objects, then the infinitives it governs ("threatened to impose restrictions against …"),
                # which the parser may attach as an adverbial clause
                below = tree.objects(node, allow_places=places) + [
                    k for k in tree.children(node, "xcomp", "advcl") if tree.dep(k) == "xcomp" or _nonfinite(k, tree)]
            else:  # inside an object's noun phrase every modifier may name the party: "elections in Iran"
                below = [k for k in tree.children(node, "nmod", "nmod:poss", "appos", "compound", "conj", "acl")
                         if tree.case_of(k) != "by"
                         and (places or tree.case_of(k) not in g.PLACE_PREPOSITIONS or k not in tree.group_at)]
                # (with no places: a place named by "in X" is no party; "progress in cooperation between Tehran and
                # Moscow" is still searched)
                if agents_of_acts:
                    below += _agents_of(node, tree)
            for k in below:
                if k in seen:
                    continue
                seen.add(k)
                nxt.append(k)
                if k in span:
                    if k in tree.group_at and tree.group_at[k] is not exclude:
                        return tree.group_at[k]
                    continue  # a word of the pattern ("aid" of "promised military aid to")
                if tree.lowers[k] in g.OBJECT_PRONOUNS or tree.dep(k) in ("xcomp", "advcl"):
                    continue  # (an object pronoun is resolved by _object_pronoun)
                grp = tree.group_for(k)
                if grp is not None and grp is not exclude:
                    return grp
        frontier = nxt
    # "cracked down on protesters", "expelled the Libyan ambassador to Greece": an actor inside the pattern
    return next((grp for grp in tree.groups if h < grp.tok_start < m.tok_end and grp is not exclude
                 and not any(a.resolved_from for a in grp.members)), None)


def _agent_of_act_named(nouns: list[int], tokens, tree: Tree, compiled, context: DocumentContext,
                        source: Group) -> Group | None:
    """ "condemned the attack", "called the agreement null and void": a definite noun that names an act of a
    root the codebook's noun patterns give it (attack: 19, agreement: 05) refers to the latest event of that root
    coded in the document; its agent is the target (never the source itself)."""
    own = {a.code for a in source.members}
    for k in nouns:
        if not any(tree.lowers[d] == "the" for d in tree.children(k, "det")):
            continue
        roots = {p.code[:2] for p in compiled.verb_index.get(tree.lowers[k], ()) if p.is_noun}
        agent = next((a for root, a in context.acts if root in roots and a.code not in own), None)
        if agent is not None:
            actor = Actor(agent.code, tokens[k].start, tokens[k].end, k, k + 1, agent.entry_ids, agent.is_person, "context")
            return Group((actor,), k, k + 1, None)
    return None


def _agents_of(noun: int, tree: Tree) -> list[int]:
    """Who did what a noun names: the subject of its relative clause ("the tariffs that the United States has
    imposed", not the relative pronoun) and the "by" agent of its participle or of the noun itself ("the raid
    carried out by police", "the attack by Hamas")."""
    out = []
    for c in tree.children(noun, "acl:relcl"):
        out += [k for k in tree.children(c, *SUBJECTS) if tree.lowers[k] not in g.RELATIVE_PRONOUNS]
    for c in tree.children(noun, "acl"):
        out += [k for k in tree.children(c, "obl", "obl:agent", "nmod") if tree.case_of(k) == "by"]
    out += [k for k in tree.children(noun, "nmod") if tree.case_of(k) == "by"]
    return out


def _finite(k: int, tree: Tree) -> bool:
    """A finite verb ("renewed", "uses") or a participle with its auxiliary ("has imposed")."""
    return tree.tag(k) in ("VBD", "VBZ", "VBP") or (tree.tag(k) in ("VBN", "VBG") and bool(tree.children(k, "aux")))


def _subject_by_order(h: int, tree: Tree) -> Group | None:
    """When the parse gives a finite verb no subject (it took the verb for a modifier: "Israel and Lebanon
    renewed negotiations"), the nearest actor group before it, not inside a prepositional phrase, with no other
    finite verb or clause boundary in between."""
    for grp in sorted((g_ for g_ in tree.groups if g_.tok_end <= h), key=lambda g_: -g_.tok_end):
        between = range(grp.tok_end, h)
        if any(_finite(k, tree) or tree.lowers[k] in (";", ":", "that", "which", "who") for k in between):
            return None
        if grp.prep is None and not any(a.resolved_from for a in grp.members):
            return grp
    return None


def _object_by_order(m: _Match, tree: Tree, exclude: Group | None) -> Group | None:
    """When the parse gives the verb no object at all, the first actor group after the pattern, not inside a
    prepositional phrase of place or agency, before any other verb or clause boundary."""
    for grp in sorted((g_ for g_ in tree.groups if g_.tok_start >= m.tok_end), key=lambda g_: g_.tok_start):
        between = range(m.tok_end, grp.tok_start)
        if any(tree.is_verb(k) or tree.lowers[k] in (";", ":", ",", "that", "which", "who", "and") for k in between):
            return None
        if grp is not exclude and grp.prep not in g.NON_TARGET_PREPOSITIONS:
            return grp
    return None


def _implied_target(source: Actor, code: str, compiled, context: DocumentContext) -> Actor | None:
    """The target a codebook rule implies when the text names none (`implied_targets`: a protest with no target
    is against the government of the protesters' country): that country with the rule's role, unless the source
    already holds the role."""
    role = rule_for(compiled.rules.get("implied_targets", {}), code)
    country = source.code[:3] if source.code[:3] in compiled.country_codes else context.home
    if role is None or country is None or source.code == country + role:
        return None  # (role "" is the country itself: a state of emergency is declared on the country)
    return Actor(country + role, source.start, source.end, source.tok_start, source.tok_end,
                 (f"rule:implied_targets:{role}",), False, "context")


def _distinct(a: Actor, b: Actor) -> bool:
    """Whether two actors are two parties: different codes, or two different people of the same code ("Zelensky
    declined Honcharuk's offer": UKRGOV on UKRGOV, as the annotation guide codes it); never an actor and itself."""
    if a.code != b.code:
        return True
    return a.is_person and b.is_person and a.entry_ids[-1] != b.entry_ids[-1]


def _implied_agent(code: str, h: int, tokens, compiled, context: DocumentContext) -> Group | None:
    """The agent of an agentless passive the codebook attributes (rule `agentless_passive`: arrests to police,
    charges to courts): the article's country with that role, when the article has a country."""
    role = rule_for(compiled.rules.get("agentless_passive", {}), code)
    if role is None or context.home is None:
        return None
    actor = Actor(context.home + role, tokens[h].start, tokens[h].end, h, h + 1, (f"rule:agentless_passive:{role}",),
                  False, "context")
    return Group((actor,), h, h + 1, None)


def _unnamed_people(k: int, code: str, tokens, tree: Tree, compiled, context: DocumentContext, source: Group,
                    found: Group | None = None) -> Group | None:
    """ "a man", "twelve people", "them" (when nobody is meant): people the dictionaries cannot name, coded with
    the role the codebook gives such targets of this code (rule `unnamed_people`: arrested people are suspects,
    CRM; people killed are civilians, CVL), and the country the sentence gives them ("20 people in Gaza", `found`),
    else the article's, else the source's."""
    role = rule_for(compiled.rules.get("unnamed_people", {}), code)
    if role is None:
        return None
    if tree.lowers[k] not in compiled.rules.get("people_nouns", ()) and not (
            found is None and rule_for(compiled.rules.get("unknown_names", {}), code) and _unknown_name(k, tokens, tree)):
        return None
    if found is not None and len(found.members) == 1 and found.members[0].resolved_from and found.members[0].code[:3] in compiled.country_codes:
        country = found.members[0].code[:3]
    elif found is not None:
        return found  # a named actor after all
    else:
        country = context.home or next((a.code[:3] for a in source.members if a.code[:3] in compiled.country_codes), None)
    if country is None:
        return None
    actor = Actor(country + role, tokens[k].start, tokens[k].end, k, k + 1, (f"rule:unnamed_people:{role}",), False, "context")
    return Group((actor,), k, k + 1, None)


def _unknown_name(k: int, tokens, tree: Tree) -> bool:
    """Whether token k heads a personal name the dictionaries do not know ("arrested Louis De Zoysa", "pardoned
    Angela Stanton"): two or more capitalised words joined as a name, none of them an actor."""
    name = [k] + [c for c in tree.children(k, "flat", "compound") if tree.tag(c) in ("NNP", "NNPS")]
    return (tree.tag(k) == "NNP" and len(name) >= 2 and all(tokens[c].text[:1].isupper() for c in name)
            and not any(tree.group_for(c, depth=0) for c in name))


def _condition_subject(h: int, tokens, tree: Tree, context) -> Group | None:
    for k in range(len(tree.lowers)):
        if tree.lowers[k] in ("if", "unless") and tree.dep(k) == "mark":
            return _actor_at(tree.subject(tree.head(k)), tokens, tree, context)
    return None


def _noun_owner(h: int, tokens, tree: Tree, context) -> Group | None:
    """The actor of an event noun: "Israeli airstrikes on", "Russia's attack on", "the US-led strikes".

    Not the subject of the sentence: in "Netanyahu found the air strike justified" Netanyahu did not strike.
    """
    for k in tree.children(h, "nmod:poss", "compound", "amod"):
        grp = tree.group_for(k, depth=1)
        if grp is not None:
            return grp
        if tree.lowers[k] in g.POSSESSIVE_PRONOUNS:
            return _pronoun({"its": "it", "their": "they", "his": "he", "her": "she"}[tree.lowers[k]], k, tokens,
                            [c for c in tree.groups if c.tok_end <= k], context)
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
    """ "Lavrov said he…" refers within the sentence; "He also…" to the previous sentences' individual. "she" and
    "he" prefer a person of that gender (`gender.csv`) and never take a person of the other."""
    kind = g.SUBJECT_PRONOUNS[word]
    wanted = {"he": "m", "she": "f"}.get(word)

    def gender(a: Actor) -> str | None:
        return next((context.genders[e.split("@")[0]] for e in a.entry_ids if e.split("@")[0] in context.genders), None)

    def pick(actors: list[Actor]) -> Actor | None:
        """The latest of `actors` (newest last) of the wanted gender, else of unknown gender."""
        if wanted is None:
            return actors[-1] if actors else None
        exact = [a for a in actors if gender(a) == wanted]
        unknown = [a for a in actors if gender(a) is None]
        return (exact or unknown or [None])[-1]

    def at_k(actors) -> Group:
        return Group(tuple(Actor(a.code, tokens[k].start, tokens[k].end, k, k + 1, a.entry_ids, a.is_person, "pronoun")
                           for a in actors), k, k + 1, None)

    if kind == "thing":  # "Hungary has said it will…": only an actor earlier in the same sentence
        local = [grp for grp in before if not grp.in_pp and len(grp.members) == 1 and not grp.members[0].is_person]
        return at_k(local[-1].members) if local else None
    if kind == "plural":
        local = [grp for grp in before if not grp.in_pp and len(grp.members) > 1]
        if local:
            return at_k(local[-1].members)
        return at_k(context.last_plural.members) if context.last_plural is not None else None
    local = [grp.members[0] for grp in before if not grp.in_pp and len(grp.members) == 1 and grp.members[0].is_person]
    found = pick(local)
    if found is None:
        earlier = list(reversed(context.individuals))  # oldest first, newest last
        if context.last_singular is not None and all(a.code != context.last_singular.code for a in earlier):
            earlier.append(context.last_singular)
        found = pick(earlier)
    return at_k((found,)) if found is not None else None


def event_id(doc_id: str, event: Event) -> str:
    """Stable id of a mention: the same document, sentence, verb and tuple always give the same id."""
    key = "\x1f".join(
        [doc_id, str(event.sentence_index), str(event.verb_start), event.source.code, event.target.code if event.target else "", event.code]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:20]
