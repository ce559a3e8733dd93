"""Command line: a thin layer that parses options, calls the Python API and renders its reports.

One error handler (`_Main.invoke`) turns every known failure into a one-line message (no traceback) and one of
the exit codes below, which the README lists; commands only raise or return.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import sys
from pathlib import Path

import click

from events import __version__

# Exit codes (README, "Exit codes"): each kind of outcome has its own.
EXIT_OK = 0
EXIT_REJECTED = 1  # records rejected under --strict; a threshold asked for not met (--min-f1, --check-bump)
EXIT_USAGE = 2  # usage or input error: a bad option, an input that does not exist, --out that is a file
EXIT_DATASET = 3  # dataset or codebook problem: verify or validate found problems, a damaged or incompatible dataset
EXIT_SYSTEM = 4  # the system refused: disk full, permission denied, read-only file system, a cluster out of reach
EXIT_LOCKED = 5  # another build is writing the dataset (build without --wait)
EXIT_INTERNAL = 70  # a bug: please report it (EVENTS_DEBUG=1 shows the traceback)
EXIT_INTERRUPTED = 130  # Ctrl-C


class _Failure(click.ClickException):
    """A known failure: its message (one line; a codebook's errors add one line each) and its exit code."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


_KNOWN_ERRORS = {"DatasetLocked": EXIT_LOCKED, "InputError": EXIT_USAGE, "GoldFormatError": EXIT_USAGE,
                 "BuildError": EXIT_DATASET, "CodebookError": EXIT_DATASET, "InfoError": EXIT_DATASET,
                 "ExportError": EXIT_DATASET, "ParserError": EXIT_DATASET, "ReportError": EXIT_SYSTEM,
                 "EngineError": EXIT_SYSTEM}


def _exit_code_of(exc: BaseException) -> int | None:
    """The exit code of a known error, or None for an unexpected one. Known errors are our own exception classes,
    recognised by name without importing their modules (the handler must work even when a dependency is missing)."""
    for cls in type(exc).__mro__:
        if cls.__module__.startswith("events") and cls.__name__ in _KNOWN_ERRORS:
            return _KNOWN_ERRORS[cls.__name__]
    if isinstance(exc, OSError):
        return EXIT_SYSTEM
    if _is_data_file_error(exc):
        return EXIT_DATASET
    return None


def _is_data_file_error(exc: BaseException) -> bool:
    """pyarrow's and polars' errors come from reading a data file (a damaged or foreign Parquet file)."""
    module = type(exc).__module__ or ""
    return module.startswith(("pyarrow", "polars"))


def _os_message(exc: OSError) -> str:
    """'path: what the system said' and, for the usual cases, what to do."""
    where = f"{exc.filename}: " if exc.filename else ""
    hints = {errno.ENOSPC: "free some space and run the command again (a build never leaves half a dataset behind; "
                           "`events verify` checks it)",
             errno.EACCES: "check the permissions of the folder, or choose another --out",
             errno.EPERM: "check the permissions of the folder, or choose another --out",
             errno.EROFS: "the file system is read-only; choose another --out"}
    hint = hints.get(exc.errno)
    return f"{where}{exc.strerror or exc}" + (f"; {hint}" if hint else "")


class _Main(click.Group):
    """The `events` group, with the single error handler of the command line."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            # a command that wraps a known error itself (`raise ClickException(str(e)) from e`) still gets its exit code
            cause = exc.__cause__
            if exc.exit_code == 1 and cause is not None and (code := _exit_code_of(cause)) is not None:
                exc.exit_code = code
            raise
        except (click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise _Failure("interrupted (Ctrl-C); a build in progress leaves the dataset as it was", EXIT_INTERRUPTED) from None
        except BrokenPipeError:  # "events … | head": the reader has what it wanted
            sys.stderr.close()
            sys.exit(EXIT_OK)
        except Exception as exc:
            code = _exit_code_of(exc)
            if code is None:
                if os.environ.get("EVENTS_DEBUG"):
                    raise
                raise _Failure(f"internal error ({type(exc).__name__}: {exc}); this is a bug, please report it "
                               "with the output of the same command run with EVENTS_DEBUG=1", EXIT_INTERNAL) from None
            if isinstance(exc, OSError) and not _is_data_file_error(exc):
                message = _os_message(exc)
            elif _is_data_file_error(exc):
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                message = f"cannot read a data file ({first}); `events verify DIR` checks the dataset"
            else:
                message = str(exc)
            raise _Failure(message, code) from None


def _codebook_option(f):
    return click.option(
        "--codebook",
        "codebook_path",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Codebook folder (default: the bundled CAMEO codebook).",
    )(f)


def _parser():
    from events.coding.parse import load_parser

    return load_parser()


def _load(codebook_path):
    from events.codebook.loader import load_codebook

    return load_codebook(codebook_path)


def _render_problems(as_dict: dict, problems, summary: str, ok: bool, as_json: bool) -> None:
    """Print a report of problems (as JSON, or one `path:line: [CODE] message` a line and a summary) and exit."""
    if as_json:
        click.echo(json.dumps(as_dict, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(summary, err=not ok)
    sys.exit(EXIT_OK if ok else EXIT_DATASET)


def _size(value: str) -> int:
    """Bytes from '4M', '512K', '1G' or a number of bytes.

    >>> _size("4M"), _size("512k"), _size("1000")
    (4194304, 524288, 1000)
    """
    text = str(value).strip().upper().removesuffix("B").removesuffix("I")
    factor = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    if not number.isdigit() or int(number) * factor < 1:
        raise ValueError(value)
    return int(number) * factor


class _SizeType(click.ParamType):
    name = "SIZE"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        try:
            return _size(value)
        except ValueError:
            self.fail(f"{value!r} is not a size: a number of bytes, or with K, M or G (e.g. 4M)", param, ctx)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="events")
def main() -> None:
    """Code news text into CAMEO events and build Parquet event datasets."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--out", "-o", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Dataset folder to write or extend (a path, or an fsspec URL such as s3://bucket/dataset).")
@_codebook_option
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: number of cores); with --engine dask, the workers of the LocalCluster it starts.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where batches are coded: this machine's processes, or a Dask cluster (needs events-coder[dask]). "
              "The dataset is the same bytes either way.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="With --engine dask: the address of a running Dask scheduler (tcp://host:8786); without it a "
              "LocalCluster is started for the build.")
@click.option("--rebuild", is_flag=True, help="Recode every named input from scratch (needed after a codebook change); "
              "inputs only in the old dataset are dropped.")
@click.option("--id-col", default="id", show_default=True, help="Field or column holding the document id.")
@click.option("--text-col", default="text", show_default=True, help="Field or column holding the text.")
@click.option("--date-col", default="date", show_default=True, help="Field or column holding the publication date.")
@click.option("--strict", is_flag=True, help="Exit 1 when any input record read on this run is rejected.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--max-record-size", "max_record_bytes", type=_SizeType(), default="4M", show_default=True,
              help="Largest record read (a JSONL line, a CSV record, a text file, a Parquet row's text); larger ones are "
              "rejected (IN009) without being held in memory.")
@click.option("--wait/--no-wait", default=False, show_default=True,
              help="When another build is writing the same --out: wait for it to finish, or stop at once (exit 5).")
def build(inputs, out, codebook_path, jobs, engine, scheduler, rebuild, id_col, text_col, date_col, strict, quiet, max_record_bytes, wait):
    """Code INPUTS into a dataset in --out, or extend the dataset there.

    INPUTS are JSONL (.jsonl, .jsonl.gz), CSV (.csv, .csv.gz) or Parquet document tables, folders of .txt
    documents, or folders searched recursively for all of these. Re-running over an existing dataset codes
    only new or changed inputs and keeps the rest, including inputs not named this time.
    """
    from events.dataset.builder import build as run_build
    from events.dataset.engines import engine as make_engine
    from events.ingest.documents import Columns

    if scheduler is not None and engine != "dask":
        raise click.UsageError("--scheduler is for the dask engine: add --engine dask")
    coder = make_engine(engine, jobs=jobs, scheduler=scheduler)
    codebook = _load(codebook_path)
    bar = None
    if not quiet and sys.stderr.isatty():
        from events.dataset.progress import ProgressBar

        bar = ProgressBar(sys.stderr, note=coder.status)

    def waiting(lock):
        click.echo(f"waiting for the build that holds {lock} to finish…", err=True)

    columns = Columns(id=id_col, text=text_col, date=date_col)
    try:
        report = run_build(list(inputs), out, codebook=codebook, parser=_parser(), progress=bar, rebuild=rebuild,
                           columns=columns, max_record_bytes=max_record_bytes, wait=wait, on_wait=waiting, engine=coder)
    finally:
        if bar is not None:
            bar.close()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not quiet:
        click.echo(report.summary())
        click.echo(f"  codebook: {codebook.label}")
        click.echo(f"  load it:  polars.scan_parquet('{str(report.out).rstrip('/')}/events/**/*.parquet', hive_partitioning=True)")
    if strict and report.new_rejects:
        click.echo(f"error: {report.new_rejects} record(s) rejected (--strict); see {report.out}/rejected.jsonl", err=True)
        sys.exit(EXIT_REJECTED)


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify(dataset, as_json):
    """Re-check DATASET against its manifest: sizes, sha256, rows, schemas, missing and extra files."""
    from events.dataset.verify import verify as run_verify

    report = run_verify(dataset)
    _render_problems(report.to_dict(), report.problems, report.summary(), report.ok, as_json)


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many event roots to list.")
def info(dataset, as_json, top):
    """Show what DATASET holds: codebook, counts per table and year, top event roots."""
    from events.dataset.info import info as run_info, render_info

    summary = run_info(dataset, _root_labels(), top=top)
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False) if as_json else render_info(summary))


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--out", "-o", "target", required=True, type=click.Path(path_type=Path), help="HTML file to write.")
@click.option("--events", "max_events", type=click.IntRange(min=0), default=200, show_default=True,
              help="How many events (those with most mentions) to list with their sentences.")
