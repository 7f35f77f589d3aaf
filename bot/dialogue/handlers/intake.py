"""Intake: gather what the room needs (what happened, where, a phone), then open the case."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.cases.directory import communities_named, match_communities, street_named
from bot.cases.tickets import CaseRequest, open_ticket, response_promise, routing_unit
from bot.categories import CATEGORIES, GENERAL_CATEGORY, role_label, role_title
from bot.dialogue.flows import Contact, FaqOfferState, IntakeState, MoreWords, OtherMatter, Question
from bot.dialogue.handlers import community
from bot.dialogue.handlers.staff_reply import NEW_MATTER
from bot.dialogue.turn import Turn
from bot.nlu import answers, phrases, step_answers
from bot.nlu.answers import Answer
from bot.nlu.cues import asks_fee, asks_office_hours
from bot.nlu.signals import is_collective
from bot.storage.base import utcnow
from bot.storage.directory import Unit
from bot.storage.tickets import open_case_noted
from bot.wechat.text import LANDLINE_RE, PHONE_RE, digit_count, find_landline, find_phone, mask_personal_numbers

# The area code of the city the district is in (江汉区, Wuhan): a landline given without one is local.
LOCAL_AREA_CODE = "027"
# Fewer characters than this and the room would have to call back just to learn what happened.
MIN_DESCRIPTION_CHARS = 10
# How much of a question or a story a one-line preview repeats back.
SUMMARY_CHARS = 60
# How much of the resident's story the confirmation repeats back (the case keeps all of it).
SUMMARY_STORY_CHARS = 120
# Said under a story shortened in the confirmation, so no one thinks the middle was lost.
SHORTENED = "（共 {count} 字，都已记下并会转给工作人员；这里只显示开头和结尾）"

ASK_DETAILS = "请简单说说发生了什么：什么时间、在哪里、和谁有关、现在怎么样了。"
ASK_MORE_DETAILS = "能再多说几句吗？比如什么时间开始的、具体情况、您希望怎么解决。"
ASK_PHONE = (
    "为了方便{role}联系您，愿意留一个手机号吗？直接回复手机号即可；不方便就回复“不留”。\n（号码只用于处理本次事项）"
)
WHAT_THE_PHONE_IS_FOR = "号码只给处理这件事的工作人员，方便他们打电话了解情况、约时间，不会给别人，也不会用来做别的事。"
NO_PHONE_OK = "好的，不留电话也可以办，工作人员会在这里用文字联系您。"
ASK_THE_NUMBER = "好的，请直接回复您的手机号（11 位），座机请带区号。"
EARLIER_PHONE = "（上次留的；这次不想留的话回复“不留电话”）"
CONFIDENTIAL = (
    "明白您的顾虑。您反映的情况和您的信息都会保密，不会让对方知道是您反映的。"
    "不留电话也可以办，工作人员会在微信里用文字联系您，不会给您打电话。"
)
# Notes for staff on how to reach the resident (in the case, not read back as the resident's words).
NO_CALLS_NOTE = "居民不便接打电话，请用文字联系"
CONFIDENTIAL_NOTE = "居民担心被对方报复：请为其保密，用文字联系，不要打电话"
PHONE_AGAIN = "好的，请回复正确的完整手机号（11 位），或回复“不留”。"
BAD_PHONE = "这个号码好像不对，请回复 11 位手机号或带区号的座机号，或回复“不留”。"
ONE_DIGIT_SHORT = "这个号码好像少了一位，手机号是 11 位，请再发一次完整的号码，或回复“不留”。"
MOBILE_DIGITS = 11
CONFIRM_CHOICES = "回复 1 确认提交\n回复 2 我还要补充\n回复“取消”不办了"
LOCAL_ONLY = "邻里纠纷和物业问题需要当地的调解员、房管员上门处理，这边没法为您登记。"
# A cancelled intake can be taken up again this long after the cancel.
RESUME_WITHIN = timedelta(hours=2)
# A message this long tells something new rather than answering: not "还是帮我登记吧", not "不想留电话".
SHORT_REPLY_MAX_CHARS = 30


def start_case(
    turn: Turn,
    category: str | None = None,
    text: str | None = None,
    opening: int | None = None,
    message_ids: list[int] | None = None,
    intro: str | None = None,
) -> str:
    """Handler for the triage intents: begin gathering a case of this category; `intro` says where
    it goes instead of "明白，这属于…"."""
    category = category or turn.intent
    if category is None:  # the triage intent the message was dispatched to is the category
        raise ValueError("a case is started for a category")
    story = without_announcement(turn.story() if text is None else text)
    # A resident away whose matter is at one of the district's communities ("我在外地 我妈住花楼") is served here.
    here = community.community_of(turn) is not None or bool(communities_named(turn.session, story))
    place = community.elsewhere(story) if not here else None
    if place is not None and category != GENERAL_CATEGORY:
        turn.dialogue.end()
        return f"{community.elsewhere_note(turn, place)}\n{LOCAL_ONLY}"
    known = community.community_of(turn)
    state = begin(turn, category, opening, message_ids)
    state.place.no_community = place is not None
    add_story(turn, story)
    if intro is None:
        intro = f"明白，这属于{CATEGORIES[category].label}，我来帮您转给{role_label(category)}。"
    intro += "\n"
    if known is None and (home := community.community_of(turn)) is not None:  # said with the story: shown, to correct
        intro += f"已记下您住在{home.name}，不对的话直接回复正确的社区名称。\n"
    if place is not None:
        intro = f"{community.legal_question_from_elsewhere(turn, place, story)}\n"
    return intro + next_question(turn, state)


def without_announcement(story: str) -> str:
    """The story without the words that announce it as another matter ("还有个事，电梯坏了" → "电梯坏了")."""
    said = NEW_MATTER.match(story)
    rest = story[said.end() :].lstrip("，,。.：:；; ") if said else story
    return rest or story


def begin(turn: Turn, category: str, opening: int | None = None, message_ids: list[int] | None = None) -> IntakeState:
    """Start gathering a case; photos and fragments kept so far become part of it."""
    state = turn.dialogue.start(
        IntakeState(
            category=category,
            media=list(turn.dialogue.pending_media),
            opening=opening or turn.first_message_id(),
            message_ids=list(message_ids or []) + turn.fragment_ids(),
            contact=Contact(phone_from_before=bool(turn.resident.phone)),
        )
    )
    turn.dialogue.pending_media.clear()
    turn.dialogue.fragments.clear()
    return state


def add_story(turn: Turn, text: str) -> None:
    """Add the resident's words to the case being gathered, with any phone or community in them."""
    state = turn.dialogue.state(IntakeState)
    if text:
        state.parts.append(text)
        state.collective = state.collective or is_collective(text)
        _use_details_in(turn, text)
    keep_message(turn)


