"""Intake: gather what the room needs (what happened, where, a phone), then open the case."""

from __future__ import annotations

from bot import commands
from bot.handlers.community import ASK_COMMUNITY, community_entity, community_of, remember, resolve_place
from bot.storage.directory import Unit
from bot.text import find_phone, mask_personal_numbers
from bot.tickets import (
    CATEGORY_LABELS,
    ROLE_FOR_CATEGORY,
    ROLE_LABELS,
    CaseRequest,
    open_ticket,
    response_promise,
    routing_unit,
)
from bot.turn import Turn

# Fewer characters than this and the room would have to call back just to learn what happened.
MIN_DESCRIPTION_CHARS = 10
# How much of the resident's story the confirmation repeats back (the case keeps all of it).
SUMMARY_CHARS = 60

ASK_DETAILS = "请简单说说发生了什么：什么时间、在哪里、和谁有关、现在怎么样了。"
ASK_MORE_DETAILS = "能再多说几句吗？比如什么时间开始的、具体情况、您希望怎么解决。"
ASK_PHONE = (
    "为了方便{role}联系您，愿意留一个手机号吗？直接回复手机号即可；不方便就回复“不留”。"
    "\n（号码只用于处理本次事项）"
)
BAD_PHONE = "这个号码好像不对，请回复 11 位手机号，或回复“不留”。"


def start_case(turn: Turn, category: str | None = None, text: str | None = None, opening: int | None = None) -> str:
    """Handler for the triage intents: begin gathering a case of this category."""
    category = category or turn.intent
    pending_media = turn.state.get("pending_media", [])
    turn.state.clear()
    turn.state.update(
        flow="intake",
        category=category,
        parts=[],
        message_ids=[],
        media=list(pending_media),
        opening=opening or turn.message.id,
        collective=False,
    )
    _add_text(turn, turn.text if text is None else text)
    label, role = CATEGORY_LABELS[category], ROLE_LABELS[ROLE_FOR_CATEGORY[category]]
    return f"明白，这属于{label}，我来帮您转给{role}。\n" + next_question(turn)


def _add_text(turn: Turn, text: str) -> None:
    if text:
        turn.state["parts"].append(text)
        turn.state["collective"] = turn.state["collective"] or commands.is_collective(text)
        _use_details_in(turn, text)
    if turn.message.id not in turn.state["message_ids"]:
        turn.state["message_ids"].append(turn.message.id)


def _use_details_in(turn: Turn, text: str) -> None:
    """A phone number or a community the resident already wrote need not be asked for."""
    phone = find_phone(text)
    if phone:
        turn.resident.phone = phone  # given unasked: the resident wants to be called
    if community_of(turn) is None:
        named = community_entity(turn)
        if named is not None:
            remember(turn, named)


def next_question(turn: Turn) -> str:
    """Ask for the next missing piece, or for confirmation when nothing is missing."""
    state = turn.state
    if not state["parts"]:
        state["step"] = "details"
        return ASK_DETAILS
    if community_of(turn) is None and not state.get("no_community"):
        state["step"] = "community"
        return ASK_COMMUNITY
    if len("".join(state["parts"])) < MIN_DESCRIPTION_CHARS and not state.get("details_asked"):
        state["step"], state["details_asked"] = "details", True
        return ASK_MORE_DETAILS
    if not turn.resident.phone and not state.get("phone_asked"):
        state["step"] = "phone"
        return ASK_PHONE.format(role=ROLE_LABELS[ROLE_FOR_CATEGORY[state["category"]]])
    state["step"] = "confirm"
    return summary(turn)


def summary(turn: Turn) -> str:
    """What the case will say and where it will go, for the resident to confirm."""
    state = turn.state
    place = routing_unit(turn.session, community_of(turn), state.get("collective", False)).office_name
    story = "；".join(state["parts"])
    story = story if len(story) <= SUMMARY_CHARS else story[:SUMMARY_CHARS] + "…"
    lines = [
        "请确认要登记的事项：",
        f"类别：{CATEGORY_LABELS[state['category']]}",
        f"转给：{place}（{ROLE_LABELS[ROLE_FOR_CATEGORY[state['category']]]}）",
        f"情况：{story}",
    ]
    if turn.resident.phone:
        lines.append(f"电话：{mask_personal_numbers(turn.resident.phone)}")
    lines += ["回复 1 确认提交", "回复 2 我还要补充", "回复“取消”不办了"]
    return "\n".join(lines)


