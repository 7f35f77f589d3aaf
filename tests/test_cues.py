"""The words of a message: a bare courtesy, or something that could be a legal matter."""

from __future__ import annotations

import pytest

from bot.nlu import cues
from bot.nlu.cues import core, could_be_legal, is_bare


def test_core_drops_greetings_thanks_and_punctuation():
    assert core("你好，在吗？我想离婚。谢谢！") == "我想离婚"


@pytest.mark.parametrize(
    "text", ["你好", "您好，请问有人吗", "谢谢你们的帮助", "好的谢谢", "在吗😊", "律师你好", "算了不办了"]
)
def test_bare_courtesies(text):
    assert is_bare(text)


@pytest.mark.parametrize("text", ["你好在吗 我想离婚但他不同意", "工资拖了三个月 谢谢", "算了 他欠我的钱我该怎么办"])
def test_courtesy_around_a_question_is_not_bare(text):
    assert not is_bare(text)


@pytest.mark.parametrize(
    "text",
    [
        "老板欠我工资不给",  # money, work
        "我老公要跟我离婚",  # family
        "被车撞了对方跑了",  # harm
        "工程干完了甲方一直拖着款不结算我们几十个工人过年都回不了家",  # a long story
        "有事想问一下律师",
    ],
)
def test_possible_legal_matters(text):
    assert could_be_legal(text)


@pytest.mark.parametrize("text", ["明天武汉下雨吗", "我的快递到哪了", "哈哈哈哈", "你叫什么名字", "推荐个好看的电视剧"])
def test_clearly_outside_messages(text):
    assert not could_be_legal(text)


def test_a_message_that_only_announces_a_question_is_told_to_ask_it():
    from bot.nlu.cues import asks_to_ask

    for text in ("我想问个事", "想咨询一下", "怎么办啊", "你好 我想问个问题"):
        assert asks_to_ask(text), text
    for text in ("我想问一下离婚要什么材料", "公司不发工资怎么办", "在吗"):
        assert not asks_to_ask(text), text


@pytest.mark.parametrize("text", ["你们几点下班啊", "周末上班吗", "请问工作室开放时间", "律师什么时候有人"])
def test_a_short_question_about_opening_hours_is_recognised(text):
    assert cues.asks_office_hours(text)


@pytest.mark.parametrize("text", ["公司老是在下班时间叫我加班，不给加班费，这个能告吗", "你好"])
def test_a_story_about_working_hours_is_not_an_opening_hours_question(text):
    assert not cues.asks_office_hours(text)
