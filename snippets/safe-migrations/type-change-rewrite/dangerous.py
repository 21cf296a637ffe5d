"""Widen events.camera_id to bigint (rewrites events and its indexes).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.alter_column("events", "camera_id", type_=sa.BigInteger, existing_type=sa.Integer)


def downgrade() -> None:
    op.alter_column("events", "camera_id", type_=sa.Integer, existing_type=sa.BigInteger)
