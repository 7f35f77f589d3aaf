"""What the words of a message say before the model does: a bare greeting, or a possible legal matter."""

from __future__ import annotations

import re

# Greetings, thanks and polite fillers that residents put around a question. Removing them leaves
# what the message is about; when little is left, the message is only a greeting or a thank-you.
WRAPPERS = re.compile(
    r"你们?好[呀啊吖哇]?|您好|哈[喽罗]|hello|hi|嗨|喂+|在吗|在么|在不在|有人吗|有没有人|"
    r"(?:早上|上午|中午|下午|晚上)好|早安|晚安|早啊?|打扰(?:了|一下)?|请问(?:一下)?|"
    r"麻烦(?:你|您|你们)?(?:问一下|了)?|谢谢(?:你们|你|您|啦|了)?|多谢|感谢|拜托了?|辛苦了|"
    r"小助手|好的|嗯+|哦+|啊+|呀|吧",
    re.I,
)
PUNCTUATION = re.compile(r"[\s\W_]+")
# At most this many characters left once the wrappers are gone: nothing more than the courtesy.
BARE_MAX_CHARS = 6
# This long without the courtesies, a message tells a story: it may well be a legal matter.
STORY_MIN_CHARS = 20
# Money, family, work, a party, a harm, the law: any of them makes a message possibly legal.
LEGAL_CUES = re.compile(
    r"钱|工资|工钱|薪|补偿|赔|欠|借|贷|债|押金|房租|租金|定金|订金|彩礼|遗产|遗嘱|继承|拆迁|征收|税|"
    r"房子|房产|买房|卖房|过户|宅基地|土地|责任|负责|证据|去世|过世|走了|工程|甲方|乙方|结算|拖欠|款|"
    r"老公|老婆|丈夫|妻子|媳妇|前夫|前妻|离婚|离昏|结婚|抚养|扶养|赡养|孩子|儿子|女儿|父母|爸|妈|"
    r"公司|老板|单位|上班|辞退|开除|裁员|加班|社保|设保|工伤|公伤|包工头|工地|劳动|仲裁|合同|协议|"
    r"房东|租客|开发商|商家|中介|医院|派出所|法院|政府|保险|银行|股东|商标|专利|版权|户口|护照|"
    r"被打|打我|打伤|打人|受伤|摔伤|伤残|撞|骗|偷|抢|死|事故|侵权|诽谤|造谣|违法|犯法|违约|坐牢|判|罚|"
    r"报警|报案|起诉|告他|告她|能告|去告|法律|律师|维权|纠纷|权益|合法|合理吗|怎么办|咋办|么办|么样搞"
)


def core(text: str) -> str:
    """The message without greetings, thanks, fillers, punctuation and emoji."""
    return PUNCTUATION.sub("", WRAPPERS.sub("", text or ""))


# "我想问个事", "想咨询一下", "怎么办啊": the resident is about to ask; nothing is asked yet.
ASKS_TO_ASK = re.compile(
    r"^(?:我)?(?:想|要|能|可以)?(?:问|咨询|请教|打听)(?:个|一下|下|一点)?(?:事|事情|问题|情况)?(?:吗|呢|啊|哈)?$"
    r"|^(?:怎么办|咋办|么样搞|怎么搞)(?:啊|呀|呢)?$"
)


