"""Give each camera its time zone, looked up from its location (waits on a slow service between statements).

Revision ID: 0010
Revises: 0009
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def time_zone_of(location: str | None) -> str:
    """Stands for a call to a geocoding web service: about two seconds an answer."""
    time.sleep(2)
    return "Europe/Paris" if location and "Lyon" in location else "UTC"


def upgrade() -> None:
    op.add_column("cameras", sa.Column("time_zone", sa.Text))
    connection = op.get_bind()
    cameras = connection.execute(sa.text("SELECT id, location FROM cameras ORDER BY id")).all()
    for camera_id, location in cameras:
        # The transaction sits idle, holding the lock add_column took, while the service answers.
        zone = time_zone_of(location)
        update = sa.text("UPDATE cameras SET time_zone = :zone WHERE id = :id")
        connection.execute(update, {"zone": zone, "id": camera_id})


def downgrade() -> None:
    op.drop_column("cameras", "time_zone")
