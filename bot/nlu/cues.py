"""What the words of a message say before the model does: a bare greeting, or a possible legal matter.

The words are data (bot/data/courtesy_words.yml, one block per concept with the examples it must and
must not match); whether a question is asked is one concept for every reading (bot/data/anytime_words.yml).
"""

from __future__ import annotations

from bot.config import DATA_DIR
from bot.nlu import answers, phrases

COURTESY_WORDS = answers.load(DATA_DIR / "courtesy_words.yml")
# Greetings, thanks and polite fillers that residents put around a question. Removing them leaves
# what the message is about; when little is left, the message is only a greeting or a thank-you.
WRAPPERS = COURTESY_WORDS["wrappers"].pattern
PUNCTUATION = COURTESY_WORDS["punctuation"].pattern
# At most this many characters left once the wrappers are gone: nothing more than the courtesy.
BARE_MAX_CHARS = 6
# This long without the courtesies, a message tells a story: it may well be a legal matter.
STORY_MIN_CHARS = 20
# Money, family, work, a party, a harm, the law: any of them makes a message possibly legal.
LEGAL_CUES = COURTESY_WORDS["legal_cues"].pattern


def core(text: str) -> str:
    """The message without greetings, thanks, fillers, punctuation and emoji."""
    return PUNCTUATION.sub("", WRAPPERS.sub("", text or ""))


# "我想问个事", "想咨询一下", "怎么办啊": the resident is about to ask; nothing is asked yet.
ASKS_TO_ASK = COURTESY_WORDS["asks_to_ask"].pattern
# "你们几点下班啊", "周末上班吗": when the rooms are open, a question the FAQ answers; only short
# messages, so a labour story about working hours ("上班时间被老板骂") is not taken for it.
OFFICE_HOURS = COURTESY_WORDS["office_hours"].pattern
OFFICE_HOURS_MAX_CHARS = COURTESY_WORDS["office_hours"].max_chars or 0
OFFICE_HOURS_FAQ = "faq_office_hours"
# "那周六上午能去找律师当面问问吗": whether (and when) the resident can come in person — answered
# with the hours and where to go.
VISIT = COURTESY_WORDS["visit"].pattern
VISIT_MAX_CHARS = COURTESY_WORDS["visit"].max_chars or 0
# Asked as a question: "吗", "不", "能不能", "怎么"…
ASKED = phrases.ASKED


# "法律咨询收费吗", "找你们要钱吗", "请律师打官司免费吗": what the service costs (not "停车收费合理吗").
FEE = COURTESY_WORDS["fee"].pattern
FEE_OF_SERVICE = COURTESY_WORDS["fee_of_service"].pattern
FEE_MAX_CHARS = COURTESY_WORDS["fee"].max_chars or 0
SERVICE_FEE_FAQ = "faq_service_fee"


def asks_fee(text: str) -> bool:
    """True when a short question asks what the legal service costs ("法律咨询收费吗", or "收费吗" alone)."""
    rest = core(text)
    if not (len(rest) <= FEE_MAX_CHARS and FEE.search(rest) and ASKED.search(text)):
        return False
    # "收费吗" alone has nothing else it could be the fee of; "停车收费吗" names something else.
    bare = FEE.sub("", rest).strip("吗嘛么不？?。 ") == ""
    return bare or bool(FEE_OF_SERVICE.search(rest))


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


# "在吗", "你好 在不在", "有人吗？": the resident only checks someone is there (and the greeting says
# a person reads every case, and how to reach one); thanks said with it make it no bare greeting.
GREETINGS = COURTESY_WORDS["greeting"].pattern
THANKS = COURTESY_WORDS["thanks_said"].pattern
ANYONE_THERE = COURTESY_WORDS["anyone_there"].pattern


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


def asks_anyone_there(text: str) -> bool:
    """True when the message checks that a person is there ("有人吗"): the greeting says one reads every case."""
    return bool(ANYONE_THERE.search(text or ""))
