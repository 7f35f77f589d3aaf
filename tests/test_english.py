"""A message in English is told by its letters, not by a word list (the words of asides,
bot/data/aside_words.yml, are checked with every words file by tests/test_words.py)."""

from __future__ import annotations

import pytest

from bot.dialogue.handlers.asides import in_english

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "text",
    [
        "Hello, I need help with my landlord",
        "Can anyone speak English?",
        "my boss did not pay my salary for 3 months",
        "hi, is this the legal service? 江汉",
        "he hit me",
        "call me",
    ],
)
def test_a_message_in_english_is_told_by_its_letters(text):
    assert in_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "hello",
        "ok ok",
        "hi hi",
        "13807123456",
        "JH261207-0012 么样了",
        "我在Wanda Plaza上班，老板拖欠工资三个月了",
        "楼上漏水到我家",
        "我的微信号是abc123456",
    ],
)
def test_chinese_with_a_few_letters_and_a_greeting_are_not_english(text):
    assert not in_english(text)
