"""服务目录 in headless Chromium: a district admin uploads a directory file, reads the dry-run diff
and applies it; a lawyer is refused the page.

Writes the screenshot docs/console-directory-desktop.png (the diff, desktop width)."""

from __future__ import annotations

import dataclasses
import io
import threading

import pytest
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from bot.cases.directory_file import write_xlsx
from bot.cases.directory_rows import database_rows
from bot.jobs import ThreadJobs
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage.directory import unit_by_code
from bot.storage.staff import staff_by_username
from tests.browser_fixtures import DESKTOP
from tests.staff_user import give_password, new_account
from tests.test_console_browser import click, log_in, screenshot, wait_text
from webhook import create_app

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def live(settings, tmp_path):
    """The app on a real port, on a database of its own (the import changes the directory)."""
    url = f"sqlite:///{tmp_path / 'directory.db'}"
    prepare_database(url)
    settings = dataclasses.replace(settings, console_secure_cookies=False, database_url=url)
    services = build_services(settings)
    services.jobs = ThreadJobs(workers=1, retry_intervals=[])
    services.jobs.bind(services)
    app = create_app(services=services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield services, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    services.jobs.pool.shutdown(wait=True)
    services.db.engine.dispose()


def directory_file(services, tmp_path) -> str:
    """The directory as exported, with a room's hours changed, a room and its lawyer added, an
    account left out: the file an admin would upload."""
    with services.db.session() as session:
        book = load_workbook(io.BytesIO(write_xlsx(database_rows(session))))
    units, staff = book["单位"], book["人员"]
    next(row for row in units.iter_rows(min_row=2) if row[0].value == "xiqiao")[8].value = "周一至周六 8:30-17:30"
    address, phone, hours = "利济北路（示例地址）", "027-8000-1501（示例）", "工作日 9:00-12:00 14:00-17:30"
    units.append(
        ["liji", "社区", "hualoujie", "利济社区", "", "利济、利济路社区", address, phone, hours, 30.5831, 114.2889]
    )
    staff.append(["liji.lawyer", "利律师", "社区律师", "liji", "是"])
    staff.delete_rows(next(row for row in staff.iter_rows(min_row=2) if row[0].value == "lei.mediator")[0].row)
    path = tmp_path / "江汉区服务目录.xlsx"
    book.save(path)
    return str(path)


def test_an_admin_imports_a_file_reads_the_diff_and_applies_it(live, browser, tmp_path):
    services, base = live
    log_in(browser, base, new_account(services, "admin", "jianghan"))
    click(browser, "nav-directory")
    wait_text(browser, "武汉中央商务区")
    click(browser, "import-link")
    browser.find_element(By.ID, "import-file").send_keys(directory_file(services, tmp_path))
    click(browser, "dry-run")
    wait_text(browser, "预览：新增 2 行，修改 1 行，删除或停用 1 行")
    changed = browser.find_element(By.ID, "diff-changed-xiqiao").text
    assert "工作日 9:00-12:00 14:00-17:30" in changed and "周一至周六 8:30-17:30" in changed
    assert "利济社区" in browser.find_element(By.ID, "diff-added-liji").text
    assert "雷调解员" in browser.find_element(By.ID, "diff-removed-lei.mediator").text
    screenshot(browser, "directory-desktop", DESKTOP)
    with services.db.session() as session:
        assert unit_by_code(session, "liji") is None  # nothing changed yet

    click(browser, "apply")
    WebDriverWait(browser, 10).until(lambda d: d.switch_to.alert).accept()
    wait_text(browser, "已导入 江汉区服务目录.xlsx")
    assert "利济社区" in browser.find_element(By.ID, "unit-hualoujie").text
    with services.db.session() as session:
        assert unit_by_code(session, "xiqiao").hours == "周一至周六 8:30-17:30"
        assert unit_by_code(session, "liji") is not None
        assert staff_by_username(session, "lei.mediator").active is False


def test_a_lawyer_is_refused_the_directory(live, browser):
    services, base = live
    give_password(services, "zhang.lawyer")
    log_in(browser, base, "zhang.lawyer")
    assert not browser.find_elements(By.ID, "nav-directory")
    browser.get(f"{base}/console/directory")
    wait_text(browser, "没有权限")
    browser.get(f"{base}/console/directory/import")
    wait_text(browser, "没有权限")
