"""What went wrong in a failed migration, read from the SQLSTATE, and what to do next.

The kinds of failure and their pages are the catalog's rows (``failures``).

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
from .failures import CONNECTION_LOST, HELPER_CHECK, OTHER, Category, by_sqlstate


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
        if address := self.category.address():
            out.append(f"SEE: {address}")
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
        return by_sqlstate(code)
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
    print(diagnosis)  # the lines env.py logs: "Migration failed due to ...", ROLLBACK, DETAIL, NEXT, SEE
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
