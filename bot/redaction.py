"""Secrets and residents' identities kept out of every log line and every stored error."""

from __future__ import annotations

import hashlib
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from bot.formats import format_pattern

# The formats are data (bot/data/format_words.yml), each with its examples. Query parameters and
# JSON fields that carry a credential (WeChat's access_token and secret, Rasa's token, an AES key):
# their values are replaced wherever they appear.
_SECRET_FIELDS = format_pattern("secret_field")
# A URL with a password in it (postgresql://user:password@host, redis://:password@host).
_URL_PASSWORD = format_pattern("url_password")
# WeChat openids, with a digit or capital letter so that "outbound_messages" is left alone.
_OPENID = format_pattern("log_openid")
MASK = "***"

_known_lock = threading.Lock()
_known_secrets: set[str] = set()


def register_secrets(*values: str) -> None:
    """Remember configured secret values so they are masked even where no field name precedes them."""
    with _known_lock:
        _known_secrets.update(value for value in values if value and len(value) >= 6)


def redact(text: str) -> str:
    """The text with credentials masked (known secret values, token=…, secret=…, URL passwords)."""
    if not text:
        return text
    with _known_lock:
        known = sorted(_known_secrets, key=len, reverse=True)
    for value in known:
        text = text.replace(value, MASK)
    text = _SECRET_FIELDS.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)
    return _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{MASK}@", text)


def person(openid: str) -> str:
    """A stable pseudonym for a resident in logs: the same resident gives the same tag."""
    return "r:" + hashlib.sha256(openid.encode("utf-8")).hexdigest()[:10]


def redact_log_text(text: str) -> str:
    """A log line with credentials masked and openids replaced by their pseudonym."""
    return _OPENID.sub(lambda m: person(m.group()), redact(text))


def install_log_redaction() -> None:
    """Redact every log record of this process as it is created, whatever logger or handler
    (ours, RQ's, gunicorn's, a library's) writes it; idempotent."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "redacting", False):
        return
    logging.setLogRecordFactory(_RedactingFactory(factory))


class _RedactingFactory:
    """Makes each log record with the factory it wraps, then redacts it."""

    redacting = True  # install_log_redaction() wraps a factory once only

    def __init__(self, factory: Callable[..., logging.LogRecord]) -> None:
        self.factory = factory

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed format string: keep it as written
            message = str(record.msg)
        record.msg, record.args = redact_log_text(message), ()
        if record.exc_info and record.exc_info[0] is not None:
            # Formatters print exc_text when it is set: the traceback is redacted once, here.
            record.exc_text = redact_log_text("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return record
