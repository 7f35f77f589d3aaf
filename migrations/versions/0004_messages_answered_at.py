"""messages remember when they were answered

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 19:33:24.981671
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True))
    # Messages from before this revision were answered at the time: do not answer them again.
    op.execute("UPDATE messages SET answered_at = created_at WHERE direction = 'in'")


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("answered_at")
