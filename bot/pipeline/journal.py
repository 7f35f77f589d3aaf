"""The journal of last resort: a local append-only file for messages that neither the database
nor Redis would take. Replayed by the web process within seconds of the database's return, at
start and by the sweep; nothing is acknowledged as saved unless it is in one of the three."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path

from bot.filelock import FileLock
from bot.wechat.inbound import Inbound

log = logging.getLogger(__name__)
JOURNAL_NAME = "inbound.jsonl"
# Each line names the service it belongs to: several services started from one checkout (a test
# run, a benchmark, a second instance) share var/journal, and one must never store another's
# messages in its own database. Lines without it (older journals) belong to whoever replays them.
OWNER_FIELD = "journal_owner"


def owner_of(database_url: str, key_prefix: str) -> str:
    """The journal's name for one service: its database and Redis key prefix, hashed."""
    return hashlib.sha256(f"{database_url}|{key_prefix}".encode()).hexdigest()[:16]


class Journal:
    """Append-only lines of JSON under one directory, shared by every process through a file lock."""

    def __init__(self, directory: Path, owner: str = "") -> None:
        self.directory = Path(directory)
        self.owner = owner
        self.path = self.directory / JOURNAL_NAME
        self.lock_path = self.directory / f"{JOURNAL_NAME}.lock"
        self.listeners: list[Callable[[], None]] = []

    def on_append(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after every message written (the web process replays them soon)."""
        self.listeners.append(listener)

    def append(self, inbound: Inbound) -> None:
        """Write the message and fsync it; raises OSError when the disk will not take it."""
        self.directory.mkdir(parents=True, exist_ok=True)
        record = dataclasses.asdict(inbound)
        if self.owner:
            record[OWNER_FIELD] = self.owner
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._locked():
            with open(self.path, "a", encoding="utf-8") as journal:
                journal.write(line)
                journal.flush()
                os.fsync(journal.fileno())
        for listener in self.listeners:
            listener()

    def pending(self) -> int:
        """How many of this service's messages wait in the journal."""
        if not self.path.exists():
            return 0
        with open(self.path, encoding="utf-8") as journal:
            return sum(1 for line in journal if line.strip() and self._is_mine(line))

    def replay(self, store: Callable[[Inbound | None, str], bool]) -> int:
        """Hand every message of this service in the journal to `store(inbound, raw_line)`, oldest
        first; those it does not accept (returns False), and every one after, stay in the journal,
        as do other services' messages. Returns how many were accepted."""
        if not self.path.exists():
            return 0
        with self._locked():
            lines = [line for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
            kept, accepted, stopped = [], 0, False
            for line in lines:
                if stopped or not self._is_mine(line):
                    kept.append(line)
                elif store(_inbound(line), line):
                    accepted += 1
                else:
                    stopped = True  # the database is down again: keep the rest in order
                    kept.append(line)
            self._rewrite(kept)
        return accepted

    def lines_of(self, openid: str) -> list[dict]:
        """Every waiting message of one resident, as stored (privacy export)."""
        if not self.path.exists():
            return []
        with self._locked():
            lines = self.path.read_text(encoding="utf-8").splitlines()
        return [record for line in lines if (record := _record_of(line, openid)) is not None]

    def remove_resident(self, openid: str) -> int:
        """Drop every line of one resident (privacy erasure); returns how many went."""
        if not self.path.exists():
            return 0
        with self._locked():
            lines = [line for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()]
            kept = [line for line in lines if _record_of(line, openid) is None]
            if len(kept) != len(lines):
                self._rewrite(kept)
        return len(lines) - len(kept)

    def _is_mine(self, line: str) -> bool:
        try:
            record = json.loads(line)
        except ValueError:
            return True  # a torn line: whoever replays it sets it aside as a dead letter
        return not isinstance(record, dict) or record.get(OWNER_FIELD, self.owner) == self.owner

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


def _inbound(line: str) -> Inbound | None:
    """The message of a journal line, or None for a torn or foreign one (`store` sets it aside)."""
    try:
        record = json.loads(line)
        record.pop(OWNER_FIELD, None)
        return Inbound(**record)
    except (ValueError, TypeError, AttributeError):
        return None


def _record_of(line: str, openid: str) -> dict | None:
    """The line's record when it is one of this resident's messages (any service's), else None."""
    try:
        record = json.loads(line)
    except ValueError:
        return {"torn_line": line} if openid in line else None
    return record if isinstance(record, dict) and record.get("openid") == openid else None
