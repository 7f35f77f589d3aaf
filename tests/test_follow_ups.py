"""Following up: a resident answering what staff asked (a question, a mediation notice) reaches
them instead of opening a new case; on an open urgent case, the advice fits its danger and is not
repeated, and a resident who cannot talk is written to. The words are data (bot/data/follow_ups.yml)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.cases import actions as casework
from bot.nlu.phrases import FOLLOW_UPS
from bot.nlu.types import Classification
from bot.storage.base import utcnow
from bot.storage.messages import Message, answered_by_resident
from bot.storage.residents import find_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket, tickets_of_resident
from tests.conftest import run_jobs
from tests.scripted import ScriptedClassifier
from tests.staff_user import new_case
from tests.wechat_user import converse

EXAMPLES = [
    pytest.param(name, text, should, id=f"{name}-{'match' if should else 'no_match'}-{text}")
    for name, concept in FOLLOW_UPS.items()
    for should, texts in ((True, concept.match), (False, concept.no_match))
    for text in texts
]


def lawyer_asks(services, case_id: int, question: str = "王阿姨，请问您儿子现在每月收入大概多少？") -> None:
    """张律师 asks the resident for more on the case (请居民补充), as the console does."""
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        casework.ask_for_information(session, services.jobs, session.get(Ticket, case_id), lawyer, question)


@pytest.mark.parametrize(("name", "text", "should"), EXAMPLES)
def test_each_example_matches_its_concept_or_not(name, text, should):
    assert FOLLOW_UPS[name].found(text) is should


def test_every_concept_says_what_it_means_and_has_examples_both_ways():
    for concept in FOLLOW_UPS.values():
        assert concept.about and concept.match and concept.no_match, concept.name


def tickets(services, openid: str) -> list[Ticket]:
    with services.db.session() as session:
        return tickets_of_resident(session, find_resident(session, openid).id)


def linked(services, case_id: int) -> set[str]:
    with services.db.session() as session:
        query = select(Message.content).where(Message.ticket_id == case_id, Message.direction == "in")
        return set(session.scalars(query))


# --- answering what staff asked ---------------------------------------------------------------


@pytest.mark.usefixtures("rasa_server")
def test_answering_a_lawyers_question_reaches_the_lawyer_and_opens_nothing(services, resident, fake_wechat, bound):
    case_id, _, _ = new_case(services, "baguodun", text="儿子不给赡养费，我想问问怎么要", openid=resident.openid)
    lawyer_openid = bound("zhang.lawyer")
    lawyer_asks(services, case_id)
    said = ["他一个月挣八千多，我没有退休金", "不是新的事，我是回答张律师问的问题"]
    for reply in converse(resident, [(text, "张律师（社区律师）") for text in said]):
        assert "哪一类" not in reply and "哪个社区" not in reply and "情况：" not in reply
    assert len(tickets(services, resident.openid)) == 1
    assert set(said) <= linked(services, case_id)
    with services.db.session() as session:
        assert case_id in answered_by_resident(session, [case_id])  # the inbox: 居民新消息
    run_jobs(services)
    assert [m for m in fake_wechat.messages(touser=lawyer_openid) if "新消息" in m["content"]]


@pytest.mark.usefixtures("rasa_server")
def test_saying_it_answers_the_lawyer_takes_back_an_intake_it_started(services, resident):
    case_id, _, _ = new_case(services, "baguodun", text="儿子不给赡养费，我想问问怎么要", openid=resident.openid)
    lawyer_asks(services, case_id)
    story = "另外我儿子一个月挣八千多，可是一分钱赡养费都不给我，我没有退休金，生病了也没人管，这个怎么办"
    reply = resident.says(story)  # "另外……": taken in as a new matter, as always
    assert "张律师" not in reply
    converse(resident, [("不是新的事，我是回答张律师问的问题", "这不另外登记")])
    assert len(tickets(services, resident.openid)) == 1
    assert "flow" not in services.dialogue.load(resident.openid)
    assert story in linked(services, case_id)


def test_saying_it_answers_the_lawyer_at_the_which_kind_question_opens_nothing(services, resident):
    story = "另外他说他每个月还房贷就要五千，还要养两个孩子，实在拿不出钱来，我这个情况到底算哪一种"
    services.classifier = ScriptedClassifier(
        {story: Classification("legal_consultation", 0.48, [("legal_consultation", 0.48), ("neighbor_dispute", 0.44)])}
    )
    case_id, _, _ = new_case(services, "baguodun", text="儿子不给赡养费，我想问问怎么要", openid=resident.openid)
    lawyer_asks(services, case_id)
    converse(resident, [(story, "回复 1"), ("我是回答张律师问的问题", "这不另外登记")])
    assert len(tickets(services, resident.openid)) == 1
    assert "flow" not in services.dialogue.load(resident.openid)
    assert story in linked(services, case_id)


@pytest.mark.usefixtures("rasa_server")
def test_asking_to_move_a_mediation_reaches_the_mediator(services, resident, fake_wechat, bound):
    case_id, _, _ = new_case(
        services, "baguodun", "neighbor_dispute", text="楼上天天半夜跺脚，吵得孩子睡不着觉", openid=resident.openid
    )
    mediator_openid = bound("li.mediator")
    with services.db.session() as session:
        casework.schedule_mediation(
            session,
            services.jobs,
            session.get(Ticket, case_id),
            staff_by_username(session, "li.mediator"),
            utcnow() + timedelta(days=1),
            "八古墩社区调解室",
        )
    (reply,) = converse(resident, [("明天下午我要去医院，能不能改到周三上午", "李调解员")])
    assert "以李调解员的回复为准，在这之前原定时间不变" in reply and "法律咨询" not in reply
    assert len(tickets(services, resident.openid)) == 1
    assert "明天下午我要去医院，能不能改到周三上午" in linked(services, case_id)
    with services.db.session() as session:
        assert case_id in answered_by_resident(session, [case_id])
    run_jobs(services)
    assert [m for m in fake_wechat.messages(touser=mediator_openid) if "新消息" in m["content"]]


@pytest.mark.usefixtures("rasa_server")
def test_a_new_matter_after_a_question_from_staff_is_taken_in_as_usual(services, resident):
    case_id, _, _ = new_case(services, "baguodun", text="儿子不给赡养费，我想问问怎么要", openid=resident.openid)
    lawyer_asks(services, case_id)
    reply = resident.says("另外还有个事，楼上天天半夜跺脚，吵得孩子睡不着觉")
    assert "邻里纠纷" in reply and "张律师" not in reply


# --- an open urgent case ----------------------------------------------------------------------

STAFF_WRITE_NOTE = "【请工作人员注意】居民不便接打电话，请用文字联系"


@pytest.mark.usefixtures("rasa_server")
def test_not_daring_to_call_because_he_would_hear_gets_the_sms_number(services, resident):
    converse(
        resident,
        [
            ("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110"),
            ("不敢打 他听得到", "12110"),
        ],
    )
    (ticket,) = tickets(services, resident.openid)
    assert ticket.description.count(STAFF_WRITE_NOTE) == 1


@pytest.mark.usefixtures("rasa_server")
def test_a_cry_for_help_on_a_collapse_gets_the_ambulance_advice(services, resident):
    (opened,) = converse(resident, [("我屋老头子倒在地上喊不应", "120")])
    assert "不要随意搬动" in opened
    (reply,) = converse(resident, [("快来人啊 人呢", "120")])
    assert "报警" not in reply and "安全的地方" not in reply and "胸外按压" in reply
    assert len(tickets(services, resident.openid)) == 1


@pytest.mark.usefixtures("rasa_server")
def test_more_of_the_same_danger_is_added_without_the_warning_again(services, resident):
    converse(resident, [("救救我 我老公喝醉了在外面砸门 说今天要弄死我", "110")])
    (reply,) = converse(resident, [("他还在踢门 我好怕 怎么办", "已补充到紧急工单")])
    assert "⚠️" not in reply and "110" in reply
    (reply,) = converse(resident, [("厨房着火了", "119")])  # a new danger gets its own advice
    assert "⚠️" in reply
