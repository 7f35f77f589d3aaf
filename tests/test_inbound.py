"""Dedup keys: one account's resident's message, never another's; they fit the stored column."""

from __future__ import annotations

from bot.wechat.inbound import MAX_KEY_CHARS, event_key, key_openid, message_key

OPENID = "oAbCdEfGh1234567890_xyzXYZ"


def test_a_message_key_names_the_account_the_resident_and_the_msg_id():
    assert message_key("gh_demo", OPENID, 24000001) == f"msg:gh_demo:{OPENID}:24000001"
    assert message_key("gh_demo", OPENID, 1) != message_key("gh_demo", "o_another_resident_01", 1)
    assert message_key("gh_demo", OPENID, 1) != message_key("gh_other", OPENID, 1)


def test_an_event_key_keeps_the_event_and_its_key():
    assert event_key("gh_demo", OPENID, 1700000000, "click", "MENU") == f"evt:gh_demo:{OPENID}:1700000000:click:MENU"


def test_a_key_too_long_for_the_column_keeps_the_openid_in_its_place():
    account, openid = "gh_" + "a" * 61, "o" + "B" * 63
    long_event = event_key(account, openid, 1700000000, "click", "K" * 128)
    assert len(long_event) <= MAX_KEY_CHARS and long_event.split(":")[2] == openid
    assert long_event == event_key(account, openid, 1700000000, "click", "K" * 128)  # a retry finds it
    assert long_event != event_key(account, openid, 1700000000, "click", "K" * 127 + "L")
    assert len(message_key(account, openid, 10**140)) <= MAX_KEY_CHARS


def test_the_openid_is_found_in_keys_of_this_form_and_of_the_older_ones():
    assert key_openid(message_key("gh_demo", OPENID, 5)) == OPENID
    assert key_openid(event_key("gh_demo", OPENID, 1700000000, "subscribe", "")) == OPENID
    assert key_openid(event_key("gh_" + "a" * 61, OPENID, 1700000000, "click", "K" * 128)) == OPENID
    assert key_openid(f"evt:{OPENID}:1700000000:subscribe:") == OPENID  # before keys named the account
    assert key_openid("msg:24000001") is None and key_openid("id:17") is None
