"""The fleet's targets: databases listed in a file or by a query, or the schemas of one database.

Every way of naming them gives ``Target``s in a stable order (the file's, the query's, schemas by
name); a bad line, URL, query or pattern is a ``BadInputError`` of one sentence.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..errors import BadInputError, first_line
from ..shared import database


@dataclass(frozen=True)
class Target:
    """One database (``schema`` None) or one tenant's schema in a database, under a name unique in the fleet."""

    name: str
    url: str
    schema: str | None = None

    @property
    def lock_name(self) -> str:
        """The fleet's advisory lock of this target (its key is per database, so the schema's name is added)."""
        return f"helpers.fleet:{self.schema}" if self.schema else "helpers.fleet"

    def sa_url(self) -> sa.URL:
        return database.database_url(self.url)


def _url(text: str, where: str) -> str:
    try:
        database.database_url(text)
    except BadInputError as exc:
        raise BadInputError(f"{where}: {exc}") from None
    return text


def from_file(path: str | Path) -> list[Target]:
    """A line per target, ``NAME URL`` or a URL alone (named after its database); ``#`` starts a comment."""
    file = Path(path)
    try:
        text = file.read_text()
    except OSError as exc:
        raise BadInputError(f"The targets file {str(file)!r} cannot be read: {exc.strerror or exc}.") from None
    found: list[Target] = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        where = f"{file}, line {number}"
        if len(words) > 2:
            raise BadInputError(f"{where}: {line.strip()!r} is not a target; write NAME URL or a URL alone.")
        url = _url(words[-1], where)
        name = words[0] if len(words) == 2 else str(database.database_url(url).database)
        found.append(Target(name, url))
    return _checked(found, f"the targets file {str(file)!r}")


def from_query(control_url: str | None, query: str) -> list[Target]:
    """The rows of ``query`` on the control database: ``url`` alone, or ``name, url``."""
    if not control_url:
        raise BadInputError("--targets-sql needs the database to ask: pass --control-url postgresql://host/dbname.")
    with database.read_only(database.database_url(control_url)) as conn:
        try:
            rows = conn.exec_driver_sql(query).all()
        except sa.exc.DBAPIError as exc:
            raise BadInputError(f"The targets query failed on the control database: {first_line(exc.orig)}") from None
    found = []
    for number, row in enumerate(rows, 1):
        if len(row) not in (1, 2):
            raise BadInputError(
                f"The targets query returned {len(row)} columns; return url, or name and url (one row per target)."
            )
        url = _url(str(row[-1]), f"the targets query's row {number}")
        name = str(row[0]) if len(row) == 2 else str(database.database_url(url).database)
        found.append(Target(name, url))
    return _checked(found, "the targets query")


def from_schemas(url: str | None, pattern: str) -> list[Target]:
    """The schemas of the database at ``url`` whose name matches the shell pattern (``tenant_*``), by name."""
    source = database.database_url(url)
    with database.read_only(source) as conn:
        names = (
            conn.execute(
                sa.text(
                    "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                    "AND nspname <> 'information_schema' ORDER BY nspname"
                )
            )
            .scalars()
            .all()
        )
    shown = source.render_as_string(hide_password=False)
    found = [Target(str(name), shown, str(name)) for name in names if fnmatch.fnmatchcase(str(name), pattern)]
    if not found:
        raise BadInputError(
            f"No schema of {database.location(source)} matches {pattern!r}; give a shell pattern "
            "that matches the tenants' schemas, e.g. 'tenant_*'."
        )
    return found


def _checked(found: list[Target], source: str) -> list[Target]:
    if not found:
        raise BadInputError(f"{source[0].upper()}{source[1:]} names no target; give one per line: NAME URL.")
    seen: set[str] = set()
    for target in found:
        if target.name in seen:
            raise BadInputError(f"Two targets of {source} are named {target.name!r}; give each its own NAME.")
        seen.add(target.name)
    return found
