"""Run a command and get its transcript: stdout and stderr merged as a terminal shows them.

``run`` starts a process; ``alembic`` runs Alembic's command line in this process when nothing
about a process is the point (same output, no interpreter start-up), and in a subprocess when
asked (``subprocess=True``: a command left running, or one whose process is killed). ``helpers``
does the same for ``python -m helpers``: an interpreter start-up with Alembic and SQLAlchemy imported
costs about 0.7 s of CPU, and was half of what the tests spent (measured: `git log -p README.md`).
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
import shlex
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support import drivers
from tests.support.normalize import normalize
from tests.support.paths import PROJECT

if TYPE_CHECKING:
    from alembic.config import CommandLine

EXIT_MARKER = "[exit status {}]"
_SHELL_SYNTAX = set("|&;<>()$`\\\"'*?[]#~=%{}")
#: After the command's name, "=" is plain text to bash ("-x lock_timeout=1min"): only before it is it an assignment.
_SHELL_SYNTAX_AFTER_NAME = _SHELL_SYNTAX - {"="}


@dataclass(frozen=True)
class Run:
    """One command as the reader types it (``display``), its exit status, and what it printed."""

    display: str
    returncode: int
    output: str

    @property
    def transcript(self) -> str:
        """``$ command`` and its output, normalised: the form of a captured file."""
        return normalize(f"$ {self.display}\n{self.output}").rstrip() + "\n"

    @property
    def lines(self) -> list[str]:
        """The output lines, then ``[exit status N]`` when it failed: the form of a console block."""
        out = self.output.rstrip("\n")
        lines = out.split("\n") if out else []
        if self.returncode != 0:
            lines.append(EXIT_MARKER.format(self.returncode))
        return lines


def _env(env: dict[str, str] | None) -> dict[str, str]:
    full = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1", "PSQLRC": os.devnull, "PAGER": "cat"}
    full["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full.get('PATH', '')}"
    return full


def run(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path = PROJECT,
    display: str | None = None,
    timeout: float = 120,
) -> Run:
    """Run ``args`` in a process; ``args[0]`` may be a full path, the transcript shows its base name."""
    result = subprocess.run(
        list(args), cwd=cwd, env=_env(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout
    )
    return Run(display or shlex.join([Path(args[0]).name, *args[1:]]), result.returncode, result.stdout)


def shell(command: str, *, env: dict[str, str] | None = None, cwd: Path = PROJECT, timeout: float = 300) -> Run:
    """``command`` as typed into bash, with what bash would print; an ``alembic`` or ``python -m helpers`` line runs
    in this process when nothing but bash's quoting is in it (`_in_process_step`), each command of an ``&&`` list so.
    """
    given = dict(os.environ if env is None else env)
    steps = [_in_process_step(typed, given, cwd, timeout) for typed in command.split(" && ")]
    if not all(steps):
        return run(["bash", "-c", command], env=env, cwd=cwd, display=command, timeout=timeout)
    code, output = 0, ""
    for step in steps:
        code, printed = step()  # type: ignore[misc]
        output += printed
        if code != 0:  # `a && b`: b runs only when a succeeded, and the list's status is the last run's
            break
    return Run(command, code, output)


def _in_process_step(
    typed: str, env: dict[str, str], cwd: Path, timeout: float
) -> Callable[[], tuple[int, str]] | None:
    """How to run ``typed`` in this process (a call giving its exit status and output), or None: bash runs it.

    ``typed`` is ``[NAME=WORD ...] alembic|python -m helpers ARGS [2>&1 | REST]``, its arguments free of anything
    but quotes (no ``$``, globs, redirections): the assignments are made for it alone, and what it printed goes
    through REST in bash, whose status is the pipeline's.
    """
    assigned = _ASSIGNMENTS.fullmatch(typed)
    own_env = {**env, **_assignments(assigned["assignments"], env)} if assigned else env
    line = assigned["command"] if assigned else typed
    piped = _PIPED.fullmatch(line)
    first = piped["first"] if piped else line
    if _SHELL_SYNTAX_AFTER_NAME - _QUOTES & set(first):
        return None
    try:
        words = shlex.split(first)
    except ValueError:  # a quote left open: an `&&` inside quotes split it here
        return None
    if words[:1] == ["alembic"]:
        call = functools.partial(alembic, *words[1:], env=own_env, cwd=cwd)
    elif words[:3] == HELPERS.split():
        call = functools.partial(helpers, *words[3:], env=own_env, cwd=cwd)
    else:
        return None

    def step() -> tuple[int, str]:
        ran = call()
        if piped is None:
            return ran.returncode, ran.output
        rest = subprocess.run(
            ["bash", "-c", piped["rest"]], input=ran.output, cwd=cwd, env=_env(env),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout,
        )
        return rest.returncode, rest.stdout

    return step


_QUOTES = {"'", '"'}
#: ``NAME=WORD ... COMMAND``: variables bash sets for that one command. A WORD here is plain text or one
#: ``$NAME``; anything else (quotes, ``${...}``, two expansions) leaves the whole line to bash.
_ASSIGNMENTS = re.compile(
    r"(?P<assignments>(?:[A-Za-z_]\w*=(?:\$[A-Za-z_]\w*|[^\s$`\\\"'|&;<>(){}*?\[\]#~%]*) +)+)(?P<command>.*)",
    re.DOTALL,
)
#: ``COMMAND 2>&1 | REST``: the tracebacks the pages cut to their exception (``| sed -n '/^sqlalchemy.exc/,$p'``).
_PIPED = re.compile(r"(?P<first>[^|]*?) 2>&1 \| (?P<rest>.+)", re.DOTALL)


def _assignments(words: str, env: dict[str, str]) -> dict[str, str]:
    """``NAME=WORD`` assignments (`_ASSIGNMENTS`) as bash makes them: ``$NAME`` read from ``env``, unset is empty."""
    made = {}
    for word in words.split():
        name, _, value = word.partition("=")
        made[name] = env.get(value[1:], "") if value.startswith("$") else value
    return made


HELPERS = "python -m helpers"


def helpers(*args: str, env: dict[str, str] | None = None, cwd: Path = PROJECT) -> Run:
    """``python -m helpers ARGS`` in ``cwd`` as a reader would type it, in this process (stdout and stderr merged)."""
    from helpers.tools.cli import main

    display = shlex.join([*HELPERS.split(), *args])
    return Run(display, *_in_process(lambda stream: main(list(args), out=stream), env, cwd))


def alembic_path() -> str:
    """The alembic script of the running interpreter's environment."""
    return str(Path(sys.executable).parent / "alembic")