def report(dataset, target, max_events):
    """Write one self-contained HTML page showing DATASET: charts, coverage, and events with their sentences."""
    from events.dataset.report import report as run_report

    summary = run_report(dataset, target, _root_labels(), max_events=max_events)
    size = target.stat().st_size
    click.echo(f"report of {summary['totals'].get('events', 0):,} events written to {target} ({size / 1e6:.1f} MB)", err=True)


def _root_labels() -> dict[str, str]:
    """CAMEO root labels from the bundled codebook (labels only: an unreadable codebook gives none)."""
    from events.codebook.records import read_codebook

    try:
        types = read_codebook().event_types
    except Exception:  # labels are a convenience; info must work whatever state the codebook is in
        return {}
    return {code: t.name for code, t in types.items() if len(code) == 2}


@main.command()
@click.argument("dataset", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["gdelt", "gdelt-mentions", "plover"]), default="gdelt",
              show_default=True, help="gdelt: GDELT 2.0 event table, 61 tab-separated columns; gdelt-mentions: GDELT 2.0 "
              "Mentions table, 16 columns, one line per mention (no header unless --header); plover: one PLOVER record "
              "(JSON, POLECAT's field names) a line per event PLOVER has a type for.")
@click.option("--out", "-o", "target", required=True, help="File to write ('-' for standard output).")
@click.option("--header", is_flag=True, help="Write a first line with the column names (tab-separated formats).")
def export(dataset, fmt, target, header):
    """Write DATASET's events (or mentions) table in another tool's layout."""
    from events.dataset.export import export as run_export

    report = run_export(dataset, target, fmt, header=header)  # (a closed pipe, "| head", ends it quietly)
    if target != "-":
        click.echo(f"{report.rows:,} {'mentions' if fmt == 'gdelt-mentions' else 'events'} written to {report.out} ({fmt})", err=True)


