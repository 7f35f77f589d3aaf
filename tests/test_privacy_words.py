"""The words of a resident who wants their data erased (bot/data/privacy_words.yml): every example of
every block, and which any-time phrase each play-tested message is."""

from __future__ import annotations

import pytest

from bot.nlu import phrases

EXAMPLES = [
    pytest.param(name, text, should, id=f"{name}-{'match' if should else 'no_match'}-{text}")
    for name, concept in phrases.PRIVACY_WORDS.items()
    for should, texts in ((True, concept.match), (False, concept.no_match))
    for text in texts
]


@pytest.mark.parametrize(("name", "text", "should"), EXAMPLES)
def test_each_example_matches_its_words_or_not(name, text, should):
    assert bool(phrases.PRIVACY_WORDS[name].pattern.search(text)) is should


def test_every_block_says_what_it_means_and_has_examples_both_ways():
    for concept in phrases.PRIVACY_WORDS.values():
        assert concept.about and concept.match and concept.no_match, concept.name


@pytest.mark.parametrize("text", phrases.PRIVACY_WORDS["erase_request"].match)
def test_a_request_to_erase_wins_over_any_step_question(text):
    assert phrases.before_steps_intent(text) == "erase_personal_data"
    assert phrases.anytime_intent(text, in_flow=False) == "erase_personal_data"


@pytest.mark.parametrize("text", phrases.PRIVACY_WORDS["erase_request"].no_match)
def test_a_story_or_a_refusal_is_no_request_to_erase(text):
    assert phrases.before_steps_intent(text) is None
