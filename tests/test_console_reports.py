"""The reports page and its downloads over HTTP: who may see them, the period filter, the
workbook and the CSV (their scope, and no resident's phone or openid in them)."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from openpyxl import load_workbook

from bot.cases.office_hours import CHINA
from bot.cases.tickets import CaseRequest, open_ticket
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.residents import touch_resident
from bot.storage.tickets import Ticket
from tests.staff_user import StaffUser, give_password, new_account, new_case

PHONE = "13912345678"


def logged_in(app, username: str) -> StaffUser:
    user = StaffUser(app.test_client())
    assert user.log_in(username).status_code == 302
    return user


@pytest.fixture
def admin(app, services):
    return logged_in(app, new_account(services, "admin", "jianghan"))


@pytest.fixture
def coordinator(app, services):
    return logged_in(app, new_account(services, "coordinator", "tangjiadun"))


@pytest.fixture
def cases(services):
    """A case in 八古墩 (唐家墩 street) with the resident's phone, and one in 舞台 (万松 street)."""
    own_id, own, openid = new_case(services, "baguodun", text=f"工资被拖欠，电话 {PHONE}")
    _, other, _ = new_case(services, "wutai", "neighbor_dispute", "楼上漏水")
    with services.db.session() as session:
        ticket = session.get(Ticket, own_id)
        ticket.contact_phone, ticket.rating = PHONE, 5
    return own, other, openid


def this_month() -> str:
    return f"{utcnow().astimezone(CHINA):%Y-%m}"


def test_a_district_admin_sees_the_district(app, admin, cases):
    own, other, _ = cases
    page = admin.get("/console/reports")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "服务统计 · 全区" in text and 'id="nav-reports"' in text
    assert text.count("<svg") >= 7 and 'role="img"' in text
    assert "八古墩社区" in text and "舞台社区" in text
    assert "满意率（目标 85%）" in text


def test_a_coordinator_sees_only_their_street(app, coordinator, cases):
    text = coordinator.get("/console/reports").get_data(as_text=True)
    assert "服务统计 · 唐家墩街道" in text
    assert "八古墩社区" in text and "舞台社区" not in text and "万松街道" not in text


@pytest.mark.parametrize(
    "path",
    ["/console/reports", "/console/reports/month.xlsx?month=2026-03", "/console/reports/cases.csv"],
)
def test_room_staff_get_403(app, services, path):
    give_password(services, "zhang.lawyer")
    lawyer = logged_in(app, "zhang.lawyer")
    assert lawyer.get(path).status_code == 403
    assert 'id="nav-reports"' not in lawyer.get("/console/").get_data(as_text=True)


