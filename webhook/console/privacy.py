"""Admin page of residents' requests to erase their personal data: the waiting ones by deadline,
with the resident's open cases. A resident with no open case is erased now (the same erasure as
`flask privacy delete`, recording who did it); one with an open case — told "不撤回的话，我们等工单办结后
再删除" — is erased once it is finished ("等工单办结后删除"), and withdrawing it to erase now is a second
choice that must be confirmed. District admins only (403 for everyone else)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField

from bot.cases.privacy import describe, erase_residents, wait_for_cases
from bot.redaction import person
from bot.storage.base import utcnow
from bot.storage.messages import Message
from bot.storage.privacy_requests import WAITING, PrivacyRequest, RequestStatus, requests_by_status
from bot.storage.residents import Resident
from bot.storage.tickets import OPEN_STATUSES, Ticket
from webhook.console.common import blueprint, db, me, services

bp = blueprint("console_privacy")


class EraseForm(FlaskForm):
    """The "erase now" and "erase once the cases are finished" buttons (their CSRF token), and the
    box an admin ticks to withdraw the resident's open cases to erase now."""

    withdraw = BooleanField("确认撤回居民未办结的工单")


@dataclass
class RequestRow:
    """One request as the page shows it."""

    request: PrivacyRequest
    who: str  # the resident's pseudonym (r:…), never the openid
    messages: int
    open_cases: list[Ticket]


@bp.before_request
@login_required
def _admins_only():
    if not current_user.scope.admin:
        abort(403)


@bp.route("/console/privacy")
def index():
    """Waiting requests (oldest deadline first) and the last ones carried out."""
    with db() as session:
        waiting = [_row(session, request) for request in requests_by_status(session, RequestStatus.OPEN)]
        done = requests_by_status(session, RequestStatus.DONE, limit=50)
        return render_template(
            "console/privacy.html",
            waiting=waiting,
            done=done,
            form=EraseForm(),
            now=utcnow(),
            describe=describe,
        )


def _row(session, request: PrivacyRequest) -> RequestRow:
    resident = session.get(Resident, request.resident_id)
    cases = select(Ticket).where(Ticket.resident_id == resident.id, Ticket.status.in_(OPEN_STATUSES))
    messages = select(func.count()).select_from(Message).where(Message.resident_id == resident.id)
    return RequestRow(
        request, person(resident.openid), session.scalar(messages), list(session.scalars(cases.order_by(Ticket.id)))
    )


@bp.route("/console/privacy/<int:request_id>/erase", methods=["POST"])
def erase(request_id: int):
    """Carry out one request now: the resident's data is erased; open cases are withdrawn only when
    the admin confirmed it (the resident may have chosen to keep them)."""
    form = EraseForm()
    if not form.validate_on_submit():
        abort(400)
    with db() as session:
        request = _waiting(session, request_id)
        if request is None:
            return redirect(url_for("console_privacy.index"))
        if _row(session, request).open_cases and not form.withdraw.data:
            flash(f"申请 #{request_id} 没有删除：居民还有未办结的工单，要撤回请先勾选确认", "error")
            return redirect(url_for("console_privacy.index"))
        openid = session.get_one(Resident, request.resident_id).openid
        staff = me(session)
    run = erase_residents(services(), [openid], staff)
    if run.erased:
        flash(f"申请 #{request_id} 已办理：{describe(run.erased[0].counts)}", "ok")
    for _, reason in run.failed:
        flash(f"申请 #{request_id} 没有办成（{reason}），数据都还在，可以稍后再试", "error")
    return redirect(url_for("console_privacy.index"))


@bp.route("/console/privacy/<int:request_id>/after-cases", methods=["POST"])
def after_cases(request_id: int):
    """Erase once the resident's open cases are finished (resolved, closed or withdrawn by them)."""
    if not EraseForm().validate_on_submit():
        abort(400)
    with db() as session:
        request = _waiting(session, request_id)
        if request is None:
            return redirect(url_for("console_privacy.index"))
        has_open_cases = bool(_row(session, request).open_cases)
        if has_open_cases:
            wait_for_cases(session, request, me(session))
            flash(f"申请 #{request_id}：等居民的工单办结后自动删除", "ok")
    if not has_open_cases:
        return erase(request_id)
    return redirect(url_for("console_privacy.index"))


def _waiting(session, request_id: int) -> PrivacyRequest | None:
    """The request, if it still waits (a flash says so otherwise); 404 when there is none."""
    request = session.get(PrivacyRequest, request_id)
    if request is None:
        abort(404)
    if request.status not in WAITING:
        flash(f"申请 #{request_id} 已经办理过了", "ok")
        return None
    return request