def keep_message(turn: Turn) -> None:
    """This message belongs to the case being gathered."""
    state = turn.dialogue.state(IntakeState)
    if turn.message.id not in state.message_ids:
        state.message_ids.append(turn.message.id)


def _use_details_in(turn: Turn, text: str) -> None:
    """A phone number or a community the resident already wrote need not be asked for."""
    phone = find_phone(text)
    if phone:
        turn.resident.phone = phone  # given unasked: the resident wants to be called
        turn.dialogue.state(IntakeState).contact.phone_from_before = False
    elif phrases.NO_PHONE_AT_ALL.search(text):  # "我冇得手机号": never asked for one, staff write
        contact = turn.dialogue.state(IntakeState).contact
        contact.phone_asked = contact.text_only = True
    if community.community_of(turn) is None:
        named = community.home_entity(turn, text) or community.home_named(turn, text)
        if named is not None:
            community.remember(turn, named)
        elif (home := community.home_street(turn, text)) is not None:  # "我住民意街这附近": its workstation
            place, (street, words) = turn.dialogue.state(IntakeState).place, home
            place.no_community, place.street_id, place.place_words = True, street.id, words


def next_question(turn: Turn, state: IntakeState) -> str:
    """Ask for the next missing piece, or for confirmation when nothing is missing."""
    state.misses = 0
    if not state.parts:
        state.step = "details"
        return ASK_DETAILS
    if community.community_of(turn) is None and not state.place.no_community:
        state.step = "community"
        return community.ASK_COMMUNITY
    if len("".join(state.parts)) < MIN_DESCRIPTION_CHARS and not state.details_asked:
        state.step, state.details_asked = "details", True
        return ASK_MORE_DETAILS
    if not turn.resident.phone and not state.contact.phone_asked and _cannot_take_calls(turn):
        state.contact.phone_asked = state.contact.text_only = True  # said on an open case (hiding, cannot talk)
    if not turn.resident.phone and not state.contact.phone_asked:
        state.step = "phone"
        return ASK_PHONE.format(role=who_answers(turn, state))
    state.step, state.summary_shown = "confirm", True
    return summary(turn, state)


def _cannot_take_calls(turn: Turn) -> bool:
    """True when the resident said on a case still open that they cannot take calls."""
    return open_case_noted(turn.session, turn.resident.id, NO_CALLS_NOTE)


def prompt(turn: Turn) -> str:
    """The question the intake is waiting on, to ask again after an interruption."""
    state = turn.dialogue.state(IntakeState)
    questions = {
        "details": ASK_DETAILS,
        "community": community.ASK_COMMUNITY,
        "phone": ASK_PHONE.format(role=who_answers(turn, state)),
        "confirm": CONFIRM_CHOICES,
    }
    return questions[state.step]


def who_answers(turn: Turn, state: IntakeState) -> str:
    """The role that will answer this case, as residents call it where the case goes."""
    return role_title(CATEGORIES[state.category].role, case_unit(turn, state).level)


def summary(turn: Turn, state: IntakeState) -> str:
    """What the case will say and where it will go, for the resident to confirm."""
    unit = case_unit(turn, state)
    story = "；".join(state.parts)
    if len(story) > SUMMARY_STORY_CHARS:
        # The beginning and the end: what was added last must show, or the resident cannot see it was taken.
        head = SUMMARY_STORY_CHARS * 2 // 3
        story = story[:head] + "……" + story[head - SUMMARY_STORY_CHARS :] + SHORTENED.format(count=len(story))
    lines = [
        "请确认要登记的事项：",
        f"类别：{CATEGORIES[state.category].label}",
        f"转给：{unit.office_name}（{who_answers(turn, state)}）",
        f"情况：{story}",
    ]
    if turn.resident.phone:
        earlier = EARLIER_PHONE if state.contact.phone_from_before else ""
        lines.append(f"电话：{mask_personal_numbers(turn.resident.phone)}{earlier}")
    if state.place.place_words:
        lines.append(f"位置：{state.place.place_words}")
    if state.contact.contact_time:
        lines.append(f"方便联系的时间：{state.contact.contact_time}")
    if state.contact.text_only:
        kept = "，您的信息会保密" if state.contact.confidential else ""
        lines.append(f"联系方式：不打电话，工作人员会在微信里用文字联系您{kept}")
    return "\n".join(lines + [CONFIRM_CHOICES])


