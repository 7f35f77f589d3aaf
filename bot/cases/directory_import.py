"""Importing a directory file: check every row (each error with its row), show what would change
(a dry run: units and accounts added, changed field by field, removed), then apply exactly that.

The uploaded file is kept (directory_imports) between the dry run and "apply". Applying re-reads
the kept file and recomputes the diff against the directory as it is then: a file other than the
one previewed, or a directory changed since the preview (another admin's edit), is refused rather
than applied unseen. An account missing from the file is disabled, never deleted; a unit missing
from the file is deleted, which is refused while cases, residents or accounts refer to it."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import bot.storage.models  # noqa: F401  (every table, for the references to a unit)
from bot.cases import directory_rules as rules
from bot.cases.directory_file import STAFF_SHEET, UNIT_SHEET, FileRow, exported_at, read_file
from bot.cases.directory_rows import (
    STAFF_FIELDS,
    UNIT_FIELDS,
    DirectoryRows,
    StaffRow,
    UnitRow,
    changed_fields,
    coordinate,
    database_rows,
    set_staff,
    set_unit,
    shown,
    split_aliases,
    tree_order,
)
from bot.cases.office_hours import CHINA
from bot.cases.staff import ADMIN, audit
from bot.storage.audit import AuditAction
from bot.storage.base import Base, utcnow
from bot.storage.directory import DirectoryImport, Unit, UnitLevel, all_units
from bot.storage.staff import Staff

# What refers to a unit, as staff would name it (a table not named here shows its own name).
REFERRERS = {
    "tickets": "工单",
    "residents": "居民",
    "staff": "人员账号",
    "staff_rooms": "兼任安排",
    "canned_answers": "常用回复",
}


@dataclass(frozen=True)
class RowError:
    """Why a row (or the file) cannot be imported: its sheet and row number as the spreadsheet shows
    them (none for the file as a whole), the column, and what is wrong, in Chinese."""

    sheet: str
    number: int | None
    column: str
    message: str

    def line(self) -> str:
        """One line: "单位表第 5 行 · 办公时间：…"."""
        where = f"{self.sheet}表第 {self.number} 行" if self.number else (f"{self.sheet}表" if self.sheet else "文件")
        return f"{where} · {self.column}：{self.message}" if self.column else f"{where}：{self.message}"


class ChangeKind(StrEnum):
    """What applying does to a row."""

    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"  # a unit is deleted, an account disabled


@dataclass(frozen=True)
class FieldChange:
    """One field of a row, before and after, as staff read them."""

    name: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class EditedSince:
    """Who last edited a row in the directory after the file was exported, and when: applying the
    file's row would undo that edit."""

    by: str
    at: datetime


@dataclass(frozen=True)
class RowChange:
    """One unit or account that applying adds, changes or removes, field by field."""

    sheet: str  # 单位 or 人员
    key: str  # unit code or username
    title: str  # its name, to read the list by
    kind: ChangeKind
    fields: tuple[FieldChange, ...]
    number: int | None = None  # its row in the file (none when removed)
    edited: EditedSince | None = None  # edited in the directory after the file was exported


@dataclass(frozen=True)
class DirectoryDiff:
    """Everything applying a file changes, in the file's order, removals last."""

    changes: tuple[RowChange, ...] = ()

    def digest(self) -> str:
        """A hash of the changes: the diff shown and the diff applied must have the same."""
        data = [
            [change.sheet, change.key, change.kind, [[f.name, f.before, f.after] for f in change.fields]]
            + ([change.edited.by, change.edited.at.isoformat()] if change.edited else [])
            for change in self.changes
        ]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode("utf-8")).hexdigest()

    def of(self, sheet: str, kind: ChangeKind) -> list[RowChange]:
        """The changes of one sheet and kind."""
        return [change for change in self.changes if change.sheet == sheet and change.kind == kind]

    def edited(self) -> list[RowChange]:
        """The changes that would undo an edit made in the directory after the file was exported."""
        return [change for change in self.changes if change.edited is not None]

    def without(self, keys: set[tuple[str, str]]) -> DirectoryDiff:
        """The diff with these rows (sheet, key) left out."""
        return DirectoryDiff(tuple(change for change in self.changes if (change.sheet, change.key) not in keys))

    def counts(self) -> dict[str, int]:
        """How many rows each kind of change touches."""
        counted = Counter(change.kind.value for change in self.changes)
        return {kind.value: counted.get(kind.value, 0) for kind in ChangeKind}


