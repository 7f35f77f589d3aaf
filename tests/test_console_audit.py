"""The audit log page (/console/audit): admins only; filters by staff, case, action and dates;
newest first a page at a time; changes in words; CSV and .xlsx exports of the filtered entries;
the log-in locks in force, lifted from the page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cases import lockout
from bot.cases.actions import accept, add_note
from bot.cases.staff import authenticate
from bot.storage.audit import AuditAction, audit
from bot.storage.staff import AuditEntry, staff_by_username
from bot.storage.tickets import Ticket
from tests.staff_user import StaffUser, new_account, new_case
from tests.test_lockout import an_address


@pytest.fixture
def admin(app, services):
    """A district admin of the test's own, logged in."""
    username = new_account(services, "admin", "jianghan")
    user = StaffUser(app.test_client())
    assert user.log_in(username).status_code == 302
    user.username = username
    return user


def logged_in(app, services, role: str, unit: str) -> StaffUser:
    user = StaffUser(app.test_client())
    assert user.log_in(new_account(services, role, unit)).status_code == 302
    return user


def worked_case(services) -> tuple[int, str, str]:
    """A case a lawyer of the test's own accepted and noted on; returns (id, number, the lawyer)."""
    case_id, number, _ = new_case(services, "baguodun")
    lawyer = new_account(services, "lawyer", "baguodun")
    with services.db.session() as session:
        ticket, staff = session.get(Ticket, case_id), staff_by_username(session, lawyer)
        accept(session, services.jobs, ticket, staff)
        add_note(session, ticket, staff, "已电话联系居民")
    return case_id, number, lawyer


def entry_at(services, username: str, action: AuditAction, moment: datetime, **after) -> int:
    """An audit entry by this account at this moment; returns its id."""
    with services.db.session() as session:
        audit(session, staff_by_username(session, username), action, None, {}, after)
        session.flush()
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        entry.created_at = moment
        return entry.id


def shown_ids(page: str) -> set[int]:
    return {int(part.split('"')[0]) for part in page.split('id="audit-')[1:] if part.split('"')[0].isdigit()}


def test_only_district_admins_open_the_audit_log(app, services, admin):
    lawyer = logged_in(app, services, "lawyer", "baguodun")
    coordinator = logged_in(app, services, "coordinator", "tangjiadun")
    for user in (lawyer, coordinator):
        for path in ("/console/audit", "/console/audit/export.csv", "/console/audit/export.xlsx"):
            assert user.get(path).status_code == 403, path
        assert 'id="nav-audit"' not in user.get("/console/").get_data(as_text=True)
    assert lawyer.post("/console/audit/locks/1/unlock").status_code == 403
    assert admin.get("/console/audit").status_code == 200
    assert 'id="nav-audit"' in admin.get("/console/").get_data(as_text=True)
    assert StaffUser(app.test_client()).get("/console/audit").status_code == 302  # to the log-in page


def test_a_cases_entries_show_who_did_what_and_what_changed(services, admin):
    case_id, number, lawyer = worked_case(services)
    page = admin.get(f"/console/audit?case={number.lower()}").get_data(as_text=True)
    assert "受理" in page and "内部备注" in page and f"测试lawyer（{lawyer}）" in page
    assert "备注</b>：已电话联系居民" in page
    assert '状态</b>：<span class="was">待受理</span> → 处理中' in page
    assert f'href="/console/cases/{case_id}"' in page and "共 2 条" in page
    with services.db.session() as session:
        ids = set(session.scalars(select(AuditEntry.id).where(AuditEntry.ticket_id == case_id)))
    assert shown_ids(page) == ids


def test_filters_by_staff_action_and_china_days(services, admin):
    actor = new_account(services, "lawyer", "baguodun")
    late_evening = entry_at(services, actor, AuditAction.PROFILE, datetime(2025, 1, 10, 15, 30, tzinfo=UTC))  # 23:30
    next_morning = entry_at(services, actor, AuditAction.PROFILE, datetime(2025, 1, 10, 16, 10, tzinfo=UTC))  # 00:10
    login = entry_at(services, actor, AuditAction.LOGIN, datetime(2025, 1, 10, 2, 0, tzinfo=UTC), ip="10.1.2.3")
    with services.db.session() as session:
        staff_id = staff_by_username(session, actor).id
    by_staff = admin.get(f"/console/audit?staff={staff_id}").get_data(as_text=True)
    assert shown_ids(by_staff) == {late_evening, next_morning, login}
    day = admin.get(f"/console/audit?staff={staff_id}&since=2025-01-10&until=2025-01-10").get_data(as_text=True)
    assert shown_ids(day) == {late_evening, login}
    profile = admin.get(f"/console/audit?staff={staff_id}&action=profile").get_data(as_text=True)
    assert shown_ids(profile) == {late_evening, next_morning}
    assert "地址</b>：10.1.2.3" in by_staff


