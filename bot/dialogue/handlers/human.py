"""Transfer to a person (转人工, 人呢): the request always reaches a person — a case flagged in the
right room's inbox and its staff told on WeChat (bot/cases/person_requests.py) — and the resident hears
honestly who will answer and when; asking again tells where the request stands. Never a loop."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cases import alerts, person_requests
from bot.cases.directory import communities_named
from bot.cases.lifecycle import SYSTEM
from bot.cases.office_hours import CHINA, next_opening, opening_words
from bot.cases.tickets import (
    CaseRequest,
    add_staff_note,
    attach_message,
    first_response_due,
    link_message,
    named_community,
    open_ticket,
    routing_unit,
)
from bot.categories import CATEGORIES, GENERAL_CATEGORY, TRIAGE_INTENTS, category_of_role, role_title
from bot.dialogue.flows import ClarifyState, FaqOfferState, FlowStateBase, IntakeState
from bot.dialogue.handlers import clarify, community, intake
from bot.dialogue.turn import Turn
from bot.nlu import answers, phrases
from bot.nlu.keywords import classify_keywords
from bot.nlu.policy import Decision, decide
from bot.storage.base import utcnow
from bot.storage.directory import Unit, district_centre, staff_for
from bot.storage.messages import Message, previous_intent
from bot.storage.tickets import OPEN_STATUSES, Ticket, TicketEvent, latest_open_ticket

KIND_QUESTION = "为了尽快转给对的人，请问是哪类问题？（不回答也没关系，工作人员同样会回复您）"
ADD_TO_CASE = "有新情况请回复“补充：”加上内容，会记到工单里。"
NO_STORY = "（居民还没有说明是什么事）"
STAFF_NOTE = "居民要求人工服务，请直接联系居民"
JUST_NOW = timedelta(minutes=1)
ENGLISH_PASSED = (
    "Your messages have been passed to a staff member (case {number}), who will reply here. In an emergency, call 110."
)
# A bare "人工" as the first thing said: what it is about is asked once, not an empty case opened.
WHAT_ABOUT = (
    "好的，马上帮您找工作人员。请先用一两句话说说是什么事（比如“楼上漏水到我家”“公司拖欠工资”），"
    "工作人员会看到您说的话，在这里直接回复您。\n不方便说的话，再回复一次“转人工”也行。"
)
# "人工" this short (punctuation aside) says nothing of the matter; "帮我找个工作人员" asks plainly.
BARE_REQUEST_MAX_CHARS = 3
# "我要找律师 不要调解员": the role the resident wishes would answer (bot/data/person_words.yml).
WISHES = {role: answers.load(phrases.PERSON_WORDS_FILE)[f"wish_{role}"].pattern for role in ("lawyer", "mediator")}


def transfer(turn: Turn) -> str:
    """Handler: the resident asks for a person: the open case (or one opened now) waits for a person."""
    if turn.dialogue.active(IntakeState):
        reply = intake.open_case(turn, note="好的，马上为您转人工。")
        opened = turn.new_case()
        _request(turn, opened)
        when = when_to_expect(turn.session.get(Unit, opened.unit_id), calls=not no_calls(opened))
        return f"{reply}\n{told(turn, opened)}。{when}"
    ticket = latest_open_ticket(turn.session, turn.resident.id)
    if ticket is None:
        return _ask_what_about(turn) or _open_request(turn)
    turn.message.ticket_id = ticket.id  # on the case's page; a request, not case content
    return on_case(turn, ticket)


def _ask_what_about(turn: Turn) -> str | None:
    """A bare "人工" with nothing told yet, no case and no question pending: what it is about is asked
    (a case opened now would reach a person with nothing to read); None when there is something to
    go on, or when the resident asked for a person just before (then the request is opened: never a
    loop). "转人工", the words the bot itself offers, is taken at once."""
    dialogue = turn.dialogue
    if dialogue.flow is not None or dialogue.fragments or dialogue.pending_media or phrases.HUMAN.search(turn.text):
        return None
    if len("".join(answers.clauses(turn.text))) > BARE_REQUEST_MAX_CHARS:
        return None
    if person_requests.recent_words(turn.session, turn.resident.id, turn.message.id):
        return None
    last = previous_intent(turn.session, turn.resident.id, turn.message.id)
    return None if last == "request_human" else WHAT_ABOUT


def for_english(turn: Turn) -> str:
    """A second message in English: a person is asked for at once, on the open case or on one opened
    now for the lawyer (who takes any matter), and the resident is told so in both languages."""
    ticket = latest_open_ticket(turn.session, turn.resident.id)
    if ticket is None:
        reply = _open_request(turn, kind=GENERAL_CATEGORY)
        ticket = turn.new_case()
    else:
        reply = on_case(turn, ticket)
    _add_words(turn, ticket)  # this message tells the matter too, unlike a bare 转人工
    return f"{reply}\n{ENGLISH_PASSED.format(number=ticket.number)}"


def on_case(turn: Turn, ticket: Ticket) -> str:
    """A request for a person on an open case (an urgent one too): flagged, who has it, when they
    answer; a role the resident wishes for instead is put on the case for its staff to see."""
    request = _request(turn, ticket)
    wish = _wish(turn, ticket)
    if request.repeat:
        return f"{wish}{request_status(turn, ticket, request)}"
    return (
        f"{wish or '好的。'}您的工单 {ticket.number} 已在{who_answers(turn, ticket)}那里，{told(turn, ticket)}。"
        f"\n{when_to_expect(turn.session.get(Unit, ticket.unit_id), calls=not no_calls(ticket))}\n{ADD_TO_CASE}"
    )


def _wish(turn: Turn, ticket: Ticket) -> str:
    """ "我要找律师 不要调解员" on a mediator's case: the wish goes on the case (its page shows it) and
    the resident hears that staff decide — not that the case moved."""
    wished = next((role for role, words in WISHES.items() if words.search(turn.text)), None)
    if wished is None or wished == ticket.role:
        return ""
    unit = turn.session.get_one(Unit, ticket.unit_id)
    title = role_title(wished, unit.level)
    add_staff_note(turn.session, ticket, f"居民希望由{title}处理")
    return (
        f"好的，您希望由{title}处理，这个意思和您的人工请求都已记在工单上，工作人员在工单页会看到，由他们决定怎么安排。"
    )


def told(turn: Turn, ticket: Ticket) -> str:
    """Whether a person was told on WeChat of the request (alerts.person_staff), honestly."""
    if alerts.person_staff(turn.session, ticket):
        return "已提醒工作人员尽快回复您"
    unit = turn.session.get_one(Unit, ticket.unit_id)
    return f"已转到{unit.office_name}，工作人员上班查看工单时就会看到"


def no_calls(ticket: Ticket) -> bool:
    """The resident cannot take calls (the case says so): no phone number offered to them."""
    return intake.NO_CALLS_NOTE in ticket.description


def _request(turn: Turn, ticket: Ticket) -> person_requests.Request:
    services = turn.services
    return person_requests.request_person(turn.session, services.jobs, services.settings.console_base_url, ticket)


def _open_request(turn: Turn, kind: str | None = None) -> str:
    """No case open: a case is opened for the request at once, from what the resident wrote lately;
    which kind of matter it is is asked only when not known (nor given), and only to route it."""
    flow = turn.dialogue.flow
    words = person_requests.recent_words(turn.session, turn.resident.id, turn.message.id)
    wished = next((role for role, said in WISHES.items() if said.search(turn.text)), None)  # "我要找律师"
    kind = kind or _known_kind(flow, words) or (category_of_role(wished) if wished else None)
    named = _community_in(turn, " ".join([message.content for message in words] + [turn.text]))
    if named is not None:
        community.remember(turn, named)
    ticket = open_ticket(
        turn.session,
        turn.resident,
        CaseRequest(
            category=kind or GENERAL_CATEGORY,  # the lawyer takes any question until the kind is known
            description="\n".join(message.content for message in words) or NO_STORY,
            unit=routing_unit(turn.session, named, False) if named is not None else community.home_room(turn),
            phone=turn.resident.phone,
            opening_message_id=turn.message.id,
            message_ids=[message.id for message in words] + [turn.message.id],
            staff_notes=[STAFF_NOTE],
        ),
    )
    turn.opened_ticket = ticket
    _request(turn, ticket)
    turn.dialogue.fragments.clear()  # they are on the case now
    if isinstance(flow, (ClarifyState, FaqOfferState)):
        turn.dialogue.end()  # the question they asked is the case's now
    lines = [
        f"好的，已为您转人工：工单 {ticket.number} 已转给{who_answers(turn, ticket)}，{told(turn, ticket)}。"
        "工作人员会在这里直接回复您。",
        when_to_expect(turn.session.get(Unit, ticket.unit_id), calls=not no_calls(ticket)),
    ]
    if kind is not None:
        return "\n".join(lines + [ADD_TO_CASE])
    choices = flow.choices if isinstance(flow, ClarifyState) and not flow.for_person else list(TRIAGE_INTENTS)
    turn.dialogue.start(ClarifyState(choices=choices, opening=turn.message.id, for_person=True, ticket_id=ticket.id))
    return "\n".join(lines + [KIND_QUESTION, clarify.choice_lines(choices, for_person=True)])


def _community_in(turn: Turn, text: str) -> Unit | None:
    """The one community the resident's words name ("我家住八古墩社区", "我是八古墩的"), if any."""
    named = communities_named(turn.session, text)
    return named[0] if len(named) == 1 else None


