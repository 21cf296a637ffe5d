"""What went wrong in a failed migration, read from the SQLSTATE, and what to do next.

The kinds of failure and their pages are the catalog's rows (``failures``).

The category comes from ``exc.orig.sqlstate`` (or a lost connection's lack of one), never from
the message text, which changes with the server's version and locale, with one exception: psycopg 3
and psycopg2 give no SQLSTATE for a connection the server refused, whose ``FATAL:`` text is all there
is; when PostgreSQL's words in it name a code with a row of its own (``too many connections for role``:
53300), that row files it (``matcher.code_in_words``), else it is a lost connection. Only the SEE line's page may
depend on the message: where one SQLSTATE spans kinds with pages of their own (42704: a type, a
constraint, an index), the message's shape chooses among them (``helpers.matcher``), and a message
of none of those shapes gets the code's class page, never another kind's page. It works the same through
psycopg 3, psycopg2 and asyncpg. Alembic's own failures (an unknown revision, several heads ...)
have no SQLSTATE: they are filed by the Alembic exception a ``CommandError`` is raised from, and
only where Alembic gives nothing but text, by its opening words (``failures.ALEMBIC_ROWS``).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy import exc as sa_exc

from .errors import MigrationHelperError
from .failures import (
    ALEMBIC_ROWS,
    BY_SQLSTATE,
    CONNECTION_LOST,
    HELPER_CHECK,
    OTHER,
    REVISION_FILE,
    Category,
    by_sqlstate,
)
from .matcher import code_in_words, see_address


@dataclass(frozen=True)
class Diagnosis:
    """A failed migration explained: category, SQLSTATE and PostgreSQL's own words."""

    category: Category
    sqlstate: str | None
    message: str
    detail: str | None = None
    hint: str | None = None
    #: (revision, statements committed before the failure) when the failure came part-way through a revision
    #: that runs outside one transaction (``helpers.statements`` sets it on the exception).
    half_applied: tuple[str, int] | None = None

    @property
    def address(self) -> str | None:
        """The SEE line's page: the one the message's shape chooses among the code's rows (``helpers.matcher``),
        else the category's. The category itself (label, ROLLBACK, NEXT) goes by SQLSTATE alone."""
        if self.sqlstate is None:
            return self.category.address()
        return see_address(self.sqlstate, self.message, self.category)

    def lines(self) -> list[str]:
        """The lines the guide documents, PostgreSQL's message first."""
        out = [
            f"Migration failed due to {self.category.label}: {self.message}",
            f"ROLLBACK: {self.category.rollback}",
        ]
        if self.half_applied:
            revision, committed = self.half_applied
            statements = "statement" if committed == 1 else f"{committed} statements"
            out.append(
                f"PARTIAL: revision {revision} runs outside one transaction (an autocommit block): its first "
                f"{statements} had committed before this one failed and {'is' if committed == 1 else 'are'} still "
                "there, while alembic_version names the revision before. python -m helpers resume --plan shows what "
                "ran; after the fix, python -m helpers resume finishes the revision."
            )
        if self.detail:
            out.append(f"DETAIL: {self.detail}")
        if self.hint:
            out.append(f"HINT: {self.hint}")
        out.append(f"NEXT: {self.category.next_step}")
        if address := self.address:
            out.append(f"SEE: {address}")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def sqlstate_of(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (psycopg 3's and asyncpg's ``sqlstate``, psycopg2's ``pgcode``)."""
    orig = getattr(exc, "orig", exc)
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return code if isinstance(code, str) else None


def _raised_from(exc: BaseException) -> list[BaseException]:
    """``exc``, then what it was raised from (``raise ... from``), each once."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__
    return chain


def _passes_through(exc: BaseException, modules: tuple[str, ...]) -> bool:
    """True when ``exc``'s traceback has a frame of one of ``modules`` (``alembic.util.pyfiles``)."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals.get("__name__") in modules:
            return True
        tb = tb.tb_next
    return False


def _files(row: Category, exc: BaseException) -> bool:
    """True when ``row`` is the Alembic failure ``exc`` is (see :class:`~.failures.Category`)."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & set(row.exceptions) and (not row.raised_in or _passes_through(exc, row.raised_in)):
        return True
    return bool(row.messages) and type(exc).__module__.startswith("alembic.") and str(exc).startswith(row.messages)


def alembic_category(exc: BaseException) -> Category | None:
    """The row of one of Alembic's own failures, from its exception and what it was raised from; or None."""
    chain = _raised_from(exc)
    return next((row for row in ALEMBIC_ROWS if any(_files(row, e) for e in chain)), None)


def categorize(exc: BaseException) -> Category:
    """The category of a failure: from its SQLSTATE, else from what kind of exception it is."""
    code = sqlstate_of(exc)
    if code is not None:
        return by_sqlstate(code)
    if isinstance(exc, sa_exc.DBAPIError) and (exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError)):
        named = code_in_words(str(exc.orig))  # a refused connection's FATAL text (no SQLSTATE from psycopg)
        return BY_SQLSTATE.get(named, CONNECTION_LOST) if named else CONNECTION_LOST
    if isinstance(exc, MigrationHelperError):
        return HELPER_CHECK
    return alembic_category(exc) or OTHER


def _where(exc: BaseException) -> str | None:
    """``FILE, line N`` of the line that raised ``exc`` (a SyntaxError's own file and line), or None."""
    if isinstance(exc, SyntaxError):
        return None  # its text already ends "(FILE, line N)"
    tb = exc.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    return f"{tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno}"


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
    category = categorize(exc)
    message, detail, hint = _server_fields(orig)
    if not message:
        source = orig if orig is not None else exc
        cause = getattr(orig, "__cause__", None)
        if isinstance(exc, sa_exc.DBAPIError) and getattr(orig, "diag", None) is None and cause is not None:
            source = cause  # asyncpg's own exception: its text, however SQLAlchemy's adapter words it
        text = str(source).strip()
        message = text.splitlines()[0].strip() if text else type(exc).__name__
        if not isinstance(exc, sa_exc.DBAPIError) and category in (OTHER, REVISION_FILE):
            message = f"{type(exc).__name__}: {message}"
        if category is REVISION_FILE and (where := _where(exc)):
            message = f"{message} ({where})"
    return Diagnosis(
        category=category,
        sqlstate=sqlstate_of(exc),
        message=message,
        detail=detail,
        hint=hint,
        half_applied=getattr(exc, "half_applied", None),
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
