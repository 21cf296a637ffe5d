"""``Step``: what an operation needs from the migration step it runs in.

The operations (``tables``, ``constraints``, ``indexes``, ``backfill``) take a ``Step`` and
nothing else of ours; ``MigrationContext`` is the step a migration uses, and wraps them.
Offline (``--sql``) mode is decided by the step alone: ``preflight`` returns None when there is
no database to ask, and the operation then writes its DDL unchecked.
"""

from __future__ import annotations

from typing import Protocol

from alembic.operations import Operations
from sqlalchemy.engine import Connection

from .preflight import Answer, Lookup


class Step(Protocol):
    """A migration step: its name, its Alembic operations and connection, and a record of what it did."""

    @property
    def name(self) -> str:
        """Names the step in every log line."""
        ...

    @property
    def ops(self) -> Operations:
        """Alembic operations that emit the step's DDL (or write it, offline)."""
        ...

    @property
    def offline(self) -> bool:
        """True when Alembic writes SQL (``--sql``) instead of running it."""
        ...

    @property
    def connection(self) -> Connection:
        """The live connection; there is none offline."""
        ...

    def preflight(self, lookup: Lookup) -> Answer | None:
        """The catalog's answer to ``lookup`` in one round trip, or None offline, where nothing can be checked."""
        ...

    def record(self, action: str) -> None:
        """Log what the step did; it goes into the step's summary line."""
        ...
