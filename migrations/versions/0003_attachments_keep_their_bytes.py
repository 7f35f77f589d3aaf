"""attachments keep their bytes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 19:15:01.601400
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("fetch_error", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("ticket_attachments", schema=None) as batch_op:
        batch_op.drop_column("fetch_error")
        batch_op.drop_column("content")
