"""The admins' page of residents' requests to erase their data (webhook/console/privacy.py): who may
open it, what it shows, and "erase now" running the same erasure and recording who did it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.journal import Journal
from bot.privacy import erased_tag
from bot.storage.privacy_requests import PrivacyRequest, RequestStatus
from bot.storage.residents import Resident
from bot.storage.staff import AuditEntry
from bot.storage.tickets import Ticket
from devtools.privacy_footprint import leave_footprint
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
        resident = session.scalar(select(Resident).where(Resident.openid.in_((openid, erased_tag(openid)))))
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


def test_erase_now_withdraws_the_open_case_erases_the_resident_and_records_the_admin(services, admin):
    trace = leave_footprint(services)
    request = request_of(services, trace.openid)
    page = admin.get("/console/privacy").get_data(as_text=True)
    assert f'id="privacy-request-{request.id}"' in page
    assert trace.openid not in page and trace.phone not in page  # the page shows a pseudonym
    with services.db.session() as session:
        number = session.get(Ticket, trace.open_ticket_id).number
    assert number in page and "撤回未办结工单并删除" in page

    assert admin.post(f"/console/privacy/{request.id}/erase", csrf=False).status_code == 400
    assert request_of(services, trace.openid).status == RequestStatus.OPEN
    answer = admin.post(f"/console/privacy/{request.id}/erase")
    assert answer.status_code == 302
    page = admin.get("/console/privacy").get_data(as_text=True)
    assert f"申请 #{request.id} 已办理" in page and "消息" in page

    done = request_of(services, trace.openid)
    assert (done.status, done.handled_by) == (RequestStatus.DONE, admin.username)
    with services.db.session() as session:
        assert session.get(Ticket, trace.open_ticket_id).status == "cancelled"
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "privacy_erase"))
        assert [entry.actor for entry in entries if entry.after.get("request_id") == done.id] == [admin.username]
    admin.get("/console/privacy")
    admin.post(f"/console/privacy/{request.id}/erase")
    assert "已经办理过了" in admin.get("/console/privacy").get_data(as_text=True)
