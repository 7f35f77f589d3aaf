"""The FAQ seed file (bot/data/faq.yml): its entries, and each FAQ intent's category (loading it:
bot.legal.faq_seed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from bot.config import DATA_DIR

DEFAULT_FAQ = DATA_DIR / "faq.yml"
FAQ_FILE = DEFAULT_FAQ


def read_faq_file(path: Path = DEFAULT_FAQ) -> list[dict]:
    """The FAQ entries in the seed file."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


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
