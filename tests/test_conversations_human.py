"""Asking for a person, as dialogues: the request is a case at once, the resident hears who answers
and when, and asking again never loops.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.storage.tickets import TicketEvent
from tests.conversation_helpers import only_ticket, unit_code
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_transfer_to_a_person_during_intake_opens_the_case_now(services, resident):
    converse(
        resident,
        [
            ("楼下邻居的狗天天叫，晚上根本睡不着", "邻里纠纷"),
            ("转人工", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert unit_code(services, ticket.unit_id) == "jianghan"  # no community yet → the district centre


def test_transfer_to_a_person_from_scratch_opens_a_case_and_asks_which_kind(services, resident):
    converse(
        resident,
        [
            ("转人工", "回复 1 法律咨询"),
            ("3", "物业问题"),
        ],
    )
    assert only_ticket(services, resident.openid).role == "property_officer"


def test_asking_for_a_person_says_when_and_never_loops(services, resident):
    first = converse(resident, [("帮我找个工作人员", "工作时间")])[0]
    assert "9:00" in first and "12348" not in first
    converse(
        resident,
        [
            ("就是想问问房东不退押金我该怎么办", "已记到工单里"),
        ],
    )
    ticket = only_ticket(services, resident.openid)  # the request was a case at once; the question is in it
    assert ticket.role == "lawyer" and "押金" in ticket.description


def test_asking_for_a_person_then_unclear_words_still_reach_the_lawyer(services, resident):
    converse(
        resident,
        [
            ("转人工", "哪类问题"),
            ("说不清楚，电话里讲吧", "律师"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.role == "lawyer" and "电话里讲" in ticket.description


def test_asking_for_a_person_with_an_open_case_names_who_has_it(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷"),
            ("八古墩", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
            ("我要找人工", "八古墩社区公共法律服务工作室的李调解员（人民调解员）"),
        ],
    )
    assert only_ticket(services, resident.openid).status == "new"


def test_asking_for_a_person_or_thanking_adds_nothing_to_the_open_case(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷"),
            ("八古墩", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    described = only_ticket(services, resident.openid).description
    converse(resident, [("转人工", "查看工单时就会看到"), ("好的 谢谢", "不客气"), ("谢谢", "不客气")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.description == described
    with services.db.session() as session:
        notes = list(session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id)))
    assert "居民要求人工服务" in notes


def test_asking_for_a_person_again_opens_no_case_with_it_for_a_story(services, resident):
    replies = converse(
        resident,
        [
            ("你是机器人吧 我要跟人讲话", "哪类问题"),
            ("人呢", "还没有回复您"),
            ("你们到底有冇得人啊", "还没有回复您"),
            ("物业把小区绿地改成停车位收费", "已记到工单里"),
        ],
    )
    assert "法律咨询，我来帮您转给" not in replies[1] + replies[2]
    ticket = only_ticket(services, resident.openid)  # one case for the request, asked three times
    assert "人呢" not in ticket.description and "绿地" in ticket.description


def test_a_person_asked_for_in_few_words_is_a_request_for_a_person(services, resident):
    (reply,) = converse(resident, [("人呢", "转人工")])
    assert "12345" not in reply
