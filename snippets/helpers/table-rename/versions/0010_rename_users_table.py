"""Rename users to accounts, with the helpers' pre-flight checks.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from helpers import MigrationContext

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with MigrationContext("rename_users_table") as ctx:
        # Pre-flight: users exists and accounts does not (already renamed: a logged no-op).
        ctx.safe_table_rename("users", "accounts")
        # Verified: accounts exists and users is gone, or the migration fails here.


def downgrade() -> None:
    with MigrationContext("rename_accounts_table") as ctx:
        ctx.safe_table_rename("accounts", "users")