@dataclass(frozen=True)
class Checked:
    """A file checked against the directory: its rows, its errors, and (without errors) the diff."""

    rows: DirectoryRows
    errors: tuple[RowError, ...] = ()
    diff: DirectoryDiff = field(default_factory=DirectoryDiff)
    exported_at: datetime | None = None  # when the file says it was exported

    @property
    def ok(self) -> bool:
        """Whether the file can be applied."""
        return not self.errors


class ImportRefused(ValueError):
    """Applying was refused (the message says why, in Chinese); nothing was changed."""


def check_file(session: Session, content: bytes, staff: Staff) -> Checked:
    """Read a file, check every row and the file against the directory, and diff it (dry run)."""
    parsed = _Parsed()
    for row in read_file(content):
        parsed.add(row)
    rows = DirectoryRows(tuple(tree_order(parsed.units)), tuple(parsed.staff))
    errors = parsed.errors + _cross_errors(session, rows, parsed.numbers, staff)
    exported = exported_at(content)
    if errors:
        return Checked(rows, tuple(sorted(errors, key=_error_order)), exported_at=exported)
    diff = diff_directory(database_rows(session), rows, parsed.numbers)
    return Checked(rows, (), mark_edited_since(session, diff, exported) if exported else diff, exported)


def mark_edited_since(session: Session, diff: DirectoryDiff, exported: datetime) -> DirectoryDiff:
    """Mark each changed or removed row that someone edited in the directory after `exported`."""
    edits = {
        (UNIT_SHEET, code): (by, at)
        for code, by, at in session.execute(select(Unit.code, Unit.edited_by, Unit.edited_at))
    } | {
        (STAFF_SHEET, username): (by, at)
        for username, by, at in session.execute(select(Staff.username, Staff.edited_by, Staff.edited_at))
    }
    marked = []
    for change in diff.changes:
        by, at = edits.get((change.sheet, change.key), (None, None))
        if change.kind != ChangeKind.ADDED and at is not None and at > exported:
            change = replace(change, edited=EditedSince(by or "", at))
        marked.append(change)
    return DirectoryDiff(tuple(marked))


def _error_order(error: RowError) -> tuple[int, int]:
    return ({"": 0, UNIT_SHEET: 1, STAFF_SHEET: 2}.get(error.sheet, 3), error.number or 0)


