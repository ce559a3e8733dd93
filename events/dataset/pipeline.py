"""Code a batch of documents into Arrow tables: a pure function of (documents, compiled codebook).

This is the unit of parallel work: `--jobs` maps it over batches in worker processes, and a distributed
engine can map it over a cluster, because it reads nothing and depends on nothing but its arguments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

import pyarrow as pa

from events.dataset.aggregate import global_event_id
from events.coding.coder import CODER_VERSION, Event, code_texts, event_id
from events.coding.text import normalise_for_dedup
from events.codebook.compiler import CompiledCodebook
from events.coding.dates import DATELINE_WINDOW, DateResolution, DateResolver
from events.coding.places import Located, actor_country_place, locate_dateline
from events.ingest.documents import Document
from events.dataset.schema import arrow_schema


@dataclass(frozen=True)
class BatchResult:
    mentions: pa.Table
    documents: pa.Table
    sentences: int
    over_budget: int = 0  # sentences not coded: over the coder's budget (`text.sentence_budget`)


@cache
def _resolver() -> DateResolver:
    """One date resolver (and its parse cache) per process."""
    return DateResolver()


def code_batch(documents: list[Document], compiled: CompiledCodebook) -> BatchResult:
    resolver = _resolver()
    mention_rows: list[dict] = []
    document_rows: list[dict] = []
    total_sentences = over_budget = 0
    label = compiled.label
    for doc, (sentences, events, reference, skipped, dateline) in zip(documents, code_documents(documents, compiled, resolver)):
        total_sentences += len(sentences)
        over_budget += skipped
        rows = dated_rows(doc, events, compiled, resolver, label, reference, sentences, dateline)
        mention_rows.extend(rows)
        document_rows.append(
            {
                "doc_id": doc.id,
                "pub_date": doc.pub_date,
                "source": doc.source,
                "url": doc.url,
                "title": doc.title,
                "input_file": doc.input_file,
                "input_line": doc.line,
                "num_sentences": len(sentences),
                "num_chars": len(doc.text),
                "num_mentions": len(rows),
            }
        )
    return BatchResult(
        pa.Table.from_pylist(mention_rows, schema=arrow_schema("mentions")),
        pa.Table.from_pylist(document_rows, schema=arrow_schema("documents")),
        total_sentences,
        over_budget,
    )


def code_document(doc: Document, compiled: CompiledCodebook, resolver: DateResolver, explain: bool = False,
                  dated: bool = True):
    """Sentences, events, the reference date, the number of sentences over the budget and the place of the dateline
    (None without one) of one document."""
    return code_documents([doc], compiled, resolver, explain, dated)[0]


def code_documents(docs: list[Document], compiled: CompiledCodebook, resolver: DateResolver, explain: bool = False,
                   dated: bool = True) -> list[tuple]:
    """(sentences, events, reference date, sentences over budget, dateline place) of each document, parsed in one
    batch.

    A dateline ("MOSCOW, July 3 (Reuters) -") is blanked out before coding, so its city is not taken for an
    actor, its date becomes the reference date for relative expressions ("on Tuesday"), and its place places the
    events whose sentences name none.
    """
    texts, references, datelines = [], [], []
    for doc in docs:
        start = _body_start(doc)
        line = resolver.dateline(doc.text[start : start + DATELINE_WINDOW], doc.pub_date)
        texts.append((doc.text if line is None else doc.text[:start] + " " * line.end + doc.text[start + line.end :],
                      doc.pub_date if dated else None, doc.title))
        references.append(line.reference_date(doc.pub_date) if line else doc.pub_date)
        datelines.append(line.text if line is not None and line.place else None)
    coded = code_texts(texts, compiled, explain=explain)
    return [(sentences, events, reference, skipped, dateline_place(line, compiled))
            for (sentences, events, skipped), reference, line in zip(coded, references, datelines)]


def dateline_place(line: str | None, compiled: CompiledCodebook) -> Located | None:
    """The place a dateline names ("GAZA CITY (AP) —"), or None."""
    if line is None or compiled.gazetteer is None:
        return None
    return locate_dateline(line, compiled.gazetteer.get(), ())


GEO_FIELDS = ("type", "name", "country", "adm1", "lat", "lon", "feature_id")


def geo_columns(event: Event, dateline: Located | None, compiled: CompiledCodebook) -> dict:
    """The action_geo_*, source_geo_* and target_geo_* columns of a mention: the action's place is the one the
    sentence gives; else the dateline's; else (`actor`) the place the sentence gives its source actor, else the
    country all of the event's actors belong to."""
    action, source, target = event.places
    if action is None:
        action = dateline
    if action is None and source is not None:  # "Kyiv said", "police in Minneapolis said": where the text puts its source
        action = Located(source.place, "actor", source.text, f"the source actor's place {source.text!r}")
    if action is None and compiled.gazetteer is not None:
        action = actor_country_place((event.source, event.target), compiled)
    out = {"action_geo_source": action.source if action else None, "action_geo_text": action.text if action else None}
    for prefix, located in (("action", action), ("source", source), ("target", target)):
        place = located.place if located is not None else None
        for name in GEO_FIELDS:
            out[f"{prefix}_geo_{name}"] = None if place is None else (
                place.geo_type if name == "type" else getattr(place, name))
    return out


