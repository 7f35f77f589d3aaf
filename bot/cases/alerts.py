"""WeChat notices to staff who bound their WeChat: a new case in their queue (one transferred to it
with the reason), a case sent up to them (overdue, or by staff with the reason), a resident asking
for a person, a resident writing in a conversation they hold. Each carries a link to the case page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.jobs import Jobs
from bot.storage.directory import Unit
from bot.storage.residents import Resident, find_resident
from bot.storage.staff import Staff, staff_with_wechat
from bot.storage.tickets import Ticket
from bot.training.masking import mask_personal
from bot.wechat.outbox import queue_message

# The flag staff see on the inbox card and in a notice when the resident asked for a person.
PERSON_FLAG = "【居民要求人工】"


def case_link(base_url: str, ticket: Ticket) -> str:
    """The console's page of a case."""
    return f"{base_url.rstrip('/')}/console/cases/{ticket.id}"


def alert_staff(session: Session, jobs: Jobs, staff: list[Staff], text: str) -> int:
    """Send a notice to each staff member's bound WeChat; returns how many were queued."""
    sent = 0
    for person in staff:
        if not person.wechat_openid:
            continue
        # Staff follow the official account like anyone: their openid is a WeChat user of it.
        recipient = find_resident(session, person.wechat_openid)
        if recipient is None:
            recipient = Resident(openid=person.wechat_openid)
            session.add(recipient)
            session.flush()
        queue_message(session, jobs, recipient, text)
        sent += 1
    return sent


def queue_staff(session: Session, ticket: Ticket) -> list[Staff]:
    """The bound staff whose queue holds this case (its unit, its role; coordinators of a street)."""
    unit = session.get(Unit, ticket.unit_id)
    roles = [ticket.role, "coordinator"] if unit is not None and unit.level == "street" else [ticket.role]
    return staff_with_wechat(session, [ticket.unit_id], roles)


def person_staff(session: Session, ticket: Ticket) -> list[Staff]:
    """The bound staff told when the case's resident asks for a person: the queue's staff; when none
    of them bound their WeChat, those who may answer on the case instead — the coordinators of the
    room's street workstation, else the district's admins. Empty: nobody can be told on WeChat (the
    resident hears that the case waits in the room's inbox, not that staff were told)."""
    staff = queue_staff(session, ticket)
    unit = session.get(Unit, ticket.unit_id)
    street = unit.parent_id if unit is not None and unit.level == "community" else None
    if not staff and street is not None:
        staff = staff_with_wechat(session, [street], ["coordinator"])
    if not staff:
        admins = select(Staff).where(Staff.role == "admin", Staff.active.is_(True), Staff.wechat_openid.is_not(None))
        staff = list(session.scalars(admins.order_by(Staff.id)))
    return staff


def new_case(session: Session, jobs: Jobs, base_url: str, ticket: Ticket, label: str, handed: str = "") -> int:
    """Tell the queue's staff that a case (of the category `label`) arrived — `handed`: how it came
    from another queue, and why; an urgent case, or one opened for a request for a person, goes to
    whoever person_staff names (someone is always told when anyone can be). The notice leaves
    WeChat: ID and phone numbers in it are masked."""
    asked = ticket.person_requested_at is not None
    flags = ("【紧急】" if ticket.urgent else "") + (PERSON_FLAG if asked else "")
    why = f"{mask_personal(handed)}\n" if handed else ""
    text = (
        f"{flags}新工单 {ticket.number}（{label}）进入您的待办。\n{why}"
        f"{mask_personal(ticket.description)[:60]}\n处理：{case_link(base_url, ticket)}"
    )
    staff = person_staff(session, ticket) if asked or ticket.urgent else queue_staff(session, ticket)
    return alert_staff(session, jobs, staff, text)


def person_requested(session: Session, jobs: Jobs, base_url: str, ticket: Ticket, waited: str = "") -> int:
    """Tell the queue's staff that the case's resident asks for a person (`waited`: asked again after so long)."""
    again = f"（已等 {waited}，再次提醒）" if waited else ""
    text = (
        f"{PERSON_FLAG}工单 {ticket.number} 的居民要求工作人员回复{again}，请尽快在工单页回复居民。"
        f"\n处理：{case_link(base_url, ticket)}"
    )
    return alert_staff(session, jobs, person_staff(session, ticket), text)


def overdue_case(session: Session, jobs: Jobs, base_url: str, ticket: Ticket, from_unit: Unit) -> int:
    """Tell the next level's staff that an overdue case was sent up to them."""
    text = (
        f"【超时上报】工单 {ticket.number} 在{from_unit.office_name}超时未处理，已上报给您。"
        f"\n处理：{case_link(base_url, ticket)}"
    )
    return alert_staff(session, jobs, queue_staff(session, ticket), text)


def sent_up(session: Session, jobs: Jobs, base_url: str, ticket: Ticket, from_unit: Unit, reason: str) -> int:
    """Tell the next level's staff that a staff member sent a case up to them, and why."""
    text = (
        f"【上报】工单 {ticket.number} 由{from_unit.office_name}上报给您。\n上报原因：{mask_personal(reason)}"
        f"\n处理：{case_link(base_url, ticket)}"
    )
    return alert_staff(session, jobs, queue_staff(session, ticket), text)


def resident_wrote(session: Session, jobs: Jobs, base_url: str, ticket: Ticket, holder: Staff) -> int:
    """Tell the person holding a conversation that the resident wrote."""
    text = f"工单 {ticket.number} 的居民发来新消息，请及时回复：{case_link(base_url, ticket)}"
    return alert_staff(session, jobs, [holder], text)
