"""Command line: `flask --app webhook setup | worker | tickets … | nlu … | wechat …`."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from bot.cases.actions import snapshot
from bot.cases.directory import DEFAULT_DIRECTORY
from bot.cases.directory_seed import SeedOutcome as DirectorySeedOutcome
from bot.cases.handoff import release_idle
from bot.cases.lifecycle import MoveRefused, move_ticket
from bot.cases.lockout import forget_stale as forget_stale_log_ins
from bot.cases.privacy import erase_after_cases, purge_expired
from bot.cases.staff import accounts_without_password, audit
from bot.cases.tickets import escalate_overdue, status_line
from bot.jobs import RetryLater
from bot.legal.faq_seed import SeedOutcome
from bot.nlu.faq_file import DEFAULT_FAQ
from bot.pipeline.recovery import answer_unanswered, replay_kept
from bot.seeding import Seeded, prepare_database
from bot.storage.audit import AuditAction
from bot.storage.base import utcnow
from bot.storage.directory import ROLES, unit_by_code
from bot.storage.staff import staff_by_username
from bot.storage.tickets import TicketStatus, queue_of, ticket_by_number
from bot.wechat.outbox import claim_seconds, requeue_stuck

log = logging.getLogger(__name__)
# At worker start, a message queued this long ago without being sent has lost its job.
WORKER_START_PICKUP = timedelta(minutes=1)
tickets_cli = AppGroup("tickets", help="Work cases from the command line.")


def _services():
    return current_app.extensions["services"]


@click.command("setup")
@with_appcontext
@click.option("--directory", type=click.Path(path_type=Path), default=DEFAULT_DIRECTORY)
@click.option("--faq", type=click.Path(path_type=Path), default=DEFAULT_FAQ)
def setup_command(directory: Path, faq: Path) -> None:
    """Apply migrations, then load the directory of rooms and the FAQ."""
    services = _services()
    seeded = prepare_database(services.settings.database_url, directory, faq)
    with services.db.session() as session:
        waiting = [staff.username for staff in accounts_without_password(session)]
    click.echo(
        f"schema up to date; {seeded.units} units and {seeded.faq_entries} FAQ entries loaded; "
        f"{seeded.canned_answers} canned answers"
    )
    _report_faq_edits(seeded)
    _report_directory_edits(seeded)
    if waiting:
        click.echo(
            f"{len(waiting)} staff account(s) from the directory have no password yet; "
            "give one with: flask --app webhook staff passwd USERNAME"
        )


def _report_directory_edits(seeded: Seeded) -> None:
    """The directory's units and accounts edited in the console that the seed file did not overwrite."""
    kept = seeded.directory_with(DirectorySeedOutcome.KEPT, DirectorySeedOutcome.CONFLICT)
    conflicts = seeded.directory_with(DirectorySeedOutcome.CONFLICT)
    if kept:
        click.echo(f"{len(kept)} directory row(s) edited in the console kept (the database is the directory now)")
    if conflicts:
        click.echo(f"{len(conflicts)} of them changed in bot/data/directory.yml too; kept as edited:")
        for state in conflicts:
            click.echo(f"  {state.line()}")


