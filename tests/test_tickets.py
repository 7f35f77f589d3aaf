"""Cases: numbering, routing by category, status changes, escalation of overdue cases."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import bot.cases.tickets
from bot.cases.lifecycle import move_ticket
from bot.cases.office_hours import CHINA
from bot.cases.tickets import (
    CaseRequest,
    escalate,
    escalate_overdue,
    is_overdue,
    next_deadline,
    open_ticket,
    overdue_tickets,
    promise_made,
)
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.messages import Message
from bot.storage.residents import touch_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket, TicketEvent
from tests.conftest import run_jobs


@pytest.fixture
def session(services):
    with services.db.session() as session:
        yield session


@pytest.mark.parametrize(
    "category, role",
    [("neighbor_dispute", "mediator"), ("property_complaint", "property_officer"), ("legal_consultation", "lawyer")],
)
def test_each_category_goes_to_its_role(session, category, role):
    resident = touch_resident(session, f"o_tickets_{category}")
    room = unit_by_code(session, "baguodun")
    ticket = open_ticket(session, resident, CaseRequest(category=category, description="情况", unit=room))
    assert (ticket.role, ticket.unit_id, ticket.status) == (role, room.id, "new")
    assert ticket.number.startswith("JH") and ticket.number.endswith(f"{ticket.id:04d}")


def test_a_case_opened_after_midnight_in_beijing_is_numbered_with_that_day(session, monkeypatch):
    from datetime import datetime

    import bot.cases.tickets

    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: datetime(2026, 12, 3, 16, 41, tzinfo=UTC))
    resident = touch_resident(session, "o_tickets_beijing_day")
    ticket = open_ticket(
        session, resident, CaseRequest("neighbor_dispute", "半夜噪音", unit_by_code(session, "datong"))
    )
    assert ticket.number.startswith("JH261204-")


def test_status_change_is_recorded_and_worded_for_the_resident(session, services):
    resident = touch_resident(session, "o_tickets_status")
    ticket = open_ticket(session, resident, CaseRequest("neighbor_dispute", "噪音", unit_by_code(session, "datong")))
    move_ticket(session, services.jobs, ticket, "in_progress", "luo.mediator", "明天上门调解")
    session.flush()
    notice = session.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out")).one()
    assert ticket.number in notice.content and "明天上门调解" in notice.content
    assert [event.status for event in session.query(TicketEvent).filter_by(ticket_id=ticket.id)] == [
        "new",
        "in_progress",
    ]


def test_overdue_cases_go_up_one_level_at_a_time(session, services):
    resident = touch_resident(session, "o_tickets_overdue")
    room = unit_by_code(session, "qingnian")
    ticket = open_ticket(session, resident, CaseRequest("property_complaint", "电梯坏了", room))
    ticket.due_at = utcnow() - timedelta(hours=1)
    session.flush()
    assert ticket in overdue_tickets(session)
    assert "唐家墩街道" in escalate(session, services.jobs, ticket).name
    assert ticket.unit_id == room.parent_id and ticket not in overdue_tickets(session)
    assert "江汉区" in escalate(session, services.jobs, ticket).name
    assert escalate(session, services.jobs, ticket) is None  # the district centre is the top


def test_overdue_case_is_announced_to_the_next_levels_bound_staff(services, fake_wechat):
    with services.db.session() as session:
        staff_by_username(session, "cheng.lawyer").wechat_openid = "o_staff_cheng_overdue"
        resident = touch_resident(session, "o_tickets_overdue_notice")
        ticket = open_ticket(
            session, resident, CaseRequest("legal_consultation", "欠薪", unit_by_code(session, "qingnian"))
        )
        ticket.due_at = utcnow() - timedelta(minutes=5)
    with services.db.session() as session:
        assert escalate_overdue(session, services.jobs, "https://console.example") >= 1
        staff_by_username(session, "cheng.lawyer").wechat_openid = None
    run_jobs(services)
    notice = fake_wechat.messages(touser="o_staff_cheng_overdue")[-1]["content"]
    assert "超时" in notice and f"https://console.example/console/cases/{ticket.id}" in notice


def test_resolution_deadline_counts_after_the_first_response(session):
    resident = touch_resident(session, "o_tickets_resolution_due")
    ticket = open_ticket(
        session, resident, CaseRequest("property_complaint", "电梯", unit_by_code(session, "qingnian"))
    )
    ticket.first_response_at = utcnow()
    ticket.due_at = utcnow() - timedelta(hours=1)  # answered in time, so this no longer counts
    session.flush()
    assert ticket not in overdue_tickets(session)
    ticket.resolution_due_at = utcnow() - timedelta(minutes=1)
    session.flush()
    assert ticket in overdue_tickets(session)


def test_a_case_opened_while_the_job_queue_is_down_still_gives_its_number(services, resident, monkeypatch):
    import redis

    def queue_down(*args, **kwargs):
        raise redis.ConnectionError("Redis is restarting")

    monkeypatch.setattr(services.jobs, "enqueue", queue_down)
    resident.says("楼上的空调外机装在我家窗户边上，轰轰响一整晚")
    resident.says("八古墩社区")
    resident.says("不留")
    reply = resident.says("1")
    assert "编号 JH" in reply  # committed: the resident is told, only the staff's alert waits


def test_a_case_overdue_at_night_gets_the_next_levels_deadline_from_its_opening(session, services, monkeypatch):
    from datetime import datetime

    import bot.cases.tickets
    from bot.cases.office_hours import next_opening
    from bot.cases.tickets import RESPONSE_HOURS
    from bot.storage.messages import Message

    night = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)  # 03:00 on a Friday in Beijing
    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: night)
    resident = touch_resident(session, "o_tickets_overdue_night")
    ticket = open_ticket(
        session, resident, CaseRequest("property_complaint", "电梯坏了", unit_by_code(session, "qingnian"))
    )
    ticket.due_at = night - timedelta(hours=1)
    street = escalate(session, services.jobs, ticket)
    opening = next_opening(street.hours, night)
    assert opening is not None and opening > night
    assert ticket.due_at == opening + timedelta(hours=RESPONSE_HOURS["collective"])
    session.flush()
    notice = session.scalars(
        select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out").order_by(Message.id.desc())
    ).first()
    assert "不在工作时间" in notice.content and "上班后" in notice.content


# 06:30 in Beijing, before the rooms open at 09:00; in UTC, as utcnow() gives it.
TUESDAY_DAWN = datetime(2026, 12, 8, 6, 30, tzinfo=CHINA).astimezone(UTC)


def _gas_case_at_dawn(services, monkeypatch) -> tuple[int, int]:
    """An urgent case opened at 06:30 in 八古墩 (first response due at 10:00); its id and room."""
    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: TUESDAY_DAWN)
    with services.db.session() as session:
        resident = touch_resident(session, f"o_tickets_dawn_{uuid.uuid4().hex[:8]}")
        ticket = open_ticket(
            session,
            resident,
            CaseRequest("property_complaint", "楼道里好大一股煤气味", unit_by_code(session, "baguodun"), urgent=True),
        )
        return ticket.id, ticket.unit_id


def test_an_urgent_case_at_dawn_is_due_an_hour_after_opening_on_either_database(any_services, monkeypatch):
    ticket_id, _ = _gas_case_at_dawn(any_services, monkeypatch)
    with any_services.db.session() as session:  # read back as stored
        ticket = session.get(Ticket, ticket_id)
        assert "今天 09:00上班后 1 小时内" in promise_made(ticket)
        assert next_deadline(ticket) == datetime(2026, 12, 8, 10, 0, tzinfo=CHINA)
        assert not is_overdue(ticket, datetime(2026, 12, 8, 9, 59, tzinfo=CHINA))
        assert is_overdue(ticket, datetime(2026, 12, 8, 10, 1, tzinfo=CHINA))


def test_the_sweep_escalates_a_case_as_soon_as_it_is_overdue_on_either_database(any_services, monkeypatch):
    ticket_id, room_id = _gas_case_at_dawn(any_services, monkeypatch)
    assert (
        _room_after_sweep(any_services, ticket_id, TUESDAY_DAWN + timedelta(hours=3, minutes=29), monkeypatch)
        == room_id
    )
    assert (
        _room_after_sweep(any_services, ticket_id, TUESDAY_DAWN + timedelta(hours=3, minutes=31), monkeypatch)
        != room_id
    )


def _room_after_sweep(services, ticket_id: int, now: datetime, monkeypatch) -> int:
    monkeypatch.setattr(bot.cases.tickets, "utcnow", lambda: now)
    with services.db.session() as session:
        escalate_overdue(session, services.jobs)
    with services.db.session() as session:
        return session.get(Ticket, ticket_id).unit_id