class _Parsed:
    """The rows of a file as they are read, with their row numbers and the errors of single rows."""

    def __init__(self) -> None:
        self.units: list[UnitRow] = []
        self.staff: list[StaffRow] = []
        self.errors: list[RowError] = []
        self.numbers: dict[tuple[str, str], int] = {}

    def add(self, row: FileRow) -> None:
        """Read one row of either sheet."""
        if row.sheet == UNIT_SHEET:
            self._unit(row)
        elif row.sheet == STAFF_SHEET:
            self._staff(row)
        else:
            self.errors.append(RowError("", row.number, "表", f"第 {row.number} 行的“表”列要填 单位 或 人员"))

    def _error(self, row: FileRow, name: str, message: str | None) -> bool:
        if message:
            labels = UNIT_FIELDS if row.sheet == UNIT_SHEET else STAFF_FIELDS
            self.errors.append(RowError(row.sheet, row.number, labels.get(name, name), message))
        return bool(message)

    def _unique(self, row: FileRow, name: str, key: str) -> bool:
        first = self.numbers.get((row.sheet, key))
        if first is not None:
            return not self._error(row, name, f"“{key}”重复：第 {first} 行已经是它")
        self.numbers[(row.sheet, key)] = row.number
        return True

    def _unit(self, row: FileRow) -> None:
        code, level = row.cell("code"), rules.level_of(row.cell("level"))
        latitude, longitude = row.cell("latitude"), row.cell("longitude")
        aliases = split_aliases(row.cell("aliases"))
        unknown = [
            self._error(row, "code", rules.code_problem(code)),
            self._error(row, "level", None if level else "级别只能填 区、街道 或 社区"),
        ]
        self._error(row, "name", rules.text_problem("name", row.cell("name"), required=True))
        for name in ("office_name", "address", "phone"):
            self._error(row, name, rules.text_problem(name, row.cell(name)))
        self._error(row, "aliases", rules.aliases_problem(aliases))
        self._error(row, "hours", rules.hours_problem(row.cell("hours")))
        located = not any(
            [
                self._error(row, "latitude", rules.coordinate_problem(latitude, rules.LATITUDES, "纬度")),
                self._error(row, "longitude", rules.coordinate_problem(longitude, rules.LONGITUDES, "经度")),
                self._error(row, "longitude", rules.location_problem(latitude, longitude)),
            ]
        )
        self._error(row, "division_code", rules.division_code_problem(row.cell("division_code")))
        # A row with a wrong field still takes part in the checks between rows (its rooms and
        # accounts refer to it); one that cannot be told apart cannot.
        if any(unknown) or level is None or not self._unique(row, "code", code):
            return
        self.units.append(
            UnitRow(
                code=code,
                level=level,
                parent=row.cell("parent"),
                name=row.cell("name"),
                office_name=row.cell("office_name") or row.cell("name"),
                aliases=aliases,
                address=row.cell("address"),
                phone=row.cell("phone"),
                hours=row.cell("hours"),
                latitude=coordinate(float(latitude)) if latitude and located else None,
                longitude=coordinate(float(longitude)) if longitude and located else None,
                division_code=row.cell("division_code"),
            )
        )

    def _staff(self, row: FileRow) -> None:
        username, role, active = (
            row.cell("username"),
            rules.role_of(row.cell("role")),
            rules.active_of(row.cell("active")),
        )
        unknown = self._error(row, "username", rules.username_problem(username))
        self._error(row, "name", rules.text_problem("name", row.cell("name"), required=True))
        self._error(row, "role", None if role else f"角色“{row.cell('role')}”不对：可填 {rules.role_choices()}")
        self._error(row, "unit", None if row.cell("unit") else "请填写所在单位的代码")
        self._error(row, "active", None if active is not None else "在岗请填 是 或 否")
        if unknown or role is None or active is None or not self._unique(row, "username", username):
            return
        self.staff.append(StaffRow(username, row.cell("name"), role, row.cell("unit"), active))


def _cross_errors(
    session: Session, rows: DirectoryRows, numbers: dict[tuple[str, str], int], staff: Staff
) -> list[RowError]:
    """What is wrong between rows, and between the file and the directory as it stands."""
    return [
        *_district_errors(rows, numbers),
        *_parent_errors(rows, numbers),
        *_alias_errors(rows, numbers),
        *_account_errors(rows, numbers, staff),
        *_username_case_errors(session, rows, numbers),
        *_removal_errors(session, rows),
    ]


def _unit_error(numbers: dict[tuple[str, str], int], row: UnitRow, name: str, message: str) -> RowError:
    return RowError(UNIT_SHEET, numbers.get((UNIT_SHEET, row.code)), UNIT_FIELDS[name], message)


def _district_errors(rows: DirectoryRows, numbers: dict[tuple[str, str], int]) -> list[RowError]:
    districts = [row for row in rows.units if row.level == UnitLevel.DISTRICT]
    if not districts:
        return [RowError(UNIT_SHEET, None, "", "没有区级单位（区公共法律服务中心）：级别为“区”的要有一行")]
    return [_unit_error(numbers, row, "level", "只能有一个区级单位") for row in districts[1:]]


def _parent_errors(rows: DirectoryRows, numbers: dict[tuple[str, str], int]) -> list[RowError]:
    levels = {row.code: row.level for row in rows.units}
    errors = []
    for row in rows.units:
        problem = rules.parent_problem(row.level, levels.get(row.parent), row.parent)
        if problem:
            errors.append(_unit_error(numbers, row, "parent", problem))
    return errors


def _alias_errors(rows: DirectoryRows, numbers: dict[tuple[str, str], int]) -> list[RowError]:
    """A name or alias two units of one level share: the resident saying it names neither."""
    owners: dict[tuple[str, str], UnitRow] = {}
    errors = []
    for row in rows.units:
        for name in dict.fromkeys((row.name, *row.aliases)):
            other = owners.setdefault((row.level, name), row)
            if other is not row:
                message = f"“{name}”也是{other.name}（{other.code}）的名称或别名，居民说它时分不清是哪个"
                errors.append(_unit_error(numbers, row, "aliases", message))
    return errors