def actor_name(entry_ids, code: str, compiled: CompiledCodebook) -> str | None:
    """The canonical name (first name) of the dictionary entry that best names an actor: an actor entry whose code
    is the actor's code; else the actor entry whose code is the longest prefix of it (the country of "Iran's foreign
    minister", IRNGOV); else the first actor entry; else the first agent noun. None when no entry is known.

    Entries are the actor's `entry_ids` (ids of actor and agent entries), in the order the coder recorded them.
    """
    best, best_rank = None, None
    for position, entry_id in enumerate(entry_ids):
        known = compiled.entries.get(entry_id)
        if known is None:
            continue
        name, entry_code, is_agent = known
        rank = (not is_agent, entry_code == code, len(entry_code) if code.startswith(entry_code) else 0, -position)
        if best_rank is None or rank > best_rank:
            best, best_rank = name, rank
    return best


def lead_index(doc: Document, sentences) -> int:
    """Index of the story's lead: its first sentence that is not the headline repeated."""
    title = normalise_for_dedup(doc.title) if doc.title else None
    for s in sentences:
        key = normalise_for_dedup(s.text)
        if key and key != title:
            return s.index
    return 0


def _body_start(doc: Document) -> int:
    """Offset after a first line that repeats the title, where a dateline would stand."""
    if not doc.title:
        return 0
    stripped = doc.text.lstrip()
    first, _, _ = stripped.partition("\n")
    if first.strip() != doc.title.strip():
        return 0
    offset = len(doc.text) - len(stripped) + len(first) + 1
    return min(offset, len(doc.text))


def resolve_date(event: Event, pub_date: dt.date, resolver: DateResolver, anchor: DateResolution | None) -> DateResolution:
    """The event's date: its own clause's expression, else the date of the story's lead, else publication."""
    if event.modality == "future":
        return DateResolution(pub_date, "day", "publication", None, None)
    found = resolver.resolve(event.sentence, (event.verb_start, event.verb_end), pub_date, event.other_clauses)
    if found.source == "publication" and anchor is not None:
        return DateResolution(anchor.date, anchor.precision, "context", anchor.text, None)
    return found


def dated_rows(doc: Document, events: list[Event], compiled: CompiledCodebook, resolver: DateResolver, label: str,
               reference: dt.date | None = None, sentences=(), dateline: Located | None = None) -> list[dict]:
    """Mention rows with dates. An event the text does not date takes the day its story's lead (the first of
    `sentences` that is not the headline) gives, else the dateline's or publication date; a month or a year ("in
    January") dates only its own event and never spreads to other sentences.

    Relative expressions are read against the document's dateline date when it has one, else its publication date.
    """
    lead = lead_index(doc, sentences)
    starts = {s.index: s.start for s in sentences}
    rows = []
    anchor: DateResolution | None = None
    max_age = compiled.rules.get("max_event_age_days")
    reference = reference or doc.pub_date
    for event in events:
        when = resolve_date(event, reference, resolver, anchor)
        if when.source == "publication" and when.date != doc.pub_date:
            when = DateResolution(when.date, when.precision, "dateline", when.text, when.span)  # "JEDDAH, March 11 -"
        if (when.source == "text" and anchor is None and event.modality == "asserted" and when.precision == "day"
                and event.sentence_index == lead):
            anchor = when
        if max_age is not None and (doc.pub_date - when.date).days > max_age:
            continue  # a historical retrospective, not news
        row = mention_row(doc, event, when, compiled, label, starts.get(event.sentence_index, 0), event.sentence_index == lead)
        row.update(geo_columns(event, dateline, compiled))
        rows.append(row)
    return rows


