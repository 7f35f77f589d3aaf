"""Staff accounts (passwords, lock-out) and who may see and act on which cases.

The rules here are pure functions of a `Scope`, so they are tested without a browser; the console
asks them on every page and action."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from bot.cases import lockout
from bot.categories import ROLE_LABELS
from bot.config import DATA_DIR
from bot.storage.audit import audit as audit  # re-exported: the case code records its actions from here
from bot.storage.base import utcnow
from bot.storage.directory import ROLES, Unit, unit_by_code
from bot.storage.staff import CannedAnswer, Staff, StaffRoom, extra_rooms, staff_by_username

PROJECT_DATA = DATA_DIR
COORDINATOR = "coordinator"  # every room of one street, and its workstation
ADMIN = "admin"  # the whole district
ACCOUNT_ROLES = (*ROLES, COORDINATOR, ADMIN)
# The case-handling roles' names are the categories'; coordinators and admins handle no category.
ROLE_NAMES = {**ROLE_LABELS, COORDINATOR: "街道协调员", ADMIN: "区级管理员"}
MIN_PASSWORD_LENGTH = 8
# Checked against when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("never-a-password")
# Every refused log-in reads the same: whether the username exists, the password was wrong or the
# address or account is locked out is not said (nor told by the time the answer takes).
LOGIN_REFUSED = "用户名或密码不正确，或尝试次数过多，请稍后再试"


def staff_title(staff: Staff) -> str:
    """How the resident is told who a staff member is: "张律师（社区律师）"."""
    return f"{staff.name}（{ROLE_NAMES.get(staff.role, '工作人员')}）"


class AccountError(ValueError):
    """A staff account command that cannot be carried out (the message says why)."""


@dataclass(frozen=True)
class Scope:
    """What one staff member may reach: every case (admin), every role in some units
    (a coordinator's street), or some (unit, role) pairs (room staff)."""

    staff_id: int
    username: str
    admin: bool = False
    all_roles_in: frozenset[int] = frozenset()
    rooms: frozenset[tuple[int, str]] = frozenset()

    @property
    def unit_ids(self) -> frozenset[int]:
        """Every unit whose cases this scope may read."""
        return self.all_roles_in | {unit_id for unit_id, _ in self.rooms}

    @property
    def roles(self) -> frozenset[str]:
        """The roles this scope works as in its rooms."""
        return frozenset(role for _, role in self.rooms)


def can_view(scope: Scope, unit_id: int, role: str) -> bool:
    """May read a case of this unit and role: any role of one's own rooms (colleagues' cases too)."""
    return scope.admin or unit_id in scope.unit_ids


def can_act(scope: Scope, unit_id: int, role: str) -> bool:
    """May work a case of this unit and role: room staff only their own role's cases."""
    return scope.admin or unit_id in scope.all_roles_in or (unit_id, role) in scope.rooms


def scope_of(session: Session, staff: Staff) -> Scope:
    """The scope of a staff account, from its home assignment and extra rooms."""
    if staff.role == ADMIN:
        return Scope(staff.id, staff.username, admin=True)
    pairs = {(staff.unit_id, staff.role)} | {(room.unit_id, room.role) for room in extra_rooms(session, staff.id)}
    streets = {unit_id for unit_id, role in pairs if role == COORDINATOR}
    rooms_of_streets = set(session.scalars(select(Unit.id).where(Unit.parent_id.in_(streets)))) if streets else set()
    return Scope(
        staff.id,
        staff.username,
        all_roles_in=frozenset(streets | rooms_of_streets),
        rooms=frozenset((unit_id, role) for unit_id, role in pairs if role in ROLES),
    )


def validate_password(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")


def set_password(staff: Staff, password: str) -> None:
    """Store a salted hash of a new password."""
    validate_password(password)
    staff.password_hash = generate_password_hash(password)


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a log-in attempt: the account, or why not (in Chinese, for the page)."""

    staff: Staff | None
    error: str = ""


def authenticate(
    session: Session, username: str, password: str, address: str = "", now: datetime | None = None
) -> LoginResult:
    """Check a username and password from a client address, counting failures per address and per
    account from it (bot.cases.lockout); every refusal says the same and takes as long."""
    now = now or utcnow()
    staff = account_named(session, username)
    known_hash = staff.password_hash if staff is not None and staff.active else None
    # One hash checked on every path: an unknown name or a lock answers no faster than a wrong password.
    right = check_password_hash(known_hash or _DUMMY_HASH, password) and known_hash is not None
    gate = lockout.gate(session, lockout.client_address(address), staff if known_hash else None)
    if gate.locked(now):
        return LoginResult(None, LOGIN_REFUSED)
    if staff is None or not right:
        lockout.record_failure(session, gate, now)
        return LoginResult(None, LOGIN_REFUSED)
    lockout.record_success(session, gate)
    staff.last_login_at = now
    return LoginResult(staff)


def account_named(session: Session, username: str) -> Staff | None:
    """The account a log-in name names, whatever its letters' case ("Zhang.Lawyer" is zhang.lawyer):
    its exact username first, else the one username equal to it in lower case."""
    username = username.strip()
    exact = staff_by_username(session, username)
    if exact is not None or not username:
        return exact
    query = select(Staff).where(func.lower(Staff.username) == username.lower()).limit(2)
    found = list(session.scalars(query))
    return found[0] if len(found) == 1 else None  # two accounts differing in case only: neither is guessed


def username_taken(session: Session, username: str) -> Staff | None:
    """The account a new username would clash with: the same name in any letter case."""
    query = select(Staff).where(func.lower(Staff.username) == username.strip().lower()).limit(1)
    return session.scalars(query).first()


def add_account(session: Session, username: str, name: str, role: str, unit_code: str, password: str) -> Staff:
    """Create a staff account in a unit (a room; a street for coordinators; the district for admins)."""
    if (taken := username_taken(session, username)) is not None:
        raise AccountError(
            f"用户名 {username} 已存在" + (f"（{taken.username}）" if taken.username != username else "")
        )
    if role not in ACCOUNT_ROLES:
        raise AccountError(f"未知角色 {role}")
    unit = _unit_for(session, role, unit_code)
    staff = Staff(username=username, name=name, role=role, unit_id=unit.id)
    set_password(staff, password)
    session.add(staff)
    session.flush()
    return staff


def add_room(session: Session, staff: Staff, unit_code: str, role: str) -> StaffRoom:
    """Let a staff member work in a further room, in a role."""
    if role not in ROLES:
        raise AccountError(f"房间角色只能是 {', '.join(ROLES)}")
    room = StaffRoom(staff_id=staff.id, unit_id=_unit_for(session, role, unit_code).id, role=role)
    session.add(room)
    return room


def _unit_for(session: Session, role: str, unit_code: str) -> Unit:
    unit = unit_by_code(session, unit_code)
    if unit is None:
        raise AccountError(f"没有代码为 {unit_code} 的单位")
    expected = {COORDINATOR: "street", ADMIN: "district"}.get(role)
    if expected and unit.level != expected:
        raise AccountError(f"{ROLE_NAMES[role]}的单位必须是{'街道' if expected == 'street' else '区'}级")
    return unit


def accounts_without_password(session: Session) -> list[Staff]:
    """Active accounts (from the directory) that cannot log in yet."""
    query = select(Staff).where(Staff.active.is_(True), Staff.password_hash.is_(None)).order_by(Staff.id)
    return list(session.scalars(query))


DEFAULT_CANNED = PROJECT_DATA / "canned_answers.yml"


def load_canned_answers(session: Session, path: Path = DEFAULT_CANNED) -> int:
    """Replace the canned answers with those of the YAML file; returns how many were loaded."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    session.execute(delete(CannedAnswer))
    rows = [
        CannedAnswer(unit_id=None, role=role, title=item["title"], text=item["text"])
        for role, items in (data.get("default") or {}).items()
        for item in items
    ]
    for code, by_role in (data.get("rooms") or {}).items():
        unit = unit_by_code(session, code)
        if unit is None:
            raise AccountError(f"canned answers for unknown room {code}")
        rows += [
            CannedAnswer(unit_id=unit.id, role=role, title=item["title"], text=item["text"])
            for role, items in by_role.items()
            for item in items
        ]
    session.add_all(rows)
    return len(rows)
