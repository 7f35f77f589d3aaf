"""The audit log: its vocabulary (every action staff or the system records, with its Chinese label),
`audit` that records one, and the queries of the console's 操作记录 page — filtered, newest first, a
page at a time, by keyset on the id so the hundred-thousandth entry costs what the first does."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.storage.staff import AuditEntry, Staff
from bot.storage.tickets import Ticket


class AuditGroup(StrEnum):
    """What an action is about, for grouping the actions in a filter."""

    CASE = "case"
    ACCOUNT = "account"
    FAQ = "faq"
    REVIEW = "review"
    PRIVACY = "privacy"
    DIRECTORY = "directory"

    @property
    def label(self) -> str:
        """The group in Chinese."""
        return GROUP_LABELS[self]


class AuditAction(StrEnum):
    """Every action the audit log records (stored as its value in audit_log.action)."""

    # A case (audit_log.ticket_id names it)
    ACCEPT = "accept"
    ASK_FOR_INFORMATION = "ask_for_information"
    SCHEDULE_MEDIATION = "schedule_mediation"
    TRANSFER = "transfer"
    ESCALATE = "escalate"
    RESOLVE = "resolve"
    REPLY = "reply"
    NOTE = "note"
    TAKE_OVER = "take_over"
    RELEASE = "release"
    STATUS = "status"  # a status set from the command line
    MOVE_TO_COMMUNITY = "move_to_community"  # an urgent case to the room of the community the resident named
    # Accounts and log-ins
    LOGIN = "login"
    PROFILE = "profile"
    ACCOUNT_LOCKED = "login_lock"  # an account refused to one address after its wrong passwords
    ADDRESS_LOCKED = "address_lock"  # an address refused after too many failures, whatever the usernames
    UNLOCK = "login_unlock"
    # FAQ answers
    FAQ_EDIT = "faq_edit"
    FAQ_DRAFT = "faq_draft"
    FAQ_APPROVE = "faq_approve"
    FAQ_RETURN = "faq_return"
    FAQ_CONFIRM = "faq_confirm"
    FAQ_TAKE_SEED = "faq_take_seed"
    FAQ_KEEP_EDIT = "faq_keep_edit"
    # The training review queue
    REVIEW_CONFIRM = "review_confirm"
    REVIEW_RELABEL = "review_relabel"
    REVIEW_FAQ = "review_faq"
    REVIEW_DISCARD = "review_discard"
    REVIEW_REOPEN = "review_reopen"
    # Residents' personal data
    PRIVACY_ERASE = "privacy_erase"
    PRIVACY_AFTER_CASES = "privacy_after_cases"
    # The directory of rooms and staff accounts
    DIRECTORY_UNIT_ADD = "directory_unit_add"
    DIRECTORY_UNIT_EDIT = "directory_unit_edit"
    DIRECTORY_UNIT_REMOVE = "directory_unit_remove"
    DIRECTORY_STAFF_ADD = "directory_staff_add"
    DIRECTORY_STAFF_EDIT = "directory_staff_edit"
    DIRECTORY_STAFF_DISABLE = "directory_staff_disable"
    DIRECTORY_IMPORT = "directory_import"

    @property
    def label(self) -> str:
        """The action in Chinese, as the audit page shows it."""
        return ACTION_LABELS[self][1]

    @property
    def group(self) -> AuditGroup:
        """What the action is about."""
        return ACTION_LABELS[self][0]


GROUP_LABELS = {
    AuditGroup.CASE: "工单",
    AuditGroup.ACCOUNT: "账号与登录",
    AuditGroup.FAQ: "常见问题回答",
    AuditGroup.REVIEW: "训练审核",
    AuditGroup.PRIVACY: "个人信息",
    AuditGroup.DIRECTORY: "服务目录",
}
ACTION_LABELS = {
    AuditAction.ACCEPT: (AuditGroup.CASE, "受理"),
    AuditAction.ASK_FOR_INFORMATION: (AuditGroup.CASE, "请居民补充"),
    AuditAction.SCHEDULE_MEDIATION: (AuditGroup.CASE, "安排调解"),
    AuditAction.TRANSFER: (AuditGroup.CASE, "转交"),
    AuditAction.ESCALATE: (AuditGroup.CASE, "上报上级"),
    AuditAction.RESOLVE: (AuditGroup.CASE, "办结"),
    AuditAction.REPLY: (AuditGroup.CASE, "回复居民"),
    AuditAction.NOTE: (AuditGroup.CASE, "内部备注"),
    AuditAction.TAKE_OVER: (AuditGroup.CASE, "接管对话"),
    AuditAction.RELEASE: (AuditGroup.CASE, "交还对话"),
    AuditAction.STATUS: (AuditGroup.CASE, "改状态（命令行）"),
    AuditAction.MOVE_TO_COMMUNITY: (AuditGroup.CASE, "转至居民所在社区"),
    AuditAction.LOGIN: (AuditGroup.ACCOUNT, "登录"),
    AuditAction.PROFILE: (AuditGroup.ACCOUNT, "修改个人设置"),
    AuditAction.ACCOUNT_LOCKED: (AuditGroup.ACCOUNT, "登录被锁定"),
    AuditAction.ADDRESS_LOCKED: (AuditGroup.ACCOUNT, "地址被锁定"),
    AuditAction.UNLOCK: (AuditGroup.ACCOUNT, "解除登录锁定"),
    AuditAction.FAQ_EDIT: (AuditGroup.FAQ, "修改回答"),
    AuditAction.FAQ_DRAFT: (AuditGroup.FAQ, "起草修改"),
    AuditAction.FAQ_APPROVE: (AuditGroup.FAQ, "批准修改"),
    AuditAction.FAQ_RETURN: (AuditGroup.FAQ, "退回修改"),
    AuditAction.FAQ_CONFIRM: (AuditGroup.FAQ, "确认无需修改"),
    AuditAction.FAQ_TAKE_SEED: (AuditGroup.FAQ, "采用种子文件的回答"),
    AuditAction.FAQ_KEEP_EDIT: (AuditGroup.FAQ, "保留服务中的修改"),
    AuditAction.REVIEW_CONFIRM: (AuditGroup.REVIEW, "确认建议"),
    AuditAction.REVIEW_RELABEL: (AuditGroup.REVIEW, "改正消息的意图标注"),
    AuditAction.REVIEW_FAQ: (AuditGroup.REVIEW, "标为常见问题问法"),
    AuditAction.REVIEW_DISCARD: (AuditGroup.REVIEW, "丢弃"),
    AuditAction.REVIEW_REOPEN: (AuditGroup.REVIEW, "退回待审核"),
    AuditAction.PRIVACY_ERASE: (AuditGroup.PRIVACY, "删除居民个人信息"),
    AuditAction.PRIVACY_AFTER_CASES: (AuditGroup.PRIVACY, "确认工单办结后删除"),
    AuditAction.DIRECTORY_UNIT_ADD: (AuditGroup.DIRECTORY, "新增单位"),
    AuditAction.DIRECTORY_UNIT_EDIT: (AuditGroup.DIRECTORY, "修改单位"),
    AuditAction.DIRECTORY_UNIT_REMOVE: (AuditGroup.DIRECTORY, "删除单位"),
    AuditAction.DIRECTORY_STAFF_ADD: (AuditGroup.DIRECTORY, "新增人员账号"),
    AuditAction.DIRECTORY_STAFF_EDIT: (AuditGroup.DIRECTORY, "修改人员账号"),
    AuditAction.DIRECTORY_STAFF_DISABLE: (AuditGroup.DIRECTORY, "停用人员账号"),
    AuditAction.DIRECTORY_IMPORT: (AuditGroup.DIRECTORY, "导入服务目录"),
}
# The review queue's decisions (bot.training.review.Reviewer.decide) and the entry each leaves.
REVIEW_DECISIONS = {
    "confirm": AuditAction.REVIEW_CONFIRM,
    "relabel": AuditAction.REVIEW_RELABEL,
    "faq": AuditAction.REVIEW_FAQ,
    "discard": AuditAction.REVIEW_DISCARD,
    "reopen": AuditAction.REVIEW_REOPEN,
}


def action_label(action: str) -> str:
    """A stored action in Chinese (one this version no longer writes: as stored)."""
    try:
        return AuditAction(action).label
    except ValueError:
        return action


def audit(
    session: Session, staff: Staff | None, action: AuditAction, ticket_id: int | None, before: dict, after: dict
) -> None:
    """Record one action in the audit log (staff None: the system did it)."""
    session.add(
        AuditEntry(
            staff_id=staff.id if staff else None,
            actor=staff.username if staff else "system",
            action=action,
            ticket_id=ticket_id,
            before=before,
            after=after,
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show; nothing set: all of them."""

    staff_id: int | None = None
    system: bool = False  # only what nobody did by hand (locks, a resident's erasure by the sweep)
    ticket_id: int | None = None
    action: AuditAction | None = None
    since: datetime | None = None  # from this moment on
    until: datetime | None = None  # before this moment


