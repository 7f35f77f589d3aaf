"""Dialogue state per resident, kept in the database so it survives a Redis restart.

The state is a plain dict (the flows' typed states serialize to one). Answering a message reads
and writes it inside the message's own transaction (`lock` / `write`); `load` and `save` serve
everything else (tools, tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.storage.base import Database, utcnow
from bot.storage.dialogues import DialogueState, find_dialogue, lock_dialogue


@dataclass
class LockedDialogue:
    """A resident's dialogue row, locked for one message's transaction."""

    row: DialogueState
    state: dict
    changed_at: datetime


class DialogueStore:
    """Loads and saves each resident's dialogue state; a state untouched for `ttl` seconds is over."""

    def __init__(self, db: Database, ttl: int) -> None:
        self.db = db
        self.ttl = ttl

    def _current(self, row: DialogueState | None) -> dict:
        if row is None or not row.state:
            return {}
        if row.changed_at < utcnow() - timedelta(seconds=self.ttl):
            return {}  # an unfinished dialogue older than DIALOGUE_TTL is forgotten
        return dict(row.state)

    def load(self, openid: str) -> dict:
        """The resident's state, empty when there is none or it expired."""
        with self.db.session() as session:
            return self._current(find_dialogue(session, openid))

    def save(self, openid: str, state: dict) -> None:
        """Save the state, or delete it when empty; the expiry restarts."""
        with self.db.session() as session:
            self.write(self.lock(session, openid), state)

    def lock(self, session: Session, openid: str) -> LockedDialogue:
        """The resident's state, locked until `session` ends: their messages go one at a time."""
        row = lock_dialogue(session, openid)
        return LockedDialogue(row=row, state=self._current(row), changed_at=row.changed_at)

    @staticmethod
    def write(locked: LockedDialogue, state: dict) -> None:
        """Write the state in the locked row's transaction (committed with the message)."""
        locked.row.state = dict(state)
        locked.row.changed_at = utcnow()
