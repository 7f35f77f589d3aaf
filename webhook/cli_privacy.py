"""`flask --app webhook privacy export|delete OPENID`: a resident's data shown or erased (PIPL)."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from bot.privacy import delete_resident, export_resident

privacy_cli = AppGroup("privacy", help="Show or erase one resident's data (PIPL requests).")


@privacy_cli.command("export")
@click.argument("openid")
def export_command(openid: str) -> None:
    """Print everything stored about the resident as JSON."""
    with current_app.extensions["services"].db.session() as session:
        data = export_resident(session, openid)
    if data is None:
        raise click.ClickException("no resident with that openid")
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@privacy_cli.command("delete")
@click.argument("openid")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(openid: str, yes: bool) -> None:
    """Erase the resident: messages, photos, phone and descriptions go; case statistics stay."""
    if not yes:
        click.confirm("Erase this resident's data? It cannot be undone", abort=True)
    with current_app.extensions["services"].db.session() as session:
        counts = delete_resident(session, openid)
    if counts is None:
        raise click.ClickException("no resident with that openid")
    click.echo("erased: " + ", ".join(f"{name} {count}" for name, count in counts.items()))
