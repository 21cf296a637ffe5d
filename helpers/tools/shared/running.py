"""Running ``upgrade``, ``downgrade`` or ``stamp`` through the reader's own ``env.py``, in this process,
against a database the caller chooses.

The connection is handed over in ``config.attributes["connection"]``, and ``DATABASE_URL`` and
``sqlalchemy.url`` name the same database for an ``env.py`` that builds its own engine. While it
runs, every new connection made in this process is checked: one that reaches any other database
stops the run before a statement is sent there (``WrongDatabaseError``). Alembic's
``EnvironmentContext.configure`` is wrapped for the run, which is how the caller learns the
migration's connection and version table and hears each revision start and end (``Hooks``, with a
``RevisionEvent``, decoded from Alembic's step here and nowhere else).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.pool import Pool

from ..errors import BadInputError, first_line
from .database import disposed_engine
from .scripts import Scripts


class WrongDatabaseError(BadInputError):
    """env.py connected somewhere other than the database the run was pointed at."""


def forget_modules(names: Iterable[str], folders: Iterable[Path]) -> None:
    """Forget the modules of ``names`` imported from ``folders`` (a project's ``models`` ..., which env.py imported):
    another project run in this process may have modules of the same names.

    The finders of relative ``sys.path`` entries go too: ``prepend_sys_path = .`` puts ``.`` there, and Python
    keeps the finder of ``.`` for the folder that was current when it was made.
    """
    resolved = [Path(folder).resolve() for folder in folders]
    for name in names:
        file = getattr(sys.modules.get(name), "__file__", None)
        if file and any(Path(file).resolve().is_relative_to(folder) for folder in resolved):
            del sys.modules[name]
    for entry in [entry for entry in sys.path_importer_cache if not os.path.isabs(entry)]:
        del sys.path_importer_cache[entry]


@dataclass(frozen=True)
class RevisionEvent:
    """A revision of a run as the caller hears it: ``started`` (before its migration function runs), ``applied``
    (once Alembic has recorded it) or ``failed`` (the run stopped while it ran: ``Outcome.failed``).

    ``message`` is the first line of the revision's docstring; ``upgrade`` and ``down`` (the revisions below it)
    are known once it is applied; ``connection`` is the migration's own (env.py's ``configure``), when it has one.
    """

    kind: str
    revision: str
    message: str = ""
    upgrade: bool = True
    down: tuple[str, ...] = ()
    connection: Connection | None = field(default=None, compare=False, repr=False)


def _doc(script: Any) -> str:
    doc = str(getattr(script, "doc", "") or "")
    return first_line(doc) if doc.strip() else ""


def _started(step: Any, connection: Connection | None) -> RevisionEvent | None:
    """Alembic's step about to run (a ``RevisionStep``), or None for a stamp, which runs nothing."""
    script = getattr(step, "revision", None)
    revision = getattr(script, "revision", None)
    if revision is None:
        return None
    return RevisionEvent("started", str(revision), _doc(script), bool(getattr(step, "is_upgrade", True)),
                         connection=connection)


def _applied(step: Any, connection: Connection | None) -> RevisionEvent:
    """Alembic's ``MigrationInfo`` of a step it recorded in the version table."""
    down = tuple(str(rev) for rev in (getattr(step, "down_revision_ids", None) or ()))
    return RevisionEvent("applied", str(step.up_revision_id), _doc(getattr(step, "up_revision", None)),
                         bool(step.is_upgrade), down, connection)


def _ignore(event: RevisionEvent) -> None:
    pass


@dataclass
class Hooks:
    """What the caller hears about a run: env.py's ``configure`` arguments, and each revision started, applied or
    failed."""

    configured: Callable[[dict[str, Any]], None] = lambda kwargs: None
    started: Callable[[RevisionEvent], None] = _ignore
    applied: Callable[[RevisionEvent], None] = _ignore
    failed: Callable[[RevisionEvent], None] = _ignore


class _Progress:
    """The revision running now (started, not yet applied): the one that failed if the run stops with an error."""

    def __init__(self, hooks: Hooks) -> None:
        self.hooks = hooks
        self.running: RevisionEvent | None = None
        self.connection: Connection | None = None

    def configured(self, kwargs: dict[str, Any]) -> None:
        if isinstance(kwargs.get("connection"), Connection):
            self.connection = kwargs["connection"]
        self.hooks.configured(kwargs)

    def started(self, step: Any) -> None:
        found = _started(step, self.connection)
        if found is not None:
            self.running = found
            self.hooks.started(found)

    def applied(self, step: Any) -> None:
        self.running = None
        self.hooks.applied(_applied(step, self.connection))

    def stopped(self) -> RevisionEvent | None:
        if self.running is None:
            return None
        failed = RevisionEvent("failed", self.running.revision, self.running.message, self.running.upgrade,
                               connection=self.connection)
        self.hooks.failed(failed)
        return failed


