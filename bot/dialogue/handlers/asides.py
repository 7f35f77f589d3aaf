"""Asides: what a resident asks of the bot itself ("你是机器人吗", a message in English), a question
asked in passing while an intake waits for its answer ("我要不要报警？", "离婚冷静期多少天"), and a
first message that is only a fragment ("空调"). Each is answered on its own; the router asks the
pending question again.

The words are data (bot/data/aside_words.yml); English is told by its letters, not by words.
"""

from __future__ import annotations

import enum

from bot.cases.directory import communities_named
from bot.dialogue.flows import IntakeState
from bot.dialogue.handlers import community, faq, intake
from bot.dialogue.handlers.staff_reply import NEW_MATTER
from bot.dialogue.turn import Turn
from bot.nlu import answers, phrases
from bot.nlu.cues import FEE, SERVICE_FEE_FAQ, core
from bot.nlu.policy import leading_faq
from bot.storage.messages import previous_intent
from bot.wechat.text import digit_count

WORDS = answers.load(answers.ANSWERS_FILE.with_name("aside_words.yml"))
ROBOT_QUESTION = WORDS["robot_question"]
WHAT_IT_DOES = WORDS["what_it_does"]
# The FAQ that tells how the service works: the answer to "你能做什么".
HOW_IT_WORKS_FAQ = "faq_how_it_works"
ASKS_POLICE = WORDS["asks_police"]
QUESTION_WORD = WORDS["question_word"]
IS_THIS_OK = WORDS["is_this_ok"]

# A question this short is asked, not told; a longer message with a question in it is more story.
PLAIN_QUESTION_CHARS = 24
# What makes a short message a question: the one concept "asked" (bot/data/anytime_words.yml).
PLAIN_QUESTION = phrases.ASKED
# Inside an intake, an FAQ the model ranks first with this much is a question to answer on the
# spot: the intake goes on whatever the answer, so less certainty is needed than for a first message.
# An unsure out-of-scope reading ranked before it does not count (bot/nlu/policy.py `leading_faq`).
FAQ_IN_INTAKE_CONFIDENCE = 0.45

# A question the step reads as a yes or no is that answer only when this short, courtesies aside
# ("不是吗", "不用留吗"); longer, it asks something of its own ("他没工作也要给吗").
STEP_ANSWER_MAX_CHARS = 5
# This many digits make a phone number (or one mistyped), never a question in passing.
PHONE_DIGITS = 7
# Inside an intake, "要钱吗" / "收费吗" this short asks what the service costs (a first message must
# name the service: "法律咨询收费吗", bot/nlu/cues.py).
FEE_IN_INTAKE_MAX_CHARS = 5

# A message in English: at least this many Latin letters in two words or more ("he hit me", "call
# me" are English; "ok ok" is not), and at most this many Chinese characters per letter (a Chinese
# character says about as much as a short English word).
ENGLISH_MIN_LETTERS = 6
ENGLISH_MAX_HAN_PER_LETTER = 0.25

# A first message this short, all Chinese, may be the first words of a story ("空调", "楼上").
FRAGMENT_MAX_CHARS = 6

