"""Index events by camera, users by phone (unique) and cameras by firmware, concurrently.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # CONCURRENTLY cannot run in a transaction: each statement commits on its own.
    with op.get_context().autocommit_block():
        op.create_index("ix_events_camera_id", "events", ["camera_id"], postgresql_concurrently=True)
        op.create_index("ux_users_phone", "users", ["phone"], unique=True, postgresql_concurrently=True)
        op.create_index("ix_cameras_firmware_version", "cameras", ["firmware_version"], postgresql_concurrently=True)


def downgrade() -> None:
    with op.get_context().autocommit_block():
        op.drop_index("ix_cameras_firmware_version", table_name="cameras", postgresql_concurrently=True)
        op.drop_index("ux_users_phone", table_name="users", postgresql_concurrently=True)
        op.drop_index("ix_events_camera_id", table_name="events", postgresql_concurrently=True)
