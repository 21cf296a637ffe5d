"""Fill users.display_name in batches, then make it NOT NULL without a long lock.

Revision ID: bt03
Revises: bt02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpers import MigrationContext

revision: str = "bt03"
down_revision: str | Sequence[str] | None = "bt02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# --8<-- [start:upgrade]
def upgrade() -> None:
    with MigrationContext("backfill_display_name") as ctx:
        # One committed UPDATE per 1000 rows; a re-run skips rows already filled.
        ctx.backfill("users", {"display_name": sa.text("name")}, "display_name IS NULL", batch_size=1000)
        # CHECK (display_name IS NOT NULL) NOT VALID, VALIDATE, SET NOT NULL, drop the check.
        ctx.set_not_null("users", "display_name")
# --8<-- [end:upgrade]


def downgrade() -> None:
    op.alter_column("users", "display_name", nullable=True)