PINYIN_ANSWER = (
    "您好，看起来您是用拼音打的字，我不太能看懂。请用中文说说您的情况；不方便打字的话，可以直接发语音，"
    "或者回复“转人工”（zhuan ren gong）找工作人员。"
)
ROBOT_ANSWER = (
    "我是江汉区社区公共法律服务的自动回复助手，不是真人。"
    "我可以解答常见的法律问题，也可以把邻里纠纷、物业问题和法律咨询登记下来，"
    "转给您所在社区的律师、人民调解员或物业房管员，由他们联系您。\n"
    "想直接找工作人员，回复“转人工”就行。"
)
ENGLISH_ANSWER = (
    "您好！这里是江汉区公共法律服务：为江汉区居民免费提供法律帮助，由社区律师和人民调解员为您解答、调解。"
    "本服务使用中文；需要找工作人员请回复“转人工”，紧急情况请拨打 110。\n"
    "Hello! This is the Jianghan District public legal service: free legal help for residents of "
    "Jianghan District, Wuhan, from community lawyers and mediators. It works in Chinese — please write "
    "in Chinese if you can (a translation app is fine). To reach a person, send 转人工. "
    "In an emergency, call 110."
)
PHONE_OPTIONAL = "不想留电话也可以办，工作人员会在微信里用文字联系您。"
TELL_THE_MATTER = "有什么事，请直接说说您的情况。"
# The blocks of aside_words.yml that tell a danger in English, and the danger kind each is.
ENGLISH_DANGER_KINDS = {
    "english_fire": "fire",
    "english_gas": "gas",
    "english_violence": "violence",
    "english_self_harm": "self_harm",
    "english_injury": "injury",
    "english_fraud": "fraud",
}
ENGLISH_EMERGENCY = (
    "This sounds like an emergency. Call 110 (police) now; 119 for a fire or gas, 120 for an ambulance. "
    "Get to a safe place first. Your message has been passed to staff as an urgent case."
)
POLICE_NOW = "如果有人身危险，或者违法的事正在发生，请直接拨打 110。"
POLICE_ANSWER = POLICE_NOW + "其他情况要不要报警，{who}联系您时会和您一起看；这个问题我已记进您的登记里。"
# The story tells of a crime going on or just done (a hit-and-run, a theft, a robbery, bot/data/
# follow_ups.yml): yes, now — the sooner, the likelier the police find who did it.
CRIME_TO_REPORT = phrases.FOLLOW_UPS["crime_to_report"]
ROAD_ACCIDENT = phrases.FOLLOW_UPS["road_accident"]
CRIME_ANSWER = (
    "要报警，请现在就{call}，越早报警越容易找到人。说清时间、地点和{doer}，附近有监控、行车记录仪的也告诉警察。"
)
ROAD_CALL = "拨打 122 交通事故报警（打 110 也可以）"
VEHICLE = "车牌、车的颜色和型号"
AFTER_CRIME = "赔偿这些后面的事，{who}联系您时会和您一起看；这个问题我已记进您的登记里。"
SUMMARY_OK = "可以的，内容没问题就能提交，工作人员会按这些内容处理。"
HONEST_ANSWER = "这个要{who}看了您的具体情况才能答，我把这个问题记进您的登记里，{who}联系您时会一并回答。"
FRAGMENT_ANSWER = (
    "您说的“{said}”，具体是什么情况呢？可以再多说几句：发生了什么（比如坏了、漏了、吵到您了），和谁有关，"
    "我帮您转给对应的工作人员。"
)
# How a question no answer was given for is kept with the case: staff read it as one to answer.
KEPT_QUESTION = "【居民的问题】{text}"


class Kept(enum.Enum):
    """What becomes of a question asked in passing, for the case being gathered."""

    STORY = "its words are the story the step asked for (the details step): added as they are"
    QUESTION = "no answer was given: added marked as the resident's question, for staff to answer"
    MESSAGE_ONLY = "answered (an FAQ): the message stays on the case, the case text does not hold it"


def asks_if_robot(text: str) -> bool:
    """True when the resident asks whether a person or a machine answers them — and asks for no
    person besides ("你是机器人吧 我要跟人讲话" is a request for a person)."""
    wants_a_person = phrases.HUMAN.search(text) or phrases.PERSON_AGAIN.search(text)
    return ROBOT_QUESTION.found(text) and not wants_a_person


def asks_about_the_phone(text: str) -> bool:
    """True for a short question of the service about what becomes of the resident's number."""
    if len(text) > PLAIN_QUESTION_CHARS or not (PLAIN_QUESTION.search(text) or text.endswith("吧")):
        return False
    return bool(phrases.WHY_PHONE.search(text)) and WORDS["phone_to_whom"].found(text)


def phone_to_whom(turn: Turn) -> str:
    """ "你们会把我电话给别人吗": who sees it, and that a case can go on without one."""
    turn.intent = "ask_phone_privacy"
    if turn.dialogue.flow is None:
        return f"{intake.WHAT_THE_PHONE_IS_FOR}{PHONE_OPTIONAL}\n{TELL_THE_MATTER}"
    return f"{intake.WHAT_THE_PHONE_IS_FOR}{PHONE_OPTIONAL}"


def asks_what_it_does(text: str) -> bool:
    """True for a short question of what the service is and can do ("你能做什么", "这是干嘛的")."""
    return WHAT_IT_DOES.found(text)


def what_it_does(turn: Turn) -> str:
    """ "你能做什么": how the service works (its FAQ), else what the robot answer says of it."""
    turn.intent = HOW_IT_WORKS_FAQ
    return faq.answer_text(turn, HOW_IT_WORKS_FAQ) or ROBOT_ANSWER


def robot(turn: Turn) -> str:
    """ "你是机器人吗": honestly, what answers them, what it can do and how to reach a person."""
    turn.intent = "ask_bot"
    return ROBOT_ANSWER


