"""FAQ answers, each ending with the offer of a person."""

from __future__ import annotations

from datetime import datetime

from bot.cases.office_hours import next_opening, opening_words
from bot.cases.tickets import attach_message, link_message
from bot.categories import CATEGORIES, GENERAL_CATEGORY, role_label
from bot.dialogue.flows import Cancelled, ClarifyState, Dialogue, FaqOfferState, IntakeState, UrgentState
from bot.dialogue.handlers import community, human, intake
from bot.dialogue.turn import Turn
from bot.legal.review import CAVEAT, law_changed
from bot.legal.sources import citations_of, render_basis
from bot.nlu import phrases
from bot.nlu.cues import OFFICE_HOURS_FAQ
from bot.nlu.faq_file import category_of
from bot.nlu.policy import decide
from bot.storage.base import utcnow
from bot.storage.faq import faq_for_intent
from bot.storage.messages import Message
from bot.storage.tickets import Ticket, latest_open_ticket

OFFER = "需要{role}帮您具体处理吗？\n回复 1 转给社区工作室\n回复 2 不用了"
SERVICE_OFFER = "还有问题可以直接告诉我；回复“转人工”联系工作人员。"
# "我就是想问问 不用登记吧": nothing is registered, and what "登记" means here is said plainly.
NOT_REGISTERED = "好的，不登记。"
WHAT_REGISTERING_IS = (
    "说明一下：这里的“登记”不是去法院立案，只是把您的问题转给{role}：免费，可以不留电话，{role}会在微信里用文字答复您。"
)
KEPT_QUESTION = (
    "您问的“{about}”我先替您记着。\n" + WHAT_REGISTERING_IS + "想这样问，回复“继续登记”就行。\n也可以直接去问：\n{room}"
)
ANSWERED_QUESTION = (
    "您问的“{about}”，一般是这样的：\n{answer}\n\n"
    "想让{role}看看您的具体情况，回复“继续登记”就行（免费，不是去法院立案）。"
)
ALREADY_ANSWERED = "好的，不登记。上面的解答供您参考；还有想问的，直接发给我就行。"
OTHER_MATTER_NOT_REGISTERED = "好的，这件事不另外登记。想了解这方面的规定，直接把问题发给我就行。"
URGENT_KEPT = "您的紧急工单已经登记：涉及人身安全，工作人员会尽快联系您。有什么想问的，也可以直接发给我。"
ASK_AWAY = "好的，不用登记。有什么想问的直接发给我：常见的问题我马上回答，需要看具体情况的，再问您要不要转给工作人员。"
CHOICE_IS_NO_CASE = (
    "好的。不想登记也可以问：选下面的数字，只是把您的问题转给对应的工作人员，免费，可以不留电话，"
    "会在微信里用文字答复您，不是去法院立案；不想转，回复“取消”就行。"
)


def answer(turn: Turn) -> str:
    """Handler for the FAQ intents: the known answer, its legal source, and the offer of a person."""
    intent = turn.intent or ""  # the FAQ intent the message was dispatched to
    entry = faq_for_intent(turn.session, intent)
    if entry is None:
        # The model knows a question the knowledge base has lost: take it in as its kind of case.
        category = category_of(intent)
        return intake.start_case(turn, category if category in CATEGORIES else GENERAL_CATEGORY)
    text = answer_text(turn)
    # A law it cites has changed and no lawyer has reviewed it since: the offer is of the lawyer.
    category = GENERAL_CATEGORY if law_changed(entry) else entry.category
    if category not in CATEGORIES:
        return f"{text}\n\n{SERVICE_OFFER}"
    turn.dialogue.start(FaqOfferState(category=category, question=turn.story(), opening=turn.first_message_id()))
    turn.dialogue.fragments.clear()
    return f"{text}\n\n{prompt(turn)}"


def answer_text(turn: Turn, intent: str | None = None) -> str:
    """The FAQ's answer with its legal basis (and the caveat when a law it cites has changed since a
    lawyer last reviewed it), without any offer (also used inside an intake); `intent`: another FAQ
    than the one the message was taken for."""
    intent = intent or turn.intent
    entry = faq_for_intent(turn.session, intent) if intent else None
    if entry is None:
        return ""
    # An entry from before citations still shows its basis as it was written.
    basis = render_basis(citations_of(entry.citations)) if entry.citations else entry.source
    text = f"{entry.answer}\n（依据：{basis}）" if basis else entry.answer
    if law_changed(entry):
        text = f"{text}\n{CAVEAT}"
    home = community.community_of(turn) if intent == OFFICE_HOURS_FAQ else None
    if home is not None:  # when and where to go: their own community's room, from the directory
        text = f"{text}\n\n您所在社区的工作室：\n{community.room_card(home)}"
    if intent == OFFICE_HOURS_FAQ:  # "有人上班冇": whether it is open now
        text = f"{text}\n\n{open_now((home.hours if home is not None else '') or USUAL_HOURS)}"
    return text


# The usual hours of a room (bot/data/faq.yml faq_office_hours), when the resident's own is unknown.
USUAL_HOURS = "工作日 9:00-12:00 14:00-17:30"


