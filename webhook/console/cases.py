"""The case page: the conversation as a chat, the facts, the history, and the staff's actions."""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from bot.cases import actions as casework
from bot.cases.actions import ActionError, NotAllowed, NotVisible
from bot.cases.lifecycle import MoveRefused
from bot.cases.office_hours import CHINA
from bot.cases.privacy import ERASED_PREFIX, asking_erasure, erased_at
from bot.cases.staff import ROLE_NAMES
from bot.cases.tickets import is_overdue, next_deadline, promise_made
from bot.categories import CATEGORIES, ROLE_LABELS
from bot.storage.base import utcnow
from bot.storage.directory import Unit
from bot.storage.residents import Resident
from bot.storage.staff import Staff, canned_for, handoff_of_ticket
from bot.storage.tickets import DONE_STATUSES, OPEN_STATUSES, TicketAttachment, TicketStatus
from webhook.console import chat
from webhook.console.common import blueprint, db, me, services, staff_status_label
from webhook.console.inbox_rows import handovers_of

bp = blueprint("console_cases")


@bp.route("/console/cases/<int:ticket_id>")
@login_required
def page(ticket_id: int):
    """The case page."""
    with db() as session:
        ticket = _visible(session, ticket_id)
        held = handoff_of_ticket(session, ticket.id)
        holder = session.get(Staff, held.staff_id) if held else None
        unit = session.get(Unit, ticket.unit_id)
        resident = session.get_one(Resident, ticket.resident_id)
        # Erased: nothing on the page can reach the resident any more (only internal notes stay).
        erased = resident.openid.startswith(ERASED_PREFIX)
        actions = casework.allowed_actions(
            current_user.scope,
            ticket,
            held_by_me=bool(holder and holder.id == current_user.staff_id),
            held=bool(held),
        )
        return render_template(
            "console/case.html",
            ticket=ticket,
            unit=unit,
            resident=resident,
            erased=erased,
            erased_at=erased_at(session, resident) if erased else None,
            thread=chat.thread(session, ticket),
            handover=handovers_of(session, [ticket.id]).get(ticket.id, ""),
            max_reason=casework.MAX_REASON_CHARS,
            holder=holder,
            erasure_asked=bool(asking_erasure(session, {ticket.resident_id})),
            actions=set() if erased else actions,
            canned=canned_for(session, ticket.unit_id, ticket.role),
            units=list(session.scalars(select(Unit).where(Unit.level != "district").order_by(Unit.id))),
            deadline=next_deadline(ticket),
            overdue=is_overdue(ticket),
            expected=promise_made(ticket),
            labels={
                "category": {intent: category.label for intent, category in CATEGORIES.items()},
                "role": ROLE_LABELS,
            },
        )


@bp.route("/console/cases/<int:ticket_id>/thread")
@login_required
def thread(ticket_id: int):
    """The chat alone, for htmx polling: 204 (nothing to swap) when it has not changed."""
    with db() as session:
        ticket = _visible(session, ticket_id)
        current = chat.thread(session, ticket)
        if request.args.get("v") == current.version:
            return Response(status=204)
        return render_template("console/_thread.html", thread=current, ticket=ticket)


@bp.route("/console/cases/<int:ticket_id>/photos/<int:photo_id>")
@login_required
def photo(ticket_id: int, photo_id: int):
    """A photo the resident sent for the case (kept bytes)."""
    with db() as session:
        _visible(session, ticket_id)
        attachment = session.get(TicketAttachment, photo_id)
        if attachment is None or attachment.ticket_id != ticket_id or attachment.content is None:
            abort(404)
        return Response(attachment.content, mimetype="image/jpeg", headers={"Cache-Control": "private, max-age=3600"})


def _visible(session, ticket_id: int):
    try:
        return casework.visible_ticket(session, current_user.scope, ticket_id)
    except NotVisible:
        abort(404)


def _accept(session, ticket, staff, form):
    casework.accept(session, services().jobs, ticket, staff)
    return "已受理，居民已收到通知"


def _ask(session, ticket, staff, form):
    casework.ask_for_information(session, services().jobs, ticket, staff, form.get("question", ""))
    return "已请居民补充情况"


def _mediation(session, ticket, staff, form):
    try:
        at = datetime.fromisoformat(form.get("at", "")).replace(tzinfo=CHINA)
    except ValueError as error:
        raise ActionError("请填写调解时间") from error
    casework.schedule_mediation(session, services().jobs, ticket, staff, at, form.get("place", ""))
    return "调解已安排，居民已收到时间和地点"


def _transfer(session, ticket, staff, form):
    unit_id = form.get("unit", "")
    unit = session.get(Unit, int(unit_id)) if unit_id.isdigit() else None
    if unit is None:
        raise ActionError("请选择要转交的工作室")
    role = form.get("role", "")
    reason = form.get("reason", "")
    casework.transfer_case(session, services().jobs, ticket, staff, unit, role, _base_url(), reason)
    return f"已转交{unit.office_name}的{ROLE_LABELS.get(role, role)}，居民已收到通知"


def _escalate(session, ticket, staff, form):
    casework.escalate_case(session, services().jobs, ticket, staff, _base_url(), form.get("reason", ""))
    return f"工单 {ticket.number} 已上报{session.get(Unit, ticket.unit_id).office_name}，居民已收到通知"


