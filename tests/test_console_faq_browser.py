"""The FAQ review in headless Chromium: a mediator drafts the fix of the night-noise answer after the
治安管理处罚法 was revised, a lawyer finds it in the due list and the drafts, reads the cited article
beside the diff and approves it; residents then get the answer with its new 依据.

Writes the screenshot docs/console-faq-review.png (desktop width)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from bot.legal.review import CAVEAT
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage.faq import faq_for_intent
from tests.browser_fixtures import DESKTOP
from tests.scripted import ScriptedClassifier
from tests.staff_user import give_password
from tests.test_console_browser import DOCS, log_in, wait_text
from tests.wechat_user import WeChatUser, converse
from webhook import create_app

pytestmark = pytest.mark.timeout(300)

INTENT = "faq_noise_night"
ASKS = "晚上楼上太吵了 有什么规定"
OLD_ANSWER = "夜间噪音扰民的，可以先请物业劝阻；仍不改的可以报警，公安机关先警告，警告后不改的可以罚款。"
OLD_CITATIONS = [
    {"law": "治安管理处罚法", "version": "2012", "articles": [58]},
    {"law": "民法典", "version": "2020", "articles": [288, 294]},
]
NEW_ANSWER = (
    "先友好沟通，或请物业、社区居委会、业委会出面劝阻、调解；"
    "经劝阻、调解和处理仍继续扰民的，公安机关可处5日以下拘留或1000元以下罚款，"
    "情节严重的处5至10日拘留，可以并处1000元以下罚款。"
)
NEW_CITATIONS = "噪声污染防治法 2021 65 70 86 87 88；治安管理处罚法 2025 88；民法典 2020 288 294"
NEW_BASIS = "《中华人民共和国治安管理处罚法》（2025年修订，2026年1月1日起施行）第八十八条"


@pytest.fixture
def faq_live(settings, tmp_path):
    """The app on a real port with a database of its own, whose night-noise answer still rests on
    the 2012 治安管理处罚法 (reviewed before the 2025 revision); residents' questions are scripted."""
    url = f"sqlite:///{tmp_path / 'faq-review.db'}"
    prepare_database(url)
    services = build_services(dataclasses.replace(settings, database_url=url, console_secure_cookies=False))
    services.classifier = ScriptedClassifier({ASKS: INTENT})
    with services.db.session() as session:
        entry = faq_for_intent(session, INTENT)
        entry.answer, entry.citations = OLD_ANSWER, OLD_CITATIONS
        entry.reviewed_by, entry.reviewed_at = "zhang.lawyer", datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    for username in ("li.mediator", "zhang.lawyer"):
        give_password(services, username)
    app = create_app(services=services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, services, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    services.db.engine.dispose()


def fill(browser, element_id: str, text: str) -> None:
    """Replace a field's text as staff would."""
    field = browser.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def test_a_mediator_drafts_the_night_noise_fix_and_a_lawyer_approves_it(faq_live, browser):
    app, services, base = faq_live
    resident = WeChatUser(app.test_client(), services.settings, "o_faq_review_01")
    converse(resident, [(ASKS, CAVEAT)])  # the law changed and no lawyer has reviewed the answer since

    # The mediator finds the answer flagged and drafts the fix; the citations are checked as typed.
    log_in(browser, base, "li.mediator")
    browser.get(f"{base}/console/faq")
    card = browser.find_element(By.ID, INTENT)
    assert "需复核：法律有更新（自2026年1月1日）" in card.text
    card.find_element(By.CSS_SELECTOR, "h2 a").click()
    wait_text(browser, "起草修改")
    fill(browser, "draft-citations", "治安管理处罚法 2012 58")
    wait_text(browser, "2012年修正已不再适用")
    fill(browser, "draft-answer", NEW_ANSWER)
    fill(browser, "draft-citations", NEW_CITATIONS)
    wait_text(browser, "居民将看到的依据：《中华人民共和国噪声污染防治法》")
    fill(browser, "draft-note", "治安管理处罚法2025年修订：第五十八条改为第八十八条，先劝阻调解")
    browser.find_element(By.ID, "submit-draft").click()
    wait_text(browser, "修改已提交")
    browser.find_element(By.CSS_SELECTOR, "form[action='/console/logout'] button").click()
    WebDriverWait(browser, 10).until(lambda d: "/console/login" in d.current_url)

    # The lawyer sees the answer in the due list and the draft against the live answer.
    log_in(browser, base, "zhang.lawyer")
    browser.get(f"{base}/console/faq/due")
    assert "法律有更新（自2026年1月1日）" in browser.find_element(By.ID, "due-law-changed").text
    browser.find_element(By.ID, "tab-drafts").click()
    wait_text(browser, "第五十八条改为第八十八条")
    draft = browser.find_element(By.CSS_SELECTOR, ".faq-draft")
    removed = "".join(part.text for part in draft.find_elements(By.CSS_SELECTOR, "p.diff.pre del"))
    assert "警告" in removed  # the warning before the fine is gone
    assert NEW_BASIS in draft.find_element(By.CSS_SELECTOR, ".basis ins").text
    draft.find_element(By.CSS_SELECTOR, "details.faq-texts summary").click()  # reads the cited article
    texts = draft.find_element(By.CSS_SELECTOR, "details.faq-texts").text
    assert "物业服务人、有关部门依法劝阻、调解和处理未能制止" in texts and "条文待与官方公报核对" in texts

    # The whole draft down to the lawyer's buttons: the page's height and the window's own frame.
    height = browser.execute_script(
        "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight"
    )
    browser.set_window_size(DESKTOP[0], min(height, 3000))
    DOCS.mkdir(exist_ok=True)
    browser.save_screenshot(str(DOCS / "console-faq-review.png"))
    browser.set_window_size(*DESKTOP)

    draft.find_element(By.CSS_SELECTOR, "button[id^='approve-']").click()
    wait_text(browser, "已批准，新的回答已生效")
    browser.get(f"{base}/console/faq/{INTENT}")
    card = browser.find_element(By.ID, INTENT)
    assert NEW_BASIS in card.find_element(By.ID, f"basis-{INTENT}").text
    assert "律师审核：张律师" in card.text and "需复核" not in card.text

    # Confirming an answer unchanged is asked first: dismissed, nothing is recorded.
    browser.find_element(By.ID, "confirm-unchanged").click()
    WebDriverWait(browser, 10).until(expected_conditions.alert_is_present())
    assert "无需修改" in browser.switch_to.alert.text
    browser.switch_to.alert.dismiss()
    assert "已确认这条回答无需修改" not in browser.page_source
    browser.find_element(By.ID, "confirm-unchanged").click()
    WebDriverWait(browser, 10).until(expected_conditions.alert_is_present())
    browser.switch_to.alert.accept()
    wait_text(browser, "已确认这条回答无需修改")

    # Live for residents at once: the new answer, its 依据, no caveat.
    other = WeChatUser(app.test_client(), services.settings, "o_faq_review_02")
    (reply,) = converse(other, [(ASKS, NEW_BASIS)])
    assert "5至10日拘留" in reply and CAVEAT not in reply
    with services.db.session() as session:
        entry = faq_for_intent(session, INTENT)
        assert (entry.reviewed_by, entry.edited_by) == ("zhang.lawyer", "li.mediator")
