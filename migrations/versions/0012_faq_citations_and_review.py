"""FAQ answers carry versioned citations, the seed hash that tells an edit, who edited and who
reviewed them; drafted changes wait for a lawyer in faq_drafts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:00:00

Rows loaded before this have no seed hash: they count as the seed last loaded, except an answer
still as a console edit left it (the audit log's last faq_edit of that entry says so), which is
marked edited so the next `flask setup` keeps it rather than overwriting it.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("faq_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("citations", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("seed_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("edited_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "faq_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("based_on", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("drafted_by", sa.String(length=64), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["faq_entries.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("faq_drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_faq_drafts_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_faq_drafts_status"), ["status"], unique=False)
    _mark_console_edits()


def downgrade() -> None:
    with op.batch_alter_table("faq_drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_faq_drafts_status"))
        batch_op.drop_index(batch_op.f("ix_faq_drafts_entry_id"))
    op.drop_table("faq_drafts")
    with op.batch_alter_table("faq_entries", schema=None) as batch_op:
        for column in ("reviewed_at", "reviewed_by", "edited_at", "edited_by", "seed_hash", "citations"):
            batch_op.drop_column(column)


def _mark_console_edits() -> None:
    """Answers still as their last console edit left them are marked edited (by whom, when)."""
    bind = op.get_bind()
    answers = dict(bind.execute(sa.text("SELECT intent, answer FROM faq_entries")).all())
    edits = bind.execute(
        sa.text("SELECT actor, after, created_at FROM audit_log WHERE action = 'faq_edit' ORDER BY id")
    ).all()
    last: dict[str, tuple[str, str, object]] = {}
    for actor, after, created_at in edits:
        after = json.loads(after) if isinstance(after, str) else after or {}
        if after.get("intent") in answers:
            last[after["intent"]] = (actor, str(after.get("answer", "")), created_at)
    for intent, (actor, answer, created_at) in last.items():
        if answer.strip() == (answers[intent] or "").strip():
            bind.execute(
                sa.text("UPDATE faq_entries SET edited_by = :actor, edited_at = :at WHERE intent = :intent"),
                {"actor": actor, "at": created_at, "intent": intent},
            )