def alembic(
    *args: str, env: dict[str, str] | None = None, cwd: Path = PROJECT, subprocess: bool = False, timeout: float = 120
) -> Run:
    """``alembic ARGS`` in ``cwd`` (the example project by default), as a reader would type it."""
    display = shlex.join(["alembic", *args])
    if subprocess:
        return run([alembic_path(), *args], env=env, cwd=cwd, display=display, timeout=timeout)
    return Run(display, *_in_process(lambda stream: _alembic_main(list(args), stream), env, cwd))


def _in_process(call: Callable[[io.StringIO], int], env: dict[str, str] | None, cwd: Path) -> tuple[int, str]:
    """``call(stream)`` as a fresh process would run it (``_process_state``), stdout and stderr into ``stream``.

    Returns its exit status and what it printed; ``SystemExit`` and an uncaught exception end it as they
    would end the interpreter.
    """
    stream = io.StringIO()

    def status() -> int:
        try:
            return call(stream)
        except SystemExit as exc:
            if exc.code is None:
                return 0
            if isinstance(exc.code, int):
                return exc.code & 0xFF
            stream.write(f"{exc.code}\n")
            return 1
        except Exception:  # what the interpreter would print for an uncaught exception
            stream.write(traceback.format_exc())
            return 1

    with _process_state(_env(env), cwd), contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        if drivers.loop_running():  # a test under asyncpg: env.py's asyncio.run needs a thread without a loop
            codes: list[int] = []
            worker = threading.Thread(target=lambda: codes.append(status()))
            worker.start()
            worker.join()
            code = codes[0] if codes else 1
        else:
            code = status()
    return code, stream.getvalue()


