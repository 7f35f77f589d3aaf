"""Group cases keep the community the resident named

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 09:00:00

A group case goes to its street's workstation; tickets.community_id keeps the community the
resident named, so the reports count it there. Cases opened before this column stay counted for
the workstation.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "community_id",
                sa.Integer(),
                sa.ForeignKey("units.id", name="fk_tickets_community_id_units"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("community_id")
