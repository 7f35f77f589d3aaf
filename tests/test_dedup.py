"""Retries get the first delivery's reply; a plaintext query string is not reused for another body."""

from __future__ import annotations

import time

from bot.wechat.dedup import ReplyCache, SignedRequests
from bot.wechat.inbound import message_key


def test_the_same_msg_id_from_two_residents_is_two_deliveries(services):
    cache = ReplyCache(services.redis, services.settings.key_prefix, ttl=60)
    first, second = message_key("gh_demo", "o_dedup_first_000001", 7), message_key("gh_demo", "o_dedup_second_00001", 7)
    assert cache.claim(first) == (True, None)
    cache.remember(first, ["张先生，您的电话 139****2222"])
    assert cache.claim(second) == (True, None)
    assert cache.claim(first) == (False, ["张先生，您的电话 139****2222"])


def test_a_signed_pair_is_accepted_again_only_with_the_same_body(services):
    seen = SignedRequests(services.redis, services.settings.key_prefix)
    timestamp = str(int(time.time()))
    assert seen.same_body_or_first(timestamp, "12345", b"<xml>A</xml>", ttl=300)
    assert seen.same_body_or_first(timestamp, "12345", b"<xml>A</xml>", ttl=300)  # WeChat's retry
    assert not seen.same_body_or_first(timestamp, "12345", b"<xml>B</xml>", ttl=300)
    assert seen.same_body_or_first(timestamp, "12346", b"<xml>B</xml>", ttl=300)


def test_a_signed_pair_is_held_for_the_signatures_age_window_only(services):
    seen = SignedRequests(services.redis, services.settings.key_prefix)
    timestamp = str(int(time.time()))
    seen.same_body_or_first(timestamp, "777", b"<xml/>", ttl=42)
    assert 0 < services.redis.ttl(f"{services.settings.key_prefix}signed:{timestamp}:777") <= 42


def test_messages_stored_under_the_older_keys_are_still_answered_by_the_sweep(services, fake_wechat, caplog):
    from datetime import timedelta

    from sqlalchemy import select

    from bot.pipeline.recovery import answer_unanswered
    from bot.pipeline.storing import store
    from bot.storage.base import utcnow
    from bot.storage.messages import Message
    from bot.wechat.inbound import Inbound
    from devtools.simulator import new_msg_id
    from tests.conftest import run_jobs
    from tests.scripted import ScriptedClassifier

    services.classifier = ScriptedClassifier({"你好": "greet"})
    openid = "o_older_keys_00000001"
    older = [f"msg:{new_msg_id()}", f"evt:{openid}:1700000000::"]  # as keyed before keys named account and resident
    for key in older:
        store(services, Inbound(openid=openid, kind="text", dedup_key=key, text="你好"))
    with services.db.session() as session:
        for message in session.scalars(select(Message).where(Message.dedup_key.in_(older))):
            message.created_at = utcnow() - timedelta(minutes=3)
    with caplog.at_level("INFO"):
        # Other tests of the run may have left unanswered messages in the same database: at least ours.
        assert answer_unanswered(services) >= 2
    with services.db.session() as session:
        stored = list(session.scalars(select(Message).where(Message.dedup_key.in_(older))))
        assert len(stored) == 2 and all(message.answered_at is not None for message in stored)
    run_jobs(services)
    assert len(fake_wechat.messages(touser=openid)) == 2
    assert openid not in caplog.text
