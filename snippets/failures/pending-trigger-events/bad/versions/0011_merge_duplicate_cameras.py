"""Merge each owner's duplicate cameras, then make camera names unique per owner.

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
    # Data: the events of each duplicate camera move to the oldest camera of that name; the duplicates go.
    op.execute(
        """
        UPDATE events SET camera_id = keep.id
        FROM cameras dup
        CROSS JOIN LATERAL (
            SELECT min(c.id) AS id FROM cameras c WHERE c.owner_id = dup.owner_id AND c.name = dup.name
        ) keep
        WHERE events.camera_id = dup.id AND dup.id <> keep.id
        """
    )
    op.execute(
        "DELETE FROM cameras dup USING cameras keep "
        "WHERE keep.owner_id = dup.owner_id AND keep.name = dup.name AND keep.id < dup.id"
    )
    # Schema: one camera name per owner from now on.
    op.create_unique_constraint("uq_cameras_owner_name", "cameras", ["owner_id", "name"])


def downgrade() -> None:
    op.drop_constraint("uq_cameras_owner_name", "cameras", type_="unique")  # the merged cameras stay merged
