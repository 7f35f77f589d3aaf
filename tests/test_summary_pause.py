"""At the summary and the steps before it, residents' own words for "wait", "no phone" and "that's all".

Through the real callback, PostgreSQL, Redis and the real Rasa model.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.dialogue.flows import Dialogue
from bot.dialogue.handlers import intake
from bot.storage.dialogues import find_dialogue
from bot.storage.residents import find_resident
from bot.storage.tickets import tickets_of_resident
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def draft(services, resident):
    """The intake being gathered (None when there is none) and the resident's cases."""
    with services.db.session() as session:
        person = find_resident(session, resident.openid)
        row = find_dialogue(session, resident.openid)
        flow = Dialogue.from_dict(row.state if row else {}).flow
        return flow, list(tickets_of_resident(session, person.id))


def at_the_summary(resident):
    converse(
        resident,
        [("小区电梯坏了一个多月 物业一直不修", "社区"), ("东民社区", "手机号"), ("不留", "请确认")],
    )


def test_thinking_it_over_at_the_summary_keeps_the_draft_until_they_submit(services, resident):
    at_the_summary(resident)
    reply = resident.says("先别急着交 我再想想")
    assert "先不提交" in reply and "留着" in reply and "提交" in reply, reply
    assert "再见" not in reply and reply.count("先不提交") == 1, reply
    flow, tickets = draft(services, resident)
    assert flow is not None and flow.step == "confirm" and tickets == [], flow
    assert not any("想想" in part or "先别" in part for part in flow.parts), flow.parts
    reply = resident.says("想好了 还是帮我交上去吧")
    assert "已为您登记" in reply, reply
    flow, tickets = draft(services, resident)
    assert flow is None and len(tickets) == 1 and "电梯" in tickets[0].description
    assert "想好了" not in tickets[0].description, tickets[0].description


def test_a_draft_held_at_the_summary_is_kept_at_least_as_long_as_a_cancelled_intake(settings):
    # The held draft is the dialogue itself: forgotten only after DIALOGUE_TTL untouched.
    assert timedelta(seconds=settings.dialogue_ttl) >= intake.RESUME_WITHIN


@pytest.mark.parametrize("picked_up", ["想好了 交吧", "提交"])
def test_after_thinking_it_over_plain_submit_words_hand_the_draft_in(services, resident, picked_up):
    at_the_summary(resident)
    resident.says("先别急着交 我再想想")
    reply = resident.says(picked_up)
    assert "已为您登记" in reply, reply
    _, tickets = draft(services, resident)
    assert len(tickets) == 1 and "电梯" in tickets[0].description


def test_going_on_with_the_draft_after_thinking_it_over_shows_the_summary(services, resident):
    at_the_summary(resident)
    resident.says("先别急着交 我再想想")
    reply = resident.says("刚才那个电梯的事 继续登记")
    assert "请确认" in reply and "电梯" in reply and "法律问题" not in reply, reply
    flow, tickets = draft(services, resident)
    assert flow is not None and flow.step == "confirm" and tickets == []
    assert not any("继续登记" in part for part in flow.parts), flow.parts
    assert "已为您登记" in resident.says("1")


def test_not_yet_with_more_to_say_invites_the_addition(services, resident):
    at_the_summary(resident)
    reply = resident.says("慢点 先莫提交 我还有话说")
    assert "先不提交" in reply and "补充" in reply and "已补充" not in reply, reply
    flow, tickets = draft(services, resident)
    assert tickets == [] and not any("有话说" in part or "先莫" in part for part in flow.parts), flow.parts
    reply = resident.says("物业上个月还涨了电梯费")
    assert "请确认" in reply, reply
    reply = resident.says("1")
    assert "已为您登记" in reply, reply
    _, tickets = draft(services, resident)
    assert "涨了电梯费" in tickets[0].description and "有话说" not in tickets[0].description


def test_the_property_knowing_the_number_means_no_phone(services, resident):
    converse(resident, [("小区电梯坏了一个多月 物业一直不修", "社区"), ("东民社区", "手机号")])
    reply = resident.says("物业那边晓得我号码 你们就不要了")
    assert "请确认" in reply and "愿意留一个手机号" not in reply, reply
    flow, _ = draft(services, resident)
    assert not any("号码" in part for part in flow.parts), flow.parts


def test_thats_all_at_the_community_step_asks_the_community_again_and_the_list_still_counts(services, resident):
    converse(
        resident,
        [("楼上空调外机的水一直滴到我家窗台上", "社区"), ("唐家墩", "回复 1")],
    )
    reply = resident.says("行了 就这些 交上去")
    assert "请说说您想咨询" not in reply and "社区" in reply, reply
    flow, tickets = draft(services, resident)
    assert tickets == [] and flow.step == "community"
    assert not any("就这些" in part for part in flow.parts), flow.parts
    assert "回复 3 东民社区" in reply, reply  # the list offered stays
    reply = resident.says("3")
    assert "已记下：东民社区" in reply, reply


def test_thats_all_before_any_list_asks_the_community_again(services, resident):
    converse(resident, [("楼上空调外机的水一直滴到我家窗台上", "社区")])
    reply = resident.says("行了 就这些 交上去")
    assert "请说说您想咨询" not in reply and "社区" in reply, reply
    flow, _ = draft(services, resident)
    assert flow.step == "community" and not any("就这些" in part for part in flow.parts), flow.parts


@pytest.mark.parametrize("leaving", ["好 再见", "再见", "那先这样吧 拜拜"])
def test_a_goodbye_after_thinking_it_over_keeps_the_draft(services, resident, leaving):
    at_the_summary(resident)
    resident.says("先别急着交 我再想想")
    reply = resident.says(leaving)
    assert "留着" in reply and "已补充" not in reply, reply
    flow, tickets = draft(services, resident)
    assert flow is not None and flow.step == "confirm" and tickets == []
    assert not any("再见" in part or "拜拜" in part for part in flow.parts), flow.parts
    assert "已为您登记" in resident.says("想好了 交吧")
