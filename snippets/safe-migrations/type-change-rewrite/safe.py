"""Let events.kind be any length: varchar(50) to text (no rewrite).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.alter_column("events", "kind", type_=sa.Text, existing_type=sa.String(50))


def downgrade() -> None:
    op.alter_column("events", "kind", type_=sa.String(50), existing_type=sa.Text)
