"""Camera names unique per owner (if the data allows), and cameras.serial_number.

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
    try:  # noqa: SIM105 (the mistake this page is about)
        op.create_index("ux_cameras_owner_name", "cameras", ["owner_id", "name"], unique=True)
    except sa.exc.IntegrityError:
        pass  # duplicates: do without the index for now
    op.add_column("cameras", sa.Column("serial_number", sa.String(64)))


def downgrade() -> None:
    op.drop_column("cameras", "serial_number")
    op.drop_index("ux_cameras_owner_name", table_name="cameras", if_exists=True)