def _report_faq_edits(seeded: Seeded) -> None:
    """The FAQ answers changed in the service that the seed file did not overwrite."""
    kept = seeded.faq_with(SeedOutcome.KEPT)
    conflicts = seeded.faq_with(SeedOutcome.CONFLICT)
    if kept:
        click.echo(
            f"{len(kept)} FAQ answer(s) edited in the service kept; to keep them in bot/data/faq.yml too: "
            "flask --app webhook faq export --out FILE.yml"
        )
    if conflicts:
        click.echo(
            f"{len(conflicts)} FAQ answer(s) edited in the service and changed in the seed file; kept as edited:"
        )
        for state in conflicts:
            click.echo(f"  {state.line()}")


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run a job-queue worker (customer-service messages, notifications)."""
    services = _services()
    # A worker that died mid-job left its messages claimed or queued without a job: pick them up
    # now rather than at the next sweep (a message is claimed before it is sent, so a second job
    # for it never sends it twice).
    with services.db.session() as session:
        picked_up = requeue_stuck(session, services.jobs, claim_seconds(services), older_than=WORKER_START_PICKUP)
    if picked_up:
        click.echo(f"{picked_up} abandoned message(s) queued again")

    def after_outage() -> None:
        # Messages queued while Redis was away got no job (their enqueue failed after commit):
        # queue them now, not at the next sweep. A message that has a job too is sent once.
        try:
            with services.db.session() as session:
                requeue_stuck(session, services.jobs, claim_seconds(services), older_than=timedelta(0))
        except SQLAlchemyError as error:
            log.error("messages queued during the outage wait for the sweep (%s)", type(error).__name__)

    services.jobs.work(burst=burst, after_outage=after_outage)


@click.command("sweep")
@with_appcontext
def sweep_command() -> None:
    """Housekeeping to run every few minutes (cron): replay messages kept while the database was
    down, answer messages whose answer failed, send overdue cases up a level, queue again
    customer-service messages that got stuck, apply the retention period, erase residents whose
    request waited for their cases to be finished, forget failed log-ins of a day ago."""
    services = _services()
    try:
        replayed = replay_kept(services)
    except RetryLater as error:
        raise click.ClickException(f"{error}; nothing else done") from error
    answered = answer_unanswered(services)
    settings = services.settings
    with services.db.session() as session:
        escalated = escalate_overdue(session, services.jobs, settings.console_base_url)
        released = release_idle(session, services.jobs, settings.handoff_idle_minutes)
        requeued = requeue_stuck(session, services.jobs, claim_seconds(services))
        forget_stale_log_ins(session, utcnow())  # failed log-ins of a day ago and more
    purged = purge_expired(services)
    after_cases = erase_after_cases(services)  # requests that waited for the resident's cases to finish
    click.echo(
        f"{replayed.stored} message(s) replayed ({replayed.dead_letters} set aside as dead letters), "
        f"{answered} unanswered message(s) answered, {escalated} case(s) escalated, "
        f"{released} idle conversation(s) given back to the bot, {requeued} message(s) queued again, "
        f"{len(purged.erased)} resident(s) past retention erased"
        + (f", {len(purged.failed)} failed (see `flask privacy purge`)" if purged.failed else "")
        + f", {len(after_cases.erased)} resident(s) erased as asked once their cases were finished"
        + (f" ({len(after_cases.failed)} failed: see 删除申请 in the console)" if after_cases.failed else "")
    )


@tickets_cli.command("queue")
@click.argument("unit_code")
@click.argument("role", type=click.Choice(ROLES))
def queue_command(unit_code: str, role: str) -> None:
    """List the open cases of one room for one role."""
    with _services().db.session() as session:
        unit = unit_by_code(session, unit_code)
        if unit is None:
            raise click.ClickException(f"no unit with code {unit_code!r}")
        for ticket in queue_of(session, unit.id, role):
            click.echo(status_line(session, ticket))


@tickets_cli.command("status")
@click.argument("number")
@click.argument("status", type=click.Choice(sorted(status.value for status in TicketStatus)))
@click.option("--actor", required=True, help="Username of the staff member.")
@click.option("--note", default="", help="Message to the resident.")
def status_command(number: str, status: str, actor: str, note: str) -> None:
    """Change a case's status and tell the resident on WeChat."""
    services = _services()
    with services.db.session() as session:
        ticket = ticket_by_number(session, number)
        if ticket is None:
            raise click.ClickException(f"no ticket {number}")
        before = snapshot(ticket)
        try:
            move_ticket(session, services.jobs, ticket, TicketStatus(status), actor, note)
        except MoveRefused as error:
            raise click.ClickException(str(error)) from error
        # A change from the command line is a staff action like one on the console's page.
        audit(session, staff_by_username(session, actor), AuditAction.STATUS, ticket.id, before, snapshot(ticket))
    click.echo(f"{number} → {status}; resident notified")


def register_commands(app: Flask) -> None:
    """Attach every command group to the app."""
    from webhook import cli_models  # noqa: F401  (adds review/retrain/models/promote/rollback to `nlu`)
    from webhook.cli_faq import faq_cli
    from webhook.cli_nlu import nlu_cli
    from webhook.cli_privacy import privacy_cli
    from webhook.cli_reports import reports_cli
    from webhook.cli_staff import staff_cli
    from webhook.cli_wechat import wechat_cli

    commands = (
        setup_command,
        worker_command,
        sweep_command,
        tickets_cli,
        faq_cli,
        staff_cli,
        nlu_cli,
        wechat_cli,
        privacy_cli,
        reports_cli,
    )
    for command in commands:
        app.cli.add_command(command)
