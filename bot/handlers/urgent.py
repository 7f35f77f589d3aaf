"""Danger first: emergency numbers at once, an urgent case, then every detail goes to that case."""

from __future__ import annotations

import re
from datetime import timedelta

from bot import phrases
from bot.categories import CATEGORIES, urgent_category
from bot.dialogue import IntakeState, UrgentState
from bot.handlers import intake
from bot.storage.tickets import Ticket
from bot.text import find_phone
from bot.tickets import attach_message, first_response_hours, response_promise
from bot.turn import Turn

ADVICE = {
    "violence": "如有人身危险，请立即拨打 110 报警，先到安全的地方。",
    "fire": "如发生火情，请立即拨打 119，先撤离到安全地带，不要乘电梯。",
    "gas": "闻到燃气味请立即关闭阀门、打开门窗，不要开关电器或打电话，到室外后拨打 119 或燃气公司抢修电话。",
    "injury": "如有人受伤，请立即拨打 120 急救。",
    "self_harm": (
        "如果您现在有伤害自己的念头，请先到有人的地方，立即拨打 120 或 110；"
        "也可以拨打全国心理援助热线 12356，和专业的人聊一聊。您不是一个人。"
    ),
    "fall": "有人摔倒起不来时不要随意搬动，请立即拨打 120 急救。",
    "child_or_elder": "孩子或老人有危险、走失时，请立即拨打 110，需要急救请拨打 120。",
}
# Before an answer to a message that may signal a danger the model is not sure of.
CAUTION = "⚠️ 如果现在有人身危险，请立即拨打 110（报警）、119（火警）或 120（急救）。"
# The resident says the alarm was a mistake ("不是着火 是油烟 你们搞错了").
NOT_URGENT = re.compile(r"搞错了|弄错了|误会|误报|没有危险|没危险|不危险|不是(?:着火|火灾|打架|危险|紧急)|不紧急|没那么严重")
# Someone who cannot speak on the phone (the abuser would hear): 12110 takes reports by SMS.
NO_CALLS_ADVICE = (
    "明白，不打电话也可以。需要报警时，可以发短信到 12110（写清地址和情况）。\n"
    "您也可以继续在这里用文字告诉我们，工单 {number} 的工作人员会用文字联系您，不会打电话。"
)
GENERAL_ADVICE = "如有危险，请立即拨打 110（报警）、119（火警）或 120（急救），先保证自己和家人的安全。"


def advice_for(kinds: list[str]) -> str:
    """Emergency advice for each kind of danger (general advice for a kind without its own)."""
    lines = list(dict.fromkeys(ADVICE.get(kind, GENERAL_ADVICE) for kind in kinds))
    return "\n".join(f"⚠️ {line}" for line in lines)


def urgent_case(turn: Turn, kinds: list[str]) -> str:
    """Give emergency advice and open an urgent case right away."""
    advice = advice_for(kinds)
    if turn.dialogue.active(UrgentState):
        return f"{advice}\n{follow_up(turn, danger=True)}"
    gathered = turn.dialogue.flow if turn.dialogue.active(IntakeState) else None
    classified = turn.classification.intent if turn.classification is not None else None
    if classified not in CATEGORIES and gathered is not None:
        classified = gathered.category
    category = urgent_category(kinds, classified)
    story = turn.story()
    state = intake.begin(turn, category)
    intake.add_story(turn, story)
    if gathered is not None:
        # What the resident already told us in an unfinished intake belongs to the urgent case too.
        state.parts[:0] = gathered.parts
        state.message_ids[:0] = gathered.message_ids
        state.media[:0] = gathered.media
        state.collective = state.collective or gathered.collective
        state.place_words, state.street_id = gathered.place_words, gathered.street_id
        state.text_only, state.confidential = gathered.text_only, gathered.confidential
    state.urgent = state.phone_asked = state.no_community = True
    opened = intake.open_case(turn)
    turn.dialogue.start(UrgentState(ticket=turn.opened_ticket.id))
    ask = "" if turn.resident.phone else "\n方便的话回复您的手机号，工作人员会尽快联系您。"
    return f"{advice}\n{opened}{ask}"


def follow_up(turn: Turn, danger: bool = False) -> str | None:
    """Step "follow_up": a phone number or more details go to the urgent case; "搞错了" withdraws
    the urgency (the case stays, as an ordinary one)."""
    if not danger and phrases.anytime_intent(turn.text, in_flow=True):
        return None
    ticket = turn.session.get(Ticket, turn.dialogue.flow.ticket)
    if not danger and NOT_URGENT.search(turn.text):
        return withdraw_urgency(turn, ticket)
    phone = find_phone(turn.text)
    if phrases.NO_CALLS.search(turn.text):
        attach_message(turn.session, ticket, turn.message, note=intake.NO_CALLS_NOTE)
        return NO_CALLS_ADVICE.format(number=ticket.number)
    if not phone and phrases.steers_only(turn.text):
        return "好的。请注意安全，有新情况随时告诉我。"  # "好的", "谢谢", "1" add nothing to the case
    attach_message(turn.session, ticket, turn.message, note="居民补充（紧急）")
    if phone:
        turn.resident.phone = ticket.contact_phone = phone
        turn.dialogue.end()  # the case has what it needs; the next message is a new topic
        return f"已记下您的电话，工单 {ticket.number} 的工作人员会尽快联系您。如有危险请先拨打 110。"
    return f"已补充到紧急工单 {ticket.number}。如有危险请先拨打 110。"


def withdraw_urgency(turn: Turn, ticket: Ticket) -> str:
    """The resident says there is no danger: the case goes on as an ordinary one."""
    attach_message(turn.session, ticket, turn.message, note="居民说明没有紧急危险，改为普通事项")
    ticket.urgent = False
    ticket.due_at = ticket.created_at + timedelta(hours=first_response_hours(ticket.category, False, ticket.collective))
    turn.dialogue.end()
    return (
        f"好的，抱歉误会了。工单 {ticket.number} 已改为普通事项，{response_promise(ticket)}；"
        "您说的情况都已记下。"
    )


def prompt(turn: Turn) -> str:
    """What the urgent flow waits for."""
    if turn.resident.phone:
        return "有新情况可以直接告诉我，会补充到紧急工单里。"
    return "方便的话回复您的手机号，工作人员会尽快联系您。"
