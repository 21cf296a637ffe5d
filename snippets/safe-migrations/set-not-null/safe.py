"""Make cameras.location NOT NULL through a validated CHECK (no scan under ACCESS EXCLUSIVE).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from helpers import MigrationContext

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with MigrationContext("location_not_null") as ctx:
        ctx.set_not_null("cameras", "location")


def downgrade() -> None:
    op.alter_column("cameras", "location", nullable=True)
