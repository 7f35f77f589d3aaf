"""Knowing where the resident lives: asked once, remembered, changeable; other districts told kindly."""

from __future__ import annotations

from bot.cases.directory import communities_named, community_rooms, match_communities, nearest_community, street_named
from bot.cases.place_words import place_pattern, says
from bot.cases.tickets import add_staff_note, move_to_community, response_promise, urgent_cases_awaiting_community
from bot.dialogue.flows import IntakeState, MovingState
from bot.dialogue.turn import Turn
from bot.nlu import answers, phrases, step_answers
from bot.storage.directory import Unit, district_centre
from bot.storage.tickets import Ticket, TicketStatus, latest_open_ticket

ASK_COMMUNITY = "请问您住在哪个社区？直接回复社区名称（如“八古墩社区”），也可以发送您的位置。\n不清楚的话回复“不知道”。"
FAR_AWAY = (
    "这个位置附近没有江汉区的社区公共法律服务工作室。住在江汉区的话，请回复您的社区名称；"
    "不在江汉区的话，可以找当地的公共法律服务中心，或拨打 12348 公共法律服务热线。"
)
MOVED_PLACE_UNKNOWN = (
    "没关系，您的社区先不改{current}。可以发送您的位置，我帮您找最近的工作室；知道社区名称后回复“换社区”再告诉我。"
)
ASK_NEW_COMMUNITY = "好的，请问您现在住在哪个社区？回复社区名称，或发送位置。"
PLACE_MAX_CHARS = 20
# "不晓得叫么子社区，反正就在万松园路那边的菜场后面": a don't-know about the name may say this much more.
UNKNOWN_MAX_CHARS = 40


def community_of(turn: Turn) -> Unit | None:
    """The resident's remembered community room."""
    if turn.resident.community_id is None:
        return None
    return turn.session.get(Unit, turn.resident.community_id)


def remember(turn: Turn, unit: Unit) -> list[Ticket]:
    """Remember the resident's community; an urgent case waiting at the district centre for want
    of it goes to that community's room, whose staff are told. Returns the cases moved."""
    turn.resident.community_id = unit.id
    moved = urgent_cases_awaiting_community(turn.session, turn.resident.id)
    for ticket in moved:
        move_to_community(turn.session, turn.services.jobs, ticket, unit, turn.services.settings.console_base_url)
    return moved


def moved_words(turn: Turn, ticket: Ticket) -> str:
    """What the resident hears when their urgent case went to the room of the community they named."""
    room = turn.session.get_one(Unit, ticket.unit_id)
    promise = response_promise(ticket)  # at night: when the room opens, and 110 until then
    remind = "" if "110" in promise else "如有危险请先拨打 110。"
    return f"紧急工单 {ticket.number} 已转给{room.office_name}，{promise}。{remind}"


def says_where_they_live(text: str) -> bool:
    """True when the text says where the resident lives (or is), whatever else it says."""
    return says("lives_at", text)


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


def where_is(turn: Turn) -> str:
    """Any-time "区中心在哪里": the address, hours and phone of the office asked about, from the directory."""
    centre = district_centre(turn.session)
    home = community_of(turn)
    named = communities_named(turn.session, turn.text)
    street = street_named(turn.session, turn.text)
    unit: Unit | None
    if phrases.DISTRICT_OFFICE.search(turn.text):
        unit = centre
    elif phrases.STREET_OFFICE.search(turn.text):  # "花楼街道工作站在哪": that street's, else the resident's
        unit = street or (home.parent if home is not None else None) or centre
    elif len(named) == 1:  # "青年社区工作室在哪里": the room asked about, whoever asks
        unit = named[0]
    else:
        unit = street or home or centre
    if unit is None:
        return "抱歉，暂时查不到地址，您可以拨打 12348 公共法律服务热线询问。"
    return f"{room_card(unit)}\n上门前建议先打电话确认有人值班。"


def home_room(turn: Turn) -> Unit | None:
    """The room that answers this resident: their community's, else the district centre."""
    return community_of(turn) or district_centre(turn.session)


def numbered_choices(units: list[Unit]) -> str:
    """A numbered list of communities to pick from."""
    lines = [
        f"回复 {index} {unit.name}（{unit.parent.name if unit.parent else ''}）" for index, unit in enumerate(units, 1)
    ]
    return "\n".join(lines)


def elsewhere(text: str, answering: bool = False) -> str | None:
    """The other district (or "外地") the resident lives in, if the text says so of the resident
    themselves (not of their children, nor of where something happened); `answering`: the text
    answers "which community", so naming a district is enough."""
    if says("lives_here", text):
        return None
    if says("lives_elsewhere", text) or (answering and says("elsewhere_answer", text)):
        return "外地"
    lives = place_pattern("lives_in_other_district").search(text)
    bare = answering and "江汉" not in text and len(text) <= PLACE_MAX_CHARS and not says("someone_else", text)
    if lives is None and not bare:
        return None
    district = place_pattern("other_district").search(lives.group(0) if lives is not None else text)
    return district.lastgroup if district is not None else None


