"""The console's browser-test fixtures (registered in conftest.py): the app on a real HTTP port,
and headless Chromium through Debian's chromium + chromedriver, driven by Selenium."""

from __future__ import annotations

import dataclasses
import shutil
import threading

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from werkzeug.serving import make_server

from bot.jobs import ThreadJobs
from bot.services import build_services
from webhook import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE, DESKTOP = (390, 844), (1280, 900)


@pytest.fixture
def live(settings):
    """The app on a real HTTP port; jobs (WeChat deliveries) run in this process's threads."""
    settings = dataclasses.replace(settings, console_secure_cookies=False)  # plain http on 127.0.0.1
    services = build_services(settings)
    services.jobs = ThreadJobs(workers=2, retry_intervals=[0.5, 1.0])
    services.jobs.bind(services)  # jobs receive the services they run with
    app = create_app(services=services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, services, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    services.jobs.pool.shutdown(wait=True)
    services.db.engine.dispose()


@pytest.fixture
def browser():
    """Headless Chromium through the system chromedriver (never a downloaded driver)."""
    assert shutil.which("chromium") and shutil.which("chromedriver"), "apt-get install chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--lang=zh-CN",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()
