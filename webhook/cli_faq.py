"""`flask --app webhook faq …`: the FAQ answers — read, edit, export in the seed's shape, what is due
for a lawyer's review, drafts and a lawyer's approval (bot.legal)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from bot.legal.faq_seed import export_yaml
from bot.legal.review import (
    ReviewRefused,
    approve_draft,
    confirm_unchanged,
    draft_change,
    due_for_review,
    record_edit,
    return_draft,
    reviews_due,
)
from bot.legal.sources import citations_of, parse_citation_text, render_basis, today
from bot.storage import Database
from bot.storage.base import utcnow
from bot.storage.faq import FaqDraft, FaqEntry, all_faq_entries, drafts, faq_for_intent
from bot.storage.staff import Staff, staff_by_username

faq_cli = AppGroup("faq", help="Read and edit the FAQ answers; drafts and a lawyer's review.")


def _db() -> Database:
    """The database of the app's services."""
    return current_app.extensions["services"].db


@faq_cli.command("show")
@click.argument("intent")
def faq_show_command(intent: str) -> None:
    """Print one FAQ entry, its legal basis and who edited and reviewed it."""
    with _db().session() as session:
        entry = faq_for_intent(session, intent)
        if entry is None:
            raise click.ClickException(f"no FAQ entry for {intent!r}")
        basis = render_basis(citations_of(entry.citations)) if entry.citations else entry.source
        click.echo(f"{entry.intent} ({entry.category})\n问：{entry.question}\n答：{entry.answer}\n依据：{basis}")
        if entry.edited_at:
            click.echo(f"修改：{entry.edited_by} {entry.edited_at:%Y-%m-%d %H:%M} UTC")
        reviewed = f"{entry.reviewed_by} {entry.reviewed_at:%Y-%m-%d %H:%M} UTC" if entry.reviewed_at else "尚未审核"
        click.echo(f"审核：{reviewed}")
        for due in reviews_due(entry):
            click.echo(f"需复核：{due.words()}")


@faq_cli.command("edit")
@click.argument("intent")
@click.option("--answer", help="The new answer text.")
@click.option("--citations", help='The new citations: "治安管理处罚法 2025 88；民法典 2020 1128.2".')
@click.option("--question", help="The new model question.")
@click.option("--actor", help="Username of the staff member making the change.")
def faq_edit_command(
    intent: str, answer: str | None, citations: str | None, question: str | None, actor: str | None
) -> None:
    """Change an FAQ entry's answer, citations or question; it is served from the next message on,
    kept across `flask setup`, and due for a lawyer's review."""
    with _db().session() as session:
        entry = faq_for_intent(session, intent)
        if entry is None:
            raise click.ClickException(f"no FAQ entry for {intent!r}")
        staff = _staff(session, actor) if actor else None
        try:
            cited = parse_citation_text(citations) if citations else None
            changed = record_edit(session, entry, staff, answer=answer, question=question, citations=cited)
        except ValueError as error:  # a citation that cannot be read, or that the check refuses
            raise click.ClickException(str(error)) from error
    click.echo(f"{intent} updated" if changed else f"{intent} already says that: nothing changed")


@faq_cli.command("due")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="The day (default today, in China).")
def faq_due_command(on: datetime | None) -> None:
    """List the answers due for a lawyer's review and why (a law changed, yearly, never reviewed);
    "ahead" marks a change promulgated and not yet in force."""
    day = on.date() if on else None
    with _db().session() as session:
        due = due_for_review(session, day)
    for item in due:
        ahead = " (ahead)" if item.upcoming(day or today()) else ""
        click.echo(f"{item.intent}: {item.words()}{ahead}")
    click.echo(f"{len({item.intent for item in due})} answer(s) due for review")


