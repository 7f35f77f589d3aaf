"""Cases: numbering, routing by category, status changes, escalation of overdue cases."""

from datetime import timedelta

import pytest

from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.residents import touch_resident
from bot.storage.tickets import TicketEvent
from bot.tickets import CaseRequest, change_status, escalate, open_ticket, overdue_tickets


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


def test_status_change_is_recorded_and_worded_for_the_resident(session):
    resident = touch_resident(session, "o_tickets_status")
    ticket = open_ticket(session, resident, CaseRequest("neighbor_dispute", "噪音", unit_by_code(session, "datong")))
    notice = change_status(session, ticket, "in_progress", "zhao.mediator", "明天上门调解")
    session.flush()
    assert ticket.number in notice and "明天上门调解" in notice
    assert [event.status for event in session.query(TicketEvent).filter_by(ticket_id=ticket.id)] == ["new", "in_progress"]


def test_overdue_cases_go_up_one_level_at_a_time(session):
    resident = touch_resident(session, "o_tickets_overdue")
    room = unit_by_code(session, "qingnian")
    ticket = open_ticket(session, resident, CaseRequest("property_complaint", "电梯坏了", room))
    ticket.due_at = utcnow() - timedelta(hours=1)
    session.flush()
    assert ticket in overdue_tickets(session)
    assert "唐家墩街道" in escalate(session, ticket)
    assert ticket.unit_id == room.parent_id and ticket not in overdue_tickets(session)
    assert "江汉区" in escalate(session, ticket)
    assert escalate(session, ticket) is None  # the district centre is the top
