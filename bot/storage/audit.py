"""The audit log's vocabulary (every action staff or the system can record, with its Chinese label)
and the queries of the console's 操作记录 page: filtered, newest first, a page at a time."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from bot.storage.staff import AuditEntry, Staff


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
    AuditAction.REVIEW_RELABEL: (AuditGroup.REVIEW, "改标"),
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
