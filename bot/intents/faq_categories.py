"""Which triage category (or `service`) each FAQ intent belongs to, read from bot/data/faq.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

FAQ_FILE = Path(__file__).resolve().parent.parent / "data" / "faq.yml"
SERVICE_CATEGORY = "service"


def _entries(document) -> list[dict]:
    """The list of FAQ entries, whether the file is a bare list or a mapping holding one."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for value in document.values():
            if isinstance(value, list):
                return value
    return []


def load_faq_categories(path: Path | str = FAQ_FILE) -> dict[str, str]:
    """Map every FAQ intent in the file to its category."""
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return {
        entry["intent"]: entry["category"]
        for entry in _entries(document)
        if isinstance(entry, dict) and "intent" in entry and "category" in entry
    }


@lru_cache(maxsize=1)
def faq_categories() -> dict[str, str]:
    """The categories of the shipped FAQ file, read once per process (empty if it is missing)."""
    if not FAQ_FILE.exists():
        return {}
    return load_faq_categories(FAQ_FILE)


def category_of(intent: str) -> str | None:
    """The category of an FAQ intent, or None when the intent is not a known FAQ."""
    return faq_categories().get(intent)
