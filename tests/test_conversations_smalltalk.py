"""Small talk, as dialogues: greetings, thanks, a complaint about the service, and what the service
does not do.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from bot.storage.directory import unit_by_code
from tests.conversation_helpers import no_tickets, only_ticket
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def test_the_commonest_first_message_is_greeted(resident):
    converse(resident, [("在吗", "您好"), ("在吗？", "您好")])


def test_thanks_with_a_friendly_form_of_address_is_thanks(services, resident):
    converse(resident, [("谢谢你啊 姑娘", "不客气")])
    converse(
        resident,
        [
            ("楼上天天半夜跺脚，吵得孩子睡不着觉", "邻里纠纷"),
            ("八古墩", "手机号"),
            ("谢谢你啊 姑娘", "不客气"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    converse(resident, [("谢谢你啊 姑娘", "不客气")])
    assert "姑娘" not in only_ticket(services, resident.openid).description


def test_out_of_scope_gets_help_and_no_ticket(services, resident):
    converse(resident, [("明天武汉会不会下雨啊", "12345"), ("谢谢", "不客气")])
    assert no_tickets(services, resident.openid)


# --- an unhappy resident --------------------------------------------------------------------------


@pytest.mark.parametrize("says", ["我要投诉你们", "你们都是吃干饭的"])
def test_a_complaint_about_the_service_is_heard_and_told_where_to_go(services, resident, says):
    with services.db.session() as session:
        centre = unit_by_code(session, "jianghan")
        name, phone = centre.office_name, centre.phone
    reply = converse(resident, [(says, "抱歉")])[0]
    assert "转人工" in reply and name in reply and phone in reply and "您" in reply
    assert "没太明白" not in reply
