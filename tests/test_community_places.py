"""Who lives elsewhere, read from the words of a story or of an answer to "which community"
(bot.dialogue.handlers.community.elsewhere, over bot/data/place_words.yml)."""

from __future__ import annotations

import pytest

from bot.dialogue.handlers.community import elsewhere

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "story, place",
    [
        ("我住在洪山区，楼上漏水到我家好几天了", "洪山区"),
        ("我家住在武昌 公司拖欠工资", "武昌区"),
        ("我住光谷那边 想问下离婚怎么分财产", "东湖高新区"),
        ("我现在人在外地，想问下老家房子被占了怎么办", "外地"),
        ("我是江汉的 在武昌上班 公司不签合同", None),
        ("我儿女都在外地 我一个人住花楼 楼上天天半夜拖凳子吵得睡不着", None),
        ("在外地结的婚可以在武汉离吗", None),
        ("我哥死得比我爸早 我侄子能继承吗", None),
        ("我爸住在汉阳 他走了以后房子我和我哥怎么分", None),
        ("我在武昌买的房 开发商一直不交房怎么办", None),
        ("我在外地打工 家里房子漏水", None),
    ],
)
def test_only_the_resident_living_away_is_elsewhere_in_a_story(story, place):
    assert elsewhere(story) == place


@pytest.mark.parametrize(
    "answer, place",
    [
        ("武昌", "武昌区"),
        ("沌口那边", "武汉经开区"),
        ("外地", "外地"),
        ("我是外地的", "外地"),
        ("我爸住在汉阳", None),
        ("花楼那块", None),
        ("江汉区", None),
    ],
)
def test_a_district_alone_answers_which_community(answer, place):
    assert elsewhere(answer, answering=True) == place
