"""How a message is read against a question's concepts (bot/data/answers.yml); every example of
every concept is checked with those of the other words files, in tests/test_words.py."""

from __future__ import annotations

import pytest

from bot.nlu.answers import Answer, Reading, read

WITHDRAW = (
    ("yes_no_longer", Answer.YES),
    ("negation", Answer.NO),
    ("keep", Answer.NO),
    ("stop", Answer.YES),
    ("withdraw", Answer.YES),
    ("affirmation", Answer.YES),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不是撤回", Reading(Answer.NO)),
        ("不要撤", Reading(Answer.NO)),
        ("别撤销", Reading(Answer.NO)),
        ("没有要取消", Reading(Answer.NO)),
        ("不用了 不撤", Reading(Answer.NO)),
        ("撤什么撤 不撤", Reading(Answer.NO)),
        ("冇得撤", Reading(Answer.NO)),
        ("莫撤", Reading(Answer.NO)),
        ("是的 撤了吧", Reading(Answer.YES)),
        ("对 撤回", Reading(Answer.YES)),
        ("嗯 取消吧", Reading(Answer.YES)),
        ("单子不要了", Reading(Answer.YES)),
        ("不用了 谢谢", Reading(Answer.NO)),
        ("对 不用了", Reading(Answer.YES)),
        ("莫撤莫撤 我再等哈子", Reading(Answer.NO)),
        ("不是撤回 我是想问问进度", Reading(Answer.NO, "我是想问问进度")),
        ("不是…我是想问…", Reading(Answer.NO, "我是想问")),
        ("可以问一下进度吗", Reading(Answer.NEITHER)),
        ("就是想问问房东不退押金我该怎么办", Reading(Answer.NEITHER)),  # a question, not a no
        ("不是撤回 我是想问问我的工单到哪一步了", Reading(Answer.NO, "我是想问问我的工单到哪一步了")),
    ],
)
def test_a_negation_wins_over_the_yes_word_it_contains(text, expected):
    assert read(text, WITHDRAW) == expected


def test_a_double_negation_is_the_yes_it_says():
    resume = (("negation", Answer.NO), ("resume", Answer.YES))
    assert read("我不是不办 是不想留电话", resume).answer is Answer.YES
    assert read("不用帮我登记", resume).answer is Answer.NO


def test_not_yet_at_the_summary_leaves_the_question_said_with_it():
    confirm = (("not_yet", Answer.AGAIN), ("negation", Answer.NO), ("submit", Answer.YES), ("affirmation", Answer.YES))
    assert read("先别交 我想问下公司这样算违法吗", confirm) == Reading(Answer.AGAIN, "我想问下公司这样算违法吗")
    assert read("对 交吧", confirm) == Reading(Answer.YES)
    assert read("好的 麻烦你们了", confirm) == Reading(Answer.YES)
