"""The audit log for district admins (操作记录, /console/audit): who did what to which case,
filtered by staff member, case number, action and dates, newest first a page at a time, exported as
CSV or .xlsx; and the log-in locks in force, which an admin may lift. 403 for everyone else."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from urllib.parse import quote

from flask import Response, abort, flash, redirect, render_template, request, send_file, stream_with_context, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.cases import lockout
from bot.cases.audit_export import CSV_LIMIT, XLSX_LIMIT, csv_chunks, export_rows, write_xlsx
from bot.cases.audit_log import Names, readable
from bot.cases.office_hours import CHINA
from bot.cases.staff import ROLE_NAMES
from bot.storage.audit import AuditAction, AuditFilter, AuditGroup, audit_page, count_entries
from bot.storage.base import utcnow
from bot.storage.staff import Staff
from bot.storage.tickets import ticket_by_number
from webhook.console.common import blueprint, db, me

bp = blueprint("console_audit")
PAGE_SIZE = 50
COUNT_LIMIT = 10_000  # counted exactly up to here; beyond, the page says "超过"
SYSTEM = "system"  # the staff filter's choice for what nobody did by hand
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Asked:
    """The filter as the form sent it (kept for the form, the pager and the export links)."""

    staff: str = ""  # a staff id, SYSTEM, or "" for everyone
    case: str = ""  # a case number
    action: str = ""
    since: str = ""  # YYYY-MM-DD, a day in China time
    until: str = ""

    @classmethod
    def from_args(cls) -> Asked:
        """The filter of this request's query string (anything unreadable left out)."""
        args = request.args
        staff = args.get("staff", "").strip()
        action = args.get("action", "").strip()
        return cls(
            staff=staff if staff == SYSTEM or staff.isdigit() else "",
            case=args.get("case", "").strip().upper()[:32],
            action=action if action in set(AuditAction) else "",
            since=_day_text(args.get("since", "")),
            until=_day_text(args.get("until", "")),
        )

    def args(self) -> dict[str, str]:
        """The filter as query-string arguments (the empty ones left out)."""
        return {key: value for key, value in asdict(self).items() if value}


@bp.before_request
@login_required
def _admins_only():
    if not current_user.scope.admin:
        abort(403)


@bp.route("/console/audit")
def index():
    """The filtered entries, newest first, a page at a time; the locks in force above them."""
    asked = Asked.from_args()
    reversed_days = bool(asked.since and asked.until and asked.until < asked.since)
    if reversed_days:
        asked = replace(asked, since="", until="")
    before, after = _entry_id("before"), _entry_id("after")
    with db() as session:
        wanted, unknown_case = _filter(session, asked)
        page = audit_page(session, wanted, PAGE_SIZE, before=before, after=after) if wanted else None
        return render_template(
            "console/audit.html",
            asked=asked,
            unknown_case=unknown_case,
            reversed_days=reversed_days,
            page=page,
            rows=readable(session, page.entries, Names.load(session)) if page else [],
            total=count_entries(session, wanted, COUNT_LIMIT + 1) if wanted else 0,
            count_limit=COUNT_LIMIT,
            csv_limit=CSV_LIMIT,
            xlsx_limit=XLSX_LIMIT,
            staff_choices=_staff_choices(session),
            action_groups=_action_groups(),
            locks=lockout.current_locks(session, utcnow()),
            role_names=ROLE_NAMES,
        ), (400 if reversed_days else 200)


@bp.route("/console/audit/export.csv")
def export_csv():
    """The filtered entries as CSV (UTF-8 with a BOM, the newest CSV_LIMIT), streamed."""
    asked = Asked.from_args()

    def chunks():
        with db() as session:
            wanted, _ = _filter(session, asked)
            yield from csv_chunks(export_rows(session, wanted, CSV_LIMIT, raw=True) if wanted else [])

    response = Response(stream_with_context(chunks()), mimetype="text/csv")
    response.headers["Content-Disposition"] = _attachment("csv")
    return response


@bp.route("/console/audit/export.xlsx")
def export_xlsx():
    """The filtered entries as an .xlsx workbook (the newest XLSX_LIMIT)."""
    asked = Asked.from_args()
    out = io.BytesIO()
    with db() as session:
        wanted, _ = _filter(session, asked)
        write_xlsx(export_rows(session, wanted, XLSX_LIMIT) if wanted else [], out)
    out.seek(0)
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=_file_name("xlsx"))


@bp.route("/console/audit/locks/<int:lock_id>/unlock", methods=["POST"])
def unlock(lock_id: int):
    """Lift one log-in lock (in the audit log, as this admin's action)."""
    with db() as session:
        lifted = lockout.unlock(session, lock_id, me(session), utcnow())
    flash("已解除锁定" if lifted else "这个锁定已经结束了", "ok" if lifted else "error")
    return redirect(url_for("console_audit.index"))


def _filter(session: Session, asked: Asked) -> tuple[AuditFilter | None, bool]:
    """The query's filter; (None, True) when it names a case number that does not exist."""
    ticket_id = None
    if asked.case:
        ticket = ticket_by_number(session, asked.case)
        if ticket is None:
            return None, True
        ticket_id = ticket.id
    wanted = AuditFilter(
        staff_id=int(asked.staff) if asked.staff.isdigit() else None,
        system=asked.staff == SYSTEM,
        ticket_id=ticket_id,
        action=AuditAction(asked.action) if asked.action else None,
        since=_day_start(asked.since),
        until=_day_start(asked.until, days_after=1),
    )
    return wanted, False


def _staff_choices(session: Session) -> list[tuple[str, str]]:
    """(value, label) of every account, by name: "张律师（zhang.lawyer · 社区律师）"."""
    accounts = session.execute(select(Staff.id, Staff.name, Staff.username, Staff.role).order_by(Staff.name))
    return [
        (str(staff_id), f"{name}（{username} · {ROLE_NAMES.get(role, role)}）")
        for staff_id, name, username, role in accounts
    ]


def _action_groups() -> list[tuple[str, list[AuditAction]]]:
    """The actions under their groups' names, for the filter's <optgroup>s."""
    return [(group.label, [action for action in AuditAction if action.group == group]) for group in AuditGroup]


def _entry_id(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _day_text(value: str) -> str:
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return ""


def _day_start(day: str, days_after: int = 0) -> datetime | None:
    """The start of a day as staff read it (China time), or of a day after it."""
    if not day:
        return None
    return datetime.combine(date.fromisoformat(day) + timedelta(days=days_after), datetime.min.time(), tzinfo=CHINA)


def _file_name(extension: str) -> str:
    return f"操作记录-{utcnow().astimezone(CHINA):%Y%m%d-%H%M}.{extension}"


def _attachment(extension: str) -> str:
    # A Chinese file name travels as RFC 5987's filename*; a plain one for clients without it.
    return f"attachment; filename=audit.{extension}; filename*=UTF-8''{quote(_file_name(extension))}"
