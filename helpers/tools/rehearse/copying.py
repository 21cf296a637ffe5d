"""The copy a rehearsal runs on: the choice between a clone on the same server and a dump restored into a
throwaway server, made here and only here (``shared/scratch.py`` makes either when asked).

``auto`` clones when nobody else is connected to the database (``CREATE DATABASE ... TEMPLATE`` needs it
alone) and falls back to a dump when someone connects meanwhile; ``clone`` and ``dump`` force one; a dump
file is restored as it is.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.exc import DBAPIError

from ...history import current_heads
from ..errors import BadInputError
from ..shared import dumps, scratch
from ..shared.database import database_url, other_sessions, read_only, server_major
from ..shared.scripts import Scripts, check_known

COPY_METHODS = ("auto", "clone", "dump")


def copy(scripts: Scripts, url: str | None, method: str, dump: Path | None) -> tuple[scratch.Scratch, str]:
    """The copy to rehearse on and the name of what it copies: ``dump`` restored, else the database at ``url``
    cloned (``method`` ``clone``, or ``auto`` with nobody else connected) or dumped into a throwaway server."""
    if dump is not None:
        dumps.dump_format(dump)
        major = dumps.dumped_major(dump)
        if major is None:
            raise BadInputError(f"The dump file {dump} does not say which PostgreSQL it was taken from.")
        return scratch.from_dump(None, major, dump), dump.name
    source = database_url(url)
    name = str(source.database)
    with read_only(source) as conn:
        major = server_major(conn)
        others = other_sessions(conn)
        try:
            heads = current_heads(conn)
        except DBAPIError:  # a role that may not read it: checked on the copy instead
            conn.rollback()
        else:
            check_known(scripts, name, heads)
    if method == "dump" or (method == "auto" and others):
        return scratch.from_dump(source, major), name
    try:
        return scratch.clone(source), name
    except scratch.SourceBusyError:
        if method == "clone":
            raise BadInputError(
                f"Database {name!r} cannot be cloned while other sessions are connected to it; "
                "rehearse with --copy dump instead."
            ) from None
        return scratch.from_dump(source, major), name


def kept(copied: scratch.Scratch) -> str:
    """Where a kept copy is, and how to remove it."""
    where = copied.url.render_as_string(hide_password=True)
    if copied.server is not None and copied.server.kept:
        return f"{where} ({copied.server.kept})"
    return f"{where} (drop it with: DROP DATABASE {copied.database})"
