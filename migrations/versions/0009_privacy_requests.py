"""residents' requests to erase their data, recorded for an admin

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
