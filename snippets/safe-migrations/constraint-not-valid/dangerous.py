"""Check events.kind is not empty, validating every row under the add's lock.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_check_constraint("ck_events_kind", "events", "kind <> ''")


def downgrade() -> None:
    op.drop_constraint("ck_events_kind", "events", type_="check")
