"""A resident's right to see and to erase their data (PIPL), and the retention period.

Every place that can hold a resident's data, and what erasure does to it, is listed once in
bot/cases/personal_data.py; export, erasure and the retention purge here all work from that map.
Erasing keeps each case's statistics (category, room, role, status, urgency, rating, dates) and
drops the person: their openid becomes a one-way tag, their messages, photos, phone numbers,
descriptions, notes, review items, cached replies and waiting journal lines go. Each resident is
erased in a transaction of their own, so one failure never keeps the others from being erased.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import redis
from sqlalchemy import ColumnElement, Table, delete, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.schema import ColumnDefault

from bot.cases.lifecycle import SYSTEM
from bot.cases.office_hours import CHINA
from bot.cases.personal_data import (
    AUDIT_KEPT_KEYS,
    ERASED_TEXT,
    REDIS,
    Erasure,
    KeyErasure,
    Link,
    TableMap,
    redis_glob,
    resident_tables,
)
from bot.cases.staff import audit
from bot.categories import CATEGORIES
from bot.redaction import person, redact
from bot.storage.audit import AuditAction
from bot.storage.base import Base, rows_changed, utcnow
from bot.storage.directory import Unit
from bot.storage.outbox import OutboundMessage
from bot.storage.privacy_requests import WAITING, PrivacyRequest, RequestStatus, open_request_of
from bot.storage.residents import Resident, find_resident
from bot.storage.review import ReviewStatus, accepted_examples
from bot.storage.staff import Handoff, ReleaseReason, Staff
from bot.storage.tickets import OPEN_STATUSES, Ticket, TicketEvent, TicketStatus
from bot.training.training_data import write_reviewed
from bot.wechat.outbox import queue_notice

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
ERASED_PREFIX = "erased:"
# The service's commitment for a request made in chat (PIPL asks for "timely"; 15 working days is
# the usual commitment of Chinese public services).
WORKING_DAYS_TO_ERASE = 15
# The event an open case gets when its resident is erased before it was finished: at their request,
# or by an administrator with no request on file.
WITHDRAWN_NOTE = "居民申请删除个人信息，工单随之撤销"
WITHDRAWN_BY_ADMIN_NOTE = "管理员删除了居民的个人信息，工单随之撤销"
# Sent to a resident who asked, once their data is erased. It holds nothing of theirs, and is queued
# after the erasure so it is not erased with the rest; once sent, its openid becomes the one-way tag.
ERASED_NOTICE = (
    "您申请删除的个人信息已经删除了：您发给我们的消息、照片、语音，留的电话和位置，工单里的情况都已删除。"
    "以后有事再找我们，随时发消息就行。"
)
# Sent instead when nobody asked (an administrator's erasure, the retention period): they are told too.
ERASED_WITHOUT_REQUEST_NOTICE = (
    "按照个人信息保护的规定，您在我们这里的个人信息已经删除了：您发给我们的消息、照片、语音，留的电话和位置，"
    "工单里的情况都已删除。以后有事再找我们，随时发消息就行。"
)
# How an erasure's summary names what is not a table of the map.
OTHER_KINDS = {
    "cases_withdrawn": "撤回的未办结工单",
    "redis_keys": "缓存的回复",
    "journal_lines": "本地日志文件里待存的消息",
}
# Their counting words, in plain Chinese ("缓存的回复 5 条").
OTHER_UNITS = {"cases_withdrawn": " 件", "redis_keys": " 条", "journal_lines": " 条"}
FAILURE_WORDS = {SQLAlchemyError: "数据库出错", redis.RedisError: "Redis 出错", OSError: "文件读写出错"}


@dataclass
class Erased:
    """One resident erased: how many rows, keys and lines of each kind, and how long it took."""

    openid: str
    counts: dict[str, int]
    seconds: float


@dataclass
class ErasureRun:
    """Residents erased one by one: who was, who failed (with the reason), who was unknown."""

    erased: list[Erased] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, int]:
        """Rows, keys and lines erased of each kind, over every resident."""
        totals: dict[str, int] = {}
        for one in self.erased:
            for kind, count in one.counts.items():
                totals[kind] = totals.get(kind, 0) + count
        return totals


def erased_tag(openid: str, resident_id: int) -> str:
    """The one-way tag that replaces an erased resident's openid: not reversible, and unique per
    row — a resident erased, back and erased again has two rows of the same openid."""
    return f"{erased_stem(openid)}:{resident_id}"


def erased_stem(openid: str) -> str:
    """What every tag of this openid begins with."""
    return ERASED_PREFIX + hashlib.sha256(openid.encode("utf-8")).hexdigest()[:40]


def erased_rows_of(openid: str) -> ColumnElement[bool]:
    """The condition for the erased rows of this openid (every time it was erased)."""
    return Resident.openid.like(f"{erased_stem(openid)}:%")


# --- export ---------------------------------------------------------------------------------


def export_resident(services: Services, openid: str) -> dict[str, Any] | None:
    """Everything stored about one resident, as plain data (every table of the map, the Redis
    keys, messages waiting in Redis and the journal); None when they are unknown."""
    with services.db.session() as session:
        resident = find_resident(session, openid)
        if resident is None:
            return None
        data: dict[str, Any] = {
            entry.table: [
                _plain(row)
                for row in session.execute(
                    select(_table(entry)).where(_belongs(session, entry, resident.id, openid))
                ).mappings()
            ]
            for entry in resident_tables()
        }
    data["redis"] = {key: _text(value) for key, value in _redis_values(services, openid).items()}
    data["journal"] = services.journal.lines_of(openid)
    return data


def _text(value: bytes | list[bytes] | None) -> str | list[str] | None:
    if isinstance(value, list):
        return [item.decode("utf-8", errors="replace") for item in value]
    return value.decode("utf-8", errors="replace") if value is not None else None


def _plain(row) -> dict[str, Any]:
    return {name: _plain_value(value) for name, value in row.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"bytes": len(value)}  # a photo: its size (the console shows the picture itself)
    return value


# --- erasure --------------------------------------------------------------------------------


def erase_resident(services: Services, openid: str, staff: Staff | None = None, notify: bool = True) -> Erased | None:
    """Erase one resident in one database transaction; None when the resident is unknown. Their
    Redis keys and journal lines go inside it, so a failure there leaves the database as it was,
    to be tried again. `staff`: the admin who did it (None: the system), in the audit log;
    `notify`: tell the resident on WeChat (the notice keeps their openid until it is sent)."""
    started = time.perf_counter()
    with services.db.session() as session:
        resident = find_resident(session, openid)
        if resident is None or openid.startswith(ERASED_PREFIX):
            return None
        # The lock an answer holds while it runs: one in progress finishes first, so its reply (which
        # repeats the resident's words) is stored before the erasure and goes with it.
        services.dialogue.lock(session, openid)
        requested = open_request_of(session, resident.id) is not None
        counts = _erase_rows(services, session, resident.id, openid)
        withdrawn = _withdraw_open_cases(session, resident.id, requested)
        counts["cases_withdrawn"] = len(withdrawn)
        counts["redis_keys"] = _erase_redis(services, openid)
        counts["journal_lines"] = services.journal.remove_resident(openid)
        _close_requests(session, resident.id, staff, counts)
        # Told, with the cases withdrawn for it (nothing of theirs in it) — always when they asked,
        # even when the retention purge comes first: they were promised it.
        if notify or requested:
            notice = erased_notice(session, withdrawn, requested)
            queue_notice(session, services.jobs, resident.id, openid, notice)
    return Erased(openid, counts, time.perf_counter() - started)


def erase_residents(
    services: Services, openids: list[str], staff: Staff | None = None, notify: bool = True
) -> ErasureRun:
    """Erase each resident in a transaction of their own: a failure is recorded with its reason
    (on the resident's request too) and the others go on."""
    run = ErasureRun()
    for openid in openids:
        try:
            erased = erase_resident(services, openid, staff, notify)
        except (SQLAlchemyError, redis.RedisError, OSError) as error:
            reason = failure_reason(error)
            log.error("erasing resident %s failed: %s", person(openid), reason)
            run.failed.append((openid, reason))
            _note_failure(services, openid, reason)
            continue
        if erased is None:
            run.unknown.append(openid)
        else:
            run.erased.append(erased)
    if run.erased:
        _rewrite_redis_log(services)
    return run


def erased_notice(session: Session, withdrawn: list[Ticket], requested: bool) -> str:
    """What the resident is told once erased: what went, and each open case withdrawn for it, by
    number and kind, with what to do if they still need help (write again, or call the room)."""
    head = ERASED_NOTICE if requested else ERASED_WITHOUT_REQUEST_NOTICE
    if not withdrawn:
        return head
    listed = "、".join(f"{ticket.number}（{CATEGORIES[ticket.category].label}）" for ticket in withdrawn)
    rooms = {ticket.unit_id: session.get(Unit, ticket.unit_id) for ticket in withdrawn if ticket.unit_id}
    calls = "".join(
        f"也可以直接打{unit.office_name or unit.name}的电话 {unit.phone}。"
        for unit in rooms.values()
        if unit is not None and unit.phone
    )
    cases = (
        f"您还没办完的工单 {listed}也随之撤回了，工作人员不会再处理。"
        f"如果这件事还需要帮忙，请重新发消息告诉我们情况，我们会重新登记；{calls or '也可以打电话给社区工作室。'}"
    )
    return head.replace("以后有事再找我们，随时发消息就行。", "") + "\n" + cases


def describe(counts: dict[str, int]) -> str:
    """What an erasure removed, for an admin: "消息 12、照片 1、…"."""
    labels = {entry.table: entry.label for entry in resident_tables()} | OTHER_KINDS
    parts = [f"{labels.get(kind, kind)} {count}{OTHER_UNITS.get(kind, '')}" for kind, count in counts.items() if count]
    return "、".join(parts) or "没有存着的数据"


def failure_reason(error: Exception) -> str:
    """Why an erasure failed, for staff: the kind of failure in Chinese and the error (no secrets)."""
    words = next((text for kind, text in FAILURE_WORDS.items() if isinstance(error, kind)), "出错")
    return f"{words}：{type(error).__name__}: {redact(str(error).splitlines()[0] if str(error) else '')}"[:500]


def _erase_rows(services: Services, session: Session, resident_id: int, openid: str) -> dict[str, int]:
    counts = {}
    accepted = _accepted_review_items(session, resident_id, openid)
    for entry in resident_tables():
        counts[entry.table] = _erase_table(session, entry, resident_id, openid)
    if accepted:
        # The reviewed-examples file is written from the accepted items: without theirs now.
        session.flush()
        write_reviewed(services.settings.nlu_reviewed_file, accepted_examples(session))
    return {kind: count for kind, count in counts.items() if count}


def _erase_table(session: Session, entry: TableMap, resident_id: int, openid: str) -> int:
    table, where = _table(entry), _belongs(session, entry, resident_id, openid)
    if entry.deletes_rows:
        return rows_changed(session, delete(table).where(where))
    values = {
        name: _erased_value(table, name, rule, openid, resident_id)
        for name, rule in entry.personal.items()
        if rule in (Erasure.BLANK, Erasure.NULL, Erasure.TAG, Erasure.RESET)
    }
    scrubbed = [name for name, rule in entry.personal.items() if rule is Erasure.SCRUB_JSON]
    changed = rows_changed(session, update(table).where(where).values(**values)) if values else 0
    return max(changed, _scrub_json(session, table, where, scrubbed))


def _erased_value(table: Table, name: str, rule: Erasure, openid: str, resident_id: int) -> Any:
    if rule is Erasure.TAG:
        return erased_tag(openid, resident_id)
    if rule is Erasure.RESET:
        default = table.c[name].default
        if not isinstance(default, ColumnDefault):
            raise ValueError(f"{table.name}.{name} is reset on erasure but has no default")
        return default.arg
    if rule is Erasure.BLANK and not table.c[name].nullable:
        return ""
    return None


def _scrub_json(session: Session, table: Table, where, columns: list[str]) -> int:
    """Replace the free-text values of JSON columns (audit entries), keeping ids and statuses."""
    if not columns:
        return 0
    changed = 0
    for row in session.execute(select(table.c.id, *(table.c[name] for name in columns)).where(where)).mappings():
        values = {name: _scrubbed(row[name]) for name in columns}
        if any(values[name] != row[name] for name in columns):
            session.execute(update(table).where(table.c.id == row["id"]).values(**values))
            changed += 1
    return changed


def _scrubbed(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {key: item if key in AUDIT_KEPT_KEYS or item in (None, "") else ERASED_TEXT for key, item in value.items()}


def _accepted_review_items(session: Session, resident_id: int, openid: str) -> int:
    entry = next(entry for entry in resident_tables() if entry.table == "review_items")
    table = _table(entry)
    query = (
        select(func.count())
        .select_from(table)
        .where(_belongs(session, entry, resident_id, openid), table.c.status == ReviewStatus.ACCEPTED)
    )
    return session.execute(query).scalar_one()


def _table(entry: TableMap) -> Table:
    return Base.metadata.tables[entry.table]


def _belongs(session: Session, entry: TableMap, resident_id: int, openid: str):
    """The condition that picks the resident's rows of one table."""
    linked = _linked(entry, resident_id, openid)
    mentioning = _mentioning(session, entry, resident_id) if entry.mentions else []
    return or_(linked, _table(entry).c.id.in_(mentioning)) if mentioning else linked


def _linked(entry: TableMap, resident_id: int, openid: str):
    column = _table(entry).c[entry.link_column]
    if entry.link in (Link.SELF, Link.RESIDENT):
        return column == resident_id
    if entry.link is Link.OPENID:
        return column == openid
    if entry.link is Link.PAYLOAD:
        return column.contains(openid, autoescape=True)
    owner = {Link.TICKET: "tickets", Link.MESSAGE: "messages"}[entry.link]
    owned = Base.metadata.tables[owner]
    return column.in_(select(owned.c.id).where(owned.c.resident_id == resident_id))


def _mentioning(session: Session, entry: TableMap, resident_id: int) -> list[int]:
    """Ids of rows whose text names one of the resident's cases by number (one scan; "JH…-0012"
    never matches "JH…-00123")."""
    numbers = [
        number for number in session.scalars(select(Ticket.number).where(Ticket.resident_id == resident_id)) if number
    ]
    if not numbers:
        return []
    table = _table(entry)
    column = table.c[entry.mentions]
    query = select(table.c.id, column).where(or_(*(column.contains(number, autoescape=True) for number in numbers)))
    return [row_id for row_id, text in session.execute(query) if any(_names(text or "", number) for number in numbers)]


def _names(text: str, number: str) -> bool:
    """True when the text holds the case number not followed by another digit ("…-0012" is not in "…-00123")."""
    start = text.find(number)
    while start >= 0:
        end = start + len(number)
        if end == len(text) or not text[end].isdecimal():
            return True
        start = text.find(number, start + 1)
    return False


def _withdraw_open_cases(session: Session, resident_id: int, requested: bool) -> list[Ticket]:
    """Cases still open are withdrawn: nobody can reach the resident about them any more. Not
    through bot.cases.lifecycle, whose notice to the resident would be a new message to erase."""
    now = utcnow()
    session.execute(
        update(Handoff)
        .where(Handoff.resident_id == resident_id, Handoff.released_at.is_(None))
        .values(released_at=now, release_reason=ReleaseReason.ERASED)
    )
    cases = list(
        session.scalars(select(Ticket).where(Ticket.resident_id == resident_id, Ticket.status.in_(OPEN_STATUSES)))
    )
    open_ids = [ticket.id for ticket in cases]
    if open_ids:
        session.execute(update(Ticket).where(Ticket.id.in_(open_ids)).values(status=TicketStatus.CANCELLED))
        session.add_all(
            TicketEvent(
                ticket_id=ticket_id,
                status=TicketStatus.CANCELLED,
                actor=SYSTEM,
                note=WITHDRAWN_NOTE if requested else WITHDRAWN_BY_ADMIN_NOTE,
            )
            for ticket_id in open_ids
        )
    return cases


def _close_requests(session: Session, resident_id: int, staff: Staff | None, counts: dict[str, int]) -> None:
    request = open_request_of(session, resident_id)
    if request is not None:
        request.status, request.handled_at, request.erased, request.error = RequestStatus.DONE, utcnow(), counts, ""
        request.handled_by = staff.username if staff else SYSTEM
    audit(
        session,
        staff,
        AuditAction.PRIVACY_ERASE,
        None,
        {},
        {"request_id": request.id if request else None, "erased": counts},
    )


def _note_failure(services: Services, openid: str, reason: str) -> None:
    """Keep the reason on the resident's open request, for the admin's page."""
    try:
        with services.db.session() as session:
            resident = find_resident(session, openid)
            request = open_request_of(session, resident.id) if resident else None
            if request is not None:
                request.error = reason
    except SQLAlchemyError as error:
        log.error("could not record why erasing %s failed: %s", person(openid), type(error).__name__)


# --- Redis ----------------------------------------------------------------------------------


def _redis_values(services: Services, openid: str) -> dict[str, Any]:
    client, prefix = services.redis, services.settings.key_prefix
    found: dict[str, Any] = {}
    for data in REDIS:
        if data.erasure is KeyErasure.DELETE_KEY:
            for key in client.scan_iter(match=prefix + redis_glob(data.pattern, openid), count=1000):
                found[key.decode()] = client.get(key)
        else:
            found[prefix + data.pattern] = [
                raw for raw in _list(client, prefix + data.pattern) if _entry_of(raw, openid)
            ]
    return found


def _erase_redis(services: Services, openid: str) -> int:
    """Delete the resident's keys and their entries of shared lists; returns how many went."""
    client, prefix = services.redis, services.settings.key_prefix
    erased = 0
    for data in REDIS:
        if data.erasure is KeyErasure.DELETE_KEY:
            keys = list(client.scan_iter(match=prefix + redis_glob(data.pattern, openid), count=1000))
            erased += _deleted(client, keys)
        else:
            key = prefix + data.pattern
            erased += sum(_removed(client, key, raw) for raw in _list(client, key) if _entry_of(raw, openid))
    return erased


# redis-py types each reply as its async client's too; these clients are synchronous.


def _list(client: redis.Redis, key: str) -> list[bytes]:
    return cast(list[bytes], client.lrange(key, 0, -1))


def _deleted(client: redis.Redis, keys: list[bytes]) -> int:
    return cast(int, client.delete(*keys)) if keys else 0


def _removed(client: redis.Redis, key: str, entry: bytes) -> int:
    # redis-py types the value as str, yet sends bytes as they are: the entry as it was read.
    return cast(int, client.lrem(key, 0, entry))  # type: ignore[arg-type]


def _entry_of(raw: bytes, openid: str) -> bool:
    try:
        return json.loads(raw).get("openid") == openid
    except (ValueError, AttributeError):
        return openid.encode() in raw


def _rewrite_redis_log(services: Services) -> None:
    """With Redis's append-only file on, rewrite it so erased keys leave the disk too."""
    if not services.settings.redis_url:
        return  # the embedded store keeps nothing on disk
    try:
        persistence = cast(dict[str, Any], services.redis.info("persistence"))  # a synchronous client's reply
        if persistence.get("aof_enabled"):
            services.redis.bgrewriteaof()
    except redis.RedisError as error:
        log.warning("Redis append-only file not rewritten after an erasure: %s", type(error).__name__)


# --- the retention period -------------------------------------------------------------------


def purge_expired(services: Services) -> ErasureRun:
    """Erase residents silent for longer than RETENTION_DAYS with no open case, each on their own
    (nobody when RETENTION_DAYS is 0: keep until asked)."""
    days = services.settings.retention_days
    if days <= 0:
        return ErasureRun()
    cutoff = utcnow() - timedelta(days=days)
    with services.db.session() as session:
        open_cases = select(Ticket.resident_id).where(Ticket.status.in_(OPEN_STATUSES))
        query = select(Resident.openid).where(
            Resident.last_interaction_at < cutoff,
            Resident.openid.not_like(f"{ERASED_PREFIX}%"),
            Resident.id.not_in(open_cases),
        )
        openids = list(session.scalars(query))
    # No notice: a resident silent this long is outside WeChat's 48-hour window, so it could only
    # wait for them to write again — keeping the openid the purge is there to remove.
    return erase_residents(services, openids, notify=False)


# --- requests made in chat ------------------------------------------------------------------


def wait_for_cases(session: Session, request: PrivacyRequest, staff: Staff | None) -> None:
    """An admin's choice for a resident who keeps their open case: erased once it is finished (the
    sweep, erase_after_cases), never withdrawn for it."""
    request.status, request.error = RequestStatus.AFTER_CASES, ""
    audit(session, staff, AuditAction.PRIVACY_AFTER_CASES, None, {}, {"request_id": request.id})


def erase_after_cases(services: Services) -> ErasureRun:
    """Erase each resident whose request waited for their cases, now that none is open (the sweep)."""
    with services.db.session() as session:
        open_cases = select(Ticket.resident_id).where(Ticket.status.in_(OPEN_STATUSES))
        query = (
            select(Resident.openid)
            .join(PrivacyRequest, PrivacyRequest.resident_id == Resident.id)
            .where(PrivacyRequest.status == RequestStatus.AFTER_CASES, Resident.id.not_in(open_cases))
        )
        openids = list(session.scalars(query))
    return erase_residents(services, openids)


def erased_on(session: Session, openid: str) -> datetime | None:
    """When this openid's data was erased (a resident back after it), None if it never was."""
    erased = session.scalar(select(Resident).where(erased_rows_of(openid)).order_by(Resident.id.desc()).limit(1))
    return erased_at(session, erased, openid) if erased is not None else None


def erased_at(session: Session, resident: Resident, openid: str = "") -> datetime | None:
    """When an erased resident (openid tagged) was erased: the request carried out, else the notice
    every erasure queues (kept, with nothing of theirs); None for a resident not erased."""
    if not resident.openid.startswith(ERASED_PREFIX):
        return None
    done = select(func.max(PrivacyRequest.handled_at)).where(
        PrivacyRequest.resident_id == resident.id, PrivacyRequest.status == RequestStatus.DONE
    )
    ours = [OutboundMessage.resident_id == resident.id, OutboundMessage.openid == resident.openid]
    if openid:
        ours.append(OutboundMessage.openid == openid)  # waiting for them, or adopted by their new row
    notice = select(func.max(OutboundMessage.created_at)).where(
        or_(*ours), OutboundMessage.content.contains("个人信息已经删除了")
    )
    return session.scalar(done) or session.scalar(notice)


def asking_erasure(session: Session, resident_ids: set[int]) -> set[int]:
    """Which of these residents have a request to erase their data waiting ("居民已申请删除个人信息")."""
    if not resident_ids:
        return set()
    query = select(PrivacyRequest.resident_id).where(
        PrivacyRequest.resident_id.in_(resident_ids), PrivacyRequest.status.in_(WAITING)
    )
    return set(session.scalars(query))


def open_cases_of(session: Session, openids: list[str]) -> list[Ticket]:
    """The open cases of these residents (urgent ones first), for an admin about to erase them."""
    query = (
        select(Ticket)
        .join(Resident, Resident.id == Ticket.resident_id)
        .where(Resident.openid.in_(openids), Ticket.status.in_(OPEN_STATUSES))
    )
    return list(session.scalars(query.order_by(Ticket.urgent.desc(), Ticket.id)))


def request_erasure(session: Session, resident: Resident) -> tuple[PrivacyRequest, bool]:
    """Record the resident's request for an admin; (the request, True) when it is new, (the one
    already waiting, False) when they asked before."""
    waiting = open_request_of(session, resident.id)
    if waiting is not None:
        return waiting, False
    now = utcnow()
    request = PrivacyRequest(resident_id=resident.id, requested_at=now, due_at=erasure_due(now))
    session.add(request)
    session.flush()
    return request, True


def erasure_due(requested_at: datetime) -> datetime:
    """The end of the 15th working day (Monday to Friday, China time) after the request."""
    day, left = requested_at.astimezone(CHINA).date(), WORKING_DAYS_TO_ERASE
    while left:
        day += timedelta(days=1)
        left -= day.weekday() < 5
    return datetime.combine(day, datetime.max.time().replace(microsecond=0), CHINA)
