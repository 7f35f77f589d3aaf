"""`flask --app webhook reports export`: the monthly workbook from the command line (a sheet of
figures, a sheet of cases, no resident's personal data), for the whole district or one street."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from bot.reporting.case_rows import case_rows
from bot.reporting.figures import report_figures
from bot.reporting.period import PeriodError, beijing_today, month_period
from bot.reporting.scope import street_scope
from bot.reporting.workbook import write_workbook
from bot.storage.base import utcnow

reports_cli = AppGroup("reports", help="The district's reports.")


@reports_cli.command("export")
@click.option("--month", required=True, help="The month, YYYY-MM (cases opened in it, Beijing time).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="FILE.xlsx")
@click.option("--street", default="", help="A street's code: its rooms only (default: the whole district).")
def export_command(month: str, out: Path, street: str) -> None:
    """Write the month's workbook: the figures and every case of the month."""
    services = current_app.extensions["services"]
    try:
        period = month_period(month).until(beijing_today(utcnow()))
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--month") from error
    with services.db.session() as session:
        try:
            scope = street_scope(session, street)
        except LookupError as error:
            raise click.BadParameter(str(error), param_hint="--street") from error
        figures = report_figures(session, scope, period, utcnow(), services.settings.report_satisfaction_target)
        with out.open("wb") as handle:
            listed = write_workbook(figures, case_rows(session, scope, period), handle)
    click.echo(f"{out}: {scope.label} {period.month}, {listed} case(s)")
