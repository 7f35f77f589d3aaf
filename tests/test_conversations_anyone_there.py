""" "有人吗" is someone checking a person is there, as dialogues: greeted, told a person reads every
case and how to reach one; after a person was asked for, the same words ask again.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from tests.conversation_helpers import no_tickets
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_anyone_there_is_greeted_and_told_how_to_reach_a_person(services, resident):
    (reply,) = converse(resident, [("有人吗", "您好")])
    assert "工作人员" in reply and "转人工" in reply
    assert no_tickets(services, resident.openid)


def test_a_plain_greeting_is_greeted_without_the_person_line(resident):
    (reply,) = converse(resident, [("你好", "请直接说说您遇到的问题")])
    assert "转人工" not in reply


def test_anyone_there_while_waiting_for_a_person_asks_for_that_person_again(resident):
    converse(resident, [("转人工", "哪类问题"), ("有人吗", "还没有回复您")])
