"""Command line for staff accounts: `flask --app webhook staff add | passwd | unlock | disable | room | list`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from bot.cases import lockout
from bot.cases.staff import ACCOUNT_ROLES, AccountError, add_account, add_room, set_password
from bot.storage.base import utcnow
from bot.storage.directory import ROLES, Unit
from bot.storage.staff import Staff, staff_by_username

staff_cli = AppGroup("staff", help="Staff accounts of the console.")


def _db():
    return current_app.extensions["services"].db


def _account(session, username: str) -> Staff:
    staff = staff_by_username(session, username)
    if staff is None:
        raise click.ClickException(f"no staff account {username!r}")
    return staff


@staff_cli.command("add")
@click.argument("username")
@click.option("--name", required=True, help="The name residents and colleagues see, e.g. 张律师.")
@click.option("--role", type=click.Choice(ACCOUNT_ROLES), required=True)
@click.option(
    "--unit", "unit_code", required=True, help="Room code; a street for coordinators; the district for admins."
)
@click.password_option(help="At least 8 characters (asked for when not given).")
def add_command(username: str, name: str, role: str, unit_code: str, password: str) -> None:
    """Create a staff account."""
    with _db().session() as session:
        try:
            add_account(session, username, name, role, unit_code, password)
        except AccountError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"{username} created ({role} at {unit_code})")


@staff_cli.command("passwd")
@click.argument("username")
@click.password_option(help="At least 8 characters (asked for when not given).")
def passwd_command(username: str, password: str) -> None:
    """Set a staff member's password (also lifts the account's log-in locks and enables a directory account)."""
    with _db().session() as session:
        staff = _account(session, username)
        try:
            set_password(staff, password)
        except AccountError as error:
            raise click.ClickException(str(error)) from error
        staff.active = True
        lockout.unlock_account(session, staff, None, utcnow())
    click.echo(f"password of {username} set")


@staff_cli.command("unlock")
@click.argument("username", required=False)
@click.option("--address", help="Lift the lock of this client address (and of the accounts tried from it).")
def unlock_command(username: str | None, address: str | None) -> None:
    """Lift the log-in locks of an account (from every address) or of a client address."""
    if bool(username) == bool(address):
        raise click.UsageError("give a USERNAME or an --address")
    with _db().session() as session:
        if username:
            lifted = lockout.unlock_account(session, _account(session, username), None, utcnow())
        else:
            lifted = lockout.unlock_address(session, lockout.client_address(address), None, utcnow())
    click.echo(f"{lifted} lock(s) lifted")


@staff_cli.command("disable")
@click.argument("username")
def disable_command(username: str) -> None:
    """Disable an account: it can no longer log in, and its open sessions end at the next page."""
    with _db().session() as session:
        _account(session, username).active = False
    click.echo(f"{username} disabled")


@staff_cli.command("room")
@click.argument("username")
@click.argument("unit_code")
@click.argument("role", type=click.Choice(ROLES))
def room_command(username: str, unit_code: str, role: str) -> None:
    """Let a staff member also work in another room, in a role."""
    with _db().session() as session:
        try:
            add_room(session, _account(session, username), unit_code, role)
        except AccountError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"{username} now also works as {role} in {unit_code}")


@staff_cli.command("list")
def list_command() -> None:
    """List the accounts: username, role, unit, whether they can log in."""
    with _db().session() as session:
        for staff in session.query(Staff).order_by(Staff.id):
            unit = session.get(Unit, staff.unit_id)
            state = "disabled" if not staff.active else "no password" if not staff.password_hash else "active"
            wechat = " wechat" if staff.wechat_openid else ""
            click.echo(f"{staff.username}\t{staff.name}\t{staff.role}\t{unit.code}\t{state}{wechat}")
