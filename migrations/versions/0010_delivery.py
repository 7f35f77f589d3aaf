"""answers computed but not yet delivered: how each answer went out, and which message a reply answers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("reply_to_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_messages_reply_to_id", ["reply_to_id"], unique=False)
        batch_op.create_foreign_key("fk_messages_reply_to_id", "messages", ["reply_to_id"], ["id"], ondelete="SET NULL")
    # Answers given before this revision went out with their request: the sweep must not send them again.
    op.execute("UPDATE messages SET delivery = 'passive' WHERE direction = 'in' AND answered_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_constraint("fk_messages_reply_to_id", type_="foreignkey")
        batch_op.drop_index("ix_messages_reply_to_id")
        batch_op.drop_column("reply_to_id")
        batch_op.drop_column("delivery")
