"""The reader's Alembic project, and its commands run against a database the caller chooses.

``load`` finds ``alembic.ini``; ``resolve`` checks a revision; ``database_url`` reads the URL and
``check_server`` proves a server answers, each raising ``BadInputError`` with one sentence.

``run`` runs ``upgrade``, ``downgrade`` or ``stamp`` through the project's own ``env.py``, in this
process, against a chosen database: the connection is handed over in
``config.attributes["connection"]``, and ``DATABASE_URL`` and ``sqlalchemy.url`` name the same
database for an ``env.py`` that builds its own engine. While it runs, every new connection made
in this process is checked: one that reaches any other database stops the run before a statement
is sent there (``WrongDatabaseError``). Alembic's ``EnvironmentContext.configure`` is wrapped for
the run, which is how the caller learns the migration's connection and version table and gets a
callback after each revision (``Hooks``).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import Pool

from .errors import BadInputError

#: Seconds to wait for a server to answer before calling it unreachable.
CONNECT_TIMEOUT = 10


@dataclass
class Project:
    """An Alembic project: its ``alembic.ini`` and its revisions."""

    ini: Path
    script: ScriptDirectory

    def config(self) -> Config:
        """A fresh ``Config`` for one command (attributes are per run)."""
        return Config(str(self.ini))

    @property
    def heads(self) -> tuple[str, ...]:
        return tuple(self.script.get_heads())


def load(ini: str | os.PathLike[str] | None = None) -> Project:
    """The project whose ``alembic.ini`` is ``ini`` (default: ``alembic.ini`` in the current folder)."""
    path = Path(ini) if ini is not None else Path("alembic.ini")
    if not path.is_file():
        where = f"{path}" if ini is not None else f"alembic.ini in {Path.cwd()}"
        raise BadInputError(f"No {where}: run this where alembic.ini is, or pass -c PATH.")
    saved = list(sys.path)
    try:
        script = ScriptDirectory.from_config(Config(str(path)))
        script.get_heads()  # reads every revision file: a broken project fails here, not halfway
    except Exception as exc:  # CommandError, a revision file that does not import ...
        raise BadInputError(f"The Alembic project of {path} cannot be read: {_first_line(exc)}") from exc
    finally:
        sys.path[:] = saved
    return Project(path.resolve(), script)


def resolve(project: Project, revision: str) -> tuple[str, ...]:
    """The revision ids ``revision`` names (``head``, ``base``, an id or a unique prefix of one); else BadInputError."""
    if revision == "base":
        return ()
    try:
        found = project.script.get_revisions(revision)
    except Exception as exc:  # ResolutionError, MultipleHeads, RevisionError
        heads = ", ".join(project.heads) or "none"
        raise BadInputError(
            f"Unknown revision {revision!r}: {_first_line(exc)} (this project's heads: {heads})."
        ) from exc
    ids = tuple(script.revision for script in found if script is not None)
    if not ids:
        heads = ", ".join(project.heads) or "none"
        raise BadInputError(f"Unknown revision {revision!r}: this project has no such revision (heads: {heads}).")
    return ids


def database_url(given: str | None) -> URL:
    """The URL of ``--url`` or ``DATABASE_URL``, in any libpq form; BadInputError when missing or unparsable."""
    text = (given if given is not None else os.environ.get("DATABASE_URL", "")).strip()
    source = "--url" if given is not None else "DATABASE_URL"
    if not text:
        raise BadInputError("No database: set DATABASE_URL or pass --url postgresql://user@host/dbname.")
    try:
        url = sa.make_url(text)
    except Exception as exc:
        raise BadInputError(
            f"{source} {_hide_password(text)!r} is not a database URL; use postgresql://user@host/dbname."
        ) from exc
    if url.get_backend_name() != "postgresql":
        raise BadInputError(
            f"{source} {_hide_password(text)!r} is not a PostgreSQL URL; use postgresql://user@host/dbname."
        )
    if not url.database:
        raise BadInputError(f"{source} {_hide_password(text)!r} names no database; add it: postgresql://host/dbname.")
    if url.host and url.host.startswith("%2F"):  # libpq's percent-encoded socket directory
        url = url.set(host=None).update_query_dict({"host": unquote(url.host)})
    return url


def engine_url(url: URL) -> URL:
    """``url`` for this package's own engines: psycopg 3 unless the URL names a synchronous driver."""
    if url.drivername in ("postgresql", "postgres") or url.get_dialect().is_async:
        return url.set(drivername="postgresql+psycopg")
    return url


