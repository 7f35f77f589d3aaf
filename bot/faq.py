"""Seeding the FAQ knowledge base from its YAML file."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session

from bot.storage.faq import upsert_faq

DEFAULT_FAQ = Path(__file__).parent / "data" / "faq.yml"


def read_faq_file(path: Path = DEFAULT_FAQ) -> list[dict]:
    """The FAQ entries in the seed file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_faq(session: Session, path: Path = DEFAULT_FAQ) -> int:
    """Insert or update every FAQ entry from the file; returns how many."""
    items = read_faq_file(path)
    for item in items:
        upsert_faq(session, item)
    return len(items)
