"""Command line: set-up, the staff's status changes and the housekeeping sweep."""

from datetime import timedelta

from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.outbox import OutboundMessage
from bot.storage.residents import touch_resident
from bot.storage.tickets import Ticket
from bot.tickets import CaseRequest, open_ticket
from tests.conftest import run_jobs


def test_setup_is_idempotent(app):
    result = app.test_cli_runner().invoke(args=["setup"])
    assert result.exit_code == 0 and "FAQ entries loaded" in result.output


def test_status_change_reaches_the_resident(app, services, fake_wechat):
    with services.db.session() as session:
        resident = touch_resident(session, "o_cli_status")
        ticket = open_ticket(session, resident, CaseRequest("neighbor_dispute", "噪音", unit_by_code(session, "xiqiao")))
        number = ticket.number
    result = app.test_cli_runner().invoke(
        args=["tickets", "status", number, "in_progress", "--actor", "zhu.mediator", "--note", "今晚上门"]
    )
    assert result.exit_code == 0, result.output
    run_jobs(services)
    assert "今晚上门" in fake_wechat.messages(touser="o_cli_status")[-1]["content"]


def test_sweep_escalates_overdue_cases_and_requeues_stuck_messages(app, services, fake_wechat):
    with services.db.session() as session:
        resident = touch_resident(session, "o_cli_sweep")
        ticket = open_ticket(session, resident, CaseRequest("property_complaint", "电梯", unit_by_code(session, "wutai")))
        ticket.due_at = utcnow() - timedelta(hours=2)
        session.add(OutboundMessage(resident_id=resident.id, openid=resident.openid, content="迟到的消息",
                                    created_at=utcnow() - timedelta(hours=1)))
        ticket_id = ticket.id
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "1 case(s) escalated" in result.output and "1 message(s) queued again" in result.output
    run_jobs(services)
    sent = [message["content"] for message in fake_wechat.messages(touser="o_cli_sweep")]
    assert "迟到的消息" in sent and any("上报" in text for text in sent)
    with services.db.session() as session:
        assert unit_by_code(session, "wansong").id == session.get(Ticket, ticket_id).unit_id


def test_admin_edits_an_faq_answer(app, services):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["faq", "edit", "faq_service_fee", "--answer", "社区工作室的法律咨询一律免费。"])
    assert result.exit_code == 0, result.output
    assert "一律免费" in runner.invoke(args=["faq", "show", "faq_service_fee"]).output
    runner.invoke(args=["setup"])  # the seed file puts the reviewed answer back
    assert "一律免费" not in runner.invoke(args=["faq", "show", "faq_service_fee"]).output
