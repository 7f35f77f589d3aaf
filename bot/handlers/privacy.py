"""A resident asks, in chat, to have their personal data erased: the request is recorded for an
admin (console 删除申请), and the resident is told what goes, what the law keeps and by when."""

from __future__ import annotations

from datetime import datetime

from bot.office_hours import CHINA
from bot.privacy import WORKING_DAYS_TO_ERASE, request_erasure
from bot.storage.tickets import OPEN_STATUSES, STATUS_LABELS, tickets_of_resident
from bot.turn import Turn

WHAT_GOES = (
    "会删除：您发给我们的全部消息、照片和语音，您留的电话和位置，工单里您讲的情况和工作人员的记录。\n"
    "按规定保留：工单的统计信息（事项类别、社区工作室、日期、评分），删除后不再和您本人关联。"
)
AFTERWARDS = "删除以后，您以前的咨询和工单就查不到了；以后有事再找我们，随时发消息就行。"
# Enough to see every open case of one resident (a resident has one or two).
CASES_LOOKED_AT = 20


def erase_my_data(turn: Turn) -> str:
    """Any-time "把我的个人信息删掉": recorded once for an admin; the resident hears what happens."""
    request, new = request_erasure(turn.session, turn.resident)
    due = _day(request.due_at)
    if new:
        head = (
            f"好的，您删除个人信息的申请已经登记，区司法局的管理员会为您办理，"
            f"我们承诺在{WORKING_DAYS_TO_ERASE}个工作日内（{due}前）办完。"
        )
        parts = [head, WHAT_GOES, _open_cases(turn), AFTERWARDS]
    else:
        head = (
            f"您删除个人信息的申请已经在{_day(request.requested_at)}登记过了，正在办理，会在{due}前办完，不用再申请。"
        )
        parts = [head, _open_cases(turn)]
    return "\n".join(part for part in parts if part)


def _open_cases(turn: Turn) -> str:
    """What an open case means for the erasure: it must first be finished or withdrawn."""
    tickets = [
        ticket
        for ticket in tickets_of_resident(turn.session, turn.resident.id, limit=CASES_LOOKED_AT)
        if ticket.status in OPEN_STATUSES
    ]
    if not tickets:
        return ""
    listed = "、".join(f"{ticket.number}（{STATUS_LABELS[ticket.status]}）" for ticket in tickets)
    return (
        f"您还有正在办理的工单 {listed}：要先办结或撤回，才能删除。"
        "想现在撤回，请回复“撤回”；不撤回的话，我们等工单办结后再删除。"
    )


def _day(moment: datetime) -> str:
    local = moment.astimezone(CHINA)
    return f"{local.month}月{local.day}日"
