"""Messages that can never be stored as they are (a value the schema refuses): kept with the reason."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class DeadLetter(Base):
    """A poison message: set aside with why, so it never blocks what comes after it."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Where it came from: "callback", "spill" (Redis replay) or "journal" (file replay).
    source: Mapped[str] = mapped_column(String(16))
    # The Inbound as JSON, cut to a bounded size; a person's openid is in it, so privacy
    # deletion looks here too.
    payload: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


def add_dead_letter(session: Session, source: str, payload: str, reason: str) -> DeadLetter:
    """Set a message aside with the reason it could not be stored."""
    letter = DeadLetter(source=source, payload=payload[:20000], reason=reason[:2000])
    session.add(letter)
    return letter
