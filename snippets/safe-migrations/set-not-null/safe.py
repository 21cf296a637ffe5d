"""Make cameras.location NOT NULL through a validated CHECK (no scan under ACCESS EXCLUSIVE).

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_check_constraint(
        "ck_cameras_location_not_null", "cameras", "location IS NOT NULL", postgresql_not_valid=True
    )
    with op.get_context().autocommit_block():  # the scan, under a lock that lets reads and writes go on
        op.execute("ALTER TABLE cameras VALIDATE CONSTRAINT ck_cameras_location_not_null")
    op.alter_column("cameras", "location", nullable=False)  # no scan: the validated check proves it


def downgrade() -> None:
    op.alter_column("cameras", "location", nullable=True)
    op.drop_constraint("ck_cameras_location_not_null", "cameras", type_="check")
