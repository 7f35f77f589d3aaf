"""The directory: district centre → street workstations → community legal rooms, and staff.

Loaded from bot/data/directory.yml at first; after that the database is the source of truth:
admins edit it in the console or import a file, and the seed only adds and updates what nobody
edited (bot.cases.directory_seed)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Float, ForeignKey, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from bot.storage.base import Base, UtcDateTime, utcnow
from bot.storage.staff import Staff

ROLES = ("lawyer", "mediator", "property_officer")


class UnitLevel(StrEnum):
    """Where a unit sits: the district centre, a street's workstation (or a zone's), a community room."""

    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"

    @property
    def label(self) -> str:
        """The level as staff say it."""
        return {"district": "区", "street": "街道", "community": "社区"}[self.value]


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
    # The public administrative division code (统计用区划代码) of a street or the district, if known.
    division_code: Mapped[str] = mapped_column(String(12), default="", server_default="")
    # Hash of the seed content last loaded into the row: the row differs from it once edited.
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    edited_by: Mapped[str | None] = mapped_column(String(64))  # last change made in the console
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id")


class DirectoryImport(Base):
    """A directory file an admin uploaded: checked and shown as a diff, then applied as shown."""

    __tablename__ = "directory_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(256))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    file_hash: Mapped[str] = mapped_column(String(64))  # sha256 of content
    diff_hash: Mapped[str] = mapped_column(String(64), default="")  # the diff its upload showed (blank: errors)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    applied_by: Mapped[str | None] = mapped_column(String(64))
    applied_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


def communities(session: Session) -> list[Unit]:
    """Every community room, in a stable order."""
    return list(session.scalars(select(Unit).where(Unit.level == "community").order_by(Unit.id)))


def unit_by_code(session: Session, code: str) -> Unit | None:
    """The unit with this code."""
    return session.scalar(select(Unit).where(Unit.code == code))


def all_units(session: Session) -> list[Unit]:
    """Every unit, in the order they were first loaded."""
    return list(session.scalars(select(Unit).order_by(Unit.id)))


def district_centre(session: Session) -> Unit | None:
    """The district centre, top of the escalation chain."""
    return session.scalar(select(Unit).where(Unit.level == "district"))


def staff_for(session: Session, unit_id: int, role: str) -> list[Staff]:
    """The staff of a unit in a role."""
    query = select(Staff).where(Staff.unit_id == unit_id, Staff.role == role).order_by(Staff.id)
    return list(session.scalars(query))
