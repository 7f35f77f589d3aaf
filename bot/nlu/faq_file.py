"""The FAQ seed file (bot/data/faq.yml): its entries, loading them, and each FAQ intent's category."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from bot.config import DATA_DIR
from bot.storage.faq import upsert_faq

DEFAULT_FAQ = DATA_DIR / "faq.yml"
FAQ_FILE = DEFAULT_FAQ


def read_faq_file(path: Path = DEFAULT_FAQ) -> list[dict]:
    """The FAQ entries in the seed file."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_faq(session: Session, path: Path = DEFAULT_FAQ) -> int:
    """Insert or update every FAQ entry from the file; returns how many."""
    items = read_faq_file(path)
    for item in items:
        upsert_faq(session, item)
    return len(items)


def load_faq_categories(path: Path | str = FAQ_FILE) -> dict[str, str]:
    """Map every FAQ intent in the file to its category."""
    return {entry["intent"]: entry["category"] for entry in read_faq_file(Path(path))}


@lru_cache(maxsize=1)
def faq_categories() -> dict[str, str]:
    """The categories of the shipped FAQ file, read once per process (empty if it is missing)."""
    if not FAQ_FILE.exists():
        return {}
    return load_faq_categories(FAQ_FILE)


def category_of(intent: str) -> str | None:
    """The category of an FAQ intent, or None when the intent is not a known FAQ."""
    return faq_categories().get(intent)
