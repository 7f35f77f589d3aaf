"""One turn of a conversation: the stored message, the resident, the dialogue state."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.inbound import Inbound
from bot.intents.types import Classification
from bot.storage.messages import Message
from bot.storage.residents import Resident


@dataclass
class Turn:
    """What a handler may read and change while answering one message."""

    session: Session
    services: object
    inbound: Inbound
    resident: Resident
    message: Message
    state: dict
    classification: Classification | None = None
    intent: str | None = None  # what the dialogue decided to treat the message as

    @property
    def text(self) -> str:
        """The message's text (a voice message's recognition counts as text)."""
        return self.inbound.text.strip()
