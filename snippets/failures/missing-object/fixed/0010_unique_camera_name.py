"""One camera name per owner (the downgrade fixed: it drops the name the database has).

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


# --8<-- [start:downgrade]
def downgrade() -> None:
    # The name PostgreSQL gave the constraint (\d cameras), not a guess.
    op.drop_constraint("cameras_owner_id_name_key", "cameras", type_="unique")


# --8<-- [end:downgrade]
