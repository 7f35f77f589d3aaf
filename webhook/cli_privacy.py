"""`flask --app webhook privacy export|delete|purge`: a resident's data shown or erased (PIPL),
and the retention period applied now."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from bot.cases.privacy import ErasureRun, describe, erase_residents, export_resident, open_cases_of, purge_expired
from bot.redaction import person
from bot.storage.staff import staff_by_username

privacy_cli = AppGroup("privacy", help="Show or erase residents' data (PIPL requests, retention).")


@privacy_cli.command("export")
@click.argument("openid")
def export_command(openid: str) -> None:
    """Print everything stored about the resident as JSON."""
    data = export_resident(current_app.extensions["services"], openid)
    if data is None:
        raise click.ClickException("no resident with that openid")
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@privacy_cli.command("delete")
@click.argument("openids", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--by", "username", default="", help="The admin who carries out the request (for the audit log).")
def delete_command(openids: tuple[str, ...], yes: bool, username: str) -> None:
    """Erase residents, each on their own: messages, photos, phone and descriptions go; open cases
    are withdrawn (noted as the resident's request when one is on file, else as an administrator's
    erasure); case statistics stay."""
    services = current_app.extensions["services"]
    staff = None
    with services.db.session() as session:
        if username:
            staff = staff_by_username(session, username)
            if staff is None:
                raise click.ClickException(f"no staff account {username}")
        for ticket in open_cases_of(session, list(openids)):
            urgent = "URGENT " if ticket.urgent else ""
            click.echo(f"warning: {urgent}case {ticket.number} ({ticket.status}) is still open and will be withdrawn")
    if not yes:
        click.confirm(f"Erase {len(openids)} resident(s)? It cannot be undone", abort=True)
    run = erase_residents(services, list(openids), staff)
    _report(run, name=lambda openid: openid)


@privacy_cli.command("purge")
def purge_command() -> None:
    """Erase now every resident silent longer than RETENTION_DAYS with no open case."""
    services = current_app.extensions["services"]
    if services.settings.retention_days <= 0:
        raise click.ClickException("RETENTION_DAYS is 0: data is kept until a resident asks")
    _report(purge_expired(services), name=person)


def _report(run: ErasureRun, name) -> None:
    """One line per resident, the totals, and a failing exit status when anyone was not erased."""
    for one in run.erased:
        click.echo(f"erased {name(one.openid)} in {one.seconds * 1000:.0f} ms: {describe(one.counts)}")
    for openid in run.unknown:
        click.echo(f"not found {name(openid)} (unknown or already erased)")
    for openid, reason in run.failed:
        click.echo(f"FAILED {name(openid)}: {reason}", err=True)
    click.echo(
        f"{len(run.erased)} erased, {len(run.failed)} failed, {len(run.unknown)} not found"
        + (f"; in all: {describe(run.totals())}" if run.erased else "")
    )
    if run.failed or run.unknown:
        raise SystemExit(1)
