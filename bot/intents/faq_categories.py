"""Which triage category (or `service`) each FAQ intent belongs to, read from bot/data/faq.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from bot.faq import DEFAULT_FAQ, read_faq_file

FAQ_FILE = DEFAULT_FAQ
SERVICE_CATEGORY = "service"


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