def _confirm_answer(turn: Turn) -> str:
    pick = commands.choice_number(turn.text)
    turn.state["message_ids"].append(turn.message.id)
    if pick == 1 or commands.AFFIRM.match(turn.text):
        return open_case(turn)
    if pick == 2 or commands.DENY.match(turn.text):
        turn.state["step"] = "details"
        return "好的，请补充您的情况，说完我再请您确认。"
    _add_text(turn, turn.text)
    return "收到，已补充。\n" + summary(turn)


def intake_step(turn: Turn) -> str:
    """Flow step: the resident answers the question we asked last."""
    step = turn.state.get("step")
    if commands.BACK.match(turn.text):
        return go_back(turn)
    if step in ("community", "pick_community"):
        return _community_answer(turn)
    if step == "phone":
        return _phone_answer(turn)
    if step == "confirm":
        return _confirm_answer(turn)
    _add_text(turn, turn.text)
    return next_question(turn)


def go_back(turn: Turn) -> str:
    """Return to the previous question."""
    state = turn.state
    if state.get("step") in ("phone", "confirm"):
        state["details_asked"] = True
        state["step"] = "details"
        return "好的，请补充或更正您的情况描述。"
    state["no_community"] = False
    state["step"] = "community"
    turn.resident.community_id = None
    return ASK_COMMUNITY


def _community_answer(turn: Turn) -> str:
    turn.state["message_ids"].append(turn.message.id)
    if commands.UNKNOWN_PLACE.search(turn.text):
        turn.state["no_community"] = True
        return "没关系，我们先转给区公共法律服务中心，由他们帮您对接。\n" + next_question(turn)
    unit, question = resolve_place(turn, turn.text)
    if unit is None:
        turn.state["step"] = "pick_community" if turn.state.get("candidates") else "community"
        return question
    return community_chosen(turn, unit)


def community_chosen(turn: Turn, unit: Unit, by_location: bool = False) -> str:
    """The resident's community is known: remember it and go on."""
    remember(turn, unit)
    turn.state.pop("candidates", None)
    how = "根据您的位置，" if by_location else ""
    return f"{how}已记下：{unit.name}。\n" + next_question(turn)


def _phone_answer(turn: Turn) -> str:
    text = turn.text
    phone = find_phone(text)
    turn.state["message_ids"].append(turn.message.id)
    if phone:
        turn.resident.phone = phone
        turn.state["phone_asked"] = True
        return next_question(turn)
    if commands.NO_PHONE.match(text) or commands.DENY.match(text):
        turn.state["phone_asked"] = True
        return next_question(turn)
    if sum(char.isdigit() for char in text) >= 7:
        return BAD_PHONE
    _add_text(turn, text)
    return "收到，已补充到您的描述里。" + BAD_PHONE.removeprefix("这个号码好像不对，")


def open_case(turn: Turn, note: str = "") -> str:
    """Open the case from what was gathered and tell the resident its number."""
    state = turn.state
    request = CaseRequest(
        category=state["category"],
        description="\n".join(state["parts"]) or "（居民要求人工服务）",
        unit=community_of(turn),
        phone=turn.resident.phone,
        urgent=state.get("urgent", False),
        collective=state.get("collective", False),
        opening_message_id=state.get("opening"),
        message_ids=state["message_ids"],
        media_ids=state.get("media", []),
    )
    ticket = open_ticket(turn.session, turn.resident, request)
    unit = turn.session.get(Unit, ticket.unit_id)
    turn.state.clear()
    lines = [
        f"{note}已为您登记{CATEGORY_LABELS[ticket.category]}工单，编号 {ticket.number}。",
        f"已转给{unit.office_name}的{ROLE_LABELS[ticket.role]}，{response_promise(ticket)}。",
    ]
    if ticket.collective:
        lines.insert(1, "这件事涉及多户居民，已直接交给街道公共法律服务工作站统一处理。")
    if ticket.contact_phone:
        lines.append(f"联系电话：{mask_personal_numbers(ticket.contact_phone)}")
    lines.append("有照片可以直接发给我，会附在工单里；回复“我的工单”可随时查看进度。")
    return "\n".join(lines)
