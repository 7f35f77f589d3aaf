"""Reports: the room a case was sent up from, and the indexes the reports read by (cases and
messages by time, reopened cases)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 05:00:00

A case sent up a level still counts for its room in the reports: tickets.escalated_from_id keeps
the room (or workstation) it left at its first escalation. Cases escalated before this column are
filled in from their first escalation event ("…，已从八古墩社区公共法律服务工作室上报至…").
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

ESCALATED_FROM = re.compile(r"已从(.+?)上报至")


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "escalated_from_id",
                sa.Integer(),
                sa.ForeignKey("units.id", name="fk_tickets_escalated_from_id_units"),
                nullable=True,
            )
        )
        batch_op.create_index("ix_tickets_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ticket_events_reopened",
            ["ticket_id"],
            unique=False,
            postgresql_where=sa.text("status = 'reopened'"),
            sqlite_where=sa.text("status = 'reopened'"),
        )
    _fill_escalated_from()


def downgrade() -> None:
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_index("ix_ticket_events_reopened")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_created_at")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_created_at")
        batch_op.drop_column("escalated_from_id")


def _fill_escalated_from() -> None:
    bind = op.get_bind()
    offices = dict(bind.execute(sa.text("SELECT office_name, id FROM units WHERE office_name <> ''")).all())
    events = bind.execute(
        sa.text("SELECT ticket_id, note FROM ticket_events WHERE note LIKE :sent_up ORDER BY id DESC"),
        {"sent_up": "%已从%上报至%"},
    ).all()
    # Newest first, so the first escalation of each case is the one kept.
    first = {}
    for ticket_id, note in events:
        match = ESCALATED_FROM.search(note)
        if match and match.group(1) in offices:
            first[ticket_id] = offices[match.group(1)]
    for ticket_id, unit_id in first.items():
        bind.execute(
            sa.text("UPDATE tickets SET escalated_from_id = :unit WHERE id = :id"), {"unit": unit_id, "id": ticket_id}
        )
