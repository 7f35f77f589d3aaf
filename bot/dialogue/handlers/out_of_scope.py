"""Messages outside what the service does: a helpful answer, never a ticket."""

from __future__ import annotations

from bot.dialogue.turn import Turn
from bot.storage.tickets import latest_open_ticket

ANSWER = (
    "这个问题我可能帮不上忙。我是江汉区公共法律服务前台，可以解答法律问题、受理邻里纠纷和物业问题。\n"
    "其他政务服务可以拨打 12345 市民服务热线咨询。\n"
    "有法律方面的问题，直接告诉我就行；回复“转人工”联系工作人员。"
)
UNSURE = (
    "抱歉，我没太明白您的意思。能换个说法，或者多说几句吗？\n"
    "比如“楼上漏水到我家”“物业不修电梯”“公司拖欠工资怎么办”。回复“转人工”联系工作人员。"
)


# With a case open, a message the bot cannot place is most likely news about it ("他们昨晚上又跳到12点").
OPEN_CASE_HINT = "如果是工单 {number} 的新情况，回复“补充：”加上内容，就会记到工单里。\n"


def answer(turn: Turn) -> str:
    """Handler: out of scope."""
    return _open_case_hint(turn) + ANSWER


def unsure(turn: Turn) -> str:
    """Handler: the model is not sure what the message means."""
    return _open_case_hint(turn) + UNSURE


def _open_case_hint(turn: Turn) -> str:
    ticket = latest_open_ticket(turn.session, turn.resident.id) if turn.has_cases() else None
    return OPEN_CASE_HINT.format(number=ticket.number) if ticket is not None else ""