PLOVER_COLUMNS = ("plover_event", "plover_mode", "plover_context")


def mention_row(doc: Document, event: Event, when: DateResolution, compiled: CompiledCodebook, label: str,
                sentence_start: int = 0, in_lead: bool = False) -> dict:
    etype = compiled.event_type(event.code)
    s, t = event.source, event.target
    text = event.sentence
    return {
        "event_id": event_id(doc.id, event),
        "global_event_id": global_event_id(when.date, s.code, t.code if t else None, event.code),
        "doc_id": doc.id,
        "sentence_index": event.sentence_index,
        "sentence_start": sentence_start,
        "in_lead": in_lead,
        "event_date": when.date,
        "date_precision": when.precision,
        "date_source": when.source,
        "date_text": when.text,
        "pub_date": doc.pub_date,
        "doc_source": doc.source,
        "source_actor": s.code,
        "source_name": actor_name(s.entry_ids, s.code, compiled),
        "source_iso3": compiled.iso3(s.code),
        "target_actor": t.code if t else None,
        "target_name": actor_name(t.entry_ids, t.code, compiled) if t else None,
        "target_iso3": compiled.iso3(t.code) if t else None,
        "event_code": event.code,
        "event_label": etype.name,
        "event_base_code": etype.base_code,
        "event_root_code": etype.root_code,
        "quad_class": etype.quad_class,
        "goldstein": etype.goldstein,
        **dict(zip(PLOVER_COLUMNS, compiled.plover_of(event.code))),
        "modality": event.modality,
        "sentence_text": text,
        "source_text": text[s.start : s.end],
        "source_start": s.start,
        "source_end": s.end,
        "target_text": text[t.start : t.end] if t else None,
        "target_start": t.start if t else None,
        "target_end": t.end if t else None,
        "verb_text": text[event.verb_start : event.verb_end],
        "verb_start": event.verb_start,
        "verb_end": event.verb_end,
        "pattern_id": event.pattern_id,
        "source_entries": list(s.entry_ids),
        "target_entries": list(t.entry_ids) if t else None,
        "source_resolution": s.resolved_from or None,
        "codebook_version": label,
    }


def code_text(text: str, date: dt.date, compiled: CompiledCodebook | None = None, *, title: str | None = None,
              explain: bool = False, dated: bool = True) -> list[dict]:
    """Code one text published on `date` and return its mention rows (with an `explanation` when asked).

    `dated=False` is for texts whose real publication date is unknown (reference sets): `date` then only
    anchors relative date expressions, and each name in the dictionaries takes its most recent role.

    Loads and compiles the bundled codebook and parser when none is given, which takes a moment: pass a compiled
    codebook when coding many texts.
    """
    if compiled is None:
        from events.codebook.loader import load_codebook
        from events.codebook.compiler import compile_codebook
        from events.coding.parse import load_parser

        compiled = compile_codebook(load_codebook(), load_parser())
    doc = Document("text", text, date, title, None, None, "<text>", 1)
    sentences, events, reference, _, dateline = code_document(doc, compiled, _resolver(), explain, dated)
    rows = dated_rows(doc, events, compiled, _resolver(), compiled.label, reference, sentences, dateline)
    if explain:
        by_id = {event_id(doc.id, e): e.explanation for e in events}
        for row in rows:
            row["explanation"] = list(by_id.get(row["event_id"], ()))
            if row["action_geo_source"] in ("dateline", "actor"):
                row["explanation"].append(f"place: {row['action_geo_name']} ({row['action_geo_country']}) from the "
                                          f"{row['action_geo_source']} {row['action_geo_text']!r}, the sentence names no place")
    return rows


__all__ = ["BatchResult", "code_batch", "code_text", "dated_rows", "CODER_VERSION"]
