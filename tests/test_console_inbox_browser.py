"""The inbox in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium): its
tabs with their counts, a resident's new message first, a transfer's reason read by the receiver,
numbers masked on the cards.

Also writes the screenshots docs/console-inbox-desktop.png and docs/console-inbox-phone.png."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.cases import actions as casework
from bot.cases import person_requests
from bot.storage.base import utcnow
from bot.storage.directory import unit_by_code
from bot.storage.residents import find_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import Ticket, tickets_of_resident
from tests.browser_fixtures import DESKTOP, PHONE
from tests.staff_user import give_password, new_case
from tests.test_console_browser import click, log_in, screenshot, wait_text
from tests.wechat_user import WeChatUser

pytestmark = [pytest.mark.usefixtures("rasa_server"), pytest.mark.timeout(300)]


def card(driver, number: str):
    """The inbox card of a case."""
    return driver.find_element(By.CSS_SELECTOR, f'a[data-number="{number}"]')


def numbers_listed(driver) -> list[str]:
    """The cases the inbox lists, top to bottom."""
    return [link.get_attribute("data-number") for link in driver.find_elements(By.CSS_SELECTOR, "a[data-number]")]


def the_rooms_cases(services) -> dict[str, str]:
    """Cases of 八古墩's lawyers of each kind the inbox shows; returns their numbers by kind."""
    _, urgent, _ = new_case(
        services, "baguodun", text="前夫喝醉了在楼下砸门，说要把孩子带走，我现在能做什么", urgent=True
    )
    asked_id, asked, _ = new_case(services, "baguodun", text="房东不退押金，合同上写的是退租时无损坏全额退还")
    late_id, late, _ = new_case(services, "baguodun", text="网购的电动车三个月就坏了，商家不给保修")
    mine_id, mine, _ = new_case(services, "baguodun", text="单位不给交社保，辞职能要补偿吗")
    sent_id, sent, _ = new_case(services, "qingnian", text="借给朋友五万块钱，只有微信聊天记录，他不还")
    with services.db.session() as session:
        zhang, liu = staff_by_username(session, "zhang.lawyer"), staff_by_username(session, "liu.lawyer")
        person_requests.request_person(
            session, services.jobs, "", session.get(Ticket, asked_id), now=utcnow() - timedelta(minutes=12)
        )
        session.get(Ticket, late_id).due_at = utcnow() - timedelta(hours=3)
        casework.accept(session, services.jobs, session.get(Ticket, mine_id), zhang)
        casework.transfer_case(
            session,
            services.jobs,
            session.get(Ticket, sent_id),
            liu,
            unit_by_code(session, "baguodun"),
            "lawyer",
            "",
            "居民其实住在八古墩社区，请八古墩的律师跟进",
        )
    return {"urgent": urgent, "asked": asked, "late": late, "mine": mine, "sent": sent}


def test_the_inbox_shows_what_needs_attention_in_tabs(live, browser):
    app, services, base = live
    give_password(services, "zhang.lawyer")
    resident = WeChatUser(app.test_client(), services.settings, f"o_inbox_{uuid.uuid4().hex[:10]}")
    for says in ("公司拖欠我三个月工资了，老板一直说没钱，我该怎么维权", "八古墩", "不留", "1"):
        resident.says(says)
    with services.db.session() as session:
        (ticket,) = tickets_of_resident(session, find_resident(session, resident.openid).id)
        wrote = ticket.number
        ticket.due_at = utcnow() + timedelta(hours=20)  # not the closest deadline: first for its message
    cases = the_rooms_cases(services)
    log_in(browser, base, "zhang.lawyer")

    # The resident adds to the case while the inbox is open: it rises above the rest, number masked.
    resident.says("补充：老板今天又说下个月才给，我的电话13800138000")
    WebDriverWait(browser, 20).until(
        lambda d: "居民有新消息" in card(d, wrote).text, message="the new message did not show by polling"
    )
    text = card(browser, wrote).text
    assert "138****8000" in text and "13800138000" not in text
    listed = numbers_listed(browser)
    assert listed.index(cases["urgent"]) < listed.index(cases["asked"]) < listed.index(cases["late"])
    assert listed.index(wrote) < listed.index(cases["late"]) and listed.index(wrote) < listed.index(cases["mine"])
    assert "刘律师转来：居民其实住在八古墩社区，请八古墩的律师跟进" in card(browser, cases["sent"]).text
    screenshot(browser, "inbox-phone", PHONE)
    screenshot(browser, "inbox-desktop", DESKTOP)

    # A tab swaps the list in place and keeps itself in the address; its count is what it lists.
    mine_count = int(browser.find_element(By.CSS_SELECTOR, "#tab-mine .count").text)
    click(browser, "tab-mine")
    WebDriverWait(browser, 10).until(lambda d: "view=mine" in d.current_url)
    wait_text(browser, cases["mine"])
    assert "on" in browser.find_element(By.ID, "tab-mine").get_attribute("class")
    assert len(numbers_listed(browser)) == mine_count and cases["sent"] not in numbers_listed(browser)
    click(browser, "tab-unaccepted")
    WebDriverWait(browser, 10).until(lambda d: "view=unaccepted" in d.current_url)
    wait_text(browser, cases["sent"])
    assert cases["mine"] not in numbers_listed(browser)
    click(browser, "tab-overdue")
    WebDriverWait(browser, 10).until(lambda d: "view=overdue" in d.current_url)
    wait_text(browser, cases["late"])
    browser.refresh()  # the address alone brings the tab back
    WebDriverWait(browser, 10).until(lambda d: "on" in d.find_element(By.ID, "tab-overdue").get_attribute("class"))

    # The receiver of a transfer reads why on the case page, and takes it up.
    browser.get(f"{base}/console/?view=unaccepted")
    card(browser, cases["sent"]).click()
    wait_text(browser, "原因：居民其实住在八古墩社区")
    click(browser, "accept")
    wait_text(browser, "已受理")
    browser.get(f"{base}/console/?view=mine")
    wait_text(browser, cases["sent"])