def staff_notes(state: IntakeState) -> list[str]:
    """What staff must know about reaching the resident, for the case's description."""
    if state.contact.confidential:
        return [CONFIDENTIAL_NOTE]
    return [NO_CALLS_NOTE] if state.contact.text_only else []


def details_step(turn: Turn) -> str | None:
    """Step "details": any words of the story (an any-time phrase or a menu number is not a story)."""
    if phrases.anytime_intent(turn.text, in_flow=True):
        return None
    state = turn.dialogue.state(IntakeState)
    if phrases.choice_number(turn.text) is not None:  # "1" after "我还要补充": nothing to add, the summary again
        return next_question(turn, state)
    if state.summary_shown and submits_as_is(turn.text):  # "不是 我是说不用补充了 直接提交" after "请补充您的情况"
        keep_message(turn)
        reply = next_question(turn, state)
        return open_case(turn) if state.step == "confirm" else reply
    if (unit := _community_named_late(turn)) is not None:  # "青年社区" after "不知道": the community, not the story
        keep_message(turn)
        return community_chosen(turn, unit)
    add_story(turn, turn.text)
    return next_question(turn, state)


def _community_named_late(turn: Turn) -> Unit | None:
    """The one community a short answer names while the resident's community is not known yet."""
    if community.community_of(turn) is not None or len(turn.text) > community.PLACE_MAX_CHARS:
        return None
    named = communities_named(turn.session, turn.text)
    return named[0] if len(named) == 1 else None


def community_step(turn: Turn) -> str | None:
    """Step "community": a community name (or alias), a number from the list, "不知道", or another district."""
    state = turn.dialogue.state(IntakeState)
    if said := contact_time_said(turn):
        return said
    if (number_given := _phone_at_community(turn, state)) is not None:
        return number_given
    if community.asks_to_change(turn.text):  # "换社区": the question again, the words no story
        keep_message(turn)
        return "好的，社区重新说一下。\n" + community.ask_again_in_intake(turn, state)
    if community.place_unknown(turn.text):
        return _place_unknown(turn, state)
    place = community.elsewhere(turn.text, answering=True)
    if place is not None:
        return _lives_elsewhere(turn, state, place)
    if (named_first := _community_then_story(turn)) is not None:
        return named_first
    unit, matches = community.resolve_place(turn, turn.text, state.place.candidates)
    if unit is not None:
        keep_message(turn)
        return community_chosen(turn, unit)
    if matches:
        keep_message(turn)
        state.place.candidates = [match.id for match in matches]
        return community.which_of(matches)
    street = street_named(turn.session, turn.text) if len(turn.text) <= community.PLACE_MAX_CHARS else None
    if street is not None:  # "在民意街这附近": a street whose communities the directory does not list
        return _street_only(turn, state, street)
    if answers.CONCEPTS["thats_all"].found(turn.text) and len(turn.text) <= SHORT_REPLY_MAX_CHARS:
        return _community_still_needed(turn, state)
    return None


def _phone_at_community(turn: Turn, state: IntakeState) -> str | None:
    """A phone number typed at "which community": kept as the phone (not in the story); a community
    said with it is taken, else the community is asked again."""
    phone = find_phone(turn.text) or find_landline(turn.text) or step_answers.phone_number(turn.text)
    if not phone:
        return None
    rest = step_answers.without_number(LANDLINE_RE.sub("", PHONE_RE.sub("", turn.text)))
    named = communities_named(turn.session, rest) if len(rest) <= community.PLACE_MAX_CHARS else []
    if not step_answers.WORDS["number_only"].found(rest) and len(named) != 1:
        return None  # more than a number: read as any answer (the story keeps it, and the phone is taken)
    keep_message(turn)
    turn.resident.phone = phone
    state.contact.phone_asked, state.contact.phone_from_before = True, False
    if len(named) == 1:
        return "好的，电话记下了。" + community_chosen(turn, named[0])
    return "好的，电话记下了。还需要知道您住在哪个社区，才能转给负责的工作人员。\n" + next_question(turn, state)


def _community_then_story(turn: Turn) -> str | None:
    """ "八古墩的 楼上天天漏水…" at "which community": the one community the first words name is the
    answer, and what follows (naming no other community nor a place) is more of the story."""
    parts = answers.clauses(turn.text)
    if len(parts) < 2 or len(parts[0]) > community.PLACE_MAX_CHARS:
        return None
    named = communities_named(turn.session, parts[0])
    if len(named) != 1 or any(communities_named(turn.session, part) for part in parts[1:]):
        return None  # "八古墩 不对 是西桥": a correction, read as any answer
    story = [
        part
        for part in parts[1:]
        if not (community.sounds_like_a_place(part) or phrases.FILLER.match(part) or phrases.UNKNOWN_PLACE.search(part))
    ]
    if len("".join(story)) < STORY_AFTER_PLACE_MIN_CHARS:
        return None  # "八古墩 那边", "八古墩的 嗯": the place alone, read as any answer
    community.remember(turn, named[0])  # first: the story's words name no other home
    add_story(turn, turn.text[turn.text.find(parts[1]) :])
    return community_chosen(turn, named[0])


