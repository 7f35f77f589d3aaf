"""The journal of last resort: a local append-only file for messages that neither the database
nor Redis would take. Replayed at start and by the sweep; nothing is acknowledged as saved
unless it is in one of the three."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from bot.filelock import FileLock
from bot.inbound import Inbound

log = logging.getLogger(__name__)
JOURNAL_NAME = "inbound.jsonl"


class Journal:
    """Append-only lines of JSON under one directory, shared by every process through a file lock."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / JOURNAL_NAME
        self.lock_path = self.directory / f"{JOURNAL_NAME}.lock"
        self.listeners: list[Callable[[], None]] = []

    def on_append(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after every message written (the web process replays them soon)."""
        self.listeners.append(listener)

    def append(self, inbound: Inbound) -> None:
        """Write the message and fsync it; raises OSError when the disk will not take it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(dataclasses.asdict(inbound), ensure_ascii=False) + "\n"
        with self._locked():
            with open(self.path, "a", encoding="utf-8") as journal:
                journal.write(line)
                journal.flush()
                os.fsync(journal.fileno())
        for listener in self.listeners:
            listener()

    def pending(self) -> int:
        """How many messages wait in the journal."""
        if not self.path.exists():
            return 0
        with open(self.path, encoding="utf-8") as journal:
            return sum(1 for line in journal if line.strip())

    def replay(self, store: Callable[[Inbound | None, str], bool]) -> int:
        """Hand every journalled message to `store(inbound, raw_line)`, oldest first; those it
        does not accept (returns False) stay in the journal. Returns how many were accepted."""
        if not self.path.exists():
            return 0
        with self._locked():
            lines = [line for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
            kept, accepted = [], 0
            for index, line in enumerate(lines):
                try:
                    inbound = Inbound(**json.loads(line))
                except (ValueError, TypeError):
                    inbound = None  # a torn or foreign line: `store` sets it aside as a dead letter
                if store(inbound, line):
                    accepted += 1
                    continue
                kept = lines[index:]  # the database is down again: keep the rest in order
                break
            self._rewrite(kept)
        return accepted

    def _rewrite(self, lines: list[str]) -> None:
        # Write the remainder beside the journal and rename it over: a crash leaves one or the other whole.
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as journal:
            journal.writelines(line + "\n" for line in lines)
            journal.flush()
            os.fsync(journal.fileno())
        os.replace(temporary, self.path)

    def _locked(self) -> FileLock:
        self.directory.mkdir(parents=True, exist_ok=True)
        return FileLock(self.lock_path)
