"""The degraded keyword classifier: right intent for plain messages, modest confidences."""

from __future__ import annotations

import pytest

from bot.nlu.keywords import MAX_CONFIDENCE, NO_MATCH_CONFIDENCE, KeywordClassifier, classify_keywords
from bot.nlu.policy import decide


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("公司拖欠我三个月工资了怎么办", "legal_consultation"),
        ("想咨询一下离婚财产怎么分", "legal_consultation"),
        ("朋友借钱不还，有借条", "legal_consultation"),
        ("楼上邻居半夜噪音太大", "neighbor_dispute"),
        ("楼上漏水到我家天花板", "neighbor_dispute"),
        ("对门养的狗天天叫", "neighbor_dispute"),
        ("电梯坏了一个星期物业不管", "property_complaint"),
        ("业委会选举有问题", "property_complaint"),
        ("你好", "greet"),
        ("谢谢你们", "thank"),
        ("好的", "affirm"),
        ("不用了", "deny"),
        ("转人工", "request_human"),
        ("我的工单进度怎么样了", "ticket_status"),
        ("取消", "cancel"),
        ("我搬家了", "change_community"),
        ("今天天气怎么样", "out_of_scope"),
    ],
)
def test_plain_messages(text, intent):
    assert classify_keywords(text).intent == intent


def test_source_and_confidence_cap():
    result = classify_keywords("物业费太贵，电梯不修，保安不管，业委会也不管")
    assert result.source == "keywords"
    assert result.intent == "property_complaint"
    assert result.confidence == MAX_CONFIDENCE


def test_no_match_is_an_unsure_out_of_scope():
    result = classify_keywords("啊这")
    assert (result.intent, result.confidence) == ("out_of_scope", NO_MATCH_CONFIDENCE)
    assert decide(result).kind == "out_of_scope"


def test_full_width_text_is_folded():
    assert classify_keywords("ＨＥＬＬＯ").intent == "greet"


def test_two_rooms_matching_equally_make_the_policy_ask():
    result = classify_keywords("物业说楼上漏水不归他们管")
    decision = decide(result)
    assert decision.kind == "clarify"
    assert set(decision.choices) == {"neighbor_dispute", "property_complaint"}


def test_short_reply_words_do_not_decide_a_long_message():
    assert classify_keywords("好的，我还想问一下公司不给发工资怎么办").intent == "legal_consultation"


def test_ranking_is_best_first_and_consistent():
    result = KeywordClassifier().parse("邻居家装修太吵了，物业也不管")
    confidences = [confidence for _, confidence in result.ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert result.ranking[0] == (result.intent, result.confidence)
