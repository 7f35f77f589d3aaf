"""Asking one short question with numbered choices instead of guessing."""

from __future__ import annotations

from bot.cases.directory import communities_named, normalize_place
from bot.cases.place_words import says
from bot.categories import CATEGORIES, GENERAL_CATEGORY, TRIAGE_INTENTS, role_label
from bot.dialogue.flows import ClarifyState, Fragment
from bot.dialogue.handlers import community, human, intake
from bot.dialogue.turn import Turn
from bot.nlu import phrases, step_answers
from bot.storage.directory import Unit
from bot.training import review

CHOICE_QUESTION = "您说的情况更接近哪一类？"
# The two rooms a problem of the shared building may be for (bot/data/place_words.yml `shared_building`).
SHARED_ROOMS = ("neighbor_dispute", "property_complaint")
# When the only room on offer is the community lawyer, the question is whether it is a legal one.
LEGAL_ONLY_QUESTION = "这是想咨询法律问题吗？"
# "人呢" while the question that picks the person waits.
PERSON_COMING = "工作人员看到后会在这里回复您。先告诉我是哪类问题，好转给对的人："
NONE_OF_THESE = "好的，麻烦您换个说法再描述一下情况，或回复“转人工”联系工作人员。"
# "都不是" when not every kind was offered: the three kinds, and a person.
OTHER_KINDS = "好的。那您说的情况更接近下面哪一类？"
OR_A_PERSON = "都不像的话，回复“转人工”，工作人员会直接跟您了解情况。"
# "都不是" after a request for a person: the case waits for a person anyway.
PERSON_WILL_ASK = "好的，工作人员看到后会直接跟您了解情况。"
# "不晓得" at a choice of rooms: the likeliest takes it, and the resident hears it may move.
NOT_SURE = "不确定也没关系，先转给{role}；如果不归他们管，工作人员会帮您转给对的人。"
# What may stand around a community's name in a message that only tells the place ("我住在", "这边").
PLACE_ONLY_REST = 4
# Words typed from a menu line this long pick it ("物业", "律师"); one character could be anything.
MENU_WORDS_MIN_CHARS = 2
# A don't-know this short ("不晓得", "不晓得是么社区") answers nothing but the question itself.
DONT_KNOW_MAX_CHARS = 12


def ask(turn: Turn, choices: list[str], question: str | None = None, for_person: bool = False) -> str:
    """Ask the resident to pick a category by number."""
    about = "" if for_person else turn.story()
    choices = with_both_rooms(list(choices), about)
    if question is None:
        question = LEGAL_ONLY_QUESTION if list(choices) == [GENERAL_CATEGORY] else CHOICE_QUESTION
    turn.dialogue.start(
        ClarifyState(
            choices=list(choices),
            question=about,
            opening=turn.first_message_id(),
            message_ids=turn.fragment_ids() + [turn.message.id],
            for_person=for_person,
        )
    )
    turn.dialogue.fragments.clear()
    return "\n".join([question, choice_lines(choices, for_person)])


def with_both_rooms(choices: list[str], text: str) -> list[str]:
    """The choices, with the mediator's and the property officer's rooms both offered when the words
    fit both ("漏水", "停车位被人占了": a neighbour or the property may be at fault) and one of them,
    or only the lawyer, is (the two rooms then come before the lawyer)."""
    offered = [room for room in SHARED_ROOMS if room in choices]
    if len(offered) == 2 or not says("shared_building", text):
        return choices
    if not offered:
        return [*SHARED_ROOMS, *choices] if choices == [GENERAL_CATEGORY] else choices
    other = next(room for room in SHARED_ROOMS if room not in choices)
    at = choices.index(offered[0]) + 1
    return [*choices[:at], other, *choices[at:]]


def choice_lines(choices: list[str], for_person: bool = False) -> str:
    """The numbered choices, and "none of these" when not every category is offered."""
    lines = [f"回复 {index} {CATEGORIES[intent].hint}" for index, intent in enumerate(choices, 1)]
    if len(choices) < len(TRIAGE_INTENTS):
        lines.append(f"回复 {len(choices) + 1} 都不是")
    if for_person:
        lines.append("也可以直接用一句话说说您的情况。")
    return "\n".join(lines)


def prompt(turn: Turn) -> str:
    """The pending numbered question, to ask again."""
    state = turn.dialogue.state(ClarifyState)
    return choice_lines(state.choices, state.for_person)


def choose_step(turn: Turn) -> str | None:
    """Step "choose": a number, or words that name a kind of case (a plain yes or no is read by the
    step's question in FLOWS)."""
    state = turn.dialogue.state(ClarifyState)
    pick = phrases.choice_number(turn.text) or step_answers.choice_number(turn.text, len(state.choices) + 1)
    if pick is not None and 1 <= pick <= len(state.choices):
        return _chosen(turn, state, state.choices[pick - 1], text=state.question)
    if pick == len(state.choices) + 1:
        if state.ticket_id is None and not state.for_person:
            return all_kinds(turn, state)
        turn.dialogue.end()
        return PERSON_WILL_ASK if state.ticket_id is not None else NONE_OF_THESE
    if pick is not None or phrases.anytime_intent(turn.text, in_flow=True):
        return None
    if (place := _community_told(turn)) is not None:
        # "青年社区" at the menu: the place is kept for the case, the kind is still to choose.
        community.remember(turn, place)
        return f"已记下您住在{place.name}。还要请您选一下是哪一类：\n{prompt(turn)}"
    if _does_not_know(turn, state):
        # The room offered first (the likeliest) takes the story: staff pass it on when it is not
        # theirs, which asks less of the resident than a choice they cannot make. Its intake asks
        # the community, where "不晓得" has its own answer, and nothing the resident told is lost.
        category = state.choices[0]
        intro = NOT_SURE.format(role=role_label(category)) if len(state.choices) > 1 else None
        return _chosen(turn, state, category, text=state.question, intro=intro)
    return _answer_in_words(turn, state)