def _resolve(session, ticket, staff, form):
    casework.resolve(session, services().jobs, ticket, staff, form.get("outcome", ""))
    return "已办结，已请居民评价"


def _reply(session, ticket, staff, form):
    casework.reply(session, services().jobs, ticket, staff, form.get("text", ""))
    return ""


def _note(session, ticket, staff, form):
    casework.add_note(session, ticket, staff, form.get("text", ""))
    return "备注已保存（居民看不到）"


def _take_over(session, ticket, staff, form):
    casework.take_over(session, services().jobs, ticket, staff)
    return "已接管对话：居民的消息不再由机器人回复"


def _release(session, ticket, staff, form):
    casework.release_conversation(session, services().jobs, ticket, staff)
    return "已结束人工接管，机器人恢复回复"


def _base_url() -> str:
    return services().settings.console_base_url


# Each action: (may staff who can read but not work the case do it?, the handler → flash message).
ACTIONS = {
    "accept": (False, _accept),
    "ask": (False, _ask),
    "mediation": (False, _mediation),
    "transfer": (False, _transfer),
    "escalate": (False, _escalate),
    "resolve": (False, _resolve),
    "reply": (False, _reply),
    "note": (True, _note),
    "take_over": (False, _take_over),
    "release": (False, _release),
}


@bp.route("/console/cases/<int:ticket_id>/<action>", methods=["POST"])
@login_required
def act(ticket_id: int, action: str):
    """Carry out one action on a case, after checking the staff member may."""
    if action not in ACTIONS:
        abort(404)
    readers_too, handler = ACTIONS[action]
    scope = current_user.scope
    try:
        with db() as session:
            if readers_too:
                ticket = casework.visible_ticket(session, scope, ticket_id)
            else:
                ticket = casework.workable_ticket(session, scope, ticket_id)
                _still_allowed(session, ticket, action)
            message = handler(session, ticket, me(session), request.form)
    except NotVisible:
        abort(404)
    except NotAllowed:
        abort(403)
    except (ActionError, MoveRefused) as error:  # rolled back by the session block
        flash(str(error) if isinstance(error, ActionError) else "当前状态下不能这样操作", "error")
        return redirect(url_for("console_cases.page", ticket_id=ticket_id) + ("#reply" if action == "reply" else ""))
    if message:
        flash(message, "ok")
    if not _still_visible(ticket_id):  # transferred or escalated out of this staff member's rooms
        return redirect(url_for("console_inbox.index"))
    # done: the page forgets what it kept of that form (a lost log-in must not lose a draft).
    return redirect(
        url_for("console_cases.page", ticket_id=ticket_id, done=action) + ("#reply" if action == "reply" else "")
    )


def _still_allowed(session, ticket, action: str) -> None:
    """The page may be older than the case: a colleague resolved it, or took the conversation over."""
    if session.get(Resident, ticket.resident_id).openid.startswith(ERASED_PREFIX):
        raise ActionError("居民的个人信息已按规定删除，无法再联系居民，这次操作没有生效。")
    held = handoff_of_ticket(session, ticket.id)
    mine = bool(held and held.staff_id == current_user.staff_id)
    if action not in casework.allowed_actions(current_user.scope, ticket, held_by_me=mine, held=bool(held)):
        raise ActionError("工单刚有变化（可能同事已办结或接管了对话），这次操作没有生效，请看最新情况。")
    if action == "reply" and held and not mine and request.form.get("held_by") != str(held.staff_id):
        holder = session.get(Staff, held.staff_id)
        raise ActionError(f"{holder.name}正在和居民人工对话，回复没有发出。请先和他/她商量；确定要发，请再点一次发送。")


def _still_visible(ticket_id: int) -> bool:
    with db() as session:
        try:
            casework.visible_ticket(session, current_user.scope, ticket_id)
        except NotVisible:
            return False
        return True


@bp.app_template_filter("local")
def local_time(moment, fmt: str = "%m-%d %H:%M") -> str:
    """A stored UTC time shown in China time."""
    if moment is None:
        return ""
    return moment.astimezone(CHINA).strftime(fmt)


@bp.app_template_filter("time_left")
def time_left(deadline) -> str:
    """Time left to a deadline in words: 剩 3 小时 / 超时 2 天."""
    if deadline is None:
        return "无时限"
    seconds = (deadline - utcnow()).total_seconds()
    span = abs(seconds)
    words = (
        f"{int(span // 86400)} 天"
        if span >= 86400
        else f"{int(span // 3600)} 小时"
        if span >= 3600
        else f"{max(1, int(span // 60))} 分钟"
    )
    return f"剩 {words}" if seconds >= 0 else f"超时 {words}"


@bp.app_context_processor
def role_names():
    """Role names in Chinese for every template."""
    return {"role_names": ROLE_NAMES}


@bp.app_context_processor
def ticket_statuses():
    """The case statuses for every template: `ticket.status in open_statuses`, `== statuses.NEW`."""
    return {"statuses": TicketStatus, "open_statuses": OPEN_STATUSES, "done_statuses": DONE_STATUSES}


bp.add_app_template_filter(staff_status_label, "status_label")
