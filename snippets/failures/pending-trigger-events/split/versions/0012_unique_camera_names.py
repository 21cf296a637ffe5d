"""Camera names unique per owner (schema only).

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
    # Schema: one camera name per owner from now on.
    op.create_unique_constraint("uq_cameras_owner_name", "cameras", ["owner_id", "name"])


def downgrade() -> None:
    op.drop_constraint("uq_cameras_owner_name", "cameras", type_="unique")
