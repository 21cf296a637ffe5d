"""Add camera mode 'infrared', committed before it is used.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.execute("ALTER TYPE camera_mode ADD VALUE IF NOT EXISTS 'infrared' AFTER 'night'")
    op.execute("UPDATE cameras SET mode = 'infrared' WHERE location = 'garage'")


def downgrade() -> None:
    op.execute("UPDATE cameras SET mode = 'night' WHERE mode = 'infrared'")
    # PostgreSQL cannot remove a value from an enum type: 'infrared' stays in camera_mode.
