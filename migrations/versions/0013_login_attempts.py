"""Log-in attempts counted per account and per address

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:20:00

Failed console log-ins are counted in login_attempts, per client address and per account from one
address (bot/cases/lockout.py); the account-wide count on staff goes (a lock in force when this
runs is dropped with it). The audit log gains the indexes its page filters by: action, and date.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ADDRESS_ROW = sa.text("staff_id IS NULL")
ACCOUNT_ROW = sa.text("staff_id IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_login_attempts_address",
            ["address"],
            unique=True,
            postgresql_where=ADDRESS_ROW,
            sqlite_where=ADDRESS_ROW,
        )
        batch_op.create_index(
            "uq_login_attempts_account",
            ["staff_id", "address"],
            unique=True,
            postgresql_where=ACCOUNT_ROW,
            sqlite_where=ACCOUNT_ROW,
        )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_audit_log_action_id", ["action", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_action_id")
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("uq_login_attempts_account")
        batch_op.drop_index("uq_login_attempts_address")
    op.drop_table("login_attempts")
