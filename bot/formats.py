"""The formats the code finds in text (bot/data/format_words.yml: phone, ID and plate numbers however
they are typed, markup, ids, tokens), loaded once per process.

Outside bot.nlu on purpose: bot.redaction and bot.wechat read these formats, and bot.nlu imports them.
"""

from __future__ import annotations

import re

from bot.config import DATA_DIR
from bot.words import Concept, load

FORMAT_WORDS_FILE = DATA_DIR / "format_words.yml"
FORMATS: dict[str, Concept] = load(FORMAT_WORDS_FILE)


def format_pattern(name: str) -> re.Pattern:
    """The pattern of one block of format_words.yml."""
    return FORMATS[name].pattern
