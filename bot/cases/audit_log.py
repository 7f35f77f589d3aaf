"""The audit log as staff read it: who (by name), the action in Chinese, the case or the thing it
was about, and what changed, field by field in words ("状态：新工单 → 办理中")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.cases.office_hours import CHINA
from bot.cases.staff import ROLE_NAMES
from bot.storage.audit import LoggedAction, action_label
from bot.storage.directory import Unit
from bot.storage.faq import FaqEntry
from bot.storage.outbox import OutboundMessage
from bot.storage.staff import CaseNote, Staff
from bot.storage.tickets import TicketStatus

# What the keys of the entries' before/after mean, in the order a change is best read.
FIELD_LABELS = {
    "status": "状态",
    "unit_id": "工作室",
    "role": "岗位",
    "reason": "原因",
    "question": "问题",
    "outcome": "办理结果",
    "mediation_at": "调解时间",
    "mediation_place": "调解地点",
    "outbound_ids": "回复内容",
    "note_id": "备注",
    "handoff_id": "人工对话",
    "account": "账号",
    "address": "地址",
    "ip": "地址",
    "failures": "连续失败",
    "locked_until": "锁定到",
    "wechat_bound": "绑定微信",
    "password_changed": "改了密码",
    "intent": "问题编号",
    "category": "类别",
    "answer": "回答",
    "source": "依据",
    "citations": "引用的法律",
    "draft": "草稿",
    "drafted_by": "起草人",
    "note": "说明",
    "reviewed_by": "审核律师",
    "reviewed_at": "审核时间",
    "set_aside": "暂不采用的种子内容",
    "items": "审核条目",
    "label": "意图",
    "request_id": "删除申请",
    "erased": "删除了",
    # The directory (bot.cases.directory_edit, bot.cases.directory_import): values as staff read them.
    "name": "名称",
    "level": "级别",
    "parent": "上级代码",
    "unit": "单位",
    "office_name": "办公场所",
    "aliases": "别名",
    "phone": "电话",
    "hours": "办公时间",
    "latitude": "纬度",
    "longitude": "经度",
    "division_code": "区划代码",
    "active": "在岗",
    "import": "导入批次",
    "added": "新增",
    "changed": "修改",
    "removed": "删除或停用",
    "file_hash": "文件校验值",
}
# An entry's subject when it is about no case: the first of these keys it names (a directory unit
# before an address, which a unit's entry may change).
SUBJECT_KEYS = {
    "intent": "问题",
    "account": "账号",
    "unit": "单位",
    "address": "地址",
    "request_id": "删除申请 #",
    "file": "文件",
}
SYSTEM_NAME = "系统"
# Values that are a staff account's username, shown with the account's name.
USERNAME_FIELDS = frozenset({"reviewed_by", "drafted_by", "account"})
TIME_FIELDS = frozenset({"mediation_at", "locked_until", "reviewed_at"})


@dataclass(frozen=True)
class Change:
    """One field of an entry: as it was and as it became ("" where the entry says nothing)."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class ReadableEntry:
    """One audit entry in words."""

    entry: LoggedAction
    who: str  # "张律师（zhang.lawyer）", or 系统
    action: str
    subject: str  # what an entry about no case was about: "问题 faq_wage", "账号 zhang.lawyer", …
    changes: list[Change]

    @property
    def changes_text(self) -> str:
        """The changes on one line, as an export cell holds them."""
        return "；".join(_change_text(change) for change in self.changes)


@dataclass(frozen=True)
class Names:
    """What the ids the entries hold stand for: rooms and staff accounts by name; for the entries
    of one page, the notes and replies they point at by their text."""

    units: dict[int, str]
    staff: dict[int, str]
    notes: dict[int, str] = field(default_factory=dict)
    replies: dict[int, str] = field(default_factory=dict)
    usernames: dict[str, str] = field(default_factory=dict)  # an account's name by its username
    questions: dict[str, str] = field(default_factory=dict)  # an FAQ question by its intent

    @classmethod
    def load(cls, session: Session) -> Names:
        """Every room's and every account's name, and every FAQ question (a district has a few
        hundred of each)."""
        units = {unit_id: name for unit_id, name in session.execute(select(Unit.id, Unit.name))}
        accounts = session.execute(select(Staff.id, Staff.username, Staff.name)).all()
        questions = {
            intent: question for intent, question in session.execute(select(FaqEntry.intent, FaqEntry.question))
        }
        return cls(
            units,
            {staff_id: name for staff_id, _, name in accounts},
            usernames={username: name for _, username, name in accounts},
            questions=questions,
        )


def readable(session: Session, entries: Iterable[LoggedAction], names: Names) -> list[ReadableEntry]:
    """Entries in words (the notes and replies they point at looked up at once)."""
    entries = list(entries)
    names = _with_texts(session, entries, names)
    return [_readable(entry, names) for entry in entries]


