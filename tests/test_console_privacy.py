"""The admins' page of residents' requests to erase their data (webhook/console/privacy.py): who may
open it, what it shows, and "erase now" running the same erasure and recording who did it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import or_, select

from bot.cases.lifecycle import move_ticket
from bot.cases.office_hours import CHINA
from bot.cases.privacy import ERASED_NOTICE, WITHDRAWN_BY_ADMIN_NOTE, WITHDRAWN_NOTE, erased_rows_of
from bot.cases.tickets import CaseRequest, open_ticket
from bot.pipeline.journal import Journal
from bot.storage.directory import unit_by_code
from bot.storage.privacy_requests import PrivacyRequest, RequestStatus
from bot.storage.residents import Resident, touch_resident
from bot.storage.staff import AuditEntry
from bot.storage.tickets import OPEN_STATUSES, Ticket, TicketEvent
from devtools.privacy_footprint import database_dump, leave_footprint
from tests.conftest import run_jobs
from tests.staff_user import StaffUser, give_password, new_account


@pytest.fixture
def services(services, tmp_path):
    """The test services with a journal of this test's own (the footprint writes to it)."""
    services.journal = Journal(tmp_path / "journal", services.journal.owner)
    return services


@pytest.fixture
def admin(app, services):
    """A district admin, logged in; `.username` is theirs."""
    user = StaffUser(app.test_client())
    user.username = new_account(services, "admin", "jianghan")
    assert user.log_in(user.username).status_code == 302
    return user


def request_of(services, openid: str) -> PrivacyRequest:
    with services.db.session() as session:
        resident = session.scalar(select(Resident).where(or_(Resident.openid == openid, erased_rows_of(openid))))
        return session.scalar(select(PrivacyRequest).where(PrivacyRequest.resident_id == resident.id))


def test_only_admins_open_the_requests(app, services, admin):
    give_password(services, "zhang.lawyer")
    lawyer = StaffUser(app.test_client())
    lawyer.log_in("zhang.lawyer")
    assert lawyer.get("/console/privacy").status_code == 403
    assert lawyer.post("/console/privacy/1/erase").status_code == 403
    assert "删除申请" not in lawyer.get("/console/").get_data(as_text=True)
    assert admin.get("/console/privacy").status_code == 200
    assert 'id="nav-privacy"' in admin.get("/console/").get_data(as_text=True)


def test_erase_now_withdraws_the_open_case_erases_the_resident_and_records_the_admin(services, admin, fake_wechat):
    trace = leave_footprint(services)
    request = request_of(services, trace.openid)
    page = admin.get("/console/privacy").get_data(as_text=True)
    assert f'id="privacy-request-{request.id}"' in page
    assert trace.openid not in page and trace.phone not in page  # the page shows a pseudonym
    with services.db.session() as session:
        number = session.get(Ticket, trace.open_ticket_id).number
    assert number in page and "等工单办结后删除" in page and "撤回未办结工单并删除" in page
    # The resident has not answered whether to withdraw: the page says what is true, no choice made up.
    assert "居民选择了保留工单" not in page and "有未办结工单，居民尚未撤回" in page

    assert admin.post(f"/console/privacy/{request.id}/erase", csrf=False).status_code == 400
    assert request_of(services, trace.openid).status == RequestStatus.OPEN
    admin.post(f"/console/privacy/{request.id}/erase")  # withdrawing is a second, confirmed choice
    assert "要撤回请先勾选确认" in admin.get("/console/privacy").get_data(as_text=True)
    assert request_of(services, trace.openid).status == RequestStatus.OPEN
    answer = admin.post(f"/console/privacy/{request.id}/erase", data={"withdraw": "y"})
    assert answer.status_code == 302
    page = admin.get("/console/privacy").get_data(as_text=True)
    assert f"申请 #{request.id} 已办理" in page and "消息" in page
    run_jobs(services)  # the resident hears their data went, and that the case went with it
    notice = fake_wechat.messages(touser=trace.openid)[-1]["content"]
    assert notice.startswith("您申请删除的个人信息已经删除了")
    assert f"{number}（" in notice and "也随之撤回了，工作人员不会再处理" in notice and "重新发消息" in notice

    done = request_of(services, trace.openid)
    assert (done.status, done.handled_by) == (RequestStatus.DONE, admin.username)
    with services.db.session() as session:
        assert session.get(Ticket, trace.open_ticket_id).status == "cancelled"
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_erase"))
        assert [entry.actor for entry in entries if entry.after.get("request_id") == done.id] == [admin.username]
    # The case page says the person's data went, instead of an empty 诉求 and "居民未留".
    case_page = admin.get(f"/console/cases/{trace.open_ticket_id}").get_data(as_text=True)
    assert f"居民的个人信息已于 {done.handled_at.astimezone(CHINA):%Y-%m-%d} 按规定删除" in case_page
    assert "居民未留" not in case_page and 'id="reply"' not in case_page and "不能再回复或通知居民" in case_page
    admin.post(f"/console/cases/{trace.open_ticket_id}/reply", data={"text": "您好"})
    assert "无法再联系居民" in admin.get(f"/console/cases/{trace.open_ticket_id}").get_data(as_text=True)
    admin.get("/console/privacy")
    admin.post(f"/console/privacy/{request.id}/erase")
    assert "已经办理过了" in admin.get("/console/privacy").get_data(as_text=True)


