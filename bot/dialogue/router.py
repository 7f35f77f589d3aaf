"""The router: the one place that decides, for every message, which handler answers it.

The order of handling is declared once, in STAGES (events and sure danger come before it, in
`route`); the tables the stages read (HANDLERS, ANYTIME, FLOWS) are in bot/dialogue/handlers/__init__.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from bot.cases.place_words import says
from bot.dialogue.flows import Flow, FlowStateBase, Fragment, IntakeState, MoreWords, Question, Step, UrgentState
from bot.dialogue.handlers import (
    ANYTIME,
    FLOWS,
    HANDLERS,
    asides,
    clarify,
    community,
    events,
    faq,
    held,
    human,
    intake,
    media,
    out_of_scope,
    privacy,
    smalltalk,
    staff_reply,
    status,
    urgent,
)
from bot.dialogue.turn import Turn
from bot.nlu import answers, phrases, signals
from bot.nlu.answers import Answer, Reading
from bot.nlu.cues import core
from bot.nlu.faq_file import category_of
from bot.nlu.policy import FALLBACK_INTENT, Decision, leading_faq
from bot.storage.tickets import latest_open_ticket

# After this many answers a step could not use, it offers a way out (skip, a person, cancel).
MISSES_BEFORE_WAY_OUT = 2
# Fragments kept while the bot does not understand; more than this is no longer one story.
MAX_FRAGMENTS = 5
# An out-of-scope answer at least this sure is understood, not a fragment of something else.
SURE_OUTSIDE = 0.9
# Inside an intake, an unclear message longer than this is more of the story, not a bad answer.
SHORT_ANSWER_CHARS = 12
# A message this short (courtesies aside) is one word: it names a thing, it tells no story.
BARE_WORD_CHARS = 2
# A story this long that reads as a case is a matter of its own, even with a case of its kind open.
NEW_STORY_CHARS = staff_reply.NEW_STORY_CHARS
NEW_MATTER = staff_reply.NEW_MATTER
# "另外，还有个事": what is left beside the words that announce another matter is this short at most.
ANNOUNCED_MAX_CHARS = 2
ANOTHER_MATTER_PLEASE = "好的，请说说另外这件事，我来帮您另外登记。"
# A question asked inside an intake (bot/dialogue/handlers/asides.py has what makes one).
FAQ_IN_INTAKE_CONFIDENCE = asides.FAQ_IN_INTAKE_CONFIDENCE
PLAIN_QUESTION_CHARS = asides.PLAIN_QUESTION_CHARS
PLAIN_QUESTION = asides.PLAIN_QUESTION
# Said after a held answer ("先别交 再见", "等等 好的"), these small words add nothing: no goodbye
# ends the draft held, no "请说说您的事情".
HELD_ASIDES = ("greet", "thank", "goodbye", "affirm", "deny")
# Asking to erase one's data, or how far that is: a "possible danger" gets no caution (a sure one does).
ERASURE_INTENTS = ("erase_personal_data", "erasure_progress")
# Asking for a person: no caution either, unless the danger model is sure (then it is urgent).
PERSON_INTENT = "request_human"


def route(turn: Turn) -> str:
    """Pick the handler for this message and return its reply."""
    if turn.inbound.kind == "event":
        return _event(turn)
    danger = signals.assess_danger(turn.text)
    if kinds := danger.kinds or asides.english_danger(turn.text):
        turn.decide()  # the case is filed under what the message is about
        turn.intent = "urgent"
        reply = urgent.urgent_case(turn, kinds)
        return reply if danger.kinds else f"{reply}\n{asides.ENGLISH_EMERGENCY}"
    urgent_open = turn.dialogue.active(UrgentState)
    intake_before = turn.dialogue.current(IntakeState)
    reply = _message(turn)
    # A request to erase one's data, or for a person ("帮我喊个人来"), is no report of danger.
    no_report = turn.intent in ERASURE_INTENTS or turn.intent == PERSON_INTENT
    if danger.first_aid and not (turn.short_answer or turn.held or urgent_open):
        # "被狗咬了 要打狂犬疫苗吧": first aid before the answer (the case about the owner), no urgent case
        return f"{urgent.first_aid(danger.first_aid)}\n{reply}".strip()
    if danger.possible and not (
        turn.short_answer or turn.held or urgent_open or no_report or _cautioned(turn, intake_before)
    ):
        # Maybe a danger, maybe not: the advice costs one sentence, so it comes first anyway —
        # except on an answer the step asked for (a place, a number, yes or no), which is no
        # report, while a person holds the conversation (they read it and judge), while an
        # urgent case is open (its advice was given; its replies remind of 110), and in an
        # intake that had it already or for a few words ("太过分了", "十二点了还在响").
        if (going_on := turn.dialogue.current(IntakeState)) is not None:
            going_on.cautioned = True
        return f"{urgent.CAUTION}\n{urgent.once_110(urgent.CAUTION, reply)}".strip()
    started = turn.dialogue.current(IntakeState) if intake_before is None else None
    if started is not None and (police := asides.police_asked_with_the_story(turn, started)):
        return f"{police}\n{reply}"  # "…我要不要报警": answered first, then the intake's question
    return reply


def _cautioned(turn: Turn, intake: IntakeState | None) -> bool:
    """True when the intake going on needs no (further) caution for this message."""
    if intake is None:
        return False
    return intake.cautioned or signals.too_short_to_judge(turn.text)


def _message(turn: Turn) -> str:
    """A message that signals no sure danger: the first stage of STAGES that answers it."""
    return _first_answer(turn, STAGES)


def answer_text(turn: Turn) -> str:
    """Text (or recognised voice) after danger and a person holding the conversation were ruled
    out: the first of TEXT_STAGES that answers it."""
    return _first_answer(turn, TEXT_STAGES)


def _first_answer(turn: Turn, stages: tuple[Stage, ...]) -> str:
    waiting = FLOWS.get(turn.dialogue.flow_name or "")  # the flow waiting when the message came in
    for stage in stages:
        reply = stage.answer(turn, waiting)
        if reply is not None:  # "" is an answer too: the bot stays quiet
            return reply
    raise RuntimeError(f"no stage answered; the last stage ({stages[-1].name}) must always answer")


def _held_by_a_person(turn: Turn, waiting: Flow | None) -> str | None:
    # Not to "那什么时候删好" about an erasure asked for: the bot answers that itself.
    if not turn.has_cases() or privacy.asks_how_far(turn):
        return None
    quiet = held.while_held(turn)
    if quiet is not None:
        turn.held = True
    return quiet


def _not_text(turn: Turn, waiting: Flow | None) -> str | None:
    kind = turn.inbound.kind
    if kind == "image":
        return media.image(turn)
    if kind == "location":
        return intake.location_pin(turn) if turn.dialogue.active(IntakeState) else community.location_pin(turn)
    if kind in ("link", "video", "shortvideo"):
        return media.link_or_video(turn)
    if kind == "voice" and not turn.text:
        return media.voice_unrecognised(turn)
    if kind not in ("text", "voice"):
        return media.unknown(turn)
    if not turn.text:
        return smalltalk.greet(turn)
    return None


def _event(turn: Turn) -> str:
    event = (turn.inbound.event or "").lower()
    if event in ("subscribe", "subscribe_scan"):  # following by scanning a room's QR code too
        return events.subscribe(turn)
    if event == "unsubscribe":
        return events.unsubscribe(turn)
    if event == "location":
        return events.location_report(turn)
    if event == "click":
        intent = events.menu_intent(turn.inbound.event_key)
        if intent is not None:
            return dispatch(turn, intent)
    return ""


def _erasure_request(turn: Turn, waiting: Flow | None) -> str | None:
    first = phrases.before_steps_intent(turn.text)  # "把我的个人信息删掉", whatever step waits
    return run_anytime(turn, first) if first is not None else None


def _erasure_progress(turn: Turn, waiting: Flow | None) -> str | None:
    if not privacy.asks_how_far(turn):  # "那什么时候删好": the erasure asked for
        return None
    turn.intent = "erasure_progress"
    return with_reminder(turn, turn.dialogue.flow, privacy.erasure_progress(turn))


def _rating(turn: Turn, waiting: Flow | None) -> str | None:
    # "给个3分吧", or a 1–5 beyond the numbers a waiting question offers.
    if not turn.has_cases():
        return None
    return status.rating_in_words(turn) or status.rating_beyond_the_menu(turn) or None


def _answer_to_staff(turn: Turn, waiting: Flow | None) -> str | None:
    # "不是新的事，我是回答张律师问的问题": no new case after all.
    return staff_reply.in_intake(turn) if turn.has_cases() else None


def _about_the_bot(turn: Turn, waiting: Flow | None) -> str | None:
    # "你是机器人吗", "你能做什么", or a message in English: answered at any step; the pending question follows.
    if asides.asks_if_robot(turn.text):
        reply = asides.robot(turn)
    elif asides.asks_what_it_does(turn.text):
        reply = asides.what_it_does(turn)
    elif asides.asks_about_the_phone(turn.text) and not _at_step(turn, "phone"):
        reply = asides.phone_to_whom(turn)  # the phone step answers it in its own words
    elif asides.in_pinyin(turn.text):  # "wo jia lou shang lou shui": no Chinese keyboard, no English
        reply = asides.pinyin(turn)
    elif asides.in_english(turn.text) and asides.english_again(turn):
        # A second message in English: the bilingual welcome again would not help; a person will.
        turn.intent = "in_english"
        return with_reminder(turn, turn.dialogue.flow, human.for_english(turn))
    elif asides.in_english(turn.text):
        reply = asides.english(turn)
    else:
        return None
    return with_reminder(turn, turn.dialogue.flow, reply)


def _another_matter_announced(turn: Turn, waiting: Flow | None) -> str | None:
    # "另外，还有个事" with nothing told yet: the next message tells it, and is read on its own.
    rest = "".join(answers.clauses(NEW_MATTER.sub("", turn.text)))
    if not NEW_MATTER.search(turn.text) or len(rest) > ANNOUNCED_MAX_CHARS:
        return None
    turn.intent = "new_matter"
    return with_reminder(turn, waiting, ANOTHER_MATTER_PLEASE)


def _at_step(turn: Turn, step: str) -> bool:
    """True when an intake is waiting at this step."""
    state = turn.dialogue.current(IntakeState)
    return state is not None and state.step == step


def _question_in_passing(turn: Turn, waiting: Flow | None) -> str | None:
    # "我要不要报警？" while the intake waits for a community, a phone or a yes: the question is
    # answered (an FAQ, 110, or honestly: the person who takes the case answers it), the step's
    # question asked again in its own words.
    state = turn.dialogue.current(IntakeState)
    if waiting is None or state is None or not asides.asked_in_passing(turn, state):
        return None
    if asides.asks_if_the_summary_will_do(turn, state):  # "这样可以吗": yes, and how to submit
        return f"{asides.summary_will_do(turn)}\n{waiting.prompt(turn)}"
    question = waiting.steps[state.step].question
    step_reads = question is not None and question.read(turn.text).answer is not Answer.NEITHER
    if asides.reads_as_the_step_answer(turn.text, step_reads):
        return None  # "不是吗": a yes or no the step reads; not "他不配合怎么办"
    answer = asides.answer_in_passing(turn, state)
    return f"{answer}\n\n【您正在登记的事项还没提交】{waiting.prompt(turn)}"


def _waiting_step(turn: Turn, waiting: Flow | None) -> str | None:
    if waiting is None:
        return None
    step = waiting.steps[turn.dialogue.state(FlowStateBase).step]
    reply = _step_reply(turn, step)
    if reply is not None:
        turn.short_answer = step.short_answer
        turn.intent = turn.intent or f"{turn.dialogue.flow_name or 'flow'}_answer"
    return reply


def _cancelled_intake(turn: Turn, waiting: Flow | None) -> str | None:
    resumed = intake.resume_cancelled(turn) if waiting is None else None
    if resumed is not None:
        turn.intent = "intake_resumed"
    return resumed


def _anytime_phrase(turn: Turn, waiting: Flow | None) -> str | None:
    if waiting is None and phrases.ADD_TO_CASE.match(turn.text):
        return None  # "补充 JH261207-0012：…" is news for a case, whatever words it holds
    anytime = phrases.anytime_intent(turn.text, in_flow=waiting is not None)
    return run_anytime(turn, anytime) if anytime is not None else None


def _about_open_case(turn: Turn, waiting: Flow | None) -> str | None:
    if waiting is not None or not turn.has_cases():
        return None
    return (
        status.rating_or_reopen(turn)
        or status.rating_comment(turn)
        or status.add_to_case(turn)
        or staff_reply.to_staff(turn)
        or status.contact_time(turn)
    )


def _open_case_or_rating_first(turn: Turn, waiting: Flow | None) -> str | None:
    # The resident's open case and the rating just asked for weigh before the model's room: a message
    # that reads as a case of the kind already open is news of it ("他们昨晚上又跳到12点"), a move
    # told with it changes the community and keeps the case; a few words that tell no story while a
    # rating is awaited ("合同的事") are asked about rather than opened as a case.
    if waiting is not None or not turn.has_cases() or NEW_MATTER.search(turn.text):
        return None
    if status.tells_of_moving(turn.text) and latest_open_ticket(turn.session, turn.resident.id) is not None:
        return dispatch(turn, "change_community")  # whatever room the words sound like
    decision = turn.decide()
    if decision.kind not in ("triage", "clarify") or len(turn.text) >= NEW_STORY_CHARS:
        return None
    if (ticket := status.open_case_of(turn, decision.intent)) is not None:
        turn.intent = "open_case_news"
        return status.case_news(turn, ticket)
    if decision.kind == "triage" and len(core(turn.text)) <= SHORT_ANSWER_CHARS and status.awaiting_rating(turn):
        turn.intent = "clarify"
        return clarify.ask(turn, [decision.intent])
    return None


def _classifier(turn: Turn, waiting: Flow | None) -> str:
    decision = _thanks_in_words(turn, turn.decide())
    if decision.kind == "conversational" and decision.intent in ANYTIME:
        if waiting is None or phrases.counts_in_flows(decision.intent):
            return run_anytime(turn, decision.intent)
    if waiting is not None:
        return _interrupted(turn, waiting, decision)
    return by_decision(turn, _with_fragments(turn, decision))


class Stage(NamedTuple):
    """One stage of the order of handling: its name and `(turn, waiting flow) -> reply`, None when
    the message is not for this stage."""

    name: str
    answer: Callable[[Turn, Flow | None], str | None]


# The order in which a message that signals no sure danger is handled (route() checks events and
# danger first): the first stage that answers gives the reply. Text goes through TEXT_STAGES only.
TEXT_STAGES: tuple[Stage, ...] = (
    Stage("a request to erase one's data", _erasure_request),
    Stage("how far the erasure asked for is", _erasure_progress),
    Stage("a rating of a resolved case", _rating),
    Stage("an answer to a staff member's question, not a new case", _answer_to_staff),
    Stage("asked of the bot itself: a person or a machine? a message in English", _about_the_bot),
    Stage("another matter announced with nothing told yet", _another_matter_announced),
    Stage("a question asked in passing while the intake waits (answered, the step asked again)", _question_in_passing),
    Stage("the answer to the step that waits", _waiting_step),
    Stage("taking up an intake cancelled a while ago", _cancelled_intake),
    Stage("an any-time phrase (转人工, 我的工单, 取消, 返回…)", _anytime_phrase),
    Stage("about the resident's open case", _about_open_case),
    Stage("news of the open case of that kind, or a few words while a rating is awaited", _open_case_or_rating_first),
    Stage("the classifier: a case, an FAQ answer, a question or a polite no", _classifier),
)
STAGES: tuple[Stage, ...] = (
    Stage("a person holds the conversation", _held_by_a_person),
    Stage("a photo, a place, a link, a video or an unheard voice", _not_text),
    *TEXT_STAGES,
)


def _step_reply(turn: Turn, step: Step) -> str | None:
    """The step's answer: the question's own answers first (if it has any), then its yes or no,
    else the step's handler; None when it takes neither."""
    question = step.question
    if question is None:
        return step.handler(turn)
    if question.first is not None and (reply := question.first(turn)) is not None:
        return reply
    reading = _read(turn, question)
    act = question.act(reading.answer)
    # None: neither, or a yes or no that means nothing here after all ("好的" with no community offered).
    reply = act(turn) if act is not None else None
    if reply is None:
        return step.handler(turn)
    if reading.rest and question.more_words is MoreWords.ANSWERED and turn.dialogue.flow is None:
        reply = f"{reply}\n\n{_answer_rest(turn, reading.rest)}"
    elif reading.rest and reading.answer is Answer.AGAIN and question.more_words is MoreWords.STEP:
        reply = f"{reply}{_rest_in_flow(turn, reading.rest)}"  # "先别交 我想问下…": the question answered
    return reply


