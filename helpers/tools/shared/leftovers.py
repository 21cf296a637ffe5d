"""Scratch databases a killed command left behind: each is marked with its owner, and the next one finds them.

A CI job's timeout sends SIGTERM, then SIGKILL; a killed ``rehearse`` cannot drop its copy, which stays on the
reader's own server, a full copy of the database, maybe with its statement still running. So every scratch database
gets a comment naming the process that made it (``COMMENT ON DATABASE``: not copied by ``CREATE DATABASE ...
TEMPLATE``), and before a command makes one for the same source it looks for earlier ones: made before it started
by a process of this machine that no longer runs, it drops them (``WITH (FORCE)`` ends a statement still running);
made on another machine, where it cannot tell, it names them and the statement that drops them (stderr).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

from sqlalchemy.engine import Connection

from . import output

MARK = "migration-rollback scratch"
#: When this process started (this module is imported as a command starts): leftovers are older than this.
STARTED = time.time()

_FIND = """
    SELECT d.datname::text, pg_catalog.shobj_description(d.oid, 'pg_database')
    FROM pg_catalog.pg_database d
    WHERE d.datname LIKE %(prefix)s ESCAPE '\\' AND d.datname <> %(own)s
      AND pg_catalog.shobj_description(d.oid, 'pg_database') LIKE %(mark)s"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mark(conn: Connection, name: str) -> None:
    """Say who made scratch database ``name`` (this process, on this machine, now)."""
    owner = f"{MARK}: pid={os.getpid()} host={socket.gethostname()} started={time.time():.0f}"
    conn.exec_driver_sql(f"COMMENT ON DATABASE {_quote(name)} IS {_literal(owner)}")


def _owner(comment: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in comment.split(": ", 1)[-1].split() if "=" in part)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def sweep(conn: Connection, prefix: str, own: str, drop: Callable[[str], None], started: float) -> list[str]:
    """Drop the scratch databases named ``prefix...`` left by dead processes of this machine, made before
    ``started``; returns a line for each one found (dropped, or to drop by hand)."""
    escaped = prefix.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")
    rows = conn.exec_driver_sql(_FIND, {"prefix": escaped + "%", "own": own, "mark": MARK + ":%"}).all()
    lines = []
    for name, comment in rows:
        owner = _owner(comment or "")
        made = float(owner.get("started", "inf"))
        pid = int(owner.get("pid", "0") or 0)
        if made >= started:
            continue
        here = owner.get("host") == socket.gethostname()
        if here and pid and not _alive(pid):
            drop(name)
            lines.append(f"dropped scratch database {name}, left by process {pid} (no longer running)")
        elif not here:
            lines.append(
                f"scratch database {name} was left by process {pid} on {owner.get('host')}; once that run is over, "
                f"drop it: DROP DATABASE {_quote(name)} WITH (FORCE)"
            )
    return lines


def report(lines: list[str]) -> None:
    for line in lines:
        output.note(line)
