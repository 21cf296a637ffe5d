"""Add the infrared mode and switch night schedules to it (fails: the value is used in the transaction that adds it).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TYPE camera_mode ADD VALUE 'infrared'")
    op.execute("UPDATE camera_schedules SET mode = 'infrared' WHERE mode = 'night'")


def downgrade() -> None:
    op.execute("UPDATE camera_schedules SET mode = 'night' WHERE mode = 'infrared'")
