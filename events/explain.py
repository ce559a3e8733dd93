"""Human-readable trace of how the coder read a text: tokens, dictionary matches, actors and verb patterns.

Used by `events code --explain`; it re-runs the coder's own steps, so what it shows is what the coder saw.
"""

from __future__ import annotations

import datetime as dt

from events import actors, coder
from events.compiler import CompiledCodebook
from events.text import split_sentences, tokenize


def explain_text(text: str, day: dt.date, compiled: CompiledCodebook) -> str:
    lines: list[str] = []
    context = actors.DocumentContext()
    for sentence in split_sentences(text):
        tokens = tokenize(sentence.text)
        lines.append(f"sentence {sentence.index}: {sentence.text}")
        lines.append("  tokens: " + " ".join(f"{t.text}[{t.start}]" for t in tokens))
        phrases, discarded = actors._match_phrases(tokens, compiled, day)
        if discarded:
            lines.append("  a discard phrase matched: no event is coded from this sentence")
        for p in phrases:
            surface = sentence.text[tokens[p.tok_start].start : tokens[p.tok_end - 1].end]
            entries = ", ".join(f"{e.entry_id}={e.code}" for e in p.entries)
            note = " (no entry valid on this date)" if p.kind == "inactive" else ""
            lines.append(f"  {p.kind}: {surface!r} -> {entries}{note}")
        found = actors._compose_actors(tokens, phrases, compiled, context)
        for group in actors._group(tokens, found, compiled):
            members = " + ".join(f"{m.code} {sentence.text[m.start:m.end]!r}" for m in group.members)
            lines.append(f"  actor group: {members}{' (in a prepositional phrase: not a subject)' if group.in_pp else ''}")
        heads = [t for t in tokens if t.lower in compiled.verb_index]
        if heads:
            lines.append("  verb heads: " + ", ".join(f"{t.text}[{t.start}] ({len(compiled.verb_index[t.lower])} patterns)" for t in heads))
        coder.code_sentence(sentence, compiled, day, context)
    return "\n".join(lines)
