"""Shared fixtures: a database and a Redis key prefix of this run's own, the fake WeChat API
server, and the app wired to all of them.

A test that uses none of the fixtures reaching PostgreSQL, Redis or Rasa is marked `unit`
(`pytest -m unit` runs only those, with none of the three up). A module that reaches them by
other means says so with `pytestmark = pytest.mark.needs_services`; one whose own fixture only
shares a name with one of those says `pytestmark = pytest.mark.unit`."""

from __future__ import annotations

import dataclasses
import os
import uuid

import pytest
import redis

from bot.config import Settings
from bot.nlu import signals
from bot.seeding import prepare_database
from bot.services import build_services
from bot.storage.staff import staff_by_username
from devtools.databases import scratch_database
from devtools.fake_wechat import FakeWeChatServer
from tests.wechat_user import WeChatUser
from webhook import create_app

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RUN_ID = uuid.uuid4().hex[:8]

pytest_plugins = ["tests.rasa_fixture", "tests.browser_fixtures"]

# The shared fixtures that reach PostgreSQL, Redis or Rasa, themselves or through another.
SERVICE_FIXTURES = frozenset(
    {
        "database_url",
        "any_database_url",
        "key_prefix",
        "settings",
        "services",
        "any_services",
        "app",
        "client",
        "resident",
        "fresh_training_state",
        "bound",
        "live",
        "rasa_server",
        "rasa_client",
    }
)


def needs_services(item: pytest.Item) -> bool:
    """Whether the test reaches PostgreSQL, Redis or Rasa: by its fixtures, or as its module says."""
    if item.get_closest_marker("needs_services"):
        return True
    # Said where a module's own fixture bears the name of one of these (test_fake_wechat's client).
    if item.get_closest_marker("unit"):
        return False
    # fixturenames is the whole closure: the fixtures of the fixtures a test names are in it too.
    return not SERVICE_FIXTURES.isdisjoint(item.fixturenames)


# Before pytest's own hook deselects by marker, or `-m unit` would select nothing.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that needs no PostgreSQL, Redis or Rasa as `unit`."""
    for item in items:
        if not needs_services(item):
            item.add_marker(pytest.mark.unit)


@pytest.fixture(scope="session")
def trained_signals():
    """The danger and group signals, trained once before the first test sends a message."""
    return signals.model()


@pytest.fixture(scope="session")
def database_url():
    """A PostgreSQL database of this test run's own, migrated and seeded."""
    with scratch_database(PG_ADMIN_URL, f"lfd_test_{RUN_ID}") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory):
    """A SQLite file of this test run's own (the embedded default), migrated and seeded."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'service.db'}"
    prepare_database(url)
    return url


@pytest.fixture(params=["postgresql", "sqlite"])
def any_database_url(request, database_url, sqlite_database_url):
    """Each database the service runs on, in turn: a test using it runs on both."""
    return database_url if request.param == "postgresql" else sqlite_database_url


@pytest.fixture
def key_prefix():
    """A Redis key prefix for one test; its keys are deleted afterwards."""
    prefix = f"lfdtest:{RUN_ID}:{uuid.uuid4().hex[:8]}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture(scope="session")
def fake_wechat():
    """The local fake WeChat API server, shared by the session and reset per test."""
    server = FakeWeChatServer().start()
    yield server
    server.stop()


@pytest.fixture
def settings(database_url, key_prefix, fake_wechat, tmp_path, trained_signals) -> Settings:
    """Settings pointing at the test database, Redis, the fake WeChat API and Rasa."""
    # Every app, set of services, server or worker a test builds is built from these settings and
    # classifies what it is sent: the signals are trained before, not within a reply's budget.
    fake_wechat.reset()
    return Settings(
        wechat_token="test-token",
        wechat_appid="wxtestappid0001",
        wechat_secret="test-secret",
        wechat_aes_key="",
        wechat_api_base=fake_wechat.api_base,
        wechat_timeout=2.0,
        database_url=database_url,
        redis_url=REDIS_URL,
        key_prefix=key_prefix,
        rasa_url=os.environ.get("RASA_URL", "http://127.0.0.1:5005"),
        rasa_token=Settings.from_env().rasa_token,
        reply_budget=3.5,
        # Confident answers are sampled for review at random: never in tests, unless a test asks.
        review_sample_rate=0.0,
        # Accepted review items and trained models go to the test's own files, never the repo's.
        nlu_reviewed_file=str(tmp_path / "reviewed.yml"),
        nlu_models_dir=str(tmp_path / "models"),
        nlu_eval_ports="5015-5019",
    )


@pytest.fixture
def services(settings):
    """Every shared part, built for the test settings."""
    built = build_services(settings)
    yield built
    built.db.engine.dispose()


@pytest.fixture
def any_services(settings, any_database_url):
    """Every shared part, on PostgreSQL and then on SQLite (see `any_database_url`)."""
    built = build_services(dataclasses.replace(settings, database_url=any_database_url))
    yield built
    built.db.engine.dispose()


@pytest.fixture
def app(services):
    """The Flask app wired to the test services."""
    return create_app(services=services)


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def resident(client, settings):
    """A resident with a fresh openid, talking to the bot through the real callback."""
    return WeChatUser(client, settings, f"o_test_{uuid.uuid4().hex[:12]}")


def run_jobs(services) -> None:
    """Run every queued job now (customer-service messages, notifications)."""
    services.jobs.work(burst=True)


@pytest.fixture
def fresh_training_state(services):
    """No review items and no registered models: the test database is shared by the whole run."""
    from sqlalchemy import delete

    from bot.storage.review import ModelVersion, ReviewItem

    with services.db.session() as session:
        session.execute(delete(ReviewItem))
        session.execute(delete(ModelVersion))


@pytest.fixture
def bound(services):
    """Bind staff accounts to a WeChat openid of their own for one test; returns bind(username) → openid."""
    names = []

    def bind(username: str) -> str:
        openid = f"o_staff_{username}_{id(names)}"
        with services.db.session() as session:
            staff_by_username(session, username).wechat_openid = openid
        names.append(username)
        return openid

    yield bind
    with services.db.session() as session:
        for username in names:
            staff_by_username(session, username).wechat_openid = None
