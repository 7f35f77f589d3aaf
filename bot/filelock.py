"""An exclusive lock on a file, shared by processes and threads.

POSIX record locks (`lockf`), not `flock`: a forked child does not inherit them. With `flock` a
child forked while the lock was held — RQ's scheduler process is forked by the queue worker and
lives as long as it — kept the lock's open file for good, and every other process waited on it
forever. Record locks do not exclude threads of one process, so a thread lock per path does.
"""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path
from typing import TextIO

_thread_locks: dict[str, threading.Lock] = {}
_registry_lock = threading.Lock()


def _thread_lock(path: Path) -> threading.Lock:
    with _registry_lock:
        return _thread_locks.setdefault(str(path.resolve()), threading.Lock())


class FileLock:
    """`with FileLock(path):` — held by one thread of one process at a time."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._handle: TextIO | None = None
        self._threads = _thread_lock(self.path)

    def acquire(self) -> FileLock:
        """Wait for the lock; raises OSError when the lock file cannot be opened."""
        self._threads.acquire()
        try:
            self._handle = open(self.path, "a")  # noqa: SIM115 — closed in release()
            fcntl.lockf(self._handle, fcntl.LOCK_EX)
        except OSError:
            if self._handle is not None:
                self._handle.close()
                self._handle = None
            self._threads.release()
            raise
        return self

    def release(self) -> None:
        """Let the next waiter have it."""
        if self._handle is None:
            raise RuntimeError(f"{self.path}: released without being held")
        try:
            fcntl.lockf(self._handle, fcntl.LOCK_UN)
            self._handle.close()
        finally:
            self._handle = None
            self._threads.release()

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
