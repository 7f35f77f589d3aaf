"""A resident asks in chat to have their personal data deleted (bot/handlers/privacy.py): told what
goes, what the law keeps and by when; recorded once for an admin; never taken for a withdrawal.
Through the real callback, Redis, PostgreSQL and Rasa."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.storage.privacy_requests import PrivacyRequest, RequestStatus
from bot.storage.residents import find_resident
from bot.storage.tickets import Ticket, tickets_of_resident
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def requests_of(services, openid: str) -> list[PrivacyRequest]:
    with services.db.session() as session:
        resident = find_resident(session, openid)
        return list(session.scalars(select(PrivacyRequest).where(PrivacyRequest.resident_id == resident.id)))


def open_case(services, openid: str) -> Ticket:
    with services.db.session() as session:
        (ticket,) = tickets_of_resident(session, find_resident(session, openid).id)
        return ticket


def test_a_resident_with_an_open_case_asks_to_have_their_data_deleted(services, resident):
    converse(
        resident,
        [
            ("物业天天不打扫楼道，垃圾堆了一个星期", "物业问题"),
            ("东民社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
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
