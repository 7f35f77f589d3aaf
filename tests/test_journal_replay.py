"""The web process replays its journal as soon as the database is back, without the sweep."""

from __future__ import annotations

import dataclasses
import time

import pytest
from sqlalchemy import select

from bot.jobs import RetryLater
from bot.pipeline import journal_replay
from bot.pipeline.journal_replay import JournalReplayer
from bot.pipeline.storing import store
from bot.services import build_services
from bot.storage.messages import Message
from bot.wechat.inbound import Inbound
from devtools.simulator import new_msg_id
from tests.conftest import run_jobs
from tests.scripted import ScriptedClassifier


@pytest.fixture
def journalled(settings, tmp_path):
    """Services whose journal is this test's own."""
    built = build_services(dataclasses.replace(settings, journal_dir=str(tmp_path / "journal")))
    built.classifier = ScriptedClassifier({"你好": "greet"})
    yield built
    built.db.engine.dispose()


def _stored(services, key: str) -> bool:
    with services.db.session() as session:
        return session.scalar(select(Message.id).where(Message.dedup_key == key)) is not None


def _wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _journal_one(services) -> Inbound:
    inbound = Inbound(
        openid="o_journal_replay_000001",
        kind="text",
        dedup_key=f"msg:{new_msg_id()}",
        text="你好",
        received_at=time.time(),
    )
    services.journal.append(inbound)
    return inbound


def test_a_journalled_message_is_stored_within_seconds_and_the_thread_ends(journalled):
    replayer = JournalReplayer(journalled, every=0.05).install()
    inbound = _journal_one(journalled)
    assert _wait_for(lambda: _stored(journalled, inbound.dedup_key))
    assert _wait_for(lambda: replayer._thread is None)
    assert journalled.journal.pending() == 0


def test_it_keeps_trying_while_the_database_is_down(journalled, monkeypatch):
    attempts = []
    real = journal_replay.replay_journal

    def down_twice(services):
        attempts.append(1)
        if len(attempts) <= 2:
            raise RetryLater("database still unavailable (OperationalError)")
        return real(services)

    monkeypatch.setattr(journal_replay, "replay_journal", down_twice)
    JournalReplayer(journalled, every=0.05).install()
    inbound = _journal_one(journalled)
    assert _wait_for(lambda: _stored(journalled, inbound.dedup_key))
    assert len(attempts) >= 3


def test_a_journal_left_by_an_earlier_process_is_replayed_at_start(journalled):
    inbound = _journal_one(journalled)  # no replayer yet: as if written before a restart
    JournalReplayer(journalled, every=0.05).install()
    assert _wait_for(lambda: _stored(journalled, inbound.dedup_key))


def _sent_to(services, fake_wechat, openid: str, seconds: float = 10.0) -> list[dict]:
    """The customer-service messages the resident received, once the queue has run."""

    def arrived() -> bool:
        run_jobs(services)
        return bool(fake_wechat.messages(touser=openid))

    _wait_for(arrived, seconds)
    time.sleep(0.3)
    run_jobs(services)
    return fake_wechat.messages(touser=openid)


def test_a_journalled_message_is_answered_by_the_replay(journalled, fake_wechat):
    JournalReplayer(journalled, every=0.05).install()
    inbound = _journal_one(journalled)  # kept while the database and Redis were both down
    sent = _sent_to(journalled, fake_wechat, inbound.openid)
    assert len(sent) == 1 and "法律服务前台" in sent[0]["content"]


def test_a_message_its_dying_process_stored_but_never_answered_is_answered_by_the_replay(journalled, fake_wechat):
    # The process journalled the message at its deadline (storing was slow), stored it, and was
    # killed before answering: the replay meets the stored copy and answers it, not the sweep.
    inbound = _journal_one(journalled)
    assert store(journalled, inbound).message is not None
    JournalReplayer(journalled, every=0.05).install()
    sent = _sent_to(journalled, fake_wechat, inbound.openid)
    assert len(sent) == 1 and "法律服务前台" in sent[0]["content"]
    with journalled.db.session() as session:
        stored = session.scalar(select(Message).where(Message.dedup_key == inbound.dedup_key))
        assert stored.answered_at is not None and stored.delivery == "customer_service"


def test_a_message_already_answered_and_delivered_is_not_sent_again_by_the_replay(journalled, fake_wechat):
    from bot.pipeline.answering import receive
    from bot.pipeline.delivery import passive_reply

    inbound = _journal_one(journalled)
    assert passive_reply(journalled, inbound.openid, receive(journalled, inbound))  # its process did reply
    JournalReplayer(journalled, every=0.05).install()
    assert _wait_for(lambda: journalled.journal.pending() == 0)
    assert _sent_to(journalled, fake_wechat, inbound.openid, seconds=1.0) == []
