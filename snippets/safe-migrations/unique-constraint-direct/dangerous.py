"""Make camera names unique with a constraint (builds its index under ACCESS EXCLUSIVE).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_unique_constraint("uq_cameras_name", "cameras", ["name"])


def downgrade() -> None:
    op.drop_constraint("uq_cameras_name", "cameras", type_="unique")
