"""The ticket lifecycle: one table of moves, known actors only, the resident told through one function."""

import pytest
from sqlalchemy import select

from bot.cases.lifecycle import STATUS_MOVES, MoveRefused, can_move, move_ticket
from bot.cases.tickets import CaseRequest, open_ticket, reopen
from bot.storage.directory import unit_by_code
from bot.storage.messages import Message
from bot.storage.residents import touch_resident
from bot.storage.tickets import TicketEvent, TicketStatus
from tests.conftest import run_jobs


@pytest.fixture
def session(services):
    with services.db.session() as session:
        yield session


@pytest.fixture
def ticket(session):
    resident = touch_resident(session, "o_lifecycle_" + str(id(session)))
    return open_ticket(
        session, resident, CaseRequest("neighbor_dispute", "楼上漏水", unit_by_code(session, "baguodun"))
    )


def test_every_status_has_its_moves():
    assert set(STATUS_MOVES) == set(TicketStatus)
    assert all(moves <= set(TicketStatus) for moves in STATUS_MOVES.values())


@pytest.mark.parametrize(
    "old, new, allowed",
    [
        ("new", "in_progress", True),
        ("in_progress", "resolved", True),
        ("resolved", "reopened", True),
        ("resolved", "in_progress", False),  # a resolved case is reopened first
        ("closed", "in_progress", False),
        ("cancelled", "resolved", False),
        ("new", "reopened", False),
    ],
)
def test_allowed_moves(old, new, allowed):
    assert can_move(old, new) is allowed


def test_move_records_the_actor_and_tells_the_resident(session, services, ticket, fake_wechat):
    move_ticket(session, services.jobs, ticket, "in_progress", "li.mediator", "明天上门")
    session.commit()
    event = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id.desc())
    ).first()
    assert (event.status, event.actor, event.note) == ("in_progress", "li.mediator", "明天上门")
    assert ticket.first_response_at is not None
    run_jobs(services)
    logged = session.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out")).one()
    assert "明天上门" in logged.content and logged.extra["sender"] == "li.mediator"


def test_unknown_actor_is_refused(session, services, ticket):
    with pytest.raises(MoveRefused, match="unknown staff"):
        move_ticket(session, services.jobs, ticket, "in_progress", "somebody.else", "")
    assert ticket.status == "new"


def test_forbidden_move_is_refused(session, services, ticket):
    with pytest.raises(MoveRefused):
        move_ticket(session, services.jobs, ticket, "reopened", "li.mediator")


def test_resident_may_only_reopen_or_cancel(session, services, ticket):
    with pytest.raises(MoveRefused):
        move_ticket(session, services.jobs, ticket, "resolved", "resident")
    move_ticket(session, services.jobs, ticket, "resolved", "system", "已处理")
    reopen(session, ticket, "还是漏")
    assert ticket.status == "reopened" and ticket.resolved_at is None


def test_resolution_asks_for_a_rating(session, services, ticket, fake_wechat):
    move_ticket(session, services.jobs, ticket, "resolved", "li.mediator", "双方已和解")
    session.commit()
    run_jobs(services)
    text = (
        session.scalars(select(Message).where(Message.ticket_id == ticket.id, Message.direction == "out")).one().content
    )
    assert "双方已和解" in text and "1～5" in text


def test_cli_status_refuses_an_unknown_actor(app, services):
    with services.db.session() as session:
        resident = touch_resident(session, "o_lifecycle_cli")
        number = open_ticket(
            session, resident, CaseRequest("neighbor_dispute", "噪音", unit_by_code(session, "baguodun"))
        ).number
    result = app.test_cli_runner().invoke(args=["tickets", "status", number, "in_progress", "--actor", "ghost"])
    assert result.exit_code != 0 and "unknown staff" in result.output
