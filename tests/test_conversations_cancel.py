"""Cancelling, as dialogues: an intake cancelled and resumed, a case withdrawn only after asking.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.storage.tickets import TicketEvent
from tests.conversation_helpers import no_tickets, only_ticket, unit_code
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_cancel_in_the_middle_opens_nothing(services, resident):
    converse(
        resident,
        [
            ("隔壁天天在楼道里堆垃圾，臭得要命", "邻里纠纷"),
            ("取消", "已取消"),
            ("你好", "您好"),
        ],
    )
    assert no_tickets(services, resident.openid)


@pytest.mark.parametrize("stop", ["算了 不问了", "算了不搞了", "算了我再想想"])
def test_giving_up_at_the_community_question_cancels(services, resident, stop):
    converse(
        resident,
        [
            ("隔壁天天在楼道里堆垃圾，臭得要命", "哪个社区"),
            (stop, "已取消"),
        ],
    )
    assert no_tickets(services, resident.openid)


def test_a_case_already_opened_is_withdrawn_only_after_asking(services, resident):
    converse(
        resident,
        [
            ("隔壁装修天天早上七点就开始砸墙，吵得老人睡不好", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    number = only_ticket(services, resident.openid).number
    converse(resident, [("那个单子不要了 撤了吧", f"要撤回工单 {number}"), ("2", "保留")])
    assert only_ticket(services, resident.openid).status == "new"
    converse(resident, [("取消", "要撤回工单"), ("1", "已撤回")])
    assert only_ticket(services, resident.openid).status == "cancelled"


def test_a_resident_who_cancelled_can_change_their_mind_and_keep_the_story(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("取消", "已取消"),
            ("想了下还是帮我登记一下吧", "手机号"),
            ("不留", "拖椅子"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert "拖椅子" in ticket.description and unit_code(services, ticket.unit_id) == "baguodun"


def test_not_wanting_a_phone_after_cancelling_resumes_the_case_without_one(services, resident):
    replies = converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("取消", "已取消"),
            ("我不是不办 是不想留电话", "请确认"),
            ("1", "工单"),
        ],
    )
    assert "您" in replies[3] and "拖椅子" in replies[3]
    ticket = only_ticket(services, resident.openid)
    assert ticket.contact_phone is None and "拖椅子" in ticket.description


def test_a_cancel_long_ago_is_not_resumed(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("取消", "已取消"),
        ],
    )
    state = services.dialogue.load(resident.openid)
    state["cancelled"]["at"] = "2000-01-01T00:00:00+00:00"
    services.dialogue.save(resident.openid, state)
    reply = resident.says("想了下还是帮我登记一下吧")
    assert "请确认" not in reply and "手机号" not in reply
    assert no_tickets(services, resident.openid)


def test_the_number_that_answers_the_withdrawal_question_is_no_supplement(services, resident):
    converse(
        resident,
        [
            ("隔壁装修天天早上七点就开始砸墙，吵得老人睡不好", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    described = only_ticket(services, resident.openid).description
    converse(resident, [("撤了吧", "要撤回工单"), ("2", "保留"), ("取消", "要撤回工单"), ("1", "已撤回")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.status == "cancelled" and ticket.description == described
    with services.db.session() as session:
        notes = list(session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id)))
    assert "居民撤回" in notes


def test_no_thanks_at_the_summary_cancels_and_saying_report_it_after_all_resumes(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("不留", "拖椅子"),
            ("不了 谢谢", "已取消"),
            ("想了想还是帮我报一下吧", "拖椅子"),
            ("1", "工单"),
        ],
    )
    description = only_ticket(services, resident.openid).description
    assert "拖椅子" in description and "不了" not in description


def test_the_last_play_test_no_thanks_then_yes_after_all_and_the_phone_question(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("八古墩社区", "手机号"),
            ("你们要我电话干嘛", "只给处理这件事的工作人员"),
            ("好的可以留电话", "请直接回复您的手机号"),
            ("不留", "请确认"),
            ("算了 不用了", "已取消"),
            ("哎还是给我登记上吧", "请确认"),
            ("还是给我登记上吧", "工单"),
        ],
    )
    assert "算了" not in only_ticket(services, resident.openid).description