def _read(turn: Turn, question: Question) -> Reading:
    """The message as an answer to the question. Another any-time phrase ("你们到底有冇得人啊",
    "有人管了没有") is that phrase, whatever no-word it holds; a cancel ("不用了", "取消吧") is the
    answer unless the question says a cancel cancels."""
    anytime = phrases.anytime_intent(turn.text, in_flow=True)
    if anytime is not None and (anytime != "cancel" or question.cancel_cancels):
        return Reading(Answer.NEITHER)
    return question.read(turn.text)


def _answer_rest(turn: Turn, rest: str) -> str:
    """The words after a no ("我是想问问进度" after "不是撤回"), answered as a message of their own
    (the stored message keeps all the resident wrote)."""
    whole = turn.inbound
    turn.inbound, turn.classification = replace(whole, text=rest), None
    try:
        return answer_text(turn)
    finally:
        turn.inbound = whole


def _rest_in_flow(turn: Turn, rest: str) -> str:
    """The words after a held answer ("我想问下公司这样算违法吗" after "先别交"), read as a message the
    step declined: a question answered, more story kept, and the step's question asked again (the
    held words themselves are stored with the message only, never added to the story)."""
    whole = turn.inbound
    turn.inbound, turn.classification = replace(whole, text=rest), None
    try:
        if (anytime := phrases.anytime_intent(rest, in_flow=True)) is not None:
            return run_anytime(turn, anytime)
        decision = turn.decide()
        if decision.kind == "conversational" and decision.intent in HELD_ASIDES:
            return ""  # "先别交 再见": the held answer said it all; no goodbye ends the draft
        return _interrupted(turn, FLOWS[turn.dialogue.flow_name or ""], decision)
    finally:
        turn.inbound = whole