def in_english(text: str) -> bool:
    """True when the message is written (mostly) in English: enough Latin letters in words, and few
    Chinese characters beside them. A phone number, "ok" or a case number is not."""
    letters = sum(map(is_latin, text))
    if letters < ENGLISH_MIN_LETTERS or len(latin_words(text)) < 2:
        return False
    return sum(map(is_han, text)) <= letters * ENGLISH_MAX_HAN_PER_LETTER


def is_latin(char: str) -> bool:
    """True for a letter A–Z or a–z."""
    return char.isascii() and char.isalpha()


def is_han(char: str) -> bool:
    """True for a Chinese character (the CJK blocks U+3400–U+9FFF)."""
    return "\u3400" <= char <= "\u9fff"


def latin_words(text: str) -> list[str]:
    """The runs of two or more Latin letters in the text ("ok", "help"), in order."""
    runs = "".join(char if is_latin(char) else " " for char in text).split()
    return [run for run in runs if len(run) >= 2]


def in_pinyin(text: str) -> bool:
    """True when the message is Chinese typed in pinyin ("wo jia lou shang lou shui")."""
    return WORDS["pinyin"].found(text)


def pinyin(turn: Turn) -> str:
    """A message in pinyin, most likely from a resident without a Chinese input method: asked in
    Chinese to write in Chinese, send a voice message or ask for a person."""
    turn.intent = "in_pinyin"
    return PINYIN_ANSWER


def english_danger(text: str) -> list[str]:
    """The kinds of danger a message in English tells of ("I smell gas", "he has a knife"), if any."""
    if not in_english(text):
        return []
    return [ENGLISH_DANGER_KINDS[name] for name in ENGLISH_DANGER_KINDS if WORDS[name].found(text)]


def english(turn: Turn) -> str:
    """A message in English: one bilingual reply — what the service does, that it works in Chinese,
    how to reach a person — never the Chinese "not understood"."""
    turn.intent = "in_english"
    return ENGLISH_ANSWER


def english_again(turn: Turn) -> bool:
    """True when the resident's message before this one was in English too, with no intake going on
    (an intake's question comes after the reply, and the case is opened when it is answered)."""
    if turn.dialogue.active(IntakeState) or turn.resident.first_contact:
        return False
    return previous_intent(turn.session, turn.resident.id, turn.message.id) == "in_english"


def asked_in_passing(turn: Turn, state: IntakeState) -> bool:
    """True when a message while the intake waits is a plain question of its own, not the answer
    the step asked for: short, asked as a question, and none of what the step reads itself (a
    phone number, why the phone is wanted, fear that the other side learns it, a time to call, a
    correction, a community, not knowing it) nor an any-time phrase (取消, 转人工, 在哪, 什么时候来…)."""
    text = turn.text
    if len(text) > PLAIN_QUESTION_CHARS or not PLAIN_QUESTION.search(text):
        return False
    if NEW_MATTER.search(text):  # "另外，我还想问下离婚的事": another matter, the intake keeps it apart
        return False
    if phrases.anytime_intent(text, in_flow=True) is not None or phrases.choice_number(text) is not None:
        return False
    if digit_count(text) >= PHONE_DIGITS:  # a phone number, or one read out wrong: the phone step's
        return False
    if phrases.WHY_PHONE.search(text) or phrases.FEARS_RETALIATION.search(text) or intake.contact_time_in(text):
        return False
    if any(part.search(text) for part in (phrases.STORY_CORRECTED, phrases.COMMUNITY_WRONG, phrases.PHONE_WRONG)):
        return False  # "不对不对 不是楼上 是隔壁家": a correction the summary takes, no question
    if state.step == "community" and (community.place_unknown(text) or community.sounds_like_a_place(text)):
        return False
    return not communities_named(turn.session, text)


def reads_as_the_step_answer(text: str, step_reads: bool) -> bool:
    """True when a question the step's own question reads as a yes or no (`step_reads`) is that
    answer ("不是吗", "是吗"): unless it asks for more than yes or no ("他不配合怎么办") or says more
    than one ("他没工作也要给吗")."""
    return step_reads and len(core(text)) <= STEP_ANSWER_MAX_CHARS and not QUESTION_WORD.found(text)


def asks_if_the_summary_will_do(turn: Turn, state: IntakeState) -> bool:
    """True when, at the summary, the resident asks whether it will do ("这样可以吗")."""
    return state.step == "confirm" and IS_THIS_OK.found(turn.text)


