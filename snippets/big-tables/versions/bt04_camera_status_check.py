"""Only known camera statuses, and every event's camera must exist: constraints added NOT VALID, then validated.

Revision ID: bt04
Revises: bt03
"""

from collections.abc import Sequence

from alembic import op

from helpers import MigrationContext

revision: str = "bt04"
down_revision: str | Sequence[str] | None = "bt03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --8<-- [start:upgrade]
def upgrade() -> None:
    with MigrationContext("camera_constraints") as ctx:
        ctx.add_check("ck_cameras_status", "cameras", "status IN ('active', 'maintenance', 'retired')")
        ctx.add_foreign_key(
            "fk_audit_log_user_cascade", "audit_log", "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
# --8<-- [end:upgrade]


def downgrade() -> None:
    op.drop_constraint("fk_audit_log_user_cascade", "audit_log", type_="foreignkey")
    op.drop_constraint("ck_cameras_status", "cameras", type_="check")
