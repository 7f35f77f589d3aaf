"""Knowing where the resident lives: asked once, remembered, changeable."""

from __future__ import annotations

from bot import commands
from bot.directory import match_communities, nearest_community
from bot.storage.directory import Unit
from bot.turn import Turn

ASK_COMMUNITY = (
    "请问您住在哪个社区？直接回复社区名称（如“八古墩社区”），也可以发送您的位置。"
    "\n不清楚的话回复“不知道”。"
)


def community_of(turn: Turn) -> Unit | None:
    """The resident's remembered community room."""
    if turn.resident.community_id is None:
        return None
    return turn.session.get(Unit, turn.resident.community_id)


def remember(turn: Turn, unit: Unit) -> None:
    """Remember the resident's community."""
    turn.resident.community_id = unit.id


def room_card(unit: Unit) -> str:
    """Where a room is and when it opens, in a few lines."""
    lines = [unit.office_name]
    if unit.address:
        lines.append(f"地址：{unit.address}")
    if unit.hours:
        lines.append(f"时间：{unit.hours}")
    if unit.phone:
        lines.append(f"电话：{unit.phone}")
    return "\n".join(lines)


def numbered_choices(units: list[Unit]) -> str:
    """A numbered list of communities to pick from."""
    lines = [
        f"回复 {index} {unit.name}（{unit.parent.name if unit.parent else ''}）"
        for index, unit in enumerate(units, 1)
    ]
    return "\n".join(lines)


def resolve_place(turn: Turn, text: str) -> tuple[Unit | None, str | None]:
    """Match the text to one community; otherwise return the question to ask next."""
    pick = commands.choice_number(text)
    candidates = turn.state.get("candidates") or []
    if pick is not None and 1 <= pick <= len(candidates):
        return turn.session.get(Unit, candidates[pick - 1]), None
    matches = match_communities(turn.session, text)
    if len(matches) == 1:
        return matches[0], None
    if matches:
        turn.state["candidates"] = [unit.id for unit in matches]
        return None, "您说的是哪个社区？\n" + numbered_choices(matches)
    return None, f"没有找到“{text[:20]}”对应的社区。请再发一次社区名称，或发送位置；不清楚的话回复“不知道”。"


def change_community(turn: Turn) -> str:
    """Handler: the resident moved or wants to change their community."""
    unit = community_entity(turn)
    if unit is None:
        matches = match_communities(turn.session, turn.text)
        unit = matches[0] if len(matches) == 1 else None
    if unit is not None:
        remember(turn, unit)
        return f"好的，已把您的社区改为{unit.name}。\n{room_card(unit)}"
    turn.state.update({"flow": "moving"})
    return "好的，请问您现在住在哪个社区？回复社区名称，或发送位置。"


def community_entity(turn: Turn) -> Unit | None:
    """The one community the model found in this message (the new one, when moving)."""
    if turn.classification is None:
        return None
    names = [entity["value"] for entity in turn.classification.entities if entity.get("entity") == "community"]
    matches = {unit.id: unit for name in names for unit in match_communities(turn.session, name)}
    return next(iter(matches.values())) if len(matches) == 1 else None


def moving_step(turn: Turn) -> str | None:
    """Flow step: the resident is telling us their new community."""
    unit, question = resolve_place(turn, turn.text)
    if unit is None:
        return question
    remember(turn, unit)
    turn.state.clear()
    return f"好的，已把您的社区改为{unit.name}。\n{room_card(unit)}"


def location_pin(turn: Turn) -> str:
    """Handler for a location message: remember it and name the nearest room."""
    inbound = turn.inbound
    turn.resident.latitude, turn.resident.longitude = inbound.latitude, inbound.longitude
    unit = nearest_community(turn.session, inbound.latitude, inbound.longitude)
    if unit is None:
        return "位置收到了，但暂时没有找到附近的社区工作室。请回复您的社区名称。"
    if turn.state.get("flow") == "intake":
        from bot.handlers import intake  # the intake flow continues with the matched room

        if turn.state.get("step") in ("community", "pick_community") or community_of(turn) is None:
            turn.state["no_community"] = False
            return intake.community_chosen(turn, unit, by_location=True)
        return f"位置收到了，离您最近的是{unit.name}。\n" + intake.next_question(turn)
    if turn.resident.community_id is None or turn.state.get("flow") == "moving":
        remember(turn, unit)
        turn.state.clear()
        return f"根据您的位置，为您匹配到{unit.name}：\n{room_card(unit)}\n不对的话回复正确的社区名称。"
    return f"离您最近的是：\n{room_card(unit)}"
