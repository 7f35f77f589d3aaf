"""Storing: a data error is not an outage; whatever is down, a message is kept somewhere."""

from __future__ import annotations

import redis
from sqlalchemy import func, select

from bot.pipeline.recovery import replay_kept
from bot.pipeline.spill import spill
from bot.pipeline.storing import Outcome, store
from bot.storage import Database
from bot.storage.dead_letters import DeadLetter
from bot.storage.messages import Message
from bot.wechat.inbound import Inbound
from devtools.simulator import image_xml, location_xml, new_msg_id
from tests.conftest import run_jobs
from tests.scripted import ScriptedClassifier

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"


def _count(services, model) -> int:
    with services.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def _spilled(services) -> int:
    return services.redis.llen(f"{services.settings.key_prefix}inbox:unsaved")


def test_a_value_the_database_refuses_is_a_dead_letter_not_an_outage(services, resident):
    # A 300-character MediaId does not fit the column: that is the message, not the database.
    reply = resident.deliver(image_xml(resident.openid, "m" * 300, new_msg_id()))
    assert "处理不了" in reply
    assert _spilled(services) == 0  # nothing waits to be "replayed" forever
    with services.db.session() as session:
        [letter] = session.scalars(select(DeadLetter)).all()[-1:]
        assert letter.source == "callback" and "DataError" in letter.reason
        assert resident.openid in letter.payload


def test_a_location_that_is_not_a_number_is_a_dead_letter(services, resident):
    before = _count(services, DeadLetter)
    xml = location_xml(resident.openid, 30.6, 114.2, new_msg_id()).replace("30.600000", "nan", 1)
    assert resident.deliver(xml)  # answered politely, never a 500
    assert _count(services, DeadLetter) == before + 1
    assert _spilled(services) == 0


def test_a_poison_message_in_the_replay_never_blocks_the_ones_behind_it(services):
    services.classifier = ScriptedClassifier({"你好": "greet"})
    prefix = services.settings.key_prefix
    poison = Inbound(openid="o_poison_00000000001", kind="image", dedup_key=f"msg:{new_msg_id()}", media_id="m" * 300)
    good = [
        Inbound(openid=f"o_after_poison_00000{i}", kind="text", dedup_key=f"msg:{new_msg_id()}", text="你好")
        for i in range(3)
    ]
    for inbound in [poison, *good]:
        spill(services.redis, prefix, inbound)
    replayed = replay_kept(services)
    assert (replayed.stored, replayed.dead_letters) == (3, 1)
    assert _spilled(services) == 0
    with services.db.session() as session:
        keys = set(session.scalars(select(Message.dedup_key)))
    assert {inbound.dedup_key for inbound in good} <= keys


def test_database_and_redis_down_together_the_journal_keeps_every_message(services, resident, fake_wechat, tmp_path):
    from bot.pipeline.journal import Journal

    services.classifier = ScriptedClassifier({"你好": "greet"})
    services.journal = Journal(tmp_path / "journal")
    working_db, working_redis = services.db, services.redis
    services.db = Database(NOWHERE)
    services.redis = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    replies = [resident.says("你好") for _ in range(5)]
    assert all("已经收到" in reply for reply in replies)
    assert services.journal.pending() == 5
    services.db, services.redis = working_db, working_redis
    assert replay_kept(services).stored == 5
    assert services.journal.pending() == 0
    run_jobs(services)
    assert len(fake_wechat.messages(touser=resident.openid)) == 5


def test_a_message_nowhere_would_take_is_not_called_saved(services, resident, tmp_path):
    from bot.pipeline.journal import Journal

    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the journal's directory should be")
    services.journal = Journal(blocker)
    services.db = Database(NOWHERE)
    services.redis = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    reply = resident.says("你好")
    assert "没能保存" in reply and "已经收到" not in reply


def test_store_reports_a_duplicate(services):
    inbound = Inbound(openid="o_store_dup_0000000001", kind="text", dedup_key=f"msg:{new_msg_id()}", text="你好")
    assert store(services, inbound).outcome is Outcome.STORED
    assert store(services, inbound).outcome is Outcome.DUPLICATE


def test_the_replay_job_named_by_storing_is_the_recovery_job():
    """Storing queues the replay by name (recovery stores through storing): the name must resolve."""
    from rq.utils import import_attribute

    from bot.pipeline.recovery import replay_job
    from bot.pipeline.storing import REPLAY_JOB

    assert import_attribute(REPLAY_JOB) is replay_job
