"""Triage dialogues: a courtesy around a question is the question, and doubt goes to the lawyer.

Through the real callback, Redis, PostgreSQL and Rasa; where a test is about what the policy does
with one particular model answer, that answer is scripted (with the message text, as Rasa gives it).
"""

from __future__ import annotations

import pytest

from bot.nlu.types import Classification
from bot.storage.residents import find_resident
from bot.storage.tickets import Ticket, tickets_of_resident
from tests.scripted import ScriptedClassifier
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def tickets(services, openid: str) -> list[Ticket]:
    with services.db.session() as session:
        resident = find_resident(session, openid)
        return tickets_of_resident(session, resident.id) if resident else []


def lawyer_case(services, openid: str) -> Ticket:
    [ticket] = tickets(services, openid)
    assert (ticket.category, ticket.role) == ("legal_consultation", "lawyer")
    return ticket


def model_says(text: str, *ranking: tuple[str, float]) -> Classification:
    """What Rasa answered for this text (the first entry is the intent)."""
    return Classification(ranking[0][0], ranking[0][1], list(ranking), [], "rasa", text)


def test_a_greeting_in_front_of_a_divorce_question_opens_a_case_with_the_lawyer(services, resident):
    converse(
        resident,
        [
            ("你好在吗 我老公要跟我离婚 孩子才三岁 房子是婚后一起买的 我不知道怎么办", "转给社区律师"),
            ("舞台社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    assert "离婚" in lawyer_case(services, resident.openid).description


def test_a_bare_greeting_is_only_greeted(services, resident):
    reply = converse(resident, [("你好，在吗", "请直接说说您遇到的问题")])[0]
    assert "回复 1" not in reply
    assert tickets(services, resident.openid) == []


def test_when_the_model_calls_a_wrapped_question_a_greeting_the_bot_asks_about_the_lawyer(services, resident):
    question = "你好在吗 想问下我老公要离婚 孩子归谁 我不知道怎么办"
    services.classifier = ScriptedClassifier(
        {
            question: model_says(question, ("greet", 0.86), ("legal_consultation", 0.1), ("out_of_scope", 0.03)),
        }
    )
    converse(
        resident,
        [
            (question, "这是想咨询法律问题吗？\n回复 1 法律咨询，转社区律师"),
            ("1", "转给社区律师"),
            ("舞台社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    assert question in lawyer_case(services, resident.openid).description


def test_thanks_after_a_traffic_question_is_the_question(services, resident):
    question = "闯红灯被电子眼拍了 要扣几分罚多少钱 对处罚不服能不能申诉 谢谢"
    services.classifier = ScriptedClassifier(
        {
            question: model_says(question, ("thank", 0.62), ("legal_consultation", 0.33), ("out_of_scope", 0.04)),
        }
    )
    converse(
        resident,
        [
            (question, "明白，这属于法律咨询，我来帮您转给社区律师"),
            ("舞台社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    lawyer_case(services, resident.openid)


def test_thanks_after_a_question_with_the_real_model(services, resident):
    converse(
        resident,
        [
            ("借给朋友两万块钱 他一直拖着不还 还把我拉黑了 我能去法院起诉他吗 谢谢", "转给社区律师"),
        ],
    )


def test_a_terse_payment_complaint_the_model_is_unsure_of_goes_to_the_lawyer(services, resident):
    complaint = "工程干完半年了甲方一直拖着款不结"
    services.classifier = ScriptedClassifier(
        {
            complaint: model_says(complaint, ("nlu_fallback", 0.5), ("out_of_scope", 0.41), ("greet", 0.2)),
        }
    )
    converse(
        resident,
        [
            (complaint, "这是想咨询法律问题吗？"),
            ("1", "转给社区律师"),
            ("舞台社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    assert complaint in lawyer_case(services, resident.openid).description


def test_no_to_the_lawyer_question_opens_nothing(services, resident):
    complaint = "工程干完半年了甲方一直拖着款不结"
    services.classifier = ScriptedClassifier(
        {
            complaint: model_says(complaint, ("nlu_fallback", 0.5), ("out_of_scope", 0.41)),
        }
    )
    converse(
        resident,
        [
            (complaint, "回复 2 都不是"),
            ("2", "邻里纠纷"),  # none of these: the three kinds, and a person
        ],
    )
    assert tickets(services, resident.openid) == []


def test_a_clearly_outside_message_is_declined_saying_what_the_service_does(services, resident):
    converse(resident, [("明天武汉会不会下雨啊", "可以解答法律问题")])
    assert tickets(services, resident.openid) == []
