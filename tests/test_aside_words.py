"""What residents ask in passing (bot/data/aside_words.yml): every example of every concept, and a
message in English told by its letters."""

from __future__ import annotations

import pytest

from bot.dialogue.handlers.asides import WORDS, in_english

pytestmark = pytest.mark.unit

EXAMPLES = [
    pytest.param(name, text, should, id=f"{name}-{'match' if should else 'no_match'}-{text}")
    for name, concept in WORDS.items()
    for should, texts in ((True, concept.match), (False, concept.no_match))
    for text in texts
]


@pytest.mark.parametrize(("name", "text", "should"), EXAMPLES)
def test_each_example_matches_its_concept_or_not(name, text, should):
    assert WORDS[name].found(text) is should


def test_every_concept_says_what_it_means_and_has_examples_both_ways():
    for concept in WORDS.values():
        assert concept.about and concept.match and concept.no_match, concept.name


@pytest.mark.parametrize(
    "text",
    [
        "Hello, I need help with my landlord",
        "Can anyone speak English?",
        "my boss did not pay my salary for 3 months",
        "hi, is this the legal service? 江汉",
    ],
)
def test_a_message_in_english_is_told_by_its_letters(text):
    assert in_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "hello",
        "13807123456",
        "JH261207-0012 么样了",
        "我在Wanda Plaza上班，老板拖欠工资三个月了",
        "楼上漏水到我家",
        "我的微信号是abc123456",
    ],
)
def test_chinese_with_a_few_letters_and_a_greeting_are_not_english(text):
    assert not in_english(text)
