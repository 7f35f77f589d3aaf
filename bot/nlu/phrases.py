"""Words that steer the dialogue whatever the classifier thinks: any-time phrases, step answers.

The any-time phrases (only asking — no case wanted, cancel, go back, a person, my cases, moving
house, where is the office, when will someone come, a complaint about the service) are written here once;
the router matches them and the degraded keyword classifier builds its rules from the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.config import DATA_DIR
from bot.nlu import answers

PERSON_WORDS_FILE = answers.ANSWERS_FILE.with_name("person_words.yml")

# The words of each any-time phrase, as regular-expression alternatives.
CANCEL_WORDS = (
    r"取消|撤销|撤回|不办了|不弄了|不搞了|不想办了|不用办了|不要办了|不用处理了|还是算了|算了吧|"
    r"先不(?:办|弄|搞)了|撤了吧?|(?:单子|工单)不要了|不登记了|先不登记"
)
# "转人工", "人呢", "你们到底有冇得人啊", "直接给我找个人": bot/data/person_words.yml, with its examples.
HUMAN_WORDS = answers.load(PERSON_WORDS_FILE)["ask_for_person"].pattern.pattern
STATUS_WORDS = (
    r"我的工单|工单进度|(?:查|问问|问一下|看看)(?:一下|下)?(?:进度|工单)|^进度$|办得怎么样|处理得?怎么样了|有人管了(?:吗|没有?|冇)|"
    # The number the bot gave ("JH261207-0012 么样了"), or the matter told before
    # ("我昨天跟你们说的楼上吵的事 有人管冇"): the resident's cases, not a new one.
    r"[A-Za-z]{2}\d{6}-\d{4}|(?:昨天|前天|上次|之前|上回|前几天)(?:跟|和|给|对)?(?:你们|你)?(?:说|讲|反映|报)的(?:那个)?.{0,12}"
    r"(?:么样了|怎么样了|咋样了|有人管|处理了|办了)"
)
MOVED_WORDS = (
    r"搬家|搬走了|换了?(?:个)?(?:社区|小区)|我(?:已经)?不住(?:在)?.{0,8}了|改(?:一下)?社区|搬(?:到|去).{1,8}住"
)
# "区中心在哪里 地址发我一下", "你们工作室在哪": where a legal service office is.
OFFICE_WORDS = r"区中心|公共法律服务中心|法律服务中心|中心|工作室|工作站|司法所|你们"
WHERE_WORDS = (
    rf"(?:{OFFICE_WORDS})[^，,。？?！!\s]{{0,6}}(?:在哪|在什么地方|地址|怎么走|位置)|"
    r"地址(?:发|给|告诉)(?:我|一下)|(?:发|给|告诉)我(?:一下)?(?:个)?(?:你们的?)?地址"
)
# "那我什么时候能等到人来", "你们什么时候来", "律师多久回复我": when a person will answer the case.
WHEN_WORDS = (
    r"(?:什么时候|啥时候|么时候|几时|多久|多长时间)(?:才|能|会|可以)?(?:才|能|会)?(?:等到|等来)?"
    r"(?:有人|人|你们|工作人员|律师|调解员|房管员)?(?:来|上门|过来|联系我|回复我|回我|给我打电话|打电话给我)|"
    r"(?:怎么|咋)还没(?:有)?人(?:来|联系|理)"
)
# "我要投诉你们", "你们都是吃干饭的": unhappy with the service itself ("投诉物业" is a property case).
COMPLAINT_WORDS = (
    r"投诉你们(?!.{0,4}(?:物业|小区|楼|邻居|公司|开发商|业委会))|投诉(?:你们|这里)?的?(?:工作人员|律师|调解员|房管员|服务|态度|机器人)|(?:你们|你)(?:都|就)?是?(?:一群)?吃(?:干|闲)饭|"
    r"你们.{0,4}不作为|什么破(?:服务|机器人|地方)|你们(?:都)?是?(?:干什么|干啥|搞么子|做么子)吃的|"
    r"(?:服务|你们的?)态度(?:太|真|好)?差"
)
BACK_WORDS = r"^(?:返回|上一步|回到上一步|改一下)$|说错了|填错了|写错了|搞错了"
# "我就是想问问 不用登记吧", "只是咨询一下，莫登记", "我就问一哈 不登记了撒": the resident wants an answer,
# not a case — and says nothing more (a question asked in the same words is a question, not this).
_ASK = r"(?:想|要)?(?:问问|问一下|问下|问一哈|咨询(?:一下|下|一哈)?|了解(?:一下|下|一哈)?|打听(?:一下|下|一哈)?)"
_ONLY_ASK = rf"(?:只|只是|就|就是|仅仅|单纯|光)(?:想|要)?{_ASK}|{_ASK}(?:就行了?|就好|就可以了?|而已|罢了)"
# "不要转", "我说了不要登记！", "不登记": no case wanted, in so many words ("不登记了" is a cancel).
_NO_CASE = (
    r"(?:不|莫|别|不用|不要|不想|不需要|不必|没必要|冇必要)(?:去|帮我|给我)?"
    r"(?:登记|立案|建档|开单|开工单|报上去|上报|提交|转(?:给|过去|出去|上去)?(?:他们|你们|工作人员|律师)?)"
)
_ASIDE = (
    r"[我那呢吧呀啊的嘛哈哦噢撒咧了吗，,。.!！?？\s~～]|不是|其实|先|暂时|可以|行|好|是|对|也|这个|而已|罢了|"
    r"说了|都说了|说过|已经说了"
)
ONLY_ASKING = re.compile(rf"^(?=.*(?:{_ONLY_ASK}|{_NO_CASE}(?!了)))(?:{_ONLY_ASK}|{_NO_CASE}|{_ASIDE})+$")
# "不要转 我就想了解一下 一般怎么分": no case wanted, then the question itself (ONLY_ASKING_QUESTION's
# "asked"): nothing registered, and the question is what the answer is about.
ONLY_ASKING_QUESTION = re.compile(
    rf"^(?:{_ASIDE})*{_NO_CASE}(?!了)(?:{_ONLY_ASK}|{_NO_CASE}|{_ASIDE})*"
    r"(?P<asked>(?=.*(?:吗|么|怎|如何|什么|啥|多少|哪|几|能不能|可不可以|是不是|算不算|有没有|咋|[?？]))[^，,。.!！?？\s~～].*)$"
)

# Whole-message words that mean "stop" only when nothing else is asked: "不用了" at the phone
# question means "no phone", which that step accepts before any-time phrases are looked at.
# "不了 谢谢" / "不用了 谢谢您": a polite no to the whole thing.
CANCEL = re.compile(
    rf"^(?:取消|算了|不办了|不用了|退出|不弄了|撤销|cancel)[。！!～~]*$|{CANCEL_WORDS}|"
    r"^(?:不了|不用了|算了|不办了)[，,。 ]*(?:(?:谢谢|多谢)(?:你|您|你们|啦|了)?|不用了|算了|不办了)[。！!～~]*$",
    re.I,
)
HUMAN = re.compile(HUMAN_WORDS)
# "人呢", "你们到底有冇得人啊", "我要跟人讲话": a person asked for again, no matter told.
PERSON_AGAIN = re.compile(
    r"^(?:那|喂)?(?:人呢|人在哪|真人呢|有人吗|有人没|有没有人|有冇得?人)|有(?:冇|没)(?:得|有)?人|(?:跟|和|找)(?:个)?真?人(?:讲话|说话|聊|说)"
)
PERSON_AGAIN_MAX_CHARS = 16
STATUS = re.compile(STATUS_WORDS)
BACK = re.compile(BACK_WORDS)
# At the summary, which part is wrong ("社区搞错了 我是花楼的", "号码也不对 最后两位是22"): that
# question is asked again, rather than the story.
# "不对不对 不是楼上 是隔壁家 我搞混了": the story corrected, marked so staff read it as such.
STORY_CORRECTED = re.compile(r"^(?:不对|不是的|说错了|搞混了|记错了)|搞混了|记错了|更正")
COMMUNITY_WRONG = re.compile(r"社区.{0,4}(?:错|不对)|(?:错|不对).{0,4}社区|住(?:址|的地方).{0,3}(?:错|不对)")
PHONE_WRONG = re.compile(r"(?:电话|号码|手机)号?.{0,4}(?:错|不对|有误)|(?:错|不对).{0,4}(?:电话|号码|手机)")
WHERE = re.compile(WHERE_WORDS)
WHEN = re.compile(WHEN_WORDS)
COMPLAINT = re.compile(COMPLAINT_WORDS)
# Which office a "where is it" asks about: the district centre, a street workstation, else the home room.
DISTRICT_OFFICE = re.compile(r"区中心|区公共法律服务中心|区里|区法律")
STREET_OFFICE = re.compile(r"街道|工作站|司法所")
# Only for short messages: "邻居搬家时撞坏了我家门" is a dispute, not news that the resident moved.
MOVED = re.compile(MOVED_WORDS)
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


# Checked in this order, after the active step declined the message. A long message that merely
# contains "取消" ("订单被取消了…") is a story, hence the length limits.
ANYTIME_PHRASES = (
    # Never an answer to the question asked (not a withdrawal at the withdraw question): first.
    AnytimePhrase("erase_personal_data", ERASE_MY_DATA, max_chars=40, before_steps=True),
    AnytimePhrase("only_asking", ONLY_ASKING, max_chars=20),  # before cancel: "我就问问 不登记了" keeps the question
    AnytimePhrase("only_asking", ONLY_ASKING_QUESTION, max_chars=24),  # "不要转 我就想了解一下 一般怎么分"
    AnytimePhrase("cancel", CANCEL, max_chars=16),
    AnytimePhrase("go_back", BACK, max_chars=12),
    AnytimePhrase("ticket_status", STATUS),
    AnytimePhrase("request_human", HUMAN),
    AnytimePhrase("change_community", MOVED, max_chars=16, outside_flows_only=True),
    AnytimePhrase("where_is", WHERE, max_chars=24),
    AnytimePhrase("when_answered", WHEN, max_chars=20),
    AnytimePhrase("complain_service", COMPLAINT, max_chars=30),
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
# "冇得电话", "我没得手机号码 用的是我孙女的微信": no phone at all, so staff write on WeChat.
NO_PHONE_AT_ALL = re.compile(
    r"(?:没得|没有|冇得|冇有|没)(?:个)?(?:手机|电话)|(?:手机|电话)(?:号码?)?都?(?:没得|没有|冇得|冇有)(?!电|信号)|"
    r"用的是.{0,8}(?:手机|微信)"
)
# Words that say nothing ("随便吧", "嗯嗯", "哦"): no answer and no story either.
FILLER = re.compile(
    r"^(?:随便|都行|无所谓|嗯+|哦+|啊+|额+|呃+|唉+|哎+|好吧|行吧|那个|这个)[了的吧啊呀哦哈。！!，,.…~ ]*$"
)
# "不知道" where the way out offers it: skip the question.
SKIP = re.compile(r"^(?:不知道|不晓得|不清楚|跳过|跳过吧)[了的啊呀吧哦。！!]*$")
# The resident fears the other side would retaliate if they knew who complained: no phone, kept confidential.
FEARS_RETALIATION = re.compile(r"报复|报仇|记恨|找我麻烦|怕.{0,8}(?:知道是我|知道我|找上门)")
# "最好晚上打", "下午3点以后联系", "白天上班不方便接": when the resident can take a call.
CONTACT_TIME = re.compile(
    r"(?:早上|上午|中午|午休|下午|傍晚|晚上|夜里|白天|周末|工作日|下班(?:以)?后|\d{1,2}点(?:以后|之后|后|前|以前)?)"
    r"(?:的时候)?(?:再|才|都)?(?:打(?:电话)?(?:给我|过来)?|联系(?:我)?|来电|回电|比较方便|方便|有空|能接|接得到)"
    r"[了的吧啊呀哈。！!，, ]*(?:谢谢)?$"
)
CONTACT_TIME_MAX_CHARS = 30
UNKNOWN_PLACE = re.compile(r"不知道|不清楚|不太清楚|不晓得|搞不清|记不清|忘了|不记得")
# "不晓得叫么子社区 …": the don't-know is about the community's name, so a longer answer is still one.
UNKNOWN_COMMUNITY = re.compile(rf"(?:{UNKNOWN_PLACE.pattern}).{{0,6}}(?:社区|小区|哪个|叫什么|叫么子|名字)")
_NO_PHONE_WORDS = (
    r"(?:不留|不用|不用留|不方便|不要|不给|算了|跳过|不想留|没有|否|不|不了|不必|先不留|不想给|"
    r"保密|不需要|不留了|不太方便)"
)
# One or two of them, "电话" allowed after: "算了不方便", "不想留电话", "不方便留电话".
NO_PHONE = re.compile(
    rf"^(?:那|哎|唉|呃|嗯)?[，, ]*{_NO_PHONE_WORDS}(?:留)?(?:电话)?"
    rf"[了的吧啊呀。！!，,…. ]*(?:{_NO_PHONE_WORDS}(?:留)?(?:电话)?)?[了的吧啊呀。！!，,…. ]*(?:谢谢)?[。！!]*$"
)
# "好的可以留电话": willing to leave one, the number still to come.
WILL_LEAVE_PHONE = re.compile(
    r"^(?:好的?|行|嗯|那)?[，, ]*(?:可以|愿意|能)留(?:个|一个)?(?:电话|手机|号码)?[的吧啊。！!]*$"
)
# "你们要我电话干嘛": what the number is for.
WHY_PHONE = re.compile(
    r"(?:电话|手机|号码)(?:干嘛|干什么|做什么|有什么用|干啥|用来干|搞么事|搞么子|做么事|有么用)|为什么要(?:留|我的?)?(?:电话|手机|号码)|"
    # "不会泄露出去吧": whether the number is safe with us.
    r"(?:泄露|泄漏|外泄|卖给|给别人|给对方|告诉对方|骚扰电话)"
)
# "我不是不办 是不想留电话": no phone, and the case goes on (it is no cancel).
NOT_THE_PHONE = re.compile(
    r"(?:不想|不愿意?|不方便|不要|不用|不敢|不)(?:留|给)(?:个)?(?:电话|手机|号码)|(?:电话|手机|号码)不(?:想|方便|愿意?)?(?:留|给)"
)
# "想了下还是帮我登记一下吧", "还是要办", "继续登记": the resident takes back a cancel (bot/data/answers.yml).
RESUME = answers.pattern("resume")
# "补充：…" adds to the open case; "还有个事…" starts a new one, so "还有" counts only with a colon.
ADD_TO_CASE = re.compile(r"^(?:(?:补充|追加)[:：，, ]*|(?:再说一下|还有)[:：])")
# Only read while a resolved case can be reopened: "根本没修好", "还是没人管", "问题还在".
UNRESOLVED = re.compile(
    r"没解决|没有解决|重新打开|还没解决|不满意重办|问题还在|还是老样子|跟没办一样|白办了|"
    r"(?:根本|还是|还|都|压根)(?:就)?(?:没|没有|冇)(?:修好|修|弄好|搞好|处理|解决|办|人管|人来|人理|好|改|变|动)"
)
# "5", "5分", "4 还行": a rating. "3楼漏水了" is not: the digit must stand alone.
RATING = re.compile(r"^\s*([1-5])\s*(?:(?:分|星)(?:吧|啊|呀|了)?[\s，,。.!！]*|[\s，,。.!！]+|$)(.*)$", re.S)
# A rating said in words rather than the bare digit asked for: "给个3分吧", "我是说打3分", "五星好评👍",
# "很满意 谢谢你们". Never "3分钟就到了" or "五星级酒店".
SPOKEN_RATING = re.compile(
    r"^\s*(?:我是说)?(?:我)?(?:就)?(?:给|打)?(?:你们)?(?:打)?(?:个)?\s*([1-5一二三四五])\s*(?:分(?!钟)|颗?星(?!级))(?:好评|吧|啊|呀|了)*"
    r"[\s，,。.!！👍]*(.*)$",
    re.S,
)
SATISFACTION = re.compile(
    r"^\s*(非常满意|很满意|特别满意|挺满意|蛮满意|满意|蛮好|挺好|很好|比较满意|基本满意|还算满意|还可以|还行|一般般?|不太满意|不满意|"
    r"很不满意|非常不满意)"
    r"(?:的|啊|呀|了|吧)*(?![吗么嘛不？?])(?=$|[\s，,。.!！👍~])[\s，,。.!！👍~]*(.*)$",
    re.S,
)
SATISFACTION_SCORES = {
    "非常满意": 5,
    "很满意": 5,
    "特别满意": 5,
    "挺满意": 5,
    "蛮满意": 5,
    "满意": 5,
    "蛮好": 5,
    "挺好": 5,
    "很好": 5,
    "比较满意": 4,
    "基本满意": 4,
    "还算满意": 4,
    "还可以": 4,
    "还行": 4,
    "一般": 3,
    "一般般": 3,
    "不太满意": 2,
    "不满意": 1,
    "很不满意": 1,
    "非常不满意": 1,
}
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}


def spoken_rating(text: str) -> tuple[int, str] | None:
    """(score, the rest as a comment) for a rating said in words, else None."""
    if match := SPOKEN_RATING.match(text):
        digit = match.group(1)
        return _NUMERALS.get(digit) or int(digit), match.group(2).strip()
    if match := SATISFACTION.match(text):
        return SATISFACTION_SCORES[match.group(1)], match.group(2).strip()
    return None


CHOICE = re.compile(r"^\s*(?:回复|选)?\s*([1-9])\s*[。.号]?\s*$")
_AFFIRM_WORDS = (
    r"(?:好|好的|是|是的|对|对的|可以|行|要|需要|嗯|嗯嗯|ok|OK|好啊|麻烦了|谢谢好的|确认|确定|确认提交|"
    r"提交|没问题|没错|就这样)"
)
# One or two of them: "好的 确认", "对，没问题".
AFFIRM = re.compile(
    rf"^{_AFFIRM_WORDS}(?:[的啊呀吧了！!。，, ]*{_AFFIRM_WORDS})?[的啊呀吧了！!。，, ]*(?:谢谢)?[！!。]*$"
)
DENY = re.compile(r"^(不|不用|不要|不需要|没有|否|算了|不了|不用了)[的啊呀吧！!。]*$")
# How residents kindly address whoever answers: "谢谢你啊 姑娘".
_ADDRESS_WORDS = r"(?:小?姑娘|妹子|妹妹|小妹|美女|丫头|伢|同志|师傅|老师|领导|小伙子|帅哥|律师|大家|你们)"
THANKS = re.compile(
    r"^(?:谢谢|谢了|多谢|感谢|辛苦了|辛苦|收到|知道了|晓得了|明白了|好滴)(?:你们?|您)?(?:了|啊|呀|哈|的|啦)*"
    rf"[！!。，, ~～🙏]*(?:谢谢|辛苦了)?[！!。，, ~～🙏]*(?:{_ADDRESS_WORDS}(?:了|啊|呀|哈|的|啦)*)?[！!。~～🙏]*$"
)


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