def where(url: URL) -> str:
    """``host:port/dbname`` as a message names a database (a socket directory as the host)."""
    host = url.host or url.query.get("host") or "localhost"
    port = url.port or url.query.get("port") or 5432
    return f"{host}:{port}/{url.database}"


def engine(url: URL, **kwargs: Any) -> sa.Engine:
    """An engine of this package's own (no pool), failing fast when the server does not answer."""
    url = engine_url(url)
    args = {"connect_timeout": CONNECT_TIMEOUT} if url.get_driver_name() in ("psycopg", "psycopg2") else {}
    return sa.create_engine(url, poolclass=sa.NullPool, connect_args=args, **kwargs)


def check_server(url: URL) -> None:
    """Raise BadInputError unless the server answers and lets this user into the database."""
    eng = engine(url)
    try:
        with eng.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as exc:
        raise BadInputError(f"The server at {where(url)} does not answer: {_first_line(exc.orig or exc)}") from exc
    finally:
        eng.dispose()


@contextlib.contextmanager
def read_only(url: URL) -> Iterator[Connection]:
    """A connection to ``url`` whose transactions are all READ ONLY: reading never writes by mistake."""
    eng = engine(url)
    try:
        try:
            conn = eng.connect()
        except sa.exc.DBAPIError as exc:
            raise BadInputError(
                f"The server at {where(url)} does not answer: {_first_line(exc.orig or exc)}"
            ) from exc
        with conn:
            conn.exec_driver_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            conn.commit()
            yield conn
    finally:
        eng.dispose()


def current_heads(
    conn: Connection, version_table: str = "alembic_version", schema: str | None = None
) -> tuple[str, ...]:
    """The revisions in the version table (empty when there is none); quietly, unlike Alembic's own context."""
    if not conn.dialect.has_table(conn, version_table, schema=schema):
        heads: tuple[str, ...] = ()
    else:
        table = sa.table(version_table, sa.column("version_num"), schema=schema)
        query = sa.select(table.c.version_num).order_by(table.c.version_num)
        heads = tuple(str(v) for v in conn.execute(query).scalars())
    if conn.in_transaction():
        conn.rollback()
    return heads


# -- running a command through the project's env.py -------------------------------------------------
class WrongDatabaseError(BadInputError):
    """env.py connected somewhere other than the database the run was pointed at."""


@dataclass
class Hooks:
    """What the caller hears about a run: env.py's ``configure`` arguments, and each revision applied."""

    configured: Callable[[dict[str, Any]], None] = lambda kwargs: None
    version_started: Callable[[Any], None] = lambda step: None
    version_applied: Callable[[Any], None] = lambda step: None


@dataclass
class Outcome:
    """How a command ended: ``error`` is None when it succeeded; ``output`` is what env.py printed."""

    error: BaseException | None
    output: str
    seconds: float
    configure: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


_COMMANDS: dict[str, Callable[..., None]] = {
    "upgrade": command.upgrade,
    "downgrade": command.downgrade,
    "stamp": command.stamp,
}


def run(
    project: Project,
    url: URL,
    name: str,
    revision: str,
    *,
    capture: bool = True,
    hooks: Hooks | None = None,
    attributes: Mapping[str, object] | None = None,
    environ_url: str | None = None,
) -> Outcome:
    """Run ``alembic NAME REVISION`` through the project's env.py against ``url``, in this process.

    ``capture`` keeps what env.py prints (in ``Outcome.output``) instead of showing it.
    ``environ_url`` is what ``DATABASE_URL`` is set to (default: ``url`` as given). A failure is
    returned, not raised, except ``WrongDatabaseError``.
    """
    hooks = hooks or Hooks()
    config = project.config()
    config.attributes.update(attributes or {})
    if capture:
        config.attributes.setdefault("configure_logger", False)
    shown = url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", shown.replace("%", "%%"))
    eng = engine(url)
    wrong: list[str] = []
    seen: dict[str, Any] = {}
    buffer = io.StringIO()
    started = time.perf_counter()
    error: BaseException | None = None
    with (
        _process_state(capture, buffer),
        _environ("DATABASE_URL", environ_url or shown),
        _guard(str(url.database), wrong),
        _watch_configure(hooks, seen),
    ):
        try:
            with eng.connect() as conn:
                config.attributes["connection"] = conn
                _COMMANDS[name](config, revision)
        except SystemExit as exc:  # an env.py that exits instead of raising
            error = exc if exc.code not in (0, None) else None
        except Exception as exc:
            error = exc
        finally:
            eng.dispose()
    if wrong:
        raise WrongDatabaseError(
            f"env.py connected to database {wrong[0]!r}, not {url.database!r} it was pointed at: it takes its URL "
            "from somewhere other than DATABASE_URL, sqlalchemy.url or config.attributes['connection']; "
            "nothing was run there."
        )
    return Outcome(error, buffer.getvalue(), time.perf_counter() - started, seen)


