"""FAQ answers, each ending with the offer of a person."""

from __future__ import annotations

from bot import commands
from bot.handlers import intake
from bot.storage.faq import faq_for_intent
from bot.intents.faq_categories import category_of
from bot.tickets import CATEGORY_LABELS, ROLE_FOR_CATEGORY, ROLE_LABELS
from bot.turn import Turn

OFFER = "需要社区{role}帮您具体处理吗？\n回复 1 转给社区工作室\n回复 2 不用了"
SERVICE_OFFER = "还有问题可以直接告诉我；回复“转人工”联系工作人员。"


def answer(turn: Turn) -> str:
    """Handler for the FAQ intents: the known answer, its legal source, and the offer of a person."""
    entry = faq_for_intent(turn.session, turn.intent)
    if entry is None:
        # The model knows a question the knowledge base has lost: take it in as its kind of case.
        category = category_of(turn.intent)
        return intake.start_case(turn, category if category in CATEGORY_LABELS else "legal_consultation")
    text = entry.answer
    if entry.source:
        text += f"\n（依据：{entry.source}）"
    if entry.category == "service":
        return f"{text}\n\n{SERVICE_OFFER}"
    turn.state.clear()
    turn.state.update(flow="faq_offer", category=entry.category, question=turn.text, opening=turn.message.id)
    role = ROLE_LABELS[ROLE_FOR_CATEGORY[entry.category]]
    return f"{text}\n\n{OFFER.format(role=role)}"


def offer_step(turn: Turn) -> str | None:
    """Flow step after an FAQ answer: 1 opens a case, 2 ends; anything else is a new message."""
    pick = commands.choice_number(turn.text)
    state = turn.state
    if pick == 1 or commands.AFFIRM.match(turn.text):
        return intake.start_case(turn, state["category"], text=state["question"], opening=state["opening"])
    if pick == 2 or commands.DENY.match(turn.text):
        state.clear()
        return "好的。有需要随时找我，直接说您的情况就行。"
    state.clear()
    return None
