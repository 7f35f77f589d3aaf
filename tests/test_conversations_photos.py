"""Photos sent while several cases are open, as dialogues: the case being talked about takes them,
else the resident is asked which case they are for.

They go through the real callback, real Redis, PostgreSQL and the real Rasa model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.cases.lifecycle import tell_resident
from bot.storage.base import utcnow
from bot.storage.messages import Message
from bot.storage.residents import find_resident
from bot.storage.tickets import Ticket, TicketAttachment
from tests.conversation_helpers import tickets_of
from tests.wechat_user import converse

pytestmark = pytest.mark.usefixtures("rasa_server")


def two_cases(resident) -> None:
    """The resident opens a neighbour case, then a property case."""
    converse(
        resident,
        [
            ("楼上天天半夜拖凳子，吵得睡不着", "哪个社区"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
            ("物业把电梯停了半个月说是没钱修", "物业问题"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )


def photos_of(services, ticket_id: int) -> list[str]:
    """The media ids attached to a case."""
    with services.db.session() as session:
        return sorted(session.scalars(select(TicketAttachment.media_id).where(TicketAttachment.ticket_id == ticket_id)))


def by_category(services, openid: str) -> dict[str, Ticket]:
    """The resident's cases by their kind."""
    return {ticket.category: ticket for ticket in tickets_of(services, openid)}


def long_ago(services, openid: str) -> None:
    """Everything said so far was said two days ago."""
    with services.db.session() as session:
        resident_id = find_resident(session, openid).id
        session.execute(
            update(Message).where(Message.resident_id == resident_id).values(created_at=utcnow() - timedelta(days=2))
        )
        session.commit()


def test_a_photo_right_after_a_case_is_opened_goes_to_that_case(services, resident):
    two_cases(resident)
    cases = by_category(services, resident.openid)
    reply = resident.sends_photo("media-lift-1")
    assert f"已附到工单 {cases['property_complaint'].number}" in reply and "物业问题" in reply
    assert photos_of(services, cases["property_complaint"].id) == ["media-lift-1"]
    assert photos_of(services, cases["neighbor_dispute"].id) == []


def test_a_photo_after_staff_wrote_on_the_older_case_goes_to_that_case(services, resident):
    two_cases(resident)
    cases = by_category(services, resident.openid)
    with services.db.session() as session:
        older = session.get_one(Ticket, cases["neighbor_dispute"].id)
        tell_resident(session, services.jobs, older, "您好，麻烦拍一张楼上的照片发过来", "zhou.mediator")
        session.commit()
    reply = resident.sends_photo("media-upstairs-1")
    assert f"已附到工单 {older.number}" in reply
    assert photos_of(services, older.id) == ["media-upstairs-1"]
    assert photos_of(services, cases["property_complaint"].id) == []


def test_a_photo_with_two_cases_and_nothing_said_lately_asks_which_case(services, resident):
    two_cases(resident)
    cases = by_category(services, resident.openid)
    long_ago(services, resident.openid)
    asked = resident.sends_photo("media-lift-2")
    assert "这张照片是哪一个的" in asked and cases["neighbor_dispute"].number in asked
    assert "这张也收到了" in resident.sends_photo("media-lift-3")
    lift = next(line for line in asked.splitlines() if cases["property_complaint"].number in line)
    pick = lift.split()[1]  # "回复 2 工单 …"
    converse(resident, [(pick, f"照片已附到工单 {cases['property_complaint'].number}")])
    assert photos_of(services, cases["property_complaint"].id) == ["media-lift-2", "media-lift-3"]
    assert photos_of(services, cases["neighbor_dispute"].id) == []


def test_a_case_number_answers_which_case_a_photo_is_for(services, resident):
    two_cases(resident)
    cases = by_category(services, resident.openid)
    long_ago(services, resident.openid)
    resident.sends_photo("media-noise-1")
    number = cases["neighbor_dispute"].number
    converse(resident, [(f"是{number}这个", f"照片已附到工单 {number}")])
    assert photos_of(services, cases["neighbor_dispute"].id) == ["media-noise-1"]
