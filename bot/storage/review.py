"""The review queue of real messages and the registry of trained intent models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, utcnow

# Why a message is in the queue.
REASONS = {
    "fallback": "没听懂",
    "low_confidence": "把握不大",
    "clarified": "居民自己选了类别",
    "faq_rejected": "居民不满意 FAQ 回答",
    "transferred": "工作人员转给了其他角色",
    "sample": "随机抽查",
    "added": "管理员添加的例句",
}


class ReviewStatus(StrEnum):
    """Where a review item stands: waiting for an admin, or decided."""

    OPEN = "open"
    ACCEPTED = "accepted"  # labelled: one of the reviewed training examples
    DISCARDED = "discarded"


class ReviewItem(Base):
    """One real message waiting for (or given) an admin's label; the text is already masked."""

    __tablename__ = "review_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One item per message: a later reason (the resident's choice) updates the same item.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(24), index=True)
    predicted_intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None] = mapped_column(Float)
    suggested_intent: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.OPEN, index=True)
    label: Mapped[str | None] = mapped_column(String(64))
    # Marked as a new way of asking an FAQ question (label is that FAQ's intent).
    faq_question: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


class ModelStatus(StrEnum):
    """Where a trained model stands: queued → training → evaluating → ready (or failed); ready →
    serving → retired (and back by rollback)."""

    QUEUED = "queued"
    TRAINING = "training"
    EVALUATING = "evaluating"
    READY = "ready"
    FAILED = "failed"
    SERVING = "serving"
    RETIRED = "retired"


# A training run not finished (or whose job died: see bot/training/retrain.py).
RUNNING = (ModelStatus.QUEUED, ModelStatus.TRAINING, ModelStatus.EVALUATING)


class ModelVersion(Base):
    """One trained intent model: what it was trained on, how it scored, who trained and promoted it."""

    __tablename__ = "nlu_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    model_file: Mapped[str] = mapped_column(String(512), default="")
    data_hash: Mapped[str] = mapped_column(String(64), default="")
    config_hash: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default=ModelStatus.TRAINING, index=True)
    stage: Mapped[str] = mapped_column(String(64), default="")
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    epochs: Mapped[int] = mapped_column(Integer, default=0)
    seconds_left: Mapped[float | None] = mapped_column(Float)
    log: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    # The comparison with the model that was serving when this one was evaluated.
    compared_with_id: Mapped[int | None] = mapped_column(ForeignKey("nlu_models.id"))
    comparison: Mapped[dict] = mapped_column(JSON, default=dict)
    trained_by: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    promoted_by: Mapped[str | None] = mapped_column(String(64))
    promoted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    override_reason: Mapped[str] = mapped_column(Text, default="")


def item_for_message(session: Session, message_id: int) -> ReviewItem | None:
    """The review item of a stored message, if it has one."""
    return session.scalar(select(ReviewItem).where(ReviewItem.message_id == message_id))


def review_items(
    session: Session,
    status: str = ReviewStatus.OPEN,
    reason: str | None = None,
    intent: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[ReviewItem]:
    """Items of one status, filtered by reason, intent (predicted or suggested) and date; oldest first."""
    query = select(ReviewItem).where(ReviewItem.status == status)
    if reason:
        query = query.where(ReviewItem.reason == reason)
    if intent:
        query = query.where(
            (ReviewItem.predicted_intent == intent)
            | (ReviewItem.suggested_intent == intent)
            | (ReviewItem.label == intent)
        )
    if since:
        query = query.where(ReviewItem.created_at >= since)
    if until:
        query = query.where(ReviewItem.created_at < until)
    return list(session.scalars(query.order_by(ReviewItem.id).limit(limit)))


def open_counts(session: Session) -> dict[str, int]:
    """Open items per reason."""
    query = (
        select(ReviewItem.reason, func.count())
        .where(ReviewItem.status == ReviewStatus.OPEN)
        .group_by(ReviewItem.reason)
    )
    return {reason: count for reason, count in session.execute(query)}


def accepted_items(session: Session) -> list[ReviewItem]:
    """Every accepted item, in a stable order (the training file is written from these)."""
    query = (
        select(ReviewItem)
        .where(ReviewItem.status == ReviewStatus.ACCEPTED)
        .order_by(ReviewItem.label, ReviewItem.text, ReviewItem.id)
    )
    return list(session.scalars(query))


def accepted_examples(session: Session) -> list[tuple[str, str]]:
    """The accepted items as (text, intent) pairs, in the same order: the reviewed-examples file."""
    # Accepting an item always gives it a label; only an item not accepted has none.
    return [(item.text, item.label) for item in accepted_items(session) if item.label is not None]


def serving_model(session: Session) -> ModelVersion | None:
    """The model the servers answer with."""
    return session.scalar(select(ModelVersion).where(ModelVersion.status == ModelStatus.SERVING))


def model_by_version(session: Session, version: str) -> ModelVersion | None:
    """A registered model by its version name."""
    return session.scalar(select(ModelVersion).where(ModelVersion.version == version))


def all_models(session: Session) -> list[ModelVersion]:
    """Every registered model, newest first."""
    return list(session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())))
