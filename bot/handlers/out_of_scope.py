"""Messages outside what the service does: a helpful answer, never a ticket."""

from __future__ import annotations

from bot.turn import Turn

ANSWER = (
    "这个问题我可能帮不上忙。我是江汉区公共法律服务前台，可以解答法律问题、受理邻里纠纷和物业问题。\n"
    "其他政务服务可以拨打 12345 市民服务热线咨询。\n"
    "有法律方面的问题，直接告诉我就行；回复“转人工”联系工作人员。"
)
UNSURE = (
    "抱歉，我没太明白您的意思。能换个说法，或者多说几句吗？\n"
    "比如“楼上漏水到我家”“物业不修电梯”“公司拖欠工资怎么办”。回复“转人工”联系工作人员。"
)


def answer(turn: Turn) -> str:
    """Handler: out of scope."""
    return ANSWER


def unsure(turn: Turn) -> str:
    """Handler: the model is not sure what the message means."""
    return UNSURE