def _thanks_in_words(turn: Turn, decision: Decision) -> Decision:
    """Plain thanks the model is unsure of ("谢谢你啊 姑娘"): the words decide it is thanks."""
    if decision.kind != "conversational" and phrases.THANKS.match(turn.text):
        return Decision("conversational", "thank", confidence=decision.confidence)
    return decision


def run_anytime(turn: Turn, intent: str) -> str:
    """An any-time phrase: its handler, then the pending question again if its flow goes on."""
    turn.intent = intent
    pending = turn.dialogue.flow
    return with_reminder(turn, pending, ANYTIME[intent](turn))


def with_reminder(turn: Turn, pending, reply: str) -> str:
    """Add the pending step's question when the flow that was waiting is still waiting."""
    flow = FLOWS.get(turn.dialogue.flow_name or "")
    if pending is None or turn.dialogue.flow is not pending or flow is None:
        return reply
    return f"{reply}\n\n【接着刚才的】{flow.prompt(turn)}"


def _interrupted(turn: Turn, flow: Flow, decision: Decision) -> str:
    """A message the active step declined: a new question is answered; the flow waits or ends."""
    if not flow.keeps_on_new_topic:
        if flow.leave is None:
            turn.dialogue.end()
            return by_decision(turn, decision)
        flow.leave(turn)
        return by_decision(turn, _with_fragments(turn, decision))
    turn.intent = decision.intent
    state = turn.dialogue.state(IntakeState)  # only an intake keeps on after a new topic
    plain_question = len(turn.text) <= PLAIN_QUESTION_CHARS and bool(PLAIN_QUESTION.search(turn.text))
    # The model's best FAQ, unless the words already decided which FAQ it is ("周六能去当面问问吗").
    if plain_question and decision.kind != "faq" and (answered := _faq_in_intake(turn, flow)) is not None:
        return answered
    # "我现在好了 就是想要赔偿" after a dog bite reads as a legal question, but is what this case asks for.
    other_kind = decision.kind == "triage" and decision.intent != state.category and state.other is None
    if other_kind and not intake.same_matter(turn.text):
        return f"{intake.keep_other_matter(turn, decision.intent)}\n\n【接着刚才的】{flow.prompt(turn)}"
    if plain_question and decision.kind == "triage":  # a question for the person who takes the case
        return f"{asides.answer_in_passing(turn, state)}\n\n【您正在登记的事项还没提交】{flow.prompt(turn)}"
    if decision.kind in ("triage", "clarify") or (
        decision.kind == "out_of_scope" and len(turn.text) > SHORT_ANSWER_CHARS
    ):
        intake.add_story(turn, turn.text)  # more of the resident's story, kept with the case
        return f"收到，这些情况也记到您的描述里了，工作人员会一并看到。\n{flow.prompt(turn)}"
    if decision.kind == "faq" and faq.answer_text(turn):
        return f"{faq.answer_text(turn)}\n\n【您正在登记的事项还没提交】{flow.prompt(turn)}"
    if decision.kind == "conversational":
        return with_reminder(turn, turn.dialogue.flow, dispatch(turn, decision.intent))
    return _missed(turn, flow)


