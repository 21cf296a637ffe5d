"""Run test code as the body of a migration: Alembic's context, one transaction, as env.py does."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext as AlembicMigrationContext

from helpers import MigrationContext


@contextmanager
def migration(engine: sa.Engine, name: str = "test_migration") -> Iterator[MigrationContext]:
    """A helpers ``MigrationContext`` inside ``alembic.op``, in one transaction committed on success."""
    with engine.connect() as conn:
        alembic_context = AlembicMigrationContext.configure(conn, opts={"transaction_per_migration": False})
        with Operations.context(alembic_context), alembic_context.begin_transaction(), MigrationContext(name) as ctx:
            yield ctx
