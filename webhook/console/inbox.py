"""The inbox: the cases of one's rooms, urgent first, then by time left; new ones appear by polling."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from bot.cases.privacy import asking_erasure
from bot.categories import ROLE_LABELS
from bot.storage.directory import ROLES
from webhook.console.common import blueprint, db
from webhook.console.inbox_rows import INBOX_LIMIT, inbox_rows, scope_units

bp = blueprint("console_inbox")


def _filters() -> dict:
    view = request.args.get("view", "open")
    unit = request.args.get("unit", "")
    role = request.args.get("role", "")
    return {
        "view": view if view in ("open", "done") else "open",
        "unit": int(unit) if unit.isdigit() else None,
        "role": role if role in ROLES else None,
    }


def _erasing(session, rows) -> set[int]:
    """The residents of these rows who asked to have their data erased (their cards say so)."""
    return asking_erasure(session, {row.ticket.resident_id for row in rows})


def _rows(session, filters: dict):
    # A unit outside the scope simply gives nothing: inbox_rows() filters by the scope anyway.
    return inbox_rows(session, current_user.scope, filters["view"], filters["unit"], filters["role"])


@bp.route("/console/")
@login_required
def index():
    """The inbox page."""
    filters = _filters()
    with db() as session:
        rows = _rows(session, filters)
        units = scope_units(session, current_user.scope)
        return render_template(
            "console/inbox.html",
            rows=rows,
            units=units,
            filters=filters,
            role_labels=ROLE_LABELS,
            limit=INBOX_LIMIT,
            erasing=_erasing(session, rows),
        )


@bp.route("/console/inbox/rows")
@login_required
def rows():
    """The inbox's list alone, for htmx polling."""
    filters = _filters()
    with db() as session:
        found = _rows(session, filters)
        return render_template(
            "console/_inbox_rows.html", rows=found, filters=filters, limit=INBOX_LIMIT, erasing=_erasing(session, found)
        )
