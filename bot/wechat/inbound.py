"""One message from a resident as the domain sees it, whatever WeChat's XML looked like."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.redaction import person

# The messages table's dedup_key is VARCHAR(128); a longer key is fitted (see _fitted).
MAX_KEY_CHARS = 128


@dataclass(frozen=True)
class Inbound:
    """A resident's message or event, parsed and framework-free."""

    openid: str
    kind: str  # text, voice, image, location, link, video, event, unknown
    dedup_key: str
    create_time: int = 0
    text: str = ""
    media_id: str | None = None
    event: str | None = None
    event_key: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    extra: dict = field(default_factory=dict)
    # When it reached us (epoch seconds, our clock): recovery compares it with the dialogue's
    # last change, so a message kept for later never acts on a dialogue that moved on.
    received_at: float = 0.0


def message_key(account: str, openid: str, msg_id: str | int) -> str:
    """The dedup key of a message: `msg:{account}:{openid}:{MsgId}`. A MsgId is unique only
    within one account and resident, so another resident's equal MsgId is another message."""
    return _fitted("msg", account, openid, str(msg_id))


def event_key(account: str, openid: str, create_time: int, event: str, key: str) -> str:
    """The dedup key of an event: `evt:{account}:{openid}:{CreateTime}:{event}:{key}`. WeChat's
    rule is FromUserName+CreateTime; the event and its key keep a location report and a menu
    click in the same second apart."""
    return _fitted("evt", account, openid, f"{create_time}:{event}:{key}")


def key_openid(dedup_key: str) -> str | None:
    """The resident's openid inside a dedup key (this form or the older `evt:{openid}:…`);
    None for a key that holds none (the older `msg:{MsgId}`)."""
    parts = dedup_key.split(":")
    if parts[0] == "evt" and len(parts) >= 3 and parts[2].lstrip("-").isdigit():
        return parts[1]  # stored before keys named the account: evt:{openid}:{CreateTime}:…
    if parts[0] in ("msg", "evt") and len(parts) >= 4:
        return parts[2]
    return None


def log_key(dedup_key: str) -> str:
    """A delivery's dedup key fit for a log line: the openid in it replaced by its pseudonym."""
    openid = key_openid(dedup_key)
    if not openid:
        return dedup_key
    parts = dedup_key.split(":")
    return ":".join(person(part) if part == openid else part for part in parts)


def _fitted(kind: str, account: str, openid: str, rest: str) -> str:
    """The key, or — when it would not fit the column — the same key with the account and the
    rest replaced by digests; the openid stays whole and in its place, so a resident's keys can
    still be found (privacy erasure scans for it)."""
    key = f"{kind}:{account}:{openid}:{rest}"
    if len(key) <= MAX_KEY_CHARS:
        return key
    return f"{kind}:{_digest(account, 12)}:{openid}:{_digest(rest, 16)}"


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