# Words after the community this long at least tell something of the story ("楼上天天漏水").
STORY_AFTER_PLACE_MIN_CHARS = 4


def _street_only(turn: Turn, state: IntakeState, street: Unit) -> str:
    """A street named at "which community", none of whose rooms the directory knows: its workstation
    takes the case, with the resident's words about the place for staff."""
    keep_message(turn)
    state.place.no_community, state.place.street_id = True, street.id
    state.place.place_words = community.place_words(turn.text)
    office = case_unit(turn, state).office_name
    return f"好的，先转给{office}，由他们帮您对接具体的社区。\n" + next_question(turn, state)


def _community_still_needed(turn: Turn, state: IntakeState) -> str:
    """ "行了 就这些 交上去" at "which community": the story is told, the community is still needed
    (the list offered stays, so its numbers still count)."""
    keep_message(turn)
    ask = (
        f"请回复社区前面的数字，或直接回复社区名称。\n{community.numbered_choices(_offered(turn, state))}"
        if state.place.candidates
        else community.ASK_COMMUNITY
    )
    return f"好的，您说的情况都记下了。还差一步：需要知道您住在哪个社区，才能转给负责的工作人员。\n{ask}"


def _place_unknown(turn: Turn, state: IntakeState) -> str:
    """ "不知道" at "which community": a street named goes to its workstation, else the district
    centre; the resident's words about the place ("就在万松园路那边") are kept for staff."""
    keep_message(turn)
    state.place.no_community = True
    state.place.place_words = community.place_words(turn.text)
    street = street_named(turn.session, turn.text) or _street_of_candidates(turn, state)
    state.place.street_id = street.id if street is not None else None
    office = case_unit(turn, state).office_name
    kept = f"您说的“{state.place.place_words}”会写进工单，方便工作人员对接。" if state.place.place_words else ""
    return f"没关系，我们先转给{office}，由他们帮您对接。{kept}\n" + next_question(turn, state)


def _street_of_candidates(turn: Turn, state: IntakeState) -> Unit | None:
    """The street whose rooms the resident was just offered ("唐家墩那边" → its list), if one."""
    rooms = [turn.session.get(Unit, unit_id) for unit_id in state.place.candidates]
    streets = {room.parent_id for room in rooms if room is not None}
    return turn.session.get(Unit, streets.pop()) if len(streets) == 1 and None not in streets else None


def case_unit(turn: Turn, state: IntakeState) -> Unit:
    """Where the case being gathered will go: the community's room, the street named, else the centre."""
    street = turn.session.get(Unit, state.place.street_id) if state.place.street_id is not None else None
    return routing_unit(turn.session, community.community_of(turn) or street, state.collective)


def _lives_elsewhere(turn: Turn, state: IntakeState, place: str) -> str:
    """The resident lives in another district: a legal question goes on to the district centre."""
    if state.category != GENERAL_CATEGORY:
        turn.dialogue.end()
        return f"{community.elsewhere_note(turn, place)}\n{LOCAL_ONLY}您说过的内容都已保存。"
    if community.works_here(turn.text):
        add_story(turn, turn.text)  # why a resident of another district is served here, for staff
    keep_message(turn)
    state.place.no_community = True
    return f"{community.legal_question_from_elsewhere(turn, place, turn.text)}\n" + next_question(turn, state)


# At a later step, a message this short may name the community again, even misspelt ("八古敦").
NAMED_AGAIN_MAX_CHARS = 8
# An answer to "which community" this long that names no place is a piece of the story.


def community_miss(turn: Turn) -> str:
    """What to say when the answer to "which community" named none we know: a place we do not
    know is said so; words that name no place at all ("滴到我床上了") are more of the story."""
    if community.sounds_like_a_place(turn.text):
        return community.not_found(turn.text)
    if phrases.choice_number(turn.text) is not None:  # "1" with no list on offer: no place and no story
        return "请直接回复您住的社区名称，或发送您的位置。\n不清楚的话回复“不知道”。"
    if answers.CONCEPTS["affirmation"].found(turn.text):  # "嗯呐", "要得": a yes, neither place nor story
        return "好的。\n" + community.ASK_COMMUNITY
    if phrases.FILLER.match(turn.text) or phrases.steers_only(turn.text):  # "随便吧": no place and no story
        return "没太明白您住在哪里。\n" + community.ASK_COMMUNITY
    add_story(turn, turn.text)
    return "收到，已记到您的描述里。\n" + community.ASK_COMMUNITY


def community_chosen(turn: Turn, unit: Unit, by_location: bool = False) -> str:
    """The resident's community is known: remember it and go on."""
    state = turn.dialogue.state(IntakeState)
    community.remember(turn, unit)
    state.place.candidates = []
    state.place.no_community = False
    state.place.street_id = None
    how = "根据您的位置，" if by_location else ""
    return f"{how}已记下：{unit.name}。\n" + next_question(turn, state)