def kind_without_place(turn: Turn) -> Decision | None:
    """The kind of matter an answer that also names the community tells ("跟楼下吵架的事 我住舞台社区"),
    read without the place; None when no community is named or the rest names no kind."""
    parts = answers.clauses(turn.text)
    rest = [part for part in parts if not communities_named(turn.session, part)]
    if not rest or len(rest) == len(parts):
        return None
    told_kind = "，".join(rest)
    # The model first; the keyword rules when it is unsure (the resident was asked for the kind).
    for decision in (decide(turn.services.classifier.classify(told_kind)), decide(classify_keywords(told_kind))):
        if decision.intent in TRIAGE_INTENTS and decision.kind in ("triage", "clarify"):
            return decision
    return None


def _known_kind(flow: FlowStateBase | None, words: list[Message]) -> str | None:
    """The kind of matter, when the dialogue or the resident's recent messages already say it."""
    if isinstance(flow, FaqOfferState):
        return flow.category
    if isinstance(flow, ClarifyState) and len(flow.choices) == 1:
        return flow.choices[0]
    return next((message.intent for message in reversed(words) if message.intent in TRIAGE_INTENTS), None)


def kind_chosen(turn: Turn, state: ClarifyState, category: str) -> str:
    """The resident said which kind of matter their request is about: its case goes to that role,
    in the room of the community the answer names (else the same room), its staff told; words
    beyond a number are added to the case (in place of "no story yet")."""
    turn.dialogue.end()
    ticket = turn.session.get(Ticket, state.ticket_id)
    if ticket is None or ticket.status not in OPEN_STATUSES:
        return transfer(turn)
    label = CATEGORIES[category].label
    if phrases.steers_only(turn.text):
        link_message(turn.session, ticket, turn.message, note=f"居民说明是{label}")
        heard = f"好的，{label}。"
    else:
        _add_words(turn, ticket)
        heard = "好的，您说的情况已记到工单里。"
    named = _community_in(turn, turn.text)
    if named is not None:
        community.remember(turn, named)
    room = routing_unit(turn.session, named, ticket.collective) if named is not None else None
    if CATEGORIES[category].role != ticket.role or (room is not None and room.id != ticket.unit_id):
        _reroute(turn, ticket, category, room)
    if room is not None:
        ticket.community_id = named_community(named, room)
    return f"{heard}工单 {ticket.number} 已转给{who_answers(turn, ticket)}，工作人员会在这里直接回复您。\n{ADD_TO_CASE}"


