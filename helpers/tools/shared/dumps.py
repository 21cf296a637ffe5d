"""Dumps: a plain ``pg_dump`` of the reader's database (reading is all it needs), what a dump file is
(plain or custom, from which major), and loading one into a throwaway server with the server's own
``psql`` or ``pg_restore``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from ..errors import BadInputError
from .database import libpq_env, location
from .servers import Throwaway

#: pg_dump's last line in a complete plain dump.
DUMP_COMPLETE = "-- PostgreSQL database dump complete"


_DUMPED_FROM = re.compile(r"Dumped from database version:? (\d+)")


def dump(source: URL, into: Path) -> Path:
    """A plain ``pg_dump`` of ``source`` (no owners, no privileges) into the file ``into``."""
    tool = shutil.which("pg_dump")
    if tool is None:
        raise BadInputError("pg_dump is not on PATH: install PostgreSQL's client tools, or pass --dump FILE.")
    with into.open("wb") as out:
        done = subprocess.run(
            [tool, "--no-owner", "--no-privileges"], env=client_env(source), stdout=out, stderr=subprocess.PIPE,
            check=False,
        )
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise BadInputError(f"pg_dump of {location(source)} failed: {reason[-1] if reason else done.returncode}.")
    return into


def client_env(url: URL) -> dict[str, str]:
    """This process's environment with the PG* variables that point the client tools at ``url``, and no other."""
    env = {**os.environ, **libpq_env(url)}
    for variable in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"):
        if variable not in libpq_env(url):
            env.pop(variable, None)
    return env


def dump_format(path: Path) -> str:
    """``custom`` (pg_dump -Fc) or ``plain``; BadInputError when the file is missing, empty or truncated."""
    if not path.is_file():
        raise BadInputError(f"The dump file {path} does not exist.")
    size = path.stat().st_size
    with path.open("rb") as file:
        head = file.read(5)
        if head == b"PGDMP":
            return "custom"
        file.seek(max(0, size - 4096))
        tail = file.read().decode(errors="replace")
    if size == 0:
        raise BadInputError(f"The dump file {path} is empty.")
    if DUMP_COMPLETE not in tail:
        raise BadInputError(
            f"The dump file {path} is truncated or not a plain pg_dump: it does not end with {DUMP_COMPLETE!r}."
        )
    return "plain"


def dumped_major(path: Path) -> int | None:
    """The major version of the server a dump was taken from, read from its header."""
    if dump_format(path) == "plain":
        with path.open(encoding="utf-8", errors="replace") as file:
            for _, line in zip(range(40), file, strict=False):
                if match := _DUMPED_FROM.search(line):
                    return int(match.group(1))
        return None
    tool = shutil.which("pg_restore")
    if tool is None:
        return None
    listing = subprocess.run([tool, "--list", str(path)], capture_output=True, text=True, check=False)
    match = _DUMPED_FROM.search(listing.stdout)
    return int(match.group(1)) if match else None


#: In a plain dump, the lines that name roles (owners, privileges): the throwaway server has none of
#: them, and a rehearsal runs as its superuser. Dropping them is what --no-owner --no-privileges does.
_ROLE_LINES = re.compile(rb"(?m)^(?:ALTER [A-Z ]+ .* OWNER TO .*|GRANT .*|REVOKE .*|ALTER DEFAULT PRIVILEGES .*);\n")


def _for_server(data: bytes, kind: str, major: int) -> bytes:
    """A plain dump as the throwaway server takes it: no owners or privileges, and below 17 no
    ``SET transaction_timeout`` (pg_dump 17+ writes it; PostgreSQL 15 and 16 reject it)."""
    if kind != "plain":
        return data
    data = _ROLE_LINES.sub(b"", data)
    if major < 17:
        data = re.sub(rb"(?m)^SET transaction_timeout = 0;\n", b"", data)
    return data


def restore(server: Throwaway, dump_file: Path, kind: str, database: str) -> None:
    """Load ``dump_file`` into ``database`` on ``server``, stopping at the first error (BadInputError naming it)."""
    with dump_file.open("rb") as source:
        data = source.read()
    if kind == "plain":
        failed = run_sql(server.psql, {**os.environ, **server.env}, database, data, server.major)
    else:
        args = [*server.pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "-d", database]
        failed = _error(subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                       env={**os.environ, **server.env}, input=data, check=False))
    if failed is not None:
        raise BadInputError(f"The dump {dump_file} does not restore into PostgreSQL {server.major}: {failed}")


def run_sql(psql: list[str], env: dict[str, str], database: str, data: bytes, major: int) -> str | None:
    """Run plain SQL (a dump, a seed) with ``psql`` in ``database``, in one transaction, stopping at the first
    error: None, or that error as psql prints it (``psql:<stdin>:12: ERROR:  ...``).

    ``env``: the whole environment of ``psql``, with the PG* variables that reach the server.
    """
    args = [*psql, "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", database,
            "-f", "-"]  # -f -: errors name their line (psql:<stdin>:12: ERROR: ...)
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                          input=_for_server(data, "plain", major), check=False)
    return _error(done)


def _error(done: subprocess.CompletedProcess[bytes]) -> str | None:
    """The error line of a client tool that failed (its last line if none says ERROR), None when it succeeded."""
    if done.returncode == 0:
        return None
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    return next((line for line in lines if "ERROR" in line or "error" in line), lines[-1] if lines else "").strip()
