"""Greetings, thanks, goodbyes, yes, no and cancel."""

from __future__ import annotations

from bot.dialogue.flows import Cancelled, Dialogue, IntakeState
from bot.dialogue.handlers import status
from bot.dialogue.turn import Turn
from bot.nlu import cues
from bot.storage.base import utcnow

WELCOME = (
    "您好，欢迎关注江汉区公共法律服务！我是法律服务前台。\n"
    "我可以：\n"
    "1. 解答常见法律问题（劳动、婚姻、借贷、交通事故……）\n"
    "2. 受理邻里纠纷，转给社区人民调解员\n"
    "3. 受理物业问题，转给社区物业房管员\n"
    "直接用文字或语音说说您的情况就行。\n"
    "回复“转人工”找工作人员，回复“我的工单”查看进度。"
)
# "有人吗": someone checking a person is there.
ANYONE_THERE = "这里登记的每件事都有工作人员看；想直接找工作人员，回复“转人工”。"


def greet(turn: Turn) -> str:
    """Handler: a greeting; to "有人吗", also that a person reads every case and how to reach one."""
    hello = "您好！我是江汉区公共法律服务前台。请直接说说您遇到的问题，比如“楼上漏水到我家”“公司拖欠工资”。"
    return f"{hello}\n{ANYONE_THERE}" if cues.asks_anyone_there(turn.text) else hello


def thank(turn: Turn) -> str:
    """Handler: thanks."""
    return "不客气！有需要随时找我。"


def goodbye(turn: Turn) -> str:
    """Handler: goodbye."""
    turn.dialogue.end()
    return "好的，再见！有需要随时找我。"


def affirm(turn: Turn) -> str:
    """Handler: a yes with nothing pending to agree to; while a flow waits, its question follows
    (the matter is told already: it is not asked for again)."""
    return "好的。" if turn.dialogue.flow is not None else "好的。请说说您想咨询或反映的事情。"


def deny(turn: Turn) -> str:
    """Handler: a no with nothing pending to refuse."""
    return "好的。有其他需要随时告诉我。"


def cancel(turn: Turn) -> str:
    """Handler: stop whatever we were doing."""
    flow = turn.dialogue.flow_name
    intake = turn.dialogue.current(IntakeState)
    turn.dialogue = Dialogue()  # kept fragments and photos go too: the resident said stop
    if intake is not None:  # kept a while: "还是帮我登记吧" takes it up where it stopped
        turn.dialogue.cancelled = Cancelled(intake, utcnow().isoformat())
        return "好的，已取消，没有为您登记工单。您说过的内容都已保存；改主意的话回复“继续登记”，接着刚才的办。"
    if flow in ("clarify", "faq_offer"):
        return "好的，已取消，没有为您登记工单。您说过的内容都已保存，需要时随时再找我。"
    if flow == "urgent":
        return "好的。已登记的紧急工单仍会有工作人员跟进；如有危险请拨打 110。"
    if flow:
        return "好的，已取消。"
    return status.offer_withdrawal(turn) or "好的。目前没有正在办理的事项；已登记的工单可回复“我的工单”查看。"
