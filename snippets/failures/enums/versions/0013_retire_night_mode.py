"""Remove the night mode from camera_mode (fails while schedules still use it).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # There is no ALTER TYPE ... DROP VALUE: make the type again without it, and convert the column.
    op.execute("ALTER TYPE camera_mode RENAME TO camera_mode_old")
    op.execute("CREATE TYPE camera_mode AS ENUM ('day', 'infrared')")
    op.execute("ALTER TABLE camera_schedules ALTER COLUMN mode TYPE camera_mode USING mode::text::camera_mode")
    op.execute("DROP TYPE camera_mode_old")


def downgrade() -> None:
    op.execute("ALTER TYPE camera_mode ADD VALUE IF NOT EXISTS 'night' BEFORE 'infrared'")
