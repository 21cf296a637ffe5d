"""The failure catalog: one row per kind of failure, which everything else derives from.

A row says how the failure is recognised (its SQLSTATEs, or a whole SQLSTATE class), how the
diagnosis names it (the first line's label, the ROLLBACK and NEXT lines) and the guide's page that
resolves it (the diagnosis prints its address on a ``SEE:`` line). The errors index, ``python -m
helpers explain`` and the lint rules read the same rows. Adding a failure is adding a row here and
its page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: Where the guide is served: ``nox -s serve`` (README). A team that hosts a copy sets ``HELPERS_GUIDE_URL``.
GUIDE_URL = "http://127.0.0.1:8000/"

_ROLLED_BACK = "Transaction has been rolled back."
_INTEGRITY = f"{_ROLLED_BACK} Check for duplicate keys, foreign key violations, or constraint conflicts."
_SCHEMA = f"{_ROLLED_BACK} Check whether an earlier migration was partially applied (alembic current)."
_CONCURRENCY = f"{_ROLLED_BACK} Another session got in the way; nothing from this migration was kept."
_RESOURCES = f"{_ROLLED_BACK} The server ran short of a resource; nothing from this migration was kept."


@dataclass(frozen=True)
class Category:
    """One kind of failure: how it is recognised, how the diagnosis names it, and the page that resolves it.

    ``sqlstates`` are the codes filed under it; ``classes`` whole SQLSTATE classes (``"08"``) for codes
    no row names. ``page`` is the guide's page, relative to its root (``failures/duplicate-key/``).
    """

    key: str
    label: str
    rollback: str
    next_step: str
    sqlstates: tuple[str, ...] = ()
    page: str | None = None
    classes: tuple[str, ...] = ()

    def address(self) -> str | None:
        """The page's address on the guide (``HELPERS_GUIDE_URL``, else :data:`GUIDE_URL`), or None."""
        if self.page is None:
            return None
        base = os.environ.get("HELPERS_GUIDE_URL") or GUIDE_URL
        return base.rstrip("/") + "/" + self.page


UNIQUE = Category(
    "unique_violation",
    "integrity constraint",
    _INTEGRITY,
    "Find the duplicates (SELECT key, COUNT(*) ... GROUP BY key HAVING COUNT(*) > 1), "
    "keep one row per key, then retry.",
    sqlstates=("23505",),
    page="failures/duplicate-key/",
)
FOREIGN_KEY = Category(
    "foreign_key_violation",
    "integrity constraint",
    _INTEGRITY,
    "Find the orphaned or still-referenced rows named in DETAIL, delete them or repoint "
    "their foreign keys, then retry.",
    sqlstates=("23503",),
    page="failures/foreign-key/",
)
NOT_NULL = Category(
    "not_null_violation",
    "integrity constraint",
    _INTEGRITY,
    "Backfill the NULLs (or give the column a default) before making it NOT NULL, then retry.",
    sqlstates=("23502",),
)
CHECK = Category(
    "check_violation",
    "integrity constraint",
    _INTEGRITY,
    "Find the rows that fail the check constraint, fix them, then retry.",
    sqlstates=("23514",),
)
ALREADY_EXISTS = Category(
    "already_exists",
    "schema conflict",
    _SCHEMA,
    "If the existing object is what this migration creates, run alembic stamp <revision>; otherwise drop it and retry.",
    sqlstates=("42P07", "42701", "42710"),
    page="failures/already-exists/",
)
MISSING = Category(
    "missing_object",
    "schema conflict",
    _SCHEMA,
    "The table or column this migration expects is missing: check alembic current and the "
    "history for a skipped or hand-reverted revision.",
    sqlstates=("42P01", "42703"),
)
LOCK_TIMEOUT = Category(
    "lock_not_available",
    "lock timeout",
    _CONCURRENCY,
    "Find the blocking session (pg_blocking_pids, pg_stat_activity), wait for it or end it, then retry.",
    sqlstates=("55P03",),
    page="failures/lock-timeout/",
)
STATEMENT_TIMEOUT = Category(
    "query_canceled",
    "statement timeout",
    _ROLLED_BACK + " The statement was canceled.",
    "The statement ran or waited past statement_timeout (lock_timeout's failure is 55P03), or someone canceled it "
    "(user request): find where the timeout is set (pg_settings.source), then batch the work or give this run "
    "more time (PGOPTIONS), then retry.",
    sqlstates=("57014",),
    page="failures/statement-timeout/",
)
DEADLOCK = Category(
    "deadlock",
    "deadlock",
    _CONCURRENCY,
    "Another session locked these tables in the other order: DETAIL names both processes and the lock each "
    "waits for. Retry; if it recurs, take the locks in the application's order, or pause that traffic.",
    sqlstates=("40P01",),
    page="failures/deadlock/",
)
SERIALIZATION = Category(
    "serialization_failure",
    "serialization failure",
    _CONCURRENCY,
    "Retry the migration; nothing from this attempt was kept.",
    sqlstates=("40001",),
)
CONNECTION_LOST = Category(
    "connection_lost",
    "lost connection",
    "The connection was lost before COMMIT: nothing was committed, and PostgreSQL rolls the "
    "transaction back when the session ends.",
    "After a network cut the server may not have noticed yet: end the migration's leftover session "
    "(pg_stat_activity), check alembic current, then retry; break large data migrations into batches.",
    sqlstates=("57P01", "57P02", "57P03"),
    page="failures/connection-lost/",
    classes=("08",),
)
DISK_FULL = Category(
    "disk_full",
    "disk full",
    _RESOURCES,
    "Free disk space on the database server before retrying.",
    sqlstates=("53100",),
    page="failures/server-faults/",
)
OUT_OF_MEMORY = Category(
    "out_of_memory",
    "out of memory",
    _RESOURCES,
    "Lower the memory this migration needs (smaller batches, lower work_mem) or retry when the server is quieter.",
    sqlstates=("53200",),
    page="failures/server-faults/",
)
PRIVILEGE = Category(
    "insufficient_privilege",
    "insufficient privilege",
    _ROLLED_BACK,
    "Run the migration as the role that owns these objects (must be owner of ...), or have their owner grant "
    "what is missing (permission denied for schema ...: GRANT CREATE ON SCHEMA), then retry.",
    sqlstates=("42501",),
    page="failures/insufficient-privilege/",
)
HELPER_CHECK = Category(
    "helper_check",
    "a failed pre-flight check",
    _ROLLED_BACK,
    "Read the check's message above; the helper changed nothing.",
)
OTHER = Category(
    "other",
    "an unexpected error",
    _ROLLED_BACK,
    "Read PostgreSQL's message and the traceback, fix the migration script, then retry.",
)

#: Every row, in the order the errors index lists them.
CATALOG: tuple[Category, ...] = (
    UNIQUE, FOREIGN_KEY, NOT_NULL, CHECK, ALREADY_EXISTS, MISSING, LOCK_TIMEOUT, STATEMENT_TIMEOUT, DEADLOCK,
    SERIALIZATION, CONNECTION_LOST, DISK_FULL, OUT_OF_MEMORY, PRIVILEGE, HELPER_CHECK, OTHER,
)

BY_SQLSTATE = {code: row for row in CATALOG for code in row.sqlstates}
BY_CLASS = {prefix: row for row in CATALOG for prefix in row.classes}


def by_sqlstate(code: str) -> Category:
    """The row a SQLSTATE is filed under: its own code, else its class, else :data:`OTHER`."""
    return BY_SQLSTATE.get(code) or BY_CLASS.get(code[:2]) or OTHER
