"""Settings read from environment variables, each with a documented default (see README)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The word lists, FAQ, canned answers and sample directory the bot ships with.
DATA_DIR = PROJECT_ROOT / "bot" / "data"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _comma_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def cache_dir() -> Path:
    """Where fitted models are kept between processes (CACHE_DIR, default var/cache)."""
    return Path(_env("CACHE_DIR", str(PROJECT_ROOT / "var" / "cache")))


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
    console_base_url: str = "http://127.0.0.1:8000"
    console_secret_key: str = ""
    console_secure_cookies: bool = True
    # The reverse proxies whose X-Forwarded-For names the client (scripts/serve.sh: its nginx).
    trusted_proxies: tuple[str, ...] = ()
    handoff_idle_minutes: int = 30
    review_sample_rate: float = 0.02
    review_low_confidence: float = 0.6
    nlu_models_dir: str = str(PROJECT_ROOT / "models")
    nlu_reviewed_file: str = str(PROJECT_ROOT / "nlu_data" / "reviewed.yml")
    nlu_eval_ports: str = "5010-5019"
    report_satisfaction_target: float = 0.85

    @classmethod
    def from_env(cls) -> Settings:
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
            console_base_url=_env("CONSOLE_BASE_URL", f"http://127.0.0.1:{_env('PORT', '8000')}"),
            console_secret_key=_env("CONSOLE_SECRET_KEY", "") or _dev_secret_key(),
            # Secure cookies travel over HTTPS only: on by default for a real account, off for a
            # local development run on plain http.
            console_secure_cookies=_env("CONSOLE_SECURE_COOKIES", "1" if os.environ.get("WECHAT_SECRET") else "0")
            == "1",
            trusted_proxies=_comma_list(_env("TRUSTED_PROXIES", "")),
            handoff_idle_minutes=int(_env("HANDOFF_IDLE_MINUTES", str(defaults.handoff_idle_minutes))),
            review_sample_rate=float(_env("REVIEW_SAMPLE_RATE", str(defaults.review_sample_rate))),
            review_low_confidence=float(_env("REVIEW_LOW_CONFIDENCE", str(defaults.review_low_confidence))),
            nlu_models_dir=_env("NLU_MODELS_DIR", defaults.nlu_models_dir),
            nlu_reviewed_file=_env("NLU_REVIEWED_FILE", defaults.nlu_reviewed_file),
            nlu_eval_ports=_env("NLU_EVAL_PORTS", defaults.nlu_eval_ports),
            report_satisfaction_target=float(
                _env("REPORT_SATISFACTION_TARGET", str(defaults.report_satisfaction_target))
            ),
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


def _dev_secret_key() -> str:
    # Every process of one installation must sign sessions with the same key: without a setting,
    # one is created at random once and kept in var/ (never in the repository).
    key_file = PROJECT_ROOT / "var" / "console_secret"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()
