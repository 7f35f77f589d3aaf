"""SQLite: times once written in Beijing clock time are stored in UTC like every other time

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:00:00

SQLite keeps no time zone. Before bot.storage.base.UtcDateTime it stored an aware time's clock
reading as it was, so the two kinds of value written in Beijing time read 8 hours late: every
mediation time (the console's form is in Beijing time) and a first-response deadline counted from
a room's opening (office hours in Beijing time, always on the minute, while deadlines counted from
"now" carry seconds and microseconds). PostgreSQL kept the zone: nothing to do there.
"""

from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FORMAT = "%Y-%m-%d %H:%M:%S.%f"  # what SQLAlchemy writes on SQLite (UtcDateTime too)
BEIJING = timedelta(hours=8)
# (column, which of its values were written in Beijing clock time)
WRITTEN_IN_BEIJING = (
    ("mediation_at", "mediation_at IS NOT NULL"),
    ("due_at", "due_at LIKE :on_the_minute"),
)
ON_THE_MINUTE = {"on_the_minute": "%:00.000000"}


def upgrade() -> None:
    _shift(-BEIJING)


def downgrade() -> None:
    _shift(BEIJING)


def _shift(by: timedelta) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for column, written_in_beijing in WRITTEN_IN_BEIJING:
        rows = bind.execute(
            sa.text(f"SELECT id, {column} FROM tickets WHERE {written_in_beijing}"), ON_THE_MINUTE
        ).all()
        for ticket_id, value in rows:
            shifted = (datetime.fromisoformat(value) + by).strftime(FORMAT)
            bind.execute(
                sa.text(f"UPDATE tickets SET {column} = :value WHERE id = :id"), {"value": shifted, "id": ticket_id}
            )