@dataclass
class Outcome:
    """How a command ended: ``error`` is None when it succeeded; ``output`` is what env.py printed."""

    error: BaseException | None
    output: str
    seconds: float
    configure: dict[str, Any] = field(default_factory=dict)
    #: The revision that was running when the run stopped with ``error`` (None: none was, or none failed).
    failed: RevisionEvent | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_COMMANDS: dict[str, Callable[..., None]] = {
    "upgrade": command.upgrade,
    "downgrade": command.downgrade,
    "stamp": command.stamp,
}


def run(
    scripts: Scripts,
    url: URL,
    name: str,
    revision: str,
    *,
    capture: bool = True,
    hooks: Hooks | None = None,
    attributes: Mapping[str, object] | None = None,
    environ_url: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Outcome:
    """Run ``alembic NAME REVISION`` through the project's env.py against ``url``, in this process.

    ``capture`` keeps what env.py prints (in ``Outcome.output``) instead of showing it.
    ``environ_url`` is what ``DATABASE_URL`` is set to (default: ``url`` as given). A failure is
    returned, not raised, except ``WrongDatabaseError``. ``options``: keyword arguments of the
    command (``purge=True`` for a stamp over a revision the scripts do not know).
    """
    progress = _Progress(hooks or Hooks())
    config = scripts.config()
    config.attributes.update(attributes or {})
    if capture:
        config.attributes.setdefault("configure_logger", False)
    shown = url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", shown.replace("%", "%%"))
    wrong: list[str] = []
    seen: dict[str, Any] = {}
    buffer = io.StringIO()
    started = time.perf_counter()
    error: BaseException | None = None
    with (
        process_state(capture, buffer),
        environ("DATABASE_URL", environ_url or shown),
        _guard(str(url.database), wrong),
        _watch_configure(progress, seen),
        disposed_engine(url) as eng,
    ):
        try:
            with eng.connect() as conn:
                # JupyterHub's env.py (and others of SQLAlchemy 1.x days) calls .connect() on what it is handed,
                # as Connection.connect() once allowed: it gets the same connection back.
                conn.connect = lambda: contextlib.nullcontext(conn)  # type: ignore[attr-defined]
                config.attributes["connection"] = conn
                _COMMANDS[name](config, revision, **(options or {}))
        except SystemExit as exc:  # an env.py that exits instead of raising
            error = exc if exc.code not in (0, None) else None
        except Exception as exc:
            error = exc
    if wrong:
        raise WrongDatabaseError(
            f"env.py connected to database {wrong[0]!r}, not {url.database!r} it was pointed at: it takes its URL "
            "from somewhere other than DATABASE_URL, sqlalchemy.url or config.attributes['connection']; "
            "nothing was run there."
        )
    failed = progress.stopped() if error is not None else None
    return Outcome(error, buffer.getvalue(), time.perf_counter() - started, seen, failed)


@contextlib.contextmanager
def environ(name: str, value: str) -> Iterator[None]:
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
def _watch_configure(progress: _Progress, seen: dict[str, Any]) -> Iterator[None]:
    """Wrap ``EnvironmentContext.configure`` for one run: note its arguments, add an ``on_version_apply``."""
    original = EnvironmentContext.configure
    names = list(original.__code__.co_varnames[1 : original.__code__.co_argcount])

    def version_applied(ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
        progress.applied(step)

    def configure(self: EnvironmentContext, *args: Any, **kwargs: Any) -> None:
        kwargs.update(zip(names, args, strict=False))
        steps = self.context_opts.get("fn")
        if callable(steps) and not getattr(steps, "announces", False):
            self.context_opts["fn"] = _announcing(steps, progress.started)
        kwargs["on_version_apply"] = (*_callbacks(kwargs.get("on_version_apply")), version_applied)
        seen.update(kwargs)
        progress.configured(kwargs)
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
def process_state(capture: bool, buffer: io.StringIO) -> Iterator[None]:
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
