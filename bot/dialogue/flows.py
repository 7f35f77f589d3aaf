"""Dialogue state as data: one typed state per flow, and the shape of a declared flow.

A resident's dialogue is at most one active flow (intake, clarify, …) at one named step, plus
what is carried between flows: photos sent before a case existed and fragments of a story the
bot has not understood yet. It is stored as a plain dict (bot/dialogue/state.py) and read back typed.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

from bot.nlu import answers, phrases
from bot.nlu.answers import Answer, Reading

if TYPE_CHECKING:  # a turn holds a Dialogue: bot.dialogue.turn imports this module
    from bot.dialogue.turn import Turn

    # A step's reading of the resident's message: the reply, or None when the message is not for it.
    Handler = Callable[[Turn], str | None]
    # What always has something to say: a flow's question asked again, a way out, "go back".
    Reply = Callable[[Turn], str]


@dataclass(kw_only=True)
class FlowStateBase:
    """What every flow's state has: its current step and how many answers it could not use."""

    FLOW: ClassVar[str] = ""
    step: str = ""
    misses: int = 0

    def stored(self) -> dict:
        """The state as a plain, JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_stored(cls, state: dict) -> Self:
        """The typed state from its stored dict; keys an older release wrote are dropped."""
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in state.items() if key in known})


@dataclass
class Contact:
    """How staff may reach the resident about this case."""

    phone_asked: bool = False
    phone_from_before: bool = False  # the phone on file was left in an earlier case, not in this one
    text_only: bool = False  # the resident cannot take calls: staff write on WeChat
    confidential: bool = False  # the resident fears retaliation: staff keep who complained to themselves
    contact_time: str = ""  # when the resident can take a call ("最好晚上打")


@dataclass
class Whereabouts:
    """Where the matter is, while the resident has not named a community the directory knows."""

    no_community: bool = False
    candidates: list[int] = field(default_factory=list)  # communities offered by number
    place_words: str = ""  # where they are, in their words, when they do not know the community
    street_id: int | None = None  # the street they named when they do not know the community


@dataclass
class OtherMatter:
    """A different kind of matter raised meanwhile, offered its own case after this one."""

    text: str
    category: str
    message_id: int | None = None


# Stored under the flat keys of the releases before these groups, so a dialogue in progress reads either way.
_OTHER_MATTER_KEYS = {"text": "other_matter", "category": "other_category", "message_id": "other_message"}


@dataclass(kw_only=True)
class IntakeState(FlowStateBase):
    """Gathering a case: what happened, where, a phone, then the resident's confirmation."""

    FLOW: ClassVar[str] = "intake"
    category: str
    step: str = "details"
    parts: list[str] = field(default_factory=list)
    message_ids: list[int] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    opening: int | None = None
    collective: bool = False
    urgent: bool = False
    details_asked: bool = False
    contact: Contact = field(default_factory=Contact)
    place: Whereabouts = field(default_factory=Whereabouts)
    other: OtherMatter | None = None
    cautioned: bool = False  # the "⚠️ 如果现在有人身危险…" line was given in this intake
    summary_shown: bool = False  # the resident has seen the summary: "直接提交" after it submits

    def stored(self) -> dict:
        """Flat, as before the contact, place and other-matter groups: contact and place fields by
        their names, the other matter as other_matter / other_category / other_message."""
        data = asdict(self)
        data.update(data.pop("contact"), **data.pop("place"))
        other = data.pop("other") or {"text": "", "category": "", "message_id": None}
        data.update({stored: other[name] for name, stored in _OTHER_MATTER_KEYS.items()})
        return data

    @classmethod
    def from_stored(cls, state: dict) -> Self:
        """The typed state from its flat stored dict (see `stored`)."""
        state = dict(state)
        contact = {item.name: state.pop(item.name) for item in fields(Contact) if item.name in state}
        place = {item.name: state.pop(item.name) for item in fields(Whereabouts) if item.name in state}
        other = {name: state.pop(stored, None) for name, stored in _OTHER_MATTER_KEYS.items()}
        read = super().from_stored(state)
        read.contact, read.place = Contact(**contact), Whereabouts(**place)
        read.other = OtherMatter(**other) if other["text"] else None
        return read


@dataclass(kw_only=True)
class ClarifyState(FlowStateBase):
    """A numbered question: which kind of case the resident's message is."""

    FLOW: ClassVar[str] = "clarify"
    choices: list[str]
    question: str = ""  # the message we asked about; it becomes the case's first words
    opening: int | None = None
    message_ids: list[int] = field(default_factory=list)
    for_person: bool = False  # asked after "转人工": any answer reaches a person, never a loop
    ticket_id: int | None = None  # for_person: the case already opened for the request; the answer routes it
    step: str = "choose"


