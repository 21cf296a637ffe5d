"""One camera name per owner (its downgrade names the constraint differently from the database).

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
    # As autogenerate writes it for a model without a naming convention: no name, so PostgreSQL
    # picks one (cameras_owner_id_name_key).
    op.create_unique_constraint(None, "cameras", ["owner_id", "name"])


def downgrade() -> None:
    # A name filled in by hand: the one the team's convention would give, not the database's.
    op.drop_constraint("uq_cameras_owner_id_name", "cameras", type_="unique")
