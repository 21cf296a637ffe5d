"""Make camera names unique: the index built concurrently, then the constraint using it.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.get_context().autocommit_block():
        op.create_index(
            "uq_cameras_name", "cameras", ["name"], unique=True, postgresql_concurrently=True, if_not_exists=True
        )
    op.execute("ALTER TABLE cameras ADD CONSTRAINT uq_cameras_name UNIQUE USING INDEX uq_cameras_name")


def downgrade() -> None:
    op.drop_constraint("uq_cameras_name", "cameras", type_="unique")
