"""Admin page of residents' requests to erase their personal data: the waiting ones by deadline,
with the resident's open cases, and an "erase now" action that runs the same erasure as
`flask privacy delete` and records who did it. District admins only (403 for everyone else)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from bot.privacy import describe, erase_residents
from bot.redaction import person
from bot.storage.base import utcnow
from bot.storage.messages import Message
from bot.storage.privacy_requests import PrivacyRequest, RequestStatus, requests_by_status
from bot.storage.residents import Resident
from bot.storage.tickets import OPEN_STATUSES, STATUS_LABELS, Ticket
from webhook.console.common import blueprint, db, me, services

bp = blueprint("console_privacy")


class EraseForm(FlaskForm):
    """The "erase now" button (its CSRF token is the whole form)."""


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
            labels=STATUS_LABELS,
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
    """Carry out one request now: the resident's data is erased, open cases withdrawn."""
    if not EraseForm().validate_on_submit():
        abort(400)
    with db() as session:
        request = session.get(PrivacyRequest, request_id)
        if request is None:
            abort(404)
        if request.status != RequestStatus.OPEN:
            flash(f"申请 #{request_id} 已经办理过了", "ok")
            return redirect(url_for("console_privacy.index"))
        openid = session.get(Resident, request.resident_id).openid
        staff = me(session)
    run = erase_residents(services(), [openid], staff)
    if run.erased:
        flash(f"申请 #{request_id} 已办理：{describe(run.erased[0].counts)}", "ok")
    for _, reason in run.failed:
        flash(f"申请 #{request_id} 没有办成（{reason}），数据都还在，可以稍后再试", "error")
    return redirect(url_for("console_privacy.index"))
