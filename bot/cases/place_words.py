"""The words about places and the directory's formats (bot/data/place_words.yml), loaded once."""

from __future__ import annotations

import re

from bot.config import DATA_DIR
from bot.nlu.answers import Concept, load

PLACE_WORDS_FILE = DATA_DIR / "place_words.yml"
PLACE_WORDS: dict[str, Concept] = load(PLACE_WORDS_FILE)


def place_pattern(name: str) -> re.Pattern:
    """The pattern of one block of place_words.yml."""
    return PLACE_WORDS[name].pattern


def says(name: str, text: str) -> bool:
    """True when the text holds this block's words (clause by clause unless the block is read whole)."""
    return PLACE_WORDS[name].found(text)
