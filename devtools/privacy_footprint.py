"""A resident who left a trace everywhere the map lists: messages, review items (one accepted into
the training file), an open case held by a person, a resolved and rated one, photos, notes, audit
entries with their name and phone, a customer-service message, a dead letter, a dialogue state,
cached replies and a rate counter in Redis, a message waiting in Redis and one in the journal.
Used by the privacy tests and bench/erasure_bench.py, with `database_dump` to look for what is left."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from bot.cases import actions as casework
from bot.cases import alerts
from bot.cases.lifecycle import move_ticket
from bot.cases.privacy import request_erasure
from bot.cases.staff import add_account
from bot.cases.tickets import CaseRequest, open_ticket, rate
from bot.pipeline.spill import spill
from bot.storage.base import utcnow
from bot.storage.dead_letters import add_dead_letter
from bot.storage.directory import unit_by_code
from bot.storage.messages import store_inbound
from bot.storage.residents import touch_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import TicketAttachment
from bot.training.review import Reviewer, record_choice
from bot.wechat.dedup import ReplyCache
from bot.wechat.inbound import Inbound, event_key, message_key
from bot.wechat.rate_limit import RateLimit

SURNAMES = "柯闵邬蔺訾"
GIVEN = "淑芬秀英桂兰翠屏玉珍"


def name_sequence() -> Iterator[str]:
    """Every name of SURNAMES and two of GIVEN once, in a random order, then again in that order."""
    names = [surname + first + second for surname in SURNAMES for first, second in itertools.permutations(GIVEN, 2)]
    return itertools.cycle(random.sample(names, len(names)))


# A dump is searched for an erased resident's name: a name drawn at random for each footprint would
# now and then be another stored resident's too (one chance in 450 for each), found in their rows.
# So each footprint of a process has a name of its own, until all 450 are used.
NAMES = name_sequence()


@dataclass
class Footprint:
    """What identifies the resident: none of it may survive an erasure anywhere."""

    openid: str
    name: str
    phone: str
    marker: str  # a phrase only this resident wrote
    photo: bytes
    open_ticket_id: int
    resolved_ticket_id: int

    def secrets(self) -> list[str]:
        """Every string a dump must not contain once the resident is erased."""
        return [self.openid, self.name, self.phone, self.marker, self.photo.hex(), self.photo.hex().upper()]


def leave_footprint(services, last_seen_days_ago: int = 0) -> Footprint:
    """Create one resident with data in every place the map lists; returns what identifies them."""
    tag = uuid.uuid4().hex[:10]
    openid = f"o_priv_{tag}"
    name = next(NAMES)
    phone = f"139{random.randrange(10**8):08d}"
    marker = f"天花板漏水泡坏了{tag}"
    photo = f"JPEG-{tag}".encode() * 4
    said = f"我叫{name}，电话{phone}，{marker}"
    with services.db.session() as session:
        resident = touch_resident(session, openid)
        resident.phone, resident.latitude, resident.longitude = phone, 30.58, 114.27
        first = store_inbound(session, _stored(resident.id, f"msg:acct:{openid}:1", said))
        second = store_inbound(session, _stored(resident.id, f"msg:acct:{openid}:2", f"{name}又说{marker}"))
        record_choice(session, first.id, said, "property_complaint")
        accepted = record_choice(session, second.id, f"{name}又说{marker}", "neighbor_dispute")
        Reviewer(session, services.settings.nlu_reviewed_file).accept(accepted, "neighbor_dispute", "admin")
        Reviewer(session, services.settings.nlu_reviewed_file).write()
        unit = unit_by_code(session, "wutai")
        opened = open_ticket(
            session, resident, CaseRequest("property_complaint", said, unit, phone=phone, opening_message_id=first.id)
        )
        done = open_ticket(session, resident, CaseRequest("neighbor_dispute", marker, unit, phone=phone))
        session.add_all([TicketAttachment(ticket_id=opened.id, kind="image", media_id=f"media-{tag}", content=photo)])
        officer = staff_by_username(session, "wang.property")
        casework.accept(session, services.jobs, opened, officer)
        casework.ask_for_information(
            session, services.jobs, opened, officer, f"{name}您好，{phone}打不通，{marker}还在吗"
        )
        casework.add_note(session, opened, officer, f"{name}家住3栋，{marker}")
        casework.take_over(session, services.jobs, opened, officer)
        move_ticket(session, services.jobs, done, "resolved", "system", f"已调解：{name}")
        rate(session, done, 5, f"{name}很满意")
        # A WeChat notice to a staff member quoting the case (a colleague's account, unbound after).
        colleague = add_account(session, f"t.privacy.{tag}", "测试房管员", "property_officer", "wutai", "pw-privacy-1")
        colleague.wechat_openid = f"o_staff_{tag}"
        alerts.alert_staff(
            session, services.jobs, [colleague], f"新工单 {opened.number}（物业）进入您的待办。\n{said[:60]}"
        )
        colleague.wechat_openid = None
        add_dead_letter(
            session, "callback", json.dumps({"openid": openid, "text": said}, ensure_ascii=False), "too long"
        )
        request_erasure(session, resident)
        resident.last_interaction_at = utcnow() - timedelta(days=last_seen_days_ago)
        opened_id, done_id = opened.id, done.id
    services.dialogue.save(openid, {"flow": "intake", "phone": phone, "story": said})
    replies = ReplyCache(services.redis, services.settings.key_prefix, 600)
    replies.remember(message_key("acct", openid, 3), [f"{name}您好，已记下{phone}"])
    replies.remember(event_key("acct", openid, 1700000000, "subscribe", ""), [f"欢迎{name}"])
    RateLimit(services.redis, services.settings.key_prefix, 20).allow(openid)
    spill(services.redis, services.settings.key_prefix, _inbound(openid, f"msg:acct:{openid}:4", said))
    services.journal.append(_inbound(openid, f"msg:acct:{openid}:5", said))
    return Footprint(openid, name, phone, marker, photo, opened_id, done_id)


def database_dump(url: str) -> str:
    """Every row of every table, as the database's own dump tool writes it (pg_dump, sqlite3)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            return "\n".join(connection.iterdump())
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    return subprocess.run(["pg_dump", "--data-only", plain], check=True, capture_output=True, text=True).stdout


def _inbound(openid: str, dedup_key: str, text: str) -> Inbound:
    return Inbound(openid=openid, kind="text", dedup_key=dedup_key, text=text)


def _stored(resident_id: int, dedup_key: str, text: str) -> dict:
    return {
        "resident_id": resident_id,
        "dedup_key": dedup_key,
        "msg_type": "text",
        "content": text,
        "media_id": None,
        "extra": {},
    }