@dataclass(kw_only=True)
class FaqOfferState(FlowStateBase):
    """After an FAQ answer, or after a case for a different matter raised meanwhile: whether a
    person should take the question (or that matter) up."""

    FLOW: ClassVar[str] = "faq_offer"
    category: str
    question: str = ""
    opening: int | None = None
    step: str = "offer"
    # Offered after an intake for a different matter raised meanwhile: no FAQ answer was given.
    other_matter: bool = False


@dataclass(kw_only=True)
class MovingState(FlowStateBase):
    """The resident moved: which community they live in now."""

    FLOW: ClassVar[str] = "moving"
    step: str = "community"
    candidates: list[int] = field(default_factory=list)


@dataclass(kw_only=True)
class UrgentState(FlowStateBase):
    """After an urgent case was opened: a phone number and details go to that case."""

    FLOW: ClassVar[str] = "urgent"
    ticket: int
    no_calls: bool = False  # hiding, or cannot talk: never asked for a phone number again
    step: str = "follow_up"  # "call_off": asked to confirm there is no danger


@dataclass(kw_only=True)
class WithdrawState(FlowStateBase):
    """The resident asked to withdraw a case already opened: which one is asked to be sure."""

    FLOW: ClassVar[str] = "withdraw"
    ticket: int
    step: str = "confirm"


@dataclass(kw_only=True)
class PhotoState(FlowStateBase):
    """A photo sent while several cases are open: which case it is for is asked."""

    FLOW: ClassVar[str] = "photo"
    tickets: list[int]  # the open cases offered, in the order numbered
    message_ids: list[int] = field(default_factory=list)  # the photos waiting to be attached
    step: str = "which"


STATE_TYPES: dict[str, type[FlowStateBase]] = {
    kind.FLOW: kind
    for kind in (IntakeState, ClarifyState, FaqOfferState, MovingState, UrgentState, WithdrawState, PhotoState)
}
# One flow's state type: what a handler of that flow reads (Dialogue.state).
S = TypeVar("S", bound=FlowStateBase)


class NotInFlow(LookupError):
    """A flow's state was asked for while another flow, or none, was active: a handler ran outside its flow."""


@dataclass
class Fragment:
    """A message the bot did not understand on its own, kept to be read with the next ones."""

    message_id: int
    text: str


@dataclass
class Cancelled:
    """An intake the resident cancelled, kept for a while in case they change their mind."""

    state: IntakeState
    at: str  # when it was cancelled, ISO 8601 in UTC


@dataclass
class Dialogue:
    """One resident's dialogue: the active flow, if any, and what carries over between flows."""

    flow: FlowStateBase | None = None  # one of STATE_TYPES; read it typed with `state` or `current`
    pending_media: list[str] = field(default_factory=list)  # photos sent before any case
    fragments: list[Fragment] = field(default_factory=list)  # not understood yet
    cancelled: Cancelled | None = None  # the last intake cancelled, until another flow starts

    def start(self, state: S) -> S:
        """Make `state` the active flow (replacing any other, and any cancelled intake) and return it."""
        self.flow = state
        self.cancelled = None
        return state

    def end(self) -> None:
        """No flow is active any more."""
        self.flow = None

    def active(self, kind: type[FlowStateBase]) -> bool:
        """True when the active flow is of this state type."""
        return isinstance(self.flow, kind)

    def state(self, kind: type[S]) -> S:
        """The active flow's state, which must be of this type: a flow's handlers run only while it is active."""
        flow = self.flow
        if not isinstance(flow, kind):
            raise NotInFlow(f"{kind.__name__} asked for while the active flow is {self.flow_name or 'none'}")
        return flow

    def current(self, kind: type[S]) -> S | None:
        """The active flow's state when it is of this type, else None."""
        flow = self.flow
        return flow if isinstance(flow, kind) else None

    @property
    def flow_name(self) -> str | None:
        """The active flow's name, or None."""
        return self.flow.FLOW if self.flow is not None else None

    def to_dict(self) -> dict:
        """A plain, JSON-ready dict (empty when there is nothing to keep)."""
        data: dict = {}
        if self.flow is not None:
            data["flow"] = self.flow.FLOW
            data["state"] = self.flow.stored()
        if self.pending_media:
            data["pending_media"] = list(self.pending_media)
        if self.fragments:
            data["fragments"] = [asdict(fragment) for fragment in self.fragments]
        if self.cancelled is not None:
            data["cancelled"] = {"state": self.cancelled.state.stored(), "at": self.cancelled.at}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Dialogue:
        """Read a stored dialogue; an unknown flow (from an older release) is dropped."""
        data = copy.deepcopy(data)  # the caller compares the stored dict with the result later
        kind = STATE_TYPES.get(data.get("flow") or "")
        flow = kind.from_stored(data.get("state") or {}) if kind is not None else None
        cancelled = data.get("cancelled")
        return cls(
            flow=flow,
            pending_media=list(data.get("pending_media") or []),
            fragments=[Fragment(**item) for item in data.get("fragments") or []],
            cancelled=Cancelled(IntakeState.from_stored(cancelled["state"]), cancelled["at"]) if cancelled else None,
        )


