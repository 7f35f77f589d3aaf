"""The console in a real headless Chromium (Debian's chromium + chromedriver, driven by Selenium):
the app runs under a werkzeug server thread; residents write through the real WeChat callback.

Also writes the case page's screenshots docs/console-case-*.png at phone (390px) and desktop
(1280px) width; the inbox's are written by tests/test_console_inbox_browser.py."""

from __future__ import annotations

import uuid

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.config import PROJECT_ROOT
from bot.storage.residents import find_resident
from bot.storage.tickets import tickets_of_resident
from tests.browser_fixtures import DESKTOP, PHONE
from tests.staff_user import PASSWORD, give_password, new_case
from tests.wechat_user import WeChatUser

DOCS = PROJECT_ROOT / "docs"

pytestmark = [pytest.mark.usefixtures("rasa_server"), pytest.mark.timeout(300)]


def log_in(driver, base: str, username: str) -> None:
    driver.get(f"{base}/console/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    # The login page's own address contains /console/: wait until the browser has left it.
    WebDriverWait(driver, 10).until(lambda d: "/login" not in d.current_url, message="still on the login page")


def wait_text(driver, text: str, timeout: float = 15) -> None:
    # The page may be replaced while it is read (a form's redirect, an htmx swap): read it again.
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: text in _body_text(d)
    )


def _body_text(driver) -> str:
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except WebDriverException as error:
        # Chromium's form of a stale element: the body was swapped out between finding and reading it.
        if "does not belong to the document" in str(error):
            return ""
        raise


def click(driver, element_id: str) -> None:
    element = driver.find_element(By.ID, element_id)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def open_details(driver, element_id: str) -> None:
    driver.execute_script(f"document.getElementById('{element_id}').closest('details').open = true;")


def screenshot(driver, name: str, size: tuple[int, int]) -> None:
    driver.set_window_size(*size)
    driver.refresh()
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
    driver.execute_script(
        "window.scrollTo(0, 0); var t = document.getElementById('thread'); if (t) t.scrollTop = t.scrollHeight;"
    )
    DOCS.mkdir(exist_ok=True)
    driver.save_screenshot(str(DOCS / f"console-{name}.png"))


def test_lawyer_takes_over_answers_and_resolves(live, browser, fake_wechat):
    app, services, base = live
    give_password(services, "zhang.lawyer")
    resident = WeChatUser(app.test_client(), services.settings, f"o_browser_{uuid.uuid4().hex[:10]}")
    log_in(browser, base, "zhang.lawyer")

    # The resident opens a case through the real callback while the inbox is open.
    for says in ("公司拖欠我三个月工资了，老板一直说没钱，我该怎么维权", "八古墩", "不留", "1"):
        resident.says(says)
    with services.db.session() as session:
        tickets = tickets_of_resident(session, find_resident(session, resident.openid).id)
        assert len(tickets) == 1 and tickets[0].role == "lawyer", "the intake dialogue did not open a lawyer's case"
        number = tickets[0].number
    wait_text(browser, number, timeout=20)  # appears by polling, without a reload
    browser.find_element(By.CSS_SELECTOR, f'a[data-number="{number}"]').click()
    wait_text(browser, "对话记录")
    assert "老板一直说没钱" in browser.find_element(By.ID, "thread").text

    click(browser, "take-over")
    wait_text(browser, "已接管对话")
    assert any("接入对话" in m["content"] for m in fake_wechat.wait_for_messages(resident.openid, count=3, timeout=5))

    browser.find_element(By.ID, "reply-text").send_keys("您好，我是张律师。请问有没有签劳动合同？")
    click(browser, "send")
    arrived = fake_wechat.wait_for_messages(resident.openid, count=4, timeout=5)
    assert "有没有签劳动合同" in arrived[-1]["content"]
    wait_text(browser, "已送达")

    before = len(fake_wechat.messages(touser=resident.openid))
    assert resident.says("签了的，合同在我这里") == ""  # the bot stays silent over the person
    assert resident.says('<script>document.title="hacked"</script>工资条也有') == ""
    wait_text(browser, "签了的，合同在我这里", timeout=10)  # arrives by polling
    wait_text(browser, '<script>document.title="hacked"</script>工资条也有', timeout=10)  # shown as text
    assert browser.title != "hacked"
    assert len(fake_wechat.messages(touser=resident.openid)) == before  # nothing from the bot meanwhile

    screenshot(browser, "case-phone", PHONE)
    screenshot(browser, "case-desktop", DESKTOP)  # the inbox's: tests/test_console_inbox_browser.py

    open_details(browser, "outcome")
    browser.find_element(By.ID, "outcome").send_keys("已告知申请劳动仲裁的步骤和材料，居民表示明白")
    click(browser, "resolve")
    wait_text(browser, "已办结")
    last = fake_wechat.wait_for_messages(resident.openid, count=before + 1, timeout=5)[-1]["content"]
    assert "劳动仲裁" in last and "1～5" in last
    assert "5 分" in resident.says("5 非常感谢")  # the bot answers again: rating recorded