def location_pin(turn: Turn) -> str:
    """A location pin during an intake: the nearest room answers the community question."""
    state = turn.dialogue.state(IntakeState)
    unit = community.nearest_to_pin(turn)
    keep_message(turn)
    if unit is None:
        return community.FAR_AWAY
    if state.step == "community" or community.community_of(turn) is None:
        return community_chosen(turn, unit, by_location=True)
    return f"位置收到了，离您最近的是{unit.name}。\n" + next_question(turn, state)


def phone_step(turn: Turn) -> str | None:
    """Step "phone": a mobile number; "不留/不用了/算了/不知道" mean no phone, "冇得电话" no phone at
    all (staff write); a corrected community is taken; a plain yes or no is read by the step's
    question (FLOWS); anything else is not an answer (the router reads it: more story, a question, …)."""
    state, text = turn.dialogue.state(IntakeState), turn.text
    # A landline is asked for, so it counts here; a number read out in groups ("幺三八 零七一二 …") too.
    phone = find_phone(text) or find_landline(text) or step_answers.phone_number(text) or _local_landline(text)
    if phone:
        keep_message(turn)
        turn.resident.phone = phone
        state.contact.phone_asked, state.contact.phone_from_before = True, False
        state.contact.contact_time = contact_time_in(text) or state.contact.contact_time
        return next_question(turn, state)
    if same_matter(text):  # "我现在好了 就是想要赔偿": more of the story, no yes to a phone
        add_story(turn, text)
        return "收到，已记到您的描述里。\n" + prompt(turn)
    if phrases.NO_PHONE_AT_ALL.search(text) and len(text) <= SHORT_REPLY_MAX_CHARS:  # "冇得电话 不留"
        keep_message(turn)
        state.contact.phone_asked = state.contact.text_only = True
        return f"{NO_PHONE_OK}\n" + next_question(turn, state)
    if phrases.NO_PHONE.match(text) or phrases.SKIP.match(text):
        return no_phone(turn)
    if said := _when_to_call(text):  # "可以打电话 但是白天上班 晚上7点以后打": a time to call, the number to come
        keep_message(turn)
        state.contact.contact_time = said
        return f"好的，已记下：{said}，工作人员会尽量按这个时间联系您。\n{NUMBER_PLEASE}"
    if community.asks_to_change(text):  # "换社区" at the phone question: the community again, no move of house
        keep_message(turn)
        return "好的，社区重新说一下。\n" + community.ask_again_in_intake(turn, state)
    if phrases.WHY_PHONE.search(text):  # "你们要我电话干嘛"
        return f"{WHAT_THE_PHONE_IS_FOR}\n{prompt(turn)}"
    if phrases.WILL_LEAVE_PHONE.match(text):  # "好的可以留电话": the number is still to come
        return number_to_come(turn)
    if phrases.FEARS_RETALIATION.search(text):  # "不敢打电话 怕那家人报复"
        keep_message(turn)
        state.contact.phone_asked = state.contact.text_only = state.contact.confidential = True
        return f"{CONFIDENTIAL}\n" + next_question(turn, state)
    if phrases.NOT_THE_PHONE.search(text) and len(text) <= SHORT_REPLY_MAX_CHARS:  # "不是不办 是不想留电话"
        keep_message(turn)
        state.contact.phone_asked = True
        return f"{NO_PHONE_OK}\n" + next_question(turn, state)
    if phrases.NO_CALLS.found(text):  # "我是聋哑人打不了电话": no phone, and staff must write
        keep_message(turn)
        state.contact.phone_asked = state.contact.text_only = True
        return f"{NO_PHONE_OK}\n" + next_question(turn, state)
    if answers.CONCEPTS["no_phone_reason"].found(text) and len(text) <= SHORT_REPLY_MAX_CHARS:
        keep_message(turn)  # "物业有我电话 不用了", "不用了 微信上回我就行": no phone, written to here
        state.contact.phone_asked = True
        return f"{NO_PHONE_OK}\n" + next_question(turn, state)
    if community.corrected_community(turn, text) is not None:  # "社区说错了 是打铜社区的": a correction, not a no
        return _community_corrected(turn)
    if len(text) <= SHORT_REPLY_MAX_CHARS and step_answers.says(text, step_answers.Label.NO, step_answers.Step.PHONE):
        return no_phone(turn)  # "没必要留", "电话莫留了": a no the model knows and the words above miss
    digits = max(digit_count(text), step_answers.digits_read_out(text))  # "幺五幺两七…": 两 is a digit too
    if digits >= 7:  # a number, but no phone number: typed or read out wrong
        keep_message(turn)
        return ONE_DIGIT_SHORT if digits == MOBILE_DIGITS - 1 else BAD_PHONE
    if phrases.anytime_intent(text, in_flow=True):
        return None
    return _community_corrected(turn)


def _local_landline(text: str) -> str | None:
    """ "座机85764321", "屋里座机八五七六四三二一": a landline of the district's city without its area code."""
    return step_answers.local_landline(text, LOCAL_AREA_CODE) if phrases.LANDLINE_SAID.search(text) else None


NUMBER_PLEASE = "请直接回复您的手机号（11 位），座机请带区号；不方便留就回复“不留”。"


