"""Where a case counts, in words: its community and its street, from the small units table."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.directory import Unit

# A case at the district centre whose resident never named a community.
NO_COMMUNITY = "未确定社区（区中心受理）"
DISTRICT = "区公共法律服务中心"


@dataclass(frozen=True)
class Place:
    """The community and the street a unit's cases count for, and the street's unit id."""

    community: str
    street: str
    street_id: int | None


def places(session: Session) -> dict[int, Place]:
    """Every unit's place: a room is its community in its street; a workstation's own cases are
    the street's (group cases); the centre's have no community."""
    units = {unit.id: unit for unit in session.scalars(select(Unit))}
    found = {}
    for unit in units.values():
        parent = units.get(unit.parent_id) if unit.parent_id is not None else None
        if unit.level == "community":
            found[unit.id] = Place(unit.name, parent.name if parent else "", parent.id if parent else None)
        elif unit.level == "street":
            found[unit.id] = Place(f"{unit.name}（街道工作站）", unit.name, unit.id)
        else:
            found[unit.id] = Place(NO_COMMUNITY, DISTRICT, None)
    return found


def place_of(found: dict[int, Place], unit_id: int) -> Place:
    """The place of a unit id (a unit since removed counts as the centre's)."""
    return found.get(unit_id) or Place(NO_COMMUNITY, DISTRICT, None)
