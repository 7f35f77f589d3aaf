"""One turn of a conversation: the stored message, the resident, the dialogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.dialogue.flows import Dialogue
from bot.nlu.policy import Decision, decide
from bot.nlu.types import Classification
from bot.storage.messages import Message
from bot.storage.residents import Resident
from bot.storage.tickets import Ticket, has_tickets
from bot.wechat.inbound import Inbound

if TYPE_CHECKING:  # services import the storage and NLU layers, which import this module's peers
    from bot.services import Services


@dataclass
class Turn:
    """What a handler may read and change while answering one message."""

    session: Session
    services: Services
    inbound: Inbound
    resident: Resident
    message: Message
    dialogue: Dialogue
    classification: Classification | None = None
    intent: str | None = None  # what the dialogue decided to treat the message as
    opened_ticket: Ticket | None = None  # the case this message opened, if any
    short_answer: bool = False  # a step took it as the short answer it asked for (place, number, yes/no)
    held: bool = False  # a person holds the conversation: the bot only passed the message on
    _has_cases: bool | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The message's text (a voice message's recognition counts as text)."""
        return self.inbound.text.strip()

    def has_cases(self) -> bool:
        """Whether the resident has any case. Without one there is no rating, handoff, staff reply
        or open case to look for, so most messages skip those queries (a first message skips all)."""
        if self.opened_ticket is not None:
            return True
        if self._has_cases is None:
            self._has_cases = not self.resident.first_contact and has_tickets(self.session, self.resident.id)
        return self._has_cases

    def new_case(self) -> Ticket:
        """The case this message opened, for a handler that has just opened it."""
        if self.opened_ticket is None:
            raise LookupError("no case was opened for this message")
        return self.opened_ticket

    def decide(self, story: bool = False) -> Decision:
        """Classify this message once per turn and return the confidence policy's decision.
        `story`: classify the kept fragments together with this message instead."""
        if story and self.dialogue.fragments:
            self.classification = self.services.classifier.classify(self.story())
        elif self.classification is None:
            self.classification = self.services.classifier.classify(self.text)
        return decide(self.classification)

    def story(self) -> str:
        """The fragments the bot kept, not understood on their own, joined with this message."""
        return "，".join([fragment.text for fragment in self.dialogue.fragments] + [self.text]).strip("，")

    def fragment_ids(self) -> list[int]:
        """The stored messages behind the kept fragments."""
        return [fragment.message_id for fragment in self.dialogue.fragments]

    def first_message_id(self) -> int:
        """The first message of the story: the oldest kept fragment, else this message."""
        ids = self.fragment_ids()
        return ids[0] if ids else self.message.id