def _when_to_call(text: str) -> str:
    """When to call, said at the phone question without a number, in the resident's words without
    a leading yes ("可以打电话 但是…晚上7点以后打" keeps "但是白天上班 晚上7点以后打"); else ""."""
    said = contact_time_in(text)
    if not said:
        return ""
    parts = answers.clauses(said)
    while len(parts) > 1 and answers.CONCEPTS["affirmation"].found(parts[0]):
        parts.pop(0)
    return " ".join(parts)


ASIDE_WORDS = answers.load(answers.ANSWERS_FILE.with_name("aside_words.yml"))
# "不留", "号码就不留了": no phone, in so many words (bot/data/aside_words.yml) — at the summary a bare
# "不" is a no to the summary, these are not.
LEAVE_NONE = ASIDE_WORDS["leave_none"]


def same_matter(text: str) -> bool:
    """True when the message says what the resident wants of the matter being registered, or how
    they are now ("我现在好了 就是想要赔偿"): more of its story, not another matter nor a yes."""
    return ASIDE_WORDS["wants_from_it"].found(text)


def number_to_come(turn: Turn) -> str:
    """Yes to "愿意留一个手机号吗" ("是的", "要得"): the number is asked for."""
    keep_message(turn)
    return ASK_THE_NUMBER


def no_phone(turn: Turn) -> str:
    """No to "愿意留一个手机号吗" ("不留", "冇得", "莫打电话"): the case goes on without one."""
    state = turn.dialogue.state(IntakeState)
    keep_message(turn)
    state.contact.phone_asked = True
    return next_question(turn, state)


def contact_time_in(text: str) -> str:
    """When the resident says to call ("最好晚上打"), in their words without the number; else ""."""
    words = LANDLINE_RE.sub("", PHONE_RE.sub("", text)).strip(" ，,。.！!")
    if len(words) > phrases.CONTACT_TIME_MAX_CHARS or not phrases.CONTACT_TIME.search(words):
        return ""
    return words


def contact_time_said(turn: Turn) -> str | None:
    """ "最好晚上打" at any step of an intake: kept for staff, and the pending question asked again."""
    if find_phone(turn.text):
        return None
    said = contact_time_in(turn.text)
    if not said:
        return None
    state = turn.dialogue.state(IntakeState)
    state.contact.contact_time = said
    keep_message(turn)
    next_words = prompt(turn) if state.step != "confirm" else summary(turn, state)
    return f"好的，已记下：{said}，工作人员会尽量按这个时间联系您。\n{next_words}"


def summary_corrected(turn: Turn) -> str | None:
    """At the summary, before yes or no: "还是给我登记上吧" submits it; a part corrected ("社区不对"),
    the phone declined ("不想留电话") or a time to call is taken; None otherwise."""
    state = turn.dialogue.state(IntakeState)
    if submits_as_is(turn.text):  # "直接提交", "不用补充了": a yes, whatever no it comes with
        return confirmed(turn)
    if same_matter(turn.text):  # "我现在好了 就是想要赔偿": added to the story, no yes to the summary
        return confirm_step(turn)
    if phrases.RESUME.search(turn.text) and len(turn.text) <= SHORT_REPLY_MAX_CHARS:
        if "还是" in turn.text:  # "想好了 还是帮我交上去吧"
            return confirmed(turn)
        keep_message(turn)  # "刚才那个电梯的事 继续登记": the draft held at the summary, shown again
        return "好的，接着刚才的登记，您之前说的情况都还在。\n" + summary(turn, state)
    if phrases.choice_number(turn.text) is None and (corrected := _part_corrected(turn, state)):
        return corrected
    if phrases.anytime_intent(turn.text, in_flow=True):
        return None
    if turn.resident.phone and _declines_phone(turn.text) or LEAVE_NONE.found(turn.text):
        return _drop_phone(turn, state)  # "不留" without a phone given: still no phone, not "more to add"
    return contact_time_said(turn)


def submits_as_is(text: str) -> bool:
    """True when a short message says to submit the case as it stands ("直接提交", "不用补充了")."""
    return len(text) <= SHORT_REPLY_MAX_CHARS and answers.CONCEPTS["submit_as_is"].found(text)


def confirm_step(turn: Turn) -> str | None:
    """Step "confirm": what is neither a yes (1) nor a no (2) nor a correction (summary_corrected)
    is more of the story, added; a number off the list, an any-time phrase or a question about the
    service is not an answer."""
    state = turn.dialogue.state(IntakeState)
    if phrases.choice_number(turn.text) is not None or phrases.anytime_intent(turn.text, in_flow=True):
        return None
    if asks_fee(turn.text) or asks_office_hours(turn.text):  # "这个要收钱不": answered, not the story
        return None
    if answers.CONCEPTS["farewell"].found(turn.text) and len(turn.text) <= SHORT_REPLY_MAX_CHARS:
        keep_message(turn)  # "好 再见": the draft held, not submitted and no story
        return HELD
    if phrases.STORY_CORRECTED.search(turn.text):
        add_story(turn, f"【更正】{turn.text}")
        return "收到，已把您的更正记上，工作人员会以更正为准。\n" + summary(turn, state)
    add_story(turn, turn.text)
    return "收到，已补充。\n" + summary(turn, state)


