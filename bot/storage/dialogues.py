"""Each resident's dialogue state, in the database: it survives a Redis restart."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, String, bindparam, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class DialogueState(Base):
    """Where a resident's unfinished dialogue stands, and when it last changed."""

    __tablename__ = "dialogue_states"

    openid: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    # A message sent before this moment was written before the dialogue moved on: it must not
    # act on it (see bot/pipeline/answering.py).
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# One statement finds or creates the row and locks it: ON CONFLICT DO UPDATE (a no-op update)
# takes the row lock, which lasts exactly as long as the message's transaction, so a resident's
# messages are answered one at a time by every process. A new row has "never changed": any
# message, however old, may act on an empty dialogue.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
_LOCK = select(DialogueState).from_statement(
    text(
        "INSERT INTO dialogue_states (openid, state, changed_at) VALUES (:openid, :state, :never) "
        "ON CONFLICT (openid) DO UPDATE SET openid = excluded.openid RETURNING *"
    ).bindparams(bindparam("state", type_=JSON), bindparam("never", type_=UtcDateTime()))
)


def lock_dialogue(session: Session, openid: str) -> DialogueState:
    """The resident's dialogue row, created empty if missing, locked until the transaction ends."""
    options = {"populate_existing": True}
    return session.scalars(_LOCK, {"openid": openid, "state": {}, "never": NEVER}, execution_options=options).one()


def find_dialogue(session: Session, openid: str) -> DialogueState | None:
    """The resident's dialogue row, without locking it."""
    return session.get(DialogueState, openid)
