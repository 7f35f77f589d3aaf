"""The directory as rows, one shape for the seed file, the database and an imported file: a unit
row per district centre, street workstation and community room, a staff row per account.

Rows compare field by field (the dry-run diff) and hash to what makes them what they are (the seed
rules: bot.cases.directory_seed)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from sqlalchemy.orm import Session

from bot.cases.place_words import place_pattern
from bot.cases.staff import ROLE_NAMES
from bot.storage.directory import Unit, UnitLevel, all_units
from bot.storage.staff import Staff

# How the fields are named to staff: the console's labels and an imported file's column headers.
UNIT_FIELDS = {
    "code": "代码",
    "level": "级别",
    "parent": "上级代码",
    "name": "名称",
    "office_name": "办公场所",
    "aliases": "别名",
    "address": "地址",
    "phone": "电话",
    "hours": "办公时间",
    "latitude": "纬度",
    "longitude": "经度",
    "division_code": "区划代码",
}
STAFF_FIELDS = {"username": "用户名", "name": "姓名", "role": "角色", "unit": "所在单位代码", "active": "在岗"}
ALIAS_SEPARATORS = place_pattern("alias_separator")
COORDINATE_DIGITS = 6  # about 0.1 m: more is noise from a spreadsheet's float


@dataclass(frozen=True)
class UnitRow:
    """One unit as the directory lists it; `parent` is the parent's code ("" for the district)."""

    code: str
    level: str
    parent: str
    name: str
    office_name: str = ""
    aliases: tuple[str, ...] = ()
    address: str = ""
    phone: str = ""
    hours: str = ""
    latitude: float | None = None
    longitude: float | None = None
    division_code: str = ""

    @property
    def key(self) -> str:
        """What identifies the row across files and the database."""
        return self.code


@dataclass(frozen=True)
class StaffRow:
    """One staff account as the directory lists it: never its password or WeChat binding."""

    username: str
    name: str
    role: str
    unit: str
    active: bool = True

    @property
    def key(self) -> str:
        """What identifies the row across files and the database."""
        return self.username


@dataclass(frozen=True)
class DirectoryRows:
    """The whole directory: its units (parents before children) and its staff accounts."""

    units: tuple[UnitRow, ...]
    staff: tuple[StaffRow, ...]


def unit_row(unit: Unit, codes: dict[int, str]) -> UnitRow:
    """A unit as a row (codes: unit id → code, for its parent)."""
    return UnitRow(
        code=unit.code,
        level=unit.level,
        parent=codes.get(unit.parent_id, "") if unit.parent_id is not None else "",
        name=unit.name,
        office_name=unit.office_name or "",
        aliases=tuple(unit.aliases or ()),
        address=unit.address or "",
        phone=unit.phone or "",
        hours=unit.hours or "",
        latitude=coordinate(unit.latitude),
        longitude=coordinate(unit.longitude),
        division_code=unit.division_code or "",
    )


def staff_row(staff: Staff, codes: dict[int, str]) -> StaffRow:
    """A staff account as a row (codes: unit id → code)."""
    return StaffRow(staff.username, staff.name, staff.role, codes.get(staff.unit_id, ""), bool(staff.active))


def set_unit(unit: Unit, row: UnitRow, units: dict[str, Unit]) -> None:
    """Make a unit what its row says (units: code → unit, holding its parent)."""
    unit.code = row.code
    unit.level = row.level
    unit.parent_id = units[row.parent].id if row.parent else None
    unit.name = row.name
    unit.office_name = row.office_name or row.name
    unit.aliases = list(row.aliases)
    unit.address, unit.phone, unit.hours = row.address, row.phone, row.hours
    unit.latitude, unit.longitude = row.latitude, row.longitude
    unit.division_code = row.division_code


def set_staff(account: Staff, row: StaffRow, units: dict[str, Unit]) -> None:
    """Make an account what its row says, but for being active (units: code → unit)."""
    account.name, account.role, account.unit_id = row.name, row.role, units[row.unit].id


def database_rows(session: Session) -> DirectoryRows:
    """The directory as the database holds it, in tree order: the district, then each street
    followed by its rooms; staff by unit in the same order."""
    units = all_units(session)
    codes = {unit.id: unit.code for unit in units}
    ordered = tree_order([unit_row(unit, codes) for unit in units])
    position = {row.code: index for index, row in enumerate(ordered)}
    accounts = session.query(Staff).order_by(Staff.id).all()
    staff = sorted((staff_row(account, codes) for account in accounts), key=lambda row: position.get(row.unit, -1))
    return DirectoryRows(tuple(ordered), tuple(staff))


def tree_order(rows: list[UnitRow]) -> list[UnitRow]:
    """Parents before their children, siblings in the order given; rows whose parent is missing last."""
    children: dict[str, list[UnitRow]] = {}
    for row in rows:
        children.setdefault(row.parent, []).append(row)
    ordered: list[UnitRow] = []
    seen: set[str] = set()

    def visit(parent: str) -> None:
        for row in children.get(parent, []):
            if row.code not in seen:
                seen.add(row.code)
                ordered.append(row)
                visit(row.code)

    visit("")
    return ordered + [row for row in rows if row.code not in seen]


def content(row: UnitRow | StaffRow) -> dict[str, Any]:
    """What the seed sets of a row: all but its key (and an account's being active, which the
    seed never decides)."""
    values = asdict(row)
    values.pop(row_key_field(row))
    values.pop("active", None)
    if "aliases" in values:
        values["aliases"] = list(values["aliases"])
    return values


def content_hash(row: UnitRow | StaffRow) -> str:
    """A stable hash of a row's content."""
    text = json.dumps(content(row), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def row_key_field(row: UnitRow | StaffRow) -> str:
    """The name of the field that identifies the row."""
    return "code" if isinstance(row, UnitRow) else "username"


def changed_fields(before: UnitRow | StaffRow, after: UnitRow | StaffRow) -> list[str]:
    """The fields (in column order) where two rows of the same kind differ."""
    return [field.name for field in fields(before) if getattr(before, field.name) != getattr(after, field.name)]


def coordinate(value: float | None) -> float | None:
    """A latitude or longitude rounded to what a room's location needs."""
    return None if value is None else round(float(value), COORDINATE_DIGITS)


def split_aliases(text: str) -> tuple[str, ...]:
    """Aliases written in one cell ("八古墩、八古敦"), without blanks or repeats."""
    seen: dict[str, None] = {}
    for alias in ALIAS_SEPARATORS.split(text or ""):
        if alias.strip():
            seen[alias.strip()] = None
    return tuple(seen)


def shown(field: str, value: Any) -> str:
    """A field's value as staff read it in a file or on a page."""
    if value is None:
        return ""
    if field == "level":
        return UnitLevel(value).label if value in set(UnitLevel) else str(value)
    if field == "role":
        return ROLE_NAMES.get(value, str(value))
    if field == "active":
        return "是" if value else "否"
    if field == "aliases":
        return "、".join(value)
    return str(value)
