"""A resident asks in chat to have their personal data deleted (bot/dialogue/handlers/privacy.py): told what
goes, what the law keeps and by when; recorded once for an admin; never taken for a withdrawal.
Through the real callback, Redis, PostgreSQL and Rasa."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.cases import actions as casework
from bot.cases.privacy import ERASED_NOTICE, erase_residents
from bot.storage.privacy_requests import PrivacyRequest, RequestStatus
from bot.storage.residents import find_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket, tickets_of_resident
from tests.conftest import run_jobs
from tests.staff_user import new_case
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")

# What a resident says to have a property complaint registered (a case open at 东民社区).
OPEN_A_PROPERTY_CASE = [
    ("物业天天不打扫楼道，垃圾堆了一个星期", "物业问题"),
    ("东民社区", "手机号"),
    ("不留", "请确认"),
    ("1", "工单"),
]


def requests_of(services, openid: str) -> list[PrivacyRequest]:
    with services.db.session() as session:
        resident = find_resident(session, openid)
        return list(session.scalars(select(PrivacyRequest).where(PrivacyRequest.resident_id == resident.id)))


def open_case(services, openid: str) -> Ticket:
    with services.db.session() as session:
        (ticket,) = tickets_of_resident(session, find_resident(session, openid).id)
        return ticket


def test_a_resident_with_an_open_case_asks_to_have_their_data_deleted(services, resident):
    converse(resident, OPEN_A_PROPERTY_CASE)
    number = open_case(services, resident.openid).number
    first, again = converse(
        resident,
        [
            ("把我的个人信息删掉", "申请已经登记"),
            ("我不想你们保存我的信息了", "已经在"),
        ],
    )
    print(f"\n居民：把我的个人信息删掉\n机器人：{first}\n居民：我不想你们保存我的信息了\n机器人：{again}")
    assert "15个工作日" in first and "统计信息" in first and "全部消息、照片" in first
    assert number in first and "先办结或撤回" in first and "撤回" in again
    assert "不用再申请" in again and "15个工作日内" not in again  # acknowledged, not promised again
    (request,) = requests_of(services, resident.openid)
    assert request.status == RequestStatus.OPEN
    assert open_case(services, resident.openid).status == "new"  # never a withdrawal


def test_asked_at_the_withdraw_question_it_is_no_withdrawal(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚", "邻里纠纷"),
            ("八古墩", "已记下"),
            ("每天晚上十二点以后还在咚咚咚", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    withdraw = resident.says("撤回")
    reply = resident.says("注销我的资料")
    print(f"\n居民：撤回\n机器人：{withdraw}\n居民：注销我的资料\n机器人：{reply}")
    assert "申请已经登记" in reply and "【接着刚才的】" in reply
    assert open_case(services, resident.openid).status == "new"
    assert len(requests_of(services, resident.openid)) == 1


def test_in_the_middle_of_an_intake_the_request_is_recorded_and_the_intake_goes_on(services, resident):
    converse(
        resident,
        [
            ("电梯坏了一个多星期了物业一直拖着不修", "物业问题"),
            ("打铜社区", "手机号"),
            ("你好，请删除我的个人信息", "申请已经登记"),
            ("不留", "请确认"),
        ],
    )
    with services.db.session() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(PrivacyRequest)
                .where(PrivacyRequest.resident_id == find_resident(session, resident.openid).id)
            )
            == 1
        )


def test_a_story_about_someone_deleting_chat_records_is_no_request(services, resident):
    resident.says("他把我的聊天记录删了，离婚的时候还能当证据吗")
    assert requests_of(services, resident.openid) == []


def test_at_the_withdraw_question_deleting_is_no_withdrawal_and_opens_no_case(services, resident):
    converse(
        resident,
        [
            ("楼上天天半夜跺脚", "邻里纠纷"),
            ("八古墩", "已记下"),
            ("每天晚上十二点以后还在咚咚咚", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
            ("撤回", "要撤回工单"),
        ],
    )
    reply = resident.says("不是撤 是删我的个人信息")
    print(f"\n居民：不是撤 是删我的个人信息\n机器人：{reply}")
    assert "申请已经登记" in reply and "⚠️" not in reply
    assert open_case(services, resident.openid).status == "new"
    assert len(requests_of(services, resident.openid)) == 1
    with services.db.session() as session:
        assert len(tickets_of_resident(session, find_resident(session, resident.openid).id)) == 1


def test_stopping_an_intake_to_have_what_was_said_deleted(services, resident):
    converse(
        resident,
        [
            ("楼上邻居天天半夜吵，我想让调解员来处理一下", "邻里纠纷"),
            ("算了 不想登记了 把我刚说的都删了吧", "不登记了"),
        ],
    )
    reply = resident.says("还是帮我登记一下吧")
    print(f"\n居民：算了 不想登记了 把我刚说的都删了吧\n居民：还是帮我登记一下吧\n机器人：{reply}")
    assert "已保存" not in reply
    assert len(requests_of(services, resident.openid)) == 1
    with services.db.session() as session:
        assert tickets_of_resident(session, find_resident(session, resident.openid).id) == []


@pytest.mark.parametrize(
    "text",
    [
        "我不想你们留到我的信息 把我的资料都删了",
        "把我的记录全部删掉",
        "等下 你们会不会把我信息存起来啊 我不想留记录 删了吧",
        "我不想用了 把我的资料注销掉",
        "不是 不要登记 我是要删我的信息",
        "能不能帮我清掉 我不想留底",
        "我不想用了，请把我的个人信息全部删掉",
    ],
)
def test_mid_intake_a_request_to_delete_is_recorded_without_a_danger_caution(services, resident, text):
    resident.says("物业把小区的垃圾堆在我家楼下好几天了没人管")
    reply = resident.says(text)
    print(f"\n居民：{text}\n机器人：{reply}")
    assert "申请已经登记" in reply and "⚠️" not in reply and "已取消" not in reply
    assert len(requests_of(services, resident.openid)) == 1


def test_someone_may_look_at_her_phone_she_is_told_how_to_delete_the_chat_first(services, resident):
    reply = resident.says("我怕他看我手机 你们能不能把我发的这些都删掉")
    print(f"\n居民：我怕他看我手机 你们能不能把我发的这些都删掉\n机器人：{reply}")
    assert "删除该聊天" in reply and "删除我的信息" in reply
    assert requests_of(services, resident.openid) == []  # only if she asks for it
    converse(resident, [("删除我的信息", "申请已经登记")])
    assert len(requests_of(services, resident.openid)) == 1


def test_asking_how_far_the_deletion_is(services, resident):
    converse(
        resident,
        [
            ("那我的信息现在删了吗", "还没有申请"),
            ("把我的个人信息删掉", "申请已经登记"),
        ],
    )
    first, second = converse(
        resident,
        [
            ("那什么时候删好 删好了会告诉我吗", "还没有删"),
            ("那我的信息现在删了吗", "不用再申请"),
        ],
    )
    print(f"\n居民：那什么时候删好 删好了会告诉我吗\n机器人：{first}")
    assert "前删好" in first and "告诉您" in first and "月" in first
    assert len(requests_of(services, resident.openid)) == 1


def test_after_withdrawing_the_case_that_held_it_up_the_deletion_goes_ahead(services, resident):
    converse(
        resident,
        OPEN_A_PROPERTY_CASE
        + [
            ("把我的个人信息删掉", "先办结或撤回"),
            ("撤回", "要撤回工单"),
        ],
    )
    reply = resident.says("1")
    print(f"\n居民：1\n机器人：{reply}")
    assert "已撤回" in reply and "现在可以办理" in reply and "告诉您" in reply


def test_while_a_mediator_holds_the_conversation_a_request_to_delete_is_answered(services, resident, fake_wechat):
    case_id, _, _ = new_case(services, "baguodun", openid=resident.openid)
    with services.db.session() as session:
        casework.take_over(
            session, services.jobs, session.get(Ticket, case_id), staff_by_username(session, "zhang.lawyer")
        )
    run_jobs(services)
    reply = resident.says("算了 我不想调解了 把我的个人信息都删了吧")
    print(f"\n（调解员接管中）居民：算了 我不想调解了 把我的个人信息都删了吧\n机器人：{reply}")
    assert "申请已经登记" in reply and "先办结或撤回" in reply and "⚠️" not in reply
    assert len(requests_of(services, resident.openid)) == 1
    converse(resident, [("那什么时候删好 删好了会告诉我吗", "告诉您")])
    assert resident.says("好的 等调解员联系我") == ""  # the rest stays the mediator's


def test_erased_while_away_the_resident_is_told_when_they_write_again(services, resident, fake_wechat):
    converse(resident, [("把我的个人信息删掉", "会在微信上告诉您")])
    fake_wechat.set_window(resident.openid, False)  # silent for more than 48 hours
    assert erase_residents(services, [resident.openid]).erased
    run_jobs(services)
    assert fake_wechat.messages(touser=resident.openid) == []
    fake_wechat.set_window(resident.openid, True)
    resident.says("你好")  # a new resident for us; the notice that waited is theirs
    run_jobs(services)
    assert [message["content"] for message in fake_wechat.messages(touser=resident.openid)] == [ERASED_NOTICE]
    assert requests_of(services, resident.openid) == []  # nothing of the erased resident is theirs now


@pytest.mark.parametrize(
    "asked", ["你们别存我的资料了 全部清掉", "我不想用了，把我留的电话和聊天记录都删了吧"], ids=["别存", "留的电话"]
)
def test_everyday_words_for_deleting_are_a_request_even_with_a_case_open(services, resident, asked):
    converse(resident, OPEN_A_PROPERTY_CASE)
    reply = resident.says(asked)
    print(f"\n居民：{asked}\n机器人：{reply}")
    assert "申请已经登记" in reply and "先办结或撤回" in reply
    assert "没太明白" not in reply and "要撤回工单" not in reply and "补充" not in reply
    assert len(requests_of(services, resident.openid)) == 1
    assert open_case(services, resident.openid).status == "new"


def test_erased_by_an_administrator_the_resident_hears_their_case_was_withdrawn_and_how_to_start_again(
    app, services, resident, fake_wechat
):
    converse(resident, OPEN_A_PROPERTY_CASE)
    number = open_case(services, resident.openid).number
    run_jobs(services)
    before = len(fake_wechat.messages(touser=resident.openid))
    # No request from the resident: an administrator erases them from the command line.
    result = app.test_cli_runner().invoke(args=["privacy", "delete", resident.openid, "--yes"])
    assert result.exit_code == 0, result.output
    assert "撤回的未办结工单 1 件" in result.output and "Redis" not in result.output
    run_jobs(services)
    [notice] = [message["content"] for message in fake_wechat.messages(touser=resident.openid)[before:]]
    print(f"\n（管理员删除后）机器人：{notice}")
    assert "个人信息已经删除了" in notice
    assert f"{number}（物业问题）也随之撤回了，工作人员不会再处理" in notice
    assert "请重新发消息告诉我们情况" in notice and "电话" in notice
    assert "楼道" not in notice and "垃圾" not in notice  # nothing of theirs in it

    reply = resident.says("我上午报的楼上吵的事 有人管冇")
    print(f"\n居民：我上午报的楼上吵的事 有人管冇\n机器人：{reply}")
    assert "没太明白" not in reply
    assert "您的个人信息和工单已经在" in reply and "按规定删除了" in reply and "重新给您登记" in reply


def test_asking_to_delete_in_answer_to_a_lawyers_question_is_a_request_not_an_answer(services, resident):
    case_id, _, _ = new_case(services, "baguodun", text="房东不退押金", openid=resident.openid)
    with services.db.session() as session:
        lawyer = staff_by_username(session, "zhang.lawyer")
        casework.ask_for_information(session, services.jobs, session.get(Ticket, case_id), lawyer, "押金是多少？")
    (reply,) = converse(resident, [("我想把我在你们这里的资料全部注销掉 个人信息不要保存", "申请已经登记")])
    assert "已转给" not in reply  # not passed to the lawyer as an answer
    assert len(requests_of(services, resident.openid)) == 1