def test_a_resident_who_keeps_their_case_is_erased_once_it_is_finished_and_told(app, services, admin, fake_wechat):
    # The resident was told "不撤回的话，我们等工单办结后再删除": the admin's first choice keeps that promise.
    trace = leave_footprint(services)
    request = request_of(services, trace.openid)
    with services.db.session() as session:
        ticket = session.get(Ticket, trace.open_ticket_id)
        number, unit_id = ticket.number, ticket.unit_id
    assert "等工单办结后删除" in admin.get("/console/privacy").get_data(as_text=True)
    assert admin.post(f"/console/privacy/{request.id}/after-cases").status_code == 302
    page = admin.get("/console/privacy").get_data(as_text=True)
    assert "等居民的工单办结后自动删除" in page and "等工单办结后自动删除（已确认）" in page
    assert request_of(services, trace.openid).status == RequestStatus.AFTER_CASES
    # While it waits, staff see it on the case page and on the inbox card.
    assert "居民已申请删除个人信息" in admin.get(f"/console/cases/{trace.open_ticket_id}").get_data(as_text=True)
    inbox = admin.get(f"/console/?unit={unit_id}").get_data(as_text=True)
    assert number in inbox and "居民已申请删除个人信息" in inbox

    runner = app.test_cli_runner()
    assert "0 resident(s) erased as asked" in runner.invoke(args=["sweep"]).output  # the case is still open
    with services.db.session() as session:
        assert session.get(Ticket, trace.open_ticket_id).status in OPEN_STATUSES
        move_ticket(session, services.jobs, session.get(Ticket, trace.open_ticket_id), "resolved", "system", "已办结")
    result = runner.invoke(args=["sweep"])
    assert "1 resident(s) erased as asked" in result.output, result.output
    run_jobs(services)
    assert fake_wechat.messages(touser=trace.openid)[-1]["content"] == ERASED_NOTICE
    done = request_of(services, trace.openid)
    assert done.status == RequestStatus.DONE
    with services.db.session() as session:
        assert session.get(Ticket, trace.open_ticket_id).status == "resolved"  # never withdrawn for it
    assert trace.openid not in database_dump(services.settings.database_url)


def test_an_administrator_erasing_without_a_request_is_recorded_as_such(app, services, fake_wechat):
    openid = f"o_cli_erase_{uuid.uuid4().hex[:8]}"
    with services.db.session() as session:
        resident = touch_resident(session, openid)
        case = CaseRequest("neighbor_dispute", "他在门口砸门", unit_by_code(session, "xiqiao"), urgent=True)
        ticket = open_ticket(session, resident, case)
        ticket_id, number = ticket.id, ticket.number
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["privacy", "delete", openid, "--by", "no.such.admin"])  # no prompt first
    assert refused.exit_code != 0 and "no staff account no.such.admin" in refused.output
    assert "Erase 1 resident" not in refused.output
    result = runner.invoke(args=["privacy", "delete", openid, "--yes"])
    assert result.exit_code == 0, result.output
    assert f"URGENT case {number}" in result.output
    run_jobs(services)
    # They did not ask, yet they are told: their data is gone, and the case withdrawn with it.
    [notice] = [message["content"] for message in fake_wechat.messages(touser=openid)]
    assert notice.startswith("按照个人信息保护的规定，您在我们这里的个人信息已经删除了")
    assert f"{number}（邻里纠纷）也随之撤回了，工作人员不会再处理" in notice
    assert "请重新发消息告诉我们情况" in notice and "的电话" in notice
    assert "他在门口砸门" not in notice
    with services.db.session() as session:
        notes = list(session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket_id)))
        assert notes[-1] == WITHDRAWN_BY_ADMIN_NOTE and WITHDRAWN_NOTE not in notes
