"""The log-in page: one answer for every refusal, and the client address it counts by (the
proxy's X-Forwarded-For only from a trusted proxy)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from bot.cases import lockout
from bot.cases.staff import LOGIN_REFUSED
from bot.services import build_services
from bot.storage.audit import AuditAction
from bot.storage.staff import AuditEntry
from tests.staff_user import PASSWORD, StaffUser, new_account
from tests.test_lockout import an_address
from webhook import create_app

PROXY = "127.0.0.1"  # the test client's own address: the proxy, when trusted


@pytest.fixture
def proxied(settings):
    """The app behind a trusted proxy at the test client's address."""
    services = build_services(dataclasses.replace(settings, trusted_proxies=(PROXY,)))
    yield create_app(services=services), services
    services.db.engine.dispose()


def from_address(app, address: str) -> StaffUser:
    """A browser whose requests the proxy forwards as coming from `address`."""
    client = app.test_client()
    client.environ_base["HTTP_X_FORWARDED_FOR"] = f"{address}, 10.0.0.1"
    return StaffUser(client)


def last_log_in(services, username: str) -> AuditEntry:
    with services.db.session() as session:
        query = select(AuditEntry).where(AuditEntry.actor == username, AuditEntry.action == AuditAction.LOGIN)
        return session.scalars(query.order_by(AuditEntry.id.desc())).first()


def test_every_refusal_shows_the_same_sentence(proxied):
    app, services = proxied
    username = new_account(services, "lawyer", "baguodun")
    stranger = from_address(app, an_address())
    pages = [stranger.log_in("no.such.person", PASSWORD)]
    pages += [stranger.log_in(username, "wrong-password") for _ in range(lockout.ACCOUNT_LIMIT)]
    pages.append(stranger.log_in(username, PASSWORD))  # locked out from here
    for page in pages:
        assert page.status_code == 401
        text = page.get_data(as_text=True)
        assert LOGIN_REFUSED in text and "锁定" not in text and "不存在" not in text


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(proxied):
    app, services = proxied
    username = new_account(services, "lawyer", "baguodun")
    stranger, office = an_address(), an_address()
    for _ in range(lockout.ACCOUNT_LIMIT):
        from_address(app, stranger).log_in(username, "wrong-password")
    assert from_address(app, office).log_in(username).status_code == 302  # her office is not the stranger
    assert last_log_in(services, username).after == {"ip": office}
    assert from_address(app, stranger).log_in(username).status_code == 401


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(app, services):
    username = new_account(services, "lawyer", "baguodun")
    user = from_address(app, an_address())
    assert user.log_in(username).status_code == 302
    assert last_log_in(services, username).after == {"ip": "127.0.0.1"}


def test_a_forwarded_value_that_is_no_address_is_not_believed(proxied):
    app, services = proxied
    username = new_account(services, "lawyer", "baguodun")
    assert from_address(app, "<script>").log_in(username).status_code == 302
    assert last_log_in(services, username).after == {"ip": PROXY}


def test_the_log_in_takes_a_username_in_any_case_and_says_how_long_a_lock_lasts(app, services):
    username = new_account(services, "coordinator", "tangjiadun")
    page = StaffUser(app.test_client()).get("/console/login").get_data(as_text=True)
    assert "同一台电脑或同一网络多次输错后，需要等 15 分钟，或请区级管理员解除" in page
    assert "街道协调员" in page and "区级管理员" in page and "锁定" not in page
    assert StaffUser(app.test_client()).log_in(username.upper()).status_code == 302
    assert last_log_in(services, username) is not None