def _faq_in_intake(turn: Turn, flow: Flow) -> str | None:
    """A plain question the model takes for an FAQ with good confidence: answered, and the intake's
    question asked again; None when the model's best guess is no such FAQ."""
    faq_first = leading_faq(turn.classification) if turn.classification is not None else None
    if faq_first is None:
        return None
    intent, confidence = faq_first
    if confidence < FAQ_IN_INTAKE_CONFIDENCE:
        return None
    turn.intent, before = intent, turn.intent
    answer = faq.answer_text(turn)
    if not answer:
        turn.intent = before
        return None
    return f"{answer}\n\n【您正在登记的事项还没提交】{flow.prompt(turn)}"


def _missed(turn: Turn, flow: Flow) -> str:
    """The step could not use the answer: say so, ask again, and after two misses offer a way out."""
    state = turn.dialogue.state(FlowStateBase)
    state.misses += 1
    step = flow.steps[state.step]
    reply = step.on_miss(turn) if step.on_miss else f"抱歉，没太明白您的意思。\n{flow.prompt(turn)}"
    if state.misses >= MISSES_BEFORE_WAY_OUT and flow.way_out is not None:
        reply = f"{reply}\n{flow.way_out(turn)}"
    return reply


def by_decision(turn: Turn, decision: Decision) -> str:
    """No flow is waiting: ask a numbered question or hand to the intent's handler."""
    if decision.kind == "clarify":
        turn.intent = "clarify"
        return clarify.ask(turn, list(decision.choices))
    if decision.kind == "faq" and (asked := _bare_word(turn, decision)) is not None:
        return asked
    outside = decision.kind == "out_of_scope" or decision.intent == FALLBACK_INTENT
    if outside and phrases.ADD_TO_CASE.match(turn.text):
        # "补充：他昨天又来了" with no case open: nothing to add to — kept, and the matter asked for.
        turn.dialogue.fragments.append(Fragment(turn.message.id, turn.text))
        return status.nothing_to_add_to(turn)
    if _could_be_a_fragment(turn, decision):
        # Not understood yet: keep it, the next message may finish the sentence ("水管" / "爆了").
        first_words = asides.could_be_first_words(turn)
        turn.dialogue.fragments.append(Fragment(turn.message.id, turn.text))
        if first_words:  # "空调" alone: asked what happened, not declined
            turn.intent = decision.intent
            return asides.fragment(turn)
    return dispatch(turn, decision.intent)


