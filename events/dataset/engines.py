"""Where a build codes its batches: in this process and its worker processes (`local`), or on a Dask cluster (`dask`).

An engine does one thing: it maps the pure function `events.dataset.pipeline.code_batch` (a batch of documents, the
compiled codebook → Arrow tables) over the batches the builder reads, and yields the results **in the order of the
batches**, keeping a bounded number in flight. Everything else stays with the builder in this process: reading the
inputs, rejects, the shards, the events table, the manifest. So the dataset is the same bytes whichever engine
coded it, with any number of workers.

`local` (the default) uses `--jobs` worker processes on this machine. `dask` (needs the `dask` extra:
`pip install 'events-coder[dask]'`) starts a `distributed.LocalCluster` with one single-threaded worker process
a core (or `--jobs` of them), or connects to a running scheduler (`--scheduler tcp://host:8786`). Each Dask worker
compiles the codebook once: a task names it by its folder (None: the codebook shipped in the package) and content
hash, and the worker loads the folder, checks the hash, loads the parser model shipped in the package, checks its
hash too, and the package's behaviour versions, and keeps the compiled codebook for the next tasks
(`_compiled_on_worker`). A worker lost mid-build is
replaced by Dask and its batches run again elsewhere (Dask's `distributed.scheduler.allowed-failures`, 3 by
default); a batch gives the same table wherever it runs.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from events.codebook.compiler import CompiledCodebook
from events.codebook.records import Codebook
from events.coding.parse import Parser
from events.ingest.documents import Document

MISSING_DASK = "the dask engine needs Dask and fsspec: pip install 'events-coder[dask]'"


class EngineError(Exception):
    """The engine cannot run: Dask missing, a scheduler that cannot be reached, a worker that codes differently."""


class Engine(Protocol):
    """What the builder asks of an engine."""

    name: str

    def open(self, codebook: Codebook, parser: Parser, compiled: CompiledCodebook) -> None:
        """Get ready to code with this codebook and parser (start workers, connect to a cluster)."""

    def map(self, batches: Iterable[list[Document]]) -> Iterator:
        """`pipeline.code_batch` of each batch, in the order of the batches, a bounded number in flight."""

    def status(self) -> str:
        """A few words for the progress bar ('2 workers'), or ''."""

    def describe(self) -> dict:
        """What `events info` shows of the engine that built a dataset."""

    def close(self) -> None:
        """Stop what `open` started."""


# -- local ---------------------------------------------------------------------------------------------
_WORKER_CODEBOOK: CompiledCodebook | None = None


def _init_worker(compiled: CompiledCodebook) -> None:
    global _WORKER_CODEBOOK
    _WORKER_CODEBOOK = compiled


def _start_worker(compiled: CompiledCodebook | None) -> None:
    """In each worker process: Ctrl-C is the parent's to handle (no traceback per worker), the parent's dataset lock
    is not held by the worker, and the compiled codebook is installed unless the fork inherited it."""
    import signal

    from events.dataset.lock import forget_inherited_locks

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    forget_inherited_locks()
    if compiled is not None:
        _init_worker(compiled)


def _work(batch: list[Document]):
    from events.dataset.pipeline import code_batch

    assert _WORKER_CODEBOOK is not None
    return code_batch(batch, _WORKER_CODEBOOK)


def ordered_map(function, items: Iterable, executor: cf.Executor | None, window: int) -> Iterator:
    """`map` over a pool that keeps at most `window` items in flight and yields results in input order.

    `Executor.map` submits every item at once, which would read a whole corpus into memory; this does not.

    >>> list(ordered_map(abs, [-1, 2, -3], None, 2))
    [1, 2, 3]
    """
    if executor is None:
        yield from map(function, items)
        return
    yield from _in_order((executor.submit(function, item) for item in items), window)


def _in_order(futures: Iterator, window: int) -> Iterator:
    """The results of `futures` (anything with `.result()`), in order, with at most `window` of them started."""
    pending: deque = deque()
    for future in futures:
        pending.append(future)
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class LocalEngine:
    """This process, and `jobs` worker processes when `jobs` > 1 (default: one a core)."""

    name = "local"

    def __init__(self, jobs: int | None = None):
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.executor: cf.Executor | None = None

    def open(self, codebook: Codebook, parser: Parser, compiled: CompiledCodebook) -> None:
        _init_worker(compiled)
        if self.jobs > 1:
            # Forked workers inherit the compiled codebook from this process; other start methods receive a copy.
            context = mp.get_context()
            inherited = context.get_start_method() == "fork"
            if inherited:
                from events.coding.dates import warm_up

                warm_up()  # forked workers inherit the loaded date parser
            self.executor = cf.ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker,
                                                   initargs=(None if inherited else compiled,))
            if inherited:
                _fork_now(self.executor)

    def map(self, batches: Iterable[list[Document]]) -> Iterator:
        # looked up at call time, so that a test can replace the work function
        return ordered_map(globals()["_work"], batches, self.executor, 2 * self.jobs)

    def status(self) -> str:
        return ""

    def describe(self) -> dict:
        return {"engine": self.name, "workers": self.jobs}

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None


def _fork_now(executor: cf.ProcessPoolExecutor) -> None:
    """Fork the pool's workers now (a fork pool forks them all at its first task), with Ctrl-C held back until they
    exist: a KeyboardInterrupt raised inside the interpreter's fork handlers prints a stray traceback ("Exception
    ignored in _releaseLock") instead of the one-line message. A Ctrl-C meanwhile arrives right after."""
    import signal

    held = hasattr(signal, "pthread_sigmask")
    if held:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        executor.submit(int)  # a task that does nothing: the forks happen inside submit
    finally:
        if held:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


