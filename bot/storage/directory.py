"""The directory: district centre → street workstations → community legal rooms, and staff."""

from __future__ import annotations

from sqlalchemy import JSON, Float, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from bot.storage.base import Base
from bot.storage.staff import Staff

ROLES = ("lawyer", "mediator", "property_officer")


class Unit(Base):
    """One place that handles cases: the district centre, a street workstation or a room."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    office_name: Mapped[str] = mapped_column(String(128), default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    address: Mapped[str] = mapped_column(String(256), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    hours: Mapped[str] = mapped_column(String(128), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")


def communities(session: Session) -> list[Unit]:
    """Every community room, in a stable order."""
    return list(session.scalars(select(Unit).where(Unit.level == "community").order_by(Unit.id)))


def unit_by_code(session: Session, code: str) -> Unit | None:
    """The unit with this code."""
    return session.scalar(select(Unit).where(Unit.code == code))


def district_centre(session: Session) -> Unit | None:
    """The district centre, top of the escalation chain."""
    return session.scalar(select(Unit).where(Unit.level == "district"))


def staff_for(session: Session, unit_id: int, role: str) -> list[Staff]:
    """The staff of a unit in a role."""
    query = select(Staff).where(Staff.unit_id == unit_id, Staff.role == role).order_by(Staff.id)
    return list(session.scalars(query))
