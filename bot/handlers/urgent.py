"""Danger first: emergency numbers at once, and an urgent case."""

from __future__ import annotations

from bot.handlers import intake
from bot.intents.types import TRIAGE_INTENTS
from bot.turn import Turn

ADVICE = {
    "violence": "如有人身危险，请立即拨打 110 报警，先到安全的地方。",
    "fire": "如发生火情，请立即拨打 119，先撤离到安全地带，不要乘电梯。",
    "gas": "闻到燃气味请立即关闭阀门、打开门窗，不要开关电器或打电话，到室外后拨打 119 或燃气公司抢修电话。",
    "injury": "如有人受伤，请立即拨打 120 急救。",
}


def urgent_case(turn: Turn, kinds: list[str]) -> str:
    """Give emergency advice and open an urgent case right away."""
    advice = "\n".join(f"⚠️ {ADVICE[kind]}" for kind in kinds)
    category = "neighbor_dispute"
    if turn.classification is not None and turn.classification.intent in TRIAGE_INTENTS:
        category = turn.classification.intent
    intake.start_case(turn, category)
    turn.state.update(urgent=True, phone_asked=True, no_community=True)
    return f"{advice}\n{intake.open_case(turn)}\n方便的话回复您的手机号，工作人员会尽快联系您。"