@main.command()
@click.argument("text")
@click.option("--date", "date_", required=True, help="Publication date, YYYY-MM-DD.")
@_codebook_option
@click.option("--json", "as_json", is_flag=True, help="Print the mention rows as JSON.")
@click.option("--explain", is_flag=True, help="Also show tokens, actor matches and why each event was coded.")
def code(text, date_, codebook_path, as_json, explain):
    """Code one TEXT and print its events (with what matched)."""
    from events.codebook.compiler import compile_codebook
    from events.dataset.pipeline import code_text

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
        from events.coding.explain import explain_text

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
        if row["action_geo_type"] is not None:
            click.echo(f"    where: {row['action_geo_name']} ({row['action_geo_country']}, type {row['action_geo_type']}), "
                       f"from the {row['action_geo_source']}: {row['action_geo_text']!r}")
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
    from events.codebook.validate import validate_codebook

    report = validate_codebook(path)
    ok = report.ok(strict)
    summary = (f"{report.path}: {report.name} {report.version}: {len(report.errors)} error(s), "
               f"{len(report.warnings)} warning(s): {'ok' if ok else 'FAILED'}")
    _render_problems(report.to_dict(), report.problems, summary, ok, as_json)


@codebook.command("release")
@click.argument("path", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--date", "date_", default=None, help="Release date, YYYY-MM-DD (default: today).")
@click.option("--force", is_flag=True, help="Record the files again under a version that was already released with other content.")
def codebook_release(path, date_, force):
    """Release the codebook at PATH as the version in its codebook.toml.

    Sets `released` in codebook.toml (date-dependent checks count from it) and records the version and the files'
    content hash in release.toml, so datasets label their rows name@version; a codebook whose files differ from
    what its version was released with labels them name@version+hash.
    """
    from events.codebook.records import read_codebook, release_codebook
    from events.codebook.validate import validate_codebook

    try:
        day = dt.date.fromisoformat(date_) if date_ else dt.date.today()
    except ValueError as exc:
        raise click.BadParameter(f"{date_!r} is not a date (YYYY-MM-DD)", param_hint="--date") from exc
    report = validate_codebook(path)
    if report.errors:
        for problem in report.errors:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{path}: {len(report.errors)} error(s); fix them before releasing")
    before = read_codebook(path)
    if before.release and before.release.get("version") == before.version and before.unreleased and not force:
        raise click.ClickException(
            f"{path}: version {before.version} was already released with other files; bump the version in codebook.toml "
            f"(`events codebook diff OLD NEW` says by how much) and add its CHANGELOG entry, or use --force if that "
            "release was never published")
    released = release_codebook(path, day)
    click.echo(f"{path}: {released.name} {released.version} released on {day.isoformat()} "
               f"(content {released.content_hash[:12]}); rows will be labelled {released.label}")


@codebook.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--check-bump", is_flag=True, help="Exit non-zero when NEW's version is smaller than the changes require.")
def codebook_diff(old, new, as_json, check_bump):
    """List entries added, removed and changed from OLD to NEW, and the semver bump that requires."""
    from events.codebook.diff import diff_codebooks

    report = diff_codebooks(old, new)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        for problem in report.unreadable:
            click.echo(problem, err=True)
        for change in report.changes:
            click.echo(str(change))
        click.echo(report.summary())  # always stdout, so a script can read it; the exit code says pass or fail
    sys.exit(EXIT_OK if report.ok(check_bump) else EXIT_REJECTED)


@main.command()
@click.argument("gold", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (with every document's tuples).")
@_codebook_option
@click.option("--min-f1", type=click.FloatRange(0, 1), default=None, help="Exit non-zero when F1 at --level is below this.")
@click.option("--level", type=click.Choice(["root", "dyad", "full"]), default="dyad", show_default=True,
              help="Level for --min-f1 and for the list of wrong documents.")
def evaluate(gold, as_json, codebook_path, min_f1, level):
    """Score the coder against GOLD files (JSONL records or *.txt fixtures, or folders of them)."""
    from events.codebook.compiler import compile_codebook
    from events.evaluate import evaluate as run_evaluate, read_gold

    records = read_gold(gold)
    report = run_evaluate(records, compile_codebook(_load(codebook_path), _parser()))
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.render(level))
    if min_f1 is not None and report.f1(level) < min_f1:
        click.echo(f"error: {level} F1 {report.f1(level):.3f} is below --min-f1 {min_f1}", err=True)
        sys.exit(EXIT_REJECTED)


if __name__ == "__main__":  # pragma: no cover
    main()
