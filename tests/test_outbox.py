"""Customer-service messages: delivery through the job queue and every WeChat outcome."""

import pytest

from bot.storage.outbox import OutboundMessage
from bot.storage.residents import touch_resident
from bot.wechat.outbox import deliver_batch, queue_message
from tests.conftest import run_jobs


@pytest.fixture
def send(app, services):
    """Queue a message to a resident; returns the outbound row ids."""

    def send(openid: str, text: str) -> list[int]:
        with services.db.session() as session:
            resident = touch_resident(session, openid)
            return queue_message(session, services.jobs, resident, text)

    return send


def row(services, outbound_id: int) -> OutboundMessage:
    with services.db.session() as session:
        return session.get(OutboundMessage, outbound_id)


def test_message_is_delivered_and_recorded(services, send, fake_wechat):
    [outbound_id] = send("o_outbox_ok", "您的工单已受理")
    run_jobs(services)
    assert fake_wechat.messages(touser="o_outbox_ok")[-1]["content"] == "您的工单已受理"
    assert row(services, outbound_id).status == "sent"


def test_outside_the_48_hour_window_waits_for_the_next_message(services, send, fake_wechat, resident):
    resident.says("你好")
    fake_wechat.fail(errcode=45015)
    [outbound_id] = send(resident.openid, "工作人员已回复：请明天上午来工作室")
    run_jobs(services)
    assert row(services, outbound_id).status == "deferred"
    assert not fake_wechat.messages(touser=resident.openid)
    resident.says("谢谢")  # the resident is back: the waiting message goes out
    run_jobs(services)
    assert row(services, outbound_id).status == "sent"
    assert "请明天上午来工作室" in fake_wechat.messages(touser=resident.openid)[-1]["content"]


def test_expired_token_is_refreshed_and_the_send_retried_once(services, send, fake_wechat):
    send("o_outbox_token", "第一条")
    run_jobs(services)
    fetches = fake_wechat.stats()["token_fetches"]
    fake_wechat.expire_token()
    [outbound_id] = send("o_outbox_token", "第二条")
    run_jobs(services)
    assert row(services, outbound_id).status == "sent"
    assert fake_wechat.stats()["token_fetches"] == fetches + 1


def test_rate_limit_is_retried_later_with_every_attempt_recorded(services, send, fake_wechat):
    fake_wechat.fail(errcode=45009)
    [outbound_id] = send("o_outbox_rate", "稍后送达")
    run_jobs(services)  # the first attempt fails; the queue schedules a retry with back-off
    first = row(services, outbound_id)
    assert (first.status, first.attempts) == ("queued", 1) and "45009" in first.last_error
    deliver_batch(services, [outbound_id])  # what the scheduled retry runs
    assert row(services, outbound_id).status == "sent"


def test_a_permanent_error_is_recorded_as_failed(services, send, fake_wechat):
    fake_wechat.fail(errcode=40003, errmsg="invalid openid")
    [outbound_id] = send("o_outbox_bad", "不会送达")
    run_jobs(services)
    failed = row(services, outbound_id)
    assert failed.status == "failed" and "40003" in failed.last_error


def test_long_message_is_split_and_sent_in_order(services, send, fake_wechat):
    text = "\n".join(f"第{i}段" + "说明" * 100 for i in range(8))
    ids = send("o_outbox_long", text)
    assert len(ids) > 1
    run_jobs(services)
    sent = [message["content"] for message in fake_wechat.messages(touser="o_outbox_long")]
    assert [part[:5] for part in sent] == [f"（{n}/{len(sent)}）" for n in range(1, len(sent) + 1)]
    assert "\n".join(part[5:] for part in sent) == text


def test_a_slow_wechat_api_is_waited_out_not_sent_twice(services, send, fake_wechat):
    # Slower than WECHAT_TIMEOUT (2 s in tests): the send is not abandoned and sent again.
    fake_wechat.fail(delay=2.5)
    [outbound_id] = send("o_outbox_slow_api_01", "慢慢送达")
    run_jobs(services)
    assert [m["content"] for m in fake_wechat.messages(touser="o_outbox_slow_api_01")] == ["慢慢送达"]
    assert row(services, outbound_id).status == "sent"


def test_two_jobs_for_the_same_message_send_it_once(services, send, fake_wechat):
    [outbound_id] = send("o_outbox_twice_0001", "只发一次")
    deliver_batch(services, [outbound_id])
    deliver_batch(services, [outbound_id])  # a retried job, or one queued again by the sweep
    run_jobs(services)
    assert len(fake_wechat.messages(touser="o_outbox_twice_0001")) == 1


def test_a_message_claimed_by_a_job_that_died_is_picked_up_when_the_worker_starts(app, services, fake_wechat):
    from datetime import timedelta

    from bot.storage.base import utcnow

    with services.db.session() as session:
        resident = touch_resident(session, "o_outbox_abandoned1")
        session.add(
            OutboundMessage(
                resident_id=resident.id,
                openid=resident.openid,
                content="被遗弃的消息",
                status="sending",
                attempts=1,
                claimed_at=utcnow() - timedelta(hours=1),
            )
        )
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "abandoned message(s) queued again" in result.output
    run_jobs(services)
    assert [m["content"] for m in fake_wechat.messages(touser="o_outbox_abandoned1")] == ["被遗弃的消息"]


def test_a_message_claimed_moments_ago_is_left_to_its_job(services, send, fake_wechat):
    from bot.storage.base import utcnow

    [outbound_id] = send("o_outbox_inflight01", "正在发送")
    with services.db.session() as session:
        claimed = session.get(OutboundMessage, outbound_id)
        claimed.status, claimed.claimed_at = "sending", utcnow()
    run_jobs(services)
    assert fake_wechat.messages(touser="o_outbox_inflight01") == []
