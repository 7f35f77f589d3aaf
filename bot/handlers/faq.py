"""FAQ answers, each ending with the offer of a person."""

from __future__ import annotations

from bot import phrases
from bot.categories import CATEGORIES, GENERAL_CATEGORY, role_label
from bot.dialogue import FaqOfferState
from bot.handlers import community, intake
from bot.intents.cues import OFFICE_HOURS_FAQ
from bot.faq_file import category_of
from bot.storage.faq import faq_for_intent
from bot.turn import Turn

OFFER = "需要{role}帮您具体处理吗？\n回复 1 转给社区工作室\n回复 2 不用了"
SERVICE_OFFER = "还有问题可以直接告诉我；回复“转人工”联系工作人员。"


def answer(turn: Turn) -> str:
    """Handler for the FAQ intents: the known answer, its legal source, and the offer of a person."""
    entry = faq_for_intent(turn.session, turn.intent)
    if entry is None:
        # The model knows a question the knowledge base has lost: take it in as its kind of case.
        category = category_of(turn.intent)
        return intake.start_case(turn, category if category in CATEGORIES else GENERAL_CATEGORY)
    text = answer_text(turn)
    if entry.category not in CATEGORIES:
        return f"{text}\n\n{SERVICE_OFFER}"
    turn.dialogue.start(FaqOfferState(category=entry.category, question=turn.story(), opening=turn.first_message_id()))
    turn.dialogue.fragments.clear()
    return f"{text}\n\n{prompt(turn)}"


def answer_text(turn: Turn) -> str:
    """The FAQ's answer with its legal source, without any offer (also used inside an intake)."""
    entry = faq_for_intent(turn.session, turn.intent)
    if entry is None:
        return ""
    text = f"{entry.answer}\n（依据：{entry.source}）" if entry.source else entry.answer
    home = community.community_of(turn) if turn.intent == OFFICE_HOURS_FAQ else None
    if home is not None:  # when and where to go: their own community's room, from the directory
        text = f"{text}\n\n您所在社区的工作室：\n{community.room_card(home)}"
    return text


def prompt(turn: Turn) -> str:
    """The offer of a person, to ask again."""
    return OFFER.format(role=role_label(turn.dialogue.flow.category))


def offer_step(turn: Turn) -> str | None:
    """Step "offer": 1/yes opens a case, 2/no ends; anything else is a new message."""
    pick = phrases.choice_number(turn.text)
    state = turn.dialogue.flow
    if pick == 1 or phrases.AFFIRM.match(turn.text):
        return intake.start_case(turn, state.category, text=state.question, opening=state.opening)
    if pick == 2 or phrases.DENY.match(turn.text):
        turn.dialogue.end()
        return "好的。有需要随时找我，直接说您的情况就行。"
    return None