def open_now(hours: str) -> str:
    """Whether the room is open now, by its hours; staff on WeChat may still be busy, so no promise."""
    opening = next_opening(hours, utcnow())
    if opening is None:
        return "现在是开放时间，工作室一般有人在。您也可以直接在这里说您的事，我转给工作人员。"
    return (
        f"现在不是开放时间，工作室下次开门是{opening_words(opening)}。"
        "您可以先在这里说您的事，我登记下来，工作人员上班后联系您；如有危险请拨打 110。"
    )


def prompt(turn: Turn) -> str:
    """The offer of a person (or of a case for the other matter), to ask again."""
    offer = turn.dialogue.state(FaqOfferState)
    if offer.other_matter:
        return intake.other_matter_offer(offer)
    return OFFER.format(role=role_label(offer.category))


def take_up(turn: Turn) -> str:
    """Yes to the offer of a person: the question (or the other matter) becomes a case — or, with a
    case of the same kind open, goes to that case rather than beside it."""
    state = turn.dialogue.state(FaqOfferState)
    open_case = latest_open_ticket(turn.session, turn.resident.id) if turn.has_cases() else None
    if open_case is not None and open_case.category == state.category and not state.other_matter:
        return _to_open_case(turn, state, open_case)
    return intake.start_case(turn, state.category, text=state.question, opening=state.opening)


def _to_open_case(turn: Turn, state: FaqOfferState, ticket: Ticket) -> str:
    """The question asked goes to the open case of its kind, for the person who has it."""
    asked = turn.session.get(Message, state.opening) if state.opening is not None else None
    if asked is not None and asked.ticket_id is None:
        attach_message(turn.session, ticket, asked, note="居民追问")
    link_message(turn.session, ticket, turn.message, note="居民希望工作人员一并解答")  # the "1": no case content
    turn.dialogue.end()
    return (
        f"您已有{CATEGORIES[ticket.category].label}工单 {ticket.number} 在{human.who_answers(turn, ticket)}那里，"
        "这个问题已补充到那张工单里，工作人员会一并答复您，不用重复登记。\n回复“我的工单”可随时查看进度。"
    )


def no_thanks(turn: Turn) -> str:
    """No to the offer of a person: nothing is opened."""
    turn.dialogue.end()
    return "好的。有需要随时找我，直接说您的情况就行。"


def only_asking(turn: Turn) -> str:
    """Any-time "我就是想问问 不用登记吧": nothing is registered, and what the resident asked is not
    dropped — answered when an FAQ answers it, else kept (an intake: "继续登记" takes it up again)
    with what registering means here and where to ask in person."""
    flow = turn.dialogue.flow
    question = phrases.ONLY_ASKING_QUESTION.match(turn.text)
    asked = question.group("asked") if question else ""  # "不要转 我就想了解一下 一般怎么分": the question
    if isinstance(flow, FaqOfferState) and not (asked and _faq_answer(turn, asked)):
        turn.dialogue.end()
        # After an FAQ answer that answer was theirs; after another matter's offer no answer was given.
        return OTHER_MATTER_NOT_REGISTERED if flow.other_matter else ALREADY_ANSWERED
    if isinstance(flow, IntakeState):
        if asked:  # kept with the story (for "继续登记"), and what the answer is about
            intake.add_story(turn, asked)
        turn.dialogue = Dialogue()  # as a cancel: "继续登记" within a while takes it up where it stopped
        turn.dialogue.cancelled = Cancelled(flow, utcnow().isoformat())
        return NOT_REGISTERED + _kept_question(turn, flow)
    if isinstance(flow, ClarifyState) and flow.question:
        answer = _faq_answer(turn, flow.question)
        if answer:
            turn.dialogue.end()
            return f"{NOT_REGISTERED}您问的“{_about(flow.question)}”，一般是这样的：\n{answer}"
        return CHOICE_IS_NO_CASE  # the numbered question follows: choosing is how the question is asked
    if isinstance(flow, UrgentState):  # already opened: a danger is not left without a person
        return URGENT_KEPT
    if asked and (answer := _faq_answer(turn, asked)):
        turn.dialogue.end()
        return f"{NOT_REGISTERED}您问的“{_about(asked)}”，一般是这样的：\n{answer}"
    cancelled = turn.dialogue.cancelled
    if (
        flow is None
        and cancelled is not None
        and utcnow() - datetime.fromisoformat(cancelled.at) <= intake.RESUME_WITHIN
    ):
        return NOT_REGISTERED + _kept_question(turn, cancelled.state)  # said just after cancelling
    return ASK_AWAY


def _kept_question(turn: Turn, state: IntakeState) -> str:
    """What the resident asked in an intake they do not want registered: answered, or kept."""
    story = "；".join(state.parts)
    role = intake.who_answers(turn, state)
    answer = _faq_answer(turn, story) if story else ""
    if answer:
        return ANSWERED_QUESTION.format(about=_about(story), answer=answer, role=role)
    room = community.room_card(intake.case_unit(turn, state))
    return KEPT_QUESTION.format(about=_about(story), role=role, room=room)


def _faq_answer(turn: Turn, question: str) -> str:
    """The FAQ answer to a question told earlier, when the model takes it for an FAQ with confidence."""
    decision = decide(turn.services.classifier.classify(question))
    return answer_text(turn, decision.intent) if decision.kind == "faq" else ""


def _about(story: str) -> str:
    """The resident's question as the reply quotes it back (the beginning of a long story)."""
    return story if len(story) <= intake.SUMMARY_CHARS else story[: intake.SUMMARY_CHARS] + "……"
