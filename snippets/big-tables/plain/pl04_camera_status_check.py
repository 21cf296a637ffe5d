"""Only known camera statuses, and every audit entry's user must exist (plain Alembic: validated at once).

Revision ID: pl04
Revises: pl03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "pl04"
down_revision: str | Sequence[str] | None = "pl03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --8<-- [start:upgrade]
def upgrade() -> None:
    op.create_check_constraint("ck_cameras_status", "cameras", "status IN ('active', 'maintenance', 'retired')")
    op.create_foreign_key(
        "fk_audit_log_user_cascade", "audit_log", "users", ["user_id"], ["id"], ondelete="CASCADE"
    )
# --8<-- [end:upgrade]


def downgrade() -> None:
    op.drop_constraint("fk_audit_log_user_cascade", "audit_log", type_="foreignkey")
    op.drop_constraint("ck_cameras_status", "cameras", type_="check")
