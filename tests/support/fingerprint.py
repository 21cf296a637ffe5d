"""The fingerprint of a database: schema as pg_dump shows it, every table's row count, alembic_version.

Two equal fingerprints are how a test proves "the database state remains unchanged" or
"the restore brought everything back". The attempt history (``alembic_history``, which env.py
writes on a connection of its own, failed attempts included) is left out unless asked for: it is
the record of what was tried, not the database's state.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import sqlalchemy as sa

_TABLES = sa.text(
    """
    SELECT n.nspname AS schema, c.relname AS name
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
    ORDER BY 1, 2
    """
)


@dataclass(frozen=True)
class Fingerprint:
    schema: str
    row_counts: dict[str, int]
    alembic_version: tuple[str, ...]


#: The table env.py records every migration attempt in (helpers.history).
HISTORY = "alembic_history"
#: Its statement ledger (helpers.statements), written only by a revision that commits part-way.
STATEMENTS = "alembic_history_statements"


def schema_dump(env: dict[str, str], history: bool = False) -> str:
    """``pg_dump --schema-only`` of the database ``env`` names, without comments and session noise."""
    out = subprocess.run(
        # No security labels: none can exist without a label provider, which no server here loads, and reading
        # pg_seclabel was a tenth of pg_dump's time on the server.
        ["pg_dump", "--schema-only", "--no-owner", "--no-privileges", "--no-security-labels",
         *([] if history else [f"--exclude-table={HISTORY}", f"--exclude-table={STATEMENTS}"])],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    keep = []
    for line in out.splitlines():
        # \restrict / \unrestrict carry a random key per dump (pg_dump 17.6+, 18).
        if line.startswith(("--", "\\restrict", "\\unrestrict", "SET ", "SELECT pg_catalog.set_config")):
            continue
        if line.strip():
            keep.append(line)
    return "\n".join(keep)


def take(engine: sa.Engine, env: dict[str, str], history: bool = False) -> Fingerprint:
    """Fingerprint the database that ``engine`` and ``env`` both point at (``history``: with alembic_history)."""
    preparer = engine.dialect.identifier_preparer
    with engine.connect() as conn:
        counts = {}
        for schema, name in conn.execute(_TABLES):
            if name in (HISTORY, STATEMENTS) and not history:
                continue
            qualified = f"{preparer.quote(schema)}.{preparer.quote(name)}"
            counts[f"{schema}.{name}"] = conn.execute(sa.text(f"SELECT count(*) FROM {qualified}")).scalar_one()
        has_version = conn.execute(sa.text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar()
        versions = (
            tuple(conn.execute(sa.text("SELECT version_num FROM alembic_version ORDER BY 1")).scalars())
            if has_version
            else ()
        )
    return Fingerprint(schema_dump(env, history), counts, versions)
