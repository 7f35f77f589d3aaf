"""Danger first: emergency numbers at once, an urgent case, then every detail goes to that case."""

from __future__ import annotations

from bot import commands
from bot.handlers import intake
from bot.intents.types import TRIAGE_INTENTS
from bot.storage.tickets import Ticket, ticket_by_opening_message
from bot.text import find_phone
from bot.tickets import attach_message
from bot.turn import Turn

ADVICE = {
    "violence": "如有人身危险，请立即拨打 110 报警，先到安全的地方。",
    "fire": "如发生火情，请立即拨打 119，先撤离到安全地带，不要乘电梯。",
    "gas": "闻到燃气味请立即关闭阀门、打开门窗，不要开关电器或打电话，到室外后拨打 119 或燃气公司抢修电话。",
    "injury": "如有人受伤，请立即拨打 120 急救。",
}


def urgent_case(turn: Turn, kinds: list[str]) -> str:
    """Give emergency advice and open an urgent case right away."""
    advice = "\n".join(f"⚠️ {ADVICE[kind]}" for kind in kinds)
    if turn.state.get("flow") == "urgent":
        return f"{advice}\n{follow_up(turn)}"
    gathered = dict(turn.state) if turn.state.get("flow") == "intake" else {}
    category = gathered.get("category", "neighbor_dispute")
    if turn.classification is not None and turn.classification.intent in TRIAGE_INTENTS:
        category = turn.classification.intent
    intake.start_case(turn, category)
    # What the resident already told us in an unfinished intake belongs to the urgent case too.
    turn.state["parts"][:0] = gathered.get("parts", [])
    turn.state["message_ids"][:0] = gathered.get("message_ids", [])
    turn.state["media"][:0] = gathered.get("media", [])
    turn.state.update(urgent=True, phone_asked=True, no_community=True)
    opened = intake.open_case(turn)
    turn.state.update(flow="urgent", ticket=ticket_by_opening_message(turn.session, turn.message.id).id)
    ask = "" if turn.resident.phone else "\n方便的话回复您的手机号，工作人员会尽快联系您。"
    return f"{advice}\n{opened}{ask}"


def follow_up(turn: Turn) -> str:
    """Flow step after an urgent case: a phone number or more details go to that case."""
    ticket = turn.session.get(Ticket, turn.state["ticket"])
    phone = find_phone(turn.text)
    attach_message(turn.session, ticket, turn.message, note="居民补充（紧急）")
    if phone:
        turn.resident.phone = ticket.contact_phone = phone
        turn.state.clear()  # the case has what it needs; the next message is a new topic
        return f"已记下您的电话，工单 {ticket.number} 的工作人员会尽快联系您。如有危险请先拨打 110。"
    if commands.AFFIRM.match(turn.text) or commands.DENY.match(turn.text):
        return "好的。请注意安全，有新情况随时告诉我。"
    return f"已补充到紧急工单 {ticket.number}。如有危险请先拨打 110。"
