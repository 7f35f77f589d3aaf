"""Answering: a message answered late never acts on a dialogue that moved on after it was sent."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from bot.pipeline.recovery import answer_unanswered
from bot.pipeline.storing import store
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.messages import Message
from bot.storage.residents import find_resident, touch_resident
from bot.storage.tickets import Ticket
from bot.wechat.inbound import Inbound
from devtools.simulator import new_msg_id
from tests.conftest import run_jobs
from tests.scripted import ScriptedClassifier

OLD_STORY = "楼上邻居天天半夜跺脚还拖椅子，吵得我们全家睡不着，说了好几次都不听"
NEW_STORY = "隔壁邻居把鞋柜杂物堆满楼道，老人上下楼很危险，跟他说了也不收拾"


def _known(services, openid):
    with services.db.session() as session:
        resident = touch_resident(session, openid)
        resident.community_id = unit_by_code(session, "baguodun").id
        resident.phone = "13900002222"


def _tickets(services, openid) -> int:
    with services.db.session() as session:
        owner = find_resident(session, openid).id
        return session.scalar(select(func.count()).select_from(Ticket).where(Ticket.resident_id == owner))


def test_a_late_yes_does_not_confirm_a_newer_case(services, resident, fake_wechat):
    services.classifier = ScriptedClassifier({OLD_STORY: "neighbor_dispute", NEW_STORY: "neighbor_dispute"})
    _known(services, resident.openid)
    assert "请确认" in resident.says(OLD_STORY)
    # The resident's "1" was stored, but its answer failed (the process died, Rasa broke …).
    sent_at = time.time() - 180
    late_yes = Inbound(
        openid=resident.openid, kind="text", dedup_key=f"msg:{new_msg_id()}", text="1", received_at=sent_at
    )
    store(services, late_yes)
    with services.db.session() as session:
        for message in session.scalars(select(Message).where(Message.dedup_key == late_yes.dedup_key)):
            message.created_at = utcnow() - timedelta(seconds=180)
    # Meanwhile the dialogue moved on: a new story is waiting for its own confirmation.
    resident.says("取消")
    assert "请确认" in resident.says(NEW_STORY)
    assert answer_unanswered(services) == 1
    assert _tickets(services, resident.openid) == 0  # nobody confirmed the new case
    run_jobs(services)
    assert "没有改动您正在办理的事项" in fake_wechat.messages(touser=resident.openid)[-1]["content"]
    assert "工单" in resident.says("1")  # the resident's own confirmation still works


def test_a_late_message_with_nothing_newer_is_answered_normally(services, resident, fake_wechat):
    services.classifier = ScriptedClassifier({"你好": "greet"})
    late = Inbound(
        openid=resident.openid, kind="text", dedup_key=f"msg:{new_msg_id()}", text="你好", received_at=time.time() - 180
    )
    store(services, late)
    with services.db.session() as session:
        for message in session.scalars(select(Message).where(Message.dedup_key == late.dedup_key)):
            message.created_at = utcnow() - timedelta(seconds=180)
    assert answer_unanswered(services) == 1
    run_jobs(services)
    assert "法律服务前台" in fake_wechat.messages(touser=resident.openid)[-1]["content"]
