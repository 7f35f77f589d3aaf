"""The directory as the console lists it: the district centre, then each street (in the order of
their public division codes) with its workstation's and rooms' staff accounts."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from bot.storage.directory import DirectoryImport, Unit, UnitLevel, all_units
from bot.storage.staff import Staff


@dataclass
class UnitCard:
    """A unit with its staff accounts (active ones first)."""

    unit: Unit
    staff: list[Staff] = field(default_factory=list)

    @property
    def active_staff(self) -> list[Staff]:
        """The accounts that may log in and are sent cases."""
        return [account for account in self.staff if account.active]


@dataclass
class StreetCard:
    """A street (or zone) workstation and its community rooms."""

    street: UnitCard
    rooms: list[UnitCard] = field(default_factory=list)


@dataclass(frozen=True)
class DirectoryTree:
    """The district centre (for admins) and the streets one may see."""

    district: UnitCard | None
    streets: list[StreetCard]


def directory_tree(session: Session, street_ids: Collection[int] | None = None) -> DirectoryTree:
    """The directory's tree; only these streets when given (a coordinator's), with no district."""
    units = all_units(session)
    cards = {unit.id: UnitCard(unit) for unit in units}
    accounts = session.scalars(select(Staff).order_by(Staff.active.desc(), Staff.id))
    for account in accounts:
        if account.unit_id in cards:
            cards[account.unit_id].staff.append(account)
    streets = {
        unit.id: StreetCard(cards[unit.id])
        for unit in sorted(units, key=_street_order)
        if unit.level == UnitLevel.STREET and (street_ids is None or unit.id in street_ids)
    }
    for unit in units:
        if unit.level == UnitLevel.COMMUNITY and unit.parent_id in streets:
            streets[unit.parent_id].rooms.append(cards[unit.id])
    district = next((cards[unit.id] for unit in units if unit.level == UnitLevel.DISTRICT), None)
    return DirectoryTree(district if street_ids is None else None, list(streets.values()))


def unit_card(session: Session, unit: Unit) -> UnitCard:
    """One unit with its accounts (active ones first), and its rooms' if it is a street."""
    query = select(Staff).where(Staff.unit_id == unit.id).order_by(Staff.active.desc(), Staff.id)
    return UnitCard(unit, list(session.scalars(query)))


def rooms_of(session: Session, street: Unit) -> list[Unit]:
    """A street's community rooms."""
    return list(session.scalars(select(Unit).where(Unit.parent_id == street.id).order_by(Unit.id)))


def _street_order(unit: Unit) -> tuple[bool, str, str]:
    return (not unit.division_code, unit.division_code, unit.name)


def visible_streets(session: Session, unit_ids: Collection[int]) -> set[int]:
    """The streets among these units (a coordinator's scope holds their streets and rooms)."""
    query = select(Unit.id).where(Unit.id.in_(unit_ids), Unit.level == UnitLevel.STREET)
    return set(session.scalars(query))


def recent_imports(session: Session, limit: int = 10) -> list[DirectoryImport]:
    """The last files uploaded, newest first."""
    query = select(DirectoryImport).options(defer(DirectoryImport.content))
    return list(session.scalars(query.order_by(DirectoryImport.id.desc()).limit(limit)))


def applied_imports(session: Session) -> int:
    """How many directory files were ever applied."""
    query = select(func.count()).select_from(DirectoryImport).where(DirectoryImport.applied_at.is_not(None))
    return session.scalar(query) or 0
