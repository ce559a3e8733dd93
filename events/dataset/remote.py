"""Inputs and outputs named by fsspec URLs: `memory://…`, `s3://bucket/…` (with s3fs), `gs://…`, any filesystem fsspec knows.

A plain path and a `file://` URL are local: they are used in place, as always. For other URLs a build works through
a local working folder (a temporary folder, deleted afterwards):

* a URL input (a file, or a folder searched like a local one) is copied into it before the build: the build hashes
  every input before it codes any, as it does for local files. The dataset names the input by its URL, and a file
  found in a URL folder by the folder's URL and its path inside it.
* a URL output: the dataset already there (if any) is copied into the working folder, built or extended there
  exactly as a local one, and then every file whose content changed is uploaded, the files the build removed are
  deleted, and `manifest.json` is uploaded last, so a reader never sees a manifest that names a file not yet there.
  With a URL output, local inputs are named by their absolute path (a path relative to a temporary folder would
  change on every run).

The dataset's lock (`events.dataset.lock`) is an advisory lock of the local file system: a build into a URL takes no
lock on the remote store, so two builds into one URL at the same time would overwrite each other's files. Run one
at a time (a scheduler's job dependency, or one build job per dataset). A build that dies before the upload leaves
the remote dataset as it was; one that dies during the upload leaves the old manifest, which `events verify` (on a
copy) reports against the new files, and running the same build again repairs it.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from events.dataset.engines import MISSING_DASK, EngineError


def is_url(value) -> bool:
    """A name with a protocol other than file://, which fsspec opens.

    >>> is_url("s3://bucket/news.jsonl"), is_url("memory://x"), is_url("file:///data/x.jsonl"), is_url("data/x.jsonl")
    (True, True, False, False)
    """
    text = str(value)
    return "://" in text and not text.startswith("file://")


def local(value) -> Path:
    """A plain path or a file:// URL as a local path.

    >>> local("file:///data/news%20a.jsonl"), local("corpus/x.jsonl")
    (PosixPath('/data/news a.jsonl'), PosixPath('corpus/x.jsonl'))
    """
    text = str(value)
    return Path(unquote(urlsplit(text).path)) if text.startswith("file://") else Path(value)


def _filesystem(url: str):
    try:
        import fsspec
    except ImportError:
        raise EngineError(MISSING_DASK.replace("the dask engine", f"{url}: a URL")) from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:  # a protocol whose package is missing (s3fs, gcsfs …), a bad URL
        raise EngineError(f"{url}: cannot open this URL ({str(exc).strip().splitlines()[0]})") from None


def _download(fs, root: str, target: Path) -> bool:
    """Copy the file or folder `root` of `fs` to `target`; False when it does not exist."""
    if fs.isfile(root):
        target.parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(root, str(target))
        return True
    found = fs.find(root)
    for path in sorted(found):
        rel = path[len(root.rstrip("/")) + 1:]
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        fs.get_file(path, str(target / rel))
    return bool(found)


def build_with_urls(run, inputs: list, out, **options):
    """`events.dataset.builder.build` for inputs or an output named by URLs, through a local working folder."""
    with tempfile.TemporaryDirectory(prefix="events-build-") as tmp:
        work = Path(tmp)
        names: dict[Path, str] = {}
        local_inputs = []
        for number, name in enumerate(inputs):
            if is_url(name):
                fs, root = _filesystem(str(name))
                copy = work / "inputs" / str(number) / (root.rstrip("/").rpartition("/")[2] or "input")
                if not _download(fs, root, copy):
                    from events.ingest.documents import InputError

                    raise InputError(f"{name}: no such file or folder")
                names[copy.resolve()] = str(name).rstrip("/")
                local_inputs.append(copy)
            else:
                path = local(name)
                if is_url(out):
                    names[path.resolve()] = path.resolve().as_posix()
                local_inputs.append(path)
        if not is_url(out):
            return run(local_inputs, local(out), names=names, **options)
        fs, root = _filesystem(str(out))
        dataset = work / "dataset"
        _download(fs, root, dataset)
        before = _outputs(dataset)
        report = run(local_inputs, dataset, names=names, **options)
        _upload(dataset, fs, root.rstrip("/"), before)
        report.out = str(out).rstrip("/")
        return report


def _outputs(dataset: Path) -> dict[str, str]:
    """The dataset's files and their sha256, as its manifest lists them ({} without one)."""
    try:
        manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
        return {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _upload(dataset: Path, fs, root: str, before: dict[str, str]) -> None:
    from events.dataset.builder import BUILD_NOTES

    after = _outputs(dataset)
    for rel in sorted(after):
        if before.get(rel) != after[rel]:
            fs.makedirs(f"{root}/{rel}".rpartition("/")[0], exist_ok=True)
            fs.put_file(str(dataset / rel), f"{root}/{rel}")
    for rel in sorted(set(before) - set(after)):
        if fs.exists(f"{root}/{rel}"):
            fs.rm_file(f"{root}/{rel}")
    for rel in (BUILD_NOTES, "manifest.json"):  # the manifest last
        if (dataset / rel).is_file():
            fs.put_file(str(dataset / rel), f"{root}/{rel}")


__all__ = ["is_url", "local", "build_with_urls"]
