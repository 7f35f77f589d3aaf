"""WeChat events: subscribe, unsubscribe, menu clicks, location reports."""

from __future__ import annotations

from bot.categories import CATEGORIES
from bot.dialogue.handlers.smalltalk import WELCOME
from bot.dialogue.turn import Turn

# Menu keys configured on the official account's custom menu, each standing for an intent.
MENU_INTENTS = {
    **{category.menu_key: category.intent for category in CATEGORIES.values()},
    "MY_TICKETS": "ticket_status",
    "HUMAN": "request_human",
    "HOW_IT_WORKS": "faq_how_it_works",
    "OFFICE_HOURS": "faq_office_hours",
    "MOVED": "change_community",
}


def subscribe(turn: Turn) -> str:
    """A new follower: say what the bot can do and how to reach a person."""
    turn.resident.subscribed = True
    return WELCOME


def unsubscribe(turn: Turn) -> str:
    """An unfollow is recorded; WeChat shows nothing to the resident."""
    turn.resident.subscribed = False
    turn.dialogue.end()
    return ""


def location_report(turn: Turn) -> str:
    """The periodic location report: remembered silently."""
    turn.resident.latitude, turn.resident.longitude = turn.inbound.latitude, turn.inbound.longitude
    return ""


def menu_intent(event_key: str | None) -> str | None:
    """The intent a menu key stands for."""
    return MENU_INTENTS.get((event_key or "").upper())
