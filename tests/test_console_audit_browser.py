"""The audit log in headless Chromium: a district admin filters it by case and action, lifts a
log-in lock and downloads both exports; a lawyer has no link to it and is refused.

Writes the screenshots docs/console-audit-desktop.png and docs/console-audit-phone.png."""

from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot.cases import lockout
from bot.cases.actions import accept, add_note, ask_for_information, resolve, schedule_mediation
from bot.cases.staff import add_account, authenticate
from bot.storage.base import utcnow
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket
from tests.browser_fixtures import DESKTOP, PHONE
from tests.staff_user import PASSWORD, give_password, new_case
from tests.test_console_browser import DOCS, click, log_in, screenshot, wait_text

pytestmark = pytest.mark.timeout(300)


def a_worked_case(services) -> str:
    """A wage case 张律师 took on, noted, mediated and resolved; returns its number."""
    case_id, number, _ = new_case(services, "baguodun", text="公司拖欠工资三个月，老板一直说下个月发")
    with services.db.session() as session:
        ticket, lawyer = session.get(Ticket, case_id), staff_by_username(session, "zhang.lawyer")
        accept(session, services.jobs, ticket, lawyer)
        add_note(session, ticket, lawyer, "已电话联系居民，约定周五带劳动合同来工作室")
        when = (utcnow() + timedelta(days=3)).replace(hour=6, minute=30, second=0, microsecond=0)
        schedule_mediation(session, services.jobs, ticket, lawyer, when, "八古墩社区调解室")
        resolve(session, services.jobs, ticket, lawyer, "双方达成调解协议，公司月底前一次性补发工资")
    other_id, _, _ = new_case(services, "baguodun", "neighbor_dispute", "楼上装修天天早上七点开电钻")
    with services.db.session() as session:
        mediator = staff_by_username(session, "li.mediator")
        ask_for_information(session, services.jobs, session.get(Ticket, other_id), mediator, "请拍一段噪音的视频")
    return number


def locked_out(services, username: str) -> str:
    """An address that tried this account's password too often; returns the address."""
    address = f"10.66.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"
    with services.db.session() as session:
        for _ in range(lockout.ACCOUNT_LIMIT):
            authenticate(session, username, "not-her-password", address)
    return address


def phone_screenshot(driver) -> None:
    """The page at phone width from the entries on (each one a card), then back to desktop width."""
    driver.set_window_size(*PHONE)
    driver.refresh()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    driver.execute_script("window.scrollTo(0, document.getElementById('audit-count').offsetTop - 110);")
    driver.save_screenshot(str(DOCS / "console-audit-phone.png"))
    driver.set_window_size(*DESKTOP)


def downloaded(folder: Path, suffix: str, timeout: float = 15) -> Path:
    """The file the browser finished downloading into the folder."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [path for path in folder.glob(f"*{suffix}") if path.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} downloaded into {folder}")


def test_an_admin_filters_the_audit_log_lifts_a_lock_and_exports_it(live, browser, tmp_path):
    app, services, base = live
    for username in ("zhang.lawyer", "li.mediator"):
        give_password(services, username)
    admin = f"zhou.admin.{uuid.uuid4().hex[:4]}"
    with services.db.session() as session:
        add_account(session, admin, "周管理员", "admin", "jianghan", PASSWORD)
    number = a_worked_case(services)
    address = locked_out(services, "li.mediator")

    log_in(browser, base, admin)
    click(browser, "nav-audit")
    wait_text(browser, "正在锁定的登录")
    assert address in browser.find_element(By.ID, "locks").text

    browser.find_element(By.ID, "filter-case").send_keys(number)
    click(browser, "filter")
    wait_text(browser, "共 4 条")
    table = browser.find_element(By.ID, "audit-table").text
    for words in ("受理", "内部备注", "安排调解", "办结", "张律师（zhang.lawyer）", "待受理", "八古墩社区调解室"):
        assert words in table, words
    Select(browser.find_element(By.ID, "filter-action")).select_by_visible_text("受理")
    click(browser, "filter")
    wait_text(browser, "共 1 条")
    Select(browser.find_element(By.ID, "filter-action")).select_by_visible_text("全部操作")
    click(browser, "filter")
    wait_text(browser, "共 4 条")
    screenshot(browser, "audit-desktop", DESKTOP)
    phone_screenshot(browser)

    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    click(browser, "export-csv")
    text = downloaded(tmp_path, ".csv").read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row[2] for row in rows[1:]] == ["办结", "安排调解", "内部备注", "受理"]
    assert {row[3] for row in rows[1:]} == {number}
    click(browser, "export-xlsx")
    sheet = load_workbook(downloaded(tmp_path, ".xlsx"))["操作记录"]
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["办结", "安排调解", "内部备注", "受理"]

    lock_button = browser.find_element(By.CSS_SELECTOR, "#locks button")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", lock_button)
    lock_button.click()
    wait_text(browser, "已解除锁定")
    Select(browser.find_element(By.ID, "filter-action")).select_by_visible_text("解除登录锁定")
    click(browser, "filter")
    wait_text(browser, "（li.mediator）")
    assert "周管理员" in browser.find_element(By.ID, "audit-table").text


def test_a_lawyer_has_no_audit_log(live, browser):
    app, services, base = live
    give_password(services, "zhang.lawyer")
    log_in(browser, base, "zhang.lawyer")
    assert not browser.find_elements(By.ID, "nav-audit")
    browser.get(f"{base}/console/audit")
    wait_text(browser, "没有权限")
    assert "操作记录" not in browser.find_element(By.TAG_NAME, "main").text
    browser.get(f"{base}/console/audit/export.csv")
    WebDriverWait(browser, 10).until(lambda d: "没有权限" in d.find_element(By.TAG_NAME, "body").text)