def _community_told(turn: Turn) -> Unit | None:
    """The one community a short message names, when it tells nothing else of a kind of case."""
    if len(turn.text) > community.PLACE_MAX_CHARS:
        return None
    named = communities_named(turn.session, turn.text)
    if len(named) != 1 or not community.sounds_like_a_place(turn.text):
        return None
    rest = normalize_place(turn.text)
    for name in sorted([named[0].name, *named[0].aliases], key=len, reverse=True):
        rest = rest.replace(name, "")
    # "我住青年社区" tells the place only; "青年社区的物业不管事" tells the kind of case too.
    return named[0] if len(rest) <= PLACE_ONLY_REST else None


def _does_not_know(turn: Turn, state: ClarifyState) -> bool:
    asked_for_a_room = state.ticket_id is None and not state.for_person
    short = len(turn.text) <= DONT_KNOW_MAX_CHARS
    return asked_for_a_room and short and bool(phrases.UNKNOWN_PLACE.search(turn.text))


def yes(turn: Turn) -> str:
    """A plain yes: the one kind of case asked about ("这是想咨询法律问题吗？" — "是的"), else the
    numbers are asked for again, kindly."""
    state = turn.dialogue.state(ClarifyState)
    if len(state.choices) == 1:
        return _chosen(turn, state, state.choices[0], text=state.question)
    return f"请回复前面的数字选一类，我好转给对的人：\n{prompt(turn)}"


def no(turn: Turn) -> str:
    """A plain no ("不是", "都不是", "不用了"): none of these; nothing is opened and what was asked
    about is kept with the next message."""
    state = turn.dialogue.state(ClarifyState)
    if state.ticket_id is None and not state.for_person and len(state.choices) < len(TRIAGE_INTENTS):
        return all_kinds(turn, state)
    leave(turn)
    if state.ticket_id is not None:  # the request for a person is a case already: a person will ask
        return PERSON_WILL_ASK
    if state.for_person:
        return "好的，先不转。需要时回复“转人工”，或直接说说您的情况。"
    return NONE_OF_THESE


def all_kinds(turn: Turn, state: ClarifyState) -> str:
    """None of the kinds offered ("2 都不是"): all three kinds, and a person, asked about the same words."""
    turn.dialogue.start(
        ClarifyState(
            choices=list(TRIAGE_INTENTS),
            question=state.question,
            opening=state.opening,
            message_ids=state.message_ids,
        )
    )
    return "\n".join([OTHER_KINDS, choice_lines(list(TRIAGE_INTENTS)), OR_A_PERSON])


def _answer_in_words(turn: Turn, state: ClarifyState) -> str | None:
    """The resident answered in words: the kind of case their words name, if they name one."""
    if state.for_person and len(turn.text) <= phrases.PERSON_AGAIN_MAX_CHARS and phrases.PERSON_AGAIN.search(turn.text):
        # "人呢": the request stands (where it is, told again); no case with "人呢" for its story.
        first = human.transfer(turn) if state.ticket_id is not None else PERSON_COMING
        return f"{first}\n{prompt(turn)}"
    if (named := _choice_named(state, turn.text)) is not None:  # "转社区律师": the menu's own words
        return _chosen(turn, state, named, text=state.question)
    decision = turn.decide()
    if state.ticket_id is not None:  # "跟楼下吵架的事 我住舞台社区": the kind, read without the place
        decision = human.kind_without_place(turn) or decision
    if decision.intent in TRIAGE_INTENTS and decision.kind in ("triage", "clarify"):
        return _chosen(turn, state, decision.intent, text=_joined(state.question, turn.text))
    if state.for_person:
        # Asked for a person and still unclear: the community lawyer takes any question.
        return _chosen(turn, state, GENERAL_CATEGORY, text=turn.text)
    return None


def _choice_named(state: ClarifyState, text: str) -> str | None:
    """The one choice on offer whose menu line holds the words typed ("转社区律师", "物业问题"): the
    resident picked it by its words, which are no part of the story."""
    said = text.strip(" 。.！!，,")
    if len(said) < MENU_WORDS_MIN_CHARS:
        return None
    named = [intent for intent in state.choices if said in CATEGORIES[intent].hint]
    return named[0] if len(named) == 1 else None


def leave(turn: Turn) -> None:
    """The resident moved on without choosing: what we asked about is kept as a fragment of
    the story, read again with the message that moved on."""
    state = turn.dialogue.state(ClarifyState)
    if state.question and state.opening is not None:
        turn.dialogue.fragments.insert(0, Fragment(state.opening, state.question))
    turn.dialogue.end()


def _chosen(turn: Turn, state: ClarifyState, category: str, text: str, intro: str | None = None) -> str:
    if state.ticket_id is not None:  # asked for a person: the case is open already, the answer routes it
        return human.kind_chosen(turn, state, category)
    ids = state.message_ids + [turn.message.id]
    if not state.for_person and intro is None:  # the resident's own choice: a label suggested for review
        review.record_choice(turn.session, state.opening, text, category)
    return intake.start_case(turn, category, text=text, opening=state.opening, message_ids=ids, intro=intro)


def _joined(first: str, then: str) -> str:
    return f"{first}，{then}" if first else then
