"""Check events.kind: added NOT VALID (instant), validated after the commit (writes go on).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_check_constraint("ck_events_kind", "events", "kind <> ''", postgresql_not_valid=True)
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE events VALIDATE CONSTRAINT ck_events_kind")


def downgrade() -> None:
    op.drop_constraint("ck_events_kind", "events", type_="check")