def _account_errors(rows: DirectoryRows, numbers: dict[tuple[str, str], int], me: Staff) -> list[RowError]:
    levels = {row.code: row.level for row in rows.units}
    errors = []
    for row in rows.staff:
        number = numbers.get((STAFF_SHEET, row.username))
        level = levels.get(row.unit)
        if level is None:
            errors.append(RowError(STAFF_SHEET, number, STAFF_FIELDS["unit"], f"单位代码“{row.unit}”不在单位表里"))
        elif problem := rules.role_level_problem(row.role, level):
            errors.append(RowError(STAFF_SHEET, number, STAFF_FIELDS["role"], problem))
    mine = next((row for row in rows.staff if row.username == me.username), None)
    if me.role == ADMIN and (mine is None or not mine.active or mine.role != ADMIN):
        number = numbers.get((STAFF_SHEET, me.username))
        errors.append(
            RowError(STAFF_SHEET, number, "", f"不能停用您自己的账号或改掉它的区级管理员角色（{me.username}）")
        )
    return errors


def _username_case_errors(session: Session, rows: DirectoryRows, numbers: dict[tuple[str, str], int]) -> list[RowError]:
    """A username that differs from another only in letter case: the log-in could not tell them apart."""
    owners = {username.lower(): username for username in session.scalars(select(Staff.username))}
    errors = []
    for row in rows.staff:
        other = owners.setdefault(row.username.lower(), row.username)
        if other != row.username:
            message = f"用户名“{row.username}”和“{other}”只差大小写：登录时不分大小写，请用别的用户名"
            errors.append(
                RowError(STAFF_SHEET, numbers.get((STAFF_SHEET, row.username)), STAFF_FIELDS["username"], message)
            )
    return errors


def _removal_errors(session: Session, rows: DirectoryRows) -> list[RowError]:
    """Units the file leaves out that cannot be deleted: cases, residents or accounts refer to them."""
    kept = {row.code for row in rows.units}
    gone = [unit for unit in all_units(session) if unit.code not in kept]
    if not gone:
        return []
    listed = {row.username for row in rows.staff}
    counts = unit_references(session, [unit.id for unit in gone], ignore_staff=listed)
    errors = []
    for unit in gone:
        if counts.get(unit.id):
            what = "、".join(f"{count} 个{name}" for name, count in counts[unit.id].items())
            message = f"{unit.name}（{unit.code}）不在文件里，但还有 {what}，不能删除：请把它留在文件里"
            errors.append(RowError(UNIT_SHEET, None, "", message))
    return errors


def unit_references(
    session: Session, unit_ids: list[int], ignore_staff: Iterable[str] = ()
) -> dict[int, dict[str, int]]:
    """For each unit, what still refers to it, by kind (staff accounts listed in `ignore_staff`
    excepted: the file moves them elsewhere)."""
    ignored = set(ignore_staff)
    found: dict[int, dict[str, int]] = {}
    for table in Base.metadata.sorted_tables:
        for foreign_key in table.foreign_keys:
            if foreign_key.column.table.name != "units" or table.name == "units":
                continue
            column = foreign_key.parent
            query = select(column, func.count()).where(column.in_(unit_ids)).group_by(column)
            if table.name == "staff" and ignored:
                query = query.where(table.c.username.not_in(ignored))
            for unit_id, count in session.execute(query):
                kind = REFERRERS.get(table.name, table.name)
                found.setdefault(unit_id, {})
                found[unit_id][kind] = found[unit_id].get(kind, 0) + count
    return found


def diff_directory(
    current: DirectoryRows, wanted: DirectoryRows, numbers: dict[tuple[str, str], int] | None = None
) -> DirectoryDiff:
    """What turning the current directory into the wanted one adds, changes and removes."""
    numbers = numbers or {}
    changes = [
        *_row_changes(UNIT_SHEET, current.units, wanted.units, numbers),
        *_row_changes(STAFF_SHEET, current.staff, wanted.staff, numbers),
    ]
    order = {ChangeKind.ADDED: 0, ChangeKind.CHANGED: 0, ChangeKind.REMOVED: 1}
    return DirectoryDiff(tuple(sorted(changes, key=lambda change: order[change.kind])))


