"""What went wrong in a failed migration, read from the SQLSTATE, and what to do next.

The category comes from ``exc.orig.sqlstate`` (or a lost connection's lack of one), never from
the message text, which changes with the server's version and locale. It works the same through
psycopg 3, psycopg2 and asyncpg.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc

from .errors import MigrationHelperError

_ROLLED_BACK = "Transaction has been rolled back."
_INTEGRITY = f"{_ROLLED_BACK} Check for duplicate keys, foreign key violations, or constraint conflicts."
_SCHEMA = f"{_ROLLED_BACK} Check whether an earlier migration was partially applied (alembic current)."
_CONCURRENCY = f"{_ROLLED_BACK} Another session got in the way; nothing from this migration was kept."
_RESOURCES = f"{_ROLLED_BACK} The server ran short of a resource; nothing from this migration was kept."


@dataclass(frozen=True)
class Category:
    """One kind of failure: how the first line names it, the ROLLBACK line, and what to do next."""

    key: str
    label: str
    rollback: str
    next_step: str


def _c(key: str, label: str, rollback: str, next_step: str) -> Category:
    return Category(key, label, rollback, next_step)


UNIQUE = _c(
    "unique_violation",
    "integrity constraint",
    _INTEGRITY,
    "Find the duplicates (SELECT key, COUNT(*) ... GROUP BY key HAVING COUNT(*) > 1), "
    "keep one row per key, then retry.",
)
FOREIGN_KEY = _c(
    "foreign_key_violation",
    "integrity constraint",
    _INTEGRITY,
    "Find the orphaned or still-referenced rows named in DETAIL, delete them or repoint "
    "their foreign keys, then retry.",
)
NOT_NULL = _c(
    "not_null_violation",
    "integrity constraint",
    _INTEGRITY,
    "Backfill the NULLs (or give the column a default) before making it NOT NULL, then retry.",
)
CHECK = _c(
    "check_violation",
    "integrity constraint",
    _INTEGRITY,
    "Find the rows that fail the check constraint, fix them, then retry.",
)
ALREADY_EXISTS = _c(
    "already_exists",
    "schema conflict",
    _SCHEMA,
    "If the existing object is what this migration creates, run alembic stamp <revision>; otherwise drop it and retry.",
)
MISSING = _c(
    "missing_object",
    "schema conflict",
    _SCHEMA,
    "The table or column this migration expects is missing: check alembic current and the "
    "history for a skipped or hand-reverted revision.",
)
LOCK_TIMEOUT = _c(
    "lock_not_available",
    "lock timeout",
    _CONCURRENCY,
    "Find the blocking session (pg_blocking_pids, pg_stat_activity), wait for it or end it, then retry.",
)
STATEMENT_TIMEOUT = _c(
    "query_canceled",
    "statement timeout",
    _ROLLED_BACK + " The statement was canceled.",
    "The statement ran past statement_timeout (or was canceled): batch the work, "
    "or run it in a maintenance window with a longer timeout.",
)
DEADLOCK = _c(
    "deadlock",
    "deadlock",
    _CONCURRENCY,
    "Retry; if it recurs, stop the application traffic that touches these tables during the migration.",
)
SERIALIZATION = _c(
    "serialization_failure",
    "serialization failure",
    _CONCURRENCY,
    "Retry the migration; nothing from this attempt was kept.",
)
CONNECTION_LOST = _c(
    "connection_lost",
    "lost connection",
    "The connection was lost before COMMIT: nothing was committed, and PostgreSQL rolls the "
    "transaction back when the session ends.",
    "After a network cut the server may not have noticed yet: end the migration's leftover session "
    "(pg_stat_activity), check alembic current, then retry; break large data migrations into batches.",
)
DISK_FULL = _c("disk_full", "disk full", _RESOURCES, "Free disk space on the database server before retrying.")
OUT_OF_MEMORY = _c(
    "out_of_memory",
    "out of memory",
    _RESOURCES,
    "Lower the memory this migration needs (smaller batches, lower work_mem) or retry when the server is quieter.",
)
PRIVILEGE = _c(
    "insufficient_privilege",
    "insufficient privilege",
    _ROLLED_BACK,
    "Run the migration as the role that owns these objects, or grant the missing privilege.",
)
HELPER_CHECK = _c(
    "helper_check",
    "a failed pre-flight check",
    _ROLLED_BACK,
    "Read the check's message above; the helper changed nothing.",
)
OTHER = _c(
    "other",
    "an unexpected error",
    _ROLLED_BACK,
    "Read PostgreSQL's message and the traceback, fix the migration script, then retry.",
)

_BY_SQLSTATE = {
    "23505": UNIQUE,
    "23503": FOREIGN_KEY,
    "23502": NOT_NULL,
    "23514": CHECK,
    "42P07": ALREADY_EXISTS,
    "42701": ALREADY_EXISTS,
    "42710": ALREADY_EXISTS,
    "42P01": MISSING,
    "42703": MISSING,
    "55P03": LOCK_TIMEOUT,
    "57014": STATEMENT_TIMEOUT,
    "40P01": DEADLOCK,
    "40001": SERIALIZATION,
    "57P01": CONNECTION_LOST,
    "57P02": CONNECTION_LOST,
    "57P03": CONNECTION_LOST,
    "53100": DISK_FULL,
    "53200": OUT_OF_MEMORY,
    "42501": PRIVILEGE,
}


@dataclass(frozen=True)
class Diagnosis:
    """A failed migration explained: category, SQLSTATE and PostgreSQL's own words."""

    category: Category
    sqlstate: str | None
    message: str
    detail: str | None = None
    hint: str | None = None

    def lines(self) -> list[str]:
        """The lines the guide documents, PostgreSQL's message first."""
        out = [
            f"Migration failed due to {self.category.label}: {self.message}",
            f"ROLLBACK: {self.category.rollback}",
        ]
        if self.detail:
            out.append(f"DETAIL: {self.detail}")
        if self.hint:
            out.append(f"HINT: {self.hint}")
        out.append(f"NEXT: {self.category.next_step}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (psycopg 3's and asyncpg's ``sqlstate``, psycopg2's ``pgcode``)."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code if isinstance(code, str) else None


def categorize(exc: BaseException) -> Category:
    """The category of a failure, from its SQLSTATE alone."""
    code = sqlstate_of(exc)
    if code is not None:
        if code in _BY_SQLSTATE:
            return _BY_SQLSTATE[code]
        if code.startswith("08"):
            return CONNECTION_LOST
        return OTHER
    if isinstance(exc, sa_exc.DBAPIError) and (exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError)):
        return CONNECTION_LOST
    if isinstance(exc, MigrationHelperError):
        return HELPER_CHECK
    return OTHER