def _alembic_main(argv: list[str], stream: io.StringIO) -> int:
    """Alembic's ``CommandLine.main``, with the Config printing to ``stream``.

    (``Config``'s ``stdout`` defaults to the ``sys.stdout`` of import time, so ``main()`` itself
    would print past a redirect.)
    """
    from alembic.config import Config

    cli = _command_line()
    options = cli.parser.parse_args(argv)
    if not hasattr(options, "cmd"):
        cli.parser.error("too few arguments")
    if hasattr(cli, "_inis_from_config"):  # Alembic 1.16 and later: alembic.ini and pyproject.toml
        toml, ini = cli._inis_from_config(options)
        config = Config(file_=ini, toml_file=toml, ini_section=options.name, cmd_opts=options, stdout=stream)
    else:  # the oldest Alembic pyproject.toml allows (nox -s oldest)
        config = Config(file_=options.config, ini_section=options.name, cmd_opts=options, stdout=stream)
    cli.run_cmd(config, options)
    return 0


@functools.cache
def _command_line() -> CommandLine:
    """Alembic's ``CommandLine``, made once: its parser, a subcommand per command, took 2 of the suite's CPU-seconds
    made again for every run; parsing leaves nothing behind in it."""
    from alembic.config import CommandLine

    return CommandLine(prog="alembic")


_LOGGERS = ("", "alembic", "sqlalchemy", "sqlalchemy.engine")
_OWN = {"helpers", "tests"}


@contextlib.contextmanager
def _process_state(env: dict[str, str], cwd: Path) -> Iterator[None]:
    """What a fresh process would have: ``env``, ``cwd``, no terminal; everything restored after.

    env.py's ``fileConfig`` replaces logging handlers and Alembic leaves its ``op`` and
    ``context`` proxies installed after a failed run (no try/finally in Alembic): both undone here.
    What env.py imported from ``cwd`` (a project's ``models``) is forgotten: another project run
    next in this process may have a module of the same name.
    """
    from alembic import context, op
    from alembic.util import messaging

    from helpers.tools.shared.running import forget_modules

    saved_env, saved_cwd, saved_path = dict(os.environ), os.getcwd(), list(sys.path)
    saved_modules = set(sys.modules)
    saved_width = messaging.TERMWIDTH
    saved_logs = {
        name: (lg.handlers[:], lg.level, lg.propagate, lg.disabled)
        for name in _LOGGERS
        for lg in [logging.getLogger(name)]
    }
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    messaging.TERMWIDTH = None
    try:
        yield
    finally:
        # Before leaving cwd (a __file__ may be relative); never the harness's or the helpers' own modules, which
        # this process holds (a run from the repository's root would have named them).
        forget_modules({m for m in set(sys.modules) - saved_modules if m.partition(".")[0] not in _OWN}, [cwd])
        os.environ.clear()
        os.environ.update(saved_env)
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        messaging.TERMWIDTH = saved_width
        for name, (handlers, level, propagate, disabled) in saved_logs.items():
            lg = logging.getLogger(name)
            lg.handlers[:] = handlers
            lg.setLevel(level)
            lg.propagate, lg.disabled = propagate, disabled
        for module in (op, context):
            if getattr(module, "_proxy", None) is not None:
                module._proxy._remove_proxy()


class Background:
    """A command left running in a process (a migration waiting on a lock) while the test acts."""

    def __init__(self, args: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path = PROJECT) -> None:
        self.display = shlex.join([Path(args[0]).name, *args[1:]])
        self.process = subprocess.Popen(
            list(args), cwd=cwd, env=_env(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def finish(self, timeout: float = 60) -> Run:
        """Wait (bounded) for the command to end; its transcript as ``run`` would give it."""
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
            raise AssertionError(f"{self.display} still ran after {timeout}s:\n{output}") from None
        return Run(self.display, self.process.returncode, output)

    def __enter__(self) -> Background:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
