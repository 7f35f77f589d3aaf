"""The reply budget: `success` at the deadline only for a message that is durable."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest

import bot.pipeline.answering
from bot.pipeline.recovery import replay_kept
from bot.pipeline.reply_budget import ReplyBudget
from bot.services import build_services
from bot.storage.residents import find_resident
from bot.wechat.inbound import Inbound
from devtools.simulator import new_msg_id


@pytest.fixture
def journalled(settings, tmp_path):
    """Services whose journal is this test's own."""
    built = build_services(dataclasses.replace(settings, journal_dir=str(tmp_path / "journal")))
    yield built
    built.db.engine.dispose()


def test_a_message_not_stored_by_the_deadline_is_journalled_before_success(journalled, monkeypatch):
    release = threading.Event()
    store = bot.pipeline.answering.store

    def slow_store(services, inbound):
        release.wait(10)  # the database is slow: storing is still going on at the deadline
        return store(services, inbound)

    monkeypatch.setattr(bot.pipeline.answering, "store", slow_store)
    inbound = Inbound(openid="o_budget_slow_000001", kind="text", dedup_key=f"msg:{new_msg_id()}", text="你好")
    assert ReplyBudget(journalled).answer_by(inbound, deadline=time.time() + 0.2) is None
    assert journalled.journal.pending() == 1  # durable before WeChat hears "success"
    release.set()
    monkeypatch.setattr(bot.pipeline.answering, "store", store)
    time.sleep(0.5)  # the slow store finishes and answers
    replay_kept(journalled)  # the journal's copy meets the stored one and stops there
    assert journalled.journal.pending() == 0
    with journalled.db.session() as session:
        assert find_resident(session, inbound.openid) is not None


def test_a_message_stored_in_time_but_answered_late_is_not_journalled(journalled, monkeypatch):
    answer = bot.pipeline.answering.answer

    def slow_answer(*args, **kwargs):
        time.sleep(0.5)  # stored already; only the answer is slow
        return answer(*args, **kwargs)

    monkeypatch.setattr(bot.pipeline.answering, "answer", slow_answer)
    inbound = Inbound(openid="o_budget_late_000001", kind="text", dedup_key=f"msg:{new_msg_id()}", text="你好")
    assert ReplyBudget(journalled).answer_by(inbound, deadline=time.time() + 0.2) is None
    assert journalled.journal.pending() == 0
    time.sleep(0.6)


def test_a_message_journalled_at_the_deadline_reaches_the_resident_once(journalled, monkeypatch, fake_wechat):
    from tests.conftest import run_jobs

    release = threading.Event()
    store = bot.pipeline.answering.store

    def slow_store(services, inbound):
        release.wait(10)
        return store(services, inbound)

    monkeypatch.setattr(bot.pipeline.answering, "store", slow_store)
    inbound = Inbound(openid="o_budget_once_000001", kind="text", dedup_key=f"msg:{new_msg_id()}", text="你好")
    assert ReplyBudget(journalled).answer_by(inbound, deadline=time.time() + 0.2) is None
    release.set()
    monkeypatch.setattr(bot.pipeline.answering, "store", store)
    # The process's own late answer and the journal's replay race for the same message.
    replay_kept(journalled)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not fake_wechat.messages(touser=inbound.openid):
        run_jobs(journalled)
        time.sleep(0.2)
    time.sleep(1.0)
    run_jobs(journalled)
    assert len(fake_wechat.messages(touser=inbound.openid)) == 1


def test_an_answer_in_time_records_its_passive_delivery_in_its_own_transaction(journalled):
    from sqlalchemy import select

    from bot.storage.messages import Message

    inbound = Inbound(openid="o_budget_passive_0001", kind="text", dedup_key=f"msg:{new_msg_id()}", text="你好")
    assert ReplyBudget(journalled).answer_by(inbound, deadline=time.time() + 3.0)
    with journalled.db.session() as session:
        stored = session.scalar(select(Message).where(Message.dedup_key == inbound.dedup_key))
        assert stored.answered_at is not None and stored.delivery == "passive"


def test_the_handover_is_decided_once_whoever_comes_first():
    from bot.pipeline.answering import Handover

    promised = Handover()
    assert promised.promise_passive() and not promised.give_up()  # committing: the request waits for it
    assert promised.promised
    late = Handover()
    assert late.give_up() and not late.promise_passive()  # too late: it follows as a customer-service message
    assert not late.promised