@faq_cli.command("draft")
@click.argument("intent")
@click.option("--answer", required=True, help="The answer as it should be.")
@click.option("--citations", required=True, help='"治安管理处罚法 2025 88；民法典 2020 288 294".')
@click.option("--question", help="The new model question (default: unchanged).")
@click.option("--note", default="", help="Why the change (for the lawyer).")
@click.option("--actor", required=True, help="Username of the staff member drafting it.")
def faq_draft_command(intent: str, answer: str, citations: str, question: str | None, note: str, actor: str) -> None:
    """Draft a change to an answer, for a lawyer to approve or return."""
    with _db().session() as session:
        entry = faq_for_intent(session, intent)
        if entry is None:
            raise click.ClickException(f"no FAQ entry for {intent!r}")
        try:
            draft = draft_change(
                session, entry, _staff(session, actor), answer, parse_citation_text(citations), question, note
            )
        except ValueError as error:
            raise click.ClickException(str(error)) from error
        click.echo(
            f"draft {draft.id} of {intent} waits for a lawyer: flask --app webhook faq approve {draft.id} --actor …"
        )


@faq_cli.command("drafts")
def faq_drafts_command() -> None:
    """List the drafted changes waiting for a lawyer."""
    with _db().session() as session:
        for draft in drafts(session):
            entry = session.get(FaqEntry, draft.entry_id)
            click.echo(f"{draft.id}: {entry.intent if entry else '?'} by {draft.drafted_by}  {draft.note}")


@faq_cli.command("approve")
@click.argument("draft_id", type=int)
@click.option("--actor", required=True, help="Username of the lawyer (not the drafter).")
def faq_approve_command(draft_id: int, actor: str) -> None:
    """Approve a drafted change: the answer becomes it, reviewed by this lawyer."""
    with _db().session() as session:
        try:
            entry = approve_draft(session, _draft(session, draft_id), _staff(session, actor))
        except ReviewRefused as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"{entry.intent} updated and reviewed by {actor}")


@faq_cli.command("return")
@click.argument("draft_id", type=int)
@click.option("--actor", required=True, help="Username of the lawyer (not the drafter).")
@click.option("--note", required=True, help="Why it goes back.")
def faq_return_command(draft_id: int, actor: str, note: str) -> None:
    """Send a drafted change back to its drafter, saying why."""
    with _db().session() as session:
        try:
            return_draft(session, _draft(session, draft_id), _staff(session, actor), note)
        except ReviewRefused as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"draft {draft_id} returned")


@faq_cli.command("confirm")
@click.argument("intent")
@click.option("--actor", required=True, help="Username of the lawyer.")
def faq_confirm_command(intent: str, actor: str) -> None:
    """A lawyer confirms an answer is right as it is (reviewed now)."""
    with _db().session() as session:
        entry = faq_for_intent(session, intent)
        if entry is None:
            raise click.ClickException(f"no FAQ entry for {intent!r}")
        try:
            confirm_unchanged(session, entry, _staff(session, actor))
        except ReviewRefused as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"{intent} reviewed by {actor}")


def _staff(session: Session, username: str) -> Staff:
    """The staff account acting, which must exist."""
    staff = staff_by_username(session, username)
    if staff is None:
        raise click.ClickException(f"no staff account {username!r}")
    return staff


def _draft(session: Session, draft_id: int) -> FaqDraft:
    """The drafted change, which must exist."""
    draft = session.get(FaqDraft, draft_id)
    if draft is None:
        raise click.ClickException(f"no draft {draft_id}")
    return draft


@faq_cli.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def faq_export_command(out: Path) -> None:
    """Write the live FAQ entries in the seed file's shape (to take the service's edits back into
    bot/data/faq.yml)."""
    with _db().session() as session:
        entries = all_faq_entries(session)
        header = f"FAQ entries exported from the service's database on {utcnow():%Y-%m-%d %H:%M} UTC."
        out.write_text(export_yaml(entries, header), encoding="utf-8")
    click.echo(f"{len(entries)} FAQ entries written to {out}")
