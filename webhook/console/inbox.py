"""The inbox: the cases of one's rooms — urgent first, then those where a resident waits for staff,
then by time left — in tabs (全部, 我的, 未受理, 等居民回复, 已超期, 已办结) with their counts; new ones
appear by polling."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from bot.cases.privacy import asking_erasure
from bot.categories import ROLE_LABELS
from bot.storage.directory import ROLES
from webhook.console.common import blueprint, db
from webhook.console.inbox_rows import INBOX_LIMIT, OPEN_VIEWS, InboxView, inbox_rows, scope_units, view_counts

bp = blueprint("console_inbox")


def _filters() -> dict:
    unit = request.args.get("unit", "")
    role = request.args.get("role", "")
    return {
        "view": InboxView.of(request.args.get("view", "")),
        "unit": int(unit) if unit.isdigit() else None,
        "role": role if role in ROLES else None,
    }


def _erasing(session, rows) -> set[int]:
    """The residents of these rows who asked to have their data erased (their cards say so)."""
    return asking_erasure(session, {row.ticket.resident_id for row in rows})


def _listing(session, filters: dict) -> dict:
    """What the list (tabs with their counts, and the cards) shows."""
    # A unit outside the scope simply gives nothing: the queries filter by the scope anyway.
    scope = current_user.scope
    rows = inbox_rows(session, scope, filters["view"], filters["unit"], filters["role"])
    return {
        "rows": rows,
        "counts": view_counts(session, scope, filters["unit"], filters["role"]),
        "views": InboxView,
        "open_views": OPEN_VIEWS,
        "filters": filters,
        "limit": INBOX_LIMIT,
        "erasing": _erasing(session, rows),
    }


@bp.route("/console/")
@login_required
def index():
    """The inbox page."""
    filters = _filters()
    with db() as session:
        return render_template(
            "console/inbox.html",
            units=scope_units(session, current_user.scope),
            role_labels=ROLE_LABELS,
            **_listing(session, filters),
        )


@bp.route("/console/inbox/rows")
@login_required
def rows():
    """The inbox's list alone (tabs and cards), for htmx polling."""
    with db() as session:
        return render_template("console/_inbox_rows.html", **_listing(session, _filters()))