class MoreWords(enum.Enum):
    """What the words besides a yes or no are ("不是撤回 我是想问问进度")."""

    ANSWERED = "a message of their own, answered as usual once the question is answered"
    STEP = (
        "the step's to read: the whole message is no bare yes or no (a correction, a story); "
        'after a held answer (again: "先别交") they are a message of their own, answered in the flow'
    )
    KEPT = "part of the answer: its handler keeps the whole message"


# "回复 1 …  回复 2 …": the numbers of a yes/no question.
ONE_YES_TWO_NO = ((1, Answer.YES), (2, Answer.NO))


@dataclass(frozen=True)
class Question:
    """A yes/no or choice question a step asks: which words count as yes, as no, or as a yes or no
    that cannot be taken here (asked again, kindly), and what each does; anything else is neither.

    `words` names concepts of bot/data/answers.yml in the order they are read: the first found
    decides, so a negation is listed before the yes-words it may contain ("不是撤回")."""

    words: tuple[tuple[str, Answer], ...]
    yes: Handler | None  # the reply, or None when it means nothing here; no handler: handed on
    no: Handler | None
    again: Handler | None = None  # for Answer.AGAIN
    numbers: tuple[tuple[int, Answer], ...] = ()  # "1" / "2" when the question numbers its answers
    more_words: MoreWords = MoreWords.ANSWERED  # what the words besides a yes or no are
    # The step's own answers, read before yes or no (a phone number, "冇得电话", "不知道",
    # "社区不对"); the step's handler reads what is neither.
    first: Handler | None = None
    # An any-time cancel ("不用了", "取消吧") cancels, as anywhere, rather than being read as a no.
    cancel_cancels: bool = False
    neither: str = "the step reads it; what it does not take is handed on as any message"

    def read(self, text: str) -> Reading:
        """What the text answers to this question."""
        pick = phrases.choice_number(text)
        if pick is not None:
            return Reading(dict(self.numbers).get(pick, Answer.NEITHER))
        reading = answers.read(text, self.words)
        if reading.rest and self.more_words is MoreWords.STEP and reading.answer is not Answer.AGAIN:
            return Reading(Answer.NEITHER)
        return reading

    def act(self, answer: Answer) -> Handler | None:
        """The handler for a yes, a no or an again (None: the message is handed on)."""
        return {Answer.YES: self.yes, Answer.NO: self.no, Answer.AGAIN: self.again}.get(answer)


def only_the_question(turn: Turn) -> None:
    """The handler of a step that takes nothing but its question's yes or no: the rest is handed on."""
    return None


@dataclass(frozen=True)
class Step:
    """One named step of a flow: the handler for the resident's answer, and the question it asks.

    The handler returns the reply, or None when the message is not an answer to this step's
    question; the router then tries the any-time phrases and the classifier. A step that asks yes
    or no (or to choose) declares its `question`: the router reads the answer with it (before the
    handler, or after it when the question says so)."""

    handler: Handler
    on_miss: Reply | None = None  # what to say when the answer was not usable
    # The step asks for a short answer (a place, a number, yes or no), not for a story: a message
    # it takes is no report of danger unless the danger is sure (no "possible danger" advice).
    short_answer: bool = True
    question: Question | None = None


@dataclass(frozen=True)
class Flow:
    """A declared dialogue flow: its state type, named steps, the question each step asks
    again after an interruption, and what "go back" does."""

    state: type[FlowStateBase]
    steps: dict[str, Step]
    prompt: Reply  # the current step's question, to ask again
    go_back: Reply | None = None  # None: "go back" leaves the flow
    keeps_on_new_topic: bool = False  # an unrelated message leaves the flow open (intake)
    way_out: Reply | None = None  # how to get on, offered after two misses
    leave: Callable[[Turn], None] | None = None  # ends the flow when the resident moves on


def one_step_flow(
    state: type[FlowStateBase],
    step: str,
    handler: Handler,
    prompt: Reply,
    leave: Callable[[Turn], None] | None = None,
    short_answer: bool = True,
    question: Question | None = None,
) -> Flow:
    """A flow that asks one question: leaving it is all that "go back" can do."""
    return Flow(
        state=state,
        steps={step: Step(handler, short_answer=short_answer, question=question)},
        prompt=prompt,
        leave=leave,
    )
