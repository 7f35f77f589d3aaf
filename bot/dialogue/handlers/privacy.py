"""A resident asks, in chat, to have their personal data erased: the request is recorded for an
admin (console 删除申请), and the resident is told what goes, what the law keeps and by when; later
they can ask how far it is, and are told on WeChat once it is done."""

from __future__ import annotations

from datetime import datetime

from bot.cases.office_hours import CHINA
from bot.cases.privacy import WORKING_DAYS_TO_ERASE, erased_on, request_erasure
from bot.dialogue.flows import IntakeState
from bot.dialogue.turn import Turn
from bot.nlu import phrases
from bot.storage.privacy_requests import open_request_of
from bot.storage.tickets import OPEN_STATUSES, STATUS_LABELS, tickets_of_resident

WHAT_GOES = (
    "会删除：您发给我们的全部消息、照片和语音，您留的电话和位置，工单里您讲的情况和工作人员的记录。\n"
    "按规定保留：工单的统计信息（事项类别、社区工作室、日期、评分），删除后不再和您本人关联。"
)
AFTERWARDS = (
    "删除以后，您以前的咨询和工单就查不到了；删好后我们会在微信上告诉您一声。以后有事再找我们，随时发消息就行。"
)
TOLD_WHEN_DONE = "删好后我们会在微信上告诉您一声。"
# Someone may look at her phone: what she can do on her own phone comes first, kept short.
ON_YOUR_PHONE = (
    "先在您自己的手机上删掉和我们的聊天：在微信的聊天列表里长按我们这个对话，点“删除该聊天”。"
    "这样您手机上就看不到了。\n"
    "我们这边存的信息也可以删除：需要的话，回复“删除我的信息”，我们就登记办理。\n"
    "如果遇到危险，请马上打110。"
)
# A resident back after an erasure, asking about a case from before it.
ERASED_BEFORE = (
    "您的个人信息和工单已经在{day}按规定删除了，所以我们这边查不到以前的事了，以前的工单也不会再有人跟进。"
    "如果这件事还需要帮忙，请直接再说一遍是什么事、在哪个小区，我们重新给您登记；也可以打电话给社区工作室。"
)
OLD_CASE = phrases.PRIVACY_WORDS["old_case"].pattern
NO_REQUEST = "您还没有申请删除个人信息。需要删除的话，回复“删除我的信息”就行，我们登记后会在微信上告诉您办理结果。"
# Enough to see every open case of one resident (a resident has one or two).
CASES_LOOKED_AT = 20


def erase_my_data(turn: Turn) -> str:
    """Any-time "把我的个人信息删掉": recorded once for an admin; the resident hears what happens."""
    if phrases.PHONE_SEEN.search(turn.text):
        return ON_YOUR_PHONE
    stopped = _stop_the_intake(turn)
    request, new = request_erasure(turn.session, turn.resident)
    due = _day(request.due_at)
    if new:
        head = (
            f"好的，您删除个人信息的申请已经登记，区司法局的管理员会为您办理，"
            f"我们承诺在{WORKING_DAYS_TO_ERASE}个工作日内（{due}前）办完。"
        )
        parts = [stopped, head, WHAT_GOES, _open_cases(turn), AFTERWARDS]
    else:
        parts = [stopped, _where_it_stands(turn, request)]
    return "\n".join(part for part in parts if part)


def asks_how_far(turn: Turn) -> bool:
    """ "那什么时候删好", "那我的信息现在删了吗": about an erasure asked for (or naming their data);
    "我上午报的楼上吵的事 有人管冇" from a resident erased since, with no case of their own now."""
    if len(turn.text) > 30:
        return False
    if not phrases.ERASE_PROGRESS.search(turn.text):
        return _asks_about_an_erased_case(turn)
    if phrases.MY_DATA.search(turn.text):
        return True
    return open_request_of(turn.session, turn.resident.id) is not None


def erasure_progress(turn: Turn) -> str:
    """Where the resident's request stands, its dates, and that they are told when it is done."""
    request = open_request_of(turn.session, turn.resident.id)
    if request is None:
        erased = erased_on(turn.session, turn.resident.openid)
        return ERASED_BEFORE.format(day=_day(erased)) if erased is not None else NO_REQUEST
    return _where_it_stands(turn, request)


def _asks_about_an_erased_case(turn: Turn) -> bool:
    """A case told before, asked about by a resident whose data (and cases) were erased since."""
    if not OLD_CASE.search(turn.text) or turn.has_cases():
        return False
    return erased_on(turn.session, turn.resident.openid) is not None


def goes_ahead_now(turn: Turn) -> str:
    """After the last open case was withdrawn: a waiting erasure is no longer held up ("" if none)."""
    request = open_request_of(turn.session, turn.resident.id)
    if request is None or _open_tickets(turn):
        return ""
    return f"您删除个人信息的申请现在可以办理了，会在{_day(request.due_at)}前删好，{TOLD_WHEN_DONE}"


def _where_it_stands(turn: Turn, request) -> str:
    asked, due = _day(request.requested_at), _day(request.due_at)
    head = f"您删除个人信息的申请已经在{asked}登记过了，还没有删，不用再申请。"
    if _open_tickets(turn):
        return f"{head}{_open_cases(turn)}\n{TOLD_WHEN_DONE}"
    return f"{head}管理员会在{due}前删好，{TOLD_WHEN_DONE}"


def _stop_the_intake(turn: Turn) -> str:
    """ "算了 不想登记了 把我刚说的都删了吧": the intake ends and nothing is kept to take up later."""
    dialogue = turn.dialogue
    if not phrases.STOP_WITH_ERASURE.search(turn.text):
        return ""
    in_intake = dialogue.active(IntakeState)
    if dialogue.flow is not None:
        dialogue.end()
    dialogue.cancelled, dialogue.fragments, dialogue.pending_media = None, [], []
    return "好的，不登记了，刚才说的不会提交。" if in_intake else ""


def _open_tickets(turn: Turn) -> list:
    return [
        ticket
        for ticket in tickets_of_resident(turn.session, turn.resident.id, limit=CASES_LOOKED_AT)
        if ticket.status in OPEN_STATUSES
    ]


def _open_cases(turn: Turn) -> str:
    """What an open case means for the erasure: it must first be finished or withdrawn."""
    tickets = _open_tickets(turn)
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
