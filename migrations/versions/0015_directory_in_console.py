"""The directory of rooms edited in the console

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 04:20:00

Units and staff accounts remember the seed content last loaded into them and who last edited them
in the console, so `flask setup` keeps console edits; units carry their public division code;
uploaded directory files wait in directory_imports between the dry run and "apply". Rows loaded
before this have no seed hash and count as the seed last loaded (nothing edited them before).
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

EDIT_COLUMNS = ("seed_hash", "edited_by", "edited_at")


def upgrade() -> None:
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("division_code", sa.String(length=12), server_default="", nullable=False))
        _add_edit_columns(batch_op)
    with op.batch_alter_table("staff", schema=None) as batch_op:
        _add_edit_columns(batch_op)
    op.create_table(
        "directory_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=256), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("file_hash", sa.String(length=64), nullable=False),
        sa.Column("diff_hash", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=64), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("directory_imports")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        for column in reversed(EDIT_COLUMNS):
            batch_op.drop_column(column)
    with op.batch_alter_table("units", schema=None) as batch_op:
        for column in (*reversed(EDIT_COLUMNS), "division_code"):
            batch_op.drop_column(column)


def _add_edit_columns(batch_op) -> None:
    batch_op.add_column(sa.Column("seed_hash", sa.String(length=64), nullable=True))
    batch_op.add_column(sa.Column("edited_by", sa.String(length=64), nullable=True))
    batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
