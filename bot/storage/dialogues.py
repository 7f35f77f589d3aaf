"""Each resident's dialogue state, in the database: it survives a Redis restart."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, String, bindparam, delete, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, utcnow


class DialogueState(Base):
    """Where a resident's unfinished dialogue stands, and when it last changed."""

    __tablename__ = "dialogue_states"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    # A message sent before this moment was written before the dialogue moved on: it must not
    # act on it (see bot/answering.py).
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Insert-if-missing then lock the row: a resident's messages are answered one at a time by every
# process, the lock lasts exactly as long as the message's transaction.
_ENSURE = text(
    "INSERT INTO dialogue_states (openid, state, changed_at) VALUES (:openid, :state, :now) "
    "ON CONFLICT (openid) DO NOTHING"
).bindparams(bindparam("state", type_=JSON), bindparam("now", type_=DateTime(timezone=True)))


# A new row has "never changed": any message, however old, may act on an empty dialogue.
NEVER = datetime(1970, 1, 1, tzinfo=timezone.utc)


def lock_dialogue(session: Session, openid: str) -> DialogueState:
    """The resident's dialogue row, created empty if missing, locked until the transaction ends."""
    session.execute(_ENSURE, {"openid": openid, "state": {}, "now": NEVER})
    query = select(DialogueState).where(DialogueState.openid == openid).with_for_update()
    return session.scalars(query, execution_options={"populate_existing": True}).one()


def find_dialogue(session: Session, openid: str) -> DialogueState | None:
    """The resident's dialogue row, without locking it."""
    return session.get(DialogueState, openid)


def forget_dialogue(session: Session, openid: str) -> None:
    """Delete the resident's dialogue state."""
    session.execute(delete(DialogueState).where(DialogueState.openid == openid))
