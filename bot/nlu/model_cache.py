"""A fitted model kept on disk under a fingerprint of what it was fitted from.

Every web worker, queue worker and command needs the danger and group signals; fitting them
takes seconds of CPU (about 4 s alone, 15 s and more when four workers start together beside
Rasa), and messages wait meanwhile. The first process fits and writes the model; the others wait
for it (a file lock) and load it in a fraction of a second. A change to the training data, the
code that fits it or the library versions changes the fingerprint, so a stale model is never
loaded: it is fitted again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from bot.filelock import FileLock

log = logging.getLogger(__name__)

T = TypeVar("T")
# What an unreadable, truncated or incompatible pickle raises on load.
_UNLOADABLE = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError)


def fingerprint(files: Iterable[Path], *versions: str) -> str:
    """A digest of the files' names and bytes and of the given version strings."""
    digest = hashlib.sha256()
    for part in (sys.version, *versions):
        digest.update(part.encode("utf-8") + b"\0")
    for path in sorted(Path(file) for file in files):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def load_or_build(name: str, key: str, build: Callable[[], T], cache_dir: Path) -> T:
    """The object cached as `name-key.pickle` in cache_dir, built (once across processes) if missing."""
    path = cache_dir / f"{name}-{key}.pickle"
    lock = FileLock(cache_dir / f"{name}.lock")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire()  # one process fits while the others wait here, then read what it wrote
    except OSError as error:
        log.warning("model cache %s unusable (%s); fitting %s in this process", cache_dir, error, name)
        return build()
    try:
        cached = _load(path)
        if cached is not None:
            return cached
        built = build()
        _store(path, built)
        _remove_stale(cache_dir, name, keep=path)
        return built
    finally:
        lock.release()


def _load(path: Path):
    try:
        with path.open("rb") as file:
            return pickle.load(file)  # our own file, written by _store below
    except FileNotFoundError:
        return None
    except _UNLOADABLE as error:
        log.warning("cached model %s unreadable (%s); fitting it again", path.name, error)
        return None


def _store(path: Path, value) -> None:
    # Written beside its final name and renamed: a reader never sees half a file.
    partial = None
    try:
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.stem, delete=False) as file:
            partial = Path(file.name)
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, path)
    except (OSError, pickle.PicklingError) as error:
        log.warning("could not cache %s (%s); the next process fits it again", path.name, error)
        if partial is not None:
            partial.unlink(missing_ok=True)


def _remove_stale(cache_dir: Path, name: str, keep: Path) -> None:
    for old in cache_dir.glob(f"{name}-*.pickle"):
        if old != keep:
            old.unlink(missing_ok=True)