HELD = "好的，先不提交，您想好了回复“提交”就行，内容我先帮您留着。"


def not_yet(turn: Turn) -> str:
    """ "先别交" / "我再想想" at the summary: nothing is added and nothing opened; the draft stays at
    the summary (kept as long as the dialogue, longer than a cancelled intake) until "提交". With
    "我还有话说" the addition is invited; a question said with it is answered after (by the router)."""
    if answers.CONCEPTS["more_to_say"].found(turn.text):
        return "好的，先不提交，内容我先帮您留着。" + more_to_add(turn).removeprefix("好的，")
    held = answers.read(turn.text, (("not_yet", Answer.AGAIN), ("more_to_say", Answer.NO)))
    if held.rest:
        return "好的，先不提交，内容我先帮您留着。\n"
    return HELD


def confirmed(turn: Turn) -> str:
    """Yes to the summary: the case is opened."""
    keep_message(turn)
    return open_case(turn)


def more_to_add(turn: Turn) -> str:
    """No to the summary ("不", "2"): the resident adds to the story, then confirms again."""
    keep_message(turn)
    turn.dialogue.state(IntakeState).step = "details"
    return "好的，请补充您的情况，说完我再请您确认。"


def community_yes(turn: Turn) -> str | None:
    """A plain yes to "which community": the one community offered is taken; with several on offer
    the number is asked for; with none it answers nothing (None: a miss, as any unusable answer)."""
    state = turn.dialogue.state(IntakeState)
    if not state.place.candidates:
        return None
    keep_message(turn)
    if len(state.place.candidates) == 1:
        return community_chosen(turn, turn.session.get_one(Unit, state.place.candidates[0]))
    return f"请回复社区前面的数字，或直接回复社区名称。\n{community.numbered_choices(_offered(turn, state))}"


def community_no(turn: Turn) -> str:
    """A plain no to "which community" ("不是", "都不是"): the communities offered are dropped and
    the question is asked again, kindly."""
    state = turn.dialogue.state(IntakeState)
    keep_message(turn)
    state.place.candidates = []
    return "好的，那请再说一下您住的社区名称，或发送您的位置。\n不清楚的话回复“不知道”。"


def _offered(turn: Turn, state: IntakeState) -> list[Unit]:
    return [unit for unit_id in state.place.candidates if (unit := turn.session.get(Unit, unit_id)) is not None]


def _part_corrected(turn: Turn, state: IntakeState) -> str | None:
    """At the summary, a correction of the community or the phone: taken, or that question asked
    again ("社区搞错了 我是花楼的" names it; "号码也不对 最后两位是22" does not give it whole)."""
    if corrected := _community_corrected(turn):
        return corrected
    if phrases.PHONE_WRONG.search(turn.text):
        phone = find_phone(turn.text)
        keep_message(turn)
        if phone:
            turn.resident.phone = phone
            return "好的，电话改过来了。\n" + summary(turn, state)
        state.step = "phone"
        return PHONE_AGAIN
    if phrases.COMMUNITY_WRONG.search(turn.text) or community.asks_to_change(turn.text):
        keep_message(turn)
        return "好的，社区重新说一下。\n" + _ask_community_again(turn, state)
    return None


def _declines_phone(text: str) -> bool:
    """ "不想留电话" / "不留" at the summary: the resident wants no phone on this case."""
    return len(text) <= SHORT_REPLY_MAX_CHARS and bool(
        phrases.NOT_THE_PHONE.search(text) or phrases.NO_PHONE.match(text)
    )


def _drop_phone(turn: Turn, state: IntakeState) -> str:
    """The case goes without a phone, and the number on file is forgotten (asked again next time)."""
    keep_message(turn)
    turn.resident.phone = None
    state.contact.phone_asked, state.contact.phone_from_before = True, False
    return f"{NO_PHONE_OK}\n" + summary(turn, state)


def _community_corrected(turn: Turn) -> str | None:
    """A later answer that names a community: another one corrects the one given (no "上一步"
    needed), the same one is acknowledged, a near miss ("八古蹲") is offered to pick from."""
    unit = community.corrected_community(turn, turn.text)
    if unit is not None:
        keep_message(turn)
        return "好的，社区改过来了。" + community_chosen(turn, unit)
    if len(turn.text) > NAMED_AGAIN_MAX_CHARS or any(char.isdigit() for char in turn.text):
        return None
    matches = match_communities(turn.session, turn.text)
    current = community.community_of(turn)
    state = turn.dialogue.state(IntakeState)
    if current is not None and current in matches:
        keep_message(turn)
        return f"好的，您的社区是{current.name}，已记下。\n" + next_question(turn, state)
    if not matches:
        return None
    keep_message(turn)
    state.step, state.place.candidates = "community", [match.id for match in matches]
    return community.which_of(matches)


def resume_cancelled(turn: Turn) -> str | None:
    """ "还是帮我登记吧" (or "不是不办 是不想留电话") soon after a cancel: the intake goes on where it stopped."""
    cancelled = turn.dialogue.cancelled
    if cancelled is None or len(turn.text) > SHORT_REPLY_MAX_CHARS:
        return None
    if utcnow() - datetime.fromisoformat(cancelled.at) > RESUME_WITHIN:
        return None
    no_phone = bool(phrases.NOT_THE_PHONE.search(turn.text))
    if not (no_phone or RESUME_OFFER.read(turn.text).answer is Answer.YES):
        return None
    state = turn.dialogue.start(cancelled.state)
    keep_message(turn)
    intro = "好的，接着刚才的登记，您之前说的情况都还在。"
    if no_phone:
        state.contact.phone_asked = True
        intro = f"{NO_PHONE_OK}接着刚才的登记，您之前说的情况都还在。"
    return f"{intro}\n{next_question(turn, state)}"


