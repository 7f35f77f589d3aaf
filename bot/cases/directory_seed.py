"""The directory seed file (bot/data/directory.yml) and the database, after the first load: the
database is the source of truth.

Loading the seed adds new units and staff accounts and brings a row up to the seed only while
nobody has changed it in the console (its content still hashes to what was last seeded,
`seed_hash`). A row changed in the console or by an imported file is kept; when the seed changed
it too, that is a conflict, reported by `flask setup`. Rows no longer in the seed stay as they are.
An account's being active is never the seed's to decide."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.cases.directory_rows import (
    DirectoryRows,
    StaffRow,
    UnitRow,
    changed_fields,
    content_hash,
    coordinate,
    set_staff,
    set_unit,
    staff_row,
    unit_row,
)
from bot.storage.directory import Unit, UnitLevel, all_units
from bot.storage.staff import Staff


class SeedOutcome(StrEnum):
    """How a row stands against the seed file (and what loading the seed does to it)."""

    ADDED = "added"  # new in the seed: loading adds it
    UPDATED = "updated"  # unchanged in the console, changed in the seed: loading updates it
    IN_STEP = "in_step"  # the same in both
    KEPT = "kept"  # changed in the console, the seed as last loaded: the change stands
    CONFLICT = "conflict"  # changed in the console and in the seed: the change stands, the seed's waits
    ONLY_IN_DATABASE = "only_in_database"  # not in the seed file: kept as it is


@dataclass(frozen=True)
class DirectorySeedState:
    """One unit or account against the seed file: the outcome, the fields that differ, the last edit."""

    kind: str  # "unit" or "staff"
    key: str  # unit code or username
    outcome: SeedOutcome
    fields: tuple[str, ...] = ()
    edited_by: str | None = None
    edited_at: datetime | None = None

    def line(self) -> str:
        """One line for `flask setup`'s report."""
        by = f" by {self.edited_by}" if self.edited_by else ""
        at = f" at {self.edited_at:%Y-%m-%d %H:%M} UTC" if self.edited_at else ""
        return f"{self.kind} {self.key}: edited{by}{at}; the seed file differs in {', '.join(self.fields)}"


def read_seed(path: Path) -> DirectoryRows:
    """The seed file's units (parents first) and staff accounts."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    district = data["district"]
    units: list[UnitRow] = []
    staff: list[StaffRow] = []
    _add(units, staff, district, district.get("centre", {}), UnitLevel.DISTRICT, "")
    for street in district.get("streets", []):
        _add(units, staff, street, street.get("workstation", {}), UnitLevel.STREET, district["code"])
        for community in street.get("communities", []):
            _add(units, staff, community, community.get("room", {}), UnitLevel.COMMUNITY, street["code"])
    return DirectoryRows(tuple(units), tuple(staff))


def is_sample(path: Path) -> bool:
    """Whether the seed file says it holds sample data, not the district's verified directory."""
    return bool((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("sample"))


def _add(units: list[UnitRow], staff: list[StaffRow], item: dict, office: dict, level: str, parent: str) -> None:
    location = item.get("location") or {}
    units.append(
        UnitRow(
            code=str(item["code"]),
            level=level,
            parent=parent,
            name=str(item["name"]),
            office_name=str(office.get("name", item["name"])),
            aliases=tuple(str(alias) for alias in item.get("aliases", [])),
            address=str(office.get("address", "")),
            phone=str(office.get("phone", "")),
            hours=str(office.get("hours", "")),
            latitude=coordinate(location.get("lat")),
            longitude=coordinate(location.get("lng")),
            division_code=str(item.get("division_code", "")),
        )
    )
    staff += [
        StaffRow(str(p["username"]), str(p["name"]), str(p["role"]), str(item["code"])) for p in item.get("staff", [])
    ]


def edited(row: Unit | Staff, live: UnitRow | StaffRow) -> bool:
    """Changed in the console (or by an import) since the seed was last loaded into it."""
    if row.seed_hash is None:  # loaded before seed hashes, or made in the console
        return row.edited_at is not None
    return content_hash(live) != row.seed_hash


def seed_state(
    kind: str, row: Unit | Staff | None, live: UnitRow | StaffRow | None, seed: UnitRow | StaffRow
) -> DirectorySeedState:
    """How a database row (None: not there yet) stands against its seed row."""
    if row is None or live is None:
        return DirectorySeedState(kind, seed.key, SeedOutcome.ADDED)
    differ = tuple(name for name in changed_fields(live, seed) if name != "active")
    if not differ:
        outcome = SeedOutcome.IN_STEP
    elif not edited(row, live):
        outcome = SeedOutcome.UPDATED
    elif row.seed_hash == content_hash(seed):
        outcome = SeedOutcome.KEPT
    else:
        outcome = SeedOutcome.CONFLICT
    return DirectorySeedState(kind, seed.key, outcome, differ, row.edited_by, row.edited_at)


def load_directory_seed(session: Session, seed: DirectoryRows) -> list[DirectorySeedState]:
    """Load the seed's rows: add the new, update the unedited, keep the edited; returns every row's
    state (seed rows in the seed's order, then those only in the database) as it was before."""
    units = {unit.code: unit for unit in all_units(session)}
    states = [_load_unit(session, units, row) for row in seed.units]
    codes = {unit.id: code for code, unit in units.items()}
    accounts = {account.username: account for account in session.query(Staff).all()}
    states += [_load_staff(session, accounts, codes, units, row) for row in seed.staff]
    states += _only_in_database("unit", units, {row.code for row in seed.units})
    states += _only_in_database("staff", accounts, {row.username for row in seed.staff})
    return states


def _load_unit(session: Session, units: dict[str, Unit], seed: UnitRow) -> DirectorySeedState:
    unit = units.get(seed.code)
    codes = {unit.id: code for code, unit in units.items()}
    live = unit_row(unit, codes) if unit is not None else None
    state = seed_state("unit", unit, live, seed)
    if state.outcome in (SeedOutcome.ADDED, SeedOutcome.UPDATED):
        unit = unit or Unit(code=seed.code)
        set_unit(unit, seed, units)
        unit.seed_hash = content_hash(seed)
        session.add(unit)
        session.flush()  # its id, for its rooms and staff
        units[seed.code] = unit
    elif state.outcome == SeedOutcome.IN_STEP and unit is not None:
        unit.seed_hash = content_hash(seed)  # an edit the seed has caught up with
    return state


def _load_staff(
    session: Session, accounts: dict[str, Staff], codes: dict[int, str], units: dict[str, Unit], seed: StaffRow
) -> DirectorySeedState:
    account = accounts.get(seed.username)
    live = staff_row(account, codes) if account is not None else None
    state = seed_state("staff", account, live, seed)
    if state.outcome in (SeedOutcome.ADDED, SeedOutcome.UPDATED):
        account = account or Staff(username=seed.username)
        set_staff(account, seed, units)
        account.seed_hash = content_hash(seed)
        session.add(account)
        accounts[seed.username] = account
    elif state.outcome == SeedOutcome.IN_STEP and account is not None:
        account.seed_hash = content_hash(seed)
    return state


def _only_in_database(kind: str, rows: dict[str, Any], seeded: set[str]) -> list[DirectorySeedState]:
    return [DirectorySeedState(kind, key, SeedOutcome.ONLY_IN_DATABASE) for key in rows if key not in seeded]


def seed_states_with(states: Iterable[DirectorySeedState], *outcomes: SeedOutcome) -> list[DirectorySeedState]:
    """The states that stood so (e.g. SeedOutcome.CONFLICT)."""
    return [state for state in states if state.outcome in outcomes]
