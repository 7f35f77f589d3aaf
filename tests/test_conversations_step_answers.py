"""Answers to the bot's own questions as residents give them, as dialogues: 武汉话 yes at the
summary, an ordinal word for a numbered choice, a yes to a list of one, a number read out with 幺,
and "no need" at the phone question.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from tests.conversation_helpers import no_tickets, only_ticket
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


# Wuhan words for yes, "no problem, just like that", "submit it as it is".
@pytest.mark.parametrize(
    "yes",
    ["中", "要得", "是滴", "冇得问题", "对头 就是这个事", "冇得问题 就这样", "冇得 就这样交", "直接提交", "不用补充了"],
)
def test_a_yes_or_submit_as_it_is_at_the_summary_opens_the_case(services, resident, yes):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("青年社区", "手机号"),
            ("不留", "请确认"),
            (yes, "工单"),
        ],
    )
    assert yes not in only_ticket(services, resident.openid).description  # a yes is no part of the story


def test_an_ordinal_word_picks_from_a_numbered_list(services, resident):
    replies = converse(
        resident,
        [
            ("楼上空调外机的水一直滴到我家窗台上", "社区"),
            ("唐家墩", "回复 2"),
        ],
    )
    second = next(line for line in replies[-1].splitlines() if line.startswith("回复 2"))
    name = second.removeprefix("回复 2").strip().split("（")[0]
    converse(resident, [("第二个", f"已记下：{name}")])


def test_a_yes_to_a_list_of_one_picks_it(services, resident):
    converse(
        resident,
        [
            ("楼上空调外机的水一直滴到我家窗台上", "社区"),
            ("八古蹲", "回复 1 八古墩社区"),
            ("是的", "已记下：八古墩社区"),
        ],
    )


def test_a_number_read_out_in_groups_with_yao_is_the_phone(services, resident):
    converse(
        resident,
        [
            ("小区电梯坏了一个星期了物业也不修", "哪个社区"),
            ("青年社区", "手机号"),
            ("幺三八 零七一二 三四五六", "请确认"),
            ("1", "工单"),
        ],
    )
    assert only_ticket(services, resident.openid).contact_phone == "13807123456"


@pytest.mark.parametrize("no_need", ["没必要留", "冇得必要留 微信上说就行"])
def test_no_need_at_the_phone_question_is_no_phone(services, resident, no_need):
    replies = converse(
        resident,
        [
            ("房东不退押金，说我把墙弄脏了要扣两千", "哪个社区"),
            ("青年社区", "手机号"),
            (no_need, "请确认"),
        ],
    )
    assert no_need not in replies[-1]  # not added to the story shown in the summary
    converse(resident, [("1", "工单")])
    ticket = only_ticket(services, resident.openid)
    assert ticket.contact_phone is None and no_need not in ticket.description
    assert not no_tickets(services, resident.openid)


def test_nothing_to_add_after_all_submits_the_case_without_adding_the_words(services, resident):
    converse(
        resident,
        [
            ("楼上那家天天半夜拖椅子，吵得老人整晚睡不着", "邻里纠纷"),
            ("青年社区", "手机号"),
            ("不留", "请确认"),
            ("2", "请补充"),
            ("不是 我是说不用补充了 直接提交", "工单"),
        ],
    )
    assert "直接提交" not in only_ticket(services, resident.openid).description


def test_not_knowing_what_to_answer_to_the_one_room_offered_keeps_the_story_for_it(services, resident):
    converse(
        resident,
        [
            ("我是外地来武汉打工的，在汉口火车站附近，老板不给工钱", "这是想咨询法律问题吗"),
            ("不晓得是么社区", "哪个社区"),
            ("不晓得", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    ticket = only_ticket(services, resident.openid)
    assert ticket.category == "legal_consultation" and "老板不给工钱" in ticket.description
