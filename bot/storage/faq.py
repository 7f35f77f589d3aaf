"""The FAQ knowledge base, seeded from bot/data/faq.yml and editable by admins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow


class FaqEntry(Base):
    """One FAQ answer, served when the model picks its intent with confidence."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    intent: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


def faq_for_intent(session: Session, intent: str) -> FaqEntry | None:
    """The FAQ entry answering this intent."""
    return session.scalar(select(FaqEntry).where(FaqEntry.intent == intent))


def upsert_faq(session: Session, item: dict) -> FaqEntry:
    """Insert or update one entry from the seed file's shape."""
    entry = faq_for_intent(session, item["intent"]) or FaqEntry(intent=item["intent"])
    entry.category = item["category"]
    entry.question = item["question"]
    entry.answer = item["answer"].strip()
    entry.source = item.get("source", "")
    session.add(entry)
    return entry
