"""The words about places and the directory's formats (bot/data/place_words.yml): every example of
every block matches its block or not, as the block says."""

from __future__ import annotations

import pytest

from bot.cases.place_words import PLACE_WORDS

pytestmark = pytest.mark.unit

EXAMPLES = [
    pytest.param(name, text, should, id=f"{name}-{'match' if should else 'no_match'}-{text}")
    for name, concept in PLACE_WORDS.items()
    for should, texts in ((True, concept.match), (False, concept.no_match))
    for text in texts
]


@pytest.mark.parametrize(("name", "text", "should"), EXAMPLES)
def test_each_example_matches_its_block_or_not(name, text, should):
    assert PLACE_WORDS[name].found(text) is should


def test_every_block_says_what_it_means_and_has_three_examples_each_way():
    for concept in PLACE_WORDS.values():
        assert concept.about and len(concept.match) >= 3 and len(concept.no_match) >= 3, concept.name