def _server_fields(orig: object) -> tuple[str | None, str | None, str | None]:
    """PostgreSQL's message, DETAIL and HINT as the driver holds them.

    psycopg 3 and psycopg2 keep them on ``orig.diag``; SQLAlchemy's asyncpg adapter has none,
    and they are on the asyncpg exception it wraps (``orig.__cause__``: ``message``, ``detail``, ``hint``).
    """
    diag = getattr(orig, "diag", None)
    if diag is not None:
        fields = (diag.message_primary, diag.message_detail, diag.message_hint)
    else:
        cause = getattr(orig, "__cause__", None)
        fields = tuple(getattr(cause, name, None) for name in ("message", "detail", "hint"))  # type: ignore[assignment]
    message, detail, hint = (value if isinstance(value, str) and value else None for value in fields)
    return message, detail, hint


def diagnose(exc: BaseException) -> Diagnosis:
    """Explain ``exc``: its category, and PostgreSQL's message, DETAIL and HINT when it has them.

    ```python
    import os

    import sqlalchemy as sa

    from helpers import diagnose

    engine = sa.create_engine(os.environ["DATABASE_URL"])  # postgresql+psycopg://...
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE users (email text)")
        conn.exec_driver_sql("INSERT INTO users VALUES ('ann@example.com'), ('ann@example.com')")
        try:
            conn.exec_driver_sql("CREATE UNIQUE INDEX ix_users_email ON users (email)")
        except sa.exc.IntegrityError as exc:
            diagnosis = diagnose(exc)

    assert (diagnosis.sqlstate, diagnosis.category.key) == ("23505", "unique_violation")
    assert diagnosis.detail == "Key (email)=(ann@example.com) is duplicated."
    print(diagnosis)  # the lines env.py logs: "Migration failed due to ...", ROLLBACK, DETAIL, NEXT
    ```
    """
    orig = getattr(exc, "orig", None) if isinstance(exc, sa_exc.DBAPIError) else exc
    message, detail, hint = _server_fields(orig)
    if not message:
        source = orig if orig is not None else exc
        cause = getattr(orig, "__cause__", None)
        if isinstance(exc, sa_exc.DBAPIError) and getattr(orig, "diag", None) is None and cause is not None:
            source = cause  # asyncpg's own exception: its text, however SQLAlchemy's adapter words it
        text = str(source).strip()
        message = text.splitlines()[0].strip() if text else type(exc).__name__
        if not isinstance(exc, sa_exc.DBAPIError) and categorize(exc) is OTHER:
            message = f"{type(exc).__name__}: {message}"
    return Diagnosis(
        category=categorize(exc),
        sqlstate=sqlstate_of(exc),
        message=message,
        detail=detail,
        hint=hint,
    )


def log_failure(logger: logging.Logger, exc: BaseException) -> Diagnosis | None:
    """Log the diagnosis of ``exc`` at ERROR once; a second call for the same exception does nothing."""
    if getattr(exc, "_migration_diagnosis_logged", False):
        return None
    diagnosis = diagnose(exc)
    logger.error("%s", diagnosis)
    with contextlib.suppress(AttributeError):  # exceptions with __slots__ cannot be marked
        exc._migration_diagnosis_logged = True  # type: ignore[attr-defined]
    return diagnosis