def _row_changes(
    sheet: str,
    current: Iterable[UnitRow | StaffRow],
    wanted: Iterable[UnitRow | StaffRow],
    numbers: dict[tuple[str, str], int],
) -> list[RowChange]:
    labels = UNIT_FIELDS if sheet == UNIT_SHEET else STAFF_FIELDS
    before = {row.key: row for row in current}
    changes = []
    for row in wanted:
        old = before.pop(row.key, None)
        names = [f.name for f in fields(row)] if old is None else changed_fields(old, row)
        listed = [
            FieldChange(
                name, labels[name], shown(name, getattr(old, name)) if old else "", shown(name, getattr(row, name))
            )
            for name in names
            if old is not None or shown(name, getattr(row, name))
        ]
        if old is None or listed:
            kind = ChangeKind.ADDED if old is None else ChangeKind.CHANGED
            changes.append(RowChange(sheet, row.key, row.name, kind, tuple(listed), numbers.get((sheet, row.key))))
    for row in before.values():
        if isinstance(row, StaffRow) and not row.active:
            continue  # disabled already: leaving it out changes nothing
        gone = (FieldChange("active", STAFF_FIELDS["active"], "是", "否"),) if isinstance(row, StaffRow) else ()
        changes.append(RowChange(sheet, row.key, row.name, ChangeKind.REMOVED, gone))
    return changes


def apply_directory(session: Session, wanted: DirectoryRows, diff: DirectoryDiff, staff: Staff, import_id: int) -> None:
    """Make the directory what the file says, change by change as the diff lists them, each in the
    audit log (units before accounts, which may move to new units; deleted units last)."""
    units = {unit.code: unit for unit in all_units(session)}
    rows = {row.code: row for row in wanted.units}
    accounts = {row.username: row for row in wanted.staff}
    unit_changes = {change.key: change for change in diff.changes if change.sheet == UNIT_SHEET}
    for row in tree_order(list(rows.values())):
        change = unit_changes.get(row.code)
        if change is not None:
            _apply_unit(session, units, row, change, staff, import_id)
    for change in diff.changes:
        if change.sheet == STAFF_SHEET:
            _apply_staff(session, units, accounts.get(change.key), change, staff, import_id)
    session.flush()  # the accounts have left the units about to go: no foreign key still points at them
    removed = [units[change.key] for change in diff.of(UNIT_SHEET, ChangeKind.REMOVED)]
    for unit in sorted(removed, key=lambda unit: unit.level != UnitLevel.COMMUNITY):  # rooms before streets
        audit_change(session, staff, AuditAction.DIRECTORY_UNIT_REMOVE, unit_changes[unit.code], import_id)
        session.delete(unit)
        session.flush()


def _apply_unit(
    session: Session, units: dict[str, Unit], row: UnitRow, change: RowChange, staff: Staff, import_id: int
) -> None:
    if change.kind == ChangeKind.REMOVED:
        return
    unit = units.get(row.code) or Unit(code=row.code)
    set_unit(unit, row, units)
    unit.edited_by, unit.edited_at = staff.username, utcnow()
    session.add(unit)
    session.flush()  # its id, for its rooms and accounts
    units[row.code] = unit
    audit_change(
        session,
        staff,
        AuditAction.DIRECTORY_UNIT_ADD if change.kind == ChangeKind.ADDED else AuditAction.DIRECTORY_UNIT_EDIT,
        change,
        import_id,
    )


def _apply_staff(
    session: Session, units: dict[str, Unit], row: StaffRow | None, change: RowChange, staff: Staff, import_id: int
) -> None:
    account = session.scalar(select(Staff).where(Staff.username == change.key))
    if change.kind == ChangeKind.REMOVED and account is not None:
        account.active = False
        action = AuditAction.DIRECTORY_STAFF_DISABLE
    elif row is not None:
        account = account or Staff(username=row.username)
        set_staff(account, row, units)
        account.active = row.active
        action = (
            AuditAction.DIRECTORY_STAFF_ADD if change.kind == ChangeKind.ADDED else AuditAction.DIRECTORY_STAFF_EDIT
        )
    else:
        return
    account.edited_by, account.edited_at = staff.username, utcnow()
    session.add(account)
    audit_change(session, staff, action, change, import_id)