def works_here(text: str) -> bool:
    """True when the resident says they work in the district ("公司在江汉")."""
    return says("works_here", text)


def _their_centre(place: str) -> str:
    return f"{place}公共法律服务中心" if place != "外地" else "当地的公共法律服务中心"


def elsewhere_note(turn: Turn, place: str) -> str:
    """Kind words for a resident outside the district: where to go instead."""
    return (
        f"本服务面向武汉市{district_name(turn)}的居民。您在{place}的话，可以就近找{_their_centre(place)}，"
        "或拨打 12348 公共法律服务热线（全国统一，可以电话咨询律师）。"
    )


def legal_question_from_elsewhere(turn: Turn, place: str, text: str) -> str:
    """A legal question from outside the district: taken by the district centre's lawyer; a
    resident who works here ("我住硚口区的 公司在江汉") is told plainly that this is why."""
    centre = district_centre(turn.session)
    if centre is None:  # the directory's top: every case without a room of its own goes there
        raise LookupError("the directory has no district centre")
    if works_here(text):
        return (
            f"您住在{place}、在{district_name(turn)}工作，这边可以为您登记，由{centre.office_name}的律师为您解答。"
            f"离家近的话，也可以找{_their_centre(place)}，或拨打 12348 公共法律服务热线。"
        )
    return f"{elsewhere_note(turn, place)}\n您的法律问题，{centre.office_name}的律师也可以先给您解答。"


def district_name(turn: Turn) -> str:
    """The district's name, from the directory."""
    centre = district_centre(turn.session)
    return centre.name if centre is not None else "本区"


def resolve_place(turn: Turn, text: str, candidates: list[int]) -> tuple[Unit | None, list[Unit]]:
    """The one community the text names (a number picks from `candidates`), else the matches."""
    pick = phrases.choice_number(text) or (step_answers.choice_number(text, len(candidates)) if candidates else None)
    if pick is not None and 1 <= pick <= len(candidates):
        return turn.session.get(Unit, candidates[pick - 1]), []
    if pick is not None or len(text) > PLACE_MAX_CHARS:
        return None, []
    if (corrected := said_last(turn, text)) is not None:
        return corrected, []
    named = communities_named(turn.session, text)
    if len(named) == 1:
        return named[0], []
    # A street's rooms or a near miss ("民意社区" for 东民社区) is asked about, even when one.
    return None, named or match_communities(turn.session, text)


def said_last(turn: Turn, text: str) -> Unit | None:
    """The community named last in an answer that corrects itself ("八古墩 不对 是西桥"); None unless
    it names two or more (of the resident's home: "我妈住西桥" is hers)."""
    if not says("correction", text):
        return None
    said = [
        units[0]
        for clause in answers.clauses(text)
        if not says("someone_else", clause) and len(units := communities_named(turn.session, clause)) == 1
    ]
    return said[-1] if len({unit.id for unit in said}) > 1 else None


def corrected_community(turn: Turn, text: str) -> Unit | None:
    """The one community a later answer names instead of the one chosen, if it corrects it."""
    current = community_of(turn)
    # A longer message names the community only with words that say so ("我想起来了 …", "我们是…的").
    if len(text) > PLACE_MAX_CHARS and not (says("correction", text) or says("home_said", text)):
        return None
    named = communities_named(turn.session, text)
    if current is not None and says("correction", text):
        # "不是万松园 是西桥的": each clause read (the longest name would hide the shorter), the one not chosen.
        others = {unit.id: unit for clause in answers.clauses(text) for unit in communities_named(turn.session, clause)}
        others.pop(current.id, None)
        named = list(others.values()) if len(others) == 1 else named
    if len(named) != 1 or (current is not None and named[0].id == current.id):
        return None
    return named[0]


def which_of(matches: list[Unit]) -> str:
    """Ask which of several matching communities the resident means."""
    return "您说的是哪个社区？\n" + numbered_choices(matches)


def sounds_like_a_place(text: str) -> bool:
    """True when the text may name a place (a community we do not know is still a place)."""
    return says("place_word", text)


def place_unknown(text: str) -> bool:
    """True when an answer to "which community" says the resident does not know it."""
    if not phrases.UNKNOWN_PLACE.search(text):
        return False
    return len(text) <= PLACE_MAX_CHARS or (
        len(text) <= UNKNOWN_MAX_CHARS and bool(phrases.UNKNOWN_COMMUNITY.search(text))
    )


