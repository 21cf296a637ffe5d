"""The copy a rehearsal runs on: the choice between a clone on the same server and a dump restored into a
throwaway server, made here and only here (``shared/scratch.py`` makes either when asked).

``auto`` copies with ``CREATE DATABASE ... TEMPLATE`` when nobody else is connected to the database (it needs it
alone) and falls back to a dump when someone connects meanwhile; ``template`` and ``dump`` force one; a dump
file is restored as it is. ``clone`` (PostgreSQL 18+, only when asked) is ``STRATEGY FILE_COPY`` under
``file_copy_method = clone``: the file system shares the blocks where it can, and the report says whether it did
(``shared.cloning``). ``auto`` does not try it first: it forces two checkpoints on the server of the source (a
production primary, maybe) and, where the file system cannot clone, it is a full copy all the same.
``--copy-url`` rehearses on a copy someone else made, once it is at the source's revision and schema.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from ...history import current_heads
from ..errors import BadInputError, first_line
from ..shared import dumps, scratch, snapshot
from ..shared.database import database_url, location, other_sessions, read_only, server_major
from ..shared.scripts import Scripts, check_known

COPY_METHODS = ("auto", "clone", "template", "dump")
#: The first PostgreSQL with file_copy_method.
CLONE_MAJOR = 18


def copy(
    scripts: Scripts, url: str | None, method: str, dump: Path | None, copy_url: str | None = None
) -> tuple[scratch.Scratch, str]:
    """The copy to rehearse on and the name of what it copies: ``dump`` restored, the copy at ``copy_url`` checked,
    else the database at ``url`` copied on its server (``template``, ``clone``, or ``auto`` with nobody else
    connected) or dumped into a throwaway server."""
    if dump is not None:
        dumps.dump_format(dump)
        major = dumps.dumped_major(dump)
        if major is None:
            raise BadInputError(f"The dump file {dump} does not say which PostgreSQL it was taken from.")
        return scratch.from_dump(None, major, dump), dump.name
    source = database_url(url)
    name = str(source.database)
    if copy_url is not None:
        return _given(scripts, source, name, database_url(copy_url)), name
    with read_only(source) as conn:
        major = server_major(conn)
        others = other_sessions(conn)
        try:
            heads = current_heads(conn)
        except DBAPIError:  # a role that may not read it: checked on the copy instead
            conn.rollback()
        else:
            check_known(scripts, name, heads)
    if method == "clone" and major < CLONE_MAJOR:
        raise BadInputError(
            f"--copy clone needs PostgreSQL {CLONE_MAJOR} or later (file_copy_method), and {name!r} is on PostgreSQL "
            f"{major}; use --copy template or --copy dump."
        )
    if method == "dump" or (method == "auto" and others):
        return scratch.from_dump(source, major), name
    try:
        return scratch.clone(source, files=method == "clone"), name
    except scratch.SourceBusyError:
        if method in ("clone", "template"):
            raise BadInputError(
                f"Database {name!r} cannot be copied on its server (--copy {method}) while other sessions are "
                "connected to it; rehearse with --copy dump instead."
            ) from None
        return scratch.from_dump(source, major), name


def _given(scripts: Scripts, source: URL, name: str, url: URL) -> scratch.Scratch:
    """The copy at ``url`` (someone else's: a Database Lab clone, a branch, a restored snapshot), once it is at the
    source's revision and schema; both only read here. BadInputError (exit 2) naming the first difference."""
    began = time.perf_counter()
    where = url.render_as_string(hide_password=True)
    if location(url) == location(source) and url.database == source.database:
        raise BadInputError(f"--copy-url {where} is the source database itself; give a copy of it.")
    seen = []
    for side in (source, url):
        with read_only(side) as conn:
            try:
                seen.append((current_heads(conn), snapshot.read(conn)))
            except DBAPIError as exc:
                raise BadInputError(f"The database at {side.render_as_string(hide_password=True)} cannot be read: "
                                    f"{first_line(exc.orig or exc)}.") from exc
    (heads, schema), (copy_heads, copy_schema) = seen
    check_known(scripts, name, heads)
    if copy_heads != heads:
        was, now = ", ".join(heads) or "empty", ", ".join(copy_heads) or "empty"
        raise BadInputError(
            f"The copy at {where} is not at {name}'s revision: alembic_version is {now} there and {was} on {name}."
        )
    found = snapshot.differences(schema, copy_schema)
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise BadInputError(
            f"The copy at {where} does not have {name}'s schema: {first.group}, {first.label}: "
            f"{first.expected or 'nothing'} on {name}, {first.actual or 'nothing'} on the copy{more}."
        )
    return scratch.given(url, time.perf_counter() - began)


def kept(copied: scratch.Scratch) -> str:
    """Where a kept copy is, and how to remove it."""
    where = copied.url.render_as_string(hide_password=True)
    if copied.method == "given":
        return f"{where} (made elsewhere, so not dropped: it is left as the run left it)"
    if copied.server is not None and copied.server.kept:
        return f"{where} ({copied.server.kept})"
    return f"{where} (drop it with: DROP DATABASE {copied.database})"
