"""Validation of the names that helpers pass to PostgreSQL.

Names are never pasted into SQL: DDL goes through Alembic/SQLAlchemy, which quote them, and
catalog look-ups bind them as parameters. These checks only reject names PostgreSQL would
silently change (too long) or that cannot be a name at all (empty, NUL byte).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import InvalidIdentifierError

#: PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes without an error.
MAX_IDENTIFIER_BYTES = 63

_SAVEPOINT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_identifier(name: object, what: str = "name") -> str:
    """Return ``name`` if PostgreSQL would keep it exactly as given, else raise."""
    if not isinstance(name, str):
        raise InvalidIdentifierError(f"The {what} {name!r} is not a string.")
    if not name or not name.strip():
        raise InvalidIdentifierError(f"The {what} {name!r} is empty; give a non-blank name.")
    if "\x00" in name:
        raise InvalidIdentifierError(f"The {what} {name!r} contains a NUL byte, which PostgreSQL rejects.")
    if len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES:
        raise InvalidIdentifierError(
            f"The {what} {name!r} is longer than {MAX_IDENTIFIER_BYTES} bytes; PostgreSQL would silently truncate it."
        )
    return name


@dataclass(frozen=True)
class TableName:
    """A table name with its optional schema, as the helpers receive it."""

    name: str
    schema: str | None = None

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


def parse_table(name: object, schema: str | None = None) -> TableName:
    """Split ``"audit.users"`` into schema and table; with ``schema=`` the name is taken whole.

    The name is used as written: mixed case, spaces and quotes are part of it.
    """
    if not isinstance(name, str):
        raise InvalidIdentifierError(f"The table name {name!r} is not a string.")
    if schema is not None:
        return TableName(check_identifier(name, "table name"), check_identifier(schema, "schema name"))
    parts = name.split(".")
    if len(parts) == 1:
        return TableName(check_identifier(name, "table name"))
    if len(parts) == 2:
        return TableName(check_identifier(parts[1], "table name"), check_identifier(parts[0], "schema name"))
    raise InvalidIdentifierError(
        f"The table name {name!r} has more than one dot; pass the bare table name and schema=."
    )


def check_savepoint_name(name: object) -> str:
    """Savepoint names are plain SQL identifiers: a letter or underscore, then letters, digits, underscores."""
    if not isinstance(name, str) or not _SAVEPOINT_NAME.fullmatch(name):
        raise InvalidIdentifierError(
            f"The savepoint name {name!r} is not valid; use letters, digits and underscores, "
            "starting with a letter or underscore."
        )
    return check_identifier(name, "savepoint name")
