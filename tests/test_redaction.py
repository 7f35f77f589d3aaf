"""Redaction: no token or secret in any log line or stored error; openids hashed in logs."""

from __future__ import annotations

import logging

from bot.redaction import install_log_redaction, person, redact, register_secrets
from bot.storage.outbox import OutboundMessage
from bot.storage.residents import touch_resident
from bot.wechat.inbound import log_key
from bot.wechat.outbox import queue_message
from tests.conftest import run_jobs


def test_tokens_and_secrets_in_urls_are_masked():
    line = (
        "GET /model/parse?token=abc123secret&x=1 and "
        "/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=S3CR3T"
    )
    masked = redact(line)
    assert "abc123secret" not in masked and "S3CR3T" not in masked and "appid=wx1" in masked
    assert "access_token=***" in redact("message/custom/send?access_token=TOKEN-VALUE-1")
    assert "pw" not in redact("postgresql+psycopg://app:pw@db/lfd").split("@")[0].split(":")[-1]


def test_a_registered_secret_is_masked_wherever_it_appears():
    register_secrets("very-secret-value-42")
    assert "very-secret-value-42" not in redact("error: 'very-secret-value-42' refused")


def test_every_log_record_is_redacted_with_openids_hashed(caplog):
    install_log_redaction()
    openid = "oAbCdEfGh1234567890_xyzXYZ"
    with caplog.at_level(logging.INFO):
        logging.getLogger("some.library").warning("calling %s for %s", "https://x/parse?token=tok-999", openid)
        try:
            raise RuntimeError("url https://api/cgi-bin/token?secret=APPSECRET-1")
        except RuntimeError:
            logging.getLogger("rq.worker").exception("job failed")
    text = caplog.text
    assert "tok-999" not in text and openid not in text and person(openid) in text
    assert "APPSECRET-1" not in text


def test_an_event_key_in_a_log_line_hides_the_openid():
    assert "oAbCdEfGh1234567890" not in log_key("evt:oAbCdEfGh1234567890:1700000000:subscribe:")


def test_a_dedup_key_in_a_log_line_keeps_the_account_and_hides_the_openid():
    openid = "o_log_key_0000000001"
    message, event = f"msg:gh_demo:{openid}:123", f"evt:gh_demo:{openid}:1700000000:click:MENU"
    assert log_key(message) == f"msg:gh_demo:{person(openid)}:123"
    assert log_key(event) == f"evt:gh_demo:{person(openid)}:1700000000:click:MENU"
    assert log_key("msg:123") == "msg:123"  # stored before keys named the resident: nothing to hide


def test_a_failed_send_stores_no_secret(services, fake_wechat):
    # The token endpoint refuses: wechatpy's error quotes the URL with the app secret in it.
    fake_wechat.fail(path="token", errcode=40125, errmsg="invalid appsecret, secret=test-secret hint")
    services.wechat.redis.delete(services.wechat.token_key)
    with services.db.session() as session:
        resident = touch_resident(session, "o_redact_send_00001")
        queue_message(session, services.jobs, resident, "通知")
    run_jobs(services)
    with services.db.session() as session:
        errors = [row.last_error for row in session.query(OutboundMessage).filter_by(openid="o_redact_send_00001")]
    assert any(errors) and not any("test-secret" in error for error in errors)
