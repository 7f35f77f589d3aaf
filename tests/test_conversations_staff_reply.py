"""Answering a staff member's reply, as dialogues: it reaches that person and that case, opens
nothing, and ends once the case is resolved.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cases import actions as casework
from bot.storage.messages import Message
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket
from tests.conftest import run_jobs
from tests.conversation_helpers import only_ticket
from tests.staff_user import new_case
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_answering_a_lawyers_reply_reaches_the_lawyer_and_opens_nothing(services, resident, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun", text="房东不退押金，租房合同在我手上", openid=resident.openid)
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        lawyer.wechat_openid = "o_staff_zhang_answered"
        casework.reply(
            session, services.jobs, session.get(Ticket, case_id), lawyer, "押金可以调解，您方便来工作室一趟吗？"
        )
    try:
        said = ["谢谢张律师！明天上午十点过来可以吗", "要带租房合同原件吗", "不是 我是在回张律师的话 不要新登记"]
        for reply in converse(resident, [(text, "张律师（社区律师）") for text in said]):
            assert "哪一类" not in reply and "情况：" not in reply
        assert "flow" not in services.dialogue.load(resident.openid)
        ticket = only_ticket(services, resident.openid)
        assert "【补充】" not in ticket.description
        with services.db.session() as session:
            linked = session.scalars(
                select(Message.content).where(Message.ticket_id == case_id, Message.direction == "in")
            )
            assert set(said) <= set(linked)
        run_jobs(services)
        notices = [m["content"] for m in fake_wechat.messages(touser="o_staff_zhang_answered")]
        assert len([text for text in notices if "新消息" in text]) == 1  # one notice, not one per message
    finally:
        with services.db.session() as session:
            staff_by_username(session, "zhang.lawyer").wechat_openid = None


def test_a_new_matter_after_a_lawyers_reply_is_taken_in_as_usual(services, resident):
    case_id, _, _ = new_case(services, "baguodun", text="房东不退押金，租房合同在我手上", openid=resident.openid)
    with services.db.session() as session:
        casework.reply(
            session,
            services.jobs,
            session.get(Ticket, case_id),
            staff_by_username(session, "zhang.lawyer"),
            "押金可以调解，您方便来工作室一趟吗？",
        )
    reply = resident.says("另外还有个事，楼上天天半夜跺脚，吵得孩子睡不着觉")
    assert "邻里纠纷" in reply and "张律师" not in reply


def test_a_lawyers_reply_no_longer_catches_messages_once_the_case_is_resolved(services, resident):
    case_id, _, _ = new_case(services, "baguodun", text="房东不退押金，租房合同在我手上", openid=resident.openid)
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        casework.reply(
            session, services.jobs, session.get(Ticket, case_id), lawyer, "押金可以调解，您方便来工作室一趟吗？"
        )
        casework.resolve(session, services.jobs, session.get(Ticket, case_id), lawyer, "已调解，押金退还")
    assert "张律师" not in resident.says("楼上天天半夜跺脚")
