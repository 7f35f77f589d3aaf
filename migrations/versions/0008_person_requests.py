"""requests for a person, visible in the inbox

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("person_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("person_alerted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("person_alerted_at")
        batch_op.drop_column("person_requested_at")
