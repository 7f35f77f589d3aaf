"""What the conversation tests (tests/test_conversations_*.py) look up after a dialogue: the
resident's cases, their rooms and what was said on them."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.cases.lifecycle import move_ticket
from bot.storage.directory import Unit
from bot.storage.messages import Message
from bot.storage.residents import find_resident
from bot.storage.tickets import Ticket, tickets_of_resident
from tests.wechat_user import converse


def only_ticket(services, openid: str) -> Ticket:
    """The resident's case; fails unless there is exactly one."""
    with services.db.session() as session:
        tickets = tickets_of_resident(session, find_resident(session, openid).id)
        assert len(tickets) == 1, [t.number for t in tickets]
        return tickets[0]


def tickets_of(services, openid: str):
    """Every case of the resident."""
    with services.db.session() as session:
        return tickets_of_resident(session, find_resident(session, openid).id)


def no_tickets(services, openid: str) -> bool:
    """True when the resident has no case."""
    with services.db.session() as session:
        resident = find_resident(session, openid)
        return not tickets_of_resident(session, resident.id)


def unit_code(services, unit_id: int) -> str:
    """The code of the room with this id."""
    with services.db.session() as session:
        return session.get(Unit, unit_id).code


def find_unit(services, name: str) -> int:
    """The id of the room of this name."""
    with services.db.session() as session:
        return session.scalar(select(Unit.id).where(Unit.name == name))


def resolved_case(services, resident) -> None:
    """The resident reports a dirty stairwell at 东民社区, and the property officer resolves the case."""
    converse(
        resident,
        [
            ("物业天天不打扫楼道，垃圾堆了一个星期", "物业问题"),
            ("东民社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    with services.db.session() as session:
        ticket = session.get(Ticket, only_ticket(services, resident.openid).id)
        move_ticket(session, services.jobs, ticket, "resolved", "zhou.property", "已督促物业清理")


def open_noise_case(services, resident) -> str:
    """The resident files a case about the noise upstairs at 八古墩社区; its number."""
    converse(
        resident,
        [
            ("楼上天天半夜跺脚 吵得睡不着", "哪个社区"),
            ("八古墩社区", "手机号"),
            ("不留", "请确认"),
            ("1", "工单"),
        ],
    )
    return only_ticket(services, resident.openid).number


def transcript_of_case(services, openid: str) -> str:
    """Every message kept on the resident's one case, a line each."""
    with services.db.session() as session:
        ticket = only_ticket(services, openid)
        rows = session.scalars(select(Message.content).where(Message.ticket_id == ticket.id))
        return "\n".join(row or "" for row in rows)


def tells_to_call_110(reply: str) -> bool:
    """True when the reply names 110 as a number to call (a case number such as JH261207-0110 is not)."""
    return re.search(r"(?<![\d-])110(?!\d)", reply) is not None