def _add_words(turn: Turn, ticket: Ticket) -> None:
    """The resident's words about the matter go on the case; they replace "no story yet"."""
    if ticket.description.startswith(NO_STORY):
        turn.message.ticket_id = ticket.id
        ticket.description = turn.message.content + ticket.description.removeprefix(NO_STORY)
        turn.session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note="居民说明情况"))
        return
    attach_message(turn.session, ticket, turn.message, note="居民说明情况")


def _reroute(turn: Turn, ticket: Ticket, category: str, room: Unit | None = None) -> None:
    """The case moves to the role of its kind, in the room named (else its room), with that kind's
    deadlines; the staff now answering it are told once."""
    session, services = turn.session, turn.services
    unit = room or session.get_one(Unit, ticket.unit_id)
    ticket.unit_id, ticket.category, ticket.role = unit.id, category, CATEGORIES[category].role
    ticket.due_at = first_response_due(unit, category, ticket.urgent, ticket.collective, ticket.created_at)
    note = f"居民说明是{CATEGORIES[category].label}，转给{unit.office_name}的{role_title(ticket.role, unit.level)}"
    session.add(TicketEvent(ticket_id=ticket.id, status=ticket.status, note=note, actor=SYSTEM))
    ticket.person_alerted_at = utcnow()
    alerts.new_case(session, services.jobs, services.settings.console_base_url, ticket, CATEGORIES[category].label)


