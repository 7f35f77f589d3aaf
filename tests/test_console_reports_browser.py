"""The reports page in a real headless Chromium: a district admin reads last month's figures,
changes the period and downloads the workbook; a street coordinator sees their street only; a
room lawyer has no 统计 link and gets 403.

Writes docs/console-reports-desktop.png and docs/console-reports-phone.png."""

from __future__ import annotations

import io
import random
import uuid
from datetime import datetime, time, timedelta

import pytest
import requests
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.cases.office_hours import CHINA
from bot.categories import CATEGORIES
from bot.reporting.period import beijing_today, last_month
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.messages import Message
from bot.storage.residents import Resident
from bot.storage.tickets import Ticket, TicketEvent
from tests.browser_fixtures import DESKTOP, PHONE
from tests.staff_user import give_password, new_account
from tests.test_console_browser import log_in, screenshot, wait_text

pytestmark = pytest.mark.timeout(300)

COMMUNITIES = (
    "baguodun",
    "qingnian",
    "dongmin",
    "wutai",
    "xiqiao",
    "wansongyuan",
    "datong",
    "hualou",
    "beihu_community",
)
KINDS = ("legal_consultation", "legal_consultation", "neighbor_dispute", "property_complaint", "property_complaint")
SCORES = (5, 5, 5, 5, 4, 4, 4, 3, 2, 1)
QUESTIONS = ("faq_unpaid_wages", "faq_renovation_noise", "faq_property_fee_refuse", "faq_divorce", "faq_water_leak")


def seed_last_month(services) -> str:
    """Cases of many rooms and kinds spread over last month, rated, some late, and FAQ answers;
    returns a case number of 舞台 (万松 street)."""
    pick = random.Random(22)
    period = last_month(beijing_today(utcnow()))
    days = period.days
    wutai_number = ""
    with services.db.session() as session:
        for n in range(70):
            unit = unit_by_code(session, pick.choice(COMMUNITIES))
            resident = Resident(openid=f"o_reports_{uuid.uuid4().hex[:10]}", community_id=unit.id)
            session.add(resident)
            session.flush()
            opened = datetime.combine(period.first + timedelta(days=pick.randrange(days)), time(9), CHINA)
            opened += timedelta(minutes=pick.randrange(8 * 60))
            kind = pick.choice(KINDS)
            answered = pick.random() < 0.9
            resolved = answered and pick.random() < 0.75
            late = pick.random() < 0.15
            ticket = Ticket(
                number=f"JHR-{uuid.uuid4().hex[:8]}",
                resident_id=resident.id,
                category=kind,
                unit_id=unit.id,
                role=CATEGORIES[kind].role,
                status="closed" if resolved else "in_progress" if answered else "new",
                urgent=n % 15 == 0,
                description="",
                created_at=opened,
                due_at=opened + timedelta(hours=24),
                first_response_at=opened + timedelta(hours=30 if late else pick.randrange(1, 20)) if answered else None,
                resolution_due_at=opened + timedelta(days=CATEGORIES[kind].resolution_days),
                resolved_at=opened + timedelta(days=pick.randrange(1, 20 if late else 6)) if resolved else None,
                rating=pick.choice(SCORES) if resolved and pick.random() < 0.8 else None,
            )
            if n % 23 == 0:  # sent up to the street's workstation: still counted for its room
                ticket.escalated_from_id, ticket.unit_id = unit.id, unit.parent_id
            session.add(ticket)
            session.flush()
            if unit.code == "wutai":
                wutai_number = ticket.number or ""
            if n % 17 == 0:
                session.add(TicketEvent(ticket_id=ticket.id, status="reopened", note="没解决", actor="resident"))
            for _ in range(pick.randrange(3)):
                intent = pick.choice(QUESTIONS)
                asked = opened - timedelta(days=pick.randrange(1, 10))
                session.add(
                    Message(resident_id=resident.id, direction="in", msg_type="text", intent=intent, created_at=asked)
                )
    return wutai_number


def cookies_of(driver) -> dict[str, str]:
    return {cookie["name"]: cookie["value"] for cookie in driver.get_cookies()}


def test_admin_reads_filters_and_downloads(live, browser):
    app, services, base = live
    wutai_number = seed_last_month(services)
    admin = new_account(services, "admin", "jianghan")
    log_in(browser, base, admin)
    browser.find_element(By.ID, "nav-reports").click()
    wait_text(browser, "服务统计 · 全区")
    browser.find_element(By.ID, "quick-2").click()  # 上月
    wait_text(browser, "（整月）登记的工单")
    assert "舞台社区" in browser.find_element(By.ID, "table-communities").text
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) >= 7 and all(chart.size["width"] > 200 for chart in charts[:3])
    screenshot(browser, "reports-desktop", DESKTOP)
    screenshot(browser, "reports-phone", PHONE)
    # On a phone nothing of the page is wider than the screen (the wide tables scroll in their box).
    assert browser.execute_script("return document.querySelector('main').scrollWidth") <= PHONE[0]
    # The kinds table is a card a kind, and the admin's header is at most two lines.
    assert browser.find_element(By.ID, "table-kinds").size["width"] <= PHONE[0]
    assert browser.find_element(By.CSS_SELECTOR, "header.topbar").size["height"] <= 70
    browser.set_window_size(*DESKTOP)

    link = browser.find_element(By.ID, "download-xlsx").get_attribute("href")
    # The console's "strong" session protection ties the cookie to the browser's user agent.
    agent = browser.execute_script("return navigator.userAgent")
    response = requests.get(link, cookies=cookies_of(browser), headers={"User-Agent": agent}, timeout=30)
    assert response.status_code == 200
    cases = [row[0] for row in load_workbook(io.BytesIO(response.content))["工单"].iter_rows(values_only=True)]
    assert wutai_number in cases

    # A period of the form's own: one week.
    first = last_month(beijing_today(utcnow())).first
    browser.execute_script(
        "document.getElementById('period-from').value = arguments[0];"
        "document.getElementById('period-to').value = arguments[1];",
        first.isoformat(),
        (first + timedelta(days=6)).isoformat(),
    )
    browser.find_element(By.ID, "period-show").click()
    wait_text(browser, f"{first:%Y-%m}（截至 {first.month}月7日）")
    assert browser.find_element(By.ID, "download-xlsx").text == "下载本期（Excel）"


def test_coordinator_sees_their_street_and_a_lawyer_gets_403(live, browser):
    app, services, base = live
    seed_last_month(services)
    coordinator = new_account(services, "coordinator", "tangjiadun")
    log_in(browser, base, coordinator)
    browser.find_element(By.ID, "nav-reports").click()
    wait_text(browser, "服务统计 · 唐家墩街道")
    browser.find_element(By.ID, "quick-2").click()
    wait_text(browser, "（整月）登记的工单")
    communities = browser.find_element(By.ID, "table-communities").text
    assert "八古墩社区" in communities and "舞台社区" not in communities

    browser.delete_all_cookies()
    give_password(services, "zhang.lawyer")
    log_in(browser, base, "zhang.lawyer")
    assert not browser.find_elements(By.ID, "nav-reports")
    browser.get(f"{base}/console/reports")
    WebDriverWait(browser, 10).until(lambda d: "没有权限" in d.find_element(By.TAG_NAME, "body").text)
