"""The FAQ knowledge base: answers seeded from bot/data/faq.yml, then the database's own (edits and
a lawyer's review are kept), and the drafted changes waiting for a lawyer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow

# What makes an answer what it is: a change to any of these is an edit (the seed's shape).
CONTENT_FIELDS = ("category", "question", "answer", "citations")


class FaqEntry(Base):
    """One FAQ answer, served when the model picks its intent with confidence."""

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    intent: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    # The legal basis as free text, from before citations: still shown for a row without citations.
    source: Mapped[str] = mapped_column(Text, default="")
    # [{law, version, articles}] (bot.legal.sources.Citation.data); the 依据 line is rendered from them.
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    # Hash of the seed content last loaded into the row: the row differs from it once edited.
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    edited_by: Mapped[str | None] = mapped_column(String(64))  # last change made in the service
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(64))  # the lawyer who last reviewed it
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class DraftStatus(StrEnum):
    """Where a drafted change stands: waiting for a lawyer, or decided."""

    DRAFT = "draft"
    APPROVED = "approved"  # applied to the answer
    RETURNED = "returned"  # sent back by the lawyer, with a note


class FaqDraft(Base):
    """A change to an FAQ answer drafted by one staff member, for a lawyer to approve or return."""

    __tablename__ = "faq_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("faq_entries.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Content hash of the answer it was drafted from: approving it over a later change is refused.
    based_on: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # the drafter's reason
    drafted_by: Mapped[str] = mapped_column(String(64))
    drafted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=DraftStatus.DRAFT, index=True)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="", server_default="")  # why it was returned


def faq_for_intent(session: Session, intent: str) -> FaqEntry | None:
    """The FAQ entry answering this intent."""
    return session.scalar(select(FaqEntry).where(FaqEntry.intent == intent))


def all_faq_entries(session: Session) -> list[FaqEntry]:
    """Every FAQ entry, in the order they were first loaded."""
    return list(session.scalars(select(FaqEntry).order_by(FaqEntry.id)))


def drafts(
    session: Session, status: DraftStatus | None = DraftStatus.DRAFT, entry_id: int | None = None
) -> list[FaqDraft]:
    """Drafted changes (by default those waiting for a lawyer), oldest first; of one entry if given."""
    query = select(FaqDraft)
    if status is not None:
        query = query.where(FaqDraft.status == status)
    if entry_id is not None:
        query = query.where(FaqDraft.entry_id == entry_id)
    return list(session.scalars(query.order_by(FaqDraft.id)))


def normal_citations(citations: Any) -> list[dict[str, Any]]:
    """Citations in one shape whatever the YAML wrote: version as text, articles as a list of
    numbers ("88" → 88) or texts ("1128.2")."""
    return [
        {
            "law": str(citation.get("law", "")).strip(),
            "version": str(citation.get("version", "")).strip(),
            "articles": [_article(article) for article in _as_list(citation.get("articles"))],
        }
        for citation in citations or []
    ]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _article(value: Any) -> int | str:
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def entry_content(entry: FaqEntry) -> dict[str, Any]:
    """What the answer says, in the seed's shape (CONTENT_FIELDS)."""
    return {
        "category": entry.category,
        "question": entry.question,
        "answer": entry.answer.strip(),
        "citations": normal_citations(entry.citations),
    }


def seed_content(item: Mapping[str, Any]) -> dict[str, Any]:
    """What a seed file entry says, in the same shape as entry_content."""
    return {
        "category": item["category"],
        "question": item["question"],
        "answer": str(item["answer"]).strip(),
        "citations": normal_citations(item.get("citations")),
    }


def content_hash(content: Mapping[str, Any]) -> str:
    """A stable hash of an answer's content (entry_content or seed_content)."""
    text = json.dumps({name: content[name] for name in CONTENT_FIELDS}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def set_content(entry: FaqEntry, content: Mapping[str, Any]) -> None:
    """Give the entry this content (entry_content's shape)."""
    entry.category = content["category"]
    entry.question = content["question"]
    entry.answer = content["answer"]
    entry.citations = normal_citations(content["citations"])
