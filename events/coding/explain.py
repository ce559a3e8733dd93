"""Human-readable trace of how the coder read a text: tokens with their tags and tree, dictionary matches,
actors, verb patterns, the events coded and why the other matched patterns were not.

Used by `events code --explain`; it runs the coder's own steps, so what it shows is what the coder saw.
"""

from __future__ import annotations

import datetime as dt

from events.coding import actors, coder
from events.codebook.compiler import CompiledCodebook
from events.coding.text import Budget, split_sentences, tokenize


def explain_text(text: str, day: dt.date, compiled: CompiledCodebook) -> str:
    lines: list[str] = []
    # the article's country, as the coder finds it before reading the first sentence (bare "police", agentless
    # passives)
    context = actors.DocumentContext(home=coder.plan_home(text, compiled, day), genders=compiled.gender)
    if context.home is not None:
        lines.append(f"article country (for bare agents and agentless passives): {context.home}")
    budget = Budget()
    coded: list = []
    for sentence in split_sentences(text):
        reason = budget.check(sentence)
        tokens = tokenize(sentence.text) if reason is None else []
        reason = reason or budget.check(sentence, tokens)
        if reason is not None:
            lines.append(f"sentence {sentence.index}: {sentence.text[:200]}{'…' if len(sentence.text) > 200 else ''}")
            lines.append(f"  not coded: {reason} (the coder's budget for one sentence)")
            continue
        lines.append(f"sentence {sentence.index}: {sentence.text}")
        if not tokens:
            continue
        tree = coder.parse_if_coded(sentence, tokens, compiled, day, context)
        if tree is not None:
            lines.append("  tokens (index text tag relation→head):")
            for k, t in enumerate(tokens):
                head = tree.heads[k]
                lines.append(f"    {k:3d} {t.text:<18} {tree.tags[k]:<5} {tree.deps[k]}→{head} {tokens[head].text if head != k else ''}")
        else:
            lines.append("  tokens: " + " ".join(t.text for t in tokens))
            lines.append("  not parsed: no actor it names or can refer back to, or no verb pattern matches its words in order")
        phrases, discarded = coder._phrases(tokens, compiled, day)
        if discarded:
            lines.append("  a discard phrase matched: no event is coded from this sentence")
        for p in phrases:
            surface = sentence.text[tokens[p.tok_start].start : tokens[p.tok_end - 1].end]
            entries = ", ".join(f"{e.entry_id}={e.code}" for e in p.entries)
            note = " (no entry valid on this date)" if p.kind == "inactive" else ""
            lines.append(f"  {p.kind}: {surface!r} -> {entries}{note}")
        found = actors._compose_actors(tokens, phrases, compiled, actors.DocumentContext(**vars(context)))
        for group in actors._group(tokens, found, compiled):
            members = " + ".join(f"{m.code} {sentence.text[m.start:m.end]!r}" + (f" ({m.resolved_from})" if m.resolved_from else "")
                                 for m in group.members)
            lines.append(f"  actor group [tokens {group.tok_start}-{group.tok_end - 1}]: {members}")
        heads = [t for t in tokens if t.lower in compiled.verb_index]
        if heads:
            lines.append("  verb heads: " + ", ".join(f"{t.text} ({len(compiled.verb_index[t.lower])} patterns)" for t in heads))
        trace: list[str] = []
        for event in coder.code_sentence(sentence, compiled, day, context, explain=True, trace=trace, parse=tree):
            coded.append(event)
            lines.append(f"  EVENT {event.source.code} -> {event.target.code if event.target else '-'} {event.code}: "
                         + "; ".join(event.explanation))
        lines.extend(f"  {line}" for line in trace)
    # what the coder decides over the whole document once every sentence is read
    for before, after in zip(coded, coder.same_meeting(coded, compiled, explain=True)):
        if after.code != before.code:
            lines.append(f"document: sentence {after.sentence_index}: {after.source.code} -> {after.target.code} "
                         f"{before.code} becomes {after.code}: {after.explanation[-1]}")
    return "\n".join(lines)
