"""Store cameras.firmware_version as a build number, converted by a USING cast.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        "cameras",
        "firmware_version",
        type_=sa.Integer,
        existing_type=sa.String(64),
        postgresql_using="firmware_version::integer",  # ALTER COLUMN ... TYPE integer USING firmware_version::integer
    )


def downgrade() -> None:
    # integer to text has an implicit cast: no USING needed on the way back.
    op.alter_column("cameras", "firmware_version", type_=sa.String(64), existing_type=sa.Integer)