# -- dask ----------------------------------------------------------------------------------------------
_ON_WORKER: dict[tuple, CompiledCodebook] = {}  # (codebook folder, codebook hash, parser hash, versions) -> compiled


def versions() -> tuple[tuple[str, str], ...]:
    """The package's version and its behaviour versions (text, compiler, coder, dates): what must match between the
    client and every worker, besides the codebook and the parser, for a batch to give the same rows anywhere."""
    from events import __version__
    from events.coding.coder import CODER_VERSION
    from events.coding.dates import DATES_VERSION
    from events.coding.text import TEXT_VERSION
    from events.codebook.compiler import COMPILER_VERSION

    return (("events", __version__), ("text", TEXT_VERSION), ("compiler", COMPILER_VERSION), ("coder", CODER_VERSION),
            ("dates", DATES_VERSION))


def _compiled_on_worker(folder: str | None, codebook_hash: str, parser_hash: str, client_versions: tuple) -> CompiledCodebook:
    """The compiled codebook, compiled on this worker at its first task and kept for the next ones."""
    key = (folder, codebook_hash, parser_hash, client_versions)
    if key not in _ON_WORKER:
        from events.codebook.compiler import compile_codebook
        from events.codebook.loader import load_codebook
        from events.coding.parse import load_parser

        if (mine := versions()) != tuple(map(tuple, client_versions)):
            differ = ", ".join(f"{a[0]} {a[1]} here, {b[1]} on the client" for a, b in zip(mine, client_versions) if a != tuple(b))
            raise EngineError(f"a Dask worker runs another events ({differ}): install the same version on every worker")
        where = folder or "the codebook shipped in the package"
        codebook = load_codebook(folder)
        if codebook.content_hash != codebook_hash:
            raise EngineError(f"a Dask worker reads a different codebook at {where} (content {codebook.content_hash[:12]}, "
                              f"not {codebook_hash[:12]}): every worker needs the same codebook folder and events version")
        parser = load_parser()
        if parser.content_hash != parser_hash:
            raise EngineError(f"a Dask worker has another parser model (content {parser.content_hash[:12]}, not "
                              f"{parser_hash[:12]}): install the same events version on every worker")
        _ON_WORKER.clear()
        _ON_WORKER[key] = compile_codebook(codebook, parser)
    return _ON_WORKER[key]