def _bare_word(turn: Turn, decision: Decision) -> str | None:
    """A word naming a thing of the home or the building that asks nothing ("空调", "漏水") says
    neither what happened nor who is at fault: no FAQ answer is a guess at it. A word that fits
    either room (bot/data/place_words.yml `shared_building`) is asked which; another is kept and
    asked what happened, the next message read with it. None for anything else (an FAQ of the
    lawyer's, "离婚", names its matter)."""
    room = category_of(decision.intent)
    if room not in clarify.SHARED_ROOMS or len(core(turn.text)) > BARE_WORD_CHARS or PLAIN_QUESTION.search(turn.text):
        return None
    if says("shared_building", turn.text) or not asides.could_be_first_words(turn):
        turn.intent = "clarify"
        return clarify.ask(turn, [room])
    turn.dialogue.fragments.append(Fragment(turn.message.id, turn.text))
    turn.intent = decision.intent
    return asides.fragment(turn)


def _with_fragments(turn: Turn, decision: Decision) -> Decision:
    """An unclear message read together with the fragments kept before it, when that makes a case."""
    if not turn.dialogue.fragments or not _unclear(decision):
        return decision
    together = turn.decide(story=True)
    return together if together.kind in ("triage", "clarify", "faq") else decision


def _unclear(decision: Decision) -> bool:
    # A sure "out of scope" (weather, parcels) is understood; an unsure one may be half a sentence.
    unsure_outside = decision.kind == "out_of_scope" and decision.confidence < SURE_OUTSIDE
    return decision.intent == FALLBACK_INTENT or unsure_outside


def _could_be_a_fragment(turn: Turn, decision: Decision) -> bool:
    """A short message the bot would decline or not understand may be half of a sentence."""
    short = len(turn.text) <= SHORT_ANSWER_CHARS
    return _unclear(decision) and short and len(turn.dialogue.fragments) < MAX_FRAGMENTS


def dispatch(turn: Turn, intent: str) -> str:
    """Answer with the handler the table names for this intent."""
    turn.intent = intent
    handler = HANDLERS.get(intent, out_of_scope.unsure)
    return handler(turn)
