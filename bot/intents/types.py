"""The result of classifying one message, shared by every classifier."""

from __future__ import annotations

from dataclasses import dataclass, field

TRIAGE_INTENTS = ("legal_consultation", "neighbor_dispute", "property_complaint")
CONVERSATIONAL_INTENTS = (
    "greet",
    "thank",
    "goodbye",
    "affirm",
    "deny",
    "request_human",
    "ticket_status",
    "cancel",
    "change_community",
    "out_of_scope",
)
FAQ_PREFIX = "faq_"


@dataclass(frozen=True)
class Classification:
    """What a classifier made of one message."""

    intent: str
    confidence: float
    ranking: list[tuple[str, float]] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    source: str = "rasa"
    # The message itself: the policy needs it to tell a bare "你好" from a greeting around a question.
    text: str = ""
