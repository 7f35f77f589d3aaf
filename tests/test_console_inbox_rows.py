"""The inbox's rows: the order staff take cases up in, and what each card says."""

from __future__ import annotations

from datetime import timedelta

from bot.cases import person_requests
from bot.cases.staff import Scope
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.tickets import Ticket
from tests.staff_user import new_case
from webhook.console.inbox_rows import inbox_rows


def test_the_inbox_puts_an_urgent_case_before_requests_for_a_person_and_a_fresh_request_reads_just_now(services):
    waiting_id, _, _ = new_case(services, "wutai")
    fresh_id, _, _ = new_case(services, "wutai")
    urgent_id, _, _ = new_case(services, "wutai", urgent=True)
    plain_id, _, _ = new_case(services, "wutai")
    with services.db.session() as session:
        for case_id in (waiting_id, fresh_id):
            person_requests.request_person(session, services.jobs, "", session.get(Ticket, case_id))
        session.get(Ticket, waiting_id).person_requested_at = utcnow() - timedelta(minutes=25)
    with services.db.session() as session:
        admin = Scope(0, "admin", admin=True)
        rows = inbox_rows(session, admin, unit_id=unit_by_code(session, "wutai").id, limit=500)
        order = [row.ticket.id for row in rows if row.ticket.id in (waiting_id, fresh_id, urgent_id, plain_id)]
        assert order[:3] == [urgent_id, waiting_id, fresh_id] and order[-1] == plain_id
        words = {row.ticket.id: row.person_waited_words for row in rows}
        assert words[waiting_id] == "已等 25 分钟" and words[fresh_id] == "刚刚" and words[plain_id] == ""
