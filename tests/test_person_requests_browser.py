"""The whole path of a request for a person, in a real headless Chromium (the fixtures of
tests/browser_fixtures.py): the resident asks for a person → the notice reaches the bound
staff member on the fake WeChat API → they log in, see the flagged case first, reply → the reply
reaches the resident and the flag is gone."""

from __future__ import annotations

import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.storage.residents import find_resident
from bot.storage.staff import staff_by_username
from bot.storage.tickets import tickets_of_resident
from tests.staff_user import give_password, new_case
from tests.test_console_browser import click, log_in, wait_text
from tests.wechat_user import WeChatUser

pytestmark = [pytest.mark.usefixtures("rasa_server"), pytest.mark.timeout(300)]


def person_notice(fake_wechat, openid: str) -> str:
    return next((m["content"] for m in fake_wechat.messages(touser=openid) if "【居民要求人工】" in m["content"]), "")


def test_a_request_for_a_person_reaches_the_bound_staff_member_and_their_reply_clears_it(live, browser, fake_wechat):
    app, services, base = live
    give_password(services, "zhang.lawyer")
    staff_openid = f"o_staff_zhang_{uuid.uuid4().hex[:8]}"
    with services.db.session() as session:
        staff_by_username(session, "zhang.lawyer").wechat_openid = staff_openid
    try:
        new_case(services, "baguodun", text="邻居家装修占了楼道，说了不听")  # an older case of the room
        resident = WeChatUser(app.test_client(), services.settings, f"o_browser_{uuid.uuid4().hex[:10]}")
        resident.says("你好")
        with services.db.session() as session:  # the community the resident named before
            find_resident(session, resident.openid).community_id = staff_by_username(session, "zhang.lawyer").unit_id
        assert "已为您转人工" in resident.says("转人工")
        with services.db.session() as session:
            (ticket,) = tickets_of_resident(session, find_resident(session, resident.openid).id)
            number, case_id = ticket.number, ticket.id
        WebDriverWait(fake_wechat, 10).until(lambda fake: person_notice(fake, staff_openid), message="no notice")
        assert f"/console/cases/{case_id}" in person_notice(fake_wechat, staff_openid)

        log_in(browser, base, "zhang.lawyer")
        wait_text(browser, number)
        rows = browser.find_elements(By.CSS_SELECTOR, "li.case-row")
        mine = next(i for i, row in enumerate(rows) if number in row.text)
        assert "刚刚" in rows[mine].text  # asked under a minute ago
        # After urgent cases, and after only residents who waited longer: for a person, or with a message
        # nobody answered yet (other tests of the run may have left such cases in this room).
        waiting = ".person-flag, .wrote-flag"
        assert all(row.find_elements(By.CSS_SELECTOR, waiting) or "紧急" in row.text for row in rows[: mine + 1])
        browser.find_element(By.CSS_SELECTOR, f'a[data-number="{number}"]').click()
        wait_text(browser, "对话记录")
        browser.find_element(By.ID, "reply-text").send_keys("您好，我是张律师，请问遇到了什么事？")
        click(browser, "send")
        arrived = fake_wechat.wait_for_messages(resident.openid, count=1, timeout=10)
        assert "我是张律师" in arrived[-1]["content"]

        # Answered, the case sorts by its deadline again: among the run's other open cases of this
        # room it may be on a later page, so the inbox is read for flags, and the case page for the banner.
        browser.get(f"{base}/console/")
        wait_text(browser, "待办")
        flagged = [
            row.text
            for row in browser.find_elements(By.CSS_SELECTOR, "li.case-row")
            if row.find_elements(By.CSS_SELECTOR, ".person-flag")
        ]
        assert not any(number in text for text in flagged)
        browser.get(f"{base}/console/cases/{case_id}")
        wait_text(browser, "对话记录")
        assert not browser.find_elements(By.CSS_SELECTOR, ".person-request")  # the banner is gone
    finally:
        with services.db.session() as session:
            staff_by_username(session, "zhang.lawyer").wechat_openid = None
