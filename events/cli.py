"""Command line: a thin layer that parses options, calls the Python API and renders its reports."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from events import __version__


def _codebook_option(f):
    return click.option(
        "--codebook",
        "codebook_path",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Codebook folder (default: the bundled CAMEO codebook).",
    )(f)


def _parser():
    from events.parse import ParserError, load_parser

    try:
        return load_parser()
    except ParserError as exc:
        raise click.ClickException(str(exc)) from exc


def _load(codebook_path):
    from events.codebook import CodebookError, load_codebook

    try:
        return load_codebook(codebook_path)
    except CodebookError as exc:
        raise click.ClickException(str(exc)) from exc


def _render_problems(as_dict: dict, problems, summary: str, ok: bool, as_json: bool) -> None:
    """Print a report of problems (as JSON, or one `path:line: [CODE] message` a line and a summary) and exit."""
    if as_json:
        click.echo(json.dumps(as_dict, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(summary, err=not ok)
    sys.exit(int(not ok))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="events")
def main() -> None:
    """Code news text into CAMEO events and build Parquet event datasets."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=Path), help="Dataset folder to write or extend.")
@_codebook_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: number of cores).")
@click.option("--rebuild", is_flag=True, help="Recode every named input from scratch (needed after a codebook change); "
              "inputs only in the old dataset are dropped.")
@click.option("--id-col", default="id", show_default=True, help="Field or column holding the document id.")
@click.option("--text-col", default="text", show_default=True, help="Field or column holding the text.")
@click.option("--date-col", default="date", show_default=True, help="Field or column holding the publication date.")
@click.option("--strict", is_flag=True, help="Exit non-zero when any input record read on this run is rejected.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def build(inputs, out, codebook_path, jobs, rebuild, id_col, text_col, date_col, strict, quiet):
    """Code INPUTS into a dataset in --out, or extend the dataset there.

    INPUTS are JSONL (.jsonl, .jsonl.gz), CSV (.csv, .csv.gz) or Parquet document tables, folders of .txt
    documents, or folders searched recursively for all of these. Re-running over an existing dataset codes
    only new or changed inputs and keeps the rest, including inputs not named this time.
    """
    from events.builder import BuildError, build as run_build
    from events.ingest import Columns, InputError

    codebook = _load(codebook_path)
    bar = None
    if not quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit=" docs", file=sys.stderr, dynamic_ncols=True)
    totals = {"sentences": 0, "mentions": 0}

    def progress(docs, sentences, mentions, rejected):
        totals["sentences"] += sentences
        totals["mentions"] += mentions
        rate = totals["sentences"] / max(bar.format_dict["elapsed"], 1e-9)
        bar.set_postfix_str(f"{rate:,.0f} sentences/s, {totals['mentions']:,} mentions, {rejected:,} rejected", refresh=False)
        bar.update(docs)

    columns = Columns(id=id_col, text=text_col, date=date_col)
    try:
        report = run_build(list(inputs), out, codebook=codebook, parser=_parser(), jobs=jobs, progress=progress if bar is not None else None,
                           rebuild=rebuild, columns=columns)
    except (InputError, BuildError) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        if bar is not None:
            bar.close()
    if not quiet:
        click.echo(report.summary())
        click.echo(f"  codebook: {codebook.name} {codebook.version}")
        click.echo(f"  load it:  polars.scan_parquet('{out}/events/**/*.parquet', hive_partitioning=True)")
    if strict and report.new_rejects:
        click.echo(f"error: {report.new_rejects} record(s) rejected (--strict); see {out / 'rejected.jsonl'}", err=True)
        sys.exit(1)


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(dataset, as_json):
    """Re-check DATASET against its manifest: sizes, sha256, rows, schemas, missing and extra files."""
    from events.verify import verify as run_verify

    report = run_verify(dataset)
    _render_problems(report.to_dict(), report.problems, report.summary(), report.ok, as_json)


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many event roots to list.")
def info(dataset, as_json, top):
    """Show what DATASET holds: codebook, counts per table and year, top event roots."""
    from events.info import InfoError, info as run_info, render_info

    try:
        summary = run_info(dataset, _root_labels(), top=top)
    except InfoError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False) if as_json else render_info(summary))


def _root_labels() -> dict[str, str]:
    """CAMEO root labels from the bundled codebook (labels only: an unreadable codebook gives none)."""
    from events.codebook import read_codebook

    try:
        types = read_codebook().event_types
    except Exception:  # labels are a convenience; info must work whatever state the codebook is in
        return {}
    return {code: t.name for code, t in types.items() if len(code) == 2}


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["gdelt"]), default="gdelt", show_default=True,
              help="gdelt: GDELT 2.0 event table, 61 tab-separated columns, no header.")
