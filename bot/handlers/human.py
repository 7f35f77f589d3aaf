"""Transfer to a person (转人工)."""

from __future__ import annotations

from bot.handlers import clarify, intake
from bot.turn import Turn


def transfer(turn: Turn) -> str:
    """Handler: the resident asks for a person; open the case now if one is being gathered."""
    if turn.state.get("flow") == "intake":
        return intake.open_case(turn, note="好的，马上为您转人工。")
    reply = clarify.ask(turn, clarify.ALL_CATEGORIES, question="好的，为您转人工。请问是哪类问题？")
    turn.state["question"] = ""  # "转人工" itself is no description of the case
    return reply
