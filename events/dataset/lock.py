"""One writer per dataset folder: an advisory lock on `DIR/.events.lock`, held for the whole build.

The lock is the operating system's (`flock`), so it is released on any exit of the process that holds it, a crash
or `kill -9` included, and a stale lock file is never a problem: the file stays, empty, and only the lock on it
counts. A second build into the same folder either waits for the first to finish or stops at once with
`DatasetLocked`, by the caller's choice; two builds never write one dataset at the same time. Reading a dataset
(`verify`, `info`, `export`) takes no lock. Advisory locks need a local file system (or NFS with lock support).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".events.lock"
_HELD: set[int] = set()  # descriptors of the locks this process holds


class DatasetLocked(Exception):
    """Another process holds the dataset's lock and the caller chose not to wait."""


@contextmanager
def dataset_lock(out: Path, wait: bool = False, on_wait: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Hold the write lock of the dataset folder `out` (created if needed) for the duration of the block.

    When another process holds it: with `wait`, block until it is released (after calling `on_wait(lock_path)`, e.g.
    to tell the user); without, raise `DatasetLocked` at once.
    """
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise DatasetLocked(f"{out}: another build is writing this dataset (it holds {path}); wait for it "
                                    "to finish, or run again with --wait to wait for it") from None
            if on_wait is not None:
                on_wait(path)
            fcntl.flock(fd, fcntl.LOCK_EX)
        _HELD.add(fd)
        yield path
    finally:
        _HELD.discard(fd)
        os.close(fd)  # closing the descriptor releases the lock


def forget_inherited_locks() -> None:
    """In a forked worker: close the lock descriptors inherited from the parent, so a worker that outlives a killed
    parent cannot keep the dataset locked (closing a copy does not release the parent's lock)."""
    for fd in sorted(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


__all__ = ["LOCK_NAME", "DatasetLocked", "dataset_lock", "forget_inherited_locks"]
