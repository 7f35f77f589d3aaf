"""The admins' training pages in headless Chromium: the review queue worked from the keyboard, and
the comparison page with its confusion matrices, changed answers and the promotion gate.

Writes the screenshot docs/console-training-comparison.png (desktop width)."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from bot.jobs import ThreadJobs
from bot.nlu.keywords import classify_keywords
from bot.services import build_services
from bot.storage.review import ModelVersion, ReviewItem, ReviewStatus
from bot.training.comparison import compare
from bot.training.training_data import intent_heldout_files
from tests.browser_fixtures import DESKTOP
from tests.staff_user import new_account
from tests.test_console_browser import DOCS, log_in
from webhook import create_app

pytestmark = [
    pytest.mark.usefixtures("fresh_training_state"),
    pytest.mark.usefixtures("rasa_server"),
    pytest.mark.timeout(300),
]


def wait_text(driver, text: str, timeout: float = 15) -> None:
    """Wait for the text, across the page load a form post causes."""
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: text in d.find_element(By.TAG_NAME, "body").text
    )


@pytest.fixture
def live(settings):
    """The app on a real port; its only Rasa server is a port nothing listens on, so a promotion
    started from the page can never reach the shared server."""
    settings = dataclasses.replace(settings, console_secure_cookies=False, rasa_url="http://127.0.0.1:5019")
    services = build_services(settings)
    services.jobs = ThreadJobs(workers=1, retry_intervals=[])
    services.jobs.bind(services)
    app = create_app(services=services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, services, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    services.jobs.pool.shutdown(wait=True)
    services.db.engine.dispose()


def test_review_queue_from_the_keyboard(live, browser):
    app, services, base = live
    with services.db.session() as session:
        items = [
            ReviewItem(text=text, reason=reason, predicted_intent=predicted, suggested_intent=suggested, confidence=0.5)
            for text, reason, predicted, suggested in (
                ("嗯嗯那个啥", "fallback", "greet", None),
                ("单元门口的路灯坏了一个月没人修", "fallback", "neighbor_dispute", None),
                ("楼上水管爆了，淹到我家〔门牌号〕", "clarified", "property_complaint", "neighbor_dispute"),
            )
        ]
        session.add_all(items)
        session.flush()
        noise, lamp, water = (item.id for item in items)
    log_in(browser, base, new_account(services, "admin", "jianghan"))
    browser.get(f"{base}/console/training/review")
    wait_text(browser, "单元门口的路灯坏了一个月没人修")
    assert "〔门牌号〕" in browser.find_element(By.ID, f"item-{water}").text

    body = browser.find_element(By.TAG_NAME, "body")
    rows = [row.get_attribute("data-id") for row in browser.find_elements(By.CSS_SELECTOR, ".review-item")]
    body.send_keys("j" * (rows.index(str(lamp)) - 0))  # down to the lamp
    body.send_keys("r")  # relabel: the intent picker gets the focus
    picker = browser.find_element(By.ID, "bulk-label")
    assert browser.switch_to.active_element == picker
    picker.send_keys("property_complaint", Keys.ENTER)
    wait_text(browser, "已处理 1 条")

    browser.find_element(By.TAG_NAME, "body").send_keys("x")  # select the first row (the noise)
    rows = [row.get_attribute("data-id") for row in browser.find_elements(By.CSS_SELECTOR, ".review-item")]
    assert rows[0] == str(noise)
    browser.find_element(By.TAG_NAME, "body").send_keys("d")
    wait_text(browser, "已处理 1 条")
    with services.db.session() as session:
        assert (session.get(ReviewItem, lamp).status, session.get(ReviewItem, lamp).label) == (
            ReviewStatus.ACCEPTED,
            "property_complaint",
        )
        assert session.get(ReviewItem, noise).status == ReviewStatus.DISCARDED
        assert session.get(ReviewItem, water).status == "open"
    assert "单元门口的路灯坏了一个月没人修" not in browser.find_element(By.ID, "review-items").text


def test_comparison_page_pictures_changed_answers_and_the_gate(live, browser, rasa_client, tmp_path):
    app, services, base = live
    # The keyword rules stand for the serving model and the project's Rasa model for the candidate:
    # two real classifiers on the real held-out sets, so the page shows real figures and pictures.
    comparison = compare(classify_keywords, rasa_client.parse, tmp_path / "reports", intent_heldout_files())
    with services.db.session() as session:
        serving = ModelVersion(
            version="v1-keyword-rules",
            model_file=str(tmp_path / "a.tar.gz"),
            status="serving",
            stage="done",
            trained_by="setup",
            promoted_by="setup",
        )
        session.add(serving)
        session.flush()
        candidate = ModelVersion(
            version="v2-candidate",
            model_file=str(tmp_path / "b.tar.gz"),
            status="ready",
            stage="done",
            trained_by="t.admin",
            comparison=comparison,
            compared_with_id=serving.id,
            epoch=60,
            epochs=60,
        )
        session.add(candidate)
        session.flush()
        candidate_id = candidate.id
    (tmp_path / "b.tar.gz").write_bytes(b"model")
    log_in(browser, base, new_account(services, "admin", "jianghan"))
    browser.get(f"{base}/console/training/models/{candidate_id}")
    wait_text(browser, "与 v1-keyword-rules 对比")
    pictures = browser.find_elements(By.CSS_SELECTOR, "img.matrix")
    assert len(pictures) == 2 * len(intent_heldout_files())  # serving and candidate, per held-out set
    WebDriverWait(browser, 10).until(
        lambda d: all(d.execute_script("return arguments[0].naturalWidth", p) > 100 for p in pictures)
    )
    changed = browser.find_element(By.ID, "changed").text
    assert f"回答会变的消息（{len(comparison['changed'])} 句）" in changed and "变对" in changed

    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(DESKTOP[0], min(height, 3000))  # the whole page: figures, pictures, changes
    DOCS.mkdir(exist_ok=True)
    browser.save_screenshot(str(DOCS / "console-training-comparison.png"))

    if comparison["worse"]:
        reason = browser.find_element(By.ID, "reason")
        assert reason.get_attribute("required") is not None
        reason.send_keys("测试：候选模型仍要上线")
    browser.find_element(By.ID, "promote").click()
    wait_text(browser, "正在逐台加载")
    services.jobs.pool.shutdown(wait=True)  # the promotion job: no Rasa server answers on 5019
    with services.db.session() as session:
        model = session.get(ModelVersion, candidate_id)
        assert model.status == "ready" and "上线失败" in model.error
