"""Residents, known by their WeChat openid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, String, false, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, upsert_statement, utcnow


class Resident(Base):
    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    community_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    phone: Mapped[str | None] = mapped_column(String(20))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set while customer-service messages wait for the resident's next message (45015), so the
    # hot path needs no query to know whether there is anything to release.
    has_deferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
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


def touch_resident(session: Session, openid: str) -> Resident:
    """The resident with this openid (created on first contact), marked as active now."""
    now = utcnow()
    statement = (
        upsert_statement(session, Resident)
        .values(openid=openid, subscribed=True, has_deferred=False, last_interaction_at=now, created_at=now)
        .on_conflict_do_update(index_elements=["openid"], set_={"last_interaction_at": now})
        .returning(Resident)
        .execution_options(populate_existing=True)
    )
    return session.scalars(statement).one()


def find_resident(session: Session, openid: str) -> Resident | None:
    """The resident with this openid, if known."""
    return session.scalar(select(Resident).where(Resident.openid == openid))