def place_words(text: str) -> str:
    """The resident's words about where they are, without the don't-know: "就在万松园路那边"."""
    clauses = [
        clause
        for clause in answers.clauses(text)
        if clause and not phrases.UNKNOWN_PLACE.search(clause) and sounds_like_a_place(clause)
    ]
    return "，".join(clauses)


def not_found(text: str) -> str:
    """Say the place was not found and ask again."""
    return f"没有找到叫“{_place_named(text)[:20]}”的社区。请再发一次社区名称，或发送位置；不清楚的话回复“不知道”。"


def _place_named(text: str) -> str:
    # "我住在百步亭花园": the name the resident gave, without the words that say they live there.
    text = text.strip()
    said = place_pattern("lives_at").match(text)
    name = text[said.end() :].removeprefix("在").removesuffix("的").strip() if said else text
    return name or text


def change_community(turn: Turn) -> str:
    """Handler: the resident moved or wants to change their community (during an intake: that
    intake's community question, asked again; the story told so far stays)."""
    unit = community_entity(turn)
    if unit is None and (gathering := turn.dialogue.current(IntakeState)) is not None:
        return "好的，社区重新说一下。\n" + ask_again_in_intake(turn, gathering)
    if unit is None:
        matches = match_communities(turn.session, turn.text)
        unit = matches[0] if len(matches) == 1 else None
    if unit is not None:
        return moved_to(turn, unit)
    place = elsewhere(turn.text)
    if place is not None:
        return elsewhere_note(turn, place) + _case_stays(latest_open_ticket(turn.session, turn.resident.id))
    moving = turn.dialogue.start(MovingState())
    street = street_named(turn.session, turn.text)
    rooms = rooms_of(turn, street) if street is not None else []
    if street is not None and rooms:  # "我搬到民意街那边了": which of that street's communities
        moving.candidates = [room.id for room in rooms]
        return f"好的。{street.name}有这几个社区，您现在住哪个？\n{numbered_choices(rooms)}"
    return ASK_NEW_COMMUNITY


def _case_stays(latest: Ticket | None) -> str:
    """For a resident moving away: the case they have open (if any) is still handled here."""
    if latest is None:
        return ""
    return f"\n您已登记的工单 {latest.number} 仍由原来的工作室继续办理，回复“我的工单”可查看进度。"


def moved_to(turn: Turn, unit: Unit) -> str:
    """Remember the new community; cases already opened stay with the room that has them, but an
    urgent case waiting at the district centre for want of a community goes to the new room."""
    moved = remember(turn, unit)
    reply = f"好的，已把您的社区改为{unit.name}。\n{room_card(unit)}"
    reply += "".join(f"\n{moved_words(turn, ticket)}" for ticket in moved)
    latest = latest_open_ticket(turn.session, turn.resident.id)
    if latest is not None and latest not in moved and phrases.COMMUNITY_WRONG.search(turn.text):
        return reply + "\n" + _filed_case_corrected(turn, latest, unit)
    if latest not in moved:
        reply += _case_stays(latest)
    return reply


def _filed_case_corrected(turn: Turn, ticket: Ticket, unit: Unit) -> str:
    """ "社区填错了 应该是青年社区" after a case was filed: a case no one has taken yet goes to the
    right room; one being handled gets a note, and its staff pass it on."""
    if ticket.status == TicketStatus.NEW:
        services = turn.services
        room = move_to_community(turn.session, services.jobs, ticket, unit, services.settings.console_base_url)
        return f"工单 {ticket.number} 也已改转给{room.office_name}。"
    add_staff_note(turn.session, ticket, f"居民说社区填错了，应为{unit.name}")
    return f"工单 {ticket.number} 已有工作人员在办，您说的社区已记在工单上，由他们转给对的工作室。"


def home_named(turn: Turn, text: str) -> Unit | None:
    """The one community a story names as the resident's home ("我一个人住花楼", "我住青年社区那块"),
    clause by clause; a community named otherwise ("我哥住在青年社区") is not theirs."""
    found = {
        unit.id: unit
        for clause in answers.clauses(text)
        if says("home_said", clause) and not says("someone_else", clause)  # "我妈一个人住花楼": hers
        for unit in communities_named(turn.session, clause)
    }
    return next(iter(found.values())) if len(found) == 1 else None


def home_street(turn: Turn, text: str) -> tuple[Unit, str] | None:
    """The one street a story names as the resident's home, none of whose communities the directory
    lists ("我住民意街这附近"), with the words that name it; a street with rooms of its own is not
    enough (its community is asked)."""
    found = {
        street.id: (street, clause)
        for clause in answers.clauses(text)
        if says("home_said", clause) and not says("someone_else", clause)
        if (street := street_named(turn.session, clause)) is not None and not rooms_of(turn, street)
    }
    return next(iter(found.values())) if len(found) == 1 else None