def audit_change(
    session: Session, staff: Staff, action: AuditAction, change: RowChange, import_id: int | None = None
) -> None:
    """Record one row's change in the audit log: its fields before and after (and the import, if any)."""
    key = "unit" if change.sheet == UNIT_SHEET else "account"  # the audit page's subject keys
    before = {key: change.key, **{f.name: f.before for f in change.fields}}
    after: dict[str, str | int] = {key: change.key, **{f.name: f.after for f in change.fields}}
    if import_id is not None:
        after["import"] = import_id
    audit(session, staff, action, None, before, after)


def file_hash(content: bytes) -> str:
    """The sha256 of a file's bytes."""
    return hashlib.sha256(content).hexdigest()


def dry_run(session: Session, filename: str, content: bytes, staff: Staff) -> tuple[DirectoryImport, Checked]:
    """Check a file and keep it for applying; the diff shown is recorded with it."""
    checked = check_file(session, content, staff)
    record = DirectoryImport(
        filename=filename[-256:] or "directory",
        content=content,
        file_hash=file_hash(content),
        diff_hash=checked.diff.digest() if checked.ok else "",
        uploaded_by=staff.username,
    )
    session.add(record)
    session.flush()
    return record, checked


def apply_import(
    session: Session, record: DirectoryImport, seen_file: str, seen_diff: str, staff: Staff, undo_edits: bool = False
) -> tuple[DirectoryDiff, int]:
    """Apply a kept file as its dry run showed it (seen_file, seen_diff: the hashes the page showed);
    returns what was applied and how many rows were left out;
    refused if the file or the directory changed since. Rows edited in the directory after the
    file was exported are applied only when `undo_edits` (the admin ticked that this is meant),
    else left out (with what must stay for them: the street of a room left out is not deleted)."""
    if record.applied_at is not None:
        when = record.applied_at.astimezone(CHINA)
        raise ImportRefused(f"这个文件已经在 {when:%Y-%m-%d %H:%M} 由 {record.applied_by} 导入过了")
    if seen_file != record.file_hash or file_hash(record.content) != record.file_hash:
        raise ImportRefused("文件和预览时的不一样，没有导入：请重新上传文件并预览")
    checked = check_file(session, record.content, staff)
    if not checked.ok:
        raise ImportRefused(f"文件有 {len(checked.errors)} 处错误，没有导入：请改正后重新上传")
    if checked.diff.digest() != seen_diff:
        raise ImportRefused("预览之后目录已有改动，和预览的差异不同了，没有导入：请重新预览，确认新的差异后再导入")
    diff = checked.diff if undo_edits else checked.diff.without(_left_out(session, checked.diff))
    apply_directory(session, checked.rows, diff, staff, record.id)
    record.applied_by, record.applied_at = staff.username, utcnow()
    summary = {"import": record.id, "file": record.filename, "file_hash": record.file_hash, **diff.counts()}
    left_out = len(checked.diff.changes) - len(diff.changes)
    audit(
        session, staff, AuditAction.DIRECTORY_IMPORT, None, {}, summary | ({"left_out": left_out} if left_out else {})
    )
    return diff, left_out


def _left_out(session: Session, diff: DirectoryDiff) -> set[tuple[str, str]]:
    """The rows left out of an import: those edited since the export, and the units to be deleted
    that a row left out still sits in (its street, or the unit of an account kept as it is)."""
    left = {(change.sheet, change.key) for change in diff.edited()}
    removing = {change.key for change in diff.of(UNIT_SHEET, ChangeKind.REMOVED)}
    codes = {unit.id: unit.code for unit in all_units(session)}
    homes = {unit.code: codes.get(unit.parent_id) for unit in all_units(session) if unit.parent_id}
    homes_of_staff = {
        username: codes.get(unit_id) for username, unit_id in session.execute(select(Staff.username, Staff.unit_id))
    }
    while True:
        held = {homes.get(key) if sheet == UNIT_SHEET else homes_of_staff.get(key) for sheet, key in left}
        more = {(UNIT_SHEET, code) for code in removing if code in held} - left
        if not more:
            return left
        left |= more
