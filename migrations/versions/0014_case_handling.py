"""Inbox attention and reasons on transfers and escalations

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:20:00

tickets.handler_id: who took the case up in the queue it is in (the inbox's 我的 and 未受理).
tickets.resident_wrote_at: since when the resident's messages on the case wait for staff (居民有新消息).
ticket_events.handover and .reason: an event that moved a case to another queue says how, and why.

Events written before this are read by their notes: "由…转至…" a transfer, "…，已从…上报至…" an
escalation ("超时未处理，…" the sweep's), "居民说明所在社区，由…转至…" an urgent case sent to the
community the resident named. An open case's handler is the staff member who last accepted it, else
the first who acted on it, since it last came into its queue (or was reopened). An open case waits
for staff since the first message its resident wrote on it after it opened and after the last
message staff sent them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

OPEN_STATUSES = ("new", "in_progress", "waiting_info", "mediation", "reopened")
ACCEPTED_NOTE = "受理"
# Most specific first: the community move's note also reads "由…转至…".
HANDOVER_NOTES = (
    ("to_community", "居民说明所在社区，由%转至%"),
    ("escalation", "%已从%上报至%"),
    ("transfer", "由%转至%"),
)
OVERDUE = "超时未处理"


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handler_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_tickets_handler_id_staff", "staff", ["handler_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index("ix_tickets_handler_id", ["handler_id"], unique=False)
        batch_op.add_column(sa.Column("resident_wrote_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handover", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), server_default="", nullable=False))
    _mark_handovers()
    _fill_handlers()
    _fill_resident_wrote()


def downgrade() -> None:
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("handover")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("resident_wrote_at")
        batch_op.drop_index("ix_tickets_handler_id")
        batch_op.drop_constraint("fk_tickets_handler_id_staff", type_="foreignkey")
        batch_op.drop_column("handler_id")


def _mark_handovers() -> None:
    bind = op.get_bind()
    for handover, note in HANDOVER_NOTES:
        bind.execute(
            sa.text("UPDATE ticket_events SET handover = :handover WHERE handover IS NULL AND note LIKE :note"),
            {"handover": handover, "note": note},
        )
    bind.execute(
        sa.text("UPDATE ticket_events SET reason = :reason WHERE handover = 'escalation' AND note LIKE :note"),
        {"reason": OVERDUE, "note": f"{OVERDUE}，%"},
    )


def _fill_handlers() -> None:
    bind = op.get_bind()
    staff = dict(bind.execute(sa.text("SELECT username, id FROM staff")).tuples().all())
    events = bind.execute(
        sa.text(
            "SELECT e.ticket_id, e.status, e.note, e.actor, e.handover FROM ticket_events e "
            "JOIN tickets t ON t.id = e.ticket_id WHERE t.status IN :open ORDER BY e.id"
        ).bindparams(sa.bindparam("open", expanding=True)),
        {"open": list(OPEN_STATUSES)},
    ).all()
    handlers: dict[int, int | None] = {}
    for ticket_id, status, note, actor, handover in events:
        if handover is not None or status == "reopened":
            handlers[ticket_id] = None  # back in a queue, for someone to take up
        elif actor in staff and (note == ACCEPTED_NOTE or handlers.get(ticket_id) is None):
            handlers[ticket_id] = staff[actor]
    for ticket_id, handler in handlers.items():
        if handler is not None:
            bind.execute(
                sa.text("UPDATE tickets SET handler_id = :handler WHERE id = :id"),
                {"handler": handler, "id": ticket_id},
            )


def _fill_resident_wrote() -> None:
    bind = op.get_bind()
    # The sender of a message from a case: a staff member's username, "system", or none (the bot).
    sender = "s.extra ->> 'sender'" if bind.dialect.name == "postgresql" else "json_extract(s.extra, '$.sender')"
    staff_last = (
        "SELECT max(s.id) FROM messages s WHERE s.ticket_id = tickets.id AND s.direction = 'out' "
        f"AND {sender} IS NOT NULL AND {sender} <> 'system'"
    )
    waiting = (
        "SELECT min(m.created_at) FROM messages m WHERE m.ticket_id = tickets.id AND m.direction = 'in' "
        f"AND m.created_at > tickets.created_at AND m.id > coalesce(({staff_last}), 0)"
    )
    bind.execute(
        sa.text(f"UPDATE tickets SET resident_wrote_at = ({waiting}) WHERE status IN :open").bindparams(
            sa.bindparam("open", expanding=True)
        ),
        {"open": list(OPEN_STATUSES)},
    )