def summary_will_do(turn: Turn) -> str:
    """ "这样可以吗" at the summary: yes, and how to submit or change it (no question for staff)."""
    intake.keep_message(turn)
    return SUMMARY_OK


def answer_in_passing(turn: Turn, state: IntakeState) -> str:
    """The question answered: the FAQ's answer when one is sure, 110 for "要不要报警", else honestly
    that the person who takes the case will answer it. What the case keeps of it: see `Kept`."""
    story = " ".join([*state.parts, turn.text])
    crime = ASKS_POLICE.found(turn.text) and CRIME_TO_REPORT.found(story)
    answer = "" if crime else _faq_answer(turn)  # "要不要报警" after a hit-and-run: yes, before any FAQ
    if answer:
        kept = Kept.MESSAGE_ONLY
    elif ASKS_POLICE.found(turn.text):  # after a crime: yes, now; else 110 for a danger
        answer, kept = _police_reply(story, intake.who_answers(turn, state)), Kept.QUESTION
    else:
        answer, kept = HONEST_ANSWER.format(who=intake.who_answers(turn, state)), Kept.QUESTION
    if state.step == "details":
        kept = Kept.STORY  # asked for what happened, the resident's words tell it, question or not
    if kept is Kept.STORY:
        intake.add_story(turn, turn.text)
    elif kept is Kept.QUESTION:
        intake.add_story(turn, KEPT_QUESTION.format(text=turn.text))
    else:
        intake.keep_message(turn)
    return answer


def police_asked_with_the_story(turn: Turn, state: IntakeState) -> str:
    """ "邻居天天威胁我，我要不要报警": the question asked in the message that began the case, answered
    before the intake's first question ("" when no such question is asked); the story keeps it."""
    if not ASKS_POLICE.found(turn.text):
        return ""
    return _police_reply(" ".join(state.parts), intake.who_answers(turn, state))


def _police_reply(story: str, who: str) -> str:
    """ "要不要报警" answered, the rest left to `who`: after a crime, report it now; else 110 for a danger."""
    if CRIME_TO_REPORT.found(story):
        return police_answer(story) + AFTER_CRIME.format(who=who)
    return POLICE_ANSWER.format(who=who)


def police_answer(story: str) -> str:
    """ "要不要报警": after a crime going on or just done (a hit-and-run, a theft), yes, now — 122 for
    a road accident, else 110; otherwise 110 for a danger or an offence going on."""
    if not CRIME_TO_REPORT.found(story):
        return POLICE_NOW
    road = ROAD_ACCIDENT.found(story)
    return CRIME_ANSWER.format(call=ROAD_CALL if road else "拨打 110", doer=VEHICLE if road else "对方的样子")


def _faq_answer(turn: Turn) -> str:
    """The FAQ answer to the message when the words or the model are sure of one ("" otherwise); while
    the model is down, the classifier that stands in for it matches the FAQ (bot/nlu/faq_match.py)."""
    decision = turn.decide()
    candidates = []
    if len(core(turn.text)) <= FEE_IN_INTAKE_MAX_CHARS and FEE.search(turn.text):
        candidates.append(SERVICE_FEE_FAQ)  # "要钱吗" while a case is being registered: this service's fee
    if decision.kind == "faq":  # the model sure (FAQ_MIN_CONFIDENCE), or the words ("要钱吗")
        candidates.append(decision.intent)
    faq_first = leading_faq(turn.classification) if turn.classification is not None else None
    if faq_first is not None and faq_first[1] >= FAQ_IN_INTAKE_CONFIDENCE:
        candidates.append(faq_first[0])
    for intent in candidates:
        if text := faq.answer_text(turn, intent):
            turn.intent = intent
            return text
    return ""


def fragment(turn: Turn) -> str:
    """A first message of a few words the bot cannot place ("空调", "水管", "楼上"): kept (by the
    router) and asked about kindly — the rest of the story often follows."""
    return FRAGMENT_ANSWER.format(said=turn.text)


def could_be_first_words(turn: Turn) -> bool:
    """True when a message the bot cannot place may be the first words of a story: a few Chinese
    characters, nothing kept before it, and no filler ("嗯嗯", "随便")."""
    text = turn.text
    return (
        not turn.dialogue.fragments
        and len(text) <= FRAGMENT_MAX_CHARS
        and bool(text)
        and all(map(is_han, text))
        and not phrases.FILLER.match(text)
    )
