"""Urgent cases followed up, as dialogues: what the resident says → what the bot answers.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

import pytest

from bot.storage.residents import find_resident
from bot.storage.tickets import tickets_of_resident
from tests.scripted import ScriptedClassifier
from tests.test_dialogue_triage import model_says
from tests.wechat_user import converse


def urgent_case(services, resident):
    with services.db.session() as session:
        tickets = tickets_of_resident(session, find_resident(session, resident.openid).id)
        return [ticket for ticket in tickets if ticket.urgent][0]


def test_one_who_cannot_phone_gets_the_sms_way_in_every_later_advice(services, resident):
    replies = converse(
        resident,
        [
            ("救命 我老公喝醉了在砸东西 说要打死我", "110"),
            ("我不能打电话 一出声他就知道我在屋里", "12110"),
            ("他又在踹门了 怎么办", "12110"),
            ("门快被他踹开了", "12110"),
            ("好像他走了", "12110"),
        ],
    )
    for reply in replies[2:]:
        assert "短信" in reply and "拨打 110" not in reply, reply
    assert "情况危急" in replies[3] and "马上" in replies[3]
    assert "静音" in replies[3], "a reply by SMS must not ring where the abuser hears it"
    assert "房间" in replies[3] or "离开" in replies[3]
    assert (
        "门快被踹开" in urgent_case(services, resident).description
        or "危险升级" in urgent_case(services, resident).description
    )


def test_waiting_for_the_ambulance_gets_the_first_aid_steps_again(services, resident):
    replies = converse(
        resident,
        [
            ("我妈刚才在厨房晕倒了 喊她没反应", "120"),
            ("救护车还没来 我该做什么", "120"),
        ],
    )
    assert "平躺" in replies[1] and "呼吸" in replies[1]
    assert "一并解答" not in replies[1]
    assert not any("让他" in reply or "看看他" in reply for reply in replies)


def test_one_who_cannot_phone_from_the_first_message_is_told_the_sms_way_at_once(services, resident):
    reply = converse(resident, [("救命 我老公在砸门要打死我 我不敢打电话 他会听到", "12110")])[0]
    assert "拨打 110" not in reply and "短信回复" in reply


def test_a_door_about_to_give_way_is_said_plainly_and_marked_for_staff(services, resident):
    replies = converse(
        resident,
        [
            ("救命 我老公喝醉了在砸东西 说要打死我", "110"),
            ("门快被他踹开了", "注明情况危急"),
        ],
    )
    assert "拨打 110" in replies[1] and "反锁的房间" in replies[1]
    assert "危险升级" in urgent_case(services, resident).description


@pytest.mark.parametrize(
    "asks",
    ["喂 有没有活人在线啊 我等半天了", "帮我喊个人来", "等了好久了 你们工作人员到底在不在", "我要跟人说话"],
)
def test_asking_for_a_person_reaches_one_without_the_danger_caution(services, resident, asks):
    (reply,) = converse(resident, [(asks, "工作人员")])
    assert "⚠️" not in reply and "119" not in reply
    with services.db.session() as session:
        (ticket,) = tickets_of_resident(session, find_resident(session, resident.openid).id)
        assert ticket.person_requested_at is not None


def test_asking_whether_anyone_is_at_work_gets_the_hours_and_whether_open_now(services, resident):
    (reply,) = converse(resident, [("你们那边有人上班冇", "9:00")])
    assert "现在是开放时间" in reply or "现在不是开放时间" in reply
    assert "法律咨询吗" not in reply


def test_asking_for_a_mediator_to_settle_things_is_a_case_for_the_mediator(services, resident):
    (reply,) = converse(resident, [("万松园社区这边，想请个调解员来帮我们两家说和一下", "调解员")])
    assert "法律咨询吗" not in reply


def test_none_of_the_kinds_offered_leads_to_all_three_and_a_person(services, resident):
    complaint = "工程干完半年了甲方一直拖着款不结"
    services.classifier = ScriptedClassifier(
        {complaint: model_says(complaint, ("nlu_fallback", 0.5), ("out_of_scope", 0.41))}
    )
    replies = converse(
        resident,
        [
            (complaint, "回复 2 都不是"),
            ("2", "邻里纠纷"),
            ("都不是", "转人工"),
        ],
    )
    assert "换个说法" not in replies[1] and "转人工" in replies[1] and "物业问题" in replies[1]
