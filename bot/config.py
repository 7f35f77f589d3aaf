"""Settings read from environment variables, each with a documented default (see README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'legal_front_desk.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """Everything the service needs to know about its surroundings."""

    wechat_token: str = "dev-token"
    wechat_appid: str = "wx-dev-appid"
    wechat_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com/cgi-bin/"
    wechat_timeout: float = 5.0
    wechat_send_timeout: float = 15.0
    database_url: str = field(default_factory=_default_database_url)
    redis_url: str = ""
    key_prefix: str = "lfd:"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    rasa_timeout: float = 1.5
    nlu_backend: str = "rasa"
    reply_budget: float = 3.5
    max_body_bytes: int = 64 * 1024
    dialogue_ttl: int = 24 * 3600
    dedup_ttl: int = 600
    journal_dir: str = str(PROJECT_ROOT / "var" / "journal")
    rate_limit: int = 20
    rate_window: int = 60
    retention_days: int = 0

    @classmethod
    def from_env(cls) -> "Settings":
        """Build settings from the process environment."""
        defaults = cls()
        return cls(
            wechat_token=_env("WECHAT_TOKEN", defaults.wechat_token),
            wechat_appid=_env("WECHAT_APPID", defaults.wechat_appid),
            wechat_secret=_env("WECHAT_SECRET", ""),
            wechat_aes_key=_env("WECHAT_AES_KEY", ""),
            wechat_api_base=_env("WECHAT_API_BASE", _default_api_base()),
            wechat_timeout=float(_env("WECHAT_TIMEOUT", "5")),
            wechat_send_timeout=float(_env("WECHAT_SEND_TIMEOUT", "15")),
            database_url=_env("DATABASE_URL", defaults.database_url),
            redis_url=_env("REDIS_URL", ""),
            key_prefix=_env("KEY_PREFIX", defaults.key_prefix),
            rasa_url=_env("RASA_URL", defaults.rasa_url),
            rasa_token=_env("RASA_TOKEN", _read_dev_rasa_token()),
            rasa_timeout=float(_env("RASA_TIMEOUT", "1.5")),
            nlu_backend=_env("NLU_BACKEND", defaults.nlu_backend),
            reply_budget=float(_env("REPLY_BUDGET", "3.5")),
            max_body_bytes=int(_env("MAX_BODY_BYTES", str(defaults.max_body_bytes))),
            dialogue_ttl=int(_env("DIALOGUE_TTL", str(defaults.dialogue_ttl))),
            journal_dir=_env("JOURNAL_DIR", defaults.journal_dir),
            rate_limit=int(_env("RATE_LIMIT", str(defaults.rate_limit))),
            rate_window=int(_env("RATE_WINDOW", str(defaults.rate_window))),
            retention_days=int(_env("RETENTION_DAYS", str(defaults.retention_days))),
        )


def _default_api_base() -> str:
    # Without an app secret this cannot be a real account: talk to the local fake WeChat API
    # (scripts/serve.sh starts it), so a development run never reaches a real WeChat server.
    if os.environ.get("WECHAT_SECRET"):
        return Settings.wechat_api_base
    return f"http://127.0.0.1:{_env('FAKE_WECHAT_PORT', '8081')}/cgi-bin/"


def _read_dev_rasa_token() -> str:
    # The serve script writes a random token here when RASA_TOKEN is not set.
    token_file = PROJECT_ROOT / "var" / "rasa_token"
    return token_file.read_text().strip() if token_file.exists() else ""