# "你们几点下班啊", "周末上班吗": when the rooms are open, a question the FAQ answers; only short
# messages, so a labour story about working hours ("上班时间被老板骂") is not taken for it.
OFFICE_HOURS = re.compile(
    r"(?:几点|什么时候|啥时候|么时候|哪天)(?:上班|下班|开门|关门|有人|办公)|"
    r"(?:上班|下班|办公|开放)时间|(?:周末|周[六日天]|星期[六天日]|礼拜[六天日]|节假日).{0,6}(?:上班|开门|有人|办公)|"
    r"有(?:没有|没|冇得?|没得)?人(?:在)?(?:上班|值班)"  # "你们那边有人上班冇": the hours, and whether open now
)
OFFICE_HOURS_MAX_CHARS = 16
OFFICE_HOURS_FAQ = "faq_office_hours"
# "那周六上午能去找律师当面问问吗", "明天可以过去当面咨询一下不", "能不能直接去工作室找调解员":
# whether (and when) the resident can come in person — answered with the hours and where to go.
_COME = r"(?:去|过去|来|过来|上门|到)"
_OFFICE = r"(?:你们那边?|你们|那边|工作室|工作站|中心|司法所|社区)"
_PERSON = r"(?:律师|调解员|房管员|工作人员|你们|人)"
VISIT = re.compile(
    rf"{_COME}{_OFFICE}?(?:找|见)?(?:个)?{_PERSON}?(?:当面|面对面|现场)(?:问|咨询|谈|聊|说|请教)|"
    rf"(?:能|可以|能不能|可不可以|方便|要)(?:直接)?{_COME}{_OFFICE}?(?:找|见)(?:个)?{_PERSON}|"
    rf"(?:能|可以|能不能|可不可以|方便)(?:直接)?{_COME}(?:你们那(?:边|里|儿)|工作室|工作站|司法所)"
)
# Asked as a question: "吗", "不", "能不能", "行不行"…
ASKED = re.compile(r"[吗么不呢?？]|能不能|可不可以|行不行")
VISIT_MAX_CHARS = 24


# "法律咨询收费吗", "找你们要钱吗", "请律师打官司免费吗": what the service costs (not "停车收费合理吗").
FEE = re.compile(r"收费|收钱|要钱|花钱|免费|要不要钱|多少钱|费用")
FEE_OF_SERVICE = re.compile(r"你们|律师|咨询|调解|法律援助|公证|这个|这里|这边|服务")
FEE_MAX_CHARS = 16
SERVICE_FEE_FAQ = "faq_service_fee"


def asks_fee(text: str) -> bool:
    """True when a short question asks what the legal service costs."""
    rest = core(text)
    return (
        len(rest) <= FEE_MAX_CHARS
        and bool(FEE.search(rest))
        and bool(FEE_OF_SERVICE.search(rest))
        and bool(ASKED.search(text))
    )


def asks_office_hours(text: str) -> bool:
    """True when a short message asks when the legal service rooms are open, or whether one can
    come to see someone in person."""
    rest = core(text)
    if len(rest) <= OFFICE_HOURS_MAX_CHARS and OFFICE_HOURS.search(rest):
        return True
    return len(rest) <= VISIT_MAX_CHARS and bool(VISIT.search(rest)) and bool(ASKED.search(text))


def asks_to_ask(text: str) -> bool:
    """True when the message only announces a question ("我想问个事") without asking it."""
    return bool(ASKS_TO_ASK.match(core(text)))


# "在吗", "你好 在不在", "有人吗？": the resident only checks someone is there.
GREETINGS = re.compile(
    r"你们?好|您好|哈[喽罗]|hello|hi|嗨|喂|在吗|在么|在不在|有人吗|有没有人|(?:早上|上午|中午|下午|晚上)好|早安",
    re.I,
)
THANKS = re.compile(r"谢|感谢|辛苦")


def only_greets(text: str) -> bool:
    """True when the message is a greeting and nothing else (no question, no thanks)."""
    return bool(GREETINGS.search(text or "")) and not core(text) and not THANKS.search(text or "")


def is_bare(text: str) -> bool:
    """True when the message is nothing more than a greeting, thanks or a short reply."""
    return len(core(text)) <= BARE_MAX_CHARS


def could_be_legal(text: str) -> bool:
    """True when the message may be a legal matter: a story, money, family, work, a party or a harm."""
    rest = core(text)
    return len(rest) >= STORY_MIN_CHARS or bool(LEGAL_CUES.search(rest))
