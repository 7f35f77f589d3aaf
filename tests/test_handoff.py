"""Live handoff: while a person holds the conversation the bot stays quiet, except for 取消, 我的工单
and danger; it takes over again when released or when the holder is idle, and says so."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cases import actions as casework
from bot.storage.base import utcnow
from bot.storage.messages import Message
from bot.storage.staff import handoff_of_ticket, staff_by_username
from bot.storage.tickets import Ticket
from tests.conftest import run_jobs
from tests.staff_user import new_case


def hold(services, case_id: int, username: str = "zhang.lawyer"):
    with services.db.session() as session:
        casework.take_over(session, services.jobs, session.get(Ticket, case_id), staff_by_username(session, username))


def sent_to(fake_wechat, openid: str) -> list[str]:
    return [message["content"] for message in fake_wechat.messages(touser=openid)]


def test_bot_is_silent_while_a_person_holds_the_conversation(services, resident, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    hold(services, case_id)
    run_jobs(services)
    assert any("张律师" in text and "接入" in text for text in sent_to(fake_wechat, resident.openid))
    assert resident.says("合同在我这里，明天拍给您") == ""
    with services.db.session() as session:
        stored = session.scalars(select(Message).where(Message.content == "合同在我这里，明天拍给您")).one()
        assert stored.ticket_id == case_id and stored.resident_id is not None
        out = session.scalars(
            select(Message).where(Message.resident_id == stored.resident_id, Message.id > stored.id)
        ).all()
        assert out == []  # no bot answer logged either


def test_my_tickets_and_cancel_are_still_answered_by_the_bot(services, resident):
    case_id, number, _ = new_case(services, "baguodun", openid=resident.openid)
    hold(services, case_id)
    assert number in resident.says("我的工单")
    offer = resident.says("取消")  # a case is open: the bot asks whether to withdraw it
    assert number in offer and "撤回" in offer


@pytest.mark.usefixtures("rasa_server")
def test_danger_is_still_answered_by_the_bot(services, resident):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    hold(services, case_id)
    assert "110" in resident.says("他拿刀站在我家门口要砍人")


@pytest.mark.usefixtures("rasa_server")
def test_released_conversation_goes_back_to_the_bot_and_the_resident_is_told(services, resident, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    hold(services, case_id)
    with services.db.session() as session:
        casework.release_conversation(
            session, services.jobs, session.get(Ticket, case_id), staff_by_username(session, "zhang.lawyer")
        )
    run_jobs(services)
    assert "智能助手" in sent_to(fake_wechat, resident.openid)[-1]
    assert resident.says("你好") != ""


@pytest.mark.usefixtures("rasa_server")
def test_idle_holder_loses_the_conversation_to_the_bot(services, resident, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    hold(services, case_id)
    with services.db.session() as session:
        handoff_of_ticket(session, case_id).last_activity_at = utcnow() - timedelta(hours=2)
    assert resident.says("你好") != ""
    run_jobs(services)
    assert "暂时离开" in sent_to(fake_wechat, resident.openid)[-1]
    with services.db.session() as session:
        assert handoff_of_ticket(session, case_id) is None


def test_sweep_releases_idle_conversations(app, services, resident, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    hold(services, case_id)
    with services.db.session() as session:
        handoff_of_ticket(session, case_id).last_activity_at = utcnow() - timedelta(hours=2)
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert "1 idle conversation(s) given back" in result.output
    with services.db.session() as session:
        assert handoff_of_ticket(session, case_id) is None


def test_second_person_cannot_take_a_held_conversation(services):
    case_id, _, _ = new_case(services, "baguodun")
    hold(services, case_id)
    with services.db.session() as session:
        with pytest.raises(casework.ActionError, match="张律师"):
            casework.take_over(
                session, services.jobs, session.get(Ticket, case_id), staff_by_username(session, "li.mediator")
            )


def test_holder_is_told_on_wechat_when_the_resident_writes(services, resident, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    with services.db.session() as session:
        staff_by_username(session, "wang.property").wechat_openid = "o_staff_wang_hold"
    try:
        hold(services, case_id, "wang.property")
        resident.says("物业今天来看过了")
        resident.says("但是还没修")
        run_jobs(services)
        notices = sent_to(fake_wechat, "o_staff_wang_hold")
        assert len([text for text in notices if "新消息" in text]) == 1  # one notice, not one per message
    finally:
        with services.db.session() as session:
            staff_by_username(session, "wang.property").wechat_openid = None


@pytest.mark.usefixtures("rasa_server")
def test_taking_over_and_giving_back_drop_the_bots_half_finished_intake(services, resident):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    assert "邻里纠纷" in resident.says("楼上天天半夜跺脚")
    draft = services.dialogue.load(resident.openid)
    assert draft.get("flow") == "intake"
    hold(services, case_id)
    assert services.dialogue.load(resident.openid) == {}
    services.dialogue.save(resident.openid, draft)  # a draft left over while the conversation was held
    with services.db.session() as session:
        casework.release_conversation(
            session, services.jobs, session.get(Ticket, case_id), staff_by_username(session, "zhang.lawyer")
        )
    assert services.dialogue.load(resident.openid) == {}
    assert "已记下" not in resident.says("八古墩")
