"""One turn: whether the resident has any case decides which look-ups a message needs."""

import pytest
from sqlalchemy import event

from bot.cases.tickets import CaseRequest, open_ticket
from bot.dialogue.flows import Dialogue
from bot.dialogue.turn import Turn
from bot.storage.directory import unit_by_code
from bot.storage.messages import store_inbound
from bot.storage.residents import touch_resident
from bot.wechat.inbound import Inbound


@pytest.fixture
def session(services):
    with services.db.session() as session:
        yield session


def _turn(session, services, openid: str, number: int) -> Turn:
    resident = touch_resident(session, openid)
    inbound = Inbound(openid=openid, kind="text", dedup_key=f"msg:turn-{openid}-{number}", text="你好")
    message = store_inbound(
        session,
        {
            "resident_id": resident.id,
            "dedup_key": inbound.dedup_key,
            "msg_type": "text",
            "content": inbound.text,
            "media_id": None,
            "extra": {},
        },
    )
    return Turn(
        session=session, services=services, inbound=inbound, resident=resident, message=message, dialogue=Dialogue()
    )


def _statements(services) -> list[str]:
    seen: list[str] = []
    event.listen(services.db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_a_first_message_has_no_case_and_asks_the_database_nothing(session, services):
    turn = _turn(session, services, "o_turn_first", 1)
    seen = _statements(services)
    assert turn.resident.first_contact
    assert turn.has_cases() is False
    assert seen == []


def test_a_returning_resident_without_a_case_is_looked_up_once(session, services):
    _turn(session, services, "o_turn_back", 1)
    turn = _turn(session, services, "o_turn_back", 2)
    seen = _statements(services)
    assert not turn.resident.first_contact
    assert (turn.has_cases(), turn.has_cases()) == (False, False)
    assert len(seen) == 1


def test_a_resident_with_a_case_has_one(session, services):
    first = _turn(session, services, "o_turn_case", 1)
    open_ticket(session, first.resident, CaseRequest("neighbor_dispute", "楼上漏水", unit_by_code(session, "datong")))
    assert _turn(session, services, "o_turn_case", 2).has_cases() is True


def test_the_case_this_message_opened_counts(session, services):
    turn = _turn(session, services, "o_turn_opened", 1)
    assert turn.has_cases() is False
    turn.opened_ticket = open_ticket(session, turn.resident, CaseRequest("neighbor_dispute", "噪音", None))
    assert turn.has_cases() is True
