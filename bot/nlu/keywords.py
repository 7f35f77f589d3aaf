"""The degraded classifier: weighted keyword rules that serve whenever Rasa is unreachable.

It knows the three triage intents, the conversational intents and out_of_scope (FAQ intents are
left to Rasa: a wrong FAQ answer is worse than opening a case). Its confidences are deliberately
modest — it never claims more than MAX_CONFIDENCE — so the confidence policy asks the resident
to choose whenever two triage intents both match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.nlu import phrases
from bot.nlu.types import OUT_OF_SCOPE, Classification

# One matched strong rule (weight 2) gives 0.6; more evidence adds STEP per weight point.
BASE_CONFIDENCE = 0.4
STEP_CONFIDENCE = 0.1
# Keyword matching is never as sure as the trained model: cap it below Rasa's usual certainty.
MAX_CONFIDENCE = 0.8
# When nothing matches we say out_of_scope, and say it unsure.
NO_MATCH_CONFIDENCE = 0.3
# Short replies ("好的", "不用了") are conversational; in a long message the same words are noise.
SHORT_MESSAGE_CHARS = 8


@dataclass(frozen=True)
class Rule:
    """A regular expression that adds `weight` to `intent` when it matches."""

    intent: str
    pattern: re.Pattern
    weight: float


def _rules(intent: str, weight: float, *patterns: str) -> list[Rule]:
    return [Rule(intent, re.compile(pattern, re.IGNORECASE), weight) for pattern in patterns]


TRIAGE_RULES = [
    # Labour, marriage, debts, traffic, inheritance, consumer, tenancy, fraud: questions of law.
    *_rules(
        "legal_consultation",
        2,
        r"工资|薪水|工钱|欠薪|劳动合同|劳动仲裁|仲裁|辞退|开除|裁员|经济补偿|赔偿金|社保|工伤|加班费|试用期",
        r"离婚|离昏|抚养|扶养|赡养|彩礼|婚前|夫妻|前夫|前妻|出轨|家暴|保护令",
        r"遗产|继承|遗嘱|借条|欠条|借钱|借了.{0,6}钱|欠钱|欠款|还钱|不还|讨债|高利贷",
        r"交通事故|撞了|被车撞|肇事|保险公司|押金|房东|租房|租客|退款|退货|消费者|维权|诈骗|被骗|骗了",
        r"律师|起诉|打官司|法院|判决|立案|诉讼|合同|违约|侵权|名誉|拆迁|犯法|违法|合法|法律|坐牢|判刑",
        r"年假|产假|离职|岗位|劳动仲载|正当防卫|互殴|拘留|取保|刑事|派出所|罚款|罚单|复议|申诉|验伤|轻微伤",
        r"医药费|医院|诊所|医疗|交警|事故认定|交强险|退保|理财|提现|定金|订金|二手房|过户|户口|监护",
        r"结婚证|同居|借款|时效|中介费|跑路|索赔|网贷|贷款|担保|抵押|营业执照|征收|强拆|证据|传销",
    ),
    *_rules(
        "legal_consultation", 1, r"老板|公司|单位|赔偿|报警|欠我|告他|能告|退钱|能退|退款|保险|平台|补偿|欠.{0,4}钱"
    ),
    # Conflicts between residents.
    *_rules(
        "neighbor_dispute",
        2,
        r"邻居|邻里|楼上|楼下|对门|隔壁|噪音|扰民|漏水|渗水|滴水|高空抛物|扔东西|往下扔",
        r"油烟|采光|挡光|遮挡|空调外机|吵架|打架|骂人|堆放|杂物|狗|(?<!熊)猫|宠物",
    ),
    *_rules("neighbor_dispute", 2, r"广场舞|音响|花盆|养鸡|犬|鸽子"),
    *_rules("neighbor_dispute", 1, r"吵|楼道|装修|调解|占用|车位|树|阳台|砸|声音|直播"),
    # Property management and building services.
    *_rules(
        "property_complaint",
        2,
        r"物业|物管|电梯|维修基金|维修资金|业委会|业主委员会|公共收益|停车费|管理费|门禁",
        r"保安|保洁|路灯|绿化|停水|停电|开发商|房管|维保|二次供水|水箱|水泵|催费|装修押金",
    ),
    *_rules("property_complaint", 1, r"小区|业主|公共区域|垃圾|没人管|不修|维修|卫生|车位|产权|屋顶|楼顶"),
]

CONVERSATION_RULES = [
    # "客服" and "工作人员" also appear in stories ("平台客服联系不上"): weaker than "转人工".
    *_rules("request_human", 3, phrases.HUMAN_WORDS, r"人工|真人|转接|找个人"),
    *_rules("request_human", 1, r"客服|工作人员"),
    *_rules("ticket_status", 3, phrases.STATUS_WORDS, r"工单|进度|处理.{0,4}(怎么样|如何|好了)|有结果|受理了|回复了吗"),
    *_rules("cancel", 3, phrases.CANCEL_WORDS),
    *_rules("change_community", 3, phrases.MOVED_WORDS, r"搬到|换.{0,2}社区|社区.{0,2}(填错|选错|不对)"),
    *_rules("thank", 2, r"谢谢|感谢|多谢|辛苦了|thank"),
    *_rules("goodbye", 2, r"再见|拜拜|bye|回头聊|下次再"),
    *_rules("greet", 2, r"^(你好|您好|在吗|在不在|有人吗|hi|hello|嗨|哈喽|早上好|下午好|晚上好)"),
]

# Everyday errands whose words overlap with legal ones (社保卡挂失, 医院挂号, 贷款广告): they
# outweigh a single legal keyword, so the errand is declined instead of opening a case.
OUT_OF_SCOPE_RULES = [
    *_rules(OUT_OF_SCOPE, 3, r"挂号|挂失|激活|放款|招聘|天气|快递单号|彩票"),
]

SHORT_REPLY_RULES = [
    *_rules("affirm", 2, r"^(是|是的|对|对的|好|好的|嗯+|可以|行|没问题|同意|ok|要|需要)[的啊呀吧哈嗯!！。.~]*$"),
    *_rules("deny", 2, r"^(不|不是|不要|不用|没有|否|算了|不对|不需要|no)[的啊呀吧了哈!！。.~]*$"),
]


def normalise(text: str) -> str:
    """Fold full-width characters and case, drop surrounding whitespace."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def score_intents(text: str) -> dict[str, float]:
    """Sum the weights of every rule that matches, per intent."""
    cleaned = normalise(text)
    rules = TRIAGE_RULES + CONVERSATION_RULES + OUT_OF_SCOPE_RULES
    if len(cleaned) <= SHORT_MESSAGE_CHARS:
        rules = rules + SHORT_REPLY_RULES
    scores: dict[str, float] = {}
    for rule in rules:
        if rule.pattern.search(cleaned):
            scores[rule.intent] = scores.get(rule.intent, 0.0) + rule.weight
    return scores


def confidence_for(score: float) -> float:
    """Modest confidence that grows with the evidence and never exceeds MAX_CONFIDENCE."""
    return min(MAX_CONFIDENCE, BASE_CONFIDENCE + STEP_CONFIDENCE * score)


def classify_keywords(text: str) -> Classification:
    """Classify a message by keyword rules (source="keywords")."""
    scores = score_intents(text)
    if not scores:
        return Classification(
            intent=OUT_OF_SCOPE,
            confidence=NO_MATCH_CONFIDENCE,
            ranking=[(OUT_OF_SCOPE, NO_MATCH_CONFIDENCE)],
            source="keywords",
        )
    ordered = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    top_score = ordered[0][1]
    top_confidence = confidence_for(top_score)
    # Scale the others by their share of the winner's evidence, so close calls look close.
    ranking = [(intent, round(top_confidence * score / top_score, 4)) for intent, score in ordered]
    return Classification(intent=ranking[0][0], confidence=ranking[0][1], ranking=ranking, source="keywords")


class KeywordClassifier:
    """Object form of classify_keywords, interchangeable with the Rasa client."""

    def parse(self, text: str) -> Classification:
        """Classify one message by keyword rules."""
        return classify_keywords(text)
