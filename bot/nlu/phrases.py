"""Words that steer the dialogue whatever the classifier thinks: any-time phrases, step answers.

The any-time phrases (only asking — no case wanted, cancel, go back, a person, my cases, moving
house, where is the office, when will someone come, a complaint about the service) and the short
replies are data (bot/data/anytime_words.yml, reply_words.yml, person_words.yml, privacy_words.yml,
follow_ups.yml: one block per concept, with the examples it must and must not match); this module
gives them the names the dialogue reads, and the order in which the router tries the any-time
phrases. The degraded keyword classifier names the same blocks (bot/data/keyword_rules.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import DATA_DIR
from bot.nlu import answers

PERSON_WORDS_FILE = answers.ANSWERS_FILE.with_name("person_words.yml")

# The any-time phrases and the words about a summary (bot/data/anytime_words.yml), each block with
# the examples it must and must not match.
ANYTIME_WORDS_FILE = DATA_DIR / "anytime_words.yml"
ANYTIME_WORDS = answers.load(ANYTIME_WORDS_FILE)
# "转人工", "人呢", "你们到底有冇得人啊", "直接给我找个人": bot/data/person_words.yml, with its examples.
PERSON_WORDS = answers.load(PERSON_WORDS_FILE)
# The words each degraded keyword rule for these intents is built from (bot/nlu/keywords.py).
CANCEL_WORDS = ANYTIME_WORDS["cancel_words"].pattern.pattern
HUMAN_WORDS = PERSON_WORDS["ask_for_person"].pattern.pattern
STATUS_WORDS = ANYTIME_WORDS["status"].pattern.pattern
MOVED_WORDS = ANYTIME_WORDS["moved"].pattern.pattern
# Whether a question is asked ("吗", "怎么", "能不能"): one definition for every reading that needs it.
ASKED = ANYTIME_WORDS["asked"].pattern
# "我就是想问问 不用登记吧": an answer wanted, not a case; "不要转 我就想了解一下 一般怎么分": no case
# wanted, then the question itself (its group "asked"): nothing registered, the question answered.
ONLY_ASKING = ANYTIME_WORDS["only_asking"].pattern
ONLY_ASKING_QUESTION = ANYTIME_WORDS["only_asking_question"].pattern
# Whole-message words that mean "stop" only when nothing else is asked: "不用了" at the phone
# question means "no phone", which that step accepts before any-time phrases are looked at.
CANCEL = ANYTIME_WORDS["cancel"].pattern
HUMAN = PERSON_WORDS["ask_for_person"].pattern
# "人呢", "有人吗", "我要跟人讲话" after a person was asked for: the request again, no matter told.
PERSON_AGAIN = ANYTIME_WORDS["person_again"].pattern
PERSON_AGAIN_MAX_CHARS = ANYTIME_WORDS["person_again"].max_chars or 0
STATUS = ANYTIME_WORDS["status"].pattern
BACK = ANYTIME_WORDS["back"].pattern
# At the summary, which part is wrong ("社区搞错了 我是花楼的", "号码也不对 最后两位是22"): that
# question is asked again, rather than the story; the story corrected is marked so staff read it as such.
STORY_CORRECTED = ANYTIME_WORDS["story_corrected"].pattern
COMMUNITY_WRONG = ANYTIME_WORDS["community_wrong"].pattern
PHONE_WRONG = ANYTIME_WORDS["phone_wrong"].pattern
WHERE = ANYTIME_WORDS["where"].pattern
WHEN = ANYTIME_WORDS["when"].pattern
COMPLAINT = ANYTIME_WORDS["complaint"].pattern
# Which office a "where is it" asks about: the district centre, a street workstation, else the home room.
DISTRICT_OFFICE = ANYTIME_WORDS["district_office"].pattern
STREET_OFFICE = ANYTIME_WORDS["street_office"].pattern
# Only for short messages: "邻居搬家时撞坏了我家门" is a dispute, not news that the resident moved.
MOVED = ANYTIME_WORDS["moved"].pattern
# "把我的个人信息删掉", "是删我的个人信息", "把我刚说的都删了吧": the resident's own data erased (PIPL);
# the words and their examples are data (bot/data/privacy_words.yml).
PRIVACY_WORDS = answers.load(DATA_DIR / "privacy_words.yml")
ERASE_MY_DATA = PRIVACY_WORDS["erase_request"].pattern
# "那什么时候删好", "那我的信息现在删了吗": how far the erasure asked for is (bot/dialogue/handlers/privacy.py).
ERASE_PROGRESS = PRIVACY_WORDS["erase_progress"].pattern
MY_DATA = PRIVACY_WORDS["my_data"].pattern
# Said with the request: no case wanted ("算了 不想登记了"); someone may look at the phone ("我怕他看我手机").
STOP_WITH_ERASURE = PRIVACY_WORDS["stop_here"].pattern
PHONE_SEEN = PRIVACY_WORDS["phone_seen"].pattern


@dataclass(frozen=True)
class AnytimePhrase:
    """A phrase that means the same in any step: the intent it stands for and where it counts."""

    intent: str
    pattern: re.Pattern
    max_chars: int | None = None  # counts only in messages this short (None: any length)
    outside_flows_only: bool = False  # counts only when no flow is asking a question
    before_steps: bool = False  # read before the step's own reading of the message


def _anytime(intent: str, words: answers.Concept, **where: bool) -> AnytimePhrase:
    """The any-time phrase of a words block, counting in messages as short as the block says."""
    return AnytimePhrase(intent, words.pattern, max_chars=words.max_chars, **where)


# Checked in this order, after the active step declined the message. A long message that merely
# contains "取消" ("订单被取消了…") is a story, hence the length limits (each block's max_chars).
ANYTIME_PHRASES = (
    # Never an answer to the question asked (not a withdrawal at the withdraw question): first.
    AnytimePhrase("erase_personal_data", ERASE_MY_DATA, max_chars=40, before_steps=True),
    _anytime("only_asking", ANYTIME_WORDS["only_asking"]),  # before cancel: "我就问问 不登记了" keeps the question
    _anytime("only_asking", ANYTIME_WORDS["only_asking_question"]),  # "不要转 我就想了解一下 一般怎么分"
    _anytime("cancel", ANYTIME_WORDS["cancel"]),
    _anytime("go_back", ANYTIME_WORDS["back"]),
    _anytime("ticket_status", ANYTIME_WORDS["status"]),
    _anytime("request_human", PERSON_WORDS["ask_for_person"]),
    _anytime("change_community", ANYTIME_WORDS["moved"], outside_flows_only=True),
    _anytime("where_is", ANYTIME_WORDS["where"]),
    _anytime("when_answered", ANYTIME_WORDS["when"]),
    _anytime("complain_service", ANYTIME_WORDS["complaint"]),
)


def counts_in_flows(intent: str) -> bool:
    """True when this any-time intent also applies while a flow is asking its question."""
    return any(phrase.intent == intent and not phrase.outside_flows_only for phrase in ANYTIME_PHRASES)


def before_steps_intent(text: str) -> str | None:
    """The any-time phrase that wins over whatever question a step is asking, if this is one."""
    intent = anytime_intent(text, in_flow=True)
    return intent if any(p.intent == intent and p.before_steps for p in ANYTIME_PHRASES) else None


def anytime_intent(text: str, in_flow: bool) -> str | None:
    """The any-time phrase this message is, if any."""
    for phrase in ANYTIME_PHRASES:
        if phrase.max_chars is not None and len(text) > phrase.max_chars:
            continue
        if phrase.outside_flows_only and in_flow:
            continue
        if phrase.pattern.search(text):
            return phrase.intent
    return None


# Follow-up words (bot/data/follow_ups.yml): the resident cannot talk on the phone, someone would
# hear ("不敢打 他听得到"): the case is followed up in writing; the resident answers what staff asked.
FOLLOW_UPS = answers.load(answers.ANSWERS_FILE.with_name("follow_ups.yml"))
NO_CALLS = FOLLOW_UPS["no_calls"]
ANSWERS_STAFF = FOLLOW_UPS["answers_staff"]
# Someone collapsed and does not answer: 120, and what to do until it comes.
COLLAPSE = FOLLOW_UPS["collapse"]
# On an open urgent case: "我该怎么办", "救护车还没来" (the advice again); "门快被踹开了" (escalation).
WHAT_NOW = FOLLOW_UPS["what_now"]
BREAKING_IN = FOLLOW_UPS["breaking_in"]
# Short replies to the bot's questions (bot/data/reply_words.yml), each with its examples.
REPLY_WORDS = answers.load(DATA_DIR / "reply_words.yml")
# "冇得电话", "我没得手机号码 用的是我孙女的微信": no phone at all, so staff write on WeChat.
NO_PHONE_AT_ALL = REPLY_WORDS["no_phone_at_all"].pattern
# Words that say nothing ("随便吧", "嗯嗯", "哦"): no answer and no story either.
FILLER = REPLY_WORDS["says_nothing"].pattern
# "不知道" where the way out offers it: skip the question.
SKIP = REPLY_WORDS["skip"].pattern
# The number given is a landline: eight digits without an area code are the city's.
LANDLINE_SAID = REPLY_WORDS["landline_said"].pattern
# The resident fears the other side would retaliate if they knew who complained: no phone, kept confidential.
FEARS_RETALIATION = REPLY_WORDS["fears_retaliation"].pattern
# "最好晚上打", "下午3点以后联系", "白天上班不方便接": when the resident can take a call.
CONTACT_TIME = REPLY_WORDS["contact_time"].pattern
CONTACT_TIME_MAX_CHARS = REPLY_WORDS["contact_time"].max_chars or 0
UNKNOWN_PLACE = REPLY_WORDS["unknown_place"].pattern
# "不晓得叫么子社区 …": the don't-know is about the community's name, so a longer answer is still one.
UNKNOWN_COMMUNITY = REPLY_WORDS["unknown_community"].pattern
# "算了不方便", "不想留电话": no phone; "好的可以留电话": one to come; "你们要我电话干嘛": what it is for.
NO_PHONE = REPLY_WORDS["no_phone"].pattern
WILL_LEAVE_PHONE = REPLY_WORDS["will_leave_phone"].pattern
WHY_PHONE = REPLY_WORDS["why_phone"].pattern
# "我不是不办 是不想留电话": no phone, and the case goes on (it is no cancel).
NOT_THE_PHONE = REPLY_WORDS["not_the_phone"].pattern
# "想了下还是帮我登记一下吧", "还是要办", "继续登记": the resident takes back a cancel (bot/data/answers.yml).
RESUME = answers.pattern("resume")
# "补充：…" adds to the open case; "还有个事…" starts a new one, so "还有" counts only with a colon.
ADD_TO_CASE = REPLY_WORDS["add_to_case"].pattern
# Only read while a resolved case can be reopened: "根本没修好", "还是没人管", "问题还在".
UNRESOLVED = REPLY_WORDS["unresolved"].pattern
# "5", "5分", "4 还行": a rating; in words: "给个3分吧", "五星好评👍", "很满意 谢谢你们".
RATING = REPLY_WORDS["rating"].pattern
SPOKEN_RATING = REPLY_WORDS["spoken_rating"].pattern
SATISFACTION = REPLY_WORDS["satisfaction"].pattern
SATISFACTION_SCORES: dict[str, int] = dict(REPLY_WORDS["satisfaction"].extra["scores"])
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def spoken_rating(text: str) -> tuple[int, str] | None:
    """(score, the rest as a comment) for a rating said in words, else None."""
    if match := SPOKEN_RATING.match(text):
        digit = match.group(1)
        return _NUMERALS.get(digit) or int(digit), match.group(2).strip()
    if match := SATISFACTION.match(text):
        return SATISFACTION_SCORES[match.group(1)], match.group(2).strip()
    return None


CHOICE = REPLY_WORDS["choice"].pattern
# One or two yes-words: "好的 确认", "对，没问题"; a plain no: "不用", "算了".
AFFIRM = REPLY_WORDS["affirm"].pattern
DENY = REPLY_WORDS["deny"].pattern
# A message of thanks and nothing else: "谢谢你啊 姑娘" (bot/data/courtesy_words.yml).
THANKS = answers.load(DATA_DIR / "courtesy_words.yml")["only_thanks"].pattern


def steers_only(text: str) -> bool:
    """True when the message only steers the dialogue (a menu number, 好的, 谢谢, 转人工): no case content."""
    return (
        choice_number(text) is not None
        or any(pattern.match(text) for pattern in (AFFIRM, DENY, THANKS))
        or anytime_intent(text, in_flow=True) is not None
    )


def choice_number(text: str) -> int | None:
    """The number the resident picked from a numbered list, if the text is just that."""
    match = CHOICE.match(text)
    return int(match.group(1)) if match else None
