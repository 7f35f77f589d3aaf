"""Transfer to a person (转人工): who will answer and when, honestly, and never a loop."""

from __future__ import annotations

from bot.categories import role_title
from bot.dialogue import IntakeState
from bot.handlers import clarify, community, intake
from bot.storage.directory import Unit, district_centre
from bot.storage.tickets import latest_open_ticket
from bot.tickets import link_message
from bot.turn import Turn


def transfer(turn: Turn) -> str:
    """Handler: the resident asks for a person; the case goes to a person now or after one question."""
    if turn.dialogue.active(IntakeState):
        reply = intake.open_case(turn, note="好的，马上为您转人工。")
        return f"{reply}\n{when_to_expect(turn.session.get(Unit, turn.opened_ticket.unit_id))}"
    ticket = latest_open_ticket(turn.session, turn.resident.id)
    if ticket is not None:
        link_message(turn.session, ticket, turn.message, note="居民要求人工服务")  # a request, not case content
        unit = turn.session.get(Unit, ticket.unit_id)
        return (
            f"好的。您的工单 {ticket.number} 已在{unit.office_name}的{role_title(ticket.role, unit.level)}那里，"
            f"已提醒工作人员尽快联系您。\n{when_to_expect(unit)}\n有新情况请回复“补充：”加上内容，会记到工单里。"
        )
    question = f"好的，为您转人工。{when_to_expect(community.home_room(turn))}\n为了转给对的人，请问是哪类问题？"
    return clarify.ask(turn, list(clarify.TRIAGE_INTENTS), question=question, for_person=True)


def complaint(turn: Turn) -> str:
    """Any-time "我要投诉你们": heard kindly, a person offered, and where to complain about the
    service (the district centre, from the directory)."""
    ticket = latest_open_ticket(turn.session, turn.resident.id)
    if ticket is not None:
        link_message(turn.session, ticket, turn.message, note="居民对服务不满意")  # staff see it; not case content
    reply = "非常抱歉让您不满意，您的意见我们会认真对待。回复“转人工”，我马上请工作人员联系您。"
    centre = district_centre(turn.session)
    if centre is None:
        return reply
    reach = "，".join(part for part in (
        f"电话 {centre.phone}" if centre.phone else "", f"地址 {centre.address}" if centre.address else "",
    ) if part)
    return f"{reply}\n对我们的服务有意见，也可以直接向{centre.office_name}反映：{reach}。"


def when_to_expect(unit: Unit | None) -> str:
    """When a person will answer and how to reach the room sooner, from the directory."""
    if unit is None:
        return "工作人员会在工作时间尽快回复您；着急的话可以拨打 12348 公共法律服务热线。"
    hours = f"（{unit.hours}）" if unit.hours else ""
    phone = f"着急的话可以直接拨打{unit.office_name}电话 {unit.phone}。" if unit.phone else ""
    return f"工作人员会在工作时间{hours}回复您，非工作时间的消息会在下一个工作时段处理。{phone}"
