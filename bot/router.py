"""The router: the one place that decides, for every message, which handler answers it."""

from __future__ import annotations

from bot import commands, handoff
from bot.handlers import (
    FLOWS,
    HANDLERS,
    clarify,
    community,
    events,
    media,
    out_of_scope,
    smalltalk,
    status,
    urgent,
)
from bot.intents.policy import decide
from bot.turn import Turn


def route(turn: Turn) -> str:
    """Pick the handler for this message and return its reply."""
    kind = turn.inbound.kind
    if kind == "event":
        return _event(turn)
    if kind == "image":
        return media.image(turn)
    if kind == "location":
        return community.location_pin(turn)
    if kind in ("link", "video", "shortvideo"):
        return media.link_or_video(turn)
    if kind == "voice" and not turn.text:
        return media.voice_unrecognised(turn)
    if kind not in ("text", "voice"):
        return media.unknown(turn)
    if not turn.text:
        return smalltalk.greet(turn)
    return _text(turn)


def _event(turn: Turn) -> str:
    event = (turn.inbound.event or "").lower()
    if event in ("subscribe", "subscribe_scan"):  # following by scanning a room's QR code too
        return events.subscribe(turn)
    if event == "unsubscribe":
        return events.unsubscribe(turn)
    if event == "location":
        return events.location_report(turn)
    if event == "click":
        intent = events.menu_intent(turn.inbound.event_key)
        if intent is not None:
            return dispatch(turn, intent)
    return ""


def _text(turn: Turn) -> str:
    danger = commands.danger_kinds(turn.text)
    if danger:
        classify(turn)
        return urgent.urgent_case(turn, danger)
    if commands.CANCEL.match(turn.text) or commands.STATUS.search(turn.text):
        return _escape(turn)
    held = handoff.while_held(turn)  # a person holds the conversation: the bot stays quiet
    if held is not None:
        return held
    escape = _escape(turn)
    if escape is not None:
        return escape
    flow = FLOWS.get(turn.state.get("flow"))
    reply = flow(turn) if flow else None
    if reply is not None:
        return reply
    reply = status.rating_or_reopen(turn) or status.add_to_case(turn)
    if reply is not None:
        return reply
    decision = classify(turn)
    if decision.kind == "clarify":
        turn.intent = "clarify"
        return clarify.ask(turn, list(decision.choices))
    return dispatch(turn, decision.intent)


def _escape(turn: Turn) -> str | None:
    """Words that steer the dialogue in any state: cancel, status, a person, moving house."""
    text = turn.text
    if commands.CANCEL.match(text):
        return dispatch(turn, "cancel")
    if commands.STATUS.search(text):
        return dispatch(turn, "ticket_status")
    if commands.HUMAN.search(text):
        return dispatch(turn, "request_human")
    if commands.MOVED.search(text) and len(text) <= commands.MOVED_MAX_CHARS and not turn.state.get("flow"):
        return dispatch(turn, "change_community")
    return None


def classify(turn: Turn):
    """Classify the text, remember the result on the turn, and return the policy's decision."""
    turn.classification = turn.services.classifier.classify(turn.text)
    return decide(turn.classification)


def dispatch(turn: Turn, intent: str) -> str:
    """Answer with the handler the table names for this intent."""
    turn.intent = intent
    handler = HANDLERS.get(intent, out_of_scope.unsure)
    return handler(turn)