def request_status(turn: Turn, ticket: Ticket, request: person_requests.Request, now: datetime | None = None) -> str:
    """Where a request nobody answered yet stands: when it was passed to whom — told again, not promised again."""
    requested_at = ticket.person_requested_at
    if requested_at is None:  # a request asked again: the first one is on the case
        raise ValueError(f"case {ticket.number} has no request for a person waiting")
    now = now or utcnow()
    ago = "刚才" if now - requested_at < JUST_NOW else f"{person_requests.waited(ticket, now)}前"
    asked = requested_at.astimezone(CHINA)
    lines = [
        f"您{ago}（{asked:%H:%M}）要求了人工，工单 {ticket.number} 已转给{who_answers(turn, ticket)}，"
        "工作人员还没有回复您。"
    ]
    if request.alerted:
        lines.append("刚刚已再次提醒工作人员。")
    unit = turn.session.get_one(Unit, ticket.unit_id)
    opening = next_opening(unit.hours, now) if unit.hours else None
    if opening is not None:
        lines.append(f"现在不在工作时间，工作人员会在{opening_words(opening, now)}上班后回复您。")
    elif unit.phone and not no_calls(ticket):
        lines.append(f"着急的话可以直接拨打{unit.office_name}电话 {unit.phone}。")
    return "".join(lines)


def who_answers(turn: Turn, ticket: Ticket) -> str:
    """The room and role that answer this case, and the person when the room has one in that role."""
    unit = turn.session.get_one(Unit, ticket.unit_id)
    title = role_title(ticket.role, unit.level)
    people = [person for person in staff_for(turn.session, unit.id, ticket.role) if person.active]
    return f"{unit.office_name}的{people[0].name}（{title}）" if len(people) == 1 else f"{unit.office_name}的{title}"


def complaint(turn: Turn) -> str:
    """Any-time "我要投诉你们": heard kindly, a person offered, and where to complain about the
    service (the district centre, from the directory)."""
    ticket = latest_open_ticket(turn.session, turn.resident.id)
    if ticket is not None:
        link_message(turn.session, ticket, turn.message, note="居民对服务不满意")  # staff see it; not case content
    reply = "非常抱歉让您不满意，您的意见我们会认真对待。回复“转人工”，我马上请工作人员联系您。"
    centre = district_centre(turn.session)
    if centre is None:
        return reply
    reach = "，".join(
        part
        for part in (
            f"电话 {centre.phone}" if centre.phone else "",
            f"地址 {centre.address}" if centre.address else "",
        )
        if part
    )
    return f"{reply}\n对我们的服务有意见，也可以直接向{centre.office_name}反映：{reach}。"


def when_to_expect(unit: Unit | None, now: datetime | None = None, calls: bool = True) -> str:
    """When a person will answer — now in office hours, else when the room opens — and how to
    reach the room sooner, from the directory (no phone number for one who cannot call: `calls`)."""
    if unit is None:
        hotline = "；着急的话可以拨打 12348 公共法律服务热线" if calls else ""
        return f"工作人员会在工作时间尽快回复您{hotline}。"
    phone = f"着急的话可以直接拨打{unit.office_name}电话 {unit.phone}。" if unit.phone and calls else ""
    if not unit.hours:
        return f"工作人员会在工作时间尽快回复您。{phone}"
    now = now or utcnow()
    opening = next_opening(unit.hours, now)
    if opening is None:
        return f"现在是工作时间（{unit.hours}），工作人员看到后会尽快在这里回复您。{phone}"
    return f"现在不在工作时间（{unit.hours}），工作人员会在{opening_words(opening, now)}上班后回复您。{phone}"