def rooms_of(turn: Turn, street: Unit) -> list[Unit]:
    """The community rooms the directory lists under a street."""
    return [room for room in community_rooms(turn.session) if room.parent_id == street.id]


def home_entity(turn: Turn, text: str) -> Unit | None:
    """The one community the model found in a story, unless the words that name it speak of someone
    else ("我哥住在青年社区") or of work there ("我在青年社区上班"): not the resident's home then."""
    unit = community_entity(turn)
    if unit is None:
        return None
    naming = [clause for clause in answers.clauses(text) if unit in communities_named(turn.session, clause)]
    if any(says("someone_else", clause) or says("works_there", clause) for clause in naming):
        return None
    return unit


def asks_to_change(text: str) -> bool:
    """True when the resident asks to give another community ("换社区", "改一下社区")."""
    return says("change_community", text)


def ask_again_in_intake(turn: Turn, state: IntakeState) -> str:
    """Forget the community given (and the place words or street instead of one): the intake asks again."""
    state.place.no_community, state.place.street_id, state.place.place_words = False, None, ""
    state.place.candidates = []
    state.step = "community"
    turn.resident.community_id = None
    return ASK_COMMUNITY


def community_entity(turn: Turn) -> Unit | None:
    """The one community the model found in this message (the new one, when moving)."""
    if turn.classification is None:
        return None
    names = [entity["value"] for entity in turn.classification.entities if entity.get("entity") == "community"]
    matches = {unit.id: unit for name in names for unit in match_communities(turn.session, name)}
    return next(iter(matches.values())) if len(matches) == 1 else None


def moving_step(turn: Turn) -> str | None:
    """Step "community" of moving: the new community by name, a number from the list, or another
    district (else: not an answer)."""
    state = turn.dialogue.state(MovingState)
    if place_unknown(turn.text):  # "不知道": nothing changes until they know, and no case is opened
        turn.dialogue.end()
        return MOVED_PLACE_UNKNOWN.format(current=_still(community_of(turn)))
    place = elsewhere(turn.text, answering=True)
    if place is not None:
        turn.dialogue.end()
        return elsewhere_note(turn, place)
    unit, matches = resolve_place(turn, turn.text, state.candidates)
    if unit is not None:
        turn.dialogue.end()
        return moved_to(turn, unit)
    if matches:
        state.candidates = [match.id for match in matches]
        return which_of(matches)
    return None


def moving_yes(turn: Turn) -> str:
    """A plain yes to "which community do you live in now": the one community offered is taken,
    else the question is asked again, kindly."""
    state = turn.dialogue.state(MovingState)
    if len(state.candidates) == 1:
        turn.dialogue.end()
        return moved_to(turn, turn.session.get_one(Unit, state.candidates[0]))
    return "好的，请回复您现在住的社区名称，或发送您的位置。"


def moving_no(turn: Turn) -> str:
    """A plain no ("不是", "我没搬"): with communities on offer, none of them — the name is asked
    again; otherwise the community stays as it was."""
    state = turn.dialogue.state(MovingState)
    if state.candidates:
        state.candidates = []
        return "好的，那请再说一下您现在住的社区名称，或发送您的位置。"
    turn.dialogue.end()
    return f"好的，您的社区没有改{_still(community_of(turn))}。"


def _still(current: Unit | None) -> str:
    return f"，还是{current.name}" if current else ""


def moving_prompt(turn: Turn) -> str:
    """The moving flow's question."""
    return ASK_NEW_COMMUNITY


def nearest_to_pin(turn: Turn) -> Unit | None:
    """The community room nearest to this message's location pin, which is kept as where the resident is."""
    latitude, longitude = turn.inbound.latitude, turn.inbound.longitude
    if latitude is None or longitude is None:  # WeChat's location message always carries both
        raise ValueError("a location message without its coordinates")
    turn.resident.latitude, turn.resident.longitude = latitude, longitude
    return nearest_community(turn.session, latitude, longitude)


def location_pin(turn: Turn) -> str:
    """Handler for a location message: remember it and name the nearest room."""
    unit = nearest_to_pin(turn)
    if unit is None:
        return FAR_AWAY
    if turn.resident.community_id is None or turn.dialogue.active(MovingState):
        remember(turn, unit)
        turn.dialogue.end()
        return f"根据您的位置，为您匹配到{unit.name}：\n{room_card(unit)}\n不对的话回复正确的社区名称。"
    return f"离您最近的是：\n{room_card(unit)}"
