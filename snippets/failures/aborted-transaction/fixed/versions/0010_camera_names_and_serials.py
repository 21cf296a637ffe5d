"""Camera names unique per owner (if the data allows), and cameras.serial_number.

Revision ID: 0010
Revises: 0009
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpers import diagnose, ensure_transaction_savepoint, release_savepoint, rollback_to_savepoint

logger = logging.getLogger("alembic.migration")

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    conn = op.get_bind()
    ensure_transaction_savepoint(conn, "before_unique_names")
    try:
        op.create_index("ux_cameras_owner_name", "cameras", ["owner_id", "name"], unique=True)
        release_savepoint(conn, "before_unique_names")
    except sa.exc.IntegrityError as exc:  # only the failure we expect
        rollback_to_savepoint(conn, "before_unique_names")  # the transaction is usable again
        logger.warning("Unique camera names skipped: %s", diagnose(exc).message)
    op.add_column("cameras", sa.Column("serial_number", sa.String(64)))


def downgrade() -> None:
    op.drop_column("cameras", "serial_number")
    op.drop_index("ux_cameras_owner_name", table_name="cameras", if_exists=True)
