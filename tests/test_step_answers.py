"""Answers to the bot's own questions (bot/nlu/step_answers.py): the normaliser's words and their
examples, the model on clear cases, the rules where the model is unsure, clean training data."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from bot.nlu import answers, step_answers
from bot.nlu.answers import Answer
from bot.nlu.step_answers import ACCEPTS, Label, Step, StepAnswer, read_step_answer

WORDS = [
    pytest.param(name, text, should, id=f"{name}-{'match' if should else 'no_match'}-{text}")
    for name, concept in step_answers.WORDS.items()
    for should, texts in ((True, concept.match), (False, concept.no_match))
    for text in texts
]


@pytest.mark.parametrize(("name", "text", "should"), WORDS)
def test_each_example_of_the_step_words_matches_its_block_or_not(name, text, should):
    assert step_answers.WORDS[name].found(text) is should


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("幺三八 零七一二 三四五六", "13807123456"),
        ("一三八零七一二三四五六", "13807123456"),
        ("我的电话是幺五零 二七八六 九九零零", "15027869900"),
        ("138-0712-3456", "13807123456"),
        ("１３９７１２３４５６７", "13971234567"),
        ("零二七 八五五五 幺二三四", "02785551234"),
        ("电话就是幺三八零七一二三四五六七", None),  # twelve digits: no number
        ("我家住三楼 一共两个人", None),
        ("不留", None),
    ],
)
def test_the_phone_number_read_out_or_typed(text, number):
    assert step_answers.phone_number(text) == number


@pytest.mark.parametrize(
    ("text", "options", "picked"),
    [
        ("2", 3, 2),
        ("二", 3, 2),
        ("第二个", 3, 2),
        ("地二个", 3, 2),
        ("选第一个吧", 2, 1),
        ("后面那个", 4, 4),
        ("最后一个", 3, 3),
        ("前面那个", 3, 1),
        ("中间那个", 3, 2),
        ("3 都不是", 3, 3),
        ("第五个", 3, None),  # no fifth on a list of three
        ("后面那个", None, None),  # the last of a list of unknown length: no number
        ("第二天又漏了", 3, None),
        ("3楼漏水了", 3, None),
        ("一般", 3, None),
    ],
)
def test_the_choice_picked(text, options, picked):
    assert step_answers.choice_value(text, options) == picked


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("5", 5),
        ("五分", 5),
        ("给个3分吧", 3),
        ("两颗星", 2),
        ("很满意", 5),
        ("冇得话说", 5),
        ("还行", 4),
        ("一般般", 3),
        ("不太满意", 2),
        ("不满意", 1),
        ("3分钟就到了", None),
        ("五星级酒店", None),
        ("6", None),
    ],
)
def test_the_rating_score(text, score):
    assert step_answers.rating_value(text) == score


@pytest.mark.parametrize(
    ("text", "step", "label", "value", "options"),
    [
        ("中", Step.CONFIRM, Label.YES, None, None),
        ("要得", Step.CONFIRM, Label.YES, None, None),
        ("是滴", Step.CONFIRM, Label.YES, None, None),
        ("冇得问题", Step.CONFIRM, Label.YES, None, None),
        ("先莫交 我还要补充", Step.CONFIRM, Label.NO, None, None),
        ("社区搞错了 我是花楼的", Step.CONFIRM, Label.CORRECTION, None, None),
        ("楼上昨天晚上又吵到一点钟", Step.CONFIRM, Label.OTHER, None, None),
        ("第二个", Step.CHOICE, Label.CHOICE, 2, 3),
        ("后面那个", Step.CHOICE, Label.CHOICE, 3, 3),
        ("是的", Step.CHOICE, Label.CHOICE, 1, 1),  # a yes to a list of one picks it
        ("是的", Step.CHOICE, Label.YES, None, 3),
        ("都不是", Step.CHOICE, Label.NO, None, 3),
        ("幺三八 零七一二 三四五六", Step.PHONE, Label.PHONE, "13807123456", None),
        ("没必要留", Step.PHONE, Label.NO, None, None),
        ("你们要我电话干嘛", Step.PHONE, Label.QUESTION, None, None),
        ("蛮满意的", Step.RATING, Label.RATING, 5, None),
        ("给个3分吧", Step.RATING, Label.RATING, 3, None),
    ],
)
def test_clear_answers_are_read_with_their_value(text, step, label, value, options):
    answer = read_step_answer(text, ACCEPTS[step], options)
    assert (answer.label, answer.value) == (label, value)


def test_the_model_decides_only_among_the_labels_the_question_takes():
    answer = read_step_answer("第二个", (Label.YES, Label.NO, Label.OTHER))
    assert answer.label in (Label.YES, Label.NO, Label.OTHER)


def test_where_the_model_is_unsure_the_rules_decide():
    # Nothing reaches a threshold above 1: every reading is the rules'.
    unsure = read_step_answer("冇得啥问题", ACCEPTS[Step.CONFIRM], threshold=1.01)
    assert unsure == step_answers.read_by_rules("冇得啥问题", ACCEPTS[Step.CONFIRM])
    assert unsure.label is Label.NO and not unsure.by_model  # the words alone take 冇 for a no
    sure = read_step_answer("冇得啥问题", ACCEPTS[Step.CONFIRM])
    assert sure.label is Label.YES and sure.by_model


def test_a_choice_the_normaliser_cannot_number_is_left_to_the_rules():
    fitted = step_answers.model()

    class SaysChoice:
        def best(self, text, accepts):
            return Label.CHOICE, 0.99

    answer = read_step_answer("东民社区", ACCEPTS[Step.CHOICE], 3, using=SaysChoice())  # type: ignore[arg-type]
    assert answer == StepAnswer(Label.OTHER)
    assert fitted is step_answers.model()


def test_a_long_message_is_left_to_the_rules():
    story = "楼上那家天天半夜拖椅子，我跟他们说了好多次，要得要得地答应，就是不改"
    assert len(story) > step_answers.MAX_CHARS
    assert not read_step_answer(story, ACCEPTS[Step.CONFIRM]).by_model


SUMMARY = (
    ("not_yet", Answer.AGAIN),
    ("more_to_say", Answer.NO),
    ("negation", Answer.NO),
    ("submit", Answer.YES),
    ("affirmation", Answer.YES),
)


@pytest.mark.parametrize(
    ("text", "answer", "rest"),
    [
        ("冇得问题", Answer.YES, ""),  # the words alone read 冇 as a no
        ("对头 就是这个事", Answer.YES, ""),  # the words besides the yes only say it again
        ("先别交", Answer.AGAIN, ""),  # the question's own words come first
        ("不是撤回 我是想问问进度", Answer.NO, "我是想问问进度"),  # the question after the no is kept
    ],
)
def test_a_yes_or_no_question_reads_the_model_where_it_is_sure(text, answer, rest):
    assert answers.read(text, SUMMARY) == answers.Reading(answer, rest)


def test_every_label_is_taught_and_no_answer_is_taught_twice_at_one_question():
    examples = step_answers.training_examples()
    assert {example.label for example in examples} == set(Label)
    repeated = [key for key, count in Counter((e.step, e.text) for e in examples).items() if count > 1]
    assert not repeated


def test_every_valued_example_has_the_value_the_normaliser_reads():
    for example in step_answers.training_examples():
        if example.label in (Label.CHOICE, Label.RATING, Label.PHONE):
            assert example.value is not None, example
            if example.label is not Label.CHOICE or example.options:
                value = step_answers.value_of(example.label, example.text, example.options)
                assert str(value) == str(example.value), example


def test_a_step_file_with_bare_yes_and_no_keys_reads_them_as_labels(tmp_path: Path):
    path = tmp_path / "offer.yml"
    path.write_text("step: offer\nexamples:\n  yes: [中]\n  no: [冇得]\n", encoding="utf-8")
    assert [(e.text, e.label) for e in step_answers.read_examples(path)] == [("中", Label.YES), ("冇得", Label.NO)]


def test_reading_an_answer_takes_well_under_a_millisecond():
    step_answers.model().probabilities.cache_clear()
    texts = [f"要得 {index}号楼" for index in range(300)]
    start = time.perf_counter()
    for text in texts:
        read_step_answer(text, ACCEPTS[Step.CONFIRM])
    assert (time.perf_counter() - start) / len(texts) < 0.002
