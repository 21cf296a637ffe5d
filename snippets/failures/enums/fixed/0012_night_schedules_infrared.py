"""Switch night schedules to infrared.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE camera_schedules SET mode = 'infrared' WHERE mode = 'night'")


def downgrade() -> None:
    op.execute("UPDATE camera_schedules SET mode = 'night' WHERE mode = 'infrared'")