def _with_texts(session: Session, entries: list[LoggedAction], names: Names) -> Names:
    """The names, with the texts of the notes and replies these entries point at."""
    note_ids = {value for entry in entries if isinstance(value := (entry.after or {}).get("note_id"), int)}
    reply_ids = {
        value for entry in entries for value in (entry.after or {}).get("outbound_ids") or [] if isinstance(value, int)
    }
    notes = _texts(session, select(CaseNote.id, CaseNote.text).where(CaseNote.id.in_(note_ids)), note_ids)
    replies = select(OutboundMessage.id, OutboundMessage.content).where(OutboundMessage.id.in_(reply_ids))
    return replace(names, notes=notes, replies=_texts(session, replies, reply_ids))


def _texts(session: Session, query: Select[tuple[int, str]], ids: set[int]) -> dict[int, str]:
    return {row_id: text for row_id, text in session.execute(query)} if ids else {}


def _readable(entry: LoggedAction, names: Names) -> ReadableEntry:
    subject_key, subject = ("", "") if entry.ticket_id is not None else _subject(entry, names)
    action = action_label(entry.action)
    return ReadableEntry(entry, _who(entry, names), action, subject, changes(entry, names, subject_key))


def changes(entry: LoggedAction, names: Names, subject_key: str = "") -> list[Change]:
    """The fields the entry changed or recorded (not the one naming its subject): a field the same
    before and after is left out."""
    before, after = entry.before or {}, entry.after or {}
    keys = [key for key in FIELD_LABELS if (key in before or key in after) and key != subject_key]
    keys += sorted(key for key in {*before, *after} if key not in FIELD_LABELS)
    return [
        Change(FIELD_LABELS.get(key, key), _shown(key, before.get(key), names), _shown(key, after.get(key), names))
        for key in keys
        if before.get(key) != after.get(key)
    ]


def local_time(moment: datetime) -> str:
    """A stored moment as staff read it: China time, to the second."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def _who(entry: LoggedAction, names: Names) -> str:
    if entry.staff_id is None:
        return SYSTEM_NAME
    name = names.staff.get(entry.staff_id)
    return f"{name}（{entry.actor}）" if name else entry.actor


def _subject(entry: LoggedAction, names: Names) -> tuple[str, str]:
    """The key naming what an entry about no case was about, and the subject in words: an FAQ
    answer by its question, an account by its name."""
    facts = {**(entry.before or {}), **(entry.after or {})}
    for key, label in SUBJECT_KEYS.items():
        value = facts.get(key)
        if value in (None, ""):
            continue
        if key == "intent" and str(value) in names.questions:
            return key, f"{label}“{names.questions[str(value)]}”"
        shown = _account(str(value), names) if key in USERNAME_FIELDS else value
        return key, f"{label}{'' if label.endswith('#') else ' '}{shown}"
    return "", ""


def _account(username: str, names: Names) -> str:
    """An account as "张律师（zhang.lawyer）", or its username when it is not (or no longer) known."""
    name = names.usernames.get(username)
    return f"{name}（{username}）" if name else username


def _shown(key: str, value: Any, names: Names) -> str:
    """One value in words: statuses, rooms and roles by name, times in China time, lists joined."""
    if value is None or value == "":
        return ""
    if key == "status":
        return _status(str(value))
    if key == "unit_id" and isinstance(value, int):
        return names.units.get(value, f"#{value}")
    if key == "note_id" and isinstance(value, int):
        return names.notes.get(value) or f"#{value}"
    if key == "outbound_ids" and isinstance(value, list):
        return " / ".join(names.replies.get(item) or f"#{item}" for item in value)
    if key == "role":
        return ROLE_NAMES.get(str(value), str(value))
    if key in USERNAME_FIELDS and isinstance(value, str):
        return _account(value, names)
    if key in TIME_FIELDS:
        return _time(str(value))
    if key == "citations" and isinstance(value, list):
        return "、".join(_citation(item) for item in value if isinstance(item, dict))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, dict):
        return "，".join(f"{inner}: {_shown(inner, item, names)}" for inner, item in value.items())
    return str(value)


def _status(value: str) -> str:
    try:
        return TicketStatus(value).staff_label
    except ValueError:
        return value


def _time(value: str) -> str:
    try:
        return local_time(datetime.fromisoformat(value))
    except ValueError:
        return value


def _citation(citation: dict) -> str:
    articles = "、".join(str(article) for article in citation.get("articles") or [])
    version = f"（{citation['version']}）" if citation.get("version") else ""
    return f"{citation.get('law', '')}{version}" + (f"第{articles}条" if articles else "")


def _change_text(change: Change) -> str:
    if change.before and change.after:
        return f"{change.field}：{change.before} → {change.after}"
    if change.before:
        return f"{change.field}：{change.before} → （无）"
    return f"{change.field}：{change.after}"