@click.option("--out", "-o", "target", required=True, help="File to write ('-' for standard output).")
@click.option("--header", is_flag=True, help="Write a first line with the column names.")
def export(dataset, fmt, target, header):
    """Write DATASET's events table in another tool's layout."""
    from events.export import ExportError, export as run_export

    try:
        report = run_export(dataset, target, fmt, header=header)
    except BrokenPipeError:  # "events export … --out - | head": the reader has what it wanted
        sys.stderr.close()
        sys.exit(0)
    except (ExportError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if target != "-":
        click.echo(f"{report.rows:,} events written to {report.out} ({fmt})", err=True)


@main.command()
@click.argument("text")
@click.option("--date", "date_", required=True, help="Publication date, YYYY-MM-DD.")
@_codebook_option
@click.option("--json", "as_json", is_flag=True, help="Print the mention rows as JSON.")
@click.option("--explain", is_flag=True, help="Also show tokens, actor matches and why each event was coded.")
def code(text, date_, codebook_path, as_json, explain):
    """Code one TEXT and print its events (with what matched)."""
    from events.compiler import compile_codebook
    from events.pipeline import code_text

    try:
        day = dt.date.fromisoformat(date_)
    except ValueError as exc:
        raise click.BadParameter(f"{date_!r} is not a date (YYYY-MM-DD)", param_hint="--date") from exc
    compiled = compile_codebook(_load(codebook_path), _parser())
    rows = code_text(text, day, compiled, explain=True)
    if as_json:
        click.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return
    if explain:
        from events.explain import explain_text

        click.echo(explain_text(text, day, compiled))
    if not rows:
        click.echo("no events")
    for row in rows:
        target = row["target_actor"] or "-"
        click.echo(f"{row['source_actor']} -> {target}  {row['event_code']}  {row['event_date']}  "
                   f"({row['date_source']}{': ' + row['date_text'] if row['date_text'] else ''})")
        click.echo(f"    sentence {row['sentence_index']}: source {row['source_text']!r} [{', '.join(row['source_entries'])}]"
                   f"  verb {row['verb_text']!r} [{row['pattern_id']}]"
                   + (f"  target {row['target_text']!r} [{', '.join(row['target_entries'])}]" if row["target_actor"] else ""))
        if explain:
            for line in row.get("explanation", []):
                click.echo(f"      {line}")


@main.group()
def codebook():
    """Validate and compare codebooks."""


@codebook.command("validate")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--strict", is_flag=True, help="Warnings fail too.")
def codebook_validate(path, as_json, strict):
    """Check the codebook at PATH (default: the bundled one); list every problem as file:line."""
    from events.validate import validate_codebook

    report = validate_codebook(path)
    ok = report.ok(strict)
    summary = (f"{report.path}: {report.name} {report.version}: {len(report.errors)} error(s), "
               f"{len(report.warnings)} warning(s): {'ok' if ok else 'FAILED'}")
    _render_problems(report.to_dict(), report.problems, summary, ok, as_json)


@codebook.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--check-bump", is_flag=True, help="Exit non-zero when NEW's version is smaller than the changes require.")
def codebook_diff(old, new, as_json, check_bump):
    """List entries added, removed and changed from OLD to NEW, and the semver bump that requires."""
    from events.diff import diff_codebooks

    report = diff_codebooks(old, new)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for problem in report.unreadable:
            click.echo(problem, err=True)
        for change in report.changes:
            click.echo(str(change))
        click.echo(report.summary())  # always stdout, so a script can read it; the exit code says pass or fail
    sys.exit(int(not report.ok(check_bump)))


@main.command()
@click.argument("gold", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (with every document's tuples).")
@_codebook_option
@click.option("--min-f1", type=click.FloatRange(0, 1), default=None, help="Exit non-zero when F1 at --level is below this.")
@click.option("--level", type=click.Choice(["root", "dyad", "full"]), default="dyad", show_default=True,
              help="Level for --min-f1 and for the list of wrong documents.")
def evaluate(gold, as_json, codebook_path, min_f1, level):
    """Score the coder against GOLD files (JSONL records or *.txt fixtures, or folders of them)."""
    from events.compiler import compile_codebook
    from events.evaluate import GoldFormatError, evaluate as run_evaluate, read_gold

    try:
        records = read_gold(gold)
    except GoldFormatError as exc:
        raise click.ClickException(str(exc)) from exc
    report = run_evaluate(records, compile_codebook(_load(codebook_path), _parser()))
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.render(level))
    if min_f1 is not None and report.f1(level) < min_f1:
        click.echo(f"error: {level} F1 {report.f1(level):.3f} is below --min-f1 {min_f1}", err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