@contextlib.contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


@contextlib.contextmanager
def _guard(database: str, wrong: list[str]) -> Iterator[None]:
    """Every connection this process opens meanwhile must be to ``database``: else it is closed unused."""

    def check(dbapi_connection: Any, record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT current_database()")
            row = cursor.fetchone()
        finally:
            cursor.close()
        with contextlib.suppress(Exception):
            dbapi_connection.rollback()
        name = str(row[0]) if row else "?"
        if name != database:
            wrong.append(name)
            raise WrongDatabaseError(f"env.py connected to database {name!r}, not {database!r}.")

    event.listen(Pool, "connect", check)
    try:
        yield
    finally:
        event.remove(Pool, "connect", check)


def _callbacks(value: object) -> tuple[Callable[..., None], ...]:
    if value is None:
        return ()
    if callable(value):
        return (value,)
    return tuple(value) if isinstance(value, Iterable) else ()


@contextlib.contextmanager
def _watch_configure(hooks: Hooks, seen: dict[str, Any]) -> Iterator[None]:
    """Wrap ``EnvironmentContext.configure`` for one run: note its arguments, add an ``on_version_apply``."""
    original = EnvironmentContext.configure
    names = list(original.__code__.co_varnames[1 : original.__code__.co_argcount])

    def version_applied(ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
        hooks.version_applied(step)

    def configure(self: EnvironmentContext, *args: Any, **kwargs: Any) -> None:
        kwargs.update(zip(names, args, strict=False))
        steps = self.context_opts.get("fn")
        if callable(steps) and not getattr(steps, "announces", False):
            self.context_opts["fn"] = _announcing(steps, hooks.version_started)
        kwargs["on_version_apply"] = (*_callbacks(kwargs.get("on_version_apply")), version_applied)
        seen.update(kwargs)
        hooks.configured(kwargs)
        original(self, **kwargs)

    EnvironmentContext.configure = configure  # type: ignore[method-assign]
    try:
        yield
    finally:
        EnvironmentContext.configure = original  # type: ignore[method-assign]


def _announcing(steps: Callable[..., Any], started: Callable[[Any], None]) -> Callable[..., Any]:
    """Alembic's list of steps for the run, each announcing itself (``started``) before its migration runs."""

    def announced_steps(rev: Any, context: Any) -> list[Any]:
        found = list(steps(rev, context))
        for step in found:
            if getattr(step, "revision", None) is None:  # a stamp: it runs nothing
                continue

            def announced(
                *args: Any, _run: Callable[..., Any] = step.migration_fn, _step: Any = step, **kw: Any
            ) -> Any:
                started(_step)
                return _run(*args, **kw)

            # Alembic names the step after its function ("Running upgrade 0007 -> 0008"): keep the name.
            step.migration_fn = functools.update_wrapper(announced, step.migration_fn)
        return found

    announced_steps.__name__ = getattr(steps, "__name__", "announced_steps")  # history.command_name reads it
    announced_steps.announces = True  # type: ignore[attr-defined]
    return announced_steps


@contextlib.contextmanager
def _process_state(capture: bool, buffer: io.StringIO) -> Iterator[None]:
    """Keep what env.py prints (when ``capture``); undo what it does to logging and sys.path in any case."""
    manager = logging.Logger.manager
    saved_loggers = {
        name: (lg.handlers[:], lg.level, lg.propagate, lg.disabled)
        for name, lg in manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    root = logging.getLogger()
    saved_root = (root.handlers[:], root.level)
    saved_path = list(sys.path)
    redirect = (
        (contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer)) if capture else ()
    )
    with contextlib.ExitStack() as stack:
        for manager_ in redirect:
            stack.enter_context(manager_)
        try:
            yield
        finally:
            # env.py's fileConfig() rewires logging for the whole process: put it back as it was.
            sys.path[:] = saved_path
            for name, lg in list(manager.loggerDict.items()):
                if not isinstance(lg, logging.Logger):
                    continue
                handlers, level, propagate, disabled = saved_loggers.get(name, ([], logging.NOTSET, True, False))
                lg.handlers[:] = handlers
                lg.setLevel(level)
                lg.propagate, lg.disabled = propagate, disabled
            root.handlers[:] = saved_root[0]
            root.setLevel(saved_root[1])


_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def _hide_password(text: str) -> str:
    return _PASSWORD.sub(r"\1***@", text)


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__
