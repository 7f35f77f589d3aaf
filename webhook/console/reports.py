"""The reports page (服务统计) and its downloads: the figures of a period as charts and tables, the
monthly workbook (.xlsx) and the period's cases as CSV. District admins see the district, street
coordinators their streets; room staff get 403."""

from __future__ import annotations

import io
from datetime import date

from flask import abort, render_template, request, send_file
from flask_login import current_user, login_required
from sqlalchemy.orm import Session

from bot.reporting.case_rows import case_rows
from bot.reporting.figures import NOTES, Figures, report_figures
from bot.reporting.period import (
    Period,
    PeriodError,
    beijing_today,
    last_month,
    month_period,
    read_period,
    this_month,
    this_year,
)
from bot.reporting.scope import NoReports, ReportScope, may_see_reports, report_scope
from bot.reporting.tables import all_tables, kinds_at_a_glance
from bot.reporting.workbook import write_csv, write_workbook
from bot.storage.base import utcnow
from webhook.console import report_charts
from webhook.console.common import blueprint, db, services

bp = blueprint("console_reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def _reports_allowed():
    if not may_see_reports(current_user.scope):
        abort(403)


@bp.app_context_processor
def _nav():
    """Whether the logged-in account sees the 统计 link."""
    return {"sees_reports": lambda: current_user.is_authenticated and may_see_reports(current_user.scope)}


@bp.route("/console/reports")
def index():
    """The figures of a period (this month unless the form says otherwise)."""
    today = beijing_today(utcnow())
    error = ""
    try:
        period = read_period(request.args.get("from", ""), request.args.get("to", ""), today)
    except PeriodError as refused:
        period, error = this_month(today), str(refused)
    with db() as session:
        figures = _figures(session, period)
    return render_template(
        "console/reports.html",
        figures=figures,
        tables={table.key: table for table in [*all_tables(figures), kinds_at_a_glance(figures)]},
        charts=report_charts.charts(figures),
        notes=NOTES,
        quick=_quick_links(today),
        month=_whole_month(period, today),
        error=error,
    ), (400 if error else 200)


@bp.route("/console/reports/month.xlsx")
def workbook():
    """The workbook of a month (up to today for this one) or of the period from/to: a sheet of
    figures, a sheet of cases (no resident's personal data)."""
    period = _workbook_period()
    with db() as session:
        figures = _figures(session, period)
        out = io.BytesIO()
        write_workbook(figures, case_rows(session, figures.scope, period), out)
    out.seek(0)
    when = period.month if period.monthly else f"{period.first:%Y%m%d}-{period.last:%Y%m%d}"
    name = f"服务统计-{figures.scope.label}-{when}.xlsx"
    return send_file(out, mimetype=XLSX, as_attachment=True, download_name=name)


@bp.route("/console/reports/cases.csv")
def cases_csv():
    """The period's cases as CSV (UTF-8 with a byte-order mark, for Excel)."""
    try:
        period = read_period(request.args.get("from", ""), request.args.get("to", ""), beijing_today(utcnow()))
    except PeriodError:
        abort(400)
    with db() as session:
        scope = _scope(session)
        text = io.StringIO()
        write_csv(case_rows(session, scope, period), text)
    name = f"工单-{scope.label}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.csv"
    data = io.BytesIO(text.getvalue().encode("utf-8"))
    return send_file(data, mimetype="text/csv", as_attachment=True, download_name=name)


def _figures(session: Session, period: Period) -> Figures:
    target = services().settings.report_satisfaction_target
    return report_figures(session, _scope(session), period, utcnow(), target)


def _scope(session: Session) -> ReportScope:
    try:
        return report_scope(session, current_user.scope)
    except NoReports:
        abort(403)


def _whole_month(period: Period, today: date) -> str | None:
    """The month "YYYY-MM" the period is (whole, or up to today), for its monthly workbook; else None."""
    whole = month_period(period.month).until(today)
    return period.month if period == whole else None


def _workbook_period() -> Period:
    """The month asked for (cut at today), or the period from/to; 400 when neither reads."""
    today = beijing_today(utcnow())
    try:
        if "month" in request.args:
            return month_period(request.args["month"]).until(today)
        return read_period(request.args.get("from", ""), request.args.get("to", ""), today)
    except PeriodError:
        abort(400)


def _quick_links(today: date) -> list[tuple[str, Period]]:
    return [("本月", this_month(today)), ("上月", last_month(today)), ("今年", this_year(today))]
