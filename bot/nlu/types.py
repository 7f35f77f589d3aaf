"""The result of classifying one message, shared by every classifier."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.categories import TRIAGE_INTENTS  # noqa: F401  (re-exported for the NLU modules)

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
# What Rasa's FallbackClassifier answers when it is unsure, and the intent for what the service
# does not do: both names are contracts with the model and the evaluation.
FALLBACK_INTENT = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"


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
