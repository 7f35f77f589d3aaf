"""Residents, known by their WeChat openid."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, String, false, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UtcDateTime, plain_sql_returning, utcnow


class Resident(Base):
    """A resident who wrote to the official account."""

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
    last_interaction_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    @property
    def first_contact(self) -> bool:
        """True while only the message that created the resident has touched them (touch_resident
        sets both times on creation and only the interaction time after), so they can have no case."""
        return self.created_at == self.last_interaction_at


# One statement for "find or create, and mark active" on every message (see plain_sql_returning).
_TOUCH = plain_sql_returning(
    Resident,
    "INSERT INTO residents (openid, subscribed, has_deferred, last_interaction_at, created_at) "
    "VALUES (:openid, TRUE, FALSE, :now, :now) "
    "ON CONFLICT (openid) DO UPDATE SET last_interaction_at = excluded.last_interaction_at "
    "RETURNING *",
    now=UtcDateTime(),
)


def touch_resident(session: Session, openid: str) -> Resident:
    """The resident with this openid (created on first contact), marked as active now."""
    options = {"populate_existing": True}
    return session.scalars(_TOUCH, {"openid": openid, "now": utcnow()}, execution_options=options).one()


def find_resident(session: Session, openid: str) -> Resident | None:
    """The resident with this openid, if known."""
    return session.scalar(select(Resident).where(Resident.openid == openid))


def known_resident(session: Session, openid: str) -> Resident:
    """The resident with this openid, who wrote to us; raises NoResultFound when there is none."""
    return session.scalars(select(Resident).where(Resident.openid == openid)).one()