def test_mediator_schedules_a_mediation_and_the_resident_is_told(live, browser, fake_wechat):
    app, services, base = live
    give_password(services, "li.mediator")
    case_id, number, openid = new_case(services, "baguodun", "neighbor_dispute", "楼上装修天天早上七点开电钻")
    log_in(browser, base, "li.mediator")
    browser.get(f"{base}/console/cases/{case_id}")
    wait_text(browser, number)
    open_details(browser, "mediation-at")
    browser.execute_script("document.getElementById('mediation-at').value = '2031-05-20T14:30';")
    place = browser.find_element(By.ID, "mediation-place")
    place.clear()
    place.send_keys("八古墩社区调解室")
    click(browser, "schedule")
    wait_text(browser, "调解已安排")
    told = fake_wechat.wait_for_messages(openid, count=1, timeout=5)[-1]["content"]
    assert "2031年05月20日" in told and "14:30" in told and "八古墩社区调解室" in told and "李调解员" in told
    assert "已安排调解" in browser.find_element(By.CSS_SELECTOR, ".case-head").text


def test_wrong_password_shows_an_error_and_other_rooms_stay_closed(live, browser):
    app, services, base = live
    give_password(services, "liu.lawyer")
    browser.get(f"{base}/console/login")
    browser.find_element(By.ID, "username").send_keys("liu.lawyer")
    browser.find_element(By.ID, "password").send_keys("not-the-password")
    browser.find_element(By.ID, "login").click()
    wait_text(browser, "用户名或密码不正确")
    log_in(browser, base, "liu.lawyer")
    other_case, _, _ = new_case(services, "baguodun")
    browser.get(f"{base}/console/cases/{other_case}")
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "找不到这个页面" in page and "拖欠工资" not in page and "Not Found" not in page


def test_a_reply_being_written_survives_a_lost_log_in_and_a_canned_answer_adds_to_it(live, browser, fake_wechat):
    app, services, base = live
    give_password(services, "zhang.lawyer")
    case_id, number, openid = new_case(services, "baguodun")
    log_in(browser, base, "zhang.lawyer")
    browser.get(f"{base}/console/cases/{case_id}")
    wait_text(browser, number)
    box = browser.find_element(By.ID, "reply-text")
    box.send_keys("根据劳动合同法第三十条，")
    browser.find_element(By.XPATH, "//div[@class='canned']/button[text()='补充材料']").click()
    written = box.get_attribute("value")
    assert written.startswith("根据劳动合同法第三十条，为了更准确地解答")  # added where the cursor was

    # Logged out in another tab: the chat's refresh says so instead of showing the log-in page in it.
    browser.execute_script(
        "fetch('/console/logout', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
        " body: 'csrf_token=' + encodeURIComponent(document.querySelector('meta[name=csrf-token]').content)});"
    )
    wait_text(browser, "登录已过期", timeout=15)
    assert "工作人员登录" not in browser.find_element(By.ID, "thread").text
    click(browser, "send")  # sent anyway: refused, and the way back leads to the case
    wait_text(browser, "页面已过期")
    browser.find_element(By.LINK_TEXT, "重新登录").click()
    browser.find_element(By.ID, "username").send_keys("zhang.lawyer")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login").click()
    wait_text(browser, number)
    assert browser.find_element(By.ID, "reply-text").get_attribute("value") == written
    assert browser.find_element(By.ID, "draft-note").is_displayed()

    click(browser, "send")
    wait_text(browser, "已送达")
    assert "为了更准确地解答" in fake_wechat.wait_for_messages(openid, count=1, timeout=5)[-1]["content"]
    browser.refresh()  # sent: the draft is forgotten
    assert browser.find_element(By.ID, "reply-text").get_attribute("value") == ""

    # A note being written is kept the same way.
    open_details(browser, "note-text")
    browser.find_element(By.ID, "note-text").send_keys("居民说合同在家里")
    browser.refresh()
    assert browser.find_element(By.ID, "note-text").get_attribute("value") == "居民说合同在家里"
