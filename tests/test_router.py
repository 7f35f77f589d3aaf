"""The router and the declared flows: what the resident says → what the bot answers → which
step is next. Real Redis, PostgreSQL and Rasa, through the real callback."""

from __future__ import annotations

import pytest

from bot.dialogue.flows import Dialogue
from bot.dialogue.handlers import ANYTIME, FLOWS
from bot.nlu.phrases import ANYTIME_PHRASES
from bot.storage.residents import find_resident
from bot.storage.tickets import tickets_of_resident

pytestmark = pytest.mark.usefixtures("rasa_server")

NO_FLOW = (None, None)


def step_of(services, openid: str) -> tuple[str | None, str | None]:
    """The resident's active flow and step, as stored."""
    dialogue = Dialogue.from_dict(services.dialogue.load(openid))
    return dialogue.flow_name, dialogue.flow.step if dialogue.flow else None


def talk(services, resident, script) -> list[str]:
    """Play (says, the reply contains, the (flow, step) after it) lines; return the replies."""
    replies = []
    for says, expected, step in script:
        reply = resident.says(says)
        assert expected in reply, f"\n居民：{says}\n机器人：{reply}\n（应包含：{expected}）"
        assert step_of(services, resident.openid) == step, f"居民：{says} → {step_of(services, resident.openid)}"
        replies.append(reply)
    return replies


def tickets(services, openid: str):
    with services.db.session() as session:
        resident = find_resident(session, openid)
        found = tickets_of_resident(session, resident.id)
        session.expunge_all()
        return found


def test_every_step_and_any_time_phrase_has_a_handler():
    for name, flow in FLOWS.items():
        assert flow.state.FLOW == name
        assert flow.steps, name
        assert all(callable(step.handler) for step in flow.steps.values())
    assert {phrase.intent for phrase in ANYTIME_PHRASES} == set(ANYTIME)


# --- intake ---------------------------------------------------------------------------------


def test_intake_walks_details_community_phone_confirm(services, resident):
    talk(
        services,
        resident,
        [
            ("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "邻里纠纷", ("intake", "community")),
            ("青年社区", "手机号", ("intake", "phone")),
            ("不用了", "请确认", ("intake", "confirm")),
            ("确认", "工单", NO_FLOW),
        ],
    )
    [ticket] = tickets(services, resident.openid)
    assert ticket.category == "neighbor_dispute" and ticket.contact_phone is None


def test_cancel_in_words_at_the_community_step(services, resident):
    talk(
        services,
        resident,
        [
            ("楼上那家每天凌晨还在拖椅子，吵得我们整晚睡不着", "邻里纠纷", ("intake", "community")),
            ("唉我想想还是不弄了", "已取消", NO_FLOW),
        ],
    )
    assert tickets(services, resident.openid) == []


def test_a_new_question_at_the_community_step_is_not_taken_for_a_place(services, resident):
    replies = talk(
        services,
        resident,
        [
            ("公司三个月没发工资了老板也联系不上", "法律咨询", ("intake", "community")),
            ("对了，物业费一年涨了两次这合法吗", "记进您的登记里", ("intake", "community")),
        ],
    )
    # Answered honestly (the lawyer answers it with the case), and the community asked again.
    assert "没有找到" not in replies[-1] and "哪个社区" in replies[-1] and "律师看了" in replies[-1]


def test_two_unusable_answers_offer_a_way_out(services, resident):
    replies = talk(
        services,
        resident,
        [
            ("公司三个月没发工资了老板也联系不上", "法律咨询", ("intake", "community")),
            ("随便吧", "没太明白您住在哪里", ("intake", "community")),
            ("嗯嗯嗯哈", "转人工", ("intake", "community")),
        ],
    )
    assert "转人工" not in replies[1]
    talk(services, resident, [("不知道", "区公共法律服务中心", ("intake", "phone"))])


def test_a_fragment_of_the_story_at_the_community_question_is_kept(services, resident):
    talk(
        services,
        resident,
        [
            ("楼上漏水", "邻里纠纷", ("intake", "community")),
            ("滴到我床上了", "记到您的描述里", ("intake", "community")),
        ],
    )


def test_my_cases_in_the_middle_of_an_intake_keeps_the_question(services, resident):
    talk(
        services,
        resident,
        [
            ("公司三个月没发工资了老板也联系不上", "法律咨询", ("intake", "community")),
            ("我的工单", "接着刚才的", ("intake", "community")),
        ],
    )


def test_go_back_from_the_phone_question(services, resident):
    talk(
        services,
        resident,
        [
            ("公司三个月没发工资了老板也联系不上", "法律咨询", ("intake", "community")),
            ("青年社区", "手机号", ("intake", "phone")),
            ("说错了", "社区重新说一下", ("intake", "community")),  # the question before the phone's
        ],
    )


# --- other flows ----------------------------------------------------------------------------


def test_faq_offer_then_a_new_topic_leaves_the_offer(services, resident):
    talk(
        services,
        resident,
        [
            ("晚上几点以后不能制造噪音？有法律规定吗", "依据", ("faq_offer", "offer")),
            ("今天天气怎么样", "12345", NO_FLOW),
        ],
    )


def test_moving_to_another_district_is_told_where_to_go(services, resident):
    talk(
        services,
        resident,
        [
            ("我搬家了", "哪个社区", ("moving", "community")),
            ("搬到武昌去了", "武昌区公共法律服务中心", NO_FLOW),
        ],
    )


def test_after_an_urgent_case_cancel_is_not_taken_as_a_detail(services, resident):
    talk(
        services,
        resident,
        [
            ("楼下着火了好多烟", "119", ("urgent", "follow_up")),
            ("取消", "紧急工单仍会有工作人员跟进", NO_FLOW),
        ],
    )
