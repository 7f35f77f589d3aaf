"""Every words file of bot/data (answers.yml, the *_words.yml files, follow_ups.yml): each example of
each block matches its block or not, as the block says, and each block says what it means."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DATA_DIR
from bot.nlu import answers

WORDS_FILES = answers.words_files()
CONCEPTS = {(path.name, name): concept for path in WORDS_FILES for name, concept in answers.load(path).items()}
EXAMPLES = [
    pytest.param(key, text, should, id=f"{key[0]}-{key[1]}-{'match' if should else 'no_match'}-{text}")
    for key, concept in CONCEPTS.items()
    for should, texts in ((True, concept.match), (False, concept.no_match))
    for text in texts
]
# Words files written since every block was asked for three examples each way.
THREE_EACH_WAY = ("anytime_words.yml", "reply_words.yml", "courtesy_words.yml", "keyword_rules.yml", "place_words.yml")


@pytest.mark.parametrize(("key", "text", "should"), EXAMPLES)
def test_each_example_matches_its_block_or_not(key, text, should):
    assert CONCEPTS[key].found(text) is should


def test_the_words_files_are_found():
    names = {path.name for path in WORDS_FILES}
    assert {"answers.yml", "person_words.yml", "anytime_words.yml", "reply_words.yml", "courtesy_words.yml"} <= names
    assert "place_words.yml" in names
    assert "faq.yml" not in names and "directory.yml" not in names


@pytest.mark.parametrize("key", list(CONCEPTS), ids=lambda key: f"{key[0]}-{key[1]}")
def test_every_block_says_what_it_means_and_has_examples_both_ways(key):
    concept = CONCEPTS[key]
    least = 3 if key[0] in THREE_EACH_WAY else 1
    assert concept.about and len(concept.match) >= least and len(concept.no_match) >= least


def test_a_fragment_is_written_once_and_filled_in_where_named(tmp_path: Path):
    words = tmp_path / "words.yml"
    words.write_text(
        "fragments:\n  ask: 问问|问一下\n"
        "only:\n  about: only asking\n  pattern: ^就(?:{ask}){1,2}$\n  match: [就问问]\n  no_match: [问问]\n"
        "again:\n  about: the block named\n  words: ['{only}', 算了]\n  match: [算了]\n  no_match: [好]\n",
        encoding="utf-8",
    )
    concepts = answers.load(words)
    assert concepts["only"].pattern.pattern == "^就(?:问问|问一下){1,2}$"
    assert concepts["again"].pattern.pattern == "^就(?:问问|问一下){1,2}$|算了"


def test_a_piece_of_another_words_file_is_named_with_its_file():
    person_again = answers.pattern_text(DATA_DIR / "anytime_words.yml", "person_again")
    assert answers.pattern_text(DATA_DIR / "courtesy_words.yml", "anyone_there") in person_again


def test_the_satisfaction_words_each_have_their_score():
    satisfaction = answers.load(DATA_DIR / "reply_words.yml")["satisfaction"]
    for words, score in satisfaction.extra["scores"].items():
        match = satisfaction.pattern.match(words)
        assert match and match.group(1) == words and 1 <= score <= 5, words