def test_a_reversed_date_range_is_refused_as_on_the_reports_page(services, admin):
    actor = new_account(services, "lawyer", "baguodun")
    logged = entry_at(services, actor, AuditAction.PROFILE, datetime(2025, 1, 10, 2, 0, tzinfo=UTC))
    with services.db.session() as session:
        staff_id = staff_by_username(session, actor).id
    response = admin.get(f"/console/audit?staff={staff_id}&since=2025-01-12&until=2025-01-10")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "结束日期不能早于开始日期" in page
    assert shown_ids(page) == {logged}  # every day shown, as the warning says


def test_an_unknown_case_number_says_so_and_shows_nothing(admin):
    page = admin.get("/console/audit?case=JH000000-0000").get_data(as_text=True)
    assert "没有工单号为 JH000000-0000 的工单" in page and not shown_ids(page)


def test_pages_go_newest_first_and_back(services, admin):
    actor = new_account(services, "lawyer", "baguodun")
    ids = [entry_at(services, actor, AuditAction.PROFILE, datetime(2025, 2, 1, 1, n, tzinfo=UTC)) for n in range(55)]
    with services.db.session() as session:
        staff_id = staff_by_username(session, actor).id
    first = admin.get(f"/console/audit?staff={staff_id}").get_data(as_text=True)
    assert shown_ids(first) == set(ids[5:]) and 'id="newer"' not in first
    assert first.index(f'id="audit-{ids[-1]}"') < first.index(f'id="audit-{ids[5]}"')  # newest first
    second = admin.get(f"/console/audit?staff={staff_id}&before={ids[5]}").get_data(as_text=True)
    assert shown_ids(second) == set(ids[:5]) and 'id="older"' not in second
    back = admin.get(f"/console/audit?staff={staff_id}&after={ids[4]}").get_data(as_text=True)
    assert shown_ids(back) == set(ids[5:])


def test_the_csv_export_holds_the_filtered_entries_readably(services, admin):
    case_id, number, lawyer = worked_case(services)
    response = admin.get(f"/console/audit/export.csv?case={number}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["时间", "操作人", "操作", "工单", "对象", "变更", "操作前", "操作后"]
    assert [row[2] for row in rows[1:]] == ["内部备注", "受理"]  # newest first
    accepted = rows[2]
    assert accepted[1] == f"测试lawyer（{lawyer}）" and accepted[3] == number
    assert "状态：待受理 → 处理中" in accepted[5] and '"status": "new"' in accepted[6]


def test_the_exports_keep_what_looks_like_a_formula_as_text(services, admin):
    actor = new_account(services, "lawyer", "baguodun")
    entry_at(services, actor, AuditAction.PROFILE, datetime(2025, 3, 1, 1, 0, tzinfo=UTC), wechat_bound=True)
    with services.db.session() as session:
        staff = staff_by_username(session, actor)
        staff.name, staff_id = "=SUM(1)", staff.id
    response = admin.client.get(f"/console/audit/export.xlsx?staff={staff_id}")
    assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.data))["操作记录"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "操作人", "操作") and len(rows) == 2
    assert rows[1][:3] == ("2025-03-01 09:00:00", f"=SUM(1)（{actor}）", "修改个人设置")
    assert sheet["B2"].data_type == "s" and rows[1][5] == "绑定微信：是"
    exported = admin.get(f"/console/audit/export.csv?staff={staff_id}").get_data(as_text=True)
    assert list(csv.reader(io.StringIO(exported)))[1][1] == f"'=SUM(1)（{actor}）"


def test_an_admin_lifts_a_lock_from_the_page(services, admin):
    username, address = new_account(services, "lawyer", "baguodun"), an_address()
    with services.db.session() as session:
        for _ in range(lockout.ACCOUNT_LIMIT):
            authenticate(session, username, "wrong-password", address)
    page = admin.get("/console/audit").get_data(as_text=True)
    assert address in page and "正在锁定的登录" in page
    with services.db.session() as session:
        [lock] = [lock for lock in lockout.current_locks(session, datetime.now(UTC)) if lock.address == address]
    assert admin.post(f"/console/audit/locks/{lock.id}/unlock").status_code == 302
    assert "已解除锁定" in admin.get("/console/audit").get_data(as_text=True)
    unlocked = admin.get("/console/audit?action=login_unlock").get_data(as_text=True)
    assert f"（{username}）" in unlocked and "账号 " in unlocked and admin.username in unlocked
