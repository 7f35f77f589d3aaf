"""Asking one short question with numbered choices instead of guessing."""

from __future__ import annotations

from bot import commands
from bot.handlers import intake
from bot.turn import Turn

CHOICE_HINTS = {
    "legal_consultation": "法律咨询，转社区律师（劳动、婚姻、借贷、交通事故等）",
    "neighbor_dispute": "邻里纠纷（和邻居之间的矛盾）",
    "property_complaint": "物业问题（物业公司、电梯、物业费、公共维修等）",
}
ALL_CATEGORIES = list(CHOICE_HINTS)
# When the only room on offer is the community lawyer, the question is whether it is a legal one.
LEGAL_ONLY_QUESTION = "这是想咨询法律问题吗？"


def ask(turn: Turn, choices: list[str], question: str | None = None) -> str:
    """Ask the resident to pick a category by number."""
    if question is None:
        question = LEGAL_ONLY_QUESTION if choices == ["legal_consultation"] else "您说的情况更接近哪一类？"
    turn.state.clear()
    turn.state.update(flow="clarify", choices=choices, question=turn.text, opening=turn.message.id)
    lines = [question]
    lines += [f"回复 {index} {CHOICE_HINTS[intent]}" for index, intent in enumerate(choices, 1)]
    if len(choices) < len(ALL_CATEGORIES):
        lines.append(f"回复 {len(choices) + 1} 都不是")
    return "\n".join(lines)


def clarify_step(turn: Turn) -> str | None:
    """Flow step: the resident picked a category (or wrote something else)."""
    state = turn.state
    pick = commands.choice_number(turn.text)
    choices = state["choices"]
    if pick is None and len(choices) == 1 and commands.AFFIRM.match(turn.text):
        pick = 1  # "是的" to the one category we asked about
    if pick is not None and 1 <= pick <= len(choices):
        return intake.start_case(turn, choices[pick - 1], text=state["question"], opening=state["opening"])
    if pick == len(choices) + 1:
        state.clear()
        return "好的，麻烦您换个说法再描述一下情况，或回复“转人工”联系工作人员。"
    state.clear()
    return None