def test_a_log_in_is_needed(client):
    response = client.get("/console/reports")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_the_period_filter(app, admin):
    page = admin.get("/console/reports?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert "2026-03（整月）登记的工单" in page
    assert 'value="2026-03-01"' in page and "month=2026-03" in page
    short = admin.get("/console/reports?from=2026-03-03&to=2026-03-09").get_data(as_text=True)
    assert "2026-03-03 至 2026-03-09" in short and "03-03" in short
    year = admin.get("/console/reports?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    assert "按月登记量" in year
    for query in ("from=2026-03-31&to=2026-03-01", "from=yesterday"):
        refused = admin.get(f"/console/reports?{query}")
        assert refused.status_code == 400 and "已显示本月" in refused.get_data(as_text=True)


def test_the_monthly_workbook(app, admin, cases):
    own, other, openid = cases
    response = admin.client.get(f"/console/reports/month.xlsx?month={this_month()}")  # bytes, not a page
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["统计", "工单"]
    numbers = [row[0] for row in book["工单"].iter_rows(min_row=2, values_only=True)]
    assert own in numbers and other in numbers
    cells = " ".join(str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row)
    assert PHONE not in cells and openid not in cells and "拖欠" not in cells
    assert admin.client.get("/console/reports/month.xlsx?month=2026-13").status_code == 400


def test_a_coordinators_workbook_holds_their_street_only(app, coordinator, cases):
    own, other, _ = cases
    book = load_workbook(io.BytesIO(coordinator.client.get(f"/console/reports/month.xlsx?month={this_month()}").data))
    numbers = [row[0] for row in book["工单"].iter_rows(min_row=2, values_only=True)]
    assert own in numbers and other not in numbers


def test_the_cases_csv(app, admin, coordinator, cases):
    own, other, openid = cases
    response = admin.get("/console/reports/cases.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel reads UTF-8 by
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["工单编号", "登记时间", "社区"]
    assert own in text and other in text and PHONE not in text and openid not in text
    street = coordinator.get("/console/reports/cases.csv").data.decode("utf-8-sig")
    assert own in street and other not in street
    assert admin.get("/console/reports/cases.csv?from=2026-02-30").status_code == 400


def test_the_kinds_table_puts_the_on_time_rates_first_and_turns_to_cards_on_a_phone(app, admin, cases):
    text = admin.get("/console/reports").get_data(as_text=True)
    table = text[text.index('id="table-kinds"') : text.index("</table>", text.index('id="table-kinds"'))]
    headings = re.findall(r"<th>([^<]*)</th>", table)
    assert headings[:3] == ["类别", "响应按时率", "办结按时率"] and len(headings) <= 9
    assert "as-cards" in text[text.rindex("<table", 0, text.index('id="table-kinds"')) : text.index('id="table-kinds"')]
    assert 'data-label="响应按时率"' in table


def test_long_chart_labels_wrap_onto_two_lines_with_the_whole_name_in_their_title(app, admin, services):
    new_case(services, "tangjiadun")
    text = admin.get("/console/reports").get_data(as_text=True)
    assert "<title>区公共法律服务中心" in text or "<title>唐家墩街道" in text
    assert "…</text>" not in text
    assert re.search(r"<tspan[^>]*>唐家墩街道</tspan><tspan[^>]*>（街道工作站）</tspan>", text)


def test_the_download_names_what_it_holds(app, admin, cases):
    own, _, _ = cases
    today = utcnow().astimezone(CHINA).date()
    year = admin.get(f"/console/reports?from={today:%Y}-01-01&to={today.isoformat()}").get_data(as_text=True)
    assert "下载本期（Excel）" in year and "月报" not in year.split('id="download-xlsx"')[1].split("</a>")[0]
    book = admin.client.get(f"/console/reports/month.xlsx?from={today:%Y}-01-01&to={today.isoformat()}")
    assert book.status_code == 200 and f"{today:%Y}0101-{today:%Y%m%d}" in book.headers["Content-Disposition"]
    assert own in [row[0] for row in load_workbook(io.BytesIO(book.data))["工单"].iter_rows(values_only=True)]
    month = load_workbook(io.BytesIO(admin.client.get(f"/console/reports/month.xlsx?month={this_month()}").data))
    period = next(row[1] for row in month["统计"].iter_rows(values_only=True) if row[0] == "统计期间")
    assert period.endswith(f"（截至 {today.month}月{today.day}日）") or "整月" in period  # the month's last day
    page = admin.get("/console/reports").get_data(as_text=True)
    assert f"下载 {this_month()} 月报（Excel）" in page and "7 天内未登记工单" in page and "未转人工" not in page


def test_a_group_case_counts_for_the_community_the_resident_named(app, admin, services):
    with services.db.session() as session:
        resident = touch_resident(session, f"o_group_{uuid.uuid4().hex[:10]}")
        request = CaseRequest("neighbor_dispute", "整栋楼漏水", unit_by_code(session, "qingnian"), collective=True)
        ticket = open_ticket(session, resident, request)
        assert ticket.unit_id == unit_by_code(session, "tangjiadun").id  # handled by the street's workstation
        number = ticket.number
    rows = csv.reader(io.StringIO(admin.get("/console/reports/cases.csv").data.decode("utf-8-sig")))
    assert next(row for row in rows if row[0] == number)[2] == "青年社区"
