"""The one table mapping intents to handlers, and the table of dialogue flows."""

from __future__ import annotations

from bot.faq import read_faq_file
from bot.handlers import (
    clarify,
    community,
    faq,
    human,
    intake,
    out_of_scope,
    smalltalk,
    status,
    urgent,
)

FAQ_INTENTS = tuple(item["intent"] for item in read_faq_file())

HANDLERS = {
    "legal_consultation": intake.start_case,
    "neighbor_dispute": intake.start_case,
    "property_complaint": intake.start_case,
    "greet": smalltalk.greet,
    "thank": smalltalk.thank,
    "goodbye": smalltalk.goodbye,
    "affirm": smalltalk.affirm,
    "deny": smalltalk.deny,
    "cancel": smalltalk.cancel,
    "request_human": human.transfer,
    "ticket_status": status.my_tickets,
    "change_community": community.change_community,
    "out_of_scope": out_of_scope.answer,
    "nlu_fallback": out_of_scope.unsure,
    **{intent: faq.answer for intent in FAQ_INTENTS},
}

# A flow step returns the reply, or None when the message is not an answer to our question.
FLOWS = {
    "intake": intake.intake_step,
    "clarify": clarify.clarify_step,
    "faq_offer": faq.offer_step,
    "moving": community.moving_step,
    "urgent": urgent.follow_up,
}