# After a cancel: "改主意的话回复“继续登记”". A no ("不用帮我登记") or anything else is handed on as
# any message; "我不是不办 是不想留电话" (no phone, but go on) is read before it.
RESUME_OFFER = Question(
    words=(("negation", Answer.NO), ("resume", Answer.YES)),
    yes=resume_cancelled,
    no=None,
    more_words=MoreWords.KEPT,
    neither="handed on as any message (the cancelled intake is kept until another flow starts)",
)


def go_back(turn: Turn) -> str:
    """Return to the previous question: from the summary to the story, from the phone or "more
    details" to the community; at the first question there is none before (the router asks the
    question once, after these words)."""
    state = turn.dialogue.state(IntakeState)
    keep_message(turn)
    state.misses = 0
    if state.step == "confirm":
        state.details_asked = True
        state.step = "details"
        return "好的，请补充或更正您的情况描述。"
    if state.step == "details" and state.summary_shown:  # after "我还要补充": the summary again, as it was
        return next_question(turn, state).removesuffix(f"\n{CONFIRM_CHOICES}")
    if state.step == "phone" or (state.step == "details" and state.parts):
        _ask_community_again(turn, state)
        return "好的，回到上一步，社区重新说一下。"
    return "这已经是第一个问题了，前面没有可以返回的。"


def _ask_community_again(turn: Turn, state: IntakeState) -> str:
    """Forget the community given (and the place words or street instead of one) and ask again."""
    return community.ask_again_in_intake(turn, state)


def open_case(turn: Turn, note: str = "") -> str:
    """Open the case from what was gathered and tell the resident its number."""
    state = turn.dialogue.state(IntakeState)
    request = CaseRequest(
        category=state.category,
        description="\n".join(state.parts) or "（居民要求人工服务）",
        unit=case_unit(turn, state),
        phone=turn.resident.phone,
        urgent=state.urgent,
        collective=state.collective,
        opening_message_id=state.opening,
        message_ids=state.message_ids,
        media_ids=state.media,
        contact_time=state.contact.contact_time,
        place_words=state.place.place_words,
        staff_notes=staff_notes(state),
    )
    ticket = open_ticket(turn.session, turn.resident, request)
    unit = turn.session.get_one(Unit, ticket.unit_id)
    turn.dialogue.end()
    turn.opened_ticket = ticket
    label = CATEGORIES[ticket.category].label
    kind = f"紧急工单（{label}）" if ticket.urgent else f"{label}工单"
    lines = [
        f"{note}已为您登记{kind}，编号 {ticket.number}。",
        f"已转给{unit.office_name}的{role_title(ticket.role, unit.level)}，{response_promise(ticket)}。",
    ]
    if ticket.collective and unit.level == "street":
        lines.insert(1, "这件事涉及多户居民，已直接交给街道公共法律服务工作站统一处理。")
    if ticket.contact_phone:
        lines.append(f"联系电话：{mask_personal_numbers(ticket.contact_phone)}")
    # In an emergency (a life at risk, someone who wants to die) photos are not what to ask for.
    photos = "" if ticket.urgent else "有照片可以直接发给我，会附在工单里；"
    lines.append(f"{photos}回复“我的工单”可随时查看进度。")
    if state.other is not None:
        lines.append(offer_other_matter(turn, state.other))
    return "\n".join(lines)


def keep_other_matter(turn: Turn, category: str) -> str:
    """A different kind of matter raised in the middle: kept, and offered once this case is opened."""
    state = turn.dialogue.state(IntakeState)
    state.other = OtherMatter(turn.text, category, turn.message.id)
    return (
        f"这件事和正在登记的{CATEGORIES[state.category].label}不是一类，我先记下了；"
        f"这边登记完，再帮您转给{role_label(category)}。"
    )


def offer_other_matter(turn: Turn, other: OtherMatter) -> str:
    """After the case is opened: ask whether the other matter raised meanwhile gets its own case."""
    offer = turn.dialogue.start(
        FaqOfferState(category=other.category, question=other.text, opening=other.message_id, other_matter=True)
    )
    return f"\n{other_matter_offer(offer)}"


def other_matter_offer(offer: FaqOfferState) -> str:
    """Whether the other matter raised during an intake gets its own case (asked again as it stands)."""
    about = offer.question if len(offer.question) <= SUMMARY_CHARS else offer.question[:SUMMARY_CHARS] + "…"
    return (
        f"您刚才还提到：“{about}”。要为这件事另外登记吗？\n回复 1 登记，转给{role_label(offer.category)}\n回复 2 不用了"
    )


def way_out(turn: Turn) -> str:
    """After two answers the intake could not use: how to get on anyway."""
    return "如果不方便回答，可以回复“不知道”跳过，回复“转人工”直接找工作人员，或回复“取消”不办了。"
