"""Make cameras.location NOT NULL straight (scans cameras under ACCESS EXCLUSIVE).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.alter_column("cameras", "location", nullable=False)


def downgrade() -> None:
    op.alter_column("cameras", "location", nullable=True)
