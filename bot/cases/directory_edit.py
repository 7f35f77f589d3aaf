"""An admin's edits of one unit or one staff account in the console: checked field by field with
the import's rules (bot.cases.directory_rules), applied, marked as edited (so `flask setup` keeps
them) and written to the audit log with the fields before and after. An edit that changes nothing
is no edit: not recorded, not audited."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.cases import directory_rules as rules
from bot.cases.directory_file import STAFF_SHEET, UNIT_SHEET
from bot.cases.directory_import import ChangeKind, FieldChange, RowChange, audit_change
from bot.cases.directory_rows import (
    STAFF_FIELDS,
    UNIT_FIELDS,
    StaffRow,
    UnitRow,
    changed_fields,
    set_staff,
    shown,
    staff_row,
    unit_row,
)
from bot.cases.staff import ADMIN, username_taken
from bot.storage.audit import AuditAction
from bot.storage.base import utcnow
from bot.storage.directory import Unit, all_units, unit_by_code
from bot.storage.staff import Staff


@dataclass(frozen=True)
class UnitEdit:
    """What the console's unit form sets (its code, level and place in the tree stay)."""

    name: str
    office_name: str
    aliases: tuple[str, ...]
    address: str
    phone: str
    hours: str
    latitude: float | None
    longitude: float | None
    division_code: str


@dataclass(frozen=True)
class StaffEdit:
    """What the console's account form sets (never a password)."""

    name: str
    role: str
    unit: str  # the unit's code
    active: bool


def unit_problems(session: Session, unit: Unit, edit: UnitEdit) -> dict[str, str]:
    """Why the edit cannot be saved, by field (the form's checks of single fields aside): a name or
    alias another unit of its level already has."""
    names = dict.fromkeys((edit.name, *edit.aliases))
    for other in all_units(session):
        if other.id == unit.id or other.level != unit.level:
            continue
        shared = [name for name in names if name == other.name or name in (other.aliases or [])]
        if shared:
            field = "name" if shared[0] == edit.name else "aliases"
            return {field: f"“{shared[0]}”也是{other.name}（{other.code}）的名称或别名，居民说它时分不清是哪个"}
    return {}


def edit_unit(session: Session, unit: Unit, edit: UnitEdit, staff: Staff) -> list[FieldChange]:
    """Save a unit's edit; returns the fields it changed (none: nothing saved or audited)."""
    codes = {other.id: other.code for other in all_units(session)}
    before = unit_row(unit, codes)
    values = dataclasses.asdict(edit) | {"office_name": edit.office_name or edit.name}
    after = dataclasses.replace(before, **values)
    changes = _field_changes(before, after, UNIT_FIELDS)
    if not changes:
        return []
    unit.name, unit.office_name, unit.aliases = after.name, after.office_name, list(after.aliases)
    unit.address, unit.phone, unit.hours = after.address, after.phone, after.hours
    unit.latitude, unit.longitude, unit.division_code = after.latitude, after.longitude, after.division_code
    unit.edited_by, unit.edited_at = staff.username, utcnow()
    change = RowChange(UNIT_SHEET, unit.code, unit.name, ChangeKind.CHANGED, tuple(changes))
    audit_change(session, staff, AuditAction.DIRECTORY_UNIT_EDIT, change)
    return changes


def staff_problems(
    session: Session, account: Staff | None, username: str, edit: StaffEdit, me: Staff
) -> dict[str, str]:
    """Why an account edit (account None: a new account named `username`) cannot be saved, by field."""
    problems: dict[str, str] = {}
    if account is None:
        problem = rules.username_problem(username)
        if problem is None and (taken := username_taken(session, username)) is not None:
            same = "" if taken.username == username else f"（{taken.username}，登录时不分大小写）"
            problem = f"用户名“{username}”已经有人用了{same}"
        if problem:
            problems["username"] = problem
    unit = unit_by_code(session, edit.unit)
    if unit is None:
        problems["unit"] = f"没有代码为“{edit.unit}”的单位"
    elif problem := rules.role_level_problem(edit.role, unit.level):
        problems["unit"] = problem
    if account is not None and account.id == me.id and (not edit.active or (me.role == ADMIN and edit.role != ADMIN)):
        problems["active" if not edit.active else "role"] = "不能停用您自己的账号或改掉它的区级管理员角色"
    return problems


def edit_staff(session: Session, account: Staff, edit: StaffEdit, me: Staff) -> list[FieldChange]:
    """Save an account's edit; returns the fields it changed (none: nothing saved or audited)."""
    units = {unit.code: unit for unit in all_units(session)}
    codes = {unit.id: code for code, unit in units.items()}
    before = staff_row(account, codes)
    after = StaffRow(account.username, edit.name, edit.role, edit.unit, edit.active)
    changes = _field_changes(before, after, STAFF_FIELDS)
    if not changes:
        return []
    set_staff(account, after, units)
    account.active = after.active
    account.edited_by, account.edited_at = me.username, utcnow()
    action = (
        AuditAction.DIRECTORY_STAFF_DISABLE if before.active and not after.active else AuditAction.DIRECTORY_STAFF_EDIT
    )
    audit_change(
        session, me, action, RowChange(STAFF_SHEET, account.username, account.name, ChangeKind.CHANGED, tuple(changes))
    )
    return changes


def add_staff(session: Session, username: str, edit: StaffEdit, me: Staff) -> Staff:
    """Create an account (no password yet: `flask staff passwd` gives one) and audit it."""
    units = {unit.code: unit for unit in all_units(session)}
    row = StaffRow(username, edit.name, edit.role, edit.unit, edit.active)
    account = Staff(username=username)
    set_staff(account, row, units)
    account.active = row.active
    account.edited_by, account.edited_at = me.username, utcnow()
    session.add(account)
    session.flush()
    listed = tuple(FieldChange(name, STAFF_FIELDS[name], "", shown(name, getattr(row, name))) for name in STAFF_FIELDS)
    audit_change(
        session,
        me,
        AuditAction.DIRECTORY_STAFF_ADD,
        RowChange(STAFF_SHEET, username, edit.name, ChangeKind.ADDED, listed),
    )
    return account


def _field_changes(before: UnitRow | StaffRow, after: UnitRow | StaffRow, labels: dict[str, str]) -> list[FieldChange]:
    return [
        FieldChange(name, labels[name], shown(name, getattr(before, name)), shown(name, getattr(after, name)))
        for name in changed_fields(before, after)
    ]