@dataclass(frozen=True, slots=True)
class LoggedAction:
    """One audit entry as the page and the exports read it, with its case's number ("" for none)."""

    id: int
    staff_id: int | None
    actor: str
    action: str
    ticket_id: int | None
    case_number: str
    before: dict
    after: dict
    created_at: datetime


# Plain rows, not ORM objects: an export reads a hundred thousand of them.
_COLUMNS = (
    AuditEntry.id,
    AuditEntry.staff_id,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.ticket_id,
    func.coalesce(Ticket.number, ""),
    AuditEntry.before,
    AuditEntry.after,
    AuditEntry.created_at,
)


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first, and the ids to page on from."""

    entries: list[LoggedAction]
    older_than: int | None  # the id to ask `before` for the next older page; None: this is the oldest
    newer_than: int | None  # the id to ask `after` for the next newer page; None: this is the newest


def _filtered(query: Select, wanted: AuditFilter) -> Select:
    if wanted.system:
        query = query.where(AuditEntry.staff_id.is_(None))
    elif wanted.staff_id is not None:
        query = query.where(AuditEntry.staff_id == wanted.staff_id)
    if wanted.ticket_id is not None:
        query = query.where(AuditEntry.ticket_id == wanted.ticket_id)
    if wanted.action is not None:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.since is not None:
        query = query.where(AuditEntry.created_at >= wanted.since)
    if wanted.until is not None:
        query = query.where(AuditEntry.created_at < wanted.until)
    return query


def audit_page(
    session: Session, wanted: AuditFilter, size: int, before: int | None = None, after: int | None = None
) -> AuditPage:
    """`size` entries newest first: the newest, those older than id `before`, or those just newer than `after`."""
    query = _filtered(select(*_COLUMNS).outerjoin(Ticket, Ticket.id == AuditEntry.ticket_id), wanted)
    if after is not None:
        rows = _logged(session, query.where(AuditEntry.id > after).order_by(AuditEntry.id).limit(size + 1))
        newer, entries = len(rows) > size, rows[:size][::-1]
        return AuditPage(entries, entries[-1].id if entries else None, entries[0].id if newer and entries else None)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = _logged(session, query.order_by(AuditEntry.id.desc()).limit(size + 1))
    older, entries = len(rows) > size, rows[:size]
    newer_than = entries[0].id if before is not None and entries else None
    return AuditPage(entries, entries[-1].id if older else None, newer_than)


def _logged(session: Session, query: Select) -> list[LoggedAction]:
    return [LoggedAction(*row) for row in session.execute(query)]


def count_entries(session: Session, wanted: AuditFilter, at_most: int) -> int:
    """How many entries the filter keeps, counted up to `at_most` (a page says "more than" beyond)."""
    kept = _filtered(select(AuditEntry.id), wanted).limit(at_most).subquery()
    return session.scalar(select(func.count()).select_from(kept)) or 0


def entry_batches(
    session: Session, wanted: AuditFilter, at_most: int, batch: int = 2000
) -> Iterator[list[LoggedAction]]:
    """Up to `at_most` entries the filter keeps, newest first, a batch at a time (for exports)."""
    before, left = None, at_most
    while left > 0:
        page = audit_page(session, wanted, min(batch, left), before=before)
        if page.entries:
            yield page.entries
        left -= len(page.entries)
        if page.older_than is None:
            return
        before = page.older_than
