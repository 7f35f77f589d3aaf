"""Residents, known by their WeChat openid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, utcnow


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    phone: Mapped[str | None] = mapped_column(String(20))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    last_interaction_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def get_or_create_resident(session: Session, openid: str) -> Resident:
    """The resident with this openid, created on first contact."""
    resident = session.scalar(select(Resident).where(Resident.openid == openid))
    if resident is None:
        resident = Resident(openid=openid)
        session.add(resident)
        session.flush()
    return resident


def find_resident(session: Session, openid: str) -> Resident | None:
    """The resident with this openid, if known."""
    return session.scalar(select(Resident).where(Resident.openid == openid))