def _code_on_worker(folder: str | None, codebook_hash: str, parser_hash: str, client_versions: tuple,
                    batch: list[Document]):
    from events.dataset.pipeline import code_batch

    return code_batch(batch, _compiled_on_worker(folder, codebook_hash, parser_hash, client_versions))


class DaskEngine:
    """A Dask cluster: the one at `scheduler` (an address such as `tcp://host:8786`), or a `LocalCluster` of `workers`
    single-threaded worker processes (default: one a core) started for the build and stopped after it."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None, timeout: float | None = None):
        self.scheduler, self.timeout = scheduler, timeout
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.client = self.cluster = None
        self.spec: tuple | None = None
        self._asked, self._status = float("-inf"), ""

    def open(self, codebook: Codebook, parser: Parser, compiled: CompiledCodebook) -> None:
        try:
            import distributed
        except ImportError:
            raise EngineError(MISSING_DASK) from None
        from events.resources import default_codebook_path

        bundled = Path(codebook.path).resolve() == default_codebook_path().resolve()
        # the shipped codebook is named by None: each worker finds it in its own installation of the package
        self.spec = (None if bundled else str(Path(codebook.path).resolve()), codebook.content_hash, parser.content_hash,
                     versions())
        if self.scheduler is None:
            import logging

            self.cluster = distributed.LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                    dashboard_address=None, silence_logs=logging.ERROR)
            self.client = distributed.Client(self.cluster)
            return
        try:
            # without a timeout, Dask's own: distributed.comm.timeouts.connect (30 s unless configured)
            self.client = distributed.Client(self.scheduler, **({} if self.timeout is None else {"timeout": self.timeout}))
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EngineError(f"cannot reach the Dask scheduler at {self.scheduler} ({reason}); start one with "
                              "`dask scheduler`, or check the address") from None

    def _threads(self) -> int:
        workers = self.client.scheduler_info()["workers"] if self.client is not None else {}
        return sum(w.get("nthreads", 1) for w in workers.values()) or 1

    def map(self, batches: Iterable[list[Document]]) -> Iterator:
        """Submit batches to the cluster, two per worker thread in flight (at least four), results in order."""
        client, spec = self.client, self.spec
        futures = (client.submit(_code_on_worker, *spec, batch, pure=False) for batch in batches)
        return _in_order(futures, max(4, 2 * self._threads()))

    def status(self) -> str:
        """The cluster's size for the progress bar ('2 workers'), asked of the scheduler at most once a second."""
        import time

        if self.client is None:
            return ""
        if time.monotonic() - self._asked >= 1.0:
            self._asked = time.monotonic()
            count = len(self.client.scheduler_info()["workers"])
            self._status = f"{count} worker{'s' if count != 1 else ''}"
        return self._status

    def describe(self) -> dict:
        workers = self.client.scheduler_info()["workers"] if self.client is not None else {}
        return {"engine": self.name, "scheduler": self.scheduler or "LocalCluster", "workers": len(workers),
                "threads": sum(w.get("nthreads", 1) for w in workers.values())}

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


def engine(name: str = "local", *, jobs: int | None = None, scheduler: str | None = None,
           timeout: float | None = None) -> LocalEngine | DaskEngine:
    """The engine called `name` ('local' or 'dask'); `jobs` is its number of workers (default: one a core)."""
    if name == "local":
        if scheduler is not None:
            raise EngineError("--scheduler is for the dask engine: add --engine dask")
        return LocalEngine(jobs)
    if name == "dask":
        return DaskEngine(scheduler, jobs, timeout)
    raise EngineError(f"unknown engine {name!r}: local or dask")


__all__ = ["Engine", "EngineError", "LocalEngine", "DaskEngine", "engine", "ordered_map"]
